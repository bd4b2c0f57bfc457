//! mkpi-domain: the rules of the product as pure Rust — roles and who may see
//! whom, the organisation tree, identities (logins, e-mails), locales, and
//! the metric system: base measures, formulas, the catalogue, periods.
//!
//! No I/O, no async, no SQL, no HTTP: every function here is deterministic and
//! unit-tested with exact values. Every other crate depends on this one; this
//! one depends on nothing of ours.
#![forbid(unsafe_code)]

pub mod analysis;
pub mod development;
pub mod flag;
pub mod formula;
pub mod goal;
pub mod identity;
pub mod kpi;
pub mod locale;
pub mod measure;
pub mod metric;
pub mod org;
pub mod period;
pub mod review;
pub mod role;
pub mod scope;
pub mod task;

pub use identity::{Email, IdentityError, Login, Password};
pub use locale::Locale;
pub use org::TeamTree;
pub use role::Role;
pub use scope::{PeopleScope, Scope};
