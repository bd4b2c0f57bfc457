//! `TestApp`: the whole application over a fresh database (SQLite, and
//! PostgreSQL when `MKPI_TEST_POSTGRES_URL` is set), driven in-process with
//! real requests, and a cookie jar per signed-in person.

#![allow(dead_code)]

use std::collections::HashMap;

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode, header};
use http_body_util::BodyExt;
use mkpi_services::demo::DemoDepartment;
use mkpi_services::{AuthSettings, Clock, Services};
use mkpi_store::testing::{self, TestDatabase};
use mkpi_store::{Backend, Store};
use serde_json::Value;
use tower::ServiceExt;

pub const START: i64 = 1_790_000_000;

pub struct TestApp {
    pub router: Router,
    pub services: Services,
    pub clock: Clock,
    pub demo: DemoDepartment,
    pub backend: Backend,
    cookies: HashMap<String, String>,
    csrf: Option<String>,
    pub accept_language: Option<String>,
    _db: TestDatabase,
}

pub struct TestResponse {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
    /// The body as sent, for files that are not text.
    pub bytes: Vec<u8>,
}

impl TestResponse {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    pub fn set_cookies(&self) -> Vec<String> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok().map(str::to_string))
            .collect()
    }
}

impl TestApp {
    /// One app per backend this run covers.
    pub async fn each() -> Vec<TestApp> {
        let mut apps = Vec::new();
        for db in testing::all().await {
            apps.push(TestApp::on(db).await);
        }
        apps
    }

    /// One app per backend this run covers, each on an empty database (no
    /// demo, no account): a new installation.
    pub async fn each_empty() -> Vec<TestApp> {
        let mut apps = Vec::new();
        for db in testing::all().await {
            apps.push(TestApp::build(db, false).await);
        }
        apps
    }

    pub async fn on(db: TestDatabase) -> TestApp {
        TestApp::build(db, true).await
    }

    /// The demo with mail set up: nothing is delivered, the outbox is read
    /// instead (`Services::outbox`).
    pub async fn with_mail(db: TestDatabase) -> TestApp {
        let mut app = TestApp::build(db, true).await;
        let mailer = mkpi_services::mail::Mailer::new(&mkpi_services::mail::MailSettings {
            smtp_url: "smtp://127.0.0.1:9".into(),
            from: "mkpi <mkpi@example.com>".into(),
            public_url: "https://mkpi.example.com/".into(),
        })
        .expect("mailer");
        app.services = app.services.clone().with_mailer(mailer);
        let state = mkpi_web::AppState::new(app.services.clone(), mkpi_web::WebSettings::default())
            .expect("app state");
        app.router = mkpi_web::router(state);
        app
    }

    /// The path of the link last mailed to `address` (`/r/…`, `/password/…`).
    pub async fn mailed_link(&self, address: &str, prefix: &str) -> String {
        let mail = self
            .services
            .outbox(100)
            .await
            .unwrap()
            .into_iter()
            .find(|m| m.to_address == address)
            .unwrap_or_else(|| panic!("no mail to {address}"));
        let at = mail
            .body
            .find(&format!("https://mkpi.example.com{prefix}"))
            .unwrap_or_else(|| panic!("no {prefix} link in: {}", mail.body))
            + "https://mkpi.example.com".len();
        mail.body[at..]
            .split_whitespace()
            .next()
            .unwrap()
            .to_string()
    }

    /// A new installation: no demo, no account.
    pub async fn empty(db: TestDatabase) -> TestApp {
        TestApp::build(db, false).await
    }

    async fn build(db: TestDatabase, with_demo: bool) -> TestApp {
        let store = Store::open(&db.url).await.expect("open test database");
        let clock = Clock::fixed(START);
        let services = Services::new(store, clock.clone(), AuthSettings::default());
        let demo = if with_demo {
            services.seed_demo(42).await.expect("seed demo")
        } else {
            DemoDepartment::default()
        };
        let state = mkpi_web::AppState::new(services.clone(), mkpi_web::WebSettings::default())
            .expect("app state");
        TestApp {
            router: mkpi_web::router(state),
            services,
            clock,
            demo,
            backend: db.backend,
            cookies: HashMap::new(),
            csrf: None,
            accept_language: None,
            _db: db,
        }
    }

    /// Signs in with any password through the API (keeping its CSRF token).
    pub async fn login_with(&mut self, login: &str, password: &str) -> TestResponse {
        let r = self
            .post_json(
                "/api/v1/login",
                serde_json::json!({"login": login, "password": password}),
            )
            .await;
        if r.status == StatusCode::OK {
            self.csrf = r.json()["csrf_token"].as_str().map(str::to_string);
        }
        r
    }

    pub async fn login_as(&mut self, login: &str) -> &mut Self {
        let r = self
            .post_json(
                "/api/v1/login",
                serde_json::json!({"login": login, "password": "demo"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "login as {login}: {}", r.body);
        self.csrf = r.json()["csrf_token"].as_str().map(str::to_string);
        self
    }

    pub fn logout_locally(&mut self) {
        self.cookies.clear();
        self.csrf = None;
    }

    pub fn csrf(&self) -> Option<String> {
        self.csrf.clone()
    }

    pub fn cookie(&self, name: &str) -> Option<String> {
        self.cookies.get(name).cloned()
    }

    pub fn set_cookie(&mut self, name: &str, value: &str) {
        self.cookies.insert(name.to_string(), value.to_string());
    }

    pub async fn send(&mut self, mut req: Request<Body>) -> TestResponse {
        if !self.cookies.is_empty() && !req.headers().contains_key(header::COOKIE) {
            let jar: Vec<String> = self
                .cookies
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect();
            req.headers_mut()
                .insert(header::COOKIE, jar.join("; ").parse().unwrap());
        }
        if let Some(lang) = &self.accept_language {
            req.headers_mut()
                .insert(header::ACCEPT_LANGUAGE, lang.parse().unwrap());
        }
        let response = self.router.clone().oneshot(req).await.expect("infallible");
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response
            .into_body()
            .collect()
            .await
            .expect("body")
            .to_bytes();
        let r = TestResponse {
            status,
            headers,
            body: String::from_utf8_lossy(&bytes).to_string(),
            bytes: bytes.to_vec(),
        };
        for c in r.set_cookies() {
            let pair = c.split(';').next().unwrap_or_default();
            if let Some((k, v)) = pair.split_once('=') {
                if v.is_empty() || c.contains("Max-Age=0") {
                    self.cookies.remove(k);
                } else {
                    self.cookies.insert(k.to_string(), v.to_string());
                }
            }
        }
        r
    }

    pub async fn get(&mut self, path: &str) -> TestResponse {
        self.send(Request::get(path).body(Body::empty()).unwrap())
            .await
    }

    pub async fn request_json(
        &mut self,
        method: Method,
        path: &str,
        body: Option<Value>,
        csrf: bool,
    ) -> TestResponse {
        let mut b = Request::builder().method(method).uri(path);
        if csrf && let Some(t) = &self.csrf {
            b = b.header("x-csrf-token", t);
        }
        let req = match body {
            Some(v) => b
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(v.to_string())),
            None => b.body(Body::empty()),
        };
        self.send(req.unwrap()).await
    }

    pub async fn post_json(&mut self, path: &str, body: Value) -> TestResponse {
        self.request_json(Method::POST, path, Some(body), true)
            .await
    }

    /// A form post; the session's CSRF token is added unless the fields
    /// already carry one.
    pub async fn post_form(&mut self, path: &str, fields: &[(&str, &str)]) -> TestResponse {
        let mut fields: Vec<(String, String)> = fields
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        if !fields.iter().any(|(k, _)| k == "csrf")
            && let Some(t) = &self.csrf
        {
            fields.push(("csrf".into(), t.clone()));
        }
        let body = serde_urlencoded::to_string(&fields).unwrap();
        let req = Request::post(path)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(body))
            .unwrap();
        self.send(req).await
    }

    pub async fn bearer_get(&mut self, path: &str, token: &str) -> TestResponse {
        let req = Request::get(path)
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .header(header::COOKIE, "none=1")
            .body(Body::empty())
            .unwrap();
        self.send(req).await
    }
}
