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
use mkpi_domain::review::Perspective;
use mkpi_services::Error;
use mkpi_services::calibration::missing::Hidden;
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
    let (teams, positions) = if matches!(actor.role, Role::Admin | Role::Head) {
        let mut positions: Vec<String> = state
            .services
            .list_employees(&actor)
            .await?
            .into_iter()
            .filter(|e| e.active)
            .map(|e| e.position)
            .collect();
        positions.sort();
        positions.dedup();
        (state.services.list_teams(&actor).await?, positions)
    } else {
        (Vec::new(), Vec::new())
    };
    // Final scores over time for those who manage people: one stacked bar
    // of the five bands per cycle, and the median.
    let spread = if matches!(actor.role, Role::Admin | Role::Head | Role::Manager) {
        state.services.review_distributions(&actor, None).await?
    } else {
        Vec::new()
    };
    let spread_chart = spread.iter().any(|d| !d.scores.is_empty()).then(|| {
        let bands = ["0–20%", "20–40%", "40–60%", "60–80%", "80–100%"];
        let mut series: Vec<serde_json::Value> = bands
            .iter()
            .enumerate()
            .map(|(i, b)| json!({
                "type": "bar", "stack": "n", "name": b,
                "data": spread.iter().map(|d| d.bands[i]).collect::<Vec<_>>(),
            }))
            .collect();
        series.push(json!({
            "type": "line", "name": state.i18n().text(lang, "review-median", None), "yAxisIndex": 1,
            "data": spread.iter().map(|d| d.median.map(|m| (m * 1000.0).round() / 10.0)).collect::<Vec<_>>(),
        }));
        ser(json!({
            "grid": {"left": 40, "right": 50, "top": 40, "bottom": 30},
            "tooltip": {"trigger": "axis"},
            "legend": {"top": 0},
            "xAxis": {"type": "category", "data": spread.iter().map(|d| d.cycle.name.clone()).collect::<Vec<_>>()},
            "yAxis": [{"type": "value", "minInterval": 1}, {"type": "value", "min": 0, "max": 100}],
            "series": series,
        }))
    });
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
                spread_chart => spread_chart,
                teams => ser(teams.iter().map(|t| json!({"id": t.id, "name": t.name})).collect::<Vec<_>>()),
                positions => ser(positions),
                me => actor.employee_id,
                today => today.to_string(),
                in_week => today.plus_days(7).to_string(),
                in_two_weeks => today.plus_days(14).to_string(),
                in_three_weeks => today.plus_days(21).to_string(),
                in_four_weeks => today.plus_days(28).to_string(),
                quarter_from => today.first_of_month().plus_months(-3).to_string(),
                quarter_last => today.first_of_month().plus_days(-1).to_string(),
            },
        },
    )?;
    Ok(Html(html))
}

/// The cycle form: repeated `team_id` and `position` fields choose whom
/// it covers (everyone active when none is chosen).
pub async fn create(
    State(state): State<AppState>,
    Auth(actor): Auth,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Redirect, WebError> {
    let get = |k: &str| {
        form.iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.trim().to_string())
            .unwrap_or_default()
    };
    let all = |k: &str| -> Vec<String> {
        form.iter()
            .filter(|(n, v)| n == k && !v.trim().is_empty())
            .map(|(_, v)| v.trim().to_string())
            .collect()
    };
    let number = |field: &str| -> Result<Option<i64>, WebError> {
        let v = get(field);
        if v.is_empty() {
            return Ok(None);
        }
        v.parse()
            .map(Some)
            .map_err(|_| Error::invalid(field, format!("'{v}' is not a whole number")).into())
    };
    let period_to = Day::parse(&get("last_day"))
        .map(|d| d.plus_days(1).to_string())
        .map_err(|e| Error::invalid("last_day", e.to_string()))?;
    let mut team_ids = Vec::new();
    for t in all("team_id") {
        team_ids.push(
            t.parse::<i64>()
                .map_err(|_| Error::invalid("team_ids", format!("'{t}' is not a team")))?,
        );
    }
    let recurrence = get("recurrence");
    let c = state
        .services
        .create_review_cycle(
            &actor,
            &CycleInput {
                name: get("name"),
                period_from: get("period_from"),
                period_to,
                self_due: get("self_due"),
                nomination_due: get("nomination_due"),
                assessment_due: get("assessment_due"),
                calibration_due: get("calibration_due"),
                release_due: get("release_due"),
                team_ids,
                positions: all("position"),
                anonymity_threshold: number("anonymity_threshold")?,
                min_peers: number("min_peers")?,
                max_peers: number("max_peers")?,
                scale_min: number("scale_min")?,
                scale_max: number("scale_max")?,
                recurrence: (!recurrence.is_empty()).then_some(recurrence),
                ..CycleInput::default()
            },
        )
        .await?;
    Ok(Redirect::to(&format!("/reviews/{}", c.id)))
}

pub async fn show(
    State(state): State<AppState>,
    lang: Lang,
    Auth(actor): Auth,
    Path(id): Path<i64>,
) -> Result<Html<String>, WebError> {
    render_cycle(&state, lang, &actor, id, None).await
}

/// A cycle's page; with a client's new link when one was just made (shown
/// this once: only its hash is kept).
pub(super) async fn render_cycle(
    state: &AppState,
    Lang(lang): Lang,
    actor: &mkpi_services::Actor,
    id: i64,
    new_link: Option<serde_json::Value>,
) -> Result<Html<String>, WebError> {
    let actor = actor.clone();
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
                    "assessment_due": v.cycle.assessment_due, "calibration_due": v.cycle.calibration_due, "release_due": v.cycle.release_due,
                    "threshold": v.cycle.anonymity_threshold,
                })),
                people => ser(v.people.iter().map(|p| json!({
                    "id": p.employee_id, "name": p.name, "self_done": p.self_done,
                    "manager_done": p.manager_done, "peers_named": p.peers_named, "peers_done": p.peers_done,
                    "clients_named": p.clients_named, "clients_done": p.clients_done, "manages": p.manages,
                    "results_open": p.results_open,
                    "waiting": p.peers_waiting.iter().map(|r| json!({"id": r.id, "name": r.rater_name})).collect::<Vec<_>>(),
                })).collect::<Vec<_>>()),
                todo => ser(v.todo.iter().map(|t| json!({
                    "employee_id": t.employee_id, "name": t.name, "perspective": t.perspective.code(),
                })).collect::<Vec<_>>()),
                next => next,
                may_move => matches!(actor.role, Role::Admin | Role::Head),
                may_calibrate => matches!(actor.role, Role::Admin | Role::Head | Role::Manager),
                new_link => new_link.map(ser),
                mails => state.services.mails(),
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
    let evidence = match todo.perspective {
        Perspective::SelfReview | Perspective::Manager => {
            evidence(&state, &actor, lang, &v.cycle, employee_id).await
        }
        // Peers and clients judge by what they saw; the person's records
        // stay with those who may see them.
        Perspective::Peer | Perspective::Client => None,
    };
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
                evidence => evidence.map(ser),
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
    let (ratings, get) = assessment_form(&form)?;
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

/// Changes a cycle's dates and people from its page (`add`, `remove`: any
/// number of people).
pub async fn update(
    State(state): State<AppState>,
    Auth(actor): Auth,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Redirect, WebError> {
    // An empty date or name keeps the cycle's own.
    let get = |k: &str| Some(super::form_value(&pairs, k));
    let mut problems = Vec::new();
    let add = super::form_ids(&pairs, "add", &mut problems);
    let remove = super::form_ids(&pairs, "remove", &mut problems);
    if !problems.is_empty() {
        return Err(mkpi_services::Error::Invalid(problems).into());
    }
    let change = mkpi_services::reviews::CycleChange {
        name: get("name"),
        self_due: get("self_due"),
        nomination_due: get("nomination_due"),
        assessment_due: get("assessment_due"),
        calibration_due: get("calibration_due"),
        release_due: get("release_due"),
        add_employee_ids: add,
        remove_employee_ids: remove,
    };
    state
        .services
        .update_review_cycle(&actor, id, &change)
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
    let competency_name = |code: &str| competency_name(lang, &catalogue, code);
    // The development plan: the person's actions, those this cycle called
    // for first; managers add one tied to a competency (the lowest rated
    // by others offered first).
    let actions = state
        .services
        .development_actions(&actor, employee_id)
        .await
        .unwrap_or_default();
    let plan: Vec<serde_json::Value> = actions
        .iter()
        .filter(|a| a.cycle_id == Some(id) || a.competency_code.is_some())
        .map(|a| {
            json!({
                "kind": a.kind, "title": a.title, "status": a.status, "due_on": a.due_on,
                "owner": a.owner_name, "this_cycle": a.cycle_id == Some(id),
                "competency": a.competency_code.as_deref().map(competency_name),
            })
        })
        .collect();
    let mut others: Vec<(String, f64)> = r
        .perspectives
        .iter()
        .filter(|p| p.perspective != Perspective::SelfReview)
        .flat_map(|p| p.competencies.iter().map(|(c, m)| (c.clone(), *m)))
        .collect();
    others.sort_by(|a, b| a.1.total_cmp(&b.1));
    let mut suggested: Vec<String> = Vec::new();
    for (c, _) in others {
        if !suggested.contains(&c) {
            suggested.push(c);
        }
    }
    for c in &catalogue {
        if !suggested.contains(&c.code) {
            suggested.push(c.code.clone());
        }
    }
    let may_plan = matches!(actor.role, Role::Manager | Role::Head)
        && actor.employee_id.is_some_and(|me| me != employee_id);
    let today = Day::from_unix_seconds(state.services.clock().now());
    // A perspective's part is missing for the reason its answers are hidden.
    let hidden_of = |part: &str| {
        r.perspectives
            .iter()
            .find(|p| p.perspective.code() == part)
            .and_then(|p| p.hidden)
    };
    let html = state.templates().render(
        "review_results.html",
        context! {
            ..layout(lang, Some(&actor), "reviews", &format!("/reviews/{id}/results/{employee_id}")),
            ..context! {
                cycle_id => id,
                cycle_name => r.cycle.name.clone(),
                employee_id => employee_id,
                name => name,
                score => r.score.value.map(pct),
                final_score => r.final_score.map(pct),
                adjustment => r.adjustment.as_ref().map(|a| ser(json!({
                    "points": format!("{:+}", (a.delta * 100.0).round() as i64), "reason": a.reason,
                }))),
                formula_version => r.cycle.formula_version,
                potential => r.potential,
                acknowledgement => r.acknowledgement.as_ref().map(|(c, at)| ser(json!({"comment": c, "at": at}))),
                plan => ser(plan),
                may_plan => may_plan,
                plan_competencies => ser(suggested.iter().map(|c| json!({"code": c, "name": competency_name(c)})).collect::<Vec<_>>()),
                in_month => today.plus_days(30).to_string(),
                may_acknowledge => actor.employee_id == Some(employee_id)
                    && matches!(r.cycle.status.as_str(), "released" | "closed"),
                renormalised => r.score.renormalised(),
                parts => ser(r.score.parts.iter().map(|p| json!({
                    "name": p.name, "value": p.value.map(pct), "weight": pct(p.weight),
                    "used": pct(p.used_weight),
                    "missing": p.missing.as_deref().map(|m| why_missing(&state, lang, m, hidden_of(&p.name))),
                })).collect::<Vec<_>>()),
                perspectives => ser(r.perspectives.iter().map(|p| json!({
                    "perspective": p.perspective.code(), "answers": p.answers,
                    "mean": p.mean.map(|m| lang.format_decimal(m, 2)),
                    "hidden": p.hidden.map(|h| why_missing(&state, lang, "", Some(h))),
                    "competencies": p.competencies.iter().map(|(c, m)| json!({"name": competency_name(c), "mean": lang.format_decimal(*m, 2)})).collect::<Vec<_>>(),
                    "comments": p.comments,
                })).collect::<Vec<_>>()),
            },
        },
    )?;
    Ok(Html(html))
}

/// The person's record for the cycle's period, beside the questions: KPIs
/// with achievement, goals with progress, tasks done with their quality,
/// time per campaign, and check-ins on their KPIs. As the assessor may see
/// them; nothing when they may not.
async fn evidence(
    state: &AppState,
    actor: &mkpi_services::Actor,
    lang: Locale,
    cycle: &mkpi_services::reviews::CycleRow,
    employee_id: i64,
) -> Option<serde_json::Value> {
    use mkpi_domain::metric::Unit;
    let period = mkpi_domain::period::Period::parse(&cycle.period_from, &cycle.period_to).ok()?;
    let card = state
        .services
        .scorecard(actor, employee_id, period)
        .await
        .ok()?;
    let fmt = |v: Option<f64>, unit: Unit, currency: Option<&str>| {
        v.map_or_else(
            || "—".to_string(),
            |v| lang.format_metric(v, unit, currency),
        )
    };
    let kpis: Vec<serde_json::Value> = card
        .kpis
        .iter()
        .map(|k| {
            let line = super::dashboard::kpi_line(lang, k);
            json!({
                "name": line.name, "value": fmt(k.value, k.metric.unit, k.currency.as_deref()),
                "achievement": k.achievement.map(|a| lang.format_metric(a, Unit::Percent, None)),
            })
        })
        .collect();
    let scope = format!("employee:{employee_id}");
    let mut goals = Vec::new();
    if let Ok(roots) = state.services.goal_tree(actor, Some(period)).await {
        fn walk(
            v: &[mkpi_services::goals::GoalView],
            scope: &str,
            out: &mut Vec<(String, Option<f64>)>,
        ) {
            for g in v {
                if g.goal.scope == scope && g.goal.status != "cancelled" {
                    out.push((g.goal.title.clone(), g.progress));
                }
                walk(&g.children, scope, out);
            }
        }
        walk(&roots, &scope, &mut goals);
    }
    let tasks = state
        .services
        .list_tasks(
            actor,
            &mkpi_services::tasks::TaskQuery {
                assignee: Some(employee_id),
                status: Some("done".into()),
                finished_since: Some(period.from.to_string()),
                ..Default::default()
            },
        )
        .await
        .unwrap_or_default();
    let to = period.to.to_string();
    let tasks: Vec<serde_json::Value> = tasks
        .iter()
        .filter(|t| t.completed.as_deref().is_none_or(|c| c < to.as_str()))
        .take(30)
        .map(|t| json!({"key": t.task, "id": t.id, "title": t.title, "quality": t.quality, "comment": t.quality_comment}))
        .collect();
    let mut check_ins = Vec::new();
    let (from_s, to_s) = (period.from.unix_seconds(), period.to.unix_seconds());
    for k in &card.kpis {
        if let Ok(rows) = state.services.check_ins(actor, k.id).await {
            for c in rows
                .into_iter()
                .filter(|c| c.at >= from_s && c.at < to_s)
                .take(5)
            {
                check_ins.push(json!({
                    "kpi": super::dashboard::kpi_line(lang, k).name, "at": c.at,
                    "confidence": c.confidence, "comment": c.comment, "author": c.author_name,
                }));
            }
        }
    }
    // 1:1 notes the pair shared, held in the period.
    let (from_day, to_day) = (period.from.to_string(), period.to.to_string());
    let notes: Vec<serde_json::Value> = state
        .services
        .one_on_ones(actor, employee_id)
        .await
        .unwrap_or_default()
        .into_iter()
        .filter(|n| n.shared && n.held_on >= from_day && n.held_on < to_day)
        .take(10)
        .map(|n| json!({"held_on": n.held_on, "notes": n.notes, "next_steps": n.next_steps}))
        .collect();
    let time: Vec<serde_json::Value> = card
        .time
        .iter()
        .map(|t| json!({"name": t.name, "hours": lang.format_metric(t.hours, Unit::Hours, None)}))
        .collect();
    Some(json!({
        "kpis": kpis,
        "kpi_score": card.kpi_score.map(|s| lang.format_metric(s, Unit::Percent, None)),
        "goals": goals.iter().map(|(t, p)| json!({"title": t, "progress": p.map(|p| lang.format_metric(p, Unit::Percent, None))})).collect::<Vec<_>>(),
        "tasks": tasks, "time": time, "check_ins": check_ins, "notes": notes,
    }))
}

/// Why a part of a score is missing, in the reader's language: a
/// perspective's reason from its [`Hidden`], the services' fixed reasons
/// (kept in English for the API) matched one by one.
fn why_missing(state: &AppState, lang: Locale, why: &str, hidden: Option<Hidden>) -> String {
    use fluent_bundle::FluentValue;
    use mkpi_services::calibration::missing;
    let args = |n: usize, t: usize| {
        crate::i18n::args([
            ("n", FluentValue::from(n)),
            ("threshold", FluentValue::from(t)),
        ])
    };
    match hidden {
        Some(Hidden::NoAnswers) => {
            return state.i18n().text(lang, "review-missing-no-answers", None);
        }
        Some(Hidden::Collecting(n)) => {
            let args = args(n, 0);
            return state
                .i18n()
                .text(lang, "review-missing-collecting", Some(&args));
        }
        Some(Hidden::Below { answers, threshold }) => {
            let args = args(answers, threshold);
            return state.i18n().text(lang, "review-missing-below", Some(&args));
        }
        None => {}
    }
    let plain = [
        (missing::NO_ANSWERS, "review-missing-no-answers"),
        (missing::NO_RATINGS, "review-missing-no-answers"),
        (missing::NO_KPIS, "review-missing-no-kpis"),
        (missing::NO_KPI_VALUES, "review-missing-no-kpi-values"),
        (missing::NO_GOALS, "review-missing-no-goals"),
    ];
    plain.iter().find(|(m, _)| *m == why).map_or_else(
        || why.to_string(),
        |(_, key)| state.i18n().text(lang, key, None),
    )
}

/// An assessment form's answers: `rating_{code}` and `comment_{code}` per
/// competency, and a lookup of any other field (`comment`, `perspective`).
pub(super) fn assessment_form(
    form: &[(String, String)],
) -> Result<(Vec<RatingInput>, impl Fn(&str) -> String + '_), WebError> {
    let get = |k: &str| {
        form.iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let mut ratings = Vec::new();
    for (name, value) in form {
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
    Ok((ratings, get))
}

/// A competency's name in the reader's language (its code when the
/// framework has no such competency).
pub(super) fn competency_name(
    lang: Locale,
    framework: &[mkpi_services::reviews::CompetencyRow],
    code: &str,
) -> String {
    framework.iter().find(|c| c.code == code).map_or_else(
        || code.to_string(),
        |c| {
            if lang == Locale::Ru {
                c.name_ru.clone()
            } else {
                c.name_en.clone()
            }
        },
    )
}
