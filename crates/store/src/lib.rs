//! mkpi-store: the only place with SQL. Opens SQLite or PostgreSQL from a URL,
//! applies the migrations of that backend, and offers one module per table
//! group. Every function takes a [`Tx`], so the service that calls it decides
//! what is atomic; every query that returns people takes a
//! [`mkpi_domain::Scope`].
//!
//! Both backends go through sqlx's `Any` driver, so a query is written once;
//! the few places where the dialects differ `match` on [`Backend`]. `Any`
//! carries only integers, floats, text and bytes: timestamps are unix seconds
//! (`i64`), dates are ISO `YYYY-MM-DD` text (which sorts and compares as dates).
#![forbid(unsafe_code)]

pub mod ad_stats;
pub mod alerts;
pub mod aliases;
pub mod api_tokens;
pub mod audit_log;
pub mod campaigns;
pub mod check_ins;
pub mod company;
pub mod departments;
pub mod development_actions;
pub mod employees;
pub mod facts;
pub mod goals;
pub mod imports;
pub mod kpis;
pub mod login_attempts;
pub mod mappings;
pub mod measures;
pub mod memberships;
pub mod metric_definitions;
pub mod outbox;
pub mod password_links;
pub mod personal_data;
pub mod positions;
pub mod reports;
pub mod reviews;
pub mod rollups;
pub mod sessions;
pub mod staff;
pub mod tasks;
pub mod teams;
pub mod testing;
pub mod users;
mod visibility;

use std::str::FromStr;
use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{Any, AnyPool, AssertSqlSafe, Executor};

pub use sqlx::Error as SqlxError;

/// The user behind a change, or none for mkpi's own work (user 0, which
/// is no row of `users`).
pub(crate) fn user(id: i64) -> Option<i64> {
    (id > 0).then_some(id)
}

/// A yes/no column. `Any` cannot carry SQLite booleans, so flags are stored
/// as 0/1 integers on both backends and read back through this type.
pub(crate) struct IntFlag(i64);

impl sqlx::Type<Any> for IntFlag {
    fn type_info() -> sqlx::any::AnyTypeInfo {
        <i64 as sqlx::Type<Any>>::type_info()
    }

    fn compatible(ty: &sqlx::any::AnyTypeInfo) -> bool {
        <i64 as sqlx::Type<Any>>::compatible(ty)
    }
}

impl<'r> sqlx::Decode<'r, Any> for IntFlag {
    fn decode(value: sqlx::any::AnyValueRef<'r>) -> Result<Self, sqlx::error::BoxDynError> {
        Ok(IntFlag(<i64 as sqlx::Decode<'r, Any>>::decode(value)?))
    }
}

impl From<IntFlag> for bool {
    fn from(flag: IntFlag) -> bool {
        flag.0 != 0
    }
}

/// An optional float to bind. sqlx 0.9's `Any` driver sends a `None::<f64>`
/// to PostgreSQL as a `real` (float4) NULL, and a statement prepared with it
/// is cached with that type: the next `Some(f64)` bound to it then fails with
/// "incorrect binary data format". This type sends its NULL as a `double
/// precision` one. Bind every `Option<f64>` through it.
pub(crate) struct NullableF64(pub Option<f64>);

impl sqlx::Type<Any> for NullableF64 {
    fn type_info() -> sqlx::any::AnyTypeInfo {
        <f64 as sqlx::Type<Any>>::type_info()
    }
}

impl sqlx::Encode<'_, Any> for NullableF64 {
    fn encode_by_ref(
        &self,
        buf: &mut <Any as sqlx::Database>::ArgumentBuffer,
    ) -> Result<sqlx::encode::IsNull, sqlx::error::BoxDynError> {
        use sqlx::any::AnyTypeInfoKind;
        use sqlx_core::any::AnyValueKind;
        Ok(match self.0 {
            Some(v) => {
                buf.0.push(AnyValueKind::Double(v));
                sqlx::encode::IsNull::No
            }
            // The driver turns a Real NULL into a float8 one (and a Double
            // NULL into a float4 one).
            None => {
                buf.0.push(AnyValueKind::Null(AnyTypeInfoKind::Real));
                sqlx::encode::IsNull::Yes
            }
        })
    }
}

/// Which database engine a [`Store`] talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    #[error("conflicts with existing data ({constraint})")]
    Conflict { constraint: String },
    #[error("refers to something that does not exist ({constraint})")]
    MissingReference { constraint: String },
    #[error(
        "database URL '{0}' is not supported: use sqlite://PATH (e.g. sqlite://data/mkpi.db) or postgres://USER@HOST:PORT/DB"
    )]
    UnsupportedUrl(String),
    #[error("cannot open the database at {url}: {source}")]
    Open { url: String, source: sqlx::Error },
    #[error("cannot apply migrations: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("{0}")]
    Unsupported(String),
    #[error("database error: {0}")]
    Database(sqlx::Error),
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        match &e {
            sqlx::Error::RowNotFound => StoreError::NotFound,
            sqlx::Error::Database(db) => {
                let constraint = db
                    .constraint()
                    .map(str::to_string)
                    .unwrap_or_else(|| db.message().to_string());
                match db.kind() {
                    sqlx::error::ErrorKind::UniqueViolation => StoreError::Conflict { constraint },
                    sqlx::error::ErrorKind::ForeignKeyViolation => {
                        StoreError::MissingReference { constraint }
                    }
                    _ => StoreError::Database(e),
                }
            }
            _ => StoreError::Database(e),
        }
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// The database. Cheap to clone (a pool handle).
#[derive(Clone, Debug)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
}

/// A transaction; dropped without [`Tx::commit`] it rolls back.
pub struct Tx {
    inner: sqlx::Transaction<'static, Any>,
    backend: Backend,
}

impl Tx {
    pub async fn commit(self) -> Result<()> {
        self.inner.commit().await?;
        Ok(())
    }

    /// Gives this transaction's SQLite connection a page cache of `kib`
    /// KiB (a no-op on PostgreSQL). A bulk write that outgrows the cache
    /// spills pages to the WAL and reads them back, which costs more than
    /// the writing; imports raise it, then lower it again.
    pub async fn set_cache_kib(&mut self, kib: u32) -> Result<()> {
        if self.backend() == Backend::Sqlite {
            let sql = format!("PRAGMA cache_size = -{kib}");
            sqlx::query(sqlx::AssertSqlSafe(sql))
                .execute(self.conn())
                .await?;
        }
        Ok(())
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    fn conn(&mut self) -> &mut sqlx::AnyConnection {
        &mut self.inner
    }
}

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

impl Store {
    /// Connects and brings the schema up to date.
    pub async fn open(url: &str) -> Result<Store> {
        let store = Store::connect(url).await?;
        store.migrate().await?;
        // A SQLite database that was never analysed (one from before
        // imports analysed) gets its statistics now.
        if store.backend == Backend::Sqlite {
            let (analysed,): (i64,) = sqlx::query_as(
                "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_stat1'",
            )
            .fetch_one(&store.pool)
            .await?;
            if analysed == 0 {
                store.analyze().await?;
            }
        }
        // Budgets spread over their runs' days are built in Rust, once for a
        // database migrated from before the roll-up, then by every import.
        let mut tx = store.read().await?;
        let built = rollups::budgets_built(&mut tx).await?;
        drop(tx);
        if !built {
            let mut tx = store.begin().await?;
            if !rollups::budgets_built(&mut tx).await? {
                rollups::refresh_budgets(&mut tx).await?;
            }
            tx.commit().await?;
        }
        Ok(store)
    }

    /// Connects without touching the schema.
    pub async fn connect(url: &str) -> Result<Store> {
        sqlx::any::install_default_drivers();
        let (backend, url) = normalise_url(url)?;
        let options = AnyConnectOptions::from_str(&url).map_err(|source| StoreError::Open {
            url: redact(&url),
            source,
        })?;
        let pool_options = AnyPoolOptions::new()
            .acquire_timeout(Duration::from_secs(10))
            .max_connections(match backend {
                Backend::Sqlite => 8,
                Backend::Postgres => 16,
            });
        let pool_options = match backend {
            // Foreign keys are per connection in SQLite; a busy timeout lets
            // writers queue instead of failing at once.
            Backend::Sqlite => pool_options.after_connect(|conn, _| {
                Box::pin(async move {
                    conn.execute("PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000; PRAGMA synchronous = NORMAL")
                        .await?;
                    Ok(())
                })
            }),
            Backend::Postgres => pool_options,
        };
        let pool = pool_options
            .connect_with(options)
            .await
            .map_err(|source| StoreError::Open {
                url: redact(&url),
                source,
            })?;
        // A file opened read-only (a backup being checked) keeps its mode.
        if backend == Backend::Sqlite && !url.contains("mode=ro") {
            sqlx::query("PRAGMA journal_mode = WAL")
                .execute(&pool)
                .await
                .map_err(|source| StoreError::Open {
                    url: redact(&url),
                    source,
                })?;
        }
        Ok(Store { pool, backend })
    }

    pub async fn migrate(&self) -> Result<()> {
        match self.backend {
            Backend::Sqlite => SQLITE_MIGRATIONS.run(&self.pool).await?,
            Backend::Postgres => POSTGRES_MIGRATIONS.run(&self.pool).await?,
        }
        Ok(())
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// SQLite's own check of the whole file (`PRAGMA integrity_check`):
    /// `ok`, or what is broken. PostgreSQL keeps its own and says `ok`.
    pub async fn integrity_check(&self) -> Result<String> {
        if self.backend == Backend::Postgres {
            return Ok("ok".to_string());
        }
        let rows: Vec<(String,)> = sqlx::query_as("PRAGMA integrity_check")
            .fetch_all(&self.pool)
            .await?;
        Ok(rows
            .into_iter()
            .map(|(r,)| r)
            .collect::<Vec<_>>()
            .join("; "))
    }

    /// A transaction that will write. On SQLite it takes the write lock at
    /// once (`BEGIN IMMEDIATE`): a transaction that reads first and upgrades
    /// later fails at once with "database is locked" when another writer is
    /// active, instead of waiting its turn.
    pub async fn begin(&self) -> Result<Tx> {
        let inner = match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.pool.begin().await?,
        };
        Ok(Tx {
            inner,
            backend: self.backend,
        })
    }

    /// A transaction that only reads: a consistent snapshot that never
    /// blocks writers nor waits for them.
    pub async fn read(&self) -> Result<Tx> {
        Ok(Tx {
            inner: self.pool.begin().await?,
            backend: self.backend,
        })
    }

    /// Refreshes the statistics the query planner chooses indexes by. Without
    /// them SQLite reads a month of orders through the (status, customer)
    /// index instead of the date index: ten times slower on a million orders.
    /// SQLite samples at most 1,000 rows per index (milliseconds); PostgreSQL
    /// samples too, though its autovacuum would get there later by itself.
    ///
    /// PostgreSQL also vacuums the roll-ups, which every import rewrites: a
    /// fresh visibility map lets their counts read the index alone (the
    /// department dashboard on 10M ad rows took 125 ms before, 65 ms after).
    pub async fn analyze(&self) -> Result<()> {
        match self.backend {
            Backend::Sqlite => {
                self.pool
                    .execute("PRAGMA analysis_limit = 1000; ANALYZE")
                    .await?;
            }
            Backend::Postgres => {
                // VACUUM runs outside a transaction, one statement at a time.
                self.pool
                    .execute(
                        "VACUUM (ANALYZE) ad_stats_by_day, orders_by_day, customer_firsts, budgets_by_day, \
                         ad_stats_by_campaign_month",
                    )
                    .await?;
                self.pool.execute("ANALYZE").await?;
            }
        }
        Ok(())
    }

    /// Whether the database answers (for `/healthz`).
    pub async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    /// A consistent copy of a live SQLite database, taken while others keep
    /// writing. PostgreSQL has its own tools for this.
    pub async fn backup_to(&self, path: &std::path::Path) -> Result<()> {
        match self.backend {
            Backend::Sqlite => {
                let target = path.to_string_lossy().to_string();
                sqlx::query("VACUUM INTO $1")
                    .bind(target)
                    .execute(&self.pool)
                    .await?;
                Ok(())
            }
            Backend::Postgres => Err(StoreError::Unsupported(
                "backups of a PostgreSQL database are made with pg_dump (e.g. pg_dump -Fc -f mkpi.dump DATABASE_URL)"
                    .to_string(),
            )),
        }
    }

    /// mkpi's tables, by name: not the migration ledger, not the engine's own.
    pub async fn tables(&self) -> Result<Vec<String>> {
        let sql = match self.backend {
            Backend::Sqlite => {
                "SELECT name FROM sqlite_master WHERE type = 'table' \
                 AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND name <> '_sqlx_migrations' ORDER BY name"
            }
            Backend::Postgres => {
                "SELECT table_name::text FROM information_schema.tables \
                 WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' \
                 AND table_name <> '_sqlx_migrations' ORDER BY table_name"
            }
        };
        let rows: Vec<(String,)> = sqlx::query_as(sql).fetch_all(&self.pool).await?;
        Ok(rows.into_iter().map(|(name,)| name).collect())
    }

    /// How many rows each of mkpi's tables holds, by name.
    pub async fn table_counts(&self) -> Result<Vec<(String, i64)>> {
        let mut counts = Vec::new();
        for table in self.tables().await? {
            // Names read from the schema itself, never from a request.
            let (n,): (i64,) =
                sqlx::query_as(AssertSqlSafe(format!("SELECT COUNT(*) FROM \"{table}\"")))
                    .fetch_one(&self.pool)
                    .await?;
            counts.push((table, n));
        }
        Ok(counts)
    }

    /// Rows of data held: every table's rows but the bookkeeping a fresh
    /// database starts with (`rollup_state`). Zero for a new database.
    pub async fn rows_held(&self) -> Result<i64> {
        Ok(self
            .table_counts()
            .await?
            .iter()
            .filter(|(table, _)| table != "rollup_state")
            .map(|(_, n)| n)
            .sum())
    }

    /// Replaces every row of this SQLite database with those of the SQLite
    /// database at `source` (a backup already brought to this schema), in
    /// one transaction: a server using this database sees the old rows or
    /// the new, never a mix, and a failure changes nothing.
    pub async fn replace_with(&self, source: &std::path::Path) -> Result<()> {
        if self.backend != Backend::Sqlite {
            return Err(StoreError::Unsupported(
                "a PostgreSQL database is restored with pg_restore".to_string(),
            ));
        }
        let tables = self.tables().await?;
        let mut conn = self.pool.acquire().await?;
        sqlx::query("ATTACH DATABASE $1 AS backup")
            .bind(source.to_string_lossy().to_string())
            .execute(&mut *conn)
            .await?;
        let copied = copy_attached(&mut conn, &tables).await;
        if copied.is_err() {
            let _ = conn.execute("ROLLBACK").await;
        }
        let detached = conn.execute("DETACH DATABASE backup").await;
        copied?;
        detached?;
        drop(conn);
        self.analyze().await
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// Copies every table of the attached `backup` database over the same
/// table of `main`, and the AUTOINCREMENT counters with them; foreign keys
/// are checked once, at the commit.
async fn copy_attached(
    conn: &mut sqlx::pool::PoolConnection<Any>,
    tables: &[String],
) -> Result<()> {
    conn.execute("BEGIN IMMEDIATE").await?;
    conn.execute("PRAGMA defer_foreign_keys = ON").await?;
    for table in tables {
        let columns: Vec<(String,)> =
            sqlx::query_as("SELECT name FROM pragma_table_info($1) ORDER BY cid")
                .bind(table)
                .fetch_all(&mut **conn)
                .await?;
        let columns = columns
            .iter()
            .map(|(c,)| format!("\"{c}\""))
            .collect::<Vec<_>>()
            .join(", ");
        // Names read from the schema itself, never from a request.
        conn.execute(AssertSqlSafe(format!("DELETE FROM main.\"{table}\"")))
            .await?;
        conn.execute(AssertSqlSafe(format!(
            "INSERT INTO main.\"{table}\" ({columns}) SELECT {columns} FROM backup.\"{table}\""
        )))
        .await?;
    }
    let (sequences,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM backup.sqlite_master WHERE type = 'table' AND name = 'sqlite_sequence'",
    )
    .fetch_one(&mut **conn)
    .await?;
    if sequences > 0 {
        conn.execute("DELETE FROM main.sqlite_sequence").await?;
        conn.execute("INSERT INTO main.sqlite_sequence (name, seq) SELECT name, seq FROM backup.sqlite_sequence")
            .await?;
    }
    conn.execute("COMMIT").await?;
    Ok(())
}

/// Checks the scheme and, for SQLite, asks for the file to be created.
fn normalise_url(url: &str) -> Result<(Backend, String)> {
    let url = url.trim();
    if let Some(rest) = url.strip_prefix("sqlite:") {
        let path = rest.trim_start_matches("//");
        if path.is_empty() {
            return Err(StoreError::UnsupportedUrl(url.to_string()));
        }
        let url = if rest.contains("mode=") || path == ":memory:" {
            url.to_string()
        } else if url.contains('?') {
            format!("{url}&mode=rwc")
        } else {
            format!("{url}?mode=rwc")
        };
        Ok((Backend::Sqlite, url))
    } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Ok((Backend::Postgres, url.to_string()))
    } else {
        Err(StoreError::UnsupportedUrl(redact(url)))
    }
}

/// A URL fit for an error message: the password replaced by `***`.
pub fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let Some((userinfo, host)) = rest.split_once('@') else {
        return url.to_string();
    };
    match userinfo.split_once(':') {
        Some((user, _)) => format!("{scheme}://{user}:***@{host}"),
        None => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_pick_the_backend_and_sqlite_files_are_created() {
        assert_eq!(
            normalise_url("sqlite://data/mkpi.db").unwrap(),
            (
                Backend::Sqlite,
                "sqlite://data/mkpi.db?mode=rwc".to_string()
            )
        );
        assert_eq!(
            normalise_url("sqlite:///tmp/x.db?mode=ro").unwrap().1,
            "sqlite:///tmp/x.db?mode=ro"
        );
        assert_eq!(
            normalise_url("postgres://u@h/db").unwrap().0,
            Backend::Postgres
        );
        assert!(matches!(
            normalise_url("mysql://root@localhost/x"),
            Err(StoreError::UnsupportedUrl(_))
        ));
        assert!(matches!(
            normalise_url("sqlite://"),
            Err(StoreError::UnsupportedUrl(_))
        ));
    }

    #[test]
    fn passwords_never_reach_error_messages() {
        assert_eq!(
            redact("postgres://mkpi:s3cret@db:5432/mkpi"),
            "postgres://mkpi:***@db:5432/mkpi"
        );
        assert_eq!(redact("postgres://mkpi@db/mkpi"), "postgres://mkpi@db/mkpi");
    }
}
