//! `mkpi import` and `mkpi imports`: files of facts from the command line.

use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use clap::{Args, Subcommand};
use mkpi_ingest::Preset;
use mkpi_services::imports::{ImportReport, ImportRequest, PersonAnswer};
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
    /// Who a person the files name is: `NAMED=EMAIL` (the employee with that
    /// e-mail), or `NAMED=EMAIL,Full Name[,Team]` to add them when nobody has
    /// the e-mail. Kept for the preset, so later files need no answer.
    #[arg(long = "person", value_name = "NAMED=EMAIL[,NAME[,TEAM]]")]
    people: Vec<String>,
    /// The same answers as a CSV file with the header `named,email,name,team`
    /// (name and team only for people to add).
    #[arg(long = "people", value_name = "FILE")]
    people_file: Option<PathBuf>,
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

/// An answer from `--person NAMED=EMAIL[,NAME[,TEAM]]`.
fn person_flag(raw: &str) -> Result<PersonAnswer> {
    match PersonAnswer::from_line(raw) {
        Some(answer) => Ok(answer),
        None => bail!("--person {raw:?}: write it as NAMED=EMAIL or NAMED=EMAIL,Full Name,Team"),
    }
}

/// Answers from a CSV file with the header `named,email,name,team`.
fn people_file(path: &std::path::Path) -> Result<Vec<PersonAnswer>> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_path(path)
        .with_context(|| format!("cannot read the answers {}", path.display()))?;
    let headers = reader
        .headers()
        .with_context(|| format!("{}: no header", path.display()))?
        .clone();
    let column = |name: &str| headers.iter().position(|h| h.eq_ignore_ascii_case(name));
    let (Some(named), Some(email)) = (column("named"), column("email")) else {
        bail!(
            "{}: the header must name the columns named and email (and name, team for people to add)",
            path.display()
        );
    };
    let (name, team) = (column("name"), column("team"));
    let mut out = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let record =
            record.with_context(|| format!("{}: row {} is broken", path.display(), i + 2))?;
        let cell = |c: Option<usize>| c.and_then(|c| record.get(c));
        out.push(PersonAnswer::new(
            cell(Some(named)).unwrap_or_default(),
            cell(Some(email)).unwrap_or_default(),
            cell(name),
            cell(team),
        ));
    }
    Ok(out)
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
    if r.people_created > 0 || r.aliases_added > 0 {
        println!(
            "{}: {would}{} people added, {} spellings remembered for {}",
            file.display(),
            r.people_created,
            r.aliases_added,
            r.preset
        );
    }
    if !r.unknown_people.is_empty() {
        println!(
            "{}: {} people the file names are unknown; say who each is with --person 'NAMED=EMAIL' (or 'NAMED=EMAIL,Full Name,Team' to add them), or --people FILE:",
            file.display(),
            r.unknown_people.len()
        );
        for u in &r.unknown_people {
            println!(
                "  {:?} ({}, {} rows from row {}): {}",
                u.named, u.column, u.rows, u.first_row, u.reason
            );
        }
    }
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
    let mut people = match &args.people_file {
        Some(path) => people_file(path)?,
        None => Vec::new(),
    };
    for raw in &args.people {
        people.push(person_flag(raw)?);
    }
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
            people: people.clone(),
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
