//! How other tools name a person: an alias (a name or e-mail as a tool
//! writes it) of an employee, kept per source (the preset of the import
//! whose answer made it).

use crate::{Result, Tx};

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct AliasRow {
    pub source: String,
    pub alias: String,
    pub employee_id: i64,
    pub import_id: Option<i64>,
    pub created_at: i64,
}

/// The aliases a source's files may use: (alias, employee).
pub async fn of_source(tx: &mut Tx, source: &str) -> Result<Vec<(String, i64)>> {
    Ok(
        sqlx::query_as("SELECT alias, employee_id FROM employee_aliases WHERE source = $1")
            .bind(source)
            .fetch_all(tx.conn())
            .await?,
    )
}

/// One person's aliases, by source.
pub async fn of_employee(tx: &mut Tx, employee_id: i64) -> Result<Vec<AliasRow>> {
    Ok(sqlx::query_as(
        "SELECT source, alias, employee_id, import_id, created_at FROM employee_aliases
         WHERE employee_id = $1 ORDER BY source, alias",
    )
    .bind(employee_id)
    .fetch_all(tx.conn())
    .await?)
}

/// Keeps an alias (lower-cased by the caller); one a source already has is left as it is.
pub async fn insert(
    tx: &mut Tx,
    source: &str,
    alias: &str,
    employee_id: i64,
    import_id: Option<i64>,
    now: i64,
) -> Result<bool> {
    let done = sqlx::query(
        "INSERT INTO employee_aliases (source, alias, employee_id, import_id, created_at)
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (source, alias) DO NOTHING",
    )
    .bind(source)
    .bind(alias)
    .bind(employee_id)
    .bind(import_id)
    .bind(now)
    .execute(tx.conn())
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Forgets one alias; whether it was there.
pub async fn delete(tx: &mut Tx, employee_id: i64, source: &str, alias: &str) -> Result<bool> {
    let done = sqlx::query(
        "DELETE FROM employee_aliases WHERE employee_id = $1 AND source = $2 AND alias = $3",
    )
    .bind(employee_id)
    .bind(source)
    .bind(alias)
    .execute(tx.conn())
    .await?;
    Ok(done.rows_affected() == 1)
}
