//! A person's data export, on both backends: every column of the schema
//! that points at a person is mapped (a new one fails here until it is),
//! the export holds each mapped table's rows for the person and nothing
//! secret, keeps peers anonymous, is for admins only, and is audited.

mod common;

use std::collections::BTreeSet;

use common::actor;
use mkpi_services::{AuthSettings, Clock, Error, Services, Store};
use mkpi_store::personal_data::{Erase, Holder, LINKS, person_foreign_keys, rows};
use mkpi_store::testing;

const NOW: i64 = 1_790_000_000; // 2026-09-21

/// The demo department with its two years of data.
async fn demo_with_data(url: &str) -> (Services, mkpi_services::demo::DemoDepartment) {
    let s = Services::new(
        Store::open(url).await.unwrap(),
        Clock::fixed(NOW),
        AuthSettings::default(),
    );
    let demo = s.seed_demo(42).await.unwrap();
    s.seed_demo_data(42, &demo).await.unwrap();
    (s, demo)
}

async fn count(s: &Services, sql: &str, id: i64) -> usize {
    let mut tx = s.store().read().await.unwrap();
    testing::count(&mut tx, sql, id).await as usize
}

#[tokio::test]
async fn every_person_link_of_the_schema_is_mapped_and_exported_without_secrets_or_raters() {
    for db in testing::all().await {
        let (s, demo) = demo_with_data(&db.url).await;

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

#[tokio::test]
async fn erasure_leaves_no_reference_but_pseudonymised_audit_rows() {
    for db in testing::all().await {
        let (s, demo) = demo_with_data(&db.url).await;
        let admin = actor(&s, "admin").await;
        let head = actor(&s, "head").await;
        // The manager: owns campaigns and goals, holds one-on-ones, rates
        // people, signs in (so the audit log names them).
        let me = demo.manager_employee_id;
        let person = s.get_employee(&admin, me).await.unwrap();
        let _ = actor(&s, "manager").await;
        let held = s.export_personal_data(&admin, me).await.unwrap();
        assert!(held.tables.len() >= 10, "{:?}", held.tables.keys());
        let counts_before = s.store().table_counts().await.unwrap();

        // Refused, and nothing changes: not an admin, a wrong name, nobody.
        assert!(matches!(
            s.erase_person(&head, me, &person.name).await,
            Err(Error::Forbidden)
        ));
        let wrong = s
            .erase_person(&admin, me, "someone else")
            .await
            .unwrap_err();
        assert!(
            matches!(&wrong, Error::Invalid(p) if p[0].field == "confirm"
                && p[0].message == "type the person's name exactly as stored to confirm the erasure"),
            "{wrong:?}"
        );
        assert!(matches!(
            s.erase_person(&admin, 999_999, "x").await,
            Err(Error::NotFound)
        ));
        assert_eq!(s.store().table_counts().await.unwrap(), counts_before);

        let erased = s.erase_person(&admin, me, &person.name).await.unwrap();
        assert_eq!(erased.pseudonym, format!("erased person #{me}"));

        // No row anywhere names them: by id, account, login or address.
        let mut tx = s.store().read().await.unwrap();
        let accounts: Vec<i64> = held.tables["users.employee_id"]
            .iter()
            .map(|u| u["id"].as_i64().unwrap())
            .collect();
        for link in LINKS {
            let values: Vec<serde_json::Value> = match link.holder {
                Holder::Employee => vec![me.into()],
                Holder::User => accounts.iter().map(|id| (*id).into()).collect(),
                Holder::Login => vec!["manager".into()],
                Holder::Email => vec![person.email.clone().into()],
            };
            for value in values {
                let left = rows(&mut tx, link, &value).await.unwrap();
                assert!(
                    left.is_empty(),
                    "{:?} {}.{} = {value}: {left:?}",
                    db.backend,
                    link.table,
                    link.column
                );
            }
        }
        // The audit log keeps its entries, under the pseudonym, and names
        // them nowhere.
        let log = mkpi_store::audit_log::list(&mut tx, None, 1_000_000, 0)
            .await
            .unwrap();
        drop(tx);
        let text = format!("{log:?}");
        for word in [
            &person.name,
            &person.email,
            &"\\\"login\\\":\\\"manager\\\"".to_string(),
        ] {
            assert!(
                !text.contains(word.as_str()),
                "{:?}: {word} in the audit log",
                db.backend
            );
        }
        // Only what identified them changed: roles named "manager" stay.
        assert!(
            log.iter().any(|e| e
                .after_json
                .as_deref()
                .is_some_and(|j| j.contains("\"role\":\"manager\""))),
            "{:?}: the roles were rewritten",
            db.backend
        );
        assert!(
            log.iter().any(|e| e.actor == erased.pseudonym),
            "sign-ins kept"
        );
        let last = &log[0];
        assert_eq!((last.action.as_str(), last.entity_id), ("erase", Some(me)));
        assert!(
            !last
                .after_json
                .as_deref()
                .unwrap_or("")
                .contains(&person.name)
        );

        // Everyone else's data stays: the other nineteen, their time.
        assert_eq!(s.list_employees(&admin).await.unwrap().len(), 19);
        let after: std::collections::BTreeMap<String, i64> = s
            .store()
            .table_counts()
            .await
            .unwrap()
            .into_iter()
            .collect();
        let before: std::collections::BTreeMap<String, i64> = counts_before.into_iter().collect();
        for (table, n) in &before {
            let removed = erased
                .rows
                .iter()
                .filter(|(k, _)| k.split('.').next() == Some(table.as_str()))
                .filter(|(k, _)| {
                    LINKS.iter().any(|l| {
                        format!("{}.{}", l.table, l.column) == **k && l.erase == Erase::Delete
                    })
                })
                .map(|(_, n)| *n as i64)
                .sum::<i64>();
            let expected = match table.as_str() {
                "employees" => n - 1,
                "users" => n - accounts.len() as i64,
                // The erasure's own entry; review links go with their raters.
                "audit_log" => n + 1,
                "review_links" => after[table],
                _ => n - removed,
            };
            assert_eq!(after[table], expected, "{:?} {table}", db.backend);
        }
        if db.backend == mkpi_store::Backend::Sqlite {
            assert_eq!(s.store().integrity_check().await.unwrap(), "ok");
        }
    }
}
