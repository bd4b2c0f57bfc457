//! Reports: the definitions with a form for a new one, a report's page (the
//! report itself with drill-down links, its files, share links and
//! schedules), the competitor figures the competitor section reads, and
//! the read-only page a share link opens for people without an account.

use axum::Form;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{HeaderValue, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use minijinja::context;
use mkpi_domain::{Locale, Role};
use mkpi_report::{Format, View};
use mkpi_services::Actor;
use mkpi_services::competitors::BenchmarkInput;
use mkpi_services::report::Definition;
use mkpi_services::report_data::{DefinitionInput, SECTIONS};
use serde::Deserialize;
use serde_json::json;

use super::{layout, ser};
use crate::AppState;
use crate::auth::{Auth, Lang};
use crate::error::WebError;

/// The largest competitor file accepted.
pub const MAX_UPLOAD: usize = 5 * 1024 * 1024;

/// Builds a report's view as `actor` may see it; `public` leaves people out.
pub(crate) async fn view_of(
    state: &AppState,
    actor: &Actor,
    definition: &Definition,
    public: bool,
) -> Result<View, WebError> {
    let report = state
        .services
        .build_report(actor, definition, &mut |_| {})
        .await?;
    let report = if public {
        report.without_people()
    } else {
        report
    };
    Ok(mkpi_report::build(&report))
}

/// A report's file as a download (HTML opens in the browser).
pub(crate) async fn file(
    view: View,
    format: Format,
    table: Option<String>,
) -> Result<Response, WebError> {
    let name = mkpi_report::file_name(&view, format);
    let bytes =
        tokio::task::spawn_blocking(move || mkpi_report::render(&view, format, table.as_deref()))
            .await
            .map_err(|e| WebError::Internal(e.to_string()))??;
    let disposition = if format == Format::Html {
        "inline".to_string()
    } else {
        format!("attachment; filename=\"{name}\"")
    };
    let mut response = bytes.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(format.content_type()),
    );
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        headers.insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(response)
}

/// A format by its code, or a clear error.
pub(crate) fn format_of(code: &str) -> Result<Format, WebError> {
    Format::parse(code).ok_or_else(|| {
        mkpi_services::Error::invalid(
            "format",
            mkpi_report::Error::UnknownFormat(code.chars().take(20).collect()).to_string(),
        )
        .into()
    })
}

fn may_define(actor: &Actor) -> bool {
    matches!(actor.role, Role::Admin | Role::Head | Role::Manager)
}

/// The choices of the definition form.
async fn form_choices(
    state: &AppState,
    lang: Locale,
    actor: &Actor,
) -> Result<serde_json::Value, WebError> {
    let catalogue = state.services.catalogue().await?;
    let metrics: Vec<serde_json::Value> = catalogue
        .all()
        .map(|m| json!({"code": m.code, "name": if lang == Locale::Ru { &m.name_ru } else { &m.name_en }, "category": m.category}))
        .collect();
    let mut scopes = vec![json!({"key": "department", "name": ""})];
    for t in state.services.list_teams(actor).await? {
        scopes.push(json!({"key": format!("team:{}", t.id), "name": t.name}));
    }
    for e in state.services.list_employees(actor).await? {
        scopes.push(json!({"key": format!("employee:{}", e.id), "name": e.name}));
    }
    Ok(json!({"metrics": metrics, "scopes": scopes, "sections": SECTIONS}))
}

pub async fn list(
    State(state): State<AppState>,
    Lang(lang): Lang,
    Auth(actor): Auth,
) -> Result<Html<String>, WebError> {
    let definitions = state.services.report_definitions(&actor).await?;
    let choices = form_choices(&state, lang, &actor).await?;
    let html = state.templates().render(
        "reports.html",
        context! {
            ..layout(lang, Some(&actor), "reports", "/reports"),
            ..context! {
                definitions => ser(definitions.into_iter().map(Definition::from).map(|d| json!({
                    "id": d.id, "name": d.name, "purpose": d.purpose, "scope": d.scope,
                    "period_kind": d.period_kind, "compare": d.compare, "language": d.language,
                    "sections": d.sections, "metrics": d.metrics.len(),
                })).collect::<Vec<_>>()),
                choices => ser(choices),
                may_define => may_define(&actor),
            },
        },
    )?;
    Ok(Html(html))
}

/// The definition form as posted: lists come as repeated fields.
fn definition_form(body: &[u8]) -> Result<DefinitionInput, WebError> {
    let fields = serde_urlencoded::from_bytes::<Vec<(String, String)>>(body)
        .map_err(|e| WebError::BadRequest(format!("the report form did not arrive whole: {e}")))?;
    let mut d = DefinitionInput::default();
    for (k, v) in fields {
        match k.as_str() {
            "name" => d.name = v,
            "purpose" => d.purpose = v,
            "metrics" => d.metrics.push(v),
            "scope" => d.scope = v,
            "period_kind" => d.period_kind = v,
            "period_from" if !v.is_empty() => d.period_from = Some(v),
            "period_to" if !v.is_empty() => d.period_to = Some(v),
            "compare" => d.compare = v,
            "sections" => d.sections.push(v),
            "language" => d.language = v,
            _ => {}
        }
    }
    Ok(d)
}

pub async fn create(
    State(state): State<AppState>,
    Auth(actor): Auth,
    body: axum::body::Bytes,
) -> Result<Redirect, WebError> {
    let input = definition_form(&body)?;
    let row = state
        .services
        .create_report_definition(&actor, &input)
        .await?;
    Ok(Redirect::to(&format!("/reports/{}", row.id)))
}

/// What a report's page may show once: a share link just made.
#[derive(Default)]
struct Once {
    share_path: Option<String>,
}

async fn page(
    state: &AppState,
    lang: Locale,
    actor: &Actor,
    id: i64,
    once: Once,
) -> Result<Html<String>, WebError> {
    let definition = state.services.report_definition_by_id(actor, id).await?;
    let view = view_of(state, actor, &definition, false).await?;
    let body = mkpi_report::html::fragment(&view, Some(""))?;
    let tables: Vec<&str> = mkpi_report::tables::tables(&view)
        .iter()
        .map(|t| t.id)
        .collect();
    let presenting = may_define(actor);
    let (shares, schedules) = if presenting {
        (
            state.services.report_shares(actor, id).await?,
            state.services.report_schedules(actor, id).await?,
        )
    } else {
        (Vec::new(), Vec::new())
    };
    let now = state.services.clock().now();
    let html = state.templates().render(
        "report.html",
        context! {
            ..layout(lang, Some(actor), "reports", "/reports"),
            ..context! {
                id => id,
                name => definition.name.clone(),
                body => body,
                css => mkpi_report::html::CSS,
                tables => tables,
                presenting => presenting,
                share_path => once.share_path,
                shares => ser(shares.iter().map(|s| json!({
                    "id": s.id,
                    "expires": mkpi_domain::period::Day::from_unix_seconds(s.expires_at).to_string(),
                    "state": if s.revoked_at.is_some() { "revoked" } else if s.expires_at <= now { "expired" } else { "active" },
                })).collect::<Vec<_>>()),
                schedules => ser(schedules.iter().map(|s| json!({
                    "id": s.id,
                    "frequency": s.frequency,
                    "recipients": serde_json::from_str::<Vec<String>>(&s.recipients).unwrap_or_default().join(", "),
                    "next": mkpi_domain::period::Day::from_unix_seconds(s.next_run_at).to_string(),
                    "active": s.active == 1,
                })).collect::<Vec<_>>()),
                mail => state.services.mails(),
                may_change => mkpi_services::report_data::may_change(actor, definition.created_by_user_id),
            },
        },
    )?;
    Ok(Html(html))
}

pub async fn edit_form(
    State(state): State<AppState>,
    Lang(lang): Lang,
    Auth(actor): Auth,
    Path(id): Path<i64>,
) -> Result<Html<String>, WebError> {
    let d = state.services.report_definition_by_id(&actor, id).await?;
    if !mkpi_services::report_data::may_change(&actor, d.created_by_user_id) {
        return Err(mkpi_services::Error::Forbidden.into());
    }
    let choices = form_choices(&state, lang, &actor).await?;
    let html = state.templates().render(
        "report_edit.html",
        context! {
            ..layout(lang, Some(&actor), "reports", "/reports"),
            ..context! {
                d => ser(json!({
                    "id": d.id, "name": d.name, "purpose": d.purpose, "scope": d.scope,
                    "period_kind": d.period_kind, "period_from": d.period_from,
                    "period_to": d.period_to, "compare": d.compare, "language": d.language,
                    "sections": d.sections, "metrics": d.metrics,
                })),
                choices => ser(choices),
            },
        },
    )?;
    Ok(Html(html))
}

pub async fn update(
    State(state): State<AppState>,
    Auth(actor): Auth,
    Path(id): Path<i64>,
    body: axum::body::Bytes,
) -> Result<Redirect, WebError> {
    let input = definition_form(&body)?;
    state
        .services
        .update_report_definition(&actor, id, &input)
        .await?;
    Ok(Redirect::to(&format!("/reports/{id}")))
}

pub async fn delete(
    State(state): State<AppState>,
    Auth(actor): Auth,
    Path(id): Path<i64>,
) -> Result<Redirect, WebError> {
    state.services.delete_report_definition(&actor, id).await?;
    Ok(Redirect::to("/reports"))
}

pub async fn show(
    State(state): State<AppState>,
    Lang(lang): Lang,
    Auth(actor): Auth,
    Path(id): Path<i64>,
) -> Result<Html<String>, WebError> {
    page(&state, lang, &actor, id, Once::default()).await
}

#[derive(Deserialize)]
pub struct DownloadQuery {
    #[serde(default)]
    format: String,
    table: Option<String>,
}

pub async fn download(
    State(state): State<AppState>,
    Auth(actor): Auth,
    Path(id): Path<i64>,
    Query(q): Query<DownloadQuery>,
) -> Result<Response, WebError> {
    let format = format_of(&q.format)?;
    let definition = state.services.report_definition_by_id(&actor, id).await?;
    let view = view_of(&state, &actor, &definition, false).await?;
    file(view, format, q.table).await
}

#[derive(Deserialize)]
pub struct ShareForm {
    #[serde(default)]
    days: String,
}

pub async fn share(
    State(state): State<AppState>,
    Lang(lang): Lang,
    Auth(actor): Auth,
    Path(id): Path<i64>,
    Form(form): Form<ShareForm>,
) -> Result<Html<String>, WebError> {
    let days = form.days.trim().parse::<i64>().map_err(|_| {
        mkpi_services::Error::invalid("days", "give the number of days the link works (1–90)")
    })?;
    let made = state.services.create_report_share(&actor, id, days).await?;
    page(
        &state,
        lang,
        &actor,
        id,
        Once {
            share_path: Some(made.path),
        },
    )
    .await
}

pub async fn revoke_share(
    State(state): State<AppState>,
    Auth(actor): Auth,
    Path(id): Path<i64>,
) -> Result<Redirect, WebError> {
    let definition_id = state.services.report_share(&actor, id).await?.definition_id;
    state.services.revoke_report_share(&actor, id).await?;
    Ok(Redirect::to(&format!("/reports/{definition_id}")))
}

#[derive(Deserialize)]
pub struct ScheduleForm {
    #[serde(default)]
    frequency: String,
    #[serde(default)]
    recipients: String,
}

/// Addresses separated by commas, semicolons, spaces or lines.
pub(crate) fn recipients(text: &str) -> Vec<String> {
    text.split([',', ';', '\n', '\r', ' '])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(ToString::to_string)
        .collect()
}

pub async fn schedule(
    State(state): State<AppState>,
    Auth(actor): Auth,
    Path(id): Path<i64>,
    Form(form): Form<ScheduleForm>,
) -> Result<Redirect, WebError> {
    state
        .services
        .create_report_schedule(&actor, id, &form.frequency, &recipients(&form.recipients))
        .await?;
    Ok(Redirect::to(&format!("/reports/{id}")))
}

pub async fn stop_schedule(
    State(state): State<AppState>,
    Auth(actor): Auth,
    Path(id): Path<i64>,
) -> Result<Redirect, WebError> {
    let definition_id = state
        .services
        .report_schedule(&actor, id)
        .await?
        .definition_id;
    state.services.stop_report_schedule(&actor, id).await?;
    Ok(Redirect::to(&format!("/reports/{definition_id}")))
}

/// The report a share link opens: the whole document, no account needed,
/// no people in it.
pub async fn shared(
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> Result<Response, WebError> {
    let s = state.services.open_report_share(&token).await?;
    let view = view_of(&state, &s.reader, &s.definition, true).await?;
    let mut response = Html(mkpi_report::html::document(&view)?).into_response();
    response.headers_mut().insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    Ok(response)
}

pub async fn shared_download(
    State(state): State<AppState>,
    Path(token): Path<String>,
    Query(q): Query<DownloadQuery>,
) -> Result<Response, WebError> {
    let format = format_of(&q.format)?;
    let s = state.services.open_report_share(&token).await?;
    let view = view_of(&state, &s.reader, &s.definition, true).await?;
    file(view, format, q.table).await
}

#[derive(Deserialize, Default)]
pub struct CompetitorQuery {
    from: Option<String>,
    to: Option<String>,
}

/// The twelve months up to last month, or the months asked for.
fn months(state: &AppState, q: &CompetitorQuery) -> (String, String) {
    let today = mkpi_domain::period::Day::from_unix_seconds(state.services.clock().now());
    let last = today.first_of_month().plus_months(-1).to_string()[..7].to_string();
    let first = today.first_of_month().plus_months(-12).to_string()[..7].to_string();
    let ok = |m: &Option<String>| {
        m.as_ref()
            .filter(|m| m.len() == 7 && mkpi_domain::period::Day::parse(&format!("{m}-01")).is_ok())
            .cloned()
    };
    (ok(&q.from).unwrap_or(first), ok(&q.to).unwrap_or(last))
}

pub async fn competitors(
    State(state): State<AppState>,
    Lang(lang): Lang,
    Auth(actor): Auth,
    Query(q): Query<CompetitorQuery>,
) -> Result<Html<String>, WebError> {
    let (from, to) = months(&state, &q);
    let rows = state.services.benchmarks(&actor, &from, &to).await?;
    let html = state.templates().render(
        "competitors.html",
        context! {
            ..layout(lang, Some(&actor), "reports", "/reports/competitors"),
            ..context! {
                from => from,
                to => to,
                rows => ser(rows.iter().map(|r| json!({
                    "id": r.id, "competitor": r.competitor, "kind": r.kind, "month": r.month,
                    "value": match r.kind.as_str() {
                        "share_of_voice" => lang.format_metric(r.value, mkpi_domain::metric::Unit::Percent, None),
                        _ => lang.format_decimal(r.value, 0),
                    },
                    "source": r.source,
                })).collect::<Vec<_>>()),
                kinds => mkpi_services::competitors::KINDS,
                may_edit => may_define(&actor),
            },
        },
    )?;
    Ok(Html(html))
}

#[derive(Deserialize)]
pub struct BenchmarkForm {
    #[serde(default)]
    competitor: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    month: String,
    #[serde(default)]
    value: String,
    #[serde(default)]
    source: String,
}

pub async fn add_benchmark(
    State(state): State<AppState>,
    Auth(actor): Auth,
    Form(f): Form<BenchmarkForm>,
) -> Result<Redirect, WebError> {
    let input = BenchmarkInput {
        competitor: f.competitor,
        kind: f.kind,
        month: f.month,
        value: f.value,
        source: f.source,
    };
    let row = state.services.add_benchmark(&actor, &input).await?;
    Ok(Redirect::to(&format!(
        "/reports/competitors?from={m}&to={m}",
        m = row.month
    )))
}

pub async fn import_benchmarks(
    State(state): State<AppState>,
    Auth(actor): Auth,
    mut form: Multipart,
) -> Result<Redirect, WebError> {
    let mut bytes = None;
    while let Some(field) = form
        .next_field()
        .await
        .map_err(|e| WebError::BadRequest(format!("the upload is broken: {e}")))?
    {
        if field.name() == Some("file") {
            bytes = Some(field.bytes().await.map_err(|e| {
                WebError::BadRequest(format!("the file did not arrive whole: {e}"))
            })?);
        }
    }
    let bytes = bytes.ok_or_else(|| mkpi_services::Error::invalid("file", "choose a CSV file"))?;
    state.services.import_benchmarks(&actor, &bytes).await?;
    Ok(Redirect::to("/reports/competitors"))
}

pub async fn delete_benchmark(
    State(state): State<AppState>,
    Auth(actor): Auth,
    Path(id): Path<i64>,
) -> Result<Redirect, WebError> {
    state.services.delete_benchmark(&actor, id).await?;
    Ok(Redirect::to("/reports/competitors"))
}
