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
    pub strategy_id: Option<i64>,
    pub goal_id: Option<i64>,
    /// The first day of the current owner and contributors (`None`: since
    /// the start); earlier ones are in the share history.
    pub shares_from: Option<String>,
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
    "SELECT id, external_id, name, platform, channel, CAST(owner_employee_id AS BIGINT) AS owner_employee_id,
        budget_minor, currency, start_date, end_date, CAST(import_id AS BIGINT) AS import_id,
        CAST(strategy_id AS BIGINT) AS strategy_id, CAST(goal_id AS BIGINT) AS goal_id, shares_from
     FROM campaigns";

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

/// Every campaign (the table is small: thousands, not millions).
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
    for table in ["campaign_contributors", "campaign_share_history"] {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "DELETE FROM {table} WHERE campaign_id IN (SELECT id FROM campaigns WHERE import_id = $1)"
        )))
        .bind(import_id)
        .execute(tx.conn())
        .await?;
    }
    Ok(sqlx::query("DELETE FROM campaigns WHERE import_id = $1")
        .bind(import_id)
        .execute(tx.conn())
        .await?
        .rows_affected())
}

/// Every share in any campaign with the days it holds for: the current
/// owner (what the contributors do not have) and contributors from the
/// campaign's `shares_from`, and the earlier ones from the share history.
pub(crate) const ALL_SHARES: &str = "SELECT c.id AS campaign_id, CAST(c.owner_employee_id AS BIGINT) AS employee_id,
                   CAST(10000 - COALESCE((SELECT SUM(cc.share_bp) FROM campaign_contributors cc WHERE cc.campaign_id = c.id), 0) AS BIGINT) AS share_bp,
                   c.shares_from AS valid_from, CAST(NULL AS TEXT) AS valid_until
            FROM campaigns c WHERE c.owner_employee_id IS NOT NULL
            UNION ALL
            SELECT cc.campaign_id, cc.employee_id, cc.share_bp, c.shares_from, CAST(NULL AS TEXT)
            FROM campaign_contributors cc JOIN campaigns c ON c.id = cc.campaign_id
            UNION ALL
            SELECT campaign_id, employee_id, share_bp, valid_from, valid_until FROM campaign_share_history";

/// Every share held on some day of [from, to): (campaign, employee, share in
/// basis points), the owner's included; where the shares changed within the
/// days, the latest.
pub async fn shares_during(tx: &mut Tx, from: &str, to: &str) -> Result<Vec<(i64, i64, i64)>> {
    let rows: Vec<(i64, i64, i64)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT campaign_id, employee_id, share_bp FROM ({ALL_SHARES}) s
         WHERE (valid_from IS NULL OR valid_from < $2) AND (valid_until IS NULL OR valid_until > $1)
         ORDER BY campaign_id, employee_id, COALESCE(valid_from, '')"
    )))
    .bind(from)
    .bind(to)
    .fetch_all(tx.conn())
    .await?;
    let mut latest: Vec<(i64, i64, i64)> = Vec::with_capacity(rows.len());
    for row in rows {
        match latest.last_mut() {
            Some(last) if (last.0, last.1) == (row.0, row.1) => *last = row,
            _ => latest.push(row),
        }
    }
    Ok(latest)
}

/// The campaign with this platform id, if there is one.
pub async fn id_of_external(tx: &mut Tx, external_id: &str) -> Result<Option<i64>> {
    let row: Option<(i64,)> = sqlx::query_as("SELECT id FROM campaigns WHERE external_id = $1")
        .bind(external_id)
        .fetch_optional(tx.conn())
        .await?;
    Ok(row.map(|(id,)| id))
}

/// One campaign.
pub async fn get(tx: &mut Tx, id: i64) -> Result<Option<CampaignRow>> {
    Ok(
        sqlx::query_as(sqlx::AssertSqlSafe(format!("{SELECT} WHERE id = $1")))
            .bind(id)
            .fetch_optional(tx.conn())
            .await?,
    )
}

/// A campaign's contributors now: (employee, share in basis points).
pub async fn contributors_of(tx: &mut Tx, campaign_id: i64) -> Result<Vec<Contributor>> {
    Ok(sqlx::query_as(
        "SELECT employee_id, share_bp FROM campaign_contributors WHERE campaign_id = $1 ORDER BY employee_id",
    )
    .bind(campaign_id)
    .fetch_all(tx.conn())
    .await?)
}

/// One earlier owner or contributor of a campaign, for [valid_from, valid_until).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PastShare {
    pub employee_id: i64,
    pub is_owner: bool,
    pub share_bp: i64,
    pub valid_from: Option<String>,
    pub valid_until: String,
}

/// A campaign's earlier owners and contributors, latest first.
pub async fn share_history(tx: &mut Tx, campaign_id: i64) -> Result<Vec<PastShare>> {
    let rows: Vec<(i64, i64, i64, Option<String>, String)> = sqlx::query_as(
        "SELECT employee_id, CAST(is_owner AS BIGINT), share_bp, valid_from, valid_until
         FROM campaign_share_history WHERE campaign_id = $1
         ORDER BY valid_until DESC, is_owner DESC, employee_id",
    )
    .bind(campaign_id)
    .fetch_all(tx.conn())
    .await?;
    Ok(rows
        .into_iter()
        .map(
            |(employee_id, is_owner, share_bp, valid_from, valid_until)| PastShare {
                employee_id,
                is_owner: is_owner != 0,
                share_bp,
                valid_from,
                valid_until,
            },
        )
        .collect())
}

/// Keeps the current owner and contributors as history up to `until` and
/// makes `until` the first day of the ones that follow (the caller sets them).
pub async fn close_shares(
    tx: &mut Tx,
    campaign: &CampaignRow,
    until: &str,
    now: i64,
) -> Result<()> {
    let contributors = contributors_of(tx, campaign.id).await?;
    let mut rows: Vec<(i64, bool, i64)> = Vec::with_capacity(contributors.len() + 1);
    if let Some(owner) = campaign.owner_employee_id {
        let taken: i64 = contributors.iter().map(|(_, bp)| bp).sum();
        rows.push((owner, true, 10_000 - taken));
    }
    rows.extend(contributors.iter().map(|(e, bp)| (*e, false, *bp)));
    for (employee_id, is_owner, share_bp) in rows {
        sqlx::query(
            "INSERT INTO campaign_share_history (campaign_id, employee_id, is_owner, share_bp, valid_from, valid_until, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(campaign.id)
        .bind(employee_id)
        .bind(i16::from(is_owner))
        .bind(share_bp)
        .bind(&campaign.shares_from)
        .bind(until)
        .bind(now)
        .execute(tx.conn())
        .await?;
    }
    sqlx::query("UPDATE campaigns SET shares_from = $1 WHERE id = $2")
        .bind(until)
        .bind(campaign.id)
        .execute(tx.conn())
        .await?;
    Ok(())
}

/// Sets a campaign's owner (the contributors are set with [`set_contributors`]).
pub async fn set_owner(tx: &mut Tx, campaign_id: i64, owner: Option<i64>, now: i64) -> Result<()> {
    sqlx::query("UPDATE campaigns SET owner_employee_id = $1, updated_at = $2 WHERE id = $3")
        .bind(owner)
        .bind(now)
        .bind(campaign_id)
        .execute(tx.conn())
        .await?;
    Ok(())
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
                        UNION SELECT employee_id FROM campaign_contributors WHERE campaign_id = $1
                        UNION SELECT employee_id FROM campaign_share_history WHERE campaign_id = $1)",
    )
    .bind(campaign_id)
    .fetch_all(tx.conn())
    .await?;
    Ok(Some(rows))
}
