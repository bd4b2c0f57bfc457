//! Review cycles: the head opens a cycle for a period and its people;
//! each person rates themself, their manager rates them, peers (nominated
//! by the person or the manager, approved by the manager) rate them
//! anonymously; results combine the KPI score, the goals' progress and each
//! perspective's competency mean by the cycle's formula, and show peer
//! aggregates only from enough answers.
//!
//! Who sees results: the head and admins; the person's managers; the
//! person once the cycle is released. Viewers never (they see department
//! figures only).

use std::collections::BTreeMap;

use mkpi_domain::Role;
use mkpi_domain::period::{Day, Period};
use mkpi_domain::review::{self, Formula, Perspective, Scale};
use mkpi_store::reviews::{self as store, NewCompetency, NewCycle};
pub use mkpi_store::reviews::{AdjustmentRow, CompetencyRow, CycleRow, RaterRow};
use mkpi_store::{Tx, employees};
use serde_json::json;

use crate::audit::{self, Change};
use crate::check_ins::MAX_TEXT;
use crate::{Actor, Error, FieldProblem, Result, Services};

/// What changes in a cycle still taking answers: its name and due dates
/// (each empty keeps the current one), people added and people taken out.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CycleChange {
    pub name: Option<String>,
    pub self_due: Option<String>,
    pub nomination_due: Option<String>,
    pub assessment_due: Option<String>,
    pub calibration_due: Option<String>,
    pub release_due: Option<String>,
    pub add_employee_ids: Vec<i64>,
    pub remove_employee_ids: Vec<i64>,
}

/// A cycle as the head sets it up.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CycleInput {
    pub name: String,
    pub period_from: String,
    /// The day after the period.
    pub period_to: String,
    pub self_due: String,
    pub nomination_due: String,
    pub assessment_due: String,
    pub calibration_due: String,
    /// When results are shared; a week after calibration when not given.
    pub release_due: String,
    /// The people it covers by name; with `team_ids` and `positions` the
    /// union of the three; all empty for everyone active.
    pub employee_ids: Vec<i64>,
    /// Teams it covers, each with the teams under it.
    pub team_ids: Vec<i64>,
    /// Positions it covers (as on the people's records).
    pub positions: Vec<String>,
    /// The anonymity threshold (3 when not given, never lower).
    pub anonymity_threshold: Option<i64>,
    pub min_peers: Option<i64>,
    pub max_peers: Option<i64>,
    /// none, quarterly, half_yearly or yearly.
    pub recurrence: Option<String>,
    /// The rating scale; 1 to 5 when not given.
    pub scale_min: Option<i64>,
    pub scale_max: Option<i64>,
}

/// One competency's rating as given.
#[derive(Debug, Clone, PartialEq)]
pub struct RatingInput {
    pub competency: String,
    pub rating: i64,
    pub comment: String,
}

/// One perspective's part of a person's results.
#[derive(Debug, Clone, PartialEq)]
pub struct PerspectiveResult {
    pub perspective: Perspective,
    /// How many raters answered.
    pub answers: usize,
    /// Mean rating per competency code, when shown.
    pub competencies: BTreeMap<String, f64>,
    /// The mean over competencies on the scale, when shown.
    pub mean: Option<f64>,
    /// Why nothing is shown, when nothing is.
    pub hidden: Option<crate::calibration::missing::Hidden>,
    /// Comments: named for self and manager; for peers and clients without
    /// authors, in an order that says nothing of who wrote first.
    pub comments: Vec<String>,
}

/// Where one person of a cycle stands.
#[derive(Debug, Clone, PartialEq)]
pub struct PersonProgress {
    pub employee_id: i64,
    pub name: String,
    pub self_done: bool,
    pub manager_done: bool,
    pub peers_named: usize,
    pub peers_done: usize,
    pub clients_named: usize,
    pub clients_done: usize,
    /// Whether the caller manages the person (approves peers, invites
    /// clients, rates potential).
    pub manages: bool,
    /// Peers waiting for the manager's approval.
    pub peers_waiting: Vec<RaterRow>,
    /// Whether the caller may read this person's results now.
    pub results_open: bool,
}

/// An assessment the caller still owes: (person, their name, perspective).
#[derive(Debug, Clone, PartialEq)]
pub struct Todo {
    pub employee_id: i64,
    pub name: String,
    pub perspective: Perspective,
}

/// A cycle as the caller sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct CycleView {
    pub cycle: CycleRow,
    pub competencies: Vec<CompetencyRow>,
    /// The people of the cycle the caller sees (never for viewers).
    pub people: Vec<PersonProgress>,
    pub todo: Vec<Todo>,
}

/// A person's results in a cycle.
#[derive(Debug, Clone, PartialEq)]
pub struct Results {
    pub cycle: CycleRow,
    pub employee_id: i64,
    pub formula: Formula,
    /// The score by the formula, before calibration.
    pub score: review::Score,
    /// The score after the calibration move, if any (0 to 1).
    pub final_score: Option<f64>,
    /// The calibration move with its reason.
    pub adjustment: Option<AdjustmentRow>,
    /// The person's acknowledgement: (comment, when).
    pub acknowledgement: Option<(String, i64)>,
    /// The manager's potential rating (for those who manage the person).
    pub potential: Option<i64>,
    pub perspectives: Vec<PerspectiveResult>,
}

/// The five due dates in order (self, nomination, assessment, calibration,
/// release; release a week after calibration when empty), each problem
/// named by its field.
fn checked_dues<'a>(texts: [&String; 5], problems: &mut Vec<FieldProblem>) -> Vec<(&'a str, Day)> {
    let fields = [
        "self_due",
        "nomination_due",
        "assessment_due",
        "calibration_due",
        "release_due",
    ];
    let mut dues: Vec<(&str, Day)> = Vec::new();
    for (field, text) in fields.into_iter().zip(texts) {
        if field == "release_due" && text.trim().is_empty() {
            if let Some((_, calibration)) = dues.last().copied()
                && dues.len() == 4
            {
                dues.push((field, calibration.plus_days(7)));
            }
            continue;
        }
        match Day::parse(text.trim()) {
            Ok(d) => dues.push((field, d)),
            Err(e) => problems.push(FieldProblem::period(field, &e)),
        }
    }
    for pair in dues.windows(2) {
        if pair[1].1 < pair[0].1 {
            problems.push(FieldProblem::new(
                pair[1].0,
                format!(
                    "{} comes before the {} ({})",
                    pair[1].1, pair[0].0, pair[0].1
                ),
            ));
        }
    }
    dues
}

/// Whether the caller manages the person (the head and admins manage
/// everyone else; a manager the people of their teams). Nobody manages
/// themself: nobody reviews, calibrates, rates the potential of, approves
/// peers for or invites clients for themself.
pub(crate) fn manages(actor: &Actor, employee_id: i64, team: Option<i64>) -> bool {
    match actor.role {
        Role::Admin | Role::Head => actor.employee_id != Some(employee_id),
        Role::Manager => {
            actor.employee_id != Some(employee_id) && actor.scope.sees_employee(employee_id, team)
        }
        Role::Employee | Role::Viewer => false,
    }
}

/// The people who can read a person's results, and so can never rate them
/// anonymously: the managers of the person's team and of every team above
/// it, the person's own manager, and everyone with a head's or an admin's
/// account.
pub(crate) async fn results_readers(
    tx: &mut Tx,
    employee_id: i64,
) -> Result<std::collections::BTreeSet<i64>> {
    let everyone = mkpi_domain::Scope::everyone();
    let person = employees::get(tx, &everyone, employee_id).await?;
    let all = mkpi_store::teams::nodes(tx).await?;
    let nodes: BTreeMap<i64, Option<i64>> = all.iter().map(|n| (n.id, n.manager_id)).collect();
    let tree = mkpi_domain::TeamTree::new(all);
    let mut readers: std::collections::BTreeSet<i64> = person
        .team_id
        .map(|t| tree.ancestors(t))
        .unwrap_or_default()
        .into_iter()
        .filter_map(|t| nodes.get(&t).copied().flatten())
        .collect();
    readers.extend(person.manager_id);
    readers.extend(mkpi_store::users::employees_with_roles(tx, &["head", "admin"]).await?);
    readers.remove(&employee_id);
    Ok(readers)
}

pub(crate) fn formula_json(f: &Formula) -> String {
    let comp: serde_json::Map<String, serde_json::Value> = f
        .competencies
        .iter()
        .map(|(p, w)| (p.code().to_string(), json!(w)))
        .collect();
    json!({"kpi": f.kpi, "goals": f.goals, "competencies": comp}).to_string()
}

pub(crate) fn formula_of(text: &str) -> Formula {
    let v: serde_json::Value = serde_json::from_str(text).unwrap_or_default();
    let mut f = Formula {
        kpi: v["kpi"].as_f64().unwrap_or(0.0),
        goals: v["goals"].as_f64().unwrap_or(0.0),
        competencies: BTreeMap::new(),
    };
    if let Some(m) = v["competencies"].as_object() {
        for (k, w) in m {
            if let (Some(p), Some(w)) = (Perspective::parse(k), w.as_f64()) {
                f.competencies.insert(p, w);
            }
        }
    }
    f
}

impl Services {
    /// The active competencies, the seed's six written on first use.
    pub async fn competencies(&self) -> Result<Vec<CompetencyRow>> {
        // A read answers once the seed is written: taking the write lock
        // on every page made each one wait behind a running import.
        let mut tx = self.store.read().await?;
        let rows = store::competencies(&mut tx).await?;
        drop(tx);
        if !rows.is_empty() {
            return Ok(rows);
        }
        let mut tx = self.store.begin().await?;
        let rows = ensure_framework(&mut tx, self.clock.now()).await?;
        tx.commit().await?;
        Ok(rows)
    }

    /// Opens a review cycle (the head and admins). Every problem is listed;
    /// nothing is stored unless all is well.
    pub async fn create_review_cycle(&self, actor: &Actor, input: &CycleInput) -> Result<CycleRow> {
        if !matches!(actor.role, Role::Admin | Role::Head) {
            return Err(Error::Forbidden);
        }
        let mut problems = Vec::new();
        let name = input.name.trim();
        if name.is_empty() || name.chars().count() > 200 {
            problems.push(FieldProblem::new(
                "name",
                "name the cycle (at most 200 characters)",
            ));
        }
        let period = match Period::parse(input.period_from.trim(), input.period_to.trim()) {
            Ok(p) => Some(p),
            Err(e) => {
                problems.push(FieldProblem::period("period_to", &e));
                None
            }
        };
        let dues = checked_dues(
            [
                &input.self_due,
                &input.nomination_due,
                &input.assessment_due,
                &input.calibration_due,
                &input.release_due,
            ],
            &mut problems,
        );
        let threshold = input.anonymity_threshold.unwrap_or(3);
        if threshold < review::MIN_ANONYMOUS_ANSWERS as i64 || threshold > 50 {
            problems.push(FieldProblem::new(
                "anonymity_threshold",
                format!(
                    "{threshold} is not allowed: anonymous answers are shown from 3 up (at most 50)"
                ),
            ));
        }
        let (min_peers, max_peers) = (input.min_peers.unwrap_or(3), input.max_peers.unwrap_or(8));
        if min_peers < 0 || max_peers < min_peers || max_peers > 30 {
            problems.push(FieldProblem::new(
                "max_peers",
                format!(
                    "peers from {min_peers} to {max_peers} do not work; give 0 ≤ min ≤ max ≤ 30"
                ),
            ));
        }
        let default_scale = Scale::default();
        let scale = match Scale::new(
            input.scale_min.unwrap_or(default_scale.min),
            input.scale_max.unwrap_or(default_scale.max),
        ) {
            Ok(s) => s,
            Err(m) => {
                problems.push(FieldProblem::new("scale_max", m));
                default_scale
            }
        };
        let recurrence = input.recurrence.as_deref().unwrap_or("none").trim();
        if !["none", "quarterly", "half_yearly", "yearly"].contains(&recurrence) {
            problems.push(FieldProblem::new(
                "recurrence",
                format!(
                    "'{recurrence}' is not a recurrence; use none, quarterly, half_yearly or yearly"
                ),
            ));
        }
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let everyone = mkpi_domain::Scope::everyone();
        let staff: Vec<employees::EmployeeRow> = employees::list(&mut tx, &everyone)
            .await?
            .into_iter()
            .filter(|e| e.active)
            .collect();
        let active: Vec<i64> = staff.iter().map(|e| e.id).collect();
        let tree = mkpi_domain::TeamTree::new(mkpi_store::teams::nodes(&mut tx).await?);
        let mut teams = std::collections::BTreeSet::new();
        for t in &input.team_ids {
            if tree.contains(*t) {
                teams.extend(tree.subtree(*t));
            } else {
                problems.push(FieldProblem::new(
                    "team_ids",
                    format!("there is no team {t}"),
                ));
            }
        }
        let positions: Vec<&str> = input
            .positions
            .iter()
            .map(|p| p.trim())
            .filter(|p| !p.is_empty())
            .collect();
        for p in &positions {
            if !staff.iter().any(|e| e.position == *p) {
                problems.push(FieldProblem::new(
                    "positions",
                    format!("no active person holds the position '{p}'"),
                ));
            }
        }
        let mut people =
            if input.employee_ids.is_empty() && teams.is_empty() && positions.is_empty() {
                active.clone()
            } else {
                let mut chosen = input.employee_ids.clone();
                chosen.extend(staff.iter().filter_map(|e| {
                    (e.team_id.is_some_and(|t| teams.contains(&t))
                        || positions.contains(&e.position.as_str()))
                    .then_some(e.id)
                }));
                chosen
            };
        people.sort_unstable();
        people.dedup();
        if people.is_empty() && problems.is_empty() {
            problems.push(FieldProblem::new(
                "team_ids",
                "the teams and positions chosen hold no active person",
            ));
        }
        for e in &people {
            if !active.contains(e) {
                problems.push(FieldProblem::new(
                    "employee_ids",
                    format!("there is no active person {e}"),
                ));
            }
        }
        let (Some(period), true) = (period, problems.is_empty()) else {
            return Err(Error::Invalid(problems));
        };
        let competencies = ensure_framework(&mut tx, now).await?;
        let ids: Vec<i64> = competencies.iter().map(|c| c.id).collect();
        let formula = formula_json(&Formula::default());
        let (from, to) = (period.from.to_string(), period.to.to_string());
        let day = |i: usize| dues[i].1.to_string();
        let (d0, d1, d2, d3, d4) = (day(0), day(1), day(2), day(3), day(4));
        let id = store::insert_cycle(
            &mut tx,
            &NewCycle {
                name,
                period_from: &from,
                period_to: &to,
                self_due: &d0,
                nomination_due: &d1,
                assessment_due: &d2,
                calibration_due: &d3,
                release_due: &d4,
                scale_min: scale.min,
                scale_max: scale.max,
                anonymity_threshold: threshold,
                min_peers,
                max_peers,
                formula: &formula,
                recurrence,
            },
            &people,
            &ids,
            actor.author().user_id,
            now,
        )
        .await?;
        audit::record(
            &mut tx,
            now,
            &actor.author(),
            Change {
                action: "create",
                entity: "review_cycle",
                entity_id: Some(id),
                before: None,
                after: Some(json!({
                    "name": name, "period_from": from, "period_to": to, "people": people.len(),
                    "anonymity_threshold": threshold, "formula": formula,
                })),
            },
        )
        .await?;
        let row = store::cycle(&mut tx, id).await?.ok_or(Error::NotFound)?;
        tx.commit().await?;
        Ok(row)
    }

    /// Changes a cycle while it takes answers (the head, admins): its name,
    /// due dates, and who is in it. A person someone has answered about
    /// stays; one taken out goes with the raters named for them.
    pub async fn update_review_cycle(
        &self,
        actor: &Actor,
        cycle_id: i64,
        change: &CycleChange,
    ) -> Result<CycleRow> {
        if !matches!(actor.role, Role::Admin | Role::Head) {
            return Err(Error::Forbidden);
        }
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let before = store::cycle(&mut tx, cycle_id)
            .await?
            .ok_or(Error::NotFound)?;
        if before.status != "open" {
            return Err(Error::Conflict(format!(
                "the cycle is {}: its dates and people change only while it takes answers",
                before.status
            )));
        }
        let mut problems = Vec::new();
        let keep = |new: &Option<String>, old: &str| {
            new.as_deref()
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .unwrap_or(old)
                .to_string()
        };
        let name = keep(&change.name, &before.name);
        if name.chars().count() > 200 {
            problems.push(FieldProblem::new(
                "name",
                "name the cycle (at most 200 characters)",
            ));
        }
        let texts = [
            keep(&change.self_due, &before.self_due),
            keep(&change.nomination_due, &before.nomination_due),
            keep(&change.assessment_due, &before.assessment_due),
            keep(&change.calibration_due, &before.calibration_due),
            keep(
                &change.release_due,
                before.release_due.as_deref().unwrap_or(""),
            ),
        ];
        let dues = checked_dues(
            [&texts[0], &texts[1], &texts[2], &texts[3], &texts[4]],
            &mut problems,
        );
        let people = store::participants(&mut tx, cycle_id).await?;
        let everyone = mkpi_domain::Scope::everyone();
        let staff = employees::list(&mut tx, &everyone).await?;
        let name_of = |id: i64| {
            staff
                .iter()
                .find(|e| e.id == id)
                .map_or_else(|| format!("#{id}"), |e| e.name.clone())
        };
        let mut added = Vec::new();
        for id in &change.add_employee_ids {
            match staff.iter().find(|e| e.id == *id) {
                Some(e) if !e.active => problems.push(FieldProblem::new(
                    "add_employee_ids",
                    format!("{} has left", e.name),
                )),
                Some(e) if people.contains(id) => problems.push(FieldProblem::new(
                    "add_employee_ids",
                    format!("{} is in the cycle already", e.name),
                )),
                Some(_) => added.push(*id),
                None => problems.push(FieldProblem::new(
                    "add_employee_ids",
                    format!("there is no person {id}"),
                )),
            }
        }
        let mut removed = Vec::new();
        for id in &change.remove_employee_ids {
            if !people.contains(id) {
                problems.push(FieldProblem::new(
                    "remove_employee_ids",
                    format!("{} is not in the cycle", name_of(*id)),
                ));
            } else if store::has_answers(&mut tx, cycle_id, *id).await? {
                problems.push(FieldProblem::new(
                    "remove_employee_ids",
                    format!("{} has answers in this cycle and stays in it", name_of(*id)),
                ));
            } else {
                removed.push(*id);
            }
        }
        added.sort_unstable();
        added.dedup();
        removed.sort_unstable();
        removed.dedup();
        if people.len() + added.len() == removed.len() {
            problems.push(FieldProblem::new(
                "remove_employee_ids",
                "a cycle keeps at least one person",
            ));
        }
        if dues.len() != 5 || !problems.is_empty() {
            return Err(Error::Invalid(problems));
        }
        let days: Vec<String> = dues.iter().map(|(_, d)| d.to_string()).collect();
        store::update_cycle_plan(
            &mut tx,
            cycle_id,
            &name,
            [&days[0], &days[1], &days[2], &days[3], &days[4]],
            now,
        )
        .await?;
        for id in &added {
            store::add_participant(&mut tx, cycle_id, *id).await?;
        }
        for id in &removed {
            store::remove_participant(&mut tx, cycle_id, *id).await?;
        }
        audit::record(
            &mut tx,
            now,
            &actor.author(),
            Change {
                action: "update",
                entity: "review_cycle",
                entity_id: Some(cycle_id),
                before: Some(json!({
                    "name": before.name, "self_due": before.self_due, "nomination_due": before.nomination_due,
                    "assessment_due": before.assessment_due, "calibration_due": before.calibration_due,
                    "release_due": before.release_due, "people": people.len(),
                })),
                after: Some(json!({
                    "name": name, "self_due": days[0], "nomination_due": days[1], "assessment_due": days[2],
                    "calibration_due": days[3], "release_due": days[4],
                    "added": added, "removed": removed,
                })),
            },
        )
        .await?;
        let row = store::cycle(&mut tx, cycle_id)
            .await?
            .ok_or(Error::NotFound)?;
        tx.commit().await?;
        Ok(row)
    }

    /// Every cycle (names and dates are no secret; results are).
    pub async fn review_cycles(&self, _actor: &Actor) -> Result<Vec<CycleRow>> {
        let mut tx = self.store.read().await?;
        Ok(store::cycles(&mut tx).await?)
    }

    /// A cycle with the progress of the people the caller sees and the
    /// assessments the caller owes.
    pub async fn review_cycle(&self, actor: &Actor, cycle_id: i64) -> Result<CycleView> {
        let mut tx = self.store.read().await?;
        let cycle = store::cycle(&mut tx, cycle_id)
            .await?
            .ok_or(Error::NotFound)?;
        let competencies = store::cycle_competencies(&mut tx, cycle_id).await?;
        let participants = store::participants(&mut tx, cycle_id).await?;
        let raters = store::raters_in(&mut tx, cycle_id).await?;
        let everyone = mkpi_domain::Scope::everyone();
        let all = employees::list(&mut tx, &everyone).await?;
        let name_of = |id: i64| {
            all.iter()
                .find(|e| e.id == id)
                .map(|e| e.name.clone())
                .unwrap_or_default()
        };
        let released = matches!(cycle.status.as_str(), "released" | "closed");
        let mut people = Vec::new();
        let mut todo = Vec::new();
        for id in &participants {
            let team = all.iter().find(|e| e.id == *id).and_then(|e| e.team_id);
            let mine: Vec<&RaterRow> = raters.iter().filter(|r| r.employee_id == *id).collect();
            let done = |p: &str| {
                mine.iter()
                    .any(|r| r.perspective == p && r.status == "submitted")
            };
            let is_self = actor.employee_id == Some(*id);
            let manages = manages(actor, *id, team);
            if cycle.status == "open" {
                if is_self && !done("self") {
                    todo.push(Todo {
                        employee_id: *id,
                        name: name_of(*id),
                        perspective: Perspective::SelfReview,
                    });
                }
                if manages && !is_self && actor.employee_id.is_some() && !done("manager") {
                    todo.push(Todo {
                        employee_id: *id,
                        name: name_of(*id),
                        perspective: Perspective::Manager,
                    });
                }
                if mine.iter().any(|r| {
                    r.perspective == "peer"
                        && r.status == "approved"
                        && r.rater_employee_id == actor.employee_id
                }) {
                    todo.push(Todo {
                        employee_id: *id,
                        name: name_of(*id),
                        perspective: Perspective::Peer,
                    });
                }
            }
            if !actor.scope.sees_evaluations() || !actor.scope.sees_employee(*id, team) {
                continue;
            }
            let peers: Vec<&&RaterRow> = mine
                .iter()
                .filter(|r| r.perspective == "peer" && r.status != "declined")
                .collect();
            people.push(PersonProgress {
                employee_id: *id,
                name: name_of(*id),
                self_done: done("self"),
                manager_done: done("manager"),
                peers_named: peers.len(),
                peers_done: peers.iter().filter(|r| r.status == "submitted").count(),
                clients_named: mine.iter().filter(|r| r.perspective == "client").count(),
                clients_done: mine
                    .iter()
                    .filter(|r| r.perspective == "client" && r.status == "submitted")
                    .count(),
                manages,
                peers_waiting: if manages {
                    peers
                        .iter()
                        .filter(|r| r.status == "nominated")
                        .map(|r| (**r).clone())
                        .collect()
                } else {
                    Vec::new()
                },
                results_open: manages || (is_self && released),
            });
        }
        Ok(CycleView {
            cycle,
            competencies,
            people,
            todo,
        })
    }

    /// A cycle in which the person takes part, or NotFound.
    pub(crate) async fn cycle_of(
        &self,
        tx: &mut Tx,
        cycle_id: i64,
        employee_id: i64,
    ) -> Result<CycleRow> {
        let cycle = store::cycle(tx, cycle_id).await?.ok_or(Error::NotFound)?;
        if !store::participants(tx, cycle_id)
            .await?
            .contains(&employee_id)
        {
            return Err(Error::NotFound);
        }
        Ok(cycle)
    }

    /// Names a peer to rate a person: the person (a nomination their manager
    /// approves) or their manager (approved at once).
    pub async fn nominate_peer(
        &self,
        actor: &Actor,
        cycle_id: i64,
        employee_id: i64,
        peer_id: i64,
    ) -> Result<RaterRow> {
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let person = employees::get(&mut tx, &actor.scope, employee_id)
            .await
            .map_err(|_| Error::NotFound)?;
        let cycle = self.cycle_of(&mut tx, cycle_id, employee_id).await?;
        let is_self = actor.employee_id == Some(employee_id);
        let manages = manages(actor, employee_id, person.team_id);
        if !is_self && !manages {
            return Err(Error::Forbidden);
        }
        let mut problems = Vec::new();
        if cycle.status != "open" {
            problems.push(FieldProblem::new(
                "cycle",
                format!(
                    "the cycle is {}; peers are named while it is open",
                    cycle.status
                ),
            ));
        }
        let everyone = mkpi_domain::Scope::everyone();
        let peer_ok = employees::get(&mut tx, &everyone, peer_id)
            .await
            .is_ok_and(|e| e.active);
        let readers = results_readers(&mut tx, employee_id).await?;
        if readers.contains(&peer_id) {
            problems.push(FieldProblem::new(
                "peer_employee_id",
                "this person can read the results (as a manager, the head or an admin), so cannot rate anonymously",
            ));
        } else if peer_id == employee_id || !peer_ok {
            problems.push(FieldProblem::new(
                "peer_employee_id",
                if peer_id == employee_id {
                    "a person cannot be their own peer".to_string()
                } else {
                    format!("there is no active person {peer_id}")
                },
            ));
        }
        let raters = store::raters_of(&mut tx, cycle_id, employee_id).await?;
        let peers: Vec<&RaterRow> = raters
            .iter()
            .filter(|r| r.perspective == "peer" && r.status != "declined")
            .collect();
        if peers.iter().any(|r| r.rater_employee_id == Some(peer_id)) {
            problems.push(FieldProblem::new(
                "peer_employee_id",
                "this peer is named already",
            ));
        } else if peers.len() as i64 >= cycle.max_peers {
            problems.push(FieldProblem::new(
                "peer_employee_id",
                format!(
                    "{} peers are named already, the most this cycle takes",
                    peers.len()
                ),
            ));
        }
        if !problems.is_empty() {
            return Err(Error::Invalid(problems));
        }
        let status = if manages { "approved" } else { "nominated" };
        let id = store::add_rater(
            &mut tx,
            cycle_id,
            employee_id,
            "peer",
            Some(peer_id),
            status,
            actor.author().user_id,
            now,
        )
        .await?;
        audit::record(
            &mut tx,
            now,
            &actor.author(),
            Change {
                action: "create",
                entity: "review_rater",
                entity_id: Some(id),
                before: None,
                after: Some(json!({"cycle_id": cycle_id, "employee_id": employee_id, "peer": peer_id, "status": status})),
            },
        )
        .await?;
        let row = store::rater(&mut tx, id).await?.ok_or(Error::NotFound)?;
        tx.commit().await?;
        Ok(row)
    }

    /// Approves or declines a peer named by the person (their managers,
    /// the head, admins).
    pub async fn decide_peer(
        &self,
        actor: &Actor,
        rater_id: i64,
        approve: bool,
    ) -> Result<RaterRow> {
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let rater = store::rater(&mut tx, rater_id)
            .await?
            .ok_or(Error::NotFound)?;
        let person = employees::get(&mut tx, &actor.scope, rater.employee_id)
            .await
            .map_err(|_| Error::NotFound)?;
        if !manages(actor, rater.employee_id, person.team_id) {
            return Err(Error::Forbidden);
        }
        if rater.status != "nominated" {
            return Err(Error::invalid(
                "status",
                format!("the nomination is {} already", rater.status),
            ));
        }
        let status = if approve { "approved" } else { "declined" };
        store::set_rater_status(&mut tx, rater_id, status).await?;
        audit::record(
            &mut tx,
            now,
            &actor.author(),
            Change {
                action: "update",
                entity: "review_rater",
                entity_id: Some(rater_id),
                before: Some(json!({"status": rater.status})),
                after: Some(json!({"status": status})),
            },
        )
        .await?;
        let row = store::rater(&mut tx, rater_id)
            .await?
            .ok_or(Error::NotFound)?;
        tx.commit().await?;
        Ok(row)
    }

    /// Submits one assessment: a rating for every competency of the cycle
    /// (each with an optional comment) and an overall comment. The self
    /// and the manager answer by name; an approved peer answers
    /// anonymously: the answer is stored without them. Once only.
    pub async fn submit_assessment(
        &self,
        actor: &Actor,
        cycle_id: i64,
        employee_id: i64,
        perspective: &str,
        ratings: &[RatingInput],
        comment: &str,
    ) -> Result<()> {
        let now = self.clock.now();
        let Some(me) = actor.employee_id else {
            return Err(Error::Forbidden);
        };
        let mut tx = self.store.begin().await?;
        let cycle = self.cycle_of(&mut tx, cycle_id, employee_id).await?;
        let Some(p) = Perspective::parse(perspective) else {
            return Err(Error::invalid(
                "perspective",
                format!("'{perspective}' is not a perspective; use self, manager or peer"),
            ));
        };
        let existing = store::rater_for(&mut tx, cycle_id, employee_id, p.code(), me).await?;
        let allowed = match p {
            Perspective::SelfReview => me == employee_id,
            Perspective::Manager => {
                let team = employees::team_of(&mut tx, employee_id).await?.flatten();
                me != employee_id && manages(actor, employee_id, team)
            }
            // A results reader named before the rule never answers as a peer.
            Perspective::Peer => {
                existing
                    .as_ref()
                    .is_some_and(|r| r.status == "approved" || r.status == "submitted")
                    && !results_readers(&mut tx, employee_id).await?.contains(&me)
            }
            // Clients answer through their own link.
            Perspective::Client => false,
        };
        if !allowed {
            return Err(Error::Forbidden);
        }
        if existing.as_ref().is_some_and(|r| r.status == "submitted") {
            return Err(Error::Conflict(
                "this assessment is submitted already; answers are final".to_string(),
            ));
        }
        let mut problems = Vec::new();
        let competencies = store::cycle_competencies(&mut tx, cycle_id).await?;
        let answers = check_answers(&cycle, &competencies, ratings, comment, &mut problems);
        if !problems.is_empty() {
            return Err(Error::Invalid(problems));
        }
        let named = (!p.anonymous()).then_some(me);
        write_answers(&mut tx, cycle_id, employee_id, p, named, &answers, comment).await?;
        match existing {
            Some(r) => store::set_rater_status(&mut tx, r.id, "submitted").await?,
            None => {
                store::add_rater(
                    &mut tx,
                    cycle_id,
                    employee_id,
                    p.code(),
                    Some(me),
                    "submitted",
                    None,
                    now,
                )
                .await?;
            }
        }
        if p.anonymous() {
            // An anonymous answer leaves no entry of its own in the audit
            // log, whose second and subject could be lined up with other
            // entries (a sign-in, a page seen): a count for the cycle's day.
            store::count_anonymous_answer(
                &mut tx,
                cycle_id,
                &Day::from_unix_seconds(now).to_string(),
            )
            .await?;
        } else {
            audit::record(
                &mut tx,
                now,
                &actor.author(),
                Change {
                    action: "create",
                    entity: "review_assessment",
                    entity_id: Some(cycle_id),
                    before: None,
                    after: Some(json!({"employee_id": employee_id, "perspective": p.code()})),
                },
            )
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Moves a cycle on: open → calibration → released → closed (the head
    /// and admins). Results reach the people once released.
    pub async fn set_review_cycle_status(
        &self,
        actor: &Actor,
        cycle_id: i64,
        status: &str,
    ) -> Result<CycleRow> {
        if !matches!(actor.role, Role::Admin | Role::Head) {
            return Err(Error::Forbidden);
        }
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let cycle = store::cycle(&mut tx, cycle_id)
            .await?
            .ok_or(Error::NotFound)?;
        let next = match cycle.status.as_str() {
            "open" => "calibration",
            "calibration" => "released",
            "released" => "closed",
            _ => "",
        };
        if next.is_empty() || status != next {
            return Err(Error::invalid(
                "status",
                if next.is_empty() {
                    format!("the cycle is {} and cannot move on", cycle.status)
                } else {
                    format!("the cycle is {}; it moves on to {next}", cycle.status)
                },
            ));
        }
        store::set_cycle_status(&mut tx, cycle_id, status, now).await?;
        audit::record(
            &mut tx,
            now,
            &actor.author(),
            Change {
                action: "update",
                entity: "review_cycle",
                entity_id: Some(cycle_id),
                before: Some(json!({"status": cycle.status})),
                after: Some(json!({"status": status})),
            },
        )
        .await?;
        let row = store::cycle(&mut tx, cycle_id)
            .await?
            .ok_or(Error::NotFound)?;
        tx.commit().await?;
        Ok(row)
    }

    /// A person's results as the caller may see them.
    pub async fn review_results(
        &self,
        actor: &Actor,
        cycle_id: i64,
        employee_id: i64,
    ) -> Result<Results> {
        let mut tx = self.store.read().await?;
        if !actor.scope.sees_evaluations() {
            return Err(Error::NotFound);
        }
        let person = employees::get(&mut tx, &actor.scope, employee_id)
            .await
            .map_err(|_| Error::NotFound)?;
        let cycle = self.cycle_of(&mut tx, cycle_id, employee_id).await?;
        let is_self = actor.employee_id == Some(employee_id);
        let manages = manages(actor, employee_id, person.team_id);
        let released = matches!(cycle.status.as_str(), "released" | "closed");
        if !(manages || is_self && released) {
            return Err(Error::Forbidden);
        }
        let competencies = store::cycle_competencies(&mut tx, cycle_id).await?;
        let adjustment = store::adjustments(&mut tx, cycle_id)
            .await?
            .into_iter()
            .find(|a| a.employee_id == employee_id);
        let acknowledgement = store::acknowledgement(&mut tx, cycle_id, employee_id).await?;
        let potential = if manages {
            store::potentials(&mut tx, cycle_id)
                .await?
                .into_iter()
                .find(|(e, _)| *e == employee_id)
                .map(|(_, r)| r)
        } else {
            None
        };
        drop(tx);
        let roots = self
            .goal_tree(
                &Actor::system(),
                Some(crate::calibration::cycle_period(&cycle)?),
            )
            .await?;
        let parts = self
            .person_parts(&cycle, &competencies, employee_id, &roots)
            .await?;
        let formula = formula_of(&cycle.formula);
        let score = parts.score(&formula);
        let final_score = crate::calibration::adjusted(score.value, adjustment.as_ref());
        Ok(Results {
            cycle,
            employee_id,
            formula,
            score,
            final_score,
            adjustment,
            acknowledgement,
            potential,
            perspectives: parts.perspectives,
        })
    }
}

/// Checks one assessment against its cycle: the cycle open, every
/// competency rated once on the scale, comments within bounds. Returns
/// (competency id, rating, comment) for each rating; problems are added.
pub(crate) fn check_answers(
    cycle: &CycleRow,
    competencies: &[CompetencyRow],
    ratings: &[RatingInput],
    comment: &str,
    problems: &mut Vec<FieldProblem>,
) -> Vec<(i64, i64, String)> {
    if cycle.status != "open" {
        problems.push(FieldProblem::new(
            "cycle",
            format!(
                "the cycle is {}; assessments are taken while it is open",
                cycle.status
            ),
        ));
    }
    let scale = Scale {
        min: cycle.scale_min,
        max: cycle.scale_max,
    };
    let mut by_id: Vec<(i64, i64, String)> = Vec::new();
    for r in ratings {
        match competencies.iter().find(|c| c.code == r.competency.trim()) {
            None => problems.push(FieldProblem::new(
                "ratings",
                format!("'{}' is not a competency of this cycle", r.competency),
            )),
            Some(c) if by_id.iter().any(|(id, _, _)| *id == c.id) => problems.push(
                FieldProblem::new("ratings", format!("{} is rated twice", c.code)),
            ),
            Some(c) => match scale.check(r.rating) {
                Ok(v) => by_id.push((c.id, v, r.comment.trim().to_string())),
                Err(m) => problems.push(FieldProblem::new("ratings", format!("{}: {m}", c.code))),
            },
        }
        if r.comment.chars().count() > MAX_TEXT {
            problems.push(FieldProblem::new(
                "ratings",
                format!(
                    "the comment on {} is longer than {MAX_TEXT} characters",
                    r.competency
                ),
            ));
        }
    }
    for c in competencies {
        if !ratings.iter().any(|r| r.competency.trim() == c.code) {
            problems.push(FieldProblem::new(
                "ratings",
                format!("{} is not rated", c.code),
            ));
        }
    }
    if comment.chars().count() > MAX_TEXT {
        problems.push(FieldProblem::new(
            "comment",
            format!("is longer than {MAX_TEXT} characters"),
        ));
    }
    by_id
}

/// Writes one checked assessment: a row per rating and one for the overall
/// comment, with the rater only for the named perspectives.
pub(crate) async fn write_answers(
    tx: &mut Tx,
    cycle_id: i64,
    employee_id: i64,
    p: Perspective,
    named: Option<i64>,
    answers: &[(i64, i64, String)],
    comment: &str,
) -> Result<()> {
    for (competency_id, rating, text) in answers {
        store::add_answer(
            tx,
            cycle_id,
            employee_id,
            p.code(),
            named,
            Some(*competency_id),
            Some(*rating),
            text,
        )
        .await?;
    }
    if !comment.trim().is_empty() {
        store::add_answer(
            tx,
            cycle_id,
            employee_id,
            p.code(),
            named,
            None,
            None,
            comment.trim(),
        )
        .await?;
    }
    Ok(())
}

/// The active competencies; the seed's six are written when there are none.
pub(crate) async fn ensure_framework(tx: &mut Tx, now: i64) -> Result<Vec<CompetencyRow>> {
    let rows = store::competencies(tx).await?;
    if !rows.is_empty() {
        return Ok(rows);
    }
    for (i, c) in review::default_framework().iter().enumerate() {
        let en = serde_json::to_string(&c.levels_en).unwrap_or_default();
        let ru = serde_json::to_string(&c.levels_ru).unwrap_or_default();
        store::insert_competency(
            tx,
            &NewCompetency {
                code: &c.code,
                name_en: &c.name_en,
                name_ru: &c.name_ru,
                levels_en: &en,
                levels_ru: &ru,
                position: i as i64,
            },
            now,
        )
        .await?;
    }
    Ok(store::competencies(tx).await?)
}
