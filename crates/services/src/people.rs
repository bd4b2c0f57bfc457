//! People: adding and editing employees, transfers with an effective date,
//! leaving and coming back. A transfer ends the person's membership in one team
//! and starts one in another on the day it takes effect, so a team's figures
//! for earlier periods keep the people it had then.
//!
//! Rights: the head and admins change anyone; a manager changes the people
//! of the teams they lead (and below), moves them only between those teams,
//! and never changes their own record; everyone else changes nobody.

use mkpi_domain::Role;
use mkpi_domain::period::Day;
use mkpi_domain::scope::PeopleScope;
pub use mkpi_store::memberships::MembershipRow;
use mkpi_store::{Tx, api_tokens, employees, memberships, positions, sessions, teams, users};
use serde_json::json;

use crate::audit::{self, Change};
use crate::auth::Actor;
use crate::organisation::{EmployeeRow, clean_name, department_id, parse_email};
use crate::{Error, FieldProblem, Result, Services};

/// A person as entered.
#[derive(Debug, Clone, Default)]
pub struct EmployeeInput {
    pub name: String,
    pub email: String,
    pub position: String,
    /// Only when creating: later the team changes by a transfer.
    pub team_id: Option<i64>,
    pub manager_id: Option<i64>,
    /// ISO date; today when empty.
    pub hire_date: String,
}

/// A move to another team from a day on.
#[derive(Debug, Clone, Default)]
pub struct TransferInput {
    pub team_id: i64,
    /// ISO date: the first day in the new team.
    pub effective_on: String,
    /// The new manager; the new team's manager when absent.
    pub manager_id: Option<i64>,
}

fn employee_json(e: &EmployeeRow) -> serde_json::Value {
    json!({
        "name": e.name,
        "email": e.email,
        "position": e.position,
        "team_id": e.team_id,
        "manager_id": e.manager_id,
        "hire_date": e.hire_date,
        "active": e.active,
        "last_day": e.last_day,
    })
}

/// Nobody moves, dismisses or brings back themself, whatever their role.
fn not_oneself(actor: &Actor, id: i64) -> Result<()> {
    if actor.employee_id == Some(id) {
        Err(Error::Forbidden)
    } else {
        Ok(())
    }
}

/// Whether the actor may change a person in `team_id` (`None`: no team).
fn may_change(actor: &Actor, team_id: Option<i64>, employee_id: Option<i64>) -> bool {
    match actor.role {
        Role::Admin | Role::Head => true,
        Role::Manager => match &actor.scope.people {
            PeopleScope::Teams { team_ids, .. } => {
                team_id.is_some_and(|t| team_ids.contains(&t))
                    && (employee_id.is_none() || employee_id != actor.employee_id)
            }
            _ => false,
        },
        Role::Employee | Role::Viewer => false,
    }
}

fn parse_day(field: &str, raw: &str, problems: &mut Vec<FieldProblem>) -> Option<Day> {
    match Day::parse(raw.trim()) {
        Ok(d) => Some(d),
        Err(e) => {
            problems.push(FieldProblem::period(field, &e));
            None
        }
    }
}

impl Services {
    /// The team the person is in and may be put in: it exists, the actor may
    /// place people there, and it is not archived.
    async fn usable_team(
        &self,
        tx: &mut Tx,
        actor: &Actor,
        field: &str,
        team_id: i64,
        problems: &mut Vec<FieldProblem>,
    ) -> Result<()> {
        match teams::get(tx, team_id).await {
            Ok(t) if t.archived_at.is_some() => problems.push(FieldProblem::coded(
                field,
                "err-team-archived",
                vec![("team", t.name.clone())],
                format!("the team '{}' is archived", t.name),
            )),
            Ok(t) if !may_change(actor, Some(t.id), None) => problems.push(FieldProblem::coded(
                field,
                "err-team-not-yours",
                vec![("team", t.name.clone())],
                format!("you cannot place people in the team '{}'", t.name),
            )),
            Ok(_) => {}
            Err(mkpi_store::StoreError::NotFound) => {
                problems.push(FieldProblem::coded(
                    field,
                    "err-no-team",
                    vec![("id", team_id.to_string())],
                    format!("there is no team {team_id}"),
                ));
            }
            Err(e) => return Err(e.into()),
        }
        Ok(())
    }

    async fn usable_manager(
        &self,
        tx: &mut Tx,
        manager_id: i64,
        employee_id: Option<i64>,
        problems: &mut Vec<FieldProblem>,
    ) -> Result<()> {
        if Some(manager_id) == employee_id {
            problems.push(FieldProblem::coded(
                "manager_id",
                "err-own-manager",
                vec![],
                "a person cannot be their own manager",
            ));
            return Ok(());
        }
        crate::organisation::active_employee(tx, "manager_id", manager_id, problems).await
    }

    /// Adds a person to the department.
    pub async fn create_employee(
        &self,
        actor: &Actor,
        input: EmployeeInput,
    ) -> Result<EmployeeRow> {
        if !matches!(actor.role, Role::Admin | Role::Head | Role::Manager) {
            return Err(Error::Forbidden);
        }
        let now = self.clock.now();
        let mut problems = Vec::new();
        let name = clean_name("name", &input.name, &mut problems);
        let email = parse_email("email", &input.email, &mut problems);
        let position = clean_name("position", &input.position, &mut problems);
        let hire_date = if input.hire_date.trim().is_empty() {
            Some(self.clock.today())
        } else {
            parse_day("hire_date", &input.hire_date, &mut problems).map(|d| d.to_string())
        };
        let mut tx = self.store.begin().await?;
        let department_id = department_id(&mut tx).await?;
        match input.team_id {
            Some(team) => {
                self.usable_team(&mut tx, actor, "team_id", team, &mut problems)
                    .await?;
            }
            None if actor.role == Role::Manager => problems.push(FieldProblem::coded(
                "team_id",
                "err-choose-your-team",
                vec![],
                "choose one of your teams for the new person",
            )),
            None => {}
        }
        if let Some(m) = input.manager_id {
            self.usable_manager(&mut tx, m, None, &mut problems).await?;
        }
        if let Some(email) = &email
            && employees::find_by_email(&mut tx, email.as_str())
                .await?
                .is_some()
        {
            problems.push(FieldProblem::coded(
                "email",
                "err-email-taken",
                vec![("email", email.to_string())],
                format!("{email} belongs to someone already"),
            ));
        }
        let (Some(email), Some(hire_date), true) = (email, hire_date, problems.is_empty()) else {
            return Err(Error::Invalid(problems));
        };
        // Without a manager named, the team's manager leads them.
        let manager_id = match (input.manager_id, input.team_id) {
            (Some(m), _) => Some(m),
            (None, Some(team)) => teams::get(&mut tx, team).await?.manager_id,
            (None, None) => None,
        };
        positions::ensure(&mut tx, &position, now).await?;
        let id = employees::insert(
            &mut tx,
            &employees::NewEmployee {
                department_id,
                team_id: input.team_id,
                manager_id,
                name: &name,
                email: email.as_str(),
                position: &position,
                hire_date: &hire_date,
            },
            now,
        )
        .await?;
        let row = employees::get_any(&mut tx, id).await?;
        audit::record(
            &mut tx,
            now,
            &actor.author(),
            Change {
                action: "create",
                entity: "employee",
                entity_id: Some(id),
                before: None,
                after: Some(employee_json(&row)),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(row)
    }

    /// Changes a person's name, e-mail, position, manager and start date.
    /// Their team changes by [`Services::transfer_employee`].
    pub async fn update_employee(
        &self,
        actor: &Actor,
        id: i64,
        input: EmployeeInput,
    ) -> Result<EmployeeRow> {
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let before = employees::get(&mut tx, &actor.scope, id).await?;
        if !may_change(actor, before.team_id, Some(id)) {
            return Err(Error::Forbidden);
        }
        let mut problems = Vec::new();
        let name = clean_name("name", &input.name, &mut problems);
        let email = parse_email("email", &input.email, &mut problems);
        let position = clean_name("position", &input.position, &mut problems);
        let hire_date =
            parse_day("hire_date", &input.hire_date, &mut problems).map(|d| d.to_string());
        if let Some(m) = input.manager_id {
            self.usable_manager(&mut tx, m, Some(id), &mut problems)
                .await?;
        }
        if let Some(email) = &email
            && employees::find_by_email(&mut tx, email.as_str())
                .await?
                .is_some_and(|other| other.id != id)
        {
            problems.push(FieldProblem::coded(
                "email",
                "err-email-taken",
                vec![("email", email.to_string())],
                format!("{email} belongs to someone else"),
            ));
        }
        let (Some(email), Some(hire_date), true) = (email, hire_date, problems.is_empty()) else {
            return Err(Error::Invalid(problems));
        };
        positions::ensure(&mut tx, &position, now).await?;
        employees::update(
            &mut tx,
            id,
            &employees::EmployeeFields {
                name: &name,
                email: email.as_str(),
                position: &position,
                manager_id: input.manager_id,
                hire_date: &hire_date,
            },
            now,
        )
        .await?;
        let after = employees::get_any(&mut tx, id).await?;
        audit::record(
            &mut tx,
            now,
            &actor.author(),
            Change {
                action: "update",
                entity: "employee",
                entity_id: Some(id),
                before: Some(employee_json(&before)),
                after: Some(employee_json(&after)),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Moves a person to another team from `effective_on`: figures dated
    /// before it stay with the old team, later ones go to the new.
    pub async fn transfer_employee(
        &self,
        actor: &Actor,
        id: i64,
        input: TransferInput,
    ) -> Result<EmployeeRow> {
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let before = employees::get(&mut tx, &actor.scope, id).await?;
        if !may_change(actor, before.team_id, Some(id)) {
            return Err(Error::Forbidden);
        }
        not_oneself(actor, id)?;
        let mut problems = Vec::new();
        let day = parse_day("effective_on", &input.effective_on, &mut problems);
        self.usable_team(&mut tx, actor, "team_id", input.team_id, &mut problems)
            .await?;
        if let Some(m) = input.manager_id {
            self.usable_manager(&mut tx, m, Some(id), &mut problems)
                .await?;
        }
        if !before.active {
            problems.push(FieldProblem::coded(
                "employee",
                "err-left-bring-back",
                vec![("name", before.name.clone())],
                format!("{} has left: bring them back first", before.name),
            ));
        }
        if before.team_id == Some(input.team_id) {
            problems.push(FieldProblem::coded(
                "team_id",
                "err-in-team-already",
                vec![("name", before.name.clone())],
                format!("{} is in this team already", before.name),
            ));
        }
        let open = memberships::open_of(&mut tx, id).await?;
        if let Some(day) = day {
            let today = self.clock.today();
            if day.to_string() > today {
                problems.push(FieldProblem::coded(
                    "effective_on",
                    "err-transfer-future",
                    vec![("day", day.to_string()), ("today", today.clone())],
                    format!(
                        "{day} is in the future: a transfer takes effect today ({today}) or earlier"
                    ),
                ));
            }
            if let Some(from) = open.as_ref().and_then(|m| m.valid_from.clone())
                && day.to_string() < from
            {
                problems.push(FieldProblem::coded(
                    "effective_on",
                    "err-transfer-before-joining",
                    vec![("name", before.name.clone()), ("day", from.clone())],
                    format!(
                        "{} joined their current team on {from}: a transfer takes effect on that day or later",
                        before.name
                    ),
                ));
            }
        }
        let (Some(day), true) = (day, problems.is_empty()) else {
            return Err(Error::Invalid(problems));
        };
        let day = day.to_string();
        if let Some(membership) = &open {
            if membership.valid_from.as_deref() == Some(day.as_str()) {
                // A membership that would have no day is a mistake put right.
                memberships::delete(&mut tx, membership.id).await?;
            } else {
                memberships::close(&mut tx, membership.id, &day).await?;
            }
        }
        memberships::open(&mut tx, id, input.team_id, Some(&day), now).await?;
        employees::set_team(&mut tx, id, Some(input.team_id), now).await?;
        let manager_id = match input.manager_id {
            Some(m) => Some(m),
            None => teams::get(&mut tx, input.team_id)
                .await?
                .manager_id
                .filter(|m| *m != id)
                .or(before.manager_id),
        };
        employees::update(
            &mut tx,
            id,
            &employees::EmployeeFields {
                name: &before.name,
                email: &before.email,
                position: &before.position,
                manager_id,
                hire_date: &before.hire_date,
            },
            now,
        )
        .await?;
        let after = employees::get_any(&mut tx, id).await?;
        let mut after_json = employee_json(&after);
        after_json["effective_on"] = json!(day);
        audit::record(
            &mut tx,
            now,
            &actor.author(),
            Change {
                action: "transfer",
                entity: "employee",
                entity_id: Some(id),
                before: Some(employee_json(&before)),
                after: Some(after_json),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// A person leaves after `last_day`: their membership ends, their account is
    /// deactivated (sessions and API tokens end), their history stays.
    pub async fn employee_leaves(
        &self,
        actor: &Actor,
        id: i64,
        last_day: &str,
    ) -> Result<EmployeeRow> {
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let before = employees::get(&mut tx, &actor.scope, id).await?;
        if !may_change(actor, before.team_id, Some(id)) {
            return Err(Error::Forbidden);
        }
        not_oneself(actor, id)?;
        let mut problems = Vec::new();
        let day = parse_day("last_day", last_day, &mut problems);
        if !before.active {
            problems.push(FieldProblem::coded(
                "employee",
                "err-left-already",
                vec![("name", before.name.clone())],
                format!("{} has left already", before.name),
            ));
        }
        if let Some(d) = day
            && d.to_string() < before.hire_date
        {
            problems.push(FieldProblem::new(
                "last_day",
                format!(
                    "{d} is before {} started ({})",
                    before.name, before.hire_date
                ),
            ));
        }
        let (Some(day), true) = (day, problems.is_empty()) else {
            return Err(Error::Invalid(problems));
        };
        let first_day_out = day.plus_days(1).to_string();
        if let Some(membership) = memberships::open_of(&mut tx, id).await? {
            match membership.valid_from.as_deref() {
                Some(from) if from >= first_day_out.as_str() => {
                    memberships::delete(&mut tx, membership.id).await?;
                }
                _ => memberships::close(&mut tx, membership.id, &first_day_out).await?,
            }
        }
        employees::set_left(&mut tx, id, Some(&day.to_string()), now).await?;
        if let Some(user) = users::of_employee(&mut tx, id).await? {
            users::set_active(&mut tx, user.id, false).await?;
            sessions::delete_for_user(&mut tx, user.id).await?;
            api_tokens::revoke_all(&mut tx, user.id, now).await?;
        }
        let after = employees::get_any(&mut tx, id).await?;
        audit::record(
            &mut tx,
            now,
            &actor.author(),
            Change {
                action: "leave",
                entity: "employee",
                entity_id: Some(id),
                before: Some(employee_json(&before)),
                after: Some(employee_json(&after)),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// A person who left comes back on `first_day`, into `team_id` (their
    /// last team when absent); their account opens again.
    pub async fn employee_returns(
        &self,
        actor: &Actor,
        id: i64,
        first_day: &str,
        team_id: Option<i64>,
    ) -> Result<EmployeeRow> {
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let before = employees::get(&mut tx, &actor.scope, id).await?;
        let team_id = team_id.or(before.team_id);
        if !may_change(actor, before.team_id.or(team_id), Some(id)) {
            return Err(Error::Forbidden);
        }
        not_oneself(actor, id)?;
        let mut problems = Vec::new();
        let day = parse_day("first_day", first_day, &mut problems);
        if before.active {
            problems.push(FieldProblem::coded(
                "employee",
                "err-not-left",
                vec![("name", before.name.clone())],
                format!("{} has not left", before.name),
            ));
        }
        if let (Some(d), Some(last)) = (day, before.last_day.as_deref())
            && d.to_string().as_str() <= last
        {
            problems.push(FieldProblem::coded(
                "first_day",
                "err-return-before-leaving",
                vec![("day", d.to_string()), ("last", last.to_string())],
                format!("{d} is not after their last day ({last})"),
            ));
        }
        if let Some(team) = team_id {
            self.usable_team(&mut tx, actor, "team_id", team, &mut problems)
                .await?;
        }
        let (Some(day), true) = (day, problems.is_empty()) else {
            return Err(Error::Invalid(problems));
        };
        if let Some(team) = team_id {
            memberships::open(&mut tx, id, team, Some(&day.to_string()), now).await?;
        }
        employees::set_team(&mut tx, id, team_id, now).await?;
        employees::set_left(&mut tx, id, None, now).await?;
        if let Some(user) = users::of_employee(&mut tx, id).await? {
            users::set_active(&mut tx, user.id, true).await?;
        }
        let after = employees::get_any(&mut tx, id).await?;
        audit::record(
            &mut tx,
            now,
            &actor.author(),
            Change {
                action: "return",
                entity: "employee",
                entity_id: Some(id),
                before: Some(employee_json(&before)),
                after: Some(employee_json(&after)),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// The teams a person was in, latest first.
    pub async fn employee_memberships(&self, actor: &Actor, id: i64) -> Result<Vec<MembershipRow>> {
        let mut tx = self.store.read().await?;
        employees::get(&mut tx, &actor.scope, id).await?;
        Ok(memberships::of_employee(&mut tx, id).await?)
    }

    /// Whether the actor may change this person (for pages to offer forms).
    pub fn may_change_employee(&self, actor: &Actor, employee: &EmployeeRow) -> bool {
        may_change(actor, employee.team_id, Some(employee.id))
    }
}
