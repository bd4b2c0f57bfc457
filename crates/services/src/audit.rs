//! Writing the audit log from a use case, inside its transaction, so a change
//! and its record land together or not at all.

use mkpi_store::Tx;
use mkpi_store::audit_log::{self, NewAuditEntry};
use serde_json::Value;

use crate::Result;

/// Who made a change: a signed-in user, or an operator at the CLI / the system.
#[derive(Debug, Clone)]
pub struct Author {
    pub user_id: Option<i64>,
    pub label: String,
}

impl Author {
    pub fn system(label: &str) -> Self {
        Author {
            user_id: None,
            label: label.to_string(),
        }
    }
}

/// One change to one thing.
pub(crate) struct Change<'a> {
    pub action: &'a str,
    pub entity: &'a str,
    pub entity_id: Option<i64>,
    pub before: Option<Value>,
    pub after: Option<Value>,
}

pub(crate) async fn record(
    tx: &mut Tx,
    at: i64,
    author: &Author,
    change: Change<'_>,
) -> Result<()> {
    audit_log::record(
        tx,
        NewAuditEntry {
            at,
            actor_user_id: author.user_id,
            actor: &author.label,
            action: change.action,
            entity: change.entity,
            entity_id: change.entity_id,
            before_json: change.before.map(|v| v.to_string()),
            after_json: change.after.map(|v| v.to_string()),
        },
    )
    .await?;
    Ok(())
}
