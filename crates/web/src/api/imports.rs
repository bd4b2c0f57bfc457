//! Imports of files through the API (admins): a file with a preset (or a
//! saved mapping), the list of imports, rollback, and the saved mappings.

use axum::Json;
use axum::body::Body;
use axum::extract::{Path, Query, RawQuery, State};
use axum::http::StatusCode;
use mkpi_services::imports::ImportRow;
use mkpi_services::imports::{ImportRequest, PersonAnswer};
use mkpi_services::mappings::PresetInfo;
use mkpi_services::users::Principal;
use mkpi_services::{Error, FieldProblem};
use serde::Serialize;
use utoipa::{IntoParams, ToSchema};

use super::ingest::ImportReportJson;
use crate::AppState;
use crate::auth::Auth;
use crate::error::WebError;
use crate::paging::{PageQuery, paginate};

#[derive(Serialize, ToSchema)]
pub struct ImportJson {
    pub id: i64,
    /// Unix seconds.
    pub at: i64,
    /// Who ran it.
    pub actor: String,
    /// The file's name, or `api`.
    pub source: String,
    /// SHA-256 of the file's bytes.
    pub file_hash: Option<String>,
    pub preset: String,
    pub fact: String,
    pub rows_read: i64,
    pub rows_added: i64,
    pub rows_updated: i64,
    pub rows_unchanged: i64,
    /// applied or rolled_back.
    pub status: String,
    pub rolled_back_at: Option<i64>,
}

impl From<ImportRow> for ImportJson {
    fn from(r: ImportRow) -> Self {
        ImportJson {
            id: r.id,
            at: r.at,
            actor: r.actor,
            source: r.source,
            file_hash: r.file_hash,
            preset: r.preset,
            fact: r.fact,
            rows_read: r.rows_read,
            rows_added: r.rows_added,
            rows_updated: r.rows_updated,
            rows_unchanged: r.rows_unchanged,
            status: r.status,
            rolled_back_at: r.rolled_back_at,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct ImportPageJson {
    pub items: Vec<ImportJson>,
    pub total: usize,
    pub page: usize,
    pub per_page: usize,
    pub pages: usize,
}

/// The imports most recent first (the last 1000), searched by file, preset,
/// fact, status or who ran it, in pages.
#[utoipa::path(get, path = "/api/v1/imports", tag = "ingest", params(PageQuery),
    responses(
        (status = 200, description = "One page of imports, newest first", body = ImportPageJson),
        (status = 403, description = "Not an admin", body = super::ErrorBodyJson),
        (status = 401, description = "Not signed in", body = super::ErrorBodyJson),
    ))]
pub async fn list(
    State(state): State<AppState>,
    Auth(actor): Auth,
    Query(q): Query<PageQuery>,
) -> Result<Json<ImportPageJson>, WebError> {
    let all = state
        .services
        .find_imports(Principal::User(&actor), q.search())
        .await?;
    let page = paginate(all, &q);
    Ok(Json(ImportPageJson {
        items: page.items.into_iter().map(Into::into).collect(),
        total: page.total,
        page: page.page,
        per_page: page.per_page,
        pages: page.pages,
    }))
}

/// How a file is imported: the query of `POST /api/v1/imports`.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FileImportQuery {
    /// A built-in preset (google-ads, meta-ads, ga4, toggl, mkpi-employees, …) or a saved mapping's name.
    pub preset: String,
    /// `true`: check and count everything, store nothing.
    pub dry_run: Option<bool>,
    /// The file's name, for the record (`api` when not given).
    pub source: Option<String>,
    /// Who a person the file names is: `NAMED=EMAIL`, or `NAMED=EMAIL,Full Name,Team` to add
    /// them; repeat for each person the report listed in `unknown_people`.
    pub person: Option<Vec<String>>,
}

/// Imports a file: its bytes are the body (CSV, TSV, XLSX or JSON, as the
/// preset reads). The file lands whole or not at all; rows already stored
/// (same natural key) are updated, never duplicated. At most 200 MB.
#[utoipa::path(post, path = "/api/v1/imports", tag = "ingest", params(FileImportQuery),
    request_body(content = Vec<u8>, content_type = "application/octet-stream", description = "The file's bytes"),
    responses(
        (status = 200, description = "Stored (or, for a dry run, would be stored)", body = ImportReportJson),
        (status = 422, description = "Problems found, nothing stored (the report); an unknown preset, an empty body or a bad `person` (an error)", body = super::ingest::IngestRefusalJson),
        (status = 400, description = "A body larger than 200 MB or broken in transit", body = super::ErrorBodyJson),
        (status = 403, description = "Not an admin", body = super::ErrorBodyJson),
        (status = 401, description = "Not signed in", body = super::ErrorBodyJson),
    ))]
pub async fn import(
    State(state): State<AppState>,
    Auth(actor): Auth,
    RawQuery(query): RawQuery,
    body: Body,
) -> Result<(StatusCode, Json<ImportReportJson>), WebError> {
    let by = Principal::User(&actor);
    // Admins only, before anything of the request is read.
    by.require_admin()?;
    let pairs: Vec<(String, String)> =
        serde_urlencoded::from_str(query.as_deref().unwrap_or(""))
            .map_err(|e| WebError::BadRequest(format!("the query cannot be read: {e}")))?;
    let value = |key: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.trim().to_string())
    };
    let mut problems = Vec::new();
    let dry_run = match value("dry_run").as_deref() {
        None | Some("" | "false" | "0") => false,
        Some("true" | "1") => true,
        Some(other) => {
            problems.push(FieldProblem::new(
                "dry_run",
                format!("'{other}' is neither true nor false"),
            ));
            false
        }
    };
    let mut people = Vec::new();
    for (i, (_, raw)) in pairs.iter().filter(|(k, _)| k == "person").enumerate() {
        match PersonAnswer::from_line(raw) {
            Some(a) => people.push(a),
            None => problems.push(FieldProblem::new(
                &format!("person[{i}]"),
                format!("'{raw}': write it as NAMED=EMAIL or NAMED=EMAIL,Full Name,Team"),
            )),
        }
    }
    let preset_name = value("preset").unwrap_or_default();
    if preset_name.is_empty() {
        problems.push(FieldProblem::new(
            "preset",
            "say which preset reads the file (?preset=google-ads, …)",
        ));
    }
    if !problems.is_empty() {
        return Err(Error::Invalid(problems).into());
    }
    let preset = state.services.preset(by, &preset_name).await?;
    let file = crate::pages::imports::spool(body).await?;
    let reader = file
        .reopen()
        .map_err(|e| Error::Internal(format!("cannot read the upload: {e}")))?;
    let report = state
        .services
        .import_file(
            by,
            std::io::BufReader::new(reader),
            ImportRequest {
                source: value("source")
                    .filter(|s| !s.is_empty())
                    .unwrap_or_else(|| "api".into()),
                preset,
                dry_run,
                people,
            },
        )
        .await?;
    drop(file);
    let status = crate::pages::report_status(&report);
    Ok((status, Json(report.into())))
}

/// Undoes the most recent import: rows it added go, rows it changed get
/// their earlier values back.
#[utoipa::path(post, path = "/api/v1/imports/{id}/rollback", tag = "ingest",
    params(("id" = i64, Path, description = "Import id")),
    responses(
        (status = 200, description = "Rolled back", body = ImportJson),
        (status = 409, description = "Already rolled back, not the most recent import, or its campaigns are used by later data", body = super::ErrorBodyJson),
        (status = 404, description = "No such import", body = super::ErrorBodyJson),
        (status = 403, description = "Not an admin", body = super::ErrorBodyJson),
        (status = 401, description = "Not signed in", body = super::ErrorBodyJson),
    ))]
pub async fn rollback(
    State(state): State<AppState>,
    Auth(actor): Auth,
    Path(id): Path<i64>,
) -> Result<Json<ImportJson>, WebError> {
    let row = state
        .services
        .rollback_import(Principal::User(&actor), id)
        .await?;
    Ok(Json(row.into()))
}

#[derive(Serialize, ToSchema)]
pub struct MappingJson {
    pub name: String,
    pub title: String,
    pub fact: String,
    /// Built into mkpi (false: a mapping an admin saved).
    pub builtin: bool,
    /// The preset as TOML (docs/import-formats.md).
    pub toml: String,
}

impl From<PresetInfo> for MappingJson {
    fn from(p: PresetInfo) -> Self {
        MappingJson {
            name: p.name,
            title: p.title,
            fact: p.fact,
            builtin: p.builtin,
            toml: p.toml,
        }
    }
}

/// The presets built in and the mappings saved.
#[utoipa::path(get, path = "/api/v1/mappings", tag = "ingest",
    responses(
        (status = 200, description = "Every preset and saved mapping", body = Vec<MappingJson>),
        (status = 403, description = "Not an admin", body = super::ErrorBodyJson),
        (status = 401, description = "Not signed in", body = super::ErrorBodyJson),
    ))]
pub async fn mappings(
    State(state): State<AppState>,
    Auth(actor): Auth,
) -> Result<Json<Vec<MappingJson>>, WebError> {
    let all = state.services.presets(Principal::User(&actor)).await?;
    Ok(Json(all.into_iter().map(Into::into).collect()))
}

/// Saves a mapping (a preset in TOML, its `name` inside) under its name,
/// replacing a saved one of that name; built-in names are refused.
#[utoipa::path(post, path = "/api/v1/mappings", tag = "ingest",
    request_body(content = String, content_type = "text/plain", description = "The mapping as TOML"),
    responses(
        (status = 201, description = "Saved", body = MappingJson),
        (status = 422, description = "TOML that is no preset, or a built-in preset's name", body = super::ErrorBodyJson),
        (status = 403, description = "Not an admin", body = super::ErrorBodyJson),
        (status = 401, description = "Not signed in", body = super::ErrorBodyJson),
    ))]
pub async fn save_mapping(
    State(state): State<AppState>,
    Auth(actor): Auth,
    toml: String,
) -> Result<(StatusCode, Json<MappingJson>), WebError> {
    let saved = state
        .services
        .save_mapping(Principal::User(&actor), &toml)
        .await?;
    Ok((StatusCode::CREATED, Json(saved.into())))
}

/// Deletes a saved mapping.
#[utoipa::path(delete, path = "/api/v1/mappings/{name}", tag = "ingest",
    params(("name" = String, Path, description = "The mapping's name")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 404, description = "No saved mapping of that name", body = super::ErrorBodyJson),
        (status = 403, description = "Not an admin", body = super::ErrorBodyJson),
        (status = 401, description = "Not signed in", body = super::ErrorBodyJson),
    ))]
pub async fn delete_mapping(
    State(state): State<AppState>,
    Auth(actor): Auth,
    Path(name): Path<String>,
) -> Result<StatusCode, WebError> {
    state
        .services
        .delete_mapping(Principal::User(&actor), &name)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
