//! Which team a person was in when: memberships_held [valid_from, valid_until), `NULL`
//! for "since the start" and "still". `employees.team_id` is the team of the
//! open membership; the memberships_held are what a team's figures for a past period read.

use mkpi_domain::org::Membership;
use mkpi_domain::period::Day;
use sqlx::AssertSqlSafe;

use crate::{Result, StoreError, Tx};

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct MembershipRow {
    pub id: i64,
    pub employee_id: i64,
    pub team_id: i64,
    pub team_name: String,
    pub valid_from: Option<String>,
    pub valid_until: Option<String>,
}

fn day(text: Option<String>) -> Result<Option<Day>> {
    text.map(|t| {
        Day::parse(&t).map_err(|e| StoreError::Unsupported(format!("stored membership date: {e}")))
    })
    .transpose()
}

/// Every membership in any of these teams.
pub async fn memberships_in_teams(tx: &mut Tx, team_ids: &[i64]) -> Result<Vec<Membership>> {
    if team_ids.is_empty() {
        return Ok(Vec::new());
    }
    // Team ids are our own integers: safe to inline.
    let list: Vec<String> = team_ids.iter().map(i64::to_string).collect();
    let sql = format!(
        "SELECT employee_id, valid_from, valid_until FROM team_memberships
         WHERE team_id IN ({}) ORDER BY employee_id, id",
        list.join(", ")
    );
    let rows: Vec<(i64, Option<String>, Option<String>)> = sqlx::query_as(AssertSqlSafe(sql))
        .fetch_all(tx.conn())
        .await?;
    rows.into_iter()
        .map(|(employee_id, from, until)| {
            Ok(Membership {
                employee_id,
                from: day(from)?,
                until: day(until)?,
            })
        })
        .collect()
}

/// A person's memberships_held, latest first.
pub async fn of_employee(tx: &mut Tx, employee_id: i64) -> Result<Vec<MembershipRow>> {
    Ok(sqlx::query_as(
        "SELECT m.id, m.employee_id, m.team_id, t.name AS team_name, m.valid_from, m.valid_until
         FROM team_memberships m JOIN teams t ON t.id = m.team_id
         WHERE m.employee_id = $1 ORDER BY m.id DESC",
    )
    .bind(employee_id)
    .fetch_all(tx.conn())
    .await?)
}

/// The person's open membership, if they are in a team now.
pub async fn open_of(tx: &mut Tx, employee_id: i64) -> Result<Option<MembershipRow>> {
    Ok(sqlx::query_as(
        "SELECT m.id, m.employee_id, m.team_id, t.name AS team_name, m.valid_from, m.valid_until
         FROM team_memberships m JOIN teams t ON t.id = m.team_id
         WHERE m.employee_id = $1 AND m.valid_until IS NULL ORDER BY m.id DESC",
    )
    .bind(employee_id)
    .fetch_optional(tx.conn())
    .await?)
}

/// Starts a membership in `team_id` on `from` (`None`: since the start).
pub async fn open(
    tx: &mut Tx,
    employee_id: i64,
    team_id: i64,
    from: Option<&str>,
    now: i64,
) -> Result<i64> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO team_memberships (employee_id, team_id, valid_from, valid_until, created_at)
         VALUES ($1, $2, $3, NULL, $4) RETURNING id",
    )
    .bind(employee_id)
    .bind(team_id)
    .bind(from)
    .bind(now)
    .fetch_one(tx.conn())
    .await?;
    Ok(id)
}

/// Ends the open membership on `until` (its first day out).
pub async fn close(tx: &mut Tx, membership_id: i64, until: &str) -> Result<()> {
    sqlx::query("UPDATE team_memberships SET valid_until = $1 WHERE id = $2")
        .bind(until)
        .bind(membership_id)
        .execute(tx.conn())
        .await?;
    Ok(())
}

/// Removes a membership that never had a day (started and ended on the same day).
pub async fn delete(tx: &mut Tx, membership_id: i64) -> Result<()> {
    sqlx::query("DELETE FROM team_memberships WHERE id = $1")
        .bind(membership_id)
        .execute(tx.conn())
        .await?;
    Ok(())
}
