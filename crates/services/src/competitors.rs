//! Competitors' figures for the report's competitor section: entered one
//! at a time or imported from a CSV file (competitor, kind, month, value,
//! source). A file is all or nothing: every problem is named by row and
//! column, and nothing is written unless every row is good.

use mkpi_domain::role::Role;
pub use mkpi_store::reports::BenchmarkRow;
use mkpi_store::reports::{self as store};
use serde_json::json;

use crate::audit::{self, Change};
use crate::{Actor, Error, FieldProblem, Result, Services};

/// The kinds of figure, in the order a report shows them.
pub const KINDS: [&str; 3] = ["share_of_voice", "price", "traffic"];

/// The most rows one file may hold.
pub const MAX_ROWS: usize = 10_000;

/// A competitor's figure as entered.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BenchmarkInput {
    pub competitor: String,
    pub kind: String,
    /// `YYYY-MM`.
    pub month: String,
    /// Share of voice as a percentage (0–100) or a share (0–1); a price;
    /// visits a month.
    pub value: String,
    pub source: String,
}

/// Checks one figure; problems name the field, prefixed by `at` (a row).
fn check(input: &BenchmarkInput, at: &str, now: i64) -> (Option<BenchmarkRow>, Vec<FieldProblem>) {
    let mut problems = Vec::new();
    let field = |name: &str| {
        if at.is_empty() {
            name.to_string()
        } else {
            format!("{at}, column {name}")
        }
    };
    let competitor = input.competitor.trim();
    if competitor.is_empty() || competitor.chars().count() > 100 {
        problems.push(FieldProblem::new(
            &field("competitor"),
            "name the competitor (at most 100 characters)",
        ));
    }
    let kind = input.kind.trim();
    if !KINDS.contains(&kind) {
        problems.push(FieldProblem::new(
            &field("kind"),
            format!(
                "'{}' is not a kind; use {}",
                kind.chars().take(40).collect::<String>(),
                KINDS.join(", ")
            ),
        ));
    }
    let month = input.month.trim();
    let month_ok =
        month.len() == 7 && mkpi_domain::period::Day::parse(&format!("{month}-01")).is_ok();
    if !month_ok {
        problems.push(FieldProblem::new(
            &field("month"),
            format!(
                "'{}' is not a month; write YYYY-MM",
                month.chars().take(20).collect::<String>()
            ),
        ));
    }
    let raw = input.value.trim().replace(',', ".");
    let value = match raw.trim_end_matches('%').trim().parse::<f64>() {
        Ok(v) if v.is_finite() && v >= 0.0 => {
            // Share of voice: "35" or "35%" is 0.35; "0.35" stays.
            if kind == "share_of_voice" && (raw.ends_with('%') || v > 1.0) {
                Some(v / 100.0)
            } else {
                Some(v)
            }
        }
        _ => None,
    };
    match value {
        None => problems.push(FieldProblem::new(
            &field("value"),
            format!(
                "'{}' is not a number of zero or more",
                input.value.trim().chars().take(40).collect::<String>()
            ),
        )),
        Some(v) if kind == "share_of_voice" && v > 1.0 => problems.push(FieldProblem::new(
            &field("value"),
            "a share of voice is at most 100%",
        )),
        _ => {}
    }
    if input.source.chars().count() > 200 {
        problems.push(FieldProblem::new(
            &field("source"),
            "is longer than 200 characters",
        ));
    }
    if !problems.is_empty() {
        return (None, problems);
    }
    let row = BenchmarkRow {
        id: 0,
        competitor: competitor.to_string(),
        kind: kind.to_string(),
        month: month.to_string(),
        value: value.unwrap_or_default(),
        source: input.source.trim().to_string(),
        created_at: now,
    };
    (Some(row), problems)
}

fn may_enter(actor: &Actor) -> Result<()> {
    if matches!(actor.role, Role::Admin | Role::Head | Role::Manager) {
        Ok(())
    } else {
        Err(Error::Forbidden)
    }
}

impl Services {
    /// Writes one competitor figure (replacing the same competitor, kind
    /// and month).
    pub async fn add_benchmark(
        &self,
        actor: &Actor,
        input: &BenchmarkInput,
    ) -> Result<BenchmarkRow> {
        may_enter(actor)?;
        let now = self.clock.now();
        let (row, problems) = check(input, "", now);
        let Some(mut row) = row else {
            return Err(Error::Invalid(problems));
        };
        let mut tx = self.store.begin().await?;
        let (id, before) = store::upsert_benchmark(&mut tx, &row, actor.author().user_id).await?;
        row.id = id;
        audit::record(
            &mut tx,
            now,
            &actor.author(),
            Change {
                action: if before.is_some() { "update" } else { "create" },
                entity: "competitor_benchmark",
                entity_id: Some(id),
                before: before.map(|v| json!({"value": v})),
                after: Some(json!({"competitor": row.competitor, "kind": row.kind,
                    "month": row.month, "value": row.value})),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(row)
    }

    /// Imports a CSV file with the columns competitor, kind, month, value
    /// and (optionally) source, comma or semicolon separated, UTF-8. All or
    /// nothing; returns the number of rows written.
    pub async fn import_benchmarks(&self, actor: &Actor, bytes: &[u8]) -> Result<usize> {
        may_enter(actor)?;
        let now = self.clock.now();
        let text = std::str::from_utf8(bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes))
            .map_err(|e| {
                Error::invalid(
                    "file",
                    format!("is not UTF-8 text (byte {})", e.valid_up_to() + 1),
                )
            })?;
        let first = text.lines().next().unwrap_or("");
        let delimiter = if first.matches(';').count() > first.matches(',').count() {
            b';'
        } else {
            b','
        };
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .flexible(false)
            .from_reader(text.as_bytes());
        let headers: Vec<String> = reader
            .headers()
            .map_err(|e| Error::invalid("file", format!("row 1: {e}")))?
            .iter()
            .map(|h| h.trim().to_ascii_lowercase())
            .collect();
        let column = |name: &str| headers.iter().position(|h| h == name);
        let mut problems = Vec::new();
        for name in ["competitor", "kind", "month", "value"] {
            if column(name).is_none() {
                problems.push(FieldProblem::new(
                    "file",
                    format!(
                        "row 1: there is no column '{name}' (the columns are competitor, kind, month, value, source)"
                    ),
                ));
            }
        }
        if !problems.is_empty() {
            return Err(Error::Invalid(problems));
        }
        let mut rows = Vec::new();
        for (i, record) in reader.records().enumerate() {
            let at = format!("row {}", i + 2);
            if i >= MAX_ROWS {
                problems.push(FieldProblem::new(
                    "file",
                    format!("{at}: a file holds at most {MAX_ROWS} rows"),
                ));
                break;
            }
            let record = match record {
                Ok(r) => r,
                Err(e) => {
                    problems.push(FieldProblem::new("file", format!("{at}: {e}")));
                    continue;
                }
            };
            let get = |name: &str| {
                column(name)
                    .and_then(|c| record.get(c))
                    .unwrap_or("")
                    .to_string()
            };
            let input = BenchmarkInput {
                competitor: get("competitor"),
                kind: get("kind"),
                month: get("month"),
                value: get("value"),
                source: get("source"),
            };
            let (row, mut found) = check(&input, &at, now);
            problems.append(&mut found);
            rows.extend(row);
        }
        if rows.is_empty() && problems.is_empty() {
            problems.push(FieldProblem::new("file", "holds no rows after the header"));
        }
        if !problems.is_empty() {
            return Err(Error::Invalid(problems));
        }
        let mut tx = self.store.begin().await?;
        for row in &rows {
            store::upsert_benchmark(&mut tx, row, actor.author().user_id).await?;
        }
        audit::record(
            &mut tx,
            now,
            &actor.author(),
            Change {
                action: "import",
                entity: "competitor_benchmark",
                entity_id: None,
                before: None,
                after: Some(json!({"rows": rows.len()})),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(rows.len())
    }

    /// Figures for the months from `from` to `to` (`YYYY-MM`).
    pub async fn benchmarks(
        &self,
        _actor: &Actor,
        from: &str,
        to: &str,
    ) -> Result<Vec<BenchmarkRow>> {
        let mut tx = self.store.read().await?;
        Ok(store::benchmarks(&mut tx, from, to).await?)
    }

    pub async fn delete_benchmark(&self, actor: &Actor, id: i64) -> Result<()> {
        may_enter(actor)?;
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let row = store::benchmark(&mut tx, id)
            .await?
            .ok_or(Error::NotFound)?;
        store::delete_benchmark(&mut tx, id).await?;
        audit::record(
            &mut tx,
            now,
            &actor.author(),
            Change {
                action: "delete",
                entity: "competitor_benchmark",
                entity_id: Some(id),
                before: Some(json!({"competitor": row.competitor, "kind": row.kind,
                    "month": row.month, "value": row.value})),
                after: None,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(kind: &str, month: &str, value: &str) -> BenchmarkInput {
        BenchmarkInput {
            competitor: "Ромашка".into(),
            kind: kind.into(),
            month: month.into(),
            value: value.into(),
            source: String::new(),
        }
    }

    #[test]
    fn share_of_voice_reads_percentages_and_shares_alike() {
        for v in ["35", "35%", "0.35", "0,35"] {
            let (row, problems) = check(&input("share_of_voice", "2026-07", v), "", 0);
            assert!(problems.is_empty(), "{v}: {problems:?}");
            assert!(
                (row.map(|r| r.value).unwrap_or(0.0) - 0.35).abs() < 1e-12,
                "{v}"
            );
        }
        let (_, problems) = check(&input("share_of_voice", "2026-07", "135"), "", 0);
        assert_eq!(problems[0].message, "a share of voice is at most 100%");
    }

    #[test]
    fn every_problem_names_its_row_and_column() {
        let (row, problems) = check(&input("visits", "2026-13", "-1"), "row 4", 0);
        assert!(row.is_none());
        let fields: Vec<&str> = problems.iter().map(|p| p.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "row 4, column kind",
                "row 4, column month",
                "row 4, column value"
            ]
        );
        assert_eq!(
            problems[0].message,
            "'visits' is not a kind; use share_of_voice, price, traffic"
        );
    }
}
