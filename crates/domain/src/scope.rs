//! What a signed-in person may see, as one value computed once per request
//! and taken by every query that returns people or their data.

use std::collections::BTreeSet;

use crate::org::TeamTree;
use crate::role::Role;

/// Which employees are visible.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PeopleScope {
    /// The whole organisation (admin, head, viewer).
    All,
    /// A manager: the listed teams and the manager themself.
    Teams {
        team_ids: BTreeSet<i64>,
        employee_id: i64,
    },
    /// An employee: themself only.
    Only(i64),
    /// A user linked to no employee who is neither admin, head nor viewer.
    Nobody,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scope {
    pub user_id: i64,
    pub role: Role,
    pub employee_id: Option<i64>,
    pub people: PeopleScope,
}

impl Scope {
    /// Everyone, for mkpi's own work (alert checks, mail): no person's view.
    pub fn everyone() -> Self {
        Scope {
            user_id: 0,
            role: Role::Admin,
            employee_id: None,
            people: PeopleScope::All,
        }
    }

    pub fn new(user_id: i64, role: Role, employee_id: Option<i64>, teams: &TeamTree) -> Self {
        let people = match (role, employee_id) {
            (Role::Admin | Role::Head | Role::Viewer, _) => PeopleScope::All,
            (Role::Manager, Some(id)) => PeopleScope::Teams {
                team_ids: teams.managed_by(id),
                employee_id: id,
            },
            (Role::Employee, Some(id)) => PeopleScope::Only(id),
            (Role::Manager | Role::Employee, None) => PeopleScope::Nobody,
        };
        Scope {
            user_id,
            role,
            employee_id,
            people,
        }
    }

    /// Whether an employee (with their team) is visible.
    pub fn sees_employee(&self, employee_id: i64, team_id: Option<i64>) -> bool {
        match &self.people {
            PeopleScope::All => true,
            PeopleScope::Teams {
                team_ids,
                employee_id: me,
            } => *me == employee_id || team_id.is_some_and(|t| team_ids.contains(&t)),
            PeopleScope::Only(me) => *me == employee_id,
            PeopleScope::Nobody => false,
        }
    }

    /// Whether personal evaluations (scores, assessments) of visible people
    /// may be shown. The viewer sees department figures only.
    pub fn sees_evaluations(&self) -> bool {
        self.role != Role::Viewer
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::org::TeamNode;

    fn teams() -> TeamTree {
        TeamTree::new([
            TeamNode {
                id: 1,
                parent_id: None,
                manager_id: Some(10),
            },
            TeamNode {
                id: 2,
                parent_id: Some(1),
                manager_id: Some(20),
            },
            TeamNode {
                id: 3,
                parent_id: None,
                manager_id: Some(30),
            },
        ])
    }

    #[test]
    fn each_role_sees_the_people_the_spec_gives_it() {
        let t = teams();
        let head = Scope::new(1, Role::Head, Some(1), &t);
        let viewer = Scope::new(2, Role::Viewer, None, &t);
        let manager = Scope::new(3, Role::Manager, Some(10), &t);
        let employee = Scope::new(4, Role::Employee, Some(11), &t);
        let orphan = Scope::new(5, Role::Employee, None, &t);

        // (employee id, team id): 11 and 21 are in 10's subtree, 31 is not.
        let people = [(11, Some(1)), (21, Some(2)), (31, Some(3)), (10, None)];
        let seen = |s: &Scope| -> Vec<i64> {
            people
                .iter()
                .filter(|(e, t)| s.sees_employee(*e, *t))
                .map(|(e, _)| *e)
                .collect()
        };
        assert_eq!(seen(&head), vec![11, 21, 31, 10]);
        assert_eq!(seen(&viewer), vec![11, 21, 31, 10]);
        assert_eq!(seen(&manager), vec![11, 21, 10]);
        assert_eq!(seen(&employee), vec![11]);
        assert_eq!(seen(&orphan), Vec::<i64>::new());
        assert!(!viewer.sees_evaluations());
        assert!(manager.sees_evaluations());
    }
}
