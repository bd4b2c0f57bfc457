//! Who is calling, checked once per request: a `Bearer` API token or the
//! session cookie. For a session, every state-changing request must carry
//! the session's CSRF token (header `X-CSRF-Token` or form field `csrf`).
//! The interface language is decided here too.

use axum::body::Body;
use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use mkpi_domain::Locale;
use mkpi_services::Actor;
use mkpi_services::auth::Credential;

use crate::AppState;
use crate::error::WebError;

pub const SESSION_COOKIE: &str = "mkpi_session";
pub const LANG_COOKIE: &str = "mkpi_lang";
pub const LOGIN_CSRF_COOKIE: &str = "mkpi_login_csrf";
pub const CSRF_HEADER: &str = "x-csrf-token";

/// Largest form body read while looking for the CSRF field.
const FORM_LIMIT: usize = 1024 * 1024;

/// Paths that sign people in: they have no session to check against yet.
fn is_sign_in(path: &str) -> bool {
    path == "/login" || path == "/api/v1/login"
}

pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// The language from the browser alone: our cookie, else Accept-Language.
pub fn locale_from_headers(headers: &HeaderMap) -> Locale {
    cookie(headers, LANG_COOKIE)
        .and_then(Locale::from_tag)
        .or_else(|| {
            headers
                .get(header::ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok())
                .and_then(Locale::negotiate)
        })
        .unwrap_or_default()
}

fn lang_query(uri: &axum::http::Uri) -> Option<Locale> {
    uri.query()?
        .split('&')
        .filter_map(|p| p.split_once('='))
        .find(|(k, _)| *k == "lang")
        .and_then(|(_, v)| Locale::from_tag(v))
}

pub fn set_cookie(
    name: &str,
    value: &str,
    max_age_secs: Option<i64>,
    http_only: bool,
    secure: bool,
) -> HeaderValue {
    let mut c = format!("{name}={value}; Path=/; SameSite=Lax");
    if http_only {
        c.push_str("; HttpOnly");
    }
    if secure {
        c.push_str("; Secure");
    }
    if let Some(age) = max_age_secs {
        c.push_str(&format!("; Max-Age={age}"));
    }
    // Names and values are ours: hex secrets and language codes.
    HeaderValue::from_str(&c).unwrap_or_else(|_| HeaderValue::from_static("invalid=; Path=/"))
}

pub async fn authenticate(State(state): State<AppState>, req: Request, next: Next) -> Response {
    match authenticate_inner(&state, req, next).await {
        Ok(r) | Err(r) => r,
    }
}

async fn authenticate_inner(
    state: &AppState,
    mut req: Request,
    next: Next,
) -> Result<Response, Response> {
    let path = req.uri().path().to_string();
    let services = &state.services;
    let bearer = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(|t| t.trim().to_string());

    let actor = if let Some(token) = bearer {
        match services.actor_from_api_token(&token).await {
            Ok(Some(actor)) => Some(actor),
            Ok(None) => return Err(WebError::BadToken.into_response()),
            Err(e) => return Err(WebError::from(e).into_response()),
        }
    } else if let Some(cookie_value) = cookie(req.headers(), SESSION_COOKIE).map(str::to_string) {
        match services.actor_from_session(&cookie_value).await {
            Ok(actor) => actor,
            Err(e) => return Err(WebError::from(e).into_response()),
        }
    } else {
        None
    };

    let mutating = !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if let Some(actor) = &actor
        && mutating
        && !is_sign_in(&path)
        && matches!(actor.credential, Credential::Session { .. })
    {
        let (token, rebuilt) = csrf_token_of(req).await;
        req = rebuilt;
        if !actor.csrf_ok(token.as_deref()) {
            tracing::warn!(login = %actor.login, path, "CSRF token missing or wrong");
            return Err(WebError::Csrf.into_response());
        }
    }

    let from_query = lang_query(req.uri());
    let locale = from_query
        .or_else(|| actor.as_ref().and_then(|a| a.locale))
        .unwrap_or_else(|| locale_from_headers(req.headers()));
    req.extensions_mut().insert(locale);
    if let Some(actor) = actor {
        req.extensions_mut().insert(actor);
    }
    let mut response = next.run(req).await;
    response.extensions_mut().insert(locale);
    if let Some(l) = from_query {
        response.headers_mut().append(
            header::SET_COOKIE,
            set_cookie(
                LANG_COOKIE,
                l.as_str(),
                Some(365 * 24 * 3600),
                false,
                state.secure_cookies(),
            ),
        );
    }
    Ok(response)
}

/// The CSRF token of a request: the header, or the `csrf` field of a form
/// body (which is read and put back for the handler).
async fn csrf_token_of(req: Request) -> (Option<String>, Request) {
    if let Some(t) = req.headers().get(CSRF_HEADER).and_then(|v| v.to_str().ok()) {
        let t = t.to_string();
        return (Some(t), req);
    }
    // A file upload carries its token in the query string: the middleware
    // cannot read a multipart body without consuming the upload.
    let multipart = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    if multipart {
        let token = req
            .uri()
            .query()
            .and_then(|q| serde_urlencoded::from_str::<Vec<(String, String)>>(q).ok())
            .and_then(|pairs| pairs.into_iter().find(|(k, _)| k == "csrf").map(|(_, v)| v));
        return (token, req);
    }
    let is_form = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if !is_form {
        return (None, req);
    }
    let (parts, body) = req.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, FORM_LIMIT).await else {
        return (None, Request::from_parts(parts, Body::empty()));
    };
    let token = serde_urlencoded::from_bytes::<Vec<(String, String)>>(&bytes)
        .ok()
        .and_then(|fields| {
            fields
                .into_iter()
                .find(|(k, _)| k == "csrf")
                .map(|(_, v)| v)
        });
    (token, Request::from_parts(parts, Body::from(bytes)))
}

/// The signed-in caller; without one, API routes answer 401 and pages send
/// the person to the sign-in page.
pub struct Auth(pub Actor);

impl<S: Send + Sync> FromRequestParts<S> for Auth {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<Actor>()
            .cloned()
            .map(Auth)
            .ok_or(WebError::Unauthenticated)
    }
}

/// The caller if signed in.
pub struct MaybeAuth(pub Option<Actor>);

impl<S: Send + Sync> FromRequestParts<S> for MaybeAuth {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(MaybeAuth(parts.extensions.get::<Actor>().cloned()))
    }
}

/// The language of this request.
pub struct Lang(pub Locale);

impl<S: Send + Sync> FromRequestParts<S> for Lang {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Lang(
            parts
                .extensions
                .get::<Locale>()
                .copied()
                .unwrap_or_else(|| locale_from_headers(&parts.headers)),
        ))
    }
}

/// The client's address for rate limiting: the socket peer, or — when the
/// peer is a configured trusted proxy — the nearest address in
/// `X-Forwarded-For` that is not a trusted proxy. A client cannot choose
/// its address by sending the header itself.
pub struct ClientIp(pub String);

/// The client behind `peer` as [`ClientIp`] says.
pub fn client_address(
    peer: Option<std::net::IpAddr>,
    forwarded_for: Option<&str>,
    trusted: &[std::net::IpAddr],
) -> String {
    let Some(peer) = peer else {
        return "unknown".to_string();
    };
    if !trusted.contains(&peer) {
        return peer.to_string();
    }
    let Some(header) = forwarded_for else {
        return peer.to_string();
    };
    // From the right: each hop appends the address it received from.
    for hop in header.rsplit(',') {
        match hop.trim().parse::<std::net::IpAddr>() {
            Ok(ip) if trusted.contains(&ip) => continue,
            Ok(ip) => return ip.to_string(),
            // A hop that is no address: trust nothing further left.
            Err(_) => return peer.to_string(),
        }
    }
    peer.to_string()
}

impl FromRequestParts<AppState> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let peer = parts
            .extensions
            .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
            .map(|c| c.0.ip());
        let forwarded = parts
            .headers
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok());
        Ok(ClientIp(client_address(
            peer,
            forwarded,
            state.trusted_proxies(),
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::client_address;

    #[test]
    fn the_client_address_comes_from_a_trusted_proxy_only() {
        let proxy: std::net::IpAddr = "10.0.0.2".parse().unwrap();
        let peer = Some(proxy);
        // No trusted proxy: the header is the client's own words.
        assert_eq!(client_address(peer, Some("1.2.3.4"), &[]), "10.0.0.2");
        // A trusted proxy: the nearest untrusted hop.
        assert_eq!(client_address(peer, Some("1.2.3.4"), &[proxy]), "1.2.3.4");
        assert_eq!(
            client_address(peer, Some("6.6.6.6, 1.2.3.4, 10.0.0.2"), &[proxy]),
            "1.2.3.4"
        );
        // A forged hop left of the real one changes nothing; garbage stops the walk.
        assert_eq!(
            client_address(peer, Some("not-an-ip, 1.2.3.4"), &[proxy]),
            "1.2.3.4"
        );
        assert_eq!(
            client_address(peer, Some("1.2.3.4, junk"), &[proxy]),
            "10.0.0.2"
        );
        assert_eq!(client_address(peer, None, &[proxy]), "10.0.0.2");
        // Someone else sending the header gets their own address.
        let stranger = Some("5.5.5.5".parse().unwrap());
        assert_eq!(
            client_address(stranger, Some("1.2.3.4"), &[proxy]),
            "5.5.5.5"
        );
        assert_eq!(client_address(None, Some("1.2.3.4"), &[proxy]), "unknown");
    }
}
