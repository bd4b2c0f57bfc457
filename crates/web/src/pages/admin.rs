//! Administration: user accounts and the audit log.

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use fluent_bundle::FluentValue;
use minijinja::context;
use mkpi_domain::{Locale, Role};
use mkpi_services::users::{NewUserInput, Principal};
use mkpi_services::{Actor, Error, FieldProblem};
use serde::{Deserialize, Serialize};

use super::{layout, ser};
use crate::AppState;
use crate::api::users::UserJson;
use crate::auth::{Auth, Lang};
use crate::error::WebError;
use crate::i18n::args;

#[derive(Deserialize, Serialize, Default)]
pub struct NewUserForm {
    #[serde(default)]
    login: String,
    #[serde(default, skip_serializing)]
    password: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    employee_email: String,
    #[serde(default)]
    locale: String,
}

async fn render(
    state: &AppState,
    lang: Locale,
    actor: &Actor,
    status: StatusCode,
    notice: Option<String>,
    problems: Vec<FieldProblem>,
    form: &NewUserForm,
) -> Result<Response, WebError> {
    let users: Vec<UserJson> = state
        .services
        .list_users(Principal::User(actor))
        .await?
        .into_iter()
        .map(UserJson::from)
        .collect();
    let html = state.templates().render(
        "users.html",
        context! {
            ..layout(lang, Some(actor), "users", "/admin/users"),
            ..context! {
                users => ser(&users),
                roles => ser(Role::ALL.map(Role::as_str)),
                notice => notice,
                problems => ser(&problems),
                form => ser(form),
            },
        },
    )?;
    Ok((status, Html(html)).into_response())
}

pub async fn users(
    State(state): State<AppState>,
    Lang(lang): Lang,
    Auth(actor): Auth,
) -> Result<Response, WebError> {
    render(
        &state,
        lang,
        &actor,
        StatusCode::OK,
        None,
        vec![],
        &NewUserForm::default(),
    )
    .await
}

pub async fn create_user(
    State(state): State<AppState>,
    Lang(lang): Lang,
    Auth(actor): Auth,
    Form(form): Form<NewUserForm>,
) -> Result<Response, WebError> {
    let input = NewUserInput {
        login: form.login.clone(),
        password: form.password.clone(),
        role: form.role.clone(),
        employee_email: Some(form.employee_email.clone()),
        locale: Some(form.locale.clone()),
    };
    match state
        .services
        .create_user(Principal::User(&actor), input)
        .await
    {
        Ok(user) => {
            let notice = state.i18n().text(
                lang,
                "users-created",
                Some(&args([("login", FluentValue::from(user.login))])),
            );
            render(
                &state,
                lang,
                &actor,
                StatusCode::OK,
                Some(notice),
                vec![],
                &NewUserForm::default(),
            )
            .await
        }
        Err(Error::Invalid(problems)) => {
            render(
                &state,
                lang,
                &actor,
                StatusCode::UNPROCESSABLE_ENTITY,
                None,
                problems,
                &form,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn deactivate_user(
    State(state): State<AppState>,
    Auth(actor): Auth,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    state
        .services
        .deactivate_user(Principal::User(&actor), id)
        .await?;
    Ok(Redirect::to("/admin/users").into_response())
}

pub async fn activate_user(
    State(state): State<AppState>,
    Auth(actor): Auth,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    state
        .services
        .activate_user(Principal::User(&actor), id)
        .await?;
    Ok(Redirect::to("/admin/users").into_response())
}

pub async fn reset_password(
    State(state): State<AppState>,
    Lang(lang): Lang,
    Auth(actor): Auth,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let (user, password) = state
        .services
        .reset_password(Principal::User(&actor), id)
        .await?;
    let login = user.login;
    let notice = state.i18n().text(
        lang,
        "users-reset-done",
        Some(&args([
            ("login", FluentValue::from(login)),
            ("password", FluentValue::from(password)),
        ])),
    );
    render(
        &state,
        lang,
        &actor,
        StatusCode::OK,
        Some(notice),
        vec![],
        &NewUserForm::default(),
    )
    .await
}

#[derive(Deserialize)]
pub struct AuditQuery {
    entity: Option<String>,
    q: Option<String>,
    page: Option<usize>,
    /// `csv`: the entries found (the newest 10,000), as a file.
    format: Option<String>,
}

/// Entries on a page of the audit log.
const AUDIT_PAGE: usize = 100;

pub async fn audit(
    State(state): State<AppState>,
    Lang(lang): Lang,
    Auth(actor): Auth,
    Query(q): Query<AuditQuery>,
) -> Result<Response, WebError> {
    let entity = q.entity.as_deref().filter(|e| !e.is_empty());
    let search = q.q.as_deref().unwrap_or("").trim();
    if q.format.as_deref() == Some("csv") {
        let (rows, _) = state
            .services
            .search_audit_log(&actor, entity, search, 10_000, 0)
            .await?;
        let lines: Vec<Vec<String>> = rows
            .into_iter()
            .map(|r| {
                vec![
                    r.id.to_string(),
                    r.at.to_string(),
                    r.actor,
                    r.action,
                    r.entity,
                    r.entity_id.map(|i| i.to_string()).unwrap_or_default(),
                    r.before_json.unwrap_or_default(),
                    r.after_json.unwrap_or_default(),
                ]
            })
            .collect();
        return crate::paging::csv_download(
            "audit",
            &[
                "id",
                "at",
                "actor",
                "action",
                "entity",
                "entity_id",
                "before",
                "after",
            ],
            &lines,
        );
    }
    let page = q.page.unwrap_or(1).max(1);
    #[allow(clippy::cast_possible_wrap)]
    let offset = ((page - 1) * AUDIT_PAGE) as i64;
    #[allow(clippy::cast_possible_wrap)]
    let (rows, total) = state
        .services
        .search_audit_log(&actor, entity, search, AUDIT_PAGE as i64, offset)
        .await?;
    let entries: Vec<_> = rows
        .into_iter()
        .map(crate::api::audit::AuditEntryJson::from)
        .collect();
    #[allow(clippy::cast_sign_loss)]
    let paged = crate::paging::Paged {
        items: Vec::<()>::new(),
        total: total as usize,
        page,
        per_page: AUDIT_PAGE,
        pages: (total as usize).div_ceil(AUDIT_PAGE).max(1),
    };
    let html = state.templates().render(
        "audit.html",
        context! {
            ..layout(lang, Some(&actor), "audit", "/admin/audit"),
            ..context! {
                entries => ser(&entries),
                q => search,
                pager => ser(crate::paging::pager("/admin/audit", &paged, &[("q", search), ("entity", entity.unwrap_or(""))])),
            },
        },
    )?;
    Ok(Html(html).into_response())
}
