//! Rows of the facts stored the generic way (web traffic, orders, lead
//! stages, survey responses, social statistics, time entries, tasks): each
//! table has a `row_key` (the natural key, made by the caller), typed
//! columns and the import that last wrote the row. The caller describes
//! the table; column names come from mkpi's own fact specs, never from
//! input.

use serde_json::Value;
use sqlx::AssertSqlSafe;

use crate::{Backend, Result, StoreError, Tx};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnType {
    Text,
    Integer,
    Real,
}

/// A fact table: its name and its columns (besides `row_key` and
/// `import_id`), in the order rows carry their values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    pub name: &'static str,
    pub columns: Vec<(&'static str, ColumnType)>,
}

/// One row: its key, one JSON value per column (null for none), and the
/// import that wrote it.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct FactRow {
    pub key: String,
    pub values: Vec<Value>,
    pub import_id: i64,
}

impl Table {
    fn column_list(&self) -> String {
        self.columns
            .iter()
            .map(|(c, _)| *c)
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// A value as the database gives it back, so that stored and new rows
    /// compare equal when they are: PostgreSQL writes `2` for the double 2.0.
    pub fn normalise(&self, index: usize, v: &Value) -> Value {
        match (self.columns.get(index).map(|c| c.1), v) {
            (_, Value::Null) => Value::Null,
            (Some(ColumnType::Real), Value::Number(n)) => {
                n.as_f64().map_or(Value::Null, Value::from)
            }
            (Some(ColumnType::Integer), Value::Number(n)) => {
                n.as_i64().map_or(v.clone(), Value::from)
            }
            _ => v.clone(),
        }
    }
}

/// The stored rows with these keys.
pub async fn existing(tx: &mut Tx, table: &Table, keys: &[String]) -> Result<Vec<FactRow>> {
    if keys.is_empty() {
        return Ok(Vec::new());
    }
    select(tx, table, Some(keys), i64::MAX).await
}

/// The first rows of a table in key order (for lists and checks).
pub async fn first(tx: &mut Tx, table: &Table, limit: i64) -> Result<Vec<FactRow>> {
    select(tx, table, None, limit).await
}

async fn select(
    tx: &mut Tx,
    table: &Table,
    keys: Option<&[String]>,
    limit: i64,
) -> Result<Vec<FactRow>> {
    let fields = format!("row_key, {}, import_id", table.column_list());
    let (aggregate, keys_sql) = match tx.backend() {
        Backend::Sqlite => (
            format!("COALESCE(json_group_array(json_array({fields})), '[]')"),
            "SELECT value FROM json_each($1)",
        ),
        Backend::Postgres => (
            format!(
                "CAST(COALESCE(json_agg(json_build_array({fields}) ORDER BY row_key), '[]') AS TEXT)"
            ),
            "SELECT jsonb_array_elements_text(CAST($1 AS jsonb))",
        ),
    };
    // The aggregate runs over a subquery so that the rows keep their order.
    let filter = if keys.is_some() {
        format!("row_key IN ({keys_sql})")
    } else {
        "CAST($1 AS TEXT) = CAST($1 AS TEXT)".to_string()
    };
    let sql = format!(
        "SELECT {aggregate} FROM (SELECT * FROM {} WHERE {filter} ORDER BY row_key LIMIT $2) AS t",
        table.name
    );
    let keys_json = serde_json::to_string(keys.unwrap_or_default())
        .map_err(|e| StoreError::Unsupported(e.to_string()))?;
    let (json,): (String,) = sqlx::query_as(AssertSqlSafe(sql))
        .bind(keys_json)
        .bind(limit)
        .fetch_one(tx.conn())
        .await?;
    let rows: Vec<Vec<Value>> = serde_json::from_str(&json)
        .map_err(|e| StoreError::Unsupported(format!("unreadable rows: {e}")))?;
    let n = table.columns.len();
    rows.into_iter()
        .map(|mut r| {
            if r.len() != n + 2 {
                return Err(StoreError::Unsupported(format!(
                    "a row of {} has {} values",
                    table.name,
                    r.len()
                )));
            }
            let import_id = r.pop().and_then(|v| v.as_i64()).unwrap_or_default();
            let key = r.remove(0).as_str().unwrap_or_default().to_string();
            let values = r
                .iter()
                .enumerate()
                .map(|(i, v)| table.normalise(i, v))
                .collect();
            Ok(FactRow {
                key,
                values,
                import_id,
            })
        })
        .collect()
}

/// Inserts rows or replaces those with the same key. The rows travel as
/// one JSON parameter that the database unpacks (as for ad statistics).
pub async fn upsert(tx: &mut Tx, table: &Table, rows: &[FactRow]) -> Result<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let encoded: Vec<Value> = rows
        .iter()
        .map(|r| {
            let mut a = Vec::with_capacity(r.values.len() + 2);
            a.push(Value::from(r.key.as_str()));
            a.extend(r.values.iter().cloned());
            a.push(Value::from(r.import_id));
            Value::Array(a)
        })
        .collect();
    let json =
        serde_json::to_string(&encoded).map_err(|e| StoreError::Unsupported(e.to_string()))?;
    let n = table.columns.len();
    let select = match tx.backend() {
        Backend::Sqlite => {
            let parts: Vec<String> = (0..n + 2).map(|i| format!("value ->> {i}")).collect();
            format!("SELECT {} FROM json_each($1) WHERE true", parts.join(", "))
        }
        Backend::Postgres => {
            let mut parts = vec!["value ->> 0".to_string()];
            for (i, (_, ty)) in table.columns.iter().enumerate() {
                let cast = match ty {
                    ColumnType::Text => "TEXT",
                    ColumnType::Integer => "BIGINT",
                    ColumnType::Real => "DOUBLE PRECISION",
                };
                parts.push(format!("CAST(value ->> {} AS {cast})", i + 1));
            }
            parts.push(format!("CAST(value ->> {} AS BIGINT)", n + 1));
            format!(
                "SELECT {} FROM jsonb_array_elements(CAST($1 AS jsonb)) AS r(value)",
                parts.join(", ")
            )
        }
    };
    let updates: Vec<String> = table
        .columns
        .iter()
        .map(|(c, _)| format!("{c} = excluded.{c}"))
        .chain(std::iter::once(
            "import_id = excluded.import_id".to_string(),
        ))
        .collect();
    let sql = format!(
        "INSERT INTO {} (row_key, {}, import_id) {select} ON CONFLICT (row_key) DO UPDATE SET {}",
        table.name,
        table.column_list(),
        updates.join(", ")
    );
    sqlx::query(AssertSqlSafe(sql))
        .bind(json)
        .execute(tx.conn())
        .await?;
    Ok(())
}

/// Removes every row last written by an import (rollback).
pub async fn delete_by_import(tx: &mut Tx, table: &Table, import_id: i64) -> Result<u64> {
    let sql = format!("DELETE FROM {} WHERE import_id = $1", table.name);
    Ok(sqlx::query(AssertSqlSafe(sql))
        .bind(import_id)
        .execute(tx.conn())
        .await?
        .rows_affected())
}

/// How many rows a table holds and the first and last value of one of
/// its date columns (ISO text sorts as dates).
pub async fn span(
    tx: &mut Tx,
    table: &str,
    date_column: &str,
) -> Result<(i64, Option<String>, Option<String>)> {
    let sql = format!("SELECT COUNT(*), MIN({date_column}), MAX({date_column}) FROM {table}");
    Ok(sqlx::query_as(AssertSqlSafe(sql))
        .fetch_one(tx.conn())
        .await?)
}

/// How many rows a table holds.
pub async fn count(tx: &mut Tx, table: &Table) -> Result<i64> {
    let sql = format!("SELECT COUNT(*) FROM {}", table.name);
    let (n,): (i64,) = sqlx::query_as(AssertSqlSafe(sql))
        .fetch_one(tx.conn())
        .await?;
    Ok(n)
}
