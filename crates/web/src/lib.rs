//! mkpi-web: the axum application — server-rendered pages and the JSON API
//! under `/api/v1` with its OpenAPI document. Handlers are thin: extract,
//! call a service, render. Authentication and CSRF are checked once, in
//! [`auth::authenticate`]; authorisation lives in the services' scope.
//!
//! Depends on mkpi-services and mkpi-domain, never on the store.
#![forbid(unsafe_code)]

pub mod api;
mod assets;
mod auth;
mod error;
mod i18n;
mod pages;
mod paging;
mod request_id;
mod templates;

use std::future::Future;
use std::sync::Arc;

use axum::Router;
use axum::http::{HeaderValue, header};
use axum::middleware;
use axum::response::IntoResponse;
use axum::routing::get;
use mkpi_services::Services;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::{DefaultOnResponse, TraceLayer};

pub use error::WebError;
pub use i18n::I18n;
use templates::Templates;

/// How the web layer behaves (from the CLI's configuration).
#[derive(Debug, Clone, Default)]
pub struct WebSettings {
    /// Mark cookies `Secure` (set when mkpi is served over HTTPS).
    pub secure_cookies: bool,
    /// Proxies whose `X-Forwarded-For` names the client; from anyone else
    /// the header is ignored and the socket's peer is the client.
    pub trusted_proxies: Vec<std::net::IpAddr>,
}

/// What every handler gets.
#[derive(Clone, Debug)]
pub struct AppState {
    pub services: Services,
    shared: Arc<Shared>,
}

#[derive(Debug)]
struct Shared {
    i18n: Arc<I18n>,
    templates: Templates,
    settings: WebSettings,
}

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    I18n(#[from] i18n::I18nError),
    #[error("template error: {0}")]
    Template(#[from] minijinja::Error),
}

impl AppState {
    pub fn new(services: Services, settings: WebSettings) -> Result<Self, StartError> {
        let i18n = Arc::new(I18n::load()?);
        let templates = Templates::load(i18n.clone())?;
        Ok(AppState {
            services,
            shared: Arc::new(Shared {
                i18n,
                templates,
                settings,
            }),
        })
    }

    fn i18n(&self) -> &I18n {
        &self.shared.i18n
    }

    fn templates(&self) -> &Templates {
        &self.shared.templates
    }

    fn trusted_proxies(&self) -> &[std::net::IpAddr] {
        &self.shared.settings.trusted_proxies
    }

    fn secure_cookies(&self) -> bool {
        self.shared.settings.secure_cookies
    }

    /// The session cookie carrying `value`, alive as long as a session may
    /// be; `None` ends it in the browser.
    fn session_cookie(&self, value: Option<&str>) -> HeaderValue {
        match value {
            Some(v) => auth::set_cookie(
                auth::SESSION_COOKIE,
                v,
                Some(self.services.auth_settings().absolute_timeout_secs),
                true,
                self.secure_cookies(),
            ),
            None => auth::set_cookie(
                auth::SESSION_COOKIE,
                "",
                Some(0),
                true,
                self.secure_cookies(),
            ),
        }
    }
}

/// The whole application: every route, with authentication, error pages,
/// security headers, request ids and request logs.
pub fn router(state: AppState) -> Router {
    Router::new()
        .merge(pages::router())
        .nest("/api/v1", api::router())
        .route("/api/openapi.json", get(api::openapi_json))
        .route("/api/docs", get(api::docs::show))
        .route("/healthz", get(health))
        .route("/assets/{file}", get(assets::serve))
        .fallback(not_found)
        .layer(middleware::from_fn_with_state(state.clone(), auth::authenticate))
        .layer(middleware::from_fn_with_state(state.clone(), error::render_error_pages))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        ))
        // Pages and files hold people's data: no cache keeps them (assets
        // set their own caching).
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(
                "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'",
            ),
        ))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(request_id::span)
                .on_response(DefaultOnResponse::new().level(tracing::Level::INFO)),
        )
        .layer(middleware::from_fn(request_id::assign))
        .with_state(state)
}

async fn health(axum::extract::State(state): axum::extract::State<AppState>) -> impl IntoResponse {
    match state.services.health().await {
        Ok(()) => (axum::http::StatusCode::OK, "ok"),
        Err(e) => {
            tracing::error!(error = %e, "health check failed");
            (
                axum::http::StatusCode::SERVICE_UNAVAILABLE,
                "database unavailable",
            )
        }
    }
}

async fn not_found() -> WebError {
    WebError::Service(mkpi_services::Error::NotFound)
}

/// Serves until `shutdown` resolves, then finishes the requests in flight.
pub async fn serve(
    listener: tokio::net::TcpListener,
    app: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
}
