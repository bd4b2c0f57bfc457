//! The demo department's other facts, two years of them, consistent with
//! its ad statistics: orders are the campaigns' conversions (amounts adding
//! up to their conversion value) plus organic ones from returning and new
//! customers; web traffic follows the paid clicks; a lead funnel, monthly
//! CSAT/NPS and quarterly brand-awareness surveys, our and two competitors'
//! social accounts, people's time on campaigns and tasks. All of it is
//! written as canonical CSV and imported like any file.

use std::fmt::Write;

use crate::demo::DemoRng;

/// One campaign's results on one day, from the ad statistics generator.
pub(crate) struct CampaignDay {
    pub date: time::Date,
    pub campaign: &'static str,
    pub channel: &'static str,
    /// Index of the owner among the department's people.
    pub owner: usize,
    pub clicks: u64,
    pub conversions: u64,
    /// Conversion value in kopecks.
    pub value_minor: i64,
}

fn noise(rng: &mut DemoRng, spread: f64) -> f64 {
    1.0 + spread * ((rng.next_u64() % 2001) as f64 / 1000.0 - 1.0)
}

fn money(minor: i64) -> String {
    format!("{}.{:02}", minor / 100, minor % 100)
}

/// Splits `total` into `n` positive parts of varying size.
fn split(rng: &mut DemoRng, total: i64, n: u64) -> Vec<i64> {
    if n == 0 {
        return Vec::new();
    }
    let weights: Vec<f64> = (0..n).map(|_| noise(rng, 0.6)).collect();
    let sum: f64 = weights.iter().sum();
    let mut parts: Vec<i64> = weights
        .iter()
        .map(|w| ((total as f64) * w / sum).floor() as i64)
        .collect();
    let rest = total - parts.iter().sum::<i64>();
    if let Some(first) = parts.first_mut() {
        *first += rest;
    }
    parts
}

const TASK_KINDS: [&str; 8] = [
    "strategy",
    "research",
    "campaign",
    "brand",
    "event",
    "online_presence",
    "analysis",
    "other",
];

const TASK_TITLES: [&str; 12] = [
    "Подготовить медиаплан",
    "Обновить семантическое ядро",
    "Запустить A/B-тест креативов",
    "Собрать отчёт по каналам",
    "Подготовить бриф для дизайнера",
    "Провести опрос клиентов",
    "Согласовать бюджет с финансами",
    "Настроить цели в Метрике",
    "Подготовить пост-релиз",
    "Проверить посадочные страницы",
    "Обновить контент-план",
    "Разобрать конкурентов",
];

/// The canonical CSV of each fact, in the order they must be imported.
pub(crate) fn demo_facts(
    seed: u64,
    days: &[CampaignDay],
    start: time::Date,
    total_days: i64,
    emails: &[String],
) -> Vec<(&'static str, String)> {
    let mut rng = DemoRng::new(seed ^ 0x0FAC_7500);
    let mut orders =
        String::from("order_id,customer_id,date,amount,currency,status,campaign,channel,cost\n");
    let mut order_no = 0u64;
    let mut customers = 0u64;
    let new_or_returning = |rng: &mut DemoRng, customers: &mut u64| {
        if *customers == 0 || rng.below(100) < 62 {
            *customers += 1;
            *customers
        } else {
            1 + (rng.next_u64() % *customers)
        }
    };
    for d in days {
        for amount in split(&mut rng, d.value_minor, d.conversions) {
            order_no += 1;
            let customer = new_or_returning(&mut rng, &mut customers);
            let status = match rng.below(100) {
                0..=2 => "refunded",
                3..=5 => "cancelled",
                _ => "paid",
            };
            // Goods cost 55–65% of the price.
            let cost = (amount.max(100) as f64 * (0.55 + rng.below(11) as f64 / 100.0)) as i64;
            let _ = writeln!(
                orders,
                "O-{order_no:06},C-{customer:05},{},{},RUB,{status},{},{},{}",
                d.date,
                money(amount.max(100)),
                d.campaign,
                d.channel.replace(' ', "_"),
                money(cost)
            );
        }
    }

    let mut traffic =
        String::from("date,channel,source,medium,sessions,users,new_users,conversions\n");
    let mut leads = String::from("lead_id,stage,at,customer_id,channel\n");
    let mut lead_no = 0u64;
    let mut surveys = String::from("response_id,date,segment,csat,nps,aware_aided,aware_unaided\n");
    let mut response_no = 0u64;
    let mut social = String::from(
        "date,network,account,competitor,followers,reach,impressions,likes,comments,shares,saves,mentions\n",
    );
    let mut followers = [18_000.0f64, 9_500.0, 42_000.0, 15_000.0];
    let accounts = [
        ("vk", "demo_shop", ""),
        ("telegram", "demo_shop_news", ""),
        ("vk", "rival_one", "Конкурент Один"),
        ("vk", "rival_two", "Конкурент Два"),
    ];
    let mut time_entries =
        String::from("employee,date,start,hours,campaign,task,project,description\n");
    let mut tasks = String::from(
        "task,title,kind,status,assignee,priority,created,start,due,completed,estimate_hours,spent_hours,campaign,project\n",
    );
    let mut task_no = 0u64;
    let last_day = start + time::Duration::days(total_days - 1);
    let mut costs = String::from("date,category,amount,currency,channel,campaign,description\n");

    for day in 0..total_days {
        let date = start + time::Duration::days(day);
        let weekday = date.weekday().number_days_from_monday();
        let workday = weekday < 5;
        let growth = 1.0 + 0.1 * (day as f64) / 365.0;
        let today: Vec<&CampaignDay> = days.iter().filter(|d| d.date == date).collect();
        let paid: u64 = today.iter().map(|d| d.clicks).sum();

        // Marketing costs besides ads, booked on each month's first day:
        // payroll, tools, the social agency's retainer, content; a
        // conference each quarter.
        if date.day() == 1 {
            let month = date.month() as u8;
            let lines = [
                (
                    "salaries",
                    125_000_000.0 * growth,
                    "",
                    "ФОТ отдела маркетинга",
                ),
                ("tools", 4_800_000.0, "", "Сервисы аналитики и дизайна"),
                (
                    "agency",
                    15_000_000.0,
                    "paid_social",
                    "Ретейнер SMM-агентства",
                ),
                (
                    "content",
                    6_000_000.0 * noise(&mut rng, 0.5),
                    "",
                    "Продакшн контента",
                ),
            ];
            for (category, minor, channel, what) in lines {
                let _ = writeln!(
                    costs,
                    "{date},{category},{},RUB,{channel},,{what}",
                    money(minor as i64)
                );
            }
            if month % 3 == 1 {
                let _ = writeln!(
                    costs,
                    "{date},events,{},RUB,,,Стенд на отраслевой конференции",
                    money((22_000_000.0 * noise(&mut rng, 0.3)) as i64)
                );
            }
        }

        // Web traffic: paid sessions follow the clicks, the rest grows.
        let week = if workday { 1.0 } else { 0.7 };
        let rows = [
            (
                "organic_search",
                "yandex",
                "organic",
                2_600.0 * growth * week,
            ),
            ("organic_search", "google", "organic", 900.0 * growth * week),
            ("paid_search", "yandex", "cpc", paid as f64 * 0.55),
            ("paid_search", "google", "cpc", paid as f64 * 0.12),
            ("paid_social", "vk", "cpc", paid as f64 * 0.2),
            ("direct", "(direct)", "(none)", 1_100.0 * growth * week),
            ("referral", "partner.ru", "referral", 240.0 * week),
            ("organic_social", "vk.com", "social", 380.0 * growth),
            (
                "email",
                "unisender",
                "email",
                if weekday == 1 { 1_300.0 } else { 90.0 },
            ),
        ];
        for (channel, source, medium, base) in rows {
            let sessions = (base * noise(&mut rng, 0.12)).round().max(1.0);
            let users = (sessions * 0.8 * noise(&mut rng, 0.05))
                .round()
                .min(sessions);
            let new_users = (users * 0.55 * noise(&mut rng, 0.1)).round().min(users);
            let cr = if channel == "paid_search" {
                0.035
            } else {
                0.018
            };
            let conv = (sessions * cr * noise(&mut rng, 0.4) * 10.0).round() / 10.0;
            let _ = writeln!(
                traffic,
                "{date},{channel},{source},{medium},{sessions},{users},{new_users},{conv}"
            );
        }

        // The lead funnel: new leads on workdays, some move on in days.
        if workday {
            for _ in 0..(6 + rng.below(8)) {
                lead_no += 1;
                let channel = [
                    "paid_search",
                    "organic_search",
                    "paid_social",
                    "email",
                    "referral",
                ][rng.below(5)];
                let mut at = date;
                let _ = writeln!(
                    leads,
                    "L-{lead_no:06},lead,{at} {:02}:{:02},,{channel}",
                    9 + rng.below(9),
                    rng.below(60)
                );
                for (stage, chance) in [("mql", 45), ("sql", 55), ("customer", 40)] {
                    if rng.below(100) >= chance {
                        break;
                    }
                    at += time::Duration::days(1 + rng.below(9) as i64);
                    if at > last_day {
                        break;
                    }
                    let customer = if stage == "customer" {
                        customers += 1;
                        format!("C-{customers:05}")
                    } else {
                        String::new()
                    };
                    let _ = writeln!(
                        leads,
                        "L-{lead_no:06},{stage},{at} {:02}:{:02},{customer},{channel}",
                        9 + rng.below(9),
                        rng.below(60)
                    );
                }
            }
        }

        // Surveys: CSAT and NPS after purchases every month, awareness
        // panels each quarter.
        if date.day() == 15 {
            for _ in 0..60 {
                response_no += 1;
                // Most are satisfied (4–5), a fifth to a quarter are not:
                // a CSAT that can miss its target.
                let csat = (3.9 + 1.3 * (noise(&mut rng, 1.0) - 1.0) + 0.1 * day as f64 / 365.0)
                    .round()
                    .clamp(1.0, 5.0);
                let nps = (8.0 + 2.4 * (noise(&mut rng, 1.0) - 1.0))
                    .round()
                    .clamp(0.0, 10.0);
                let segment = ["new", "returning"][rng.below(2)];
                let _ = writeln!(
                    surveys,
                    "R-{response_no:06},{date},{segment},{csat},{nps},,"
                );
            }
            if matches!(
                date.month(),
                time::Month::March
                    | time::Month::June
                    | time::Month::September
                    | time::Month::December
            ) {
                let aided_share = 34 + (day / 120) as usize;
                for _ in 0..100 {
                    response_no += 1;
                    let aided = rng.below(100) < aided_share;
                    let unaided = aided && rng.below(100) < 35;
                    let _ = writeln!(
                        surveys,
                        "R-{response_no:06},{date},panel,,,{},{}",
                        u8::from(aided),
                        u8::from(unaided)
                    );
                }
            }
        }

        // Social accounts, ours and two competitors'.
        for (i, (network, account, competitor)) in accounts.iter().enumerate() {
            let growth = [14.0, 9.0, 20.0, 6.0][i];
            followers[i] += growth * noise(&mut rng, 0.8);
            let f = followers[i].round();
            let reach = (f * 0.18 * noise(&mut rng, 0.3)).round();
            let impressions = (reach * 1.4).round();
            let likes = (reach * 0.035 * noise(&mut rng, 0.4)).round();
            let comments = (likes * 0.08).round();
            let shares = (likes * 0.05).round();
            let saves = (likes * 0.06).round();
            let mentions = ([9.0, 4.0, 14.0, 6.0][i] * noise(&mut rng, 0.6)).round();
            let _ = writeln!(
                social,
                "{date},{network},{account},{competitor},{f},{reach},{impressions},{likes},{comments},{shares},{saves},{mentions}"
            );
        }

        // People's work: tasks start on Mondays, time on workdays.
        if !workday {
            continue;
        }
        for (i, email) in emails.iter().enumerate() {
            if email.is_empty() {
                continue;
            }
            let own: Vec<&&CampaignDay> = today.iter().filter(|d| d.owner == i).collect();
            let mut left = 8.0 - (rng.below(3) as f64) * 0.5;
            for d in own.iter().take(2) {
                let hours = (1.0 + rng.below(5) as f64 * 0.5).min(left);
                left -= hours;
                let _ = writeln!(
                    time_entries,
                    "{email},{date},10:00,{hours},{},,,Ведение кампании",
                    d.campaign
                );
            }
            if left > 0.0 && rng.below(100) < 70 {
                let _ = writeln!(
                    time_entries,
                    "{email},{date},14:00,{left},,,Отдел,Задачи отдела"
                );
            }
            if weekday == 0 && rng.below(100) < 60 {
                task_no += 1;
                let due = date + time::Duration::days(3 + rng.below(12) as i64);
                let estimate = 2 + rng.below(14);
                let roll = rng.below(100);
                let (status, completed) = if due > last_day {
                    (
                        if roll < 50 { "in_progress" } else { "planned" },
                        String::new(),
                    )
                } else if roll < 6 {
                    ("cancelled", String::new())
                } else {
                    // Most finish by the due date, some late.
                    let late = if roll < 78 {
                        0
                    } else {
                        1 + rng.below(6) as i64
                    };
                    let done =
                        (due + time::Duration::days(late - rng.below(3) as i64)).min(last_day);
                    ("done", done.max(date).to_string())
                };
                let spent = if status == "done" {
                    format!("{:.1}", estimate as f64 * noise(&mut rng, 0.4))
                } else {
                    String::new()
                };
                let campaign = own.first().map_or("", |d| d.campaign);
                let _ = writeln!(
                    tasks,
                    "T-{task_no:05},{},{},{status},{email},{},{date},{date},{due},{completed},{estimate},{spent},{campaign},Маркетинг",
                    TASK_TITLES[rng.below(TASK_TITLES.len())],
                    TASK_KINDS[rng.below(TASK_KINDS.len())],
                    ["high", "medium", "low"][rng.below(3)],
                );
            }
        }
    }
    vec![
        ("mkpi-orders", orders),
        ("mkpi-web-traffic", traffic),
        ("mkpi-lead-stages", leads),
        ("mkpi-survey-responses", surveys),
        ("mkpi-social-stats", social),
        ("mkpi-time-entries", time_entries),
        ("mkpi-tasks", tasks),
        ("mkpi-marketing-costs", costs),
    ]
}
