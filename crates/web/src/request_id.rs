//! A request id on every request: taken from `X-Request-Id` when a proxy set
//! one, made here otherwise; echoed in the response and in every log line.

use std::sync::atomic::{AtomicU64, Ordering};

use axum::extract::Request;
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::Response;

pub const HEADER: &str = "x-request-id";

#[derive(Debug, Clone)]
pub struct RequestId(pub String);

static NEXT: AtomicU64 = AtomicU64::new(1);

fn make() -> String {
    // A per-process random prefix keeps ids from several servers apart.
    static PREFIX: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let prefix = PREFIX.get_or_init(|| {
        let mut b = [0u8; 4];
        let _ = getrandom::fill(&mut b);
        b.iter().map(|x| format!("{x:02x}")).collect()
    });
    format!("{prefix}-{}", NEXT.fetch_add(1, Ordering::Relaxed))
}

pub async fn assign(mut req: Request, next: Next) -> Response {
    let id = req
        .headers()
        .get(HEADER)
        .and_then(|v| v.to_str().ok())
        .filter(|v| !v.is_empty() && v.len() <= 64 && v.chars().all(|c| c.is_ascii_graphic()))
        .map_or_else(make, str::to_string);
    req.extensions_mut().insert(RequestId(id.clone()));
    let mut response = next.run(req).await;
    if let Ok(v) = HeaderValue::from_str(&id) {
        response.headers_mut().insert(HEADER, v);
    }
    response
}

pub fn span(req: &Request) -> tracing::Span {
    let id = req
        .extensions()
        .get::<RequestId>()
        .map_or("-", |r| r.0.as_str());
    let path = loggable(req.uri().path());
    tracing::info_span!("request", id, method = %req.method(), path = %path)
}

/// A path as logs may keep it: the secret of a client's or a share link
/// (`/r/{token}`, `/s/{token}/…`) is left out, so whoever reads the logs
/// cannot open the link.
pub fn loggable(path: &str) -> std::borrow::Cow<'_, str> {
    for prefix in ["/r/", "/s/"] {
        if let Some(rest) = path.strip_prefix(prefix) {
            let tail = rest.find('/').map_or("", |i| &rest[i..]);
            return format!("{prefix}{{token}}{tail}").into();
        }
    }
    path.into()
}

#[cfg(test)]
mod tests {
    #[test]
    fn link_tokens_never_reach_the_logs() {
        use super::loggable;
        assert_eq!(loggable("/s/abc123/download"), "/s/{token}/download");
        assert_eq!(loggable("/r/abc123"), "/r/{token}");
        assert_eq!(loggable("/reports/3"), "/reports/3");
    }
}
