//! Goals, their progress history, strategies with the goals they serve,
//! and the department's SWOT entries.

use sqlx::AssertSqlSafe;

use crate::{NullableF64, Result, Tx, user};

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct GoalRow {
    pub id: i64,
    pub scope: String,
    pub parent_id: Option<i64>,
    pub business_goal: String,
    pub title: String,
    pub description: String,
    pub owner_employee_id: Option<i64>,
    pub owner_name: Option<String>,
    pub status: String,
    pub weight: f64,
    pub metric_code: Option<String>,
    pub unit: Option<String>,
    pub baseline: Option<f64>,
    pub target: Option<f64>,
    pub budget_minor: Option<i64>,
    pub currency: Option<String>,
    pub people: Option<i64>,
    pub hours: Option<f64>,
    pub start_on: Option<String>,
    pub deadline_on: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

/// A goal's fields as written (insert and update alike).
#[derive(Debug, Clone, PartialEq)]
pub struct GoalValues {
    pub scope: String,
    pub parent_id: Option<i64>,
    pub business_goal: String,
    pub title: String,
    pub description: String,
    pub owner_employee_id: Option<i64>,
    pub status: String,
    pub weight: f64,
    pub metric_code: Option<String>,
    pub unit: Option<String>,
    pub baseline: Option<f64>,
    pub target: Option<f64>,
    pub budget_minor: Option<i64>,
    pub currency: Option<String>,
    pub people: Option<i64>,
    pub hours: Option<f64>,
    pub start_on: Option<String>,
    pub deadline_on: Option<String>,
}

const SELECT: &str = "SELECT g.id, g.scope, CAST(g.parent_id AS BIGINT) AS parent_id, g.business_goal, g.title,
        g.description, CAST(g.owner_employee_id AS BIGINT) AS owner_employee_id, o.name AS owner_name,
        g.status, g.weight, g.metric_code, g.unit, g.baseline, g.target, g.budget_minor, g.currency,
        g.people, g.hours, g.start_on, g.deadline_on, g.created_at, g.updated_at
     FROM goals g LEFT JOIN employees o ON o.id = g.owner_employee_id";

pub async fn insert(tx: &mut Tx, v: &GoalValues, user_id: i64, now: i64) -> Result<i64> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO goals (scope, parent_id, business_goal, title, description, owner_employee_id, status,
                            weight, metric_code, unit, baseline, target, budget_minor, currency, people,
                            hours, start_on, deadline_on, created_by_user_id, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $20)
         RETURNING id",
    )
    .bind(&v.scope)
    .bind(v.parent_id)
    .bind(&v.business_goal)
    .bind(&v.title)
    .bind(&v.description)
    .bind(v.owner_employee_id)
    .bind(&v.status)
    .bind(v.weight)
    .bind(&v.metric_code)
    .bind(&v.unit)
    .bind(NullableF64(v.baseline))
    .bind(NullableF64(v.target))
    .bind(v.budget_minor)
    .bind(&v.currency)
    .bind(v.people)
    .bind(NullableF64(v.hours))
    .bind(&v.start_on)
    .bind(&v.deadline_on)
    .bind(user(user_id))
    .bind(now)
    .fetch_one(tx.conn())
    .await?;
    Ok(id)
}

pub async fn update(tx: &mut Tx, id: i64, v: &GoalValues, now: i64) -> Result<()> {
    sqlx::query(
        "UPDATE goals SET scope = $2, parent_id = $3, business_goal = $4, title = $5, description = $6,
                owner_employee_id = $7, status = $8, weight = $9, metric_code = $10, unit = $11,
                baseline = $12, target = $13, budget_minor = $14, currency = $15, people = $16,
                hours = $17, start_on = $18, deadline_on = $19, updated_at = $20
         WHERE id = $1",
    )
    .bind(id)
    .bind(&v.scope)
    .bind(v.parent_id)
    .bind(&v.business_goal)
    .bind(&v.title)
    .bind(&v.description)
    .bind(v.owner_employee_id)
    .bind(&v.status)
    .bind(v.weight)
    .bind(&v.metric_code)
    .bind(&v.unit)
    .bind(NullableF64(v.baseline))
    .bind(NullableF64(v.target))
    .bind(v.budget_minor)
    .bind(&v.currency)
    .bind(v.people)
    .bind(NullableF64(v.hours))
    .bind(&v.start_on)
    .bind(&v.deadline_on)
    .bind(now)
    .execute(tx.conn())
    .await?;
    Ok(())
}

pub async fn set_status(tx: &mut Tx, id: i64, status: &str, now: i64) -> Result<()> {
    sqlx::query("UPDATE goals SET status = $2, updated_at = $3 WHERE id = $1")
        .bind(id)
        .bind(status)
        .bind(now)
        .execute(tx.conn())
        .await?;
    Ok(())
}

pub async fn get(tx: &mut Tx, id: i64) -> Result<Option<GoalRow>> {
    Ok(
        sqlx::query_as(AssertSqlSafe(format!("{SELECT} WHERE g.id = $1")))
            .bind(id)
            .fetch_optional(tx.conn())
            .await?,
    )
}

/// Every goal, in tree order's raw material: by start, then id. The goal
/// tree of a department is small (hundreds), so callers filter and build
/// the tree in memory.
pub async fn all(tx: &mut Tx) -> Result<Vec<GoalRow>> {
    Ok(
        sqlx::query_as(AssertSqlSafe(format!("{SELECT} ORDER BY g.start_on, g.id")))
            .fetch_all(tx.conn())
            .await?,
    )
}

/// How many sub-goals (not cancelled) a goal has.
pub async fn children_count(tx: &mut Tx, id: i64) -> Result<i64> {
    let (n,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM goals WHERE parent_id = $1 AND status <> 'cancelled'")
            .bind(id)
            .fetch_one(tx.conn())
            .await?;
    Ok(n)
}

/// Goal id → parent id, for the cycle check.
pub async fn parents(tx: &mut Tx) -> Result<Vec<(i64, Option<i64>)>> {
    Ok(
        sqlx::query_as("SELECT id, CAST(parent_id AS BIGINT) FROM goals")
            .fetch_all(tx.conn())
            .await?,
    )
}

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct ProgressRow {
    pub id: i64,
    pub goal_id: i64,
    pub day: String,
    pub kind: String,
    pub value: Option<f64>,
    pub progress: Option<f64>,
    pub note: String,
    pub author: Option<String>,
    pub created_at: i64,
}

pub struct NewProgress<'a> {
    pub goal_id: i64,
    pub day: &'a str,
    pub kind: &'a str,
    pub value: Option<f64>,
    pub progress: Option<f64>,
    pub note: &'a str,
    pub user_id: Option<i64>,
    pub now: i64,
}

pub async fn add_progress(tx: &mut Tx, p: &NewProgress<'_>) -> Result<i64> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO goal_progress (goal_id, day, kind, value, progress, note, created_by_user_id, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(p.goal_id)
    .bind(p.day)
    .bind(p.kind)
    .bind(NullableF64(p.value))
    .bind(NullableF64(p.progress))
    .bind(p.note)
    .bind(p.user_id)
    .bind(p.now)
    .fetch_one(tx.conn())
    .await?;
    Ok(id)
}

/// Replaces the day's snapshot of a goal (one per goal and day).
pub async fn snapshot(tx: &mut Tx, p: &NewProgress<'_>) -> Result<()> {
    sqlx::query("DELETE FROM goal_progress WHERE goal_id = $1 AND day = $2 AND kind = 'snapshot'")
        .bind(p.goal_id)
        .bind(p.day)
        .execute(tx.conn())
        .await?;
    add_progress(tx, p).await?;
    Ok(())
}

/// A goal's history, oldest first.
pub async fn progress(tx: &mut Tx, goal_id: i64) -> Result<Vec<ProgressRow>> {
    Ok(sqlx::query_as(
        "SELECT p.id, CAST(p.goal_id AS BIGINT) AS goal_id, p.day, p.kind, p.value, p.progress, p.note,
                COALESCE(e.name, u.login) AS author, p.created_at
         FROM goal_progress p
         LEFT JOIN users u ON u.id = p.created_by_user_id
         LEFT JOIN employees e ON e.id = u.employee_id
         WHERE p.goal_id = $1 ORDER BY p.day, p.id",
    )
    .bind(goal_id)
    .fetch_all(tx.conn())
    .await?)
}

/// The latest update by hand of each goal: goal id → (value, progress).
pub async fn latest_manual(tx: &mut Tx) -> Result<Vec<(i64, Option<f64>, Option<f64>)>> {
    Ok(sqlx::query_as(
        "SELECT CAST(p.goal_id AS BIGINT), p.value, p.progress FROM goal_progress p
         WHERE p.kind = 'manual' AND p.id = (SELECT MAX(q.id) FROM goal_progress q
                                              WHERE q.goal_id = p.goal_id AND q.kind = 'manual')",
    )
    .fetch_all(tx.conn())
    .await?)
}

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct StrategyRow {
    pub id: i64,
    pub title: String,
    pub kind: String,
    pub description: String,
    pub owner_employee_id: Option<i64>,
    pub owner_name: Option<String>,
    pub start_on: String,
    pub end_on: String,
    /// When it was archived (unix seconds).
    pub archived_at: Option<i64>,
}

pub struct NewStrategy<'a> {
    pub title: &'a str,
    pub kind: &'a str,
    pub description: &'a str,
    pub owner_employee_id: Option<i64>,
    pub start_on: &'a str,
    pub end_on: &'a str,
}

pub async fn insert_strategy(
    tx: &mut Tx,
    s: &NewStrategy<'_>,
    goal_ids: &[i64],
    user_id: i64,
    now: i64,
) -> Result<i64> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO strategies (title, kind, description, owner_employee_id, start_on, end_on,
                                 created_by_user_id, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING id",
    )
    .bind(s.title)
    .bind(s.kind)
    .bind(s.description)
    .bind(s.owner_employee_id)
    .bind(s.start_on)
    .bind(s.end_on)
    .bind(user(user_id))
    .bind(now)
    .fetch_one(tx.conn())
    .await?;
    for goal_id in goal_ids {
        sqlx::query("INSERT INTO strategy_goals (strategy_id, goal_id) VALUES ($1, $2)")
            .bind(id)
            .bind(goal_id)
            .execute(tx.conn())
            .await?;
    }
    Ok(id)
}

pub async fn strategies(tx: &mut Tx) -> Result<Vec<StrategyRow>> {
    Ok(sqlx::query_as(
        "SELECT s.id, s.title, s.kind, s.description, CAST(s.owner_employee_id AS BIGINT) AS owner_employee_id,
                o.name AS owner_name, s.start_on, s.end_on, CAST(s.archived_at AS BIGINT) AS archived_at
         FROM strategies s LEFT JOIN employees o ON o.id = s.owner_employee_id
         ORDER BY s.start_on DESC, s.id",
    )
    .fetch_all(tx.conn())
    .await?)
}

/// Changes a strategy's values and the goals it serves (its owner stays).
pub async fn update_strategy(
    tx: &mut Tx,
    id: i64,
    s: &NewStrategy<'_>,
    goal_ids: &[i64],
    now: i64,
) -> Result<()> {
    sqlx::query(
        "UPDATE strategies SET title = $2, kind = $3, description = $4, start_on = $5, end_on = $6, updated_at = $7
         WHERE id = $1",
    )
    .bind(id)
    .bind(s.title)
    .bind(s.kind)
    .bind(s.description)
    .bind(s.start_on)
    .bind(s.end_on)
    .bind(now)
    .execute(tx.conn())
    .await?;
    sqlx::query("DELETE FROM strategy_goals WHERE strategy_id = $1")
        .bind(id)
        .execute(tx.conn())
        .await?;
    for goal_id in goal_ids {
        sqlx::query("INSERT INTO strategy_goals (strategy_id, goal_id) VALUES ($1, $2)")
            .bind(id)
            .bind(goal_id)
            .execute(tx.conn())
            .await?;
    }
    Ok(())
}

/// Archives a strategy (`Some(when)`) or brings it back (`None`).
pub async fn set_strategy_archived(tx: &mut Tx, id: i64, at: Option<i64>, now: i64) -> Result<()> {
    sqlx::query("UPDATE strategies SET archived_at = $2, updated_at = $3 WHERE id = $1")
        .bind(id)
        .bind(at)
        .bind(now)
        .execute(tx.conn())
        .await?;
    Ok(())
}

/// (strategy id, goal id) links.
pub async fn strategy_goals(tx: &mut Tx) -> Result<Vec<(i64, i64)>> {
    Ok(sqlx::query_as(
        "SELECT CAST(strategy_id AS BIGINT), CAST(goal_id AS BIGINT) FROM strategy_goals",
    )
    .fetch_all(tx.conn())
    .await?)
}

/// Links a campaign to a strategy and a goal (either may be none).
pub async fn link_campaign(
    tx: &mut Tx,
    campaign_id: i64,
    strategy_id: Option<i64>,
    goal_id: Option<i64>,
) -> Result<()> {
    sqlx::query("UPDATE campaigns SET strategy_id = $2, goal_id = $3 WHERE id = $1")
        .bind(campaign_id)
        .bind(strategy_id)
        .bind(goal_id)
        .execute(tx.conn())
        .await?;
    Ok(())
}

/// Campaigns linked to a goal or a strategy: (id, name, channel, owner id,
/// strategy id, goal id).
#[allow(clippy::type_complexity)]
pub async fn linked_campaigns(
    tx: &mut Tx,
) -> Result<Vec<(i64, String, String, Option<i64>, Option<i64>, Option<i64>)>> {
    Ok(sqlx::query_as(
        "SELECT id, name, channel, CAST(owner_employee_id AS BIGINT), CAST(strategy_id AS BIGINT),
                CAST(goal_id AS BIGINT)
         FROM campaigns WHERE strategy_id IS NOT NULL OR goal_id IS NOT NULL ORDER BY name, id",
    )
    .fetch_all(tx.conn())
    .await?)
}

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct SwotRow {
    pub id: i64,
    pub period_from: String,
    pub period_to: String,
    pub quadrant: String,
    pub title: String,
    pub note: String,
    pub metric_code: Option<String>,
    pub campaign_id: Option<i64>,
    pub campaign_name: Option<String>,
    pub created_at: i64,
    /// Who wrote it.
    pub created_by_user_id: Option<i64>,
}

pub struct NewSwot<'a> {
    pub period_from: &'a str,
    pub period_to: &'a str,
    pub quadrant: &'a str,
    pub title: &'a str,
    pub note: &'a str,
    pub metric_code: Option<&'a str>,
    pub campaign_id: Option<i64>,
}

pub async fn insert_swot(tx: &mut Tx, s: &NewSwot<'_>, user_id: i64, now: i64) -> Result<i64> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO swot_entries (period_from, period_to, quadrant, title, note, metric_code, campaign_id,
                                   created_by_user_id, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) RETURNING id",
    )
    .bind(s.period_from)
    .bind(s.period_to)
    .bind(s.quadrant)
    .bind(s.title)
    .bind(s.note)
    .bind(s.metric_code)
    .bind(s.campaign_id)
    .bind(user(user_id))
    .bind(now)
    .fetch_one(tx.conn())
    .await?;
    Ok(id)
}

/// SWOT entries whose period overlaps [from, to), by quadrant then age.
pub async fn swot(tx: &mut Tx, from: &str, to: &str) -> Result<Vec<SwotRow>> {
    Ok(sqlx::query_as(
        "SELECT s.id, s.period_from, s.period_to, s.quadrant, s.title, s.note, s.metric_code,
                CAST(s.campaign_id AS BIGINT) AS campaign_id, c.name AS campaign_name, s.created_at,
                CAST(s.created_by_user_id AS BIGINT) AS created_by_user_id
         FROM swot_entries s LEFT JOIN campaigns c ON c.id = s.campaign_id
         WHERE s.period_from < $2 AND s.period_to > $1
         ORDER BY CASE s.quadrant WHEN 'strength' THEN 0 WHEN 'weakness' THEN 1
                                  WHEN 'opportunity' THEN 2 ELSE 3 END, s.id",
    )
    .bind(from)
    .bind(to)
    .fetch_all(tx.conn())
    .await?)
}

/// One SWOT entry.
pub async fn swot_entry(tx: &mut Tx, id: i64) -> Result<Option<SwotRow>> {
    Ok(sqlx::query_as(
        "SELECT s.id, s.period_from, s.period_to, s.quadrant, s.title, s.note, s.metric_code,
                CAST(s.campaign_id AS BIGINT) AS campaign_id, c.name AS campaign_name, s.created_at,
                CAST(s.created_by_user_id AS BIGINT) AS created_by_user_id
         FROM swot_entries s LEFT JOIN campaigns c ON c.id = s.campaign_id
         WHERE s.id = $1",
    )
    .bind(id)
    .fetch_optional(tx.conn())
    .await?)
}

/// Rewrites an entry's quadrant, words and links (its period stays).
pub async fn update_swot(tx: &mut Tx, id: i64, s: &NewSwot<'_>) -> Result<()> {
    sqlx::query(
        "UPDATE swot_entries SET quadrant = $2, title = $3, note = $4, metric_code = $5, campaign_id = $6
         WHERE id = $1",
    )
    .bind(id)
    .bind(s.quadrant)
    .bind(s.title)
    .bind(s.note)
    .bind(s.metric_code)
    .bind(s.campaign_id)
    .execute(tx.conn())
    .await?;
    Ok(())
}

pub async fn delete_swot(tx: &mut Tx, id: i64) -> Result<bool> {
    Ok(sqlx::query("DELETE FROM swot_entries WHERE id = $1")
        .bind(id)
        .execute(tx.conn())
        .await?
        .rows_affected()
        > 0)
}
