//! A report's metric table: for each metric of a scope and period, its
//! value, the previous period's and the same period a year before, the
//! changes, the KPI target where one covers it, and — for a rate of counts —
//! whether the change is significant. Read through the same metric path as
//! the dashboard, so a report and a dashboard never disagree.

use mkpi_domain::analysis::{self, ProportionTest};
use mkpi_domain::measure::Dimension;
use mkpi_domain::metric::{Metric, Unit};
use mkpi_domain::period::Period;

use crate::metrics::{MetricAnswer, ScopeRef};
use crate::{Actor, Result, Services};

/// The significance level a report calls a change real at.
pub const SIGNIFICANCE: f64 = 0.05;

/// One metric of a report's table.
#[derive(Debug, Clone, PartialEq)]
pub struct MetricRow {
    pub metric: Metric,
    pub now: MetricAnswer,
    pub previous: MetricAnswer,
    pub year_before: MetricAnswer,
    /// (now − previous) / |previous|; none without both or with previous 0.
    pub change: Option<f64>,
    pub change_year: Option<f64>,
    /// The KPI target for the period, where a KPI on the metric covers it.
    pub target: Option<f64>,
    /// For a rate of counts (CTR, conversion rates, CSAT …): the test of
    /// the change from the previous period.
    pub test: Option<ProportionTest>,
}

fn relative(now: Option<f64>, before: Option<f64>) -> Option<f64> {
    match (now, before) {
        (Some(n), Some(b)) if b != 0.0 => Some((n - b) / b.abs()),
        _ => None,
    }
}

/// Whether a metric is a share of counts, so that a two-proportion test
/// fits: a percentage of two count measures, the part never above the whole.
fn proportion(metric: &Metric, measures: usize, all_counts: bool) -> bool {
    metric.unit == Unit::Percent && measures == 2 && all_counts
}

impl Services {
    /// The report's metric table for a scope and period.
    pub async fn report_metrics(
        &self,
        actor: &Actor,
        codes: &[String],
        scope: &ScopeRef,
        period: Period,
    ) -> Result<Vec<MetricRow>> {
        let catalogue = self.catalogue().await?;
        let now = self.metric_values(actor, codes, scope, period).await?;
        let previous = self
            .metric_values(actor, codes, scope, period.previous())
            .await?;
        let year_before = self
            .metric_values(actor, codes, scope, period.year_before())
            .await?;
        let kpis = self.kpis_for(actor, scope, period).await?;
        let mut rows = Vec::with_capacity(now.len());
        for ((now, previous), year_before) in now.into_iter().zip(previous).zip(year_before) {
            let Some(metric) = catalogue.get(&now.code).cloned() else {
                continue;
            };
            let uses = catalogue.measures_of(&metric.code);
            let counts = uses.iter().all(|m| m.dimension() == Dimension::COUNT);
            let test = if proportion(&metric, uses.len(), counts) {
                match (
                    previous.numerator,
                    previous.denominator,
                    now.numerator,
                    now.denominator,
                ) {
                    (Some(x1), Some(n1), Some(x2), Some(n2)) => {
                        analysis::two_proportion_test(x1, n1, x2, n2)
                    }
                    _ => None,
                }
            } else {
                None
            };
            rows.push(MetricRow {
                change: relative(now.value, previous.value),
                change_year: relative(now.value, year_before.value),
                target: kpis
                    .iter()
                    .find(|k| k.metric.code == metric.code)
                    .and_then(|k| k.bands.map(|b| b.target)),
                test,
                metric,
                now,
                previous,
                year_before,
            });
        }
        Ok(rows)
    }
}

/// What drove the change of a derived metric between two periods: its
/// factors' contributions, adding up to the change.
#[derive(Debug, Clone, PartialEq)]
pub struct Drivers {
    /// The metric decomposed: `order_revenue` (sessions × orders per
    /// session × AOV) or `roas` (conversion rate × value per conversion ÷
    /// CPC; ROI moves by the same amount).
    pub code: &'static str,
    pub before: f64,
    pub after: f64,
    pub contributions: Vec<analysis::Contribution>,
}

impl Services {
    /// The drivers of revenue and of ROAS from `before` to `after` for a
    /// scope; a metric whose factors are missing or divide by zero is left
    /// out.
    pub async fn report_drivers(
        &self,
        actor: &Actor,
        scope: &ScopeRef,
        before: Period,
        after: Period,
    ) -> Result<Vec<Drivers>> {
        let codes: Vec<String> = [
            "sessions",
            "orders",
            "order_revenue",
            "clicks",
            "conversions",
            "conversion_value",
            "spend",
        ]
        .map(String::from)
        .to_vec();
        let read = |answers: Vec<MetricAnswer>| -> std::collections::BTreeMap<String, f64> {
            answers
                .into_iter()
                .filter_map(|a| a.value.map(|v| (a.code, v)))
                .collect()
        };
        let b = read(self.metric_values(actor, &codes, scope, before).await?);
        let a = read(self.metric_values(actor, &codes, scope, after).await?);
        let ratio = |m: &std::collections::BTreeMap<String, f64>, n: &str, d: &str| match (
            m.get(n),
            m.get(d),
        ) {
            (Some(n), Some(d)) if *d != 0.0 => Some(n / d),
            _ => None,
        };
        let factor = |name: &str, x: Option<f64>, y: Option<f64>, exponent: i32| {
            Some(analysis::Factor {
                name: name.to_string(),
                before: x?,
                after: y?,
                exponent,
            })
        };
        let mut out = Vec::new();
        let revenue = [
            factor(
                "sessions",
                b.get("sessions").copied(),
                a.get("sessions").copied(),
                1,
            ),
            factor(
                "orders_per_session",
                ratio(&b, "orders", "sessions"),
                ratio(&a, "orders", "sessions"),
                1,
            ),
            factor(
                "aov",
                ratio(&b, "order_revenue", "orders"),
                ratio(&a, "order_revenue", "orders"),
                1,
            ),
        ];
        let roas = [
            factor(
                "conversion_rate",
                ratio(&b, "conversions", "clicks"),
                ratio(&a, "conversions", "clicks"),
                1,
            ),
            factor(
                "value_per_conversion",
                ratio(&b, "conversion_value", "conversions"),
                ratio(&a, "conversion_value", "conversions"),
                1,
            ),
            factor(
                "cpc",
                ratio(&b, "spend", "clicks"),
                ratio(&a, "spend", "clicks"),
                -1,
            ),
        ];
        for (code, factors) in [("order_revenue", revenue), ("roas", roas)] {
            let Some(factors) = factors.into_iter().collect::<Option<Vec<_>>>() else {
                continue;
            };
            if let Some(contributions) = analysis::decompose(&factors) {
                out.push(Drivers {
                    code,
                    before: analysis::product(&factors, false),
                    after: analysis::product(&factors, true),
                    contributions,
                });
            }
        }
        Ok(out)
    }
}

/// A channel or campaign ranked by its return, with its share of spend.
#[derive(Debug, Clone, PartialEq)]
pub struct Ranked {
    /// `channel:email`, `campaign:12`.
    pub key: String,
    pub name: String,
    pub spend: f64,
    /// Of the whole split's spend.
    pub spend_share: f64,
    pub roi: Option<f64>,
    pub cpa: Option<f64>,
}

/// Rows ranked best return first (those without one last), each with its
/// share of the spend.
pub fn rank(rows: &[crate::explorer::ExplorerRow]) -> Vec<Ranked> {
    let get = |r: &crate::explorer::ExplorerRow, code: &str| {
        r.values
            .iter()
            .find(|v| v.code == code)
            .and_then(|v| v.value)
    };
    let total: f64 = rows.iter().filter_map(|r| get(r, "spend")).sum();
    let mut out: Vec<Ranked> = rows
        .iter()
        .map(|r| {
            let spend = get(r, "spend").unwrap_or(0.0);
            Ranked {
                key: r.key.clone(),
                name: r.name.clone(),
                spend,
                spend_share: if total > 0.0 { spend / total } else { 0.0 },
                roi: get(r, "roi"),
                cpa: get(r, "cpa"),
            }
        })
        .collect();
    out.sort_by(|a, b| match (a.roi, b.roi) {
        (Some(x), Some(y)) => y.total_cmp(&x),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => b.spend.total_cmp(&a.spend),
    });
    out
}

impl Services {
    /// The department's channels ranked by ROI with their spend shares:
    /// what works and what does not (read through the explorer's rows).
    pub async fn report_channels(&self, actor: &Actor, period: Period) -> Result<Vec<Ranked>> {
        let e = self
            .explore(
                actor,
                &ScopeRef::Department,
                crate::explorer::Split::Channels,
                period,
            )
            .await?;
        Ok(rank(&e.rows))
    }
}

/// A day of a department series that stands out.
#[derive(Debug, Clone, PartialEq)]
pub struct SeriesAnomaly {
    /// spend, clicks, conversions, orders or sessions.
    pub series: &'static str,
    pub anomaly: analysis::Anomaly,
}

/// The daily series anomalies are looked for in, in the order the store
/// gives them.
pub const DAILY_SERIES: [&str; 5] = ["spend", "clicks", "conversions", "orders", "sessions"];

impl Services {
    /// Days of the period that stand out in the department's daily series
    /// (four weeks before the period give the baseline). Only those who see
    /// the department's figures (everyone) ask; the series hold no people.
    pub async fn report_anomalies(
        &self,
        _actor: &Actor,
        period: Period,
    ) -> Result<Vec<SeriesAnomaly>> {
        let history = period.from.plus_days(-28);
        let mut tx = self.store.read().await?;
        let days = mkpi_store::measures::department_days(
            &mut tx,
            &history.to_string(),
            &period.to.to_string(),
        )
        .await?;
        drop(tx);
        let mut out = Vec::new();
        for (i, series) in DAILY_SERIES.iter().enumerate() {
            // Every day of the span, a day without rows being 0.
            let mut values = Vec::new();
            let mut day = history;
            while day < period.to {
                values.push((day, days.get(&day.to_string()).map_or(0.0, |v| v[i])));
                day = day.plus_days(1);
            }
            out.extend(
                analysis::anomalies(&values)
                    .into_iter()
                    .filter(|a| period.contains(a.day))
                    .map(|anomaly| SeriesAnomaly { series, anomaly }),
            );
        }
        out.sort_by(|a, b| {
            a.anomaly
                .day
                .cmp(&b.anomaly.day)
                .then(a.series.cmp(b.series))
        });
        Ok(out)
    }
}

/// A KPI off track or at risk, with whose it is.
#[derive(Debug, Clone)]
pub struct Problem {
    pub kpi: crate::kpis::KpiView,
    /// The department, a team, a person or a campaign, by name.
    pub scope_name: String,
    /// The person who answers for it: the person, the team's manager, the
    /// campaign's owner; none for the department.
    pub owner: Option<String>,
}

impl Services {
    /// The KPIs of the period the caller sees that are off track or at
    /// risk (by their values and forecasts), worst first: off track before
    /// at risk, then by achievement.
    pub async fn report_problems(&self, actor: &Actor, period: Period) -> Result<Vec<Problem>> {
        use mkpi_domain::kpi::Status;
        let teams = self.list_teams(actor).await?;
        let people = self.list_employees(actor).await?;
        let mut scopes: Vec<(ScopeRef, String, Option<String>)> =
            vec![(ScopeRef::Department, "department".to_string(), None)];
        for t in &teams {
            scopes.push((ScopeRef::Team(t.id), t.name.clone(), t.manager_name.clone()));
        }
        // A person's KPIs are their evaluation: not for the viewer.
        for e in people.iter().filter(|_| actor.scope.sees_evaluations()) {
            scopes.push((
                ScopeRef::Employee(e.id),
                e.name.clone(),
                Some(e.name.clone()),
            ));
        }
        let mut tx = self.store.read().await?;
        let campaigns = mkpi_store::campaigns::all(&mut tx).await?;
        drop(tx);
        for c in &campaigns {
            let owner = c
                .owner_employee_id
                .and_then(|o| people.iter().find(|e| e.id == o))
                .map(|e| e.name.clone());
            // A campaign's KPIs show to those who see one of its people.
            if owner.is_some() {
                scopes.push((ScopeRef::Campaign(c.id), c.name.clone(), owner));
            }
        }
        let mut out = Vec::new();
        for (scope, name, owner) in scopes {
            let kpis = match self.kpis_for(actor, &scope, period).await {
                Ok(k) => k,
                Err(crate::Error::NotFound | crate::Error::Forbidden) => continue,
                Err(e) => return Err(e),
            };
            for kpi in kpis {
                if matches!(kpi.status, Status::OffTrack | Status::AtRisk) {
                    out.push(Problem {
                        kpi,
                        scope_name: name.clone(),
                        owner: owner.clone(),
                    });
                }
            }
        }
        out.sort_by(|a, b| {
            let rank = |p: &Problem| u8::from(p.kpi.status != Status::OffTrack);
            rank(a).cmp(&rank(b)).then(
                a.kpi
                    .achievement
                    .unwrap_or(0.0)
                    .total_cmp(&b.kpi.achievement.unwrap_or(0.0)),
            )
        });
        Ok(out)
    }
}

/// The sections a report may hold, in the order it shows them.
pub const SECTIONS: [&str; 9] = [
    "summary",
    "kpis",
    "trends",
    "channels",
    "people",
    "problems",
    "swot",
    "competitors",
    "evaluation",
];

/// A report definition as entered.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DefinitionInput {
    pub name: String,
    /// Shown on the cover.
    pub purpose: String,
    pub metrics: Vec<String>,
    /// `department`, `team:ID`, `employee:ID`, `campaign:ID`, `channel:NAME`.
    pub scope: String,
    /// `fixed` (with from and to), `last_month`, `last_quarter`, `last_year`.
    pub period_kind: String,
    pub period_from: Option<String>,
    pub period_to: Option<String>,
    /// `previous`, `year` or `target`.
    pub compare: String,
    pub sections: Vec<String>,
    /// `ru` or `en`.
    pub language: String,
}

/// The period a definition covers on a day: its fixed dates, or the last
/// full month, quarter or year before the day.
pub fn resolve_period(
    kind: &str,
    from: Option<&str>,
    to: Option<&str>,
    today: mkpi_domain::period::Day,
) -> std::result::Result<Period, String> {
    use mkpi_domain::period::Day;
    let (y, m, _) = today.ymd();
    let day = |y: i64, m: u32| Day::from_ymd(y, m, 1).ok_or_else(|| "no such day".to_string());
    let (start, months) = match kind {
        "fixed" => {
            return Period::parse(from.unwrap_or(""), to.unwrap_or("")).map_err(|e| e.to_string());
        }
        "last_month" => (day(y, m)?.plus_months(-1), 1),
        "last_quarter" => (day(y, (m - 1) / 3 * 3 + 1)?.plus_months(-3), 3),
        "last_year" => (day(y - 1, 1)?, 12),
        other => {
            return Err(format!(
                "'{other}' is not a period; use fixed, last_month, last_quarter or last_year"
            ));
        }
    };
    Period::new(start, start.plus_months(months)).map_err(|e| e.to_string())
}

/// Whether the actor may change a definition made by `creator`: the head
/// and admins any, a manager their own.
pub fn may_change(actor: &Actor, creator: Option<i64>) -> bool {
    use mkpi_domain::Role;
    match actor.role {
        Role::Admin | Role::Head => true,
        Role::Manager => creator == Some(actor.user_id),
        _ => false,
    }
}

impl Services {
    /// Every problem with a definition as entered; `except` is the id of the
    /// definition being changed (its own name is no clash).
    async fn check_definition(
        &self,
        actor: &Actor,
        input: &DefinitionInput,
        except: Option<i64>,
        tx: &mut mkpi_store::Tx,
    ) -> Result<()> {
        use crate::FieldProblem;
        let mut problems = Vec::new();
        let name = input.name.trim();
        if name.is_empty() || name.chars().count() > 100 {
            problems.push(FieldProblem::new(
                "name",
                "name the report (at most 100 characters)",
            ));
        }
        if input.purpose.chars().count() > 2000 {
            problems.push(FieldProblem::new(
                "purpose",
                "is longer than 2,000 characters",
            ));
        }
        let catalogue = self.catalogue().await?;
        if input.metrics.is_empty() {
            problems.push(FieldProblem::new("metrics", "choose at least one metric"));
        }
        for m in &input.metrics {
            if catalogue.get(m).is_none() {
                problems.push(FieldProblem::new(
                    "metrics",
                    format!("'{m}' is not a metric (GET /api/v1/metrics lists them)"),
                ));
            }
        }
        match ScopeRef::parse(input.scope.trim()) {
            Ok(scope) => {
                let mut read = self.store.read().await?;
                if crate::metrics::resolve(&mut read, actor, &scope)
                    .await
                    .is_err()
                {
                    problems.push(FieldProblem::new(
                        "scope",
                        format!("there is no {} you can see", input.scope.trim()),
                    ));
                }
            }
            Err(e) => problems.push(FieldProblem::new("scope", e.to_string())),
        }
        let today = mkpi_domain::period::Day::from_unix_seconds(self.clock.now());
        if let Err(m) = resolve_period(
            input.period_kind.trim(),
            input.period_from.as_deref(),
            input.period_to.as_deref(),
            today,
        ) {
            problems.push(FieldProblem::new("period_kind", m));
        }
        if !["previous", "year", "target"].contains(&input.compare.trim()) {
            problems.push(FieldProblem::new(
                "compare",
                format!(
                    "'{}' is not a comparison; use previous, year or target",
                    input.compare
                ),
            ));
        }
        for sec in &input.sections {
            if !SECTIONS.contains(&sec.as_str()) {
                problems.push(FieldProblem::new(
                    "sections",
                    format!("'{sec}' is not a section; use {}", SECTIONS.join(", ")),
                ));
            }
        }
        if !["ru", "en"].contains(&input.language.trim()) {
            problems.push(FieldProblem::new("language", "use ru or en"));
        }
        if problems.is_empty()
            && let Some(other) = mkpi_store::reports::by_name(tx, name).await?
            && Some(other.id) != except
        {
            problems.push(FieldProblem::new(
                "name",
                format!("a report '{name}' exists already"),
            ));
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(crate::Error::Invalid(problems))
        }
    }

    /// Saves a report definition (the head, managers and admins). Every
    /// problem is listed; nothing is stored unless all is well.
    pub async fn create_report_definition(
        &self,
        actor: &Actor,
        input: &DefinitionInput,
    ) -> Result<mkpi_store::reports::ReportDefinitionRow> {
        use mkpi_domain::Role;
        if !matches!(actor.role, Role::Admin | Role::Head | Role::Manager) {
            return Err(crate::Error::Forbidden);
        }
        let mut tx = self.store.begin().await?;
        self.check_definition(actor, input, None, &mut tx).await?;
        let (metrics, sections) = stored_lists(input);
        let now = self.clock.now();
        let id = mkpi_store::reports::insert(
            &mut tx,
            &stored(input, &metrics, &sections),
            actor.author().user_id,
            now,
        )
        .await?;
        crate::audit::record(
            &mut tx,
            now,
            &actor.author(),
            crate::audit::Change {
                action: "create",
                entity: "report_definition",
                entity_id: Some(id),
                before: None,
                after: Some(summary(input)),
            },
        )
        .await?;
        let row = mkpi_store::reports::by_id(&mut tx, id)
            .await?
            .ok_or(crate::Error::NotFound)?;
        tx.commit().await?;
        Ok(row)
    }

    /// Changes a definition (its maker, the head, admins); its share links
    /// and schedules carry on with the new content.
    pub async fn update_report_definition(
        &self,
        actor: &Actor,
        id: i64,
        input: &DefinitionInput,
    ) -> Result<mkpi_store::reports::ReportDefinitionRow> {
        let mut tx = self.store.begin().await?;
        let before = mkpi_store::reports::by_id(&mut tx, id)
            .await?
            .ok_or(crate::Error::NotFound)?;
        if !may_change(actor, before.created_by_user_id) {
            return Err(crate::Error::Forbidden);
        }
        self.check_definition(actor, input, Some(id), &mut tx)
            .await?;
        let (metrics, sections) = stored_lists(input);
        let now = self.clock.now();
        mkpi_store::reports::update(&mut tx, id, &stored(input, &metrics, &sections), now).await?;
        crate::audit::record(
            &mut tx,
            now,
            &actor.author(),
            crate::audit::Change {
                action: "update",
                entity: "report_definition",
                entity_id: Some(id),
                before: Some(
                    serde_json::json!({"name": before.name, "scope": before.scope,
                    "period_kind": before.period_kind, "metrics": before.metrics}),
                ),
                after: Some(summary(input)),
            },
        )
        .await?;
        let row = mkpi_store::reports::by_id(&mut tx, id)
            .await?
            .ok_or(crate::Error::NotFound)?;
        tx.commit().await?;
        Ok(row)
    }

    /// Deletes a definition with its share links (which stop working) and
    /// schedules.
    pub async fn delete_report_definition(&self, actor: &Actor, id: i64) -> Result<()> {
        let mut tx = self.store.begin().await?;
        let before = mkpi_store::reports::by_id(&mut tx, id)
            .await?
            .ok_or(crate::Error::NotFound)?;
        if !may_change(actor, before.created_by_user_id) {
            return Err(crate::Error::Forbidden);
        }
        mkpi_store::reports::delete(&mut tx, id).await?;
        crate::audit::record(
            &mut tx,
            self.clock.now(),
            &actor.author(),
            crate::audit::Change {
                action: "delete",
                entity: "report_definition",
                entity_id: Some(id),
                before: Some(serde_json::json!({"name": before.name, "scope": before.scope})),
                after: None,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Every report definition (names and purposes are no secret; the data
    /// a report shows is read as the one who runs it may see it).
    pub async fn report_definitions(
        &self,
        _actor: &Actor,
    ) -> Result<Vec<mkpi_store::reports::ReportDefinitionRow>> {
        let mut tx = self.store.read().await?;
        Ok(mkpi_store::reports::all(&mut tx).await?)
    }
}

/// The lists as stored: sections in the report's own order, each once.
fn stored_lists(input: &DefinitionInput) -> (String, String) {
    let sections: Vec<&str> = SECTIONS
        .iter()
        .copied()
        .filter(|s| input.sections.iter().any(|x| x == s))
        .collect();
    (
        serde_json::to_string(&input.metrics).unwrap_or_else(|_| "[]".into()),
        serde_json::to_string(&sections).unwrap_or_else(|_| "[]".into()),
    )
}

fn stored<'a>(
    input: &'a DefinitionInput,
    metrics: &'a str,
    sections: &'a str,
) -> mkpi_store::reports::NewReportDefinition<'a> {
    let fixed = input.period_kind.trim() == "fixed";
    mkpi_store::reports::NewReportDefinition {
        name: input.name.trim(),
        purpose: input.purpose.trim(),
        metrics,
        scope: input.scope.trim(),
        period_kind: input.period_kind.trim(),
        period_from: input.period_from.as_deref().filter(|_| fixed),
        period_to: input.period_to.as_deref().filter(|_| fixed),
        compare: input.compare.trim(),
        sections,
        language: input.language.trim(),
    }
}

/// What the audit log keeps of a definition.
fn summary(input: &DefinitionInput) -> serde_json::Value {
    serde_json::json!({"name": input.name.trim(), "scope": input.scope.trim(),
        "period_kind": input.period_kind.trim(), "metrics": input.metrics})
}

#[cfg(test)]
mod tests {
    use super::*;
    use mkpi_domain::period::Day;

    #[test]
    fn rolling_periods_are_the_last_full_month_quarter_and_year() {
        let today = Day::parse("2026-11-30").unwrap();
        let p = |kind: &str| {
            resolve_period(kind, None, None, today).map(|p| format!("{}..{}", p.from, p.to))
        };
        assert_eq!(p("last_month").unwrap(), "2026-10-01..2026-11-01");
        assert_eq!(p("last_quarter").unwrap(), "2026-07-01..2026-10-01");
        assert_eq!(p("last_year").unwrap(), "2025-01-01..2026-01-01");
        let january = Day::parse("2027-01-15").unwrap();
        assert_eq!(
            resolve_period("last_quarter", None, None, january)
                .map(|p| p.from.to_string())
                .unwrap(),
            "2026-10-01"
        );
        assert_eq!(
            resolve_period("fixed", Some("2026-01-01"), Some("2026-04-01"), today)
                .map(|p| p.days())
                .unwrap(),
            90
        );
        assert!(resolve_period("fixed", Some("2026-04-01"), Some("2026-01-01"), today).is_err());
        assert!(resolve_period("weekly", None, None, today).is_err());
    }
}
