//! Development actions: training, mentoring, coaching or a stretch
//! assignment planned for a person, moved along by the person, its owner
//! and the person's managers.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use mkpi_services::development_actions::{DevelopmentActionRow, NewActionInput};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::AppState;
use crate::auth::Auth;
use crate::error::WebError;

#[derive(Serialize, ToSchema)]
pub struct DevelopmentActionJson {
    pub id: i64,
    pub employee_id: i64,
    /// training, mentoring, coaching, stretch_assignment or other.
    pub kind: String,
    pub title: String,
    pub note: String,
    /// The KPI that needs support, if any.
    pub kpi_id: Option<i64>,
    /// The flag that called for it: needs_support or top_performer.
    pub flag: Option<String>,
    /// The competency it develops, if any.
    pub competency: Option<String>,
    /// The review cycle that called for it, if any.
    pub cycle_id: Option<i64>,
    pub owner_employee_id: Option<i64>,
    pub owner_name: Option<String>,
    /// YYYY-MM-DD.
    pub due_on: String,
    /// planned, in_progress, done or cancelled.
    pub status: String,
    /// YYYY-MM-DD, when done.
    pub completed_on: Option<String>,
}

impl From<DevelopmentActionRow> for DevelopmentActionJson {
    fn from(a: DevelopmentActionRow) -> Self {
        DevelopmentActionJson {
            id: a.id,
            employee_id: a.employee_id,
            kind: a.kind,
            title: a.title,
            note: a.note,
            kpi_id: a.kpi_id,
            flag: a.flag,
            competency: a.competency_code,
            cycle_id: a.cycle_id,
            owner_employee_id: a.owner_employee_id,
            owner_name: a.owner_name,
            due_on: a.due_on,
            status: a.status,
            completed_on: a.completed_on,
        }
    }
}

#[derive(Deserialize, ToSchema)]
pub struct NewDevelopmentActionRequest {
    /// training, mentoring, coaching, stretch_assignment or other.
    pub kind: String,
    pub title: String,
    #[serde(default)]
    pub note: String,
    /// YYYY-MM-DD, today or later.
    pub due_on: String,
    pub kpi_id: Option<i64>,
    /// needs_support or top_performer.
    pub flag: Option<String>,
    /// The caller when not given.
    pub owner_employee_id: Option<i64>,
    /// A competency code of the framework it develops.
    pub competency: Option<String>,
    /// The review cycle that called for it (the person must be in it).
    pub cycle_id: Option<i64>,
}

/// Plans a development action for a person (their manager or the head).
#[utoipa::path(post, path = "/api/v1/employees/{id}/development-actions", tag = "organisation",
    request_body = NewDevelopmentActionRequest,
    params(("id" = i64, Path, description = "Employee id")),
    responses(
        (status = 201, description = "Planned", body = DevelopmentActionJson),
        (status = 404, description = "No such employee, or outside the caller's scope", body = super::ErrorBodyJson),
        (status = 422, description = "A bad kind, an empty title, a past or bad due date, a KPI or owner the caller cannot see, an unknown competency, a cycle without the person", body = super::ErrorBodyJson),
        (status = 403, description = "Not the person's manager or the head", body = super::ErrorBodyJson),
        (status = 401, description = "Not signed in", body = super::ErrorBodyJson),
    ))]
pub async fn create(
    State(state): State<AppState>,
    Auth(actor): Auth,
    Path(id): Path<i64>,
    Json(req): Json<NewDevelopmentActionRequest>,
) -> Result<(StatusCode, Json<DevelopmentActionJson>), WebError> {
    let input = NewActionInput {
        kind: req.kind,
        title: req.title,
        note: req.note,
        due_on: req.due_on,
        kpi_id: req.kpi_id,
        flag: req.flag,
        owner_employee_id: req.owner_employee_id,
        competency: req.competency,
        cycle_id: req.cycle_id,
    };
    let a = state
        .services
        .add_development_action(&actor, id, &input)
        .await?;
    Ok((StatusCode::CREATED, Json(a.into())))
}

/// A person's development actions: open ones by due date, then finished ones.
#[utoipa::path(get, path = "/api/v1/employees/{id}/development-actions", tag = "organisation",
    params(("id" = i64, Path, description = "Employee id")),
    responses(
        (status = 200, description = "The person's actions", body = Vec<DevelopmentActionJson>),
        (status = 404, description = "No such employee, or outside the caller's scope", body = super::ErrorBodyJson),
        (status = 403, description = "The viewer: a person's figures and evaluations are not theirs to read", body = super::ErrorBodyJson),
        (status = 401, description = "Not signed in", body = super::ErrorBodyJson),
    ))]
pub async fn list(
    State(state): State<AppState>,
    Auth(actor): Auth,
    Path(id): Path<i64>,
) -> Result<Json<Vec<DevelopmentActionJson>>, WebError> {
    let rows = state.services.development_actions(&actor, id).await?;
    Ok(Json(rows.into_iter().map(Into::into).collect()))
}

#[derive(Deserialize, ToSchema)]
pub struct StatusRequest {
    /// in_progress, done or cancelled (from planned); done or cancelled (from in_progress).
    pub status: String,
}

/// Moves an action along (the person, the owner, the person's managers, the head, admins).
#[utoipa::path(post, path = "/api/v1/development-actions/{id}/status", tag = "organisation",
    request_body = StatusRequest,
    params(("id" = i64, Path, description = "Development action id")),
    responses(
        (status = 200, description = "The action with its new status", body = DevelopmentActionJson),
        (status = 404, description = "No such action, or one the caller may not see", body = super::ErrorBodyJson),
        (status = 422, description = "An unknown status or a move the workflow does not allow", body = super::ErrorBodyJson),
        (status = 403, description = "Viewers, and employees on others' actions", body = super::ErrorBodyJson),
        (status = 401, description = "Not signed in", body = super::ErrorBodyJson),
    ))]
pub async fn set_status(
    State(state): State<AppState>,
    Auth(actor): Auth,
    Path(id): Path<i64>,
    Json(req): Json<StatusRequest>,
) -> Result<Json<DevelopmentActionJson>, WebError> {
    let a = state
        .services
        .set_development_action_status(&actor, id, &req.status)
        .await?;
    Ok(Json(a.into()))
}
