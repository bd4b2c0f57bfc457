//! The audit log.

use axum::Json;
use axum::extract::{Query, State};
use mkpi_services::users::AuditRow;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::AppState;
use crate::auth::Auth;
use crate::error::WebError;

#[derive(Serialize, ToSchema)]
pub struct AuditEntryJson {
    pub id: i64,
    /// Unix seconds.
    pub at: i64,
    pub actor_user_id: Option<i64>,
    /// The login, or `cli` / `demo` for operators and the system.
    pub actor: String,
    pub action: String,
    pub entity: String,
    pub entity_id: Option<i64>,
    /// JSON of the state before the change.
    pub before_json: Option<String>,
    /// JSON of the state after the change.
    pub after_json: Option<String>,
}

impl From<AuditRow> for AuditEntryJson {
    fn from(r: AuditRow) -> Self {
        AuditEntryJson {
            id: r.id,
            at: r.at,
            actor_user_id: r.actor_user_id,
            actor: r.actor,
            action: r.action,
            entity: r.entity,
            entity_id: r.entity_id,
            before_json: r.before_json,
            after_json: r.after_json,
        }
    }
}

#[derive(Deserialize, IntoParams)]
pub struct AuditQuery {
    /// Only entries about this kind of thing (user, api_token, …).
    pub entity: Option<String>,
    /// Only entries whose author, action or kind of thing contains this (any case).
    pub q: Option<String>,
    /// 1–500, default 100.
    pub limit: Option<i64>,
    pub offset: Option<i64>,
}

/// The newest changes first.
#[utoipa::path(get, path = "/api/v1/audit", tag = "audit", params(AuditQuery),
    responses(
        (status = 200, description = "Entries, newest first", body = Vec<AuditEntryJson>),
        (status = 403, description = "Neither admin nor head", body = super::ErrorBodyJson),
        (status = 401, description = "Not signed in", body = super::ErrorBodyJson),
    ))]
pub async fn list(
    State(state): State<AppState>,
    Auth(actor): Auth,
    Query(q): Query<AuditQuery>,
) -> Result<Json<Vec<AuditEntryJson>>, WebError> {
    let (rows, _) = state
        .services
        .search_audit_log(
            &actor,
            q.entity.as_deref(),
            q.q.as_deref().unwrap_or(""),
            q.limit.unwrap_or(100).clamp(1, 500),
            q.offset.unwrap_or(0),
        )
        .await?;
    Ok(Json(rows.into_iter().map(AuditEntryJson::from).collect()))
}
