//! Sign-in attempts, for rate limiting that holds across several servers.

use crate::{Result, Tx};

/// Records an attempt; its id, to mark it a success once the password matched.
pub async fn record(tx: &mut Tx, login: &str, ip: &str, at: i64, success: bool) -> Result<i64> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO login_attempts (login, ip, at, success) VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(login)
    .bind(ip)
    .bind(at)
    .bind(i64::from(success))
    .fetch_one(tx.conn())
    .await?;
    Ok(id)
}

pub async fn mark_success(tx: &mut Tx, id: i64) -> Result<()> {
    sqlx::query("UPDATE login_attempts SET success = 1 WHERE id = $1")
        .bind(id)
        .execute(tx.conn())
        .await?;
    Ok(())
}

/// Failed attempts in the window, for one login from one address and for
/// the address, with when the last (pair) and oldest (address) happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Failures {
    pub pair: i64,
    pub address: i64,
    pub last_pair_failure: Option<i64>,
    pub oldest_address_failure: Option<i64>,
}

/// Failures since `since`, counting only attempts recorded before the
/// attempt `before` when given (an attempt does not count against itself).
pub async fn failures_since(
    tx: &mut Tx,
    login: &str,
    ip: &str,
    since: i64,
    before: Option<i64>,
) -> Result<Failures> {
    let (pair, last, address, oldest): (i64, Option<i64>, i64, Option<i64>) = sqlx::query_as(
        "SELECT
            (SELECT COUNT(*) FROM login_attempts WHERE login = $1 AND ip = $2 AND at >= $3 AND success = 0 AND id < $4),
            (SELECT MAX(at) FROM login_attempts WHERE login = $1 AND ip = $2 AND at >= $3 AND success = 0 AND id < $4),
            (SELECT COUNT(*) FROM login_attempts WHERE ip = $2 AND at >= $3 AND success = 0 AND id < $4),
            (SELECT MIN(at) FROM login_attempts WHERE ip = $2 AND at >= $3 AND success = 0 AND id < $4)",
    )
    .bind(login)
    .bind(ip)
    .bind(since)
    .bind(before.unwrap_or(i64::MAX))
    .fetch_one(tx.conn())
    .await?;
    Ok(Failures {
        pair,
        address,
        last_pair_failure: last,
        oldest_address_failure: oldest,
    })
}

pub async fn delete_before(tx: &mut Tx, before: i64) -> Result<u64> {
    Ok(sqlx::query("DELETE FROM login_attempts WHERE at < $1")
        .bind(before)
        .execute(tx.conn())
        .await?
        .rows_affected())
}
