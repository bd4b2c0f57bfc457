//! Campaigns by hand: a campaign's page and its changes. A campaign is the
//! unit ad spend and results are counted by; its owner and contributors
//! get its results by share. Who they are changes from a day on: the
//! shares in force before it are kept, so a change of owner never moves an
//! earlier period's figures (a person's, a team's, a review's, a report's).
//!
//! Those who plan change campaigns: admins and the head every one, a
//! manager those whose people are in their teams. Nobody names themself as
//! owner or contributor: a person's results are given by someone above them.

use std::collections::{BTreeMap, BTreeSet};

use mkpi_domain::Role;
use mkpi_domain::period::Day;
use mkpi_domain::scope::PeopleScope;
use mkpi_store::campaigns::{self, CampaignRow, CampaignValues, PastShare};
use mkpi_store::{Tx, employees, goals};
use serde_json::json;

use crate::audit::{self, Change};
use crate::{Actor, Error, FieldProblem, Result, Services};

pub const MAX_NAME: usize = 200;

/// A campaign's own values as entered (not its people).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CampaignInput {
    /// The ad platform's id of the campaign, which imports match; the name
    /// when not given.
    pub external_id: Option<String>,
    pub name: String,
    pub platform: Option<String>,
    /// A channel code (`paid_search`, `paid_social`, …).
    pub channel: Option<String>,
    /// In major units, with its currency.
    pub budget: Option<f64>,
    pub currency: Option<String>,
    pub start: Option<String>,
    pub end: Option<String>,
    pub goal_id: Option<i64>,
    pub strategy_id: Option<i64>,
}

/// Who a campaign's results count for from a day on.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SharesInput {
    pub owner_employee_id: Option<i64>,
    /// (employee, share in percent, 0 < share ≤ 100); the owner has the rest.
    pub contributors: Vec<(i64, f64)>,
    /// The first day of the new shares (today or earlier). `None` corrects
    /// the current ones from their own first day.
    pub effective_on: Option<String>,
}

/// A person's share in a campaign.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Share {
    pub employee_id: i64,
    pub name: String,
    pub is_owner: bool,
    pub share_bp: i64,
}

/// Earlier owners and contributors, for [from, until).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SharePeriod {
    pub from: Option<String>,
    pub until: String,
    pub shares: Vec<Share>,
}

/// A campaign's page.
#[derive(Debug, Clone, PartialEq)]
pub struct CampaignView {
    pub campaign: CampaignRow,
    /// The owner and contributors in force since `campaign.shares_from`.
    pub shares: Vec<Share>,
    pub history: Vec<SharePeriod>,
    pub goal: Option<(i64, String)>,
    pub strategy: Option<(i64, String)>,
    pub can_edit: bool,
}

/// A campaign in a list.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct CampaignItem {
    pub id: i64,
    pub external_id: String,
    pub name: String,
    pub platform: Option<String>,
    pub channel: Option<String>,
    pub owner_employee_id: Option<i64>,
    pub owner_name: Option<String>,
    pub budget_minor: Option<i64>,
    pub currency: Option<String>,
    pub start_date: Option<String>,
    pub end_date: Option<String>,
}

impl Services {
    /// The campaigns the caller sees (everyone's for those who see the whole
    /// organisation; else those with a person they see, now or before),
    /// those whose name, id, platform, channel or owner contain `q`.
    pub async fn list_campaigns(&self, actor: &Actor, q: &str) -> Result<Vec<CampaignItem>> {
        let mut tx = self.store.read().await?;
        let names = people_names(&mut tx, actor).await?;
        let all = campaigns::all(&mut tx).await?;
        let people = if matches!(actor.scope.people, PeopleScope::All) {
            BTreeMap::new()
        } else {
            campaigns::shares_during(&mut tx, "0000-01-01", "9999-12-31")
                .await?
                .into_iter()
                .fold(BTreeMap::<i64, Vec<i64>>::new(), |mut m, (c, e, _)| {
                    m.entry(c).or_default().push(e);
                    m
                })
        };
        drop(tx);
        let needle = q.trim().to_lowercase();
        Ok(all
            .into_iter()
            .filter(|c| {
                matches!(actor.scope.people, PeopleScope::All)
                    || people
                        .get(&c.id)
                        .is_some_and(|ids| ids.iter().any(|e| names.contains_key(e)))
            })
            .map(|c| CampaignItem {
                owner_name: c.owner_employee_id.and_then(|o| names.get(&o).cloned()),
                id: c.id,
                external_id: c.external_id,
                name: c.name,
                platform: c.platform,
                channel: c.channel,
                owner_employee_id: c.owner_employee_id,
                budget_minor: c.budget_minor,
                currency: c.currency,
                start_date: c.start_date,
                end_date: c.end_date,
            })
            .filter(|c| {
                needle.is_empty()
                    || [
                        Some(&c.name),
                        Some(&c.external_id),
                        c.platform.as_ref(),
                        c.channel.as_ref(),
                        c.owner_name.as_ref(),
                    ]
                    .into_iter()
                    .flatten()
                    .any(|t| t.to_lowercase().contains(&needle))
            })
            .collect())
    }

    /// A campaign's page: its values, its people now and before, its links.
    pub async fn get_campaign(&self, actor: &Actor, id: i64) -> Result<CampaignView> {
        let mut tx = self.store.read().await?;
        let campaign = visible_campaign(&mut tx, actor, id).await?;
        let view = self.campaign_view(&mut tx, actor, campaign).await?;
        Ok(view)
    }

    /// A campaign set up by hand, with its owner and contributors since its
    /// start.
    pub async fn create_campaign(
        &self,
        actor: &Actor,
        input: &CampaignInput,
        people: &SharesInput,
    ) -> Result<CampaignView> {
        plans(actor)?;
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let mut problems = Vec::new();
        let values = self
            .checked_values(&mut tx, actor, input, None, &mut problems)
            .await?;
        let shares = checked_shares(&mut tx, actor, people, &mut problems).await?;
        if people.effective_on.is_some() {
            problems.push(FieldProblem::coded(
                "effective_on",
                "err-campaign-new-day",
                vec![],
                "a new campaign's people count from its start: leave the day empty",
            ));
        }
        let (Some(values), true) = (values, problems.is_empty()) else {
            return Err(Error::Invalid(problems));
        };
        let (campaign_values, links) = values;
        let id = campaigns::insert(&mut tx, &campaign_values, None, now).await?;
        goals::link_campaign(&mut tx, id, links.1, links.0).await?;
        campaigns::set_owner(&mut tx, id, shares.owner, now).await?;
        campaigns::set_contributors(&mut tx, id, &shares.contributors).await?;
        audit::record(
            &mut tx,
            now,
            &actor.author(),
            Change {
                action: "create",
                entity: "campaign",
                entity_id: Some(id),
                before: None,
                after: Some(json!({
                    "values": campaign_values, "goal_id": links.0, "strategy_id": links.1,
                    "owner_employee_id": shares.owner, "contributors": shares.contributors,
                })),
            },
        )
        .await?;
        let view = self.view_of(&mut tx, actor, id).await?;
        tx.commit().await?;
        Ok(view)
    }

    /// Changes a campaign's own values (name, platform, channel, budget,
    /// dates, goal and strategy); its people change with
    /// [`Services::change_campaign_people`].
    pub async fn update_campaign(
        &self,
        actor: &Actor,
        id: i64,
        input: &CampaignInput,
    ) -> Result<CampaignView> {
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let before = visible_campaign(&mut tx, actor, id).await?;
        may_edit(&mut tx, actor, &before).await?;
        let mut problems = Vec::new();
        let values = self
            .checked_values(&mut tx, actor, input, Some(&before), &mut problems)
            .await?;
        let (Some((values, (goal_id, strategy_id))), true) = (values, problems.is_empty()) else {
            return Err(Error::Invalid(problems));
        };
        campaigns::update(&mut tx, id, &values, before.import_id, now).await?;
        goals::link_campaign(&mut tx, id, strategy_id, goal_id).await?;
        audit::record(
            &mut tx,
            now,
            &actor.author(),
            Change {
                action: "update",
                entity: "campaign",
                entity_id: Some(id),
                before: Some(json!({
                    "values": CampaignValues::from(&before),
                    "goal_id": before.goal_id, "strategy_id": before.strategy_id,
                })),
                after: Some(
                    json!({"values": values, "goal_id": goal_id, "strategy_id": strategy_id}),
                ),
            },
        )
        .await?;
        let view = self.view_of(&mut tx, actor, id).await?;
        tx.commit().await?;
        Ok(view)
    }

    /// Gives a campaign's results to other people from a day on: the owner
    /// and contributors before it are kept for the days before it.
    pub async fn change_campaign_people(
        &self,
        actor: &Actor,
        id: i64,
        input: &SharesInput,
    ) -> Result<CampaignView> {
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let before = visible_campaign(&mut tx, actor, id).await?;
        may_edit(&mut tx, actor, &before).await?;
        let before_shares = campaigns::contributors_of(&mut tx, id).await?;
        let mut problems = Vec::new();
        let shares = checked_shares(&mut tx, actor, input, &mut problems).await?;
        let day = match input.effective_on.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(raw) => match Day::parse(raw) {
                Ok(d) => {
                    let today = self.clock.today();
                    if d.to_string() > today {
                        problems.push(FieldProblem::coded(
                            "effective_on", "err-change-future", vec![("day", d.to_string()), ("today", today.clone())],
                            format!("{d} is in the future: a change takes effect today ({today}) or earlier"),
                        ));
                    }
                    if let Some(from) = &before.shares_from
                        && d.to_string() < *from
                    {
                        problems.push(FieldProblem::coded(
                            "effective_on", "err-campaign-changed-last", vec![("day", from.clone())],
                            format!("the people of this campaign changed last on {from}: a change takes effect on that day or later"),
                        ));
                    }
                    Some(d.to_string())
                }
                Err(e) => {
                    problems.push(FieldProblem::period("effective_on", &e));
                    None
                }
            },
        };
        if shares.owner == before.owner_employee_id && shares.contributors == before_shares {
            problems.push(FieldProblem::coded(
                "owner_employee_id",
                "err-campaign-same-people",
                vec![],
                "these are the campaign's people already",
            ));
        }
        if !problems.is_empty() {
            return Err(Error::Invalid(problems));
        }
        // A day after the current shares' first closes them; their own first
        // day (or none) puts them right.
        if let Some(day) = &day
            && before.shares_from.as_ref() != Some(day)
        {
            campaigns::close_shares(&mut tx, &before, day, now).await?;
        }
        campaigns::set_owner(&mut tx, id, shares.owner, now).await?;
        campaigns::set_contributors(&mut tx, id, &shares.contributors).await?;
        audit::record(
            &mut tx,
            now,
            &actor.author(),
            Change {
                action: "update",
                entity: "campaign_people",
                entity_id: Some(id),
                before: Some(json!({
                    "owner_employee_id": before.owner_employee_id,
                    "contributors": before_shares, "from": before.shares_from,
                })),
                after: Some(json!({
                    "owner_employee_id": shares.owner, "contributors": shares.contributors,
                    "from": day.or(before.shares_from.clone()),
                })),
            },
        )
        .await?;
        let view = self.view_of(&mut tx, actor, id).await?;
        tx.commit().await?;
        Ok(view)
    }

    /// The campaign as it is now in the transaction, as its page shows it.
    async fn view_of(&self, tx: &mut Tx, actor: &Actor, id: i64) -> Result<CampaignView> {
        let campaign = campaigns::get(tx, id).await?.ok_or(Error::NotFound)?;
        self.campaign_view(tx, actor, campaign).await
    }

    async fn campaign_view(
        &self,
        tx: &mut Tx,
        actor: &Actor,
        campaign: CampaignRow,
    ) -> Result<CampaignView> {
        let names = people_names(tx, actor).await?;
        let name = |id: i64| names.get(&id).cloned().unwrap_or_else(|| format!("#{id}"));
        let contributors = campaigns::contributors_of(tx, campaign.id).await?;
        let mut shares = Vec::with_capacity(contributors.len() + 1);
        if let Some(owner) = campaign.owner_employee_id {
            let taken: i64 = contributors.iter().map(|(_, bp)| bp).sum();
            shares.push(Share {
                employee_id: owner,
                name: name(owner),
                is_owner: true,
                share_bp: 10_000 - taken,
            });
        }
        shares.extend(contributors.iter().map(|(e, bp)| Share {
            employee_id: *e,
            name: name(*e),
            is_owner: false,
            share_bp: *bp,
        }));
        let mut history: Vec<SharePeriod> = Vec::new();
        for PastShare {
            employee_id,
            is_owner,
            share_bp,
            valid_from,
            valid_until,
        } in campaigns::share_history(tx, campaign.id).await?
        {
            let share = Share {
                employee_id,
                name: name(employee_id),
                is_owner,
                share_bp,
            };
            match history.last_mut() {
                Some(p) if p.until == valid_until && p.from == valid_from => p.shares.push(share),
                _ => history.push(SharePeriod {
                    from: valid_from,
                    until: valid_until,
                    shares: vec![share],
                }),
            }
        }
        let goal = match campaign.goal_id {
            Some(g) => goals::get(tx, g).await?.map(|row| (row.id, row.title)),
            None => None,
        };
        let strategy = match campaign.strategy_id {
            Some(s) => goals::strategies(tx)
                .await?
                .into_iter()
                .find(|r| r.id == s)
                .map(|r| (r.id, r.title)),
            None => None,
        };
        let can_edit = may_edit(tx, actor, &campaign).await.is_ok();
        Ok(CampaignView {
            campaign,
            shares,
            history,
            goal,
            strategy,
            can_edit,
        })
    }

    /// A campaign's values as entered, checked: every problem at once.
    /// Returns the values with (goal, strategy).
    async fn checked_values(
        &self,
        tx: &mut Tx,
        actor: &Actor,
        input: &CampaignInput,
        before: Option<&CampaignRow>,
        problems: &mut Vec<FieldProblem>,
    ) -> Result<Option<(CampaignValues, (Option<i64>, Option<i64>))>> {
        let start = problems.len();
        let name = input.name.trim();
        if name.is_empty() {
            problems.push(FieldProblem::coded(
                "name",
                "err-campaign-name",
                vec![],
                "give the campaign a name",
            ));
        } else if name.chars().count() > MAX_NAME {
            problems.push(FieldProblem::coded(
                "name",
                "err-too-long",
                vec![("max", MAX_NAME.to_string())],
                format!("a name has at most {MAX_NAME} characters"),
            ));
        }
        let external_id = input
            .external_id
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .unwrap_or(name)
            .to_string();
        if !external_id.is_empty()
            && campaigns::id_of_external(tx, &external_id)
                .await?
                .is_some_and(|other| Some(other) != before.map(|b| b.id))
        {
            problems.push(FieldProblem::coded(
                "external_id",
                "err-campaign-id-taken",
                vec![("value", external_id.clone())],
                format!("another campaign has the id '{external_id}'"),
            ));
        }
        let channel = input
            .channel
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty());
        if let Some(c) = channel
            && !mkpi_ingest::channel::CHANNELS.contains(&c)
        {
            problems.push(FieldProblem::coded(
                "channel",
                "err-channel",
                vec![
                    ("value", c.to_string()),
                    ("known", mkpi_ingest::channel::CHANNELS.join(", ")),
                ],
                format!(
                    "'{c}' is no channel; choose one of {}",
                    mkpi_ingest::channel::CHANNELS.join(", ")
                ),
            ));
        }
        let (budget_minor, currency) =
            crate::checks::budget(input.budget, input.currency.as_deref(), problems);
        let day = |field: &str, raw: &Option<String>, problems: &mut Vec<FieldProblem>| match raw
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            None => None,
            Some(s) => match Day::parse(s) {
                Ok(d) => Some(d),
                Err(e) => {
                    problems.push(FieldProblem::period(field, &e));
                    None
                }
            },
        };
        let start_day = day("start", &input.start, problems);
        let end_day = day("end", &input.end, problems);
        if let (Some(s), Some(e)) = (start_day, end_day)
            && e < s
        {
            problems.push(FieldProblem::coded(
                "end",
                "err-campaign-ends-first",
                vec![("end", e.to_string()), ("start", s.to_string())],
                format!("the campaign ends ({e}) before it starts ({s})"),
            ));
        }
        if budget_minor.is_some() && (start_day.is_none() || end_day.is_none()) {
            problems.push(FieldProblem::coded(
                "start",
                "err-campaign-budget-days",
                vec![],
                "a budget is spread over the campaign's days: give its first and last day",
            ));
        }
        if let Some(g) = input.goal_id {
            self.check_goal_for_task(tx, actor, g, problems).await?;
        }
        if let Some(s) = input.strategy_id
            && !goals::strategies(tx).await?.iter().any(|r| r.id == s)
        {
            problems.push(FieldProblem::coded(
                "strategy_id",
                "err-no-strategy",
                vec![("id", s.to_string())],
                format!("there is no strategy {s}"),
            ));
        }
        if problems.len() > start {
            return Ok(None);
        }
        Ok(Some((
            CampaignValues {
                external_id,
                name: name.to_string(),
                platform: input
                    .platform
                    .as_deref()
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(str::to_string),
                channel: channel.map(str::to_string),
                owner_employee_id: before.and_then(|b| b.owner_employee_id),
                budget_minor,
                currency: budget_minor.and(currency),
                start_date: start_day.map(|d| d.to_string()),
                end_date: end_day.map(|d| d.to_string()),
            },
            (input.goal_id, input.strategy_id),
        )))
    }
}

/// The owner and contributors as checked.
struct CheckedShares {
    owner: Option<i64>,
    contributors: Vec<campaigns::Contributor>,
}

/// Checks the people named: each one the caller may give results to (in
/// their teams for a manager, never themself), active, named once, with
/// shares that leave the owner zero or more.
async fn checked_shares(
    tx: &mut Tx,
    actor: &Actor,
    input: &SharesInput,
    problems: &mut Vec<FieldProblem>,
) -> Result<CheckedShares> {
    let mut check = async |field: &str, id: i64, problems: &mut Vec<FieldProblem>| -> Result<()> {
        match employees::get(tx, &actor.scope, id).await {
            Ok(e) if actor.employee_id == Some(id) => problems.push(FieldProblem::coded(
                field,
                "err-is-you",
                vec![("name", e.name.clone())],
                format!(
                    "{} is you: a person's results are given by someone above them",
                    e.name
                ),
            )),
            Ok(e) if !e.active => problems.push(FieldProblem::coded(
                field,
                "err-has-left",
                vec![("name", e.name.clone())],
                format!("{} has left", e.name),
            )),
            Ok(e) if actor.role == Role::Manager && !manages(actor, e.team_id) => {
                problems.push(FieldProblem::coded(
                    field,
                    "err-not-your-team",
                    vec![("name", e.name.clone())],
                    format!("{} is not in a team you manage", e.name),
                ));
            }
            Ok(_) => {}
            Err(mkpi_store::StoreError::NotFound) => {
                problems.push(FieldProblem::coded(
                    field,
                    "err-no-employee",
                    vec![("id", id.to_string())],
                    format!("there is no employee {id}"),
                ));
            }
            Err(e) => return Err(e.into()),
        }
        Ok(())
    };
    if let Some(owner) = input.owner_employee_id {
        check("owner_employee_id", owner, problems).await?;
    }
    let mut seen = BTreeSet::new();
    let mut contributors = Vec::with_capacity(input.contributors.len());
    let mut total = 0_i64;
    for (i, (employee, percent)) in input.contributors.iter().enumerate() {
        let field = format!("contributors[{i}]");
        check(&field, *employee, problems).await?;
        if Some(*employee) == input.owner_employee_id || !seen.insert(*employee) {
            problems.push(FieldProblem::coded(
                &field,
                "err-named-twice",
                vec![("id", employee.to_string())],
                format!("employee {employee} is named twice"),
            ));
        }
        if !(percent.is_finite() && *percent > 0.0 && *percent <= 100.0) {
            problems.push(FieldProblem::coded(
                &field,
                "err-share",
                vec![("value", percent.to_string())],
                format!("a share is more than 0 % and at most 100 %, not {percent}"),
            ));
            continue;
        }
        #[allow(clippy::cast_possible_truncation)]
        let bp = (percent * 100.0).round() as i64;
        total += bp;
        contributors.push((*employee, bp));
    }
    if total > 10_000 {
        problems.push(FieldProblem::coded(
            "contributors",
            "err-shares-total",
            vec![(
                "total",
                (f64::from(u32::try_from(total).unwrap_or(u32::MAX)) / 100.0).to_string(),
            )],
            format!(
                "the contributors' shares add up to {} %: at most 100 %",
                f64::from(u32::try_from(total).unwrap_or(u32::MAX)) / 100.0
            ),
        ));
    }
    if input.owner_employee_id.is_none() && !contributors.is_empty() {
        problems.push(FieldProblem::coded(
            "owner_employee_id",
            "err-campaign-owner",
            vec![],
            "a campaign with contributors has an owner",
        ));
    }
    contributors.sort_unstable();
    Ok(CheckedShares {
        owner: input.owner_employee_id,
        contributors,
    })
}

fn manages(actor: &Actor, team_id: Option<i64>) -> bool {
    match &actor.scope.people {
        PeopleScope::All => true,
        PeopleScope::Teams { team_ids, .. } => team_id.is_some_and(|t| team_ids.contains(&t)),
        PeopleScope::Only(_) | PeopleScope::Nobody => false,
    }
}

fn plans(actor: &Actor) -> Result<()> {
    if matches!(actor.role, Role::Admin | Role::Head | Role::Manager) {
        Ok(())
    } else {
        Err(Error::Forbidden)
    }
}

/// Admins and the head change every campaign; a manager one whose people
/// (now) are all in their teams and do not include them, or one nobody owns.
async fn may_edit(tx: &mut Tx, actor: &Actor, campaign: &CampaignRow) -> Result<()> {
    plans(actor)?;
    if actor.role != Role::Manager {
        return Ok(());
    }
    let mut people: Vec<i64> = campaigns::contributors_of(tx, campaign.id)
        .await?
        .into_iter()
        .map(|(e, _)| e)
        .collect();
    people.extend(campaign.owner_employee_id);
    for id in people {
        if actor.employee_id == Some(id) {
            return Err(Error::Forbidden);
        }
        let team = employees::team_of(tx, id).await?.flatten();
        if !manages(actor, team) {
            return Err(Error::Forbidden);
        }
    }
    Ok(())
}

/// The campaign, if the caller sees one of its people (now or before), or
/// sees everyone.
async fn visible_campaign(tx: &mut Tx, actor: &Actor, id: i64) -> Result<CampaignRow> {
    let people = campaigns::people(tx, id).await?.ok_or(Error::NotFound)?;
    let sees = matches!(actor.scope.people, PeopleScope::All)
        || people
            .iter()
            .any(|(e, t)| actor.scope.sees_employee(*e, *t));
    if !sees {
        return Err(Error::NotFound);
    }
    campaigns::get(tx, id).await?.ok_or(Error::NotFound)
}

/// The names of the people the caller sees.
async fn people_names(tx: &mut Tx, actor: &Actor) -> Result<BTreeMap<i64, String>> {
    Ok(employees::list(tx, &actor.scope)
        .await?
        .into_iter()
        .map(|e| (e.id, e.name))
        .collect())
}
