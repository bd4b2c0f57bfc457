//! Review pages beyond the assessment: the calibration view (everyone side
//! by side, moves with reasons, potential, the 9-box, rater statistics, the
//! formula with its what-if), a person's history across cycles, clients'
//! invitations and the client's own form behind a single-use link.

use axum::Form;
use axum::extract::{Path, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use minijinja::context;
use mkpi_domain::Locale;
use mkpi_domain::Role;
use mkpi_domain::review::Perspective;
use mkpi_services::Error;
use mkpi_services::calibration::{Calibration, FormulaInput, WhatIfRow};
use serde::Deserialize;
use serde_json::json;

use super::{layout, ser};
use crate::AppState;
use crate::auth::{Auth, Lang, MaybeAuth};
use crate::error::WebError;

fn pct(lang: Locale, x: Option<f64>) -> Option<String> {
    x.map(|x| lang.format_decimal(x * 100.0, 0) + "%")
}

fn competency_names(
    lang: Locale,
    catalogue: &[mkpi_services::reviews::CompetencyRow],
) -> Vec<(String, String)> {
    catalogue
        .iter()
        .map(|c| {
            (
                c.code.clone(),
                super::reviews::competency_name(lang, catalogue, &c.code),
            )
        })
        .collect()
}

/// The calibration page, with a what-if table when one was asked for.
async fn render(
    state: &AppState,
    lang: Locale,
    actor: &mkpi_services::Actor,
    c: Calibration,
    proposed: Option<(FormulaInput, Vec<WhatIfRow>)>,
) -> Result<Html<String>, WebError> {
    let id = c.cycle.id;
    let w = |p: Perspective| c.formula.competencies.get(&p).copied().unwrap_or(0.0) * 100.0;
    let shown = |x: f64| (x * 10.0).round() / 10.0;
    let formula = match &proposed {
        Some((f, _)) => json!({
            "kpi": f.kpi, "goals": f.goals, "manager": f.manager, "peer": f.peer,
            "client": f.client, "self": f.self_review,
        }),
        None => json!({
            "kpi": shown(c.formula.kpi * 100.0), "goals": shown(c.formula.goals * 100.0),
            "manager": shown(w(Perspective::Manager)), "peer": shown(w(Perspective::Peer)),
            "client": shown(w(Perspective::Client)), "self": shown(w(Perspective::SelfReview)),
        }),
    };
    let part = |r: &mkpi_services::calibration::CalibrationRow, p: Perspective| {
        r.parts
            .competencies
            .get(&p)
            .and_then(|v| v.as_ref().ok().copied())
    };
    let rows: Vec<serde_json::Value> = c
        .rows
        .iter()
        .map(|r| {
            json!({
                "id": r.employee_id, "name": r.name, "place": r.place,
                "kpi": pct(lang, r.parts.kpi.clone().ok()), "goals": pct(lang, r.parts.goals.clone().ok()),
                "self": pct(lang, part(r, Perspective::SelfReview)),
                "manager": pct(lang, part(r, Perspective::Manager)),
                "peer": pct(lang, part(r, Perspective::Peer)),
                "client": pct(lang, part(r, Perspective::Client)),
                "score": pct(lang, r.score.value), "final": pct(lang, r.final_score),
                "points": r.adjustment.as_ref().map(|a| lang.format_decimal(a.delta * 100.0, 0)),
                "reason": r.adjustment.as_ref().map(|a| a.reason.clone()),
                "potential": r.potential,
                "self_gap": r.parts.self_gap.map(|g| lang.format_decimal(g, 2)),
                "disagreement": r.parts.disagreement.map(|g| lang.format_decimal(g, 2)),
            })
        })
        .collect();
    // The 9-box: rows potential high → low, columns performance low → high.
    let mut grid = vec![vec![Vec::<String>::new(); 3]; 3];
    for r in &c.rows {
        if let Some((perf, pot)) = r.nine_box {
            grid[2 - pot as usize][perf as usize].push(r.name.clone());
        }
    }
    let unrated: Vec<&str> = c
        .rows
        .iter()
        .filter(|r| r.nine_box.is_none())
        .map(|r| r.name.as_str())
        .collect();
    let chart = json!({
        "grid": {"left": 40, "right": 20, "top": 20, "bottom": 30},
        "tooltip": {"trigger": "axis"},
        "xAxis": {"type": "category", "data": ["0–20", "20–40", "40–60", "60–80", "80–100"]},
        "yAxis": {"type": "value", "minInterval": 1},
        "series": [{"type": "bar", "data": c.distribution, "itemStyle": {"color": "#3e6fd8"}}],
    });
    let what_if = proposed.map(|(_, rows)| {
        rows.iter()
            .map(|r| {
                json!({
                    "name": r.name, "current": pct(lang, r.current), "current_place": r.current_place,
                    "proposed": pct(lang, r.proposed), "proposed_place": r.proposed_place,
                    "moved": r.current_place != r.proposed_place,
                })
            })
            .collect::<Vec<_>>()
    });
    let status = c.cycle.status.clone();
    let html = state.templates().render(
        "review_calibration.html",
        context! {
            ..layout(lang, Some(actor), "reviews", &format!("/reviews/{id}/calibration")),
            ..context! {
                cycle => ser(json!({"id": id, "name": c.cycle.name, "status": status, "version": c.cycle.formula_version})),
                rows => ser(rows),
                grid => ser(grid),
                unrated => ser(unrated),
                chart => ser(chart),
                raters => ser(c.raters.iter().map(|r| json!({
                    "name": r.name, "people": r.people,
                    "leniency": r.leniency.map(|l| lang.format_decimal(l, 2)),
                })).collect::<Vec<_>>()),
                formula => ser(formula),
                what_if => what_if.map(ser),
                may_formula => matches!(actor.role, Role::Admin | Role::Head) && matches!(status.as_str(), "open" | "calibration"),
                may_adjust => status == "calibration",
                may_potential => matches!(status.as_str(), "open" | "calibration"),
                scale => (c.cycle.scale_min..=c.cycle.scale_max).collect::<Vec<i64>>(),
            },
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
    let c = state.services.calibration(&actor, id).await?;
    render(&state, lang, &actor, c, None).await
}

#[derive(Deserialize)]
pub struct FormulaForm {
    #[serde(default)]
    kpi: String,
    #[serde(default)]
    goals: String,
    #[serde(default)]
    manager: String,
    #[serde(default)]
    peer: String,
    #[serde(default)]
    client: String,
    #[serde(default, rename = "self")]
    self_review: String,
}

impl FormulaForm {
    fn input(&self) -> Result<FormulaInput, WebError> {
        let mut problems = Vec::new();
        let mut read = |field: &str, v: &str| match v.trim().replace(',', ".").parse::<f64>() {
            Ok(x) if x.is_finite() => x,
            _ if v.trim().is_empty() => 0.0,
            _ => {
                problems.push(mkpi_services::FieldProblem::new(
                    field,
                    format!("'{}' is not a number", v.trim()),
                ));
                0.0
            }
        };
        let f = FormulaInput {
            kpi: read("kpi", &self.kpi),
            goals: read("goals", &self.goals),
            manager: read("manager", &self.manager),
            peer: read("peer", &self.peer),
            client: read("client", &self.client),
            self_review: read("self", &self.self_review),
        };
        if problems.is_empty() {
            Ok(f)
        } else {
            Err(Error::Invalid(problems).into())
        }
    }
}

pub async fn what_if(
    State(state): State<AppState>,
    Lang(lang): Lang,
    Auth(actor): Auth,
    Path(id): Path<i64>,
    Form(f): Form<FormulaForm>,
) -> Result<Html<String>, WebError> {
    let input = f.input()?;
    let rows = state.services.review_what_if(&actor, id, &input).await?;
    let c = state.services.calibration(&actor, id).await?;
    render(&state, lang, &actor, c, Some((input, rows))).await
}

pub async fn set_formula(
    State(state): State<AppState>,
    Auth(actor): Auth,
    Path(id): Path<i64>,
    Form(f): Form<FormulaForm>,
) -> Result<Redirect, WebError> {
    state
        .services
        .set_review_formula(&actor, id, &f.input()?)
        .await?;
    Ok(Redirect::to(&format!("/reviews/{id}/calibration")))
}

#[derive(Deserialize)]
pub struct AdjustForm {
    #[serde(default)]
    employee_id: String,
    #[serde(default)]
    points: String,
    #[serde(default)]
    reason: String,
}

fn person_id(v: &str) -> Result<i64, WebError> {
    v.trim()
        .parse::<i64>()
        .map_err(|_| Error::invalid("employee_id", "choose a person").into())
}

pub async fn adjust(
    State(state): State<AppState>,
    Auth(actor): Auth,
    Path(id): Path<i64>,
    Form(f): Form<AdjustForm>,
) -> Result<Redirect, WebError> {
    let points = f
        .points
        .trim()
        .replace(',', ".")
        .parse::<f64>()
        .map_err(|_| Error::invalid("points", "give a move in points, such as 5 or -5"))?;
    state
        .services
        .adjust_review_score(&actor, id, person_id(&f.employee_id)?, points, &f.reason)
        .await?;
    Ok(Redirect::to(&format!("/reviews/{id}/calibration")))
}

#[derive(Deserialize)]
pub struct PotentialForm {
    #[serde(default)]
    employee_id: String,
    #[serde(default)]
    rating: String,
}

pub async fn potential(
    State(state): State<AppState>,
    Auth(actor): Auth,
    Path(id): Path<i64>,
    Form(f): Form<PotentialForm>,
) -> Result<Redirect, WebError> {
    let rating = f
        .rating
        .trim()
        .parse::<i64>()
        .map_err(|_| Error::invalid("rating", "choose a rating"))?;
    state
        .services
        .rate_potential(&actor, id, person_id(&f.employee_id)?, rating)
        .await?;
    Ok(Redirect::to(&format!("/reviews/{id}/calibration")))
}

#[derive(Deserialize)]
pub struct AcknowledgeForm {
    #[serde(default)]
    comment: String,
}

pub async fn acknowledge(
    State(state): State<AppState>,
    Auth(actor): Auth,
    Path(id): Path<i64>,
    Form(f): Form<AcknowledgeForm>,
) -> Result<Redirect, WebError> {
    state
        .services
        .acknowledge_review(&actor, id, &f.comment)
        .await?;
    let me = actor.employee_id.unwrap_or_default();
    Ok(Redirect::to(&format!("/reviews/{id}/results/{me}")))
}

#[derive(Deserialize)]
pub struct ClientForm {
    #[serde(default)]
    employee_id: String,
    #[serde(default)]
    client_name: String,
    #[serde(default)]
    client_email: String,
}

/// Invites a client and shows the cycle page with the link, this once.
pub async fn invite(
    State(state): State<AppState>,
    lang: Lang,
    Auth(actor): Auth,
    Path(id): Path<i64>,
    Form(f): Form<ClientForm>,
) -> Result<Html<String>, WebError> {
    let l = state
        .services
        .invite_client(
            &actor,
            id,
            person_id(&f.employee_id)?,
            &f.client_name,
            &f.client_email,
        )
        .await?;
    // The link went to the client alone; the inviter learns only that.
    let link = json!({
        "name": l.rater.rater_name, "last_day": l.last_day, "mailed_to": l.mailed_to,
    });
    super::reviews::render_cycle(&state, lang, &actor, id, Some(link)).await
}

/// A person's results across cycles as charts and a table.
pub async fn history(
    State(state): State<AppState>,
    Lang(lang): Lang,
    Auth(actor): Auth,
    Path(employee_id): Path<i64>,
) -> Result<Html<String>, WebError> {
    let h = state.services.review_history(&actor, employee_id).await?;
    let name = state.services.get_employee(&actor, employee_id).await?.name;
    let names = competency_names(lang, &state.services.competencies().await?);
    let cycles: Vec<&str> = h.iter().map(|p| p.cycle.name.as_str()).collect();
    let percent = |x: Option<f64>| x.map(|x| (x * 1000.0).round() / 10.0);
    let scores = json!({
        "grid": {"left": 50, "right": 20, "top": 40, "bottom": 30},
        "tooltip": {"trigger": "axis"},
        "legend": {"top": 0},
        "xAxis": {"type": "category", "data": cycles},
        "yAxis": {"type": "value", "min": 0, "max": 100},
        "series": [
            {"type": "line", "name": "final", "data": h.iter().map(|p| percent(p.score)).collect::<Vec<_>>()},
            {"type": "line", "name": "KPI", "data": h.iter().map(|p| percent(p.kpi)).collect::<Vec<_>>()},
            {"type": "line", "name": "goals", "data": h.iter().map(|p| percent(p.goals)).collect::<Vec<_>>()},
        ],
    });
    let competencies = json!({
        "grid": {"left": 50, "right": 20, "top": 60, "bottom": 30},
        "tooltip": {"trigger": "axis"},
        "legend": {"top": 0},
        "xAxis": {"type": "category", "data": cycles},
        "yAxis": {"type": "value", "min": 1, "max": 5},
        "series": names.iter().map(|(code, label)| json!({
            "type": "line", "name": label,
            "data": h.iter().map(|p| p.competencies.get(code).map(|m| (m * 100.0).round() / 100.0)).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
    });
    let rows: Vec<serde_json::Value> = h
        .iter()
        .map(|p| {
            json!({
                "cycle_id": p.cycle.id, "name": p.cycle.name,
                "score": pct(lang, p.score), "kpi": pct(lang, p.kpi), "goals": pct(lang, p.goals),
                "competencies": names.iter().map(|(code, _)| p.competencies.get(code).map(|m| lang.format_decimal(*m, 2))).collect::<Vec<_>>(),
            })
        })
        .collect();
    let html = state.templates().render(
        "review_history.html",
        context! {
            ..layout(lang, Some(&actor), "reviews", &format!("/reviews/people/{employee_id}")),
            ..context! {
                name => name,
                employee_id => employee_id,
                rows => ser(rows),
                competency_names => ser(names.iter().map(|(_, n)| n.clone()).collect::<Vec<_>>()),
                scores_chart => (!h.is_empty()).then(|| ser(scores)),
                competencies_chart => (!h.is_empty()).then(|| ser(competencies)),
            },
        },
    )?;
    Ok(Html(html))
}

/// The client's form behind their link (no account), or the "gone" page.
/// A client's form is for people without an account: someone signed in to
/// mkpi (who may read the person's results) answers nothing through it.
fn refuse_accounts(actor: Option<&mkpi_services::Actor>) -> Result<(), WebError> {
    match actor {
        Some(_) => Err(mkpi_services::Error::Forbidden.into()),
        None => Ok(()),
    }
}

pub async fn client_form(
    State(state): State<AppState>,
    Lang(lang): Lang,
    MaybeAuth(actor): MaybeAuth,
    Path(token): Path<String>,
) -> Result<Html<String>, WebError> {
    let f = state.services.client_form(&token).await?;
    refuse_accounts(actor.as_ref())?;
    let levels = |t: &str| serde_json::from_str::<Vec<String>>(t).unwrap_or_default();
    let competencies: Vec<serde_json::Value> = f
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
        "client_review.html",
        context! {
            ..layout(lang, actor.as_ref(), "", "/r"),
            ..context! {
                token => token,
                person => f.person_name,
                cycle_name => f.cycle.name,
                last_day => f.last_day,
                competencies => ser(competencies),
                scale => (f.cycle.scale_min..=f.cycle.scale_max).collect::<Vec<i64>>(),
                done => false,
            },
        },
    )?;
    Ok(Html(html))
}

pub async fn client_submit(
    State(state): State<AppState>,
    Lang(lang): Lang,
    MaybeAuth(actor): MaybeAuth,
    Path(token): Path<String>,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    state.services.client_form(&token).await?;
    refuse_accounts(actor.as_ref())?;
    let (ratings, get) = super::reviews::assessment_form(&form)?;
    state
        .services
        .submit_client_assessment(&token, &ratings, &get("comment"))
        .await?;
    let html = state.templates().render(
        "client_review.html",
        context! {
            ..layout(lang, actor.as_ref(), "", "/r"),
            ..context! { done => true },
        },
    )?;
    Ok(Html(html).into_response())
}

/// The competency framework: names, level descriptors, per-position
/// weights; the head and admins edit it, everyone reads it.
pub async fn framework(
    State(state): State<AppState>,
    Lang(lang): Lang,
    Auth(actor): Auth,
) -> Result<Html<String>, WebError> {
    let rows = state.services.competencies().await?;
    let weights = state.services.competency_weights().await?;
    let mut positions: Vec<String> = state
        .services
        .list_employees(&actor)
        .await?
        .into_iter()
        .map(|e| e.position)
        .filter(|p| !p.trim().is_empty())
        .collect();
    positions.sort();
    positions.dedup();
    let levels = |t: &str| serde_json::from_str::<Vec<String>>(t).unwrap_or_default();
    let competencies: Vec<serde_json::Value> = rows
        .iter()
        .map(|c| {
            json!({
                "code": c.code, "name_en": c.name_en, "name_ru": c.name_ru,
                "levels_en": levels(&c.levels_en), "levels_ru": levels(&c.levels_ru),
                "weights": weights.get(&c.code).map(|w| w.iter().map(|(p, x)| json!({"position": p, "weight": lang.format_decimal(*x, 2)})).collect::<Vec<_>>()).unwrap_or_default(),
            })
        })
        .collect();
    let html = state.templates().render(
        "review_framework.html",
        context! {
            ..layout(lang, Some(&actor), "reviews", "/reviews/framework"),
            ..context! {
                competencies => ser(competencies),
                positions => ser(positions),
                may_edit => matches!(actor.role, Role::Admin | Role::Head),
            },
        },
    )?;
    Ok(Html(html))
}

#[derive(Deserialize)]
pub struct CompetencyForm {
    #[serde(default)]
    code: String,
    #[serde(default)]
    name_en: String,
    #[serde(default)]
    name_ru: String,
    #[serde(default)]
    level_en_1: String,
    #[serde(default)]
    level_en_3: String,
    #[serde(default)]
    level_en_5: String,
    #[serde(default)]
    level_ru_1: String,
    #[serde(default)]
    level_ru_3: String,
    #[serde(default)]
    level_ru_5: String,
}

impl From<CompetencyForm> for mkpi_services::review_framework::CompetencyInput {
    fn from(f: CompetencyForm) -> Self {
        mkpi_services::review_framework::CompetencyInput {
            code: f.code,
            name_en: f.name_en,
            name_ru: f.name_ru,
            levels_en: vec![f.level_en_1, f.level_en_3, f.level_en_5],
            levels_ru: vec![f.level_ru_1, f.level_ru_3, f.level_ru_5],
        }
    }
}

pub async fn add_competency(
    State(state): State<AppState>,
    Auth(actor): Auth,
    Form(f): Form<CompetencyForm>,
) -> Result<Redirect, WebError> {
    state.services.add_competency(&actor, &f.into()).await?;
    Ok(Redirect::to("/reviews/framework"))
}

pub async fn update_competency(
    State(state): State<AppState>,
    Auth(actor): Auth,
    Path(code): Path<String>,
    Form(f): Form<CompetencyForm>,
) -> Result<Redirect, WebError> {
    state
        .services
        .update_competency(&actor, &code, &f.into())
        .await?;
    Ok(Redirect::to("/reviews/framework"))
}

pub async fn retire_competency(
    State(state): State<AppState>,
    Auth(actor): Auth,
    Path(code): Path<String>,
) -> Result<Redirect, WebError> {
    state.services.retire_competency(&actor, &code).await?;
    Ok(Redirect::to("/reviews/framework"))
}

#[derive(Deserialize)]
pub struct WeightForm {
    #[serde(default)]
    position: String,
    #[serde(default)]
    weight: String,
}

pub async fn set_weight(
    State(state): State<AppState>,
    Auth(actor): Auth,
    Path(code): Path<String>,
    Form(f): Form<WeightForm>,
) -> Result<Redirect, WebError> {
    let weight = f
        .weight
        .trim()
        .replace(',', ".")
        .parse::<f64>()
        .map_err(|_| Error::invalid("weight", "give a weight from 0 to 10"))?;
    state
        .services
        .set_competency_weight(&actor, &code, &f.position, weight)
        .await?;
    Ok(Redirect::to("/reviews/framework"))
}
