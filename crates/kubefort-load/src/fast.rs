//! A fast path for the YAML that manifests and cluster dumps are made of.
//!
//! `kubectl get -o yaml`, Helm and Kustomize write a small, regular subset
//! of YAML: block maps and sequences, single-line plain and quoted scalars,
//! literal/folded block scalars (certificates, `last-applied-configuration`)
//! and short flow collections. This module parses that subset straight from
//! the bytes into [`Node`]s, with the same positions, scalar resolution,
//! duplicate-key warnings and depth limit as the reference path in
//! [`crate::yaml`] (saphyr-parser events). It gives up — returns `None` —
//! on the first thing it is not certain about (anchors, aliases, tags, merge
//! keys, complex keys, multi-line plain or quoted scalars, tabs, directives,
//! control characters, any syntax error), and the caller then parses the
//! chunk with the reference path, which also writes every error message. So
//! the fast path only ever has to be right about valid, simple documents;
//! `tests/fast_path.rs` checks it against the reference on every document
//! the project has and on random mutations of them.
//!
//! Why by hand: the maintained YAML parsers (saphyr-parser, yaml-rust2,
//! libyaml bindings, serde_yaml's unsafe-libyaml) are general event
//! scanners that allocate a string per token and track the full YAML state
//! machine; on a 273 MiB dump their events alone cost more CPU than the
//! whole budget. None offers a restricted, borrowed, position-keeping mode
//! for this subset, and none builds our spanned tree.

use crate::yaml::{resolve_non_string, resolve_scalar, Document, Limits, Parsed, SCAN_LIMIT};
use crate::Diagnostic;
use kubefort_model::{Key, Map, Node, Pos, Value};
use saphyr_parser::ScalarStyle;
use std::cell::Cell;
use std::collections::HashSet;
use std::sync::Arc;

/// The fast path gave up on this input: parse it with the reference path.
#[derive(Debug)]
struct Bail;

type Fast<T> = Result<T, Bail>;

/// What a chunk holds, as the reference path would count it.
pub(crate) enum Outcome {
    /// Only blank lines and comments: no document at all.
    Nothing,
    /// One document (its root is null when the document is empty, e.g. `---`).
    One(Node),
}

/// The result of [`parse`]: the document and the duplicate-key warnings.
pub(crate) struct FastParsed {
    pub outcome: Outcome,
    pub warnings: Vec<Diagnostic>,
    /// Whether the chunk has a `#` at all (else it has no `# Source:` line to look for).
    pub comments: bool,
}

/// Parses one chunk (at most one document), or `None` to have the reference
/// path parse it.
pub(crate) fn parse(text: &str, line_offset: u32, file: &Arc<str>, limits: Limits) -> Option<FastParsed> {
    let TextKind { ascii, hash } = plain_text(text.as_bytes())?;
    let mut p = Parser {
        text,
        b: text.as_bytes(),
        ascii,
        i: 0,
        line: 1,
        line_start: 0,
        line_offset,
        file,
        max_depth: limits.max_depth,
        warnings: Vec::new(),
        entries: Vec::new(),
        items: Vec::new(),
        plain_seen: Cell::new((usize::MAX, 0, false)),
    };
    // The scratch stacks of the previous chunk on this thread, so that a
    // dump's documents do not each grow their own again.
    (p.entries, p.items) = SCRATCH.take();
    let outcome = p.document().map(|outcome| (outcome, hash));
    p.entries.clear(); // left over when the fast path gave up
    p.items.clear();
    SCRATCH.set((p.entries, p.items));
    let (outcome, comments) = outcome.ok()?;
    Some(FastParsed { outcome, warnings: p.warnings, comments })
}

type Scratch = (Vec<(Key, Pos, Node)>, Vec<Node>);

thread_local! {
    static SCRATCH: Cell<Scratch> = const { Cell::new((Vec::new(), Vec::new())) };
}

/// Builds the [`Parsed`] of a chunk from the fast path's result, numbering
/// and naming the document as the reference path does.
pub(crate) fn into_parsed(fast: FastParsed, first_index: usize, line_offset: u32, text: &str) -> Parsed {
    let mut out = Parsed { documents: Vec::new(), diagnostics: fast.warnings };
    if let Outcome::One(root) = fast.outcome {
        if !root.is_null() {
            let root_line = root.pos.line - line_offset;
            let comments = if fast.comments { crate::yaml::helm_source_comments(text) } else { Vec::new() };
            let template = comments.into_iter().rev().find(|(line, _)| *line <= root_line && *line > 0).map(|(_, t)| t);
            out.documents.push(Document { root, index: first_index, template });
        }
    }
    out
}

/// Whether the text is free of what the fast path leaves to the reference:
/// tabs, control characters, a BOM, C1 controls, NEL and the Unicode line
/// separators (YAML 1.1 line breaks), lone carriage returns. `None` when
/// it is not, else what else it holds.
fn plain_text(b: &[u8]) -> Option<TextKind> {
    let (mut ascii, mut hash) = (true, false);
    // Blocks of 64 bytes without an early exit vectorise well; only a block
    // with something unusual is looked at byte by byte.
    for (n, block) in b.chunks(64).enumerate() {
        let odd = block.iter().fold(false, |acc, &c| acc | (c < 0x20 && c != b'\n') | (c >= 0x7F) | (c == b'#'));
        if !odd {
            continue;
        }
        let start = n * 64;
        for (j, &c) in block.iter().enumerate() {
            let at = start + j;
            match c {
                b'\r' if b.get(at + 1) != Some(&b'\n') => return None,
                b'#' => hash = true,
                b'\r' | b'\n' => {}
                0..=0x1F | 0x7F => return None,
                0x80.. if is_char_start(c) => {
                    ascii = false;
                    let ch = std::str::from_utf8(&b[at..(at + 4).min(b.len())])
                        .or_else(|e| std::str::from_utf8(&b[at..at + e.valid_up_to()]))
                        .ok()
                        .and_then(|s| s.chars().next())?;
                    if matches!(
                        ch,
                        '\u{80}'..='\u{9F}' | '\u{FEFF}' | '\u{2028}' | '\u{2029}' | '\u{FFFE}' | '\u{FFFF}'
                    ) {
                        return None;
                    }
                }
                _ => {}
            }
        }
    }
    Some(TextKind { ascii, hash })
}

/// What [`plain_text`] saw besides.
struct TextKind {
    /// No byte above 0x7F.
    ascii: bool,
    /// A `#` somewhere: there may be comments.
    hash: bool,
}

/// The first `:`, `#`, `\n` or `\r` at or after `from`: the only bytes at
/// which a plain scalar may end. Eight bytes at a time, by hand: most
/// scalars are 5–20 bytes, too short for memchr (three needles at most) to
/// pay for its setup (it cost more than a byte loop), and a byte loop costs
/// several compares and a branch a byte.
fn next_plain_stop(b: &[u8], from: usize) -> Option<usize> {
    const ONES: u64 = u64::from_ne_bytes([1; 8]);
    const HIGHS: u64 = u64::from_ne_bytes([0x80; 8]);
    // The high bit of each byte of `w` that is zero (exact for the lowest one).
    let zero_bytes = |w: u64| w.wrapping_sub(ONES) & !w & HIGHS;
    let rest = b.get(from..)?;
    let mut words = rest.chunks_exact(8);
    for (n, w) in words.by_ref().enumerate() {
        let w = u64::from_le_bytes([w[0], w[1], w[2], w[3], w[4], w[5], w[6], w[7]]);
        let found = zero_bytes(w ^ (ONES * u64::from(b':')))
            | zero_bytes(w ^ (ONES * u64::from(b'#')))
            | zero_bytes(w ^ (ONES * u64::from(b'\n')))
            | zero_bytes(w ^ (ONES * u64::from(b'\r')));
        if found != 0 {
            return Some(from + n * 8 + (found.trailing_zeros() / 8) as usize);
        }
    }
    let tail = rest.len() - words.remainder().len();
    let k = words.remainder().iter().position(|c| matches!(c, b':' | b'#' | b'\n' | b'\r'))?;
    Some(from + tail + k)
}

/// How many spaces start `b[from..]`. Eight bytes at a time (by hand, as
/// [`next_plain_stop`]): indentation is most of the bytes of a dump's lines.
fn spaces_at(b: &[u8], from: usize) -> usize {
    const SPACES: u64 = u64::from_ne_bytes([b' '; 8]);
    let Some(rest) = b.get(from..) else { return 0 };
    let mut words = rest.chunks_exact(8);
    for (n, w) in words.by_ref().enumerate() {
        // The bytes that are not spaces are the non-zero bytes of `other`.
        let other = u64::from_le_bytes([w[0], w[1], w[2], w[3], w[4], w[5], w[6], w[7]]) ^ SPACES;
        if other != 0 {
            return n * 8 + (other.trailing_zeros() / 8) as usize;
        }
    }
    let tail = rest.len() - words.remainder().len();
    tail + words.remainder().iter().take_while(|&&c| c == b' ').count()
}

fn is_char_start(c: u8) -> bool {
    c & 0xC0 != 0x80
}

/// The next line with content, after blank and comment-only lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Next {
    /// Content at this indentation (spaces); the cursor is on its first character.
    Content(usize),
    /// The end of the text, or a `---` / `...` line (the cursor is at its start).
    End,
}

struct Parser<'a> {
    text: &'a str,
    b: &'a [u8],
    /// The whole text is ASCII: a column is then a byte count.
    ascii: bool,
    /// The cursor (byte offset).
    i: usize,
    /// 1-based line of the cursor within the chunk.
    line: u32,
    /// Byte offset where the cursor's line starts.
    line_start: usize,
    line_offset: u32,
    file: &'a Arc<str>,
    max_depth: usize,
    warnings: Vec<Diagnostic>,
    /// Entries of the maps being built, innermost last: a finished map takes
    /// its own off the top in one exact-size allocation.
    entries: Vec<(Key, Pos, Node)>,
    /// The same for the items of sequences.
    items: Vec<Node>,
    /// The last [`Parser::plain_end`]: (start, end, is a key). A key is
    /// scanned once to tell a map from a scalar and again to read it.
    plain_seen: Cell<(usize, usize, bool)>,
}

/// Maps and sequences open around a node (the depth limit counts these).
type Open = usize;

impl<'a> Parser<'a> {
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }
    fn at(&self, i: usize) -> Option<u8> {
        self.b.get(i).copied()
    }
    /// Whether byte `i` ends a line (or the text).
    fn is_eol(&self, i: usize) -> bool {
        matches!(self.at(i), None | Some(b'\n' | b'\r'))
    }
    fn is_blank_or_eol(&self, i: usize) -> bool {
        matches!(self.at(i), None | Some(b' ' | b'\n' | b'\r'))
    }

    /// The position of byte `at` on the cursor's line; columns count characters.
    fn pos(&self, at: usize) -> Pos {
        let prefix = &self.b[self.line_start..at];
        let column = if self.ascii { prefix.len() } else { prefix.iter().filter(|&&c| is_char_start(c)).count() };
        Pos::new(self.line + self.line_offset, column as u32 + 1)
    }
    fn here(&self) -> Pos {
        self.pos(self.i)
    }

    /// Past the one or two spaces after a `:` or `-`, typically.
    fn skip_spaces(&mut self) {
        while self.peek() == Some(b' ') {
            self.i += 1;
        }
    }

    /// Moves past the line break at the cursor (which must be at one, or at the end).
    fn newline(&mut self) -> Fast<()> {
        match self.peek() {
            None => Ok(()),
            Some(b'\n') => {
                self.i += 1;
                self.line += 1;
                self.line_start = self.i;
                Ok(())
            }
            Some(b'\r') if self.at(self.i + 1) == Some(b'\n') => {
                self.i += 2;
                self.line += 1;
                self.line_start = self.i;
                Ok(())
            }
            _ => Err(Bail),
        }
    }

    /// After a value: spaces, an optional comment, the line break.
    fn end_line(&mut self) -> Fast<()> {
        self.skip_spaces();
        if self.peek() == Some(b'#') {
            if self.i == 0 || self.b[self.i - 1] != b' ' {
                return Err(Bail); // `"a"#x`: not a comment
            }
            self.skip_to_eol();
        }
        self.newline()
    }

    fn skip_to_eol(&mut self) {
        let rest = &self.b[self.i..];
        self.i += memchr::memchr2(b'\n', b'\r', rest).unwrap_or(rest.len());
    }

    /// Skips blank and comment lines to the next content (see [`Next`]).
    /// Idempotent: called on a content character, it stays there.
    fn next_content(&mut self) -> Fast<Next> {
        if self.i > self.line_start && !self.is_eol(self.i) {
            let indent = self.i - self.line_start;
            if self.b[self.line_start..self.i].iter().all(|&c| c == b' ') {
                return Ok(Next::Content(indent));
            }
            return Err(Bail);
        }
        if self.i > self.line_start {
            self.newline()?;
        }
        loop {
            if self.i >= self.b.len() {
                return Ok(Next::End);
            }
            if self.is_marker_line() {
                return Ok(Next::End);
            }
            self.i += spaces_at(self.b, self.i); // the indentation
            match self.peek() {
                None => return Ok(Next::End),
                Some(b'\n' | b'\r') => self.newline()?,
                Some(b'#') => {
                    self.skip_to_eol();
                    self.newline()?;
                }
                Some(_) => return Ok(Next::Content(self.i - self.line_start)),
            }
        }
    }

    /// Whether the cursor is at the start of a `---` or `...` line.
    fn is_marker_line(&self) -> bool {
        self.i == self.line_start
            && (self.b[self.i..].starts_with(b"---") || self.b[self.i..].starts_with(b"..."))
            && self.is_blank_or_eol(self.i + 3)
    }

    fn document(&mut self) -> Fast<Outcome> {
        let mut explicit = false;
        if self.next_content()? == Next::End && self.i < self.b.len() {
            if !self.b[self.i..].starts_with(b"---") {
                return Err(Bail); // `...` before any document
            }
            self.i += 3;
            self.end_line()?;
            explicit = true;
        }
        let root = match self.next_content()? {
            Next::Content(_) => Some(self.block_node(-1, 0)?),
            Next::End => None,
        };
        if let Next::Content(_) = self.next_content()? {
            return Err(Bail);
        }
        if self.i < self.b.len() {
            // `...` (a `---` never follows inside a chunk): only comments may come after.
            if !self.b[self.i..].starts_with(b"...") || root.is_none() {
                return Err(Bail);
            }
            self.i += 3;
            self.end_line()?;
            if self.next_content()? != Next::End || self.i < self.b.len() {
                return Err(Bail);
            }
        }
        Ok(match root {
            Some(root) => Outcome::One(root),
            None if explicit => Outcome::One(Node::null(Pos::default())),
            None => Outcome::Nothing,
        })
    }

    /// A node that starts a line (the cursor is on its first character);
    /// `parent` is the indentation of the collection it belongs to.
    fn block_node(&mut self, parent: isize, open: Open) -> Fast<Node> {
        let column = self.i - self.line_start;
        if self.peek() == Some(b'-') && self.is_blank_or_eol(self.i + 1) {
            return self.block_seq(column, open, false);
        }
        if self.looks_like_key()? {
            return self.block_map(column, open);
        }
        self.inline_node(parent, open, false)
    }

    /// Whether a block map key starts at the cursor (`key:`, `"key":`).
    fn looks_like_key(&self) -> Fast<bool> {
        match self.peek() {
            Some(q @ (b'"' | b'\'')) => {
                let end = self.quoted_end(self.i, q)?;
                let mut j = end;
                while self.at(j) == Some(b' ') {
                    j += 1;
                }
                Ok(self.at(j) == Some(b':') && self.is_blank_or_eol(j + 1))
            }
            _ => Ok(self.plain_end(self.i).1),
        }
    }

    /// Offset just past the closing quote of the quoted scalar at `start`
    /// (it must close on the same line).
    fn quoted_end(&self, start: usize, quote: u8) -> Fast<usize> {
        let mut j = start + 1;
        loop {
            match self.at(j) {
                None | Some(b'\n' | b'\r') => return Err(Bail),
                Some(b'\\') if quote == b'"' => j += 2,
                Some(b'\'') if quote == b'\'' && self.at(j + 1) == Some(b'\'') => j += 2,
                Some(c) if c == quote => return Ok(j + 1),
                Some(_) => j += 1,
            }
        }
    }

    /// The end of the plain scalar at `start` on its line (before a comment
    /// or `: `), and whether it is followed by `:` (it is a key then).
    fn plain_end(&self, start: usize) -> (usize, bool) {
        match self.plain_seen.get() {
            (seen, end, key) if seen == start => return (end, key),
            _ => {}
        }
        let b = self.b;
        let mut j = start;
        let (end, key) = loop {
            let Some(k) = next_plain_stop(b, j) else {
                break (b.len(), false);
            };
            j = k;
            match b[j] {
                b'\n' | b'\r' => break (j, false),
                b':' if self.is_blank_or_eol(j + 1) => break (j, true),
                b'#' if j > start && b[j - 1] == b' ' => break (j - 1, false),
                _ => j += 1,
            }
        };
        let mut e = end;
        while e > start && b[e - 1] == b' ' {
            e -= 1;
        }
        self.plain_seen.set((start, e, key));
        (e, key)
    }

    fn block_map(&mut self, n: usize, open: Open) -> Fast<Node> {
        if open >= self.max_depth {
            return Err(Bail);
        }
        let pos = self.here();
        let start = self.entries.len();
        // Hashes of the keys once the map is large (as the reference path).
        let mut seen: Option<HashSet<u64>> = None;
        loop {
            let (key, key_pos, colon) = self.key()?;
            let value = self.map_value(n, open + 1, colon)?;
            self.insert(start, &mut seen, key, key_pos, value);
            match self.next_content()? {
                Next::Content(m) if m == n => {
                    if self.peek() == Some(b'-') && self.is_blank_or_eol(self.i + 1) {
                        return Err(Bail);
                    }
                }
                Next::Content(m) if m > n => return Err(Bail),
                _ => break,
            }
        }
        Ok(Node::new(Value::Map(Map::from_distinct(take_from(&mut self.entries, start))), pos))
    }

    /// Adds an entry as the reference builder does: a later duplicate
    /// replaces the earlier value in place and is reported.
    fn insert(&mut self, start: usize, seen: &mut Option<HashSet<u64>>, key: Key, key_pos: Pos, value: Node) {
        let len = self.entries.len() - start;
        if seen.is_none() && len >= SCAN_LIMIT {
            *seen = Some(self.entries[start..].iter().map(|(k, _, _)| crate::yaml::key_hash(k)).collect());
        }
        if let Some(seen) = seen {
            if seen.insert(crate::yaml::key_hash(&key)) {
                self.entries.push((key, key_pos, value));
                return;
            }
        }
        match self.entries[start..].iter_mut().find(|(k, _, _)| *k == key) {
            Some(slot) => {
                self.warnings.push(Diagnostic::warning(
                    self.file,
                    key_pos,
                    format!("duplicate key `{key}` (first at line {}); the last value wins", slot.1.line),
                ));
                slot.1 = key_pos;
                slot.2 = value;
            }
            None => self.entries.push((key, key_pos, value)),
        }
    }

    /// A map key, its position and that of its `:`; the cursor ends after the `:`.
    fn key(&mut self) -> Fast<(Key, Pos, Pos)> {
        let pos = self.here();
        let (text, style) = match self.peek() {
            Some(q @ (b'"' | b'\'')) => {
                let (text, style) = self.quoted(q)?;
                self.skip_spaces();
                if self.peek() != Some(b':') {
                    return Err(Bail);
                }
                (text, style)
            }
            Some(c) if starts_plain(c, self.at(self.i + 1)) => {
                let (end, is_key) = self.plain_end(self.i);
                if !is_key {
                    return Err(Bail);
                }
                let text = self.str(self.i, end);
                self.i = end;
                self.skip_spaces();
                (std::borrow::Cow::Borrowed(text), ScalarStyle::Plain)
            }
            _ => return Err(Bail),
        };
        let colon = self.here();
        self.i += 1;
        if !self.is_blank_or_eol(self.i) || text.len() > 1024 || text == "<<" {
            return Err(Bail);
        }
        let key = match resolve_non_string(&text, style, None) {
            None => Key::new(&text),
            Some(value) => Key::from(Node::new(value, pos).scalar_text().unwrap_or_default()),
        };
        Ok((key, pos, colon))
    }

    /// The text between two offsets. They are always next to ASCII bytes
    /// (quotes, spaces, line breaks), so slicing the `&str` costs only a
    /// boundary check, not the UTF-8 validation of `from_utf8`.
    #[inline(always)] // a few instructions, called for every scalar
    fn str(&self, from: usize, to: usize) -> &'a str {
        self.text.get(from..to).unwrap_or_default()
    }

    /// The value after `key:`, on the same line or below.
    /// An empty value is null, placed (as the reference places it) at the `:`.
    fn map_value(&mut self, n: usize, open: Open, colon: Pos) -> Fast<Node> {
        self.skip_spaces();
        if self.is_eol(self.i) || self.peek() == Some(b'#') {
            self.end_line()?;
            return match self.next_content()? {
                Next::Content(m) if m > n => self.block_node(n as isize, open),
                Next::Content(m) if m == n && self.peek() == Some(b'-') && self.is_blank_or_eol(self.i + 1) => {
                    self.block_seq(n, open, true)
                }
                _ => Ok(Node::null(colon)),
            };
        }
        self.inline_node(n as isize, open, false)
    }

    /// A block sequence whose first `-` is at the cursor, in column `n`.
    /// The reference places a sequence at its first `-`, but an
    /// `indentless` one (`key:` then `- item` in the key's column) at its
    /// first item's first character when on the `-` line, else at the end of that
    /// line; an empty item at the end of its `-` line.
    fn block_seq(&mut self, n: usize, open: Open, indentless: bool) -> Fast<Node> {
        if open >= self.max_depth {
            return Err(Bail);
        }
        let mut pos = self.here();
        let start = self.items.len();
        loop {
            self.i += 1; // the `-`
            self.skip_spaces();
            let (item, item_start) = if self.is_eol(self.i) || self.peek() == Some(b'#') {
                self.skip_to_eol();
                let end = self.here();
                self.newline()?;
                match self.next_content()? {
                    Next::Content(m) if m > n => (self.block_node(n as isize, open + 1)?, end),
                    _ => (Node::null(end), end),
                }
            } else {
                let at = self.here();
                (self.inline_node(n as isize, open + 1, true)?, at)
            };
            if indentless && self.items.len() == start {
                pos = item_start;
            }
            self.items.push(item);
            match self.next_content()? {
                Next::Content(m) if m == n && self.peek() == Some(b'-') && self.is_blank_or_eol(self.i + 1) => {}
                Next::Content(m) if m > n => return Err(Bail),
                _ => break,
            }
        }
        Ok(Node::new(Value::Seq(take_from(&mut self.items, start).into_boxed_slice()), pos))
    }

    /// A node that starts after `key: ` or `- ` on the same line (or on a
    /// line of its own, from [`Parser::block_node`]); `parent` is the
    /// indentation of the collection it belongs to. Leaves the cursor at the
    /// start of the next line, or on a content character for collections.
    fn inline_node(&mut self, parent: isize, open: Open, seq_item: bool) -> Fast<Node> {
        let c = self.peek().ok_or(Bail)?;
        if seq_item {
            let column = self.i - self.line_start;
            if c == b'-' && self.is_blank_or_eol(self.i + 1) {
                return self.block_seq(column, open, false);
            }
            if self.looks_like_key()? {
                return self.block_map(column, open);
            }
        }
        let pos = self.here();
        let value = match c {
            b'|' | b'>' => return self.block_scalar(parent),
            b'"' | b'\'' => {
                let (text, style) = self.quoted(c)?;
                resolve_scalar(&text, style, None)
            }
            b'[' | b'{' => {
                let node = self.flow(open)?;
                self.end_line()?;
                return Ok(node);
            }
            _ if starts_plain(c, self.at(self.i + 1)) => {
                let (end, is_key) = self.plain_end(self.i);
                if is_key {
                    return Err(Bail); // `a: b: c`
                }
                let text = self.str(self.i, end);
                self.i = end;
                resolve_scalar(text, ScalarStyle::Plain, None)
            }
            _ => return Err(Bail),
        };
        self.end_line()?;
        Ok(Node::new(value, pos))
    }

    /// A single-line quoted scalar at the cursor; the cursor ends after it.
    fn quoted(&mut self, quote: u8) -> Fast<(std::borrow::Cow<'a, str>, ScalarStyle)> {
        let end = self.quoted_end(self.i, quote)?;
        let raw = self.str(self.i + 1, end - 1);
        self.i = end;
        if quote == b'\'' {
            let text = if raw.contains('\'') { raw.replace("''", "'").into() } else { raw.into() };
            return Ok((text, ScalarStyle::SingleQuoted));
        }
        if !raw.contains('\\') {
            return Ok((raw.into(), ScalarStyle::DoubleQuoted));
        }
        Ok((unescape(raw)?.into(), ScalarStyle::DoubleQuoted))
    }

    /// A literal (`|`) or folded (`>`) block scalar; the cursor is on its
    /// indicator. Its lines must be indented deeper than `parent`. The
    /// reference places it where its first line of content starts.
    fn block_scalar(&mut self, parent: isize) -> Fast<Node> {
        let mut pos = None;
        let literal = self.peek() == Some(b'|');
        self.i += 1;
        let chomp = match self.peek() {
            Some(b'-') => Chomp::Strip,
            Some(b'+') => Chomp::Keep,
            _ => Chomp::Clip,
        };
        if chomp != Chomp::Clip {
            self.i += 1;
        }
        if !self.is_blank_or_eol(self.i) {
            return Err(Bail); // an indentation indicator, or text after the header
        }
        self.end_line()?;
        // Lines: (start of content, end) per line until a less indented one.
        let mut indent: Option<usize> = None;
        let mut leading_blank_max = 0usize;
        let mut text = String::new();
        let mut pending_breaks = 0usize; // empty lines since the last content line
        let mut content_lines = 0usize;
        loop {
            if self.i >= self.b.len() {
                break;
            }
            let line_start = self.i;
            let spaces = spaces_at(self.b, line_start);
            let j = line_start + spaces;
            if self.is_eol(j) {
                // A blank line: more spaces than the indentation would be content.
                match indent {
                    Some(m) if spaces > m => return Err(Bail),
                    None => leading_blank_max = leading_blank_max.max(spaces),
                    _ => {}
                }
                self.i = j;
                self.newline()?;
                pending_breaks += 1;
                continue;
            }
            let m = match indent {
                Some(m) => m,
                None => {
                    if (spaces as isize) <= parent || leading_blank_max > spaces {
                        if (spaces as isize) <= parent && leading_blank_max <= spaces {
                            // No content: the block is empty; the line is the parent's.
                            self.i = line_start;
                            break;
                        }
                        return Err(Bail);
                    }
                    indent = Some(spaces);
                    spaces
                }
            };
            if spaces < m {
                self.i = line_start;
                break;
            }
            if !literal && spaces > m {
                return Err(Bail); // a more-indented line of a folded scalar
            }
            let content_start = line_start + m;
            self.i = j;
            self.skip_to_eol();
            let line = self.str(content_start, self.i);
            if content_lines > 0 {
                if literal {
                    text.extend(std::iter::repeat_n('\n', pending_breaks + 1));
                } else if pending_breaks == 0 {
                    text.push(' ');
                } else {
                    text.extend(std::iter::repeat_n('\n', pending_breaks));
                }
            } else {
                pos = Some(self.pos(content_start));
                text.extend(std::iter::repeat_n('\n', pending_breaks));
            }
            text.push_str(line);
            content_lines += 1;
            pending_breaks = 0;
            self.newline()?;
        }
        // A trailing line without a break still ends with the (clipped) break.
        if content_lines > 0 {
            match chomp {
                Chomp::Strip => {}
                Chomp::Clip => text.push('\n'),
                Chomp::Keep => text.extend(std::iter::repeat_n('\n', pending_breaks + 1)),
            }
        }
        let pos = pos.ok_or(Bail)?; // an empty block scalar
        let style = if literal { ScalarStyle::Literal } else { ScalarStyle::Folded };
        Ok(Node::new(resolve_scalar(&text, style, None), pos))
    }

    /// A single-line flow collection at the cursor (`{}`, `[a, "b"]`,
    /// `{k: v, l: [1]}`); the cursor ends after its closing bracket.
    fn flow(&mut self, open: Open) -> Fast<Node> {
        if open >= self.max_depth {
            return Err(Bail);
        }
        let pos = self.here();
        let is_map = self.peek() == Some(b'{');
        let close = if is_map { b'}' } else { b']' };
        self.i += 1;
        let (entries_start, items_start) = (self.entries.len(), self.items.len());
        let mut seen = None;
        loop {
            self.skip_spaces();
            match self.peek() {
                Some(c) if c == close => {
                    self.i += 1;
                    break;
                }
                None | Some(b'\n' | b'\r' | b'#' | b',') => return Err(Bail),
                _ => {}
            }
            if is_map {
                let key_pos = self.here();
                let (text, style) = self.flow_scalar_text()?;
                if self.peek() != Some(b':') || !matches!(self.at(self.i + 1), Some(b' ')) || text == "<<" {
                    return Err(Bail);
                }
                self.i += 1;
                self.skip_spaces();
                if matches!(self.peek(), Some(b',' | b'}')) {
                    return Err(Bail); // an empty value
                }
                let key = match resolve_non_string(&text, style, None) {
                    None => Key::new(&text),
                    Some(value) => Key::from(Node::new(value, key_pos).scalar_text().unwrap_or_default()),
                };
                let value = self.flow_node(open + 1)?;
                self.insert(entries_start, &mut seen, key, key_pos, value);
            } else {
                let item = self.flow_node(open + 1)?;
                self.items.push(item);
            }
            self.skip_spaces();
            match self.peek() {
                Some(b',') => self.i += 1,
                Some(c) if c == close => {}
                _ => return Err(Bail),
            }
        }
        let value = if is_map {
            Value::Map(Map::from_distinct(take_from(&mut self.entries, entries_start)))
        } else {
            Value::Seq(take_from(&mut self.items, items_start).into_boxed_slice())
        };
        Ok(Node::new(value, pos))
    }

    fn flow_node(&mut self, open: Open) -> Fast<Node> {
        if matches!(self.peek(), Some(b'[' | b'{')) {
            return self.flow(open);
        }
        let pos = self.here();
        let (text, style) = self.flow_scalar_text()?;
        self.skip_spaces();
        if self.peek() == Some(b':') {
            return Err(Bail); // a single-pair map inside a sequence
        }
        Ok(Node::new(resolve_scalar(&text, style, None), pos))
    }

    /// A quoted or plain scalar inside a flow collection.
    fn flow_scalar_text(&mut self) -> Fast<(std::borrow::Cow<'a, str>, ScalarStyle)> {
        match self.peek() {
            Some(q @ (b'"' | b'\'')) => {
                let (text, style) = self.quoted(q)?;
                self.skip_spaces();
                Ok((text, style))
            }
            Some(c) if starts_plain(c, self.at(self.i + 1)) => {
                let start = self.i;
                let mut j = start;
                loop {
                    match self.at(j) {
                        None | Some(b'\n' | b'\r' | b',' | b'[' | b']' | b'{' | b'}') => break,
                        Some(b':')
                            if matches!(self.at(j + 1), None | Some(b' ' | b',' | b']' | b'}' | b'\n' | b'\r')) =>
                        {
                            break
                        }
                        Some(b' ') if self.at(j + 1) == Some(b'#') => return Err(Bail),
                        Some(b'#' | b'\'' | b'"') if j == start => return Err(Bail),
                        Some(_) => j += 1,
                    }
                }
                let mut e = j;
                while e > start && self.b[e - 1] == b' ' {
                    e -= 1;
                }
                self.i = j;
                Ok((std::borrow::Cow::Borrowed(self.str(start, e)), ScalarStyle::Plain))
            }
            _ => Err(Bail),
        }
    }
}

/// The items of a scratch stack from `start` on, in an exact-size vector
/// (so that boxing it as a finished collection does not reallocate);
/// the stack keeps its capacity. (`split_off` and `append` copy them in one
/// `memcpy` where `drain().collect()` moved one at a time; `split_off(0)`
/// and `mem::take` would hand over the whole scratch buffer.)
fn take_from<T>(stack: &mut Vec<T>, start: usize) -> Vec<T> {
    if start == 0 {
        let mut all = Vec::with_capacity(stack.len());
        all.append(stack);
        return all;
    }
    stack.split_off(start)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Chomp {
    Strip,
    Clip,
    Keep,
}

/// Whether a plain scalar may start with `c` (then `next`): not with an
/// indicator, except `-` before a non-blank. `?` and `:` starts are left to
/// the reference.
fn starts_plain(c: u8, next: Option<u8>) -> bool {
    match c {
        b'-' => !matches!(next, None | Some(b' ' | b'\n' | b'\r')),
        b'?' | b':' | b',' | b'[' | b']' | b'{' | b'}' | b'#' | b'&' | b'*' | b'!' | b'|' | b'>' | b'\'' | b'"'
        | b'%' | b'@' | b'`' | b' ' | b'\n' | b'\r' => false,
        _ => true,
    }
}

/// The escapes of a double-quoted scalar.
fn unescape(raw: &str) -> Fast<String> {
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        let e = chars.next().ok_or(Bail)?;
        let hex = |chars: &mut std::str::Chars<'_>, n: usize| -> Fast<char> {
            let digits: String = chars.by_ref().take(n).collect();
            if digits.len() != n || !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
                return Err(Bail);
            }
            u32::from_str_radix(&digits, 16).ok().and_then(char::from_u32).ok_or(Bail)
        };
        out.push(match e {
            '0' => '\0',
            'a' => '\u{7}',
            'b' => '\u{8}',
            't' => '\t',
            'n' => '\n',
            'v' => '\u{B}',
            'f' => '\u{C}',
            'r' => '\r',
            'e' => '\u{1B}',
            ' ' => ' ',
            '"' => '"',
            '/' => '/',
            '\\' => '\\',
            'N' => '\u{85}',
            '_' => '\u{A0}',
            'L' => '\u{2028}',
            'P' => '\u{2029}',
            'x' => hex(&mut chars, 2)?,
            'u' => hex(&mut chars, 4)?,
            'U' => hex(&mut chars, 8)?,
            _ => return Err(Bail),
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spaces_at_counts_what_a_byte_loop_counts() {
        let mut next = crate::seeded::splitmix(0x7370_6163_6573u64);
        let alphabet = [b' ', b' ', b' ', b'\n', b'a', 0xA0, 0x00, 0x20 | 0x80, b'-'];
        for _ in 0..20_000 {
            let len = next() % 40;
            let bytes: Vec<u8> = (0..len).map(|_| alphabet[next() % alphabet.len()]).collect();
            for from in 0..=len + 1 {
                let expected = bytes.get(from..).map_or(0, |rest| rest.iter().take_while(|&&c| c == b' ').count());
                assert_eq!(spaces_at(&bytes, from), expected, "{bytes:?} from {from}");
            }
        }
    }

    /// The word-at-a-time search against a plain byte search, on seeded
    /// random bytes dense in the bytes it looks for and their neighbours.
    #[test]
    fn next_plain_stop_finds_what_a_byte_loop_finds() {
        let alphabet =
            [b':', b'#', b'\n', b'\r', b'a', b' ', b'9', b';', b'"', 0x0B, 0x0C, 0xBA, 0xA3, 0x8A, 0x80, 0xFF];
        let mut next = crate::seeded::splitmix(0x0070_6c61_696e_u64);
        for _ in 0..20_000 {
            let len = next() % 40;
            // Half the time without the stop bytes, so that long runs occur.
            let dense = next().is_multiple_of(2);
            let bytes: Vec<u8> = (0..len)
                .map(|_| if dense { alphabet[next() % alphabet.len()] } else { alphabet[4 + next() % 12] })
                .collect();
            for from in 0..=len + 1 {
                let expected = bytes
                    .get(from..)
                    .and_then(|rest| rest.iter().position(|c| matches!(c, b':' | b'#' | b'\n' | b'\r')))
                    .map(|k| from + k);
                assert_eq!(next_plain_stop(&bytes, from), expected, "{bytes:?} from {from}");
            }
        }
    }
}
