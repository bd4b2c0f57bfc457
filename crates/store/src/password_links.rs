//! One-time links through which a person sets their own password. Only the
//! token's SHA-256 is kept; a link is spent by the update that uses it.

use crate::{Result, Tx};

pub async fn insert(
    tx: &mut Tx,
    user_id: i64,
    token_hash: &str,
    now: i64,
    expires_at: i64,
) -> Result<i64> {
    // A new link replaces the ones given before.
    sqlx::query("UPDATE password_links SET used_at = $1 WHERE user_id = $2 AND used_at IS NULL")
        .bind(now)
        .bind(user_id)
        .execute(tx.conn())
        .await?;
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO password_links (user_id, token_hash, created_at, expires_at)
         VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(user_id)
    .bind(token_hash)
    .bind(now)
    .bind(expires_at)
    .fetch_one(tx.conn())
    .await?;
    Ok(id)
}

/// A link by its token's hash, whatever its state: (id, user id, spent,
/// expires at).
pub async fn find(tx: &mut Tx, token_hash: &str) -> Result<Option<(i64, i64, bool, i64)>> {
    let row: Option<(i64, i64, Option<i64>, i64)> = sqlx::query_as(
        "SELECT id, user_id, used_at, expires_at FROM password_links WHERE token_hash = $1",
    )
    .bind(token_hash)
    .fetch_optional(tx.conn())
    .await?;
    Ok(row.map(|(id, user, used, expires)| (id, user, used.is_some(), expires)))
}

/// Spends a link; false when another request spent it first.
pub async fn spend(tx: &mut Tx, id: i64, now: i64) -> Result<bool> {
    let done =
        sqlx::query("UPDATE password_links SET used_at = $1 WHERE id = $2 AND used_at IS NULL")
            .bind(now)
            .bind(id)
            .execute(tx.conn())
            .await?;
    Ok(done.rows_affected() == 1)
}
