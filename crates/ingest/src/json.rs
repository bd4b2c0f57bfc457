//! JSON batches (the ingest API) go through the very same reader as files:
//! a batch becomes a canonical CSV, so every rule and every message is the
//! same. In problems, row N is the N-th record of the batch.

use serde_json::{Map, Value};

use crate::fact::Fact;
use crate::table::Problem;

/// Turns records (objects of field → string or number) into canonical CSV
/// for `fact`, or the problems that stop it.
pub fn to_csv(fact: Fact, records: &[Map<String, Value>]) -> Result<Vec<u8>, Vec<Problem>> {
    let fields: Vec<&str> = fact.fields().iter().map(|f| f.name).collect();
    let mut problems = Vec::new();
    let mut out = csv::Writer::from_writer(Vec::new());
    let header_ok = out.write_record(&fields).is_ok();
    for (i, record) in records.iter().enumerate() {
        let row = (i + 1) as u64;
        for (key, value) in record {
            if !fields.contains(&key.as_str()) {
                problems.push(Problem {
                    row,
                    column: key.clone(),
                    value: value.to_string(),
                    reason: format!(
                        "is not a field of {} (fields: {})",
                        fact.name(),
                        fields.join(", ")
                    ),
                });
            }
        }
        let mut cells = Vec::with_capacity(fields.len());
        for field in &fields {
            let cell = match record.get(*field) {
                None | Some(Value::Null) => String::new(),
                Some(Value::String(s)) => s.clone(),
                Some(Value::Number(n)) => n.to_string(),
                Some(Value::Bool(b)) => b.to_string(),
                Some(other) => {
                    problems.push(Problem {
                        row,
                        column: (*field).to_string(),
                        value: other.to_string(),
                        reason: "must be a string, a number or true/false".to_string(),
                    });
                    String::new()
                }
            };
            cells.push(cell);
        }
        if cells.iter().all(|c| c.trim().is_empty()) {
            // An empty row would be passed over as a blank line: say so.
            problems.push(Problem {
                row,
                column: String::new(),
                value: String::new(),
                reason: "the record has no values".into(),
            });
        }
        if out.write_record(&cells).is_err() {
            problems.push(Problem {
                row,
                column: String::new(),
                value: String::new(),
                reason: "cannot be written".into(),
            });
        }
    }
    if !problems.is_empty() || !header_ok {
        return Err(problems);
    }
    out.into_inner().map_err(|_| Vec::new())
}

/// Maps a row of the CSV made by [`to_csv`] back to the record's number.
pub fn record_number(csv_row: u64) -> u64 {
    csv_row.saturating_sub(1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn records(v: Value) -> Vec<Map<String, Value>> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|r| r.as_object().unwrap().clone())
            .collect()
    }

    #[test]
    fn records_become_canonical_csv_with_quoting() {
        let csv = to_csv(
            Fact::AdStats,
            &records(json!([{"date": "2024-12-01", "campaign": "G,1", "impressions": 100, "clicks": 5, "spend": 12.5}])),
        )
        .unwrap();
        assert_eq!(
            String::from_utf8(csv).unwrap(),
            "date,campaign,impressions,clicks,spend,conversions,conversion_value,currency,vat_included,campaign_name,date_end\n2024-12-01,\"G,1\",100,5,12.5,,,,,,\n"
        );
    }

    #[test]
    fn unknown_fields_and_odd_values_are_problems_with_the_record_number() {
        let err = to_csv(
            Fact::Campaigns,
            &records(json!([{"campaign": "G", "name": "x"}, {"campaign": ["G"], "name": "y", "likes": 1}])),
        )
        .unwrap_err();
        let text: Vec<String> = err.iter().map(ToString::to_string).collect();
        assert_eq!(
            text,
            [
                "row 2, column 'likes', value '1': is not a field of campaigns (fields: campaign, name, platform, channel, owner, budget, currency, start, end, contributors)",
                "row 2, column 'campaign', value '[\"G\"]': must be a string, a number or true/false",
            ]
        );
    }
}
