//! Tasks: set, listed, moved along the workflow, timed and rated.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use mkpi_services::tasks::{TaskInput, TaskQuery, TaskRow};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::AppState;
use crate::auth::Auth;
use crate::error::WebError;

#[derive(Serialize, ToSchema)]
pub struct TaskJson {
    pub id: i64,
    /// The task's key: MK-{id} for tasks made in mkpi, the tracker's key for imported ones.
    pub key: String,
    pub title: String,
    pub description: Option<String>,
    /// strategy, research, campaign, brand, event, online_presence, analysis or other.
    pub kind: Option<String>,
    /// planned, in_progress, review, done or cancelled.
    pub status: String,
    pub assignee_employee_id: Option<i64>,
    pub assignee_name: Option<String>,
    /// urgent, high, normal or low (imported tasks keep their tracker's word).
    pub priority: Option<String>,
    pub created: Option<String>,
    pub start: Option<String>,
    pub due: Option<String>,
    pub completed: Option<String>,
    pub estimate_hours: Option<f64>,
    /// The sum of the time logged.
    pub spent_hours: Option<f64>,
    pub budget_minor: Option<i64>,
    pub currency: Option<String>,
    pub goal_id: Option<i64>,
    pub goal_title: Option<String>,
    pub campaign_id: Option<i64>,
    pub campaign_name: Option<String>,
    /// 1–5, given by a manager when done.
    pub quality: Option<i64>,
    pub quality_comment: Option<String>,
    /// The import it came from; null for tasks made in mkpi.
    pub import_id: Option<i64>,
}

impl From<&TaskRow> for TaskJson {
    fn from(t: &TaskRow) -> Self {
        TaskJson {
            id: t.id,
            key: t.task.clone(),
            title: t.title.clone(),
            description: t.description.clone(),
            kind: t.kind.clone(),
            status: t.status.clone(),
            assignee_employee_id: t.assignee_employee_id,
            assignee_name: t.assignee_name.clone(),
            priority: t.priority.clone(),
            created: t.created.clone(),
            start: t.start.clone(),
            due: t.due.clone(),
            completed: t.completed.clone(),
            estimate_hours: t.estimate_hours,
            spent_hours: t.spent_hours,
            budget_minor: t.budget_minor,
            currency: t.currency.clone(),
            goal_id: t.goal_id,
            goal_title: t.goal_title.clone(),
            campaign_id: t.campaign_id,
            campaign_name: t.campaign_name.clone(),
            quality: t.quality,
            quality_comment: t.quality_comment.clone(),
            import_id: t.import_id,
        }
    }
}

#[derive(Deserialize, ToSchema)]
pub struct TaskRequest {
    pub title: String,
    #[serde(default)]
    pub description: String,
    /// strategy, research, campaign, brand, event, online_presence, analysis or other.
    pub kind: String,
    /// The caller when not given.
    pub assignee_employee_id: Option<i64>,
    /// urgent, high, normal (default) or low.
    pub priority: Option<String>,
    /// YYYY-MM-DD.
    pub start: Option<String>,
    /// YYYY-MM-DD.
    pub due: String,
    pub estimate_hours: Option<f64>,
    /// In major units, with currency.
    pub budget: Option<f64>,
    pub currency: Option<String>,
    pub goal_id: Option<i64>,
    pub campaign_id: Option<i64>,
}

/// Sets a task: for oneself, or (managers, the head, admins) for someone the caller sees.
#[utoipa::path(post, path = "/api/v1/tasks", tag = "goals", request_body = TaskRequest,
    responses(
        (status = 201, description = "Set (status planned)", body = TaskJson),
        (status = 422, description = "A bad kind, priority, date, amount, or a person, goal or campaign the caller cannot see", body = super::ErrorBodyJson),
        (status = 403, description = "Viewers; employees setting tasks for others", body = super::ErrorBodyJson),
        (status = 401, description = "Not signed in", body = super::ErrorBodyJson),
    ))]
pub async fn create(
    State(state): State<AppState>,
    Auth(actor): Auth,
    Json(req): Json<TaskRequest>,
) -> Result<(StatusCode, Json<TaskJson>), WebError> {
    let input = TaskInput {
        title: req.title,
        description: req.description,
        kind: req.kind,
        assignee_employee_id: req.assignee_employee_id,
        priority: req.priority,
        start: req.start,
        due: req.due,
        estimate_hours: req.estimate_hours,
        budget: req.budget,
        currency: req.currency,
        goal_id: req.goal_id,
        campaign_id: req.campaign_id,
    };
    let t = state.services.create_task(&actor, &input).await?;
    Ok((StatusCode::CREATED, Json((&t).into())))
}

#[derive(Deserialize, IntoParams)]
pub struct TasksQuery {
    pub assignee: Option<i64>,
    pub team: Option<i64>,
    pub goal: Option<i64>,
    /// planned, in_progress, review, done or cancelled.
    pub status: Option<String>,
    pub kind: Option<String>,
    /// 1: only open tasks past their due day.
    pub overdue: Option<u8>,
    /// YYYY-MM-DD: done and cancelled tasks only from this day (open ones always).
    pub finished_since: Option<String>,
    /// Text the task's key, title or assignee contains (any case).
    pub q: Option<String>,
    /// The page, from 1 (every task found when neither `page` nor `per_page` is given).
    pub page: Option<usize>,
    /// Tasks per page, at most 500 (50 when not given).
    pub per_page: Option<usize>,
}

/// Tasks of the people the caller sees: open first, most urgent first, then by due day.
#[utoipa::path(get, path = "/api/v1/tasks", tag = "goals", params(TasksQuery),
    responses(
        (status = 200, description = "Tasks (at most 1000)", body = Vec<TaskJson>,
            headers(("x-total-count" = usize, description = "Tasks found in all"))),
        (status = 404, description = "An assignee the caller may not see", body = super::ErrorBodyJson),
        (status = 422, description = "An unknown status or kind, or a bad day", body = super::ErrorBodyJson),
        (status = 401, description = "Not signed in", body = super::ErrorBodyJson),
    ))]
pub async fn list(
    State(state): State<AppState>,
    Auth(actor): Auth,
    Query(q): Query<TasksQuery>,
) -> Result<(axum::http::HeaderMap, Json<Vec<TaskJson>>), WebError> {
    let paging = crate::paging::PageQuery {
        q: q.q.clone(),
        page: q.page,
        per_page: q.per_page,
    };
    let rows = state
        .services
        .list_tasks(
            &actor,
            &TaskQuery {
                assignee: q.assignee,
                team: q.team,
                goal_id: q.goal,
                status: q.status.filter(|s| !s.is_empty()),
                kind: q.kind.filter(|s| !s.is_empty()),
                overdue: q.overdue == Some(1),
                finished_since: q.finished_since,
            },
        )
        .await?;
    let found: Vec<TaskJson> = rows
        .iter()
        .filter(|t| {
            crate::paging::matches(
                paging.search(),
                [
                    Some(t.task.as_str()),
                    Some(t.title.as_str()),
                    t.assignee_name.as_deref(),
                ],
            )
        })
        .map(Into::into)
        .collect();
    let (headers, page) = crate::paging::api_page(found, &paging);
    Ok((headers, Json(page)))
}

#[derive(Serialize, ToSchema)]
pub struct TimeEntryJson {
    /// The entry's key, for changing it (`PATCH /api/v1/tasks/{id}/time/{key}`).
    pub key: String,
    pub date: String,
    pub hours: f64,
    pub employee_id: i64,
    pub employee_name: Option<String>,
    pub description: Option<String>,
    /// Whether the caller may change or delete it: their own, logged here.
    pub can_change: bool,
}

impl From<mkpi_services::tasks::TimeLine> for TimeEntryJson {
    fn from(t: mkpi_services::tasks::TimeLine) -> Self {
        TimeEntryJson {
            key: t.entry.row_key,
            date: t.entry.date,
            hours: t.entry.hours,
            employee_id: t.entry.employee_id,
            employee_name: t.entry.who,
            description: t.entry.description,
            can_change: t.can_change,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct TaskDetailJson {
    pub task: TaskJson,
    pub overdue: bool,
    pub time_entries: Vec<TimeEntryJson>,
}

/// One task with its time entries.
#[utoipa::path(get, path = "/api/v1/tasks/{id}", tag = "goals",
    params(("id" = i64, Path, description = "Task id")),
    responses(
        (status = 200, description = "The task", body = TaskDetailJson),
        (status = 404, description = "No such task, or one the caller may not see", body = super::ErrorBodyJson),
        (status = 401, description = "Not signed in", body = super::ErrorBodyJson),
    ))]
pub async fn show(
    State(state): State<AppState>,
    Auth(actor): Auth,
    Path(id): Path<i64>,
) -> Result<Json<TaskDetailJson>, WebError> {
    let d = state.services.task(&actor, id).await?;
    Ok(Json(TaskDetailJson {
        task: (&d.task).into(),
        overdue: d.overdue,
        time_entries: d.time.into_iter().map(Into::into).collect(),
    }))
}

/// The fields to change; those left out keep their value.
#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct TaskPatchRequest {
    pub title: Option<String>,
    pub description: Option<String>,
    /// strategy, research, campaign, brand, event, online_presence, analysis or other.
    pub kind: Option<String>,
    /// Reassigns it (not once it is done).
    pub assignee_employee_id: Option<i64>,
    /// urgent, high, normal or low.
    pub priority: Option<String>,
    /// YYYY-MM-DD.
    pub start: Option<String>,
    /// YYYY-MM-DD.
    pub due: Option<String>,
    pub estimate_hours: Option<f64>,
    /// In major units, with currency.
    pub budget: Option<f64>,
    pub currency: Option<String>,
    pub goal_id: Option<i64>,
    pub campaign_id: Option<i64>,
}

/// A stored task as input, with a change laid over it.
pub(crate) fn patched(t: &TaskRow, p: TaskPatchRequest) -> TaskInput {
    TaskInput {
        title: p.title.unwrap_or_else(|| t.title.clone()),
        description: p
            .description
            .unwrap_or_else(|| t.description.clone().unwrap_or_default()),
        kind: p
            .kind
            .unwrap_or_else(|| t.kind.clone().unwrap_or_else(|| "other".into())),
        assignee_employee_id: p.assignee_employee_id.or(t.assignee_employee_id),
        priority: p.priority.or_else(|| t.priority.clone()),
        start: p.start.or_else(|| t.start.clone()),
        due: p.due.unwrap_or_else(|| t.due.clone().unwrap_or_default()),
        estimate_hours: p.estimate_hours.or(t.estimate_hours),
        budget: p
            .budget
            .or_else(|| t.budget_minor.map(|b| b as f64 / 100.0)),
        currency: p.currency.or_else(|| t.currency.clone()),
        goal_id: p.goal_id.or(t.goal_id),
        campaign_id: p.campaign_id.or(t.campaign_id),
    }
}

/// Changes a task made in mkpi: its assignee's managers, or the assignee
/// for a task they set themself. Status, time and rating have their own
/// operations.
#[utoipa::path(patch, path = "/api/v1/tasks/{id}", tag = "goals", request_body = TaskPatchRequest,
    params(("id" = i64, Path, description = "Task id")),
    responses(
        (status = 200, description = "The changed task", body = TaskJson),
        (status = 404, description = "No such task, or one the caller may not see", body = super::ErrorBodyJson),
        (status = 409, description = "A tracker's task (change it there)", body = super::ErrorBodyJson),
        (status = 422, description = "A bad field, a person, goal or campaign the caller cannot see, or a done task reassigned", body = super::ErrorBodyJson),
        (status = 403, description = "Neither a manager of the assignee nor the assignee who set it", body = super::ErrorBodyJson),
        (status = 401, description = "Not signed in", body = super::ErrorBodyJson),
    ))]
pub async fn update(
    State(state): State<AppState>,
    Auth(actor): Auth,
    Path(id): Path<i64>,
    Json(req): Json<TaskPatchRequest>,
) -> Result<Json<TaskJson>, WebError> {
    let before = state.services.task(&actor, id).await?.task;
    let t = state
        .services
        .update_task(&actor, id, &patched(&before, req))
        .await?;
    Ok(Json((&t).into()))
}

/// Deletes a task set by mistake; one with logged time or a rating is
/// cancelled instead.
#[utoipa::path(delete, path = "/api/v1/tasks/{id}", tag = "goals",
    params(("id" = i64, Path, description = "Task id")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 404, description = "No such task, or one the caller may not see", body = super::ErrorBodyJson),
        (status = 409, description = "Time is logged on it, it is rated, or it is a tracker's", body = super::ErrorBodyJson),
        (status = 403, description = "Neither a manager of the assignee nor the assignee who set it", body = super::ErrorBodyJson),
        (status = 401, description = "Not signed in", body = super::ErrorBodyJson),
    ))]
pub async fn delete(
    State(state): State<AppState>,
    Auth(actor): Auth,
    Path(id): Path<i64>,
) -> Result<StatusCode, WebError> {
    state.services.delete_task(&actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
pub struct TaskStatusRequest {
    /// in_progress, review, done or cancelled (as the workflow allows).
    pub status: String,
}

/// Moves a task along the workflow (its assignee and their managers).
#[utoipa::path(post, path = "/api/v1/tasks/{id}/status", tag = "goals", request_body = TaskStatusRequest,
    params(("id" = i64, Path, description = "Task id")),
    responses(
        (status = 200, description = "The task with its new status", body = TaskJson),
        (status = 404, description = "No such task, or one the caller may not see", body = super::ErrorBodyJson),
        (status = 422, description = "An unknown status, a move the workflow forbids, or a tracker's task", body = super::ErrorBodyJson),
        (status = 403, description = "Neither the assignee nor their manager", body = super::ErrorBodyJson),
        (status = 401, description = "Not signed in", body = super::ErrorBodyJson),
    ))]
pub async fn set_status(
    State(state): State<AppState>,
    Auth(actor): Auth,
    Path(id): Path<i64>,
    Json(req): Json<TaskStatusRequest>,
) -> Result<Json<TaskJson>, WebError> {
    let t = state
        .services
        .set_task_status(&actor, id, &req.status)
        .await?;
    Ok(Json((&t).into()))
}

#[derive(Deserialize, ToSchema)]
pub struct RatingRequest {
    /// 1 to 5.
    pub quality: i64,
    #[serde(default)]
    pub comment: String,
}

/// Rates a done task's quality (a manager of the assignee, the head, admins).
#[utoipa::path(post, path = "/api/v1/tasks/{id}/rating", tag = "goals", request_body = RatingRequest,
    params(("id" = i64, Path, description = "Task id")),
    responses(
        (status = 200, description = "Rated", body = TaskJson),
        (status = 404, description = "No such task, or one the caller may not see", body = super::ErrorBodyJson),
        (status = 422, description = "Not done yet, or a rating outside 1–5", body = super::ErrorBodyJson),
        (status = 403, description = "The assignee, or not their manager", body = super::ErrorBodyJson),
        (status = 401, description = "Not signed in", body = super::ErrorBodyJson),
    ))]
pub async fn rate(
    State(state): State<AppState>,
    Auth(actor): Auth,
    Path(id): Path<i64>,
    Json(req): Json<RatingRequest>,
) -> Result<Json<TaskJson>, WebError> {
    let t = state
        .services
        .rate_task(&actor, id, req.quality, &req.comment)
        .await?;
    Ok(Json((&t).into()))
}

#[derive(Deserialize, ToSchema)]
pub struct TimeRequest {
    /// YYYY-MM-DD, not in the future.
    pub date: String,
    /// Above 0, at most 24.
    pub hours: f64,
    #[serde(default)]
    pub description: String,
}

/// Logs the assignee's hours on a task made in mkpi.
#[utoipa::path(post, path = "/api/v1/tasks/{id}/time", tag = "goals", request_body = TimeRequest,
    params(("id" = i64, Path, description = "Task id")),
    responses(
        (status = 200, description = "Logged; the task with its spent hours", body = TaskJson),
        (status = 404, description = "No such task, or one the caller may not see", body = super::ErrorBodyJson),
        (status = 422, description = "A bad date or hours, or a tracker's task", body = super::ErrorBodyJson),
        (status = 403, description = "Not the assignee", body = super::ErrorBodyJson),
        (status = 401, description = "Not signed in", body = super::ErrorBodyJson),
    ))]
pub async fn log_time(
    State(state): State<AppState>,
    Auth(actor): Auth,
    Path(id): Path<i64>,
    Json(req): Json<TimeRequest>,
) -> Result<Json<TaskJson>, WebError> {
    let t = state
        .services
        .log_task_time(&actor, id, &req.date, req.hours, &req.description)
        .await?;
    Ok(Json((&t).into()))
}

/// Changes time the caller logged here on a task.
#[utoipa::path(patch, path = "/api/v1/tasks/{id}/time/{key}", tag = "goals", request_body = TimeRequest,
    params(("id" = i64, Path, description = "Task id"), ("key" = String, Path, description = "The time entry's key")),
    responses(
        (status = 200, description = "Changed", body = TimeEntryJson),
        (status = 404, description = "No such task or entry, or a task the caller may not see", body = super::ErrorBodyJson),
        (status = 422, description = "A bad date or hours", body = super::ErrorBodyJson),
        (status = 403, description = "Someone else's time, or time imported from a tracker", body = super::ErrorBodyJson),
        (status = 401, description = "Not signed in", body = super::ErrorBodyJson),
    ))]
pub async fn update_time(
    State(state): State<AppState>,
    Auth(actor): Auth,
    Path((id, key)): Path<(i64, String)>,
    Json(req): Json<TimeRequest>,
) -> Result<Json<TimeEntryJson>, WebError> {
    let input = mkpi_services::tasks::TimeInput {
        date: req.date,
        hours: req.hours,
        description: req.description,
    };
    let entry = state
        .services
        .update_time_entry(&actor, id, &key, &input)
        .await?;
    Ok(Json(
        mkpi_services::tasks::TimeLine {
            entry,
            can_change: true,
        }
        .into(),
    ))
}

/// Deletes time the caller logged here on a task.
#[utoipa::path(delete, path = "/api/v1/tasks/{id}/time/{key}", tag = "goals",
    params(("id" = i64, Path, description = "Task id"), ("key" = String, Path, description = "The time entry's key")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 404, description = "No such task or entry, or a task the caller may not see", body = super::ErrorBodyJson),
        (status = 403, description = "Someone else's time, or time imported from a tracker", body = super::ErrorBodyJson),
        (status = 401, description = "Not signed in", body = super::ErrorBodyJson),
    ))]
pub async fn delete_time(
    State(state): State<AppState>,
    Auth(actor): Auth,
    Path((id, key)): Path<(i64, String)>,
) -> Result<StatusCode, WebError> {
    state.services.delete_time_entry(&actor, id, &key).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
pub struct TaskGoalRequest {
    /// The goal the task serves; null to unlink.
    pub goal_id: Option<i64>,
}

/// Links a task (made here or imported from a tracker) to the goal it serves (its assignee and their managers).
#[utoipa::path(post, path = "/api/v1/tasks/{id}/goal", tag = "goals", request_body = TaskGoalRequest,
    params(("id" = i64, Path, description = "Task id")),
    responses(
        (status = 200, description = "Linked", body = TaskJson),
        (status = 404, description = "No such task, or one the caller may not see", body = super::ErrorBodyJson),
        (status = 422, description = "A goal the caller cannot see, or a finished one", body = super::ErrorBodyJson),
        (status = 403, description = "Neither the assignee nor their manager", body = super::ErrorBodyJson),
        (status = 401, description = "Not signed in", body = super::ErrorBodyJson),
    ))]
pub async fn link_goal(
    State(state): State<AppState>,
    Auth(actor): Auth,
    Path(id): Path<i64>,
    Json(req): Json<TaskGoalRequest>,
) -> Result<Json<TaskJson>, WebError> {
    let t = state
        .services
        .link_task_goal(&actor, id, req.goal_id)
        .await?;
    Ok(Json((&t).into()))
}
