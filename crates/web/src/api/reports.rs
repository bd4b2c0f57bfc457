//! Reports: definitions, a report run now in any format (JSON is the view
//! every other format is drawn from), share links, schedules, and the
//! competitor figures the competitor section reads.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use mkpi_services::competitors::BenchmarkInput;
use mkpi_services::competitors::BenchmarkRow;
use mkpi_services::report::Definition;
use mkpi_services::report_data::DefinitionInput;
use mkpi_services::report_delivery::{ScheduleRow, ShareRow};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::AppState;
use crate::auth::Auth;
use crate::error::WebError;
use crate::pages::reports::{file, format_of, view_of};

#[derive(Serialize, ToSchema)]
pub struct ReportDefinitionJson {
    pub id: i64,
    pub name: String,
    pub purpose: String,
    pub metrics: Vec<String>,
    /// department, team:ID, employee:ID, campaign:ID or channel:CODE.
    pub scope: String,
    /// fixed, last_month, last_quarter or last_year.
    pub period_kind: String,
    pub period_from: Option<String>,
    pub period_to: Option<String>,
    /// previous, year or target.
    pub compare: String,
    pub sections: Vec<String>,
    /// ru or en.
    pub language: String,
}

impl From<Definition> for ReportDefinitionJson {
    fn from(d: Definition) -> Self {
        ReportDefinitionJson {
            id: d.id,
            name: d.name,
            purpose: d.purpose,
            metrics: d.metrics,
            scope: d.scope,
            period_kind: d.period_kind,
            period_from: d.period_from,
            period_to: d.period_to,
            compare: d.compare,
            sections: d.sections,
            language: d.language,
        }
    }
}

#[derive(Deserialize, ToSchema)]
pub struct NewReportDefinitionRequest {
    pub name: String,
    #[serde(default)]
    pub purpose: String,
    /// Metric codes (GET /api/v1/metrics).
    pub metrics: Vec<String>,
    /// department, team:ID, employee:ID, campaign:ID or channel:CODE.
    pub scope: String,
    /// fixed (with period_from and period_to), last_month, last_quarter or last_year.
    pub period_kind: String,
    pub period_from: Option<String>,
    /// The day after the last, for a fixed period.
    pub period_to: Option<String>,
    /// previous, year or target.
    pub compare: String,
    /// summary, kpis, trends, channels, people, problems, swot, competitors, evaluation.
    pub sections: Vec<String>,
    /// ru or en.
    pub language: String,
}

impl From<NewReportDefinitionRequest> for DefinitionInput {
    fn from(req: NewReportDefinitionRequest) -> Self {
        DefinitionInput {
            name: req.name,
            purpose: req.purpose,
            metrics: req.metrics,
            scope: req.scope,
            period_kind: req.period_kind,
            period_from: req.period_from,
            period_to: req.period_to,
            compare: req.compare,
            sections: req.sections,
            language: req.language,
        }
    }
}

/// The report definitions.
#[utoipa::path(get, path = "/api/v1/report-definitions", tag = "reports",
    responses(
        (status = 200, description = "Every definition", body = [ReportDefinitionJson]),
        (status = 401, description = "Not signed in", body = super::ErrorBodyJson),
    ))]
pub async fn list(
    State(state): State<AppState>,
    Auth(actor): Auth,
) -> Result<Json<Vec<ReportDefinitionJson>>, WebError> {
    let rows = state.services.report_definitions(&actor).await?;
    Ok(Json(
        rows.into_iter()
            .map(Definition::from)
            .map(Into::into)
            .collect(),
    ))
}

/// Saves a report definition (the head, managers, admins).
#[utoipa::path(post, path = "/api/v1/report-definitions", tag = "reports",
    request_body = NewReportDefinitionRequest,
    responses(
        (status = 201, description = "Saved", body = ReportDefinitionJson),
        (status = 422, description = "A missing or taken name, an unknown metric, scope, period, comparison, section or language", body = super::ErrorBodyJson),
        (status = 403, description = "Employees and viewers define no reports", body = super::ErrorBodyJson),
        (status = 401, description = "Not signed in", body = super::ErrorBodyJson),
    ))]
pub async fn create(
    State(state): State<AppState>,
    Auth(actor): Auth,
    Json(req): Json<NewReportDefinitionRequest>,
) -> Result<(StatusCode, Json<ReportDefinitionJson>), WebError> {
    let row = state
        .services
        .create_report_definition(&actor, &req.into())
        .await?;
    Ok((StatusCode::CREATED, Json(Definition::from(row).into())))
}

/// Changes a definition (its maker, the head, admins).
#[utoipa::path(put, path = "/api/v1/report-definitions/{id}", tag = "reports",
    request_body = NewReportDefinitionRequest,
    params(("id" = i64, Path, description = "Report definition id")),
    responses(
        (status = 200, description = "Changed", body = ReportDefinitionJson),
        (status = 404, description = "No such definition", body = super::ErrorBodyJson),
        (status = 422, description = "A missing or taken name, an unknown metric, scope, period, comparison, section or language", body = super::ErrorBodyJson),
        (status = 403, description = "Not its maker, the head or an admin", body = super::ErrorBodyJson),
        (status = 401, description = "Not signed in", body = super::ErrorBodyJson),
    ))]
pub async fn update(
    State(state): State<AppState>,
    Auth(actor): Auth,
    Path(id): Path<i64>,
    Json(req): Json<NewReportDefinitionRequest>,
) -> Result<Json<ReportDefinitionJson>, WebError> {
    let row = state
        .services
        .update_report_definition(&actor, id, &req.into())
        .await?;
    Ok(Json(Definition::from(row).into()))
}

/// Deletes a definition; its share links and schedules end with it.
#[utoipa::path(delete, path = "/api/v1/report-definitions/{id}", tag = "reports",
    params(("id" = i64, Path, description = "Report definition id")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 404, description = "No such definition", body = super::ErrorBodyJson),
        (status = 403, description = "Not its maker, the head or an admin", body = super::ErrorBodyJson),
        (status = 401, description = "Not signed in", body = super::ErrorBodyJson),
    ))]
pub async fn delete(
    State(state): State<AppState>,
    Auth(actor): Auth,
    Path(id): Path<i64>,
) -> Result<StatusCode, WebError> {
    state.services.delete_report_definition(&actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, IntoParams)]
pub struct RenderQuery {
    /// json (default: the report's data and words), html, pdf, slides, xlsx or csv.
    pub format: Option<String>,
    /// For csv: kpis (default), trends, drivers, anomalies, channels, campaigns, people,
    /// problems, competitors or evaluation.
    pub table: Option<String>,
}

/// Runs a report now, as the caller may see its data.
#[utoipa::path(get, path = "/api/v1/report-definitions/{id}/report", tag = "reports",
    params(("id" = i64, Path, description = "Report definition id"), RenderQuery),
    responses(
        (status = 200, description = "The report: JSON (every number with its written form, every sentence), or the file in the format asked for (text/html, application/pdf, XLSX, text/csv)", body = Object),
        (status = 404, description = "No such definition, or its scope is outside the caller's", body = super::ErrorBodyJson),
        (status = 422, description = "An unknown format or table", body = super::ErrorBodyJson),
        (status = 401, description = "Not signed in", body = super::ErrorBodyJson),
    ))]
pub async fn report(
    State(state): State<AppState>,
    Auth(actor): Auth,
    Path(id): Path<i64>,
    Query(q): Query<RenderQuery>,
) -> Result<Response, WebError> {
    let format = match q.format.as_deref() {
        None | Some("json") => None,
        Some(f) => Some(format_of(f)?),
    };
    let definition = state.services.report_definition_by_id(&actor, id).await?;
    let view = view_of(&state, &actor, &definition, false).await?;
    match format {
        None => Ok(Json(view).into_response()),
        Some(f) => file(view, f, q.table).await,
    }
}

#[derive(Serialize, ToSchema)]
pub struct ReportShareJson {
    pub id: i64,
    pub definition_id: i64,
    /// Unix seconds.
    pub expires_at: i64,
    pub revoked_at: Option<i64>,
    /// `/s/{token}`: only in the answer that made it.
    pub path: Option<String>,
}

impl From<ShareRow> for ReportShareJson {
    fn from(s: ShareRow) -> Self {
        ReportShareJson {
            id: s.id,
            definition_id: s.definition_id,
            expires_at: s.expires_at,
            revoked_at: s.revoked_at,
            path: None,
        }
    }
}

#[derive(Deserialize, ToSchema)]
pub struct NewShareRequest {
    /// 1–90.
    pub days: i64,
}

/// Makes a read-only link to a report for people without an account; the
/// link shows the department's figures as the caller sees them, without
/// people.
#[utoipa::path(post, path = "/api/v1/report-definitions/{id}/shares", tag = "reports",
    request_body = NewShareRequest,
    params(("id" = i64, Path, description = "Report definition id")),
    responses(
        (status = 201, description = "Made; the path is shown only now", body = ReportShareJson),
        (status = 404, description = "No such definition", body = super::ErrorBodyJson),
        (status = 422, description = "Days outside 1–90, or a report about one person or a team of fewer than three (a link never carries a person's figures)", body = super::ErrorBodyJson),
        (status = 403, description = "Employees and viewers share no reports", body = super::ErrorBodyJson),
        (status = 401, description = "Not signed in", body = super::ErrorBodyJson),
    ))]
pub async fn create_share(
    State(state): State<AppState>,
    Auth(actor): Auth,
    Path(id): Path<i64>,
    Json(req): Json<NewShareRequest>,
) -> Result<(StatusCode, Json<ReportShareJson>), WebError> {
    let made = state
        .services
        .create_report_share(&actor, id, req.days)
        .await?;
    let mut out = ReportShareJson::from(made.share);
    out.path = Some(made.path);
    Ok((StatusCode::CREATED, Json(out)))
}

/// A definition's share links (the caller's own; all for the head and admins).
#[utoipa::path(get, path = "/api/v1/report-definitions/{id}/shares", tag = "reports",
    params(("id" = i64, Path, description = "Report definition id")),
    responses(
        (status = 200, description = "The links", body = [ReportShareJson]),
        (status = 403, description = "Employees and viewers share no reports", body = super::ErrorBodyJson),
        (status = 401, description = "Not signed in", body = super::ErrorBodyJson),
    ))]
pub async fn shares(
    State(state): State<AppState>,
    Auth(actor): Auth,
    Path(id): Path<i64>,
) -> Result<Json<Vec<ReportShareJson>>, WebError> {
    let rows = state.services.report_shares(&actor, id).await?;
    Ok(Json(rows.into_iter().map(Into::into).collect()))
}

/// Ends a share link at once: it answers 410 from then on.
#[utoipa::path(post, path = "/api/v1/report-shares/{id}/revoke", tag = "reports",
    params(("id" = i64, Path, description = "Share link id")),
    responses(
        (status = 204, description = "Revoked"),
        (status = 404, description = "No such link of the caller's", body = super::ErrorBodyJson),
        (status = 403, description = "Employees and viewers share no reports", body = super::ErrorBodyJson),
        (status = 401, description = "Not signed in", body = super::ErrorBodyJson),
    ))]
pub async fn revoke_share(
    State(state): State<AppState>,
    Auth(actor): Auth,
    Path(id): Path<i64>,
) -> Result<StatusCode, WebError> {
    state.services.revoke_report_share(&actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize, ToSchema)]
pub struct ReportScheduleJson {
    pub id: i64,
    pub definition_id: i64,
    /// daily, weekly or monthly.
    pub frequency: String,
    pub recipients: Vec<String>,
    /// Unix seconds.
    pub next_run_at: i64,
    pub last_run_at: Option<i64>,
    pub active: bool,
}

impl From<ScheduleRow> for ReportScheduleJson {
    fn from(s: ScheduleRow) -> Self {
        ReportScheduleJson {
            id: s.id,
            definition_id: s.definition_id,
            recipients: serde_json::from_str(&s.recipients).unwrap_or_default(),
            frequency: s.frequency,
            next_run_at: s.next_run_at,
            last_run_at: s.last_run_at,
            active: s.active == 1,
        }
    }
}

#[derive(Deserialize, ToSchema)]
pub struct NewScheduleRequest {
    /// daily (07:00 UTC), weekly (Mondays) or monthly (the 1st).
    pub frequency: String,
    /// 1–20 e-mail addresses.
    pub recipients: Vec<String>,
}

/// Mails the report's PDF on a schedule, as the caller would see it.
#[utoipa::path(post, path = "/api/v1/report-definitions/{id}/schedules", tag = "reports",
    request_body = NewScheduleRequest,
    params(("id" = i64, Path, description = "Report definition id")),
    responses(
        (status = 201, description = "Scheduled", body = ReportScheduleJson),
        (status = 404, description = "No such definition", body = super::ErrorBodyJson),
        (status = 422, description = "An unknown frequency, a bad or missing address, or no mail set up on the server", body = super::ErrorBodyJson),
        (status = 403, description = "Employees and viewers schedule no reports", body = super::ErrorBodyJson),
        (status = 401, description = "Not signed in", body = super::ErrorBodyJson),
    ))]
pub async fn create_schedule(
    State(state): State<AppState>,
    Auth(actor): Auth,
    Path(id): Path<i64>,
    Json(req): Json<NewScheduleRequest>,
) -> Result<(StatusCode, Json<ReportScheduleJson>), WebError> {
    let row = state
        .services
        .create_report_schedule(&actor, id, &req.frequency, &req.recipients)
        .await?;
    Ok((StatusCode::CREATED, Json(row.into())))
}

/// A definition's schedules (the caller's own; all for the head and admins).
#[utoipa::path(get, path = "/api/v1/report-definitions/{id}/schedules", tag = "reports",
    params(("id" = i64, Path, description = "Report definition id")),
    responses(
        (status = 200, description = "The schedules", body = [ReportScheduleJson]),
        (status = 403, description = "Employees and viewers schedule no reports", body = super::ErrorBodyJson),
        (status = 401, description = "Not signed in", body = super::ErrorBodyJson),
    ))]
pub async fn schedules(
    State(state): State<AppState>,
    Auth(actor): Auth,
    Path(id): Path<i64>,
) -> Result<Json<Vec<ReportScheduleJson>>, WebError> {
    let rows = state.services.report_schedules(&actor, id).await?;
    Ok(Json(rows.into_iter().map(Into::into).collect()))
}

/// Stops a schedule.
#[utoipa::path(post, path = "/api/v1/report-schedules/{id}/stop", tag = "reports",
    params(("id" = i64, Path, description = "Schedule id")),
    responses(
        (status = 204, description = "Stopped"),
        (status = 404, description = "No such schedule of the caller's", body = super::ErrorBodyJson),
        (status = 403, description = "Employees and viewers schedule no reports", body = super::ErrorBodyJson),
        (status = 401, description = "Not signed in", body = super::ErrorBodyJson),
    ))]
pub async fn stop_schedule(
    State(state): State<AppState>,
    Auth(actor): Auth,
    Path(id): Path<i64>,
) -> Result<StatusCode, WebError> {
    state.services.stop_report_schedule(&actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize, ToSchema)]
pub struct BenchmarkJson {
    pub id: i64,
    pub competitor: String,
    /// share_of_voice (0–1), price or traffic (visits a month).
    pub kind: String,
    /// YYYY-MM.
    pub month: String,
    pub value: f64,
    pub source: String,
}

impl From<BenchmarkRow> for BenchmarkJson {
    fn from(b: BenchmarkRow) -> Self {
        BenchmarkJson {
            id: b.id,
            competitor: b.competitor,
            kind: b.kind,
            month: b.month,
            value: b.value,
            source: b.source,
        }
    }
}

#[derive(Deserialize, IntoParams)]
pub struct BenchmarkQuery {
    /// YYYY-MM, the first month [default: 0000-00].
    pub from: Option<String>,
    /// YYYY-MM, the last month [default: 9999-12].
    pub to: Option<String>,
}

/// Competitor figures by month.
#[utoipa::path(get, path = "/api/v1/competitor-benchmarks", tag = "reports",
    params(BenchmarkQuery),
    responses(
        (status = 200, description = "The figures", body = [BenchmarkJson]),
        (status = 401, description = "Not signed in", body = super::ErrorBodyJson),
    ))]
pub async fn benchmarks(
    State(state): State<AppState>,
    Auth(actor): Auth,
    Query(q): Query<BenchmarkQuery>,
) -> Result<Json<Vec<BenchmarkJson>>, WebError> {
    let rows = state
        .services
        .benchmarks(
            &actor,
            q.from.as_deref().unwrap_or("0000-00"),
            q.to.as_deref().unwrap_or("9999-12"),
        )
        .await?;
    Ok(Json(rows.into_iter().map(Into::into).collect()))
}

#[derive(Deserialize, ToSchema)]
pub struct NewBenchmarkRequest {
    pub competitor: String,
    /// share_of_voice, price or traffic.
    pub kind: String,
    /// YYYY-MM.
    pub month: String,
    /// A share of voice as 35, "35%" or 0.35; a price; visits a month.
    pub value: serde_json::Value,
    #[serde(default)]
    pub source: String,
}

/// Writes a competitor's figure for a month (replacing the one there was).
#[utoipa::path(post, path = "/api/v1/competitor-benchmarks", tag = "reports",
    request_body = NewBenchmarkRequest,
    responses(
        (status = 201, description = "Written", body = BenchmarkJson),
        (status = 422, description = "No competitor, an unknown kind, a bad month or value", body = super::ErrorBodyJson),
        (status = 403, description = "Employees and viewers enter no figures", body = super::ErrorBodyJson),
        (status = 401, description = "Not signed in", body = super::ErrorBodyJson),
    ))]
pub async fn add_benchmark(
    State(state): State<AppState>,
    Auth(actor): Auth,
    Json(req): Json<NewBenchmarkRequest>,
) -> Result<(StatusCode, Json<BenchmarkJson>), WebError> {
    let value = match req.value {
        serde_json::Value::String(s) => s,
        other => other.to_string(),
    };
    let input = BenchmarkInput {
        competitor: req.competitor,
        kind: req.kind,
        month: req.month,
        value,
        source: req.source,
    };
    let row = state.services.add_benchmark(&actor, &input).await?;
    Ok((StatusCode::CREATED, Json(row.into())))
}

#[derive(Serialize, ToSchema)]
pub struct ImportedJson {
    pub rows: usize,
}

/// Imports competitor figures from CSV (competitor, kind, month, value,
/// source): all rows or none; every problem names its row and column.
#[utoipa::path(post, path = "/api/v1/competitor-benchmarks/import", tag = "reports",
    request_body(content = String, content_type = "text/csv"),
    responses(
        (status = 201, description = "Imported", body = ImportedJson),
        (status = 422, description = "A missing column or bad rows, each by row and column; nothing written", body = super::ErrorBodyJson),
        (status = 403, description = "Employees and viewers enter no figures", body = super::ErrorBodyJson),
        (status = 401, description = "Not signed in", body = super::ErrorBodyJson),
    ))]
pub async fn import_benchmarks(
    State(state): State<AppState>,
    Auth(actor): Auth,
    body: axum::body::Bytes,
) -> Result<(StatusCode, Json<ImportedJson>), WebError> {
    let rows = state.services.import_benchmarks(&actor, &body).await?;
    Ok((StatusCode::CREATED, Json(ImportedJson { rows })))
}

/// Deletes a competitor figure.
#[utoipa::path(delete, path = "/api/v1/competitor-benchmarks/{id}", tag = "reports",
    params(("id" = i64, Path, description = "Figure id")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 404, description = "No such figure", body = super::ErrorBodyJson),
        (status = 403, description = "Employees and viewers enter no figures", body = super::ErrorBodyJson),
        (status = 401, description = "Not signed in", body = super::ErrorBodyJson),
    ))]
pub async fn delete_benchmark(
    State(state): State<AppState>,
    Auth(actor): Auth,
    Path(id): Path<i64>,
) -> Result<StatusCode, WebError> {
    state.services.delete_benchmark(&actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
