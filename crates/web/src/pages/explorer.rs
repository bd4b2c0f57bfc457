//! The campaign and channel explorer: drill from the department down to a
//! team, a person, a campaign and its days (or through channels).

use axum::extract::{Query, State};
use axum::response::Html;
use minijinja::context;
use mkpi_domain::Locale;
use mkpi_domain::metric::Unit;
use mkpi_services::explorer::{EXPLORER_METRICS, Explorer, Split};
use mkpi_services::metrics::{MetricAnswer, ScopeRef};
use serde::Deserialize;
use serde_json::json;

use super::dashboard::{RANGES, chosen_period, fmt};
use super::{layout, ser};
use crate::AppState;
use crate::auth::{Auth, Lang};
use crate::error::WebError;

#[derive(Deserialize)]
pub struct ExplorerQuery {
    scope: Option<String>,
    /// org (default) or channels.
    split: Option<String>,
    range: Option<String>,
    from: Option<String>,
    until: Option<String>,
}

pub async fn show(
    State(state): State<AppState>,
    Lang(lang): Lang,
    Auth(actor): Auth,
    Query(q): Query<ExplorerQuery>,
) -> Result<Html<String>, WebError> {
    let scope_text = q.scope.clone().unwrap_or_else(|| "department".into());
    let scope = ScopeRef::parse(&scope_text)?;
    let split = Split::parse(q.split.as_deref().unwrap_or("org"));
    let (period, range) = chosen_period(
        &state,
        &super::dashboard::DashboardQuery {
            range: q.range.clone(),
            from: q.from.clone(),
            until: q.until.clone(),
            compare: None,
        },
    )?;
    let e = state
        .services
        .explore(&actor, &scope, split, period)
        .await?;
    let catalogue = state.services.catalogue().await?;
    let columns: Vec<_> = EXPLORER_METRICS
        .iter()
        .filter_map(|code| {
            let m = catalogue.get(code)?;
            Some(json!({"code": code, "name": if lang == Locale::Ru { &m.name_ru } else { &m.name_en }}))
        })
        .collect();
    let html = state.templates().render(
        "explorer.html",
        context! {
            ..layout(lang, Some(&actor), "explorer", "/explore"),
            ..context! {
                scope => scope_text,
                split => split.code(),
                name => e.name.clone(),
                trail => ser(&e.trail),
                columns => ser(&columns),
                totals => ser(cells(lang, &e.totals)),
                rows => ser(rows(lang, &e)),
                chart => ser(chart(&e)),
                is_days => matches!(e.scope, ScopeRef::Campaign(_)),
                range => range,
                ranges => RANGES,
                from => period.from.to_string(),
                last_day => period.to.plus_days(-1).to_string(),
            },
        },
    )?;
    Ok(Html(html))
}

fn cells(lang: Locale, values: &[MetricAnswer]) -> Vec<String> {
    values
        .iter()
        .map(|a| fmt(lang, a.value, a.unit, a.currency.as_deref()))
        .collect()
}

fn rows(lang: Locale, e: &Explorer) -> Vec<serde_json::Value> {
    e.rows
        .iter()
        .map(|r| {
            json!({
                "key": r.key,
                "name": r.name,
                "drill": r.drill,
                "share": r.share.map(|s| lang.format_metric(s, Unit::Percent, None)),
                "cells": cells(lang, &r.values),
            })
        })
        .collect()
}

/// Spend by row as bars, ROAS as a line on a second axis; days read left to right.
fn chart(e: &Explorer) -> serde_json::Value {
    let value = |r: &mkpi_services::explorer::ExplorerRow, code: &str| {
        r.values
            .iter()
            .find(|a| a.code == code)
            .and_then(|a| a.value)
            .map(|v| (v * 100.0).round() / 100.0)
    };
    let names: Vec<&str> = e.rows.iter().map(|r| r.name.as_str()).collect();
    json!({
        "grid": {"left": 8, "right": 8, "top": 32, "bottom": 8, "containLabel": true},
        "tooltip": {"trigger": "axis"},
        "legend": {"data": ["spend", "roas"]},
        "xAxis": {"type": "category", "data": names, "axisLabel": {"interval": 0, "rotate": if names.len() > 6 { 30 } else { 0 }}},
        "yAxis": [{"type": "value"}, {"type": "value", "splitLine": {"show": false}}],
        "series": [
            {"name": "spend", "type": "bar", "data": e.rows.iter().map(|r| value(r, "spend")).collect::<Vec<_>>(), "itemStyle": {"color": "#2f5bea"}},
            {"name": "roas", "type": "line", "yAxisIndex": 1, "data": e.rows.iter().map(|r| value(r, "roas")).collect::<Vec<_>>(), "itemStyle": {"color": "#e8590c"}},
        ]
    })
}
