//! The people of the department, as far as the caller may see them.

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::Html;
use axum::response::Redirect;
use minijinja::context;
use serde::Deserialize;

use mkpi_domain::development::ActionStatus;
use mkpi_domain::metric::Unit;
use mkpi_domain::{Locale, Role};
use serde_json::json;

use mkpi_services::kpis::KpiView;
use mkpi_services::metrics::MetricAnswer;

use super::dashboard::{DashboardQuery, RANGES, chosen_period, fmt, kpi_line};
use super::{layout, ser};
use crate::AppState;
use crate::auth::{Auth, Lang};
use crate::error::WebError;

#[derive(Deserialize)]
pub struct Filter {
    q: Option<String>,
    page: Option<usize>,
    /// `csv`: the people found, as a file.
    format: Option<String>,
}

pub async fn list(
    State(state): State<AppState>,
    Lang(lang): Lang,
    Auth(actor): Auth,
    Query(filter): Query<Filter>,
) -> Result<axum::response::Response, WebError> {
    use axum::response::IntoResponse;
    let paging = crate::paging::PageQuery {
        q: filter.q.clone(),
        page: filter.page,
        per_page: None,
    };
    let q = paging.search().to_string();
    let employees: Vec<_> = state
        .services
        .list_employees(&actor)
        .await?
        .into_iter()
        .filter(|e| crate::api::employees::found(e, &q))
        .map(crate::api::employees::EmployeeJson::from)
        .collect();
    if filter.format.as_deref() == Some("csv") {
        // The columns the page shows.
        let rows: Vec<Vec<String>> = employees
            .iter()
            .map(|e| {
                vec![
                    e.name.clone(),
                    e.position.clone(),
                    e.team_name.clone().unwrap_or_default(),
                    e.manager_name.clone().unwrap_or_default(),
                    e.hire_date.clone(),
                    if e.active { "active" } else { "left" }.to_string(),
                ]
            })
            .collect();
        return crate::paging::csv_download(
            "people",
            &["name", "position", "team", "manager", "hire_date", "status"],
            &rows,
        );
    }
    let page = crate::paging::paginate(employees, &paging);
    let html = state.templates().render(
        "employees.html",
        context! {
            ..layout(lang, Some(&actor), "employees", "/employees"),
            ..context! {
                employees => ser(&page.items),
                pager => ser(crate::paging::pager("/employees", &page, &[("q", q.as_str())])),
                q => q,
                can_add => matches!(actor.role, Role::Admin | Role::Head | Role::Manager),
            },
        },
    )?;
    Ok(Html(html).into_response())
}

pub async fn show(
    State(state): State<AppState>,
    Lang(lang): Lang,
    Auth(actor): Auth,
    Path(id): Path<i64>,
    Query(q): Query<DashboardQuery>,
) -> Result<Html<String>, WebError> {
    let person = state.services.get_employee(&actor, id).await?;
    let can_edit = state.services.may_change_employee(&actor, &person) || actor.role == Role::Admin;
    let manager_visible = match person.manager_id {
        Some(m) => state.services.get_employee(&actor, m).await.is_ok(),
        None => false,
    };
    let (period, range) = chosen_period(&state, &q)?;
    let card = state.services.scorecard(&actor, id, period).await?;
    let goals = state.services.goal_achievement(&actor, id, period).await?;
    let kpis = kpi_rows(
        &state,
        &actor,
        lang,
        &card.kpis,
        &format!("employee:{id}"),
        period,
    )
    .await?;
    let results = result_tiles(&state, lang, &card.results).await?;
    let time: Vec<_> = card
        .time
        .iter()
        .map(|t| {
            json!({
                "name": t.name,
                "hours": lang.format_metric(t.hours, Unit::Hours, None),
                "result": fmt(lang, t.result, Unit::Money, t.currency.as_deref()),
                "per_hour": fmt(lang, t.result_per_hour, Unit::Money, t.currency.as_deref()),
            })
        })
        .collect();
    let mut check_ins = Vec::new();
    for k in &card.kpis {
        for c in state
            .services
            .check_ins(&actor, k.id)
            .await?
            .into_iter()
            .take(3)
        {
            check_ins.push(json!({
                "id": c.id,
                "edited_at": c.edited_at,
                "can_change": mkpi_services::check_ins::may_change_note(&actor, Some(c.author_user_id)),
                "kpi": kpi_line(lang, k).name,
                "author": c.author_name,
                "at": c.at,
                "confidence": c.confidence,
                "comment": c.comment,
                "value": fmt(lang, c.value, k.metric.unit, k.currency.as_deref()),
            }));
        }
    }
    let check_in_kpis: Vec<_> = card
        .kpis
        .iter()
        .map(|k| json!({"id": k.id, "name": kpi_line(lang, k).name}))
        .collect();
    let notes = state.services.one_on_ones(&actor, id).await?;
    let notes: Vec<_> = notes
        .into_iter()
        .map(|n| json!({
            "id": n.id, "held_on": n.held_on, "notes": n.notes, "next_steps": n.next_steps, "shared": n.shared,
            "edited_at": n.edited_at,
            "can_change": mkpi_services::check_ins::may_change_note(&actor, n.created_by_user_id),
        }))
        .collect();
    let can_check_in = match actor.role {
        Role::Viewer => false,
        Role::Employee => actor.employee_id == Some(id),
        _ => true,
    };
    let can_note = matches!(actor.role, Role::Manager | Role::Head)
        && actor.employee_id.is_some_and(|me| me != id);
    let today = mkpi_domain::period::Day::from_unix_seconds(state.services.clock().now());
    let flags = state
        .services
        .flags_for(&actor, std::slice::from_ref(&person), today)
        .await?;
    let actions = state.services.development_actions(&actor, id).await?;
    let framework = state.services.competencies().await?;
    let competency_name = |code: &str| super::reviews::competency_name(lang, &framework, code);
    // The moves the workflow allows from each status, for those who may move it.
    let may_move = |a: &mkpi_services::development_actions::DevelopmentActionRow| {
        let mine = actor.employee_id.is_some()
            && (actor.employee_id == a.owner_employee_id || actor.employee_id == Some(id));
        mine || matches!(actor.role, Role::Admin | Role::Head | Role::Manager)
    };
    let actions: Vec<_> = actions
        .iter()
        .map(|a| {
            let status = ActionStatus::parse(&a.status);
            let next: Vec<&str> = match status {
                Some(s) if may_move(a) => s.next().iter().map(|n| n.code()).collect(),
                _ => Vec::new(),
            };
            json!({
                "id": a.id, "kind": a.kind, "title": a.title, "note": a.note,
                "kpi": a.kpi_id.and_then(|k| card.kpis.iter().find(|v| v.id == k)).map(|k| kpi_line(lang, k).name),
                "flag": a.flag, "owner": a.owner_name, "due_on": a.due_on, "status": a.status,
                "completed_on": a.completed_on, "competency": a.competency_code.as_deref().map(&competency_name),
                "overdue": status.is_some_and(ActionStatus::is_open) && a.due_on < today.to_string(),
                "next": next,
            })
        })
        .collect();
    let owners: Vec<_> = if can_note {
        state
            .services
            .list_employees(&actor)
            .await?
            .into_iter()
            .map(|e| json!({"id": e.id, "name": e.name}))
            .collect()
    } else {
        Vec::new()
    };
    let action_kinds: Vec<&str> = mkpi_domain::development::ActionKind::ALL
        .iter()
        .map(|k| k.code())
        .collect();
    let path = format!("/employees/{id}");
    let html = state.templates().render(
        "employee.html",
        context! {
            ..layout(lang, Some(&actor), "employees", &path),
            ..context! {
                person => ser(crate::api::employees::EmployeeJson::from(person)),
                can_edit => can_edit,
                manager_visible => manager_visible,
                range => range,
                ranges => RANGES,
                from => period.from.to_string(),
                last_day => period.to.plus_days(-1).to_string(),
                kpis => ser(&kpis),
                score => card.kpi_score.map(|s| lang.format_metric(s, Unit::Percent, None)),
                unscored => card.kpis_without_achievement,
                goal_score => goals.score.map(|s| lang.format_metric(s, Unit::Percent, None)),
                goal_count => goals.goals,
                results => ser(&results),
                time => ser(&time),
                check_ins => ser(&check_ins),
                check_in_kpis => ser(&check_in_kpis),
                can_check_in => can_check_in && !check_in_kpis.is_empty(),
                notes => ser(&notes),
                can_note => can_note,
                today => today.to_string(),
                flags => ser(super::dashboard::flag_lines(lang, &flags)),
                person_flags => flags.iter().map(|f| f.flag.kind.code()).collect::<Vec<_>>(),
                actions => ser(&actions),
                can_plan => can_note,
                owners => ser(&owners),
                me => actor.employee_id,
                action_kinds => action_kinds,
            },
        },
    )?;
    Ok(Html(html))
}

/// The rows of a KPI table: who a KPI is set for, seen from `own_scope`,
/// with its month-by-month values over `period` as a sparkline.
pub(super) async fn kpi_rows(
    state: &AppState,
    actor: &mkpi_services::Actor,
    lang: Locale,
    kpis: &[KpiView],
    own_scope: &str,
    period: mkpi_domain::period::Period,
) -> Result<Vec<serde_json::Value>, WebError> {
    let mut rows = Vec::with_capacity(kpis.len());
    for (i, k) in kpis.iter().enumerate() {
        let trend = state.services.kpi_trend(actor, k, period).await?;
        let mut row = kpi_row(lang, k, own_scope);
        if trend.len() > 1 {
            row["spark"] = super::dashboard::spark(&format!("kpi-{i}"), &trend);
        }
        rows.push(row);
    }
    Ok(rows)
}

fn kpi_row(lang: Locale, k: &KpiView, own_scope: &str) -> serde_json::Value {
    let from = if k.scope == own_scope {
        "own"
    } else if k.scope.starts_with("team:") {
        "team"
    } else {
        "campaign"
    };
    json!({
        "line": kpi_line(lang, k),
        "from": from,
        "value": fmt(lang, k.value, k.metric.unit, k.currency.as_deref()),
        "weight": lang.format_metric(k.weight, Unit::Count, None),
    })
}

/// Metric values as tiles: name and description in the page's language.
pub(super) async fn result_tiles(
    state: &AppState,
    lang: Locale,
    answers: &[MetricAnswer],
) -> Result<Vec<serde_json::Value>, WebError> {
    let catalogue = state.services.catalogue().await?;
    Ok(answers
        .iter()
        .filter_map(|a| {
            let m = catalogue.get(&a.code)?;
            Some(json!({
                "code": a.code,
                "name": if lang == Locale::Ru { &m.name_ru } else { &m.name_en },
                "description": if lang == Locale::Ru { &m.description_ru } else { &m.description_en },
                "value": fmt(lang, a.value, a.unit, a.currency.as_deref()),
                "note": a.note,
            }))
        })
        .collect())
}

pub async fn team(
    State(state): State<AppState>,
    Lang(lang): Lang,
    Auth(actor): Auth,
    Path(id): Path<i64>,
    Query(q): Query<DashboardQuery>,
) -> Result<Html<String>, WebError> {
    let (period, range) = chosen_period(&state, &q)?;
    let card = state.services.team_card(&actor, id, period).await?;
    let kpis = kpi_rows(
        &state,
        &actor,
        lang,
        &card.kpis,
        &format!("team:{id}"),
        period,
    )
    .await?;
    let results = result_tiles(&state, lang, &card.results).await?;
    let value = |answers: &[MetricAnswer], code: &str| {
        answers.iter().find(|a| a.code == code).map_or_else(
            || "—".to_string(),
            |a| fmt(lang, a.value, a.unit, a.currency.as_deref()),
        )
    };
    let members: Vec<_> = card
        .members
        .iter()
        .map(|(e, c)| {
            json!({
                "id": e.id, "name": e.name, "position": e.position,
                "score": c.kpi_score.map(|s| lang.format_metric(s, Unit::Percent, None)),
                "kpis": c.kpis.len(),
                "spend": value(&c.results, "spend"),
                "roas": value(&c.results, "roas"),
                "tasks_done": value(&c.results, "tasks_done"),
                "on_time_rate": value(&c.results, "on_time_rate"),
                "hours_logged": value(&c.results, "hours_logged"),
            })
        })
        .collect();
    let path = format!("/teams/{id}");
    let html = state.templates().render(
        "team.html",
        context! {
            ..layout(lang, Some(&actor), "employees", &path),
            ..context! {
                team => context! { id => card.team.id, name => card.team.name, manager_id => card.team.manager_id, manager_name => card.team.manager_name },
                range => range,
                ranges => RANGES,
                from => period.from.to_string(),
                last_day => period.to.plus_days(-1).to_string(),
                kpis => ser(&kpis),
                score => card.kpi_score.map(|s| lang.format_metric(s, Unit::Percent, None)),
                unscored => card.kpis.iter().filter(|k| k.achievement.is_none()).count(),
                results => ser(&results),
                members => ser(&members),
                flags => ser(super::dashboard::flag_lines(lang, &card.flags)),
            },
        },
    )?;
    Ok(Html(html))
}

#[derive(Deserialize)]
pub struct CheckInForm {
    kpi_id: i64,
    confidence: i64,
    #[serde(default)]
    comment: String,
}

pub async fn add_check_in(
    State(state): State<AppState>,
    Auth(actor): Auth,
    Path(id): Path<i64>,
    Form(form): Form<CheckInForm>,
) -> Result<Redirect, WebError> {
    state
        .services
        .add_check_in(&actor, form.kpi_id, form.confidence, &form.comment)
        .await?;
    Ok(Redirect::to(&format!("/employees/{id}#check-ins")))
}

#[derive(Deserialize)]
pub struct OneOnOneForm {
    #[serde(default)]
    held_on: String,
    #[serde(default)]
    notes: String,
    #[serde(default)]
    next_steps: String,
    #[serde(default)]
    shared: Option<String>,
}

pub async fn add_one_on_one(
    State(state): State<AppState>,
    Auth(actor): Auth,
    Path(id): Path<i64>,
    Form(form): Form<OneOnOneForm>,
) -> Result<Redirect, WebError> {
    state
        .services
        .add_one_on_one(
            &actor,
            id,
            &form.held_on,
            &form.notes,
            &form.next_steps,
            form.shared.is_some(),
        )
        .await?;
    Ok(Redirect::to(&format!("/employees/{id}#one-on-ones")))
}

#[derive(Deserialize)]
pub struct DevelopmentActionForm {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    note: String,
    #[serde(default)]
    due_on: String,
    #[serde(default)]
    kpi_id: String,
    #[serde(default)]
    flag: String,
    #[serde(default)]
    owner_employee_id: String,
    #[serde(default)]
    competency: String,
    #[serde(default)]
    cycle_id: String,
    /// Where to go back to (the review results page); the person's page
    /// when not given.
    #[serde(default)]
    next: String,
}

pub async fn add_development_action(
    State(state): State<AppState>,
    Auth(actor): Auth,
    Path(id): Path<i64>,
    Form(form): Form<DevelopmentActionForm>,
) -> Result<Redirect, WebError> {
    // An empty choice means none; anything else must be a number.
    let optional_id = |field: &str, v: &str| -> Result<Option<i64>, WebError> {
        let v = v.trim();
        if v.is_empty() {
            return Ok(None);
        }
        v.parse().map(Some).map_err(|_| {
            WebError::from(mkpi_services::Error::invalid(
                field,
                format!("'{v}' is not an id"),
            ))
        })
    };
    let input = mkpi_services::development_actions::NewActionInput {
        kpi_id: optional_id("kpi_id", &form.kpi_id)?,
        owner_employee_id: optional_id("owner_employee_id", &form.owner_employee_id)?,
        kind: form.kind,
        title: form.title,
        note: form.note,
        due_on: form.due_on,
        flag: Some(form.flag),
        cycle_id: optional_id("cycle_id", &form.cycle_id)?,
        competency: Some(form.competency),
    };
    state
        .services
        .add_development_action(&actor, id, &input)
        .await?;
    if form.next.trim().is_empty() {
        return Ok(Redirect::to(&format!("/employees/{id}#development")));
    }
    Ok(Redirect::to(&super::local_path(Some(form.next.trim()))))
}

#[derive(Deserialize)]
pub struct StatusForm {
    #[serde(default)]
    status: String,
}

pub async fn set_development_action_status(
    State(state): State<AppState>,
    Auth(actor): Auth,
    Path(id): Path<i64>,
    Form(form): Form<StatusForm>,
) -> Result<Redirect, WebError> {
    let a = state
        .services
        .set_development_action_status(&actor, id, &form.status)
        .await?;
    Ok(Redirect::to(&format!(
        "/employees/{}#development",
        a.employee_id
    )))
}

#[derive(Deserialize)]
pub struct CheckInEditForm {
    #[serde(default)]
    confidence: String,
    #[serde(default)]
    comment: String,
}

/// Changes a check-in one wrote.
pub async fn edit_check_in(
    State(state): State<AppState>,
    Auth(actor): Auth,
    Path((id, check_in)): Path<(i64, i64)>,
    Form(form): Form<CheckInEditForm>,
) -> Result<Redirect, WebError> {
    let confidence = form.confidence.trim().parse::<i64>().map_err(|_| {
        mkpi_services::Error::invalid(
            "confidence",
            format!(
                "'{}' is not a confidence; give 1 to 5",
                form.confidence.trim()
            ),
        )
    })?;
    let change = mkpi_services::check_ins::CheckInChange {
        confidence: Some(confidence),
        comment: Some(form.comment),
    };
    state
        .services
        .update_check_in(&actor, check_in, &change)
        .await?;
    Ok(Redirect::to(&format!("/employees/{id}#check-ins")))
}

/// Changes 1:1 notes one wrote.
pub async fn edit_one_on_one(
    State(state): State<AppState>,
    Auth(actor): Auth,
    Path((id, note)): Path<(i64, i64)>,
    Form(form): Form<OneOnOneForm>,
) -> Result<Redirect, WebError> {
    let change = mkpi_services::check_ins::OneOnOneChange {
        held_on: Some(form.held_on),
        notes: Some(form.notes),
        next_steps: Some(form.next_steps),
        shared: Some(form.shared.is_some()),
    };
    state
        .services
        .update_one_on_one(&actor, note, &change)
        .await?;
    Ok(Redirect::to(&format!("/employees/{id}#one-on-ones")))
}
