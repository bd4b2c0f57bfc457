//! `mkpi report`: runs a report definition and writes it as a file, saying
//! what it does as it goes (on stderr, so stdout stays the file's name).

use std::io::Write;
use std::path::PathBuf;
use std::time::Instant;

use anyhow::{Context, Result, bail};
use clap::Args;
use mkpi_report::Format;
use mkpi_services::{Actor, AuthSettings, Clock, Services};

use super::{open_store, service_error};
use crate::DbArgs;
use crate::config::FileConfig;

#[derive(Args, Clone, Debug)]
pub struct ReportArgs {
    #[command(flatten)]
    db: DbArgs,
    /// The report definition's name (`mkpi report --list` shows them).
    #[arg(long, required_unless_present = "list")]
    definition: Option<String>,
    /// html, pdf (A4 document), slides (16:9 PDF), xlsx or csv.
    #[arg(long, default_value = "pdf")]
    format: String,
    /// For CSV: the table (kpis, trends, drivers, anomalies, channels, campaigns, people,
    /// problems, competitors, evaluation).
    #[arg(long)]
    table: Option<String>,
    /// The file to write [default: the report's name, period and format].
    #[arg(long)]
    out: Option<PathBuf>,
    /// Read the data as this user sees it [default: everything, as an operator].
    #[arg(long = "as")]
    login: Option<String>,
    /// List the report definitions and stop.
    #[arg(long)]
    list: bool,
}

pub async fn run(args: ReportArgs, file: &FileConfig) -> Result<()> {
    let format = Format::parse(&args.format).ok_or_else(|| {
        anyhow::anyhow!("{}", mkpi_report::Error::UnknownFormat(args.format.clone()))
    })?;
    let started = Instant::now();
    let store = open_store(&args.db, file).await?;
    let services = Services::new(store, Clock::system(), AuthSettings::default());
    let actor = match &args.login {
        Some(login) => services
            .actor_for_login(login)
            .await
            .map_err(service_error)?
            .with_context(|| format!("there is no active user '{login}'"))?,
        None => Actor::operator(),
    };
    if args.list {
        for d in services
            .report_definitions(&actor)
            .await
            .map_err(service_error)?
        {
            println!("{}\t{}\t{}", d.name, d.period_kind, d.purpose);
        }
        return Ok(());
    }
    let name = args.definition.unwrap_or_default();
    let definition = match services.report_definition(&actor, &name).await {
        Ok(d) => d,
        Err(mkpi_services::Error::NotFound) => {
            let names: Vec<String> = services
                .report_definitions(&actor)
                .await
                .map_err(service_error)?
                .into_iter()
                .map(|d| d.name)
                .collect();
            bail!(
                "there is no report definition '{name}'; there are: {}",
                if names.is_empty() {
                    "none".to_string()
                } else {
                    names.join(", ")
                }
            );
        }
        Err(e) => return Err(service_error(e)),
    };
    let mut progress = |section: &str| {
        eprintln!("  reading {section}…");
    };
    eprintln!("report '{}': reading the data", definition.name);
    let report = services
        .build_report(&actor, &definition, &mut progress)
        .await
        .map_err(service_error)?;
    eprintln!("rendering {} …", format.code());
    let view = mkpi_report::build(&report);
    let bytes = mkpi_report::render(&view, format, args.table.as_deref())?;
    let out = args
        .out
        .unwrap_or_else(|| PathBuf::from(mkpi_report::file_name(&view, format)));
    let mut f =
        std::fs::File::create(&out).with_context(|| format!("cannot create {}", out.display()))?;
    f.write_all(&bytes)
        .with_context(|| format!("cannot write {}", out.display()))?;
    eprintln!(
        "wrote {} ({} bytes, {} ms)",
        out.display(),
        bytes.len(),
        started.elapsed().as_millis()
    );
    println!("{}", out.display());
    services.store().close().await;
    Ok(())
}
