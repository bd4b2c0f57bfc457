//! Excel workbooks (XLSX): the first sheet, cell by cell, turned into the
//! same rows of text a CSV gives, so every rule and message is shared.
//! Numbers are written with a decimal point, dates as ISO dates.

use std::io::{Cursor, Read};

use calamine::{DataRef, Reader, Xlsx};

use crate::table::ReadError;

/// Largest workbook accepted (compressed); it is held in memory while read.
pub const MAX_WORKBOOK_BYTES: u64 = 32 * 1024 * 1024;
/// Most bytes a workbook may unpack to: checked from the ZIP directory
/// before anything is inflated, so a ZIP bomb is refused cheaply. The
/// sheet itself is streamed, so this bounds time more than memory.
pub const MAX_INFLATED_BYTES: u64 = 512 * 1024 * 1024;
/// Most bytes the shared-strings part may unpack to: the reader holds
/// every shared string in memory.
pub const MAX_SHARED_STRINGS_BYTES: u64 = 48 * 1024 * 1024;
/// Most cells read from a sheet, counting the empty cells a row is padded
/// with up to its last value; beyond that the workbook is refused (a CSV
/// export streams without limit).
pub const MAX_CELLS: usize = 2_000_000;
/// Most bytes of cell text read from a sheet: a shared string is stored
/// once but copied into every cell that names it.
pub const MAX_TEXT_BYTES: usize = 64 * 1024 * 1024;

fn cell_text(cell: &DataRef<'_>) -> String {
    match cell {
        DataRef::Empty => String::new(),
        DataRef::String(s) | DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => s.clone(),
        DataRef::SharedString(s) => (*s).to_string(),
        DataRef::Int(i) => i.to_string(),
        DataRef::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{f:.0}"),
        DataRef::Float(f) => f.to_string(),
        DataRef::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_string(),
        DataRef::DateTime(d) if d.is_datetime() => {
            // calamine resolves the workbook's date system (1900 or 1904).
            let (y, m, day, ..) = d.to_ymd_hms_milli();
            format!("{y:04}-{m:02}-{day:02}")
        }
        DataRef::DateTime(d) => d.as_f64().to_string(),
        DataRef::Error(e) => format!("#{e:?}"),
    }
}

/// The rows of the first sheet from the first that holds a value to the
/// last, each with its row number as Excel shows it, starting from the
/// leftmost column that holds a value.
/// The sheet is streamed cell by cell and refused as soon as it passes
/// [`MAX_CELLS`] or [`MAX_TEXT_BYTES`], so memory stays bounded whatever
/// the workbook claims.
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
    let first = workbook
        .sheet_names()
        .first()
        .cloned()
        .ok_or_else(|| broken("the workbook has no sheets".to_string()))?;
    let mut cells = workbook
        .worksheet_cells_reader(&first)
        .map_err(|e| broken(format!("cannot read the first sheet: {e}")))?;
    let mut sheet = Sheet::default();
    loop {
        let cell = match cells.next_cell() {
            Ok(Some(cell)) => cell,
            Ok(None) => break,
            Err(e) => {
                return Err(ReadError::Broken {
                    row: sheet.rows.last().map_or(0, |(row, _)| *row),
                    message: format!("cannot read the first sheet: {e}"),
                });
            }
        };
        let value = cell.get_value();
        if matches!(value, DataRef::Empty) {
            continue;
        }
        let (row, column) = cell.get_position();
        sheet.put(row, column, cell_text(value)).map_err(broken)?;
    }
    Ok(sheet.finish())
}

/// The rows read so far, with what they cost.
#[derive(Default)]
struct Sheet {
    rows: Vec<(u64, Vec<String>)>,
    cells: usize,
    text: usize,
    first_column: Option<usize>,
}

impl Sheet {
    /// Places one cell's text, padding its row with empty cells up to it.
    fn put(&mut self, row: u32, column: u32, text: String) -> Result<(), String> {
        let row = u64::from(row) + 1;
        let column = column as usize;
        // Excel writes rows in order; a sheet that does not is placed
        // where its rows belong all the same.
        let at = match self.rows.last() {
            Some((last, _)) if *last == row => self.rows.len() - 1,
            Some((last, _)) if *last < row => self.push_row(row)?,
            None => self.push_row(row)?,
            Some(_) => match self.rows.binary_search_by_key(&row, |(r, _)| *r) {
                Ok(at) => at,
                Err(at) => {
                    self.rows.insert(at, (row, Vec::new()));
                    at
                }
            },
        };
        let cells = &mut self.rows[at].1;
        if column >= cells.len() {
            self.cells = self.cells.saturating_add(column + 1 - cells.len());
            if self.cells > MAX_CELLS {
                return Err(format!(
                    "the first sheet has more than {MAX_CELLS} cells (row {row}): export it as CSV"
                ));
            }
            cells.resize(column + 1, String::new());
        }
        self.text += text.len();
        if self.text > MAX_TEXT_BYTES {
            return Err(format!(
                "the first sheet holds more than {} MB of text (row {row}): export it as CSV",
                MAX_TEXT_BYTES / 1024 / 1024
            ));
        }
        cells[column] = text;
        self.first_column = Some(self.first_column.map_or(column, |c| c.min(column)));
        Ok(())
    }

    /// Starts row `row`, after the empty rows between it and the last one
    /// (each counted as a cell: they are rows a reader sees and skips).
    fn push_row(&mut self, row: u64) -> Result<usize, String> {
        let from = self.rows.last().map_or(row, |(last, _)| last + 1);
        self.cells = self.cells.saturating_add((row - from) as usize);
        if self.cells > MAX_CELLS {
            return Err(format!(
                "the first sheet has more than {MAX_CELLS} cells (row {row}): export it as CSV"
            ));
        }
        self.rows.extend((from..=row).map(|r| (r, Vec::new())));
        Ok(self.rows.len() - 1)
    }

    /// The rows, each starting at the leftmost column that holds a value.
    fn finish(mut self) -> Vec<(u64, Vec<String>)> {
        let skip = self.first_column.unwrap_or(0);
        if skip > 0 {
            for (_, cells) in &mut self.rows {
                cells.drain(..skip.min(cells.len()));
            }
        }
        self.rows
    }
}

/// Refuses a ZIP whose entries would unpack to more than `limit` bytes in
/// all, whose shared strings would unpack to more than
/// [`MAX_SHARED_STRINGS_BYTES`], or one entry that inflates more than
/// 1000-fold. (The ZIP reader
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
        let shared_strings = entry
            .name()
            .unwrap_or_default()
            .to_ascii_lowercase()
            .ends_with("sharedstrings.xml");
        if shared_strings && entry.size() > MAX_SHARED_STRINGS_BYTES {
            return Err(format!(
                "the workbook's shared strings would unpack to more than {} MB: refused (export the sheet as CSV)",
                MAX_SHARED_STRINGS_BYTES / 1024 / 1024
            ));
        }
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
