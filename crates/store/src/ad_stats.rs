//! Ad statistics per campaign per day: the natural grain of every ad
//! platform export. Natural key: (campaign, date).

use sqlx::AssertSqlSafe;

use crate::{Backend, Result, Tx};

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
    /// 1 when spend includes VAT, 0 when not, none when unknown.
    pub vat_included: Option<i64>,
}

/// A stored row with the import that last wrote it.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow, serde::Serialize, serde::Deserialize)]
pub struct AdStatRow {
    #[sqlx(flatten)]
    pub values: AdStatValues,
    pub import_id: i64,
}

const COLUMNS: &str = "campaign_id, date, impressions, clicks, spend_minor, conversions, conversion_value_minor, currency, vat_included";

/// Stored rows of these campaigns between two dates (inclusive).
///
/// The rows come back as one JSON array: sqlx's SQLite driver hands each
/// result row across threads, which cost more than the query itself.
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
    let fields = "campaign_id, date, impressions, clicks, spend_minor, conversions, conversion_value_minor, currency, vat_included, import_id";
    let aggregate = match tx.backend() {
        Backend::Sqlite => format!("COALESCE(json_group_array(json_array({fields})), '[]')"),
        Backend::Postgres => {
            format!("CAST(COALESCE(json_agg(json_build_array({fields})), '[]') AS TEXT)")
        }
    };
    let sql = format!(
        "SELECT {aggregate} FROM ad_stats WHERE campaign_id IN ({}) AND date >= $1 AND date <= $2",
        ids.join(", ")
    );
    let (json,): (String,) = sqlx::query_as(AssertSqlSafe(sql))
        .bind(from)
        .bind(to)
        .fetch_one(tx.conn())
        .await?;
    type Tuple = (
        i64,
        String,
        i64,
        i64,
        i64,
        Option<f64>,
        Option<i64>,
        String,
        Option<i64>,
        i64,
    );
    let tuples: Vec<Tuple> = serde_json::from_str(&json)
        .map_err(|e| crate::StoreError::Unsupported(format!("unreadable rows: {e}")))?;
    Ok(tuples
        .into_iter()
        .map(
            |(
                campaign_id,
                date,
                impressions,
                clicks,
                spend_minor,
                conversions,
                conversion_value_minor,
                currency,
                vat_included,
                import_id,
            )| {
                AdStatRow {
                    values: AdStatValues {
                        campaign_id,
                        date,
                        impressions,
                        clicks,
                        spend_minor,
                        conversions,
                        conversion_value_minor,
                        currency,
                        vat_included,
                    },
                    import_id,
                }
            },
        )
        .collect())
}

/// Inserts rows or replaces those with the same campaign and date.
///
/// PostgreSQL gets the rows as one JSON parameter that it unpacks itself
/// (`jsonb_to_recordset`). SQLite gets them as bound values, 100 rows per
/// statement: the statement text repeats, so sqlx prepares it once, and
/// SQLite spends its time in the B-tree instead of re-parsing JSON (a JSON
/// array per row made `json_each` the import's bottleneck).
pub async fn upsert(tx: &mut Tx, rows: &[AdStatValues], import_id: i64) -> Result<()> {
    if rows.is_empty() {
        return Ok(());
    }
    if tx.backend() == Backend::Sqlite {
        return upsert_sqlite(tx, rows, import_id).await;
    }
    let json =
        serde_json::to_string(rows).map_err(|e| crate::StoreError::Unsupported(e.to_string()))?;
    let sql = format!(
        "INSERT INTO ad_stats ({COLUMNS}, import_id)
         SELECT campaign_id, date, impressions, clicks, spend_minor, conversions, conversion_value_minor, currency, vat_included, $2
         FROM jsonb_to_recordset(CAST($1 AS jsonb)) AS r(campaign_id bigint, date text, impressions bigint,
              clicks bigint, spend_minor bigint, conversions double precision, conversion_value_minor bigint, currency text, vat_included bigint)
         {UPSERT_TAIL}"
    );
    sqlx::query(AssertSqlSafe(sql))
        .bind(json)
        .bind(import_id)
        .execute(tx.conn())
        .await?;
    Ok(())
}

const UPSERT_TAIL: &str = "ON CONFLICT (date, campaign_id) DO UPDATE SET impressions = excluded.impressions, clicks = excluded.clicks,
      spend_minor = excluded.spend_minor, conversions = excluded.conversions,
      conversion_value_minor = excluded.conversion_value_minor, currency = excluded.currency,
      vat_included = excluded.vat_included, import_id = excluded.import_id";

/// Rows per SQLite statement: 1,000 bound values, well under SQLite's
/// limit; measured best between 50 and 400.
const ROWS_PER_STATEMENT: usize = 100;

async fn upsert_sqlite(tx: &mut Tx, rows: &[AdStatValues], import_id: i64) -> Result<()> {
    for chunk in rows.chunks(ROWS_PER_STATEMENT) {
        let mut sql = format!("INSERT INTO ad_stats ({COLUMNS}, import_id) VALUES ");
        for i in 0..chunk.len() {
            if i > 0 {
                sql.push(',');
            }
            sql.push_str("(?,?,?,?,?,?,?,?,?,?)");
        }
        sql.push(' ');
        sql.push_str(UPSERT_TAIL);
        let mut query = sqlx::query(AssertSqlSafe(sql));
        for r in chunk {
            query = query
                .bind(r.campaign_id)
                .bind(r.date.clone())
                .bind(r.impressions)
                .bind(r.clicks)
                .bind(r.spend_minor)
                .bind(r.conversions)
                .bind(r.conversion_value_minor)
                .bind(r.currency.clone())
                .bind(r.vat_included)
                .bind(import_id);
        }
        query.execute(tx.conn()).await?;
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
