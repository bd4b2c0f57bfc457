//! The corpus of broken files, per preset family: each is refused with a
//! message that says what and where, and the database is exactly as before
//! (every fact table counted, campaigns included, and no import recorded).

use std::io::Cursor;

use mkpi_ingest::{Fact, Preset};
use mkpi_services::imports::{ImportRequest, table_of};
use mkpi_services::users::Principal;
use mkpi_services::{AuthSettings, Clock, Services, Store};
use mkpi_store::testing;

/// A family: its preset, a good file, and the columns the breakages use.
struct Family {
    preset: &'static str,
    good: String,
    /// A whole-number column, a date column, a text column, a required
    /// column (its header).
    count: &'static str,
    date: &'static str,
    text: &'static str,
    required: &'static str,
}

/// One broken file and the words its refusal must contain.
struct Broken {
    what: &'static str,
    bytes: Vec<u8>,
    says: Vec<String>,
}

fn families(email: &str) -> Vec<Family> {
    vec![
        Family {
            preset: "mkpi-campaigns",
            good: "campaign,name,channel,budget,currency\nG-1,Бренд,paid_search,1000,RUB\nG-2,РСЯ,display,500,RUB\n".into(),
            count: "budget",
            date: "",
            text: "name",
            required: "campaign",
        },
        Family {
            preset: "mkpi-ad-stats",
            good: "date,campaign,impressions,clicks,spend,currency\n2024-12-01,C-1,100,10,5.5,RUB\n2024-12-02,C-1,120,12,6,RUB\n".into(),
            count: "impressions",
            date: "date",
            text: "campaign",
            required: "clicks",
        },
        Family {
            preset: "mkpi-web-traffic",
            good: "date,source,medium,sessions,users\n2024-12-01,google,cpc,100,80\n2024-12-02,google,cpc,90,70\n".into(),
            count: "sessions",
            date: "date",
            text: "source",
            required: "sessions",
        },
        Family {
            preset: "mkpi-orders",
            good: "order_id,customer_id,date,amount,currency,campaign\nA-1,C-1,2024-12-01,100,RUB,C-1\nA-2,C-2,2024-12-02,200,RUB,\n".into(),
            count: "amount",
            date: "date",
            text: "customer_id",
            required: "order_id",
        },
        Family {
            preset: "mkpi-lead-stages",
            good: "lead_id,stage,at,channel\nL-1,lead,2024-12-01 10:00,email\nL-1,mql,2024-12-02 11:00,email\n".into(),
            count: "",
            date: "at",
            text: "channel",
            required: "stage",
        },
        Family {
            preset: "mkpi-survey-responses",
            good: "response_id,date,segment,csat,nps\nR-1,2024-12-01,B2B,5,9\nR-2,2024-12-01,B2C,4,7\n".into(),
            count: "csat",
            date: "date",
            text: "segment",
            required: "response_id",
        },
        Family {
            preset: "mkpi-social-stats",
            good: "date,network,account,followers,mentions\n2024-12-01,vk,demo,100,5\n2024-12-02,vk,demo,101,6\n".into(),
            count: "followers",
            date: "date",
            text: "account",
            required: "network",
        },
        Family {
            preset: "mkpi-time-entries",
            good: format!("employee,date,hours,description\n{email},2024-12-01,2,Отчёт\n{email},2024-12-02,3,Бриф\n"),
            count: "",
            date: "date",
            text: "description",
            required: "hours",
        },
        Family {
            preset: "mkpi-tasks",
            good: format!("task,title,status,assignee,due\nT-1,Бриф,done,{email},2024-12-01\nT-2,Отчёт,planned,{email},2024-12-02\n"),
            count: "",
            date: "due",
            text: "title",
            required: "title",
        },
    ]
}

/// Replaces the cell of `column` on the first data row.
fn with_cell(good: &str, column: &str, value: &str) -> String {
    let mut lines: Vec<String> = good.lines().map(str::to_string).collect();
    let headers: Vec<&str> = lines[0].split(',').collect();
    let i = headers.iter().position(|h| *h == column).unwrap();
    let mut cells: Vec<String> = lines[1].split(',').map(str::to_string).collect();
    cells[i] = value.to_string();
    lines[1] = cells.join(",");
    lines.join("\n") + "\n"
}

fn corpus(f: &Family) -> Vec<Broken> {
    let good = f.good.as_str();
    let header = good.lines().next().unwrap();
    let mut out = vec![
        Broken {
            what: "empty",
            bytes: Vec::new(),
            says: vec!["the file is empty".into()],
        },
        Broken {
            what: "binary junk",
            bytes: (0..4096u32)
                .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
                .collect(),
            says: vec!["binary".into()],
        },
        Broken {
            what: "a PDF",
            bytes: b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n".to_vec(),
            says: vec!["PDF".into()],
        },
        Broken {
            what: "a broken workbook",
            bytes: b"PK\x03\x04\x14\x00\x00\x00garbage".to_vec(),
            says: vec!["not a readable XLSX workbook".into()],
        },
        Broken {
            what: "truncated in a quoted cell",
            bytes: format!("{good}\"unfinished, cell").into_bytes(),
            says: vec!["row 4".into()],
        },
        Broken {
            what: "missing required column",
            bytes: {
                let headers: Vec<&str> = header.split(',').collect();
                let i = headers.iter().position(|h| *h == f.required).unwrap();
                good.lines()
                    .map(|l| {
                        let mut c: Vec<&str> = l.split(',').collect();
                        c.remove(i);
                        c.join(",")
                    })
                    .collect::<Vec<_>>()
                    .join("\n")
                    .into_bytes()
            },
            says: vec![
                "no header row found in the first 30 rows".into(),
                format!("'{}'", f.required),
            ],
        },
        Broken {
            what: "duplicated header",
            // The required column again at the end of every line.
            bytes: {
                let at = header.split(',').position(|h| h == f.required).unwrap();
                good.lines()
                    .map(|l| format!("{l},{}", l.split(',').nth(at).unwrap()))
                    .collect::<Vec<_>>()
                    .join("\n")
                    .into_bytes()
            },
            says: vec![format!("both feed the field '{}'", f.required)],
        },
        Broken {
            what: "formula injection",
            bytes: with_cell(good, f.text, "=cmd|' /C calc'!A0").into_bytes(),
            says: vec![
                format!("row 2, column '{}'", f.text),
                "starts like a spreadsheet formula".into(),
            ],
        },
        Broken {
            what: "a ten-million-character line",
            bytes: with_cell(good, f.text, &"x".repeat(10_000_000)).into_bytes(),
            says: vec![
                format!("row 2, column '{}'", f.text),
                "is longer than 1000 characters".into(),
            ],
        },
        Broken {
            what: "a NUL byte in the text",
            bytes: good.replacen('\n', "\n\0", 1).into_bytes(),
            says: vec!["binary".into()],
        },
        Broken {
            what: "invalid UTF-8 after a valid start",
            bytes: {
                let mut b = good.as_bytes().to_vec();
                b.extend_from_slice(&[0xC3, 0x28, b',', b'\n']);
                b.extend(std::iter::repeat_n(b'a', 70_000));
                b
            },
            says: vec!["row".into()],
        },
    ];
    // Files that are something else, or hide their header.
    let no_header = "no header row found in the first 30 rows";
    let elsewhere: Vec<(&'static str, Vec<u8>, &str)> = vec![
        (
            "an HTML error page",
            b"<html><body><h1>404 Not Found</h1></body></html>\n".to_vec(),
            no_header,
        ),
        (
            "a JSON document",
            b"{\"rows\": [{\"a\": 1}]}\n".to_vec(),
            no_header,
        ),
        (
            "a gzip header",
            b"\x1f\x8b\x08\x00\x00\x00\x00\x00".to_vec(),
            no_header,
        ),
        (
            "an empty ZIP directory",
            b"PK\x05\x06\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"
                .to_vec(),
            no_header,
        ),
        ("blank lines only", b"\n\n\n\n".to_vec(), no_header),
        (
            "an RTF document",
            b"{\\rtf1\\ansi{\\fonttbl\\f0\\fswiss Helvetica;}\\f0\\pard report\\par}".to_vec(),
            no_header,
        ),
        (
            "the header in words no preset knows",
            b"alpha,beta,gamma\n1,2,3\n".to_vec(),
            no_header,
        ),
        (
            "the header below 30 lines of preamble",
            format!("{}{good}", "report generated by a tool\n".repeat(31)).into_bytes(),
            no_header,
        ),
        (
            "a PNG image",
            b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01".to_vec(),
            "this is an image, not a table",
        ),
        (
            "a JPEG image",
            b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01".to_vec(),
            "this is an image, not a table",
        ),
        (
            "an old Excel (OLE2) file",
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\x00\x00\x00\x00".to_vec(),
            "this is a legacy Excel .xls file: save it as .xlsx or CSV",
        ),
        (
            "a byte-order mark and nothing else",
            b"\xef\xbb\xbf".to_vec(),
            no_header,
        ),
        (
            "a byte-order mark and blank lines",
            b"\xef\xbb\xbf\n\n\n".to_vec(),
            no_header,
        ),
    ];
    for (what, bytes, says) in elsewhere {
        out.push(Broken {
            what,
            bytes,
            says: vec![says.to_string()],
        });
    }
    // One bad cell in a column of a known kind: the row, the column, the
    // value as written and why.
    let mut cell = |what: &'static str, column: &str, value: &str, why: &str| {
        if column.is_empty() {
            return;
        }
        out.push(Broken {
            what,
            bytes: with_cell(good, column, value).into_bytes(),
            says: vec![
                format!("row 2, column '{column}', value '{value}'"),
                why.to_string(),
            ],
        });
    };
    cell(
        "a required cell left empty",
        f.required,
        "",
        "is required but has no value",
    );
    cell(
        "a required cell of spaces",
        f.required,
        "   ",
        "is required but has no value",
    );
    cell(
        "a date in the next century",
        f.date,
        "2150-12-01",
        "outside the years 2000–2100",
    );
    cell(
        "a date before 2000",
        f.date,
        "1900-01-01",
        "outside the years 2000–2100",
    );
    cell(
        "a thirteenth month",
        f.date,
        "2024-13-01",
        "not a real calendar date",
    );
    cell(
        "the 30th of February",
        f.date,
        "2024-02-30",
        "not a real calendar date",
    );
    cell("a word for a date", f.date, "yesterday", "is not a date");
    cell("a date with letters", f.date, "2024-12-0x", "is not a date");
    cell(
        "a number that is not one",
        f.count,
        "NaN",
        "is not a number",
    );
    cell("infinity", f.count, "inf", "is not a number");
    cell(
        "a number past 64 bits",
        f.count,
        "99999999999999999999999",
        "is too large",
    );
    cell("two decimal points", f.count, "5.5.5", "is not a number");
    cell("digits then letters", f.count, "12abc", "is not a number");
    cell("a hexadecimal number", f.count, "0x1F", "is not a number");
    cell("a double minus", f.count, "--5", "is not a number");
    cell(
        "a formula with plus",
        f.text,
        "+SUM(A1:A9)",
        "starts like a spreadsheet formula",
    );
    cell(
        "a formula with at",
        f.text,
        "@SUM(A1)",
        "starts like a spreadsheet formula",
    );
    cell(
        "an equals formula",
        f.text,
        "=1+1",
        "starts like a spreadsheet formula",
    );
    cell(
        "a formula after a tab",
        f.text,
        "\t=1+1",
        "starts like a spreadsheet formula",
    );
    out.push(Broken {
        what: "a required cell of two quotes",
        bytes: with_cell(good, f.required, "\"\"").into_bytes(),
        says: vec![
            format!("row 2, column '{}', value ''", f.required),
            "is required but has no value".to_string(),
        ],
    });
    out.push(Broken {
        what: "a row cut after its first cell",
        bytes: {
            let mut lines: Vec<&str> = good.lines().collect();
            let first = lines[1].split(',').next().unwrap_or_default();
            lines[1] = first;
            (lines.join("\n") + "\n").into_bytes()
        },
        says: vec![
            "row 2, column '".to_string(),
            "is required but has no value".to_string(),
        ],
    });
    // A long value is quoted cut short.
    out.push(Broken {
        what: "a text of 1001 characters",
        bytes: with_cell(good, f.text, &"я".repeat(1001)).into_bytes(),
        says: vec![
            format!("row 2, column '{}', value 'яяя", f.text),
            "…': is longer than 1000 characters".to_string(),
        ],
    });
    if !f.date.is_empty() {
        out.push(Broken {
            what: "date out of range",
            bytes: with_cell(good, f.date, "1999-12-31").into_bytes(),
            says: vec![
                format!("row 2, column '{}', value '1999-12-31'", f.date),
                "outside the years 2000–2100".into(),
            ],
        });
        out.push(Broken {
            what: "not a date",
            bytes: with_cell(good, f.date, "31.02.2024").into_bytes(),
            says: vec![
                format!("row 2, column '{}', value '31.02.2024'", f.date),
                "not a real calendar date".into(),
            ],
        });
    }
    if !f.count.is_empty() {
        out.push(Broken {
            what: "negative number",
            bytes: with_cell(good, f.count, "-5").into_bytes(),
            says: vec![format!("row 2, column '{}', value '-5'", f.count)],
        });
        out.push(Broken {
            what: "words for a number",
            bytes: with_cell(good, f.count, "много").into_bytes(),
            says: vec![
                format!("row 2, column '{}', value 'много'", f.count),
                "is not a number".into(),
            ],
        });
    }
    out
}

#[tokio::test]
async fn every_broken_file_of_every_family_is_refused_precisely_and_changes_nothing() {
    for db in testing::all().await {
        let s = Services::new(
            Store::open(&db.url).await.unwrap(),
            Clock::fixed(1_790_000_000),
            AuthSettings::default(),
        );
        s.seed_demo(42).await.unwrap();
        let head = s.login("head", "demo", "t").await.unwrap().actor;
        let email = s.list_employees(&head).await.unwrap()[0].email.clone();
        // The references the good files make.
        let r = s
            .import_file(
                Principal::Operator,
                Cursor::new(b"campaign,name,currency\nC-1,Base,RUB\n".to_vec()),
                ImportRequest {
                    source: "c.csv".into(),
                    preset: Preset::find("mkpi-campaigns").unwrap(),
                    dry_run: false,
                    people: Vec::new(),
                },
            )
            .await
            .unwrap();
        assert!(r.applied);
        let mut checked = 0;
        let mut failures = Vec::new();
        for family in families(&email) {
            let preset = Preset::find(family.preset).unwrap();
            // The good file is good (dry run: nothing stored).
            let ok = s
                .import_file(
                    Principal::Operator,
                    Cursor::new(family.good.clone().into_bytes()),
                    ImportRequest {
                        source: "good.csv".into(),
                        preset: preset.clone(),
                        dry_run: true,
                        people: Vec::new(),
                    },
                )
                .await
                .unwrap();
            assert_eq!(
                ok.problems
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>(),
                Vec::<String>::new(),
                "{}",
                family.preset
            );
            let corpus = corpus(&family);
            assert!(
                corpus.len() >= 40,
                "{}: {} files",
                family.preset,
                corpus.len()
            );
            for broken in corpus {
                let before = state(&s).await;
                let result = s
                    .import_file(
                        Principal::Operator,
                        Cursor::new(broken.bytes),
                        ImportRequest {
                            source: "broken.csv".into(),
                            preset: preset.clone(),
                            dry_run: false,
                            people: Vec::new(),
                        },
                    )
                    .await;
                let message = match result {
                    Ok(r) if r.applied => "APPLIED".to_string(),
                    Ok(r) => r
                        .problems
                        .iter()
                        .map(ToString::to_string)
                        .collect::<Vec<_>>()
                        .join("; "),
                    Err(e) => e.to_string(),
                };
                if message.is_empty() || !broken.says.iter().all(|w| message.contains(w.as_str())) {
                    failures.push(format!(
                        "{} / {}: expected {:?}, got {message}",
                        family.preset, broken.what, broken.says
                    ));
                }
                if state(&s).await != before {
                    failures.push(format!(
                        "{} / {}: the database changed",
                        family.preset, broken.what
                    ));
                }
                checked += 1;
            }
        }
        assert!(
            failures.is_empty(),
            "{:?}:\n{}",
            db.backend,
            failures.join("\n")
        );
        assert!(checked >= 9 * 40, "{checked}");
    }
}

/// What a refused import must not change: rows of every fact and the
/// imports recorded.
async fn state(s: &Services) -> Vec<(String, i64)> {
    let mut tx = s.store().read().await.unwrap();
    let mut out = Vec::new();
    for fact in Fact::ALL.into_iter().filter(|f| f.is_generic()) {
        out.push((
            fact.name().to_string(),
            mkpi_store::facts::count(&mut tx, &table_of(fact))
                .await
                .unwrap(),
        ));
    }
    out.push((
        "campaigns".into(),
        mkpi_store::campaigns::all(&mut tx).await.unwrap().len() as i64,
    ));
    out.push((
        "ad_stats".into(),
        mkpi_store::ad_stats::totals(&mut tx)
            .await
            .unwrap()
            .row_count,
    ));
    drop(tx);
    // The newest import's id: any import recorded moves it (a count
    // capped by a page size would stop seeing new ones).
    out.push((
        "imports".into(),
        s.list_imports(Principal::Operator, 1)
            .await
            .unwrap()
            .first()
            .map_or(0, |i| i.id),
    ));
    out
}

/// One change to a good file.
#[derive(Debug, Clone)]
enum Mutation {
    /// A cell (data row, column) replaced.
    Cell(usize, usize, String),
    /// The file cut at a fraction (per mille) of its length.
    Truncate(usize),
    /// Bytes written over the file at a fraction of its length.
    Bytes(usize, Vec<u8>),
    /// A column removed from every line.
    DropColumn(usize),
    /// A data row written twice.
    DuplicateRow(usize),
    /// Another delimiter between the header's cells only.
    Delimiter(char),
}

fn mutate(good: &str, m: &Mutation) -> Vec<u8> {
    let mut lines: Vec<Vec<String>> = good
        .lines()
        .map(|l| l.split(',').map(str::to_string).collect())
        .collect();
    let join = |lines: &[Vec<String>]| {
        lines
            .iter()
            .map(|l| l.join(","))
            .collect::<Vec<_>>()
            .join("\n")
            + "\n"
    };
    // An earlier change may have left too little to change.
    let rows_needed = matches!(m, Mutation::Cell(..) | Mutation::DuplicateRow(_));
    if lines.is_empty() || (rows_needed && lines.len() < 2) {
        return good.as_bytes().to_vec();
    }
    match m {
        Mutation::Cell(row, col, value) => {
            let r = 1 + row % (lines.len() - 1);
            let c = col % lines[r].len();
            lines[r][c] = value.clone();
            join(&lines).into_bytes()
        }
        Mutation::Truncate(per_mille) => {
            let bytes = good.as_bytes();
            bytes[..bytes.len() * per_mille / 1000].to_vec()
        }
        Mutation::Bytes(per_mille, new) => {
            let mut bytes = good.as_bytes().to_vec();
            let at = bytes.len() * per_mille / 1000;
            for (i, b) in new.iter().enumerate() {
                if let Some(x) = bytes.get_mut(at + i) {
                    *x = *b;
                }
            }
            bytes
        }
        Mutation::DropColumn(col) => {
            let c = col % lines[0].len();
            for l in &mut lines {
                if c < l.len() {
                    l.remove(c);
                }
            }
            join(&lines).into_bytes()
        }
        Mutation::DuplicateRow(row) => {
            let r = 1 + row % (lines.len() - 1);
            let copy = lines[r].clone();
            lines.insert(r, copy);
            join(&lines).into_bytes()
        }
        Mutation::Delimiter(d) => {
            let header = lines[0].join(&d.to_string());
            let rest: Vec<String> = lines[1..].iter().map(|l| l.join(",")).collect();
            format!("{header}\n{}\n", rest.join("\n")).into_bytes()
        }
    }
}

fn mutation() -> impl proptest::strategy::Strategy<Value = Mutation> {
    use proptest::prelude::*;
    let nasty = prop_oneof![
        Just(String::new()),
        Just("-1".to_string()),
        Just("1e309".to_string()),
        Just("NaN".to_string()),
        Just("２０２４-12-01".to_string()),
        Just("2024-02-30".to_string()),
        Just("\u{0}".to_string()),
        Just("=cmd|' /C calc'!A0".to_string()),
        Just("\"unclosed".to_string()),
        Just("1 000,5".to_string()),
        Just("x".repeat(5000)),
        "\\PC{0,12}",
        any::<i64>().prop_map(|n| n.to_string()),
        any::<f64>().prop_map(|n| n.to_string()),
    ];
    prop_oneof![
        4 => (0usize..4, 0usize..8, nasty).prop_map(|(r, c, v)| Mutation::Cell(r, c, v)),
        1 => (0usize..1000).prop_map(Mutation::Truncate),
        1 => (0usize..1000, proptest::collection::vec(any::<u8>(), 1..8))
            .prop_map(|(at, b)| Mutation::Bytes(at, b)),
        1 => (0usize..8).prop_map(Mutation::DropColumn),
        1 => (0usize..4).prop_map(Mutation::DuplicateRow),
        1 => prop_oneof![Just(';'), Just('\t'), Just('|')].prop_map(Mutation::Delimiter),
    ]
}

/// Generated breakages of every family's good file (`MKPI_GENERATED_CASES`,
/// 10,000 by default): no import panics or fails inside; a file is stored
/// whole (and rolls back to exactly the state before) or refused with every
/// problem naming its row, column and reason, the database unchanged.
#[test]
fn generated_breakages_never_panic_never_half_import_and_always_say_where() {
    use proptest::test_runner::{Config, TestCaseError, TestRunner};
    let cases: u32 = std::env::var("MKPI_GENERATED_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(10_000);
    let rt = tokio::runtime::Runtime::new().unwrap();
    let db = testing::sqlite();
    let (s, email) = rt.block_on(async {
        let s = Services::new(
            Store::open(&db.url).await.unwrap(),
            Clock::fixed(1_790_000_000),
            AuthSettings::default(),
        );
        s.seed_demo(42).await.unwrap();
        let head = s.login("head", "demo", "t").await.unwrap().actor;
        let email = s.list_employees(&head).await.unwrap()[0].email.clone();
        s.import_file(
            Principal::Operator,
            Cursor::new(b"campaign,name,currency\nC-1,Base,RUB\n".to_vec()),
            ImportRequest {
                source: "c.csv".into(),
                preset: Preset::find("mkpi-campaigns").unwrap(),
                dry_run: false,
                people: Vec::new(),
            },
        )
        .await
        .unwrap();
        (s, email)
    });
    let all = families(&email);
    let tally = std::cell::RefCell::new((0u32, 0u32));
    let mut runner = TestRunner::new(Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    });
    let result = runner.run(
        &(0..all.len(), proptest::collection::vec(mutation(), 1..3)),
        |(family, mutations)| {
            let f = &all[family];
            let mut bytes = f.good.clone().into_bytes();
            for m in &mutations {
                bytes = mutate(&String::from_utf8_lossy(&bytes), m);
            }
            rt.block_on(async {
                let before = state(&s).await;
                let result = s
                    .import_file(
                        Principal::Operator,
                        Cursor::new(bytes.clone()),
                        ImportRequest {
                            source: "generated.csv".into(),
                            preset: Preset::find(f.preset).unwrap(),
                            dry_run: false,
                            people: Vec::new(),
                        },
                    )
                    .await;
                let fail = |why: String| {
                    Err(TestCaseError::fail(format!(
                        "{} {mutations:?}: {why}\n{}",
                        f.preset,
                        String::from_utf8_lossy(&bytes)
                            .chars()
                            .take(400)
                            .collect::<String>()
                    )))
                };
                match result {
                    Ok(r) if r.applied => {
                        if !r.problems.is_empty() {
                            return fail(format!("stored with problems {:?}", r.problems));
                        }
                        s.rollback_import(Principal::Operator, r.import_id.unwrap_or(0))
                            .await
                            .map_err(|e| TestCaseError::fail(format!("cannot roll back: {e}")))?;
                        tally.borrow_mut().0 += 1;
                        // Rolled back: every fact as before; the import stays
                        // in the history, marked as rolled back.
                        let facts = |v: Vec<(String, i64)>| {
                            v.into_iter()
                                .filter(|(k, _)| k != "imports")
                                .collect::<Vec<_>>()
                        };
                        if facts(state(&s).await) != facts(before) {
                            return fail("a rollback left the database changed".into());
                        }
                        return Ok(());
                    }
                    Ok(r) => {
                        if r.problems.is_empty() {
                            return fail("refused without a problem".into());
                        }
                        for p in &r.problems {
                            if p.row == 0 || p.column.is_empty() || p.reason.is_empty() {
                                return fail(format!(
                                    "a problem without row, column or reason: {p:?}"
                                ));
                            }
                        }
                        tally.borrow_mut().1 += 1;
                    }
                    Err(mkpi_services::Error::Invalid(problems)) => {
                        if problems.iter().any(|p| p.message.is_empty()) {
                            return fail(format!("{problems:?}"));
                        }
                        tally.borrow_mut().1 += 1;
                    }
                    Err(e) => return fail(format!("failed inside: {e}")),
                }
                if state(&s).await != before {
                    return fail("the database changed".into());
                }
                Ok(())
            })
        },
    );
    let (stored, refused) = *tally.borrow();
    if let Err(e) = result {
        panic!("{e}");
    }
    assert_eq!(stored + refused, cases);
    eprintln!("{cases} generated files: {stored} stored and rolled back, {refused} refused");
}
