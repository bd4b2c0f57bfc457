//! `mkpi backup` and `mkpi restore`: a consistent copy of a live database
//! and its way back. SQLite is copied by `VACUUM INTO` and restored row by
//! row in one transaction; PostgreSQL goes through pg_dump and pg_restore,
//! which must be installed.

use std::path::Path;
use std::process::Command;

use anyhow::{Context, Result, bail};
use mkpi_store::{Backend, Store};

use super::{data_dir, open_store};
use crate::DbArgs;
use crate::config::{self, FileConfig};

const SQLITE_HEADER: &[u8] = b"SQLite format 3\0";

/// The URL a command points at, told before anything is opened.
fn url_of(db: &DbArgs, file: &FileConfig) -> Result<String> {
    config::database_url(
        db.database_url.as_deref().or(file.database_url.as_deref()),
        &data_dir(db, file, "data"),
    )
}

fn is_postgres(url: &str) -> bool {
    url.starts_with("postgres://") || url.starts_with("postgresql://")
}

pub async fn backup(db: DbArgs, file: &FileConfig, out: &Path) -> Result<()> {
    if out.exists() {
        bail!(
            "{} already exists; choose a new file for the backup",
            out.display()
        );
    }
    let url = url_of(&db, file)?;
    if is_postgres(&url) {
        let dumped = tool("pg_dump")?
            .args(["--format=custom", "--no-owner", "--no-privileges", "--file"])
            .arg(out)
            .arg(&url)
            .output()
            .context("cannot run pg_dump")?;
        if !dumped.status.success() {
            let _ = std::fs::remove_file(out);
            bail!("pg_dump failed: {}", last_line(&dumped.stderr));
        }
        let entries = dump_entries(out)?;
        let size = std::fs::metadata(out).map(|m| m.len()).unwrap_or(0);
        println!(
            "backup written to {} ({size} bytes, {entries} entries, pg_dump custom format)",
            out.display()
        );
        return Ok(());
    }
    let store = open_store(&db, file).await?;
    store
        .backup_to(out)
        .await
        .with_context(|| format!("cannot write the backup to {}", out.display()))?;
    store.close().await;
    // The copy is checked as a database before it is called a backup.
    let copy = Store::connect(&format!("sqlite://{}?mode=ro", out.display()))
        .await
        .with_context(|| format!("cannot open the backup {}", out.display()))?;
    let check = copy.integrity_check().await?;
    let rows = copy.rows_held().await?;
    copy.close().await;
    if check != "ok" {
        bail!(
            "the backup {} failed its integrity check: {check}",
            out.display()
        );
    }
    let size = std::fs::metadata(out).map(|m| m.len()).unwrap_or(0);
    println!(
        "backup written to {} ({size} bytes, {rows} rows, integrity ok)",
        out.display()
    );
    Ok(())
}

pub async fn restore(db: DbArgs, file: &FileConfig, from: &Path, replace: bool) -> Result<()> {
    let mut head = [0u8; 100];
    let read = std::fs::File::open(from)
        .and_then(|mut f| std::io::Read::read(&mut f, &mut head))
        .with_context(|| format!("cannot read the backup {}", from.display()))?;
    let url = url_of(&db, file)?;
    let sqlite_file = read == head.len() && head.starts_with(SQLITE_HEADER);
    let dump_file = head.starts_with(b"PGDMP");
    if is_postgres(&url) {
        if !dump_file {
            bail!(
                "{} is not a pg_dump custom-format file: a PostgreSQL database is restored from `mkpi backup` of a PostgreSQL database",
                from.display()
            );
        }
        let entries = dump_entries(from)?;
        refuse_unless_empty(Store::connect(&url).await?, replace).await?;
        let restored = tool("pg_restore")?
            .args([
                "--clean",
                "--if-exists",
                "--single-transaction",
                "--exit-on-error",
                "--no-owner",
                "--no-privileges",
                "--dbname",
            ])
            .arg(&url)
            .arg(from)
            .output()
            .context("cannot run pg_restore")?;
        if !restored.status.success() {
            bail!(
                "pg_restore failed, the database is unchanged: {}",
                last_line(&restored.stderr)
            );
        }
        let store = Store::open(&url).await?;
        let rows = store.rows_held().await?;
        println!(
            "restored {} ({entries} entries): {rows} rows",
            from.display()
        );
        return Ok(());
    }
    if !sqlite_file {
        bail!(
            "{} is not an SQLite database: a data dir is restored from a file `mkpi backup` wrote",
            from.display()
        );
    }
    let length = std::fs::metadata(from).map(|m| m.len()).unwrap_or(0);
    let expected = sqlite_length(&head);
    if length < expected {
        bail!(
            "the backup {} is cut short ({length} bytes of {expected}): nothing was restored",
            from.display()
        );
    }
    // The backup is brought to this version's schema in a copy, so the
    // file itself stays as it was, and checked before anything is replaced.
    let target = Store::open(&url).await?;
    if target.backend() != Backend::Sqlite {
        bail!("this database cannot be restored from an SQLite file");
    }
    let scratch = tempfile::Builder::new()
        .prefix(".mkpi-restore-")
        .suffix(".db")
        .tempfile_in(scratch_dir(&url))
        .context("cannot make a scratch copy of the backup")?;
    std::fs::copy(from, scratch.path())
        .with_context(|| format!("cannot copy the backup {}", from.display()))?;
    let copy = Store::open(&format!("sqlite://{}", scratch.path().display()))
        .await
        .with_context(|| format!("the backup {} cannot be opened", from.display()))?;
    let check = copy.integrity_check().await?;
    let rows = copy.rows_held().await?;
    // Its write-ahead log folded in, so the one file holds every row.
    copy.close().await;
    if check != "ok" {
        bail!(
            "the backup {} failed its integrity check, nothing was restored: {check}",
            from.display()
        );
    }
    refuse_unless_empty(target.clone(), replace).await?;
    target
        .replace_with(scratch.path())
        .await
        .context("the restore failed, the database is unchanged")?;
    let after = target.integrity_check().await?;
    if after != "ok" {
        bail!("the restored database failed its integrity check: {after}");
    }
    println!("restored {}: {rows} rows, integrity ok", from.display());
    Ok(())
}

/// The length an SQLite file's header declares: page size × page count
/// (a copy `VACUUM INTO` wrote always carries a valid count).
fn sqlite_length(head: &[u8; 100]) -> u64 {
    let page_size = match u16::from_be_bytes([head[16], head[17]]) {
        1 => 65_536,
        n => u64::from(n),
    };
    let pages = u32::from_be_bytes([head[28], head[29], head[30], head[31]]);
    page_size * u64::from(pages)
}

/// Where the scratch copy of a backup goes: beside the database, so it is
/// on the same disk and as private.
fn scratch_dir(url: &str) -> std::path::PathBuf {
    let path = url
        .trim_start_matches("sqlite:")
        .trim_start_matches("//")
        .split('?')
        .next()
        .unwrap_or_default();
    Path::new(path)
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .map_or_else(|| std::path::PathBuf::from("."), Path::to_path_buf)
}

/// A database that holds rows is replaced only when asked to.
async fn refuse_unless_empty(store: Store, replace: bool) -> Result<()> {
    let rows = store.rows_held().await?;
    if rows > 0 && !replace {
        bail!(
            "the database already holds {rows} rows: stop mkpi and run restore with --replace to overwrite them"
        );
    }
    Ok(())
}

/// A PostgreSQL client tool, or a clear line saying how to get it.
fn tool(name: &str) -> Result<Command> {
    let found = Command::new(name).arg("--version").output();
    match found {
        Ok(o) if o.status.success() => Ok(Command::new(name)),
        _ => bail!(
            "{name} was not found: install PostgreSQL's client tools (e.g. apt-get install postgresql-client) of the server's version or newer"
        ),
    }
}

/// How many entries a pg_dump file lists; refuses a file pg_restore cannot read.
fn dump_entries(path: &Path) -> Result<usize> {
    let listed = tool("pg_restore")?
        .arg("--list")
        .arg(path)
        .output()
        .context("cannot run pg_restore")?;
    if !listed.status.success() {
        bail!(
            "{} is not a readable pg_dump file: {}",
            path.display(),
            last_line(&listed.stderr)
        );
    }
    Ok(String::from_utf8_lossy(&listed.stdout)
        .lines()
        .filter(|l| !l.starts_with(';') && !l.trim().is_empty())
        .count())
}

fn last_line(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes)
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("no message")
        .trim()
        .to_string()
}
