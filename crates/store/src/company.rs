//! The company above the department: its name, base currency, time zone,
//! first month of the fiscal year and default language. One row, written by
//! the first-run setup; until then the installation is not set up.

use crate::{Result, Tx};

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct CompanyRow {
    pub name: String,
    pub currency: String,
    pub time_zone: String,
    pub fiscal_year_start_month: i64,
    pub locale: String,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Debug, Clone)]
pub struct CompanyFields<'a> {
    pub name: &'a str,
    pub currency: &'a str,
    pub time_zone: &'a str,
    pub fiscal_year_start_month: i64,
    pub locale: &'a str,
}

pub async fn get(tx: &mut Tx) -> Result<Option<CompanyRow>> {
    Ok(sqlx::query_as(
        "SELECT name, currency, time_zone, fiscal_year_start_month, locale, created_at, updated_at
         FROM company WHERE id = 1",
    )
    .fetch_optional(tx.conn())
    .await?)
}

/// Creates the company: [`crate::StoreError::Conflict`] when it exists
/// already, so that of two first runs (on any backend) only one lands.
pub async fn create(tx: &mut Tx, c: &CompanyFields<'_>, now: i64) -> Result<()> {
    sqlx::query(
        "INSERT INTO company (id, name, currency, time_zone, fiscal_year_start_month, locale, created_at, updated_at)
         VALUES (1, $1, $2, $3, $4, $5, $6, $6)",
    )
    .bind(c.name)
    .bind(c.currency)
    .bind(c.time_zone)
    .bind(c.fiscal_year_start_month)
    .bind(c.locale)
    .bind(now)
    .execute(tx.conn())
    .await?;
    Ok(())
}

/// Writes the company: the first time it is created, later it is changed.
pub async fn put(tx: &mut Tx, c: &CompanyFields<'_>, now: i64) -> Result<()> {
    sqlx::query(
        "INSERT INTO company (id, name, currency, time_zone, fiscal_year_start_month, locale, created_at, updated_at)
         VALUES (1, $1, $2, $3, $4, $5, $6, $6)
         ON CONFLICT (id) DO UPDATE SET name = $1, currency = $2, time_zone = $3,
             fiscal_year_start_month = $4, locale = $5, updated_at = $6",
    )
    .bind(c.name)
    .bind(c.currency)
    .bind(c.time_zone)
    .bind(c.fiscal_year_start_month)
    .bind(c.locale)
    .bind(now)
    .execute(tx.conn())
    .await?;
    Ok(())
}

/// How far a new department has come, for the setup checklist.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FirstSteps {
    pub teams: i64,
    pub people: i64,
    /// Accounts besides the admins'.
    pub accounts: i64,
    pub imports: i64,
    pub kpis: i64,
}

pub async fn first_steps(tx: &mut Tx) -> Result<FirstSteps> {
    let (teams, people, accounts, imports, kpis): (i64, i64, i64, i64, i64) = sqlx::query_as(
        "SELECT (SELECT COUNT(*) FROM teams WHERE archived_at IS NULL),
                (SELECT COUNT(*) FROM employees WHERE active = 1),
                (SELECT COUNT(*) FROM users WHERE role <> 'admin'),
                (SELECT COUNT(*) FROM imports),
                (SELECT COUNT(*) FROM kpis)",
    )
    .fetch_one(tx.conn())
    .await?;
    Ok(FirstSteps {
        teams,
        people,
        accounts,
        imports,
        kpis,
    })
}
