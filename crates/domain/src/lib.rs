//! mkpi-domain: the rules of the product as pure Rust — roles and who may see
//! whom, the organisation tree, identities (logins, e-mails), locales.
//!
//! No I/O, no async, no SQL, no HTTP: every function here is deterministic and
//! unit-tested with exact values. Every other crate depends on this one; this
//! one depends on nothing of ours.
#![forbid(unsafe_code)]

pub mod identity;
pub mod locale;
pub mod org;
pub mod role;
pub mod scope;

pub use identity::{Email, IdentityError, Login, Password};
pub use locale::Locale;
pub use org::TeamTree;
pub use role::Role;
pub use scope::{PeopleScope, Scope};
