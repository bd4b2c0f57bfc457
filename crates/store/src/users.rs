//! Users: accounts that sign in, each with a role and optionally linked to
//! the employee they are.

use sqlx::AssertSqlSafe;

use crate::{Result, StoreError, Tx};

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct UserRow {
    pub id: i64,
    pub login: String,
    pub password_hash: String,
    pub role: String,
    pub employee_id: Option<i64>,
    pub employee_name: Option<String>,
    pub locale: Option<String>,
    #[sqlx(try_from = "crate::IntFlag")]
    pub active: bool,
    pub password_changed_at: i64,
    pub created_at: i64,
}

#[derive(Debug, Clone)]
pub struct NewUser<'a> {
    pub login: &'a str,
    pub password_hash: &'a str,
    pub role: &'a str,
    pub employee_id: Option<i64>,
    pub locale: Option<&'a str>,
}

const SELECT: &str =
    "SELECT u.id, u.login, u.password_hash, u.role, u.employee_id, e.name AS employee_name,
        u.locale, u.active, u.password_changed_at, u.created_at
    FROM users u LEFT JOIN employees e ON e.id = u.employee_id";

pub async fn insert(tx: &mut Tx, u: &NewUser<'_>, now: i64) -> Result<i64> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO users (login, password_hash, role, employee_id, locale, active, password_changed_at, created_at)
         VALUES ($1, $2, $3, $4, $5, 1, $6, $6) RETURNING id",
    )
    .bind(u.login)
    .bind(u.password_hash)
    .bind(u.role)
    .bind(u.employee_id)
    .bind(u.locale)
    .bind(now)
    .fetch_one(tx.conn())
    .await?;
    Ok(id)
}

pub async fn get(tx: &mut Tx, id: i64) -> Result<UserRow> {
    sqlx::query_as(AssertSqlSafe(format!("{SELECT} WHERE u.id = $1")))
        .bind(id)
        .fetch_optional(tx.conn())
        .await?
        .ok_or(StoreError::NotFound)
}

pub async fn find_by_login(tx: &mut Tx, login: &str) -> Result<Option<UserRow>> {
    Ok(
        sqlx::query_as(AssertSqlSafe(format!("{SELECT} WHERE u.login = $1")))
            .bind(login)
            .fetch_optional(tx.conn())
            .await?,
    )
}

pub async fn list(tx: &mut Tx) -> Result<Vec<UserRow>> {
    Ok(
        sqlx::query_as(AssertSqlSafe(format!("{SELECT} ORDER BY u.login")))
            .fetch_all(tx.conn())
            .await?,
    )
}

async fn update_one(
    query: sqlx::query::Query<'_, sqlx::Any, sqlx::any::AnyArguments>,
    tx: &mut Tx,
) -> Result<()> {
    if query.execute(tx.conn()).await?.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

pub async fn set_active(tx: &mut Tx, id: i64, active: bool) -> Result<()> {
    update_one(
        sqlx::query("UPDATE users SET active = $1 WHERE id = $2")
            .bind(i64::from(active))
            .bind(id),
        tx,
    )
    .await
}

pub async fn set_password_hash(tx: &mut Tx, id: i64, hash: &str, now: i64) -> Result<()> {
    update_one(
        sqlx::query("UPDATE users SET password_hash = $1, password_changed_at = $2 WHERE id = $3")
            .bind(hash)
            .bind(now)
            .bind(id),
        tx,
    )
    .await
}

pub async fn set_locale(tx: &mut Tx, id: i64, locale: Option<&str>) -> Result<()> {
    update_one(
        sqlx::query("UPDATE users SET locale = $1 WHERE id = $2")
            .bind(locale)
            .bind(id),
        tx,
    )
    .await
}

/// How many accounts exist: none means the installation is not set up.
pub async fn count(tx: &mut Tx) -> Result<i64> {
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM users")
        .fetch_one(tx.conn())
        .await?;
    Ok(n)
}

pub async fn set_role(tx: &mut Tx, id: i64, role: &str) -> Result<()> {
    update_one(
        sqlx::query("UPDATE users SET role = $1 WHERE id = $2")
            .bind(role)
            .bind(id),
        tx,
    )
    .await
}

/// The account of an employee, if they have one.
pub async fn of_employee(tx: &mut Tx, employee_id: i64) -> Result<Option<UserRow>> {
    Ok(
        sqlx::query_as(AssertSqlSafe(format!("{SELECT} WHERE u.employee_id = $1")))
            .bind(employee_id)
            .fetch_optional(tx.conn())
            .await?,
    )
}

/// The employees whose active accounts have one of these roles.
pub async fn employees_with_roles(tx: &mut Tx, roles: &[&str]) -> Result<Vec<i64>> {
    let mut out = Vec::new();
    for role in roles {
        let rows: Vec<(i64,)> = sqlx::query_as(
            "SELECT employee_id FROM users WHERE role = $1 AND active = 1 AND employee_id IS NOT NULL",
        )
        .bind(*role)
        .fetch_all(tx.conn())
        .await?;
        out.extend(rows.into_iter().map(|(id,)| id));
    }
    Ok(out)
}
