//! Reading a delimited text file with a preset into checked records: the
//! delimiter is detected, title rows above the header and totals rows below
//! it are skipped, each column's number and date style is decided from its
//! values, and every value is checked. Records stream out one by one; the
//! file is never held in memory whole.

use std::collections::HashMap;
use std::fmt;
use std::io::Read;

use crate::decode::{self, DecodeError, TextEncoding};
use crate::fact::{AdStatRecord, CampaignRecord, Fact, Kind, Record};
use crate::preset::{Preset, normalise_header};
use crate::value::{self, DateOrder, DecimalMark, ValueError};

/// One thing wrong with one cell (or row).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The line of the file where the row starts (1-based).
    pub row: u64,
    /// The column's header as written in the file.
    pub column: String,
    /// The cell as written (shortened when long).
    pub value: String,
    pub reason: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "row {}, column '{}', value '{}': {}",
            self.row, self.column, self.value, self.reason
        )
    }
}

/// What was learnt about the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileInfo {
    pub encoding: TextEncoding,
    /// The delimiter of a text file (none for a workbook).
    pub delimiter: Option<char>,
    /// Line of the header row.
    pub header_row: u64,
    /// Each header of the file and the field it feeds (None: ignored).
    pub columns: Vec<(String, Option<String>)>,
    /// Title, empty, totals and repeated header rows passed over.
    pub skipped_rows: u64,
}

/// The result of reading a whole file.
#[derive(Debug, Clone, PartialEq)]
pub struct ReadOutcome {
    pub info: FileInfo,
    /// Data rows read (good and bad).
    pub rows: u64,
    /// Rows that became records.
    pub records: u64,
    /// The first problems (at most [`MAX_PROBLEMS`]).
    pub problems: Vec<Problem>,
    /// All problems, including those not kept.
    pub problem_count: u64,
}

pub const MAX_PROBLEMS: usize = 1000;
/// Longest cell accepted; anything longer is junk or an attack.
pub const MAX_CELL_CHARS: usize = 1000;
const HEADER_SEARCH_ROWS: usize = 30;
const STYLE_SAMPLE_ROWS: usize = 1000;

/// Why a file could not be read at all.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error(transparent)]
    Decode(#[from] DecodeError),
    #[error(
        "no header row found in the first {searched} rows: preset {preset} needs the columns {expected}"
    )]
    NoHeader {
        preset: String,
        searched: usize,
        expected: String,
    },
    #[error("row {row}: the columns '{first}' and '{second}' both feed the field '{field}'")]
    DuplicateColumn {
        row: u64,
        field: String,
        first: String,
        second: String,
    },
    #[error("row {row}: {message}")]
    Broken { row: u64, message: String },
}

/// Picks the delimiter whose count per line is the most consistent over
/// the first lines (`#` comment lines aside); ties go to `;`, then tab.
pub fn detect_delimiter(sample: &str) -> u8 {
    let lines: Vec<&str> = sample
        .lines()
        .filter(|l| !l.trim_start().starts_with('#') && !l.trim().is_empty())
        .take(30)
        .collect();
    let mut best = (0usize, b',');
    for candidate in [b';', b'\t', b','] {
        let counts: Vec<usize> = lines
            .iter()
            .map(|l| count_outside_quotes(l, candidate))
            .collect();
        let mut freq: HashMap<usize, usize> = HashMap::new();
        for c in counts.iter().filter(|c| **c > 0) {
            *freq.entry(*c).or_default() += 1;
        }
        let score = freq.values().max().copied().unwrap_or(0);
        if score > best.0 {
            best = (score, candidate);
        }
    }
    best.1
}

fn count_outside_quotes(line: &str, delimiter: u8) -> usize {
    let mut quoted = false;
    line.bytes()
        .filter(|b| {
            if *b == b'"' {
                quoted = !quoted;
            }
            !quoted && *b == delimiter
        })
        .count()
}

fn is_totals_row(cells: &[String]) -> bool {
    let first = cells
        .iter()
        .map(|c| normalise_header(c))
        .find(|c| !c.is_empty());
    first.is_some_and(|c| {
        ["total", "итого", "всего", "grand total"]
            .iter()
            .any(|t| c.starts_with(t))
    })
}

fn shorten(s: &str) -> String {
    if s.chars().count() > 80 {
        format!("{}…", s.chars().take(80).collect::<String>())
    } else {
        s.to_string()
    }
}

/// Passes text through with LF line ends, writing a lone delimiter into
/// each blank line outside quotes. The CSV reader skips blank lines without counting them
/// in record positions; filled, they stay rows (skipped later as empty), so
/// every row number is the line a person sees in an editor.
struct LineKeeper<R> {
    inner: R,
    delimiter: u8,
    /// Whether the next byte starts a line.
    at_line_start: bool,
    quoted: bool,
    buf: Vec<u8>,
}

impl<R: Read> LineKeeper<R> {
    fn new(inner: R, delimiter: u8) -> Self {
        LineKeeper {
            inner,
            delimiter,
            at_line_start: true,
            quoted: false,
            buf: Vec::new(),
        }
    }
}

impl<R: Read> Read for LineKeeper<R> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        // Each byte read may become two, so read at most half the room.
        let room = out.len() / 2;
        if room == 0 {
            return Ok(0);
        }
        self.buf.resize(room, 0);
        let n = self.inner.read(&mut self.buf)?;
        let mut written = 0;
        for &b in &self.buf[..n] {
            if b == b'"' {
                self.quoted = !self.quoted;
            }
            if b == b'\r' && !self.quoted {
                // CRLF becomes LF: the reader would otherwise count the
                // line of a record that follows a blank CRLF line wrong.
                continue;
            }
            if b == b'\n' && self.at_line_start && !self.quoted {
                out[written] = self.delimiter;
                written += 1;
            }
            out[written] = b;
            written += 1;
            self.at_line_start = b == b'\n';
        }
        Ok(written)
    }
}

/// How one mapped column reads its cells.
#[derive(Debug, Clone)]
struct Column {
    index: usize,
    header: String,
    field: &'static str,
    kind: Kind,
    decimal: DecimalMark,
    dates: Option<DateOrder>,
}

/// Reads `input` with `preset`, handing each good record (with its row) to
/// `sink`. Bad rows become problems; the caller decides whether any problem
/// stops the import.
pub fn read<R: Read + Send + 'static>(
    input: R,
    preset: &Preset,
    sink: impl FnMut(u64, Record),
) -> Result<ReadOutcome, ReadError> {
    let mut input = input;
    let mut head = Vec::with_capacity(4);
    (&mut input)
        .take(4)
        .read_to_end(&mut head)
        .map_err(DecodeError::Io)?;
    let input = std::io::Cursor::new(head.clone()).chain(input);
    if head.starts_with(b"PK\x03\x04") {
        let rows = crate::xlsx::rows(input)?;
        let mut rows = rows.into_iter();
        let source = move || -> Result<Option<(u64, Vec<String>)>, ReadError> { Ok(rows.next()) };
        return read_rows(
            source,
            TextEncoding::Xlsx,
            None,
            DecimalMark::Point,
            preset,
            sink,
        );
    }
    let (encoding, mut text) = decode::open(input)?;
    // A transcoding reader may hand out its text in small pieces: collect
    // a real sample, then read on from where it ends.
    let mut sample = Vec::with_capacity(64 * 1024);
    (&mut text)
        .take(64 * 1024)
        .read_to_end(&mut sample)
        .map_err(DecodeError::Io)?;
    let delimiter = detect_delimiter(&String::from_utf8_lossy(&sample));
    let text = LineKeeper::new(std::io::Cursor::new(sample).chain(text), delimiter);
    let fallback_mark = if delimiter == b';' {
        DecimalMark::Comma
    } else {
        DecimalMark::Point
    };
    let mut csv = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .buffer_capacity(256 * 1024)
        .from_reader(text);

    let mut record = csv::StringRecord::new();
    let source = move || -> Result<Option<(u64, Vec<String>)>, ReadError> {
        match csv.read_record(&mut record) {
            Ok(false) => Ok(None),
            Ok(true) => {
                let row = record.position().map_or(0, csv::Position::line);
                // `#` lines are comments (GA4 puts its report settings there).
                let cells: Vec<String> = if record.get(0).is_some_and(|c| c.starts_with('#')) {
                    Vec::new()
                } else {
                    record.iter().map(str::to_string).collect()
                };
                Ok(Some((row, cells)))
            }
            Err(e) => {
                let row = e.position().map_or(0, csv::Position::line);
                let message = match e.kind() {
                    csv::ErrorKind::Utf8 { .. } => {
                        "the text is not valid UTF-8 (is the file damaged?)".to_string()
                    }
                    _ => e.to_string(),
                };
                Err(ReadError::Broken { row, message })
            }
        }
    };
    read_rows(
        source,
        encoding,
        Some(char::from(delimiter)),
        fallback_mark,
        preset,
        sink,
    )
}

/// The part of reading shared by every file format: find the header, decide
/// each column's style, check every row.
fn read_rows(
    mut next_row: impl FnMut() -> Result<Option<(u64, Vec<String>)>, ReadError>,
    encoding: TextEncoding,
    delimiter: Option<char>,
    fallback_mark: DecimalMark,
    preset: &Preset,
    mut sink: impl FnMut(u64, Record),
) -> Result<ReadOutcome, ReadError> {
    // The header: the first row that names every required field.
    let mut skipped = 0u64;
    let mut header: Option<(u64, Vec<String>)> = None;
    for _ in 0..HEADER_SEARCH_ROWS {
        let Some((row, cells)) = next_row()? else {
            break;
        };
        let fields: Vec<Option<&str>> = cells.iter().map(|c| preset.field_for(c)).collect();
        let complete = preset
            .fact
            .fields()
            .iter()
            .filter(|f| f.required)
            .all(|f| fields.contains(&Some(f.name)));
        if complete {
            header = Some((row, cells));
            break;
        }
        skipped += 1;
    }
    let Some((header_row, headers)) = header else {
        let expected = preset
            .fact
            .fields()
            .iter()
            .filter(|f| f.required)
            .filter_map(|f| {
                preset
                    .columns
                    .iter()
                    .find(|(n, _)| n == f.name)
                    .and_then(|(_, h)| h.first())
            })
            .map(|h| format!("'{h}'"))
            .collect::<Vec<_>>()
            .join(", ");
        return Err(ReadError::NoHeader {
            preset: preset.name.clone(),
            searched: HEADER_SEARCH_ROWS,
            expected,
        });
    };

    let mut columns: Vec<Column> = Vec::new();
    for (index, h) in headers.iter().enumerate() {
        let Some(field) = preset.field_for(h) else {
            continue;
        };
        let Some(spec) = preset.fact.field(field) else {
            continue;
        };
        if let Some(other) = columns.iter().find(|c| c.field == spec.name) {
            return Err(ReadError::DuplicateColumn {
                row: header_row,
                field: spec.name.to_string(),
                first: other.header.clone(),
                second: h.clone(),
            });
        }
        columns.push(Column {
            index,
            header: h.trim().to_string(),
            field: spec.name,
            kind: spec.kind,
            decimal: fallback_mark,
            dates: None,
        });
    }
    let info_columns = headers
        .iter()
        .map(|h| {
            (
                h.trim().to_string(),
                preset.field_for(h).map(str::to_string),
            )
        })
        .collect();

    // Decide each column's style from a sample of its values.
    let mut buffered: Vec<(u64, Vec<String>)> = Vec::new();
    while buffered.len() < STYLE_SAMPLE_ROWS {
        let Some(row) = next_row()? else {
            break;
        };
        buffered.push(row);
    }
    let mut ambiguous: Vec<Problem> = Vec::new();
    for col in &mut columns {
        let values = || {
            buffered
                .iter()
                .filter_map(|(_, cells)| cells.get(col.index))
                .map(String::as_str)
        };
        match col.kind {
            Kind::Count | Kind::Number | Kind::Money => match value::detect_decimal_mark(
                values(),
                fallback_mark,
            ) {
                Some(mark) => col.decimal = mark,
                None => ambiguous.push(Problem {
                    row: header_row,
                    column: col.header.clone(),
                    value: String::new(),
                    reason:
                        "mixes decimal commas and decimal points; export the column in one style"
                            .to_string(),
                }),
            },
            Kind::Date => col.dates = value::detect_date_order(values()),
            _ => {}
        }
    }

    let mut outcome = ReadOutcome {
        info: FileInfo {
            encoding,
            delimiter,
            header_row,
            columns: info_columns,
            skipped_rows: skipped,
        },
        rows: 0,
        records: 0,
        problem_count: 0,
        problems: Vec::new(),
    };
    let note = |outcome: &mut ReadOutcome, p: Problem| {
        outcome.problem_count += 1;
        if outcome.problems.len() < MAX_PROBLEMS {
            outcome.problems.push(p);
        }
    };
    for p in ambiguous {
        note(&mut outcome, p);
    }

    let mut handle = |outcome: &mut ReadOutcome, row: u64, cells: Vec<String>| {
        if cells.iter().all(|c| c.trim().is_empty()) || is_totals_row(&cells) || cells == headers {
            outcome.info.skipped_rows += 1;
            return;
        }
        outcome.rows += 1;
        match convert(preset.fact, &columns, row, &cells) {
            Ok(record) => {
                outcome.records += 1;
                sink(row, record);
            }
            Err(problems) => {
                for p in problems {
                    note(outcome, p);
                }
            }
        }
    };
    for (row, cells) in buffered {
        handle(&mut outcome, row, cells);
    }
    while let Some((row, cells)) = next_row()? {
        handle(&mut outcome, row, cells);
    }
    Ok(outcome)
}

/// Parsed cells of one row by field.
enum Cell {
    Missing,
    Text(String),
    Int(i64),
    Float(f64),
}

fn convert(
    fact: Fact,
    columns: &[Column],
    row: u64,
    cells: &[String],
) -> Result<Record, Vec<Problem>> {
    let mut problems = Vec::new();
    let mut values: HashMap<&'static str, Cell> = HashMap::new();
    for col in columns {
        let raw = cells.get(col.index).map_or("", String::as_str);
        let problem = |reason: String| Problem {
            row,
            column: col.header.clone(),
            value: shorten(raw),
            reason,
        };
        if raw.chars().count() > MAX_CELL_CHARS {
            problems.push(problem(format!(
                "is longer than {MAX_CELL_CHARS} characters"
            )));
            continue;
        }
        if value::is_missing(raw) {
            if fact.field(col.field).is_some_and(|f| f.required) {
                problems.push(problem("is required but has no value".to_string()));
            }
            values.insert(col.field, Cell::Missing);
            continue;
        }
        let parsed: Result<Cell, String> = match col.kind {
            Kind::Text | Kind::Code => {
                let t = raw.trim();
                if t.starts_with(['=', '+', '@'])
                    || (t.starts_with('-') && !t[1..].starts_with(|c: char| c.is_ascii_digit()))
                {
                    Err("starts like a spreadsheet formula (=, +, -, @), which is not accepted in text".to_string())
                } else {
                    Ok(Cell::Text(t.to_string()))
                }
            }
            Kind::Email => {
                let t = raw.trim().to_lowercase();
                match t.split_once('@') {
                    Some((l, d)) if !l.is_empty() && d.contains('.') && !t.contains(' ') => {
                        Ok(Cell::Text(t))
                    }
                    _ => Err("is not an e-mail address".to_string()),
                }
            }
            Kind::Currency => {
                let t = raw.trim().to_uppercase();
                let t = match t.as_str() {
                    "₽" | "РУБ" | "РУБ." | "RUR" => "RUB".to_string(),
                    "$" => "USD".to_string(),
                    "€" => "EUR".to_string(),
                    _ => t,
                };
                if t.len() == 3 && t.bytes().all(|b| b.is_ascii_uppercase()) {
                    Ok(Cell::Text(t))
                } else {
                    Err("is not a currency code (expected e.g. RUB, USD, EUR)".to_string())
                }
            }
            Kind::Date => value::parse_date(raw, col.dates)
                .map(Cell::Text)
                .map_err(|e| e.to_string())
                .and_then(|d| match &d {
                    Cell::Text(iso)
                        if iso.as_str() < "2000-01-01" || iso.as_str() > "2100-12-31" =>
                    {
                        Err("is outside the years 2000–2100".to_string())
                    }
                    _ => Ok(d),
                }),
            Kind::Count => non_negative(value::parse_count(raw, col.decimal).map(Cell::Int)),
            Kind::Number => non_negative(value::parse_float(raw, col.decimal).map(Cell::Float)),
            Kind::Money => non_negative(value::parse_money(raw, col.decimal).map(Cell::Int)),
        };
        match parsed {
            Ok(cell) => {
                values.insert(col.field, cell);
            }
            Err(reason) => problems.push(problem(reason)),
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let text = |f: &str| match values.get(f) {
        Some(Cell::Text(t)) => Some(t.clone()),
        _ => None,
    };
    let int = |f: &str| match values.get(f) {
        Some(Cell::Int(n)) => Some(*n),
        _ => None,
    };
    let column_of = |f: &str| {
        columns
            .iter()
            .find(|c| c.field == f)
            .map_or(f.to_string(), |c| c.header.clone())
    };
    let cell_of = |f: &str| {
        columns
            .iter()
            .find(|c| c.field == f)
            .and_then(|c| cells.get(c.index))
            .map_or(String::new(), |s| shorten(s))
    };
    match fact {
        Fact::Campaigns => {
            let record = CampaignRecord {
                campaign: text("campaign").unwrap_or_default(),
                name: text("name").unwrap_or_default(),
                platform: text("platform"),
                channel: text("channel").map(|c| c.to_lowercase()),
                owner: text("owner"),
                budget_minor: int("budget"),
                currency: text("currency"),
                start: text("start"),
                end: text("end"),
            };
            if let (Some(s), Some(e)) = (&record.start, &record.end)
                && e < s
            {
                return Err(vec![Problem {
                    row,
                    column: column_of("end"),
                    value: cell_of("end"),
                    reason: format!("is before the start ({s})"),
                }]);
            }
            Ok(Record::Campaign(record))
        }
        Fact::AdStats => {
            let impressions = int("impressions").unwrap_or(0);
            let clicks = int("clicks").unwrap_or(0);
            if clicks > impressions {
                return Err(vec![Problem {
                    row,
                    column: column_of("clicks"),
                    value: cell_of("clicks"),
                    reason: format!("is more than the impressions ({impressions})"),
                }]);
            }
            let conversions = match values.get("conversions") {
                Some(Cell::Float(x)) => Some(*x),
                _ => None,
            };
            Ok(Record::AdStat(AdStatRecord {
                date: text("date").unwrap_or_default(),
                campaign: text("campaign").unwrap_or_default(),
                impressions,
                clicks,
                spend_minor: int("spend").unwrap_or(0),
                conversions,
                conversion_value_minor: int("conversion_value"),
                currency: text("currency"),
            }))
        }
    }
}

fn non_negative(parsed: Result<Cell, ValueError>) -> Result<Cell, String> {
    match parsed {
        Ok(Cell::Int(n)) if n < 0 => Err("must not be negative".to_string()),
        Ok(Cell::Float(x)) if x < 0.0 => Err("must not be negative".to_string()),
        Ok(cell) => Ok(cell),
        Err(e) => Err(e.to_string()),
    }
}
