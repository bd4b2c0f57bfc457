//! The report as an XLSX workbook: a summary sheet, then one sheet per
//! table with real numbers in their formats and a native Excel chart where
//! the table has one to show.

use rust_xlsxwriter::{Chart, ChartType, Format, Workbook, Worksheet, XlsxError};

use crate::Error;
use crate::tables::{Cell, Table, tables};
use crate::view::View;

fn fail(e: XlsxError) -> Error {
    Error::Render(format!("XLSX: {e}"))
}

/// A sheet name Excel accepts: at most 31 characters, none of []:*?/\,
/// and unique in the workbook.
fn sheet_name(title: &str, taken: &mut Vec<String>) -> String {
    let clean: String = title
        .chars()
        .filter(|c| !"[]:*?/\\'".contains(*c))
        .take(28)
        .collect();
    let base = if clean.trim().is_empty() {
        "Sheet".to_string()
    } else {
        clean.trim().to_string()
    };
    let mut name = base.clone();
    let mut n = 2;
    while taken.iter().any(|t| t.eq_ignore_ascii_case(&name)) {
        name = format!("{base} {n}");
        n += 1;
    }
    taken.push(name.clone());
    name
}

fn number_format(unit: &str, currency: Option<&str>) -> Format {
    let code = match unit {
        "percent" => "0.0%".to_string(),
        "money" => match currency {
            Some("RUB") => "#,##0\\ \"₽\"".to_string(),
            Some("USD") => "\"$\"#,##0.00".to_string(),
            Some("EUR") => "\"€\"#,##0.00".to_string(),
            _ => "#,##0.00".to_string(),
        },
        "multiple" => "0.00\"×\"".to_string(),
        "rating" => "0.00".to_string(),
        "decimal" => "#,##0.0".to_string(),
        _ => "#,##0".to_string(),
    };
    Format::new().set_num_format(code)
}

fn write_table(ws: &mut Worksheet, t: &Table, currency: Option<&str>) -> Result<(), Error> {
    let bold = Format::new().set_bold().set_background_color("#F2F5F8");
    for (c, h) in t.headers.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, h, &bold)
            .map_err(fail)?;
    }
    for (r, row) in t.rows.iter().enumerate() {
        let r = r as u32 + 1;
        for (c, cell) in row.iter().enumerate() {
            let c = c as u16;
            match cell {
                Cell::Text(s) => {
                    ws.write_string(r, c, s).map_err(fail)?;
                }
                Cell::Num(Some(v), unit) if v.is_finite() => {
                    ws.write_number_with_format(r, c, *v, &number_format(unit, currency))
                        .map_err(fail)?;
                }
                Cell::Num(..) => {}
            }
        }
    }
    ws.set_freeze_panes(1, 0).map_err(fail)?;
    ws.autofit();
    Ok(())
}

/// The chart a table shows, if any: (type, value column, title).
fn chart_of(t: &Table) -> Option<(ChartType, Vec<u16>)> {
    match t.id {
        "kpis" => Some((ChartType::Bar, vec![3])),
        "trends" => Some((
            ChartType::Line,
            (1..t.headers.len().min(4) as u16).collect(),
        )),
        "channels" | "campaigns" => Some((ChartType::Bar, vec![3])),
        "people" => Some((ChartType::Bar, vec![2])),
        "evaluation" => Some((ChartType::Bar, vec![1])),
        _ => None,
    }
}

/// The whole workbook.
pub fn workbook(view: &View) -> Result<Vec<u8>, Error> {
    let mut wb = Workbook::new();
    let mut taken = Vec::new();
    let l = |k: &str| view.labels.get(k).cloned().unwrap_or_default();
    let currency = view.metrics.iter().find_map(|m| m.currency.clone());
    {
        let ws = wb.add_worksheet();
        let summary = view
            .sections
            .iter()
            .find(|(c, _)| c == "summary")
            .map_or_else(|| l("report"), |(_, t)| t.clone());
        ws.set_name(sheet_name(&summary, &mut taken))
            .map_err(fail)?;
        let title = Format::new().set_bold().set_font_size(16);
        let bold = Format::new().set_bold();
        ws.write_string_with_format(0, 0, &view.name, &title)
            .map_err(fail)?;
        let facts = [
            (l("purpose"), view.purpose.clone()),
            (l("scope"), view.scope.clone()),
            (l("period"), view.period.clone()),
            (
                l("compared-with"),
                format!("{} ({})", view.compare_label, view.compared),
            ),
            (l("generated"), view.generated.clone()),
        ];
        for (i, (k, v)) in facts.iter().enumerate() {
            let r = i as u32 + 2;
            ws.write_string_with_format(r, 0, k, &bold).map_err(fail)?;
            ws.write_string(r, 1, v).map_err(fail)?;
        }
        let wrap = Format::new().set_text_wrap();
        for (i, s) in view.summary.iter().enumerate() {
            ws.write_string_with_format(i as u32 + 8, 0, s, &wrap)
                .map_err(fail)?;
        }
        ws.set_column_width(0, 100).map_err(fail)?;
        ws.set_column_width(1, 60).map_err(fail)?;
    }
    for t in tables(view) {
        let name = sheet_name(&t.title, &mut taken);
        let ws = wb.add_worksheet();
        ws.set_name(&name).map_err(fail)?;
        write_table(ws, &t, currency.as_deref())?;
        if let Some((kind, columns)) = chart_of(&t).filter(|_| !t.rows.is_empty()) {
            let last = t.rows.len() as u32;
            let mut chart = Chart::new(kind);
            for c in columns {
                chart
                    .add_series()
                    .set_categories((name.as_str(), 1, 0, last, 0))
                    .set_values((name.as_str(), 1, c, last, c))
                    .set_name((name.as_str(), 0, c));
            }
            chart.title().set_name(&t.title);
            chart.set_width(720).set_height(360);
            let at = t.headers.len() as u16 + 1;
            ws.insert_chart(1, at, &chart).map_err(fail)?;
        }
    }
    if !view.swot.is_empty() {
        let name = sheet_name(
            &view
                .sections
                .iter()
                .find(|(c, _)| c == "swot")
                .map_or_else(|| "SWOT".to_string(), |(_, t)| t.clone()),
            &mut taken,
        );
        let ws = wb.add_worksheet();
        ws.set_name(&name).map_err(fail)?;
        let bold = Format::new().set_bold().set_background_color("#F2F5F8");
        let mut r = 0;
        for q in &view.swot {
            ws.write_string_with_format(r, 0, &q.title, &bold)
                .map_err(fail)?;
            r += 1;
            for (title, note) in &q.items {
                ws.write_string(r, 0, title).map_err(fail)?;
                ws.write_string(r, 1, note).map_err(fail)?;
                r += 1;
            }
            r += 1;
        }
        ws.autofit();
    }
    wb.save_to_buffer().map_err(fail)
}
