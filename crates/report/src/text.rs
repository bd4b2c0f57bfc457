//! The report's words in its language (Fluent), and its numbers as the
//! language writes them.

use std::collections::HashMap;
use std::sync::OnceLock;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use mkpi_domain::Locale;
use mkpi_domain::metric::Unit;

const SOURCES: [(Locale, &str); 2] = [
    (Locale::En, include_str!("../locales/en.ftl")),
    (Locale::Ru, include_str!("../locales/ru.ftl")),
];

type Bundles = HashMap<Locale, FluentBundle<FluentResource>>;

/// The bundles, parsed once. A broken file is a build-time mistake the
/// tests catch; it leaves that language's keys showing as themselves.
fn bundles() -> &'static Bundles {
    static BUNDLES: OnceLock<Bundles> = OnceLock::new();
    BUNDLES.get_or_init(|| {
        let mut out = HashMap::new();
        for (locale, source) in SOURCES {
            let resource = match FluentResource::try_new(source.to_string()) {
                Ok(r) => r,
                Err((r, _)) => r,
            };
            let Ok(lang) = locale.as_str().parse() else {
                continue;
            };
            let mut bundle = FluentBundle::new_concurrent(vec![lang]);
            bundle.set_use_isolating(false);
            let _ = bundle.add_resource(resource);
            out.insert(locale, bundle);
        }
        out
    })
}

/// The problems in the Fluent sources, for the tests.
pub fn source_problems() -> Vec<String> {
    SOURCES
        .iter()
        .filter_map(|(l, s)| {
            FluentResource::try_new((*s).to_string())
                .err()
                .map(|(_, e)| format!("{}: {e:?}", l.as_str()))
        })
        .collect()
}

/// The keys of one language's file.
pub fn keys(locale: Locale) -> Vec<String> {
    let source = SOURCES
        .iter()
        .find(|(l, _)| *l == locale)
        .map_or("", |(_, s)| *s);
    source
        .lines()
        .filter_map(|l| l.split_once(" ="))
        .map(|(k, _)| k.trim().to_string())
        .filter(|k| !k.is_empty() && !k.starts_with('#') && !k.contains(' '))
        .collect()
}

/// Words and numbers in one language.
#[derive(Debug, Clone, Copy)]
pub struct Text {
    pub locale: Locale,
}

/// An argument of a message: text, or a count (for plurals).
pub enum Arg {
    S(String),
    N(i64),
}

impl From<String> for Arg {
    fn from(s: String) -> Arg {
        Arg::S(s)
    }
}

impl From<&str> for Arg {
    fn from(s: &str) -> Arg {
        Arg::S(s.to_string())
    }
}

impl Text {
    pub fn new(language: &str) -> Text {
        Text {
            locale: Locale::from_tag(language).unwrap_or(Locale::En),
        }
    }

    /// A message without arguments.
    pub fn t(&self, key: &str) -> String {
        self.f(key, Vec::new())
    }

    /// A message with arguments.
    pub fn f(&self, key: &str, args: Vec<(&str, Arg)>) -> String {
        let Some(bundle) = bundles().get(&self.locale) else {
            return key.to_string();
        };
        let Some(pattern) = bundle.get_message(key).and_then(|m| m.value()) else {
            return key.to_string();
        };
        let mut fa = FluentArgs::new();
        for (k, v) in args {
            match v {
                Arg::S(s) => fa.set(k, FluentValue::from(s)),
                Arg::N(n) => fa.set(k, FluentValue::from(n)),
            }
        }
        let mut errors = Vec::new();
        bundle
            .format_pattern(pattern, Some(&fa), &mut errors)
            .into_owned()
    }

    /// A value in its unit: money with its currency, a percentage, ×2.50.
    pub fn value(&self, value: Option<f64>, unit: Unit, currency: Option<&str>) -> String {
        value.map_or_else(
            || "—".to_string(),
            |v| self.locale.format_metric(v, unit, currency),
        )
    }

    /// A relative change with its sign: +12.5%, −3.0%.
    pub fn change(&self, change: Option<f64>) -> String {
        match change {
            None => "—".to_string(),
            Some(c) => {
                let sign = if c > 0.0 {
                    "+"
                } else if c < 0.0 {
                    "−"
                } else {
                    ""
                };
                let pct = self.locale.format_metric(c.abs(), Unit::Percent, None);
                format!("{sign}{pct}")
            }
        }
    }

    /// An amount with its sign, in a unit.
    pub fn signed(&self, amount: f64, unit: Unit, currency: Option<&str>) -> String {
        let sign = if amount > 0.0 {
            "+"
        } else if amount < 0.0 {
            "−"
        } else {
            ""
        };
        format!(
            "{sign}{}",
            self.locale.format_metric(amount.abs(), unit, currency)
        )
    }

    /// A share 0–1 as a percentage.
    pub fn share(&self, share: f64) -> String {
        self.locale.format_metric(share, Unit::Percent, None)
    }

    /// A p-value as a statistician writes it: 0.003, < 0.001.
    pub fn p(&self, p: f64) -> String {
        if p < 0.001 {
            format!("< {}", self.locale.format_decimal(0.001, 3))
        } else {
            self.locale.format_decimal(p, 3)
        }
    }

    /// An ISO date as the language writes it.
    pub fn date(&self, iso: &str) -> String {
        self.locale.format_date(iso)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_languages_have_the_same_keys_and_parse() {
        assert_eq!(source_problems(), Vec::<String>::new());
        let mut en = keys(Locale::En);
        let mut ru = keys(Locale::Ru);
        en.sort();
        ru.sort();
        assert_eq!(en, ru);
    }

    #[test]
    fn russian_sentences_follow_russian_plurals() {
        let ru = Text::new("ru");
        let problems = |off: i64, risk: i64| {
            ru.f(
                "s-problems",
                vec![("off", Arg::N(off)), ("risk", Arg::N(risk))],
            )
        };
        assert_eq!(problems(1, 2), "1 KPI отстаёт, под угрозой — 2.");
        assert_eq!(problems(5, 0), "5 KPI отстают, под угрозой — 0.");
        let en = Text::new("en");
        assert_eq!(
            en.f("s-problems", vec![("off", Arg::N(1)), ("risk", Arg::N(3))]),
            "One KPI is off track and 3 at risk."
        );
        assert_eq!(en.change(Some(0.125)), "+12.5%");
        assert_eq!(ru.change(Some(-0.03)), "−3,0\u{a0}%");
        assert_eq!(en.p(0.0004), "< 0.001");
        assert_eq!(ru.p(0.0412), "0,041");
    }
}
