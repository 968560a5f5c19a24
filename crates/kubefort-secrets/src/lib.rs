//! Secret detection: known credential formats (cloud keys, VCS and SaaS
//! tokens, private keys, JWTs, Docker registry auths, URLs with passwords)
//! and random-looking values under secret-like keys.
//!
//! Every detector is keyed by literal anchors (`AKIA`, `ghp_`, `xox`,
//! `-----BEGIN`, `eyJ`, `password`, …). One pass of two Aho-Corasick
//! automatons (case-sensitive token prefixes, case-insensitive key words)
//! finds the candidates, and only then does a detector's regex run, on the
//! few bytes after the anchor or on the anchor's line. Ordinary text is
//! scanned at the speed of the prefilter.
//!
//! A [`Match`] carries the detector, the byte range, a short SHA-256
//! fingerprint and a masked preview (`AKIA****`) — never the value, so
//! callers have nothing to leak.

mod detectors;
pub mod fake;
pub mod generic;
mod memo;

pub use detectors::DETECTORS;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, MatchKind};
use detectors::{Kind, Pattern, PATTERNS};
use memo::Memo;
use regex::bytes::Regex;
use sha2::{Digest, Sha256};
use std::ops::Range;
use std::sync::OnceLock;

/// A kind of secret.
#[derive(Debug, PartialEq, Eq)]
pub struct Detector {
    /// Stable id: `aws-access-key-id`, `generic-secret`.
    pub id: &'static str,
    /// Human name: `AWS access key id`.
    pub title: &'static str,
    /// A recognised credential format (`true`) or a random-looking value
    /// under a secret-like key (`false`, the `generic-secret` detector).
    pub known_format: bool,
    /// On overlap, the detector with the lower rank wins (the more
    /// specific one: a GCP key file over the private key inside it).
    pub rank: u8,
}

/// One secret found in a text. Holds no part of the value beyond the
/// masked preview.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Match {
    pub detector: &'static Detector,
    /// Byte range of the secret in the scanned text.
    pub range: Range<usize>,
    /// `sha256:` and the first 12 hex digits of the value's SHA-256: the
    /// same secret gives the same fingerprint wherever it appears.
    pub fingerprint: String,
    /// At most 4 leading characters (fewer for short values) and `****`.
    pub preview: String,
}

impl Match {
    fn new(detector: &'static Detector, text: &[u8], range: Range<usize>) -> Match {
        let value = &text[range.clone()];
        Match { detector, fingerprint: fingerprint(value), preview: mask(value), range }
    }

    /// `aws-access-key-id AKIA**** sha256:0123456789ab`: safe to print.
    pub fn evidence(&self) -> String {
        format!("{} {} {}", self.detector.id, self.preview, self.fingerprint)
    }
}

/// `sha256:` and 12 hex digits of the value's SHA-256.
pub fn fingerprint(value: &[u8]) -> String {
    let digest = Sha256::digest(value);
    let mut out = String::from("sha256:");
    for b in &digest[..6] {
        out.push_str(&format!("{b:02x}"));
    }
    out
}

/// The first `min(4, n / 4)` characters of the value and `****`.
pub fn mask(value: &[u8]) -> String {
    let text = String::from_utf8_lossy(value);
    let n = text.chars().count();
    let mut out: String = text.chars().take((n / 4).min(4)).filter(|c| !c.is_control()).collect();
    out.push_str("****");
    out
}

/// Decodes standard or URL-safe base64, padded or not, ignoring
/// whitespace (as Kubernetes `data` values and `.dockerconfigjson` auths
/// are written).
pub fn decode_base64(value: &[u8]) -> Option<Vec<u8>> {
    use base64::Engine;
    let clean: Vec<u8> = value.iter().copied().filter(|b| !b.is_ascii_whitespace() && *b != b'=').collect();
    base64::engine::general_purpose::STANDARD_NO_PAD
        .decode(&clean)
        .ok()
        .or_else(|| base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(&clean).ok())
}

/// 1-based line and column (in characters) of a byte offset.
pub fn line_col(text: &[u8], offset: usize) -> (u32, u32) {
    let offset = offset.min(text.len());
    let before = &text[..offset];
    let line = memchr::memchr_iter(b'\n', before).count() + 1;
    let start = memchr::memrchr(b'\n', before).map_or(0, |i| i + 1);
    let column = String::from_utf8_lossy(&before[start..]).chars().count() + 1;
    (u32::try_from(line).unwrap_or(u32::MAX), u32::try_from(column).unwrap_or(u32::MAX))
}

/// One automaton over distinct anchors. A hit on an anchor triggers every
/// pattern owning that anchor or one contained in it, so leftmost-longest
/// matching (which hides `secret` inside `secret_access_key`) loses nothing.
struct Anchors {
    automaton: AhoCorasick,
    triggers: Vec<Vec<usize>>,
}

impl Anchors {
    fn new(owned: &[(&'static str, usize)], case_insensitive: bool) -> Anchors {
        let norm = |a: &str| if case_insensitive { a.to_ascii_lowercase() } else { a.to_owned() };
        let mut distinct: Vec<String> = owned.iter().map(|(a, _)| norm(a)).collect();
        distinct.sort();
        distinct.dedup();
        let triggers = distinct
            .iter()
            .map(|anchor| {
                let mut ps: Vec<usize> =
                    owned.iter().filter(|(a, _)| anchor.contains(&norm(a))).map(|(_, p)| *p).collect();
                ps.sort_unstable();
                ps.dedup();
                ps
            })
            .collect();
        let automaton = AhoCorasickBuilder::new()
            .ascii_case_insensitive(case_insensitive)
            .match_kind(MatchKind::LeftmostLongest)
            .kind(Some(AhoCorasickKind::DFA))
            .build(&distinct)
            .expect("anchors compile");
        Anchors { automaton, triggers }
    }

    fn hits<'a>(&'a self, text: &'a [u8]) -> impl Iterator<Item = (usize, usize, usize)> + 'a {
        self.automaton
            .find_iter(text)
            .flat_map(move |m| self.triggers[m.pattern().as_usize()].iter().map(move |&p| (p, m.start(), m.end())))
    }
}

struct Compiled {
    pattern: &'static Pattern,
    /// Built on the first anchor of this detector: a run meets few
    /// detectors' anchors, and building every regex cost ~3 ms a run.
    built: OnceLock<Option<Built>>,
}

struct Built {
    regex: Regex,
    /// [`Pattern::required_bytes`]: a line missing one is not searched.
    required: Vec<u8>,
}

impl Compiled {
    /// The detector's regex, `None` for a detector without one.
    fn built(&self) -> Option<&Built> {
        self.built
            .get_or_init(|| {
                let regex = Regex::new(self.pattern.regex()?).expect("detector regex compiles");
                Some(Built { regex, required: self.pattern.required_bytes() })
            })
            .as_ref()
    }
}

/// The detectors, compiled once. Use [`scanner`] for the shared instance.
pub struct Scanner {
    /// Every anchor of both automatons, ASCII case ignored: one pass that
    /// finds none rules out both (most texts hold no anchor).
    any_anchor: AhoCorasick,
    sensitive: Anchors,
    insensitive: Anchors,
    patterns: Vec<Compiled>,
    /// No text shorter than this holds a match: shorter texts (most strings
    /// of a manifest) skip the automatons.
    shortest_text: usize,
}

/// The process-wide scanner (compiled on first use).
pub fn scanner() -> &'static Scanner {
    static SCANNER: OnceLock<Scanner> = OnceLock::new();
    SCANNER.get_or_init(Scanner::new)
}

/// Texts up to this long have their scans remembered (see [`Scanner::scan`]).
const REMEMBERED_SCAN_LEN: usize = 64;

/// Longest line (in bytes) a line-scoped regex looks at around an anchor.
const LINE_WINDOW: usize = 2048;

impl Default for Scanner {
    fn default() -> Self {
        Self::new()
    }
}

impl Scanner {
    pub fn new() -> Scanner {
        let mut sensitive = Vec::new();
        let mut insensitive = Vec::new();
        let mut patterns = Vec::new();
        for (i, pattern) in PATTERNS.iter().enumerate() {
            let owned = if pattern.case_insensitive { &mut insensitive } else { &mut sensitive };
            owned.extend(pattern.anchors.iter().map(|a| (*a, i)));
            patterns.push(Compiled { pattern, built: OnceLock::new() });
        }
        let shortest_text = PATTERNS.iter().map(Pattern::shortest_text).min().unwrap_or(0);
        let mut anchors: Vec<String> =
            PATTERNS.iter().flat_map(|p| p.anchors).map(|a| a.to_ascii_lowercase()).collect();
        anchors.sort();
        anchors.dedup();
        let any_anchor = AhoCorasickBuilder::new()
            .ascii_case_insensitive(true)
            .kind(Some(AhoCorasickKind::DFA))
            .build(&anchors)
            .expect("anchors compile");
        Scanner {
            any_anchor,
            sensitive: Anchors::new(&sensitive, false),
            insensitive: Anchors::new(&insensitive, true),
            patterns,
            shortest_text,
        }
    }

    /// How many anchors the two automatons find (for benchmarks).
    #[doc(hidden)]
    pub fn prefilter_hits(&self, text: &[u8]) -> (usize, usize) {
        (self.sensitive.hits(text).count(), self.insensitive.hits(text).count())
    }

    /// Every secret in a text, in order, overlaps resolved in favour of
    /// the more specific detector.
    pub fn scan(&self, text: &[u8]) -> Vec<Match> {
        if !self.may_match(text) {
            return Vec::new();
        }
        // Short texts holding an anchor repeat across objects (a mount path
        // under `/var/run/secrets/`, a `…-secret` name): their scans are
        // remembered per thread. Every `Scanner` is built from the same
        // patterns, so they share the memory.
        thread_local! {
            static SCANNED: std::cell::RefCell<Memo<Vec<Match>, REMEMBERED_SCAN_LEN>> =
                std::cell::RefCell::new(Memo::new(1024));
        }
        SCANNED.with(|scanned| scanned.borrow_mut().get(text, || self.scan_anchors(text)))
    }

    /// Whether [`Scanner::scan`] can find anything in a text: it is long
    /// enough and holds an anchor, in one pass that stops at the first.
    pub fn may_match(&self, text: &[u8]) -> bool {
        text.len() >= self.shortest_text && self.any_anchor.is_match(text)
    }

    /// [`Scanner::scan`] without its shortcuts.
    fn scan_anchors(&self, text: &[u8]) -> Vec<Match> {
        let mut found = Vec::new();
        // Per pattern, the start of the last line its regex ran over, so a
        // line with several anchors is searched once. Allocated on the first
        // line- or key-scoped anchor: most strings have none.
        let mut done: Vec<usize> = Vec::new();
        let patterns = self.patterns.len();
        let mut seen = |p: usize, start: usize| {
            if done.is_empty() {
                done.resize(patterns, usize::MAX);
            }
            std::mem::replace(&mut done[p], start) == start
        };
        let hits = self.sensitive.hits(text).chain(self.insensitive.hits(text));
        for (p, at, anchor_end) in hits {
            let compiled = &self.patterns[p];
            match compiled.pattern.kind {
                Kind::Prefix { max_len } => {
                    if at > 0 && is_word(text[at - 1]) {
                        continue;
                    }
                    let window = &text[at..(at + max_len).min(text.len())];
                    let Some(built) = compiled.built() else { continue };
                    if let Some(caps) = built.regex.captures(window) {
                        let Some(g) = caps.get(compiled.pattern.group) else { continue };
                        let range = at + g.start()..at + g.end();
                        if range.end < text.len() && range.end == at + window.len() && is_word(text[range.end]) {
                            continue;
                        }
                        if let Some(d) = (compiled.pattern.validate)(compiled.pattern.detector, &text[range.clone()]) {
                            found.push(Match::new(d, text, range));
                        }
                    }
                }
                Kind::Generic => {
                    let Some((key, value)) = generic_at(text, at, anchor_end) else { continue };
                    if seen(p, key.start) {
                        continue;
                    }
                    if generic_ok(&text[key], &text[value.clone()]) {
                        found.push(Match::new(compiled.pattern.detector, text, value));
                    }
                }
                Kind::Line => {
                    let (start, end) = line_around(text, at);
                    if seen(p, start) {
                        continue;
                    }
                    let Some(built) = compiled.built() else { continue };
                    let line = &text[start..end];
                    // Most anchored lines cannot match (`containerd://…` has no `@`).
                    if !built.required.iter().all(|b| memchr::memchr(*b, line).is_some()) {
                        continue;
                    }
                    for caps in built.regex.captures_iter(line) {
                        let Some(g) = caps.get(compiled.pattern.group) else { continue };
                        let value = g.as_bytes();
                        if let Some(d) = (compiled.pattern.validate)(compiled.pattern.detector, value) {
                            found.push(Match::new(d, text, start + g.start()..start + g.end()));
                        }
                    }
                }
                Kind::Pem => {
                    if let Some(range) = detectors::pem_block(text, at) {
                        found.push(Match::new(compiled.pattern.detector, text, range));
                    }
                }
                Kind::GcpKey => {
                    if let Some(range) = detectors::gcp_private_key(text, at) {
                        found.push(Match::new(compiled.pattern.detector, text, range));
                    }
                }
            }
        }
        resolve(found)
    }

    /// Secrets in one value of a structured document, `key` being the map
    /// key it sits under (`DB_PASSWORD`, `--token`). Known formats are found
    /// anywhere in the value; a single-line value under a secret-like key
    /// is also checked as a whole for randomness (`generic-secret`).
    pub fn scan_value(&self, key: Option<&str>, value: &str) -> Vec<Match> {
        self.scan_value_from(key, value, self.scan(value.as_bytes()))
    }

    /// [`Scanner::scan_value`] given `found`, the result of [`Scanner::scan`]
    /// on the same value: a caller that meets the same long text many
    /// times (the descriptions of a CRD's schema) scans it once.
    pub fn scan_value_from(&self, key: Option<&str>, value: &str, mut found: Vec<Match>) -> Vec<Match> {
        let Some(key) = key else { return found };
        // Decided on the length alone, without reading the value's bytes
        // (most values are this short, and reading them is a cache miss).
        if value.len() < generic::MIN_SECRET_LEN {
            return found;
        }
        let trimmed = value.trim();
        // Every check below wants a value of a cloud key's length or a
        // plausible secret: a short value (most of them) needs no more.
        if trimmed.len() < generic::MIN_SECRET_LEN || trimmed.contains('\n') {
            return found;
        }
        let start = value.len() - value.trim_start().len();
        let range = start..start + trimmed.len();
        if found.iter().any(|m| m.range.start < range.end && range.start < m.range.end) {
            return found;
        }
        // The key is only compacted for a value of a cloud key's exact
        // length: almost every value is not one.
        let compact = || -> String {
            key.to_ascii_lowercase().chars().filter(|c| c.is_ascii_alphanumeric() || *c == '/').collect()
        };
        let b64 =
            |n: usize| trimmed.len() == n && trimmed.bytes().all(|b| b.is_ascii_alphanumeric() || b"+/=".contains(&b));
        let detector = if b64(40) && {
            let compact = compact();
            compact.contains("secretaccesskey") || compact.ends_with("awssecretkey")
        } {
            Some(&detectors::AWS_SECRET_ACCESS_KEY)
        } else if b64(88) && trimmed.ends_with("==") && compact().contains("accountkey") {
            Some(&detectors::AZURE_STORAGE_KEY)
        } else if generic::is_secret_key(key) && generic::is_plausible_secret(trimmed, false) {
            Some(&detectors::GENERIC)
        } else {
            None
        };
        if let Some(d) = detector {
            if !(d.known_format && trimmed.contains("EXAMPLE")) {
                found.push(Match::new(d, value.as_bytes(), range));
            }
        }
        found
    }
}

fn generic_ok(key: &[u8], value: &[u8]) -> bool {
    let (Ok(key), Ok(value)) = (std::str::from_utf8(key), std::str::from_utf8(value)) else { return false };
    generic::is_secret_key(key) && generic::is_plausible_secret(value, true)
}

fn is_key_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"_.-/".contains(&b)
}

/// Parses `key = value`, `key: value`, `"key": "value"`, `key := value`,
/// `key => value`, `--key=value` and `<key>value</key>` around an anchor
/// found at `at..end`: the key and value byte ranges.
fn generic_at(text: &[u8], at: usize, end: usize) -> Option<(Range<usize>, Range<usize>)> {
    let lo = at.saturating_sub(128);
    let key_start = (lo..at).rev().take_while(|&i| is_key_byte(text[i])).last().unwrap_or(at);
    let hi = (end + 128).min(text.len());
    let key_end = (end..hi).find(|&i| !is_key_byte(text[i])).unwrap_or(hi);
    let key = key_start..key_end;
    let mut i = key_end;
    let byte = |i: usize| text.get(i).copied();
    if key_start > 0 && text[key_start - 1] == b'<' && byte(i) == Some(b'>') {
        let start = i + 1;
        let stop = (start + 512).min(text.len());
        let len = text[start..stop].iter().position(|b| *b == b'<' || b.is_ascii_whitespace())?;
        return (byte(start + len) == Some(b'<') && len > 0).then_some((key, start..start + len));
    }
    if matches!(byte(i), Some(b'"' | b'\'')) {
        i += 1;
    }
    while matches!(byte(i), Some(b' ' | b'\t')) {
        i += 1;
    }
    match (byte(i), byte(i + 1)) {
        (Some(b':'), Some(b'=')) | (Some(b'='), Some(b'>')) => i += 2,
        (Some(b':' | b'='), _) => i += 1,
        _ => return None,
    }
    while matches!(byte(i), Some(b' ' | b'\t')) {
        i += 1;
    }
    if matches!(byte(i), Some(b'"' | b'\'')) {
        i += 1;
    }
    let stop = (i + 1024).min(text.len());
    let len = text[i..stop].iter().position(|b| b.is_ascii_whitespace() || b"\"'`,;".contains(b)).unwrap_or(stop - i);
    (len > 0).then_some((key, i..i + len))
}

fn is_word(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// The line holding `at`, at most [`LINE_WINDOW`] bytes either side.
fn line_around(text: &[u8], at: usize) -> (usize, usize) {
    let lo = at.saturating_sub(LINE_WINDOW);
    let hi = (at + LINE_WINDOW).min(text.len());
    let start = memchr::memrchr(b'\n', &text[lo..at]).map_or(lo, |i| lo + i + 1);
    let end = memchr::memchr(b'\n', &text[at..hi]).map_or(hi, |i| at + i);
    (start, end)
}

/// Sorts matches and drops those overlapping a more specific (lower
/// rank) or, at equal rank, longer match.
fn resolve(mut found: Vec<Match>) -> Vec<Match> {
    found.sort_by(|a, b| a.range.start.cmp(&b.range.start).then(b.range.end.cmp(&a.range.end)));
    found.dedup_by(|b, a| a.range == b.range && a.detector == b.detector);
    let mut out: Vec<Match> = Vec::with_capacity(found.len());
    for m in found {
        let mut keep = true;
        while let Some(last) = out.last() {
            if last.range.end <= m.range.start {
                break;
            }
            let m_wins = m.detector.rank < last.detector.rank
                || (m.detector.rank == last.detector.rank && m.range.len() > last.range.len());
            if m_wins {
                out.pop();
            } else {
                keep = false;
                break;
            }
        }
        if keep {
            out.push(m);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use fake::Fake;

    /// Texts holding every detector's fake secret in the forms the
    /// detectors look for, with random bytes dropped: every regex match
    /// holds its pattern's required bytes (so skipping a line missing one
    /// loses nothing), and the URL pattern requires its `:`, `/` and `@`.
    #[test]
    fn every_regex_match_holds_the_required_bytes() {
        let scanner = Scanner::new();
        let url = scanner.patterns.iter().find(|c| c.pattern.detector.id == "url-credentials");
        let url = url.and_then(Compiled::built);
        assert!(url.is_some_and(|c| [b':', b'/', b'@'].iter().all(|b| c.required.contains(b))));
        let mut fake = Fake::new(17);
        let mut matched = 0;
        for _ in 0..3_000 {
            let id = DETECTORS[fake.below(DETECTORS.len())].id;
            let secret = fake.secret(id);
            let mut text = match fake.below(4) {
                0 => format!("postgres://app:{secret}@db:5432/app"),
                1 => format!("{{\"auths\":{{\"r.example.org\":{{\"auth\":\"{secret}\"}}}}}}"),
                2 => format!("DefaultEndpointsProtocol=https;AccountName=a;AccountKey={secret};x"),
                _ => format!("aws_secret_access_key = {secret} _authToken={secret}"),
            }
            .into_bytes();
            for _ in 0..fake.below(3) {
                text.remove(fake.below(text.len()));
            }
            for compiled in &scanner.patterns {
                let Some(built) = compiled.built() else { continue };
                for m in built.regex.find_iter(&text) {
                    matched += 1;
                    let held = built.required.iter().all(|b| m.as_bytes().contains(b));
                    assert!(held, "{}: {:?}", compiled.pattern.detector.id, built.required);
                }
            }
        }
        assert!(matched > 1_000, "{matched}");
    }

    /// Texts made of anchors (as written, lower- and upper-cased), their
    /// pieces, separators and random bytes: the shortcuts must never hide a
    /// match the automatons find.
    #[test]
    fn no_text_shorter_than_the_bound_holds_a_match() {
        let scanner = Scanner::new();
        assert!(scanner.shortest_text >= generic::MIN_SECRET_LEN, "{}", scanner.shortest_text);
        let mut pieces: Vec<String> = Vec::new();
        for pattern in PATTERNS {
            for anchor in pattern.anchors {
                for cut in 1..=anchor.len() {
                    pieces.push(anchor[..cut].to_owned());
                    pieces.push(anchor[anchor.len() - cut..].to_owned());
                }
            }
        }
        let cased: Vec<String> = pieces.iter().flat_map(|p| [p.to_ascii_lowercase(), p.to_ascii_uppercase()]).collect();
        pieces.extend(cased);
        pieces.extend([":", "=", "://", "@", "\"", " ", "\n", "-", "_", "."].map(str::to_owned));
        let mut fake = Fake::new(7);
        for _ in 0..50_000 {
            let mut text = String::new();
            while text.len() < scanner.shortest_text + 4 {
                match fake.below(3) {
                    0 => {
                        let n = 1 + fake.below(6);
                        text.push_str(&fake.chars(b"Ab9+/=%-_.:@", n));
                    }
                    _ => text.push_str(&pieces[fake.below(pieces.len())]),
                }
            }
            let cut = fake.below(scanner.shortest_text);
            let short = &text.as_bytes()[..cut];
            assert!(scanner.scan(short).is_empty());
            assert!(scanner.scan_anchors(short).is_empty(), "a match in {} bytes", short.len());
            assert_eq!(scanner.scan(text.as_bytes()), scanner.scan_anchors(text.as_bytes()));
        }
    }
}
