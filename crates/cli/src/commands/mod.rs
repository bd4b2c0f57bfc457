//! One module per command; shared set-up (logging, opening the store) here.

pub mod backup;
pub mod import;
pub mod report;
pub mod serve;
pub mod user;

use std::path::PathBuf;

use anyhow::Result;
use mkpi_store::Store;
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

pub fn openapi() -> Result<()> {
    use utoipa::OpenApi;
    println!("{}", mkpi_web::api::ApiDoc::openapi().to_pretty_json()?);
    Ok(())
}

/// A service error as one CLI line.
pub fn service_error(e: mkpi_services::Error) -> anyhow::Error {
    anyhow::anyhow!("{e}")
}
