//! Employees, limited to the caller's scope.

use axum::Json;
use axum::extract::{Path, State};
use mkpi_services::organisation::EmployeeRow;
use serde::Serialize;
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
        }
    }
}

/// The employees the caller may see.
#[utoipa::path(get, path = "/api/v1/employees", tag = "organisation",
    responses(
        (status = 200, description = "Visible employees, active first, by name", body = Vec<EmployeeJson>),
        (status = 401, description = "Not signed in", body = super::ErrorBodyJson),
    ))]
pub async fn list(
    State(state): State<AppState>,
    Auth(actor): Auth,
) -> Result<Json<Vec<EmployeeJson>>, WebError> {
    let rows = state.services.list_employees(&actor).await?;
    Ok(Json(rows.into_iter().map(EmployeeJson::from).collect()))
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
