//! Every failure mapped to HTTP once: a status, a code, a message saying
//! what and where, and field problems. API clients get JSON; people get a
//! page in their language (or the sign-in page when they are not signed in).
//! Internal causes are logged with the request id, never shown.

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use mkpi_domain::Locale;
use mkpi_services::{Error, FieldProblem};
use serde::Serialize;

use crate::AppState;
use crate::request_id::RequestId;

#[derive(Debug, thiserror::Error)]
pub enum WebError {
    #[error(transparent)]
    Service(#[from] Error),
    #[error("sign in first")]
    Unauthenticated,
    #[error("the API token is unknown or revoked")]
    BadToken,
    #[error("missing or wrong CSRF token")]
    Csrf,
    #[error("{0}")]
    BadRequest(String),
    #[error("internal error: {0}")]
    Internal(String),
}

/// What the error renderer needs, carried in the response's extensions.
#[derive(Debug, Clone, Serialize)]
pub struct ErrorInfo {
    #[serde(skip)]
    pub status: u16,
    pub code: &'static str,
    pub message: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<FieldProblem>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry_after_secs: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

impl From<mkpi_report::Error> for WebError {
    fn from(e: mkpi_report::Error) -> Self {
        match e {
            mkpi_report::Error::UnknownFormat(_) => {
                WebError::Service(Error::invalid("format", e.to_string()))
            }
            mkpi_report::Error::UnknownTable(..) => {
                WebError::Service(Error::invalid("table", e.to_string()))
            }
            mkpi_report::Error::NoPdf | mkpi_report::Error::Render(_) => {
                WebError::Internal(e.to_string())
            }
        }
    }
}

impl WebError {
    fn info(&self) -> ErrorInfo {
        let (status, code, message, fields, retry_after_secs) = match self {
            WebError::Service(e) => match e {
                Error::NotFound => (
                    StatusCode::NOT_FOUND,
                    "not_found",
                    "not found".to_string(),
                    vec![],
                    None,
                ),
                Error::Conflict(m) => (StatusCode::CONFLICT, "conflict", m.clone(), vec![], None),
                Error::Invalid(fields) => (
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "invalid",
                    e.to_string(),
                    fields.clone(),
                    None,
                ),
                Error::Forbidden => (
                    StatusCode::FORBIDDEN,
                    "forbidden",
                    "not allowed".to_string(),
                    vec![],
                    None,
                ),
                Error::Gone(m) => (StatusCode::GONE, "gone", m.clone(), vec![], None),
                Error::WrongCredentials => (
                    StatusCode::UNAUTHORIZED,
                    "wrong_credentials",
                    e.to_string(),
                    vec![],
                    None,
                ),
                Error::RateLimited { retry_after_secs } => (
                    StatusCode::TOO_MANY_REQUESTS,
                    "rate_limited",
                    e.to_string(),
                    vec![],
                    Some(*retry_after_secs),
                ),
                Error::Internal(_) => (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal",
                    "internal error".to_string(),
                    vec![],
                    None,
                ),
            },
            WebError::Unauthenticated => (
                StatusCode::UNAUTHORIZED,
                "unauthenticated",
                self.to_string(),
                vec![],
                None,
            ),
            WebError::BadToken => (
                StatusCode::UNAUTHORIZED,
                "bad_token",
                self.to_string(),
                vec![],
                None,
            ),
            WebError::Csrf => (
                StatusCode::FORBIDDEN,
                "csrf",
                self.to_string(),
                vec![],
                None,
            ),
            WebError::BadRequest(m) => (
                StatusCode::BAD_REQUEST,
                "bad_request",
                m.clone(),
                vec![],
                None,
            ),
            WebError::Internal(_) => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "internal error".to_string(),
                vec![],
                None,
            ),
        };
        ErrorInfo {
            status: status.as_u16(),
            code,
            message,
            fields,
            retry_after_secs,
            request_id: None,
        }
    }
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        let info = self.info();
        if info.code == "internal" {
            tracing::error!(error = %self, "request failed");
        }
        let mut response = error_json(&info);
        response.extensions_mut().insert(info);
        response
    }
}

#[derive(Serialize)]
struct ErrorBody<'a> {
    error: &'a ErrorInfo,
}

fn error_json(info: &ErrorInfo) -> Response {
    let status = StatusCode::from_u16(info.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut response = (status, axum::Json(ErrorBody { error: info })).into_response();
    if let Some(secs) = info.retry_after_secs
        && let Ok(v) = HeaderValue::from_str(&secs.to_string())
    {
        response.headers_mut().insert(header::RETRY_AFTER, v);
    }
    response
}

/// Turns errors into their final form: JSON with the request id under
/// `/api/`, a page in the person's language elsewhere. Rejections from
/// axum's extractors (bad JSON, bad path) become the same JSON shape.
pub async fn render_error_pages(
    State(state): State<AppState>,
    req: Request,
    next: Next,
) -> Response {
    let path = req.uri().path().to_string();
    let query = req.uri().query().map(str::to_string);
    let is_api = path.starts_with("/api/");
    let request_id = req.extensions().get::<RequestId>().map(|r| r.0.clone());
    let fallback_locale = crate::auth::locale_from_headers(req.headers());
    let response = next.run(req).await;

    let info = match response.extensions().get::<ErrorInfo>() {
        Some(info) => info.clone(),
        None if is_api && response.status().is_client_error() && !is_json(&response) => {
            let status = response.status();
            let bytes = axum::body::to_bytes(response.into_body(), 64 * 1024)
                .await
                .unwrap_or_default();
            let info = ErrorInfo {
                status: status.as_u16(),
                code: if status == StatusCode::NOT_FOUND {
                    "not_found"
                } else {
                    "bad_request"
                },
                message: String::from_utf8_lossy(&bytes).trim().to_string(),
                fields: vec![],
                retry_after_secs: None,
                request_id,
            };
            return error_json(&info);
        }
        None => return response,
    };
    let info = ErrorInfo { request_id, ..info };
    if is_api {
        return error_json(&info);
    }
    if info.code == "unauthenticated" {
        let next = match query {
            Some(q) => format!("{path}?{q}"),
            None => path,
        };
        let target = format!("/login?next={}", urlencode(&next));
        return Redirect::to(&target).into_response();
    }
    let locale = response
        .extensions()
        .get::<Locale>()
        .copied()
        .unwrap_or(fallback_locale);
    let status = response.status();
    match state.templates().render_error(locale, &info) {
        Ok(html) => {
            let mut page = Response::new(Body::from(html));
            *page.status_mut() = status;
            page.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/html; charset=utf-8"),
            );
            if let Some(v) = response.headers().get(header::RETRY_AFTER) {
                page.headers_mut().insert(header::RETRY_AFTER, v.clone());
            }
            page
        }
        Err(e) => {
            tracing::error!(error = %e, "cannot render the error page");
            error_json(&info)
        }
    }
}

fn is_json(response: &Response) -> bool {
    response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"))
}

pub fn urlencode(s: &str) -> String {
    serde_urlencoded::to_string([("", s)])
        .map(|e| e.trim_start_matches('=').to_string())
        .unwrap_or_default()
}
