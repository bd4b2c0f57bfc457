//! Scheduled delivery: each due schedule's report is built as its creator
//! would see it, rendered as the PDF document and queued to every
//! recipient with a short summary in the body. Queuing and moving the
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

/// Sends every report whose time has come.
pub async fn round(services: &Services) -> mkpi_services::Result<Round> {
    let mut done = Round::default();
    for run in services.due_report_runs().await? {
        let report = match services
            .build_report(&run.reader, &run.definition, &mut |_| {})
            .await
        {
            Ok(r) => r,
            Err(e) => {
                tracing::warn!(schedule = run.schedule.id, error = %e, "cannot build a scheduled report");
                done.failed += 1;
                continue;
            }
        };
        let view = build(&report);
        let rendered = {
            let view = view.clone();
            tokio::task::spawn_blocking(move || pdf::document(&view)).await
        };
        let bytes = match rendered {
            Ok(Ok(b)) => b,
            Ok(Err(e)) => {
                tracing::warn!(schedule = run.schedule.id, error = %e, "cannot render a scheduled report");
                done.failed += 1;
                continue;
            }
            Err(e) => {
                tracing::warn!(schedule = run.schedule.id, error = %e, "the renderer stopped");
                done.failed += 1;
                continue;
            }
        };
        let subject = format!("{} · {}", view.name, view.period);
        let body = body(&view);
        let name = file_name(&view, Format::Pdf);
        let mail = ReportMail {
            subject: &subject,
            body: &body,
            file_name: &name,
            content_type: "application/pdf",
            bytes: &bytes,
        };
        if services.send_report_run(&run, &mail).await? {
            done.sent += 1;
        }
    }
    Ok(done)
}
