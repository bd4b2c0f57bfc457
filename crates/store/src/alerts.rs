//! Alerts on KPIs: the last state each KPI was seen in, and the alerts
//! raised when that state changed. A state moves by compare-and-set, so
//! when several servers check at once exactly one records the alert.

use crate::{Result, Tx};

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct AlertStateRow {
    pub kpi_id: i64,
    pub status: String,
    pub change_exceeded: i64,
    pub checked_at: i64,
}

pub async fn state(tx: &mut Tx, kpi_id: i64) -> Result<Option<AlertStateRow>> {
    Ok(sqlx::query_as(
        "SELECT CAST(kpi_id AS BIGINT) AS kpi_id, status, CAST(change_exceeded AS BIGINT) AS change_exceeded, checked_at
         FROM kpi_alert_states WHERE kpi_id = $1",
    )
    .bind(kpi_id)
    .fetch_optional(tx.conn())
    .await?)
}

/// Moves a KPI's state from `seen` (none: never checked) to the new one.
/// False when another check moved it first: that check owns the change.
pub async fn move_state(
    tx: &mut Tx,
    kpi_id: i64,
    seen: Option<&AlertStateRow>,
    status: &str,
    change_exceeded: bool,
    now: i64,
) -> Result<bool> {
    let done = match seen {
        None => {
            sqlx::query(
                "INSERT INTO kpi_alert_states (kpi_id, status, change_exceeded, checked_at)
                 VALUES ($1, $2, $3, $4) ON CONFLICT (kpi_id) DO NOTHING",
            )
            .bind(kpi_id)
            .bind(status)
            .bind(i64::from(change_exceeded))
            .bind(now)
            .execute(tx.conn())
            .await?
        }
        Some(old) => {
            sqlx::query(
                "UPDATE kpi_alert_states SET status = $2, change_exceeded = $3, checked_at = $4
                 WHERE kpi_id = $1 AND status = $5 AND change_exceeded = $6 AND checked_at = $7",
            )
            .bind(kpi_id)
            .bind(status)
            .bind(i64::from(change_exceeded))
            .bind(now)
            .bind(&old.status)
            .bind(old.change_exceeded)
            .bind(old.checked_at)
            .execute(tx.conn())
            .await?
        }
    };
    Ok(done.rows_affected() == 1)
}

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct AlertRow {
    pub id: i64,
    pub kpi_id: i64,
    pub kind: String,
    pub at: i64,
    pub window_from: String,
    pub window_to: String,
    pub value: Option<f64>,
    pub target: Option<f64>,
    pub forecast: Option<f64>,
    pub previous: Option<f64>,
    pub change: Option<f64>,
    pub currency: Option<String>,
    /// Of the KPI.
    pub metric_code: String,
    pub scope: String,
}

pub struct NewAlert<'a> {
    pub kpi_id: i64,
    pub kind: &'a str,
    pub at: i64,
    pub window_from: &'a str,
    pub window_to: &'a str,
    pub value: Option<f64>,
    pub target: Option<f64>,
    pub forecast: Option<f64>,
    pub previous: Option<f64>,
    pub change: Option<f64>,
    pub currency: Option<&'a str>,
}

pub async fn insert(tx: &mut Tx, a: &NewAlert<'_>) -> Result<i64> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO alerts (kpi_id, kind, at, window_from, window_to, value, target, forecast, previous, change, currency)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
    )
    .bind(a.kpi_id)
    .bind(a.kind)
    .bind(a.at)
    .bind(a.window_from)
    .bind(a.window_to)
    .bind(crate::NullableF64(a.value))
    .bind(crate::NullableF64(a.target))
    .bind(crate::NullableF64(a.forecast))
    .bind(crate::NullableF64(a.previous))
    .bind(crate::NullableF64(a.change))
    .bind(a.currency)
    .fetch_one(tx.conn())
    .await?;
    Ok(id)
}

/// Alerts raised at or after `since`, newest first.
pub async fn since(tx: &mut Tx, since: i64, limit: i64) -> Result<Vec<AlertRow>> {
    Ok(sqlx::query_as(
        "SELECT a.id, CAST(a.kpi_id AS BIGINT) AS kpi_id, a.kind, a.at, a.window_from, a.window_to,
                a.value, a.target, a.forecast, a.previous, a.change, a.currency, k.metric_code, k.scope
         FROM alerts a JOIN kpis k ON k.id = a.kpi_id
         WHERE a.at >= $1 ORDER BY a.at DESC, a.id DESC LIMIT $2",
    )
    .bind(since)
    .bind(limit)
    .fetch_all(tx.conn())
    .await?)
}

/// A person to tell: their e-mail and the language of their account, if any.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct RecipientRow {
    pub employee_id: i64,
    pub name: String,
    pub email: String,
    pub locale: Option<String>,
}

/// The active people among `ids` with their e-mail.
pub async fn recipients(tx: &mut Tx, ids: &[i64]) -> Result<Vec<RecipientRow>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let list = ids
        .iter()
        .map(i64::to_string)
        .collect::<Vec<_>>()
        .join(", ");
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT e.id AS employee_id, e.name, e.email, u.locale
         FROM employees e LEFT JOIN users u ON u.employee_id = e.id AND u.active = 1
         WHERE e.active = 1 AND e.id IN ({list}) ORDER BY e.id"
    )))
    .fetch_all(tx.conn())
    .await?)
}

/// The people whose accounts have the head's role.
pub async fn heads(tx: &mut Tx) -> Result<Vec<i64>> {
    let rows: Vec<(i64,)> = sqlx::query_as(
        "SELECT CAST(employee_id AS BIGINT) FROM users
         WHERE role = 'head' AND active = 1 AND employee_id IS NOT NULL ORDER BY employee_id",
    )
    .fetch_all(tx.conn())
    .await?;
    Ok(rows.into_iter().map(|(id,)| id).collect())
}
