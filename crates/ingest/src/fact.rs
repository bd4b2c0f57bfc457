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
    /// A date with a time of day, kept as `YYYY-MM-DD HH:MM:SS`.
    Timestamp,
    /// A time of day, kept as `HH:MM:SS`.
    Time,
    /// A whole number ≥ 0 (impressions, clicks).
    Count,
    /// A whole number within a scale (CSAT 1–5, NPS 0–10).
    Score {
        min: i64,
        max: i64,
    },
    /// A number ≥ 0 that may be fractional (conversions).
    Number,
    /// A duration in hours: `1.5`, `1,5`, `01:30:00` (or seconds/minutes
    /// when a preset says so).
    Hours,
    /// Money ≥ 0, read exactly into minor units.
    Money,
    /// An ISO 4217 code such as RUB.
    Currency,
    Email,
    /// An employee: an e-mail address or a full name.
    Person,
    /// Yes or no (`yes`, `да`, `1`, `true`, …).
    Flag,
    /// One of a fixed set of values (presets map their vendor's words onto
    /// these).
    Choice(&'static [&'static str]),
}

/// What a field's value refers to among stored things.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ref {
    Employee,
    Campaign,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldSpec {
    pub name: &'static str,
    pub kind: Kind,
    pub required: bool,
    /// The column that stores it (None: read but not stored as such).
    pub column: Option<&'static str>,
    pub refers: Option<Ref>,
}

const fn field(name: &'static str, kind: Kind, required: bool) -> FieldSpec {
    FieldSpec {
        name,
        kind,
        required,
        column: Some(name),
        refers: None,
    }
}

/// Money: stored in minor units, in a column named so.
const fn money(name: &'static str, column: &'static str, required: bool) -> FieldSpec {
    FieldSpec {
        name,
        kind: Kind::Money,
        required,
        column: Some(column),
        refers: None,
    }
}

/// A field that is read to check or complete others, never stored.
const fn helper(name: &'static str, kind: Kind) -> FieldSpec {
    FieldSpec {
        name,
        kind,
        required: false,
        column: None,
        refers: None,
    }
}

const fn employee(name: &'static str, column: &'static str, required: bool) -> FieldSpec {
    FieldSpec {
        name,
        kind: Kind::Person,
        required,
        column: Some(column),
        refers: Some(Ref::Employee),
    }
}

const CAMPAIGN_REF: FieldSpec = FieldSpec {
    name: "campaign",
    kind: Kind::Code,
    required: false,
    column: Some("campaign_id"),
    refers: Some(Ref::Campaign),
};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Fact {
    Campaigns,
    AdStats,
    WebTraffic,
    Orders,
    LeadStages,
    SurveyResponses,
    SocialStats,
    TimeEntries,
    Tasks,
    MarketingCosts,
    /// The staff list (people, teams, accounts), imported like a fact.
    Employees,
}

/// What a marketing cost other than ad spend was for.
pub const COST_CATEGORIES: &[&str] = &[
    "salaries", "agency", "tools", "content", "events", "print", "other",
];

pub const ORDER_STATUSES: &[&str] = &["paid", "cancelled", "refunded", "open", "lost"];
pub const LEAD_STAGES: &[&str] = &["lead", "mql", "sql", "customer"];
pub const TASK_STATUSES: &[&str] = &["planned", "in_progress", "review", "done", "cancelled"];

const CAMPAIGN_FIELDS: [FieldSpec; 10] = [
    FieldSpec {
        column: Some("external_id"),
        ..field("campaign", Kind::Code, true)
    },
    field("name", Kind::Text, true),
    field("platform", Kind::Code, false),
    field("channel", Kind::Code, false),
    FieldSpec {
        column: Some("owner_employee_id"),
        refers: Some(Ref::Employee),
        ..field("owner", Kind::Email, false)
    },
    money("budget", "budget_minor", false),
    field("currency", Kind::Currency, false),
    FieldSpec {
        column: Some("start_date"),
        ..field("start", Kind::Date, false)
    },
    FieldSpec {
        column: Some("end_date"),
        ..field("end", Kind::Date, false)
    },
    // "anna@x.ru: 30%; boris@x.ru: 0.2" (kept in campaign_contributors).
    FieldSpec {
        column: None,
        ..field("contributors", Kind::Text, false)
    },
];

const AD_STAT_FIELDS: [FieldSpec; 11] = [
    field("date", Kind::Date, true),
    FieldSpec {
        required: true,
        ..CAMPAIGN_REF
    },
    field("impressions", Kind::Count, true),
    field("clicks", Kind::Count, true),
    money("spend", "spend_minor", true),
    field("conversions", Kind::Number, false),
    money("conversion_value", "conversion_value_minor", false),
    field("currency", Kind::Currency, false),
    // Whether spend includes VAT (platforms differ; Yandex Direct lets the
    // exporter choose).
    field("vat_included", Kind::Flag, false),
    // The campaign's name, for campaigns a preset may create.
    helper("campaign_name", Kind::Text),
    // The last day a row covers: must be its first (one row per day).
    helper("date_end", Kind::Date),
];

const WEB_TRAFFIC_FIELDS: [FieldSpec; 9] = [
    field("date", Kind::Date, true),
    field("channel", Kind::Code, false),
    field("source", Kind::Code, false),
    field("medium", Kind::Code, false),
    field("sessions", Kind::Count, true),
    field("users", Kind::Count, false),
    field("new_users", Kind::Count, false),
    field("conversions", Kind::Number, false),
    // "google / cpc", split into source and medium.
    helper("source_medium", Kind::Text),
];

const ORDER_FIELDS: [FieldSpec; 10] = [
    field("order_id", Kind::Code, true),
    field("customer_id", Kind::Code, false),
    // When the order was paid (or the deal closed); `created` stands in
    // for deals still open.
    field("date", Kind::Date, false),
    field("created", Kind::Date, false),
    money("amount", "amount_minor", true),
    field("currency", Kind::Currency, false),
    field("status", Kind::Choice(ORDER_STATUSES), false),
    CAMPAIGN_REF,
    field("channel", Kind::Code, false),
    // The cost of the goods sold, for the margin (margin ROMI).
    money("cost", "cost_minor", false),
];

const LEAD_STAGE_FIELDS: [FieldSpec; 6] = [
    field("lead_id", Kind::Code, true),
    field("stage", Kind::Choice(LEAD_STAGES), true),
    field("at", Kind::Timestamp, true),
    field("customer_id", Kind::Code, false),
    CAMPAIGN_REF,
    field("channel", Kind::Code, false),
];

const SURVEY_FIELDS: [FieldSpec; 8] = [
    field("response_id", Kind::Code, true),
    field("date", Kind::Date, true),
    field("segment", Kind::Text, false),
    field("csat", Kind::Score { min: 1, max: 5 }, false),
    field("nps", Kind::Score { min: 0, max: 10 }, false),
    field("aware_aided", Kind::Flag, false),
    field("aware_unaided", Kind::Flag, false),
    // The campaign the answer is about (a post-purchase survey of its
    // customers): its satisfaction counts for the campaign's people.
    CAMPAIGN_REF,
];

const SOCIAL_FIELDS: [FieldSpec; 12] = [
    field("date", Kind::Date, true),
    field("network", Kind::Code, true),
    field("account", Kind::Code, true),
    // Empty for our own accounts; the competitor's name otherwise.
    field("competitor", Kind::Text, false),
    field("followers", Kind::Count, false),
    field("reach", Kind::Count, false),
    field("impressions", Kind::Count, false),
    field("likes", Kind::Count, false),
    field("comments", Kind::Count, false),
    field("shares", Kind::Count, false),
    field("saves", Kind::Count, false),
    field("mentions", Kind::Count, false),
];

const TIME_ENTRY_FIELDS: [FieldSpec; 8] = [
    employee("employee", "employee_id", true),
    field("date", Kind::Date, true),
    field("start", Kind::Time, false),
    field("hours", Kind::Hours, true),
    CAMPAIGN_REF,
    field("task", Kind::Code, false),
    field("project", Kind::Text, false),
    field("description", Kind::Text, false),
];

const TASK_FIELDS: [FieldSpec; 14] = [
    field("task", Kind::Code, true),
    field("title", Kind::Text, true),
    field("kind", Kind::Text, false),
    // Without one: done when completed, else planned.
    field("status", Kind::Choice(TASK_STATUSES), false),
    employee("assignee", "assignee_employee_id", false),
    field("priority", Kind::Text, false),
    field("created", Kind::Date, false),
    field("start", Kind::Date, false),
    field("due", Kind::Date, false),
    field("completed", Kind::Date, false),
    field("estimate_hours", Kind::Hours, false),
    field("spent_hours", Kind::Hours, false),
    CAMPAIGN_REF,
    field("project", Kind::Text, false),
];

/// Marketing costs besides ad spend (salaries, agencies, tools, content,
/// events): what blended CAC adds to the ad spend.
const MARKETING_COST_FIELDS: [FieldSpec; 7] = [
    field("date", Kind::Date, true),
    field("category", Kind::Choice(COST_CATEGORIES), true),
    money("amount", "amount_minor", true),
    field("currency", Kind::Currency, false),
    field("channel", Kind::Code, false),
    CAMPAIGN_REF,
    field("description", Kind::Text, false),
];

/// Roles an account may have (the staff list's optional column).
pub const ROLES: &[&str] = &["admin", "head", "manager", "employee", "viewer"];

/// The staff list: the people of the department, their team (a path such
/// as `Маркетинг/Performance`), manager and start date. Not a fact of
/// marketing data: its rows become employees, teams and accounts.
const EMPLOYEE_FIELDS: [FieldSpec; 7] = [
    field("email", Kind::Email, true),
    field("name", Kind::Text, true),
    field("position", Kind::Text, true),
    field("team", Kind::Text, false),
    field("manager", Kind::Email, false),
    field("start", Kind::Date, false),
    field("role", Kind::Choice(ROLES), false),
];

impl Fact {
    pub const ALL: [Fact; 11] = [
        Fact::Campaigns,
        Fact::AdStats,
        Fact::WebTraffic,
        Fact::Orders,
        Fact::LeadStages,
        Fact::SurveyResponses,
        Fact::SocialStats,
        Fact::TimeEntries,
        Fact::Tasks,
        Fact::MarketingCosts,
        Fact::Employees,
    ];

    /// The name in presets, the API and the database (its table).
    pub fn name(self) -> &'static str {
        match self {
            Fact::Campaigns => "campaigns",
            Fact::AdStats => "ad_stats",
            Fact::WebTraffic => "web_traffic",
            Fact::Orders => "orders",
            Fact::LeadStages => "lead_stages",
            Fact::SurveyResponses => "survey_responses",
            Fact::SocialStats => "social_stats",
            Fact::TimeEntries => "time_entries",
            Fact::Tasks => "tasks",
            Fact::MarketingCosts => "marketing_costs",
            Fact::Employees => "employees",
        }
    }

    pub fn from_name(name: &str) -> Option<Fact> {
        Fact::ALL.into_iter().find(|f| f.name() == name)
    }

    /// The canonical preset's name: `mkpi-ad-stats` for ad_stats.
    pub fn canonical_preset(self) -> String {
        format!("mkpi-{}", self.name().replace('_', "-"))
    }

    pub fn fields(self) -> &'static [FieldSpec] {
        match self {
            Fact::Campaigns => &CAMPAIGN_FIELDS,
            Fact::AdStats => &AD_STAT_FIELDS,
            Fact::WebTraffic => &WEB_TRAFFIC_FIELDS,
            Fact::Orders => &ORDER_FIELDS,
            Fact::LeadStages => &LEAD_STAGE_FIELDS,
            Fact::SurveyResponses => &SURVEY_FIELDS,
            Fact::SocialStats => &SOCIAL_FIELDS,
            Fact::TimeEntries => &TIME_ENTRY_FIELDS,
            Fact::Tasks => &TASK_FIELDS,
            Fact::MarketingCosts => &MARKETING_COST_FIELDS,
            Fact::Employees => &EMPLOYEE_FIELDS,
        }
    }

    pub fn field(self, name: &str) -> Option<&'static FieldSpec> {
        self.fields().iter().find(|f| f.name == name)
    }

    /// The fields whose values together identify a row: importing a row
    /// with the same key again updates it.
    pub fn key(self) -> &'static [&'static str] {
        match self {
            Fact::Campaigns => &["campaign"],
            Fact::AdStats => &["campaign", "date"],
            Fact::WebTraffic => &["date", "channel", "source", "medium"],
            Fact::Orders => &["order_id"],
            Fact::LeadStages => &["lead_id", "stage"],
            Fact::SurveyResponses => &["response_id"],
            Fact::SocialStats => &["date", "network", "account"],
            Fact::TimeEntries => &[
                "employee",
                "date",
                "start",
                "campaign",
                "task",
                "project",
                "description",
            ],
            Fact::Tasks => &["task"],
            Fact::MarketingCosts => &["date", "category", "channel", "campaign", "description"],
            Fact::Employees => &["email"],
        }
    }

    /// Whether rows of this fact are stored through the generic path
    /// (campaigns and ad statistics have their own, older, faster one).
    pub fn is_generic(self) -> bool {
        !matches!(self, Fact::Campaigns | Fact::AdStats | Fact::Employees)
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
    /// Other people sharing in the results: (e-mail, share in basis
    /// points); the owner has the rest.
    pub contributors: Vec<(String, i64)>,
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
    /// Whether spend includes VAT; none when the file does not say.
    pub vat_included: Option<bool>,
    /// The campaign's name when the file has one.
    pub campaign_name: Option<String>,
}

/// One checked value of a generic fact's field.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(untagged)]
pub enum Value {
    Missing,
    Text(String),
    Int(i64),
    Float(f64),
}

impl Value {
    pub fn text(&self) -> Option<&str> {
        match self {
            Value::Text(t) => Some(t),
            _ => None,
        }
    }
}

/// A row of a generic fact: one value per field of [`Fact::fields`], in
/// that order.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub values: Vec<Value>,
}

impl Row {
    pub fn get(&self, fact: Fact, field: &str) -> &Value {
        fact.fields()
            .iter()
            .position(|f| f.name == field)
            .and_then(|i| self.values.get(i))
            .unwrap_or(&Value::Missing)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Record {
    Campaign(CampaignRecord),
    AdStat(AdStatRecord),
    Row(Row),
}
