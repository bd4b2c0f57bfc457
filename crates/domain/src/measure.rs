//! Base measures: the additive quantities (and the distinct counts computed
//! in SQL) that every metric is a formula over. The store answers a set of
//! them for a scope and a period; formulas never see a fact row.

use std::fmt;

/// What a measure or a formula counts, as a product of base dimensions
/// with integer exponents. `spend / clicks` is money¹·count⁻¹, `clicks /
/// impressions` is dimensionless.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Dimension {
    pub money: i8,
    pub count: i8,
    pub hours: i8,
    pub days: i8,
}

impl Dimension {
    pub const NONE: Dimension = Dimension {
        money: 0,
        count: 0,
        hours: 0,
        days: 0,
    };
    pub const MONEY: Dimension = Dimension {
        money: 1,
        ..Dimension::NONE
    };
    pub const COUNT: Dimension = Dimension {
        count: 1,
        ..Dimension::NONE
    };
    pub const HOURS: Dimension = Dimension {
        hours: 1,
        ..Dimension::NONE
    };
    pub const DAYS: Dimension = Dimension {
        days: 1,
        ..Dimension::NONE
    };

    pub fn times(self, other: Dimension) -> Dimension {
        Dimension {
            money: self.money + other.money,
            count: self.count + other.count,
            hours: self.hours + other.hours,
            days: self.days + other.days,
        }
    }

    pub fn per(self, other: Dimension) -> Dimension {
        Dimension {
            money: self.money - other.money,
            count: self.count - other.count,
            hours: self.hours - other.hours,
            days: self.days - other.days,
        }
    }
}

impl fmt::Display for Dimension {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<String> = [
            ("money", self.money),
            ("count", self.count),
            ("hours", self.hours),
            ("days", self.days),
        ]
        .into_iter()
        .filter(|(_, e)| *e != 0)
        .map(|(n, e)| {
            if e == 1 {
                n.to_string()
            } else {
                format!("{n}^{e}")
            }
        })
        .collect();
        if parts.is_empty() {
            f.write_str("a pure number")
        } else {
            f.write_str(&parts.join("·"))
        }
    }
}

macro_rules! measures {
    ($( $variant:ident = $code:literal, $dim:ident, $source:ident, $desc:literal; )*) => {
        /// A base measure. Codes are stable: formulas and the API use them.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Measure { $( $variant, )* }

        impl Measure {
            pub const ALL: &'static [Measure] = &[ $( Measure::$variant, )* ];

            pub fn code(self) -> &'static str {
                match self { $( Measure::$variant => $code, )* }
            }

            pub fn dimension(self) -> Dimension {
                match self { $( Measure::$variant => Dimension::$dim, )* }
            }

            /// The facts it is computed from.
            pub fn source(self) -> Source {
                match self { $( Measure::$variant => Source::$source, )* }
            }

            pub fn description(self) -> &'static str {
                match self { $( Measure::$variant => $desc, )* }
            }
        }
    };
}

measures! {
    Spend = "spend", MONEY, Ads, "ad spend (sum over ad statistics)";
    Impressions = "impressions", COUNT, Ads, "ad impressions";
    Clicks = "clicks", COUNT, Ads, "ad clicks";
    Conversions = "conversions", COUNT, Ads, "conversions reported by the ad platforms (may be fractional)";
    ConversionValue = "conversion_value", MONEY, Ads, "revenue reported by the ad platforms";
    Budget = "budget", MONEY, Campaigns, "campaign budgets, each pro-rated to the days of its run that fall in the period";
    BudgetedSpend = "budgeted_spend", MONEY, Campaigns, "ad spend in the period of the campaigns that have a budget and both dates";
    Orders = "orders", COUNT, Orders, "paid orders dated in the period (cancelled, refunded, open and lost ones excluded)";
    OrderRevenue = "order_revenue", MONEY, Orders, "amount of those orders";
    CostedRevenue = "costed_revenue", MONEY, Orders, "amount of the paid orders that carry a cost of goods";
    OrderCost = "order_cost", MONEY, Orders, "cost of goods of those orders";
    ActiveCustomers = "active_customers", COUNT, Customers, "distinct customers with a paid order in the period";
    NewCustomers = "new_customers", COUNT, Customers, "customers whose first paid order ever falls in the period";
    RepeatCustomers = "repeat_customers", COUNT, Customers, "active customers with at least 2 paid orders up to the period's end";
    ChurnBase = "churn_base", COUNT, Customers, "customers with a paid order in the lookback window before the period (90 days unless configured)";
    ChurnedCustomers = "churned_customers", COUNT, Customers, "customers of the churn base with no paid order in the period";
    Sessions = "sessions", COUNT, Web, "web sessions";
    NewUsers = "new_users", COUNT, Web, "new web users (first visits)";
    WebConversions = "web_conversions", COUNT, Web, "goal completions on the site";
    CsatResponses = "csat_responses", COUNT, Surveys, "survey answers with a CSAT score";
    CsatSatisfied = "csat_satisfied", COUNT, Surveys, "CSAT scores of 4 or 5";
    NpsResponses = "nps_responses", COUNT, Surveys, "survey answers with an NPS score";
    NpsPromoters = "nps_promoters", COUNT, Surveys, "NPS scores of 9 or 10";
    NpsDetractors = "nps_detractors", COUNT, Surveys, "NPS scores of 0 to 6";
    AidedResponses = "aided_responses", COUNT, Surveys, "answers to the aided awareness question";
    AidedAware = "aided_aware", COUNT, Surveys, "respondents who recognised the brand when prompted";
    UnaidedResponses = "unaided_responses", COUNT, Surveys, "answers to the unaided awareness question";
    UnaidedAware = "unaided_aware", COUNT, Surveys, "respondents who named the brand unprompted";
    OwnMentions = "own_mentions", COUNT, Social, "mentions of our accounts";
    AllMentions = "all_mentions", COUNT, Social, "mentions of our and competitors' accounts";
    Engagements = "engagements", COUNT, Social, "likes + comments + shares + saves on our accounts";
    Reach = "reach", COUNT, Social, "reach of our accounts (summed over days: not de-duplicated)";
    Leads = "leads", COUNT, Leads, "leads entering the lead stage in the period";
    Mqls = "mqls", COUNT, Leads, "leads entering the MQL stage in the period";
    Sqls = "sqls", COUNT, Leads, "leads entering the SQL stage in the period";
    LeadCustomers = "lead_customers", COUNT, Leads, "leads created in the period that have become customers since";
    TasksDone = "tasks_done", COUNT, Tasks, "tasks completed in the period";
    TasksDoneWithDue = "tasks_done_with_due", COUNT, Tasks, "tasks completed in the period that had a due date";
    TasksOnTime = "tasks_on_time", COUNT, Tasks, "tasks completed in the period on or before their due date";
    QualitySum = "quality_sum", COUNT, Tasks, "sum of the quality ratings (1-5) of tasks completed in the period";
    QualityCount = "quality_count", COUNT, Tasks, "tasks completed in the period with a quality rating";
    EstimateHours = "estimate_hours", HOURS, Tasks, "estimated hours of tasks completed in the period";
    SpentHours = "spent_hours", HOURS, Tasks, "hours spent on tasks completed in the period";
    TasksOverdue = "tasks_overdue", COUNT, Tasks, "tasks due in the period (up to today) that were not done by their due date, cancelled ones aside";
    LaunchDays = "launch_days", DAYS, Tasks, "days from creation to completion, summed over campaign tasks completed in the period";
    Launches = "launches", COUNT, Tasks, "campaign tasks completed in the period";
    HoursLogged = "hours_logged", HOURS, Time, "hours in time entries dated in the period";
    MarketingCosts = "marketing_costs", MONEY, Costs, "marketing costs besides ad spend (salaries, agencies, tools, content, events) dated in the period";
}

impl Measure {
    pub fn from_code(code: &str) -> Option<Measure> {
        Measure::ALL.iter().copied().find(|m| m.code() == code)
    }

    /// Whether the measure of a period is the sum of its parts' (so a
    /// target for a quarter is the sum of the months'). Distinct customers
    /// are not: one customer active in two months is active once in both.
    pub fn additive_in_time(self) -> bool {
        !matches!(
            self,
            Measure::ActiveCustomers
                | Measure::RepeatCustomers
                | Measure::ChurnBase
                | Measure::ChurnedCustomers
        )
    }
}

/// The fact tables a measure comes from; the store computes one source at
/// a time, and only the sources a request needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Source {
    Ads,
    Campaigns,
    Orders,
    Customers,
    Web,
    Surveys,
    Social,
    Leads,
    Tasks,
    Time,
    Costs,
}

/// Values of some measures for one scope and period. A measure that the
/// scope cannot have (web sessions of one person) is absent, not zero.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Measures {
    values: std::collections::BTreeMap<Measure, f64>,
    /// Currencies of the money measures: more than one means money
    /// metrics cannot be computed (amounts in different currencies never add).
    pub currencies: std::collections::BTreeSet<String>,
}

impl Measures {
    pub fn set(&mut self, measure: Measure, value: f64) {
        self.values.insert(measure, value);
    }

    pub fn get(&self, measure: Measure) -> Option<f64> {
        self.values.get(&measure).copied()
    }

    pub fn iter(&self) -> impl Iterator<Item = (Measure, f64)> + '_ {
        self.values.iter().map(|(m, v)| (*m, *v))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_round_trip() {
        let mut codes: Vec<&str> = Measure::ALL.iter().map(|m| m.code()).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), Measure::ALL.len());
        for m in Measure::ALL {
            assert_eq!(Measure::from_code(m.code()), Some(*m));
        }
        assert_eq!(Measure::from_code("clics"), None);
    }

    #[test]
    fn dimensions_multiply_and_divide() {
        let cpc = Dimension::MONEY.per(Dimension::COUNT);
        assert_eq!(cpc.to_string(), "money·count^-1");
        assert_eq!(cpc.times(Dimension::COUNT), Dimension::MONEY);
        assert_eq!(
            Dimension::COUNT.per(Dimension::COUNT).to_string(),
            "a pure number"
        );
    }
}
