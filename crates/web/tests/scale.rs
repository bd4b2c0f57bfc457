//! Scale-out: two mkpi servers on one PostgreSQL. A session made on one
//! works on the other; a scheduled report due on both goes out once; the
//! same file imported through both at once is stored once.
//! Needs `MKPI_TEST_POSTGRES_URL`; without it the test says so and passes
//! (SQLite is one process's database).

mod harness;

use std::io::Cursor;

use axum::http::StatusCode;
use harness::TestApp;
use mkpi_ingest::Preset;
use mkpi_services::imports::ImportRequest;
use mkpi_services::mail::{MailSettings, Mailer};
use mkpi_services::users::Principal;
use mkpi_services::{AuthSettings, Services, Store};

/// A second server's services on the same database and clock, with mail
/// set up (nothing is sent: the test only reads the outbox).
async fn server(url: &str, clock: &mkpi_services::Clock) -> Services {
    Services::new(
        Store::open(url).await.unwrap(),
        clock.clone(),
        AuthSettings::default(),
    )
    .with_mailer(
        Mailer::new(&MailSettings {
            smtp_url: "smtp://127.0.0.1:9".into(),
            from: "mkpi <mkpi@example.com>".into(),
            public_url: "http://mkpi.example.com".into(),
        })
        .unwrap(),
    )
}

#[tokio::test]
async fn two_servers_share_sessions_send_a_scheduled_report_once_and_import_once() {
    let Some(db) = mkpi_store::testing::postgres().await else {
        assert!(
            std::env::var("CI").is_err(),
            "CI must run the scale-out test: set MKPI_TEST_POSTGRES_URL"
        );
        eprintln!("skipped: MKPI_TEST_POSTGRES_URL is not set");
        return;
    };
    let url = db.url.clone();
    let mut app = TestApp::on(db).await;
    app.services
        .seed_demo_data(42, &app.demo)
        .await
        .expect("demo data");
    let a = server(&url, &app.clock).await;
    let b = server(&url, &app.clock).await;

    // A session made on the first server works on the second, and signing
    // out on the second ends it on the first.
    let router_a = app.router.clone();
    let router_b = mkpi_web::router(
        mkpi_web::AppState::new(b.clone(), mkpi_web::WebSettings::default()).unwrap(),
    );
    app.login_as("manager").await;
    app.router = router_b.clone();
    let me = app.get("/api/v1/me").await;
    assert_eq!(me.status, StatusCode::OK);
    assert_eq!(me.json()["login"], "manager");
    let page = app.get("/reports").await;
    assert_eq!(page.status, StatusCode::OK);
    let r = app.post_json("/api/v1/logout", serde_json::json!({})).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    app.router = router_a;
    assert_eq!(app.get("/api/v1/me").await.status, StatusCode::UNAUTHORIZED);

    // A weekly report due on both servers at once goes out once.
    let head = a.login("head", "demo", "t").await.unwrap().actor;
    let quarterly = a.report_definition(&head, "quarterly").await.unwrap();
    let schedule = a
        .create_report_schedule(
            &head,
            quarterly.id,
            "weekly",
            &["cmo@example.com".into(), "ceo@example.com".into()],
        )
        .await
        .unwrap();
    app.clock.advance(schedule.next_run_at - app.clock.now());
    let (ra, rb) = tokio::join!(
        mkpi_report::delivery::round(&a),
        mkpi_report::delivery::round(&b)
    );
    let (ra, rb) = (ra.unwrap(), rb.unwrap());
    assert_eq!(ra.sent + rb.sent, 1, "{ra:?} {rb:?}");
    let queued: Vec<_> = a
        .outbox(100)
        .await
        .unwrap()
        .into_iter()
        .filter(|m| m.attachment_name.is_some())
        .collect();
    assert_eq!(queued.len(), 2, "one mail per recipient, once");

    // The same file through both servers at once: stored once.
    let mut campaigns = String::from("campaign,name,currency\n");
    for c in 0..20 {
        campaigns.push_str(&format!("SCALE-{c},Scale {c},RUB\n"));
    }
    a.import_file(
        Principal::Operator,
        Cursor::new(campaigns.into_bytes()),
        ImportRequest {
            source: "campaigns.csv".into(),
            preset: Preset::find("mkpi-campaigns").unwrap(),
            dry_run: false,
            people: Vec::new(),
        },
    )
    .await
    .unwrap();
    let mut csv = String::from("date,campaign,impressions,clicks,spend,currency\n");
    for day in 1..=28 {
        for c in 0..20 {
            csv.push_str(&format!(
                "2020-02-{day:02},SCALE-{c},1000,{},10.5,RUB\n",
                day + c
            ));
        }
    }
    let import = |s: Services, csv: String| async move {
        s.import_file(
            Principal::Operator,
            Cursor::new(csv.into_bytes()),
            ImportRequest {
                source: "same.csv".into(),
                preset: Preset::find("mkpi-ad-stats").unwrap(),
                dry_run: false,
                people: Vec::new(),
            },
        )
        .await
    };
    let before = {
        let mut tx = a.store().read().await.unwrap();
        mkpi_store::ad_stats::totals(&mut tx)
            .await
            .unwrap()
            .row_count
    };
    let (x, y) = tokio::join!(
        import(a.clone(), csv.clone()),
        import(b.clone(), csv.clone())
    );
    let (x, y) = (x.unwrap(), y.unwrap());
    assert!(
        x.applied && y.applied,
        "{:?} {:?}",
        x.problems.first(),
        y.problems.first()
    );
    let after = {
        let mut tx = a.store().read().await.unwrap();
        mkpi_store::ad_stats::totals(&mut tx)
            .await
            .unwrap()
            .row_count
    };
    assert_eq!(after - before, 28 * 20, "no row twice");
}
