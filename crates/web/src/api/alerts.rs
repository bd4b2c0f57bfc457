//! Alerts on KPIs the caller may see.

use axum::Json;
use axum::extract::{Query, State};
use mkpi_services::alerts::AlertView;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::AppState;
use crate::auth::Auth;
use crate::error::WebError;

#[derive(Serialize, ToSchema)]
pub struct AlertJson {
    pub id: i64,
    pub kpi_id: i64,
    /// off_track (the KPI went off track) or change (it moved by more than
    /// its alert_change_pct week over week).
    pub kind: String,
    /// Unix seconds.
    pub at: i64,
    pub metric: String,
    pub scope: String,
    /// Who or what the KPI is for, in words.
    pub scope_name: String,
    /// The period evaluated: the KPI's for off_track, the week for change; [from, to).
    pub window_from: String,
    pub window_to: String,
    pub value: Option<f64>,
    pub target: Option<f64>,
    pub forecast: Option<f64>,
    /// For change: the week before's value.
    pub previous: Option<f64>,
    /// For change: (value − previous) / |previous|.
    pub change: Option<f64>,
    /// Of money values.
    pub currency: Option<String>,
}

impl From<AlertView> for AlertJson {
    fn from(v: AlertView) -> Self {
        let a = v.alert;
        AlertJson {
            id: a.id,
            kpi_id: a.kpi_id,
            kind: a.kind,
            at: a.at,
            metric: a.metric_code,
            scope: a.scope,
            scope_name: v.scope_name,
            window_from: a.window_from,
            window_to: a.window_to,
            value: a.value,
            target: a.target,
            forecast: a.forecast,
            previous: a.previous,
            change: a.change,
            currency: a.currency,
        }
    }
}

#[derive(Deserialize, IntoParams)]
pub struct AlertsParams {
    /// How many days back, 1–366 (default 30).
    pub days: Option<i64>,
}

/// Recent alerts on KPIs the caller may see, newest first.
#[utoipa::path(get, path = "/api/v1/alerts", tag = "metrics", params(AlertsParams),
    responses(
        (status = 200, description = "Alerts, newest first", body = Vec<AlertJson>),
        (status = 401, description = "Not signed in", body = super::ErrorBodyJson),
    ))]
pub async fn list(
    State(state): State<AppState>,
    Auth(actor): Auth,
    Query(p): Query<AlertsParams>,
) -> Result<Json<Vec<AlertJson>>, WebError> {
    let rows = state.services.alerts(&actor, p.days.unwrap_or(30)).await?;
    Ok(Json(rows.into_iter().map(Into::into).collect()))
}
