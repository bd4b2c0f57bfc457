//! People that other tools name. A time tracker, a task board or a CRM
//! writes people as it knows them ("Anna K", "anna@agency.ru"); a file that
//! names someone mkpi does not know lists them in its report, and the
//! person importing answers once: this is that employee, or a new one. The
//! answer is kept as an alias of the employee for the import's source (its
//! preset), so the next file from the same tool just works.

use mkpi_domain::identity::Email;
use mkpi_ingest::Problem;
use mkpi_store::{Tx, aliases, departments, employees, memberships, staff, teams};
use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::{Error, Result};

/// How a file's name for a person is answered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonAnswer {
    /// The name or e-mail as the file writes it.
    pub named: String,
    /// The employee it is: one stored with this e-mail, or the one `create` makes.
    pub email: String,
    /// Make the employee when nobody has the e-mail yet.
    #[serde(default)]
    pub create: Option<NewPerson>,
}

impl PersonAnswer {
    /// An answer from its parts; an empty name makes no one.
    pub fn new(named: &str, email: &str, name: Option<&str>, team: Option<&str>) -> PersonAnswer {
        let given = |v: Option<&str>| {
            v.map(str::trim)
                .filter(|v| !v.is_empty())
                .map(str::to_string)
        };
        PersonAnswer {
            named: named.trim().to_string(),
            email: email.trim().to_string(),
            create: given(name).map(|name| NewPerson {
                name,
                team: given(team),
            }),
        }
    }

    /// An answer written on one line, `NAMED=EMAIL[,Full Name[,Team]]` (the
    /// CLI's `--person` and the file import API's `person`); `None` without
    /// the `=`.
    pub fn from_line(raw: &str) -> Option<PersonAnswer> {
        let (named, rest) = raw.split_once('=')?;
        let mut parts = rest.splitn(3, ',').map(str::trim);
        let email = parts.next().unwrap_or_default();
        Some(PersonAnswer::new(named, email, parts.next(), parts.next()))
    }
}

/// An employee an import's answer makes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewPerson {
    pub name: String,
    /// A team's name (or its path; the last part counts).
    #[serde(default)]
    pub team: Option<String>,
}

/// A person a file names whom mkpi could not tell.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UnknownPerson {
    /// As the file writes it (the first spelling met).
    pub named: String,
    /// The column it is in.
    pub column: String,
    /// The rows that name them, and the first of those.
    pub rows: u64,
    pub first_row: u64,
    /// Why it could not be told: nobody, or several people, have that name.
    pub reason: String,
}

/// What the answers of one import know and have done so far. An answer is
/// used when the file first names its person, so answers for people the
/// file does not name change nothing.
#[derive(Debug, Default)]
pub(crate) struct Answers {
    source: String,
    today: String,
    pending: HashMap<String, PersonAnswer>,
    /// Teams by lower-case name: (id, archived, manager).
    teams: HashMap<String, (i64, bool, Option<i64>)>,
    department_id: Option<i64>,
    pub created: u64,
    pub aliases_added: u64,
}

/// Most answers one import takes.
pub const MAX_ANSWERS: usize = 1000;

/// The key a name is kept and looked up by.
pub(crate) fn alias_key(named: &str) -> String {
    named.trim().to_lowercase()
}

fn problem(named: &str, reason: String) -> Problem {
    Problem {
        row: 0,
        column: "people".to_string(),
        value: named.to_string(),
        reason,
    }
}

impl Answers {
    /// Takes the answers for an import from `source` (its preset); answers
    /// that cannot be read at all are returned as problems.
    pub(crate) async fn new(
        tx: &mut Tx,
        source: &str,
        answers: &[PersonAnswer],
        today: &str,
    ) -> Result<(Answers, Vec<Problem>)> {
        if answers.len() > MAX_ANSWERS {
            return Err(Error::invalid(
                "people",
                format!("at most {MAX_ANSWERS} people can be answered at once"),
            ));
        }
        let mut out = Answers {
            source: source.to_string(),
            today: today.to_string(),
            ..Answers::default()
        };
        let mut problems = Vec::new();
        for a in answers {
            let key = alias_key(&a.named);
            if key.is_empty() {
                problems.push(problem(
                    &a.named,
                    "the name as the file writes it is empty".into(),
                ));
            } else if key.chars().count() > 320 || key.chars().any(char::is_control) {
                problems.push(problem(&a.named, "is not a name or an e-mail".into()));
            } else if out.pending.insert(key, a.clone()).is_some() {
                problems.push(problem(&a.named, "is answered twice".into()));
            }
        }
        if !out.pending.is_empty() {
            let everyone =
                mkpi_domain::Scope::new(0, mkpi_domain::Role::Admin, None, &Default::default());
            out.teams = teams::list(tx, &everyone)
                .await?
                .into_iter()
                .map(|t| {
                    (
                        t.name.to_lowercase(),
                        (t.id, t.archived_at.is_some(), t.manager_id),
                    )
                })
                .collect();
            out.department_id = departments::list(tx).await?.first().map(|d| d.id);
        }
        Ok((out, problems))
    }

    /// Whether any answer is still to be used (most imports have none).
    pub(crate) fn waiting(&self) -> bool {
        !self.pending.is_empty()
    }

    /// Uses the answer for `key`, if there is one not used yet: the
    /// employee it names (made when asked), kept as `key`'s alias.
    pub(crate) async fn apply(
        &mut self,
        tx: &mut Tx,
        key: &str,
        import_id: i64,
        now: i64,
    ) -> Result<Option<std::result::Result<i64, Problem>>> {
        let Some(a) = self.pending.remove(key) else {
            return Ok(None);
        };
        let email = match Email::parse(&a.email) {
            Ok(e) => e,
            Err(e) => return Ok(Some(Err(problem(&a.named, e.to_string())))),
        };
        let id = match (
            employees::find_by_email(tx, email.as_str()).await?,
            &a.create,
        ) {
            (Some(e), _) => e.id,
            (None, None) => {
                return Ok(Some(Err(problem(
                    &a.named,
                    format!(
                        "no employee has the e-mail {email}: choose someone else or create them"
                    ),
                ))));
            }
            (None, Some(new)) => match self
                .create(tx, &a.named, &email, new, import_id, now)
                .await?
            {
                Ok(id) => id,
                Err(p) => return Ok(Some(Err(p))),
            },
        };
        if key != email.as_str()
            && aliases::insert(tx, &self.source, key, id, Some(import_id), now).await?
        {
            self.aliases_added += 1;
        }
        Ok(Some(Ok(id)))
    }

    async fn create(
        &mut self,
        tx: &mut Tx,
        named: &str,
        email: &Email,
        new: &NewPerson,
        import_id: i64,
        now: i64,
    ) -> Result<std::result::Result<i64, Problem>> {
        let name = new.name.trim();
        if name.is_empty() || name.chars().count() > 200 || name.chars().any(char::is_control) {
            return Ok(Err(problem(
                named,
                format!("'{}' is not a name for the new employee", new.name),
            )));
        }
        let (team, manager_id) = match new.team.as_deref().map(str::trim).filter(|t| !t.is_empty())
        {
            None => (None, None),
            Some(path) => {
                let last = path
                    .rsplit('/')
                    .next()
                    .unwrap_or(path)
                    .trim()
                    .to_lowercase();
                match self.teams.get(&last) {
                    Some((_, true, _)) => {
                        return Ok(Err(problem(
                            named,
                            format!("the team '{path}' is archived"),
                        )));
                    }
                    Some((id, false, manager)) => (Some(*id), *manager),
                    None => return Ok(Err(problem(named, format!("there is no team '{path}'")))),
                }
            }
        };
        let department_id = self
            .department_id
            .ok_or_else(|| Error::Conflict("mkpi is not set up yet: open /setup first".into()))?;
        let id = employees::insert(
            tx,
            &employees::NewEmployee {
                department_id,
                team_id: team,
                manager_id,
                name,
                email: email.as_str(),
                position: "",
                hire_date: &self.today,
            },
            now,
        )
        .await?;
        staff::mark(tx, "employees", id, import_id).await?;
        if let Some(m) = memberships::open_of(tx, id).await? {
            staff::mark(tx, "team_memberships", m.id, import_id).await?;
        }
        self.created += 1;
        Ok(Ok(id))
    }
}

/// Removes what an import's answers made: the aliases, then the people
/// (with their team membership). People later work refers to stay, and
/// the rollback is refused.
pub(crate) async fn roll_back(tx: &mut Tx, import_id: i64) -> Result<()> {
    staff::delete_added_by(tx, "employee_aliases", import_id).await?;
    staff::delete_added_by(tx, "team_memberships", import_id).await?;
    staff::delete_added_by(tx, "employees", import_id)
        .await
        .map_err(|e| match e {
            mkpi_store::StoreError::MissingReference { .. } => Error::Conflict(
                "people this import added are used since (tasks, goals, KPIs, reviews or campaigns refer to them): change them on their pages instead"
                    .to_string(),
            ),
            other => other.into(),
        })?;
    Ok(())
}
