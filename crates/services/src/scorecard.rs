//! An employee's scorecard for a period: the KPIs that apply to them (their
//! own, their team's when the viewer may see the team, their campaigns'),
//! the weighted KPI score, their attributed results and task measures, and
//! where their logged time went with the result per hour.

use std::collections::BTreeMap;

use mkpi_domain::period::Period;
use mkpi_store::kpis::{KpiRow, TargetRow};
use mkpi_store::{campaigns, measures};

use crate::kpis::KpiView;
use crate::metrics::{MetricAnswer, ScopeRef};
use crate::{Actor, Result, Services};

/// The measures every scorecard shows, in order.
pub const SCORECARD_METRICS: [&str; 13] = [
    "spend",
    "conversion_value",
    "roas",
    "cpa",
    "orders",
    "order_revenue",
    "tasks_done",
    "on_time_rate",
    "avg_quality",
    "estimate_accuracy",
    "launch_lead_time_days",
    "hours_logged",
    // The satisfaction of the customers of their campaigns (survey answers
    // about a campaign, by their share of it).
    "csat",
];

#[derive(Debug, Clone, PartialEq)]
pub struct CampaignTime {
    /// None: hours not logged against a campaign.
    pub campaign_id: Option<i64>,
    pub name: Option<String>,
    pub hours: f64,
    /// The person's share of the campaign's conversion value in the period.
    pub result: Option<f64>,
    pub result_per_hour: Option<f64>,
    pub currency: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Scorecard {
    pub employee_id: i64,
    pub period: Period,
    pub kpis: Vec<KpiView>,
    /// Σ weight × achievement / Σ weight over the KPIs that have an
    /// achievement; `None` when none has.
    pub kpi_score: Option<f64>,
    /// KPIs left out of the score, for want of a value or a target.
    pub kpis_without_achievement: usize,
    pub results: Vec<MetricAnswer>,
    pub time: Vec<CampaignTime>,
}

/// The weighted, capped achievement of KPIs (each already capped), and how
/// many had none. A missing part is never counted as 0.
pub fn weighted_score(kpis: &[KpiView]) -> (Option<f64>, usize) {
    let scored: Vec<(f64, f64)> = kpis
        .iter()
        .filter_map(|k| k.achievement.map(|a| (k.weight, a)))
        .collect();
    let weight: f64 = scored.iter().map(|(w, _)| w).sum();
    let score = (weight > 0.0).then(|| scored.iter().map(|(w, a)| w * a).sum::<f64>() / weight);
    (score, kpis.len() - scored.len())
}

/// How far a person's goals for a period have come: the weighted progress of
/// their active and done goals that run in it, and how many there are.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GoalAchievement {
    /// 0 to 1; None without goals.
    pub score: Option<f64>,
    pub goals: usize,
}

impl Services {
    /// A person's goal achievement for a period, as the caller sees their
    /// goals (the same figure a review cycle's goal score takes).
    pub async fn goal_achievement(
        &self,
        actor: &Actor,
        employee_id: i64,
        period: Period,
    ) -> Result<GoalAchievement> {
        self.get_employee(actor, employee_id).await?;
        let roots = self.goal_tree(actor, Some(period)).await?;
        let scope = format!("employee:{employee_id}");
        fn count(v: &[crate::goals::GoalView], scope: &str) -> usize {
            v.iter()
                .map(|g| {
                    usize::from(
                        g.goal.scope == scope
                            && matches!(g.goal.status.as_str(), "active" | "done"),
                    ) + count(&g.children, scope)
                })
                .sum()
        }
        Ok(GoalAchievement {
            score: crate::calibration::goal_score(&roots, employee_id).ok(),
            goals: count(&roots, &scope),
        })
    }

    pub async fn scorecard(
        &self,
        actor: &Actor,
        employee_id: i64,
        period: Period,
    ) -> Result<Scorecard> {
        // Visibility first: a person outside the caller's scope is not found.
        let person = self.get_employee(actor, employee_id).await?;
        // A person's scorecard is their evaluation: the viewer reads
        // department figures only.
        if !actor.scope.sees_evaluations() {
            return Err(crate::Error::Forbidden);
        }
        let mut tx = self.store.read().await?;
        let all = campaigns::all(&mut tx).await?;
        let held =
            campaigns::shares_during(&mut tx, &period.from.to_string(), &period.to.to_string())
                .await?;
        let hours = measures::hours_by_campaign(
            &mut tx,
            employee_id,
            &period.from.to_string(),
            &period.to.to_string(),
        )
        .await?;
        let results =
            measures::ads_by_campaign(&mut tx, &period.from.to_string(), &period.to.to_string())
                .await?;
        drop(tx);

        // The person's share of each campaign in the period, in basis points.
        let shares: BTreeMap<i64, i64> = held
            .iter()
            .filter(|(_, employee, _)| *employee == employee_id)
            .map(|(campaign, _, bp)| (*campaign, *bp))
            .collect();

        let mut scopes = vec![ScopeRef::Employee(employee_id)];
        scopes.extend(person.team_id.map(ScopeRef::Team));
        scopes.extend(
            all.iter()
                .filter(|c| c.owner_employee_id == Some(employee_id))
                .map(|c| ScopeRef::Campaign(c.id)),
        );
        let kpis = self.kpis_for_any(actor, &scopes, period).await?;
        let (kpi_score, kpis_without_achievement) = weighted_score(&kpis);

        let codes: Vec<String> = SCORECARD_METRICS.iter().map(ToString::to_string).collect();
        let answers = self
            .metric_values(actor, &codes, &ScopeRef::Employee(employee_id), period)
            .await?;

        let value_of: BTreeMap<i64, i64> = results
            .iter()
            .map(|r| (r.campaign_id, r.conversion_value_minor))
            .collect();
        let time = hours
            .into_iter()
            .map(|(campaign_id, hours)| {
                let campaign = campaign_id.and_then(|id| all.iter().find(|c| c.id == id));
                #[allow(clippy::cast_precision_loss)]
                let result = campaign_id.map(|id| {
                    let share = shares.get(&id).copied().unwrap_or(0) as f64 / 10_000.0;
                    value_of.get(&id).copied().unwrap_or(0) as f64 / 100.0 * share
                });
                CampaignTime {
                    campaign_id,
                    name: campaign.map(|c| c.name.clone()),
                    hours,
                    result_per_hour: result.filter(|_| hours > 0.0).map(|r| r / hours),
                    result,
                    currency: campaign.and_then(|c| c.currency.clone()),
                }
            })
            .collect();
        Ok(Scorecard {
            employee_id,
            period,
            kpis,
            kpi_score,
            kpis_without_achievement,
            results: answers,
            time,
        })
    }
}

/// A team's roll-up for a period: its KPIs and results (its people's
/// shares, never a campaign twice), and each member's scorecard in short.
#[derive(Debug, Clone)]
pub struct TeamCard {
    pub team: mkpi_store::teams::TeamRow,
    pub kpis: Vec<KpiView>,
    pub kpi_score: Option<f64>,
    pub results: Vec<MetricAnswer>,
    /// Members the caller sees, by name, each with their scorecard.
    pub members: Vec<(mkpi_store::employees::EmployeeRow, Scorecard)>,
    /// Flags on the members, from the three months before today.
    pub flags: Vec<PersonFlag>,
}

impl Services {
    pub async fn team_card(&self, actor: &Actor, team_id: i64, period: Period) -> Result<TeamCard> {
        let scope = ScopeRef::Team(team_id);
        // The team's KPIs first: they check that the caller may see the team.
        let kpis = self.kpis_for(actor, &scope, period).await?;
        let team = self
            .list_teams(actor)
            .await?
            .into_iter()
            .find(|t| t.id == team_id)
            .ok_or(crate::Error::NotFound)?;
        let (kpi_score, _) = weighted_score(&kpis);
        let codes: Vec<String> = SCORECARD_METRICS.iter().map(ToString::to_string).collect();
        let results = self.metric_values(actor, &codes, &scope, period).await?;
        let people: Vec<_> = self
            .list_employees(actor)
            .await?
            .into_iter()
            .filter(|e| e.team_id == Some(team_id))
            .collect();
        let today = mkpi_domain::period::Day::from_unix_seconds(self.clock.now());
        let flags = self.flags_for(actor, &people, today).await?;
        let mut members = Vec::new();
        // The viewer reads the team's figures, not each person's.
        let people = if actor.scope.sees_evaluations() {
            people
        } else {
            Vec::new()
        };
        for e in people {
            let card = self.scorecard(actor, e.id, period).await?;
            members.push((e, card));
        }
        Ok(TeamCard {
            team,
            kpis,
            kpi_score,
            results,
            members,
            flags,
        })
    }
}

/// A flag on a person with the months it looked at (YYYY-MM, oldest first).
#[derive(Debug, Clone, PartialEq)]
pub struct PersonFlag {
    pub employee_id: i64,
    pub name: String,
    pub flag: mkpi_domain::flag::Flag,
    pub months: Vec<String>,
    /// The person's open development actions (planned or in progress).
    pub actions: Vec<mkpi_store::development_actions::DevelopmentActionRow>,
}

impl Services {
    /// Flags on these people from the three complete months before `as_of`
    /// (their KPIs' weighted achievement per month, and the quality of
    /// their tasks over the three months).
    pub async fn flags_for(
        &self,
        actor: &Actor,
        people: &[mkpi_store::employees::EmployeeRow],
        as_of: mkpi_domain::period::Day,
    ) -> Result<Vec<PersonFlag>> {
        use mkpi_domain::flag::{Record, Rules, flags};
        if !actor.scope.sees_evaluations() {
            return Ok(Vec::new());
        }
        let rules = Rules::default();
        let this_month = as_of.first_of_month();
        let months: Vec<Period> = (1..=rules.months)
            .rev()
            .map(|k| Period::month_of(this_month.plus_months(-i64::try_from(k).unwrap_or(1))))
            .collect();
        let (Some(first), Some(last)) = (months.first(), months.last()) else {
            return Ok(Vec::new());
        };
        let window = Period {
            from: first.from,
            to: last.to,
        };
        let labels: Vec<String> = months
            .iter()
            .map(|m| m.from.to_string()[..7].to_string())
            .collect();
        // Every KPI of the window at once: most people and campaigns have
        // none, and looking each one up cost a query per campaign.
        let mut tx = self.store.read().await?;
        let rows = mkpi_store::kpis::overlapping_any(
            &mut tx,
            &window.from.to_string(),
            &window.to.to_string(),
        )
        .await?;
        let mut by_scope: BTreeMap<String, Vec<(KpiRow, Vec<TargetRow>)>> = BTreeMap::new();
        for row in rows {
            let targets = mkpi_store::kpis::targets(&mut tx, row.id).await?;
            by_scope
                .entry(row.scope.clone())
                .or_default()
                .push((row, targets));
        }
        // Owners of the campaigns that have KPIs (only those matter here).
        let kpi_campaigns: Vec<i64> = by_scope
            .keys()
            .filter_map(|k| k.strip_prefix("campaign:")?.parse().ok())
            .collect();
        let mut owned: BTreeMap<i64, Vec<i64>> = BTreeMap::new();
        for c in campaigns::by_ids(&mut tx, &kpi_campaigns).await? {
            if let Some(o) = c.owner_employee_id {
                owned.entry(o).or_default().push(c.id);
            }
        }
        drop(tx);
        let mut out = Vec::new();
        for person in people {
            // The person's KPIs and their campaigns' (visible with the person).
            let mut theirs: Vec<(KpiRow, Vec<TargetRow>)> = Vec::new();
            let scopes = std::iter::once(format!("employee:{}", person.id)).chain(
                owned
                    .get(&person.id)
                    .into_iter()
                    .flatten()
                    .map(|c| format!("campaign:{c}")),
            );
            for scope in scopes {
                if let Some(k) = by_scope.get(&scope) {
                    theirs.extend(k.iter().cloned());
                }
            }
            let mut monthly = Vec::with_capacity(months.len());
            for m in &months {
                let kpis = if theirs.is_empty() {
                    Vec::new()
                } else {
                    self.evaluate(actor, theirs.clone(), *m).await?
                };
                monthly.push(weighted_score(&kpis).0);
            }
            let quality = self
                .metric_values(
                    actor,
                    &["avg_quality".to_string()],
                    &ScopeRef::Employee(person.id),
                    window,
                )
                .await?
                .pop()
                .and_then(|a| {
                    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
                    Some((a.value?, a.denominator? as u32))
                });
            let record = Record {
                monthly_achievement: monthly,
                quality,
            };
            for flag in flags(&record, rules) {
                out.push(PersonFlag {
                    employee_id: person.id,
                    name: person.name.clone(),
                    flag,
                    months: labels.clone(),
                    actions: Vec::new(),
                });
            }
        }
        let flagged: Vec<i64> = out.iter().map(|f| f.employee_id).collect();
        let mut tx = self.store.read().await?;
        let open = mkpi_store::development_actions::open_for(&mut tx, &flagged).await?;
        for f in &mut out {
            f.actions = open
                .iter()
                .filter(|a| a.employee_id == f.employee_id)
                .cloned()
                .collect();
        }
        Ok(out)
    }
}
