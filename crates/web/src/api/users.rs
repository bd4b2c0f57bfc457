//! Accounts, for admins.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use mkpi_services::users::{NewUserInput, Principal, UserRow};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::AppState;
use crate::auth::Auth;
use crate::error::WebError;

#[derive(Serialize, ToSchema)]
pub struct UserJson {
    pub id: i64,
    pub login: String,
    pub role: String,
    pub employee_id: Option<i64>,
    pub employee_name: Option<String>,
    pub locale: Option<String>,
    pub active: bool,
    /// Unix seconds.
    pub created_at: i64,
}

impl From<UserRow> for UserJson {
    fn from(u: UserRow) -> Self {
        UserJson {
            id: u.id,
            login: u.login,
            role: u.role,
            employee_id: u.employee_id,
            employee_name: u.employee_name,
            locale: u.locale,
            active: u.active,
            created_at: u.created_at,
        }
    }
}

#[derive(Deserialize, ToSchema)]
pub struct NewUserRequest {
    /// 2–64 of latin letters, digits, '.', '_' or '-'.
    pub login: String,
    /// At least 8 characters.
    pub password: String,
    /// admin, head, manager, employee or viewer.
    pub role: String,
    /// The e-mail of the employee this account belongs to (required for
    /// manager and employee).
    pub employee_email: Option<String>,
    /// ru or en; null follows the browser.
    pub locale: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct PasswordResetJson {
    pub user: UserJson,
    /// The new password, shown once.
    pub password: String,
}

/// All accounts.
#[utoipa::path(get, path = "/api/v1/users", tag = "users",
    responses(
        (status = 200, description = "Accounts by login", body = Vec<UserJson>),
        (status = 403, description = "Not an admin", body = super::ErrorBodyJson),
        (status = 401, description = "Not signed in", body = super::ErrorBodyJson),
    ))]
pub async fn list(
    State(state): State<AppState>,
    Auth(actor): Auth,
) -> Result<Json<Vec<UserJson>>, WebError> {
    let rows = state.services.list_users(Principal::User(&actor)).await?;
    Ok(Json(rows.into_iter().map(UserJson::from).collect()))
}

/// Creates an account.
#[utoipa::path(post, path = "/api/v1/users", tag = "users", request_body = NewUserRequest,
    responses(
        (status = 201, description = "Created", body = UserJson),
        (status = 422, description = "Invalid input; every problem is listed", body = super::ErrorBodyJson),
        (status = 403, description = "Not an admin", body = super::ErrorBodyJson),
        (status = 401, description = "Not signed in", body = super::ErrorBodyJson),
    ))]
pub async fn create(
    State(state): State<AppState>,
    Auth(actor): Auth,
    Json(req): Json<NewUserRequest>,
) -> Result<(StatusCode, Json<UserJson>), WebError> {
    let input = NewUserInput {
        login: req.login,
        password: req.password,
        role: req.role,
        employee_email: req.employee_email,
        locale: req.locale,
    };
    let user = state
        .services
        .create_user(Principal::User(&actor), input)
        .await?;
    Ok((StatusCode::CREATED, Json(user.into())))
}

/// Deactivates an account and ends its sessions.
#[utoipa::path(post, path = "/api/v1/users/{id}/deactivate", tag = "users",
    params(("id" = i64, Path, description = "User id")),
    responses(
        (status = 200, description = "Deactivated", body = UserJson),
        (status = 404, description = "No such user", body = super::ErrorBodyJson),
        (status = 422, description = "One's own account", body = super::ErrorBodyJson),
        (status = 403, description = "Not an admin", body = super::ErrorBodyJson),
        (status = 401, description = "Not signed in", body = super::ErrorBodyJson),
    ))]
pub async fn deactivate(
    State(state): State<AppState>,
    Auth(actor): Auth,
    Path(id): Path<i64>,
) -> Result<Json<UserJson>, WebError> {
    Ok(Json(
        state
            .services
            .deactivate_user(Principal::User(&actor), id)
            .await?
            .into(),
    ))
}

/// Re-activates an account.
#[utoipa::path(post, path = "/api/v1/users/{id}/activate", tag = "users",
    params(("id" = i64, Path, description = "User id")),
    responses(
        (status = 200, description = "Active again", body = UserJson),
        (status = 404, description = "No such user", body = super::ErrorBodyJson),
        (status = 403, description = "Not an admin", body = super::ErrorBodyJson),
        (status = 401, description = "Not signed in", body = super::ErrorBodyJson),
    ))]
pub async fn activate(
    State(state): State<AppState>,
    Auth(actor): Auth,
    Path(id): Path<i64>,
) -> Result<Json<UserJson>, WebError> {
    Ok(Json(
        state
            .services
            .activate_user(Principal::User(&actor), id)
            .await?
            .into(),
    ))
}

/// Gives an account a new random password and ends its sessions.
#[utoipa::path(post, path = "/api/v1/users/{id}/reset-password", tag = "users",
    params(("id" = i64, Path, description = "User id")),
    responses(
        (status = 200, description = "The new password, shown once", body = PasswordResetJson),
        (status = 404, description = "No such user", body = super::ErrorBodyJson),
        (status = 403, description = "Not an admin", body = super::ErrorBodyJson),
        (status = 401, description = "Not signed in", body = super::ErrorBodyJson),
    ))]
pub async fn reset_password(
    State(state): State<AppState>,
    Auth(actor): Auth,
    Path(id): Path<i64>,
) -> Result<Json<PasswordResetJson>, WebError> {
    let (user, password) = state
        .services
        .reset_password(Principal::User(&actor), id)
        .await?;
    Ok(Json(PasswordResetJson {
        user: user.into(),
        password,
    }))
}
