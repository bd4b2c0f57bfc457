//! Check-ins on KPIs (progress with a confidence level and a comment) and
//! 1:1 notes with next steps, private to the manager and the report unless
//! shared.

use mkpi_domain::Role;
use mkpi_domain::period::Day;
use mkpi_store::check_ins::{self, NewCheckIn, NewOneOnOne};
pub use mkpi_store::check_ins::{CheckInRow, OneOnOneRow};
use mkpi_store::kpis;
use serde_json::json;

use crate::audit::{self, Change};
use crate::metrics::ScopeRef;
use crate::{Actor, Error, FieldProblem, Result, Services};

pub const MAX_TEXT: usize = 4000;

/// A note changed within this long of being written is simply corrected;
/// a later change shows as an edit.
pub const QUIET_EDIT_SECS: i64 = 24 * 60 * 60;

/// Whether the caller may change a check-in or 1:1 notes written by
/// `author` (a user): only the one who wrote them.
pub fn may_change_note(actor: &Actor, author: Option<i64>) -> bool {
    author == Some(actor.user_id)
}

/// When a change at `now` to a note written at `written` marks it edited.
fn edited(written: i64, now: i64) -> Option<i64> {
    (now - written > QUIET_EDIT_SECS).then_some(now)
}

/// A change to a check-in: the fields given.
#[derive(Debug, Clone, Default)]
pub struct CheckInChange {
    pub confidence: Option<i64>,
    pub comment: Option<String>,
}

/// A change to a 1:1's notes: the fields given.
#[derive(Debug, Clone, Default)]
pub struct OneOnOneChange {
    pub held_on: Option<String>,
    pub notes: Option<String>,
    pub next_steps: Option<String>,
    pub shared: Option<bool>,
}

fn text_problem(field: &str, text: &str, required: bool) -> Option<FieldProblem> {
    if required && text.trim().is_empty() {
        Some(FieldProblem::new(field, "write something"))
    } else if text.chars().count() > MAX_TEXT {
        Some(FieldProblem::new(
            field,
            format!("is longer than {MAX_TEXT} characters"),
        ))
    } else {
        None
    }
}

impl Services {
    /// A KPI the caller may see, or NotFound.
    pub(crate) async fn visible_kpi(
        &self,
        actor: &Actor,
        kpi_id: i64,
    ) -> Result<(kpis::KpiRow, ScopeRef)> {
        let mut tx = self.store.read().await?;
        let row = kpis::get(&mut tx, kpi_id).await?.ok_or(Error::NotFound)?;
        let scope = ScopeRef::parse(&row.scope).map_err(|_| Error::NotFound)?;
        crate::metrics::resolve(&mut tx, actor, &scope).await?;
        Ok((row, scope))
    }

    /// Records progress on a KPI: the person it is set for, their managers,
    /// the head and admins may; the value at this moment is kept with it.
    pub async fn add_check_in(
        &self,
        actor: &Actor,
        kpi_id: i64,
        confidence: i64,
        comment: &str,
    ) -> Result<CheckInRow> {
        let (row, scope) = self.visible_kpi(actor, kpi_id).await?;
        let own = matches!(scope, ScopeRef::Employee(id) if Some(id) == actor.employee_id);
        let allowed = match actor.role {
            Role::Admin | Role::Head | Role::Manager => true,
            Role::Employee => own,
            Role::Viewer => false,
        };
        if !allowed {
            return Err(Error::Forbidden);
        }
        let mut problems = Vec::new();
        if !(1..=5).contains(&confidence) {
            problems.push(FieldProblem::new(
                "confidence",
                "must be from 1 (will miss) to 5 (certain to meet)",
            ));
        }
        problems.extend(text_problem("comment", comment, true));
        if !problems.is_empty() {
            return Err(Error::Invalid(problems));
        }
        let period = mkpi_domain::period::Period::parse(&row.period_from, &row.period_to)
            .map_err(|e| Error::Internal(e.to_string()))?;
        let value = self
            .kpis_for(actor, &scope, period)
            .await?
            .into_iter()
            .find(|k| k.id == kpi_id)
            .and_then(|k| k.value);
        let now = self.clock.now();
        let author = actor.author();
        let name = actor
            .employee_name
            .clone()
            .unwrap_or_else(|| actor.login.clone());
        let mut tx = self.store.begin().await?;
        let id = check_ins::insert(
            &mut tx,
            &NewCheckIn {
                kpi_id,
                author_user_id: actor.user_id,
                author_name: &name,
                at: now,
                confidence,
                comment: comment.trim(),
                value,
            },
        )
        .await?;
        audit::record(
            &mut tx,
            now,
            &author,
            Change {
                action: "create",
                entity: "check_in",
                entity_id: Some(id),
                before: None,
                after: Some(json!({"kpi_id": kpi_id, "confidence": confidence, "value": value})),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(CheckInRow {
            id,
            kpi_id,
            author_user_id: actor.user_id,
            author_name: name,
            at: now,
            confidence,
            comment: comment.trim().to_string(),
            value,
            edited_at: None,
        })
    }

    pub async fn check_ins(&self, actor: &Actor, kpi_id: i64) -> Result<Vec<CheckInRow>> {
        self.visible_kpi(actor, kpi_id).await?;
        let mut tx = self.store.read().await?;
        Ok(check_ins::for_kpi(&mut tx, kpi_id).await?)
    }

    /// Notes of a 1:1, written by the report's manager (or the head): the
    /// caller must be a person who sees the report, and not the report.
    pub async fn add_one_on_one(
        &self,
        actor: &Actor,
        employee_id: i64,
        held_on: &str,
        notes: &str,
        next_steps: &str,
        shared: bool,
    ) -> Result<OneOnOneRow> {
        self.get_employee(actor, employee_id).await?;
        let manager = match (actor.role, actor.employee_id) {
            (Role::Manager | Role::Head, Some(me)) if me != employee_id => me,
            _ => return Err(Error::Forbidden),
        };
        let mut problems = Vec::new();
        if let Err(e) = Day::parse(held_on) {
            problems.push(FieldProblem::period("held_on", &e));
        }
        problems.extend(text_problem("notes", notes, true));
        problems.extend(text_problem("next_steps", next_steps, false));
        if !problems.is_empty() {
            return Err(Error::Invalid(problems));
        }
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let id = check_ins::insert_one_on_one(
            &mut tx,
            &NewOneOnOne {
                employee_id,
                manager_employee_id: manager,
                held_on: held_on.trim(),
                notes: notes.trim(),
                next_steps: next_steps.trim(),
                shared,
                created_by_user_id: actor.user_id,
                created_at: now,
            },
        )
        .await?;
        // The audit log says that a 1:1 was recorded, not what was said.
        audit::record(
            &mut tx,
            now,
            &actor.author(),
            Change {
                action: "create",
                entity: "one_on_one",
                entity_id: Some(id),
                before: None,
                after: Some(json!({"employee_id": employee_id, "held_on": held_on.trim(), "shared": shared})),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(OneOnOneRow {
            id,
            employee_id,
            manager_employee_id: manager,
            held_on: held_on.trim().to_string(),
            notes: notes.trim().to_string(),
            next_steps: next_steps.trim().to_string(),
            shared,
            created_at: now,
            created_by_user_id: Some(actor.user_id),
            edited_at: None,
        })
    }

    /// A person's 1:1 notes as the caller may read them: the pair reads all,
    /// others who see the person read the shared ones only.
    pub async fn one_on_ones(&self, actor: &Actor, employee_id: i64) -> Result<Vec<OneOnOneRow>> {
        self.get_employee(actor, employee_id).await?;
        if !actor.scope.sees_evaluations() {
            return Err(Error::Forbidden);
        }
        let mut tx = self.store.read().await?;
        Ok(check_ins::one_on_ones(&mut tx, employee_id, actor.employee_id).await?)
    }

    /// Changes a check-in: its author only. A change more than a day after
    /// it was written shows as an edit; the audit log keeps both versions.
    pub async fn update_check_in(
        &self,
        actor: &Actor,
        id: i64,
        change: &CheckInChange,
    ) -> Result<CheckInRow> {
        let before = {
            let mut tx = self.store.read().await?;
            check_ins::check_in(&mut tx, id)
                .await?
                .ok_or(Error::NotFound)?
        };
        self.visible_kpi(actor, before.kpi_id).await?;
        if !may_change_note(actor, Some(before.author_user_id)) {
            return Err(Error::Forbidden);
        }
        let confidence = change.confidence.unwrap_or(before.confidence);
        let comment = change.comment.as_deref().unwrap_or(&before.comment);
        let mut problems = Vec::new();
        if !(1..=5).contains(&confidence) {
            problems.push(FieldProblem::new(
                "confidence",
                "must be from 1 (will miss) to 5 (certain to meet)",
            ));
        }
        problems.extend(text_problem("comment", comment, true));
        if !problems.is_empty() {
            return Err(Error::Invalid(problems));
        }
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        check_ins::update_check_in(
            &mut tx,
            id,
            confidence,
            comment.trim(),
            edited(before.at, now),
        )
        .await?;
        let after = check_ins::check_in(&mut tx, id)
            .await?
            .ok_or(Error::NotFound)?;
        audit::record(
            &mut tx,
            now,
            &actor.author(),
            Change {
                action: "update",
                entity: "check_in",
                entity_id: Some(id),
                before: Some(json!({"confidence": before.confidence, "comment": before.comment})),
                after: Some(json!({"confidence": after.confidence, "comment": after.comment})),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Changes a 1:1's notes: the one who wrote them only. A change more
    /// than a day later shows as an edit; the audit log says that the notes
    /// changed, not what they say.
    pub async fn update_one_on_one(
        &self,
        actor: &Actor,
        id: i64,
        change: &OneOnOneChange,
    ) -> Result<OneOnOneRow> {
        let before = {
            let mut tx = self.store.read().await?;
            check_ins::one_on_one(&mut tx, id)
                .await?
                .ok_or(Error::NotFound)?
        };
        // Private notes are not found by those who may not read them.
        let readable = before.shared
            || actor.employee_id == Some(before.employee_id)
            || actor.employee_id == Some(before.manager_employee_id);
        if !readable || self.get_employee(actor, before.employee_id).await.is_err() {
            return Err(Error::NotFound);
        }
        if !may_change_note(actor, before.created_by_user_id) {
            return Err(Error::Forbidden);
        }
        let held_on = change.held_on.as_deref().unwrap_or(&before.held_on).trim();
        let notes = change.notes.as_deref().unwrap_or(&before.notes);
        let next_steps = change.next_steps.as_deref().unwrap_or(&before.next_steps);
        let shared = change.shared.unwrap_or(before.shared);
        let mut problems = Vec::new();
        if let Err(e) = Day::parse(held_on) {
            problems.push(FieldProblem::period("held_on", &e));
        }
        problems.extend(text_problem("notes", notes, true));
        problems.extend(text_problem("next_steps", next_steps, false));
        if !problems.is_empty() {
            return Err(Error::Invalid(problems));
        }
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        check_ins::update_one_on_one(
            &mut tx,
            id,
            &NewOneOnOne {
                employee_id: before.employee_id,
                manager_employee_id: before.manager_employee_id,
                held_on,
                notes: notes.trim(),
                next_steps: next_steps.trim(),
                shared,
                created_by_user_id: actor.user_id,
                created_at: before.created_at,
            },
            edited(before.created_at, now),
        )
        .await?;
        let after = check_ins::one_on_one(&mut tx, id)
            .await?
            .ok_or(Error::NotFound)?;
        audit::record(
            &mut tx,
            now,
            &actor.author(),
            Change {
                action: "update",
                entity: "one_on_one",
                entity_id: Some(id),
                before: Some(json!({"held_on": before.held_on, "shared": before.shared})),
                after: Some(json!({"held_on": after.held_on, "shared": after.shared, "notes_changed": before.notes != after.notes || before.next_steps != after.next_steps})),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }
}
