//! Sign-in attempts, for rate limiting that holds across several servers.

use crate::{Result, Tx};

pub async fn record(tx: &mut Tx, login: &str, ip: &str, at: i64, success: bool) -> Result<()> {
    sqlx::query("INSERT INTO login_attempts (login, ip, at, success) VALUES ($1, $2, $3, $4)")
        .bind(login)
        .bind(ip)
        .bind(at)
        .bind(i64::from(success))
        .execute(tx.conn())
        .await?;
    Ok(())
}

/// Failed attempts since `since`: (for this login, from this address).
pub async fn failures_since(tx: &mut Tx, login: &str, ip: &str, since: i64) -> Result<(i64, i64)> {
    let (by_login, by_ip): (i64, i64) = sqlx::query_as(
        "SELECT
            (SELECT COUNT(*) FROM login_attempts WHERE login = $1 AND at >= $3 AND success = 0),
            (SELECT COUNT(*) FROM login_attempts WHERE ip = $2 AND at >= $3 AND success = 0)",
    )
    .bind(login)
    .bind(ip)
    .bind(since)
    .fetch_one(tx.conn())
    .await?;
    Ok((by_login, by_ip))
}

/// The oldest failure at or after `since` for the login or address: when
/// it leaves the window, one more attempt is allowed.
pub async fn oldest_failure_since(
    tx: &mut Tx,
    login: &str,
    ip: &str,
    since: i64,
) -> Result<Option<i64>> {
    let (at,): (Option<i64>,) = sqlx::query_as(
        "SELECT MIN(at) FROM login_attempts WHERE (login = $1 OR ip = $2) AND at >= $3 AND success = 0",
    )
    .bind(login)
    .bind(ip)
    .bind(since)
    .fetch_one(tx.conn())
    .await?;
    Ok(at)
}

pub async fn delete_before(tx: &mut Tx, before: i64) -> Result<u64> {
    Ok(sqlx::query("DELETE FROM login_attempts WHERE at < $1")
        .bind(before)
        .execute(tx.conn())
        .await?
        .rows_affected())
}
