//! Goals: the department's strategic goals cascading to teams and people,
//! each checked against SMART, measured by a metric (computed from the
//! stored facts through the same path as dashboards) or a counted unit,
//! rolled up by weight into its parent, with a history of progress; and
//! the strategies that serve them.
//!
//! Who sees a goal: everyone sees the department's goals; a team's goals
//! are seen by those who see the team, and by its members and the members
//! of teams below it (the cascade above them); a personal goal by those who
//! see the person (not by viewers, who see department figures only).
//! Who edits: the head and admins everything; a manager the goals of the
//! teams they lead and of the people in them; a person may propose (and
//! edit while a draft) their own goals but not activate them.

use std::collections::{BTreeMap, HashMap};

use mkpi_domain::goal::{self, Child, GoalStatus, Missing, Smart, SmartInput};
use mkpi_domain::kpi::Status;
use mkpi_domain::metric::Unit;
use mkpi_domain::period::{Day, Period};
use mkpi_domain::scope::PeopleScope;
use mkpi_domain::task::TaskStatus;
use mkpi_domain::{Role, TeamTree};
use mkpi_store::goals::{self, GoalValues, NewProgress, NewStrategy, NewSwot};
pub use mkpi_store::goals::{GoalRow, ProgressRow, StrategyRow, SwotRow};
use mkpi_store::{Tx, campaigns, employees, tasks, teams};
use serde_json::json;

use crate::audit::{self, Change};
use crate::check_ins::MAX_TEXT;
use crate::metrics::ScopeRef;
use crate::{Actor, Error, FieldProblem, Result, Services};

pub const MAX_TITLE: usize = 200;

/// A goal as entered (create and edit alike).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct GoalInput {
    /// `department`, `team:ID` or `employee:ID`.
    pub scope: String,
    pub parent_id: Option<i64>,
    pub business_goal: String,
    pub title: String,
    pub description: String,
    /// Who answers for it: the person of a personal goal; the author when
    /// not given otherwise.
    pub owner_employee_id: Option<i64>,
    /// Among its siblings; 1 when not given.
    pub weight: Option<f64>,
    pub metric_code: Option<String>,
    /// For a goal counted by hand: what is counted.
    pub unit: Option<String>,
    pub baseline: Option<f64>,
    pub target: Option<f64>,
    /// In major units (rubles), with its currency.
    pub budget: Option<f64>,
    pub currency: Option<String>,
    pub people: Option<i64>,
    pub hours: Option<f64>,
    pub start_on: Option<String>,
    pub deadline_on: Option<String>,
    /// `draft` (the default) or `active`.
    pub status: Option<String>,
}

/// A goal with what is computed about it.
#[derive(Debug, Clone, PartialEq)]
pub struct GoalView {
    pub goal: GoalRow,
    /// department, team or personal.
    pub level: &'static str,
    /// The department's, the team's or the person's name.
    pub scope_name: String,
    pub smart: Smart,
    /// 0 to 1.
    pub progress: Option<f64>,
    /// metric, counted, children, tasks, manual or none.
    pub progress_source: &'static str,
    /// The measure's value now (metric or counted).
    pub current_value: Option<f64>,
    /// Whether the value is the period so far scaled to the whole period
    /// (an additive metric, such as revenue, while the goal runs).
    pub projected: bool,
    pub unit: Option<Unit>,
    pub currency: Option<String>,
    /// Why there is no value, when there is none.
    pub value_note: Option<String>,
    /// mkpi's own reason for no value, as a code the pages translate:
    /// not_started or no_start (a metric's own notes have none).
    pub value_note_code: Option<&'static str>,
    pub pace: Status,
    pub tasks_total: usize,
    pub tasks_done: usize,
    /// Visible children, in order.
    pub children: Vec<GoalView>,
    /// Children the roll-up counts as 0 (no progress yet).
    pub empty_children: usize,
    pub can_edit: bool,
}

/// A goal's page: the goal, its history, its tasks, strategies and campaigns.
#[derive(Debug, Clone, PartialEq)]
pub struct GoalDetail {
    pub view: GoalView,
    pub parent: Option<(i64, String)>,
    pub history: Vec<ProgressRow>,
    pub tasks: Vec<tasks::TaskRow>,
    pub strategies: Vec<StrategyRow>,
    /// (id, name, channel) of linked campaigns.
    pub campaigns: Vec<(i64, String, String)>,
    /// The measure month by month since the start: (month start, value).
    pub trend: Vec<(String, Option<f64>)>,
    pub can_update_progress: bool,
}

/// A goal as a choice in a form.
#[derive(Debug, Clone, PartialEq)]
pub struct GoalChoice {
    pub id: i64,
    pub title: String,
    pub depth: usize,
    pub status: String,
    pub scope_name: String,
}

/// What the caller may do with goals of a scope.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Right {
    None,
    See,
    /// May write drafts (a person's own proposals).
    Propose,
    Edit,
}

/// The org facts visibility needs, loaded once per call.
struct Org {
    tree: TeamTree,
    /// employee → (team, name)
    people: HashMap<i64, (Option<i64>, String)>,
    team_names: HashMap<i64, String>,
    department: String,
}

impl Org {
    async fn load(tx: &mut Tx) -> Result<Org> {
        let tree = TeamTree::new(teams::nodes(tx).await?);
        let everyone = mkpi_domain::Scope::everyone();
        let people = employees::list(tx, &everyone)
            .await?
            .into_iter()
            .map(|e| (e.id, (e.team_id, e.name)))
            .collect();
        let team_names = teams::list(tx, &everyone)
            .await?
            .into_iter()
            .map(|t| (t.id, t.name))
            .collect();
        let department = mkpi_store::departments::list(tx)
            .await?
            .into_iter()
            .next()
            .map(|d| d.name)
            .unwrap_or_default();
        Ok(Org {
            tree,
            people,
            team_names,
            department,
        })
    }

    fn team_of(&self, employee: i64) -> Option<i64> {
        self.people.get(&employee).and_then(|p| p.0)
    }

    fn name_of(&self, scope: &ScopeRef) -> String {
        match scope {
            ScopeRef::Department => self.department.clone(),
            ScopeRef::Team(t) => self.team_names.get(t).cloned().unwrap_or_default(),
            ScopeRef::Employee(e) => self.people.get(e).map(|p| p.1.clone()).unwrap_or_default(),
            other => other.to_string(),
        }
    }

    fn exists(&self, scope: &ScopeRef) -> bool {
        match scope {
            ScopeRef::Department => true,
            ScopeRef::Team(t) => self.tree.contains(*t),
            ScopeRef::Employee(e) => self.people.contains_key(e),
            _ => false,
        }
    }

    fn right(&self, actor: &Actor, scope: &ScopeRef) -> Right {
        let head = matches!(actor.role, Role::Admin | Role::Head);
        let me = actor.employee_id;
        let my_path = me
            .and_then(|m| self.team_of(m))
            .map(|t| self.tree.ancestors(t))
            .unwrap_or_default();
        match scope {
            ScopeRef::Department if head => Right::Edit,
            ScopeRef::Department => Right::See,
            ScopeRef::Team(_) if head => Right::Edit,
            ScopeRef::Team(t) => match &actor.scope.people {
                PeopleScope::All => Right::See,
                PeopleScope::Teams { team_ids, .. } if team_ids.contains(t) => Right::Edit,
                _ if my_path.contains(t) => Right::See,
                PeopleScope::Teams { team_ids, .. }
                    if team_ids
                        .iter()
                        .any(|mine| self.tree.ancestors(*mine).contains(t)) =>
                {
                    Right::See
                }
                _ => Right::None,
            },
            ScopeRef::Employee(_) if head => Right::Edit,
            ScopeRef::Employee(e) => {
                if actor.role == Role::Viewer {
                    Right::None
                } else if me == Some(*e) {
                    Right::Propose
                } else if actor.scope.sees_employee(*e, self.team_of(*e)) {
                    if actor.role == Role::Manager {
                        Right::Edit
                    } else {
                        Right::See
                    }
                } else {
                    Right::None
                }
            }
            _ => Right::None,
        }
    }

    /// Whether a parent's scope holds the child's: the department holds
    /// all; a team its sub-teams and their people; a person only themself.
    fn holds(&self, parent: &ScopeRef, child: &ScopeRef) -> bool {
        match (parent, child) {
            (ScopeRef::Department, _) => true,
            (ScopeRef::Team(p), ScopeRef::Team(c)) => self.tree.subtree(*p).contains(c),
            (ScopeRef::Team(p), ScopeRef::Employee(e)) => self
                .team_of(*e)
                .is_some_and(|t| self.tree.subtree(*p).contains(&t)),
            (ScopeRef::Employee(p), ScopeRef::Employee(c)) => p == c,
            _ => false,
        }
    }
}

fn goal_scope(text: &str) -> Result<ScopeRef> {
    match ScopeRef::parse(text)? {
        s @ (ScopeRef::Department | ScopeRef::Team(_) | ScopeRef::Employee(_)) => Ok(s),
        _ => Err(Error::invalid(
            "scope",
            "a goal belongs to the department, a team (team:ID) or a person (employee:ID)",
        )),
    }
}

fn level_of(scope: &ScopeRef) -> &'static str {
    match scope {
        ScopeRef::Department => "department",
        ScopeRef::Team(_) => "team",
        _ => "personal",
    }
}

/// The SMART check of a stored goal; `has_children` says whether
/// sub-goals (not cancelled) measure it.
fn smart_of(g: &GoalRow, has_children: bool) -> Smart {
    goal::smart(&SmartInput {
        has_children,
        title: &g.title,
        description: &g.description,
        metric_code: g.metric_code.as_deref(),
        unit: g.unit.as_deref(),
        baseline: g.baseline,
        target: g.target,
        budget_minor: g.budget_minor,
        people: g.people,
        hours: g.hours,
        has_parent: g.parent_id.is_some(),
        business_goal: Some(&g.business_goal),
        start: g.start_on.as_deref().and_then(|d| Day::parse(d).ok()),
        deadline: g.deadline_on.as_deref().and_then(|d| Day::parse(d).ok()),
    })
}

/// What is computed for one goal before the tree is put together.
#[derive(Debug, Clone, Default)]
struct Computed {
    progress: Option<f64>,
    source: &'static str,
    value: Option<f64>,
    projected: bool,
    unit: Option<Unit>,
    currency: Option<String>,
    note: Option<String>,
    note_code: Option<&'static str>,
    tasks_total: usize,
    tasks_done: usize,
    empty_children: usize,
    /// Sub-goals that are not cancelled.
    has_children: bool,
}

/// Problems with a SMART result as field problems (for a refused activation).
pub fn smart_problems(smart: &Smart) -> Vec<FieldProblem> {
    smart
        .missing
        .iter()
        .map(|m| {
            FieldProblem::new(
                field_of(*m),
                format!(
                    "{} fails: {} (a draft may be saved without it)",
                    m.letter(),
                    m.message()
                ),
            )
        })
        .collect()
}

/// The input field a missing SMART part is about.
pub fn field_of(m: Missing) -> &'static str {
    match m {
        Missing::Title => "title",
        Missing::Description => "description",
        Missing::Measure => "metric_code",
        Missing::Baseline => "baseline",
        Missing::Target | Missing::TargetEqualsBaseline => "target",
        Missing::Resources => "budget",
        Missing::Parent => "parent_id",
        Missing::Start => "start_on",
        Missing::Deadline | Missing::DeadlineBeforeStart => "deadline_on",
    }
}

impl Services {
    /// The SMART check of a goal as entered, without storing anything (the
    /// live check while editing).
    /// `goal_id` names the goal being edited, whose sub-goals may measure
    /// it (a goal the caller does not see is not found).
    pub async fn check_smart(
        &self,
        actor: &Actor,
        input: &GoalInput,
        goal_id: Option<i64>,
    ) -> Result<Smart> {
        let has_children = match goal_id {
            Some(id) => {
                let mut tx = self.store.read().await?;
                self.visible_goal(&mut tx, actor, id).await?;
                goals::children_count(&mut tx, id).await? > 0
            }
            None => false,
        };
        Ok(goal::smart(&SmartInput {
            title: input.title.trim(),
            description: &input.description,
            metric_code: input.metric_code.as_deref(),
            unit: input.unit.as_deref(),
            baseline: input.baseline,
            target: input.target,
            budget_minor: input.budget.map(|b| (b * 100.0).round() as i64),
            people: input.people,
            hours: input.hours,
            has_parent: input.parent_id.is_some(),
            has_children,
            business_goal: Some(&input.business_goal),
            start: input
                .start_on
                .as_deref()
                .and_then(|d| Day::parse(d.trim()).ok()),
            deadline: input
                .deadline_on
                .as_deref()
                .and_then(|d| Day::parse(d.trim()).ok()),
        }))
    }

    /// Makes a goal. A draft may fail SMART; an active one may not, and
    /// only those who edit the scope may make one active. Every problem is
    /// listed; nothing is stored unless all is well.
    pub async fn create_goal(&self, actor: &Actor, input: &GoalInput) -> Result<GoalView> {
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let org = Org::load(&mut tx).await?;
        let values = self.checked_goal(&mut tx, &org, actor, None, input).await?;
        let id = goals::insert(&mut tx, &values, actor.user_id, now).await?;
        audit::record(
            &mut tx,
            now,
            &actor.author(),
            Change {
                action: "create",
                entity: "goal",
                entity_id: Some(id),
                before: None,
                after: Some(goal_json(&values)),
            },
        )
        .await?;
        tx.commit().await?;
        self.goal(actor, id).await.map(|d| d.view)
    }

    /// Changes a goal's fields (and its status, when given, as
    /// [`Services::set_goal_status`] would).
    pub async fn update_goal(&self, actor: &Actor, id: i64, input: &GoalInput) -> Result<GoalView> {
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let org = Org::load(&mut tx).await?;
        let before = goals::get(&mut tx, id).await?.ok_or(Error::NotFound)?;
        let values = self
            .checked_goal(&mut tx, &org, actor, Some(&before), input)
            .await?;
        goals::update(&mut tx, id, &values, now).await?;
        audit::record(
            &mut tx,
            now,
            &actor.author(),
            Change {
                action: "update",
                entity: "goal",
                entity_id: Some(id),
                before: Some(goal_json(&values_of(&before))),
                after: Some(goal_json(&values)),
            },
        )
        .await?;
        tx.commit().await?;
        self.goal(actor, id).await.map(|d| d.view)
    }

    /// Checks a goal as entered against the rules and the caller's rights.
    async fn checked_goal(
        &self,
        tx: &mut Tx,
        org: &Org,
        actor: &Actor,
        before: Option<&GoalRow>,
        input: &GoalInput,
    ) -> Result<GoalValues> {
        if let Some(b) = before {
            let scope = goal_scope(&b.scope)?;
            match org.right(actor, &scope) {
                Right::None => return Err(Error::NotFound),
                Right::See => return Err(Error::Forbidden),
                Right::Propose if b.status != "draft" => {
                    return Err(Error::invalid(
                        "status",
                        "the goal is agreed already; ask your manager to change it",
                    ));
                }
                _ => {}
            }
        }
        let scope = goal_scope(&input.scope)?;
        if !org.exists(&scope) {
            return Err(Error::invalid(
                "scope",
                format!("there is no {scope} to set a goal for"),
            ));
        }
        let right = org.right(actor, &scope);
        match right {
            Right::None => {
                return Err(Error::invalid(
                    "scope",
                    format!("there is no {scope} you can see"),
                ));
            }
            Right::See => return Err(Error::Forbidden),
            Right::Propose | Right::Edit => {}
        }
        let mut problems = Vec::new();
        let status = match input.status.as_deref().map(str::trim) {
            None | Some("") => before
                .and_then(|b| GoalStatus::parse(&b.status))
                .unwrap_or(GoalStatus::Draft),
            Some(s) => match GoalStatus::parse(s) {
                Some(st @ (GoalStatus::Draft | GoalStatus::Active)) => st,
                _ => {
                    problems.push(FieldProblem::new(
                        "status",
                        format!("'{s}' cannot be set here; a goal is saved as draft or active"),
                    ));
                    GoalStatus::Draft
                }
            },
        };
        if status == GoalStatus::Active && right == Right::Propose {
            problems.push(FieldProblem::new(
                "status",
                "your own goal is a proposal until your manager activates it; save it as a draft",
            ));
        }
        if let Some(b) = before
            && matches!(b.status.as_str(), "done" | "cancelled")
        {
            problems.push(FieldProblem::new(
                "status",
                format!("the goal is {} and cannot be edited", b.status),
            ));
        }
        let title = input.title.trim();
        if title.is_empty() {
            problems.push(FieldProblem::new("title", "write what the goal is"));
        } else if title.chars().count() > MAX_TITLE {
            problems.push(FieldProblem::new(
                "title",
                format!("is longer than {MAX_TITLE} characters"),
            ));
        }
        for (field, text) in [
            ("description", &input.description),
            ("business_goal", &input.business_goal),
        ] {
            if text.chars().count() > MAX_TEXT {
                problems.push(FieldProblem::new(
                    field,
                    format!("is longer than {MAX_TEXT} characters"),
                ));
            }
        }
        let weight = input.weight.unwrap_or(1.0);
        if !(weight.is_finite() && weight > 0.0 && weight <= 1000.0) {
            problems.push(FieldProblem::new(
                "weight",
                format!("{weight} is not a weight; give a number above 0 and at most 1000"),
            ));
        }
        let metric_code = input
            .metric_code
            .as_deref()
            .map(str::trim)
            .filter(|c| !c.is_empty());
        let unit = input
            .unit
            .as_deref()
            .map(str::trim)
            .filter(|u| !u.is_empty());
        if let Some(code) = metric_code {
            let catalogue = crate::metrics::catalogue_in(tx).await?;
            if catalogue.get(code).is_none() {
                problems.push(FieldProblem::new(
                    "metric_code",
                    format!("'{code}' is not a metric (GET /api/v1/metrics lists them)"),
                ));
            } else if !matches!(scope, ScopeRef::Department) {
                // Teams and people are measured through their people: web
                // analytics, surveys, social statistics and customer counts
                // are the department's alone.
                let people = mkpi_store::measures::MeasureScope::Employees(Vec::new());
                let unattributable = catalogue
                    .measures_of(code)
                    .into_iter()
                    .any(|m| !mkpi_store::measures::has_source(&people, m.source()));
                if unattributable {
                    problems.push(FieldProblem::new(
                        "metric_code",
                        format!(
                            "{code} cannot be measured for {}: its data belongs to the department as a whole; measure the department's goal with it, or choose a metric of ads, orders or tasks",
                            org.name_of(&scope)
                        ),
                    ));
                }
            }
            if unit.is_some() {
                problems.push(FieldProblem::new(
                    "unit",
                    "a goal is measured by a metric or by a unit counted by hand, not both",
                ));
            }
        }
        if unit.is_some_and(|u| u.chars().count() > 60) {
            problems.push(FieldProblem::new("unit", "is longer than 60 characters"));
        }
        for (field, v) in [
            ("baseline", input.baseline),
            ("target", input.target),
            ("hours", input.hours),
            ("budget", input.budget),
        ] {
            if v.is_some_and(|x| !x.is_finite()) {
                problems.push(FieldProblem::new(field, "must be a finite number"));
            }
        }
        for (field, v) in [("hours", input.hours), ("budget", input.budget)] {
            if v.is_some_and(|x| x < 0.0) {
                problems.push(FieldProblem::new(field, "cannot be negative"));
            }
        }
        if input.people.is_some_and(|p| !(0..=10_000).contains(&p)) {
            problems.push(FieldProblem::new(
                "people",
                "give a number of people from 0 to 10000",
            ));
        }
        let budget_minor = input
            .budget
            .filter(|b| b.is_finite() && *b >= 0.0 && *b < 1e15)
            .map(|b| (b * 100.0).round() as i64);
        let currency = input
            .currency
            .as_deref()
            .map(|c| c.trim().to_ascii_uppercase())
            .filter(|c| !c.is_empty());
        if let Some(c) = &currency
            && !(c.len() == 3 && c.chars().all(|x| x.is_ascii_uppercase()))
        {
            problems.push(FieldProblem::new(
                "currency",
                format!("'{c}' is not a currency code such as RUB"),
            ));
        }
        if budget_minor.is_some_and(|b| b > 0) && currency.is_none() {
            problems.push(FieldProblem::new(
                "currency",
                "give the budget's currency (such as RUB)",
            ));
        }
        let mut day = |field: &str, text: &Option<String>| -> Option<String> {
            let t = text.as_deref().map(str::trim).filter(|t| !t.is_empty())?;
            match Day::parse(t) {
                Ok(d) => Some(d.to_string()),
                Err(e) => {
                    problems.push(FieldProblem::period(field, &e));
                    None
                }
            }
        };
        let start_on = day("start_on", &input.start_on);
        let deadline_on = day("deadline_on", &input.deadline_on);
        if let Some(parent_id) = input.parent_id {
            match goals::get(tx, parent_id).await? {
                Some(parent) => {
                    let parent_scope = goal_scope(&parent.scope)?;
                    if org.right(actor, &parent_scope) == Right::None {
                        problems.push(FieldProblem::new(
                            "parent_id",
                            format!("there is no goal {parent_id} you can see"),
                        ));
                    } else if !org.holds(&parent_scope, &scope) {
                        problems.push(FieldProblem::new(
                            "parent_id",
                            format!(
                                "goal {parent_id} belongs to {}, which does not include {}; choose a goal of the department, of the team or above it",
                                org.name_of(&parent_scope),
                                org.name_of(&scope)
                            ),
                        ));
                    } else if parent.status == "cancelled" {
                        problems.push(FieldProblem::new(
                            "parent_id",
                            format!("goal {parent_id} is cancelled"),
                        ));
                    }
                    if let Some(b) = before {
                        let parents: HashMap<i64, Option<i64>> =
                            goals::parents(tx).await?.into_iter().collect();
                        if goal::makes_cycle(b.id, parent_id, |id| {
                            parents.get(&id).copied().flatten()
                        }) {
                            problems.push(FieldProblem::new(
                                "parent_id",
                                format!(
                                    "goal {parent_id} is this goal or lies below it; a goal cannot serve itself"
                                ),
                            ));
                        }
                    }
                }
                None => problems.push(FieldProblem::new(
                    "parent_id",
                    format!("there is no goal {parent_id} you can see"),
                )),
            }
        }
        let owner = match (&scope, input.owner_employee_id) {
            (ScopeRef::Employee(e), _) => Some(*e),
            (_, Some(o)) => Some(o),
            (_, None) => before
                .and_then(|b| b.owner_employee_id)
                .or(actor.employee_id),
        };
        if let (Some(o), Some(given)) = (owner, input.owner_employee_id)
            && (o != given
                || !org.people.contains_key(&o)
                || !actor.scope.sees_employee(o, org.team_of(o)))
        {
            problems.push(FieldProblem::new(
                "owner_employee_id",
                if o != given {
                    "a personal goal belongs to its person".to_string()
                } else {
                    format!("there is no person {given} you can see")
                },
            ));
        }
        let values = GoalValues {
            scope: scope.to_string(),
            parent_id: input.parent_id,
            business_goal: input.business_goal.trim().to_string(),
            title: title.to_string(),
            description: input.description.trim().to_string(),
            owner_employee_id: owner,
            status: status.code().to_string(),
            weight,
            metric_code: metric_code.map(str::to_string),
            unit: unit.map(str::to_string),
            baseline: input.baseline,
            target: input.target,
            budget_minor,
            currency,
            people: input.people,
            hours: input.hours,
            start_on,
            deadline_on,
        };
        if status == GoalStatus::Active && problems.is_empty() {
            let has_children = match before {
                Some(b) => goals::children_count(tx, b.id).await? > 0,
                None => false,
            };
            let smart = smart_of(&row_of(&values), has_children);
            problems.extend(smart_problems(&smart));
        }
        if problems.is_empty() {
            Ok(values)
        } else {
            Err(Error::Invalid(problems))
        }
    }

    /// Moves a goal along: activation needs SMART and the right to edit the
    /// scope; a person may finish or cancel their own goals.
    pub async fn set_goal_status(&self, actor: &Actor, id: i64, status: &str) -> Result<GoalView> {
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let org = Org::load(&mut tx).await?;
        let row = goals::get(&mut tx, id).await?.ok_or(Error::NotFound)?;
        let scope = goal_scope(&row.scope)?;
        let right = org.right(actor, &scope);
        if right == Right::None {
            return Err(Error::NotFound);
        }
        let Some(to) = GoalStatus::parse(status) else {
            return Err(Error::invalid(
                "status",
                format!(
                    "'{status}' is not a status; use one of {}",
                    GoalStatus::ALL.map(GoalStatus::code).join(", ")
                ),
            ));
        };
        let from = GoalStatus::parse(&row.status)
            .ok_or_else(|| Error::Internal(format!("stored status {}", row.status)))?;
        let allowed = match right {
            Right::Edit => true,
            Right::Propose => to != GoalStatus::Active,
            _ => false,
        };
        if !allowed {
            return Err(Error::Forbidden);
        }
        from.check_move(to)
            .map_err(|m| Error::invalid("status", format!("the goal: {m}")))?;
        if to == GoalStatus::Active {
            let has_children = goals::children_count(&mut tx, id).await? > 0;
            let problems = smart_problems(&smart_of(&row, has_children));
            if !problems.is_empty() {
                return Err(Error::Invalid(problems));
            }
        }
        goals::set_status(&mut tx, id, to.code(), now).await?;
        audit::record(
            &mut tx,
            now,
            &actor.author(),
            Change {
                action: "update",
                entity: "goal",
                entity_id: Some(id),
                before: Some(json!({"status": row.status})),
                after: Some(json!({"status": to.code()})),
            },
        )
        .await?;
        tx.commit().await?;
        self.goal(actor, id).await.map(|d| d.view)
    }

    /// Records progress by hand: the counted value of a goal counted in a
    /// unit, or the share done (0–100%) of a goal without a measure, with a
    /// note. A metric's goals take progress from their data.
    pub async fn add_goal_progress(
        &self,
        actor: &Actor,
        id: i64,
        value: Option<f64>,
        percent: Option<f64>,
        note: &str,
    ) -> Result<ProgressRow> {
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let org = Org::load(&mut tx).await?;
        let row = goals::get(&mut tx, id).await?.ok_or(Error::NotFound)?;
        let scope = goal_scope(&row.scope)?;
        let right = org.right(actor, &scope);
        let is_owner = actor.employee_id.is_some() && actor.employee_id == row.owner_employee_id;
        match right {
            Right::None => return Err(Error::NotFound),
            Right::See if !is_owner => return Err(Error::Forbidden),
            _ => {}
        }
        let mut problems = Vec::new();
        if note.chars().count() > MAX_TEXT {
            problems.push(FieldProblem::new(
                "note",
                format!("is longer than {MAX_TEXT} characters"),
            ));
        }
        if matches!(row.status.as_str(), "done" | "cancelled") {
            problems.push(FieldProblem::new(
                "status",
                format!("the goal is {}; its progress is final", row.status),
            ));
        }
        let (value, progress) = if row.metric_code.is_some() {
            if value.is_some() || percent.is_some() {
                problems.push(FieldProblem::new(
                    "value",
                    "this goal's progress comes from its metric; add a note only",
                ));
            }
            (None, None)
        } else if row.unit.is_some() {
            match value.filter(|v| v.is_finite()) {
                Some(v) => (
                    Some(v),
                    match (row.baseline, row.target) {
                        (Some(b), Some(t)) => goal::measured_progress(b, t, v),
                        _ => None,
                    },
                ),
                None => {
                    problems.push(FieldProblem::new(
                        "value",
                        format!(
                            "give the number of {} now",
                            row.unit.as_deref().unwrap_or_default()
                        ),
                    ));
                    (None, None)
                }
            }
        } else {
            match percent {
                Some(p) if p.is_finite() && (0.0..=100.0).contains(&p) => (None, Some(p / 100.0)),
                _ => {
                    problems.push(FieldProblem::new(
                        "percent",
                        "give the share done, from 0 to 100",
                    ));
                    (None, None)
                }
            }
        };
        if note.trim().is_empty() && value.is_none() && progress.is_none() && problems.is_empty() {
            problems.push(FieldProblem::new("note", "write what has happened"));
        }
        if !problems.is_empty() {
            return Err(Error::Invalid(problems));
        }
        let today = Day::from_unix_seconds(now).to_string();
        let pid = goals::add_progress(
            &mut tx,
            &NewProgress {
                goal_id: id,
                day: &today,
                kind: "manual",
                value,
                progress,
                note: note.trim(),
                user_id: actor.author().user_id,
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
                entity: "goal_progress",
                entity_id: Some(pid),
                before: None,
                after: Some(
                    json!({"goal_id": id, "value": value, "progress": progress, "note": note.trim()}),
                ),
            },
        )
        .await?;
        let rows = goals::progress(&mut tx, id).await?;
        tx.commit().await?;
        rows.into_iter()
            .find(|r| r.id == pid)
            .ok_or(Error::NotFound)
    }

    /// The goal tree the caller sees: roots (goals whose parent they do not
    /// see, or none) with their visible children, each with progress.
    /// `period` keeps goals that run in it (and their ancestors' context).
    pub async fn goal_tree(&self, actor: &Actor, period: Option<Period>) -> Result<Vec<GoalView>> {
        let mut tx = self.store.read().await?;
        let org = Org::load(&mut tx).await?;
        let all = goals::all(&mut tx).await?;
        let task_statuses = tasks::goal_statuses(&mut tx).await?;
        let manual = goals::latest_manual(&mut tx).await?;
        drop(tx);
        let computed = self.compute(&all, &task_statuses, &manual).await?;
        let visible =
            |g: &GoalRow| goal_scope(&g.scope).is_ok_and(|s| org.right(actor, &s) != Right::None);
        let in_period = |g: &GoalRow| match period {
            None => true,
            Some(p) => {
                let start = g.start_on.as_deref().unwrap_or("0000-01-01");
                let end = g.deadline_on.as_deref().unwrap_or("9999-12-31");
                start < p.to.to_string().as_str() && end >= p.from.to_string().as_str()
            }
        };
        let by_id: HashMap<i64, &GoalRow> = all.iter().map(|g| (g.id, g)).collect();
        let mut children: BTreeMap<Option<i64>, Vec<&GoalRow>> = BTreeMap::new();
        for g in &all {
            if !visible(g) {
                continue;
            }
            // A goal whose parent the caller cannot see is a root for them.
            let parent = g
                .parent_id
                .filter(|p| by_id.get(p).is_some_and(|pg| visible(pg)));
            children.entry(parent).or_default().push(g);
        }
        for list in children.values_mut() {
            list.sort_by_key(|g| order_key(g));
        }
        let today = Day::from_unix_seconds(self.clock.now());
        let roots = children.get(&None).cloned().unwrap_or_default();
        Ok(roots
            .into_iter()
            .filter(|g| in_period(g) || has_match(g.id, &children, &in_period))
            .map(|g| build(g, &children, &computed, &org, actor, today, 0))
            .collect())
    }

    /// The scopes the caller may set goals for: (scope, name, whether
    /// they may activate goals there), department first, then teams, then
    /// people by name.
    pub async fn goal_scopes(&self, actor: &Actor) -> Result<Vec<(String, String, bool)>> {
        let mut tx = self.store.read().await?;
        let org = Org::load(&mut tx).await?;
        drop(tx);
        let mut teams: Vec<(&i64, &String)> = org.team_names.iter().collect();
        teams.sort_by(|a, b| a.1.cmp(b.1));
        let mut people: Vec<(&i64, &String)> =
            org.people.iter().map(|(id, p)| (id, &p.1)).collect();
        people.sort_by(|a, b| a.1.cmp(b.1));
        let candidates = std::iter::once(ScopeRef::Department)
            .chain(teams.into_iter().map(|(id, _)| ScopeRef::Team(*id)))
            .chain(people.into_iter().map(|(id, _)| ScopeRef::Employee(*id)));
        Ok(candidates
            .filter_map(|s| match org.right(actor, &s) {
                Right::Edit => Some((s.to_string(), org.name_of(&s), true)),
                Right::Propose => Some((s.to_string(), org.name_of(&s), false)),
                _ => None,
            })
            .collect())
    }

    /// The goals the caller sees as choices for a form, in tree order,
    /// without computing progress: (id, title, depth, status, scope name).
    pub async fn goal_choices(&self, actor: &Actor) -> Result<Vec<GoalChoice>> {
        let mut tx = self.store.read().await?;
        let org = Org::load(&mut tx).await?;
        let all = goals::all(&mut tx).await?;
        drop(tx);
        let visible =
            |g: &GoalRow| goal_scope(&g.scope).is_ok_and(|s| org.right(actor, &s) != Right::None);
        let ids: std::collections::HashSet<i64> =
            all.iter().filter(|g| visible(g)).map(|g| g.id).collect();
        let mut children: BTreeMap<Option<i64>, Vec<&GoalRow>> = BTreeMap::new();
        for g in all.iter().filter(|g| ids.contains(&g.id)) {
            let parent = g.parent_id.filter(|p| ids.contains(p));
            children.entry(parent).or_default().push(g);
        }
        for list in children.values_mut() {
            list.sort_by_key(|g| order_key(g));
        }
        let mut out = Vec::new();
        let mut stack: Vec<(&GoalRow, usize)> = children
            .get(&None)
            .into_iter()
            .flatten()
            .rev()
            .map(|g| (*g, 0))
            .collect();
        while let Some((g, depth)) = stack.pop() {
            if out.len() > ids.len() {
                break;
            }
            out.push(GoalChoice {
                id: g.id,
                title: g.title.clone(),
                depth,
                status: g.status.clone(),
                scope_name: goal_scope(&g.scope)
                    .map(|s| org.name_of(&s))
                    .unwrap_or_default(),
            });
            stack.extend(
                children
                    .get(&Some(g.id))
                    .into_iter()
                    .flatten()
                    .rev()
                    .map(|c| (*c, depth + 1)),
            );
        }
        Ok(out)
    }

    /// A goal the caller sees, without computing anything.
    pub(crate) async fn visible_goal(
        &self,
        tx: &mut Tx,
        actor: &Actor,
        id: i64,
    ) -> Result<GoalRow> {
        let org = Org::load(tx).await?;
        let row = goals::get(tx, id).await?.ok_or(Error::NotFound)?;
        let scope = goal_scope(&row.scope)?;
        if org.right(actor, &scope) == Right::None {
            return Err(Error::NotFound);
        }
        Ok(row)
    }

    /// One goal with its page's contents.
    pub async fn goal(&self, actor: &Actor, id: i64) -> Result<GoalDetail> {
        let mut tx = self.store.read().await?;
        let org = Org::load(&mut tx).await?;
        let row = goals::get(&mut tx, id).await?.ok_or(Error::NotFound)?;
        let scope = goal_scope(&row.scope)?;
        let right = org.right(actor, &scope);
        if right == Right::None {
            return Err(Error::NotFound);
        }
        let all = goals::all(&mut tx).await?;
        let task_statuses = tasks::goal_statuses(&mut tx).await?;
        let manual = goals::latest_manual(&mut tx).await?;
        let history = goals::progress(&mut tx, id).await?;
        let parent_row = match row.parent_id {
            Some(p) => goals::get(&mut tx, p).await?,
            None => None,
        };
        let goal_tasks = tasks::list(
            &mut tx,
            &tasks::TaskFilter {
                goal_id: Some(id),
                limit: 500,
                ..Default::default()
            },
        )
        .await?;
        let links = goals::strategy_goals(&mut tx).await?;
        let strategies: Vec<StrategyRow> = goals::strategies(&mut tx)
            .await?
            .into_iter()
            .filter(|s| links.contains(&(s.id, id)))
            .collect();
        let strategy_ids: Vec<i64> = strategies.iter().map(|s| s.id).collect();
        let linked = goals::linked_campaigns(&mut tx).await?;
        drop(tx);
        let campaigns = linked
            .into_iter()
            .filter(|c| c.5 == Some(id) || c.4.is_some_and(|s| strategy_ids.contains(&s)))
            .map(|c| (c.0, c.1, c.2))
            .collect();
        // A goal's progress depends only on the goals below it.
        let subtree = descendants(&all, id);
        let all: Vec<GoalRow> = all
            .into_iter()
            .filter(|g| subtree.contains(&g.id))
            .collect();
        let computed = self.compute(&all, &task_statuses, &manual).await?;
        let visible =
            |g: &GoalRow| goal_scope(&g.scope).is_ok_and(|s| org.right(actor, &s) != Right::None);
        let mut children: BTreeMap<Option<i64>, Vec<&GoalRow>> = BTreeMap::new();
        for g in all.iter().filter(|g| visible(g)) {
            children.entry(g.parent_id).or_default().push(g);
        }
        let today = Day::from_unix_seconds(self.clock.now());
        let view = build(&row, &children, &computed, &org, actor, today, 0);
        let parent = parent_row.filter(|g| visible(g)).map(|g| (g.id, g.title));
        let trend = self.goal_trend(&row, today).await?;
        let tasks = goal_tasks
            .into_iter()
            .filter(|t| {
                t.assignee_employee_id
                    .is_none_or(|e| actor.scope.sees_employee(e, t.assignee_team_id))
            })
            .collect();
        let is_owner = actor.employee_id.is_some() && actor.employee_id == row.owner_employee_id;
        Ok(GoalDetail {
            can_update_progress: (right != Right::See || is_owner)
                && row.metric_code.is_none()
                && matches!(row.status.as_str(), "draft" | "active"),
            view,
            parent,
            history,
            tasks,
            strategies,
            campaigns,
            trend,
        })
    }

    /// A measured goal's metric month by month from its start (each month
    /// on its own), for the goal page's chart.
    async fn goal_trend(&self, g: &GoalRow, today: Day) -> Result<Vec<(String, Option<f64>)>> {
        let (Some(code), Some(start)) = (
            g.metric_code.as_deref(),
            g.start_on.as_deref().and_then(|d| Day::parse(d).ok()),
        ) else {
            return Ok(Vec::new());
        };
        let Ok(scope) = goal_scope(&g.scope) else {
            return Ok(Vec::new());
        };
        let end = g
            .deadline_on
            .as_deref()
            .and_then(|d| Day::parse(d).ok())
            .unwrap_or(today)
            .min(today.plus_days(1));
        let mut out = Vec::new();
        let mut month = start.first_of_month();
        let system = Actor::system();
        while month < end && out.len() < 36 {
            let next = month.plus_months(1);
            let from = month.max(start);
            let to = next.min(end);
            if let Ok(p) = Period::new(from, to) {
                let v = self
                    .metric_values(&system, &[code.to_string()], &scope, p)
                    .await
                    .ok()
                    .and_then(|a| a.into_iter().next())
                    .and_then(|a| a.value);
                out.push((month.to_string(), v));
            }
            month = next;
        }
        Ok(out)
    }

    /// Progress of every goal: measured ones from their metric or counted
    /// value, the others from their children (by weight), their tasks or
    /// updates by hand, in that order.
    async fn compute(
        &self,
        all: &[GoalRow],
        task_statuses: &[(i64, String)],
        manual: &[(i64, Option<f64>, Option<f64>)],
    ) -> Result<HashMap<i64, Computed>> {
        let today = Day::from_unix_seconds(self.clock.now());
        let catalogue = self.catalogue().await?;
        let mut out: HashMap<i64, Computed> = HashMap::new();
        let mut task_counts: HashMap<i64, (usize, usize)> = HashMap::new();
        for (goal_id, status) in task_statuses {
            let e = task_counts.entry(*goal_id).or_default();
            match TaskStatus::parse(status) {
                Some(TaskStatus::Cancelled) => {}
                Some(TaskStatus::Done) => {
                    e.0 += 1;
                    e.1 += 1;
                }
                _ => e.0 += 1,
            }
        }
        let manual: HashMap<i64, (Option<f64>, Option<f64>)> =
            manual.iter().map(|(g, v, p)| (*g, (*v, *p))).collect();
        let system = Actor::system();
        // Leaves first: a goal's own measure, tasks and updates.
        for g in all {
            let (total, done) = task_counts.get(&g.id).copied().unwrap_or_default();
            let mut c = Computed {
                source: "none",
                tasks_total: total,
                tasks_done: done,
                ..Computed::default()
            };
            if let Some(code) = &g.metric_code {
                c.unit = catalogue.get(code).map(|m| m.unit);
                let additive = catalogue.get(code).is_some_and(|m| m.additive());
                let start = g.start_on.as_deref().and_then(|d| Day::parse(d).ok());
                let deadline = g.deadline_on.as_deref().and_then(|d| Day::parse(d).ok());
                c.source = "metric";
                match (start, goal_scope(&g.scope)) {
                    (Some(start), Ok(scope)) if start <= today => {
                        let end = deadline.unwrap_or(today.plus_days(1));
                        let to = end.min(today.plus_days(1));
                        if let Ok(p) = Period::new(start, to) {
                            let answer = self
                                .metric_values(&system, std::slice::from_ref(code), &scope, p)
                                .await?
                                .into_iter()
                                .next();
                            if let Some(a) = answer {
                                c.currency = a.currency;
                                c.note = a.note;
                                c.value = a.value;
                                if additive && to < end {
                                    let whole = start.days_until(end) as f64;
                                    let so_far = start.days_until(to) as f64;
                                    c.value = c.value.map(|v| v * whole / so_far);
                                    c.projected = c.value.is_some();
                                }
                            }
                        }
                    }
                    (Some(_), Ok(_)) => {
                        c.note = Some("the goal has not started".into());
                        c.note_code = Some("not_started");
                    }
                    _ => {
                        c.note = Some("the goal has no start date".into());
                        c.note_code = Some("no_start");
                    }
                }
                if let (Some(b), Some(t), Some(v)) = (g.baseline, g.target, c.value) {
                    c.progress = goal::measured_progress(b, t, v);
                }
            } else if g.unit.is_some() {
                c.source = "counted";
                c.value = manual.get(&g.id).and_then(|m| m.0);
                if let (Some(b), Some(t), Some(v)) = (g.baseline, g.target, c.value) {
                    c.progress = goal::measured_progress(b, t, v);
                }
            } else if total > 0 {
                c.source = "tasks";
                c.progress = Some(done as f64 / total as f64);
            } else if let Some(p) = manual.get(&g.id).and_then(|m| m.1) {
                c.source = "manual";
                c.progress = Some(p);
            }
            out.insert(g.id, c);
        }
        // Then parents without a measure of their own roll up their children,
        // deepest first, so that each child is final when its parent reads it.
        let parent_of: HashMap<i64, Option<i64>> =
            all.iter().map(|g| (g.id, g.parent_id)).collect();
        let depth = |mut id: i64| {
            let mut d = 0;
            while let Some(Some(p)) = parent_of.get(&id) {
                d += 1;
                id = *p;
                if d > 1000 {
                    break;
                }
            }
            d
        };
        let mut order: Vec<&GoalRow> = all.iter().collect();
        order.sort_by_key(|g| std::cmp::Reverse(depth(g.id)));
        for g in order {
            let kids: Vec<Child> = all
                .iter()
                .filter(|k| k.parent_id == Some(g.id))
                .map(|k| Child {
                    weight: k.weight,
                    status: GoalStatus::parse(&k.status).unwrap_or(GoalStatus::Draft),
                    progress: out.get(&k.id).and_then(|c| c.progress),
                })
                .collect();
            if let Some(c) = out.get_mut(&g.id) {
                c.has_children = kids.iter().any(|k| k.status != GoalStatus::Cancelled);
            }
            let measured = g.metric_code.is_some() || g.unit.is_some();
            if measured || kids.is_empty() {
                continue;
            }
            if let Some(r) = goal::roll_up(&kids)
                && let Some(c) = out.get_mut(&g.id)
            {
                c.source = "children";
                c.progress = Some(r.progress);
                c.empty_children = r.empty;
            }
        }
        Ok(out)
    }

    /// Records today's progress of every running goal (the history of
    /// computed progress); run once a day by the server.
    pub async fn snapshot_goals(&self) -> Result<usize> {
        let now = self.clock.now();
        let today = Day::from_unix_seconds(now).to_string();
        let mut tx = self.store.read().await?;
        let all = goals::all(&mut tx).await?;
        let task_statuses = tasks::goal_statuses(&mut tx).await?;
        let manual = goals::latest_manual(&mut tx).await?;
        drop(tx);
        let computed = self.compute(&all, &task_statuses, &manual).await?;
        let mut tx = self.store.begin().await?;
        let mut n = 0;
        for g in all.iter().filter(|g| g.status == "active") {
            let Some(c) = computed.get(&g.id) else {
                continue;
            };
            goals::snapshot(
                &mut tx,
                &NewProgress {
                    goal_id: g.id,
                    day: &today,
                    kind: "snapshot",
                    value: c.value,
                    progress: c.progress,
                    note: "",
                    user_id: None,
                    now,
                },
            )
            .await?;
            n += 1;
        }
        tx.commit().await?;
        Ok(n)
    }

    /// Strategies with the goals they serve, for everyone.
    pub async fn strategies(&self, _actor: &Actor) -> Result<Vec<(StrategyRow, Vec<i64>)>> {
        let mut tx = self.store.read().await?;
        let links = goals::strategy_goals(&mut tx).await?;
        Ok(goals::strategies(&mut tx)
            .await?
            .into_iter()
            .map(|s| {
                let ids = links
                    .iter()
                    .filter(|(sid, _)| *sid == s.id)
                    .map(|(_, g)| *g)
                    .collect();
                (s, ids)
            })
            .collect())
    }

    /// Adds a strategy serving some goals (the head, admins and managers).
    #[allow(clippy::too_many_arguments)]
    pub async fn create_strategy(
        &self,
        actor: &Actor,
        title: &str,
        kind: &str,
        description: &str,
        start_on: &str,
        end_on: &str,
        goal_ids: &[i64],
    ) -> Result<StrategyRow> {
        plans(actor)?;
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let (period, ids) =
            checked_strategy(&mut tx, actor, title, kind, start_on, end_on, goal_ids).await?;
        let (from, to) = (period.from.to_string(), period.to.to_string());
        let (title, kind) = (title.trim(), kind.trim());
        let id = goals::insert_strategy(
            &mut tx,
            &NewStrategy {
                title,
                kind,
                description: description.trim(),
                owner_employee_id: actor.employee_id,
                start_on: &from,
                end_on: &to,
            },
            &ids,
            actor.user_id,
            now,
        )
        .await?;
        audit::record(
            &mut tx,
            now,
            &actor.author(),
            Change {
                action: "create",
                entity: "strategy",
                entity_id: Some(id),
                before: None,
                after: Some(json!({"title": title, "kind": kind, "goal_ids": ids})),
            },
        )
        .await?;
        let row = goals::strategies(&mut tx)
            .await?
            .into_iter()
            .find(|s| s.id == id)
            .ok_or(Error::NotFound)?;
        tx.commit().await?;
        Ok(row)
    }

    /// Changes a strategy: its name, kind, description, days and the goals
    /// it serves (its owner, the head, admins).
    #[allow(clippy::too_many_arguments)]
    pub async fn update_strategy(
        &self,
        actor: &Actor,
        id: i64,
        title: &str,
        kind: &str,
        description: &str,
        start_on: &str,
        end_on: &str,
        goal_ids: &[i64],
    ) -> Result<StrategyRow> {
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let before = strategy(&mut tx, id).await?;
        if !may_change_strategy(actor, &before) {
            return Err(Error::Forbidden);
        }
        let before_goals: Vec<i64> = goals::strategy_goals(&mut tx)
            .await?
            .into_iter()
            .filter(|(s, _)| *s == id)
            .map(|(_, g)| g)
            .collect();
        let (period, ids) =
            checked_strategy(&mut tx, actor, title, kind, start_on, end_on, goal_ids).await?;
        let (from, to) = (period.from.to_string(), period.to.to_string());
        goals::update_strategy(
            &mut tx,
            id,
            &NewStrategy {
                title: title.trim(),
                kind: kind.trim(),
                description: description.trim(),
                owner_employee_id: before.owner_employee_id,
                start_on: &from,
                end_on: &to,
            },
            &ids,
            now,
        )
        .await?;
        audit::record(
            &mut tx,
            now,
            &actor.author(),
            Change {
                action: "update",
                entity: "strategy",
                entity_id: Some(id),
                before: Some(json!({"title": before.title, "kind": before.kind, "description": before.description,
                    "start_on": before.start_on, "end_on": before.end_on, "goal_ids": before_goals})),
                after: Some(json!({"title": title.trim(), "kind": kind.trim(), "description": description.trim(),
                    "start_on": from, "end_on": to, "goal_ids": ids})),
            },
        )
        .await?;
        let row = strategy(&mut tx, id).await?;
        tx.commit().await?;
        Ok(row)
    }

    /// Archives a strategy that no longer runs, or brings it back (its
    /// owner, the head, admins). Its links stay.
    pub async fn archive_strategy(
        &self,
        actor: &Actor,
        id: i64,
        archived: bool,
    ) -> Result<StrategyRow> {
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let before = strategy(&mut tx, id).await?;
        if !may_change_strategy(actor, &before) {
            return Err(Error::Forbidden);
        }
        if before.archived_at.is_some() == archived {
            return Err(Error::Conflict(format!(
                "strategy {id} is {} already",
                if archived { "archived" } else { "running" }
            )));
        }
        goals::set_strategy_archived(&mut tx, id, archived.then_some(now), now).await?;
        audit::record(
            &mut tx,
            now,
            &actor.author(),
            Change {
                action: if archived { "archive" } else { "restore" },
                entity: "strategy",
                entity_id: Some(id),
                before: Some(json!({"archived_at": before.archived_at})),
                after: Some(json!({"archived_at": archived.then_some(now)})),
            },
        )
        .await?;
        let row = strategy(&mut tx, id).await?;
        tx.commit().await?;
        Ok(row)
    }

    /// Links a campaign to a strategy and a goal (managers of the
    /// campaign's people, the head, admins).
    pub async fn link_campaign(
        &self,
        actor: &Actor,
        campaign_id: i64,
        strategy_id: Option<i64>,
        goal_id: Option<i64>,
    ) -> Result<()> {
        plans(actor)?;
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let people = campaigns::people(&mut tx, campaign_id)
            .await?
            .ok_or(Error::NotFound)?;
        let sees = matches!(actor.scope.people, PeopleScope::All)
            || people
                .iter()
                .any(|(e, t)| actor.scope.sees_employee(*e, *t));
        if !sees {
            return Err(Error::NotFound);
        }
        let mut problems = Vec::new();
        if let Some(s) = strategy_id
            && !goals::strategies(&mut tx).await?.iter().any(|r| r.id == s)
        {
            problems.push(FieldProblem::new(
                "strategy_id",
                format!("there is no strategy {s}"),
            ));
        }
        if let Some(g) = goal_id {
            let org = Org::load(&mut tx).await?;
            let ok = match goals::get(&mut tx, g).await? {
                Some(row) => {
                    goal_scope(&row.scope).is_ok_and(|s| org.right(actor, &s) != Right::None)
                }
                None => false,
            };
            if !ok {
                problems.push(FieldProblem::new(
                    "goal_id",
                    format!("there is no goal {g} you can see"),
                ));
            }
        }
        if !problems.is_empty() {
            return Err(Error::Invalid(problems));
        }
        goals::link_campaign(&mut tx, campaign_id, strategy_id, goal_id).await?;
        audit::record(
            &mut tx,
            now,
            &actor.author(),
            Change {
                action: "update",
                entity: "campaign",
                entity_id: Some(campaign_id),
                before: None,
                after: Some(json!({"strategy_id": strategy_id, "goal_id": goal_id})),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The department's SWOT entries for a period (everyone sees them).
    pub async fn swot(&self, _actor: &Actor, period: Period) -> Result<Vec<SwotRow>> {
        let mut tx = self.store.read().await?;
        Ok(goals::swot(&mut tx, &period.from.to_string(), &period.to.to_string()).await?)
    }

    /// Adds a SWOT entry (the head, admins and managers).
    #[allow(clippy::too_many_arguments)]
    pub async fn add_swot(
        &self,
        actor: &Actor,
        period: Period,
        quadrant: &str,
        title: &str,
        note: &str,
        metric_code: Option<&str>,
        campaign_id: Option<i64>,
    ) -> Result<SwotRow> {
        plans(actor)?;
        let mut tx = self.store.begin().await?;
        let entry = SwotInput {
            quadrant,
            title,
            note,
            metric_code,
            campaign_id,
        }
        .checked(&mut tx)
        .await?;
        let now = self.clock.now();
        let (from, to) = (period.from.to_string(), period.to.to_string());
        let id =
            goals::insert_swot(&mut tx, &entry.new_swot(&from, &to), actor.user_id, now).await?;
        let row = goals::swot_entry(&mut tx, id)
            .await?
            .ok_or(Error::NotFound)?;
        audit::record(
            &mut tx,
            now,
            &actor.author(),
            Change {
                action: "create",
                entity: "swot_entry",
                entity_id: Some(id),
                before: None,
                after: Some(swot_json(&row)),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(row)
    }

    /// The entry, if the caller may change or remove it: its author, the
    /// head and admins (a manager changes their own entries only).
    async fn own_swot(&self, tx: &mut Tx, actor: &Actor, id: i64) -> Result<SwotRow> {
        plans(actor)?;
        let row = goals::swot_entry(tx, id).await?.ok_or(Error::NotFound)?;
        if may_change_swot(actor, &row) {
            Ok(row)
        } else {
            Err(Error::Forbidden)
        }
    }

    /// Rewrites a SWOT entry's quadrant, words and links; what the change
    /// leaves out keeps its value (an empty metric code removes the metric).
    pub async fn update_swot(
        &self,
        actor: &Actor,
        id: i64,
        change: &SwotChange,
    ) -> Result<SwotRow> {
        let mut tx = self.store.begin().await?;
        let before = self.own_swot(&mut tx, actor, id).await?;
        let input = SwotInput {
            quadrant: change.quadrant.as_deref().unwrap_or(&before.quadrant),
            title: change.title.as_deref().unwrap_or(&before.title),
            note: change.note.as_deref().unwrap_or(&before.note),
            metric_code: match &change.metric_code {
                Some(code) => Some(code.as_str()),
                None => before.metric_code.as_deref(),
            },
            campaign_id: change.campaign_id.or(before.campaign_id),
        };
        let entry = input.checked(&mut tx).await?;
        let now = self.clock.now();
        goals::update_swot(
            &mut tx,
            id,
            &entry.new_swot(&before.period_from, &before.period_to),
        )
        .await?;
        let row = goals::swot_entry(&mut tx, id)
            .await?
            .ok_or(Error::NotFound)?;
        audit::record(
            &mut tx,
            now,
            &actor.author(),
            Change {
                action: "update",
                entity: "swot_entry",
                entity_id: Some(id),
                before: Some(swot_json(&before)),
                after: Some(swot_json(&row)),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(row)
    }

    /// Removes a SWOT entry (its author, the head and admins); the audit
    /// log keeps a copy.
    pub async fn delete_swot(&self, actor: &Actor, id: i64) -> Result<()> {
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let before = self.own_swot(&mut tx, actor, id).await?;
        if !goals::delete_swot(&mut tx, id).await? {
            return Err(Error::NotFound);
        }
        audit::record(
            &mut tx,
            now,
            &actor.author(),
            Change {
                action: "delete",
                entity: "swot_entry",
                entity_id: Some(id),
                before: Some(swot_json(&before)),
                after: None,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

/// Whether the caller may change or remove a SWOT entry: its author (one
/// who plans), the head and admins.
pub fn may_change_swot(actor: &Actor, row: &SwotRow) -> bool {
    match actor.role {
        Role::Admin | Role::Head => true,
        Role::Manager => row.created_by_user_id == Some(actor.user_id),
        Role::Employee | Role::Viewer => false,
    }
}

/// A SWOT entry as entered.
#[derive(Debug, Clone, Copy)]
pub struct SwotInput<'a> {
    pub quadrant: &'a str,
    pub title: &'a str,
    pub note: &'a str,
    pub metric_code: Option<&'a str>,
    pub campaign_id: Option<i64>,
}

/// A change to a SWOT entry: the fields given.
#[derive(Debug, Clone, Default)]
pub struct SwotChange {
    pub quadrant: Option<String>,
    pub title: Option<String>,
    pub note: Option<String>,
    pub metric_code: Option<String>,
    pub campaign_id: Option<i64>,
}

/// A SWOT entry's fields, checked.
struct CheckedSwot<'a> {
    quadrant: &'a str,
    title: &'a str,
    note: &'a str,
    metric_code: Option<&'a str>,
    campaign_id: Option<i64>,
}

impl<'a> SwotInput<'a> {
    /// Every problem at once.
    async fn checked(&self, tx: &mut Tx) -> Result<CheckedSwot<'a>> {
        let mut problems = Vec::new();
        const QUADRANTS: [&str; 4] = ["strength", "weakness", "opportunity", "threat"];
        let quadrant = self.quadrant.trim();
        if !QUADRANTS.contains(&quadrant) {
            problems.push(FieldProblem::new(
                "quadrant",
                format!(
                    "'{quadrant}' is not a quadrant; use one of {}",
                    QUADRANTS.join(", ")
                ),
            ));
        }
        let title = self.title.trim();
        if title.is_empty() || title.chars().count() > MAX_TITLE {
            problems.push(FieldProblem::new(
                "title",
                format!("write the entry (at most {MAX_TITLE} characters)"),
            ));
        }
        if self.note.chars().count() > MAX_TEXT {
            problems.push(FieldProblem::new(
                "note",
                format!("is longer than {MAX_TEXT} characters"),
            ));
        }
        let metric_code = self.metric_code.map(str::trim).filter(|c| !c.is_empty());
        if let Some(code) = metric_code
            && crate::metrics::catalogue_in(tx).await?.get(code).is_none()
        {
            problems.push(FieldProblem::new(
                "metric_code",
                format!("'{code}' is not a metric"),
            ));
        }
        if let Some(c) = self.campaign_id
            && campaigns::people(tx, c).await?.is_none()
        {
            problems.push(FieldProblem::new(
                "campaign_id",
                format!("there is no campaign {c}"),
            ));
        }
        if !problems.is_empty() {
            return Err(Error::Invalid(problems));
        }
        Ok(CheckedSwot {
            quadrant,
            title,
            note: self.note.trim(),
            metric_code,
            campaign_id: self.campaign_id,
        })
    }
}

impl<'a> CheckedSwot<'a> {
    fn new_swot(&self, from: &'a str, to: &'a str) -> NewSwot<'a> {
        NewSwot {
            period_from: from,
            period_to: to,
            quadrant: self.quadrant,
            title: self.title,
            note: self.note,
            metric_code: self.metric_code,
            campaign_id: self.campaign_id,
        }
    }
}

/// A SWOT entry as the audit log keeps it (a deleted one can be read back).
fn swot_json(s: &SwotRow) -> serde_json::Value {
    json!({
        "period_from": s.period_from, "period_to": s.period_to, "quadrant": s.quadrant,
        "title": s.title, "note": s.note, "metric_code": s.metric_code, "campaign_id": s.campaign_id,
    })
}

/// A strategy's values as entered, checked: every problem at once. Gives
/// the period and the goals it serves (each once).
async fn checked_strategy(
    tx: &mut Tx,
    actor: &Actor,
    title: &str,
    kind: &str,
    start_on: &str,
    end_on: &str,
    goal_ids: &[i64],
) -> Result<(Period, Vec<i64>)> {
    let mut problems = Vec::new();
    const KINDS: [&str; 7] = [
        "campaigns",
        "product",
        "new_market",
        "pricing",
        "brand",
        "partnerships",
        "other",
    ];
    if !KINDS.contains(&kind.trim()) {
        problems.push(FieldProblem::new(
            "kind",
            format!(
                "'{kind}' is not a kind of strategy; use one of {}",
                KINDS.join(", ")
            ),
        ));
    }
    let title = title.trim();
    if title.is_empty() || title.chars().count() > MAX_TITLE {
        problems.push(FieldProblem::new(
            "title",
            format!("write the strategy's name (at most {MAX_TITLE} characters)"),
        ));
    }
    let period = match Period::parse(start_on.trim(), end_on.trim()) {
        Ok(p) => Some(p),
        Err(e) => {
            problems.push(FieldProblem::period("end_on", &e));
            None
        }
    };
    let org = Org::load(tx).await?;
    for g in goal_ids {
        let ok = match goals::get(tx, *g).await? {
            Some(row) => goal_scope(&row.scope).is_ok_and(|s| org.right(actor, &s) != Right::None),
            None => false,
        };
        if !ok {
            problems.push(FieldProblem::new(
                "goal_ids",
                format!("there is no goal {g} you can see"),
            ));
        }
    }
    let (Some(period), true) = (period, problems.is_empty()) else {
        return Err(Error::Invalid(problems));
    };
    let mut ids = goal_ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    Ok((period, ids))
}

/// Whether the actor may change or archive a strategy: the head and admins
/// any, a manager the ones they own.
pub fn may_change_strategy(actor: &Actor, strategy: &StrategyRow) -> bool {
    match actor.role {
        Role::Admin | Role::Head => true,
        Role::Manager => {
            actor.employee_id.is_some() && actor.employee_id == strategy.owner_employee_id
        }
        Role::Employee | Role::Viewer => false,
    }
}

/// Strategies, campaign links and SWOT are set by those who plan: the
/// head, admins and managers.
fn plans(actor: &Actor) -> Result<()> {
    if matches!(actor.role, Role::Admin | Role::Head | Role::Manager) {
        Ok(())
    } else {
        Err(Error::Forbidden)
    }
}

async fn strategy(tx: &mut Tx, id: i64) -> Result<StrategyRow> {
    goals::strategies(tx)
        .await?
        .into_iter()
        .find(|s| s.id == id)
        .ok_or(Error::NotFound)
}

/// Lists show the department's goals first, then teams', then people's;
/// each by start, then age.
fn order_key(g: &GoalRow) -> (u8, String, i64) {
    let level = match g.scope.split(':').next() {
        Some("department") => 0,
        Some("team") => 1,
        _ => 2,
    };
    (level, g.start_on.clone().unwrap_or_default(), g.id)
}

/// The goal and every goal below it. Stored data without loops ends at
/// the leaves; each goal is visited once in any case.
fn descendants(all: &[GoalRow], root: i64) -> std::collections::HashSet<i64> {
    let mut seen = std::collections::HashSet::new();
    let mut stack = vec![root];
    while let Some(id) = stack.pop() {
        if seen.insert(id) {
            stack.extend(all.iter().filter(|g| g.parent_id == Some(id)).map(|g| g.id));
        }
    }
    seen
}

fn has_match(
    id: i64,
    children: &BTreeMap<Option<i64>, Vec<&GoalRow>>,
    pred: &impl Fn(&GoalRow) -> bool,
) -> bool {
    children
        .get(&Some(id))
        .into_iter()
        .flatten()
        .any(|c| pred(c) || has_match(c.id, children, pred))
}

fn build(
    g: &GoalRow,
    children: &BTreeMap<Option<i64>, Vec<&GoalRow>>,
    computed: &HashMap<i64, Computed>,
    org: &Org,
    actor: &Actor,
    today: Day,
    depth: usize,
) -> GoalView {
    let c = computed.get(&g.id).cloned().unwrap_or_default();
    let scope = goal_scope(&g.scope).unwrap_or(ScopeRef::Department);
    let status = GoalStatus::parse(&g.status).unwrap_or(GoalStatus::Draft);
    let pace = match (
        g.start_on.as_deref().and_then(|d| Day::parse(d).ok()),
        g.deadline_on.as_deref().and_then(|d| Day::parse(d).ok()),
    ) {
        (Some(s), Some(d)) if status != GoalStatus::Cancelled => {
            goal::pace(status, c.progress, s, d, today)
        }
        _ => Status::NoData,
    };
    let right = org.right(actor, &scope);
    let kids = if depth < 50 {
        children
            .get(&Some(g.id))
            .into_iter()
            .flatten()
            .map(|k| build(k, children, computed, org, actor, today, depth + 1))
            .collect()
    } else {
        Vec::new()
    };
    GoalView {
        level: level_of(&scope),
        scope_name: org.name_of(&scope),
        smart: smart_of(g, c.has_children),
        progress: c.progress,
        progress_source: if c.source.is_empty() {
            "none"
        } else {
            c.source
        },
        current_value: c.value,
        projected: c.projected,
        unit: c.unit,
        currency: c.currency,
        value_note: c.note,
        value_note_code: c.note_code,
        pace,
        tasks_total: c.tasks_total,
        tasks_done: c.tasks_done,
        children: kids,
        empty_children: c.empty_children,
        can_edit: right == Right::Edit || (right == Right::Propose && g.status == "draft"),
        goal: g.clone(),
    }
}

fn row_of(v: &GoalValues) -> GoalRow {
    GoalRow {
        id: 0,
        scope: v.scope.clone(),
        parent_id: v.parent_id,
        business_goal: v.business_goal.clone(),
        title: v.title.clone(),
        description: v.description.clone(),
        owner_employee_id: v.owner_employee_id,
        owner_name: None,
        status: v.status.clone(),
        weight: v.weight,
        metric_code: v.metric_code.clone(),
        unit: v.unit.clone(),
        baseline: v.baseline,
        target: v.target,
        budget_minor: v.budget_minor,
        currency: v.currency.clone(),
        people: v.people,
        hours: v.hours,
        start_on: v.start_on.clone(),
        deadline_on: v.deadline_on.clone(),
        created_at: 0,
        updated_at: 0,
    }
}

fn values_of(g: &GoalRow) -> GoalValues {
    GoalValues {
        scope: g.scope.clone(),
        parent_id: g.parent_id,
        business_goal: g.business_goal.clone(),
        title: g.title.clone(),
        description: g.description.clone(),
        owner_employee_id: g.owner_employee_id,
        status: g.status.clone(),
        weight: g.weight,
        metric_code: g.metric_code.clone(),
        unit: g.unit.clone(),
        baseline: g.baseline,
        target: g.target,
        budget_minor: g.budget_minor,
        currency: g.currency.clone(),
        people: g.people,
        hours: g.hours,
        start_on: g.start_on.clone(),
        deadline_on: g.deadline_on.clone(),
    }
}

fn goal_json(v: &GoalValues) -> serde_json::Value {
    json!({
        "scope": v.scope, "parent_id": v.parent_id, "business_goal": v.business_goal,
        "title": v.title, "description": v.description, "owner_employee_id": v.owner_employee_id,
        "status": v.status, "weight": v.weight, "metric_code": v.metric_code, "unit": v.unit,
        "baseline": v.baseline, "target": v.target, "budget_minor": v.budget_minor,
        "currency": v.currency, "people": v.people, "hours": v.hours,
        "start_on": v.start_on, "deadline_on": v.deadline_on,
    })
}
