//! What review cycles do on their own, run hourly by `serve`: reminders by
//! e-mail in the three days before each deadline to the people who still
//! owe something (each reminder once), and the next cycle of a recurring
//! one, opened when the period it evaluates has ended.

use mkpi_domain::Locale;
use mkpi_domain::period::{Day, Period};
use mkpi_store::reviews::{self as store, CycleRow, NewCycle};
use mkpi_store::{alerts, employees, outbox};
use serde_json::json;

use crate::audit::{self, Change};
use crate::{Author, Error, Result, Services};

/// How many days before a deadline its reminder goes.
pub const REMIND_DAYS_BEFORE: i64 = 3;

/// What one round did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Round {
    /// Reminders queued: (cycle, phase, person).
    pub reminders: Vec<(i64, String, i64)>,
    /// Cycles opened by recurrence.
    pub opened: Vec<i64>,
}

/// The months between one cycle and the next.
fn months(recurrence: &str) -> Option<i64> {
    match recurrence {
        "quarterly" => Some(3),
        "half_yearly" => Some(6),
        "yearly" => Some(12),
        _ => None,
    }
}

/// A short label of a period: `2026 Q3`, `2026 H2`, `2026`, or its days.
pub fn period_label(period: Period) -> String {
    let (y, m, d) = period.from.ymd();
    let whole = period.whole_months();
    match (d, whole) {
        (1, Some(3)) if (m - 1) % 3 == 0 => format!("{y} Q{}", (m - 1) / 3 + 1),
        (1, Some(6)) if m == 1 || m == 7 => format!("{y} H{}", if m == 1 { 1 } else { 2 }),
        (1, Some(12)) if m == 1 => format!("{y}"),
        _ => format!("{} – {}", period.from, period.to.plus_days(-1)),
    }
}

fn reminder_text(
    locale: Locale,
    phase: &str,
    cycle: &str,
    due: &str,
    url: &str,
) -> (String, String) {
    let ru = locale == Locale::Ru;
    let what = match (phase, ru) {
        ("self", false) => "your self-assessment",
        ("self", true) => "ваша самооценка",
        ("nomination", false) => "naming the colleagues who will rate you",
        ("nomination", true) => "выбор коллег, которые вас оценят",
        (_, false) => "the assessments you were asked for",
        (_, true) => "оценки, о которых вас попросили",
    };
    if ru {
        (
            format!("Напоминание: {cycle} — срок {due}"),
            format!("До {due} ждём: {what}.\n\n{url}\n"),
        )
    } else {
        (
            format!("Reminder: {cycle} — due {due}"),
            format!("Due by {due}: {what}.\n\n{url}\n"),
        )
    }
}

impl Services {
    /// Sends the reminders that are due and opens the cycles that recur.
    pub async fn review_round(&self) -> Result<Round> {
        let mut round = Round::default();
        let now = self.clock.now();
        let today = Day::from_unix_seconds(now);
        let mut tx = self.store.read().await?;
        let cycles = store::cycles(&mut tx).await?;
        drop(tx);
        for cycle in &cycles {
            if cycle.status == "open" && self.mailer.is_some() {
                self.remind(cycle, today, now, &mut round).await?;
            }
            if let Some(id) = self.recur(cycle, today, now).await? {
                round.opened.push(id);
            }
        }
        Ok(round)
    }

    async fn remind(
        &self,
        cycle: &CycleRow,
        today: Day,
        now: i64,
        round: &mut Round,
    ) -> Result<()> {
        let Some(mailer) = self.mailer.clone() else {
            return Ok(());
        };
        let mut tx = self.store.begin().await?;
        let people = store::participants(&mut tx, cycle.id).await?;
        let raters = store::raters_in(&mut tx, cycle.id).await?;
        let everyone = mkpi_domain::Scope::everyone();
        let all = employees::list(&mut tx, &everyone).await?;
        let submitted = |id: i64, p: &str| {
            raters
                .iter()
                .any(|r| r.employee_id == id && r.perspective == p && r.status == "submitted")
        };
        let mut owed: Vec<(&str, &String, i64)> = Vec::new();
        for (phase, due) in [
            ("self", &cycle.self_due),
            ("nomination", &cycle.nomination_due),
            ("assessment", &cycle.assessment_due),
        ] {
            let Ok(day) = Day::parse(due) else { continue };
            let left = today.days_until(day);
            if !(0..=REMIND_DAYS_BEFORE).contains(&left) {
                continue;
            }
            for id in &people {
                match phase {
                    "self" if !submitted(*id, "self") => owed.push((phase, due, *id)),
                    "nomination" => {
                        let named = raters
                            .iter()
                            .filter(|r| {
                                r.employee_id == *id
                                    && r.perspective == "peer"
                                    && r.status != "declined"
                            })
                            .count() as i64;
                        if named < cycle.min_peers {
                            owed.push((phase, due, *id));
                        }
                    }
                    "assessment" => {
                        let manager = all.iter().find(|e| e.id == *id).and_then(|e| e.manager_id);
                        if let Some(m) = manager
                            && m != *id
                            && !submitted(*id, "manager")
                        {
                            owed.push((phase, due, m));
                        }
                    }
                    _ => {}
                }
            }
            if phase == "assessment" {
                for r in raters
                    .iter()
                    .filter(|r| r.perspective == "peer" && r.status == "approved")
                {
                    if let Some(p) = r.rater_employee_id {
                        owed.push((phase, due, p));
                    }
                }
            }
        }
        owed.sort();
        owed.dedup();
        let ids: Vec<i64> = owed.iter().map(|(_, _, id)| *id).collect();
        let recipients = alerts::recipients(&mut tx, &ids).await?;
        let url = format!("{}/reviews/{}", mailer.public_url(), cycle.id);
        for (phase, due, id) in owed {
            let Some(person) = recipients.iter().find(|r| r.employee_id == id) else {
                continue;
            };
            if !store::remind_once(&mut tx, cycle.id, phase, id, now).await? {
                continue;
            }
            let locale = person
                .locale
                .as_deref()
                .and_then(Locale::from_tag)
                .unwrap_or(Locale::En);
            let (subject, body) =
                reminder_text(locale, phase, &cycle.name, &locale.format_date(due), &url);
            outbox::enqueue(&mut tx, &person.email, &subject, &body, now).await?;
            round.reminders.push((cycle.id, phase.to_string(), id));
        }
        tx.commit().await?;
        Ok(())
    }

    /// Opens the next cycle of a recurring one once the period it will
    /// evaluate has ended: the same people (those still active), scale,
    /// threshold, peers and formula, every deadline as many months on.
    async fn recur(&self, cycle: &CycleRow, today: Day, now: i64) -> Result<Option<i64>> {
        let Some(n) = months(&cycle.recurrence) else {
            return Ok(None);
        };
        let shift = |d: &str| -> Result<String> {
            Day::parse(d)
                .map(|d| d.plus_months(n).to_string())
                .map_err(|e| Error::Internal(e.to_string()))
        };
        let from = shift(&cycle.period_from)?;
        let to = shift(&cycle.period_to)?;
        let period = Period::parse(&from, &to).map_err(|e| Error::Internal(e.to_string()))?;
        if today < period.to {
            return Ok(None);
        }
        let mut tx = self.store.begin().await?;
        if store::next_cycle(&mut tx, cycle.id).await?.is_some() {
            return Ok(None);
        }
        let everyone = mkpi_domain::Scope::everyone();
        let active: Vec<i64> = employees::list(&mut tx, &everyone)
            .await?
            .into_iter()
            .filter(|e| e.active)
            .map(|e| e.id)
            .collect();
        let people: Vec<i64> = store::participants(&mut tx, cycle.id)
            .await?
            .into_iter()
            .filter(|id| active.contains(id))
            .collect();
        if people.is_empty() {
            return Ok(None);
        }
        let competency_ids: Vec<i64> = store::cycle_competencies(&mut tx, cycle.id)
            .await?
            .iter()
            .map(|c| c.id)
            .collect();
        let base = cycle
            .name
            .split(" · ")
            .next()
            .unwrap_or(&cycle.name)
            .to_string();
        let name = format!("{base} · {}", period_label(period));
        let (d0, d1, d2, d3) = (
            shift(&cycle.self_due)?,
            shift(&cycle.nomination_due)?,
            shift(&cycle.assessment_due)?,
            shift(&cycle.calibration_due)?,
        );
        let d4 = match &cycle.release_due {
            Some(d) => shift(d)?,
            None => Day::parse(&d3)
                .map(|d| d.plus_days(7).to_string())
                .map_err(|e| Error::Internal(e.to_string()))?,
        };
        let id = store::insert_cycle(
            &mut tx,
            &NewCycle {
                name: &name,
                period_from: &from,
                period_to: &to,
                self_due: &d0,
                nomination_due: &d1,
                assessment_due: &d2,
                calibration_due: &d3,
                release_due: &d4,
                scale_min: cycle.scale_min,
                scale_max: cycle.scale_max,
                anonymity_threshold: cycle.anonymity_threshold,
                min_peers: cycle.min_peers,
                max_peers: cycle.max_peers,
                formula: &cycle.formula,
                recurrence: &cycle.recurrence,
            },
            &people,
            &competency_ids,
            None,
            now,
        )
        .await?;
        store::set_previous_cycle(&mut tx, id, cycle.id).await?;
        audit::record(
            &mut tx,
            now,
            &Author::system("review"),
            Change {
                action: "create",
                entity: "review_cycle",
                entity_id: Some(id),
                before: None,
                after: Some(json!({"name": name, "period_from": from, "period_to": to,
                    "people": people.len(), "previous_cycle_id": cycle.id})),
            },
        )
        .await?;
        tx.commit().await?;
        tracing::info!(
            cycle = id,
            previous = cycle.id,
            "review cycle opened by recurrence"
        );
        Ok(Some(id))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_are_labelled_as_people_say_them() {
        let p = |a: &str, b: &str| period_label(Period::parse(a, b).unwrap());
        assert_eq!(p("2026-07-01", "2026-10-01"), "2026 Q3");
        assert_eq!(p("2026-07-01", "2027-01-01"), "2026 H2");
        assert_eq!(p("2026-01-01", "2027-01-01"), "2026");
        assert_eq!(p("2026-02-01", "2026-05-01"), "2026-02-01 – 2026-04-30");
    }
}
