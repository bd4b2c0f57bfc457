//! A report as every format shows it: each number with its written form,
//! each heading and sentence in the report's language, each chart drawn.
//! Built once from the services' [`Report`]; HTML, PDF, XLSX and CSV all
//! read this, so they never disagree.

use mkpi_domain::kpi::Status;
use mkpi_domain::metric::{Direction, Metric, Unit};
use mkpi_services::report::Report;
use serde::Serialize;

use crate::charts::{self, Bar, Step};
use crate::text::{Arg, Text};

/// A number and how it reads.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Num {
    pub value: Option<f64>,
    pub text: String,
}

impl Num {
    fn new(value: Option<f64>, text: String) -> Num {
        Num { value, text }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct MetricLine {
    pub code: String,
    pub name: String,
    pub unit: &'static str,
    pub currency: Option<String>,
    pub now: Num,
    pub previous: Num,
    pub year_before: Num,
    pub target: Num,
    pub change: Num,
    pub change_year: Num,
    /// The change against the comparison the definition chose.
    pub compared: Num,
    pub compared_change: Num,
    /// `good`, `bad` or `flat`, by the metric's direction.
    pub tone: &'static str,
    /// "significant (p = 0.003)" for a rate of counts; empty otherwise.
    pub significance: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct TrendView {
    pub code: String,
    pub name: String,
    pub unit: &'static str,
    pub months: Vec<(String, Num)>,
    pub sentence: String,
    pub svg: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct DriverView {
    pub code: String,
    pub name: String,
    pub before: Num,
    pub after: Num,
    pub parts: Vec<(String, Num)>,
    pub sentence: String,
    pub svg: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct AnomalyView {
    pub day: String,
    pub series: String,
    pub value: Num,
    pub expected: Num,
    pub score: Num,
}

#[derive(Debug, Clone, Serialize)]
pub struct RankView {
    pub key: String,
    pub name: String,
    pub spend: Num,
    pub spend_share: Num,
    pub roi: Num,
    pub cpa: Num,
}

#[derive(Debug, Clone, Serialize)]
pub struct PersonView {
    pub employee_id: i64,
    pub name: String,
    pub team: String,
    pub kpi_score: Num,
    pub kpis: usize,
    pub kpis_off_track: usize,
    pub conversion_value: Num,
    pub tasks_done: Num,
    pub on_time_rate: Num,
    pub avg_quality: Num,
}

#[derive(Debug, Clone, Serialize)]
pub struct ProblemView {
    pub kpi_id: i64,
    pub metric: String,
    pub scope: String,
    pub scope_key: String,
    pub owner: String,
    pub status: String,
    pub value: Num,
    pub target: Num,
    pub achievement: Num,
}

#[derive(Debug, Clone, Serialize)]
pub struct SwotQuadrant {
    pub code: String,
    pub title: String,
    pub items: Vec<(String, String)>,
}

#[derive(Debug, Clone, Serialize)]
pub struct BenchmarkView {
    pub kind: String,
    pub title: String,
    pub ours: Num,
    pub theirs: Vec<(String, Num, usize)>,
    pub sentence: String,
    pub svg: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct EvaluationView {
    pub cycle: String,
    pub period: String,
    pub median: Num,
    pub mean: Num,
    pub bands: [usize; 5],
    pub people: Vec<(String, Num)>,
    pub sentence: String,
    pub svg: String,
}

/// The whole report, ready to show.
#[derive(Debug, Clone, Serialize)]
pub struct View {
    pub language: String,
    pub name: String,
    pub purpose: String,
    pub scope: String,
    pub scope_key: String,
    pub period: String,
    pub period_from: String,
    /// The last day, included.
    pub period_last: String,
    pub compared: String,
    pub compare: String,
    pub compare_label: String,
    pub generated: String,
    pub shared: bool,
    /// Every heading and column name, by key.
    pub labels: std::collections::BTreeMap<String, String>,
    /// The sections shown, in order: (code, title).
    pub sections: Vec<(String, String)>,
    pub summary: Vec<String>,
    pub metrics: Vec<MetricLine>,
    pub metrics_svg: String,
    pub trends: Vec<TrendView>,
    pub drivers: Vec<DriverView>,
    pub anomalies: Vec<AnomalyView>,
    pub anomaly_sentence: String,
    pub channels: Vec<RankView>,
    pub channels_svg: String,
    pub campaigns: Vec<RankView>,
    pub channel_sentences: Vec<String>,
    pub people: Vec<PersonView>,
    pub people_sentence: String,
    pub problems: Vec<ProblemView>,
    pub problem_sentences: Vec<String>,
    pub swot: Vec<SwotQuadrant>,
    pub benchmarks: Vec<BenchmarkView>,
    pub evaluation: Option<EvaluationView>,
}

const LABELS: [&str; 66] = [
    "table-drivers",
    "table-anomalies",
    "table-channels",
    "table-campaigns",
    "report",
    "purpose",
    "scope",
    "period",
    "compared-with",
    "generated",
    "contents",
    "page",
    "shared-note",
    "col-metric",
    "col-now",
    "col-previous",
    "col-year",
    "col-target",
    "col-change",
    "col-significance",
    "col-channel",
    "col-campaign",
    "col-spend",
    "col-spend-share",
    "col-roi",
    "col-cpa",
    "col-person",
    "col-team",
    "col-kpi-score",
    "col-kpis",
    "col-off-track",
    "col-result",
    "col-tasks",
    "col-on-time",
    "col-quality",
    "col-kpi",
    "col-owner",
    "col-status",
    "col-value",
    "col-achievement",
    "col-day",
    "col-series",
    "col-expected",
    "col-score",
    "col-competitor",
    "col-months",
    "col-factor",
    "col-contribution",
    "col-month",
    "col-final-score",
    "nothing",
    "no-people",
    "no-evaluation",
    "no-competitors",
    "no-problems",
    "eval-bands",
    "us",
    "driver-before",
    "driver-after",
    "quadrant-strength",
    "quadrant-weakness",
    "quadrant-opportunity",
    "quadrant-threat",
    "department",
    "section-summary",
    "kpi-changes",
];

fn metric_name(text: &Text, m: &Metric) -> String {
    match text.locale {
        mkpi_domain::Locale::Ru => m.name_ru.clone(),
        mkpi_domain::Locale::En => m.name_en.clone(),
    }
}

/// Good, bad or flat, by which way the metric should go.
fn tone(change: Option<f64>, direction: Direction) -> &'static str {
    match change {
        Some(c) if c.abs() > 1e-9 => {
            if (c > 0.0) == (direction == Direction::Higher) {
                "good"
            } else {
                "bad"
            }
        }
        _ => "flat",
    }
}

/// What a scope key (`team:3`) is called in the report: the department by
/// its word, others by their names.
fn scope_title(text: &Text, report: &Report) -> String {
    if report.definition.scope == "department" {
        text.t("department")
    } else {
        report.scope_name.clone()
    }
}

/// Builds the view of a report.
pub fn build(report: &Report) -> View {
    let text = Text::new(&report.definition.language);
    let l = |k: &str| text.t(k);
    let period_last = report.period.to.plus_days(-1).to_string();
    let compared_last = report.compared.to.plus_days(-1).to_string();
    let compare_label = l(&format!("compare-{}", report.definition.compare));
    let labels = LABELS.iter().map(|k| ((*k).to_string(), l(k))).collect();
    let sections: Vec<(String, String)> = mkpi_services::report_data::SECTIONS
        .iter()
        .filter(|s| report.definition.has(s))
        .filter(|s| !(report.shared && matches!(**s, "people" | "evaluation")))
        .map(|s| ((*s).to_string(), l(&format!("section-{s}"))))
        .collect();
    let mut view = View {
        language: text.locale.as_str().to_string(),
        name: report.definition.name.clone(),
        purpose: report.definition.purpose.clone(),
        scope: scope_title(&text, report),
        scope_key: report.definition.scope.clone(),
        period: format!(
            "{} – {}",
            text.date(&report.period.from.to_string()),
            text.date(&period_last)
        ),
        period_from: report.period.from.to_string(),
        period_last,
        compared: format!(
            "{} – {}",
            text.date(&report.compared.from.to_string()),
            text.date(&compared_last)
        ),
        compare: report.definition.compare.clone(),
        compare_label,
        generated: text
            .date(&mkpi_domain::period::Day::from_unix_seconds(report.generated_at).to_string()),
        shared: report.shared,
        labels,
        sections,
        summary: Vec::new(),
        metrics: Vec::new(),
        metrics_svg: String::new(),
        trends: Vec::new(),
        drivers: Vec::new(),
        anomalies: Vec::new(),
        anomaly_sentence: String::new(),
        channels: Vec::new(),
        channels_svg: String::new(),
        campaigns: Vec::new(),
        channel_sentences: Vec::new(),
        people: Vec::new(),
        people_sentence: String::new(),
        problems: Vec::new(),
        problem_sentences: Vec::new(),
        swot: Vec::new(),
        benchmarks: Vec::new(),
        evaluation: None,
    };
    metrics(&text, report, &mut view);
    trends(&text, report, &mut view);
    channels(&text, report, &mut view);
    people(&text, report, &mut view);
    problems(&text, report, &mut view);
    swot(&text, report, &mut view);
    benchmarks(&text, report, &mut view);
    evaluation(&text, report, &mut view);
    view.summary = summary(&text, report, &view);
    view
}

fn metrics(text: &Text, report: &Report, view: &mut View) {
    let compare = report.definition.compare.as_str();
    for row in &report.metrics {
        let unit = row.metric.unit;
        let currency = row.now.currency.as_deref();
        let num = |v: Option<f64>| Num::new(v, text.value(v, unit, currency));
        let change = |c: Option<f64>| Num::new(c, text.change(c));
        let target_change = match (row.now.value, row.target) {
            (Some(n), Some(t)) if t != 0.0 => Some((n - t) / t.abs()),
            _ => None,
        };
        let (compared, compared_change) = match compare {
            "year" => (row.year_before.value, row.change_year),
            "target" => (row.target, target_change),
            _ => (row.previous.value, row.change),
        };
        let significance = row.test.map_or_else(String::new, |t| {
            let p = text.p(t.p_value);
            if t.significant(mkpi_services::report_data::SIGNIFICANCE) {
                text.f("significant", vec![("p", Arg::S(p))])
            } else {
                text.f("not-significant", vec![("p", Arg::S(p))])
            }
        });
        view.metrics.push(MetricLine {
            code: row.metric.code.clone(),
            name: metric_name(text, &row.metric),
            unit: unit.code(),
            currency: row.now.currency.clone(),
            now: num(row.now.value),
            previous: num(row.previous.value),
            year_before: num(row.year_before.value),
            target: num(row.target),
            change: change(row.change),
            change_year: change(row.change_year),
            compared: num(compared),
            compared_change: change(compared_change),
            tone: tone(compared_change, row.metric.direction),
            significance,
        });
    }
    let bars: Vec<Bar> = view
        .metrics
        .iter()
        .filter_map(|m| {
            let c = m.compared_change.value?;
            Some(Bar {
                label: m.name.clone(),
                value: c,
                text: m.compared_change.text.clone(),
                tooltip: format!(
                    "{}: {} → {} ({})",
                    m.name, m.compared.text, m.now.text, m.compared_change.text
                ),
            })
        })
        .collect();
    if !bars.is_empty() {
        view.metrics_svg = charts::bars(
            &text.f(
                "kpi-changes",
                vec![("compare", Arg::S(view.compare_label.clone()))],
            ),
            &bars,
        );
    }
}

fn trends(text: &Text, report: &Report, view: &mut View) {
    for s in &report.trends {
        let name = metric_name(text, &s.metric);
        let unit = s.metric.unit;
        let currency = s.currency.as_deref();
        let months: Vec<(String, Num)> = s
            .months
            .iter()
            .map(|(m, v)| (m.clone(), Num::new(*v, text.value(*v, unit, currency))))
            .collect();
        let points: Vec<(String, Option<f64>, String)> = months
            .iter()
            .map(|(m, n)| (m.clone(), n.value, n.text.clone()))
            .collect();
        // The trend is fitted over the months with a value, in order; drawn
        // from the first of them.
        let first = s.months.iter().position(|(_, v)| v.is_some()).unwrap_or(0);
        let svg = charts::line(
            &name,
            &points,
            s.trend
                .map(|t| (t.intercept - t.slope * first as f64, t.slope)),
        );
        let signed = |x: f64| text.signed(x, unit, currency);
        let sentence = s.trend.map_or_else(String::new, |t| {
            let args = |slope: f64| {
                vec![
                    ("metric", Arg::S(name.clone())),
                    ("slope", Arg::S(text.value(Some(slope), unit, currency))),
                    ("low", Arg::S(signed(t.slope_low))),
                    ("high", Arg::S(signed(t.slope_high))),
                ]
            };
            if t.real() && t.slope > 0.0 {
                text.f("s-trend-up", args(t.slope))
            } else if t.real() {
                text.f("s-trend-down", args(-t.slope))
            } else {
                text.f("s-trend-flat", args(t.slope))
            }
        });
        view.trends.push(TrendView {
            code: s.metric.code.clone(),
            unit: unit.code(),
            name,
            months,
            sentence,
            svg,
        });
    }
    for d in &report.drivers {
        let name = text.t(&format!("driver-{}", d.code));
        let unit = if d.code == "roas" {
            Unit::Multiple
        } else {
            Unit::Money
        };
        let currency = money_currency(report);
        let currency = currency.as_deref().filter(|_| unit == Unit::Money);
        let num = |v: f64| Num::new(Some(v), text.value(Some(v), unit, currency));
        let parts: Vec<(String, Num)> = d
            .contributions
            .iter()
            .map(|c| {
                (
                    text.t(&format!("factor-{}", c.name)),
                    Num::new(Some(c.amount), text.signed(c.amount, unit, currency)),
                )
            })
            .collect();
        let change = (d.before != 0.0).then(|| (d.after - d.before) / d.before.abs());
        let words: Vec<String> = parts
            .iter()
            .map(|(f, n)| {
                text.f(
                    "s-driver-part",
                    vec![
                        ("factor", Arg::S(f.clone())),
                        ("amount", Arg::S(n.text.clone())),
                    ],
                )
            })
            .collect();
        let sentence = text.f(
            "s-driver",
            vec![
                ("metric", Arg::S(name.clone())),
                ("before", Arg::S(num(d.before).text)),
                ("after", Arg::S(num(d.after).text)),
                ("change", Arg::S(text.change(change))),
                ("parts", Arg::S(words.join(", "))),
            ],
        );
        let steps: Vec<Step> = parts
            .iter()
            .map(|(f, n)| Step {
                label: f.clone(),
                amount: n.value.unwrap_or(0.0),
                text: n.text.clone(),
            })
            .collect();
        let svg = charts::waterfall(
            &name,
            &Step {
                label: text.t("driver-before"),
                amount: d.before,
                text: num(d.before).text,
            },
            &steps,
            &Step {
                label: text.t("driver-after"),
                amount: d.after,
                text: num(d.after).text,
            },
        );
        view.drivers.push(DriverView {
            code: d.code.to_string(),
            name,
            before: num(d.before),
            after: num(d.after),
            parts,
            sentence,
            svg,
        });
    }
    for a in &report.anomalies {
        let (unit, currency) = if a.series == "spend" {
            (Unit::Money, money_currency(report))
        } else {
            (Unit::Count, None)
        };
        let v = |x: f64| {
            let x = x.round();
            Num::new(Some(x), text.value(Some(x), unit, currency.as_deref()))
        };
        view.anomalies.push(AnomalyView {
            day: text.date(&a.anomaly.day.to_string()),
            series: text.t(&format!("series-{}", a.series)),
            value: v(a.anomaly.value),
            expected: v(a.anomaly.expected),
            score: Num::new(
                Some(a.anomaly.score),
                text.locale.format_decimal(a.anomaly.score, 1),
            ),
        });
    }
    if report.definition.has("trends") && report.definition.scope == "department" {
        view.anomaly_sentence = match report
            .anomalies
            .iter()
            .zip(&view.anomalies)
            .max_by(|a, b| a.0.anomaly.score.abs().total_cmp(&b.0.anomaly.score.abs()))
        {
            Some((_, top)) => text.f(
                "s-anomalies",
                vec![
                    ("count", Arg::N(view.anomalies.len() as i64)),
                    ("series", Arg::S(top.series.clone())),
                    ("day", Arg::S(top.day.clone())),
                    ("value", Arg::S(top.value.text.clone())),
                    ("expected", Arg::S(top.expected.text.clone())),
                ],
            ),
            None => text.f(
                "s-no-anomalies",
                vec![("days", Arg::N(report.period.days()))],
            ),
        };
    }
}

/// The currency the report's money is in (the first money metric's).
fn money_currency(report: &Report) -> Option<String> {
    report
        .metrics
        .iter()
        .find_map(|m| m.now.currency.clone())
        .or_else(|| report.trends.iter().find_map(|t| t.currency.clone()))
}

fn rank_view(
    text: &Text,
    r: &mkpi_services::report_data::Ranked,
    currency: Option<&str>,
) -> RankView {
    RankView {
        key: r.key.clone(),
        name: r.name.clone(),
        spend: Num::new(
            Some(r.spend),
            text.value(Some(r.spend), Unit::Money, currency),
        ),
        spend_share: Num::new(Some(r.spend_share), text.share(r.spend_share)),
        roi: Num::new(r.roi, text.value(r.roi, Unit::Percent, None)),
        cpa: Num::new(r.cpa, text.value(r.cpa, Unit::Money, currency)),
    }
}

fn channels(text: &Text, report: &Report, view: &mut View) {
    let currency = money_currency(report);
    let currency = currency.as_deref();
    view.channels = report
        .channels
        .iter()
        .map(|r| rank_view(text, r, currency))
        .collect();
    view.campaigns = report
        .campaigns
        .iter()
        .map(|r| rank_view(text, r, currency))
        .collect();
    let bars: Vec<Bar> = view
        .channels
        .iter()
        .filter_map(|c| {
            Some(Bar {
                label: c.name.clone(),
                value: c.roi.value?,
                text: c.roi.text.clone(),
                tooltip: format!(
                    "{}: ROI {}, {} ({})",
                    c.name, c.roi.text, c.spend.text, c.spend_share.text
                ),
            })
        })
        .collect();
    if !bars.is_empty() {
        view.channels_svg = charts::bars("ROI", &bars);
    }
    let with_roi: Vec<&RankView> = view
        .channels
        .iter()
        .filter(|c| c.roi.value.is_some())
        .collect();
    if let (Some(best), Some(worst)) = (with_roi.first(), with_roi.last()) {
        let say = |key: &str, c: &RankView| {
            text.f(
                key,
                vec![
                    ("name", Arg::S(c.name.clone())),
                    ("roi", Arg::S(c.roi.text.clone())),
                    ("share", Arg::S(c.spend_share.text.clone())),
                ],
            )
        };
        view.channel_sentences.push(say("s-channel-best", best));
        if with_roi.len() > 1 {
            view.channel_sentences.push(say("s-channel-worst", worst));
        }
    }
    let losing: Vec<&RankView> = view
        .campaigns
        .iter()
        .filter(|c| c.roi.value.is_some_and(|r| r < 0.0))
        .collect();
    if !losing.is_empty() {
        let share: f64 = losing.iter().filter_map(|c| c.spend_share.value).sum();
        view.channel_sentences.push(text.f(
            "s-campaigns-losing",
            vec![
                ("count", Arg::N(losing.len() as i64)),
                ("share", Arg::S(text.share(share))),
            ],
        ));
    }
}

fn people(text: &Text, report: &Report, view: &mut View) {
    for p in &report.people {
        let cur = p.currency.as_deref();
        view.people.push(PersonView {
            employee_id: p.employee_id,
            name: p.name.clone(),
            team: p.team.clone().unwrap_or_default(),
            kpi_score: Num::new(p.kpi_score, text.value(p.kpi_score, Unit::Percent, None)),
            kpis: p.kpis,
            kpis_off_track: p.kpis_off_track,
            conversion_value: Num::new(
                p.conversion_value,
                text.value(p.conversion_value, Unit::Money, cur),
            ),
            tasks_done: Num::new(p.tasks_done, text.value(p.tasks_done, Unit::Count, None)),
            on_time_rate: Num::new(
                p.on_time_rate,
                text.value(p.on_time_rate, Unit::Percent, None),
            ),
            avg_quality: Num::new(p.avg_quality, text.value(p.avg_quality, Unit::Rating, None)),
        });
    }
    let mut scores: Vec<f64> = report.people.iter().filter_map(|p| p.kpi_score).collect();
    if let Some(median) = mkpi_domain::analysis::median(&mut scores) {
        view.people_sentence = text.f(
            "s-people",
            vec![
                ("count", Arg::N(scores.len() as i64)),
                ("median", Arg::S(text.share(median))),
            ],
        );
    }
}

fn problems(text: &Text, report: &Report, view: &mut View) {
    for p in &report.problems {
        let k = &p.kpi;
        let unit = k.metric.unit;
        let cur = k.currency.as_deref();
        let scope = if k.scope == "department" {
            text.t("department")
        } else {
            p.scope_name.clone()
        };
        view.problems.push(ProblemView {
            kpi_id: k.id,
            metric: metric_name(text, &k.metric),
            scope,
            scope_key: k.scope.clone(),
            owner: p.owner.clone().unwrap_or_default(),
            status: text.t(&format!("status-{}", k.status.code())),
            value: Num::new(k.value, text.value(k.value, unit, cur)),
            target: Num::new(
                k.bands.map(|b| b.target),
                text.value(k.bands.map(|b| b.target), unit, cur),
            ),
            achievement: Num::new(
                k.achievement,
                text.value(k.achievement, Unit::Percent, None),
            ),
        });
    }
    let off = report
        .problems
        .iter()
        .filter(|p| p.kpi.status == Status::OffTrack)
        .count();
    let risk = report.problems.len() - off;
    if report.problems.is_empty() {
        if report.definition.has("problems") {
            view.problem_sentences.push(text.t("no-problems"));
        }
    } else {
        view.problem_sentences.push(text.f(
            "s-problems",
            vec![("off", Arg::N(off as i64)), ("risk", Arg::N(risk as i64))],
        ));
        if let Some(worst) = view.problems.first() {
            view.problem_sentences.push(text.f(
                "s-problem-worst",
                vec![
                    ("metric", Arg::S(worst.metric.clone())),
                    ("scope", Arg::S(worst.scope.clone())),
                    ("achievement", Arg::S(worst.achievement.text.clone())),
                ],
            ));
        }
    }
}

fn swot(text: &Text, report: &Report, view: &mut View) {
    if !report.definition.has("swot") {
        return;
    }
    for q in ["strength", "weakness", "opportunity", "threat"] {
        view.swot.push(SwotQuadrant {
            code: q.to_string(),
            title: text.t(&format!("quadrant-{q}")),
            items: report
                .swot
                .iter()
                .filter(|s| s.quadrant == q)
                .map(|s| (s.title.clone(), s.note.clone()))
                .collect(),
        });
    }
}

fn benchmarks(text: &Text, report: &Report, view: &mut View) {
    for b in &report.benchmarks {
        let unit = match b.kind {
            "share_of_voice" => Unit::Percent,
            "price" => Unit::Money,
            _ => Unit::Count,
        };
        let cur = b.currency.as_deref();
        let num = |v: Option<f64>| {
            let v = if unit == Unit::Count {
                v.map(f64::round)
            } else {
                v
            };
            Num::new(v, text.value(v, unit, cur))
        };
        let title = text.t(&format!("kind-{}", b.kind));
        let theirs: Vec<(String, Num, usize)> = b
            .theirs
            .iter()
            .map(|(c, v, n)| (c.clone(), num(Some(*v)), *n))
            .collect();
        let ours = num(b.ours);
        let sentence = match theirs.first() {
            Some((name, v, _)) if ours.value.is_some() => text.f(
                "s-competitor",
                vec![
                    ("kind", Arg::S(title.clone())),
                    ("ours", Arg::S(ours.text.clone())),
                    ("name", Arg::S(name.clone())),
                    ("theirs", Arg::S(v.text.clone())),
                ],
            ),
            Some((name, v, _)) => text.f(
                "s-competitor-none",
                vec![
                    ("kind", Arg::S(title.clone())),
                    ("name", Arg::S(name.clone())),
                    ("theirs", Arg::S(v.text.clone())),
                ],
            ),
            None => String::new(),
        };
        let mut bars: Vec<Bar> = Vec::new();
        if let Some(v) = ours.value {
            bars.push(Bar {
                label: text.t("us"),
                value: v,
                text: ours.text.clone(),
                tooltip: format!("{}: {}", text.t("us"), ours.text),
            });
        }
        bars.extend(theirs.iter().filter_map(|(c, v, _)| {
            Some(Bar {
                label: c.clone(),
                value: v.value?,
                text: v.text.clone(),
                tooltip: format!("{c}: {}", v.text),
            })
        }));
        view.benchmarks.push(BenchmarkView {
            kind: b.kind.to_string(),
            svg: charts::bars(&title, &bars),
            title,
            ours,
            theirs,
            sentence,
        });
    }
}

fn evaluation(text: &Text, report: &Report, view: &mut View) {
    let Some(e) = &report.evaluation else {
        return;
    };
    let pct = |v: Option<f64>| Num::new(v, text.value(v, Unit::Percent, None));
    let labels = ["0–20", "20–40", "40–60", "60–80", "80–100"];
    let bars: Vec<Bar> = labels
        .iter()
        .zip(e.bands)
        .map(|(l, n)| Bar {
            label: format!("{l}%"),
            value: n as f64,
            text: n.to_string(),
            tooltip: format!("{l}%: {n}"),
        })
        .collect();
    let sentence = if e.people.is_empty() {
        String::new()
    } else {
        text.f(
            "s-evaluation",
            vec![
                ("cycle", Arg::S(e.cycle_name.clone())),
                ("median", Arg::S(pct(e.median).text)),
                ("count", Arg::N(e.people.len() as i64)),
            ],
        )
    };
    view.evaluation = Some(EvaluationView {
        cycle: e.cycle_name.clone(),
        period: format!(
            "{} – {}",
            text.date(&e.period_from),
            text.date(&e.period_to)
        ),
        median: pct(e.median),
        mean: pct(e.mean),
        bands: e.bands,
        people: e
            .people
            .iter()
            .map(|(n, s)| (n.clone(), pct(Some(*s))))
            .collect(),
        sentence,
        svg: charts::bars(&text.t("eval-bands"), &bars),
    });
}

/// The summary: the largest moves with their significance, targets, what
/// drove revenue, channels, problems, anomalies — each with its numbers.
fn summary(text: &Text, report: &Report, view: &View) -> Vec<String> {
    let mut out = Vec::new();
    let mut moved: Vec<(usize, &MetricLine)> = view.metrics.iter().enumerate().collect();
    moved.sort_by(|a, b| {
        let size = |m: &MetricLine| m.compared_change.value.map_or(-1.0, f64::abs);
        size(b.1).total_cmp(&size(a.1)).then(a.0.cmp(&b.0))
    });
    for (i, m) in moved.into_iter().take(5) {
        let row = &report.metrics[i];
        let args = vec![
            ("metric", Arg::S(m.name.clone())),
            ("now", Arg::S(m.now.text.clone())),
            ("before", Arg::S(m.compared.text.clone())),
            ("compare", Arg::S(view.compare_label.clone())),
            ("change", Arg::S(m.compared_change.text.clone())),
        ];
        if m.now.value.is_none() {
            continue;
        }
        if view.compare == "target" {
            if let (Some(t), Some(n)) = (row.target, row.now.value) {
                let achievement = if t != 0.0 { Some(n / t) } else { None };
                out.push(text.f(
                    "s-target",
                    vec![
                        ("metric", Arg::S(m.name.clone())),
                        (
                            "achievement",
                            Arg::S(text.value(achievement, Unit::Percent, None)),
                        ),
                        ("target", Arg::S(m.target.text.clone())),
                    ],
                ));
            }
            continue;
        }
        let key = match m.compared_change.value {
            Some(c) if c.abs() < 1e-9 => "s-metric-flat",
            Some(_) => "s-metric-change",
            None => "s-metric-only",
        };
        out.push(text.f(key, args));
        if let Some(t) = row.test.filter(|_| view.compare == "previous") {
            let p = Arg::S(text.p(t.p_value));
            let name = Arg::S(m.name.clone());
            out.push(if t.significant(mkpi_services::report_data::SIGNIFICANCE) {
                text.f("s-significant", vec![("metric", name), ("p", p)])
            } else {
                text.f("s-not-significant", vec![("metric", name), ("p", p)])
            });
        }
    }
    // A rate's change is called real only when the test says so.
    if view.compare == "previous" {
        let said: Vec<String> = out.clone();
        for (m, row) in view.metrics.iter().zip(&report.metrics) {
            let Some(t) = row.test else { continue };
            if said.iter().any(|s| s.contains(&m.name)) || m.now.value.is_none() {
                continue;
            }
            let p = Arg::S(text.p(t.p_value));
            let name = Arg::S(m.name.clone());
            out.push(text.f(
                "s-metric-change",
                vec![
                    ("metric", Arg::S(m.name.clone())),
                    ("now", Arg::S(m.now.text.clone())),
                    ("before", Arg::S(m.compared.text.clone())),
                    ("compare", Arg::S(view.compare_label.clone())),
                    ("change", Arg::S(m.compared_change.text.clone())),
                ],
            ));
            out.push(if t.significant(mkpi_services::report_data::SIGNIFICANCE) {
                text.f("s-significant", vec![("metric", name), ("p", p)])
            } else {
                text.f("s-not-significant", vec![("metric", name), ("p", p)])
            });
        }
    }
    if let Some(d) = view.drivers.first() {
        out.push(d.sentence.clone());
    }
    out.extend(view.channel_sentences.iter().cloned());
    out.extend(view.problem_sentences.iter().cloned());
    if !view.anomaly_sentence.is_empty() {
        out.push(view.anomaly_sentence.clone());
    }
    out.retain(|s| !s.is_empty());
    out
}
