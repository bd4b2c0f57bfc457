//! Every vendor preset reads a sample export written the way that vendor
//! writes it (encoding, delimiter, title and totals rows, its own words),
//! into exactly the records mkpi keeps.

use std::io::Cursor;

use mkpi_ingest::fact::Value;
use mkpi_ingest::{Preset, ReadOutcome, Record};

/// Reads a fixture with a preset: what was learnt, the problems, and each
/// record written out as `row: field=value, …` (fields without a value
/// left out).
fn read(file: &str, preset: &str) -> (ReadOutcome, Vec<String>) {
    let path = format!(
        "{}/tests/fixtures/presets/{file}",
        env!("CARGO_MANIFEST_DIR")
    );
    let bytes = std::fs::read(&path).unwrap();
    let preset = Preset::find(preset).unwrap();
    let mut records = Vec::new();
    let outcome = mkpi_ingest::table::read(Cursor::new(bytes), &preset, |row, r| {
        records.push(format!("{row}: {}", describe(&preset, r)))
    })
    .unwrap();
    (outcome, records)
}

fn describe(preset: &Preset, record: Record) -> String {
    match record {
        Record::Row(row) => preset
            .fact
            .fields()
            .iter()
            .zip(row.values)
            .filter_map(|(f, v)| match v {
                Value::Missing => None,
                Value::Text(t) => Some(format!("{}={t}", f.name)),
                Value::Int(n) => Some(format!("{}={n}", f.name)),
                Value::Float(x) => Some(format!("{}={x}", f.name)),
            })
            .collect::<Vec<_>>()
            .join(", "),
        other => format!("{other:?}"),
    }
}

fn problems(o: &ReadOutcome) -> Vec<String> {
    o.problems.iter().map(ToString::to_string).collect()
}

#[test]
fn google_ads_en() {
    let (o, records) = read("google-ads-en.csv", "google-ads");
    assert_eq!(
        (
            o.info.encoding.name(),
            o.info.delimiter,
            o.info.header_row,
            o.info.skipped_rows
        ),
        ("UTF-16 LE", Some('\t'), 3, 4)
    );
    assert_eq!(problems(&o), vec![] as Vec<&str>);
    assert_eq!(
        records,
        vec![
            "4: AdStat(AdStatRecord { date: \"2024-12-01\", campaign: \"Brand | Search\", impressions: 12500, clicks: 340, spend_minor: 1523050, conversions: Some(12.5), conversion_value_minor: Some(9800000), currency: Some(\"RUB\"), vat_included: None, campaign_name: None })",
            "5: AdStat(AdStatRecord { date: \"2024-12-02\", campaign: \"Brand | Search\", impressions: 11800, clicks: 322, spend_minor: 1441000, conversions: None, conversion_value_minor: Some(0), currency: Some(\"RUB\"), vat_included: None, campaign_name: None })",
            "6: AdStat(AdStatRecord { date: \"2024-12-01\", campaign: \"Generic — Display\", impressions: 40000, clicks: 120, spend_minor: 120000, conversions: Some(0.0), conversion_value_minor: Some(0), currency: Some(\"RUB\"), vat_included: None, campaign_name: None })",
        ] as Vec<&str>
    );
}

#[test]
fn google_ads_ru() {
    let (o, records) = read("google-ads-ru.csv", "google-ads");
    assert_eq!(
        (
            o.info.encoding.name(),
            o.info.delimiter,
            o.info.header_row,
            o.info.skipped_rows
        ),
        ("UTF-8", Some(','), 3, 3)
    );
    assert_eq!(problems(&o), vec![] as Vec<&str>);
    assert_eq!(
        records,
        vec![
            "4: AdStat(AdStatRecord { date: \"2024-12-01\", campaign: \"20512345678\", impressions: 12500, clicks: 340, spend_minor: 1523050, conversions: Some(12.5), conversion_value_minor: Some(9800000), currency: Some(\"RUB\"), vat_included: None, campaign_name: Some(\"Бренд — поиск\") })",
            "5: AdStat(AdStatRecord { date: \"2024-12-02\", campaign: \"20512345678\", impressions: 11800, clicks: 322, spend_minor: 1441000, conversions: None, conversion_value_minor: Some(0), currency: Some(\"RUB\"), vat_included: None, campaign_name: Some(\"Бренд — поиск\") })",
        ] as Vec<&str>
    );
}

#[test]
fn meta_ads_en() {
    let (o, records) = read("meta-ads-en.csv", "meta-ads");
    assert_eq!(
        (
            o.info.encoding.name(),
            o.info.delimiter,
            o.info.header_row,
            o.info.skipped_rows
        ),
        ("UTF-8", Some(','), 1, 0)
    );
    assert_eq!(problems(&o), vec![] as Vec<&str>);
    assert_eq!(
        records,
        vec![
            "2: AdStat(AdStatRecord { date: \"2024-12-01\", campaign: \"120210000000001\", impressions: 20000, clicks: 400, spend_minor: 25075, conversions: Some(5.0), conversion_value_minor: Some(125000), currency: Some(\"USD\"), vat_included: None, campaign_name: Some(\"Winter sale — prospecting\") })",
            "3: AdStat(AdStatRecord { date: \"2024-12-02\", campaign: \"120210000000001\", impressions: 18500, clicks: 380, spend_minor: 24010, conversions: None, conversion_value_minor: None, currency: Some(\"USD\"), vat_included: None, campaign_name: Some(\"Winter sale — prospecting\") })",
        ] as Vec<&str>
    );
}

#[test]
fn meta_ads_range() {
    let (o, records) = read("meta-ads-range.csv", "meta-ads");
    assert_eq!(
        (
            o.info.encoding.name(),
            o.info.delimiter,
            o.info.header_row,
            o.info.skipped_rows
        ),
        ("UTF-8", Some(','), 1, 0)
    );
    assert_eq!(
        problems(&o),
        vec![
            "row 2, column 'Reporting ends', value '2024-12-31': the row covers 2024-12-01 to 2024-12-31: export one row per day (the 'By day' breakdown)"
        ] as Vec<&str>
    );
    assert_eq!(records, vec![] as Vec<&str>);
}

#[test]
fn yandex_direct() {
    let (o, records) = read("yandex-direct.csv", "yandex-direct");
    assert_eq!(
        (
            o.info.encoding.name(),
            o.info.delimiter,
            o.info.header_row,
            o.info.skipped_rows
        ),
        ("Windows-1251", Some(';'), 4, 4)
    );
    assert_eq!(problems(&o), vec![] as Vec<&str>);
    assert_eq!(
        records,
        vec![
            "5: AdStat(AdStatRecord { date: \"2024-12-01\", campaign: \"70123456\", impressions: 8200, clicks: 410, spend_minor: 1230040, conversions: Some(21.0), conversion_value_minor: Some(9500000), currency: Some(\"RUB\"), vat_included: None, campaign_name: Some(\"Поиск — бренд\") })",
            "6: AdStat(AdStatRecord { date: \"2024-12-02\", campaign: \"70123456\", impressions: 7900, clicks: 395, spend_minor: 1185000, conversions: None, conversion_value_minor: None, currency: Some(\"RUB\"), vat_included: None, campaign_name: Some(\"Поиск — бренд\") })",
        ] as Vec<&str>
    );
}

#[test]
fn ga4_traffic() {
    let (o, records) = read("ga4-traffic.csv", "ga4-traffic");
    assert_eq!(
        (
            o.info.encoding.name(),
            o.info.delimiter,
            o.info.header_row,
            o.info.skipped_rows
        ),
        ("UTF-8 with BOM", Some(','), 8, 7)
    );
    assert_eq!(problems(&o), vec![] as Vec<&str>);
    assert_eq!(
        records,
        vec![
            "9: date=2024-12-01, channel=organic_search, source=google, medium=organic, sessions=1500, users=1200, new_users=800, conversions=12, source_medium=google / organic",
            "10: date=2024-12-01, channel=paid_search, source=google, medium=cpc, sessions=340, users=300, new_users=250, conversions=9.5, source_medium=google / cpc",
            "11: date=2024-12-02, channel=direct, source=(direct), medium=(none), sessions=520, users=410, new_users=120, conversions=3, source_medium=(direct) / (none)",
        ] as Vec<&str>
    );
}

#[test]
fn yandex_metrica_sources() {
    let (o, records) = read("yandex-metrica-sources.csv", "yandex-metrica-sources");
    assert_eq!(
        (
            o.info.encoding.name(),
            o.info.delimiter,
            o.info.header_row,
            o.info.skipped_rows
        ),
        ("UTF-8", Some(','), 1, 1)
    );
    assert_eq!(problems(&o), vec![] as Vec<&str>);
    assert_eq!(
        records,
        vec![
            "3: date=2024-12-01, channel=organic_search, source=(not set), medium=(not set), sessions=1800, users=1500, new_users=900",
            "4: date=2024-12-01, channel=direct, source=(not set), medium=(not set), sessions=700, users=600, new_users=200",
            "5: date=2024-12-01, channel=advertising, source=(not set), medium=(not set), sessions=520, users=400, new_users=300",
        ] as Vec<&str>
    );
}

#[test]
fn hubspot_deals() {
    let (o, records) = read("hubspot-deals.csv", "hubspot-deals");
    assert_eq!(
        (
            o.info.encoding.name(),
            o.info.delimiter,
            o.info.header_row,
            o.info.skipped_rows
        ),
        ("UTF-8", Some(','), 1, 0)
    );
    assert_eq!(problems(&o), vec![] as Vec<&str>);
    assert_eq!(
        records,
        vec![
            "2: order_id=9001, customer_id=501, date=2024-12-05, created=2024-11-20, amount=1200000, currency=USD, status=paid, channel=paid_search",
            "3: order_id=9002, customer_id=502, date=2024-12-06, created=2024-11-25, amount=300000, currency=USD, status=lost, channel=organic_search",
            "4: order_id=9003, customer_id=503, date=2024-12-01, created=2024-12-01, amount=500000, currency=USD, status=open, channel=direct",
        ] as Vec<&str>
    );
}

#[test]
fn amocrm_deals() {
    let (o, records) = read("amocrm-deals.csv", "amocrm-deals");
    assert_eq!(
        (
            o.info.encoding.name(),
            o.info.delimiter,
            o.info.header_row,
            o.info.skipped_rows
        ),
        ("UTF-8 with BOM", Some(';'), 1, 0)
    );
    assert_eq!(problems(&o), vec![] as Vec<&str>);
    assert_eq!(
        records,
        vec![
            "2: order_id=31001, customer_id=ООО Ромашка, date=2024-12-05, created=2024-12-01, amount=15000000, currency=RUB, status=paid",
            "3: order_id=31002, customer_id=ИП Иванов, date=2024-12-02, created=2024-12-02, amount=2000050, currency=RUB, status=open",
            "4: order_id=31003, date=2024-12-04, created=2024-12-03, amount=0, currency=RUB, status=lost",
        ] as Vec<&str>
    );
}

#[test]
fn bitrix24_deals() {
    let (o, records) = read("bitrix24-deals.csv", "bitrix24-deals");
    assert_eq!(
        (
            o.info.encoding.name(),
            o.info.delimiter,
            o.info.header_row,
            o.info.skipped_rows
        ),
        ("UTF-8", Some(';'), 1, 0)
    );
    assert_eq!(problems(&o), vec![] as Vec<&str>);
    assert_eq!(
        records,
        vec![
            "2: order_id=501, customer_id=77, date=2024-12-03, created=2024-12-01, amount=4500000, currency=RUB, status=paid, channel=advertising",
            "3: order_id=502, customer_id=78, date=2024-12-02, created=2024-12-02, amount=1250000, currency=RUB, status=open, channel=web",
        ] as Vec<&str>
    );
}

#[test]
fn toggl_time() {
    let (o, records) = read("toggl-time.csv", "toggl-time");
    assert_eq!(
        (
            o.info.encoding.name(),
            o.info.delimiter,
            o.info.header_row,
            o.info.skipped_rows
        ),
        ("UTF-8 with BOM", Some(','), 1, 0)
    );
    assert_eq!(problems(&o), vec![] as Vec<&str>);
    assert_eq!(
        records,
        vec![
            "2: employee=anna.k@demo.ru, date=2024-12-02, start=09:00:00, hours=1.5, project=Brand — search, description=Keyword research",
            "3: employee=anna.k@demo.ru, date=2024-12-02, start=11:00:00, hours=0.75, task=MKT-12, project=Winter sale, description=Banner briefs",
        ] as Vec<&str>
    );
}

#[test]
fn clockify_time() {
    let (o, records) = read("clockify-time.csv", "clockify-time");
    assert_eq!(
        (
            o.info.encoding.name(),
            o.info.delimiter,
            o.info.header_row,
            o.info.skipped_rows
        ),
        ("UTF-8", Some(','), 1, 0)
    );
    assert_eq!(problems(&o), vec![] as Vec<&str>);
    assert_eq!(
        records,
        vec![
            "2: employee=anna.k@demo.ru, date=2024-12-03, start=14:00:00, hours=2.25, project=Winter sale, description=Landing copy",
            "3: employee=anna.k@demo.ru, date=2024-12-13, start=09:00:00, hours=0.5, project=Winter sale, description=Landing review",
        ] as Vec<&str>
    );
}

#[test]
fn jira_issues() {
    let (o, records) = read("jira-issues.csv", "jira-issues");
    assert_eq!(
        (
            o.info.encoding.name(),
            o.info.delimiter,
            o.info.header_row,
            o.info.skipped_rows
        ),
        ("UTF-8 with BOM", Some(','), 1, 0)
    );
    assert_eq!(problems(&o), vec![] as Vec<&str>);
    assert_eq!(
        records,
        vec![
            "2: task=MKT-12, title=Winter sale landing, kind=Task, status=done, assignee=Anna K, priority=High, created=2024-12-01, due=2024-12-06, completed=2024-12-05, estimate_hours=8, spent_hours=10, project=Marketing",
            "3: task=MKT-13, title=Brand survey, wave 2, kind=Task, status=in_progress, priority=Medium, created=2024-12-02, due=2024-12-20, estimate_hours=4, project=Marketing",
        ] as Vec<&str>
    );
}

#[test]
fn trello_cards() {
    let (o, records) = read("trello-cards.csv", "trello-cards");
    assert_eq!(
        (
            o.info.encoding.name(),
            o.info.delimiter,
            o.info.header_row,
            o.info.skipped_rows
        ),
        ("UTF-8", Some(','), 1, 0)
    );
    assert_eq!(problems(&o), vec![] as Vec<&str>);
    assert_eq!(
        records,
        vec![
            "2: task=5f1a, title=Webinar promo, status=in_progress, assignee=anna.k@demo.ru, start=2024-12-01, due=2024-12-20, project=Marketing",
            "3: task=5f1b, title=Newsletter #12, status=done, due=2024-12-10, project=Marketing",
        ] as Vec<&str>
    );
}

#[test]
fn asana_tasks() {
    let (o, records) = read("asana-tasks.csv", "asana-tasks");
    assert_eq!(
        (
            o.info.encoding.name(),
            o.info.delimiter,
            o.info.header_row,
            o.info.skipped_rows
        ),
        ("UTF-8", Some(','), 1, 0)
    );
    assert_eq!(problems(&o), vec![] as Vec<&str>);
    assert_eq!(
        records,
        vec![
            "2: task=1208000000000001, title=Press release, status=done, assignee=anna.k@demo.ru, created=2024-12-01, due=2024-12-05, completed=2024-12-04, project=PR",
            "3: task=1208000000000002, title=Partner outreach, status=planned, assignee=boris.p@demo.ru, created=2024-12-02, start=2024-12-03, due=2024-12-15, project=PR",
        ] as Vec<&str>
    );
}

/// docs/import-formats.md describes every canonical format: a section per
/// fact naming each of its fields, and an example file that reads cleanly.
#[test]
fn the_documentation_covers_every_fact_and_its_examples_read() {
    let root = format!("{}/../..", env!("CARGO_MANIFEST_DIR"));
    let doc = std::fs::read_to_string(format!("{root}/docs/import-formats.md")).unwrap();
    for fact in mkpi_ingest::Fact::ALL {
        let preset = fact.canonical_preset();
        let heading = format!("## `{preset}`");
        let start = doc
            .find(&heading)
            .unwrap_or_else(|| panic!("no section {heading}"));
        let section = &doc[start..];
        let section = &section[..section[3..].find("\n## ").map_or(section.len(), |i| i + 3)];
        for f in fact.fields() {
            assert!(
                section.contains(&format!("`{}`", f.name)),
                "{preset}: field {} is not documented",
                f.name
            );
        }
        let example = format!(
            "{root}/docs/examples/{}.csv",
            preset.trim_start_matches("mkpi-")
        );
        let bytes = std::fs::read(&example).unwrap_or_else(|e| panic!("{example}: {e}"));
        let p = Preset::find(&preset).unwrap();
        let mut n = 0;
        let o = mkpi_ingest::table::read(Cursor::new(bytes), &p, |_, _| n += 1).unwrap();
        assert_eq!(problems(&o), Vec::<String>::new(), "{example}");
        assert!(n >= 2, "{example} has {n} records");
    }
    for p in Preset::builtin() {
        assert!(
            doc.contains(&format!("`{}`", p.name)),
            "preset {} is not documented",
            p.name
        );
    }
}
