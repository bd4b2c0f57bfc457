//! The one error type of the use cases, mapped once at each edge (HTTP in
//! mkpi-web, exit codes in the CLI).

use mkpi_store::StoreError;
use serde::Serialize;

/// One thing wrong with one input field: what is wrong in English (the
/// API's words), and, for the problems the message catalogue has, its key
/// and arguments, so that pages say it in the reader's language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldProblem {
    pub field: String,
    pub message: String,
    /// The message's key in `web/locales` (`err-…`), when it has one.
    #[serde(skip)]
    pub key: Option<&'static str>,
    #[serde(skip)]
    pub args: Vec<(&'static str, String)>,
}

impl FieldProblem {
    pub fn new(field: &str, message: impl Into<String>) -> Self {
        FieldProblem {
            field: field.to_string(),
            message: message.into(),
            key: None,
            args: Vec::new(),
        }
    }

    /// A problem the message catalogue says in every language: `key` with
    /// `args`, and `message`, the same in English.
    pub fn coded(
        field: &str,
        key: &'static str,
        args: Vec<(&'static str, String)>,
        message: impl Into<String>,
    ) -> Self {
        FieldProblem {
            field: field.to_string(),
            message: message.into(),
            key: Some(key),
            args,
        }
    }

    /// A login, e-mail address or password that will not do.
    pub fn identity(field: &str, e: &mkpi_domain::identity::IdentityError) -> Self {
        use mkpi_domain::identity::IdentityError as E;
        let (key, args) = match e {
            E::Login(v) => ("err-login", vec![("value", v.clone())]),
            E::Email(v) => ("err-email", vec![("value", v.clone())]),
            E::PasswordTooShort { min } => ("err-password-short", vec![("min", min.to_string())]),
            E::PasswordTooLong { max } => ("err-password-long", vec![("max", max.to_string())]),
        };
        FieldProblem::coded(field, key, args, e.to_string())
    }

    /// A day or a period that cannot be read.
    pub fn period(field: &str, e: &mkpi_domain::period::PeriodError) -> Self {
        use mkpi_domain::period::PeriodError;
        match e {
            PeriodError::NotADate(text) => FieldProblem::coded(
                field,
                "err-not-a-date",
                vec![("value", text.clone())],
                e.to_string(),
            ),
            PeriodError::Empty => {
                FieldProblem::coded(field, "err-period-empty", vec![], e.to_string())
            }
            PeriodError::TooLong => {
                FieldProblem::coded(field, "err-period-too-long", vec![], e.to_string())
            }
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("not found")]
    NotFound,
    #[error("{0}")]
    Conflict(String),
    #[error("invalid input: {}", .0.iter().map(|p| format!("{}: {}", p.field, p.message)).collect::<Vec<_>>().join("; "))]
    Invalid(Vec<FieldProblem>),
    #[error("not allowed")]
    Forbidden,
    /// What was asked for existed once and is spent or expired (a
    /// single-use link).
    #[error("{0}")]
    Gone(String),
    #[error("wrong login or password")]
    WrongCredentials,
    #[error("too many failed sign-in attempts; try again in {retry_after_secs} s")]
    RateLimited { retry_after_secs: i64 },
    #[error("internal error: {0}")]
    Internal(String),
}

impl Error {
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        Error::Invalid(vec![FieldProblem::new(field, message)])
    }
}

impl From<StoreError> for Error {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => Error::NotFound,
            StoreError::Conflict { constraint } => {
                Error::Conflict(format!("already exists ({constraint})"))
            }
            StoreError::MissingReference { constraint } => Error::Conflict(format!(
                "refers to something that does not exist ({constraint})"
            )),
            other => Error::Internal(other.to_string()),
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
