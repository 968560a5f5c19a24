//! Pieces of a pretty-printed JSON document rendered separately, in
//! parallel, and written in order: byte for byte what `serde_json`'s pretty
//! printer gives for the whole document.

use serde::Serialize;
use serde_json::ser::{Formatter, PrettyFormatter};
use std::io;

/// Renders `value` as serde_json's pretty printer does `depth` levels deep:
/// nested lines indented by two spaces per level (the first line is not).
pub(crate) fn to_vec_at<T: Serialize>(out: &mut Vec<u8>, value: &T, depth: usize) -> io::Result<()> {
    let mut formatter = PrettyFormatter::new();
    for _ in 0..depth {
        // Only the formatter's indentation level matters; the bracket goes nowhere.
        formatter.begin_object(&mut io::sink())?;
    }
    let mut serializer = serde_json::Serializer::with_formatter(out, formatter);
    value.serialize(&mut serializer).map_err(io::Error::other)
}

/// A document rendered with an empty array at `key` (a key `depth` levels
/// deep), cut where the array's elements go: `(text up to and including
/// "key": , text after the [])`. Strings in JSON text hold no raw newline, so
/// the newline and indentation before the key make the cut unambiguous.
pub(crate) fn split_at_empty_array<'d>(doc: &'d str, key: &str, depth: usize) -> Option<(&'d str, &'d str)> {
    let marker = format!("\n{}\"{key}\": []", "  ".repeat(depth));
    let at = doc.find(&marker)?;
    let end = at + marker.len();
    Some((&doc[..end - 2], &doc[end..]))
}

/// Writes the elements of an array whose items arrive in parts, as the
/// pretty printer would: `[`, each item on its own line at `depth`, then the
/// closing `]` one level up (`[]` when there was none).
pub(crate) struct ArrayWriter {
    depth: usize,
    started: bool,
}

impl ArrayWriter {
    pub(crate) fn new(depth: usize) -> Self {
        ArrayWriter { depth, started: false }
    }

    /// Renders `item` with its separator (`,\n` and the indentation): the
    /// text [`ArrayWriter::write`] expects for every element.
    pub(crate) fn render<T: Serialize>(&self, out: &mut Vec<u8>, item: &T) -> io::Result<()> {
        self.separator(out);
        to_vec_at(out, item, self.depth)
    }

    /// What goes before each element: `,`, a new line and the indentation.
    pub(crate) fn separator(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(b",\n");
        out.extend(std::iter::repeat_n(b' ', 2 * self.depth));
    }

    /// Writes elements rendered by [`ArrayWriter::render`] into consecutive
    /// buffers, in order.
    pub(crate) fn write(&mut self, out: &mut dyn io::Write, rendered: &[Vec<u8>]) -> io::Result<()> {
        for chunk in rendered.iter().filter(|c| !c.is_empty()) {
            if self.started {
                out.write_all(chunk)?;
            } else {
                // The first element opens the array instead of following a comma.
                out.write_all(b"[")?;
                out.write_all(&chunk[1..])?;
                self.started = true;
            }
        }
        Ok(())
    }

    pub(crate) fn finish(&self, out: &mut dyn io::Write) -> io::Result<()> {
        if !self.started {
            out.write_all(b"[]")
        } else {
            out.write_all(b"\n")?;
            out.write_all(&b" ".repeat(2 * (self.depth - 1)))?;
            out.write_all(b"]")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// The document, printed whole and printed in pieces.
    fn both(items: &[serde_json::Value]) -> (String, String) {
        let whole =
            serde_json::to_string_pretty(&json!({"a": {"b": "x\ny \"z\"", "items": items}, "c": [1, {}]})).unwrap();
        let skeleton =
            serde_json::to_string_pretty(&json!({"a": {"b": "x\ny \"z\"", "items": []}, "c": [1, {}]})).unwrap();
        let (prefix, suffix) = split_at_empty_array(&skeleton, "items", 2).unwrap();
        let mut out = prefix.as_bytes().to_vec();
        let mut array = ArrayWriter::new(3);
        for part in items.chunks(2) {
            let mut rendered = vec![Vec::new(), Vec::new()];
            array.render(&mut rendered[0], &part[0]).unwrap();
            for item in &part[1..] {
                array.render(&mut rendered[1], item).unwrap();
            }
            array.write(&mut out, &rendered).unwrap();
        }
        array.finish(&mut out).unwrap();
        out.extend_from_slice(suffix.as_bytes());
        (whole, String::from_utf8(out).unwrap())
    }

    #[test]
    fn pieces_print_as_the_whole_document() {
        let items =
            [json!({"k": [1, 2], "m": {"n": null}}), json!("s"), json!([]), json!({}), json!({"q": [{"r": 1}]})];
        for n in 0..=items.len() {
            let (whole, pieces) = both(&items[..n]);
            assert_eq!(pieces, whole, "{n} items");
        }
    }

    #[test]
    fn the_cut_ignores_keys_inside_strings_and_at_other_depths() {
        let doc = serde_json::to_string_pretty(&json!({"m": "\"items\": []", "x": {"y": {"items": []}}, "items": []}))
            .unwrap();
        let (prefix, suffix) = split_at_empty_array(&doc, "items", 1).unwrap();
        assert_eq!(prefix, "{\n  \"items\": ");
        assert_eq!(format!("{prefix}[]{suffix}"), doc);
        let (prefix, suffix) = split_at_empty_array(&doc, "items", 3).unwrap();
        assert!(prefix.ends_with("\"y\": {\n      \"items\": "), "{prefix}");
        assert_eq!(suffix, "\n    }\n  }\n}");
        assert!(split_at_empty_array(&doc, "nothing", 1).is_none());
    }
}
