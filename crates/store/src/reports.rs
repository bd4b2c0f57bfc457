//! Report definitions: what a report is for and what it holds.

use crate::{Result, Tx};

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct ReportDefinitionRow {
    pub id: i64,
    pub name: String,
    pub purpose: String,
    pub metrics: String,
    pub scope: String,
    pub period_kind: String,
    pub period_from: Option<String>,
    pub period_to: Option<String>,
    pub compare: String,
    pub sections: String,
    pub language: String,
    pub created_by_user_id: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
}

pub struct NewReportDefinition<'a> {
    pub name: &'a str,
    pub purpose: &'a str,
    pub metrics: &'a str,
    pub scope: &'a str,
    pub period_kind: &'a str,
    pub period_from: Option<&'a str>,
    pub period_to: Option<&'a str>,
    pub compare: &'a str,
    pub sections: &'a str,
    pub language: &'a str,
}

const SELECT: &str =
    "SELECT id, name, purpose, metrics, scope, period_kind, period_from, period_to,
        compare, sections, language, created_by_user_id, created_at, updated_at FROM report_definitions";

pub async fn insert(
    tx: &mut Tx,
    d: &NewReportDefinition<'_>,
    user_id: Option<i64>,
    now: i64,
) -> Result<i64> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO report_definitions (name, purpose, metrics, scope, period_kind, period_from, period_to,
                                         compare, sections, language, created_by_user_id, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12) RETURNING id",
    )
    .bind(d.name)
    .bind(d.purpose)
    .bind(d.metrics)
    .bind(d.scope)
    .bind(d.period_kind)
    .bind(d.period_from)
    .bind(d.period_to)
    .bind(d.compare)
    .bind(d.sections)
    .bind(d.language)
    .bind(user_id)
    .bind(now)
    .fetch_one(tx.conn())
    .await?;
    Ok(id)
}

pub async fn by_name(tx: &mut Tx, name: &str) -> Result<Option<ReportDefinitionRow>> {
    Ok(
        sqlx::query_as(sqlx::AssertSqlSafe(format!("{SELECT} WHERE name = $1")))
            .bind(name)
            .fetch_optional(tx.conn())
            .await?,
    )
}

pub async fn all(tx: &mut Tx) -> Result<Vec<ReportDefinitionRow>> {
    Ok(
        sqlx::query_as(sqlx::AssertSqlSafe(format!("{SELECT} ORDER BY name")))
            .fetch_all(tx.conn())
            .await?,
    )
}

pub async fn by_id(tx: &mut Tx, id: i64) -> Result<Option<ReportDefinitionRow>> {
    Ok(
        sqlx::query_as(sqlx::AssertSqlSafe(format!("{SELECT} WHERE id = $1")))
            .bind(id)
            .fetch_optional(tx.conn())
            .await?,
    )
}

/// Replaces what a definition holds (its name included).
pub async fn update(tx: &mut Tx, id: i64, d: &NewReportDefinition<'_>, now: i64) -> Result<()> {
    sqlx::query(
        "UPDATE report_definitions SET name = $2, purpose = $3, metrics = $4, scope = $5,
             period_kind = $6, period_from = $7, period_to = $8, compare = $9, sections = $10,
             language = $11, updated_at = $12
         WHERE id = $1",
    )
    .bind(id)
    .bind(d.name)
    .bind(d.purpose)
    .bind(d.metrics)
    .bind(d.scope)
    .bind(d.period_kind)
    .bind(d.period_from)
    .bind(d.period_to)
    .bind(d.compare)
    .bind(d.sections)
    .bind(d.language)
    .bind(now)
    .execute(tx.conn())
    .await?;
    Ok(())
}

/// Deletes a definition with its share links and schedules.
pub async fn delete(tx: &mut Tx, id: i64) -> Result<()> {
    for sql in [
        "DELETE FROM report_shares WHERE definition_id = $1",
        "DELETE FROM report_schedules WHERE definition_id = $1",
        "DELETE FROM report_definitions WHERE id = $1",
    ] {
        sqlx::query(sql).bind(id).execute(tx.conn()).await?;
    }
    Ok(())
}

/// A competitor's figure for a month.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct BenchmarkRow {
    pub id: i64,
    pub competitor: String,
    /// `share_of_voice` (0–1), `price`, `traffic` (visits a month).
    pub kind: String,
    /// `YYYY-MM`.
    pub month: String,
    pub value: f64,
    pub source: String,
    pub created_at: i64,
}

const BENCHMARKS: &str =
    "SELECT id, competitor, kind, month, value, source, created_at FROM competitor_benchmarks";

/// Writes a competitor's figure for a month, replacing the one there was;
/// returns the row's id and the value it replaced.
pub async fn upsert_benchmark(
    tx: &mut Tx,
    b: &BenchmarkRow,
    user_id: Option<i64>,
) -> Result<(i64, Option<f64>)> {
    let before: Option<(i64, f64)> = sqlx::query_as(
        "SELECT id, value FROM competitor_benchmarks WHERE competitor = $1 AND kind = $2 AND month = $3",
    )
    .bind(&b.competitor)
    .bind(&b.kind)
    .bind(&b.month)
    .fetch_optional(tx.conn())
    .await?;
    if let Some((id, old)) = before {
        sqlx::query(
            "UPDATE competitor_benchmarks SET value = $2, source = $3, created_by_user_id = $4,
                 created_at = $5 WHERE id = $1",
        )
        .bind(id)
        .bind(b.value)
        .bind(&b.source)
        .bind(user_id)
        .bind(b.created_at)
        .execute(tx.conn())
        .await?;
        return Ok((id, Some(old)));
    }
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO competitor_benchmarks (competitor, kind, month, value, source, created_by_user_id, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(&b.competitor)
    .bind(&b.kind)
    .bind(&b.month)
    .bind(b.value)
    .bind(&b.source)
    .bind(user_id)
    .bind(b.created_at)
    .fetch_one(tx.conn())
    .await?;
    Ok((id, None))
}

/// Figures for the months from `from` to `to` (`YYYY-MM`, both included).
pub async fn benchmarks(tx: &mut Tx, from: &str, to: &str) -> Result<Vec<BenchmarkRow>> {
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{BENCHMARKS} WHERE month >= $1 AND month <= $2 ORDER BY competitor, kind, month"
    )))
    .bind(from)
    .bind(to)
    .fetch_all(tx.conn())
    .await?)
}

pub async fn benchmark(tx: &mut Tx, id: i64) -> Result<Option<BenchmarkRow>> {
    Ok(
        sqlx::query_as(sqlx::AssertSqlSafe(format!("{BENCHMARKS} WHERE id = $1")))
            .bind(id)
            .fetch_optional(tx.conn())
            .await?,
    )
}

pub async fn delete_benchmark(tx: &mut Tx, id: i64) -> Result<()> {
    sqlx::query("DELETE FROM competitor_benchmarks WHERE id = $1")
        .bind(id)
        .execute(tx.conn())
        .await?;
    Ok(())
}

/// A read-only link to a report.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct ShareRow {
    pub id: i64,
    pub definition_id: i64,
    pub created_by_user_id: i64,
    pub created_at: i64,
    pub expires_at: i64,
    pub revoked_at: Option<i64>,
}

const SHARES: &str =
    "SELECT id, definition_id, created_by_user_id, created_at, expires_at, revoked_at
    FROM report_shares";

pub async fn insert_share(
    tx: &mut Tx,
    definition_id: i64,
    token_hash: &str,
    user_id: i64,
    now: i64,
    expires_at: i64,
) -> Result<i64> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO report_shares (definition_id, token_hash, created_by_user_id, created_at, expires_at)
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(definition_id)
    .bind(token_hash)
    .bind(user_id)
    .bind(now)
    .bind(expires_at)
    .fetch_one(tx.conn())
    .await?;
    Ok(id)
}

pub async fn share_by_hash(tx: &mut Tx, token_hash: &str) -> Result<Option<ShareRow>> {
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{SHARES} WHERE token_hash = $1"
    )))
    .bind(token_hash)
    .fetch_optional(tx.conn())
    .await?)
}

pub async fn share(tx: &mut Tx, id: i64) -> Result<Option<ShareRow>> {
    Ok(
        sqlx::query_as(sqlx::AssertSqlSafe(format!("{SHARES} WHERE id = $1")))
            .bind(id)
            .fetch_optional(tx.conn())
            .await?,
    )
}

pub async fn shares(tx: &mut Tx, definition_id: i64) -> Result<Vec<ShareRow>> {
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{SHARES} WHERE definition_id = $1 ORDER BY id DESC"
    )))
    .bind(definition_id)
    .fetch_all(tx.conn())
    .await?)
}

pub async fn revoke_share(tx: &mut Tx, id: i64, now: i64) -> Result<()> {
    sqlx::query("UPDATE report_shares SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL")
        .bind(id)
        .bind(now)
        .execute(tx.conn())
        .await?;
    Ok(())
}

/// A report mailed on a schedule.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct ScheduleRow {
    pub id: i64,
    pub definition_id: i64,
    pub frequency: String,
    /// JSON array of addresses.
    pub recipients: String,
    pub created_by_user_id: i64,
    pub created_at: i64,
    pub next_run_at: i64,
    pub last_run_at: Option<i64>,
    pub active: i64,
}

const SCHEDULES: &str =
    "SELECT id, definition_id, frequency, recipients, created_by_user_id, created_at,
    next_run_at, last_run_at, CAST(active AS BIGINT) AS active FROM report_schedules";

pub async fn insert_schedule(
    tx: &mut Tx,
    definition_id: i64,
    frequency: &str,
    recipients: &str,
    user_id: i64,
    now: i64,
    next_run_at: i64,
) -> Result<i64> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO report_schedules (definition_id, frequency, recipients, created_by_user_id, created_at, next_run_at)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(definition_id)
    .bind(frequency)
    .bind(recipients)
    .bind(user_id)
    .bind(now)
    .bind(next_run_at)
    .fetch_one(tx.conn())
    .await?;
    Ok(id)
}

pub async fn schedules(tx: &mut Tx, definition_id: i64) -> Result<Vec<ScheduleRow>> {
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{SCHEDULES} WHERE definition_id = $1 ORDER BY id"
    )))
    .bind(definition_id)
    .fetch_all(tx.conn())
    .await?)
}

pub async fn schedule(tx: &mut Tx, id: i64) -> Result<Option<ScheduleRow>> {
    Ok(
        sqlx::query_as(sqlx::AssertSqlSafe(format!("{SCHEDULES} WHERE id = $1")))
            .bind(id)
            .fetch_optional(tx.conn())
            .await?,
    )
}

/// Active schedules whose time has come.
pub async fn due_schedules(tx: &mut Tx, now: i64) -> Result<Vec<ScheduleRow>> {
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{SCHEDULES} WHERE active = 1 AND next_run_at <= $1 ORDER BY id"
    )))
    .bind(now)
    .fetch_all(tx.conn())
    .await?)
}

/// Moves a due schedule on to its next run; false when another server
/// moved it first (it runs once).
pub async fn claim_schedule(
    tx: &mut Tx,
    id: i64,
    due_at: i64,
    now: i64,
    next: i64,
) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE report_schedules SET next_run_at = $3, last_run_at = $4
         WHERE id = $1 AND next_run_at = $2 AND active = 1",
    )
    .bind(id)
    .bind(due_at)
    .bind(next)
    .bind(now)
    .execute(tx.conn())
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn stop_schedule(tx: &mut Tx, id: i64) -> Result<()> {
    sqlx::query("UPDATE report_schedules SET active = 0 WHERE id = $1")
        .bind(id)
        .execute(tx.conn())
        .await?;
    Ok(())
}
