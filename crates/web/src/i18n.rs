//! Interface text in Russian and English from Fluent files compiled into the
//! binary, and the choice of language for a request.

use std::collections::HashMap;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use mkpi_domain::Locale;

const SOURCES: [(Locale, &str); 2] = [
    (Locale::En, include_str!("../locales/en.ftl")),
    (Locale::Ru, include_str!("../locales/ru.ftl")),
];

pub struct I18n {
    bundles: HashMap<Locale, FluentBundle<FluentResource>>,
}

impl std::fmt::Debug for I18n {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("I18n")
    }
}

#[derive(Debug, thiserror::Error)]
#[error("locale file {locale}.ftl is broken: {message}")]
pub struct I18nError {
    locale: Locale,
    message: String,
}

impl I18n {
    /// Parses the compiled-in files; a broken file is a build mistake that
    /// the test suite catches, reported here rather than panicking.
    pub fn load() -> Result<Self, I18nError> {
        let mut bundles = HashMap::new();
        for (locale, source) in SOURCES {
            let broken = |message: String| I18nError { locale, message };
            let resource = FluentResource::try_new(source.to_string())
                .map_err(|(_, errors)| broken(format!("{errors:?}")))?;
            let lang = locale
                .as_str()
                .parse()
                .map_err(|e| broken(format!("{e:?}")))?;
            let mut bundle = FluentBundle::new_concurrent(vec![lang]);
            // Unicode isolation marks would end up inside HTML attributes.
            bundle.set_use_isolating(false);
            bundle
                .add_resource(resource)
                .map_err(|errors| broken(format!("{errors:?}")))?;
            bundles.insert(locale, bundle);
        }
        Ok(I18n { bundles })
    }

    /// The text for `key`; a missing key shows as the key itself, so a gap
    /// is visible on the page instead of an empty space.
    pub fn text(&self, locale: Locale, key: &str, args: Option<&FluentArgs<'_>>) -> String {
        let Some(bundle) = self.bundles.get(&locale) else {
            return key.to_string();
        };
        let Some(pattern) = bundle.get_message(key).and_then(|m| m.value()) else {
            return key.to_string();
        };
        let mut errors = Vec::new();
        bundle
            .format_pattern(pattern, args, &mut errors)
            .into_owned()
    }

    /// A field's problem in the language: its catalogue message when it has
    /// one (and the language has it), else the English message.
    pub fn problem(&self, locale: Locale, p: &mkpi_services::FieldProblem) -> String {
        let Some(key) = p.key else {
            return p.message.clone();
        };
        let args = args(
            p.args
                .iter()
                .map(|(k, v)| (*k, FluentValue::from(v.as_str()))),
        );
        let text = self.text(locale, key, Some(&args));
        if text == key {
            p.message.clone()
        } else {
            // Fluent isolates arguments with invisible marks; a field's error
            // is plain text.
            text.replace(['\u{2068}', '\u{2069}'], "")
        }
    }

    /// A channel's name in the language (`paid_search` → "Paid search"); a
    /// channel mkpi does not know reads as its code with spaces.
    pub fn channel(&self, locale: Locale, code: &str) -> String {
        let key = format!("channel-{code}");
        let text = self.text(locale, &key, None);
        if text == key {
            code.replace('_', " ")
        } else {
            text
        }
    }

    /// Every message id of a locale (for the completeness test).
    pub fn keys(&self, locale: Locale) -> Vec<String> {
        let source = SOURCES
            .iter()
            .find(|(l, _)| *l == locale)
            .map_or("", |(_, s)| *s);
        source
            .lines()
            .filter_map(|l| l.split_once(" ="))
            .map(|(k, _)| k.trim().to_string())
            .filter(|k| {
                !k.is_empty() && !k.starts_with('#') && !k.starts_with('.') && !k.contains(' ')
            })
            .collect()
    }
}

/// Builds Fluent arguments from (name, value) pairs.
pub fn args<'a>(pairs: impl IntoIterator<Item = (&'a str, FluentValue<'a>)>) -> FluentArgs<'a> {
    let mut args = FluentArgs::new();
    for (k, v) in pairs {
        args.set(k, v);
    }
    args
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_known_channel_has_a_name_in_both_languages() {
        let i18n = I18n::load().unwrap();
        for code in mkpi_ingest::channel::CHANNELS {
            for locale in [Locale::Ru, Locale::En] {
                let name = i18n.channel(locale, code);
                assert!(!name.contains('_'), "{locale:?} {code}: {name}");
            }
        }
        assert_eq!(
            i18n.channel(Locale::Ru, "paid_social"),
            "Таргетированная реклама"
        );
        // A channel a file brought reads as its code with spaces.
        assert_eq!(i18n.channel(Locale::Ru, "tv_regional"), "tv regional");
    }

    #[test]
    fn both_languages_have_the_same_keys() {
        let i18n = I18n::load().unwrap();
        let mut en = i18n.keys(Locale::En);
        let mut ru = i18n.keys(Locale::Ru);
        en.sort();
        ru.sort();
        assert_eq!(en, ru);
        assert!(en.len() > 40);
    }

    #[test]
    fn russian_plurals_follow_russian_rules() {
        let i18n = I18n::load().unwrap();
        let people = |n: i64| {
            i18n.text(
                Locale::Ru,
                "people-count",
                Some(&args([("count", FluentValue::from(n))])),
            )
        };
        assert_eq!(people(1), "1 сотрудник");
        assert_eq!(people(3), "3 сотрудника");
        assert_eq!(people(5), "5 сотрудников");
        assert_eq!(people(21), "21 сотрудник");
        let en = i18n.text(
            Locale::En,
            "people-count",
            Some(&args([("count", FluentValue::from(1))])),
        );
        assert_eq!(en, "1 person");
        assert_eq!(i18n.text(Locale::En, "no-such-key", None), "no-such-key");
    }
}
