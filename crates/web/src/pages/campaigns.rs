//! Campaigns: the list (searched, in pages, as CSV), a campaign's page with
//! its people now and before, and the forms that set one up and change it.

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use minijinja::context;
use serde::{Deserialize, Serialize};
use serde_json::{Value as Json, json};

use mkpi_domain::{Locale, Role};
use mkpi_services::campaigns::{CampaignInput, CampaignView, SharesInput};
use mkpi_services::{Actor, Error, FieldProblem};

use super::goals::number;
use super::{field_errors, layout, ser};
use crate::AppState;
use crate::auth::{Auth, Lang};
use crate::error::WebError;
use crate::paging::{PageQuery, csv_download, pager, paginate};

#[derive(Deserialize, Default)]
pub struct ListQuery {
    #[serde(default)]
    q: Option<String>,
    page: Option<usize>,
    /// `csv`: the rows found, as a file.
    format: Option<String>,
}

pub async fn list(
    State(state): State<AppState>,
    Lang(lang): Lang,
    Auth(actor): Auth,
    Query(query): Query<ListQuery>,
) -> Result<Response, WebError> {
    let paging = PageQuery {
        q: query.q.clone(),
        page: query.page,
        per_page: None,
    };
    let all = state
        .services
        .list_campaigns(&actor, paging.search())
        .await?;
    let money = |minor: Option<i64>, currency: Option<&str>| match (minor, currency) {
        (Some(m), Some(c)) => lang.format_money(m, c),
        _ => String::new(),
    };
    if query.format.as_deref() == Some("csv") {
        let rows: Vec<Vec<String>> = all
            .iter()
            .map(|c| {
                vec![
                    c.id.to_string(),
                    c.external_id.clone(),
                    c.name.clone(),
                    c.platform.clone().unwrap_or_default(),
                    c.channel.clone().unwrap_or_default(),
                    c.owner_name.clone().unwrap_or_default(),
                    c.budget_minor
                        .map(|b| format!("{:.2}", b as f64 / 100.0))
                        .unwrap_or_default(),
                    c.currency.clone().unwrap_or_default(),
                    c.start_date.clone().unwrap_or_default(),
                    c.end_date.clone().unwrap_or_default(),
                ]
            })
            .collect();
        return csv_download(
            "campaigns",
            &[
                "id",
                "external_id",
                "name",
                "platform",
                "channel",
                "owner",
                "budget",
                "currency",
                "start",
                "end",
            ],
            &rows,
        );
    }
    let page = paginate(all, &paging);
    let rows: Vec<Json> = page
        .items
        .iter()
        .map(|c| {
            json!({
                "id": c.id, "name": c.name, "external_id": c.external_id,
                "platform": c.platform, "channel": c.channel,
                "owner_id": c.owner_employee_id, "owner": c.owner_name,
                "budget": money(c.budget_minor, c.currency.as_deref()),
                "start": c.start_date, "end": c.end_date,
            })
        })
        .collect();
    let html = state.templates().render(
        "campaigns.html",
        context! {
            ..layout(lang, Some(&actor), "campaigns", "/campaigns"),
            ..context! {
                campaigns => ser(&rows),
                q => paging.search(),
                pager => ser(pager("/campaigns", &page, &[("q", paging.search())])),
                can_add => matches!(actor.role, Role::Admin | Role::Head | Role::Manager),
            },
        },
    )?;
    Ok(Html(html).into_response())
}

/// A campaign's own fields as typed.
#[derive(Deserialize, Serialize, Default, Clone)]
pub struct CampaignForm {
    #[serde(default)]
    external_id: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    platform: String,
    #[serde(default)]
    channel: String,
    #[serde(default)]
    budget: String,
    #[serde(default)]
    currency: String,
    #[serde(default)]
    start: String,
    #[serde(default)]
    end: String,
    #[serde(default)]
    goal_id: String,
    #[serde(default)]
    strategy_id: String,
}

fn text(s: &str) -> Option<String> {
    Some(s.trim().to_string()).filter(|s| !s.is_empty())
}

impl CampaignForm {
    fn input(&self, problems: &mut Vec<FieldProblem>) -> CampaignInput {
        CampaignInput {
            external_id: text(&self.external_id),
            name: self.name.clone(),
            platform: text(&self.platform),
            channel: text(&self.channel),
            budget: number("budget", &self.budget, problems),
            currency: text(&self.currency),
            start: text(&self.start),
            end: text(&self.end),
            goal_id: super::goals::id("goal_id", &self.goal_id, problems),
            strategy_id: super::goals::id("strategy_id", &self.strategy_id, problems),
        }
    }

    fn of(view: &CampaignView) -> Self {
        let c = &view.campaign;
        CampaignForm {
            external_id: c.external_id.clone(),
            name: c.name.clone(),
            platform: c.platform.clone().unwrap_or_default(),
            channel: c.channel.clone().unwrap_or_default(),
            budget: c
                .budget_minor
                .map(|b| format!("{:.2}", b as f64 / 100.0))
                .unwrap_or_default(),
            currency: c.currency.clone().unwrap_or_default(),
            start: c.start_date.clone().unwrap_or_default(),
            end: c.end_date.clone().unwrap_or_default(),
            goal_id: c.goal_id.map(|g| g.to_string()).unwrap_or_default(),
            strategy_id: c.strategy_id.map(|s| s.to_string()).unwrap_or_default(),
        }
    }
}

/// The owner and contributors as typed: `owner_employee_id`,
/// `contributor_{i}_id`, `contributor_{i}_share` (percent) and
/// `effective_on`.
#[derive(Serialize, Default, Clone)]
pub struct PeopleForm {
    owner_employee_id: String,
    /// (employee id, share) as typed.
    contributors: Vec<(String, String)>,
    effective_on: String,
}

/// Empty contributor lines a form offers after the filled ones.
const SPARE_LINES: usize = 2;

impl PeopleForm {
    fn from_pairs(pairs: &[(String, String)]) -> Self {
        let get = |k: &str| super::form_value(pairs, k);
        let mut contributors = Vec::new();
        for i in 0.. {
            let id_key = format!("contributor_{i}_id");
            if !pairs.iter().any(|(k, _)| *k == id_key) {
                break;
            }
            contributors.push((get(&id_key), get(&format!("contributor_{i}_share"))));
        }
        PeopleForm {
            owner_employee_id: get("owner_employee_id"),
            contributors,
            effective_on: get("effective_on"),
        }
    }

    fn input(&self, problems: &mut Vec<FieldProblem>) -> SharesInput {
        let mut contributors = Vec::new();
        for (i, (id, share)) in self.contributors.iter().enumerate() {
            if id.trim().is_empty() && share.trim().is_empty() {
                continue;
            }
            let field = format!("contributors[{i}]");
            let person = super::goals::id(&field, id, problems);
            let percent = number(&field, share, problems);
            match (person, percent) {
                (Some(p), Some(s)) => contributors.push((p, s)),
                (None, _) if id.trim().is_empty() => problems.push(FieldProblem::new(
                    &field,
                    "choose the person the share is for",
                )),
                (_, None) if share.trim().is_empty() => problems.push(FieldProblem::new(
                    &field,
                    "give the person's share in percent",
                )),
                _ => {}
            }
        }
        SharesInput {
            owner_employee_id: super::goals::id(
                "owner_employee_id",
                &self.owner_employee_id,
                problems,
            ),
            contributors,
            effective_on: text(&self.effective_on),
        }
    }

    fn of(view: &CampaignView, today: &str) -> Self {
        PeopleForm {
            owner_employee_id: view
                .shares
                .iter()
                .find(|s| s.is_owner)
                .map(|s| s.employee_id.to_string())
                .unwrap_or_default(),
            contributors: view
                .shares
                .iter()
                .filter(|s| !s.is_owner)
                .map(|s| (s.employee_id.to_string(), percent(s.share_bp)))
                .collect(),
            effective_on: today.to_string(),
        }
    }

    /// The lines the form shows: the typed ones and spare empty ones.
    fn lines(&self) -> Vec<(String, String)> {
        let mut lines = self.contributors.clone();
        lines.extend(std::iter::repeat_n(
            (String::new(), String::new()),
            SPARE_LINES,
        ));
        lines
    }
}

fn percent(bp: i64) -> String {
    let whole = bp / 100;
    match bp % 100 {
        0 => whole.to_string(),
        rest => format!("{whole}.{rest:02}"),
    }
}

pub async fn show(
    State(state): State<AppState>,
    Lang(lang): Lang,
    Auth(actor): Auth,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let view = state.services.get_campaign(&actor, id).await?;
    render(&state, lang, &actor, Some(view), Failed::None).await
}

pub async fn new(
    State(state): State<AppState>,
    Lang(lang): Lang,
    Auth(actor): Auth,
) -> Result<Response, WebError> {
    if !matches!(actor.role, Role::Admin | Role::Head | Role::Manager) {
        return Err(Error::Forbidden.into());
    }
    render(&state, lang, &actor, None, Failed::None).await
}

/// A new campaign: its fields and its people from the start in one form.
pub async fn create(
    State(state): State<AppState>,
    Lang(lang): Lang,
    Auth(actor): Auth,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let form = campaign_form(&pairs);
    let people = PeopleForm::from_pairs(&pairs);
    let mut problems = Vec::new();
    let input = form.input(&mut problems);
    let shares = SharesInput {
        effective_on: None,
        ..people.input(&mut problems)
    };
    let outcome = if problems.is_empty() {
        state
            .services
            .create_campaign(&actor, &input, &shares)
            .await
    } else {
        Err(Error::Invalid(problems))
    };
    match outcome {
        Ok(view) => Ok(Redirect::to(&format!("/campaigns/{}", view.campaign.id)).into_response()),
        Err(Error::Invalid(problems)) => {
            render(
                &state,
                lang,
                &actor,
                None,
                Failed::Both(form, people, problems),
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn edit(
    State(state): State<AppState>,
    Lang(lang): Lang,
    Auth(actor): Auth,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let form = campaign_form(&pairs);
    let mut problems = Vec::new();
    let input = form.input(&mut problems);
    let outcome = if problems.is_empty() {
        state.services.update_campaign(&actor, id, &input).await
    } else {
        Err(Error::Invalid(problems))
    };
    match outcome {
        Ok(_) => Ok(Redirect::to(&format!("/campaigns/{id}")).into_response()),
        Err(Error::Invalid(problems)) => {
            let view = state.services.get_campaign(&actor, id).await?;
            render(
                &state,
                lang,
                &actor,
                Some(view),
                Failed::Values(form, problems),
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn change_people(
    State(state): State<AppState>,
    Lang(lang): Lang,
    Auth(actor): Auth,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let people = PeopleForm::from_pairs(&pairs);
    let mut problems = Vec::new();
    let input = people.input(&mut problems);
    let outcome = if problems.is_empty() {
        state
            .services
            .change_campaign_people(&actor, id, &input)
            .await
    } else {
        Err(Error::Invalid(problems))
    };
    match outcome {
        Ok(_) => Ok(Redirect::to(&format!("/campaigns/{id}")).into_response()),
        Err(Error::Invalid(problems)) => {
            let view = state.services.get_campaign(&actor, id).await?;
            render(
                &state,
                lang,
                &actor,
                Some(view),
                Failed::People(people, problems),
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

fn campaign_form(pairs: &[(String, String)]) -> CampaignForm {
    let get = |k: &str| super::form_value(pairs, k);
    CampaignForm {
        external_id: get("external_id"),
        name: get("name"),
        platform: get("platform"),
        channel: get("channel"),
        budget: get("budget"),
        currency: get("currency"),
        start: get("start"),
        end: get("end"),
        goal_id: get("goal_id"),
        strategy_id: get("strategy_id"),
    }
}

/// What a failed form brings back to the page.
enum Failed {
    None,
    Values(CampaignForm, Vec<FieldProblem>),
    People(PeopleForm, Vec<FieldProblem>),
    Both(CampaignForm, PeopleForm, Vec<FieldProblem>),
}

/// A campaign's page (or the new campaign's form when `view` is `None`);
/// after a failed form, that form open with what was typed and each
/// problem next to its field.
async fn render(
    state: &AppState,
    lang: Locale,
    actor: &Actor,
    view: Option<CampaignView>,
    failed: Failed,
) -> Result<Response, WebError> {
    let today = state.services.clock().today();
    let code = if matches!(failed, Failed::None) {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let (values_open, people_open) = (
        matches!(failed, Failed::Values(..)),
        matches!(failed, Failed::People(..)),
    );
    let (form, people, problems) = match failed {
        Failed::None => (
            view.as_ref().map(CampaignForm::of).unwrap_or_default(),
            view.as_ref()
                .map(|v| PeopleForm::of(v, &today))
                .unwrap_or_default(),
            Vec::new(),
        ),
        Failed::Values(f, p) => (
            f,
            view.as_ref()
                .map(|v| PeopleForm::of(v, &today))
                .unwrap_or_default(),
            p,
        ),
        Failed::People(people, p) => (
            view.as_ref().map(CampaignForm::of).unwrap_or_default(),
            people,
            p,
        ),
        Failed::Both(f, people, p) => (f, people, p),
    };
    let errors = field_errors(state, lang, &problems);
    let editable = view.as_ref().is_none_or(|v| v.can_edit);
    let (people_options, goal_options, strategy_options) = if editable {
        (
            super::tasks::assignee_options(state, actor)
                .await?
                .into_iter()
                .filter(|p| p["me"] != json!(true))
                .collect::<Vec<_>>(),
            super::tasks::goal_options(state, actor).await?,
            state
                .services
                .strategies(actor)
                .await?
                .into_iter()
                .map(|(s, _)| json!({"id": s.id, "title": s.title}))
                .collect::<Vec<_>>(),
        )
    } else {
        (Vec::new(), Vec::new(), Vec::new())
    };
    let share_line = |s: &mkpi_services::campaigns::Share| json!({"id": s.employee_id, "name": s.name, "owner": s.is_owner, "share": percent(s.share_bp)});
    let campaign = view.as_ref().map(|v| {
        let c = &v.campaign;
        json!({
            "id": c.id, "name": c.name, "external_id": c.external_id, "platform": c.platform,
            "channel": c.channel, "start": c.start_date, "end": c.end_date,
            "budget": match (c.budget_minor, c.currency.as_deref()) {
                (Some(b), Some(cur)) => Some(lang.format_money(b, cur)),
                _ => None,
            },
            "imported": c.import_id.is_some(),
            "shares_from": c.shares_from,
            "goal": v.goal.as_ref().map(|(id, t)| json!({"id": id, "title": t})),
            "strategy": v.strategy.as_ref().map(|(id, t)| json!({"id": id, "title": t})),
            "shares": v.shares.iter().map(share_line).collect::<Vec<_>>(),
            "history": v.history.iter().map(|p| json!({
                "from": p.from,
                "last_day": mkpi_domain::period::Day::parse(&p.until)
                    .map_or_else(|_| p.until.clone(), |d| d.plus_days(-1).to_string()),
                "shares": p.shares.iter().map(share_line).collect::<Vec<_>>(),
            })).collect::<Vec<_>>(),
        })
    });
    let path = view.as_ref().map_or_else(
        || "/campaigns/new".to_string(),
        |v| format!("/campaigns/{}", v.campaign.id),
    );
    let html = state.templates().render(
        "campaign.html",
        context! {
            ..layout(lang, Some(actor), "campaigns", &path),
            ..context! {
                campaign => ser(&campaign),
                can_edit => editable,
                reads_people => actor.scope.sees_evaluations(),
                form => ser(&form),
                owner => people.owner_employee_id.clone(),
                lines => ser(people.lines()),
                effective_on => people.effective_on.clone(),
                errors => ser(&errors),
                values_open => values_open,
                people_open => people_open,
                channels => mkpi_ingest::channel::CHANNELS.to_vec(),
                people_options => ser(&people_options),
                goal_options => ser(&goal_options),
                strategy_options => ser(&strategy_options),
                today => today,
            },
        },
    )?;
    Ok((code, Html(html)).into_response())
}
