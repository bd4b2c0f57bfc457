//! The department dashboard: key metrics with the comparison period and
//! twelve months of trend, the department's KPIs, traffic by channel, and
//! campaigns ranked by spend with their return — all through the same
//! metric path as the API, so a tile and an API answer never disagree.

use std::collections::BTreeMap;

use mkpi_domain::metric::Metric;
use mkpi_domain::period::{Day, Period};
use mkpi_domain::scope::PeopleScope;
use mkpi_store::{campaigns, employees, measures};

use crate::kpis::KpiView;
use crate::metrics::{MetricAnswer, ScopeRef};
use crate::{Actor, Result, Services};

/// Which period a value is compared with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compare {
    /// The period of the same length just before.
    Previous,
    /// The same dates a year before.
    YearBefore,
}

impl Compare {
    pub fn parse(text: &str) -> Compare {
        match text {
            "year" => Compare::YearBefore,
            _ => Compare::Previous,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Compare::Previous => "previous",
            Compare::YearBefore => "year",
        }
    }

    pub fn period(self, p: Period) -> Period {
        match self {
            Compare::Previous => p.previous(),
            Compare::YearBefore => p.year_before(),
        }
    }
}

/// The metrics the dashboard shows as tiles, in order.
pub const TILE_METRICS: [&str; 16] = [
    "spend",
    "conversion_value",
    "roas",
    "roi",
    "cpa",
    "ctr",
    "orders",
    "order_revenue",
    "aov",
    "new_customers",
    "cac",
    "sessions",
    "web_conversion_rate",
    "csat",
    "nps",
    "budget_utilisation",
];

#[derive(Debug, Clone)]
pub struct Tile {
    pub metric: Metric,
    pub now: MetricAnswer,
    pub before: MetricAnswer,
    /// (now − before) / |before|; none when either is missing or before is 0.
    pub change: Option<f64>,
    /// The department KPI on this metric, if one covers the period.
    pub kpi: Option<KpiView>,
    /// Month (YYYY-MM) and value, the twelve months up to the period's end.
    pub trend: Vec<(String, Option<f64>)>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ChannelTraffic {
    pub channel: String,
    pub sessions: i64,
    pub new_users: i64,
    pub conversions: f64,
    /// Of all sessions in the period.
    pub share: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct CampaignLine {
    pub id: i64,
    pub external_id: String,
    pub name: String,
    pub channel: Option<String>,
    pub owner: Option<String>,
    pub currency: Option<String>,
    pub spend: f64,
    pub conversion_value: f64,
    pub conversions: f64,
    pub roas: Option<f64>,
    pub roi: Option<f64>,
    pub cpa: Option<f64>,
    /// Of all campaigns' spend in the period.
    pub spend_share: f64,
}

#[derive(Debug, Clone)]
pub struct Dashboard {
    pub period: Period,
    /// The days of the period up to today: what the values cover.
    pub shown: Period,
    pub compare: Compare,
    pub compared_with: Period,
    pub tiles: Vec<Tile>,
    /// KPIs of the department on metrics without a tile.
    pub other_kpis: Vec<KpiView>,
    pub channels: Vec<ChannelTraffic>,
    pub campaigns: Vec<CampaignLine>,
    /// Flags on the people the caller sees, from the three months before today.
    pub flags: Vec<crate::scorecard::PersonFlag>,
}

const MAX_CAMPAIGNS: usize = 20;

impl Services {
    pub async fn dashboard(
        &self,
        actor: &Actor,
        period: Period,
        compare: Compare,
    ) -> Result<Dashboard> {
        let started = std::time::Instant::now();
        let codes: Vec<String> = TILE_METRICS.iter().map(ToString::to_string).collect();
        let scope = ScopeRef::Department;
        // A period still running is compared like with like: its days so
        // far against as many days of the comparison period.
        let today = Day::from_unix_seconds(self.clock.now());
        let shown = Period::new(period.from, period.to.min(today.plus_days(1))).unwrap_or(period);
        let full = compare.period(period);
        let compared_with =
            Period::new(full.from, full.from.plus_days(shown.days()).min(full.to)).unwrap_or(full);
        // Twelve calendar months ending with the period's last month.
        let last_month = Period::month_of(period.to.plus_days(-1));
        let months: Vec<Period> = (0..12)
            .rev()
            .map(|k| Period::month_of(last_month.from.plus_months(-k)))
            .collect();
        // The tiles, their comparison, the trend (one grouped reading of the
        // roll-ups) and the KPIs are independent reads: side by side.
        let (now, before, by_month, kpis) = tokio::join!(
            self.metric_values(actor, &codes, &scope, shown),
            self.metric_values(actor, &codes, &scope, compared_with),
            self.department_months(actor, &codes, &months),
            self.kpis_for(actor, &scope, period),
        );
        let (now, before, by_month, mut kpis) = (now?, before?, by_month?, kpis?);
        let reads_ms = started.elapsed().as_millis();
        let mut trend: BTreeMap<String, Vec<(String, Option<f64>)>> = BTreeMap::new();
        for (month, values) in by_month {
            let label = month.from.to_string()[..7].to_string();
            for a in values {
                trend
                    .entry(a.code.clone())
                    .or_default()
                    .push((label.clone(), a.value));
            }
        }
        let catalogue = self.catalogue().await?;
        let mut tiles = Vec::with_capacity(codes.len());
        for (now, before) in now.into_iter().zip(before) {
            let Some(metric) = catalogue.get(&now.code).cloned() else {
                continue;
            };
            let change = match (now.value, before.value) {
                (Some(n), Some(b)) if b != 0.0 => Some((n - b) / b.abs()),
                _ => None,
            };
            let kpi = kpis
                .iter()
                .position(|k| k.metric.code == metric.code)
                .map(|i| kpis.remove(i));
            tiles.push(Tile {
                trend: trend.remove(&metric.code).unwrap_or_default(),
                metric,
                now,
                before,
                change,
                kpi,
            });
        }
        let channels = self.traffic_by_channel(period).await?;
        let campaigns = self.campaign_lines(actor, period).await?;
        let people = self.list_employees(actor).await?;
        let lists_ms = started.elapsed().as_millis();
        let flags = self.flags_for(actor, &people, today).await?;
        tracing::debug!(
            reads_ms,
            lists_ms,
            total_ms = started.elapsed().as_millis(),
            "dashboard computed"
        );
        Ok(Dashboard {
            flags,
            period,
            shown,
            compare,
            compared_with,
            tiles,
            other_kpis: kpis,
            channels,
            campaigns,
        })
    }

    async fn traffic_by_channel(&self, period: Period) -> Result<Vec<ChannelTraffic>> {
        let mut tx = self.store.read().await?;
        let rows =
            measures::traffic_by_channel(&mut tx, &period.from.to_string(), &period.to.to_string())
                .await?;
        let total: i64 = rows.iter().map(|r| r.1).sum();
        Ok(rows
            .into_iter()
            .map(
                |(channel, sessions, new_users, conversions)| ChannelTraffic {
                    #[allow(clippy::cast_precision_loss)]
                    share: if total > 0 {
                        sessions as f64 / total as f64
                    } else {
                        0.0
                    },
                    channel,
                    sessions,
                    new_users,
                    conversions,
                },
            )
            .collect())
    }

    /// Campaigns by spend. A campaign shows only when the caller sees one
    /// of the people it counts for (everyone, for the whole-department roles).
    async fn campaign_lines(&self, actor: &Actor, period: Period) -> Result<Vec<CampaignLine>> {
        let mut tx = self.store.read().await?;
        let (from, to) = (period.from.to_string(), period.to.to_string());
        let visible: BTreeMap<i64, String> = employees::list(&mut tx, &actor.scope)
            .await?
            .into_iter()
            .map(|e| (e.id, e.name))
            .collect();
        let everyone = matches!(actor.scope.people, PeopleScope::All);
        let ids: Vec<i64> = visible.keys().copied().collect();
        let limit = i64::try_from(MAX_CAMPAIGNS).unwrap_or(20);
        let results = measures::top_campaigns(
            &mut tx,
            &from,
            &to,
            (!everyone).then_some(ids.as_slice()),
            limit,
        )
        .await?;
        let shown: Vec<i64> = results.iter().map(|r| r.campaign_id).collect();
        let all: BTreeMap<i64, campaigns::CampaignRow> = campaigns::by_ids(&mut tx, &shown)
            .await?
            .into_iter()
            .map(|c| (c.id, c))
            .collect();
        #[allow(clippy::cast_precision_loss)]
        let total = measures::total_spend_minor(&mut tx, &from, &to).await? as f64;
        let mut out = Vec::new();
        for r in results {
            let Some(c) = all.get(&r.campaign_id) else {
                continue;
            };
            #[allow(clippy::cast_precision_loss)]
            let (spend, value) = (
                r.spend_minor as f64 / 100.0,
                r.conversion_value_minor as f64 / 100.0,
            );
            let ratio = |n: f64, d: f64| (d != 0.0).then(|| n / d);
            out.push(CampaignLine {
                id: c.id,
                external_id: c.external_id.clone(),
                name: c.name.clone(),
                channel: c.channel.clone(),
                owner: c.owner_employee_id.and_then(|o| visible.get(&o).cloned()),
                currency: c.currency.clone(),
                spend,
                conversion_value: value,
                conversions: r.conversions,
                roas: ratio(value, spend),
                roi: ratio(value - spend, spend),
                cpa: ratio(spend, r.conversions),
                #[allow(clippy::cast_precision_loss)]
                spend_share: if total > 0.0 {
                    r.spend_minor as f64 / total
                } else {
                    0.0
                },
            });
        }
        Ok(out)
    }
}
