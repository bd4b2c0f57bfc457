//! Imports in the browser (admins): upload a file with a preset, see its
//! first rows, what was detected and which column feeds which field; change
//! that mapping (and save it by name), dry run, then import; the history of
//! imports with the rollback of the most recent one.
//!
//! Between the preview and the import the file waits in a private upload
//! directory under a random token, tied to the user who sent it.

use axum::extract::{Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use minijinja::context;
use mkpi_domain::Locale;
use mkpi_ingest::Preset;
use mkpi_services::import_people::MAX_ANSWERS;
use mkpi_services::imports::{ImportReport, ImportRequest, ImportRow, NewPerson, PersonAnswer};
use mkpi_services::users::Principal;
use mkpi_services::{Actor, Error};
use serde_json::json;

use std::path::PathBuf;

use axum::Form;
use mkpi_ingest::table::Preview;
use std::collections::HashMap;

use super::{layout, ser};
use crate::AppState;
use crate::auth::{Auth, Lang};
use crate::error::WebError;

/// Largest file accepted through the browser.
pub const MAX_UPLOAD: usize = 200 * 1024 * 1024;

/// One line of the "who are these people" table as the person left it.
struct Answer {
    named: String,
    email: String,
    new: bool,
    name: String,
    team: String,
}

/// The answers a run form carries, in the order of its lines (unanswered
/// lines, with no e-mail, included: the page shows them again).
fn answers_in(form: &HashMap<String, String>) -> Vec<Answer> {
    let get = |k: String| {
        form.get(&k)
            .map(|v| v.trim().to_string())
            .unwrap_or_default()
    };
    (0..MAX_ANSWERS)
        .map_while(|i| {
            let named = form.get(&format!("person_{i}_named"))?.clone();
            Some(Answer {
                named,
                email: get(format!("person_{i}_email")),
                new: form.contains_key(&format!("person_{i}_new")),
                name: get(format!("person_{i}_name")),
                team: get(format!("person_{i}_team")),
            })
        })
        .collect()
}

/// What the services are told: the answered lines.
fn person_answers(answers: &[Answer]) -> Vec<PersonAnswer> {
    answers
        .iter()
        .filter(|a| !a.email.is_empty())
        .map(|a| PersonAnswer {
            named: a.named.clone(),
            email: a.email.clone(),
            create: a.new.then(|| NewPerson {
                name: a.name.clone(),
                team: Some(a.team.clone()).filter(|t| !t.is_empty()),
            }),
        })
        .collect()
}

/// A delimiter as the page names it (a tab is not visible).
fn delimiter_label(d: Option<char>) -> Option<String> {
    match d {
        Some('\t') => Some("tab".to_string()),
        d => d.map(String::from),
    }
}

/// 200 when nothing was wrong, 422 when the report lists problems.
pub(crate) fn report_status(report: &ImportReport) -> StatusCode {
    if report.problem_count == 0 {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    }
}

/// Where uploads wait between preview and import.
fn upload_dir() -> PathBuf {
    std::env::temp_dir().join("mkpi-uploads")
}

/// Makes `dir` ours alone (mode 0700), or refuses it: the temporary
/// directory is shared, so another local user could have made the name
/// first — as a symbolic link, or open to everyone — to read or swap the
/// uploads kept there.
fn private_dir(dir: &std::path::Path) -> std::io::Result<()> {
    use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
    let refused = |why: &str| {
        std::io::Error::new(
            std::io::ErrorKind::PermissionDenied,
            format!("{} {why}", dir.display()),
        )
    };
    match std::fs::DirBuilder::new().mode(0o700).create(dir) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
        Err(e) => return Err(e),
    }
    let meta = std::fs::symlink_metadata(dir)?;
    if !meta.file_type().is_dir() {
        return Err(refused(
            "is not a directory (a link?): uploads are not kept there",
        ));
    }
    // One made by an earlier version (mode 0755) is ours to close; one
    // another user made cannot be changed by us, and is refused.
    if meta.permissions().mode() & 0o077 != 0
        && std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700)).is_err()
    {
        return Err(refused(
            "is open to other users: uploads are not kept there",
        ));
    }
    Ok(())
}

/// The file of an upload: the token is 32 hex digits, the owner's user id
/// is part of the name, so no one else's token opens it.
fn upload_path(user_id: i64, token: &str) -> Option<PathBuf> {
    (token.len() == 32 && token.bytes().all(|b| b.is_ascii_hexdigit()))
        .then(|| upload_dir().join(format!("{user_id}-{token}")))
}

/// Keeps an upload for a later step; uploads older than a day go.
fn keep_upload(user_id: i64, file: tempfile::NamedTempFile) -> Result<String, WebError> {
    let dir = upload_dir();
    let failed = |e: std::io::Error| {
        WebError::Service(Error::Internal(format!("cannot keep the upload: {e}")))
    };
    private_dir(&dir).map_err(failed)?;
    if let Ok(entries) = std::fs::read_dir(&dir) {
        for e in entries.flatten() {
            let old = e
                .metadata()
                .and_then(|m| m.modified())
                .ok()
                .and_then(|t| t.elapsed().ok())
                .is_some_and(|age| age.as_secs() > 24 * 3600);
            if old {
                let _ = std::fs::remove_file(e.path());
            }
        }
    }
    let mut b = [0u8; 16];
    getrandom::fill(&mut b).map_err(|e| WebError::Service(Error::Internal(e.to_string())))?;
    let token: String = b.iter().map(|x| format!("{x:02x}")).collect();
    let path = upload_path(user_id, &token)
        .ok_or_else(|| WebError::Service(Error::Internal("bad token".into())))?;
    file.persist(&path).map_err(|e| failed(e.error))?;
    Ok(token)
}

/// What the preview step shows: the file's start and the mapping editor.
struct Shown<'a> {
    token: &'a str,
    source: &'a str,
    preset: &'a Preset,
    preview: &'a Preview,
}

fn preview_json(shown: &Shown<'_>) -> serde_json::Value {
    let p = shown.preview;
    let fields: Vec<_> = shown
        .preset
        .fact
        .fields()
        .iter()
        .map(|f| json!({"name": f.name, "required": f.required}))
        .collect();
    json!({
        "token": shown.token,
        "source": shown.source,
        "preset": shown.preset.name,
        "preset_title": shown.preset.title,
        "fact": shown.preset.fact.name(),
        "encoding": p.encoding.name(),
        "delimiter": delimiter_label(p.delimiter),
        "header_row": p.header_row,
        "columns": p.headers.iter().zip(&p.fields).enumerate().map(|(i, (h, f))| json!({"index": i, "header": h, "field": f})).collect::<Vec<_>>(),
        "fields": fields,
        "rows": p.rows.iter().map(|(row, cells)| json!({"row": row, "cells": cells.iter().take(p.headers.len().max(1)).map(|c| if c.chars().count() > 60 { format!("{}…", c.chars().take(60).collect::<String>()) } else { c.clone() }).collect::<Vec<_>>()})).collect::<Vec<_>>(),
        "toml": shown.preset.to_toml(),
    })
}

async fn render(
    state: &AppState,
    lang: Locale,
    actor: &Actor,
    status: StatusCode,
    report: Option<&ImportReport>,
    chosen_preset: &str,
    shown: Option<Shown<'_>>,
) -> Result<Response, WebError> {
    render_with(
        state,
        lang,
        actor,
        status,
        report,
        chosen_preset,
        shown,
        None,
        None,
    )
    .await
}

#[allow(clippy::too_many_arguments)]
async fn render_with(
    state: &AppState,
    lang: Locale,
    actor: &Actor,
    status: StatusCode,
    report: Option<&ImportReport>,
    chosen_preset: &str,
    shown: Option<Shown<'_>>,
    manual: Option<mkpi_ingest::Fact>,
    entered: Option<&HashMap<String, String>>,
) -> Result<Response, WebError> {
    let manual = manual.map(|fact| {
        json!({
            "fact": fact.name(),
            "fields": fact.fields().iter().filter(|f| f.column.is_some() || f.name == "contributors").map(|f| json!({
                "name": f.name,
                "required": f.required,
                "hint": field_hint(f.kind),
                "value": entered.and_then(|e| e.get(&format!("value_{}", f.name))).cloned().unwrap_or_default(),
            })).collect::<Vec<_>>(),
        })
    });
    let facts: Vec<&str> = mkpi_ingest::Fact::ALL.iter().map(|f| f.name()).collect();
    let history = state
        .services
        .list_imports(Principal::User(actor), 10)
        .await?;
    let latest_applied = state
        .services
        .latest_applied_import(Principal::User(actor))
        .await?;
    let all_presets = state.services.presets(Principal::User(actor)).await?;
    let spans = state.services.fact_spans(Principal::User(actor)).await?;
    let presets: Vec<_> = all_presets
        .iter()
        .map(|p| json!({"name": p.name, "title": p.title, "fact": p.fact, "builtin": p.builtin}))
        .collect();
    let answers = entered.map(answers_in).unwrap_or_default();
    // Who an unknown person may be: the people and teams to choose from.
    let asks = report.is_some_and(|r| !r.unknown_people.is_empty());
    let (known_people, known_teams) = if asks {
        let people: Vec<_> = state
            .services
            .list_employees(actor)
            .await?
            .into_iter()
            .filter(|e| e.active)
            .map(|e| json!({"email": e.email, "name": e.name}))
            .collect();
        let teams: Vec<String> = state
            .services
            .list_teams(actor)
            .await?
            .into_iter()
            .filter(|t| t.archived_at.is_none())
            .map(|t| t.name)
            .collect();
        (people, teams)
    } else {
        (Vec::new(), Vec::new())
    };
    let report = report.map(|r| {
        json!({
            "applied": r.applied, "dry_run": r.dry_run, "import_id": r.import_id, "source": r.source,
            "preset": r.preset, "encoding": r.encoding, "delimiter": delimiter_label(r.delimiter),
            "header_row": r.header_row, "read": r.counts.read, "added": r.counts.added, "updated": r.counts.updated,
            "unchanged": r.counts.unchanged, "rejected": r.rows_rejected, "problem_count": r.problem_count,
            "campaigns_created": r.campaigns_created,
            "teams_created": r.teams_created, "accounts_created": r.accounts_created,
            "people_created": r.people_created, "aliases_added": r.aliases_added,
            "unknown_people": r.unknown_people.iter().map(|u| {
                let given = answers.iter().find(|a| a.named == u.named);
                let looks_like_email = u.named.contains('@');
                json!({
                    "named": u.named, "column": u.column, "rows": u.rows, "first_row": u.first_row,
                    "reason": u.reason,
                    // The employee's e-mail is for the person to give: the file's own
                    // spelling is rarely it (a tracker account, a personal address).
                    "email": given.map(|a| a.email.clone()).unwrap_or_default(),
                    "new": given.is_some_and(|a| a.new),
                    "name": given.map_or_else(|| if looks_like_email { String::new() } else { u.named.clone() }, |a| a.name.clone()),
                    "team": given.map(|a| a.team.clone()).unwrap_or_default(),
                })
            }).collect::<Vec<_>>(),
            "changes": r.changes.iter().map(|c| json!({"row": c.row, "key": c.key, "fields": c.fields.iter().map(|(f, b, a)| json!({"field": f, "before": b, "after": a})).collect::<Vec<_>>()})).collect::<Vec<_>>(),
            "problems": r.problems.iter().take(200).map(|p| json!({"row": p.row, "column": p.column, "value": p.value, "reason": p.reason})).collect::<Vec<_>>(),
        })
    });
    let html = state.templates().render(
        "imports.html",
        context! {
            ..layout(lang, Some(actor), "imports", "/imports"),
            ..context! {
                presets => ser(&presets),
                mappings => ser(presets.iter().filter(|p| p["builtin"] == false).collect::<Vec<_>>()),
                chosen => chosen_preset,
                spans => ser(&spans),
                manual => ser(&manual),
                facts => ser(&facts),
                report => ser(&report),
                known_people => ser(&known_people),
                known_teams => ser(&known_teams),
                preview => ser(shown.as_ref().map(preview_json)),
                history => ser(history_lines(&history, latest_applied)),
            },
        },
    )?;
    Ok((status, Html(html)).into_response())
}

/// Imports as lines of the history table; only the latest applied one can
/// be rolled back.
fn history_lines(history: &[ImportRow], latest_applied: Option<i64>) -> Vec<serde_json::Value> {
    history
        .iter()
        .map(|i| {
            json!({
                "id": i.id, "at": i.at, "actor": i.actor, "source": i.source, "preset": i.preset, "status": i.status,
                "read": i.rows_read, "added": i.rows_added, "updated": i.rows_updated, "unchanged": i.rows_unchanged,
                "can_roll_back": Some(i.id) == latest_applied,
            })
        })
        .collect()
}

#[derive(serde::Deserialize)]
pub struct HistoryQuery {
    q: Option<String>,
    page: Option<usize>,
    /// `csv`: the imports found, as a file.
    format: Option<String>,
}

/// Every import (the newest 1,000), searched, in pages, or as CSV.
pub async fn history(
    State(state): State<AppState>,
    Lang(lang): Lang,
    Auth(actor): Auth,
    axum::extract::Query(q): axum::extract::Query<HistoryQuery>,
) -> Result<Response, WebError> {
    let paging = crate::paging::PageQuery {
        q: q.q.clone(),
        page: q.page,
        per_page: None,
    };
    let found = state
        .services
        .find_imports(Principal::User(&actor), paging.search())
        .await?;
    if q.format.as_deref() == Some("csv") {
        let rows: Vec<Vec<String>> = found
            .iter()
            .map(|i| {
                vec![
                    i.id.to_string(),
                    i.at.to_string(),
                    i.actor.clone(),
                    i.source.clone(),
                    i.preset.clone(),
                    i.fact.clone(),
                    i.rows_read.to_string(),
                    i.rows_added.to_string(),
                    i.rows_updated.to_string(),
                    i.rows_unchanged.to_string(),
                    i.status.clone(),
                ]
            })
            .collect();
        return crate::paging::csv_download(
            "imports",
            &[
                "id",
                "at",
                "actor",
                "file",
                "preset",
                "fact",
                "read",
                "added",
                "updated",
                "unchanged",
                "status",
            ],
            &rows,
        );
    }
    let latest_applied = state
        .services
        .latest_applied_import(Principal::User(&actor))
        .await?;
    let page = crate::paging::paginate(found, &paging);
    let search = paging.search();
    let html = state.templates().render(
        "imports_history.html",
        context! {
            ..layout(lang, Some(&actor), "imports", "/imports/history"),
            ..context! {
                history => ser(history_lines(&page.items, latest_applied)),
                q => search,
                pager => ser(crate::paging::pager("/imports/history", &page, &[("q", search)])),
            },
        },
    )?;
    Ok(Html(html).into_response())
}

/// The fields of an upload form.
struct Upload {
    preset: String,
    dry_run: bool,
    /// The file's name and where its bytes were written as they arrived:
    /// an upload is never held in memory.
    file: Option<(String, tempfile::NamedTempFile)>,
}

impl Upload {
    async fn read(form: &mut Multipart) -> Result<Upload, WebError> {
        use std::io::Write;
        let bad = |e: axum::extract::multipart::MultipartError| {
            WebError::BadRequest(format!("the upload is broken: {e}"))
        };
        let failed = |e: std::io::Error| {
            WebError::Service(Error::Internal(format!("cannot keep the upload: {e}")))
        };
        let mut upload = Upload {
            preset: String::new(),
            dry_run: false,
            file: None,
        };
        while let Some(mut field) = form.next_field().await.map_err(bad)? {
            match field.name().unwrap_or_default() {
                "preset" => upload.preset = field.text().await.map_err(bad)?,
                "dry_run" => upload.dry_run = true,
                "file" => {
                    let name = field.file_name().unwrap_or("upload").to_string();
                    let dir = upload_dir();
                    private_dir(&dir).map_err(failed)?;
                    let mut file = tempfile::NamedTempFile::new_in(&dir).map_err(failed)?;
                    let mut written = 0_usize;
                    while let Some(chunk) = field.chunk().await.map_err(bad)? {
                        written += chunk.len();
                        file.write_all(&chunk).map_err(failed)?;
                    }
                    file.flush().map_err(failed)?;
                    upload.file = Some((name, file)).filter(|(n, _)| written > 0 || !n.is_empty());
                }
                _ => {}
            }
        }
        Ok(upload)
    }

    /// The file's name and where it is, or why there is none.
    fn take_file(&mut self) -> Result<(String, tempfile::NamedTempFile), WebError> {
        self.file
            .take()
            .ok_or_else(|| Error::invalid("file", "choose a file to import").into())
    }
}

/// A request's body written to a file in the upload directory as it
/// arrives (never held in memory), refused past [`MAX_UPLOAD`].
pub(crate) async fn spool(mut body: axum::body::Body) -> Result<tempfile::NamedTempFile, WebError> {
    use axum::body::HttpBody;
    use std::io::Write;
    let failed = |e: std::io::Error| {
        WebError::Service(Error::Internal(format!("cannot keep the upload: {e}")))
    };
    let dir = upload_dir();
    private_dir(&dir).map_err(failed)?;
    let mut file = tempfile::NamedTempFile::new_in(&dir).map_err(failed)?;
    let mut written = 0_usize;
    while let Some(frame) =
        std::future::poll_fn(|cx| std::pin::Pin::new(&mut body).poll_frame(cx)).await
    {
        let frame =
            frame.map_err(|e| WebError::BadRequest(format!("the upload is broken: {e}")))?;
        if let Ok(data) = frame.into_data() {
            written += data.len();
            if written > MAX_UPLOAD {
                return Err(WebError::BadRequest(format!(
                    "the file is larger than {} MB",
                    MAX_UPLOAD / 1024 / 1024
                )));
            }
            file.write_all(&data).map_err(failed)?;
        }
    }
    file.flush().map_err(failed)?;
    if written == 0 {
        return Err(Error::invalid("file", "the body is empty: send the file's bytes").into());
    }
    Ok(file)
}

fn open(path: &std::path::Path) -> Result<std::fs::File, WebError> {
    std::fs::File::open(path)
        .map_err(|e| WebError::Service(Error::Internal(format!("cannot read the upload: {e}"))))
}

/// Reads the start of a stored upload with a preset.
async fn preview_of(path: &std::path::Path, preset: &Preset) -> Result<Preview, WebError> {
    let preset = preset.clone();
    let file = open(path)?;
    tokio::task::spawn_blocking(move || {
        mkpi_ingest::table::preview(std::io::BufReader::new(file), Some(&preset), 10)
    })
    .await
    .map_err(|e| WebError::Service(Error::Internal(e.to_string())))?
    .map_err(|e| Error::invalid("file", e.to_string()).into())
}

/// Step 1: the file is kept and its first rows shown with the mapping.
pub async fn preview(
    State(state): State<AppState>,
    Lang(lang): Lang,
    Auth(actor): Auth,
    mut form: Multipart,
) -> Result<Response, WebError> {
    // Rights first: nobody else makes the server read an upload.
    if !actor.role.manages_users() {
        return Err(mkpi_services::Error::Forbidden.into());
    }
    let mut upload = Upload::read(&mut form).await?;
    let found = state
        .services
        .preset(Principal::User(&actor), &upload.preset)
        .await?;
    let (name, file) = upload.take_file()?;
    let preset = upload.preset;
    let user_id = actor.user_id;
    let token = keep_upload(user_id, file)?;
    let path = upload_path(user_id, &token)
        .ok_or_else(|| WebError::Service(Error::Internal("bad token".into())))?;
    let shown = preview_of(&path, &found).await?;
    render(
        &state,
        lang,
        &actor,
        StatusCode::OK,
        None,
        &preset,
        Some(Shown {
            token: &token,
            source: &name,
            preset: &found,
            preview: &shown,
        }),
    )
    .await
}

/// Step 2: the mapping as the person left it; a dry run or the import.
pub async fn run(
    State(state): State<AppState>,
    Lang(lang): Lang,
    Auth(actor): Auth,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, WebError> {
    let get = |k: &str| form.get(k).map(String::as_str).unwrap_or_default();
    let (token, preset_name, source) = (get("token"), get("preset"), get("source"));
    let base = state
        .services
        .preset(Principal::User(&actor), preset_name)
        .await?;
    let path = upload_path(actor.user_id, token)
        .filter(|p| p.exists())
        .ok_or_else(|| {
            Error::invalid(
                "token",
                "this upload is no longer here: choose the file again",
            )
        })?;
    // Each step reads the kept file again: nothing is held in memory.
    let first = preview_of(&path, &base).await?;
    let choices: Vec<(String, String)> = first
        .headers
        .iter()
        .enumerate()
        .filter_map(|(i, h)| {
            let field = get(&format!("field_{i}"));
            (!field.is_empty()).then(|| (h.clone(), field.to_string()))
        })
        .collect();
    let as_picked: Vec<(String, String)> = first
        .headers
        .iter()
        .zip(&first.fields)
        .filter_map(|(h, f)| f.clone().map(|f| (h.clone(), f)))
        .collect();
    let save_as = get("save_as").trim();
    let preset = if choices == as_picked && save_as.is_empty() {
        base.clone()
    } else {
        let name = if save_as.is_empty() {
            "custom-mapping"
        } else {
            save_as
        };
        base.with_columns(name, name, &choices)
            .map_err(|e| Error::invalid("mapping", e.to_string()))?
    };
    if !save_as.is_empty() {
        state
            .services
            .save_mapping(Principal::User(&actor), &preset.to_toml())
            .await?;
    }
    let dry_run = form.contains_key("dry_run");
    let request = ImportRequest {
        source: if source.is_empty() {
            "upload".to_string()
        } else {
            source.to_string()
        },
        preset: preset.clone(),
        dry_run,
        people: person_answers(&answers_in(&form)),
    };
    let report = state
        .services
        .import_file(Principal::User(&actor), open(&path)?, request)
        .await?;
    let status = report_status(&report);
    if report.applied {
        let _ = std::fs::remove_file(&path);
        return render(
            &state,
            lang,
            &actor,
            status,
            Some(&report),
            &preset.name,
            None,
        )
        .await;
    }
    let again = preview_of(&path, &preset).await?;
    render_with(
        &state,
        lang,
        &actor,
        status,
        Some(&report),
        &preset.name,
        Some(Shown {
            token,
            source,
            preset: &preset,
            preview: &again,
        }),
        None,
        Some(&form),
    )
    .await
}

/// A mapping written as TOML (see docs/import-formats.md), checked and
/// saved by the name it gives.
pub async fn save_mapping(
    State(state): State<AppState>,
    Lang(lang): Lang,
    Auth(actor): Auth,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, WebError> {
    let toml = form.get("toml").map(String::as_str).unwrap_or_default();
    let saved = state
        .services
        .save_mapping(Principal::User(&actor), toml)
        .await?;
    render(
        &state,
        lang,
        &actor,
        StatusCode::OK,
        None,
        &saved.name,
        None,
    )
    .await
}

pub async fn delete_mapping(
    State(state): State<AppState>,
    Auth(actor): Auth,
    Path(name): Path<String>,
) -> Result<Response, WebError> {
    state
        .services
        .delete_mapping(Principal::User(&actor), &name)
        .await?;
    Ok(Redirect::to("/imports").into_response())
}

#[derive(serde::Deserialize)]
pub struct ShowQuery {
    /// The fact whose hand-entry form to open.
    #[serde(default)]
    manual: Option<String>,
}

pub async fn show(
    State(state): State<AppState>,
    Lang(lang): Lang,
    Auth(actor): Auth,
    axum::extract::Query(q): axum::extract::Query<ShowQuery>,
) -> Result<Response, WebError> {
    let manual = q.manual.as_deref().and_then(mkpi_ingest::Fact::from_name);
    render_with(
        &state,
        lang,
        &actor,
        StatusCode::OK,
        None,
        "",
        None,
        manual,
        None,
    )
    .await
}

/// What a person types into a field, in words.
fn field_hint(kind: mkpi_ingest::fact::Kind) -> String {
    use mkpi_ingest::fact::Kind;
    match kind {
        Kind::Date => "2024-12-31".to_string(),
        Kind::Timestamp => "2024-12-31 14:05".to_string(),
        Kind::Time => "14:05".to_string(),
        Kind::Count => "0, 1, 2…".to_string(),
        Kind::Score { min, max } => format!("{min}–{max}"),
        Kind::Number => "12.5".to_string(),
        Kind::Hours => "1.5 / 01:30".to_string(),
        Kind::Money => "1 234.50".to_string(),
        Kind::Currency => "RUB".to_string(),
        Kind::Email => "name@example.com".to_string(),
        Kind::Person => "name@example.com".to_string(),
        Kind::Flag => "yes / no".to_string(),
        Kind::Choice(values) => values.join(" / "),
        Kind::Text | Kind::Code => String::new(),
    }
}

/// A row of a fact entered by hand: the same checks as any import.
pub async fn manual(
    State(state): State<AppState>,
    Lang(lang): Lang,
    Auth(actor): Auth,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, WebError> {
    let fact = form
        .get("fact")
        .and_then(|f| mkpi_ingest::Fact::from_name(f))
        .ok_or_else(|| Error::invalid("fact", "choose what to enter"))?;
    let mut record = serde_json::Map::new();
    for f in fact.fields() {
        if let Some(v) = form
            .get(&format!("value_{}", f.name))
            .filter(|v| !v.trim().is_empty())
        {
            record.insert(f.name.to_string(), serde_json::Value::String(v.clone()));
        }
    }
    let report = state
        .services
        .import_records_from(
            Principal::User(&actor),
            "manual",
            fact,
            &[record],
            false,
            Vec::new(),
        )
        .await?;
    let status = report_status(&report);
    let entered = (!report.applied).then_some(&form);
    render_with(
        &state,
        lang,
        &actor,
        status,
        Some(&report),
        "",
        None,
        Some(fact),
        entered,
    )
    .await
}

pub async fn upload(
    State(state): State<AppState>,
    Lang(lang): Lang,
    Auth(actor): Auth,
    mut form: Multipart,
) -> Result<Response, WebError> {
    // Rights first: nobody else makes the server read an upload.
    if !actor.role.manages_users() {
        return Err(mkpi_services::Error::Forbidden.into());
    }
    let mut upload = Upload::read(&mut form).await?;
    let preset_found = state
        .services
        .preset(Principal::User(&actor), &upload.preset)
        .await?;
    let (name, file) = upload.take_file()?;
    let (preset, dry_run) = (upload.preset, upload.dry_run);
    let request = ImportRequest {
        source: name,
        preset: preset_found,
        dry_run,
        people: Vec::new(),
    };
    let report = state
        .services
        .import_file(Principal::User(&actor), open(file.path())?, request)
        .await?;
    let status = report_status(&report);
    render(&state, lang, &actor, status, Some(&report), &preset, None).await
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

#[cfg(test)]
mod tests {
    use super::private_dir;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn uploads_wait_only_in_a_directory_of_our_own() {
        let root = tempfile::tempdir().unwrap();
        let ours = root.path().join("made");
        private_dir(&ours).unwrap();
        let mode = std::fs::metadata(&ours).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o700);
        private_dir(&ours).expect("ours again");

        // Made open by an earlier version (0755): closed to 0700.
        let open = root.path().join("open");
        std::fs::create_dir(&open).unwrap();
        std::fs::set_permissions(&open, std::fs::Permissions::from_mode(0o755)).unwrap();
        private_dir(&open).unwrap();
        let mode = std::fs::metadata(&open).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o700);

        let link = root.path().join("link");
        std::os::unix::fs::symlink(&ours, &link).unwrap();
        let e = private_dir(&link).unwrap_err();
        assert!(
            e.to_string().contains("is not a directory (a link?)"),
            "{e}"
        );
    }
}
