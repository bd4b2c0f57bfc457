//! Server-rendered pages. Each module is one area of the product; the
//! layout context (language, user, navigation) is built once in [`layout`].

mod account;
mod admin;
mod alerts;
mod calibration;
mod dashboard;
mod employees;
mod explorer;
mod goals;
mod home;
pub(crate) mod imports;
mod kpis;
mod metrics;
mod organisation;
pub(crate) mod reports;
mod reviews;
pub(crate) use imports::report_status;
mod campaigns;
mod session;
mod tasks;

use axum::Router;
use axum::routing::{get, post};
use minijinja::context;
use minijinja::value::{Serde, Value};
use mkpi_domain::{Locale, Role};
use mkpi_services::Actor;
use serde::Serialize;

use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(home::show))
        .route("/dashboard", get(dashboard::show))
        .route("/alerts", get(alerts::list))
        .route("/explore", get(explorer::show))
        .route("/metrics", get(metrics::list).post(metrics::define))
        .route("/kpis", get(kpis::list).post(kpis::create))
        .route("/kpis/{id}", get(kpis::show))
        .route("/kpis/{id}/target", post(kpis::change_target))
        .route("/kpis/{id}/weight", post(kpis::update))
        .route("/kpis/{id}/retire", post(kpis::retire))
        .route("/login", get(session::form).post(session::login))
        .route("/logout", post(session::logout))
        .route(
            "/setup",
            get(organisation::setup_form).post(organisation::setup),
        )
        .route("/start", get(organisation::start))
        .route("/organisation", get(organisation::show))
        .route("/organisation/company", post(organisation::update_company))
        .route("/organisation/teams", post(organisation::create_team))
        .route("/organisation/teams/{id}", post(organisation::update_team))
        .route(
            "/organisation/teams/{id}/archive",
            post(organisation::archive_team),
        )
        .route(
            "/organisation/positions",
            post(organisation::create_position),
        )
        .route(
            "/organisation/positions/{id}/delete",
            post(organisation::delete_position),
        )
        .route(
            "/password/{token}",
            get(organisation::password_form).post(organisation::set_password),
        )
        .route(
            "/employees",
            get(employees::list).post(organisation::create_person),
        )
        .route("/employees/new", get(organisation::new_person))
        .route("/employees/{id}", get(employees::show))
        .route(
            "/employees/{id}/edit",
            get(organisation::edit_person).post(organisation::update_person),
        )
        .route(
            "/employees/{id}/transfer",
            post(organisation::transfer_person),
        )
        .route("/employees/{id}/leave", post(organisation::leave_person))
        .route("/employees/{id}/return", post(organisation::return_person))
        .route(
            "/employees/{id}/account",
            post(organisation::create_account),
        )
        .route(
            "/employees/{id}/password-link",
            post(organisation::renew_link),
        )
        .route("/employees/{id}/check-ins", post(employees::add_check_in))
        .route(
            "/employees/{id}/check-ins/{check_in}/edit",
            post(employees::edit_check_in),
        )
        .route(
            "/employees/{id}/one-on-ones/{note}/edit",
            post(employees::edit_one_on_one),
        )
        .route(
            "/employees/{id}/one-on-ones",
            post(employees::add_one_on_one),
        )
        .route(
            "/employees/{id}/development-actions",
            post(employees::add_development_action),
        )
        .route(
            "/development-actions/{id}/status",
            post(employees::set_development_action_status),
        )
        .route("/teams/{id}", get(employees::team))
        .route("/goals", get(goals::tree).post(goals::create))
        .route("/goals/new", get(goals::new_form))
        .route("/goals/smart", post(goals::smart_check))
        .route("/goals/{id}", get(goals::show).post(goals::update))
        .route("/goals/{id}/edit", get(goals::edit_form))
        .route("/goals/{id}/status", post(goals::set_status))
        .route("/goals/{id}/progress", post(goals::add_progress))
        .route("/strategies", post(goals::create_strategy))
        .route("/strategies/{id}/edit", post(goals::update_strategy))
        .route("/strategies/{id}/archive", post(goals::archive_strategy))
        .route("/swot", get(goals::swot).post(goals::add_swot))
        .route("/swot/{id}/edit", post(goals::edit_swot))
        .route("/swot/{id}/delete", post(goals::delete_swot))
        .route("/campaigns", get(campaigns::list).post(campaigns::create))
        .route("/campaigns/new", get(campaigns::new))
        .route("/campaigns/{id}", get(campaigns::show))
        .route("/campaigns/{id}/edit", post(campaigns::edit))
        .route("/campaigns/{id}/people", post(campaigns::change_people))
        .route("/tasks", get(tasks::list).post(tasks::create))
        .route("/tasks/{id}", get(tasks::show))
        .route("/tasks/{id}/edit", post(tasks::edit))
        .route("/tasks/{id}/delete", post(tasks::delete))
        .route("/tasks/{id}/status", post(tasks::set_status))
        .route("/tasks/{id}/rating", post(tasks::rate))
        .route("/tasks/{id}/time", post(tasks::log_time))
        .route("/tasks/{id}/time/{key}/edit", post(tasks::update_time))
        .route("/tasks/{id}/time/{key}/delete", post(tasks::delete_time))
        .route("/tasks/{id}/goal", post(tasks::link_goal))
        .route("/my-work", get(tasks::my_work))
        .route("/reviews", get(reviews::list).post(reviews::create))
        .route("/reviews/{id}", get(reviews::show))
        .route("/reviews/{id}/status", post(reviews::set_status))
        .route("/reviews/{id}/edit", post(reviews::update))
        .route("/reviews/{id}/peers", post(reviews::nominate))
        .route(
            "/reviews/{id}/assess/{employee_id}",
            get(reviews::assess_form).post(reviews::assess),
        )
        .route("/reviews/{id}/results/{employee_id}", get(reviews::results))
        .route("/review-raters/{id}/decision", post(reviews::decide))
        .route("/reviews/{id}/calibration", get(calibration::show))
        .route("/reviews/{id}/what-if", post(calibration::what_if))
        .route("/reviews/{id}/formula", post(calibration::set_formula))
        .route("/reviews/{id}/adjust", post(calibration::adjust))
        .route("/reviews/{id}/potential", post(calibration::potential))
        .route("/reviews/{id}/acknowledge", post(calibration::acknowledge))
        .route("/reviews/{id}/clients", post(calibration::invite))
        .route("/reviews/people/{employee_id}", get(calibration::history))
        .route(
            "/reviews/framework",
            get(calibration::framework).post(calibration::add_competency),
        )
        .route(
            "/reviews/framework/{code}",
            post(calibration::update_competency),
        )
        .route(
            "/reviews/framework/{code}/retire",
            post(calibration::retire_competency),
        )
        .route(
            "/reviews/framework/{code}/weights",
            post(calibration::set_weight),
        )
        .route(
            "/r/{token}",
            get(calibration::client_form).post(calibration::client_submit),
        )
        .route("/reports", get(reports::list).post(reports::create))
        .route(
            "/reports/competitors",
            get(reports::competitors).post(reports::add_benchmark),
        )
        .route(
            "/reports/competitors/import",
            post(reports::import_benchmarks)
                .layer(axum::extract::DefaultBodyLimit::max(reports::MAX_UPLOAD)),
        )
        .route(
            "/competitor-benchmarks/{id}/delete",
            post(reports::delete_benchmark),
        )
        .route("/reports/{id}", get(reports::show).post(reports::update))
        .route("/reports/{id}/edit", get(reports::edit_form))
        .route("/reports/{id}/delete", post(reports::delete))
        .route("/reports/{id}/download", get(reports::download))
        .route("/reports/{id}/shares", post(reports::share))
        .route("/reports/{id}/schedules", post(reports::schedule))
        .route("/report-shares/{id}/revoke", post(reports::revoke_share))
        .route("/report-schedules/{id}/stop", post(reports::stop_schedule))
        .route("/s/{token}", get(reports::shared))
        .route("/s/{token}/download", get(reports::shared_download))
        .route("/account", get(account::show))
        .route("/account/locale", post(account::set_locale))
        .route("/account/password", post(account::change_password))
        .route("/account/tokens", post(account::create_token))
        .route("/account/tokens/{id}/revoke", post(account::revoke_token))
        .route("/admin/users", get(admin::users).post(admin::create_user))
        .route("/admin/users/{id}/deactivate", post(admin::deactivate_user))
        .route("/admin/users/{id}/activate", post(admin::activate_user))
        .route(
            "/admin/users/{id}/reset-password",
            post(admin::reset_password),
        )
        .route("/admin/audit", get(admin::audit))
        .route(
            "/imports",
            get(imports::show)
                .post(imports::upload)
                .layer(axum::extract::DefaultBodyLimit::max(imports::MAX_UPLOAD)),
        )
        .route(
            "/imports/preview",
            post(imports::preview).layer(axum::extract::DefaultBodyLimit::max(imports::MAX_UPLOAD)),
        )
        .route("/imports/run", post(imports::run))
        .route("/imports/history", get(imports::history))
        .route("/imports/manual", post(imports::manual))
        .route("/imports/mappings", post(imports::save_mapping))
        .route(
            "/imports/mappings/{name}/delete",
            post(imports::delete_mapping),
        )
        .route("/imports/{id}/rollback", post(imports::rollback))
}

/// The first value a form sends for `key` (empty when it sends none).
pub(crate) fn form_value(pairs: &[(String, String)], key: &str) -> String {
    pairs
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.clone())
        .unwrap_or_default()
}

/// Every id a form sends for `key` (a multiple choice), each that is no
/// number a problem named by the key.
pub(crate) fn form_ids(
    pairs: &[(String, String)],
    key: &str,
    problems: &mut Vec<mkpi_services::FieldProblem>,
) -> Vec<i64> {
    pairs
        .iter()
        .filter(|(k, _)| k == key)
        .filter_map(|(_, v)| goals::id(key, v, problems))
        .collect()
}

/// Each field's problems joined, for a form to show next to its field.
pub(crate) fn field_errors(
    state: &AppState,
    lang: Locale,
    problems: &[mkpi_services::FieldProblem],
) -> std::collections::BTreeMap<String, String> {
    let mut out = std::collections::BTreeMap::<String, String>::new();
    for p in problems {
        let message = state.i18n().problem(lang, p);
        let message = message.as_str();
        out.entry(p.field.clone())
            .and_modify(|m| {
                m.push_str("; ");
                m.push_str(message);
            })
            .or_insert_with(|| message.to_string());
    }
    out
}

pub(crate) fn ser<T: Serialize>(value: T) -> Value {
    Value::from(Serde(value))
}

#[derive(Serialize)]
struct NavItem {
    key: &'static str,
    href: &'static str,
    label: &'static str,
    /// Where the header shows it: `main` (the bar), `admin` (the
    /// administration menu) or `user` (beside the person's name).
    group: &'static str,
}

/// The group a navigation key belongs to.
fn group_of(key: &str) -> &'static str {
    match key {
        "imports" | "users" | "organisation" | "audit" => "admin",
        "account" | "api" => "user",
        _ => "main",
    }
}

/// The navigation a role gets: links only to what it may open.
fn nav(role: Role) -> Vec<NavItem> {
    let mut items = vec![
        NavItem {
            key: "home",
            href: "/",
            label: "nav-home",
            group: group_of("home"),
        },
        NavItem {
            key: "dashboard",
            href: "/dashboard",
            label: "nav-dashboard",
            group: group_of("dashboard"),
        },
        NavItem {
            key: "kpis",
            href: "/kpis",
            label: "nav-kpis",
            group: group_of("kpis"),
        },
        NavItem {
            key: "metrics",
            href: "/metrics",
            label: "nav-metrics",
            group: group_of("metrics"),
        },
        NavItem {
            key: "goals",
            href: "/goals",
            label: "nav-goals",
            group: group_of("goals"),
        },
        NavItem {
            key: "tasks",
            href: "/tasks",
            label: "nav-tasks",
            group: group_of("tasks"),
        },
        NavItem {
            key: "campaigns",
            href: "/campaigns",
            label: "nav-campaigns",
            group: group_of("campaigns"),
        },
        NavItem {
            key: "reviews",
            href: "/reviews",
            label: "nav-reviews",
            group: group_of("reviews"),
        },
        NavItem {
            key: "employees",
            href: "/employees",
            label: "nav-people",
            group: group_of("employees"),
        },
        NavItem {
            key: "reports",
            href: "/reports",
            label: "nav-reports",
            group: group_of("reports"),
        },
        NavItem {
            key: "explorer",
            href: "/explore",
            label: "nav-explore",
            group: group_of("explorer"),
        },
        NavItem {
            key: "alerts",
            href: "/alerts",
            label: "nav-alerts",
            group: group_of("alerts"),
        },
    ];
    if matches!(role, Role::Employee | Role::Manager | Role::Head) {
        items.insert(
            1,
            NavItem {
                key: "my-work",
                href: "/my-work",
                label: "nav-my-work",
                group: group_of("my-work"),
            },
        );
    }
    if role == Role::Admin {
        items.push(NavItem {
            key: "imports",
            href: "/imports",
            label: "nav-imports",
            group: group_of("imports"),
        });
        items.push(NavItem {
            key: "users",
            href: "/admin/users",
            label: "nav-users",
            group: group_of("users"),
        });
    }
    if matches!(role, Role::Admin | Role::Head) {
        items.push(NavItem {
            key: "organisation",
            href: "/organisation",
            label: "nav-organisation",
            group: group_of("organisation"),
        });
        items.push(NavItem {
            key: "audit",
            href: "/admin/audit",
            label: "nav-audit",
            group: group_of("audit"),
        });
    }
    items.push(NavItem {
        key: "account",
        href: "/account",
        label: "nav-account",
        group: group_of("account"),
    });
    items.push(NavItem {
        key: "api",
        href: "/api/docs",
        label: "nav-api",
        group: group_of("api"),
    });
    items
}

/// What every page's layout needs.
pub(crate) fn layout(lang: Locale, actor: Option<&Actor>, active: &str, path: &str) -> Value {
    let user = actor.map(|a| {
        context! {
            login => a.login.clone(),
            name => a.employee_name.clone(),
            role => a.role.as_str(),
            // Whether a person's page (their scorecard) is theirs to open.
            reads_people => a.scope.sees_evaluations(),
            csrf => a.csrf_token().unwrap_or_default().to_string(),
        }
    });
    context! {
        lang => lang.as_str(),
        active => active,
        path => path,
        user => user,
        nav => ser(actor.map(|a| nav(a.role)).unwrap_or_default()),
    }
}

/// A path inside mkpi to go to after a form; anything else goes home, so
/// a crafted link cannot send people to another site.
pub(crate) fn local_path(next: Option<&str>) -> String {
    match next {
        // Browsers drop tabs and newlines from a URL, so "/\t/evil" would
        // become "//evil": no control characters or spaces at all.
        Some(p)
            if p.starts_with('/')
                && !p.starts_with("//")
                && !p.contains('\\')
                && !p.chars().any(|c| c.is_control() || c.is_whitespace()) =>
        {
            p.to_string()
        }
        _ => "/".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_local_paths_are_followed_after_forms() {
        assert_eq!(local_path(Some("/employees/3")), "/employees/3");
        assert_eq!(local_path(Some("//evil.example")), "/");
        assert_eq!(local_path(Some("https://evil.example")), "/");
        assert_eq!(local_path(Some("/\\evil.example")), "/");
        assert_eq!(local_path(None), "/");
        assert_eq!(local_path(Some("/\t/evil.example")), "/");
        assert_eq!(local_path(Some("/\n/evil.example")), "/");
        assert_eq!(local_path(Some("/ /evil.example")), "/");
    }

    #[test]
    fn navigation_offers_only_what_the_role_may_open() {
        let keys = |r| nav(r).into_iter().map(|i| i.key).collect::<Vec<_>>();
        assert_eq!(
            keys(Role::Admin),
            [
                "home",
                "dashboard",
                "kpis",
                "metrics",
                "goals",
                "tasks",
                "campaigns",
                "reviews",
                "employees",
                "reports",
                "explorer",
                "alerts",
                "imports",
                "users",
                "organisation",
                "audit",
                "account",
                "api"
            ]
        );
        assert_eq!(
            keys(Role::Head),
            [
                "home",
                "my-work",
                "dashboard",
                "kpis",
                "metrics",
                "goals",
                "tasks",
                "campaigns",
                "reviews",
                "employees",
                "reports",
                "explorer",
                "alerts",
                "organisation",
                "audit",
                "account",
                "api"
            ]
        );
        assert_eq!(
            keys(Role::Employee),
            [
                "home",
                "my-work",
                "dashboard",
                "kpis",
                "metrics",
                "goals",
                "tasks",
                "campaigns",
                "reviews",
                "employees",
                "reports",
                "explorer",
                "alerts",
                "account",
                "api"
            ]
        );
    }
}
