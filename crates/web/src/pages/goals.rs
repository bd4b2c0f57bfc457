//! Goals pages: the goal tree (department → teams → people) with progress
//! and SMART letters, strategies and the period's SWOT; a goal's page with
//! its metric chart, tasks and history; the goal form with its live SMART
//! check; and the SWOT page.

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use minijinja::context;
use mkpi_domain::Locale;
use mkpi_domain::goal::{GoalStatus, Smart};
use mkpi_domain::metric::Unit;
use mkpi_domain::period::{Day, Period};
use mkpi_services::goals::{GoalInput, GoalView};
use mkpi_services::{Actor, Error, FieldProblem};
use serde::Deserialize;
use serde_json::{Value as Json, json};

use super::{layout, ser};
use crate::AppState;
use crate::auth::{Auth, Lang};
use crate::error::WebError;

/// A goal as the pages show it: numbers formatted for the language.
pub(super) fn goal_line(lang: Locale, v: &GoalView) -> Json {
    let g = &v.goal;
    let unit = v.unit.unwrap_or(Unit::Count);
    let shown = |x: Option<f64>| match (&g.metric_code, x) {
        (_, None) => "—".to_string(),
        (Some(_), Some(x)) => lang.format_metric(x, unit, v.currency.as_deref()),
        (None, Some(x)) => format!(
            "{} {}",
            lang.format_decimal(x, if x.fract() == 0.0 { 0 } else { 2 }),
            g.unit.as_deref().unwrap_or_default()
        ),
    };
    json!({
        "id": g.id,
        "title": g.title,
        "level": v.level,
        "scope": g.scope,
        "scope_name": v.scope_name,
        "owner": g.owner_name,
        "owner_id": g.owner_employee_id,
        "status": g.status,
        "weight": lang.format_decimal(g.weight, if g.weight.fract() == 0.0 { 0 } else { 2 }),
        "metric_code": g.metric_code,
        "baseline": shown(g.baseline),
        "target": shown(g.target),
        "current": shown(v.current_value),
        "projected": v.projected,
        // mkpi's own notes read in the page's language; a metric's pass as they are.
        "value_note": v.value_note,
        "value_note_key": v.value_note_code.map(|c| match c {
            "not_started" => "goal-not-started",
            _ => "goal-no-start",
        }),
        "progress": v.progress.map(|p| (p * 100.0).round() as i64),
        "progress_source": v.progress_source,
        "pace": v.pace.code(),
        "start_on": g.start_on,
        "deadline_on": g.deadline_on,
        "smart": smart_json(&v.smart),
        "tasks_total": v.tasks_total,
        "tasks_done": v.tasks_done,
        "empty_children": v.empty_children,
        "can_edit": v.can_edit,
        "children": v.children.iter().map(|c| goal_line(lang, c)).collect::<Vec<_>>(),
    })
}

fn smart_json(s: &Smart) -> Json {
    json!({
        "passes": s.passes(),
        "letters": s.letters().iter().map(|(l, ok)| json!({"letter": l.to_string(), "ok": ok})).collect::<Vec<_>>(),
        "missing": s.missing.iter().map(|m| json!({"letter": m.letter().to_string(), "code": m.code()})).collect::<Vec<_>>(),
    })
}

#[derive(Deserialize)]
pub struct TreeQuery {
    /// all (default), quarter, year.
    range: Option<String>,
}

/// The period a range word names, as of today.
fn range_period(range: &str, today: Day) -> Option<Period> {
    let (y, m, _) = today.ymd();
    match range {
        "quarter" => {
            let q0 = (m - 1) / 3 * 3 + 1;
            let from = Day::from_ymd(y, q0, 1)?;
            Period::new(from, from.plus_months(3)).ok()
        }
        "year" => Period::new(Day::from_ymd(y, 1, 1)?, Day::from_ymd(y + 1, 1, 1)?).ok(),
        _ => None,
    }
}

fn this_quarter(today: Day) -> Period {
    range_period("quarter", today).unwrap_or_else(|| Period::month_of(today))
}

pub async fn tree(
    State(state): State<AppState>,
    Lang(lang): Lang,
    Auth(actor): Auth,
    Query(q): Query<TreeQuery>,
) -> Result<Html<String>, WebError> {
    let today = Day::from_unix_seconds(state.services.clock().now());
    let range = ["quarter", "year"]
        .into_iter()
        .find(|r| q.range.as_deref() == Some(*r))
        .unwrap_or("all");
    let period = range_period(range, today);
    let roots = state.services.goal_tree(&actor, period).await?;
    let swot_period = period.unwrap_or_else(|| this_quarter(today));
    let swot = state.services.swot(&actor, swot_period).await?;
    let strategies = state.services.strategies(&actor).await?;
    let goals: Vec<Json> = roots.iter().map(|g| goal_line(lang, g)).collect();
    let mut flat = Vec::new();
    flatten(&roots, 0, &mut flat);
    let titles: std::collections::HashMap<i64, String> = flat
        .iter()
        .map(|(_, v)| (v.goal.id, v.goal.title.clone()))
        .collect();
    let strategies: Vec<Json> = strategies
        .iter()
        .map(|(s, ids)| {
            json!({
                "id": s.id, "title": s.title, "kind": s.kind, "description": s.description,
                "owner": s.owner_name, "start_on": s.start_on,
                "last_day": Day::parse(&s.end_on).map_or_else(|_| s.end_on.clone(), |d| d.plus_days(-1).to_string()),
                "goals": ids.iter().filter_map(|g| titles.get(g).map(|t| json!({"id": g, "title": t}))).collect::<Vec<_>>(),
                "goal_ids": ids,
                "archived": s.archived_at.is_some(),
                "can_change": mkpi_services::goals::may_change_strategy(&actor, s),
            })
        })
        .collect();
    let goal_options: Vec<Json> = flat
        .iter()
        .map(|(depth, v)| json!({"id": v.goal.id, "title": v.goal.title, "depth": depth}))
        .collect();
    let html = state.templates().render(
        "goals.html",
        context! {
            ..layout(lang, Some(&actor), "goals", "/goals"),
            ..context! {
                goals => ser(goals),
                range => range,
                swot => ser(swot_quadrants(&swot, &actor)),
                swot_from => swot_period.from.to_string(),
                swot_last => swot_period.to.plus_days(-1).to_string(),
                strategies => ser(strategies),
                goal_options => ser(goal_options),
                may_plan => matches!(actor.role, mkpi_domain::Role::Admin | mkpi_domain::Role::Head | mkpi_domain::Role::Manager),
                may_propose => actor.role != mkpi_domain::Role::Viewer,
                today => today.to_string(),
                quarter_from => this_quarter(today).from.to_string(),
                quarter_to => this_quarter(today).to.to_string(),
            },
        },
    )?;
    Ok(Html(html))
}

fn flatten<'a>(views: &'a [GoalView], depth: usize, out: &mut Vec<(usize, &'a GoalView)>) {
    for v in views {
        out.push((depth, v));
        flatten(&v.children, depth + 1, out);
    }
}

/// SWOT entries grouped by quadrant, in the usual order.
pub(super) fn swot_quadrants(rows: &[mkpi_services::goals::SwotRow], actor: &Actor) -> Vec<Json> {
    let may_change =
        |r: &mkpi_services::goals::SwotRow| mkpi_services::goals::may_change_swot(actor, r);
    ["strength", "weakness", "opportunity", "threat"]
        .iter()
        .map(|q| {
            json!({
                "quadrant": q,
                "entries": rows.iter().filter(|r| r.quadrant == *q).map(|r| json!({
                    "id": r.id, "title": r.title, "note": r.note, "metric_code": r.metric_code,
                    "campaign_id": r.campaign_id, "campaign_name": r.campaign_name,
                    "can_change": may_change(r),
                })).collect::<Vec<_>>(),
            })
        })
        .collect()
}

/// The goal form as posted: every field as text, checked by the service.
#[derive(Deserialize, Default, Clone, serde::Serialize)]
pub struct GoalForm {
    #[serde(default)]
    scope: String,
    #[serde(default)]
    parent_id: String,
    #[serde(default)]
    business_goal: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    weight: String,
    /// metric or counted.
    #[serde(default)]
    measure: String,
    #[serde(default)]
    metric_code: String,
    #[serde(default)]
    unit: String,
    #[serde(default)]
    baseline: String,
    #[serde(default)]
    target: String,
    #[serde(default)]
    budget: String,
    #[serde(default)]
    currency: String,
    #[serde(default)]
    people: String,
    #[serde(default)]
    hours: String,
    #[serde(default)]
    start_on: String,
    #[serde(default)]
    deadline_on: String,
    #[serde(default)]
    status: String,
    /// The goal being edited (for the live check: its sub-goals measure it).
    #[serde(default)]
    goal_id: String,
}

/// A number as people type it ("1 200", "2,5"), read by the importers'
/// parser: a lone comma is a decimal comma, as Russian writes it.
pub(super) fn number(field: &str, text: &str, problems: &mut Vec<FieldProblem>) -> Option<f64> {
    use mkpi_ingest::value::{DecimalMark, detect_decimal_mark, parse_float};
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    let parsed = detect_decimal_mark([text], DecimalMark::Comma)
        .ok_or(())
        .and_then(|mark| parse_float(text, mark).map_err(|_| ()));
    match parsed {
        Ok(v) if v.is_finite() => Some(v),
        _ => {
            problems.push(FieldProblem::coded(
                field,
                "err-not-a-number",
                vec![("value", text.to_string())],
                format!("'{text}' is not a number"),
            ));
            None
        }
    }
}

pub(super) fn id(field: &str, text: &str, problems: &mut Vec<FieldProblem>) -> Option<i64> {
    let t = text.trim();
    if t.is_empty() {
        return None;
    }
    match t.parse::<i64>() {
        Ok(v) => Some(v),
        Err(_) => {
            problems.push(FieldProblem::coded(
                field,
                "err-not-an-id",
                vec![("value", t.to_string())],
                format!("'{t}' is not an id"),
            ));
            None
        }
    }
}

impl GoalForm {
    fn input(&self) -> (GoalInput, Vec<FieldProblem>) {
        let mut p = Vec::new();
        let counted = self.measure == "counted";
        let input = GoalInput {
            scope: self.scope.clone(),
            parent_id: id("parent_id", &self.parent_id, &mut p),
            business_goal: self.business_goal.clone(),
            title: self.title.clone(),
            description: self.description.clone(),
            owner_employee_id: None,
            weight: number("weight", &self.weight, &mut p),
            metric_code: (!counted).then(|| self.metric_code.clone()),
            unit: counted.then(|| self.unit.clone()),
            baseline: number("baseline", &self.baseline, &mut p),
            target: number("target", &self.target, &mut p),
            budget: number("budget", &self.budget, &mut p),
            currency: Some(self.currency.clone()),
            people: number("people", &self.people, &mut p).map(|x| x.round() as i64),
            hours: number("hours", &self.hours, &mut p),
            start_on: Some(self.start_on.clone()),
            deadline_on: Some(self.deadline_on.clone()),
            status: Some(self.status.clone()),
        };
        (input, p)
    }

    fn of(v: &GoalView) -> GoalForm {
        let g = &v.goal;
        let num = |x: Option<f64>| x.map(|x| x.to_string()).unwrap_or_default();
        GoalForm {
            scope: g.scope.clone(),
            parent_id: g.parent_id.map(|p| p.to_string()).unwrap_or_default(),
            business_goal: g.business_goal.clone(),
            title: g.title.clone(),
            description: g.description.clone(),
            weight: g.weight.to_string(),
            measure: if g.unit.is_some() {
                "counted"
            } else {
                "metric"
            }
            .into(),
            metric_code: g.metric_code.clone().unwrap_or_default(),
            unit: g.unit.clone().unwrap_or_default(),
            baseline: num(g.baseline),
            target: num(g.target),
            budget: g
                .budget_minor
                .map(|b| (b as f64 / 100.0).to_string())
                .unwrap_or_default(),
            currency: g.currency.clone().unwrap_or_else(|| "RUB".into()),
            people: g.people.map(|p| p.to_string()).unwrap_or_default(),
            hours: num(g.hours),
            start_on: g.start_on.clone().unwrap_or_default(),
            deadline_on: g.deadline_on.clone().unwrap_or_default(),
            status: g.status.clone(),
            goal_id: g.id.to_string(),
        }
    }
}

#[derive(Deserialize)]
pub struct NewGoalQuery {
    parent: Option<i64>,
    scope: Option<String>,
}

pub async fn new_form(
    State(state): State<AppState>,
    Lang(lang): Lang,
    Auth(actor): Auth,
    Query(q): Query<NewGoalQuery>,
) -> Result<Response, WebError> {
    let today = Day::from_unix_seconds(state.services.clock().now());
    let quarter = this_quarter(today);
    let next = Period::new(quarter.to, quarter.to.plus_months(3)).unwrap_or(quarter);
    let form = GoalForm {
        scope: q.scope.unwrap_or_default(),
        parent_id: q.parent.map(|p| p.to_string()).unwrap_or_default(),
        weight: "1".into(),
        measure: "metric".into(),
        currency: "RUB".into(),
        start_on: next.from.to_string(),
        deadline_on: next.to.plus_days(-1).to_string(),
        ..GoalForm::default()
    };
    render_form(&state, lang, &actor, None, form, Vec::new(), StatusCode::OK).await
}

async fn render_form(
    state: &AppState,
    lang: Locale,
    actor: &Actor,
    goal_id: Option<i64>,
    form: GoalForm,
    problems: Vec<FieldProblem>,
    status: StatusCode,
) -> Result<Response, WebError> {
    let scopes = state.services.goal_scopes(actor).await?;
    let parents: Vec<Json> = state
        .services
        .goal_choices(actor)
        .await?
        .into_iter()
        .filter(|g| Some(g.id) != goal_id && g.status != "cancelled")
        .map(|g| json!({"id": g.id.to_string(), "title": g.title, "depth": g.depth, "scope_name": g.scope_name}))
        .collect();
    let catalogue = state.services.catalogue().await?;
    let metrics: Vec<Json> = catalogue
        .all()
        .map(|m| json!({"code": m.code, "name": if lang == Locale::Ru { &m.name_ru } else { &m.name_en }}))
        .collect();
    let (input, _) = form.input();
    let smart = state.services.check_smart(actor, &input, goal_id).await?;
    // The SWOT of the quarter the goal starts in, to set it against.
    let today = Day::from_unix_seconds(state.services.clock().now());
    let start = Day::parse(form.start_on.trim()).unwrap_or(today);
    let swot_period = this_quarter(start);
    let swot = state.services.swot(actor, swot_period).await?;
    let (path, action) = match goal_id {
        Some(id) => (format!("/goals/{id}/edit"), format!("/goals/{id}")),
        None => ("/goals/new".to_string(), "/goals".to_string()),
    };
    let html = state.templates().render(
        "goal_form.html",
        context! {
            ..layout(lang, Some(actor), "goals", &path),
            ..context! {
                form => ser(&form),
                goal_id => goal_id,
                action => action,
                scopes => ser(scopes.iter().map(|(s, n, a)| json!({"scope": s, "name": n, "may_activate": a})).collect::<Vec<_>>()),
                parents => ser(parents),
                metrics => ser(metrics),
                smart => ser(smart_json(&smart)),
                swot => ser(swot_quadrants(&swot, actor)),
                swot_from => swot_period.from.to_string(),
                swot_last => swot_period.to.plus_days(-1).to_string(),
                problems => ser(problems.iter().map(|p| json!({"field": p.field, "message": p.message})).collect::<Vec<_>>()),
            },
        },
    )?;
    Ok((status, Html(html)).into_response())
}

/// The live SMART check of the form as it stands (htmx swaps it in).
pub async fn smart_check(
    State(state): State<AppState>,
    Lang(lang): Lang,
    Auth(actor): Auth,
    Form(form): Form<GoalForm>,
) -> Result<Html<String>, WebError> {
    let (input, mut problems) = form.input();
    let goal_id = id("goal_id", &form.goal_id, &mut problems);
    let smart = state.services.check_smart(&actor, &input, goal_id).await?;
    let html = state.templates().render(
        "_smart.html",
        context! {
            ..layout(lang, Some(&actor), "goals", "/goals"),
            ..context! { smart => ser(smart_json(&smart)) },
        },
    )?;
    Ok(Html(html))
}

pub async fn create(
    State(state): State<AppState>,
    Lang(lang): Lang,
    Auth(actor): Auth,
    Form(form): Form<GoalForm>,
) -> Result<Response, WebError> {
    let (input, problems) = form.input();
    if !problems.is_empty() {
        return render_form(
            &state,
            lang,
            &actor,
            None,
            form,
            problems,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    match state.services.create_goal(&actor, &input).await {
        Ok(v) => Ok(Redirect::to(&format!("/goals/{}", v.goal.id)).into_response()),
        Err(Error::Invalid(problems)) => {
            render_form(
                &state,
                lang,
                &actor,
                None,
                form,
                problems,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn edit_form(
    State(state): State<AppState>,
    Lang(lang): Lang,
    Auth(actor): Auth,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let d = state.services.goal(&actor, id).await?;
    if !d.view.can_edit {
        return Err(Error::Forbidden.into());
    }
    let form = GoalForm::of(&d.view);
    render_form(
        &state,
        lang,
        &actor,
        Some(id),
        form,
        Vec::new(),
        StatusCode::OK,
    )
    .await
}

pub async fn update(
    State(state): State<AppState>,
    Lang(lang): Lang,
    Auth(actor): Auth,
    Path(id): Path<i64>,
    Form(form): Form<GoalForm>,
) -> Result<Response, WebError> {
    let (input, problems) = form.input();
    if !problems.is_empty() {
        return render_form(
            &state,
            lang,
            &actor,
            Some(id),
            form,
            problems,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    match state.services.update_goal(&actor, id, &input).await {
        Ok(_) => Ok(Redirect::to(&format!("/goals/{id}")).into_response()),
        Err(Error::Invalid(problems)) => {
            render_form(
                &state,
                lang,
                &actor,
                Some(id),
                form,
                problems,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn show(
    State(state): State<AppState>,
    Lang(lang): Lang,
    Auth(actor): Auth,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    render_goal(&state, lang, &actor, id, Vec::new(), StatusCode::OK).await
}

async fn render_goal(
    state: &AppState,
    lang: Locale,
    actor: &Actor,
    id: i64,
    problems: Vec<FieldProblem>,
    status: StatusCode,
) -> Result<Response, WebError> {
    let d = state.services.goal(actor, id).await?;
    let v = &d.view;
    let line = goal_line(lang, v);
    let unit = v.unit.unwrap_or(Unit::Count);
    let goal_status = GoalStatus::parse(&v.goal.status).unwrap_or(GoalStatus::Draft);
    let moves: Vec<&str> = goal_status.next().iter().map(|s| s.code()).collect();
    let chart = (!d.trend.is_empty()).then(|| {
        let mut series = vec![json!({
            "type": "line", "name": v.goal.metric_code, "smooth": true,
            "data": d.trend.iter().map(|(_, x)| x.map(|x| (x * 1e4).round() / 1e4)).collect::<Vec<_>>(),
        })];
        let mut marks = Vec::new();
        if let Some(t) = v.goal.target {
            marks.push(json!({"yAxis": t, "name": "target", "lineStyle": {"color": "#067647"}}));
        }
        if let Some(b) = v.goal.baseline {
            marks.push(json!({"yAxis": b, "name": "baseline", "lineStyle": {"color": "#667085"}}));
        }
        series[0]["markLine"] = json!({"symbol": "none", "data": marks, "label": {"formatter": "{b}"}});
        json!({
            "grid": {"left": 60, "right": 60, "top": 20, "bottom": 30},
            "tooltip": {"trigger": "axis"},
            "xAxis": {"type": "category", "data": d.trend.iter().map(|(m, _)| m.get(..7).unwrap_or(m)).collect::<Vec<_>>()},
            "yAxis": {"type": "value", "scale": true},
            "series": series,
        })
    });
    let history: Vec<Json> = d
        .history
        .iter()
        .filter(|p| p.kind == "manual" || p.progress.is_some())
        .rev()
        .take(60)
        .map(|p| {
            json!({
                "day": p.day, "kind": p.kind,
                "value": p.value.map(|x| if v.goal.metric_code.is_some() { lang.format_metric(x, unit, v.currency.as_deref()) } else { lang.format_decimal(x, 2) }),
                "progress": p.progress.map(|x| (x * 100.0).round() as i64),
                "note": p.note, "author": p.author,
            })
        })
        .collect();
    let tasks = super::tasks::task_lines(lang, &d.tasks, state);
    let catalogue = state.services.catalogue().await?;
    let html = state.templates().render(
        "goal.html",
        context! {
            ..layout(lang, Some(actor), "goals", &format!("/goals/{id}")),
            ..context! {
                goal => ser(line),
                description => v.goal.description.clone(),
                metric_name => v.goal.metric_code.as_deref().and_then(|c| catalogue.get(c)).map(|m| if lang == Locale::Ru { m.name_ru.clone() } else { m.name_en.clone() }),
                business_goal => v.goal.business_goal.clone(),
                budget => v.goal.budget_minor.map(|b| lang.format_money(b, v.goal.currency.as_deref().unwrap_or("RUB"))),
                people => v.goal.people,
                hours => v.goal.hours.map(|h| lang.format_decimal(h, 1)),
                parent => ser(d.parent.as_ref().map(|(pid, t)| json!({"id": pid, "title": t}))),
                moves => moves,
                chart => chart.map(ser),
                history => ser(history),
                tasks => ser(tasks),
                strategies => ser(d.strategies.iter().map(|s| json!({"id": s.id, "title": s.title, "kind": s.kind})).collect::<Vec<_>>()),
                campaigns => ser(d.campaigns.iter().map(|(cid, n, ch)| json!({"id": cid, "name": n, "channel": ch})).collect::<Vec<_>>()),
                can_update_progress => d.can_update_progress,
                counted => v.goal.unit.clone(),
                may_add_task => actor.role != mkpi_domain::Role::Viewer && matches!(v.goal.status.as_str(), "draft" | "active"),
                task_kinds => mkpi_domain::task::TaskKind::ALL.map(|k| k.code()).to_vec(),
                priorities => mkpi_domain::task::Priority::ALL.map(|p| p.code()).to_vec(),
                people_options => ser(super::tasks::assignee_options(state, actor).await?),
                today => Day::from_unix_seconds(state.services.clock().now()).to_string(),
                problems => ser(problems.iter().map(|p| json!({"field": p.field, "message": p.message})).collect::<Vec<_>>()),
            },
        },
    )?;
    Ok((status, Html(html)).into_response())
}

#[derive(Deserialize)]
pub struct StatusForm {
    #[serde(default)]
    status: String,
}

pub async fn set_status(
    State(state): State<AppState>,
    Lang(lang): Lang,
    Auth(actor): Auth,
    Path(id): Path<i64>,
    Form(form): Form<StatusForm>,
) -> Result<Response, WebError> {
    match state
        .services
        .set_goal_status(&actor, id, &form.status)
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/goals/{id}")).into_response()),
        Err(Error::Invalid(problems)) => {
            render_goal(
                &state,
                lang,
                &actor,
                id,
                problems,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
pub struct ProgressForm {
    #[serde(default)]
    value: String,
    #[serde(default)]
    percent: String,
    #[serde(default)]
    note: String,
}

pub async fn add_progress(
    State(state): State<AppState>,
    Lang(lang): Lang,
    Auth(actor): Auth,
    Path(id): Path<i64>,
    Form(form): Form<ProgressForm>,
) -> Result<Response, WebError> {
    let mut problems = Vec::new();
    let value = number("value", &form.value, &mut problems);
    let percent = number("percent", &form.percent, &mut problems);
    let result = if problems.is_empty() {
        state
            .services
            .add_goal_progress(&actor, id, value, percent, &form.note)
            .await
            .map(|_| ())
    } else {
        Err(Error::Invalid(problems))
    };
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/goals/{id}#history")).into_response()),
        Err(Error::Invalid(problems)) => {
            render_goal(
                &state,
                lang,
                &actor,
                id,
                problems,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
pub struct StrategyForm {
    #[serde(default)]
    title: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    start_on: String,
    #[serde(default)]
    last_day: String,
    #[serde(default)]
    goal_id: String,
}

pub async fn create_strategy(
    State(state): State<AppState>,
    Auth(actor): Auth,
    Form(form): Form<StrategyForm>,
) -> Result<Redirect, WebError> {
    let mut problems = Vec::new();
    let goal = id("goal_id", &form.goal_id, &mut problems);
    let end = Day::parse(form.last_day.trim())
        .map(|d| d.plus_days(1).to_string())
        .map_err(|e| Error::invalid("last_day", e.to_string()))?;
    if !problems.is_empty() {
        return Err(Error::Invalid(problems).into());
    }
    state
        .services
        .create_strategy(
            &actor,
            &form.title,
            &form.kind,
            &form.description,
            &form.start_on,
            &end,
            &goal.into_iter().collect::<Vec<_>>(),
        )
        .await?;
    Ok(Redirect::to("/goals#strategies"))
}

/// Changes a strategy from the goals page: its fields and the goals it
/// serves (`goal_ids`, any number).
pub async fn update_strategy(
    State(state): State<AppState>,
    Auth(actor): Auth,
    Path(strategy_id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Redirect, WebError> {
    let get = |k: &str| super::form_value(&pairs, k);
    let mut problems = Vec::new();
    let goal_ids = super::form_ids(&pairs, "goal_ids", &mut problems);
    let end = Day::parse(get("last_day").trim())
        .map(|d| d.plus_days(1).to_string())
        .map_err(|e| Error::invalid("last_day", e.to_string()))?;
    if !problems.is_empty() {
        return Err(Error::Invalid(problems).into());
    }
    state
        .services
        .update_strategy(
            &actor,
            strategy_id,
            &get("title"),
            &get("kind"),
            &get("description"),
            &get("start_on"),
            &end,
            &goal_ids,
        )
        .await?;
    Ok(Redirect::to("/goals#strategies"))
}

#[derive(Deserialize)]
pub struct ArchiveForm {
    #[serde(default)]
    archived: String,
}

/// Archives a strategy, or brings it back.
pub async fn archive_strategy(
    State(state): State<AppState>,
    Auth(actor): Auth,
    Path(strategy_id): Path<i64>,
    Form(form): Form<ArchiveForm>,
) -> Result<Redirect, WebError> {
    state
        .services
        .archive_strategy(&actor, strategy_id, form.archived == "true")
        .await?;
    Ok(Redirect::to("/goals#strategies"))
}

#[derive(Deserialize)]
pub struct SwotQuery {
    from: Option<String>,
    until: Option<String>,
}

fn swot_period(state: &AppState, q: &SwotQuery) -> Result<Period, WebError> {
    let today = Day::from_unix_seconds(state.services.clock().now());
    match (q.from.as_deref(), q.until.as_deref()) {
        (Some(f), Some(u)) if !f.is_empty() && !u.is_empty() => {
            let after = Day::parse(u)
                .map(|d| d.plus_days(1).to_string())
                .map_err(|e| Error::invalid("until", e.to_string()))?;
            Ok(crate::api::metrics::period(Some(f), Some(&after))?)
        }
        _ => Ok(this_quarter(today)),
    }
}

pub async fn swot(
    State(state): State<AppState>,
    Lang(lang): Lang,
    Auth(actor): Auth,
    Query(q): Query<SwotQuery>,
) -> Result<Html<String>, WebError> {
    let period = swot_period(&state, &q)?;
    let rows = state.services.swot(&actor, period).await?;
    let catalogue = state.services.catalogue().await?;
    let metrics: Vec<Json> = catalogue
        .all()
        .map(|m| json!({"code": m.code, "name": if lang == Locale::Ru { &m.name_ru } else { &m.name_en }}))
        .collect();
    let goals = state.services.goal_tree(&actor, Some(period)).await?;
    let html = state.templates().render(
        "swot.html",
        context! {
            ..layout(lang, Some(&actor), "goals", "/swot"),
            ..context! {
                swot => ser(swot_quadrants(&rows, &actor)),
                from => period.from.to_string(),
                last_day => period.to.plus_days(-1).to_string(),
                metrics => ser(metrics),
                goals => ser(goals.iter().map(|g| goal_line(lang, g)).collect::<Vec<_>>()),
                may_edit => matches!(actor.role, mkpi_domain::Role::Admin | mkpi_domain::Role::Head | mkpi_domain::Role::Manager),
            },
        },
    )?;
    Ok(Html(html))
}

#[derive(Deserialize)]
pub struct SwotForm {
    #[serde(default)]
    from: String,
    #[serde(default)]
    last_day: String,
    #[serde(default)]
    quadrant: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    note: String,
    #[serde(default)]
    metric_code: String,
}

pub async fn add_swot(
    State(state): State<AppState>,
    Auth(actor): Auth,
    Form(form): Form<SwotForm>,
) -> Result<Redirect, WebError> {
    let period = swot_period(
        &state,
        &SwotQuery {
            from: Some(form.from.clone()),
            until: Some(form.last_day.clone()),
        },
    )?;
    state
        .services
        .add_swot(
            &actor,
            period,
            &form.quadrant,
            &form.title,
            &form.note,
            Some(&form.metric_code),
            None,
        )
        .await?;
    Ok(Redirect::to(&format!(
        "/swot?from={}&until={}",
        period.from,
        period.to.plus_days(-1)
    )))
}

#[derive(Deserialize)]
pub struct SwotEditForm {
    #[serde(default)]
    quadrant: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    note: String,
}

pub async fn edit_swot(
    State(state): State<AppState>,
    Auth(actor): Auth,
    Path(id): Path<i64>,
    Form(form): Form<SwotEditForm>,
) -> Result<Redirect, WebError> {
    let change = mkpi_services::goals::SwotChange {
        quadrant: Some(form.quadrant),
        title: Some(form.title),
        note: Some(form.note),
        ..Default::default()
    };
    let row = state.services.update_swot(&actor, id, &change).await?;
    Ok(Redirect::to(&format!(
        "/swot?from={}&until={}",
        row.period_from,
        mkpi_domain::period::Day::parse(&row.period_to)
            .map(|d| d.plus_days(-1).to_string())
            .unwrap_or_default()
    )))
}

pub async fn delete_swot(
    State(state): State<AppState>,
    Auth(actor): Auth,
    Path(id): Path<i64>,
) -> Result<Redirect, WebError> {
    state.services.delete_swot(&actor, id).await?;
    Ok(Redirect::to("/swot"))
}
