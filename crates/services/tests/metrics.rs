//! Metric values from imported facts, hand-computed, on both backends:
//! ratios of sums at every level, attribution by share without creating or
//! losing value, zero denominators as no value, scopes the caller may not
//! see as not found, and custom metrics checked before they are stored.

use std::io::Cursor;

use mkpi_domain::kpi::Status;
use mkpi_domain::metric::MetricDraft;
use mkpi_domain::period::Period;
use mkpi_services::development_actions::NewActionInput;
use mkpi_services::imports::ImportRequest;
use mkpi_services::kpis::{NewKpiInput, TargetInput};
use mkpi_services::metrics::{MetricAnswer, ScopeRef};
use mkpi_services::users::Principal;
use mkpi_services::{Actor, AuthSettings, Clock, Error, Services, Store};
use mkpi_store::testing;

async fn services(url: &str) -> Services {
    services_at(url, 1_790_000_000).await
}

async fn services_at(url: &str, now: i64) -> Services {
    let s = Services::new(
        Store::open(url).await.unwrap(),
        Clock::fixed(now),
        AuthSettings::default(),
    );
    s.seed_demo(42).await.unwrap();
    s
}

async fn import(s: &Services, preset: &str, text: &str) {
    let preset = s.preset(Principal::Operator, preset).await.unwrap();
    let request = ImportRequest {
        source: "test.csv".into(),
        preset,
        dry_run: false,
        people: Vec::new(),
    };
    let r = s
        .import_file(
            Principal::Operator,
            Cursor::new(text.as_bytes().to_vec()),
            request,
        )
        .await
        .unwrap();
    let problems: Vec<String> = r.problems.iter().map(ToString::to_string).collect();
    assert_eq!(problems, Vec::<String>::new());
}

async fn actor(s: &Services, login: &str) -> Actor {
    s.login(login, "demo", "t").await.unwrap().actor
}

fn march() -> Period {
    Period::parse("2025-03-01", "2025-04-01").unwrap()
}

async fn values(
    s: &Services,
    who: &Actor,
    scope: &ScopeRef,
    period: Period,
    codes: &[&str],
) -> Vec<MetricAnswer> {
    let codes: Vec<String> = codes.iter().map(ToString::to_string).collect();
    s.metric_values(who, &codes, scope, period).await.unwrap()
}

/// `code=value` with values rounded to 6 places (— for none).
fn shown(answers: &[MetricAnswer]) -> Vec<String> {
    answers
        .iter()
        .map(|a| match a.value {
            Some(v) => format!("{}={}", a.code, (v * 1e6).round() / 1e6),
            None => format!("{}=—", a.code),
        })
        .collect()
}

/// Two people of the demo: the manager (owner of C1) and an employee of
/// theirs (30% of C1, owner of C2).
async fn load(s: &Services) -> (i64, i64) {
    let head = actor(s, "head").await;
    let people = s.list_employees(&head).await.unwrap();
    let manager = actor(s, "manager").await.employee_id.unwrap();
    let employee = actor(s, "employee").await.employee_id.unwrap();
    let email = |id: i64| people.iter().find(|e| e.id == id).unwrap().email.clone();
    let (m, e) = (email(manager), email(employee));
    import(
        s,
        "mkpi-campaigns",
        &format!(
            "campaign,name,channel,owner,contributors,budget,currency,start,end\n\
             C1,Search,paid_search,{m},{e}: 30%,3100.00,RUB,2025-03-01,2025-03-31\n\
             C2,Mailing,email,{e},,,RUB,,\n"
        ),
    )
    .await;
    import(
        s,
        "mkpi-ad-stats",
        "date,campaign,impressions,clicks,spend,conversions,conversion_value,currency\n\
         2025-03-01,C1,1000,50,100.00,5,400.00,RUB\n\
         2025-03-15,C1,3000,150,300.00,15,1200.00,RUB\n\
         2025-04-01,C1,9999,999,999.00,99,9999.00,RUB\n\
         2025-03-10,C2,2000,40,80.00,0,0,RUB\n",
    )
    .await;
    import(
        s,
        "mkpi-orders",
        "order_id,customer_id,date,amount,currency,status,campaign\n\
         O1,K1,2025-02-10,100.00,RUB,paid,C1\n\
         O2,K1,2025-03-05,300.00,RUB,paid,C1\n\
         O3,K2,2025-03-06,0,RUB,paid,\n\
         O4,K3,2025-03-07,500.00,RUB,refunded,C1\n\
         O5,K4,2025-01-20,50.00,RUB,paid,\n",
    )
    .await;
    import(
        s,
        "mkpi-web-traffic",
        "date,channel,source,medium,sessions,users,new_users,conversions\n\
         2025-03-02,paid_search,yandex,cpc,100,90,60,4\n\
         2025-03-03,organic_search,google,organic,300,250,100,8\n",
    )
    .await;
    import(
        s,
        "mkpi-survey-responses",
        "response_id,date,segment,csat,nps,aware_aided,aware_unaided\n\
         R1,2025-03-10,new,5,10,yes,no\n\
         R2,2025-03-11,new,3,6,yes,yes\n\
         R3,2025-03-12,returning,4,8,no,no\n\
         R4,2025-03-13,returning,,9,,\n",
    )
    .await;
    import(
        s,
        "mkpi-tasks",
        &format!(
            "task,title,kind,status,assignee,created,due,completed,estimate_hours,spent_hours,campaign\n\
             T1,Brief,campaign,done,{m},2025-02-20,2025-03-05,2025-03-04,6,9,C1\n\
             T2,Landing,campaign,done,{e},2025-03-01,2025-03-05,2025-03-10,4,4,C2\n\
             T3,Report,analysis,done,{e},2025-03-01,,2025-03-20,,,\n\
             T4,Plan,strategy,in progress,{e},2025-03-01,2025-03-30,,,,\n"
        ),
    )
    .await;
    (manager, employee)
}

const ADS: [&str; 9] = [
    "spend",
    "impressions",
    "clicks",
    "conversions",
    "ctr",
    "cpc",
    "cpa",
    "roas",
    "roi",
];

#[tokio::test]
async fn metrics_are_ratios_of_sums_at_every_level() {
    for db in testing::all().await {
        let s = services(&db.url).await;
        let (manager, employee) = load(&s).await;
        let head = actor(&s, "head").await;

        let dept = values(&s, &head, &ScopeRef::Department, march(), &ADS).await;
        assert_eq!(
            shown(&dept),
            [
                "spend=480",
                "impressions=6000",
                "clicks=240",
                "conversions=20",
                "ctr=0.04",
                "cpc=2",
                "cpa=24",
                "roas=3.333333",
                "roi=2.333333"
            ],
            "{:?}",
            db.backend
        );
        let roi = &dept[8];
        assert_eq!(
            (roi.numerator, roi.denominator),
            (Some(1120.0), Some(480.0))
        );
        assert_eq!(roi.currency.as_deref(), Some("RUB"));

        // The owner has 70% of C1; the contributor 30% of C1 and all of C2.
        let m = values(&s, &head, &ScopeRef::Employee(manager), march(), &ADS).await;
        assert_eq!(
            shown(&m),
            [
                "spend=280",
                "impressions=2800",
                "clicks=140",
                "conversions=14",
                "ctr=0.05",
                "cpc=2",
                "cpa=20",
                "roas=4",
                "roi=3"
            ]
        );
        let e = values(&s, &head, &ScopeRef::Employee(employee), march(), &ADS).await;
        assert_eq!(
            shown(&e),
            [
                "spend=200",
                "impressions=3200",
                "clicks=100",
                "conversions=6",
                "ctr=0.03125",
                "cpc=2",
                "cpa=33.333333",
                "roas=2.4",
                "roi=1.4"
            ]
        );
        // Shares neither create nor lose value: the two people hold all of it.
        for i in 0..4 {
            assert_eq!(
                m[i].value.unwrap() + e[i].value.unwrap(),
                dept[i].value.unwrap()
            );
        }
        // A campaign and a channel.
        let c2 = values(
            &s,
            &head,
            &ScopeRef::Channel("email".into()),
            march(),
            &["spend", "cpa", "ctr"],
        )
        .await;
        assert_eq!(
            shown(&c2),
            ["spend=80", "cpa=—", "ctr=0.02"],
            "no conversions: no CPA"
        );

        // Budget: C1's 3,100 over its 31 days; half a month holds 15 of them.
        let half = Period::parse("2025-03-01", "2025-03-16").unwrap();
        let b = values(
            &s,
            &head,
            &ScopeRef::Department,
            half,
            &["budget_utilisation"],
        )
        .await;
        assert_eq!(shown(&b), ["budget_utilisation=0.266667"]);
        assert_eq!(
            (b[0].numerator, b[0].denominator),
            (Some(400.0), Some(1500.0))
        );
    }
}

#[tokio::test]
async fn customer_web_survey_and_task_metrics_follow_their_definitions() {
    for db in testing::all().await {
        let s = services(&db.url).await;
        let (manager, employee) = load(&s).await;
        let head = actor(&s, "head").await;
        let codes = [
            "orders",
            "order_revenue",
            "aov",
            "active_customers",
            "new_customers",
            "cac",
            "repeat_purchase_rate",
            "churn_rate",
            "retention_rate",
            "purchase_frequency",
        ];
        let v = values(&s, &head, &ScopeRef::Department, march(), &codes).await;
        assert_eq!(
            shown(&v),
            [
                "orders=2",
                "order_revenue=300",
                "aov=150",
                "active_customers=2",
                "new_customers=1",
                "cac=480",
                "repeat_purchase_rate=0.5",
                "churn_rate=0.5",
                "retention_rate=0.5",
                "purchase_frequency=1"
            ],
            "{:?}",
            db.backend
        );
        let web = [
            "sessions",
            "new_users",
            "web_conversion_rate",
            "visitor_to_buyer_rate",
        ];
        let v = values(&s, &head, &ScopeRef::Department, march(), &web).await;
        assert_eq!(
            shown(&v),
            [
                "sessions=400",
                "new_users=160",
                "web_conversion_rate=0.03",
                "visitor_to_buyer_rate=0.005"
            ]
        );
        let v = values(
            &s,
            &head,
            &ScopeRef::Channel("paid_search".into()),
            march(),
            &["sessions"],
        )
        .await;
        assert_eq!(shown(&v), ["sessions=100"]);
        // A person has no web traffic of their own: no value, and why.
        let v = values(
            &s,
            &head,
            &ScopeRef::Employee(manager),
            march(),
            &["sessions", "orders", "order_revenue"],
        )
        .await;
        assert_eq!(shown(&v), ["sessions=—", "orders=0.7", "order_revenue=210"]);
        assert_eq!(
            v[0].note.as_deref(),
            Some("web analytics cannot be attributed to a person")
        );

        let survey = [
            "csat",
            "nps",
            "brand_awareness_aided",
            "brand_awareness_unaided",
        ];
        let v = values(&s, &head, &ScopeRef::Department, march(), &survey).await;
        assert_eq!(
            shown(&v),
            [
                "csat=0.666667",
                "nps=25",
                "brand_awareness_aided=0.666667",
                "brand_awareness_unaided=0.333333"
            ]
        );

        let tasks = [
            "tasks_done",
            "on_time_rate",
            "estimate_accuracy",
            "launch_lead_time_days",
            "avg_quality",
        ];
        let v = values(&s, &head, &ScopeRef::Department, march(), &tasks).await;
        assert_eq!(
            shown(&v),
            [
                "tasks_done=3",
                "on_time_rate=0.5",
                "estimate_accuracy=1.3",
                "launch_lead_time_days=10.5",
                "avg_quality=—"
            ]
        );
        let v = values(&s, &head, &ScopeRef::Employee(employee), march(), &tasks).await;
        assert_eq!(
            shown(&v),
            [
                "tasks_done=2",
                "on_time_rate=0",
                "estimate_accuracy=1",
                "launch_lead_time_days=9",
                "avg_quality=—"
            ]
        );
    }
}

#[tokio::test]
async fn scopes_outside_the_callers_view_are_not_found() {
    let db = testing::sqlite();
    let s = services(&db.url).await;
    let (manager, employee) = load(&s).await;
    let worker = actor(&s, "employee").await;
    let own = values(
        &s,
        &worker,
        &ScopeRef::Employee(employee),
        march(),
        &["spend"],
    )
    .await;
    assert_eq!(shown(&own), ["spend=200"]);
    for scope in [
        ScopeRef::Employee(manager),
        ScopeRef::Employee(999_999),
        ScopeRef::Team(1),
        ScopeRef::Campaign(999_999),
    ] {
        let r = s
            .metric_values(&worker, &["spend".to_string()], &scope, march())
            .await;
        assert!(matches!(r, Err(Error::NotFound)), "{scope}: {r:?}");
    }
    let r = s
        .metric_values(
            &worker,
            &["clics".to_string()],
            &ScopeRef::Department,
            march(),
        )
        .await;
    assert_eq!(
        r.unwrap_err().to_string(),
        "invalid input: code: 'clics' is not a metric (GET /api/v1/metrics lists them)"
    );
}

#[tokio::test]
async fn custom_metrics_are_checked_versioned_and_computed() {
    for db in testing::all().await {
        let s = services(&db.url).await;
        load(&s).await;
        let admin = actor(&s, "admin").await;
        let head = actor(&s, "head").await;
        let draft = |formula: &str| MetricDraft {
            code: "cost_per_order".into(),
            name_en: "Cost per order".into(),
            name_ru: "Расход на заказ".into(),
            formula: formula.into(),
            unit: "money".into(),
            direction: "lower".into(),
            description: "Ad spend per paid order.".into(),
        };
        let denied = s
            .define_metric(Principal::User(&head), &draft("spend / orders"))
            .await;
        assert!(matches!(denied, Err(Error::Forbidden)));
        let wrong = s
            .define_metric(Principal::User(&admin), &draft("spend + orders"))
            .await
            .unwrap_err();
        assert_eq!(
            wrong.to_string(),
            "invalid input: formula: cannot add spend (money) and orders (count): they measure different things"
        );
        assert!(
            s.catalogue().await.unwrap().get("cost_per_order").is_none(),
            "nothing stored"
        );

        let m = s
            .define_metric(Principal::User(&admin), &draft("spend / orders"))
            .await
            .unwrap();
        assert_eq!(m.version, 1);
        let v = values(
            &s,
            &head,
            &ScopeRef::Department,
            march(),
            &["cost_per_order"],
        )
        .await;
        assert_eq!(shown(&v), ["cost_per_order=240"]);
        let m = s
            .define_metric(Principal::User(&admin), &draft("spend / active_customers"))
            .await
            .unwrap();
        assert_eq!(m.version, 2);
        let v = values(
            &s,
            &head,
            &ScopeRef::Department,
            march(),
            &["cost_per_order"],
        )
        .await;
        assert_eq!(
            (shown(&v), v[0].version),
            (vec!["cost_per_order=240".to_string()], 2)
        );
    }
}

/// (from, to, floor, target, stretch)
type Target<'a> = (&'a str, &'a str, Option<f64>, f64, Option<f64>);

fn kpi(metric: &str, scope: &str, from: &str, to: &str, targets: &[Target]) -> NewKpiInput {
    NewKpiInput {
        metric: metric.into(),
        scope: scope.into(),
        from: from.into(),
        to: to.into(),
        weight: None,
        cap: None,
        alert_change_pct: None,
        targets: targets
            .iter()
            .map(|(from, to, floor, target, stretch)| TargetInput {
                from: (*from).into(),
                to: (*to).into(),
                floor: *floor,
                target: *target,
                stretch: *stretch,
            })
            .collect(),
    }
}

/// 2025-03-16 01:00 UTC: half of March has passed.
const MID_MARCH: i64 = 1_742_083_200 + 3600;
/// 2025-04-10: March is over.
const APRIL: i64 = 1_744_243_200;

#[tokio::test]
async fn a_kpi_running_is_judged_by_its_forecast_and_a_finished_one_by_its_value() {
    for db in testing::all().await {
        let s = services_at(&db.url, MID_MARCH).await;
        let (_, employee) = load(&s).await;
        let manager = actor(&s, "manager").await;
        let scope = format!("employee:{employee}");
        let input = kpi(
            "clicks",
            &scope,
            "2025-03-01",
            "2025-04-01",
            &[("2025-03-01", "2025-04-01", Some(120.0), 150.0, Some(200.0))],
        );
        let v = s.create_kpi(&manager, &input).await.unwrap();
        // 100 clicks so far (30% of C1's 200, all of C2's 40); the trend
        // of the cumulative clicks reaches 150 by the 31st.
        assert_eq!(
            (v.value, v.finished, v.status),
            (Some(100.0), false, Status::OnTrack),
            "{:?}",
            db.backend
        );
        let f = v.forecast.unwrap();
        assert_eq!(f.value, 150.0);
        assert!(f.low < 150.0 && f.high > 150.0);
        assert_eq!(v.achievement, Some(100.0 / 150.0));
        let listed = s
            .kpis_for(
                &manager,
                &mkpi_services::metrics::ScopeRef::Employee(employee),
                march(),
            )
            .await
            .unwrap();
        assert_eq!(listed.len(), 1);
        assert_eq!(listed[0].value, Some(100.0));
    }
}

#[tokio::test]
async fn targets_follow_the_window_and_lower_is_better_beats_the_target_downwards() {
    for db in testing::all().await {
        let s = services_at(&db.url, APRIL).await;
        load(&s).await;
        let head = actor(&s, "head").await;
        // CPA: lower is better. 24 against a target of 20 and a floor of 30.
        let v = s
            .create_kpi(
                &head,
                &kpi(
                    "cpa",
                    "department",
                    "2025-03-01",
                    "2025-04-01",
                    &[("2025-03-01", "2025-04-01", Some(30.0), 20.0, None)],
                ),
            )
            .await
            .unwrap();
        assert_eq!(
            (v.value, v.finished, v.status, v.forecast),
            (Some(24.0), true, Status::AtRisk, None),
            "{:?}",
            db.backend
        );
        assert_eq!(v.achievement, Some(20.0 / 24.0));
        // Monthly targets: 200 clicks in March, 400 in April.
        s.create_kpi(
            &head,
            &kpi(
                "clicks",
                "department",
                "2025-03-01",
                "2025-05-01",
                &[
                    ("2025-03-01", "2025-04-01", None, 200.0, None),
                    ("2025-04-01", "2025-05-01", None, 400.0, None),
                ],
            ),
        )
        .await
        .unwrap();
        let scope = mkpi_services::metrics::ScopeRef::Department;
        let in_march = s.kpis_for(&head, &scope, march()).await.unwrap();
        let clicks = in_march.iter().find(|k| k.metric.code == "clicks").unwrap();
        assert_eq!(
            (clicks.value, clicks.bands.unwrap().target, clicks.status),
            (Some(240.0), 200.0, Status::OnTrack)
        );
        assert_eq!(clicks.achievement, Some(1.2));
        let half = Period::parse("2025-03-01", "2025-03-16").unwrap();
        let early = s.kpis_for(&head, &scope, half).await.unwrap();
        let clicks = early.iter().find(|k| k.metric.code == "clicks").unwrap();
        assert_eq!(clicks.bands.unwrap().target, 200.0 * 15.0 / 31.0);
        // The ratio keeps the target in force at the window's end.
        let cpa = early.iter().find(|k| k.metric.code == "cpa").unwrap();
        assert_eq!(cpa.bands.unwrap().target, 20.0);
    }
}

#[tokio::test]
async fn bad_kpis_are_refused_with_every_reason_and_store_nothing() {
    let db = testing::sqlite();
    let s = services_at(&db.url, APRIL).await;
    let (manager_id, _) = load(&s).await;
    let head = actor(&s, "head").await;
    let err = s
        .create_kpi(
            &head,
            &kpi(
                "clics",
                "galaxy",
                "2025-03-01",
                "2025-02-01",
                &[("2025-03-01", "2025-04-01", Some(10.0), 5.0, None)],
            ),
        )
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid input: metric: 'clics' is not a metric (GET /api/v1/metrics lists them); period: the period must end after it starts ('to' is exclusive: from=2025-03-01&to=2025-04-01 is March); scope: 'galaxy' is not a scope: use department, team:ID, employee:ID, campaign:ID or channel:CODE"
    );
    let err = s
        .create_kpi(
            &head,
            &kpi(
                "clicks",
                "department",
                "2025-03-01",
                "2025-04-01",
                &[
                    ("2025-03-01", "2025-03-20", Some(300.0), 200.0, None),
                    ("2025-03-15", "2025-04-10", None, 200.0, Some(100.0)),
                ],
            ),
        )
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid input: targets[0]: the floor must be worse than the target (higher is better); targets[1]: [2025-03-15, 2025-04-10) lies outside the KPI's period; targets[1]: the stretch must be better than the target (higher is better); targets: [2025-03-01, 2025-03-20) and [2025-03-15, 2025-04-10) overlap"
    );
    let fine = kpi(
        "clicks",
        "department",
        "2025-03-01",
        "2025-04-01",
        &[("2025-03-01", "2025-04-01", None, 200.0, None)],
    );
    let manager = actor(&s, "manager").await;
    assert!(
        matches!(s.create_kpi(&manager, &fine).await, Err(Error::Forbidden)),
        "a manager sets no department KPI"
    );
    let worker = actor(&s, "employee").await;
    assert!(matches!(
        s.create_kpi(&worker, &fine).await,
        Err(Error::Forbidden)
    ));
    let theirs = kpi(
        "clicks",
        &format!("employee:{manager_id}"),
        "2025-03-01",
        "2025-04-01",
        &[("2025-03-01", "2025-04-01", None, 200.0, None)],
    );
    assert!(matches!(
        s.create_kpi(&worker, &theirs).await,
        Err(Error::Forbidden)
    ));
    let scope = mkpi_services::metrics::ScopeRef::Department;
    assert!(
        s.kpis_for(&head, &scope, march()).await.unwrap().is_empty(),
        "nothing stored"
    );
}

#[tokio::test]
async fn a_scorecard_weighs_the_kpis_that_apply_and_shows_where_the_time_went() {
    for db in testing::all().await {
        let s = services_at(&db.url, APRIL).await;
        let (manager_id, employee) = load(&s).await;
        let head = actor(&s, "head").await;
        let people = s.list_employees(&head).await.unwrap();
        let me = people.iter().find(|e| e.id == employee).unwrap();
        import(
            &s,
            "mkpi-time-entries",
            &format!(
                "employee,date,hours,campaign\n\
                 {0},2025-03-03,10,C1\n{0},2025-03-04,5,C2\n{0},2025-03-05,2,\n{0},2025-04-01,7,C1\n",
                me.email
            ),
        )
        .await;
        let manager = actor(&s, "manager").await;
        let whole = ("2025-03-01", "2025-04-01");
        let one = |target: f64| [(whole.0, whole.1, None, target, None)];
        // Own: 100 clicks of 150 (weight 2). Their campaign C2: 40 clicks
        // of 20 (capped at 150%). Their team: seen by the manager only.
        let mut own = kpi(
            "clicks",
            &format!("employee:{employee}"),
            whole.0,
            whole.1,
            &one(150.0),
        );
        own.weight = Some(2.0);
        s.create_kpi(&manager, &own).await.unwrap();
        let campaigns = {
            let mut tx = s.store().read().await.unwrap();
            mkpi_store::campaigns::all(&mut tx).await.unwrap()
        };
        let c2_id = campaigns.iter().find(|c| c.external_id == "C2").unwrap().id;
        s.create_kpi(
            &manager,
            &kpi(
                "clicks",
                &format!("campaign:{c2_id}"),
                whole.0,
                whole.1,
                &one(20.0),
            ),
        )
        .await
        .unwrap();
        let team = me.team_id.unwrap();
        s.create_kpi(
            &manager,
            &kpi(
                "clicks",
                &format!("team:{team}"),
                whole.0,
                whole.1,
                &one(1000.0),
            ),
        )
        .await
        .unwrap();

        let seen_by_manager = s.scorecard(&manager, employee, march()).await.unwrap();
        assert_eq!(seen_by_manager.kpis.len(), 3, "{:?}", db.backend);
        let worker = actor(&s, "employee").await;
        let card = s.scorecard(&worker, employee, march()).await.unwrap();
        let scopes: Vec<&str> = card.kpis.iter().map(|k| k.scope.as_str()).collect();
        assert_eq!(
            scopes,
            [format!("employee:{employee}"), format!("campaign:{c2_id}")]
        );
        // (2 × 100/150 + 1 × 1.5) / 3
        assert_eq!(card.kpi_score, Some((2.0 * (100.0 / 150.0) + 1.5) / 3.0));
        assert_eq!(card.kpis_without_achievement, 0);
        let shown_results: Vec<String> = shown(&card.results);
        assert_eq!(
            shown_results,
            [
                "spend=200",
                "conversion_value=480",
                "roas=2.4",
                "cpa=33.333333",
                "orders=0.3",
                "order_revenue=90",
                "tasks_done=2",
                "on_time_rate=0",
                "avg_quality=—",
                "estimate_accuracy=1",
                "launch_lead_time_days=9",
                "hours_logged=17",
                "csat=—"
            ]
        );
        // 30% of C1's 1,600 over 10 hours; C2 earned nothing; 2 hours off campaigns.
        let time: Vec<String> = card
            .time
            .iter()
            .map(|t| {
                format!(
                    "{:?} {} {:?} {:?}",
                    t.name, t.hours, t.result, t.result_per_hour
                )
            })
            .collect();
        assert_eq!(
            time,
            [
                "Some(\"Search\") 10 Some(480.0) Some(48.0)",
                "Some(\"Mailing\") 5 Some(0.0) Some(0.0)",
                "None 2 None None",
            ]
        );
        // Someone the caller may not see has no scorecard for them.
        assert!(matches!(
            s.scorecard(&worker, manager_id, march()).await,
            Err(Error::NotFound)
        ));

        // The team's roll-up: its KPI, and each member's card in short.
        let team_card = s.team_card(&manager, team, march()).await.unwrap();
        assert_eq!(team_card.kpis.len(), 1);
        assert_eq!(team_card.kpis[0].scope, format!("team:{team}"));
        let member = team_card
            .members
            .iter()
            .find(|(e, _)| e.id == employee)
            .unwrap();
        assert_eq!(
            member.1.kpi_score, seen_by_manager.kpi_score,
            "as the manager sees it"
        );
        assert!(matches!(
            s.team_card(&worker, team, march()).await,
            Err(Error::NotFound)
        ));
    }
}

#[tokio::test]
async fn a_running_period_is_compared_with_as_many_days_before() {
    let db = testing::sqlite();
    let s = services_at(&db.url, APRIL).await;
    load(&s).await;
    let head = actor(&s, "head").await;
    let april = Period::parse("2025-04-01", "2025-05-01").unwrap();
    let d = s
        .dashboard(&head, april, mkpi_services::dashboard::Compare::Previous)
        .await
        .unwrap();
    // Today is 10 April: ten days of April against 1-10 March.
    assert_eq!(d.shown.to_string(), "[2025-04-01, 2025-04-11)");
    assert_eq!(d.compared_with.to_string(), "[2025-03-01, 2025-03-11)");
    let spend = d.tiles.iter().find(|t| t.metric.code == "spend").unwrap();
    assert_eq!(
        (spend.now.value, spend.before.value),
        (Some(999.0), Some(180.0))
    );
    assert_eq!(spend.change, Some((999.0 - 180.0) / 180.0));
    let months: Vec<&str> = spend.trend.iter().map(|(m, _)| m.as_str()).collect();
    assert_eq!(months.first(), Some(&"2024-05"));
    assert_eq!(months.last(), Some(&"2025-04"));
    assert_eq!(spend.trend.last().unwrap().1, Some(999.0));
    // Campaigns by spend, with their return.
    let lines: Vec<String> = d
        .campaigns
        .iter()
        .map(|c| format!("{} {} {:?}", c.external_id, c.spend, c.roi))
        .collect();
    assert_eq!(lines, ["C1 999 Some(9.00900900900901)"]);
}

/// A small deterministic generator (xorshift64*), so a failure repeats.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

#[tokio::test]
async fn shares_never_create_or_lose_value_and_groups_are_ratios_of_their_members_sums() {
    let db = testing::sqlite();
    let s = services(&db.url).await;
    let head = actor(&s, "head").await;
    let people = s.list_employees(&head).await.unwrap();
    let mut rng = Rng(0x5EED_1234_ABCD_0001);
    for round in 0..3 {
        // Campaigns with a random owner and up to two contributors.
        let mut campaigns = String::from("campaign,name,channel,owner,contributors,currency\n");
        let mut stats = String::from(
            "date,campaign,impressions,clicks,spend,conversions,conversion_value,currency\n",
        );
        let (mut clicks, mut impressions, mut spend_minor) = (0u64, 0u64, 0u64);
        for c in 0..12 {
            let owner = &people[rng.below(people.len() as u64) as usize];
            let mut contributors = Vec::new();
            let mut left = 9_000;
            for _ in 0..rng.below(3) {
                let who = &people[rng.below(people.len() as u64) as usize];
                if who.id == owner.id
                    || contributors
                        .iter()
                        .any(|(e, _): &(String, u64)| *e == who.email)
                {
                    continue;
                }
                let bp = 1 + rng.below(left / 2);
                left -= bp;
                contributors.push((who.email.clone(), bp));
            }
            let list: Vec<String> = contributors
                .iter()
                .map(|(e, bp)| format!("{e}: {}.{:02}%", bp / 100, bp % 100))
                .collect();
            campaigns.push_str(&format!(
                "R{round}-{c},Campaign {c},{},{},\"{}\",RUB\n",
                ["paid_search", "display", "email"][c % 3],
                owner.email,
                list.join("; ")
            ));
            for day in 1..=28 {
                if rng.below(3) == 0 {
                    continue;
                }
                let shown = 100 + rng.below(10_000);
                let click = rng.below(shown / 10 + 1);
                let cost = rng.below(500_000);
                clicks += click;
                impressions += shown;
                spend_minor += cost;
                stats.push_str(&format!(
                    "2026-0{}-{day:02},R{round}-{c},{shown},{click},{}.{:02},{},0,RUB\n",
                    round + 1,
                    cost / 100,
                    cost % 100,
                    rng.below(20)
                ));
            }
        }
        import(&s, "mkpi-campaigns", &campaigns).await;
        import(&s, "mkpi-ad-stats", &stats).await;
        let month = Period::month_of(
            mkpi_domain::period::Day::parse(&format!("2026-0{}-01", round + 1)).unwrap(),
        );
        let codes = ["clicks", "impressions", "spend", "ctr", "cpc"];
        let dept = values(&s, &head, &ScopeRef::Department, month, &codes).await;
        assert_eq!(dept[0].value, Some(clicks as f64));
        assert_eq!(dept[1].value, Some(impressions as f64));
        assert_eq!(dept[2].value, Some(spend_minor as f64 / 100.0));
        assert_eq!(dept[3].value, Some(clicks as f64 / impressions as f64));

        // Every campaign has an owner: the people together hold it all.
        let mut sums = [0.0f64; 3];
        let mut by_team: std::collections::BTreeMap<i64, [f64; 3]> = Default::default();
        for p in &people {
            let v = values(&s, &head, &ScopeRef::Employee(p.id), month, &codes).await;
            for i in 0..3 {
                sums[i] += v[i].value.unwrap();
                if let Some(team) = p.team_id {
                    by_team.entry(team).or_default()[i] += v[i].value.unwrap();
                }
            }
            // A person's ratio is the ratio of their own sums.
            let expected = match (v[0].value, v[1].value) {
                (Some(c), Some(i)) if i > 0.0 => Some(c / i),
                _ => None,
            };
            assert_eq!(v[3].value, expected);
        }
        for i in 0..3 {
            let total = dept[i].value.unwrap();
            assert!(
                (sums[i] - total).abs() <= 1e-6 * total.max(1.0),
                "round {round}: {} {} vs {}",
                codes[i],
                sums[i],
                total
            );
        }
        // A team holds exactly the sums of the people of its sub-tree (its
        // own and those of the teams below it), and its CTR is Σclicks /
        // Σimpressions, not a mean of CTRs.
        let teams = s.list_teams(&head).await.unwrap();
        let below = |root: i64| {
            let mut ids = vec![root];
            let mut i = 0;
            while i < ids.len() {
                let parent = ids[i];
                ids.extend(
                    teams
                        .iter()
                        .filter(|t| t.parent_id == Some(parent))
                        .map(|t| t.id),
                );
                i += 1;
            }
            ids
        };
        for team in &teams {
            let mut expected = [0.0f64; 3];
            for id in below(team.id) {
                if let Some(sum) = by_team.get(&id) {
                    for i in 0..3 {
                        expected[i] += sum[i];
                    }
                }
            }
            let v = values(&s, &head, &ScopeRef::Team(team.id), month, &codes).await;
            for i in 0..3 {
                let got = v[i].value.unwrap();
                assert!(
                    (got - expected[i]).abs() <= 1e-6 * expected[i].max(1.0),
                    "team {} {}: {got} vs {}",
                    team.id,
                    codes[i],
                    expected[i]
                );
            }
            let expected_ctr = (expected[1] > 0.0).then(|| expected[0] / expected[1]);
            match (v[3].value, expected_ctr) {
                (Some(a), Some(b)) => assert!((a - b).abs() < 1e-12),
                (a, b) => assert_eq!(a, b),
            }
        }
    }
}

#[tokio::test]
async fn check_ins_keep_the_value_of_the_moment_and_one_on_ones_stay_with_the_pair() {
    for db in testing::all().await {
        let s = services_at(&db.url, APRIL).await;
        let (manager_id, employee) = load(&s).await;
        let manager = actor(&s, "manager").await;
        let worker = actor(&s, "employee").await;
        let head = actor(&s, "head").await;
        let viewer = actor(&s, "viewer").await;
        let whole = ("2025-03-01", "2025-04-01");
        let theirs = s
            .create_kpi(
                &manager,
                &kpi(
                    "clicks",
                    &format!("employee:{employee}"),
                    whole.0,
                    whole.1,
                    &[(whole.0, whole.1, None, 150.0, None)],
                ),
            )
            .await
            .unwrap();
        let managers = s
            .create_kpi(
                &head,
                &kpi(
                    "clicks",
                    &format!("employee:{manager_id}"),
                    whole.0,
                    whole.1,
                    &[(whole.0, whole.1, None, 150.0, None)],
                ),
            )
            .await
            .unwrap();

        let c = s
            .add_check_in(&worker, theirs.id, 4, "  Two campaigns running  ")
            .await
            .unwrap();
        assert_eq!(
            (c.confidence, c.comment.as_str(), c.value),
            (4, "Two campaigns running", Some(100.0)),
            "{:?}",
            db.backend
        );
        let bad = s
            .add_check_in(&worker, theirs.id, 7, " ")
            .await
            .unwrap_err();
        assert_eq!(
            bad.to_string(),
            "invalid input: confidence: must be from 1 (will miss) to 5 (certain to meet); comment: write something"
        );
        assert!(matches!(
            s.add_check_in(&viewer, theirs.id, 3, "x").await,
            Err(Error::Forbidden)
        ));
        assert!(matches!(
            s.add_check_in(&worker, managers.id, 3, "x").await,
            Err(Error::NotFound)
        ));
        assert!(matches!(
            s.add_check_in(&worker, 999_999, 3, "x").await,
            Err(Error::NotFound)
        ));
        s.add_check_in(&manager, theirs.id, 2, "Behind on C2")
            .await
            .unwrap();
        let list: Vec<(i64, String)> = s
            .check_ins(&head, theirs.id)
            .await
            .unwrap()
            .into_iter()
            .map(|c| (c.confidence, c.comment))
            .collect();
        assert_eq!(list.len(), 2);
        assert!(
            list.contains(&(4, "Two campaigns running".into()))
                && list.contains(&(2, "Behind on C2".into()))
        );

        // 1:1 notes: private to the pair unless shared.
        s.add_one_on_one(
            &manager,
            employee,
            "2025-03-20",
            "Talked about C2",
            "Rewrite the mailing",
            false,
        )
        .await
        .unwrap();
        s.add_one_on_one(&manager, employee, "2025-04-03", "Quarter review", "", true)
            .await
            .unwrap();
        let read = |notes: Vec<mkpi_store::check_ins::OneOnOneRow>| {
            notes.into_iter().map(|n| n.notes).collect::<Vec<_>>()
        };
        assert_eq!(
            read(s.one_on_ones(&worker, employee).await.unwrap()),
            ["Quarter review", "Talked about C2"]
        );
        assert_eq!(
            read(s.one_on_ones(&manager, employee).await.unwrap()),
            ["Quarter review", "Talked about C2"]
        );
        assert_eq!(
            read(s.one_on_ones(&head, employee).await.unwrap()),
            ["Quarter review"],
            "the head reads the shared one only"
        );
        assert!(matches!(
            s.add_one_on_one(&worker, employee, "2025-04-03", "x", "", false)
                .await,
            Err(Error::Forbidden)
        ));
        let admin = actor(&s, "admin").await;
        assert!(matches!(
            s.add_one_on_one(&admin, employee, "2025-04-03", "x", "", false)
                .await,
            Err(Error::Forbidden)
        ));
        let bad = s
            .add_one_on_one(&manager, employee, "03.04.2025", "", "", false)
            .await
            .unwrap_err();
        assert_eq!(
            bad.to_string(),
            "invalid input: held_on: '03.04.2025' is not a date (expected YYYY-MM-DD, e.g. 2025-03-01); notes: write something"
        );
        assert_eq!(
            s.one_on_ones(&manager, employee).await.unwrap().len(),
            2,
            "nothing stored"
        );
    }
}

#[tokio::test]
async fn three_months_off_track_flag_a_person_for_support_with_the_numbers() {
    for db in testing::all().await {
        let s = services_at(&db.url, APRIL).await;
        let (_, employee) = load(&s).await;
        let manager = actor(&s, "manager").await;
        let monthly = [
            ("2025-01-01", "2025-02-01", None, 150.0, None),
            ("2025-02-01", "2025-03-01", None, 150.0, None),
            ("2025-03-01", "2025-04-01", None, 150.0, None),
        ];
        let clicks = s
            .create_kpi(
                &manager,
                &kpi(
                    "clicks",
                    &format!("employee:{employee}"),
                    "2025-01-01",
                    "2025-04-01",
                    &monthly,
                ),
            )
            .await
            .unwrap();
        let people: Vec<_> = s
            .list_employees(&manager)
            .await
            .unwrap()
            .into_iter()
            .filter(|e| e.id == employee)
            .collect();
        let today = mkpi_domain::period::Day::parse("2025-04-10").unwrap();
        let flags = s.flags_for(&manager, &people, today).await.unwrap();
        assert_eq!(flags.len(), 1, "{:?}", db.backend);
        assert_eq!(flags[0].months, ["2025-01", "2025-02", "2025-03"]);
        assert_eq!(
            flags[0].flag.kind,
            mkpi_domain::flag::FlagKind::NeedsSupport
        );
        assert_eq!(
            flags[0].flag.reasons,
            [mkpi_domain::flag::Reason::SustainedOffTrack(vec![
                0.0,
                0.0,
                100.0 / 150.0
            ])]
        );
        assert!(flags[0].actions.is_empty());
        // The KPI month by month, as its sparkline shows it.
        let quarter = Period::parse("2025-01-01", "2025-04-01").unwrap();
        let view = s
            .kpis_for(&manager, &ScopeRef::Employee(employee), quarter)
            .await
            .unwrap()
            .pop()
            .unwrap();
        assert_eq!(
            s.kpi_trend(&manager, &view, quarter).await.unwrap(),
            [
                ("2025-01".to_string(), Some(0.0)),
                ("2025-02".to_string(), Some(0.0)),
                ("2025-03".to_string(), Some(100.0))
            ]
        );

        // The manager answers the flag with a development action.
        let action = NewActionInput {
            kind: "training".into(),
            title: "  Google Ads search course  ".into(),
            note: "Clicks below target three months running".into(),
            due_on: "2025-05-15".into(),
            kpi_id: Some(clicks.id),
            flag: Some("needs_support".into()),
            owner_employee_id: None,
            competency: None,
            cycle_id: None,
        };
        let planned = s
            .add_development_action(&manager, employee, &action)
            .await
            .unwrap();
        let manager_id = manager.employee_id;
        assert_eq!(
            (
                planned.kind.as_str(),
                planned.title.as_str(),
                planned.status.as_str(),
                planned.owner_employee_id,
                planned.kpi_id,
                planned.flag.as_deref()
            ),
            (
                "training",
                "Google Ads search course",
                "planned",
                manager_id,
                Some(clicks.id),
                Some("needs_support")
            ),
            "{:?}",
            db.backend
        );
        let flags = s.flags_for(&manager, &people, today).await.unwrap();
        assert_eq!(flags[0].actions.len(), 1, "the flag shows the open action");

        // Every problem at once, and nothing stored.
        let bad = s
            .add_development_action(
                &manager,
                employee,
                &NewActionInput {
                    kind: "holiday".into(),
                    title: " ".into(),
                    due_on: "2025-04-09".into(),
                    kpi_id: Some(999_999),
                    flag: Some("star".into()),
                    owner_employee_id: Some(999_999),
                    competency: Some("juggling".into()),
                    cycle_id: Some(999_999),
                    ..NewActionInput::default()
                },
            )
            .await
            .unwrap_err();
        assert_eq!(
            bad.to_string(),
            "invalid input: kind: 'holiday' is not a kind of action; use one of training, mentoring, coaching, stretch_assignment, other; \
             title: write what the action is; due_on: 2025-04-09 is in the past; give today or a later day; \
             flag: 'star' is not a flag; use needs_support or top_performer; kpi_id: there is no KPI 999999 you can see; \
             competency: 'juggling' is not a competency of the framework; cycle_id: the person is not in review cycle 999999; \
             owner_employee_id: there is no person 999999 you can see"
        );
        let worker = actor(&s, "employee").await;
        let viewer = actor(&s, "viewer").await;
        let head = actor(&s, "head").await;
        assert!(matches!(
            s.add_development_action(&worker, employee, &action).await,
            Err(Error::Forbidden)
        ));
        assert!(matches!(
            s.add_development_action(&viewer, employee, &action).await,
            Err(Error::Forbidden)
        ));
        assert_eq!(
            s.development_actions(&head, employee).await.unwrap().len(),
            1
        );

        // The workflow: the person starts it and finishes it; finished stays finished.
        assert!(matches!(
            s.set_development_action_status(&viewer, planned.id, "done")
                .await,
            Err(Error::Forbidden)
        ));
        let started = s
            .set_development_action_status(&worker, planned.id, "in_progress")
            .await
            .unwrap();
        assert_eq!(started.status, "in_progress");
        let back = s
            .set_development_action_status(&worker, planned.id, "planned")
            .await
            .unwrap_err();
        assert_eq!(
            back.to_string(),
            "invalid input: status: cannot go from in_progress to planned; allowed: done, cancelled"
        );
        let done = s
            .set_development_action_status(&worker, planned.id, "done")
            .await
            .unwrap();
        assert_eq!(
            (done.status.as_str(), done.completed_on.as_deref()),
            ("done", Some("2025-04-10"))
        );
        let again = s
            .set_development_action_status(&manager, planned.id, "cancelled")
            .await
            .unwrap_err();
        assert_eq!(
            again.to_string(),
            "invalid input: status: the action is done and cannot change any more; plan a new one"
        );
        assert!(matches!(
            s.set_development_action_status(&worker, 999_999, "done")
                .await,
            Err(Error::NotFound)
        ));
        let flags = s.flags_for(&manager, &people, today).await.unwrap();
        assert!(
            flags[0].actions.is_empty(),
            "a done action is no longer open"
        );
        let audit = s
            .audit_log(&head, Some("development_action"), 50, 0)
            .await
            .unwrap();
        let actions: Vec<&str> = audit.iter().map(|e| e.action.as_str()).collect();
        assert_eq!(actions, ["update", "update", "create"]);
    }
}

#[tokio::test]
async fn the_explorer_splits_a_scope_one_level_down_with_ratios_of_each_rows_sums() {
    use mkpi_services::explorer::Split;
    for db in testing::all().await {
        let s = services(&db.url).await;
        let (manager_id, employee) = load(&s).await;
        let head = actor(&s, "head").await;
        let worker = actor(&s, "employee").await;
        let mut tx = s.store().read().await.unwrap();
        let ids: std::collections::BTreeMap<String, i64> = mkpi_store::campaigns::all(&mut tx)
            .await
            .unwrap()
            .into_iter()
            .map(|c| (c.external_id, c.id))
            .collect();
        drop(tx);
        let value = |values: &[MetricAnswer], code: &str| {
            values
                .iter()
                .find(|a| a.code == code)
                .and_then(|a| a.value)
                .map(|v| (v * 1e6).round() / 1e6)
        };

        // A person: the campaigns they answer for, each in full with their
        // share; their total counts each by that share.
        let e = s
            .explore(
                &head,
                &ScopeRef::Employee(employee),
                Split::Organisation,
                march(),
            )
            .await
            .unwrap();
        let rows: Vec<_> = e
            .rows
            .iter()
            .map(|r| {
                (
                    r.key.clone(),
                    r.share,
                    value(&r.values, "spend"),
                    value(&r.values, "ctr"),
                )
            })
            .collect();
        assert_eq!(
            rows,
            [
                (
                    format!("campaign:{}", ids["C1"]),
                    Some(0.3),
                    Some(400.0),
                    Some(0.05)
                ),
                (
                    format!("campaign:{}", ids["C2"]),
                    Some(1.0),
                    Some(80.0),
                    Some(0.02)
                ),
            ],
            "{:?}",
            db.backend
        );
        // 0.3 × 400 + 80 = 200; CTR (0.3 × 200 + 40) / (0.3 × 4000 + 2000).
        assert_eq!(value(&e.totals, "spend"), Some(200.0));
        assert_eq!(value(&e.totals, "ctr"), Some(0.03125));
        let shared: f64 = e
            .rows
            .iter()
            .map(|r| r.share.unwrap() * value(&r.values, "spend").unwrap())
            .sum();
        assert!((shared - 200.0).abs() < 1e-9, "shares add up to the total");
        assert_eq!(e.trail[0].0, "department");

        // A campaign: its days in the period (1 April is outside March).
        let c = s
            .explore(
                &head,
                &ScopeRef::Campaign(ids["C1"]),
                Split::Organisation,
                march(),
            )
            .await
            .unwrap();
        let days: Vec<_> = c
            .rows
            .iter()
            .map(|r| {
                (
                    r.key.as_str(),
                    value(&r.values, "spend"),
                    value(&r.values, "roas"),
                )
            })
            .collect();
        assert_eq!(
            days,
            [
                ("2025-03-01", Some(100.0), Some(4.0)),
                ("2025-03-15", Some(300.0), Some(4.0))
            ]
        );
        assert_eq!(c.trail.last().unwrap().0, format!("employee:{manager_id}"));

        // The department by channel.
        let ch = s
            .explore(&head, &ScopeRef::Department, Split::Channels, march())
            .await
            .unwrap();
        let channels: Vec<_> = ch
            .rows
            .iter()
            .map(|r| {
                (
                    r.key.as_str(),
                    value(&r.values, "spend"),
                    value(&r.values, "cpa"),
                )
            })
            .collect();
        assert_eq!(
            channels,
            [
                ("channel:paid_search", Some(400.0), Some(20.0)),
                ("channel:email", Some(80.0), None)
            ],
            "no conversions: no CPA, not 0 or infinity"
        );

        // What the caller may not see is not found, or not listed.
        assert!(matches!(
            s.explore(
                &worker,
                &ScopeRef::Employee(manager_id),
                Split::Organisation,
                march()
            )
            .await,
            Err(Error::NotFound)
        ));
        let own = s
            .explore(&worker, &ScopeRef::Department, Split::Organisation, march())
            .await
            .unwrap();
        let keys: Vec<_> = own.rows.iter().map(|r| r.key.clone()).collect();
        assert_eq!(
            keys,
            [format!("employee:{employee}")],
            "a person sees their own row"
        );
    }
}

async fn rollups_agree(s: &Services) {
    let mut tx = s.store().read().await.unwrap();
    let (stored, fresh) = mkpi_store::rollups::compare(&mut tx).await.unwrap();
    assert!(!fresh.is_empty());
    assert_eq!(
        stored, fresh,
        "the roll-ups equal a recomputation from the facts"
    );
}

#[tokio::test]
async fn roll_ups_follow_every_import_and_rollback_and_answer_as_the_facts_do() {
    for db in testing::all().await {
        let s = services(&db.url).await;
        let (manager, employee) = load(&s).await;
        rollups_agree(&s).await;
        let head = actor(&s, "head").await;
        let shown_for = async |scope: ScopeRef| {
            shown(
                &values(
                    &s,
                    &head,
                    &scope,
                    march(),
                    &["spend", "orders", "order_revenue", "new_customers"],
                )
                .await,
            )
        };
        assert_eq!(
            shown_for(ScopeRef::Department).await,
            [
                "spend=480",
                "orders=2",
                "order_revenue=300",
                "new_customers=1"
            ],
            "{:?}",
            db.backend
        );
        assert_eq!(
            shown_for(ScopeRef::Channel("email".into())).await,
            ["spend=80", "orders=0", "order_revenue=0", "new_customers=0"]
        );

        // C2 moves to social: both roll-ups follow the campaign's channel.
        let head_people = s.list_employees(&head).await.unwrap();
        let email = |id: i64| {
            head_people
                .iter()
                .find(|e| e.id == id)
                .unwrap()
                .email
                .clone()
        };
        import(
            &s,
            "mkpi-campaigns",
            &format!(
                "campaign,name,channel,owner,contributors,budget,currency,start,end\n\
                 C1,Search,paid_search,{},{}: 30%,3100.00,RUB,2025-03-01,2025-03-31\n\
                 C2,Mailing,social,{},,,RUB,,\n",
                email(manager),
                email(employee),
                email(employee)
            ),
        )
        .await;
        rollups_agree(&s).await;
        assert_eq!(
            shown_for(ScopeRef::Channel("organic_social".into())).await[0],
            "spend=80"
        );
        assert_eq!(
            shown_for(ScopeRef::Channel("email".into())).await[0],
            "spend=0"
        );

        // A new customer's first order, then its rollback.
        import(
            &s,
            "mkpi-orders",
            "order_id,customer_id,date,amount,currency,status,campaign\n\
             O9,K9,2025-03-20,50.00,RUB,paid,C2\n\
             O10,K9,2025-03-21,25.00,RUB,paid,C2\n",
        )
        .await;
        rollups_agree(&s).await;
        assert_eq!(
            shown_for(ScopeRef::Department).await,
            [
                "spend=480",
                "orders=4",
                "order_revenue=375",
                "new_customers=2"
            ]
        );
        let admin = actor(&s, "admin").await;
        let last = s
            .list_imports(mkpi_services::users::Principal::User(&admin), 1)
            .await
            .unwrap()[0]
            .id;
        s.rollback_import(mkpi_services::users::Principal::User(&admin), last)
            .await
            .unwrap();
        rollups_agree(&s).await;
        assert_eq!(
            shown_for(ScopeRef::Department).await,
            [
                "spend=480",
                "orders=2",
                "order_revenue=300",
                "new_customers=1"
            ]
        );
    }
}

#[tokio::test]
async fn blended_cac_adds_the_other_marketing_costs_attributed_like_the_spend() {
    for db in testing::all().await {
        let s = services(&db.url).await;
        let (manager, employee) = load(&s).await;
        let head = actor(&s, "head").await;
        // A broken file stores nothing and says where and why.
        let preset = s
            .preset(Principal::Operator, "mkpi-marketing-costs")
            .await
            .unwrap();
        let r = s
            .import_file(
                Principal::Operator,
                Cursor::new(
                    b"date,category,amount,currency\n2025-03-01,party,10.00,RUB\n2025-03-02,tools,-5,RUB\n"
                        .to_vec(),
                ),
                ImportRequest {
                    source: "bad.csv".into(),
                    preset,
                    dry_run: false,
                    people: Vec::new(),
                },
            )
            .await
            .unwrap();
        let problems: Vec<String> = r.problems.iter().map(ToString::to_string).collect();
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert_eq!(
            problems,
            [
                "row 2, column 'category', value 'party': is not one of salaries, agency, tools, content, events, print, other (a mapping can name the file's words in [values.category])",
                "row 3, column 'amount', value '-5': must not be negative"
            ]
        );
        let none = values(
            &s,
            &head,
            &ScopeRef::Department,
            march(),
            &["marketing_costs"],
        )
        .await;
        assert_eq!(shown(&none), ["marketing_costs=0"]);

        import(
            &s,
            "mkpi-marketing-costs",
            "date,category,amount,currency,channel,campaign,description\n\
             2025-03-01,зарплата,1000.00,RUB,,,payroll\n\
             2025-03-05,agency,200.00,RUB,,C1,retainer\n\
             2025-03-10,tools,50.00,RUB,email,,newsletter tool\n\
             2025-04-01,salaries,999.00,RUB,,,april payroll\n",
        )
        .await;
        // The department: 1,250 of costs in March; 480 of ad spend, one new customer.
        let v = values(
            &s,
            &head,
            &ScopeRef::Department,
            march(),
            &["marketing_costs", "cac", "cac_blended"],
        )
        .await;
        assert_eq!(
            shown(&v),
            ["marketing_costs=1250", "cac=480", "cac_blended=1730"],
            "{:?}",
            db.backend
        );
        assert_eq!(
            (v[2].numerator, v[2].denominator),
            (Some(1730.0), Some(1.0))
        );
        // A channel: its own costs and its campaigns'.
        for (channel, expected) in [("paid_search", "200"), ("email", "50")] {
            let c = values(
                &s,
                &head,
                &ScopeRef::Channel(channel.into()),
                march(),
                &["marketing_costs"],
            )
            .await;
            assert_eq!(shown(&c), [format!("marketing_costs={expected}")]);
        }
        // People by their share of C1: 70% and 30%; costs of no campaign
        // belong to the department alone. No customer counts for a person,
        // so no blended CAC either.
        let m = values(
            &s,
            &head,
            &ScopeRef::Employee(manager),
            march(),
            &["marketing_costs", "cac_blended"],
        )
        .await;
        assert_eq!(shown(&m), ["marketing_costs=140", "cac_blended=—"]);
        let e = values(
            &s,
            &head,
            &ScopeRef::Employee(employee),
            march(),
            &["marketing_costs"],
        )
        .await;
        assert_eq!(shown(&e), ["marketing_costs=60"]);
        // Imported again: the natural key replaces, nothing doubles.
        import(
            &s,
            "mkpi-marketing-costs",
            "date,category,amount,currency,channel,campaign,description\n\
             2025-03-01,salaries,1000.00,RUB,,,payroll\n",
        )
        .await;
        let again = values(
            &s,
            &head,
            &ScopeRef::Department,
            march(),
            &["marketing_costs"],
        )
        .await;
        assert_eq!(shown(&again), ["marketing_costs=1250"]);
    }
}

#[tokio::test]
async fn margin_romi_takes_the_margin_from_orders_that_carry_a_cost() {
    for db in testing::all().await {
        let s = services(&db.url).await;
        let (manager, _) = load(&s).await;
        let head = actor(&s, "head").await;
        // Without costs there is no margin, so no margin ROMI.
        let none = values(
            &s,
            &head,
            &ScopeRef::Department,
            march(),
            &["gross_margin_rate", "romi", "roi"],
        )
        .await;
        assert_eq!(
            shown(&none),
            ["gross_margin_rate=—", "romi=—", "roi=2.333333"]
        );
        // O2 (paid, 300) cost 180; a new paid order O9 (200) has no cost and
        // stays out of the margin; a refunded order's cost does not count.
        import(
            &s,
            "mkpi-orders",
            "order_id,customer_id,date,amount,currency,status,campaign,cost\n\
             O2,K1,2025-03-05,300.00,RUB,paid,C1,180.00\n\
             O9,K9,2025-03-08,200.00,RUB,paid,C1,\n\
             O4,K3,2025-03-07,500.00,RUB,refunded,C1,100.00\n",
        )
        .await;
        // Margin 120 / 300 = 40%. Ads: 1,600 of conversion value for 480 of
        // spend: (1,600 × 0.4 − 480) / 480 = 1/3.
        for scope in [
            ScopeRef::Department,
            ScopeRef::Channel("paid_search".into()),
        ] {
            let v = values(&s, &head, &scope, march(), &["gross_margin_rate", "romi"]).await;
            assert_eq!(
                (v[0].numerator, v[0].denominator),
                (Some(120.0), Some(300.0))
            );
            assert_eq!(
                shown(&v),
                [
                    "gross_margin_rate=0.4",
                    if matches!(scope, ScopeRef::Department) {
                        "romi=0.333333"
                    } else {
                        // The channel has C1's 400 of spend and 1,600 of value.
                        "romi=0.6"
                    }
                ],
                "{scope:?} {:?}",
                db.backend
            );
        }
        // The owner of C1 by their 70%: margin 84 of 210; 1,120 of value
        // for 280 of spend: (1,120 × 0.4 − 280) / 280 = 0.6.
        let m = values(
            &s,
            &head,
            &ScopeRef::Employee(manager),
            march(),
            &["gross_margin_rate", "romi"],
        )
        .await;
        assert_eq!(
            (m[0].numerator, m[0].denominator),
            (Some(84.0), Some(210.0))
        );
        assert_eq!(shown(&m), ["gross_margin_rate=0.4", "romi=0.6"]);
    }
}

#[tokio::test]
async fn satisfaction_of_a_campaigns_customers_counts_for_its_people_by_share() {
    for db in testing::all().await {
        let s = services(&db.url).await;
        let (manager, employee) = load(&s).await;
        let head = actor(&s, "head").await;
        import(
            &s,
            "mkpi-survey-responses",
            "response_id,date,csat,campaign\n\
             R1,2025-03-02,5,C1\n\
             R2,2025-03-03,3,C1\n\
             R3,2025-03-04,4,C2\n\
             R4,2025-03-05,1,\n",
        )
        .await;
        let csat = |scope: ScopeRef| {
            let (s, head) = (&s, &head);
            async move { shown(&values(s, head, &scope, march(), &["csat"]).await) }
        };
        // The department has every answer: 2 satisfied of 4.
        assert_eq!(csat(ScopeRef::Department).await, ["csat=0.5"]);
        assert_eq!(
            csat(ScopeRef::Channel("paid_search".into())).await,
            ["csat=0.5"]
        );
        assert_eq!(csat(ScopeRef::Channel("email".into())).await, ["csat=1"]);
        // The owner of C1 by 70%: 0.7 of 1.4 answers; the contributor 30%
        // of C1 and all of C2: (0.3 + 1) / (0.6 + 1).
        assert_eq!(csat(ScopeRef::Employee(manager)).await, ["csat=0.5"]);
        assert_eq!(csat(ScopeRef::Employee(employee)).await, ["csat=0.8125"]);
        let card = s.scorecard(&head, employee, march()).await.unwrap();
        let shown_csat: Vec<String> = shown(&card.results)
            .into_iter()
            .filter(|r| r.starts_with("csat"))
            .collect();
        assert_eq!(shown_csat, ["csat=0.8125"]);
    }
}

#[tokio::test]
async fn a_reports_metric_table_compares_periods_and_tests_rates_before_calling_them_real() {
    for db in testing::all().await {
        let s = services(&db.url).await;
        load(&s).await;
        let head = actor(&s, "head").await;
        let april = Period::parse("2025-04-01", "2025-05-01").unwrap();
        let codes: Vec<String> = ["spend", "ctr", "conversion_rate"]
            .map(String::from)
            .to_vec();
        let rows = s
            .report_metrics(&head, &codes, &ScopeRef::Department, april)
            .await
            .unwrap();
        let spend = &rows[0];
        // 999 in April against March's 480; no April a year before.
        assert_eq!(
            (spend.now.value, spend.previous.value),
            (Some(999.0), Some(480.0))
        );
        assert!((spend.change.unwrap() - 519.0 / 480.0).abs() < 1e-12);
        assert_eq!(spend.year_before.value, Some(0.0));
        assert_eq!(spend.change_year, None);
        assert_eq!(spend.test, None, "money is no proportion");
        // CTR: 240 of 6,000 → 999 of 9,999: real. Conversion rate: 20 of 240
        // → 99 of 999: within the noise.
        let ctr = rows[1].test.unwrap();
        assert!((ctr.z - 13.725_265_400_328_565).abs() < 1e-9, "{ctr:?}");
        assert!(ctr.significant(mkpi_services::report_data::SIGNIFICANCE));
        let cr = rows[2].test.unwrap();
        assert!((cr.z - 0.744_314_699_585_516_9).abs() < 1e-9);
        assert!((cr.p_value - 0.456_686_110_339_132_87).abs() < 1e-6);
        assert!(!cr.significant(mkpi_services::report_data::SIGNIFICANCE));
    }
}

#[tokio::test]
async fn the_drivers_of_roas_add_up_to_its_change() {
    for db in testing::all().await {
        let s = services(&db.url).await;
        load(&s).await;
        let head = actor(&s, "head").await;
        let april = Period::parse("2025-04-01", "2025-05-01").unwrap();
        let d = s
            .report_drivers(&head, &ScopeRef::Department, march(), april)
            .await
            .unwrap();
        // No orders or sessions in April to split revenue by; ROAS:
        // 1,600 / 480 in March, 9,999 / 999 in April.
        assert_eq!(d.iter().map(|d| d.code).collect::<Vec<_>>(), ["roas"]);
        let roas = &d[0];
        assert!((roas.before - 1600.0 / 480.0).abs() < 1e-9);
        assert!((roas.after - 9999.0 / 999.0).abs() < 1e-9);
        let total: f64 = roas.contributions.iter().map(|c| c.amount).sum();
        assert!((total - (roas.after - roas.before)).abs() < 1e-9);
        let names: Vec<&str> = roas.contributions.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["conversion_rate", "value_per_conversion", "cpc"]);
        // The conversion rate (8.3% → 9.9%), the value per conversion
        // (80 → 101) and a cheaper click (2 → 1) all pushed it up.
        assert!(roas.contributions.iter().all(|c| c.amount > 0.0));
    }
}

#[tokio::test]
async fn channels_are_ranked_by_return_with_their_share_of_spend() {
    for db in testing::all().await {
        let s = services(&db.url).await;
        load(&s).await;
        let head = actor(&s, "head").await;
        let r = s.report_channels(&head, march()).await.unwrap();
        let lines: Vec<String> = r
            .iter()
            .map(|c| {
                format!(
                    "{} spend {} share {:.4} roi {:?} cpa {:?}",
                    c.key, c.spend, c.spend_share, c.roi, c.cpa
                )
            })
            .collect();
        // Search: 400 for 1,600 of value (ROI 3, 20 conversions); e-mail:
        // 80 for nothing (ROI −1, no conversions so no CPA).
        assert_eq!(
            lines,
            [
                "channel:paid_search spend 400 share 0.8333 roi Some(3.0) cpa Some(20.0)",
                "channel:email spend 80 share 0.1667 roi Some(-1.0) cpa None"
            ]
        );
    }
}

#[tokio::test]
async fn a_day_that_breaks_the_weekly_rhythm_is_flagged_and_the_rhythm_is_not() {
    for db in testing::all().await {
        let s = services(&db.url).await;
        load(&s).await;
        let head = actor(&s, "head").await;
        // Eight weeks of C1: ~100 clicks on weekdays, ~40 at weekends, and
        // one broken day (Wednesday 19 February: 5 clicks).
        let start = mkpi_domain::period::Day::parse("2025-01-06").unwrap();
        let mut csv = String::from(
            "date,campaign,impressions,clicks,spend,conversions,conversion_value,currency\n",
        );
        for i in 0..56_i64 {
            let day = start.plus_days(i);
            let weekend = i % 7 >= 5;
            let noise = (i * 7) % 11 - 5;
            let clicks = if day.to_string() == "2025-02-19" {
                5
            } else if weekend {
                40 + noise
            } else {
                100 + noise
            };
            csv.push_str(&format!(
                "{day},C1,{},{clicks},{clicks}.00,0,0,RUB\n",
                clicks * 20
            ));
        }
        import(&s, "mkpi-ad-stats", &csv).await;
        let february = Period::parse("2025-02-01", "2025-03-01").unwrap();
        let found = s.report_anomalies(&head, february).await.unwrap();
        let lines: Vec<String> = found
            .iter()
            .map(|a| format!("{} {} {}", a.anomaly.day, a.series, a.anomaly.value))
            .collect();
        assert_eq!(
            lines,
            ["2025-02-19 clicks 5", "2025-02-19 spend 5"],
            "{found:?}"
        );
        assert!(found.iter().all(|a| a.anomaly.score < -3.5));
    }
}

#[tokio::test]
async fn problem_areas_list_the_kpis_off_track_then_at_risk_with_who_answers_for_them() {
    for db in testing::all().await {
        let s = services_at(&db.url, APRIL).await;
        let (manager, employee) = load(&s).await;
        let head = actor(&s, "head").await;
        let march_kpi = |metric: &str, scope: String, floor: f64, target: f64| {
            kpi(
                metric,
                &scope,
                "2025-03-01",
                "2025-04-01",
                &[("2025-03-01", "2025-04-01", Some(floor), target, None)],
            )
        };
        // CPA 24 against 20 (floor 30): at risk. The employee's 100 clicks
        // against 150 (floor 120): off track. The manager's 140 against 100:
        // on track, no problem.
        for input in [
            march_kpi("cpa", "department".into(), 30.0, 20.0),
            march_kpi("clicks", format!("employee:{employee}"), 120.0, 150.0),
            march_kpi("clicks", format!("employee:{manager}"), 80.0, 100.0),
        ] {
            s.create_kpi(&head, &input).await.unwrap();
        }
        let problems = s.report_problems(&head, march()).await.unwrap();
        let lines: Vec<String> = problems
            .iter()
            .map(|p| {
                format!(
                    "{} {} {} {:?}",
                    p.kpi.metric.code,
                    p.kpi.status.code(),
                    p.scope_name,
                    p.owner
                )
            })
            .collect();
        let employee_name = s.get_employee(&head, employee).await.unwrap().name;
        assert_eq!(
            lines,
            [
                format!("clicks off_track {employee_name} Some({employee_name:?})"),
                "cpa at_risk department None".to_string(),
            ],
            "{:?}",
            db.backend
        );
        // The employee sees only their own.
        let worker = actor(&s, "employee").await;
        let mine = s.report_problems(&worker, march()).await.unwrap();
        assert_eq!(
            mine.iter()
                .map(|p| p.kpi.metric.code.as_str())
                .collect::<Vec<_>>(),
            ["clicks", "cpa"]
        );
    }
}

#[tokio::test]
async fn a_report_definition_is_checked_whole_and_kept_by_name() {
    use mkpi_services::report_data::DefinitionInput;
    for db in testing::all().await {
        let s = services(&db.url).await;
        let head = actor(&s, "head").await;
        let bad = s
            .create_report_definition(
                &head,
                &DefinitionInput {
                    name: " ".into(),
                    metrics: vec!["roas".into(), "rosa".into()],
                    scope: "team:999999".into(),
                    period_kind: "weekly".into(),
                    compare: "yesterday".into(),
                    sections: vec!["summary".into(), "gossip".into()],
                    language: "de".into(),
                    ..DefinitionInput::default()
                },
            )
            .await
            .unwrap_err();
        let fields: Vec<String> = match bad {
            Error::Invalid(p) => p.into_iter().map(|p| p.field).collect(),
            other => panic!("{other:?}"),
        };
        assert_eq!(
            fields,
            [
                "name",
                "metrics",
                "scope",
                "period_kind",
                "compare",
                "sections",
                "language"
            ]
        );
        assert!(s.report_definitions(&head).await.unwrap().is_empty());
        let good = DefinitionInput {
            name: "quarterly".into(),
            purpose: "How the department did last quarter".into(),
            metrics: vec!["spend".into(), "roas".into(), "cac".into()],
            scope: "department".into(),
            period_kind: "last_quarter".into(),
            compare: "previous".into(),
            sections: vec!["problems".into(), "summary".into(), "kpis".into()],
            language: "ru".into(),
            ..DefinitionInput::default()
        };
        let d = s.create_report_definition(&head, &good).await.unwrap();
        assert_eq!(
            d.sections, r#"["summary","kpis","problems"]"#,
            "the report's own order"
        );
        assert_eq!((d.period_from, d.period_to), (None, None));
        let again = s.create_report_definition(&head, &good).await.unwrap_err();
        assert!(matches!(again, Error::Invalid(ref p) if p[0].field == "name"));
        let worker = actor(&s, "employee").await;
        assert!(matches!(
            s.create_report_definition(&worker, &good).await,
            Err(Error::Forbidden)
        ));
    }
}

/// A team's July 2026 report (the metric section): each metric's value.
async fn july_report(s: &Services, who: &Actor, team: i64, codes: &[&str]) -> Vec<Option<f64>> {
    let definition = mkpi_services::report::Definition {
        id: 0,
        name: "july".into(),
        purpose: String::new(),
        metrics: codes.iter().map(ToString::to_string).collect(),
        scope: format!("team:{team}"),
        period_kind: "fixed".into(),
        period_from: Some("2026-07-01".into()),
        period_to: Some("2026-08-01".into()),
        compare: "previous".into(),
        sections: vec!["metrics".into()],
        language: "en".into(),
        created_by_user_id: None,
    };
    s.build_report(who, &definition, &mut |_| {})
        .await
        .unwrap()
        .metrics
        .iter()
        .map(|m| m.now.value)
        .collect()
}

/// A person's score and final score in every closed review cycle.
async fn closed_results(
    s: &Services,
    who: &Actor,
    person: i64,
) -> Vec<(i64, Option<(Option<f64>, Option<f64>)>)> {
    let mut out = Vec::new();
    for c in s.review_cycles(who).await.unwrap() {
        if c.status == "closed" {
            let r = s
                .review_results(who, c.id, person)
                .await
                .map(|r| (r.score.value, r.final_score))
                .ok();
            out.push((c.id, r));
        }
    }
    out
}

/// A person moved from the performance team to the brand team from
/// 1 August: the teams' July stays as it was, their August moves by exactly
/// the person's August, and a window across the day splits at it. Their
/// own figures do not change.
#[tokio::test]
async fn a_transfer_moves_team_figures_from_its_day_on_and_never_before() {
    for db in testing::all().await {
        let s = Services::new(
            Store::open(&db.url).await.unwrap(),
            Clock::fixed(1_790_000_000),
            AuthSettings::default(),
        );
        let demo = s.seed_demo(42).await.unwrap();
        s.seed_demo_data(42, &demo).await.unwrap();
        let head = s.login("head", "demo", "t").await.unwrap().actor;
        let teams = s.list_teams(&head).await.unwrap();
        // The person the `employee` login is, in the performance team, moves
        // to another team at the top of the department.
        let person = s
            .login("employee", "demo", "t")
            .await
            .unwrap()
            .actor
            .employee_id
            .unwrap();
        let old = s
            .get_employee(&head, person)
            .await
            .unwrap()
            .team_id
            .unwrap();
        let new = teams
            .iter()
            .find(|t| t.id != old && t.parent_id.is_none())
            .unwrap()
            .id;
        let codes = [
            "spend",
            "conversion_value",
            "clicks",
            "hours_logged",
            "tasks_done",
        ];
        let july = Period::parse("2026-07-01", "2026-08-01").unwrap();
        let august = Period::parse("2026-08-01", "2026-09-01").unwrap();
        let across = Period::parse("2026-07-15", "2026-08-15").unwrap();
        let early_august = Period::parse("2026-08-01", "2026-08-15").unwrap();
        let read = async |scope: ScopeRef, period: Period| -> Vec<f64> {
            values(&s, &head, &scope, period, &codes)
                .await
                .iter()
                .map(|a| a.value.unwrap_or(0.0))
                .collect()
        };
        let (old_team, new_team, me) = (
            ScopeRef::Team(old),
            ScopeRef::Team(new),
            ScopeRef::Employee(person),
        );
        let before = [
            read(old_team.clone(), july).await,
            read(new_team.clone(), july).await,
            read(old_team.clone(), august).await,
            read(new_team.clone(), august).await,
            read(old_team.clone(), across).await,
            read(new_team.clone(), across).await,
        ];
        let report_before = july_report(&s, &head, old, &codes).await;
        let results_before = closed_results(&s, &head, person).await;
        assert!(!results_before.is_empty(), "the demo holds closed cycles");
        let mine_july = read(me.clone(), july).await;
        let mine_august = read(me.clone(), august).await;
        let mine_early = read(me.clone(), early_august).await;
        assert!(
            mine_august.iter().take(2).all(|v| *v > 0.0),
            "the person has ad results in August: {mine_august:?}"
        );

        // Nobody moves themself, not even the head.
        let own = head.employee_id.unwrap();
        assert!(matches!(
            s.transfer_employee(
                &head,
                own,
                mkpi_services::people::TransferInput {
                    team_id: new,
                    effective_on: "2026-08-01".into(),
                    manager_id: None,
                },
            )
            .await,
            Err(Error::Forbidden)
        ));
        s.transfer_employee(
            &head,
            person,
            mkpi_services::people::TransferInput {
                team_id: new,
                effective_on: "2026-08-01".into(),
                manager_id: None,
            },
        )
        .await
        .unwrap();

        let close = |a: &[f64], b: &[f64], what: &str| {
            for (i, (x, y)) in a.iter().zip(b).enumerate() {
                assert!(
                    (x - y).abs() < 1e-6,
                    "{:?} {what} {}: {x} ≠ {y}",
                    db.backend,
                    codes[i]
                );
            }
        };
        let plus = |a: &[f64], b: &[f64], sign: f64| -> Vec<f64> {
            a.iter().zip(b).map(|(x, y)| x + sign * y).collect()
        };
        close(
            &read(old_team.clone(), july).await,
            &before[0],
            "old team, July",
        );
        close(
            &read(new_team.clone(), july).await,
            &before[1],
            "new team, July",
        );
        close(
            &read(old_team.clone(), august).await,
            &plus(&before[2], &mine_august, -1.0),
            "old team, August",
        );
        close(
            &read(new_team.clone(), august).await,
            &plus(&before[3], &mine_august, 1.0),
            "new team, August",
        );
        close(
            &read(old_team.clone(), across).await,
            &plus(&before[4], &mine_early, -1.0),
            "old team, 15 July – 15 August",
        );
        close(
            &read(new_team.clone(), across).await,
            &plus(&before[5], &mine_early, 1.0),
            "new team, 15 July – 15 August",
        );
        close(
            &read(me.clone(), july).await,
            &mine_july,
            "the person, July",
        );
        close(&read(me, august).await, &mine_august, "the person, August");

        // The July report of the old team and the person's closed reviews
        // are as they were.
        assert_eq!(july_report(&s, &head, old, &codes).await, report_before);
        assert_eq!(closed_results(&s, &head, person).await, results_before);

        // The person's memberships say where they were when.
        let memberships = s.employee_memberships(&head, person).await.unwrap();
        let shape: Vec<(i64, Option<String>, Option<String>)> = memberships
            .iter()
            .map(|m| (m.team_id, m.valid_from.clone(), m.valid_until.clone()))
            .collect();
        assert_eq!(
            shape,
            vec![
                (new, Some("2026-08-01".into()), None),
                (old, None, Some("2026-08-01".into())),
            ]
        );
    }
}

/// A campaign the `employee` login's person owns alone is given to someone
/// in another team from 1 August: every earlier period's figures stay as
/// they were — the two people's, their teams', a report's for July, a
/// closed review cycle's results — and August moves by exactly the
/// campaign's August. Wrong changes are refused and change nothing.
#[tokio::test]
async fn a_campaign_changes_hands_from_a_day_and_earlier_figures_stay() {
    for db in testing::all().await {
        let s = Services::new(
            Store::open(&db.url).await.unwrap(),
            Clock::fixed(1_790_000_000),
            AuthSettings::default(),
        );
        let demo = s.seed_demo(42).await.unwrap();
        s.seed_demo_data(42, &demo).await.unwrap();
        owner_change_keeps_history(&s, db.backend).await;
    }
}

async fn owner_change_keeps_history(s: &Services, backend: mkpi_store::Backend) {
    use mkpi_services::campaigns::SharesInput;
    let head = s.login("head", "demo", "t").await.unwrap().actor;
    let worker = s.login("employee", "demo", "t").await.unwrap().actor;
    let manager = s.login("manager", "demo", "t").await.unwrap().actor;
    let a = worker.employee_id.unwrap();
    let team_a = s.get_employee(&head, a).await.unwrap().team_id.unwrap();
    let b_row = s
        .list_employees(&head)
        .await
        .unwrap()
        .into_iter()
        .find(|e| e.active && e.team_id.is_some_and(|t| t != team_a) && e.manager_id.is_some())
        .unwrap();
    let (b, team_b) = (b_row.id, b_row.team_id.unwrap());
    let july = Period::parse("2026-07-01", "2026-08-01").unwrap();
    let august = Period::parse("2026-08-01", "2026-09-01").unwrap();
    let codes = ["spend", "clicks", "conversion_value"];
    let read = async |scope: ScopeRef, period: Period| -> Vec<f64> {
        values(s, &head, &scope, period, &codes)
            .await
            .iter()
            .map(|a| a.value.unwrap_or(0.0))
            .collect()
    };
    // A campaign A owns alone, with spend in both months.
    let mut chosen = None;
    for c in s.list_campaigns(&head, "").await.unwrap() {
        if c.owner_employee_id != Some(a) {
            continue;
        }
        let view = s.get_campaign(&head, c.id).await.unwrap();
        let (j, au) = (
            read(ScopeRef::Campaign(c.id), july).await,
            read(ScopeRef::Campaign(c.id), august).await,
        );
        if view.shares.len() == 1 && j[0] > 0.0 && au[0] > 0.0 {
            chosen = Some((c.id, au));
            break;
        }
    }
    let (campaign, campaign_august) = chosen.expect("A owns a campaign alone with spend");
    let scopes = [
        ScopeRef::Employee(a),
        ScopeRef::Employee(b),
        ScopeRef::Team(team_a),
        ScopeRef::Team(team_b),
    ];
    let mut before_july = Vec::new();
    let mut before_august = Vec::new();
    for scope in &scopes {
        before_july.push(read(scope.clone(), july).await);
        before_august.push(read(scope.clone(), august).await);
    }
    let report_before = july_report(s, &head, team_a, &codes).await;
    let results_before = closed_results(s, &head, a).await;
    assert!(!results_before.is_empty(), "the demo holds closed cycles");

    // Refused, and nothing changes: a day to come, a share over 100 %,
    // a person named twice, an employee changing it, a manager naming
    // themself.
    let to_b = |day: &str| SharesInput {
        owner_employee_id: Some(b),
        contributors: Vec::new(),
        effective_on: Some(day.into()),
    };
    let refused = [
        s.change_campaign_people(&head, campaign, &to_b("2026-10-01"))
            .await
            .unwrap_err()
            .to_string(),
        s.change_campaign_people(
            &head,
            campaign,
            &SharesInput {
                contributors: vec![(a, 120.0)],
                ..to_b("2026-08-01")
            },
        )
        .await
        .unwrap_err()
        .to_string(),
        s.change_campaign_people(
            &head,
            campaign,
            &SharesInput {
                contributors: vec![(b, 10.0)],
                ..to_b("2026-08-01")
            },
        )
        .await
        .unwrap_err()
        .to_string(),
    ];
    assert_eq!(
        refused,
        [
            "invalid input: effective_on: 2026-10-01 is in the future: a change takes effect today (2026-09-21) or earlier",
            "invalid input: contributors[0]: a share is more than 0 % and at most 100 %, not 120",
            format!("invalid input: contributors[0]: employee {b} is named twice").as_str(),
        ]
    );
    assert!(matches!(
        s.change_campaign_people(&worker, campaign, &to_b("2026-08-01"))
            .await,
        Err(Error::Forbidden)
    ));
    let me_manager = manager.employee_id.unwrap();
    let err = s
        .change_campaign_people(
            &manager,
            campaign,
            &SharesInput {
                owner_employee_id: Some(me_manager),
                ..to_b("2026-08-01")
            },
        )
        .await
        .unwrap_err()
        .to_string();
    assert!(
        err.ends_with("is you: a person's results are given by someone above them"),
        "{err}"
    );
    assert_eq!(read(ScopeRef::Employee(a), august).await, before_august[0]);

    // From 1 August the campaign is B's.
    let view = s
        .change_campaign_people(&head, campaign, &to_b("2026-08-01"))
        .await
        .unwrap();
    assert_eq!(view.campaign.shares_from.as_deref(), Some("2026-08-01"));
    assert_eq!(view.campaign.owner_employee_id, Some(b));
    assert_eq!(view.history.len(), 1);
    assert_eq!(
        (
            view.history[0].from.clone(),
            view.history[0].until.as_str(),
            view.history[0]
                .shares
                .iter()
                .map(|x| (x.employee_id, x.is_owner, x.share_bp))
                .collect::<Vec<_>>()
        ),
        (None, "2026-08-01", vec![(a, true, 10_000)])
    );
    // Not before the last change.
    assert_eq!(
        s.change_campaign_people(
            &head,
            campaign,
            &SharesInput {
                owner_employee_id: Some(a),
                ..to_b("2026-07-15")
            }
        )
        .await
        .unwrap_err()
        .to_string(),
        "invalid input: effective_on: the people of this campaign changed last on 2026-08-01: a change takes effect on that day or later"
    );

    let close = |got: &[f64], want: &[f64], what: &str| {
        for (i, (x, y)) in got.iter().zip(want).enumerate() {
            assert!(
                (x - y).abs() < 1e-6,
                "{backend:?} {what} {}: {x} ≠ {y}",
                codes[i]
            );
        }
    };
    let plus = |x: &[f64], sign: f64| -> Vec<f64> {
        x.iter()
            .zip(&campaign_august)
            .map(|(v, c)| v + sign * c)
            .collect()
    };
    let names = ["A", "B", "A's team", "B's team"];
    for (i, scope) in scopes.iter().enumerate() {
        close(
            &read(scope.clone(), july).await,
            &before_july[i],
            &format!("{} in July", names[i]),
        );
        let sign = if i % 2 == 0 { -1.0 } else { 1.0 };
        close(
            &read(scope.clone(), august).await,
            &plus(&before_august[i], sign),
            &format!("{} in August", names[i]),
        );
    }
    assert_eq!(
        july_report(s, &head, team_a, &codes).await,
        report_before,
        "{backend:?} July report"
    );
    assert_eq!(
        closed_results(s, &head, a).await,
        results_before,
        "{backend:?} closed reviews"
    );

    // A correction from the same day: B owns 70 %, A keeps 30 % of August.
    s.change_campaign_people(
        &head,
        campaign,
        &SharesInput {
            owner_employee_id: Some(b),
            contributors: vec![(a, 30.0)],
            effective_on: None,
        },
    )
    .await
    .unwrap();
    let a_august = read(ScopeRef::Employee(a), august).await;
    let want: Vec<f64> = before_august[0]
        .iter()
        .zip(&campaign_august)
        .map(|(v, c)| v - 0.7 * c)
        .collect();
    close(&a_august, &want, "A in August after the correction");
    close(
        &read(ScopeRef::Employee(a), july).await,
        &before_july[0],
        "A in July after the correction",
    );
}
