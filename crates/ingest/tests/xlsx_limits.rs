//! XLSX size limits: workbooks built to exhaust memory are refused before
//! they do, and the largest workbook accepted is read within 256 MB.
//!
//! One test in its own binary, so the process's peak resident memory
//! (`VmHWM`, reset through `/proc/self/clear_refs` before each case) is
//! this reader's and nothing else's.

use std::io::{Cursor, Write};

use mkpi_ingest::ReadError;
use mkpi_ingest::xlsx::{self, MAX_CELLS, MAX_TEXT_BYTES};

const PEAK_LIMIT_MB: u64 = 256;

/// A minimal workbook: one sheet, the given sheet data XML and, when
/// given, shared strings. `declared` replaces the sheet's real content
/// when it only needs to claim a size.
fn workbook(sheet_data: &str, shared: &[String]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .large_file(true);
    let mut part = |name: &str, body: &[u8]| {
        w.start_file(name, options).unwrap();
        w.write_all(body).unwrap();
    };
    let shared_type = if shared.is_empty() {
        ""
    } else {
        r#"<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>"#
    };
    part(
        "[Content_Types].xml",
        format!(
            r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>{shared_type}</Types>"#
        )
        .as_bytes(),
    );
    part(
        "_rels/.rels",
        br#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#,
    );
    part(
        "xl/workbook.xml",
        br#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Data" sheetId="1" r:id="rId1"/></sheets></workbook>"#,
    );
    part(
        "xl/_rels/workbook.xml.rels",
        br#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>"#,
    );
    if !shared.is_empty() {
        let mut sst = format!(
            r#"<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="{0}" uniqueCount="{0}">"#,
            shared.len()
        );
        for s in shared {
            sst.push_str("<si><t>");
            sst.push_str(s);
            sst.push_str("</t></si>");
        }
        sst.push_str("</sst>");
        part("xl/sharedStrings.xml", sst.as_bytes());
    }
    let sheet = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>{sheet_data}</sheetData></worksheet>"#
    );
    part("xl/worksheets/sheet1.xml", sheet.as_bytes());
    w.finish().unwrap().into_inner()
}

fn column_name(mut column: usize) -> String {
    let mut name = Vec::new();
    loop {
        name.push(b'A' + (column % 26) as u8);
        if column < 26 {
            break;
        }
        column = column / 26 - 1;
    }
    name.reverse();
    String::from_utf8(name).unwrap()
}

/// Rows of `columns` cells, each naming shared string `(row + column) %
/// shared` (or holding a number when there are none).
fn grid(rows: usize, columns: usize, shared: usize) -> String {
    let mut xml = String::with_capacity(rows * columns * 32);
    for r in 1..=rows {
        xml.push_str(&format!(r#"<row r="{r}">"#));
        for c in 0..columns {
            let at = format!("{}{r}", column_name(c));
            if shared == 0 {
                xml.push_str(&format!(r#"<c r="{at}"><v>{}.25</v></c>"#, r * 7 + c));
            } else {
                xml.push_str(&format!(
                    r#"<c r="{at}" t="s"><v>{}</v></c>"#,
                    (r + c) % shared
                ));
            }
        }
        xml.push_str("</row>");
    }
    xml
}

fn peak_kb() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap()
}

type Read = Result<Vec<(u64, Vec<String>)>, ReadError>;

/// Reads `bytes` as a workbook and gives what came back, the process's
/// peak resident memory while reading (MB, what the limit is about) and
/// how far reading raised it above where it stood (MB).
fn read_measured(bytes: Vec<u8>) -> (Read, u64, u64) {
    // "5" resets the peak resident set size to the current one.
    std::fs::write("/proc/self/clear_refs", "5").unwrap();
    let before = peak_kb();
    let read = xlsx::rows(Cursor::new(bytes));
    let peak = peak_kb();
    eprintln!("peak {} MB (from {} MB)", peak / 1024, before / 1024);
    (read, peak / 1024, peak.saturating_sub(before) / 1024)
}

fn refusal(read: Read) -> String {
    match read {
        Err(ReadError::Broken { message, .. }) => message,
        Err(other) => panic!("refused in an unexpected way: {other:?}"),
        Ok(rows) => panic!("read {} rows where a refusal was due", rows.len()),
    }
}

#[test]
fn workbooks_built_to_exhaust_memory_are_refused_and_the_largest_accepted_fits() {
    if !cfg!(target_os = "linux") {
        eprintln!("skipped: peak memory is read from /proc");
        return;
    }

    // The refusals first, while the heap is small: what they add is theirs.
    // Sparse: three cells, at A1 and far right and down. A reader that
    // builds the rectangle between A1 and the last cell Excel has asks for
    // 17 billion cells.
    let sparse = workbook(
        r#"<row r="1"><c r="A1"><v>1</v></c></row><row r="1000"><c r="XFD1000"><v>2</v></c></row><row r="1048576"><c r="B1048576"><v>3</v></c></row>"#,
        &[],
    );
    let (read, _, grown) = read_measured(sparse);
    let read = read.expect("three far-apart cells read");
    assert_eq!(
        read.len(),
        1_048_576,
        "every row from the first to the last"
    );
    assert_eq!(read[999].0, 1000);
    assert_eq!(read[999].1.len(), 16_384);
    assert_eq!(read[999].1[16_383], "2");
    assert_eq!(read[500], (501, vec![]));
    assert_eq!(
        read[1_048_575],
        (1_048_576, vec![String::new(), "3".to_string()])
    );
    assert!(grown < 64, "{grown} MB more reading three far-apart cells");
    let sparse_rows: String = (1..=200)
        .map(|r| format!(r#"<row r="{r}"><c r="XFD{r}"><v>1</v></c></row>"#))
        .collect();
    let (read, _, grown) = read_measured(workbook(&sparse_rows, &[]));
    assert_eq!(
        refusal(read),
        format!("the first sheet has more than {MAX_CELLS} cells (row 123): export it as CSV")
    );
    assert!(
        grown < 64,
        "{grown} MB more refusing a column of far-right cells"
    );

    // One 1 MB shared string named by 100 cells: 100 MB of text from a
    // workbook of a few kilobytes.
    let long = vec!["y".repeat(1024 * 1024)];
    let copies: String = (1..=100)
        .map(|r| format!(r#"<row r="{r}"><c r="A{r}" t="s"><v>0</v></c></row>"#))
        .collect();
    let amplified = workbook(&copies, &long);
    assert!(amplified.len() < 64 * 1024, "{} bytes", amplified.len());
    let (read, _, grown) = read_measured(amplified);
    assert_eq!(
        refusal(read),
        format!(
            "the first sheet holds more than {} MB of text (row 65): export it as CSV",
            MAX_TEXT_BYTES / 1024 / 1024
        )
    );
    assert!(
        grown < 128,
        "{grown} MB more refusing amplified shared strings"
    );

    // A classic ZIP bomb: a sheet of 1 GB that compresses to about 1 MB.
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .large_file(true);
    w.start_file("xl/worksheets/sheet1.xml", options).unwrap();
    let zeros = vec![b' '; 1024 * 1024];
    for _ in 0..1024 {
        w.write_all(&zeros).unwrap();
    }
    let bomb = w.finish().unwrap().into_inner();
    drop(zeros);
    assert!(bomb.len() < 2 * 1024 * 1024, "{} bytes", bomb.len());
    let (read, _, grown) = read_measured(bomb);
    assert_eq!(
        refusal(read),
        "the workbook entry 'xl/worksheets/sheet1.xml' would inflate more than 1000-fold: refused (a ZIP bomb?)"
    );
    assert!(grown < 64, "{grown} MB more refusing a ZIP bomb");

    // The largest workbook accepted: 99,999 rows × 20 columns of shared
    // strings, 30 bytes of text each (60 MB of cell text).
    let shared: Vec<String> = (0..1000)
        .map(|i| format!("campaign-{i:05}-{:>16}", "x"))
        .collect();
    let (rows, columns) = (MAX_CELLS / 20 - 1, 20);
    let big = workbook(&grid(rows, columns, shared.len()), &shared);
    let compressed_mb = big.len() / 1024 / 1024;
    let (read, peak, _) = read_measured(big);
    let read = read.expect("the largest accepted workbook reads");
    assert_eq!(read.len(), rows);
    assert_eq!(
        read[0],
        (
            1,
            (0..columns)
                .map(|c| shared[(1 + c) % 1000].clone())
                .collect()
        )
    );
    assert_eq!(read[rows - 1].0, rows as u64);
    assert_eq!(read[rows - 1].1[19], shared[(rows + 19) % 1000]);
    drop(read);
    eprintln!("largest accepted ({compressed_mb} MB compressed): peak {peak} MB");
    assert!(
        peak < PEAK_LIMIT_MB,
        "peak {peak} MB reading the largest accepted workbook"
    );

    // Numbers: the same grid without shared strings.
    let numbers = workbook(&grid(rows, columns, 0), &[]);
    let (read, peak, _) = read_measured(numbers);
    let read = read.expect("a grid of numbers reads");
    assert_eq!(read[0].1[0], "7.25");
    drop(read);
    assert!(peak < PEAK_LIMIT_MB, "peak {peak} MB reading 2M numbers");

    // One cell too many.
    let over = workbook(&grid(MAX_CELLS / 20 + 1, 20, 0), &[]);
    let (read, peak, _) = read_measured(over);
    assert_eq!(
        refusal(read),
        format!(
            "the first sheet has more than {MAX_CELLS} cells (row {}): export it as CSV",
            MAX_CELLS / 20 + 1
        )
    );
    assert!(
        peak < PEAK_LIMIT_MB,
        "peak {peak} MB refusing 2M + 20 cells"
    );

    // Shared strings past their limit, however well they compress.
    let many: Vec<String> = (0..1_000_000).map(|i| format!("label {i:>50}")).collect();
    let (read, _, grown) = read_measured(workbook(
        r#"<row r="1"><c r="A1"><v>1</v></c></row>"#,
        &many,
    ));
    assert_eq!(
        refusal(read),
        "the workbook's shared strings would unpack to more than 48 MB: refused (export the sheet as CSV)"
    );
    assert!(grown < 128, "{grown} MB more refusing large shared strings");

    // Over the compressed size: refused after reading at most one byte more.
    let (read, _, _) = read_measured(vec![b'P'; 33 * 1024 * 1024]);
    assert_eq!(
        refusal(read),
        "the workbook is larger than 32 MB: export the sheet as CSV"
    );
}
