//! The web application end to end, on every backend this run covers.

mod harness;

use axum::http::{Method, StatusCode};
use harness::{START, TestApp, TestResponse};
use serde_json::{Value, json};

const ROLES: [&str; 5] = ["admin", "head", "manager", "employee", "viewer"];

/// Ids in the demo department the matrix refers to.
struct People {
    own: i64,
    teammate: i64,
    subteam: i64,
    other: i64,
    /// The performance team (the manager's) and the brand team (not theirs).
    own_team: i64,
    other_team: i64,
}

fn people(app: &TestApp) -> People {
    let ids = &app.demo.employee_ids;
    // Order of the demo plan: head, performance lead, 3 performance
    // members, paid-social lead, 2 members, brand lead, 4 members, …
    assert_eq!(app.demo.employee_employee_id, ids[2]);
    People {
        own: ids[2],
        teammate: ids[3],
        subteam: ids[6],
        other: ids[9],
        own_team: app.demo.team_ids[0],
        other_team: app.demo.team_ids[2],
    }
}

struct Case {
    method: Method,
    path: String,
    body: Option<Value>,
    form: Option<Vec<(&'static str, &'static str)>>,
    /// anonymous, admin, head, manager, employee, viewer
    expect: [u16; 6],
}

fn get(path: String, expect: [u16; 6]) -> Case {
    Case {
        method: Method::GET,
        path,
        body: None,
        form: None,
        expect,
    }
}

fn post_json(path: &str, body: Value, expect: [u16; 6]) -> Case {
    Case {
        method: Method::POST,
        path: path.to_string(),
        body: Some(body),
        form: None,
        expect,
    }
}

fn json_case(method: Method, path: String, body: Value, expect: [u16; 6]) -> Case {
    Case {
        method,
        path,
        body: Some(body),
        form: None,
        expect,
    }
}

fn post_form_to(path: String, form: Vec<(&'static str, &'static str)>, expect: [u16; 6]) -> Case {
    post_form(&path, form, expect)
}

fn post_form(path: &str, form: Vec<(&'static str, &'static str)>, expect: [u16; 6]) -> Case {
    Case {
        method: Method::POST,
        path: path.to_string(),
        body: None,
        form: Some(form),
        expect,
    }
}

fn matrix(p: &People) -> Vec<Case> {
    let page = [303, 200, 200, 200, 200, 200];
    let api = [401, 200, 200, 200, 200, 200];
    // A person's figures and evaluations: the viewer reads department figures only.
    let personal_page = [303, 200, 200, 200, 200, 403];
    let personal_api = [401, 200, 200, 200, 200, 403];
    // A form field must live as long as the cases.
    let own: &'static str = Box::leak(p.own.to_string().into_boxed_str());
    vec![
        // Pages.
        get("/".into(), page),
        get("/employees".into(), page),
        get("/dashboard".into(), page),
        get("/metrics".into(), page),
        get("/alerts".into(), page),
        get("/explore".into(), page),
        get("/explore?split=channels&range=year".into(), page),
        get(
            format!("/explore?scope=employee:{}&range=year", p.other),
            [303, 200, 200, 404, 404, 403],
        ),
        get(
            "/explore?scope=galaxy:1".into(),
            [303, 422, 422, 422, 422, 422],
        ),
        get("/alerts?days=90".into(), page),
        get("/dashboard?range=quarter&compare=year".into(), page),
        get(
            "/dashboard?from=2025-03-01&until=2025-02-01".into(),
            [303, 422, 422, 422, 422, 422],
        ),
        get("/employees?q=SEO".into(), page),
        get(format!("/employees/{}", p.own), personal_page),
        get(
            format!("/employees/{}", p.teammate),
            [303, 200, 200, 200, 404, 403],
        ),
        get(
            format!("/employees/{}", p.subteam),
            [303, 200, 200, 200, 404, 403],
        ),
        get(
            format!("/employees/{}", p.other),
            [303, 200, 200, 404, 404, 403],
        ),
        get("/employees/999999".into(), [303, 404, 404, 404, 404, 404]),
        get(
            format!("/teams/{}", p.own_team),
            [303, 200, 200, 200, 404, 200],
        ),
        get(
            format!("/teams/{}", p.other_team),
            [303, 200, 200, 404, 404, 200],
        ),
        get("/teams/999999".into(), [303, 404, 404, 404, 404, 404]),
        get("/goals".into(), page),
        get("/goals?range=quarter".into(), page),
        get("/goals/new".into(), page),
        get("/goals/999999".into(), [303, 404, 404, 404, 404, 404]),
        get("/goals/999999/edit".into(), [303, 404, 404, 404, 404, 404]),
        get("/swot".into(), page),
        get("/swot?from=2025-01-01&until=2025-03-31".into(), page),
        get("/tasks".into(), page),
        get("/tasks?view=list&overdue=1".into(), page),
        get(
            format!("/tasks?assignee={}", p.other),
            [303, 200, 200, 404, 404, 200],
        ),
        get(
            "/tasks?status=paused".into(),
            [303, 422, 422, 422, 422, 422],
        ),
        get("/tasks/999999".into(), [303, 404, 404, 404, 404, 404]),
        get("/campaigns".into(), page),
        get("/campaigns?q=a&format=csv".into(), page),
        get("/campaigns/new".into(), [303, 200, 200, 200, 403, 403]),
        get("/campaigns/999999".into(), [303, 404, 404, 404, 404, 404]),
        get("/my-work".into(), page),
        get("/reviews".into(), page),
        get("/reviews/999999".into(), [303, 404, 404, 404, 404, 404]),
        get(
            format!("/reviews/999999/assess/{}?perspective=self", p.own),
            [303, 404, 404, 404, 404, 404],
        ),
        get(
            format!("/reviews/999999/results/{}", p.own),
            [303, 404, 404, 404, 404, 404],
        ),
        get(
            "/reviews/999999/calibration".into(),
            [303, 404, 404, 404, 403, 404],
        ),
        get(
            format!("/reviews/people/{}", p.own),
            [303, 200, 200, 200, 200, 404],
        ),
        get(
            format!("/reviews/people/{}", p.other),
            [303, 200, 200, 404, 404, 404],
        ),
        // A client's link: no account needed; one never given opens nothing.
        get(format!("/r/{}", "ab".repeat(24)), [404; 6]),
        get("/r/short".into(), [404; 6]),
        get("/reviews/framework".into(), page),
        get("/account".into(), page),
        get("/admin/users".into(), [303, 200, 403, 403, 403, 403]),
        get("/admin/audit".into(), [303, 200, 200, 403, 403, 403]),
        get("/imports".into(), [303, 200, 403, 403, 403, 403]),
        get(
            "/imports/history?q=csv&page=2".into(),
            [303, 200, 403, 403, 403, 403],
        ),
        get(
            "/imports/history?format=csv".into(),
            [303, 200, 403, 403, 403, 403],
        ),
        get(
            "/admin/audit?q=task&page=2".into(),
            [303, 200, 200, 403, 403, 403],
        ),
        get(
            "/admin/audit?entity=task&format=csv".into(),
            [303, 200, 200, 403, 403, 403],
        ),
        get("/employees?q=a&page=1&format=csv".into(), page),
        get("/alerts?days=90&q=spend&format=csv".into(), page),
        get("/kpis".into(), page),
        get("/kpis?year=2025".into(), page),
        post_form(
            "/kpis",
            vec![
                ("metric", "spend"),
                ("scope", "department"),
                ("from", "2026-01-01"),
                ("until", "2026-03-31"),
            ],
            [303, 422, 422, 422, 403, 403],
        ),
        get("/kpis/999999".into(), [303, 404, 404, 404, 404, 404]),
        post_form(
            "/kpis/999999/target",
            vec![("from", "2026-01-01"), ("target", "1")],
            [303, 404, 404, 404, 404, 404],
        ),
        post_form(
            "/kpis/999999/weight",
            vec![("weight", "1")],
            [303, 404, 404, 404, 404, 404],
        ),
        post_form(
            "/kpis/999999/retire",
            vec![("last_day", "2026-01-01")],
            [303, 404, 404, 404, 404, 404],
        ),
        // Setting the department up. The demo is set up: the first run is gone.
        get("/setup".into(), [404; 6]),
        post_form("/setup", vec![("company", "X")], [404; 6]),
        get("/start".into(), [303, 200, 200, 403, 403, 403]),
        get("/organisation".into(), [303, 200, 200, 403, 403, 403]),
        // Empty names: the rights are checked, nothing changes.
        post_form(
            "/organisation/company",
            vec![
                ("name", ""),
                ("currency", "RUB"),
                ("time_zone", "UTC"),
                ("locale", "ru"),
            ],
            [303, 422, 422, 403, 403, 403],
        ),
        post_form(
            "/organisation/teams",
            vec![("name", "")],
            [303, 422, 422, 403, 403, 403],
        ),
        post_form_to(
            format!("/organisation/teams/{}", p.own_team),
            vec![("name", "")],
            [303, 422, 422, 403, 403, 403],
        ),
        // The team holds people: it cannot be archived.
        post_form_to(
            format!("/organisation/teams/{}/archive", p.own_team),
            vec![],
            [303, 409, 409, 403, 403, 403],
        ),
        post_form(
            "/organisation/positions",
            vec![("name", "")],
            [303, 422, 422, 403, 403, 403],
        ),
        post_form(
            "/organisation/positions/999999/delete",
            vec![],
            [303, 404, 404, 403, 403, 403],
        ),
        // A link never given opens nothing.
        get(format!("/password/{}", "cd".repeat(24)), [404; 6]),
        post_form_to(
            format!("/password/{}", "cd".repeat(24)),
            vec![("password", "long enough 1"), ("repeat", "long enough 1")],
            [404; 6],
        ),
        get("/employees/new".into(), [303, 200, 200, 200, 403, 403]),
        post_form(
            "/employees",
            vec![("name", ""), ("email", "nobody"), ("position", "")],
            [303, 422, 422, 422, 403, 403],
        ),
        get(
            format!("/employees/{}/edit", p.own),
            [303, 200, 200, 200, 403, 403],
        ),
        get(
            format!("/employees/{}/edit", p.other),
            [303, 200, 200, 404, 404, 403],
        ),
        post_form_to(
            format!("/employees/{}/edit", p.own),
            vec![("name", ""), ("email", "x"), ("position", "")],
            [303, 422, 422, 422, 403, 403],
        ),
        post_form_to(
            format!("/employees/{}/transfer", p.own),
            vec![("team_id", "999999"), ("effective_on", "2026-01-01")],
            [303, 422, 422, 422, 403, 403],
        ),
        post_form_to(
            format!("/employees/{}/leave", p.own),
            vec![("last_day", "someday")],
            [303, 422, 422, 422, 403, 403],
        ),
        post_form_to(
            format!("/employees/{}/return", p.own),
            vec![("first_day", "2026-01-01")],
            [303, 422, 422, 422, 403, 403],
        ),
        post_form_to(
            format!("/employees/{}/account", p.own),
            vec![("login", "!"), ("role", "employee")],
            [303, 422, 403, 403, 403, 403],
        ),
        post_form_to(
            "/employees/999999/password-link".into(),
            vec![],
            [303, 404, 403, 403, 403, 403],
        ),
        get("/login".into(), [200, 303, 303, 303, 303, 303]),
        get("/api/docs".into(), [200; 6]),
        get("/api/openapi.json".into(), [200; 6]),
        get("/healthz".into(), [200; 6]),
        get("/assets/app.css".into(), [200; 6]),
        get("/no/such/page".into(), [404; 6]),
        // API reads.
        get("/api/v1/me".into(), api),
        get("/api/v1/employees".into(), api),
        get("/api/v1/employees?q=a&page=2&per_page=3".into(), api),
        get(format!("/api/v1/employees/{}", p.own), api),
        get(
            format!("/api/v1/employees/{}", p.teammate),
            [401, 200, 200, 200, 404, 200],
        ),
        get(
            format!("/api/v1/employees/{}", p.subteam),
            [401, 200, 200, 200, 404, 200],
        ),
        get(
            format!("/api/v1/employees/{}", p.other),
            [401, 200, 200, 404, 404, 200],
        ),
        get("/api/v1/teams".into(), api),
        get("/api/v1/company".into(), api),
        get("/api/v1/kpis/999999".into(), [401, 404, 404, 404, 404, 404]),
        post_json(
            "/api/v1/kpis/999999/targets",
            json!({"from": "2026-01-01", "target": 1.0}),
            [401, 404, 404, 404, 404, 404],
        ),
        json_case(
            Method::PATCH,
            "/api/v1/kpis/999999".into(),
            json!({"weight": 1.0}),
            [401, 404, 404, 404, 404, 404],
        ),
        post_json(
            "/api/v1/kpis/999999/retire",
            json!({"last_day": "2026-01-01"}),
            [401, 404, 404, 404, 404, 404],
        ),
        json_case(
            Method::PATCH,
            "/api/v1/company".into(),
            json!({}),
            [401, 200, 200, 403, 403, 403],
        ),
        post_json(
            "/api/v1/teams",
            json!({"name": ""}),
            [401, 422, 422, 403, 403, 403],
        ),
        // An employee sees their own team.
        get(format!("/api/v1/teams/{}", p.own_team), api),
        get(
            format!("/api/v1/teams/{}", p.other_team),
            [401, 200, 200, 404, 404, 200],
        ),
        json_case(
            Method::PATCH,
            format!("/api/v1/teams/{}", p.own_team),
            json!({}),
            [401, 200, 200, 403, 403, 403],
        ),
        json_case(
            Method::DELETE,
            format!("/api/v1/teams/{}", p.own_team),
            json!({}),
            [401, 409, 409, 403, 403, 403],
        ),
        get("/api/v1/positions".into(), api),
        post_json(
            "/api/v1/positions",
            json!({"name": " "}),
            [401, 422, 422, 403, 403, 403],
        ),
        json_case(
            Method::PATCH,
            "/api/v1/positions/999999".into(),
            json!({"name": "Analyst"}),
            [401, 404, 404, 403, 403, 403],
        ),
        json_case(
            Method::DELETE,
            "/api/v1/positions/999999".into(),
            json!({}),
            [401, 404, 404, 403, 403, 403],
        ),
        post_json(
            "/api/v1/employees",
            json!({"name": "", "email": "nobody", "position": ""}),
            [401, 422, 422, 422, 403, 403],
        ),
        json_case(
            Method::PATCH,
            format!("/api/v1/employees/{}", p.own),
            json!({}),
            [401, 200, 200, 200, 403, 403],
        ),
        json_case(
            Method::PATCH,
            format!("/api/v1/employees/{}", p.other),
            json!({}),
            [401, 200, 200, 404, 404, 403],
        ),
        post_json(
            &format!("/api/v1/employees/{}/transfer", p.own),
            json!({"team_id": 999999, "effective_on": "2026-01-01"}),
            [401, 422, 422, 422, 403, 403],
        ),
        post_json(
            &format!("/api/v1/employees/{}/leave", p.own),
            json!({"last_day": "someday"}),
            [401, 422, 422, 422, 403, 403],
        ),
        post_json(
            &format!("/api/v1/employees/{}/return", p.own),
            json!({"first_day": "2026-01-01"}),
            [401, 422, 422, 422, 403, 403],
        ),
        get(format!("/api/v1/employees/{}/memberships", p.own), api),
        get(
            format!("/api/v1/employees/{}/memberships", p.other),
            [401, 200, 200, 404, 404, 200],
        ),
        post_json(
            &format!("/api/v1/employees/{}/account", p.own),
            json!({"login": "!", "role": "employee"}),
            [401, 422, 403, 403, 403, 403],
        ),
        post_json(
            "/api/v1/users/999999/password-link",
            json!({}),
            [401, 404, 403, 403, 403, 403],
        ),
        json_case(
            Method::PATCH,
            "/api/v1/users/999999".into(),
            json!({"role": "viewer"}),
            [401, 404, 403, 403, 403, 403],
        ),
        get(
            format!(
                "/api/v1/employees/{}/scorecard?from=2025-03-01&to=2025-04-01",
                p.own
            ),
            personal_api,
        ),
        get(
            format!(
                "/api/v1/employees/{}/scorecard?from=2025-03-01&to=2025-04-01",
                p.other
            ),
            [401, 200, 200, 404, 404, 403],
        ),
        json_case(
            Method::POST,
            format!("/api/v1/employees/{}/personal-data", p.own),
            json!({}),
            [401, 200, 403, 403, 403, 403],
        ),
        json_case(
            Method::POST,
            "/api/v1/employees/999999/personal-data".into(),
            json!({}),
            [401, 404, 403, 403, 403, 403],
        ),
        // A wrong name: nobody is erased by the matrix.
        json_case(
            Method::POST,
            format!("/api/v1/employees/{}/erase", p.own),
            json!({"confirm": "not the name"}),
            [401, 422, 403, 403, 403, 403],
        ),
        json_case(
            Method::POST,
            "/api/v1/employees/999999/erase".into(),
            json!({"confirm": "x"}),
            [401, 404, 403, 403, 403, 403],
        ),
        get("/api/v1/users".into(), [401, 200, 403, 403, 403, 403]),
        get("/api/v1/audit".into(), [401, 200, 200, 403, 403, 403]),
        get("/api/v1/me/tokens".into(), api),
        get("/api/v1/metrics".into(), api),
        get("/api/v1/alerts".into(), api),
        get(
            "/api/v1/explore?split=channels&from=2025-03-01&to=2025-04-01".into(),
            api,
        ),
        get("/api/v1/explore".into(), [401, 422, 422, 422, 422, 422]),
        get(
            format!(
                "/api/v1/explore?scope=employee:{}&from=2025-03-01&to=2025-04-01",
                p.other
            ),
            [401, 200, 200, 404, 404, 403],
        ),
        get(
            "/api/v1/explore?scope=campaign:999999&from=2025-03-01&to=2025-04-01".into(),
            [401, 404, 404, 404, 404, 404],
        ),
        get(
            "/api/v1/metrics/ctr/value?scope=department&from=2025-03-01&to=2025-04-01".into(),
            api,
        ),
        get(
            format!(
                "/api/v1/metrics/spend/value?scope=employee:{}&from=2025-03-01&to=2025-04-01",
                p.own
            ),
            personal_api,
        ),
        get(
            format!(
                "/api/v1/metrics/spend/value?scope=employee:{}&from=2025-03-01&to=2025-04-01",
                p.teammate
            ),
            [401, 200, 200, 200, 404, 403],
        ),
        get(
            format!(
                "/api/v1/metrics/spend/value?scope=employee:{}&from=2025-03-01&to=2025-04-01",
                p.other
            ),
            [401, 200, 200, 404, 404, 403],
        ),
        get(
            "/api/v1/metrics/spend/value?scope=campaign:999999&from=2025-03-01&to=2025-04-01"
                .into(),
            [401, 404, 404, 404, 404, 404],
        ),
        get("/api/v1/kpis".into(), [401, 422, 422, 422, 422, 422]),
        get(
            "/api/v1/kpis/999999/check-ins".into(),
            [401, 404, 404, 404, 404, 404],
        ),
        get(
            format!("/api/v1/employees/{}/one-on-ones", p.own),
            personal_api,
        ),
        get(
            format!("/api/v1/employees/{}/one-on-ones", p.other),
            [401, 200, 200, 404, 404, 403],
        ),
        get(
            format!("/api/v1/employees/{}/development-actions", p.own),
            personal_api,
        ),
        get(
            format!("/api/v1/employees/{}/development-actions", p.other),
            [401, 200, 200, 404, 404, 403],
        ),
        get("/api/v1/kpis?from=2025-03-01&to=2025-04-01".into(), api),
        get("/api/v1/goals".into(), api),
        get(
            "/api/v1/goals?tree=1&from=2025-01-01&to=2025-04-01".into(),
            api,
        ),
        get(
            "/api/v1/goals/999999".into(),
            [401, 404, 404, 404, 404, 404],
        ),
        get("/api/v1/strategies".into(), api),
        get("/api/v1/swot?from=2025-01-01&to=2025-04-01".into(), api),
        get("/api/v1/swot".into(), [401, 422, 422, 422, 422, 422]),
        get("/api/v1/tasks".into(), api),
        get("/api/v1/tasks?q=mk&page=1&per_page=5".into(), api),
        get(
            format!("/api/v1/tasks?assignee={}", p.other),
            [401, 200, 200, 404, 404, 200],
        ),
        get(
            "/api/v1/tasks/999999".into(),
            [401, 404, 404, 404, 404, 404],
        ),
        get("/api/v1/competencies".into(), api),
        get("/api/v1/review-cycles".into(), api),
        get(
            format!("/api/v1/review-cycles/999999/results/{}", p.own),
            [401, 404, 404, 404, 404, 404],
        ),
        get(
            "/api/v1/review-cycles/999999/calibration".into(),
            [401, 404, 404, 404, 403, 404],
        ),
        get(
            format!("/api/v1/employees/{}/review-history", p.own),
            [401, 200, 200, 200, 200, 404],
        ),
        get(
            format!("/api/v1/employees/{}/review-history", p.other),
            [401, 200, 200, 404, 404, 404],
        ),
        get(
            "/api/v1/review-distributions".into(),
            [401, 200, 200, 200, 403, 404],
        ),
        get(
            "/api/v1/review-distributions?team_id=999999".into(),
            [401, 404, 404, 404, 403, 404],
        ),
        get(
            format!(
                "/api/v1/kpis?scope=employee:{}&from=2025-03-01&to=2025-04-01",
                p.other
            ),
            [401, 200, 200, 404, 404, 403],
        ),
        get(
            "/api/v1/metrics/nope/value?from=2025-03-01&to=2025-04-01".into(),
            [401, 422, 422, 422, 422, 422],
        ),
        // API changes (valid for the role or harmlessly invalid).
        post_json(
            "/api/v1/users",
            json!({"login": "newbie", "password": "long-enough", "role": "chief"}),
            [401, 422, 403, 403, 403, 403],
        ),
        post_json(
            "/api/v1/users/999999/deactivate",
            json!({}),
            [401, 404, 403, 403, 403, 403],
        ),
        post_json(
            "/api/v1/users/999999/activate",
            json!({}),
            [401, 404, 403, 403, 403, 403],
        ),
        post_json(
            "/api/v1/users/999999/reset-password",
            json!({}),
            [401, 404, 403, 403, 403, 403],
        ),
        post_json(
            "/api/v1/me/locale",
            json!({"locale": "en"}),
            [401, 204, 204, 204, 204, 204],
        ),
        post_json(
            "/api/v1/me/tokens",
            json!({"name": "matrix"}),
            [401, 201, 201, 201, 201, 201],
        ),
        post_json(
            "/api/v1/me/tokens/999999/revoke",
            json!({}),
            [401, 404, 404, 404, 404, 404],
        ),
        post_json(
            "/api/v1/me/password",
            json!({"current_password": "wrong", "new_password": "x"}),
            [401, 422, 422, 422, 422, 422],
        ),
        post_json(
            "/api/v1/ingest/ad_stats",
            json!({"records": [{"date": "2024-12-01", "campaign": "NOPE", "impressions": 1, "clicks": 0, "spend": 1}]}),
            [401, 422, 403, 403, 403, 403],
        ),
        // Files, imports, rollback and mappings through the API: admins.
        get("/api/v1/imports".into(), [401, 200, 403, 403, 403, 403]),
        get(
            "/api/v1/imports?q=csv&page=1".into(),
            [401, 200, 403, 403, 403, 403],
        ),
        post_json("/api/v1/imports", json!({}), [401, 422, 403, 403, 403, 403]),
        post_json(
            "/api/v1/imports?preset=no-such-preset&dry_run=true",
            json!({}),
            [401, 422, 403, 403, 403, 403],
        ),
        post_json(
            "/api/v1/imports/999999/rollback",
            json!({}),
            [401, 404, 403, 403, 403, 403],
        ),
        get("/api/v1/mappings".into(), [401, 200, 403, 403, 403, 403]),
        post_json(
            "/api/v1/mappings",
            json!({"not": "toml"}),
            [401, 422, 403, 403, 403, 403],
        ),
        json_case(
            Method::DELETE,
            "/api/v1/mappings/no-such-mapping".into(),
            json!({}),
            [401, 404, 403, 403, 403, 403],
        ),
        post_json(
            "/api/v1/metrics",
            json!({"code": "x", "name_en": "X", "formula": "spend +", "unit": "money", "direction": "lower"}),
            [401, 422, 403, 403, 403, 403],
        ),
        post_json(
            "/api/v1/kpis",
            json!({"metric": "clicks", "scope": "department", "from": "2025-03-01", "to": "2025-04-01", "targets": []}),
            [401, 422, 422, 422, 403, 403],
        ),
        post_json(
            "/api/v1/kpis/999999/check-ins",
            json!({"confidence": 3, "comment": "x"}),
            [401, 404, 404, 404, 404, 404],
        ),
        json_case(
            Method::PATCH,
            "/api/v1/check-ins/999999".into(),
            json!({"comment": "x"}),
            [401, 404, 404, 404, 404, 404],
        ),
        json_case(
            Method::PATCH,
            "/api/v1/one-on-ones/999999".into(),
            json!({"notes": "x"}),
            [401, 404, 404, 404, 404, 404],
        ),
        // Only a person's manager or the head writes 1:1 notes; a bad date
        // is refused before anything is stored.
        post_json(
            &format!("/api/v1/employees/{}/one-on-ones", p.own),
            json!({"held_on": "yesterday", "notes": "x"}),
            [401, 403, 422, 422, 403, 403],
        ),
        // Only a person's manager or the head plans development actions.
        post_json(
            &format!("/api/v1/employees/{}/development-actions", p.own),
            json!({"kind": "holiday", "title": "x", "due_on": "2099-01-01"}),
            [401, 403, 422, 422, 403, 403],
        ),
        post_json(
            &format!("/api/v1/employees/{}/development-actions", p.other),
            json!({"kind": "holiday", "title": "x", "due_on": "2099-01-01"}),
            [401, 403, 422, 404, 404, 403],
        ),
        post_json(
            "/api/v1/development-actions/999999/status",
            json!({"status": "done"}),
            [401, 404, 404, 404, 404, 404],
        ),
        // Goals: the head sets the department's, a manager their teams' and
        // people's, a person proposes their own; a viewer sets none.
        post_json(
            "/api/v1/goals/smart-check",
            json!({"scope": "department", "title": "Increase sales"}),
            api,
        ),
        post_json(
            "/api/v1/goals",
            json!({"scope": "department", "title": "Grow sales"}),
            [401, 201, 201, 403, 403, 403],
        ),
        json_case(
            Method::POST,
            "/api/v1/goals".into(),
            json!({"scope": format!("team:{}", p.own_team), "title": "Grow search"}),
            [401, 201, 201, 201, 403, 403],
        ),
        json_case(
            Method::POST,
            "/api/v1/goals".into(),
            json!({"scope": format!("team:{}", p.other_team), "title": "Grow brand"}),
            [401, 201, 201, 422, 422, 403],
        ),
        json_case(
            Method::POST,
            "/api/v1/goals".into(),
            json!({"scope": format!("employee:{}", p.own), "title": "Learn analytics"}),
            [401, 201, 201, 201, 201, 422],
        ),
        json_case(
            Method::POST,
            "/api/v1/goals".into(),
            json!({"scope": format!("employee:{}", p.other), "title": "Learn analytics"}),
            [401, 201, 201, 422, 422, 422],
        ),
        json_case(
            Method::PUT,
            "/api/v1/goals/999999".into(),
            json!({"scope": "department", "title": "x"}),
            [401, 404, 404, 404, 404, 404],
        ),
        post_json(
            "/api/v1/goals/999999/status",
            json!({"status": "active"}),
            [401, 404, 404, 404, 404, 404],
        ),
        post_json(
            "/api/v1/goals/999999/progress",
            json!({"percent": 10}),
            [401, 404, 404, 404, 404, 404],
        ),
        post_json(
            "/api/v1/strategies",
            json!({"title": "", "kind": "x", "start_on": "2025-01-01", "end_on": "2025-02-01"}),
            [401, 422, 422, 422, 403, 403],
        ),
        post_json(
            "/api/v1/campaigns/999999/links",
            json!({"strategy_id": null, "goal_id": null}),
            [401, 404, 404, 404, 403, 403],
        ),
        post_json(
            "/api/v1/swot",
            json!({"period_from": "2025-01-01", "period_to": "2025-04-01", "quadrant": "x", "title": "t"}),
            [401, 422, 422, 422, 403, 403],
        ),
        json_case(
            Method::PATCH,
            "/api/v1/swot/999999".into(),
            json!({"title": "x"}),
            [401, 404, 404, 404, 403, 403],
        ),
        json_case(
            Method::DELETE,
            "/api/v1/swot/999999".into(),
            json!({}),
            [401, 404, 404, 404, 403, 403],
        ),
        // Tasks: set for oneself or (managers) for one's people; viewers none.
        post_json(
            "/api/v1/tasks",
            json!({"title": "x", "kind": "party", "due": "2099-01-01"}),
            [401, 422, 422, 422, 422, 403],
        ),
        json_case(
            Method::PATCH,
            "/api/v1/tasks/999999".into(),
            json!({"title": "x"}),
            [401, 404, 404, 404, 404, 404],
        ),
        json_case(
            Method::DELETE,
            "/api/v1/tasks/999999".into(),
            json!({}),
            [401, 404, 404, 404, 404, 404],
        ),
        post_json(
            "/api/v1/tasks/999999/status",
            json!({"status": "done"}),
            [401, 404, 404, 404, 404, 404],
        ),
        post_json(
            "/api/v1/tasks/999999/rating",
            json!({"quality": 3}),
            [401, 404, 404, 404, 404, 404],
        ),
        post_json(
            "/api/v1/tasks/999999/goal",
            json!({"goal_id": null}),
            [401, 404, 404, 404, 404, 404],
        ),
        json_case(
            Method::PATCH,
            "/api/v1/tasks/999999/time/MK-999999:1:1".into(),
            json!({"date": "2025-01-01", "hours": 1}),
            [401, 404, 404, 404, 404, 404],
        ),
        json_case(
            Method::DELETE,
            "/api/v1/tasks/999999/time/MK-999999:1:1".into(),
            json!({}),
            [401, 404, 404, 404, 404, 404],
        ),
        post_json(
            "/api/v1/tasks/999999/time",
            json!({"date": "2025-01-01", "hours": 1}),
            [401, 404, 404, 404, 404, 404],
        ),
        // Campaigns: everyone lists those of the people they see; those who
        // plan set them up and change them.
        get("/api/v1/dashboard".into(), api),
        get(
            "/api/v1/dashboard?from=2026-08-01&to=2026-09-01&compare=year".into(),
            api,
        ),
        get(
            "/api/v1/dashboard?from=2026-09-01&to=2026-08-01".into(),
            [401, 422, 422, 422, 422, 422],
        ),
        get(
            format!(
                "/api/v1/teams/{}/card?from=2026-08-01&to=2026-09-01",
                p.own_team
            ),
            [401, 200, 200, 200, 404, 200],
        ),
        get(
            format!(
                "/api/v1/teams/{}/card?from=2026-08-01&to=2026-09-01",
                p.other_team
            ),
            [401, 200, 200, 404, 404, 200],
        ),
        get("/api/v1/campaigns".into(), api),
        get("/api/v1/campaigns?q=brand&page=2&per_page=5".into(), api),
        get(
            "/api/v1/campaigns/999999".into(),
            [401, 404, 404, 404, 404, 404],
        ),
        post_json(
            "/api/v1/campaigns",
            json!({"name": " "}),
            [401, 422, 422, 422, 403, 403],
        ),
        json_case(
            Method::PATCH,
            "/api/v1/campaigns/999999".into(),
            json!({"name": "x"}),
            [401, 404, 404, 404, 404, 404],
        ),
        post_json(
            "/api/v1/campaigns/999999/people",
            json!({"owner_employee_id": null}),
            [401, 404, 404, 404, 404, 404],
        ),
        json_case(
            Method::PATCH,
            "/api/v1/strategies/999999".into(),
            json!({"title": "x", "kind": "brand", "start_on": "2026-07-01", "end_on": "2026-10-01"}),
            [401, 404, 404, 404, 404, 404],
        ),
        post_json(
            "/api/v1/strategies/999999/archive",
            json!({"archived": true}),
            [401, 404, 404, 404, 404, 404],
        ),
        json_case(
            Method::PATCH,
            "/api/v1/review-cycles/999999".into(),
            json!({"name": "x"}),
            [401, 404, 404, 403, 403, 403],
        ),
        // Review cycles: the head opens them; assessments go to the people in them.
        post_json(
            "/api/v1/review-cycles",
            json!({"name": "", "period_from": "2026-07-01", "period_to": "2026-10-01",
                   "self_due": "x", "nomination_due": "x", "assessment_due": "x", "calibration_due": "x"}),
            [401, 422, 422, 403, 403, 403],
        ),
        post_json(
            "/api/v1/review-cycles/999999/status",
            json!({"status": "calibration"}),
            [401, 404, 404, 403, 403, 403],
        ),
        json_case(
            Method::POST,
            "/api/v1/review-cycles/999999/peers".into(),
            json!({"employee_id": p.own, "peer_employee_id": p.teammate}),
            [401, 404, 404, 404, 404, 404],
        ),
        json_case(
            Method::POST,
            "/api/v1/review-cycles/999999/assessments".into(),
            json!({"employee_id": p.own, "perspective": "self", "ratings": []}),
            [401, 403, 404, 404, 404, 403],
        ),
        post_json(
            "/api/v1/review-raters/999999/decision",
            json!({"approve": true}),
            [401, 404, 404, 404, 404, 404],
        ),
        post_json(
            "/api/v1/competencies",
            json!({"code": "", "name_en": "", "name_ru": "", "levels_en": [], "levels_ru": []}),
            [401, 422, 422, 403, 403, 403],
        ),
        json_case(
            Method::PUT,
            "/api/v1/competencies/no_such".into(),
            json!({"name_en": "x", "name_ru": "x", "levels_en": ["a", "b", "c"], "levels_ru": ["a", "b", "c"]}),
            [401, 404, 404, 403, 403, 403],
        ),
        post_json(
            "/api/v1/competencies/no_such/retire",
            json!({}),
            [401, 404, 404, 403, 403, 403],
        ),
        json_case(
            Method::PUT,
            "/api/v1/competencies/no_such/weights".into(),
            json!({"position": "x", "weight": 1}),
            [401, 404, 404, 403, 403, 403],
        ),
        post_json(
            "/api/v1/review-cycles/999999/what-if",
            json!({"manager": 1}),
            [401, 404, 404, 403, 403, 403],
        ),
        json_case(
            Method::PUT,
            "/api/v1/review-cycles/999999/formula".into(),
            json!({"manager": 1}),
            [401, 404, 404, 403, 403, 403],
        ),
        json_case(
            Method::POST,
            "/api/v1/review-cycles/999999/adjustments".into(),
            json!({"employee_id": p.own, "points": 5, "reason": "x"}),
            [401, 404, 404, 404, 404, 404],
        ),
        json_case(
            Method::POST,
            "/api/v1/review-cycles/999999/potential".into(),
            json!({"employee_id": p.own, "rating": 3}),
            [401, 404, 404, 404, 404, 404],
        ),
        post_json(
            "/api/v1/review-cycles/999999/acknowledgement",
            json!({"comment": ""}),
            [401, 403, 404, 404, 404, 403],
        ),
        json_case(
            Method::POST,
            "/api/v1/review-cycles/999999/clients".into(),
            json!({"employee_id": p.own, "name": "A", "email": "a@client.example"}),
            [401, 404, 404, 404, 404, 404],
        ),
        post_json(
            "/api/v1/ingest/likes",
            json!({"records": []}),
            [401, 404, 404, 404, 404, 404],
        ),
        // Six principals try a wrong password for one login: the sixth
        // attempt within the window is refused whatever the password.
        post_json(
            "/api/v1/login",
            json!({"login": "admin", "password": "wrong"}),
            [401, 401, 401, 401, 401, 429],
        ),
        // Page forms.
        post_form(
            "/account/locale",
            vec![("locale", "en"), ("next", "/")],
            [303; 6],
        ),
        post_form(
            "/account/password",
            vec![("current_password", "x"), ("new_password", "y")],
            [303, 422, 422, 422, 422, 422],
        ),
        post_form(
            "/account/tokens",
            vec![("name", "form token")],
            [303, 200, 200, 200, 200, 200],
        ),
        post_form(
            "/account/tokens/999999/revoke",
            vec![],
            [303, 404, 404, 404, 404, 404],
        ),
        post_form(
            "/admin/users",
            vec![("login", "x"), ("role", "chief")],
            [303, 422, 403, 403, 403, 403],
        ),
        post_form(
            "/admin/users/999999/deactivate",
            vec![],
            [303, 404, 403, 403, 403, 403],
        ),
        post_form(
            "/admin/users/999999/activate",
            vec![],
            [303, 404, 403, 403, 403, 403],
        ),
        post_form(
            "/admin/users/999999/reset-password",
            vec![],
            [303, 404, 403, 403, 403, 403],
        ),
        post_form_to(
            format!("/employees/{}/check-ins", p.own),
            vec![("kpi_id", "999999"), ("confidence", "3"), ("comment", "x")],
            [303, 404, 404, 404, 404, 404],
        ),
        post_form_to(
            format!("/employees/{}/one-on-ones", p.own),
            vec![("held_on", "yesterday"), ("notes", "x")],
            [303, 403, 422, 422, 403, 403],
        ),
        post_form_to(
            format!("/employees/{}/development-actions", p.own),
            vec![
                ("kind", "holiday"),
                ("title", "x"),
                ("due_on", "2099-01-01"),
            ],
            [303, 403, 422, 422, 403, 403],
        ),
        post_form(
            "/development-actions/999999/status",
            vec![("status", "done")],
            [303, 404, 404, 404, 404, 404],
        ),
        post_form(
            "/goals",
            vec![("scope", "galaxy:1"), ("title", "x")],
            [303, 422, 422, 422, 422, 422],
        ),
        post_form(
            "/goals/smart",
            vec![("title", "Increase sales"), ("measure", "metric")],
            [303, 200, 200, 200, 200, 200],
        ),
        post_form(
            "/goals/999999",
            vec![("scope", "department"), ("title", "x")],
            [303, 404, 404, 404, 404, 404],
        ),
        post_form(
            "/goals/999999/status",
            vec![("status", "active")],
            [303, 404, 404, 404, 404, 404],
        ),
        post_form(
            "/goals/999999/progress",
            vec![("percent", "10")],
            [303, 404, 404, 404, 404, 404],
        ),
        post_form(
            "/strategies",
            vec![
                ("title", ""),
                ("kind", "x"),
                ("start_on", "2025-01-01"),
                ("last_day", "2025-01-31"),
            ],
            [303, 422, 422, 422, 403, 403],
        ),
        post_form(
            "/swot",
            vec![
                ("from", "2025-01-01"),
                ("last_day", "2025-03-31"),
                ("quadrant", "x"),
                ("title", "t"),
            ],
            [303, 422, 422, 422, 403, 403],
        ),
        post_form(
            "/employees/1/check-ins/999999/edit",
            vec![("confidence", "3"), ("comment", "x")],
            [303, 404, 404, 404, 404, 404],
        ),
        post_form(
            "/employees/1/one-on-ones/999999/edit",
            vec![("held_on", "2025-01-01"), ("notes", "x")],
            [303, 404, 404, 404, 404, 404],
        ),
        post_form(
            "/swot/999999/edit",
            vec![("quadrant", "threat"), ("title", "x")],
            [303, 404, 404, 404, 403, 403],
        ),
        post_form(
            "/swot/999999/delete",
            vec![],
            [303, 404, 404, 404, 403, 403],
        ),
        post_form(
            "/reviews/999999/edit",
            vec![("name", "x")],
            [303, 404, 404, 403, 403, 403],
        ),
        post_form(
            "/strategies/999999/edit",
            vec![
                ("title", "x"),
                ("kind", "brand"),
                ("start_on", "2026-07-01"),
                ("last_day", "2026-09-30"),
            ],
            [303, 404, 404, 404, 404, 404],
        ),
        post_form(
            "/strategies/999999/archive",
            vec![("archived", "true")],
            [303, 404, 404, 404, 404, 404],
        ),
        post_form(
            "/campaigns",
            vec![("name", " ")],
            [303, 422, 422, 422, 403, 403],
        ),
        post_form(
            "/campaigns/999999/edit",
            vec![("name", "x")],
            [303, 404, 404, 404, 404, 404],
        ),
        post_form(
            "/campaigns/999999/people",
            vec![("owner_employee_id", "")],
            [303, 404, 404, 404, 404, 404],
        ),
        post_form(
            "/tasks",
            vec![("title", "x"), ("kind", "party"), ("due", "2099-01-01")],
            [303, 422, 422, 422, 422, 403],
        ),
        post_form(
            "/tasks/999999/edit",
            vec![("title", "x"), ("kind", "other"), ("due", "2099-01-01")],
            [303, 404, 404, 404, 404, 404],
        ),
        post_form(
            "/tasks/999999/delete",
            vec![],
            [303, 404, 404, 404, 404, 404],
        ),
        post_form(
            "/tasks/999999/status",
            vec![("status", "done")],
            [303, 404, 404, 404, 404, 404],
        ),
        post_form(
            "/tasks/999999/rating",
            vec![("quality", "3")],
            [303, 404, 404, 404, 404, 404],
        ),
        post_form(
            "/tasks/999999/goal",
            vec![("goal_id", "")],
            [303, 404, 404, 404, 404, 404],
        ),
        post_form(
            "/tasks/999999/time/MK-999999:1:1/edit",
            vec![("date", "2025-01-01"), ("hours", "1")],
            [303, 404, 404, 404, 404, 404],
        ),
        post_form(
            "/tasks/999999/time/MK-999999:1:1/delete",
            vec![],
            [303, 404, 404, 404, 404, 404],
        ),
        post_form(
            "/tasks/999999/time",
            vec![("date", "2025-01-01"), ("hours", "1")],
            [303, 404, 404, 404, 404, 404],
        ),
        post_form(
            "/reviews",
            vec![
                ("name", ""),
                ("period_from", "2026-07-01"),
                ("last_day", "2026-09-30"),
            ],
            [303, 422, 422, 403, 403, 403],
        ),
        post_form(
            "/reviews/999999/status",
            vec![("status", "calibration")],
            [303, 404, 404, 403, 403, 403],
        ),
        post_form(
            "/reviews/999999/peers",
            vec![("employee_id", "1"), ("peer_employee_id", "2")],
            [303, 404, 404, 404, 404, 404],
        ),
        post_form(
            "/reviews/999999/assess/1",
            vec![("perspective", "self"), ("rating_quality", "3")],
            [303, 403, 404, 404, 404, 403],
        ),
        post_form(
            "/review-raters/999999/decision",
            vec![("approve", "1"), ("cycle_id", "1")],
            [303, 404, 404, 404, 404, 404],
        ),
        post_form(
            "/reviews/framework",
            vec![("code", "")],
            [303, 422, 422, 403, 403, 403],
        ),
        post_form(
            "/reviews/framework/no_such",
            vec![("name_en", "x")],
            [303, 404, 404, 403, 403, 403],
        ),
        post_form(
            "/reviews/framework/no_such/retire",
            vec![],
            [303, 404, 404, 403, 403, 403],
        ),
        post_form(
            "/reviews/framework/no_such/weights",
            vec![("position", "x"), ("weight", "1")],
            [303, 404, 404, 403, 403, 403],
        ),
        post_form(
            "/reviews/999999/what-if",
            vec![("kpi", "1")],
            [303, 404, 404, 403, 403, 403],
        ),
        post_form(
            "/reviews/999999/formula",
            vec![("kpi", "1")],
            [303, 404, 404, 403, 403, 403],
        ),
        post_form_to(
            "/reviews/999999/adjust".into(),
            vec![("employee_id", own), ("points", "5"), ("reason", "x")],
            [303, 404, 404, 404, 404, 404],
        ),
        post_form_to(
            "/reviews/999999/potential".into(),
            vec![("employee_id", own), ("rating", "3")],
            [303, 404, 404, 404, 404, 404],
        ),
        post_form(
            "/reviews/999999/acknowledge",
            vec![("comment", "")],
            [303, 403, 404, 404, 404, 403],
        ),
        post_form_to(
            "/reviews/999999/clients".into(),
            vec![
                ("employee_id", own),
                ("client_name", "A"),
                ("client_email", "a@client.example"),
            ],
            [303, 404, 404, 404, 404, 404],
        ),
        post_form_to(
            format!("/r/{}", "ab".repeat(24)),
            vec![("rating_quality", "3")],
            [404; 6],
        ),
        post_form(
            "/metrics",
            vec![
                ("code", "x"),
                ("name_en", "X"),
                ("formula", "spend +"),
                ("unit", "money"),
                ("direction", "lower"),
            ],
            [303, 422, 403, 403, 403, 403],
        ),
        post_form(
            "/imports/run",
            vec![
                ("token", "0123456789abcdef0123456789abcdef"),
                ("preset", "mkpi-orders"),
            ],
            [303, 422, 403, 403, 403, 403],
        ),
        post_form("/imports/preview", vec![], [303, 400, 400, 400, 400, 400]),
        post_form(
            "/imports/999999/rollback",
            vec![],
            [303, 404, 403, 403, 403, 403],
        ),
        post_form(
            "/imports/manual",
            vec![("fact", "orders")],
            [303, 422, 403, 403, 403, 403],
        ),
        post_form(
            "/imports/mappings",
            vec![("toml", "name = \"x\"")],
            [303, 422, 403, 403, 403, 403],
        ),
        post_form(
            "/imports/mappings/no-such/delete",
            vec![],
            [303, 404, 403, 403, 403, 403],
        ),
        post_form(
            "/login",
            vec![("login", "admin"), ("password", "demo")],
            [403; 6],
        ),
        // Reports.
        get("/reports".into(), page),
        get("/reports/competitors".into(), page),
        get("/reports/competitors?from=2026-01&to=2026-06".into(), page),
        get("/reports/999999".into(), [303, 404, 404, 404, 404, 404]),
        get(
            "/reports/999999/download?format=pdf".into(),
            [303, 404, 404, 404, 404, 404],
        ),
        get(
            "/reports/999999/download?format=doc".into(),
            [303, 422, 422, 422, 422, 422],
        ),
        post_form(
            "/reports",
            vec![("name", ""), ("scope", "department")],
            [303, 422, 422, 422, 403, 403],
        ),
        post_form(
            "/reports/competitors",
            vec![
                ("competitor", "A"),
                ("kind", "price"),
                ("month", "2026-07"),
                ("value", "x"),
            ],
            [303, 422, 422, 422, 403, 403],
        ),
        post_form(
            "/reports/competitors/import",
            vec![],
            [303, 400, 400, 400, 400, 400],
        ),
        post_form(
            "/competitor-benchmarks/999999/delete",
            vec![],
            [303, 404, 404, 404, 403, 403],
        ),
        post_form(
            "/reports/999999/shares",
            vec![("days", "7")],
            [303, 404, 404, 404, 403, 403],
        ),
        post_form(
            "/reports/999999/schedules",
            vec![("frequency", "weekly"), ("recipients", "a@example.com")],
            [303, 404, 404, 404, 403, 403],
        ),
        post_form(
            "/report-shares/999999/revoke",
            vec![],
            [303, 404, 404, 404, 403, 403],
        ),
        post_form(
            "/report-schedules/999999/stop",
            vec![],
            [303, 404, 404, 404, 403, 403],
        ),
        get(
            "/reports/999999/edit".into(),
            [303, 404, 404, 404, 404, 404],
        ),
        post_form(
            "/reports/999999",
            vec![("name", "x")],
            [303, 404, 404, 404, 404, 404],
        ),
        post_form(
            "/reports/999999/delete",
            vec![],
            [303, 404, 404, 404, 404, 404],
        ),
        json_case(
            Method::PUT,
            "/api/v1/report-definitions/999999".into(),
            json!({"name": "x", "metrics": ["spend"], "scope": "department", "period_kind": "last_month",
                   "compare": "previous", "sections": [], "language": "en"}),
            [401, 404, 404, 404, 404, 404],
        ),
        json_case(
            Method::DELETE,
            "/api/v1/report-definitions/999999".into(),
            json!({}),
            [401, 404, 404, 404, 404, 404],
        ),
        get(format!("/s/{}", "ab".repeat(24)), [404; 6]),
        get("/s/short".into(), [404; 6]),
        get(
            format!("/s/{}/download?format=pdf", "ab".repeat(24)),
            [404; 6],
        ),
        get("/api/v1/report-definitions".into(), api),
        post_json(
            "/api/v1/report-definitions",
            json!({"name": "", "metrics": [], "scope": "department", "period_kind": "last_month",
                   "compare": "previous", "sections": [], "language": "en"}),
            [401, 422, 422, 422, 403, 403],
        ),
        get(
            "/api/v1/report-definitions/999999/report".into(),
            [401, 404, 404, 404, 404, 404],
        ),
        get(
            "/api/v1/report-definitions/999999/report?format=doc".into(),
            [401, 422, 422, 422, 422, 422],
        ),
        post_json(
            "/api/v1/report-definitions/999999/shares",
            json!({"days": 7}),
            [401, 404, 404, 404, 403, 403],
        ),
        get(
            "/api/v1/report-definitions/999999/shares".into(),
            [401, 200, 200, 200, 403, 403],
        ),
        post_json(
            "/api/v1/report-definitions/999999/schedules",
            json!({"frequency": "weekly", "recipients": ["a@example.com"]}),
            [401, 404, 404, 404, 403, 403],
        ),
        get(
            "/api/v1/report-definitions/999999/schedules".into(),
            [401, 200, 200, 200, 403, 403],
        ),
        post_json(
            "/api/v1/report-shares/999999/revoke",
            json!({}),
            [401, 404, 404, 404, 403, 403],
        ),
        post_json(
            "/api/v1/report-schedules/999999/stop",
            json!({}),
            [401, 404, 404, 404, 403, 403],
        ),
        get("/api/v1/competitor-benchmarks".into(), api),
        get(
            "/api/v1/competitor-benchmarks?from=2026-01&to=2026-06".into(),
            api,
        ),
        post_json(
            "/api/v1/competitor-benchmarks",
            json!({"competitor": "", "kind": "price", "month": "2026-07", "value": 1}),
            [401, 422, 422, 422, 403, 403],
        ),
        post_json(
            "/api/v1/competitor-benchmarks/import",
            json!({}),
            [401, 422, 422, 422, 403, 403],
        ),
        json_case(
            Method::DELETE,
            "/api/v1/competitor-benchmarks/999999".into(),
            json!({}),
            [401, 404, 404, 404, 403, 403],
        ),
        // Last: these end the session.
        post_json("/api/v1/logout", json!({}), [401, 204, 204, 204, 204, 204]),
        post_form("/logout", vec![], [303; 6]),
    ]
}

#[tokio::test]
async fn every_route_answers_each_role_as_the_access_matrix_says() {
    for mut app in TestApp::each().await {
        let p = people(&app);
        let cases = matrix(&p);
        let mut failures = Vec::new();
        let audit = async |app: &TestApp| {
            let mut tx = app.services.store().read().await.unwrap();
            mkpi_store::audit_log::count(&mut tx).await.unwrap()
        };
        let history = async |app: &TestApp| {
            let mut tx = app.services.store().read().await.unwrap();
            let rows = mkpi_store::audit_log::list(&mut tx, None, 1_000_000, 0)
                .await
                .unwrap();
            rows.iter().map(|r| format!("{r:?}")).collect::<Vec<_>>()
        };
        let history_before = history(&app).await;
        for (i, who) in std::iter::once("anonymous").chain(ROLES).enumerate() {
            app.logout_locally();
            if who != "anonymous" {
                app.login_as(who).await;
            }
            for case in &cases {
                // The last two cases sign out; re-sign in for the second.
                if case.path == "/logout" && who != "anonymous" {
                    app.logout_locally();
                    app.login_as(who).await;
                }
                let entries_before = audit(&app).await;
                let r = match (&case.body, &case.form) {
                    (Some(body), _) => {
                        app.request_json(case.method.clone(), &case.path, Some(body.clone()), true)
                            .await
                    }
                    (None, Some(form)) => app.post_form(&case.path, form).await,
                    (None, None) => app.get(&case.path).await,
                };
                // Every change writes one audit entry; a refusal and a
                // read write none.
                let written = audit(&app).await - entries_before;
                let changed = case.method != Method::GET
                    && who != "anonymous"
                    && (r.status.is_success() || r.status == StatusCode::SEE_OTHER);
                let due = i64::from(changed && !UNAUDITED.contains(&case.path.as_str()));
                if written != due {
                    failures.push(format!(
                        "{:?} {who} {} {} answered {}: {written} audit entries written, {due} due",
                        app.backend, case.method, case.path, r.status
                    ));
                }
                if r.status.as_u16() != case.expect[i] {
                    failures.push(format!(
                        "{:?} {who} {} {}: expected {}, got {} ({})",
                        app.backend,
                        case.method,
                        case.path,
                        case.expect[i],
                        r.status,
                        r.body.chars().take(160).collect::<String>()
                    ));
                }
            }
        }
        // No route changed or removed an entry written before.
        let history_after = history(&app).await;
        let kept = &history_after[history_after.len() - history_before.len()..];
        if kept != history_before.as_slice() {
            failures.push(format!(
                "{:?}: the audit log's earlier entries changed",
                app.backend
            ));
        }
        assert!(
            failures.is_empty(),
            "{} unexpected answers:\n{}",
            failures.len(),
            failures.join("\n")
        );
    }
}

/// POST routes that change nothing (they check a draft and answer), and
/// so leave no audit entry.
const UNAUDITED: [&str; 2] = ["/api/v1/goals/smart-check", "/goals/smart"];

#[tokio::test]
async fn every_api_operation_of_the_openapi_document_is_in_the_access_matrix() {
    let mut app = TestApp::on(mkpi_store::testing::sqlite()).await;
    let doc = app.get("/api/openapi.json").await.json();
    let p = people(&app);
    let covered: Vec<(String, String)> = matrix(&p)
        .iter()
        .map(|c| (c.method.as_str().to_lowercase(), c.path.clone()))
        .collect();
    let mut missing = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            let prefix = path.split('{').next().unwrap();
            let found = covered.iter().any(|(m, p)| {
                m == method
                    && (p == path
                        || (path.contains('{') && p.starts_with(prefix) && p.len() > prefix.len()))
            });
            if !found {
                missing.push(format!("{method} {path}"));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "operations without a matrix entry: {missing:?}"
    );
    assert!(doc["paths"].as_object().unwrap().len() >= 14);
}

#[tokio::test]
async fn each_role_lists_exactly_the_people_its_scope_holds() {
    for mut app in TestApp::each().await {
        let expected = [
            ("admin", 20),
            ("head", 20),
            ("viewer", 20),
            ("manager", 7),
            ("employee", 1),
        ];
        for (role, count) in expected {
            app.logout_locally();
            app.login_as(role).await;
            let list = app.get("/api/v1/employees").await.json();
            assert_eq!(
                list.as_array().unwrap().len(),
                count,
                "{:?} {role}",
                app.backend
            );
        }
        let me = app.get("/api/v1/me").await.json();
        assert_eq!(me["scope"], "self");
        assert_eq!(me["employee_id"], app.demo.employee_employee_id);
        app.logout_locally();
        app.login_as("manager").await;
        let me = app.get("/api/v1/me").await.json();
        assert_eq!(me["scope"], "teams");
        assert_eq!(
            me["team_ids"],
            json!([app.demo.team_ids[0], app.demo.team_ids[1]])
        );
        let teams = app.get("/api/v1/teams").await.json();
        assert_eq!(teams.as_array().unwrap().len(), 2);
    }
}

#[tokio::test]
async fn wrong_password_and_unknown_user_are_refused_alike_and_set_no_session() {
    for mut app in TestApp::each().await {
        for body in [
            json!({"login": "admin", "password": "nope"}),
            json!({"login": "ghost", "password": "demo"}),
        ] {
            let r = app.post_json("/api/v1/login", body).await;
            assert_eq!(r.status, StatusCode::UNAUTHORIZED);
            assert_eq!(r.json()["error"]["code"], "wrong_credentials");
            assert_eq!(r.json()["error"]["message"], "wrong login or password");
            assert!(r.set_cookies().is_empty());
        }
        let r = app
            .request_json(
                Method::POST,
                "/api/v1/login",
                Some(json!({"login": "admin"})),
                false,
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(r.json()["error"]["code"], "bad_request");
        assert!(
            r.json()["error"]["message"]
                .as_str()
                .unwrap()
                .contains("password"),
            "{}",
            r.body
        );
    }
}

#[tokio::test]
async fn the_session_cookie_is_httponly_lax_and_rotates_at_each_sign_in() {
    for mut app in TestApp::each().await {
        let r = app
            .post_json(
                "/api/v1/login",
                json!({"login": "head", "password": "demo"}),
            )
            .await;
        let cookie = r
            .set_cookies()
            .into_iter()
            .find(|c| c.starts_with("mkpi_session="))
            .unwrap();
        assert!(
            cookie.contains("HttpOnly")
                && cookie.contains("SameSite=Lax")
                && cookie.contains("Path=/"),
            "{cookie}"
        );
        assert!(!cookie.contains("Secure"), "no TLS in tests: {cookie}");
        let first = app.cookie("mkpi_session").unwrap();
        app.login_as("head").await;
        let second = app.cookie("mkpi_session").unwrap();
        assert_ne!(first, second);
        assert_eq!(first.len(), 64);
    }
}

#[tokio::test]
async fn changes_without_the_csrf_token_are_refused_and_change_nothing() {
    for mut app in TestApp::each().await {
        app.login_as("admin").await;
        let token = app.csrf().unwrap();
        let before = app.get("/api/v1/users").await.json();

        let body = json!({"login": "sneaky", "password": "long-enough", "role": "viewer"});
        let r = app
            .request_json(Method::POST, "/api/v1/users", Some(body.clone()), false)
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        assert_eq!(r.json()["error"]["code"], "csrf");

        let r = app
            .post_form(
                "/admin/users",
                &[
                    ("csrf", "wrong"),
                    ("login", "sneaky"),
                    ("password", "long-enough"),
                    ("role", "viewer"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        assert!(r.body.contains("The form has expired"), "{}", r.body);

        assert_eq!(app.get("/api/v1/users").await.json(), before);
        let r = app
            .post_form(
                "/admin/users",
                &[
                    ("csrf", &token),
                    ("login", "sneaky"),
                    ("password", "long-enough"),
                    ("role", "viewer"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(
            app.get("/api/v1/users")
                .await
                .json()
                .as_array()
                .unwrap()
                .len(),
            6
        );
    }
}

#[tokio::test]
async fn repeated_failures_slow_sign_in_down_with_a_clear_message_and_a_growing_wait() {
    for mut app in TestApp::each().await {
        for _ in 0..5 {
            let r = app
                .post_json(
                    "/api/v1/login",
                    json!({"login": "manager", "password": "guess"}),
                )
                .await;
            assert_eq!(r.status, StatusCode::UNAUTHORIZED);
        }
        let r = app
            .post_json(
                "/api/v1/login",
                json!({"login": "manager", "password": "demo"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(r.json()["error"]["code"], "rate_limited");
        assert_eq!(r.json()["error"]["retry_after_secs"], 30);
        assert_eq!(r.header("retry-after"), Some("30"));
        assert!(r.set_cookies().is_empty());

        // The page says the same in the person's language.
        app.accept_language = Some("ru".into());
        let form = app.get("/login").await;
        let token = form
            .body
            .split("name=\"csrf\" value=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap()
            .to_string();
        let r = app
            .post_form(
                "/login",
                &[("csrf", &token), ("login", "manager"), ("password", "demo")],
            )
            .await;
        assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
        assert!(r.body.contains("Повторите через 1 минуту"), "{}", r.body);

        // Another login is not affected. After the wait one more guess is
        // allowed, and the next wait is twice as long.
        app.login_as("head").await;
        app.clock.advance(31);
        let r = app
            .post_json(
                "/api/v1/login",
                json!({"login": "manager", "password": "guess"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
        let r = app
            .post_json(
                "/api/v1/login",
                json!({"login": "manager", "password": "demo"}),
            )
            .await;
        assert_eq!(r.json()["error"]["retry_after_secs"], 60);
        app.clock.advance(61);
        app.login_as("manager").await;
    }
}

#[tokio::test]
async fn sign_out_ends_the_session_for_good() {
    for mut app in TestApp::each().await {
        app.login_as("employee").await;
        let cookie = app.cookie("mkpi_session").unwrap();
        let r = app.post_json("/api/v1/logout", json!({})).await;
        assert_eq!(r.status, StatusCode::NO_CONTENT);
        app.set_cookie("mkpi_session", &cookie);
        let r = app.get("/api/v1/me").await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
        assert_eq!(r.json()["error"]["code"], "unauthenticated");
        let r = app.get("/account").await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert_eq!(r.header("location"), Some("/login?next=%2Faccount"));
    }
}

#[tokio::test]
async fn idle_and_absolute_session_timeouts_hold() {
    for mut app in TestApp::each().await {
        app.login_as("viewer").await;
        app.clock.advance(8 * 3600 - 10);
        assert_eq!(app.get("/api/v1/me").await.status, StatusCode::OK);
        app.clock.advance(8 * 3600 + 1);
        assert_eq!(app.get("/api/v1/me").await.status, StatusCode::UNAUTHORIZED);

        // Busy all week: the absolute limit still ends it.
        app.login_as("viewer").await;
        for _ in 0..24 {
            app.clock.advance(7 * 3600);
            assert_eq!(app.get("/api/v1/me").await.status, StatusCode::OK);
        }
        app.clock.advance(7 * 3600);
        assert_eq!(app.get("/api/v1/me").await.status, StatusCode::UNAUTHORIZED);
        let _ = START;
    }
}

#[tokio::test]
async fn changing_the_password_ends_other_sessions_and_checks_the_old_one() {
    for mut app in TestApp::each().await {
        app.login_as("manager").await;
        let old_cookie = app.cookie("mkpi_session").unwrap();

        let r = app
            .post_json(
                "/api/v1/me/password",
                json!({"current_password": "wrong", "new_password": "new-password-1"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(r.json()["error"]["fields"][0]["field"], "current_password");
        let r = app
            .post_json(
                "/api/v1/me/password",
                json!({"current_password": "demo", "new_password": "short"}),
            )
            .await;
        assert_eq!(
            r.json()["error"]["fields"][0]["message"],
            "password must be at least 8 characters long"
        );

        let r = app
            .post_json(
                "/api/v1/me/password",
                json!({"current_password": "demo", "new_password": "new-password-1"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(
            app.get("/api/v1/me").await.status,
            StatusCode::OK,
            "the new cookie works"
        );

        app.set_cookie("mkpi_session", &old_cookie);
        assert_eq!(app.get("/api/v1/me").await.status, StatusCode::UNAUTHORIZED);
        let r = app
            .post_json(
                "/api/v1/login",
                json!({"login": "manager", "password": "demo"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
        let r = app
            .post_json(
                "/api/v1/login",
                json!({"login": "manager", "password": "new-password-1"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK);
    }
}

#[tokio::test]
async fn an_admin_creates_deactivates_and_resets_users_and_the_audit_log_records_it() {
    for mut app in TestApp::each().await {
        app.login_as("admin").await;
        let r = app
            .post_json(
                "/api/v1/users",
                json!({"login": "Olga", "password": "short", "role": "chief", "employee_email": "nobody@nowhere.ru"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        let body = r.json();
        let fields: Vec<&str> = body["error"]["fields"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["field"].as_str().unwrap())
            .collect();
        assert_eq!(fields, ["password", "role", "employee"]);

        let employees = app.get("/api/v1/employees").await.json();
        let brand_member = employees
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["id"] == app.demo.employee_ids[9])
            .unwrap()
            .clone();
        let r = app
            .post_json(
                "/api/v1/users",
                json!({"login": "Olga", "password": "long-enough", "role": "employee", "employee_email": brand_member["email"], "locale": "ru"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let created = r.json();
        assert_eq!(created["login"], "olga");
        assert_eq!(created["employee_id"], brand_member["id"]);
        let id = created["id"].as_i64().unwrap();

        let r = app
            .post_json(
                "/api/v1/users",
                json!({"login": "olga", "password": "long-enough", "role": "viewer"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(
            r.json()["error"]["fields"][0]["message"],
            "the login 'olga' is taken"
        );

        // Olga signs in and sees only herself, in Russian.
        let admin_cookie = app.cookie("mkpi_session").unwrap();
        let admin_csrf = app.csrf();
        app.logout_locally();
        let r = app
            .post_json(
                "/api/v1/login",
                json!({"login": "olga", "password": "long-enough"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(r.json()["locale"], "ru");
        let olga_cookie = app.cookie("mkpi_session").unwrap();
        assert!(app.get("/").await.body.contains("Добро пожаловать"));

        // Deactivation ends her session and her sign-in.
        app.set_cookie("mkpi_session", &admin_cookie);
        let r = app
            .request_json(
                Method::POST,
                &format!("/api/v1/users/{id}/deactivate"),
                None,
                false,
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "no CSRF token, no change");
        app.logout_locally();
        app.set_cookie("mkpi_session", &admin_cookie);
        let mut req = axum::http::Request::post(format!("/api/v1/users/{id}/deactivate"));
        req = req.header("x-csrf-token", admin_csrf.clone().unwrap());
        let r = app.send(req.body(axum::body::Body::empty()).unwrap()).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.json()["active"], false);
        app.set_cookie("mkpi_session", &olga_cookie);
        assert_eq!(app.get("/api/v1/me").await.status, StatusCode::UNAUTHORIZED);
        let r = app
            .post_json(
                "/api/v1/login",
                json!({"login": "olga", "password": "long-enough"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);

        // The admin cannot deactivate themself.
        app.logout_locally();
        app.login_as("admin").await;
        let me = app.get("/api/v1/me").await.json();
        let r = app
            .post_json(
                &format!("/api/v1/users/{}/deactivate", me["user_id"]),
                json!({}),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);

        // Reset gives a new password that works once shown.
        let r = app
            .post_json(&format!("/api/v1/users/{id}/activate"), json!({}))
            .await;
        assert_eq!(r.json()["active"], true);
        let r = app
            .post_json(&format!("/api/v1/users/{id}/reset-password"), json!({}))
            .await;
        let password = r.json()["password"].as_str().unwrap().to_string();
        assert_eq!(password.len(), 16);
        let r = app
            .post_json(
                "/api/v1/login",
                json!({"login": "olga", "password": password}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK);

        app.logout_locally();
        app.login_as("admin").await;
        let audit = app.get("/api/v1/audit?entity=user&limit=5").await.json();
        let actions: Vec<&str> = audit
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["action"].as_str().unwrap())
            .collect();
        assert_eq!(
            actions,
            [
                "reset_password",
                "activate",
                "deactivate",
                "create",
                "create"
            ]
        );
        assert_eq!(audit[2]["actor"], "admin");
        let state =
            |key: &str| -> Value { serde_json::from_str(audit[2][key].as_str().unwrap()).unwrap() };
        let expected = |active: bool| json!({"login": "olga", "role": "employee", "employee_id": brand_member["id"], "locale": "ru", "active": active});
        assert_eq!(state("before_json"), expected(true));
        assert_eq!(state("after_json"), expected(false));
        assert!(
            !audit.to_string().contains("long-enough"),
            "passwords never reach the log"
        );
    }
}

#[tokio::test]
async fn api_tokens_act_as_their_owner_until_revoked() {
    for mut app in TestApp::each().await {
        app.login_as("manager").await;
        let r = app
            .post_json("/api/v1/me/tokens", json!({"name": "  "}))
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        let r = app
            .post_json("/api/v1/me/tokens", json!({"name": "sheets export"}))
            .await;
        assert_eq!(r.status, StatusCode::CREATED);
        let token = r.json()["token"].as_str().unwrap().to_string();
        let id = r.json()["id"].as_i64().unwrap();
        assert!(token.starts_with("mkpi_"));

        let me = app.bearer_get("/api/v1/me", &token).await;
        assert_eq!(me.status, StatusCode::OK);
        assert_eq!(me.json()["login"], "manager");
        assert_eq!(me.json()["csrf_token"], Value::Null);
        assert_eq!(
            app.bearer_get("/api/v1/employees", &token)
                .await
                .json()
                .as_array()
                .unwrap()
                .len(),
            7
        );
        let listed = app.get("/api/v1/me/tokens").await.json();
        assert_eq!(listed[0]["prefix"], &token[..9]);
        assert_ne!(listed[0]["last_used_at"], Value::Null);

        let r = app
            .post_json(&format!("/api/v1/me/tokens/{id}/revoke"), json!({}))
            .await;
        assert_eq!(r.status, StatusCode::NO_CONTENT);
        let r = app.bearer_get("/api/v1/me", &token).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
        assert_eq!(r.json()["error"]["code"], "bad_token");
        assert_eq!(
            app.bearer_get("/api/v1/me", "mkpi_made_up").await.status,
            StatusCode::UNAUTHORIZED
        );
    }
}

#[tokio::test]
async fn the_language_follows_the_user_then_the_cookie_then_the_browser() {
    for mut app in TestApp::each().await {
        app.accept_language = Some("ru-RU,ru;q=0.9,en;q=0.5".into());
        let r = app.get("/login").await;
        assert!(
            r.body.contains("<html lang=\"ru\">") && r.body.contains("Вход"),
            "{}",
            r.body
        );

        app.accept_language = Some("en-GB,en;q=0.9".into());
        assert!(app.get("/login").await.body.contains("Sign in"));

        // ?lang= switches and is remembered in a cookie.
        let r = app.get("/login?lang=ru").await;
        assert!(r.body.contains("Вход"));
        assert_eq!(app.cookie("mkpi_lang").as_deref(), Some("ru"));
        assert!(app.get("/login").await.body.contains("Вход"));

        // A signed-in user's own choice wins over both.
        app.login_as("head").await;
        let r = app
            .post_form(
                "/account/locale",
                &[("locale", "en"), ("next", "/employees")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert_eq!(r.header("location"), Some("/employees"));
        app.set_cookie("mkpi_lang", "ru");
        app.accept_language = Some("ru".into());
        let page = app.get("/employees").await.body;
        assert!(
            page.contains("<html lang=\"en\">") && page.contains("Hired"),
            "{page}"
        );
        // Dates read per locale: the same hire date in both languages.
        let head = app
            .get(&format!("/api/v1/employees/{}", app.demo.head_employee_id))
            .await
            .json();
        let iso = head["hire_date"].as_str().unwrap().to_string();
        let en = mkpi_domain::Locale::En.format_date(&iso);
        assert!(page.contains(&en), "{en} in {page}");
        app.post_json("/api/v1/me/locale", json!({"locale": "ru"}))
            .await;
        let page = app.get("/employees").await.body;
        assert!(
            page.contains(&mkpi_domain::Locale::Ru.format_date(&iso))
                && page.contains("Дата приёма")
        );
        let r = app
            .post_json("/api/v1/me/locale", json!({"locale": "de"}))
            .await;
        assert_eq!(
            r.json()["error"]["fields"][0]["message"],
            "unknown language 'de': use ru or en"
        );
    }
}

#[tokio::test]
async fn the_home_page_shows_the_organisation_each_role_may_see() {
    for mut app in TestApp::each().await {
        app.login_as("head").await;
        let page = app.get("/").await.body;
        assert!(
            page.contains("20 people") && page.contains("5 teams"),
            "{page}"
        );
        assert!(page.contains("data-chart=\"headcount-data\""));
        for team in [
            "Performance-маркетинг",
            "Таргетированная реклама",
            "Бренд и контент",
            "CRM и удержание",
            "Маркетинговая аналитика",
        ] {
            assert!(page.contains(team), "{team}");
        }
        app.logout_locally();
        app.login_as("manager").await;
        let page = app.get("/").await.body;
        assert!(
            page.contains("7 people") && page.contains("2 teams"),
            "{page}"
        );
        assert!(!page.contains("Бренд и контент"));
        app.logout_locally();
        app.login_as("employee").await;
        let page = app.get("/").await.body;
        assert!(
            page.contains("1 person") && page.contains("your own data"),
            "{page}"
        );
        assert!(
            !page.contains("/admin/users"),
            "no link the role cannot open"
        );
    }
}

#[tokio::test]
async fn errors_say_what_and_where_in_the_right_shape() {
    for mut app in TestApp::each().await {
        let r = app.get("/api/v1/nothing-here").await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        assert_eq!(r.json()["error"]["code"], "not_found");
        assert!(r.json()["error"]["request_id"].is_string());

        app.login_as("viewer").await;
        let r = app.get("/api/v1/employees/abc").await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert!(
            r.json()["error"]["message"]
                .as_str()
                .unwrap()
                .contains("abc")
        );

        app.accept_language = Some("ru".into());
        let r = app.get("/nothing-here").await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        assert!(r.body.contains("Не найдено"), "{}", r.body);
        assert!(r.header("content-type").unwrap().starts_with("text/html"));
    }
}

#[tokio::test]
async fn the_openapi_document_and_its_readable_page_describe_the_api() {
    let mut app = TestApp::on(mkpi_store::testing::sqlite()).await;
    let doc = app.get("/api/openapi.json").await.json();
    assert_eq!(doc["openapi"].as_str().unwrap().chars().next(), Some('3'));
    assert_eq!(doc["info"]["title"], "mkpi API");
    for path in [
        "/api/v1/login",
        "/api/v1/me",
        "/api/v1/employees",
        "/api/v1/employees/{id}",
        "/api/v1/users",
    ] {
        assert!(doc["paths"][path].is_object(), "{path}");
    }
    assert!(doc["components"]["schemas"]["EmployeeJson"].is_object());
    let page = app.get("/api/docs").await;
    assert_eq!(page.status, StatusCode::OK);
    let text = page.body.replace("&#x2f;", "/");
    assert!(
        text.contains("/api/v1/employees/{id}") && text.contains("EmployeeJson"),
        "{text}"
    );
    assert!(
        !page.body.contains("cdn."),
        "the docs work on a closed network"
    );
}

#[tokio::test]
async fn the_server_answers_over_real_http_with_request_ids() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let app = TestApp::on(mkpi_store::testing::sqlite()).await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(mkpi_web::serve(listener, app.router.clone(), async {
        let _ = stopped.await;
    }));
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Request-Id: probe-1\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).await.unwrap();
    assert!(answer.starts_with("HTTP/1.1 200 OK"), "{answer}");
    assert!(answer.contains("x-request-id: probe-1"), "{answer}");
    assert!(answer.ends_with("ok"));
    stop.send(()).unwrap();
    server.await.unwrap().unwrap();
}

#[tokio::test]
async fn the_sign_in_form_is_guarded_by_its_own_token_and_goes_where_the_person_was_going() {
    let mut app = TestApp::on(mkpi_store::testing::sqlite()).await;
    let token_of = |body: &str| {
        body.split("name=\"csrf\" value=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap()
            .to_string()
    };
    let first = token_of(&app.get("/login?next=/employees").await.body);
    let second = token_of(&app.get("/login").await.body);
    assert_eq!(first, second, "two open sign-in tabs share one token");
    assert_eq!(first.len(), 32);

    // A post from elsewhere has no matching cookie: refused, no session.
    let cookie = app.cookie("mkpi_login_csrf").unwrap();
    app.logout_locally();
    let r = app
        .post_form(
            "/login",
            &[("csrf", &first), ("login", "head"), ("password", "demo")],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(r.body.contains("The sign-in form expired"), "{}", r.body);
    assert_eq!(app.cookie("mkpi_session"), None);

    app.set_cookie("mkpi_login_csrf", &cookie);
    let r = app
        .post_form(
            "/login",
            &[
                ("csrf", &cookie),
                ("login", "head"),
                ("password", "demo"),
                ("next", "/employees"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.header("location"), Some("/employees"));
    assert!(app.cookie("mkpi_session").is_some());
    assert_eq!(app.cookie("mkpi_login_csrf"), None, "used up at sign-in");

    // An outside address in `next` is ignored.
    app.logout_locally();
    let token = token_of(&app.get("/login").await.body);
    let r = app
        .post_form(
            "/login",
            &[
                ("csrf", &token),
                ("login", "head"),
                ("password", "demo"),
                ("next", "https://evil.example/"),
            ],
        )
        .await;
    assert_eq!(r.header("location"), Some("/"));
}

#[tokio::test]
async fn an_admin_token_ingests_json_batches_atomically_and_idempotently() {
    for mut app in TestApp::each().await {
        app.login_as("admin").await;
        let token = app
            .post_json("/api/v1/me/tokens", json!({"name": "etl"}))
            .await
            .json()["token"]
            .as_str()
            .unwrap()
            .to_string();
        app.logout_locally();
        let post = async |app: &mut TestApp, fact: &str, body: Value| {
            let req = axum::http::Request::post(format!("/api/v1/ingest/{fact}"))
                .header("authorization", format!("Bearer {token}"))
                .header("content-type", "application/json")
                .body(axum::body::Body::from(body.to_string()))
                .unwrap();
            app.send(req).await
        };
        let r = post(
            &mut app,
            "campaigns",
            json!({"records": [{"campaign": "G-1", "name": "Бренд", "currency": "RUB"}]}),
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.json()["added"], 1);
        let stats = json!({"records": [
            {"date": "2024-12-01", "campaign": "G-1", "impressions": 1000, "clicks": 30, "spend": "1 500.50"},
            {"date": "2024-12-02", "campaign": "G-1", "impressions": 900, "clicks": 20, "spend": 1200.5, "conversions": 2.5}
        ]});
        let r = post(&mut app, "ad_stats", stats.clone()).await;
        assert_eq!(
            (
                r.status,
                r.json()["added"].as_i64(),
                r.json()["applied"].as_bool()
            ),
            (StatusCode::OK, Some(2), Some(true))
        );
        let r = post(&mut app, "ad_stats", stats).await;
        assert_eq!(
            (r.json()["added"].as_i64(), r.json()["unchanged"].as_i64()),
            (Some(0), Some(2))
        );

        let bad = json!({"records": [
            {"date": "2024-12-03", "campaign": "G-1", "impressions": 10, "clicks": 1, "spend": 1},
            {"date": "2024-12-04", "campaign": "G-1", "impressions": 10, "clicks": 11, "spend": 1}
        ]});
        let r = post(&mut app, "ad_stats", bad).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(r.json()["applied"], false);
        assert_eq!(
            r.json()["problems"],
            json!([{"row": 2, "column": "clicks", "value": "11", "reason": "is more than the impressions (10)"}])
        );
        let r = post(
            &mut app,
            "ad_stats",
            json!({"records": [{"date": "2024-12-05", "campaign": "G-1", "likes": 3}]}),
        )
        .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(r.json()["problems"][0]["column"], "likes");

        // The other facts take the same road: orders attributed to the
        // campaign by its name, survey answers with yes/no as booleans.
        let orders = json!({"records": [
            {"order_id": "A-1", "customer_id": "C-1", "date": "2024-12-01", "amount": 4500, "currency": "RUB", "campaign": "Бренд"},
            {"order_id": "A-2", "customer_id": "C-1", "date": "2024-12-02", "amount": "990,50", "currency": "RUB", "status": "refunded"}
        ]});
        let r = post(&mut app, "orders", orders).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(
            (r.json()["fact"].as_str(), r.json()["added"].as_i64()),
            (Some("orders"), Some(2))
        );
        let surveys = json!({"records": [
            {"response_id": "R-1", "date": "2024-12-01", "nps": 9, "aware_aided": true},
            {"response_id": "R-2", "date": "2024-12-01", "nps": 11}
        ]});
        let r = post(&mut app, "survey_responses", surveys).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(
            r.json()["problems"],
            json!([{"row": 2, "column": "nps", "value": "11", "reason": "must be between 0 and 10"}])
        );

        let mut tx = app.services.store().read().await.unwrap();
        let totals = mkpi_store::ad_stats::totals(&mut tx).await.unwrap();
        assert_eq!(
            (totals.row_count, totals.clicks, totals.spend_minor),
            (2, 50, 270_100),
            "{:?}",
            app.backend
        );
        let orders = mkpi_store::facts::first(
            &mut tx,
            &mkpi_services::imports::table_of(mkpi_ingest::Fact::Orders),
            10,
        )
        .await
        .unwrap();
        let amounts: Vec<(String, serde_json::Value, serde_json::Value)> = orders
            .into_iter()
            .map(|o| (o.key, o.values[4].clone(), o.values[7].clone()))
            .collect();
        assert_eq!(
            amounts,
            vec![
                ("A-1".to_string(), json!(450_000), json!(1)),
                ("A-2".to_string(), json!(99_050), Value::Null),
            ]
        );
    }
}

fn multipart(fields: &[(&str, Option<&str>, &str)]) -> (String, String) {
    let boundary = "mkpi-test-boundary".to_string();
    let mut body = String::new();
    for (name, file_name, value) in fields {
        body.push_str(&format!("--{boundary}\r\n"));
        match file_name {
            Some(f) => body.push_str(&format!(
                "Content-Disposition: form-data; name=\"{name}\"; filename=\"{f}\"\r\nContent-Type: text/csv\r\n\r\n"
            )),
            None => body.push_str(&format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n")),
        }
        body.push_str(value);
        body.push_str("\r\n");
    }
    body.push_str(&format!("--{boundary}--\r\n"));
    (format!("multipart/form-data; boundary={boundary}"), body)
}

#[tokio::test]
async fn an_admin_uploads_a_file_sees_the_dry_run_then_imports_and_rolls_back() {
    for mut app in TestApp::each().await {
        app.login_as("admin").await;
        let csrf = app.csrf().unwrap();
        let upload = async |app: &mut TestApp, csrf: &str, dry: bool, text: &str| {
            let mut fields = vec![
                ("preset", None, "mkpi-campaigns"),
                ("file", Some("campaigns.csv"), text),
            ];
            if dry {
                fields.push(("dry_run", None, "1"));
            }
            let (content_type, body) = multipart(&fields);
            let req = axum::http::Request::post(format!("/imports?csrf={csrf}"))
                .header("content-type", content_type)
                .body(axum::body::Body::from(body))
                .unwrap();
            app.send(req).await
        };
        let good = "campaign;name;currency\nG-1;Бренд;RUB\nY-2;РСЯ;RUB\n";
        let r = upload(&mut app, &csrf, true, good).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert!(r.body.contains("Dry run: no problems"), "{}", r.body);
        assert!(r.body.contains("Nothing imported yet."));

        let r = upload(&mut app, "wrong-token", false, good).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);

        let r = upload(&mut app, &csrf, false, good).await;
        // Ids come from a sequence, which a dry run may have advanced.
        let id: i64 = r
            .body
            .split("Imported as #")
            .nth(1)
            .and_then(|t| t.split('.').next())
            .unwrap()
            .parse()
            .unwrap();
        assert!(
            r.body
                .contains("Detected: UTF-8, delimiter &quot;;&quot;, header on row 1."),
            "{}",
            r.body
        );

        let bad = "campaign;name;currency\nG-3;=HYPERLINK(1);RUB\n";
        let r = upload(&mut app, &csrf, false, bad).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            r.body.contains("One problem found: nothing was stored."),
            "{}",
            r.body
        );
        assert!(r.body.contains("starts like a spreadsheet formula"));

        let r = app.post_form(&format!("/imports/{id}/rollback"), &[]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let page = app.get("/imports").await.body;
        assert!(page.contains("rolled back"), "{page}");
        assert!(!page.contains(">Roll back<"), "nothing left to roll back");
    }
}

#[tokio::test]
async fn an_admin_previews_a_file_maps_its_columns_saves_the_mapping_and_imports() {
    for mut app in TestApp::each().await {
        app.login_as("admin").await;
        let csrf = app.csrf().unwrap();
        let file = "Номер;Покупатель;Оплачен;Итого, руб.;Комментарий\n\
                    77;c-9;01.12.2024;1 234,50;первый\n\
                    78;c-10;02.12.2024;99;=cmd\n";
        let (content_type, body) = multipart(&[
            ("preset", None, "mkpi-orders"),
            ("file", Some("shop.csv"), file),
        ]);
        let req = axum::http::Request::post(format!("/imports/preview?csrf={csrf}"))
            .header("content-type", content_type)
            .body(axum::body::Body::from(body))
            .unwrap();
        let r = app.send(req).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert!(
            r.body.contains("shop.csv: first rows and mapping"),
            "{}",
            r.body
        );
        assert!(r.body.contains("<td>1 234,50</td>"), "{}", r.body);
        let token = r
            .body
            .split("name=\"token\" value=\"")
            .nth(1)
            .and_then(|t| t.split('"').next())
            .unwrap()
            .to_string();
        // The canonical preset knows none of these headers: all ignored.
        assert_eq!(r.body.matches("<option value=\"\" selected").count(), 0);
        assert!(!r.body.contains(" selected>order_id"), "{}", r.body);

        let mut form: Vec<(&str, &str)> = vec![
            ("token", token.as_str()),
            ("preset", "mkpi-orders"),
            ("source", "shop.csv"),
            ("field_0", "order_id"),
            ("field_1", "customer_id"),
            ("field_2", "date"),
            ("field_3", "amount"),
            ("dry_run", "1"),
        ];
        let r = app.post_form("/imports/run", &form).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert!(r.body.contains("Dry run: no problems"), "{}", r.body);
        assert!(
            r.body.contains(" selected>order_id"),
            "the choice stays: {}",
            r.body
        );

        form.retain(|(k, _)| *k != "dry_run");
        form.push(("save_as", "shop-orders"));
        let r = app.post_form("/imports/run", &form).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert!(r.body.contains("Imported as #"), "{}", r.body);
        assert!(r.body.contains("id=\"mappings-table\""), "{}", r.body);
        assert!(r.body.contains(">shop-orders<"), "{}", r.body);
        assert!(
            r.body.contains(
                "<tr><td>Orders and deals <code>orders</code></td><td>2</td><td>2024-12-01</td><td>2024-12-02</td></tr>"
            ),
            "{}",
            r.body
        );

        // The upload is gone once imported; the saved mapping reads the
        // next file by itself.
        let r = app.post_form("/imports/run", &form).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            r.body.contains("this upload is no longer here"),
            "{}",
            r.body
        );
        let (content_type, body) = multipart(&[
            ("preset", None, "shop-orders"),
            (
                "file",
                Some("shop2.csv"),
                "Номер;Покупатель;Оплачен;Итого, руб.\n79;c-9;03.12.2024;10\n",
            ),
        ]);
        let req = axum::http::Request::post(format!("/imports/preview?csrf={csrf}"))
            .header("content-type", content_type)
            .body(axum::body::Body::from(body))
            .unwrap();
        let r = app.send(req).await;
        assert!(r.body.contains(" selected>amount"), "{}", r.body);

        // A mapping without a required field is refused with the reason.
        let token2 = r
            .body
            .split("name=\"token\" value=\"")
            .nth(1)
            .and_then(|t| t.split('"').next())
            .unwrap()
            .to_string();
        let partial: Vec<(&str, &str)> = vec![
            ("token", token2.as_str()),
            ("preset", "mkpi-orders"),
            ("field_1", "customer_id"),
        ];
        let r = app.post_form("/imports/run", &partial).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            r.body
                .contains("neither maps nor gives a default for the required field"),
            "{}",
            r.body
        );

        let r = app
            .post_form("/imports/mappings/shop-orders/delete", &[])
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert!(!app.get("/imports").await.body.contains("mappings-table"));
    }
}

#[tokio::test]
async fn the_navigation_links_imports_for_admins_only() {
    let mut app = TestApp::on(mkpi_store::testing::sqlite()).await;
    for (who, linked) in [("admin", true), ("head", false), ("manager", false)] {
        app.logout_locally();
        app.login_as(who).await;
        let home = app.get("/").await.body;
        assert_eq!(
            home.contains("href=\"&#x2f;imports\""),
            linked,
            "{who}: {home}"
        );
    }
}

#[tokio::test]
async fn an_admin_enters_a_row_by_hand_with_the_same_checks_as_a_file() {
    for mut app in TestApp::each().await {
        app.login_as("admin").await;
        let page = app.get("/imports?manual=social_stats").await.body;
        assert!(page.contains("name=\"value_followers\""), "{page}");
        assert!(
            page.contains("name=\"value_network\" value=\"\" placeholder=\"\" required"),
            "{page}"
        );

        let bad = [
            ("fact", "social_stats"),
            ("value_date", "31.12.2024"),
            ("value_network", "vk"),
            ("value_account", "demo"),
            ("value_followers", "-3"),
        ];
        let r = app.post_form("/imports/manual", &bad).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert!(r.body.contains("must not be negative"), "{}", r.body);
        assert!(
            r.body.contains("name=\"value_followers\" value=\"-3\""),
            "what was typed stays: {}",
            r.body
        );

        let mut good = bad;
        good[4] = ("value_followers", "12 500");
        let r = app.post_form("/imports/manual", &good).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert!(r.body.contains("Imported as #"), "{}", r.body);
        assert!(r.body.contains("<td>manual</td>"), "{}", r.body);
        assert!(
            r.body.contains("<tr><td>Social statistics <code>social_stats</code></td><td>1</td><td>2024-12-31</td><td>2024-12-31</td></tr>"),
            "{}",
            r.body
        );
        // The same key again replaces the row, and the report says what changed.
        good[4] = ("value_followers", "13000");
        let r = app.post_form("/imports/manual", &good).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert!(
            r.body.contains("<tr><td>2</td><td>2024-12-31 | vk | demo</td><td>followers</td><td>12500</td><td>13000</td></tr>"),
            "{}",
            r.body
        );
    }
}

#[tokio::test]
async fn a_mapping_written_as_toml_in_the_browser_is_checked_then_saved() {
    let mut app = TestApp::on(mkpi_store::testing::sqlite()).await;
    app.login_as("admin").await;
    let toml = "name = \"crm-export\"\nfact = \"orders\"\n[columns]\norder_id = \"Deal\"\namount = \"Sum\"\n[values.status]\nwon = [\"Won\"]\n";
    let r = app.post_form("/imports/mappings", &[("toml", toml)]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.body.contains("[values.status] maps onto &#x27;won&#x27;, which is not one of paid, cancelled, refunded, open, lost"),
        "{}",
        r.body
    );
    let fixed = toml.replace("won = ", "paid = ");
    let r = app
        .post_form("/imports/mappings", &[("toml", fixed.as_str())])
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("<td>crm-export</td>"), "{}", r.body);
    assert!(
        r.body.contains("value=\"crm-export\" selected"),
        "chosen for the next upload: {}",
        r.body
    );
}

#[tokio::test]
async fn metric_values_come_from_the_facts_with_their_parts_and_errors_name_the_parameter() {
    for mut app in TestApp::each().await {
        app.login_as("admin").await;
        let token = app
            .post_json("/api/v1/me/tokens", json!({"name": "etl"}))
            .await
            .json()["token"]
            .as_str()
            .unwrap()
            .to_string();
        for (fact, body) in [
            (
                "campaigns",
                json!({"records": [{"campaign": "G-1", "name": "Brand", "channel": "paid_search", "currency": "RUB"}]}),
            ),
            (
                "ad_stats",
                json!({"records": [
                    {"date": "2024-12-01", "campaign": "G-1", "impressions": 1000, "clicks": 30, "spend": "1 500.50", "conversions": 3},
                    {"date": "2024-12-02", "campaign": "G-1", "impressions": 900, "clicks": 20, "spend": 1200.5, "conversions": 2.5},
                    {"date": "2025-01-01", "campaign": "G-1", "impressions": 5, "clicks": 5, "spend": 5}
                ]}),
            ),
        ] {
            let req = axum::http::Request::post(format!("/api/v1/ingest/{fact}"))
                .header("authorization", format!("Bearer {token}"))
                .header("content-type", "application/json")
                .body(axum::body::Body::from(body.to_string()))
                .unwrap();
            let r = app.send(req).await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        }
        let r = app
            .get("/api/v1/metrics/cpc/value?scope=department&from=2024-12-01&to=2025-01-01")
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(
            r.json(),
            json!({"code": "cpc", "value": 54.02, "numerator": 2701.0, "denominator": 50.0,
                   "unit": "money", "currency": "RUB", "version": 1, "scope": "department",
                   "from": "2024-12-01", "to": "2025-01-01", "note": null})
        );
        let r = app
            .get(
                "/api/v1/metrics/cpa/value?scope=channel:paid_search&from=2024-12-01&to=2024-12-02",
            )
            .await;
        assert_eq!(
            (r.json()["value"].as_f64(), r.json()["denominator"].as_f64()),
            (Some(500.1666666666667), Some(3.0))
        );
        // No facts in the period: a count is 0, a ratio has no value.
        let r = app
            .get("/api/v1/metrics/ctr/value?scope=department&from=2000-01-01&to=2000-02-01")
            .await;
        assert_eq!(
            (
                r.json()["value"].clone(),
                r.json()["numerator"].clone(),
                r.json()["denominator"].clone()
            ),
            (Value::Null, json!(0.0), json!(0.0))
        );
        let errors = [
            (
                "/api/v1/metrics/ctr/value?scope=department",
                "from: is required (YYYY-MM-DD, included); to: is required (YYYY-MM-DD, excluded)",
            ),
            (
                "/api/v1/metrics/ctr/value?from=2025-13-01&to=2025-02-01",
                "from: '2025-13-01' is not a date (expected YYYY-MM-DD, e.g. 2025-03-01)",
            ),
            (
                "/api/v1/metrics/ctr/value?from=2025-03-01&to=2025-03-01",
                "to: the period must end after it starts ('to' is exclusive: from=2025-03-01&to=2025-04-01 is March)",
            ),
            (
                "/api/v1/metrics/ctr/value?scope=galaxy&from=2025-03-01&to=2025-04-01",
                "scope: 'galaxy' is not a scope: use department, team:ID, employee:ID, campaign:ID or channel:CODE",
            ),
            (
                "/api/v1/metrics/ctrr/value?from=2025-03-01&to=2025-04-01",
                "code: 'ctrr' is not a metric (GET /api/v1/metrics lists them)",
            ),
        ];
        for (path, message) in errors {
            let r = app.get(path).await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{path}");
            let fields: Vec<String> = r.json()["error"]["fields"]
                .as_array()
                .unwrap()
                .iter()
                .map(|f| {
                    format!(
                        "{}: {}",
                        f["field"].as_str().unwrap(),
                        f["message"].as_str().unwrap()
                    )
                })
                .collect();
            assert_eq!(fields.join("; "), message, "{path}");
        }

        // A KPI on it: CPC is lower-is-better, 54.02 against a target of 50.
        let r = app
            .post_json(
                "/api/v1/kpis",
                json!({"metric": "cpc", "scope": "department", "from": "2024-12-01", "to": "2025-01-01",
                       "targets": [{"from": "2024-12-01", "to": "2025-01-01", "floor": 60, "target": 50}]}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let listed = app
            .get("/api/v1/kpis?scope=department&from=2024-12-01&to=2025-01-01")
            .await
            .json();
        let k = &listed[0];
        assert_eq!(
            (
                k["value"].as_f64(),
                k["status"].as_str(),
                k["finished"].as_bool()
            ),
            (Some(54.02), Some("at_risk"), Some(true))
        );
        // serde_json's float parsing may miss the last bit.
        assert!((k["achievement"].as_f64().unwrap() - 50.0 / 54.02).abs() < 1e-15);
        assert_eq!(
            k["bands"],
            json!({"floor": 60.0, "target": 50.0, "stretch": null})
        );

        // The dashboard shows the same figures, with the KPI's status.
        app.accept_language = Some("en".into());
        let page = app
            .get("/dashboard?from=2024-12-01&until=2024-12-31&compare=previous")
            .await;
        assert_eq!(page.status, StatusCode::OK);
        let tile = |code: &str| {
            let start = page.body.find(&format!("id=\"tile-{code}\"")).unwrap();
            page.body[start..]
                .split("</article>")
                .next()
                .unwrap()
                .to_string()
        };
        assert!(
            tile("spend").contains(r#"<div class="value">₽2,701</div>"#),
            "{}",
            tile("spend")
        );
        assert!(
            tile("ctr").contains(r#"<div class="value">2.6%</div>"#),
            "{}",
            tile("ctr")
        );
        assert!(
            tile("cpa").contains(r#"<div class="value">₽491.09</div>"#),
            "{}",
            tile("cpa")
        );
        assert!(
            page.body.contains("1 Dec 2024 – 31 Dec 2024"),
            "the period in words"
        );
        assert!(
            page.body
                .contains("Brand</a> <span class=\"muted\">G-1 · Paid search"),
            "the campaign is listed, its channel by name"
        );
        let other = app
            .get("/dashboard?from=2024-12-01&until=2024-12-31")
            .await
            .body;
        assert!(
            other.contains("Other KPIs") && other.contains("At risk"),
            "the CPC KPI, which has no tile"
        );

        // A custom metric: checked, stored, listed, computed.
        let r = app
            .post_json(
                "/api/v1/metrics",
                json!({"code": "cost_per_mille_click", "name_en": "Cost per 1000 clicks", "formula": "1000 * spend / clics", "unit": "money", "direction": "lower"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(
            r.json()["error"]["fields"][0]["message"],
            "'clics' is not a measure or metric (did you mean 'clicks'?)"
        );
        let r = app
            .post_json(
                "/api/v1/metrics",
                json!({"code": "cost_per_mille_click", "name_en": "Cost per 1000 clicks", "formula": "1000 * spend / clicks", "unit": "money", "direction": "lower"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        assert_eq!(r.json()["formula"], "(1000 * spend) / clicks");
        let list = app.get("/api/v1/metrics").await.json();
        let codes: Vec<&str> = list
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["code"].as_str().unwrap())
            .collect();
        assert!(
            codes.contains(&"cost_per_mille_click") && codes.contains(&"roas") && codes.len() >= 39
        );
        let r = app
            .get("/api/v1/metrics/cost_per_mille_click/value?from=2024-12-01&to=2025-01-01")
            .await;
        assert_eq!(r.json()["value"], 54020.0);
    }
}

#[tokio::test]
async fn a_manager_keeps_private_one_on_one_notes_and_the_report_checks_in_on_a_kpi() {
    let mut app = TestApp::on(mkpi_store::testing::sqlite()).await;
    app.accept_language = Some("en".into());
    let report = app.demo.employee_employee_id;
    app.login_as("manager").await;
    let r = app
        .post_json(
            "/api/v1/kpis",
            json!({"metric": "tasks_done", "scope": format!("employee:{report}"), "from": "2026-09-01", "to": "2026-10-01",
                   "targets": [{"from": "2026-09-01", "to": "2026-10-01", "target": 10}]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let kpi_id = r.json()["id"].as_i64().unwrap().to_string();
    let r = app
        .post_form(
            &format!("/employees/{report}/one-on-ones"),
            &[
                ("held_on", "2026-09-15"),
                ("notes", "Plans for Q4 & the launch"),
                ("next_steps", "Draft the brief"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = app
        .get(&format!("/employees/{report}?range=month"))
        .await
        .body;
    assert!(page.contains("Plans for Q4 &amp; the launch") && page.contains("Draft the brief"));
    let title = page
        .split("<title>")
        .nth(1)
        .unwrap()
        .split("</title>")
        .next()
        .unwrap();
    assert!(
        !title.contains('<') && title.ends_with(" · mkpi"),
        "a plain title: {title}"
    );
    assert_eq!(page.matches(r#"id="check-ins""#).count(), 1);

    app.logout_locally();
    app.login_as("employee").await;
    let r = app
        .post_form(
            &format!("/employees/{report}/check-ins"),
            &[
                ("kpi_id", kpi_id.as_str()),
                ("confidence", "4"),
                ("comment", "Halfway there"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = app
        .get(&format!("/employees/{report}?range=month"))
        .await
        .body;
    assert!(
        page.contains("Halfway there") && page.contains("4/5"),
        "the check-in shows"
    );
    assert!(
        page.contains("Plans for Q4"),
        "the report reads their own 1:1 notes"
    );
    let r = app
        .post_form(
            &format!("/employees/{report}/check-ins"),
            &[
                ("kpi_id", kpi_id.as_str()),
                ("confidence", "9"),
                ("comment", ""),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.body
            .contains("must be from 1 (will miss) to 5 (certain to meet)"),
        "{}",
        r.body
    );

    app.logout_locally();
    app.login_as("head").await;
    let page = app
        .get(&format!("/employees/{report}?range=month"))
        .await
        .body;
    assert!(!page.contains("Plans for Q4"), "private to the pair");
    assert!(page.contains("Halfway there"), "check-ins are not private");
}

#[tokio::test]
async fn an_admin_adds_a_custom_metric_from_the_catalogue_page() {
    let mut app = TestApp::on(mkpi_store::testing::sqlite()).await;
    app.accept_language = Some("en".into());
    app.login_as("admin").await;
    let page = app.get("/metrics").await;
    assert!(
        page.body.contains(r#"id="metric-roas""#)
            && page.body.contains("conversion_value &#x2f; spend")
    );
    let fields = |formula: &'static str| {
        vec![
            ("code", "cost_per_mql"),
            ("name_en", "Cost per MQL"),
            ("formula", formula),
            ("unit", "money"),
            ("direction", "lower"),
        ]
    };
    let r = app.post_form("/metrics", &fields("spend / mqlz")).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.body.contains(
            "formula: &#x27;mqlz&#x27; is not a measure or metric (did you mean &#x27;mqls&#x27;?)"
        ),
        "{}",
        r.body
    );
    assert!(
        r.body.contains(r#"value="spend &#x2f; mqlz""#),
        "the form keeps what was typed"
    );
    assert!(
        !r.body.contains(r#"id="metric-cost_per_mql""#),
        "nothing stored"
    );
    let r = app.post_form("/metrics", &fields("spend / mqls")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(
        r.body.contains("Metric cost_per_mql saved.")
            && r.body.contains(r#"id="metric-cost_per_mql""#)
    );
}

#[tokio::test]
async fn a_manager_plans_a_development_action_and_the_report_moves_it_along() {
    let mut app = TestApp::on(mkpi_store::testing::sqlite()).await;
    app.accept_language = Some("en".into());
    let report = app.demo.employee_employee_id;
    app.login_as("manager").await;
    let page = app.get(&format!("/employees/{report}")).await.body;
    assert!(
        page.contains(r#"id="development-form""#) && page.contains("No development actions yet."),
        "the manager may plan one"
    );
    let r = app
        .post_form(
            &format!("/employees/{report}/development-actions"),
            &[
                ("kind", "mentoring"),
                ("title", "Pair with the SEO lead on briefs"),
                ("due_on", "2099-03-01"),
                ("note", "Launch lead time is long"),
                ("kpi_id", ""),
                ("flag", "needs_support"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let bad = app
        .post_form(
            &format!("/employees/{report}/development-actions"),
            &[
                ("kind", "mentoring"),
                ("title", "x"),
                ("due_on", "01.03.2099"),
                ("kpi_id", "abc"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("kpi_id"), "{}", bad.body);
    let listed = app
        .get(&format!("/api/v1/employees/{report}/development-actions"))
        .await
        .json();
    assert_eq!(
        listed.as_array().unwrap().len(),
        1,
        "the refused one is not stored"
    );
    let id = listed[0]["id"].as_i64().unwrap();
    assert_eq!(listed[0]["status"], "planned");
    assert_eq!(listed[0]["flag"], "needs_support");

    app.logout_locally();
    app.login_as("employee").await;
    let page = app.get(&format!("/employees/{report}")).await.body;
    assert!(page.contains("Pair with the SEO lead on briefs") && page.contains("Mentoring"));
    assert!(
        !page.contains(r#"id="development-form""#),
        "the report does not plan for themselves"
    );
    let r = app
        .post_form(
            &format!("/development-actions/{id}/status"),
            &[("status", "in_progress")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = app.get(&format!("/employees/{report}")).await.body;
    let row = page.split(&format!(r#"id="action-{id}""#)).nth(1).unwrap();
    let row = row.split("</tr>").next().unwrap();
    assert!(
        row.contains("in progress") && row.contains(">Done<") && !row.contains(">Start<"),
        "{row}"
    );
    let r = app
        .request_json(
            Method::POST,
            &format!("/api/v1/development-actions/{id}/status"),
            Some(json!({"status": "planned"})),
            true,
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        r.json()["error"]["fields"][0]["message"],
        "cannot go from in_progress to planned; allowed: done, cancelled"
    );
}

#[tokio::test]
async fn the_explorer_drills_from_the_department_to_a_campaigns_days() {
    let mut app = TestApp::on(mkpi_store::testing::sqlite()).await;
    app.services
        .seed_demo_data(42, &app.demo)
        .await
        .expect("demo data");
    app.accept_language = Some("en".into());
    app.login_as("head").await;
    let page = app.get("/explore?from=2026-08-01&until=2026-08-31").await;
    assert_eq!(page.status, StatusCode::OK);
    let team = app.demo.team_ids[0];
    assert!(
        page.body.contains(&format!(
            "/explore?scope=team%3A{team}&split=org&from=2026-08-01&until=2026-08-31"
        )),
        "team rows drill down: {}",
        page.body
            .split("explorer-table")
            .nth(1)
            .unwrap_or("")
            .chars()
            .take(1500)
            .collect::<String>()
    );
    assert!(page.body.contains(r#"id="explorer-total""#));

    let json = app
        .get(&format!(
            "/api/v1/explore?scope=team:{team}&from=2026-08-01&to=2026-09-01"
        ))
        .await
        .json();
    let person = json["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| {
            r["key"].as_str().unwrap().starts_with("employee:")
                && r["values"][0]["value"].as_f64().unwrap_or(0.0) > 0.0
        })
        .expect("a member who spent")
        .clone();
    let json = app
        .get(&format!(
            "/api/v1/explore?scope={}&from=2026-08-01&to=2026-09-01",
            person["key"].as_str().unwrap()
        ))
        .await
        .json();
    assert_eq!(json["trail"][0]["scope"], "department");
    let campaign = json["rows"][0]["key"].as_str().unwrap().to_string();
    assert!(campaign.starts_with("campaign:"), "{json}");
    let page = app
        .get(&format!(
            "/explore?scope={campaign}&from=2026-08-01&until=2026-08-31"
        ))
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains(r#"id="row-2026-08-01""#),
        "a row per day"
    );
    assert!(page.body.contains("1 Aug 2026"), "days read as dates");
}

#[tokio::test]
async fn goals_answer_with_their_smart_check_and_the_tree_nests_the_cascade_with_progress() {
    for mut app in TestApp::each().await {
        app.login_as("head").await;
        let team = app.demo.team_ids[0];
        // "Increase sales": M and T fail, and the answer says what is missing.
        let r = app
            .post_json(
                "/api/v1/goals",
                json!({
                    "scope": "department", "title": "Increase sales",
                    "description": "More paid orders online", "business_goal": "Growth",
                    "budget": 50000, "currency": "RUB",
                }),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let g = r.json();
        assert_eq!(
            g["smart"],
            json!({
                "specific": true, "measurable": false, "achievable": true,
                "relevant": true, "time_bound": false,
                "missing": [
                    {"letter": "M", "code": "measure", "field": "metric_code",
                     "message": "choose the metric that measures it (or a unit you will count), or add sub-goals"},
                    {"letter": "M", "code": "baseline", "field": "baseline", "message": "give the baseline: the value now"},
                    {"letter": "M", "code": "target", "field": "target", "message": "give the target value"},
                    {"letter": "T", "code": "start", "field": "start_on", "message": "give the start date"},
                    {"letter": "T", "code": "deadline", "field": "deadline_on", "message": "give the deadline"},
                ],
            })
        );
        assert_eq!(
            (
                &g["status"],
                &g["level"],
                &g["budget_minor"],
                &g["progress"]
            ),
            (
                &json!("draft"),
                &json!("department"),
                &json!(5_000_000),
                &json!(null)
            )
        );
        let top = g["id"].as_i64().unwrap();

        // Activating it is refused, with the fields to fill.
        let r = app
            .post_json(
                &format!("/api/v1/goals/{top}/status"),
                json!({"status": "active"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        let body = r.json();
        let fields: Vec<&str> = body["error"]["fields"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["field"].as_str().unwrap())
            .collect();
        assert_eq!(
            fields,
            [
                "metric_code",
                "baseline",
                "target",
                "start_on",
                "deadline_on"
            ]
        );

        // "Increase sales by 10% next quarter" passes as the live check says.
        let smart = app
            .post_json(
                "/api/v1/goals/smart-check",
                json!({
                    "scope": format!("team:{team}"), "title": "Increase sales by 10% next quarter",
                    "description": "Paid orders", "parent_id": top, "metric_code": "order_revenue",
                    "baseline": 1000000, "target": 1100000, "hours": 40,
                    "start_on": "2026-10-01", "deadline_on": "2026-12-31",
                }),
            )
            .await
            .json();
        assert_eq!(smart["missing"], json!([]));
        let r = app
            .post_json(
                "/api/v1/goals",
                json!({
                    "scope": format!("team:{team}"), "title": "Sign three partners",
                    "description": "Joint offers", "parent_id": top, "unit": "partners",
                    "baseline": 0, "target": 3, "people": 2, "status": "active",
                    "start_on": "2026-07-01", "deadline_on": "2026-12-31",
                }),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let child = r.json()["id"].as_i64().unwrap();
        let r = app
            .post_json(
                &format!("/api/v1/goals/{child}/progress"),
                json!({"value": 1, "note": "the first one signed"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        assert_eq!(r.json()["progress"].as_f64().unwrap(), 1.0 / 3.0);

        // The tree nests the child under the department's goal; the draft
        // parent rolls up its active child.
        let tree = app.get("/api/v1/goals?tree=1").await.json();
        assert_eq!(tree.as_array().unwrap().len(), 1);
        assert_eq!(tree[0]["id"], top);
        assert_eq!(tree[0]["progress_source"], "children");
        assert_eq!(tree[0]["progress"].as_f64().unwrap(), 1.0 / 3.0);
        assert_eq!(tree[0]["children"][0]["id"], child);
        assert_eq!(tree[0]["children"][0]["current_value"], 1.0);
        assert_eq!(tree[0]["children"][0]["progress_source"], "counted");
        // The flat list holds both, without nesting.
        let flat = app.get("/api/v1/goals").await.json();
        assert_eq!(flat.as_array().unwrap().len(), 2);
        assert_eq!(flat[0]["children"], json!([]));
        // Measured by its sub-goal now, the parent passes M.
        let detail = app.get(&format!("/api/v1/goals/{top}")).await.json();
        assert_eq!(detail["goal"]["smart"]["measurable"], true);
        assert_eq!(detail["history"], json!([]));
        let child_detail = app.get(&format!("/api/v1/goals/{child}")).await.json();
        assert_eq!(child_detail["history"][0]["note"], "the first one signed");
        assert_eq!(child_detail["history"][0]["value"], 1.0);

        // The page shows both, with their SMART letters.
        let page = app.get("/goals").await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains(&format!(r#"id="goal-{child}""#)));
        assert!(page.body.contains("Sign three partners"));
    }
}

#[tokio::test]
async fn review_results_over_the_api_name_what_is_missing_and_hide_small_groups() {
    for mut app in TestApp::each().await {
        let own = app.demo.employee_employee_id;
        app.login_as("head").await;
        let r = app
            .post_json(
                "/api/v1/review-cycles",
                json!({
                    "name": "Q3 2026", "period_from": "2026-07-01", "period_to": "2026-10-01",
                    "self_due": "2026-10-03", "nomination_due": "2026-10-03",
                    "assessment_due": "2026-10-10", "calibration_due": "2026-10-17",
                    "employee_ids": [own],
                }),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let cycle = r.json()["id"].as_i64().unwrap();
        let competencies = app.get("/api/v1/competencies").await.json();
        assert_eq!(competencies.as_array().unwrap().len(), 6);
        assert_eq!(
            competencies[0]["levels_en"][1],
            "Work is accurate and complete as agreed"
        );
        let ratings = |n: i64| {
            json!(
                [
                    "quality",
                    "communication",
                    "teamwork",
                    "creativity",
                    "analytics",
                    "leadership"
                ]
                .iter()
                .map(|c| json!({"competency": c, "rating": n}))
                .collect::<Vec<_>>()
            )
        };
        app.login_as("manager").await;
        let r = app
            .post_json(
                &format!("/api/v1/review-cycles/{cycle}/assessments"),
                json!({"employee_id": own, "perspective": "manager", "ratings": ratings(4), "comment": "Steady"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
        let r = app
            .post_json(
                &format!("/api/v1/review-cycles/{cycle}/assessments"),
                json!({"employee_id": own, "perspective": "manager", "ratings": ratings(4)}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CONFLICT);
        let results = app
            .get(&format!("/api/v1/review-cycles/{cycle}/results/{own}"))
            .await
            .json();
        // Only the manager's part: 4 of 1–5 is 0.75, and it carries all the weight.
        assert_eq!(results["score"], 0.75);
        assert_eq!(results["renormalised"], true);
        let peer = results["perspectives"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["perspective"] == "peer")
            .unwrap()
            .clone();
        assert_eq!(
            peer,
            json!({"perspective": "peer", "answers": 0, "competencies": null, "mean": null,
                   "hidden": "no answers yet", "comments": []})
        );
        let manager_part = results["parts"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == "manager")
            .unwrap()
            .clone();
        assert_eq!(
            manager_part,
            json!({"name": "manager", "value": 0.75, "weight": 0.2, "used_weight": 1.0, "missing": null})
        );
        // The person waits for the release.
        app.login_as("employee").await;
        let r = app
            .get(&format!("/api/v1/review-cycles/{cycle}/results/{own}"))
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
    }
}

#[tokio::test]
async fn a_cycle_runs_through_its_pages_from_opening_to_the_released_results() {
    let mut app = TestApp::with_mail(mkpi_store::testing::sqlite()).await;
    app.accept_language = Some("en".into());
    let own = app.demo.employee_employee_id;
    app.login_as("head").await;
    let r = app
        .post_form(
            "/reviews",
            &[
                ("name", "Q3 2026"),
                ("period_from", "2026-07-01"),
                ("last_day", "2026-09-30"),
                ("self_due", "2026-10-03"),
                ("nomination_due", "2026-10-03"),
                ("assessment_due", "2026-10-10"),
                ("calibration_due", "2026-10-17"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let cycle_path = r.header("location").unwrap();
    let cycle: i64 = cycle_path.rsplit('/').next().unwrap().parse().unwrap();
    let ratings: Vec<(String, String)> = [
        "quality",
        "communication",
        "teamwork",
        "creativity",
        "analytics",
        "leadership",
    ]
    .iter()
    .map(|c| (format!("rating_{c}"), "4".to_string()))
    .collect();
    let form = |perspective: &'static str, comment: &'static str| {
        let mut f: Vec<(String, String)> = ratings.clone();
        f.push(("perspective".into(), perspective.into()));
        f.push(("comment".into(), comment.into()));
        f
    };

    // The employee finds their self-assessment to do, with the level descriptors.
    app.login_as("employee").await;
    let page = app.get(cycle_path).await;
    assert!(page.body.contains("Assess yourself"), "{}", page.body);
    let assess = app
        .get(&format!("/reviews/{cycle}/assess/{own}?perspective=self"))
        .await;
    assert!(
        assess
            .body
            .contains("Work is accurate and complete as agreed")
    );
    let f = form("self", "A good quarter");
    let fields: Vec<(&str, &str)> = f.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let r = app
        .post_form(&format!("/reviews/{cycle}/assess/{own}"), &fields)
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    // Given once: the to-do is gone and the form answers not found.
    let page = app.get(cycle_path).await;
    assert!(page.body.contains("Nothing for you to assess now."));
    let again = app
        .get(&format!("/reviews/{cycle}/assess/{own}?perspective=self"))
        .await;
    assert_eq!(again.status, StatusCode::NOT_FOUND);

    // The manager assesses with the evidence of the quarter beside the
    // questions: a task done with its rating, a shared 1:1 note.
    let lead = app
        .services
        .login("manager", "demo", "t")
        .await
        .unwrap()
        .actor;
    let task = app
        .services
        .create_task(
            &lead,
            &mkpi_services::tasks::TaskInput {
                title: "Autumn sale brief".into(),
                kind: "campaign".into(),
                assignee_employee_id: Some(own),
                due: "2026-09-25".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    for status in ["in_progress", "done"] {
        app.services
            .set_task_status(&lead, task.id, status)
            .await
            .unwrap();
    }
    app.services
        .rate_task(&lead, task.id, 5, "Clear and early")
        .await
        .unwrap();
    app.services
        .add_one_on_one(
            &lead,
            own,
            "2026-09-15",
            "Talked about the launch",
            "Draft the brief",
            true,
        )
        .await
        .unwrap();
    app.login_as("manager").await;
    let evidence = app
        .get(&format!(
            "/reviews/{cycle}/assess/{own}?perspective=manager"
        ))
        .await;
    assert_eq!(evidence.status, StatusCode::OK);
    assert!(
        evidence.body.contains("Autumn sale brief") && evidence.body.contains("★5"),
        "{}",
        evidence.body
    );
    assert!(
        evidence
            .body
            .contains("Talked about the launch → Draft the brief")
    );
    let f = form("manager", "Reliable");
    let fields: Vec<(&str, &str)> = f.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let r = app
        .post_form(&format!("/reviews/{cycle}/assess/{own}"), &fields)
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let results = app.get(&format!("/reviews/{cycle}/results/{own}")).await;
    assert_eq!(results.status, StatusCode::OK);
    assert!(
        results
            .body
            .contains(r#"<span id="final-score">75%</span>"#),
        "{}",
        results.body
    );
    assert!(results.body.contains("no answers yet"));

    // Three clients are invited; each link is shown once and opens one
    // form without an account; a second use is gone.
    let client_ratings: Vec<(String, String)> = ratings
        .iter()
        .map(|(k, _)| (k.clone(), "5".to_string()))
        .collect();
    for (name, email) in [
        ("Anna", "anna@client.example"),
        ("Boris", "boris@client.example"),
        ("Vera", "vera@client.example"),
    ] {
        app.login_as("manager").await;
        let own_text = own.to_string();
        let page = app
            .post_form(
                &format!("/reviews/{cycle}/clients"),
                &[
                    ("employee_id", own_text.as_str()),
                    ("client_name", name),
                    ("client_email", email),
                ],
            )
            .await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        // The page says where the invitation went and shows no link; the
        // link is in the client's mail only.
        assert!(
            page.body.contains(&format!("went to {email} only")),
            "{}",
            page.body
        );
        let link = app.mailed_link(email, "/r/").await;
        assert!(link.starts_with("/r/") && link.len() == 51, "{link}");
        assert!(!page.body.contains(&link[3..]));
        // Signed in, the link opens nothing: it is for clients only.
        assert_eq!(app.get(&link).await.status, StatusCode::FORBIDDEN);
        app.logout_locally();
        // The link's token is no credential anywhere else: not as an API
        // token, not as a session cookie, and a near miss opens no form.
        let token = link.trim_start_matches("/r/").to_string();
        for path in [
            "/api/v1/me",
            "/api/v1/employees",
            &format!("/api/v1/review-cycles/{cycle}/calibration"),
        ] {
            assert_eq!(
                app.bearer_get(path, &token).await.status,
                StatusCode::UNAUTHORIZED,
                "{path}"
            );
        }
        app.set_cookie("mkpi_session", &token);
        assert_eq!(app.get("/api/v1/me").await.status, StatusCode::UNAUTHORIZED);
        assert_eq!(app.get("/dashboard").await.status, StatusCode::SEE_OTHER);
        app.logout_locally();
        let near = format!(
            "/r/{}{}",
            &token[..47],
            if token.ends_with('0') { '1' } else { '0' }
        );
        assert_eq!(app.get(&near).await.status, StatusCode::NOT_FOUND);
        let form = app.get(&link).await;
        assert_eq!(form.status, StatusCode::OK, "{}", form.body);
        assert!(form.body.contains("Your view of"));
        let mut fields: Vec<(&str, &str)> = client_ratings
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        fields.push(("comment", "Quick and clear"));
        let done = app.post_form(&link, &fields).await;
        assert_eq!(done.status, StatusCode::OK, "{}", done.body);
        assert!(done.body.contains("Thank you"));
        let again = app.get(&link).await;
        assert_eq!(again.status, StatusCode::GONE);
        assert!(again.body.contains("no longer opens"), "{}", again.body);
    }
    app.login_as("manager").await;
    let assess_page = app.get(cycle_path).await;
    assert!(assess_page.body.contains("3/3"), "clients answered");

    // Calibration: a move needs a reason; potential places the 9-box.
    app.login_as("head").await;
    let r = app
        .post_form(
            &format!("/reviews/{cycle}/status"),
            &[("status", "calibration")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let own_text = own.to_string();
    let no_reason = app
        .post_form(
            &format!("/reviews/{cycle}/adjust"),
            &[
                ("employee_id", own_text.as_str()),
                ("points", "10"),
                ("reason", ""),
            ],
        )
        .await;
    assert_eq!(no_reason.status, StatusCode::UNPROCESSABLE_ENTITY);
    for (path, fields) in [
        (
            "adjust",
            vec![
                ("employee_id", own_text.as_str()),
                ("points", "10"),
                ("reason", "Carried the launch"),
            ],
        ),
        (
            "potential",
            vec![("employee_id", own_text.as_str()), ("rating", "5")],
        ),
    ] {
        let r = app
            .post_form(&format!("/reviews/{cycle}/{path}"), &fields)
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{path}: {}", r.body);
    }
    let calibration = app.get(&format!("/reviews/{cycle}/calibration")).await;
    assert_eq!(calibration.status, StatusCode::OK);
    assert!(calibration.body.contains("Carried the launch"));
    assert!(calibration.body.contains("distribution-chart"));
    let preview = app
        .post_form(
            &format!("/reviews/{cycle}/what-if"),
            &[("manager", "100"), ("kpi", ""), ("self", "0")],
        )
        .await;
    assert_eq!(preview.status, StatusCode::OK, "{}", preview.body);
    assert!(preview.body.contains(r#"id="what-if-table""#));

    // The head releases; the employee reads their own, with the move and
    // its reason, and acknowledges.
    for next in ["released"] {
        let r = app
            .post_form(&format!("/reviews/{cycle}/status"), &[("status", next)])
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    }
    app.login_as("employee").await;
    let mine = app.get(&format!("/reviews/{cycle}/results/{own}")).await;
    assert_eq!(mine.status, StatusCode::OK);
    assert!(mine.body.contains("Reliable"));
    assert!(mine.body.contains("Carried the launch"));
    // Self 4, manager 4, clients 5 → (0.05×0.75 + 0.2×0.75 + 0.05×1) / 0.3, + 10 points.
    let expected = ((0.05 * 0.75 + 0.2 * 0.75 + 0.05 * 1.0) / 0.3 + 0.1) * 100.0;
    assert!(
        mine.body
            .contains(&format!(r#"<span id="final-score">{expected:.0}%</span>"#)),
        "{expected}: {}",
        mine.body
    );
    let r = app
        .post_form(
            &format!("/reviews/{cycle}/acknowledge"),
            &[("comment", "Agreed")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let mine = app.get(&format!("/reviews/{cycle}/results/{own}")).await;
    assert!(
        mine.body
            .contains(r#"<blockquote id="ack-comment">Agreed</blockquote>"#)
    );
    let history = app.get(&format!("/reviews/people/{own}")).await;
    assert_eq!(history.status, StatusCode::OK);
    assert!(history.body.contains("scores-chart") && history.body.contains("Q3 2026"));

    // The manager ties a development action to a competency and the cycle.
    app.login_as("manager").await;
    let cycle_text = cycle.to_string();
    let back = format!("/reviews/{cycle}/results/{own}");
    let bad = app
        .post_form(
            &format!("/employees/{own}/development-actions"),
            &[
                ("competency", "juggling"),
                ("cycle_id", cycle_text.as_str()),
                ("kind", "training"),
                ("title", "Storytelling course"),
                ("due_on", "2026-12-01"),
                ("next", back.as_str()),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("is not a competency of the framework"));
    let r = app
        .post_form(
            &format!("/employees/{own}/development-actions"),
            &[
                ("competency", "communication"),
                ("cycle_id", cycle_text.as_str()),
                ("kind", "training"),
                ("title", "Storytelling course"),
                ("due_on", "2026-12-01"),
                ("next", back.as_str()),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(r.header("location"), Some(back.as_str()));
    let results = app.get(&back).await;
    assert!(
        results
            .body
            .contains("Storytelling course <span class=\"muted\">· Communication</span>"),
        "{}",
        results.body
    );
}

#[tokio::test]
async fn the_head_edits_the_competency_framework_on_its_page() {
    let mut app = TestApp::on(mkpi_store::testing::sqlite()).await;
    app.accept_language = Some("en".into());
    app.login_as("employee").await;
    let page = app.get("/reviews/framework").await;
    assert!(page.body.contains("Quality of work"));
    assert!(
        !page.body.contains("competency-form"),
        "read-only for people"
    );
    app.login_as("head").await;
    let r = app
        .post_form(
            "/reviews/framework/analytics/weights",
            &[("position", "Analyst"), ("weight", "2,5")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let r = app
        .post_form(
            "/reviews/framework",
            &[
                ("code", "storytelling"),
                ("name_en", "Storytelling"),
                ("name_ru", "Сторителлинг"),
                ("level_en_1", "Lists numbers"),
                ("level_en_3", "Tells what they mean"),
                ("level_en_5", "Moves people to act"),
                ("level_ru_1", "Перечисляет цифры"),
                ("level_ru_3", "Объясняет их смысл"),
                ("level_ru_5", "Побуждает действовать"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let bad = app
        .post_form(
            "/reviews/framework/storytelling",
            &[("name_en", ""), ("name_ru", "x")],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let page = app.get("/reviews/framework").await;
    assert!(page.body.contains("Analyst × 2.5"), "{}", page.body);
    assert!(page.body.contains("Moves people to act"));
    let api = app.get("/api/v1/competencies").await.json();
    let analytics = api
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["code"] == "analytics")
        .unwrap();
    assert_eq!(analytics["weights"], json!({"Analyst": 2.5}));
    assert_eq!(api.as_array().unwrap().len(), 7);
}

#[tokio::test]
async fn a_report_is_defined_shown_downloaded_shared_and_revoked() {
    let mut app = TestApp::on(mkpi_store::testing::sqlite()).await;
    app.services
        .seed_demo_data(42, &app.demo)
        .await
        .expect("demo data");
    app.accept_language = Some("en".into());
    app.login_as("manager").await;
    let list = app.get("/reports").await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(list.body.contains(">quarterly</a>") && list.body.contains(">monthly</a>"));

    // A team report through the form; a bad one first, then a good one.
    let team = app.demo.team_ids[0];
    let scope: &str = Box::leak(format!("team:{team}").into_boxed_str());
    let bad = app
        .post_form(
            "/reports",
            &[
                ("name", "team q"),
                ("scope", scope),
                ("period_kind", "weekly"),
                ("compare", "previous"),
                ("language", "en"),
                ("metrics", "spend"),
                ("metrics", "no_such"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        bad.body.contains("&#x27;no_such&#x27; is not a metric"),
        "{}",
        bad.body
    );
    assert!(bad.body.contains("&#x27;weekly&#x27; is not a period"));
    let made = app
        .post_form(
            "/reports",
            &[
                ("name", "team q"),
                ("purpose", "The team's quarter"),
                ("scope", scope),
                ("period_kind", "last_quarter"),
                ("compare", "previous"),
                ("language", "en"),
                ("metrics", "spend"),
                ("metrics", "conversion_value"),
                ("metrics", "roas"),
                ("sections", "summary"),
                ("sections", "kpis"),
                ("sections", "people"),
            ],
        )
        .await;
    assert_eq!(made.status, StatusCode::SEE_OTHER);
    let at = made.header("location").unwrap().to_string();
    let page = app.get(&at).await;
    assert_eq!(page.status, StatusCode::OK);
    for text in [
        "Summary",
        "Key metrics",
        "People",
        "The team&#x27;s quarter",
        "Performance",
    ] {
        assert!(page.body.contains(text), "{text} missing");
    }
    // The numbers are the team's, as the API's metric path gives them.
    let spend = app
        .get(&format!(
            "/api/v1/metrics/spend/value?scope=team:{team}&from=2026-04-01&to=2026-07-01"
        ))
        .await
        .json();
    let id: i64 = at.rsplit('/').next().unwrap().parse().unwrap();
    let json = app
        .get(&format!("/api/v1/report-definitions/{id}/report"))
        .await
        .json();
    assert_eq!(json["period_from"], "2026-04-01");
    assert_eq!(json["metrics"][0]["code"], "spend");
    assert_eq!(json["metrics"][0]["now"]["value"], spend["value"]);
    // People link to their pages; metrics drill into the explorer.
    assert!(page.body.contains(&format!(
        "/explore?scope=team%3A{team}&amp;from=2026-04-01&amp;until=2026-06-30"
    )));
    assert!(page.body.contains("href=\"/employees/"));

    // Files.
    for (format, kind, start) in [
        ("pdf", "application/pdf", "%PDF-"),
        ("slides", "application/pdf", "%PDF-"),
        (
            "xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "PK",
        ),
        (
            "csv",
            "text/csv; charset=utf-8",
            "\u{feff}Metric,This period",
        ),
        ("html", "text/html; charset=utf-8", "<!doctype html>"),
    ] {
        let r = app
            .get(&format!("/reports/{id}/download?format={format}"))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{format}");
        assert_eq!(r.header("content-type"), Some(kind), "{format}");
        assert!(r.body.starts_with(start), "{format}");
    }
    let csv = app
        .get(&format!("/reports/{id}/download?format=csv&table=trends"))
        .await;
    assert_eq!(csv.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(csv.body.contains("it has kpis, people"), "{}", csv.body);

    // A share link: shown once, opens without an account, names no one.
    let shared = app
        .post_form(&format!("/reports/{id}/shares"), &[("days", "7")])
        .await;
    assert_eq!(shared.status, StatusCode::OK);
    let link = shared
        .body
        .split("id=\"share-link\">")
        .nth(1)
        .unwrap()
        .split('<')
        .next()
        .unwrap()
        .replace("&#x2f;", "/");
    assert!(link.starts_with("/s/") && link.len() == 51, "{link}");
    let names: Vec<String> = app
        .get("/api/v1/employees")
        .await
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["name"].as_str().unwrap().to_string())
        .collect();
    app.logout_locally();
    let open = app.get(&link).await;
    assert_eq!(open.status, StatusCode::OK);
    assert!(open.body.contains("Key metrics") && !open.body.contains("id=\"section-people\""));
    for n in &names {
        assert!(!open.body.contains(n.as_str()), "{n} on the shared page");
    }
    assert_eq!(open.header("referrer-policy"), Some("same-origin"));
    let pdf = app.get(&format!("{link}/download?format=pdf")).await;
    assert_eq!(pdf.status, StatusCode::OK);
    // Revoked: gone.
    app.login_as("manager").await;
    let shares = app
        .get(&format!("/api/v1/report-definitions/{id}/shares"))
        .await
        .json();
    let share_id = shares[0]["id"].as_i64().unwrap();
    assert!(shares[0]["path"].is_null(), "the link is shown only once");
    let r = app
        .post_form(&format!("/report-shares/{share_id}/revoke"), &[])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    app.logout_locally();
    assert_eq!(app.get(&link).await.status, StatusCode::GONE);

    // Without mail set up, a schedule is refused and says why.
    app.login_as("manager").await;
    let r = app
        .post_form(
            &format!("/reports/{id}/schedules"),
            &[("frequency", "weekly"), ("recipients", "cmo@example.com")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.body.contains("mail is not set up on this server"),
        "{}",
        r.body
    );

    // Competitor figures through the API, CSV in, 422 with rows named.
    let r = app
        .send(
            axum::http::Request::post("/api/v1/competitor-benchmarks/import")
                .header("content-type", "text/csv")
                .header("x-csrf-token", app.csrf().unwrap())
                .body(axum::body::Body::from(
                    "competitor,kind,month,value\nA,price,2026-07,x\n",
                ))
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        r.json()["error"]["fields"][0]["field"],
        "row 2, column value"
    );
}

/// What an error body must never show: a panic, a stack trace, SQL, a
/// source path.
const LEAKS: [&str; 8] = [
    "panicked",
    "stack backtrace",
    "RUST_BACKTRACE",
    "sqlx",
    "SELECT ",
    "INSERT INTO",
    ".rs:",
    "/src/",
];

#[tokio::test]
async fn every_answer_carries_the_security_headers_and_no_error_shows_internals() {
    let mut app = TestApp::on(mkpi_store::testing::sqlite()).await;
    let p = people(&app);
    let cases = matrix(&p);
    let mut failures = Vec::new();
    let mut answers = 0;
    for who in std::iter::once("anonymous").chain(ROLES) {
        app.logout_locally();
        if who != "anonymous" {
            app.login_as(who).await;
        }
        for case in cases.iter().filter(|c| !c.path.ends_with("logout")) {
            let r = match (&case.body, &case.form) {
                (Some(body), _) => {
                    app.request_json(case.method.clone(), &case.path, Some(body.clone()), true)
                        .await
                }
                (None, Some(form)) => app.post_form(&case.path, form).await,
                (None, None) => app.get(&case.path).await,
            };
            answers += 1;
            let at = format!("{who} {} {} ({})", case.method, case.path, r.status);
            for (name, value) in [
                ("x-content-type-options", "nosniff"),
                ("referrer-policy", "same-origin"),
                ("x-frame-options", "DENY"),
                ("cache-control", "no-store"),
            ] {
                // Assets are the same for everyone and may be cached.
                let asset = case.path.starts_with("/assets/") && name == "cache-control";
                if !asset && r.header(name) != Some(value) {
                    failures.push(format!("{at}: {name} is {:?}", r.header(name)));
                }
            }
            if !r.header("content-security-policy").is_some_and(|c| {
                c.contains("default-src 'self'") && c.contains("frame-ancestors 'none'")
            }) {
                failures.push(format!("{at}: no content security policy"));
            }
            if r.status.as_u16() >= 400 {
                for leak in LEAKS {
                    if r.body.contains(leak) {
                        failures.push(format!("{at}: the error body shows {leak:?}"));
                    }
                }
            }
        }
    }
    assert!(answers > 1000, "{answers}");
    assert!(
        failures.is_empty(),
        "{} answers without their headers or with internals:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[tokio::test]
async fn every_mutating_route_refuses_a_missing_or_wrong_csrf_token_and_gets_change_nothing() {
    let mut app = TestApp::on(mkpi_store::testing::sqlite()).await;
    let p = people(&app);
    let cases = matrix(&p);
    let head = app.services.login("head", "demo", "t").await.unwrap().actor;
    let audit_count = |app: &TestApp| {
        let s = app.services.clone();
        let head = head.clone();
        async move { s.audit_log(&head, None, 100_000, 0).await.unwrap().len() }
    };
    app.login_as("head").await;
    // GET changes nothing: no audit entry appears while every GET of the
    // matrix is asked for, by every role.
    let before = audit_count(&app).await;
    for who in ROLES {
        app.logout_locally();
        app.login_as(who).await;
        for case in cases.iter().filter(|c| c.method == Method::GET) {
            app.get(&case.path).await;
        }
    }
    // Each sign-in writes its own entry; nothing else may.
    let after = audit_count(&app).await;
    let logins = app
        .services
        .audit_log(&head, Some("session"), 100, 0)
        .await
        .unwrap()
        .len();
    assert!(
        after - before <= logins,
        "{before} → {after} with {logins} sign-ins"
    );

    // Every other method, signed in, without the token or with a wrong one.
    let exempt = ["/login", "/api/v1/login", "/r/", "/s/"];
    let mut failures = Vec::new();
    let mut checked = 0;
    for who in ["admin", "manager"] {
        app.logout_locally();
        app.login_as(who).await;
        let before = audit_count(&app).await;
        for case in cases.iter().filter(|c| c.method != Method::GET) {
            if exempt.iter().any(|e| case.path.starts_with(e)) || case.path.ends_with("logout") {
                continue;
            }
            let r = match (&case.body, &case.form) {
                (Some(body), _) => {
                    app.request_json(case.method.clone(), &case.path, Some(body.clone()), false)
                        .await
                }
                (None, Some(form)) => {
                    let mut f = form.clone();
                    f.push(("csrf", "0000wrong0000"));
                    app.post_form(&case.path, &f).await
                }
                (None, None) => {
                    app.request_json(case.method.clone(), &case.path, None, false)
                        .await
                }
            };
            checked += 1;
            // The API answers code "csrf"; a page says the form did not come from mkpi.
            let refused = r.body.contains("\"csrf\"") || r.body.contains("did not come from mkpi");
            if r.status != StatusCode::FORBIDDEN || !refused {
                failures.push(format!(
                    "{who} {} {}: {} {}",
                    case.method,
                    case.path,
                    r.status,
                    r.body.chars().take(120).collect::<String>()
                ));
            }
        }
        assert_eq!(
            audit_count(&app).await,
            before,
            "a refused request changed something"
        );
    }
    assert!(checked > 150, "{checked}");
    assert!(
        failures.is_empty(),
        "{} mutating requests went through without their token:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// The paths a router file declares (`.route("/path", …)`), in order.
fn declared_routes(source: &str, prefix: &str) -> Vec<String> {
    source
        .split(".route(")
        .skip(1)
        .filter_map(|rest| {
            let rest = rest.trim_start();
            let rest = rest.strip_prefix('"')?;
            Some(format!("{prefix}{}", &rest[..rest.find('"')?]))
        })
        .collect()
}

/// Whether a concrete path (query left off) fits a route pattern.
fn fits(pattern: &str, path: &str) -> bool {
    let path = path.split('?').next().unwrap_or(path);
    let (a, b): (Vec<&str>, Vec<&str>) = (pattern.split('/').collect(), path.split('/').collect());
    a.len() == b.len()
        && a.iter().zip(&b).all(|(p, s)| {
            if p.starts_with('{') {
                !s.is_empty()
            } else {
                p == s
            }
        })
}

#[test]
fn every_route_the_router_declares_is_in_the_access_matrix() {
    let routes: Vec<String> = [
        declared_routes(include_str!("../src/lib.rs"), ""),
        declared_routes(include_str!("../src/pages/mod.rs"), ""),
        declared_routes(include_str!("../src/api/mod.rs"), "/api/v1"),
    ]
    .concat();
    assert!(routes.len() > 150, "{}", routes.len());
    assert!(routes.contains(&"/reports/{id}/download".to_string()));
    // Any ids will do: only the paths' shapes matter here.
    let p = People {
        own: 3,
        teammate: 4,
        subteam: 7,
        other: 10,
        own_team: 1,
        other_team: 3,
    };
    let cases = matrix(&p);
    let missing: Vec<&String> = routes
        .iter()
        .filter(|r| !cases.iter().any(|c| fits(r, &c.path)))
        .collect();
    assert!(
        missing.is_empty(),
        "routes without an access-matrix entry: {missing:?}"
    );
}

/// A log sink for one test's thread.
#[derive(Clone, Default)]
struct Captured(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn no_password_or_token_reaches_the_audit_log_or_the_logs() {
    let logs = Captured::default();
    let sink = logs.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || sink.clone())
        .with_max_level(tracing::Level::DEBUG)
        .with_ansi(false)
        .finish();
    // Global, not per thread: a callsite first met while no subscriber
    // listened stays silent for a thread-local one, and the other tests of
    // this binary meet them first. Their lines land here too; the secrets
    // below are this test's own.
    tracing::subscriber::set_global_default(subscriber).expect("the only global subscriber");

    let mut app = TestApp::on(mkpi_store::testing::sqlite()).await;
    app.login_as("admin").await;
    let password = "Zoe-secret-pass-1";
    let r = app
        .post_json(
            "/api/v1/users",
            json!({"login": "zoe", "password": password, "role": "viewer"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let token = app
        .post_json("/api/v1/me/tokens", json!({"name": "automation"}))
        .await
        .json()["token"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        app.bearer_get("/api/v1/me", &token).await.status,
        StatusCode::OK
    );
    let def = app
        .post_json(
            "/api/v1/report-definitions",
            json!({"name": "m", "metrics": ["spend"], "scope": "department",
                   "period_kind": "last_month", "compare": "previous",
                   "sections": ["kpis"], "language": "en"}),
        )
        .await
        .json()["id"]
        .as_i64()
        .unwrap();
    let link = app
        .post_json(
            &format!("/api/v1/report-definitions/{def}/shares"),
            json!({"days": 3}),
        )
        .await
        .json()["path"]
        .as_str()
        .unwrap()
        .to_string();
    let share_token = link.trim_start_matches("/s/").to_string();
    app.logout_locally();
    assert_eq!(app.get(&link).await.status, StatusCode::OK);
    // A failed sign-in, a good one, a password change.
    let wrong = "Wrong-guess-77";
    app.post_json("/api/v1/login", json!({"login": "zoe", "password": wrong}))
        .await;
    let r = app
        .post_json(
            "/api/v1/login",
            json!({"login": "zoe", "password": password}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let session = app.cookie("mkpi_session").unwrap();
    let csrf = r.json()["csrf_token"].as_str().unwrap().to_string();
    let new_password = "Zoe-new-pass-2";
    let r = app
        .send(
            axum::http::Request::post("/api/v1/me/password")
                .header("content-type", "application/json")
                .header("x-csrf-token", &csrf)
                .body(axum::body::Body::from(
                    json!({"current_password": password, "new_password": new_password}).to_string(),
                ))
                .unwrap(),
        )
        .await;
    assert!(r.status.is_success(), "{}", r.body);

    let head = app.services.login("head", "demo", "t").await.unwrap().actor;
    let audit = format!(
        "{:?}",
        app.services
            .audit_log(&head, None, 10_000, 0)
            .await
            .unwrap()
    );
    let logs = String::from_utf8(logs.0.lock().unwrap().clone()).unwrap();
    assert!(
        logs.contains("/s/{token}"),
        "the share link's visit is logged, without its token"
    );
    for secret in [
        password,
        new_password,
        wrong,
        &token,
        &share_token,
        &session,
        &csrf,
    ] {
        assert!(!audit.contains(secret), "the audit log holds a secret");
        assert!(!logs.contains(secret), "the logs hold a secret: {secret}");
    }
}

/// The anonymity promise through everything a person can open: for 0 to 6
/// peer answers (threshold 3), the results page and its API, the cycle,
/// calibration and history pages, the distributions, and the report's
/// evaluation as HTML, CSV and through a share link. No body names a peer
/// who answered; peer comments (each answer's own words) show only from 3
/// answers and only once the cycle is past taking answers; while it takes
/// them, what each role sees does not move with a peer answer.
#[tokio::test]
async fn no_page_api_report_or_share_shows_a_small_peer_group_or_names_a_rater() {
    use mkpi_services::reviews::{CycleInput, RatingInput};
    use mkpi_services::users::{NewUserInput, Principal};
    // One rating of each competency of the default framework.
    let ratings = |rating: i64, comment: &str| -> Vec<RatingInput> {
        mkpi_domain::review::default_framework()
            .iter()
            .map(|c| RatingInput {
                competency: c.code.clone(),
                rating,
                comment: comment.to_string(),
            })
            .collect()
    };
    for mut app in TestApp::each().await {
        let s = app.services.clone();
        let head = s.login("head", "demo", "t").await.unwrap().actor;
        let manager = s.login("manager", "demo", "t").await.unwrap().actor;
        let me = app.demo.employee_employee_id;
        let peers: Vec<i64> = app.demo.employee_ids[9..15].to_vec();
        let mut names = Vec::new();
        let mut accounts = Vec::new();
        for p in &peers {
            let e = s.get_employee(&head, *p).await.unwrap();
            names.push(e.name.clone());
            s.create_user(
                Principal::Operator,
                NewUserInput {
                    login: format!("p{p}"),
                    password: "long-enough-1".into(),
                    role: "employee".into(),
                    employee_email: Some(e.email.clone()),
                    locale: None,
                },
            )
            .await
            .unwrap();
            accounts.push(
                s.login(&format!("p{p}"), "long-enough-1", "t")
                    .await
                    .unwrap()
                    .actor,
            );
        }
        // A report of the latest evaluation, shared by a link.
        app.login_as("head").await;
        let definition = app
            .post_json(
                "/api/v1/report-definitions",
                json!({"name": "anonymity", "metrics": ["spend"], "scope": "department",
                       "period_kind": "last_quarter", "compare": "previous",
                       "sections": ["evaluation"], "language": "en"}),
            )
            .await;
        assert_eq!(
            definition.status,
            StatusCode::CREATED,
            "{}",
            definition.body
        );
        let definition = definition.json()["id"].as_i64().unwrap();
        let share = app
            .post_json(
                &format!("/api/v1/report-definitions/{definition}/shares"),
                json!({"days": 7}),
            )
            .await
            .json();
        let share_path = share["path"].as_str().unwrap().to_string();
        assert!(share_path.starts_with("/s/"), "{share}");

        for answers in 0..=6usize {
            let cycle = s
                .create_review_cycle(
                    &head,
                    &CycleInput {
                        name: format!("n{answers}"),
                        period_from: "2026-07-01".into(),
                        period_to: "2026-10-01".into(),
                        self_due: "2026-10-03".into(),
                        nomination_due: "2026-10-03".into(),
                        assessment_due: "2026-10-10".into(),
                        calibration_due: "2026-10-17".into(),
                        employee_ids: vec![me],
                        anonymity_threshold: Some(3),
                        max_peers: Some(10),
                        ..CycleInput::default()
                    },
                )
                .await
                .unwrap()
                .id;
            s.submit_assessment(&manager, cycle, me, "manager", &ratings(3, "named"), "")
                .await
                .unwrap();
            let note = |i: usize| format!("peer note {answers}-{i}");
            let results_api = format!("/api/v1/review-cycles/{cycle}/results/{me}");
            let results_page = format!("/reviews/{cycle}/results/{me}");
            let mut open_views: Vec<(String, String)> = Vec::new();
            for (i, peer) in peers.iter().take(answers).enumerate() {
                s.nominate_peer(&manager, cycle, me, *peer).await.unwrap();
                s.submit_assessment(
                    &accounts[i],
                    cycle,
                    me,
                    "peer",
                    &ratings(1 + (i as i64 % 5), &note(i)),
                    "",
                )
                .await
                .unwrap();
                for who in ["head", "manager"] {
                    app.logout_locally();
                    app.login_as(who).await;
                    let r = app.get(&results_api).await.json();
                    let peer = r["perspectives"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .find(|p| p["perspective"] == "peer")
                        .unwrap()
                        .clone();
                    assert_eq!(peer["mean"], Value::Null, "{who}, open, {}", i + 1);
                    assert!(!r.to_string().contains("peer note"), "{who}: {r}");
                    open_views.push((who.to_string(), r["score"].to_string()));
                }
            }
            for who in ["head", "manager"] {
                let scores: Vec<&String> = open_views
                    .iter()
                    .filter(|v| v.0 == who)
                    .map(|v| &v.1)
                    .collect();
                assert!(
                    scores.windows(2).all(|w| w[0] == w[1]),
                    "{who}: the score moved with a peer answer while open: {scores:?}"
                );
            }
            s.set_review_cycle_status(&head, cycle, "calibration")
                .await
                .unwrap();
            s.set_review_cycle_status(&head, cycle, "released")
                .await
                .unwrap();

            let shown = answers >= 3;
            let mut checked = 0;
            for who in [
                "admin",
                "head",
                "manager",
                "employee",
                "viewer",
                "anonymous",
            ] {
                app.logout_locally();
                if who != "anonymous" {
                    app.login_as(who).await;
                }
                let mut bodies = Vec::new();
                for path in [
                    results_api.clone(),
                    results_page.clone(),
                    format!("/reviews/{cycle}"),
                    format!("/reviews/{cycle}/calibration"),
                    format!("/api/v1/review-cycles/{cycle}/calibration"),
                    format!("/reviews/people/{me}"),
                    format!("/api/v1/employees/{me}/review-history"),
                    "/api/v1/review-distributions".to_string(),
                    format!(
                        "/api/v1/report-definitions/{definition}/report?format=csv&table=evaluation"
                    ),
                    format!("/api/v1/report-definitions/{definition}/report?format=html"),
                    share_path.clone(),
                ] {
                    let r = app.get(&path).await;
                    if r.status.is_success() {
                        bodies.push((path, r.body));
                    }
                }
                for (path, body) in &bodies {
                    checked += 1;
                    for (name, _) in names.iter().zip(&peers).take(answers) {
                        assert!(
                            !body.contains(name.as_str()),
                            "{answers}, {who}, {path}: names {name}"
                        );
                    }
                    let notes = (0..answers).filter(|i| body.contains(&note(*i))).count();
                    let shows_comments = shown
                        && (path == &results_api || path == &results_page)
                        && matches!(who, "admin" | "head" | "manager" | "employee");
                    assert_eq!(
                        notes,
                        if shows_comments { answers } else { 0 },
                        "{answers}, {who}, {path}: {notes} peer comments"
                    );
                }
                // The data exports of the person and of each peer who answered.
                if who == "admin" {
                    for (i, id) in std::iter::once(me)
                        .chain(peers.iter().take(answers).copied())
                        .enumerate()
                    {
                        let r = app
                            .post_json(&format!("/api/v1/employees/{id}/personal-data"), json!({}))
                            .await;
                        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
                        assert!(!r.body.contains("peer note"), "{answers}: export of {id}");
                        if i == 0 {
                            for name in names.iter().take(answers) {
                                assert!(
                                    !r.body.contains(name.as_str()),
                                    "{answers}: {name} in the export"
                                );
                            }
                        } else {
                            // The peer's export does not say whom they rated: peer
                            // answers are stored without their rater, and the
                            // nominations (one in each cycle from this one on) are
                            // counted, not listed.
                            let v = r.json();
                            for key in [
                                "review_answers.rater_employee_id",
                                "review_raters.rater_employee_id",
                            ] {
                                let rows = v["tables"][key].as_array();
                                assert!(
                                    rows.into_iter()
                                        .flatten()
                                        .all(|row| row["perspective"] != "peer"),
                                    "{answers}: export of {id}: {key}"
                                );
                            }
                            assert_eq!(
                                v["withheld"],
                                json!({"review_raters.rater_employee_id given by the person as a peer or client": answers - (i - 1)}),
                                "{answers}: export of {id}"
                            );
                        }
                    }
                }
                // The report's files, read back as text.
                if matches!(who, "head" | "employee") {
                    let report = format!("/api/v1/report-definitions/{definition}/report");
                    let xlsx = app.get(&format!("{report}?format=xlsx")).await;
                    let pdf = app.get(&format!("{report}?format=pdf")).await;
                    if who == "head" {
                        assert_eq!((xlsx.status, pdf.status), (StatusCode::OK, StatusCode::OK));
                    }
                    if xlsx.status == StatusCode::OK {
                        bodies.push(("xlsx".into(), workbook_text(&xlsx.bytes)));
                    }
                    if pdf.status == StatusCode::OK
                        && let Some(text) = pdf_text(&pdf.bytes)
                    {
                        bodies.push(("pdf".into(), text));
                    }
                    for (path, body) in bodies.iter().filter(|b| b.0 == "xlsx" || b.0 == "pdf") {
                        assert!(
                            body.contains("Evaluation") || who != "head",
                            "{path}: {body}"
                        );
                        for name in names.iter().take(answers) {
                            assert!(
                                !body.contains(name.as_str()),
                                "{answers}, {who}, {path}: names {name}"
                            );
                        }
                        assert!(!body.contains("peer note"), "{answers}, {who}, {path}");
                    }
                }
                if who == "head" {
                    // The head opens every one of these views.
                    assert_eq!(
                        bodies.len(),
                        13,
                        "{:?}",
                        bodies.iter().map(|b| &b.0).collect::<Vec<_>>()
                    );
                }
            }
            assert!(checked >= 20, "{checked}");
        }
    }
}

/// Every text a workbook holds: its shared strings and inline cells.
fn workbook_text(bytes: &[u8]) -> String {
    use std::io::Read;
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut text = String::new();
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i).unwrap();
        if entry.name().unwrap_or_default().ends_with(".xml") {
            entry.read_to_string(&mut text).unwrap();
        }
    }
    text
}

/// A PDF's text by pdftotext, or `None` without it (under `CI`, a failure).
fn pdf_text(pdf: &[u8]) -> Option<String> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("r.pdf");
    std::fs::write(&path, pdf).unwrap();
    match std::process::Command::new("pdftotext")
        .arg(&path)
        .arg("-")
        .output()
    {
        Ok(out) => Some(String::from_utf8_lossy(&out.stdout).replace('\u{a0}', " ")),
        Err(_) => {
            assert!(
                std::env::var("CI").is_err(),
                "pdftotext (poppler-utils) is needed in CI"
            );
            None
        }
    }
}

/// No page or API read waits for the write lock: on SQLite a long import
/// holds it for seconds, and a GET that asks for it (to write a seed, say)
/// queued every request behind the import (`bench/load.sh` found one). Every
/// GET of the access matrix, for every role, answers while another
/// transaction holds the lock.
#[tokio::test]
async fn no_read_waits_for_the_write_lock() {
    let mut app = TestApp::on(mkpi_store::testing::sqlite()).await;
    let p = people(&app);
    let cases = matrix(&p);
    let mut failures = Vec::new();
    let mut checked = 0;
    // The competency framework is written on first use, once.
    app.services.competencies().await.unwrap();
    for (i, who) in ROLES.iter().enumerate() {
        app.logout_locally();
        app.login_as(who).await;
        let writer = app.services.store().begin().await.unwrap();
        for case in cases.iter().filter(|c| c.method == Method::GET) {
            let started = std::time::Instant::now();
            let r = app.get(&case.path).await;
            let took = started.elapsed();
            checked += 1;
            if r.status.as_u16() != case.expect[i + 1] || took > std::time::Duration::from_secs(2) {
                failures.push(format!(
                    "{who} GET {}: {} in {took:?} ({})",
                    case.path,
                    r.status,
                    r.body.chars().take(100).collect::<String>()
                ));
            }
        }
        drop(writer);
    }
    assert!(checked > 300, "{checked}");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[tokio::test]
async fn an_admin_erases_a_person_and_their_pages_are_gone() {
    for mut app in TestApp::each().await {
        let p = people(&app);
        app.login_as("admin").await;
        let person = app
            .get(&format!("/api/v1/employees/{}", p.other))
            .await
            .json();
        let name = person["name"].as_str().unwrap().to_string();
        let r = app
            .post_json(
                &format!("/api/v1/employees/{}/erase", p.other),
                json!({"confirm": name}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.json()["pseudonym"], format!("erased person #{}", p.other));
        assert_eq!(
            app.get(&format!("/api/v1/employees/{}", p.other))
                .await
                .status,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            app.get(&format!("/employees/{}", p.other)).await.status,
            StatusCode::NOT_FOUND
        );
        let audit = app
            .get("/api/v1/audit?entity=employee&limit=1")
            .await
            .json();
        assert_eq!(audit[0]["action"], "erase");
        assert!(!audit.to_string().contains(&name), "{audit}");
        // Twice: there is nobody left to erase.
        let again = app
            .post_json(
                &format!("/api/v1/employees/{}/erase", p.other),
                json!({"confirm": name}),
            )
            .await;
        assert_eq!(again.status, StatusCode::NOT_FOUND);
    }
}

/// The value of a hidden `csrf` field in a page.
fn form_token(html: &str) -> String {
    let at = html.find("name=\"csrf\" value=\"").expect("a csrf field") + 19;
    html[at..at + html[at..].find('"').unwrap()].to_string()
}

#[tokio::test]
async fn a_new_installation_is_set_up_then_holds_a_department_of_its_own() {
    for mut app in TestApp::each_empty().await {
        let backend = app.backend;
        // Nobody can sign in yet: the sign-in page leads to the setup.
        let r = app.get("/login").await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{backend:?}");
        assert_eq!(r.header("location"), Some("/setup"));
        let r = app.get("/setup").await;
        assert_eq!(r.status, StatusCode::OK);
        let token = form_token(&r.body);

        // A form without its token changes nothing.
        let r = app
            .post_form("/setup", &[("csrf", "0123"), ("company", "Acme")])
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);

        // A failing form keeps what was typed and says what is wrong where.
        let r = app
            .post_form(
                "/setup",
                &[
                    ("csrf", &token),
                    ("company", "ООО «Акме»"),
                    ("department", "Маркетинг"),
                    ("currency", "рубли"),
                    ("time_zone", "Europe/Moscow"),
                    ("fiscal_year_start_month", "4"),
                    ("locale", "ru"),
                    ("login", "anna"),
                    ("password", "short"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("value=\"ООО «Акме»\""), "{}", r.body);
        assert!(r.body.contains("value=\"anna\""));
        assert!(r.body.contains("id=\"error-currency\""));
        assert!(r.body.contains("id=\"error-admin_password\""));
        assert!(!r.body.contains("id=\"error-name\""));
        assert!(app.services.needs_setup().await.unwrap());

        let r = app
            .post_form(
                "/setup",
                &[
                    ("csrf", &token),
                    ("company", "ООО «Акме»"),
                    ("department", "Маркетинг"),
                    ("currency", "rub"),
                    ("time_zone", "Europe/Moscow"),
                    ("fiscal_year_start_month", "4"),
                    ("locale", "ru"),
                    ("login", "anna"),
                    ("password", "a long password"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        assert_eq!(r.header("location"), Some("/start"));
        // The setup is gone for good, for everyone.
        assert_eq!(app.get("/setup").await.status, StatusCode::NOT_FOUND);
        let r = app.get("/start").await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(
            r.body.contains("id=\"step-company\" class")
                || r.body.contains("class=\"done\" id=\"step-company\"")
        );
        assert!(r.body.contains("class=\"todo\" id=\"step-teams\""));

        // The rest goes through the API, as a script would.
        assert_eq!(
            app.login_with("anna", "a long password").await.status,
            StatusCode::OK
        );
        let company = app.get("/api/v1/company").await.json();
        assert_eq!(company["name"], "ООО «Акме»");
        assert_eq!(company["currency"], "RUB");
        assert_eq!(company["fiscal_year_start_month"], 4);

        let team = async |app: &mut TestApp, body: Value| -> Value {
            let r = app.post_json("/api/v1/teams", body).await;
            assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
            r.json()
        };
        let performance = team(&mut app, json!({"name": "Performance"})).await["id"]
            .as_i64()
            .unwrap();
        let social = team(
            &mut app,
            json!({"name": "Paid social", "parent_id": performance}),
        )
        .await["id"]
            .as_i64()
            .unwrap();
        let brand = team(&mut app, json!({"name": "Brand"})).await["id"]
            .as_i64()
            .unwrap();
        // Names are unique; a team cannot sit under its own sub-team.
        let r = app
            .post_json("/api/v1/teams", json!({"name": "Brand"}))
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(r.json()["error"]["fields"][0]["field"], "name");
        let r = app
            .request_json(
                Method::PATCH,
                &format!("/api/v1/teams/{performance}"),
                Some(json!({"parent_id": social})),
                true,
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert_eq!(r.json()["error"]["fields"][0]["field"], "parent_id");

        let person = async |app: &mut TestApp, body: Value| -> Value {
            let r = app.post_json("/api/v1/employees", body).await;
            assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
            r.json()
        };
        let lead = person(
            &mut app,
            json!({"name": "Ирина Лебедева", "email": "irina@acme.ru", "position": "Руководитель performance",
                   "team_id": performance, "hire_date": "2024-02-01"}),
        )
        .await;
        let lead_id = lead["id"].as_i64().unwrap();
        let r = app
            .request_json(
                Method::PATCH,
                &format!("/api/v1/teams/{performance}"),
                Some(json!({"manager_id": lead_id})),
                true,
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let pavel = person(
            &mut app,
            json!({"name": "Павел Орлов", "email": "Pavel@Acme.ru", "position": "Специалист по контекстной рекламе",
                   "team_id": performance, "hire_date": "2025-05-12"}),
        )
        .await;
        // The team's manager leads a newcomer; the address is kept in lower case.
        assert_eq!(pavel["manager_id"], lead_id);
        assert_eq!(pavel["email"], "pavel@acme.ru");
        let pavel_id = pavel["id"].as_i64().unwrap();
        // Every problem at once, nothing stored.
        let r = app
            .post_json(
                "/api/v1/employees",
                json!({"name": "", "email": "pavel@acme.ru", "position": "SEO", "team_id": 999999,
                       "hire_date": "2025-02-30"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        let fields: Vec<String> = r.json()["error"]["fields"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["field"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(
            fields,
            ["name", "hire_date", "team_id", "email"],
            "{}",
            r.body
        );
        assert_eq!(
            app.get("/api/v1/employees")
                .await
                .json()
                .as_array()
                .unwrap()
                .len(),
            2
        );

        // A transfer with a day: the memberships_held say where Pavel was when.
        let r = app
            .post_json(
                &format!("/api/v1/employees/{pavel_id}/transfer"),
                json!({"team_id": brand, "effective_on": "2026-09-01"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.json()["team_id"], brand);
        let r = app
            .post_json(
                &format!("/api/v1/employees/{pavel_id}/transfer"),
                json!({"team_id": performance, "effective_on": "2030-01-01"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("in the future"), "{}", r.body);
        let memberships_held = app
            .get(&format!("/api/v1/employees/{pavel_id}/memberships"))
            .await
            .json();
        assert_eq!(
            memberships_held,
            json!([
                {"team_id": brand, "team_name": "Brand", "valid_from": "2026-09-01", "valid_until": null},
                {"team_id": performance, "team_name": "Performance", "valid_from": null, "valid_until": "2026-09-01"},
            ])
        );
        // A team with people cannot be archived; an empty one can.
        let r = app
            .request_json(
                Method::DELETE,
                &format!("/api/v1/teams/{brand}"),
                None,
                true,
            )
            .await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
        let r = app
            .request_json(
                Method::DELETE,
                &format!("/api/v1/teams/{social}"),
                None,
                true,
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.json()["archived"], true);
        let r = app
            .post_json(
                "/api/v1/employees",
                json!({"name": "Олег", "email": "oleg@acme.ru", "position": "SMM", "team_id": social}),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("archived"));

        // An account: the person sets their own password through a link
        // shown once (no mail here), which works once.
        let r = app
            .post_json(
                &format!("/api/v1/employees/{pavel_id}/account"),
                json!({"login": "pavel", "role": "employee"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let link = r.json()["path"].as_str().unwrap().to_string();
        assert!(
            link.starts_with("/password/") && link.len() == 10 + 48,
            "{link}"
        );
        assert_eq!(r.json()["mailed_to"], Value::Null);
        // Nothing of the link reaches the audit log.
        let audit = app.get("/api/v1/audit?limit=20").await.body;
        assert!(!audit.contains(&link[10..]));
        app.logout_locally();
        let r = app.get(&link).await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(r.body.contains("pavel"));
        let r = app
            .post_form(
                &link,
                &[("password", "pavel's own pass"), ("repeat", "different")],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        let r = app
            .post_form(
                &link,
                &[
                    ("password", "pavel's own pass"),
                    ("repeat", "pavel's own pass"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        assert_eq!(r.header("location"), Some("/login?password=set"));
        assert_eq!(app.get(&link).await.status, StatusCode::GONE);
        assert_eq!(
            app.login_with("pavel", "pavel's own pass").await.status,
            StatusCode::OK
        );
        let me = app.get("/api/v1/me").await.json();
        assert_eq!(me["role"], "employee");
        // An employee changes nobody, themself included.
        let r = app
            .request_json(
                Method::PATCH,
                &format!("/api/v1/employees/{pavel_id}"),
                Some(json!({"position": "Head of everything"})),
                true,
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let r = app
            .post_json("/api/v1/teams", json!({"name": "Mine"}))
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);

        // Leaving ends the account; the history stays.
        app.logout_locally();
        app.login_with("anna", "a long password").await;
        let r = app
            .post_json(
                &format!("/api/v1/employees/{pavel_id}/leave"),
                json!({"last_day": "2026-09-15"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.json()["active"], false);
        assert_eq!(r.json()["last_day"], "2026-09-15");
        assert_eq!(
            app.login_with("pavel", "pavel's own pass").await.status,
            StatusCode::UNAUTHORIZED
        );
        let memberships_held = app
            .get(&format!("/api/v1/employees/{pavel_id}/memberships"))
            .await
            .json();
        assert_eq!(memberships_held[0]["valid_until"], "2026-09-16");
        let r = app
            .post_json(
                &format!("/api/v1/employees/{pavel_id}/return"),
                json!({"first_day": "2026-09-18", "team_id": performance}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.json()["team_id"], performance);
        assert_eq!(r.json()["last_day"], Value::Null);
        assert_eq!(
            app.login_with("pavel", "pavel's own pass").await.status,
            StatusCode::OK
        );

        // In the browser: the organisation page and a person added by hand.
        app.logout_locally();
        app.login_with("anna", "a long password").await;
        let r = app.get("/organisation").await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(r.body.contains("Performance") && r.body.contains("Paid social"));
        let r = app
            .post_form(
                "/organisation/teams",
                &[("name", "Brand"), ("parent_id", "")],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("exists already"));
        let r = app
            .post_form(
                "/employees",
                &[
                    ("name", "Мария Соколова"),
                    ("email", "not an address"),
                    ("position", "SEO-специалист"),
                    ("team_id", &brand.to_string()),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("value=\"Мария Соколова\""));
        assert!(r.body.contains("id=\"error-email\""));
        // Said in the page's language beside its field; the API keeps English.
        let accepted = app.accept_language.replace("ru".into());
        let r = app
            .post_form(
                "/employees",
                &[
                    ("name", " "),
                    ("email", "not an address"),
                    ("position", "SEO-специалист"),
                    ("team_id", &brand.to_string()),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            r.body.contains("«not an address» — не адрес эл. почты")
                && r.body.contains(">обязательно<"),
            "{}",
            r.body
        );
        app.accept_language = accepted;
        let r = app
            .post_json(
                "/api/v1/employees",
                json!({"name": " ", "email": "not an address", "position": "SEO", "team_id": brand}),
            )
            .await;
        assert_eq!(
            r.json()["error"]["fields"],
            json!([
                {"field": "name", "message": "is required"},
                {"field": "email", "message": "'not an address' is not an e-mail address (expected name@domain.tld)"},
            ])
        );
        let r = app
            .post_form(
                "/employees",
                &[
                    ("name", "Мария Соколова"),
                    ("email", "maria@acme.ru"),
                    ("position", "SEO-специалист"),
                    ("team_id", &brand.to_string()),
                    ("hire_date", "2026-03-02"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let edit = r.header("location").unwrap().to_string();
        let r = app.get(&edit).await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(r.body.contains("Мария Соколова") && r.body.contains("account-form"));
        let positions = app.get("/api/v1/positions").await.json();
        let names: Vec<&str> = positions
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["name"].as_str().unwrap())
            .collect();
        assert_eq!(
            names,
            [
                "SEO-специалист",
                "Руководитель performance",
                "Специалист по контекстной рекламе"
            ]
        );
    }
}

#[tokio::test]
async fn a_kpi_is_set_its_target_changed_from_a_day_on_and_retired_in_the_ui() {
    for mut app in TestApp::each().await {
        let team = app.demo.team_ids[0];
        let manager = app.demo.manager_employee_id;
        app.login_as("head").await;
        let scope = format!("team:{team}");
        // A failing form keeps what was typed and says where.
        let r = app
            .post_form(
                "/kpis",
                &[
                    ("metric", "spend"),
                    ("scope", &scope),
                    ("from", "2026-07-01"),
                    ("until", "2026-12-31"),
                    ("target", "шестьсот"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("value=\"шестьсот\""));
        assert!(r.body.contains("id=\"error-target\""));
        // In Russian, the form says so in Russian.
        let accepted = app.accept_language.replace("ru".into());
        let r = app
            .post_form(
                "/kpis",
                &[
                    ("metric", "spend"),
                    ("scope", &scope),
                    ("from", "2026-07-01"),
                    ("until", "2026-12-31"),
                    ("target", "600"),
                    ("weight", "500"),
                ],
            )
            .await;
        assert!(r.body.contains("больше 0 и не больше 100"), "{}", r.body);
        app.accept_language = accepted;
        let r = app
            .post_form(
                "/kpis",
                &[
                    ("metric", "spend"),
                    ("scope", &scope),
                    ("from", "2026-07-01"),
                    ("until", "2026-12-31"),
                    ("target", "600 000"),
                    ("weight", "2"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let page = r.header("location").unwrap().to_string();
        let id: i64 = page.trim_start_matches("/kpis/").parse().unwrap();
        let r = app.get(&page).await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(r.body.contains("target-form"));
        assert!(
            app.get("/kpis?year=2026")
                .await
                .body
                .contains(&format!("id=\"kpi-{id}\""))
        );

        // From 1 October the target is 300 000: July–September keep their
        // share of the old one (92 of 184 days).
        let r = app
            .post_form(
                &format!("/kpis/{id}/target"),
                &[("from", "2026-10-01"), ("target", "300000")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let k = app.get(&format!("/api/v1/kpis/{id}")).await.json();
        assert_eq!(
            k["targets"],
            json!([
                {"from": "2026-07-01", "to": "2026-10-01", "floor": null, "target": 300000.0, "stretch": null},
                {"from": "2026-10-01", "to": "2027-01-01", "floor": null, "target": 300000.0, "stretch": null},
            ])
        );
        assert_eq!(k["weight"], 2.0);
        // A day outside the period is refused where it was typed.
        let r = app
            .post_form(
                &format!("/kpis/{id}/target"),
                &[("from", "2027-02-01"), ("target", "1")],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("id=\"error-from\""));

        // Retired after 30 November: the period ends there and the last
        // target keeps its 61 of 92 days.
        let r = app
            .post_form(&format!("/kpis/{id}/retire"), &[("last_day", "2026-11-30")])
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let k = app.get(&format!("/api/v1/kpis/{id}")).await.json();
        assert_eq!(k["to"], "2026-12-01");
        let last = k["targets"][1]["target"].as_f64().unwrap();
        assert!((last - 300_000.0 * 61.0 / 92.0).abs() < 1e-6, "{last}");
        let audit = app.get("/api/v1/audit?entity=kpi&limit=5").await.json();
        let actions: Vec<&str> = audit
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["action"].as_str().unwrap())
            .collect();
        assert_eq!(actions, ["retire", "change_target", "create"]);

        // A manager does not set the KPIs that score themself.
        app.logout_locally();
        app.login_as("manager").await;
        let r = app
            .post_json(
                "/api/v1/kpis",
                json!({"metric": "spend", "scope": format!("employee:{manager}"), "from": "2026-07-01",
                       "to": "2027-01-01", "targets": [{"from": "2026-07-01", "to": "2027-01-01", "target": 1000.0}]}),
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
        // Their team's KPIs are theirs to tune.
        let r = app
            .request_json(
                Method::PATCH,
                &format!("/api/v1/kpis/{id}"),
                Some(json!({"weight": 3.0})),
                true,
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    }
}

/// A flood of parallel wrong passwords for one login from one address:
/// only the allowance reaches a password check (the attempt counts before
/// the hash), the rest are told to wait, and the owner then signs in from
/// another address.
#[tokio::test]
async fn a_sign_in_flood_checks_few_passwords_and_never_locks_the_owner_out() {
    for app in TestApp::each().await {
        let mut handles = Vec::new();
        for _ in 0..120 {
            let s = app.services.clone();
            handles.push(tokio::spawn(async move {
                s.login("admin", "wrong guess", "6.6.6.6").await
            }));
        }
        let (mut wrong, mut waited) = (0, 0);
        for h in handles {
            match h.await.unwrap() {
                Err(mkpi_services::Error::WrongCredentials) => wrong += 1,
                Err(mkpi_services::Error::RateLimited { .. }) => waited += 1,
                other => panic!("{other:?}"),
            }
        }
        assert_eq!((wrong, waited), (5, 115), "{:?}", app.backend);
        // The owner, from their own address, is not held back.
        let owner = app.services.login("admin", "demo", "7.7.7.7").await;
        assert!(owner.is_ok(), "{:?}: {:?}", app.backend, owner.err());
        // The right password from the flooding address waits too.
        assert!(matches!(
            app.services.login("admin", "demo", "6.6.6.6").await,
            Err(mkpi_services::Error::RateLimited { .. })
        ));
    }
}

/// The manager who invites a client never holds the client's link: the API
/// and the page answer where it went, the link is in the client's mail
/// only, and a signed-in person can neither open nor submit it. Without
/// mail, clients cannot be invited at all, and the page says why.
#[tokio::test]
async fn a_client_link_goes_to_the_client_only() {
    let cycle_body = |own: i64| {
        json!({
            "name": "Q3 2026", "period_from": "2026-07-01", "period_to": "2026-10-01",
            "self_due": "2026-10-03", "nomination_due": "2026-10-03",
            "assessment_due": "2026-10-10", "calibration_due": "2026-10-17",
            "employee_ids": [own],
        })
    };
    for db in mkpi_store::testing::all().await {
        let mut app = TestApp::with_mail(db).await;
        let own = app.demo.employee_employee_id;
        app.login_as("head").await;
        let r = app
            .post_json("/api/v1/review-cycles", cycle_body(own))
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let cycle = r.json()["id"].as_i64().unwrap();
        app.login_as("manager").await;
        let r = app
            .post_json(
                &format!("/api/v1/review-cycles/{cycle}/clients"),
                json!({"employee_id": own, "name": "Me Again", "email": "me.again@client.example"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        assert_eq!(r.json()["mailed_to"], "me.again@client.example");
        let link = app.mailed_link("me.again@client.example", "/r/").await;
        let token = &link[3..];
        assert!(!r.body.contains(token) && r.json().get("path").is_none());
        // Even holding it, a signed-in person answers nothing through it.
        assert_eq!(app.get(&link).await.status, StatusCode::FORBIDDEN);
        let r = app.post_form(&link, &[("comment", "x")]).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        // The client, without an account, opens it.
        app.logout_locally();
        assert_eq!(app.get(&link).await.status, StatusCode::OK);
    }
    // Without mail: refused, and the cycle page says why.
    let mut app = TestApp::on(mkpi_store::testing::sqlite()).await;
    let own = app.demo.employee_employee_id;
    app.login_as("head").await;
    let cycle = app
        .post_json("/api/v1/review-cycles", cycle_body(own))
        .await
        .json()["id"]
        .as_i64()
        .unwrap();
    app.login_as("manager").await;
    let r = app
        .post_json(
            &format!("/api/v1/review-cycles/{cycle}/clients"),
            json!({"employee_id": own, "name": "Client", "email": "c@client.example"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    assert!(r.body.contains("mail is not set up"));
    let page = app.get(&format!("/reviews/{cycle}")).await.body;
    assert!(page.contains("client-no-mail") && !page.contains("class=\"client-form\""));
}

/// A password change, an admin's reset and a password set through a link
/// end the account's API tokens as well as its sessions (issue 18,
/// finding 8): a token stolen under the old password opens nothing.
#[tokio::test]
async fn a_new_password_revokes_the_accounts_api_tokens() {
    for mut app in TestApp::each().await {
        let token = async |app: &mut TestApp, who: &str, password: &str| -> String {
            app.logout_locally();
            assert_eq!(app.login_with(who, password).await.status, StatusCode::OK);
            let r = app
                .post_json("/api/v1/me/tokens", json!({"name": "script"}))
                .await;
            assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
            r.json()["token"].as_str().unwrap().to_string()
        };
        // The manager changes their own password.
        let t = token(&mut app, "manager", "demo").await;
        assert_eq!(
            app.bearer_get("/api/v1/me", &t).await.status,
            StatusCode::OK
        );
        let r = app
            .post_json(
                "/api/v1/me/password",
                json!({"current_password": "demo", "new_password": "new-password-1"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(
            app.bearer_get("/api/v1/me", &t).await.status,
            StatusCode::UNAUTHORIZED
        );
        // An admin resets the employee's password.
        let t = token(&mut app, "employee", "demo").await;
        app.logout_locally();
        app.login_as("admin").await;
        let users = app.get("/api/v1/users").await.json();
        let id = users
            .as_array()
            .unwrap()
            .iter()
            .find(|u| u["login"] == "employee")
            .unwrap()["id"]
            .as_i64()
            .unwrap();
        let r = app
            .post_json(&format!("/api/v1/users/{id}/reset-password"), json!({}))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(
            app.bearer_get("/api/v1/me", &t).await.status,
            StatusCode::UNAUTHORIZED
        );
    }
}

/// A competitor named like a formula reaches a report's CSV as text a
/// spreadsheet will not run; its figure stays a number (issue 18, finding 12).
#[tokio::test]
async fn a_reports_csv_never_carries_a_formula() {
    let mut app = TestApp::on(mkpi_store::testing::sqlite()).await;
    app.login_as("head").await;
    let r = app
        .post_json(
            "/api/v1/competitor-benchmarks",
            json!({"competitor": "=HYPERLINK(\"http://evil.example\",\"Rival\")", "kind": "price",
                   "month": "2026-08", "value": 1990}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let r = app
        .post_json(
            "/api/v1/report-definitions",
            json!({"name": "Rivals", "metrics": ["spend"], "scope": "department", "period_kind": "last_month",
                   "compare": "previous", "sections": ["competitors"], "language": "en"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let id = r.json()["id"].as_i64().unwrap();
    let csv = app
        .get(&format!(
            "/api/v1/report-definitions/{id}/report?format=csv&table=competitors"
        ))
        .await;
    assert_eq!(csv.status, StatusCode::OK, "{}", csv.body);
    assert!(csv.body.contains("'=HYPERLINK"), "{}", csv.body);
    assert!(!csv.body.contains(",=HYPERLINK") && !csv.body.contains("\"=HYPERLINK"));
}

/// A share link never carries a person's figures (issue 18, finding 4): a
/// report about one person, or a team of fewer than three, cannot be
/// shared, and a link to a report changed since into one opens no more.
#[tokio::test]
async fn a_share_link_never_carries_one_persons_figures() {
    for mut app in TestApp::each().await {
        let own = app.demo.employee_employee_id;
        app.login_as("head").await;
        let define = |scope: String| {
            json!({"name": format!("About {scope}"), "metrics": ["spend"], "scope": scope,
                   "period_kind": "last_month", "compare": "previous", "sections": ["kpis"], "language": "en"})
        };
        let r = app
            .post_json(
                "/api/v1/report-definitions",
                define(format!("employee:{own}")),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let personal = r.json()["id"].as_i64().unwrap();
        let r = app
            .post_json(
                &format!("/api/v1/report-definitions/{personal}/shares"),
                json!({"days": 7}),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert!(r.body.contains("one person"));

        // Shared while about the department, then turned into one person's.
        let r = app
            .post_json("/api/v1/report-definitions", define("department".into()))
            .await;
        let id = r.json()["id"].as_i64().unwrap();
        let r = app
            .post_json(
                &format!("/api/v1/report-definitions/{id}/shares"),
                json!({"days": 7}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let link = r.json()["path"].as_str().unwrap().to_string();
        assert_eq!(app.get(&link).await.status, StatusCode::OK);
        let r = app
            .request_json(
                Method::PUT,
                &format!("/api/v1/report-definitions/{id}"),
                Some(json!({"name": "Turned personal", "metrics": ["spend"], "scope": format!("employee:{own}"),
                            "period_kind": "last_month", "compare": "previous", "sections": ["kpis"],
                            "language": "en"})),
                true,
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        app.logout_locally();
        assert_eq!(app.get(&link).await.status, StatusCode::GONE);
    }
}

/// Uploads a file for a preview with a preset; the upload's token.
async fn upload_as(app: &mut TestApp, csrf: &str, preset: &str, text: &str) -> String {
    let (content_type, body) =
        multipart(&[("preset", None, preset), ("file", Some("upload.csv"), text)]);
    let req = axum::http::Request::post(format!("/imports/preview?csrf={csrf}"))
        .header("content-type", content_type)
        .body(axum::body::Body::from(body))
        .unwrap();
    let r = app.send(req).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    r.body
        .split("name=\"token\" value=\"")
        .nth(1)
        .and_then(|t| t.split('"').next())
        .unwrap()
        .to_string()
}

async fn run_import(app: &mut TestApp, form: &[(String, String)]) -> TestResponse {
    let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    app.post_form("/imports/run", &pairs).await
}

/// A tracker's file names people mkpi does not know: the import page lists
/// them with the rows that name them and asks who each is; a wrong answer
/// keeps what was typed and says why; right answers import the file, add
/// the new person to their team, and the next file from the tracker needs
/// no answer.
#[tokio::test]
async fn the_import_page_asks_once_who_the_people_a_tracker_names_are() {
    for mut app in TestApp::each().await {
        app.accept_language = Some("en".into());
        app.login_as("admin").await;
        let csrf = app.csrf().unwrap();
        let head = app.services.login("head", "demo", "t").await.unwrap().actor;
        let everyone = app.services.list_employees(&head).await.unwrap();
        let known = everyone
            .iter()
            .find(|e| e.id == app.demo.employee_employee_id)
            .unwrap();
        let team = known.team_name.clone().unwrap();
        let week = |day: &str| {
            format!(
                "User,Email,Start date,Start time,Duration,Project\n\
                 Anna,anna@gmail.com,{day},09:00:00,01:30:00,Brand\n\
                 Vera,vera@agency.ru,{day},10:00:00,02:00:00,Brand\n"
            )
        };
        let token = upload_as(&mut app, &csrf, "toggl-time", &week("2024-12-02")).await;
        let mapping = |token: &str| -> Vec<(String, String)> {
            [
                ("token", token),
                ("preset", "toggl-time"),
                ("source", "toggl.csv"),
                ("field_1", "employee"),
                ("field_2", "date"),
                ("field_3", "start"),
                ("field_4", "hours"),
                ("field_5", "project"),
            ]
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
        };
        let mut form = mapping(&token);
        form.push(("dry_run".into(), "1".into()));
        let r = run_import(&mut app, &form).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert!(
            r.body
                .contains("People this file names that mkpi does not know"),
            "{}",
            r.body
        );
        assert!(r.body.contains("<code>anna@gmail.com</code><input type=\"hidden\" name=\"person_0_named\" value=\"anna@gmail.com\">"), "{}", r.body);
        assert!(
            r.body.contains("no employee has the e-mail vera@agency.ru"),
            "{}",
            r.body
        );
        assert!(
            r.body
                .contains(&format!("<option value=\"{}\">", known.email)),
            "the people to choose from: {}",
            r.body
        );

        // Anna is the known employee; Vera is new, but the team is missing.
        let answers = |team: &str| -> Vec<(String, String)> {
            [
                ("person_0_named", "anna@gmail.com"),
                ("person_0_email", known.email.as_str()),
                ("person_1_named", "vera@agency.ru"),
                ("person_1_email", "vera@demo.example"),
                ("person_1_new", "1"),
                ("person_1_name", "Vera Smirnova"),
                ("person_1_team", team),
            ]
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
        };
        let mut form = mapping(&token);
        form.extend(answers("Gone Team"));
        let r = run_import(&mut app, &form).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert!(
            r.body.contains("there is no team &#x27;Gone Team&#x27;"),
            "{}",
            r.body
        );
        assert!(
            r.body.contains("value=\"Vera Smirnova\""),
            "what was typed stays: {}",
            r.body
        );
        assert!(
            !app.services
                .list_employees(&head)
                .await
                .unwrap()
                .iter()
                .any(|e| e.email == "vera@demo.example")
        );

        let mut form = mapping(&token);
        form.extend(answers(&team));
        let r = run_import(&mut app, &form).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert!(r.body.contains("Imported as #"), "{}", r.body);
        assert!(
            r.body.contains("People added: 1; spellings remembered: 2."),
            "{}",
            r.body
        );
        let vera = app
            .services
            .list_employees(&head)
            .await
            .unwrap()
            .into_iter()
            .find(|e| e.email == "vera@demo.example")
            .unwrap();
        assert_eq!(
            (vera.name.as_str(), vera.team_name.as_deref()),
            ("Vera Smirnova", Some(team.as_str()))
        );

        // Next week's file goes straight in.
        let token = upload_as(&mut app, &csrf, "toggl-time", &week("2024-12-09")).await;
        let r = run_import(&mut app, &mapping(&token)).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert!(r.body.contains("Imported as #"), "{}", r.body);
        assert!(!r.body.contains("does not know"), "{}", r.body);
    }
}

/// The ingest API asks about unknown people as the import page does: the
/// report lists them, the batch sent again with `people` answers lands, and
/// the spelling is kept for the next batch.
#[tokio::test]
async fn the_ingest_api_lists_unknown_people_and_takes_answers() {
    for mut app in TestApp::each().await {
        app.login_as("admin").await;
        let head = app.services.login("head", "demo", "t").await.unwrap().actor;
        let known = app
            .services
            .list_employees(&head)
            .await
            .unwrap()
            .into_iter()
            .find(|e| e.id == app.demo.employee_employee_id)
            .unwrap();
        let batch = |day: &str| json!([{"employee": "Anya", "date": day, "hours": 2}]);
        let r = app
            .post_json(
                "/api/v1/ingest/time_entries",
                json!({"records": batch("2024-12-02")}),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert_eq!(
            r.json()["unknown_people"],
            json!([{"named": "Anya", "column": "employee", "rows": 1, "first_row": 1, "reason": "no employee is called Anya"}])
        );
        let r = app
            .post_json(
                "/api/v1/ingest/time_entries",
                json!({"records": batch("2024-12-02"), "people": [{"named": "Anya", "email": known.email}]}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(
            (r.json()["added"].clone(), r.json()["aliases_added"].clone()),
            (json!(1), json!(1))
        );
        let r = app
            .post_json(
                "/api/v1/ingest/time_entries",
                json!({"records": batch("2024-12-03")}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.json()["unknown_people"], json!([]));
    }
}

/// A task set here can be changed and deleted by the assignee's manager,
/// and by the assignee when they set it themself; never by an assignee a
/// manager set it for. A done task keeps its assignee; a task with logged
/// time is cancelled, not deleted. Every change is audited with before and
/// after; a failed change on the page keeps what was typed.
#[tokio::test]
async fn a_task_is_changed_reassigned_and_deleted_by_those_who_may() {
    for mut app in TestApp::each().await {
        app.accept_language = Some("en".into());
        let me = app.demo.employee_employee_id;
        let boss = app.demo.manager_employee_id;
        app.login_as("manager").await;
        let set = |title: &str, who: i64| json!({"title": title, "kind": "analysis", "due": "2099-02-01", "assignee_employee_id": who});
        let r = app
            .post_json("/api/v1/tasks", set("Weekly report", me))
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let task = r.json()["id"].as_i64().unwrap();

        // The assignee did not set it: they cannot change or delete it.
        app.login_as("employee").await;
        let r = patch_task(&mut app, task, json!({"due": "2099-03-01"})).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
        let r = app
            .request_json(Method::DELETE, &format!("/api/v1/tasks/{task}"), None, true)
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
        // Their own task is theirs to change.
        let r = app.post_json("/api/v1/tasks", set("Read a book", me)).await;
        let own = r.json()["id"].as_i64().unwrap();
        let r = patch_task(&mut app, own, json!({"title": "Read two books"})).await;
        assert_eq!(
            (r.status, r.json()["title"].clone()),
            (StatusCode::OK, json!("Read two books"))
        );
        let r = patch_task(&mut app, own, json!({"assignee_employee_id": boss})).await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "an employee sets tasks for themself only: {}",
            r.body
        );
        assert!(r.body.contains("there is no person"), "{}", r.body);

        // The manager moves the deadline and reassigns it to themself.
        app.login_as("manager").await;
        let r = patch_task(
            &mut app,
            task,
            json!({"due": "2099-03-01", "priority": "high"}),
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(
            (
                r.json()["due"].clone(),
                r.json()["priority"].clone(),
                r.json()["title"].clone()
            ),
            (json!("2099-03-01"), json!("high"), json!("Weekly report"))
        );
        app.login_as("admin").await;
        let audit = app.get("/api/v1/audit?entity=task&limit=1").await.json();
        app.login_as("manager").await;
        assert_eq!(audit[0]["action"], "update");
        let field = |entry: &Value, side: &str, key: &str| -> Value {
            serde_json::from_str::<Value>(entry[side].as_str().unwrap_or("null")).unwrap()[key]
                .clone()
        };
        assert_eq!(field(&audit[0], "before_json", "due"), "2099-02-01");
        assert_eq!(field(&audit[0], "after_json", "due"), "2099-03-01");
        let r = patch_task(&mut app, task, json!({"due": "someday"})).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        let r = patch_task(&mut app, task, json!({"start": "2099-04-01"})).await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "a start after the due day: {}",
            r.body
        );
        assert_eq!(
            app.get(&format!("/api/v1/tasks/{task}")).await.json()["task"]["due"],
            "2099-03-01"
        );

        // On the page: a bad date keeps what was typed, with the error by the field.
        let page = app.get(&format!("/tasks/{task}")).await;
        assert!(page.body.contains("id=\"task-edit-form\""), "{}", page.body);
        let r = app
            .post_form(
                &format!("/tasks/{task}/edit"),
                &[
                    ("title", "Monthly report"),
                    ("kind", "analysis"),
                    ("assignee_employee_id", &me.to_string()),
                    ("priority", "high"),
                    ("due", "31.02.2099"),
                    ("currency", "RUB"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert!(r.body.contains("value=\"Monthly report\""), "{}", r.body);
        assert!(r.body.contains("id=\"error-due\""), "{}", r.body);
        // In Russian, said in Russian.
        let accepted = app.accept_language.replace("ru".into());
        let r = app
            .post_form(
                &format!("/tasks/{task}/edit"),
                &[
                    ("title", "Monthly report"),
                    ("kind", "analysis"),
                    ("assignee_employee_id", &me.to_string()),
                    ("priority", "high"),
                    ("start", "2099-04-01"),
                    ("due", "2099-03-31"),
                    ("currency", "RUB"),
                ],
            )
            .await;
        assert!(
            r.body.contains("срок 2099-03-31 раньше начала 2099-04-01"),
            "{}",
            r.body
        );
        app.accept_language = accepted;
        let r = app
            .post_form(
                &format!("/tasks/{task}/edit"),
                &[
                    ("title", "Monthly report"),
                    ("kind", "analysis"),
                    ("assignee_employee_id", &me.to_string()),
                    ("priority", "high"),
                    ("due", "2099-03-31"),
                    ("currency", "RUB"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        assert_eq!(
            app.get(&format!("/api/v1/tasks/{task}")).await.json()["task"]["title"],
            "Monthly report"
        );

        // Time is logged on it: it is cancelled, not deleted.
        app.login_as("employee").await;
        let r = app
            .post_json(
                &format!("/api/v1/tasks/{task}/time"),
                json!({"date": "2025-10-01", "hours": 1.5}),
            )
            .await;
        assert!(r.status.is_success(), "{}", r.body);
        app.login_as("manager").await;
        let r = app
            .request_json(Method::DELETE, &format!("/api/v1/tasks/{task}"), None, true)
            .await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
        assert!(r.body.contains("time is logged on task"), "{}", r.body);

        // Done, it stays with the person who did it.
        for status in ["in_progress", "review", "done"] {
            let r = app
                .post_json(
                    &format!("/api/v1/tasks/{task}/status"),
                    json!({"status": status}),
                )
                .await;
            assert_eq!(r.status, StatusCode::OK, "{status}: {}", r.body);
        }
        let r = patch_task(&mut app, task, json!({"assignee_employee_id": boss})).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert!(
            r.body.contains("it stays with the person who did it"),
            "{}",
            r.body
        );

        // A task set by mistake goes, with an audit entry.
        let r = app.post_json("/api/v1/tasks", set("Typo", me)).await;
        let typo = r.json()["id"].as_i64().unwrap();
        let r = app.post_form(&format!("/tasks/{typo}/delete"), &[]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        assert_eq!(
            app.get(&format!("/api/v1/tasks/{typo}")).await.status,
            StatusCode::NOT_FOUND
        );
        app.login_as("admin").await;
        let audit = app.get("/api/v1/audit?entity=task&limit=1").await.json();
        assert_eq!(
            (
                audit[0]["action"].clone(),
                field(&audit[0], "before_json", "title")
            ),
            (json!("delete"), json!("Typo"))
        );
    }
}

async fn patch_task(app: &mut TestApp, id: i64, body: Value) -> TestResponse {
    app.request_json(
        Method::PATCH,
        &format!("/api/v1/tasks/{id}"),
        Some(body),
        true,
    )
    .await
}

/// The viewer reads department figures, never a person's evaluation: no
/// person's page, scorecard, KPIs, 1:1 notes or development actions; a
/// team's page without its members' rows; no flags; tasks without their
/// quality ratings; reports without the people section, the evaluation or
/// a person's KPI among the problems. The head, on the same data, does.
#[tokio::test]
async fn the_viewer_reads_department_figures_and_no_one_s_evaluation() {
    for mut app in TestApp::each().await {
        app.accept_language = Some("en".into());
        let someone = app.demo.employee_employee_id;
        let team = app.demo.team_ids[0];
        // A task done and rated by its manager.
        app.login_as("manager").await;
        let r = app
            .post_json("/api/v1/tasks", json!({"title": "Audit", "kind": "analysis", "due": "2099-01-01", "assignee_employee_id": someone}))
            .await;
        let task = r.json()["id"].as_i64().unwrap();
        for status in ["in_progress", "review", "done"] {
            app.post_json(
                &format!("/api/v1/tasks/{task}/status"),
                json!({"status": status}),
            )
            .await;
        }
        let r = app
            .post_json(
                &format!("/api/v1/tasks/{task}/rating"),
                json!({"quality": 2, "comment": "late"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let mut seen = Vec::new();
        for who in ["head", "viewer"] {
            app.login_as(who).await;
            let person = app.get(&format!("/employees/{someone}")).await.status;
            let card = app
                .get(&format!(
                    "/api/v1/employees/{someone}/scorecard?from=2025-03-01&to=2025-04-01"
                ))
                .await
                .status;
            let people = app.get("/employees").await.body;
            assert_eq!(
                people.contains(&format!("href=\"/employees/{someone}\"")),
                who == "head",
                "{who}: a link to a person's page"
            );
            let team_page = app.get(&format!("/teams/{team}")).await;
            assert_eq!(team_page.status, StatusCode::OK, "{who}");
            let member_rows = team_page
                .body
                .matches("<tr><td><a href=\"/employees/")
                .count();
            let tasks = app
                .get("/api/v1/tasks?finished_since=2000-01-01")
                .await
                .json();
            let rated = tasks
                .as_array()
                .unwrap()
                .iter()
                .filter(|t| !t["quality"].is_null() || !t["quality_comment"].is_null())
                .count();
            let actor = app.services.login(who, "demo", "t").await.unwrap().actor;
            let d = mkpi_services::report::Definition {
                id: 0,
                name: "quarter".into(),
                purpose: String::new(),
                metrics: vec!["spend".into(), "roas".into(), "cpa".into()],
                scope: "department".into(),
                period_kind: "fixed".into(),
                period_from: Some("2025-07-01".into()),
                period_to: Some("2025-10-01".into()),
                compare: "previous".into(),
                sections: mkpi_services::report_data::SECTIONS
                    .iter()
                    .map(ToString::to_string)
                    .collect(),
                language: "en".into(),
                created_by_user_id: None,
            };
            let report = app
                .services
                .build_report(&actor, &d, &mut |_| {})
                .await
                .unwrap();
            let personal_problems = report
                .problems
                .iter()
                .filter(|p| p.kpi.scope.starts_with("employee:") || p.owner.is_some())
                .count();
            if who == "viewer" {
                assert_eq!((personal_problems, report.evaluation.is_some()), (0, false));
            }
            seen.push((
                who,
                person,
                card,
                member_rows > 0,
                rated > 0,
                !report.people.is_empty(),
            ));
        }
        assert_eq!(
            seen,
            vec![
                ("head", StatusCode::OK, StatusCode::OK, true, true, true),
                (
                    "viewer",
                    StatusCode::FORBIDDEN,
                    StatusCode::FORBIDDEN,
                    false,
                    false,
                    false
                ),
            ],
            "{:?}",
            app.backend
        );
    }
}

/// A SWOT entry is changed and removed by its author, the head and admins,
/// never by another manager; the audit log keeps it before and after, and a
/// removed entry can be read back from it.
#[tokio::test]
async fn a_swot_entry_is_changed_by_its_author_and_removed_with_a_copy_kept() {
    for mut app in TestApp::each().await {
        app.accept_language = Some("en".into());
        let entry = json!({"period_from": "2026-07-01", "period_to": "2026-10-01", "quadrant": "threat", "title": "A new rival"});
        app.login_as("head").await;
        let r = app.post_json("/api/v1/swot", entry.clone()).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let heads = r.json()["id"].as_i64().unwrap();
        app.login_as("manager").await;
        let r = app.post_json("/api/v1/swot", entry).await;
        let mine = r.json()["id"].as_i64().unwrap();
        let swot = |id: i64| format!("/api/v1/swot/{id}");
        // Another's entry: neither changed nor removed, and the page offers neither.
        let r = app
            .request_json(
                Method::PATCH,
                &swot(heads),
                Some(json!({"title": "Mine now"})),
                true,
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
        let r = app
            .request_json(Method::DELETE, &swot(heads), None, true)
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
        let page = app.get("/swot?from=2026-07-01&until=2026-09-30").await.body;
        assert!(page.contains(&format!("id=\"swot-edit-{mine}\"")), "{page}");
        assert!(
            !page.contains(&format!("id=\"swot-edit-{heads}\"")),
            "{page}"
        );
        // One's own: a bad quadrant is refused and nothing changes; then changed on the page.
        let r = app
            .request_json(
                Method::PATCH,
                &swot(mine),
                Some(json!({"quadrant": "rumour"})),
                true,
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        let r = app
            .post_form(
                &format!("/swot/{mine}/edit"),
                &[
                    ("quadrant", "opportunity"),
                    ("title", "A rival to learn from"),
                    ("note", "their prices"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let list = app
            .get("/api/v1/swot?from=2026-07-01&to=2026-10-01")
            .await
            .json();
        let changed = list
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["id"] == mine)
            .unwrap()
            .clone();
        assert_eq!(
            (
                changed["quadrant"].clone(),
                changed["title"].clone(),
                changed["note"].clone()
            ),
            (
                json!("opportunity"),
                json!("A rival to learn from"),
                json!("their prices")
            )
        );
        // The head removes the manager's entry; the audit log keeps a copy.
        app.login_as("head").await;
        let r = app
            .request_json(Method::DELETE, &swot(mine), None, true)
            .await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
        let audit = app
            .get("/api/v1/audit?entity=swot_entry&limit=2")
            .await
            .json();
        let kept: Value = serde_json::from_str(audit[0]["before_json"].as_str().unwrap()).unwrap();
        assert_eq!(
            (audit[0]["action"].clone(), kept["title"].clone()),
            (json!("delete"), json!("A rival to learn from"))
        );
        let before: Value =
            serde_json::from_str(audit[1]["before_json"].as_str().unwrap()).unwrap();
        assert_eq!(
            (audit[1]["action"].clone(), before["quadrant"].clone()),
            (json!("update"), json!("threat"))
        );
    }
}

/// A check-in and 1:1 notes are changed by the one who wrote them only: a
/// correction within a day is simply made, a later change shows as an
/// edit; the audit log keeps the check-in before and after, and says of the
/// notes only that they changed.
#[tokio::test]
async fn check_ins_and_one_on_one_notes_are_changed_by_their_author_and_late_changes_show() {
    for mut app in TestApp::each().await {
        let report = app.demo.employee_employee_id;
        app.login_as("manager").await;
        let r = app
            .post_json(
                "/api/v1/kpis",
                json!({"metric": "tasks_done", "scope": format!("employee:{report}"), "from": "2026-09-01", "to": "2026-10-01",
                       "targets": [{"from": "2026-09-01", "to": "2026-10-01", "target": 10}]}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let kpi = r.json()["id"].as_i64().unwrap();
        let r = app
            .post_json(
                &format!("/api/v1/employees/{report}/one-on-ones"),
                json!({"held_on": "2026-09-15", "notes": "Talked about SEO", "shared": false}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let note = r.json()["id"].as_i64().unwrap();
        app.login_as("employee").await;
        let r = app
            .post_json(
                &format!("/api/v1/kpis/{kpi}/check-ins"),
                json!({"confidence": 2, "comment": "behind"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let check_in = r.json()["id"].as_i64().unwrap();
        let patch = |path: String, body: Value| (path, body);

        // Not the author: neither is changed.
        let (path, body) = patch(
            format!("/api/v1/one-on-ones/{note}"),
            json!({"notes": "nothing"}),
        );
        let r = app
            .request_json(Method::PATCH, &path, Some(body), true)
            .await;
        assert_eq!(
            r.status,
            StatusCode::FORBIDDEN,
            "the report reads the notes, not changes them: {}",
            r.body
        );
        app.login_as("manager").await;
        let (path, body) = patch(
            format!("/api/v1/check-ins/{check_in}"),
            json!({"comment": "fine"}),
        );
        let r = app
            .request_json(Method::PATCH, &path, Some(body), true)
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);

        // The manager corrects the notes at once: no mark.
        let (path, body) = patch(
            format!("/api/v1/one-on-ones/{note}"),
            json!({"notes": "Talked about SEO and PPC"}),
        );
        let r = app
            .request_json(Method::PATCH, &path, Some(body), true)
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(
            (r.json()["notes"].clone(), r.json()["edited_at"].clone()),
            (json!("Talked about SEO and PPC"), Value::Null)
        );
        let (path, body) = patch(
            format!("/api/v1/one-on-ones/{note}"),
            json!({"held_on": "someday"}),
        );
        let r = app
            .request_json(Method::PATCH, &path, Some(body), true)
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);

        // Two days on, the report changes their check-in: it shows as edited.
        app.clock.advance(2 * 24 * 3600);
        app.login_as("employee").await;
        let (path, body) = patch(
            format!("/api/v1/check-ins/{check_in}"),
            json!({"confidence": 6}),
        );
        let r = app
            .request_json(Method::PATCH, &path, Some(body), true)
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        let (path, body) = patch(
            format!("/api/v1/check-ins/{check_in}"),
            json!({"confidence": 4, "comment": "caught up"}),
        );
        let r = app
            .request_json(Method::PATCH, &path, Some(body), true)
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(
            (
                r.json()["confidence"].clone(),
                r.json()["comment"].clone(),
                r.json()["edited_at"].clone()
            ),
            (json!(4), json!("caught up"), json!(app.clock.now()))
        );
        let list = app
            .get(&format!("/api/v1/kpis/{kpi}/check-ins"))
            .await
            .json();
        assert_eq!(list[0]["edited_at"], json!(app.clock.now()));

        let page = app
            .get(&format!(
                "/employees/{report}?from=2026-09-01&until=2026-09-30"
            ))
            .await
            .body;
        assert!(
            page.contains(&format!("id=\"check-in-edit-{check_in}\"")),
            "{page}"
        );
        assert!(page.contains("· edited "), "{page}");
        assert!(
            !page.contains(&format!("id=\"one-on-one-edit-{note}\"")),
            "the report does not change the notes: {page}"
        );
        // The manager changes the notes on the page, late: they show as edited.
        app.login_as("manager").await;
        let r = app
            .post_form(
                &format!("/employees/{report}/one-on-ones/{note}/edit"),
                &[
                    ("held_on", "2026-09-15"),
                    ("notes", "SEO, PPC and a course"),
                    ("next_steps", "book the course"),
                    ("shared", "1"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let notes = app
            .get(&format!("/api/v1/employees/{report}/one-on-ones"))
            .await
            .json();
        assert_eq!(
            (
                notes[0]["notes"].clone(),
                notes[0]["shared"].clone(),
                notes[0]["edited_at"].clone()
            ),
            (
                json!("SEO, PPC and a course"),
                json!(true),
                json!(app.clock.now())
            )
        );
        app.login_as("admin").await;
        let audit = app
            .get("/api/v1/audit?entity=check_in&limit=1")
            .await
            .json();
        let before: Value =
            serde_json::from_str(audit[0]["before_json"].as_str().unwrap()).unwrap();
        assert_eq!(
            (audit[0]["action"].clone(), before["comment"].clone()),
            (json!("update"), json!("behind"))
        );
        let audit = app
            .get("/api/v1/audit?entity=one_on_one&limit=1")
            .await
            .json();
        assert!(
            !audit.to_string().contains("PPC"),
            "the notes stay out of the audit log: {audit}"
        );
        let after: Value = serde_json::from_str(audit[0]["after_json"].as_str().unwrap()).unwrap();
        assert_eq!(after["notes_changed"], json!(true));
    }
}

/// A manager sets a campaign up for one of their people on the page (a
/// failed form keeps what was typed), finds it in the list, the API and the
/// CSV export, and gives its results to a teammate from a day on; the page
/// shows who had it before. Those who may not change it are refused.
#[tokio::test]
async fn a_campaign_is_set_up_found_and_given_to_other_people_from_a_day() {
    for mut app in TestApp::each().await {
        app.accept_language = Some("en".into());
        let p = people(&app);
        let me = p.own.to_string();
        let teammate = p.teammate.to_string();
        let boss = app.demo.manager_employee_id.to_string();
        app.login_as("manager").await;
        let name_of = async |app: &mut TestApp, id: i64| -> String {
            app.get(&format!("/api/v1/employees/{id}")).await.json()["name"]
                .as_str()
                .unwrap()
                .to_string()
        };
        let my_name = name_of(&mut app, p.own).await;
        let teammate_name = name_of(&mut app, p.teammate).await;

        let typed = [
            ("name", "Autumn sale"),
            ("budget", "1 000,50"),
            ("currency", "rub"),
            ("start", "2026-09-01"),
            ("end", "2026-08-31"),
            ("channel", "paid_search"),
            ("owner_employee_id", me.as_str()),
            ("contributor_0_id", boss.as_str()),
            ("contributor_0_share", "20"),
        ];
        let r = app.post_form("/campaigns", &typed).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert!(r.body.contains("value=\"Autumn sale\""), "{}", r.body);
        assert!(
            r.body
                .contains("the campaign ends (2026-08-31) before it starts (2026-09-01)"),
            "{}",
            r.body
        );
        assert!(
            r.body
                .contains("is you: a person&#x27;s results are given by someone above them"),
            "{}",
            r.body
        );
        // The same form in Russian says it in Russian.
        app.accept_language = Some("ru".into());
        let r = app.post_form("/campaigns", &typed).await;
        assert!(
            r.body
                .contains("кампания кончается (2026-08-31) раньше, чем начинается (2026-09-01)"),
            "{}",
            r.body
        );
        app.accept_language = Some("en".into());
        let before = app.get("/api/v1/campaigns?per_page=500").await.json()["total"].clone();

        let mut good = typed.to_vec();
        good.retain(|(k, _)| !k.starts_with("contributor_") && *k != "end");
        good.push(("end", "2026-09-30"));
        let r = app.post_form("/campaigns", &good).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let page = r.header("location").unwrap().to_string();
        let id: i64 = page.trim_start_matches("/campaigns/").parse().unwrap();
        let r = app.get(&page).await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(
            r.body.contains(&my_name) && r.body.contains("100 %"),
            "{}",
            r.body
        );

        // A second campaign with the same platform id is refused, and not stored.
        let r = app
            .post_json(
                "/api/v1/campaigns",
                json!({"name": "Another", "external_id": "Autumn sale", "owner_employee_id": p.own}),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert_eq!(
            r.json()["error"]["fields"],
            json!([{"field": "external_id", "message": "another campaign has the id 'Autumn sale'"}])
        );
        let found = app.get("/api/v1/campaigns?q=AUTUMN").await.json();
        assert_eq!(
            (found["total"].clone(), found["items"][0]["id"].clone()),
            (json!(1), json!(id))
        );
        assert_eq!(
            app.get("/api/v1/campaigns?per_page=500").await.json()["total"],
            json!(before.as_u64().unwrap() + 1)
        );
        let csv = app.get("/campaigns?q=autumn&format=csv").await;
        assert_eq!(csv.header("content-type"), Some("text/csv; charset=utf-8"));
        assert_eq!(
            csv.body,
            format!(
                "id,external_id,name,platform,channel,owner,budget,currency,start,end\n\
                 {id},Autumn sale,Autumn sale,,paid_search,{my_name},1000.50,RUB,2026-09-01,2026-09-30\n"
            )
        );

        // From the 10th the teammate has 60 % and the person 40 %.
        let change = [
            ("owner_employee_id", teammate.as_str()),
            ("contributor_0_id", me.as_str()),
            ("contributor_0_share", "40"),
            ("effective_on", "2026-09-10"),
        ];
        let r = app
            .post_form(&format!("/campaigns/{id}/people"), &change)
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let c = app.get(&format!("/api/v1/campaigns/{id}")).await.json();
        assert_eq!(c["shares_from"], "2026-09-10");
        assert_eq!(
            c["shares"],
            json!([
                {"employee_id": p.teammate, "name": teammate_name, "is_owner": true, "share_percent": 60.0},
                {"employee_id": p.own, "name": my_name, "is_owner": false, "share_percent": 40.0},
            ])
        );
        assert_eq!(
            c["history"],
            json!([{"from": null, "until": "2026-09-10", "shares": [
                {"employee_id": p.own, "name": my_name, "is_owner": true, "share_percent": 100.0}
            ]}])
        );
        let r = app.get(&page).await;
        assert!(r.body.contains("campaign-history"), "{}", r.body);
        // A change before the last one is refused on the form, with what was typed.
        let r = app
            .post_form(
                &format!("/campaigns/{id}/people"),
                &[
                    ("owner_employee_id", me.as_str()),
                    ("effective_on", "2026-09-05"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert!(r.body.contains("changed last on 2026-09-10"), "{}", r.body);
        assert!(r.body.contains("value=\"2026-09-05\""), "{}", r.body);

        // Its own values change through PATCH; a bad channel is refused.
        let r = app
            .request_json(
                Method::PATCH,
                &format!("/api/v1/campaigns/{id}"),
                Some(json!({"name": "Autumn sale", "channel": "telepathy"})),
                true,
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        let r = app
            .request_json(
                Method::PATCH,
                &format!("/api/v1/campaigns/{id}"),
                Some(json!({"name": "Autumn sale 2026", "channel": "email", "budget": 500, "currency": "RUB", "start": "2026-09-01", "end": "2026-09-30"})),
                true,
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(
            (r.json()["name"].clone(), r.json()["budget_minor"].clone()),
            (json!("Autumn sale 2026"), json!(50000))
        );

        // The person sees it, but does not change it; the viewer reads it.
        app.login_as("employee").await;
        assert_eq!(app.get(&page).await.status, StatusCode::OK);
        let r = app
            .request_json(
                Method::PATCH,
                &format!("/api/v1/campaigns/{id}"),
                Some(json!({"name": "Mine"})),
                true,
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
        app.login_as("viewer").await;
        assert_eq!(app.get(&page).await.status, StatusCode::OK);

        // A campaign of another team's person is not the manager's to change.
        app.login_as("head").await;
        let theirs = app.get("/api/v1/campaigns?per_page=500").await.json()["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["owner_employee_id"] == json!(p.other))
            .map(|c| c["id"].as_i64().unwrap());
        let audit = app
            .get("/api/v1/audit?entity=campaign_people&limit=5")
            .await
            .json();
        assert_eq!(audit.as_array().unwrap().len(), 1, "{audit}");
        if let Some(theirs) = theirs {
            app.login_as("manager").await;
            let r = app
                .post_json(
                    &format!("/api/v1/campaigns/{theirs}/people"),
                    json!({"owner_employee_id": p.own, "effective_on": "2026-09-01"}),
                )
                .await;
            assert!(
                matches!(r.status, StatusCode::FORBIDDEN | StatusCode::NOT_FOUND),
                "{}",
                r.body
            );
        }
    }
}

/// The file import through the API: the file's bytes as the body, the
/// preset and answers about people in the query; the imports list finds
/// it, rollback undoes it once; mappings are listed, saved and deleted.
#[tokio::test]
async fn files_imports_rollback_and_mappings_work_through_the_api() {
    for mut app in TestApp::each().await {
        app.accept_language = Some("en".into());
        app.login_as("admin").await;
        let team = app
            .services
            .list_teams(&app.services.login("head", "demo", "t").await.unwrap().actor)
            .await
            .unwrap()[0]
            .name
            .clone();
        let file = "User,Email,Start date,Start time,Duration,Project\n\
                    Vera,vera@agency.ru,2024-12-02,10:00:00,02:00:00,Brand\n";
        let send = async |app: &mut TestApp, query: &str| -> TestResponse {
            let mut req = axum::http::Request::post(format!("/api/v1/imports?{query}"))
                .header("content-type", "text/csv");
            if let Some(t) = app.csrf() {
                req = req.header("x-csrf-token", t);
            }
            app.send(req.body(axum::body::Body::from(file)).unwrap())
                .await
        };
        let r = send(&mut app, "preset=toggl-time&source=week.csv").await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert_eq!(r.json()["applied"], json!(false));
        assert_eq!(r.json()["unknown_people"][0]["named"], "vera@agency.ru");
        let r = send(&mut app, "preset=toggl-time&person=broken").await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert_eq!(
            r.json()["error"]["fields"][0]["message"],
            "'broken': write it as NAMED=EMAIL or NAMED=EMAIL,Full Name,Team"
        );
        let answer = serde_urlencoded::to_string([(
            "person",
            format!("vera@agency.ru=vera@agency.ru,Vera Smirnova,{team}"),
        )])
        .unwrap();
        let r = send(
            &mut app,
            &format!("preset=toggl-time&source=week.csv&{answer}"),
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let report = r.json();
        assert_eq!(
            (
                report["applied"].clone(),
                report["added"].clone(),
                report["people_created"].clone()
            ),
            (json!(true), json!(1), json!(1))
        );
        let id = report["import_id"].as_i64().unwrap();
        let list = app.get("/api/v1/imports?q=WEEK.CSV").await.json();
        assert_eq!(
            (
                list["total"].clone(),
                list["items"][0]["id"].clone(),
                list["items"][0]["status"].clone()
            ),
            (json!(1), json!(id), json!("applied"))
        );
        let r = app
            .post_json(&format!("/api/v1/imports/{id}/rollback"), json!({}))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.json()["status"], "rolled_back");
        let r = app
            .post_json(&format!("/api/v1/imports/{id}/rollback"), json!({}))
            .await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);

        let all = app.get("/api/v1/mappings").await.json();
        assert!(
            all.as_array()
                .unwrap()
                .iter()
                .any(|m| m["name"] == "google-ads" && m["builtin"] == json!(true)),
            "{all}"
        );
        let toml = "name = \"our-sheet\"\ntitle = \"Our sheet\"\nfact = \"ad_stats\"\n\n[columns]\ndate = [\"day\"]\ncampaign = [\"campaign\"]\nimpressions = [\"impr\"]\nclicks = [\"clicks\"]\nspend = [\"cost\"]\n";
        let req = axum::http::Request::post("/api/v1/mappings")
            .header("content-type", "text/plain")
            .header("x-csrf-token", app.csrf().unwrap())
            .body(axum::body::Body::from(toml))
            .unwrap();
        let r = app.send(req).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        assert_eq!(r.json()["name"], "our-sheet");
        let r = app
            .request_json(Method::DELETE, "/api/v1/mappings/our-sheet", None, true)
            .await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
        let r = app
            .request_json(Method::DELETE, "/api/v1/mappings/our-sheet", None, true)
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
    }
}

/// A person changes and deletes the time they logged on their task; their
/// manager sees it but cannot change it; the task's hours follow; each
/// change is audited.
#[tokio::test]
async fn time_logged_here_is_changed_and_deleted_by_the_one_who_logged_it() {
    for mut app in TestApp::each().await {
        app.accept_language = Some("en".into());
        app.login_as("employee").await;
        let r = app
            .post_json(
                "/api/v1/tasks",
                json!({"title": "Landing copy", "kind": "campaign", "due": "2026-10-01"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let task = r.json()["id"].as_i64().unwrap();
        let r = app
            .post_json(
                &format!("/api/v1/tasks/{task}/time"),
                json!({"date": "2026-09-20", "hours": 2.5, "description": "draft"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let detail = app.get(&format!("/api/v1/tasks/{task}")).await.json();
        let entry = detail["time_entries"][0].clone();
        assert_eq!(
            (entry["hours"].clone(), entry["can_change"].clone()),
            (json!(2.5), json!(true))
        );
        let key = entry["key"].as_str().unwrap().to_string();
        let path = format!("/api/v1/tasks/{task}/time/{key}");
        let r = app
            .request_json(
                Method::PATCH,
                &path,
                Some(json!({"date": "2026-09-30", "hours": 30})),
                true,
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert_eq!(
            r.json()["error"]["message"],
            "invalid input: date: 2026-09-30 is in the future; hours: give the hours as a number above 0 and at most 24"
        );
        let r = app
            .request_json(
                Method::PATCH,
                &path,
                Some(json!({"date": "2026-09-19", "hours": 3, "description": "draft and review"})),
                true,
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(
            (r.json()["date"].clone(), r.json()["hours"].clone()),
            (json!("2026-09-19"), json!(3.0))
        );
        assert_eq!(
            app.get(&format!("/api/v1/tasks/{task}")).await.json()["task"]["spent_hours"],
            json!(3.0)
        );

        // The manager reads it, and may not change it.
        app.login_as("manager").await;
        let seen = app.get(&format!("/api/v1/tasks/{task}")).await.json();
        assert_eq!(seen["time_entries"][0]["can_change"], json!(false));
        let r = app
            .request_json(
                Method::PATCH,
                &path,
                Some(json!({"date": "2026-09-19", "hours": 1})),
                true,
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
        let r = app.request_json(Method::DELETE, &path, None, true).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);

        // The person deletes it on the page.
        app.login_as("employee").await;
        let r = app
            .post_form(&format!("/tasks/{task}/time/{key}/delete"), &[])
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let after = app.get(&format!("/api/v1/tasks/{task}")).await.json();
        assert_eq!(after["time_entries"], json!([]));
        let r = app.request_json(Method::DELETE, &path, None, true).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);

        app.login_as("admin").await;
        let audit = app
            .get("/api/v1/audit?entity=time_entry&limit=3")
            .await
            .json();
        let actions: Vec<&str> = audit
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["action"].as_str().unwrap())
            .collect();
        assert_eq!(actions, ["delete", "update", "create"]);
    }
}

/// Long lists are searched, cut into pages and exported as CSV: the
/// people, the imports, the audit log and the alerts.
#[tokio::test]
async fn long_lists_are_searched_paged_and_exported() {
    for mut app in TestApp::each().await {
        app.accept_language = Some("en".into());
        app.login_as("head").await;
        let people = app.get("/api/v1/employees").await.json();
        let seo: Vec<&Value> = people
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| {
                e["position"]
                    .as_str()
                    .unwrap()
                    .to_lowercase()
                    .contains("seo")
            })
            .collect();
        assert!(!seo.is_empty());
        let csv = app.get("/employees?q=seo&format=csv").await;
        assert_eq!(csv.header("content-type"), Some("text/csv; charset=utf-8"));
        let lines: Vec<&str> = csv.body.lines().collect();
        assert_eq!(lines[0], "name,position,team,manager,hire_date,status");
        assert_eq!(lines.len(), seo.len() + 1, "{}", csv.body);
        let page = app.get("/employees").await.body;
        assert!(
            page.contains(&format!("{} found", people.as_array().unwrap().len())),
            "{page}"
        );
        // The API: the same search, a page of it, the count in a header.
        let total = people.as_array().unwrap().len();
        let r = app.get("/api/v1/employees?per_page=3&page=2").await;
        assert_eq!(r.header("x-total-count"), Some(total.to_string().as_str()));
        assert_eq!(
            r.json().as_array().unwrap(),
            &people.as_array().unwrap()[3..6]
        );
        let r = app.get("/api/v1/employees?q=SEO").await;
        assert_eq!(
            r.header("x-total-count"),
            Some(seo.len().to_string().as_str())
        );

        // The audit log: search narrows, the CSV holds what was found.
        let all = app.get("/admin/audit").await.body;
        assert!(all.contains("audit-table"));
        let csv = app.get("/admin/audit?q=session&format=csv").await;
        let rows: Vec<&str> = csv.body.lines().collect();
        assert_eq!(rows[0], "id,at,actor,action,entity,entity_id,before,after");
        assert!(rows.len() > 1, "sign-ins are audited: {}", csv.body);
        assert!(
            rows[1..]
                .iter()
                .all(|r| r.contains("session") || r.contains("login")),
            "{}",
            csv.body
        );
        let none = app.get("/admin/audit?q=no-such-thing-at-all").await.body;
        assert!(none.contains("0 found"), "{none}");

        // Imports: the whole history in pages, and as CSV.
        app.login_as("admin").await;
        let history = app.get("/imports/history").await;
        assert_eq!(history.status, StatusCode::OK);
        let csv = app.get("/imports/history?format=csv").await;
        assert_eq!(
            csv.body.lines().next(),
            Some("id,at,actor,file,preset,fact,read,added,updated,unchanged,status")
        );
        let alerts = app.get("/alerts?days=366&format=csv").await;
        assert_eq!(
            alerts.body.lines().next(),
            Some("kind,metric,for,from,to,value,target,forecast,previous,change")
        );
    }
}

/// Day one through the API alone, on every backend: after the setup, teams,
/// a staff list imported as a file, a campaign for an imported person, an
/// ad export that names it and a team KPI; the dashboard, the team's card
/// and the person's scorecard give the imported numbers.
#[tokio::test]
async fn day_one_runs_through_the_api_from_an_empty_database() {
    for mut app in TestApp::each_empty().await {
        let backend = app.backend;
        app.services
            .setup(mkpi_services::organisation::SetupInput {
                company: mkpi_services::organisation::CompanyInput {
                    name: "ООО «Ромашка»".into(),
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
        assert_eq!(
            app.login_with("anna", "a long password").await.status,
            StatusCode::OK
        );
        let r = app
            .post_json("/api/v1/teams", json!({"name": "Performance"}))
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{backend:?} {}", r.body);
        let performance = r.json()["id"].as_i64().unwrap();
        let upload = async |app: &mut TestApp, query: &str, body: &'static str| -> TestResponse {
            let req = axum::http::Request::post(format!("/api/v1/imports?{query}"))
                .header("content-type", "text/csv")
                .header("x-csrf-token", app.csrf().unwrap())
                .body(axum::body::Body::from(body))
                .unwrap();
            app.send(req).await
        };
        let staff = "email,name,position,team,manager,start\n\
                     irina@romashka.ru,Ирина Лебедева,Руководитель,Performance,,2022-01-10\n\
                     pavel@romashka.ru,Павел Орлов,Таргетолог,Performance/Paid social,irina@romashka.ru,2023-05-02\n";
        let r = upload(&mut app, "preset=mkpi-employees&source=staff.csv", staff).await;
        assert_eq!(r.status, StatusCode::OK, "{backend:?} {}", r.body);
        assert_eq!(
            (r.json()["added"].clone(), r.json()["applied"].clone()),
            (json!(2), json!(true))
        );
        let people = app.get("/api/v1/employees").await.json();
        let pavel = people
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["email"] == "pavel@romashka.ru")
            .unwrap()["id"]
            .as_i64()
            .unwrap();
        let r = app
            .post_json(
                "/api/v1/campaigns",
                json!({"name": "Поиск: осень", "external_id": "autumn-search", "channel": "paid_search",
                       "owner_employee_id": pavel}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{backend:?} {}", r.body);
        let ads = "Campaign report\n\
                   1 August 2026 - 31 August 2026\n\
                   Day,Campaign,Impr.,Clicks,Cost,Currency code\n\
                   2026-08-04,autumn-search,1000,50,2500.00,RUB\n\
                   2026-08-05,autumn-search,1200,60,3000.00,RUB\n";
        let r = upload(&mut app, "preset=google-ads&source=ads.csv", ads).await;
        assert_eq!(r.status, StatusCode::OK, "{backend:?} {}", r.body);
        assert_eq!(r.json()["added"], json!(2));
        let r = app
            .post_json(
                "/api/v1/kpis",
                json!({"metric": "spend", "scope": format!("team:{performance}"), "from": "2026-07-01", "to": "2026-10-01",
                       "targets": [{"from": "2026-07-01", "to": "2026-10-01", "target": 15000}]}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{backend:?} {}", r.body);

        let august = "from=2026-08-01&to=2026-09-01";
        let dashboard = app.get(&format!("/api/v1/dashboard?{august}")).await.json();
        let spend = dashboard["tiles"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["now"]["code"] == "spend")
            .unwrap()["now"]["value"]
            .clone();
        assert_eq!(spend, json!(5500.0), "{backend:?}");
        assert_eq!(dashboard["campaigns"][0]["name"], "Поиск: осень");
        let card = app
            .get(&format!("/api/v1/teams/{performance}/card?{august}"))
            .await
            .json();
        let team_spend = card["results"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["code"] == "spend")
            .unwrap()["value"]
            .clone();
        assert_eq!(team_spend, json!(5500.0), "{backend:?} {card}");
        assert_eq!(card["kpis"][0]["metric"], "spend", "{card}");
        let scorecard = app
            .get(&format!("/api/v1/employees/{pavel}/scorecard?{august}"))
            .await
            .json();
        let own = scorecard["results"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["code"] == "spend")
            .unwrap()["value"]
            .clone();
        assert_eq!(own, json!(5500.0), "{backend:?} {scorecard}");
    }
}

/// A strategy is changed and archived by its owner, the head or admins,
/// never by others; a bad change says where; each change is audited.
#[tokio::test]
async fn a_strategy_is_changed_archived_and_brought_back_by_those_who_may() {
    for mut app in TestApp::each().await {
        app.accept_language = Some("en".into());
        app.login_as("manager").await;
        let r = app
            .post_json(
                "/api/v1/strategies",
                json!({"title": "Retargeting", "kind": "campaigns", "start_on": "2026-07-01", "end_on": "2026-10-01"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let id = r.json()["id"].as_i64().unwrap();
        let path = format!("/api/v1/strategies/{id}");
        let change = |title: &str, end: &str| json!({"title": title, "kind": "brand", "description": "Lookalikes", "start_on": "2026-07-01", "end_on": end});
        let r = app
            .request_json(
                Method::PATCH,
                &path,
                Some(change("Retargeting", "2026-06-01")),
                true,
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert_eq!(r.json()["error"]["fields"][0]["field"], "end_on");
        let r = app
            .request_json(
                Method::PATCH,
                &path,
                Some(change("Retargeting 2.0", "2026-12-01")),
                true,
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(
            (
                r.json()["title"].clone(),
                r.json()["kind"].clone(),
                r.json()["end_on"].clone()
            ),
            (
                json!("Retargeting 2.0"),
                json!("brand"),
                json!("2026-12-01")
            )
        );
        app.login_as("employee").await;
        let r = app
            .request_json(
                Method::PATCH,
                &path,
                Some(change("Mine", "2026-12-01")),
                true,
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
        app.login_as("head").await;
        let r = app
            .post_json(&format!("{path}/archive"), json!({"archived": true}))
            .await;
        assert_eq!(
            (r.status, r.json()["archived"].clone()),
            (StatusCode::OK, json!(true))
        );
        let r = app
            .post_json(&format!("{path}/archive"), json!({"archived": true}))
            .await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
        app.login_as("manager").await;
        let r = app
            .post_form(
                &format!("/strategies/{id}/archive"),
                &[("archived", "false")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let listed = app.get("/api/v1/strategies").await.json();
        let mine = listed
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["id"] == json!(id))
            .unwrap()
            .clone();
        assert_eq!(mine["archived"], json!(false));
        app.login_as("admin").await;
        let audit = app
            .get("/api/v1/audit?entity=strategy&limit=4")
            .await
            .json();
        let actions: Vec<&str> = audit
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["action"].as_str().unwrap())
            .collect();
        assert_eq!(actions, ["restore", "archive", "update", "create"]);
    }
}

/// The head changes an open cycle's dates and people: dates out of order
/// are refused by their field, a person added can be taken out again while
/// nobody has answered about them, a closed cycle keeps its plan, and only
/// the head and admins may.
#[tokio::test]
async fn an_open_cycle_changes_its_dates_and_people_until_answers_close() {
    for mut app in TestApp::each().await {
        app.accept_language = Some("en".into());
        app.login_as("head").await;
        let own = app.demo.employee_employee_id;
        let mut made = Vec::new();
        for name in ["Q3 2026", "Q2 2026"] {
            let r = app
                .post_json(
                    "/api/v1/review-cycles",
                    json!({
                        "name": name, "period_from": "2026-07-01", "period_to": "2026-10-01",
                        "self_due": "2026-10-03", "nomination_due": "2026-10-03",
                        "assessment_due": "2026-10-10", "calibration_due": "2026-10-17",
                        "employee_ids": [own],
                    }),
                )
                .await;
            assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
            made.push(r.json());
        }
        let (open, closed) = (made[0].clone(), made[1].clone());
        for status in ["calibration", "released", "closed"] {
            let r = app
                .post_json(
                    &format!("/api/v1/review-cycles/{}/status", closed["id"]),
                    json!({"status": status}),
                )
                .await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        }
        let id = open["id"].as_i64().unwrap();
        let path = format!("/api/v1/review-cycles/{id}");
        let patch = async |app: &mut TestApp, body: Value| {
            app.request_json(Method::PATCH, &path, Some(body), true)
                .await
        };
        let r = patch(&mut app, json!({"assessment_due": "2000-01-01"})).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert_eq!(r.json()["error"]["fields"][0]["field"], "assessment_due");
        let r = app
            .post_json(
                "/api/v1/employees",
                json!({"name": "Новый Человек", "email": "new@example.com", "position": "SMM", "team_id": app.demo.team_ids[0]}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let newcomer = r.json()["id"].as_i64().unwrap();
        let later = "2099-01-31";
        let r = patch(
            &mut app,
            json!({"name": "Q4, extended", "release_due": later, "add_employee_ids": [newcomer]}),
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(
            (
                r.json()["name"].clone(),
                r.json()["release_due"].clone(),
                r.json()["self_due"].clone()
            ),
            (
                json!("Q4, extended"),
                json!(later),
                open["self_due"].clone()
            )
        );
        let page = app.get(&format!("/reviews/{id}")).await.body;
        assert!(
            page.contains(&format!("id=\"person-{newcomer}\"")),
            "{page}"
        );
        let r = patch(&mut app, json!({"add_employee_ids": [newcomer]})).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert!(r.body.contains("is in the cycle already"), "{}", r.body);
        let r = app
            .post_form(
                &format!("/reviews/{id}/edit"),
                &[("remove", &newcomer.to_string())],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let page = app.get(&format!("/reviews/{id}")).await.body;
        assert!(!page.contains(&format!("id=\"person-{newcomer}\"")));

        // A closed cycle keeps its plan; a manager changes none.
        let r = app
            .request_json(
                Method::PATCH,
                &format!("/api/v1/review-cycles/{}", closed["id"]),
                Some(json!({"name": "Rewritten"})),
                true,
            )
            .await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
        app.login_as("manager").await;
        let r = patch(&mut app, json!({"name": "Mine"})).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
        app.login_as("admin").await;
        let audit = app
            .get("/api/v1/audit?entity=review_cycle&limit=2")
            .await
            .json();
        assert_eq!(audit[0]["action"], "update");
        assert_eq!(audit[1]["action"], "update");
    }
}
