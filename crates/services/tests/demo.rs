//! The demo department: its shape, its accounts and its determinism.

use mkpi_domain::Role;
use mkpi_services::users::Principal;
use mkpi_services::{AuthSettings, Clock, Services, Store};
use mkpi_store::testing;

async fn services(url: &str) -> Services {
    Services::new(
        Store::open(url).await.unwrap(),
        Clock::fixed(1_790_000_000),
        AuthSettings::default(),
    )
}

#[tokio::test]
async fn the_demo_department_has_a_head_five_teams_and_twenty_people_with_one_login_per_role() {
    for db in testing::all().await {
        let s = services(&db.url).await;
        let demo = s.seed_demo(42).await.unwrap();
        assert_eq!(demo.employee_ids.len(), 20);
        assert_eq!(demo.team_ids.len(), 5);

        let users = s.list_users(Principal::Operator).await.unwrap();
        let roles: Vec<(&str, &str, bool)> = users
            .iter()
            .map(|u| (u.login.as_str(), u.role.as_str(), u.employee_id.is_some()))
            .collect();
        assert_eq!(
            roles,
            [
                ("admin", "admin", false),
                ("employee", "employee", true),
                ("head", "head", true),
                ("manager", "manager", true),
                ("viewer", "viewer", false),
            ]
        );

        // The employee works in the manager's team and reports to them.
        let head = s.login("head", "demo", "test").await.unwrap().actor;
        assert_eq!(head.role, Role::Head);
        let employee = s
            .get_employee(&head, demo.employee_employee_id)
            .await
            .unwrap();
        assert_eq!(employee.manager_id, Some(demo.manager_employee_id));
        assert_eq!(employee.team_id, Some(demo.team_ids[0]));

        // Every team has a lead; sub-teams report to their parent's lead.
        let teams = s.list_teams(&head).await.unwrap();
        assert!(teams.iter().all(|t| t.manager_id.is_some()));
        let social = teams.iter().find(|t| t.id == demo.team_ids[1]).unwrap();
        assert_eq!(social.parent_id, Some(demo.team_ids[0]));
        let social_lead = s
            .get_employee(&head, social.manager_id.unwrap())
            .await
            .unwrap();
        assert_eq!(social_lead.manager_id, Some(demo.manager_employee_id));

        // A second seeding would mix two organisations: refused, nothing added.
        let err = s.seed_demo(42).await.unwrap_err();
        assert!(
            err.to_string().contains("already holds an organisation"),
            "{err}"
        );
        assert_eq!(s.list_employees(&head).await.unwrap().len(), 20);
    }
}

#[tokio::test]
async fn the_same_seed_gives_the_same_department() {
    let (a, b, c) = (testing::sqlite(), testing::sqlite(), testing::sqlite());
    let mut people = Vec::new();
    for (db, seed) in [(&a, 7), (&b, 7), (&c, 8)] {
        let s = services(&db.url).await;
        s.seed_demo(seed).await.unwrap();
        let head = s.login("head", "demo", "test").await.unwrap().actor;
        let list: Vec<(String, String, String)> = s
            .list_employees(&head)
            .await
            .unwrap()
            .into_iter()
            .map(|e| (e.name, e.email, e.hire_date))
            .collect();
        people.push(list);
    }
    assert_eq!(people[0], people[1]);
    assert_ne!(people[0], people[2]);
}

#[tokio::test]
async fn the_demo_data_is_two_years_of_campaign_statistics_imported_like_any_file() {
    let db = testing::sqlite();
    let s = services(&db.url).await;
    let demo = s.seed_demo(42).await.unwrap();
    s.seed_demo_data(42, &demo).await.unwrap();
    let imports = s.list_imports(Principal::Operator, 20).await.unwrap();
    let summary: Vec<(&str, &str, i64)> = imports
        .iter()
        .rev()
        .map(|i| (i.preset.as_str(), i.actor.as_str(), i.rows_added))
        .collect();
    let presets: Vec<&str> = summary.iter().map(|s| s.0).collect();
    assert_eq!(
        presets,
        vec![
            "mkpi-campaigns",
            "mkpi-ad-stats",
            "mkpi-orders",
            "mkpi-web-traffic",
            "mkpi-lead-stages",
            "mkpi-survey-responses",
            "mkpi-social-stats",
            "mkpi-time-entries",
            "mkpi-tasks",
            "mkpi-marketing-costs"
        ]
    );
    assert!(
        summary.iter().all(|s| s.1 == "demo" && s.2 > 0),
        "{summary:?}"
    );
    assert_eq!(summary[0].2, 10);
    // 9 daily campaigns × 730 days, and the e-mail digest on the 104 or 105 Tuesdays.
    let emails = summary[1].2 - 9 * 730;
    assert!((104..=105).contains(&emails), "{summary:?}");
    // Nine sources of traffic and four social accounts a day.
    assert_eq!(summary[3].2, 9 * 730);
    assert_eq!(summary[6].2, 4 * 730);
    // Monthly CSAT/NPS waves of 60 over 24 months, quarterly panels of 100.
    assert_eq!(summary[5].2, 24 * 60 + 8 * 100);

    let mut tx = s.store().read().await.unwrap();
    let totals = mkpi_store::ad_stats::totals(&mut tx).await.unwrap();
    assert_eq!(totals.row_count, summary[1].2);
    assert!(totals.clicks > 0 && totals.clicks < totals.impressions);
    let owned = mkpi_store::campaigns::all(&mut tx).await.unwrap();
    assert!(
        owned.iter().all(|c| c.owner_employee_id.is_some()),
        "every demo campaign has an owner"
    );
    assert!(
        owned
            .iter()
            .any(|c| c.owner_employee_id == Some(demo.employee_employee_id))
    );
    drop(tx);

    // KPIs of this year (the clock says 2026-09-22), all with a value and a status.
    let head = s.login("head", "demo", "t").await.unwrap().actor;
    let year = mkpi_domain::period::Period::parse("2026-01-01", "2027-01-01").unwrap();
    let department = mkpi_services::metrics::ScopeRef::Department;
    let kpis = s.kpis_for(&head, &department, year).await.unwrap();
    let codes: Vec<&str> = kpis.iter().map(|k| k.metric.code.as_str()).collect();
    assert_eq!(codes, ["roas", "cac", "sessions", "nps", "csat"]);
    assert!(
        kpis.iter().all(|k| k.value.is_some()
            && k.status != mkpi_domain::kpi::Status::NoData
            && !k.finished),
        "{kpis:?}"
    );
    // No tile of last month looks broken: CSAT is not a flat 100%, and the
    // budget use has a value.
    let august = mkpi_domain::period::Period::parse("2026-08-01", "2026-09-01").unwrap();
    let tiles = s
        .metric_values(
            &head,
            &["csat".to_string(), "budget_utilisation".to_string()],
            &department,
            august,
        )
        .await
        .unwrap();
    let csat = tiles[0].value.unwrap();
    let budget = tiles[1].value.unwrap();
    assert!((0.6..0.95).contains(&csat), "CSAT {csat}");
    assert!((0.5..1.2).contains(&budget), "budget use {budget}");
    // Sessions have monthly targets: September's is one month's.
    let september = mkpi_domain::period::Period::parse("2026-09-01", "2026-10-01").unwrap();
    let kpis = s.kpis_for(&head, &department, september).await.unwrap();
    let sessions = kpis.iter().find(|k| k.metric.code == "sessions").unwrap();
    assert_eq!(sessions.bands.unwrap().target, 270_000.0);
    // Every campaign owner answers for ROAS; the employee for being on time.
    let owner = owned[0].owner_employee_id.unwrap();
    let card = s.scorecard(&head, owner, year).await.unwrap();
    assert!(
        card.kpis
            .iter()
            .any(|k| k.metric.code == "roas" && k.value.is_some())
    );
    let card = s
        .scorecard(&head, demo.employee_employee_id, year)
        .await
        .unwrap();
    assert!(card.kpis.iter().any(|k| k.metric.code == "on_time_rate"));
    // The demo has people to notice, each with numbers.
    let people = s.list_employees(&head).await.unwrap();
    let today = mkpi_domain::period::Day::parse("2026-09-22").unwrap();
    let flags = s.flags_for(&head, &people, today).await.unwrap();
    assert!(!flags.is_empty());

    // Goals cascade from the department; every active one passes SMART,
    // and the employee's proposal is a draft that does not.
    let tree = s.goal_tree(&head, None).await.unwrap();
    let mut all = Vec::new();
    fn walk<'a>(
        v: &'a [mkpi_services::goals::GoalView],
        out: &mut Vec<&'a mkpi_services::goals::GoalView>,
    ) {
        for g in v {
            out.push(g);
            walk(&g.children, out);
        }
    }
    walk(&tree, &mut all);
    assert_eq!(
        all.len(),
        9,
        "{:?}",
        all.iter().map(|g| &g.goal.title).collect::<Vec<_>>()
    );
    assert!(
        all.iter()
            .filter(|g| g.goal.status == "active")
            .all(|g| g.smart.passes())
    );
    let drafts: Vec<&str> = all
        .iter()
        .filter(|g| g.goal.status == "draft")
        .map(|g| g.goal.title.as_str())
        .collect();
    assert_eq!(drafts, ["Изучить веб-аналитику"]);
    let revenue = all
        .iter()
        .find(|g| g.goal.metric_code.as_deref() == Some("order_revenue"))
        .unwrap();
    assert!(
        revenue.progress.is_some() && revenue.projected,
        "{revenue:?}"
    );

    // Two released review cycles with peers shown and a score for everyone.
    let cycles = s.review_cycles(&head).await.unwrap();
    let names: Vec<(&str, &str)> = cycles
        .iter()
        .map(|c| (c.name.as_str(), c.status.as_str()))
        .collect();
    assert_eq!(names, [("2026 Q2", "closed"), ("2026 Q1", "closed")]);
    let employee = s.login("employee", "demo", "t").await.unwrap().actor;
    let mine = s
        .review_results(&employee, cycles[0].id, demo.employee_employee_id)
        .await
        .unwrap();
    let peers = mine
        .perspectives
        .iter()
        .find(|p| p.perspective == mkpi_domain::review::Perspective::Peer)
        .unwrap();
    assert_eq!(
        (peers.answers, peers.hidden.is_none(), peers.comments.len()),
        (3, true, 3)
    );
    assert!(mine.score.value.is_some());
    // It ships report definitions, the quarterly one with every section.
    let reports: Vec<String> = s
        .report_definitions(&head)
        .await
        .unwrap()
        .into_iter()
        .map(|d| format!("{} {}", d.name, d.period_kind))
        .collect();
    assert_eq!(reports, ["monthly last_month", "quarterly last_quarter"]);
    // Their history rises from Q1 to Q2; the Q2 calibration rated
    // potential for all four and moved one score with its reason.
    let history = s
        .review_history(&employee, demo.employee_employee_id)
        .await
        .unwrap();
    assert_eq!(
        history
            .iter()
            .map(|p| p.cycle.name.as_str())
            .collect::<Vec<_>>(),
        ["2026 Q1", "2026 Q2"]
    );
    let calibration = s.calibration(&head, cycles[0].id).await.unwrap();
    assert_eq!(
        calibration
            .rows
            .iter()
            .filter(|r| r.nine_box.is_some())
            .count(),
        4
    );
    let moved: Vec<_> = calibration
        .rows
        .iter()
        .filter_map(|r| r.adjustment.as_ref())
        .collect();
    assert_eq!(moved.len(), 1);
    assert_eq!(moved[0].delta, -0.05);

    // Its KPIs raise alerts, each with the numbers behind it.
    let raised = s.check_alerts().await.unwrap();
    assert!(raised.iter().any(|a| a.kind == "off_track"), "{raised:?}");
    assert!(raised.iter().all(|a| a.value.is_some()));
    assert_eq!(s.alerts(&head, 7).await.unwrap().len(), raised.len());

    // The explorer's teams hold the whole department's spend: every demo
    // campaign's owner is in a team, and none counts twice.
    let august = mkpi_domain::period::Period::parse("2026-08-01", "2026-09-01").unwrap();
    let e = s
        .explore(
            &head,
            &department,
            mkpi_services::explorer::Split::Organisation,
            august,
        )
        .await
        .unwrap();
    let spend = |v: &[mkpi_services::metrics::MetricAnswer]| v[0].value.unwrap_or(0.0);
    let rows: f64 = e.rows.iter().map(|r| spend(&r.values)).sum();
    assert!(spend(&e.totals) > 0.0);
    assert!(
        (rows - spend(&e.totals)).abs() < 0.01,
        "{rows} vs {}",
        spend(&e.totals)
    );
}

#[tokio::test]
async fn late_in_the_year_the_demo_also_holds_a_cycle_taking_answers_for_the_last_quarter() {
    let db = testing::sqlite();
    // 2026-11-30: the last full quarter is Q3.
    let s = Services::new(
        Store::open(&db.url).await.unwrap(),
        Clock::fixed(1_796_000_000),
        AuthSettings::default(),
    );
    let demo = s.seed_demo(42).await.unwrap();
    s.seed_demo_data(42, &demo).await.unwrap();
    let head = s.login("head", "demo", "t").await.unwrap().actor;
    let cycles = s.review_cycles(&head).await.unwrap();
    let names: Vec<(&str, &str, &str)> = cycles
        .iter()
        .map(|c| (c.name.as_str(), c.status.as_str(), c.recurrence.as_str()))
        .collect();
    assert_eq!(
        names,
        [
            ("2026 Q3", "open", "quarterly"),
            ("2026 Q2", "closed", "none"),
            ("2026 Q1", "closed", "none")
        ]
    );
    let employee = s.login("employee", "demo", "t").await.unwrap().actor;
    let view = s.review_cycle(&employee, cycles[0].id).await.unwrap();
    assert_eq!(view.todo.len(), 1, "their self-assessment");
    let manager = s.login("manager", "demo", "t").await.unwrap().actor;
    let view = s.review_cycle(&manager, cycles[0].id).await.unwrap();
    let mine = view
        .people
        .iter()
        .find(|p| p.employee_id == demo.employee_employee_id)
        .unwrap();
    assert_eq!((mine.peers_named, mine.peers_done), (3, 1));
    // The manager owes three assessments as the manager, and none as a
    // peer: who reads the results never rates anonymously.
    assert_eq!(view.todo.len(), 3, "{:?}", view.todo);
    assert!(
        view.todo
            .iter()
            .all(|t| t.perspective == mkpi_domain::review::Perspective::Manager)
    );
}

#[tokio::test]
async fn the_grouped_monthly_reading_equals_asking_month_by_month() {
    use mkpi_domain::period::Period;
    for db in testing::all().await {
        let s = services(&db.url).await;
        let demo = s.seed_demo(42).await.unwrap();
        s.seed_demo_data(42, &demo).await.unwrap();
        let head = s.login("head", "demo", "t").await.unwrap().actor;
        let mut codes: Vec<String> = mkpi_services::dashboard::TILE_METRICS
            .iter()
            .map(ToString::to_string)
            .collect();
        codes.extend(
            [
                "cac_blended",
                "romi",
                "gross_margin_rate",
                "marketing_costs",
            ]
            .map(String::from),
        );
        let first = Period::parse("2025-10-01", "2025-11-01").unwrap();
        let months: Vec<Period> = (0..12)
            .map(|k| Period::month_of(first.from.plus_months(k)))
            .collect();
        let grouped = s.department_months(&head, &codes, &months).await.unwrap();
        assert_eq!(grouped.len(), 12);
        let mut with_values = 0;
        for (month, answers) in grouped {
            let alone = s
                .metric_values(
                    &head,
                    &codes,
                    &mkpi_services::metrics::ScopeRef::Department,
                    month,
                )
                .await
                .unwrap();
            assert_eq!(answers, alone, "{month:?} {:?}", db.backend);
            with_values += answers.iter().filter(|a| a.value.is_some()).count();
        }
        assert!(with_values > 12 * 15, "{with_values} values");
    }
}
