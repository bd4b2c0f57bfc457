//! One's own account: language, password, API tokens.

use axum::Form;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use minijinja::context;
use mkpi_domain::Locale;
use mkpi_services::{Actor, Error, FieldProblem};
use serde::Deserialize;
use serde_json::json;

use super::{layout, local_path, ser};
use crate::AppState;
use crate::auth::{Auth, LANG_COOKIE, Lang, set_cookie};
use crate::error::WebError;

#[derive(Default)]
struct Extras {
    notice: Option<String>,
    new_token: Option<String>,
    problems: Vec<FieldProblem>,
}

async fn render(
    state: &AppState,
    lang: Locale,
    actor: &Actor,
    status: StatusCode,
    extras: Extras,
) -> Result<Response, WebError> {
    let tokens: Vec<_> = state
        .services
        .list_api_tokens(actor)
        .await?
        .into_iter()
        .map(|t| json!({"id": t.id, "name": t.name, "prefix": t.prefix, "last_used_at": t.last_used_at, "revoked_at": t.revoked_at}))
        .collect();
    let html = state.templates().render(
        "account.html",
        context! {
            ..layout(lang, Some(actor), "account", "/account"),
            ..context! {
                preferred => actor.locale.map(Locale::as_str),
                tokens => ser(&tokens),
                notice => extras.notice,
                new_token => extras.new_token,
                problems => ser(&extras.problems),
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
    render(&state, lang, &actor, StatusCode::OK, Extras::default()).await
}

#[derive(Deserialize)]
pub struct LocaleForm {
    #[serde(default)]
    locale: String,
    next: Option<String>,
}

pub async fn set_locale(
    State(state): State<AppState>,
    Auth(actor): Auth,
    Form(form): Form<LocaleForm>,
) -> Result<Response, WebError> {
    let locale = match form.locale.trim() {
        "" => None,
        tag => Some(Locale::from_tag(tag).ok_or_else(|| {
            Error::invalid("locale", format!("unknown language '{tag}': use ru or en"))
        })?),
    };
    state.services.set_locale(&actor, locale).await?;
    let mut response = Redirect::to(&local_path(form.next.as_deref())).into_response();
    let cookie = match locale {
        Some(l) => set_cookie(
            LANG_COOKIE,
            l.as_str(),
            Some(365 * 24 * 3600),
            false,
            state.secure_cookies(),
        ),
        None => set_cookie(LANG_COOKIE, "", Some(0), false, state.secure_cookies()),
    };
    response.headers_mut().append(header::SET_COOKIE, cookie);
    Ok(response)
}

#[derive(Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    current_password: String,
    #[serde(default)]
    new_password: String,
}

pub async fn change_password(
    State(state): State<AppState>,
    Lang(lang): Lang,
    Auth(actor): Auth,
    Form(form): Form<PasswordForm>,
) -> Result<Response, WebError> {
    match state
        .services
        .change_password(&actor, &form.current_password, &form.new_password)
        .await
    {
        Ok(outcome) => {
            let notice = state.i18n().text(lang, "account-password-changed", None);
            let mut response = render(
                &state,
                lang,
                &outcome.actor,
                StatusCode::OK,
                Extras {
                    notice: Some(notice),
                    ..Extras::default()
                },
            )
            .await?;
            response.headers_mut().append(
                header::SET_COOKIE,
                state.session_cookie(Some(&outcome.session_cookie)),
            );
            Ok(response)
        }
        Err(Error::Invalid(problems)) => {
            render(
                &state,
                lang,
                &actor,
                StatusCode::UNPROCESSABLE_ENTITY,
                Extras {
                    problems,
                    ..Extras::default()
                },
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
pub struct TokenForm {
    #[serde(default)]
    name: String,
}

pub async fn create_token(
    State(state): State<AppState>,
    Lang(lang): Lang,
    Auth(actor): Auth,
    Form(form): Form<TokenForm>,
) -> Result<Response, WebError> {
    match state.services.create_api_token(&actor, &form.name).await {
        Ok(token) => {
            render(
                &state,
                lang,
                &actor,
                StatusCode::OK,
                Extras {
                    new_token: Some(token.secret),
                    ..Extras::default()
                },
            )
            .await
        }
        Err(Error::Invalid(problems)) => {
            render(
                &state,
                lang,
                &actor,
                StatusCode::UNPROCESSABLE_ENTITY,
                Extras {
                    problems,
                    ..Extras::default()
                },
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn revoke_token(
    State(state): State<AppState>,
    Auth(actor): Auth,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    state.services.revoke_api_token(&actor, id).await?;
    Ok(Redirect::to("/account").into_response())
}
