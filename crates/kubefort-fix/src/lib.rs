//! `kubefort fix`: adds the secure defaults of [`kubefort_admission::defaults`]
//! to manifest text, leaving every other byte as it was.
//!
//! The defaults are computed on the parsed object (the same JSON Patch the
//! mutating webhook returns), then each `add` becomes an insertion into the
//! text at the place its parent map was written, found through the source
//! positions the loader keeps:
//! - a block map gets new lines after its last line, at its keys' column;
//! - a flow map (`{}`, `{privileged: false}`, any JSON object) gets the
//!   entries before its closing brace;
//! - a key written with no value (`securityContext:` or `~`/`null`) gets the
//!   value in flow style on its line.
//!
//! This is written by hand because no maintained Rust crate edits YAML while
//! keeping comments, quoting and layout (serde_yaml and saphyr re-emit the
//! whole document). The result is parsed again and fixed again: a document
//! that still needs a default afterwards (or no longer parses) is an error,
//! so a file is never written half-fixed or broken.

mod place;
mod render;

use kubefort_admission::defaults::{secure_defaults, DefaultsConfig};
use kubefort_load::yaml::{parse_str, Limits};
use kubefort_load::{objects_from_document, Diagnostic, Level};
use kubefort_model::{unescape_token, Pos};
use std::sync::Arc;

/// What fixing one text gave.
#[derive(Debug)]
pub struct Fixed {
    /// The new text (equal to the input when nothing was missing).
    pub text: String,
    /// Defaults added (JSON Patch operations applied).
    pub added: usize,
}

/// Adds the secure defaults to every workload of `text` (all its documents).
/// `file` names it in diagnostics; a `.json` file gets JSON syntax. Errors:
/// the text does not parse (file:line:column), or a default could not be
/// placed; the text is then to be left alone.
pub fn fix_text(text: &str, file: &Arc<str>, config: &DefaultsConfig) -> Result<Fixed, Vec<Diagnostic>> {
    let syntax = if file.ends_with(".json") { place::Syntax::Json } else { place::Syntax::Yaml };
    let mut current = text.to_owned();
    let mut added = 0;
    // One round places every default whose parent exists; a second would
    // place defaults under parents the first added (the defaults add missing
    // parents whole, so it never has to), and the last round checks that
    // nothing is left.
    for round in 0..3 {
        let (objects, errors) = parse(&current, file);
        if !errors.is_empty() {
            if round == 0 {
                return Err(errors);
            }
            let first = &errors[0];
            return Err(vec![Diagnostic::error(
                file,
                Pos::default(),
                format!("internal error: the fixed text would not parse ({first}); file left alone"),
            )]);
        }
        let mut edits = Vec::new();
        let mut unplaced = Vec::new();
        let mut placed = 0;
        let lines = place::Lines::new(&current);
        for object in &objects {
            let ops = secure_defaults(&object.root.to_json(), config);
            // Ops under one parent map are placed together (one insertion).
            let mut groups: Vec<(&str, Vec<(String, &serde_json::Value)>)> = Vec::new();
            for op in &ops {
                let (parent, key) = op.path.rsplit_once('/').unwrap_or(("", op.path.as_str()));
                let key = unescape_token(key).into_owned();
                match groups.iter_mut().find(|(p, _)| *p == parent) {
                    Some((_, entries)) => entries.push((key, &op.value)),
                    None => groups.push((parent, vec![(key, &op.value)])),
                }
            }
            for (parent, entries) in groups {
                match place::edits_for(&current, &lines, &object.root, parent, &entries, syntax) {
                    Some(mut found) => {
                        placed += entries.len();
                        edits.append(&mut found);
                    }
                    None => unplaced.push((object.root.anchor_pos(parent), parent.to_owned())),
                }
            }
        }
        if edits.is_empty() {
            if unplaced.is_empty() {
                return Ok(Fixed { text: current, added });
            }
            return Err(unplaced
                .into_iter()
                .map(|(pos, path)| {
                    Diagnostic::error(
                        file,
                        pos,
                        format!("cannot add the secure defaults under {path} (unusual layout); add them by hand"),
                    )
                })
                .collect());
        }
        added += placed;
        current = place::apply(&current, edits);
    }
    Err(vec![Diagnostic::error(
        file,
        Pos::default(),
        "internal error: defaults still missing after fixing; file left alone",
    )])
}

fn parse(text: &str, file: &Arc<str>) -> (Vec<kubefort_model::Object>, Vec<Diagnostic>) {
    let parsed = parse_str(text, file, Limits::default());
    let mut errors: Vec<Diagnostic> = parsed.diagnostics.into_iter().filter(|d| d.level == Level::Error).collect();
    let mut objects = Vec::new();
    let mut notes = Vec::new();
    for document in parsed.documents {
        objects_from_document(document, file, &mut objects, &mut notes);
    }
    errors.extend(notes.into_iter().filter(|d| d.level == Level::Error));
    (objects, errors)
}

/// A unified diff of `before` → `after` with `path` in both headers (empty
/// when they are equal).
pub fn unified_diff(path: &str, before: &str, after: &str) -> String {
    if before == after {
        return String::new();
    }
    similar::TextDiff::from_lines(before, after)
        .unified_diff()
        .context_radius(3)
        .header(&format!("a/{path}"), &format!("b/{path}"))
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fix(name: &str, text: &str) -> Result<Fixed, Vec<Diagnostic>> {
        fix_text(text, &Arc::from(name), &DefaultsConfig::default())
    }

    #[test]
    fn a_text_that_does_not_parse_is_an_error_with_its_position() {
        let errors = fix("bad.yaml", "apiVersion: v1\nkind: Pod\nspec: {containers: [\n").expect_err("invalid");
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].file.as_ref(), "bad.yaml");
        assert!(errors[0].line >= 3, "{}", errors[0]);
    }

    #[test]
    fn crlf_and_a_missing_final_newline_are_kept_and_configured_defaults_apply() {
        let text = "apiVersion: v1\r\nkind: Pod\r\nmetadata: {name: p}\r\nspec:\r\n  containers:\r\n  - name: a\r\n    image: x";
        let config = DefaultsConfig { disable_token_automount: true, run_as_user: Some(10001) };
        let fixed = fix_text(text, &Arc::from("p.yaml"), &config).expect("fixed");
        assert!(fixed.text.starts_with("apiVersion: v1\r\nkind: Pod\r\nmetadata: {name: p}\r\nspec:\r\n"));
        assert!(!fixed.text.replace("\r\n", "").contains('\n'), "{:?}", fixed.text);
        assert!(fixed
            .text
            .contains("    image: x\r\n    securityContext:\r\n      allowPrivilegeEscalation: false\r\n"));
        assert!(fixed.text.ends_with(
            "  automountServiceAccountToken: false\r\n  securityContext:\r\n    runAsNonRoot: true\r\n    runAsUser: 10001\r\n    seccompProfile:\r\n      type: RuntimeDefault\r\n"
        ), "{:?}", fixed.text);
        assert_eq!(fixed.added, 3, "token, pod securityContext, container securityContext");
        assert_eq!(fix_text(&fixed.text, &Arc::from("p.yaml"), &config).expect("again").added, 0);
    }

    #[test]
    fn objects_without_a_pod_spec_are_left_byte_for_byte() {
        let text = "# just config\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {a: '1'}\n";
        let fixed = fix("c.yaml", text).expect("fixed");
        assert_eq!((fixed.text.as_str(), fixed.added), (text, 0));
    }

    #[test]
    fn the_diff_names_the_file_and_shows_only_added_lines() {
        let diff = unified_diff("d.yaml", "a\nb\n", "a\nx\nb\n");
        assert!(diff.starts_with("--- a/d.yaml\n+++ b/d.yaml\n"), "{diff}");
        assert!(diff.contains("\n+x\n") && !diff.contains("\n-"), "{diff}");
        assert_eq!(unified_diff("d.yaml", "a\n", "a\n"), "");
    }
}
