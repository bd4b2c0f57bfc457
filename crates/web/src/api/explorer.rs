//! The campaign and channel explorer as JSON: a scope's ad results split one
//! level down.

use axum::Json;
use axum::extract::{Query, State};
use mkpi_services::explorer::Split;
use mkpi_services::metrics::ScopeRef;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::metrics::{MetricValueJson, period};
use crate::AppState;
use crate::auth::Auth;
use crate::error::WebError;

#[derive(Deserialize, IntoParams)]
pub struct ExplorerQuery {
    /// department (default), team:ID, employee:ID, campaign:ID or channel:CODE.
    pub scope: Option<String>,
    /// For the department: org (by team, default) or channels.
    pub split: Option<String>,
    /// First day (YYYY-MM-DD), included.
    pub from: Option<String>,
    /// Day after the period (YYYY-MM-DD), excluded.
    pub to: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct TrailStepJson {
    pub scope: String,
    pub name: String,
}

#[derive(Serialize, ToSchema)]
pub struct ExplorerRowJson {
    /// The row's scope (team:3, employee:7, campaign:12, channel:email) or, under a campaign, its day.
    pub key: String,
    pub name: String,
    /// Whether the row splits further (pass its key as scope).
    pub drill: bool,
    /// Under a person: their share of the campaign (1 = all of it).
    pub share: Option<f64>,
    pub values: Vec<MetricValueJson>,
}

#[derive(Serialize, ToSchema)]
pub struct ExplorerJson {
    pub scope: String,
    pub split: String,
    pub name: String,
    /// From the department down to the scope's parent.
    pub trail: Vec<TrailStepJson>,
    pub totals: Vec<MetricValueJson>,
    /// Biggest spend first; a campaign's days in date order.
    pub rows: Vec<ExplorerRowJson>,
}

/// A scope's ad results (spend, impressions, clicks, CTR, CPC, conversions, CPA,
/// conversion value, ROAS, ROI) and the same for each part one level down.
#[utoipa::path(get, path = "/api/v1/explore", tag = "metrics", params(ExplorerQuery),
    responses(
        (status = 200, description = "The scope's totals and its parts", body = ExplorerJson),
        (status = 404, description = "A team, person or campaign the caller may not see (or none)", body = super::ErrorBodyJson),
        (status = 422, description = "A bad scope or period", body = super::ErrorBodyJson),
        (status = 403, description = "The viewer: a person's figures and evaluations are not theirs to read", body = super::ErrorBodyJson),
        (status = 401, description = "Not signed in", body = super::ErrorBodyJson),
    ))]
pub async fn show(
    State(state): State<AppState>,
    Auth(actor): Auth,
    Query(q): Query<ExplorerQuery>,
) -> Result<Json<ExplorerJson>, WebError> {
    let scope = ScopeRef::parse(q.scope.as_deref().unwrap_or("department"))?;
    let period = period(q.from.as_deref(), q.to.as_deref())?;
    let split = Split::parse(q.split.as_deref().unwrap_or("org"));
    let e = state
        .services
        .explore(&actor, &scope, split, period)
        .await?;
    let scope_text = scope.to_string();
    Ok(Json(ExplorerJson {
        split: split.code().to_string(),
        name: e.name,
        trail: e
            .trail
            .into_iter()
            .map(|(scope, name)| TrailStepJson { scope, name })
            .collect(),
        totals: e
            .totals
            .into_iter()
            .map(|a| MetricValueJson::new(a, &scope_text, period))
            .collect(),
        rows: e
            .rows
            .into_iter()
            .map(|r| ExplorerRowJson {
                values: r
                    .values
                    .into_iter()
                    .map(|a| MetricValueJson::new(a, &r.key, period))
                    .collect(),
                key: r.key,
                name: r.name,
                drill: r.drill,
                share: r.share,
            })
            .collect(),
        scope: scope_text,
    }))
}
