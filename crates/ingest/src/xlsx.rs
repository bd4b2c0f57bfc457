//! Excel workbooks (XLSX): the first sheet, cell by cell, turned into the
//! same rows of text a CSV gives, so every rule and message is shared.
//! Numbers are written with a decimal point, dates as ISO dates.

use std::io::{Cursor, Read};

use calamine::{Data, Reader, Xlsx};

use crate::table::ReadError;

/// Largest workbook accepted (compressed). A sheet is read into memory
/// whole, so this bounds memory too.
pub const MAX_WORKBOOK_BYTES: u64 = 50 * 1024 * 1024;
/// Most bytes a workbook may unpack to: checked from the ZIP directory
/// before anything is inflated, so a ZIP bomb is refused cheaply.
pub const MAX_INFLATED_BYTES: u64 = 512 * 1024 * 1024;
/// Most cells read from a sheet; beyond that the workbook is refused
/// (a CSV export streams without limit).
pub const MAX_CELLS: usize = 20_000_000;

fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{f:.0}"),
        Data::Float(f) => f.to_string(),
        Data::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_string(),
        Data::DateTime(d) if d.is_datetime() => {
            // calamine resolves the workbook's date system (1900 or 1904).
            let (y, m, day, ..) = d.to_ymd_hms_milli();
            format!("{y:04}-{m:02}-{day:02}")
        }
        Data::DateTime(d) => d.as_f64().to_string(),
        Data::Error(e) => format!("#{e:?}"),
    }
}

/// The rows of the first sheet, each with its row number as Excel shows it.
pub fn rows(input: impl Read) -> Result<Vec<(u64, Vec<String>)>, ReadError> {
    let mut bytes = Vec::new();
    input
        .take(MAX_WORKBOOK_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| ReadError::Broken {
            row: 0,
            message: format!("cannot read the workbook: {e}"),
        })?;
    if bytes.len() as u64 > MAX_WORKBOOK_BYTES {
        return Err(ReadError::Broken {
            row: 0,
            message: format!(
                "the workbook is larger than {} MB: export the sheet as CSV",
                MAX_WORKBOOK_BYTES / 1024 / 1024
            ),
        });
    }
    let broken = |message: String| ReadError::Broken { row: 0, message };
    check_inflation(&bytes, MAX_INFLATED_BYTES).map_err(broken)?;
    let mut workbook: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes))
        .map_err(|e| broken(format!("this is not a readable XLSX workbook: {e}")))?;
    let range = workbook
        .worksheet_range_at(0)
        .ok_or_else(|| broken("the workbook has no sheets".to_string()))?
        .map_err(|e| broken(format!("cannot read the first sheet: {e}")))?;
    let (height, width) = range.get_size();
    if height.saturating_mul(width) > MAX_CELLS {
        return Err(broken(format!(
            "the first sheet has more than {MAX_CELLS} cells: export it as CSV"
        )));
    }
    let first_row = range.start().map_or(0, |(r, _)| u64::from(r));
    Ok(range
        .rows()
        .enumerate()
        .map(|(i, cells)| {
            (
                first_row + i as u64 + 1,
                cells.iter().map(cell_text).collect(),
            )
        })
        .collect())
}

/// Refuses a ZIP whose entries would unpack to more than `limit` bytes in
/// all, or one entry that inflates more than 1000-fold. (The ZIP reader
/// never inflates an entry past its declared size, so the declared sizes
/// are what bounds memory.)
fn check_inflation(bytes: &[u8], limit: u64) -> Result<(), String> {
    let unreadable =
        |e: zip::result::ZipError| format!("this is not a readable XLSX workbook: {e}");
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(unreadable)?;
    let mut total: u64 = 0;
    for i in 0..archive.len() {
        let entry = archive.by_index_raw(i).map_err(unreadable)?;
        total = total.saturating_add(entry.size());
        if entry.size() > entry.compressed_size().max(1024).saturating_mul(1000) {
            return Err(format!(
                "the workbook entry '{}' would inflate more than 1000-fold: refused (a ZIP bomb?)",
                entry.name().unwrap_or_default()
            ));
        }
    }
    if total > limit {
        return Err(format!(
            "the workbook would unpack to more than {} MB: refused (export the sheet as CSV)",
            limit / 1024 / 1024
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    fn zip_with(entries: &[(&str, usize)]) -> Vec<u8> {
        let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        for (name, zeros) in entries {
            w.start_file(*name, options).unwrap();
            w.write_all(&vec![0u8; *zeros]).unwrap();
        }
        w.finish().unwrap().into_inner()
    }

    #[test]
    fn zip_bombs_are_refused_before_inflation() {
        let bomb = zip_with(&[("xl/worksheets/sheet1.xml", 20 * 1024 * 1024)]);
        assert!(bomb.len() < 100 * 1024, "{} bytes", bomb.len());
        let err = check_inflation(&bomb, MAX_INFLATED_BYTES).unwrap_err();
        assert_eq!(
            err,
            "the workbook entry 'xl/worksheets/sheet1.xml' would inflate more than 1000-fold: refused (a ZIP bomb?)"
        );

        let many = zip_with(&[("a.xml", 600_000), ("b.xml", 600_000)]);
        assert_eq!(
            check_inflation(&many, 1024 * 1024).unwrap_err(),
            "the workbook would unpack to more than 1 MB: refused (export the sheet as CSV)"
        );
        assert_eq!(check_inflation(&many, MAX_INFLATED_BYTES), Ok(()));
        assert!(
            check_inflation(b"PK\x03\x04junk", MAX_INFLATED_BYTES)
                .unwrap_err()
                .starts_with("this is not a readable XLSX workbook")
        );
    }
}
