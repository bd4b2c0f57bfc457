//! Excel workbooks (XLSX): the first sheet, cell by cell, turned into the
//! same rows of text a CSV gives, so every rule and message is shared.
//! Numbers are written with a decimal point, dates as ISO dates.

use std::io::{Cursor, Read};

use calamine::{Data, Reader, Xlsx};

use crate::table::ReadError;

/// Largest workbook accepted (compressed). A sheet is read into memory
/// whole, so this bounds memory too.
pub const MAX_WORKBOOK_BYTES: u64 = 50 * 1024 * 1024;
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
