//! Setting up and changing the organisation: the company, teams, positions,
//! people (create, edit, transfer, leave, return) and their accounts.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use mkpi_services::organisation::{CompanyInput, CompanyRow, PositionRow, TeamInput};
use mkpi_services::people::{EmployeeInput, MembershipRow, TransferInput};
use mkpi_services::users::{InviteInput, PasswordLink, Principal};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::employees::EmployeeJson;
use super::teams::TeamJson;
use super::users::UserJson;
use crate::AppState;
use crate::auth::Auth;
use crate::error::WebError;

#[derive(Serialize, ToSchema)]
pub struct CompanyJson {
    pub name: String,
    /// ISO 4217 code of the base currency.
    pub currency: String,
    /// IANA time zone, e.g. Europe/Moscow.
    pub time_zone: String,
    /// 1 (January) to 12.
    pub fiscal_year_start_month: i64,
    /// ru or en: the default language.
    pub locale: String,
}

impl From<CompanyRow> for CompanyJson {
    fn from(c: CompanyRow) -> Self {
        CompanyJson {
            name: c.name,
            currency: c.currency,
            time_zone: c.time_zone,
            fiscal_year_start_month: c.fiscal_year_start_month,
            locale: c.locale,
        }
    }
}

/// A change to the company: fields left out keep their value.
#[derive(Deserialize, ToSchema, Default)]
pub struct CompanyPatch {
    pub name: Option<String>,
    pub currency: Option<String>,
    pub time_zone: Option<String>,
    pub fiscal_year_start_month: Option<i64>,
    pub locale: Option<String>,
}

/// The company above the department.
#[utoipa::path(get, path = "/api/v1/company", tag = "organisation",
    responses(
        (status = 200, description = "The company", body = CompanyJson),
        (status = 404, description = "Not set up yet", body = super::ErrorBodyJson),
        (status = 401, description = "Not signed in", body = super::ErrorBodyJson),
    ))]
pub async fn company(
    State(state): State<AppState>,
    Auth(_actor): Auth,
) -> Result<Json<CompanyJson>, WebError> {
    let company = state
        .services
        .company()
        .await?
        .ok_or(mkpi_services::Error::NotFound)?;
    Ok(Json(company.into()))
}

/// Changes the company's settings (the head and admins).
#[utoipa::path(patch, path = "/api/v1/company", tag = "organisation", request_body = CompanyPatch,
    responses(
        (status = 200, description = "Changed", body = CompanyJson),
        (status = 422, description = "Invalid input; every problem is listed", body = super::ErrorBodyJson),
        (status = 403, description = "Neither the head nor an admin", body = super::ErrorBodyJson),
        (status = 401, description = "Not signed in", body = super::ErrorBodyJson),
    ))]
pub async fn update_company(
    State(state): State<AppState>,
    Auth(actor): Auth,
    Json(req): Json<CompanyPatch>,
) -> Result<Json<CompanyJson>, WebError> {
    let current = state.services.company().await?;
    let keep = |new: Option<String>, old: Option<&String>| {
        new.or_else(|| old.cloned()).unwrap_or_default()
    };
    let input = CompanyInput {
        name: keep(req.name, current.as_ref().map(|c| &c.name)),
        currency: keep(req.currency, current.as_ref().map(|c| &c.currency)),
        time_zone: keep(req.time_zone, current.as_ref().map(|c| &c.time_zone)),
        fiscal_year_start_month: req
            .fiscal_year_start_month
            .or(current.as_ref().map(|c| c.fiscal_year_start_month))
            .map(|m| m.to_string())
            .unwrap_or_default(),
        locale: keep(req.locale, current.as_ref().map(|c| &c.locale)),
    };
    Ok(Json(
        state.services.update_company(&actor, input).await?.into(),
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct NewTeamRequest {
    pub name: String,
    /// The team it sits under; none for the top of the department.
    pub parent_id: Option<i64>,
    /// The employee who leads it.
    pub manager_id: Option<i64>,
}

/// A change to a team: fields left out keep their value; `parent_id` or
/// `manager_id` set to null empties it.
#[derive(Deserialize, ToSchema, Default)]
pub struct TeamPatch {
    pub name: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<i64>)]
    pub parent_id: Option<Option<i64>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<i64>)]
    pub manager_id: Option<Option<i64>>,
}

/// Tells a field left out (`None`) from one set to null (`Some(None)`).
fn double_option<'de, D, T>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(d).map(Some)
}

/// Creates a team (the head and admins).
#[utoipa::path(post, path = "/api/v1/teams", tag = "organisation", request_body = NewTeamRequest,
    responses(
        (status = 201, description = "Created", body = TeamJson),
        (status = 422, description = "Invalid input; every problem is listed", body = super::ErrorBodyJson),
        (status = 409, description = "mkpi is not set up yet", body = super::ErrorBodyJson),
        (status = 403, description = "Neither the head nor an admin", body = super::ErrorBodyJson),
        (status = 401, description = "Not signed in", body = super::ErrorBodyJson),
    ))]
pub async fn create_team(
    State(state): State<AppState>,
    Auth(actor): Auth,
    Json(req): Json<NewTeamRequest>,
) -> Result<(StatusCode, Json<TeamJson>), WebError> {
    let team = state
        .services
        .create_team(
            &actor,
            TeamInput {
                name: req.name,
                parent_id: req.parent_id,
                manager_id: req.manager_id,
            },
        )
        .await?;
    Ok((StatusCode::CREATED, Json(team.into())))
}

/// One team the caller may see.
#[utoipa::path(get, path = "/api/v1/teams/{id}", tag = "organisation",
    params(("id" = i64, Path, description = "Team id")),
    responses(
        (status = 200, description = "The team", body = TeamJson),
        (status = 404, description = "No such team, or outside the caller's scope", body = super::ErrorBodyJson),
        (status = 401, description = "Not signed in", body = super::ErrorBodyJson),
    ))]
pub async fn team(
    State(state): State<AppState>,
    Auth(actor): Auth,
    Path(id): Path<i64>,
) -> Result<Json<TeamJson>, WebError> {
    Ok(Json(state.services.get_team(&actor, id).await?.into()))
}

/// Renames a team, moves it under another and names its manager (the head and admins).
#[utoipa::path(patch, path = "/api/v1/teams/{id}", tag = "organisation", request_body = TeamPatch,
    params(("id" = i64, Path, description = "Team id")),
    responses(
        (status = 200, description = "Changed", body = TeamJson),
        (status = 404, description = "No such team", body = super::ErrorBodyJson),
        (status = 422, description = "Invalid input; every problem is listed", body = super::ErrorBodyJson),
        (status = 403, description = "Neither the head nor an admin", body = super::ErrorBodyJson),
        (status = 401, description = "Not signed in", body = super::ErrorBodyJson),
    ))]
pub async fn update_team(
    State(state): State<AppState>,
    Auth(actor): Auth,
    Path(id): Path<i64>,
    Json(req): Json<TeamPatch>,
) -> Result<Json<TeamJson>, WebError> {
    let current = state.services.get_team(&actor, id).await?;
    let input = TeamInput {
        name: req.name.unwrap_or(current.name),
        parent_id: req.parent_id.unwrap_or(current.parent_id),
        manager_id: req.manager_id.unwrap_or(current.manager_id),
    };
    Ok(Json(
        state.services.update_team(&actor, id, input).await?.into(),
    ))
}

/// Archives an empty team; its history stays readable (the head and admins).
#[utoipa::path(delete, path = "/api/v1/teams/{id}", tag = "organisation",
    params(("id" = i64, Path, description = "Team id")),
    responses(
        (status = 200, description = "Archived", body = TeamJson),
        (status = 404, description = "No such team", body = super::ErrorBodyJson),
        (status = 409, description = "The team still holds people or teams, or is archived already", body = super::ErrorBodyJson),
        (status = 403, description = "Neither the head nor an admin", body = super::ErrorBodyJson),
        (status = 401, description = "Not signed in", body = super::ErrorBodyJson),
    ))]
pub async fn archive_team(
    State(state): State<AppState>,
    Auth(actor): Auth,
    Path(id): Path<i64>,
) -> Result<Json<TeamJson>, WebError> {
    Ok(Json(state.services.archive_team(&actor, id).await?.into()))
}

#[derive(Serialize, ToSchema)]
pub struct PositionJson {
    pub id: i64,
    pub name: String,
    /// Active people holding it.
    pub holders: i64,
}

impl From<PositionRow> for PositionJson {
    fn from(p: PositionRow) -> Self {
        PositionJson {
            id: p.id,
            name: p.name,
            holders: p.holders,
        }
    }
}

#[derive(Deserialize, ToSchema)]
pub struct PositionRequest {
    pub name: String,
}

/// The positions people hold.
#[utoipa::path(get, path = "/api/v1/positions", tag = "organisation",
    responses(
        (status = 200, description = "Positions by name", body = Vec<PositionJson>),
        (status = 401, description = "Not signed in", body = super::ErrorBodyJson),
    ))]
pub async fn positions(
    State(state): State<AppState>,
    Auth(actor): Auth,
) -> Result<Json<Vec<PositionJson>>, WebError> {
    let rows = state.services.list_positions(&actor).await?;
    Ok(Json(rows.into_iter().map(PositionJson::from).collect()))
}

/// Adds a position (the head and admins).
#[utoipa::path(post, path = "/api/v1/positions", tag = "organisation", request_body = PositionRequest,
    responses(
        (status = 201, description = "Created", body = PositionJson),
        (status = 422, description = "Invalid input", body = super::ErrorBodyJson),
        (status = 403, description = "Neither the head nor an admin", body = super::ErrorBodyJson),
        (status = 401, description = "Not signed in", body = super::ErrorBodyJson),
    ))]
pub async fn create_position(
    State(state): State<AppState>,
    Auth(actor): Auth,
    Json(req): Json<PositionRequest>,
) -> Result<(StatusCode, Json<PositionJson>), WebError> {
    let row = state.services.create_position(&actor, &req.name).await?;
    Ok((StatusCode::CREATED, Json(row.into())))
}

/// Renames a position, and with it the people holding it (the head and admins).
#[utoipa::path(patch, path = "/api/v1/positions/{id}", tag = "organisation", request_body = PositionRequest,
    params(("id" = i64, Path, description = "Position id")),
    responses(
        (status = 200, description = "Renamed", body = PositionJson),
        (status = 404, description = "No such position", body = super::ErrorBodyJson),
        (status = 422, description = "Invalid input", body = super::ErrorBodyJson),
        (status = 403, description = "Neither the head nor an admin", body = super::ErrorBodyJson),
        (status = 401, description = "Not signed in", body = super::ErrorBodyJson),
    ))]
pub async fn rename_position(
    State(state): State<AppState>,
    Auth(actor): Auth,
    Path(id): Path<i64>,
    Json(req): Json<PositionRequest>,
) -> Result<Json<PositionJson>, WebError> {
    Ok(Json(
        state
            .services
            .rename_position(&actor, id, &req.name)
            .await?
            .into(),
    ))
}

/// Removes a position nobody holds (the head and admins).
#[utoipa::path(delete, path = "/api/v1/positions/{id}", tag = "organisation",
    params(("id" = i64, Path, description = "Position id")),
    responses(
        (status = 204, description = "Removed"),
        (status = 404, description = "No such position", body = super::ErrorBodyJson),
        (status = 409, description = "Someone holds it", body = super::ErrorBodyJson),
        (status = 403, description = "Neither the head nor an admin", body = super::ErrorBodyJson),
        (status = 401, description = "Not signed in", body = super::ErrorBodyJson),
    ))]
pub async fn delete_position(
    State(state): State<AppState>,
    Auth(actor): Auth,
    Path(id): Path<i64>,
) -> Result<StatusCode, WebError> {
    state.services.delete_position(&actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
pub struct NewEmployeeRequest {
    pub name: String,
    pub email: String,
    pub position: String,
    pub team_id: Option<i64>,
    /// The team's manager when absent.
    pub manager_id: Option<i64>,
    /// ISO date; today when absent.
    pub hire_date: Option<String>,
}

/// A change to a person: fields left out keep their value; `manager_id`
/// set to null empties it. The team changes by a transfer.
#[derive(Deserialize, ToSchema, Default)]
pub struct EmployeePatch {
    pub name: Option<String>,
    pub email: Option<String>,
    pub position: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<i64>)]
    pub manager_id: Option<Option<i64>>,
    pub hire_date: Option<String>,
}

#[derive(Deserialize, ToSchema)]
pub struct TransferRequest {
    pub team_id: i64,
    /// ISO date: the first day in the new team (today or earlier).
    pub effective_on: String,
    /// The new team's manager when absent.
    pub manager_id: Option<i64>,
}

#[derive(Deserialize, ToSchema)]
pub struct LeaveRequest {
    /// ISO date: the last day at work.
    pub last_day: String,
}

#[derive(Deserialize, ToSchema)]
pub struct ReturnRequest {
    /// ISO date: the first day back.
    pub first_day: String,
    /// Their last team when absent.
    pub team_id: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct MembershipJson {
    pub team_id: i64,
    pub team_name: String,
    /// First day in the team; null: since the start.
    pub valid_from: Option<String>,
    /// First day out of it; null: still in it.
    pub valid_until: Option<String>,
}

impl From<MembershipRow> for MembershipJson {
    fn from(m: MembershipRow) -> Self {
        MembershipJson {
            team_id: m.team_id,
            team_name: m.team_name,
            valid_from: m.valid_from,
            valid_until: m.valid_until,
        }
    }
}

/// Adds a person (the head and admins anywhere, a manager to their teams).
#[utoipa::path(post, path = "/api/v1/employees", tag = "organisation", request_body = NewEmployeeRequest,
    responses(
        (status = 201, description = "Created", body = EmployeeJson),
        (status = 422, description = "Invalid input; every problem is listed", body = super::ErrorBodyJson),
        (status = 409, description = "mkpi is not set up yet", body = super::ErrorBodyJson),
        (status = 403, description = "Not allowed to add people", body = super::ErrorBodyJson),
        (status = 401, description = "Not signed in", body = super::ErrorBodyJson),
    ))]
pub async fn create_employee(
    State(state): State<AppState>,
    Auth(actor): Auth,
    Json(req): Json<NewEmployeeRequest>,
) -> Result<(StatusCode, Json<EmployeeJson>), WebError> {
    let row = state
        .services
        .create_employee(
            &actor,
            EmployeeInput {
                name: req.name,
                email: req.email,
                position: req.position,
                team_id: req.team_id,
                manager_id: req.manager_id,
                hire_date: req.hire_date.unwrap_or_default(),
            },
        )
        .await?;
    Ok((StatusCode::CREATED, Json(row.into())))
}

/// Changes a person's name, e-mail, position, manager or start date.
#[utoipa::path(patch, path = "/api/v1/employees/{id}", tag = "organisation", request_body = EmployeePatch,
    params(("id" = i64, Path, description = "Employee id")),
    responses(
        (status = 200, description = "Changed", body = EmployeeJson),
        (status = 404, description = "No such employee, or outside the caller's scope", body = super::ErrorBodyJson),
        (status = 422, description = "Invalid input; every problem is listed", body = super::ErrorBodyJson),
        (status = 403, description = "Not allowed to change this person", body = super::ErrorBodyJson),
        (status = 401, description = "Not signed in", body = super::ErrorBodyJson),
    ))]
pub async fn update_employee(
    State(state): State<AppState>,
    Auth(actor): Auth,
    Path(id): Path<i64>,
    Json(req): Json<EmployeePatch>,
) -> Result<Json<EmployeeJson>, WebError> {
    let current = state.services.get_employee(&actor, id).await?;
    let input = EmployeeInput {
        name: req.name.unwrap_or(current.name),
        email: req.email.unwrap_or(current.email),
        position: req.position.unwrap_or(current.position),
        team_id: None,
        manager_id: req.manager_id.unwrap_or(current.manager_id),
        hire_date: req.hire_date.unwrap_or(current.hire_date),
    };
    Ok(Json(
        state
            .services
            .update_employee(&actor, id, input)
            .await?
            .into(),
    ))
}

/// Moves a person to another team from a day on: figures dated before it
/// stay with the old team.
#[utoipa::path(post, path = "/api/v1/employees/{id}/transfer", tag = "organisation", request_body = TransferRequest,
    params(("id" = i64, Path, description = "Employee id")),
    responses(
        (status = 200, description = "Transferred", body = EmployeeJson),
        (status = 404, description = "No such employee, or outside the caller's scope", body = super::ErrorBodyJson),
        (status = 422, description = "Invalid input; every problem is listed", body = super::ErrorBodyJson),
        (status = 403, description = "Not allowed to change this person", body = super::ErrorBodyJson),
        (status = 401, description = "Not signed in", body = super::ErrorBodyJson),
    ))]
pub async fn transfer(
    State(state): State<AppState>,
    Auth(actor): Auth,
    Path(id): Path<i64>,
    Json(req): Json<TransferRequest>,
) -> Result<Json<EmployeeJson>, WebError> {
    let row = state
        .services
        .transfer_employee(
            &actor,
            id,
            TransferInput {
                team_id: req.team_id,
                effective_on: req.effective_on,
                manager_id: req.manager_id,
            },
        )
        .await?;
    Ok(Json(row.into()))
}

/// A person leaves after their last day: their account is deactivated,
/// their history stays.
#[utoipa::path(post, path = "/api/v1/employees/{id}/leave", tag = "organisation", request_body = LeaveRequest,
    params(("id" = i64, Path, description = "Employee id")),
    responses(
        (status = 200, description = "Left", body = EmployeeJson),
        (status = 404, description = "No such employee, or outside the caller's scope", body = super::ErrorBodyJson),
        (status = 422, description = "Invalid input", body = super::ErrorBodyJson),
        (status = 403, description = "Not allowed to change this person", body = super::ErrorBodyJson),
        (status = 401, description = "Not signed in", body = super::ErrorBodyJson),
    ))]
pub async fn leave(
    State(state): State<AppState>,
    Auth(actor): Auth,
    Path(id): Path<i64>,
    Json(req): Json<LeaveRequest>,
) -> Result<Json<EmployeeJson>, WebError> {
    Ok(Json(
        state
            .services
            .employee_leaves(&actor, id, &req.last_day)
            .await?
            .into(),
    ))
}

/// A person who left comes back.
#[utoipa::path(post, path = "/api/v1/employees/{id}/return", tag = "organisation", request_body = ReturnRequest,
    params(("id" = i64, Path, description = "Employee id")),
    responses(
        (status = 200, description = "Back", body = EmployeeJson),
        (status = 404, description = "No such employee, or outside the caller's scope", body = super::ErrorBodyJson),
        (status = 422, description = "Invalid input", body = super::ErrorBodyJson),
        (status = 403, description = "Not allowed to change this person", body = super::ErrorBodyJson),
        (status = 401, description = "Not signed in", body = super::ErrorBodyJson),
    ))]
pub async fn return_to_work(
    State(state): State<AppState>,
    Auth(actor): Auth,
    Path(id): Path<i64>,
    Json(req): Json<ReturnRequest>,
) -> Result<Json<EmployeeJson>, WebError> {
    Ok(Json(
        state
            .services
            .employee_returns(&actor, id, &req.first_day, req.team_id)
            .await?
            .into(),
    ))
}

/// The teams a person was in, latest first.
#[utoipa::path(get, path = "/api/v1/employees/{id}/memberships", tag = "organisation",
    params(("id" = i64, Path, description = "Employee id")),
    responses(
        (status = 200, description = "Memberships, latest first", body = Vec<MembershipJson>),
        (status = 404, description = "No such employee, or outside the caller's scope", body = super::ErrorBodyJson),
        (status = 401, description = "Not signed in", body = super::ErrorBodyJson),
    ))]
pub async fn memberships(
    State(state): State<AppState>,
    Auth(actor): Auth,
    Path(id): Path<i64>,
) -> Result<Json<Vec<MembershipJson>>, WebError> {
    let rows = state.services.employee_memberships(&actor, id).await?;
    Ok(Json(rows.into_iter().map(MembershipJson::from).collect()))
}

#[derive(Deserialize, ToSchema)]
pub struct AccountRequest {
    /// 2–64 of latin letters, digits, '.', '_' or '-'.
    pub login: String,
    /// admin, head, manager, employee or viewer.
    pub role: String,
    /// ru or en; null follows the browser.
    pub locale: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct PasswordLinkJson {
    pub user: UserJson,
    /// `/password/{token}`, shown this once; null when it was mailed.
    pub path: Option<String>,
    /// Where the link was mailed; null without mail set up.
    pub mailed_to: Option<String>,
    /// Unix seconds.
    pub expires_at: i64,
}

impl From<PasswordLink> for PasswordLinkJson {
    fn from(l: PasswordLink) -> Self {
        PasswordLinkJson {
            user: l.user.into(),
            path: l.path,
            mailed_to: l.mailed_to,
            expires_at: l.expires_at,
        }
    }
}

#[derive(Deserialize, ToSchema)]
pub struct RoleRequest {
    /// admin, head, manager, employee or viewer.
    pub role: String,
}

/// Creates a person's account (admins): the person sets their password
/// through a one-time link, mailed to them, or shown here once without mail.
#[utoipa::path(post, path = "/api/v1/employees/{id}/account", tag = "users", request_body = AccountRequest,
    params(("id" = i64, Path, description = "Employee id")),
    responses(
        (status = 201, description = "Created, with the link", body = PasswordLinkJson),
        (status = 422, description = "Invalid input; every problem is listed", body = super::ErrorBodyJson),
        (status = 403, description = "Not an admin", body = super::ErrorBodyJson),
        (status = 401, description = "Not signed in", body = super::ErrorBodyJson),
    ))]
pub async fn create_account(
    State(state): State<AppState>,
    Auth(actor): Auth,
    Path(id): Path<i64>,
    Json(req): Json<AccountRequest>,
) -> Result<(StatusCode, Json<PasswordLinkJson>), WebError> {
    let link = state
        .services
        .invite_user(
            Principal::User(&actor),
            InviteInput {
                login: req.login,
                role: req.role,
                employee_id: Some(id),
                locale: req.locale,
            },
        )
        .await?;
    Ok((StatusCode::CREATED, Json(link.into())))
}

/// A new set-password link for an account (admins); the old links, the
/// account's sessions and its API tokens stop working.
#[utoipa::path(post, path = "/api/v1/users/{id}/password-link", tag = "users",
    params(("id" = i64, Path, description = "User id")),
    responses(
        (status = 200, description = "The link", body = PasswordLinkJson),
        (status = 404, description = "No such user", body = super::ErrorBodyJson),
        (status = 422, description = "The account belongs to no employee", body = super::ErrorBodyJson),
        (status = 403, description = "Not an admin", body = super::ErrorBodyJson),
        (status = 401, description = "Not signed in", body = super::ErrorBodyJson),
    ))]
pub async fn password_link(
    State(state): State<AppState>,
    Auth(actor): Auth,
    Path(id): Path<i64>,
) -> Result<Json<PasswordLinkJson>, WebError> {
    Ok(Json(
        state
            .services
            .password_link(Principal::User(&actor), id)
            .await?
            .into(),
    ))
}

/// Changes an account's role (admins; not their own).
#[utoipa::path(patch, path = "/api/v1/users/{id}", tag = "users", request_body = RoleRequest,
    params(("id" = i64, Path, description = "User id")),
    responses(
        (status = 200, description = "Changed", body = UserJson),
        (status = 404, description = "No such user", body = super::ErrorBodyJson),
        (status = 422, description = "Invalid role", body = super::ErrorBodyJson),
        (status = 403, description = "Not an admin", body = super::ErrorBodyJson),
        (status = 401, description = "Not signed in", body = super::ErrorBodyJson),
    ))]
pub async fn set_role(
    State(state): State<AppState>,
    Auth(actor): Auth,
    Path(id): Path<i64>,
    Json(req): Json<RoleRequest>,
) -> Result<Json<UserJson>, WebError> {
    Ok(Json(
        state
            .services
            .set_user_role(Principal::User(&actor), id, &req.role)
            .await?
            .into(),
    ))
}
