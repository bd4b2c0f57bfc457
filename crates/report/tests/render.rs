//! The demo department's reports in every format, read back: the PDF's
//! text (Cyrillic headings and the same figures as the dashboards), the
//! slides' page size, the workbook's sheets, cells and charts, the CSV
//! tables, and a shared copy without people.

use std::io::Read;
use std::process::Command;

use mkpi_domain::period::Period;
use mkpi_report::{Format, View, build, render};
use mkpi_services::metrics::ScopeRef;
use mkpi_services::report::Report;
use mkpi_services::{Actor, AuthSettings, Clock, Services, Store};
use mkpi_store::testing;

/// 2026-09-21: the last full quarter is 2026 Q2.
const NOW: i64 = 1_790_000_000;

async fn demo(url: &str) -> Services {
    let s = Services::new(
        Store::open(url).await.unwrap(),
        Clock::fixed(NOW),
        AuthSettings::default(),
    );
    let demo = s.seed_demo(42).await.unwrap();
    s.seed_demo_data(42, &demo).await.unwrap();
    s
}

async fn report(s: &Services, who: &Actor, name: &str) -> Report {
    let d = s.report_definition(who, name).await.unwrap();
    s.build_report(who, &d, &mut |_| {}).await.unwrap()
}

/// Text as pdftotext gives it, with no-break spaces made plain.
fn pdf_text(pdf: &[u8]) -> Option<String> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("r.pdf");
    std::fs::write(&path, pdf).unwrap();
    let out = Command::new("pdftotext")
        .args(["-layout"])
        .arg(&path)
        .arg("-")
        .output()
        .ok()?;
    assert!(out.status.success(), "pdftotext failed");
    Some(plain(&String::from_utf8(out.stdout).unwrap()))
}

fn plain(s: &str) -> String {
    s.replace('\u{a0}', " ")
}

fn pdf_info(pdf: &[u8]) -> Option<String> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("r.pdf");
    std::fs::write(&path, pdf).unwrap();
    let out = Command::new("pdfinfo").arg(&path).output().ok()?;
    Some(String::from_utf8(out.stdout).unwrap())
}

fn line<'a>(view: &'a View, code: &str) -> &'a mkpi_report::view::MetricLine {
    view.metrics.iter().find(|m| m.code == code).unwrap()
}

#[tokio::test]
async fn the_quarterly_report_holds_the_dashboards_numbers_in_every_format() {
    let db = testing::sqlite();
    let s = demo(&db.url).await;
    let head = s.login("head", "demo", "t").await.unwrap().actor;
    let r = report(&s, &head, "quarterly").await;
    assert_eq!(r.period, Period::parse("2026-04-01", "2026-07-01").unwrap());
    assert_eq!(
        r.compared,
        Period::parse("2026-01-01", "2026-04-01").unwrap()
    );

    // The same numbers the dashboard's metric path gives.
    let codes: Vec<String> = ["spend", "order_revenue", "ctr", "roas"]
        .map(String::from)
        .to_vec();
    let direct = s
        .metric_values(&head, &codes, &ScopeRef::Department, r.period)
        .await
        .unwrap();
    let before = s
        .metric_values(&head, &codes, &ScopeRef::Department, r.compared)
        .await
        .unwrap();
    let view = build(&r);
    for (d, b) in direct.iter().zip(&before) {
        let m = line(&view, &d.code);
        assert_eq!(m.now.value, d.value, "{}", d.code);
        assert_eq!(m.previous.value, b.value, "{}", d.code);
        assert!(d.value.is_some(), "{} has a value", d.code);
    }
    // Every section is there, in order, with its Russian title.
    let titles: Vec<&str> = view.sections.iter().map(|(_, t)| t.as_str()).collect();
    assert_eq!(
        titles,
        [
            "Итоги",
            "Ключевые показатели",
            "Тренды и факторы",
            "Каналы и кампании",
            "Сотрудники",
            "Проблемные зоны",
            "SWOT-анализ",
            "Конкуренты",
            "Результаты оценки",
        ]
    );
    // Every generated sentence carries a number.
    assert!(view.summary.len() >= 8, "{:#?}", view.summary);
    for sentence in &view.summary {
        assert!(
            sentence.chars().any(|c| c.is_ascii_digit()),
            "no number in: {sentence}"
        );
    }
    // The revenue drivers add up to the change.
    let revenue = view
        .drivers
        .iter()
        .find(|d| d.code == "order_revenue")
        .unwrap();
    let sum: f64 = revenue.parts.iter().filter_map(|p| p.1.value).sum();
    let change = revenue.after.value.unwrap() - revenue.before.value.unwrap();
    assert!(
        (sum - change).abs() < 1e-6 * change.abs().max(1.0),
        "{sum} vs {change}"
    );
    // Competitors: ours against the two in the demo, share of voice first.
    let kinds: Vec<&str> = view.benchmarks.iter().map(|b| b.kind.as_str()).collect();
    assert_eq!(kinds, ["share_of_voice", "price", "traffic"]);
    let sov = &view.benchmarks[0];
    assert_eq!(
        sov.theirs
            .iter()
            .map(|t| (t.0.as_str(), t.2))
            .collect::<Vec<_>>(),
        [("Конкурент Один", 3), ("Конкурент Два", 3)]
    );
    // The evaluation: the head sees the performance team's released cycle.
    let eval = view.evaluation.as_ref().unwrap();
    assert_eq!(eval.people.len(), 4);

    // PDF: A4, the Cyrillic headings and the figures as the table writes them.
    let pdf = render(&view, Format::Pdf, None).unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
    if let (Some(text), Some(info)) = (pdf_text(&pdf), pdf_info(&pdf)) {
        for heading in &titles {
            assert!(text.contains(heading), "the PDF lacks {heading}");
        }
        assert!(text.contains("Содержание"));
        for code in ["spend", "order_revenue"] {
            let written = plain(&line(&view, code).now.text);
            assert!(text.contains(&written), "the PDF lacks {written}");
        }
        assert!(text.contains(&plain(&sov.theirs[0].1.text)));
        assert!(
            info.contains("Page size:       595.276 x 841.89 pts (A4)"),
            "{info}"
        );
        let slides = render(&view, Format::Slides, None).unwrap();
        let info = pdf_info(&slides).unwrap();
        assert!(
            info.contains("Page size:       841.89 x 473.563 pts"),
            "{info}"
        );
        let slide_text = pdf_text(&slides).unwrap();
        assert!(slide_text.contains("Итоги"));
        assert!(slide_text.contains(&plain(&line(&view, "spend").now.text)));
    } else {
        assert!(
            std::env::var("CI").is_err(),
            "CI must read the PDFs back: install poppler-utils"
        );
        eprintln!("pdftotext/pdfinfo (poppler-utils) are missing: the PDF's text is not checked");
    }

    // XLSX: a summary sheet then one per table, real numbers, native charts.
    let xlsx = render(&view, Format::Xlsx, None).unwrap();
    let mut book: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(xlsx.clone())).unwrap();
    use calamine::Reader;
    let names = book.sheet_names();
    assert_eq!(
        names,
        [
            "Итоги",
            "Ключевые показатели",
            "Тренды и факторы",
            "Факторы",
            "Каналы",
            "Кампании",
            "Сотрудники",
            "Проблемные зоны",
            "Конкуренты",
            "Результаты оценки",
            "SWOT-анализ",
        ]
    );
    let kpis = book.worksheet_range("Ключевые показатели").unwrap();
    let spend = line(&view, "spend");
    let row = kpis
        .rows()
        .find(|r| r[0] == calamine::Data::String(spend.name.clone()))
        .unwrap();
    assert_eq!(row[1], calamine::Data::Float(spend.now.value.unwrap()));
    assert_eq!(row[2], calamine::Data::Float(spend.previous.value.unwrap()));
    let summary = book.worksheet_range("Итоги").unwrap();
    assert_eq!(
        summary.get_value((0, 0)),
        Some(&calamine::Data::String("quarterly".into()))
    );
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(xlsx)).unwrap();
    let charts = (0..zip.len())
        .filter(|i| {
            zip.by_index(*i)
                .map(|f| f.name().is_ok_and(|n| n.starts_with("xl/charts/chart")))
                .unwrap_or(false)
        })
        .count();
    assert_eq!(
        charts, 6,
        "KPIs, trends, channels, campaigns, people, evaluation"
    );
    let mut chart = String::new();
    zip.by_name("xl/charts/chart1.xml")
        .unwrap()
        .read_to_string(&mut chart)
        .unwrap();
    assert!(chart.contains("<c:barChart>"), "{chart}");

    // CSV: every table parses, with the view's numbers.
    let csv_bytes = render(&view, Format::Csv, Some("channels")).unwrap();
    let text = String::from_utf8(csv_bytes[3..].to_vec()).unwrap();
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    assert_eq!(
        reader.headers().unwrap().iter().collect::<Vec<_>>(),
        ["Канал", "Расход", "Доля расхода", "ROI", "CPA"]
    );
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), view.channels.len());
    let shares: f64 = rows.iter().map(|r| r[2].parse::<f64>().unwrap()).sum();
    assert!(
        (shares - 1.0).abs() < 1e-9,
        "spend shares add up to 1: {shares}"
    );
    assert_eq!(rows[0][0], view.channels[0].name);
    for t in mkpi_report::tables::tables(&view) {
        let b = render(&view, Format::Csv, Some(t.id)).unwrap();
        let n = csv::Reader::from_reader(&b[3..]).records().count();
        assert_eq!(n, t.rows.len(), "{}", t.id);
    }
    let err = render(&view, Format::Csv, Some("nope")).unwrap_err();
    assert!(
        err.to_string()
            .starts_with("'nope' is not a table of this report; it has kpis, trends"),
        "{err}"
    );

    // HTML: a page that stands alone, charts with tooltips.
    let html = String::from_utf8(render(&view, Format::Html, None).unwrap()).unwrap();
    assert!(html.starts_with("<!doctype html>"));
    assert!(html.contains("<title>"), "tooltips");
    assert!(html.contains("id=\"section-competitors\""));
    assert!(
        !html.contains("href=\"/"),
        "a file has no links into the app"
    );
}

#[tokio::test]
async fn a_shared_copy_names_no_one_and_an_employee_sees_no_evaluation() {
    let db = testing::sqlite();
    let s = demo(&db.url).await;
    let head = s.login("head", "demo", "t").await.unwrap().actor;
    let people: Vec<String> = s
        .list_employees(&head)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.name)
        .collect();
    let shared = build(&report(&s, &head, "quarterly").await.without_people());
    assert!(shared.shared);
    assert!(shared.people.is_empty() && shared.evaluation.is_none());
    let codes: Vec<&str> = shared.sections.iter().map(|(c, _)| c.as_str()).collect();
    assert!(!codes.contains(&"people") && !codes.contains(&"evaluation"));
    let html = mkpi_report::html::document(&shared).unwrap();
    let json = serde_json::to_string(&shared).unwrap();
    for name in &people {
        assert!(!html.contains(name.as_str()), "{name} in the shared HTML");
        assert!(!json.contains(name.as_str()), "{name} in the shared data");
    }
    let xlsx = render(&shared, Format::Xlsx, None).unwrap();
    let mut book: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(xlsx)).unwrap();
    use calamine::Reader;
    for sheet in book.sheet_names() {
        let range = book.worksheet_range(&sheet).unwrap();
        for cell in range.used_cells() {
            if let calamine::Data::String(v) = cell.2 {
                assert!(
                    !people.iter().any(|p| v.contains(p.as_str())),
                    "{v} in {sheet}"
                );
            }
        }
    }

    // An employee runs the same definition: no evaluation for them.
    let employee = s.login("employee", "demo", "t").await.unwrap().actor;
    let theirs = build(&report(&s, &employee, "quarterly").await);
    assert!(theirs.evaluation.is_none());
    assert!(theirs.people.len() < 20);

    // The English definition writes English.
    let monthly = build(&report(&s, &head, "monthly").await);
    assert_eq!(monthly.language, "en");
    let titles: Vec<&str> = monthly.sections.iter().map(|(_, t)| t.as_str()).collect();
    assert_eq!(
        titles,
        [
            "Summary",
            "Key metrics",
            "Channels and campaigns",
            "Problem areas"
        ]
    );
    assert!(
        monthly
            .summary
            .iter()
            .any(|s| s.contains("the same period a year before"))
    );
}
