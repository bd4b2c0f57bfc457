//! Review pages: the cycles, one cycle with its people's progress and the
//! caller's assessments to give, the assessment form (competencies with
//! their level descriptors), and a person's results with the formula.

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{Html, Redirect};
use minijinja::context;
use mkpi_domain::Locale;
use mkpi_domain::Role;
use mkpi_domain::period::Day;
use mkpi_services::Error;
use mkpi_services::reviews::{CycleInput, RatingInput};
use serde::Deserialize;
use serde_json::json;

use super::{layout, ser};
use crate::AppState;
use crate::auth::{Auth, Lang};
use crate::error::WebError;

pub async fn list(
    State(state): State<AppState>,
    Lang(lang): Lang,
    Auth(actor): Auth,
) -> Result<Html<String>, WebError> {
    let cycles = state.services.review_cycles(&actor).await?;
    let today = Day::from_unix_seconds(state.services.clock().now());
    let html = state.templates().render(
        "reviews.html",
        context! {
            ..layout(lang, Some(&actor), "reviews", "/reviews"),
            ..context! {
                cycles => ser(cycles.iter().map(|c| json!({
                    "id": c.id, "name": c.name, "status": c.status, "from": c.period_from,
                    "last_day": Day::parse(&c.period_to).map_or_else(|_| c.period_to.clone(), |d| d.plus_days(-1).to_string()),
                    "assessment_due": c.assessment_due,
                })).collect::<Vec<_>>()),
                may_open => matches!(actor.role, Role::Admin | Role::Head),
                today => today.to_string(),
                in_week => today.plus_days(7).to_string(),
                in_two_weeks => today.plus_days(14).to_string(),
                in_three_weeks => today.plus_days(21).to_string(),
                quarter_from => today.first_of_month().plus_months(-3).to_string(),
                quarter_last => today.first_of_month().plus_days(-1).to_string(),
            },
        },
    )?;
    Ok(Html(html))
}

#[derive(Deserialize)]
pub struct CycleForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    period_from: String,
    #[serde(default)]
    last_day: String,
    #[serde(default)]
    self_due: String,
    #[serde(default)]
    nomination_due: String,
    #[serde(default)]
    assessment_due: String,
    #[serde(default)]
    calibration_due: String,
}

pub async fn create(
    State(state): State<AppState>,
    Auth(actor): Auth,
    Form(f): Form<CycleForm>,
) -> Result<Redirect, WebError> {
    let period_to = Day::parse(f.last_day.trim())
        .map(|d| d.plus_days(1).to_string())
        .map_err(|e| Error::invalid("last_day", e.to_string()))?;
    let c = state
        .services
        .create_review_cycle(
            &actor,
            &CycleInput {
                name: f.name,
                period_from: f.period_from,
                period_to,
                self_due: f.self_due,
                nomination_due: f.nomination_due,
                assessment_due: f.assessment_due,
                calibration_due: f.calibration_due,
                ..CycleInput::default()
            },
        )
        .await?;
    Ok(Redirect::to(&format!("/reviews/{}", c.id)))
}

pub async fn show(
    State(state): State<AppState>,
    Lang(lang): Lang,
    Auth(actor): Auth,
    Path(id): Path<i64>,
) -> Result<Html<String>, WebError> {
    let v = state.services.review_cycle(&actor, id).await?;
    let next = match v.cycle.status.as_str() {
        "open" => Some("calibration"),
        "calibration" => Some("released"),
        "released" => Some("closed"),
        _ => None,
    };
    let colleagues: Vec<serde_json::Value> = state
        .services
        .list_employees(&actor)
        .await?
        .into_iter()
        .map(|e| json!({"id": e.id, "name": e.name}))
        .collect();
    let html = state.templates().render(
        "review.html",
        context! {
            ..layout(lang, Some(&actor), "reviews", &format!("/reviews/{id}")),
            ..context! {
                cycle => ser(json!({
                    "id": v.cycle.id, "name": v.cycle.name, "status": v.cycle.status,
                    "from": v.cycle.period_from, "to": v.cycle.period_to,
                    "self_due": v.cycle.self_due, "nomination_due": v.cycle.nomination_due,
                    "assessment_due": v.cycle.assessment_due, "calibration_due": v.cycle.calibration_due,
                    "threshold": v.cycle.anonymity_threshold,
                })),
                people => ser(v.people.iter().map(|p| json!({
                    "id": p.employee_id, "name": p.name, "self_done": p.self_done,
                    "manager_done": p.manager_done, "peers_named": p.peers_named, "peers_done": p.peers_done,
                    "results_open": p.results_open,
                    "waiting": p.peers_waiting.iter().map(|r| json!({"id": r.id, "name": r.rater_name})).collect::<Vec<_>>(),
                })).collect::<Vec<_>>()),
                todo => ser(v.todo.iter().map(|t| json!({
                    "employee_id": t.employee_id, "name": t.name, "perspective": t.perspective.code(),
                })).collect::<Vec<_>>()),
                next => next,
                may_move => matches!(actor.role, Role::Admin | Role::Head),
                colleagues => ser(colleagues),
                me => actor.employee_id,
                locale => lang.as_str(),
            },
        },
    )?;
    Ok(Html(html))
}

#[derive(Deserialize)]
pub struct AssessQuery {
    perspective: Option<String>,
}

pub async fn assess_form(
    State(state): State<AppState>,
    Lang(lang): Lang,
    Auth(actor): Auth,
    Path((id, employee_id)): Path<(i64, i64)>,
    Query(q): Query<AssessQuery>,
) -> Result<Html<String>, WebError> {
    let v = state.services.review_cycle(&actor, id).await?;
    let perspective = q.perspective.unwrap_or_else(|| "self".into());
    let Some(todo) = v
        .todo
        .iter()
        .find(|t| t.employee_id == employee_id && t.perspective.code() == perspective)
    else {
        return Err(Error::NotFound.into());
    };
    let levels = |t: &str| serde_json::from_str::<Vec<String>>(t).unwrap_or_default();
    let competencies: Vec<serde_json::Value> = v
        .competencies
        .iter()
        .map(|c| {
            json!({
                "code": c.code,
                "name": if lang == Locale::Ru { &c.name_ru } else { &c.name_en },
                "levels": levels(if lang == Locale::Ru { &c.levels_ru } else { &c.levels_en }),
            })
        })
        .collect();
    let html = state.templates().render(
        "review_assess.html",
        context! {
            ..layout(lang, Some(&actor), "reviews", &format!("/reviews/{id}")),
            ..context! {
                cycle_id => id,
                cycle_name => v.cycle.name.clone(),
                employee_id => employee_id,
                name => todo.name.clone(),
                perspective => perspective,
                competencies => ser(competencies),
                scale => (v.cycle.scale_min..=v.cycle.scale_max).collect::<Vec<i64>>(),
            },
        },
    )?;
    Ok(Html(html))
}

pub async fn assess(
    State(state): State<AppState>,
    Auth(actor): Auth,
    Path((id, employee_id)): Path<(i64, i64)>,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Redirect, WebError> {
    let get = |k: &str| {
        form.iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let mut ratings = Vec::new();
    for (name, value) in &form {
        if let Some(code) = name.strip_prefix("rating_") {
            let rating = value
                .trim()
                .parse::<i64>()
                .map_err(|_| Error::invalid("ratings", format!("choose a rating for {code}")))?;
            ratings.push(RatingInput {
                competency: code.to_string(),
                rating,
                comment: get(&format!("comment_{code}")),
            });
        }
    }
    state
        .services
        .submit_assessment(
            &actor,
            id,
            employee_id,
            &get("perspective"),
            &ratings,
            &get("comment"),
        )
        .await?;
    Ok(Redirect::to(&format!("/reviews/{id}")))
}

#[derive(Deserialize)]
pub struct PeerForm {
    #[serde(default)]
    employee_id: String,
    #[serde(default)]
    peer_employee_id: String,
}

pub async fn nominate(
    State(state): State<AppState>,
    Auth(actor): Auth,
    Path(id): Path<i64>,
    Form(f): Form<PeerForm>,
) -> Result<Redirect, WebError> {
    let parse = |field: &str, v: &str| {
        v.trim()
            .parse::<i64>()
            .map_err(|_| WebError::from(Error::invalid(field, "choose a person")))
    };
    let employee = parse("employee_id", &f.employee_id)?;
    let peer = parse("peer_employee_id", &f.peer_employee_id)?;
    state
        .services
        .nominate_peer(&actor, id, employee, peer)
        .await?;
    Ok(Redirect::to(&format!("/reviews/{id}")))
}

#[derive(Deserialize)]
pub struct DecisionForm {
    #[serde(default)]
    approve: String,
    #[serde(default)]
    cycle_id: String,
}

pub async fn decide(
    State(state): State<AppState>,
    Auth(actor): Auth,
    Path(rater_id): Path<i64>,
    Form(f): Form<DecisionForm>,
) -> Result<Redirect, WebError> {
    state
        .services
        .decide_peer(&actor, rater_id, f.approve == "1")
        .await?;
    Ok(Redirect::to(&super::local_path(Some(&format!(
        "/reviews/{}",
        f.cycle_id.trim()
    )))))
}

#[derive(Deserialize)]
pub struct StatusForm {
    #[serde(default)]
    status: String,
}

pub async fn set_status(
    State(state): State<AppState>,
    Auth(actor): Auth,
    Path(id): Path<i64>,
    Form(f): Form<StatusForm>,
) -> Result<Redirect, WebError> {
    state
        .services
        .set_review_cycle_status(&actor, id, &f.status)
        .await?;
    Ok(Redirect::to(&format!("/reviews/{id}")))
}

pub async fn results(
    State(state): State<AppState>,
    Lang(lang): Lang,
    Auth(actor): Auth,
    Path((id, employee_id)): Path<(i64, i64)>,
) -> Result<Html<String>, WebError> {
    let r = state
        .services
        .review_results(&actor, id, employee_id)
        .await?;
    let name = state.services.get_employee(&actor, employee_id).await?.name;
    let pct = |x: f64| lang.format_decimal(x * 100.0, 0) + "%";
    let catalogue = state.services.competencies().await?;
    let competency_name = |code: &str| {
        catalogue
            .iter()
            .find(|c| c.code == code)
            .map(|c| {
                if lang == Locale::Ru {
                    c.name_ru.clone()
                } else {
                    c.name_en.clone()
                }
            })
            .unwrap_or_else(|| code.to_string())
    };
    let html = state.templates().render(
        "review_results.html",
        context! {
            ..layout(lang, Some(&actor), "reviews", &format!("/reviews/{id}/results/{employee_id}")),
            ..context! {
                cycle_id => id,
                cycle_name => r.cycle.name.clone(),
                name => name,
                score => r.score.value.map(pct),
                renormalised => r.score.renormalised(),
                parts => ser(r.score.parts.iter().map(|p| json!({
                    "name": p.name, "value": p.value.map(pct), "weight": pct(p.weight),
                    "used": pct(p.used_weight), "missing": p.missing,
                })).collect::<Vec<_>>()),
                perspectives => ser(r.perspectives.iter().map(|p| json!({
                    "perspective": p.perspective.code(), "answers": p.answers,
                    "mean": p.mean.map(|m| lang.format_decimal(m, 2)), "hidden": p.hidden,
                    "competencies": p.competencies.iter().map(|(c, m)| json!({"name": competency_name(c), "mean": lang.format_decimal(*m, 2)})).collect::<Vec<_>>(),
                    "comments": p.comments,
                })).collect::<Vec<_>>()),
            },
        },
    )?;
    Ok(Html(html))
}
