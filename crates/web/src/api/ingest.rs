//! The ingest API: JSON batches of facts for automation, with the same
//! checks, atomicity and record as a file import.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use mkpi_services::imports::{ImportReport, NewPerson, PersonAnswer};
use mkpi_services::users::Principal;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::ToSchema;

use crate::AppState;
use crate::auth::Auth;
use crate::error::WebError;

#[derive(Deserialize, ToSchema)]
pub struct IngestRequest {
    /// Objects of field → string, number or true/false, fields as in the
    /// fact's canonical CSV format (docs/import-formats.md).
    #[schema(value_type = Vec<Object>)]
    pub records: Vec<Map<String, Value>>,
    /// Check and count, store nothing.
    #[serde(default)]
    pub dry_run: bool,
    /// Who the people are that an earlier answer listed in `unknown_people`:
    /// each spelling is kept as the employee's alias for this fact's API.
    #[serde(default)]
    pub people: Vec<PersonAnswerJson>,
}

/// Who a person a batch names is.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PersonAnswerJson {
    /// The name or e-mail as the records write it.
    pub named: String,
    /// The employee with this e-mail, or the one `create` adds.
    pub email: String,
    /// Add the employee when nobody has the e-mail yet.
    #[serde(default)]
    pub create: Option<NewPersonJson>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewPersonJson {
    pub name: String,
    /// A team's name (or path).
    #[serde(default)]
    pub team: Option<String>,
}

/// A person the records name whom mkpi could not tell.
#[derive(Serialize, ToSchema)]
pub struct UnknownPersonJson {
    pub named: String,
    pub column: String,
    /// How many records name them, and the first (1-based).
    pub rows: u64,
    pub first_row: u64,
    pub reason: String,
}

#[derive(Serialize, ToSchema)]
pub struct ProblemJson {
    /// The record's number in the batch (1-based).
    pub row: u64,
    pub column: String,
    pub value: String,
    pub reason: String,
}

#[derive(Serialize, ToSchema)]
pub struct ImportReportJson {
    /// The import's id when the records were stored.
    pub import_id: Option<i64>,
    pub applied: bool,
    pub dry_run: bool,
    pub fact: String,
    pub read: i64,
    pub added: i64,
    pub updated: i64,
    pub unchanged: i64,
    pub rejected: u64,
    pub problem_count: u64,
    /// The first problems (at most 1000).
    pub problems: Vec<ProblemJson>,
    /// People the records name whom mkpi could not tell: answer them in
    /// `people` and send the batch again.
    pub unknown_people: Vec<UnknownPersonJson>,
    /// Employees the answers added, and spellings kept as aliases.
    pub people_created: u64,
    pub aliases_added: u64,
}

impl From<ImportReport> for ImportReportJson {
    fn from(r: ImportReport) -> Self {
        ImportReportJson {
            import_id: r.import_id,
            applied: r.applied,
            dry_run: r.dry_run,
            fact: r.fact,
            read: r.counts.read,
            added: r.counts.added,
            updated: r.counts.updated,
            unchanged: r.counts.unchanged,
            rejected: r.rows_rejected,
            problem_count: r.problem_count,
            unknown_people: r
                .unknown_people
                .into_iter()
                .map(|u| UnknownPersonJson {
                    named: u.named,
                    column: u.column,
                    rows: u.rows,
                    first_row: u.first_row,
                    reason: u.reason,
                })
                .collect(),
            people_created: r.people_created,
            aliases_added: r.aliases_added,
            problems: r
                .problems
                .into_iter()
                .map(|p| ProblemJson {
                    row: p.row,
                    column: p.column,
                    value: p.value,
                    reason: p.reason,
                })
                .collect(),
        }
    }
}

/// What a refused batch answers: the import report with its problems, or
/// (for a body that is not a batch at all) the usual error. Documentation
/// only: the handler answers one or the other.
#[derive(Serialize, ToSchema)]
#[serde(untagged)]
pub enum IngestRefusalJson {
    Report(ImportReportJson),
    Error(super::ErrorBodyJson),
}

/// Imports a batch of facts of one kind. The batch lands whole or not at
/// all; records already stored (same natural key) are updated, never
/// duplicated. Fields are those of the fact's canonical CSV format.
#[utoipa::path(post, path = "/api/v1/ingest/{fact}", tag = "ingest", request_body = IngestRequest,
    params(("fact" = String, Path, description = "campaigns, ad_stats, web_traffic, orders, lead_stages, survey_responses, social_stats, time_entries or tasks")),
    responses(
        (status = 200, description = "Stored (or, for a dry run, would be stored)", body = ImportReportJson),
        (status = 422, description = "Problems found, nothing stored (the report); or a body that does not fit the request's schema (an error)", body = IngestRefusalJson),
        (status = 404, description = "Unknown fact", body = super::ErrorBodyJson),
        (status = 403, description = "Not an admin", body = super::ErrorBodyJson),
        (status = 401, description = "Not signed in", body = super::ErrorBodyJson),
    ))]
pub async fn create(
    State(state): State<AppState>,
    Auth(actor): Auth,
    Path(fact): Path<String>,
    Json(req): Json<IngestRequest>,
) -> Result<(StatusCode, Json<ImportReportJson>), WebError> {
    let fact = mkpi_ingest::Fact::from_name(&fact)
        .ok_or(WebError::Service(mkpi_services::Error::NotFound))?;
    let report = state
        .services
        .import_records(
            Principal::User(&actor),
            fact,
            &req.records,
            req.dry_run,
            req.people
                .into_iter()
                .map(|p| PersonAnswer {
                    named: p.named,
                    email: p.email,
                    create: p.create.map(|c| NewPerson {
                        name: c.name,
                        team: c.team,
                    }),
                })
                .collect(),
        )
        .await?;
    let status = crate::pages::report_status(&report);
    Ok((status, Json(report.into())))
}
