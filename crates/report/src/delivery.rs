//! Scheduled delivery: each due schedule's report is built for each
//! recipient as they may see it — as their own account would, or as a
//! share link shows it for an address without one — rendered as the PDF
//! document and queued with a short summary in the body. Queuing and moving the
//! schedule on happen in one transaction, so with several servers a run
//! goes out once.

use mkpi_services::Services;
use mkpi_services::report_delivery::ReportMail;

use crate::text::{Arg, Text};
use crate::{Format, build, file_name, pdf};

/// What one round did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Round {
    pub sent: usize,
    pub failed: usize,
}

/// The mail's body: what the report is, the summary's first sentences, and
/// where the rest is.
pub fn body(view: &crate::View) -> String {
    let text = Text::new(&view.language);
    let mut out = format!("{}\n{} · {}\n\n", view.name, view.scope, view.period);
    for s in view.summary.iter().take(6) {
        out.push_str("• ");
        out.push_str(s);
        out.push('\n');
    }
    out.push('\n');
    out.push_str(&text.f(
        "mail-attached",
        vec![("file", Arg::S(file_name(view, Format::Pdf)))],
    ));
    out.push('\n');
    out
}

/// A report rendered for one group of recipients: subject, body, file
/// name and the PDF.
struct Rendered {
    subject: String,
    body: String,
    name: String,
    bytes: Vec<u8>,
}

/// Builds a run's report as `reader` sees it (as a share link would, when
/// `shared`) and renders the PDF.
async fn render_for(
    services: &Services,
    run: &mkpi_services::report_delivery::DueRun,
    reader: &mkpi_services::Actor,
    shared: bool,
) -> Result<Rendered, String> {
    let report = services
        .build_report(reader, &run.definition, &mut |_| {})
        .await
        .map_err(|e| format!("cannot build: {e}"))?;
    let report = if shared {
        report.without_people()
    } else {
        report
    };
    let view = build(&report);
    let bytes = {
        let view = view.clone();
        tokio::task::spawn_blocking(move || pdf::document(&view))
            .await
            .map_err(|e| format!("the renderer stopped: {e}"))?
            .map_err(|e| format!("cannot render: {e}"))?
    };
    Ok(Rendered {
        subject: format!("{} · {}", view.name, view.period),
        body: body(&view),
        name: file_name(&view, Format::Pdf),
        bytes,
    })
}

/// Sends every report whose time has come. A recipient with an account
/// gets the report as that account sees it; anyone else gets what a share
/// link shows (no people, no evaluation).
pub async fn round(services: &Services) -> mkpi_services::Result<Round> {
    let mut done = Round::default();
    for run in services.due_report_runs().await? {
        let (people, others) = services.report_recipients(&run).await?;
        let mut groups: Vec<(Vec<String>, Rendered)> = Vec::new();
        let mut failed = false;
        if !others.is_empty() {
            match render_for(services, &run, &run.reader, true).await {
                Ok(r) => groups.push((others, r)),
                Err(e) => {
                    tracing::warn!(schedule = run.schedule.id, error = %e, "cannot make a scheduled report");
                    failed = true;
                }
            }
        }
        for (to, reader) in people {
            match render_for(services, &run, &reader, false).await {
                Ok(r) => groups.push((vec![to], r)),
                Err(e) => {
                    tracing::warn!(schedule = run.schedule.id, error = %e, "cannot make a scheduled report");
                    failed = true;
                }
            }
        }
        if failed {
            done.failed += 1;
            continue;
        }
        let mails: Vec<(Vec<String>, ReportMail<'_>)> = groups
            .iter()
            .map(|(to, r)| {
                (
                    to.clone(),
                    ReportMail {
                        subject: &r.subject,
                        body: &r.body,
                        file_name: &r.name,
                        content_type: "application/pdf",
                        bytes: &r.bytes,
                    },
                )
            })
            .collect();
        let parts: Vec<(&[String], &ReportMail<'_>)> =
            mails.iter().map(|(to, m)| (to.as_slice(), m)).collect();
        if services.send_report_runs(&run, &parts).await? {
            done.sent += 1;
        }
    }
    Ok(done)
}
