//! A person's data export, on both backends: every column of the schema
//! that points at a person is mapped (a new one fails here until it is),
//! the export holds each mapped table's rows for the person and nothing
//! secret, keeps peers anonymous, is for admins only, and is audited.

mod common;

use std::collections::BTreeSet;

use common::actor;
use mkpi_services::{AuthSettings, Clock, Error, Services, Store};
use mkpi_store::personal_data::{LINKS, person_foreign_keys};
use mkpi_store::testing;

const NOW: i64 = 1_790_000_000; // 2026-09-21

async fn count(s: &Services, sql: &str, id: i64) -> usize {
    let mut tx = s.store().read().await.unwrap();
    testing::count(&mut tx, sql, id).await as usize
}

#[tokio::test]
async fn every_person_link_of_the_schema_is_mapped_and_exported_without_secrets_or_raters() {
    for db in testing::all().await {
        let s = Services::new(
            Store::open(&db.url).await.unwrap(),
            Clock::fixed(NOW),
            AuthSettings::default(),
        );
        let demo = s.seed_demo(42).await.unwrap();
        s.seed_demo_data(42, &demo).await.unwrap();

        // The schema's foreign keys to people, each mapped.
        let mapped: BTreeSet<(String, String)> = LINKS
            .iter()
            .map(|l| (l.table.to_string(), l.column.to_string()))
            .collect();
        let mut tx = s.store().read().await.unwrap();
        let keys = person_foreign_keys(&mut tx).await.unwrap();
        drop(tx);
        assert!(keys.len() >= 40, "{} foreign keys to people", keys.len());
        let unmapped: Vec<_> = keys
            .iter()
            .filter(|(t, c, _)| !mapped.contains(&(t.clone(), c.clone())))
            .collect();
        assert!(
            unmapped.is_empty(),
            "{:?}: person columns without a mapping in store::personal_data::LINKS: {unmapped:?}",
            db.backend
        );
        // And every mapping names a column that exists.
        let tables = s.store().tables().await.unwrap();
        for link in LINKS {
            assert!(tables.contains(&link.table.to_string()), "{}", link.table);
        }

        let admin = actor(&s, "admin").await;
        let head = actor(&s, "head").await;
        let me = demo.employee_employee_id;
        let data = s.export_personal_data(&admin, me).await.unwrap();
        let text = serde_json::to_string(&data.tables).unwrap();

        // The person, their account, their work.
        let employee = &data.tables["employees.id"];
        assert_eq!(employee.len(), 1);
        assert_eq!(employee[0]["id"], me);
        for (key, sql) in [
            (
                "time_entries.employee_id",
                "SELECT COUNT(*) FROM time_entries WHERE employee_id = $1",
            ),
            (
                "tasks.assignee_employee_id",
                "SELECT COUNT(*) FROM tasks WHERE assignee_employee_id = $1",
            ),
            (
                "review_participants.employee_id",
                "SELECT COUNT(*) FROM review_participants WHERE employee_id = $1",
            ),
            (
                "review_answers.employee_id",
                "SELECT COUNT(*) FROM review_answers WHERE employee_id = $1 AND perspective NOT IN ('peer', 'client')",
            ),
            (
                "users.employee_id",
                "SELECT COUNT(*) FROM users WHERE employee_id = $1",
            ),
        ] {
            let expected = count(&s, sql, me).await;
            assert!(expected > 0, "{key}: the demo holds none");
            assert_eq!(
                data.tables.get(key).map_or(0, Vec::len),
                expected,
                "{:?} {key}",
                db.backend
            );
        }
        // The account's sign-ins (the test signed in as admin, not them).
        let account = &data.tables["users.employee_id"][0];
        assert_eq!(account["login"], "employee");

        // Nothing secret.
        for secret in [
            "password_hash",
            "$argon2",
            "token_hash",
            "csrf_token",
            "id_hash",
        ] {
            assert!(!text.contains(secret), "{secret} in the export");
        }

        // Peers and clients stay anonymous both ways: their answers and
        // nominations are counted, not listed.
        for (key, side, sql) in [
            (
                "review_answers.employee_id",
                "about the person from peers or clients",
                "SELECT COUNT(*) FROM review_answers WHERE employee_id = $1 AND perspective IN ('peer', 'client')",
            ),
            (
                "review_answers.rater_employee_id",
                "given by the person as a peer or client",
                "SELECT COUNT(*) FROM review_answers WHERE rater_employee_id = $1 AND perspective IN ('peer', 'client')",
            ),
            (
                "review_raters.employee_id",
                "about the person from peers or clients",
                "SELECT COUNT(*) FROM review_raters WHERE employee_id = $1 AND perspective IN ('peer', 'client')",
            ),
        ] {
            for row in data.tables.get(key).into_iter().flatten() {
                assert!(
                    row["perspective"] != "peer" && row["perspective"] != "client",
                    "{row}"
                );
            }
            let expected = count(&s, sql, me).await;
            assert_eq!(
                data.withheld
                    .get(&format!("{key} {side}"))
                    .copied()
                    .unwrap_or(0),
                expected,
                "{key} {side}"
            );
        }
        assert!(
            data.withheld.values().sum::<usize>() > 0,
            "the demo person has peer answers: {:?}",
            data.withheld
        );

        // Admins only; an unknown person is not found; the export is audited.
        assert!(matches!(
            s.export_personal_data(&head, me).await,
            Err(Error::Forbidden)
        ));
        assert!(matches!(
            s.export_personal_data(&admin, 999_999).await,
            Err(Error::NotFound)
        ));
        let log = s.audit_log(&admin, Some("employee"), 10, 0).await.unwrap();
        assert_eq!(log[0].action, "export_personal_data");
        assert_eq!(log[0].entity_id, Some(me));
        assert_eq!(log[0].actor_user_id, Some(admin.user_id));
    }
}
