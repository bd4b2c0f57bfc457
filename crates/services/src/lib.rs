//! mkpi-services: the use cases. Each public method of [`Services`] is one
//! thing a person or a script does (sign in, list the people they may see,
//! create a user). Services own transactions, the audit log and
//! authorisation: the signed-in [`Actor`] carries a [`mkpi_domain::Scope`]
//! that every store query takes.
//!
//! Depends on the domain and the store; knows nothing of HTTP or the CLI.
#![forbid(unsafe_code)]

pub mod alerts;
pub mod audit;
pub mod auth;
pub mod calibration;
pub mod campaigns;
pub mod check_ins;
mod checks;
pub mod clock;
pub mod competitors;
pub mod dashboard;
pub mod demo;
pub mod demo_data;
mod demo_facts;
pub mod development_actions;
mod error;
pub mod explorer;
pub mod goals;
pub mod import_people;
pub mod imports;
pub mod kpis;
pub mod mail;
pub mod mappings;
pub mod metrics;
pub mod organisation;
pub mod people;
pub mod personal_data;
pub mod report;
pub mod report_data;
pub mod report_delivery;
pub mod review_framework;
pub mod review_links;
pub mod review_schedule;
pub mod reviews;
pub mod scorecard;
mod secrets;
mod staff;
pub mod tasks;
pub mod users;

pub use audit::Author;
pub use auth::{Actor, AuthSettings, LoginOutcome};
pub use clock::Clock;
pub use error::{Error, FieldProblem, Result};
pub use mkpi_store::Store;
pub use secrets::constant_time_eq as secrets_match;

/// All use cases over one store. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Services {
    store: Store,
    clock: Clock,
    auth: AuthSettings,
    /// Mail goes out only when configured; without it alerts show in the UI only.
    mailer: Option<std::sync::Arc<mail::Mailer>>,
    /// Sessions and API tokens whose last-seen time is being written now.
    touching: auth::Touching,
    /// Sign-ins waiting for a password hash.
    hash_queue: auth::HashQueue,
}

impl Services {
    pub fn new(store: Store, clock: Clock, auth: AuthSettings) -> Self {
        Services {
            store,
            clock,
            auth,
            mailer: None,
            touching: auth::Touching::default(),
            hash_queue: auth::HashQueue::default(),
        }
    }

    /// The same services, sending mail through `mailer`.
    #[must_use]
    pub fn with_mailer(mut self, mailer: mail::Mailer) -> Self {
        self.mailer = Some(std::sync::Arc::new(mailer));
        self
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    pub fn clock(&self) -> &Clock {
        &self.clock
    }

    /// Whether mail is set up, so that schedules and invitations can send.
    pub fn mails(&self) -> bool {
        self.mailer.is_some()
    }

    pub fn auth_settings(&self) -> &AuthSettings {
        &self.auth
    }

    /// Whether the database answers.
    pub async fn health(&self) -> Result<()> {
        self.store.ping().await?;
        Ok(())
    }
}
