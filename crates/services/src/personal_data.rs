//! A person's data, all of it, for the person's right of access: every row
//! of every table that names them ([`mkpi_store::personal_data::LINKS`]),
//! as JSON. Admins only, and audited. What would break a rater's anonymity
//! is withheld and counted instead: the answers and nominations the person
//! gave as a peer or client, and those peers and clients gave about them
//! (their results, aggregated above the threshold, are on the results page).

use std::collections::BTreeMap;

use mkpi_domain::Role;
use mkpi_store::personal_data::{self, Holder};
use mkpi_store::{employees, users};
use serde_json::{Value, json};

use crate::audit::{self, Change};
use crate::auth::Actor;
use crate::{Error, Result, Services};

/// Everything held about one person.
#[derive(Debug, Clone, PartialEq)]
pub struct PersonalData {
    pub employee_id: i64,
    pub generated_at: i64,
    /// `table.column` → the rows where that column names the person.
    pub tables: BTreeMap<String, Vec<Value>>,
    /// What was withheld to keep others' answers anonymous, and how many.
    pub withheld: BTreeMap<String, usize>,
}

/// Perspectives whose raters are never named.
const ANONYMOUS: [&str; 2] = ["peer", "client"];

fn anonymous(row: &Value) -> bool {
    row["perspective"]
        .as_str()
        .is_some_and(|p| ANONYMOUS.contains(&p))
}

impl Services {
    pub async fn export_personal_data(
        &self,
        actor: &Actor,
        employee_id: i64,
    ) -> Result<PersonalData> {
        if actor.role != Role::Admin {
            return Err(Error::Forbidden);
        }
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let employee = employees::get(&mut tx, &actor.scope, employee_id).await?;
        let accounts: Vec<_> = users::list(&mut tx)
            .await?
            .into_iter()
            .filter(|u| u.employee_id == Some(employee_id))
            .collect();
        let mut tables = BTreeMap::new();
        let mut withheld = BTreeMap::new();
        for link in personal_data::LINKS {
            let values: Vec<Value> = match link.holder {
                Holder::Employee => vec![json!(employee_id)],
                Holder::User => accounts.iter().map(|u| json!(u.id)).collect(),
                Holder::Login => accounts.iter().map(|u| json!(u.login)).collect(),
                Holder::Email => vec![json!(employee.email)],
            };
            let mut rows = Vec::new();
            for value in &values {
                rows.extend(personal_data::rows(&mut tx, link, value).await?);
            }
            // A peer's or client's answer or nomination stays theirs: not
            // who gave it (rater side), and not what one person said about
            // this one (about side), which a group under the anonymity
            // threshold would give away. Counted instead.
            if link.table.starts_with("review_")
                && matches!(link.column, "rater_employee_id" | "employee_id")
            {
                let before = rows.len();
                rows.retain(|r| !anonymous(r));
                if before > rows.len() {
                    let side = if link.column == "employee_id" {
                        "about the person from peers or clients"
                    } else {
                        "given by the person as a peer or client"
                    };
                    withheld.insert(
                        format!("{}.{} {side}", link.table, link.column),
                        before - rows.len(),
                    );
                }
            }
            if !rows.is_empty() {
                tables.insert(format!("{}.{}", link.table, link.column), rows);
            }
        }
        audit::record(
            &mut tx,
            now,
            &actor.author(),
            Change {
                action: "export_personal_data",
                entity: "employee",
                entity_id: Some(employee_id),
                before: None,
                after: Some(json!({"tables": tables.len()})),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(PersonalData {
            employee_id,
            generated_at: now,
            tables,
            withheld,
        })
    }
}
