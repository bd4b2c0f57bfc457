//! Review cycles on both backends: who may assess whom, answers final once
//! given, peer answers hidden below the threshold and stored without their
//! author, and the final score by the cycle's formula with missing parts
//! named and the other weights grown.

mod common;

use common::{actor, all, person};
use mkpi_domain::review::Perspective;
use mkpi_services::reviews::{CycleInput, Results};
use mkpi_services::{AuthSettings, Clock, Error, Services, Store};
use mkpi_store::testing;

const NOW: i64 = 1_790_000_000; // 2026-09-21

fn part<'a>(r: &'a Results, name: &str) -> &'a mkpi_domain::review::Part {
    r.score.parts.iter().find(|p| p.name == name).unwrap()
}

#[tokio::test]
async fn a_small_cycle_keeps_peers_anonymous_and_scores_by_its_formula() {
    for db in testing::all().await {
        let s = Services::new(
            Store::open(&db.url).await.unwrap(),
            Clock::fixed(NOW),
            AuthSettings::default(),
        );
        let demo = s.seed_demo(42).await.unwrap();
        let head = actor(&s, "head").await;
        let manager = actor(&s, "manager").await;
        let employee = actor(&s, "employee").await;
        let me = demo.employee_employee_id;
        let peers = [
            demo.employee_ids[3],
            demo.employee_ids[4],
            demo.employee_ids[5],
        ];

        // Bad set-ups are refused whole.
        let e = s
            .create_review_cycle(
                &head,
                &CycleInput {
                    name: " ".into(),
                    period_from: "2026-07-01".into(),
                    period_to: "2026-06-01".into(),
                    self_due: "2026-10-05".into(),
                    nomination_due: "2026-10-01".into(),
                    assessment_due: "soon".into(),
                    calibration_due: "2026-10-20".into(),
                    anonymity_threshold: Some(2),
                    employee_ids: vec![999_999],
                    ..CycleInput::default()
                },
            )
            .await
            .unwrap_err();
        let fields: Vec<String> = match e {
            Error::Invalid(p) => p.into_iter().map(|p| p.field).collect(),
            other => panic!("{other:?}"),
        };
        assert_eq!(
            fields,
            [
                "name",
                "period_to",
                "assessment_due",
                "nomination_due",
                "anonymity_threshold",
                "employee_ids"
            ]
        );
        assert!(s.review_cycles(&head).await.unwrap().is_empty());
        assert!(matches!(
            s.create_review_cycle(&manager, &CycleInput::default())
                .await,
            Err(Error::Forbidden)
        ));

        let mut people = vec![me];
        people.extend(peers);
        let cycle = s
            .create_review_cycle(
                &head,
                &CycleInput {
                    name: "Q3 2026".into(),
                    period_from: "2026-07-01".into(),
                    period_to: "2026-10-01".into(),
                    self_due: "2026-10-03".into(),
                    nomination_due: "2026-10-03".into(),
                    assessment_due: "2026-10-10".into(),
                    calibration_due: "2026-10-17".into(),
                    employee_ids: people,
                    ..CycleInput::default()
                },
            )
            .await
            .unwrap();
        assert_eq!(
            (cycle.status.as_str(), cycle.anonymity_threshold),
            ("open", 3)
        );

        // Self: once, every competency, on the scale.
        let e = s
            .submit_assessment(&employee, cycle.id, me, "self", &all(6, ""), "")
            .await
            .unwrap_err();
        assert!(matches!(e, Error::Invalid(ref p) if p.len() == 6), "{e:?}");
        s.submit_assessment(&employee, cycle.id, me, "self", &all(4, ""), "I grew")
            .await
            .unwrap();
        assert!(matches!(
            s.submit_assessment(&employee, cycle.id, me, "self", &all(4, ""), "")
                .await,
            Err(Error::Conflict(_))
        ));
        assert!(matches!(
            s.submit_assessment(&employee, cycle.id, me, "manager", &all(5, ""), "")
                .await,
            Err(Error::Forbidden)
        ));
        s.submit_assessment(
            &manager,
            cycle.id,
            me,
            "manager",
            &all(3, ""),
            "Solid quarter",
        )
        .await
        .unwrap();

        // A peer named by the person waits for the manager's approval.
        let n = s
            .nominate_peer(&employee, cycle.id, me, peers[0])
            .await
            .unwrap();
        assert_eq!(n.status, "nominated");
        let peer0 = person(&s, peers[0]).await;
        assert!(matches!(
            s.submit_assessment(&peer0, cycle.id, me, "peer", &all(5, ""), "")
                .await,
            Err(Error::Forbidden)
        ));
        assert!(matches!(
            s.decide_peer(&employee, n.id, true).await,
            Err(Error::Forbidden)
        ));
        s.decide_peer(&manager, n.id, true).await.unwrap();
        s.submit_assessment(&peer0, cycle.id, me, "peer", &all(5, "Great partner"), "")
            .await
            .unwrap();

        // One peer answer: hidden, and the score says why peers are missing.
        let r = s.review_results(&manager, cycle.id, me).await.unwrap();
        let peer = r
            .perspectives
            .iter()
            .find(|p| p.perspective == Perspective::Peer)
            .unwrap();
        assert_eq!(
            (
                peer.answers,
                peer.mean,
                peer.comments.len(),
                peer.hidden.map(|h| h.to_string()).as_deref()
            ),
            (
                1,
                None,
                0,
                Some(
                    "1 answers so far: shown once the assessments close, so that no answer can be read from the change it makes"
                )
            )
        );
        assert_eq!(part(&r, "peer").missing, peer.hidden.map(|h| h.to_string()));
        assert_eq!(
            part(&r, "kpi").missing.as_deref(),
            Some("no KPIs for the period")
        );
        assert_eq!(
            part(&r, "goals").missing.as_deref(),
            Some("no goals for the period")
        );
        // Manager 3 → 0.5 (weight 0.2), self 4 → 0.75 (weight 0.05).
        let expected = (0.2 * 0.5 + 0.05 * 0.75) / 0.25;
        assert!(
            (r.score.value.unwrap() - expected).abs() < 1e-12,
            "{:?}",
            r.score.value
        );
        let manager_view = r
            .perspectives
            .iter()
            .find(|p| p.perspective == Perspective::Manager)
            .unwrap();
        assert_eq!(manager_view.comments, ["Solid quarter"]);

        // Two more peers, named by the manager (approved at once): now shown.
        for (peer_id, rating, text) in [
            (peers[1], 3, "Clear briefs"),
            (peers[2], 2, "Misses deadlines"),
        ] {
            s.nominate_peer(&manager, cycle.id, me, peer_id)
                .await
                .unwrap();
            let p = person(&s, peer_id).await;
            s.submit_assessment(&p, cycle.id, me, "peer", &all(rating, text), "")
                .await
                .unwrap();
        }
        // While the cycle is open nothing anonymous shows, whatever the count.
        let r = s.review_results(&manager, cycle.id, me).await.unwrap();
        let peer = r
            .perspectives
            .iter()
            .find(|p| p.perspective == Perspective::Peer)
            .unwrap();
        assert_eq!((peer.answers, peer.mean), (3, None));
        let e = s
            .set_review_cycle_status(&head, cycle.id, "released")
            .await
            .unwrap_err();
        assert!(
            matches!(e, Error::Invalid(ref p) if p[0].message == "the cycle is open; it moves on to calibration")
        );
        s.set_review_cycle_status(&head, cycle.id, "calibration")
            .await
            .unwrap();
        let r = s.review_results(&manager, cycle.id, me).await.unwrap();
        let peer = r
            .perspectives
            .iter()
            .find(|p| p.perspective == Perspective::Peer)
            .unwrap();
        assert_eq!(peer.answers, 3);
        assert!((peer.mean.unwrap() - 10.0 / 3.0).abs() < 1e-12);
        // Comments without authors, sorted rather than in the order given.
        assert_eq!(peer.comments.len(), 18);
        assert_eq!(peer.comments[0], "Clear briefs");
        assert_eq!(peer.comments[17], "Misses deadlines");
        let peer_norm = (10.0 / 3.0 - 1.0) / 4.0;
        let expected = (0.2 * 0.5 + 0.1 * peer_norm + 0.05 * 0.75) / 0.35;
        assert!((r.score.value.unwrap() - expected).abs() < 1e-12);

        // The audit log keeps no entry per peer answer (its second and
        // subject could be lined up with a sign-in): a count per day.
        let log = s
            .audit_log(&head, Some("review_assessment"), 50, 0)
            .await
            .unwrap();
        assert!(
            log.iter()
                .all(|e| !e.after_json.as_deref().unwrap_or("").contains("\"peer\"")),
            "{log:?}"
        );
        let mut tx = s.store().read().await.unwrap();
        let days = mkpi_store::reviews::anonymous_answers_by_day(&mut tx, cycle.id)
            .await
            .unwrap();
        drop(tx);
        assert_eq!(days, [("2026-09-21".to_string(), 3)]);

        // The person sees results only once released; viewers never.
        assert!(matches!(
            s.review_results(&employee, cycle.id, me).await,
            Err(Error::Forbidden)
        ));
        assert!(matches!(
            s.review_results(&actor(&s, "viewer").await, cycle.id, me)
                .await,
            Err(Error::NotFound)
        ));
        s.set_review_cycle_status(&head, cycle.id, "released")
            .await
            .unwrap();
        let mine = s.review_results(&employee, cycle.id, me).await.unwrap();
        assert!((mine.score.value.unwrap() - expected).abs() < 1e-12);
        // Answers are closed after the cycle is open.
        let late = s
            .login(&format!("p{}", peers[1]), "long-enough-1", "t")
            .await
            .unwrap()
            .actor;
        let e = s
            .submit_assessment(&late, cycle.id, peers[1], "self", &all(3, ""), "")
            .await
            .unwrap_err();
        assert!(
            matches!(e, Error::Invalid(ref p) if p[0].message == "the cycle is released; assessments are taken while it is open"),
            "{e:?}"
        );

        // A closed cycle moves nowhere, whatever status is asked for (an
        // empty one once slipped through to the database's CHECK).
        s.set_review_cycle_status(&head, cycle.id, "closed")
            .await
            .unwrap();
        for asked in ["", "open", "closed"] {
            let e = s
                .set_review_cycle_status(&head, cycle.id, asked)
                .await
                .unwrap_err();
            assert!(
                matches!(e, Error::Invalid(ref p) if p[0].message == "the cycle is closed and cannot move on"),
                "{asked:?}: {e:?}"
            );
        }
    }
}

/// Whoever can read a person's results — their manager, the head, an
/// admin — is refused as an anonymous peer: named by the person, by the
/// manager or by themself; and one named before the rule cannot answer.
#[tokio::test]
async fn results_readers_are_never_anonymous_peers() {
    for db in testing::all().await {
        let s = Services::new(
            Store::open(&db.url).await.unwrap(),
            Clock::fixed(1_790_000_000),
            AuthSettings::default(),
        );
        let demo = s.seed_demo(42).await.unwrap();
        let head = s.login("head", "demo", "t").await.unwrap().actor;
        let manager = s.login("manager", "demo", "t").await.unwrap().actor;
        let employee = s.login("employee", "demo", "t").await.unwrap().actor;
        let me = demo.employee_employee_id;
        let cycle = s.create_review_cycle(&head, &q3_of(me)).await.unwrap();
        let refused = |e: Error| match e {
            Error::Invalid(p) => p.iter().any(|p| p.message.contains("can read the results")),
            _ => false,
        };
        // The manager names themself; the person names their manager or the head.
        for (who, peer) in [
            (&manager, demo.manager_employee_id),
            (&employee, demo.manager_employee_id),
            (&employee, demo.head_employee_id),
            (&head, demo.head_employee_id),
        ] {
            let e = s.nominate_peer(who, cycle.id, me, peer).await.unwrap_err();
            assert!(refused(e), "{:?} naming {peer}", who.login);
        }
        // A colleague is fine.
        s.nominate_peer(&employee, cycle.id, me, demo.employee_ids[3])
            .await
            .unwrap();
        let raters = s.review_cycle(&head, cycle.id).await.unwrap();
        let person = raters.people.iter().find(|p| p.employee_id == me).unwrap();
        assert_eq!(person.peers_named, 1);
    }
}

/// The head is in a cycle like anyone: they rate themself, but do not
/// review, rate the potential of, calibrate or invite clients for
/// themself (issue 18, finding 6).
#[tokio::test]
async fn nobody_manages_themself_not_even_the_head() {
    for db in testing::all().await {
        let s = Services::new(
            Store::open(&db.url).await.unwrap(),
            Clock::fixed(1_790_000_000),
            AuthSettings::default(),
        );
        let demo = s.seed_demo(42).await.unwrap();
        let head = s.login("head", "demo", "t").await.unwrap().actor;
        let me = demo.head_employee_id;
        let cycle = s.create_review_cycle(&head, &q3_of(me)).await.unwrap();
        s.submit_assessment(&head, cycle.id, me, "self", &all(5, ""), "")
            .await
            .unwrap();
        assert!(matches!(
            s.submit_assessment(&head, cycle.id, me, "manager", &all(5, ""), "")
                .await,
            Err(Error::Forbidden)
        ));
        assert!(matches!(
            s.rate_potential(&head, cycle.id, me, 5).await,
            Err(Error::Forbidden)
        ));
        assert!(matches!(
            s.nominate_peer(&head, cycle.id, me, demo.employee_ids[3])
                .await,
            Ok(r) if r.status == "nominated"
        ));
        s.set_review_cycle_status(&head, cycle.id, "calibration")
            .await
            .unwrap();
        assert!(matches!(
            s.adjust_review_score(&head, cycle.id, me, 0.1, "I deserve it")
                .await,
            Err(Error::Forbidden)
        ));
    }
}

/// A third-quarter cycle of one person, due in October.
fn q3_of(me: i64) -> CycleInput {
    CycleInput {
        name: "Q3".into(),
        period_from: "2026-07-01".into(),
        period_to: "2026-10-01".into(),
        self_due: "2026-10-05".into(),
        nomination_due: "2026-10-05".into(),
        assessment_due: "2026-10-10".into(),
        calibration_due: "2026-10-20".into(),
        employee_ids: vec![me],
        ..Default::default()
    }
}
