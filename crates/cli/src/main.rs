//! mkpi: the one binary — serve, demo, migrate, user management, backup.
//! Errors are one clear line on stderr and a non-zero exit.
#![forbid(unsafe_code)]

mod commands;
mod config;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "mkpi",
    version,
    about = "Goals, KPIs, 360° reviews and reports for a marketing department"
)]
struct Cli {
    /// A TOML configuration file (see `mkpi config example`).
    #[arg(long, env = "MKPI_CONFIG", global = true)]
    config: Option<PathBuf>,

    /// Log format: text or json.
    #[arg(long, env = "MKPI_LOG_FORMAT", global = true)]
    log_format: Option<String>,

    #[command(subcommand)]
    command: Command,
}

/// Where the database is.
#[derive(Args, Clone, Debug)]
pub struct DbArgs {
    /// Directory for the embedded SQLite database [default: data, or demo-data for `demo`].
    #[arg(long, env = "MKPI_DATA_DIR")]
    data_dir: Option<PathBuf>,

    /// A database URL (sqlite://PATH or postgres://…) instead of the data dir's SQLite file.
    #[arg(long, env = "MKPI_DATABASE_URL")]
    database_url: Option<String>,
}

#[derive(Args, Clone, Debug)]
pub struct ServeArgs {
    /// Address to listen on [default: 127.0.0.1:8080].
    #[arg(long, env = "MKPI_ADDR")]
    addr: Option<String>,

    #[command(flatten)]
    db: DbArgs,

    /// Mark cookies Secure (when served over HTTPS).
    #[arg(long, env = "MKPI_SECURE_COOKIES")]
    secure_cookies: bool,

    /// A proxy (IP address) whose X-Forwarded-For names the client; repeat
    /// for several. Without one the header is ignored.
    #[arg(
        long = "trusted-proxy",
        env = "MKPI_TRUSTED_PROXIES",
        value_delimiter = ','
    )]
    trusted_proxies: Vec<std::net::IpAddr>,

    #[command(flatten)]
    mail: MailArgs,
}

/// Outgoing mail (alerts); without an SMTP URL alerts show in the UI only.
#[derive(Args, Clone, Debug, Default)]
pub struct MailArgs {
    /// SMTP server: smtp://host:25, smtp://user:pass@host:587?tls=required, smtps://host:465.
    #[arg(long, env = "MKPI_SMTP_URL", hide_env_values = true)]
    smtp_url: Option<String>,

    /// The sender of mkpi's mail, e.g. "mkpi <mkpi@example.com>".
    #[arg(long, env = "MKPI_MAIL_FROM")]
    mail_from: Option<String>,

    /// The address people open mkpi at, for links in mail [default: http://ADDR].
    #[arg(long, env = "MKPI_PUBLIC_URL")]
    public_url: Option<String>,
}

#[derive(Subcommand)]
enum Command {
    /// Run the web server.
    Serve(ServeArgs),
    /// Start on a fresh database filled with a demo marketing department.
    Demo {
        #[command(flatten)]
        serve: ServeArgs,
        /// Seed of the demo generator: the same seed gives the same department.
        #[arg(long, default_value_t = 42)]
        seed: u64,
    },
    /// Set a new installation up from the command line, as `/setup` does in
    /// the browser: the company, its department and the first admin (the
    /// password from standard input).
    Init(commands::user::InitArgs),
    /// Bring the database schema up to date.
    Migrate {
        #[command(flatten)]
        db: DbArgs,
    },
    /// Import files of facts (CSV exports) with a preset or a saved mapping.
    Import(commands::import::ImportArgs),
    /// Presets and saved column mappings.
    #[command(subcommand)]
    Mappings(commands::import::MappingsCommand),
    /// List imports or roll the most recent one back.
    #[command(subcommand)]
    Imports(commands::import::ImportsCommand),
    /// Run a report definition and write it as HTML, PDF, slides, XLSX or CSV.
    Report(commands::report::ReportArgs),
    /// Manage user accounts.
    #[command(subcommand)]
    User(commands::user::UserCommand),
    /// Check every running KPI now: record and mail the alerts due.
    Alerts {
        #[command(flatten)]
        db: DbArgs,
        #[command(flatten)]
        mail: MailArgs,
    },
    /// Copy the live database to a file: SQLite by VACUUM INTO, PostgreSQL by pg_dump.
    Backup {
        #[command(flatten)]
        db: DbArgs,
        /// The file to write; must not exist.
        #[arg(long)]
        out: PathBuf,
    },
    /// Replace the database's rows with those of a backup `mkpi backup` wrote.
    Restore {
        #[command(flatten)]
        db: DbArgs,
        /// The backup file to restore from.
        #[arg(long)]
        from: PathBuf,
        /// Overwrite a database that already holds rows.
        #[arg(long)]
        replace: bool,
    },
    /// Configuration helpers.
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Print the OpenAPI document of the JSON API.
    Openapi,
}

#[derive(Subcommand)]
enum ConfigCommand {
    /// Print a commented example configuration file.
    Example,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let file = match config::FileConfig::load(cli.config.as_deref()) {
        Ok(f) => f,
        Err(e) => return fail(&e),
    };
    let log_format = cli
        .log_format
        .clone()
        .or(file.log_format.clone())
        .unwrap_or_else(|| "text".into());
    commands::init_logging(&log_format);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => return fail(&anyhow::anyhow!("cannot start the runtime: {e}")),
    };
    let result = runtime.block_on(async move {
        match cli.command {
            Command::Serve(args) => commands::serve::run(args, &file, None).await,
            Command::Demo { serve, seed } => commands::serve::run(serve, &file, Some(seed)).await,
            Command::Migrate { db } => commands::migrate(db, &file).await,
            Command::Init(args) => commands::user::init(args, &file).await,
            Command::User(cmd) => commands::user::run(cmd, &file).await,
            Command::Alerts { db, mail } => commands::serve::alerts(db, mail, &file).await,
            Command::Import(args) => commands::import::run(args, &file).await,
            Command::Report(args) => commands::report::run(args, &file).await,
            Command::Imports(cmd) => commands::import::imports(cmd, &file).await,
            Command::Mappings(cmd) => commands::import::mappings(cmd, &file).await,
            Command::Backup { db, out } => commands::backup::backup(db, &file, &out).await,
            Command::Restore { db, from, replace } => {
                commands::backup::restore(db, &file, &from, replace).await
            }
            Command::Config(ConfigCommand::Example) => {
                print!("{}", config::EXAMPLE);
                Ok(())
            }
            Command::Openapi => commands::openapi(),
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(&e),
    }
}

fn fail(e: &anyhow::Error) -> ExitCode {
    eprintln!("error: {e:#}");
    ExitCode::FAILURE
}
