//! API tokens for automation: stored as a SHA-256 hash, shown once on creation.

use crate::{Result, StoreError, Tx};

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ApiTokenRow {
    pub id: i64,
    pub user_id: i64,
    pub name: String,
    pub prefix: String,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
    pub revoked_at: Option<i64>,
}

pub async fn insert(
    tx: &mut Tx,
    user_id: i64,
    name: &str,
    prefix: &str,
    token_hash: &str,
    now: i64,
) -> Result<i64> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO api_tokens (user_id, name, prefix, token_hash, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(user_id)
    .bind(name)
    .bind(prefix)
    .bind(token_hash)
    .bind(now)
    .fetch_one(tx.conn())
    .await?;
    Ok(id)
}

/// A live (not revoked) token by its hash.
pub async fn find_live(tx: &mut Tx, token_hash: &str) -> Result<Option<ApiTokenRow>> {
    Ok(sqlx::query_as(
        "SELECT id, user_id, name, prefix, created_at, last_used_at, revoked_at
         FROM api_tokens WHERE token_hash = $1 AND revoked_at IS NULL",
    )
    .bind(token_hash)
    .fetch_optional(tx.conn())
    .await?)
}

pub async fn list_for_user(tx: &mut Tx, user_id: i64) -> Result<Vec<ApiTokenRow>> {
    Ok(sqlx::query_as(
        "SELECT id, user_id, name, prefix, created_at, last_used_at, revoked_at
         FROM api_tokens WHERE user_id = $1 ORDER BY id",
    )
    .bind(user_id)
    .fetch_all(tx.conn())
    .await?)
}

pub async fn touch(tx: &mut Tx, id: i64, now: i64) -> Result<()> {
    sqlx::query("UPDATE api_tokens SET last_used_at = $1 WHERE id = $2")
        .bind(now)
        .bind(id)
        .execute(tx.conn())
        .await?;
    Ok(())
}

pub async fn revoke(tx: &mut Tx, user_id: i64, id: i64, now: i64) -> Result<()> {
    let done = sqlx::query(
        "UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND user_id = $3 AND revoked_at IS NULL",
    )
    .bind(now)
    .bind(id)
    .bind(user_id)
    .execute(tx.conn())
    .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// Revokes every live token of an account (a password change, a departure).
pub async fn revoke_all(tx: &mut Tx, user_id: i64, now: i64) -> Result<u64> {
    let done = sqlx::query(
        "UPDATE api_tokens SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL",
    )
    .bind(now)
    .bind(user_id)
    .execute(tx.conn())
    .await?;
    Ok(done.rows_affected())
}
