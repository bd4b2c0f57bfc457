//! Crash atomicity: `mkpi import` killed with SIGKILL at random moments,
//! many times, on every backend. Afterwards the database is sound, and the
//! ad statistics are exactly one file's version or none — never a mix, never
//! a duplicate — and an import the process acknowledged is there.
//! (`MKPI_CRASH_ITERATIONS` sets how many kills per backend; 50 by default.)

use std::io::Read;
use std::process::{Command, Stdio};
use std::time::Duration;

const BIN: &str = env!("CARGO_BIN_EXE_mkpi");

/// Two versions of the same 30,000 rows (same keys, other clicks and
/// spend), and the clicks each sums to.
fn files(dir: &std::path::Path) -> [(std::path::PathBuf, i64); 2] {
    let mut out = Vec::new();
    for (name, extra) in [("a.csv", 0i64), ("b.csv", 1)] {
        let mut csv = String::from("date,campaign,impressions,clicks,spend,currency\n");
        let mut clicks = 0i64;
        for day in 0..3000 {
            let date = time_of(day);
            for c in 0..10 {
                let k = (day * 7 + c * 3) % 50 + extra;
                clicks += k;
                csv.push_str(&format!("{date},C-{c},1000,{k},{}.50,RUB\n", k * 10));
            }
        }
        let path = dir.join(name);
        std::fs::write(&path, csv).unwrap();
        out.push((path, clicks));
    }
    [out[0].clone(), out[1].clone()]
}

/// Day `n` after 2015-01-01 as ISO text.
fn time_of(n: i64) -> String {
    let mut y = 2015;
    let mut d = n;
    loop {
        let len = if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 {
            366
        } else {
            365
        };
        if d < len {
            break;
        }
        d -= len;
        y += 1;
    }
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let months = [
        31,
        if leap { 29 } else { 28 },
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ];
    let mut m = 0;
    while d >= months[m] {
        d -= months[m];
        m += 1;
    }
    format!("{y}-{:02}-{:02}", m + 1, d + 1)
}

fn run(args: &[String]) -> std::process::Output {
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

#[test]
fn imports_killed_at_any_moment_leave_one_whole_version_or_none() {
    let iterations: usize = std::env::var("MKPI_CRASH_ITERATIONS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(50);
    let dir = tempfile::tempdir().unwrap();
    let versions = files(dir.path());
    let rt = tokio::runtime::Runtime::new().unwrap();
    let mut backends: Vec<(
        Vec<String>,
        String,
        Option<mkpi_store::testing::TestDatabase>,
    )> = vec![(
        vec![
            "--data-dir".into(),
            dir.path().join("data").display().to_string(),
        ],
        format!("sqlite://{}", dir.path().join("data/mkpi.db").display()),
        None,
    )];
    if std::env::var("MKPI_TEST_POSTGRES_URL").is_ok()
        && let Some(db) = rt.block_on(mkpi_store::testing::postgres())
    {
        backends.push((
            vec!["--database-url".into(), db.url.clone()],
            db.url.clone(),
            Some(db),
        ));
    }
    let campaigns = dir.path().join("campaigns.csv");
    let mut list = String::from("campaign,name,currency\n");
    for c in 0..10 {
        list.push_str(&format!("C-{c},Campaign {c},RUB\n"));
    }
    std::fs::write(&campaigns, list).unwrap();

    let mut seed = 0x0005_DEEC_E66D_u64;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    for (db_args, url, _guard) in &backends {
        let mut args = vec![
            "import".to_string(),
            "--preset".into(),
            "mkpi-campaigns".into(),
        ];
        args.push(campaigns.display().to_string());
        args.extend(db_args.iter().cloned());
        let o = run(&args);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));

        // A whole import first, timed: the kills then fall anywhere in
        // 0–130% of its length, so some finish and most do not.
        let mut args = vec![
            "import".to_string(),
            "--preset".into(),
            "mkpi-ad-stats".into(),
        ];
        args.push(versions[1].0.display().to_string());
        args.extend(db_args.iter().cloned());
        let started = std::time::Instant::now();
        let o = run(&args);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let span_ms = (started.elapsed().as_millis() as u64 * 13 / 10).max(50);

        // What the database must hold: the last acknowledged version, or a
        // later one whose acknowledgement the kill cut off.
        let mut acknowledged: Option<usize> = Some(1);
        let mut killed = 0;
        for i in 0..iterations {
            let which = i % 2;
            let mut args = vec![
                "import".to_string(),
                "--preset".into(),
                "mkpi-ad-stats".into(),
            ];
            args.push(versions[which].0.display().to_string());
            args.extend(db_args.iter().cloned());
            let mut child = Command::new(BIN)
                .args(&args)
                .env("MKPI_LOG", "error")
                .stdout(Stdio::piped())
                .stderr(Stdio::null())
                .spawn()
                .unwrap();
            std::thread::sleep(Duration::from_millis(next() % span_ms));
            let finished = child.try_wait().unwrap().is_some();
            if !finished {
                child.kill().unwrap();
                killed += 1;
            }
            child.wait().unwrap();
            let mut out = String::new();
            child
                .stdout
                .take()
                .unwrap()
                .read_to_string(&mut out)
                .unwrap();
            let said_imported = out.contains("imported as #");

            let (check, totals, applied) = rt.block_on(async {
                let store = mkpi_store::Store::open(url).await.unwrap();
                let check = store.integrity_check().await.unwrap();
                let mut tx = store.read().await.unwrap();
                let totals = mkpi_store::ad_stats::totals(&mut tx).await.unwrap();
                let imports = mkpi_store::imports::list(&mut tx, 1000).await.unwrap();
                let applied = imports
                    .iter()
                    .filter(|i| i.fact == "ad_stats" && i.status == "applied")
                    .count();
                (check, totals, applied)
            });
            assert_eq!(check, "ok", "iteration {i}: the database is damaged");
            // Exactly one version, whole: 30,000 rows and its clicks — or
            // nothing yet.
            let state = match (totals.row_count, totals.clicks) {
                (0, 0) => None,
                (30_000, c) if c == versions[0].1 => Some(0),
                (30_000, c) if c == versions[1].1 => Some(1),
                other => panic!("iteration {i}: a half-applied import: {other:?}"),
            };
            if said_imported {
                assert_eq!(
                    state,
                    Some(which),
                    "iteration {i}: an acknowledged import is missing"
                );
                acknowledged = Some(which);
            } else if state != acknowledged {
                // The kill came after the commit, before the message.
                assert_eq!(
                    state,
                    Some(which),
                    "iteration {i}: neither the last nor this version"
                );
                acknowledged = state;
            }
            // Every applied import left its rows: the versions replace each
            // other, they never add up (no duplicates).
            assert!(applied == 0 || totals.row_count == 30_000, "iteration {i}");
        }
        eprintln!("{url}: {killed} of {iterations} imports killed mid-way");
        assert!(
            killed >= iterations / 4,
            "only {killed} of {iterations} runs were killed mid-way"
        );
    }
}
