//! Reads audit logs as a stream: one JSON object per line (what the API
//! server's log backend writes), gzip-compressed or not (detected by the
//! magic bytes), `EventList` objects (the webhook's batch format) on a line,
//! and pretty-printed documents (an `Event`, an `EventList` or a JSON array)
//! spanning lines. Memory is one line, or one document, at a time.
//!
//! A line that is not JSON, or not an audit event, is reported with its file
//! and line number and skipped; reading goes on.

use crate::event::{recognise, Event};
use serde_json::value::RawValue;
use std::fmt;
use std::io::{self, BufRead, BufReader, Read};

/// A line or document that could not be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadError {
    pub file: String,
    pub line: usize,
    pub message: String,
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.file, self.line, self.message)
    }
}

/// What a read saw.
#[derive(Debug, Default, Clone, Copy)]
pub struct ReadStats {
    pub lines: usize,
    pub events: u64,
    pub errors: usize,
    pub bytes: u64,
}

/// The largest document read across lines (a pretty-printed batch).
const MAX_DOCUMENT: usize = 256 << 20;

/// Wraps `input` in a gzip decoder when it starts with the gzip magic bytes.
pub fn decompress<'r, R: Read + 'r>(input: R) -> io::Result<Box<dyn BufRead + 'r>> {
    let mut buffered = BufReader::with_capacity(256 << 10, input);
    let head = buffered.fill_buf()?;
    if head.len() >= 2 && head[0] == 0x1f && head[1] == 0x8b {
        Ok(Box::new(BufReader::with_capacity(256 << 10, flate2::bufread::MultiGzDecoder::new(buffered))))
    } else {
        Ok(Box::new(buffered))
    }
}

/// Brace depth tracking for documents that span lines.
#[derive(Default)]
struct Depth {
    depth: i64,
    in_string: bool,
    escaped: bool,
}

impl Depth {
    fn feed(&mut self, bytes: &[u8]) {
        for &b in bytes {
            if self.in_string {
                if self.escaped {
                    self.escaped = false;
                } else if b == b'\\' {
                    self.escaped = true;
                } else if b == b'"' {
                    self.in_string = false;
                }
                continue;
            }
            match b {
                b'"' => self.in_string = true,
                b'{' | b'[' => self.depth += 1,
                b'}' | b']' => self.depth -= 1,
                _ => {}
            }
        }
    }
}

/// Reads every event of `input`, calling `on_event` for each and `on_error`
/// for each line that could not be used. Fails only when `input` itself
/// cannot be read.
pub fn read_events(
    input: &mut dyn BufRead,
    file: &str,
    on_event: &mut dyn FnMut(&Event<'_>),
    on_error: &mut dyn FnMut(ReadError),
) -> io::Result<ReadStats> {
    let mut stats = ReadStats::default();
    let mut line = Vec::with_capacity(64 << 10);
    let mut document: Vec<u8> = Vec::new();
    let mut document_start = 0;
    let mut depth = Depth::default();
    let mut number = 0usize;
    loop {
        line.clear();
        let n = input.read_until(b'\n', &mut line)?;
        if n == 0 {
            break;
        }
        number += 1;
        stats.lines += 1;
        stats.bytes += n as u64;
        if !document.is_empty() {
            if document.len() + line.len() > MAX_DOCUMENT {
                on_error(ReadError {
                    file: file.into(),
                    line: document_start,
                    message: "document larger than 256 MiB; skipped".into(),
                });
                stats.errors += 1;
                document = Vec::new();
                depth = Depth::default();
                continue;
            }
            document.extend_from_slice(&line);
            depth.feed(&line);
            if depth.depth <= 0 {
                handle(&document, file, document_start, &mut stats, on_event, on_error);
                document.clear();
                depth = Depth::default();
            }
            continue;
        }
        let trimmed = line.trim_ascii();
        if trimmed.is_empty() {
            continue;
        }
        // A pretty-printed document opens with a lone `{` or `[` (possibly after `[`).
        if matches!(trimmed, b"{" | b"[" | b"[{" | b"[ {") {
            document_start = number;
            document.extend_from_slice(&line);
            depth.feed(&line);
            continue;
        }
        handle(trimmed, file, number, &mut stats, on_event, on_error);
    }
    if !document.is_empty() {
        on_error(ReadError {
            file: file.into(),
            line: document_start,
            message: "document not closed before end of input".into(),
        });
        stats.errors += 1;
    }
    Ok(stats)
}

fn handle(
    bytes: &[u8],
    file: &str,
    line: usize,
    stats: &mut ReadStats,
    on_event: &mut dyn FnMut(&Event<'_>),
    on_error: &mut dyn FnMut(ReadError),
) {
    let mut error = |message: String| {
        stats.errors += 1;
        on_error(ReadError { file: file.into(), line, message });
    };
    let bytes = bytes.trim_ascii();
    if bytes.first() == Some(&b'[') {
        match serde_json::from_slice::<Vec<&RawValue>>(bytes) {
            Ok(items) => {
                for (i, item) in items.iter().enumerate() {
                    match serde_json::from_str::<Event<'_>>(item.get()) {
                        Ok(ev) => match recognise(&ev) {
                            Ok(()) if ev.kind == "EventList" => {
                                error(format!("item {i}: an EventList inside an array is not supported"))
                            }
                            Ok(()) => {
                                stats.events += 1;
                                on_event(&ev)
                            }
                            Err(e) => error(format!("item {i}: {e}")),
                        },
                        Err(e) => error(format!("item {i}: not an audit event: {e}")),
                    }
                }
            }
            Err(e) => error(format!("invalid JSON: {e}")),
        }
        return;
    }
    let ev = match serde_json::from_slice::<Event<'_>>(bytes) {
        Ok(ev) => ev,
        Err(e) if e.is_data() => {
            return error(format!("data not recognized as a k8s audit event: {e}"));
        }
        Err(e) => return error(format!("invalid JSON: {e}")),
    };
    if let Err(e) = recognise(&ev) {
        return error(e);
    }
    if ev.kind == "EventList" {
        for (i, item) in ev.items.iter().flatten().enumerate() {
            match serde_json::from_str::<Event<'_>>(item.get()) {
                Ok(item_ev) => match recognise(&item_ev) {
                    Ok(()) if item_ev.kind != "EventList" => {
                        stats.events += 1;
                        on_event(&item_ev)
                    }
                    Ok(()) => error(format!("items/{i}: nested EventList")),
                    Err(e) => error(format!("items/{i}: {e}")),
                },
                Err(e) => error(format!("items/{i}: not an audit event: {e}")),
            }
        }
        return;
    }
    stats.events += 1;
    on_event(&ev);
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn read(bytes: &[u8]) -> (Vec<String>, Vec<ReadError>) {
        let mut input = decompress(bytes).unwrap();
        let (mut ids, mut errors) = (Vec::new(), Vec::new());
        read_events(&mut *input, "log", &mut |e| ids.push(e.audit_id.to_string()), &mut |e| errors.push(e)).unwrap();
        (ids, errors)
    }

    const A: &str =
        r#"{"kind":"Event","apiVersion":"audit.k8s.io/v1","auditID":"a","verb":"get","stage":"ResponseComplete"}"#;
    const B: &str = r#"{"kind":"Event","apiVersion":"audit.k8s.io/v1beta1","auditID":"b\u00e9","verb":"list"}"#;

    #[test]
    fn lines_lists_and_malformed_lines() {
        let list = format!(r#"{{"kind":"EventList","apiVersion":"audit.k8s.io/v1","items":[{A},{B}]}}"#);
        let text = format!("{A}\n\nnot json\n{list}\n{{\"kind\": 0}}\n{{\"kind\":\"Pod\"}}\n{B}");
        let (ids, errors) = read(text.as_bytes());
        assert_eq!(ids, ["a", "a", "bé", "bé"]);
        let lines: Vec<usize> = errors.iter().map(|e| e.line).collect();
        assert_eq!(lines, [3, 5, 6]);
        assert!(errors[0].to_string().starts_with("log:3: invalid JSON"), "{}", errors[0]);
        assert!(errors[1].message.contains("not recognized"), "{}", errors[1]);
    }

    #[test]
    fn gzip_and_pretty_documents() {
        let pretty = format!("{{\n  \"kind\": \"EventList\",\n  \"items\": [\n{A},\n{B}\n  ]\n}}\n{A}\n[\n{B}\n]\n{{\n \"kind\": \"Event\", \"auditID\": \"x{{\"\n");
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(pretty.as_bytes()).unwrap();
        let (ids, errors) = read(&gz.finish().unwrap());
        assert_eq!(ids, ["a", "bé", "a", "bé"]);
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert_eq!(errors[0].line, 12);
        assert!(errors[0].message.contains("not closed"));
    }

    #[test]
    fn garbage_never_panics() {
        for input in [
            &b"\xff\xfe\x00"[..],
            b"{",
            b"[",
            b"}}}}",
            b"\x1f\x8b\x08garbage",
            b"[1,2]",
            b"{\"items\":5,\"kind\":\"EventList\"}",
        ] {
            let mut reader = match decompress(input) {
                Ok(r) => r,
                Err(_) => continue,
            };
            let _ = read_events(&mut *reader, "x", &mut |_| {}, &mut |_| {});
        }
    }
}
