//! Review cycles: set up by the head, assessed by the person, their
//! manager and peers (anonymously), results by the cycle's formula.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use mkpi_services::reviews::{CycleInput, CycleRow, RaterRow, RatingInput, Results};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::AppState;
use crate::auth::Auth;
use crate::error::WebError;

#[derive(Serialize, ToSchema)]
pub struct CompetencyJson {
    pub code: String,
    pub name_en: String,
    pub name_ru: String,
    /// What a low, middle and high rating look like.
    pub levels_en: Vec<String>,
    pub levels_ru: Vec<String>,
    /// Weight per position where set (1 elsewhere; 0 leaves it out).
    pub weights: std::collections::BTreeMap<String, f64>,
}

fn competency_json(
    c: mkpi_services::reviews::CompetencyRow,
    weights: &std::collections::BTreeMap<String, std::collections::BTreeMap<String, f64>>,
) -> CompetencyJson {
    let levels = |t: &str| serde_json::from_str::<Vec<String>>(t).unwrap_or_default();
    CompetencyJson {
        levels_en: levels(&c.levels_en),
        levels_ru: levels(&c.levels_ru),
        weights: weights.get(&c.code).cloned().unwrap_or_default(),
        code: c.code,
        name_en: c.name_en,
        name_ru: c.name_ru,
    }
}

/// The competency framework.
#[utoipa::path(get, path = "/api/v1/competencies", tag = "reviews",
    responses(
        (status = 200, description = "The active competencies in order", body = Vec<CompetencyJson>),
        (status = 401, description = "Not signed in", body = super::ErrorBodyJson),
    ))]
pub async fn competencies(
    State(state): State<AppState>,
    Auth(_actor): Auth,
) -> Result<Json<Vec<CompetencyJson>>, WebError> {
    let rows = state.services.competencies().await?;
    let weights = state.services.competency_weights().await?;
    Ok(Json(
        rows.into_iter()
            .map(|c| competency_json(c, &weights))
            .collect(),
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct CompetencyRequest {
    /// Lowercase letters, digits and _; only when adding.
    #[serde(default)]
    pub code: String,
    pub name_en: String,
    pub name_ru: String,
    /// Three texts: what a low, a middle and a high rating look like.
    pub levels_en: Vec<String>,
    pub levels_ru: Vec<String>,
}

impl From<CompetencyRequest> for mkpi_services::review_framework::CompetencyInput {
    fn from(r: CompetencyRequest) -> Self {
        mkpi_services::review_framework::CompetencyInput {
            code: r.code,
            name_en: r.name_en,
            name_ru: r.name_ru,
            levels_en: r.levels_en,
            levels_ru: r.levels_ru,
        }
    }
}

/// Adds a competency; new cycles take it (the head and admins).
#[utoipa::path(post, path = "/api/v1/competencies", tag = "reviews", request_body = CompetencyRequest,
    responses(
        (status = 201, description = "Added", body = CompetencyJson),
        (status = 422, description = "A bad or taken code, a missing name, not three level texts", body = super::ErrorBodyJson),
        (status = 403, description = "Not the head or an admin", body = super::ErrorBodyJson),
        (status = 401, description = "Not signed in", body = super::ErrorBodyJson),
    ))]
pub async fn add_competency(
    State(state): State<AppState>,
    Auth(actor): Auth,
    Json(r): Json<CompetencyRequest>,
) -> Result<(StatusCode, Json<CompetencyJson>), WebError> {
    let c = state.services.add_competency(&actor, &r.into()).await?;
    Ok((
        StatusCode::CREATED,
        Json(competency_json(c, &Default::default())),
    ))
}

/// Rewrites a competency's names and level descriptors (the head and admins).
#[utoipa::path(put, path = "/api/v1/competencies/{code}", tag = "reviews", request_body = CompetencyRequest,
    params(("code" = String, Path, description = "Competency code")),
    responses(
        (status = 200, description = "Rewritten", body = CompetencyJson),
        (status = 404, description = "No such competency", body = super::ErrorBodyJson),
        (status = 422, description = "A missing name, not three level texts", body = super::ErrorBodyJson),
        (status = 403, description = "Not the head or an admin", body = super::ErrorBodyJson),
        (status = 401, description = "Not signed in", body = super::ErrorBodyJson),
    ))]
pub async fn update_competency(
    State(state): State<AppState>,
    Auth(actor): Auth,
    Path(code): Path<String>,
    Json(r): Json<CompetencyRequest>,
) -> Result<Json<CompetencyJson>, WebError> {
    let c = state
        .services
        .update_competency(&actor, &code, &r.into())
        .await?;
    let weights = state.services.competency_weights().await?;
    Ok(Json(competency_json(c, &weights)))
}

/// Takes a competency out of new cycles; cycles that have it keep it (the head and admins).
#[utoipa::path(post, path = "/api/v1/competencies/{code}/retire", tag = "reviews",
    params(("code" = String, Path, description = "Competency code")),
    responses(
        (status = 204, description = "Retired"),
        (status = 404, description = "No such active competency", body = super::ErrorBodyJson),
        (status = 422, description = "The last competency", body = super::ErrorBodyJson),
        (status = 403, description = "Not the head or an admin", body = super::ErrorBodyJson),
        (status = 401, description = "Not signed in", body = super::ErrorBodyJson),
    ))]
pub async fn retire_competency(
    State(state): State<AppState>,
    Auth(actor): Auth,
    Path(code): Path<String>,
) -> Result<StatusCode, WebError> {
    state.services.retire_competency(&actor, &code).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
pub struct WeightRequest {
    /// A position as on the people's records.
    pub position: String,
    /// 0 to 10; 1 is ordinary, 0 leaves the competency out for the position.
    pub weight: f64,
}

/// Weighs a competency for one position (the head and admins).
#[utoipa::path(put, path = "/api/v1/competencies/{code}/weights", tag = "reviews", request_body = WeightRequest,
    params(("code" = String, Path, description = "Competency code")),
    responses(
        (status = 204, description = "Weighed"),
        (status = 404, description = "No such active competency", body = super::ErrorBodyJson),
        (status = 422, description = "No position, or a weight outside 0–10", body = super::ErrorBodyJson),
        (status = 403, description = "Not the head or an admin", body = super::ErrorBodyJson),
        (status = 401, description = "Not signed in", body = super::ErrorBodyJson),
    ))]
pub async fn set_weight(
    State(state): State<AppState>,
    Auth(actor): Auth,
    Path(code): Path<String>,
    Json(r): Json<WeightRequest>,
) -> Result<StatusCode, WebError> {
    state
        .services
        .set_competency_weight(&actor, &code, &r.position, r.weight)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize, ToSchema)]
pub struct CycleJson {
    pub id: i64,
    pub name: String,
    pub period_from: String,
    /// The day after the period.
    pub period_to: String,
    /// open, calibration, released or closed.
    pub status: String,
    pub self_due: String,
    pub nomination_due: String,
    pub assessment_due: String,
    pub calibration_due: String,
    /// When results are shared.
    pub release_due: Option<String>,
    pub scale_min: i64,
    pub scale_max: i64,
    /// Peer and client aggregates are shown from this many answers (never fewer than 3).
    pub anonymity_threshold: i64,
    pub min_peers: i64,
    pub max_peers: i64,
    pub recurrence: String,
    pub formula_version: i64,
}

impl From<CycleRow> for CycleJson {
    fn from(c: CycleRow) -> Self {
        CycleJson {
            id: c.id,
            name: c.name,
            period_from: c.period_from,
            period_to: c.period_to,
            status: c.status,
            self_due: c.self_due,
            nomination_due: c.nomination_due,
            assessment_due: c.assessment_due,
            calibration_due: c.calibration_due,
            release_due: c.release_due,
            scale_min: c.scale_min,
            scale_max: c.scale_max,
            anonymity_threshold: c.anonymity_threshold,
            min_peers: c.min_peers,
            max_peers: c.max_peers,
            recurrence: c.recurrence,
            formula_version: c.formula_version,
        }
    }
}

/// Review cycles, latest first.
#[utoipa::path(get, path = "/api/v1/review-cycles", tag = "reviews",
    responses(
        (status = 200, description = "Cycles", body = Vec<CycleJson>),
        (status = 401, description = "Not signed in", body = super::ErrorBodyJson),
    ))]
pub async fn list(
    State(state): State<AppState>,
    Auth(actor): Auth,
) -> Result<Json<Vec<CycleJson>>, WebError> {
    let rows = state.services.review_cycles(&actor).await?;
    Ok(Json(rows.into_iter().map(Into::into).collect()))
}

#[derive(Deserialize, ToSchema)]
pub struct CycleRequest {
    pub name: String,
    /// YYYY-MM-DD.
    pub period_from: String,
    /// YYYY-MM-DD, the day after the period.
    pub period_to: String,
    pub self_due: String,
    pub nomination_due: String,
    pub assessment_due: String,
    pub calibration_due: String,
    /// When results are shared; a week after calibration when absent.
    pub release_due: Option<String>,
    /// The people it covers by id; with `team_ids` and `positions` the union of the three; all empty or absent for everyone active.
    #[serde(default)]
    pub employee_ids: Vec<i64>,
    /// Teams it covers, each with the teams under it.
    #[serde(default)]
    pub team_ids: Vec<i64>,
    /// Positions it covers, as on the people's records.
    #[serde(default)]
    pub positions: Vec<String>,
    /// 3 when not given; never lower.
    pub anonymity_threshold: Option<i64>,
    pub min_peers: Option<i64>,
    pub max_peers: Option<i64>,
    /// none (default), quarterly, half_yearly or yearly.
    pub recurrence: Option<String>,
    /// The rating scale, 1 to 5 when not given (at least three steps, within 0–10).
    pub scale_min: Option<i64>,
    pub scale_max: Option<i64>,
}

/// Opens a review cycle (the head and admins).
#[utoipa::path(post, path = "/api/v1/review-cycles", tag = "reviews", request_body = CycleRequest,
    responses(
        (status = 201, description = "Opened", body = CycleJson),
        (status = 422, description = "A bad name, period, deadline order, threshold, peer counts or person", body = super::ErrorBodyJson),
        (status = 403, description = "Not the head or an admin", body = super::ErrorBodyJson),
        (status = 401, description = "Not signed in", body = super::ErrorBodyJson),
    ))]
pub async fn create(
    State(state): State<AppState>,
    Auth(actor): Auth,
    Json(r): Json<CycleRequest>,
) -> Result<(StatusCode, Json<CycleJson>), WebError> {
    let input = CycleInput {
        name: r.name,
        period_from: r.period_from,
        period_to: r.period_to,
        self_due: r.self_due,
        nomination_due: r.nomination_due,
        assessment_due: r.assessment_due,
        calibration_due: r.calibration_due,
        release_due: r.release_due.unwrap_or_default(),
        employee_ids: r.employee_ids,
        team_ids: r.team_ids,
        positions: r.positions,
        anonymity_threshold: r.anonymity_threshold,
        min_peers: r.min_peers,
        max_peers: r.max_peers,
        recurrence: r.recurrence,
        scale_min: r.scale_min,
        scale_max: r.scale_max,
    };
    let c = state.services.create_review_cycle(&actor, &input).await?;
    Ok((StatusCode::CREATED, Json(c.into())))
}

#[derive(Deserialize, ToSchema)]
pub struct CycleStatusRequest {
    /// calibration (from open), released (from calibration) or closed (from released).
    pub status: String,
}

/// Moves a cycle on (the head and admins); results reach people once released.
#[utoipa::path(post, path = "/api/v1/review-cycles/{id}/status", tag = "reviews", request_body = CycleStatusRequest,
    params(("id" = i64, Path, description = "Cycle id")),
    responses(
        (status = 200, description = "Moved on", body = CycleJson),
        (status = 404, description = "No such cycle", body = super::ErrorBodyJson),
        (status = 422, description = "Not the next step", body = super::ErrorBodyJson),
        (status = 403, description = "Not the head or an admin", body = super::ErrorBodyJson),
        (status = 401, description = "Not signed in", body = super::ErrorBodyJson),
    ))]
pub async fn set_status(
    State(state): State<AppState>,
    Auth(actor): Auth,
    Path(id): Path<i64>,
    Json(r): Json<CycleStatusRequest>,
) -> Result<Json<CycleJson>, WebError> {
    let c = state
        .services
        .set_review_cycle_status(&actor, id, &r.status)
        .await?;
    Ok(Json(c.into()))
}

#[derive(Deserialize, ToSchema)]
pub struct CycleChangeRequest {
    pub name: Option<String>,
    /// YYYY-MM-DD; each due date left out keeps its day. In order: self, nomination,
    /// assessment, calibration, release.
    pub self_due: Option<String>,
    pub nomination_due: Option<String>,
    pub assessment_due: Option<String>,
    pub calibration_due: Option<String>,
    pub release_due: Option<String>,
    /// Active people to add.
    #[serde(default)]
    pub add_employee_ids: Vec<i64>,
    /// People to take out (with the raters named for them); one someone has answered about stays.
    #[serde(default)]
    pub remove_employee_ids: Vec<i64>,
}

/// Changes a cycle while it takes answers (the head and admins): its name, due dates and people.
#[utoipa::path(patch, path = "/api/v1/review-cycles/{id}", tag = "reviews", request_body = CycleChangeRequest,
    params(("id" = i64, Path, description = "Cycle id")),
    responses(
        (status = 200, description = "Changed", body = CycleJson),
        (status = 404, description = "No such cycle", body = super::ErrorBodyJson),
        (status = 409, description = "The cycle no longer takes answers", body = super::ErrorBodyJson),
        (status = 422, description = "Dates out of order, a person who left or is not in the cycle, one with answers taken out", body = super::ErrorBodyJson),
        (status = 403, description = "Not the head or an admin", body = super::ErrorBodyJson),
        (status = 401, description = "Not signed in", body = super::ErrorBodyJson),
    ))]
pub async fn update(
    State(state): State<AppState>,
    Auth(actor): Auth,
    Path(id): Path<i64>,
    Json(r): Json<CycleChangeRequest>,
) -> Result<Json<CycleJson>, WebError> {
    let change = mkpi_services::reviews::CycleChange {
        name: r.name,
        self_due: r.self_due,
        nomination_due: r.nomination_due,
        assessment_due: r.assessment_due,
        calibration_due: r.calibration_due,
        release_due: r.release_due,
        add_employee_ids: r.add_employee_ids,
        remove_employee_ids: r.remove_employee_ids,
    };
    let c = state
        .services
        .update_review_cycle(&actor, id, &change)
        .await?;
    Ok(Json(c.into()))
}

#[derive(Serialize, ToSchema)]
pub struct RaterJson {
    pub id: i64,
    pub employee_id: i64,
    /// peer (here).
    pub perspective: String,
    pub rater_employee_id: Option<i64>,
    pub rater_name: Option<String>,
    /// nominated, approved, declined or submitted.
    pub status: String,
}

impl From<RaterRow> for RaterJson {
    fn from(r: RaterRow) -> Self {
        RaterJson {
            id: r.id,
            employee_id: r.employee_id,
            perspective: r.perspective,
            rater_employee_id: r.rater_employee_id,
            rater_name: r.rater_name,
            status: r.status,
        }
    }
}

#[derive(Deserialize, ToSchema)]
pub struct PeerRequest {
    pub employee_id: i64,
    pub peer_employee_id: i64,
}

/// Names a peer to rate a person: the person (their manager approves) or their manager (approved at once).
#[utoipa::path(post, path = "/api/v1/review-cycles/{id}/peers", tag = "reviews", request_body = PeerRequest,
    params(("id" = i64, Path, description = "Cycle id")),
    responses(
        (status = 201, description = "Named", body = RaterJson),
        (status = 404, description = "No such cycle, or a person the caller may not see or who is not in it", body = super::ErrorBodyJson),
        (status = 422, description = "The person themself, an unknown or repeated peer, too many peers, a closed cycle", body = super::ErrorBodyJson),
        (status = 403, description = "Neither the person nor their manager", body = super::ErrorBodyJson),
        (status = 401, description = "Not signed in", body = super::ErrorBodyJson),
    ))]
pub async fn nominate(
    State(state): State<AppState>,
    Auth(actor): Auth,
    Path(id): Path<i64>,
    Json(r): Json<PeerRequest>,
) -> Result<(StatusCode, Json<RaterJson>), WebError> {
    let row = state
        .services
        .nominate_peer(&actor, id, r.employee_id, r.peer_employee_id)
        .await?;
    Ok((StatusCode::CREATED, Json(row.into())))
}

#[derive(Deserialize, ToSchema)]
pub struct DecisionRequest {
    pub approve: bool,
}

/// Approves or declines a peer the person named (their managers, the head, admins).
#[utoipa::path(post, path = "/api/v1/review-raters/{id}/decision", tag = "reviews", request_body = DecisionRequest,
    params(("id" = i64, Path, description = "Rater id")),
    responses(
        (status = 200, description = "Decided", body = RaterJson),
        (status = 404, description = "No such nomination, or one the caller may not see", body = super::ErrorBodyJson),
        (status = 422, description = "Decided already", body = super::ErrorBodyJson),
        (status = 403, description = "Not the person's manager", body = super::ErrorBodyJson),
        (status = 401, description = "Not signed in", body = super::ErrorBodyJson),
    ))]
pub async fn decide(
    State(state): State<AppState>,
    Auth(actor): Auth,
    Path(id): Path<i64>,
    Json(r): Json<DecisionRequest>,
) -> Result<Json<RaterJson>, WebError> {
    let row = state.services.decide_peer(&actor, id, r.approve).await?;
    Ok(Json(row.into()))
}

#[derive(Deserialize, ToSchema)]
pub struct RatingJson {
    pub competency: String,
    pub rating: i64,
    #[serde(default)]
    pub comment: String,
}

#[derive(Deserialize, ToSchema)]
pub struct AssessmentRequest {
    pub employee_id: i64,
    /// self, manager or peer.
    pub perspective: String,
    /// One per competency of the cycle.
    pub ratings: Vec<RatingJson>,
    #[serde(default)]
    pub comment: String,
}

/// Submits an assessment, once: the self and the manager by name, an approved peer anonymously.
#[utoipa::path(post, path = "/api/v1/review-cycles/{id}/assessments", tag = "reviews", request_body = AssessmentRequest,
    params(("id" = i64, Path, description = "Cycle id")),
    responses(
        (status = 204, description = "Submitted"),
        (status = 404, description = "No such cycle, or a person not in it", body = super::ErrorBodyJson),
        (status = 409, description = "Submitted already", body = super::ErrorBodyJson),
        (status = 422, description = "A rating off the scale, a competency missing or unknown, a closed cycle", body = super::ErrorBodyJson),
        (status = 403, description = "Not this person's self, manager or approved peer", body = super::ErrorBodyJson),
        (status = 401, description = "Not signed in", body = super::ErrorBodyJson),
    ))]
pub async fn assess(
    State(state): State<AppState>,
    Auth(actor): Auth,
    Path(id): Path<i64>,
    Json(r): Json<AssessmentRequest>,
) -> Result<StatusCode, WebError> {
    let ratings: Vec<RatingInput> = r
        .ratings
        .into_iter()
        .map(|x| RatingInput {
            competency: x.competency,
            rating: x.rating,
            comment: x.comment,
        })
        .collect();
    state
        .services
        .submit_assessment(
            &actor,
            id,
            r.employee_id,
            &r.perspective,
            &ratings,
            &r.comment,
        )
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize, ToSchema)]
pub struct PartJson {
    /// kpi, goals, self, manager, peer or client.
    pub name: String,
    /// 0 to 1; null when missing.
    pub value: Option<f64>,
    /// The formula's weight.
    pub weight: f64,
    /// The weight it carried once missing parts were left out.
    pub used_weight: f64,
    /// Why it is missing.
    pub missing: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct PerspectiveJson {
    /// self, manager, peer or client.
    pub perspective: String,
    pub answers: usize,
    /// The mean rating per competency code; null where hidden.
    pub competencies: Option<std::collections::BTreeMap<String, f64>>,
    /// The mean over competencies; null with a reason where hidden.
    pub mean: Option<f64>,
    pub hidden: Option<String>,
    /// Without authors; sorted, so the order says nothing of who wrote first.
    pub comments: Vec<String>,
}

#[derive(Serialize, ToSchema)]
pub struct ResultsJson {
    pub cycle: CycleJson,
    pub employee_id: i64,
    /// The score by the formula, 0 to 1; null when no part is there.
    pub score: Option<f64>,
    /// The score after the calibration move, 0 to 1.
    pub final_score: Option<f64>,
    /// The calibration move in points and its reason.
    pub adjustment_points: Option<f64>,
    pub adjustment_reason: Option<String>,
    /// The formula that applies (weights as shares of 1) and its version.
    pub formula: super::calibration::FormulaJson,
    pub formula_version: i64,
    /// The person's acknowledgement comment, once given.
    pub acknowledgement: Option<String>,
    /// The manager's potential rating (only for those who manage the person).
    pub potential: Option<i64>,
    /// Whether missing parts moved the other weights.
    pub renormalised: bool,
    pub parts: Vec<PartJson>,
    pub perspectives: Vec<PerspectiveJson>,
}

impl From<Results> for ResultsJson {
    fn from(r: Results) -> Self {
        ResultsJson {
            renormalised: r.score.renormalised(),
            score: r.score.value,
            final_score: r.final_score,
            adjustment_points: r.adjustment.as_ref().map(|a| a.delta * 100.0),
            adjustment_reason: r.adjustment.map(|a| a.reason),
            formula: (&r.formula).into(),
            formula_version: r.cycle.formula_version,
            acknowledgement: r.acknowledgement.map(|(c, _)| c),
            potential: r.potential,
            parts: r
                .score
                .parts
                .into_iter()
                .map(|p| PartJson {
                    name: p.name,
                    value: p.value,
                    weight: p.weight,
                    used_weight: p.used_weight,
                    missing: p.missing,
                })
                .collect(),
            perspectives: r
                .perspectives
                .into_iter()
                .map(|p| PerspectiveJson {
                    perspective: p.perspective.code().to_string(),
                    answers: p.answers,
                    competencies: p.hidden.is_none().then_some(p.competencies),
                    mean: p.mean,
                    hidden: p.hidden.map(|h| h.to_string()),
                    comments: p.comments,
                })
                .collect(),
            cycle: r.cycle.into(),
            employee_id: r.employee_id,
        }
    }
}

/// One person's results as the caller may see them: the head and the person's managers; the person once released.
#[utoipa::path(get, path = "/api/v1/review-cycles/{id}/results/{employee_id}", tag = "reviews",
    params(("id" = i64, Path, description = "Cycle id"), ("employee_id" = i64, Path, description = "Employee id")),
    responses(
        (status = 200, description = "Final score, its formula and parts, per-perspective aggregates, comments without authors", body = ResultsJson),
        (status = 404, description = "No such cycle or person, one the caller may not see, or a viewer", body = super::ErrorBodyJson),
        (status = 403, description = "The person before release", body = super::ErrorBodyJson),
        (status = 401, description = "Not signed in", body = super::ErrorBodyJson),
    ))]
pub async fn results(
    State(state): State<AppState>,
    Auth(actor): Auth,
    Path((id, employee_id)): Path<(i64, i64)>,
) -> Result<Json<ResultsJson>, WebError> {
    let r = state
        .services
        .review_results(&actor, id, employee_id)
        .await?;
    Ok(Json(r.into()))
}
