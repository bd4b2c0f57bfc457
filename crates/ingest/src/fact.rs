//! The facts mkpi keeps and the fields each one reads, with their kinds.
//! Presets map a file's columns onto these fields.

/// What a field holds, which decides how its cells are read and checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Free text (names): no formulas.
    Text,
    /// An identifier (campaign id, order id): text without formulas.
    Code,
    Date,
    /// A whole number ≥ 0 (impressions, clicks).
    Count,
    /// A number ≥ 0 that may be fractional (conversions).
    Number,
    /// Money ≥ 0, read exactly into minor units.
    Money,
    /// An ISO 4217 code such as RUB.
    Currency,
    Email,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldSpec {
    pub name: &'static str,
    pub kind: Kind,
    pub required: bool,
}

const fn field(name: &'static str, kind: Kind, required: bool) -> FieldSpec {
    FieldSpec {
        name,
        kind,
        required,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Fact {
    Campaigns,
    AdStats,
}

const CAMPAIGN_FIELDS: [FieldSpec; 9] = [
    field("campaign", Kind::Code, true),
    field("name", Kind::Text, true),
    field("platform", Kind::Code, false),
    field("channel", Kind::Code, false),
    field("owner", Kind::Email, false),
    field("budget", Kind::Money, false),
    field("currency", Kind::Currency, false),
    field("start", Kind::Date, false),
    field("end", Kind::Date, false),
];

const AD_STAT_FIELDS: [FieldSpec; 8] = [
    field("date", Kind::Date, true),
    field("campaign", Kind::Code, true),
    field("impressions", Kind::Count, true),
    field("clicks", Kind::Count, true),
    field("spend", Kind::Money, true),
    field("conversions", Kind::Number, false),
    field("conversion_value", Kind::Money, false),
    field("currency", Kind::Currency, false),
];

impl Fact {
    pub const ALL: [Fact; 2] = [Fact::Campaigns, Fact::AdStats];

    pub fn name(self) -> &'static str {
        match self {
            Fact::Campaigns => "campaigns",
            Fact::AdStats => "ad_stats",
        }
    }

    pub fn from_name(name: &str) -> Option<Fact> {
        Fact::ALL.into_iter().find(|f| f.name() == name)
    }

    pub fn fields(self) -> &'static [FieldSpec] {
        match self {
            Fact::Campaigns => &CAMPAIGN_FIELDS,
            Fact::AdStats => &AD_STAT_FIELDS,
        }
    }

    pub fn field(self, name: &str) -> Option<&'static FieldSpec> {
        self.fields().iter().find(|f| f.name == name)
    }
}

/// A campaign as a file describes it.
#[derive(Debug, Clone, PartialEq)]
pub struct CampaignRecord {
    /// The campaign's id in its platform (the natural key).
    pub campaign: String,
    pub name: String,
    pub platform: Option<String>,
    pub channel: Option<String>,
    /// The owner employee's e-mail.
    pub owner: Option<String>,
    pub budget_minor: Option<i64>,
    pub currency: Option<String>,
    pub start: Option<String>,
    pub end: Option<String>,
}

/// One campaign's statistics for one day (natural key: campaign + date).
#[derive(Debug, Clone, PartialEq)]
pub struct AdStatRecord {
    pub date: String,
    pub campaign: String,
    pub impressions: i64,
    pub clicks: i64,
    pub spend_minor: i64,
    /// No value (not zero) when the export had none.
    pub conversions: Option<f64>,
    pub conversion_value_minor: Option<i64>,
    pub currency: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Record {
    Campaign(CampaignRecord),
    AdStat(AdStatRecord),
}
