//! Calibration, formulas, client links and dynamics of review cycles:
//! everyone side by side for those who manage them, a what-if of another
//! formula, calibration moves with reasons, potential for the 9-box, the
//! person's acknowledgement, history across cycles and distributions.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use mkpi_services::calibration::FormulaInput;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::reviews::{CycleJson, RaterJson};
use crate::AppState;
use crate::auth::Auth;
use crate::error::WebError;

/// A formula's weights: any scale, kept as shares of 1.
#[derive(Deserialize, Serialize, ToSchema, Default)]
pub struct FormulaJson {
    #[serde(default)]
    pub kpi: f64,
    #[serde(default)]
    pub goals: f64,
    #[serde(default)]
    pub manager: f64,
    #[serde(default)]
    pub peer: f64,
    #[serde(default)]
    pub client: f64,
    #[serde(default, rename = "self")]
    pub self_review: f64,
}

impl From<&FormulaJson> for FormulaInput {
    fn from(f: &FormulaJson) -> Self {
        FormulaInput {
            kpi: f.kpi,
            goals: f.goals,
            manager: f.manager,
            peer: f.peer,
            client: f.client,
            self_review: f.self_review,
        }
    }
}

impl From<&mkpi_domain::review::Formula> for FormulaJson {
    fn from(f: &mkpi_domain::review::Formula) -> Self {
        use mkpi_domain::review::Perspective;
        let w = |p| f.competencies.get(&p).copied().unwrap_or(0.0);
        FormulaJson {
            kpi: f.kpi,
            goals: f.goals,
            manager: w(Perspective::Manager),
            peer: w(Perspective::Peer),
            client: w(Perspective::Client),
            self_review: w(Perspective::SelfReview),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct CalibrationRowJson {
    pub employee_id: i64,
    pub name: String,
    pub team_id: Option<i64>,
    /// 0 to 1; null when missing.
    pub kpi: Option<f64>,
    pub goals: Option<f64>,
    /// Each perspective's competency mean on 0–1; null where missing or under the anonymity threshold.
    pub perspectives: BTreeMap<String, Option<f64>>,
    /// By the formula, before calibration.
    pub score: Option<f64>,
    /// The calibration move in points, with its reason.
    pub adjustment_points: Option<f64>,
    pub adjustment_reason: Option<String>,
    /// After the move.
    pub final_score: Option<f64>,
    pub place: Option<usize>,
    /// The manager's potential rating on the cycle's scale.
    pub potential: Option<i64>,
    /// [performance, potential], each 0 low, 1 medium, 2 high.
    pub nine_box: Option<[u8; 2]>,
    /// Self mean minus the others' (on the scale).
    pub self_gap: Option<f64>,
    /// Mean standard deviation of the non-self ratings per competency.
    pub disagreement: Option<f64>,
}

#[derive(Serialize, ToSchema)]
pub struct RaterStatJson {
    pub rater_employee_id: i64,
    pub name: String,
    pub people: usize,
    /// Mean rating minus everyone's mean for the same people.
    pub leniency: Option<f64>,
}

#[derive(Serialize, ToSchema)]
pub struct CalibrationJson {
    pub cycle: CycleJson,
    pub formula: FormulaJson,
    pub rows: Vec<CalibrationRowJson>,
    /// Final scores in five bands of 20 points.
    pub distribution: [usize; 5],
    pub raters: Vec<RaterStatJson>,
}

/// Everyone of a cycle the caller manages, side by side (the head and admins see all).
#[utoipa::path(get, path = "/api/v1/review-cycles/{id}/calibration", tag = "reviews",
    params(("id" = i64, Path, description = "Cycle id")),
    responses(
        (status = 200, description = "Scores, parts, moves, potential, distribution and rater statistics", body = CalibrationJson),
        (status = 404, description = "No such cycle, or a viewer", body = super::ErrorBodyJson),
        (status = 403, description = "Not a manager, the head or an admin", body = super::ErrorBodyJson),
        (status = 401, description = "Not signed in", body = super::ErrorBodyJson),
    ))]
pub async fn calibration(
    State(state): State<AppState>,
    Auth(actor): Auth,
    Path(id): Path<i64>,
) -> Result<Json<CalibrationJson>, WebError> {
    let c = state.services.calibration(&actor, id).await?;
    Ok(Json(CalibrationJson {
        formula: (&c.formula).into(),
        rows: c
            .rows
            .into_iter()
            .map(|r| CalibrationRowJson {
                employee_id: r.employee_id,
                name: r.name,
                team_id: r.team_id,
                kpi: r.parts.kpi.clone().ok(),
                goals: r.parts.goals.clone().ok(),
                perspectives: r
                    .parts
                    .competencies
                    .iter()
                    .map(|(p, v)| (p.code().to_string(), v.clone().ok()))
                    .collect(),
                score: r.score.value,
                adjustment_points: r.adjustment.as_ref().map(|a| a.delta * 100.0),
                adjustment_reason: r.adjustment.map(|a| a.reason),
                final_score: r.final_score,
                place: r.place,
                potential: r.potential,
                nine_box: r.nine_box.map(|(a, b)| [a, b]),
                self_gap: r.parts.self_gap,
                disagreement: r.parts.disagreement,
            })
            .collect(),
        distribution: c.distribution,
        raters: c
            .raters
            .into_iter()
            .map(|r| RaterStatJson {
                rater_employee_id: r.rater_employee_id,
                name: r.name,
                people: r.people,
                leniency: r.leniency,
            })
            .collect(),
        cycle: c.cycle.into(),
    }))
}

#[derive(Serialize, ToSchema)]
pub struct WhatIfJson {
    pub employee_id: i64,
    pub name: String,
    pub current: Option<f64>,
    pub current_place: Option<usize>,
    pub proposed: Option<f64>,
    pub proposed_place: Option<usize>,
}

/// How scores and places would change under another formula (the head and admins).
#[utoipa::path(post, path = "/api/v1/review-cycles/{id}/what-if", tag = "reviews", request_body = FormulaJson,
    params(("id" = i64, Path, description = "Cycle id")),
    responses(
        (status = 200, description = "Each person under the current and the proposed formula", body = Vec<WhatIfJson>),
        (status = 404, description = "No such cycle", body = super::ErrorBodyJson),
        (status = 422, description = "A negative weight, or none above 0", body = super::ErrorBodyJson),
        (status = 403, description = "Not the head or an admin", body = super::ErrorBodyJson),
        (status = 401, description = "Not signed in", body = super::ErrorBodyJson),
    ))]
pub async fn what_if(
    State(state): State<AppState>,
    Auth(actor): Auth,
    Path(id): Path<i64>,
    Json(f): Json<FormulaJson>,
) -> Result<Json<Vec<WhatIfJson>>, WebError> {
    let rows = state
        .services
        .review_what_if(&actor, id, &(&f).into())
        .await?;
    Ok(Json(
        rows.into_iter()
            .map(|r| WhatIfJson {
                employee_id: r.employee_id,
                name: r.name,
                current: r.current,
                current_place: r.current_place,
                proposed: r.proposed,
                proposed_place: r.proposed_place,
            })
            .collect(),
    ))
}

/// Gives a cycle another formula, one version on, until results are released (the head and admins).
#[utoipa::path(put, path = "/api/v1/review-cycles/{id}/formula", tag = "reviews", request_body = FormulaJson,
    params(("id" = i64, Path, description = "Cycle id")),
    responses(
        (status = 200, description = "The cycle with its new formula version", body = CycleJson),
        (status = 404, description = "No such cycle", body = super::ErrorBodyJson),
        (status = 422, description = "A bad formula, or results released already", body = super::ErrorBodyJson),
        (status = 403, description = "Not the head or an admin", body = super::ErrorBodyJson),
        (status = 401, description = "Not signed in", body = super::ErrorBodyJson),
    ))]
pub async fn set_formula(
    State(state): State<AppState>,
    Auth(actor): Auth,
    Path(id): Path<i64>,
    Json(f): Json<FormulaJson>,
) -> Result<Json<CycleJson>, WebError> {
    let c = state
        .services
        .set_review_formula(&actor, id, &(&f).into())
        .await?;
    Ok(Json(c.into()))
}

#[derive(Deserialize, ToSchema)]
pub struct AdjustmentRequest {
    pub employee_id: i64,
    /// −100 to 100 points of the final score; 0 takes a move back.
    pub points: f64,
    /// Required; kept in the audit log and shown to the person.
    pub reason: String,
}

#[derive(Serialize, ToSchema)]
pub struct AdjustmentJson {
    pub employee_id: i64,
    pub points: f64,
    pub reason: String,
}

/// Moves a person's final score during calibration, with a reason (their managers, the head, admins).
#[utoipa::path(post, path = "/api/v1/review-cycles/{id}/adjustments", tag = "reviews", request_body = AdjustmentRequest,
    params(("id" = i64, Path, description = "Cycle id")),
    responses(
        (status = 200, description = "Moved", body = AdjustmentJson),
        (status = 404, description = "No such cycle, or a person the caller may not see or who is not in it", body = super::ErrorBodyJson),
        (status = 422, description = "No reason, a move beyond 100 points, or a cycle not in calibration", body = super::ErrorBodyJson),
        (status = 403, description = "Not the person's manager", body = super::ErrorBodyJson),
        (status = 401, description = "Not signed in", body = super::ErrorBodyJson),
    ))]
pub async fn adjust(
    State(state): State<AppState>,
    Auth(actor): Auth,
    Path(id): Path<i64>,
    Json(r): Json<AdjustmentRequest>,
) -> Result<Json<AdjustmentJson>, WebError> {
    let a = state
        .services
        .adjust_review_score(&actor, id, r.employee_id, r.points, &r.reason)
        .await?;
    Ok(Json(AdjustmentJson {
        employee_id: a.employee_id,
        points: a.delta * 100.0,
        reason: a.reason,
    }))
}

#[derive(Deserialize, ToSchema)]
pub struct PotentialRequest {
    pub employee_id: i64,
    /// On the cycle's scale.
    pub rating: i64,
}

/// The manager's rating of a person's potential, the 9-box's other axis (their managers, the head, admins).
#[utoipa::path(post, path = "/api/v1/review-cycles/{id}/potential", tag = "reviews", request_body = PotentialRequest,
    params(("id" = i64, Path, description = "Cycle id")),
    responses(
        (status = 204, description = "Rated"),
        (status = 404, description = "No such cycle, or a person the caller may not see or who is not in it", body = super::ErrorBodyJson),
        (status = 422, description = "Off the scale, or results released already", body = super::ErrorBodyJson),
        (status = 403, description = "Not the person's manager", body = super::ErrorBodyJson),
        (status = 401, description = "Not signed in", body = super::ErrorBodyJson),
    ))]
pub async fn potential(
    State(state): State<AppState>,
    Auth(actor): Auth,
    Path(id): Path<i64>,
    Json(r): Json<PotentialRequest>,
) -> Result<StatusCode, WebError> {
    state
        .services
        .rate_potential(&actor, id, r.employee_id, r.rating)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
pub struct AcknowledgementRequest {
    #[serde(default)]
    pub comment: String,
}

/// The caller acknowledges their released results, with a comment (once).
#[utoipa::path(post, path = "/api/v1/review-cycles/{id}/acknowledgement", tag = "reviews", request_body = AcknowledgementRequest,
    params(("id" = i64, Path, description = "Cycle id")),
    responses(
        (status = 204, description = "Acknowledged"),
        (status = 404, description = "No such cycle, or the caller is not in it", body = super::ErrorBodyJson),
        (status = 409, description = "Acknowledged already", body = super::ErrorBodyJson),
        (status = 422, description = "Results not released yet, or a comment too long", body = super::ErrorBodyJson),
        (status = 403, description = "An account without a person", body = super::ErrorBodyJson),
        (status = 401, description = "Not signed in", body = super::ErrorBodyJson),
    ))]
pub async fn acknowledge(
    State(state): State<AppState>,
    Auth(actor): Auth,
    Path(id): Path<i64>,
    Json(r): Json<AcknowledgementRequest>,
) -> Result<StatusCode, WebError> {
    state
        .services
        .acknowledge_review(&actor, id, &r.comment)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
pub struct ClientRequest {
    pub employee_id: i64,
    pub name: String,
    pub email: String,
}

/// An invitation: the link went by e-mail to the client alone and is shown
/// to nobody (only its hash is kept).
#[derive(Serialize, ToSchema)]
pub struct ClientLinkJson {
    pub rater: RaterJson,
    /// The last day the link works.
    pub last_day: String,
    /// Where the link was mailed.
    pub mailed_to: String,
}

/// Invites a client (no account) to rate a person through a single-use link that expires with the assessment deadline (their managers, the head, admins). The link is mailed to the client and never returned: whoever invites can read the results.
#[utoipa::path(post, path = "/api/v1/review-cycles/{id}/clients", tag = "reviews", request_body = ClientRequest,
    params(("id" = i64, Path, description = "Cycle id")),
    responses(
        (status = 201, description = "Invited", body = ClientLinkJson),
        (status = 404, description = "No such cycle, or a person the caller may not see or who is not in it", body = super::ErrorBodyJson),
        (status = 422, description = "No name, a bad or repeated address, too many clients, a closed cycle or a passed deadline", body = super::ErrorBodyJson),
        (status = 409, description = "Mail is not set up: clients cannot be invited", body = super::ErrorBodyJson),
        (status = 403, description = "Not the person's manager", body = super::ErrorBodyJson),
        (status = 401, description = "Not signed in", body = super::ErrorBodyJson),
    ))]
pub async fn invite_client(
    State(state): State<AppState>,
    Auth(actor): Auth,
    Path(id): Path<i64>,
    Json(r): Json<ClientRequest>,
) -> Result<(StatusCode, Json<ClientLinkJson>), WebError> {
    let l = state
        .services
        .invite_client(&actor, id, r.employee_id, &r.name, &r.email)
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(ClientLinkJson {
            rater: l.rater.into(),
            last_day: l.last_day,
            mailed_to: l.mailed_to,
        }),
    ))
}

#[derive(Serialize, ToSchema)]
pub struct HistoryJson {
    pub cycle: CycleJson,
    /// After calibration, 0 to 1.
    pub score: Option<f64>,
    pub kpi: Option<f64>,
    pub goals: Option<f64>,
    /// Each competency's mean over the shown non-self perspectives, on the scale.
    pub competencies: BTreeMap<String, f64>,
}

/// A person's results across cycles, earliest first: their managers see all; the person those released.
#[utoipa::path(get, path = "/api/v1/employees/{id}/review-history", tag = "reviews",
    params(("id" = i64, Path, description = "Employee id")),
    responses(
        (status = 200, description = "One point per cycle", body = Vec<HistoryJson>),
        (status = 404, description = "No such person, one the caller may not see, or a viewer", body = super::ErrorBodyJson),
        (status = 403, description = "Neither the person nor their manager", body = super::ErrorBodyJson),
        (status = 401, description = "Not signed in", body = super::ErrorBodyJson),
    ))]
pub async fn history(
    State(state): State<AppState>,
    Auth(actor): Auth,
    Path(id): Path<i64>,
) -> Result<Json<Vec<HistoryJson>>, WebError> {
    let h = state.services.review_history(&actor, id).await?;
    Ok(Json(
        h.into_iter()
            .map(|p| HistoryJson {
                cycle: p.cycle.into(),
                score: p.score,
                kpi: p.kpi,
                goals: p.goals,
                competencies: p.competencies,
            })
            .collect(),
    ))
}

#[derive(Deserialize, IntoParams)]
pub struct DistributionQuery {
    /// One team and the teams under it; all the caller manages when absent.
    pub team_id: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct DistributionJson {
    pub cycle: CycleJson,
    pub count: usize,
    pub median: Option<f64>,
    pub mean: Option<f64>,
    /// Final scores in five bands of 20 points.
    pub bands: [usize; 5],
}

/// The spread of final scores per cycle over the people the caller manages, earliest first.
#[utoipa::path(get, path = "/api/v1/review-distributions", tag = "reviews", params(DistributionQuery),
    responses(
        (status = 200, description = "One distribution per cycle", body = Vec<DistributionJson>),
        (status = 404, description = "No such team, or a viewer", body = super::ErrorBodyJson),
        (status = 403, description = "Not a manager, the head or an admin", body = super::ErrorBodyJson),
        (status = 401, description = "Not signed in", body = super::ErrorBodyJson),
    ))]
pub async fn distributions(
    State(state): State<AppState>,
    Auth(actor): Auth,
    Query(q): Query<DistributionQuery>,
) -> Result<Json<Vec<DistributionJson>>, WebError> {
    let d = state
        .services
        .review_distributions(&actor, q.team_id)
        .await?;
    Ok(Json(
        d.into_iter()
            .map(|d| DistributionJson {
                count: d.scores.len(),
                median: d.median,
                mean: d.mean,
                bands: d.bands,
                cycle: d.cycle.into(),
            })
            .collect(),
    ))
}
