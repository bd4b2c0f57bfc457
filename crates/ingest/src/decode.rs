//! Bytes to UTF-8 text, whatever the exporting software chose: UTF-8 with
//! or without BOM, UTF-16 (Google's "Excel CSV"), or Windows-1251 (Russian
//! Excel). Decided by sniffing the bytes, never the file name; things that
//! are not text tables are refused with a clear reason.

use std::io::{self, BufRead, BufReader, Chain, Cursor, Read};

use encoding_rs_io::DecodeReaderBytesBuilder;

/// How a file's text was encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextEncoding {
    Utf8,
    Utf8Bom,
    Utf16Le,
    Utf16Be,
    Windows1251,
    /// Not text at all: an Excel workbook, read cell by cell.
    Xlsx,
}

impl TextEncoding {
    pub fn name(self) -> &'static str {
        match self {
            TextEncoding::Utf8 => "UTF-8",
            TextEncoding::Utf8Bom => "UTF-8 with BOM",
            TextEncoding::Utf16Le => "UTF-16 LE",
            TextEncoding::Utf16Be => "UTF-16 BE",
            TextEncoding::Windows1251 => "Windows-1251",
            TextEncoding::Xlsx => "XLSX workbook",
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum DecodeError {
    #[error("the file is empty")]
    Empty,
    #[error("{0}")]
    NotATable(&'static str),
    #[error("cannot read the file: {0}")]
    Io(#[from] io::Error),
}

const SNIFF: usize = 64 * 1024;

/// Decides the encoding from the first bytes of a file.
pub fn sniff(head: &[u8]) -> Result<TextEncoding, DecodeError> {
    let starts = |sig: &[u8]| head.starts_with(sig);
    if head.is_empty() {
        return Err(DecodeError::Empty);
    }
    if starts(b"PK\x03\x04") {
        return Err(DecodeError::NotATable(
            "this is a ZIP archive (an XLSX workbook?): save the sheet as CSV for now",
        ));
    }
    if starts(&[0xD0, 0xCF, 0x11, 0xE0]) {
        return Err(DecodeError::NotATable(
            "this is a legacy Excel .xls file: save it as .xlsx or CSV",
        ));
    }
    if starts(b"%PDF") {
        return Err(DecodeError::NotATable(
            "this is a PDF document, not a table",
        ));
    }
    if starts(&[0x89, b'P', b'N', b'G']) || starts(&[0xFF, 0xD8, 0xFF]) || starts(b"GIF8") {
        return Err(DecodeError::NotATable("this is an image, not a table"));
    }
    if starts(&[0xEF, 0xBB, 0xBF]) {
        return Ok(TextEncoding::Utf8Bom);
    }
    if starts(&[0xFF, 0xFE]) {
        return Ok(TextEncoding::Utf16Le);
    }
    if starts(&[0xFE, 0xFF]) {
        return Ok(TextEncoding::Utf16Be);
    }
    let pairs = head.len() / 2;
    let zero_odd = head.iter().skip(1).step_by(2).filter(|b| **b == 0).count();
    let zero_even = head.iter().step_by(2).filter(|b| **b == 0).count();
    if pairs > 0 && zero_odd * 3 > pairs {
        return Ok(TextEncoding::Utf16Le);
    }
    if pairs > 0 && zero_even * 3 > pairs {
        return Ok(TextEncoding::Utf16Be);
    }
    if head.contains(&0) {
        return Err(DecodeError::NotATable(
            "this is binary data, not a text table",
        ));
    }
    match std::str::from_utf8(head) {
        Ok(_) => Ok(TextEncoding::Utf8),
        // A multi-byte character cut by the end of the sample is still UTF-8.
        Err(e) if e.error_len().is_none() && head.len() == SNIFF => Ok(TextEncoding::Utf8),
        Err(_) => Ok(TextEncoding::Windows1251),
    }
}

/// A reader of UTF-8 text: the original bytes for UTF-8 (BOM removed), a
/// streaming transcoder otherwise.
pub type TextReader = Box<dyn BufRead + Send>;

/// Opens `read` as text, sniffing its encoding from the first 64 KiB.
pub fn open<R: Read + Send + 'static>(
    mut read: R,
) -> Result<(TextEncoding, TextReader), DecodeError> {
    let mut head = Vec::with_capacity(SNIFF);
    (&mut read).take(SNIFF as u64).read_to_end(&mut head)?;
    let encoding = sniff(&head)?;
    if encoding == TextEncoding::Utf8Bom {
        head.drain(..3);
    }
    let whole: Chain<Cursor<Vec<u8>>, R> = Cursor::new(head).chain(read);
    let reader: Box<dyn BufRead + Send> = match encoding {
        TextEncoding::Utf8 | TextEncoding::Utf8Bom => {
            Box::new(BufReader::with_capacity(256 * 1024, whole))
        }
        other => {
            let enc = match other {
                TextEncoding::Utf16Le => encoding_rs::UTF_16LE,
                TextEncoding::Utf16Be => encoding_rs::UTF_16BE,
                _ => encoding_rs::WINDOWS_1251,
            };
            let decoder = DecodeReaderBytesBuilder::new()
                .encoding(Some(enc))
                .strip_bom(true)
                .build(whole);
            Box::new(BufReader::with_capacity(256 * 1024, decoder))
        }
    };
    Ok((encoding, reader))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(bytes: Vec<u8>) -> (TextEncoding, String) {
        let (enc, mut r) = open(Cursor::new(bytes)).unwrap();
        let mut s = String::new();
        r.read_to_string(&mut s).unwrap();
        (enc, s)
    }

    #[test]
    fn each_encoding_of_russian_exports_reads_back_the_same_text() {
        let sample = "Дата;Кампания;Расход\n31.12.2024;Бренд;1 234,50\n";
        let (enc, s) = text(sample.as_bytes().to_vec());
        assert_eq!((enc, s.as_str()), (TextEncoding::Utf8, sample));

        let mut bom = vec![0xEF, 0xBB, 0xBF];
        bom.extend_from_slice(sample.as_bytes());
        assert_eq!(text(bom), (TextEncoding::Utf8Bom, sample.to_string()));

        let (cp1251, _, _) = encoding_rs::WINDOWS_1251.encode(sample);
        assert_eq!(
            text(cp1251.to_vec()),
            (TextEncoding::Windows1251, sample.to_string())
        );

        let mut le = vec![0xFF, 0xFE];
        le.extend(sample.encode_utf16().flat_map(u16::to_le_bytes));
        assert_eq!(text(le), (TextEncoding::Utf16Le, sample.to_string()));

        let no_bom: Vec<u8> = "Day\tCost\n"
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect();
        assert_eq!(
            text(no_bom),
            (TextEncoding::Utf16Le, "Day\tCost\n".to_string())
        );
    }

    #[test]
    fn things_that_are_not_text_tables_are_refused_with_a_reason() {
        let reason = |bytes: &[u8]| sniff(bytes).unwrap_err().to_string();
        assert_eq!(reason(b""), "the file is empty");
        assert!(reason(b"PK\x03\x04rest").contains("ZIP archive"));
        assert!(reason(&[0xD0, 0xCF, 0x11, 0xE0, 1, 2]).contains(".xls"));
        assert!(reason(b"%PDF-1.7").contains("PDF"));
        assert!(reason(&[0x89, b'P', b'N', b'G', 0, 0]).contains("image"));
        assert!(reason(&[1, 2, 3, 0, 7, 8, 9, 10, 11, 12, 13, 0, 5]).contains("binary"));
    }
}
