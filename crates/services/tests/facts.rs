//! The facts besides campaigns and ad statistics: each canonical format and
//! the vendor presets land in their tables with references resolved, are
//! idempotent, reversible, and refused whole when anything is wrong.

use std::io::Cursor;

use mkpi_ingest::{Fact, Preset};
use mkpi_services::imports::{ImportReport, ImportRequest, NewPerson, PersonAnswer, table_of};
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

async fn import_with(s: &Services, preset: Preset, bytes: Vec<u8>, dry_run: bool) -> ImportReport {
    let request = ImportRequest {
        source: format!("{}.csv", preset.name),
        preset,
        dry_run,
        people: Vec::new(),
    };
    s.import_file(Principal::Operator, Cursor::new(bytes), request)
        .await
        .unwrap()
}

async fn import(s: &Services, preset: &str, text: &str) -> ImportReport {
    let preset = s.preset(Principal::Operator, preset).await.unwrap();
    import_with(s, preset, text.as_bytes().to_vec(), false).await
}

fn fixture(name: &str) -> Vec<u8> {
    let path = format!(
        "{}/../ingest/tests/fixtures/presets/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read(path).unwrap()
}

fn problems(r: &ImportReport) -> Vec<String> {
    r.problems.iter().map(ToString::to_string).collect()
}

fn counts(r: &ImportReport) -> (i64, i64, i64, i64, u64) {
    (
        r.counts.read,
        r.counts.added,
        r.counts.updated,
        r.counts.unchanged,
        r.rows_rejected,
    )
}

/// Every stored row of a fact as `key: v1 | v2 | …` (null as ∅).
async fn rows(s: &Services, fact: Fact) -> Vec<String> {
    let mut tx = s.store().read().await.unwrap();
    mkpi_store::facts::first(&mut tx, &table_of(fact), 1000)
        .await
        .unwrap()
        .into_iter()
        .map(|r| {
            let values: Vec<String> = r
                .values
                .iter()
                .map(|v| match v {
                    serde_json::Value::Null => "∅".to_string(),
                    serde_json::Value::String(s) => s.clone(),
                    other => other.to_string(),
                })
                .collect();
            format!("{}: {}", r.key.replace('\u{1f}', "/"), values.join(" | "))
        })
        .collect()
}

/// Rows per table of every fact, to prove a refused file changed nothing.
async fn snapshot(s: &Services) -> Vec<(String, i64)> {
    let mut tx = s.store().read().await.unwrap();
    let mut out = Vec::new();
    for fact in Fact::ALL.into_iter().filter(|f| f.is_generic()) {
        let n = mkpi_store::facts::count(&mut tx, &table_of(fact))
            .await
            .unwrap();
        out.push((fact.name().to_string(), n));
    }
    let campaigns = mkpi_store::campaigns::all(&mut tx).await.unwrap().len();
    out.push(("campaigns".into(), campaigns as i64));
    out
}

async fn employee(s: &Services, position_prefix: &str) -> (i64, String, String) {
    let head = s.login("head", "demo", "t").await.unwrap().actor;
    let e = s
        .list_employees(&head)
        .await
        .unwrap()
        .into_iter()
        .find(|e| e.position.starts_with(position_prefix))
        .unwrap();
    (e.id, e.email, e.name)
}

#[tokio::test]
async fn orders_land_reimport_unchanged_update_and_roll_back() {
    for db in testing::all().await {
        let s = services(&db.url).await;
        let csv = "order_id,customer_id,date,amount,currency,status,channel\n\
                   A-1,C-1,2024-12-01,\"1,500.00\",RUB,paid,Organic Search\n\
                   A-2,C-2,2024-12-02,990,RUB,refunded,\n\
                   A-3,C-1,2024-12-03,2500.5,RUB,Оплачен,email\n";
        let r = import(&s, "mkpi-orders", csv).await;
        assert_eq!(problems(&r), Vec::<String>::new(), "{:?}", db.backend);
        assert_eq!(counts(&r), (3, 3, 0, 0, 0));
        let first = vec![
            "A-1: A-1 | C-1 | 2024-12-01 | ∅ | 150000 | RUB | paid | ∅ | organic_search | ∅",
            "A-2: A-2 | C-2 | 2024-12-02 | ∅ | 99000 | RUB | refunded | ∅ | ∅ | ∅",
            "A-3: A-3 | C-1 | 2024-12-03 | ∅ | 250050 | RUB | paid | ∅ | email | ∅",
        ];
        assert_eq!(rows(&s, Fact::Orders).await, first);

        let again = import(&s, "mkpi-orders", csv).await;
        assert_eq!(
            counts(&again),
            (3, 0, 0, 3, 0),
            "the same rows change nothing"
        );

        let changed = csv.replace(
            "A-2,C-2,2024-12-02,990,RUB,refunded",
            "A-2,C-2,2024-12-02,990,RUB,paid",
        );
        // A dry run says which stored values the file would overwrite.
        let preset = s.preset(Principal::Operator, "mkpi-orders").await.unwrap();
        let dry = import_with(&s, preset, changed.as_bytes().to_vec(), true).await;
        assert_eq!(
            dry.changes
                .iter()
                .map(|c| (c.row, c.key.as_str(), c.fields.clone()))
                .collect::<Vec<_>>(),
            vec![(
                3,
                "A-2",
                vec![(
                    "status".to_string(),
                    "refunded".to_string(),
                    "paid".to_string()
                )]
            )]
        );
        let r2 = import(&s, "mkpi-orders", &changed).await;
        assert_eq!(counts(&r2), (3, 0, 1, 2, 0));
        assert_eq!(
            rows(&s, Fact::Orders).await[1],
            "A-2: A-2 | C-2 | 2024-12-02 | ∅ | 99000 | RUB | paid | ∅ | ∅ | ∅"
        );
        s.rollback_import(Principal::Operator, r2.import_id.unwrap())
            .await
            .unwrap();
        assert_eq!(rows(&s, Fact::Orders).await, first, "the refund is back");
        s.rollback_import(Principal::Operator, again.import_id.unwrap())
            .await
            .unwrap();
        s.rollback_import(Principal::Operator, r.import_id.unwrap())
            .await
            .unwrap();
        assert_eq!(rows(&s, Fact::Orders).await, Vec::<String>::new());
    }
}

#[tokio::test]
async fn every_canonical_fact_stores_its_fields_with_references_resolved() {
    for db in testing::all().await {
        let s = services(&db.url).await;
        let (id, email, name) = employee(&s, "Руководитель performance").await;
        let r = import(
            &s,
            "mkpi-campaigns",
            "campaign,name,currency\nG-1,Бренд — поиск,RUB\n",
        )
        .await;
        assert!(r.applied);
        let cases: Vec<(&str, Fact, String, Vec<String>)> = vec![
            (
                "mkpi-web-traffic",
                Fact::WebTraffic,
                "date,source_medium,sessions,users,new_users,conversions\n2024-12-01,google / cpc,100,80,50,\"2.5\"\n2024-12-01,,40,30,10,\n".into(),
                vec![
                    "2024-12-01/direct/(not set)/(not set): 2024-12-01 | direct | (not set) | (not set) | 40 | 30 | 10 | ∅".into(),
                    "2024-12-01/paid_search/google/cpc: 2024-12-01 | paid_search | google | cpc | 100 | 80 | 50 | 2.5".into(),
                ],
            ),
            (
                "mkpi-lead-stages",
                Fact::LeadStages,
                "lead_id,stage,at,campaign\nL-1,lead,2024-12-01 10:00,G-1\nL-1,MQL,02.12.2024 09:30,Бренд — поиск\n".into(),
                vec![
                    "L-1/lead: L-1 | lead | 2024-12-01 10:00:00 | ∅ | 1 | ∅".into(),
                    "L-1/mql: L-1 | mql | 2024-12-02 09:30:00 | ∅ | 1 | ∅".into(),
                ],
            ),
            (
                "mkpi-survey-responses",
                Fact::SurveyResponses,
                "response_id,date,segment,csat,nps,aware_aided,aware_unaided\nR-1,2024-12-01,B2B,5,9,да,no\nR-2,2024-12-01,,,,yes,\n".into(),
                vec![
                    "R-1: R-1 | 2024-12-01 | B2B | 5 | 9 | 1 | 0 | ∅".into(),
                    "R-2: R-2 | 2024-12-01 | ∅ | ∅ | ∅ | 1 | ∅ | ∅".into(),
                ],
            ),
            (
                "mkpi-social-stats",
                Fact::SocialStats,
                "date,network,account,competitor,followers,mentions\n2024-12-01,vk,demo,,12000,40\n2024-12-01,vk,rival,Rival Ltd,30000,60\n".into(),
                vec![
                    "2024-12-01/vk/demo: 2024-12-01 | vk | demo | ∅ | 12000 | ∅ | ∅ | ∅ | ∅ | ∅ | ∅ | 40".into(),
                    "2024-12-01/vk/rival: 2024-12-01 | vk | rival | Rival Ltd | 30000 | ∅ | ∅ | ∅ | ∅ | ∅ | ∅ | 60".into(),
                ],
            ),
            (
                "mkpi-time-entries",
                Fact::TimeEntries,
                format!("employee,date,hours,campaign,description\n{email},2024-12-02,1:30,G-1,Ключевые слова\n{name},2024-12-02,\"2,5\",,Отчёт\n"),
                vec![
                    format!("{id}/2024-12-02/////Отчёт: {id} | 2024-12-02 | ∅ | 2.5 | ∅ | ∅ | ∅ | Отчёт"),
                    format!("{id}/2024-12-02//1///Ключевые слова: {id} | 2024-12-02 | ∅ | 1.5 | 1 | ∅ | ∅ | Ключевые слова"),
                ],
            ),
            (
                "mkpi-tasks",
                Fact::Tasks,
                format!("task,title,status,assignee,start,due,estimate_hours\nT-1,Лендинг,in progress,{email},2024-12-01,2024-12-10,8\n"),
                vec![format!("T-1: T-1 | Лендинг | ∅ | in_progress | {id} | ∅ | ∅ | 2024-12-01 | 2024-12-10 | ∅ | 8.0 | ∅ | ∅ | ∅")],
            ),
            (
                "mkpi-marketing-costs",
                Fact::MarketingCosts,
                "дата,статья,сумма,валюта,канал,кампания,описание\n2024-12-01,ФОТ,\"1 250 000,00\",RUB,,,Зарплаты\n2024-12-05,agency,150000,RUB,paid_social,G-1,\n".into(),
                vec![
                    "2024-12-01/salaries///Зарплаты: 2024-12-01 | salaries | 125000000 | RUB | ∅ | ∅ | Зарплаты".into(),
                    "2024-12-05/agency/paid_social/1/: 2024-12-05 | agency | 15000000 | RUB | paid_social | 1 | ∅".into(),
                ],
            ),
        ];
        for (preset, fact, csv, expected) in cases {
            let r = import(&s, preset, &csv).await;
            assert_eq!(
                problems(&r),
                Vec::<String>::new(),
                "{preset} {:?}",
                db.backend
            );
            assert_eq!(rows(&s, fact).await, expected, "{preset} {:?}", db.backend);
        }
    }
}

#[tokio::test]
async fn vendor_exports_land_and_ad_reports_create_their_campaigns() {
    for db in testing::all().await {
        let s = services(&db.url).await;
        let ads = Preset::find("google-ads").unwrap();
        let r = import_with(&s, ads.clone(), fixture("google-ads-en.csv"), false).await;
        assert_eq!(problems(&r), Vec::<String>::new(), "{:?}", db.backend);
        assert_eq!((counts(&r), r.campaigns_created), ((3, 3, 0, 0, 0), 2));
        let mut tx = s.store().read().await.unwrap();
        let made: Vec<(String, String, Option<String>, Option<String>)> =
            mkpi_store::campaigns::all(&mut tx)
                .await
                .unwrap()
                .into_iter()
                .map(|c| (c.external_id, c.name, c.platform, c.currency))
                .collect();
        drop(tx);
        assert_eq!(
            made,
            vec![
                (
                    "Brand | Search".into(),
                    "Brand | Search".into(),
                    Some("google_ads".into()),
                    Some("RUB".into())
                ),
                (
                    "Generic — Display".into(),
                    "Generic — Display".into(),
                    Some("google_ads".into()),
                    Some("RUB".into())
                ),
            ]
        );
        let again = import_with(&s, ads, fixture("google-ads-en.csv"), false).await;
        assert_eq!(
            (counts(&again), again.campaigns_created),
            ((3, 0, 0, 3, 0), 0)
        );
        s.rollback_import(Principal::Operator, again.import_id.unwrap())
            .await
            .unwrap();
        s.rollback_import(Principal::Operator, r.import_id.unwrap())
            .await
            .unwrap();
        assert_eq!(
            snapshot(&s).await.last().unwrap(),
            &("campaigns".to_string(), 0),
            "the campaigns the report created went with it"
        );

        for (file, preset, fact, n) in [
            ("ga4-traffic.csv", "ga4-traffic", Fact::WebTraffic, 3),
            (
                "yandex-metrica-sources.csv",
                "yandex-metrica-sources",
                Fact::WebTraffic,
                6,
            ),
            ("hubspot-deals.csv", "hubspot-deals", Fact::Orders, 3),
            ("amocrm-deals.csv", "amocrm-deals", Fact::Orders, 6),
            ("bitrix24-deals.csv", "bitrix24-deals", Fact::Orders, 8),
            ("asana-tasks.csv", "asana-tasks", Fact::Tasks, 2),
            ("jira-issues.csv", "jira-issues", Fact::Tasks, 4),
            ("trello-cards.csv", "trello-cards", Fact::Tasks, 6),
        ] {
            let r = import_with(&s, Preset::find(preset).unwrap(), fixture(file), false).await;
            // The demo people are not the trackers' Anna K and Boris P:
            // those files are refused for exactly that.
            if preset.ends_with("tasks") || preset.ends_with("issues") || preset.ends_with("cards")
            {
                assert!(!r.applied, "{preset}");
                assert!(r.problem_count > 0, "{preset}");
                for p in &r.problems {
                    assert!(p.reason.starts_with("no employee"), "{preset}: {p}");
                }
                continue;
            }
            assert_eq!(problems(&r), Vec::<String>::new(), "{preset}");
            assert!(r.applied, "{preset}");
            let stored = rows(&s, fact).await.len();
            assert_eq!(stored, n, "{preset} {:?}", db.backend);
        }
    }
}

#[tokio::test]
async fn people_in_trackers_must_be_employees_and_refused_files_change_nothing() {
    for db in testing::all().await {
        let s = services(&db.url).await;
        let before = snapshot(&s).await;
        let r = import_with(
            &s,
            Preset::find("toggl-time").unwrap(),
            fixture("toggl-time.csv"),
            false,
        )
        .await;
        assert!(!r.applied);
        assert_eq!(
            problems(&r),
            vec![
                "row 2, column 'employee', value 'anna.k@demo.ru': no employee has the e-mail anna.k@demo.ru",
                "row 3, column 'employee', value 'anna.k@demo.ru': no employee has the e-mail anna.k@demo.ru",
            ]
        );
        let (_, email, name) = employee(&s, "Руководитель performance").await;
        let bad = format!(
            "employee,date,hours,campaign\n\
             {email},2024-12-01,3,\n\
             {email},2024-12-01,3,\n\
             Nobody Here,2024-12-02,1,\n\
             {name},2024-12-03,25,\n\
             {name},2024-12-04,1,NO-SUCH\n\
             {name},2099-12-04,0,\n"
        );
        let r = import(&s, "mkpi-time-entries", &bad).await;
        assert_eq!(
            problems(&r),
            vec![
                "row 3, column 'employee', value '".to_string() + &before_key(&s, &email).await + "': repeats an earlier row of this file (same employee, date, start, campaign, task, project, description)",
                "row 4, column 'employee', value 'Nobody Here': no employee is called Nobody Here".to_string(),
                "row 5, column 'hours', value '25': is more than 24 hours in one entry".to_string(),
                "row 6, column 'campaign', value 'NO-SUCH': unknown campaign 'NO-SUCH': import it with the mkpi-campaigns preset first".to_string(),
                "row 7, column 'hours', value '0': must be more than 0".to_string(),
            ]
        );
        assert_eq!(r.rows_rejected, 5);
        let orders = "order_id,date,amount\nA-1,2024-12-01,100\n";
        let r = import(&s, "mkpi-orders", orders).await;
        assert_eq!(
            problems(&r),
            vec![
                "row 2, column 'currency', value '': no currency: add a currency column, or a [defaults] currency to the mapping"
            ]
        );
        let surveys = "response_id,date,csat,nps\nR-1,2024-12-01,6,11\nR-2,2024-12-01,,\n";
        let r = import(&s, "mkpi-survey-responses", surveys).await;
        assert_eq!(
            problems(&r),
            vec![
                "row 2, column 'csat', value '6': must be between 1 and 5",
                "row 2, column 'nps', value '11': must be between 0 and 10",
                "row 3, column 'response_id', value 'R-2': the response answers none of csat, nps, aware_aided, aware_unaided",
            ]
        );
        let tasks = "task,title,status,start,due\nT-1,=HYPERLINK(\"x\"),in progress,2024-12-10,2024-12-01\nT-2,Ok,almost done,,\n";
        let r = import(&s, "mkpi-tasks", tasks).await;
        assert_eq!(
            problems(&r),
            vec![
                "row 2, column 'title', value '=HYPERLINK(\"x\")': starts like a spreadsheet formula (=, +, -, @), which is not accepted in text",
                "row 3, column 'status', value 'almost done': is not one of planned, in_progress, review, done, cancelled (a mapping can name the file's words in [values.status])",
            ]
        );
        assert_eq!(snapshot(&s).await, before, "{:?}", db.backend);
    }
}

/// How a person's id shows in a row key.
async fn before_key(s: &Services, email: &str) -> String {
    let head = s.login("head", "demo", "t").await.unwrap().actor;
    let id = s
        .list_employees(&head)
        .await
        .unwrap()
        .into_iter()
        .find(|e| e.email == email)
        .unwrap()
        .id;
    format!("{id} | 2024-12-01 |  |  |  |  | ")
}

#[tokio::test]
async fn mappings_are_saved_by_name_checked_and_used_like_presets() {
    for db in testing::all().await {
        let s = services(&db.url).await;
        let mapping = "name = \"shop-orders\"\ntitle = \"Our shop\"\nfact = \"orders\"\n\
                       [columns]\norder_id = \"Номер\"\ndate = \"Оплачен\"\namount = \"Итого, руб.\"\ncustomer_id = \"Покупатель\"\n\
                       [values.status]\npaid = [\"ок\"]\n";
        let saved = s.save_mapping(Principal::Operator, mapping).await.unwrap();
        assert_eq!(
            (saved.name.as_str(), saved.fact.as_str(), saved.builtin),
            ("shop-orders", "orders", false)
        );
        let r = import(
            &s,
            "shop-orders",
            "Номер;Оплачен;Итого, руб.;Покупатель\n77;01.12.2024;1 234,50;c-9\n",
        )
        .await;
        assert_eq!(problems(&r), Vec::<String>::new());
        assert_eq!(
            rows(&s, Fact::Orders).await,
            vec!["77: 77 | c-9 | 2024-12-01 | ∅ | 123450 | RUB | paid | ∅ | ∅ | ∅"]
        );
        let err = |e: mkpi_services::Error| e.to_string();
        assert_eq!(
            err(s
                .save_mapping(
                    Principal::Operator,
                    &mapping.replace("shop-orders", "mkpi-orders")
                )
                .await
                .unwrap_err()),
            "invalid input: mapping: 'mkpi-orders' is the name of a built-in preset: choose another name"
        );
        assert_eq!(
            err(s
                .save_mapping(Principal::Operator, &mapping.replace("paid = ", "won = "))
                .await
                .unwrap_err()),
            "invalid input: mapping: [values.status] maps onto 'won', which is not one of paid, cancelled, refunded, open, lost"
        );
        assert_eq!(
            err(s
                .save_mapping(
                    Principal::Operator,
                    &mapping.replace("order_id = \"Номер\"\n", "")
                )
                .await
                .unwrap_err()),
            "invalid input: mapping: the mapping neither maps nor gives a default for the required field 'order_id'"
        );
        assert_eq!(
            err(s.preset(Principal::Operator, "nope").await.unwrap_err())
                .split(':')
                .next(),
            Some("invalid input")
        );
        let names: Vec<String> = s
            .presets(Principal::Operator)
            .await
            .unwrap()
            .into_iter()
            .filter(|p| !p.builtin)
            .map(|p| p.name)
            .collect();
        assert_eq!(names, vec!["shop-orders"]);
        s.delete_mapping(Principal::Operator, "shop-orders")
            .await
            .unwrap();
        assert!(s.preset(Principal::Operator, "shop-orders").await.is_err());
    }
}

#[tokio::test]
async fn campaign_contributors_share_results_are_checked_and_roll_back() {
    for db in testing::all().await {
        let s = services(&db.url).await;
        let (owner_id, owner, _) = employee(&s, "Руководитель performance").await;
        let head = s.login("head", "demo", "t").await.unwrap().actor;
        let people = s.list_employees(&head).await.unwrap();
        let (a, b) = (&people[3], &people[4]);
        let file = |shares: &str| {
            format!(
                "campaign;name;owner;currency;contributors\nG-1;Бренд;{owner};RUB;\"{shares}\"\n"
            )
        };
        let r = import(
            &s,
            "mkpi-campaigns",
            &file(&format!("{}: 30%| {}: 0,15", a.email, b.email)),
        )
        .await;
        assert_eq!(problems(&r), Vec::<String>::new(), "{:?}", db.backend);
        let stored = async |s: &Services| {
            let mut tx = s.store().read().await.unwrap();
            mkpi_store::campaigns::all_contributors(&mut tx)
                .await
                .unwrap()
        };
        let mut expected = vec![(1, a.id, 3000), (1, b.id, 1500)];
        expected.sort_unstable();
        assert_eq!(stored(&s).await, expected);
        assert_ne!(owner_id, a.id);

        let same = import(
            &s,
            "mkpi-campaigns",
            &file(&format!("{}: 0.15; {}: 30 %", b.email, a.email)),
        )
        .await;
        assert_eq!(
            counts(&same),
            (1, 0, 0, 1, 0),
            "the same shares in another order"
        );
        let changed = import(&s, "mkpi-campaigns", &file(&format!("{}: 50%", a.email))).await;
        assert_eq!(counts(&changed), (1, 0, 1, 0, 0));
        assert_eq!(
            changed.changes[0].fields,
            vec![(
                "contributors".to_string(),
                {
                    let mut before = [format!("{}: 30%", a.email), format!("{}: 15%", b.email)];
                    before.sort();
                    before.join("; ")
                },
                format!("{}: 50%", a.email)
            )]
        );
        assert_eq!(stored(&s).await, vec![(1, a.id, 5000)]);
        s.rollback_import(Principal::Operator, changed.import_id.unwrap())
            .await
            .unwrap();
        assert_eq!(stored(&s).await, expected, "the shares before come back");

        for (shares, says) in [
            (
                format!("{}: 70%; {}: 40%", a.email, b.email),
                "the shares add up to 110%, more than 100%".to_string(),
            ),
            (
                format!("{}: 30", a.email),
                format!(
                    "the share '30' of {} must be more than 0 and at most 100% (write 30% or 0.3)",
                    a.email
                ),
            ),
            (
                a.email.to_string(),
                format!("'{}' has no share: write e-mail: 30%", a.email),
            ),
            (
                format!("{}: 10%; {}: 5%", a.email, a.email),
                format!("{} is listed twice", a.email),
            ),
            (
                "nobody@nowhere.example: 10%".to_string(),
                "no employee has the e-mail nobody@nowhere.example".to_string(),
            ),
        ] {
            let r = import(&s, "mkpi-campaigns", &file(&shares)).await;
            assert!(!r.applied, "{shares}");
            assert_eq!(r.problems.len(), 1, "{shares}");
            assert_eq!(r.problems[0].reason, says, "{shares}");
            assert_eq!(r.problems[0].row, 2);
        }
        assert_eq!(stored(&s).await, expected);
    }
}

async fn import_answering(
    s: &Services,
    preset: &str,
    text: &str,
    people: Vec<PersonAnswer>,
) -> ImportReport {
    let request = ImportRequest {
        source: format!("{preset}.csv"),
        preset: s.preset(Principal::Operator, preset).await.unwrap(),
        dry_run: false,
        people,
    };
    s.import_file(
        Principal::Operator,
        Cursor::new(text.as_bytes().to_vec()),
        request,
    )
    .await
    .unwrap()
}

async fn count(s: &Services, sql: &str, id: i64) -> i64 {
    let mut tx = s.store().read().await.unwrap();
    testing::count(&mut tx, sql, id).await
}

fn answer(named: &str, email: &str, create: Option<(&str, &str)>) -> PersonAnswer {
    PersonAnswer {
        named: named.to_string(),
        email: email.to_string(),
        create: create.map(|(name, team)| NewPerson {
            name: name.to_string(),
            team: Some(team.to_string()),
        }),
    }
}

/// A tracker names people mkpi does not know: the report lists each once
/// with its rows; a wrong answer stores nothing; right answers map one to an
/// employee and make the other, and the spellings are kept for that source,
/// so the next file from it just works while another source still asks.
/// Rolling the imports back removes the person and the aliases they made.
#[tokio::test]
async fn people_a_tracker_names_are_answered_once_and_remembered_for_that_source() {
    const ALIASES: &str = "SELECT COUNT(*) FROM employee_aliases WHERE employee_id <> $1";
    const EMPLOYEES: &str = "SELECT COUNT(*) FROM employees WHERE id <> $1";
    const ENTRIES: &str = "SELECT COUNT(*) FROM time_entries WHERE employee_id = $1";
    for db in testing::all().await {
        let s = services(&db.url).await;
        let (known, known_email, _) = employee(&s, "Руководитель performance").await;
        let head = s.login("head", "demo", "t").await.unwrap().actor;
        let team = s
            .list_employees(&head)
            .await
            .unwrap()
            .into_iter()
            .find(|e| e.id == known)
            .and_then(|e| e.team_name)
            .unwrap();
        let file = format!(
            "User,Email,Start date,Start time,Duration,Project\n\
             Anna K,anna.k@agency.ru,2024-12-02,09:00:00,01:30:00,Brand\n\
             Anna K,ANNA.K@agency.ru,2024-12-03,09:00:00,00:45:00,Brand\n\
             Boris,boris@agency.ru,2024-12-02,10:00:00,02:00:00,Brand\n\
             Me,{known_email},2024-12-02,11:00:00,01:00:00,Brand\n"
        );
        let before = snapshot(&s).await;
        let people_before = count(&s, EMPLOYEES, 0).await;
        let entries_before = count(&s, ENTRIES, known).await;

        let r = import_answering(&s, "toggl-time", &file, vec![]).await;
        assert!(!r.applied);
        let unknown: Vec<_> = r
            .unknown_people
            .iter()
            .map(|u| {
                (
                    u.named.as_str(),
                    u.column.as_str(),
                    u.rows,
                    u.first_row,
                    u.reason.as_str(),
                )
            })
            .collect();
        assert_eq!(
            unknown,
            vec![
                (
                    "anna.k@agency.ru",
                    "employee",
                    2,
                    2,
                    "no employee has the e-mail anna.k@agency.ru"
                ),
                (
                    "boris@agency.ru",
                    "employee",
                    1,
                    4,
                    "no employee has the e-mail boris@agency.ru"
                ),
            ]
        );

        // Wrong answers: nobody has the e-mail; no such team. Nothing is stored.
        let wrong = vec![
            answer("anna.k@agency.ru", "nobody@demo.ru", None),
            answer(
                "boris@agency.ru",
                "boris@demo.ru",
                Some(("Boris Petrov", "No Such Team")),
            ),
            answer(" ", "x@demo.ru", None),
        ];
        let r = import_answering(&s, "toggl-time", &file, wrong).await;
        assert!(!r.applied);
        assert_eq!(
            problems(&r)[..3],
            [
                "row 0, column 'people', value ' ': the name as the file writes it is empty",
                "row 0, column 'people', value 'anna.k@agency.ru': no employee has the e-mail nobody@demo.ru: choose someone else or create them",
                "row 0, column 'people', value 'boris@agency.ru': there is no team 'No Such Team'",
            ]
        );
        assert_eq!(snapshot(&s).await, before, "{:?}", db.backend);
        assert_eq!(count(&s, EMPLOYEES, 0).await, people_before);
        assert_eq!(count(&s, ALIASES, 0).await, 0);

        // Right answers: Anna is the known employee, Boris is new in their
        // team; Carol is not in the file, so nobody is made for her.
        let right = vec![
            answer("carol@agency.ru", "carol@demo.ru", Some(("Carol", &team))),
            answer("Anna.K@agency.ru", &known_email, None),
            answer(
                "boris@agency.ru",
                "boris@demo.ru",
                Some(("Boris Petrov", &format!("Marketing/{team}"))),
            ),
        ];
        let first = import_answering(&s, "toggl-time", &file, right).await;
        assert_eq!(problems(&first), Vec::<String>::new(), "{:?}", db.backend);
        assert!(first.applied);
        assert_eq!((first.people_created, first.aliases_added), (1, 2));
        assert_eq!(first.counts.added, 4);
        assert!(first.unknown_people.is_empty());
        assert_eq!(count(&s, ENTRIES, known).await, entries_before + 3);
        let boris = s
            .list_employees(&head)
            .await
            .unwrap()
            .into_iter()
            .find(|e| e.email == "boris@demo.ru")
            .unwrap();
        assert_eq!(
            (
                boris.name.as_str(),
                boris.team_name.as_deref(),
                boris.position.as_str()
            ),
            ("Boris Petrov", Some(team.as_str()), "")
        );
        assert_eq!(count(&s, ENTRIES, boris.id).await, 1);

        // The next file from the same tool needs no answers.
        let next = "User,Email,Start date,Start time,Duration,Project\n\
                    Anna K,anna.k@agency.ru,2024-12-04,09:00:00,01:00:00,Brand\n\
                    Boris,boris@agency.ru,2024-12-04,10:00:00,01:00:00,Brand\n";
        let second = import_answering(&s, "toggl-time", next, vec![]).await;
        assert_eq!(problems(&second), Vec::<String>::new());
        assert_eq!(
            (
                second.counts.added,
                second.people_created,
                second.aliases_added
            ),
            (2, 0, 0)
        );
        assert_eq!(count(&s, ENTRIES, boris.id).await, 2);

        // Another source has not been told who they are.
        let other = "employee,date,hours\nanna.k@agency.ru,2024-12-05,1\n";
        let r = import_answering(&s, "mkpi-time-entries", other, vec![]).await;
        assert!(!r.applied);
        assert_eq!(r.unknown_people.len(), 1);

        // Rolled back, newest first: the person and the aliases go too.
        for id in [second.import_id.unwrap(), first.import_id.unwrap()] {
            s.rollback_import(Principal::Operator, id).await.unwrap();
        }
        assert_eq!(snapshot(&s).await, before, "{:?}", db.backend);
        assert_eq!(count(&s, EMPLOYEES, 0).await, people_before);
        assert_eq!(count(&s, ALIASES, 0).await, 0);
        assert_eq!(count(&s, ENTRIES, known).await, entries_before);
    }
}
