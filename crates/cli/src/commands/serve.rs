//! `mkpi serve` and `mkpi demo`: open the database, (for the demo) fill a
//! fresh one, and serve until Ctrl-C or SIGTERM.

use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use mkpi_services::demo::{DEMO_LOGINS, DEMO_PASSWORD};
use mkpi_services::mail::{MailSettings, Mailer};
use mkpi_services::{AuthSettings, Clock, Services};
use mkpi_store::Store;

use super::{data_dir, open_store, service_error};
use crate::config::{self, DEFAULT_ADDR, FileConfig};
use crate::{DbArgs, MailArgs, ServeArgs};

/// Marks a data dir as the demo's, so `mkpi demo` never wipes real data.
const DEMO_MARKER: &str = "DEMO";

/// Removes the previous demo database so the demo starts fresh; refuses to
/// touch a database the demo did not make.
fn reset_demo_dir(dir: &Path) -> Result<()> {
    config::prepare_data_dir(dir)?;
    let db = dir.join("mkpi.db");
    if db.exists() && !dir.join(DEMO_MARKER).exists() {
        bail!(
            "{} holds a database that is not a demo; refusing to overwrite it. Pick another --data-dir for the demo",
            db.display()
        );
    }
    for suffix in ["", "-wal", "-shm"] {
        let path = dir.join(format!("mkpi.db{suffix}"));
        if path.exists() {
            std::fs::remove_file(&path)
                .with_context(|| format!("cannot remove {}", path.display()))?;
        }
    }
    std::fs::write(
        dir.join(DEMO_MARKER),
        "This data dir belongs to `mkpi demo`, which recreates it at every start.\n",
    )
    .with_context(|| format!("cannot write to {}", dir.display()))?;
    Ok(())
}

pub async fn run(args: ServeArgs, file: &FileConfig, demo_seed: Option<u64>) -> Result<()> {
    let started = Instant::now();
    let addr = args
        .addr
        .clone()
        .or_else(|| file.addr.clone())
        .unwrap_or_else(|| DEFAULT_ADDR.to_string());
    let url = args
        .db
        .database_url
        .clone()
        .or_else(|| file.database_url.clone());
    let dir = data_dir(
        &args.db,
        file,
        if demo_seed.is_some() {
            "demo-data"
        } else {
            "data"
        },
    );
    if demo_seed.is_some() && url.is_none() {
        reset_demo_dir(&dir)?;
    }
    let url = config::database_url(url.as_deref(), &dir)?;

    // Bind before touching the database, so a busy port fails fast and
    // changes nothing.
    let listener = tokio::net::TcpListener::bind(&addr).await.map_err(|e| {
        if e.kind() == std::io::ErrorKind::AddrInUse {
            anyhow::anyhow!("cannot listen on {addr}: the address is in use (is another mkpi running? choose another with --addr)")
        } else {
            anyhow::anyhow!("cannot listen on {addr}: {e}")
        }
    })?;

    let store = Store::open(&url).await?;
    let defaults = AuthSettings::default();
    let auth = AuthSettings {
        idle_timeout_secs: file
            .session_idle_minutes
            .map_or(defaults.idle_timeout_secs, |m| m * 60),
        absolute_timeout_secs: file
            .session_max_hours
            .map_or(defaults.absolute_timeout_secs, |h| h * 3600),
        ..defaults
    };
    let mut services = Services::new(store, Clock::system(), auth);
    if let Some(mailer) = mailer(&args.mail, file, &format!("http://{addr}"))? {
        services = services.with_mailer(mailer);
    }
    if let Some(seed) = demo_seed {
        let demo = services.seed_demo(seed).await.map_err(service_error)?;
        services
            .seed_demo_data(seed, &demo)
            .await
            .map_err(service_error)?;
    }

    let secure = args.secure_cookies || file.secure_cookies.unwrap_or(false);
    let state = mkpi_web::AppState::new(
        services.clone(),
        mkpi_web::WebSettings {
            secure_cookies: secure,
            trusted_proxies: if args.trusted_proxies.is_empty() {
                file.trusted_proxies.clone().unwrap_or_default()
            } else {
                args.trusted_proxies.clone()
            },
        },
    )?;
    let app = mkpi_web::router(state);

    let sweeper = services.clone();
    tokio::spawn(async move {
        let mut every = tokio::time::interval(Duration::from_secs(3600));
        loop {
            every.tick().await;
            if let Err(e) = sweeper.sweep_expired().await {
                tracing::warn!(error = %e, "cannot remove expired sessions");
            }
        }
    });

    // Alerts every quarter of an hour (the first check at once), mail every
    // minute. Any number of servers may run these: each alert is recorded
    // once and each message sent by one of them.
    let checker = services.clone();
    tokio::spawn(async move {
        let mut every = tokio::time::interval(Duration::from_secs(15 * 60));
        loop {
            every.tick().await;
            match checker.check_alerts().await {
                Ok(raised) if !raised.is_empty() => {
                    tracing::info!(alerts = raised.len(), "KPI alerts raised");
                }
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "cannot check KPI alerts"),
            }
        }
    });
    // Goals' computed progress, once an hour (the day's snapshot is
    // replaced), for the history on each goal's page; and the reviews' round.
    let recorder = services.clone();
    tokio::spawn(async move {
        let mut every = tokio::time::interval(Duration::from_secs(3600));
        loop {
            every.tick().await;
            if let Err(e) = recorder.snapshot_goals().await {
                tracing::warn!(error = %e, "cannot record goal progress");
            }
            // Review reminders before each deadline, and recurring cycles.
            match recorder.review_round().await {
                Ok(r) if !r.reminders.is_empty() || !r.opened.is_empty() => tracing::info!(
                    reminders = r.reminders.len(),
                    opened = r.opened.len(),
                    "review round"
                ),
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "cannot run the review round"),
            }
            // Scheduled reports whose time has come (each goes out once,
            // whichever server gets to it).
            match mkpi_report::delivery::round(&recorder).await {
                Ok(r) if r.sent > 0 || r.failed > 0 => {
                    tracing::info!(sent = r.sent, failed = r.failed, "scheduled reports");
                }
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "cannot send scheduled reports"),
            }
        }
    });
    let postman = services.clone();
    tokio::spawn(async move {
        let mut every = tokio::time::interval(Duration::from_secs(60));
        loop {
            every.tick().await;
            if let Err(e) = postman.deliver_mail().await {
                tracing::warn!(error = %e, "cannot deliver mail");
            }
        }
    });

    let local = listener
        .local_addr()
        .map_or(addr.clone(), |a| a.to_string());
    println!(
        "mkpi is ready at http://{local}/ (started in {} ms)",
        started.elapsed().as_millis()
    );
    if demo_seed.is_some() {
        println!(
            "demo logins (password \"{DEMO_PASSWORD}\"): {}",
            DEMO_LOGINS.join(", ")
        );
    }
    tracing::info!(addr = %local, "serving");
    mkpi_web::serve(listener, app, shutdown_signal())
        .await
        .context("the server stopped")?;
    services.store().close().await;
    tracing::info!("stopped");
    Ok(())
}

/// The mailer the flags, environment and file describe; none without an SMTP URL.
fn mailer(args: &MailArgs, file: &FileConfig, default_url: &str) -> Result<Option<Mailer>> {
    let Some(smtp_url) = args.smtp_url.clone().or_else(|| file.smtp_url.clone()) else {
        return Ok(None);
    };
    let from = args
        .mail_from
        .clone()
        .or_else(|| file.mail_from.clone())
        .context("--mail-from (MKPI_MAIL_FROM, mail_from) is needed with an SMTP URL")?;
    let public_url = args
        .public_url
        .clone()
        .or_else(|| file.public_url.clone())
        .unwrap_or_else(|| default_url.to_string());
    let settings = MailSettings {
        smtp_url,
        from,
        public_url,
    };
    Ok(Some(Mailer::new(&settings).map_err(service_error)?))
}

/// `mkpi alerts`: one check of every running KPI, and the mail it queues.
pub async fn alerts(db: DbArgs, mail: MailArgs, file: &FileConfig) -> Result<()> {
    let store = open_store(&db, file).await?;
    let mut services = Services::new(store, Clock::system(), AuthSettings::default());
    let mailer = mailer(&mail, file, &format!("http://{DEFAULT_ADDR}"))?;
    let mailing = mailer.is_some();
    if let Some(m) = mailer {
        services = services.with_mailer(m);
    }
    let raised = services.check_alerts().await.map_err(service_error)?;
    for a in &raised {
        println!(
            "alert {}: KPI {} ({} {}) {}",
            a.id, a.kpi_id, a.metric_code, a.scope, a.kind
        );
    }
    println!("{} new alert(s)", raised.len());
    if mailing {
        let done = services.deliver_mail().await.map_err(service_error)?;
        println!("mail: {} sent, {} to retry later", done.sent, done.failed);
    }
    services.store().close().await;
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}
