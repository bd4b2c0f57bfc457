//! KPIs: a metric with targets for a scope and a period. Set by admins and
//! the head for any scope, by managers for their teams, people and their
//! campaigns; evaluated for any window of their period — value, the target
//! that applies, achievement, status and the forecast at the deadline.

use mkpi_domain::Role;
use mkpi_domain::kpi::{self, Bands, Forecast, Status};
use mkpi_domain::metric::Metric;
use mkpi_domain::period::{Day, Period};
use mkpi_store::kpis::{self, KpiRow, NewKpi, TargetRow};
use serde_json::json;

use crate::audit::{self, Author, Change};
use crate::metrics::ScopeRef;
use crate::{Actor, Error, FieldProblem, Result, Services};

/// One target as entered: a sub-period of the KPI's period (or all of it).
#[derive(Debug, Clone, PartialEq)]
pub struct TargetInput {
    pub from: String,
    pub to: String,
    pub floor: Option<f64>,
    pub target: f64,
    pub stretch: Option<f64>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewKpiInput {
    pub metric: String,
    pub scope: String,
    pub from: String,
    pub to: String,
    /// Among the scope's KPIs; 1 when not given.
    pub weight: Option<f64>,
    /// Highest achievement counted (1.5 = 150%) when not given.
    pub cap: Option<f64>,
    pub targets: Vec<TargetInput>,
    /// Alert when the value moves by more than this many percent week
    /// over week; no such alert when not given.
    pub alert_change_pct: Option<f64>,
}

pub const DEFAULT_CAP: f64 = 1.5;

/// A KPI that passed its checks.
struct CheckedKpi {
    metric: Metric,
    scope: ScopeRef,
    period: Period,
    weight: f64,
    cap: f64,
    alert_change_pct: Option<f64>,
    targets: Vec<(Period, Bands)>,
}

/// A KPI evaluated over a window of its period.
#[derive(Debug, Clone, PartialEq)]
pub struct KpiView {
    pub id: i64,
    pub metric: Metric,
    pub scope: String,
    pub period: Period,
    /// The part of the period evaluated (the KPI's period within the one asked for).
    pub window: Period,
    pub weight: f64,
    pub cap: f64,
    pub value: Option<f64>,
    pub currency: Option<String>,
    pub note: Option<String>,
    /// The bands that apply to the window; none when no target covers it.
    pub bands: Option<Bands>,
    pub achievement: Option<f64>,
    pub status: Status,
    /// While the window runs: where the value will be at its end.
    pub forecast: Option<Forecast>,
    /// The window is over (today is past its end).
    pub finished: bool,
    /// Alert when the value moves by more than this many percent week over week.
    pub alert_change_pct: Option<f64>,
}

impl Services {
    pub async fn create_kpi(&self, actor: &Actor, input: &NewKpiInput) -> Result<KpiView> {
        if !matches!(actor.role, Role::Admin | Role::Head | Role::Manager) {
            return Err(Error::Forbidden);
        }
        let k = self.check_kpi(input).await?;
        // The scope must be one the caller sees (404 otherwise), and a
        // manager sets KPIs for their own people and teams only.
        let mut tx = self.store.read().await?;
        crate::metrics::resolve(&mut tx, actor, &k.scope).await?;
        drop(tx);
        may_set(actor, &k.scope)?;
        let (id, rows) = self.store_kpi(&actor.author(), &k).await?;
        let row = KpiRow {
            id,
            metric_code: k.metric.code.clone(),
            scope: k.scope.to_string(),
            period_from: k.period.from.to_string(),
            period_to: k.period.to.to_string(),
            weight: k.weight,
            cap: k.cap,
            alert_change_pct: k.alert_change_pct,
        };
        let mut views = self.evaluate(actor, vec![(row, rows)], k.period).await?;
        views.pop().ok_or(Error::NotFound)
    }

    /// Sets a KPI for mkpi itself (the demo), through the same checks.
    pub(crate) async fn create_kpi_as(&self, author: &Author, input: &NewKpiInput) -> Result<i64> {
        let k = self.check_kpi(input).await?;
        Ok(self.store_kpi(author, &k).await?.0)
    }

    /// Every problem with a KPI as entered, or the KPI ready to store.
    async fn check_kpi(&self, input: &NewKpiInput) -> Result<CheckedKpi> {
        let mut problems = Vec::new();
        let catalogue = self.catalogue().await?;
        let metric = catalogue.get(&input.metric).cloned();
        if metric.is_none() {
            problems.push(FieldProblem::coded(
                "metric",
                "err-no-metric",
                vec![("value", input.metric.clone())],
                format!(
                    "'{}' is not a metric (GET /api/v1/metrics lists them)",
                    input.metric
                ),
            ));
        }
        let scope = ScopeRef::parse(&input.scope);
        let period = Period::parse(&input.from, &input.to)
            .map_err(|e| problems.push(FieldProblem::period("period", &e)))
            .ok();
        let weight = input.weight.unwrap_or(1.0);
        if !(weight > 0.0 && weight <= 100.0) {
            problems.push(FieldProblem::coded(
                "weight",
                "err-kpi-weight",
                vec![],
                "must be more than 0 and at most 100",
            ));
        }
        let cap = input.cap.unwrap_or(DEFAULT_CAP);
        if !(1.0..=3.0).contains(&cap) {
            problems.push(FieldProblem::coded(
                "cap",
                "err-kpi-cap",
                vec![],
                "must be between 1 (100%) and 3 (300%)",
            ));
        }
        if let Some(pct) = input.alert_change_pct
            && !(pct > 0.0 && pct <= 1000.0)
        {
            problems.push(FieldProblem::coded(
                "alert_change_pct",
                "err-kpi-alert-change",
                vec![],
                "must be more than 0 and at most 1000 (percent)",
            ));
        }
        let mut targets = Vec::new();
        if input.targets.is_empty() {
            problems.push(FieldProblem::coded(
                "targets",
                "err-kpi-no-target",
                vec![],
                "give at least one target",
            ));
        }
        for (i, t) in input.targets.iter().enumerate() {
            let field = format!("targets[{i}]");
            let sub = match Period::parse(&t.from, &t.to) {
                Ok(p) => p,
                Err(e) => {
                    problems.push(FieldProblem::period(&field, &e));
                    continue;
                }
            };
            if period.is_some_and(|p| p.intersect(sub) != Some(sub)) {
                problems.push(FieldProblem::coded(
                    &field,
                    "err-kpi-target-outside",
                    vec![("period", sub.to_string())],
                    format!("{sub} lies outside the KPI's period"),
                ));
            }
            let bands = Bands {
                floor: t.floor,
                target: t.target,
                stretch: t.stretch,
            };
            if let Some(m) = &metric
                && let Err(e) = bands.check(m.direction)
            {
                problems.push(FieldProblem::new(&field, e.to_string()));
            }
            targets.push((sub, bands));
        }
        targets.sort_by_key(|(p, _)| p.from);
        for pair in targets.windows(2) {
            if pair[1].0.from < pair[0].0.to {
                problems.push(FieldProblem::coded(
                    "targets",
                    "err-kpi-targets-overlap",
                    vec![
                        ("first", pair[0].0.to_string()),
                        ("second", pair[1].0.to_string()),
                    ],
                    format!("{} and {} overlap", pair[0].0, pair[1].0),
                ));
            }
        }
        let scope = match scope {
            Ok(s) => Some(s),
            Err(Error::Invalid(mut p)) => {
                problems.append(&mut p);
                None
            }
            Err(e) => return Err(e),
        };
        let (Some(metric), Some(scope), Some(period), true) =
            (metric, scope, period, problems.is_empty())
        else {
            return Err(Error::Invalid(problems));
        };
        Ok(CheckedKpi {
            metric,
            scope,
            period,
            weight,
            cap,
            alert_change_pct: input.alert_change_pct,
            targets,
        })
    }

    async fn store_kpi(&self, author: &Author, k: &CheckedKpi) -> Result<(i64, Vec<TargetRow>)> {
        let (metric, scope, period, weight, cap, targets) =
            (&k.metric, &k.scope, k.period, k.weight, k.cap, &k.targets);
        let now = self.clock.now();
        let rows: Vec<TargetRow> = targets
            .iter()
            .map(|(p, b)| TargetRow {
                kpi_id: 0,
                period_from: p.from.to_string(),
                period_to: p.to.to_string(),
                floor: b.floor,
                target: b.target,
                stretch: b.stretch,
            })
            .collect();
        let scope_text = scope.to_string();
        let mut tx = self.store.begin().await?;
        let id = kpis::insert(
            &mut tx,
            &NewKpi {
                metric_code: &metric.code,
                scope: &scope_text,
                period_from: &period.from.to_string(),
                period_to: &period.to.to_string(),
                weight,
                cap,
                alert_change_pct: k.alert_change_pct,
                created_by_user_id: author.user_id,
                now,
            },
            &rows,
        )
        .await?;
        audit::record(
            &mut tx,
            now,
            author,
            Change {
                action: "create",
                entity: "kpi",
                entity_id: Some(id),
                before: None,
                after: Some(json!({
                    "metric": metric.code, "scope": scope_text, "from": period.from.to_string(),
                    "to": period.to.to_string(), "weight": weight, "cap": cap, "alert_change_pct": k.alert_change_pct,
                    "targets": rows.iter().map(|t| json!({"from": t.period_from, "to": t.period_to,
                        "floor": t.floor, "target": t.target, "stretch": t.stretch})).collect::<Vec<_>>(),
                })),
            },
        )
        .await?;
        tx.commit().await?;
        Ok((id, rows))
    }

    /// The KPIs set for a scope whose period overlaps `period`, evaluated
    /// over the overlap.
    pub async fn kpis_for(
        &self,
        actor: &Actor,
        scope: &ScopeRef,
        period: Period,
    ) -> Result<Vec<KpiView>> {
        let mut tx = self.store.read().await?;
        crate::metrics::resolve(&mut tx, actor, scope).await?;
        let rows = kpis::overlapping(
            &mut tx,
            &[scope.to_string()],
            &period.from.to_string(),
            &period.to.to_string(),
        )
        .await?;
        let mut with_targets = Vec::with_capacity(rows.len());
        for row in rows {
            let targets = kpis::targets(&mut tx, row.id).await?;
            with_targets.push((row, targets));
        }
        drop(tx);
        self.evaluate(actor, with_targets, period).await
    }

    /// The KPIs of several scopes, skipping those the caller may not see
    /// (a person sees their own KPIs, not their team's figures; the viewer
    /// no person's).
    pub async fn kpis_for_any(
        &self,
        actor: &Actor,
        scopes: &[ScopeRef],
        period: Period,
    ) -> Result<Vec<KpiView>> {
        let mut out = Vec::new();
        for scope in scopes {
            match self.kpis_for(actor, scope, period).await {
                Ok(mut views) => out.append(&mut views),
                // Not theirs to see, or (the viewer) a person's evaluation.
                Err(Error::NotFound | Error::Forbidden) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(out)
    }

    pub(crate) async fn evaluate(
        &self,
        actor: &Actor,
        rows: Vec<(KpiRow, Vec<TargetRow>)>,
        asked: Period,
    ) -> Result<Vec<KpiView>> {
        let catalogue = self.catalogue().await?;
        let today = Day::from_unix_seconds(self.clock.now());
        let mut out = Vec::with_capacity(rows.len());
        for (row, targets) in rows {
            let (Some(metric), Ok(period), Ok(scope)) = (
                catalogue.get(&row.metric_code).cloned(),
                Period::parse(&row.period_from, &row.period_to),
                ScopeRef::parse(&row.scope),
            ) else {
                continue;
            };
            let Some(window) = period.intersect(asked) else {
                continue;
            };
            let bands = bands_for(&metric, window, &targets);
            // Facts up to today: a window that has not started has no value.
            let finished = window.to <= today.plus_days(1);
            let so_far = Period::new(window.from, window.to.min(today.plus_days(1))).ok();
            let (value, currency, note) = match so_far {
                Some(p) => {
                    let a = self.one_value(actor, &metric.code, &scope, p).await?;
                    (a.value, a.currency, a.note)
                }
                None => (None, None, Some(format!("starts on {}", window.from))),
            };
            let forecast = match (so_far, finished) {
                (Some(p), false) => self.forecast(actor, &metric, &scope, window, p).await?,
                _ => None,
            };
            let status = match bands {
                Some(b) => kpi::status(value, forecast.as_ref(), b, metric.direction),
                None => Status::NoData,
            };
            let achievement = bands.and_then(|b| b.achievement(value, metric.direction, row.cap));
            out.push(KpiView {
                id: row.id,
                metric,
                scope: row.scope,
                period,
                window,
                weight: row.weight,
                cap: row.cap,
                value,
                currency,
                note,
                bands,
                achievement,
                status,
                forecast,
                finished,
                alert_change_pct: row.alert_change_pct,
            });
        }
        Ok(out)
    }

    /// A KPI's value month by month over `period` (calendar months that
    /// overlap it, up to today), for a sparkline: (YYYY-MM, value).
    pub async fn kpi_trend(
        &self,
        actor: &Actor,
        kpi: &KpiView,
        period: Period,
    ) -> Result<Vec<(String, Option<f64>)>> {
        let scope = ScopeRef::parse(&kpi.scope)?;
        let today = Day::from_unix_seconds(self.clock.now());
        let mut out = Vec::new();
        for month in period.months() {
            let Some(part) = month.intersect(kpi.period) else {
                continue;
            };
            if part.from > today {
                break;
            }
            let value = self
                .one_value(actor, &kpi.metric.code, &scope, part)
                .await?
                .value;
            out.push((month.from.to_string()[..7].to_string(), value));
        }
        Ok(out)
    }

    pub(crate) async fn one_value(
        &self,
        actor: &Actor,
        code: &str,
        scope: &ScopeRef,
        period: Period,
    ) -> Result<crate::metrics::MetricAnswer> {
        let mut answers = self
            .metric_values(actor, &[code.to_string()], scope, period)
            .await?;
        answers.pop().ok_or(Error::NotFound)
    }

    /// The value at the window's end from the trend so far, from up to
    /// eight points over the elapsed days (at least three). An additive
    /// metric's points are cumulative; a ratio's are per slice, and the
    /// forecast blends the value so far with the trend over the days left.
    async fn forecast(
        &self,
        actor: &Actor,
        metric: &Metric,
        scope: &ScopeRef,
        window: Period,
        so_far: Period,
    ) -> Result<Option<Forecast>> {
        let elapsed = so_far.days();
        if elapsed < 3 {
            return Ok(None);
        }
        let step = (elapsed / 8).max(1);
        let mut points = Vec::new();
        let mut start = so_far.from;
        let mut x = step;
        while x <= elapsed {
            let end = so_far.from.plus_days(x);
            let slice = if metric.additive() {
                Period::new(so_far.from, end)
            } else {
                Period::new(start, end)
            };
            if let Ok(slice) = slice
                && let Some(v) = self
                    .one_value(actor, &metric.code, scope, slice)
                    .await?
                    .value
            {
                #[allow(clippy::cast_precision_loss)]
                let at = if metric.additive() {
                    x as f64
                } else {
                    (x - step) as f64 + step as f64 / 2.0
                };
                points.push((at, v));
            }
            start = end;
            x += step;
        }
        #[allow(clippy::cast_precision_loss)]
        let (total, elapsed_f) = (window.days() as f64, elapsed as f64);
        if metric.additive() {
            return Ok(kpi::forecast(&points, total));
        }
        let now = self
            .one_value(actor, &metric.code, scope, so_far)
            .await?
            .value;
        let (Some(now), Some(rest)) =
            (now, kpi::forecast(&points, f64::midpoint(elapsed_f, total)))
        else {
            return Ok(None);
        };
        let blend = |v: f64| (elapsed_f * now + (total - elapsed_f) * v) / total;
        Ok(Some(Forecast {
            value: blend(rest.value),
            low: blend(rest.low),
            high: blend(rest.high),
        }))
    }
}

/// The bands for a window: an additive metric's targets pro-rated by the
/// days of each target's period inside the window and summed; otherwise
/// the target in force on the window's last day (or the last one before).
fn bands_for(metric: &Metric, window: Period, targets: &[TargetRow]) -> Option<Bands> {
    let parsed: Vec<(Period, Bands)> = targets
        .iter()
        .filter_map(|t| {
            Some((
                Period::parse(&t.period_from, &t.period_to).ok()?,
                Bands {
                    floor: t.floor,
                    target: t.target,
                    stretch: t.stretch,
                },
            ))
        })
        .collect();
    if metric.additive() {
        let mut sum: Option<Bands> = None;
        let mut floors_known = true;
        let mut stretches_known = true;
        for (p, b) in &parsed {
            let Some(part) = p.intersect(window) else {
                continue;
            };
            #[allow(clippy::cast_precision_loss)]
            let share = part.days() as f64 / p.days() as f64;
            floors_known &= b.floor.is_some();
            stretches_known &= b.stretch.is_some();
            let acc = sum.get_or_insert(Bands {
                floor: Some(0.0),
                target: 0.0,
                stretch: Some(0.0),
            });
            acc.target += b.target * share;
            acc.floor = acc.floor.map(|f| f + b.floor.unwrap_or(0.0) * share);
            acc.stretch = acc.stretch.map(|s| s + b.stretch.unwrap_or(0.0) * share);
        }
        sum.map(|mut b| {
            if !floors_known {
                b.floor = None;
            }
            if !stretches_known {
                b.stretch = None;
            }
            b
        })
    } else {
        let last = window.to.plus_days(-1);
        parsed
            .iter()
            .filter(|(p, _)| p.from <= last)
            .max_by_key(|(p, _)| p.from)
            .map(|(_, b)| *b)
    }
}

/// A new target for a KPI from a day on (the rest of its period); earlier
/// days keep the targets they had.
#[derive(Debug, Clone, PartialEq)]
pub struct TargetChange {
    /// ISO date inside the KPI's period.
    pub from: String,
    pub floor: Option<f64>,
    pub target: f64,
    pub stretch: Option<f64>,
}

/// A KPI as stored, with its targets, for its page.
#[derive(Debug, Clone, PartialEq)]
pub struct KpiRecord {
    pub row: KpiRow,
    pub targets: Vec<TargetRow>,
    pub metric: Metric,
}

fn targets_json(rows: &[TargetRow]) -> serde_json::Value {
    json!(
        rows.iter()
            .map(
                |t| json!({"from": t.period_from, "to": t.period_to, "floor": t.floor,
            "target": t.target, "stretch": t.stretch})
            )
            .collect::<Vec<_>>()
    )
}

/// Whether the actor may set KPIs for a scope: the head and admins for any;
/// a manager for the teams and people they see, never the department, a
/// channel or themself (a KPI that scores a person is set from above).
pub(crate) fn may_set(actor: &Actor, scope: &ScopeRef) -> Result<()> {
    match actor.role {
        Role::Admin | Role::Head => Ok(()),
        Role::Manager => match scope {
            ScopeRef::Department | ScopeRef::Channel(_) => Err(Error::Forbidden),
            ScopeRef::Employee(id) if Some(*id) == actor.employee_id => Err(Error::Forbidden),
            _ => Ok(()),
        },
        Role::Employee | Role::Viewer => Err(Error::Forbidden),
    }
}

impl Services {
    /// One KPI with its targets, if the caller sees its scope.
    pub async fn kpi(&self, actor: &Actor, id: i64) -> Result<KpiRecord> {
        let mut tx = self.store.read().await?;
        let row = kpis::get(&mut tx, id).await?.ok_or(Error::NotFound)?;
        let scope = ScopeRef::parse(&row.scope)?;
        crate::metrics::resolve(&mut tx, actor, &scope).await?;
        let targets = kpis::targets(&mut tx, id).await?;
        drop(tx);
        let metric = self
            .catalogue()
            .await?
            .get(&row.metric_code)
            .cloned()
            .ok_or_else(|| Error::Internal(format!("KPI {id} names no metric")))?;
        Ok(KpiRecord {
            row,
            targets,
            metric,
        })
    }

    /// Sets a new target from a day to the end of the KPI's period. A target
    /// running across that day is cut there (an additive one keeps its share
    /// of the days); earlier targets stay as they were.
    pub async fn change_kpi_target(
        &self,
        actor: &Actor,
        id: i64,
        change: TargetChange,
    ) -> Result<KpiRecord> {
        let record = self.kpi(actor, id).await?;
        may_set(actor, &ScopeRef::parse(&record.row.scope)?)?;
        let period = Period::parse(&record.row.period_from, &record.row.period_to)
            .map_err(|e| Error::Internal(format!("KPI {id}: {e}")))?;
        let mut problems = Vec::new();
        let from = match Day::parse(change.from.trim()) {
            Ok(d) if period.contains(d) => Some(d),
            Ok(d) => {
                problems.push(FieldProblem::coded(
                    "from",
                    "err-kpi-day-outside",
                    vec![("day", d.to_string()), ("period", period.to_string())],
                    format!("{d} lies outside the KPI's period {period}"),
                ));
                None
            }
            Err(e) => {
                problems.push(FieldProblem::period("from", &e));
                None
            }
        };
        let bands = Bands {
            floor: change.floor,
            target: change.target,
            stretch: change.stretch,
        };
        if let Err(e) = bands.check(record.metric.direction) {
            problems.push(FieldProblem::new("target", e.to_string()));
        }
        let (Some(from), true) = (from, problems.is_empty()) else {
            return Err(Error::Invalid(problems));
        };
        let additive = record.metric.additive();
        let mut rows: Vec<TargetRow> = Vec::new();
        for t in &record.targets {
            let Ok(p) = Period::parse(&t.period_from, &t.period_to) else {
                continue;
            };
            if p.to <= from {
                rows.push(t.clone());
            } else if p.from < from {
                // Cut at the day: an additive target keeps its days' share.
                #[allow(clippy::cast_precision_loss)]
                let share = if additive {
                    p.from.days_until(from) as f64 / p.days() as f64
                } else {
                    1.0
                };
                rows.push(TargetRow {
                    period_to: from.to_string(),
                    floor: t.floor.map(|v| v * share),
                    target: t.target * share,
                    stretch: t.stretch.map(|v| v * share),
                    ..t.clone()
                });
            }
        }
        rows.push(TargetRow {
            kpi_id: id,
            period_from: from.to_string(),
            period_to: period.to.to_string(),
            floor: bands.floor,
            target: bands.target,
            stretch: bands.stretch,
        });
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        kpis::replace_targets(&mut tx, id, &rows, now).await?;
        audit::record(
            &mut tx,
            now,
            &actor.author(),
            Change {
                action: "change_target",
                entity: "kpi",
                entity_id: Some(id),
                before: Some(json!({"targets": targets_json(&record.targets)})),
                after: Some(json!({"targets": targets_json(&rows)})),
            },
        )
        .await?;
        tx.commit().await?;
        self.kpi(actor, id).await
    }

    /// Changes a KPI's weight and week-over-week alert threshold.
    pub async fn update_kpi(
        &self,
        actor: &Actor,
        id: i64,
        weight: f64,
        alert_change_pct: Option<f64>,
    ) -> Result<KpiRecord> {
        let record = self.kpi(actor, id).await?;
        may_set(actor, &ScopeRef::parse(&record.row.scope)?)?;
        let mut problems = Vec::new();
        if !(weight > 0.0 && weight <= 100.0) {
            problems.push(FieldProblem::coded(
                "weight",
                "err-kpi-weight",
                vec![],
                "must be more than 0 and at most 100",
            ));
        }
        if let Some(pct) = alert_change_pct
            && !(pct > 0.0 && pct <= 1000.0)
        {
            problems.push(FieldProblem::coded(
                "alert_change_pct",
                "err-kpi-alert-change",
                vec![],
                "must be more than 0 and at most 1000 (percent)",
            ));
        }
        if !problems.is_empty() {
            return Err(Error::Invalid(problems));
        }
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        kpis::set_weight(&mut tx, id, weight, alert_change_pct, now).await?;
        audit::record(
            &mut tx,
            now,
            &actor.author(),
            Change {
                action: "update",
                entity: "kpi",
                entity_id: Some(id),
                before: Some(json!({"weight": record.row.weight, "alert_change_pct": record.row.alert_change_pct})),
                after: Some(json!({"weight": weight, "alert_change_pct": alert_change_pct})),
            },
        )
        .await?;
        tx.commit().await?;
        self.kpi(actor, id).await
    }

    /// Retires a KPI after `last_day`: its period ends there, so earlier
    /// periods keep it and later ones no longer have it; one that never
    /// started is removed. `None` when it was removed.
    pub async fn retire_kpi(
        &self,
        actor: &Actor,
        id: i64,
        last_day: &str,
    ) -> Result<Option<KpiRecord>> {
        let record = self.kpi(actor, id).await?;
        may_set(actor, &ScopeRef::parse(&record.row.scope)?)?;
        let period = Period::parse(&record.row.period_from, &record.row.period_to)
            .map_err(|e| Error::Internal(format!("KPI {id}: {e}")))?;
        let day = Day::parse(last_day.trim())
            .map_err(|e| Error::Invalid(vec![FieldProblem::period("last_day", &e)]))?;
        let end = day.plus_days(1);
        if end >= period.to {
            return Err(Error::invalid(
                "last_day",
                format!("the KPI ends on {} anyway", period.to.plus_days(-1)),
            ));
        }
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let removed = end <= period.from;
        if removed {
            kpis::delete(&mut tx, id).await.map_err(|e| match e {
                mkpi_store::StoreError::MissingReference { .. } => Error::Conflict(
                    "check-ins or development actions refer to this KPI: retire it from a later day".into(),
                ),
                other => other.into(),
            })?;
        } else {
            let kept: Vec<TargetRow> = record
                .targets
                .iter()
                .filter(|t| t.period_from.as_str() < end.to_string().as_str())
                .map(|t| {
                    let cut = t.period_to.as_str() > end.to_string().as_str();
                    match (cut, Period::parse(&t.period_from, &t.period_to)) {
                        (true, Ok(p)) => {
                            #[allow(clippy::cast_precision_loss)]
                            let share = if record.metric.additive() {
                                p.from.days_until(end) as f64 / p.days() as f64
                            } else {
                                1.0
                            };
                            TargetRow {
                                period_to: end.to_string(),
                                floor: t.floor.map(|v| v * share),
                                target: t.target * share,
                                stretch: t.stretch.map(|v| v * share),
                                ..t.clone()
                            }
                        }
                        _ => t.clone(),
                    }
                })
                .collect();
            kpis::replace_targets(&mut tx, id, &kept, now).await?;
            kpis::set_end(&mut tx, id, &end.to_string(), now).await?;
        }
        audit::record(
            &mut tx,
            now,
            &actor.author(),
            Change {
                action: if removed { "delete" } else { "retire" },
                entity: "kpi",
                entity_id: Some(id),
                before: Some(
                    json!({"from": record.row.period_from, "to": record.row.period_to,
                    "targets": targets_json(&record.targets)}),
                ),
                after: (!removed).then(|| json!({"to": end.to_string()})),
            },
        )
        .await?;
        tx.commit().await?;
        if removed {
            Ok(None)
        } else {
            self.kpi(actor, id).await.map(Some)
        }
    }
}

/// Whether the actor may set and change KPIs for a scope (for pages to
/// offer the forms).
pub fn may_set_scope(actor: &Actor, scope: &ScopeRef) -> bool {
    may_set(actor, scope).is_ok()
}
