//! Column mappings saved by name: a preset's TOML that a user wrote for
//! files no built-in preset reads.

use crate::{Result, StoreError, Tx};

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct MappingRow {
    pub id: i64,
    pub name: String,
    pub fact: String,
    pub toml: String,
    pub created_by_user_id: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
}

const SELECT: &str =
    "SELECT id, name, fact, toml, created_by_user_id, created_at, updated_at FROM mappings";

pub async fn list(tx: &mut Tx) -> Result<Vec<MappingRow>> {
    Ok(
        sqlx::query_as(sqlx::AssertSqlSafe(format!("{SELECT} ORDER BY name")))
            .fetch_all(tx.conn())
            .await?,
    )
}

pub async fn find(tx: &mut Tx, name: &str) -> Result<Option<MappingRow>> {
    Ok(
        sqlx::query_as(sqlx::AssertSqlSafe(format!("{SELECT} WHERE name = $1")))
            .bind(name)
            .fetch_optional(tx.conn())
            .await?,
    )
}

/// Saves a mapping under its name, replacing one of the same name.
/// Returns the row as it was before, if any.
pub async fn save(
    tx: &mut Tx,
    name: &str,
    fact: &str,
    toml: &str,
    by_user_id: Option<i64>,
    now: i64,
) -> Result<(MappingRow, Option<MappingRow>)> {
    let before = find(tx, name).await?;
    match &before {
        Some(old) => {
            sqlx::query("UPDATE mappings SET fact = $1, toml = $2, updated_at = $3 WHERE id = $4")
                .bind(fact)
                .bind(toml)
                .bind(now)
                .bind(old.id)
                .execute(tx.conn())
                .await?;
        }
        None => {
            sqlx::query(
                "INSERT INTO mappings (name, fact, toml, created_by_user_id, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $5)",
            )
            .bind(name)
            .bind(fact)
            .bind(toml)
            .bind(by_user_id)
            .bind(now)
            .execute(tx.conn())
            .await?;
        }
    }
    let after = find(tx, name).await?.ok_or(StoreError::NotFound)?;
    Ok((after, before))
}

pub async fn delete(tx: &mut Tx, name: &str) -> Result<Option<MappingRow>> {
    let before = find(tx, name).await?;
    sqlx::query("DELETE FROM mappings WHERE name = $1")
        .bind(name)
        .execute(tx.conn())
        .await?;
    Ok(before)
}
