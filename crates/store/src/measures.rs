//! Base measures for a scope and a half-open period [from, to): the sums and
//! distinct counts every metric is computed from. Sums are exact integers
//! (money in minor units) until the last division; distinct counts are
//! counted here, in SQL, because they do not add up.
//!
//! People get campaign results by their share: the owner has what the
//! contributors do not (shares in basis points, summing to 10,000), so a
//! group of people is credited Σ shares × result, and a campaign is never
//! counted twice for a team holding both its owner and a contributor.

use std::collections::BTreeSet;

use mkpi_domain::measure::{Measure, Measures, Source};
use mkpi_domain::org::Segment;
use sqlx::AssertSqlSafe;

use crate::{Backend, Result, Tx};

/// Whose measures.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MeasureScope {
    /// Every fact, attributed or not.
    Department,
    /// These people together (one employee, or a team's members): campaign
    /// results by share, tasks and time by assignee.
    Employees(Vec<i64>),
    /// A team over time: each piece of the calendar with the people who
    /// were in the team (or the teams below it) then. A fact counts for the
    /// people of the piece its date falls in, so a transfer never moves
    /// figures dated before it.
    Team(Vec<Segment>),
    Campaign(i64),
    /// A channel code (`paid_search`, `email`, …): campaigns of that channel
    /// and web traffic grouped under it.
    Channel(String),
}

/// Which sources a scope has. Web analytics, surveys and social statistics
/// belong to the department (and web traffic to its channel), not to people
/// or campaigns; customer counts are not split between people.
pub fn has_source(scope: &MeasureScope, source: Source) -> bool {
    use MeasureScope as S;
    match source {
        Source::Ads
        | Source::Campaigns
        | Source::Orders
        | Source::Leads
        | Source::Tasks
        | Source::Time
        | Source::Costs => true,
        Source::Customers => !matches!(scope, S::Employees(_) | S::Team(_)),
        Source::Web => matches!(scope, S::Department | S::Channel(_)),
        // Survey answers about a campaign count for it, its channel and its
        // people; the others only for the department.
        Source::Surveys => true,
        Source::Social => matches!(scope, S::Department),
    }
}

/// Settings that change a measure's definition.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MeasureSettings {
    /// Days before the period in which a customer's order puts them in the
    /// churn base.
    pub churn_lookback_days: i64,
    /// Today: a task due later is not overdue yet. Without it, the
    /// period's end.
    pub today: Option<mkpi_domain::period::Day>,
}

impl Default for MeasureSettings {
    fn default() -> Self {
        MeasureSettings {
            churn_lookback_days: 90,
            today: None,
        }
    }
}

/// The shares of the people in `ids` per campaign and the days they hold
/// for, as a derived table `(campaign_id, share_bp, valid_from,
/// valid_until)`: a campaign's pieces never overlap, so a fact joins one
/// at most. Ids are our own integers: safe to inline.
fn shares_of(ids: &[i64]) -> String {
    format!(
        "(SELECT campaign_id, SUM(share_bp) AS share_bp, valid_from, valid_until FROM ({}) s
         WHERE employee_id IN ({}) GROUP BY campaign_id, valid_from, valid_until)",
        crate::campaigns::ALL_SHARES,
        id_list(ids)
    )
}

/// The shares of a team's people per campaign and piece of the calendar, as
/// a derived table `(campaign_id, share_bp, valid_from, valid_until)`: each
/// piece of the team's calendar cut by the days the shares hold for.
/// Dates come from [`Day`](mkpi_domain::period::Day), so they are digits
/// and dashes: safe to inline.
fn shares_in(segments: &[Segment]) -> String {
    if segments.is_empty() {
        return shares_of(&[]);
    }
    let parts: Vec<String> = segments
        .iter()
        .map(|s| {
            // The later of the two starts and the earlier of the two ends.
            let from = s.from.map_or_else(
                || "p.valid_from".to_string(),
                |d| format!("CASE WHEN p.valid_from IS NULL OR p.valid_from < '{d}' THEN '{d}' ELSE p.valid_from END"),
            );
            let until = s.until.map_or_else(
                || "p.valid_until".to_string(),
                |d| format!("CASE WHEN p.valid_until IS NULL OR p.valid_until > '{d}' THEN '{d}' ELSE p.valid_until END"),
            );
            format!(
                "SELECT campaign_id, share_bp, {from} AS valid_from, {until} AS valid_until FROM {} p",
                shares_of(&s.employee_ids)
            )
        })
        .collect();
    format!("({})", parts.join(" UNION ALL "))
}

/// The condition that a fact's date lies in the piece of the calendar it
/// joined (`w` of [`shares_in`]).
fn in_window(date: &str) -> String {
    format!(
        "(w.valid_from IS NULL OR {date} >= w.valid_from) AND (w.valid_until IS NULL OR {date} < w.valid_until)"
    )
}

/// The condition on an employee column for a team's pieces of the calendar:
/// the person was in the team on the row's date.
fn members_condition(segments: &[Segment], column: &str, date: &str) -> String {
    if segments.is_empty() {
        return "1 = 0".to_string();
    }
    let parts: Vec<String> = segments
        .iter()
        .map(|s| {
            let mut c = format!("{column} IN ({})", id_list(&s.employee_ids));
            if let Some(from) = s.from {
                c.push_str(&format!(" AND {date} >= '{from}'"));
            }
            if let Some(until) = s.until {
                c.push_str(&format!(" AND {date} < '{until}'"));
            }
            format!("({c})")
        })
        .collect();
    format!("({})", parts.join(" OR "))
}

fn id_list(ids: &[i64]) -> String {
    if ids.is_empty() {
        "NULL".to_string()
    } else {
        ids.iter()
            .map(i64::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// How a fact table with a `campaign_id` column joins to the scope: the
/// join, the condition, the weight of each row (basis points) and whether
/// the scope's text parameter (`$3`) is used.
struct CampaignFilter {
    join: String,
    condition: String,
    weight: &'static str,
}

fn campaign_filter(scope: &MeasureScope, alias: &str, date: &str) -> CampaignFilter {
    match scope {
        MeasureScope::Team(segments) => CampaignFilter {
            join: format!(
                "JOIN {} w ON w.campaign_id = {alias}.campaign_id AND {}",
                shares_in(segments),
                in_window(&format!("{alias}.{date}"))
            ),
            condition: "1 = 1".into(),
            weight: "w.share_bp",
        },
        MeasureScope::Department => CampaignFilter {
            join: String::new(),
            condition: "1 = 1".into(),
            weight: "10000",
        },
        MeasureScope::Employees(ids) => CampaignFilter {
            join: format!(
                "JOIN {} w ON w.campaign_id = {alias}.campaign_id AND {}",
                shares_of(ids),
                in_window(&format!("{alias}.{date}"))
            ),
            condition: "1 = 1".into(),
            weight: "w.share_bp",
        },
        MeasureScope::Campaign(id) => CampaignFilter {
            join: String::new(),
            condition: format!("{alias}.campaign_id = {id}"),
            weight: "10000",
        },
        MeasureScope::Channel(_) => CampaignFilter {
            join: format!("JOIN campaigns wc ON wc.id = {alias}.campaign_id"),
            condition: "wc.channel = $3".into(),
            weight: "10000",
        },
    }
}

fn channel_param(scope: &MeasureScope) -> String {
    match scope {
        MeasureScope::Channel(c) => c.clone(),
        _ => String::new(),
    }
}

/// For the department and a channel, the condition on the daily roll-ups
/// (`rollups.rs`) that answer them; other scopes read the facts.
fn rollup_condition(scope: &MeasureScope) -> Option<&'static str> {
    match scope {
        MeasureScope::Department => Some("$3 = $3"),
        MeasureScope::Channel(_) => Some("channel = $3"),
        MeasureScope::Employees(_) | MeasureScope::Team(_) | MeasureScope::Campaign(_) => None,
    }
}

/// Whole units from a sum of minor units.
#[allow(clippy::cast_precision_loss)]
fn minor(sum: i64) -> f64 {
    sum as f64 / 100.0
}

/// Whole units from a sum weighted in basis points (and, for money, in
/// minor units).
#[allow(clippy::cast_precision_loss)]
fn unweight(sum: i64, minor: bool) -> f64 {
    let v = sum as f64 / 10_000.0;
    if minor { v / 100.0 } else { v }
}

/// The `needed` measures for a scope and period (and those read with them
/// from the same source). Sources the scope does not have are left out, so
/// their metrics have no value.
pub async fn measures(
    tx: &mut Tx,
    scope: &MeasureScope,
    from: &str,
    to: &str,
    needed: &BTreeSet<Measure>,
    settings: MeasureSettings,
) -> Result<Measures> {
    let mut out = Measures::default();
    let sources: BTreeSet<Source> = needed.iter().map(|m| m.source()).collect();
    for source in sources.iter().filter(|s| has_source(scope, **s)) {
        match source {
            Source::Ads => ads(tx, scope, from, to, &mut out).await?,
            Source::Campaigns => budgets(tx, scope, from, to, &mut out).await?,
            Source::Orders => orders(tx, scope, from, to, &mut out).await?,
            Source::Customers => {
                customers(tx, scope, from, to, needed, settings, &mut out).await?;
            }
            Source::Web => web(tx, scope, from, to, &mut out).await?,
            Source::Surveys => surveys(tx, scope, from, to, &mut out).await?,
            Source::Social => social(tx, from, to, &mut out).await?,
            Source::Leads => leads(tx, scope, from, to, &mut out).await?,
            Source::Tasks => {
                let today = settings.today.map(|d| d.to_string());
                tasks(tx, scope, from, to, today.as_deref(), &mut out).await?
            }
            Source::Time => time(tx, scope, from, to, &mut out).await?,
            Source::Costs => costs(tx, scope, from, to, &mut out).await?,
        }
    }
    Ok(out)
}

async fn ads(
    tx: &mut Tx,
    scope: &MeasureScope,
    from: &str,
    to: &str,
    out: &mut Measures,
) -> Result<()> {
    if let Some(condition) = rollup_condition(scope) {
        // One row per currency: the sums and the currencies in one query.
        let sql = format!(
            "SELECT currency, CAST(SUM(spend_minor) AS BIGINT), CAST(SUM(impressions) AS BIGINT),
                    CAST(SUM(clicks) AS BIGINT), CAST(SUM(conversions) AS DOUBLE PRECISION),
                    CAST(SUM(conversion_value_minor) AS BIGINT)
             FROM ad_stats_by_day WHERE date >= $1 AND date < $2 AND {condition} GROUP BY currency"
        );
        let rows: Vec<(String, i64, i64, i64, f64, i64)> = sqlx::query_as(AssertSqlSafe(sql))
            .bind(from)
            .bind(to)
            .bind(channel_param(scope))
            .fetch_all(tx.conn())
            .await?;
        let (mut spend, mut impressions, mut clicks, mut conversions, mut value) =
            (0_i64, 0_i64, 0_i64, 0.0_f64, 0_i64);
        for (currency, s, i, c, conv, v) in rows {
            spend += s;
            impressions += i;
            clicks += c;
            conversions += conv;
            value += v;
            out.currencies.insert(currency);
        }
        out.set(Measure::Spend, minor(spend));
        out.set(Measure::Impressions, count(impressions));
        out.set(Measure::Clicks, count(clicks));
        out.set(Measure::Conversions, conversions);
        out.set(Measure::ConversionValue, minor(value));
        return Ok(());
    }
    let f = campaign_filter(scope, "a", "date");
    let w = f.weight;
    let sql = format!(
        "SELECT CAST(COALESCE(SUM(a.spend_minor * {w}), 0) AS BIGINT),
                CAST(COALESCE(SUM(a.impressions * {w}), 0) AS BIGINT),
                CAST(COALESCE(SUM(a.clicks * {w}), 0) AS BIGINT),
                CAST(COALESCE(SUM(a.conversions * {w}), 0) AS DOUBLE PRECISION),
                CAST(COALESCE(SUM(a.conversion_value_minor * {w}), 0) AS BIGINT)
         FROM ad_stats a {} WHERE a.date >= $1 AND a.date < $2 AND {} AND $3 = $3",
        f.join, f.condition
    );
    let (spend, impressions, clicks, conversions, value): (i64, i64, i64, f64, i64) =
        sqlx::query_as(AssertSqlSafe(sql))
            .bind(from)
            .bind(to)
            .bind(channel_param(scope))
            .fetch_one(tx.conn())
            .await?;
    out.set(Measure::Spend, unweight(spend, true));
    out.set(Measure::Impressions, unweight(impressions, false));
    out.set(Measure::Clicks, unweight(clicks, false));
    out.set(Measure::Conversions, conversions / 10_000.0);
    out.set(Measure::ConversionValue, unweight(value, true));
    let sql = format!(
        "SELECT DISTINCT a.currency FROM ad_stats a {} WHERE a.date >= $1 AND a.date < $2 AND {} AND $3 = $3",
        f.join, f.condition
    );
    let currencies: Vec<(String,)> = sqlx::query_as(AssertSqlSafe(sql))
        .bind(from)
        .bind(to)
        .bind(channel_param(scope))
        .fetch_all(tx.conn())
        .await?;
    out.currencies.extend(currencies.into_iter().map(|(c,)| c));
    Ok(())
}

/// Budgets pro-rated to the days of each campaign's run (start to end,
/// both included) that fall in the period. Campaigns without a budget or
/// both dates have no known budget for a period and are left out.
async fn budgets(
    tx: &mut Tx,
    scope: &MeasureScope,
    from: &str,
    to: &str,
    out: &mut Measures,
) -> Result<()> {
    if let Some(condition) = rollup_condition(scope) {
        let sql = format!(
            "SELECT currency, CAST(SUM(budget_minor) AS DOUBLE PRECISION) FROM budgets_by_day
             WHERE date >= $1 AND date < $2 AND {condition} GROUP BY currency"
        );
        let rows: Vec<(String, f64)> = sqlx::query_as(AssertSqlSafe(sql))
            .bind(from)
            .bind(to)
            .bind(channel_param(scope))
            .fetch_all(tx.conn())
            .await?;
        let mut budget = 0.0;
        for (currency, b) in rows {
            budget += b;
            // Campaigns without a currency add to the budget but name none.
            if !currency.is_empty() {
                out.currencies.insert(currency);
            }
        }
        out.set(Measure::Budget, budget / 100.0);
        let sql = format!(
            "SELECT CAST(COALESCE(SUM(budgeted_spend_minor), 0) AS BIGINT) FROM ad_stats_by_day
             WHERE date >= $1 AND date < $2 AND {condition}"
        );
        let (spend,): (i64,) = sqlx::query_as(AssertSqlSafe(sql))
            .bind(from)
            .bind(to)
            .bind(channel_param(scope))
            .fetch_one(tx.conn())
            .await?;
        out.set(Measure::BudgetedSpend, minor(spend));
        return Ok(());
    }
    // A team's pieces of the calendar bound the days of a run it holds.
    let no_window = "CAST(NULL AS TEXT), CAST(NULL AS TEXT)";
    let (join, condition, weight, window, spend_window) = match scope {
        MeasureScope::Department => (
            String::new(),
            "1 = 1".to_string(),
            "10000",
            no_window,
            "1 = 1".to_string(),
        ),
        MeasureScope::Employees(ids) => (
            format!("JOIN {} w ON w.campaign_id = c.id", shares_of(ids)),
            "1 = 1".to_string(),
            "w.share_bp",
            "w.valid_from, w.valid_until",
            in_window("a.date"),
        ),
        MeasureScope::Team(segments) => (
            format!("JOIN {} w ON w.campaign_id = c.id", shares_in(segments)),
            "1 = 1".to_string(),
            "w.share_bp",
            "w.valid_from, w.valid_until",
            in_window("a.date"),
        ),
        MeasureScope::Campaign(id) => (
            String::new(),
            format!("c.id = {id}"),
            "10000",
            no_window,
            "1 = 1".to_string(),
        ),
        MeasureScope::Channel(_) => (
            String::new(),
            "c.channel = $3".to_string(),
            "10000",
            no_window,
            "1 = 1".to_string(),
        ),
    };
    let sql = format!(
        "SELECT c.budget_minor, c.currency, c.start_date, c.end_date, CAST({weight} AS BIGINT), {window}
         FROM campaigns c {join}
         WHERE c.budget_minor IS NOT NULL AND c.start_date IS NOT NULL AND c.end_date IS NOT NULL
           AND c.start_date < $2 AND c.end_date >= $1 AND {condition} AND $3 = $3"
    );
    #[allow(clippy::type_complexity)]
    let rows: Vec<(
        i64,
        Option<String>,
        String,
        String,
        i64,
        Option<String>,
        Option<String>,
    )> = sqlx::query_as(AssertSqlSafe(sql))
        .bind(from)
        .bind(to)
        .bind(channel_param(scope))
        .fetch_all(tx.conn())
        .await?;
    let (Ok(from), Ok(to)) = (
        mkpi_domain::period::Day::parse(from),
        mkpi_domain::period::Day::parse(to),
    ) else {
        return Ok(());
    };
    let mut total = 0.0;
    for (budget, currency, start, end, weight, valid_from, valid_until) in rows {
        let (Ok(start), Ok(end)) = (
            mkpi_domain::period::Day::parse(&start),
            mkpi_domain::period::Day::parse(&end),
        ) else {
            continue;
        };
        let run = start.days_until(end) + 1;
        let day = |d: Option<String>| d.and_then(|d| mkpi_domain::period::Day::parse(&d).ok());
        let first = day(valid_from).map_or(from, |d| d.max(from));
        let past = day(valid_until).map_or(to, |d| d.min(to));
        let overlap = start.max(first).days_until(end.plus_days(1).min(past));
        if run <= 0 || overlap <= 0 {
            continue;
        }
        #[allow(clippy::cast_precision_loss)]
        let share = budget as f64 * overlap as f64 / run as f64 * weight as f64 / 10_000.0;
        total += share / 100.0;
        if let Some(c) = currency {
            out.currencies.insert(c);
        }
    }
    out.set(Measure::Budget, total);
    let sql = format!(
        "SELECT CAST(COALESCE(SUM(a.spend_minor * {weight}), 0) AS BIGINT)
         FROM ad_stats a JOIN campaigns c ON c.id = a.campaign_id {join}
         WHERE c.budget_minor IS NOT NULL AND c.start_date IS NOT NULL AND c.end_date IS NOT NULL
           AND a.date >= $1 AND a.date < $2 AND {condition} AND {spend_window} AND $3 = $3"
    );
    let (spend,): (i64,) = sqlx::query_as(AssertSqlSafe(sql))
        .bind(from.to_string())
        .bind(to.to_string())
        .bind(channel_param(scope))
        .fetch_one(tx.conn())
        .await?;
    out.set(Measure::BudgetedSpend, unweight(spend, true));
    Ok(())
}

const PAID: &str = "o.status = 'paid'";

async fn orders(
    tx: &mut Tx,
    scope: &MeasureScope,
    from: &str,
    to: &str,
    out: &mut Measures,
) -> Result<()> {
    if let Some(condition) = rollup_condition(scope) {
        let sql = format!(
            "SELECT currency, CAST(SUM(orders) AS BIGINT), CAST(SUM(amount_minor) AS BIGINT),
                    CAST(SUM(costed_amount_minor) AS BIGINT), CAST(SUM(cost_minor) AS BIGINT)
             FROM orders_by_day WHERE date >= $1 AND date < $2 AND {condition} GROUP BY currency"
        );
        let rows: Vec<(String, i64, i64, i64, i64)> = sqlx::query_as(AssertSqlSafe(sql))
            .bind(from)
            .bind(to)
            .bind(channel_param(scope))
            .fetch_all(tx.conn())
            .await?;
        let (mut n, mut amount, mut costed, mut cost) = (0_i64, 0_i64, 0_i64, 0_i64);
        for (currency, orders, a, c, k) in rows {
            n += orders;
            amount += a;
            costed += c;
            cost += k;
            out.currencies.insert(currency);
        }
        out.set(Measure::Orders, count(n));
        out.set(Measure::OrderRevenue, minor(amount));
        out.set(Measure::CostedRevenue, minor(costed));
        out.set(Measure::OrderCost, minor(cost));
        return Ok(());
    }
    let (join, condition, weight) = attributed_filter(scope, "o");
    let sql = format!(
        "SELECT CAST(COALESCE(SUM({weight}), 0) AS BIGINT), CAST(COALESCE(SUM(o.amount_minor * {weight}), 0) AS BIGINT),
                CAST(COALESCE(SUM(CASE WHEN o.cost_minor IS NOT NULL THEN o.amount_minor * {weight} ELSE 0 END), 0) AS BIGINT),
                CAST(COALESCE(SUM(o.cost_minor * {weight}), 0) AS BIGINT)
         FROM orders o {join} WHERE {PAID} AND o.date >= $1 AND o.date < $2 AND {condition} AND $3 = $3"
    );
    let (count, amount, costed, cost): (i64, i64, i64, i64) = sqlx::query_as(AssertSqlSafe(sql))
        .bind(from)
        .bind(to)
        .bind(channel_param(scope))
        .fetch_one(tx.conn())
        .await?;
    out.set(Measure::Orders, unweight(count, false));
    out.set(Measure::OrderRevenue, unweight(amount, true));
    out.set(Measure::CostedRevenue, unweight(costed, true));
    out.set(Measure::OrderCost, unweight(cost, true));
    let sql = format!(
        "SELECT DISTINCT o.currency FROM orders o {join} WHERE {PAID} AND o.date >= $1 AND o.date < $2 AND {condition} AND $3 = $3"
    );
    let currencies: Vec<(String,)> = sqlx::query_as(AssertSqlSafe(sql))
        .bind(from)
        .bind(to)
        .bind(channel_param(scope))
        .fetch_all(tx.conn())
        .await?;
    out.currencies.extend(currencies.into_iter().map(|(c,)| c));
    Ok(())
}

/// Rows with their own `channel` and `campaign_id` (orders, marketing
/// costs) count for a channel by their own channel, or else their
/// campaign's; for others as the campaign filter says.
fn attributed_filter(scope: &MeasureScope, alias: &str) -> (String, String, &'static str) {
    match scope {
        MeasureScope::Channel(_) => (
            format!("LEFT JOIN campaigns {alias}c ON {alias}c.id = {alias}.campaign_id"),
            format!("COALESCE({alias}.channel, {alias}c.channel) = $3"),
            "10000",
        ),
        other => {
            let f = campaign_filter(other, alias, "date");
            (f.join, f.condition, f.weight)
        }
    }
}

/// Marketing costs besides ad spend: the department's all; a campaign's,
/// its people's (by share) and a channel's those attributed to them.
async fn costs(
    tx: &mut Tx,
    scope: &MeasureScope,
    from: &str,
    to: &str,
    out: &mut Measures,
) -> Result<()> {
    let (join, condition, weight) = attributed_filter(scope, "m");
    let sql = format!(
        "SELECT m.currency, CAST(COALESCE(SUM(m.amount_minor * {weight}), 0) AS BIGINT)
         FROM marketing_costs m {join}
         WHERE m.date >= $1 AND m.date < $2 AND {condition} AND $3 = $3 GROUP BY m.currency"
    );
    let rows: Vec<(String, i64)> = sqlx::query_as(AssertSqlSafe(sql))
        .bind(from)
        .bind(to)
        .bind(channel_param(scope))
        .fetch_all(tx.conn())
        .await?;
    let mut total = 0_i64;
    for (currency, amount) in rows {
        total += amount;
        out.currencies.insert(currency);
    }
    out.set(Measure::MarketingCosts, unweight(total, true));
    Ok(())
}

/// Distinct customers: active, new (first paid order ever in the period),
/// repeat (≥ 2 paid orders up to the period's end), and — for the
/// department — the churn base and the churned.
async fn customers(
    tx: &mut Tx,
    scope: &MeasureScope,
    from: &str,
    to: &str,
    needed: &BTreeSet<Measure>,
    settings: MeasureSettings,
    out: &mut Measures,
) -> Result<()> {
    // Each count is a query of its own over many orders: only those asked for.
    let wants = |m: Measure| needed.contains(&m);
    if wants(Measure::NewCustomers) {
        out.set(
            Measure::NewCustomers,
            count(new_customers(tx, scope, from, to).await?),
        );
    }
    if wants(Measure::ActiveCustomers) || wants(Measure::RepeatCustomers) {
        active_and_repeat(tx, scope, from, to, wants(Measure::RepeatCustomers), out).await?;
    }
    if *scope == MeasureScope::Department
        && (wants(Measure::ChurnBase) || wants(Measure::ChurnedCustomers))
    {
        churn(tx, from, to, settings, out).await?;
    }
    Ok(())
}

/// Customers whose first paid order ever is in the period and in the scope:
/// for the department, from the roll-up of first orders; otherwise a scoped
/// order with no paid order of theirs on an earlier day.
async fn new_customers(tx: &mut Tx, scope: &MeasureScope, from: &str, to: &str) -> Result<i64> {
    if *scope == MeasureScope::Department {
        let (n,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM customer_firsts WHERE first_date >= $1 AND first_date < $2",
        )
        .bind(from)
        .bind(to)
        .fetch_one(tx.conn())
        .await?;
        return Ok(n);
    }
    let (join, condition, _) = attributed_filter(scope, "o");
    let sql = format!(
        "SELECT COUNT(DISTINCT o.customer_id) FROM orders o {join}
         WHERE {PAID} AND o.customer_id IS NOT NULL AND o.date >= $1 AND o.date < $2 AND {condition} AND $3 = $3
           AND NOT EXISTS (SELECT 1 FROM orders p WHERE p.status = 'paid' AND p.customer_id = o.customer_id
                           AND p.date < o.date)"
    );
    let (new,): (i64,) = sqlx::query_as(AssertSqlSafe(sql))
        .bind(from)
        .bind(to)
        .bind(channel_param(scope))
        .fetch_one(tx.conn())
        .await?;
    Ok(new)
}

/// Customers active in the period (in the scope), and those of them with at
/// least two paid orders of any scope up to the period's end.
async fn active_and_repeat(
    tx: &mut Tx,
    scope: &MeasureScope,
    from: &str,
    to: &str,
    repeat_too: bool,
    out: &mut Measures,
) -> Result<()> {
    let (join, condition, _) = attributed_filter(scope, "o");
    let sql = format!(
        "SELECT COUNT(DISTINCT o.customer_id) FROM orders o {join}
         WHERE {PAID} AND o.customer_id IS NOT NULL AND o.date >= $1 AND o.date < $2 AND {condition} AND $3 = $3"
    );
    let (active,): (i64,) = sqlx::query_as(AssertSqlSafe(sql))
        .bind(from)
        .bind(to)
        .bind(channel_param(scope))
        .fetch_one(tx.conn())
        .await?;
    out.set(Measure::ActiveCustomers, count(active));
    if !repeat_too {
        return Ok(());
    }
    let sql = format!(
        "SELECT COUNT(*) FROM (
            SELECT DISTINCT o.customer_id FROM orders o {join}
            WHERE {PAID} AND o.customer_id IS NOT NULL AND o.date >= $1 AND o.date < $2 AND {condition} AND $3 = $3
         ) a
         WHERE (SELECT COUNT(*) FROM (SELECT 1 FROM orders p WHERE p.status = 'paid' AND p.customer_id = a.customer_id
                                      AND p.date < $2 LIMIT 2) x) >= 2"
    );
    let (repeat,): (i64,) = sqlx::query_as(AssertSqlSafe(sql))
        .bind(from)
        .bind(to)
        .bind(channel_param(scope))
        .fetch_one(tx.conn())
        .await?;
    out.set(Measure::RepeatCustomers, count(repeat));
    Ok(())
}

/// The department's churn base (customers with a paid order in the lookback
/// before the period) and those of them with none in the period.
async fn churn(
    tx: &mut Tx,
    from: &str,
    to: &str,
    settings: MeasureSettings,
    out: &mut Measures,
) -> Result<()> {
    let lookback_from = mkpi_domain::period::Day::parse(from)
        .map(|d| d.plus_days(-settings.churn_lookback_days).to_string())
        .unwrap_or_else(|_| from.to_string());
    let (base, churned): (i64, i64) = sqlx::query_as(
        "SELECT COUNT(*), CAST(COALESCE(SUM(CASE WHEN EXISTS (
                SELECT 1 FROM orders o2 WHERE o2.customer_id = b.customer_id AND o2.status = 'paid'
                  AND o2.date >= $1 AND o2.date < $2) THEN 0 ELSE 1 END), 0) AS BIGINT)
         FROM (SELECT DISTINCT customer_id FROM orders
               WHERE status = 'paid' AND customer_id IS NOT NULL AND date >= $3 AND date < $1) b",
    )
    .bind(from)
    .bind(to)
    .bind(lookback_from)
    .fetch_one(tx.conn())
    .await?;
    out.set(Measure::ChurnBase, count(base));
    out.set(Measure::ChurnedCustomers, count(churned));
    Ok(())
}

#[allow(clippy::cast_precision_loss)]
fn count(n: i64) -> f64 {
    n as f64
}

async fn web(
    tx: &mut Tx,
    scope: &MeasureScope,
    from: &str,
    to: &str,
    out: &mut Measures,
) -> Result<()> {
    let condition = match scope {
        MeasureScope::Channel(_) => "channel = $3",
        _ => "$3 = $3",
    };
    let sql = format!(
        "SELECT CAST(COALESCE(SUM(sessions), 0) AS BIGINT), CAST(COALESCE(SUM(new_users), 0) AS BIGINT),
                CAST(COALESCE(SUM(conversions), 0) AS DOUBLE PRECISION)
         FROM web_traffic WHERE date >= $1 AND date < $2 AND {condition}"
    );
    let (sessions, new_users, conversions): (i64, i64, f64) = sqlx::query_as(AssertSqlSafe(sql))
        .bind(from)
        .bind(to)
        .bind(channel_param(scope))
        .fetch_one(tx.conn())
        .await?;
    out.set(Measure::Sessions, count(sessions));
    out.set(Measure::NewUsers, count(new_users));
    out.set(Measure::WebConversions, conversions);
    Ok(())
}

async fn surveys(
    tx: &mut Tx,
    scope: &MeasureScope,
    from: &str,
    to: &str,
    out: &mut Measures,
) -> Result<()> {
    // Counts weighted by the scope's share of each answer's campaign (basis
    // points): the department has every answer at full weight.
    let (join, condition, w) = attributed_survey_filter(scope);
    let sql = format!(
        "SELECT CAST(COALESCE(SUM(CASE WHEN s.csat IS NOT NULL THEN {w} ELSE 0 END), 0) AS BIGINT),
                CAST(COALESCE(SUM(CASE WHEN s.csat >= 4 THEN {w} ELSE 0 END), 0) AS BIGINT),
                CAST(COALESCE(SUM(CASE WHEN s.nps IS NOT NULL THEN {w} ELSE 0 END), 0) AS BIGINT),
                CAST(COALESCE(SUM(CASE WHEN s.nps >= 9 THEN {w} ELSE 0 END), 0) AS BIGINT),
                CAST(COALESCE(SUM(CASE WHEN s.nps <= 6 THEN {w} ELSE 0 END), 0) AS BIGINT),
                CAST(COALESCE(SUM(CASE WHEN s.aware_aided IS NOT NULL THEN {w} ELSE 0 END), 0) AS BIGINT),
                CAST(COALESCE(SUM(CASE WHEN s.aware_aided = 1 THEN {w} ELSE 0 END), 0) AS BIGINT),
                CAST(COALESCE(SUM(CASE WHEN s.aware_unaided IS NOT NULL THEN {w} ELSE 0 END), 0) AS BIGINT),
                CAST(COALESCE(SUM(CASE WHEN s.aware_unaided = 1 THEN {w} ELSE 0 END), 0) AS BIGINT)
         FROM survey_responses s {join} WHERE s.date >= $1 AND s.date < $2 AND {condition} AND $3 = $3"
    );
    let row: (i64, i64, i64, i64, i64, i64, i64, i64, i64) = sqlx::query_as(AssertSqlSafe(sql))
        .bind(from)
        .bind(to)
        .bind(channel_param(scope))
        .fetch_one(tx.conn())
        .await?;
    let pairs = [
        (Measure::CsatResponses, row.0),
        (Measure::CsatSatisfied, row.1),
        (Measure::NpsResponses, row.2),
        (Measure::NpsPromoters, row.3),
        (Measure::NpsDetractors, row.4),
        (Measure::AidedResponses, row.5),
        (Measure::AidedAware, row.6),
        (Measure::UnaidedResponses, row.7),
        (Measure::UnaidedAware, row.8),
    ];
    for (m, v) in pairs {
        out.set(m, unweight(v, false));
    }
    Ok(())
}

/// Survey answers count for a channel by their campaign's channel; for a
/// campaign and people as the campaign filter says.
fn attributed_survey_filter(scope: &MeasureScope) -> (String, String, &'static str) {
    match scope {
        MeasureScope::Channel(_) => (
            "JOIN campaigns sc ON sc.id = s.campaign_id".into(),
            "sc.channel = $3".into(),
            "10000",
        ),
        other => {
            let f = campaign_filter(other, "s", "date");
            (f.join, f.condition, f.weight)
        }
    }
}

async fn social(tx: &mut Tx, from: &str, to: &str, out: &mut Measures) -> Result<()> {
    let (own, all, engagements, reach): (i64, i64, i64, i64) = sqlx::query_as(
        "SELECT CAST(COALESCE(SUM(CASE WHEN competitor IS NULL THEN mentions ELSE 0 END), 0) AS BIGINT),
                CAST(COALESCE(SUM(mentions), 0) AS BIGINT),
                CAST(COALESCE(SUM(CASE WHEN competitor IS NULL THEN
                     COALESCE(likes, 0) + COALESCE(comments, 0) + COALESCE(shares, 0) + COALESCE(saves, 0) ELSE 0 END), 0) AS BIGINT),
                CAST(COALESCE(SUM(CASE WHEN competitor IS NULL THEN reach ELSE 0 END), 0) AS BIGINT)
         FROM social_stats WHERE date >= $1 AND date < $2",
    )
    .bind(from)
    .bind(to)
    .fetch_one(tx.conn())
    .await?;
    out.set(Measure::OwnMentions, count(own));
    out.set(Measure::AllMentions, count(all));
    out.set(Measure::Engagements, count(engagements));
    out.set(Measure::Reach, count(reach));
    Ok(())
}

async fn leads(
    tx: &mut Tx,
    scope: &MeasureScope,
    from: &str,
    to: &str,
    out: &mut Measures,
) -> Result<()> {
    let (join, condition, weight) = match scope {
        MeasureScope::Channel(_) => (
            "LEFT JOIN campaigns oc ON oc.id = l.campaign_id".to_string(),
            "COALESCE(l.channel, oc.channel) = $3".to_string(),
            "10000",
        ),
        other => {
            let f = campaign_filter(other, "l", "at");
            (f.join, f.condition, f.weight)
        }
    };
    // Stage timestamps sort as text, so a date bound compares correctly.
    let sql = format!(
        "SELECT CAST(COALESCE(SUM(CASE WHEN l.stage = 'lead' THEN {weight} ELSE 0 END), 0) AS BIGINT),
                CAST(COALESCE(SUM(CASE WHEN l.stage = 'mql' THEN {weight} ELSE 0 END), 0) AS BIGINT),
                CAST(COALESCE(SUM(CASE WHEN l.stage = 'sql' THEN {weight} ELSE 0 END), 0) AS BIGINT),
                CAST(COALESCE(SUM(CASE WHEN l.stage = 'lead' AND EXISTS (
                     SELECT 1 FROM lead_stages c WHERE c.lead_id = l.lead_id AND c.stage = 'customer')
                     THEN {weight} ELSE 0 END), 0) AS BIGINT)
         FROM lead_stages l {join} WHERE l.at >= $1 AND l.at < $2 AND {condition} AND $3 = $3"
    );
    let (leads, mqls, sqls, customers): (i64, i64, i64, i64) = sqlx::query_as(AssertSqlSafe(sql))
        .bind(from)
        .bind(to)
        .bind(channel_param(scope))
        .fetch_one(tx.conn())
        .await?;
    out.set(Measure::Leads, unweight(leads, false));
    out.set(Measure::Mqls, unweight(mqls, false));
    out.set(Measure::Sqls, unweight(sqls, false));
    out.set(Measure::LeadCustomers, unweight(customers, false));
    Ok(())
}

/// The condition on a table with an employee column and a campaign column.
fn work_condition(scope: &MeasureScope, employee_column: &str, date: &str) -> (String, String) {
    match scope {
        MeasureScope::Department => (String::new(), "$3 = $3".into()),
        MeasureScope::Team(segments) => (
            String::new(),
            format!(
                "{} AND $3 = $3",
                members_condition(
                    segments,
                    &format!("t.{employee_column}"),
                    &format!("t.{date}")
                )
            ),
        ),
        MeasureScope::Employees(ids) => (
            String::new(),
            format!("t.{employee_column} IN ({}) AND $3 = $3", id_list(ids)),
        ),
        MeasureScope::Campaign(id) => (String::new(), format!("t.campaign_id = {id} AND $3 = $3")),
        MeasureScope::Channel(_) => (
            "JOIN campaigns tc ON tc.id = t.campaign_id".into(),
            "tc.channel = $3".into(),
        ),
    }
}

async fn tasks(
    tx: &mut Tx,
    scope: &MeasureScope,
    from: &str,
    to: &str,
    today: Option<&str>,
    out: &mut Measures,
) -> Result<()> {
    let (join, condition) = work_condition(scope, "assignee_employee_id", "completed");
    // Overdue counts for whoever had the task on its due day.
    let (_, due_condition) = work_condition(scope, "assignee_employee_id", "due");
    let days = match tx.backend() {
        Backend::Sqlite => "julianday(t.completed) - julianday(t.created)",
        Backend::Postgres => "CAST(t.completed AS DATE) - CAST(t.created AS DATE)",
    };
    let sql = format!(
        "SELECT COUNT(*),
                CAST(COALESCE(SUM(CASE WHEN t.due IS NOT NULL THEN 1 ELSE 0 END), 0) AS BIGINT),
                CAST(COALESCE(SUM(CASE WHEN t.due IS NOT NULL AND t.completed <= t.due THEN 1 ELSE 0 END), 0) AS BIGINT),
                CAST(COALESCE(SUM(t.quality), 0) AS BIGINT), COUNT(t.quality),
                CAST(COALESCE(SUM(CASE WHEN t.spent_hours IS NOT NULL THEN t.estimate_hours END), 0) AS DOUBLE PRECISION),
                CAST(COALESCE(SUM(CASE WHEN t.estimate_hours IS NOT NULL THEN t.spent_hours END), 0) AS DOUBLE PRECISION),
                CAST(COALESCE(SUM(CASE WHEN t.kind = 'campaign' AND t.created IS NOT NULL THEN {days} END), 0) AS DOUBLE PRECISION),
                CAST(COALESCE(SUM(CASE WHEN t.kind = 'campaign' AND t.created IS NOT NULL THEN 1 ELSE 0 END), 0) AS BIGINT)
         FROM tasks t {join}
         WHERE t.status = 'done' AND t.completed >= $1 AND t.completed < $2 AND {condition}"
    );
    let row: (i64, i64, i64, i64, i64, f64, f64, f64, i64) = sqlx::query_as(AssertSqlSafe(sql))
        .bind(from)
        .bind(to)
        .bind(channel_param(scope))
        .fetch_one(tx.conn())
        .await?;
    out.set(Measure::TasksDone, count(row.0));
    out.set(Measure::TasksDoneWithDue, count(row.1));
    out.set(Measure::TasksOnTime, count(row.2));
    out.set(Measure::QualitySum, count(row.3));
    out.set(Measure::QualityCount, count(row.4));
    out.set(Measure::EstimateHours, row.5);
    out.set(Measure::SpentHours, row.6);
    out.set(Measure::LaunchDays, row.7);
    out.set(Measure::Launches, count(row.8));
    // Overdue: due in the period and before today, and not done by the due
    // day (still open, or done late).
    let sql = format!(
        "SELECT COUNT(*) FROM tasks t {join}
         WHERE t.due >= $1 AND t.due < $2 AND t.due < $4 AND t.status <> 'cancelled'
           AND (t.completed IS NULL OR t.completed > t.due) AND {due_condition}"
    );
    let (overdue,): (i64,) = sqlx::query_as(AssertSqlSafe(sql))
        .bind(from)
        .bind(to)
        .bind(channel_param(scope))
        .bind(today.unwrap_or(to))
        .fetch_one(tx.conn())
        .await?;
    out.set(Measure::TasksOverdue, count(overdue));
    Ok(())
}

async fn time(
    tx: &mut Tx,
    scope: &MeasureScope,
    from: &str,
    to: &str,
    out: &mut Measures,
) -> Result<()> {
    let (join, condition) = work_condition(scope, "employee_id", "date");
    let sql = format!(
        "SELECT CAST(COALESCE(SUM(t.hours), 0) AS DOUBLE PRECISION) FROM time_entries t {join}
         WHERE t.date >= $1 AND t.date < $2 AND {condition}"
    );
    let (hours,): (f64,) = sqlx::query_as(AssertSqlSafe(sql))
        .bind(from)
        .bind(to)
        .bind(channel_param(scope))
        .fetch_one(tx.conn())
        .await?;
    out.set(Measure::HoursLogged, hours);
    Ok(())
}

/// Web traffic of a period per channel: (channel, sessions, new users,
/// conversions), most sessions first.
pub async fn traffic_by_channel(
    tx: &mut Tx,
    from: &str,
    to: &str,
) -> Result<Vec<(String, i64, i64, f64)>> {
    Ok(sqlx::query_as(
        "SELECT channel, CAST(SUM(sessions) AS BIGINT) AS s, CAST(COALESCE(SUM(new_users), 0) AS BIGINT),
                CAST(COALESCE(SUM(conversions), 0) AS DOUBLE PRECISION)
         FROM web_traffic WHERE date >= $1 AND date < $2 GROUP BY channel ORDER BY s DESC, channel",
    )
    .bind(from)
    .bind(to)
    .fetch_all(tx.conn())
    .await?)
}

/// Ad results of a period per campaign, most spend first.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct CampaignResult {
    pub campaign_id: i64,
    pub spend_minor: i64,
    pub impressions: i64,
    pub clicks: i64,
    pub conversions: f64,
    pub conversion_value_minor: i64,
}

pub async fn ads_by_campaign(tx: &mut Tx, from: &str, to: &str) -> Result<Vec<CampaignResult>> {
    Ok(sqlx::query_as(
        "SELECT campaign_id, CAST(SUM(spend_minor) AS BIGINT) AS spend_minor, CAST(SUM(impressions) AS BIGINT) AS impressions,
                CAST(SUM(clicks) AS BIGINT) AS clicks, CAST(COALESCE(SUM(conversions), 0) AS DOUBLE PRECISION) AS conversions,
                CAST(COALESCE(SUM(conversion_value_minor), 0) AS BIGINT) AS conversion_value_minor
         FROM ad_stats WHERE date >= $1 AND date < $2
         GROUP BY campaign_id ORDER BY spend_minor DESC, campaign_id",
    )
    .bind(from)
    .bind(to)
    .fetch_all(tx.conn())
    .await?)
}

/// An employee's logged hours of a period per campaign (none = not on a
/// campaign), most hours first.
pub async fn hours_by_campaign(
    tx: &mut Tx,
    employee_id: i64,
    from: &str,
    to: &str,
) -> Result<Vec<(Option<i64>, f64)>> {
    Ok(sqlx::query_as(
        "SELECT campaign_id, CAST(SUM(hours) AS DOUBLE PRECISION) AS h FROM time_entries
         WHERE employee_id = $1 AND date >= $2 AND date < $3 GROUP BY campaign_id ORDER BY h DESC",
    )
    .bind(employee_id)
    .bind(from)
    .bind(to)
    .fetch_all(tx.conn())
    .await?)
}

/// The campaigns with the most spend in [from, to), at most `limit`, limited
/// to those where one of `people` has a share (all campaigns for `None`).
/// Whole calendar months read the monthly roll-up, other periods the facts.
pub async fn top_campaigns(
    tx: &mut Tx,
    from: &str,
    to: &str,
    people: Option<&[i64]>,
    limit: i64,
) -> Result<Vec<CampaignResult>> {
    let whole_months = from.ends_with("-01") && to.ends_with("-01") && from.len() == 10;
    let (source, condition, binds) = if whole_months {
        (
            "ad_stats_by_campaign_month a",
            "a.month >= $1 AND a.month < $2",
            [from[..7].to_string(), to.get(..7).unwrap_or(to).to_string()],
        )
    } else {
        (
            "ad_stats a",
            "a.date >= $1 AND a.date < $2",
            [from.to_string(), to.to_string()],
        )
    };
    let join = people.map_or_else(String::new, |ids| {
        format!(
            "JOIN (SELECT DISTINCT campaign_id FROM {} p) w ON w.campaign_id = a.campaign_id",
            shares_of(ids)
        )
    });
    // One month holds one row per campaign: read the top ones off the
    // (month, spend) index instead of grouping the month.
    let next_month = mkpi_domain::period::Day::parse(from)
        .map(|d| d.plus_months(1).to_string())
        .unwrap_or_default();
    if whole_months && next_month == to {
        let sql = format!(
            "SELECT a.campaign_id, a.spend_minor, a.impressions, a.clicks, a.conversions, a.conversion_value_minor
             FROM ad_stats_by_campaign_month a {join} WHERE a.month = $1 AND $2 = $2
             ORDER BY a.spend_minor DESC, a.campaign_id LIMIT {limit}"
        );
        return Ok(sqlx::query_as(AssertSqlSafe(sql))
            .bind(&binds[0])
            .bind(&binds[1])
            .fetch_all(tx.conn())
            .await?);
    }
    let sql = format!(
        "SELECT a.campaign_id, CAST(SUM(a.spend_minor) AS BIGINT) AS spend_minor, CAST(SUM(a.impressions) AS BIGINT) AS impressions,
                CAST(SUM(a.clicks) AS BIGINT) AS clicks, CAST(COALESCE(SUM(a.conversions), 0) AS DOUBLE PRECISION) AS conversions,
                CAST(COALESCE(SUM(a.conversion_value_minor), 0) AS BIGINT) AS conversion_value_minor
         FROM {source} {join} WHERE {condition}
         GROUP BY a.campaign_id ORDER BY spend_minor DESC, a.campaign_id LIMIT {limit}"
    );
    Ok(sqlx::query_as(AssertSqlSafe(sql))
        .bind(&binds[0])
        .bind(&binds[1])
        .fetch_all(tx.conn())
        .await?)
}

/// All ad spend in [from, to) in minor units, whatever the currency (the
/// denominator of a campaign's share of spend).
pub async fn total_spend_minor(tx: &mut Tx, from: &str, to: &str) -> Result<i64> {
    let (n,): (i64,) = sqlx::query_as(
        "SELECT CAST(COALESCE(SUM(spend_minor), 0) AS BIGINT) FROM ad_stats_by_day WHERE date >= $1 AND date < $2",
    )
    .bind(from)
    .bind(to)
    .fetch_one(tx.conn())
    .await?;
    Ok(n)
}

/// The department's measures for every calendar month of [from, to) (both
/// a month's first day), keyed `YYYY-MM`: one grouped query per source over
/// the roll-ups instead of one set of queries per month. The sums are the
/// ones [`measures`] gives month by month. `None` when a needed measure has
/// no grouped reading here (customer counts other than new customers, leads,
/// tasks, time, social); the caller then asks month by month.
pub async fn department_months(
    tx: &mut Tx,
    from: &str,
    to: &str,
    needed: &BTreeSet<Measure>,
) -> Result<Option<std::collections::BTreeMap<String, Measures>>> {
    use std::collections::BTreeMap;
    let sources: BTreeSet<Source> = needed.iter().map(|m| m.source()).collect();
    let grouped = sources.iter().all(|s| match s {
        Source::Ads
        | Source::Campaigns
        | Source::Orders
        | Source::Web
        | Source::Surveys
        | Source::Costs => true,
        Source::Customers => needed
            .iter()
            .filter(|m| m.source() == Source::Customers)
            .all(|m| *m == Measure::NewCustomers),
        _ => false,
    });
    if !grouped {
        return Ok(None);
    }
    let (Ok(first), Ok(end)) = (
        mkpi_domain::period::Day::parse(from),
        mkpi_domain::period::Day::parse(to),
    ) else {
        return Ok(None);
    };
    let mut out: BTreeMap<String, Measures> = BTreeMap::new();
    let mut month = first;
    while month < end {
        out.insert(month.to_string()[..7].to_string(), Measures::default());
        month = month.plus_months(1);
    }
    // Every needed source starts at zero in every month, as a month
    // without rows reads alone.
    let zero: Vec<Measure> = Measure::ALL
        .iter()
        .copied()
        .filter(|m| sources.contains(&m.source()))
        .collect();
    for m in out.values_mut() {
        for z in &zero {
            m.set(*z, 0.0);
        }
    }
    async fn rows<T>(tx: &mut Tx, sql: &'static str, from: &str, to: &str) -> Result<Vec<T>>
    where
        T: for<'r> sqlx::FromRow<'r, sqlx::any::AnyRow> + Send + Unpin,
    {
        Ok(sqlx::query_as(sql)
            .bind(from)
            .bind(to)
            .fetch_all(tx.conn())
            .await?)
    }
    let mut add = |month: &str, measure: Measure, v: f64, currency: Option<String>| {
        if let Some(m) = out.get_mut(month) {
            m.set(measure, m.get(measure).unwrap_or(0.0) + v);
            if let Some(c) = currency.filter(|c| !c.is_empty()) {
                m.currencies.insert(c);
            }
        }
    };
    if sources.contains(&Source::Ads) {
        let r: Vec<(String, String, i64, i64, i64, f64, i64)> = rows(
            tx,
            "SELECT substr(date, 1, 7), currency, CAST(SUM(spend_minor) AS BIGINT), CAST(SUM(impressions) AS BIGINT),
                    CAST(SUM(clicks) AS BIGINT), CAST(COALESCE(SUM(conversions), 0) AS DOUBLE PRECISION),
                    CAST(SUM(conversion_value_minor) AS BIGINT)
             FROM ad_stats_by_day WHERE date >= $1 AND date < $2 GROUP BY substr(date, 1, 7), currency",
            from,
            to,
        )
        .await?;
        for (m, currency, spend, impressions, clicks, conversions, value) in r {
            add(&m, Measure::Spend, minor(spend), Some(currency));
            add(&m, Measure::Impressions, count(impressions), None);
            add(&m, Measure::Clicks, count(clicks), None);
            add(&m, Measure::Conversions, conversions, None);
            add(&m, Measure::ConversionValue, minor(value), None);
        }
    }
    if sources.contains(&Source::Campaigns) {
        let r: Vec<(String, String, f64)> = rows(
            tx,
            "SELECT substr(date, 1, 7), currency, CAST(SUM(budget_minor) AS DOUBLE PRECISION) FROM budgets_by_day
             WHERE date >= $1 AND date < $2 GROUP BY substr(date, 1, 7), currency",
            from,
            to,
        )
        .await?;
        for (m, currency, budget) in r {
            add(&m, Measure::Budget, budget / 100.0, Some(currency));
        }
        let r: Vec<(String, i64)> = rows(
            tx,
            "SELECT substr(date, 1, 7), CAST(COALESCE(SUM(budgeted_spend_minor), 0) AS BIGINT) FROM ad_stats_by_day
             WHERE date >= $1 AND date < $2 GROUP BY substr(date, 1, 7)",
            from,
            to,
        )
        .await?;
        for (m, spend) in r {
            add(&m, Measure::BudgetedSpend, minor(spend), None);
        }
    }
    if sources.contains(&Source::Orders) {
        let r: Vec<(String, String, i64, i64, i64, i64)> = rows(
            tx,
            "SELECT substr(date, 1, 7), currency, CAST(SUM(orders) AS BIGINT), CAST(SUM(amount_minor) AS BIGINT),
                    CAST(SUM(costed_amount_minor) AS BIGINT), CAST(SUM(cost_minor) AS BIGINT)
             FROM orders_by_day WHERE date >= $1 AND date < $2 GROUP BY substr(date, 1, 7), currency",
            from,
            to,
        )
        .await?;
        for (m, currency, n, amount, costed, cost) in r {
            add(&m, Measure::Orders, count(n), Some(currency));
            add(&m, Measure::OrderRevenue, minor(amount), None);
            add(&m, Measure::CostedRevenue, minor(costed), None);
            add(&m, Measure::OrderCost, minor(cost), None);
        }
    }
    if needed.contains(&Measure::NewCustomers) {
        let r: Vec<(String, i64)> = rows(
            tx,
            "SELECT substr(first_date, 1, 7), COUNT(*) FROM customer_firsts
             WHERE first_date >= $1 AND first_date < $2 GROUP BY substr(first_date, 1, 7)",
            from,
            to,
        )
        .await?;
        for (m, n) in r {
            add(&m, Measure::NewCustomers, count(n), None);
        }
    }
    if sources.contains(&Source::Web) {
        let r: Vec<(String, i64, i64, f64)> = rows(
            tx,
            "SELECT substr(date, 1, 7), CAST(COALESCE(SUM(sessions), 0) AS BIGINT), CAST(COALESCE(SUM(new_users), 0) AS BIGINT),
                    CAST(COALESCE(SUM(conversions), 0) AS DOUBLE PRECISION)
             FROM web_traffic WHERE date >= $1 AND date < $2 GROUP BY substr(date, 1, 7)",
            from,
            to,
        )
        .await?;
        for (m, sessions, new_users, conversions) in r {
            add(&m, Measure::Sessions, count(sessions), None);
            add(&m, Measure::NewUsers, count(new_users), None);
            add(&m, Measure::WebConversions, conversions, None);
        }
    }
    if sources.contains(&Source::Surveys) {
        type SurveyRow = (String, i64, i64, i64, i64, i64, i64, i64, i64, i64);
        let r: Vec<SurveyRow> = rows(
            tx,
            "SELECT substr(date, 1, 7), COUNT(csat), CAST(COALESCE(SUM(CASE WHEN csat >= 4 THEN 1 ELSE 0 END), 0) AS BIGINT),
                    COUNT(nps), CAST(COALESCE(SUM(CASE WHEN nps >= 9 THEN 1 ELSE 0 END), 0) AS BIGINT),
                    CAST(COALESCE(SUM(CASE WHEN nps <= 6 THEN 1 ELSE 0 END), 0) AS BIGINT),
                    COUNT(aware_aided), CAST(COALESCE(SUM(aware_aided), 0) AS BIGINT),
                    COUNT(aware_unaided), CAST(COALESCE(SUM(aware_unaided), 0) AS BIGINT)
             FROM survey_responses WHERE date >= $1 AND date < $2 GROUP BY substr(date, 1, 7)",
            from,
            to,
        )
        .await?;
        for row in r {
            let m = row.0.clone();
            for (measure, v) in [
                (Measure::CsatResponses, row.1),
                (Measure::CsatSatisfied, row.2),
                (Measure::NpsResponses, row.3),
                (Measure::NpsPromoters, row.4),
                (Measure::NpsDetractors, row.5),
                (Measure::AidedResponses, row.6),
                (Measure::AidedAware, row.7),
                (Measure::UnaidedResponses, row.8),
                (Measure::UnaidedAware, row.9),
            ] {
                add(&m, measure, count(v), None);
            }
        }
    }
    if sources.contains(&Source::Costs) {
        let r: Vec<(String, String, i64)> = rows(
            tx,
            "SELECT substr(date, 1, 7), currency, CAST(SUM(amount_minor) AS BIGINT) FROM marketing_costs
             WHERE date >= $1 AND date < $2 GROUP BY substr(date, 1, 7), currency",
            from,
            to,
        )
        .await?;
        for (m, currency, amount) in r {
            add(&m, Measure::MarketingCosts, minor(amount), Some(currency));
        }
    }
    Ok(Some(out))
}

/// The department's daily series from the roll-ups for [from, to): per
/// day, ad spend (whole units), clicks, conversions, paid orders and web
/// sessions; days without rows are absent.
pub async fn department_days(
    tx: &mut Tx,
    from: &str,
    to: &str,
) -> Result<std::collections::BTreeMap<String, [f64; 5]>> {
    use std::collections::BTreeMap;
    let mut out: BTreeMap<String, [f64; 5]> = BTreeMap::new();
    let ads: Vec<(String, i64, i64, f64)> = sqlx::query_as(
        "SELECT date, CAST(SUM(spend_minor) AS BIGINT), CAST(SUM(clicks) AS BIGINT),
                CAST(COALESCE(SUM(conversions), 0) AS DOUBLE PRECISION)
         FROM ad_stats_by_day WHERE date >= $1 AND date < $2 GROUP BY date",
    )
    .bind(from)
    .bind(to)
    .fetch_all(tx.conn())
    .await?;
    for (day, spend, clicks, conversions) in ads {
        let e = out.entry(day).or_default();
        e[0] = minor(spend);
        e[1] = count(clicks);
        e[2] = conversions;
    }
    let orders: Vec<(String, i64)> = sqlx::query_as(
        "SELECT date, CAST(SUM(orders) AS BIGINT) FROM orders_by_day
         WHERE date >= $1 AND date < $2 GROUP BY date",
    )
    .bind(from)
    .bind(to)
    .fetch_all(tx.conn())
    .await?;
    for (day, n) in orders {
        out.entry(day).or_default()[3] = count(n);
    }
    let web: Vec<(String, i64)> = sqlx::query_as(
        "SELECT date, CAST(COALESCE(SUM(sessions), 0) AS BIGINT) FROM web_traffic
         WHERE date >= $1 AND date < $2 GROUP BY date",
    )
    .bind(from)
    .bind(to)
    .fetch_all(tx.conn())
    .await?;
    for (day, n) in web {
        out.entry(day).or_default()[4] = count(n);
    }
    Ok(out)
}
