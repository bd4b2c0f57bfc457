//! The five roles of SPEC "Across the product" and what each may do in general.

use std::fmt;
use std::str::FromStr;

/// A user's role. Visibility of people follows from it (see [`crate::scope`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Role {
    /// Manages users, data connections and settings; sees everything.
    Admin,
    /// Department head / marketing director: the whole department.
    Head,
    /// Team lead: own team and the teams under it.
    Manager,
    /// An employee: own data only.
    Employee,
    /// Read-only department figures, no personal evaluations.
    Viewer,
}

impl Role {
    pub const ALL: [Role; 5] = [
        Role::Admin,
        Role::Head,
        Role::Manager,
        Role::Employee,
        Role::Viewer,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Head => "head",
            Role::Manager => "manager",
            Role::Employee => "employee",
            Role::Viewer => "viewer",
        }
    }

    /// Whether the role may change anything at all (the viewer may not).
    pub fn can_write(self) -> bool {
        self != Role::Viewer
    }

    /// Whether the role manages user accounts.
    pub fn manages_users(self) -> bool {
        self == Role::Admin
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown role '{0}': expected one of admin, head, manager, employee, viewer")]
pub struct UnknownRole(pub String);

impl FromStr for Role {
    type Err = UnknownRole;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "admin" => Ok(Role::Admin),
            "head" => Ok(Role::Head),
            "manager" => Ok(Role::Manager),
            "employee" => Ok(Role::Employee),
            "viewer" => Ok(Role::Viewer),
            _ => Err(UnknownRole(s.to_string())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_round_trip_through_their_names() {
        for role in Role::ALL {
            assert_eq!(role.as_str().parse::<Role>(), Ok(role));
        }
        assert_eq!(" Manager ".parse::<Role>(), Ok(Role::Manager));
    }

    #[test]
    fn unknown_role_names_the_value_and_the_choices() {
        let err = "boss".parse::<Role>().unwrap_err();
        assert_eq!(
            err.to_string(),
            "unknown role 'boss': expected one of admin, head, manager, employee, viewer"
        );
    }

    #[test]
    fn only_the_viewer_is_read_only() {
        let writers: Vec<_> = Role::ALL.into_iter().filter(|r| r.can_write()).collect();
        assert_eq!(
            writers,
            vec![Role::Admin, Role::Head, Role::Manager, Role::Employee]
        );
    }
}
