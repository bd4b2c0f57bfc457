//! Clients' assessments: a manager names a client (someone without an
//! account) for a person; the client gets a single-use link by e-mail that
//! expires at the end of the assessment deadline. The link opens that one
//! form and nothing else; a second use or an expired one answers "gone".
//! Only the token's hash is stored; client answers are anonymous like
//! peers'.

use mkpi_domain::Locale;
use mkpi_domain::period::Day;
use mkpi_domain::review::Perspective;
use mkpi_store::reviews::{self as store, CompetencyRow, CycleRow, LinkRow, RaterRow};
use mkpi_store::{Tx, employees, outbox};
use serde_json::json;

use crate::audit::{self, Change};
use crate::reviews::{RatingInput, check_answers, manages, write_answers};
use crate::secrets::{hash_secret, random_hex};
use crate::{Actor, Error, FieldProblem, Result, Services};

/// The most clients one person may be rated by in a cycle.
pub const MAX_CLIENTS: usize = 20;

/// The path a client's link opens.
pub fn link_path(token: &str) -> String {
    format!("/r/{token}")
}

/// A client invited: the link is shown once, to the one who invited.
#[derive(Debug, Clone, PartialEq)]
pub struct ClientLink {
    pub rater: RaterRow,
    /// The last day the link works.
    pub last_day: String,
    /// Where the link was mailed: to the client only, never shown to the
    /// inviter (who can read the results, and so must not hold a rater's
    /// link).
    pub mailed_to: String,
}

/// What a client's link opens.
#[derive(Debug, Clone, PartialEq)]
pub struct ClientForm {
    pub cycle: CycleRow,
    pub person_name: String,
    pub competencies: Vec<CompetencyRow>,
    pub last_day: String,
}

/// Whether an address looks like one a message can go to.
pub(crate) fn email_ok(email: &str) -> bool {
    let Some((local, domain)) = email.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !email.contains(char::is_whitespace)
        && !domain.contains('@')
        && email.len() <= 254
}

fn invitation_text(
    locale: Locale,
    person: &str,
    cycle: &str,
    url: &str,
    last_day: &str,
) -> (String, String) {
    match locale {
        Locale::Ru => (
            format!("Оцените работу: {person}"),
            format!(
                "Здравствуйте!\n\nМы просим вас оценить работу сотрудника {person} ({cycle}). \
                 Это займёт несколько минут; ответы анонимны и показываются только вместе с \
                 ответами других клиентов.\n\n{url}\n\nСсылка действует до {last_day} включительно \
                 и открывается один раз.\n"
            ),
        ),
        Locale::En => (
            format!("Your feedback on {person}"),
            format!(
                "Hello,\n\nWe would value your view of {person}'s work ({cycle}). It takes a few \
                 minutes; answers are anonymous and shown only together with other clients'.\n\n\
                 {url}\n\nThe link works until {last_day} and once only.\n"
            ),
        ),
    }
}

impl Services {
    /// Invites a client to rate a person (their managers, the head,
    /// admins) while the cycle is open and before its assessment deadline.
    pub async fn invite_client(
        &self,
        actor: &Actor,
        cycle_id: i64,
        employee_id: i64,
        name: &str,
        email: &str,
    ) -> Result<ClientLink> {
        let now = self.clock.now();
        let today = Day::from_unix_seconds(now);
        let mut tx = self.store.begin().await?;
        let person = employees::get(&mut tx, &actor.scope, employee_id)
            .await
            .map_err(|_| Error::NotFound)?;
        let cycle = self.cycle_of(&mut tx, cycle_id, employee_id).await?;
        if !manages(actor, employee_id, person.team_id) {
            return Err(Error::Forbidden);
        }
        // The link goes to the client alone: without mail there is no way
        // to hand it over that keeps it from the inviter.
        let Some(mailer) = self.mailer.clone() else {
            return Err(Error::Conflict(
                "clients are invited by e-mail, and mail is not set up on this server: an admin sets --smtp-url and --public-url".into(),
            ));
        };
        let mut problems = Vec::new();
        let due = Day::parse(&cycle.assessment_due).map_err(|e| Error::Internal(e.to_string()))?;
        if cycle.status != "open" {
            problems.push(FieldProblem::new(
                "cycle",
                format!(
                    "the cycle is {}; clients are invited while it is open",
                    cycle.status
                ),
            ));
        } else if today > due {
            problems.push(FieldProblem::new(
                "cycle",
                format!("the assessments were due on {due}; a link now would be dead on arrival"),
            ));
        }
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 200 {
            problems.push(FieldProblem::new(
                "client_name",
                "give the client's name (at most 200 characters)",
            ));
        }
        let email = email.trim();
        if !email_ok(email) {
            problems.push(FieldProblem::new(
                "client_email",
                format!("'{email}' is not an e-mail address"),
            ));
        }
        let raters = store::raters_of(&mut tx, cycle_id, employee_id).await?;
        let clients: Vec<&RaterRow> = raters
            .iter()
            .filter(|r| r.perspective == "client")
            .collect();
        if clients.len() >= MAX_CLIENTS {
            problems.push(FieldProblem::new(
                "client_email",
                format!("{MAX_CLIENTS} clients are invited already, the most a person takes"),
            ));
        }
        for c in &clients {
            if store::client_email(&mut tx, c.id)
                .await?
                .is_some_and(|e| e.eq_ignore_ascii_case(email))
            {
                problems.push(FieldProblem::new(
                    "client_email",
                    format!("{email} is invited for this person already"),
                ));
            }
        }
        if !problems.is_empty() {
            return Err(Error::Invalid(problems));
        }
        let token = random_hex(24)?;
        let expires_at = due.plus_days(1).unix_seconds();
        let rater_id = store::add_client_rater(
            &mut tx,
            cycle_id,
            employee_id,
            name,
            email,
            actor.author().user_id,
            now,
        )
        .await?;
        store::insert_link(&mut tx, rater_id, &hash_secret(&token), expires_at, now).await?;
        let url = format!("{}{}", mailer.public_url(), link_path(&token));
        let last_day = due.to_string();
        let locale = actor.locale.unwrap_or(Locale::En);
        let (subject, body) = invitation_text(
            locale,
            &person.name,
            &cycle.name,
            &url,
            &locale.format_date(&last_day),
        );
        outbox::enqueue(&mut tx, email, &subject, &body, now).await?;
        audit::record(
            &mut tx,
            now,
            &actor.author(),
            Change {
                action: "create",
                entity: "review_rater",
                entity_id: Some(rater_id),
                before: None,
                // The token never enters the log.
                after: Some(json!({"cycle_id": cycle_id, "employee_id": employee_id,
                    "perspective": "client", "client_name": name, "expires_at": expires_at})),
            },
        )
        .await?;
        let rater = store::rater(&mut tx, rater_id)
            .await?
            .ok_or(Error::NotFound)?;
        tx.commit().await?;
        Ok(ClientLink {
            rater,
            last_day,
            mailed_to: email.to_string(),
        })
    }

    /// The link's assessment, or why it no longer opens.
    async fn open_link(&self, tx: &mut Tx, token: &str) -> Result<(LinkRow, CycleRow)> {
        let token = token.trim();
        if token.len() != 48 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(Error::NotFound);
        }
        let link = store::link_by_hash(tx, &hash_secret(token))
            .await?
            .ok_or(Error::NotFound)?;
        if link.used != 0 {
            return Err(Error::Gone(
                "this link has been used: each link takes one assessment".to_string(),
            ));
        }
        let last_day = Day::from_unix_seconds(link.expires_at - 1);
        if self.clock.now() >= link.expires_at {
            return Err(Error::Gone(format!(
                "this link expired: it worked until {last_day}"
            )));
        }
        let cycle = store::cycle(tx, link.cycle_id)
            .await?
            .ok_or(Error::NotFound)?;
        if cycle.status != "open" {
            return Err(Error::Gone(
                "the assessments of this review are closed".to_string(),
            ));
        }
        Ok((link, cycle))
    }

    /// What a client's link opens (no account needed).
    pub async fn client_form(&self, token: &str) -> Result<ClientForm> {
        let mut tx = self.store.read().await?;
        let (link, cycle) = self.open_link(&mut tx, token).await?;
        let everyone = mkpi_domain::Scope::everyone();
        let person = employees::get(&mut tx, &everyone, link.employee_id).await?;
        let competencies = store::cycle_competencies(&mut tx, cycle.id).await?;
        Ok(ClientForm {
            last_day: Day::from_unix_seconds(link.expires_at - 1).to_string(),
            cycle,
            person_name: person.name,
            competencies,
        })
    }

    /// A client's answers through their link: checked like any
    /// assessment, stored without the client, and the link spent, all in
    /// one transaction.
    pub async fn submit_client_assessment(
        &self,
        token: &str,
        ratings: &[RatingInput],
        comment: &str,
    ) -> Result<()> {
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let (link, cycle) = self.open_link(&mut tx, token).await?;
        let competencies = store::cycle_competencies(&mut tx, cycle.id).await?;
        let mut problems = Vec::new();
        let answers = check_answers(&cycle, &competencies, ratings, comment, &mut problems);
        if !problems.is_empty() {
            return Err(Error::Invalid(problems));
        }
        if !store::spend_link(&mut tx, link.id).await? {
            return Err(Error::Gone(
                "this link has been used: each link takes one assessment".to_string(),
            ));
        }
        write_answers(
            &mut tx,
            cycle.id,
            link.employee_id,
            Perspective::Client,
            None,
            &answers,
            comment,
        )
        .await?;
        store::set_rater_status(&mut tx, link.rater_id, "submitted").await?;
        // No entry of its own in the audit log (its second and subject could
        // be lined up with other entries): a count for the cycle's day.
        store::count_anonymous_answer(&mut tx, cycle.id, &Day::from_unix_seconds(now).to_string())
            .await?;
        tx.commit().await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_addresses_that_can_take_mail_pass() {
        assert!(email_ok("anna@client.example"));
        for bad in [
            "anna",
            "@client.example",
            "anna@client",
            "anna@.example",
            "an na@client.example",
            "a@b@c.example",
        ] {
            assert!(!email_ok(bad), "{bad}");
        }
    }
}
