//! The home page: the organisation as the caller may see it.

use axum::extract::State;
use axum::response::Html;
use minijinja::context;
use mkpi_domain::PeopleScope;
use serde::Serialize;
use serde_json::json;

use super::{layout, ser};
use crate::AppState;
use crate::auth::{Auth, Lang};
use crate::error::WebError;

#[derive(Serialize)]
struct TeamCard {
    id: i64,
    name: String,
    parent_name: Option<String>,
    manager_id: Option<i64>,
    manager_name: Option<String>,
    member_count: i64,
}

pub async fn show(
    State(state): State<AppState>,
    Lang(lang): Lang,
    Auth(actor): Auth,
) -> Result<Html<String>, WebError> {
    let overview = state.services.org_overview(&actor).await?;
    let scope = match actor.scope.people {
        PeopleScope::All => "all",
        PeopleScope::Teams { .. } => "teams",
        PeopleScope::Only(_) => "self",
        PeopleScope::Nobody => "nobody",
    };
    let name_of = |id: Option<i64>| {
        id.and_then(|id| overview.teams.iter().find(|t| t.id == id))
            .map(|t| t.name.clone())
    };
    let teams: Vec<TeamCard> = overview
        .teams
        .iter()
        .map(|t| TeamCard {
            id: t.id,
            name: t.name.clone(),
            parent_name: name_of(t.parent_id),
            manager_id: t.manager_id,
            manager_name: t.manager_name.clone(),
            member_count: t.member_count,
        })
        .collect();
    let employees: Vec<_> = overview
        .employees
        .iter()
        .map(|e| json!({"id": e.id, "name": e.name, "position": e.position, "team_id": e.team_id}))
        .collect();
    // Horizontal bars read best for named categories; smallest at the bottom.
    let mut bars: Vec<(&str, i64)> = teams
        .iter()
        .map(|t| (t.name.as_str(), t.member_count))
        .collect();
    bars.sort_by_key(|(_, n)| *n);
    let chart = json!({
        "grid": {"left": 8, "right": 24, "top": 8, "bottom": 8, "containLabel": true},
        "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}},
        "xAxis": {"type": "value", "minInterval": 1},
        "yAxis": {"type": "category", "data": bars.iter().map(|b| b.0).collect::<Vec<_>>()},
        "series": [{"type": "bar", "data": bars.iter().map(|b| b.1).collect::<Vec<_>>(), "itemStyle": {"color": "#2f5bea"}, "label": {"show": true, "position": "right"}}]
    });
    let html = state.templates().render(
        "home.html",
        context! {
            ..layout(lang, Some(&actor), "home", "/"),
            ..context! {
                department => overview.department,
                scope => scope,
                teams => ser(&teams),
                employees => ser(&employees),
                chart => ser(&chart),
            },
        },
    )?;
    Ok(Html(html))
}
