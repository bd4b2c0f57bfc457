//! Identities: sign-in names, e-mail addresses and the password policy.
//! Each is a newtype whose constructor is the only way to build it, so an
//! invalid value never reaches the store.

use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdentityError {
    #[error("login must be 2–64 characters of latin letters, digits, '.', '_' or '-' (got '{0}')")]
    Login(String),
    #[error("'{0}' is not an e-mail address (expected name@domain.tld)")]
    Email(String),
    #[error("password must be at least {min} characters long")]
    PasswordTooShort { min: usize },
    #[error("password must be at most {max} characters long")]
    PasswordTooLong { max: usize },
}

/// A sign-in name: lower-cased, 2–64 of `[a-z0-9._-]`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Login(String);

impl Login {
    pub fn parse(raw: &str) -> Result<Self, IdentityError> {
        let s = raw.trim().to_ascii_lowercase();
        let ok = (2..=64).contains(&s.len())
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
        if ok {
            Ok(Login(s))
        } else {
            Err(IdentityError::Login(raw.to_string()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Login {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// An e-mail address, lower-cased. Deliberately a shape check only: a real
/// check is a message that arrives.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Email(String);

impl Email {
    pub fn parse(raw: &str) -> Result<Self, IdentityError> {
        let s = raw.trim().to_lowercase();
        let bad = || IdentityError::Email(raw.to_string());
        let (local, domain) = s.split_once('@').ok_or_else(bad)?;
        let domain_ok = domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains("..");
        if local.is_empty()
            || !domain_ok
            || s.len() > 254
            || s.chars().any(char::is_whitespace)
            || domain.contains('@')
        {
            return Err(bad());
        }
        Ok(Email(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A new password that satisfies the policy. Never printed.
#[derive(Clone, PartialEq, Eq)]
pub struct Password(String);

impl Password {
    pub const MIN_CHARS: usize = 8;
    pub const MAX_CHARS: usize = 256;

    pub fn parse(raw: &str) -> Result<Self, IdentityError> {
        let n = raw.chars().count();
        if n < Self::MIN_CHARS {
            return Err(IdentityError::PasswordTooShort {
                min: Self::MIN_CHARS,
            });
        }
        if n > Self::MAX_CHARS {
            return Err(IdentityError::PasswordTooLong {
                max: Self::MAX_CHARS,
            });
        }
        Ok(Password(raw.to_string()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(***)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logins_are_trimmed_and_lower_cased() {
        assert_eq!(Login::parse(" Anna.K ").unwrap().as_str(), "anna.k");
    }

    #[test]
    fn logins_reject_spaces_cyrillic_and_extremes() {
        for bad in ["a", "anna k", "анна", "", &"x".repeat(65), "a/b"] {
            assert_eq!(
                Login::parse(bad),
                Err(IdentityError::Login(bad.to_string()))
            );
        }
    }

    #[test]
    fn emails_need_a_local_part_and_a_dotted_domain() {
        assert_eq!(
            Email::parse("Anna@Example.RU").unwrap().as_str(),
            "anna@example.ru"
        );
        for bad in [
            "anna",
            "@example.ru",
            "anna@ru",
            "anna@.ru",
            "anna@x..ru",
            "a b@x.ru",
            "a@b@c.ru",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad} should be rejected");
        }
    }

    #[test]
    fn passwords_follow_the_length_policy_and_never_print() {
        assert_eq!(
            Password::parse("short").unwrap_err().to_string(),
            "password must be at least 8 characters long"
        );
        let p = Password::parse("пароль-длинный").unwrap();
        assert_eq!(format!("{p:?}"), "Password(***)");
    }
}
