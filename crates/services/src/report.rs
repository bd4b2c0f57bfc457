//! A whole report's data: a definition run on a day, every section it asks
//! for, read as the one who runs it may see it. The report crate turns this
//! into words, HTML, PDF, XLSX and CSV; nothing here is formatted.

use std::collections::{BTreeMap, BTreeSet};

use mkpi_domain::analysis::{self, Trend};
use mkpi_domain::metric::Metric;
use mkpi_domain::period::{Day, Period};
use mkpi_domain::role::Role;
use mkpi_store::reports::ReportDefinitionRow;

use crate::metrics::{MetricAnswer, ScopeRef};
use crate::report_data::{Drivers, MetricRow, Problem, Ranked, SeriesAnomaly, resolve_period};
use crate::{Actor, Error, Result, Services};

/// A report definition with its lists read.
#[derive(Debug, Clone, PartialEq)]
pub struct Definition {
    pub id: i64,
    pub name: String,
    pub purpose: String,
    pub metrics: Vec<String>,
    pub scope: String,
    pub period_kind: String,
    pub period_from: Option<String>,
    pub period_to: Option<String>,
    /// `previous`, `year` or `target`.
    pub compare: String,
    pub sections: Vec<String>,
    /// `ru` or `en`.
    pub language: String,
    pub created_by_user_id: Option<i64>,
}

impl From<ReportDefinitionRow> for Definition {
    fn from(r: ReportDefinitionRow) -> Definition {
        let list = |s: &str| serde_json::from_str::<Vec<String>>(s).unwrap_or_default();
        Definition {
            id: r.id,
            metrics: list(&r.metrics),
            sections: list(&r.sections),
            name: r.name,
            purpose: r.purpose,
            scope: r.scope,
            period_kind: r.period_kind,
            period_from: r.period_from,
            period_to: r.period_to,
            compare: r.compare,
            language: r.language,
            created_by_user_id: r.created_by_user_id,
        }
    }
}

impl Definition {
    pub fn has(&self, section: &str) -> bool {
        self.sections.iter().any(|s| s == section)
    }
}

/// A metric month by month over the year up to the report's end, with the
/// trend through the months that have a value.
#[derive(Debug, Clone, PartialEq)]
pub struct MonthSeries {
    pub metric: Metric,
    /// (`YYYY-MM`, value), earliest first.
    pub months: Vec<(String, Option<f64>)>,
    /// Per month, over the months with a value (at least three).
    pub trend: Option<Trend>,
    pub currency: Option<String>,
}

/// A person in the report's scope with their period in short.
#[derive(Debug, Clone, PartialEq)]
pub struct PersonLine {
    pub employee_id: i64,
    pub name: String,
    pub team: Option<String>,
    pub position: String,
    pub kpi_score: Option<f64>,
    pub kpis: usize,
    pub kpis_off_track: usize,
    /// Their share of the conversion value of their campaigns.
    pub conversion_value: Option<f64>,
    pub currency: Option<String>,
    pub tasks_done: Option<f64>,
    pub on_time_rate: Option<f64>,
    pub avg_quality: Option<f64>,
}

/// One kind of competitor figure against ours.
#[derive(Debug, Clone, PartialEq)]
pub struct BenchmarkLine {
    /// `share_of_voice`, `price` or `traffic`.
    pub kind: &'static str,
    /// Ours over the period: share of voice, average order value, sessions
    /// a month.
    pub ours: Option<f64>,
    /// Each competitor's mean over the months of the period it has figures
    /// for, highest first, with the number of months.
    pub theirs: Vec<(String, f64, usize)>,
    pub currency: Option<String>,
}

/// The latest finished review cycle, over the people in scope the reader
/// manages.
#[derive(Debug, Clone, PartialEq)]
pub struct EvaluationPart {
    pub cycle_name: String,
    pub period_from: String,
    pub period_to: String,
    /// (name, final score 0–1), best first.
    pub people: Vec<(String, f64)>,
    pub median: Option<f64>,
    pub mean: Option<f64>,
    pub bands: [usize; 5],
}

/// Every section's data. Sections not asked for are empty.
#[derive(Debug, Clone)]
pub struct Report {
    pub definition: Definition,
    pub period: Period,
    /// The period compared with: the one before, or the year before.
    pub compared: Period,
    pub scope_name: String,
    /// When it was made (unix seconds).
    pub generated_at: i64,
    /// Shown through a share link: no people, no evaluation.
    pub shared: bool,
    pub metrics: Vec<MetricRow>,
    pub trends: Vec<MonthSeries>,
    pub drivers: Vec<Drivers>,
    pub anomalies: Vec<SeriesAnomaly>,
    pub channels: Vec<Ranked>,
    /// The campaigns of every channel, best return first.
    pub campaigns: Vec<Ranked>,
    pub people: Vec<PersonLine>,
    pub problems: Vec<Problem>,
    pub swot: Vec<mkpi_store::goals::SwotRow>,
    pub benchmarks: Vec<BenchmarkLine>,
    pub evaluation: Option<EvaluationPart>,
}

impl Report {
    /// The report as a share link shows it to someone without an account:
    /// the department's figures, never a person's.
    pub fn without_people(mut self) -> Report {
        self.shared = true;
        self.without_personal()
    }

    /// The report without anything about one person: no people section,
    /// no evaluation, no person's KPI among the problems, no owners named.
    pub fn without_personal(mut self) -> Report {
        self.people.clear();
        self.evaluation = None;
        self.problems
            .retain(|p| !p.kpi.scope.starts_with("employee:"));
        for p in &mut self.problems {
            p.owner = None;
        }
        self
    }
}

/// The twelve calendar months up to the one the period ends in.
pub fn year_of_months(period: Period) -> Vec<Period> {
    let last = period.to.plus_days(-1).first_of_month();
    (0..12)
        .rev()
        .map(|k| Period::month_of(last.plus_months(-k)))
        .collect()
}

fn value_of(answers: &[MetricAnswer], code: &str) -> Option<f64> {
    answers
        .iter()
        .find(|a| a.code == code)
        .and_then(|a| a.value)
}

impl Services {
    /// A report definition by name.
    pub async fn report_definition(&self, _actor: &Actor, name: &str) -> Result<Definition> {
        let mut tx = self.store.read().await?;
        mkpi_store::reports::by_name(&mut tx, name)
            .await?
            .map(Definition::from)
            .ok_or(Error::NotFound)
    }

    /// A report definition by id.
    pub async fn report_definition_by_id(&self, _actor: &Actor, id: i64) -> Result<Definition> {
        let mut tx = self.store.read().await?;
        mkpi_store::reports::by_id(&mut tx, id)
            .await?
            .map(Definition::from)
            .ok_or(Error::NotFound)
    }

    /// Runs a definition today: every section it asks for, as the caller
    /// may see it. `progress` hears each section's name as it starts.
    pub async fn build_report(
        &self,
        actor: &Actor,
        definition: &Definition,
        progress: &mut (dyn FnMut(&str) + Send),
    ) -> Result<Report> {
        let today = Day::from_unix_seconds(self.clock.now());
        let period = resolve_period(
            &definition.period_kind,
            definition.period_from.as_deref(),
            definition.period_to.as_deref(),
            today,
        )
        .map_err(|m| Error::invalid("period", m))?;
        let compared = if definition.compare == "year" {
            period.year_before()
        } else {
            period.previous()
        };
        let scope = ScopeRef::parse(&definition.scope)?;
        let scope_name = self.scope_name(actor, &scope).await?;
        let department = scope == ScopeRef::Department;
        let mut report = Report {
            definition: definition.clone(),
            period,
            compared,
            scope_name,
            generated_at: self.clock.now(),
            shared: false,
            metrics: Vec::new(),
            trends: Vec::new(),
            drivers: Vec::new(),
            anomalies: Vec::new(),
            channels: Vec::new(),
            campaigns: Vec::new(),
            people: Vec::new(),
            problems: Vec::new(),
            swot: Vec::new(),
            benchmarks: Vec::new(),
            evaluation: None,
        };
        let wants = |s: &str| definition.has(s);
        if wants("summary") || wants("kpis") {
            progress("kpis");
            report.metrics = self
                .report_metrics(actor, &definition.metrics, &scope, period)
                .await?;
        }
        if wants("summary") || wants("trends") {
            progress("trends");
            report.drivers = self.report_drivers(actor, &scope, compared, period).await?;
            report.trends = self
                .report_trends(actor, &definition.metrics, &scope, period)
                .await?;
            if department {
                report.anomalies = self.report_anomalies(actor, period).await?;
            }
        }
        if wants("channels") && department {
            progress("channels");
            report.channels = self.report_channels(actor, period).await?;
            report.campaigns = self
                .report_campaigns(actor, &report.channels, period)
                .await?;
        }
        if wants("people") {
            progress("people");
            report.people = self.report_people(actor, &scope, period).await?;
        }
        if wants("summary") || wants("problems") {
            progress("problems");
            report.problems = self.report_problems(actor, period).await?;
            if !department {
                let within = self.scope_people(actor, &scope).await?;
                let names: BTreeSet<String> = within.iter().map(|e| e.name.clone()).collect();
                report.problems.retain(|p| {
                    p.kpi.scope == definition.scope
                        || p.owner.as_ref().is_some_and(|o| names.contains(o))
                });
            }
        }
        if wants("swot") {
            progress("swot");
            report.swot = self.swot(actor, period).await?;
        }
        if wants("competitors") {
            progress("competitors");
            report.benchmarks = self.report_benchmarks(actor, period).await?;
        }
        if wants("evaluation") {
            progress("evaluation");
            report.evaluation = self.report_evaluation(actor, &scope).await?;
        }
        // The viewer reads the department's figures, never a person's.
        if !actor.scope.sees_evaluations() {
            report = report.without_personal();
        }
        Ok(report)
    }

    /// What a scope is called, for the cover.
    async fn scope_name(&self, actor: &Actor, scope: &ScopeRef) -> Result<String> {
        let mut tx = self.store.read().await?;
        crate::metrics::resolve(&mut tx, actor, scope).await?;
        drop(tx);
        Ok(match scope {
            ScopeRef::Department => "department".to_string(),
            ScopeRef::Team(id) => self
                .list_teams(actor)
                .await?
                .into_iter()
                .find(|t| t.id == *id)
                .map_or_else(|| scope.to_string(), |t| t.name),
            ScopeRef::Employee(id) => self
                .list_employees(actor)
                .await?
                .into_iter()
                .find(|e| e.id == *id)
                .map_or_else(|| scope.to_string(), |e| e.name),
            ScopeRef::Campaign(id) => {
                let mut tx = self.store.read().await?;
                mkpi_store::campaigns::all(&mut tx)
                    .await?
                    .into_iter()
                    .find(|c| c.id == *id)
                    .map_or_else(|| scope.to_string(), |c| c.name)
            }
            ScopeRef::Channel(c) => c.clone(),
        })
    }

    /// The metrics month by month over the year to the period's end.
    pub async fn report_trends(
        &self,
        actor: &Actor,
        codes: &[String],
        scope: &ScopeRef,
        period: Period,
    ) -> Result<Vec<MonthSeries>> {
        let months = year_of_months(period);
        let by_month = if *scope == ScopeRef::Department {
            self.department_months(actor, codes, &months).await?
        } else {
            let mut out = Vec::with_capacity(months.len());
            for m in &months {
                out.push((*m, self.metric_values(actor, codes, scope, *m).await?));
            }
            out
        };
        let catalogue = self.catalogue().await?;
        let mut series = Vec::new();
        for code in codes {
            let Some(metric) = catalogue.get(code).cloned() else {
                continue;
            };
            let months: Vec<(String, Option<f64>)> = by_month
                .iter()
                .map(|(m, answers)| (m.from.to_string()[..7].to_string(), value_of(answers, code)))
                .collect();
            let currency = by_month
                .iter()
                .find_map(|(_, a)| a.iter().find(|x| x.code == *code)?.currency.clone());
            let values: Vec<f64> = months.iter().filter_map(|(_, v)| *v).collect();
            series.push(MonthSeries {
                trend: analysis::trend(&values),
                metric,
                months,
                currency,
            });
        }
        Ok(series)
    }

    /// The campaigns under each channel, ranked together.
    async fn report_campaigns(
        &self,
        actor: &Actor,
        channels: &[Ranked],
        period: Period,
    ) -> Result<Vec<Ranked>> {
        let mut rows = Vec::new();
        for c in channels {
            let Some(code) = c.key.strip_prefix("channel:") else {
                continue;
            };
            let e = self
                .explore(
                    actor,
                    &ScopeRef::Channel(code.to_string()),
                    crate::explorer::Split::Channels,
                    period,
                )
                .await?;
            rows.extend(
                e.rows
                    .into_iter()
                    .filter(|r| r.key.starts_with("campaign:")),
            );
        }
        Ok(crate::report_data::rank(&rows))
    }

    /// The people of a scope the caller sees: everyone for the department,
    /// a team's members (with the teams under it), one person.
    async fn scope_people(
        &self,
        actor: &Actor,
        scope: &ScopeRef,
    ) -> Result<Vec<mkpi_store::employees::EmployeeRow>> {
        let people = self.list_employees(actor).await?;
        Ok(match scope {
            ScopeRef::Department => people,
            ScopeRef::Team(id) => {
                let mut tx = self.store.read().await?;
                let tree = mkpi_domain::TeamTree::new(mkpi_store::teams::nodes(&mut tx).await?);
                let within = tree.subtree(*id);
                people
                    .into_iter()
                    .filter(|e| e.team_id.is_some_and(|t| within.contains(&t)))
                    .collect()
            }
            ScopeRef::Employee(id) => people.into_iter().filter(|e| e.id == *id).collect(),
            ScopeRef::Campaign(_) | ScopeRef::Channel(_) => Vec::new(),
        })
    }

    /// Each person of the scope with their scorecard in short, best KPI
    /// score first.
    async fn report_people(
        &self,
        actor: &Actor,
        scope: &ScopeRef,
        period: Period,
    ) -> Result<Vec<PersonLine>> {
        use mkpi_domain::kpi::Status;
        let mut out = Vec::new();
        for e in self.scope_people(actor, scope).await? {
            if !e.active {
                continue;
            }
            let card = match self.scorecard(actor, e.id, period).await {
                Ok(c) => c,
                Err(Error::NotFound | Error::Forbidden) => continue,
                Err(err) => return Err(err),
            };
            let get = |code: &str| value_of(&card.results, code);
            out.push(PersonLine {
                employee_id: e.id,
                name: e.name,
                team: e.team_name,
                position: e.position,
                kpi_score: card.kpi_score,
                kpis: card.kpis.len(),
                kpis_off_track: card
                    .kpis
                    .iter()
                    .filter(|k| k.status == Status::OffTrack)
                    .count(),
                conversion_value: get("conversion_value"),
                currency: card
                    .results
                    .iter()
                    .find(|a| a.code == "conversion_value")
                    .and_then(|a| a.currency.clone()),
                tasks_done: get("tasks_done"),
                on_time_rate: get("on_time_rate"),
                avg_quality: get("avg_quality"),
            });
        }
        out.sort_by(|a, b| match (a.kpi_score, b.kpi_score) {
            (Some(x), Some(y)) => y.total_cmp(&x).then(a.name.cmp(&b.name)),
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (None, None) => a.name.cmp(&b.name),
        });
        Ok(out)
    }

    /// Competitors' figures over the period against ours.
    pub async fn report_benchmarks(
        &self,
        actor: &Actor,
        period: Period,
    ) -> Result<Vec<BenchmarkLine>> {
        let months = period.months();
        let (Some(first), Some(last)) = (months.first(), months.last()) else {
            return Ok(Vec::new());
        };
        let mut tx = self.store.read().await?;
        let rows = mkpi_store::reports::benchmarks(
            &mut tx,
            &first.from.to_string()[..7],
            &last.from.to_string()[..7],
        )
        .await?;
        drop(tx);
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        let codes: Vec<String> = ["share_of_voice", "aov", "sessions"]
            .map(String::from)
            .to_vec();
        let ours = self
            .metric_values(actor, &codes, &ScopeRef::Department, period)
            .await?;
        let month_count = months.len().max(1) as f64;
        let mut out = Vec::new();
        for kind in crate::competitors::KINDS {
            let mut sums: BTreeMap<&str, (f64, usize)> = BTreeMap::new();
            for r in rows.iter().filter(|r| r.kind == kind) {
                let e = sums.entry(r.competitor.as_str()).or_default();
                e.0 += r.value;
                e.1 += 1;
            }
            if sums.is_empty() {
                continue;
            }
            let mut theirs: Vec<(String, f64, usize)> = sums
                .into_iter()
                .map(|(c, (sum, n))| (c.to_string(), sum / n as f64, n))
                .collect();
            theirs.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
            let (ours, currency) = match kind {
                "share_of_voice" => (value_of(&ours, "share_of_voice"), None),
                "price" => (
                    value_of(&ours, "aov"),
                    ours.iter()
                        .find(|a| a.code == "aov")
                        .and_then(|a| a.currency.clone()),
                ),
                _ => (value_of(&ours, "sessions").map(|s| s / month_count), None),
            };
            out.push(BenchmarkLine {
                kind,
                ours,
                theirs,
                currency,
            });
        }
        Ok(out)
    }

    /// The latest released or closed cycle's final scores over the people of
    /// the scope the caller manages; none for those who manage no one.
    async fn report_evaluation(
        &self,
        actor: &Actor,
        scope: &ScopeRef,
    ) -> Result<Option<EvaluationPart>> {
        if !matches!(actor.role, Role::Admin | Role::Head | Role::Manager)
            || !actor.scope.sees_evaluations()
        {
            return Ok(None);
        }
        let mut tx = self.store.read().await?;
        let cycles = mkpi_store::reviews::cycles(&mut tx).await?;
        drop(tx);
        let Some(cycle) = cycles
            .into_iter()
            .filter(|c| matches!(c.status.as_str(), "released" | "closed"))
            .max_by(|a, b| a.period_to.cmp(&b.period_to).then(a.id.cmp(&b.id)))
        else {
            return Ok(None);
        };
        let calibration = match self.calibration(actor, cycle.id).await {
            Ok(c) => c,
            Err(Error::NotFound | Error::Forbidden) => return Ok(None),
            Err(e) => return Err(e),
        };
        let within: BTreeSet<i64> = self
            .scope_people(actor, scope)
            .await?
            .into_iter()
            .map(|e| e.id)
            .collect();
        let mut people: Vec<(String, f64)> = calibration
            .rows
            .into_iter()
            .filter(|r| within.contains(&r.employee_id))
            .filter_map(|r| r.final_score.map(|s| (r.name, s)))
            .collect();
        people.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        let mut scores: Vec<f64> = people.iter().map(|p| p.1).collect();
        let median = analysis::median(&mut scores);
        Ok(Some(EvaluationPart {
            cycle_name: cycle.name,
            period_from: cycle.period_from,
            period_to: cycle.period_to,
            median,
            mean: (!scores.is_empty()).then(|| scores.iter().sum::<f64>() / scores.len() as f64),
            bands: crate::calibration::bands(&scores),
            people,
        }))
    }
}
