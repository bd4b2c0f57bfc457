//! Sign-in sessions, kept in the database so several servers share them.
//! Only a hash of the cookie value is stored.

use crate::{Result, Tx};

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct SessionRow {
    pub id_hash: String,
    pub user_id: i64,
    pub csrf_token: String,
    pub created_at: i64,
    pub last_seen_at: i64,
}

pub async fn insert(tx: &mut Tx, s: &SessionRow) -> Result<()> {
    sqlx::query(
        "INSERT INTO sessions (id_hash, user_id, csrf_token, created_at, last_seen_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(&s.id_hash)
    .bind(s.user_id)
    .bind(&s.csrf_token)
    .bind(s.created_at)
    .bind(s.last_seen_at)
    .execute(tx.conn())
    .await?;
    Ok(())
}

pub async fn get(tx: &mut Tx, id_hash: &str) -> Result<Option<SessionRow>> {
    Ok(sqlx::query_as(
        "SELECT id_hash, user_id, csrf_token, created_at, last_seen_at FROM sessions WHERE id_hash = $1",
    )
    .bind(id_hash)
    .fetch_optional(tx.conn())
    .await?)
}

pub async fn touch(tx: &mut Tx, id_hash: &str, now: i64) -> Result<()> {
    sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE id_hash = $2")
        .bind(now)
        .bind(id_hash)
        .execute(tx.conn())
        .await?;
    Ok(())
}

pub async fn delete(tx: &mut Tx, id_hash: &str) -> Result<()> {
    sqlx::query("DELETE FROM sessions WHERE id_hash = $1")
        .bind(id_hash)
        .execute(tx.conn())
        .await?;
    Ok(())
}

/// Ends every session of a user (deactivation, password change, reset).
pub async fn delete_for_user(tx: &mut Tx, user_id: i64) -> Result<u64> {
    Ok(sqlx::query("DELETE FROM sessions WHERE user_id = $1")
        .bind(user_id)
        .execute(tx.conn())
        .await?
        .rows_affected())
}

/// Removes sessions idle since before `idle_before` or created before
/// `created_before`.
pub async fn delete_expired(tx: &mut Tx, idle_before: i64, created_before: i64) -> Result<u64> {
    Ok(
        sqlx::query("DELETE FROM sessions WHERE last_seen_at < $1 OR created_at < $2")
            .bind(idle_before)
            .bind(created_before)
            .execute(tx.conn())
            .await?
            .rows_affected(),
    )
}
