//! Check-ins on KPIs and 1:1 notes.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use mkpi_services::check_ins::{CheckInRow, OneOnOneRow};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::AppState;
use crate::auth::Auth;
use crate::error::WebError;

#[derive(Serialize, ToSchema)]
pub struct CheckInJson {
    pub id: i64,
    pub kpi_id: i64,
    pub author: String,
    /// Unix seconds.
    pub at: i64,
    /// 1 (will miss) to 5 (certain to meet).
    pub confidence: i64,
    pub comment: String,
    /// The KPI's value when the check-in was made.
    pub value: Option<f64>,
    /// Unix seconds of a change made more than a day after it was written.
    pub edited_at: Option<i64>,
}

impl From<CheckInRow> for CheckInJson {
    fn from(c: CheckInRow) -> Self {
        CheckInJson {
            id: c.id,
            kpi_id: c.kpi_id,
            author: c.author_name,
            at: c.at,
            confidence: c.confidence,
            comment: c.comment,
            value: c.value,
            edited_at: c.edited_at,
        }
    }
}

#[derive(Deserialize, ToSchema)]
pub struct NewCheckInRequest {
    pub confidence: i64,
    pub comment: String,
}

/// Records progress on a KPI (the person it is set for, their managers, the head, admins).
#[utoipa::path(post, path = "/api/v1/kpis/{id}/check-ins", tag = "metrics", request_body = NewCheckInRequest,
    params(("id" = i64, Path, description = "KPI id")),
    responses(
        (status = 201, description = "Recorded with the KPI's value of the moment", body = CheckInJson),
        (status = 404, description = "No such KPI, or one the caller may not see", body = super::ErrorBodyJson),
        (status = 422, description = "Confidence outside 1-5 or an empty comment", body = super::ErrorBodyJson),
        (status = 403, description = "Viewers, and employees on KPIs not their own", body = super::ErrorBodyJson),
        (status = 401, description = "Not signed in", body = super::ErrorBodyJson),
    ))]
pub async fn create(
    State(state): State<AppState>,
    Auth(actor): Auth,
    Path(id): Path<i64>,
    Json(req): Json<NewCheckInRequest>,
) -> Result<(StatusCode, Json<CheckInJson>), WebError> {
    let c = state
        .services
        .add_check_in(&actor, id, req.confidence, &req.comment)
        .await?;
    Ok((StatusCode::CREATED, Json(c.into())))
}

/// A KPI's check-ins, newest first.
#[utoipa::path(get, path = "/api/v1/kpis/{id}/check-ins", tag = "metrics",
    params(("id" = i64, Path, description = "KPI id")),
    responses(
        (status = 200, description = "Check-ins, newest first", body = Vec<CheckInJson>),
        (status = 404, description = "No such KPI, or one the caller may not see", body = super::ErrorBodyJson),
        (status = 403, description = "The viewer: a person's figures and evaluations are not theirs to read", body = super::ErrorBodyJson),
        (status = 401, description = "Not signed in", body = super::ErrorBodyJson),
    ))]
pub async fn list(
    State(state): State<AppState>,
    Auth(actor): Auth,
    Path(id): Path<i64>,
) -> Result<Json<Vec<CheckInJson>>, WebError> {
    let rows = state.services.check_ins(&actor, id).await?;
    Ok(Json(rows.into_iter().map(Into::into).collect()))
}

#[derive(Serialize, ToSchema)]
pub struct OneOnOneJson {
    pub id: i64,
    pub employee_id: i64,
    pub manager_employee_id: i64,
    /// YYYY-MM-DD.
    pub held_on: String,
    pub notes: String,
    pub next_steps: String,
    /// Shared notes are readable by everyone who sees the person; others by the pair only.
    pub shared: bool,
    /// Unix seconds of a change made more than a day after they were written.
    pub edited_at: Option<i64>,
}

impl From<OneOnOneRow> for OneOnOneJson {
    fn from(n: OneOnOneRow) -> Self {
        OneOnOneJson {
            id: n.id,
            employee_id: n.employee_id,
            manager_employee_id: n.manager_employee_id,
            held_on: n.held_on,
            notes: n.notes,
            next_steps: n.next_steps,
            shared: n.shared,
            edited_at: n.edited_at,
        }
    }
}

#[derive(Deserialize, ToSchema)]
pub struct NewOneOnOneRequest {
    pub held_on: String,
    pub notes: String,
    #[serde(default)]
    pub next_steps: String,
    #[serde(default)]
    pub shared: bool,
}

/// Notes of a 1:1 with a report (their manager or the head).
#[utoipa::path(post, path = "/api/v1/employees/{id}/one-on-ones", tag = "organisation", request_body = NewOneOnOneRequest,
    params(("id" = i64, Path, description = "Employee id")),
    responses(
        (status = 201, description = "Recorded", body = OneOnOneJson),
        (status = 404, description = "No such employee, or outside the caller's scope", body = super::ErrorBodyJson),
        (status = 422, description = "A bad date or empty notes", body = super::ErrorBodyJson),
        (status = 403, description = "Not the person's manager or the head", body = super::ErrorBodyJson),
        (status = 401, description = "Not signed in", body = super::ErrorBodyJson),
    ))]
pub async fn create_one_on_one(
    State(state): State<AppState>,
    Auth(actor): Auth,
    Path(id): Path<i64>,
    Json(req): Json<NewOneOnOneRequest>,
) -> Result<(StatusCode, Json<OneOnOneJson>), WebError> {
    let n = state
        .services
        .add_one_on_one(
            &actor,
            id,
            &req.held_on,
            &req.notes,
            &req.next_steps,
            req.shared,
        )
        .await?;
    Ok((StatusCode::CREATED, Json(n.into())))
}

/// A person's 1:1 notes as the caller may read them.
#[utoipa::path(get, path = "/api/v1/employees/{id}/one-on-ones", tag = "organisation",
    params(("id" = i64, Path, description = "Employee id")),
    responses(
        (status = 200, description = "Notes, newest first: all for the pair, shared ones for others", body = Vec<OneOnOneJson>),
        (status = 404, description = "No such employee, or outside the caller's scope", body = super::ErrorBodyJson),
        (status = 403, description = "The viewer: a person's figures and evaluations are not theirs to read", body = super::ErrorBodyJson),
        (status = 401, description = "Not signed in", body = super::ErrorBodyJson),
    ))]
pub async fn one_on_ones(
    State(state): State<AppState>,
    Auth(actor): Auth,
    Path(id): Path<i64>,
) -> Result<Json<Vec<OneOnOneJson>>, WebError> {
    let rows = state.services.one_on_ones(&actor, id).await?;
    Ok(Json(rows.into_iter().map(Into::into).collect()))
}

/// The fields of a check-in to change; those left out keep their value.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CheckInPatchRequest {
    pub confidence: Option<i64>,
    pub comment: Option<String>,
}

/// Changes a check-in (its author only); a change more than a day after it
/// was written shows as an edit.
#[utoipa::path(patch, path = "/api/v1/check-ins/{id}", tag = "metrics", request_body = CheckInPatchRequest,
    params(("id" = i64, Path, description = "Check-in id")),
    responses(
        (status = 200, description = "Changed", body = CheckInJson),
        (status = 404, description = "No such check-in, or one on a KPI the caller may not see", body = super::ErrorBodyJson),
        (status = 422, description = "A confidence outside 1–5 or an empty comment", body = super::ErrorBodyJson),
        (status = 403, description = "Not its author", body = super::ErrorBodyJson),
        (status = 401, description = "Not signed in", body = super::ErrorBodyJson),
    ))]
pub async fn update(
    State(state): State<AppState>,
    Auth(actor): Auth,
    Path(id): Path<i64>,
    Json(req): Json<CheckInPatchRequest>,
) -> Result<Json<CheckInJson>, WebError> {
    let change = mkpi_services::check_ins::CheckInChange {
        confidence: req.confidence,
        comment: req.comment,
    };
    let row = state.services.update_check_in(&actor, id, &change).await?;
    Ok(Json(row.into()))
}

/// The fields of a 1:1's notes to change; those left out keep their value.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OneOnOnePatchRequest {
    /// YYYY-MM-DD.
    pub held_on: Option<String>,
    pub notes: Option<String>,
    pub next_steps: Option<String>,
    pub shared: Option<bool>,
}

/// Changes a 1:1's notes (the one who wrote them only); a change more than
/// a day later shows as an edit.
#[utoipa::path(patch, path = "/api/v1/one-on-ones/{id}", tag = "organisation", request_body = OneOnOnePatchRequest,
    params(("id" = i64, Path, description = "1:1 id")),
    responses(
        (status = 200, description = "Changed", body = OneOnOneJson),
        (status = 404, description = "No such notes, or notes the caller may not read", body = super::ErrorBodyJson),
        (status = 422, description = "A bad date or empty notes", body = super::ErrorBodyJson),
        (status = 403, description = "Not the one who wrote them", body = super::ErrorBodyJson),
        (status = 401, description = "Not signed in", body = super::ErrorBodyJson),
    ))]
pub async fn update_one_on_one(
    State(state): State<AppState>,
    Auth(actor): Auth,
    Path(id): Path<i64>,
    Json(req): Json<OneOnOnePatchRequest>,
) -> Result<Json<OneOnOneJson>, WebError> {
    let change = mkpi_services::check_ins::OneOnOneChange {
        held_on: req.held_on,
        notes: req.notes,
        next_steps: req.next_steps,
        shared: req.shared,
    };
    let row = state
        .services
        .update_one_on_one(&actor, id, &change)
        .await?;
    Ok(Json(row.into()))
}
