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
                (SELECT COUNT(*) FROM employees e WHERE e.team_id = t.id AND e.active = 1) AS member_count
         FROM teams t LEFT JOIN employees m ON m.id = t.manager_id
         WHERE {}
         ORDER BY t.name",
        teams_condition(scope, "t")
    );
    Ok(sqlx::query_as(AssertSqlSafe(sql))
        .fetch_all(tx.conn())
        .await?)
}
