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
            for broken in corpus(&family) {
                let before = state(&s).await;
                let result = s
                    .import_file(
                        Principal::Operator,
                        Cursor::new(broken.bytes),
                        ImportRequest {
                            source: "broken.csv".into(),
                            preset: preset.clone(),
                            dry_run: false,
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
        assert!(checked >= 9 * 11, "{checked}");
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
    out.push((
        "imports".into(),
        s.list_imports(Principal::Operator, 1000)
            .await
            .unwrap()
            .len() as i64,
    ));
    out
}
