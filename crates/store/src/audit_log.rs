//! The audit log: who changed what, when, with the state before and after.
//! Rows are only ever added.

use crate::{Result, Tx};

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct AuditRow {
    pub id: i64,
    pub at: i64,
    pub actor_user_id: Option<i64>,
    pub actor: String,
    pub action: String,
    pub entity: String,
    pub entity_id: Option<i64>,
    pub before_json: Option<String>,
    pub after_json: Option<String>,
}

#[derive(Debug, Clone)]
pub struct NewAuditEntry<'a> {
    pub at: i64,
    pub actor_user_id: Option<i64>,
    pub actor: &'a str,
    pub action: &'a str,
    pub entity: &'a str,
    pub entity_id: Option<i64>,
    pub before_json: Option<String>,
    pub after_json: Option<String>,
}

pub async fn record(tx: &mut Tx, e: NewAuditEntry<'_>) -> Result<i64> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO audit_log (at, actor_user_id, actor, action, entity, entity_id, before_json, after_json)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(e.at)
    .bind(e.actor_user_id)
    .bind(e.actor)
    .bind(e.action)
    .bind(e.entity)
    .bind(e.entity_id)
    .bind(e.before_json)
    .bind(e.after_json)
    .fetch_one(tx.conn())
    .await?;
    Ok(id)
}

/// The newest entries first; `entity` narrows to one kind of thing.
pub async fn list(
    tx: &mut Tx,
    entity: Option<&str>,
    limit: i64,
    offset: i64,
) -> Result<Vec<AuditRow>> {
    Ok(sqlx::query_as(
        "SELECT id, at, actor_user_id, actor, action, entity, entity_id, before_json, after_json
         FROM audit_log WHERE ($1 IS NULL OR entity = $1) ORDER BY id DESC LIMIT $2 OFFSET $3",
    )
    .bind(entity)
    .bind(limit)
    .bind(offset)
    .fetch_all(tx.conn())
    .await?)
}

/// A page of the entries (newest first) of one kind of thing, or all,
/// whose author, action or kind of thing contains `q` (any case), with how
/// many there are in all.
pub async fn search(
    tx: &mut Tx,
    entity: Option<&str>,
    q: &str,
    limit: i64,
    offset: i64,
) -> Result<(Vec<AuditRow>, i64)> {
    let like = format!(
        "%{}%",
        q.trim()
            .to_lowercase()
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_")
    );
    let condition = "($1 IS NULL OR entity = $1)
         AND (LOWER(actor) LIKE $2 ESCAPE '\\' OR LOWER(action) LIKE $2 ESCAPE '\\' OR LOWER(entity) LIKE $2 ESCAPE '\\')";
    let rows = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT id, at, actor_user_id, actor, action, entity, entity_id, before_json, after_json
         FROM audit_log WHERE {condition} ORDER BY id DESC LIMIT $3 OFFSET $4"
    )))
    .bind(entity)
    .bind(&like)
    .bind(limit)
    .bind(offset)
    .fetch_all(tx.conn())
    .await?;
    let (total,): (i64,) = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT COUNT(*) FROM audit_log WHERE {condition}"
    )))
    .bind(entity)
    .bind(&like)
    .fetch_one(tx.conn())
    .await?;
    Ok((rows, total))
}

pub async fn count(tx: &mut Tx) -> Result<i64> {
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM audit_log")
        .fetch_one(tx.conn())
        .await?;
    Ok(n)
}
