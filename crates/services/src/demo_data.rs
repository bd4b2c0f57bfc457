//! The demo department's marketing data: campaigns owned by its people and
//! two years of daily ad statistics with weekly and yearly seasonality (and,
//! from them, the other facts: see `demo_facts`), imported through the same
//! code path as any file.

use std::fmt::Write;

use mkpi_ingest::Preset;

use crate::demo::{DemoDepartment, DemoRng};
use crate::imports::ImportRequest;
use crate::users::Principal;
use crate::{Error, Result, Services};

/// A demo campaign and how it typically performs.
struct DemoCampaign {
    id: &'static str,
    name: &'static str,
    platform: &'static str,
    channel: &'static str,
    /// Index of the owner in the department's people (plan order).
    owner: usize,
    daily_impressions: f64,
    ctr: f64,
    /// Cost per click in kopecks.
    cpc: f64,
}

const CAMPAIGNS: [DemoCampaign; 10] = [
    DemoCampaign {
        id: "YD-SEARCH-BRAND",
        name: "Поиск: бренд",
        platform: "Yandex Direct",
        channel: "paid search",
        owner: 2,
        daily_impressions: 4_000.0,
        ctr: 0.085,
        cpc: 1_800.0,
    },
    DemoCampaign {
        id: "YD-SEARCH-GENERIC",
        name: "Поиск: общие запросы",
        platform: "Yandex Direct",
        channel: "paid search",
        owner: 3,
        daily_impressions: 18_000.0,
        ctr: 0.032,
        cpc: 4_200.0,
    },
    DemoCampaign {
        id: "GA-SEARCH",
        name: "Google Поиск",
        platform: "Google Ads",
        channel: "paid search",
        owner: 3,
        daily_impressions: 6_000.0,
        ctr: 0.041,
        cpc: 5_100.0,
    },
    DemoCampaign {
        id: "YD-RSYA-RETARGET",
        name: "РСЯ: ретаргетинг",
        platform: "Yandex Direct",
        channel: "display",
        owner: 2,
        daily_impressions: 60_000.0,
        ctr: 0.006,
        cpc: 2_300.0,
    },
    DemoCampaign {
        id: "VK-LOOKALIKE",
        name: "VK Реклама: похожие аудитории",
        platform: "VK Ads",
        channel: "paid social",
        owner: 6,
        daily_impressions: 45_000.0,
        ctr: 0.009,
        cpc: 2_900.0,
    },
    DemoCampaign {
        id: "VK-PROMO",
        name: "VK Реклама: акции",
        platform: "VK Ads",
        channel: "paid social",
        owner: 7,
        daily_impressions: 30_000.0,
        ctr: 0.011,
        cpc: 2_600.0,
    },
    DemoCampaign {
        id: "TG-CHANNELS",
        name: "Telegram Ads: каналы",
        platform: "Telegram Ads",
        channel: "paid social",
        owner: 6,
        daily_impressions: 25_000.0,
        ctr: 0.005,
        cpc: 3_800.0,
    },
    DemoCampaign {
        id: "YD-VIDEO",
        name: "Видеореклама: охват",
        platform: "Yandex Direct",
        channel: "video",
        owner: 9,
        daily_impressions: 80_000.0,
        ctr: 0.002,
        cpc: 1_500.0,
    },
    DemoCampaign {
        id: "EMAIL-DIGEST",
        name: "Рассылка: дайджест",
        platform: "Unisender",
        channel: "email",
        owner: 16,
        daily_impressions: 9_000.0,
        ctr: 0.021,
        cpc: 300.0,
    },
    DemoCampaign {
        id: "SEO-CONTENT",
        name: "Контент для SEO: продвижение статей",
        platform: "Yandex Direct",
        channel: "native",
        owner: 4,
        daily_impressions: 12_000.0,
        ctr: 0.015,
        cpc: 2_000.0,
    },
];

/// Days of statistics the demo holds (two years up to yesterday).
pub const DEMO_DAYS: i64 = 730;

impl Services {
    /// Adds campaigns and two years of ad statistics to the demo department.
    /// Deterministic for a seed and a day.
    pub async fn seed_demo_data(&self, seed: u64, demo: &DemoDepartment) -> Result<()> {
        let mut rng = DemoRng::new(seed ^ 0x00DA_7A00);
        let head = self.demo_emails(demo).await?;
        let mut campaigns =
            String::from("campaign,name,platform,channel,owner,budget,currency,start,end\n");
        let today = time::OffsetDateTime::from_unix_timestamp(self.clock.now())
            .map_err(|e| Error::Internal(e.to_string()))?
            .date();
        let start = today - time::Duration::days(DEMO_DAYS);
        // Every campaign runs to the end of this year, with a budget for the
        // whole run: so the dashboard's budget use has a value.
        let end = time::Date::from_calendar_date(today.year(), time::Month::December, 31)
            .map_err(|e| Error::Internal(e.to_string()))?;
        let run_days = (end - start).whole_days() + 1;
        for c in &CAMPAIGNS {
            let owner_email = head.get(c.owner).cloned().unwrap_or_default();
            // The run's expected spend (growing about 12% a year) with some
            // headroom, in roubles.
            let daily = c.daily_impressions * c.ctr * c.cpc / 100.0;
            let budget = daily * run_days as f64 * 1.25;
            let _ = writeln!(
                campaigns,
                "{},\"{}\",{},{},{owner_email},{:.2},RUB,{start},{end}",
                c.id,
                c.name,
                c.platform,
                c.channel,
                budget.round()
            );
        }
        let mut campaign_days: Vec<crate::demo_facts::CampaignDay> = Vec::new();
        let mut stats = String::from(
            "date,campaign,impressions,clicks,spend,conversions,conversion_value,currency\n",
        );
        for day in 0..DEMO_DAYS {
            let date = start + time::Duration::days(day);
            let weekday = f64::from(date.weekday().number_days_from_monday());
            let weekly = if weekday >= 5.0 {
                0.78
            } else {
                1.0 + 0.03 * (2.0 - (weekday - 2.0).abs())
            };
            let yearly = 1.0
                + 0.25
                    * ((f64::from(date.ordinal()) - 330.0) / 365.0 * std::f64::consts::TAU).cos();
            let growth = 1.0 + 0.12 * (day as f64) / 365.0;
            for c in &CAMPAIGNS {
                let (id, channel, ctr, cpc) = (c.id, c.channel, c.ctr, c.cpc);
                if channel == "email" && weekday != 1.0 {
                    continue;
                }
                let noise = |rng: &mut DemoRng, spread: f64| {
                    1.0 + spread * ((rng.next_u64() % 2001) as f64 / 1000.0 - 1.0)
                };
                let shown =
                    (c.daily_impressions * weekly * yearly * growth * noise(&mut rng, 0.15))
                        .round()
                        .max(0.0);
                let clicks = (shown * ctr * noise(&mut rng, 0.2)).round().min(shown);
                let spend = (clicks * cpc * noise(&mut rng, 0.1)).round() / 100.0;
                let cr = match channel {
                    "paid search" => 0.045,
                    "email" => 0.06,
                    "display" | "video" => 0.012,
                    _ => 0.02,
                };
                let conversions = (clicks * cr * noise(&mut rng, 0.5)).round();
                let aov = 4_500.0 * noise(&mut rng, 0.3);
                let value = (conversions * aov).round();
                let _ = writeln!(
                    stats,
                    "{date},{id},{shown},{clicks},{spend:.2},{conversions},{value:.2},RUB"
                );
                campaign_days.push(crate::demo_facts::CampaignDay {
                    date,
                    campaign: id,
                    channel,
                    owner: c.owner,
                    clicks: clicks as u64,
                    conversions: conversions as u64,
                    value_minor: (value * 100.0) as i64,
                });
            }
        }
        let mut files = vec![("mkpi-campaigns", campaigns), ("mkpi-ad-stats", stats)];
        files.extend(crate::demo_facts::demo_facts(
            seed,
            &campaign_days,
            start,
            DEMO_DAYS,
            &head,
        ));
        for (preset, text) in files {
            let request = ImportRequest {
                source: format!("demo-{preset}.csv"),
                preset: Preset::find(preset).map_err(|e| Error::Internal(e.to_string()))?,
                dry_run: false,
                people: Vec::new(),
            };
            let report = self
                .import_file(
                    Principal::System("demo"),
                    std::io::Cursor::new(text.into_bytes()),
                    request,
                )
                .await?;
            if !report.applied {
                let first = report
                    .problems
                    .first()
                    .map(ToString::to_string)
                    .unwrap_or_default();
                return Err(Error::Internal(format!(
                    "the demo data did not import: {first}"
                )));
            }
        }
        self.seed_demo_kpis(demo).await?;
        self.seed_demo_goals(demo).await?;
        self.seed_demo_reviews(seed, demo).await?;
        self.seed_demo_reports().await
    }

    /// The demo's report definitions: the department's last full quarter
    /// with every section, and its last month in brief.
    async fn seed_demo_reports(&self) -> Result<()> {
        use crate::report_data::{DefinitionInput, SECTIONS};
        let system = crate::Actor::system();
        let metrics = |codes: &[&str]| codes.iter().map(ToString::to_string).collect();
        for d in [
            DefinitionInput {
                name: "quarterly".into(),
                purpose:
                    "Итоги квартала отдела маркетинга: результаты, их причины и что делать дальше"
                        .into(),
                metrics: metrics(&[
                    "spend",
                    "conversion_value",
                    "roas",
                    "roi",
                    "romi",
                    "cpa",
                    "ctr",
                    "orders",
                    "order_revenue",
                    "aov",
                    "new_customers",
                    "cac",
                    "cac_blended",
                    "sessions",
                    "web_conversion_rate",
                    "csat",
                    "nps",
                    "budget_utilisation",
                ]),
                scope: "department".into(),
                period_kind: "last_quarter".into(),
                compare: "previous".into(),
                sections: SECTIONS.iter().map(ToString::to_string).collect(),
                language: "ru".into(),
                ..DefinitionInput::default()
            },
            DefinitionInput {
                name: "monthly".into(),
                purpose: "Month in brief for the department's stakeholders".into(),
                metrics: metrics(&["spend", "roas", "cpa", "orders", "order_revenue", "cac"]),
                scope: "department".into(),
                period_kind: "last_month".into(),
                compare: "year".into(),
                sections: ["summary", "kpis", "channels", "problems"]
                    .map(String::from)
                    .to_vec(),
                language: "en".into(),
                ..DefinitionInput::default()
            },
        ] {
            self.create_report_definition(&system, &d).await?;
        }
        // Two competitors' figures for the last fifteen months, as a market
        // research export would give them: share of voice, average price and
        // estimated visits, with a little movement month to month.
        let this_month =
            mkpi_domain::period::Day::from_unix_seconds(self.clock.now()).first_of_month();
        let mut csv = String::from("competitor,kind,month,value,source\n");
        for k in 1..=15_i64 {
            let month = &this_month.plus_months(-k).to_string()[..7];
            let wave = ((k as f64) * 0.9).sin();
            for (name, sov, price, visits) in [
                ("Конкурент Один", 38.0, 3150.0, 52_000.0),
                ("Конкурент Два", 21.0, 2690.0, 31_000.0),
            ] {
                let _ = std::fmt::Write::write_fmt(
                    &mut csv,
                    format_args!(
                        "{name},share_of_voice,{month},{:.1},Медиалогия\n{name},price,{month},{:.0},мониторинг цен\n{name},traffic,{month},{:.0},SimilarWeb\n",
                        sov + 2.0 * wave,
                        price * (1.0 + 0.02 * wave),
                        visits * (1.0 + 0.08 * wave)
                    ),
                );
            }
        }
        self.import_benchmarks(&system, csv.as_bytes()).await?;
        Ok(())
    }

    /// Two released review cycles of this year's first two quarters for the
    /// performance team, so that results and their dynamics have history:
    /// each person rates themself, their manager rates them, and the three
    /// others rate them as peers; ratings drift up from one cycle to the next.
    async fn seed_demo_reviews(&self, seed: u64, demo: &DemoDepartment) -> Result<()> {
        use mkpi_domain::period::Day;
        use mkpi_domain::{Role, TeamTree};

        use crate::reviews::{CycleInput, RatingInput};
        let mut rng = DemoRng::new(seed ^ 0x0052_E71E);
        let system = crate::Actor::system();
        let mut tx = self.store.read().await?;
        let tree = TeamTree::new(mkpi_store::teams::nodes(&mut tx).await?);
        drop(tx);
        let today = Day::from_unix_seconds(self.clock.now());
        let (y, _, _) = today.ymd();
        let group = [
            demo.manager_employee_id,
            demo.employee_employee_id,
            demo.employee_ids[3],
            demo.employee_ids[4],
        ];
        let codes = [
            "quality",
            "communication",
            "teamwork",
            "creativity",
            "analytics",
            "leadership",
        ];
        // Each person's level, so the ranking means something.
        let base = [4_i64, 3, 4, 3];
        for (quarter, drift) in [(1_u32, 0_i64), (2, 1)] {
            let from = Day::from_ymd(y, 3 * quarter - 2, 1)
                .ok_or_else(|| Error::Internal("date".into()))?;
            let to = from.plus_months(3);
            let cycle = self
                .create_review_cycle(
                    &system,
                    &CycleInput {
                        name: format!("{y} Q{quarter}"),
                        period_from: from.to_string(),
                        period_to: to.to_string(),
                        self_due: to.plus_days(7).to_string(),
                        nomination_due: to.plus_days(7).to_string(),
                        assessment_due: to.plus_days(14).to_string(),
                        calibration_due: to.plus_days(21).to_string(),
                        employee_ids: group.to_vec(),
                        ..CycleInput::default()
                    },
                )
                .await?;
            let head = crate::Actor::as_person(Role::Head, demo.head_employee_id, &tree);
            for (i, &person) in group.iter().enumerate() {
                let rate = |extra: i64, rng: &mut DemoRng| -> Vec<RatingInput> {
                    codes
                        .iter()
                        .map(|c| RatingInput {
                            competency: (*c).to_string(),
                            rating: (base[i] + drift + extra + rng.below(3) as i64 - 1).clamp(1, 5),
                            comment: String::new(),
                        })
                        .collect()
                };
                let me = crate::Actor::as_person(
                    if person == demo.manager_employee_id {
                        Role::Manager
                    } else {
                        Role::Employee
                    },
                    person,
                    &tree,
                );
                let self_ratings = rate(1, &mut rng);
                self.submit_assessment(&me, cycle.id, person, "self", &self_ratings, "")
                    .await?;
                let boss = if person == demo.manager_employee_id {
                    head.clone()
                } else {
                    crate::Actor::as_person(Role::Manager, demo.manager_employee_id, &tree)
                };
                let boss_ratings = rate(0, &mut rng);
                let note = if drift > 0 {
                    "Заметный рост за квартал"
                } else {
                    "Уверенная работа"
                };
                self.submit_assessment(&boss, cycle.id, person, "manager", &boss_ratings, note)
                    .await?;
                // Peers never include who can read the results (the
                // manager): a colleague of the team below takes that place.
                let peers: Vec<i64> = group
                    .iter()
                    .copied()
                    .filter(|p| *p != person && *p != demo.manager_employee_id)
                    .chain((person != demo.manager_employee_id).then_some(demo.employee_ids[6]))
                    .collect();
                for &peer in &peers {
                    self.nominate_peer(&head, cycle.id, person, peer).await?;
                    let as_peer = crate::Actor::as_person(
                        if peer == demo.manager_employee_id {
                            Role::Manager
                        } else {
                            Role::Employee
                        },
                        peer,
                        &tree,
                    );
                    let peer_ratings = rate(0, &mut rng);
                    let text =
                        ["Всегда помогает", "Чёткие брифы", "Можно быстрее отвечать"][rng.below(3)];
                    self.submit_assessment(&as_peer, cycle.id, person, "peer", &peer_ratings, text)
                        .await?;
                }
            }
            for next in ["calibration", "released", "closed"] {
                self.set_review_cycle_status(&system, cycle.id, next)
                    .await?;
                if next == "calibration" {
                    // Potential for the 9-box, and one calibration move.
                    let lead =
                        crate::Actor::as_person(Role::Manager, demo.manager_employee_id, &tree);
                    for (i, &person) in group.iter().enumerate() {
                        let rater = if person == demo.manager_employee_id {
                            &head
                        } else {
                            &lead
                        };
                        let potential = (base[i] + drift).clamp(1, 5) - i64::from(i == 3);
                        self.rate_potential(rater, cycle.id, person, potential)
                            .await?;
                    }
                    if drift > 0 {
                        self.adjust_review_score(
                            &head,
                            cycle.id,
                            group[3],
                            -5.0,
                            "Запуск летней кампании сорван на две недели",
                        )
                        .await?;
                    }
                }
            }
        }
        self.seed_demo_open_cycle(demo, &tree, &group, today).await
    }

    /// A cycle taking answers for the last full quarter (when it is not
    /// one of the two above): the employee has their self-assessment to
    /// give, the manager their assessments, and peers are partly in.
    async fn seed_demo_open_cycle(
        &self,
        demo: &DemoDepartment,
        tree: &mkpi_domain::TeamTree,
        group: &[i64; 4],
        today: mkpi_domain::period::Day,
    ) -> Result<()> {
        use mkpi_domain::Role;
        use mkpi_domain::period::{Day, Period};

        use crate::reviews::{CycleInput, RatingInput};
        let (y, m, _) = today.ymd();
        let quarter_start = Day::from_ymd(y, (m - 1) / 3 * 3 + 1, 1)
            .ok_or_else(|| Error::Internal("date".into()))?;
        let from = quarter_start.plus_months(-3);
        let (fy, fm, _) = from.ymd();
        // This year's first two quarters have their closed cycles already.
        if fy == y && fm <= 4 {
            return Ok(());
        }
        let period =
            Period::new(from, quarter_start).map_err(|e| Error::Internal(e.to_string()))?;
        let system = crate::Actor::system();
        let cycle = self
            .create_review_cycle(
                &system,
                &CycleInput {
                    name: crate::review_schedule::period_label(period),
                    period_from: from.to_string(),
                    period_to: quarter_start.to_string(),
                    self_due: today.plus_days(7).to_string(),
                    nomination_due: today.plus_days(7).to_string(),
                    assessment_due: today.plus_days(14).to_string(),
                    calibration_due: today.plus_days(21).to_string(),
                    employee_ids: group.to_vec(),
                    recurrence: Some("quarterly".into()),
                    ..CycleInput::default()
                },
            )
            .await?;
        let codes: Vec<String> = self
            .competencies()
            .await?
            .into_iter()
            .map(|c| c.code)
            .collect();
        let ratings = |r: i64| -> Vec<RatingInput> {
            codes
                .iter()
                .map(|c| RatingInput {
                    competency: c.clone(),
                    rating: r,
                    comment: String::new(),
                })
                .collect()
        };
        let head = crate::Actor::as_person(Role::Head, demo.head_employee_id, tree);
        let lead = crate::Actor::as_person(Role::Manager, demo.manager_employee_id, tree);
        // The manager and one colleague have rated themselves.
        self.submit_assessment(&lead, cycle.id, group[0], "self", &ratings(4), "")
            .await?;
        let colleague = crate::Actor::as_person(Role::Employee, group[2], tree);
        self.submit_assessment(&colleague, cycle.id, group[2], "self", &ratings(4), "")
            .await?;
        // The employee's peers are named; one has answered.
        for &peer in [demo.employee_ids[6], group[2], group[3]].iter() {
            self.nominate_peer(&head, cycle.id, group[1], peer).await?;
        }
        self.submit_assessment(
            &colleague,
            cycle.id,
            group[1],
            "peer",
            &ratings(4),
            "Чёткие брифы",
        )
        .await?;
        Ok(())
    }

    /// The department's goals for this year cascading to teams and people
    /// (baselines from last year's data), strategies serving them, tasks
    /// in every state, and this quarter's SWOT.
    async fn seed_demo_goals(&self, demo: &DemoDepartment) -> Result<()> {
        use mkpi_domain::period::{Day, Period};

        use crate::goals::GoalInput;
        use crate::metrics::ScopeRef;
        use crate::tasks::TaskInput;
        let system = crate::Actor::system();
        let today = Day::from_unix_seconds(self.clock.now());
        let (y, m, _) = today.ymd();
        let year_start = Day::from_ymd(y, 1, 1).ok_or_else(|| Error::Internal("date".into()))?;
        let year = Period::new(year_start, year_start.plus_months(12))
            .map_err(|e| Error::Internal(e.to_string()))?;
        let quarter_start = Day::from_ymd(y, (m - 1) / 3 * 3 + 1, 1)
            .ok_or_else(|| Error::Internal("date".into()))?;
        let quarter = Period::new(quarter_start, quarter_start.plus_months(3))
            .map_err(|e| Error::Internal(e.to_string()))?;
        let value = |answers: &[crate::metrics::MetricAnswer], code: &str, fallback: f64| {
            answers
                .iter()
                .find(|a| a.code == code)
                .and_then(|a| a.value)
                .map_or(fallback, |v| (v * 100.0).round() / 100.0)
        };
        let codes: Vec<String> = ["order_revenue", "cac"].map(String::from).to_vec();
        let last_year = self
            .metric_values(&system, &codes, &ScopeRef::Department, year.year_before())
            .await?;
        let team = |i: usize| format!("team:{}", demo.team_ids[i]);
        let performance_cpa = self
            .metric_values(
                &system,
                &["cpa".to_string()],
                &ScopeRef::Team(demo.team_ids[0]),
                quarter.previous(),
            )
            .await?;
        let manager_cpc = self
            .metric_values(
                &system,
                &["cpc".to_string()],
                &ScopeRef::Employee(demo.employee_ids[3]),
                quarter.previous(),
            )
            .await?;
        let goal = |scope: String, parent: Option<i64>, title: &str, description: &str| GoalInput {
            scope,
            parent_id: parent,
            title: title.to_string(),
            description: description.to_string(),
            start_on: Some(quarter.from.to_string()),
            deadline_on: Some(quarter.to.plus_days(-1).to_string()),
            status: Some("active".to_string()),
            weight: Some(1.0),
            ..GoalInput::default()
        };
        let revenue = value(&last_year, "order_revenue", 100_000_000.0);
        let g_revenue = self
            .create_goal(
                &system,
                &GoalInput {
                    business_goal: "Рост продаж".into(),
                    metric_code: Some("order_revenue".into()),
                    baseline: Some(revenue),
                    target: Some((revenue * 1.15).round()),
                    budget: Some(12_000_000.0),
                    currency: Some("RUB".into()),
                    people: Some(20),
                    start_on: Some(year.from.to_string()),
                    deadline_on: Some(year.to.plus_days(-1).to_string()),
                    weight: Some(3.0),
                    ..goal(
                        "department".into(),
                        None,
                        "Увеличить онлайн-выручку на 15% за год",
                        "Выручка оплаченных заказов за год на 15% выше прошлогодней за счёт поиска и CRM.",
                    )
                },
            )
            .await?
            .goal
            .id;
        let cac = value(&last_year, "cac", 2_000.0);
        let g_cac = self
            .create_goal(
                &system,
                &GoalInput {
                    business_goal: "Рост прибыльности маркетинга".into(),
                    metric_code: Some("cac".into()),
                    baseline: Some(cac),
                    target: Some((cac * 0.85).round()),
                    budget: Some(2_000_000.0),
                    currency: Some("RUB".into()),
                    start_on: Some(year.from.to_string()),
                    deadline_on: Some(year.to.plus_days(-1).to_string()),
                    weight: Some(2.0),
                    ..goal(
                        "department".into(),
                        None,
                        "Снизить стоимость привлечения клиента на 15%",
                        "CAC по всем платным каналам на 15% ниже прошлогоднего.",
                    )
                },
            )
            .await?
            .goal
            .id;
        let g_service = self
            .create_goal(
                &system,
                &GoalInput {
                    business_goal: "Лучший сервис в категории".into(),
                    // Measured by the team goals below it, by weight: a
                    // draft until they exist.
                    status: Some("draft".into()),
                    people: Some(6),
                    ..goal(
                        "department".into(),
                        None,
                        "Улучшить клиентский сервис",
                        "Клиенты возвращаются и рекомендуют нас.",
                    )
                },
            )
            .await?
            .goal
            .id;
        let cpa = value(&performance_cpa, "cpa", 1_100.0);
        let g_cpa = self
            .create_goal(
                &system,
                &GoalInput {
                    metric_code: Some("cpa".into()),
                    baseline: Some(cpa),
                    target: Some((cpa * 0.9).round()),
                    hours: Some(320.0),
                    weight: Some(2.0),
                    ..goal(
                        team(0),
                        Some(g_cac),
                        "Снизить CPA команды performance на 10% в квартале",
                        "Чистка минус-слов, перераспределение ставок, новые креативы.",
                    )
                },
            )
            .await?
            .goal
            .id;
        let crm = self
            .metric_values(
                &system,
                &["roas".to_string()],
                &ScopeRef::Team(demo.team_ids[3]),
                quarter.previous(),
            )
            .await?;
        let roas = value(&crm, "roas", 4.0);
        self.create_goal(
            &system,
            &GoalInput {
                metric_code: Some("roas".into()),
                baseline: Some(roas),
                target: Some((roas * 1.1 * 100.0).round() / 100.0),
                people: Some(3),
                weight: Some(2.0),
                ..goal(
                    team(3),
                    Some(g_service),
                    "Поднять ROAS CRM-кампаний на 10%",
                    "Триггерные письма после первой покупки и программа лояльности возвращают клиентов дешевле рекламы.",
                )
            },
        )
        .await?;
        let g_partners = self
            .create_goal(
                &system,
                &GoalInput {
                    unit: Some("интеграции".into()),
                    baseline: Some(0.0),
                    target: Some(3.0),
                    budget: Some(900_000.0),
                    currency: Some("RUB".into()),
                    ..goal(
                        team(2),
                        Some(g_service),
                        "Запустить 3 партнёрские интеграции",
                        "Совместные акции с сервисами доставки и банками.",
                    )
                },
            )
            .await?
            .goal
            .id;
        self.add_goal_progress(
            &system,
            g_partners,
            Some(1.0),
            None,
            "Подписан договор с первым партнёром",
        )
        .await?;
        self.set_goal_status(&system, g_service, "active").await?;
        let cpc = value(&manager_cpc, "cpc", 40.0);
        self.create_goal(
            &system,
            &GoalInput {
                metric_code: Some("cpc".into()),
                baseline: Some(cpc),
                target: Some((cpc * 0.92 * 100.0).round() / 100.0),
                hours: Some(60.0),
                ..goal(
                    format!("employee:{}", demo.employee_ids[3]),
                    Some(g_cpa),
                    "Снизить CPC в поисковых кампаниях на 8%",
                    "Пересобрать структуру кампаний и стратегии ставок.",
                )
            },
        )
        .await?;
        let g_employee = self
            .create_goal(
                &system,
                &GoalInput {
                    metric_code: Some("on_time_rate".into()),
                    baseline: Some(0.85),
                    target: Some(0.95),
                    hours: Some(20.0),
                    ..goal(
                        format!("employee:{}", demo.employee_employee_id),
                        Some(g_cpa),
                        "Сдавать 95% задач в срок",
                        "Планировать задачи с запасом и вовремя поднимать риски.",
                    )
                },
            )
            .await?
            .goal
            .id;
        // A proposal that is not SMART yet.
        self.create_goal(
            &system,
            &GoalInput {
                status: Some("draft".into()),
                start_on: None,
                deadline_on: None,
                ..goal(
                    format!("employee:{}", demo.employee_employee_id),
                    None,
                    "Изучить веб-аналитику",
                    "",
                )
            },
        )
        .await?;
        self.create_strategy(
            &system,
            "Перераспределение бюджета в поиск",
            "campaigns",
            "Доля поиска в бюджете растёт с 40% до 55%: у него лучший ROAS.",
            &year.from.to_string(),
            &year.to.to_string(),
            &[g_revenue, g_cac],
        )
        .await?;
        self.create_strategy(
            &system,
            "Программа лояльности",
            "product",
            "Баллы за повторные покупки и персональные предложения.",
            &quarter.from.to_string(),
            &quarter.to.plus_months(3).to_string(),
            &[g_service],
        )
        .await?;
        let day = |n: i64| Some(today.plus_days(n).to_string());
        let task = |title: &str, kind: &str, who: i64, goal: Option<i64>, due: i64, hours: f64| {
            TaskInput {
                title: title.to_string(),
                description: String::new(),
                kind: kind.to_string(),
                assignee_employee_id: Some(who),
                priority: Some(if due < 3 { "high" } else { "normal" }.to_string()),
                start: day(-10),
                due: today.plus_days(due).to_string(),
                estimate_hours: Some(hours),
                budget: None,
                currency: None,
                goal_id: goal,
                campaign_id: None,
            }
        };
        let me = demo.employee_employee_id;
        let done = self
            .create_task(
                &system,
                &task(
                    "Собрать минус-слова по поиску",
                    "campaign",
                    me,
                    Some(g_cpa),
                    -3,
                    6.0,
                ),
            )
            .await?;
        self.set_task_status(&system, done.id, "in_progress")
            .await?;
        self.set_task_status(&system, done.id, "done").await?;
        self.rate_task(&system, done.id, 4, "Аккуратно, но можно было быстрее")
            .await?;
        let running = self
            .create_task(
                &system,
                &task(
                    "Подготовить новые креативы для поиска",
                    "campaign",
                    me,
                    Some(g_cpa),
                    7,
                    10.0,
                ),
            )
            .await?;
        self.set_task_status(&system, running.id, "in_progress")
            .await?;
        self.create_task(
            &system,
            &task(
                "Отчёт по срокам задач за месяц",
                "analysis",
                me,
                Some(g_employee),
                -2,
                3.0,
            ),
        )
        .await?;
        self.create_task(
            &system,
            &task(
                "Согласовать договор с банком-партнёром",
                "event",
                demo.employee_ids[9],
                Some(g_partners),
                14,
                8.0,
            ),
        )
        .await?;
        let swot = [
            (
                "strength",
                "Сильный поисковый канал",
                "ROAS поиска выше среднего по отделу",
                Some("roas"),
            ),
            (
                "strength",
                "Отлаженные CRM-рассылки",
                "Письма дают самую дешёвую конверсию",
                Some("cpa"),
            ),
            (
                "weakness",
                "Дорогое привлечение в соцсетях",
                "CAC выше целевого",
                Some("cac"),
            ),
            (
                "weakness",
                "Мало повторных покупок",
                "",
                Some("repeat_purchase_rate"),
            ),
            (
                "opportunity",
                "Партнёрства с сервисами доставки",
                "Новая аудитория без роста CAC",
                None,
            ),
            (
                "threat",
                "Рост ставок в поиске к концу года",
                "Сезонная конкуренция",
                Some("cpc"),
            ),
        ];
        for (quadrant, title, note, metric) in swot {
            self.add_swot(&system, quarter, quadrant, title, note, metric, None)
                .await?;
        }
        Ok(())
    }

    /// A few KPIs of this year for the department, its performance team and
    /// the `manager`, set as a head would.
    async fn seed_demo_kpis(&self, demo: &DemoDepartment) -> Result<()> {
        use mkpi_domain::period::{Day, Period};

        use crate::kpis::{NewKpiInput, TargetInput};
        let today = Day::from_unix_seconds(self.clock.now());
        let (_, month, _) = today.ymd();
        let year_start = today.first_of_month().plus_months(-i64::from(month - 1));
        let year = Period::new(year_start, year_start.plus_months(12))
            .map_err(|e| Error::Internal(e.to_string()))?;
        let whole = |floor: Option<f64>, target: f64, stretch: Option<f64>| {
            vec![TargetInput {
                from: year.from.to_string(),
                to: year.to.to_string(),
                floor,
                target,
                stretch,
            }]
        };
        let monthly: Vec<TargetInput> = year
            .months()
            .into_iter()
            .map(|m| TargetInput {
                from: m.from.to_string(),
                to: m.to.to_string(),
                floor: Some(240_000.0),
                target: 270_000.0,
                stretch: Some(300_000.0),
            })
            .collect();
        let kpi =
            |metric: &str, scope: String, weight: f64, targets: Vec<TargetInput>| NewKpiInput {
                metric: metric.to_string(),
                scope,
                from: year.from.to_string(),
                to: year.to.to_string(),
                weight: Some(weight),
                cap: None,
                targets,
                // The department's ROAS is watched week over week.
                alert_change_pct: (metric == "roas").then_some(25.0),
            };
        let department = "department".to_string();
        let kpis = vec![
            kpi(
                "roas",
                department.clone(),
                3.0,
                whole(Some(3.5), 4.0, Some(5.0)),
            ),
            kpi(
                "cac",
                department.clone(),
                2.0,
                whole(Some(2_000.0), 1_600.0, Some(1_400.0)),
            ),
            kpi("sessions", department.clone(), 1.0, monthly),
            kpi(
                "nps",
                department.clone(),
                1.0,
                whole(Some(15.0), 30.0, Some(40.0)),
            ),
            kpi("csat", department, 1.0, whole(Some(0.85), 0.9, Some(0.95))),
            kpi(
                "cpa",
                format!("team:{}", demo.team_ids[0]),
                1.0,
                whole(Some(1_200.0), 1_000.0, None),
            ),
            kpi(
                "on_time_rate",
                format!("employee:{}", demo.employee_employee_id),
                1.0,
                whole(Some(0.9), 0.95, None),
            ),
        ];
        let author = crate::Author::system("demo");
        for k in &kpis {
            self.create_kpi_as(&author, k).await?;
        }
        // Every campaign owner answers for the ROAS of their campaigns.
        let mut tx = self.store.read().await?;
        let mut owners: Vec<i64> = mkpi_store::campaigns::all(&mut tx)
            .await?
            .into_iter()
            .filter_map(|c| c.owner_employee_id)
            .collect();
        drop(tx);
        owners.sort_unstable();
        owners.dedup();
        for owner in owners {
            let k = kpi(
                "roas",
                format!("employee:{owner}"),
                2.0,
                whole(Some(3.2), 3.8, Some(5.0)),
            );
            self.create_kpi_as(&author, &k).await?;
        }
        Ok(())
    }

    /// The e-mails of the demo's people, in the order of its plan.
    async fn demo_emails(&self, demo: &DemoDepartment) -> Result<Vec<String>> {
        let everyone =
            mkpi_domain::Scope::new(0, mkpi_domain::Role::Admin, None, &Default::default());
        let mut tx = self.store.read().await?;
        let by_id: std::collections::HashMap<i64, String> =
            mkpi_store::employees::list(&mut tx, &everyone)
                .await?
                .into_iter()
                .map(|e| (e.id, e.email))
                .collect();
        Ok(demo
            .employee_ids
            .iter()
            .map(|id| by_id.get(id).cloned().unwrap_or_default())
            .collect())
    }
}
