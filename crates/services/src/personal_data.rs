//! A person's data, all of it, for the person's right of access: every row
//! of every table that names them ([`mkpi_store::personal_data::LINKS`]),
//! as JSON. Admins only, and audited. What would break a rater's anonymity
//! is withheld and counted instead: the answers and nominations the person
//! gave as a peer or client, and those peers and clients gave about them
//! (their results, aggregated above the threshold, are on the results page).

use std::collections::BTreeMap;

use mkpi_domain::Role;
use mkpi_store::personal_data::{self, Erase, Holder};
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

/// A person as the links name them: their employee record and accounts.
struct Person {
    employee: employees::EmployeeRow,
    accounts: Vec<users::UserRow>,
}

impl Person {
    async fn load(tx: &mut mkpi_store::Tx, actor: &Actor, employee_id: i64) -> Result<Person> {
        let employee = employees::get(tx, &actor.scope, employee_id).await?;
        let accounts = users::list(tx)
            .await?
            .into_iter()
            .filter(|u| u.employee_id == Some(employee_id))
            .collect();
        Ok(Person { employee, accounts })
    }

    /// The values a column of this kind holds for the person.
    fn values(&self, holder: Holder) -> Vec<Value> {
        match holder {
            Holder::Employee => vec![json!(self.employee.id)],
            Holder::User => self.accounts.iter().map(|u| json!(u.id)).collect(),
            Holder::Login => self.accounts.iter().map(|u| json!(u.login)).collect(),
            Holder::Email => vec![json!(self.employee.email)],
        }
    }
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
        let person = Person::load(&mut tx, actor, employee_id).await?;
        let mut tables = BTreeMap::new();
        let mut withheld = BTreeMap::new();
        for link in personal_data::LINKS {
            let mut rows = Vec::new();
            for value in &person.values(link.holder) {
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

/// What an erasure removed and emptied.
#[derive(Debug, Clone, PartialEq)]
pub struct Erasure {
    pub employee_id: i64,
    /// What the person is called where a record of them had to stay (the
    /// audit log, the import list).
    pub pseudonym: String,
    /// `table.column` → rows removed or references emptied.
    pub rows: BTreeMap<String, u64>,
}

impl Services {
    /// Erases a person (admins): their accounts, sessions and tokens, the
    /// rows about them or in their words, and every reference to them;
    /// the audit log keeps its entries under a pseudonym. `confirm` must
    /// be the person's name as stored. One transaction, audited.
    pub async fn erase_person(
        &self,
        actor: &Actor,
        employee_id: i64,
        confirm: &str,
    ) -> Result<Erasure> {
        if actor.role != Role::Admin {
            return Err(Error::Forbidden);
        }
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let person = Person::load(&mut tx, actor, employee_id).await?;
        let employee = &person.employee;
        if confirm.trim() != employee.name {
            return Err(Error::invalid(
                "confirm",
                "type the person's name exactly as stored to confirm the erasure",
            ));
        }
        if actor.employee_id == Some(employee_id) {
            return Err(Error::invalid(
                "confirm",
                "an admin cannot erase themselves",
            ));
        }
        let accounts = &person.accounts;
        let user_ids: Vec<i64> = accounts.iter().map(|u| u.id).collect();
        let pseudonym = format!("erased person #{employee_id}");
        let mut words = vec![employee.name.clone(), employee.email.clone()];
        words.extend(accounts.iter().map(|u| u.login.clone()));
        personal_data::pseudonymise(&mut tx, &user_ids, &pseudonym).await?;
        // In what entries kept, only the fields that identify a person
        // (names, addresses, logins) change: erasing login "manager" leaves
        // every "role": "manager" as it was.
        for word in words.iter().filter(|w| !w.is_empty()) {
            for (id, before, after) in
                personal_data::audit_entries_mentioning(&mut tx, word).await?
            {
                let (b, a) = (
                    before.as_deref().map(|j| without_word(j, word, &pseudonym)),
                    after.as_deref().map(|j| without_word(j, word, &pseudonym)),
                );
                if b != before || a != after {
                    personal_data::set_audit_json(&mut tx, id, b.as_deref(), a.as_deref()).await?;
                }
            }
        }
        personal_data::delete_review_links_about(&mut tx, employee_id).await?;
        let mut rows = BTreeMap::new();
        // References emptied first, then rows removed, then the person.
        for pass in [Erase::Clear, Erase::Delete] {
            for link in personal_data::LINKS.iter().filter(|l| l.erase == pass) {
                let mut n = 0;
                for value in &person.values(link.holder) {
                    n += personal_data::erase(&mut tx, link, value).await?;
                }
                if n > 0 {
                    rows.insert(format!("{}.{}", link.table, link.column), n);
                }
            }
        }
        personal_data::delete_subject(&mut tx, employee_id).await?;
        audit::record(
            &mut tx,
            now,
            &actor.author(),
            Change {
                action: "erase",
                entity: "employee",
                entity_id: Some(employee_id),
                before: None,
                after: Some(json!({"pseudonym": pseudonym, "rows": rows})),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(Erasure {
            employee_id,
            pseudonym,
            rows,
        })
    }
}

/// Whether a JSON key holds who someone is: a name, an address, a login.
fn identifying(key: &str) -> bool {
    let key = key.to_ascii_lowercase();
    key == "name" || key.ends_with("_name") || key.contains("email") || key.contains("login")
}

/// The JSON text with `word` replaced by `pseudonym` in the values of
/// identifying keys only; text that is no JSON is left as it is.
fn without_word(json: &str, word: &str, pseudonym: &str) -> String {
    fn walk(v: &mut serde_json::Value, word: &str, pseudonym: &str, under_identifying: bool) {
        match v {
            serde_json::Value::Object(map) => {
                for (k, child) in map.iter_mut() {
                    walk(child, word, pseudonym, identifying(k));
                }
            }
            serde_json::Value::Array(items) => {
                for child in items {
                    walk(child, word, pseudonym, under_identifying);
                }
            }
            serde_json::Value::String(s)
                if under_identifying && s.trim().eq_ignore_ascii_case(word) =>
            {
                *s = pseudonym.to_string();
            }
            _ => {}
        }
    }
    match serde_json::from_str::<serde_json::Value>(json) {
        Ok(mut v) => {
            walk(&mut v, word, pseudonym, false);
            v.to_string()
        }
        Err(_) => json.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::without_word;

    #[test]
    fn only_identifying_fields_are_rewritten() {
        let before =
            r#"{"login":"manager","role":"manager","employee_name":"Алиса","note":"manager"}"#;
        assert_eq!(
            without_word(before, "manager", "erased person #2"),
            r#"{"employee_name":"Алиса","login":"erased person #2","note":"manager","role":"manager"}"#
        );
        let nested = r#"{"people":[{"name":"Алиса Гусева"},{"name":"Борис"}]}"#;
        assert_eq!(
            without_word(nested, "Алиса Гусева", "x"),
            r#"{"people":[{"name":"x"},{"name":"Борис"}]}"#
        );
        assert_eq!(without_word("not json", "a", "b"), "not json");
    }
}
