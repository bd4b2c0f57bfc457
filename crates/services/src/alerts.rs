//! Alerts: a running KPI that goes off track, or whose value moves by more
//! than its set percentage week over week (the last seven complete days
//! against the seven before), raises an alert once per change of state. The
//! alert shows to everyone who sees the KPI and, when mail is configured, is
//! mailed to the people it concerns: the person and their manager, the
//! team's manager, the campaign's owner and their manager, or the head for
//! department and channel KPIs.

use mkpi_domain::Locale;
use mkpi_domain::kpi::Status;
use mkpi_domain::metric::{Metric, Unit};
use mkpi_domain::period::{Day, Period};
pub use mkpi_store::alerts::AlertRow;
use mkpi_store::alerts::{self, NewAlert};
use mkpi_store::{Tx, campaigns, employees, kpis, outbox, teams};

use crate::kpis::KpiView;
use crate::metrics::ScopeRef;
use crate::{Actor, Result, Services};

/// An alert as a person sees it: with the KPI's metric and whom it is for.
#[derive(Debug, Clone, PartialEq)]
pub struct AlertView {
    pub alert: AlertRow,
    pub metric: Metric,
    /// Who or what the KPI is set for, in words.
    pub scope_name: String,
    /// Where to look: the person's or team's page, else the dashboard.
    pub link: String,
}

/// A week-over-week move of a KPI's value.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Change {
    value: f64,
    previous: f64,
    /// (value − previous) / |previous|.
    ratio: f64,
}

impl Services {
    /// Checks every running KPI and records the alerts whose state changed
    /// since the last check (queueing their mail). Safe to run from several
    /// servers at once: each change of state is recorded by one of them.
    pub async fn check_alerts(&self) -> Result<Vec<AlertRow>> {
        let system = Actor::system();
        let now = self.clock.now();
        let today = Day::from_unix_seconds(now);
        let mut tx = self.store.read().await?;
        let running = kpis::running_on(&mut tx, &today.to_string()).await?;
        let mut with_targets = Vec::with_capacity(running.len());
        for row in running {
            let targets = kpis::targets(&mut tx, row.id).await?;
            with_targets.push((row, targets));
        }
        drop(tx);
        let mut raised = Vec::new();
        for (row, targets) in with_targets {
            let Ok(period) = Period::parse(&row.period_from, &row.period_to) else {
                continue;
            };
            let Some(view) = self
                .evaluate(&system, vec![(row.clone(), targets)], period)
                .await?
                .pop()
            else {
                continue;
            };
            let Ok(scope) = ScopeRef::parse(&row.scope) else {
                continue;
            };
            let change = match row.alert_change_pct {
                Some(_) => self.week_over_week(&system, &view, &scope, today).await?,
                None => None,
            };
            let exceeded = matches!((change, row.alert_change_pct),
                (Some(c), Some(pct)) if c.ratio.abs() * 100.0 > pct);
            let status = view.status.code();

            let mut tx = self.store.begin().await?;
            let seen = alerts::state(&mut tx, row.id).await?;
            if seen
                .as_ref()
                .is_some_and(|s| s.status == status && (s.change_exceeded != 0) == exceeded)
            {
                continue;
            }
            if !alerts::move_state(&mut tx, row.id, seen.as_ref(), status, exceeded, now).await? {
                continue;
            }
            let was_off = seen.as_ref().is_some_and(|s| s.status == "off_track");
            let was_exceeded = seen.as_ref().is_some_and(|s| s.change_exceeded != 0);
            let mut new = Vec::new();
            if view.status == Status::OffTrack && !was_off {
                new.push(NewAlert {
                    kpi_id: row.id,
                    kind: "off_track",
                    at: now,
                    window_from: &row.period_from,
                    window_to: &row.period_to,
                    value: view.value,
                    target: view.bands.map(|b| b.target),
                    forecast: view.forecast.map(|f| f.value),
                    previous: None,
                    change: None,
                    currency: view.currency.as_deref(),
                });
            }
            let week = Period::new(today.plus_days(-7), today).ok();
            let (week_from, week_to) = week.map_or_else(
                || (String::new(), String::new()),
                |w| (w.from.to_string(), w.to.to_string()),
            );
            if exceeded
                && !was_exceeded
                && let Some(c) = change
            {
                new.push(NewAlert {
                    kpi_id: row.id,
                    kind: "change",
                    at: now,
                    window_from: &week_from,
                    window_to: &week_to,
                    value: Some(c.value),
                    target: view.bands.map(|b| b.target),
                    forecast: None,
                    previous: Some(c.previous),
                    change: Some(c.ratio),
                    currency: view.currency.as_deref(),
                });
            }
            for a in &new {
                let id = alerts::insert(&mut tx, a).await?;
                let alert = AlertRow {
                    id,
                    kpi_id: a.kpi_id,
                    kind: a.kind.to_string(),
                    at: a.at,
                    window_from: a.window_from.to_string(),
                    window_to: a.window_to.to_string(),
                    value: a.value,
                    target: a.target,
                    forecast: a.forecast,
                    previous: a.previous,
                    change: a.change,
                    currency: a.currency.map(str::to_string),
                    metric_code: row.metric_code.clone(),
                    scope: row.scope.clone(),
                };
                self.queue_alert_mail(&mut tx, &alert, &view, &scope)
                    .await?;
                raised.push(alert);
            }
            tx.commit().await?;
        }
        Ok(raised)
    }

    /// The value over the last seven complete days against the seven
    /// before; none when either has no value or the earlier one is 0.
    async fn week_over_week(
        &self,
        system: &Actor,
        view: &KpiView,
        scope: &ScopeRef,
        today: Day,
    ) -> Result<Option<Change>> {
        let (Ok(this), Ok(before)) = (
            Period::new(today.plus_days(-7), today),
            Period::new(today.plus_days(-14), today.plus_days(-7)),
        ) else {
            return Ok(None);
        };
        let code = &view.metric.code;
        let value = self.one_value(system, code, scope, this).await?.value;
        let previous = self.one_value(system, code, scope, before).await?.value;
        Ok(match (value, previous) {
            (Some(value), Some(previous)) if previous != 0.0 => Some(Change {
                value,
                previous,
                ratio: (value - previous) / previous.abs(),
            }),
            _ => None,
        })
    }

    /// Recent alerts (the last `days` days) on KPIs the caller may see.
    pub async fn alerts(&self, actor: &Actor, days: i64) -> Result<Vec<AlertView>> {
        let since = self.clock.now() - days.clamp(1, 366) * 86_400;
        let catalogue = self.catalogue().await?;
        let mut tx = self.store.read().await?;
        let rows = alerts::since(&mut tx, since, 200).await?;
        let mut out = Vec::new();
        for alert in rows {
            let Ok(scope) = ScopeRef::parse(&alert.scope) else {
                continue;
            };
            if crate::metrics::resolve(&mut tx, actor, &scope)
                .await
                .is_err()
            {
                continue;
            }
            let Some(metric) = catalogue.get(&alert.metric_code).cloned() else {
                continue;
            };
            let locale = actor.locale.unwrap_or(Locale::En);
            let scope_name = scope_name(&mut tx, &scope, locale).await?;
            out.push(AlertView {
                link: link(&scope),
                alert,
                metric,
                scope_name,
            });
        }
        Ok(out)
    }

    async fn queue_alert_mail(
        &self,
        tx: &mut Tx,
        alert: &AlertRow,
        view: &KpiView,
        scope: &ScopeRef,
    ) -> Result<()> {
        let Some(mailer) = &self.mailer else {
            return Ok(());
        };
        let people = concerned(tx, scope).await?;
        for person in alerts::recipients(tx, &people).await? {
            let locale = person
                .locale
                .as_deref()
                .and_then(Locale::from_tag)
                .unwrap_or(Locale::En);
            let name = scope_name(tx, scope, locale).await?;
            let url = format!("{}{}", mailer.public_url(), link(scope));
            let (subject, body) = alert_text(locale, alert, view, &name, &url);
            outbox::enqueue(tx, &person.email, &subject, &body, alert.at).await?;
            tracing::debug!(
                employee = person.employee_id,
                alert = alert.id,
                "alert mail queued"
            );
        }
        Ok(())
    }
}

/// The people a KPI concerns.
async fn concerned(tx: &mut Tx, scope: &ScopeRef) -> Result<Vec<i64>> {
    let all = mkpi_domain::Scope::everyone();
    let mut people = Vec::new();
    match scope {
        ScopeRef::Employee(id) => {
            let e = employees::get(tx, &all, *id).await?;
            people.push(e.id);
            people.extend(e.manager_id);
        }
        ScopeRef::Team(id) => {
            if let Some(t) = teams::list(tx, &all)
                .await?
                .into_iter()
                .find(|t| t.id == *id)
            {
                people.extend(t.manager_id);
            }
            people.extend(alerts::heads(tx).await?);
        }
        ScopeRef::Campaign(id) => {
            let owner = campaigns::by_ids(tx, &[*id])
                .await?
                .pop()
                .and_then(|c| c.owner_employee_id);
            match owner {
                Some(o) => {
                    let e = employees::get(tx, &all, o).await?;
                    people.push(e.id);
                    people.extend(e.manager_id);
                }
                None => people.extend(alerts::heads(tx).await?),
            }
        }
        ScopeRef::Department | ScopeRef::Channel(_) => people.extend(alerts::heads(tx).await?),
    }
    people.sort_unstable();
    people.dedup();
    Ok(people)
}

/// Who or what a KPI is set for, in words.
async fn scope_name(tx: &mut Tx, scope: &ScopeRef, locale: Locale) -> Result<String> {
    let all = mkpi_domain::Scope::everyone();
    let ru = locale == Locale::Ru;
    Ok(match scope {
        ScopeRef::Department => (if ru { "отдел" } else { "the department" }).to_string(),
        ScopeRef::Channel(c) => format!("{} {c}", if ru { "канал" } else { "channel" }),
        ScopeRef::Employee(id) => employees::get(tx, &all, *id)
            .await
            .map_or_else(|_| format!("#{id}"), |e| e.name),
        ScopeRef::Team(id) => teams::list(tx, &all)
            .await?
            .into_iter()
            .find(|t| t.id == *id)
            .map_or_else(|| format!("#{id}"), |t| t.name),
        ScopeRef::Campaign(id) => {
            let name = campaigns::by_ids(tx, &[*id])
                .await?
                .pop()
                .map_or_else(|| format!("#{id}"), |c| c.name);
            format!("{} {name}", if ru { "кампания" } else { "campaign" })
        }
    })
}

fn link(scope: &ScopeRef) -> String {
    match scope {
        ScopeRef::Employee(id) => format!("/employees/{id}"),
        ScopeRef::Team(id) => format!("/teams/{id}"),
        _ => "/dashboard".to_string(),
    }
}

/// The subject and body of an alert's mail, in the recipient's language.
fn alert_text(
    locale: Locale,
    alert: &AlertRow,
    view: &KpiView,
    scope_name: &str,
    url: &str,
) -> (String, String) {
    let ru = locale == Locale::Ru;
    let unit = view.metric.unit;
    let currency = view.currency.as_deref();
    let shown = |v: Option<f64>| {
        v.map_or_else(
            || "—".to_string(),
            |v| locale.format_metric(v, unit, currency),
        )
    };
    let metric = if ru {
        &view.metric.name_ru
    } else {
        &view.metric.name_en
    };
    let last_day =
        |to: &str| Day::parse(to).map_or_else(|_| to.to_string(), |d| d.plus_days(-1).to_string());
    let span = format!(
        "{} – {}",
        locale.format_date(&alert.window_from),
        locale.format_date(&last_day(&alert.window_to))
    );
    if alert.kind == "change" {
        let change = alert.change.map_or_else(
            || "—".to_string(),
            |c| {
                let sign = if c > 0.0 { "+" } else { "" };
                format!("{sign}{}", locale.format_metric(c, Unit::Percent, None))
            },
        );
        let pct = view
            .alert_change_pct
            .map_or_else(String::new, |p| locale.format_decimal(p, 0));
        if ru {
            (
                format!("{metric} · {scope_name}: {change} за неделю"),
                format!(
                    "{metric} ({scope_name}) изменился на {change} за неделю: {} за {span} против {} неделей раньше.\n\
                     Порог оповещения: {pct}%.\n\nОткрыть mkpi: {url}\n",
                    shown(alert.value),
                    shown(alert.previous)
                ),
            )
        } else {
            (
                format!("{metric} · {scope_name}: {change} week over week"),
                format!(
                    "{metric} for {scope_name} moved {change} week over week: {} in {span} against {} the week before.\n\
                     The alert fires above {pct}%.\n\nOpen mkpi: {url}\n",
                    shown(alert.value),
                    shown(alert.previous)
                ),
            )
        }
    } else if ru {
        (
            format!("Отстаёт от плана: {metric} · {scope_name}"),
            format!(
                "{metric} ({scope_name}) отстаёт от плана.\n\nПериод: {span}\nЗначение на сегодня: {}\nЦель: {}\n\
                 Прогноз на конец периода: {}\n\nОткрыть mkpi: {url}\n",
                shown(alert.value),
                shown(alert.target),
                shown(alert.forecast)
            ),
        )
    } else {
        (
            format!("Off track: {metric} · {scope_name}"),
            format!(
                "{metric} for {scope_name} is off track.\n\nPeriod: {span}\nValue so far: {}\nTarget: {}\n\
                 Forecast at the deadline: {}\n\nOpen mkpi: {url}\n",
                shown(alert.value),
                shown(alert.target),
                shown(alert.forecast)
            ),
        )
    }
}
