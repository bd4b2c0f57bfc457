//! KPIs: set them, and read them evaluated for a period.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use mkpi_services::kpis::{KpiView, NewKpiInput, TargetInput};
use mkpi_services::metrics::ScopeRef;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::AppState;
use crate::auth::Auth;
use crate::error::WebError;

#[derive(Deserialize, ToSchema)]
pub struct TargetRequest {
    /// First day (YYYY-MM-DD), included.
    pub from: String,
    /// Day after the last (YYYY-MM-DD), excluded.
    pub to: String,
    /// The worst acceptable value; 10% worse than the target when absent.
    pub floor: Option<f64>,
    pub target: f64,
    pub stretch: Option<f64>,
}

#[derive(Deserialize, ToSchema)]
pub struct NewKpiRequest {
    /// A metric code (GET /api/v1/metrics).
    pub metric: String,
    /// department, team:ID, employee:ID, campaign:ID or channel:CODE.
    pub scope: String,
    pub from: String,
    pub to: String,
    /// Among the scope's KPIs (default 1).
    pub weight: Option<f64>,
    /// Highest achievement counted, 1–3 (default 1.5 = 150%).
    pub cap: Option<f64>,
    /// One or more, inside the period, not overlapping.
    pub targets: Vec<TargetRequest>,
    /// Alert (in the UI and by e-mail) when the value moves by more than this
    /// many percent week over week, 0–1000; off-track alerts need no setting.
    pub alert_change_pct: Option<f64>,
}

#[derive(Serialize, ToSchema)]
pub struct BandsJson {
    pub floor: Option<f64>,
    pub target: f64,
    pub stretch: Option<f64>,
}

#[derive(Serialize, ToSchema)]
pub struct ForecastJson {
    /// The value expected at the window's end.
    pub value: f64,
    /// An approximate 95% interval.
    pub low: f64,
    pub high: f64,
}

#[derive(Serialize, ToSchema)]
pub struct KpiJson {
    pub id: i64,
    pub metric: String,
    pub metric_name_en: String,
    pub metric_name_ru: String,
    pub unit: String,
    pub direction: String,
    pub scope: String,
    pub from: String,
    pub to: String,
    /// The part of the KPI's period evaluated.
    pub window_from: String,
    pub window_to: String,
    pub weight: f64,
    pub cap: f64,
    pub value: Option<f64>,
    pub currency: Option<String>,
    pub note: Option<String>,
    pub bands: Option<BandsJson>,
    /// Of the target, direction-aware, capped; 1 = on target.
    pub achievement: Option<f64>,
    /// on_track, at_risk, off_track or no_data.
    pub status: String,
    pub forecast: Option<ForecastJson>,
    pub finished: bool,
    /// Alert when the value moves by more than this many percent week over week.
    pub alert_change_pct: Option<f64>,
}

impl From<KpiView> for KpiJson {
    fn from(k: KpiView) -> Self {
        KpiJson {
            id: k.id,
            metric: k.metric.code.clone(),
            metric_name_en: k.metric.name_en.clone(),
            metric_name_ru: k.metric.name_ru.clone(),
            unit: k.metric.unit.code().to_string(),
            direction: k.metric.direction.code().to_string(),
            scope: k.scope,
            from: k.period.from.to_string(),
            to: k.period.to.to_string(),
            window_from: k.window.from.to_string(),
            window_to: k.window.to.to_string(),
            weight: k.weight,
            cap: k.cap,
            value: k.value,
            currency: k.currency,
            note: k.note,
            bands: k.bands.map(|b| BandsJson {
                floor: b.floor,
                target: b.target,
                stretch: b.stretch,
            }),
            achievement: k.achievement,
            status: k.status.code().to_string(),
            forecast: k.forecast.map(|f| ForecastJson {
                value: f.value,
                low: f.low,
                high: f.high,
            }),
            finished: k.finished,
            alert_change_pct: k.alert_change_pct,
        }
    }
}

/// Sets a KPI (admins and the head for any scope; managers for their
/// teams, people and their campaigns).
#[utoipa::path(post, path = "/api/v1/kpis", tag = "metrics", request_body = NewKpiRequest,
    responses(
        (status = 201, description = "Stored, and evaluated over its period", body = KpiJson),
        (status = 404, description = "The scope names a team, person or campaign the caller may not see", body = super::ErrorBodyJson),
        (status = 422, description = "Every problem with the metric, scope, period or targets", body = super::ErrorBodyJson),
        (status = 403, description = "Employees and viewers set no KPIs; managers none for the department or a channel", body = super::ErrorBodyJson),
        (status = 401, description = "Not signed in", body = super::ErrorBodyJson),
    ))]
pub async fn create(
    State(state): State<AppState>,
    Auth(actor): Auth,
    Json(req): Json<NewKpiRequest>,
) -> Result<(StatusCode, Json<KpiJson>), WebError> {
    let input = NewKpiInput {
        metric: req.metric,
        scope: req.scope,
        from: req.from,
        to: req.to,
        weight: req.weight,
        cap: req.cap,
        alert_change_pct: req.alert_change_pct,
        targets: req
            .targets
            .into_iter()
            .map(|t| TargetInput {
                from: t.from,
                to: t.to,
                floor: t.floor,
                target: t.target,
                stretch: t.stretch,
            })
            .collect(),
    };
    let view = state.services.create_kpi(&actor, &input).await?;
    Ok((StatusCode::CREATED, Json(view.into())))
}

#[derive(Deserialize, IntoParams)]
pub struct KpiQuery {
    /// department (default), team:ID, employee:ID, campaign:ID or channel:CODE.
    pub scope: Option<String>,
    /// First day of the period (YYYY-MM-DD), included.
    pub from: Option<String>,
    /// Day after the period (YYYY-MM-DD), excluded.
    pub to: Option<String>,
}

/// The KPIs of a scope whose period overlaps [from, to), evaluated over the overlap.
#[utoipa::path(get, path = "/api/v1/kpis", tag = "metrics", params(KpiQuery),
    responses(
        (status = 200, description = "Evaluated KPIs, oldest first", body = Vec<KpiJson>),
        (status = 404, description = "The scope names a team, person or campaign the caller may not see", body = super::ErrorBodyJson),
        (status = 422, description = "Bad scope or period", body = super::ErrorBodyJson),
        (status = 403, description = "The viewer: a person's figures and evaluations are not theirs to read", body = super::ErrorBodyJson),
        (status = 401, description = "Not signed in", body = super::ErrorBodyJson),
    ))]
pub async fn list(
    State(state): State<AppState>,
    Auth(actor): Auth,
    Query(q): Query<KpiQuery>,
) -> Result<Json<Vec<KpiJson>>, WebError> {
    let scope = ScopeRef::parse(q.scope.as_deref().unwrap_or("department"))?;
    let period = super::metrics::period(q.from.as_deref(), q.to.as_deref())?;
    let views = state.services.kpis_for(&actor, &scope, period).await?;
    Ok(Json(views.into_iter().map(KpiJson::from).collect()))
}

/// A KPI as stored: its period, weight and every target it has had for
/// each part of the period.
#[derive(Serialize, ToSchema)]
pub struct KpiRecordJson {
    pub id: i64,
    pub metric: String,
    pub scope: String,
    pub from: String,
    /// The day after its last.
    pub to: String,
    pub weight: f64,
    pub alert_change_pct: Option<f64>,
    pub targets: Vec<TargetJson>,
}

#[derive(Serialize, ToSchema)]
pub struct TargetJson {
    pub from: String,
    pub to: String,
    pub floor: Option<f64>,
    pub target: f64,
    pub stretch: Option<f64>,
}

impl From<mkpi_services::kpis::KpiRecord> for KpiRecordJson {
    fn from(r: mkpi_services::kpis::KpiRecord) -> Self {
        KpiRecordJson {
            id: r.row.id,
            metric: r.row.metric_code,
            scope: r.row.scope,
            from: r.row.period_from,
            to: r.row.period_to,
            weight: r.row.weight,
            alert_change_pct: r.row.alert_change_pct,
            targets: r
                .targets
                .into_iter()
                .map(|t| TargetJson {
                    from: t.period_from,
                    to: t.period_to,
                    floor: t.floor,
                    target: t.target,
                    stretch: t.stretch,
                })
                .collect(),
        }
    }
}

#[derive(Deserialize, ToSchema)]
pub struct TargetChangeRequest {
    /// ISO date inside the KPI's period: the new target holds from it to the end.
    pub from: String,
    pub floor: Option<f64>,
    pub target: f64,
    pub stretch: Option<f64>,
}

#[derive(Deserialize, ToSchema)]
pub struct KpiPatch {
    pub weight: f64,
    pub alert_change_pct: Option<f64>,
}

#[derive(Deserialize, ToSchema)]
pub struct RetireRequest {
    /// ISO date: the KPI's last day.
    pub last_day: String,
}

/// One KPI with its targets.
#[utoipa::path(get, path = "/api/v1/kpis/{id}", tag = "metrics",
    params(("id" = i64, Path, description = "KPI id")),
    responses(
        (status = 200, description = "The KPI", body = KpiRecordJson),
        (status = 404, description = "No such KPI, or its scope is outside the caller's", body = super::ErrorBodyJson),
        (status = 403, description = "The viewer: a person's figures and evaluations are not theirs to read", body = super::ErrorBodyJson),
        (status = 401, description = "Not signed in", body = super::ErrorBodyJson),
    ))]
pub async fn show(
    State(state): State<AppState>,
    Auth(actor): Auth,
    Path(id): Path<i64>,
) -> Result<Json<KpiRecordJson>, WebError> {
    Ok(Json(state.services.kpi(&actor, id).await?.into()))
}

/// A new target from a day to the end of the period; earlier days keep theirs.
#[utoipa::path(post, path = "/api/v1/kpis/{id}/targets", tag = "metrics", request_body = TargetChangeRequest,
    params(("id" = i64, Path, description = "KPI id")),
    responses(
        (status = 200, description = "The KPI with its targets", body = KpiRecordJson),
        (status = 404, description = "No such KPI, or its scope is outside the caller's", body = super::ErrorBodyJson),
        (status = 422, description = "Invalid input; every problem is listed", body = super::ErrorBodyJson),
        (status = 403, description = "Not allowed to set this KPI", body = super::ErrorBodyJson),
        (status = 401, description = "Not signed in", body = super::ErrorBodyJson),
    ))]
pub async fn change_target(
    State(state): State<AppState>,
    Auth(actor): Auth,
    Path(id): Path<i64>,
    Json(req): Json<TargetChangeRequest>,
) -> Result<Json<KpiRecordJson>, WebError> {
    let change = mkpi_services::kpis::TargetChange {
        from: req.from,
        floor: req.floor,
        target: req.target,
        stretch: req.stretch,
    };
    Ok(Json(
        state
            .services
            .change_kpi_target(&actor, id, change)
            .await?
            .into(),
    ))
}

/// Changes a KPI's weight and weekly alert threshold.
#[utoipa::path(patch, path = "/api/v1/kpis/{id}", tag = "metrics", request_body = KpiPatch,
    params(("id" = i64, Path, description = "KPI id")),
    responses(
        (status = 200, description = "Changed", body = KpiRecordJson),
        (status = 404, description = "No such KPI, or its scope is outside the caller's", body = super::ErrorBodyJson),
        (status = 422, description = "Invalid input", body = super::ErrorBodyJson),
        (status = 403, description = "Not allowed to set this KPI", body = super::ErrorBodyJson),
        (status = 401, description = "Not signed in", body = super::ErrorBodyJson),
    ))]
pub async fn update(
    State(state): State<AppState>,
    Auth(actor): Auth,
    Path(id): Path<i64>,
    Json(req): Json<KpiPatch>,
) -> Result<Json<KpiRecordJson>, WebError> {
    Ok(Json(
        state
            .services
            .update_kpi(&actor, id, req.weight, req.alert_change_pct)
            .await?
            .into(),
    ))
}

/// Retires a KPI after a day: earlier periods keep it; one that never
/// started is removed (204).
#[utoipa::path(post, path = "/api/v1/kpis/{id}/retire", tag = "metrics", request_body = RetireRequest,
    params(("id" = i64, Path, description = "KPI id")),
    responses(
        (status = 200, description = "Retired: its period now ends after the day", body = KpiRecordJson),
        (status = 204, description = "Removed: it had not started"),
        (status = 404, description = "No such KPI, or its scope is outside the caller's", body = super::ErrorBodyJson),
        (status = 409, description = "Check-ins refer to a KPI that would be removed", body = super::ErrorBodyJson),
        (status = 422, description = "Invalid day", body = super::ErrorBodyJson),
        (status = 403, description = "Not allowed to set this KPI", body = super::ErrorBodyJson),
        (status = 401, description = "Not signed in", body = super::ErrorBodyJson),
    ))]
pub async fn retire(
    State(state): State<AppState>,
    Auth(actor): Auth,
    Path(id): Path<i64>,
    Json(req): Json<RetireRequest>,
) -> Result<axum::response::Response, WebError> {
    use axum::response::IntoResponse;
    Ok(
        match state.services.retire_kpi(&actor, id, &req.last_day).await? {
            Some(r) => Json(KpiRecordJson::from(r)).into_response(),
            None => axum::http::StatusCode::NO_CONTENT.into_response(),
        },
    )
}
