//! Review cycles: the competency framework, cycles with their people and
//! competencies, who rates whom, and the answers. Anonymous answers (peers,
//! clients) are written without their rater and read back only as groups.

use crate::{Result, Tx};

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct CompetencyRow {
    pub id: i64,
    pub code: String,
    pub name_en: String,
    pub name_ru: String,
    pub levels_en: String,
    pub levels_ru: String,
}

pub struct NewCompetency<'a> {
    pub code: &'a str,
    pub name_en: &'a str,
    pub name_ru: &'a str,
    pub levels_en: &'a str,
    pub levels_ru: &'a str,
    pub position: i64,
}

pub async fn insert_competency(tx: &mut Tx, c: &NewCompetency<'_>, now: i64) -> Result<i64> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO competencies (code, name_en, name_ru, levels_en, levels_ru, position, active, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, 1, $7) RETURNING id",
    )
    .bind(c.code)
    .bind(c.name_en)
    .bind(c.name_ru)
    .bind(c.levels_en)
    .bind(c.levels_ru)
    .bind(c.position)
    .bind(now)
    .fetch_one(tx.conn())
    .await?;
    Ok(id)
}

/// The active competencies in their order.
pub async fn competencies(tx: &mut Tx) -> Result<Vec<CompetencyRow>> {
    Ok(sqlx::query_as(
        "SELECT id, code, name_en, name_ru, levels_en, levels_ru FROM competencies
         WHERE active = 1 ORDER BY position, id",
    )
    .fetch_all(tx.conn())
    .await?)
}

/// A competency by its code, active or retired.
pub async fn competency_by_code(tx: &mut Tx, code: &str) -> Result<Option<CompetencyRow>> {
    Ok(sqlx::query_as(
        "SELECT id, code, name_en, name_ru, levels_en, levels_ru FROM competencies WHERE code = $1",
    )
    .bind(code)
    .fetch_optional(tx.conn())
    .await?)
}

/// A cycle's competencies in their order.
pub async fn cycle_competencies(tx: &mut Tx, cycle_id: i64) -> Result<Vec<CompetencyRow>> {
    Ok(sqlx::query_as(
        "SELECT c.id, c.code, c.name_en, c.name_ru, c.levels_en, c.levels_ru
         FROM review_competencies rc JOIN competencies c ON c.id = rc.competency_id
         WHERE rc.cycle_id = $1 ORDER BY c.position, c.id",
    )
    .bind(cycle_id)
    .fetch_all(tx.conn())
    .await?)
}

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct CycleRow {
    pub id: i64,
    pub name: String,
    pub period_from: String,
    pub period_to: String,
    pub status: String,
    pub self_due: String,
    pub nomination_due: String,
    pub assessment_due: String,
    pub calibration_due: String,
    /// None for cycles opened before the phase was kept.
    pub release_due: Option<String>,
    pub scale_min: i64,
    pub scale_max: i64,
    pub anonymity_threshold: i64,
    pub min_peers: i64,
    pub max_peers: i64,
    pub formula: String,
    pub formula_version: i64,
    pub recurrence: String,
    pub created_at: i64,
}

pub struct NewCycle<'a> {
    pub name: &'a str,
    pub period_from: &'a str,
    pub period_to: &'a str,
    pub self_due: &'a str,
    pub nomination_due: &'a str,
    pub assessment_due: &'a str,
    pub calibration_due: &'a str,
    pub release_due: &'a str,
    pub scale_min: i64,
    pub scale_max: i64,
    pub anonymity_threshold: i64,
    pub min_peers: i64,
    pub max_peers: i64,
    pub formula: &'a str,
    pub recurrence: &'a str,
}

pub async fn insert_cycle(
    tx: &mut Tx,
    c: &NewCycle<'_>,
    participants: &[i64],
    competency_ids: &[i64],
    user_id: Option<i64>,
    now: i64,
) -> Result<i64> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO review_cycles (name, period_from, period_to, status, self_due, nomination_due,
                                    assessment_due, calibration_due, scale_min, scale_max,
                                    anonymity_threshold, min_peers, max_peers, formula, formula_version,
                                    recurrence, created_by_user_id, created_at, updated_at, release_due)
         VALUES ($1, $2, $3, 'open', $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, 1, $14, $15, $16, $16, $17)
         RETURNING id",
    )
    .bind(c.name)
    .bind(c.period_from)
    .bind(c.period_to)
    .bind(c.self_due)
    .bind(c.nomination_due)
    .bind(c.assessment_due)
    .bind(c.calibration_due)
    .bind(c.scale_min)
    .bind(c.scale_max)
    .bind(c.anonymity_threshold)
    .bind(c.min_peers)
    .bind(c.max_peers)
    .bind(c.formula)
    .bind(c.recurrence)
    .bind(user_id)
    .bind(now)
    .bind(c.release_due)
    .fetch_one(tx.conn())
    .await?;
    for e in participants {
        sqlx::query("INSERT INTO review_participants (cycle_id, employee_id) VALUES ($1, $2)")
            .bind(id)
            .bind(e)
            .execute(tx.conn())
            .await?;
    }
    for c in competency_ids {
        sqlx::query("INSERT INTO review_competencies (cycle_id, competency_id) VALUES ($1, $2)")
            .bind(id)
            .bind(c)
            .execute(tx.conn())
            .await?;
    }
    Ok(id)
}

/// Changes a cycle's name and due dates (self, nomination, assessment,
/// calibration, release).
pub async fn update_cycle_plan(
    tx: &mut Tx,
    id: i64,
    name: &str,
    dues: [&str; 5],
    now: i64,
) -> Result<()> {
    sqlx::query(
        "UPDATE review_cycles SET name = $2, self_due = $3, nomination_due = $4, assessment_due = $5,
                calibration_due = $6, release_due = $7, updated_at = $8 WHERE id = $1",
    )
    .bind(id)
    .bind(name)
    .bind(dues[0])
    .bind(dues[1])
    .bind(dues[2])
    .bind(dues[3])
    .bind(dues[4])
    .bind(now)
    .execute(tx.conn())
    .await?;
    Ok(())
}

pub async fn add_participant(tx: &mut Tx, cycle_id: i64, employee_id: i64) -> Result<()> {
    sqlx::query("INSERT INTO review_participants (cycle_id, employee_id) VALUES ($1, $2)")
        .bind(cycle_id)
        .bind(employee_id)
        .execute(tx.conn())
        .await?;
    Ok(())
}

/// Takes a person out of a cycle with what was prepared for them: raters
/// named (and their links) and reminders. The caller refuses it once
/// anyone has answered about them.
pub async fn remove_participant(tx: &mut Tx, cycle_id: i64, employee_id: i64) -> Result<()> {
    for sql in [
        "DELETE FROM review_links WHERE rater_id IN (SELECT id FROM review_raters WHERE cycle_id = $1 AND employee_id = $2)",
        "DELETE FROM review_raters WHERE cycle_id = $1 AND employee_id = $2",
        "DELETE FROM review_reminders WHERE cycle_id = $1 AND employee_id = $2",
        "DELETE FROM review_participants WHERE cycle_id = $1 AND employee_id = $2",
    ] {
        sqlx::query(sql)
            .bind(cycle_id)
            .bind(employee_id)
            .execute(tx.conn())
            .await?;
    }
    Ok(())
}

/// Whether anyone has answered about the person in the cycle.
pub async fn has_answers(tx: &mut Tx, cycle_id: i64, employee_id: i64) -> Result<bool> {
    let (n,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM review_answers WHERE cycle_id = $1 AND employee_id = $2",
    )
    .bind(cycle_id)
    .bind(employee_id)
    .fetch_one(tx.conn())
    .await?;
    Ok(n > 0)
}

const CYCLE: &str =
    "SELECT id, name, period_from, period_to, status, self_due, nomination_due, assessment_due,
        calibration_due, release_due, scale_min, scale_max, anonymity_threshold, min_peers, max_peers, formula,
        formula_version, recurrence, created_at FROM review_cycles";

pub async fn cycle(tx: &mut Tx, id: i64) -> Result<Option<CycleRow>> {
    Ok(
        sqlx::query_as(sqlx::AssertSqlSafe(format!("{CYCLE} WHERE id = $1")))
            .bind(id)
            .fetch_optional(tx.conn())
            .await?,
    )
}

/// Every cycle, latest period first.
pub async fn cycles(tx: &mut Tx) -> Result<Vec<CycleRow>> {
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{CYCLE} ORDER BY period_from DESC, id DESC"
    )))
    .fetch_all(tx.conn())
    .await?)
}

pub async fn set_cycle_status(tx: &mut Tx, id: i64, status: &str, now: i64) -> Result<()> {
    sqlx::query("UPDATE review_cycles SET status = $2, updated_at = $3 WHERE id = $1")
        .bind(id)
        .bind(status)
        .bind(now)
        .execute(tx.conn())
        .await?;
    Ok(())
}

pub async fn participants(tx: &mut Tx, cycle_id: i64) -> Result<Vec<i64>> {
    let rows: Vec<(i64,)> = sqlx::query_as(
        "SELECT CAST(employee_id AS BIGINT) FROM review_participants WHERE cycle_id = $1 ORDER BY employee_id",
    )
    .bind(cycle_id)
    .fetch_all(tx.conn())
    .await?;
    Ok(rows.into_iter().map(|r| r.0).collect())
}

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct RaterRow {
    pub id: i64,
    pub cycle_id: i64,
    pub employee_id: i64,
    pub perspective: String,
    pub rater_employee_id: Option<i64>,
    pub rater_name: Option<String>,
    pub status: String,
}

const RATER: &str = "SELECT r.id, CAST(r.cycle_id AS BIGINT) AS cycle_id, CAST(r.employee_id AS BIGINT) AS employee_id,
        r.perspective, CAST(r.rater_employee_id AS BIGINT) AS rater_employee_id,
        COALESCE(e.name, r.client_name) AS rater_name, r.status
     FROM review_raters r LEFT JOIN employees e ON e.id = r.rater_employee_id";

#[allow(clippy::too_many_arguments)]
pub async fn add_rater(
    tx: &mut Tx,
    cycle_id: i64,
    employee_id: i64,
    perspective: &str,
    rater_employee_id: Option<i64>,
    status: &str,
    user_id: Option<i64>,
    now: i64,
) -> Result<i64> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO review_raters (cycle_id, employee_id, perspective, rater_employee_id, status,
                                    nominated_by_user_id, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(cycle_id)
    .bind(employee_id)
    .bind(perspective)
    .bind(rater_employee_id)
    .bind(status)
    .bind(user_id)
    .bind(now)
    .fetch_one(tx.conn())
    .await?;
    Ok(id)
}

pub async fn rater(tx: &mut Tx, id: i64) -> Result<Option<RaterRow>> {
    Ok(
        sqlx::query_as(sqlx::AssertSqlSafe(format!("{RATER} WHERE r.id = $1")))
            .bind(id)
            .fetch_optional(tx.conn())
            .await?,
    )
}

/// The raters of a person in a cycle.
pub async fn raters_of(tx: &mut Tx, cycle_id: i64, employee_id: i64) -> Result<Vec<RaterRow>> {
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{RATER} WHERE r.cycle_id = $1 AND r.employee_id = $2 ORDER BY r.perspective, r.id"
    )))
    .bind(cycle_id)
    .bind(employee_id)
    .fetch_all(tx.conn())
    .await?)
}

/// Every rater row of a cycle.
pub async fn raters_in(tx: &mut Tx, cycle_id: i64) -> Result<Vec<RaterRow>> {
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{RATER} WHERE r.cycle_id = $1 ORDER BY r.employee_id, r.perspective, r.id"
    )))
    .bind(cycle_id)
    .fetch_all(tx.conn())
    .await?)
}

/// The raters' row of one rater for one person and perspective.
pub async fn rater_for(
    tx: &mut Tx,
    cycle_id: i64,
    employee_id: i64,
    perspective: &str,
    rater_employee_id: i64,
) -> Result<Option<RaterRow>> {
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{RATER} WHERE r.cycle_id = $1 AND r.employee_id = $2 AND r.perspective = $3
                 AND r.rater_employee_id = $4"
    )))
    .bind(cycle_id)
    .bind(employee_id)
    .bind(perspective)
    .bind(rater_employee_id)
    .fetch_optional(tx.conn())
    .await?)
}

pub async fn set_rater_status(tx: &mut Tx, id: i64, status: &str) -> Result<()> {
    sqlx::query("UPDATE review_raters SET status = $2 WHERE id = $1")
        .bind(id)
        .bind(status)
        .execute(tx.conn())
        .await?;
    Ok(())
}

/// One answer: a competency's rating (or the overall comment), written
/// with its rater only for the named perspectives.
#[allow(clippy::too_many_arguments)]
pub async fn add_answer(
    tx: &mut Tx,
    cycle_id: i64,
    employee_id: i64,
    perspective: &str,
    named_rater: Option<i64>,
    competency_id: Option<i64>,
    rating: Option<i64>,
    comment: &str,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO review_answers (cycle_id, employee_id, perspective, rater_employee_id, competency_id,
                                     rating, comment)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(cycle_id)
    .bind(employee_id)
    .bind(perspective)
    .bind(named_rater)
    .bind(competency_id)
    .bind(rating)
    .bind(comment)
    .execute(tx.conn())
    .await?;
    Ok(())
}

/// A person's answers in a cycle, as groups per perspective and
/// competency: (perspective, competency id, ratings, comments). No rater.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct AnswerGroup {
    pub perspective: String,
    pub competency_id: Option<i64>,
    pub ratings: Vec<i64>,
    pub comments: Vec<String>,
}

pub async fn answers_of(tx: &mut Tx, cycle_id: i64, employee_id: i64) -> Result<Vec<AnswerGroup>> {
    let rows: Vec<(String, Option<i64>, Option<i64>, String)> = sqlx::query_as(
        "SELECT perspective, CAST(competency_id AS BIGINT), CAST(rating AS BIGINT), comment
         FROM review_answers WHERE cycle_id = $1 AND employee_id = $2
         ORDER BY perspective, competency_id, comment",
    )
    .bind(cycle_id)
    .bind(employee_id)
    .fetch_all(tx.conn())
    .await?;
    let mut out: Vec<AnswerGroup> = Vec::new();
    for (perspective, competency_id, rating, comment) in rows {
        let i = match out
            .iter()
            .position(|g| g.perspective == perspective && g.competency_id == competency_id)
        {
            Some(i) => i,
            None => {
                out.push(AnswerGroup {
                    perspective,
                    competency_id,
                    ..AnswerGroup::default()
                });
                out.len() - 1
            }
        };
        if let Some(r) = rating {
            out[i].ratings.push(r);
        }
        if !comment.trim().is_empty() {
            out[i].comments.push(comment);
        }
    }
    Ok(out)
}

/// Names a client to rate a person: a rater without an account.
pub async fn add_client_rater(
    tx: &mut Tx,
    cycle_id: i64,
    employee_id: i64,
    name: &str,
    email: &str,
    user_id: Option<i64>,
    now: i64,
) -> Result<i64> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO review_raters (cycle_id, employee_id, perspective, client_name, client_email, status,
                                    nominated_by_user_id, created_at)
         VALUES ($1, $2, 'client', $3, $4, 'approved', $5, $6) RETURNING id",
    )
    .bind(cycle_id)
    .bind(employee_id)
    .bind(name)
    .bind(email)
    .bind(user_id)
    .bind(now)
    .fetch_one(tx.conn())
    .await?;
    Ok(id)
}

/// The e-mail a client rater was asked at.
pub async fn client_email(tx: &mut Tx, rater_id: i64) -> Result<Option<String>> {
    let row: Option<(Option<String>,)> =
        sqlx::query_as("SELECT client_email FROM review_raters WHERE id = $1")
            .bind(rater_id)
            .fetch_optional(tx.conn())
            .await?;
    Ok(row.and_then(|r| r.0))
}

pub async fn insert_link(
    tx: &mut Tx,
    rater_id: i64,
    token_hash: &str,
    expires_at: i64,
    now: i64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO review_links (rater_id, token_hash, expires_at, used, created_at)
         VALUES ($1, $2, $3, 0, $4)",
    )
    .bind(rater_id)
    .bind(token_hash)
    .bind(expires_at)
    .bind(now)
    .execute(tx.conn())
    .await?;
    Ok(())
}

/// A client's link with the assessment it opens.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct LinkRow {
    pub id: i64,
    pub rater_id: i64,
    pub expires_at: i64,
    pub used: i64,
    pub cycle_id: i64,
    pub employee_id: i64,
}

pub async fn link_by_hash(tx: &mut Tx, token_hash: &str) -> Result<Option<LinkRow>> {
    Ok(sqlx::query_as(
        "SELECT l.id, CAST(l.rater_id AS BIGINT) AS rater_id, l.expires_at, l.used,
                CAST(r.cycle_id AS BIGINT) AS cycle_id, CAST(r.employee_id AS BIGINT) AS employee_id
         FROM review_links l JOIN review_raters r ON r.id = l.rater_id WHERE l.token_hash = $1",
    )
    .bind(token_hash)
    .fetch_optional(tx.conn())
    .await?)
}

/// Spends a link; false when it was spent already (by a request that got
/// there first).
pub async fn spend_link(tx: &mut Tx, id: i64) -> Result<bool> {
    let done = sqlx::query("UPDATE review_links SET used = 1 WHERE id = $1 AND used = 0")
        .bind(id)
        .execute(tx.conn())
        .await?;
    Ok(done.rows_affected() == 1)
}

/// A new formula for a cycle, one version on.
pub async fn set_formula(tx: &mut Tx, cycle_id: i64, formula: &str, now: i64) -> Result<()> {
    sqlx::query(
        "UPDATE review_cycles SET formula = $2, formula_version = formula_version + 1, updated_at = $3
         WHERE id = $1",
    )
    .bind(cycle_id)
    .bind(formula)
    .bind(now)
    .execute(tx.conn())
    .await?;
    Ok(())
}

pub async fn set_previous_cycle(tx: &mut Tx, cycle_id: i64, previous: i64) -> Result<()> {
    sqlx::query("UPDATE review_cycles SET previous_cycle_id = $2 WHERE id = $1")
        .bind(cycle_id)
        .bind(previous)
        .execute(tx.conn())
        .await?;
    Ok(())
}

/// The cycle made from this one by its recurrence, if any.
pub async fn next_cycle(tx: &mut Tx, cycle_id: i64) -> Result<Option<i64>> {
    let row: Option<(i64,)> =
        sqlx::query_as("SELECT id FROM review_cycles WHERE previous_cycle_id = $1")
            .bind(cycle_id)
            .fetch_optional(tx.conn())
            .await?;
    Ok(row.map(|r| r.0))
}

/// A calibration move: (employee, delta, reason).
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct AdjustmentRow {
    pub employee_id: i64,
    pub delta: f64,
    pub reason: String,
    pub at: i64,
}

pub async fn adjustments(tx: &mut Tx, cycle_id: i64) -> Result<Vec<AdjustmentRow>> {
    Ok(sqlx::query_as(
        "SELECT CAST(employee_id AS BIGINT) AS employee_id, delta, reason, at
         FROM review_adjustments WHERE cycle_id = $1 ORDER BY employee_id",
    )
    .bind(cycle_id)
    .fetch_all(tx.conn())
    .await?)
}

pub async fn set_adjustment(
    tx: &mut Tx,
    cycle_id: i64,
    employee_id: i64,
    delta: f64,
    reason: &str,
    user_id: Option<i64>,
    now: i64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO review_adjustments (cycle_id, employee_id, delta, reason, by_user_id, at)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (cycle_id, employee_id) DO UPDATE
         SET delta = excluded.delta, reason = excluded.reason, by_user_id = excluded.by_user_id, at = excluded.at",
    )
    .bind(cycle_id)
    .bind(employee_id)
    .bind(delta)
    .bind(reason)
    .bind(user_id)
    .bind(now)
    .execute(tx.conn())
    .await?;
    Ok(())
}

/// The managers' potential ratings of a cycle: (employee, rating).
pub async fn potentials(tx: &mut Tx, cycle_id: i64) -> Result<Vec<(i64, i64)>> {
    Ok(sqlx::query_as(
        "SELECT CAST(employee_id AS BIGINT), CAST(rating AS BIGINT) FROM review_potential
         WHERE cycle_id = $1 ORDER BY employee_id",
    )
    .bind(cycle_id)
    .fetch_all(tx.conn())
    .await?)
}

pub async fn set_potential(
    tx: &mut Tx,
    cycle_id: i64,
    employee_id: i64,
    rating: i64,
    user_id: Option<i64>,
    now: i64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO review_potential (cycle_id, employee_id, rating, by_user_id, at)
         VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (cycle_id, employee_id) DO UPDATE
         SET rating = excluded.rating, by_user_id = excluded.by_user_id, at = excluded.at",
    )
    .bind(cycle_id)
    .bind(employee_id)
    .bind(rating)
    .bind(user_id)
    .bind(now)
    .execute(tx.conn())
    .await?;
    Ok(())
}

/// The person's acknowledgement of their results: (comment, when).
pub async fn acknowledgement(
    tx: &mut Tx,
    cycle_id: i64,
    employee_id: i64,
) -> Result<Option<(String, i64)>> {
    Ok(sqlx::query_as(
        "SELECT comment, at FROM review_acknowledgements WHERE cycle_id = $1 AND employee_id = $2",
    )
    .bind(cycle_id)
    .bind(employee_id)
    .fetch_optional(tx.conn())
    .await?)
}

pub async fn acknowledge(
    tx: &mut Tx,
    cycle_id: i64,
    employee_id: i64,
    comment: &str,
    now: i64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO review_acknowledgements (cycle_id, employee_id, comment, at) VALUES ($1, $2, $3, $4)",
    )
    .bind(cycle_id)
    .bind(employee_id)
    .bind(comment)
    .bind(now)
    .execute(tx.conn())
    .await?;
    Ok(())
}

/// Notes a reminder as sent; false when it was sent before.
pub async fn remind_once(
    tx: &mut Tx,
    cycle_id: i64,
    phase: &str,
    employee_id: i64,
    now: i64,
) -> Result<bool> {
    let done = sqlx::query(
        "INSERT INTO review_reminders (cycle_id, phase, employee_id, at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (cycle_id, phase, employee_id) DO NOTHING",
    )
    .bind(cycle_id)
    .bind(phase)
    .bind(employee_id)
    .bind(now)
    .execute(tx.conn())
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The named ratings of a cycle (self and manager): (perspective, rater,
/// ratee, competency, rating). Anonymous answers have no rater to give.
pub async fn named_ratings(
    tx: &mut Tx,
    cycle_id: i64,
) -> Result<Vec<(String, i64, i64, i64, i64)>> {
    Ok(sqlx::query_as(
        "SELECT perspective, CAST(rater_employee_id AS BIGINT), CAST(employee_id AS BIGINT),
                CAST(competency_id AS BIGINT), CAST(rating AS BIGINT)
         FROM review_answers
         WHERE cycle_id = $1 AND rater_employee_id IS NOT NULL AND rating IS NOT NULL
         ORDER BY employee_id, perspective, rater_employee_id, competency_id",
    )
    .bind(cycle_id)
    .fetch_all(tx.conn())
    .await?)
}

/// The cycles a person took part in, earliest period first.
pub async fn cycles_of(tx: &mut Tx, employee_id: i64) -> Result<Vec<CycleRow>> {
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{CYCLE} WHERE id IN (SELECT cycle_id FROM review_participants WHERE employee_id = $1)
         ORDER BY period_from, id"
    )))
    .bind(employee_id)
    .fetch_all(tx.conn())
    .await?)
}

/// Per-position weights of the competencies: (competency code, position, weight).
pub async fn competency_weights(tx: &mut Tx) -> Result<Vec<(String, String, f64)>> {
    Ok(sqlx::query_as(
        "SELECT c.code, w.position, w.weight FROM competency_weights w
         JOIN competencies c ON c.id = w.competency_id ORDER BY c.position, w.position",
    )
    .fetch_all(tx.conn())
    .await?)
}

pub async fn set_competency_weight(
    tx: &mut Tx,
    competency_id: i64,
    position: &str,
    weight: f64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO competency_weights (competency_id, position, weight) VALUES ($1, $2, $3)
         ON CONFLICT (competency_id, position) DO UPDATE SET weight = excluded.weight",
    )
    .bind(competency_id)
    .bind(position)
    .bind(weight)
    .execute(tx.conn())
    .await?;
    Ok(())
}

/// Rewrites a competency's names and level descriptors.
pub async fn update_competency(tx: &mut Tx, id: i64, c: &NewCompetency<'_>) -> Result<()> {
    sqlx::query(
        "UPDATE competencies SET name_en = $2, name_ru = $3, levels_en = $4, levels_ru = $5 WHERE id = $1",
    )
    .bind(id)
    .bind(c.name_en)
    .bind(c.name_ru)
    .bind(c.levels_en)
    .bind(c.levels_ru)
    .execute(tx.conn())
    .await?;
    Ok(())
}

/// Takes a competency out of new cycles (cycles that have it keep it).
pub async fn retire_competency(tx: &mut Tx, id: i64) -> Result<()> {
    sqlx::query("UPDATE competencies SET active = 0 WHERE id = $1")
        .bind(id)
        .execute(tx.conn())
        .await?;
    Ok(())
}

/// Counts one anonymous answer for a cycle on a day (the audit log keeps
/// no entry per anonymous answer).
pub async fn count_anonymous_answer(tx: &mut Tx, cycle_id: i64, day: &str) -> Result<()> {
    sqlx::query(
        "INSERT INTO review_answer_counts (cycle_id, day, answers) VALUES ($1, $2, 1)
         ON CONFLICT (cycle_id, day) DO UPDATE SET answers = review_answer_counts.answers + 1",
    )
    .bind(cycle_id)
    .bind(day)
    .execute(tx.conn())
    .await?;
    Ok(())
}

/// A cycle's anonymous answers per day: (day, answers), oldest first.
pub async fn anonymous_answers_by_day(tx: &mut Tx, cycle_id: i64) -> Result<Vec<(String, i64)>> {
    Ok(sqlx::query_as(
        "SELECT day, answers FROM review_answer_counts WHERE cycle_id = $1 ORDER BY day",
    )
    .bind(cycle_id)
    .fetch_all(tx.conn())
    .await?)
}
