//! Custom metric definitions, every version kept: the current one of a code
//! is its highest version that is not retired.

use crate::{Result, Tx};

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct MetricDefinitionRow {
    pub id: i64,
    pub code: String,
    pub version: i64,
    pub name_en: String,
    pub name_ru: String,
    pub formula: String,
    pub unit: String,
    pub direction: String,
    pub description: String,
    pub created_by_user_id: Option<i64>,
    pub created_at: i64,
}

pub struct NewMetricDefinition<'a> {
    pub code: &'a str,
    pub version: i64,
    pub name_en: &'a str,
    pub name_ru: &'a str,
    pub formula: &'a str,
    pub unit: &'a str,
    pub direction: &'a str,
    pub description: &'a str,
    pub created_by_user_id: Option<i64>,
    pub created_at: i64,
}

/// The current version of every custom metric that is not retired.
pub async fn current(tx: &mut Tx) -> Result<Vec<MetricDefinitionRow>> {
    Ok(sqlx::query_as(
        "SELECT d.id, d.code, CAST(d.version AS BIGINT) AS version, d.name_en, d.name_ru, d.formula, d.unit,
                d.direction, d.description, CAST(d.created_by_user_id AS BIGINT) AS created_by_user_id, d.created_at
         FROM metric_definitions d
         WHERE d.retired = 0 AND d.version = (SELECT MAX(v.version) FROM metric_definitions v WHERE v.code = d.code)
         ORDER BY d.code",
    )
    .fetch_all(tx.conn())
    .await?)
}

pub async fn insert(tx: &mut Tx, new: &NewMetricDefinition<'_>) -> Result<i64> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO metric_definitions (code, version, name_en, name_ru, formula, unit, direction, description,
                                         created_by_user_id, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
    )
    .bind(new.code)
    .bind(new.version)
    .bind(new.name_en)
    .bind(new.name_ru)
    .bind(new.formula)
    .bind(new.unit)
    .bind(new.direction)
    .bind(new.description)
    .bind(new.created_by_user_id)
    .bind(new.created_at)
    .fetch_one(tx.conn())
    .await?;
    Ok(id)
}
