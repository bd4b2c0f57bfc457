//! The metric catalogue and metric values for a scope and period.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use mkpi_domain::metric::{Metric, MetricDraft};
use mkpi_domain::period::{Period, PeriodError};
use mkpi_services::metrics::ScopeRef;
use mkpi_services::users::Principal;
use mkpi_services::{Error, FieldProblem};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::AppState;
use crate::auth::Auth;
use crate::error::WebError;

#[derive(Serialize, ToSchema)]
pub struct MetricJson {
    /// Stable code, used in formulas and in this API.
    pub code: String,
    pub name_en: String,
    pub name_ru: String,
    pub category: String,
    /// Over base measures and other metrics, e.g. `(conversion_value - spend) / spend`.
    pub formula: String,
    /// count, money, percent (a fraction 0..1), multiple, score, rating, days or hours.
    pub unit: String,
    /// Which way is better: higher or lower.
    pub direction: String,
    /// The definition's version: it changes whenever the formula does.
    pub version: i64,
    pub description_en: String,
    pub description_ru: String,
    pub builtin: bool,
}

impl From<&Metric> for MetricJson {
    fn from(m: &Metric) -> Self {
        MetricJson {
            code: m.code.clone(),
            name_en: m.name_en.clone(),
            name_ru: m.name_ru.clone(),
            category: m.category.clone(),
            formula: m.formula.to_string(),
            unit: m.unit.code().to_string(),
            direction: m.direction.code().to_string(),
            version: m.version,
            description_en: m.description_en.clone(),
            description_ru: m.description_ru.clone(),
            builtin: m.builtin,
        }
    }
}

/// The catalogue: built-in metrics and the department's custom ones.
#[utoipa::path(get, path = "/api/v1/metrics", tag = "metrics",
    responses(
        (status = 200, description = "Every metric, by code", body = Vec<MetricJson>),
        (status = 401, description = "Not signed in", body = super::ErrorBodyJson),
    ))]
pub async fn list(
    State(state): State<AppState>,
    Auth(_actor): Auth,
) -> Result<Json<Vec<MetricJson>>, WebError> {
    let catalogue = state.services.catalogue().await?;
    Ok(Json(catalogue.all().map(MetricJson::from).collect()))
}

#[derive(Deserialize, ToSchema)]
pub struct NewMetricRequest {
    /// 1–40 lower-case latin letters, digits and `_`; a built-in code cannot be reused.
    pub code: String,
    pub name_en: String,
    #[serde(default)]
    pub name_ru: String,
    /// Arithmetic (`+ - * /`, parentheses, numbers) over base measures and metrics.
    pub formula: String,
    pub unit: String,
    /// higher or lower.
    pub direction: String,
    #[serde(default)]
    pub description: String,
}

/// Adds a custom metric, or a new version of one (admins).
#[utoipa::path(post, path = "/api/v1/metrics", tag = "metrics", request_body = NewMetricRequest,
    responses(
        (status = 201, description = "Checked and stored", body = MetricJson),
        (status = 422, description = "Unknown names, a cycle, units that do not fit, or a bad field; each problem listed", body = super::ErrorBodyJson),
        (status = 403, description = "Not an admin", body = super::ErrorBodyJson),
        (status = 401, description = "Not signed in", body = super::ErrorBodyJson),
    ))]
pub async fn create(
    State(state): State<AppState>,
    Auth(actor): Auth,
    Json(req): Json<NewMetricRequest>,
) -> Result<(StatusCode, Json<MetricJson>), WebError> {
    let draft = MetricDraft {
        code: req.code,
        name_en: req.name_en,
        name_ru: req.name_ru,
        formula: req.formula,
        unit: req.unit,
        direction: req.direction,
        description: req.description,
    };
    let metric = state
        .services
        .define_metric(Principal::User(&actor), &draft)
        .await?;
    Ok((StatusCode::CREATED, Json(MetricJson::from(&metric))))
}

#[derive(Deserialize, IntoParams)]
pub struct ValueQuery {
    /// department, team:ID, employee:ID, campaign:ID or channel:CODE.
    pub scope: Option<String>,
    /// First day of the period (YYYY-MM-DD), included.
    pub from: Option<String>,
    /// Day after the period (YYYY-MM-DD), excluded: from=2025-03-01&to=2025-04-01 is March.
    pub to: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct MetricValueJson {
    pub code: String,
    /// The value; null when it is not defined (a zero denominator, data the
    /// scope cannot have, or money in several currencies — see `note`).
    pub value: Option<f64>,
    /// For a ratio, the sum it divides, else null.
    pub numerator: Option<f64>,
    /// For a ratio, the sum it divides by, else null.
    pub denominator: Option<f64>,
    pub unit: String,
    /// The currency of money amounts, when the value involves money.
    pub currency: Option<String>,
    pub version: i64,
    pub scope: String,
    pub from: String,
    pub to: String,
    /// Why there is no value, when it is not a zero denominator.
    pub note: Option<String>,
}

impl MetricValueJson {
    pub fn new(a: mkpi_services::metrics::MetricAnswer, scope: &str, period: Period) -> Self {
        MetricValueJson {
            code: a.code,
            value: a.value,
            numerator: a.numerator,
            denominator: a.denominator,
            unit: a.unit.code().to_string(),
            currency: a.currency,
            version: a.version,
            scope: scope.to_string(),
            from: period.from.to_string(),
            to: period.to.to_string(),
            note: a.note,
        }
    }
}

/// A metric's value for one scope and the half-open period [from, to).
#[utoipa::path(get, path = "/api/v1/metrics/{code}/value", tag = "metrics", params(
        ("code" = String, Path, description = "Metric code"), ValueQuery),
    responses(
        (status = 200, description = "The value with its numerator and denominator", body = MetricValueJson),
        (status = 404, description = "The scope names a team, person or campaign the caller may not see (or none)", body = super::ErrorBodyJson),
        (status = 422, description = "Unknown metric, bad scope or period", body = super::ErrorBodyJson),
        (status = 403, description = "The viewer: a person's figures and evaluations are not theirs to read", body = super::ErrorBodyJson),
        (status = 401, description = "Not signed in", body = super::ErrorBodyJson),
    ))]
pub async fn value(
    State(state): State<AppState>,
    Auth(actor): Auth,
    Path(code): Path<String>,
    Query(q): Query<ValueQuery>,
) -> Result<Json<MetricValueJson>, WebError> {
    let scope = ScopeRef::parse(q.scope.as_deref().unwrap_or("department"))?;
    let period = period(q.from.as_deref(), q.to.as_deref())?;
    let answers = state
        .services
        .metric_values(&actor, std::slice::from_ref(&code), &scope, period)
        .await?;
    let a = answers
        .into_iter()
        .next()
        .ok_or_else(|| Error::Internal("no answer for a known metric".into()))?;
    Ok(Json(MetricValueJson::new(a, &scope.to_string(), period)))
}

/// A period from the query, every problem named by its parameter.
pub fn period(from: Option<&str>, to: Option<&str>) -> Result<Period, Error> {
    let (Some(from), Some(to)) = (from, to) else {
        let mut problems = Vec::new();
        if from.is_none() {
            problems.push(FieldProblem::new(
                "from",
                "is required (YYYY-MM-DD, included)",
            ));
        }
        if to.is_none() {
            problems.push(FieldProblem::new(
                "to",
                "is required (YYYY-MM-DD, excluded)",
            ));
        }
        return Err(Error::Invalid(problems));
    };
    Period::parse(from, to).map_err(|e| {
        let field = match &e {
            PeriodError::NotADate(text) if text == from => "from",
            PeriodError::NotADate(_) => "to",
            PeriodError::Empty | PeriodError::TooLong => "to",
        };
        Error::invalid(field, e.to_string())
    })
}
