//! Where in the text an added map entry goes, and the text that goes there.

use crate::render;
use kubefort_model::{unescape_token, Node, Value};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Syntax {
    Yaml,
    Json,
}

/// Replace `start..end` of the text with `text` (an insertion when equal).
#[derive(Debug)]
pub struct Edit {
    start: usize,
    end: usize,
    text: String,
    /// Column of the inserted keys: at one offset, the deeper map's lines go
    /// first, or they would land inside the shallower map's new entry.
    depth: usize,
}

/// Applies non-overlapping edits (an edit overlapping an earlier one is
/// dropped; the next round of [`crate::fix_text`] then reports it).
pub fn apply(text: &str, mut edits: Vec<Edit>) -> String {
    edits.sort_by(|a, b| a.start.cmp(&b.start).then(b.depth.cmp(&a.depth)));
    // The same edit twice comes from two parents that are one node in the
    // text (an anchor and its alias): it is made once.
    edits.dedup_by(|b, a| (a.start, a.end, &a.text) == (b.start, b.end, &b.text));
    let mut out = String::with_capacity(text.len() + edits.iter().map(|e| e.text.len()).sum::<usize>());
    let mut at = 0;
    for edit in edits {
        if edit.start < at {
            continue;
        }
        out.push_str(&text[at..edit.start]);
        out.push_str(&edit.text);
        at = edit.end;
    }
    out.push_str(&text[at..]);
    out
}

/// The edits that add `entries` to the map at `parent` (a pointer under
/// `root`). `None` when the parent is missing or written in a way this does
/// not handle (the caller reports it).
pub fn edits_for(
    text: &str,
    lines: &Lines<'_>,
    root: &Node,
    parent: &str,
    entries: &[(String, &serde_json::Value)],
    syntax: Syntax,
) -> Option<Vec<Edit>> {
    let node = root.pointer(parent)?;
    let map = node.as_map()?;
    let mut edits = Vec::new();
    let mut new_keys = Vec::new();
    for (key, value) in entries {
        match map.get(key) {
            // Present as null: the value goes on the key's line.
            Some(Node { value: Value::Null, .. }) => {
                edits.push(replace_null(text, lines, map.key_pos(key)?, value, syntax)?)
            }
            Some(_) => return None,
            None => new_keys.push((key.as_str(), *value)),
        }
    }
    if new_keys.is_empty() {
        return Some(edits);
    }
    let start = skip_properties(text, lines.offset(node.pos.line, node.pos.column)?);
    if text[start..].starts_with('{') {
        edits.push(insert_into_flow(text, start, &new_keys, syntax)?);
    } else {
        let (first_key, _) = map.iter().next()?;
        let first = map.key_pos(first_key)?;
        let step = indent_step(root, parent, first.column).unwrap_or(2);
        edits.push(insert_into_block(text, lines, first, step, &new_keys)?);
    }
    Some(edits)
}

/// How far this file indents a map under its key: the parent map's keys'
/// column minus the column of the key that holds it (`spec:` at 3, its keys
/// at 5: 2). `None` when the parent is a list item or the document root.
fn indent_step(root: &Node, parent: &str, column: u32) -> Option<usize> {
    let (grandparent, key) = parent.rsplit_once('/')?;
    let owner = root.pointer(grandparent)?.as_map()?.key_pos(&unescape_token(key))?;
    let step = column.checked_sub(owner.column)? as usize;
    (1..=8).contains(&step).then_some(step)
}

/// Skips an anchor (`&a`) or tag (`!!map`) written before a node's value.
fn skip_properties(text: &str, mut at: usize) -> usize {
    while text[at..].starts_with(['&', '!']) {
        let token = text[at..].find([' ', '\t', '\n']).unwrap_or(text.len() - at);
        at += token;
        at += text[at..].len() - text[at..].trim_start_matches([' ', '\t', '\r', '\n']).len();
    }
    at
}

/// Line starts of a text, to turn (line, column) positions into offsets.
pub struct Lines<'a> {
    text: &'a str,
    starts: Vec<usize>,
}

impl<'a> Lines<'a> {
    pub fn new(text: &'a str) -> Self {
        let starts = std::iter::once(0).chain(text.match_indices('\n').map(|(i, _)| i + 1)).collect();
        Lines { text, starts }
    }
    /// The 1-based line's text without its line ending.
    fn line(&self, line: u32) -> Option<&'a str> {
        let start = *self.starts.get(line.checked_sub(1)? as usize)?;
        let end = self.starts.get(line as usize).copied().unwrap_or(self.text.len());
        Some(self.text[start..end].trim_end_matches(['\n', '\r']))
    }
    /// Byte offset of a 1-based line and character column.
    fn offset(&self, line: u32, column: u32) -> Option<usize> {
        let start = *self.starts.get(line.checked_sub(1)? as usize)?;
        let text = self.line(line)?;
        let within = match text.char_indices().nth(column.checked_sub(1)? as usize) {
            Some((i, _)) => i,
            None => text.len(),
        };
        Some(start + within)
    }
    /// Byte offset just after the 1-based line's line ending (the text's end
    /// for the last line).
    fn after(&self, line: u32) -> usize {
        self.starts.get(line as usize).copied().unwrap_or(self.text.len())
    }
    fn count(&self) -> u32 {
        self.starts.len() as u32
    }
}

fn newline_of(text: &str) -> &'static str {
    if text.contains("\r\n") {
        "\r\n"
    } else {
        "\n"
    }
}

/// New lines after the block map's last line, at its keys' column. The map
/// whose first key is at `first_key` runs until the next content line (not
/// blank, not a comment) indented less than its keys, or a document marker.
fn insert_into_block(
    text: &str,
    lines: &Lines<'_>,
    first_key: kubefort_model::Pos,
    step: usize,
    keys: &[(&str, &serde_json::Value)],
) -> Option<Edit> {
    let indent = first_key.column.checked_sub(1)? as usize;
    // The key must sit after plain spaces or `- ` items: a column counts
    // characters, and the inserted lines count spaces.
    let prefix: String = lines.line(first_key.line)?.chars().take(indent).collect();
    if !prefix.chars().all(|c| c == ' ' || c == '-') {
        return None;
    }
    let mut last = first_key.line;
    for n in first_key.line + 1..=lines.count() {
        let line = lines.line(n)?;
        let content = line.trim_start_matches(' ');
        if content.is_empty() || content.starts_with('#') {
            continue;
        }
        let is_marker = line.starts_with("---") || line.starts_with("...");
        if is_marker || line.len() - content.len() < indent {
            break;
        }
        last = n;
    }
    // A block scalar that keeps its trailing newlines (`|+`) owns the blank
    // lines after it: the new entry goes after them, not inside its value.
    if (first_key.line..=last).filter_map(|n| lines.line(n)).any(keeps_trailing_lines) {
        while last < lines.count() && lines.line(last + 1).is_some_and(|l| l.trim().is_empty()) {
            last += 1;
        }
    }
    let newline = newline_of(text);
    let mut insert = String::new();
    let at = lines.after(last);
    if !text[..at].ends_with('\n') {
        insert.push_str(newline);
    }
    for (key, value) in keys {
        insert.push_str(&render::block_entry(key, value, indent, step, newline));
    }
    Some(Edit { start: at, end: at, text: insert, depth: indent })
}

/// Whether the line ends with the header of a block scalar with "keep"
/// chomping (`|+`, `>+`, `|2+`), before any comment.
fn keeps_trailing_lines(line: &str) -> bool {
    let code = line.split(" #").next().unwrap_or(line).trim_end();
    code.rsplit([' ', '\t']).next().is_some_and(|token| token.starts_with(['|', '>']) && token.contains('+'))
}

/// Entries before the closing brace of the flow map opening at `open`.
fn insert_into_flow(text: &str, open: usize, keys: &[(&str, &serde_json::Value)], syntax: Syntax) -> Option<Edit> {
    let close = matching_brace(text, open)?;
    let entries: Vec<String> = keys
        .iter()
        .map(|(k, v)| match syntax {
            Syntax::Json => render::json_entry(k, v),
            Syntax::Yaml => format!("{}: {}", k, render::flow(v)),
        })
        .collect();
    let inner = &text[open + 1..close];
    let trimmed = inner.trim_end();
    let last = open + trimmed.len(); // the last non-blank byte before `}`
    let insert = if trimmed.trim_start().is_empty() {
        entries.join(", ")
    } else if trimmed.ends_with(',') {
        format!(" {}", entries.join(", "))
    } else if inner[trimmed.len()..].contains('\n') {
        // One entry per line, like the entries before it (pretty JSON).
        let line_start = text[..=last].rfind('\n').map_or(0, |i| i + 1);
        let line = &text[line_start..=last];
        let pad = &line[..line.len() - line.trim_start_matches([' ', '\t']).len()];
        let newline = newline_of(text);
        entries.iter().map(|e| format!(",{newline}{pad}{e}")).collect()
    } else {
        format!(", {}", entries.join(", "))
    };
    let at = if trimmed.trim_start().is_empty() { open + 1 } else { last + 1 };
    Some(Edit { start: at, end: at, text: insert, depth: usize::MAX })
}

/// The `}` closing the `{` at `open`, skipping quoted strings and nested
/// collections.
fn matching_brace(text: &str, open: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut depth = 0usize;
    let mut i = open;
    while i < bytes.len() {
        match bytes[i] {
            b'{' | b'[' => depth += 1,
            b'}' | b']' => {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    return (bytes[i] == b'}').then_some(i);
                }
            }
            b'"' => {
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
            }
            b'\'' => {
                i += 1;
                // `''` inside single quotes is an escaped quote.
                while i < bytes.len() && !(bytes[i] == b'\'' && bytes.get(i + 1) != Some(&b'\'')) {
                    i += if bytes[i] == b'\'' { 2 } else { 1 };
                }
            }
            _ => {}
        }
        i += 1;
    }
    None
}

/// `key:` / `key: ~` / `"key": null` → `key: VALUE` on the same line, keeping
/// a trailing comment.
fn replace_null(
    text: &str,
    lines: &Lines<'_>,
    key_pos: kubefort_model::Pos,
    value: &serde_json::Value,
    syntax: Syntax,
) -> Option<Edit> {
    let line_start = lines.offset(key_pos.line, 1)?;
    let key_at = lines.offset(key_pos.line, key_pos.column)?;
    let line = lines.line(key_pos.line)?;
    let line_end = line_start + line.len();
    let after_key = match text.as_bytes().get(key_at)? {
        q @ (b'"' | b'\'') => key_at + 1 + text[key_at + 1..line_end].find(*q as char)? + 1,
        _ => key_at,
    };
    let colon = after_key + text[after_key..line_end].find(':')?;
    let rest = &text[colon + 1..line_end];
    let value_text = rest.find(" #").map_or(rest, |i| &rest[..i]);
    let trimmed = value_text.trim().trim_end_matches(',');
    if !matches!(trimmed, "" | "~" | "null" | "Null" | "NULL") {
        return None;
    }
    let start = colon + 1;
    let end = start + value_text.trim_end().trim_end_matches(',').len();
    let rendered = match syntax {
        Syntax::Json => render::json(value),
        Syntax::Yaml => render::flow(value),
    };
    Some(Edit { start, end, text: format!(" {rendered}"), depth: usize::MAX })
}
