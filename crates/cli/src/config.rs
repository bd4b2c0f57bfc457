//! Settings: defaults, then a TOML file (`--config` / `MKPI_CONFIG`), then
//! `MKPI_*` environment variables, then flags. Clap reads flags and the
//! environment; the file fills what neither gave.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use serde::Deserialize;

/// The file's shape; every key optional.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    pub addr: Option<String>,
    pub data_dir: Option<PathBuf>,
    pub database_url: Option<String>,
    pub secure_cookies: Option<bool>,
    /// Proxies whose X-Forwarded-For names the client.
    pub trusted_proxies: Option<Vec<std::net::IpAddr>>,
    pub log_format: Option<String>,
    pub session_idle_minutes: Option<i64>,
    pub session_max_hours: Option<i64>,
    pub smtp_url: Option<String>,
    pub mail_from: Option<String>,
    pub public_url: Option<String>,
}

impl FileConfig {
    pub fn load(path: Option<&Path>) -> Result<Self> {
        let Some(path) = path else {
            return Ok(FileConfig::default());
        };
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read the configuration file {}", path.display()))?;
        toml::from_str(&text)
            .with_context(|| format!("configuration file {} is invalid", path.display()))
    }
}

pub const DEFAULT_ADDR: &str = "127.0.0.1:8080";

/// Where the database is: an explicit URL, else `mkpi.db` in the data dir.
pub fn database_url(url: Option<&str>, data_dir: &Path) -> Result<String> {
    match url {
        Some(u) => Ok(u.to_string()),
        None => {
            prepare_data_dir(data_dir)?;
            Ok(format!("sqlite://{}", data_dir.join("mkpi.db").display()))
        }
    }
}

/// Creates the data dir and proves it is writable, so that a wrong path is
/// one clear line rather than a database error later.
pub fn prepare_data_dir(dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir)
        .with_context(|| format!("cannot create the data dir {}", dir.display()))?;
    let probe = dir.join(".mkpi-write-test");
    if let Err(e) = std::fs::write(&probe, b"ok") {
        bail!("the data dir {} is not writable: {e}", dir.display());
    }
    let _ = std::fs::remove_file(probe);
    Ok(())
}

pub const EXAMPLE: &str = r#"# mkpi configuration. Every key is optional; environment variables
# (MKPI_ADDR, MKPI_DATA_DIR, MKPI_DATABASE_URL, ...) and command-line flags
# override what is written here. Pass the file with --config or MKPI_CONFIG.

# Address to listen on.
addr = "127.0.0.1:8080"

# Directory for the embedded SQLite database (mkpi.db) and backups.
data_dir = "data"

# Use PostgreSQL instead of the embedded SQLite (several servers can share it).
# database_url = "postgres://mkpi@localhost:5432/mkpi"

# Mark cookies Secure: set to true when mkpi is served over HTTPS.
secure_cookies = false

# Behind a reverse proxy: the proxies whose X-Forwarded-For header names the client
# (sign-in limits count per client address). Without them the header is ignored.
# trusted_proxies = ["127.0.0.1"]

# Log lines as "text" or "json".
log_format = "text"

# A session unused this many minutes ends (default 480 = 8 hours).
session_idle_minutes = 480

# A session ends this many hours after sign-in however busy (default 168 = 7 days).
session_max_hours = 168

# Outgoing mail for alerts. Without smtp_url, alerts show in the UI only.
# smtp://host:25 (plain), smtp://user:password@host:587?tls=required (STARTTLS),
# smtps://user:password@host:465 (TLS).
# smtp_url = "smtp://localhost:25"
# mail_from = "mkpi <mkpi@example.com>"
# The address people open mkpi at, for links in mail.
# public_url = "https://mkpi.example.com"
"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_example_file_is_valid_configuration() {
        let c: FileConfig = toml::from_str(EXAMPLE).unwrap();
        assert_eq!(c.addr.as_deref(), Some("127.0.0.1:8080"));
        assert_eq!(c.session_idle_minutes, Some(480));
        assert_eq!(c.database_url, None);
    }

    #[test]
    fn unknown_keys_are_errors_not_silence() {
        let err = toml::from_str::<FileConfig>("adress = \"x\"").unwrap_err();
        assert!(err.to_string().contains("unknown field `adress`"), "{err}");
    }
}
