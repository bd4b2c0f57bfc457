//! The anonymity promise, on both backends: for 0 to 6 peer answers, no
//! view shows a peer aggregate from fewer than the threshold, nothing
//! anonymous shows while answers may still come in (so no two views differ
//! by one answer), and no view, for any role, names a peer who answered.

mod common;

use common::{actor, all, person};
use mkpi_domain::review::Perspective;
use mkpi_services::reviews::CycleInput;
use mkpi_services::{AuthSettings, Clock, Services, Store};
use mkpi_store::testing;

const NOW: i64 = 1_790_000_000; // 2026-09-21

#[tokio::test]
async fn no_view_shows_a_small_group_nor_a_change_of_one_answer_nor_who_answered() {
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
        // Six peers from other teams, none of them in the cycle.
        let peers: Vec<i64> = demo.employee_ids[9..15].to_vec();
        let mut names = Vec::new();
        for p in &peers {
            names.push(s.get_employee(&head, *p).await.unwrap().name);
        }
        for (threshold, answers) in [
            (3, 0),
            (3, 1),
            (3, 2),
            (3, 3),
            (3, 4),
            (3, 5),
            (3, 6),
            (5, 4),
            (5, 5),
        ] {
            let cycle = s
                .create_review_cycle(
                    &head,
                    &CycleInput {
                        name: format!("t{threshold} n{answers}"),
                        period_from: "2026-07-01".into(),
                        period_to: "2026-10-01".into(),
                        self_due: "2026-10-03".into(),
                        nomination_due: "2026-10-03".into(),
                        assessment_due: "2026-10-10".into(),
                        calibration_due: "2026-10-17".into(),
                        employee_ids: vec![me],
                        anonymity_threshold: Some(threshold),
                        max_peers: Some(10),
                        ..CycleInput::default()
                    },
                )
                .await
                .unwrap();
            s.submit_assessment(&manager, cycle.id, me, "manager", &all(3, "named"), "")
                .await
                .unwrap();
            let mut seen_while_open = Vec::new();
            for (i, peer) in peers.iter().take(answers).enumerate() {
                s.nominate_peer(&manager, cycle.id, me, *peer)
                    .await
                    .unwrap();
                let as_peer = person(&s, *peer).await;
                // Different ratings, so a change of one answer would show.
                let rating = 1 + (i as i64 % 5);
                s.submit_assessment(
                    &as_peer,
                    cycle.id,
                    me,
                    "peer",
                    &all(rating, &format!("peer note {i}")),
                    "",
                )
                .await
                .unwrap();
                for who in [&head, &manager] {
                    let r = s.review_results(who, cycle.id, me).await.unwrap();
                    let p = r
                        .perspectives
                        .iter()
                        .find(|p| p.perspective == Perspective::Peer)
                        .unwrap();
                    seen_while_open.push((p.mean, p.comments.len(), r.score.value));
                }
            }
            // While open: no peer aggregate, no peer comment, and a final
            // score that does not move with peer answers.
            assert!(
                seen_while_open
                    .iter()
                    .all(|(mean, comments, _)| mean.is_none() && *comments == 0),
                "{threshold}/{answers}: {seen_while_open:?}"
            );
            let scores: Vec<Option<f64>> = seen_while_open.iter().map(|v| v.2).collect();
            assert!(scores.windows(2).all(|w| w[0] == w[1]), "{scores:?}");

            s.set_review_cycle_status(&head, cycle.id, "calibration")
                .await
                .unwrap();
            let shown = answers >= threshold as usize;
            let r = s.review_results(&manager, cycle.id, me).await.unwrap();
            let peer = r
                .perspectives
                .iter()
                .find(|p| p.perspective == Perspective::Peer)
                .unwrap();
            assert_eq!(peer.answers, answers);
            assert_eq!(peer.mean.is_some(), shown, "{threshold}/{answers}");
            assert_eq!(peer.comments.len(), if shown { 6 * answers } else { 0 });
            assert_eq!(
                r.score
                    .parts
                    .iter()
                    .find(|p| p.name == "peer")
                    .unwrap()
                    .value
                    .is_some(),
                shown
            );

            // No view, for anyone who may see it, names a peer who answered.
            s.set_review_cycle_status(&head, cycle.id, "released")
                .await
                .unwrap();
            let mut views = Vec::new();
            for who in [&head, &manager, &employee] {
                views.push(format!(
                    "{:?}",
                    s.review_results(who, cycle.id, me).await.unwrap()
                ));
                views.push(format!(
                    "{:?}",
                    s.review_cycle(who, cycle.id).await.unwrap()
                ));
                views.push(format!("{:?}", s.review_history(who, me).await.unwrap()));
            }
            for who in [&head, &manager] {
                views.push(format!("{:?}", s.calibration(who, cycle.id).await.unwrap()));
                views.push(format!(
                    "{:?}",
                    s.review_distributions(who, None).await.unwrap()
                ));
            }
            for view in &views {
                for (name, id) in names.iter().zip(&peers).take(answers) {
                    assert!(
                        !view.contains(name.as_str()),
                        "{threshold}/{answers}: {name} in {view}"
                    );
                    assert!(
                        !view.contains(&format!("rater_employee_id: Some({id})")),
                        "{threshold}/{answers}: rater {id} in {view}"
                    );
                }
            }
            // The audit log keeps no entry per peer answer: nothing in it
            // lines up with an answer.
            let log = s
                .audit_log(&head, Some("review_assessment"), 500, 0)
                .await
                .unwrap();
            assert!(
                log.iter()
                    .all(|e| !e.after_json.as_deref().unwrap_or("").contains("\"peer\""))
            );
        }
    }
}
