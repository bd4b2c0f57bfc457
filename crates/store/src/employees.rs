//! Employees: the people of the department, their team, manager and position.

use mkpi_domain::Scope;

use sqlx::AssertSqlSafe;

use crate::visibility::employees_condition;
use crate::{Result, StoreError, Tx};

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct EmployeeRow {
    pub id: i64,
    pub department_id: i64,
    pub team_id: Option<i64>,
    pub team_name: Option<String>,
    pub manager_id: Option<i64>,
    pub manager_name: Option<String>,
    pub name: String,
    pub email: String,
    pub position: String,
    pub hire_date: String,
    #[sqlx(try_from = "crate::IntFlag")]
    pub active: bool,
    /// The last day they worked here, once they have left.
    pub last_day: Option<String>,
}

#[derive(Debug, Clone)]
pub struct NewEmployee<'a> {
    pub department_id: i64,
    pub team_id: Option<i64>,
    pub manager_id: Option<i64>,
    pub name: &'a str,
    pub email: &'a str,
    pub position: &'a str,
    /// ISO date, checked by the caller.
    pub hire_date: &'a str,
}

const SELECT: &str = "SELECT e.id, e.department_id, e.team_id, t.name AS team_name, e.manager_id,
        m.name AS manager_name, e.name, e.email, e.position, e.hire_date, e.active, e.last_day
    FROM employees e
    LEFT JOIN teams t ON t.id = e.team_id
    LEFT JOIN employees m ON m.id = e.manager_id";

pub async fn insert(tx: &mut Tx, e: &NewEmployee<'_>, now: i64) -> Result<i64> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO employees (department_id, team_id, manager_id, name, email, position, hire_date, active, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, 1, $8, $8) RETURNING id",
    )
    .bind(e.department_id)
    .bind(e.team_id)
    .bind(e.manager_id)
    .bind(e.name)
    .bind(e.email)
    .bind(e.position)
    .bind(e.hire_date)
    .bind(now)
    .fetch_one(tx.conn())
    .await?;
    if let Some(team_id) = e.team_id {
        // In the team since the start: their history counts for it until a
        // transfer says otherwise.
        crate::memberships::open(tx, id, team_id, None, now).await?;
    }
    Ok(id)
}

/// The employees the scope may see, active first, by name.
pub async fn list(tx: &mut Tx, scope: &Scope) -> Result<Vec<EmployeeRow>> {
    let sql = format!(
        "{SELECT} WHERE {} ORDER BY e.active DESC, e.name",
        employees_condition(scope, "e")
    );
    Ok(sqlx::query_as(AssertSqlSafe(sql))
        .fetch_all(tx.conn())
        .await?)
}

/// One employee, or [`StoreError::NotFound`] when absent or outside the scope
/// (the caller cannot tell which: that is the point).
pub async fn get(tx: &mut Tx, scope: &Scope, id: i64) -> Result<EmployeeRow> {
    let sql = format!(
        "{SELECT} WHERE e.id = $1 AND {}",
        employees_condition(scope, "e")
    );
    sqlx::query_as(AssertSqlSafe(sql))
        .bind(id)
        .fetch_optional(tx.conn())
        .await?
        .ok_or(StoreError::NotFound)
}

/// Looks an employee up by e-mail regardless of scope: for operators (CLI)
/// and for linking an account to a person.
pub async fn find_by_email(tx: &mut Tx, email: &str) -> Result<Option<EmployeeRow>> {
    let sql = format!("{SELECT} WHERE e.email = $1");
    Ok(sqlx::query_as(AssertSqlSafe(sql))
        .bind(email)
        .fetch_optional(tx.conn())
        .await?)
}

/// Everyone (active or not) whose team is one of these: whose results a
/// team's figures hold.
pub async fn ids_in_teams(tx: &mut Tx, team_ids: &[i64]) -> Result<Vec<i64>> {
    if team_ids.is_empty() {
        return Ok(Vec::new());
    }
    // Team ids are our own integers: safe to inline.
    let list: Vec<String> = team_ids.iter().map(i64::to_string).collect();
    let sql = format!(
        "SELECT id FROM employees WHERE team_id IN ({}) ORDER BY id",
        list.join(", ")
    );
    let rows: Vec<(i64,)> = sqlx::query_as(AssertSqlSafe(sql))
        .fetch_all(tx.conn())
        .await?;
    Ok(rows.into_iter().map(|(id,)| id).collect())
}

/// An employee's team, without regard to who asks (for checks that then
/// apply the asker's scope); `None` when there is no such employee.
pub async fn team_of(tx: &mut Tx, id: i64) -> Result<Option<Option<i64>>> {
    let row: Option<(Option<i64>,)> = sqlx::query_as("SELECT team_id FROM employees WHERE id = $1")
        .bind(id)
        .fetch_optional(tx.conn())
        .await?;
    Ok(row.map(|(t,)| t))
}

/// The fields a person's record holds besides their team.
#[derive(Debug, Clone)]
pub struct EmployeeFields<'a> {
    pub name: &'a str,
    pub email: &'a str,
    pub position: &'a str,
    pub manager_id: Option<i64>,
    /// ISO date, checked by the caller.
    pub hire_date: &'a str,
}

pub async fn update(tx: &mut Tx, id: i64, e: &EmployeeFields<'_>, now: i64) -> Result<()> {
    let done = sqlx::query(
        "UPDATE employees SET name = $1, email = $2, position = $3, manager_id = $4, hire_date = $5,
             updated_at = $6 WHERE id = $7",
    )
    .bind(e.name)
    .bind(e.email)
    .bind(e.position)
    .bind(e.manager_id)
    .bind(e.hire_date)
    .bind(now)
    .bind(id)
    .execute(tx.conn())
    .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// Moves the person's current team (the stints say since when).
pub async fn set_team(tx: &mut Tx, id: i64, team_id: Option<i64>, now: i64) -> Result<()> {
    sqlx::query("UPDATE employees SET team_id = $1, updated_at = $2 WHERE id = $3")
        .bind(team_id)
        .bind(now)
        .bind(id)
        .execute(tx.conn())
        .await?;
    Ok(())
}

/// Marks the person as gone after `last_day` (`None`: back at work).
pub async fn set_left(tx: &mut Tx, id: i64, last_day: Option<&str>, now: i64) -> Result<()> {
    sqlx::query("UPDATE employees SET last_day = $1, active = $2, updated_at = $3 WHERE id = $4")
        .bind(last_day)
        .bind(i64::from(last_day.is_none()))
        .bind(now)
        .bind(id)
        .execute(tx.conn())
        .await?;
    Ok(())
}

/// One person, whoever asks (the caller checks rights).
pub async fn get_any(tx: &mut Tx, id: i64) -> Result<EmployeeRow> {
    let sql = format!("{SELECT} WHERE e.id = $1");
    sqlx::query_as(AssertSqlSafe(sql))
        .bind(id)
        .fetch_optional(tx.conn())
        .await?
        .ok_or(StoreError::NotFound)
}

/// How many people the department holds (everyone, active or not).
pub async fn count(tx: &mut Tx) -> Result<i64> {
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM employees")
        .fetch_one(tx.conn())
        .await?;
    Ok(n)
}
