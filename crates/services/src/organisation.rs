//! The organisation: the company above the department, its teams and
//! positions, and the first-run setup of an empty installation. People are
//! in [`crate::people`].
//!
//! Rights: the head and admins shape the organisation (company, teams,
//! positions); everyone reads the part of it their scope holds.

use mkpi_domain::{Email, Locale, Login, Password, Role};
pub use mkpi_store::company::CompanyRow;
use mkpi_store::company::{self, CompanyFields};
pub use mkpi_store::employees::EmployeeRow;
pub use mkpi_store::positions::PositionRow;
pub use mkpi_store::teams::TeamRow;
use mkpi_store::{Tx, departments, employees, positions, teams, users};
use serde_json::json;

use crate::audit::{self, Author, Change};
use crate::auth::{Actor, hash_password_off_thread};
use crate::{Error, FieldProblem, Result, Services};

/// What the home page shows: the department and the part of it the caller sees.
#[derive(Debug, Clone)]
pub struct OrgOverview {
    pub department: Option<String>,
    pub teams: Vec<TeamRow>,
    pub employees: Vec<EmployeeRow>,
}

/// The company as entered (setup and its settings page).
#[derive(Debug, Clone, Default)]
pub struct CompanyInput {
    pub name: String,
    pub currency: String,
    pub time_zone: String,
    pub fiscal_year_start_month: String,
    pub locale: String,
}

/// The first run: the company, the department and the first admin.
#[derive(Debug, Clone, Default)]
pub struct SetupInput {
    pub company: CompanyInput,
    /// The department's name; the company's when empty.
    pub department: String,
    pub admin_login: String,
    pub admin_password: String,
}

/// A team as entered: name and the team it sits under.
#[derive(Debug, Clone, Default)]
pub struct TeamInput {
    pub name: String,
    pub parent_id: Option<i64>,
    /// The employee who leads it.
    pub manager_id: Option<i64>,
}

/// How far a new department has come: what the setup checklist shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checklist {
    pub company: bool,
    pub teams: i64,
    pub people: i64,
    /// Accounts besides the admins'.
    pub accounts: i64,
    pub imports: i64,
    pub kpis: i64,
}

/// The longest name a team, position or company may have.
const MAX_NAME: usize = 200;

pub(crate) fn require_org_admin(actor: &Actor) -> Result<()> {
    if matches!(actor.role, Role::Admin | Role::Head) {
        Ok(())
    } else {
        Err(Error::Forbidden)
    }
}

/// A name as entered: trimmed, not empty, not too long, no control characters.
pub(crate) fn clean_name(field: &str, raw: &str, problems: &mut Vec<FieldProblem>) -> String {
    let name = raw.trim().to_string();
    if name.is_empty() {
        problems.push(FieldProblem::coded(
            field,
            "err-required",
            vec![],
            "is required",
        ));
    } else if name.chars().count() > MAX_NAME {
        problems.push(FieldProblem::coded(
            field,
            "err-too-long",
            vec![("max", MAX_NAME.to_string())],
            format!("is longer than {MAX_NAME} characters"),
        ));
    } else if name.chars().any(char::is_control) {
        problems.push(FieldProblem::coded(
            field,
            "err-control-character",
            vec![],
            "holds a control character",
        ));
    }
    name
}

/// The company's fields checked, every problem at once.
fn company_fields(input: &CompanyInput, problems: &mut Vec<FieldProblem>) -> CompanyChecked {
    let name = clean_name("name", &input.name, problems);
    let currency = input.currency.trim().to_ascii_uppercase();
    if currency.len() != 3 || !currency.bytes().all(|b| b.is_ascii_uppercase()) {
        problems.push(FieldProblem::coded(
            "currency",
            "err-currency",
            vec![("value", input.currency.trim().to_string())],
            format!(
                "'{}' is not a currency code: use three letters such as RUB, EUR or USD",
                input.currency.trim()
            ),
        ));
    }
    let time_zone = input.time_zone.trim().to_string();
    if !valid_time_zone(&time_zone) {
        problems.push(FieldProblem::coded(
            "time_zone",
            "err-time-zone",
            vec![("value", time_zone.clone())],
            format!("'{time_zone}' is not a time zone: use a name such as Europe/Moscow, or UTC"),
        ));
    }
    let month_raw = input.fiscal_year_start_month.trim();
    let month = if month_raw.is_empty() {
        1
    } else {
        match month_raw.parse::<i64>() {
            Ok(m) if (1..=12).contains(&m) => m,
            _ => {
                problems.push(FieldProblem::coded(
                    "fiscal_year_start_month",
                    "err-month",
                    vec![("value", month_raw.to_string())],
                    format!("'{month_raw}' is not a month: use 1 (January) to 12 (December)"),
                ));
                1
            }
        }
    };
    let locale = match Locale::from_tag(input.locale.trim()) {
        Some(l) => l,
        None => {
            problems.push(FieldProblem::coded(
                "locale",
                "err-language",
                vec![("value", input.locale.trim().to_string())],
                format!("unknown language '{}': use ru or en", input.locale.trim()),
            ));
            Locale::En
        }
    };
    CompanyChecked {
        name,
        currency,
        time_zone,
        month,
        locale,
    }
}

struct CompanyChecked {
    name: String,
    currency: String,
    time_zone: String,
    month: i64,
    locale: Locale,
}

impl CompanyChecked {
    fn fields(&self) -> CompanyFields<'_> {
        CompanyFields {
            name: &self.name,
            currency: &self.currency,
            time_zone: &self.time_zone,
            fiscal_year_start_month: self.month,
            locale: self.locale.as_str(),
        }
    }
}

/// An IANA zone name (`Area/City`, `Area/City/Sub`) or UTC. The names are
/// data that changes; the shape is what can be checked without a database.
fn valid_time_zone(tz: &str) -> bool {
    if tz == "UTC" {
        return true;
    }
    let parts: Vec<&str> = tz.split('/').collect();
    (2..=3).contains(&parts.len())
        && parts.iter().all(|p| {
            !p.is_empty()
                && p.len() <= 40
                && p.starts_with(|c: char| c.is_ascii_uppercase())
                && p.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'+'))
        })
}

fn company_json(c: &CompanyRow) -> serde_json::Value {
    json!({
        "name": c.name,
        "currency": c.currency,
        "time_zone": c.time_zone,
        "fiscal_year_start_month": c.fiscal_year_start_month,
        "locale": c.locale,
    })
}

pub(crate) fn team_json(t: &TeamRow) -> serde_json::Value {
    json!({
        "name": t.name,
        "parent_id": t.parent_id,
        "manager_id": t.manager_id,
        "archived": t.archived_at.is_some(),
    })
}

/// The department new teams and people belong to: the first one.
pub(crate) async fn department_id(tx: &mut Tx) -> Result<i64> {
    departments::list(tx)
        .await?
        .into_iter()
        .next()
        .map(|d| d.id)
        .ok_or_else(|| Error::Conflict("mkpi is not set up yet: open /setup first".into()))
}

impl Services {
    pub async fn list_employees(&self, actor: &Actor) -> Result<Vec<EmployeeRow>> {
        let mut tx = self.store.read().await?;
        Ok(employees::list(&mut tx, &actor.scope).await?)
    }

    /// One employee; [`crate::Error::NotFound`] also when outside the
    /// caller's scope, so that a probe learns nothing.
    pub async fn get_employee(&self, actor: &Actor, id: i64) -> Result<EmployeeRow> {
        let mut tx = self.store.read().await?;
        Ok(employees::get(&mut tx, &actor.scope, id).await?)
    }

    pub async fn list_teams(&self, actor: &Actor) -> Result<Vec<TeamRow>> {
        let mut tx = self.store.read().await?;
        Ok(teams::list(&mut tx, &actor.scope).await?)
    }

    /// One team the caller may see.
    pub async fn get_team(&self, actor: &Actor, id: i64) -> Result<TeamRow> {
        self.list_teams(actor)
            .await?
            .into_iter()
            .find(|t| t.id == id)
            .ok_or(Error::NotFound)
    }

    pub async fn org_overview(&self, actor: &Actor) -> Result<OrgOverview> {
        let mut tx = self.store.read().await?;
        let department = departments::list(&mut tx)
            .await?
            .into_iter()
            .next()
            .map(|d| d.name);
        let teams = teams::list(&mut tx, &actor.scope).await?;
        let employees = employees::list(&mut tx, &actor.scope).await?;
        Ok(OrgOverview {
            department,
            teams,
            employees,
        })
    }

    /// Whether the installation still waits for its first run: no account
    /// exists. Once one does, the setup is gone for good.
    pub async fn needs_setup(&self) -> Result<bool> {
        let mut tx = self.store.read().await?;
        Ok(users::count(&mut tx).await? == 0)
    }

    /// The first run: the company, the department and the first admin, in
    /// one transaction. Refused (Conflict) once any account exists.
    pub async fn setup(&self, input: SetupInput) -> Result<()> {
        let now = self.clock.now();
        let mut problems = Vec::new();
        let company = company_fields(&input.company, &mut problems);
        let department = if input.department.trim().is_empty() {
            company.name.clone()
        } else {
            clean_name("department", &input.department, &mut problems)
        };
        let login = Login::parse(&input.admin_login)
            .map_err(|e| problems.push(FieldProblem::identity("admin_login", &e)))
            .ok();
        if let Err(e) = Password::parse(&input.admin_password) {
            problems.push(FieldProblem::identity("admin_password", &e));
        }
        let (Some(login), true) = (login, problems.is_empty()) else {
            return Err(Error::Invalid(problems));
        };
        if !self.needs_setup().await? {
            return Err(Error::Conflict("mkpi is set up already".into()));
        }
        let hash = hash_password_off_thread(input.admin_password).await?;
        let mut tx = self.store.begin().await?;
        // Checked again inside the transaction, and the company's row is
        // created, not written over: of two first runs only one lands, on
        // SQLite (one writer) and on PostgreSQL (the key refuses the second).
        let already = || Error::Conflict("mkpi is set up already".into());
        if users::count(&mut tx).await? > 0 {
            return Err(already());
        }
        company::create(&mut tx, &company.fields(), now)
            .await
            .map_err(|e| match e {
                mkpi_store::StoreError::Conflict { .. } => already(),
                other => other.into(),
            })?;
        if departments::list(&mut tx).await?.is_empty() {
            departments::insert(&mut tx, &department, now).await?;
        }
        let user_id = users::insert(
            &mut tx,
            &users::NewUser {
                login: login.as_str(),
                password_hash: &hash,
                role: Role::Admin.as_str(),
                employee_id: None,
                locale: Some(company.locale.as_str()),
            },
            now,
        )
        .await?;
        let author = Author::system("setup");
        let stored = company::get(&mut tx).await?.ok_or(Error::NotFound)?;
        audit::record(
            &mut tx,
            now,
            &author,
            Change {
                action: "create",
                entity: "company",
                entity_id: None,
                before: None,
                after: Some(company_json(&stored)),
            },
        )
        .await?;
        audit::record(
            &mut tx,
            now,
            &author,
            Change {
                action: "create",
                entity: "user",
                entity_id: Some(user_id),
                before: None,
                after: Some(json!({"login": login.as_str(), "role": "admin"})),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The company, once set up.
    pub async fn company(&self) -> Result<Option<CompanyRow>> {
        let mut tx = self.store.read().await?;
        Ok(company::get(&mut tx).await?)
    }

    /// Changes the company's settings (the head and admins).
    pub async fn update_company(&self, actor: &Actor, input: CompanyInput) -> Result<CompanyRow> {
        require_org_admin(actor)?;
        let now = self.clock.now();
        let mut problems = Vec::new();
        let checked = company_fields(&input, &mut problems);
        if !problems.is_empty() {
            return Err(Error::Invalid(problems));
        }
        let mut tx = self.store.begin().await?;
        let before = company::get(&mut tx).await?;
        company::put(&mut tx, &checked.fields(), now).await?;
        let after = company::get(&mut tx).await?.ok_or(Error::NotFound)?;
        audit::record(
            &mut tx,
            now,
            &actor.author(),
            Change {
                action: if before.is_some() { "update" } else { "create" },
                entity: "company",
                entity_id: None,
                before: before.as_ref().map(company_json),
                after: Some(company_json(&after)),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// What a new department has done of its first steps.
    pub async fn checklist(&self, actor: &Actor) -> Result<Checklist> {
        require_org_admin(actor)?;
        let mut tx = self.store.read().await?;
        let company = company::get(&mut tx).await?.is_some();
        let c = company::first_steps(&mut tx).await?;
        Ok(Checklist {
            company,
            teams: c.teams,
            people: c.people,
            accounts: c.accounts,
            imports: c.imports,
            kpis: c.kpis,
        })
    }

    /// Creates a team (the head and admins).
    pub async fn create_team(&self, actor: &Actor, input: TeamInput) -> Result<TeamRow> {
        require_org_admin(actor)?;
        let now = self.clock.now();
        let mut problems = Vec::new();
        let name = clean_name("name", &input.name, &mut problems);
        let mut tx = self.store.begin().await?;
        let department_id = department_id(&mut tx).await?;
        self.check_team_links(&mut tx, None, &input, &mut problems)
            .await?;
        if problems.is_empty() && teams::find(&mut tx, department_id, &name).await?.is_some() {
            problems.push(FieldProblem::new(
                "name",
                format!("a team named '{name}' exists already"),
            ));
        }
        if !problems.is_empty() {
            return Err(Error::Invalid(problems));
        }
        let id = teams::insert(
            &mut tx,
            &teams::NewTeam {
                department_id,
                parent_id: input.parent_id,
                name: &name,
            },
            now,
        )
        .await?;
        if input.manager_id.is_some() {
            teams::set_manager(&mut tx, id, input.manager_id).await?;
        }
        let team = teams::get(&mut tx, id).await?;
        audit::record(
            &mut tx,
            now,
            &actor.author(),
            Change {
                action: "create",
                entity: "team",
                entity_id: Some(id),
                before: None,
                after: Some(team_json(&team)),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(team)
    }

    /// Renames a team, moves it under another (or to the top) and names its
    /// manager (the head and admins).
    pub async fn update_team(&self, actor: &Actor, id: i64, input: TeamInput) -> Result<TeamRow> {
        require_org_admin(actor)?;
        let now = self.clock.now();
        let mut problems = Vec::new();
        let name = clean_name("name", &input.name, &mut problems);
        let mut tx = self.store.begin().await?;
        let before = teams::get(&mut tx, id).await?;
        self.check_team_links(&mut tx, Some(id), &input, &mut problems)
            .await?;
        if problems.is_empty()
            && teams::find(&mut tx, before.department_id, &name)
                .await?
                .is_some_and(|other| other != id)
        {
            problems.push(FieldProblem::new(
                "name",
                format!("a team named '{name}' exists already"),
            ));
        }
        if !problems.is_empty() {
            return Err(Error::Invalid(problems));
        }
        teams::update(&mut tx, id, &name, input.parent_id).await?;
        teams::set_manager(&mut tx, id, input.manager_id).await?;
        let after = teams::get(&mut tx, id).await?;
        audit::record(
            &mut tx,
            now,
            &actor.author(),
            Change {
                action: "update",
                entity: "team",
                entity_id: Some(id),
                before: Some(team_json(&before)),
                after: Some(team_json(&after)),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// The parent and manager of a team being written: they exist, the
    /// parent is not archived and not below the team itself.
    async fn check_team_links(
        &self,
        tx: &mut Tx,
        team_id: Option<i64>,
        input: &TeamInput,
        problems: &mut Vec<FieldProblem>,
    ) -> Result<()> {
        if let Some(parent) = input.parent_id {
            match teams::get(tx, parent).await {
                Ok(p) if p.archived_at.is_some() => problems.push(FieldProblem::new(
                    "parent_id",
                    format!("the team '{}' is archived", p.name),
                )),
                Ok(_) => {
                    if let Some(id) = team_id {
                        let tree = mkpi_domain::org::TeamTree::new(teams::nodes(tx).await?);
                        if tree.would_cycle(id, parent) {
                            problems.push(FieldProblem::new(
                                "parent_id",
                                "a team cannot sit under itself or a team below it",
                            ));
                        }
                    }
                }
                Err(mkpi_store::StoreError::NotFound) => problems.push(FieldProblem::new(
                    "parent_id",
                    format!("there is no team {parent}"),
                )),
                Err(e) => return Err(e.into()),
            }
        }
        if let Some(manager) = input.manager_id {
            active_employee(tx, "manager_id", manager, problems).await?;
        }
        Ok(())
    }

    /// Archives a team once nobody is in it and no live team sits under it;
    /// its history stays readable.
    pub async fn archive_team(&self, actor: &Actor, id: i64) -> Result<TeamRow> {
        require_org_admin(actor)?;
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let before = teams::get(&mut tx, id).await?;
        if before.archived_at.is_some() {
            return Err(Error::Conflict(format!(
                "the team '{}' is archived already",
                before.name
            )));
        }
        let (people, sub_teams) = teams::holds(&mut tx, id).await?;
        if people > 0 || sub_teams > 0 {
            return Err(Error::Conflict(format!(
                "the team '{}' still holds {people} people and {sub_teams} teams: transfer or archive them first",
                before.name
            )));
        }
        teams::set_archived(&mut tx, id, Some(now)).await?;
        let after = teams::get(&mut tx, id).await?;
        audit::record(
            &mut tx,
            now,
            &actor.author(),
            Change {
                action: "archive",
                entity: "team",
                entity_id: Some(id),
                before: Some(team_json(&before)),
                after: Some(team_json(&after)),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    pub async fn list_positions(&self, _actor: &Actor) -> Result<Vec<PositionRow>> {
        let mut tx = self.store.read().await?;
        Ok(positions::list(&mut tx).await?)
    }

    /// Adds a position to the list (the head and admins).
    pub async fn create_position(&self, actor: &Actor, name: &str) -> Result<PositionRow> {
        require_org_admin(actor)?;
        let now = self.clock.now();
        let mut problems = Vec::new();
        let name = clean_name("name", name, &mut problems);
        if !problems.is_empty() {
            return Err(Error::Invalid(problems));
        }
        let mut tx = self.store.begin().await?;
        if positions::find(&mut tx, &name).await?.is_some() {
            return Err(Error::invalid(
                "name",
                format!("the position '{name}' is in the list already"),
            ));
        }
        let id = positions::insert(&mut tx, &name, now).await?;
        audit::record(
            &mut tx,
            now,
            &actor.author(),
            Change {
                action: "create",
                entity: "position",
                entity_id: Some(id),
                before: None,
                after: Some(json!({"name": name})),
            },
        )
        .await?;
        let row = positions::get(&mut tx, id).await?;
        tx.commit().await?;
        Ok(row)
    }

    /// Renames a position, and with it the people holding it and the
    /// competency weights set for it.
    pub async fn rename_position(&self, actor: &Actor, id: i64, name: &str) -> Result<PositionRow> {
        require_org_admin(actor)?;
        let now = self.clock.now();
        let mut problems = Vec::new();
        let name = clean_name("name", name, &mut problems);
        if !problems.is_empty() {
            return Err(Error::Invalid(problems));
        }
        let mut tx = self.store.begin().await?;
        let before = positions::get(&mut tx, id).await?;
        if positions::find(&mut tx, &name)
            .await?
            .is_some_and(|other| other != id)
        {
            return Err(Error::invalid(
                "name",
                format!("the position '{name}' is in the list already"),
            ));
        }
        positions::rename(&mut tx, id, &before.name, &name).await?;
        audit::record(
            &mut tx,
            now,
            &actor.author(),
            Change {
                action: "update",
                entity: "position",
                entity_id: Some(id),
                before: Some(json!({"name": before.name})),
                after: Some(json!({"name": name})),
            },
        )
        .await?;
        let row = positions::get(&mut tx, id).await?;
        tx.commit().await?;
        Ok(row)
    }

    /// Removes a position nobody holds.
    pub async fn delete_position(&self, actor: &Actor, id: i64) -> Result<()> {
        require_org_admin(actor)?;
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let before = positions::get(&mut tx, id).await?;
        let held = positions::held_by(&mut tx, &before.name).await?;
        if held > 0 {
            return Err(Error::Conflict(format!(
                "{held} people hold the position '{}': give them another first",
                before.name
            )));
        }
        positions::delete(&mut tx, id).await?;
        audit::record(
            &mut tx,
            now,
            &actor.author(),
            Change {
                action: "delete",
                entity: "position",
                entity_id: Some(id),
                before: Some(json!({"name": before.name})),
                after: None,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

/// Notes a problem unless `id` is a person still at work.
pub(crate) async fn active_employee(
    tx: &mut Tx,
    field: &str,
    id: i64,
    problems: &mut Vec<FieldProblem>,
) -> Result<()> {
    match employees::get_any(tx, id).await {
        Ok(e) if !e.active => problems.push(FieldProblem::coded(
            field,
            "err-has-left",
            vec![("name", e.name.clone())],
            format!("{} has left", e.name),
        )),
        Ok(_) => {}
        Err(mkpi_store::StoreError::NotFound) => {
            problems.push(FieldProblem::coded(
                field,
                "err-no-employee",
                vec![("id", id.to_string())],
                format!("there is no employee {id}"),
            ));
        }
        Err(e) => return Err(e.into()),
    }
    Ok(())
}

/// An e-mail as entered, for the people forms.
pub(crate) fn parse_email(
    field: &str,
    raw: &str,
    problems: &mut Vec<FieldProblem>,
) -> Option<Email> {
    Email::parse(raw)
        .map_err(|e| problems.push(FieldProblem::identity(field, &e)))
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_zones_are_checked_by_their_shape() {
        for ok in [
            "UTC",
            "Europe/Moscow",
            "America/Argentina/Buenos_Aires",
            "Etc/GMT+3",
        ] {
            assert!(valid_time_zone(ok), "{ok}");
        }
        for bad in [
            "",
            "Moscow",
            "europe/moscow",
            "Europe/",
            "Europe/Mos cow",
            "A/B/C/D",
        ] {
            assert!(!valid_time_zone(bad), "{bad}");
        }
    }

    #[test]
    fn company_fields_report_every_problem_at_once() {
        let mut problems = Vec::new();
        company_fields(
            &CompanyInput {
                name: " ".into(),
                currency: "рубли".into(),
                time_zone: "Moscow".into(),
                fiscal_year_start_month: "13".into(),
                locale: "de".into(),
            },
            &mut problems,
        );
        let fields: Vec<&str> = problems.iter().map(|p| p.field.as_str()).collect();
        assert_eq!(
            fields,
            vec![
                "name",
                "currency",
                "time_zone",
                "fiscal_year_start_month",
                "locale"
            ]
        );
    }
}
