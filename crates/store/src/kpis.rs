//! KPIs and their targets.

use sqlx::AssertSqlSafe;

use crate::{Result, Tx};

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct KpiRow {
    pub id: i64,
    pub metric_code: String,
    pub scope: String,
    pub period_from: String,
    pub period_to: String,
    pub weight: f64,
    pub cap: f64,
    /// Alert when the value moves by more than this many percent week over week.
    pub alert_change_pct: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct TargetRow {
    pub kpi_id: i64,
    pub period_from: String,
    pub period_to: String,
    pub floor: Option<f64>,
    pub target: f64,
    pub stretch: Option<f64>,
}

pub struct NewKpi<'a> {
    pub metric_code: &'a str,
    pub scope: &'a str,
    pub period_from: &'a str,
    pub period_to: &'a str,
    pub weight: f64,
    pub cap: f64,
    pub alert_change_pct: Option<f64>,
    pub created_by_user_id: Option<i64>,
    pub now: i64,
}

pub async fn insert(tx: &mut Tx, kpi: &NewKpi<'_>, targets: &[TargetRow]) -> Result<i64> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO kpis (metric_code, scope, period_from, period_to, weight, cap, created_by_user_id, created_at, updated_at,
                           alert_change_pct)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8, $9) RETURNING id",
    )
    .bind(kpi.metric_code)
    .bind(kpi.scope)
    .bind(kpi.period_from)
    .bind(kpi.period_to)
    .bind(kpi.weight)
    .bind(kpi.cap)
    .bind(kpi.created_by_user_id)
    .bind(kpi.now)
    .bind(crate::NullableF64(kpi.alert_change_pct))
    .fetch_one(tx.conn())
    .await?;
    insert_targets(tx, id, targets).await?;
    Ok(id)
}

async fn insert_targets(tx: &mut Tx, kpi_id: i64, targets: &[TargetRow]) -> Result<()> {
    for t in targets {
        sqlx::query(
            "INSERT INTO kpi_targets (kpi_id, period_from, period_to, floor, target, stretch)
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(kpi_id)
        .bind(&t.period_from)
        .bind(&t.period_to)
        .bind(crate::NullableF64(t.floor))
        .bind(t.target)
        .bind(crate::NullableF64(t.stretch))
        .execute(tx.conn())
        .await?;
    }
    Ok(())
}

const SELECT: &str = "SELECT id, metric_code, scope, period_from, period_to, weight, cap, alert_change_pct FROM kpis";

/// KPIs of these scopes (`department`, `employee:7`, …) whose period
/// overlaps [from, to), oldest first.
pub async fn overlapping(
    tx: &mut Tx,
    scopes: &[String],
    from: &str,
    to: &str,
) -> Result<Vec<KpiRow>> {
    if scopes.is_empty() {
        return Ok(Vec::new());
    }
    let placeholders: Vec<String> = (0..scopes.len()).map(|i| format!("${}", i + 3)).collect();
    let sql = format!(
        "{SELECT} WHERE period_from < $2 AND period_to > $1 AND scope IN ({}) ORDER BY id",
        placeholders.join(", ")
    );
    let mut query = sqlx::query_as(AssertSqlSafe(sql)).bind(from).bind(to);
    for s in scopes {
        query = query.bind(s);
    }
    Ok(query.fetch_all(tx.conn()).await?)
}

pub async fn get(tx: &mut Tx, id: i64) -> Result<Option<KpiRow>> {
    Ok(
        sqlx::query_as(AssertSqlSafe(format!("{SELECT} WHERE id = $1")))
            .bind(id)
            .fetch_optional(tx.conn())
            .await?,
    )
}

pub async fn targets(tx: &mut Tx, kpi_id: i64) -> Result<Vec<TargetRow>> {
    Ok(sqlx::query_as(
        "SELECT CAST(kpi_id AS BIGINT) AS kpi_id, period_from, period_to, floor, target, stretch
         FROM kpi_targets WHERE kpi_id = $1 ORDER BY period_from",
    )
    .bind(kpi_id)
    .fetch_all(tx.conn())
    .await?)
}

/// The KPIs whose period holds `day` (YYYY-MM-DD), oldest first.
pub async fn running_on(tx: &mut Tx, day: &str) -> Result<Vec<KpiRow>> {
    Ok(sqlx::query_as(AssertSqlSafe(format!(
        "{SELECT} WHERE period_from <= $1 AND period_to > $1 ORDER BY id"
    )))
    .bind(day)
    .fetch_all(tx.conn())
    .await?)
}

/// Every KPI whose period overlaps [from, to), oldest first.
pub async fn overlapping_any(tx: &mut Tx, from: &str, to: &str) -> Result<Vec<KpiRow>> {
    Ok(sqlx::query_as(AssertSqlSafe(format!(
        "{SELECT} WHERE period_from < $2 AND period_to > $1 ORDER BY id"
    )))
    .bind(from)
    .bind(to)
    .fetch_all(tx.conn())
    .await?)
}

/// Replaces a KPI's targets (the caller keeps the earlier months' rows in
/// what it passes: history is never rewritten).
pub async fn replace_targets(
    tx: &mut Tx,
    kpi_id: i64,
    targets: &[TargetRow],
    now: i64,
) -> Result<()> {
    sqlx::query("DELETE FROM kpi_targets WHERE kpi_id = $1")
        .bind(kpi_id)
        .execute(tx.conn())
        .await?;
    insert_targets(tx, kpi_id, targets).await?;
    sqlx::query("UPDATE kpis SET updated_at = $1 WHERE id = $2")
        .bind(now)
        .bind(kpi_id)
        .execute(tx.conn())
        .await?;
    Ok(())
}

/// Ends a KPI's period early (retiring it from `to` on).
pub async fn set_end(tx: &mut Tx, kpi_id: i64, to: &str, now: i64) -> Result<()> {
    sqlx::query("UPDATE kpis SET period_to = $1, updated_at = $2 WHERE id = $3")
        .bind(to)
        .bind(now)
        .bind(kpi_id)
        .execute(tx.conn())
        .await?;
    Ok(())
}

/// Changes a KPI's weight and alert threshold.
pub async fn set_weight(
    tx: &mut Tx,
    kpi_id: i64,
    weight: f64,
    alert_change_pct: Option<f64>,
    now: i64,
) -> Result<()> {
    sqlx::query(
        "UPDATE kpis SET weight = $1, alert_change_pct = $2, updated_at = $3 WHERE id = $4",
    )
    .bind(weight)
    .bind(crate::NullableF64(alert_change_pct))
    .bind(now)
    .bind(kpi_id)
    .execute(tx.conn())
    .await?;
    Ok(())
}

/// Removes a KPI that never ran (its targets go with it).
pub async fn delete(tx: &mut Tx, kpi_id: i64) -> Result<()> {
    for sql in [
        "DELETE FROM kpi_alert_states WHERE kpi_id = $1",
        "DELETE FROM kpi_targets WHERE kpi_id = $1",
        "DELETE FROM kpis WHERE id = $1",
    ] {
        sqlx::query(sql).bind(kpi_id).execute(tx.conn()).await?;
    }
    Ok(())
}
