//! A local SMTP server that accepts every message and keeps it, for tests
//! of mail delivery: the real protocol over a real socket.

use std::sync::{Arc, Mutex};

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

/// One accepted message: the envelope's recipients and the raw data.
#[derive(Debug, Clone)]
pub struct Received {
    pub to: Vec<String>,
    pub data: String,
}

impl Received {
    /// The Subject header, with RFC 2047 base64 words decoded.
    pub fn subject(&self) -> String {
        use base64::Engine;
        let mut lines = self.data.lines();
        let mut raw = String::new();
        while let Some(line) = lines.next() {
            if let Some(rest) = line.strip_prefix("Subject: ") {
                raw.push_str(rest);
                for more in lines.by_ref() {
                    match more.strip_prefix(' ') {
                        Some(cont) => raw.push_str(cont),
                        None => break,
                    }
                }
                break;
            }
        }
        raw.split_whitespace()
            .map(|word| {
                let lower = word.to_ascii_lowercase();
                match lower
                    .strip_prefix("=?utf-8?b?")
                    .and_then(|w| w.strip_suffix("?="))
                {
                    Some(_) => {
                        let encoded = &word["=?utf-8?b?".len()..word.len() - 2];
                        let bytes = base64::engine::general_purpose::STANDARD
                            .decode(encoded)
                            .unwrap_or_default();
                        String::from_utf8_lossy(&bytes).into_owned()
                    }
                    None => format!("{word} "),
                }
            })
            .collect::<String>()
            .trim()
            .to_string()
    }

    /// Everything after the headers, decoded from its transfer encoding.
    pub fn body(&self) -> String {
        use base64::Engine;
        let (head, body) = self.data.split_once("\r\n\r\n").unwrap_or_default();
        let encoding = head
            .lines()
            .find_map(|l| l.strip_prefix("Content-Transfer-Encoding: "))
            .unwrap_or("7bit")
            .to_ascii_lowercase();
        let bytes = match encoding.as_str() {
            "base64" => base64::engine::general_purpose::STANDARD
                .decode(body.replace("\r\n", ""))
                .unwrap_or_default(),
            "quoted-printable" => {
                let joined = body.replace("=\r\n", "");
                let raw = joined.as_bytes();
                let mut out = Vec::new();
                let mut i = 0;
                while i < raw.len() {
                    if raw[i] == b'=' && i + 2 < raw.len() {
                        let hex = std::str::from_utf8(&raw[i + 1..i + 3]).unwrap_or("");
                        if let Ok(b) = u8::from_str_radix(hex, 16) {
                            out.push(b);
                            i += 3;
                            continue;
                        }
                    }
                    out.push(raw[i]);
                    i += 1;
                }
                out
            }
            _ => body.as_bytes().to_vec(),
        };
        String::from_utf8_lossy(&bytes).replace("\r\n", "\n")
    }
}

pub struct SmtpSink {
    pub port: u16,
    pub received: Arc<Mutex<Vec<Received>>>,
}

impl SmtpSink {
    pub async fn start() -> SmtpSink {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let received = Arc::new(Mutex::new(Vec::new()));
        let keep = received.clone();
        tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                let keep = keep.clone();
                tokio::spawn(async move {
                    let (read, mut write) = socket.into_split();
                    let mut lines = BufReader::new(read).lines();
                    write.write_all(b"220 sink ESMTP\r\n").await.unwrap();
                    let mut to = Vec::new();
                    while let Ok(Some(line)) = lines.next_line().await {
                        let verb = line.split_whitespace().next().unwrap_or("").to_uppercase();
                        let answer: &[u8] = match verb.as_str() {
                            "EHLO" => b"250-sink\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n",
                            "HELO" | "MAIL" | "RSET" | "NOOP" => b"250 OK\r\n",
                            "RCPT" => {
                                let addr = line
                                    .split(['<', '>'])
                                    .nth(1)
                                    .unwrap_or_default()
                                    .to_string();
                                to.push(addr);
                                b"250 OK\r\n"
                            }
                            "DATA" => {
                                write.write_all(b"354 go on\r\n").await.unwrap();
                                let mut data = String::new();
                                while let Ok(Some(l)) = lines.next_line().await {
                                    if l == "." {
                                        break;
                                    }
                                    data.push_str(l.strip_prefix('.').unwrap_or(&l));
                                    data.push_str("\r\n");
                                }
                                keep.lock().unwrap().push(Received {
                                    to: std::mem::take(&mut to),
                                    data,
                                });
                                b"250 queued\r\n"
                            }
                            "QUIT" => {
                                let _ = write.write_all(b"221 bye\r\n").await;
                                break;
                            }
                            _ => b"502 not here\r\n",
                        };
                        if write.write_all(answer).await.is_err() {
                            break;
                        }
                    }
                });
            }
        });
        SmtpSink { port, received }
    }

    pub fn messages(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }
}
