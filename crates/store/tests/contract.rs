//! The store's contract, run on SQLite always and on PostgreSQL when
//! `MKPI_TEST_POSTGRES_URL` is set: both backends must answer alike.

use mkpi_domain::org::TeamTree;
use mkpi_domain::{Role, Scope};
use mkpi_store::employees::NewEmployee;
use mkpi_store::teams::NewTeam;
use mkpi_store::users::NewUser;
use mkpi_store::{
    Store, StoreError, audit_log, departments, employees, sessions, teams, testing, users,
};

struct Org {
    perf: i64,
    social: i64,
    brand: i64,
    lead: i64,
    member: i64,
    social_member: i64,
    brand_member: i64,
}

async fn org(store: &Store) -> Org {
    let mut tx = store.begin().await.unwrap();
    let dept = departments::insert(&mut tx, "Маркетинг", 1).await.unwrap();
    let team = |name, parent_id| NewTeam {
        department_id: dept,
        parent_id,
        name,
    };
    let perf = teams::insert(&mut tx, &team("Performance", None), 1)
        .await
        .unwrap();
    let social = teams::insert(&mut tx, &team("Paid social", Some(perf)), 1)
        .await
        .unwrap();
    let brand = teams::insert(&mut tx, &team("Brand", None), 1)
        .await
        .unwrap();
    let mut person = async |name: &str, team_id: i64| {
        employees::insert(
            &mut tx,
            &NewEmployee {
                department_id: dept,
                team_id: Some(team_id),
                manager_id: None,
                name,
                email: &format!("{}@x.ru", name.to_lowercase()),
                position: "Маркетолог",
                hire_date: "2024-02-29",
            },
            1,
        )
        .await
        .unwrap()
    };
    let lead = person("Lead", perf).await;
    let member = person("Member", perf).await;
    let social_member = person("Social", social).await;
    let brand_member = person("Brander", brand).await;
    teams::set_manager(&mut tx, perf, Some(lead)).await.unwrap();
    tx.commit().await.unwrap();
    Org {
        perf,
        social,
        brand,
        lead,
        member,
        social_member,
        brand_member,
    }
}

#[tokio::test]
async fn migrations_apply_twice_without_harm_and_foreign_keys_hold() {
    for db in testing::all().await {
        let store = Store::open(&db.url).await.unwrap();
        store.migrate().await.unwrap();
        let mut tx = store.begin().await.unwrap();
        let err = teams::insert(
            &mut tx,
            &NewTeam {
                department_id: 999,
                parent_id: None,
                name: "x",
            },
            1,
        )
        .await
        .unwrap_err();
        assert!(
            matches!(err, StoreError::MissingReference { .. }),
            "{:?}: {err:?}",
            db.backend
        );
    }
}

#[tokio::test]
async fn scopes_limit_employee_queries_to_the_visible_people() {
    for db in testing::all().await {
        let store = Store::open(&db.url).await.unwrap();
        let o = org(&store).await;
        let mut tx = store.begin().await.unwrap();
        let tree = TeamTree::new(teams::nodes(&mut tx).await.unwrap());
        let names = async |tx: &mut mkpi_store::Tx, scope: &Scope| -> Vec<String> {
            let mut v: Vec<String> = employees::list(tx, scope)
                .await
                .unwrap()
                .into_iter()
                .map(|e| e.name)
                .collect();
            v.sort();
            v
        };
        let head = Scope::new(1, Role::Head, None, &tree);
        let manager = Scope::new(2, Role::Manager, Some(o.lead), &tree);
        let employee = Scope::new(3, Role::Employee, Some(o.member), &tree);
        assert_eq!(
            names(&mut tx, &head).await,
            ["Brander", "Lead", "Member", "Social"],
            "{:?}",
            db.backend
        );
        assert_eq!(names(&mut tx, &manager).await, ["Lead", "Member", "Social"]);
        assert_eq!(names(&mut tx, &employee).await, ["Member"]);

        assert_eq!(
            employees::get(&mut tx, &manager, o.social_member)
                .await
                .unwrap()
                .team_id,
            Some(o.social)
        );
        assert!(matches!(
            employees::get(&mut tx, &manager, o.brand_member).await,
            Err(StoreError::NotFound)
        ));
        assert!(matches!(
            employees::get(&mut tx, &employee, o.lead).await,
            Err(StoreError::NotFound)
        ));

        let team_names =
            |rows: Vec<teams::TeamRow>| rows.into_iter().map(|t| t.id).collect::<Vec<_>>();
        let mut visible = team_names(teams::list(&mut tx, &manager).await.unwrap());
        visible.sort();
        assert_eq!(visible, vec![o.perf, o.social]);
        assert_eq!(
            team_names(teams::list(&mut tx, &employee).await.unwrap()),
            vec![o.perf]
        );
        assert_eq!(teams::list(&mut tx, &head).await.unwrap().len(), 3);
        let _ = o.brand;
    }
}

#[tokio::test]
async fn unique_logins_conflict_and_rolled_back_work_leaves_nothing() {
    for db in testing::all().await {
        let store = Store::open(&db.url).await.unwrap();
        let new = NewUser {
            login: "anna",
            password_hash: "h",
            role: "admin",
            employee_id: None,
            locale: Some("ru"),
        };
        let mut tx = store.begin().await.unwrap();
        let id = users::insert(&mut tx, &new, 10).await.unwrap();
        let err = users::insert(&mut tx, &new, 10).await.unwrap_err();
        assert!(
            matches!(err, StoreError::Conflict { .. }),
            "{:?}: {err:?}",
            db.backend
        );
        drop(tx);

        let mut tx = store.begin().await.unwrap();
        assert!(matches!(
            users::get(&mut tx, id).await,
            Err(StoreError::NotFound)
        ));
        let id = users::insert(&mut tx, &new, 10).await.unwrap();
        users::set_active(&mut tx, id, false).await.unwrap();
        tx.commit().await.unwrap();

        let mut tx = store.begin().await.unwrap();
        let user = users::get(&mut tx, id).await.unwrap();
        assert!(!user.active);
        assert_eq!(user.locale.as_deref(), Some("ru"));
        assert!(matches!(
            users::set_active(&mut tx, 9999, true).await,
            Err(StoreError::NotFound)
        ));
    }
}

#[tokio::test]
async fn sessions_and_audit_entries_round_trip() {
    for db in testing::all().await {
        let store = Store::open(&db.url).await.unwrap();
        let mut tx = store.begin().await.unwrap();
        let uid = users::insert(
            &mut tx,
            &NewUser {
                login: "bob",
                password_hash: "h",
                role: "viewer",
                employee_id: None,
                locale: None,
            },
            5,
        )
        .await
        .unwrap();
        let s = sessions::SessionRow {
            id_hash: "abc".into(),
            user_id: uid,
            csrf_token: "t".into(),
            created_at: 5,
            last_seen_at: 5,
        };
        sessions::insert(&mut tx, &s).await.unwrap();
        sessions::touch(&mut tx, "abc", 70).await.unwrap();
        assert_eq!(
            sessions::get(&mut tx, "abc")
                .await
                .unwrap()
                .unwrap()
                .last_seen_at,
            70
        );
        assert_eq!(sessions::delete_expired(&mut tx, 71, 0).await.unwrap(), 1);
        assert_eq!(sessions::get(&mut tx, "abc").await.unwrap(), None);

        audit_log::record(
            &mut tx,
            audit_log::NewAuditEntry {
                at: 9,
                actor_user_id: Some(uid),
                actor: "bob",
                action: "update",
                entity: "user",
                entity_id: Some(uid),
                before_json: Some("{\"a\":1}".into()),
                after_json: None,
            },
        )
        .await
        .unwrap();
        let rows = audit_log::list(&mut tx, Some("user"), 10, 0).await.unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].before_json.as_deref(), Some("{\"a\":1}"));
        assert_eq!(
            audit_log::list(&mut tx, Some("team"), 10, 0)
                .await
                .unwrap()
                .len(),
            0
        );
        assert_eq!(audit_log::count(&mut tx).await.unwrap(), 1);
    }
}

#[tokio::test]
async fn a_sqlite_backup_is_a_consistent_copy() {
    let db = testing::sqlite();
    let store = Store::open(&db.url).await.unwrap();
    org(&store).await;
    let target = std::env::temp_dir().join(format!("mkpi-backup-{}.db", std::process::id()));
    let _ = std::fs::remove_file(&target);
    store.backup_to(&target).await.unwrap();
    let copy = Store::open(&format!("sqlite://{}", target.display()))
        .await
        .unwrap();
    let mut tx = copy.begin().await.unwrap();
    let everyone = Scope::new(1, Role::Admin, None, &TeamTree::default());
    assert_eq!(employees::list(&mut tx, &everyone).await.unwrap().len(), 4);
    drop(tx);
    copy.close().await;
    let _ = std::fs::remove_file(&target);
}

#[tokio::test]
async fn a_writer_that_reads_first_waits_for_another_writer_instead_of_failing() {
    for db in testing::all().await {
        let store = Store::open(&db.url).await.unwrap();
        let user = |login| NewUser {
            login,
            password_hash: "h",
            role: "viewer",
            employee_id: None,
            locale: None,
        };
        let mut first = store.begin().await.unwrap();
        users::insert(&mut first, &user("first"), 1).await.unwrap();

        let other = store.clone();
        let second = tokio::spawn(async move {
            let mut tx = other.begin().await?;
            let seen = users::find_by_login(&mut tx, "first").await?.is_some();
            users::insert(&mut tx, &user("second"), 2).await?;
            tx.commit().await?;
            Ok::<bool, StoreError>(seen)
        });
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        first.commit().await.unwrap();
        let seen_first = second
            .await
            .unwrap()
            .unwrap_or_else(|e| panic!("{:?}: {e}", db.backend));
        // SQLite serialises writers, so the second saw the first's commit.
        if db.backend == mkpi_store::Backend::Sqlite {
            assert!(seen_first);
        }
        let mut tx = store.read().await.unwrap();
        assert_eq!(users::list(&mut tx).await.unwrap().len(), 2);
    }
}

#[tokio::test]
async fn ad_stats_upsert_on_their_natural_key_and_roll_back_by_import() {
    use mkpi_store::ad_stats::{self, AdStatValues};
    use mkpi_store::campaigns::{self, CampaignValues};
    use mkpi_store::imports::{self, ImportCounts, NewImport};
    for db in testing::all().await {
        let store = Store::open(&db.url).await.unwrap();
        let mut tx = store.begin().await.unwrap();
        let new_import = |at| NewImport {
            at,
            actor_user_id: None,
            actor: "cli",
            source: "stats.csv",
            file_hash: Some("abc"),
            preset: "mkpi-ad-stats",
            fact: "ad_stats",
        };
        let first = imports::insert(&mut tx, &new_import(1)).await.unwrap();
        let campaign = CampaignValues {
            external_id: "G-1".into(),
            name: "Бренд".into(),
            platform: None,
            channel: Some("paid search".into()),
            owner_employee_id: None,
            budget_minor: Some(100_000),
            currency: Some("RUB".into()),
            start_date: None,
            end_date: None,
        };
        let cid = campaigns::insert(&mut tx, &campaign, Some(first), 1)
            .await
            .unwrap();
        let row = |date: &str, clicks| AdStatValues {
            campaign_id: cid,
            date: date.into(),
            impressions: 1000,
            clicks,
            spend_minor: 12_345,
            conversions: Some(1.5),
            conversion_value_minor: None,
            currency: "RUB".into(),
            vat_included: Some(1),
        };
        // More rows than one statement holds, to cross a batch boundary.
        let many: Vec<AdStatValues> = (0..450)
            .map(|i| row(&format!("2024-{:02}-{:02}", 1 + i / 28, 1 + i % 28), 10))
            .collect();
        ad_stats::upsert(&mut tx, &many, first).await.unwrap();
        let second = imports::insert(&mut tx, &new_import(2)).await.unwrap();
        ad_stats::upsert(&mut tx, &[row("2024-01-01", 99)], second)
            .await
            .unwrap();
        imports::set_counts(
            &mut tx,
            second,
            ImportCounts {
                read: 1,
                added: 0,
                updated: 1,
                unchanged: 0,
            },
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();

        let mut tx = store.begin().await.unwrap();
        let totals = ad_stats::totals(&mut tx).await.unwrap();
        assert_eq!(totals.row_count, 450, "{:?}", db.backend);
        assert_eq!(totals.clicks, 449 * 10 + 99);
        assert_eq!(totals.spend_minor, 450 * 12_345);
        let got = ad_stats::existing(&mut tx, &[cid], "2024-01-01", "2024-01-02")
            .await
            .unwrap();
        assert_eq!(got.len(), 2);
        let jan1 = got.iter().find(|r| r.values.date == "2024-01-01").unwrap();
        assert_eq!(
            (jan1.values.clicks, jan1.import_id, jan1.values.conversions),
            (99, second, Some(1.5))
        );
        assert_eq!(
            imports::latest_applied(&mut tx).await.unwrap(),
            Some(second)
        );
        assert_eq!(
            ad_stats::delete_by_import(&mut tx, second).await.unwrap(),
            1
        );
        imports::mark_rolled_back(&mut tx, second, 3).await.unwrap();
        assert_eq!(imports::latest_applied(&mut tx).await.unwrap(), Some(first));
        let listed = imports::list(&mut tx, 10).await.unwrap();
        assert_eq!(listed[0].status, "rolled_back");
        assert_eq!(listed[0].rows_updated, 1);
        assert_eq!(
            campaigns::all(&mut tx).await.unwrap()[0].budget_minor,
            Some(100_000)
        );
    }
}

#[tokio::test]
async fn optional_floats_bind_as_null_then_as_values_in_one_cached_statement() {
    use mkpi_store::kpis::{self, NewKpi, TargetRow};
    for db in testing::all().await {
        let store = Store::open(&db.url).await.unwrap();
        let target = |from: &str, to: &str, floor: Option<f64>| TargetRow {
            kpi_id: 0,
            period_from: from.into(),
            period_to: to.into(),
            floor,
            target: 10.0,
            stretch: floor.map(|f| f * 3.0),
        };
        // The same INSERT runs twice on one connection: first with NULL
        // floats, then with values (sqlx 0.9 once typed the NULLs float4 here).
        let targets = [
            target("2025-01-01", "2025-02-01", None),
            target("2025-02-01", "2025-03-01", Some(5.5)),
        ];
        let mut tx = store.begin().await.unwrap();
        for pct in [None, Some(12.5)] {
            let id = kpis::insert(
                &mut tx,
                &NewKpi {
                    metric_code: "clicks",
                    scope: "department",
                    period_from: "2025-01-01",
                    period_to: "2025-03-01",
                    weight: 1.0,
                    cap: 1.5,
                    alert_change_pct: pct,
                    created_by_user_id: None,
                    now: 1,
                },
                &targets,
            )
            .await
            .unwrap_or_else(|e| panic!("{:?}: {e}", db.backend));
            let stored = kpis::targets(&mut tx, id).await.unwrap();
            let floors: Vec<_> = stored.iter().map(|t| (t.floor, t.stretch)).collect();
            assert_eq!(floors, [(None, None), (Some(5.5), Some(16.5))]);
            assert_eq!(
                kpis::get(&mut tx, id)
                    .await
                    .unwrap()
                    .unwrap()
                    .alert_change_pct,
                pct
            );
        }
        tx.commit().await.unwrap();
    }
}
