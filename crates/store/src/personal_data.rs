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

/// One column that names a person.
#[derive(Debug, Clone, Copy)]
pub struct Link {
    pub table: &'static str,
    pub column: &'static str,
    pub holder: Holder,
}

const fn link(table: &'static str, column: &'static str, holder: Holder) -> Link {
    Link {
        table,
        column,
        holder,
    }
}

/// Every column that names a person: the schema's foreign keys to
/// `employees` and `users`, and the text columns that copy a login or an
/// address.
pub const LINKS: &[Link] = &[
    link("employees", "id", Holder::Employee),
    link("employees", "manager_id", Holder::Employee),
    link("users", "employee_id", Holder::Employee),
    link("teams", "manager_id", Holder::Employee),
    link("campaigns", "owner_employee_id", Holder::Employee),
    link("campaign_contributors", "employee_id", Holder::Employee),
    link("time_entries", "employee_id", Holder::Employee),
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
    link("check_ins", "author_user_id", Holder::User),
    link("metric_definitions", "created_by_user_id", Holder::User),
    link("development_actions", "employee_id", Holder::Employee),
    link("development_actions", "owner_employee_id", Holder::Employee),
    link("development_actions", "created_by_user_id", Holder::User),
    link("one_on_ones", "employee_id", Holder::Employee),
    link("one_on_ones", "manager_employee_id", Holder::Employee),
    link("one_on_ones", "created_by_user_id", Holder::User),
    link("review_cycles", "created_by_user_id", Holder::User),
    link("review_participants", "employee_id", Holder::Employee),
    link("review_raters", "employee_id", Holder::Employee),
    link("review_raters", "rater_employee_id", Holder::Employee),
    link("review_raters", "nominated_by_user_id", Holder::User),
    link("review_answers", "employee_id", Holder::Employee),
    link("review_answers", "rater_employee_id", Holder::Employee),
    link("review_potential", "employee_id", Holder::Employee),
    link("review_potential", "by_user_id", Holder::User),
    link("review_adjustments", "employee_id", Holder::Employee),
    link("review_adjustments", "by_user_id", Holder::User),
    link("review_acknowledgements", "employee_id", Holder::Employee),
    link("review_reminders", "employee_id", Holder::Employee),
    link("report_definitions", "created_by_user_id", Holder::User),
    link("report_shares", "created_by_user_id", Holder::User),
    link("report_schedules", "created_by_user_id", Holder::User),
    link("competitor_benchmarks", "created_by_user_id", Holder::User),
    link("mappings", "created_by_user_id", Holder::User),
    link("imports", "actor_user_id", Holder::User),
    link("audit_log", "actor_user_id", Holder::User),
    link("sessions", "user_id", Holder::User),
    link("api_tokens", "user_id", Holder::User),
    link("users", "id", Holder::User),
    link("login_attempts", "login", Holder::Login),
    link("outbox", "to_address", Holder::Email),
];

/// Columns never exported: secrets, kept only as hashes, that say nothing
/// about the person.
pub const SECRET_COLUMNS: &[(&str, &str)] = &[
    ("users", "password_hash"),
    ("sessions", "id_hash"),
    ("sessions", "csrf_token"),
    ("api_tokens", "token_hash"),
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
