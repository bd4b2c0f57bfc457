//! `mkpi import` and `mkpi imports`: files of facts from the command line.

use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use clap::{Args, Subcommand};
use mkpi_ingest::Preset;
use mkpi_services::imports::{ImportReport, ImportRequest};
use mkpi_services::users::Principal;
use mkpi_services::{Clock, Services};

use super::{open_store, service_error};
use crate::DbArgs;
use crate::config::FileConfig;

#[derive(Args)]
pub struct ImportArgs {
    /// A built-in preset (`mkpi mappings list` shows them) or a saved mapping's name.
    #[arg(long, required_unless_present = "mapping", conflicts_with = "mapping")]
    preset: Option<String>,
    /// A mapping file (TOML, see docs/import-formats.md) instead of a preset.
    #[arg(long)]
    mapping: Option<PathBuf>,
    /// Check and count, store nothing.
    #[arg(long)]
    dry_run: bool,
    /// The files to import, one import each, in order.
    #[arg(required = true)]
    files: Vec<PathBuf>,
    #[command(flatten)]
    db: DbArgs,
}

#[derive(Subcommand)]
pub enum MappingsCommand {
    /// Built-in presets and saved mappings.
    List {
        #[command(flatten)]
        db: DbArgs,
    },
    /// Check a mapping file and save it under the name it gives.
    Save {
        file: PathBuf,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Delete a saved mapping.
    Delete {
        name: String,
        #[command(flatten)]
        db: DbArgs,
    },
}

pub async fn mappings(cmd: MappingsCommand, file: &FileConfig) -> Result<()> {
    let db = match &cmd {
        MappingsCommand::List { db }
        | MappingsCommand::Save { db, .. }
        | MappingsCommand::Delete { db, .. } => db,
    };
    let services = Services::new(
        open_store(db, file).await?,
        Clock::system(),
        Default::default(),
    );
    match cmd {
        MappingsCommand::List { .. } => {
            for p in services
                .presets(Principal::Operator)
                .await
                .map_err(service_error)?
            {
                let kind = if p.builtin { "built-in" } else { "saved" };
                println!("{:<26} {:<17} {:<9} {}", p.name, p.fact, kind, p.title);
            }
        }
        MappingsCommand::Save { file: path, .. } => {
            let text = std::fs::read_to_string(&path)
                .with_context(|| format!("cannot read the mapping {}", path.display()))?;
            let saved = services
                .save_mapping(Principal::Operator, &text)
                .await
                .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
            println!("saved mapping {} ({})", saved.name, saved.fact);
        }
        MappingsCommand::Delete { name, .. } => {
            services
                .delete_mapping(Principal::Operator, &name)
                .await
                .map_err(service_error)?;
            println!("deleted mapping {name}");
        }
    }
    Ok(())
}

#[derive(Subcommand)]
pub enum ImportsCommand {
    /// The newest imports first.
    List {
        #[arg(long, default_value_t = 20)]
        limit: i64,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Undo the most recent import.
    Rollback {
        #[arg(long)]
        id: i64,
        #[command(flatten)]
        db: DbArgs,
    },
}

fn print_report(file: &std::path::Path, r: &ImportReport) {
    let verdict = match (r.applied, r.dry_run, r.problem_count) {
        (true, _, _) => format!("imported as #{}", r.import_id.unwrap_or_default()),
        (false, true, 0) => "dry run: nothing stored".to_string(),
        (false, true, _) => "dry run: would be rejected".to_string(),
        (false, false, _) => "rejected: nothing stored".to_string(),
    };
    let would = if r.applied { "" } else { "would be " };
    println!(
        "{}: {verdict} — {} rows read: {would}{} added, {} updated, {} unchanged; {} rejected ({} preset {}, {}{}, header on row {})",
        file.display(),
        r.counts.read,
        r.counts.added,
        r.counts.updated,
        r.counts.unchanged,
        r.rows_rejected,
        r.fact,
        r.preset,
        r.encoding,
        r.delimiter
            .map(|d| format!(", delimiter {d:?}"))
            .unwrap_or_default(),
        r.header_row,
    );
    if r.teams_created > 0 || r.accounts_created > 0 {
        println!(
            "{}: {would}{} teams and {} accounts created (accounts get a set-password link from the person's page)",
            file.display(),
            r.teams_created,
            r.accounts_created
        );
    }
    for c in r.changes.iter().take(10) {
        let fields: Vec<String> = c
            .fields
            .iter()
            .map(|(f, before, after)| format!("{f}: {before} → {after}"))
            .collect();
        println!(
            "  {}: row {}, {}: {}",
            file.display(),
            c.row,
            c.key,
            fields.join(", ")
        );
    }
    for p in r.problems.iter().take(50) {
        println!("  {}: {p}", file.display());
    }
    if r.problem_count > 50 {
        println!("  … and {} more problems", r.problem_count - 50);
    }
}

pub async fn run(args: ImportArgs, file: &FileConfig) -> Result<()> {
    let services = Services::new(
        open_store(&args.db, file).await?,
        Clock::system(),
        Default::default(),
    );
    let preset = match (&args.preset, &args.mapping) {
        (Some(name), _) => services
            .preset(Principal::Operator, name)
            .await
            .map_err(service_error)?,
        (None, Some(path)) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read the mapping {}", path.display()))?;
            Preset::parse(&text).with_context(|| format!("mapping {}", path.display()))?
        }
        (None, None) => bail!("give --preset NAME or --mapping FILE"),
    };
    let mut rejected = 0;
    for path in &args.files {
        let file =
            std::fs::File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
        // A bar on a terminal (none when stderr is a pipe or a file).
        let size = file.metadata().map(|m| m.len()).unwrap_or(0);
        let bar = indicatif::ProgressBar::new(size);
        if let Ok(style) = indicatif::ProgressStyle::with_template(
            "{msg} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec}, {eta} left",
        ) {
            bar.set_style(style.progress_chars("=> "));
        }
        bar.set_message(
            path.file_name()
                .map_or_else(String::new, |n| n.to_string_lossy().to_string()),
        );
        let input = bar.wrap_read(file);
        let request = ImportRequest {
            source: path.file_name().map_or_else(
                || path.display().to_string(),
                |n| n.to_string_lossy().to_string(),
            ),
            preset: preset.clone(),
            dry_run: args.dry_run,
        };
        let started = std::time::Instant::now();
        let report = services
            .import_file(Principal::Operator, input, request)
            .await
            .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
        bar.finish_and_clear();
        print_report(path, &report);
        tracing::info!(file = %path.display(), elapsed_ms = started.elapsed().as_millis() as u64, "import finished");
        if report.problem_count > 0 {
            rejected += 1;
        }
    }
    if rejected > 0 {
        bail!("{rejected} of {} files had problems", args.files.len());
    }
    Ok(())
}

pub async fn imports(cmd: ImportsCommand, file: &FileConfig) -> Result<()> {
    match cmd {
        ImportsCommand::List { limit, db } => {
            let services = Services::new(
                open_store(&db, file).await?,
                Clock::system(),
                Default::default(),
            );
            let list = services
                .list_imports(Principal::Operator, limit)
                .await
                .map_err(service_error)?;
            println!(
                "{:>5}  {:<11} {:<22} {:<14} {:>9} {:>9} {:>9}  source",
                "id", "status", "preset", "by", "added", "updated", "unchanged"
            );
            for i in list {
                println!(
                    "{:>5}  {:<11} {:<22} {:<14} {:>9} {:>9} {:>9}  {}",
                    i.id,
                    i.status,
                    i.preset,
                    i.actor,
                    i.rows_added,
                    i.rows_updated,
                    i.rows_unchanged,
                    i.source
                );
            }
        }
        ImportsCommand::Rollback { id, db } => {
            let services = Services::new(
                open_store(&db, file).await?,
                Clock::system(),
                Default::default(),
            );
            services
                .rollback_import(Principal::Operator, id)
                .await
                .map_err(service_error)?;
            println!("import #{id} rolled back");
        }
    }
    Ok(())
}
