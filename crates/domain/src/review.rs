//! Evaluation rules: the competency framework, the rating scale, the
//! perspectives that rate, the anonymity threshold and the rules that keep
//! a small group's answers from being read, the final-score formula with
//! visible renormalisation of missing parts, and rater statistics
//! (leniency, the self-vs-others gap, disagreement).

use std::collections::BTreeMap;

/// Who rates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Perspective {
    SelfReview,
    Manager,
    Peer,
    Client,
}

impl Perspective {
    pub const ALL: [Perspective; 4] = [
        Perspective::SelfReview,
        Perspective::Manager,
        Perspective::Peer,
        Perspective::Client,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Perspective::SelfReview => "self",
            Perspective::Manager => "manager",
            Perspective::Peer => "peer",
            Perspective::Client => "client",
        }
    }

    pub fn parse(code: &str) -> Option<Perspective> {
        Perspective::ALL
            .into_iter()
            .find(|p| p.code() == code.trim())
    }

    /// Peers and clients answer anonymously; the self and the manager
    /// answer by name.
    pub fn anonymous(self) -> bool {
        matches!(self, Perspective::Peer | Perspective::Client)
    }
}

/// A competency with what a low, middle and high rating look like.
#[derive(Debug, Clone, PartialEq)]
pub struct Competency {
    pub code: String,
    pub name_en: String,
    pub name_ru: String,
    /// What a 1, a 3 and a 5 look like (on the default scale).
    pub levels_en: [String; 3],
    pub levels_ru: [String; 3],
}

/// The seed's six competencies, as a framework starts.
pub fn default_framework() -> Vec<Competency> {
    let c = |code: &str, en: &str, ru: &str, l_en: [&str; 3], l_ru: [&str; 3]| Competency {
        code: code.to_string(),
        name_en: en.to_string(),
        name_ru: ru.to_string(),
        levels_en: l_en.map(str::to_string),
        levels_ru: l_ru.map(str::to_string),
    };
    vec![
        c(
            "quality",
            "Quality of work",
            "Качество работы",
            [
                "Work often needs redoing; errors reach others",
                "Work is accurate and complete as agreed",
                "Work sets the standard others copy",
            ],
            [
                "Работу часто приходится переделывать; ошибки доходят до других",
                "Работа точна и полна, как договорились",
                "Работа задаёт стандарт, на который равняются",
            ],
        ),
        c(
            "communication",
            "Communication",
            "Коммуникация",
            [
                "Others learn of problems late or not at all",
                "Keeps the people concerned informed, clearly",
                "Makes complex matters clear to any audience",
            ],
            [
                "О проблемах узнают поздно или не узнают",
                "Ясно держит в курсе всех, кого это касается",
                "Делает сложное понятным любой аудитории",
            ],
        ),
        c(
            "teamwork",
            "Teamwork",
            "Командная работа",
            [
                "Works alone; hands-offs stall",
                "Helps colleagues and keeps shared commitments",
                "Makes the team stronger than its parts",
            ],
            [
                "Работает в одиночку; передача дел буксует",
                "Помогает коллегам и держит общие договорённости",
                "Делает команду сильнее суммы её участников",
            ],
        ),
        c(
            "creativity",
            "Creativity",
            "Креативность",
            [
                "Repeats what was done before",
                "Brings workable new ideas to their tasks",
                "Ideas change how the department works",
            ],
            [
                "Повторяет то, что делалось раньше",
                "Приносит рабочие новые идеи в свои задачи",
                "Идеи меняют то, как работает отдел",
            ],
        ),
        c(
            "analytics",
            "Analytical skills",
            "Аналитические навыки",
            [
                "Decides without looking at the data",
                "Reads the numbers and draws sound conclusions",
                "Finds what the numbers hide and others miss",
            ],
            [
                "Решает, не глядя в данные",
                "Читает цифры и делает верные выводы",
                "Находит в цифрах то, что упускают другие",
            ],
        ),
        c(
            "leadership",
            "Leadership",
            "Лидерство",
            [
                "Waits to be told",
                "Takes ownership and brings others along",
                "People seek them out to lead what matters",
            ],
            [
                "Ждёт указаний",
                "Берёт ответственность и ведёт за собой",
                "К нему идут, чтобы возглавить важное",
            ],
        ),
    ]
}

/// The rating scale of a cycle (1–5 by default).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Scale {
    pub min: i64,
    pub max: i64,
}

impl Default for Scale {
    fn default() -> Self {
        Scale { min: 1, max: 5 }
    }
}

impl Scale {
    pub fn new(min: i64, max: i64) -> Result<Scale, String> {
        if min < 0 || max > 10 || max - min < 2 {
            return Err(format!(
                "a scale from {min} to {max} does not work; use at least three steps between 0 and 10, such as 1 to 5"
            ));
        }
        Ok(Scale { min, max })
    }

    pub fn check(self, rating: i64) -> Result<i64, String> {
        if (self.min..=self.max).contains(&rating) {
            Ok(rating)
        } else {
            Err(format!(
                "{rating} is outside the scale; rate from {} to {}",
                self.min, self.max
            ))
        }
    }

    /// A mean rating as a share of the scale, 0 to 1 (so scores on
    /// different scales and the KPI achievement can be combined).
    pub fn normalise(self, mean: f64) -> f64 {
        ((mean - self.min as f64) / (self.max - self.min) as f64).clamp(0.0, 1.0)
    }
}

/// The fewest answers a peer or client aggregate is ever shown from.
pub const MIN_ANONYMOUS_ANSWERS: usize = 3;

/// A cycle's anonymity threshold: what it asks for, never below three.
pub fn threshold(asked: usize) -> usize {
    asked.max(MIN_ANONYMOUS_ANSWERS)
}

/// Whether an aggregate of `answers` anonymous answers may be shown.
pub fn shown(answers: usize, threshold: usize) -> bool {
    answers >= threshold.max(MIN_ANONYMOUS_ANSWERS)
}

/// Whether two groups of anonymous answers may both be shown: each must
/// reach the threshold and, when one holds the other (a filter narrowed it),
/// they must differ by at least the threshold too, or the difference would
/// read out the few answers in between.
pub fn pair_shown(larger: usize, smaller: usize, nested: bool, threshold: usize) -> bool {
    let t = threshold.max(MIN_ANONYMOUS_ANSWERS);
    if larger < t || smaller < t {
        return false;
    }
    !nested || larger.abs_diff(smaller) == 0 || larger.abs_diff(smaller) >= t
}

/// The weights of a final score: the KPI achievement, the goals' progress
/// and each perspective's competency mean. Stored with the cycle and
/// versioned with it.
#[derive(Debug, Clone, PartialEq)]
pub struct Formula {
    pub kpi: f64,
    pub goals: f64,
    pub competencies: BTreeMap<Perspective, f64>,
}

impl Default for Formula {
    /// KPIs 40%, goals 20%, competencies 40% (manager 20, peers 10,
    /// clients 5, self 5).
    fn default() -> Self {
        Formula {
            kpi: 0.4,
            goals: 0.2,
            competencies: [
                (Perspective::Manager, 0.2),
                (Perspective::Peer, 0.1),
                (Perspective::Client, 0.05),
                (Perspective::SelfReview, 0.05),
            ]
            .into(),
        }
    }
}

/// One part of a score and what became of it.
#[derive(Debug, Clone, PartialEq)]
pub struct Part {
    /// kpi, goals, or a perspective's code.
    pub name: String,
    /// 0 to 1; None when missing.
    pub value: Option<f64>,
    /// The weight the formula gives it.
    pub weight: f64,
    /// The weight it carried after the missing parts were left out.
    pub used_weight: f64,
    /// Why it is missing, when it is.
    pub missing: Option<String>,
}

/// A final score and how it came out of the formula.
#[derive(Debug, Clone, PartialEq)]
pub struct Score {
    /// 0 to 1; None when no part is there.
    pub value: Option<f64>,
    pub parts: Vec<Part>,
}

impl Score {
    /// Whether missing parts moved the others' weights.
    pub fn renormalised(&self) -> bool {
        self.parts
            .iter()
            .any(|p| p.missing.is_some() && p.weight > 0.0)
    }
}

impl Formula {
    pub fn check(&self) -> Result<(), String> {
        let all = std::iter::once(self.kpi)
            .chain(std::iter::once(self.goals))
            .chain(self.competencies.values().copied());
        let mut total = 0.0;
        for w in all {
            if !w.is_finite() || w < 0.0 {
                return Err("every weight must be a number of 0 or more".to_string());
            }
            total += w;
        }
        if total <= 0.0 {
            return Err("at least one weight must be above 0".to_string());
        }
        Ok(())
    }

    /// The weighted score of the parts there are. A missing part is never
    /// counted as 0: it is named with its reason, and the other weights
    /// grow in proportion so that they still sum to the formula's total.
    pub fn score(
        &self,
        kpi: Result<f64, String>,
        goals: Result<f64, String>,
        competencies: &BTreeMap<Perspective, Result<f64, String>>,
    ) -> Score {
        let mut parts: Vec<(String, f64, Result<f64, String>)> = vec![
            ("kpi".to_string(), self.kpi, kpi),
            ("goals".to_string(), self.goals, goals),
        ];
        for p in Perspective::ALL {
            let weight = self.competencies.get(&p).copied().unwrap_or(0.0);
            let value = competencies
                .get(&p)
                .cloned()
                .unwrap_or_else(|| Err("no ratings".to_string()));
            parts.push((p.code().to_string(), weight, value));
        }
        let total: f64 = parts.iter().map(|(_, w, _)| w).sum();
        let present: f64 = parts
            .iter()
            .filter(|(_, _, v)| v.is_ok())
            .map(|(_, w, _)| w)
            .sum();
        let factor = if present > 0.0 { total / present } else { 0.0 };
        let value = (present > 0.0).then(|| {
            parts
                .iter()
                .filter_map(|(_, w, v)| v.as_ref().ok().map(|x| w * factor * x.clamp(0.0, 1.0)))
                .sum::<f64>()
                / total
        });
        Score {
            value,
            parts: parts
                .into_iter()
                .map(|(name, weight, v)| match v {
                    Ok(x) => Part {
                        name,
                        value: Some(x.clamp(0.0, 1.0)),
                        weight,
                        used_weight: weight * factor,
                        missing: None,
                    },
                    Err(why) => Part {
                        name,
                        value: None,
                        weight,
                        used_weight: 0.0,
                        missing: Some(why),
                    },
                })
                .collect(),
        }
    }
}

/// People ranked by score, best first; ties share the better place.
pub fn ranking(scores: &[(i64, Option<f64>)]) -> Vec<(i64, Option<usize>)> {
    let mut scored: Vec<(i64, f64)> = scores
        .iter()
        .filter_map(|(id, s)| s.map(|s| (*id, s)))
        .collect();
    scored.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    let mut out: Vec<(i64, Option<usize>)> = Vec::new();
    for (i, (id, s)) in scored.iter().enumerate() {
        let place = if i > 0 && scored[i - 1].1 == *s {
            out[i - 1].1
        } else {
            Some(i + 1)
        };
        out.push((*id, place));
    }
    out.extend(
        scores
            .iter()
            .filter(|(_, s)| s.is_none())
            .map(|(id, _)| (*id, None)),
    );
    out
}

/// A rater's leniency: their mean rating minus the mean of everyone's
/// ratings of the same people (positive: rates higher than others do).
/// `ratings` are (rater, ratee, rating). None for a rater with no ratings.
pub fn leniency(ratings: &[(i64, i64, f64)], rater: i64) -> Option<f64> {
    let own: Vec<&(i64, i64, f64)> = ratings.iter().filter(|r| r.0 == rater).collect();
    if own.is_empty() {
        return None;
    }
    let own_mean = own.iter().map(|r| r.2).sum::<f64>() / own.len() as f64;
    let ratees: Vec<i64> = own.iter().map(|r| r.1).collect();
    let group: Vec<f64> = ratings
        .iter()
        .filter(|r| ratees.contains(&r.1))
        .map(|r| r.2)
        .collect();
    let group_mean = group.iter().sum::<f64>() / group.len() as f64;
    Some(own_mean - group_mean)
}

/// The self-vs-others gap: the self rating minus the mean of the others'
/// (positive: one sees oneself better than others do).
pub fn self_gap(self_rating: Option<f64>, others: &[f64]) -> Option<f64> {
    let s = self_rating?;
    if others.is_empty() {
        return None;
    }
    Some(s - others.iter().sum::<f64>() / others.len() as f64)
}

/// Disagreement between raters: the (population) standard deviation of
/// their ratings of one person. None for fewer than two ratings.
pub fn disagreement(ratings: &[f64]) -> Option<f64> {
    if ratings.len() < 2 {
        return None;
    }
    let mean = ratings.iter().sum::<f64>() / ratings.len() as f64;
    let var = ratings.iter().map(|r| (r - mean).powi(2)).sum::<f64>() / ratings.len() as f64;
    Some(var.sqrt())
}

/// A cell of the 9-box grid: performance and potential, each low (0),
/// medium (1) or high (2), from a final score and the manager's potential
/// rating, both 0 to 1 (thirds).
pub fn nine_box(performance: f64, potential: f64) -> (u8, u8) {
    let third = |x: f64| {
        if x < 1.0 / 3.0 {
            0
        } else if x < 2.0 / 3.0 {
            1
        } else {
            2
        }
    };
    (third(performance), third(potential))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-12
    }

    #[test]
    fn the_default_framework_has_the_seeds_six_competencies() {
        let codes: Vec<String> = default_framework().into_iter().map(|c| c.code).collect();
        assert_eq!(
            codes,
            [
                "quality",
                "communication",
                "teamwork",
                "creativity",
                "analytics",
                "leadership"
            ]
        );
    }

    #[test]
    fn the_scale_checks_ratings_and_normalises_means() {
        let s = Scale::default();
        assert_eq!(s.check(5), Ok(5));
        assert_eq!(
            s.check(6),
            Err("6 is outside the scale; rate from 1 to 5".into())
        );
        assert_eq!(s.normalise(1.0), 0.0);
        assert_eq!(s.normalise(4.0), 0.75);
        assert_eq!(s.normalise(5.0), 1.0);
        assert!(Scale::new(1, 2).is_err());
        assert_eq!(Scale::new(0, 10), Ok(Scale { min: 0, max: 10 }));
    }

    #[test]
    fn anonymity_never_goes_below_three_answers_nor_reads_a_difference() {
        assert_eq!(threshold(1), 3);
        assert_eq!(threshold(5), 5);
        assert!(!shown(2, 1));
        assert!(shown(3, 1));
        assert!(!shown(4, 5));
        // Two groups of 6 and 5 answers, one inside the other: their
        // difference is one answer. Not both.
        assert!(!pair_shown(6, 5, true, 3));
        assert!(pair_shown(6, 3, true, 3));
        assert!(pair_shown(6, 5, false, 3));
        assert!(pair_shown(6, 6, true, 3));
        assert!(!pair_shown(6, 2, false, 3));
    }

    #[test]
    fn a_full_score_weighs_every_part_as_the_formula_says() {
        let f = Formula::default();
        let comp: BTreeMap<Perspective, Result<f64, String>> = [
            (Perspective::Manager, Ok(0.75)),
            (Perspective::Peer, Ok(0.5)),
            (Perspective::Client, Ok(1.0)),
            (Perspective::SelfReview, Ok(1.0)),
        ]
        .into();
        let s = f.score(Ok(0.9), Ok(0.5), &comp);
        // 0.4×0.9 + 0.2×0.5 + 0.2×0.75 + 0.1×0.5 + 0.05×1 + 0.05×1 = 0.76
        assert!(close(s.value.unwrap(), 0.76), "{:?}", s.value);
        assert!(!s.renormalised());
        assert!(s.parts.iter().all(|p| close(p.weight, p.used_weight)));
    }

    #[test]
    fn a_missing_part_is_named_and_the_others_grow_in_proportion_never_counted_as_zero() {
        let f = Formula::default();
        let comp: BTreeMap<Perspective, Result<f64, String>> = [
            (Perspective::Manager, Ok(0.75)),
            (
                Perspective::Peer,
                Err("2 answers, fewer than 3".to_string()),
            ),
            (Perspective::Client, Ok(1.0)),
            (Perspective::SelfReview, Ok(1.0)),
        ]
        .into();
        let s = f.score(Ok(0.9), Err("no goals for the period".into()), &comp);
        // Present weights 0.4 + 0.2 + 0.05 + 0.05 = 0.7 of 1.0: each grows by 1/0.7.
        // (0.4×0.9 + 0.2×0.75 + 0.05×1 + 0.05×1) / 0.7 = 0.61 / 0.7
        assert!(close(s.value.unwrap(), 0.61 / 0.7), "{:?}", s.value);
        assert!(s.renormalised());
        let goals = s.parts.iter().find(|p| p.name == "goals").unwrap();
        assert_eq!(
            (goals.value, goals.used_weight, goals.missing.as_deref()),
            (None, 0.0, Some("no goals for the period"))
        );
        let kpi = s.parts.iter().find(|p| p.name == "kpi").unwrap();
        assert!(close(kpi.used_weight, 0.4 / 0.7));
        let peer = s.parts.iter().find(|p| p.name == "peer").unwrap();
        assert_eq!(peer.missing.as_deref(), Some("2 answers, fewer than 3"));
        // Nothing at all: no score.
        let none = f.score(Err("x".into()), Err("y".into()), &BTreeMap::new());
        assert_eq!(none.value, None);
        assert!(f.check().is_ok());
        let bad = Formula {
            kpi: -1.0,
            ..Formula::default()
        };
        assert!(bad.check().is_err());
    }

    #[test]
    fn ranking_shares_places_on_ties_and_leaves_the_unscored_last() {
        let r = ranking(&[(1, Some(0.5)), (2, Some(0.8)), (3, None), (4, Some(0.8))]);
        assert_eq!(r, [(2, Some(1)), (4, Some(1)), (1, Some(3)), (3, None)]);
    }

    #[test]
    fn rater_statistics_read_leniency_the_self_gap_and_disagreement() {
        // Rater 10 gives 5 and 5; rater 11 gives 3 and 3, to persons 1 and 2.
        let ratings = [(10, 1, 5.0), (10, 2, 5.0), (11, 1, 3.0), (11, 2, 3.0)];
        assert_eq!(leniency(&ratings, 10), Some(1.0));
        assert_eq!(leniency(&ratings, 11), Some(-1.0));
        assert_eq!(leniency(&ratings, 12), None);
        assert_eq!(self_gap(Some(4.5), &[3.0, 4.0]), Some(1.0));
        assert_eq!(self_gap(None, &[3.0]), None);
        assert_eq!(disagreement(&[2.0, 4.0]), Some(1.0));
        assert_eq!(disagreement(&[3.0]), None);
        assert_eq!(nine_box(0.9, 0.2), (2, 0));
        assert_eq!(nine_box(0.5, 0.5), (1, 1));
    }
}
