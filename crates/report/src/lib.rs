//! mkpi-report: a report's data as people read it — an HTML page, a PDF
//! document (A4) or presentation (16:9 slides), an XLSX workbook with
//! native charts, CSV tables — and the scheduled delivery that mails it.
//! Every format is drawn from one [`view::View`], so none disagrees with
//! another or with the dashboards the data comes from.

pub mod charts;
pub mod delivery;
pub mod html;
pub mod pdf;
pub mod tables;
pub mod text;
pub mod view;
pub mod xlsx;

pub use view::{View, build};

/// What a report can be rendered as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Html,
    Pdf,
    Slides,
    Xlsx,
    Csv,
}

impl Format {
    pub const ALL: [Format; 5] = [
        Format::Html,
        Format::Pdf,
        Format::Slides,
        Format::Xlsx,
        Format::Csv,
    ];

    pub fn parse(text: &str) -> Option<Format> {
        Format::ALL.into_iter().find(|f| f.code() == text.trim())
    }

    pub fn code(self) -> &'static str {
        match self {
            Format::Html => "html",
            Format::Pdf => "pdf",
            Format::Slides => "slides",
            Format::Xlsx => "xlsx",
            Format::Csv => "csv",
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Format::Html => "text/html; charset=utf-8",
            Format::Pdf | Format::Slides => "application/pdf",
            Format::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            Format::Csv => "text/csv; charset=utf-8",
        }
    }

    /// The file name's ending.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Html => "html",
            Format::Pdf | Format::Slides => "pdf",
            Format::Xlsx => "xlsx",
            Format::Csv => "csv",
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("'{0}' is not a format; use html, pdf, slides, xlsx or csv")]
    UnknownFormat(String),
    #[error("'{0}' is not a table of this report; it has {1}")]
    UnknownTable(String, String),
    #[error("this build of mkpi has no PDF support (built without the pdf-typst feature)")]
    NoPdf,
    #[error("cannot render the report: {0}")]
    Render(String),
}

/// A file name for a report: its name with anything unsafe replaced.
pub fn file_name(view: &View, format: Format) -> String {
    let stem: String = view
        .name
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect();
    let stem = if stem.is_empty() {
        "report".to_string()
    } else {
        stem
    };
    let suffix = if format == Format::Slides {
        "-slides"
    } else {
        ""
    };
    format!("{stem}-{}{suffix}.{}", view.period_from, format.extension())
}

/// Renders a report's view. `table` picks the CSV table (the KPI table
/// when none is named).
pub fn render(view: &View, format: Format, table: Option<&str>) -> Result<Vec<u8>, Error> {
    match format {
        Format::Html => html::document(view).map(String::into_bytes),
        Format::Pdf => pdf::document(view),
        Format::Slides => pdf::slides(view),
        Format::Xlsx => xlsx::workbook(view),
        Format::Csv => tables::csv(view, table.unwrap_or("kpis")),
    }
}
