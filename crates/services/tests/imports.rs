//! Importing files: validated, atomic, idempotent, dry-runnable, recorded
//! and reversible — on every backend this run covers.

use std::io::Cursor;

use mkpi_ingest::Preset;
use mkpi_services::imports::{ImportReport, ImportRequest};
use mkpi_services::users::Principal;
use mkpi_services::{AuthSettings, Clock, Services, Store};
use mkpi_store::testing;

async fn services(url: &str) -> Services {
    let s = Services::new(
        Store::open(url).await.unwrap(),
        Clock::fixed(1_790_000_000),
        AuthSettings::default(),
    );
    s.seed_demo(42).await.unwrap();
    s
}

async fn import(s: &Services, preset: &str, text: &str, dry_run: bool) -> ImportReport {
    let request = ImportRequest {
        source: format!("{preset}.csv"),
        preset: Preset::find(preset).unwrap(),
        dry_run,
        people: Vec::new(),
    };
    s.import_file(
        Principal::Operator,
        Cursor::new(text.as_bytes().to_vec()),
        request,
    )
    .await
    .unwrap()
}

fn problems(r: &ImportReport) -> Vec<String> {
    r.problems.iter().map(ToString::to_string).collect()
}

async fn totals(s: &Services) -> mkpi_store::ad_stats::AdStatTotals {
    let mut tx = s.store().read().await.unwrap();
    mkpi_store::ad_stats::totals(&mut tx).await.unwrap()
}

async fn owner_email(s: &Services) -> String {
    let head = s.login("head", "demo", "t").await.unwrap().actor;
    let demo_manager = s
        .list_employees(&head)
        .await
        .unwrap()
        .into_iter()
        .find(|e| e.position.starts_with("Руководитель performance"));
    demo_manager.unwrap().email
}

const STATS: &str = "date;campaign;impressions;clicks;spend;conversions;conversion_value\n\
                     01.12.2024;G-1;10 000;300;15 000,00;12;90 000,00\n\
                     02.12.2024;G-1;12 000;360;18 000,00;15;120 000,00\n\
                     01.12.2024;Y-2;5 000;100;4 000,50;--;\n";

#[tokio::test]
async fn campaigns_then_their_stats_import_and_reimport_without_duplicates() {
    for db in testing::all().await {
        let s = services(&db.url).await;
        let owner = owner_email(&s).await;
        let campaigns = format!(
            "campaign,name,channel,owner,budget,currency\nG-1,Бренд — поиск,Paid Search,{owner},\"500,000.00\",RUB\nY-2,РСЯ,Display,,,RUB\n"
        );
        let r = import(&s, "mkpi-campaigns", &campaigns, false).await;
        assert_eq!(problems(&r), Vec::<String>::new(), "{:?}", db.backend);
        assert!(r.applied);
        assert_eq!(
            (
                r.counts.read,
                r.counts.added,
                r.counts.updated,
                r.counts.unchanged
            ),
            (2, 2, 0, 0)
        );

        let r = import(&s, "mkpi-ad-stats", STATS, false).await;
        assert_eq!(problems(&r), Vec::<String>::new());
        assert_eq!(
            (r.counts.added, r.counts.updated, r.counts.unchanged),
            (3, 0, 0)
        );
        assert_eq!(
            (r.encoding.as_str(), r.delimiter, r.header_row),
            ("UTF-8", Some(';'), 1)
        );
        assert_eq!(r.file_hash.len(), 64);
        let t = totals(&s).await;
        assert_eq!(
            (t.row_count, t.impressions, t.clicks, t.spend_minor),
            (3, 27_000, 760, 3_700_050)
        );

        // The same file again: nothing added, nothing changed.
        let again = import(&s, "mkpi-ad-stats", STATS, false).await;
        assert_eq!(
            (
                again.counts.added,
                again.counts.updated,
                again.counts.unchanged
            ),
            (0, 0, 3)
        );
        assert_eq!(totals(&s).await, t);

        // A corrected day updates that row only.
        let fixed = STATS.replace("12 000;360", "12 000;400");
        let r = import(&s, "mkpi-ad-stats", &fixed, false).await;
        assert_eq!(
            (r.counts.added, r.counts.updated, r.counts.unchanged),
            (0, 1, 2)
        );
        assert_eq!(totals(&s).await.clicks, 800);

        // Rolling the correction back restores the earlier value exactly.
        let rolled = s
            .rollback_import(Principal::Operator, r.import_id.unwrap())
            .await
            .unwrap();
        assert_eq!(rolled.status, "rolled_back");
        assert_eq!(totals(&s).await, t);
        let list = s.list_imports(Principal::Operator, 10).await.unwrap();
        let statuses: Vec<(&str, &str)> = list
            .iter()
            .map(|i| (i.fact.as_str(), i.status.as_str()))
            .collect();
        assert_eq!(
            statuses,
            [
                ("ad_stats", "rolled_back"),
                ("ad_stats", "applied"),
                ("ad_stats", "applied"),
                ("campaigns", "applied")
            ]
        );

        // Only the most recent applied import can be rolled back.
        let err = s
            .rollback_import(Principal::Operator, list[3].id)
            .await
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            format!(
                "only the most recent import can be rolled back: roll back import #{} first",
                list[1].id
            )
        );
    }
}

#[tokio::test]
async fn a_file_with_any_problem_stores_nothing_and_says_every_problem() {
    for db in testing::all().await {
        let s = services(&db.url).await;
        import(
            &s,
            "mkpi-campaigns",
            "campaign,name,currency\nG-1,Бренд,RUB\nU-3,US,USD\n",
            false,
        )
        .await;
        let before = totals(&s).await;
        let imports_before = s
            .list_imports(Principal::Operator, 100)
            .await
            .unwrap()
            .len();

        let bad = "date,campaign,impressions,clicks,spend,currency\n\
                   2024-12-01,G-1,100,10,5.00,RUB\n\
                   2024-12-01,NOPE,100,10,5.00,RUB\n\
                   2024-12-02,G-1,100,10,5.00,USD\n\
                   2024-12-01,G-1,100,10,5.00,RUB\n\
                   2024-12-03,G-1,100,200,5.00,RUB\n\
                   2024-12-03,U-3,100,20,5.00,\n";
        let r = import(&s, "mkpi-ad-stats", bad, false).await;
        assert!(!r.applied);
        assert_eq!(r.import_id, None);
        assert_eq!(
            problems(&r),
            vec![
                "row 3, column 'campaign', value 'NOPE': unknown campaign 'NOPE': import it with the mkpi-campaigns preset first",
                "row 4, column 'currency', value 'USD': is USD, but campaign G-1 is in RUB: amounts in different currencies cannot be added up",
                "row 5, column 'date', value '2024-12-01': repeats an earlier row of this file (same campaign and date)",
                "row 6, column 'clicks', value '200': is more than the impressions (100)",
            ]
        );
        assert_eq!(r.rows_rejected, 4);
        assert_eq!(
            totals(&s).await,
            before,
            "nothing of the file landed ({:?})",
            db.backend
        );
        assert_eq!(
            s.list_imports(Principal::Operator, 100)
                .await
                .unwrap()
                .len(),
            imports_before,
            "no record of a rejected file"
        );

        // A dry run of a good file counts but stores nothing.
        let good = "date,campaign,impressions,clicks,spend\n2024-12-01,G-1,100,10,5.00\n2024-12-01,U-3,50,5,1.00\n";
        let r = import(&s, "mkpi-ad-stats", good, true).await;
        assert!(r.dry_run && !r.applied);
        assert_eq!((r.counts.read, r.counts.added), (2, 2));
        assert_eq!(totals(&s).await, before);

        // A file that cannot be read at all is an error that names the problem.
        let request = ImportRequest {
            source: "x.pdf".into(),
            preset: Preset::find("mkpi-ad-stats").unwrap(),
            dry_run: false,
            people: Vec::new(),
        };
        let err = s
            .import_file(
                Principal::Operator,
                Cursor::new(b"%PDF-1.4 junk".to_vec()),
                request,
            )
            .await
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid input: file: this is a PDF document, not a table"
        );
        assert_eq!(totals(&s).await, before);
    }
}

#[tokio::test]
async fn campaign_owners_must_be_employees_and_only_admins_import() {
    let db = testing::sqlite();
    let s = services(&db.url).await;
    let r = import(
        &s,
        "mkpi-campaigns",
        "campaign,name,owner\nG-1,Бренд,ghost@nowhere.ru\n",
        false,
    )
    .await;
    assert_eq!(
        problems(&r),
        [
            "row 2, column 'owner', value 'ghost@nowhere.ru': no employee has the e-mail ghost@nowhere.ru"
        ]
    );

    let manager = s.login("manager", "demo", "t").await.unwrap().actor;
    let request = ImportRequest {
        source: "c.csv".into(),
        preset: Preset::find("mkpi-campaigns").unwrap(),
        dry_run: false,
        people: Vec::new(),
    };
    let err = s
        .import_file(
            Principal::User(&manager),
            Cursor::new(b"campaign,name\nG-1,x\n".to_vec()),
            request,
        )
        .await
        .unwrap_err();
    assert!(matches!(err, mkpi_services::Error::Forbidden));
}

const STAFF: &str = "email,name,position,team,manager,start,role\n\
    olga.kim@acme.ru,Ольга Ким,Специалист по контекстной рекламе,Маркетинг/Performance,pavel.orlov@acme.ru,2023-02-01,сотрудник\n\
    irina.lebedeva@acme.ru,Ирина Лебедева,Директор по маркетингу,Маркетинг,,2021-03-01,head\n\
    pavel.orlov@acme.ru,Павел Орлов,Руководитель performance,Маркетинг/Performance,irina.lebedeva@acme.ru,2022-06-15,manager\n\
    denis.sokolov@acme.ru,Денис Соколов,Таргетолог,Performance/Paid social,pavel.orlov@acme.ru,2024-09-02,\n\
    anna.belova@acme.ru,Анна Белова,Бренд-менеджер,Маркетинг/Brand,irina.lebedeva@acme.ru,,employee\n";

/// Who is where: (name, team, manager, hire date) of every person, by name.
async fn staff(s: &Services) -> Vec<(String, Option<String>, Option<String>, String)> {
    let admin = s.login("anna", "a long password", "t").await.unwrap().actor;
    let mut people: Vec<_> = s
        .list_employees(&admin)
        .await
        .unwrap()
        .into_iter()
        .map(|e| (e.name, e.team_name, e.manager_name, e.hire_date))
        .collect();
    people.sort();
    people
}

#[tokio::test]
async fn a_staff_list_sets_up_people_teams_and_accounts_and_rolls_back_exactly() {
    for db in testing::all().await {
        let s = Services::new(
            Store::open(&db.url).await.unwrap(),
            Clock::fixed(1_790_000_000),
            AuthSettings::default(),
        );
        s.setup(mkpi_services::organisation::SetupInput {
            company: mkpi_services::organisation::CompanyInput {
                name: "Acme".into(),
                currency: "RUB".into(),
                time_zone: "Europe/Moscow".into(),
                fiscal_year_start_month: "1".into(),
                locale: "ru".into(),
            },
            department: "Маркетинг".into(),
            admin_login: "anna".into(),
            admin_password: "a long password".into(),
        })
        .await
        .unwrap();
        let admin = s.login("anna", "a long password", "t").await.unwrap().actor;

        // A dry run counts and stores nothing.
        let dry = import(&s, "mkpi-employees", STAFF, true).await;
        assert_eq!(problems(&dry), Vec::<String>::new(), "{:?}", db.backend);
        assert_eq!(
            (dry.counts.added, dry.teams_created, dry.accounts_created),
            (5, 3, 4)
        );
        assert!(s.list_employees(&admin).await.unwrap().is_empty());
        assert!(s.list_teams(&admin).await.unwrap().is_empty());

        let first = import(&s, "mkpi-employees", STAFF, false).await;
        assert!(first.applied, "{:?}", problems(&first));
        assert_eq!(
            (
                first.counts.added,
                first.counts.updated,
                first.teams_created,
                first.accounts_created
            ),
            (5, 0, 3, 4)
        );
        let o = |s: &str| Some(s.to_string());
        let expected = vec![
            (
                "Анна Белова".to_string(),
                o("Brand"),
                o("Ирина Лебедева"),
                "2026-09-21".to_string(),
            ),
            (
                "Денис Соколов".into(),
                o("Paid social"),
                o("Павел Орлов"),
                "2024-09-02".into(),
            ),
            ("Ирина Лебедева".into(), None, None, "2021-03-01".into()),
            (
                "Ольга Ким".into(),
                o("Performance"),
                o("Павел Орлов"),
                "2023-02-01".into(),
            ),
            (
                "Павел Орлов".into(),
                o("Performance"),
                o("Ирина Лебедева"),
                "2022-06-15".into(),
            ),
        ];
        assert_eq!(staff(&s).await, expected);
        let teams = s.list_teams(&admin).await.unwrap();
        let id = |n: &str| teams.iter().find(|t| t.name == n).unwrap().id;
        let social = teams.iter().find(|t| t.name == "Paid social").unwrap();
        assert_eq!(social.parent_id, Some(id("Performance")));
        let accounts: Vec<(String, String)> = s
            .list_users(Principal::Operator)
            .await
            .unwrap()
            .into_iter()
            .map(|u| (u.login, u.role))
            .collect();
        assert_eq!(
            accounts,
            [
                ("anna".to_string(), "admin".to_string()),
                ("anna.belova".into(), "employee".into()),
                ("irina.lebedeva".into(), "head".into()),
                ("olga.kim".into(), "employee".into()),
                ("pavel.orlov".into(), "manager".into()),
            ]
        );
        // Nobody can sign in with an imported account before setting a password.
        assert!(s.login("olga.kim", "", "t").await.is_err());

        // The same file again changes nothing.
        let again = import(&s, "mkpi-employees", STAFF, false).await;
        assert_eq!(
            (
                again.counts.added,
                again.counts.updated,
                again.counts.unchanged,
                again.teams_created,
                again.accounts_created
            ),
            (0, 0, 5, 0, 0)
        );

        // Olga moves to Brand: a transfer from the import's day.
        let moved = STAFF.replace(
            "Специалист по контекстной рекламе,Маркетинг/Performance",
            "Специалист по контекстной рекламе,Маркетинг/Brand",
        );
        let change = import(&s, "mkpi-employees", &moved, false).await;
        assert_eq!((change.counts.updated, change.counts.unchanged), (1, 4));
        assert_eq!(change.changes.len(), 1);
        assert_eq!(change.changes[0].key, "olga.kim@acme.ru");
        let olga = s
            .list_employees(&admin)
            .await
            .unwrap()
            .into_iter()
            .find(|e| e.name == "Ольга Ким")
            .unwrap();
        assert_eq!(olga.team_id, Some(id("Brand")));
        let memberships: Vec<(i64, Option<String>, Option<String>)> = s
            .employee_memberships(&admin, olga.id)
            .await
            .unwrap()
            .into_iter()
            .map(|m| (m.team_id, m.valid_from, m.valid_until))
            .collect();
        assert_eq!(
            memberships,
            [
                (id("Brand"), o("2026-09-21"), None),
                (id("Performance"), None, o("2026-09-21")),
            ]
        );

        // Rolling the change back puts Olga back, with one membership again.
        s.rollback_import(Principal::Operator, change.import_id.unwrap())
            .await
            .unwrap();
        assert_eq!(staff(&s).await, expected);
        let memberships = s.employee_memberships(&admin, olga.id).await.unwrap();
        assert_eq!(memberships.len(), 1);
        assert_eq!(
            (memberships[0].team_id, memberships[0].valid_until.clone()),
            (id("Performance"), None)
        );

        // A file with problems says where and stores nothing.
        let bad = "email,name,position,team,manager\n\
                   olga.kim@acme.ru,Ольга Ким,SEO,Brand/Performance,\n\
                   new.one@acme.ru,Новый,SEO,Brand,nobody@acme.ru\n\
                   new.one@acme.ru,Новый дважды,SEO,Brand,\n\
                   not-an-address,Кто-то,SEO,Brand,\n";
        let r = import(&s, "mkpi-employees", bad, false).await;
        assert!(!r.applied);
        let mut found = problems(&r);
        found.sort();
        assert_eq!(found.len(), 4, "{found:?}");
        assert!(
            found
                .iter()
                .any(|p| p.contains("row 2") && p.contains("sits under")),
            "{found:?}"
        );
        assert!(
            found
                .iter()
                .any(|p| p.contains("row 3") && p.contains("nobody@acme.ru")),
            "{found:?}"
        );
        assert!(
            found
                .iter()
                .any(|p| p.contains("row 4") && p.contains("line 3")),
            "{found:?}"
        );
        assert!(found.iter().any(|p| p.contains("row 5")), "{found:?}");
        assert_eq!(staff(&s).await, expected);

        // Rolling the first import back leaves the department as it was.
        s.rollback_import(Principal::Operator, again.import_id.unwrap())
            .await
            .unwrap();
        s.rollback_import(Principal::Operator, first.import_id.unwrap())
            .await
            .unwrap();
        assert!(staff(&s).await.is_empty());
        assert!(s.list_teams(&admin).await.unwrap().is_empty());
        assert_eq!(s.list_users(Principal::Operator).await.unwrap().len(), 1);
    }
}
