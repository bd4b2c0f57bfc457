//! Employees, limited to the caller's scope.

use axum::Json;
use axum::extract::{Path, State};
use mkpi_services::organisation::EmployeeRow;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::AppState;
use crate::auth::Auth;
use crate::error::WebError;

#[derive(Serialize, ToSchema)]
pub struct EmployeeJson {
    pub id: i64,
    pub name: String,
    pub email: String,
    pub position: String,
    pub team_id: Option<i64>,
    pub team_name: Option<String>,
    pub manager_id: Option<i64>,
    pub manager_name: Option<String>,
    /// ISO date.
    pub hire_date: String,
    pub active: bool,
    /// ISO date: their last day, once they have left.
    pub last_day: Option<String>,
}

impl From<EmployeeRow> for EmployeeJson {
    fn from(e: EmployeeRow) -> Self {
        EmployeeJson {
            id: e.id,
            name: e.name,
            email: e.email,
            position: e.position,
            team_id: e.team_id,
            team_name: e.team_name,
            manager_id: e.manager_id,
            manager_name: e.manager_name,
            hire_date: e.hire_date,
            active: e.active,
            last_day: e.last_day,
        }
    }
}

/// Whether a person's name, position, e-mail or team contains the search.
pub(crate) fn found(e: &EmployeeRow, q: &str) -> bool {
    crate::paging::matches(
        q,
        [
            Some(e.name.as_str()),
            Some(e.position.as_str()),
            Some(e.email.as_str()),
            e.team_name.as_deref(),
        ],
    )
}

/// The employees the caller may see, searched by name, position, team or
/// e-mail; a page of them with `page` or `per_page`.
#[utoipa::path(get, path = "/api/v1/employees", tag = "organisation", params(crate::paging::PageQuery),
    responses(
        (status = 200, description = "Visible employees, active first, by name", body = Vec<EmployeeJson>,
            headers(("x-total-count" = usize, description = "Employees found in all"))),
        (status = 401, description = "Not signed in", body = super::ErrorBodyJson),
    ))]
pub async fn list(
    State(state): State<AppState>,
    Auth(actor): Auth,
    axum::extract::Query(q): axum::extract::Query<crate::paging::PageQuery>,
) -> Result<(axum::http::HeaderMap, Json<Vec<EmployeeJson>>), WebError> {
    let rows: Vec<EmployeeJson> = state
        .services
        .list_employees(&actor)
        .await?
        .into_iter()
        .filter(|e| found(e, q.search()))
        .map(EmployeeJson::from)
        .collect();
    let (headers, page) = crate::paging::api_page(rows, &q);
    Ok((headers, Json(page)))
}

/// One employee.
#[utoipa::path(get, path = "/api/v1/employees/{id}", tag = "organisation",
    params(("id" = i64, Path, description = "Employee id")),
    responses(
        (status = 200, description = "The employee", body = EmployeeJson),
        (status = 404, description = "No such employee, or outside the caller's scope", body = super::ErrorBodyJson),
        (status = 401, description = "Not signed in", body = super::ErrorBodyJson),
    ))]
pub async fn show(
    State(state): State<AppState>,
    Auth(actor): Auth,
    Path(id): Path<i64>,
) -> Result<Json<EmployeeJson>, WebError> {
    Ok(Json(state.services.get_employee(&actor, id).await?.into()))
}

#[derive(Serialize, ToSchema)]
pub struct CampaignTimeJson {
    /// None: hours logged outside campaigns.
    pub campaign_id: Option<i64>,
    pub campaign_name: Option<String>,
    pub hours: f64,
    /// The person's share of the campaign's conversion value in the period.
    pub result: Option<f64>,
    pub result_per_hour: Option<f64>,
    pub currency: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct ScorecardJson {
    pub employee_id: i64,
    pub from: String,
    pub to: String,
    /// Σ weight × achievement / Σ weight over the KPIs with an achievement.
    pub kpi_score: Option<f64>,
    /// KPIs without a value or target, left out of the score (not counted as 0).
    pub kpis_without_achievement: usize,
    pub kpis: Vec<super::kpis::KpiJson>,
    pub results: Vec<super::metrics::MetricValueJson>,
    pub time: Vec<CampaignTimeJson>,
    /// The weighted progress (0–1) of their active and done goals running in the period; null without goals.
    pub goal_achievement: Option<f64>,
    /// How many goals that is.
    pub goals: usize,
}

/// A person's scorecard for the half-open period [from, to).
#[utoipa::path(get, path = "/api/v1/employees/{id}/scorecard", tag = "organisation",
    params(("id" = i64, Path, description = "Employee id"), super::kpis::KpiQuery),
    responses(
        (status = 200, description = "KPIs, weighted achievement, results and time", body = ScorecardJson),
        (status = 404, description = "No such employee, or outside the caller's scope", body = super::ErrorBodyJson),
        (status = 422, description = "Bad period", body = super::ErrorBodyJson),
        (status = 403, description = "The viewer: a person's figures and evaluations are not theirs to read", body = super::ErrorBodyJson),
        (status = 401, description = "Not signed in", body = super::ErrorBodyJson),
    ))]
pub async fn scorecard(
    State(state): State<AppState>,
    Auth(actor): Auth,
    Path(id): Path<i64>,
    axum::extract::Query(q): axum::extract::Query<super::kpis::KpiQuery>,
) -> Result<Json<ScorecardJson>, WebError> {
    let period = super::metrics::period(q.from.as_deref(), q.to.as_deref())?;
    let card = state.services.scorecard(&actor, id, period).await?;
    let goals = state.services.goal_achievement(&actor, id, period).await?;
    let scope = format!("employee:{id}");
    Ok(Json(ScorecardJson {
        goal_achievement: goals.score,
        goals: goals.goals,
        employee_id: id,
        from: period.from.to_string(),
        to: period.to.to_string(),
        kpi_score: card.kpi_score,
        kpis_without_achievement: card.kpis_without_achievement,
        kpis: card.kpis.into_iter().map(Into::into).collect(),
        results: card
            .results
            .into_iter()
            .map(|a| super::metrics::MetricValueJson::new(a, &scope, period))
            .collect(),
        time: card
            .time
            .into_iter()
            .map(|t| CampaignTimeJson {
                campaign_id: t.campaign_id,
                campaign_name: t.name,
                hours: t.hours,
                result: t.result,
                result_per_hour: t.result_per_hour,
                currency: t.currency,
            })
            .collect(),
    }))
}

/// Everything held about a person, table by table.
#[derive(Serialize, ToSchema)]
pub struct PersonalDataJson {
    pub employee_id: i64,
    /// Unix seconds.
    pub generated_at: i64,
    /// `table.column` → the rows where that column names the person, each
    /// with every column but secrets (password and token hashes).
    #[schema(value_type = Object)]
    pub tables: std::collections::BTreeMap<String, Vec<serde_json::Value>>,
    /// What was withheld to keep peers' and clients' answers anonymous,
    /// and how many rows.
    #[schema(value_type = Object)]
    pub withheld: std::collections::BTreeMap<String, usize>,
}

/// Exports everything held about a person as JSON (admins; audited). A POST
/// because it is recorded: reading someone's data is itself an event.
#[utoipa::path(post, path = "/api/v1/employees/{id}/personal-data", tag = "organisation",
    params(("id" = i64, Path, description = "Employee id")),
    responses(
        (status = 200, description = "The person's data", body = PersonalDataJson),
        (status = 404, description = "No such employee", body = super::ErrorBodyJson),
        (status = 403, description = "Not an admin", body = super::ErrorBodyJson),
        (status = 401, description = "Not signed in", body = super::ErrorBodyJson),
    ))]
pub async fn personal_data(
    State(state): State<AppState>,
    Auth(actor): Auth,
    Path(id): Path<i64>,
) -> Result<Json<PersonalDataJson>, WebError> {
    let data = state.services.export_personal_data(&actor, id).await?;
    Ok(Json(PersonalDataJson {
        employee_id: data.employee_id,
        generated_at: data.generated_at,
        tables: data.tables,
        withheld: data.withheld,
    }))
}

#[derive(Deserialize, ToSchema)]
pub struct EraseRequest {
    /// The person's name exactly as stored, to confirm.
    pub confirm: String,
}

/// What an erasure did.
#[derive(Serialize, ToSchema)]
pub struct ErasureJson {
    pub employee_id: i64,
    /// How the audit log names the person from now on.
    pub pseudonym: String,
    /// `table.column` → rows removed or references emptied.
    #[schema(value_type = Object)]
    pub rows: std::collections::BTreeMap<String, u64>,
}

/// Erases a person (admins; audited): their accounts, the rows about them
/// or in their words, and every reference to them; audit entries stay
/// under a pseudonym. Cannot be undone.
#[utoipa::path(post, path = "/api/v1/employees/{id}/erase", tag = "organisation", request_body = EraseRequest,
    params(("id" = i64, Path, description = "Employee id")),
    responses(
        (status = 200, description = "Erased", body = ErasureJson),
        (status = 422, description = "The confirmation is not the person's name", body = super::ErrorBodyJson),
        (status = 404, description = "No such employee", body = super::ErrorBodyJson),
        (status = 403, description = "Not an admin", body = super::ErrorBodyJson),
        (status = 401, description = "Not signed in", body = super::ErrorBodyJson),
    ))]
pub async fn erase(
    State(state): State<AppState>,
    Auth(actor): Auth,
    Path(id): Path<i64>,
    Json(req): Json<EraseRequest>,
) -> Result<Json<ErasureJson>, WebError> {
    let done = state
        .services
        .erase_person(&actor, id, &req.confirm)
        .await?;
    Ok(Json(ErasureJson {
        employee_id: done.employee_id,
        pseudonym: done.pseudonym,
        rows: done.rows,
    }))
}
