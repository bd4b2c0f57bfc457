//! The campaign and channel explorer: a scope's ad results split one level
//! down — the department by team (or by channel), a team by its sub-teams
//! and people, a person by the campaigns they answer for, a channel by its
//! campaigns, a campaign by day. Every row is a ratio of its own sums, read
//! through the same metric path as the dashboard, and holds only what the
//! caller may see.

use std::collections::BTreeMap;

use mkpi_domain::PeopleScope;
use mkpi_domain::measure::{Measure, Measures};
use mkpi_domain::period::Period;
use mkpi_store::{ad_stats, campaigns, employees, teams};

use crate::metrics::{MetricAnswer, ScopeRef};
use crate::{Actor, Error, Result, Services};

/// The metrics each row shows, in order.
pub const EXPLORER_METRICS: [&str; 10] = [
    "spend",
    "impressions",
    "clicks",
    "ctr",
    "cpc",
    "conversions",
    "cpa",
    "conversion_value",
    "roas",
    "roi",
];

/// How the department splits at the top.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Split {
    /// By team, then people, then campaigns.
    Organisation,
    /// By channel, then campaigns.
    Channels,
}

impl Split {
    pub fn parse(text: &str) -> Split {
        match text {
            "channels" => Split::Channels,
            _ => Split::Organisation,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Split::Organisation => "org",
            Split::Channels => "channels",
        }
    }
}

/// One row: a scope one level down (or a day), its values, and for a
/// person's campaigns the share of the campaign credited to the person.
#[derive(Debug, Clone, PartialEq)]
pub struct ExplorerRow {
    /// `team:3`, `employee:7`, `campaign:12`, `channel:email`, or a day `2025-03-01`.
    pub key: String,
    pub name: String,
    /// Whether the row opens a level further down.
    pub drill: bool,
    /// For a person's campaigns: their share of it (1 = all of it).
    pub share: Option<f64>,
    pub values: Vec<MetricAnswer>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Explorer {
    pub scope: ScopeRef,
    pub split: Split,
    pub name: String,
    /// From the department down to this scope: (scope, name).
    pub trail: Vec<(String, String)>,
    pub totals: Vec<MetricAnswer>,
    pub rows: Vec<ExplorerRow>,
}

impl Services {
    pub async fn explore(
        &self,
        actor: &Actor,
        scope: &ScopeRef,
        split: Split,
        period: Period,
    ) -> Result<Explorer> {
        let codes: Vec<String> = EXPLORER_METRICS.iter().map(ToString::to_string).collect();
        // Out-of-scope people, teams and campaigns are not found.
        let totals = self.metric_values(actor, &codes, scope, period).await?;
        let mut tx = self.store.read().await?;
        let everyone = employees::list(&mut tx, &mkpi_domain::Scope::everyone()).await?;
        let team_rows = teams::list(&mut tx, &actor.scope).await?;
        // Teams split into teams and people: campaigns are read only below that.
        let by_team = matches!(
            (scope, split),
            (ScopeRef::Department, Split::Organisation) | (ScopeRef::Team(_), _)
        );
        let (all_campaigns, shares) = if by_team {
            (Vec::new(), Vec::new())
        } else {
            (
                campaigns::all(&mut tx).await?,
                campaigns::shares_during(&mut tx, &period.from.to_string(), &period.to.to_string())
                    .await?,
            )
        };
        drop(tx);
        let team_name = |id: i64| {
            team_rows
                .iter()
                .find(|t| t.id == id)
                .map_or_else(|| format!("#{id}"), |t| t.name.clone())
        };
        let person = |id: i64| everyone.iter().find(|e| e.id == id);

        // Candidate rows one level down; those the caller may not see drop out below.
        let mut candidates: Vec<(ScopeRef, String, bool, Option<f64>)> = Vec::new();
        let mut trail = vec![("department".to_string(), String::new())];
        let name;
        match scope {
            ScopeRef::Department => {
                name = String::new();
                match split {
                    Split::Organisation => {
                        // The highest teams the caller sees (a manager of a
                        // sub-team starts there); people see themselves.
                        let visible = |id: Option<i64>| {
                            id.is_some_and(|id| team_rows.iter().any(|t| t.id == id))
                        };
                        for t in team_rows.iter().filter(|t| !visible(t.parent_id)) {
                            candidates.push((ScopeRef::Team(t.id), t.name.clone(), true, None));
                        }
                        if let PeopleScope::Only(me) = actor.scope.people
                            && let Some(e) = person(me)
                        {
                            candidates.push((ScopeRef::Employee(me), e.name.clone(), true, None));
                        }
                    }
                    Split::Channels => {
                        let mut channels: Vec<String> = all_campaigns
                            .iter()
                            .filter_map(|c| c.channel.clone())
                            .collect();
                        channels.sort();
                        channels.dedup();
                        for c in channels {
                            candidates.push((ScopeRef::Channel(c.clone()), c, true, None));
                        }
                    }
                }
            }
            ScopeRef::Team(id) => {
                name = team_name(*id);
                let mut up = Vec::new();
                let mut at = team_rows
                    .iter()
                    .find(|t| t.id == *id)
                    .and_then(|t| t.parent_id);
                while let Some(p) = at {
                    up.push((format!("team:{p}"), team_name(p)));
                    at = team_rows
                        .iter()
                        .find(|t| t.id == p)
                        .and_then(|t| t.parent_id);
                }
                trail.extend(up.into_iter().rev());
                for t in team_rows.iter().filter(|t| t.parent_id == Some(*id)) {
                    candidates.push((ScopeRef::Team(t.id), t.name.clone(), true, None));
                }
                for e in everyone.iter().filter(|e| e.team_id == Some(*id)) {
                    candidates.push((ScopeRef::Employee(e.id), e.name.clone(), true, None));
                }
            }
            ScopeRef::Employee(id) => {
                let me = person(*id).ok_or(Error::NotFound)?;
                name = me.name.clone();
                if let Some(t) = me.team_id {
                    let mut chain = vec![t];
                    let mut at = team_rows
                        .iter()
                        .find(|r| r.id == t)
                        .and_then(|r| r.parent_id);
                    while let Some(p) = at {
                        chain.push(p);
                        at = team_rows
                            .iter()
                            .find(|r| r.id == p)
                            .and_then(|r| r.parent_id);
                    }
                    for t in chain.into_iter().rev() {
                        if team_rows.iter().any(|r| r.id == t) {
                            trail.push((format!("team:{t}"), team_name(t)));
                        }
                    }
                }
                // The person's share of each campaign in the period (the
                // owner holds what the contributors do not).
                let by_campaign: BTreeMap<i64, i64> = shares
                    .iter()
                    .filter(|(_, employee, _)| employee == id)
                    .map(|(campaign, _, bp)| (*campaign, *bp))
                    .collect();
                for c in &all_campaigns {
                    if let Some(bp) = by_campaign.get(&c.id).copied().filter(|bp| *bp > 0) {
                        #[allow(clippy::cast_precision_loss)]
                        let share = bp as f64 / 10_000.0;
                        candidates.push((
                            ScopeRef::Campaign(c.id),
                            c.name.clone(),
                            true,
                            Some(share),
                        ));
                    }
                }
            }
            ScopeRef::Channel(channel) => {
                name = channel.clone();
                for c in all_campaigns
                    .iter()
                    .filter(|c| c.channel.as_deref() == Some(channel.as_str()))
                {
                    candidates.push((ScopeRef::Campaign(c.id), c.name.clone(), true, None));
                }
            }
            ScopeRef::Campaign(id) => {
                let c = all_campaigns
                    .iter()
                    .find(|c| c.id == *id)
                    .ok_or(Error::NotFound)?;
                name = c.name.clone();
                match (split, &c.channel) {
                    (Split::Channels, Some(ch)) => {
                        trail.push((format!("channel:{ch}"), ch.clone()));
                    }
                    _ => {
                        if let Some(owner) = c.owner_employee_id.and_then(person) {
                            trail.push((format!("employee:{}", owner.id), owner.name.clone()));
                        }
                    }
                }
                let rows = self.campaign_days(*id, period).await?;
                return Ok(Explorer {
                    scope: scope.clone(),
                    split,
                    name,
                    trail,
                    totals,
                    rows,
                });
            }
        }
        let mut rows = Vec::new();
        for (row_scope, row_name, drill, share) in candidates {
            match self.metric_values(actor, &codes, &row_scope, period).await {
                Ok(values) => rows.push(ExplorerRow {
                    key: row_scope.to_string(),
                    name: row_name,
                    drill,
                    share,
                    values,
                }),
                Err(Error::NotFound) => {}
                Err(e) => return Err(e),
            }
        }
        // Biggest spenders first; rows without spend keep their order at the end.
        let spend = |r: &ExplorerRow| r.values.first().and_then(|a| a.value).unwrap_or(0.0);
        rows.sort_by(|a, b| spend(b).total_cmp(&spend(a)));
        Ok(Explorer {
            scope: scope.clone(),
            split,
            name,
            trail,
            totals,
            rows,
        })
    }

    /// A campaign's ad results day by day, as rows of the same metrics.
    async fn campaign_days(&self, campaign: i64, period: Period) -> Result<Vec<ExplorerRow>> {
        let mut tx = self.store.read().await?;
        let last = period.to.plus_days(-1).to_string();
        let mut days =
            ad_stats::existing(&mut tx, &[campaign], &period.from.to_string(), &last).await?;
        drop(tx);
        days.sort_by(|a, b| a.values.date.cmp(&b.values.date));
        let catalogue = self.catalogue().await?;
        Ok(days
            .into_iter()
            .map(|d| {
                let v = d.values;
                let mut measures = Measures::default();
                #[allow(clippy::cast_precision_loss)]
                for (m, x) in [
                    (Measure::Impressions, v.impressions as f64),
                    (Measure::Clicks, v.clicks as f64),
                    (Measure::Spend, v.spend_minor as f64 / 100.0),
                    (Measure::Conversions, v.conversions.unwrap_or(0.0)),
                    (
                        Measure::ConversionValue,
                        v.conversion_value_minor.unwrap_or(0) as f64 / 100.0,
                    ),
                ] {
                    measures.set(m, x);
                }
                measures.currencies.insert(v.currency.clone());
                let values = EXPLORER_METRICS
                    .iter()
                    .filter_map(|code| {
                        let m = catalogue.get(code)?;
                        let r = catalogue.evaluate(code, &measures);
                        Some(MetricAnswer {
                            code: (*code).to_string(),
                            version: m.version,
                            unit: m.unit,
                            value: r.value,
                            numerator: r.numerator,
                            denominator: r.denominator,
                            currency: Some(v.currency.clone()),
                            note: None,
                        })
                    })
                    .collect();
                ExplorerRow {
                    key: v.date.clone(),
                    name: v.date,
                    drill: false,
                    share: None,
                    values,
                }
            })
            .collect())
    }
}
