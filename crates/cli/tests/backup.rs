//! Backup and restore while imports go on: `mkpi backup` ten times on every
//! backend while another process keeps importing, each backup restored
//! into a fresh database with `mkpi restore`. Each restored database passes
//! its integrity check and holds what the database held at one moment
//! during the backup: whole imports only, every table that did not change
//! equal, and (SQLite) every table equal to the backup file's.
//! (`MKPI_BACKUP_CYCLES` sets the cycles per backend; 10 by default.)

use std::collections::BTreeMap;
use std::process::{Command, Output, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use mkpi_store::Store;

const BIN: &str = env!("CARGO_BIN_EXE_mkpi");
/// Rows of each import the writer makes.
const ROWS_PER_IMPORT: i64 = 100;

fn run(args: &[String]) -> Output {
    Command::new(BIN)
        .args(args)
        .env("MKPI_LOG", "error")
        .env_remove("MKPI_DATABASE_URL")
        .env_remove("MKPI_DATA_DIR")
        .env_remove("MKPI_CONFIG")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .output()
        .unwrap()
}

fn ok(o: &Output) -> String {
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8_lossy(&o.stdout).to_string()
}

fn refused(o: &Output) -> String {
    assert_eq!(
        o.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
    String::from_utf8_lossy(&o.stderr).trim().to_string()
}

/// Day `d` of a calendar of 28-day months from 2030: dates that never
/// repeat between imports.
fn date(d: i64) -> String {
    format!(
        "{}-{:02}-{:02}",
        2030 + d / 336,
        d / 28 % 12 + 1,
        d % 28 + 1
    )
}

/// Ad statistics for days `first..first + days` of ten campaigns.
fn ad_stats(path: &std::path::Path, first: i64, days: i64) {
    let mut csv = String::from("date,campaign,impressions,clicks,spend,currency\n");
    for d in first..first + days {
        for c in 0..10 {
            csv.push_str(&format!(
                "{},C-{c},1000,{},{}.50,RUB\n",
                date(d),
                d % 40,
                d % 90
            ));
        }
    }
    std::fs::write(path, csv).unwrap();
}

fn import(db: &[String], preset: &str, path: &std::path::Path) -> Output {
    let mut args = vec!["import".to_string(), "--preset".into(), preset.into()];
    args.push(path.display().to_string());
    args.extend(db.iter().cloned());
    run(&args)
}

async fn counts(url: &str) -> BTreeMap<String, i64> {
    let store = Store::connect(url).await.unwrap();
    let counts = store.table_counts().await.unwrap().into_iter().collect();
    store.close().await;
    counts
}

/// A fresh database: its `mkpi` arguments, its URL, and (PostgreSQL) what
/// keeps it alive.
type Fresh = (
    Vec<String>,
    String,
    Option<mkpi_store::testing::TestDatabase>,
);

struct Backend {
    /// How `mkpi` is pointed at the live database.
    db: Vec<String>,
    url: String,
    /// A fresh database to restore cycle `i` into: its `mkpi` arguments
    /// and URL (and what keeps a PostgreSQL one alive).
    fresh: Box<dyn Fn(usize) -> Fresh>,
    postgres: bool,
}

#[test]
fn backups_taken_while_imports_go_on_restore_whole_and_sound() {
    let cycles: usize = std::env::var("MKPI_BACKUP_CYCLES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(10);
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().to_path_buf();
    let rt = Arc::new(tokio::runtime::Runtime::new().unwrap());
    let mut backends = vec![Backend {
        db: vec!["--data-dir".into(), root.join("live").display().to_string()],
        url: format!("sqlite://{}", root.join("live/mkpi.db").display()),
        fresh: Box::new({
            let root = root.clone();
            move |i| {
                let data = root.join(format!("restored-{i}"));
                (
                    vec!["--data-dir".into(), data.display().to_string()],
                    format!("sqlite://{}", data.join("mkpi.db").display()),
                    None,
                )
            }
        }),
        postgres: false,
    }];
    let pg_dump_present = Command::new("pg_dump").arg("--version").output().is_ok();
    if std::env::var("MKPI_TEST_POSTGRES_URL").is_ok() {
        if !pg_dump_present {
            assert!(
                std::env::var("CI").is_err(),
                "pg_dump is needed to back PostgreSQL up in CI"
            );
            eprintln!("skipped PostgreSQL: pg_dump is not installed");
        } else if let Some(live) = rt.block_on(mkpi_store::testing::postgres()) {
            let url = live.url.clone();
            let rt2 = rt.clone();
            // The live database's guard lives as long as the closure.
            let live = Arc::new(live);
            backends.push(Backend {
                db: vec!["--database-url".into(), url.clone()],
                url,
                fresh: Box::new(move |_| {
                    let _keep = &live;
                    let db = rt2
                        .block_on(mkpi_store::testing::postgres())
                        .expect("a fresh PostgreSQL database");
                    (
                        vec!["--database-url".into(), db.url.clone()],
                        db.url.clone(),
                        Some(db),
                    )
                }),
                postgres: true,
            });
        }
    }

    let campaigns = root.join("campaigns.csv");
    let mut list = String::from("campaign,name,currency\n");
    for c in 0..10 {
        list.push_str(&format!("C-{c},Campaign {c},RUB\n"));
    }
    std::fs::write(&campaigns, list).unwrap();
    let base_file = root.join("base.csv");
    ad_stats(&base_file, 0, 2000);

    for backend in &backends {
        let name = if backend.postgres {
            "PostgreSQL"
        } else {
            "SQLite"
        };
        ok(&import(&backend.db, "mkpi-campaigns", &campaigns));
        ok(&import(&backend.db, "mkpi-ad-stats", &base_file));
        let base_rows = rt.block_on(counts(&backend.url))["ad_stats"];
        assert_eq!(base_rows, 20_000);

        // The writer: one import after another, each of new days.
        let stop = Arc::new(AtomicBool::new(false));
        let acknowledged = Arc::new(AtomicUsize::new(0));
        let writer = {
            let (stop, acknowledged) = (stop.clone(), acknowledged.clone());
            let db = backend.db.clone();
            let file = root.join(format!("writer-{name}.csv"));
            std::thread::spawn(move || {
                let mut n = 0;
                while !stop.load(Ordering::SeqCst) {
                    ad_stats(&file, 2000 + n * ROWS_PER_IMPORT / 10, ROWS_PER_IMPORT / 10);
                    ok(&import(&db, "mkpi-ad-stats", &file));
                    n += 1;
                    acknowledged.store(n as usize, Ordering::SeqCst);
                }
            })
        };

        let mut restored_imports = Vec::new();
        for i in 0..cycles {
            // Let the writer get ahead a little between backups.
            let floor = acknowledged.load(Ordering::SeqCst) + 1;
            while acknowledged.load(Ordering::SeqCst) < floor {
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            let before_counts = rt.block_on(counts(&backend.url));
            let before = acknowledged.load(Ordering::SeqCst);
            let file = root.join(format!("{name}-{i}.backup"));
            let mut args = vec![
                "backup".to_string(),
                "--out".into(),
                file.display().to_string(),
            ];
            args.extend(backend.db.iter().cloned());
            let said = ok(&run(&args));
            let after = acknowledged.load(Ordering::SeqCst);
            let after_counts = rt.block_on(counts(&backend.url));
            assert!(
                said.starts_with(&format!("backup written to {}", file.display())),
                "{said}"
            );

            let (db, url, _guard) = (backend.fresh)(i);
            let mut args = vec![
                "restore".to_string(),
                "--from".into(),
                file.display().to_string(),
            ];
            args.extend(db.iter().cloned());
            let said = ok(&run(&args));
            assert!(
                said.starts_with(&format!("restored {}", file.display())),
                "{said}"
            );

            let restored = rt.block_on(async {
                let store = Store::open(&url).await.unwrap();
                assert_eq!(store.integrity_check().await.unwrap(), "ok");
                let counts: BTreeMap<String, i64> =
                    store.table_counts().await.unwrap().into_iter().collect();
                store.close().await;
                counts
            });
            if !backend.postgres {
                // The backup file is the database at backup time.
                let at_backup =
                    rt.block_on(counts(&format!("sqlite://{}?mode=ro", file.display())));
                assert_eq!(restored, at_backup, "cycle {i}");
            }
            // Whole imports only, and those the writer had made by then.
            let imports = restored["imports"] - 2;
            assert_eq!(
                restored["ad_stats"],
                base_rows + imports * ROWS_PER_IMPORT,
                "cycle {i}: a half import"
            );
            assert!(
                (before as i64..=after as i64 + 1).contains(&imports),
                "cycle {i}: {imports} imports restored, {before}..={after} acknowledged"
            );
            for (table, n) in &restored {
                let (low, high) = (before_counts[table], after_counts[table]);
                assert!(
                    (low.min(high)..=low.max(high)).contains(n),
                    "cycle {i}: {table} holds {n} rows restored, {low} before the backup and {high} after"
                );
            }
            restored_imports.push(imports);
        }
        stop.store(true, Ordering::SeqCst);
        writer.join().unwrap();
        eprintln!("{name}: {cycles} cycles, imports restored {restored_imports:?}");
        assert!(
            restored_imports.windows(2).all(|w| w[0] < w[1]),
            "each backup later than the last: {restored_imports:?}"
        );

        // Restoring over the live database: refused without --replace,
        // refused from a broken file, and whole with --replace.
        let live = rt.block_on(counts(&backend.url));
        let last = root.join(format!("{name}-{}.backup", cycles - 1));
        let mut args = vec![
            "restore".to_string(),
            "--from".into(),
            last.display().to_string(),
        ];
        args.extend(backend.db.iter().cloned());
        let message = refused(&run(&args));
        assert!(
            message.contains("the database already holds")
                && message.ends_with("stop mkpi and run restore with --replace to overwrite them"),
            "{message}"
        );
        let broken = root.join(format!("{name}-broken.backup"));
        let mut bytes = std::fs::read(&last).unwrap();
        bytes.truncate(bytes.len() / 2);
        std::fs::write(&broken, bytes).unwrap();
        let mut args = vec![
            "restore".to_string(),
            "--replace".into(),
            "--from".into(),
            broken.display().to_string(),
        ];
        args.extend(backend.db.iter().cloned());
        let message = refused(&run(&args));
        let expected = if backend.postgres {
            format!(
                "error: {} is not a readable pg_dump file: ",
                broken.display()
            )
        } else {
            format!("error: the backup {} is cut short (", broken.display())
        };
        assert!(message.starts_with(&expected), "{message}");
        assert_eq!(
            rt.block_on(counts(&backend.url)),
            live,
            "a refused restore changed the database"
        );

        args[3] = last.display().to_string();
        ok(&run(&args));
        let replaced = rt.block_on(counts(&backend.url));
        assert_eq!(replaced["imports"], restored_imports[cycles - 1] + 2);
        assert_eq!(
            replaced["ad_stats"],
            base_rows + restored_imports[cycles - 1] * ROWS_PER_IMPORT
        );
    }
}
