//! Ad statistics per campaign per day: the natural grain of every ad
//! platform export. Natural key: (campaign, date).

use sqlx::AssertSqlSafe;

use crate::{Result, Tx};

#[derive(Debug, Clone, PartialEq, sqlx::FromRow, serde::Serialize, serde::Deserialize)]
pub struct AdStatValues {
    pub campaign_id: i64,
    pub date: String,
    pub impressions: i64,
    pub clicks: i64,
    pub spend_minor: i64,
    pub conversions: Option<f64>,
    pub conversion_value_minor: Option<i64>,
    pub currency: String,
}

/// A stored row with the import that last wrote it.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow, serde::Serialize, serde::Deserialize)]
pub struct AdStatRow {
    #[sqlx(flatten)]
    pub values: AdStatValues,
    pub import_id: i64,
}

const COLUMNS: &str = "campaign_id, date, impressions, clicks, spend_minor, conversions, conversion_value_minor, currency";

/// Rows per statement: 9 values each, well under both engines' limits on
/// bound parameters.
const BATCH: usize = 400;

/// Stored rows of these campaigns between two dates (inclusive).
pub async fn existing(
    tx: &mut Tx,
    campaign_ids: &[i64],
    from: &str,
    to: &str,
) -> Result<Vec<AdStatRow>> {
    if campaign_ids.is_empty() {
        return Ok(Vec::new());
    }
    // Ids come from our own campaigns table as i64: safe to inline.
    let ids: Vec<String> = campaign_ids.iter().map(i64::to_string).collect();
    let sql = format!(
        "SELECT {COLUMNS}, import_id FROM ad_stats WHERE campaign_id IN ({}) AND date >= $1 AND date <= $2",
        ids.join(", ")
    );
    Ok(sqlx::query_as(AssertSqlSafe(sql))
        .bind(from)
        .bind(to)
        .fetch_all(tx.conn())
        .await?)
}

/// Inserts rows or replaces those with the same campaign and date.
pub async fn upsert(tx: &mut Tx, rows: &[AdStatValues], import_id: i64) -> Result<()> {
    for chunk in rows.chunks(BATCH) {
        let mut sql = format!("INSERT INTO ad_stats ({COLUMNS}, import_id) VALUES ");
        for i in 0..chunk.len() {
            let b = i * 9;
            if i > 0 {
                sql.push_str(", ");
            }
            sql.push_str(&format!(
                "(${}, ${}, ${}, ${}, ${}, ${}, ${}, ${}, ${})",
                b + 1,
                b + 2,
                b + 3,
                b + 4,
                b + 5,
                b + 6,
                b + 7,
                b + 8,
                b + 9
            ));
        }
        sql.push_str(
            " ON CONFLICT (campaign_id, date) DO UPDATE SET impressions = excluded.impressions, clicks = excluded.clicks,
              spend_minor = excluded.spend_minor, conversions = excluded.conversions,
              conversion_value_minor = excluded.conversion_value_minor, currency = excluded.currency,
              import_id = excluded.import_id",
        );
        let mut q = sqlx::query(AssertSqlSafe(sql));
        for r in chunk {
            q = q
                .bind(r.campaign_id)
                .bind(&r.date)
                .bind(r.impressions)
                .bind(r.clicks)
                .bind(r.spend_minor)
                .bind(r.conversions)
                .bind(r.conversion_value_minor)
                .bind(&r.currency)
                .bind(import_id);
        }
        q.execute(tx.conn()).await?;
    }
    Ok(())
}

/// Removes every row last written by an import (rollback).
pub async fn delete_by_import(tx: &mut Tx, import_id: i64) -> Result<u64> {
    Ok(sqlx::query("DELETE FROM ad_stats WHERE import_id = $1")
        .bind(import_id)
        .execute(tx.conn())
        .await?
        .rows_affected())
}

/// Sums over all rows, for checks and summaries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, sqlx::FromRow)]
pub struct AdStatTotals {
    pub row_count: i64,
    pub impressions: i64,
    pub clicks: i64,
    pub spend_minor: i64,
}

pub async fn totals(tx: &mut Tx) -> Result<AdStatTotals> {
    Ok(sqlx::query_as(
        // PostgreSQL sums BIGINT into NUMERIC, which `Any` cannot carry.
        "SELECT COUNT(*) AS row_count, CAST(COALESCE(SUM(impressions), 0) AS BIGINT) AS impressions,
                CAST(COALESCE(SUM(clicks), 0) AS BIGINT) AS clicks,
                CAST(COALESCE(SUM(spend_minor), 0) AS BIGINT) AS spend_minor FROM ad_stats",
    )
    .fetch_one(tx.conn())
    .await?)
}
