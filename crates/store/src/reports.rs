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
        compare, sections, language, created_at, updated_at FROM report_definitions";

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
