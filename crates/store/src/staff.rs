//! What a staff import (preset `mkpi-employees`) adds is marked with its
//! import, so that rolling it back removes exactly that: people, teams,
//! accounts and the team memberships_held it opened.

use crate::{Result, Tx};

/// The tables a staff import adds rows to, in the order a rollback
/// removes them (what refers to others first).
pub const IMPORTED: [&str; 5] = [
    "users",
    "employee_aliases",
    "team_memberships",
    "employees",
    "teams",
];

fn checked(table: &str) -> Result<&str> {
    IMPORTED
        .iter()
        .find(|t| **t == table)
        .copied()
        .ok_or_else(|| crate::StoreError::Unsupported(format!("'{table}' holds no imported rows")))
}

/// Marks a row as added by an import.
pub async fn mark(tx: &mut Tx, table: &str, id: i64, import_id: i64) -> Result<()> {
    let table = checked(table)?;
    // The table name is one of ours (checked above).
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "UPDATE {table} SET import_id = $1 WHERE id = $2"
    )))
    .bind(import_id)
    .bind(id)
    .execute(tx.conn())
    .await?;
    Ok(())
}

/// Removes the rows an import added to a table; how many.
pub async fn delete_added_by(tx: &mut Tx, table: &str, import_id: i64) -> Result<u64> {
    let table = checked(table)?;
    let done = sqlx::query(sqlx::AssertSqlSafe(format!(
        "DELETE FROM {table} WHERE import_id = $1"
    )))
    .bind(import_id)
    .execute(tx.conn())
    .await?;
    Ok(done.rows_affected())
}

/// Opens a closed membership again (a rollback undoing the transfer that closed it).
pub async fn reopen_membership(tx: &mut Tx, membership_id: i64) -> Result<()> {
    sqlx::query("UPDATE team_memberships SET valid_until = NULL WHERE id = $1")
        .bind(membership_id)
        .execute(tx.conn())
        .await?;
    Ok(())
}

/// Accounts made by imports for the people they added, removed before the
/// people (sessions and links of those accounts go with them).
pub async fn delete_accounts_added_by(tx: &mut Tx, import_id: i64) -> Result<()> {
    for sql in [
        "DELETE FROM sessions WHERE user_id IN (SELECT id FROM users WHERE import_id = $1)",
        "DELETE FROM password_links WHERE user_id IN (SELECT id FROM users WHERE import_id = $1)",
        "DELETE FROM api_tokens WHERE user_id IN (SELECT id FROM users WHERE import_id = $1)",
    ] {
        sqlx::query(sql).bind(import_id).execute(tx.conn()).await?;
    }
    delete_added_by(tx, "users", import_id).await?;
    Ok(())
}
