//! Presets: which file columns feed which fields of a fact. Presets are
//! data — TOML files, the built-in ones compiled in, others saved by users
//! as mappings — not code paths per vendor.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::fact::Fact;

const BUILTIN: [&str; 2] = [
    include_str!("../presets/mkpi-campaigns.toml"),
    include_str!("../presets/mkpi-ad-stats.toml"),
];

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Preset {
    pub name: String,
    pub title: String,
    pub fact: Fact,
    /// Field → the headers that may carry it, normalised.
    pub columns: Vec<(String, Vec<String>)>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PresetError {
    #[error("unknown preset '{name}': use one of {known}")]
    Unknown { name: String, known: String },
    #[error("the mapping is not valid TOML: {0}")]
    Syntax(String),
    #[error("the mapping names an unknown fact '{0}': use campaigns or ad_stats")]
    UnknownFact(String),
    #[error("the mapping maps the unknown field '{field}' (fields of {fact}: {known})")]
    UnknownField {
        field: String,
        fact: String,
        known: String,
    },
    #[error("the mapping does not map the required field '{0}'")]
    MissingField(String),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PresetFile {
    name: String,
    #[serde(default)]
    title: String,
    fact: String,
    columns: BTreeMap<String, HeaderList>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum HeaderList {
    One(String),
    Many(Vec<String>),
}

/// Headers compared as people mean them: case, spaces, NBSP, `ё`, and a
/// bracketed unit or currency do not matter.
pub fn normalise_header(h: &str) -> String {
    let lower = h
        .trim()
        .trim_start_matches('\u{feff}')
        .to_lowercase()
        .replace('ё', "е");
    let without_unit = match (lower.rfind('('), lower.ends_with(')')) {
        (Some(i), true) if i > 0 => lower[..i].to_string(),
        _ => lower,
    };
    // "Расход, руб." — a short unit after the last comma.
    let without_unit = match without_unit.rsplit_once(',') {
        Some((name, unit)) if !name.trim().is_empty() && unit.trim().chars().count() <= 5 => {
            name.to_string()
        }
        _ => without_unit,
    };
    without_unit
        .split(|c: char| c.is_whitespace() || c == '\u{a0}')
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

impl Preset {
    /// Reads a preset or a user's saved mapping.
    pub fn parse(text: &str) -> Result<Preset, PresetError> {
        let file: PresetFile =
            toml::from_str(text).map_err(|e| PresetError::Syntax(e.message().to_string()))?;
        let fact = Fact::from_name(&file.fact)
            .ok_or_else(|| PresetError::UnknownFact(file.fact.clone()))?;
        let known = || {
            fact.fields()
                .iter()
                .map(|f| f.name)
                .collect::<Vec<_>>()
                .join(", ")
        };
        let mut columns = Vec::new();
        for (field, headers) in file.columns {
            if fact.field(&field).is_none() {
                return Err(PresetError::UnknownField {
                    field,
                    fact: fact.name().to_string(),
                    known: known(),
                });
            }
            let headers = match headers {
                HeaderList::One(h) => vec![h],
                HeaderList::Many(v) => v,
            };
            columns.push((field, headers.iter().map(|h| normalise_header(h)).collect()));
        }
        for spec in fact.fields().iter().filter(|f| f.required) {
            if !columns.iter().any(|(f, _)| f == spec.name) {
                return Err(PresetError::MissingField(spec.name.to_string()));
            }
        }
        Ok(Preset {
            title: if file.title.is_empty() {
                file.name.clone()
            } else {
                file.title
            },
            name: file.name,
            fact,
            columns,
        })
    }

    /// The presets that ship with mkpi.
    pub fn builtin() -> Vec<Preset> {
        // The built-in files are part of the source and covered by a test;
        // one that did not parse would be skipped, not crash the import.
        BUILTIN
            .iter()
            .filter_map(|t| Preset::parse(t).ok())
            .collect()
    }

    pub fn find(name: &str) -> Result<Preset, PresetError> {
        let all = Preset::builtin();
        let known = all
            .iter()
            .map(|p| p.name.clone())
            .collect::<Vec<_>>()
            .join(", ");
        all.into_iter()
            .find(|p| p.name == name)
            .ok_or(PresetError::Unknown {
                name: name.to_string(),
                known,
            })
    }

    /// The field a header feeds, if any.
    pub fn field_for(&self, header: &str) -> Option<&str> {
        let h = normalise_header(header);
        self.columns
            .iter()
            .find(|(_, hs)| hs.contains(&h))
            .map(|(f, _)| f.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_builtin_preset_parses() {
        assert_eq!(Preset::builtin().len(), BUILTIN.len());
        assert_eq!(Preset::find("mkpi-ad-stats").unwrap().fact, Fact::AdStats);
        assert_eq!(
            Preset::find("google").unwrap_err().to_string(),
            "unknown preset 'google': use one of mkpi-campaigns, mkpi-ad-stats"
        );
    }

    #[test]
    fn headers_match_whatever_their_case_spacing_and_unit() {
        let p = Preset::find("mkpi-ad-stats").unwrap();
        assert_eq!(p.field_for("  Spend (RUB) "), Some("spend"));
        assert_eq!(p.field_for("Расход\u{a0}(руб.)"), Some("spend"));
        assert_eq!(p.field_for("Расход, руб."), Some("spend"));
        assert_eq!(p.field_for("Ценность  конверсий"), Some("conversion_value"));
        assert_eq!(
            p.field_for("Cost / conv."),
            None,
            "never mistaken for spend"
        );
    }

    #[test]
    fn user_mappings_are_checked_against_the_fact() {
        let ok = "name = \"my ads\"\nfact = \"ad_stats\"\n[columns]\ndate = \"Day\"\ncampaign = \"Campaign\"\nimpressions = \"Impr\"\nclicks = \"Clicks\"\nspend = [\"Cost\", \"Spend\"]\n";
        let p = Preset::parse(ok).unwrap();
        assert_eq!(p.field_for("impr"), Some("impressions"));
        let missing = ok.replace("clicks = \"Clicks\"\n", "");
        assert_eq!(
            Preset::parse(&missing).unwrap_err(),
            PresetError::MissingField("clicks".into())
        );
        let unknown = format!("{ok}likes = \"Likes\"\n");
        assert!(
            Preset::parse(&unknown)
                .unwrap_err()
                .to_string()
                .starts_with("the mapping maps the unknown field 'likes'")
        );
        assert!(matches!(
            Preset::parse("fact = "),
            Err(PresetError::Syntax(_))
        ));
    }
}
