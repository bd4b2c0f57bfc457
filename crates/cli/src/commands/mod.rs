//! One module per command; shared set-up (logging, opening the store) here.

pub mod import;
pub mod report;
pub mod serve;
pub mod user;

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use mkpi_store::{Backend, Store};
use tracing_subscriber::EnvFilter;

use crate::DbArgs;
use crate::config::{self, FileConfig};

pub fn init_logging(format: &str) {
    let filter = EnvFilter::try_from_env("MKPI_LOG")
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,tower_http=info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if format == "json" {
        builder.json().init();
    } else {
        builder.init();
    }
}

/// The data dir a command uses: flag/env, then the file, then the default.
pub fn data_dir(db: &DbArgs, file: &FileConfig, default: &str) -> PathBuf {
    db.data_dir
        .clone()
        .or_else(|| file.data_dir.clone())
        .unwrap_or_else(|| PathBuf::from(default))
}

/// Opens the database a command points at and applies pending migrations.
pub async fn open_store(db: &DbArgs, file: &FileConfig) -> Result<Store> {
    let url = config::database_url(
        db.database_url.as_deref().or(file.database_url.as_deref()),
        &data_dir(db, file, "data"),
    )?;
    Ok(Store::open(&url).await?)
}

pub async fn migrate(db: DbArgs, file: &FileConfig) -> Result<()> {
    let store = open_store(&db, file).await?;
    println!("database is up to date ({:?})", store.backend());
    Ok(())
}

pub async fn backup(db: DbArgs, file: &FileConfig, out: &Path) -> Result<()> {
    if out.exists() {
        bail!(
            "{} already exists; choose a new file for the backup",
            out.display()
        );
    }
    // Told before anything is opened (let alone migrated).
    let url = config::database_url(
        db.database_url.as_deref().or(file.database_url.as_deref()),
        &data_dir(&db, file, "data"),
    )?;
    if url.starts_with("postgres") {
        bail!(
            "this is a PostgreSQL database: back it up with pg_dump (e.g. pg_dump -Fc -f mkpi.dump \"$MKPI_DATABASE_URL\")"
        );
    }
    let store = open_store(&db, file).await?;
    if store.backend() == Backend::Postgres {
        bail!(
            "this is a PostgreSQL database: back it up with pg_dump (e.g. pg_dump -Fc -f mkpi.dump \"$MKPI_DATABASE_URL\")"
        );
    }
    store
        .backup_to(out)
        .await
        .with_context(|| format!("cannot write the backup to {}", out.display()))?;
    let size = std::fs::metadata(out).map(|m| m.len()).unwrap_or(0);
    println!("backup written to {} ({size} bytes)", out.display());
    Ok(())
}

pub fn openapi() -> Result<()> {
    use utoipa::OpenApi;
    println!("{}", mkpi_web::api::ApiDoc::openapi().to_pretty_json()?);
    Ok(())
}

/// A service error as one CLI line.
pub fn service_error(e: mkpi_services::Error) -> anyhow::Error {
    anyhow::anyhow!("{e}")
}
