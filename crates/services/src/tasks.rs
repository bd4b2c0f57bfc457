//! Tasks: the work that serves goals. A manager (or the head) sets tasks
//! for the people they see, a person may set their own; the assignee and
//! their managers move a task along (planned → in progress → review →
//! done, or cancelled); the assignee logs time; on completion a manager
//! rates its quality (1–5 with a comment). Tasks imported from trackers
//! share the model: their status belongs to the tracker, but they can be
//! rated and linked to goals here.

use mkpi_domain::Role;
use mkpi_domain::period::Day;
use mkpi_domain::task::{Priority, TaskKind, TaskStatus};
pub use mkpi_store::tasks::TaskRow;
pub use mkpi_store::tasks::TimeEntryRow;
use mkpi_store::tasks::{self, TaskFilter, TaskValues};
use mkpi_store::{Tx, employees};
use serde_json::json;

use crate::audit::{self, Change};
use crate::check_ins::MAX_TEXT;
use crate::{Actor, Error, FieldProblem, Result, Services};

pub const MAX_TITLE: usize = 200;

/// A task as entered.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TaskInput {
    pub title: String,
    pub description: String,
    pub kind: String,
    /// The caller when not given.
    pub assignee_employee_id: Option<i64>,
    /// urgent, high, normal (the default) or low.
    pub priority: Option<String>,
    pub start: Option<String>,
    pub due: String,
    pub estimate_hours: Option<f64>,
    /// In major units, with its currency.
    pub budget: Option<f64>,
    pub currency: Option<String>,
    pub goal_id: Option<i64>,
    pub campaign_id: Option<i64>,
}

/// What a task list is limited to, as asked.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TaskQuery {
    pub assignee: Option<i64>,
    pub team: Option<i64>,
    pub goal_id: Option<i64>,
    pub status: Option<String>,
    pub kind: Option<String>,
    pub overdue: bool,
    /// Finished tasks only from this day (YYYY-MM-DD); open ones always.
    pub finished_since: Option<String>,
}

/// A task with its time entries.
#[derive(Debug, Clone, PartialEq)]
pub struct TaskDetail {
    pub task: TaskRow,
    /// Time logged on it, latest first.
    pub time: Vec<TimeLine>,
    pub overdue: bool,
    pub can_move: bool,
    pub can_rate: bool,
    pub can_log_time: bool,
    /// Whether the caller may link it to a goal.
    pub can_link: bool,
    /// Whether the caller may change it, and delete it (no time logged, not rated).
    pub can_edit: bool,
    pub can_delete: bool,
}

/// A time entry with whether the caller may change it: their own,
/// logged here (an imported one belongs to its tracker).
#[derive(Debug, Clone, PartialEq)]
pub struct TimeLine {
    pub entry: TimeEntryRow,
    pub can_change: bool,
}

/// Time as logged: a day (today or earlier), hours, what was done.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TimeInput {
    pub date: String,
    pub hours: f64,
    pub description: String,
}

/// A task's fields, checked.
struct CheckedTask {
    title: String,
    description: String,
    kind: TaskKind,
    assignee: i64,
    priority: Priority,
    start: Option<String>,
    due: String,
    estimate_hours: Option<f64>,
    budget_minor: Option<i64>,
    currency: Option<String>,
    goal_id: Option<i64>,
    campaign_id: Option<i64>,
}

impl CheckedTask {
    fn values(&self) -> TaskValues<'_> {
        TaskValues {
            title: &self.title,
            description: &self.description,
            kind: self.kind.code(),
            assignee_employee_id: self.assignee,
            priority: self.priority.code(),
            start: self.start.as_deref(),
            due: &self.due,
            estimate_hours: self.estimate_hours,
            budget_minor: self.budget_minor,
            currency: self.currency.as_deref(),
            goal_id: self.goal_id,
            campaign_id: self.campaign_id,
        }
    }

    /// As the audit log keeps it.
    fn json(&self) -> serde_json::Value {
        json!({
            "title": self.title, "description": self.description, "kind": self.kind.code(),
            "assignee_employee_id": self.assignee, "priority": self.priority.code(),
            "start": self.start, "due": self.due, "estimate_hours": self.estimate_hours,
            "budget_minor": self.budget_minor, "currency": self.currency,
            "goal_id": self.goal_id, "campaign_id": self.campaign_id,
        })
    }
}

/// A task as the caller reads it: a quality rating is a person's
/// evaluation, which the viewer does not read.
fn unrated_for(actor: &Actor, mut t: TaskRow) -> TaskRow {
    if !actor.scope.sees_evaluations() {
        t.quality = None;
        t.quality_comment = None;
    }
    t
}

/// A stored task as the audit log keeps it.
fn task_json(t: &TaskRow) -> serde_json::Value {
    json!({
        "title": t.title, "description": t.description, "kind": t.kind,
        "assignee_employee_id": t.assignee_employee_id, "priority": t.priority,
        "start": t.start, "due": t.due, "estimate_hours": t.estimate_hours,
        "budget_minor": t.budget_minor, "currency": t.currency,
        "goal_id": t.goal_id, "campaign_id": t.campaign_id, "status": t.status,
    })
}

impl Services {
    /// Sets a task: for oneself, or (managers, the head, admins) for
    /// someone one sees. Every problem is listed; nothing is stored unless
    /// all is well.
    pub async fn create_task(&self, actor: &Actor, input: &TaskInput) -> Result<TaskRow> {
        if actor.role == Role::Viewer {
            return Err(Error::Forbidden);
        }
        let mut tx = self.store.begin().await?;
        let c = self.checked_task(&mut tx, actor, input).await?;
        let now = self.clock.now();
        let today = Day::from_unix_seconds(now);
        let id =
            tasks::insert(&mut tx, &c.values(), &today.to_string(), actor.user_id, now).await?;
        audit::record(
            &mut tx,
            now,
            &actor.author(),
            Change {
                action: "create",
                entity: "task",
                entity_id: Some(id),
                before: None,
                after: Some(c.json()),
            },
        )
        .await?;
        let row = tasks::get(&mut tx, id).await?.ok_or(Error::NotFound)?;
        tx.commit().await?;
        Ok(row)
    }

    /// Who may change or delete a task made here: the assignee's managers,
    /// and the assignee for a task they set themself. A tracker's tasks
    /// change in the tracker.
    fn may_edit_task(&self, actor: &Actor, task: &TaskRow) -> Result<()> {
        let is_assignee =
            actor.employee_id.is_some() && actor.employee_id == task.assignee_employee_id;
        let own = is_assignee && task.created_by_user_id == Some(actor.user_id);
        if !(own || self.manages_task(actor, task)) {
            return Err(Error::Forbidden);
        }
        if let Some(import) = task.import_id {
            return Err(Error::Conflict(format!(
                "task {} comes from a tracker (import {import}); change it there and import again",
                task.task
            )));
        }
        Ok(())
    }

    /// Changes a task made here: what, who, when and how much. Its status,
    /// time and rating stay; a finished task keeps its assignee.
    pub async fn update_task(&self, actor: &Actor, id: i64, input: &TaskInput) -> Result<TaskRow> {
        let mut tx = self.store.begin().await?;
        let before = self.visible_task(&mut tx, actor, id).await?;
        self.may_edit_task(actor, &before)?;
        let input = TaskInput {
            assignee_employee_id: input.assignee_employee_id.or(before.assignee_employee_id),
            ..input.clone()
        };
        let c = self.checked_task(&mut tx, actor, &input).await?;
        if before.status == TaskStatus::Done.code()
            && before.assignee_employee_id != Some(c.assignee)
        {
            return Err(Error::invalid(
                "assignee_employee_id",
                "the task is done: it stays with the person who did it",
            ));
        }
        let now = self.clock.now();
        tasks::update(&mut tx, id, &c.values(), now).await?;
        audit::record(
            &mut tx,
            now,
            &actor.author(),
            Change {
                action: "update",
                entity: "task",
                entity_id: Some(id),
                before: Some(task_json(&before)),
                after: Some(c.json()),
            },
        )
        .await?;
        let row = tasks::get(&mut tx, id).await?.ok_or(Error::NotFound)?;
        tx.commit().await?;
        Ok(row)
    }

    /// Deletes a task set by mistake. One with logged time or a rating is
    /// part of the record: cancel it instead.
    pub async fn delete_task(&self, actor: &Actor, id: i64) -> Result<()> {
        let mut tx = self.store.begin().await?;
        let before = self.visible_task(&mut tx, actor, id).await?;
        self.may_edit_task(actor, &before)?;
        if !tasks::time_entries(&mut tx, &before.task).await?.is_empty() {
            return Err(Error::Conflict(format!(
                "time is logged on task {}: cancel it instead",
                before.task
            )));
        }
        if before.quality.is_some() {
            return Err(Error::Conflict(format!(
                "task {} is rated: cancel it instead",
                before.task
            )));
        }
        let now = self.clock.now();
        tasks::delete(&mut tx, id).await?;
        audit::record(
            &mut tx,
            now,
            &actor.author(),
            Change {
                action: "delete",
                entity: "task",
                entity_id: Some(id),
                before: Some(task_json(&before)),
                after: None,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// A task as entered, checked: every problem at once.
    async fn checked_task(
        &self,
        tx: &mut Tx,
        actor: &Actor,
        input: &TaskInput,
    ) -> Result<CheckedTask> {
        let assignee = input
            .assignee_employee_id
            .or(actor.employee_id)
            .ok_or_else(|| {
                Error::invalid(
                    "assignee_employee_id",
                    "say who does it: your account is linked to no person",
                )
            })?;
        let mut problems = Vec::new();
        match employees::get(tx, &actor.scope, assignee).await {
            Ok(_) => {
                if actor.role == Role::Employee && Some(assignee) != actor.employee_id {
                    return Err(Error::Forbidden);
                }
            }
            Err(_) => problems.push(FieldProblem::coded(
                "assignee_employee_id",
                "err-no-person-visible",
                vec![("id", assignee.to_string())],
                format!("there is no person {assignee} you can see"),
            )),
        }
        let kind = TaskKind::parse(&input.kind);
        if kind.is_none() {
            problems.push(FieldProblem::coded(
                "kind",
                "err-task-kind",
                vec![
                    ("value", input.kind.clone()),
                    ("known", TaskKind::ALL.map(TaskKind::code).join(", ")),
                ],
                format!(
                    "'{}' is not a kind of task; use one of {}",
                    input.kind,
                    TaskKind::ALL.map(TaskKind::code).join(", ")
                ),
            ));
        }
        let priority_text = input
            .priority
            .as_deref()
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .unwrap_or("normal");
        let priority = Priority::parse(priority_text);
        if priority.is_none() {
            problems.push(FieldProblem::coded(
                "priority",
                "err-task-priority",
                vec![
                    ("value", priority_text.to_string()),
                    ("known", Priority::ALL.map(Priority::code).join(", ")),
                ],
                format!(
                    "'{priority_text}' is not a priority; use one of {}",
                    Priority::ALL.map(Priority::code).join(", ")
                ),
            ));
        }
        let title = input.title.trim();
        if title.is_empty() {
            problems.push(FieldProblem::coded(
                "title",
                "err-task-title",
                vec![],
                "write what is to be done",
            ));
        } else if title.chars().count() > MAX_TITLE {
            problems.push(FieldProblem::coded(
                "title",
                "err-too-long",
                vec![("max", MAX_TITLE.to_string())],
                format!("is longer than {MAX_TITLE} characters"),
            ));
        }
        if input.description.chars().count() > MAX_TEXT {
            problems.push(FieldProblem::coded(
                "description",
                "err-too-long",
                vec![("max", MAX_TEXT.to_string())],
                format!("is longer than {MAX_TEXT} characters"),
            ));
        }
        let due = match Day::parse(input.due.trim()) {
            Ok(d) => Some(d),
            Err(e) => {
                problems.push(FieldProblem::period("due", &e));
                None
            }
        };
        let start = match input
            .start
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            None => None,
            Some(s) => match Day::parse(s) {
                Ok(d) => Some(d),
                Err(e) => {
                    problems.push(FieldProblem::period("start", &e));
                    None
                }
            },
        };
        if let (Some(s), Some(d)) = (start, due)
            && d < s
        {
            problems.push(FieldProblem::coded(
                "due",
                "err-due-before-start",
                vec![("due", d.to_string()), ("start", s.to_string())],
                format!("{d} is before the start {s}"),
            ));
        }
        if input
            .estimate_hours
            .is_some_and(|h| !(h.is_finite() && (0.0..=10_000.0).contains(&h)))
        {
            problems.push(FieldProblem::coded(
                "estimate_hours",
                "err-estimate",
                vec![],
                "give the hours as a number from 0 to 10000",
            ));
        }
        let (budget_minor, currency) =
            crate::checks::budget(input.budget, input.currency.as_deref(), &mut problems);
        if let Some(g) = input.goal_id {
            self.check_goal_for_task(tx, actor, g, &mut problems)
                .await?;
        }
        // A campaign the caller cannot see is no campaign to them: the same
        // answer as one that does not exist, so ids cannot be probed.
        if let Some(c) = input.campaign_id {
            let visible =
                match crate::metrics::resolve(tx, actor, &crate::metrics::ScopeRef::Campaign(c))
                    .await
                {
                    Ok(_) => true,
                    Err(Error::NotFound) => false,
                    Err(e) => return Err(e),
                };
            if !visible {
                problems.push(FieldProblem::coded(
                    "campaign_id",
                    "err-no-campaign",
                    vec![("id", c.to_string())],
                    format!("there is no campaign {c}"),
                ));
            }
        }
        let (Some(kind), Some(priority), Some(due), true) =
            (kind, priority, due, problems.is_empty())
        else {
            return Err(Error::Invalid(problems));
        };
        Ok(CheckedTask {
            title: title.to_string(),
            description: input.description.trim().to_string(),
            kind,
            assignee,
            priority,
            start: start.map(|s| s.to_string()),
            due: due.to_string(),
            estimate_hours: input.estimate_hours,
            budget_minor,
            currency,
            goal_id: input.goal_id,
            campaign_id: input.campaign_id,
        })
    }

    pub(crate) async fn check_goal_for_task(
        &self,
        tx: &mut Tx,
        actor: &Actor,
        goal_id: i64,
        problems: &mut Vec<FieldProblem>,
    ) -> Result<()> {
        match self.visible_goal(tx, actor, goal_id).await {
            Ok(g) if matches!(g.status.as_str(), "done" | "cancelled") => {
                problems.push(FieldProblem::coded(
                    "goal_id",
                    "err-goal-not-running",
                    vec![("id", goal_id.to_string()), ("status", g.status.clone())],
                    format!("goal {goal_id} is {}; choose a running goal", g.status),
                ));
            }
            Ok(_) => {}
            Err(Error::NotFound) => problems.push(FieldProblem::coded(
                "goal_id",
                "err-no-goal-visible",
                vec![("id", goal_id.to_string())],
                format!("there is no goal {goal_id} you can see"),
            )),
            Err(e) => return Err(e),
        }
        Ok(())
    }

    /// Tasks of the people the caller sees, filtered.
    pub async fn list_tasks(&self, actor: &Actor, q: &TaskQuery) -> Result<Vec<TaskRow>> {
        let mut tx = self.store.read().await?;
        let visible: Vec<i64> = employees::list(&mut tx, &actor.scope)
            .await?
            .into_iter()
            .filter(|e| q.team.is_none() || e.team_id == q.team)
            .map(|e| e.id)
            .collect();
        let assignees = match q.assignee {
            Some(a) if visible.contains(&a) => vec![a],
            Some(_) => return Err(Error::NotFound),
            None => visible,
        };
        if let Some(s) = &q.status
            && TaskStatus::parse(s).is_none()
        {
            return Err(Error::invalid(
                "status",
                format!(
                    "'{s}' is not a status; use one of {}",
                    TaskStatus::ALL.map(TaskStatus::code).join(", ")
                ),
            ));
        }
        if let Some(k) = &q.kind
            && TaskKind::parse(k).is_none()
        {
            return Err(Error::invalid(
                "kind",
                format!(
                    "'{k}' is not a kind of task; use one of {}",
                    TaskKind::ALL.map(TaskKind::code).join(", ")
                ),
            ));
        }
        let today = Day::from_unix_seconds(self.clock.now()).to_string();
        let finished_since = match q.finished_since.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(d) => Some(
                Day::parse(d)
                    .map_err(|e| Error::invalid("finished_since", e.to_string()))?
                    .to_string(),
            ),
        };
        let rows = tasks::list(
            &mut tx,
            &TaskFilter {
                assignees: Some(assignees),
                goal_id: q.goal_id,
                status: q.status.clone(),
                kind: q.kind.clone(),
                overdue_on: q.overdue.then_some(today),
                finished_since,
                limit: 1000,
                ..Default::default()
            },
        )
        .await?;
        Ok(rows.into_iter().map(|t| unrated_for(actor, t)).collect())
    }

    /// One task the caller sees, with what they may do with it.
    pub async fn task(&self, actor: &Actor, id: i64) -> Result<TaskDetail> {
        let mut tx = self.store.read().await?;
        let task = unrated_for(actor, self.visible_task(&mut tx, actor, id).await?);
        let time = tasks::time_entries(&mut tx, &task.task).await?;
        drop(tx);
        let today = Day::from_unix_seconds(self.clock.now());
        let status = TaskStatus::parse(&task.status).unwrap_or(TaskStatus::Planned);
        let due = task.due.as_deref().and_then(|d| Day::parse(d).ok());
        let is_assignee =
            actor.employee_id.is_some() && actor.employee_id == task.assignee_employee_id;
        let manages = self.manages_task(actor, &task);
        let can_edit = self.may_edit_task(actor, &task).is_ok();
        Ok(TaskDetail {
            can_edit,
            can_delete: can_edit && time.is_empty() && task.quality.is_none(),
            overdue: mkpi_domain::task::overdue(status, due, today),
            can_move: task.import_id.is_none() && status.is_open() && (is_assignee || manages),
            can_rate: status == TaskStatus::Done && manages && !is_assignee,
            can_log_time: task.import_id.is_none() && is_assignee,
            can_link: is_assignee || manages,
            time: time
                .into_iter()
                .map(|entry| TimeLine {
                    can_change: entry.logged_here && actor.employee_id == Some(entry.employee_id),
                    entry,
                })
                .collect(),
            task,
        })
    }

    async fn visible_task(&self, tx: &mut Tx, actor: &Actor, id: i64) -> Result<TaskRow> {
        let task = tasks::get(tx, id).await?.ok_or(Error::NotFound)?;
        match task.assignee_employee_id {
            Some(e) if actor.scope.sees_employee(e, task.assignee_team_id) => Ok(task),
            None if matches!(actor.role, Role::Admin | Role::Head) => Ok(task),
            _ => Err(Error::NotFound),
        }
    }

    /// Whether the caller manages the task's assignee (the head and admins
    /// manage everyone; a manager the people of their teams, not themself).
    fn manages_task(&self, actor: &Actor, task: &TaskRow) -> bool {
        match actor.role {
            Role::Admin | Role::Head => true,
            Role::Manager => {
                task.assignee_employee_id != actor.employee_id
                    && task
                        .assignee_employee_id
                        .is_some_and(|e| actor.scope.sees_employee(e, task.assignee_team_id))
            }
            Role::Employee | Role::Viewer => false,
        }
    }

    /// Moves a task along the workflow (its assignee and their managers).
    pub async fn set_task_status(&self, actor: &Actor, id: i64, status: &str) -> Result<TaskRow> {
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let task = self.visible_task(&mut tx, actor, id).await?;
        let is_assignee =
            actor.employee_id.is_some() && actor.employee_id == task.assignee_employee_id;
        if !is_assignee && !self.manages_task(actor, &task) {
            return Err(Error::Forbidden);
        }
        if let Some(import) = task.import_id {
            return Err(Error::invalid(
                "status",
                format!(
                    "task {} comes from a tracker (import {import}); change its status there and import again",
                    task.task
                ),
            ));
        }
        let Some(to) = TaskStatus::parse(status) else {
            return Err(Error::invalid(
                "status",
                format!(
                    "'{status}' is not a status; use one of {}",
                    TaskStatus::ALL.map(TaskStatus::code).join(", ")
                ),
            ));
        };
        let from = TaskStatus::parse(&task.status)
            .ok_or_else(|| Error::Internal(format!("stored status {}", task.status)))?;
        from.check_move(to)
            .map_err(|m| Error::invalid("status", format!("the task: {m}")))?;
        let today = Day::from_unix_seconds(now).to_string();
        let start = (to == TaskStatus::InProgress).then_some(today.as_str());
        let completed = (to == TaskStatus::Done).then_some(today.as_str());
        tasks::set_status(&mut tx, id, to.code(), start, completed, now).await?;
        audit::record(
            &mut tx,
            now,
            &actor.author(),
            Change {
                action: "update",
                entity: "task",
                entity_id: Some(id),
                before: Some(json!({"status": task.status})),
                after: Some(json!({"status": to.code(), "completed": completed})),
            },
        )
        .await?;
        let row = tasks::get(&mut tx, id).await?.ok_or(Error::NotFound)?;
        tx.commit().await?;
        Ok(row)
    }

    /// Links a task (made here or imported from a tracker) to the goal it
    /// serves, or unlinks it: its assignee and their managers.
    pub async fn link_task_goal(
        &self,
        actor: &Actor,
        id: i64,
        goal_id: Option<i64>,
    ) -> Result<TaskRow> {
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let task = self.visible_task(&mut tx, actor, id).await?;
        let is_assignee =
            actor.employee_id.is_some() && actor.employee_id == task.assignee_employee_id;
        if !is_assignee && !self.manages_task(actor, &task) {
            return Err(Error::Forbidden);
        }
        let mut problems = Vec::new();
        if let Some(g) = goal_id {
            self.check_goal_for_task(&mut tx, actor, g, &mut problems)
                .await?;
        }
        if !problems.is_empty() {
            return Err(Error::Invalid(problems));
        }
        tasks::set_goal(&mut tx, id, goal_id, now).await?;
        audit::record(
            &mut tx,
            now,
            &actor.author(),
            Change {
                action: "update",
                entity: "task",
                entity_id: Some(id),
                before: Some(json!({"goal_id": task.goal_id})),
                after: Some(json!({"goal_id": goal_id})),
            },
        )
        .await?;
        let row = tasks::get(&mut tx, id).await?.ok_or(Error::NotFound)?;
        tx.commit().await?;
        Ok(row)
    }

    /// Rates a done task's quality, 1–5 with a comment (a manager of the
    /// assignee, the head, admins; never the assignee). A new rating
    /// replaces the old, and the audit log keeps both.
    pub async fn rate_task(
        &self,
        actor: &Actor,
        id: i64,
        quality: i64,
        comment: &str,
    ) -> Result<TaskRow> {
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let task = self.visible_task(&mut tx, actor, id).await?;
        let is_assignee =
            actor.employee_id.is_some() && actor.employee_id == task.assignee_employee_id;
        if is_assignee || !self.manages_task(actor, &task) {
            return Err(Error::Forbidden);
        }
        let mut problems = Vec::new();
        if task.status != "done" {
            problems.push(FieldProblem::new(
                "status",
                format!(
                    "the task is {}; a task is rated when it is done",
                    task.status
                ),
            ));
        }
        if !(1..=5).contains(&quality) {
            problems.push(FieldProblem::coded(
                "quality",
                "err-rating",
                vec![("value", quality.to_string())],
                format!("{quality} is not a rating; give 1 to 5"),
            ));
        }
        if comment.chars().count() > MAX_TEXT {
            problems.push(FieldProblem::coded(
                "comment",
                "err-too-long",
                vec![("max", MAX_TEXT.to_string())],
                format!("is longer than {MAX_TEXT} characters"),
            ));
        }
        if !problems.is_empty() {
            return Err(Error::Invalid(problems));
        }
        tasks::rate(&mut tx, id, quality, comment.trim(), actor.user_id, now).await?;
        audit::record(
            &mut tx,
            now,
            &actor.author(),
            Change {
                action: "update",
                entity: "task",
                entity_id: Some(id),
                before: Some(
                    json!({"quality": task.quality, "quality_comment": task.quality_comment}),
                ),
                after: Some(json!({"quality": quality, "quality_comment": comment.trim()})),
            },
        )
        .await?;
        let row = tasks::get(&mut tx, id).await?.ok_or(Error::NotFound)?;
        tx.commit().await?;
        Ok(row)
    }

    /// Logs hours the assignee spent on a task made in mkpi.
    pub async fn log_task_time(
        &self,
        actor: &Actor,
        id: i64,
        date: &str,
        hours: f64,
        description: &str,
    ) -> Result<TaskRow> {
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let task = self.visible_task(&mut tx, actor, id).await?;
        let Some(me) = actor
            .employee_id
            .filter(|me| Some(*me) == task.assignee_employee_id)
        else {
            return Err(Error::Forbidden);
        };
        if task.import_id.is_some() {
            return Err(Error::invalid(
                "hours",
                "this task comes from a tracker; log its time there",
            ));
        }
        let day = checked_time(
            &TimeInput {
                date: date.to_string(),
                hours,
                description: description.to_string(),
            },
            now,
        )?;
        tasks::log_time(
            &mut tx,
            id,
            me,
            &day.to_string(),
            hours,
            description.trim(),
            now,
        )
        .await?;
        audit::record(
            &mut tx,
            now,
            &actor.author(),
            Change {
                action: "create",
                entity: "time_entry",
                entity_id: Some(id),
                before: None,
                after: Some(json!({"task_id": id, "date": day.to_string(), "hours": hours})),
            },
        )
        .await?;
        let row = tasks::get(&mut tx, id).await?.ok_or(Error::NotFound)?;
        tx.commit().await?;
        Ok(row)
    }
}

impl Services {
    /// Changes time one logged here on a task.
    pub async fn update_time_entry(
        &self,
        actor: &Actor,
        task_id: i64,
        row_key: &str,
        input: &TimeInput,
    ) -> Result<TimeEntryRow> {
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let task = self.visible_task(&mut tx, actor, task_id).await?;
        let before = own_entry(&mut tx, actor, &task, row_key).await?;
        let day = checked_time(input, now)?;
        tasks::update_time_entry(
            &mut tx,
            &task,
            row_key,
            &day.to_string(),
            input.hours,
            input.description.trim(),
            now,
        )
        .await?;
        audit::record(
            &mut tx,
            now,
            &actor.author(),
            Change {
                action: "update",
                entity: "time_entry",
                entity_id: Some(task_id),
                before: Some(time_json(&before)),
                after: Some(json!({"key": row_key, "date": day.to_string(), "hours": input.hours, "description": input.description.trim()})),
            },
        )
        .await?;
        let after = own_entry(&mut tx, actor, &task, row_key).await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Removes time one logged here on a task.
    pub async fn delete_time_entry(
        &self,
        actor: &Actor,
        task_id: i64,
        row_key: &str,
    ) -> Result<()> {
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let task = self.visible_task(&mut tx, actor, task_id).await?;
        let before = own_entry(&mut tx, actor, &task, row_key).await?;
        tasks::delete_time_entry(&mut tx, &task, row_key, now).await?;
        audit::record(
            &mut tx,
            now,
            &actor.author(),
            Change {
                action: "delete",
                entity: "time_entry",
                entity_id: Some(task_id),
                before: Some(time_json(&before)),
                after: None,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

/// The caller's own entry logged here on the task: another's (or an
/// imported one) is not theirs to change, one that is not there is not found.
async fn own_entry(
    tx: &mut Tx,
    actor: &Actor,
    task: &TaskRow,
    row_key: &str,
) -> Result<TimeEntryRow> {
    let entry = tasks::time_entries(tx, &task.task)
        .await?
        .into_iter()
        .find(|e| e.row_key == row_key)
        .ok_or(Error::NotFound)?;
    if !entry.logged_here || actor.employee_id != Some(entry.employee_id) {
        return Err(Error::Forbidden);
    }
    Ok(entry)
}

fn time_json(e: &TimeEntryRow) -> serde_json::Value {
    json!({"key": e.row_key, "date": e.date, "hours": e.hours, "description": e.description})
}

/// Time as logged, checked: a day not in the future, 0 < hours ≤ 24, a
/// description of at most [`MAX_TEXT`] characters; every problem at once.
fn checked_time(input: &TimeInput, now: i64) -> Result<Day> {
    let mut problems = Vec::new();
    let today = Day::from_unix_seconds(now);
    let day = match Day::parse(input.date.trim()) {
        Ok(d) if d > today => {
            problems.push(FieldProblem::coded(
                "date",
                "err-in-future",
                vec![("day", d.to_string())],
                format!("{d} is in the future"),
            ));
            None
        }
        Ok(d) => Some(d),
        Err(e) => {
            problems.push(FieldProblem::period("date", &e));
            None
        }
    };
    if !(input.hours.is_finite() && input.hours > 0.0 && input.hours <= 24.0) {
        problems.push(FieldProblem::coded(
            "hours",
            "err-hours",
            vec![],
            "give the hours as a number above 0 and at most 24",
        ));
    }
    if input.description.chars().count() > MAX_TEXT {
        problems.push(FieldProblem::coded(
            "description",
            "err-too-long",
            vec![("max", MAX_TEXT.to_string())],
            format!("is longer than {MAX_TEXT} characters"),
        ));
    }
    match (day, problems.is_empty()) {
        (Some(day), true) => Ok(day),
        _ => Err(Error::Invalid(problems)),
    }
}
