//! Calibration and dynamics: every person of a cycle side by side with the
//! parts of their score, calibration moves that need a reason, the
//! managers' potential ratings (the 9-box), rater statistics, a what-if of
//! another formula before the cycle is locked, the person's
//! acknowledgement, and each person's history across cycles with team
//! distributions over time.
//!
//! Anonymous answers enter only as the aggregates the results page may
//! show: a perspective under the threshold is missing here as there.

use std::collections::BTreeMap;

use mkpi_domain::Role;
use mkpi_domain::period::Period;
use mkpi_domain::review::{self, Formula, Perspective, Scale, Score};
use mkpi_store::employees;
use mkpi_store::reviews::{self as store, AdjustmentRow, AnswerGroup, CompetencyRow, CycleRow};
use serde_json::json;

use crate::audit::{self, Change};
use crate::check_ins::MAX_TEXT;
use crate::goals::GoalView;
use crate::metrics::ScopeRef;
use crate::reviews::{PerspectiveResult, RaterRow, formula_json, formula_of, manages};
use crate::{Actor, Error, FieldProblem, Result, Services};

/// Why a part of a score is missing, in the words the API gives. Pages put
/// the fixed reasons in the reader's language by matching these, and a
/// perspective's reason through its [`Hidden`].
pub mod missing {
    pub const NO_ANSWERS: &str = "no answers yet";
    pub const NO_RATINGS: &str = "no ratings";
    pub const NO_KPIS: &str = "no KPIs for the period";
    pub const NO_KPI_VALUES: &str = "the KPIs have no values for the period";
    pub const NO_GOALS: &str = "no goals for the period";

    /// Why a perspective's answers are not shown.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum Hidden {
        NoAnswers,
        /// Anonymous answers while the cycle still takes them.
        Collecting(usize),
        /// Anonymous answers fewer than the threshold.
        Below {
            answers: usize,
            threshold: usize,
        },
    }

    impl std::fmt::Display for Hidden {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            match self {
                Hidden::NoAnswers => f.write_str(NO_ANSWERS),
                Hidden::Collecting(n) => write!(
                    f,
                    "{n} answers so far: shown once the assessments close, so that no answer can be read from the change it makes"
                ),
                Hidden::Below { answers, threshold } => write!(
                    f,
                    "{answers} answers: shown from {threshold}, so that no one can be recognised"
                ),
            }
        }
    }
}

/// Each perspective's competency mean on 0–1, or why it is missing.
pub type CompetencyParts = BTreeMap<Perspective, std::result::Result<f64, String>>;

/// What a person's score is made of in one cycle.
#[derive(Debug, Clone, PartialEq)]
pub struct PersonParts {
    pub employee_id: i64,
    /// The KPI achievement score, or why there is none.
    pub kpi: std::result::Result<f64, String>,
    /// The goals' weighted progress, or why there is none.
    pub goals: std::result::Result<f64, String>,
    pub competencies: CompetencyParts,
    pub perspectives: Vec<PerspectiveResult>,
    /// The self mean minus the other shown perspectives' mean (on the scale).
    pub self_gap: Option<f64>,
    /// The mean spread (standard deviation) of the non-self ratings per
    /// competency, from shown groups only.
    pub disagreement: Option<f64>,
}

impl PersonParts {
    pub fn score(&self, formula: &Formula) -> Score {
        formula.score(self.kpi.clone(), self.goals.clone(), &self.competencies)
    }

    /// Each competency's mean over the shown perspectives other than self
    /// (each perspective counts once), on the scale.
    pub fn competency_means(&self) -> BTreeMap<String, f64> {
        let mut sums: BTreeMap<String, (f64, usize)> = BTreeMap::new();
        for p in &self.perspectives {
            if p.perspective == Perspective::SelfReview {
                continue;
            }
            for (code, mean) in &p.competencies {
                let e = sums.entry(code.clone()).or_default();
                e.0 += mean;
                e.1 += 1;
            }
        }
        sums.into_iter()
            .map(|(c, (s, n))| (c, s / n as f64))
            .collect()
    }
}

/// A score after its calibration move, kept within 0–1.
pub fn adjusted(score: Option<f64>, adjustment: Option<&AdjustmentRow>) -> Option<f64> {
    score.map(|s| (s + adjustment.map_or(0.0, |a| a.delta)).clamp(0.0, 1.0))
}

/// A cycle's perspectives from its answers, as anyone may see them:
/// anonymous groups under the threshold hidden, comments in an order that
/// says nothing of who wrote first.
///
/// A perspective's mean weighs each competency by `weights` (code → weight
/// for the person's position; 1 when absent, 0 leaves it out).
pub fn perspectives_of(
    cycle: &CycleRow,
    competencies: &[CompetencyRow],
    groups: &[AnswerGroup],
    raters: &[RaterRow],
    weights: &BTreeMap<String, f64>,
) -> (Vec<PerspectiveResult>, CompetencyParts, Option<f64>) {
    let scale = Scale {
        min: cycle.scale_min,
        max: cycle.scale_max,
    };
    let threshold = review::threshold(cycle.anonymity_threshold.max(0) as usize);
    let mut perspectives = Vec::new();
    let mut parts = BTreeMap::new();
    // Non-self ratings per competency from the groups that are shown.
    let mut spread: BTreeMap<i64, Vec<f64>> = BTreeMap::new();
    for p in Perspective::ALL {
        let answers = raters
            .iter()
            .filter(|r| r.perspective == p.code() && r.status == "submitted")
            .count();
        let hidden = if answers == 0 {
            Some(missing::Hidden::NoAnswers)
        } else if p.anonymous() && cycle.status == "open" {
            // Watching an aggregate change as answers come in would read
            // each new answer out of the difference: nothing anonymous is
            // shown until the answers are all in.
            Some(missing::Hidden::Collecting(answers))
        } else if p.anonymous() && !review::shown(answers, threshold) {
            Some(missing::Hidden::Below { answers, threshold })
        } else {
            None
        };
        let mut means = BTreeMap::new();
        let mut comments = Vec::new();
        if hidden.is_none() {
            for g in groups.iter().filter(|g| g.perspective == p.code()) {
                match g
                    .competency_id
                    .and_then(|id| competencies.iter().find(|c| c.id == id))
                {
                    Some(c) if !g.ratings.is_empty() => {
                        let mean = g.ratings.iter().sum::<i64>() as f64 / g.ratings.len() as f64;
                        means.insert(c.code.clone(), mean);
                        if p != Perspective::SelfReview {
                            spread
                                .entry(c.id)
                                .or_default()
                                .extend(g.ratings.iter().map(|r| *r as f64));
                        }
                    }
                    _ => {}
                }
                comments.extend(g.comments.iter().cloned());
            }
            // Sorted text: the order says nothing of who wrote first.
            comments.sort();
        }
        let weight = |code: &str| weights.get(code).copied().unwrap_or(1.0);
        let total: f64 = means.keys().map(|c| weight(c)).sum();
        let mean =
            (total > 0.0).then(|| means.iter().map(|(c, m)| weight(c) * m).sum::<f64>() / total);
        parts.insert(
            p,
            match (mean, &hidden) {
                (Some(m), _) => Ok(scale.normalise(m)),
                (None, Some(why)) => Err(why.to_string()),
                (None, None) => Err(missing::NO_RATINGS.to_string()),
            },
        );
        perspectives.push(PerspectiveResult {
            perspective: p,
            answers,
            competencies: means,
            mean,
            hidden,
            comments,
        });
    }
    let spreads: Vec<f64> = spread
        .values()
        .filter_map(|r| review::disagreement(r))
        .collect();
    let disagreement =
        (!spreads.is_empty()).then(|| spreads.iter().sum::<f64>() / spreads.len() as f64);
    (perspectives, parts, disagreement)
}

/// The weighted progress of a person's active and done goals in a goal
/// tree computed for the cycle's period.
pub fn goal_score(roots: &[GoalView], employee_id: i64) -> std::result::Result<f64, String> {
    let scope = format!("employee:{employee_id}");
    let mut parts = Vec::new();
    fn walk(v: &[GoalView], scope: &str, out: &mut Vec<(f64, Option<f64>)>) {
        for g in v {
            if g.goal.scope == scope && matches!(g.goal.status.as_str(), "active" | "done") {
                out.push((g.goal.weight, g.progress));
            }
            walk(&g.children, scope, out);
        }
    }
    walk(roots, &scope, &mut parts);
    if parts.is_empty() {
        return Err(missing::NO_GOALS.to_string());
    }
    let weight: f64 = parts.iter().map(|(w, _)| w).sum();
    // A goal without progress yet counts as 0: nothing of it is done.
    Ok(parts.iter().map(|(w, p)| w * p.unwrap_or(0.0)).sum::<f64>() / weight)
}

pub(crate) fn cycle_period(cycle: &CycleRow) -> Result<Period> {
    Period::parse(&cycle.period_from, &cycle.period_to).map_err(|e| Error::Internal(e.to_string()))
}

/// One person in the calibration view.
#[derive(Debug, Clone, PartialEq)]
pub struct CalibrationRow {
    pub employee_id: i64,
    pub name: String,
    pub team_id: Option<i64>,
    pub parts: PersonParts,
    pub score: Score,
    pub adjustment: Option<AdjustmentRow>,
    /// After the calibration move.
    pub final_score: Option<f64>,
    /// By final score, best first; ties share the place.
    pub place: Option<usize>,
    /// The manager's rating of potential, on the cycle's scale.
    pub potential: Option<i64>,
    /// (performance, potential), each 0 low, 1 medium, 2 high.
    pub nine_box: Option<(u8, u8)>,
}

/// A named rater's habits in a cycle (managers; anonymous raters have none
/// to show).
#[derive(Debug, Clone, PartialEq)]
pub struct RaterStat {
    pub rater_employee_id: i64,
    pub name: String,
    pub people: usize,
    /// Their mean rating minus everyone's mean for the same people.
    pub leniency: Option<f64>,
}

/// The calibration view of a cycle.
#[derive(Debug, Clone, PartialEq)]
pub struct Calibration {
    pub cycle: CycleRow,
    pub formula: Formula,
    pub rows: Vec<CalibrationRow>,
    /// Final scores in five bands of 20 points (0–20 … 80–100).
    pub distribution: [usize; 5],
    pub raters: Vec<RaterStat>,
}

/// One person under the current and a proposed formula.
#[derive(Debug, Clone, PartialEq)]
pub struct WhatIfRow {
    pub employee_id: i64,
    pub name: String,
    pub current: Option<f64>,
    pub current_place: Option<usize>,
    pub proposed: Option<f64>,
    pub proposed_place: Option<usize>,
}

/// A formula's weights as entered (any positive scale; kept as shares).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct FormulaInput {
    pub kpi: f64,
    pub goals: f64,
    pub manager: f64,
    pub peer: f64,
    pub client: f64,
    pub self_review: f64,
}

impl FormulaInput {
    /// The formula with weights as shares of 1, or what is wrong.
    pub fn formula(&self) -> Result<Formula> {
        let f = Formula {
            kpi: self.kpi,
            goals: self.goals,
            competencies: [
                (Perspective::Manager, self.manager),
                (Perspective::Peer, self.peer),
                (Perspective::Client, self.client),
                (Perspective::SelfReview, self.self_review),
            ]
            .into(),
        };
        f.check().map_err(|m| Error::invalid("formula", m))?;
        let total = f.kpi + f.goals + f.competencies.values().sum::<f64>();
        Ok(Formula {
            kpi: f.kpi / total,
            goals: f.goals / total,
            competencies: f
                .competencies
                .into_iter()
                .map(|(p, w)| (p, w / total))
                .collect(),
        })
    }
}

/// One point of a person's history.
#[derive(Debug, Clone, PartialEq)]
pub struct HistoryPoint {
    pub cycle: CycleRow,
    /// After calibration, 0–1.
    pub score: Option<f64>,
    pub kpi: Option<f64>,
    pub goals: Option<f64>,
    /// Each competency's mean over the shown non-self perspectives.
    pub competencies: BTreeMap<String, f64>,
}

/// The spread of final scores of one cycle.
#[derive(Debug, Clone, PartialEq)]
pub struct Distribution {
    pub cycle: CycleRow,
    /// Final scores, ascending.
    pub scores: Vec<f64>,
    pub median: Option<f64>,
    pub mean: Option<f64>,
    pub bands: [usize; 5],
}

/// Five bands of 20 points; 1.0 falls in the last.
pub fn bands(scores: &[f64]) -> [usize; 5] {
    let mut out = [0; 5];
    for s in scores {
        let i = ((s * 5.0).floor() as usize).min(4);
        out[i] += 1;
    }
    out
}

/// The median of sorted values.
fn median(scores: &[f64]) -> Option<f64> {
    mkpi_domain::analysis::median(&mut scores.to_vec())
}

impl Services {
    /// The parts of one person's score in a cycle, from a goal tree computed
    /// for the cycle's period.
    pub(crate) async fn person_parts(
        &self,
        cycle: &CycleRow,
        competencies: &[CompetencyRow],
        employee_id: i64,
        roots: &[GoalView],
    ) -> Result<PersonParts> {
        let mut tx = self.store.read().await?;
        let groups = store::answers_of(&mut tx, cycle.id, employee_id).await?;
        let raters = store::raters_of(&mut tx, cycle.id, employee_id).await?;
        let everyone = mkpi_domain::Scope::everyone();
        let position = employees::get(&mut tx, &everyone, employee_id)
            .await?
            .position;
        let weights: BTreeMap<String, f64> = store::competency_weights(&mut tx)
            .await?
            .into_iter()
            .filter(|(_, p, _)| *p == position)
            .map(|(c, _, w)| (c, w))
            .collect();
        drop(tx);
        let (perspectives, competency_parts, disagreement) =
            perspectives_of(cycle, competencies, &groups, &raters, &weights);
        let period = cycle_period(cycle)?;
        let kpis = self
            .kpis_for(&Actor::system(), &ScopeRef::Employee(employee_id), period)
            .await?;
        let kpi = match crate::scorecard::weighted_score(&kpis).0 {
            Some(s) => Ok(s),
            None if kpis.is_empty() => Err(missing::NO_KPIS.to_string()),
            None => Err(missing::NO_KPI_VALUES.to_string()),
        };
        let self_mean = perspectives
            .iter()
            .find(|p| p.perspective == Perspective::SelfReview)
            .and_then(|p| p.mean);
        let others: Vec<f64> = perspectives
            .iter()
            .filter(|p| p.perspective != Perspective::SelfReview)
            .filter_map(|p| p.mean)
            .collect();
        Ok(PersonParts {
            employee_id,
            kpi,
            goals: goal_score(roots, employee_id),
            competencies: competency_parts,
            self_gap: review::self_gap(self_mean, &others),
            disagreement,
            perspectives,
        })
    }

    /// The people of a cycle the caller manages, with their parts.
    async fn managed_parts(
        &self,
        actor: &Actor,
        cycle: &CycleRow,
    ) -> Result<Vec<(employees::EmployeeRow, PersonParts)>> {
        let mut tx = self.store.read().await?;
        let ids = store::participants(&mut tx, cycle.id).await?;
        let competencies = store::cycle_competencies(&mut tx, cycle.id).await?;
        let everyone = mkpi_domain::Scope::everyone();
        let all = employees::list(&mut tx, &everyone).await?;
        drop(tx);
        let people: Vec<employees::EmployeeRow> = all
            .into_iter()
            .filter(|e| ids.contains(&e.id) && manages(actor, e.id, e.team_id))
            .collect();
        if people.is_empty() {
            return Ok(Vec::new());
        }
        let roots = self
            .goal_tree(&Actor::system(), Some(cycle_period(cycle)?))
            .await?;
        let mut out = Vec::new();
        for e in people {
            let parts = self
                .person_parts(cycle, &competencies, e.id, &roots)
                .await?;
            out.push((e, parts));
        }
        Ok(out)
    }

    /// Everyone of a cycle the caller manages, side by side (the head and
    /// admins see all; a manager their people).
    pub async fn calibration(&self, actor: &Actor, cycle_id: i64) -> Result<Calibration> {
        if !actor.scope.sees_evaluations() {
            return Err(Error::NotFound);
        }
        if !matches!(actor.role, Role::Admin | Role::Head | Role::Manager) {
            return Err(Error::Forbidden);
        }
        let mut tx = self.store.read().await?;
        let cycle = store::cycle(&mut tx, cycle_id)
            .await?
            .ok_or(Error::NotFound)?;
        let adjustments = store::adjustments(&mut tx, cycle_id).await?;
        let potentials = store::potentials(&mut tx, cycle_id).await?;
        let named = store::named_ratings(&mut tx, cycle_id).await?;
        drop(tx);
        let formula = formula_of(&cycle.formula);
        let scale = Scale {
            min: cycle.scale_min,
            max: cycle.scale_max,
        };
        let people = self.managed_parts(actor, &cycle).await?;
        let mut rows: Vec<CalibrationRow> = people
            .into_iter()
            .map(|(e, parts)| {
                let score = parts.score(&formula);
                let adjustment = adjustments.iter().find(|a| a.employee_id == e.id).cloned();
                let final_score = adjusted(score.value, adjustment.as_ref());
                let potential = potentials
                    .iter()
                    .find(|(id, _)| *id == e.id)
                    .map(|(_, r)| *r);
                let nine_box = final_score
                    .zip(potential)
                    .map(|(s, p)| review::nine_box(s, scale.normalise(p as f64)));
                CalibrationRow {
                    employee_id: e.id,
                    name: e.name,
                    team_id: e.team_id,
                    parts,
                    score,
                    adjustment,
                    final_score,
                    place: None,
                    potential,
                    nine_box,
                }
            })
            .collect();
        let places = review::ranking(
            &rows
                .iter()
                .map(|r| (r.employee_id, r.final_score))
                .collect::<Vec<_>>(),
        );
        for r in &mut rows {
            r.place = places
                .iter()
                .find(|(id, _)| *id == r.employee_id)
                .and_then(|(_, p)| *p);
        }
        rows.sort_by(|a, b| {
            a.place
                .unwrap_or(usize::MAX)
                .cmp(&b.place.unwrap_or(usize::MAX))
                .then(a.name.cmp(&b.name))
        });
        let finals: Vec<f64> = rows.iter().filter_map(|r| r.final_score).collect();
        // Leniency of the named raters (managers), against everyone's
        // ratings of the same people; anonymous groups enter as their shown
        // means, under a rater id no one has.
        let shown: Vec<i64> = rows.iter().map(|r| r.employee_id).collect();
        let mut ratings: Vec<(i64, i64, f64)> = named
            .iter()
            .filter(|(p, _, ratee, _, _)| p == "manager" && shown.contains(ratee))
            .map(|(_, rater, ratee, _, rating)| (*rater, *ratee, *rating as f64))
            .collect();
        for r in &rows {
            for p in &r.parts.perspectives {
                if p.perspective.anonymous() {
                    ratings.extend(p.competencies.values().map(|m| (-1, r.employee_id, *m)));
                }
            }
        }
        let mut raters: Vec<RaterStat> = Vec::new();
        let mut tx = self.store.read().await?;
        for (_, rater, _, _, _) in named.iter().filter(|n| n.0 == "manager") {
            if raters.iter().any(|s| s.rater_employee_id == *rater) {
                continue;
            }
            let people = ratings
                .iter()
                .filter(|r| r.0 == *rater)
                .map(|r| r.1)
                .collect::<std::collections::BTreeSet<_>>()
                .len();
            if people == 0 {
                continue;
            }
            let everyone = mkpi_domain::Scope::everyone();
            let name = employees::get(&mut tx, &everyone, *rater)
                .await
                .map(|e| e.name)
                .unwrap_or_default();
            raters.push(RaterStat {
                rater_employee_id: *rater,
                name,
                people,
                leniency: review::leniency(&ratings, *rater),
            });
        }
        Ok(Calibration {
            distribution: bands(&finals),
            cycle,
            formula,
            rows,
            raters,
        })
    }

    /// How scores and places would change under another formula (the head
    /// and admins, before the cycle is released).
    pub async fn review_what_if(
        &self,
        actor: &Actor,
        cycle_id: i64,
        proposed: &FormulaInput,
    ) -> Result<Vec<WhatIfRow>> {
        if !matches!(actor.role, Role::Admin | Role::Head) {
            return Err(Error::Forbidden);
        }
        let proposed = proposed.formula()?;
        let mut tx = self.store.read().await?;
        let cycle = store::cycle(&mut tx, cycle_id)
            .await?
            .ok_or(Error::NotFound)?;
        drop(tx);
        let current = formula_of(&cycle.formula);
        let people = self.managed_parts(actor, &cycle).await?;
        let now: Vec<(i64, Option<f64>)> = people
            .iter()
            .map(|(e, p)| (e.id, p.score(&current).value))
            .collect();
        let then: Vec<(i64, Option<f64>)> = people
            .iter()
            .map(|(e, p)| (e.id, p.score(&proposed).value))
            .collect();
        let (now_places, then_places) = (review::ranking(&now), review::ranking(&then));
        let place = |v: &[(i64, Option<usize>)], id: i64| {
            v.iter().find(|(e, _)| *e == id).and_then(|(_, p)| *p)
        };
        let mut rows: Vec<WhatIfRow> = people
            .iter()
            .zip(now.iter().zip(then.iter()))
            .map(|((e, _), ((_, a), (_, b)))| WhatIfRow {
                employee_id: e.id,
                name: e.name.clone(),
                current: *a,
                current_place: place(&now_places, e.id),
                proposed: *b,
                proposed_place: place(&then_places, e.id),
            })
            .collect();
        rows.sort_by_key(|r| (r.proposed_place.unwrap_or(usize::MAX), r.employee_id));
        Ok(rows)
    }

    /// Gives a cycle another formula, one version on (the head and admins,
    /// until the results are released).
    pub async fn set_review_formula(
        &self,
        actor: &Actor,
        cycle_id: i64,
        input: &FormulaInput,
    ) -> Result<CycleRow> {
        if !matches!(actor.role, Role::Admin | Role::Head) {
            return Err(Error::Forbidden);
        }
        let formula = input.formula()?;
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let cycle = store::cycle(&mut tx, cycle_id)
            .await?
            .ok_or(Error::NotFound)?;
        if !matches!(cycle.status.as_str(), "open" | "calibration") {
            return Err(Error::invalid(
                "formula",
                format!(
                    "the cycle is {}; its formula is locked once results are released",
                    cycle.status
                ),
            ));
        }
        let text = formula_json(&formula);
        store::set_formula(&mut tx, cycle_id, &text, now).await?;
        audit::record(
            &mut tx,
            now,
            &actor.author(),
            Change {
                action: "update",
                entity: "review_formula",
                entity_id: Some(cycle_id),
                before: Some(json!({"formula": cycle.formula, "version": cycle.formula_version})),
                after: Some(json!({"formula": text, "version": cycle.formula_version + 1})),
            },
        )
        .await?;
        let row = store::cycle(&mut tx, cycle_id)
            .await?
            .ok_or(Error::NotFound)?;
        tx.commit().await?;
        Ok(row)
    }

    /// Moves a person's final score by `points` (−100 to 100) with a reason,
    /// during calibration (their managers, the head, admins). Zero takes a
    /// move back; the reason is still kept.
    pub async fn adjust_review_score(
        &self,
        actor: &Actor,
        cycle_id: i64,
        employee_id: i64,
        points: f64,
        reason: &str,
    ) -> Result<AdjustmentRow> {
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let person = employees::get(&mut tx, &actor.scope, employee_id)
            .await
            .map_err(|_| Error::NotFound)?;
        let cycle = self.cycle_of(&mut tx, cycle_id, employee_id).await?;
        if !manages(actor, employee_id, person.team_id) {
            return Err(Error::Forbidden);
        }
        let mut problems = Vec::new();
        if cycle.status != "calibration" {
            problems.push(FieldProblem::new(
                "cycle",
                format!(
                    "the cycle is {}; scores are moved during calibration",
                    cycle.status
                ),
            ));
        }
        if !points.is_finite() || !(-100.0..=100.0).contains(&points) {
            problems.push(FieldProblem::new(
                "points",
                "give a move from -100 to 100 points",
            ));
        }
        let reason = reason.trim();
        if reason.is_empty() {
            problems.push(FieldProblem::new(
                "reason",
                "say why the score moves; the reason is kept and shown to the person",
            ));
        } else if reason.chars().count() > MAX_TEXT {
            problems.push(FieldProblem::new(
                "reason",
                format!("is longer than {MAX_TEXT} characters"),
            ));
        }
        if !problems.is_empty() {
            return Err(Error::Invalid(problems));
        }
        let before = store::adjustments(&mut tx, cycle_id)
            .await?
            .into_iter()
            .find(|a| a.employee_id == employee_id);
        let delta = points / 100.0;
        store::set_adjustment(
            &mut tx,
            cycle_id,
            employee_id,
            delta,
            reason,
            actor.author().user_id,
            now,
        )
        .await?;
        audit::record(
            &mut tx,
            now,
            &actor.author(),
            Change {
                action: "update",
                entity: "review_adjustment",
                entity_id: Some(cycle_id),
                before: before.map(
                    |b| json!({"employee_id": employee_id, "delta": b.delta, "reason": b.reason}),
                ),
                after: Some(json!({"employee_id": employee_id, "delta": delta, "reason": reason})),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(AdjustmentRow {
            employee_id,
            delta,
            reason: reason.to_string(),
            at: now,
        })
    }

    /// The manager's rating of a person's potential on the cycle's scale
    /// (the 9-box's other axis), while the cycle is open or in calibration.
    pub async fn rate_potential(
        &self,
        actor: &Actor,
        cycle_id: i64,
        employee_id: i64,
        rating: i64,
    ) -> Result<()> {
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let person = employees::get(&mut tx, &actor.scope, employee_id)
            .await
            .map_err(|_| Error::NotFound)?;
        let cycle = self.cycle_of(&mut tx, cycle_id, employee_id).await?;
        if !manages(actor, employee_id, person.team_id) {
            return Err(Error::Forbidden);
        }
        let mut problems = Vec::new();
        if !matches!(cycle.status.as_str(), "open" | "calibration") {
            problems.push(FieldProblem::new(
                "cycle",
                format!(
                    "the cycle is {}; potential is rated until results are released",
                    cycle.status
                ),
            ));
        }
        let scale = Scale {
            min: cycle.scale_min,
            max: cycle.scale_max,
        };
        if let Err(m) = scale.check(rating) {
            problems.push(FieldProblem::new("rating", m));
        }
        if !problems.is_empty() {
            return Err(Error::Invalid(problems));
        }
        store::set_potential(
            &mut tx,
            cycle_id,
            employee_id,
            rating,
            actor.author().user_id,
            now,
        )
        .await?;
        audit::record(
            &mut tx,
            now,
            &actor.author(),
            Change {
                action: "update",
                entity: "review_potential",
                entity_id: Some(cycle_id),
                before: None,
                after: Some(json!({"employee_id": employee_id, "rating": rating})),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The person acknowledges their released results, with a comment if
    /// they have one (once).
    pub async fn acknowledge_review(
        &self,
        actor: &Actor,
        cycle_id: i64,
        comment: &str,
    ) -> Result<()> {
        let Some(me) = actor.employee_id else {
            return Err(Error::Forbidden);
        };
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let cycle = self.cycle_of(&mut tx, cycle_id, me).await?;
        if !matches!(cycle.status.as_str(), "released" | "closed") {
            return Err(Error::invalid(
                "cycle",
                format!(
                    "the cycle is {}; results are acknowledged once released",
                    cycle.status
                ),
            ));
        }
        if comment.chars().count() > MAX_TEXT {
            return Err(Error::invalid(
                "comment",
                format!("is longer than {MAX_TEXT} characters"),
            ));
        }
        if store::acknowledgement(&mut tx, cycle_id, me)
            .await?
            .is_some()
        {
            return Err(Error::Conflict(
                "the results are acknowledged already".to_string(),
            ));
        }
        store::acknowledge(&mut tx, cycle_id, me, comment.trim(), now).await?;
        audit::record(
            &mut tx,
            now,
            &actor.author(),
            Change {
                action: "create",
                entity: "review_acknowledgement",
                entity_id: Some(cycle_id),
                before: None,
                after: Some(json!({"employee_id": me, "comment": comment.trim()})),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// A person's results across the cycles the caller may see them in,
    /// earliest first: the person once released, their managers always.
    pub async fn review_history(
        &self,
        actor: &Actor,
        employee_id: i64,
    ) -> Result<Vec<HistoryPoint>> {
        if !actor.scope.sees_evaluations() {
            return Err(Error::NotFound);
        }
        let mut tx = self.store.read().await?;
        let person = employees::get(&mut tx, &actor.scope, employee_id)
            .await
            .map_err(|_| Error::NotFound)?;
        let is_self = actor.employee_id == Some(employee_id);
        let manages = manages(actor, employee_id, person.team_id);
        if !is_self && !manages {
            return Err(Error::Forbidden);
        }
        let cycles = store::cycles_of(&mut tx, employee_id).await?;
        drop(tx);
        let mut out = Vec::new();
        for cycle in cycles {
            let released = matches!(cycle.status.as_str(), "released" | "closed");
            if !(manages || released) {
                continue;
            }
            let mut tx = self.store.read().await?;
            let competencies = store::cycle_competencies(&mut tx, cycle.id).await?;
            let adjustment = store::adjustments(&mut tx, cycle.id)
                .await?
                .into_iter()
                .find(|a| a.employee_id == employee_id);
            drop(tx);
            let roots = self
                .goal_tree(&Actor::system(), Some(cycle_period(&cycle)?))
                .await?;
            let parts = self
                .person_parts(&cycle, &competencies, employee_id, &roots)
                .await?;
            let score = parts.score(&formula_of(&cycle.formula));
            out.push(HistoryPoint {
                score: adjusted(score.value, adjustment.as_ref()),
                kpi: parts.kpi.clone().ok(),
                goals: parts.goals.clone().ok(),
                competencies: parts.competency_means(),
                cycle,
            });
        }
        Ok(out)
    }

    /// The spread of final scores per cycle, earliest first, over the people
    /// the caller manages (in one team and the teams under it, when given).
    pub async fn review_distributions(
        &self,
        actor: &Actor,
        team_id: Option<i64>,
    ) -> Result<Vec<Distribution>> {
        if !actor.scope.sees_evaluations() {
            return Err(Error::NotFound);
        }
        if !matches!(actor.role, Role::Admin | Role::Head | Role::Manager) {
            return Err(Error::Forbidden);
        }
        let mut tx = self.store.read().await?;
        let mut cycles = store::cycles(&mut tx).await?;
        let teams = match team_id {
            Some(t) => {
                let tree = mkpi_domain::TeamTree::new(mkpi_store::teams::nodes(&mut tx).await?);
                if !tree.contains(t) {
                    return Err(Error::NotFound);
                }
                Some(tree.subtree(t))
            }
            None => None,
        };
        drop(tx);
        cycles.reverse();
        let mut out = Vec::new();
        for cycle in cycles {
            let mut tx = self.store.read().await?;
            let adjustments = store::adjustments(&mut tx, cycle.id).await?;
            drop(tx);
            let formula = formula_of(&cycle.formula);
            let mut scores: Vec<f64> = self
                .managed_parts(actor, &cycle)
                .await?
                .into_iter()
                .filter(|(e, _)| {
                    teams
                        .as_ref()
                        .is_none_or(|t| e.team_id.is_some_and(|id| t.contains(&id)))
                })
                .filter_map(|(e, p)| {
                    adjusted(
                        p.score(&formula).value,
                        adjustments.iter().find(|a| a.employee_id == e.id),
                    )
                })
                .collect();
            scores.sort_by(f64::total_cmp);
            out.push(Distribution {
                median: median(&scores),
                mean: (!scores.is_empty())
                    .then(|| scores.iter().sum::<f64>() / scores.len() as f64),
                bands: bands(&scores),
                scores,
                cycle,
            });
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bands_cut_at_twenty_points_and_keep_a_full_score_in_the_last() {
        assert_eq!(bands(&[0.0, 0.19, 0.2, 0.55, 0.99, 1.0]), [2, 1, 1, 0, 2]);
        assert_eq!(median(&[0.2, 0.4, 0.9]), Some(0.4));
        assert_eq!(median(&[0.2, 0.4]), Some(0.30000000000000004));
        assert_eq!(median(&[]), None);
    }

    #[test]
    fn an_entered_formula_becomes_shares_and_a_bad_one_says_why() {
        let f = FormulaInput {
            kpi: 40.0,
            goals: 20.0,
            manager: 20.0,
            peer: 10.0,
            client: 5.0,
            self_review: 5.0,
        }
        .formula()
        .unwrap();
        assert_eq!(f, Formula::default());
        let zero = FormulaInput::default().formula().unwrap_err();
        assert_eq!(
            zero.to_string(),
            "invalid input: formula: at least one weight must be above 0"
        );
        let adj = AdjustmentRow {
            employee_id: 1,
            delta: 0.1,
            reason: "x".into(),
            at: 0,
        };
        assert_eq!(adjusted(Some(0.95), Some(&adj)), Some(1.0));
        assert_eq!(adjusted(Some(0.5), None), Some(0.5));
        assert_eq!(adjusted(None, Some(&adj)), None);
    }
}
