//! Presenting reports: scheduled delivery against a local SMTP sink (the
//! PDF attached, a summary in the body, once per run even with two
//! servers), share links that expire and can be revoked, and competitor
//! files that import whole or not at all.

#[allow(dead_code)]
#[path = "../../services/tests/smtp_sink.rs"]
mod smtp_sink;

use mkpi_services::competitors::BenchmarkInput;
use mkpi_services::mail::{MailSettings, Mailer};
use mkpi_services::users::Principal;
use mkpi_services::{AuthSettings, Clock, Error, Services, Store};
use mkpi_store::testing;
use smtp_sink::SmtpSink;

/// Monday 2026-09-21, 14:13 UTC.
const NOW: i64 = 1_790_000_000;

async fn demo(url: &str, clock: &Clock, mail: Option<u16>) -> Services {
    let mut s = Services::new(
        Store::open(url).await.unwrap(),
        clock.clone(),
        AuthSettings::default(),
    );
    if let Some(port) = mail {
        s = s.with_mailer(
            Mailer::new(&MailSettings {
                smtp_url: format!("smtp://127.0.0.1:{port}"),
                from: "mkpi <mkpi@example.com>".into(),
                public_url: "http://mkpi.example.com".into(),
            })
            .unwrap(),
        );
    }
    let demo = s.seed_demo(42).await.unwrap();
    s.seed_demo_data(42, &demo).await.unwrap();
    s
}

fn invalid(e: Error) -> Vec<(String, String)> {
    match e {
        Error::Invalid(p) => p.into_iter().map(|p| (p.field, p.message)).collect(),
        other => panic!("expected invalid input, got {other:?}"),
    }
}

#[tokio::test]
async fn a_weekly_report_is_mailed_with_its_pdf_once_per_run() {
    let sink = SmtpSink::start().await;
    let db = testing::sqlite();
    let clock = Clock::fixed(NOW);
    let s = demo(&db.url, &clock, Some(sink.port)).await;
    let head = s.login("head", "demo", "t").await.unwrap().actor;
    let quarterly = s.report_definition(&head, "quarterly").await.unwrap();

    // Bad input is refused with every reason, nothing stored.
    let err = s
        .create_report_schedule(&head, quarterly.id, "hourly", &["not-an-address".into()])
        .await
        .unwrap_err();
    assert_eq!(
        invalid(err),
        [
            (
                "frequency".to_string(),
                "'hourly' is not a frequency; use daily, weekly or monthly".to_string()
            ),
            (
                "recipients".to_string(),
                "'not-an-address' is not an e-mail address".to_string()
            ),
        ]
    );
    assert!(
        s.report_schedules(&head, quarterly.id)
            .await
            .unwrap()
            .is_empty()
    );
    let employee = s.login("employee", "demo", "t").await.unwrap().actor;
    assert!(matches!(
        s.create_report_schedule(&employee, quarterly.id, "weekly", &["a@example.com".into()])
            .await,
        Err(Error::Forbidden)
    ));

    let schedule = s
        .create_report_schedule(
            &head,
            quarterly.id,
            "weekly",
            &["cmo@example.com".into(), "ceo@example.com".into()],
        )
        .await
        .unwrap();
    // Monday afternoon: the first run is next Monday at 07:00.
    assert_eq!(
        schedule.next_run_at,
        NOW - NOW % 86_400 + 7 * 86_400 + 7 * 3600
    );
    assert_eq!(mkpi_report::delivery::round(&s).await.unwrap().sent, 0);

    clock.advance(schedule.next_run_at - NOW);
    // Two servers find the same run due; only one queues it.
    let runs = s.due_report_runs().await.unwrap();
    assert_eq!(runs.len(), 1);
    let again = s.due_report_runs().await.unwrap();
    let round = mkpi_report::delivery::round(&s).await.unwrap();
    assert_eq!(round, mkpi_report::delivery::Round { sent: 1, failed: 0 });
    let late = mkpi_services::report_delivery::ReportMail {
        subject: "late",
        body: "late",
        file_name: "late.pdf",
        content_type: "application/pdf",
        bytes: b"%PDF-",
    };
    assert!(!s.send_report_run(&again[0], &late).await.unwrap());
    assert_eq!(mkpi_report::delivery::round(&s).await.unwrap().sent, 0);

    let done = s.deliver_mail().await.unwrap();
    assert_eq!(done.sent, 2);
    let received = sink.received.lock().unwrap().clone();
    assert_eq!(received.len(), 2);
    let mut to: Vec<String> = received.iter().flat_map(|m| m.to.clone()).collect();
    to.sort();
    assert_eq!(to, ["ceo@example.com", "cmo@example.com"]);
    let m = &received[0];
    // (The sink's decoder drops the spaces between encoded words.)
    assert_eq!(
        m.subject().replace(' ', ""),
        "quarterly·01.04.2026–30.06.2026"
    );
    assert!(
        m.data.contains("Content-Type: multipart/mixed"),
        "{}",
        m.data
    );
    assert!(
        m.data
            .contains("Content-Disposition: attachment; filename=\"quarterly-2026-04-01.pdf\""),
        "{}",
        &m.data[..m.data.len().min(3000)]
    );
    assert!(m.data.contains("Content-Type: application/pdf"));
    // The PDF itself travels whole.
    let outbox = s.outbox(10).await.unwrap();
    let attached = outbox[0].attachment.as_deref().unwrap();
    use base64::Engine;
    let pdf = base64::engine::general_purpose::STANDARD
        .decode(attached)
        .unwrap();
    assert!(pdf.starts_with(b"%PDF-") && pdf.len() > 50_000);
    assert!(
        outbox[0]
            .body
            .starts_with("quarterly\nОтдел маркетинга · 01.04.2026 – 30.06.2026\n\n• ")
    );
    assert!(
        outbox[0]
            .body
            .ends_with("Полный отчёт во вложении: quarterly-2026-04-01.pdf.\n")
    );

    // The next run is next Monday; stopping ends it.
    let after = s.report_schedules(&head, quarterly.id).await.unwrap();
    assert_eq!(after[0].next_run_at, schedule.next_run_at + 7 * 86_400);
    s.stop_report_schedule(&head, schedule.id).await.unwrap();
    clock.advance(8 * 86_400);
    assert!(s.due_report_runs().await.unwrap().is_empty());
}

#[tokio::test]
async fn a_share_link_works_until_it_expires_or_is_revoked() {
    for db in testing::all().await {
        let clock = Clock::fixed(NOW);
        let s = demo(&db.url, &clock, None).await;
        let head = s.login("head", "demo", "t").await.unwrap().actor;
        let monthly = s.report_definition(&head, "monthly").await.unwrap();
        assert!(matches!(
            invalid(s.create_report_share(&head, monthly.id, 91).await.unwrap_err())[..],
            [(ref f, _)] if f == "days"
        ));
        let viewer = s.login("viewer", "demo", "t").await.unwrap().actor;
        assert!(matches!(
            s.create_report_share(&viewer, monthly.id, 7).await,
            Err(Error::Forbidden)
        ));

        let made = s.create_report_share(&head, monthly.id, 7).await.unwrap();
        let token = made.path.strip_prefix("/s/").unwrap().to_string();
        assert_eq!(token.len(), 48, "192 bits");
        let opened = s.open_report_share(&token).await.unwrap();
        assert_eq!(opened.definition.name, "monthly");
        assert_eq!(opened.reader.login, "head");
        // The token is stored only as its hash, and never in the audit log.
        let audit = s.audit_log(&head, None, 100, 0).await.unwrap();
        assert!(audit.iter().all(|a| !format!("{a:?}").contains(&token)));

        // A token never given is not found; a near miss too.
        let mut wrong = token.clone();
        wrong.replace_range(0..1, if token.starts_with('a') { "b" } else { "a" });
        assert!(matches!(
            s.open_report_share(&wrong).await,
            Err(Error::NotFound)
        ));
        assert!(matches!(
            s.open_report_share("x").await,
            Err(Error::NotFound)
        ));

        // Seven days later it is gone.
        clock.advance(7 * 86_400);
        assert!(matches!(
            s.open_report_share(&token).await,
            Err(Error::Gone(_))
        ));

        // Revoked: gone at once; only its maker or the head revokes.
        let second = s.create_report_share(&head, monthly.id, 30).await.unwrap();
        let token2 = second.path.strip_prefix("/s/").unwrap().to_string();
        let manager = s.login("manager", "demo", "t").await.unwrap().actor;
        assert!(matches!(
            s.revoke_report_share(&manager, second.share.id).await,
            Err(Error::NotFound)
        ));
        s.open_report_share(&token2).await.unwrap();
        s.revoke_report_share(&head, second.share.id).await.unwrap();
        match s.open_report_share(&token2).await {
            Err(Error::Gone(m)) => assert_eq!(m, "this link was revoked by the one who shared it"),
            other => panic!("{other:?}"),
        }

        // A link made by someone who has since left stops working.
        let third = s
            .create_report_share(&manager, monthly.id, 30)
            .await
            .unwrap();
        let token3 = third.path.strip_prefix("/s/").unwrap().to_string();
        s.open_report_share(&token3).await.unwrap();
        let users = s.list_users(Principal::Operator).await.unwrap();
        let manager_user = users.iter().find(|u| u.login == "manager").unwrap();
        s.deactivate_user(Principal::Operator, manager_user.id)
            .await
            .unwrap();
        assert!(matches!(
            s.open_report_share(&token3).await,
            Err(Error::Gone(_))
        ));
    }
}

#[tokio::test]
async fn a_competitor_file_imports_whole_or_not_at_all() {
    for db in testing::all().await {
        let clock = Clock::fixed(NOW);
        let s = demo(&db.url, &clock, None).await;
        let head = s.login("head", "demo", "t").await.unwrap().actor;
        let all = |s: &Services| {
            let s = s.clone();
            let head = head.clone();
            async move { s.benchmarks(&head, "0000-00", "9999-12").await.unwrap() }
        };
        let before = all(&s).await;
        assert_eq!(
            before.len(),
            90,
            "the demo's 15 months × 2 competitors × 3 kinds"
        );

        // A broken file: every bad row named by row and column, nothing written.
        let broken = "competitor;kind;month;value;source\n\
                      Ромашка;share_of_voice;2026-07;35%;Медиалогия\n\
                      ;price;2026-07;3100;\n\
                      Ромашка;visits;2026-13;-5;\n\
                      Ромашка;traffic;2026-07;12 000;\n";
        let problems = invalid(
            s.import_benchmarks(&head, broken.as_bytes())
                .await
                .unwrap_err(),
        );
        assert_eq!(
            problems,
            [
                (
                    "row 3, column competitor".to_string(),
                    "name the competitor (at most 100 characters)".to_string()
                ),
                (
                    "row 4, column kind".to_string(),
                    "'visits' is not a kind; use share_of_voice, price, traffic".to_string()
                ),
                (
                    "row 4, column month".to_string(),
                    "'2026-13' is not a month; write YYYY-MM".to_string()
                ),
                (
                    "row 4, column value".to_string(),
                    "'-5' is not a number of zero or more".to_string()
                ),
                (
                    "row 5, column value".to_string(),
                    "'12 000' is not a number of zero or more".to_string()
                ),
            ]
        );
        assert_eq!(all(&s).await, before);
        let missing = "competitor,month,value\nA,2026-07,1\n";
        assert_eq!(
            invalid(s.import_benchmarks(&head, missing.as_bytes()).await.unwrap_err()),
            [(
                "file".to_string(),
                "row 1: there is no column 'kind' (the columns are competitor, kind, month, value, source)"
                    .to_string()
            )]
        );
        assert!(s.import_benchmarks(&head, b"\xff\xfe").await.is_err());
        let employee = s.login("employee", "demo", "t").await.unwrap().actor;
        assert!(matches!(
            s.import_benchmarks(
                &employee,
                b"competitor,kind,month,value\nA,price,2026-07,1\n"
            )
            .await,
            Err(Error::Forbidden)
        ));
        assert_eq!(all(&s).await, before);

        // A good file (with a BOM, a share written as 0,35) adds, and a
        // second import of the same months replaces instead of doubling.
        let good = "\u{feff}competitor,kind,month,value,source\n\
                    Ромашка,share_of_voice,2026-07,\"0,35\",Медиалогия\n\
                    Ромашка,price,2026-07,3100,\n";
        assert_eq!(
            s.import_benchmarks(&head, good.as_bytes()).await.unwrap(),
            2
        );
        assert_eq!(
            s.import_benchmarks(&head, good.as_bytes()).await.unwrap(),
            2
        );
        let after = all(&s).await;
        assert_eq!(after.len(), 92);
        let sov = after
            .iter()
            .find(|b| b.competitor == "Ромашка" && b.kind == "share_of_voice")
            .unwrap();
        assert_eq!((sov.month.as_str(), sov.value), ("2026-07", 0.35));

        // One figure by hand, then deleted.
        let one = s
            .add_benchmark(
                &head,
                &BenchmarkInput {
                    competitor: "Ромашка".into(),
                    kind: "traffic".into(),
                    month: "2026-08".into(),
                    value: "41000".into(),
                    source: String::new(),
                },
            )
            .await
            .unwrap();
        assert_eq!(all(&s).await.len(), 93);
        s.delete_benchmark(&head, one.id).await.unwrap();
        assert_eq!(all(&s).await.len(), 92);
        assert!(matches!(
            s.delete_benchmark(&head, one.id).await,
            Err(Error::NotFound)
        ));
    }
}

/// Text of a PDF as pdftotext gives it; None without poppler-utils (CI has it).
fn pdf_text(pdf: &[u8]) -> Option<String> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("r.pdf");
    std::fs::write(&path, pdf).unwrap();
    let out = std::process::Command::new("pdftotext")
        .arg(&path)
        .arg("-")
        .output()
        .ok()?;
    Some(String::from_utf8_lossy(&out.stdout).replace('\u{a0}', " "))
}

/// A schedule's recipients read the report as they may see it (issue 18,
/// finding 5): the head's own address gets the people and the evaluation;
/// an address outside mkpi gets what a share link shows.
#[tokio::test]
async fn a_scheduled_report_gives_each_recipient_only_what_they_may_see() {
    use base64::Engine;
    let db = testing::sqlite();
    let clock = Clock::fixed(NOW);
    let s = demo(&db.url, &clock, Some(9)).await;
    let head = s.login("head", "demo", "t").await.unwrap().actor;
    let manager = s.login("manager", "demo", "t").await.unwrap().actor;
    let head_email = s
        .get_employee(&head, head.employee_id.unwrap())
        .await
        .unwrap()
        .email;
    let manager_name = manager.employee_name.clone().unwrap();
    let quarterly = s.report_definition(&head, "quarterly").await.unwrap();
    let schedule = s
        .create_report_schedule(
            &head,
            quarterly.id,
            "weekly",
            &["board@investor.example".into(), head_email.clone()],
        )
        .await
        .unwrap();
    clock.advance(schedule.next_run_at - NOW);
    let round = mkpi_report::delivery::round(&s).await.unwrap();
    assert_eq!(round, mkpi_report::delivery::Round { sent: 1, failed: 0 });
    let outbox = s.outbox(10).await.unwrap();
    let pdf_for = |to: &str| {
        let m = outbox.iter().find(|m| m.to_address == to).unwrap();
        base64::engine::general_purpose::STANDARD
            .decode(m.attachment.as_deref().unwrap())
            .unwrap()
    };
    let (outside, own) = (pdf_for("board@investor.example"), pdf_for(&head_email));
    assert_ne!(outside, own);
    match (pdf_text(&outside), pdf_text(&own)) {
        (Some(outside), Some(own)) => {
            assert!(own.contains(&manager_name), "the head's copy names people");
            assert!(
                !outside.contains(&manager_name),
                "the outsider's copy names {manager_name}"
            );
        }
        _ => assert!(
            std::env::var("CI").is_err(),
            "CI must check the PDFs' text: install poppler-utils"
        ),
    }
}
