//! E-mail waiting to be sent. A message is written in the same transaction
//! as what caused it, and any server may deliver it: a sender claims a
//! message by moving its next attempt forward, so two never send one twice
//! at the same time.

use crate::{Result, Tx};

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct OutboxRow {
    pub id: i64,
    pub to_address: String,
    pub subject: String,
    pub body: String,
    pub created_at: i64,
    pub attempts: i64,
    pub sent_at: Option<i64>,
    pub last_error: Option<String>,
    pub attachment_name: Option<String>,
    pub attachment_type: Option<String>,
    /// Base64.
    pub attachment: Option<String>,
}

/// A file a message carries.
pub struct Attachment<'a> {
    pub name: &'a str,
    /// A MIME type, e.g. `application/pdf`.
    pub content_type: &'a str,
    /// Base64.
    pub base64: &'a str,
}

/// Queues a message with a file.
pub async fn enqueue_with(
    tx: &mut Tx,
    to: &str,
    subject: &str,
    body: &str,
    attachment: &Attachment<'_>,
    now: i64,
) -> Result<i64> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO outbox (to_address, subject, body, created_at, next_attempt_at,
                             attachment_name, attachment_type, attachment)
         VALUES ($1, $2, $3, $4, $4, $5, $6, $7) RETURNING id",
    )
    .bind(to)
    .bind(subject)
    .bind(body)
    .bind(now)
    .bind(attachment.name)
    .bind(attachment.content_type)
    .bind(attachment.base64)
    .fetch_one(tx.conn())
    .await?;
    Ok(id)
}

pub async fn enqueue(tx: &mut Tx, to: &str, subject: &str, body: &str, now: i64) -> Result<i64> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO outbox (to_address, subject, body, created_at, next_attempt_at)
         VALUES ($1, $2, $3, $4, $4) RETURNING id",
    )
    .bind(to)
    .bind(subject)
    .bind(body)
    .bind(now)
    .fetch_one(tx.conn())
    .await?;
    Ok(id)
}

const SELECT: &str =
    "SELECT id, to_address, subject, body, created_at, CAST(attempts AS BIGINT) AS attempts,
        sent_at, last_error, attachment_name, attachment_type, attachment FROM outbox";

/// Messages due for an attempt, oldest first.
pub async fn due(tx: &mut Tx, now: i64, max_attempts: i64, limit: i64) -> Result<Vec<OutboxRow>> {
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{SELECT} WHERE sent_at IS NULL AND next_attempt_at <= $1 AND attempts < $2 ORDER BY id LIMIT $3"
    )))
    .bind(now)
    .bind(max_attempts)
    .bind(limit)
    .fetch_all(tx.conn())
    .await?)
}

/// Claims a due message until `until`; false when another sender has it.
pub async fn claim(tx: &mut Tx, id: i64, now: i64, until: i64) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE outbox SET next_attempt_at = $3, attempts = attempts + 1
         WHERE id = $1 AND sent_at IS NULL AND next_attempt_at <= $2",
    )
    .bind(id)
    .bind(now)
    .bind(until)
    .execute(tx.conn())
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn mark_sent(tx: &mut Tx, id: i64, now: i64) -> Result<()> {
    sqlx::query("UPDATE outbox SET sent_at = $2, last_error = NULL WHERE id = $1")
        .bind(id)
        .bind(now)
        .execute(tx.conn())
        .await?;
    Ok(())
}

pub async fn mark_failed(tx: &mut Tx, id: i64, error: &str, retry_at: i64) -> Result<()> {
    sqlx::query("UPDATE outbox SET last_error = $2, next_attempt_at = $3 WHERE id = $1")
        .bind(id)
        .bind(error)
        .bind(retry_at)
        .execute(tx.conn())
        .await?;
    Ok(())
}

/// The latest messages, newest first (for operators and tests).
pub async fn recent(tx: &mut Tx, limit: i64) -> Result<Vec<OutboxRow>> {
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{SELECT} ORDER BY id DESC LIMIT $1"
    )))
    .bind(limit)
    .fetch_all(tx.conn())
    .await?)
}
