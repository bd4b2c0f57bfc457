//! Everything held about a person, table by table. [`LINKS`] names every
//! column that points at a person (an employee or their account); a test
//! compares it with the schema's foreign keys, so a new table that refers
//! to a person fails until it is mapped here. Rows are read as JSON built
//! from the schema's own column list, so a new column is exported too.

use serde_json::Value;
use sqlx::AssertSqlSafe;

use crate::{Backend, Result, Tx};

/// What a column points at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Holder {
    /// `employees.id`.
    Employee,
    /// `users.id` (the person's accounts).
    User,
    /// A login as text (`users.login`).
    Login,
    /// An e-mail address as text (`employees.email`).
    Email,
}

/// What erasing the person does to a row that names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Erase {
    /// The person's own record (employee, account): removed last.
    Subject,
    /// A row about the person or in their words: removed.
    Delete,
    /// A row that only points at them (an owner, an author of record):
    /// kept, the reference emptied.
    Clear,
}

/// One column that names a person.
#[derive(Debug, Clone, Copy)]
pub struct Link {
    pub table: &'static str,
    pub column: &'static str,
    pub holder: Holder,
    pub erase: Erase,
}

const fn link(table: &'static str, column: &'static str, holder: Holder) -> Link {
    Link {
        table,
        column,
        holder,
        erase: Erase::Clear,
    }
}

const fn deleted(table: &'static str, column: &'static str, holder: Holder) -> Link {
    Link {
        table,
        column,
        holder,
        erase: Erase::Delete,
    }
}

const fn subject(table: &'static str, column: &'static str, holder: Holder) -> Link {
    Link {
        table,
        column,
        holder,
        erase: Erase::Subject,
    }
}

/// Every column that names a person: the schema's foreign keys to
/// `employees` and `users`, and the text columns that copy a login or an
/// address; each with what erasure does to its rows.
pub const LINKS: &[Link] = &[
    subject("employees", "id", Holder::Employee),
    link("employees", "manager_id", Holder::Employee),
    subject("users", "employee_id", Holder::Employee),
    link("teams", "manager_id", Holder::Employee),
    deleted("team_memberships", "employee_id", Holder::Employee),
    deleted("employee_aliases", "employee_id", Holder::Employee),
    link("campaigns", "owner_employee_id", Holder::Employee),
    deleted("campaign_contributors", "employee_id", Holder::Employee),
    deleted("campaign_share_history", "employee_id", Holder::Employee),
    deleted("time_entries", "employee_id", Holder::Employee),
    link("tasks", "assignee_employee_id", Holder::Employee),
    link("tasks", "rated_by_user_id", Holder::User),
    link("tasks", "created_by_user_id", Holder::User),
    link("goals", "owner_employee_id", Holder::Employee),
    link("goals", "created_by_user_id", Holder::User),
    link("goal_progress", "created_by_user_id", Holder::User),
    link("strategies", "owner_employee_id", Holder::Employee),
    link("strategies", "created_by_user_id", Holder::User),
    link("swot_entries", "created_by_user_id", Holder::User),
    link("kpis", "created_by_user_id", Holder::User),
    deleted("check_ins", "author_user_id", Holder::User),
    link("metric_definitions", "created_by_user_id", Holder::User),
    deleted("development_actions", "employee_id", Holder::Employee),
    link("development_actions", "owner_employee_id", Holder::Employee),
    link("development_actions", "created_by_user_id", Holder::User),
    deleted("one_on_ones", "employee_id", Holder::Employee),
    deleted("one_on_ones", "manager_employee_id", Holder::Employee),
    link("one_on_ones", "created_by_user_id", Holder::User),
    link("review_cycles", "created_by_user_id", Holder::User),
    deleted("review_participants", "employee_id", Holder::Employee),
    deleted("review_raters", "employee_id", Holder::Employee),
    link("review_raters", "rater_employee_id", Holder::Employee),
    link("review_raters", "nominated_by_user_id", Holder::User),
    deleted("review_answers", "employee_id", Holder::Employee),
    link("review_answers", "rater_employee_id", Holder::Employee),
    deleted("review_potential", "employee_id", Holder::Employee),
    link("review_potential", "by_user_id", Holder::User),
    deleted("review_adjustments", "employee_id", Holder::Employee),
    link("review_adjustments", "by_user_id", Holder::User),
    deleted("review_acknowledgements", "employee_id", Holder::Employee),
    deleted("review_reminders", "employee_id", Holder::Employee),
    link("report_definitions", "created_by_user_id", Holder::User),
    deleted("report_shares", "created_by_user_id", Holder::User),
    deleted("report_schedules", "created_by_user_id", Holder::User),
    link("competitor_benchmarks", "created_by_user_id", Holder::User),
    link("mappings", "created_by_user_id", Holder::User),
    link("imports", "actor_user_id", Holder::User),
    link("audit_log", "actor_user_id", Holder::User),
    deleted("sessions", "user_id", Holder::User),
    deleted("api_tokens", "user_id", Holder::User),
    deleted("password_links", "user_id", Holder::User),
    subject("users", "id", Holder::User),
    deleted("login_attempts", "login", Holder::Login),
    deleted("outbox", "to_address", Holder::Email),
];

/// Columns never exported: secrets, kept only as hashes, that say nothing
/// about the person.
pub const SECRET_COLUMNS: &[(&str, &str)] = &[
    ("users", "password_hash"),
    ("sessions", "id_hash"),
    ("sessions", "csrf_token"),
    ("api_tokens", "token_hash"),
    ("password_links", "token_hash"),
];

/// The schema's foreign keys to `employees` and `users`: (table, column,
/// the table it points at).
pub async fn person_foreign_keys(tx: &mut Tx) -> Result<Vec<(String, String, String)>> {
    let sql = match tx.backend() {
        Backend::Sqlite => {
            "SELECT m.name, p.\"from\", p.\"table\" FROM sqlite_master m, pragma_foreign_key_list(m.name) p \
             WHERE m.type = 'table' AND p.\"table\" IN ('employees', 'users') ORDER BY 1, 2"
        }
        Backend::Postgres => {
            "SELECT tc.table_name::text, kcu.column_name::text, ccu.table_name::text \
             FROM information_schema.table_constraints tc \
             JOIN information_schema.key_column_usage kcu \
               ON tc.constraint_name = kcu.constraint_name AND tc.table_schema = kcu.table_schema \
             JOIN information_schema.constraint_column_usage ccu \
               ON ccu.constraint_name = tc.constraint_name AND ccu.table_schema = tc.table_schema \
             WHERE tc.constraint_type = 'FOREIGN KEY' AND tc.table_schema = current_schema() \
               AND ccu.table_name IN ('employees', 'users') ORDER BY 1, 2"
        }
    };
    Ok(sqlx::query_as(sql).fetch_all(tx.conn()).await?)
}

/// A table's columns, in order.
async fn columns(tx: &mut Tx, table: &str) -> Result<Vec<String>> {
    let sql = match tx.backend() {
        Backend::Sqlite => "SELECT name FROM pragma_table_info($1) ORDER BY cid",
        Backend::Postgres => {
            "SELECT column_name::text FROM information_schema.columns \
             WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position"
        }
    };
    let rows: Vec<(String,)> = sqlx::query_as(sql).bind(table).fetch_all(tx.conn()).await?;
    Ok(rows.into_iter().map(|(c,)| c).collect())
}

/// The rows of `link.table` whose `link.column` equals `value`, each as a
/// JSON object of every column but the secret ones.
pub async fn rows(tx: &mut Tx, link: &Link, value: &Value) -> Result<Vec<Value>> {
    let columns: Vec<String> = columns(tx, link.table)
        .await?
        .into_iter()
        .filter(|c| !SECRET_COLUMNS.contains(&(link.table, c.as_str())))
        .collect();
    let pairs = columns
        .iter()
        .map(|c| format!("'{c}', \"{c}\""))
        .collect::<Vec<_>>()
        .join(", ");
    let object = match tx.backend() {
        Backend::Sqlite => format!("json_object({pairs})"),
        Backend::Postgres => format!("json_build_object({pairs})::text"),
    };
    // Table and column names come from `LINKS` and the schema, never
    // from a request; the value is bound.
    let sql = format!(
        "SELECT {object} FROM \"{}\" WHERE \"{}\" = $1 ORDER BY 1",
        link.table, link.column
    );
    let query = sqlx::query_as::<_, (String,)>(AssertSqlSafe(sql));
    let found: Vec<(String,)> = match value {
        Value::Number(n) => query.bind(n.as_i64().unwrap_or_default()),
        other => query.bind(other.as_str().unwrap_or_default().to_string()),
    }
    .fetch_all(tx.conn())
    .await?;
    Ok(found
        .into_iter()
        .map(|(text,)| serde_json::from_str(&text).unwrap_or(Value::String(text)))
        .collect())
}

/// Erases what `link` holds for `value`: deletes the rows or empties the
/// reference, as the link says (a subject is left to the caller).
pub async fn erase(tx: &mut Tx, link: &Link, value: &Value) -> Result<u64> {
    // Names come from `LINKS`, never from a request; the value is bound.
    let sql = match link.erase {
        Erase::Subject => return Ok(0),
        Erase::Delete => format!(
            "DELETE FROM \"{}\" WHERE \"{}\" = $1",
            link.table, link.column
        ),
        Erase::Clear => format!(
            "UPDATE \"{0}\" SET \"{1}\" = NULL WHERE \"{1}\" = $1",
            link.table, link.column
        ),
    };
    let query = sqlx::query(AssertSqlSafe(sql));
    let done = match value {
        Value::Number(n) => query.bind(n.as_i64().unwrap_or_default()),
        other => query.bind(other.as_str().unwrap_or_default().to_string()),
    }
    .execute(tx.conn())
    .await?;
    Ok(done.rows_affected())
}

/// Removes the reviewer links of the rater rows about an employee (they
/// point at rows erasure deletes).
pub async fn delete_review_links_about(tx: &mut Tx, employee_id: i64) -> Result<()> {
    sqlx::query(
        "DELETE FROM review_links WHERE rater_id IN (SELECT id FROM review_raters WHERE employee_id = $1)",
    )
    .bind(employee_id)
    .execute(tx.conn())
    .await?;
    Ok(())
}

/// Writes `pseudonym` as the actor of the person's entries in the audit log
/// and the import list.
pub async fn pseudonymise(tx: &mut Tx, user_ids: &[i64], pseudonym: &str) -> Result<()> {
    for id in user_ids {
        for sql in [
            "UPDATE audit_log SET actor = $1 WHERE actor_user_id = $2",
            "UPDATE imports SET actor = $1 WHERE actor_user_id = $2",
        ] {
            sqlx::query(sql)
                .bind(pseudonym)
                .bind(id)
                .execute(tx.conn())
                .await?;
        }
    }
    Ok(())
}

/// Audit entries whose before or after text holds `word`: (id, before, after).
pub async fn audit_entries_mentioning(
    tx: &mut Tx,
    word: &str,
) -> Result<Vec<(i64, Option<String>, Option<String>)>> {
    Ok(sqlx::query_as(
        "SELECT id, before_json, after_json FROM audit_log
         WHERE before_json LIKE '%' || $1 || '%' OR after_json LIKE '%' || $1 || '%' ORDER BY id",
    )
    .bind(word)
    .fetch_all(tx.conn())
    .await?)
}

/// Rewrites what an audit entry kept (erasure only: the entry stays, the
/// person's name leaves it).
pub async fn set_audit_json(
    tx: &mut Tx,
    id: i64,
    before: Option<&str>,
    after: Option<&str>,
) -> Result<()> {
    sqlx::query("UPDATE audit_log SET before_json = $1, after_json = $2 WHERE id = $3")
        .bind(before)
        .bind(after)
        .bind(id)
        .execute(tx.conn())
        .await?;
    Ok(())
}

/// Removes the person's accounts and then the person.
pub async fn delete_subject(tx: &mut Tx, employee_id: i64) -> Result<()> {
    sqlx::query("DELETE FROM users WHERE employee_id = $1")
        .bind(employee_id)
        .execute(tx.conn())
        .await?;
    sqlx::query("DELETE FROM employees WHERE id = $1")
        .bind(employee_id)
        .execute(tx.conn())
        .await?;
    Ok(())
}
