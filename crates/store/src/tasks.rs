//! Tasks as people work on them: those made in mkpi and those imported
//! from trackers share one table (the task measures read it). Tasks made
//! in mkpi have no import; their key is `MK-{id}`.

use sqlx::AssertSqlSafe;

use crate::{NullableF64, Result, Tx, user};

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct TaskRow {
    pub id: i64,
    pub task: String,
    pub title: String,
    pub description: Option<String>,
    pub kind: Option<String>,
    pub status: String,
    pub assignee_employee_id: Option<i64>,
    pub assignee_name: Option<String>,
    pub assignee_team_id: Option<i64>,
    pub priority: Option<String>,
    pub created: Option<String>,
    pub start: Option<String>,
    pub due: Option<String>,
    pub completed: Option<String>,
    pub estimate_hours: Option<f64>,
    pub spent_hours: Option<f64>,
    pub budget_minor: Option<i64>,
    pub currency: Option<String>,
    pub campaign_id: Option<i64>,
    pub campaign_name: Option<String>,
    pub goal_id: Option<i64>,
    pub goal_title: Option<String>,
    pub quality: Option<i64>,
    pub quality_comment: Option<String>,
    pub import_id: Option<i64>,
    /// Who set it (tasks made in mkpi).
    pub created_by_user_id: Option<i64>,
}

pub struct TaskValues<'a> {
    pub title: &'a str,
    pub description: &'a str,
    pub kind: &'a str,
    pub assignee_employee_id: i64,
    pub priority: &'a str,
    pub start: Option<&'a str>,
    pub due: &'a str,
    pub estimate_hours: Option<f64>,
    pub budget_minor: Option<i64>,
    pub currency: Option<&'a str>,
    pub goal_id: Option<i64>,
    pub campaign_id: Option<i64>,
}

const SELECT: &str = "SELECT t.id, t.task, t.title, t.description, t.kind, t.status,
        CAST(t.assignee_employee_id AS BIGINT) AS assignee_employee_id, e.name AS assignee_name,
        CAST(e.team_id AS BIGINT) AS assignee_team_id, t.priority, t.created, t.start, t.due, t.completed,
        t.estimate_hours, t.spent_hours, t.budget_minor, t.currency,
        CAST(t.campaign_id AS BIGINT) AS campaign_id, c.name AS campaign_name,
        CAST(t.goal_id AS BIGINT) AS goal_id, g.title AS goal_title,
        CAST(t.quality AS BIGINT) AS quality, t.quality_comment, CAST(t.import_id AS BIGINT) AS import_id,
        CAST(t.created_by_user_id AS BIGINT) AS created_by_user_id
     FROM tasks t
     LEFT JOIN employees e ON e.id = t.assignee_employee_id
     LEFT JOIN campaigns c ON c.id = t.campaign_id
     LEFT JOIN goals g ON g.id = t.goal_id";

/// The order of lists: open before finished, most urgent first, then by due day.
const ORDER: &str = "ORDER BY CASE WHEN t.status IN ('done', 'cancelled') THEN 1 ELSE 0 END,
        CASE t.priority WHEN 'urgent' THEN 0 WHEN 'high' THEN 1 WHEN 'normal' THEN 2 WHEN 'low' THEN 3 ELSE 4 END,
        CASE WHEN t.due IS NULL THEN 1 ELSE 0 END, t.due, t.id";

/// Makes a task (status planned) and gives it the key `MK-{id}`.
pub async fn insert(
    tx: &mut Tx,
    v: &TaskValues<'_>,
    created: &str,
    user_id: i64,
    now: i64,
) -> Result<i64> {
    // The key is unique before the id is known; it becomes MK-{id} at once.
    let pending = format!("MK-pending-{now}-{user_id}-{}", v.title.len());
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO tasks (row_key, task, title, description, kind, status, assignee_employee_id, priority,
                            created, start, due, estimate_hours, budget_minor, currency, goal_id, campaign_id,
                            created_by_user_id, updated_at)
         VALUES ($1, $1, $2, $3, $4, 'planned', $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)
         RETURNING id",
    )
    .bind(&pending)
    .bind(v.title)
    .bind(v.description)
    .bind(v.kind)
    .bind(v.assignee_employee_id)
    .bind(v.priority)
    .bind(created)
    .bind(v.start)
    .bind(v.due)
    .bind(NullableF64(v.estimate_hours))
    .bind(v.budget_minor)
    .bind(v.currency)
    .bind(v.goal_id)
    .bind(v.campaign_id)
    .bind(user(user_id))
    .bind(now)
    .fetch_one(tx.conn())
    .await?;
    let key = format!("MK-{id}");
    sqlx::query("UPDATE tasks SET row_key = $2, task = $2 WHERE id = $1")
        .bind(id)
        .bind(&key)
        .execute(tx.conn())
        .await?;
    Ok(id)
}

pub async fn get(tx: &mut Tx, id: i64) -> Result<Option<TaskRow>> {
    Ok(
        sqlx::query_as(AssertSqlSafe(format!("{SELECT} WHERE t.id = $1")))
            .bind(id)
            .fetch_optional(tx.conn())
            .await?,
    )
}

/// What a list of tasks is limited to.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TaskFilter {
    /// Assignees (None: anyone, for those who see everyone).
    pub assignees: Option<Vec<i64>>,
    pub goal_id: Option<i64>,
    pub status: Option<String>,
    pub kind: Option<String>,
    /// Open tasks due before this day.
    pub overdue_on: Option<String>,
    /// Tasks with a due day (or completion) in [from, to).
    pub due_from: Option<String>,
    pub due_to: Option<String>,
    /// Finished (done or cancelled) tasks only when completed, or due, on
    /// or after this day; open ones always.
    pub finished_since: Option<String>,
    pub limit: i64,
}

pub async fn list(tx: &mut Tx, f: &TaskFilter) -> Result<Vec<TaskRow>> {
    let mut conditions = vec!["$1 = $1".to_string()];
    if let Some(ids) = &f.assignees {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let list = ids
            .iter()
            .map(i64::to_string)
            .collect::<Vec<_>>()
            .join(", ");
        conditions.push(format!("t.assignee_employee_id IN ({list})"));
    }
    if let Some(goal) = f.goal_id {
        conditions.push(format!("t.goal_id = {goal}"));
    }
    if f.status.is_some() {
        conditions.push("t.status = $2".into());
    } else {
        conditions.push("CAST($2 AS TEXT) IS NULL".into());
    }
    if f.kind.is_some() {
        conditions.push("t.kind = $3".into());
    } else {
        conditions.push("CAST($3 AS TEXT) IS NULL".into());
    }
    if f.overdue_on.is_some() {
        conditions.push(
            "t.status NOT IN ('done', 'cancelled') AND t.due IS NOT NULL AND t.due < $4".into(),
        );
    } else {
        conditions.push("CAST($4 AS TEXT) IS NULL".into());
    }
    if f.due_from.is_some() {
        conditions.push("COALESCE(t.completed, t.due) >= $5".into());
    } else {
        conditions.push("CAST($5 AS TEXT) IS NULL".into());
    }
    if f.due_to.is_some() {
        conditions.push("COALESCE(t.completed, t.due) < $6".into());
    } else {
        conditions.push("CAST($6 AS TEXT) IS NULL".into());
    }
    if f.finished_since.is_some() {
        conditions.push(
            "(t.status NOT IN ('done', 'cancelled') OR COALESCE(t.completed, t.due) >= $7)".into(),
        );
    } else {
        conditions.push("CAST($7 AS TEXT) IS NULL".into());
    }
    let sql = format!(
        "{SELECT} WHERE {} {ORDER} LIMIT {}",
        conditions.join(" AND "),
        f.limit.clamp(1, 5000)
    );
    Ok(sqlx::query_as(AssertSqlSafe(sql))
        .bind(1_i64)
        .bind(&f.status)
        .bind(&f.kind)
        .bind(&f.overdue_on)
        .bind(&f.due_from)
        .bind(&f.due_to)
        .bind(&f.finished_since)
        .fetch_all(tx.conn())
        .await?)
}

/// Tasks serving any goal: (goal id, status) pairs, for goal progress.
pub async fn goal_statuses(tx: &mut Tx) -> Result<Vec<(i64, String)>> {
    Ok(sqlx::query_as(
        "SELECT CAST(goal_id AS BIGINT), status FROM tasks WHERE goal_id IS NOT NULL",
    )
    .fetch_all(tx.conn())
    .await?)
}

pub async fn set_status(
    tx: &mut Tx,
    id: i64,
    status: &str,
    start: Option<&str>,
    completed: Option<&str>,
    now: i64,
) -> Result<()> {
    sqlx::query(
        "UPDATE tasks SET status = $2, start = COALESCE(start, $3), completed = $4, updated_at = $5
         WHERE id = $1",
    )
    .bind(id)
    .bind(status)
    .bind(start)
    .bind(completed)
    .bind(now)
    .execute(tx.conn())
    .await?;
    Ok(())
}

/// Links a task to the goal it serves (or unlinks it).
pub async fn set_goal(tx: &mut Tx, id: i64, goal_id: Option<i64>, now: i64) -> Result<()> {
    sqlx::query("UPDATE tasks SET goal_id = $2, updated_at = $3 WHERE id = $1")
        .bind(id)
        .bind(goal_id)
        .bind(now)
        .execute(tx.conn())
        .await?;
    Ok(())
}

pub async fn rate(
    tx: &mut Tx,
    id: i64,
    quality: i64,
    comment: &str,
    user_id: i64,
    now: i64,
) -> Result<()> {
    sqlx::query(
        "UPDATE tasks SET quality = $2, quality_comment = $3, rated_by_user_id = $4, updated_at = $5
         WHERE id = $1",
    )
    .bind(id)
    .bind(quality)
    .bind(comment)
    .bind(user(user_id))
    .bind(now)
    .execute(tx.conn())
    .await?;
    Ok(())
}

/// Logs hours on a task as a time entry without an import, and keeps the
/// task's spent hours equal to the sum of its entries.
pub async fn log_time(
    tx: &mut Tx,
    task_id: i64,
    employee_id: i64,
    date: &str,
    hours: f64,
    description: &str,
    now: i64,
) -> Result<()> {
    let Some(task) = get(tx, task_id).await? else {
        return Ok(());
    };
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM time_entries WHERE task = $1")
        .bind(&task.task)
        .fetch_one(tx.conn())
        .await?;
    let key = format!("{}:{}:{now}", task.task, n + 1);
    sqlx::query(
        "INSERT INTO time_entries (row_key, employee_id, date, hours, campaign_id, task, description)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(&key)
    .bind(employee_id)
    .bind(date)
    .bind(hours)
    .bind(task.campaign_id)
    .bind(&task.task)
    .bind(description)
    .execute(tx.conn())
    .await?;
    sqlx::query(
        "UPDATE tasks SET spent_hours = (SELECT SUM(hours) FROM time_entries WHERE task = $2), updated_at = $3
         WHERE id = $1",
    )
    .bind(task_id)
    .bind(&task.task)
    .bind(now)
    .execute(tx.conn())
    .await?;
    Ok(())
}

/// Changes what a task made in mkpi is (its status, time and rating stay).
pub async fn update(tx: &mut Tx, id: i64, v: &TaskValues<'_>, now: i64) -> Result<()> {
    sqlx::query(
        "UPDATE tasks SET title = $2, description = $3, kind = $4, assignee_employee_id = $5,
                priority = $6, start = $7, due = $8, estimate_hours = $9, budget_minor = $10,
                currency = $11, goal_id = $12, campaign_id = $13, updated_at = $14
         WHERE id = $1 AND import_id IS NULL",
    )
    .bind(id)
    .bind(v.title)
    .bind(v.description)
    .bind(v.kind)
    .bind(v.assignee_employee_id)
    .bind(v.priority)
    .bind(v.start)
    .bind(v.due)
    .bind(NullableF64(v.estimate_hours))
    .bind(v.budget_minor)
    .bind(v.currency)
    .bind(v.goal_id)
    .bind(v.campaign_id)
    .bind(now)
    .execute(tx.conn())
    .await?;
    Ok(())
}

/// Removes a task made in mkpi.
pub async fn delete(tx: &mut Tx, id: i64) -> Result<()> {
    sqlx::query("DELETE FROM tasks WHERE id = $1 AND import_id IS NULL")
        .bind(id)
        .execute(tx.conn())
        .await?;
    Ok(())
}

/// A time entry on a task, as its page shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct TimeEntryRow {
    /// The entry's key (stable across edits).
    pub row_key: String,
    pub employee_id: i64,
    pub date: String,
    pub hours: f64,
    pub who: Option<String>,
    pub description: Option<String>,
    /// Logged here (`false`: imported from a tracker).
    pub logged_here: bool,
}

/// A task's time entries, latest first.
pub async fn time_entries(tx: &mut Tx, task: &str) -> Result<Vec<TimeEntryRow>> {
    let rows: Vec<TimeTuple> = sqlx::query_as(
        "SELECT t.row_key, CAST(t.employee_id AS BIGINT), t.date, t.hours, e.name, t.description,
                CAST(CASE WHEN t.import_id IS NULL THEN 1 ELSE 0 END AS BIGINT)
         FROM time_entries t LEFT JOIN employees e ON e.id = t.employee_id
         WHERE t.task = $1 ORDER BY t.date DESC, t.row_key DESC LIMIT 200",
    )
    .bind(task)
    .fetch_all(tx.conn())
    .await?;
    Ok(rows
        .into_iter()
        .map(
            |(row_key, employee_id, date, hours, who, description, here)| TimeEntryRow {
                row_key,
                employee_id,
                date,
                hours,
                who,
                description,
                logged_here: here == 1,
            },
        )
        .collect())
}

/// (key, employee, date, hours, who, description, logged here as 1).
type TimeTuple = (
    String,
    i64,
    String,
    f64,
    Option<String>,
    Option<String>,
    i64,
);

/// Changes a time entry logged here on a task (and the task's time spent).
pub async fn update_time_entry(
    tx: &mut Tx,
    task: &TaskRow,
    row_key: &str,
    date: &str,
    hours: f64,
    description: &str,
    now: i64,
) -> Result<()> {
    sqlx::query(
        "UPDATE time_entries SET date = $3, hours = $4, description = $5
         WHERE task = $1 AND row_key = $2 AND import_id IS NULL",
    )
    .bind(&task.task)
    .bind(row_key)
    .bind(date)
    .bind(hours)
    .bind(description)
    .execute(tx.conn())
    .await?;
    refresh_spent(tx, task, now).await
}

/// Removes a time entry logged here on a task (and updates its time spent).
pub async fn delete_time_entry(tx: &mut Tx, task: &TaskRow, row_key: &str, now: i64) -> Result<()> {
    sqlx::query("DELETE FROM time_entries WHERE task = $1 AND row_key = $2 AND import_id IS NULL")
        .bind(&task.task)
        .bind(row_key)
        .execute(tx.conn())
        .await?;
    refresh_spent(tx, task, now).await
}

async fn refresh_spent(tx: &mut Tx, task: &TaskRow, now: i64) -> Result<()> {
    sqlx::query(
        "UPDATE tasks SET spent_hours = (SELECT SUM(hours) FROM time_entries WHERE task = $2), updated_at = $3
         WHERE id = $1",
    )
    .bind(task.id)
    .bind(&task.task)
    .bind(now)
    .execute(tx.conn())
    .await?;
    Ok(())
}
