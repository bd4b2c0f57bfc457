//! Signing in and out over the API, and one's own account.

use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use mkpi_domain::Locale;
use mkpi_services::{Actor, Error};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::AppState;
use crate::auth::{Auth, ClientIp};
use crate::error::WebError;

#[derive(Deserialize, ToSchema)]
pub struct LoginRequest {
    pub login: String,
    pub password: String,
}

#[derive(Serialize, ToSchema)]
pub struct MeJson {
    pub user_id: i64,
    pub login: String,
    /// admin, head, manager, employee or viewer.
    pub role: String,
    pub employee_id: Option<i64>,
    pub employee_name: Option<String>,
    /// The preferred interface language (ru, en), or null to follow the browser.
    pub locale: Option<String>,
    /// What the caller sees: all, teams, self or nobody.
    pub scope: String,
    /// Team ids a manager is responsible for.
    pub team_ids: Vec<i64>,
    /// Whether personal evaluations of visible people may be shown.
    pub sees_evaluations: bool,
    /// For a browser session: send it as `X-CSRF-Token` on every change.
    pub csrf_token: Option<String>,
}

impl From<&Actor> for MeJson {
    fn from(a: &Actor) -> Self {
        use mkpi_domain::PeopleScope;
        let (scope, team_ids) = match &a.scope.people {
            PeopleScope::All => ("all", vec![]),
            PeopleScope::Teams { team_ids, .. } => ("teams", team_ids.iter().copied().collect()),
            PeopleScope::Only(_) => ("self", vec![]),
            PeopleScope::Nobody => ("nobody", vec![]),
        };
        MeJson {
            user_id: a.user_id,
            login: a.login.clone(),
            role: a.role.as_str().to_string(),
            employee_id: a.employee_id,
            employee_name: a.employee_name.clone(),
            locale: a.locale.map(|l| l.as_str().to_string()),
            scope: scope.to_string(),
            team_ids,
            sees_evaluations: a.scope.sees_evaluations(),
            csrf_token: a.csrf_token().map(str::to_string),
        }
    }
}

/// Signs in and sets the session cookie.
#[utoipa::path(post, path = "/api/v1/login", tag = "session", request_body = LoginRequest, security(()),
    responses(
        (status = 200, description = "Signed in; the session cookie is set", body = MeJson),
        (status = 401, description = "Wrong login or password", body = super::ErrorBodyJson),
        (status = 429, description = "Too many failed attempts; see Retry-After", body = super::ErrorBodyJson),
    ))]
pub async fn login(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    Json(req): Json<LoginRequest>,
) -> Result<Response, WebError> {
    let outcome = state.services.login(&req.login, &req.password, &ip).await?;
    let mut response = Json(MeJson::from(&outcome.actor)).into_response();
    response.headers_mut().append(
        header::SET_COOKIE,
        state.session_cookie(Some(&outcome.session_cookie)),
    );
    Ok(response)
}

/// Ends the current session.
#[utoipa::path(post, path = "/api/v1/logout", tag = "session",
    responses(
        (status = 204, description = "Signed out"),
        (status = 401, description = "Not signed in", body = super::ErrorBodyJson),
        (status = 403, description = "Missing CSRF token", body = super::ErrorBodyJson),
    ))]
pub async fn logout(
    State(state): State<AppState>,
    Auth(actor): Auth,
) -> Result<Response, WebError> {
    state.services.logout(&actor).await?;
    let mut response = StatusCode::NO_CONTENT.into_response();
    response
        .headers_mut()
        .append(header::SET_COOKIE, state.session_cookie(None));
    Ok(response)
}

/// Who the caller is and what they may see.
#[utoipa::path(get, path = "/api/v1/me", tag = "session",
    responses(
        (status = 200, description = "The caller", body = MeJson),
        (status = 401, description = "Not signed in", body = super::ErrorBodyJson),
    ))]
pub async fn me(Auth(actor): Auth) -> Json<MeJson> {
    Json(MeJson::from(&actor))
}

#[derive(Deserialize, ToSchema)]
pub struct PasswordChangeRequest {
    pub current_password: String,
    /// At least 8 characters.
    pub new_password: String,
}

/// Changes one's own password; every other session ends and a new session
/// cookie is set.
#[utoipa::path(post, path = "/api/v1/me/password", tag = "session", request_body = PasswordChangeRequest,
    responses(
        (status = 200, description = "Changed", body = MeJson),
        (status = 422, description = "Current password wrong or new one too short", body = super::ErrorBodyJson),
        (status = 401, description = "Not signed in", body = super::ErrorBodyJson),
    ))]
pub async fn change_password(
    State(state): State<AppState>,
    Auth(actor): Auth,
    Json(req): Json<PasswordChangeRequest>,
) -> Result<Response, WebError> {
    let outcome = state
        .services
        .change_password(&actor, &req.current_password, &req.new_password)
        .await?;
    let mut response = Json(MeJson::from(&outcome.actor)).into_response();
    if matches!(
        actor.credential,
        mkpi_services::auth::Credential::Session { .. }
    ) {
        response.headers_mut().append(
            header::SET_COOKIE,
            state.session_cookie(Some(&outcome.session_cookie)),
        );
    }
    Ok(response)
}

#[derive(Deserialize, ToSchema)]
pub struct LocaleRequest {
    /// ru, en, or null to follow the browser.
    pub locale: Option<String>,
}

/// Sets one's interface language.
#[utoipa::path(post, path = "/api/v1/me/locale", tag = "session", request_body = LocaleRequest,
    responses(
        (status = 204, description = "Saved"),
        (status = 422, description = "Unknown language", body = super::ErrorBodyJson),
        (status = 401, description = "Not signed in", body = super::ErrorBodyJson),
    ))]
pub async fn set_locale(
    State(state): State<AppState>,
    Auth(actor): Auth,
    Json(req): Json<LocaleRequest>,
) -> Result<StatusCode, WebError> {
    let locale = match req
        .locale
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        None => None,
        Some(tag) => Some(Locale::from_tag(tag).ok_or_else(|| {
            Error::invalid("locale", format!("unknown language '{tag}': use ru or en"))
        })?),
    };
    state.services.set_locale(&actor, locale).await?;
    Ok(StatusCode::NO_CONTENT)
}
