//! mkpi-ingest: reads the outside world. Real exports (CSV now; XLSX and
//! vendor presets next) are decoded, their locale quirks understood, their
//! values parsed and checked, and every problem reported with row, column,
//! value and reason. No SQL, no HTTP: the import service decides what to
//! store.
#![forbid(unsafe_code)]

pub mod channel;
pub mod decode;
pub mod fact;
pub mod json;
pub mod preset;
pub mod table;
pub mod value;
pub mod xlsx;

pub use fact::{Fact, Record};
pub use preset::Preset;
pub use table::{Problem, ReadError, ReadOutcome};
