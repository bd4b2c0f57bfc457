//! KPIs in the browser: the list of those the caller may see for a year,
//! a form to set one, and each KPI's page where its target changes from a
//! day on (earlier days keep theirs), its weight changes, or it retires.

use std::collections::BTreeMap;

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use minijinja::context;
use mkpi_domain::period::{Day, Period};
use mkpi_domain::{Locale, Role};
use mkpi_services::kpis::{NewKpiInput, TargetChange, TargetInput};
use mkpi_services::metrics::ScopeRef;
use mkpi_services::{Actor, Error, FieldProblem};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::dashboard::kpi_line;
use super::goals::number;
use super::{layout, ser};
use crate::AppState;
use crate::auth::{Auth, Lang};
use crate::error::WebError;

fn by_field(state: &AppState, lang: Locale, problems: &[FieldProblem]) -> BTreeMap<String, String> {
    // targets[0] is the one target the form sets.
    let problems: Vec<FieldProblem> = problems
        .iter()
        .map(|p| FieldProblem {
            field: if p.field.starts_with("targets") {
                "target".to_string()
            } else {
                p.field.clone()
            },
            ..p.clone()
        })
        .collect();
    super::field_errors(state, lang, &problems)
}

#[derive(Deserialize, Serialize, Default, Clone)]
pub struct KpiForm {
    #[serde(default)]
    metric: String,
    #[serde(default)]
    scope: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    until: String,
    #[serde(default)]
    floor: String,
    #[serde(default)]
    target: String,
    #[serde(default)]
    stretch: String,
    #[serde(default)]
    weight: String,
}

#[derive(Deserialize)]
pub struct YearQuery {
    year: Option<i64>,
}

/// The scopes the actor may see, labelled: department, teams, people.
async fn scopes(
    state: &AppState,
    actor: &Actor,
    lang: Locale,
) -> Result<Vec<(String, String)>, WebError> {
    let mut out = vec![(
        "department".to_string(),
        match lang {
            Locale::Ru => "Отдел".to_string(),
            Locale::En => "Department".to_string(),
        },
    )];
    for t in state.services.list_teams(actor).await? {
        if t.archived_at.is_none() {
            out.push((format!("team:{}", t.id), t.name));
        }
    }
    for e in state.services.list_employees(actor).await? {
        if e.active {
            out.push((format!("employee:{}", e.id), e.name));
        }
    }
    Ok(out)
}

fn this_year(state: &AppState) -> i64 {
    Day::from_unix_seconds(state.services.clock().now()).ymd().0
}

#[allow(clippy::too_many_arguments)]
async fn render_list(
    state: &AppState,
    lang: Locale,
    actor: &Actor,
    year: i64,
    status: StatusCode,
    form: &KpiForm,
    errors: &BTreeMap<String, String>,
) -> Result<Response, WebError> {
    let (Some(from), Some(to)) = (Day::from_ymd(year, 1, 1), Day::from_ymd(year + 1, 1, 1)) else {
        return Err(Error::invalid("year", format!("{year} is not a year")).into());
    };
    let period = Period::new(from, to).map_err(|e| Error::invalid("year", e.to_string()))?;
    let scopes = scopes(state, actor, lang).await?;
    let refs: Vec<ScopeRef> = scopes
        .iter()
        .filter_map(|(s, _)| ScopeRef::parse(s).ok())
        .collect();
    let label: BTreeMap<&str, &str> = scopes
        .iter()
        .map(|(s, l)| (s.as_str(), l.as_str()))
        .collect();
    let kpis = state.services.kpis_for_any(actor, &refs, period).await?;
    let rows: Vec<_> = kpis
        .iter()
        .map(|k| {
            json!({
                "id": k.id,
                "line": kpi_line(lang, k),
                "scope": label.get(k.scope.as_str()).copied().unwrap_or(k.scope.as_str()),
                "from": k.period.from.to_string(),
                "last_day": k.period.to.plus_days(-1).to_string(),
                "weight": k.weight,
            })
        })
        .collect();
    let catalogue = state.services.catalogue().await?;
    let metrics: Vec<_> = catalogue
        .all()
        .map(|m| {
            json!({"code": m.code, "name": if lang == Locale::Ru { &m.name_ru } else { &m.name_en }})
        })
        .collect();
    let can_set = matches!(actor.role, Role::Admin | Role::Head | Role::Manager);
    let settable: Vec<_> = scopes
        .iter()
        .filter(|(s, _)| {
            ScopeRef::parse(s).is_ok_and(|r| mkpi_services::kpis::may_set_scope(actor, &r))
        })
        .map(|(s, l)| json!({"value": s, "label": l}))
        .collect();
    let today = Day::from_unix_seconds(state.services.clock().now());
    let quarter_start =
        Day::from_ymd(today.ymd().0, (today.ymd().1 - 1) / 3 * 3 + 1, 1).unwrap_or(today);
    let mut form = form.clone();
    if form.from.is_empty() && form.until.is_empty() && form.metric.is_empty() {
        form.from = quarter_start.to_string();
        form.until = quarter_start.plus_months(3).plus_days(-1).to_string();
        form.weight = "1".into();
    }
    let html = state.templates().render(
        "kpis.html",
        context! {
            ..layout(lang, Some(actor), "kpis", "/kpis"),
            ..context! {
                kpis => ser(&rows),
                year => year,
                years => vec![year - 1, year, year + 1],
                metrics => ser(&metrics),
                scopes => ser(&settable),
                can_set => can_set && !settable.is_empty(),
                form => ser(&form),
                errors => ser(errors),
            },
        },
    )?;
    Ok((status, Html(html)).into_response())
}

pub async fn list(
    State(state): State<AppState>,
    Lang(lang): Lang,
    Auth(actor): Auth,
    Query(q): Query<YearQuery>,
) -> Result<Response, WebError> {
    let year = q.year.unwrap_or_else(|| this_year(&state));
    render_list(
        &state,
        lang,
        &actor,
        year,
        StatusCode::OK,
        &KpiForm::default(),
        &BTreeMap::new(),
    )
    .await
}

pub async fn create(
    State(state): State<AppState>,
    Lang(lang): Lang,
    Auth(actor): Auth,
    Form(form): Form<KpiForm>,
) -> Result<Response, WebError> {
    if !matches!(actor.role, Role::Admin | Role::Head | Role::Manager) {
        return Err(Error::Forbidden.into());
    }
    let mut problems = Vec::new();
    let target = number("target", &form.target, &mut problems);
    let floor = number("floor", &form.floor, &mut problems);
    let stretch = number("stretch", &form.stretch, &mut problems);
    let weight = number("weight", &form.weight, &mut problems);
    if target.is_none() && !problems.iter().any(|p| p.field == "target") {
        problems.push(FieldProblem::new("target", "is required"));
    }
    // The form asks for the last day; the KPI's period ends the day after.
    let to = match Day::parse(form.until.trim()) {
        Ok(d) => d.plus_days(1).to_string(),
        Err(e) => {
            problems.push(FieldProblem::new("until", e.to_string()));
            String::new()
        }
    };
    let year = Day::parse(form.from.trim())
        .map(|d| d.ymd().0)
        .unwrap_or_else(|_| this_year(&state));
    let result = match (problems.is_empty(), target) {
        (true, Some(target)) => {
            let input = NewKpiInput {
                metric: form.metric.clone(),
                scope: form.scope.clone(),
                from: form.from.trim().to_string(),
                to: to.clone(),
                weight,
                cap: None,
                targets: vec![TargetInput {
                    from: form.from.trim().to_string(),
                    to,
                    floor,
                    target,
                    stretch,
                }],
                alert_change_pct: None,
            };
            state
                .services
                .create_kpi(&actor, &input)
                .await
                .map(|k| k.id)
        }
        _ => Err(Error::Invalid(problems)),
    };
    match result {
        Ok(id) => Ok(Redirect::to(&format!("/kpis/{id}")).into_response()),
        Err(Error::Invalid(problems)) => {
            render_list(
                &state,
                lang,
                &actor,
                year,
                StatusCode::UNPROCESSABLE_ENTITY,
                &form,
                &by_field(&state, lang, &problems),
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize, Serialize, Default, Clone)]
pub struct ChangeForm {
    #[serde(default)]
    from: String,
    #[serde(default)]
    floor: String,
    #[serde(default)]
    target: String,
    #[serde(default)]
    stretch: String,
    #[serde(default)]
    weight: String,
    #[serde(default)]
    alert_change_pct: String,
    #[serde(default)]
    last_day: String,
}

/// Which form on a KPI's page failed, with what was typed and what is wrong.
struct Failed<'a> {
    form_name: &'a str,
    form: &'a ChangeForm,
    errors: BTreeMap<String, String>,
}

async fn render_one(
    state: &AppState,
    lang: Locale,
    actor: &Actor,
    id: i64,
    status: StatusCode,
    failed: Failed<'_>,
) -> Result<Response, WebError> {
    let Failed {
        form_name: failed,
        form,
        errors,
    } = failed;
    let record = state.services.kpi(actor, id).await?;
    let period = Period::parse(&record.row.period_from, &record.row.period_to)
        .map_err(|e| WebError::Internal(e.to_string()))?;
    let scope = ScopeRef::parse(&record.row.scope)?;
    let views = state.services.kpis_for(actor, &scope, period).await?;
    let view = views.into_iter().find(|k| k.id == id);
    let unit = record.metric.unit;
    let currency = view.as_ref().and_then(|v| v.currency.clone());
    let show = |v: Option<f64>| {
        v.map_or_else(
            || "—".to_string(),
            |v| lang.format_metric(v, unit, currency.as_deref()),
        )
    };
    let targets: Vec<_> = record
        .targets
        .iter()
        .map(|t| {
            json!({
                "from": t.period_from,
                "last_day": Day::parse(&t.period_to).map(|d| d.plus_days(-1).to_string()).unwrap_or_default(),
                "floor": show(t.floor), "target": show(Some(t.target)), "stretch": show(t.stretch),
            })
        })
        .collect();
    let label = scopes(state, actor, lang)
        .await?
        .into_iter()
        .find(|(s, _)| *s == record.row.scope)
        .map_or_else(|| record.row.scope.clone(), |(_, l)| l);
    let today = Day::from_unix_seconds(state.services.clock().now());
    let mut form = form.clone();
    if form.from.is_empty() {
        let next_month = today.first_of_month().plus_months(1);
        form.from = if period.contains(next_month) {
            next_month.to_string()
        } else {
            record.row.period_from.clone()
        };
    }
    if form.weight.is_empty() {
        form.weight = record.row.weight.to_string();
        form.alert_change_pct = record
            .row
            .alert_change_pct
            .map(|p| p.to_string())
            .unwrap_or_default();
    }
    if form.last_day.is_empty() {
        form.last_day = today.min(period.to.plus_days(-2)).to_string();
    }
    let path = format!("/kpis/{id}");
    let html = state.templates().render(
        "kpi.html",
        context! {
            ..layout(lang, Some(actor), "kpis", &path),
            ..context! {
                id => id,
                name => if lang == Locale::Ru { &record.metric.name_ru } else { &record.metric.name_en },
                scope => label,
                from => record.row.period_from,
                last_day => period.to.plus_days(-1).to_string(),
                line => view.as_ref().map(|v| ser(kpi_line(lang, v))),
                value => view.as_ref().map(|v| show(v.value)),
                weight => record.row.weight,
                targets => ser(&targets),
                can_change => mkpi_services::kpis::may_set_scope(actor, &scope),
                failed => failed,
                form => ser(&form),
                errors => ser(&errors),
            },
        },
    )?;
    Ok((status, Html(html)).into_response())
}

pub async fn show(
    State(state): State<AppState>,
    Lang(lang): Lang,
    Auth(actor): Auth,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    render_one(
        &state,
        lang,
        &actor,
        id,
        StatusCode::OK,
        Failed {
            form_name: "",
            form: &ChangeForm::default(),
            errors: BTreeMap::new(),
        },
    )
    .await
}

async fn outcome<T>(
    state: &AppState,
    lang: Locale,
    actor: &Actor,
    id: i64,
    (failed, form): (&str, &ChangeForm),
    result: Result<T, Error>,
    after: String,
) -> Result<Response, WebError> {
    match result {
        Ok(_) => Ok(Redirect::to(&after).into_response()),
        Err(Error::Invalid(problems)) => {
            render_one(
                state,
                lang,
                actor,
                id,
                StatusCode::UNPROCESSABLE_ENTITY,
                Failed {
                    form_name: failed,
                    form,
                    errors: by_field(state, lang, &problems),
                },
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn change_target(
    State(state): State<AppState>,
    Lang(lang): Lang,
    Auth(actor): Auth,
    Path(id): Path<i64>,
    Form(form): Form<ChangeForm>,
) -> Result<Response, WebError> {
    let mut problems = Vec::new();
    let target = number("target", &form.target, &mut problems);
    let floor = number("floor", &form.floor, &mut problems);
    let stretch = number("stretch", &form.stretch, &mut problems);
    let result = match (target, problems.is_empty()) {
        (Some(target), true) => state
            .services
            .change_kpi_target(
                &actor,
                id,
                TargetChange {
                    from: form.from.clone(),
                    floor,
                    target,
                    stretch,
                },
            )
            .await
            .map(|_| ()),
        (None, true) => Err(Error::invalid("target", "is required")),
        _ => Err(Error::Invalid(problems)),
    };
    outcome(
        &state,
        lang,
        &actor,
        id,
        ("target", &form),
        result,
        format!("/kpis/{id}"),
    )
    .await
}

pub async fn update(
    State(state): State<AppState>,
    Lang(lang): Lang,
    Auth(actor): Auth,
    Path(id): Path<i64>,
    Form(form): Form<ChangeForm>,
) -> Result<Response, WebError> {
    let mut problems = Vec::new();
    let weight = number("weight", &form.weight, &mut problems);
    let alert = number("alert_change_pct", &form.alert_change_pct, &mut problems);
    let result = match (weight, problems.is_empty()) {
        (Some(weight), true) => state
            .services
            .update_kpi(&actor, id, weight, alert)
            .await
            .map(|_| ()),
        (None, true) => Err(Error::invalid("weight", "is required")),
        _ => Err(Error::Invalid(problems)),
    };
    outcome(
        &state,
        lang,
        &actor,
        id,
        ("weight", &form),
        result,
        format!("/kpis/{id}"),
    )
    .await
}

pub async fn retire(
    State(state): State<AppState>,
    Lang(lang): Lang,
    Auth(actor): Auth,
    Path(id): Path<i64>,
    Form(form): Form<ChangeForm>,
) -> Result<Response, WebError> {
    let result = state.services.retire_kpi(&actor, id, &form.last_day).await;
    let after = match &result {
        Ok(Some(_)) => format!("/kpis/{id}"),
        _ => "/kpis".to_string(),
    };
    outcome(&state, lang, &actor, id, ("retire", &form), result, after).await
}
