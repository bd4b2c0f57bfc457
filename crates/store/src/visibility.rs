//! Turns a [`Scope`] into a SQL condition on an employees table alias.
//!
//! Ids come from our own database as `i64`, never from user text, so they are
//! written into the SQL as numbers; there is nothing to inject.

use mkpi_domain::{PeopleScope, Scope};

/// A condition true for exactly the employees the scope may see.
pub(crate) fn employees_condition(scope: &Scope, alias: &str) -> String {
    match &scope.people {
        PeopleScope::All => "1 = 1".to_string(),
        PeopleScope::Teams {
            team_ids,
            employee_id,
        } => {
            if team_ids.is_empty() {
                format!("{alias}.id = {employee_id}")
            } else {
                let ids: Vec<String> = team_ids.iter().map(i64::to_string).collect();
                format!(
                    "({alias}.id = {employee_id} OR {alias}.team_id IN ({}))",
                    ids.join(", ")
                )
            }
        }
        PeopleScope::Only(id) => format!("{alias}.id = {id}"),
        PeopleScope::Nobody => "1 = 0".to_string(),
    }
}

/// A condition true for exactly the teams the scope may see: all of them for
/// department-wide roles, the managed subtree for a manager, and one's own
/// team for an employee.
pub(crate) fn teams_condition(scope: &Scope, alias: &str) -> String {
    match &scope.people {
        PeopleScope::All => "1 = 1".to_string(),
        PeopleScope::Teams {
            team_ids,
            employee_id,
        } => {
            let ids: Vec<String> = team_ids.iter().map(i64::to_string).collect();
            let own =
                format!("{alias}.id IN (SELECT team_id FROM employees WHERE id = {employee_id})");
            if ids.is_empty() {
                own
            } else {
                format!("({alias}.id IN ({}) OR {own})", ids.join(", "))
            }
        }
        PeopleScope::Only(id) => {
            format!("{alias}.id IN (SELECT team_id FROM employees WHERE id = {id})")
        }
        PeopleScope::Nobody => "1 = 0".to_string(),
    }
}
