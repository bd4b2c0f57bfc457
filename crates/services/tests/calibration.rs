//! Review cycles beyond the assessments, on both backends: clients rating
//! through single-use expiring links, calibration moves with reasons, the
//! 9-box, a what-if of another formula, the formula locked at release, the
//! person's acknowledgement, history across cycles, reminders before each
//! deadline and the next cycle of a recurring one.

mod common;

use common::{actor, all, person};
use mkpi_domain::review::Perspective;
use mkpi_services::calibration::FormulaInput;
use mkpi_services::mail::{MailSettings, Mailer};
use mkpi_services::reviews::{CycleInput, RatingInput};
use mkpi_services::{AuthSettings, Clock, Error, Services, Store};
use mkpi_store::testing;

const NOW: i64 = 1_790_000_000; // 2026-09-21

fn mailer() -> Mailer {
    // Nothing is delivered in these tests: the outbox is read instead.
    Mailer::new(&MailSettings {
        smtp_url: "smtp://127.0.0.1:9".into(),
        from: "mkpi <mkpi@example.com>".into(),
        public_url: "https://mkpi.example.com/".into(),
    })
    .unwrap()
}

fn q3(people: Vec<i64>, recurrence: &str) -> CycleInput {
    CycleInput {
        name: "Review".into(),
        period_from: "2026-07-01".into(),
        period_to: "2026-10-01".into(),
        self_due: "2026-10-03".into(),
        nomination_due: "2026-10-03".into(),
        assessment_due: "2026-10-10".into(),
        calibration_due: "2026-10-17".into(),
        employee_ids: people,
        recurrence: Some(recurrence.into()),
        ..CycleInput::default()
    }
}

fn fields(e: Error) -> Vec<String> {
    match e {
        Error::Invalid(p) => p.into_iter().map(|p| p.field).collect(),
        other => panic!("{other:?}"),
    }
}

fn close(a: Option<f64>, b: f64) -> bool {
    a.is_some_and(|a| (a - b).abs() < 1e-12)
}

#[tokio::test]
async fn clients_rate_through_a_single_use_link_that_expires() {
    for db in testing::all().await {
        let clock = Clock::fixed(NOW);
        let s = Services::new(
            Store::open(&db.url).await.unwrap(),
            clock.clone(),
            AuthSettings::default(),
        )
        .with_mailer(mailer());
        let demo = s.seed_demo(42).await.unwrap();
        let head = actor(&s, "head").await;
        let manager = actor(&s, "manager").await;
        let employee = actor(&s, "employee").await;
        let me = demo.employee_employee_id;
        let cycle = s
            .create_review_cycle(&head, &q3(vec![me], "none"))
            .await
            .unwrap();

        // Only those who manage the person invite clients.
        assert!(matches!(
            s.invite_client(&employee, cycle.id, me, "Anna", "anna@client.example")
                .await,
            Err(Error::Forbidden)
        ));
        let bad = s
            .invite_client(&manager, cycle.id, me, " ", "anna at client")
            .await
            .unwrap_err();
        assert_eq!(fields(bad), ["client_name", "client_email"]);

        let mut links = Vec::new();
        for (name, email) in [
            ("Anna", "anna@client.example"),
            ("Boris", "boris@client.example"),
            ("Vera", "vera@client.example"),
            ("Gleb", "gleb@client.example"),
        ] {
            let l = s
                .invite_client(&manager, cycle.id, me, name, email)
                .await
                .unwrap();
            // The inviter learns where it went, never the link.
            assert_eq!(
                (
                    l.last_day.as_str(),
                    l.mailed_to.as_str(),
                    l.rater.status.as_str()
                ),
                ("2026-10-10", email, "approved")
            );
            let mail = s
                .outbox(50)
                .await
                .unwrap()
                .into_iter()
                .find(|m| m.to_address == email)
                .unwrap();
            let at = mail.body.find("https://mkpi.example.com/r/").unwrap() + 27;
            let token = mail.body[at..at + 48].to_string();
            assert!(
                token.bytes().all(|b| b.is_ascii_hexdigit()),
                "192 bits in hex"
            );
            links.push(token);
        }
        let again = s
            .invite_client(&manager, cycle.id, me, "Anna", "ANNA@client.example")
            .await
            .unwrap_err();
        assert_eq!(fields(again), ["client_email"]);
        let outbox = s.outbox(20).await.unwrap();
        let invitations: Vec<_> = outbox
            .iter()
            .filter(|m| m.to_address.ends_with("@client.example"))
            .collect();
        assert_eq!(invitations.len(), 4);
        assert!(
            invitations
                .iter()
                .any(|m| m.body.contains(&format!("/r/{}", links[0])))
        );
        // The token never reaches the audit log.
        let log = s
            .audit_log(&head, Some("review_rater"), 50, 0)
            .await
            .unwrap();
        assert!(log.iter().all(|e| {
            let after = e.after_json.as_deref().unwrap_or("");
            links.iter().all(|t| !after.contains(t.as_str()))
        }));

        // The link opens the form without an account.
        let form = s.client_form(&links[0]).await.unwrap();
        assert_eq!(
            (
                form.cycle.id,
                form.competencies.len(),
                form.last_day.as_str()
            ),
            (cycle.id, 6, "2026-10-10")
        );
        // A wrong answer leaves the link usable.
        let wrong = s
            .submit_client_assessment(&links[0], &all(9, ""), "")
            .await
            .unwrap_err();
        assert_eq!(fields(wrong).len(), 6);
        for (i, rating) in [(0, 5), (1, 4), (2, 3)] {
            s.submit_client_assessment(&links[i], &all(rating, "Responsive"), "Good partner")
                .await
                .unwrap();
        }
        // Used: gone, whether opened or sent again.
        for e in [
            s.client_form(&links[0]).await.unwrap_err(),
            s.submit_client_assessment(&links[0], &all(5, ""), "")
                .await
                .unwrap_err(),
        ] {
            assert_eq!(
                e.to_string(),
                "this link has been used: each link takes one assessment"
            );
            assert!(matches!(e, Error::Gone(_)));
        }
        // A token that was never given opens nothing.
        assert!(matches!(
            s.client_form(&"ab".repeat(24)).await,
            Err(Error::NotFound)
        ));
        assert!(matches!(
            s.client_form("../reviews/1").await,
            Err(Error::NotFound)
        ));

        // Three answers: nothing shows while answers may still come in;
        // once the assessments close, shown without names; the audit names
        // no one.
        let r = s.review_results(&manager, cycle.id, me).await.unwrap();
        let clients = r
            .perspectives
            .iter()
            .find(|p| p.perspective == Perspective::Client)
            .unwrap();
        assert_eq!((clients.answers, clients.mean), (3, None));
        s.set_review_cycle_status(&head, cycle.id, "calibration")
            .await
            .unwrap();
        let r = s.review_results(&manager, cycle.id, me).await.unwrap();
        let clients = r
            .perspectives
            .iter()
            .find(|p| p.perspective == Perspective::Client)
            .unwrap();
        assert_eq!((clients.answers, clients.mean), (3, Some(4.0)));
        assert_eq!(clients.comments.len(), 21);
        assert!(clients.comments.iter().all(|c| !c.contains("Anna")));
        let log = s
            .audit_log(&head, Some("review_assessment"), 50, 0)
            .await
            .unwrap();
        // No entry per client answer: only the invitations, by the inviter.
        assert!(
            log.iter()
                .all(|e| !e.after_json.as_deref().unwrap_or("").contains("\"client\""))
        );

        // After the deadline's last day the fourth link is gone too.
        clock.advance(1_791_676_800 - NOW); // 2026-10-11 00:00 UTC
        let e = s.client_form(&links[3]).await.unwrap_err();
        assert_eq!(
            e.to_string(),
            "this link expired: it worked until 2026-10-10"
        );
        let late = s
            .invite_client(&manager, cycle.id, me, "Dan", "dan@client.example")
            .await
            .unwrap_err();
        assert_eq!(fields(late), ["cycle"]);
    }
}

#[tokio::test]
async fn calibration_moves_scores_with_reasons_and_the_formula_is_locked_at_release() {
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
        let (a, b) = (demo.employee_ids[3], demo.employee_ids[4]);
        let cycle = s
            .create_review_cycle(&head, &q3(vec![me, a, b], "none"))
            .await
            .unwrap();
        let (pa, pb) = (person(&s, a).await, person(&s, b).await);
        // (self, manager): me 4/3, a 5/4, b 5/2.
        for (who, id, own, boss) in [(&employee, me, 4, 3), (&pa, a, 5, 4), (&pb, b, 5, 2)] {
            s.submit_assessment(who, cycle.id, id, "self", &all(own, ""), "")
                .await
                .unwrap();
            s.submit_assessment(&manager, cycle.id, id, "manager", &all(boss, ""), "")
                .await
                .unwrap();
        }
        s.rate_potential(&manager, cycle.id, me, 5).await.unwrap();
        let bad = s
            .rate_potential(&manager, cycle.id, a, 7)
            .await
            .unwrap_err();
        assert_eq!(fields(bad), ["rating"]);
        assert!(matches!(
            s.rate_potential(&employee, cycle.id, me, 5).await,
            Err(Error::Forbidden)
        ));
        // Scores move during calibration only.
        let early = s
            .adjust_review_score(&manager, cycle.id, me, 10.0, "Led the launch")
            .await
            .unwrap_err();
        assert_eq!(fields(early), ["cycle"]);

        // What-if: the self assessment alone would put b level with a.
        let self_only = FormulaInput {
            self_review: 1.0,
            ..FormulaInput::default()
        };
        assert!(matches!(
            s.review_what_if(&manager, cycle.id, &self_only).await,
            Err(Error::Forbidden)
        ));
        let w = s.review_what_if(&head, cycle.id, &self_only).await.unwrap();
        let line = |id: i64| w.iter().find(|r| r.employee_id == id).unwrap();
        // Current: (0.2×manager + 0.05×self) / 0.25.
        assert!(close(line(a).current, 0.8));
        assert!(close(line(me).current, 0.55));
        assert!(close(line(b).current, 0.4));
        assert_eq!(
            [a, me, b].map(|id| (line(id).current_place, line(id).proposed_place)),
            [(Some(1), Some(1)), (Some(2), Some(3)), (Some(3), Some(1))]
        );
        let zero = s
            .review_what_if(&head, cycle.id, &FormulaInput::default())
            .await
            .unwrap_err();
        assert_eq!(fields(zero), ["formula"]);

        s.set_review_cycle_status(&head, cycle.id, "calibration")
            .await
            .unwrap();
        let no_reason = s
            .adjust_review_score(&manager, cycle.id, me, 10.0, "  ")
            .await
            .unwrap_err();
        assert_eq!(fields(no_reason), ["reason"]);
        let too_far = s
            .adjust_review_score(&manager, cycle.id, me, 150.0, "x")
            .await
            .unwrap_err();
        assert_eq!(fields(too_far), ["points"]);
        assert!(matches!(
            s.adjust_review_score(&employee, cycle.id, me, 10.0, "mine")
                .await,
            Err(Error::Forbidden)
        ));
        s.adjust_review_score(&manager, cycle.id, me, 10.0, "Led the Q3 launch alone")
            .await
            .unwrap();
        let log = s
            .audit_log(&head, Some("review_adjustment"), 10, 0)
            .await
            .unwrap();
        assert_eq!(log.len(), 1);
        assert!(
            log[0]
                .after_json
                .as_deref()
                .unwrap()
                .contains("Led the Q3 launch alone")
        );

        let c = s.calibration(&manager, cycle.id).await.unwrap();
        assert_eq!(
            c.rows.iter().map(|r| r.employee_id).collect::<Vec<_>>(),
            [a, me, b]
        );
        let mine = &c.rows[1];
        assert!(close(mine.score.value, 0.55));
        assert!(close(mine.final_score, 0.65));
        assert_eq!((mine.place, mine.potential), (Some(2), Some(5)));
        // Performance 0.65 is medium; potential 5 of 1–5 is high.
        assert_eq!(mine.nine_box, Some((1, 2)));
        assert!(close(mine.parts.self_gap, 1.0));
        assert_eq!(c.distribution, [0, 0, 1, 1, 1]);
        assert_eq!(c.raters.len(), 1);
        assert_eq!(
            (c.raters[0].rater_employee_id, c.raters[0].people),
            (demo.manager_employee_id, 3)
        );
        assert!(close(c.raters[0].leniency, 0.0));
        assert!(matches!(
            s.calibration(&employee, cycle.id).await,
            Err(Error::Forbidden)
        ));
        assert!(matches!(
            s.calibration(&actor(&s, "viewer").await, cycle.id).await,
            Err(Error::NotFound)
        ));

        // A new formula before release: version 2; after release: locked.
        let manager_only = FormulaInput {
            manager: 1.0,
            ..FormulaInput::default()
        };
        let v2 = s
            .set_review_formula(&head, cycle.id, &manager_only)
            .await
            .unwrap();
        assert_eq!(v2.formula_version, 2);
        assert!(matches!(
            s.acknowledge_review(&employee, cycle.id, "ok").await,
            Err(Error::Invalid(_))
        ));
        s.set_review_cycle_status(&head, cycle.id, "released")
            .await
            .unwrap();
        let locked = s
            .set_review_formula(&head, cycle.id, &self_only)
            .await
            .unwrap_err();
        assert_eq!(fields(locked), ["formula"]);

        // The person sees the move and its reason, then acknowledges once.
        let r = s.review_results(&employee, cycle.id, me).await.unwrap();
        assert!(close(r.score.value, 0.5));
        assert!(close(r.final_score, 0.6));
        assert_eq!(
            r.adjustment.as_ref().map(|a| a.reason.as_str()),
            Some("Led the Q3 launch alone")
        );
        assert_eq!(r.potential, None, "potential is for managers");
        s.acknowledge_review(&employee, cycle.id, "Thanks, agreed")
            .await
            .unwrap();
        assert!(matches!(
            s.acknowledge_review(&employee, cycle.id, "again").await,
            Err(Error::Conflict(_))
        ));
        let r = s.review_results(&manager, cycle.id, me).await.unwrap();
        assert_eq!(
            r.acknowledgement.map(|(c, _)| c).as_deref(),
            Some("Thanks, agreed")
        );

        // History: this cycle (the demo's data and cycles are not seeded here).
        let h = s.review_history(&employee, me).await.unwrap();
        assert_eq!(
            h.iter().map(|p| p.cycle.name.as_str()).collect::<Vec<_>>(),
            ["Review"]
        );
        assert!(close(h[0].score, 0.6));
        assert_eq!(h[0].competencies.get("quality"), Some(&3.0));
        assert!(matches!(
            s.review_history(&pa, me).await,
            Err(Error::NotFound)
        ));
        let d = s.review_distributions(&manager, None).await.unwrap();
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].scores.len(), 3);
        // Under the manager-only formula: b 0.25, me 0.5 + 0.1, a 0.75.
        assert_eq!(d[0].bands, [0, 1, 0, 2, 0]);
        assert!(close(d[0].median, 0.6));
        assert!(matches!(
            s.review_distributions(&employee, None).await,
            Err(Error::Forbidden)
        ));
    }
}

#[tokio::test]
async fn reminders_go_once_before_each_deadline_and_a_quarterly_cycle_recurs() {
    for db in testing::all().await {
        let clock = Clock::fixed(NOW);
        let s = Services::new(
            Store::open(&db.url).await.unwrap(),
            clock.clone(),
            AuthSettings::default(),
        )
        .with_mailer(mailer());
        let demo = s.seed_demo(42).await.unwrap();
        let head = actor(&s, "head").await;
        let manager = actor(&s, "manager").await;
        let me = demo.employee_employee_id;
        let (a, b) = (demo.employee_ids[3], demo.employee_ids[4]);
        let bad = s
            .create_review_cycle(&head, &q3(vec![me], "monthly"))
            .await
            .unwrap_err();
        assert_eq!(fields(bad), ["recurrence"]);
        let cycle = s
            .create_review_cycle(&head, &q3(vec![me, a, b], "quarterly"))
            .await
            .unwrap();
        // Twelve days before the first deadline: nothing yet.
        let r = s.review_round().await.unwrap();
        assert!(r.reminders.is_empty() && r.opened.is_empty(), "{r:?}");

        // Two days before: each person owes a self-assessment and peers.
        clock.advance(1_790_812_800 - NOW); // 2026-10-01
        let r = s.review_round().await.unwrap();
        let mut phases: Vec<(String, i64)> = r
            .reminders
            .iter()
            .map(|(_, p, id)| (p.clone(), *id))
            .collect();
        phases.sort();
        let mut expected = Vec::new();
        for p in ["nomination", "self"] {
            for id in [me, a, b] {
                expected.push((p.to_string(), id));
            }
        }
        expected.sort();
        assert_eq!(phases, expected);
        assert!(s.review_round().await.unwrap().reminders.is_empty());

        // Two days before the assessments: the manager owes three, told once.
        clock.advance(7 * 86_400); // 2026-10-08
        s.submit_assessment(&manager, cycle.id, me, "manager", &all(3, ""), "")
            .await
            .unwrap();
        let r = s.review_round().await.unwrap();
        assert_eq!(
            r.reminders,
            [(cycle.id, "assessment".to_string(), demo.manager_employee_id)]
        );
        let mail = s.outbox(50).await.unwrap();
        let manager_email = s
            .get_employee(&head, demo.manager_employee_id)
            .await
            .unwrap()
            .email;
        let to_manager: Vec<_> = mail
            .iter()
            .filter(|m| m.to_address == manager_email && m.subject.starts_with("Reminder: Review"))
            .collect();
        assert_eq!(to_manager.len(), 1, "{to_manager:?}");
        assert!(
            to_manager[0]
                .body
                .contains("https://mkpi.example.com/reviews/")
        );

        // The next quarter opens when Q4 has ended, once.
        clock.advance(1_798_761_600 - 1_791_417_600); // 2027-01-01
        let r = s.review_round().await.unwrap();
        assert_eq!(r.opened.len(), 1);
        let next = s
            .review_cycles(&head)
            .await
            .unwrap()
            .into_iter()
            .find(|c| c.id == r.opened[0])
            .unwrap();
        assert_eq!(
            (
                next.name.as_str(),
                next.period_from.as_str(),
                next.period_to.as_str(),
                next.self_due.as_str(),
                next.assessment_due.as_str(),
                next.status.as_str(),
                next.recurrence.as_str()
            ),
            (
                "Review · 2026 Q4",
                "2026-10-01",
                "2027-01-01",
                "2027-01-03",
                "2027-01-10",
                "open",
                "quarterly"
            )
        );
        // The sharing deadline: a week after calibration, three months on.
        assert_eq!(next.release_due.as_deref(), Some("2027-01-24"));
        let view = s.review_cycle(&head, next.id).await.unwrap();
        assert_eq!(view.people.len(), 3);
        assert!(s.review_round().await.unwrap().opened.is_empty());
    }
}

#[tokio::test]
async fn the_framework_is_edited_by_the_head_and_weighs_competencies_per_position() {
    use mkpi_services::review_framework::CompetencyInput;
    for db in testing::all().await {
        let s = Services::new(
            Store::open(&db.url).await.unwrap(),
            Clock::fixed(NOW),
            AuthSettings::default(),
        );
        let demo = s.seed_demo(42).await.unwrap();
        let head = actor(&s, "head").await;
        let manager = actor(&s, "manager").await;
        let me = demo.employee_employee_id;
        let levels = |x: &str| vec![format!("{x} 1"), format!("{x} 3"), format!("{x} 5")];
        let story = CompetencyInput {
            code: "data_storytelling".into(),
            name_en: "Data storytelling".into(),
            name_ru: "Рассказ данными".into(),
            levels_en: levels("en"),
            levels_ru: levels("ru"),
        };
        assert!(matches!(
            s.add_competency(&manager, &story).await,
            Err(Error::Forbidden)
        ));
        let bad = s
            .add_competency(
                &head,
                &CompetencyInput {
                    code: "Quality!".into(),
                    name_ru: " ".into(),
                    levels_en: vec!["only one".into()],
                    ..story.clone()
                },
            )
            .await
            .unwrap_err();
        assert_eq!(fields(bad), ["code", "name_ru", "levels_en"]);
        let taken = s
            .add_competency(
                &head,
                &CompetencyInput {
                    code: "quality".into(),
                    ..story.clone()
                },
            )
            .await
            .unwrap_err();
        assert_eq!(fields(taken), ["code"]);
        s.add_competency(&head, &story).await.unwrap();
        s.update_competency(
            &head,
            "data_storytelling",
            &CompetencyInput {
                name_en: "Storytelling with data".into(),
                ..story.clone()
            },
        )
        .await
        .unwrap();
        s.retire_competency(&head, "creativity").await.unwrap();
        assert!(matches!(
            s.retire_competency(&head, "creativity").await,
            Err(Error::NotFound)
        ));
        let codes: Vec<String> = s
            .competencies()
            .await
            .unwrap()
            .into_iter()
            .map(|c| c.code)
            .collect();
        assert_eq!(
            codes,
            [
                "quality",
                "communication",
                "teamwork",
                "analytics",
                "leadership",
                "data_storytelling"
            ]
        );

        // For this person's position analytics weighs 3 and leadership 0.
        let position = s.get_employee(&head, me).await.unwrap().position;
        s.set_competency_weight(&head, "analytics", &position, 3.0)
            .await
            .unwrap();
        s.set_competency_weight(&head, "leadership", &position, 0.0)
            .await
            .unwrap();
        let bad = s
            .set_competency_weight(&head, "analytics", " ", 11.0)
            .await
            .unwrap_err();
        assert_eq!(fields(bad), ["position", "weight"]);
        let weights = s.competency_weights().await.unwrap();
        assert_eq!(weights["analytics"][&position], 3.0);

        let cycle = s
            .create_review_cycle(&head, &q3(vec![me], "none"))
            .await
            .unwrap();
        let ratings: Vec<RatingInput> = codes
            .iter()
            .map(|c| RatingInput {
                competency: c.clone(),
                rating: if c == "analytics" { 5 } else { 2 },
                comment: String::new(),
            })
            .collect();
        s.submit_assessment(&manager, cycle.id, me, "manager", &ratings, "")
            .await
            .unwrap();
        let r = s.review_results(&manager, cycle.id, me).await.unwrap();
        let m = r
            .perspectives
            .iter()
            .find(|p| p.perspective == Perspective::Manager)
            .unwrap();
        // (2 + 2 + 2 + 3×5 + 0×2 + 2) / (1 + 1 + 1 + 3 + 0 + 1) = 23 / 7.
        assert!(close(m.mean, 23.0 / 7.0), "{:?}", m.mean);
        assert_eq!(m.competencies.len(), 6);
        let log = s
            .audit_log(&head, Some("competency_weight"), 10, 0)
            .await
            .unwrap();
        assert_eq!(log.len(), 2);
    }
}

#[tokio::test]
async fn a_cycle_covers_teams_with_their_sub_teams_positions_and_names() {
    for db in testing::all().await {
        let s = Services::new(
            Store::open(&db.url).await.unwrap(),
            Clock::fixed(NOW),
            AuthSettings::default(),
        );
        let demo = s.seed_demo(42).await.unwrap();
        let head = actor(&s, "head").await;
        let people = s.list_employees(&head).await.unwrap();
        let performance = demo.team_ids[0];
        let brand = people
            .iter()
            .find(|e| e.team_id == Some(demo.team_ids[2]))
            .unwrap();
        let bad = s
            .create_review_cycle(
                &head,
                &CycleInput {
                    team_ids: vec![999_999],
                    positions: vec!["Astronaut".into()],
                    ..q3(Vec::new(), "none")
                },
            )
            .await
            .unwrap_err();
        assert_eq!(fields(bad), ["team_ids", "positions"]);
        let cycle = s
            .create_review_cycle(
                &head,
                &CycleInput {
                    team_ids: vec![performance],
                    positions: vec![brand.position.clone()],
                    ..q3(vec![demo.head_employee_id], "none")
                },
            )
            .await
            .unwrap();
        let view = s.review_cycle(&head, cycle.id).await.unwrap();
        let mut got: Vec<i64> = view.people.iter().map(|p| p.employee_id).collect();
        got.sort_unstable();
        let mut expected: Vec<i64> = people
            .iter()
            .filter(|e| {
                // Paid social sits under performance.
                e.team_id == Some(performance)
                    || e.team_id == Some(demo.team_ids[1])
                    || e.position == brand.position
                    || e.id == demo.head_employee_id
            })
            .map(|e| e.id)
            .collect();
        expected.sort_unstable();
        assert_eq!(got, expected);
        assert!(got.contains(&demo.employee_employee_id));
        assert!(got.len() < people.len());

        // The scale is the cycle's: at least three steps within 0–10.
        let bad = s
            .create_review_cycle(
                &head,
                &CycleInput {
                    scale_min: Some(1),
                    scale_max: Some(2),
                    ..q3(vec![demo.employee_employee_id], "none")
                },
            )
            .await
            .unwrap_err();
        assert_eq!(fields(bad), ["scale_max"]);
        let early = s
            .create_review_cycle(
                &head,
                &CycleInput {
                    release_due: "2026-10-01".into(),
                    ..q3(vec![demo.employee_employee_id], "none")
                },
            )
            .await
            .unwrap_err();
        assert_eq!(fields(early), ["release_due"]);
        let ten = s
            .create_review_cycle(
                &head,
                &CycleInput {
                    scale_min: Some(0),
                    scale_max: Some(10),
                    ..q3(vec![demo.employee_employee_id], "none")
                },
            )
            .await
            .unwrap();
        let manager = actor(&s, "manager").await;
        s.submit_assessment(
            &manager,
            ten.id,
            demo.employee_employee_id,
            "manager",
            &all(9, ""),
            "",
        )
        .await
        .unwrap();
        let r = s
            .review_results(&manager, ten.id, demo.employee_employee_id)
            .await
            .unwrap();
        // 9 of 0–10 is 0.9, and the manager's part is all there is.
        assert!(close(r.score.value, 0.9), "{:?}", r.score.value);
    }
}
