//! Tasks pages: the board and the list (per person and team, with
//! filters and overdue highlighting), a person's "my work", a task's page
//! with its workflow, time and rating.

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use minijinja::context;
use mkpi_domain::Locale;
use mkpi_domain::period::Day;
use mkpi_domain::task::{Priority, TaskKind, TaskStatus, overdue};
use mkpi_services::tasks::{TaskInput, TaskQuery, TaskRow};
use mkpi_services::{Actor, Error, FieldProblem};
use serde::{Deserialize, Serialize};
use serde_json::{Value as Json, json};

use super::goals::{goal_line, id, number};
use super::{layout, ser};
use crate::AppState;
use crate::auth::{Auth, Lang};
use crate::error::WebError;

/// Tasks as the pages show them.
pub(super) fn task_lines(lang: Locale, rows: &[TaskRow], state: &AppState) -> Vec<Json> {
    let today = Day::from_unix_seconds(state.services.clock().now());
    rows.iter()
        .map(|t| {
            let status = TaskStatus::parse(&t.status).unwrap_or(TaskStatus::Planned);
            let due = t.due.as_deref().and_then(|d| Day::parse(d).ok());
            json!({
                "id": t.id, "key": t.task, "title": t.title, "kind": t.kind, "status": t.status,
                "assignee": t.assignee_name, "assignee_id": t.assignee_employee_id,
                "priority": t.priority, "due": t.due, "completed": t.completed,
                "overdue": overdue(status, due, today),
                "estimate": t.estimate_hours.map(|h| lang.format_decimal(h, 1)),
                "spent": t.spent_hours.map(|h| lang.format_decimal(h, 1)),
                "goal_id": t.goal_id, "goal_title": t.goal_title,
                "campaign": t.campaign_name, "quality": t.quality,
                "imported": t.import_id.is_some(),
            })
        })
        .collect()
}

/// The people the caller may set tasks for: (id, name).
pub(super) async fn assignee_options(
    state: &AppState,
    actor: &Actor,
) -> Result<Vec<Json>, WebError> {
    let people = state.services.list_employees(actor).await?;
    Ok(people
        .into_iter()
        .filter(|e| {
            e.active
                && (matches!(
                    actor.role,
                    mkpi_domain::Role::Admin | mkpi_domain::Role::Head | mkpi_domain::Role::Manager
                ) || Some(e.id) == actor.employee_id)
        })
        .map(|e| json!({"id": e.id, "name": e.name, "me": Some(e.id) == actor.employee_id}))
        .collect())
}

#[derive(Deserialize, Default)]
pub struct TasksQuery {
    assignee: Option<String>,
    team: Option<String>,
    status: Option<String>,
    kind: Option<String>,
    overdue: Option<String>,
    /// board (default) or list.
    view: Option<String>,
}

fn opt_id(field: &str, v: &Option<String>) -> Result<Option<i64>, WebError> {
    let mut problems = Vec::new();
    let r = id(field, v.as_deref().unwrap_or_default(), &mut problems);
    if problems.is_empty() {
        Ok(r)
    } else {
        Err(Error::Invalid(problems).into())
    }
}

fn nonempty(v: &Option<String>) -> Option<String> {
    v.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

pub async fn list(
    State(state): State<AppState>,
    Lang(lang): Lang,
    Auth(actor): Auth,
    Query(q): Query<TasksQuery>,
) -> Result<Html<String>, WebError> {
    let view = if q.view.as_deref() == Some("list") {
        "list"
    } else {
        "board"
    };
    let query = TaskQuery {
        assignee: opt_id("assignee", &q.assignee)?,
        team: opt_id("team", &q.team)?,
        goal_id: None,
        status: nonempty(&q.status),
        kind: nonempty(&q.kind),
        overdue: q.overdue.as_deref() == Some("1"),
        // Unless a status is asked for, finished work of the last 30 days:
        // the board is about what is going on.
        finished_since: nonempty(&q.status).is_none().then(|| {
            Day::from_unix_seconds(state.services.clock().now())
                .plus_days(-30)
                .to_string()
        }),
    };
    let rows = state.services.list_tasks(&actor, &query).await?;
    let lines = task_lines(lang, &rows, &state);
    let columns: Vec<Json> = TaskStatus::ALL
        .iter()
        .map(|s| {
            json!({
                "status": s.code(),
                "tasks": lines.iter().filter(|t| t["status"] == s.code()).collect::<Vec<_>>(),
            })
        })
        .collect();
    let people = state.services.list_employees(&actor).await?;
    let teams = state.services.list_teams(&actor).await?;
    let html = state.templates().render(
        "tasks.html",
        context! {
            ..layout(lang, Some(&actor), "tasks", "/tasks"),
            ..context! {
                view => view,
                tasks => ser(&lines),
                columns => ser(columns),
                overdue_count => lines.iter().filter(|t| t["overdue"] == true).count(),
                filter => ser(json!({
                    "assignee": query.assignee, "team": query.team, "status": query.status,
                    "kind": query.kind, "overdue": query.overdue,
                })),
                people => ser(people.iter().map(|e| json!({"id": e.id, "name": e.name})).collect::<Vec<_>>()),
                teams => ser(teams.iter().map(|t| json!({"id": t.id, "name": t.name})).collect::<Vec<_>>()),
                statuses => TaskStatus::ALL.map(|s| s.code()).to_vec(),
                task_kinds => TaskKind::ALL.map(|k| k.code()).to_vec(),
                priorities => Priority::ALL.map(|p| p.code()).to_vec(),
                people_options => ser(assignee_options(&state, &actor).await?),
                goal_options => ser(goal_options(&state, &actor).await?),
                may_add => actor.role != mkpi_domain::Role::Viewer,
                today => Day::from_unix_seconds(state.services.clock().now()).to_string(),
            },
        },
    )?;
    Ok(Html(html))
}

/// Running goals the caller sees, for the task form.
pub(super) async fn goal_options(state: &AppState, actor: &Actor) -> Result<Vec<Json>, WebError> {
    Ok(state
        .services
        .goal_choices(actor)
        .await?
        .into_iter()
        .filter(|g| matches!(g.status.as_str(), "draft" | "active"))
        .map(|g| json!({"id": g.id, "title": g.title, "depth": g.depth}))
        .collect())
}

/// A person's own work: their open tasks (overdue first) and their goals.
pub async fn my_work(
    State(state): State<AppState>,
    Lang(lang): Lang,
    Auth(actor): Auth,
) -> Result<Html<String>, WebError> {
    let (tasks, goals) = match actor.employee_id {
        Some(me) => {
            let rows = state
                .services
                .list_tasks(
                    &actor,
                    &TaskQuery {
                        assignee: Some(me),
                        finished_since: Some(
                            Day::from_unix_seconds(state.services.clock().now())
                                .plus_days(-90)
                                .to_string(),
                        ),
                        ..TaskQuery::default()
                    },
                )
                .await?;
            let mine = format!("employee:{me}");
            let roots = state.services.goal_tree(&actor, None).await?;
            let mut goals = Vec::new();
            fn walk(
                views: &[mkpi_services::goals::GoalView],
                scope: &str,
                out: &mut Vec<Json>,
                lang: Locale,
            ) {
                for v in views {
                    if v.goal.scope == scope {
                        out.push(goal_line(lang, v));
                    }
                    walk(&v.children, scope, out, lang);
                }
            }
            walk(&roots, &mine, &mut goals, lang);
            (task_lines(lang, &rows, &state), goals)
        }
        None => (Vec::new(), Vec::new()),
    };
    let open: Vec<&Json> = tasks
        .iter()
        .filter(|t| !matches!(t["status"].as_str(), Some("done" | "cancelled")))
        .collect();
    let done: Vec<&Json> = tasks
        .iter()
        .filter(|t| t["status"] == "done")
        .take(20)
        .collect();
    let html = state.templates().render(
        "my_work.html",
        context! {
            ..layout(lang, Some(&actor), "my-work", "/my-work"),
            ..context! {
                open => ser(open),
                done => ser(done),
                goals => ser(goals),
                linked => actor.employee_id.is_some(),
                task_kinds => TaskKind::ALL.map(|k| k.code()).to_vec(),
                priorities => Priority::ALL.map(|p| p.code()).to_vec(),
                people_options => ser(assignee_options(&state, &actor).await?),
                goal_options => ser(goal_options(&state, &actor).await?),
                today => Day::from_unix_seconds(state.services.clock().now()).to_string(),
                me => actor.employee_id,
            },
        },
    )?;
    Ok(Html(html))
}

#[derive(Deserialize, Serialize, Default)]
pub struct TaskForm {
    #[serde(default)]
    title: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    assignee_employee_id: String,
    #[serde(default)]
    priority: String,
    #[serde(default)]
    start: String,
    #[serde(default)]
    due: String,
    #[serde(default)]
    estimate_hours: String,
    #[serde(default)]
    budget: String,
    #[serde(default)]
    currency: String,
    #[serde(default)]
    goal_id: String,
    /// Where to go after (a local path).
    #[serde(default)]
    next: String,
}

impl TaskForm {
    /// The task as the form gives it; numbers and ids that do not read are
    /// added to `problems`.
    fn input(&self, campaign_id: Option<i64>, problems: &mut Vec<FieldProblem>) -> TaskInput {
        TaskInput {
            assignee_employee_id: id("assignee_employee_id", &self.assignee_employee_id, problems),
            estimate_hours: number("estimate_hours", &self.estimate_hours, problems),
            budget: number("budget", &self.budget, problems),
            goal_id: id("goal_id", &self.goal_id, problems),
            title: self.title.clone(),
            description: self.description.clone(),
            kind: self.kind.clone(),
            priority: Some(self.priority.clone()),
            start: Some(self.start.clone()),
            due: self.due.clone(),
            currency: Some(self.currency.clone()),
            campaign_id,
        }
    }
}

pub async fn create(
    State(state): State<AppState>,
    Auth(actor): Auth,
    Form(form): Form<TaskForm>,
) -> Result<Redirect, WebError> {
    let mut problems = Vec::new();
    let input = form.input(None, &mut problems);
    if !problems.is_empty() {
        return Err(Error::Invalid(problems).into());
    }
    let t = state.services.create_task(&actor, &input).await?;
    let next = form.next.trim();
    if next.is_empty() {
        Ok(Redirect::to(&format!("/tasks/{}", t.id)))
    } else {
        Ok(Redirect::to(&super::local_path(Some(next))))
    }
}

pub async fn show(
    State(state): State<AppState>,
    Lang(lang): Lang,
    Auth(actor): Auth,
    Path(task_id): Path<i64>,
) -> Result<Response, WebError> {
    render_task(&state, lang, &actor, task_id, None, Default::default()).await
}

/// A task's page; after a failed change, the edit form open with what was
/// typed and each problem next to its field.
async fn render_task(
    state: &AppState,
    lang: Locale,
    actor: &Actor,
    task_id: i64,
    failed: Option<TaskForm>,
    errors: std::collections::BTreeMap<String, String>,
) -> Result<Response, WebError> {
    let d = state.services.task(actor, task_id).await?;
    let line = task_lines(lang, std::slice::from_ref(&d.task), state)
        .pop()
        .unwrap_or_default();
    let status = TaskStatus::parse(&d.task.status).unwrap_or(TaskStatus::Planned);
    let code = if failed.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let edit_open = failed.is_some();
    let form = failed.unwrap_or_else(|| {
        let t = &d.task;
        let text = |v: Option<f64>| v.map(|x| x.to_string()).unwrap_or_default();
        TaskForm {
            title: t.title.clone(),
            description: t.description.clone().unwrap_or_default(),
            kind: t.kind.clone().unwrap_or_default(),
            assignee_employee_id: t
                .assignee_employee_id
                .map(|i| i.to_string())
                .unwrap_or_default(),
            priority: t.priority.clone().unwrap_or_default(),
            start: t.start.clone().unwrap_or_default(),
            due: t.due.clone().unwrap_or_default(),
            estimate_hours: text(t.estimate_hours),
            budget: text(t.budget_minor.map(|b| b as f64 / 100.0)),
            currency: t.currency.clone().unwrap_or_default(),
            goal_id: t.goal_id.map(|i| i.to_string()).unwrap_or_default(),
            next: String::new(),
        }
    });
    let goal_choices = if d.can_link || d.can_edit {
        goal_options(state, actor).await?
    } else {
        Vec::new()
    };
    let html = state.templates().render(
        "task.html",
        context! {
            ..layout(lang, Some(actor), "tasks", &format!("/tasks/{task_id}")),
            ..context! {
                task => ser(line),
                description => d.task.description.clone(),
                start => d.task.start.clone(),
                created => d.task.created.clone(),
                budget => d.task.budget_minor.map(|b| lang.format_money(b, d.task.currency.as_deref().unwrap_or("RUB"))),
                quality_comment => d.task.quality_comment.clone(),
                moves => if d.can_move { status.next().iter().map(|s| s.code()).collect::<Vec<_>>() } else { Vec::new() },
                can_rate => d.can_rate,
                can_log_time => d.can_log_time,
                can_link => d.can_link,
                can_edit => d.can_edit,
                can_delete => d.can_delete,
                edit_open => edit_open,
                form => ser(&form),
                errors => ser(&errors),
                task_kinds => TaskKind::ALL.map(|k| k.code()).to_vec(),
                priorities => Priority::ALL.map(|p| p.code()).to_vec(),
                people_options => ser(if d.can_edit { assignee_options(state, actor).await? } else { Vec::new() }),
                goal_options => ser(goal_choices),
                time => ser(d.time.iter().map(|l| json!({
                    "key": l.entry.row_key, "date": l.entry.date, "hours": lang.format_decimal(l.entry.hours, 1),
                    "hours_raw": l.entry.hours, "who": l.entry.who, "what": l.entry.description, "can_change": l.can_change,
                })).collect::<Vec<_>>()),
                today => Day::from_unix_seconds(state.services.clock().now()).to_string(),
            },
        },
    )?;
    Ok((code, Html(html)).into_response())
}

/// Changes a task; a failure shows the form again with what was typed.
pub async fn edit(
    State(state): State<AppState>,
    Lang(lang): Lang,
    Auth(actor): Auth,
    Path(task_id): Path<i64>,
    Form(form): Form<TaskForm>,
) -> Result<Response, WebError> {
    let mut problems = Vec::new();
    let campaign_id = state.services.task(&actor, task_id).await?.task.campaign_id;
    let input = form.input(campaign_id, &mut problems);
    let outcome = if problems.is_empty() {
        state
            .services
            .update_task(&actor, task_id, &input)
            .await
            .map(|_| ())
    } else {
        Err(Error::Invalid(problems))
    };
    match outcome {
        Ok(()) => Ok(Redirect::to(&format!("/tasks/{task_id}")).into_response()),
        Err(Error::Invalid(problems)) => {
            let errors = super::field_errors(&state, lang, &problems);
            render_task(&state, lang, &actor, task_id, Some(form), errors).await
        }
        Err(e) => Err(e.into()),
    }
}

/// Deletes a task set by mistake.
pub async fn delete(
    State(state): State<AppState>,
    Auth(actor): Auth,
    Path(task_id): Path<i64>,
) -> Result<Redirect, WebError> {
    state.services.delete_task(&actor, task_id).await?;
    Ok(Redirect::to("/tasks"))
}

#[derive(Deserialize)]
pub struct StatusForm {
    #[serde(default)]
    status: String,
}

pub async fn set_status(
    State(state): State<AppState>,
    Auth(actor): Auth,
    Path(task_id): Path<i64>,
    Form(form): Form<StatusForm>,
) -> Result<Redirect, WebError> {
    state
        .services
        .set_task_status(&actor, task_id, &form.status)
        .await?;
    Ok(Redirect::to(&format!("/tasks/{task_id}")))
}

#[derive(Deserialize)]
pub struct RatingForm {
    #[serde(default)]
    quality: String,
    #[serde(default)]
    comment: String,
}

pub async fn rate(
    State(state): State<AppState>,
    Auth(actor): Auth,
    Path(task_id): Path<i64>,
    Form(form): Form<RatingForm>,
) -> Result<Redirect, WebError> {
    let quality = form.quality.trim().parse::<i64>().map_err(|_| {
        Error::invalid(
            "quality",
            format!("'{}' is not a rating; give 1 to 5", form.quality.trim()),
        )
    })?;
    state
        .services
        .rate_task(&actor, task_id, quality, &form.comment)
        .await?;
    Ok(Redirect::to(&format!("/tasks/{task_id}")))
}

#[derive(Deserialize)]
pub struct TimeForm {
    #[serde(default)]
    date: String,
    #[serde(default)]
    hours: String,
    #[serde(default)]
    description: String,
}

pub async fn log_time(
    State(state): State<AppState>,
    Auth(actor): Auth,
    Path(task_id): Path<i64>,
    Form(form): Form<TimeForm>,
) -> Result<Redirect, WebError> {
    let mut problems = Vec::new();
    let hours = number("hours", &form.hours, &mut problems);
    let Some(hours) = hours.filter(|_| problems.is_empty()) else {
        if problems.is_empty() {
            problems.push(mkpi_services::FieldProblem::new("hours", "give the hours"));
        }
        return Err(Error::Invalid(problems).into());
    };
    state
        .services
        .log_task_time(&actor, task_id, &form.date, hours, &form.description)
        .await?;
    Ok(Redirect::to(&format!("/tasks/{task_id}#time")))
}

/// Changes time one logged here.
pub async fn update_time(
    State(state): State<AppState>,
    Auth(actor): Auth,
    Path((task_id, key)): Path<(i64, String)>,
    Form(form): Form<TimeForm>,
) -> Result<Redirect, WebError> {
    let mut problems = Vec::new();
    let hours = number("hours", &form.hours, &mut problems);
    let Some(hours) = hours.filter(|_| problems.is_empty()) else {
        if problems.is_empty() {
            problems.push(mkpi_services::FieldProblem::new("hours", "give the hours"));
        }
        return Err(Error::Invalid(problems).into());
    };
    let input = mkpi_services::tasks::TimeInput {
        date: form.date.clone(),
        hours,
        description: form.description.clone(),
    };
    state
        .services
        .update_time_entry(&actor, task_id, &key, &input)
        .await?;
    Ok(Redirect::to(&format!("/tasks/{task_id}#time")))
}

/// Deletes time one logged here.
pub async fn delete_time(
    State(state): State<AppState>,
    Auth(actor): Auth,
    Path((task_id, key)): Path<(i64, String)>,
) -> Result<Redirect, WebError> {
    state
        .services
        .delete_time_entry(&actor, task_id, &key)
        .await?;
    Ok(Redirect::to(&format!("/tasks/{task_id}#time")))
}

#[derive(Deserialize)]
pub struct GoalForm {
    #[serde(default)]
    goal_id: String,
}

pub async fn link_goal(
    State(state): State<AppState>,
    Auth(actor): Auth,
    Path(task_id): Path<i64>,
    Form(form): Form<GoalForm>,
) -> Result<Redirect, WebError> {
    let mut problems = Vec::new();
    let goal = id("goal_id", &form.goal_id, &mut problems);
    if !problems.is_empty() {
        return Err(Error::Invalid(problems).into());
    }
    state.services.link_task_goal(&actor, task_id, goal).await?;
    Ok(Redirect::to(&format!("/tasks/{task_id}")))
}
