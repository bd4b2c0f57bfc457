//! Metrics for a scope and period: the catalogue (built-in and custom),
//! who may ask for which scope, and values computed from the base measures
//! the store sums — the one path dashboards, the API and reports share.

use std::collections::BTreeSet;
use std::fmt;

use mkpi_domain::TeamTree;
use mkpi_domain::measure::{Measure, Measures, Source};
use mkpi_domain::metric::{Catalogue, Metric, MetricDraft, Unit};
use mkpi_domain::period::Period;
use mkpi_domain::scope::PeopleScope;
use mkpi_store::measures::{self, MeasureScope, MeasureSettings};
use mkpi_store::metric_definitions::{self, NewMetricDefinition};
use mkpi_store::{Tx, campaigns, employees, teams};
use serde_json::json;

use crate::audit::{self, Change};
use crate::users::Principal;
use crate::{Actor, Error, FieldProblem, Result, Services};

/// What a metric is asked for, as the API writes it:
/// `department`, `team:{id}`, `employee:{id}`, `campaign:{id}`, `channel:{code}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScopeRef {
    Department,
    Team(i64),
    Employee(i64),
    Campaign(i64),
    Channel(String),
}

impl ScopeRef {
    pub fn parse(text: &str) -> Result<ScopeRef> {
        let bad = || {
            Error::invalid(
                "scope",
                format!(
                    "'{}' is not a scope: use department, team:ID, employee:ID, campaign:ID or channel:CODE",
                    text.chars().take(60).collect::<String>()
                ),
            )
        };
        let text = text.trim();
        if text == "department" {
            return Ok(ScopeRef::Department);
        }
        let (kind, rest) = text.split_once(':').ok_or_else(bad)?;
        let id = || rest.parse::<i64>().ok().filter(|n| *n > 0).ok_or_else(bad);
        match kind {
            "team" => Ok(ScopeRef::Team(id()?)),
            "employee" => Ok(ScopeRef::Employee(id()?)),
            "campaign" => Ok(ScopeRef::Campaign(id()?)),
            "channel"
                if !rest.is_empty()
                    && rest.len() <= 40
                    && rest
                        .chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_') =>
            {
                Ok(ScopeRef::Channel(rest.to_string()))
            }
            _ => Err(bad()),
        }
    }
}

impl fmt::Display for ScopeRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ScopeRef::Department => f.write_str("department"),
            ScopeRef::Team(id) => write!(f, "team:{id}"),
            ScopeRef::Employee(id) => write!(f, "employee:{id}"),
            ScopeRef::Campaign(id) => write!(f, "campaign:{id}"),
            ScopeRef::Channel(c) => write!(f, "channel:{c}"),
        }
    }
}

/// One metric's value for one scope and period.
#[derive(Debug, Clone, PartialEq)]
pub struct MetricAnswer {
    pub code: String,
    pub version: i64,
    pub unit: Unit,
    pub value: Option<f64>,
    pub numerator: Option<f64>,
    pub denominator: Option<f64>,
    /// The currency of a money value (or of a ratio's money parts).
    pub currency: Option<String>,
    /// Why there is no value, when the reason is not a zero denominator.
    pub note: Option<String>,
}

impl Services {
    /// The catalogue: built-in metrics and the current custom ones.
    pub async fn catalogue(&self) -> Result<Catalogue> {
        let mut tx = self.store.read().await?;
        catalogue_in(&mut tx).await
    }

    /// Values of several metrics for one scope and period, from one pass
    /// over the base measures they need. Out-of-scope targets are
    /// [`Error::NotFound`], as for any object the caller may not see.
    pub async fn metric_values(
        &self,
        actor: &Actor,
        codes: &[String],
        scope: &ScopeRef,
        period: Period,
    ) -> Result<Vec<MetricAnswer>> {
        let mut tx = self.store.read().await?;
        let catalogue = catalogue_in(&mut tx).await?;
        let mut unknown = Vec::new();
        let mut needed: BTreeSet<Measure> = BTreeSet::new();
        for code in codes {
            if catalogue.get(code).is_some() {
                needed.extend(catalogue.measures_of(code));
            } else {
                unknown.push(FieldProblem::new(
                    "code",
                    format!("'{code}' is not a metric (GET /api/v1/metrics lists them)"),
                ));
            }
        }
        if !unknown.is_empty() {
            return Err(Error::Invalid(unknown));
        }
        let measure_scope = resolve(&mut tx, actor, scope).await?;
        let values = measures::measures(
            &mut tx,
            &measure_scope,
            &period.from.to_string(),
            &period.to.to_string(),
            &needed,
            MeasureSettings {
                today: Some(mkpi_domain::period::Day::from_unix_seconds(
                    self.clock.now(),
                )),
                ..MeasureSettings::default()
            },
        )
        .await?;
        Ok(answers(&catalogue, codes, scope, &values))
    }

    /// The department's values of several metrics for each calendar month
    /// of `months` (contiguous whole months, earliest first): one grouped
    /// reading of the roll-ups where the metrics allow it, month by month
    /// otherwise. The values are those [`Services::metric_values`] gives
    /// for each month.
    pub async fn department_months(
        &self,
        actor: &Actor,
        codes: &[String],
        months: &[Period],
    ) -> Result<Vec<(Period, Vec<MetricAnswer>)>> {
        let contiguous = months.windows(2).all(|w| w[0].to == w[1].from)
            && months
                .iter()
                .all(|m| m.from == m.from.first_of_month() && m.to == m.from.plus_months(1));
        if let (true, Some(first), Some(last)) = (contiguous, months.first(), months.last()) {
            let mut tx = self.store.read().await?;
            let catalogue = catalogue_in(&mut tx).await?;
            resolve(&mut tx, actor, &ScopeRef::Department).await?;
            drop(tx);
            let mut needed: BTreeSet<Measure> = BTreeSet::new();
            for code in codes {
                needed.extend(catalogue.measures_of(code));
            }
            // Each source's grouped reading runs on a connection of its own.
            let mut by_source: std::collections::BTreeMap<Source, BTreeSet<Measure>> =
                std::collections::BTreeMap::new();
            for m in &needed {
                by_source.entry(m.source()).or_default().insert(*m);
            }
            let (from, to) = (first.from.to_string(), last.to.to_string());
            let mut reads = tokio::task::JoinSet::new();
            for group in by_source.into_values() {
                let (store, from, to) = (self.store.clone(), from.clone(), to.clone());
                reads.spawn(async move {
                    let mut tx = store.read().await?;
                    measures::department_months(&mut tx, &from, &to, &group).await
                });
            }
            let mut merged: Option<std::collections::BTreeMap<String, Measures>> =
                Some(std::collections::BTreeMap::new());
            while let Some(done) = reads.join_next().await {
                let part = done.map_err(|e| Error::Internal(e.to_string()))??;
                merged = match (merged, part) {
                    (Some(mut all), Some(part)) => {
                        for (month, values) in part {
                            let into = all.entry(month).or_default();
                            for (m, v) in values.iter() {
                                into.set(m, v);
                            }
                            into.currencies.extend(values.currencies);
                        }
                        Some(all)
                    }
                    _ => None,
                };
            }
            if codes.iter().all(|c| catalogue.get(c).is_some())
                && let Some(mut by_month) = merged
            {
                return Ok(months
                    .iter()
                    .map(|m| {
                        let values = by_month
                            .remove(&m.from.to_string()[..7])
                            .unwrap_or_default();
                        (
                            *m,
                            answers(&catalogue, codes, &ScopeRef::Department, &values),
                        )
                    })
                    .collect());
            }
        }
        let mut out = Vec::with_capacity(months.len());
        for m in months {
            let values = self
                .metric_values(actor, codes, &ScopeRef::Department, *m)
                .await?;
            out.push((*m, values));
        }
        Ok(out)
    }

    /// Adds or changes a custom metric (admin). Every version is kept.
    pub async fn define_metric(&self, by: Principal<'_>, draft: &MetricDraft) -> Result<Metric> {
        let author = by.require_admin()?;
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let catalogue = catalogue_in(&mut tx).await?;
        let metric = catalogue.check_draft(draft).map_err(|problems| {
            Error::Invalid(
                problems
                    .into_iter()
                    .map(|p| FieldProblem::new(p.field, p.message))
                    .collect(),
            )
        })?;
        let formula = metric.formula.to_string();
        let id = metric_definitions::insert(
            &mut tx,
            &NewMetricDefinition {
                code: &metric.code,
                version: metric.version,
                name_en: &metric.name_en,
                name_ru: &metric.name_ru,
                formula: &formula,
                unit: metric.unit.code(),
                direction: metric.direction.code(),
                description: &metric.description_en,
                created_by_user_id: author.user_id,
                created_at: now,
            },
        )
        .await?;
        let before = catalogue.get(&metric.code).map(|m| {
            json!({"code": m.code, "version": m.version, "formula": m.formula.to_string(), "unit": m.unit.code()})
        });
        audit::record(
            &mut tx,
            now,
            &author,
            Change {
                action: if before.is_some() { "update" } else { "create" },
                entity: "metric",
                entity_id: Some(id),
                before,
                after: Some(json!({
                    "code": metric.code, "version": metric.version, "formula": formula,
                    "unit": metric.unit.code(), "direction": metric.direction.code(),
                })),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(metric)
    }
}

pub(crate) async fn catalogue_in(tx: &mut Tx) -> Result<Catalogue> {
    let custom = metric_definitions::current(tx).await?;
    Ok(Catalogue::with_custom(custom.into_iter().filter_map(
        |row| {
            Some(Metric {
                formula: mkpi_domain::formula::Expr::parse(&row.formula).ok()?,
                unit: Unit::from_code(&row.unit)?,
                direction: mkpi_domain::metric::Direction::from_code(&row.direction)?,
                code: row.code,
                name_en: row.name_en,
                name_ru: row.name_ru,
                category: "custom".to_string(),
                version: row.version,
                description_en: row.description.clone(),
                description_ru: row.description,
                builtin: false,
            })
        },
    )))
}

/// The store's scope for what the caller asked, or NotFound when the
/// caller may not see it.
pub(crate) async fn resolve(tx: &mut Tx, actor: &Actor, scope: &ScopeRef) -> Result<MeasureScope> {
    let who = &actor.scope;
    Ok(match scope {
        // Department and channel figures are aggregates every role may see.
        ScopeRef::Department => MeasureScope::Department,
        ScopeRef::Channel(c) => MeasureScope::Channel(c.clone()),
        ScopeRef::Employee(id) => {
            let team = employees::team_of(tx, *id).await?.ok_or(Error::NotFound)?;
            if !who.sees_employee(*id, team) {
                return Err(Error::NotFound);
            }
            // A person's figures are their evaluation: not the viewer's to read.
            if !who.sees_evaluations() {
                return Err(Error::Forbidden);
            }
            MeasureScope::Employees(vec![*id])
        }
        ScopeRef::Team(id) => {
            let tree = TeamTree::new(teams::nodes(tx).await?);
            if !tree.contains(*id) {
                return Err(Error::NotFound);
            }
            let allowed = match &who.people {
                PeopleScope::All => true,
                PeopleScope::Teams { team_ids, .. } => team_ids.contains(id),
                PeopleScope::Only(_) | PeopleScope::Nobody => false,
            };
            if !allowed {
                return Err(Error::NotFound);
            }
            let subtree: Vec<i64> = tree.subtree(*id).into_iter().collect();
            // Each fact counts for the people who were in the team on its
            // date: a transfer moves later figures only.
            let memberships = mkpi_store::memberships::memberships_in_teams(tx, &subtree).await?;
            MeasureScope::Team(mkpi_domain::org::segments(&memberships))
        }
        ScopeRef::Campaign(id) => {
            let people = campaigns::people(tx, *id).await?.ok_or(Error::NotFound)?;
            let visible = matches!(who.people, PeopleScope::All)
                || people.iter().any(|(e, team)| who.sees_employee(*e, *team));
            if !visible {
                return Err(Error::NotFound);
            }
            MeasureScope::Campaign(*id)
        }
    })
}

/// Why measures are absent for a scope.
fn not_available(scope: &ScopeRef, missing: &[Measure]) -> String {
    let what: BTreeSet<&str> = missing
        .iter()
        .map(|m| match m.source() {
            Source::Web => "web analytics",
            Source::Surveys => "survey responses",
            Source::Social => "social statistics",
            Source::Customers => "customer counts",
            _ => "this data",
        })
        .collect();
    let whom = match scope {
        ScopeRef::Department => "the department",
        ScopeRef::Team(_) => "a team",
        ScopeRef::Employee(_) => "a person",
        ScopeRef::Campaign(_) => "a campaign",
        ScopeRef::Channel(_) => "a channel",
    };
    format!(
        "{} cannot be attributed to {whom}",
        what.into_iter().collect::<Vec<_>>().join(" and ")
    )
}

/// Metric answers from a scope's measures: each formula evaluated, money
/// metrics refused across currencies, and why a value is missing.
fn answers(
    catalogue: &Catalogue,
    codes: &[String],
    scope: &ScopeRef,
    values: &mkpi_domain::measure::Measures,
) -> Vec<MetricAnswer> {
    let mixed = values.currencies.len() > 1;
    let currency = (values.currencies.len() == 1)
        .then(|| values.currencies.iter().next().cloned())
        .flatten();
    let mut out = Vec::with_capacity(codes.len());
    for code in codes {
        let Some(metric) = catalogue.get(code) else {
            continue;
        };
        let uses = catalogue.measures_of(code);
        let uses_money = uses
            .iter()
            .any(|m| m.dimension().money != 0 && values.get(*m).is_some());
        let missing: Vec<Measure> = uses
            .iter()
            .copied()
            .filter(|m| values.get(*m).is_none())
            .collect();
        let mut answer = catalogue.evaluate(code, values);
        let note = if uses_money && mixed {
            answer.value = None;
            answer.numerator = None;
            answer.denominator = None;
            Some(format!(
                "amounts are in {}: different currencies are never added up",
                values
                    .currencies
                    .iter()
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
        } else if !missing.is_empty() {
            Some(not_available(scope, &missing))
        } else {
            None
        };
        out.push(MetricAnswer {
            code: metric.code.clone(),
            version: metric.version,
            unit: metric.unit,
            value: answer.value,
            numerator: answer.numerator,
            denominator: answer.denominator,
            currency: if uses_money { currency.clone() } else { None },
            note,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_parse_as_the_api_writes_them() {
        assert_eq!(ScopeRef::parse("department").unwrap(), ScopeRef::Department);
        assert_eq!(ScopeRef::parse("team:3").unwrap(), ScopeRef::Team(3));
        assert_eq!(
            ScopeRef::parse("employee:12").unwrap(),
            ScopeRef::Employee(12)
        );
        assert_eq!(
            ScopeRef::parse("campaign:7").unwrap(),
            ScopeRef::Campaign(7)
        );
        assert_eq!(
            ScopeRef::parse("channel:paid_search").unwrap(),
            ScopeRef::Channel("paid_search".into())
        );
        for bad in [
            "",
            "team",
            "team:x",
            "team:-1",
            "channel:",
            "channel:Paid Search",
            "org:1",
        ] {
            assert!(ScopeRef::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(
            ScopeRef::parse("org:1").unwrap_err().to_string(),
            "invalid input: scope: 'org:1' is not a scope: use department, team:ID, employee:ID, campaign:ID or channel:CODE"
        );
    }
}
