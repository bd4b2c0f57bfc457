//! The JSON API under `/api/v1`, covering what the UI does, described by the
//! OpenAPI document at `/api/openapi.json` (readable at `/api/docs`).
//! Authentication: the session cookie (with `X-CSRF-Token` on changes) or
//! `Authorization: Bearer <api token>`.

pub mod alerts;
pub mod audit;
pub mod calibration;
pub mod campaigns;
pub mod check_ins;
pub mod dashboard;
pub mod development_actions;
pub mod docs;
pub mod employees;
pub mod explorer;
pub mod goals;
pub mod imports;
pub mod ingest;
pub mod kpis;
pub mod metrics;
pub mod organisation;
pub mod reports;
pub mod reviews;
pub mod session;
pub mod tasks;
pub mod teams;
pub mod tokens;
pub mod users;

use axum::Router;
use axum::routing::{delete, get, patch, post, put};
use serde::Serialize;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi, ToSchema};

use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/login", post(session::login))
        .route("/logout", post(session::logout))
        .route("/me", get(session::me))
        .route("/me/password", post(session::change_password))
        .route("/me/locale", post(session::set_locale))
        .route("/me/tokens", get(tokens::list).post(tokens::create))
        .route("/me/tokens/{id}/revoke", post(tokens::revoke))
        .route(
            "/company",
            get(organisation::company).patch(organisation::update_company),
        )
        .route(
            "/employees",
            get(employees::list).post(organisation::create_employee),
        )
        .route(
            "/employees/{id}",
            get(employees::show).patch(organisation::update_employee),
        )
        .route("/employees/{id}/transfer", post(organisation::transfer))
        .route("/employees/{id}/leave", post(organisation::leave))
        .route("/employees/{id}/return", post(organisation::return_to_work))
        .route(
            "/employees/{id}/memberships",
            get(organisation::memberships),
        )
        .route(
            "/employees/{id}/account",
            post(organisation::create_account),
        )
        .route("/employees/{id}/scorecard", get(employees::scorecard))
        .route(
            "/employees/{id}/personal-data",
            post(employees::personal_data),
        )
        .route("/employees/{id}/erase", post(employees::erase))
        .route("/teams", get(teams::list).post(organisation::create_team))
        .route(
            "/teams/{id}",
            get(organisation::team)
                .patch(organisation::update_team)
                .delete(organisation::archive_team),
        )
        .route(
            "/positions",
            get(organisation::positions).post(organisation::create_position),
        )
        .route(
            "/positions/{id}",
            patch(organisation::rename_position).delete(organisation::delete_position),
        )
        .route("/users", get(users::list).post(users::create))
        .route("/users/{id}", patch(organisation::set_role))
        .route(
            "/users/{id}/password-link",
            post(organisation::password_link),
        )
        .route("/users/{id}/deactivate", post(users::deactivate))
        .route("/users/{id}/activate", post(users::activate))
        .route("/users/{id}/reset-password", post(users::reset_password))
        .route("/audit", get(audit::list))
        .route("/ingest/{fact}", post(ingest::create))
        .route("/imports", get(imports::list).post(imports::import))
        .route("/imports/{id}/rollback", post(imports::rollback))
        .route(
            "/mappings",
            get(imports::mappings).post(imports::save_mapping),
        )
        .route("/mappings/{name}", delete(imports::delete_mapping))
        .route("/metrics", get(metrics::list).post(metrics::create))
        .route("/kpis", get(kpis::list).post(kpis::create))
        .route("/kpis/{id}", get(kpis::show).patch(kpis::update))
        .route("/kpis/{id}/targets", post(kpis::change_target))
        .route("/kpis/{id}/retire", post(kpis::retire))
        .route(
            "/kpis/{id}/check-ins",
            get(check_ins::list).post(check_ins::create),
        )
        .route(
            "/employees/{id}/one-on-ones",
            get(check_ins::one_on_ones).post(check_ins::create_one_on_one),
        )
        .route(
            "/employees/{id}/development-actions",
            get(development_actions::list).post(development_actions::create),
        )
        .route(
            "/development-actions/{id}/status",
            post(development_actions::set_status),
        )
        .route("/metrics/{code}/value", get(metrics::value))
        .route("/alerts", get(alerts::list))
        .route("/dashboard", get(dashboard::dashboard))
        .route("/teams/{id}/card", get(dashboard::team_card))
        .route("/explore", get(explorer::show))
        .route("/goals", get(goals::list).post(goals::create))
        .route("/goals/smart-check", post(goals::smart_check))
        .route("/goals/{id}", get(goals::show).put(goals::update))
        .route("/goals/{id}/status", post(goals::set_status))
        .route("/goals/{id}/progress", post(goals::add_progress))
        .route(
            "/strategies",
            get(goals::strategies).post(goals::create_strategy),
        )
        .route("/strategies/{id}", patch(goals::update_strategy))
        .route("/strategies/{id}/archive", post(goals::archive_strategy))
        .route("/campaigns", get(campaigns::list).post(campaigns::create))
        .route(
            "/campaigns/{id}",
            get(campaigns::show).patch(campaigns::update),
        )
        .route("/campaigns/{id}/people", post(campaigns::change_people))
        .route("/campaigns/{id}/links", post(goals::link_campaign))
        .route("/check-ins/{id}", patch(check_ins::update))
        .route("/one-on-ones/{id}", patch(check_ins::update_one_on_one))
        .route("/swot", get(goals::swot).post(goals::add_swot))
        .route(
            "/swot/{id}",
            patch(goals::update_swot).delete(goals::delete_swot),
        )
        .route("/tasks", get(tasks::list).post(tasks::create))
        .route(
            "/tasks/{id}",
            get(tasks::show).patch(tasks::update).delete(tasks::delete),
        )
        .route("/tasks/{id}/status", post(tasks::set_status))
        .route("/tasks/{id}/rating", post(tasks::rate))
        .route("/tasks/{id}/time", post(tasks::log_time))
        .route(
            "/tasks/{id}/time/{key}",
            patch(tasks::update_time).delete(tasks::delete_time),
        )
        .route("/tasks/{id}/goal", post(tasks::link_goal))
        .route(
            "/competencies",
            get(reviews::competencies).post(reviews::add_competency),
        )
        .route("/competencies/{code}", put(reviews::update_competency))
        .route(
            "/competencies/{code}/retire",
            post(reviews::retire_competency),
        )
        .route("/competencies/{code}/weights", put(reviews::set_weight))
        .route("/review-cycles", get(reviews::list).post(reviews::create))
        .route("/review-cycles/{id}", patch(reviews::update))
        .route("/review-cycles/{id}/status", post(reviews::set_status))
        .route("/review-cycles/{id}/peers", post(reviews::nominate))
        .route("/review-cycles/{id}/assessments", post(reviews::assess))
        .route(
            "/review-cycles/{id}/results/{employee_id}",
            get(reviews::results),
        )
        .route("/review-raters/{id}/decision", post(reviews::decide))
        .route(
            "/review-cycles/{id}/calibration",
            get(calibration::calibration),
        )
        .route("/review-cycles/{id}/what-if", post(calibration::what_if))
        .route("/review-cycles/{id}/formula", put(calibration::set_formula))
        .route("/review-cycles/{id}/adjustments", post(calibration::adjust))
        .route(
            "/review-cycles/{id}/potential",
            post(calibration::potential),
        )
        .route(
            "/review-cycles/{id}/acknowledgement",
            post(calibration::acknowledge),
        )
        .route(
            "/review-cycles/{id}/clients",
            post(calibration::invite_client),
        )
        .route("/employees/{id}/review-history", get(calibration::history))
        .route("/review-distributions", get(calibration::distributions))
        .route(
            "/report-definitions",
            get(reports::list).post(reports::create),
        )
        .route(
            "/report-definitions/{id}",
            put(reports::update).delete(reports::delete),
        )
        .route("/report-definitions/{id}/report", get(reports::report))
        .route(
            "/report-definitions/{id}/shares",
            get(reports::shares).post(reports::create_share),
        )
        .route(
            "/report-definitions/{id}/schedules",
            get(reports::schedules).post(reports::create_schedule),
        )
        .route("/report-shares/{id}/revoke", post(reports::revoke_share))
        .route("/report-schedules/{id}/stop", post(reports::stop_schedule))
        .route(
            "/competitor-benchmarks",
            get(reports::benchmarks).post(reports::add_benchmark),
        )
        .route(
            "/competitor-benchmarks/import",
            post(reports::import_benchmarks).layer(axum::extract::DefaultBodyLimit::max(
                crate::pages::reports::MAX_UPLOAD,
            )),
        )
        .route(
            "/competitor-benchmarks/{id}",
            delete(reports::delete_benchmark),
        )
}

/// The shape of every error answer.
#[derive(Serialize, ToSchema)]
pub struct ErrorBodyJson {
    pub error: ErrorJson,
}

#[derive(Serialize, ToSchema)]
pub struct ErrorJson {
    /// A stable machine-readable code: not_found, invalid, forbidden,
    /// unauthenticated, bad_token, csrf, wrong_credentials, rate_limited,
    /// conflict, gone, bad_request, internal.
    pub code: String,
    /// What went wrong, for people.
    pub message: String,
    /// For `invalid`: each field and what is wrong with it.
    pub fields: Option<Vec<FieldProblemJson>>,
    /// For `rate_limited`: seconds until the next attempt is allowed.
    pub retry_after_secs: Option<i64>,
    /// The id to quote when reporting a problem.
    pub request_id: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct FieldProblemJson {
    pub field: String,
    pub message: String,
}

struct Security;

impl Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new(
                crate::auth::SESSION_COOKIE,
            ))),
        );
        components.add_security_scheme(
            "token",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// Answers every operation can give before its handler runs, added to
/// each so the document lists every status the API sends: 400 when a path
/// or query parameter cannot be read (an id that is no number), 415 when a
/// body comes without its content type.
struct CommonAnswers;

impl Modify for CommonAnswers {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::{ContentBuilder, Ref, RefOr, ResponseBuilder};
        let answer = |description: &str| {
            RefOr::T(
                ResponseBuilder::new()
                    .description(description)
                    .content(
                        "application/json",
                        ContentBuilder::new()
                            .schema(Some(Ref::from_schema_name("ErrorBodyJson")))
                            .build(),
                    )
                    .build(),
            )
        };
        for item in openapi.paths.paths.values_mut() {
            for operation in [
                &mut item.get,
                &mut item.put,
                &mut item.post,
                &mut item.delete,
                &mut item.patch,
            ]
            .into_iter()
            .flatten()
            {
                let responses = &mut operation.responses.responses;
                if operation.parameters.as_ref().is_some_and(|p| !p.is_empty()) {
                    responses.entry("400".to_string()).or_insert_with(|| {
                        answer("A path or query parameter cannot be read (code bad_request)")
                    });
                }
                if operation.request_body.is_some() {
                    responses
                        .entry("400".to_string())
                        .or_insert_with(|| answer("The body cannot be read (code bad_request)"));
                    responses.entry("422".to_string()).or_insert_with(|| {
                        answer("The body does not fit the operation's schema (code bad_request)")
                    });
                    responses.entry("415".to_string()).or_insert_with(|| {
                        answer("The body was sent without its content type (code bad_request)")
                    });
                }
            }
        }
    }
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "mkpi API",
        description = "Goals, KPIs, 360° reviews and reports for a marketing department. Every list and record is limited to what the caller's role may see: people outside it answer 404.",
    ),
    paths(
        session::login, session::logout, session::me, session::change_password, session::set_locale,
        tokens::list, tokens::create, tokens::revoke,
        employees::list, employees::show, employees::scorecard, employees::personal_data, employees::erase,
        teams::list,
        organisation::company, organisation::update_company, organisation::create_team, organisation::team,
        organisation::update_team, organisation::archive_team, organisation::positions, organisation::create_position,
        organisation::rename_position, organisation::delete_position, organisation::create_employee,
        organisation::update_employee, organisation::transfer, organisation::leave, organisation::return_to_work,
        organisation::memberships, organisation::create_account, organisation::password_link, organisation::set_role,
        users::list, users::create, users::deactivate, users::activate, users::reset_password,
        audit::list,
        ingest::create, imports::list, imports::import, imports::rollback, imports::mappings,
        imports::save_mapping, imports::delete_mapping,
        metrics::list, metrics::create, metrics::value,
        kpis::create, kpis::list, kpis::show, kpis::change_target, kpis::update, kpis::retire,
        check_ins::create, check_ins::list, check_ins::update, check_ins::create_one_on_one, check_ins::one_on_ones, check_ins::update_one_on_one,
        alerts::list, explorer::show, dashboard::dashboard, dashboard::team_card,
        development_actions::create, development_actions::list, development_actions::set_status,
        goals::create, goals::update, goals::smart_check, goals::list, goals::show, goals::set_status,
        goals::add_progress, goals::strategies, goals::create_strategy, goals::update_strategy, goals::archive_strategy, goals::link_campaign,
        goals::swot, goals::add_swot, goals::update_swot, goals::delete_swot,
        campaigns::list, campaigns::show, campaigns::create, campaigns::update, campaigns::change_people,
        tasks::create, tasks::list, tasks::show, tasks::update, tasks::delete, tasks::set_status, tasks::rate, tasks::log_time, tasks::update_time, tasks::delete_time, tasks::link_goal,
        reviews::competencies, reviews::add_competency, reviews::update_competency,
        reviews::retire_competency, reviews::set_weight, reviews::list, reviews::create, reviews::update, reviews::set_status, reviews::nominate,
        reviews::decide, reviews::assess, reviews::results,
        calibration::calibration, calibration::what_if, calibration::set_formula, calibration::adjust,
        calibration::potential, calibration::acknowledge, calibration::invite_client,
        calibration::history, calibration::distributions,
        reports::list, reports::create, reports::update, reports::delete, reports::report, reports::create_share, reports::shares,
        reports::revoke_share, reports::create_schedule, reports::schedules, reports::stop_schedule,
        reports::benchmarks, reports::add_benchmark, reports::import_benchmarks, reports::delete_benchmark,
    ),
    components(schemas(ErrorBodyJson, ErrorJson, FieldProblemJson)),
    modifiers(&Security, &CommonAnswers),
    security(("session" = []), ("token" = [])),
    tags(
        (name = "session", description = "Signing in and one's own account"),
        (name = "organisation", description = "The company, teams, positions and people: read within the caller's scope, changed by the head and admins (managers change their own teams' people)"),
        (name = "users", description = "Accounts (admins)"),
        (name = "audit", description = "Who changed what (admins and the head)"),
        (name = "ingest", description = "Files and JSON batches of facts, the imports made, rollback and saved mappings (admins)"),
        (name = "metrics", description = "The metric catalogue, values per scope and period, and KPIs"),
        (name = "reviews", description = "Review cycles, 360° assessments with anonymous peers and clients, results by formula, calibration and dynamics"),
        (name = "campaigns", description = "Campaigns and whose results they are: owners and contributors with shares, changed from a day on"),
        (name = "goals", description = "Goals with SMART checks and progress, strategies, SWOT and tasks"),
        (name = "reports", description = "Report definitions, reports in every format, share links, scheduled delivery and competitor figures"),
    )
)]
pub struct ApiDoc;

pub async fn openapi_json() -> axum::Json<utoipa::openapi::OpenApi> {
    axum::Json(ApiDoc::openapi())
}
