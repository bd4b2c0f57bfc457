//! Roll-ups: sums the department's and channels' figures read instead of
//! every fact. They are derived data, rebuilt from the facts inside the
//! transaction that changed them (an import, a rollback), so they are never
//! out of step with what they summarise; `contract.rs` checks that they
//! always equal a fresh recomputation.
//!
//! - `ad_stats_by_day`: ad statistics per day, channel of the campaign ('' for
//!   none) and currency.
//! - `orders_by_day`: paid orders per day, channel (the order's own, else its
//!   campaign's, else '') and currency.
//! - `ad_stats_by_campaign_month`: ad statistics per campaign and month.
//! - `budgets_by_day`: campaign budgets spread over the days of their runs.
//! - `customer_firsts`: each customer's first and second paid order day.

use crate::{Result, Tx};

/// The revenue of the paid orders (alias `o`) that carry a cost of goods.
const COSTED: &str =
    "COALESCE(SUM(CASE WHEN o.cost_minor IS NOT NULL THEN o.amount_minor ELSE 0 END), 0)";

/// Which days to rebuild: all of them, or the days from one to another
/// (both included).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Days {
    All,
    Between(String, String),
}

impl Days {
    fn condition(&self, column: &str) -> (String, Vec<String>) {
        match self {
            Days::All => ("1 = 1".to_string(), Vec::new()),
            Days::Between(from, to) => (
                format!("{column} >= $1 AND {column} <= $2"),
                vec![from.clone(), to.clone()],
            ),
        }
    }
}

async fn run(tx: &mut Tx, sql: String, binds: &[String]) -> Result<()> {
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
    for b in binds {
        q = q.bind(b.clone());
    }
    q.execute(tx.conn()).await?;
    Ok(())
}

/// The spend of campaigns with a budget and both run dates.
const BUDGETED: &str =
    "COALESCE(SUM(CASE WHEN c.budget_minor IS NOT NULL AND c.start_date IS NOT NULL
     AND c.end_date IS NOT NULL THEN a.spend_minor ELSE 0 END), 0)";

/// Rebuilds the ad statistics roll-up for `days`.
pub async fn refresh_ad_stats(tx: &mut Tx, days: &Days) -> Result<()> {
    let (cond, binds) = days.condition("date");
    run(
        tx,
        format!("DELETE FROM ad_stats_by_day WHERE {cond}"),
        &binds,
    )
    .await?;
    let (cond, binds) = days.condition("a.date");
    run(
        tx,
        format!(
            "INSERT INTO ad_stats_by_day (date, channel, currency, impressions, clicks, spend_minor,
                                          conversions, conversion_value_minor, budgeted_spend_minor)
             SELECT a.date, COALESCE(c.channel, ''), a.currency, SUM(a.impressions), SUM(a.clicks),
                    SUM(a.spend_minor), CAST(COALESCE(SUM(a.conversions), 0) AS DOUBLE PRECISION),
                    COALESCE(SUM(a.conversion_value_minor), 0), {BUDGETED}
             FROM ad_stats a JOIN campaigns c ON c.id = a.campaign_id
             WHERE {cond}
             GROUP BY a.date, COALESCE(c.channel, ''), a.currency"
        ),
        &binds,
    )
    .await?;
    // The months those days fall in, whole.
    let (months, month_binds, dates, date_binds) = match days {
        Days::All => (
            "1 = 1".to_string(),
            Vec::new(),
            "1 = 1".to_string(),
            Vec::new(),
        ),
        Days::Between(from, to) => {
            use mkpi_domain::period::Day;
            let first = Day::parse(from).map(Day::first_of_month);
            let after = Day::parse(to).map(|d| d.first_of_month().plus_months(1));
            let (Ok(first), Ok(after)) = (first, after) else {
                return Err(crate::StoreError::Database(sqlx::Error::Protocol(format!(
                    "days {from}..{to} are not dates"
                ))));
            };
            let (first, after) = (first.to_string(), after.to_string());
            (
                "month >= $1 AND month < $2".to_string(),
                vec![first[..7].to_string(), after[..7].to_string()],
                "date >= $1 AND date < $2".to_string(),
                vec![first, after],
            )
        }
    };
    run(
        tx,
        format!("DELETE FROM ad_stats_by_campaign_month WHERE {months}"),
        &month_binds,
    )
    .await?;
    run(
        tx,
        format!(
            "INSERT INTO ad_stats_by_campaign_month (month, campaign_id, impressions, clicks, spend_minor,
                                                    conversions, conversion_value_minor)
             SELECT substr(date, 1, 7), campaign_id, SUM(impressions), SUM(clicks), SUM(spend_minor),
                    CAST(COALESCE(SUM(conversions), 0) AS DOUBLE PRECISION), COALESCE(SUM(conversion_value_minor), 0)
             FROM ad_stats WHERE {dates}
             GROUP BY substr(date, 1, 7), campaign_id"
        ),
        &date_binds,
    )
    .await
}

/// Rebuilds the paid-orders roll-up for `days`.
pub async fn refresh_orders(tx: &mut Tx, days: &Days) -> Result<()> {
    let (cond, binds) = days.condition("date");
    run(
        tx,
        format!("DELETE FROM orders_by_day WHERE {cond}"),
        &binds,
    )
    .await?;
    let (cond, binds) = days.condition("o.date");
    run(
        tx,
        format!(
            "INSERT INTO orders_by_day (date, channel, currency, orders, amount_minor, costed_amount_minor, cost_minor)
             SELECT o.date, COALESCE(o.channel, c.channel, ''), o.currency, COUNT(*), SUM(o.amount_minor),
                    {COSTED}, COALESCE(SUM(o.cost_minor), 0)
             FROM orders o LEFT JOIN campaigns c ON c.id = o.campaign_id
             WHERE o.status = 'paid' AND {cond}
             GROUP BY o.date, COALESCE(o.channel, c.channel, ''), o.currency"
        ),
        &binds,
    )
    .await
}

/// Rebuilds every customer's first and second paid order day.
pub async fn refresh_customers(tx: &mut Tx) -> Result<()> {
    run(tx, "DELETE FROM customer_firsts".into(), &[]).await?;
    run(
        tx,
        "INSERT INTO customer_firsts (customer_id, first_date, second_date)
         SELECT f.customer_id, f.first_date,
                (SELECT p.date FROM orders p WHERE p.customer_id = f.customer_id AND p.status = 'paid'
                 ORDER BY p.date LIMIT 1 OFFSET 1)
         FROM (SELECT customer_id, MIN(date) AS first_date FROM orders
               WHERE status = 'paid' AND customer_id IS NOT NULL GROUP BY customer_id) f"
            .into(),
        &[],
    )
    .await
}

/// Rebuilds the budgets spread over their runs' days: each campaign with a
/// budget and both dates adds budget / days of the run to every day of it.
pub async fn refresh_budgets(tx: &mut Tx) -> Result<()> {
    use mkpi_domain::period::Day;
    use std::collections::BTreeMap;
    // (budget, channel, currency, start, end)
    type Budget = (i64, Option<String>, Option<String>, String, String);
    let rows: Vec<Budget> = sqlx::query_as(
        "SELECT budget_minor, channel, currency, start_date, end_date FROM campaigns
         WHERE budget_minor IS NOT NULL AND start_date IS NOT NULL AND end_date IS NOT NULL",
    )
    .fetch_all(tx.conn())
    .await?;
    let mut days: BTreeMap<(String, String, String), f64> = BTreeMap::new();
    for (budget, channel, currency, start, end) in rows {
        let (Ok(start), Ok(end)) = (Day::parse(&start), Day::parse(&end)) else {
            continue;
        };
        let run = start.days_until(end) + 1;
        if run <= 0 {
            continue;
        }
        #[allow(clippy::cast_precision_loss)]
        let per_day = budget as f64 / run as f64;
        let (channel, currency) = (channel.unwrap_or_default(), currency.unwrap_or_default());
        for k in 0..run {
            *days
                .entry((
                    start.plus_days(k).to_string(),
                    channel.clone(),
                    currency.clone(),
                ))
                .or_default() += per_day;
        }
    }
    run(tx, "DELETE FROM budgets_by_day".into(), &[]).await?;
    let rows: Vec<_> = days.into_iter().collect();
    for chunk in rows.chunks(200) {
        let values: Vec<String> = (0..chunk.len())
            .map(|i| {
                format!(
                    "(${}, ${}, ${}, ${})",
                    4 * i + 1,
                    4 * i + 2,
                    4 * i + 3,
                    4 * i + 4
                )
            })
            .collect();
        let sql = format!(
            "INSERT INTO budgets_by_day (date, channel, currency, budget_minor) VALUES {}",
            values.join(", ")
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for ((date, channel, currency), budget) in chunk {
            q = q
                .bind(date.clone())
                .bind(channel.clone())
                .bind(currency.clone())
                .bind(*budget);
        }
        q.execute(tx.conn()).await?;
    }
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM budgets_by_day")
        .fetch_one(tx.conn())
        .await?;
    sqlx::query("DELETE FROM rollup_state WHERE name = 'budgets'")
        .execute(tx.conn())
        .await?;
    sqlx::query("INSERT INTO rollup_state (name, rows) VALUES ('budgets', $1)")
        .bind(n)
        .execute(tx.conn())
        .await?;
    Ok(())
}

/// Whether the budgets roll-up was ever built (a database migrated from
/// before it needs one build).
pub async fn budgets_built(tx: &mut Tx) -> Result<bool> {
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM rollup_state WHERE name = 'budgets'")
        .fetch_one(tx.conn())
        .await?;
    Ok(n > 0)
}

/// After a fact changed on `days` (or anywhere): rebuilds what summarises it.
/// Campaigns carry the channel both roll-ups group by.
pub async fn refresh_for(tx: &mut Tx, fact: &str, days: &Days) -> Result<()> {
    match fact {
        "ad_stats" => refresh_ad_stats(tx, days).await,
        "orders" => {
            refresh_orders(tx, days).await?;
            refresh_customers(tx).await
        }
        "campaigns" => {
            refresh_ad_stats(tx, &Days::All).await?;
            refresh_orders(tx, &Days::All).await?;
            refresh_budgets(tx).await
        }
        _ => Ok(()),
    }
}

/// The roll-ups as stored and as the facts say they should be, for the
/// check that they agree: (stored, recomputed) rows, each as text.
pub async fn compare(tx: &mut Tx) -> Result<(Vec<String>, Vec<String>)> {
    let stored: Vec<(String,)> = sqlx::query_as(
        "SELECT 'a|' || date || '|' || channel || '|' || currency || '|' || CAST(impressions AS TEXT) || '|' ||
                CAST(clicks AS TEXT) || '|' || CAST(spend_minor AS TEXT) || '|' || CAST(conversion_value_minor AS TEXT) || '|' ||
                CAST(budgeted_spend_minor AS TEXT)
         FROM ad_stats_by_day
         UNION ALL
         SELECT 'm|' || month || '|' || CAST(campaign_id AS TEXT) || '|' || CAST(impressions AS TEXT) || '|' ||
                CAST(clicks AS TEXT) || '|' || CAST(spend_minor AS TEXT) || '|' || CAST(conversion_value_minor AS TEXT)
         FROM ad_stats_by_campaign_month
         UNION ALL
         SELECT 'o|' || date || '|' || channel || '|' || currency || '|' || CAST(orders AS TEXT) || '|' || CAST(amount_minor AS TEXT) || '|' ||
                CAST(costed_amount_minor AS TEXT) || '|' || CAST(cost_minor AS TEXT)
         FROM orders_by_day
         UNION ALL
         SELECT 'c|' || customer_id || '|' || first_date || '|' || COALESCE(second_date, '-') FROM customer_firsts",
    )
    .fetch_all(tx.conn())
    .await?;
    let fresh: Vec<(String,)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT 'a|' || a.date || '|' || COALESCE(c.channel, '') || '|' || a.currency || '|' ||
                CAST(SUM(a.impressions) AS TEXT) || '|' || CAST(SUM(a.clicks) AS TEXT) || '|' ||
                CAST(SUM(a.spend_minor) AS TEXT) || '|' || CAST(COALESCE(SUM(a.conversion_value_minor), 0) AS TEXT) || '|' ||
                CAST({BUDGETED} AS TEXT)
         FROM ad_stats a JOIN campaigns c ON c.id = a.campaign_id
         GROUP BY a.date, COALESCE(c.channel, ''), a.currency
         UNION ALL
         SELECT 'm|' || substr(date, 1, 7) || '|' || CAST(campaign_id AS TEXT) || '|' || CAST(SUM(impressions) AS TEXT) || '|' ||
                CAST(SUM(clicks) AS TEXT) || '|' || CAST(SUM(spend_minor) AS TEXT) || '|' ||
                CAST(COALESCE(SUM(conversion_value_minor), 0) AS TEXT)
         FROM ad_stats GROUP BY substr(date, 1, 7), campaign_id
         UNION ALL
         SELECT 'o|' || o.date || '|' || COALESCE(o.channel, c.channel, '') || '|' || o.currency || '|' ||
                CAST(COUNT(*) AS TEXT) || '|' || CAST(SUM(o.amount_minor) AS TEXT) || '|' ||
                CAST({COSTED} AS TEXT) || '|' || CAST(COALESCE(SUM(o.cost_minor), 0) AS TEXT)
         FROM orders o LEFT JOIN campaigns c ON c.id = o.campaign_id WHERE o.status = 'paid'
         GROUP BY o.date, COALESCE(o.channel, c.channel, ''), o.currency
         UNION ALL
         SELECT 'c|' || f.customer_id || '|' || f.first_date || '|' ||
                COALESCE((SELECT p.date FROM orders p WHERE p.customer_id = f.customer_id AND p.status = 'paid'
                          ORDER BY p.date LIMIT 1 OFFSET 1), '-')
         FROM (SELECT customer_id, MIN(date) AS first_date FROM orders
               WHERE status = 'paid' AND customer_id IS NOT NULL GROUP BY customer_id) f"
    )))
    .fetch_all(tx.conn())
    .await?;
    let mut stored: Vec<String> = stored.into_iter().map(|(s,)| s).collect();
    let mut fresh: Vec<String> = fresh.into_iter().map(|(s,)| s).collect();
    stored.sort();
    fresh.sort();
    Ok((stored, fresh))
}
