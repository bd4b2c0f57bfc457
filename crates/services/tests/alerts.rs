//! Alerts on KPIs on both backends: raised once per change of state (off
//! track, a move week over week beyond the KPI's threshold), shown to those
//! who see the KPI, and mailed through the outbox to a local SMTP sink.

mod smtp_sink;

use std::io::Cursor;

use mkpi_services::imports::ImportRequest;
use mkpi_services::kpis::{NewKpiInput, TargetInput};
use mkpi_services::mail::{MailSettings, Mailer};
use mkpi_services::users::Principal;
use mkpi_services::{Actor, AuthSettings, Clock, Services, Store};
use mkpi_store::testing;
use smtp_sink::SmtpSink;

/// 2025-03-22 01:00 UTC: three weeks of March are in.
const MARCH_22: i64 = 1_742_605_200;

async fn actor(s: &Services, login: &str) -> Actor {
    s.login(login, "demo", "t").await.unwrap().actor
}

async fn import(s: &Services, preset: &str, text: &str) {
    let preset = s.preset(Principal::Operator, preset).await.unwrap();
    let request = ImportRequest {
        source: "test.csv".into(),
        preset,
        dry_run: false,
        people: Vec::new(),
    };
    let r = s
        .import_file(
            Principal::Operator,
            Cursor::new(text.as_bytes().to_vec()),
            request,
        )
        .await
        .unwrap();
    assert!(r.problems.is_empty(), "{:?}", r.problems);
}

fn mailer(port: u16) -> Mailer {
    Mailer::new(&MailSettings {
        smtp_url: format!("smtp://127.0.0.1:{port}"),
        from: "mkpi <mkpi@example.com>".into(),
        public_url: "https://mkpi.example.com/".into(),
    })
    .unwrap()
}

fn clicks_kpi(scope: String, alert_change_pct: Option<f64>) -> NewKpiInput {
    NewKpiInput {
        metric: "clicks".into(),
        scope,
        from: "2025-03-01".into(),
        to: "2025-04-01".into(),
        weight: None,
        cap: None,
        targets: vec![TargetInput {
            from: "2025-03-01".into(),
            to: "2025-04-01".into(),
            floor: Some(800.0),
            target: 1000.0,
            stretch: None,
        }],
        alert_change_pct,
    }
}

/// The employee owns C2: 10 clicks a day until 14 March, 4 a day after.
/// The manager owns C1: 40 a day all month, on track for 1,240.
async fn load(s: &Services) -> (i64, i64) {
    let head = actor(s, "head").await;
    let people = s.list_employees(&head).await.unwrap();
    let manager = actor(s, "manager").await.employee_id.unwrap();
    let employee = actor(s, "employee").await.employee_id.unwrap();
    let email = |id: i64| people.iter().find(|e| e.id == id).unwrap().email.clone();
    import(
        s,
        "mkpi-campaigns",
        &format!(
            "campaign,name,channel,owner,currency\nC1,Search,paid_search,{},RUB\nC2,Mailing,email,{},RUB\n",
            email(manager),
            email(employee)
        ),
    )
    .await;
    let mut stats = String::from(
        "date,campaign,impressions,clicks,spend,conversions,conversion_value,currency\n",
    );
    for day in 1..=21 {
        let c2 = if day < 15 { 10 } else { 4 };
        stats.push_str(&format!("2025-03-{day:02},C2,100,{c2},10.00,0,0,RUB\n"));
        stats.push_str(&format!("2025-03-{day:02},C1,1000,40,50.00,1,100.00,RUB\n"));
    }
    import(s, "mkpi-ad-stats", &stats).await;
    (manager, employee)
}

#[tokio::test]
async fn an_off_track_kpi_and_a_sharp_weekly_drop_raise_one_alert_each_and_mail_the_people_concerned()
 {
    for db in testing::all().await {
        let sink = SmtpSink::start().await;
        let s = Services::new(
            Store::open(&db.url).await.unwrap(),
            Clock::fixed(MARCH_22),
            AuthSettings::default(),
        )
        .with_mailer(mailer(sink.port));
        s.seed_demo(42).await.unwrap();
        let (manager_id, employee) = load(&s).await;
        let head = actor(&s, "head").await;
        let manager = actor(&s, "manager").await;
        let worker = actor(&s, "employee").await;
        let theirs = s
            .create_kpi(
                &manager,
                &clicks_kpi(format!("employee:{employee}"), Some(50.0)),
            )
            .await
            .unwrap();
        s.create_kpi(
            &head,
            &clicks_kpi(format!("employee:{manager_id}"), Some(50.0)),
        )
        .await
        .unwrap();

        let raised = s.check_alerts().await.unwrap();
        let shown: Vec<_> = raised
            .iter()
            .map(|a| {
                (
                    a.kpi_id,
                    a.kind.as_str(),
                    a.value,
                    a.target,
                    a.previous,
                    a.change,
                )
            })
            .collect();
        // 7 × 10 + 7 × 10 + 7 × 4 = 168 clicks so far; 28 in the last week
        // against 70 the week before: −60%, beyond the 50% threshold. The
        // manager's 40 a day are steady and on track: nothing for them.
        assert_eq!(
            shown,
            [
                (
                    theirs.id,
                    "off_track",
                    Some(168.0),
                    Some(1000.0),
                    None,
                    None
                ),
                (
                    theirs.id,
                    "change",
                    Some(28.0),
                    Some(1000.0),
                    Some(70.0),
                    Some(-0.6)
                ),
            ],
            "{:?}",
            db.backend
        );
        assert_eq!(
            (raised[1].window_from.as_str(), raised[1].window_to.as_str()),
            ("2025-03-15", "2025-03-22")
        );
        assert!(
            s.check_alerts().await.unwrap().is_empty(),
            "the same state raises nothing again"
        );

        // Shown to those who see the KPI.
        assert_eq!(s.alerts(&worker, 30).await.unwrap().len(), 2);
        assert_eq!(s.alerts(&head, 30).await.unwrap().len(), 2);
        let views = s.alerts(&manager, 30).await.unwrap();
        assert_eq!(views[0].link, format!("/employees/{employee}"));

        // Mailed to the employee and their manager, one message per alert each.
        let delivery = s.deliver_mail().await.unwrap();
        assert_eq!(
            (delivery.sent, delivery.failed),
            (4, 0),
            "{:?}",
            s.outbox(10).await.unwrap()
        );
        let mail = sink.messages();
        let worker_email = s.get_employee(&head, employee).await.unwrap().email;
        let manager_email = s.get_employee(&head, manager_id).await.unwrap().email;
        let mut to: Vec<String> = mail.iter().flat_map(|m| m.to.clone()).collect();
        to.sort();
        let mut expected = vec![
            worker_email.clone(),
            worker_email,
            manager_email.clone(),
            manager_email,
        ];
        expected.sort();
        assert_eq!(to, expected);
        let name = s.get_employee(&head, employee).await.unwrap().name;
        let off = mail
            .iter()
            .find(|m| m.subject().starts_with("Off track") || m.subject().starts_with("Отстаёт"))
            .unwrap();
        let body = off.body();
        assert!(
            body.contains(&name)
                && body.contains(&format!("https://mkpi.example.com/employees/{employee}")),
            "{body}"
        );
        assert!(
            body.contains("168") && (body.contains("1 000") || body.contains("1,000")),
            "{body}"
        );
        assert_eq!(s.deliver_mail().await.unwrap().sent, 0, "sent once");
        assert!(
            s.outbox(10)
                .await
                .unwrap()
                .iter()
                .all(|m| m.sent_at.is_some())
        );
    }
}

#[tokio::test]
async fn mail_that_cannot_be_sent_waits_for_a_later_attempt_with_its_error() {
    for db in testing::all().await {
        // A port nobody listens on.
        let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = closed.local_addr().unwrap().port();
        drop(closed);
        let s = Services::new(
            Store::open(&db.url).await.unwrap(),
            Clock::fixed(MARCH_22),
            AuthSettings::default(),
        )
        .with_mailer(mailer(port));
        s.seed_demo(42).await.unwrap();
        let (_, employee) = load(&s).await;
        let manager = actor(&s, "manager").await;
        s.create_kpi(&manager, &clicks_kpi(format!("employee:{employee}"), None))
            .await
            .unwrap();
        assert_eq!(s.check_alerts().await.unwrap().len(), 1, "off track only");
        let delivery = s.deliver_mail().await.unwrap();
        assert_eq!((delivery.sent, delivery.failed), (0, 2), "{:?}", db.backend);
        let queued = s.outbox(10).await.unwrap();
        assert!(
            queued
                .iter()
                .all(|m| m.sent_at.is_none() && m.attempts == 1 && m.last_error.is_some())
        );
        assert_eq!(
            s.deliver_mail().await.unwrap(),
            Default::default(),
            "not before the pause is over"
        );
    }
}

#[tokio::test]
async fn without_mail_alerts_show_in_the_ui_and_nothing_is_queued() {
    for db in testing::all().await {
        let s = Services::new(
            Store::open(&db.url).await.unwrap(),
            Clock::fixed(MARCH_22),
            AuthSettings::default(),
        );
        s.seed_demo(42).await.unwrap();
        let (_, employee) = load(&s).await;
        let manager = actor(&s, "manager").await;
        s.create_kpi(&manager, &clicks_kpi(format!("employee:{employee}"), None))
            .await
            .unwrap();
        assert_eq!(s.check_alerts().await.unwrap().len(), 1);
        assert!(s.outbox(10).await.unwrap().is_empty());
        assert_eq!(s.alerts(&manager, 7).await.unwrap().len(), 1);
        let bad = s
            .create_kpi(
                &manager,
                &clicks_kpi(format!("employee:{employee}"), Some(0.0)),
            )
            .await
            .unwrap_err();
        assert_eq!(
            bad.to_string(),
            "invalid input: alert_change_pct: must be more than 0 and at most 1000 (percent)"
        );
    }
}
