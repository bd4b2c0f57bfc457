//! The department dashboard page: key metrics for a period against a
//! comparison period, with KPI targets and status where set, a year of
//! trend per metric, traffic by channel and campaigns by spend.

use axum::extract::{Query, State};
use axum::response::Html;
use minijinja::context;
use mkpi_domain::Locale;
use mkpi_domain::kpi::Status;
use mkpi_domain::metric::{Direction, Unit};
use mkpi_domain::period::{Day, Period};
use mkpi_services::dashboard::{Compare, Dashboard};
use mkpi_services::kpis::KpiView;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::{layout, ser};
use crate::AppState;
use crate::auth::{Auth, Lang};
use crate::error::WebError;

#[derive(Deserialize, Default)]
pub struct DashboardQuery {
    /// month, last-month (default), quarter, last-quarter, year, last-year.
    pub range: Option<String>,
    pub from: Option<String>,
    /// The last day shown, included (the form speaks in days people see).
    pub until: Option<String>,
    /// previous (default) or year.
    pub compare: Option<String>,
}

/// The period a named range means on `today`.
pub fn range_period(range: &str, today: Day) -> Option<Period> {
    let month = today.first_of_month();
    let (_, m, _) = month.ymd();
    let quarter = month.plus_months(-i64::from((m - 1) % 3));
    let year = month.plus_months(-i64::from(m - 1));
    let span = |from: Day, months: i64| Period::new(from, from.plus_months(months)).ok();
    match range {
        "month" => span(month, 1),
        "last-month" => span(month.plus_months(-1), 1),
        "quarter" => span(quarter, 3),
        "last-quarter" => span(quarter.plus_months(-3), 3),
        "year" => span(year, 12),
        "last-year" => span(year.plus_months(-12), 12),
        _ => None,
    }
}

/// The period a page's query asks for — custom days (`from`, `until`
/// included) or a named range, last month by default — and the range's
/// name (`custom` for days).
pub(super) fn chosen_period(
    state: &AppState,
    q: &DashboardQuery,
) -> Result<(Period, String), WebError> {
    let today = Day::from_unix_seconds(state.services.clock().now());
    if let (Some(f), Some(u)) = (q.from.as_deref(), q.until.as_deref())
        && !f.is_empty()
        && !u.is_empty()
    {
        let after = Day::parse(u)
            .map(|d| d.plus_days(1).to_string())
            .map_err(|e| mkpi_services::Error::invalid("until", e.to_string()))?;
        return Ok((
            crate::api::metrics::period(Some(f), Some(&after))?,
            "custom".into(),
        ));
    }
    let range = q.range.clone().unwrap_or_else(|| "last-month".to_string());
    match range_period(&range, today) {
        Some(p) => Ok((p, range)),
        None => range_period("last-month", today)
            .map(|p| (p, "last-month".to_string()))
            .ok_or_else(|| WebError::Internal("no period for today".into())),
    }
}

pub(super) const RANGES: [&str; 6] = [
    "month",
    "last-month",
    "quarter",
    "last-quarter",
    "year",
    "last-year",
];

#[derive(Serialize)]
struct TileView {
    code: String,
    name: String,
    description: String,
    value: String,
    before: String,
    change: Option<String>,
    /// good, bad or flat: whether the change is for the better.
    trend_class: &'static str,
    note: Option<String>,
    kpi: Option<KpiLine>,
    chart: serde_json::Value,
}

#[derive(Serialize)]
pub(super) struct KpiLine {
    target: String,
    status: &'static str,
    achievement: Option<String>,
    forecast: Option<String>,
    pub(super) name: String,
}

pub(super) fn fmt(lang: Locale, v: Option<f64>, unit: Unit, currency: Option<&str>) -> String {
    v.map_or_else(
        || "—".to_string(),
        |v| lang.format_metric(v, unit, currency),
    )
}

pub(super) fn kpi_line(lang: Locale, k: &KpiView) -> KpiLine {
    let unit = k.metric.unit;
    let currency = k.currency.as_deref();
    KpiLine {
        target: k.bands.map_or_else(
            || "—".into(),
            |b| lang.format_metric(b.target, unit, currency),
        ),
        status: match k.status {
            Status::OnTrack => "on_track",
            Status::AtRisk => "at_risk",
            Status::OffTrack => "off_track",
            Status::NoData => "no_data",
        },
        achievement: k
            .achievement
            .map(|a| lang.format_metric(a, Unit::Percent, None)),
        // A forecast of a count is a whole number.
        forecast: k.forecast.map(|f| {
            let v = if unit == Unit::Count {
                f.value.round()
            } else {
                f.value
            };
            lang.format_metric(v, unit, currency)
        }),
        name: match lang {
            Locale::Ru => k.metric.name_ru.clone(),
            Locale::En => k.metric.name_en.clone(),
        },
    }
}

pub(super) fn spark(code: &str, trend: &[(String, Option<f64>)]) -> serde_json::Value {
    json!({
        "grid": {"left": 2, "right": 2, "top": 4, "bottom": 2},
        "tooltip": {"trigger": "axis", "confine": true},
        "xAxis": {"type": "category", "show": false, "data": trend.iter().map(|t| &t.0).collect::<Vec<_>>()},
        "yAxis": {"type": "value", "show": false, "scale": true},
        "series": [{"name": code, "type": "line", "data": trend.iter().map(|t| t.1).collect::<Vec<_>>(),
                    "symbol": "none", "connectNulls": false, "lineStyle": {"width": 1.5, "color": "#2f5bea"},
                    "areaStyle": {"color": "#2f5bea", "opacity": 0.08}}]
    })
}

fn view(lang: Locale, d: &Dashboard) -> Vec<TileView> {
    d.tiles
        .iter()
        .map(|t| {
            let unit = t.metric.unit;
            let currency = t.now.currency.as_deref().or(t.before.currency.as_deref());
            let trend_class = match t.change {
                Some(c) if c.abs() < 0.005 => "flat",
                Some(c) if (c > 0.0) == (t.metric.direction == Direction::Higher) => "good",
                Some(_) => "bad",
                None => "flat",
            };
            TileView {
                code: t.metric.code.clone(),
                name: match lang {
                    Locale::Ru => t.metric.name_ru.clone(),
                    Locale::En => t.metric.name_en.clone(),
                },
                description: match lang {
                    Locale::Ru => t.metric.description_ru.clone(),
                    Locale::En => t.metric.description_en.clone(),
                },
                value: fmt(lang, t.now.value, unit, currency),
                before: fmt(lang, t.before.value, unit, currency),
                change: t.change.map(|c| {
                    let arrow = if c > 0.0 {
                        "▲"
                    } else if c < 0.0 {
                        "▼"
                    } else {
                        ""
                    };
                    format!(
                        "{arrow} {}",
                        lang.format_metric(c.abs(), Unit::Percent, None)
                    )
                }),
                trend_class,
                note: t.now.note.clone(),
                kpi: t.kpi.as_ref().map(|k| kpi_line(lang, k)),
                chart: spark(&t.metric.code, &t.trend),
            }
        })
        .collect()
}

pub async fn show(
    State(state): State<AppState>,
    Lang(lang): Lang,
    Auth(actor): Auth,
    Query(q): Query<DashboardQuery>,
) -> Result<Html<String>, WebError> {
    let (period, range) = chosen_period(&state, &q)?;
    let compare = Compare::parse(q.compare.as_deref().unwrap_or("previous"));
    let d = state.services.dashboard(&actor, period, compare).await?;
    let tiles = view(lang, &d);
    let other_kpis: Vec<KpiLine> = d.other_kpis.iter().map(|k| kpi_line(lang, k)).collect();
    let channels: Vec<_> = d
        .channels
        .iter()
        .map(|c| {
            json!({
                "channel": c.channel, "sessions": c.sessions, "new_users": c.new_users,
                "conversions": lang.format_metric(c.conversions, Unit::Count, None),
                "share": lang.format_metric(c.share, Unit::Percent, None),
                "width": (c.share * 100.0).round(),
            })
        })
        .collect();
    let campaigns: Vec<_> = d
        .campaigns
        .iter()
        .map(|c| {
            let cur = c.currency.as_deref();
            json!({
                "id": c.id, "name": c.name, "external_id": c.external_id, "channel": c.channel, "owner": c.owner,
                "spend": lang.format_metric(c.spend, Unit::Money, cur),
                "share": lang.format_metric(c.spend_share, Unit::Percent, None),
                "conversion_value": lang.format_metric(c.conversion_value, Unit::Money, cur),
                "roas": fmt(lang, c.roas, Unit::Multiple, None),
                "roi": fmt(lang, c.roi, Unit::Percent, None),
                "roi_class": match c.roi { Some(r) if r >= 0.0 => "good", Some(_) => "bad", None => "flat" },
                "cpa": fmt(lang, c.cpa, Unit::Money, cur),
            })
        })
        .collect();
    let alerts = state.services.alerts(&actor, 7).await?;
    let html = state.templates().render(
        "dashboard.html",
        context! {
            ..layout(lang, Some(&actor), "dashboard", "/dashboard"),
            ..context! {
                range => range,
                ranges => RANGES,
                from => d.period.from.to_string(),
                to => d.period.to.to_string(),
                last_day => d.period.to.plus_days(-1).to_string(),
                shown_last_day => (d.shown != d.period).then(|| d.shown.to.plus_days(-1).to_string()),
                compare => d.compare.code(),
                compared_from => d.compared_with.from.to_string(),
                compared_last_day => d.compared_with.to.plus_days(-1).to_string(),
                tiles => ser(&tiles),
                other_kpis => ser(&other_kpis),
                channels => ser(&channels),
                campaigns => ser(&campaigns),
                flags => ser(flag_lines(lang, &d.flags)),
                alerts => ser(super::alerts::alert_lines(lang, &alerts)),
            }
        },
    )?;
    Ok(Html(html))
}

/// Flags as lines a person reads: who, what, and the numbers behind it.
pub(super) fn flag_lines(
    lang: Locale,
    flags: &[mkpi_services::scorecard::PersonFlag],
) -> Vec<serde_json::Value> {
    use mkpi_domain::flag::Reason;
    let pct = |values: &[f64]| {
        values
            .iter()
            .map(|v| lang.format_metric(*v, Unit::Percent, None))
            .collect::<Vec<_>>()
            .join(", ")
    };
    flags
        .iter()
        .map(|f| {
            let span = format!(
                "{} – {}",
                f.months.first().cloned().unwrap_or_default(),
                f.months.last().cloned().unwrap_or_default()
            );
            let reasons: Vec<serde_json::Value> = f
                .flag
                .reasons
                .iter()
                .map(|r| match r {
                    Reason::SustainedOverAchievement(v) => json!({"key": "flag-over", "values": pct(v), "span": span}),
                    Reason::SustainedOffTrack(v) => json!({"key": "flag-off-track", "values": pct(v), "span": span}),
                    Reason::FallingTrend(v) => json!({"key": "flag-falling", "values": pct(v), "span": span}),
                    Reason::LowQuality { average, tasks } => json!({
                        "key": "flag-quality", "values": lang.format_metric(*average, Unit::Rating, None),
                        "span": tasks.to_string(),
                    }),
                })
                .collect();
            let actions: Vec<serde_json::Value> = f
                .actions
                .iter()
                .map(|a| json!({"kind": a.kind, "title": a.title, "due_on": a.due_on}))
                .collect();
            json!({"id": f.employee_id, "name": f.name, "kind": f.flag.kind.code(), "reasons": reasons, "actions": actions})
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn named_ranges_are_calendar_periods_around_today() {
        let today = Day::parse("2025-05-14").unwrap();
        let shown = |r: &str| range_period(r, today).unwrap().to_string();
        assert_eq!(shown("month"), "[2025-05-01, 2025-06-01)");
        assert_eq!(shown("last-month"), "[2025-04-01, 2025-05-01)");
        assert_eq!(shown("quarter"), "[2025-04-01, 2025-07-01)");
        assert_eq!(shown("last-quarter"), "[2025-01-01, 2025-04-01)");
        assert_eq!(shown("year"), "[2025-01-01, 2026-01-01)");
        assert_eq!(shown("last-year"), "[2024-01-01, 2025-01-01)");
        assert_eq!(range_period("fortnight", today), None);
    }
}
