//! Signing in and out in the browser.

use axum::Form;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use fluent_bundle::FluentValue;
use minijinja::context;
use mkpi_services::Error;
use serde::Deserialize;

use super::{layout, local_path};
use crate::AppState;
use crate::auth::{Auth, ClientIp, LOGIN_CSRF_COOKIE, Lang, MaybeAuth, cookie, set_cookie};
use crate::error::WebError;

#[derive(Deserialize)]
pub struct NextQuery {
    next: Option<String>,
    /// `set` after a person set their password through a link.
    password: Option<String>,
}

#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    login: String,
    #[serde(default)]
    password: String,
    next: Option<String>,
}

fn fresh_token() -> String {
    let mut b = [0u8; 16];
    let _ = getrandom::fill(&mut b);
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn render(
    state: &AppState,
    headers: &HeaderMap,
    lang: mkpi_domain::Locale,
    status: StatusCode,
    login: &str,
    next: &str,
    message: Option<String>,
) -> Result<Response, WebError> {
    let token = pre_session_token(headers);
    let html = state.templates().render(
        "login.html",
        context! {
            ..layout(lang, None, "login", "/login"),
            ..context! { csrf => token.clone(), login => login, next => next, message => message },
        },
    )?;
    let response = (status, Html(html)).into_response();
    Ok(with_pre_session_cookie(state, response, &token))
}

/// The token that guards a form shown before anyone is signed in (sign-in,
/// first run) against cross-site posts: double-submit, the cookie and the
/// field must match. A browser keeps its token, so two open tabs both work.
pub(super) fn pre_session_token(headers: &HeaderMap) -> String {
    cookie(headers, LOGIN_CSRF_COOKIE)
        .filter(|t| t.len() == 32 && t.chars().all(|c| c.is_ascii_hexdigit()))
        .map_or_else(fresh_token, str::to_string)
}

/// The answer carrying the pre-session token's cookie.
pub(super) fn with_pre_session_cookie(
    state: &AppState,
    mut response: Response,
    token: &str,
) -> Response {
    response.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(
            LOGIN_CSRF_COOKIE,
            token,
            Some(3600),
            true,
            state.secure_cookies(),
        ),
    );
    response
}

/// Whether a form posted before sign-in carries its cookie's token.
pub(super) fn pre_session_ok(headers: &HeaderMap, field: &str) -> bool {
    let expected = cookie(headers, LOGIN_CSRF_COOKIE).unwrap_or_default();
    !expected.is_empty() && mkpi_services::secrets_match(expected, field)
}

pub async fn form(
    State(state): State<AppState>,
    headers: HeaderMap,
    Lang(lang): Lang,
    MaybeAuth(actor): MaybeAuth,
    Query(q): Query<NextQuery>,
) -> Result<Response, WebError> {
    let next = local_path(q.next.as_deref());
    if actor.is_some() {
        return Ok(Redirect::to(&next).into_response());
    }
    // An installation without accounts starts with its setup.
    if state.services.needs_setup().await? {
        return Ok(Redirect::to("/setup").into_response());
    }
    let notice = (q.password.as_deref() == Some("set"))
        .then(|| state.i18n().text(lang, "password-set", None));
    render(&state, &headers, lang, StatusCode::OK, "", &next, notice)
}

pub async fn login(
    State(state): State<AppState>,
    Lang(lang): Lang,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> Result<Response, WebError> {
    let next = local_path(form.next.as_deref());
    let i18n = state.i18n();
    if !pre_session_ok(&headers, &form.csrf) {
        let msg = i18n.text(lang, "login-csrf", None);
        return render(
            &state,
            &headers,
            lang,
            StatusCode::FORBIDDEN,
            &form.login,
            &next,
            Some(msg),
        );
    }
    match state.services.login(&form.login, &form.password, &ip).await {
        Ok(outcome) => {
            let mut response = Redirect::to(&next).into_response();
            response.headers_mut().append(
                header::SET_COOKIE,
                state.session_cookie(Some(&outcome.session_cookie)),
            );
            response.headers_mut().append(
                header::SET_COOKIE,
                set_cookie(LOGIN_CSRF_COOKIE, "", Some(0), true, state.secure_cookies()),
            );
            Ok(response)
        }
        Err(Error::WrongCredentials) => {
            let msg = i18n.text(lang, "login-wrong", None);
            render(
                &state,
                &headers,
                lang,
                StatusCode::UNAUTHORIZED,
                &form.login,
                &next,
                Some(msg),
            )
        }
        Err(Error::RateLimited { retry_after_secs }) => {
            let minutes = (retry_after_secs + 59) / 60;
            let msg = i18n.text(
                lang,
                "login-rate-limited",
                Some(&crate::i18n::args([(
                    "minutes",
                    FluentValue::from(minutes),
                )])),
            );
            let mut r = render(
                &state,
                &headers,
                lang,
                StatusCode::TOO_MANY_REQUESTS,
                &form.login,
                &next,
                Some(msg),
            )?;
            if let Ok(v) = retry_after_secs.to_string().parse() {
                r.headers_mut().insert(header::RETRY_AFTER, v);
            }
            Ok(r)
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn logout(
    State(state): State<AppState>,
    Auth(actor): Auth,
) -> Result<Response, WebError> {
    state.services.logout(&actor).await?;
    let mut response = Redirect::to("/login").into_response();
    response
        .headers_mut()
        .append(header::SET_COOKIE, state.session_cookie(None));
    Ok(response)
}
