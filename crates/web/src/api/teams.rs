//! Teams, limited to the caller's scope.

use axum::Json;
use axum::extract::State;
use mkpi_services::organisation::TeamRow;
use serde::Serialize;
use utoipa::ToSchema;

use crate::AppState;
use crate::auth::Auth;
use crate::error::WebError;

#[derive(Serialize, ToSchema)]
pub struct TeamJson {
    pub id: i64,
    pub name: String,
    /// The team this one sits under.
    pub parent_id: Option<i64>,
    pub manager_id: Option<i64>,
    pub manager_name: Option<String>,
    /// Active members.
    pub member_count: i64,
    /// An archived team keeps its history and takes nobody new.
    pub archived: bool,
}

impl From<TeamRow> for TeamJson {
    fn from(t: TeamRow) -> Self {
        TeamJson {
            id: t.id,
            name: t.name,
            parent_id: t.parent_id,
            manager_id: t.manager_id,
            manager_name: t.manager_name,
            member_count: t.member_count,
            archived: t.archived_at.is_some(),
        }
    }
}

/// The teams the caller may see.
#[utoipa::path(get, path = "/api/v1/teams", tag = "organisation",
    responses(
        (status = 200, description = "Visible teams by name", body = Vec<TeamJson>),
        (status = 401, description = "Not signed in", body = super::ErrorBodyJson),
    ))]
pub async fn list(
    State(state): State<AppState>,
    Auth(actor): Auth,
) -> Result<Json<Vec<TeamJson>>, WebError> {
    let rows = state.services.list_teams(&actor).await?;
    Ok(Json(rows.into_iter().map(TeamJson::from).collect()))
}
