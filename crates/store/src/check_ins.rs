//! Check-ins on KPIs and 1:1 notes.

use crate::{IntFlag, Result, Tx};

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct CheckInRow {
    pub id: i64,
    pub kpi_id: i64,
    pub author_user_id: i64,
    pub author_name: String,
    pub at: i64,
    pub confidence: i64,
    pub comment: String,
    pub value: Option<f64>,
    /// When it was changed, if that was more than a day after it was written.
    pub edited_at: Option<i64>,
}

pub struct NewCheckIn<'a> {
    pub kpi_id: i64,
    pub author_user_id: i64,
    pub author_name: &'a str,
    pub at: i64,
    pub confidence: i64,
    pub comment: &'a str,
    pub value: Option<f64>,
}

pub async fn insert(tx: &mut Tx, c: &NewCheckIn<'_>) -> Result<i64> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO check_ins (kpi_id, author_user_id, author_name, at, confidence, comment, value)
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(c.kpi_id)
    .bind(c.author_user_id)
    .bind(c.author_name)
    .bind(c.at)
    .bind(c.confidence)
    .bind(c.comment)
    .bind(crate::NullableF64(c.value))
    .fetch_one(tx.conn())
    .await?;
    Ok(id)
}

/// A KPI's check-ins, newest first.
pub async fn for_kpi(tx: &mut Tx, kpi_id: i64) -> Result<Vec<CheckInRow>> {
    Ok(sqlx::query_as(
        "SELECT id, CAST(kpi_id AS BIGINT) AS kpi_id, CAST(author_user_id AS BIGINT) AS author_user_id, author_name, at,
                CAST(confidence AS BIGINT) AS confidence, comment, value, edited_at
         FROM check_ins WHERE kpi_id = $1 ORDER BY at DESC, id DESC",
    )
    .bind(kpi_id)
    .fetch_all(tx.conn())
    .await?)
}

pub async fn check_in(tx: &mut Tx, id: i64) -> Result<Option<CheckInRow>> {
    Ok(sqlx::query_as(
        "SELECT id, CAST(kpi_id AS BIGINT) AS kpi_id, CAST(author_user_id AS BIGINT) AS author_user_id, author_name, at,
                CAST(confidence AS BIGINT) AS confidence, comment, value, edited_at
         FROM check_ins WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(tx.conn())
    .await?)
}

/// Rewrites a check-in's confidence and comment; `edited_at` marks it as edited.
pub async fn update_check_in(
    tx: &mut Tx,
    id: i64,
    confidence: i64,
    comment: &str,
    edited_at: Option<i64>,
) -> Result<()> {
    sqlx::query(
        "UPDATE check_ins SET confidence = $2, comment = $3, edited_at = COALESCE($4, edited_at) WHERE id = $1",
    )
    .bind(id)
    .bind(confidence)
    .bind(comment)
    .bind(edited_at)
    .execute(tx.conn())
    .await?;
    Ok(())
}

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct OneOnOneRow {
    pub id: i64,
    pub employee_id: i64,
    pub manager_employee_id: i64,
    pub held_on: String,
    pub notes: String,
    pub next_steps: String,
    #[sqlx(try_from = "IntFlag")]
    pub shared: bool,
    pub created_at: i64,
    /// Who wrote it.
    pub created_by_user_id: Option<i64>,
    /// When it was changed, if that was more than a day after it was written.
    pub edited_at: Option<i64>,
}

pub struct NewOneOnOne<'a> {
    pub employee_id: i64,
    pub manager_employee_id: i64,
    pub held_on: &'a str,
    pub notes: &'a str,
    pub next_steps: &'a str,
    pub shared: bool,
    pub created_by_user_id: i64,
    pub created_at: i64,
}

pub async fn insert_one_on_one(tx: &mut Tx, n: &NewOneOnOne<'_>) -> Result<i64> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO one_on_ones (employee_id, manager_employee_id, held_on, notes, next_steps, shared,
                                  created_by_user_id, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(n.employee_id)
    .bind(n.manager_employee_id)
    .bind(n.held_on)
    .bind(n.notes)
    .bind(n.next_steps)
    .bind(i64::from(n.shared))
    .bind(n.created_by_user_id)
    .bind(n.created_at)
    .fetch_one(tx.conn())
    .await?;
    Ok(id)
}

/// A person's 1:1 notes, newest first: all of them when `viewer` is one
/// of the pair, else only the shared ones.
pub async fn one_on_ones(
    tx: &mut Tx,
    employee_id: i64,
    viewer: Option<i64>,
) -> Result<Vec<OneOnOneRow>> {
    Ok(sqlx::query_as(
        "SELECT id, CAST(employee_id AS BIGINT) AS employee_id, CAST(manager_employee_id AS BIGINT) AS manager_employee_id,
                held_on, notes, next_steps, shared, created_at,
                CAST(created_by_user_id AS BIGINT) AS created_by_user_id, edited_at
         FROM one_on_ones
         WHERE employee_id = $1 AND (shared = 1 OR employee_id = $2 OR manager_employee_id = $2)
         ORDER BY held_on DESC, id DESC",
    )
    .bind(employee_id)
    .bind(viewer.unwrap_or(-1))
    .fetch_all(tx.conn())
    .await?)
}

pub async fn one_on_one(tx: &mut Tx, id: i64) -> Result<Option<OneOnOneRow>> {
    Ok(sqlx::query_as(
        "SELECT id, CAST(employee_id AS BIGINT) AS employee_id, CAST(manager_employee_id AS BIGINT) AS manager_employee_id,
                held_on, notes, next_steps, shared, created_at,
                CAST(created_by_user_id AS BIGINT) AS created_by_user_id, edited_at
         FROM one_on_ones WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(tx.conn())
    .await?)
}

/// Rewrites a 1:1's notes; `edited_at` marks it as edited.
pub async fn update_one_on_one(
    tx: &mut Tx,
    id: i64,
    n: &NewOneOnOne<'_>,
    edited_at: Option<i64>,
) -> Result<()> {
    sqlx::query(
        "UPDATE one_on_ones SET held_on = $2, notes = $3, next_steps = $4, shared = $5,
                edited_at = COALESCE($6, edited_at)
         WHERE id = $1",
    )
    .bind(id)
    .bind(n.held_on)
    .bind(n.notes)
    .bind(n.next_steps)
    .bind(i64::from(n.shared))
    .bind(edited_at)
    .execute(tx.conn())
    .await?;
    Ok(())
}
