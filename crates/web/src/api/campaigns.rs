//! Campaigns: listed, read, set up by hand, changed, and given to other
//! people from a day on.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use mkpi_services::campaigns::{CampaignInput, CampaignItem, CampaignView, SharesInput};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::AppState;
use crate::auth::Auth;
use crate::error::WebError;
use crate::paging::{PageQuery, paginate};

#[derive(Serialize, ToSchema)]
pub struct CampaignItemJson {
    pub id: i64,
    /// The ad platform's id, which imports match.
    pub external_id: String,
    pub name: String,
    pub platform: Option<String>,
    /// A channel code (paid_search, paid_social, …).
    pub channel: Option<String>,
    pub owner_employee_id: Option<i64>,
    pub owner_name: Option<String>,
    pub budget_minor: Option<i64>,
    pub currency: Option<String>,
    pub start_date: Option<String>,
    pub end_date: Option<String>,
}

impl From<CampaignItem> for CampaignItemJson {
    fn from(c: CampaignItem) -> Self {
        CampaignItemJson {
            id: c.id,
            external_id: c.external_id,
            name: c.name,
            platform: c.platform,
            channel: c.channel,
            owner_employee_id: c.owner_employee_id,
            owner_name: c.owner_name,
            budget_minor: c.budget_minor,
            currency: c.currency,
            start_date: c.start_date,
            end_date: c.end_date,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct CampaignPageJson {
    pub items: Vec<CampaignItemJson>,
    /// Campaigns found in all (after the search).
    pub total: usize,
    pub page: usize,
    pub per_page: usize,
    pub pages: usize,
}

#[derive(Serialize, ToSchema)]
pub struct ShareJson {
    pub employee_id: i64,
    pub name: String,
    pub is_owner: bool,
    /// The share of the campaign's results, in percent.
    pub share_percent: f64,
}

#[derive(Serialize, ToSchema)]
pub struct SharePeriodJson {
    /// The first day (null: since the start).
    pub from: Option<String>,
    /// The first day after.
    pub until: String,
    pub shares: Vec<ShareJson>,
}

#[derive(Serialize, ToSchema)]
pub struct CampaignJson {
    pub id: i64,
    pub external_id: String,
    pub name: String,
    pub platform: Option<String>,
    pub channel: Option<String>,
    pub budget_minor: Option<i64>,
    pub currency: Option<String>,
    pub start_date: Option<String>,
    pub end_date: Option<String>,
    pub goal_id: Option<i64>,
    pub goal_title: Option<String>,
    pub strategy_id: Option<i64>,
    pub strategy_title: Option<String>,
    /// The first day of the current owner and contributors (null: since the start).
    pub shares_from: Option<String>,
    /// The owner and contributors now.
    pub shares: Vec<ShareJson>,
    /// Earlier owners and contributors, latest first.
    pub history: Vec<SharePeriodJson>,
    /// The import that last wrote it; null for campaigns set up here.
    pub import_id: Option<i64>,
    /// Whether the caller may change it.
    pub can_edit: bool,
}

fn share_json(s: &mkpi_services::campaigns::Share) -> ShareJson {
    ShareJson {
        employee_id: s.employee_id,
        name: s.name.clone(),
        is_owner: s.is_owner,
        share_percent: s.share_bp as f64 / 100.0,
    }
}

impl From<CampaignView> for CampaignJson {
    fn from(v: CampaignView) -> Self {
        let c = v.campaign;
        CampaignJson {
            id: c.id,
            external_id: c.external_id,
            name: c.name,
            platform: c.platform,
            channel: c.channel,
            budget_minor: c.budget_minor,
            currency: c.currency,
            start_date: c.start_date,
            end_date: c.end_date,
            goal_id: c.goal_id,
            goal_title: v.goal.map(|(_, t)| t),
            strategy_id: c.strategy_id,
            strategy_title: v.strategy.map(|(_, t)| t),
            shares_from: c.shares_from,
            shares: v.shares.iter().map(share_json).collect(),
            history: v
                .history
                .iter()
                .map(|p| SharePeriodJson {
                    from: p.from.clone(),
                    until: p.until.clone(),
                    shares: p.shares.iter().map(share_json).collect(),
                })
                .collect(),
            import_id: c.import_id,
            can_edit: v.can_edit,
        }
    }
}

#[derive(Deserialize, ToSchema)]
pub struct ContributorRequest {
    pub employee_id: i64,
    /// Percent of the campaign's results (0 < share ≤ 100); the owner has the rest.
    pub share_percent: f64,
}

#[derive(Deserialize, ToSchema)]
pub struct CampaignRequest {
    /// The ad platform's id of the campaign (imports match it); the name when not given.
    pub external_id: Option<String>,
    pub name: String,
    pub platform: Option<String>,
    /// A channel code: organic_search, paid_search, display, paid_social, organic_social, email, referral, direct, video, messengers, advertising, internal or other.
    pub channel: Option<String>,
    /// In major units, with its currency; spread over the days from start to end.
    pub budget: Option<f64>,
    pub currency: Option<String>,
    /// YYYY-MM-DD.
    pub start: Option<String>,
    /// YYYY-MM-DD, the last day.
    pub end: Option<String>,
    pub goal_id: Option<i64>,
    pub strategy_id: Option<i64>,
    /// On creation only: the owner from the start.
    pub owner_employee_id: Option<i64>,
    /// On creation only: the contributors from the start.
    #[serde(default)]
    pub contributors: Vec<ContributorRequest>,
}

impl CampaignRequest {
    fn input(&self) -> CampaignInput {
        CampaignInput {
            external_id: self.external_id.clone(),
            name: self.name.clone(),
            platform: self.platform.clone(),
            channel: self.channel.clone(),
            budget: self.budget,
            currency: self.currency.clone(),
            start: self.start.clone(),
            end: self.end.clone(),
            goal_id: self.goal_id,
            strategy_id: self.strategy_id,
        }
    }
}

#[derive(Deserialize, ToSchema)]
pub struct PeopleRequest {
    pub owner_employee_id: Option<i64>,
    #[serde(default)]
    pub contributors: Vec<ContributorRequest>,
    /// YYYY-MM-DD, today or earlier: the first day the new people get the results
    /// (earlier days stay with the people before). Null corrects the current people
    /// from their own first day.
    pub effective_on: Option<String>,
}

fn shares(
    owner: Option<i64>,
    contributors: &[ContributorRequest],
    effective_on: Option<String>,
) -> SharesInput {
    SharesInput {
        owner_employee_id: owner,
        contributors: contributors
            .iter()
            .map(|c| (c.employee_id, c.share_percent))
            .collect(),
        effective_on,
    }
}

/// Campaigns the caller sees (those of the people they see), searched and in pages.
#[utoipa::path(get, path = "/api/v1/campaigns", tag = "campaigns", params(PageQuery),
    responses(
        (status = 200, description = "One page of campaigns, by id", body = CampaignPageJson),
        (status = 401, description = "Not signed in", body = super::ErrorBodyJson),
    ))]
pub async fn list(
    State(state): State<AppState>,
    Auth(actor): Auth,
    Query(q): Query<PageQuery>,
) -> Result<Json<CampaignPageJson>, WebError> {
    let all = state.services.list_campaigns(&actor, q.search()).await?;
    let page = paginate(all, &q);
    Ok(Json(CampaignPageJson {
        items: page.items.into_iter().map(Into::into).collect(),
        total: page.total,
        page: page.page,
        per_page: page.per_page,
        pages: page.pages,
    }))
}

/// One campaign with its people now and before.
#[utoipa::path(get, path = "/api/v1/campaigns/{id}", tag = "campaigns",
    params(("id" = i64, Path, description = "Campaign id")),
    responses(
        (status = 200, description = "The campaign", body = CampaignJson),
        (status = 404, description = "No such campaign, or none of its people is visible to the caller", body = super::ErrorBodyJson),
        (status = 401, description = "Not signed in", body = super::ErrorBodyJson),
    ))]
pub async fn show(
    State(state): State<AppState>,
    Auth(actor): Auth,
    Path(id): Path<i64>,
) -> Result<Json<CampaignJson>, WebError> {
    Ok(Json(state.services.get_campaign(&actor, id).await?.into()))
}

/// Sets a campaign up by hand (managers for their teams' people, the head, admins).
#[utoipa::path(post, path = "/api/v1/campaigns", tag = "campaigns", request_body = CampaignRequest,
    responses(
        (status = 201, description = "Set up", body = CampaignJson),
        (status = 422, description = "A missing name, a taken id, an unknown channel, a bad amount or date, or people the caller may not name", body = super::ErrorBodyJson),
        (status = 403, description = "Employees and viewers", body = super::ErrorBodyJson),
        (status = 401, description = "Not signed in", body = super::ErrorBodyJson),
    ))]
pub async fn create(
    State(state): State<AppState>,
    Auth(actor): Auth,
    Json(req): Json<CampaignRequest>,
) -> Result<(StatusCode, Json<CampaignJson>), WebError> {
    let people = shares(req.owner_employee_id, &req.contributors, None);
    let view = state
        .services
        .create_campaign(&actor, &req.input(), &people)
        .await?;
    Ok((StatusCode::CREATED, Json(view.into())))
}

/// Changes a campaign's own values (its people change through `/people`).
#[utoipa::path(patch, path = "/api/v1/campaigns/{id}", tag = "campaigns", request_body = CampaignRequest,
    params(("id" = i64, Path, description = "Campaign id")),
    responses(
        (status = 200, description = "Changed", body = CampaignJson),
        (status = 422, description = "A missing name, a taken id, an unknown channel, a bad amount or date", body = super::ErrorBodyJson),
        (status = 403, description = "Employees, viewers, and managers for a campaign of people outside their teams or of their own", body = super::ErrorBodyJson),
        (status = 404, description = "No such campaign, or none of its people is visible to the caller", body = super::ErrorBodyJson),
        (status = 401, description = "Not signed in", body = super::ErrorBodyJson),
    ))]
pub async fn update(
    State(state): State<AppState>,
    Auth(actor): Auth,
    Path(id): Path<i64>,
    Json(req): Json<CampaignRequest>,
) -> Result<Json<CampaignJson>, WebError> {
    let view = state
        .services
        .update_campaign(&actor, id, &req.input())
        .await?;
    Ok(Json(view.into()))
}

/// Gives the campaign's results to an owner and contributors from a day on; the
/// people before keep the days before.
#[utoipa::path(post, path = "/api/v1/campaigns/{id}/people", tag = "campaigns", request_body = PeopleRequest,
    params(("id" = i64, Path, description = "Campaign id")),
    responses(
        (status = 200, description = "Changed", body = CampaignJson),
        (status = 422, description = "A day in the future or before the last change, shares over 100 %, a person named twice, the caller themself, or people the caller may not name", body = super::ErrorBodyJson),
        (status = 403, description = "Employees, viewers, and managers for a campaign of people outside their teams or of their own", body = super::ErrorBodyJson),
        (status = 404, description = "No such campaign, or none of its people is visible to the caller", body = super::ErrorBodyJson),
        (status = 401, description = "Not signed in", body = super::ErrorBodyJson),
    ))]
pub async fn change_people(
    State(state): State<AppState>,
    Auth(actor): Auth,
    Path(id): Path<i64>,
    Json(req): Json<PeopleRequest>,
) -> Result<Json<CampaignJson>, WebError> {
    let input = shares(req.owner_employee_id, &req.contributors, req.effective_on);
    let view = state
        .services
        .change_campaign_people(&actor, id, &input)
        .await?;
    Ok(Json(view.into()))
}
