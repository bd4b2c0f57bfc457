//! Teams: nested under a department and under each other, each with an
//! optional manager (an employee).

use mkpi_domain::Scope;
use mkpi_domain::org::TeamNode;

use sqlx::AssertSqlSafe;

use crate::visibility::teams_condition;
use crate::{Result, Tx};

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct TeamRow {
    pub id: i64,
    pub department_id: i64,
    pub parent_id: Option<i64>,
    pub manager_id: Option<i64>,
    pub manager_name: Option<String>,
    pub name: String,
    pub member_count: i64,
    /// When it was archived; an archived team keeps its history but takes
    /// nobody new.
    pub archived_at: Option<i64>,
}

#[derive(Debug, Clone)]
pub struct NewTeam<'a> {
    pub department_id: i64,
    pub parent_id: Option<i64>,
    pub name: &'a str,
}

pub async fn insert(tx: &mut Tx, team: &NewTeam<'_>, now: i64) -> Result<i64> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO teams (department_id, parent_id, name, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(team.department_id)
    .bind(team.parent_id)
    .bind(team.name)
    .bind(now)
    .fetch_one(tx.conn())
    .await?;
    Ok(id)
}

pub async fn set_manager(tx: &mut Tx, team_id: i64, manager_id: Option<i64>) -> Result<()> {
    let done = sqlx::query("UPDATE teams SET manager_id = $1 WHERE id = $2")
        .bind(manager_id)
        .bind(team_id)
        .execute(tx.conn())
        .await?;
    if done.rows_affected() == 0 {
        return Err(crate::StoreError::NotFound);
    }
    Ok(())
}

/// The whole tree, unfiltered: what scopes are computed from.
pub async fn nodes(tx: &mut Tx) -> Result<Vec<TeamNode>> {
    let rows: Vec<(i64, Option<i64>, Option<i64>)> =
        sqlx::query_as("SELECT id, parent_id, manager_id FROM teams")
            .fetch_all(tx.conn())
            .await?;
    Ok(rows
        .into_iter()
        .map(|(id, parent_id, manager_id)| TeamNode {
            id,
            parent_id,
            manager_id,
        })
        .collect())
}

/// The teams the scope may see, with their manager and active head count.
pub async fn list(tx: &mut Tx, scope: &Scope) -> Result<Vec<TeamRow>> {
    let sql = format!(
        "SELECT t.id, t.department_id, t.parent_id, t.manager_id, m.name AS manager_name, t.name,
                (SELECT COUNT(*) FROM employees e WHERE e.team_id = t.id AND e.active = 1) AS member_count,
                t.archived_at
         FROM teams t LEFT JOIN employees m ON m.id = t.manager_id
         WHERE {}
         ORDER BY t.name",
        teams_condition(scope, "t")
    );
    Ok(sqlx::query_as(AssertSqlSafe(sql))
        .fetch_all(tx.conn())
        .await?)
}

/// One team, whoever asks (the caller checks rights).
pub async fn get(tx: &mut Tx, id: i64) -> Result<TeamRow> {
    sqlx::query_as(
        "SELECT t.id, t.department_id, t.parent_id, t.manager_id, m.name AS manager_name, t.name,
                (SELECT COUNT(*) FROM employees e WHERE e.team_id = t.id AND e.active = 1) AS member_count,
                t.archived_at
         FROM teams t LEFT JOIN employees m ON m.id = t.manager_id WHERE t.id = $1",
    )
    .bind(id)
    .fetch_optional(tx.conn())
    .await?
    .ok_or(crate::StoreError::NotFound)
}

/// A team of the department by name (names are unique in a department).
pub async fn find(tx: &mut Tx, department_id: i64, name: &str) -> Result<Option<i64>> {
    let row: Option<(i64,)> =
        sqlx::query_as("SELECT id FROM teams WHERE department_id = $1 AND name = $2")
            .bind(department_id)
            .bind(name)
            .fetch_optional(tx.conn())
            .await?;
    Ok(row.map(|(id,)| id))
}

/// Renames and moves a team (its parent; `None` for the top of the department).
pub async fn update(tx: &mut Tx, id: i64, name: &str, parent_id: Option<i64>) -> Result<()> {
    let done = sqlx::query("UPDATE teams SET name = $1, parent_id = $2 WHERE id = $3")
        .bind(name)
        .bind(parent_id)
        .bind(id)
        .execute(tx.conn())
        .await?;
    if done.rows_affected() == 0 {
        return Err(crate::StoreError::NotFound);
    }
    Ok(())
}

/// Archives a team (`Some(now)`) or brings it back (`None`).
pub async fn set_archived(tx: &mut Tx, id: i64, at: Option<i64>) -> Result<()> {
    sqlx::query("UPDATE teams SET archived_at = $1 WHERE id = $2")
        .bind(at)
        .bind(id)
        .execute(tx.conn())
        .await?;
    Ok(())
}

/// How many people (active or not) and unarchived sub-teams a team holds now.
pub async fn holds(tx: &mut Tx, id: i64) -> Result<(i64, i64)> {
    let (people,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM employees WHERE team_id = $1 AND active = 1")
            .bind(id)
            .fetch_one(tx.conn())
            .await?;
    let (teams,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM teams WHERE parent_id = $1 AND archived_at IS NULL")
            .bind(id)
            .fetch_one(tx.conn())
            .await?;
    Ok((people, teams))
}
