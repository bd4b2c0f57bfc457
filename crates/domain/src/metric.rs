//! The metric catalogue: each metric a named formula over base measures
//! (and other metrics), with a unit, a direction and a definition version.
//! Built-in metrics follow SPEC §3; an admin may add custom ones, which are
//! checked here (unknown names, cycles, units) before they are stored.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use crate::formula::{Expr, FormulaError};
use crate::measure::{Dimension, Measure, Measures};

/// How a metric's value reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Unit {
    /// A number of things.
    Count,
    /// An amount in the data's currency (major units: roubles, not kopecks).
    Money,
    /// A fraction stored 0..1, shown as a percentage.
    Percent,
    /// A multiple, shown as ×2.5 (ROAS).
    Multiple,
    /// Points on a −100…+100 scale (NPS).
    Score,
    /// An average rating on a 1–5 scale.
    Rating,
    Days,
    Hours,
}

impl Unit {
    pub const ALL: [Unit; 8] = [
        Unit::Count,
        Unit::Money,
        Unit::Percent,
        Unit::Multiple,
        Unit::Score,
        Unit::Rating,
        Unit::Days,
        Unit::Hours,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Unit::Count => "count",
            Unit::Money => "money",
            Unit::Percent => "percent",
            Unit::Multiple => "multiple",
            Unit::Score => "score",
            Unit::Rating => "rating",
            Unit::Days => "days",
            Unit::Hours => "hours",
        }
    }

    pub fn from_code(code: &str) -> Option<Unit> {
        Unit::ALL.into_iter().find(|u| u.code() == code)
    }

    /// Whether a formula of this dimension can be shown in this unit. A
    /// quantity "per thing" (money per click, days per launch) keeps the
    /// unit of the quantity.
    pub fn accepts(self, d: Dimension) -> bool {
        let per_thing = |base: Dimension| d == base || d == base.per(Dimension::COUNT);
        match self {
            Unit::Count => d == Dimension::COUNT || d == Dimension::NONE,
            Unit::Money => {
                per_thing(Dimension::MONEY) || d == Dimension::MONEY.per(Dimension::HOURS)
            }
            Unit::Percent | Unit::Multiple | Unit::Score | Unit::Rating => d == Dimension::NONE,
            Unit::Days => per_thing(Dimension::DAYS),
            Unit::Hours => per_thing(Dimension::HOURS),
        }
    }
}

impl fmt::Display for Unit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// Which way is better.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Direction {
    Higher,
    Lower,
}

impl Direction {
    pub fn code(self) -> &'static str {
        match self {
            Direction::Higher => "higher",
            Direction::Lower => "lower",
        }
    }

    pub fn from_code(code: &str) -> Option<Direction> {
        match code {
            "higher" => Some(Direction::Higher),
            "lower" => Some(Direction::Lower),
            _ => None,
        }
    }
}

/// A metric as the catalogue holds it.
#[derive(Debug, Clone, PartialEq)]
pub struct Metric {
    pub code: String,
    pub name_en: String,
    pub name_ru: String,
    pub category: String,
    pub formula: Expr,
    pub unit: Unit,
    pub direction: Direction,
    pub version: i64,
    pub description_en: String,
    pub description_ru: String,
    pub builtin: bool,
}

impl Metric {
    /// A metric that is one additive measure (spend, orders, new customers):
    /// its value over a period is the sum over the period's parts.
    pub fn additive(&self) -> bool {
        match &self.formula {
            Expr::Name(n) => Measure::from_code(n).is_some_and(Measure::additive_in_time),
            _ => false,
        }
    }
}

/// A metric's value for one scope and period: the value and, for a ratio,
/// the two sums it divides.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MetricValue {
    pub value: Option<f64>,
    pub numerator: Option<f64>,
    pub denominator: Option<f64>,
}

/// (code, English name, Russian name, category, formula, unit, direction,
/// English description, Russian description)
type Builtin = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    Unit,
    Direction,
    &'static str,
    &'static str,
);

use Direction::{Higher, Lower};
use Unit::{Count, Days, Hours, Money, Multiple, Percent, Rating, Score};

const BUILTINS: &[Builtin] = &[
    (
        "spend",
        "Ad spend",
        "Расход на рекламу",
        "ad effectiveness",
        "spend",
        Money,
        Lower,
        "Money spent on ads in the period, from the ad platforms' statistics.",
        "Расход на рекламу за период по статистике рекламных площадок.",
    ),
    (
        "impressions",
        "Impressions",
        "Показы",
        "ad effectiveness",
        "impressions",
        Count,
        Higher,
        "Times the ads were shown.",
        "Сколько раз были показаны объявления.",
    ),
    (
        "clicks",
        "Clicks",
        "Клики",
        "ad effectiveness",
        "clicks",
        Count,
        Higher,
        "Clicks on the ads.",
        "Клики по объявлениям.",
    ),
    (
        "conversions",
        "Conversions",
        "Конверсии",
        "ad effectiveness",
        "conversions",
        Count,
        Higher,
        "Conversions the ad platforms report (may be fractional).",
        "Конверсии по данным рекламных площадок (могут быть дробными).",
    ),
    (
        "conversion_value",
        "Conversion value",
        "Ценность конверсий",
        "ad effectiveness",
        "conversion_value",
        Money,
        Higher,
        "Revenue the ad platforms attribute to the ads.",
        "Доход, который площадки приписывают рекламе.",
    ),
    (
        "ctr",
        "CTR",
        "CTR",
        "ad effectiveness",
        "clicks / impressions",
        Percent,
        Higher,
        "Click-through rate: clicks / impressions, from the period's sums.",
        "Кликабельность: клики / показы, по суммам за период.",
    ),
    (
        "cpc",
        "CPC",
        "CPC (цена клика)",
        "ad effectiveness",
        "spend / clicks",
        Money,
        Lower,
        "Cost per click: spend / clicks.",
        "Цена клика: расход / клики.",
    ),
    (
        "cpm",
        "CPM",
        "CPM (цена 1000 показов)",
        "ad effectiveness",
        "1000 * spend / impressions",
        Money,
        Lower,
        "Cost per thousand impressions: 1000 × spend / impressions.",
        "Цена тысячи показов: 1000 × расход / показы.",
    ),
    (
        "cpa",
        "CPA",
        "CPA (цена конверсии)",
        "ad effectiveness",
        "spend / conversions",
        Money,
        Lower,
        "Cost per conversion: spend / conversions.",
        "Цена конверсии: расход / конверсии.",
    ),
    (
        "conversion_rate",
        "Conversion rate (clicks)",
        "Конверсия из клика",
        "conversion",
        "conversions / clicks",
        Percent,
        Higher,
        "Ad conversions per click. Can exceed 100% when a click leads to several conversions.",
        "Конверсии рекламы на клик. Может превышать 100%, если клик приносит несколько конверсий.",
    ),
    (
        "roas",
        "ROAS",
        "ROAS",
        "ad effectiveness",
        "conversion_value / spend",
        Multiple,
        Higher,
        "Return on ad spend: conversion value / spend.",
        "Окупаемость рекламы: ценность конверсий / расход.",
    ),
    (
        "roi",
        "ROI (revenue)",
        "ROI (по выручке)",
        "ad effectiveness",
        "(conversion_value - spend) / spend",
        Percent,
        Higher,
        "Revenue ROI: (conversion value − spend) / spend = ROAS − 1. Not margin ROMI: it ignores the cost of goods.",
        "ROI по выручке: (ценность конверсий − расход) / расход = ROAS − 1. Не маржинальный ROMI: себестоимость не учтена.",
    ),
    (
        "gross_margin_rate",
        "Gross margin",
        "Валовая маржа",
        "conversion",
        "(costed_revenue - order_cost) / costed_revenue",
        Percent,
        Higher,
        "Gross margin of the paid orders that carry a cost of goods: (their revenue − their cost) / their revenue.",
        "Валовая маржа оплаченных заказов с известной себестоимостью: (выручка − себестоимость) / выручка.",
    ),
    (
        "romi",
        "ROMI (margin)",
        "ROMI (по марже)",
        "ad effectiveness",
        "(conversion_value * (costed_revenue - order_cost) / costed_revenue - spend) / spend",
        Percent,
        Higher,
        "Margin ROMI: (ad-attributed revenue × gross margin − ad spend) / ad spend, the margin taken from the orders that carry a cost of goods. 0 means the ads paid for themselves in margin, not just in revenue.",
        "ROMI по марже: (выручка от рекламы × валовая маржа − расход) / расход; маржа — по заказам с известной себестоимостью. 0 — реклама окупилась маржой, а не только выручкой.",
    ),
    (
        "drr",
        "ДРР (ad cost share)",
        "ДРР",
        "ad effectiveness",
        "spend / conversion_value",
        Percent,
        Lower,
        "Share of ad cost in revenue: spend / conversion value (= 1 / ROAS).",
        "Доля рекламных расходов: расход / ценность конверсий (= 1 / ROAS).",
    ),
    (
        "budget_utilisation",
        "Budget utilisation",
        "Освоение бюджета",
        "operations",
        "budgeted_spend / budget",
        Percent,
        Higher,
        "Spend of the campaigns with a budget / their budgets pro-rated to the days of the period.",
        "Расход кампаний с бюджетом / их бюджеты, пропорционально дням периода.",
    ),
    (
        "orders",
        "Orders",
        "Заказы",
        "conversion",
        "orders",
        Count,
        Higher,
        "Paid orders dated in the period (cancelled, refunded, open and lost excluded).",
        "Оплаченные заказы за период (без отменённых, возвращённых, открытых и проигранных).",
    ),
    (
        "order_revenue",
        "Order revenue",
        "Выручка по заказам",
        "conversion",
        "order_revenue",
        Money,
        Higher,
        "Amount of the paid orders.",
        "Сумма оплаченных заказов.",
    ),
    (
        "aov",
        "Average order value",
        "Средний чек",
        "conversion",
        "order_revenue / orders",
        Money,
        Higher,
        "Order revenue / orders; every paid order counts, zero amounts too.",
        "Выручка / заказы; учитывается каждый оплаченный заказ, включая нулевые.",
    ),
    (
        "active_customers",
        "Active customers",
        "Активные клиенты",
        "retention",
        "active_customers",
        Count,
        Higher,
        "Distinct customers with a paid order in the period.",
        "Клиенты, сделавшие оплаченный заказ за период.",
    ),
    (
        "purchase_frequency",
        "Purchase frequency",
        "Частота покупок",
        "retention",
        "orders / active_customers",
        Multiple,
        Higher,
        "Orders per active customer.",
        "Заказов на активного клиента.",
    ),
    (
        "sales_per_customer",
        "Sales per customer",
        "Выручка на клиента",
        "conversion",
        "order_revenue / active_customers",
        Money,
        Higher,
        "Order revenue per active customer (= AOV × purchase frequency).",
        "Выручка на активного клиента (= средний чек × частота покупок).",
    ),
    (
        "new_customers",
        "New customers",
        "Новые клиенты",
        "acquisition",
        "new_customers",
        Count,
        Higher,
        "Customers whose first paid order ever falls in the period.",
        "Клиенты, чей первый оплаченный заказ пришёлся на период.",
    ),
    (
        "cac",
        "CAC (paid)",
        "CAC (стоимость привлечения)",
        "acquisition",
        "spend / new_customers",
        Money,
        Lower,
        "Paid customer acquisition cost: all ad spend in the period / new customers.",
        "Стоимость привлечения клиента: весь рекламный расход за период / новые клиенты.",
    ),
    (
        "marketing_costs",
        "Other marketing costs",
        "Прочие маркетинговые затраты",
        "acquisition",
        "marketing_costs",
        Money,
        Lower,
        "Marketing costs besides ad spend (salaries, agencies, tools, content, events) booked in the period.",
        "Маркетинговые затраты помимо рекламы (зарплаты, агентства, сервисы, контент, мероприятия) за период.",
    ),
    (
        "cac_blended",
        "CAC (blended)",
        "CAC (полная стоимость привлечения)",
        "acquisition",
        "(spend + marketing_costs) / new_customers",
        Money,
        Lower,
        "Blended customer acquisition cost: ad spend plus the other marketing costs (salaries, agencies, tools, content, events) in the period / new customers.",
        "Полная стоимость привлечения клиента: рекламный расход плюс прочие маркетинговые затраты (зарплаты, агентства, сервисы, контент, мероприятия) за период / новые клиенты.",
    ),
    (
        "repeat_purchase_rate",
        "Repeat purchase rate",
        "Доля повторных покупок",
        "retention",
        "repeat_customers / active_customers",
        Percent,
        Higher,
        "Active customers with at least two paid orders up to the period's end / active customers.",
        "Активные клиенты, у которых к концу периода не меньше двух заказов / активные клиенты.",
    ),
    (
        "churn_rate",
        "Churn rate",
        "Отток клиентов",
        "retention",
        "churned_customers / churn_base",
        Percent,
        Lower,
        "Customers who ordered in the 90 days before the period but not in it / those who ordered in the 90 days.",
        "Клиенты, заказывавшие за 90 дней до периода, но не в нём / заказывавшие за эти 90 дней.",
    ),
    (
        "retention_rate",
        "Retention rate",
        "Удержание клиентов",
        "retention",
        "(churn_base - churned_customers) / churn_base",
        Percent,
        Higher,
        "Customers of the churn base who ordered again in the period / the churn base (= 1 − churn).",
        "Клиенты базы оттока, заказавшие снова в периоде / база оттока (= 1 − отток).",
    ),
    (
        "sessions",
        "Sessions",
        "Визиты",
        "acquisition",
        "sessions",
        Count,
        Higher,
        "Web sessions (traffic), from web analytics.",
        "Визиты на сайт по данным веб-аналитики.",
    ),
    (
        "new_users",
        "New visitors",
        "Новые посетители",
        "acquisition",
        "new_users",
        Count,
        Higher,
        "New users of the site.",
        "Новые посетители сайта.",
    ),
    (
        "web_conversions",
        "Site conversions",
        "Конверсии на сайте",
        "conversion",
        "web_conversions",
        Count,
        Higher,
        "Goal completions on the site.",
        "Достижения целей на сайте.",
    ),
    (
        "web_conversion_rate",
        "Site conversion rate",
        "Конверсия сайта",
        "conversion",
        "web_conversions / sessions",
        Percent,
        Higher,
        "Goal completions per session.",
        "Достижения целей на визит.",
    ),
    (
        "visitor_to_buyer_rate",
        "Visitor-to-buyer rate",
        "Конверсия визита в заказ",
        "conversion",
        "orders / sessions",
        Percent,
        Higher,
        "Paid orders per web session.",
        "Оплаченные заказы на визит.",
    ),
    (
        "csat",
        "CSAT",
        "CSAT (удовлетворённость)",
        "retention",
        "csat_satisfied / csat_responses",
        Percent,
        Higher,
        "Share of CSAT answers of 4 or 5 on a 1–5 scale.",
        "Доля оценок 4 и 5 по шкале 1–5.",
    ),
    (
        "nps",
        "NPS",
        "NPS",
        "retention",
        "100 * (nps_promoters - nps_detractors) / nps_responses",
        Score,
        Higher,
        "% promoters (9–10) − % detractors (0–6); passives count in the base. A score from −100 to 100.",
        "% промоутеров (9–10) − % критиков (0–6); нейтральные входят в базу. Шкала от −100 до 100.",
    ),
    (
        "brand_awareness_aided",
        "Aided brand awareness",
        "Знание бренда (с подсказкой)",
        "brand",
        "aided_aware / aided_responses",
        Percent,
        Higher,
        "Respondents who recognise the brand when prompted / respondents asked.",
        "Узнавшие бренд по подсказке / опрошенные.",
    ),
    (
        "brand_awareness_unaided",
        "Unaided brand awareness",
        "Знание бренда (спонтанное)",
        "brand",
        "unaided_aware / unaided_responses",
        Percent,
        Higher,
        "Respondents who name the brand unprompted / respondents asked.",
        "Назвавшие бренд без подсказки / опрошенные.",
    ),
    (
        "share_of_voice",
        "Share of voice",
        "Доля голоса",
        "brand",
        "own_mentions / all_mentions",
        Percent,
        Higher,
        "Our mentions / mentions of us and the competitors we track.",
        "Наши упоминания / упоминания нас и отслеживаемых конкурентов.",
    ),
    (
        "engagement_rate",
        "Social engagement rate",
        "Вовлечённость в соцсетях",
        "brand",
        "engagements / reach",
        Percent,
        Higher,
        "(likes + comments + shares + saves) / reach, over our accounts.",
        "(лайки + комментарии + репосты + сохранения) / охват, по нашим аккаунтам.",
    ),
    (
        "leads",
        "Leads",
        "Лиды",
        "acquisition",
        "leads",
        Count,
        Higher,
        "Leads entering the lead stage in the period.",
        "Лиды, вошедшие в стадию «лид» за период.",
    ),
    (
        "mql_count",
        "MQLs",
        "MQL",
        "acquisition",
        "mqls",
        Count,
        Higher,
        "Leads entering the MQL stage in the period.",
        "Лиды, ставшие MQL за период.",
    ),
    (
        "sql_count",
        "SQLs",
        "SQL",
        "acquisition",
        "sqls",
        Count,
        Higher,
        "Leads entering the SQL stage in the period.",
        "Лиды, ставшие SQL за период.",
    ),
    (
        "lead_to_customer_rate",
        "Lead-to-customer rate",
        "Конверсия лида в клиента",
        "acquisition",
        "lead_customers / leads",
        Percent,
        Higher,
        "Leads created in the period that have become customers since / leads created in the period.",
        "Лиды периода, ставшие клиентами / лиды периода.",
    ),
    (
        "tasks_done",
        "Tasks done",
        "Выполнено задач",
        "operations",
        "tasks_done",
        Count,
        Higher,
        "Tasks completed in the period.",
        "Задачи, завершённые за период.",
    ),
    (
        "on_time_rate",
        "On-time rate",
        "Доля задач в срок",
        "operations",
        "tasks_on_time / tasks_done_with_due",
        Percent,
        Higher,
        "Tasks completed on or before their due date / completed tasks that had one.",
        "Задачи, завершённые не позже срока / завершённые задачи со сроком.",
    ),
    (
        "avg_quality",
        "Average quality",
        "Среднее качество",
        "staff",
        "quality_sum / quality_count",
        Rating,
        Higher,
        "Average of the managers' quality ratings (1–5) of the tasks completed in the period.",
        "Средняя оценка качества (1–5) задач, завершённых за период.",
    ),
    (
        "tasks_overdue",
        "Overdue tasks",
        "Просроченные задачи",
        "operations",
        "tasks_overdue",
        Count,
        Lower,
        "Tasks due in the period (up to today) that were not done by their due date: still open, or done late.",
        "Задачи со сроком в периоде (по сегодняшний день), не выполненные к сроку: открытые или сданные с опозданием.",
    ),
    (
        "estimate_accuracy",
        "Actual vs estimate",
        "Факт к оценке",
        "operations",
        "spent_hours / estimate_hours",
        Multiple,
        Lower,
        "Hours spent / hours estimated, over completed tasks (above 1 means over the estimate).",
        "Потраченные часы / оценка, по завершённым задачам (больше 1 — дольше оценки).",
    ),
    (
        "launch_lead_time_days",
        "Campaign launch lead time",
        "Срок запуска кампании",
        "operations",
        "launch_days / launches",
        Days,
        Lower,
        "Average days from the creation of a campaign task to its completion.",
        "Среднее число дней от создания задачи на кампанию до её завершения.",
    ),
    (
        "hours_logged",
        "Hours logged",
        "Учтённые часы",
        "operations",
        "hours_logged",
        Hours,
        Higher,
        "Hours in time entries dated in the period.",
        "Часы в записях учёта времени за период.",
    ),
];

/// A custom metric as an admin writes it, before it is checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MetricDraft {
    pub code: String,
    pub name_en: String,
    pub name_ru: String,
    pub formula: String,
    pub unit: String,
    pub direction: String,
    pub description: String,
}

/// What is wrong with a draft, field by field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct DraftProblem {
    pub field: &'static str,
    pub message: String,
}

/// The built-in metrics and the department's custom ones.
#[derive(Debug, Clone)]
pub struct Catalogue {
    metrics: BTreeMap<String, Metric>,
}

impl Default for Catalogue {
    fn default() -> Self {
        Catalogue::builtin()
    }
}

impl Catalogue {
    pub fn builtin() -> Catalogue {
        let metrics = BUILTINS
            .iter()
            .map(
                |&(code, en, ru, category, formula, unit, direction, den, dru)| {
                    let metric = Metric {
                        code: code.to_string(),
                        name_en: en.to_string(),
                        name_ru: ru.to_string(),
                        category: category.to_string(),
                        // A built-in formula that does not parse is a bug caught
                        // by the catalogue's own test.
                        formula: Expr::parse(formula).unwrap_or(Expr::Number(f64::NAN)),
                        unit,
                        direction,
                        version: 1,
                        description_en: den.to_string(),
                        description_ru: dru.to_string(),
                        builtin: true,
                    };
                    (code.to_string(), metric)
                },
            )
            .collect();
        Catalogue { metrics }
    }

    /// The built-ins plus stored custom metrics (already checked when saved;
    /// one that no longer checks is left out rather than trusted).
    pub fn with_custom(custom: impl IntoIterator<Item = Metric>) -> Catalogue {
        let mut catalogue = Catalogue::builtin();
        for metric in custom {
            if catalogue.metrics.contains_key(&metric.code) {
                continue;
            }
            let code = metric.code.clone();
            catalogue.metrics.insert(code.clone(), metric);
            if catalogue.check_formula(&code).is_err() {
                catalogue.metrics.remove(&code);
            }
        }
        catalogue
    }

    pub fn get(&self, code: &str) -> Option<&Metric> {
        self.metrics.get(code)
    }

    pub fn all(&self) -> impl Iterator<Item = &Metric> {
        self.metrics.values()
    }

    /// Checks a custom metric and returns it ready to store (version 1, or
    /// one more than the metric it replaces).
    pub fn check_draft(&self, draft: &MetricDraft) -> Result<Metric, Vec<DraftProblem>> {
        let mut problems = Vec::new();
        let mut problem = |field: &'static str, message: String| {
            problems.push(DraftProblem { field, message });
        };
        let code = draft.code.trim().to_ascii_lowercase();
        let valid_code = !code.is_empty()
            && code.len() <= 40
            && code.starts_with(|c: char| c.is_ascii_lowercase())
            && code
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if !valid_code {
            problem(
                "code",
                "use 1 to 40 lower-case latin letters, digits and '_', starting with a letter (e.g. cost_per_lead)".into(),
            );
        } else if Measure::from_code(&code).is_some()
            || self.metrics.get(&code).is_some_and(|m| m.builtin)
        {
            problem(
                "code",
                format!("'{code}' is a built-in measure or metric; choose another code"),
            );
        }
        if draft.name_en.trim().is_empty() && draft.name_ru.trim().is_empty() {
            problem("name_en", "give the metric a name".into());
        }
        let unit = Unit::from_code(draft.unit.trim());
        if unit.is_none() {
            let units: Vec<&str> = Unit::ALL.iter().map(|u| u.code()).collect();
            problem("unit", format!("choose one of: {}", units.join(", ")));
        }
        let direction = Direction::from_code(draft.direction.trim());
        if direction.is_none() {
            problem(
                "direction",
                "choose higher or lower (which is better)".into(),
            );
        }
        let formula = match Expr::parse(&draft.formula) {
            Ok(f) => Some(f),
            Err(e) => {
                problem("formula", e.to_string());
                None
            }
        };
        let (Some(formula), Some(unit), Some(direction), true) =
            (formula, unit, direction, problems.is_empty())
        else {
            return Err(problems);
        };
        let previous = self.metrics.get(&code);
        let metric = Metric {
            code: code.clone(),
            name_en: draft.name_en.trim().to_string(),
            name_ru: draft.name_ru.trim().to_string(),
            category: "custom".to_string(),
            formula,
            unit,
            direction,
            version: previous.map_or(1, |m| m.version + 1),
            description_en: draft.description.trim().to_string(),
            description_ru: draft.description.trim().to_string(),
            builtin: false,
        };
        let mut trial = self.clone();
        trial.metrics.insert(code.clone(), metric.clone());
        if let Err(e) = trial.check_formula(&code) {
            return Err(vec![DraftProblem {
                field: "formula",
                message: e.to_string(),
            }]);
        }
        // Metrics that use this one must still check with its new formula.
        for other in self
            .metrics
            .values()
            .filter(|m| m.code != code && !m.builtin)
        {
            if let Err(e) = trial.check_formula(&other.code) {
                return Err(vec![DraftProblem {
                    field: "formula",
                    message: format!("metric '{}' uses this one and would break: {e}", other.code),
                }]);
            }
        }
        Ok(metric)
    }

    /// Names resolve, nothing refers to itself, the dimension fits the unit.
    fn check_formula(&self, code: &str) -> Result<(), FormulaError> {
        let metric = self
            .metrics
            .get(code)
            .ok_or_else(|| FormulaError::UnknownName {
                name: code.to_string(),
                suggestion: None,
            })?;
        let dim = self.dimension_of(code, &mut Vec::new())?;
        if !metric.unit.accepts(dim) {
            return Err(FormulaError::WrongUnit {
                found: dim.to_string(),
                unit: metric.unit.code(),
            });
        }
        Ok(())
    }

    fn dimension_of(&self, name: &str, path: &mut Vec<String>) -> Result<Dimension, FormulaError> {
        if let Some(m) = Measure::from_code(name) {
            return Ok(m.dimension());
        }
        let Some(metric) = self.metrics.get(name) else {
            let known = Measure::ALL
                .iter()
                .map(|m| m.code())
                .chain(self.metrics.keys().map(String::as_str));
            return Err(FormulaError::UnknownName {
                name: name.to_string(),
                suggestion: crate::formula::suggest(name, known),
            });
        };
        if path.iter().any(|p| p == name) {
            path.push(name.to_string());
            return Err(FormulaError::Cycle(path[0].clone(), path.join(" → ")));
        }
        path.push(name.to_string());
        // Each name's dimension, resolved first so errors surface.
        let mut dims = BTreeMap::new();
        for n in metric.formula.names() {
            if !dims.contains_key(n) {
                dims.insert(n.to_string(), self.dimension_of(n, path)?);
            }
        }
        path.pop();
        metric
            .formula
            .dimension(&|n| dims.get(n).copied().unwrap_or_default())
    }

    /// The base measures a metric needs, through the metrics it uses.
    pub fn measures_of(&self, code: &str) -> BTreeSet<Measure> {
        let mut out = BTreeSet::new();
        self.collect_measures(code, &mut out, 0);
        out
    }

    fn collect_measures(&self, name: &str, out: &mut BTreeSet<Measure>, depth: usize) {
        if let Some(m) = Measure::from_code(name) {
            out.insert(m);
        } else if let Some(metric) = self.metrics.get(name).filter(|_| depth < 32) {
            for n in metric.formula.names() {
                self.collect_measures(n, out, depth + 1);
            }
        }
    }

    /// The metric's value on these measures. Money metrics over more than
    /// one currency have no value (the caller says why).
    pub fn evaluate(&self, code: &str, measures: &Measures) -> MetricValue {
        let none = MetricValue {
            value: None,
            numerator: None,
            denominator: None,
        };
        let Some(metric) = self.metrics.get(code) else {
            return none;
        };
        let value_of = |n: &str| self.value_of(n, measures, 0);
        match metric.formula.fraction() {
            Some((num, den)) => {
                let numerator = num.eval(&value_of);
                let denominator = den.eval(&value_of);
                MetricValue {
                    value: metric.formula.eval(&value_of),
                    numerator,
                    denominator,
                }
            }
            None => MetricValue {
                value: metric.formula.eval(&value_of),
                numerator: None,
                denominator: None,
            },
        }
    }

    fn value_of(&self, name: &str, measures: &Measures, depth: usize) -> Option<f64> {
        if let Some(m) = Measure::from_code(name) {
            return measures.get(m);
        }
        let metric = self.metrics.get(name).filter(|_| depth < 32)?;
        metric
            .formula
            .eval(&|n| self.value_of(n, measures, depth + 1))
    }
}

/// How far a value is toward a target, direction-aware: for a lower-is-better
/// metric, beating the target means a lower value. 1.0 = on target. Capped
/// at `cap` (e.g. 1.5 = 150%); `None` when the target or value is missing or
/// the ratio is undefined.
pub fn achievement(
    value: Option<f64>,
    target: Option<f64>,
    direction: Direction,
    cap: f64,
) -> Option<f64> {
    let (v, t) = (value?, target?);
    let raw = match direction {
        Direction::Higher if t == 0.0 => return None,
        Direction::Higher => v / t,
        Direction::Lower if v == 0.0 => return Some(cap),
        Direction::Lower => t / v,
    };
    if !raw.is_finite() {
        return None;
    }
    Some(raw.clamp(0.0, cap))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn measures(pairs: &[(Measure, f64)]) -> Measures {
        let mut m = Measures::default();
        for (k, v) in pairs {
            m.set(*k, *v);
        }
        m
    }

    #[test]
    fn every_builtin_parses_checks_and_has_both_names() {
        let c = Catalogue::builtin();
        assert_eq!(c.all().count(), BUILTINS.len());
        for m in c.all() {
            assert!(Expr::parse(&m.formula.to_string()).is_ok(), "{}", m.code);
            c.check_formula(&m.code)
                .unwrap_or_else(|e| panic!("{}: {e}", m.code));
            assert!(!m.name_en.is_empty() && !m.name_ru.is_empty());
            assert!(!m.description_en.is_empty() && !m.description_ru.is_empty());
        }
        // The API's stable codes (issue 4) are all there.
        for code in [
            "spend",
            "impressions",
            "clicks",
            "conversions",
            "conversion_value",
            "ctr",
            "cpc",
            "cpm",
            "cpa",
            "conversion_rate",
            "roas",
            "roi",
            "drr",
            "orders",
            "order_revenue",
            "active_customers",
            "aov",
            "purchase_frequency",
            "new_customers",
            "cac",
            "repeat_purchase_rate",
            "churn_rate",
            "retention_rate",
            "sessions",
            "new_users",
            "web_conversions",
            "web_conversion_rate",
            "csat",
            "nps",
            "brand_awareness_aided",
            "brand_awareness_unaided",
            "share_of_voice",
            "engagement_rate",
            "budget_utilisation",
            "tasks_done",
            "on_time_rate",
            "avg_quality",
            "launch_lead_time_days",
        ] {
            assert!(c.get(code).is_some(), "{code} missing");
        }
    }

    #[test]
    fn hand_computed_values_of_every_kind() {
        let c = Catalogue::builtin();
        let m = measures(&[
            (Measure::Spend, 1200.0),
            (Measure::Impressions, 40_000.0),
            (Measure::Clicks, 800.0),
            (Measure::Conversions, 32.0),
            (Measure::ConversionValue, 4800.0),
            (Measure::Orders, 10.0),
            (Measure::OrderRevenue, 2500.0),
            (Measure::ActiveCustomers, 8.0),
            (Measure::NewCustomers, 0.0),
            (Measure::ChurnBase, 20.0),
            (Measure::ChurnedCustomers, 5.0),
            (Measure::NpsResponses, 10.0),
            (Measure::NpsPromoters, 5.0),
            (Measure::NpsDetractors, 2.0),
        ]);
        let v = |code: &str| c.evaluate(code, &m).value;
        assert_eq!(v("ctr"), Some(0.02));
        assert_eq!(v("cpc"), Some(1.5));
        assert_eq!(v("cpm"), Some(30.0));
        assert_eq!(v("cpa"), Some(37.5));
        assert_eq!(v("conversion_rate"), Some(0.04));
        assert_eq!(v("roas"), Some(4.0));
        assert_eq!(v("roi"), Some(3.0));
        assert_eq!(v("drr"), Some(0.25));
        assert_eq!(v("aov"), Some(250.0));
        assert_eq!(v("purchase_frequency"), Some(1.25));
        assert_eq!(v("churn_rate"), Some(0.25));
        assert_eq!(v("retention_rate"), Some(0.75));
        assert_eq!(v("nps"), Some(30.0));
        // Zero or missing denominators: no value, never 0 or infinity.
        assert_eq!(v("cac"), None);
        assert_eq!(v("csat"), None);
        assert_eq!(v("web_conversion_rate"), None);
        let roi = c.evaluate("roi", &m);
        assert_eq!(
            (roi.numerator, roi.denominator),
            (Some(3600.0), Some(1200.0))
        );
        let spend = c.evaluate("spend", &m);
        assert_eq!((spend.value, spend.denominator), (Some(1200.0), None));
    }

    #[test]
    fn achievement_is_direction_aware_and_capped() {
        assert_eq!(achievement(Some(90.0), Some(100.0), Higher, 1.5), Some(0.9));
        assert_eq!(
            achievement(Some(300.0), Some(100.0), Higher, 1.5),
            Some(1.5)
        );
        // CAC target 1,500: 2,000 is 75% achieved, 1,000 beats it (150%).
        assert_eq!(
            achievement(Some(2000.0), Some(1500.0), Lower, 1.5),
            Some(0.75)
        );
        assert_eq!(
            achievement(Some(1000.0), Some(1500.0), Lower, 1.5),
            Some(1.5)
        );
        assert_eq!(achievement(Some(0.0), Some(1500.0), Lower, 1.2), Some(1.2));
        assert_eq!(achievement(None, Some(1.0), Higher, 1.5), None);
        assert_eq!(achievement(Some(1.0), Some(0.0), Higher, 1.5), None);
        assert_eq!(achievement(Some(-5.0), Some(10.0), Higher, 1.5), Some(0.0));
    }

    fn draft(code: &str, formula: &str, unit: &str) -> MetricDraft {
        MetricDraft {
            code: code.into(),
            name_en: "A metric".into(),
            name_ru: String::new(),
            formula: formula.into(),
            unit: unit.into(),
            direction: "lower".into(),
            description: String::new(),
        }
    }

    #[test]
    fn custom_metrics_are_checked_before_they_are_stored() {
        let c = Catalogue::builtin();
        let cpl = c
            .check_draft(&draft("cost_per_mql", "spend / mqls", "money"))
            .unwrap();
        assert_eq!(cpl.version, 1);
        let c = Catalogue::with_custom([cpl.clone()]);
        let m = measures(&[(Measure::Spend, 900.0), (Measure::Mqls, 3.0)]);
        assert_eq!(c.evaluate("cost_per_mql", &m).value, Some(300.0));
        // Built on another metric.
        let twice = c
            .check_draft(&draft("double_cpm", "2 * cost_per_mql", "money"))
            .unwrap();
        let c = Catalogue::with_custom([cpl, twice]);
        assert_eq!(c.evaluate("double_cpm", &m).value, Some(600.0));

        let message = |d: MetricDraft| {
            c.check_draft(&d)
                .unwrap_err()
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("; ")
        };
        assert_eq!(
            message(draft("x", "spend / clics", "money")),
            "formula: 'clics' is not a measure or metric (did you mean 'clicks'?)"
        );
        assert_eq!(
            message(draft("x", "spend + clicks", "money")),
            "formula: cannot add spend (money) and clicks (count): they measure different things"
        );
        assert_eq!(
            message(draft("x", "clicks / impressions", "money")),
            "formula: the formula gives a pure number, which cannot be shown as money"
        );
        assert_eq!(
            message(draft("cost_per_mql", "double_cpm / 2", "money")),
            "formula: 'cost_per_mql' refers to itself through cost_per_mql → double_cpm → cost_per_mql"
        );
        assert_eq!(
            message(draft("ctr", "clicks / impressions", "percent")),
            "code: 'ctr' is a built-in measure or metric; choose another code"
        );
        assert_eq!(
            message(draft("Bad Code", "clicks", "count")),
            "code: use 1 to 40 lower-case latin letters, digits and '_', starting with a letter (e.g. cost_per_lead)"
        );
        assert_eq!(
            message(draft("x", "clicks", "apples")),
            "unit: choose one of: count, money, percent, multiple, score, rating, days, hours"
        );
        // Changing a metric others use must keep them valid.
        assert_eq!(
            message(draft("cost_per_mql", "mqls", "count")),
            "formula: metric 'double_cpm' uses this one and would break: the formula gives count, which cannot be shown as money"
        );
        let again = c
            .check_draft(&draft("cost_per_mql", "spend / sqls", "money"))
            .unwrap();
        assert_eq!(again.version, 2);
    }
}
