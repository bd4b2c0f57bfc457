//! Departments: the top of the organisation. One installation usually holds one.

use crate::{Result, Tx};

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct DepartmentRow {
    pub id: i64,
    pub name: String,
    pub created_at: i64,
}

pub async fn insert(tx: &mut Tx, name: &str, now: i64) -> Result<i64> {
    let (id,): (i64,) =
        sqlx::query_as("INSERT INTO departments (name, created_at) VALUES ($1, $2) RETURNING id")
            .bind(name)
            .bind(now)
            .fetch_one(tx.conn())
            .await?;
    Ok(id)
}

pub async fn list(tx: &mut Tx) -> Result<Vec<DepartmentRow>> {
    Ok(
        sqlx::query_as("SELECT id, name, created_at FROM departments ORDER BY id")
            .fetch_all(tx.conn())
            .await?,
    )
}
