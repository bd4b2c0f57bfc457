//! The department dashboard's data and a team's card, as the pages show
//! them.

use axum::Json;
use axum::extract::{Path, Query, State};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use mkpi_services::dashboard::Compare;

use super::metrics::{MetricValueJson, period};
use crate::AppState;
use crate::auth::Auth;
use crate::error::WebError;

#[derive(Deserialize, IntoParams)]
pub struct DashboardQuery {
    /// First day of the period (YYYY-MM-DD), included; last month when neither day is given.
    pub from: Option<String>,
    /// Day after the period (YYYY-MM-DD), excluded.
    pub to: Option<String>,
    /// previous (default: the period of the same length before; a calendar month, quarter or
    /// year is compared with the whole one before) or year (the same dates a year before).
    pub compare: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct TrendPointJson {
    /// YYYY-MM.
    pub month: String,
    pub value: Option<f64>,
}

#[derive(Serialize, ToSchema)]
pub struct TileJson {
    pub now: MetricValueJson,
    pub before: MetricValueJson,
    /// (now − before) / |before|; null when either is missing or before is 0.
    pub change: Option<f64>,
    /// The department KPI on this metric, if one covers the period.
    pub kpi: Option<super::kpis::KpiJson>,
    /// The twelve months up to the period's end.
    pub trend: Vec<TrendPointJson>,
}

#[derive(Serialize, ToSchema)]
pub struct ChannelJson {
    pub channel: String,
    pub sessions: i64,
    pub new_users: i64,
    pub conversions: f64,
    /// Of all sessions in the period (0–1).
    pub share: f64,
}

#[derive(Serialize, ToSchema)]
pub struct CampaignLineJson {
    pub id: i64,
    pub external_id: String,
    pub name: String,
    pub channel: Option<String>,
    pub owner: Option<String>,
    pub currency: Option<String>,
    pub spend: f64,
    pub conversion_value: f64,
    pub conversions: f64,
    pub roas: Option<f64>,
    pub roi: Option<f64>,
    pub cpa: Option<f64>,
    /// Of all campaigns' spend in the period (0–1).
    pub spend_share: f64,
}

#[derive(Serialize, ToSchema)]
pub struct FlagJson {
    pub employee_id: i64,
    pub name: String,
    /// top_performer or needs_support.
    pub flag: String,
    /// The months (YYYY-MM) it was raised from.
    pub months: Vec<String>,
}

#[derive(Serialize, ToSchema)]
pub struct DashboardJson {
    pub from: String,
    pub to: String,
    /// The days of the period up to today, which the values cover.
    pub shown_from: String,
    pub shown_to: String,
    /// previous or year.
    pub compare: String,
    pub compared_from: String,
    pub compared_to: String,
    pub tiles: Vec<TileJson>,
    /// The department's KPIs on metrics without a tile.
    pub other_kpis: Vec<super::kpis::KpiJson>,
    pub channels: Vec<ChannelJson>,
    /// The campaigns with the most spend (at most 20).
    pub campaigns: Vec<CampaignLineJson>,
    /// Flags on the people the caller sees (empty for the viewer).
    pub flags: Vec<FlagJson>,
}

fn flag_json(f: mkpi_services::scorecard::PersonFlag) -> FlagJson {
    FlagJson {
        employee_id: f.employee_id,
        name: f.name,
        flag: f.flag.kind.code().to_string(),
        months: f.months,
    }
}

/// The department dashboard: tiles with their comparison, KPI and trend,
/// traffic by channel, the top campaigns and flags on people.
#[utoipa::path(get, path = "/api/v1/dashboard", tag = "metrics", params(DashboardQuery),
    responses(
        (status = 200, description = "The dashboard's data", body = DashboardJson),
        (status = 422, description = "Bad period", body = super::ErrorBodyJson),
        (status = 401, description = "Not signed in", body = super::ErrorBodyJson),
    ))]
pub async fn dashboard(
    State(state): State<AppState>,
    Auth(actor): Auth,
    Query(q): Query<DashboardQuery>,
) -> Result<Json<DashboardJson>, WebError> {
    let period = match (q.from.as_deref(), q.to.as_deref()) {
        (None, None) => {
            let today = mkpi_domain::period::Day::from_unix_seconds(state.services.clock().now());
            mkpi_domain::period::Period::month_of(today).previous()
        }
        (from, to) => period(from, to)?,
    };
    let compare = Compare::parse(q.compare.as_deref().unwrap_or("previous"));
    let d = state.services.dashboard(&actor, period, compare).await?;
    let scope = "department";
    Ok(Json(DashboardJson {
        from: d.period.from.to_string(),
        to: d.period.to.to_string(),
        shown_from: d.shown.from.to_string(),
        shown_to: d.shown.to.to_string(),
        compare: d.compare.code().to_string(),
        compared_from: d.compared_with.from.to_string(),
        compared_to: d.compared_with.to.to_string(),
        tiles: d
            .tiles
            .into_iter()
            .map(|t| TileJson {
                now: MetricValueJson::new(t.now, scope, d.shown),
                before: MetricValueJson::new(t.before, scope, d.compared_with),
                change: t.change,
                kpi: t.kpi.map(Into::into),
                trend: t
                    .trend
                    .into_iter()
                    .map(|(month, value)| TrendPointJson { month, value })
                    .collect(),
            })
            .collect(),
        other_kpis: d.other_kpis.into_iter().map(Into::into).collect(),
        channels: d
            .channels
            .into_iter()
            .map(|c| ChannelJson {
                channel: c.channel,
                sessions: c.sessions,
                new_users: c.new_users,
                conversions: c.conversions,
                share: c.share,
            })
            .collect(),
        campaigns: d
            .campaigns
            .into_iter()
            .map(|c| CampaignLineJson {
                id: c.id,
                external_id: c.external_id,
                name: c.name,
                channel: c.channel,
                owner: c.owner,
                currency: c.currency,
                spend: c.spend,
                conversion_value: c.conversion_value,
                conversions: c.conversions,
                roas: c.roas,
                roi: c.roi,
                cpa: c.cpa,
                spend_share: c.spend_share,
            })
            .collect(),
        flags: d.flags.into_iter().map(flag_json).collect(),
    }))
}

#[derive(Serialize, ToSchema)]
pub struct MemberJson {
    pub employee_id: i64,
    pub name: String,
    pub position: String,
    /// Their KPIs' weighted achievement in the period.
    pub kpi_score: Option<f64>,
}

#[derive(Serialize, ToSchema)]
pub struct TeamCardJson {
    pub team: super::teams::TeamJson,
    pub from: String,
    pub to: String,
    pub kpis: Vec<super::kpis::KpiJson>,
    /// Σ weight × achievement / Σ weight over the team's KPIs with an achievement.
    pub kpi_score: Option<f64>,
    /// The team's results: made of the people who were in it on each day.
    pub results: Vec<MetricValueJson>,
    /// The members the caller sees (none for the viewer).
    pub members: Vec<MemberJson>,
    pub flags: Vec<FlagJson>,
}

/// A team's card for the half-open period [from, to): KPIs, results, members.
#[utoipa::path(get, path = "/api/v1/teams/{id}/card", tag = "organisation",
    params(("id" = i64, Path, description = "Team id"), DashboardQuery),
    responses(
        (status = 200, description = "The team's card", body = TeamCardJson),
        (status = 404, description = "No such team, or outside the caller's scope", body = super::ErrorBodyJson),
        (status = 422, description = "Bad period", body = super::ErrorBodyJson),
        (status = 401, description = "Not signed in", body = super::ErrorBodyJson),
    ))]
pub async fn team_card(
    State(state): State<AppState>,
    Auth(actor): Auth,
    Path(id): Path<i64>,
    Query(q): Query<DashboardQuery>,
) -> Result<Json<TeamCardJson>, WebError> {
    let period = period(q.from.as_deref(), q.to.as_deref())?;
    let card = state.services.team_card(&actor, id, period).await?;
    let scope = format!("team:{id}");
    Ok(Json(TeamCardJson {
        team: card.team.into(),
        from: period.from.to_string(),
        to: period.to.to_string(),
        kpis: card.kpis.into_iter().map(Into::into).collect(),
        kpi_score: card.kpi_score,
        results: card
            .results
            .into_iter()
            .map(|a| MetricValueJson::new(a, &scope, period))
            .collect(),
        members: card
            .members
            .into_iter()
            .map(|(e, s)| MemberJson {
                employee_id: e.id,
                name: e.name,
                position: e.position,
                kpi_score: s.kpi_score,
            })
            .collect(),
        flags: card.flags.into_iter().map(flag_json).collect(),
    }))
}
