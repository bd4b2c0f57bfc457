//! The demo department: a deterministic, believable marketing department so
//! that a newcomer sees everything working at once. The same seed always
//! gives the same people, teams and dates.
//!
//! Later capabilities (campaigns, data, goals, reviews) add their own
//! generators on top of [`DemoDepartment`], which tells them who is who.

use mkpi_store::employees::NewEmployee;
use mkpi_store::teams::NewTeam;
use mkpi_store::users::NewUser;
use mkpi_store::{Tx, departments, employees, teams, users};
use serde_json::json;

use crate::audit::{self, Author, Change};
use crate::auth::hash_password_off_thread;
use crate::{Error, Result, Services};

/// The password of every demo account.
pub const DEMO_PASSWORD: &str = "demo";

/// The demo logins, one per role, in the order they are printed.
pub const DEMO_LOGINS: [&str; 5] = ["admin", "head", "manager", "employee", "viewer"];

/// A small deterministic generator (SplitMix64): stable across platforms and
/// crate versions, which a library RNG does not promise.
#[derive(Debug, Clone)]
pub struct DemoRng(u64);

impl DemoRng {
    pub fn new(seed: u64) -> Self {
        DemoRng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (n > 0).
    pub fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next_u64() % n.max(1) as u64).unwrap_or(0)
    }

    pub fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = self.below(i + 1);
            items.swap(i, j);
        }
    }
}

/// (Russian, Latin, is female)
const FIRST_NAMES: [(&str, &str, bool); 24] = [
    ("Анна", "anna", true),
    ("Мария", "maria", true),
    ("Екатерина", "ekaterina", true),
    ("Ольга", "olga", true),
    ("Дарья", "daria", true),
    ("Ирина", "irina", true),
    ("Наталья", "natalia", true),
    ("Елена", "elena", true),
    ("Ксения", "ksenia", true),
    ("Полина", "polina", true),
    ("Алиса", "alisa", true),
    ("Виктория", "viktoria", true),
    ("Алексей", "alexey", false),
    ("Дмитрий", "dmitry", false),
    ("Иван", "ivan", false),
    ("Сергей", "sergey", false),
    ("Михаил", "mikhail", false),
    ("Андрей", "andrey", false),
    ("Павел", "pavel", false),
    ("Артём", "artem", false),
    ("Никита", "nikita", false),
    ("Егор", "egor", false),
    ("Максим", "maxim", false),
    ("Кирилл", "kirill", false),
];

/// (male form, female form, Latin)
const SURNAMES: [(&str, &str, &str); 24] = [
    ("Ковалёв", "Ковалёва", "kovalev"),
    ("Смирнов", "Смирнова", "smirnov"),
    ("Волков", "Волкова", "volkov"),
    ("Морозов", "Морозова", "morozov"),
    ("Новиков", "Новикова", "novikov"),
    ("Соколов", "Соколова", "sokolov"),
    ("Лебедев", "Лебедева", "lebedev"),
    ("Козлов", "Козлова", "kozlov"),
    ("Орлов", "Орлова", "orlov"),
    ("Павлов", "Павлова", "pavlov"),
    ("Фёдоров", "Фёдорова", "fedorov"),
    ("Зайцев", "Зайцева", "zaitsev"),
    ("Белов", "Белова", "belov"),
    ("Тарасов", "Тарасова", "tarasov"),
    ("Жуков", "Жукова", "zhukov"),
    ("Комаров", "Комарова", "komarov"),
    ("Богданов", "Богданова", "bogdanov"),
    ("Гусев", "Гусева", "gusev"),
    ("Киселёв", "Киселёва", "kiselev"),
    ("Макаров", "Макарова", "makarov"),
    ("Андреев", "Андреева", "andreev"),
    ("Ильин", "Ильина", "ilyin"),
    ("Гришин", "Гришина", "grishin"),
    ("Медведев", "Медведева", "medvedev"),
];

/// A team of the demo department: its name, the lead's position, the
/// members' positions, and the team it sits under (index into this list).
struct TeamPlan {
    name: &'static str,
    lead: &'static str,
    members: &'static [&'static str],
    parent: Option<usize>,
}

const TEAMS: [TeamPlan; 5] = [
    TeamPlan {
        name: "Performance-маркетинг",
        lead: "Руководитель performance-маркетинга",
        members: &[
            "Специалист по контекстной рекламе",
            "Специалист по контекстной рекламе",
            "Специалист по SEO",
        ],
        parent: None,
    },
    TeamPlan {
        name: "Таргетированная реклама",
        lead: "Ведущий таргетолог",
        members: &["Таргетолог", "Таргетолог"],
        parent: Some(0),
    },
    TeamPlan {
        name: "Бренд и контент",
        lead: "Бренд-менеджер",
        members: &[
            "Контент-менеджер",
            "SMM-менеджер",
            "Дизайнер",
            "PR-менеджер",
        ],
        parent: None,
    },
    TeamPlan {
        name: "CRM и удержание",
        lead: "Руководитель CRM-маркетинга",
        members: &[
            "CRM-маркетолог",
            "Email-маркетолог",
            "Менеджер по лояльности",
        ],
        parent: None,
    },
    TeamPlan {
        name: "Маркетинговая аналитика",
        lead: "Руководитель аналитики",
        members: &["Маркетинговый аналитик", "Аналитик данных"],
        parent: None,
    },
];

/// Who is who in the generated department, for later generators and tests.
#[derive(Debug, Clone, Default)]
pub struct DemoDepartment {
    pub department_id: i64,
    pub head_employee_id: i64,
    /// Team ids in the order of the plan: performance, paid social, brand,
    /// CRM, analytics.
    pub team_ids: Vec<i64>,
    pub employee_ids: Vec<i64>,
    /// The employee the `manager` login is.
    pub manager_employee_id: i64,
    /// The employee the `employee` login is (in the manager's team).
    pub employee_employee_id: i64,
}

struct Person {
    name: String,
    email: String,
}

fn people(rng: &mut DemoRng, n: usize) -> Vec<Person> {
    let mut combos: Vec<(usize, usize)> = (0..FIRST_NAMES.len())
        .flat_map(|f| (0..SURNAMES.len()).map(move |s| (f, s)))
        .collect();
    rng.shuffle(&mut combos);
    let mut used_first = std::collections::HashSet::new();
    let mut used_last = std::collections::HashSet::new();
    combos
        .into_iter()
        .filter(|(f, s)| {
            // Each first name and each surname once: the department reads
            // as real people, not permutations of a few.
            let fresh = !used_first.contains(f) && !used_last.contains(s);
            if fresh {
                used_first.insert(*f);
                used_last.insert(*s);
            }
            fresh
        })
        .take(n)
        .map(|(f, s)| {
            let (first, first_lat, female) = FIRST_NAMES[f];
            let (male, fem, last_lat) = SURNAMES[s];
            Person {
                name: format!("{first} {}", if female { fem } else { male }),
                // Latin surnames follow the Russian form: Ковалёва → kovaleva.
                email: format!(
                    "{first_lat}.{last_lat}{}@demo.mkpi.local",
                    if female { "a" } else { "" }
                ),
            }
        })
        .collect()
}

/// A hire date between 2017-01-01 and 2025-12-31, as ISO text.
fn hire_date(rng: &mut DemoRng) -> String {
    let start = time::macros::date!(2017 - 01 - 01).to_julian_day();
    let end = time::macros::date!(2025 - 12 - 31).to_julian_day();
    let span = usize::try_from(end - start).unwrap_or(1);
    let day = start + i32::try_from(rng.below(span)).unwrap_or(0);
    time::Date::from_julian_day(day).map_or_else(|_| "2020-01-01".to_string(), |d| d.to_string())
}

impl Services {
    /// Fills an empty database with the demo department and its five
    /// accounts (password [`DEMO_PASSWORD`]).
    pub async fn seed_demo(&self, seed: u64) -> Result<DemoDepartment> {
        let now = self.clock.now();
        let mut tx = self.store.read().await?;
        if !departments::list(&mut tx).await?.is_empty() {
            return Err(Error::Conflict(
                "the database already holds an organisation; the demo needs an empty one"
                    .to_string(),
            ));
        }
        drop(tx);
        // The demo accounts share one password by design, so one slow hash
        // serves all five.
        let hash = hash_password_off_thread(DEMO_PASSWORD.to_string()).await?;

        let mut rng = DemoRng::new(seed);
        let mut tx = self.store.begin().await?;
        let demo = build(&mut tx, &mut rng, now).await?;
        mkpi_store::positions::fill_from_people(&mut tx, now).await?;

        let links = [
            ("admin", "admin", None),
            ("head", "head", Some(demo.head_employee_id)),
            ("manager", "manager", Some(demo.manager_employee_id)),
            ("employee", "employee", Some(demo.employee_employee_id)),
            ("viewer", "viewer", None),
        ];
        for (login, role, employee_id) in links {
            let id = users::insert(
                &mut tx,
                &NewUser {
                    login,
                    password_hash: &hash,
                    role,
                    employee_id,
                    locale: None,
                },
                now,
            )
            .await?;
            audit::record(
                &mut tx,
                now,
                &Author::system("demo"),
                Change {
                    action: "create",
                    entity: "user",
                    entity_id: Some(id),
                    before: None,
                    after: Some(json!({"login": login, "role": role, "employee_id": employee_id})),
                },
            )
            .await?;
        }
        tx.commit().await?;
        Ok(demo)
    }
}

async fn build(tx: &mut Tx, rng: &mut DemoRng, now: i64) -> Result<DemoDepartment> {
    mkpi_store::company::put(
        tx,
        &mkpi_store::company::CompanyFields {
            name: "ООО «Северный ветер»",
            currency: "RUB",
            time_zone: "Europe/Moscow",
            fiscal_year_start_month: 1,
            locale: "ru",
        },
        now,
    )
    .await?;
    let department_id = departments::insert(tx, "Отдел маркетинга", now).await?;
    let headcount = 1 + TEAMS.iter().map(|t| 1 + t.members.len()).sum::<usize>();
    let mut people = people(rng, headcount).into_iter();
    let mut next_person = || {
        people
            .next()
            .ok_or_else(|| Error::Internal("demo name pool exhausted".to_string()))
    };

    let head = next_person()?;
    let head_employee_id = employees::insert(
        tx,
        &NewEmployee {
            department_id,
            team_id: None,
            manager_id: None,
            name: &head.name,
            email: &head.email,
            position: "Директор по маркетингу",
            hire_date: &hire_date(rng),
        },
        now,
    )
    .await?;

    let mut team_ids: Vec<i64> = Vec::new();
    let mut lead_ids: Vec<i64> = Vec::new();
    let mut employee_ids = vec![head_employee_id];
    let mut first_member_of_first_team = None;
    for plan in &TEAMS {
        let parent_id = plan.parent.map(|i| team_ids[i]);
        let team_id = teams::insert(
            tx,
            &NewTeam {
                department_id,
                parent_id,
                name: plan.name,
            },
            now,
        )
        .await?;
        let lead_manager = plan.parent.map_or(head_employee_id, |i| lead_ids[i]);
        let lead = next_person()?;
        let lead_id = employees::insert(
            tx,
            &NewEmployee {
                department_id,
                team_id: Some(team_id),
                manager_id: Some(lead_manager),
                name: &lead.name,
                email: &lead.email,
                position: plan.lead,
                hire_date: &hire_date(rng),
            },
            now,
        )
        .await?;
        teams::set_manager(tx, team_id, Some(lead_id)).await?;
        employee_ids.push(lead_id);
        for position in plan.members {
            let p = next_person()?;
            let id = employees::insert(
                tx,
                &NewEmployee {
                    department_id,
                    team_id: Some(team_id),
                    manager_id: Some(lead_id),
                    name: &p.name,
                    email: &p.email,
                    position,
                    hire_date: &hire_date(rng),
                },
                now,
            )
            .await?;
            if team_ids.is_empty() && first_member_of_first_team.is_none() {
                first_member_of_first_team = Some(id);
            }
            employee_ids.push(id);
        }
        team_ids.push(team_id);
        lead_ids.push(lead_id);
    }
    Ok(DemoDepartment {
        department_id,
        head_employee_id,
        manager_employee_id: lead_ids[0],
        employee_employee_id: first_member_of_first_team
            .ok_or_else(|| Error::Internal("demo plan has an empty first team".to_string()))?,
        team_ids,
        employee_ids,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_generator_is_deterministic_and_names_are_unique() {
        let a: Vec<String> = people(&mut DemoRng::new(7), 20)
            .into_iter()
            .map(|p| p.email)
            .collect();
        let b: Vec<String> = people(&mut DemoRng::new(7), 20)
            .into_iter()
            .map(|p| p.email)
            .collect();
        let c: Vec<String> = people(&mut DemoRng::new(8), 20)
            .into_iter()
            .map(|p| p.email)
            .collect();
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert_eq!(a.len(), 20);
        let unique: std::collections::HashSet<_> = a.iter().collect();
        assert_eq!(unique.len(), 20);
    }

    #[test]
    fn splitmix_gives_its_reference_sequence() {
        // Reference values of SplitMix64 seeded with 0.
        let mut rng = DemoRng::new(0);
        assert_eq!(rng.next_u64(), 0xE220_A839_7B1D_CDAF);
        assert_eq!(rng.next_u64(), 0x6E78_9E6A_A1B9_65F4);
    }
}
