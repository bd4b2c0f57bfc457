//! The report's tables as plain rows — the CSV files and the XLSX sheets
//! both come from here, with real numbers (not their written form).

use crate::Error;
use crate::view::{Num, RankView, View};

/// A cell: text, or a number in a unit (`count`, `money`, `percent`,
/// `multiple`, `rating`, `decimal` …) that a spreadsheet formats.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    Num(Option<f64>, &'static str),
}

fn num(n: &Num, unit: &'static str) -> Cell {
    Cell::Num(n.value, unit)
}

fn text(s: &str) -> Cell {
    Cell::Text(s.to_string())
}

/// One table of the report.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// `kpis`, `trends`, `drivers`, `anomalies`, `channels`, `campaigns`,
    /// `people`, `problems`, `competitors`, `evaluation`.
    pub id: &'static str,
    pub title: String,
    pub headers: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
}

fn unit_of(code: &str) -> &'static str {
    match code {
        "money" => "money",
        "percent" => "percent",
        "multiple" => "multiple",
        "rating" => "rating",
        "score" => "decimal",
        "days" | "hours" => "decimal",
        _ => "count",
    }
}

fn ranked(view: &View, id: &'static str, col: &str, rows: &[RankView]) -> Table {
    let l = |k: &str| view.labels.get(k).cloned().unwrap_or_default();
    Table {
        id,
        title: l(&format!("table-{id}")),
        headers: vec![
            l(col),
            l("col-spend"),
            l("col-spend-share"),
            l("col-roi"),
            l("col-cpa"),
        ],
        rows: rows
            .iter()
            .map(|r| {
                vec![
                    text(&r.name),
                    num(&r.spend, "money"),
                    num(&r.spend_share, "percent"),
                    num(&r.roi, "percent"),
                    num(&r.cpa, "money"),
                ]
            })
            .collect(),
    }
}

/// Every table of the report's sections, in its order (empty ones left
/// out).
pub fn tables(view: &View) -> Vec<Table> {
    let l = |k: &str| view.labels.get(k).cloned().unwrap_or_default();
    let title = |code: &str| {
        view.sections
            .iter()
            .find(|(c, _)| c == code)
            .map(|(_, t)| t.clone())
            .unwrap_or_default()
    };
    let has = |code: &str| view.sections.iter().any(|(c, _)| c == code);
    let mut out = Vec::new();
    if !view.metrics.is_empty() && has("kpis") {
        out.push(Table {
            id: "kpis",
            title: title("kpis"),
            headers: vec![
                l("col-metric"),
                l("col-now"),
                l("col-previous"),
                l("col-change"),
                l("col-year"),
                l("col-change"),
                l("col-target"),
                l("col-significance"),
            ],
            rows: view
                .metrics
                .iter()
                .map(|m| {
                    let u = unit_of(m.unit);
                    vec![
                        text(&m.name),
                        num(&m.now, u),
                        num(&m.previous, u),
                        num(&m.change, "percent"),
                        num(&m.year_before, u),
                        num(&m.change_year, "percent"),
                        num(&m.target, u),
                        text(&m.significance),
                    ]
                })
                .collect(),
        });
    }
    if let Some(first) = view.trends.first().filter(|_| has("trends")) {
        let mut headers = vec![l("col-month")];
        headers.extend(view.trends.iter().map(|t| t.name.clone()));
        let units: Vec<&'static str> = view.trends.iter().map(|t| unit_of(t.unit)).collect();
        out.push(Table {
            id: "trends",
            title: title("trends"),
            headers,
            rows: first
                .months
                .iter()
                .enumerate()
                .map(|(i, (month, _))| {
                    let mut row = vec![text(month)];
                    for (t, u) in view.trends.iter().zip(&units) {
                        row.push(t.months.get(i).map_or(Cell::Num(None, u), |m| num(&m.1, u)));
                    }
                    row
                })
                .collect(),
        });
    }
    if !view.drivers.is_empty() && has("trends") {
        let mut rows = Vec::new();
        for d in &view.drivers {
            let u = if d.code == "roas" {
                "multiple"
            } else {
                "money"
            };
            rows.push(vec![
                text(&d.name),
                text(&l("driver-before")),
                num(&d.before, u),
            ]);
            for (f, n) in &d.parts {
                rows.push(vec![text(&d.name), text(f), num(n, u)]);
            }
            rows.push(vec![
                text(&d.name),
                text(&l("driver-after")),
                num(&d.after, u),
            ]);
        }
        out.push(Table {
            id: "drivers",
            title: l("table-drivers"),
            headers: vec![l("col-metric"), l("col-factor"), l("col-contribution")],
            rows,
        });
    }
    if !view.anomalies.is_empty() && has("trends") {
        out.push(Table {
            id: "anomalies",
            title: l("table-anomalies"),
            headers: vec![
                l("col-day"),
                l("col-series"),
                l("col-value"),
                l("col-expected"),
                l("col-score"),
            ],
            rows: view
                .anomalies
                .iter()
                .map(|a| {
                    vec![
                        text(&a.day),
                        text(&a.series),
                        num(&a.value, "count"),
                        num(&a.expected, "count"),
                        num(&a.score, "decimal"),
                    ]
                })
                .collect(),
        });
    }
    if !view.channels.is_empty() && has("channels") {
        out.push(ranked(view, "channels", "col-channel", &view.channels));
    }
    if !view.campaigns.is_empty() && has("channels") {
        out.push(ranked(view, "campaigns", "col-campaign", &view.campaigns));
    }
    if !view.people.is_empty() && has("people") {
        out.push(Table {
            id: "people",
            title: title("people"),
            headers: vec![
                l("col-person"),
                l("col-team"),
                l("col-kpi-score"),
                l("col-kpis"),
                l("col-off-track"),
                l("col-result"),
                l("col-tasks"),
                l("col-on-time"),
                l("col-quality"),
            ],
            rows: view
                .people
                .iter()
                .map(|p| {
                    vec![
                        text(&p.name),
                        text(&p.team),
                        num(&p.kpi_score, "percent"),
                        Cell::Num(Some(p.kpis as f64), "count"),
                        Cell::Num(Some(p.kpis_off_track as f64), "count"),
                        num(&p.conversion_value, "money"),
                        num(&p.tasks_done, "count"),
                        num(&p.on_time_rate, "percent"),
                        num(&p.avg_quality, "rating"),
                    ]
                })
                .collect(),
        });
    }
    if !view.problems.is_empty() && has("problems") {
        out.push(Table {
            id: "problems",
            title: title("problems"),
            headers: vec![
                l("col-kpi"),
                l("scope"),
                l("col-owner"),
                l("col-status"),
                l("col-value"),
                l("col-target"),
                l("col-achievement"),
            ],
            rows: view
                .problems
                .iter()
                .map(|p| {
                    vec![
                        text(&p.metric),
                        text(&p.scope),
                        text(&p.owner),
                        text(&p.status),
                        num(&p.value, "decimal"),
                        num(&p.target, "decimal"),
                        num(&p.achievement, "percent"),
                    ]
                })
                .collect(),
        });
    }
    if !view.benchmarks.is_empty() && has("competitors") {
        let mut rows = Vec::new();
        for b in &view.benchmarks {
            let u = match b.kind.as_str() {
                "share_of_voice" => "percent",
                "price" => "money",
                _ => "count",
            };
            rows.push(vec![
                text(&b.title),
                text(&l("us")),
                num(&b.ours, u),
                text(""),
            ]);
            for (name, v, months) in &b.theirs {
                rows.push(vec![
                    text(&b.title),
                    text(name),
                    num(v, u),
                    Cell::Num(Some(*months as f64), "count"),
                ]);
            }
        }
        out.push(Table {
            id: "competitors",
            title: title("competitors"),
            headers: vec![
                l("col-metric"),
                l("col-competitor"),
                l("col-value"),
                l("col-months"),
            ],
            rows,
        });
    }
    if let Some(e) = view.evaluation.as_ref().filter(|_| has("evaluation")) {
        out.push(Table {
            id: "evaluation",
            title: title("evaluation"),
            headers: vec![l("col-person"), l("col-final-score")],
            rows: e
                .people
                .iter()
                .map(|(n, s)| vec![text(n), num(s, "percent")])
                .collect(),
        });
    }
    out
}

/// One table as CSV (UTF-8 with a byte-order mark so Excel reads the
/// Cyrillic; numbers with a decimal point, percentages as fractions).
pub fn csv(view: &View, id: &str) -> Result<Vec<u8>, Error> {
    let all = tables(view);
    let Some(table) = all.iter().find(|t| t.id == id) else {
        let ids: Vec<&str> = all.iter().map(|t| t.id).collect();
        return Err(Error::UnknownTable(
            id.chars().take(40).collect(),
            if ids.is_empty() {
                "no tables".to_string()
            } else {
                ids.join(", ")
            },
        ));
    };
    let mut out = b"\xEF\xBB\xBF".to_vec();
    {
        let mut w = ::csv::Writer::from_writer(&mut out);
        let fail = |e: ::csv::Error| Error::Render(format!("CSV: {e}"));
        let headers: Vec<String> = table.headers.iter().map(|h| neutralised(h)).collect();
        w.write_record(&headers).map_err(fail)?;
        for row in &table.rows {
            let cells: Vec<String> = row
                .iter()
                .map(|c| match c {
                    Cell::Text(s) => neutralised(s),
                    Cell::Num(Some(v), _) => format!("{v}"),
                    Cell::Num(None, _) => String::new(),
                })
                .collect();
            w.write_record(&cells).map_err(fail)?;
        }
        w.flush().map_err(|e| Error::Render(format!("CSV: {e}")))?;
    }
    Ok(out)
}

/// A list as CSV (a page's "export what is shown"): a header and rows of
/// text; cells that read as numbers stay numbers, the others are
/// [`neutralised`].
pub fn csv_list(header: &[&str], rows: &[Vec<String>]) -> Result<Vec<u8>, Error> {
    let mut out = Vec::new();
    {
        let mut w = ::csv::Writer::from_writer(&mut out);
        let fail = |e: ::csv::Error| Error::Render(format!("CSV: {e}"));
        w.write_record(header).map_err(fail)?;
        for row in rows {
            let cells = row.iter().map(|c| {
                if c.parse::<f64>().is_ok() {
                    c.clone()
                } else {
                    neutralised(c)
                }
            });
            w.write_record(cells).map_err(fail)?;
        }
        w.flush().map_err(|e| Error::Render(format!("CSV: {e}")))?;
    }
    Ok(out)
}

/// A text cell a spreadsheet will not run: one starting with `=`, `+`, `-`,
/// `@`, a tab or a carriage return (a competitor or campaign named
/// `=HYPERLINK(…)`) gets a leading apostrophe, as spreadsheets expect.
/// Numbers are numbers, never text, so they are left alone.
pub fn neutralised(text: &str) -> String {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_string()
    }
}

#[cfg(test)]
mod csv_tests {
    use super::neutralised;

    #[test]
    fn formulas_in_text_cells_are_neutralised() {
        for (raw, shown) in [
            (
                "=HYPERLINK(\"http://evil\")",
                "'=HYPERLINK(\"http://evil\")",
            ),
            ("+7 (495) 000", "'+7 (495) 000"),
            ("-1+1", "'-1+1"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\t=1", "'\t=1"),
            ("\r=1", "'\r=1"),
            ("Brand = awareness", "Brand = awareness"),
            ("", ""),
        ] {
            assert_eq!(neutralised(raw), shown, "{raw:?}");
        }
    }
}
