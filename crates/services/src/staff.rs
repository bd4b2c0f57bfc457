//! The staff list (preset `mkpi-employees`) written inside an import's
//! transaction: people added or brought up to date by e-mail, their team
//! found by its path (`Маркетинг/Performance`) and created when missing,
//! their manager by e-mail (stored or in the same file), and an account
//! without a usable password for those given a role. A person whose team
//! changes is transferred from today, so earlier figures stay with the old
//! team. Everything added is marked with the import; everything changed
//! keeps its previous state as a revision, so a rollback is exact.

use std::collections::HashMap;

use mkpi_ingest::fact::{Row, Value};
use mkpi_ingest::{Fact, Problem};
use mkpi_store::{
    Tx, departments, employees, imports, memberships, positions, staff, teams, users,
};
use serde::{Deserialize, Serialize};

use crate::{Error, Result};

/// What the import did with the staff list.
#[derive(Debug, Default)]
pub(crate) struct Outcome {
    pub added: i64,
    pub updated: i64,
    pub unchanged: i64,
    pub teams_created: u64,
    pub accounts_created: u64,
    pub problems: Vec<Problem>,
    /// (row, e-mail, before, after) of people whose record changes.
    pub changes: Vec<(u64, String, Revision, Revision)>,
}

/// A person's record as a staff list sets it, and as a rollback restores it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Revision {
    pub id: i64,
    pub name: String,
    pub email: String,
    pub position: String,
    pub hire_date: String,
    pub team_id: Option<i64>,
    pub manager_id: Option<i64>,
    /// The membership the import closed by moving the person (reopened on rollback).
    #[serde(default)]
    pub closed_membership: Option<i64>,
}

struct Line {
    row: u64,
    email: String,
    name: String,
    position: String,
    team: Option<String>,
    manager: Option<String>,
    start: Option<String>,
    role: Option<String>,
}

fn text(row: &Row, field: &str) -> Option<String> {
    match row.get(Fact::Employees, field) {
        Value::Text(t) if !t.trim().is_empty() => Some(t.trim().to_string()),
        _ => None,
    }
}

fn problem(out: &mut Outcome, row: u64, column: &str, value: &str, reason: String) {
    out.problems.push(Problem {
        row,
        column: column.to_string(),
        value: value.to_string(),
        reason,
    });
}

/// Writes the staff list. Problems leave the caller to drop the transaction.
pub(crate) async fn write(
    tx: &mut Tx,
    rows: Vec<(u64, Row)>,
    import_id: i64,
    now: i64,
    today: &str,
) -> Result<Outcome> {
    let mut out = Outcome::default();
    let mut lines: Vec<Line> = Vec::with_capacity(rows.len());
    let mut seen: HashMap<String, u64> = HashMap::new();
    for (row, r) in rows {
        let Some(email) = text(&r, "email").map(|e| e.to_lowercase()) else {
            continue;
        };
        if let Some(first) = seen.insert(email.clone(), row) {
            problem(
                &mut out,
                row,
                "email",
                &email,
                format!("{email} is on line {first} already"),
            );
            continue;
        }
        lines.push(Line {
            row,
            email,
            name: text(&r, "name").unwrap_or_default(),
            position: text(&r, "position").unwrap_or_default(),
            team: text(&r, "team"),
            manager: text(&r, "manager").map(|m| m.to_lowercase()),
            start: text(&r, "start"),
            role: text(&r, "role"),
        });
    }

    let department = departments::list(tx)
        .await?
        .into_iter()
        .next()
        .ok_or_else(|| Error::Conflict("mkpi is not set up yet: open /setup first".into()))?;
    let everyone = mkpi_domain::Scope::new(0, mkpi_domain::Role::Admin, None, &Default::default());
    let mut by_email: HashMap<String, employees::EmployeeRow> = employees::list(tx, &everyone)
        .await?
        .into_iter()
        .map(|e| (e.email.to_lowercase(), e))
        .collect();
    // Teams by name (unique in the department) with their parent.
    let mut team_by_name: HashMap<String, (i64, Option<i64>, bool)> = HashMap::new();
    let all_teams = teams::list(tx, &everyone).await?;
    let team_name: HashMap<i64, String> =
        all_teams.iter().map(|t| (t.id, t.name.clone())).collect();
    for t in &all_teams {
        team_by_name.insert(
            t.name.to_lowercase(),
            (t.id, t.parent_id, t.archived_at.is_some()),
        );
    }

    // Teams first: each line's path, created from the top where missing.
    let mut line_team: Vec<Option<i64>> = Vec::with_capacity(lines.len());
    for line in &lines {
        let Some(path) = &line.team else {
            line_team.push(None);
            continue;
        };
        let mut parts: Vec<&str> = path
            .split('/')
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .collect();
        // The department's own name may lead the path.
        if parts.len() > 1 && parts[0].eq_ignore_ascii_case(&department.name) {
            parts.remove(0);
        }
        if parts.len() == 1 && parts[0].eq_ignore_ascii_case(&department.name) {
            parts.clear();
        }
        let mut parent: Option<i64> = None;
        let mut failed = false;
        for part in parts {
            if part.chars().count() > 200 || part.chars().any(char::is_control) {
                problem(
                    &mut out,
                    line.row,
                    "team",
                    path,
                    format!("'{part}' is not a team name"),
                );
                failed = true;
                break;
            }
            match team_by_name.get(&part.to_lowercase()) {
                Some((id, p, archived)) => {
                    if *p != parent {
                        let under = |t: Option<i64>| {
                            t.and_then(|t| team_name.get(&t).cloned())
                                .unwrap_or_else(|| department.name.clone())
                        };
                        problem(
                            &mut out,
                            line.row,
                            "team",
                            path,
                            format!(
                                "the team '{part}' sits under '{}', not under '{}'",
                                under(*p),
                                under(parent)
                            ),
                        );
                        failed = true;
                        break;
                    }
                    if *archived {
                        problem(
                            &mut out,
                            line.row,
                            "team",
                            path,
                            format!("the team '{part}' is archived"),
                        );
                        failed = true;
                        break;
                    }
                    parent = Some(*id);
                }
                None => {
                    let id = teams::insert(
                        tx,
                        &teams::NewTeam {
                            department_id: department.id,
                            parent_id: parent,
                            name: part,
                        },
                        now,
                    )
                    .await?;
                    staff::mark(tx, "teams", id, import_id).await?;
                    out.teams_created += 1;
                    team_by_name.insert(part.to_lowercase(), (id, parent, false));
                    parent = Some(id);
                }
            }
        }
        line_team.push(if failed { None } else { parent });
    }

    // People: added, or brought up to date (managers come after, as they
    // may be further down the file).
    let mut ids: Vec<i64> = Vec::with_capacity(lines.len());
    let mut befores: Vec<Option<Revision>> = Vec::with_capacity(lines.len());
    for (line, team) in lines.iter().zip(&line_team) {
        let start = line.start.clone();
        positions::ensure(tx, &line.position, now).await?;
        match by_email.get(&line.email) {
            None => {
                let id = employees::insert(
                    tx,
                    &employees::NewEmployee {
                        department_id: department.id,
                        team_id: *team,
                        manager_id: None,
                        name: &line.name,
                        email: &line.email,
                        position: &line.position,
                        hire_date: start.as_deref().unwrap_or(today),
                    },
                    now,
                )
                .await?;
                staff::mark(tx, "employees", id, import_id).await?;
                if let Some(membership) = memberships::open_of(tx, id).await? {
                    staff::mark(tx, "team_memberships", membership.id, import_id).await?;
                }
                out.added += 1;
                ids.push(id);
                befores.push(None);
                by_email.insert(line.email.clone(), employees::get_any(tx, id).await?);
            }
            Some(e) => {
                ids.push(e.id);
                befores.push(Some(Revision {
                    id: e.id,
                    name: e.name.clone(),
                    email: e.email.clone(),
                    position: e.position.clone(),
                    hire_date: e.hire_date.clone(),
                    team_id: e.team_id,
                    manager_id: e.manager_id,
                    closed_membership: None,
                }));
            }
        }
    }

    for (i, line) in lines.iter().enumerate() {
        let id = ids[i];
        let manager_id = match &line.manager {
            None => None,
            Some(m) if *m == line.email => {
                problem(
                    &mut out,
                    line.row,
                    "manager",
                    m,
                    "a person cannot be their own manager".into(),
                );
                None
            }
            Some(m) => match by_email.get(m) {
                Some(e) => Some(e.id),
                None => {
                    problem(
                        &mut out,
                        line.row,
                        "manager",
                        m,
                        format!("no one has the e-mail {m}, stored or in this file"),
                    );
                    None
                }
            },
        };
        let Some(before) = befores[i].clone() else {
            // Added above: only the manager is left to set.
            if manager_id.is_some() {
                let e = &by_email[&line.email];
                employees::update(
                    tx,
                    id,
                    &employees::EmployeeFields {
                        name: &e.name,
                        email: &e.email,
                        position: &e.position,
                        manager_id,
                        hire_date: &e.hire_date,
                    },
                    now,
                )
                .await?;
            }
            account(tx, &mut out, line, id, import_id, now).await?;
            continue;
        };
        let team = line_team[i].or(before.team_id);
        let after = Revision {
            id,
            name: line.name.clone(),
            email: line.email.clone(),
            position: line.position.clone(),
            hire_date: line
                .start
                .clone()
                .unwrap_or_else(|| before.hire_date.clone()),
            team_id: team,
            manager_id: manager_id.or(if line.manager.is_some() {
                before.manager_id
            } else {
                None
            }),
            closed_membership: None,
        };
        // Without a manager column value, the stored manager stays.
        let after = Revision {
            manager_id: if line.manager.is_none() {
                before.manager_id
            } else {
                after.manager_id
            },
            ..after
        };
        if after == before {
            out.unchanged += 1;
            account(tx, &mut out, line, id, import_id, now).await?;
            continue;
        }
        let mut stored = before.clone();
        if after.team_id != before.team_id
            && let Some(new_team) = after.team_id
        {
            // A move from today: earlier figures stay with the old team.
            if let Some(open) = memberships::open_of(tx, id).await? {
                if open.valid_from.as_deref() == Some(today) {
                    problem(
                        &mut out,
                        line.row,
                        "team",
                        line.team.as_deref().unwrap_or_default(),
                        "moved to another team today already: move them on their page".into(),
                    );
                    continue;
                }
                memberships::close(tx, open.id, today).await?;
                stored.closed_membership = Some(open.id);
            }
            let membership = memberships::open(tx, id, new_team, Some(today), now).await?;
            staff::mark(tx, "team_memberships", membership, import_id).await?;
            employees::set_team(tx, id, Some(new_team), now).await?;
        }
        employees::update(
            tx,
            id,
            &employees::EmployeeFields {
                name: &after.name,
                email: &after.email,
                position: &after.position,
                manager_id: after.manager_id,
                hire_date: &after.hire_date,
            },
            now,
        )
        .await?;
        let previous = serde_json::to_string(&stored)
            .map_err(|e| Error::Internal(format!("cannot keep a revision: {e}")))?;
        imports::add_revision(
            tx,
            import_id,
            Fact::Employees.name(),
            &line.email,
            &previous,
        )
        .await?;
        out.updated += 1;
        out.changes
            .push((line.row, line.email.clone(), before, after));
        account(tx, &mut out, line, id, import_id, now).await?;
    }
    Ok(out)
}

/// An account for a person given a role who has none: login from the
/// address, no usable password (their page gives a set-password link).
async fn account(
    tx: &mut Tx,
    out: &mut Outcome,
    line: &Line,
    employee_id: i64,
    import_id: i64,
    now: i64,
) -> Result<()> {
    let Some(role) = &line.role else {
        return Ok(());
    };
    if users::of_employee(tx, employee_id).await?.is_some() {
        return Ok(());
    }
    let base: String = line
        .email
        .split('@')
        .next()
        .unwrap_or_default()
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
        .take(60)
        .collect();
    let base = if base.len() < 2 {
        format!("user{employee_id}")
    } else {
        base
    };
    let mut login = base.clone();
    let mut n = 1;
    while users::find_by_login(tx, &login).await?.is_some() {
        n += 1;
        login = format!("{base}{n}");
    }
    // No password until the person sets one through a link from their page.
    let hash = crate::auth::UNSET_PASSWORD.to_string();
    let user_id = users::insert(
        tx,
        &users::NewUser {
            login: &login,
            password_hash: &hash,
            role,
            employee_id: Some(employee_id),
            locale: None,
        },
        now,
    )
    .await?;
    staff::mark(tx, "users", user_id, import_id).await?;
    out.accounts_created += 1;
    Ok(())
}

/// Undoes a staff import: its accounts, memberships, people and teams go; the
/// people it changed get their previous record and team back.
pub(crate) async fn roll_back(
    tx: &mut Tx,
    import_id: i64,
    revisions: &[(String, String)],
    now: i64,
) -> Result<()> {
    staff::delete_accounts_added_by(tx, import_id)
        .await
        .map_err(held)?;
    staff::delete_added_by(tx, "employee_aliases", import_id).await?;
    staff::delete_added_by(tx, "team_memberships", import_id).await?;
    for (_, previous) in revisions {
        let rev: Revision = serde_json::from_str(previous)
            .map_err(|e| Error::Internal(format!("a stored revision is unreadable: {e}")))?;
        if let Some(membership) = rev.closed_membership {
            staff::reopen_membership(tx, membership).await?;
        }
        employees::set_team(tx, rev.id, rev.team_id, now).await?;
        employees::update(
            tx,
            rev.id,
            &employees::EmployeeFields {
                name: &rev.name,
                email: &rev.email,
                position: &rev.position,
                manager_id: rev.manager_id,
                hire_date: &rev.hire_date,
            },
            now,
        )
        .await?;
    }
    staff::delete_added_by(tx, "employees", import_id)
        .await
        .map_err(held)?;
    staff::delete_added_by(tx, "teams", import_id)
        .await
        .map_err(held)?;
    Ok(())
}

/// People or teams of the import that later work refers to.
fn held(e: mkpi_store::StoreError) -> Error {
    match e {
        mkpi_store::StoreError::MissingReference { .. } => Error::Conflict(
            "people or teams of this import are used since (tasks, goals, KPIs, reviews, campaigns or sign-ins refer to them): change them on their pages instead"
                .to_string(),
        ),
        other => other.into(),
    }
}
