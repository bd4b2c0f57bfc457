//! Development actions: training, mentoring, stretch assignments planned for
//! a person, with an owner, a due date and a status.

use crate::{Result, Tx};

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct DevelopmentActionRow {
    pub id: i64,
    pub employee_id: i64,
    pub kind: String,
    pub title: String,
    pub note: String,
    pub kpi_id: Option<i64>,
    pub flag: Option<String>,
    /// The competency it develops, if any.
    pub competency_code: Option<String>,
    /// The review cycle that called for it, if any.
    pub cycle_id: Option<i64>,
    pub owner_employee_id: Option<i64>,
    pub owner_name: Option<String>,
    pub due_on: String,
    pub status: String,
    pub completed_on: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

pub struct NewDevelopmentAction<'a> {
    pub employee_id: i64,
    pub kind: &'a str,
    pub title: &'a str,
    pub note: &'a str,
    pub kpi_id: Option<i64>,
    pub flag: Option<&'a str>,
    pub competency_code: Option<&'a str>,
    pub cycle_id: Option<i64>,
    pub owner_employee_id: Option<i64>,
    pub due_on: &'a str,
    pub created_by_user_id: i64,
    pub now: i64,
}

pub async fn insert(tx: &mut Tx, a: &NewDevelopmentAction<'_>) -> Result<i64> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO development_actions (employee_id, kind, title, note, kpi_id, flag, owner_employee_id,
                                          due_on, status, created_by_user_id, created_at, updated_at,
                                          competency_code, cycle_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'planned', $9, $10, $10, $11, $12) RETURNING id",
    )
    .bind(a.employee_id)
    .bind(a.kind)
    .bind(a.title)
    .bind(a.note)
    .bind(a.kpi_id)
    .bind(a.flag)
    .bind(a.owner_employee_id)
    .bind(a.due_on)
    .bind(a.created_by_user_id)
    .bind(a.now)
    .bind(a.competency_code)
    .bind(a.cycle_id)
    .fetch_one(tx.conn())
    .await?;
    Ok(id)
}

const SELECT: &str = "SELECT a.id, CAST(a.employee_id AS BIGINT) AS employee_id, a.kind, a.title, a.note,
        CAST(a.kpi_id AS BIGINT) AS kpi_id, a.flag, a.competency_code, CAST(a.cycle_id AS BIGINT) AS cycle_id,
        CAST(a.owner_employee_id AS BIGINT) AS owner_employee_id,
        o.name AS owner_name, a.due_on, a.status, a.completed_on, a.created_at, a.updated_at
     FROM development_actions a LEFT JOIN employees o ON o.id = a.owner_employee_id";

pub async fn get(tx: &mut Tx, id: i64) -> Result<Option<DevelopmentActionRow>> {
    Ok(
        sqlx::query_as(sqlx::AssertSqlSafe(format!("{SELECT} WHERE a.id = $1")))
            .bind(id)
            .fetch_optional(tx.conn())
            .await?,
    )
}

/// A person's actions: open ones first by due date, then finished ones,
/// latest first.
pub async fn for_employee(tx: &mut Tx, employee_id: i64) -> Result<Vec<DevelopmentActionRow>> {
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{SELECT} WHERE a.employee_id = $1
         ORDER BY CASE WHEN a.status IN ('planned', 'in_progress') THEN 0 ELSE 1 END,
                  CASE WHEN a.status IN ('planned', 'in_progress') THEN a.due_on END ASC,
                  a.updated_at DESC, a.id DESC"
    )))
    .bind(employee_id)
    .fetch_all(tx.conn())
    .await?)
}

/// The open (planned or in progress) actions of these people.
pub async fn open_for(tx: &mut Tx, employee_ids: &[i64]) -> Result<Vec<DevelopmentActionRow>> {
    if employee_ids.is_empty() {
        return Ok(Vec::new());
    }
    let ids = employee_ids
        .iter()
        .map(i64::to_string)
        .collect::<Vec<_>>()
        .join(", ");
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{SELECT} WHERE a.employee_id IN ({ids}) AND a.status IN ('planned', 'in_progress')
         ORDER BY a.due_on, a.id"
    )))
    .fetch_all(tx.conn())
    .await?)
}

pub async fn set_status(
    tx: &mut Tx,
    id: i64,
    status: &str,
    completed_on: Option<&str>,
    now: i64,
) -> Result<()> {
    sqlx::query(
        "UPDATE development_actions SET status = $2, completed_on = $3, updated_at = $4 WHERE id = $1",
    )
    .bind(id)
    .bind(status)
    .bind(completed_on)
    .bind(now)
    .execute(tx.conn())
    .await?;
    Ok(())
}
