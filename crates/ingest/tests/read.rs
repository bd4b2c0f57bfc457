//! Reading real-looking exports with the canonical presets, and refusing
//! broken ones with row, column, value and reason.

use std::io::Cursor;

use mkpi_ingest::decode::TextEncoding;
use mkpi_ingest::fact::{AdStatRecord, CampaignRecord};
use mkpi_ingest::{Preset, ReadError, ReadOutcome, Record};

fn read(bytes: Vec<u8>, preset: &str) -> Result<(ReadOutcome, Vec<(u64, Record)>), ReadError> {
    let preset = Preset::find(preset).unwrap();
    let mut records = Vec::new();
    let outcome =
        mkpi_ingest::table::read(Cursor::new(bytes), &preset, |row, r| records.push((row, r)))?;
    Ok((outcome, records))
}

fn ad_stats(bytes: Vec<u8>) -> (ReadOutcome, Vec<AdStatRecord>) {
    let (o, r) = read(bytes, "mkpi-ad-stats").unwrap();
    let stats = r
        .into_iter()
        .map(|(_, r)| match r {
            Record::AdStat(s) => s,
            other => panic!("not an ad stat: {other:?}"),
        })
        .collect();
    (o, stats)
}

fn problems(o: &ReadOutcome) -> Vec<String> {
    o.problems.iter().map(ToString::to_string).collect()
}

#[test]
fn the_canonical_ad_stats_file_reads_exactly() {
    let csv = "date,campaign,impressions,clicks,spend,conversions,conversion_value,currency\n\
               2024-12-30,G-101,\"12,500\",340,\"15,230.50\",12.5,\"98,000.00\",RUB\n\
               2024-12-31,G-101,0,0,0,--,,RUB\n";
    let (o, stats) = ad_stats(csv.as_bytes().to_vec());
    assert_eq!(problems(&o), Vec::<String>::new());
    assert_eq!(o.info.delimiter, Some(','));
    assert_eq!(o.info.encoding, TextEncoding::Utf8);
    assert_eq!(
        stats,
        vec![
            AdStatRecord {
                date: "2024-12-30".into(),
                campaign: "G-101".into(),
                impressions: 12_500,
                clicks: 340,
                spend_minor: 1_523_050,
                conversions: Some(12.5),
                conversion_value_minor: Some(9_800_000),
                currency: Some("RUB".into()),
                vat_included: None,
                campaign_name: None,
            },
            AdStatRecord {
                date: "2024-12-31".into(),
                campaign: "G-101".into(),
                impressions: 0,
                clicks: 0,
                spend_minor: 0,
                conversions: None,
                conversion_value_minor: None,
                currency: Some("RUB".into()),
                vat_included: None,
                campaign_name: None,
            },
        ]
    );
}

#[test]
fn a_russian_excel_export_in_windows_1251_with_semicolons_reads_the_same() {
    let text = "Отчёт по рекламе за декабрь 2024\n\
                \n\
                Дата;Кампания;Показы;Клики;Расход (руб.);Конверсии;Валюта\n\
                30.12.2024;G-101;12 500;340;15 230,50 руб.;12,5;руб\n\
                31.12.2024;G-101;1\u{a0}000;10;99,90;0;RUB\n\
                Итого;;13 500;350;15 330,40;12,5;\n";
    let (bytes, _, _) = encoding_rs::WINDOWS_1251.encode(text);
    let (o, stats) = ad_stats(bytes.to_vec());
    assert_eq!(problems(&o), Vec::<String>::new());
    assert_eq!(o.info.encoding, TextEncoding::Windows1251);
    assert_eq!(o.info.delimiter, Some(';'));
    assert_eq!(o.info.header_row, 3);
    assert_eq!(
        o.info.skipped_rows, 3,
        "the title, the blank line and the totals row"
    );
    assert_eq!(stats.len(), 2);
    assert_eq!(stats[0].spend_minor, 1_523_050);
    assert_eq!(stats[0].conversions, Some(12.5));
    assert_eq!(stats[0].currency.as_deref(), Some("RUB"));
    assert_eq!(stats[1].impressions, 1000);
    assert_eq!(stats[1].spend_minor, 9_990);
}

#[test]
fn a_utf16_tab_export_with_a_title_and_a_total_row_reads() {
    let text = "Campaign report\n\"December 1, 2024 - December 31, 2024\"\n\
                Day\tCampaign\tImpr.\tClicks\tCost\tConversions\tConv. value\tCurrency code\n\
                12/30/2024\tBrand search\t1,234\t56\t78.90\t1.50\t--\tUSD\n\
                Total: Account\t\t1,234\t56\t78.90\t1.50\t--\t\n";
    let mut bytes = vec![0xFF, 0xFE];
    bytes.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    let (o, stats) = ad_stats(bytes);
    assert_eq!(problems(&o), Vec::<String>::new());
    assert_eq!(
        (o.info.encoding, o.info.delimiter),
        (TextEncoding::Utf16Le, Some('\t'))
    );
    assert_eq!(stats.len(), 1);
    assert_eq!(stats[0].date, "2024-12-30");
    assert_eq!(stats[0].impressions, 1234);
    assert_eq!(stats[0].spend_minor, 7890);
    assert_eq!(stats[0].conversion_value_minor, None);
}

#[test]
fn campaigns_read_with_their_owner_budget_and_dates() {
    let csv = "campaign;name;platform;channel;owner;budget;currency;start;end\n\
               G-101;Бренд — поиск;Google Ads;Paid Search;Anna.K@Demo.ru;150 000,00;RUB;01.12.2024;31.12.2024\n\
               Y-7;РСЯ ретаргетинг;Yandex Direct;display;;;;;\n";
    let (o, records) = read(csv.as_bytes().to_vec(), "mkpi-campaigns").unwrap();
    assert_eq!(problems(&o), Vec::<String>::new());
    assert_eq!(
        records[0].1,
        Record::Campaign(CampaignRecord {
            campaign: "G-101".into(),
            name: "Бренд — поиск".into(),
            platform: Some("Google Ads".into()),
            channel: Some("paid_search".into()),
            owner: Some("anna.k@demo.ru".into()),
            budget_minor: Some(15_000_000),
            currency: Some("RUB".into()),
            start: Some("2024-12-01".into()),
            end: Some("2024-12-31".into()),
            contributors: Vec::new(),
        })
    );
    assert_eq!(records[1].0, 3, "records carry their row");
}

#[test]
fn every_bad_value_is_reported_with_row_column_value_and_reason() {
    let long = "x".repeat(2000);
    let csv = format!(
        "date,campaign,impressions,clicks,spend\n\
         2024-12-30,G-1,100,-5,10\n\
         2024-12-30,G-2,100,500,10\n\
         2024-13-45,G-3,100,5,10\n\
         1999-12-31,G-4,100,5,10\n\
         2024-12-30,=cmd|' /C calc'!A0,100,5,10\n\
         2024-12-30,G-6,abc,5,10\n\
         2024-12-30,{long},100,5,10\n\
         2024-12-30,,100,5,10\n\
         2024-12-30,G-9,100,5,10\n"
    );
    let (o, stats) = ad_stats(csv.into_bytes());
    assert_eq!(
        problems(&o),
        vec![
            "row 2, column 'clicks', value '-5': must not be negative",
            "row 3, column 'clicks', value '500': is more than the impressions (100)",
            "row 4, column 'date', value '2024-13-45': is not a real calendar date",
            "row 5, column 'date', value '1999-12-31': is outside the years 2000–2100",
            "row 6, column 'campaign', value '=cmd|' /C calc'!A0': starts like a spreadsheet formula (=, +, -, @), which is not accepted in text",
            "row 7, column 'impressions', value 'abc': is not a number",
            &format!(
                "row 8, column 'campaign', value '{}…': is longer than 1000 characters",
                "x".repeat(80)
            ),
            "row 9, column 'campaign', value '': is required but has no value",
        ]
    );
    assert_eq!(o.rows, 9);
    assert_eq!(o.records, 1);
    assert_eq!(stats[0].campaign, "G-9");
}

#[test]
fn files_that_cannot_be_read_say_why() {
    let err = |bytes: &[u8]| {
        read(bytes.to_vec(), "mkpi-ad-stats")
            .unwrap_err()
            .to_string()
    };
    assert_eq!(
        err(b"day,campaign,cost\n2024-01-01,G,1\n"),
        "no header row found in the first 30 rows: preset mkpi-ad-stats needs the columns 'date', 'campaign', 'impressions', 'clicks', 'spend'"
    );
    assert_eq!(
        err(b"date,campaign,impressions,clicks,Spend (RUB),spend\n"),
        "row 1: the columns 'Spend (RUB) (column 5)' and 'spend (column 6)' both feed the field 'spend'"
    );
    assert_eq!(err(b""), "the file is empty");
    assert!(
        err(b"PK\x03\x04\x14\x00").contains("this is not a readable XLSX workbook"),
        "{}",
        err(b"PK\x03\x04\x14\x00")
    );
    assert!(err(&[0x01, 0x02, 0xFF, 0x00, 0x10, 0x11, 0x00, 0x7F, 0x05]).contains("binary"));
    let mixed =
        "date,campaign,impressions,clicks,spend\n2024-01-01,G,1,1,\"1,5\"\n2024-01-02,G,1,1,2.25\n";
    let (o, _) = read(mixed.as_bytes().to_vec(), "mkpi-ad-stats").unwrap();
    assert_eq!(
        problems(&o)[0],
        "row 1, column 'spend', value '': mixes decimal commas and decimal points; export the column in one style"
    );
}

#[test]
fn arbitrary_bytes_never_panic_the_reader() {
    // A cheap deterministic fuzz: many mutations of a valid file.
    let base = "date;campaign;impressions;clicks;spend\n31.12.2024;G;1 000;10;99,90\n"
        .as_bytes()
        .to_vec();
    let mut state = 0x2545_F491_4F6C_DD1Du64;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for _ in 0..3000 {
        let mut bytes = base.clone();
        for _ in 0..(next() % 8 + 1) {
            let i = usize::try_from(next() % bytes.len() as u64).unwrap();
            match next() % 3 {
                0 => bytes[i] = (next() % 256) as u8,
                1 => {
                    bytes.remove(i);
                }
                _ => bytes.insert(i, (next() % 256) as u8),
            }
            if bytes.is_empty() {
                bytes.push(b'x');
            }
        }
        let _ = read(bytes, "mkpi-ad-stats");
    }
}

#[test]
fn mutated_vendor_exports_never_panic_any_preset() {
    // The same cheap fuzz over every vendor sample and its preset: bytes
    // changed, removed, inserted, lines duplicated and cut.
    let dir = format!("{}/tests/fixtures/presets", env!("CARGO_MANIFEST_DIR"));
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let mut cases = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let preset = Preset::builtin()
            .into_iter()
            .filter(|p| name.starts_with(&p.name))
            .max_by_key(|p| p.name.len())
            .unwrap_or_else(|| panic!("no preset for {name}"));
        let base = std::fs::read(&path).unwrap();
        for _ in 0..700 {
            let mut bytes = base.clone();
            for _ in 0..(next() % 6 + 1) {
                let i = usize::try_from(next() % bytes.len().max(1) as u64).unwrap();
                match next() % 5 {
                    0 => bytes[i] = (next() % 256) as u8,
                    1 => {
                        bytes.remove(i);
                    }
                    2 => bytes.insert(i, (next() % 256) as u8),
                    3 => {
                        let copy: Vec<u8> = bytes[i..].iter().take(200).copied().collect();
                        bytes.splice(i..i, copy);
                    }
                    _ => bytes.truncate(i),
                }
                if bytes.is_empty() {
                    bytes.push(b'x');
                }
            }
            let _ = read(bytes, &preset.name);
            cases += 1;
        }
    }
    assert_eq!(cases, 15 * 700);
}

#[test]
fn row_numbers_are_the_lines_people_see_despite_comments_and_blank_lines() {
    let csv = "# ----------------------------------------\n\
               # Ad statistics\n\
               # Start date: 20241201\n\
               \n\
               date,campaign,impressions,clicks,spend\n\
               \r\n\
               20241201,G-1,10,1,abc\n\
               \n\
               20241202,\"multi\n\nline\",10,x,1\n\
               20241203,G-1,10,y,1\n";
    let (o, _) = ad_stats(csv.as_bytes().to_vec());
    assert_eq!(o.info.header_row, 5);
    assert_eq!(
        problems(&o),
        vec![
            "row 7, column 'spend', value 'abc': is not a number",
            "row 9, column 'clicks', value 'x': is not a number",
            "row 12, column 'clicks', value 'y': is not a number",
        ]
    );
}

#[test]
fn an_excel_workbook_reads_like_its_csv_export() {
    let bytes = include_bytes!("fixtures/ad-stats-ru.xlsx").to_vec();
    let (o, stats) = ad_stats(bytes);
    assert_eq!(problems(&o), Vec::<String>::new());
    assert_eq!(
        (o.info.encoding, o.info.delimiter, o.info.header_row),
        (TextEncoding::Xlsx, None, 3)
    );
    assert_eq!(
        o.info.skipped_rows, 3,
        "the title, the empty row and the totals"
    );
    assert_eq!(
        stats,
        vec![
            AdStatRecord {
                date: "2024-12-01".into(),
                campaign: "G-101".into(),
                impressions: 12_500,
                clicks: 340,
                spend_minor: 1_523_050,
                conversions: Some(12.5),
                conversion_value_minor: Some(9_800_000),
                currency: Some("RUB".into()),
                vat_included: None,
                campaign_name: None,
            },
            AdStatRecord {
                date: "2024-12-02".into(),
                campaign: "G-101".into(),
                impressions: 11_800,
                clicks: 322,
                spend_minor: 1_441_000,
                conversions: None,
                conversion_value_minor: None,
                currency: Some("RUB".into()),
                vat_included: None,
                campaign_name: None,
            },
        ]
    );
}

#[test]
fn a_damaged_workbook_is_refused_with_a_reason() {
    let mut bytes = include_bytes!("fixtures/ad-stats-ru.xlsx").to_vec();
    bytes.truncate(bytes.len() / 2);
    let preset = Preset::find("mkpi-ad-stats").unwrap();
    let err = mkpi_ingest::table::read(Cursor::new(bytes), &preset, |_, _| {}).unwrap_err();
    assert!(
        err.to_string()
            .starts_with("this is not a readable XLSX workbook"),
        "{err}"
    );
}

#[test]
fn a_hash_starts_a_comment_only_when_the_line_holds_nothing_else() {
    // Shopify names orders "#1001": data, not comments. A GA4 file's second
    // table, after its `#` block, is not read as rows of the first.
    let orders = "order_id,customer_id,date,amount,currency\n#1001,C-1,2024-12-01,10,RUB\n#1002,C-2,2024-12-02,20,RUB\n";
    let (o, records) = read(orders.as_bytes().to_vec(), "mkpi-orders").unwrap();
    assert_eq!(
        (o.rows, o.records, problems(&o)),
        (2, 2, Vec::<String>::new())
    );
    assert_eq!(records.len(), 2);

    let ga4 = "# Traffic acquisition\n# Start date: 20241201\nDate,Session source / medium,Sessions\n\
               20241201,google / cpc,10\n20241202,google / cpc,12\n\n# Users by country\nCountry,Users\nRussia,300\n";
    let (o, records) = read(ga4.as_bytes().to_vec(), "ga4-traffic").unwrap();
    assert_eq!(
        (o.rows, o.records, problems(&o)),
        (2, 2, Vec::<String>::new())
    );
    assert_eq!(records.len(), 2);
}
