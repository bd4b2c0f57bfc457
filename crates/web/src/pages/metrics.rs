//! The metric catalogue: every metric with its formula, unit and direction,
//! and for admins a form that adds a custom metric through the same checks
//! as the API.

use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use minijinja::context;
use mkpi_domain::measure::Measure;
use mkpi_domain::metric::{MetricDraft, Unit};
use mkpi_domain::{Locale, Role};
use mkpi_services::users::Principal;
use mkpi_services::{Actor, Error, FieldProblem};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::{layout, ser};
use crate::AppState;
use crate::auth::{Auth, Lang};
use crate::error::WebError;

#[derive(Deserialize, Serialize, Default)]
pub struct DefineForm {
    #[serde(default)]
    code: String,
    #[serde(default)]
    name_en: String,
    #[serde(default)]
    name_ru: String,
    #[serde(default)]
    formula: String,
    #[serde(default)]
    unit: String,
    #[serde(default)]
    direction: String,
    #[serde(default)]
    description: String,
}

async fn render(
    state: &AppState,
    lang: Locale,
    actor: &Actor,
    status: StatusCode,
    form: &DefineForm,
    problems: &[FieldProblem],
    saved: Option<&str>,
) -> Result<Response, WebError> {
    let catalogue = state.services.catalogue().await?;
    let metrics: Vec<_> = catalogue
        .all()
        .map(|m| {
            json!({
                "code": m.code,
                "name": if lang == Locale::Ru { &m.name_ru } else { &m.name_en },
                "description": if lang == Locale::Ru { &m.description_ru } else { &m.description_en },
                "formula": m.formula.to_string(),
                "unit": m.unit.code(),
                "direction": m.direction.code(),
                "version": m.version,
                "builtin": m.builtin,
            })
        })
        .collect();
    let units: Vec<&str> = Unit::ALL.iter().map(|u| u.code()).collect();
    let measures: Vec<&str> = Measure::ALL.iter().map(|m| m.code()).collect();
    let html = state.templates().render(
        "metrics.html",
        context! {
            ..layout(lang, Some(actor), "metrics", "/metrics"),
            ..context! {
                metrics => ser(&metrics),
                can_define => actor.role == Role::Admin,
                units => units,
                measures => measures,
                form => ser(form),
                problems => ser(problems),
                saved => saved,
            },
        },
    )?;
    Ok((status, Html(html)).into_response())
}

pub async fn list(
    State(state): State<AppState>,
    Lang(lang): Lang,
    Auth(actor): Auth,
) -> Result<Response, WebError> {
    let form = DefineForm {
        unit: "money".into(),
        direction: "lower".into(),
        ..DefineForm::default()
    };
    render(&state, lang, &actor, StatusCode::OK, &form, &[], None).await
}

pub async fn define(
    State(state): State<AppState>,
    Lang(lang): Lang,
    Auth(actor): Auth,
    Form(form): Form<DefineForm>,
) -> Result<Response, WebError> {
    let draft = MetricDraft {
        code: form.code.clone(),
        name_en: form.name_en.clone(),
        name_ru: form.name_ru.clone(),
        formula: form.formula.clone(),
        unit: form.unit.clone(),
        direction: form.direction.clone(),
        description: form.description.clone(),
    };
    match state
        .services
        .define_metric(Principal::User(&actor), &draft)
        .await
    {
        Ok(metric) => {
            let empty = DefineForm {
                unit: "money".into(),
                direction: "lower".into(),
                ..DefineForm::default()
            };
            render(
                &state,
                lang,
                &actor,
                StatusCode::OK,
                &empty,
                &[],
                Some(&metric.code),
            )
            .await
        }
        Err(Error::Invalid(problems)) => {
            render(
                &state,
                lang,
                &actor,
                StatusCode::UNPROCESSABLE_ENTITY,
                &form,
                &problems,
                None,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}
