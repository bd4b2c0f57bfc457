//! Goals with their SMART check and progress, the goal tree, strategies,
//! campaign links and the department's SWOT.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use mkpi_domain::goal::Smart;
use mkpi_services::goals::{GoalDetail, GoalInput, GoalView, ProgressRow, StrategyRow, SwotRow};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::metrics::period;
use super::tasks::TaskJson;
use crate::AppState;
use crate::auth::Auth;
use crate::error::WebError;

#[derive(Serialize, ToSchema)]
pub struct SmartMissingJson {
    /// S, M, A, R or T.
    pub letter: String,
    /// A stable code: title, description, measure, baseline, target, target_equals_baseline,
    /// resources, parent, start, deadline, deadline_before_start.
    pub code: String,
    /// The input field to fill.
    pub field: String,
    pub message: String,
}

#[derive(Serialize, ToSchema)]
pub struct SmartJson {
    pub specific: bool,
    pub measurable: bool,
    pub achievable: bool,
    pub relevant: bool,
    pub time_bound: bool,
    /// What is missing for the letters that fail; empty when all pass.
    pub missing: Vec<SmartMissingJson>,
}

impl From<&Smart> for SmartJson {
    fn from(s: &Smart) -> Self {
        SmartJson {
            specific: s.specific,
            measurable: s.measurable,
            achievable: s.achievable,
            relevant: s.relevant,
            time_bound: s.time_bound,
            missing: s
                .missing
                .iter()
                .map(|m| SmartMissingJson {
                    letter: m.letter().to_string(),
                    code: m.code().to_string(),
                    field: mkpi_services::goals::field_of(*m).to_string(),
                    message: m.message().to_string(),
                })
                .collect(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct GoalJson {
    pub id: i64,
    /// department, team:ID or employee:ID.
    pub scope: String,
    /// department, team or personal.
    pub level: String,
    pub scope_name: String,
    pub parent_id: Option<i64>,
    pub business_goal: String,
    pub title: String,
    pub description: String,
    pub owner_employee_id: Option<i64>,
    pub owner_name: Option<String>,
    /// draft, active, done or cancelled.
    pub status: String,
    pub weight: f64,
    pub metric_code: Option<String>,
    /// For a goal counted by hand: what is counted.
    pub unit: Option<String>,
    pub baseline: Option<f64>,
    pub target: Option<f64>,
    /// The measure's value now: the metric over the goal's dates so far, or the last counted value.
    pub current_value: Option<f64>,
    /// Whether current_value is the period so far scaled to the whole period (an additive metric while the goal runs).
    pub projected: bool,
    /// The currency of a money value.
    pub value_currency: Option<String>,
    /// Why there is no value, when there is none.
    pub value_note: Option<String>,
    /// 0 to 1, direction-aware.
    pub progress: Option<f64>,
    /// metric, counted, children, tasks, manual or none.
    pub progress_source: String,
    /// on_track, at_risk, off_track or no_data: progress against the time gone.
    pub pace: String,
    pub budget_minor: Option<i64>,
    pub currency: Option<String>,
    pub people: Option<i64>,
    pub hours: Option<f64>,
    /// YYYY-MM-DD.
    pub start_on: Option<String>,
    /// YYYY-MM-DD, the last day.
    pub deadline_on: Option<String>,
    pub smart: SmartJson,
    pub tasks_total: usize,
    pub tasks_done: usize,
    /// Children the roll-up counts as 0 because they have no progress yet.
    pub empty_children: usize,
    pub can_edit: bool,
    /// The visible children (in the tree; empty elsewhere).
    #[schema(no_recursion)]
    pub children: Vec<GoalJson>,
}

impl GoalJson {
    pub fn from_view(v: &GoalView, with_children: bool) -> GoalJson {
        let g = &v.goal;
        GoalJson {
            id: g.id,
            scope: g.scope.clone(),
            level: v.level.to_string(),
            scope_name: v.scope_name.clone(),
            parent_id: g.parent_id,
            business_goal: g.business_goal.clone(),
            title: g.title.clone(),
            description: g.description.clone(),
            owner_employee_id: g.owner_employee_id,
            owner_name: g.owner_name.clone(),
            status: g.status.clone(),
            weight: g.weight,
            metric_code: g.metric_code.clone(),
            unit: g.unit.clone(),
            baseline: g.baseline,
            target: g.target,
            current_value: v.current_value,
            projected: v.projected,
            value_currency: v.currency.clone(),
            value_note: v.value_note.clone(),
            progress: v.progress,
            progress_source: v.progress_source.to_string(),
            pace: v.pace.code().to_string(),
            budget_minor: g.budget_minor,
            currency: g.currency.clone(),
            people: g.people,
            hours: g.hours,
            start_on: g.start_on.clone(),
            deadline_on: g.deadline_on.clone(),
            smart: (&v.smart).into(),
            tasks_total: v.tasks_total,
            tasks_done: v.tasks_done,
            empty_children: v.empty_children,
            can_edit: v.can_edit,
            children: if with_children {
                v.children
                    .iter()
                    .map(|c| GoalJson::from_view(c, true))
                    .collect()
            } else {
                Vec::new()
            },
        }
    }
}

#[derive(Deserialize, ToSchema, Default)]
pub struct GoalRequest {
    /// department, team:ID or employee:ID.
    pub scope: String,
    pub parent_id: Option<i64>,
    /// For a goal without a parent: the business goal it serves.
    #[serde(default)]
    pub business_goal: String,
    pub title: String,
    #[serde(default)]
    pub description: String,
    pub owner_employee_id: Option<i64>,
    /// Among its siblings; 1 when not given.
    pub weight: Option<f64>,
    pub metric_code: Option<String>,
    /// For a goal counted by hand instead of a metric.
    pub unit: Option<String>,
    pub baseline: Option<f64>,
    pub target: Option<f64>,
    /// In major units (rubles), with currency.
    pub budget: Option<f64>,
    pub currency: Option<String>,
    pub people: Option<i64>,
    pub hours: Option<f64>,
    /// YYYY-MM-DD.
    pub start_on: Option<String>,
    /// YYYY-MM-DD, the last day.
    pub deadline_on: Option<String>,
    /// draft (default) or active; active needs every SMART letter.
    pub status: Option<String>,
    /// For the SMART check only: the goal being edited, whose sub-goals may measure it.
    pub goal_id: Option<i64>,
}

impl From<GoalRequest> for GoalInput {
    fn from(r: GoalRequest) -> Self {
        GoalInput {
            scope: r.scope,
            parent_id: r.parent_id,
            business_goal: r.business_goal,
            title: r.title,
            description: r.description,
            owner_employee_id: r.owner_employee_id,
            weight: r.weight,
            metric_code: r.metric_code,
            unit: r.unit,
            baseline: r.baseline,
            target: r.target,
            budget: r.budget,
            currency: r.currency,
            people: r.people,
            hours: r.hours,
            start_on: r.start_on,
            deadline_on: r.deadline_on,
            status: r.status,
        }
    }
}

/// Makes a goal: a draft may fail SMART; `status: active` needs every letter.
#[utoipa::path(post, path = "/api/v1/goals", tag = "goals", request_body = GoalRequest,
    responses(
        (status = 201, description = "Made, with its SMART check", body = GoalJson),
        (status = 422, description = "A bad field, a parent that does not hold the scope, or (for active) a SMART letter failing", body = super::ErrorBodyJson),
        (status = 403, description = "Viewers; people on goals of scopes they only see", body = super::ErrorBodyJson),
        (status = 401, description = "Not signed in", body = super::ErrorBodyJson),
    ))]
pub async fn create(
    State(state): State<AppState>,
    Auth(actor): Auth,
    Json(req): Json<GoalRequest>,
) -> Result<(StatusCode, Json<GoalJson>), WebError> {
    let v = state.services.create_goal(&actor, &req.into()).await?;
    Ok((StatusCode::CREATED, Json(GoalJson::from_view(&v, false))))
}

/// Changes a goal's fields; an active goal must still pass SMART.
#[utoipa::path(put, path = "/api/v1/goals/{id}", tag = "goals", request_body = GoalRequest,
    params(("id" = i64, Path, description = "Goal id")),
    responses(
        (status = 200, description = "Changed", body = GoalJson),
        (status = 404, description = "No such goal, or one the caller may not see", body = super::ErrorBodyJson),
        (status = 422, description = "A bad field, a cycle in the tree, or a failing SMART letter on an active goal", body = super::ErrorBodyJson),
        (status = 403, description = "The caller only sees this goal", body = super::ErrorBodyJson),
        (status = 401, description = "Not signed in", body = super::ErrorBodyJson),
    ))]
pub async fn update(
    State(state): State<AppState>,
    Auth(actor): Auth,
    Path(id): Path<i64>,
    Json(req): Json<GoalRequest>,
) -> Result<Json<GoalJson>, WebError> {
    let v = state.services.update_goal(&actor, id, &req.into()).await?;
    Ok(Json(GoalJson::from_view(&v, false)))
}

/// The SMART check of a goal as it would be entered, storing nothing (the live check while editing).
#[utoipa::path(post, path = "/api/v1/goals/smart-check", tag = "goals", request_body = GoalRequest,
    responses(
        (status = 200, description = "The letters and what is missing", body = SmartJson),
        (status = 404, description = "A goal_id the caller may not see", body = super::ErrorBodyJson),
        (status = 401, description = "Not signed in", body = super::ErrorBodyJson),
    ))]
pub async fn smart_check(
    State(state): State<AppState>,
    Auth(actor): Auth,
    Json(req): Json<GoalRequest>,
) -> Result<Json<SmartJson>, WebError> {
    let goal_id = req.goal_id;
    let smart = state
        .services
        .check_smart(&actor, &req.into(), goal_id)
        .await?;
    Ok(Json((&smart).into()))
}

#[derive(Deserialize, IntoParams)]
pub struct GoalsQuery {
    /// 1: the cascade with children nested; otherwise a flat list.
    pub tree: Option<u8>,
    /// With `to`: only goals running in [from, to) (and the goals above them).
    pub from: Option<String>,
    pub to: Option<String>,
}

/// The goals the caller sees, with progress: flat, or the cascade (`tree=1`).
#[utoipa::path(get, path = "/api/v1/goals", tag = "goals", params(GoalsQuery),
    responses(
        (status = 200, description = "Goals (roots with children when tree=1)", body = Vec<GoalJson>),
        (status = 422, description = "A bad period", body = super::ErrorBodyJson),
        (status = 401, description = "Not signed in", body = super::ErrorBodyJson),
    ))]
pub async fn list(
    State(state): State<AppState>,
    Auth(actor): Auth,
    Query(q): Query<GoalsQuery>,
) -> Result<Json<Vec<GoalJson>>, WebError> {
    let period = match (&q.from, &q.to) {
        (None, None) => None,
        (from, to) => Some(period(from.as_deref(), to.as_deref())?),
    };
    let roots = state.services.goal_tree(&actor, period).await?;
    if q.tree == Some(1) {
        return Ok(Json(
            roots.iter().map(|v| GoalJson::from_view(v, true)).collect(),
        ));
    }
    fn flatten(v: &GoalView, out: &mut Vec<GoalJson>) {
        out.push(GoalJson::from_view(v, false));
        for c in &v.children {
            flatten(c, out);
        }
    }
    let mut out = Vec::new();
    for r in &roots {
        flatten(r, &mut out);
    }
    Ok(Json(out))
}

#[derive(Serialize, ToSchema)]
pub struct ProgressJson {
    pub id: i64,
    /// YYYY-MM-DD.
    pub day: String,
    /// manual (by a person) or snapshot (computed, daily).
    pub kind: String,
    pub value: Option<f64>,
    pub progress: Option<f64>,
    pub note: String,
    pub author: Option<String>,
}

impl From<&ProgressRow> for ProgressJson {
    fn from(p: &ProgressRow) -> Self {
        ProgressJson {
            id: p.id,
            day: p.day.clone(),
            kind: p.kind.clone(),
            value: p.value,
            progress: p.progress,
            note: p.note.clone(),
            author: p.author.clone(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct StrategyJson {
    pub id: i64,
    pub title: String,
    /// campaigns, product, new_market, pricing, brand, partnerships or other.
    pub kind: String,
    pub description: String,
    pub owner_employee_id: Option<i64>,
    pub owner_name: Option<String>,
    pub start_on: String,
    /// The day after the last.
    pub end_on: String,
    pub goal_ids: Vec<i64>,
    /// Archived: no longer running, kept with its links.
    pub archived: bool,
}

impl StrategyJson {
    fn new(s: &StrategyRow, goal_ids: Vec<i64>) -> Self {
        StrategyJson {
            id: s.id,
            title: s.title.clone(),
            kind: s.kind.clone(),
            description: s.description.clone(),
            owner_employee_id: s.owner_employee_id,
            owner_name: s.owner_name.clone(),
            start_on: s.start_on.clone(),
            end_on: s.end_on.clone(),
            goal_ids,
            archived: s.archived_at.is_some(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct GoalMonthJson {
    /// The month's first day.
    pub month: String,
    pub value: Option<f64>,
}

#[derive(Serialize, ToSchema)]
pub struct GoalDetailJson {
    pub goal: GoalJson,
    pub history: Vec<ProgressJson>,
    pub tasks: Vec<TaskJson>,
    pub strategies: Vec<StrategyJson>,
    /// The metric month by month since the start (measured goals).
    pub trend: Vec<GoalMonthJson>,
}

/// One goal with its SMART check, progress, history, tasks, strategies and the metric by month.
#[utoipa::path(get, path = "/api/v1/goals/{id}", tag = "goals",
    params(("id" = i64, Path, description = "Goal id")),
    responses(
        (status = 200, description = "The goal", body = GoalDetailJson),
        (status = 404, description = "No such goal, or one the caller may not see", body = super::ErrorBodyJson),
        (status = 401, description = "Not signed in", body = super::ErrorBodyJson),
    ))]
pub async fn show(
    State(state): State<AppState>,
    Auth(actor): Auth,
    Path(id): Path<i64>,
) -> Result<Json<GoalDetailJson>, WebError> {
    let d: GoalDetail = state.services.goal(&actor, id).await?;
    Ok(Json(GoalDetailJson {
        goal: GoalJson::from_view(&d.view, true),
        history: d.history.iter().map(Into::into).collect(),
        tasks: d.tasks.iter().map(Into::into).collect(),
        strategies: d
            .strategies
            .iter()
            .map(|s| StrategyJson::new(s, vec![id]))
            .collect(),
        trend: d
            .trend
            .into_iter()
            .map(|(month, value)| GoalMonthJson { month, value })
            .collect(),
    }))
}

#[derive(Deserialize, ToSchema)]
pub struct GoalStatusRequest {
    /// active (needs SMART), done, draft (from active) or cancelled.
    pub status: String,
}

/// Moves a goal along: activation needs every SMART letter and the right to edit the scope.
#[utoipa::path(post, path = "/api/v1/goals/{id}/status", tag = "goals", request_body = GoalStatusRequest,
    params(("id" = i64, Path, description = "Goal id")),
    responses(
        (status = 200, description = "The goal with its new status", body = GoalJson),
        (status = 404, description = "No such goal, or one the caller may not see", body = super::ErrorBodyJson),
        (status = 422, description = "An unknown status, a move the workflow forbids, or failing SMART letters", body = super::ErrorBodyJson),
        (status = 403, description = "The caller may not move it (a person may not activate their own proposal)", body = super::ErrorBodyJson),
        (status = 401, description = "Not signed in", body = super::ErrorBodyJson),
    ))]
pub async fn set_status(
    State(state): State<AppState>,
    Auth(actor): Auth,
    Path(id): Path<i64>,
    Json(req): Json<GoalStatusRequest>,
) -> Result<Json<GoalJson>, WebError> {
    let v = state
        .services
        .set_goal_status(&actor, id, &req.status)
        .await?;
    Ok(Json(GoalJson::from_view(&v, false)))
}

#[derive(Deserialize, ToSchema)]
pub struct ProgressRequest {
    /// For a goal counted in a unit: the count now.
    pub value: Option<f64>,
    /// For a goal without a measure: the share done, 0–100.
    pub percent: Option<f64>,
    #[serde(default)]
    pub note: String,
}

/// Records progress by hand (counted goals and goals without a measure; a note for any).
#[utoipa::path(post, path = "/api/v1/goals/{id}/progress", tag = "goals", request_body = ProgressRequest,
    params(("id" = i64, Path, description = "Goal id")),
    responses(
        (status = 201, description = "Recorded", body = ProgressJson),
        (status = 404, description = "No such goal, or one the caller may not see", body = super::ErrorBodyJson),
        (status = 422, description = "A value for a metric goal, a missing or bad value, a finished goal", body = super::ErrorBodyJson),
        (status = 403, description = "The caller only sees this goal", body = super::ErrorBodyJson),
        (status = 401, description = "Not signed in", body = super::ErrorBodyJson),
    ))]
pub async fn add_progress(
    State(state): State<AppState>,
    Auth(actor): Auth,
    Path(id): Path<i64>,
    Json(req): Json<ProgressRequest>,
) -> Result<(StatusCode, Json<ProgressJson>), WebError> {
    let p = state
        .services
        .add_goal_progress(&actor, id, req.value, req.percent, &req.note)
        .await?;
    Ok((StatusCode::CREATED, Json((&p).into())))
}

/// Strategies with the goals they serve.
#[utoipa::path(get, path = "/api/v1/strategies", tag = "goals",
    responses(
        (status = 200, description = "Strategies, latest first", body = Vec<StrategyJson>),
        (status = 401, description = "Not signed in", body = super::ErrorBodyJson),
    ))]
pub async fn strategies(
    State(state): State<AppState>,
    Auth(actor): Auth,
) -> Result<Json<Vec<StrategyJson>>, WebError> {
    let rows = state.services.strategies(&actor).await?;
    Ok(Json(
        rows.iter()
            .map(|(s, ids)| StrategyJson::new(s, ids.clone()))
            .collect(),
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct StrategyRequest {
    pub title: String,
    /// campaigns, product, new_market, pricing, brand, partnerships or other.
    pub kind: String,
    #[serde(default)]
    pub description: String,
    /// YYYY-MM-DD.
    pub start_on: String,
    /// YYYY-MM-DD, the day after the last.
    pub end_on: String,
    #[serde(default)]
    pub goal_ids: Vec<i64>,
}

/// Adds a strategy serving goals (managers, the head, admins).
#[utoipa::path(post, path = "/api/v1/strategies", tag = "goals", request_body = StrategyRequest,
    responses(
        (status = 201, description = "Added", body = StrategyJson),
        (status = 422, description = "A bad kind, title or period, or a goal the caller cannot see", body = super::ErrorBodyJson),
        (status = 403, description = "Employees and viewers", body = super::ErrorBodyJson),
        (status = 401, description = "Not signed in", body = super::ErrorBodyJson),
    ))]
pub async fn create_strategy(
    State(state): State<AppState>,
    Auth(actor): Auth,
    Json(req): Json<StrategyRequest>,
) -> Result<(StatusCode, Json<StrategyJson>), WebError> {
    let s = state
        .services
        .create_strategy(
            &actor,
            &req.title,
            &req.kind,
            &req.description,
            &req.start_on,
            &req.end_on,
            &req.goal_ids,
        )
        .await?;
    let mut ids = req.goal_ids;
    ids.sort_unstable();
    ids.dedup();
    Ok((StatusCode::CREATED, Json(StrategyJson::new(&s, ids))))
}

/// Changes a strategy (its owner, the head, admins); the goals given replace those it served.
#[utoipa::path(patch, path = "/api/v1/strategies/{id}", tag = "goals", request_body = StrategyRequest,
    params(("id" = i64, Path, description = "Strategy id")),
    responses(
        (status = 200, description = "Changed", body = StrategyJson),
        (status = 422, description = "A bad kind, title or period, or a goal the caller cannot see", body = super::ErrorBodyJson),
        (status = 403, description = "Neither its owner, the head nor an admin", body = super::ErrorBodyJson),
        (status = 404, description = "No such strategy", body = super::ErrorBodyJson),
        (status = 401, description = "Not signed in", body = super::ErrorBodyJson),
    ))]
pub async fn update_strategy(
    State(state): State<AppState>,
    Auth(actor): Auth,
    Path(id): Path<i64>,
    Json(req): Json<StrategyRequest>,
) -> Result<Json<StrategyJson>, WebError> {
    let s = state
        .services
        .update_strategy(
            &actor,
            id,
            &req.title,
            &req.kind,
            &req.description,
            &req.start_on,
            &req.end_on,
            &req.goal_ids,
        )
        .await?;
    let mut ids = req.goal_ids;
    ids.sort_unstable();
    ids.dedup();
    Ok(Json(StrategyJson::new(&s, ids)))
}

#[derive(Deserialize, ToSchema)]
pub struct ArchiveRequest {
    /// true archives the strategy, false brings it back.
    pub archived: bool,
}

/// Archives a strategy that no longer runs, or brings it back (its owner, the head, admins).
#[utoipa::path(post, path = "/api/v1/strategies/{id}/archive", tag = "goals", request_body = ArchiveRequest,
    params(("id" = i64, Path, description = "Strategy id")),
    responses(
        (status = 200, description = "Archived or brought back", body = StrategyJson),
        (status = 409, description = "Already archived (or already running)", body = super::ErrorBodyJson),
        (status = 403, description = "Neither its owner, the head nor an admin", body = super::ErrorBodyJson),
        (status = 404, description = "No such strategy", body = super::ErrorBodyJson),
        (status = 401, description = "Not signed in", body = super::ErrorBodyJson),
    ))]
pub async fn archive_strategy(
    State(state): State<AppState>,
    Auth(actor): Auth,
    Path(id): Path<i64>,
    Json(req): Json<ArchiveRequest>,
) -> Result<Json<StrategyJson>, WebError> {
    let s = state
        .services
        .archive_strategy(&actor, id, req.archived)
        .await?;
    let ids = state
        .services
        .strategies(&actor)
        .await?
        .into_iter()
        .find(|(row, _)| row.id == id)
        .map(|(_, ids)| ids)
        .unwrap_or_default();
    Ok(Json(StrategyJson::new(&s, ids)))
}

#[derive(Deserialize, ToSchema)]
pub struct CampaignLinkRequest {
    pub strategy_id: Option<i64>,
    pub goal_id: Option<i64>,
}

/// Links a campaign to the strategy and goal it serves (either may be null to unlink).
#[utoipa::path(post, path = "/api/v1/campaigns/{id}/links", tag = "goals", request_body = CampaignLinkRequest,
    params(("id" = i64, Path, description = "Campaign id")),
    responses(
        (status = 204, description = "Linked"),
        (status = 404, description = "No such campaign, or one the caller may not see", body = super::ErrorBodyJson),
        (status = 422, description = "No such strategy, or a goal the caller cannot see", body = super::ErrorBodyJson),
        (status = 403, description = "Employees and viewers", body = super::ErrorBodyJson),
        (status = 401, description = "Not signed in", body = super::ErrorBodyJson),
    ))]
pub async fn link_campaign(
    State(state): State<AppState>,
    Auth(actor): Auth,
    Path(id): Path<i64>,
    Json(req): Json<CampaignLinkRequest>,
) -> Result<StatusCode, WebError> {
    state
        .services
        .link_campaign(&actor, id, req.strategy_id, req.goal_id)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize, ToSchema)]
pub struct SwotJson {
    pub id: i64,
    pub period_from: String,
    pub period_to: String,
    /// strength, weakness, opportunity or threat.
    pub quadrant: String,
    pub title: String,
    pub note: String,
    /// Evidence: a metric.
    pub metric_code: Option<String>,
    /// Evidence: a campaign.
    pub campaign_id: Option<i64>,
    pub campaign_name: Option<String>,
}

impl From<&SwotRow> for SwotJson {
    fn from(s: &SwotRow) -> Self {
        SwotJson {
            id: s.id,
            period_from: s.period_from.clone(),
            period_to: s.period_to.clone(),
            quadrant: s.quadrant.clone(),
            title: s.title.clone(),
            note: s.note.clone(),
            metric_code: s.metric_code.clone(),
            campaign_id: s.campaign_id,
            campaign_name: s.campaign_name.clone(),
        }
    }
}

#[derive(Deserialize, IntoParams)]
pub struct SwotQuery {
    /// First day (YYYY-MM-DD), included.
    pub from: Option<String>,
    /// Day after the period (YYYY-MM-DD), excluded.
    pub to: Option<String>,
}

/// The department's SWOT entries whose period overlaps [from, to).
#[utoipa::path(get, path = "/api/v1/swot", tag = "goals", params(SwotQuery),
    responses(
        (status = 200, description = "Strengths, weaknesses, opportunities, threats", body = Vec<SwotJson>),
        (status = 422, description = "A bad period", body = super::ErrorBodyJson),
        (status = 401, description = "Not signed in", body = super::ErrorBodyJson),
    ))]
pub async fn swot(
    State(state): State<AppState>,
    Auth(actor): Auth,
    Query(q): Query<SwotQuery>,
) -> Result<Json<Vec<SwotJson>>, WebError> {
    let p = period(q.from.as_deref(), q.to.as_deref())?;
    let rows = state.services.swot(&actor, p).await?;
    Ok(Json(rows.iter().map(Into::into).collect()))
}

#[derive(Deserialize, ToSchema)]
pub struct SwotRequest {
    /// YYYY-MM-DD.
    pub period_from: String,
    /// YYYY-MM-DD, the day after the period.
    pub period_to: String,
    /// strength, weakness, opportunity or threat.
    pub quadrant: String,
    pub title: String,
    #[serde(default)]
    pub note: String,
    pub metric_code: Option<String>,
    pub campaign_id: Option<i64>,
}

/// Adds a SWOT entry (managers, the head, admins).
#[utoipa::path(post, path = "/api/v1/swot", tag = "goals", request_body = SwotRequest,
    responses(
        (status = 201, description = "Added", body = SwotJson),
        (status = 422, description = "A bad quadrant, title, period, metric or campaign", body = super::ErrorBodyJson),
        (status = 403, description = "Employees and viewers", body = super::ErrorBodyJson),
        (status = 401, description = "Not signed in", body = super::ErrorBodyJson),
    ))]
pub async fn add_swot(
    State(state): State<AppState>,
    Auth(actor): Auth,
    Json(req): Json<SwotRequest>,
) -> Result<(StatusCode, Json<SwotJson>), WebError> {
    let p = period(Some(&req.period_from), Some(&req.period_to))?;
    let s = state
        .services
        .add_swot(
            &actor,
            p,
            &req.quadrant,
            &req.title,
            &req.note,
            req.metric_code.as_deref(),
            req.campaign_id,
        )
        .await?;
    Ok((StatusCode::CREATED, Json((&s).into())))
}

/// The fields of a SWOT entry to change; those left out keep their value.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SwotPatchRequest {
    /// strength, weakness, opportunity or threat.
    pub quadrant: Option<String>,
    pub title: Option<String>,
    pub note: Option<String>,
    /// An empty code removes the metric.
    pub metric_code: Option<String>,
    pub campaign_id: Option<i64>,
}

/// Changes a SWOT entry: its author, the head and admins. The audit log
/// keeps it before and after.
#[utoipa::path(patch, path = "/api/v1/swot/{id}", tag = "goals", request_body = SwotPatchRequest,
    params(("id" = i64, Path, description = "SWOT entry id")),
    responses(
        (status = 200, description = "Changed", body = SwotJson),
        (status = 404, description = "No such entry", body = super::ErrorBodyJson),
        (status = 422, description = "A bad quadrant, title, metric or campaign", body = super::ErrorBodyJson),
        (status = 403, description = "Employees, viewers, and managers for another's entry", body = super::ErrorBodyJson),
        (status = 401, description = "Not signed in", body = super::ErrorBodyJson),
    ))]
pub async fn update_swot(
    State(state): State<AppState>,
    Auth(actor): Auth,
    Path(id): Path<i64>,
    Json(req): Json<SwotPatchRequest>,
) -> Result<Json<SwotJson>, WebError> {
    let change = mkpi_services::goals::SwotChange {
        quadrant: req.quadrant,
        title: req.title,
        note: req.note,
        metric_code: req.metric_code,
        campaign_id: req.campaign_id,
    };
    let s = state.services.update_swot(&actor, id, &change).await?;
    Ok(Json((&s).into()))
}

/// Removes a SWOT entry (its author, the head, admins); the audit log keeps a copy.
#[utoipa::path(delete, path = "/api/v1/swot/{id}", tag = "goals",
    params(("id" = i64, Path, description = "SWOT entry id")),
    responses(
        (status = 204, description = "Removed"),
        (status = 404, description = "No such entry", body = super::ErrorBodyJson),
        (status = 403, description = "Employees, viewers, and managers for another's entry", body = super::ErrorBodyJson),
        (status = 401, description = "Not signed in", body = super::ErrorBodyJson),
    ))]
pub async fn delete_swot(
    State(state): State<AppState>,
    Auth(actor): Auth,
    Path(id): Path<i64>,
) -> Result<StatusCode, WebError> {
    state.services.delete_swot(&actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
