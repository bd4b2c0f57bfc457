//! Imports in the browser (admins): upload a file with a preset, see what
//! was detected and every problem, dry run first; the history of imports
//! with the rollback of the most recent one.

use axum::extract::{Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use minijinja::context;
use mkpi_domain::Locale;
use mkpi_ingest::Preset;
use mkpi_services::imports::{ImportReport, ImportRequest};
use mkpi_services::users::Principal;
use mkpi_services::{Actor, Error};
use serde_json::json;

use super::{layout, ser};
use crate::AppState;
use crate::auth::{Auth, Lang};
use crate::error::WebError;

/// Largest file accepted through the browser.
pub const MAX_UPLOAD: usize = 200 * 1024 * 1024;

async fn render(
    state: &AppState,
    lang: Locale,
    actor: &Actor,
    status: StatusCode,
    report: Option<&ImportReport>,
    chosen_preset: &str,
) -> Result<Response, WebError> {
    let history = state
        .services
        .list_imports(Principal::User(actor), 50)
        .await?;
    let latest_applied = history.iter().find(|i| i.status == "applied").map(|i| i.id);
    let presets: Vec<_> = Preset::builtin()
        .into_iter()
        .map(|p| json!({"name": p.name, "title": p.title}))
        .collect();
    let report = report.map(|r| {
        json!({
            "applied": r.applied, "dry_run": r.dry_run, "import_id": r.import_id, "source": r.source,
            "preset": r.preset, "encoding": r.encoding, "delimiter": match r.delimiter { Some('\t') => Some("tab".to_string()), d => d.map(String::from) },
            "header_row": r.header_row, "read": r.counts.read, "added": r.counts.added, "updated": r.counts.updated,
            "unchanged": r.counts.unchanged, "rejected": r.rows_rejected, "problem_count": r.problem_count,
            "problems": r.problems.iter().take(200).map(|p| json!({"row": p.row, "column": p.column, "value": p.value, "reason": p.reason})).collect::<Vec<_>>(),
        })
    });
    let html = state.templates().render(
        "imports.html",
        context! {
            ..layout(lang, Some(actor), "imports", "/imports"),
            ..context! {
                presets => ser(&presets),
                chosen => chosen_preset,
                report => ser(&report),
                history => ser(history.iter().map(|i| json!({
                    "id": i.id, "at": i.at, "actor": i.actor, "source": i.source, "preset": i.preset, "status": i.status,
                    "read": i.rows_read, "added": i.rows_added, "updated": i.rows_updated, "unchanged": i.rows_unchanged,
                    "can_roll_back": Some(i.id) == latest_applied,
                })).collect::<Vec<_>>()),
            },
        },
    )?;
    Ok((status, Html(html)).into_response())
}

pub async fn show(
    State(state): State<AppState>,
    Lang(lang): Lang,
    Auth(actor): Auth,
) -> Result<Response, WebError> {
    render(&state, lang, &actor, StatusCode::OK, None, "").await
}

pub async fn upload(
    State(state): State<AppState>,
    Lang(lang): Lang,
    Auth(actor): Auth,
    mut form: Multipart,
) -> Result<Response, WebError> {
    let bad = |e: axum::extract::multipart::MultipartError| {
        WebError::BadRequest(format!("the upload is broken: {e}"))
    };
    let (mut preset, mut dry_run, mut file): (String, bool, Option<(String, Vec<u8>)>) =
        (String::new(), false, None);
    while let Some(field) = form.next_field().await.map_err(bad)? {
        match field.name().unwrap_or_default() {
            "preset" => preset = field.text().await.map_err(bad)?,
            "dry_run" => dry_run = true,
            "file" => {
                let name = field.file_name().unwrap_or("upload").to_string();
                file = Some((name, field.bytes().await.map_err(bad)?.to_vec()));
            }
            _ => {}
        }
    }
    let preset_found =
        Preset::find(&preset).map_err(|e| Error::invalid("preset", e.to_string()))?;
    let Some((name, bytes)) = file.filter(|(n, b)| !n.is_empty() || !b.is_empty()) else {
        return Err(Error::invalid("file", "choose a file to import").into());
    };
    let request = ImportRequest {
        source: name,
        preset: preset_found,
        dry_run,
    };
    let report = state
        .services
        .import_file(
            Principal::User(&actor),
            std::io::Cursor::new(bytes),
            request,
        )
        .await?;
    let status = if report.problem_count == 0 {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    render(&state, lang, &actor, status, Some(&report), &preset).await
}

pub async fn rollback(
    State(state): State<AppState>,
    Auth(actor): Auth,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    state
        .services
        .rollback_import(Principal::User(&actor), id)
        .await?;
    Ok(Redirect::to("/imports").into_response())
}
