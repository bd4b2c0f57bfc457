//! Alerts on KPIs the caller may see: off track, or a large move week over week.

use axum::extract::{Query, State};
use axum::response::{Html, IntoResponse, Response};
use minijinja::context;
use mkpi_domain::Locale;
use mkpi_domain::metric::Unit;
use mkpi_services::alerts::AlertView;
use serde::Deserialize;
use serde_json::json;

use super::{layout, ser};
use crate::AppState;
use crate::auth::{Auth, Lang};
use crate::error::WebError;
use crate::paging::{PageQuery, csv_download, pager, paginate};

#[derive(Deserialize)]
pub struct AlertsQuery {
    days: Option<i64>,
    q: Option<String>,
    page: Option<usize>,
    /// `csv`: the alerts found, as a file.
    format: Option<String>,
}

pub async fn list(
    State(state): State<AppState>,
    Lang(lang): Lang,
    Auth(actor): Auth,
    Query(q): Query<AlertsQuery>,
) -> Result<Response, WebError> {
    let days = q.days.unwrap_or(30).clamp(1, 366);
    let paging = PageQuery {
        q: q.q.clone(),
        page: q.page,
        per_page: None,
    };
    let needle = paging.search().to_lowercase();
    let lines: Vec<serde_json::Value> =
        alert_lines(lang, &state.services.alerts(&actor, days).await?)
            .into_iter()
            .filter(|l| {
                needle.is_empty()
                    || ["metric", "scope"].iter().any(|k| {
                        l[*k]
                            .as_str()
                            .is_some_and(|t| t.to_lowercase().contains(&needle))
                    })
            })
            .collect();
    if q.format.as_deref() == Some("csv") {
        let text = |l: &serde_json::Value, k: &str| l[k].as_str().unwrap_or_default().to_string();
        let rows: Vec<Vec<String>> = lines
            .iter()
            .map(|l| {
                [
                    "kind", "metric", "scope", "from", "last_day", "value", "target", "forecast",
                    "previous", "change",
                ]
                .iter()
                .map(|k| text(l, k))
                .collect()
            })
            .collect();
        return csv_download(
            "alerts",
            &[
                "kind", "metric", "for", "from", "to", "value", "target", "forecast", "previous",
                "change",
            ],
            &rows,
        );
    }
    let page = paginate(lines, &paging);
    let days_text = days.to_string();
    let html = state.templates().render(
        "alerts.html",
        context! {
            ..layout(lang, Some(&actor), "alerts", "/alerts"),
            ..context! {
                alerts => ser(&page.items),
                days => days,
                q => paging.search(),
                pager => ser(pager("/alerts", &page, &[("days", days_text.as_str()), ("q", paging.search())])),
            },
        },
    )?;
    Ok(Html(html).into_response())
}

/// Alerts as lines of a table: what, for whom, the numbers, when.
pub(super) fn alert_lines(lang: Locale, alerts: &[AlertView]) -> Vec<serde_json::Value> {
    alerts
        .iter()
        .map(|v| {
            let a = &v.alert;
            let unit = v.metric.unit;
            let shown = |x: Option<f64>| {
                x.map_or_else(
                    || "—".to_string(),
                    |x| lang.format_metric(x, unit, a.currency.as_deref()),
                )
            };
            let change = a.change.map(|c| {
                let sign = if c > 0.0 { "+" } else { "" };
                format!("{sign}{}", lang.format_metric(c, Unit::Percent, None))
            });
            json!({
                "id": a.id,
                "kind": a.kind,
                "at": a.at,
                "metric": if lang == Locale::Ru { &v.metric.name_ru } else { &v.metric.name_en },
                "scope": v.scope_name,
                "link": v.link,
                "from": a.window_from,
                "last_day": mkpi_domain::period::Day::parse(&a.window_to)
                    .map_or_else(|_| a.window_to.clone(), |d| d.plus_days(-1).to_string()),
                "value": shown(a.value),
                "target": shown(a.target),
                "forecast": shown(a.forecast),
                "previous": shown(a.previous),
                "change": change,
            })
        })
        .collect()
}
