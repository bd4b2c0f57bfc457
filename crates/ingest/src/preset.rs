//! Presets: which file columns feed which fields of a fact. Presets are
//! data — TOML files, the built-in ones compiled in, others saved by users
//! as mappings — not code paths per vendor.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::fact::{Fact, Kind};

/// The presets that ship with mkpi, one TOML file each.
const BUILTIN: &[&str] = &[
    include_str!("../presets/mkpi-campaigns.toml"),
    include_str!("../presets/mkpi-ad-stats.toml"),
    include_str!("../presets/mkpi-web-traffic.toml"),
    include_str!("../presets/mkpi-orders.toml"),
    include_str!("../presets/mkpi-lead-stages.toml"),
    include_str!("../presets/mkpi-survey-responses.toml"),
    include_str!("../presets/mkpi-social-stats.toml"),
    include_str!("../presets/mkpi-time-entries.toml"),
    include_str!("../presets/mkpi-tasks.toml"),
    include_str!("../presets/mkpi-marketing-costs.toml"),
    include_str!("../presets/mkpi-employees.toml"),
    include_str!("../presets/google-ads.toml"),
    include_str!("../presets/meta-ads.toml"),
    include_str!("../presets/yandex-direct.toml"),
    include_str!("../presets/ga4-traffic.toml"),
    include_str!("../presets/yandex-metrica-sources.toml"),
    include_str!("../presets/hubspot-deals.toml"),
    include_str!("../presets/amocrm-deals.toml"),
    include_str!("../presets/bitrix24-deals.toml"),
    include_str!("../presets/toggl-time.toml"),
    include_str!("../presets/clockify-time.toml"),
    include_str!("../presets/jira-issues.toml"),
    include_str!("../presets/trello-cards.toml"),
    include_str!("../presets/asana-tasks.toml"),
];

/// How a duration column counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DurationUnit {
    Hours,
    Minutes,
    Seconds,
}

/// What a campaign created by an import of ad statistics gets.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CampaignDefaults {
    pub platform: String,
    pub channel: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Preset {
    pub name: String,
    pub title: String,
    pub fact: Fact,
    /// Field → the headers that may carry it, normalised, most wanted
    /// first; in the order of the fact's fields.
    pub columns: Vec<(String, Vec<String>)>,
    /// Field → (a vendor's word, normalised → our value).
    pub values: Vec<(String, Vec<(String, String)>)>,
    /// Field → the value used when the file has no such column or the cell
    /// is empty.
    pub defaults: Vec<(String, String)>,
    pub units: Vec<(String, DurationUnit)>,
    /// Unknown campaigns in ad statistics are created, not refused.
    pub create_campaigns: Option<CampaignDefaults>,
    /// The TOML the preset was read from.
    pub source: String,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PresetError {
    #[error("unknown preset '{name}': use one of {known}")]
    Unknown { name: String, known: String },
    #[error("the mapping is not valid TOML: {0}")]
    Syntax(String),
    #[error("the mapping names an unknown fact '{fact}': use one of {known}")]
    UnknownFact { fact: String, known: String },
    #[error(
        "the mapping's {section} names the unknown field '{field}' (fields of {fact}: {known})"
    )]
    UnknownField {
        section: &'static str,
        field: String,
        fact: String,
        known: String,
    },
    #[error("the mapping neither maps nor gives a default for the required field '{0}'")]
    MissingField(String),
    #[error("the mapping's name '{0}' is not valid: use 2–60 letters, digits, '-' or '_'")]
    BadName(String),
    #[error("[values.{field}] maps onto '{value}', which is not one of {allowed}")]
    BadValue {
        field: String,
        value: String,
        allowed: String,
    },
    #[error("[{section}] {field}: {reason}")]
    NotApplicable {
        section: &'static str,
        field: String,
        reason: String,
    },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PresetFile {
    name: String,
    #[serde(default)]
    title: String,
    fact: String,
    #[serde(default)]
    columns: BTreeMap<String, HeaderList>,
    #[serde(default)]
    values: BTreeMap<String, BTreeMap<String, HeaderList>>,
    #[serde(default)]
    defaults: BTreeMap<String, String>,
    #[serde(default)]
    units: BTreeMap<String, DurationUnit>,
    create_campaigns: Option<CampaignDefaults>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum HeaderList {
    One(String),
    Many(Vec<String>),
}

impl HeaderList {
    fn into_vec(self) -> Vec<String> {
        match self {
            HeaderList::One(h) => vec![h],
            HeaderList::Many(v) => v,
        }
    }
}

/// A name a preset or saved mapping may have.
pub fn valid_name(name: &str) -> bool {
    (2..=60).contains(&name.chars().count())
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || c == '-' || c == '_')
}

/// A header with case, spaces, NBSP, a BOM and `ё` made not to matter.
pub fn tidy_header(h: &str) -> String {
    h.trim()
        .trim_start_matches('\u{feff}')
        .to_lowercase()
        .replace('ё', "е")
        .split(|c: char| c.is_whitespace() || c == '\u{a0}')
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Headers compared as people mean them: [`tidy_header`], and a bracketed
/// or comma-separated unit or currency does not matter either.
pub fn normalise_header(h: &str) -> String {
    let lower = tidy_header(h);
    let without_unit = match (lower.rfind('('), lower.ends_with(')')) {
        (Some(i), true) if i > 0 => lower[..i].trim_end().to_string(),
        _ => lower,
    };
    // "Расход, руб." — a short unit after the last comma.
    match without_unit.rsplit_once(',') {
        Some((name, unit)) if !name.trim().is_empty() && unit.trim().chars().count() <= 5 => {
            name.trim_end().to_string()
        }
        _ => without_unit,
    }
}

/// Whether a file's header is one a preset wants: the same once tidied, or
/// — when the wanted header names no unit itself — the same once units are
/// set aside ("Amount spent (USD)" is "amount spent"; "Duration (h)" is not
/// "duration (decimal)").
pub fn header_matches(wanted: &str, tidy: &str, normalised: &str) -> bool {
    wanted == tidy || (wanted == normalised && normalise_header(wanted) == wanted)
}

impl Preset {
    /// Reads a preset or a user's saved mapping.
    pub fn parse(text: &str) -> Result<Preset, PresetError> {
        let file: PresetFile =
            toml::from_str(text).map_err(|e| PresetError::Syntax(e.message().to_string()))?;
        if !valid_name(&file.name) {
            return Err(PresetError::BadName(file.name));
        }
        let fact = Fact::from_name(&file.fact).ok_or_else(|| PresetError::UnknownFact {
            fact: file.fact.clone(),
            known: Fact::ALL.map(Fact::name).join(", "),
        })?;
        let unknown = |section: &'static str, field: &str| PresetError::UnknownField {
            section,
            field: field.to_string(),
            fact: fact.name().to_string(),
            known: fact
                .fields()
                .iter()
                .map(|f| f.name)
                .collect::<Vec<_>>()
                .join(", "),
        };
        for field in file
            .columns
            .keys()
            .chain(file.values.keys())
            .chain(file.defaults.keys())
            .chain(file.units.keys())
        {
            if fact.field(field).is_none() {
                let section = if file.columns.contains_key(field) {
                    "[columns]"
                } else if file.values.contains_key(field) {
                    "[values]"
                } else if file.defaults.contains_key(field) {
                    "[defaults]"
                } else {
                    "[units]"
                };
                return Err(unknown(section, field));
            }
        }
        let mut by_field = file.columns;
        let columns: Vec<(String, Vec<String>)> = fact
            .fields()
            .iter()
            .filter_map(|f| {
                by_field.remove(f.name).map(|h| {
                    let headers = h.into_vec().iter().map(|h| tidy_header(h)).collect();
                    (f.name.to_string(), headers)
                })
            })
            .collect();
        let mut values = Vec::new();
        for (field, map) in file.values {
            let Some(Kind::Choice(allowed)) = fact.field(&field).map(|f| f.kind) else {
                return Err(PresetError::NotApplicable {
                    section: "values",
                    field,
                    reason: "only fields with a fixed set of values can map words".to_string(),
                });
            };
            let mut words = Vec::new();
            for (value, synonyms) in map {
                if !allowed.contains(&value.as_str()) {
                    return Err(PresetError::BadValue {
                        field,
                        value,
                        allowed: allowed.join(", "),
                    });
                }
                for w in synonyms.into_vec() {
                    words.push((normalise_word(&w), value.clone()));
                }
            }
            values.push((field, words));
        }
        for field in file.units.keys() {
            if fact.field(field).map(|f| f.kind) != Some(Kind::Hours) {
                return Err(PresetError::NotApplicable {
                    section: "units",
                    field: field.clone(),
                    reason: "only duration fields have a unit".to_string(),
                });
            }
        }
        if file.create_campaigns.is_some() && fact != Fact::AdStats {
            return Err(PresetError::NotApplicable {
                section: "create_campaigns",
                field: fact.name().to_string(),
                reason: "only ad statistics create campaigns".to_string(),
            });
        }
        for spec in fact.fields().iter().filter(|f| f.required) {
            if !columns.iter().any(|(f, _)| f == spec.name)
                && !file.defaults.contains_key(spec.name)
            {
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
            values,
            defaults: file.defaults.into_iter().collect(),
            units: file.units.into_iter().collect(),
            create_campaigns: file.create_campaigns,
            source: text.to_string(),
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

    /// A built-in preset by name.
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

    /// The canonical preset of a fact.
    pub fn canonical(fact: Fact) -> Preset {
        Preset::find(&fact.canonical_preset()).unwrap_or_else(|_| Preset {
            name: fact.canonical_preset(),
            title: fact.canonical_preset(),
            fact,
            columns: fact
                .fields()
                .iter()
                .map(|f| (f.name.to_string(), vec![f.name.to_string()]))
                .collect(),
            values: Vec::new(),
            defaults: Vec::new(),
            units: Vec::new(),
            create_campaigns: None,
            source: String::new(),
        })
    }

    /// The headers that may carry a field, most wanted first.
    pub fn headers_for(&self, field: &str) -> &[String] {
        self.columns
            .iter()
            .find(|(f, _)| f == field)
            .map_or(&[], |(_, h)| h.as_slice())
    }

    /// The first field a header may feed, if any.
    pub fn field_for(&self, header: &str) -> Option<&str> {
        let (tidy, normalised) = (tidy_header(header), normalise_header(header));
        self.columns
            .iter()
            .find(|(_, hs)| hs.iter().any(|w| header_matches(w, &tidy, &normalised)))
            .map(|(f, _)| f.as_str())
    }

    /// Our value for a vendor's word in a field with a fixed set.
    pub fn value_for(&self, field: &str, word: &str) -> Option<&str> {
        let w = normalise_word(word);
        self.values
            .iter()
            .find(|(f, _)| f == field)
            .and_then(|(_, words)| words.iter().find(|(v, _)| *v == w))
            .map(|(_, ours)| ours.as_str())
    }

    pub fn default_for(&self, field: &str) -> Option<&str> {
        self.defaults
            .iter()
            .find(|(f, _)| f == field)
            .map(|(_, v)| v.as_str())
    }

    pub fn unit_for(&self, field: &str) -> DurationUnit {
        self.units
            .iter()
            .find(|(f, _)| f == field)
            .map_or(DurationUnit::Hours, |(_, u)| *u)
    }
}

/// A TOML basic string.
fn toml_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn toml_list(items: &[String]) -> String {
    let quoted: Vec<String> = items.iter().map(|i| toml_string(i)).collect();
    format!("[{}]", quoted.join(", "))
}

impl Preset {
    /// The preset as a mapping file (what a user saves and edits).
    pub fn to_toml(&self) -> String {
        let mut out = format!(
            "name = {}\ntitle = {}\nfact = {}\n",
            toml_string(&self.name),
            toml_string(&self.title),
            toml_string(self.fact.name())
        );
        if let Some(c) = &self.create_campaigns {
            out.push_str(&format!(
                "\n[create_campaigns]\nplatform = {}\nchannel = {}\n",
                toml_string(&c.platform),
                toml_string(&c.channel)
            ));
        }
        out.push_str("\n[columns]\n");
        for (field, headers) in &self.columns {
            out.push_str(&format!("{field} = {}\n", toml_list(headers)));
        }
        for (field, words) in &self.values {
            out.push_str(&format!("\n[values.{field}]\n"));
            let mut targets: Vec<&String> = words.iter().map(|(_, v)| v).collect();
            targets.dedup();
            for target in targets {
                let synonyms: Vec<String> = words
                    .iter()
                    .filter(|(_, v)| v == target)
                    .map(|(w, _)| w.clone())
                    .collect();
                out.push_str(&format!("{target} = {}\n", toml_list(&synonyms)));
            }
        }
        if !self.defaults.is_empty() {
            out.push_str("\n[defaults]\n");
            for (field, value) in &self.defaults {
                out.push_str(&format!("{field} = {}\n", toml_string(value)));
            }
        }
        if !self.units.is_empty() {
            out.push_str("\n[units]\n");
            for (field, unit) in &self.units {
                let unit = match unit {
                    DurationUnit::Hours => "hours",
                    DurationUnit::Minutes => "minutes",
                    DurationUnit::Seconds => "seconds",
                };
                out.push_str(&format!("{field} = \"{unit}\"\n"));
            }
        }
        out
    }

    /// This preset with its columns replaced by a person's choice of the
    /// field each header feeds, under a new name.
    pub fn with_columns(
        &self,
        name: &str,
        title: &str,
        choices: &[(String, String)],
    ) -> Result<Preset, PresetError> {
        let mut p = self.clone();
        p.name = name.to_string();
        p.title = title.to_string();
        p.columns = self
            .fact
            .fields()
            .iter()
            .filter_map(|f| {
                let headers: Vec<String> = choices
                    .iter()
                    .filter(|(_, field)| field == f.name)
                    .map(|(h, _)| tidy_header(h))
                    .collect();
                (!headers.is_empty()).then(|| (f.name.to_string(), headers))
            })
            .collect();
        // Checked as a saved mapping would be.
        Preset::parse(&p.to_toml())
    }
}

/// A value word compared as people mean it: case, spaces, `-`/`_` and `ё`
/// do not matter.
pub fn normalise_word(w: &str) -> String {
    w.trim()
        .to_lowercase()
        .replace('ё', "е")
        .split(|c: char| c.is_whitespace() || c == '_' || c == '-')
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
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
            "unknown preset 'google': use one of mkpi-campaigns, mkpi-ad-stats, mkpi-web-traffic, mkpi-orders, mkpi-lead-stages, mkpi-survey-responses, mkpi-social-stats, mkpi-time-entries, mkpi-tasks, mkpi-marketing-costs, mkpi-employees, google-ads, meta-ads, yandex-direct, ga4-traffic, yandex-metrica-sources, hubspot-deals, amocrm-deals, bitrix24-deals, toggl-time, clockify-time, jira-issues, trello-cards, asana-tasks"
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
    fn every_preset_survives_its_own_toml_and_a_remapping() {
        for p in Preset::builtin() {
            let again = Preset::parse(&p.to_toml()).unwrap();
            assert_eq!(
                Preset {
                    source: p.source.clone(),
                    ..again
                },
                p,
                "{}",
                p.name
            );
        }
        let p = Preset::find("mkpi-orders").unwrap();
        let mine = p
            .with_columns(
                "shop",
                "Shop \"orders\"",
                &[
                    ("Номер".into(), "order_id".into()),
                    ("Сумма, руб.".into(), "amount".into()),
                    ("Статус".into(), "status".into()),
                ],
            )
            .unwrap();
        assert_eq!(mine.title, "Shop \"orders\"");
        assert_eq!(mine.field_for("номер"), Some("order_id"));
        assert_eq!(mine.value_for("status", "Оплачено"), Some("paid"));
        assert_eq!(
            p.with_columns("shop", "", &[("Сумма".into(), "amount".into())])
                .unwrap_err(),
            PresetError::MissingField("order_id".into())
        );
    }

    #[test]
    fn user_mappings_are_checked_against_the_fact() {
        let ok = "name = \"my-ads\"\nfact = \"ad_stats\"\n[columns]\ndate = \"Day\"\ncampaign = \"Campaign\"\nimpressions = \"Impr\"\nclicks = \"Clicks\"\nspend = [\"Cost\", \"Spend\"]\n";
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
                .starts_with("the mapping's [columns] names the unknown field 'likes'")
        );
        assert!(matches!(
            Preset::parse("fact = "),
            Err(PresetError::Syntax(_))
        ));
    }
}
