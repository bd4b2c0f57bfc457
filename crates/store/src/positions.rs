//! Positions: the job titles people hold (competency weights refer to them
//! by name).

use crate::{Result, StoreError, Tx};

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct PositionRow {
    pub id: i64,
    pub name: String,
    /// Active people holding it.
    pub holders: i64,
}

pub async fn list(tx: &mut Tx) -> Result<Vec<PositionRow>> {
    Ok(sqlx::query_as(
        "SELECT p.id, p.name,
                (SELECT COUNT(*) FROM employees e WHERE e.position = p.name AND e.active = 1) AS holders
         FROM positions p ORDER BY p.name",
    )
    .fetch_all(tx.conn())
    .await?)
}

pub async fn get(tx: &mut Tx, id: i64) -> Result<PositionRow> {
    sqlx::query_as(
        "SELECT p.id, p.name,
                (SELECT COUNT(*) FROM employees e WHERE e.position = p.name AND e.active = 1) AS holders
         FROM positions p WHERE p.id = $1",
    )
    .bind(id)
    .fetch_optional(tx.conn())
    .await?
    .ok_or(StoreError::NotFound)
}

pub async fn find(tx: &mut Tx, name: &str) -> Result<Option<i64>> {
    let row: Option<(i64,)> = sqlx::query_as("SELECT id FROM positions WHERE name = $1")
        .bind(name)
        .fetch_optional(tx.conn())
        .await?;
    Ok(row.map(|(id,)| id))
}

pub async fn insert(tx: &mut Tx, name: &str, now: i64) -> Result<i64> {
    let (id,): (i64,) =
        sqlx::query_as("INSERT INTO positions (name, created_at) VALUES ($1, $2) RETURNING id")
            .bind(name)
            .bind(now)
            .fetch_one(tx.conn())
            .await?;
    Ok(id)
}

/// The position's id, adding it to the list when it is new.
pub async fn ensure(tx: &mut Tx, name: &str, now: i64) -> Result<i64> {
    match find(tx, name).await? {
        Some(id) => Ok(id),
        None => insert(tx, name, now).await,
    }
}

/// Renames a position and the people holding it (and the competency
/// weights that name it), in the caller's transaction.
pub async fn rename(tx: &mut Tx, id: i64, old: &str, new: &str) -> Result<()> {
    sqlx::query("UPDATE positions SET name = $1 WHERE id = $2")
        .bind(new)
        .bind(id)
        .execute(tx.conn())
        .await?;
    sqlx::query("UPDATE employees SET position = $1 WHERE position = $2")
        .bind(new)
        .bind(old)
        .execute(tx.conn())
        .await?;
    sqlx::query("UPDATE competency_weights SET position = $1 WHERE position = $2")
        .bind(new)
        .bind(old)
        .execute(tx.conn())
        .await?;
    Ok(())
}

pub async fn delete(tx: &mut Tx, id: i64) -> Result<()> {
    let done = sqlx::query("DELETE FROM positions WHERE id = $1")
        .bind(id)
        .execute(tx.conn())
        .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// How many people (active or not) hold a position.
pub async fn held_by(tx: &mut Tx, name: &str) -> Result<i64> {
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM employees WHERE position = $1")
        .bind(name)
        .fetch_one(tx.conn())
        .await?;
    Ok(n)
}

/// Adds every position someone holds that the list lacks.
pub async fn fill_from_people(tx: &mut Tx, now: i64) -> Result<()> {
    sqlx::query(
        "INSERT INTO positions (name, created_at)
         SELECT DISTINCT e.position, $1 FROM employees e
         WHERE e.position <> '' AND NOT EXISTS (SELECT 1 FROM positions p WHERE p.name = e.position)",
    )
    .bind(now)
    .execute(tx.conn())
    .await?;
    Ok(())
}
