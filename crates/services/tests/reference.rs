//! mkpi's metrics against the reference definitions in DuckDB SQL
//! (`bench/reference/reference_kpis.sql`) on generated data
//! (`gen_data.py --scale small`): the data goes in through mkpi's own
//! importers, and every value of the month, employee-month and
//! channel-month tables must agree — money to the cent, counts exactly,
//! ratios to 1e-9 relative (DuckDB sums money as floats).
//!
//! Needs python3 with numpy and duckdb. Without them the test says so and
//! passes, except under CI, where it fails: CI installs them.

use std::collections::HashMap;
use std::io::Cursor;
use std::path::{Path, PathBuf};
use std::process::Command;

use mkpi_domain::period::{Day, Period};
use mkpi_services::imports::ImportRequest;
use mkpi_services::metrics::{MetricAnswer, ScopeRef};
use mkpi_services::users::Principal;
use mkpi_services::{AuthSettings, Clock, Services, Store};
use mkpi_store::employees::{self, NewEmployee};
use mkpi_store::testing;

fn reference_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../bench/reference")
}

/// Generated data and the reference tables, or `None` when python lacks
/// numpy or duckdb outside CI.
fn generate(work: &Path) -> Option<(PathBuf, PathBuf)> {
    let ready = Command::new("python3")
        .args(["-c", "import numpy, duckdb"])
        .status()
        .is_ok_and(|s| s.success());
    if !ready {
        assert!(
            std::env::var("CI").is_err(),
            "CI must have python3 with numpy and duckdb (pip install numpy duckdb)"
        );
        eprintln!("skipped: python3 with numpy and duckdb is needed (pip install numpy duckdb)");
        return None;
    }
    let data = work.join("data");
    let out = work.join("reference");
    let run = |args: &[&str]| {
        let o = Command::new("python3").args(args).output().unwrap();
        assert!(
            o.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
    };
    let dir = reference_dir();
    run(&[
        dir.join("gen_data.py").to_str().unwrap(),
        "--scale",
        "small",
        "--out",
        data.to_str().unwrap(),
    ]);
    run(&[
        dir.join("reference_tables.py").to_str().unwrap(),
        data.to_str().unwrap(),
        out.to_str().unwrap(),
    ]);
    Some((data, out))
}

fn read_csv(path: &Path) -> Vec<HashMap<String, String>> {
    let mut reader = csv::Reader::from_path(path).unwrap();
    let headers = reader.headers().unwrap().clone();
    reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            headers
                .iter()
                .zip(r.iter())
                .map(|(h, v)| (h.to_string(), v.to_string()))
                .collect()
        })
        .collect()
}

async fn import(s: &Services, preset: &str, text: String) {
    let preset = s.preset(Principal::Operator, preset).await.unwrap();
    let request = ImportRequest {
        source: "reference.csv".into(),
        preset,
        dry_run: false,
        people: Vec::new(),
    };
    let r = s
        .import_file(Principal::Operator, Cursor::new(text.into_bytes()), request)
        .await
        .unwrap();
    let problems: Vec<String> = r.problems.iter().take(5).map(ToString::to_string).collect();
    assert_eq!(problems, Vec::<String>::new());
}

/// The generated data into mkpi: its employees (by e-mail) into the demo
/// department, then campaigns, ad statistics, orders and web traffic
/// through the canonical presets. Returns generated employee id → ours.
async fn load(s: &Services, data: &Path) -> HashMap<String, i64> {
    let mut ids = HashMap::new();
    let mut tx = s.store().begin().await.unwrap();
    let department = mkpi_store::departments::list(&mut tx).await.unwrap()[0].id;
    for e in read_csv(&data.join("employees.csv")) {
        let email = format!("e{}@reference.test", e["id"]);
        let new = NewEmployee {
            department_id: department,
            team_id: None,
            manager_id: None,
            name: &e["name"],
            email: &email,
            position: &e["role"],
            hire_date: "2020-01-01",
        };
        ids.insert(
            e["id"].clone(),
            employees::insert(&mut tx, &new, 0).await.unwrap(),
        );
    }
    tx.commit().await.unwrap();

    let mut campaigns = String::from("campaign,name,channel,owner,budget,currency,start,end\n");
    for c in read_csv(&data.join("campaigns.csv")) {
        campaigns.push_str(&format!(
            "{},{},{},e{}@reference.test,{},RUB,{},{}\n",
            c["id"],
            c["name"],
            c["channel"],
            c["owner_employee_id"],
            c["budget"],
            c["start_date"],
            c["end_date"]
        ));
    }
    import(s, "mkpi-campaigns", campaigns).await;
    let mut ads = String::from(
        "date,campaign,impressions,clicks,spend,conversions,conversion_value,currency\n",
    );
    let text = std::fs::read_to_string(data.join("ad_stats.csv")).unwrap();
    for line in text.lines().skip(1) {
        ads.push_str(line);
        ads.push_str(",RUB\n");
    }
    import(s, "mkpi-ad-stats", ads).await;
    let mut orders = String::from("order_id,customer_id,date,amount,currency,campaign\n");
    for o in read_csv(&data.join("orders.csv")) {
        orders.push_str(&format!(
            "{},{},{},{},RUB,{}\n",
            o["order_id"], o["customer_id"], o["date"], o["amount"], o["campaign_id"]
        ));
    }
    import(s, "mkpi-orders", orders).await;
    let web = std::fs::read_to_string(data.join("web_sessions_daily.csv")).unwrap();
    import(s, "mkpi-web-traffic", web).await;
    ids
}

fn month(text: &str) -> Period {
    Period::month_of(Day::parse(text).unwrap())
}

/// Reference column → our metric code, and how exactly they must agree.
#[derive(Clone, Copy)]
enum Agree {
    Exact,
    Cents,
    Ratio,
}

fn check(
    failures: &mut Vec<String>,
    what: &str,
    row: &HashMap<String, String>,
    answers: &[MetricAnswer],
    columns: &[(&str, &str, Agree)],
) {
    for (column, code, agree) in columns {
        let expected = row[*column].trim();
        let ours = answers.iter().find(|a| a.code == *code).unwrap().value;
        let ok = match (expected.is_empty(), ours) {
            (true, None) => true,
            (true, Some(_)) | (false, None) => false,
            (false, Some(v)) => {
                let e: f64 = expected.parse().unwrap();
                match agree {
                    Agree::Exact => v == e,
                    Agree::Cents => (v * 100.0).round() == (e * 100.0).round(),
                    Agree::Ratio => (v - e).abs() <= 1e-9 * e.abs().max(1e-12),
                }
            }
        };
        if !ok {
            failures.push(format!(
                "{what} {column}: reference {expected:?}, mkpi {ours:?}"
            ));
        }
    }
}

const AD_COLUMNS: [(&str, &str, Agree); 11] = [
    ("spend", "spend", Agree::Cents),
    ("impressions", "impressions", Agree::Exact),
    ("clicks", "clicks", Agree::Exact),
    ("conversions", "conversions", Agree::Exact),
    ("revenue", "conversion_value", Agree::Cents),
    ("ctr", "ctr", Agree::Ratio),
    ("cpc", "cpc", Agree::Ratio),
    ("cpa", "cpa", Agree::Ratio),
    ("conversion_rate", "conversion_rate", Agree::Ratio),
    ("roas", "roas", Agree::Ratio),
    ("roi", "roi", Agree::Ratio),
];

#[tokio::test]
async fn every_value_equals_the_duckdb_reference_on_generated_data() {
    let work = tempfile::tempdir().unwrap();
    let Some((data, reference)) = generate(work.path()) else {
        return;
    };
    let db = testing::sqlite();
    let s = Services::new(
        Store::open(&db.url).await.unwrap(),
        Clock::fixed(1_790_000_000),
        AuthSettings::default(),
    );
    s.seed_demo(42).await.unwrap();
    let ids = load(&s, &data).await;
    let head = s.login("head", "demo", "t").await.unwrap().actor;
    let ask = async |codes: &[&str], scope: ScopeRef, period: Period| {
        let codes: Vec<String> = codes.iter().map(ToString::to_string).collect();
        s.metric_values(&head, &codes, &scope, period)
            .await
            .unwrap()
    };
    let mut failures = Vec::new();
    let mut compared = 0;

    let mut month_columns: Vec<(&str, &str, Agree)> = AD_COLUMNS.to_vec();
    month_columns[4] = ("ad_revenue", "conversion_value", Agree::Cents);
    month_columns.extend([
        ("orders", "orders", Agree::Exact),
        ("order_revenue", "order_revenue", Agree::Cents),
        ("active_customers", "active_customers", Agree::Exact),
        ("aov", "aov", Agree::Ratio),
        ("orders_per_customer", "purchase_frequency", Agree::Ratio),
        ("new_customers", "new_customers", Agree::Exact),
        ("cac", "cac", Agree::Ratio),
        ("repeat_purchase_rate", "repeat_purchase_rate", Agree::Ratio),
        ("churn_rate", "churn_rate", Agree::Ratio),
        ("sessions", "sessions", Agree::Exact),
        ("new_users", "new_users", Agree::Exact),
        ("web_conversions", "web_conversions", Agree::Exact),
        ("web_conversion_rate", "web_conversion_rate", Agree::Ratio),
    ]);
    let codes: Vec<&str> = month_columns.iter().map(|(_, c, _)| *c).collect();
    for row in read_csv(&reference.join("kpi_month.csv")) {
        let answers = ask(&codes, ScopeRef::Department, month(&row["month"])).await;
        check(
            &mut failures,
            &format!("month {}", row["month"]),
            &row,
            &answers,
            &month_columns,
        );
        compared += month_columns.len();
    }

    let mut employee_columns: Vec<(&str, &str, Agree)> = AD_COLUMNS.to_vec();
    employee_columns.extend([
        ("crm_orders", "orders", Agree::Exact),
        ("crm_revenue", "order_revenue", Agree::Cents),
    ]);
    let codes: Vec<&str> = employee_columns.iter().map(|(_, c, _)| *c).collect();
    for row in read_csv(&reference.join("kpi_employee_month.csv")) {
        let scope = ScopeRef::Employee(ids[&row["employee_id"]]);
        let answers = ask(&codes, scope, month(&row["month"])).await;
        let what = format!("employee {} month {}", row["employee_id"], row["month"]);
        check(&mut failures, &what, &row, &answers, &employee_columns);
        compared += employee_columns.len();
    }

    let codes: Vec<&str> = AD_COLUMNS.iter().map(|(_, c, _)| *c).collect();
    for row in read_csv(&reference.join("kpi_channel_month.csv")) {
        let channel = mkpi_ingest::channel::normalise_channel(&row["channel"]);
        let answers = ask(&codes, ScopeRef::Channel(channel), month(&row["month"])).await;
        let what = format!("channel {} month {}", row["channel"], row["month"]);
        check(&mut failures, &what, &row, &answers, &AD_COLUMNS);
        compared += AD_COLUMNS.len();
    }
    assert!(compared > 4000, "only {compared} values compared");
    assert!(
        failures.is_empty(),
        "{} of {compared} values differ:\n{}",
        failures.len(),
        failures
            .iter()
            .take(30)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}
