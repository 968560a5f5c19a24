//! YAML text → spanned [`Node`] trees.
//!
//! saphyr-parser gives us events with positions; this module builds the tree
//! itself because no maintained crate keeps a position on every node *and*
//! lets us bound alias expansion and nesting (the billion-laughs and
//! deep-nesting attacks) while building. Scalars are resolved the way the
//! Kubernetes API server's YAML decoder (go-yaml v2, YAML 1.1) resolves them:
//! `yes`/`on` are booleans and `0644` is octal, so a rule sees what the
//! cluster will see.

use crate::Diagnostic;
use kubefort_model::{Key, MapBuilder, Node, Pos, Value};
use saphyr_parser::{Event, Parser, ScalarStyle, Span};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

/// Bounds that keep hostile input from exhausting memory or the stack.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Deepest nesting of maps and sequences in one document.
    pub max_depth: usize,
    /// Nodes that alias expansion may add to one document.
    pub max_alias_nodes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { max_depth: 200, max_alias_nodes: 1_000_000 }
    }
}

/// One YAML document of a file.
#[derive(Debug)]
pub struct Document {
    pub root: Node,
    /// 0-based index of the document in its file.
    pub index: usize,
    /// The `# Source: …` comment Helm writes above each rendered template.
    pub template: Option<Arc<str>>,
}

/// The documents of one file, and what went wrong reading it. Documents
/// before and after a broken one are still returned.
#[derive(Debug, Default)]
pub struct Parsed {
    pub documents: Vec<Document>,
    pub diagnostics: Vec<Diagnostic>,
}

/// A piece of a file that holds whole documents, so pieces parse in parallel
/// and a syntax error in one document loses no other.
#[derive(Debug, Clone, Copy)]
pub struct Chunk<'a> {
    pub text: &'a str,
    /// Lines before the chunk in its file.
    pub line_offset: u32,
}

/// Splits a multi-document stream at `---` lines in column 0. YAML forbids a
/// document marker at column 0 inside any scalar, so every piece holds whole
/// documents. Streams with directives (`%YAML`) are kept whole.
pub fn split_documents(text: &str) -> Vec<Chunk<'_>> {
    let bytes = text.as_bytes();
    // Whole-text searches for `\n%` and `\n---` rather than a look at every
    // line: a large dump has millions of lines, and this runs before any
    // parallelism.
    if bytes.first() == Some(&b'%') || memchr::memmem::find(bytes, b"\n%").is_some() {
        return vec![Chunk { text, line_offset: 0 }];
    }
    let mut chunks = Vec::new();
    let (mut start, mut start_line) = (0usize, 0u32);
    for newline in memchr::memmem::find_iter(bytes, b"\n---") {
        let offset = newline + 1;
        if !is_document_start(&text[offset..]) {
            continue;
        }
        chunks.push(Chunk { text: &text[start..offset], line_offset: start_line });
        start_line += memchr::memchr_iter(b'\n', &bytes[start..offset]).count() as u32;
        start = offset;
    }
    if start < text.len() || chunks.is_empty() {
        chunks.push(Chunk { text: &text[start..], line_offset: start_line });
    }
    chunks
}

fn is_document_start(line: &str) -> bool {
    line.strip_prefix("---").is_some_and(|rest| rest.is_empty() || rest.starts_with([' ', '\t', '\r', '\n']))
}

/// Parses one chunk. `first_index` numbers its documents within the file.
///
/// The common, simple YAML goes through the fast path ([`parse_chunk_fast`]);
/// anything it is not sure about through the reference path
/// ([`parse_chunk_reference`]). Both give the same [`Parsed`].
pub fn parse_chunk(chunk: Chunk<'_>, file: &Arc<str>, first_index: usize, limits: Limits) -> Parsed {
    parse_chunk_fast(chunk, file, first_index, limits)
        .unwrap_or_else(|| parse_chunk_reference(chunk, file, first_index, limits))
}

/// The fast path alone: `None` when it leaves the chunk to the reference.
pub fn parse_chunk_fast(chunk: Chunk<'_>, file: &Arc<str>, first_index: usize, limits: Limits) -> Option<Parsed> {
    let fast = crate::fast::parse(chunk.text, chunk.line_offset, file, limits)?;
    Some(crate::fast::into_parsed(fast, first_index, chunk.line_offset, chunk.text))
}

/// The reference path: saphyr-parser's events, for every YAML.
pub fn parse_chunk_reference(chunk: Chunk<'_>, file: &Arc<str>, first_index: usize, limits: Limits) -> Parsed {
    let templates = helm_source_comments(chunk.text);
    let mut builder = Builder {
        file,
        limits,
        line_offset: chunk.line_offset,
        out: Parsed::default(),
        stack: Vec::new(),
        anchors: HashMap::new(),
        alias_nodes: 0,
        next_index: first_index,
        templates,
        previous_doc_end_line: 0,
    };
    let mut parser = Parser::new_from_str(chunk.text);
    loop {
        match parser.next_event() {
            None | Some(Ok((Event::StreamEnd, _))) => break,
            Some(Ok((event, span))) => {
                if let Err(mut message) = builder.event(event, span) {
                    if looks_like_template(chunk.text, span.start.line()) {
                        message = format!("{message}: this looks like an unrendered template (`{{{{ … }}}}`); render it first (helm template, envsubst)");
                    }
                    builder.error(span, message);
                    break;
                }
            }
            Some(Err(e)) => {
                let m = e.marker();
                let pos = builder.pos_at(m.line(), m.col());
                let message = match e.info() {
                    info if info.contains("recursion limit") => {
                        format!("nesting deeper than the parser allows ({info}); refusing to parse further")
                    }
                    info => format!("invalid YAML: {info}"),
                };
                builder.out.diagnostics.push(Diagnostic::error(file, pos, message));
                break;
            }
        }
    }
    builder.out
}

/// Whether the 1-based `line` of `text` holds a `{{ … }}` template expression.
fn looks_like_template(text: &str, line: usize) -> bool {
    text.lines().nth(line.saturating_sub(1)).is_some_and(|l| l.contains("{{"))
}

/// Parses a whole file (all its documents), splitting it for reuse of the
/// per-chunk logic; used where parallelism is not wanted.
pub fn parse_str(text: &str, file: &Arc<str>, limits: Limits) -> Parsed {
    let mut all = Parsed::default();
    for chunk in split_documents(text) {
        let parsed = parse_chunk(chunk, file, all.documents.len(), limits);
        all.documents.extend(parsed.documents);
        all.diagnostics.extend(parsed.diagnostics);
    }
    all
}

/// Lines `# Source: path` (Helm's marker of the template a document came from),
/// with their 1-based line numbers within the chunk.
pub(crate) fn helm_source_comments(text: &str) -> Vec<(u32, Arc<str>)> {
    if !text.contains("# Source: ") {
        return Vec::new();
    }
    text.lines()
        .enumerate()
        .filter_map(|(i, line)| {
            let path = line.strip_prefix("# Source: ")?.trim();
            (!path.is_empty()).then(|| (i as u32 + 1, Arc::from(path)))
        })
        .collect()
}

enum Frame {
    Seq {
        items: Vec<Node>,
        pos: Pos,
        anchor: usize,
        nodes: usize,
    },
    Map {
        map: MapBuilder,
        pos: Pos,
        anchor: usize,
        nodes: usize,
        key: Option<(Key, Pos)>,
        merged: Vec<String>,
        /// Hashes of the keys once the map is large ([`SCAN_LIMIT`]): a new key
        /// is then known new without scanning every entry (a ConfigMap of
        /// 100,000 keys would otherwise take 5·10⁹ comparisons).
        seen: Option<HashSet<u64>>,
    },
}

/// Maps up to this size are checked for duplicate keys by scanning them.
pub(crate) const SCAN_LIMIT: usize = 16;

pub(crate) fn key_hash(key: &Key) -> u64 {
    use std::hash::{BuildHasher, BuildHasherDefault};
    BuildHasherDefault::<std::collections::hash_map::DefaultHasher>::default().hash_one(key.as_bytes())
}

struct Builder<'f> {
    file: &'f Arc<str>,
    limits: Limits,
    line_offset: u32,
    out: Parsed,
    stack: Vec<Frame>,
    /// Finished anchored nodes with their node counts.
    anchors: HashMap<usize, (Node, usize)>,
    alias_nodes: usize,
    next_index: usize,
    templates: Vec<(u32, Arc<str>)>,
    previous_doc_end_line: u32,
}

impl Builder<'_> {
    fn pos_at(&self, line: usize, col: usize) -> Pos {
        Pos::new(line as u32 + self.line_offset, col as u32 + 1)
    }
    fn pos(&self, span: Span) -> Pos {
        self.pos_at(span.start.line(), span.start.col())
    }
    fn error(&mut self, span: Span, message: String) {
        let pos = self.pos(span);
        self.out.diagnostics.push(Diagnostic::error(self.file, pos, message));
    }

    fn event(&mut self, event: Event<'_>, span: Span) -> Result<(), String> {
        match event {
            Event::StreamStart | Event::Nothing => Ok(()),
            Event::DocumentStart(_) => {
                self.anchors.clear();
                self.alias_nodes = 0;
                Ok(())
            }
            Event::DocumentEnd => {
                self.previous_doc_end_line = span.start.line() as u32;
                Ok(())
            }
            Event::StreamEnd => Ok(()),
            Event::Scalar(text, style, anchor, tag) => {
                let pos = self.pos(span);
                let tag = tag.as_ref().map(|t| t.suffix.as_str());
                if anchor == 0 {
                    if let Some(Frame::Map { key: key @ None, nodes, .. }) = self.stack.last_mut() {
                        // A map key: made straight from the parser's text, with
                        // no node and (for a short key) no allocation.
                        *key = Some((
                            match resolve_non_string(&text, style, tag) {
                                None => Key::new(&text),
                                Some(value) => Key::from(Node::new(value, pos).scalar_text().unwrap_or_default()),
                            },
                            pos,
                        ));
                        *nodes += 1;
                        return Ok(());
                    }
                }
                let value = resolve_scalar(&text, style, tag);
                let node = Node::new(value, pos);
                if anchor > 0 {
                    self.anchors.insert(anchor, (node.clone(), 1));
                }
                self.push_node(node, 1)
            }
            Event::Alias(id) => {
                let Some((node, count)) = self.anchors.get(&id) else {
                    return Err("alias refers to an unknown anchor".into());
                };
                self.alias_nodes += count;
                if self.alias_nodes > self.limits.max_alias_nodes {
                    return Err(format!(
                        "alias expansion exceeds {} nodes (a \"billion laughs\" document?); refusing to expand it",
                        self.limits.max_alias_nodes
                    ));
                }
                let (mut node, count) = (node.clone(), *count);
                // The alias stands where it is written; its content keeps the anchor's positions.
                node.pos = self.pos(span);
                self.push_node(node, count)
            }
            Event::SequenceStart(anchor, _) => {
                self.enter()?;
                let pos = self.pos(span);
                self.stack.push(Frame::Seq { items: Vec::new(), pos, anchor, nodes: 1 });
                Ok(())
            }
            Event::MappingStart(anchor, _) => {
                self.enter()?;
                let pos = self.pos(span);
                self.stack.push(Frame::Map {
                    map: MapBuilder::new(),
                    pos,
                    anchor,
                    nodes: 1,
                    key: None,
                    merged: Vec::new(),
                    seen: None,
                });
                Ok(())
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let (node, anchor, nodes) = match self.stack.pop() {
                    // Finished collections never grow again: give back the spare room.
                    Some(Frame::Seq { items, pos, anchor, nodes }) => {
                        (Node::new(Value::Seq(items.into_boxed_slice()), pos), anchor, nodes)
                    }
                    Some(Frame::Map { map, pos, anchor, nodes, .. }) => {
                        (Node::new(Value::Map(map.finish()), pos), anchor, nodes)
                    }
                    None => return Err("unbalanced collection end".into()),
                };
                if anchor > 0 {
                    self.anchors.insert(anchor, (node.clone(), nodes));
                }
                self.push_node(node, nodes)
            }
        }
    }

    fn enter(&mut self) -> Result<(), String> {
        if let Some(Frame::Map { key: None, .. }) = self.stack.last() {
            return Err("complex (map or list) keys are not supported by Kubernetes".into());
        }
        if self.stack.len() >= self.limits.max_depth {
            return Err(format!("nesting deeper than {} levels; refusing to parse further", self.limits.max_depth));
        }
        Ok(())
    }

    /// Places a finished node into its parent, or finishes the document.
    fn push_node(&mut self, node: Node, count: usize) -> Result<(), String> {
        let file = self.file;
        match self.stack.last_mut() {
            None => {
                self.finish_document(node);
                Ok(())
            }
            Some(Frame::Seq { items, nodes, .. }) => {
                items.push(node);
                *nodes += count;
                Ok(())
            }
            Some(Frame::Map { map, key, nodes, merged, seen, .. }) => {
                *nodes += count;
                match key.take() {
                    None => {
                        // Keys that are aliases or anchored; plain keys never get here.
                        let text = match node.scalar_text() {
                            Some(t) => t,
                            None => return Err("complex keys are not supported".into()),
                        };
                        *key = Some((Key::from(text), node.pos));
                        Ok(())
                    }
                    Some((k, _)) if k == *"<<" => {
                        *seen = None; // rebuilt with the merged keys when needed
                        merge_into(map, merged, &node)
                    }
                    Some((k, key_pos)) => {
                        if seen.is_none() && map.len() >= SCAN_LIMIT {
                            *seen = Some(map.iter().map(|(k, _)| key_hash(&Key::new(k))).collect());
                        }
                        // With the hash set: a key whose hash is new is new.
                        if let Some(seen) = seen {
                            if seen.insert(key_hash(&k)) {
                                map.push_new(k, key_pos, node);
                                return Ok(());
                            }
                        }
                        let from_merge = merged.iter().position(|m| k == **m);
                        if let Some(i) = from_merge {
                            merged.swap_remove(i);
                            map.insert_key(k, key_pos, node);
                        } else {
                            if let Some(first) = map.key_pos(k.as_str()) {
                                self.out.diagnostics.push(Diagnostic::warning(
                                    file,
                                    key_pos,
                                    format!("duplicate key `{k}` (first at line {}); the last value wins", first.line),
                                ));
                            }
                            map.insert_key(k, key_pos, node);
                        }
                        Ok(())
                    }
                }
            }
        }
    }

    fn finish_document(&mut self, root: Node) {
        let index = self.next_index;
        self.next_index += 1;
        let root_line = root.pos.line - self.line_offset;
        let template = self
            .templates
            .iter()
            .rev()
            .find(|(line, _)| *line <= root_line && *line > self.previous_doc_end_line)
            .map(|(_, t)| t.clone());
        self.previous_doc_end_line = root_line;
        if !root.is_null() {
            self.out.documents.push(Document { root, index, template });
        }
    }
}

/// YAML 1.1 merge key: `<<: *base` or `<<: [*a, *b]` adds the entries that
/// are not already present; explicit keys written later override them.
fn merge_into(map: &mut MapBuilder, merged: &mut Vec<String>, value: &Node) -> Result<(), String> {
    let sources: Vec<&Node> = match &value.value {
        Value::Map(_) => vec![value],
        Value::Seq(items) => items.iter().collect(),
        _ => return Err("merge key `<<` needs a map or a list of maps".into()),
    };
    for source in sources {
        let Some(m) = source.as_map() else {
            return Err("merge key `<<` needs a map or a list of maps".into());
        };
        for (k, v) in m.iter() {
            if map.get(k).is_none() {
                let key_pos = m.key_pos(k).unwrap_or(v.pos);
                map.insert(k.to_owned(), key_pos, v.clone());
                merged.push(k.to_owned());
            }
        }
    }
    Ok(())
}

/// Resolves a scalar as go-yaml v2 (the API server's decoder) does.
pub(crate) fn resolve_scalar(text: &str, style: ScalarStyle, tag: Option<&str>) -> Value {
    // Copy rather than move the scanner's string: a short one is stored in
    // place, a long one allocated at its exact length, while the scanner's
    // buffer has spare room per node.
    resolve_non_string(text, style, tag).unwrap_or_else(|| Value::String(text.into()))
}

/// [`resolve_scalar`] for every value but a string (`None`), so that a
/// caller that needs only text allocates nothing.
#[inline(always)]
pub(crate) fn resolve_non_string(text: &str, style: ScalarStyle, tag: Option<&str>) -> Option<Value> {
    // Inlined (a plain `#[inline]` was not taken), this turns away most keys
    // and values (`metadata`, `app`, `namespace`) without a call.
    if tag.is_none() && !(style == ScalarStyle::Plain && may_be_non_string(text.as_bytes())) {
        return None;
    }
    resolve_tagged_or_plain(text, style, tag)
}

/// Whether an untagged plain scalar may be a null, a boolean or a number: it
/// is empty, starts as a number does, or is a word of at most five letters
/// (`false`) that starts as a null or a boolean does.
#[inline(always)]
fn may_be_non_string(text: &[u8]) -> bool {
    match text.first() {
        None => true,
        Some(&b) => may_start_non_string(b) && (text.len() <= 5 || !b.is_ascii_alphabetic()),
    }
}

/// Whether a plain scalar starting with `b` may be a null, a boolean or a number.
#[inline]
fn may_start_non_string(b: u8) -> bool {
    matches!(b, b'~' | b'n' | b'N' | b'y' | b'Y' | b't' | b'T' | b'f' | b'F' | b'o' | b'O' | b'-' | b'+' | b'.')
        || b.is_ascii_digit()
}

fn resolve_tagged_or_plain(text: &str, style: ScalarStyle, tag: Option<&str>) -> Option<Value> {
    match tag {
        Some("str") => return None,
        Some("int") => {
            if let Some(i) = parse_int(text) {
                return Some(Value::Int(i));
            }
        }
        Some("bool") => {
            if let Some(b) = parse_bool(text) {
                return Some(Value::Bool(b));
            }
        }
        Some("null") => return Some(Value::Null),
        _ => {}
    }
    if style != ScalarStyle::Plain {
        return None;
    }
    // Fast path: only some first bytes can start a null, a boolean or a number.
    match text.as_bytes().first() {
        None => return Some(Value::Null),
        Some(&b) if !may_start_non_string(b) => return None,
        Some(_) => {}
    }
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Some(Value::Null),
        _ => {}
    }
    if let Some(b) = parse_bool(text) {
        return Some(Value::Bool(b));
    }
    let first = text.as_bytes()[0];
    if first.is_ascii_digit() || matches!(first, b'-' | b'+' | b'.') {
        if let Some(i) = parse_int(text) {
            return Some(Value::Int(i));
        }
        if let Some(f) = parse_float(text) {
            return Some(Value::Float(f));
        }
    }
    None
}

fn parse_bool(text: &str) -> Option<bool> {
    match text {
        "y" | "Y" | "yes" | "Yes" | "YES" | "true" | "True" | "TRUE" | "on" | "On" | "ON" => Some(true),
        "n" | "N" | "no" | "No" | "NO" | "false" | "False" | "FALSE" | "off" | "Off" | "OFF" => Some(false),
        _ => None,
    }
}

fn parse_int(text: &str) -> Option<i64> {
    let cleaned;
    let text = if text.contains('_') {
        cleaned = text.replace('_', "");
        cleaned.as_str()
    } else {
        text
    };
    let (negative, digits) = match text.as_bytes().first()? {
        b'-' => (true, &text[1..]),
        b'+' => (false, &text[1..]),
        _ => (false, text),
    };
    if digits.is_empty() {
        return None;
    }
    let magnitude = if let Some(hex) = digits.strip_prefix("0x") {
        i64::from_str_radix(hex, 16).ok()?
    } else if let Some(bin) = digits.strip_prefix("0b") {
        i64::from_str_radix(bin, 2).ok()?
    } else if let Some(oct) = digits.strip_prefix("0o") {
        i64::from_str_radix(oct, 8).ok()?
    } else if digits.len() > 1 && digits.starts_with('0') {
        // YAML 1.1 octal: `defaultMode: 0644` is 420 to the API server.
        i64::from_str_radix(&digits[1..], 8).ok()?
    } else if digits.bytes().all(|b| b.is_ascii_digit()) {
        digits.parse::<i64>().ok()?
    } else {
        return None;
    };
    Some(if negative { -magnitude } else { magnitude })
}

fn parse_float(text: &str) -> Option<f64> {
    match text {
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => return Some(f64::INFINITY),
        "-.inf" | "-.Inf" | "-.INF" => return Some(f64::NEG_INFINITY),
        ".nan" | ".NaN" | ".NAN" => return Some(f64::NAN),
        _ => {}
    }
    let valid = text.bytes().all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'-' | b'+' | b'_'))
        && text.bytes().any(|b| b.is_ascii_digit());
    if !valid {
        return None;
    }
    text.replace('_', "").parse::<f64>().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Parsed {
        parse_str(text, &Arc::from("t.yaml"), Limits::default())
    }

    #[test]
    fn every_node_keeps_its_line_and_column() {
        let p = parse("a: 1\nb:\n  - x\n  - {c: d}\n");
        assert!(p.diagnostics.is_empty(), "{:?}", p.diagnostics);
        let root = &p.documents[0].root;
        assert_eq!(root.get("a").unwrap().pos, Pos::new(1, 4));
        assert_eq!(root.pointer("/b/0").unwrap().pos, Pos::new(3, 5));
        assert_eq!(root.pointer("/b/1/c").unwrap().pos, Pos::new(4, 9));
        assert_eq!(root.as_map().unwrap().key_pos("b"), Some(Pos::new(2, 1)));
    }

    #[test]
    fn scalars_resolve_as_the_api_server_does() {
        let p = parse(
            "a: yes\nb: 'yes'\nc: 0644\nd: 0x1F\ne: 1.5\nf: ~\ng: 12\nh: -3\ni: 1_000\nj: 08\nk: !!str 10\nl: .inf\n",
        );
        let r = &p.documents[0].root;
        assert_eq!(r.get("a").unwrap().value, Value::Bool(true));
        assert_eq!(r.get("b").unwrap().value, Value::String("yes".into()));
        assert_eq!(r.get("c").unwrap().value, Value::Int(420));
        assert_eq!(r.get("d").unwrap().value, Value::Int(31));
        assert_eq!(r.get("e").unwrap().value, Value::Float(1.5));
        assert_eq!(r.get("f").unwrap().value, Value::Null);
        assert_eq!(r.get("g").unwrap().value, Value::Int(12));
        assert_eq!(r.get("h").unwrap().value, Value::Int(-3));
        assert_eq!(r.get("i").unwrap().value, Value::Int(1000));
        // `08` is not valid octal: go-yaml falls back to a float.
        assert_eq!(r.get("j").unwrap().value, Value::Float(8.0));
        assert_eq!(r.get("k").unwrap().value, Value::String("10".into()));
        assert_eq!(r.get("l").unwrap().value, Value::Float(f64::INFINITY));
    }

    /// The inlined gate of `resolve_non_string` turns away only what the full
    /// resolution would leave a string: every literal, and seeded random
    /// words and numbers built from their pieces.
    #[test]
    fn the_resolution_gate_keeps_every_null_bool_and_number() {
        let literals = [
            "",
            "~",
            "null",
            "Null",
            "NULL",
            "y",
            "Y",
            "yes",
            "Yes",
            "YES",
            "true",
            "True",
            "TRUE",
            "on",
            "On",
            "ON",
            "n",
            "N",
            "no",
            "No",
            "NO",
            "false",
            "False",
            "FALSE",
            "off",
            "Off",
            "OFF",
            ".inf",
            "-.Inf",
            "+.INF",
            ".nan",
            "0",
            "-1",
            "+2",
            "0x1F",
            "0o17",
            "0b101",
            "0644",
            "1_000",
            "1e3",
            "-.5e3",
            "08",
            "falsey",
            "nullable",
            "namespace",
            "ownerReferences",
            "yesterday",
            "Truest",
            "ONE",
        ];
        let pieces = [
            "n", "u", "l", "y", "e", "s", "t", "r", "f", "a", "o", "O", "F", "N", "T", "1", "0", "x", "-", "+", ".",
            "_", "e", "inf", "NaN", "9",
        ];
        let mut next = crate::seeded::splitmix(0x7265_736f_6c76u64);
        let random = (0..50_000).map(|_| (0..next() % 8).map(|_| pieces[next() % pieces.len()]).collect::<String>());
        let mut resolved = 0;
        for text in literals.iter().map(|t| t.to_string()).chain(random) {
            let full = resolve_tagged_or_plain(&text, ScalarStyle::Plain, None);
            resolved += usize::from(full.is_some());
            assert_eq!(
                format!("{:?}", resolve_non_string(&text, ScalarStyle::Plain, None)),
                format!("{full:?}"),
                "{text:?}"
            );
        }
        assert!(resolved > 1000, "too few non-strings to test the gate: {resolved}");
    }

    #[test]
    fn documents_split_and_line_numbers_continue() {
        let text = "a: 1\n---\nb: 2\n--- \n# c\nc: 3\n";
        let chunks = split_documents(text);
        assert_eq!(chunks.len(), 3);
        let p = parse(text);
        assert_eq!(p.documents.len(), 3);
        assert_eq!(p.documents[2].root.get("c").unwrap().pos, Pos::new(6, 4));
        assert_eq!(p.documents[2].index, 2);
        assert_eq!(split_documents("x: '---'\n").len(), 1);
    }

    /// The line-by-line split the whole-text searches replaced.
    fn split_documents_by_lines(text: &str) -> Vec<Chunk<'_>> {
        let bytes = text.as_bytes();
        let mut chunks = Vec::new();
        let (mut start, mut start_line) = (0usize, 0u32);
        let line_starts = std::iter::once(0).chain(memchr::memchr_iter(b'\n', bytes).map(|i| i + 1));
        for (line_no, offset) in (0u32..).zip(line_starts) {
            match bytes.get(offset) {
                None => break,
                Some(b'%') => return vec![Chunk { text, line_offset: 0 }],
                Some(b'-') if offset > start && is_document_start(&text[offset..]) => {
                    chunks.push(Chunk { text: &text[start..offset], line_offset: start_line });
                    start = offset;
                    start_line = line_no;
                }
                Some(_) => {}
            }
        }
        if start < text.len() || chunks.is_empty() {
            chunks.push(Chunk { text: &text[start..], line_offset: start_line });
        }
        chunks
    }

    /// The split against the line-by-line one, on seeded random streams of
    /// markers, near-markers, directives and text.
    #[test]
    fn documents_split_as_line_by_line() {
        let pieces = [
            "---",
            "--- ",
            "---\t",
            "----",
            "-- -",
            "--",
            "-",
            "...",
            "%YAML 1.2",
            "%",
            " %",
            "a: 1",
            "- b",
            "\n",
            "\n",
            "\r\n",
            " ",
            "x---",
            "'---'",
        ];
        let mut next = crate::seeded::splitmix(0x0073_706c_6974_u64);
        let mut splits = 0;
        for _ in 0..20_000 {
            // Directives only now and then, or nearly every stream would be kept whole.
            let mut text = String::new();
            for _ in 0..next() % 30 {
                let piece = pieces[next() % pieces.len()];
                if !piece.contains('%') || next().is_multiple_of(8) {
                    text.push_str(piece);
                }
            }
            let fmt = |chunks: Vec<Chunk<'_>>| -> Vec<(String, u32)> {
                chunks.into_iter().map(|c| (c.text.to_owned(), c.line_offset)).collect()
            };
            let expected = fmt(split_documents_by_lines(&text));
            splits += expected.len() - 1;
            assert_eq!(fmt(split_documents(&text)), expected, "{text:?}");
        }
        assert!(splits > 5_000, "too few splits to test: {splits}");
    }

    #[test]
    fn a_broken_document_loses_no_other() {
        let p = parse("a: 1\n---\nb: [unclosed\n---\nc: 3\n");
        assert_eq!(p.documents.len(), 2);
        assert_eq!(p.diagnostics.len(), 1);
        let d = &p.diagnostics[0];
        assert_eq!(d.line, 4, "{d}");
        assert!(d.message.contains("invalid YAML"), "{d}");
    }

    #[test]
    fn anchors_aliases_and_merge_keys() {
        let p = parse("base: &b {a: 1, b: 2}\nuse:\n  <<: *b\n  b: 3\nlist: [*b]\n");
        assert!(p.diagnostics.is_empty(), "{:?}", p.diagnostics);
        let r = &p.documents[0].root;
        assert_eq!(r.pointer("/use/a").unwrap().value, Value::Int(1));
        assert_eq!(r.pointer("/use/b").unwrap().value, Value::Int(3));
        assert_eq!(r.pointer("/list/0/b").unwrap().value, Value::Int(2));
        // go-yaml v2 reads an unquoted `y` key as the boolean true, and so does the API server.
        let p = parse("y: 1\n");
        assert!(p.documents[0].root.get("true").is_some());
    }

    #[test]
    fn alias_bomb_is_refused() {
        let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..12 {
            let prev = format!("*a{}", i - 1);
            text.push_str(&format!("a{i}: &a{i} [{}]\n", vec![prev; 10].join(", ")));
        }
        let p = parse(&text);
        assert_eq!(p.diagnostics.len(), 1);
        assert!(p.diagnostics[0].message.contains("alias expansion"), "{}", p.diagnostics[0]);
    }

    #[test]
    fn deep_nesting_is_refused() {
        let text = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
        let p = parse(&text);
        assert!(p.documents.is_empty());
        assert!(p.diagnostics[0].message.contains("nesting deeper"), "{}", p.diagnostics[0]);
        let block: String = (0..5000).map(|i| format!("{}k:\n", " ".repeat(i))).collect();
        let p = parse(&block);
        assert!(p.diagnostics[0].message.contains("nesting deeper than 200 levels"), "{}", p.diagnostics[0]);
    }

    #[test]
    fn unrendered_templates_are_named_as_such() {
        let p = parse("kind: Secret\ndata:\n  config: {{config_data}}\n");
        assert_eq!((p.diagnostics[0].line, p.diagnostics[0].column), (3, 12), "{}", p.diagnostics[0]);
        assert!(p.diagnostics[0].message.contains("unrendered template"), "{}", p.diagnostics[0]);
    }

    #[test]
    fn duplicate_keys_are_reported() {
        let p = parse("a: 1\nb: 2\na: 3\n");
        assert_eq!(p.documents[0].root.get("a").unwrap().value, Value::Int(3));
        assert_eq!(p.diagnostics.len(), 1);
        assert!(p.diagnostics[0].message.contains("duplicate key `a` (first at line 1)"));
        assert_eq!(p.diagnostics[0].line, 3);
    }

    #[test]
    fn duplicate_keys_in_large_maps_are_reported() {
        let mut text: String = (0..40).map(|i| format!("k{i}: {i}\n")).collect();
        text.push_str("k3: again\nk39: last\n");
        let p = parse(&text);
        let root = &p.documents[0].root;
        assert_eq!(root.as_map().unwrap().len(), 40);
        assert_eq!(root.get("k3").and_then(Node::as_str), Some("again"));
        assert_eq!(root.get("k39").and_then(Node::as_str), Some("last"));
        let lines: Vec<_> = p.diagnostics.iter().map(|d| (d.line, d.message.contains("first at line"))).collect();
        assert_eq!(lines, [(41, true), (42, true)]);
        // A merge into a large map: explicit keys after it still override quietly.
        let mut text = String::from("base: &b {m1: 1, m2: 2}\nbig:\n");
        text.extend((0..20).map(|i| format!("  k{i}: {i}\n")));
        text.push_str("  <<: *b\n  m1: 10\n  k0: dup\n");
        let p = parse(&text);
        let big = p.documents[0].root.get("big").unwrap();
        assert_eq!(big.get("m1").unwrap().value, Value::Int(10));
        assert_eq!(big.get("m2").unwrap().value, Value::Int(2));
        assert_eq!(p.diagnostics.len(), 1, "{:?}", p.diagnostics);
        assert!(p.diagnostics[0].message.contains("duplicate key `k0`"));
    }

    #[test]
    fn helm_source_comments_name_the_template() {
        let text = "---\n# Source: app/templates/svc.yaml\nkind: Service\n---\n# Source: app/templates/deploy.yaml\nkind: Deployment\n";
        let p = parse(text);
        let t: Vec<_> = p.documents.iter().map(|d| d.template.as_deref().unwrap()).collect();
        assert_eq!(t, ["app/templates/svc.yaml", "app/templates/deploy.yaml"]);
    }

    #[test]
    fn json_parses_with_positions() {
        let p = parse("{\n  \"kind\": \"Pod\",\n  \"spec\": {\"a\": [1, 2]}\n}\n");
        assert!(p.diagnostics.is_empty());
        assert_eq!(p.documents[0].root.pointer("/spec/a/1").unwrap().pos, Pos::new(3, 21));
    }
}
