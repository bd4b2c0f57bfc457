//! Reading a delimited text file with a preset into checked records: the
//! delimiter is detected, title rows above the header and totals rows below
//! it are skipped, each column's number and date style is decided from its
//! values, and every value is checked. Records stream out one by one; the
//! file is never held in memory whole.

use std::collections::HashMap;
use std::fmt;
use std::io::Read;

use crate::decode::{self, DecodeError, TextEncoding};
use crate::fact::{AdStatRecord, CampaignRecord, Fact, Kind, Record, Row, Value};
use crate::preset::{DurationUnit, Preset, header_matches, normalise_header, tidy_header};
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
    /// Broken at a row (0: the file as a whole).
    #[error("{}{message}", if *row > 0 { format!("row {row}: ") } else { String::new() })]
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

/// The columns of a header row that feed the preset's fields: each field
/// takes the first of its headers the row has, among columns no earlier
/// field took. Returns them with any field whose header appears twice.
fn pick_columns(
    preset: &Preset,
    headers: &[String],
) -> (Vec<Column>, Option<(&'static str, usize, usize)>) {
    let tidy: Vec<String> = headers.iter().map(|h| tidy_header(h)).collect();
    let normalised: Vec<String> = headers.iter().map(|h| normalise_header(h)).collect();
    let mut taken = vec![false; headers.len()];
    let mut columns = Vec::new();
    let mut duplicate = None;
    for spec in preset.fact.fields() {
        for wanted in preset.headers_for(spec.name) {
            let at: Vec<usize> = (0..headers.len())
                .filter(|i| !taken[*i] && header_matches(wanted, &tidy[*i], &normalised[*i]))
                .collect();
            let Some(&index) = at.first() else {
                continue;
            };
            if let Some(&second) = at.get(1) {
                duplicate.get_or_insert((spec.name, index, second));
            }
            taken[index] = true;
            columns.push(Column {
                index,
                header: headers[index].trim().to_string(),
                field: spec.name,
                kind: spec.kind,
                decimal: DecimalMark::Point,
                dates: None,
            });
            break;
        }
    }
    (columns, duplicate)
}

/// The currency a money column's header names: "Amount spent (USD)",
/// "Расход, руб.", "Бюджет, ₽".
fn header_currency(header: &str) -> Option<String> {
    let h = header.trim().to_lowercase();
    let unit = if let (Some(i), true) = (h.rfind('('), h.ends_with(')')) {
        h[i + 1..h.len() - 1].trim().to_string()
    } else if let Some((_, unit)) = h.rsplit_once(',') {
        unit.trim().to_string()
    } else {
        return None;
    };
    let code = match unit.trim_end_matches('.') {
        "руб" | "₽" | "rub" | "rur" => "RUB".to_string(),
        "$" | "usd" => "USD".to_string(),
        "€" | "eur" => "EUR".to_string(),
        u if u.len() == 3 && u.bytes().all(|b| b.is_ascii_lowercase()) => u.to_uppercase(),
        _ => return None,
    };
    Some(code)
}

/// The rows of a file, one at a time: `(line, cells)`.
type RowSource = Box<dyn FnMut() -> Result<Option<(u64, Vec<String>)>, ReadError> + Send>;

/// A file opened for reading rows: what it is and its rows.
struct Opened {
    encoding: TextEncoding,
    delimiter: Option<char>,
    /// The decimal mark of columns whose values do not tell.
    fallback_mark: DecimalMark,
    rows: RowSource,
}

/// Sniffs the file (workbook or text, encoding, delimiter) and opens its rows.
fn open<R: Read + Send + 'static>(input: R) -> Result<Opened, ReadError> {
    let mut input = input;
    let mut head = Vec::with_capacity(4);
    (&mut input)
        .take(4)
        .read_to_end(&mut head)
        .map_err(DecodeError::Io)?;
    let input = std::io::Cursor::new(head.clone()).chain(input);
    if head.starts_with(b"PK\x03\x04") {
        let mut rows = crate::xlsx::rows(input)?.into_iter();
        return Ok(Opened {
            encoding: TextEncoding::Xlsx,
            delimiter: None,
            fallback_mark: DecimalMark::Point,
            rows: Box::new(move || Ok(rows.next())),
        });
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
    let rows = move || -> Result<Option<(u64, Vec<String>)>, ReadError> {
        match csv.read_record(&mut record) {
            Ok(false) => Ok(None),
            Ok(true) => {
                let row = record.position().map_or(0, csv::Position::line);
                // A `#` line is a comment (GA4 puts its report settings
                // there): its first cell starts with `#` and no other cell
                // has anything. "#1001,…" is data (Shopify's order names).
                let comment = record.get(0).is_some_and(|c| c.starts_with('#'))
                    && record.iter().skip(1).all(|c| c.trim().is_empty());
                let cells: Vec<String> = if comment {
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
    Ok(Opened {
        encoding,
        delimiter: Some(char::from(delimiter)),
        fallback_mark,
        rows: Box::new(rows),
    })
}

/// Reads `input` with `preset`, handing each good record (with its row) to
/// `sink`. Bad rows become problems; the caller decides whether any problem
/// stops the import.
pub fn read<R: Read + Send + 'static>(
    input: R,
    preset: &Preset,
    sink: impl FnMut(u64, Record),
) -> Result<ReadOutcome, ReadError> {
    let opened = open(input)?;
    read_rows(
        opened.rows,
        opened.encoding,
        opened.delimiter,
        opened.fallback_mark,
        preset,
        sink,
    )
}

/// The first rows of a file as they are, for a person to map its columns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Preview {
    pub encoding: TextEncoding,
    pub delimiter: Option<char>,
    /// The header row: the one the preset recognises, else the first row
    /// with at least two filled cells.
    pub header_row: Option<u64>,
    pub headers: Vec<String>,
    /// The field each header feeds under the preset.
    pub fields: Vec<Option<String>>,
    /// Rows after the header (at most `limit`).
    pub rows: Vec<(u64, Vec<String>)>,
}

/// Reads the start of a file: its settings, header and first rows.
pub fn preview<R: Read + Send + 'static>(
    input: R,
    preset: Option<&Preset>,
    limit: usize,
) -> Result<Preview, ReadError> {
    let mut opened = open(input)?;
    let mut seen: Vec<(u64, Vec<String>)> = Vec::new();
    let mut header: Option<usize> = None;
    while seen.len() < HEADER_SEARCH_ROWS {
        let Some(row) = (opened.rows)()? else {
            break;
        };
        seen.push(row);
        let cells = &seen[seen.len() - 1].1;
        let recognised = preset.is_some_and(|p| {
            let (picked, _) = pick_columns(p, cells);
            p.fact
                .fields()
                .iter()
                .filter(|f| f.required && p.default_for(f.name).is_none())
                .all(|f| picked.iter().any(|c| c.field == f.name))
        });
        if recognised {
            header = Some(seen.len() - 1);
            break;
        }
    }
    let header = header.or_else(|| {
        seen.iter()
            .position(|(_, c)| c.iter().filter(|x| !x.trim().is_empty()).count() >= 2)
    });
    let Some(h) = header else {
        return Ok(Preview {
            encoding: opened.encoding,
            delimiter: opened.delimiter,
            header_row: None,
            headers: Vec::new(),
            fields: Vec::new(),
            rows: seen.into_iter().take(limit).collect(),
        });
    };
    let mut rows: Vec<(u64, Vec<String>)> = seen.split_off(h + 1);
    let (header_row, headers) = seen.pop().unwrap_or_default();
    while rows.len() < limit {
        let Some(row) = (opened.rows)()? else {
            break;
        };
        rows.push(row);
    }
    rows.retain(|(_, c)| !c.iter().all(|x| x.trim().is_empty()) && !is_totals_row(c));
    rows.truncate(limit);
    let fields = match preset {
        Some(p) => {
            let (picked, _) = pick_columns(p, &headers);
            (0..headers.len())
                .map(|i| {
                    picked
                        .iter()
                        .find(|c| c.index == i)
                        .map(|c| c.field.to_string())
                })
                .collect()
        }
        None => vec![None; headers.len()],
    };
    Ok(Preview {
        encoding: opened.encoding,
        delimiter: opened.delimiter,
        header_row: Some(header_row),
        headers: headers.iter().map(|h| h.trim().to_string()).collect(),
        fields,
        rows,
    })
}

/// The part of reading shared by every file format: find the header, decide
/// each column's style, check every row.
fn read_rows(
    mut next_row: RowSource,
    encoding: TextEncoding,
    delimiter: Option<char>,
    fallback_mark: DecimalMark,
    preset: &Preset,
    mut sink: impl FnMut(u64, Record),
) -> Result<ReadOutcome, ReadError> {
    // The header: the first row that names every required field.
    let mut skipped = 0u64;
    let mut header: Option<(u64, Vec<String>, Vec<Column>)> = None;
    let mut duplicate = None;
    for _ in 0..HEADER_SEARCH_ROWS {
        let Some((row, cells)) = next_row()? else {
            break;
        };
        let (picked, dup) = pick_columns(preset, &cells);
        let complete = preset
            .fact
            .fields()
            .iter()
            .filter(|f| f.required && preset.default_for(f.name).is_none())
            .all(|f| picked.iter().any(|c| c.field == f.name));
        if complete {
            duplicate = dup;
            header = Some((row, cells, picked));
            break;
        }
        skipped += 1;
    }
    let Some((header_row, headers, mut columns)) = header else {
        let expected = preset
            .fact
            .fields()
            .iter()
            .filter(|f| f.required && preset.default_for(f.name).is_none())
            .filter_map(|f| preset.headers_for(f.name).first())
            .map(|h| format!("'{h}'"))
            .collect::<Vec<_>>()
            .join(", ");
        return Err(ReadError::NoHeader {
            preset: preset.name.clone(),
            searched: HEADER_SEARCH_ROWS,
            expected,
        });
    };
    if let Some((field, first, second)) = duplicate {
        return Err(ReadError::DuplicateColumn {
            row: header_row,
            field: field.to_string(),
            first: format!("{} (column {})", headers[first].trim(), first + 1),
            second: format!("{} (column {})", headers[second].trim(), second + 1),
        });
    }
    for col in &mut columns {
        col.decimal = fallback_mark;
    }
    let info_columns = headers
        .iter()
        .enumerate()
        .map(|(i, h)| {
            (
                h.trim().to_string(),
                columns
                    .iter()
                    .find(|c| c.index == i)
                    .map(|c| c.field.to_string()),
            )
        })
        .collect();
    let currency_from_header = columns
        .iter()
        .filter(|c| c.kind == Kind::Money)
        .find_map(|c| header_currency(&c.header));

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
            Kind::Count | Kind::Number | Kind::Money | Kind::Hours | Kind::Score { .. } => match value::detect_decimal_mark(
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
            Kind::Date | Kind::Timestamp => col.dates = value::detect_date_order(values()),
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

    // Returns whether the table goes on: a comment after data ends it (GA4
    // writes several tables into one file, each after a `#` block).
    let mut handle = |outcome: &mut ReadOutcome, row: u64, cells: Vec<String>| -> bool {
        if cells.is_empty() && outcome.rows > 0 {
            return false;
        }
        if cells.iter().all(|c| c.trim().is_empty()) || is_totals_row(&cells) || cells == headers {
            outcome.info.skipped_rows += 1;
            return true;
        }
        outcome.rows += 1;
        let reading = Reading {
            preset,
            columns: &columns,
            currency_from_header: currency_from_header.as_deref(),
        };
        match reading.convert(row, &cells) {
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
        true
    };
    let mut goes_on = true;
    for (row, cells) in buffered {
        goes_on = handle(&mut outcome, row, cells);
        if !goes_on {
            break;
        }
    }
    while goes_on && let Some((row, cells)) = next_row()? {
        goes_on = handle(&mut outcome, row, cells);
    }
    Ok(outcome)
}

/// What reading one row needs.
struct Reading<'a> {
    preset: &'a Preset,
    columns: &'a [Column],
    /// The currency a money column's header names, for rows without one.
    currency_from_header: Option<&'a str>,
}

/// A value that looks like a long number Excel shortened: `1.21143E+15`.
fn excel_shortened(t: &str) -> bool {
    let upper = t.to_ascii_uppercase();
    upper.split_once("E+").is_some_and(|(m, e)| {
        !m.is_empty()
            && m.bytes()
                .all(|b| b.is_ascii_digit() || b == b'.' || b == b',')
            && !e.is_empty()
            && e.bytes().all(|b| b.is_ascii_digit())
    })
}

fn no_formula(raw: &str) -> Result<Value, String> {
    let t = raw.trim();
    if t.starts_with(['=', '+', '@'])
        || (t.starts_with('-') && !t[1..].starts_with(|c: char| c.is_ascii_digit()))
    {
        Err(
            "starts like a spreadsheet formula (=, +, -, @), which is not accepted in text"
                .to_string(),
        )
    } else {
        Ok(Value::Text(t.to_string()))
    }
}

/// An e-mail address, checked and lower-cased as accounts' are, so that
/// the two compare equal.
fn email(raw: &str) -> Result<Value, String> {
    mkpi_domain::Email::parse(raw)
        .map(|e| Value::Text(e.as_str().to_string()))
        .map_err(|_| "is not an e-mail address".to_string())
}

fn in_years(iso: String) -> Result<Value, String> {
    if iso.as_str() < "2000-01-01" || iso.as_str() > "2100-12-31" {
        Err("is outside the years 2000–2100".to_string())
    } else {
        Ok(Value::Text(iso))
    }
}

impl Reading<'_> {
    fn parse(
        &self,
        col: Option<&Column>,
        field: &str,
        kind: Kind,
        raw: &str,
    ) -> Result<Value, String> {
        let decimal = col.map_or(DecimalMark::Point, |c| c.decimal);
        let dates = col.and_then(|c| c.dates);
        match kind {
            Kind::Text => no_formula(raw),
            Kind::Code => {
                if excel_shortened(raw.trim()) {
                    return Err("looks like a long id that Excel shortened into a number; export the column as text".to_string());
                }
                no_formula(raw)
            }
            Kind::Email => email(raw),
            Kind::Person if raw.contains('@') => email(raw),
            Kind::Person => no_formula(&raw.split_whitespace().collect::<Vec<_>>().join(" ")),
            Kind::Currency => {
                let t = raw.trim().to_uppercase();
                let t = match t.as_str() {
                    "₽" | "РУБ" | "РУБ." | "RUR" => "RUB".to_string(),
                    "$" => "USD".to_string(),
                    "€" => "EUR".to_string(),
                    _ => t,
                };
                if t.len() == 3 && t.bytes().all(|b| b.is_ascii_uppercase()) {
                    Ok(Value::Text(t))
                } else {
                    Err("is not a currency code (expected e.g. RUB, USD, EUR)".to_string())
                }
            }
            Kind::Date => value::parse_date(raw, dates)
                .map_err(|e| e.to_string())
                .and_then(in_years),
            Kind::Timestamp => value::parse_timestamp(raw, dates)
                .map_err(|e| e.to_string())
                .and_then(|ts| in_years(ts[..10].to_string()).map(|_| Value::Text(ts))),
            Kind::Time => value::parse_time(raw)
                .map(Value::Text)
                .map_err(|e| e.to_string()),
            Kind::Count => non_negative(value::parse_count(raw, decimal).map(Value::Int)),
            Kind::Score { min, max } => match value::parse_count(raw, decimal) {
                Ok(n) if (min..=max).contains(&n) => Ok(Value::Int(n)),
                Ok(_) => Err(format!("must be between {min} and {max}")),
                Err(e) => Err(e.to_string()),
            },
            Kind::Number => non_negative(value::parse_float(raw, decimal).map(Value::Float)),
            Kind::Hours => {
                let unit = match self.preset.unit_for(field) {
                    DurationUnit::Hours => 3600.0,
                    DurationUnit::Minutes => 60.0,
                    DurationUnit::Seconds => 1.0,
                };
                non_negative(value::parse_duration_hours(raw, decimal, unit).map(Value::Float))
            }
            Kind::Money => non_negative(value::parse_money(raw, decimal).map(Value::Int)),
            Kind::Flag => value::parse_flag(raw)
                .map(Value::Int)
                .map_err(|e| e.to_string()),
            Kind::Choice(allowed) => {
                let ours = self
                    .preset
                    .value_for(field, raw)
                    .map(str::to_string)
                    .unwrap_or_else(|| crate::preset::normalise_word(raw).replace(' ', "_"));
                if allowed.contains(&ours.as_str()) {
                    Ok(Value::Text(ours))
                } else {
                    Err(format!(
                        "is not one of {} (a mapping can name the file's words in [values.{field}])",
                        allowed.join(", ")
                    ))
                }
            }
        }
    }

    /// Checks one row's cells and makes its record.
    fn convert(&self, row: u64, cells: &[String]) -> Result<Record, Vec<Problem>> {
        let fact = self.preset.fact;
        let mut problems = Vec::new();
        let mut values: Vec<Value> = Vec::with_capacity(fact.fields().len());
        for spec in fact.fields() {
            let col = self.columns.iter().find(|c| c.field == spec.name);
            let cell = col
                .and_then(|c| cells.get(c.index))
                .map_or("", String::as_str);
            let (raw, from_default) = match self.preset.default_for(spec.name) {
                Some(d) if value::is_missing(cell) => (d, true),
                _ => (cell, false),
            };
            // The column's name is only spelled out for a problem.
            let problem = |reason: String| Problem {
                row,
                column: if from_default {
                    format!("{} (default)", spec.name)
                } else {
                    col.map_or_else(|| spec.name.to_string(), |c| c.header.clone())
                },
                value: shorten(raw),
                reason,
            };
            if raw.len() > MAX_CELL_CHARS && raw.chars().count() > MAX_CELL_CHARS {
                problems.push(problem(format!(
                    "is longer than {MAX_CELL_CHARS} characters"
                )));
                values.push(Value::Missing);
                continue;
            }
            if value::is_missing(raw) {
                if spec.required {
                    problems.push(problem("is required but has no value".to_string()));
                }
                values.push(Value::Missing);
                continue;
            }
            match self.parse(col, spec.name, spec.kind, raw) {
                Ok(v) => values.push(v),
                Err(reason) => {
                    problems.push(problem(reason));
                    values.push(Value::Missing);
                }
            }
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        let mut r = Row { values };
        self.complete(row, cells, &mut r)?;
        let text = |f: &str| r.get(fact, f).text().map(str::to_string);
        let int = |f: &str| match r.get(fact, f) {
            Value::Int(n) => Some(*n),
            _ => None,
        };
        match fact {
            Fact::Campaigns => Ok(Record::Campaign(CampaignRecord {
                contributors: match text("contributors") {
                    None => Vec::new(),
                    Some(list) => contributors(&list).map_err(|reason| {
                        let col = self.columns.iter().find(|c| c.field == "contributors");
                        vec![Problem {
                            row,
                            column: col
                                .map_or_else(|| "contributors".to_string(), |c| c.header.clone()),
                            value: shorten(&list),
                            reason,
                        }]
                    })?,
                },
                campaign: text("campaign").unwrap_or_default(),
                name: text("name").unwrap_or_default(),
                platform: text("platform"),
                channel: text("channel").map(|c| crate::channel::normalise_channel(&c)),
                owner: text("owner"),
                budget_minor: int("budget"),
                currency: text("currency"),
                start: text("start"),
                end: text("end"),
            })),
            Fact::AdStats => Ok(Record::AdStat(AdStatRecord {
                date: text("date").unwrap_or_default(),
                campaign: text("campaign").unwrap_or_default(),
                impressions: int("impressions").unwrap_or(0),
                clicks: int("clicks").unwrap_or(0),
                spend_minor: int("spend").unwrap_or(0),
                conversions: match r.get(fact, "conversions") {
                    Value::Float(x) => Some(*x),
                    _ => None,
                },
                conversion_value_minor: int("conversion_value"),
                currency: text("currency"),
                vat_included: int("vat_included").map(|v| v == 1),
                campaign_name: text("campaign_name"),
            })),
            _ => Ok(Record::Row(r)),
        }
    }

    /// Checks that span fields, and values one field gives another.
    fn complete(&self, row: u64, cells: &[String], r: &mut Row) -> Result<(), Vec<Problem>> {
        let fact = self.preset.fact;
        let fail = |field: &str, reason: String| {
            let col = self.columns.iter().find(|c| c.field == field);
            vec![Problem {
                row,
                column: col.map_or_else(|| field.to_string(), |c| c.header.clone()),
                value: col
                    .and_then(|c| cells.get(c.index))
                    .map_or(String::new(), |s| shorten(s)),
                reason,
            }]
        };
        let set = |r: &mut Row, field: &str, v: Value| {
            if let Some(i) = fact.fields().iter().position(|f| f.name == field) {
                r.values[i] = v;
            }
        };
        let text = |r: &Row, f: &str| r.get(fact, f).text().map(str::to_string);
        let num = |r: &Row, f: &str| match r.get(fact, f) {
            Value::Int(n) => Some(*n as f64),
            Value::Float(x) => Some(*x),
            _ => None,
        };
        if fact.field("currency").is_some()
            && text(r, "currency").is_none()
            && let Some(c) = self.currency_from_header
        {
            set(r, "currency", Value::Text(c.to_string()));
        }
        if let Some(channel) = text(r, "channel") {
            set(
                r,
                "channel",
                Value::Text(crate::channel::normalise_channel(&channel)),
            );
        }
        for (start, end) in [("start", "end"), ("start", "due"), ("created", "completed")] {
            if let (Some(s), Some(e)) = (text(r, start), text(r, end))
                && fact.field(start).map(|f| f.kind) == Some(Kind::Date)
                && e < s
            {
                return Err(fail(end, format!("is before the {start} ({s})")));
            }
        }
        match fact {
            Fact::AdStats => {
                let impressions = num(r, "impressions").unwrap_or(0.0);
                if num(r, "clicks").unwrap_or(0.0) > impressions {
                    return Err(fail(
                        "clicks",
                        format!("is more than the impressions ({impressions})"),
                    ));
                }
                if let (Some(d), Some(e)) = (text(r, "date"), text(r, "date_end"))
                    && d != e
                {
                    return Err(fail(
                        "date_end",
                        format!(
                            "the row covers {d} to {e}: export one row per day (the 'By day' breakdown)"
                        ),
                    ));
                }
            }
            Fact::WebTraffic => {
                if let Some(sm) = text(r, "source_medium")
                    && text(r, "source").is_none()
                    && text(r, "medium").is_none()
                {
                    let (source, medium) = sm
                        .split_once('/')
                        .map_or((sm.trim(), ""), |(s, m)| (s.trim(), m.trim()));
                    set(r, "source", Value::Text(source.to_string()));
                    set(r, "medium", Value::Text(medium.to_string()));
                }
                let source = text(r, "source").unwrap_or_default();
                let medium = text(r, "medium").unwrap_or_default();
                if text(r, "channel").is_none() {
                    let channel = crate::channel::default_channel(&source, &medium);
                    set(r, "channel", Value::Text(channel.to_string()));
                }
                for (f, v) in [("source", source), ("medium", medium)] {
                    if v.is_empty() {
                        set(r, f, Value::Text("(not set)".to_string()));
                    }
                }
                let sessions = num(r, "sessions").unwrap_or(0.0);
                if num(r, "new_users").unwrap_or(0.0) > num(r, "users").unwrap_or(f64::MAX) {
                    return Err(fail("new_users", "is more than the users".to_string()));
                }
                if num(r, "users").unwrap_or(0.0) > sessions {
                    return Err(fail(
                        "users",
                        format!("is more than the sessions ({sessions})"),
                    ));
                }
            }
            Fact::Orders => {
                if text(r, "status").is_none() {
                    set(r, "status", Value::Text("paid".to_string()));
                }
                match (text(r, "date"), text(r, "created")) {
                    (Some(_), _) => {}
                    (None, Some(created)) => set(r, "date", Value::Text(created)),
                    (None, None) => {
                        return Err(fail(
                            "date",
                            "has no date (neither when it was paid nor when it was created)"
                                .to_string(),
                        ));
                    }
                }
            }
            Fact::Tasks => {
                // MK-… keys are the tasks made in mkpi: an import must not
                // overwrite one (nor a rollback delete it).
                if text(r, "task").is_some_and(|k| k.to_ascii_uppercase().starts_with("MK-")) {
                    return Err(fail(
                        "task",
                        "keys starting with MK- belong to tasks made in mkpi; give the tracker's own key"
                            .to_string(),
                    ));
                }
                if text(r, "status").is_none() {
                    let status = if text(r, "completed").is_some() {
                        "done"
                    } else {
                        "planned"
                    };
                    set(r, "status", Value::Text(status.to_string()));
                }
            }
            Fact::SurveyResponses => {
                let answered = ["csat", "nps", "aware_aided", "aware_unaided"]
                    .iter()
                    .any(|f| r.get(fact, f) != &Value::Missing);
                if !answered {
                    return Err(fail(
                        "response_id",
                        "the response answers none of csat, nps, aware_aided, aware_unaided"
                            .to_string(),
                    ));
                }
            }
            Fact::TimeEntries => {
                let hours = num(r, "hours").unwrap_or(0.0);
                if hours <= 0.0 {
                    return Err(fail("hours", "must be more than 0".to_string()));
                }
                if hours > 24.0 {
                    return Err(fail(
                        "hours",
                        "is more than 24 hours in one entry".to_string(),
                    ));
                }
            }
            _ => {}
        }
        Ok(())
    }
}

/// A list of people and their shares: `anna@x.ru: 30%; boris@x.ru: 0.2`
/// (entries split by `;`, `|` or line breaks; a share as a percentage or a
/// fraction up to 1). Shares in basis points; together at most 100%.
fn contributors(list: &str) -> Result<Vec<(String, i64)>, String> {
    let mut out: Vec<(String, i64)> = Vec::new();
    for entry in list
        .split([';', '|', '\n'])
        .map(str::trim)
        .filter(|e| !e.is_empty())
    {
        let Some((who, share)) = entry.rsplit_once([':', '=']) else {
            return Err(format!("'{entry}' has no share: write e-mail: 30%"));
        };
        let who = match email(who) {
            Ok(Value::Text(t)) => t,
            _ => return Err(format!("'{}' is not an e-mail address", who.trim())),
        };
        let share = share.trim();
        let bp = match share.strip_suffix('%') {
            Some(p) => value::parse_float(p.trim(), DecimalMark::Point)
                .or_else(|_| value::parse_float(p.trim(), DecimalMark::Comma))
                .map(|x| (x * 100.0).round()),
            None => value::parse_float(share, DecimalMark::Point)
                .or_else(|_| value::parse_float(share, DecimalMark::Comma))
                .map(|x| (x * 10_000.0).round()),
        }
        .map_err(|_| format!("the share '{share}' of {who} is not a number: write 30% or 0.3"))?;
        if !(1.0..=10_000.0).contains(&bp) {
            return Err(format!(
                "the share '{share}' of {who} must be more than 0 and at most 100% (write 30% or 0.3)"
            ));
        }
        if out.iter().any(|(e, _)| *e == who) {
            return Err(format!("{who} is listed twice"));
        }
        out.push((who, bp as i64));
    }
    let total: i64 = out.iter().map(|(_, bp)| bp).sum();
    if total > 10_000 {
        return Err(format!(
            "the shares add up to {}%, more than 100%",
            total as f64 / 100.0
        ));
    }
    Ok(out)
}

fn non_negative(parsed: Result<Value, ValueError>) -> Result<Value, String> {
    match parsed {
        Ok(Value::Int(n)) if n < 0 => Err("must not be negative".to_string()),
        Ok(Value::Float(x)) if x < 0.0 => Err("must not be negative".to_string()),
        Ok(cell) => Ok(cell),
        Err(e) => Err(e.to_string()),
    }
}
