//! The one error type of the use cases, mapped once at each edge (HTTP in
//! mkpi-web, exit codes in the CLI).

use mkpi_store::StoreError;
use serde::Serialize;

/// One thing wrong with one input field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldProblem {
    pub field: String,
    pub message: String,
}

impl FieldProblem {
    pub fn new(field: &str, message: impl Into<String>) -> Self {
        FieldProblem {
            field: field.to_string(),
            message: message.into(),
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
