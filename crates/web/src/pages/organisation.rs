//! Setting the department up: the first run (`/setup`), the checklist a new
//! admin follows (`/start`), the organisation page (company, teams,
//! positions), adding and changing people (`/employees/new`,
//! `/employees/{id}/edit`) and the one-time link through which a person
//! sets their own password (`/password/{token}`).
//!
//! A form that fails keeps what was typed and shows each problem next to
//! its field.

use std::collections::BTreeMap;

use axum::Form;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use minijinja::context;
use minijinja::value::Value;
use mkpi_domain::{Locale, Role};
use mkpi_services::organisation::{CompanyInput, SetupInput, TeamInput};
use mkpi_services::people::{EmployeeInput, TransferInput};
use mkpi_services::users::{InviteInput, Principal};
use mkpi_services::{Actor, Error, FieldProblem};
use serde::{Deserialize, Serialize};

use super::{layout, ser};
use crate::AppState;
use crate::auth::{Auth, ClientIp, LOGIN_CSRF_COOKIE, Lang, set_cookie};
use crate::error::WebError;

/// Each field's problems, for the template to show next to the field.
fn by_field(state: &AppState, lang: Locale, problems: &[FieldProblem]) -> BTreeMap<String, String> {
    super::field_errors(state, lang, problems)
}

/// An optional id from a form's select (empty: none), named by its field.
fn opt_id(field: &str, raw: &str) -> Result<Option<i64>, Error> {
    let mut problems = Vec::new();
    let id = super::goals::id(field, raw, &mut problems);
    if problems.is_empty() {
        Ok(id)
    } else {
        Err(Error::Invalid(problems))
    }
}

// ---------------------------------------------------------------- setup

#[derive(Deserialize, Serialize, Default)]
pub struct SetupForm {
    #[serde(default, skip_serializing)]
    csrf: String,
    #[serde(default)]
    company: String,
    #[serde(default)]
    department: String,
    #[serde(default)]
    currency: String,
    #[serde(default)]
    time_zone: String,
    #[serde(default)]
    fiscal_year_start_month: String,
    #[serde(default)]
    locale: String,
    #[serde(default)]
    login: String,
    #[serde(default, skip_serializing)]
    password: String,
}

fn render_setup(
    state: &AppState,
    headers: &HeaderMap,
    lang: Locale,
    status: StatusCode,
    form: &SetupForm,
    errors: &BTreeMap<String, String>,
    message: Option<String>,
) -> Result<Response, WebError> {
    // The same double-submit guard as the sign-in form: nobody is signed in yet.
    let token = super::session::pre_session_token(headers);
    let html = state.templates().render(
        "setup.html",
        context! {
            ..layout(lang, None, "setup", "/setup"),
            ..context! {
                csrf => token.clone(),
                form => ser(form),
                errors => ser(errors),
                message => message,
                months => (1..=12).collect::<Vec<i64>>(),
            },
        },
    )?;
    let response = (status, Html(html)).into_response();
    Ok(super::session::with_pre_session_cookie(
        state, response, &token,
    ))
}

/// The first run's form; gone for good (404) once an account exists.
pub async fn setup_form(
    State(state): State<AppState>,
    headers: HeaderMap,
    Lang(lang): Lang,
) -> Result<Response, WebError> {
    if !state.services.needs_setup().await? {
        return Err(Error::NotFound.into());
    }
    let form = SetupForm {
        currency: "RUB".into(),
        time_zone: "Europe/Moscow".into(),
        fiscal_year_start_month: "1".into(),
        locale: lang.as_str().into(),
        department: match lang {
            Locale::Ru => "Маркетинг".into(),
            Locale::En => "Marketing".into(),
        },
        ..SetupForm::default()
    };
    render_setup(
        &state,
        &headers,
        lang,
        StatusCode::OK,
        &form,
        &BTreeMap::new(),
        None,
    )
}

pub async fn setup(
    State(state): State<AppState>,
    headers: HeaderMap,
    Lang(lang): Lang,
    ClientIp(ip): ClientIp,
    Form(form): Form<SetupForm>,
) -> Result<Response, WebError> {
    if !state.services.needs_setup().await? {
        return Err(Error::NotFound.into());
    }
    if !super::session::pre_session_ok(&headers, &form.csrf) {
        let msg = state.i18n().text(lang, "login-csrf", None);
        return render_setup(
            &state,
            &headers,
            lang,
            StatusCode::FORBIDDEN,
            &form,
            &BTreeMap::new(),
            Some(msg),
        );
    }
    let input = SetupInput {
        company: CompanyInput {
            name: form.company.clone(),
            currency: form.currency.clone(),
            time_zone: form.time_zone.clone(),
            fiscal_year_start_month: form.fiscal_year_start_month.clone(),
            locale: form.locale.clone(),
        },
        department: form.department.clone(),
        admin_login: form.login.clone(),
        admin_password: form.password.clone(),
    };
    match state.services.setup(input).await {
        Ok(()) => {}
        Err(Error::Invalid(problems)) => {
            return render_setup(
                &state,
                &headers,
                lang,
                StatusCode::UNPROCESSABLE_ENTITY,
                &form,
                &by_field(&state, lang, &problems),
                None,
            );
        }
        // Someone finished the setup first.
        Err(Error::Conflict(_)) => return Err(Error::NotFound.into()),
        Err(e) => return Err(e.into()),
    }
    // The new admin is signed in and taken to the checklist.
    let outcome = state
        .services
        .login(&form.login, &form.password, &ip)
        .await?;
    let mut response = Redirect::to("/start").into_response();
    response.headers_mut().append(
        header::SET_COOKIE,
        state.session_cookie(Some(&outcome.session_cookie)),
    );
    response.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(LOGIN_CSRF_COOKIE, "", Some(0), true, state.secure_cookies()),
    );
    Ok(response)
}

/// The first steps of a new department, each with where to take it.
pub async fn start(
    State(state): State<AppState>,
    Lang(lang): Lang,
    Auth(actor): Auth,
) -> Result<Html<String>, WebError> {
    let c = state.services.checklist(&actor).await?;
    let steps = vec![
        step("company", c.company, None, "/organisation#company"),
        step("teams", c.teams > 0, Some(c.teams), "/organisation#teams"),
        step("people", c.people > 0, Some(c.people), "/employees/new"),
        step("accounts", c.accounts > 0, Some(c.accounts), "/employees"),
        step("import", c.imports > 0, Some(c.imports), "/imports"),
        step("kpi", c.kpis > 0, Some(c.kpis), "/metrics#kpis"),
    ];
    let done = steps.iter().filter(|s| s.done).count();
    let html = state.templates().render(
        "start.html",
        context! {
            ..layout(lang, Some(&actor), "start", "/start"),
            ..context! { steps => ser(&steps), done => done, total => steps.len(), admin => actor.role == Role::Admin },
        },
    )?;
    Ok(Html(html))
}

#[derive(Serialize)]
struct Step {
    key: &'static str,
    done: bool,
    count: Option<i64>,
    href: &'static str,
}

fn step(key: &'static str, done: bool, count: Option<i64>, href: &'static str) -> Step {
    Step {
        key,
        done,
        count,
        href,
    }
}

// ---------------------------------------------------------------- organisation page

#[derive(Deserialize, Serialize, Default, Clone)]
pub struct CompanyForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    currency: String,
    #[serde(default)]
    time_zone: String,
    #[serde(default)]
    fiscal_year_start_month: String,
    #[serde(default)]
    locale: String,
}

#[derive(Deserialize, Serialize, Default, Clone)]
pub struct TeamForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    parent_id: String,
    #[serde(default)]
    manager_id: String,
}

#[derive(Deserialize, Serialize, Default, Clone)]
pub struct PositionForm {
    #[serde(default)]
    name: String,
}

/// What failed on the organisation page, and where.
#[derive(Default)]
struct OrgFailure {
    /// Which form: company, new-team, team-{id}, position.
    form: String,
    errors: BTreeMap<String, String>,
    company: Option<CompanyForm>,
    team: Option<TeamForm>,
    position: Option<PositionForm>,
    message: Option<String>,
}

async fn render_org(
    state: &AppState,
    lang: Locale,
    actor: &Actor,
    status: StatusCode,
    failure: OrgFailure,
    notice: Option<String>,
) -> Result<Response, WebError> {
    if !matches!(actor.role, Role::Admin | Role::Head) {
        return Err(Error::Forbidden.into());
    }
    let company = state.services.company().await?;
    let company_form = failure.company.clone().unwrap_or_else(|| match &company {
        Some(c) => CompanyForm {
            name: c.name.clone(),
            currency: c.currency.clone(),
            time_zone: c.time_zone.clone(),
            fiscal_year_start_month: c.fiscal_year_start_month.to_string(),
            locale: c.locale.clone(),
        },
        None => CompanyForm {
            currency: "RUB".into(),
            time_zone: "Europe/Moscow".into(),
            fiscal_year_start_month: "1".into(),
            locale: lang.as_str().into(),
            ..CompanyForm::default()
        },
    });
    let teams: Vec<crate::api::teams::TeamJson> = state
        .services
        .list_teams(actor)
        .await?
        .into_iter()
        .map(Into::into)
        .collect();
    // The tree as rows with their depth, parents before children.
    let mut rows = Vec::new();
    fn walk(
        teams: &[crate::api::teams::TeamJson],
        parent: Option<i64>,
        depth: usize,
        rows: &mut Vec<serde_json::Value>,
    ) {
        for t in teams.iter().filter(|t| t.parent_id == parent) {
            rows.push(serde_json::json!({
                "id": t.id, "name": t.name, "parent_id": t.parent_id, "manager_id": t.manager_id,
                "manager_name": t.manager_name, "member_count": t.member_count,
                "archived": t.archived, "depth": depth,
            }));
            if depth < 20 {
                walk(teams, Some(t.id), depth + 1, rows);
            }
        }
    }
    walk(&teams, None, 0, &mut rows);
    let people: Vec<_> = state
        .services
        .list_employees(actor)
        .await?
        .into_iter()
        .filter(|e| e.active)
        .map(|e| serde_json::json!({"id": e.id, "name": e.name}))
        .collect();
    let positions: Vec<crate::api::organisation::PositionJson> = state
        .services
        .list_positions(actor)
        .await?
        .into_iter()
        .map(Into::into)
        .collect();
    let html = state.templates().render(
        "organisation.html",
        context! {
            ..layout(lang, Some(actor), "organisation", "/organisation"),
            ..context! {
                company => ser(&company_form),
                teams => ser(&rows),
                people => ser(&people),
                positions => ser(&positions),
                failed => failure.form,
                errors => ser(&failure.errors),
                team_form => ser(failure.team.unwrap_or_default()),
                position_form => ser(failure.position.unwrap_or_default()),
                message => failure.message,
                notice => notice,
                months => (1..=12).collect::<Vec<i64>>(),
            },
        },
    )?;
    Ok((status, Html(html)).into_response())
}

pub async fn show(
    State(state): State<AppState>,
    Lang(lang): Lang,
    Auth(actor): Auth,
) -> Result<Response, WebError> {
    render_org(
        &state,
        lang,
        &actor,
        StatusCode::OK,
        OrgFailure::default(),
        None,
    )
    .await
}

/// Renders the page again with what failed, or passes other errors on.
async fn org_outcome<T>(
    state: &AppState,
    lang: Locale,
    actor: &Actor,
    result: Result<T, Error>,
    failure: OrgFailure,
    anchor: &str,
) -> Result<Response, WebError> {
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/organisation{anchor}")).into_response()),
        Err(Error::Invalid(problems)) => {
            let failure = OrgFailure {
                errors: by_field(state, lang, &problems),
                ..failure
            };
            render_org(
                state,
                lang,
                actor,
                StatusCode::UNPROCESSABLE_ENTITY,
                failure,
                None,
            )
            .await
        }
        Err(Error::Conflict(message)) => {
            let failure = OrgFailure {
                message: Some(message),
                ..failure
            };
            render_org(state, lang, actor, StatusCode::CONFLICT, failure, None).await
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn update_company(
    State(state): State<AppState>,
    Lang(lang): Lang,
    Auth(actor): Auth,
    Form(form): Form<CompanyForm>,
) -> Result<Response, WebError> {
    let input = CompanyInput {
        name: form.name.clone(),
        currency: form.currency.clone(),
        time_zone: form.time_zone.clone(),
        fiscal_year_start_month: form.fiscal_year_start_month.clone(),
        locale: form.locale.clone(),
    };
    let result = state.services.update_company(&actor, input).await;
    let failure = OrgFailure {
        form: "company".into(),
        company: Some(form),
        ..OrgFailure::default()
    };
    org_outcome(&state, lang, &actor, result, failure, "#company").await
}

fn team_input(form: &TeamForm) -> Result<TeamInput, Error> {
    Ok(TeamInput {
        name: form.name.clone(),
        parent_id: opt_id("parent_id", &form.parent_id)?,
        manager_id: opt_id("manager_id", &form.manager_id)?,
    })
}

pub async fn create_team(
    State(state): State<AppState>,
    Lang(lang): Lang,
    Auth(actor): Auth,
    Form(form): Form<TeamForm>,
) -> Result<Response, WebError> {
    let result = match team_input(&form) {
        Ok(input) => state.services.create_team(&actor, input).await,
        Err(e) => Err(e),
    };
    let failure = OrgFailure {
        form: "new-team".into(),
        team: Some(form),
        ..OrgFailure::default()
    };
    org_outcome(&state, lang, &actor, result, failure, "#teams").await
}

pub async fn update_team(
    State(state): State<AppState>,
    Lang(lang): Lang,
    Auth(actor): Auth,
    Path(id): Path<i64>,
    Form(form): Form<TeamForm>,
) -> Result<Response, WebError> {
    let result = match team_input(&form) {
        Ok(input) => state.services.update_team(&actor, id, input).await,
        Err(e) => Err(e),
    };
    let failure = OrgFailure {
        form: format!("team-{id}"),
        team: Some(form),
        ..OrgFailure::default()
    };
    org_outcome(&state, lang, &actor, result, failure, "#teams").await
}

pub async fn archive_team(
    State(state): State<AppState>,
    Lang(lang): Lang,
    Auth(actor): Auth,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let result = state.services.archive_team(&actor, id).await;
    let failure = OrgFailure {
        form: format!("team-{id}"),
        ..OrgFailure::default()
    };
    org_outcome(&state, lang, &actor, result, failure, "#teams").await
}

pub async fn create_position(
    State(state): State<AppState>,
    Lang(lang): Lang,
    Auth(actor): Auth,
    Form(form): Form<PositionForm>,
) -> Result<Response, WebError> {
    let result = state.services.create_position(&actor, &form.name).await;
    let failure = OrgFailure {
        form: "position".into(),
        position: Some(form),
        ..OrgFailure::default()
    };
    org_outcome(&state, lang, &actor, result, failure, "#positions").await
}

pub async fn delete_position(
    State(state): State<AppState>,
    Lang(lang): Lang,
    Auth(actor): Auth,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let result = state.services.delete_position(&actor, id).await;
    let failure = OrgFailure {
        form: "position".into(),
        ..OrgFailure::default()
    };
    org_outcome(&state, lang, &actor, result, failure, "#positions").await
}

// ---------------------------------------------------------------- people

#[derive(Deserialize, Serialize, Default, Clone)]
pub struct PersonForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    position: String,
    #[serde(default)]
    team_id: String,
    #[serde(default)]
    manager_id: String,
    #[serde(default)]
    hire_date: String,
}

#[derive(Deserialize, Serialize, Default, Clone)]
pub struct TransferForm {
    #[serde(default)]
    team_id: String,
    #[serde(default)]
    effective_on: String,
    #[serde(default)]
    manager_id: String,
}

#[derive(Deserialize, Serialize, Default, Clone)]
pub struct LeaveForm {
    #[serde(default)]
    last_day: String,
    #[serde(default)]
    first_day: String,
    #[serde(default)]
    team_id: String,
}

#[derive(Deserialize, Serialize, Default, Clone)]
pub struct AccountForm {
    #[serde(default)]
    login: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    locale: String,
}

/// The choices the people forms offer: teams the actor may place people
/// in, people who may manage, positions.
async fn choices(state: &AppState, actor: &Actor) -> Result<Value, WebError> {
    let teams: Vec<_> = state
        .services
        .list_teams(actor)
        .await?
        .into_iter()
        .filter(|t| t.archived_at.is_none())
        .map(|t| serde_json::json!({"id": t.id, "name": t.name}))
        .collect();
    let people: Vec<_> = state
        .services
        .list_employees(actor)
        .await?
        .into_iter()
        .filter(|e| e.active)
        .map(|e| serde_json::json!({"id": e.id, "name": e.name}))
        .collect();
    let positions: Vec<String> = state
        .services
        .list_positions(actor)
        .await?
        .into_iter()
        .map(|p| p.name)
        .collect();
    Ok(context! { teams => ser(&teams), managers => ser(&people), positions => ser(&positions) })
}

pub async fn new_person(
    State(state): State<AppState>,
    Lang(lang): Lang,
    Auth(actor): Auth,
) -> Result<Response, WebError> {
    render_new_person(
        &state,
        lang,
        &actor,
        StatusCode::OK,
        &PersonForm::default(),
        &BTreeMap::new(),
    )
    .await
}

async fn render_new_person(
    state: &AppState,
    lang: Locale,
    actor: &Actor,
    status: StatusCode,
    form: &PersonForm,
    errors: &BTreeMap<String, String>,
) -> Result<Response, WebError> {
    if !matches!(actor.role, Role::Admin | Role::Head | Role::Manager) {
        return Err(Error::Forbidden.into());
    }
    let today = state.services.clock().today();
    let html = state.templates().render(
        "employee_new.html",
        context! {
            ..layout(lang, Some(actor), "employees", "/employees/new"),
            ..choices(state, actor).await?,
            ..context! { form => ser(form), errors => ser(errors), today => today },
        },
    )?;
    Ok((status, Html(html)).into_response())
}

pub async fn create_person(
    State(state): State<AppState>,
    Lang(lang): Lang,
    Auth(actor): Auth,
    Form(form): Form<PersonForm>,
) -> Result<Response, WebError> {
    let input = (|| {
        Ok::<_, Error>(EmployeeInput {
            name: form.name.clone(),
            email: form.email.clone(),
            position: form.position.clone(),
            team_id: opt_id("team_id", &form.team_id)?,
            manager_id: opt_id("manager_id", &form.manager_id)?,
            hire_date: form.hire_date.clone(),
        })
    })();
    let result = match input {
        Ok(input) => state.services.create_employee(&actor, input).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(row) => Ok(Redirect::to(&format!("/employees/{}/edit", row.id)).into_response()),
        Err(Error::Invalid(problems)) => {
            render_new_person(
                &state,
                lang,
                &actor,
                StatusCode::UNPROCESSABLE_ENTITY,
                &form,
                &by_field(&state, lang, &problems),
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

/// What failed on a person's edit page.
#[derive(Default)]
struct PersonFailure {
    form: &'static str,
    errors: BTreeMap<String, String>,
    person: Option<PersonForm>,
    transfer: Option<TransferForm>,
    leave: Option<LeaveForm>,
    account: Option<AccountForm>,
}

async fn render_edit(
    state: &AppState,
    lang: Locale,
    actor: &Actor,
    id: i64,
    status: StatusCode,
    failure: PersonFailure,
    link: Option<mkpi_services::users::PasswordLink>,
) -> Result<Response, WebError> {
    let person = state.services.get_employee(actor, id).await?;
    let may_change = state.services.may_change_employee(actor, &person);
    let is_admin = actor.role == Role::Admin;
    if !may_change && !is_admin {
        return Err(Error::Forbidden.into());
    }
    let stints: Vec<crate::api::organisation::MembershipJson> = state
        .services
        .employee_memberships(actor, id)
        .await?
        .into_iter()
        .map(Into::into)
        .collect();
    let account = if is_admin {
        state
            .services
            .list_users(Principal::User(actor))
            .await?
            .into_iter()
            .find(|u| u.employee_id == Some(id))
            .map(crate::api::users::UserJson::from)
    } else {
        None
    };
    let person_form = failure.person.clone().unwrap_or_else(|| PersonForm {
        name: person.name.clone(),
        email: person.email.clone(),
        position: person.position.clone(),
        team_id: person.team_id.map(|t| t.to_string()).unwrap_or_default(),
        manager_id: person.manager_id.map(|m| m.to_string()).unwrap_or_default(),
        hire_date: person.hire_date.clone(),
    });
    let today = state.services.clock().today();
    let link_url = link.as_ref().and_then(|l| l.path.clone());
    let mailed_to = link.as_ref().and_then(|l| l.mailed_to.clone());
    let path = format!("/employees/{id}/edit");
    let html = state.templates().render(
        "employee_edit.html",
        context! {
            ..layout(lang, Some(actor), "employees", &path),
            ..choices(state, actor).await?,
            ..context! {
                person => ser(crate::api::employees::EmployeeJson::from(person)),
                form => ser(&person_form),
                transfer => ser(failure.transfer.clone().unwrap_or_default()),
                leave => ser(failure.leave.clone().unwrap_or_default()),
                account_form => ser(failure.account.clone().unwrap_or_default()),
                failed => failure.form,
                errors => ser(&failure.errors),
                stints => ser(&stints),
                account => ser(&account),
                may_change => may_change,
                is_admin => is_admin,
                mails => state.services.mails(),
                link => link_url,
                mailed_to => mailed_to,
                roles => ser(Role::ALL.map(Role::as_str)),
                today => today,
            },
        },
    )?;
    Ok((status, Html(html)).into_response())
}

pub async fn edit_person(
    State(state): State<AppState>,
    Lang(lang): Lang,
    Auth(actor): Auth,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    render_edit(
        &state,
        lang,
        &actor,
        id,
        StatusCode::OK,
        PersonFailure::default(),
        None,
    )
    .await
}

async fn person_outcome<T>(
    state: &AppState,
    lang: Locale,
    actor: &Actor,
    id: i64,
    result: Result<T, Error>,
    failure: PersonFailure,
) -> Result<Response, WebError> {
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/employees/{id}/edit")).into_response()),
        Err(Error::Invalid(problems)) => {
            let failure = PersonFailure {
                errors: by_field(state, lang, &problems),
                ..failure
            };
            render_edit(
                state,
                lang,
                actor,
                id,
                StatusCode::UNPROCESSABLE_ENTITY,
                failure,
                None,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn update_person(
    State(state): State<AppState>,
    Lang(lang): Lang,
    Auth(actor): Auth,
    Path(id): Path<i64>,
    Form(form): Form<PersonForm>,
) -> Result<Response, WebError> {
    let result = match opt_id("manager_id", &form.manager_id) {
        Ok(manager_id) => {
            let input = EmployeeInput {
                name: form.name.clone(),
                email: form.email.clone(),
                position: form.position.clone(),
                team_id: None,
                manager_id,
                hire_date: form.hire_date.clone(),
            };
            state.services.update_employee(&actor, id, input).await
        }
        Err(e) => Err(e),
    };
    let failure = PersonFailure {
        form: "person",
        person: Some(form),
        ..PersonFailure::default()
    };
    person_outcome(&state, lang, &actor, id, result, failure).await
}

pub async fn transfer_person(
    State(state): State<AppState>,
    Lang(lang): Lang,
    Auth(actor): Auth,
    Path(id): Path<i64>,
    Form(form): Form<TransferForm>,
) -> Result<Response, WebError> {
    let input = (|| {
        let team_id = opt_id("team_id", &form.team_id)?
            .ok_or_else(|| Error::invalid("team_id", "choose the team to move to"))?;
        Ok::<_, Error>(TransferInput {
            team_id,
            effective_on: form.effective_on.clone(),
            manager_id: opt_id("manager_id", &form.manager_id)?,
        })
    })();
    let result = match input {
        Ok(input) => state.services.transfer_employee(&actor, id, input).await,
        Err(e) => Err(e),
    };
    let failure = PersonFailure {
        form: "transfer",
        transfer: Some(form),
        ..PersonFailure::default()
    };
    person_outcome(&state, lang, &actor, id, result, failure).await
}

pub async fn leave_person(
    State(state): State<AppState>,
    Lang(lang): Lang,
    Auth(actor): Auth,
    Path(id): Path<i64>,
    Form(form): Form<LeaveForm>,
) -> Result<Response, WebError> {
    let result = state
        .services
        .employee_leaves(&actor, id, &form.last_day)
        .await;
    let failure = PersonFailure {
        form: "leave",
        leave: Some(form),
        ..PersonFailure::default()
    };
    person_outcome(&state, lang, &actor, id, result, failure).await
}

pub async fn return_person(
    State(state): State<AppState>,
    Lang(lang): Lang,
    Auth(actor): Auth,
    Path(id): Path<i64>,
    Form(form): Form<LeaveForm>,
) -> Result<Response, WebError> {
    let result = match opt_id("team_id", &form.team_id) {
        Ok(team) => {
            state
                .services
                .employee_returns(&actor, id, &form.first_day, team)
                .await
        }
        Err(e) => Err(e),
    };
    let failure = PersonFailure {
        form: "return",
        leave: Some(form),
        ..PersonFailure::default()
    };
    person_outcome(&state, lang, &actor, id, result, failure).await
}

/// Creates the person's account; the set-password link is shown on this
/// answer only (or mailed, with mail set up).
pub async fn create_account(
    State(state): State<AppState>,
    Lang(lang): Lang,
    Auth(actor): Auth,
    Path(id): Path<i64>,
    Form(form): Form<AccountForm>,
) -> Result<Response, WebError> {
    let input = InviteInput {
        login: form.login.clone(),
        role: form.role.clone(),
        employee_id: Some(id),
        locale: Some(form.locale.clone()),
    };
    match state
        .services
        .invite_user(Principal::User(&actor), input)
        .await
    {
        Ok(link) => {
            render_edit(
                &state,
                lang,
                &actor,
                id,
                StatusCode::OK,
                PersonFailure::default(),
                Some(link),
            )
            .await
        }
        Err(Error::Invalid(problems)) => {
            let failure = PersonFailure {
                form: "account",
                errors: by_field(&state, lang, &problems),
                account: Some(form),
                ..PersonFailure::default()
            };
            render_edit(
                &state,
                lang,
                &actor,
                id,
                StatusCode::UNPROCESSABLE_ENTITY,
                failure,
                None,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

/// A new set-password link for the person's account, shown once.
pub async fn renew_link(
    State(state): State<AppState>,
    Lang(lang): Lang,
    Auth(actor): Auth,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let user = state
        .services
        .list_users(Principal::User(&actor))
        .await?
        .into_iter()
        .find(|u| u.employee_id == Some(id))
        .ok_or(Error::NotFound)?;
    let link = state
        .services
        .password_link(Principal::User(&actor), user.id)
        .await?;
    render_edit(
        &state,
        lang,
        &actor,
        id,
        StatusCode::OK,
        PersonFailure::default(),
        Some(link),
    )
    .await
}

// ---------------------------------------------------------------- set password by link

#[derive(Deserialize, Default)]
pub struct PasswordForm {
    #[serde(default)]
    password: String,
    #[serde(default)]
    repeat: String,
}

fn render_password(
    state: &AppState,
    lang: Locale,
    status: StatusCode,
    login: Option<&str>,
    token: &str,
    error: Option<String>,
) -> Result<Response, WebError> {
    let html = state.templates().render(
        "password.html",
        context! {
            ..layout(lang, None, "password", "/password"),
            ..context! { login => login, token => token, error => error },
        },
    )?;
    Ok((status, Html(html)).into_response())
}

pub async fn password_form(
    State(state): State<AppState>,
    Lang(lang): Lang,
    Path(token): Path<String>,
) -> Result<Response, WebError> {
    let login = state.services.password_link_login(&token).await?;
    render_password(&state, lang, StatusCode::OK, Some(&login), &token, None)
}

pub async fn set_password(
    State(state): State<AppState>,
    Lang(lang): Lang,
    Path(token): Path<String>,
    Form(form): Form<PasswordForm>,
) -> Result<Response, WebError> {
    let login = state.services.password_link_login(&token).await?;
    if form.password != form.repeat {
        let msg = state.i18n().text(lang, "password-mismatch", None);
        return render_password(
            &state,
            lang,
            StatusCode::UNPROCESSABLE_ENTITY,
            Some(&login),
            &token,
            Some(msg),
        );
    }
    match state
        .services
        .set_password_by_link(&token, &form.password)
        .await
    {
        Ok(_) => Ok(Redirect::to("/login?password=set").into_response()),
        Err(Error::Invalid(problems)) => render_password(
            &state,
            lang,
            StatusCode::UNPROCESSABLE_ENTITY,
            Some(&login),
            &token,
            Some(
                problems
                    .into_iter()
                    .map(|p| p.message)
                    .collect::<Vec<_>>()
                    .join("; "),
            ),
        ),
        Err(e) => Err(e.into()),
    }
}
