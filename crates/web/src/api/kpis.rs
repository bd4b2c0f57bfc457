//! KPIs: set them, and read them evaluated for a period.

use axum::Json;
use axum::extract::{Query, State};
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
