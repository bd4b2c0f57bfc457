//! The binary as operators use it: each command, its output and its one-line
//! errors. Database commands run on SQLite, and on PostgreSQL too when
//! `MKPI_TEST_POSTGRES_URL` is set.

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_mkpi");

fn mkpi<S: AsRef<std::ffi::OsStr>>(args: &[S], stdin: Option<&str>) -> Output {
    let mut child = Command::new(BIN)
        .args(args)
        .env("MKPI_LOG", "warn")
        .env_remove("MKPI_DATABASE_URL")
        .env_remove("MKPI_DATA_DIR")
        .env_remove("MKPI_CONFIG")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run mkpi");
    if let Some(input) = stdin {
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
    } else {
        drop(child.stdin.take());
    }
    child.wait_with_output().unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).to_string()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).to_string()
}

/// Database arguments for every backend this run covers, with the guards
/// that remove the test databases afterwards.
fn databases(
    dir: &std::path::Path,
) -> Vec<(Vec<String>, Option<mkpi_store::testing::TestDatabase>)> {
    let mut out = vec![(
        vec!["--data-dir".to_string(), dir.display().to_string()],
        None,
    )];
    if std::env::var("MKPI_TEST_POSTGRES_URL").is_ok() {
        let rt = tokio::runtime::Runtime::new().unwrap();
        let db = rt.block_on(mkpi_store::testing::postgres()).unwrap();
        out.push((vec!["--database-url".to_string(), db.url.clone()], Some(db)));
    }
    out
}

#[test]
fn user_commands_create_list_change_and_deactivate_accounts() {
    let dir = tempfile::tempdir().unwrap();
    for (db, _guard) in databases(dir.path()) {
        let with = |args: &[&'static str]| -> Vec<String> {
            args.iter()
                .map(|a| a.to_string())
                .chain(db.iter().map(|a| a.to_string()))
                .collect()
        };

        let o = mkpi(&with(&["migrate"]), None);
        assert!(o.status.success(), "{}", stderr(&o));
        assert!(stdout(&o).starts_with("database is up to date"));

        let o = mkpi(
            &with(&[
                "user",
                "add",
                "--login",
                "Anna",
                "--role",
                "admin",
                "--password-stdin",
            ]),
            Some("a-long-password\n"),
        );
        assert!(o.status.success(), "{}", stderr(&o));
        assert!(
            stdout(&o).starts_with("created user anna (id "),
            "{}",
            stdout(&o)
        );

        let o = mkpi(
            &with(&[
                "user",
                "add",
                "--login",
                "anna",
                "--role",
                "boss",
                "--password-stdin",
            ]),
            Some("short\n"),
        );
        assert_eq!(o.status.code(), Some(1));
        assert_eq!(
            stderr(&o).trim(),
            "error: invalid input: password: password must be at least 8 characters long; role: unknown role 'boss': expected one of admin, head, manager, employee, viewer"
        );

        let o = mkpi(
            &with(&[
                "user",
                "add",
                "--login",
                "bob",
                "--role",
                "employee",
                "--employee",
                "bob@nowhere.ru",
                "--password-stdin",
            ]),
            Some("a-long-password\n"),
        );
        assert_eq!(
            stderr(&o).trim(),
            "error: invalid input: employee: no employee has the e-mail bob@nowhere.ru"
        );

        let o = mkpi(
            &with(&[
                "user",
                "add",
                "--login",
                "carl",
                "--role",
                "viewer",
                "--password-stdin",
            ]),
            Some(""),
        );
        assert!(
            stderr(&o).contains("no password on standard input"),
            "{}",
            stderr(&o)
        );

        let o = mkpi(
            &with(&["user", "passwd", "--login", "anna", "--password-stdin"]),
            Some("another-long-one\n"),
        );
        assert!(o.status.success(), "{}", stderr(&o));
        let o = mkpi(
            &with(&["user", "passwd", "--login", "nobody", "--password-stdin"]),
            Some("another-long-one\n"),
        );
        assert_eq!(
            stderr(&o).trim(),
            "error: invalid input: login: no user has the login 'nobody'"
        );

        let o = mkpi(&with(&["user", "deactivate", "--login", "anna"]), None);
        assert!(o.status.success(), "{}", stderr(&o));
        let o = mkpi(&with(&["user", "list"]), None);
        let lines: Vec<String> = stdout(&o)
            .lines()
            .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
            .collect();
        assert_eq!(
            lines,
            ["login role status employee", "anna admin inactive —"]
        );
    }
}

#[test]
fn bad_settings_fail_with_one_clear_line() {
    let o = mkpi(
        &["migrate", "--database-url", "mysql://root@localhost/x"],
        None,
    );
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        stderr(&o).trim(),
        "error: database URL 'mysql://root@localhost/x' is not supported: use sqlite://PATH (e.g. sqlite://data/mkpi.db) or postgres://USER@HOST:PORT/DB"
    );

    let o = mkpi(
        &["migrate", "--data-dir", "/proc/mkpi-cannot-be-here"],
        None,
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).starts_with("error: cannot create the data dir /proc/mkpi-cannot-be-here"),
        "{}",
        stderr(&o)
    );
    assert_eq!(stderr(&o).lines().count(), 1);

    let o = mkpi(
        &[
            "migrate",
            "--database-url",
            "postgres://nobody:secret@127.0.0.1:1/x",
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("cannot open the database at postgres://nobody:***@127.0.0.1:1/x"),
        "{}",
        stderr(&o)
    );
    assert!(!stderr(&o).contains("secret"));

    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("mkpi.toml");
    std::fs::write(&cfg, "adress = \"0.0.0.0:80\"\n").unwrap();
    let o = mkpi(&["--config", cfg.to_str().unwrap(), "migrate"], None);
    assert!(
        stderr(&o).contains("is invalid") && stderr(&o).contains("unknown field `adress`"),
        "{}",
        stderr(&o)
    );

    let o = mkpi(&["user", "add", "--login", "x"], None);
    assert_eq!(o.status.code(), Some(2), "usage errors come from clap");
}

#[test]
fn config_example_and_openapi_print_usable_documents() {
    let o = mkpi(&["config", "example"], None);
    assert!(o.status.success());
    assert!(stdout(&o).contains("addr = \"127.0.0.1:8080\""));
    let o = mkpi(&["openapi"], None);
    let doc: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(doc["paths"]["/api/v1/employees/{id}"]["get"].is_object());
}

#[test]
fn backup_copies_a_live_sqlite_database_and_refuses_to_overwrite() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let d = data.to_str().unwrap();
    mkpi(
        &[
            "user",
            "add",
            "--login",
            "anna",
            "--role",
            "admin",
            "--password-stdin",
            "--data-dir",
            d,
        ],
        Some("a-long-password\n"),
    );
    let out = dir.path().join("copy.db");
    let o = mkpi(
        &["backup", "--data-dir", d, "--out", out.to_str().unwrap()],
        None,
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).starts_with(&format!("backup written to {}", out.display())));
    // The copy is a working database with the same account.
    let copy_dir = dir.path().join("restored");
    std::fs::create_dir(&copy_dir).unwrap();
    std::fs::copy(&out, copy_dir.join("mkpi.db")).unwrap();
    let o = mkpi(
        &["user", "list", "--data-dir", copy_dir.to_str().unwrap()],
        None,
    );
    assert!(stdout(&o).contains("anna"), "{}", stdout(&o));

    let o = mkpi(
        &["backup", "--data-dir", d, "--out", out.to_str().unwrap()],
        None,
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("already exists"), "{}", stderr(&o));

    // A file that is no backup is refused by what it is, and nothing changes.
    let o = mkpi(&["restore", "--data-dir", d, "--from", "Cargo.toml"], None);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        stderr(&o).trim(),
        "error: Cargo.toml is not an SQLite database: a data dir is restored from a file `mkpi backup` wrote"
    );
}

/// Starts `mkpi demo` on a free port; returns the child and the address.
fn start_demo(data_dir: &str) -> (std::process::Child, String) {
    let mut child = Command::new(BIN)
        .args(["demo", "--addr", "127.0.0.1:0", "--data-dir", data_dir])
        .env("MKPI_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let ready = lines.next().unwrap().unwrap();
    let addr = ready
        .strip_prefix("mkpi is ready at http://")
        .and_then(|r| r.split('/').next())
        .unwrap_or_else(|| panic!("unexpected first line: {ready}"))
        .to_string();
    let logins = lines.next().unwrap().unwrap();
    assert_eq!(
        logins,
        "demo logins (password \"demo\"): admin, head, manager, employee, viewer"
    );
    (child, addr)
}

fn http_get(addr: &str, path: &str) -> String {
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut answer = String::new();
    s.read_to_string(&mut answer).unwrap();
    answer
}

#[test]
fn demo_starts_fresh_serves_and_a_busy_port_is_one_clear_line() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().join("demo").display().to_string();
    let started = Instant::now();
    let (mut child, addr) = start_demo(&d);
    assert!(started.elapsed() < Duration::from_secs(60));
    assert!(http_get(&addr, "/healthz").starts_with("HTTP/1.1 200 OK"));
    assert!(http_get(&addr, "/login").contains("id=\"login-form\""));

    // The same port again: refused before touching anything.
    let o = mkpi(&["serve", "--addr", &addr, "--data-dir", &d], None);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).trim().starts_with(&format!(
            "error: cannot listen on {addr}: the address is in use"
        )),
        "{}",
        stderr(&o)
    );
    child.kill().unwrap();
    child.wait().unwrap();

    // A second start recreates the demo database from scratch.
    let (mut child, addr) = start_demo(&d);
    assert!(http_get(&addr, "/healthz").starts_with("HTTP/1.1 200 OK"));
    child.kill().unwrap();
    child.wait().unwrap();

    // A real database in the data dir is never overwritten by the demo.
    let real = dir.path().join("real");
    let r = real.to_str().unwrap();
    mkpi(
        &[
            "user",
            "add",
            "--login",
            "anna",
            "--role",
            "admin",
            "--password-stdin",
            "--data-dir",
            r,
        ],
        Some("a-long-password\n"),
    );
    let o = mkpi(&["demo", "--addr", "127.0.0.1:0", "--data-dir", r], None);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("is not a demo; refusing to overwrite it"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn import_reads_files_with_a_preset_reports_and_rolls_back() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().join("data");
    let d = d.to_str().unwrap();
    let write = |name: &str, text: &str| {
        let p = dir.path().join(name);
        std::fs::write(&p, text).unwrap();
        p.display().to_string()
    };
    let campaigns = write(
        "campaigns.csv",
        "campaign;name;currency\nG-1;Бренд;RUB\nY-2;РСЯ;RUB\n",
    );
    let stats = write(
        "stats.csv",
        "Дата;Кампания;Показы;Клики;Расход\n01.12.2024;G-1;1 000;10;150,50\n01.12.2024;Y-2;2 000;20;99,90\n",
    );
    let o = mkpi(
        &[
            "import",
            "--preset",
            "mkpi-campaigns",
            &campaigns,
            "--data-dir",
            d,
        ],
        None,
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let o = mkpi(
        &[
            "import",
            "--preset",
            "mkpi-ad-stats",
            &stats,
            "--data-dir",
            d,
        ],
        None,
    );
    assert_eq!(
        stdout(&o).trim(),
        format!(
            "{stats}: imported as #2 — 2 rows read: 2 added, 0 updated, 0 unchanged; 0 rejected (ad_stats preset mkpi-ad-stats, UTF-8, delimiter ';', header on row 1)"
        )
    );
    let o = mkpi(
        &[
            "import",
            "--preset",
            "mkpi-ad-stats",
            "--dry-run",
            &stats,
            "--data-dir",
            d,
        ],
        None,
    );
    assert!(
        stdout(&o).contains(
            "dry run: nothing stored — 2 rows read: would be 0 added, 0 updated, 2 unchanged"
        ),
        "{}",
        stdout(&o)
    );

    let bad = write(
        "bad.csv",
        "date,campaign,impressions,clicks,spend\n2024-12-02,G-1,10,20,1\n",
    );
    let o = mkpi(
        &["import", "--preset", "mkpi-ad-stats", &bad, "--data-dir", d],
        None,
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stdout(&o)
            .contains("row 2, column 'clicks', value '20': is more than the impressions (10)"),
        "{}",
        stdout(&o)
    );
    assert_eq!(
        stderr(&o).trim().lines().last(),
        Some("error: 1 of 1 files had problems")
    );

    let o = mkpi(
        &["import", "--preset", "no-such", &bad, "--data-dir", d],
        None,
    );
    let err = stderr(&o);
    assert!(
        err.trim().starts_with(
            "error: invalid input: preset: unknown preset 'no-such': use one of mkpi-campaigns, mkpi-ad-stats, mkpi-web-traffic,"
        ) && err.contains("google-ads"),
        "{err}"
    );

    let o = mkpi(&["imports", "list", "--data-dir", d], None);
    let rows: Vec<String> = stdout(&o)
        .lines()
        .skip(1)
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .collect();
    assert_eq!(
        rows,
        ["2 applied mkpi-ad-stats", "1 applied mkpi-campaigns"]
    );
    let o = mkpi(&["imports", "rollback", "--id", "1", "--data-dir", d], None);
    assert_eq!(
        stderr(&o).trim(),
        "error: only the most recent import can be rolled back: roll back import #2 first"
    );
    let o = mkpi(&["imports", "rollback", "--id", "2", "--data-dir", d], None);
    assert_eq!(stdout(&o).trim(), "import #2 rolled back");
}

#[test]
fn alerts_checks_kpis_once_and_mail_settings_fail_with_one_clear_line() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().display().to_string();
    let o = mkpi(&["alerts", "--data-dir", &data], None);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stdout(&o), "0 new alert(s)\n");

    let o = mkpi(
        &[
            "alerts",
            "--data-dir",
            &data,
            "--smtp-url",
            "smtp://localhost:25",
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        stderr(&o).trim(),
        "error: --mail-from (MKPI_MAIL_FROM, mail_from) is needed with an SMTP URL"
    );

    let o = mkpi(
        &[
            "alerts",
            "--data-dir",
            &data,
            "--smtp-url",
            "smtpx://anna:secret@mail.example.com",
            "--mail-from",
            "mkpi@example.com",
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).starts_with("error: invalid input: smtp_url: is not a usable SMTP URL"),
        "{}",
        stderr(&o)
    );
    assert!(!stderr(&o).contains("secret"), "{}", stderr(&o));
    assert_eq!(stderr(&o).lines().count(), 1);

    let o = mkpi(
        &[
            "alerts",
            "--data-dir",
            &data,
            "--smtp-url",
            "smtp://localhost:25",
            "--mail-from",
            "not an address",
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).starts_with(
            "error: invalid input: mail_from: 'not an address' is not a sender address"
        ),
        "{}",
        stderr(&o)
    );
}

#[test]
fn report_writes_the_demo_quarterly_in_every_format_with_progress() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().join("demo").display().to_string();
    let (mut child, _) = start_demo(&d);
    child.kill().unwrap();
    child.wait().unwrap();

    let o = mkpi(&["report", "--data-dir", &d, "--list"], None);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let listed = stdout(&o);
    let names: Vec<&str> = listed
        .lines()
        .map(|l| l.split('\t').next().unwrap())
        .collect();
    assert_eq!(names, ["monthly", "quarterly"]);

    for (format, start) in [
        ("pdf", &b"%PDF-"[..]),
        ("slides", &b"%PDF-"[..]),
        ("xlsx", &b"PK"[..]),
        ("csv", &b"\xEF\xBB\xBF"[..]),
        ("html", &b"<!doctype html>"[..]),
    ] {
        let out = dir.path().join(format!("q.{format}"));
        let out_s = out.display().to_string();
        let o = mkpi(
            &[
                "report",
                "--data-dir",
                &d,
                "--definition",
                "quarterly",
                "--format",
                format,
                "--out",
                &out_s,
            ],
            None,
        );
        assert_eq!(o.status.code(), Some(0), "{format}: {}", stderr(&o));
        assert_eq!(stdout(&o).trim(), out_s);
        let err = stderr(&o);
        assert!(
            err.starts_with("report 'quarterly': reading the data\n  reading kpis…\n"),
            "{err}"
        );
        assert!(
            err.contains("  reading competitors…\n")
                && err.contains(&format!("rendering {format} …\nwrote {out_s} (")),
            "{err}"
        );
        let bytes = std::fs::read(&out).unwrap();
        assert!(bytes.starts_with(start), "{format}");
    }
    // The CSV's table by name, and mistakes in one clear line.
    let out = dir.path().join("c.csv").display().to_string();
    let o = mkpi(
        &[
            "report",
            "--data-dir",
            &d,
            "--definition",
            "quarterly",
            "--format",
            "csv",
            "--table",
            "channels",
            "--out",
            &out,
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        std::fs::read_to_string(&out)
            .unwrap()
            .starts_with("\u{feff}Канал,Расход,Доля расхода,ROI,CPA\n")
    );
    for (args, message) in [
        (
            vec!["--definition", "weekly"],
            "error: there is no report definition 'weekly'; there are: monthly, quarterly",
        ),
        (
            vec!["--definition", "quarterly", "--format", "docx"],
            "error: 'docx' is not a format; use html, pdf, slides, xlsx or csv",
        ),
        (
            vec![
                "--definition",
                "quarterly",
                "--format",
                "csv",
                "--table",
                "x",
            ],
            "error: 'x' is not a table of this report; it has kpis, trends",
        ),
        (
            vec!["--definition", "quarterly", "--as", "nobody"],
            "error: there is no active user 'nobody'",
        ),
    ] {
        let mut all = vec!["report", "--data-dir", &d, "--out", &out];
        all.extend(args);
        let o = mkpi(&all, None);
        assert_eq!(o.status.code(), Some(1));
        assert!(
            stderr(&o).lines().any(|l| l.starts_with(message)),
            "{}",
            stderr(&o)
        );
    }
    // As an employee sees it: no evaluation section's figures.
    let o = mkpi(
        &[
            "report",
            "--data-dir",
            &d,
            "--definition",
            "quarterly",
            "--format",
            "html",
            "--as",
            "employee",
            "--out",
            &out,
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        std::fs::read_to_string(&out)
            .unwrap()
            .contains("Нет завершённого цикла оценки")
    );
}

/// `mkpi init` sets a new installation up as `/setup` does, once; then a
/// staff list fills the department.
#[test]
fn init_sets_up_an_empty_installation_once_and_a_staff_list_fills_it() {
    let dir = tempfile::tempdir().unwrap();
    for (db, _guard) in databases(&dir.path().join("data")) {
        let args = |extra: &[&str]| -> Vec<String> {
            let mut a: Vec<String> = extra.iter().map(ToString::to_string).collect();
            a.extend(db.iter().cloned());
            a
        };
        // Every problem at once, nothing stored.
        let o = mkpi(
            &args(&[
                "init",
                "--company",
                " ",
                "--currency",
                "рубль",
                "--admin",
                "anna",
                "--password-stdin",
            ]),
            Some("short\n"),
        );
        assert!(!o.status.success());
        let err = stderr(&o);
        assert!(err.contains("name: is required"), "{err}");
        assert!(
            err.contains("currency: 'рубль' is not a currency code"),
            "{err}"
        );
        assert!(err.contains("admin_password"), "{err}");

        let o = mkpi(
            &args(&[
                "init",
                "--company",
                "ООО «Ромашка»",
                "--admin",
                "anna",
                "--password-stdin",
            ]),
            Some("a long password\n"),
        );
        assert!(o.status.success(), "{}", stderr(&o));
        assert_eq!(
            stdout(&o),
            "set up ООО «Ромашка»; sign in as anna and follow the first steps at /start\n"
        );
        let o = mkpi(
            &args(&[
                "init",
                "--company",
                "Other",
                "--admin",
                "boris",
                "--password-stdin",
            ]),
            Some("a long password\n"),
        );
        assert!(!o.status.success());
        assert_eq!(stderr(&o), "error: mkpi is set up already\n");

        let staff = dir.path().join("staff.csv");
        std::fs::write(
            &staff,
            "email,name,position,team,manager\n\
             lead@romashka.ru,Ирина Лебедева,Руководитель performance,Performance,\n\
             pavel@romashka.ru,Павел Орлов,Специалист,Performance/Paid social,lead@romashka.ru\n",
        )
        .unwrap();
        let mut a = args(&["import", "--preset", "mkpi-employees"]);
        a.push(staff.display().to_string());
        let o = mkpi(&a, None);
        assert!(o.status.success(), "{}", stderr(&o));
        let out = stdout(&o);
        assert!(
            out.contains("2 rows read: 2 added, 0 updated, 0 unchanged; 0 rejected"),
            "{out}"
        );
        assert!(out.contains("2 teams and 0 accounts created"), "{out}");

        // A tracker's export names people as the tracker knows them.
        let toggl = dir.path().join("toggl.csv");
        let week = |day: &str| {
            format!(
                "User,Email,Start date,Start time,Duration,Project\n\
                 Pavel O,p.orlov@gmail.com,{day},09:00:00,01:30:00,Brand\n\
                 Vera,vera@agency.ru,{day},10:00:00,02:00:00,Brand\n"
            )
        };
        std::fs::write(&toggl, week("2024-12-02")).unwrap();
        let import = |extra: &[&str]| {
            let mut a = args(&["import", "--preset", "toggl-time"]);
            a.extend(extra.iter().map(ToString::to_string));
            a.push(toggl.display().to_string());
            mkpi(&a, None)
        };
        let o = import(&[]);
        assert!(!o.status.success());
        let out = stdout(&o);
        assert!(
            out.contains(
                "2 people the file names are unknown; say who each is with --person 'NAMED=EMAIL'"
            ),
            "{out}"
        );
        assert!(
            out.contains("  \"p.orlov@gmail.com\" (employee, 1 rows from row 2): no employee has the e-mail p.orlov@gmail.com"),
            "{out}"
        );
        assert!(out.contains("  \"vera@agency.ru\" (employee, 1 rows from row 3): no employee has the e-mail vera@agency.ru"), "{out}");

        // A wrong answer is one clear problem, and nothing is stored.
        let o = import(&["--person", "p.orlov@gmail.com=nobody@romashka.ru"]);
        assert!(!o.status.success());
        assert!(stdout(&o).contains("row 0, column 'people', value 'p.orlov@gmail.com': no employee has the e-mail nobody@romashka.ru: choose someone else or create them"), "{}", stdout(&o));
        let o = import(&["--person", "Pavel O"]);
        assert_eq!(
            stderr(&o),
            "error: --person \"Pavel O\": write it as NAMED=EMAIL or NAMED=EMAIL,Full Name,Team\n"
        );

        // Pavel is someone we know; Vera is added, from an answers file.
        let answers = dir.path().join("people.csv");
        std::fs::write(
            &answers,
            "named,email,name,team\nvera@agency.ru,vera@romashka.ru,Вера Смирнова,Paid social\n",
        )
        .unwrap();
        let answers_arg = answers.display().to_string();
        let o = import(&[
            "--person",
            "p.orlov@gmail.com=pavel@romashka.ru",
            "--people",
            &answers_arg,
        ]);
        assert!(o.status.success(), "{}{}", stdout(&o), stderr(&o));
        let out = stdout(&o);
        assert!(out.contains("2 rows read: 2 added"), "{out}");
        assert!(
            out.contains("1 people added, 2 spellings remembered for toggl-time"),
            "{out}"
        );

        // The next week's file from the tracker needs no answers.
        std::fs::write(&toggl, week("2024-12-09")).unwrap();
        let o = import(&[]);
        assert!(o.status.success(), "{}{}", stdout(&o), stderr(&o));
        assert!(
            stdout(&o).contains("2 rows read: 2 added"),
            "{}",
            stdout(&o)
        );
    }
}
