//! Outgoing e-mail over SMTP (lettre). Messages wait in the outbox table,
//! written with what caused them; [`Services::deliver_mail`] sends what is
//! due, from any server, retrying failures with a growing pause.

use lettre::message::Mailbox;
use lettre::message::header::ContentType;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use mkpi_store::outbox;

use crate::{Error, Result, Services};

/// Where and as whom mkpi sends mail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailSettings {
    /// `smtp://host:port` (plain, or STARTTLS when the server offers it with
    /// `?tls=opportunistic`), `smtp://host?tls=required`, or `smtps://host`
    /// (TLS from the start); user and password may sit in the URL.
    pub smtp_url: String,
    /// The From header, e.g. `mkpi <mkpi@example.com>`.
    pub from: String,
    /// The address people open mkpi at, for links in the messages.
    pub public_url: String,
}

/// A configured SMTP transport.
#[derive(Clone)]
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    public_url: String,
}

impl std::fmt::Debug for Mailer {
    // The URL may hold a password: never print it.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mailer").field("from", &self.from).finish()
    }
}

/// Attempts per message before it is given up (kept, with its last error).
pub const MAX_ATTEMPTS: i64 = 8;

impl Mailer {
    /// Checks the settings; a wrong URL or sender is an error that says which.
    pub fn new(settings: &MailSettings) -> Result<Mailer> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(&settings.smtp_url)
            .map_err(|e| Error::invalid("smtp_url", format!("is not a usable SMTP URL: {e}")))?
            .timeout(Some(std::time::Duration::from_secs(20)))
            .build();
        let from: Mailbox = settings.from.parse().map_err(|e| {
            Error::invalid(
                "mail_from",
                format!("'{}' is not a sender address: {e}", settings.from),
            )
        })?;
        Ok(Mailer {
            transport,
            from,
            public_url: settings.public_url.trim_end_matches('/').to_string(),
        })
    }

    pub fn public_url(&self) -> &str {
        &self.public_url
    }

    async fn send(&self, m: &outbox::OutboxRow) -> std::result::Result<(), String> {
        use lettre::message::{Attachment, MultiPart, SinglePart};
        let to: Mailbox = m
            .to_address
            .parse()
            .map_err(|e| format!("bad recipient {}: {e}", m.to_address))?;
        let builder = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(m.subject.as_str());
        let message = match (&m.attachment_name, &m.attachment_type, &m.attachment) {
            (Some(name), Some(kind), Some(data)) => {
                use base64::Engine;
                let bytes = base64::engine::general_purpose::STANDARD
                    .decode(data)
                    .map_err(|e| format!("the attachment is not base64: {e}"))?;
                let kind = ContentType::parse(kind).map_err(|e| e.to_string())?;
                builder.multipart(
                    MultiPart::mixed()
                        .singlepart(
                            SinglePart::builder()
                                .header(ContentType::TEXT_PLAIN)
                                .body(m.body.clone()),
                        )
                        .singlepart(Attachment::new(name.clone()).body(bytes, kind)),
                )
            }
            // lettre picks the transfer encoding the text needs.
            _ => builder.header(ContentType::TEXT_PLAIN).body(m.body.clone()),
        }
        .map_err(|e| e.to_string())?;
        self.transport
            .send(message)
            .await
            .map(|_| ())
            .map_err(|e| e.to_string())
    }
}

/// What one delivery round did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Delivery {
    pub sent: usize,
    pub failed: usize,
}

impl Services {
    /// Sends the messages that are due. Without a mailer nothing is queued,
    /// so there is nothing to send.
    pub async fn deliver_mail(&self) -> Result<Delivery> {
        let Some(mailer) = self.mailer.clone() else {
            return Ok(Delivery::default());
        };
        let now = self.clock.now();
        let mut tx = self.store.read().await?;
        let due = outbox::due(&mut tx, now, MAX_ATTEMPTS, 100).await?;
        drop(tx);
        let mut done = Delivery::default();
        for m in due {
            // Claimed for five minutes: another server skips it meanwhile.
            let mut tx = self.store.begin().await?;
            let mine = outbox::claim(&mut tx, m.id, now, now + 300).await?;
            tx.commit().await?;
            if !mine {
                continue;
            }
            let result = mailer.send(&m).await;
            let mut tx = self.store.begin().await?;
            match result {
                Ok(()) => {
                    outbox::mark_sent(&mut tx, m.id, self.clock.now()).await?;
                    done.sent += 1;
                }
                Err(e) => {
                    // 1, 2, 4 … minutes between attempts.
                    let pause = 60 * (1_i64 << m.attempts.clamp(0, 10));
                    tracing::warn!(outbox_id = m.id, error = %e, "cannot send mail");
                    outbox::mark_failed(&mut tx, m.id, &e, now + pause).await?;
                    done.failed += 1;
                }
            }
            tx.commit().await?;
        }
        Ok(done)
    }

    /// The latest queued messages (operators, tests).
    pub async fn outbox(&self, limit: i64) -> Result<Vec<outbox::OutboxRow>> {
        let mut tx = self.store.read().await?;
        Ok(outbox::recent(&mut tx, limit).await?)
    }
}
