//! Marketing channels: one set of codes for every source, so that traffic,
//! orders and campaigns from different tools add up by channel. GA4's and
//! Metrica's channel names map onto it; traffic without a channel gets one
//! from its source and medium (a default channel grouping).

/// The channels mkpi knows. A file may bring others (kept as written, in
/// snake case).
pub const CHANNELS: &[&str] = &[
    "organic_search",
    "paid_search",
    "display",
    "paid_social",
    "organic_social",
    "email",
    "referral",
    "direct",
    "video",
    "messengers",
    "advertising",
    "internal",
    "other",
];

const SOCIAL_SOURCES: &[&str] = &[
    "facebook",
    "fb",
    "instagram",
    "ig",
    "vk",
    "vk.com",
    "vkontakte",
    "ok",
    "ok.ru",
    "odnoklassniki",
    "telegram",
    "t.me",
    "tiktok",
    "twitter",
    "x",
    "t.co",
    "linkedin",
    "pinterest",
    "dzen",
    "threads",
];

/// Our code for a channel name a tool wrote ("Organic Search", "Переходы
/// из поисковых систем", "paid_search").
pub fn normalise_channel(raw: &str) -> String {
    let w = crate::preset::normalise_word(raw);
    let known = match w.as_str() {
        "organic search" | "переходы из поисковых систем" | "поисковые системы" => {
            "organic_search"
        }
        "paid search" | "контекстная реклама" => "paid_search",
        "display" | "медийная реклама" => "display",
        "paid social" => "paid_social",
        "organic social"
        | "social"
        | "social media"
        | "переходы из социальных сетей"
        | "социальные сети" => "organic_social",
        "email"
        | "e mail"
        | "email marketing"
        | "переходы из почтовых рассылок"
        | "почтовые рассылки" => "email",
        "referral"
        | "referrals"
        | "affiliates"
        | "переходы по ссылкам на сайтах"
        | "ссылки на сайтах"
        | "переходы из рекомендательных систем" => "referral",
        "direct" | "direct traffic" | "прямые заходы" => "direct",
        "organic video" | "paid video" | "video" => "video",
        "sms" | "mobile push notifications" | "переходы из мессенджеров" | "мессенджеры" => {
            "messengers"
        }
        "paid other" | "cross network" | "paid shopping" | "переходы по рекламе" | "реклама" => {
            "advertising"
        }
        "internal" | "внутренние переходы" => "internal",
        "unassigned"
        | "(other)"
        | "offline sources"
        | "other campaigns"
        | "не определено"
        | "переходы с сохраненных страниц" => "other",
        _ => "",
    };
    if known.is_empty() {
        w.replace(' ', "_")
    } else {
        known.to_string()
    }
}

/// The channel of traffic from a source and medium, as GA4's default
/// channel grouping decides it (simplified to mkpi's channels).
pub fn default_channel(source: &str, medium: &str) -> &'static str {
    let source = source.trim().to_lowercase();
    let medium = medium.trim().to_lowercase();
    let social = SOCIAL_SOURCES
        .iter()
        .any(|s| source == *s || source.ends_with(&format!(".{s}")));
    let paid = matches!(
        medium.as_str(),
        "cpc" | "ppc" | "paid" | "paidsearch" | "paid_search" | "cpv"
    );
    match medium.as_str() {
        _ if paid && social => "paid_social",
        _ if paid => "paid_search",
        "display" | "cpm" | "banner" | "banners" => "display",
        "organic" => "organic_search",
        "social" | "sm" | "social-network" | "social-media" | "smm" => "organic_social",
        "email" | "e-mail" | "e_mail" | "newsletter" => "email",
        "video" => "video",
        "referral" | "affiliate" | "cpa" => "referral",
        "(none)" | "(not set)" | "" if source == "(direct)" || source.is_empty() => "direct",
        _ if social => "organic_social",
        _ => "other",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tools_channel_names_become_one_set() {
        assert_eq!(normalise_channel("Organic Search"), "organic_search");
        assert_eq!(
            normalise_channel("Переходы из поисковых систем"),
            "organic_search"
        );
        assert_eq!(normalise_channel("Cross-network"), "advertising");
        assert_eq!(normalise_channel("paid_search"), "paid_search");
        assert_eq!(normalise_channel("Партнёрская сеть"), "партнерская_сеть");
    }

    #[test]
    fn source_and_medium_give_a_channel() {
        assert_eq!(default_channel("google", "cpc"), "paid_search");
        assert_eq!(default_channel("facebook", "cpc"), "paid_social");
        assert_eq!(default_channel("l.facebook.com", "referral"), "referral");
        assert_eq!(default_channel("vk.com", "(none)"), "organic_social");
        assert_eq!(default_channel("yandex", "organic"), "organic_search");
        assert_eq!(default_channel("(direct)", "(none)"), "direct");
        assert_eq!(default_channel("mailchimp", "email"), "email");
        assert_eq!(default_channel("partner", "cpa"), "referral");
        assert_eq!(default_channel("unknown", "weird"), "other");
    }
}
