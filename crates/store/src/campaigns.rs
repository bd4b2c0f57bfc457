//! Campaigns: the unit ad spend and results are counted by, each owned by
//! an employee so its results count for them.

use crate::{Result, Tx};

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct CampaignRow {
    pub id: i64,
    pub external_id: String,
    pub name: String,
    pub platform: Option<String>,
    pub channel: Option<String>,
    pub owner_employee_id: Option<i64>,
    pub budget_minor: Option<i64>,
    pub currency: Option<String>,
    pub start_date: Option<String>,
    pub end_date: Option<String>,
    pub import_id: Option<i64>,
}

/// A campaign's values as an import sets them.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CampaignValues {
    pub external_id: String,
    pub name: String,
    pub platform: Option<String>,
    pub channel: Option<String>,
    pub owner_employee_id: Option<i64>,
    pub budget_minor: Option<i64>,
    pub currency: Option<String>,
    pub start_date: Option<String>,
    pub end_date: Option<String>,
}

impl From<&CampaignRow> for CampaignValues {
    fn from(r: &CampaignRow) -> Self {
        CampaignValues {
            external_id: r.external_id.clone(),
            name: r.name.clone(),
            platform: r.platform.clone(),
            channel: r.channel.clone(),
            owner_employee_id: r.owner_employee_id,
            budget_minor: r.budget_minor,
            currency: r.currency.clone(),
            start_date: r.start_date.clone(),
            end_date: r.end_date.clone(),
        }
    }
}

const SELECT: &str =
    "SELECT id, external_id, name, platform, channel, owner_employee_id, budget_minor, currency,
        start_date, end_date, import_id FROM campaigns";

/// Every campaign (the table is small: hundreds, not millions).
/// These campaigns (ids are our own integers: safe to inline).
pub async fn by_ids(tx: &mut Tx, ids: &[i64]) -> Result<Vec<CampaignRow>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let list = ids
        .iter()
        .map(i64::to_string)
        .collect::<Vec<_>>()
        .join(", ");
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{SELECT} WHERE id IN ({list})"
    )))
    .fetch_all(tx.conn())
    .await?)
}

pub async fn all(tx: &mut Tx) -> Result<Vec<CampaignRow>> {
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{SELECT} ORDER BY external_id"
    )))
    .fetch_all(tx.conn())
    .await?)
}

pub async fn insert(
    tx: &mut Tx,
    v: &CampaignValues,
    import_id: Option<i64>,
    now: i64,
) -> Result<i64> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO campaigns (external_id, name, platform, channel, owner_employee_id, budget_minor, currency, start_date, end_date, import_id, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11) RETURNING id",
    )
    .bind(&v.external_id)
    .bind(&v.name)
    .bind(&v.platform)
    .bind(&v.channel)
    .bind(v.owner_employee_id)
    .bind(v.budget_minor)
    .bind(&v.currency)
    .bind(&v.start_date)
    .bind(&v.end_date)
    .bind(import_id)
    .bind(now)
    .fetch_one(tx.conn())
    .await?;
    Ok(id)
}

pub async fn update(
    tx: &mut Tx,
    id: i64,
    v: &CampaignValues,
    import_id: Option<i64>,
    now: i64,
) -> Result<()> {
    sqlx::query(
        "UPDATE campaigns SET external_id = $1, name = $2, platform = $3, channel = $4, owner_employee_id = $5,
            budget_minor = $6, currency = $7, start_date = $8, end_date = $9, import_id = $10, updated_at = $11
         WHERE id = $12",
    )
    .bind(&v.external_id)
    .bind(&v.name)
    .bind(&v.platform)
    .bind(&v.channel)
    .bind(v.owner_employee_id)
    .bind(v.budget_minor)
    .bind(&v.currency)
    .bind(&v.start_date)
    .bind(&v.end_date)
    .bind(import_id)
    .bind(now)
    .bind(id)
    .execute(tx.conn())
    .await?;
    Ok(())
}

/// A person sharing in a campaign's results: (employee, share in basis
/// points).
pub type Contributor = (i64, i64);

/// Every campaign's contributors: (campaign, employee, share in basis points).
pub async fn all_contributors(tx: &mut Tx) -> Result<Vec<(i64, i64, i64)>> {
    Ok(sqlx::query_as(
        "SELECT campaign_id, employee_id, share_bp FROM campaign_contributors ORDER BY campaign_id, employee_id",
    )
    .fetch_all(tx.conn())
    .await?)
}

/// Replaces a campaign's contributors.
pub async fn set_contributors(tx: &mut Tx, campaign_id: i64, people: &[Contributor]) -> Result<()> {
    sqlx::query("DELETE FROM campaign_contributors WHERE campaign_id = $1")
        .bind(campaign_id)
        .execute(tx.conn())
        .await?;
    for (employee_id, share_bp) in people {
        sqlx::query(
            "INSERT INTO campaign_contributors (campaign_id, employee_id, share_bp) VALUES ($1, $2, $3)",
        )
        .bind(campaign_id)
        .bind(employee_id)
        .bind(share_bp)
        .execute(tx.conn())
        .await?;
    }
    Ok(())
}

/// Removes the campaigns an import last wrote, with their contributors
/// (rollback: those it changed have had their previous values, and
/// import, restored first).
pub async fn delete_added_by(tx: &mut Tx, import_id: i64) -> Result<u64> {
    sqlx::query(
        "DELETE FROM campaign_contributors WHERE campaign_id IN (SELECT id FROM campaigns WHERE import_id = $1)",
    )
    .bind(import_id)
    .execute(tx.conn())
    .await?;
    Ok(sqlx::query("DELETE FROM campaigns WHERE import_id = $1")
        .bind(import_id)
        .execute(tx.conn())
        .await?
        .rows_affected())
}

/// The people a campaign's results count for (owner and contributors) with
/// their teams; `None` when there is no such campaign.
pub async fn people(tx: &mut Tx, campaign_id: i64) -> Result<Option<Vec<(i64, Option<i64>)>>> {
    let exists: Option<(i64,)> = sqlx::query_as("SELECT id FROM campaigns WHERE id = $1")
        .bind(campaign_id)
        .fetch_optional(tx.conn())
        .await?;
    if exists.is_none() {
        return Ok(None);
    }
    let rows: Vec<(i64, Option<i64>)> = sqlx::query_as(
        "SELECT e.id, e.team_id FROM employees e
         WHERE e.id IN (SELECT owner_employee_id FROM campaigns WHERE id = $1
                        UNION SELECT employee_id FROM campaign_contributors WHERE campaign_id = $1)",
    )
    .bind(campaign_id)
    .fetch_all(tx.conn())
    .await?;
    Ok(Some(rows))
}
