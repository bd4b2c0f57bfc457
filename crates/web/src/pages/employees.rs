//! The people of the department, as far as the caller may see them.

use axum::extract::{Path, Query, State};
use axum::response::Html;
use minijinja::context;
use serde::Deserialize;

use super::{layout, ser};
use crate::AppState;
use crate::auth::{Auth, Lang};
use crate::error::WebError;

#[derive(Deserialize)]
pub struct Filter {
    q: Option<String>,
}

pub async fn list(
    State(state): State<AppState>,
    Lang(lang): Lang,
    Auth(actor): Auth,
    Query(filter): Query<Filter>,
) -> Result<Html<String>, WebError> {
    let q = filter.q.unwrap_or_default();
    let needle = q.trim().to_lowercase();
    let employees: Vec<_> = state
        .services
        .list_employees(&actor)
        .await?
        .into_iter()
        .filter(|e| {
            needle.is_empty()
                || e.name.to_lowercase().contains(&needle)
                || e.position.to_lowercase().contains(&needle)
                || e.team_name
                    .as_deref()
                    .is_some_and(|t| t.to_lowercase().contains(&needle))
        })
        .map(crate::api::employees::EmployeeJson::from)
        .collect();
    let html = state.templates().render(
        "employees.html",
        context! {
            ..layout(lang, Some(&actor), "employees", "/employees"),
            ..context! { employees => ser(&employees), q => q },
        },
    )?;
    Ok(Html(html))
}

pub async fn show(
    State(state): State<AppState>,
    Lang(lang): Lang,
    Auth(actor): Auth,
    Path(id): Path<i64>,
) -> Result<Html<String>, WebError> {
    let person = state.services.get_employee(&actor, id).await?;
    let manager_visible = match person.manager_id {
        Some(m) => state.services.get_employee(&actor, m).await.is_ok(),
        None => false,
    };
    let path = format!("/employees/{id}");
    let html = state.templates().render(
        "employee.html",
        context! {
            ..layout(lang, Some(&actor), "employees", &path),
            ..context! {
                person => ser(crate::api::employees::EmployeeJson::from(person)),
                manager_visible => manager_visible,
            },
        },
    )?;
    Ok(Html(html))
}
