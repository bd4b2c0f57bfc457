//! One's own API tokens.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::AppState;
use crate::auth::Auth;
use crate::error::WebError;

#[derive(Serialize, ToSchema)]
pub struct ApiTokenJson {
    pub id: i64,
    pub name: String,
    /// The first characters of the token, to recognise it.
    pub prefix: String,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
    pub revoked_at: Option<i64>,
}

#[derive(Deserialize, ToSchema)]
pub struct NewApiTokenRequest {
    pub name: String,
}

#[derive(Serialize, ToSchema)]
pub struct NewApiTokenJson {
    pub id: i64,
    pub name: String,
    /// The token; shown once, send it as `Authorization: Bearer <token>`.
    pub token: String,
}

/// The caller's API tokens.
#[utoipa::path(get, path = "/api/v1/me/tokens", tag = "session",
    responses(
        (status = 200, description = "Tokens, oldest first", body = Vec<ApiTokenJson>),
        (status = 401, description = "Not signed in", body = super::ErrorBodyJson),
    ))]
pub async fn list(
    State(state): State<AppState>,
    Auth(actor): Auth,
) -> Result<Json<Vec<ApiTokenJson>>, WebError> {
    let rows = state.services.list_api_tokens(&actor).await?;
    Ok(Json(
        rows.into_iter()
            .map(|t| ApiTokenJson {
                id: t.id,
                name: t.name,
                prefix: t.prefix,
                created_at: t.created_at,
                last_used_at: t.last_used_at,
                revoked_at: t.revoked_at,
            })
            .collect(),
    ))
}

/// Makes a token that acts as the caller.
#[utoipa::path(post, path = "/api/v1/me/tokens", tag = "session", request_body = NewApiTokenRequest,
    responses(
        (status = 201, description = "Created; the token is in the answer once", body = NewApiTokenJson),
        (status = 422, description = "No name", body = super::ErrorBodyJson),
        (status = 401, description = "Not signed in", body = super::ErrorBodyJson),
    ))]
pub async fn create(
    State(state): State<AppState>,
    Auth(actor): Auth,
    Json(req): Json<NewApiTokenRequest>,
) -> Result<(StatusCode, Json<NewApiTokenJson>), WebError> {
    let t = state.services.create_api_token(&actor, &req.name).await?;
    Ok((
        StatusCode::CREATED,
        Json(NewApiTokenJson {
            id: t.id,
            name: t.name,
            token: t.secret,
        }),
    ))
}

/// Revokes one of the caller's tokens.
#[utoipa::path(post, path = "/api/v1/me/tokens/{id}/revoke", tag = "session",
    params(("id" = i64, Path, description = "Token id")),
    responses(
        (status = 204, description = "Revoked"),
        (status = 404, description = "No such live token of the caller", body = super::ErrorBodyJson),
        (status = 401, description = "Not signed in", body = super::ErrorBodyJson),
    ))]
pub async fn revoke(
    State(state): State<AppState>,
    Auth(actor): Auth,
    Path(id): Path<i64>,
) -> Result<StatusCode, WebError> {
    state.services.revoke_api_token(&actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
