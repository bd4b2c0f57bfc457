//! Metric values from imported facts, hand-computed, on both backends:
//! ratios of sums at every level, attribution by share without creating or
//! losing value, zero denominators as no value, scopes the caller may not
//! see as not found, and custom metrics checked before they are stored.

use std::io::Cursor;

use mkpi_domain::metric::MetricDraft;
use mkpi_domain::period::Period;
use mkpi_services::imports::ImportRequest;
use mkpi_services::metrics::{MetricAnswer, ScopeRef};
use mkpi_services::users::Principal;
use mkpi_services::{Actor, AuthSettings, Clock, Error, Services, Store};
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

async fn import(s: &Services, preset: &str, text: &str) {
    let preset = s.preset(Principal::Operator, preset).await.unwrap();
    let request = ImportRequest {
        source: "test.csv".into(),
        preset,
        dry_run: false,
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
