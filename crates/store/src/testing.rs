//! Fresh databases for tests: a SQLite file always, and a new PostgreSQL
//! database when `MKPI_TEST_POSTGRES_URL` is set (as CI does). Each call
//! makes new ones, so tests run in parallel without seeing each other.

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};

use sqlx::{AssertSqlSafe, Connection};

use crate::Backend;

/// A database made for one test, removed when dropped: the SQLite files,
/// or the PostgreSQL database (so a long-lived server does not fill up).
#[derive(Debug)]
pub struct TestDatabase {
    pub url: String,
    pub backend: Backend,
    file: Option<PathBuf>,
    /// (admin URL, database name) of a PostgreSQL test database.
    postgres: Option<(String, String)>,
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        if let Some(file) = &self.file {
            for suffix in ["", "-wal", "-shm"] {
                let mut path = file.clone().into_os_string();
                path.push(suffix);
                let _ = std::fs::remove_file(path);
            }
        }
        if let Some((admin_url, name)) = self.postgres.take() {
            // Drop may run inside a runtime, which cannot block on another
            // future: do the work on a thread of its own.
            let dropper = std::thread::spawn(move || {
                let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                else {
                    return;
                };
                rt.block_on(async {
                    if let Ok(mut conn) = sqlx::AnyConnection::connect(&admin_url).await {
                        let sql = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
                        let _ = sqlx::query(AssertSqlSafe(sql)).execute(&mut conn).await;
                        let _ = conn.close().await;
                    }
                });
            });
            let _ = dropper.join();
        }
    }
}

static COUNTER: AtomicU64 = AtomicU64::new(0);

fn unique_name() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    format!(
        "mkpi_t_{}_{}_{nanos}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::SeqCst)
    )
}

pub fn sqlite() -> TestDatabase {
    let file = std::env::temp_dir().join(format!("{}.db", unique_name()));
    TestDatabase {
        url: format!("sqlite://{}", file.display()),
        backend: Backend::Sqlite,
        file: Some(file),
        postgres: None,
    }
}

/// A new, empty PostgreSQL database on the server of `MKPI_TEST_POSTGRES_URL`.
///
/// # Panics
/// When the variable is set but the server cannot make a database: a test
/// run that was asked to cover PostgreSQL must not quietly skip it.
pub async fn postgres() -> Option<TestDatabase> {
    let admin_url = std::env::var("MKPI_TEST_POSTGRES_URL").ok()?;
    sqlx::any::install_default_drivers();
    let name = unique_name();
    let mut conn = sqlx::AnyConnection::connect(&admin_url)
        .await
        .unwrap_or_else(|e| panic!("MKPI_TEST_POSTGRES_URL is set but unreachable: {e}"));
    sqlx::query(AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&mut conn)
        .await
        .unwrap_or_else(|e| panic!("cannot create test database {name}: {e}"));
    let _ = conn.close().await;
    let (base, query) = admin_url
        .split_once('?')
        .map_or((admin_url.as_str(), None), |(b, q)| (b, Some(q)));
    let server = base.rsplit_once('/').map_or(base, |(s, _)| s);
    let url = match query {
        Some(q) => format!("{server}/{name}?{q}"),
        None => format!("{server}/{name}"),
    };
    Some(TestDatabase {
        url,
        backend: Backend::Postgres,
        file: None,
        postgres: Some((admin_url, name)),
    })
}

/// Every backend this run covers: SQLite, plus PostgreSQL when configured.
pub async fn all() -> Vec<TestDatabase> {
    let mut dbs = vec![sqlite()];
    dbs.extend(postgres().await);
    dbs
}

/// A count from a test's own SQL, with one id bound as `$1`.
pub async fn count(tx: &mut crate::Tx, sql: &str, id: i64) -> i64 {
    let (n,): (i64,) = sqlx::query_as(sqlx::AssertSqlSafe(sql.to_string()))
        .bind(id)
        .fetch_one(tx.conn())
        .await
        .expect("a count");
    n
}
