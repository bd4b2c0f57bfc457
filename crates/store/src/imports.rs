//! The record of every import, and the previous state of the rows each one
//! changed, so that the latest import can be rolled back exactly.

use crate::{Result, StoreError, Tx};

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ImportRow {
    pub id: i64,
    pub at: i64,
    pub actor_user_id: Option<i64>,
    pub actor: String,
    pub source: String,
    pub file_hash: Option<String>,
    pub preset: String,
    pub fact: String,
    pub rows_read: i64,
    pub rows_added: i64,
    pub rows_updated: i64,
    pub rows_unchanged: i64,
    pub status: String,
    pub rolled_back_at: Option<i64>,
}

#[derive(Debug, Clone)]
pub struct NewImport<'a> {
    pub at: i64,
    pub actor_user_id: Option<i64>,
    pub actor: &'a str,
    pub source: &'a str,
    pub file_hash: Option<&'a str>,
    pub preset: &'a str,
    pub fact: &'a str,
}

/// Counts of what an import did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ImportCounts {
    pub read: i64,
    pub added: i64,
    pub updated: i64,
    pub unchanged: i64,
}

const SELECT: &str =
    "SELECT id, at, actor_user_id, actor, source, file_hash, preset, fact, rows_read, rows_added,
        rows_updated, rows_unchanged, status, rolled_back_at FROM imports";

pub async fn insert(tx: &mut Tx, i: &NewImport<'_>) -> Result<i64> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO imports (at, actor_user_id, actor, source, file_hash, preset, fact, rows_read, rows_added, rows_updated, rows_unchanged, status)
         VALUES ($1, $2, $3, $4, $5, $6, $7, 0, 0, 0, 0, 'applied') RETURNING id",
    )
    .bind(i.at)
    .bind(i.actor_user_id)
    .bind(i.actor)
    .bind(i.source)
    .bind(i.file_hash)
    .bind(i.preset)
    .bind(i.fact)
    .fetch_one(tx.conn())
    .await?;
    Ok(id)
}

pub async fn set_counts(tx: &mut Tx, id: i64, c: ImportCounts) -> Result<()> {
    sqlx::query("UPDATE imports SET rows_read = $1, rows_added = $2, rows_updated = $3, rows_unchanged = $4 WHERE id = $5")
        .bind(c.read)
        .bind(c.added)
        .bind(c.updated)
        .bind(c.unchanged)
        .bind(id)
        .execute(tx.conn())
        .await?;
    Ok(())
}

pub async fn get(tx: &mut Tx, id: i64) -> Result<ImportRow> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!("{SELECT} WHERE id = $1")))
        .bind(id)
        .fetch_optional(tx.conn())
        .await?
        .ok_or(StoreError::NotFound)
}

/// The newest imports first.
pub async fn list(tx: &mut Tx, limit: i64) -> Result<Vec<ImportRow>> {
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{SELECT} ORDER BY id DESC LIMIT $1"
    )))
    .bind(limit)
    .fetch_all(tx.conn())
    .await?)
}

/// The id of the most recent import still applied.
pub async fn latest_applied(tx: &mut Tx) -> Result<Option<i64>> {
    let (id,): (Option<i64>,) =
        sqlx::query_as("SELECT MAX(id) FROM imports WHERE status = 'applied'")
            .fetch_one(tx.conn())
            .await?;
    Ok(id)
}

pub async fn mark_rolled_back(tx: &mut Tx, id: i64, at: i64) -> Result<()> {
    sqlx::query("UPDATE imports SET status = 'rolled_back', rolled_back_at = $1 WHERE id = $2")
        .bind(at)
        .bind(id)
        .execute(tx.conn())
        .await?;
    Ok(())
}

pub async fn add_revision(
    tx: &mut Tx,
    import_id: i64,
    fact: &str,
    row_key: &str,
    previous: &str,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO import_revisions (import_id, fact, row_key, previous) VALUES ($1, $2, $3, $4)",
    )
    .bind(import_id)
    .bind(fact)
    .bind(row_key)
    .bind(previous)
    .execute(tx.conn())
    .await?;
    Ok(())
}

/// (row key, previous state as JSON) of the rows an import changed.
pub async fn revisions(tx: &mut Tx, import_id: i64, fact: &str) -> Result<Vec<(String, String)>> {
    Ok(sqlx::query_as(
        "SELECT row_key, previous FROM import_revisions WHERE import_id = $1 AND fact = $2",
    )
    .bind(import_id)
    .bind(fact)
    .fetch_all(tx.conn())
    .await?)
}

pub async fn set_hash(tx: &mut Tx, id: i64, file_hash: &str) -> Result<()> {
    sqlx::query("UPDATE imports SET file_hash = $1 WHERE id = $2")
        .bind(file_hash)
        .bind(id)
        .execute(tx.conn())
        .await?;
    Ok(())
}
