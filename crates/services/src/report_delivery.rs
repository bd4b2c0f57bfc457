//! Presenting a report to others: read-only share links with an expiry
//! (revocable) for people without an account, and schedules that mail the
//! report's PDF every day, week or month. Both show the report as its
//! creator would see it; a share link leaves people out.

use mkpi_domain::period::Day;
use mkpi_domain::role::Role;
use mkpi_store::reports::{self as store};
pub use mkpi_store::reports::{ScheduleRow, ShareRow};
use mkpi_store::{outbox, users};
use serde_json::json;

use crate::audit::{self, Change};
use crate::auth::Actor;
use crate::report::Definition;
use crate::review_links::email_ok;
use crate::secrets::{hash_secret, random_hex};
use crate::{Error, FieldProblem, Result, Services};

/// The longest a share link may live, in days.
pub const MAX_SHARE_DAYS: i64 = 90;
/// The most recipients a schedule may have.
pub const MAX_RECIPIENTS: usize = 20;
/// The hour (UTC) scheduled reports go out.
pub const SEND_HOUR: i64 = 7;

/// The path a share link opens.
pub fn share_path(token: &str) -> String {
    format!("/s/{token}")
}

/// A share link just made: the token is shown once.
#[derive(Debug, Clone, PartialEq)]
pub struct NewShare {
    pub share: ShareRow,
    pub path: String,
}

/// What a share link opens: the definition and whom to read it as.
#[derive(Debug, Clone)]
pub struct SharedReport {
    pub definition: Definition,
    pub share: ShareRow,
    pub reader: Actor,
}

/// A scheduled run due: the definition, whom to read it as and where to
/// send it.
#[derive(Debug, Clone)]
pub struct DueRun {
    pub schedule: ScheduleRow,
    pub definition: Definition,
    pub reader: Actor,
    pub recipients: Vec<String>,
}

/// A report's file for the mail.
pub struct ReportMail<'a> {
    pub subject: &'a str,
    pub body: &'a str,
    pub file_name: &'a str,
    pub content_type: &'a str,
    pub bytes: &'a [u8],
}

fn may_present(actor: &Actor) -> Result<()> {
    if matches!(actor.role, Role::Admin | Role::Head | Role::Manager) {
        Ok(())
    } else {
        Err(Error::Forbidden)
    }
}

/// Whether the actor may change what `owner` made: its owner, the head, an
/// admin.
fn owns(actor: &Actor, owner: i64) -> bool {
    actor.user_id == owner || matches!(actor.role, Role::Admin | Role::Head)
}

/// The first send time after `now`: tomorrow at 07:00 UTC, next Monday,
/// or the first of next month.
pub fn next_run(frequency: &str, now: i64) -> Option<i64> {
    let today = Day::from_unix_seconds(now);
    let at = |d: Day| d.unix_seconds() + SEND_HOUR * 3600;
    match frequency {
        "daily" => {
            let t = at(today);
            Some(if t > now { t } else { at(today.plus_days(1)) })
        }
        "weekly" => {
            // 1970-01-01 was a Thursday: days since a Monday.
            let since_monday = (today.unix_seconds() / 86_400 + 3).rem_euclid(7);
            let monday = today.plus_days(-since_monday);
            let t = at(monday);
            Some(if t > now { t } else { at(monday.plus_days(7)) })
        }
        "monthly" => {
            let first = today.first_of_month();
            let t = at(first);
            Some(if t > now { t } else { at(first.plus_months(1)) })
        }
        _ => None,
    }
}

impl Services {
    async fn definition_row(&self, id: i64) -> Result<Definition> {
        let mut tx = self.store.read().await?;
        store::by_id(&mut tx, id)
            .await?
            .map(Definition::from)
            .ok_or(Error::NotFound)
    }

    /// The actor a link or schedule reads the report as: its creator, while
    /// their account is active.
    async fn reader(&self, user_id: i64) -> Result<Option<Actor>> {
        let mut tx = self.store.read().await?;
        let user = match users::get(&mut tx, user_id).await {
            Ok(u) => Some(u),
            Err(mkpi_store::StoreError::NotFound) => None,
            Err(e) => return Err(e.into()),
        };
        crate::auth::acting_as(&mut tx, user).await
    }

    /// Why a report of this scope would carry a person's figures to anyone
    /// with a link: a person, or a team of fewer than three people (whose
    /// figures read as each one's). `None` when it would not.
    async fn personal_scope(&self, scope: &str) -> Result<Option<String>> {
        if scope.starts_with("employee:") {
            return Ok(Some(
                "a share link never carries a person's figures, and this report is about one person"
                    .into(),
            ));
        }
        if let Some(id) = scope
            .strip_prefix("team:")
            .and_then(|t| t.parse::<i64>().ok())
        {
            let mut tx = self.store.read().await?;
            let tree = mkpi_domain::TeamTree::new(mkpi_store::teams::nodes(&mut tx).await?);
            let subtree: Vec<i64> = tree.subtree(id).into_iter().collect();
            let people = mkpi_store::employees::ids_in_teams(&mut tx, &subtree).await?;
            if people.len() < 3 {
                return Ok(Some(format!(
                    "a share link never carries a person's figures, and this team has {} people",
                    people.len()
                )));
            }
        }
        Ok(None)
    }

    /// Makes a read-only link to a report that works for `days` days.
    pub async fn create_report_share(
        &self,
        actor: &Actor,
        definition_id: i64,
        days: i64,
    ) -> Result<NewShare> {
        may_present(actor)?;
        if !(1..=MAX_SHARE_DAYS).contains(&days) {
            return Err(Error::invalid(
                "days",
                format!("a link lives from 1 to {MAX_SHARE_DAYS} days"),
            ));
        }
        let definition = self.definition_row(definition_id).await?;
        if let Some(why) = self.personal_scope(&definition.scope).await? {
            return Err(Error::invalid("definition", why));
        }
        let token = random_hex(24)?;
        let now = self.clock.now();
        let expires_at = now + days * 86_400;
        let mut tx = self.store.begin().await?;
        let id = store::insert_share(
            &mut tx,
            definition.id,
            &hash_secret(&token),
            actor.user_id,
            now,
            expires_at,
        )
        .await?;
        audit::record(
            &mut tx,
            now,
            &actor.author(),
            Change {
                action: "create",
                entity: "report_share",
                entity_id: Some(id),
                before: None,
                after: Some(json!({"definition": definition.name, "expires_at": expires_at})),
            },
        )
        .await?;
        let share = store::share(&mut tx, id).await?.ok_or(Error::NotFound)?;
        tx.commit().await?;
        Ok(NewShare {
            share,
            path: share_path(&token),
        })
    }

    /// A definition's share links (the creator's own; all of them for the
    /// head and admins).
    pub async fn report_shares(&self, actor: &Actor, definition_id: i64) -> Result<Vec<ShareRow>> {
        may_present(actor)?;
        let mut tx = self.store.read().await?;
        Ok(store::shares(&mut tx, definition_id)
            .await?
            .into_iter()
            .filter(|s| owns(actor, s.created_by_user_id))
            .collect())
    }

    /// One share link the caller may manage.
    pub async fn report_share(&self, actor: &Actor, share_id: i64) -> Result<ShareRow> {
        may_present(actor)?;
        let mut tx = self.store.read().await?;
        store::share(&mut tx, share_id)
            .await?
            .filter(|s| owns(actor, s.created_by_user_id))
            .ok_or(Error::NotFound)
    }

    /// One schedule the caller may manage.
    pub async fn report_schedule(&self, actor: &Actor, schedule_id: i64) -> Result<ScheduleRow> {
        may_present(actor)?;
        let mut tx = self.store.read().await?;
        store::schedule(&mut tx, schedule_id)
            .await?
            .filter(|s| owns(actor, s.created_by_user_id))
            .ok_or(Error::NotFound)
    }

    /// Ends a share link at once.
    pub async fn revoke_report_share(&self, actor: &Actor, share_id: i64) -> Result<()> {
        may_present(actor)?;
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let share = store::share(&mut tx, share_id)
            .await?
            .filter(|s| owns(actor, s.created_by_user_id))
            .ok_or(Error::NotFound)?;
        store::revoke_share(&mut tx, share.id, now).await?;
        audit::record(
            &mut tx,
            now,
            &actor.author(),
            Change {
                action: "revoke",
                entity: "report_share",
                entity_id: Some(share.id),
                before: None,
                after: None,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// What a share link opens. A token never given is not found; a revoked
    /// or expired link, or one whose creator left, is gone.
    pub async fn open_report_share(&self, token: &str) -> Result<SharedReport> {
        if token.len() != 48 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(Error::NotFound);
        }
        let mut tx = self.store.read().await?;
        let share = store::share_by_hash(&mut tx, &hash_secret(token))
            .await?
            .ok_or(Error::NotFound)?;
        drop(tx);
        if share.revoked_at.is_some() {
            return Err(Error::Gone(
                "this link was revoked by the one who shared it".into(),
            ));
        }
        if share.expires_at <= self.clock.now() {
            return Err(Error::Gone("this link has expired".into()));
        }
        let reader = self
            .reader(share.created_by_user_id)
            .await?
            .ok_or_else(|| {
                Error::Gone("the one who shared this link no longer has an account".into())
            })?;
        let definition = self.definition_row(share.definition_id).await?;
        // A definition changed since to one person's figures opens no more.
        if let Some(why) = self.personal_scope(&definition.scope).await? {
            return Err(Error::Gone(why));
        }
        Ok(SharedReport {
            definition,
            share,
            reader,
        })
    }

    /// Mails a report's PDF to `recipients` every day, week or month.
    pub async fn create_report_schedule(
        &self,
        actor: &Actor,
        definition_id: i64,
        frequency: &str,
        recipients: &[String],
    ) -> Result<ScheduleRow> {
        may_present(actor)?;
        let definition = self.definition_row(definition_id).await?;
        let now = self.clock.now();
        let mut problems = Vec::new();
        let next = next_run(frequency.trim(), now);
        if next.is_none() {
            problems.push(FieldProblem::new(
                "frequency",
                format!(
                    "'{}' is not a frequency; use daily, weekly or monthly",
                    frequency.chars().take(20).collect::<String>()
                ),
            ));
        }
        let recipients: Vec<String> = recipients
            .iter()
            .map(|r| r.trim().to_string())
            .filter(|r| !r.is_empty())
            .collect();
        if recipients.is_empty() || recipients.len() > MAX_RECIPIENTS {
            problems.push(FieldProblem::new(
                "recipients",
                format!("give 1 to {MAX_RECIPIENTS} e-mail addresses"),
            ));
        }
        for r in &recipients {
            if !email_ok(r) {
                problems.push(FieldProblem::new(
                    "recipients",
                    format!(
                        "'{}' is not an e-mail address",
                        r.chars().take(60).collect::<String>()
                    ),
                ));
            }
        }
        if self.mailer.is_none() {
            problems.push(FieldProblem::new(
                "frequency",
                "mail is not set up on this server (--smtp-url), so nothing could be sent",
            ));
        }
        let Some(next) = next.filter(|_| problems.is_empty()) else {
            return Err(Error::Invalid(problems));
        };
        let list = serde_json::to_string(&recipients).unwrap_or_else(|_| "[]".into());
        let mut tx = self.store.begin().await?;
        let id = store::insert_schedule(
            &mut tx,
            definition.id,
            frequency.trim(),
            &list,
            actor.user_id,
            now,
            next,
        )
        .await?;
        audit::record(
            &mut tx,
            now,
            &actor.author(),
            Change {
                action: "create",
                entity: "report_schedule",
                entity_id: Some(id),
                before: None,
                after: Some(
                    json!({"definition": definition.name, "frequency": frequency.trim(),
                    "recipients": recipients}),
                ),
            },
        )
        .await?;
        let row = store::schedule(&mut tx, id).await?.ok_or(Error::NotFound)?;
        tx.commit().await?;
        Ok(row)
    }

    /// A definition's schedules (the creator's own; all for the head and
    /// admins).
    pub async fn report_schedules(
        &self,
        actor: &Actor,
        definition_id: i64,
    ) -> Result<Vec<ScheduleRow>> {
        may_present(actor)?;
        let mut tx = self.store.read().await?;
        Ok(store::schedules(&mut tx, definition_id)
            .await?
            .into_iter()
            .filter(|s| owns(actor, s.created_by_user_id))
            .collect())
    }

    /// Stops a schedule.
    pub async fn stop_report_schedule(&self, actor: &Actor, schedule_id: i64) -> Result<()> {
        may_present(actor)?;
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let s = store::schedule(&mut tx, schedule_id)
            .await?
            .filter(|s| owns(actor, s.created_by_user_id))
            .ok_or(Error::NotFound)?;
        store::stop_schedule(&mut tx, s.id).await?;
        audit::record(
            &mut tx,
            now,
            &actor.author(),
            Change {
                action: "stop",
                entity: "report_schedule",
                entity_id: Some(s.id),
                before: None,
                after: None,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Schedules whose time has come, with whom to read each as. A schedule
    /// whose creator left is stopped.
    pub async fn due_report_runs(&self) -> Result<Vec<DueRun>> {
        let now = self.clock.now();
        let mut tx = self.store.read().await?;
        let due = store::due_schedules(&mut tx, now).await?;
        drop(tx);
        let mut out = Vec::new();
        for schedule in due {
            let Some(reader) = self.reader(schedule.created_by_user_id).await? else {
                let mut tx = self.store.begin().await?;
                store::stop_schedule(&mut tx, schedule.id).await?;
                tx.commit().await?;
                continue;
            };
            let definition = self.definition_row(schedule.definition_id).await?;
            let recipients = serde_json::from_str(&schedule.recipients).unwrap_or_default();
            out.push(DueRun {
                schedule,
                definition,
                reader,
                recipients,
            });
        }
        Ok(out)
    }

    /// Who a run's recipients read the report as: an address of a person
    /// with an active account reads it as that account would (their role's
    /// sections, their scope); every other address gets what a share link
    /// shows — no people, no evaluation. Returns (people with their view,
    /// the other addresses).
    pub async fn report_recipients(
        &self,
        run: &DueRun,
    ) -> Result<(Vec<(String, Actor)>, Vec<String>)> {
        let mut insiders = Vec::new();
        let mut outsiders = Vec::new();
        let mut tx = self.store.read().await?;
        for to in &run.recipients {
            let account =
                match mkpi_store::employees::find_by_email(&mut tx, &to.to_lowercase()).await? {
                    Some(e) if e.active => users::of_employee(&mut tx, e.id).await?,
                    _ => None,
                };
            match crate::auth::acting_as(&mut tx, account).await? {
                Some(actor) => insiders.push((to.clone(), actor)),
                None => outsiders.push(to.clone()),
            }
        }
        Ok((insiders, outsiders))
    }

    /// Queues a due run's mail to every recipient and moves the schedule on,
    /// in one transaction: false (and nothing queued) when another server
    /// sent this run already.
    pub async fn send_report_run(&self, run: &DueRun, mail: &ReportMail<'_>) -> Result<bool> {
        self.send_report_runs(run, &[(run.recipients.as_slice(), mail)])
            .await
    }

    /// [`Services::send_report_run`] with a mail of its own for each group
    /// of recipients (each reads the report as [`Services::report_recipients`] says).
    pub async fn send_report_runs(
        &self,
        run: &DueRun,
        parts: &[(&[String], &ReportMail<'_>)],
    ) -> Result<bool> {
        use base64::Engine;
        let now = self.clock.now();
        let next = next_run(&run.schedule.frequency, now.max(run.schedule.next_run_at))
            .ok_or_else(|| Error::Internal("a schedule with no frequency".into()))?;
        let mut tx = self.store.begin().await?;
        if !store::claim_schedule(
            &mut tx,
            run.schedule.id,
            run.schedule.next_run_at,
            now,
            next,
        )
        .await?
        {
            return Ok(false);
        }
        for (recipients, mail) in parts {
            let encoded = base64::engine::general_purpose::STANDARD.encode(mail.bytes);
            for to in recipients.iter() {
                outbox::enqueue_with(
                    &mut tx,
                    to,
                    mail.subject,
                    mail.body,
                    &outbox::Attachment {
                        name: mail.file_name,
                        content_type: mail.content_type,
                        base64: &encoded,
                    },
                    now,
                )
                .await?;
            }
        }
        audit::record(
            &mut tx,
            now,
            &crate::audit::Author::system("report schedule"),
            Change {
                action: "send",
                entity: "report_schedule",
                entity_id: Some(run.schedule.id),
                before: None,
                after: Some(json!({"recipients": run.recipients.len(), "next_run_at": next})),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_go_out_at_seven_on_the_next_day_monday_or_first() {
        // 2026-11-30 is a Monday.
        let monday = Day::parse("2026-11-30").unwrap().unix_seconds();
        let day = |s: &str| Day::parse(s).unwrap().unix_seconds() + 7 * 3600;
        assert_eq!(next_run("daily", monday + 3600), Some(day("2026-11-30")));
        assert_eq!(
            next_run("daily", monday + 8 * 3600),
            Some(day("2026-12-01"))
        );
        assert_eq!(next_run("weekly", monday + 3600), Some(day("2026-11-30")));
        assert_eq!(
            next_run("weekly", monday + 8 * 3600),
            Some(day("2026-12-07"))
        );
        let friday = Day::parse("2026-12-04").unwrap().unix_seconds();
        assert_eq!(next_run("weekly", friday), Some(day("2026-12-07")));
        assert_eq!(next_run("monthly", monday), Some(day("2026-12-01")));
        assert_eq!(next_run("hourly", monday), None);
    }
}
