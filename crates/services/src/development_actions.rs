//! Development actions: a manager (or the head) plans training, mentoring,
//! coaching or a stretch assignment for a person they see, with an owner and
//! a due date, often because a flag or a KPI called for it; the person, the
//! owner and the person's managers move it along.

use mkpi_domain::Role;
use mkpi_domain::development::{ActionKind, ActionStatus};
use mkpi_domain::period::Day;
pub use mkpi_store::development_actions::DevelopmentActionRow;
use mkpi_store::development_actions::{self, NewDevelopmentAction};
use mkpi_store::employees;
use serde_json::json;

use crate::audit::{self, Change};
use crate::check_ins::MAX_TEXT;
use crate::{Actor, Error, FieldProblem, Result, Services};

pub const MAX_TITLE: usize = 200;

/// A development action as entered.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NewActionInput {
    pub kind: String,
    pub title: String,
    pub note: String,
    pub due_on: String,
    /// The KPI that needs support, if any.
    pub kpi_id: Option<i64>,
    /// The flag that called for it (`needs_support`, `top_performer`), if any.
    pub flag: Option<String>,
    /// Who sees it through; the author when not given.
    pub owner_employee_id: Option<i64>,
    /// The competency it develops (a code of the framework), if any.
    pub competency: Option<String>,
    /// The review cycle that called for it, if any.
    pub cycle_id: Option<i64>,
}

impl Services {
    /// Plans an action for a person: their manager or the head (someone who
    /// sees them and is not them). Every problem is listed; nothing is
    /// stored unless all is well.
    pub async fn add_development_action(
        &self,
        actor: &Actor,
        employee_id: i64,
        input: &NewActionInput,
    ) -> Result<DevelopmentActionRow> {
        self.get_employee(actor, employee_id).await?;
        let me = match (actor.role, actor.employee_id) {
            (Role::Manager | Role::Head, Some(me)) if me != employee_id => me,
            _ => return Err(Error::Forbidden),
        };
        let today = Day::from_unix_seconds(self.clock.now());
        let mut problems = Vec::new();
        let kind = ActionKind::parse(&input.kind);
        if kind.is_none() {
            problems.push(FieldProblem::new(
                "kind",
                format!(
                    "'{}' is not a kind of action; use one of {}",
                    input.kind,
                    ActionKind::ALL.map(ActionKind::code).join(", ")
                ),
            ));
        }
        let title = input.title.trim();
        if title.is_empty() {
            problems.push(FieldProblem::new("title", "write what the action is"));
        } else if title.chars().count() > MAX_TITLE {
            problems.push(FieldProblem::new(
                "title",
                format!("is longer than {MAX_TITLE} characters"),
            ));
        }
        if input.note.chars().count() > MAX_TEXT {
            problems.push(FieldProblem::new(
                "note",
                format!("is longer than {MAX_TEXT} characters"),
            ));
        }
        match Day::parse(input.due_on.trim()) {
            Ok(due) if due < today => problems.push(FieldProblem::new(
                "due_on",
                format!("{due} is in the past; give today or a later day"),
            )),
            Ok(_) => {}
            Err(e) => problems.push(FieldProblem::period("due_on", &e)),
        }
        let flag = input
            .flag
            .as_deref()
            .map(str::trim)
            .filter(|f| !f.is_empty());
        if let Some(f) = flag
            && !matches!(f, "needs_support" | "top_performer")
        {
            problems.push(FieldProblem::new(
                "flag",
                format!("'{f}' is not a flag; use needs_support or top_performer"),
            ));
        }
        if let Some(kpi_id) = input.kpi_id
            && self.visible_kpi(actor, kpi_id).await.is_err()
        {
            problems.push(FieldProblem::new(
                "kpi_id",
                format!("there is no KPI {kpi_id} you can see"),
            ));
        }
        let competency = input
            .competency
            .as_deref()
            .map(str::trim)
            .filter(|c| !c.is_empty());
        let mut tx = self.store.read().await?;
        if let Some(code) = competency
            && mkpi_store::reviews::competency_by_code(&mut tx, code)
                .await?
                .is_none()
        {
            problems.push(FieldProblem::new(
                "competency",
                format!("'{code}' is not a competency of the framework"),
            ));
        }
        if let Some(cycle) = input.cycle_id
            && !mkpi_store::reviews::participants(&mut tx, cycle)
                .await?
                .contains(&employee_id)
        {
            problems.push(FieldProblem::new(
                "cycle_id",
                format!("the person is not in review cycle {cycle}"),
            ));
        }
        drop(tx);
        let owner = input.owner_employee_id.unwrap_or(me);
        let mut tx = self.store.read().await?;
        let owner_visible = employees::get(&mut tx, &actor.scope, owner).await.is_ok();
        drop(tx);
        if !owner_visible && owner != me {
            problems.push(FieldProblem::new(
                "owner_employee_id",
                format!("there is no person {owner} you can see"),
            ));
        }
        let (Some(kind), true) = (kind, problems.is_empty()) else {
            return Err(Error::Invalid(problems));
        };
        let now = self.clock.now();
        let due_on = input.due_on.trim();
        let note = input.note.trim();
        let mut tx = self.store.begin().await?;
        let id = development_actions::insert(
            &mut tx,
            &NewDevelopmentAction {
                employee_id,
                kind: kind.code(),
                title,
                note,
                kpi_id: input.kpi_id,
                flag,
                competency_code: competency,
                cycle_id: input.cycle_id,
                owner_employee_id: Some(owner),
                due_on,
                created_by_user_id: actor.user_id,
                now,
            },
        )
        .await?;
        audit::record(
            &mut tx,
            now,
            &actor.author(),
            Change {
                action: "create",
                entity: "development_action",
                entity_id: Some(id),
                before: None,
                after: Some(json!({
                    "employee_id": employee_id, "kind": kind.code(), "title": title,
                    "kpi_id": input.kpi_id, "flag": flag, "owner_employee_id": owner, "due_on": due_on,
                    "competency": competency, "cycle_id": input.cycle_id,
                })),
            },
        )
        .await?;
        let row = development_actions::get(&mut tx, id)
            .await?
            .ok_or(Error::NotFound)?;
        tx.commit().await?;
        Ok(row)
    }

    /// A person's development actions, for everyone who sees the person.
    pub async fn development_actions(
        &self,
        actor: &Actor,
        employee_id: i64,
    ) -> Result<Vec<DevelopmentActionRow>> {
        self.get_employee(actor, employee_id).await?;
        if !actor.scope.sees_evaluations() {
            return Err(Error::Forbidden);
        }
        let mut tx = self.store.read().await?;
        Ok(development_actions::for_employee(&mut tx, employee_id).await?)
    }

    /// Moves an action along: the person it is for, its owner, and the
    /// person's managers, the head and admins may.
    pub async fn set_development_action_status(
        &self,
        actor: &Actor,
        id: i64,
        status: &str,
    ) -> Result<DevelopmentActionRow> {
        let mut tx = self.store.read().await?;
        let row = development_actions::get(&mut tx, id)
            .await?
            .ok_or(Error::NotFound)?;
        let sees_person = employees::get(&mut tx, &actor.scope, row.employee_id)
            .await
            .is_ok();
        drop(tx);
        let is_owner = actor.employee_id.is_some() && actor.employee_id == row.owner_employee_id;
        if !sees_person && !is_owner {
            return Err(Error::NotFound);
        }
        let allowed = is_owner
            || match actor.role {
                Role::Admin | Role::Head | Role::Manager => true,
                Role::Employee => actor.employee_id == Some(row.employee_id),
                Role::Viewer => false,
            };
        if !allowed {
            return Err(Error::Forbidden);
        }
        let Some(to) = ActionStatus::parse(status) else {
            return Err(Error::invalid(
                "status",
                format!(
                    "'{status}' is not a status; use one of {}",
                    ActionStatus::ALL.map(ActionStatus::code).join(", ")
                ),
            ));
        };
        let from = ActionStatus::parse(&row.status)
            .ok_or_else(|| Error::Internal(format!("stored status {}", row.status)))?;
        from.check_move(to)
            .map_err(|m| Error::invalid("status", m))?;
        let now = self.clock.now();
        let completed_on =
            (to == ActionStatus::Done).then(|| Day::from_unix_seconds(now).to_string());
        let mut tx = self.store.begin().await?;
        development_actions::set_status(&mut tx, id, to.code(), completed_on.as_deref(), now)
            .await?;
        audit::record(
            &mut tx,
            now,
            &actor.author(),
            Change {
                action: "update",
                entity: "development_action",
                entity_id: Some(id),
                before: Some(json!({"status": row.status})),
                after: Some(json!({"status": to.code(), "completed_on": completed_on})),
            },
        )
        .await?;
        let row = development_actions::get(&mut tx, id)
            .await?
            .ok_or(Error::NotFound)?;
        tx.commit().await?;
        Ok(row)
    }
}
