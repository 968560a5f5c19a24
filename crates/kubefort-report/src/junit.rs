//! JUnit XML, the test-report format GitLab (`artifacts:reports:junit`),
//! Jenkins (`junit` step) and Azure Pipelines (`PublishTestResults`) render.
//!
//! Layout: one `<testsuite>` per scanned file, named by its path.
//! These UIs show suites as the first level of the tree (Jenkins as
//! package/class, GitLab as a collapsible suite, Azure as a group), and a
//! developer fixing a failure works file by file; a suite per rule would
//! scatter one file's problems over many places and put unrelated files side
//! by side.
//!
//! In each suite:
//! - a failing testcase per finding, named `RULE Kind/ns/name POINTER`:
//!   no line number in the name, so GitLab's "new failures" comparison
//!   between branches survives lines moving. The failure's `message` is the
//!   rule and the message; its body has `file:line:col`, the object, the
//!   pointer, the Helm template and the fix;
//! - a passing testcase per object that has no finding, so a clean scan is a
//!   green report (Jenkins fails a build whose reports hold no test at all,
//!   GitLab shows "no test cases"), and the pass count tells how much was
//!   checked;
//! - an `<error>` testcase per input error, named by its position;
//!   warnings and notes go to the suite's `<system-err>`.
//!
//! No timestamps and `time="0"` everywhere: the output is deterministic.
//!
//! Escaping is written here (a dozen lines) rather than taken from an XML
//! crate: the five predefined entities are all that text and attributes
//! need, and characters XML 1.0 cannot carry at all (most C0 controls,
//! which YAML text may contain) must be replaced, which escaping helpers of
//! the XML crates do not do.

use crate::{Report, Scanned};
use kubefort_load::{Diagnostic, Level};
use kubefort_model::{Finding, ObjectRef};
use std::collections::{BTreeMap, HashSet};
use std::fmt::Write as _;
use std::io::{self, Write};

/// Escapes text for XML 1.0 content and (double-quoted) attributes.
/// Characters XML 1.0 forbids become U+FFFD; tab, newline and carriage
/// return are kept in text and written as character references in
/// attributes, where a parser would otherwise normalise them to spaces.
pub fn escape(s: &str, attribute: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' if attribute => out.push_str("&quot;"),
            '\'' if attribute => out.push_str("&apos;"),
            '\t' | '\n' | '\r' if attribute => {
                let _ = write!(out, "&#{};", c as u32);
            }
            '\t' | '\n' | '\r' => out.push(c),
            '\u{0}'..='\u{1f}' | '\u{fffe}' | '\u{ffff}' => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

fn attr(s: &str) -> String {
    escape(s, true)
}

fn object_label(o: &ObjectRef) -> String {
    match &o.namespace {
        Some(ns) => format!("{}/{}/{}", o.kind, ns, o.name),
        None => format!("{}/{}", o.kind, o.name),
    }
}

#[derive(Default)]
struct Suite<'r> {
    findings: Vec<&'r Finding>,
    clean: Vec<&'r Scanned>,
    errors: Vec<&'r Diagnostic>,
    other: Vec<&'r Diagnostic>,
}

impl Suite<'_> {
    fn tests(&self) -> usize {
        self.findings.len() + self.clean.len() + self.errors.len()
    }
}

fn failure_body(report: &Report<'_>, f: &Finding) -> String {
    let mut body = format!("{}:{}:{}\n", f.location.file, f.location.line, f.location.column);
    if let Some(t) = &f.location.template {
        let _ = writeln!(body, "template: {t}");
    }
    let _ = writeln!(body, "object: {} {}", f.object.api_version, object_label(&f.object));
    let _ = writeln!(body, "pointer: {}", f.pointer);
    let _ = writeln!(body, "severity: {}", f.severity);
    if let Some(e) = &f.evidence {
        let _ = writeln!(body, "evidence: {e}");
    }
    if let Some(m) = report.rule(f.rule) {
        let _ = writeln!(body, "rule: {} {}: {}", m.id, m.name, m.title);
        let _ = writeln!(body, "fix: {}", m.fix);
    }
    let _ = write!(body, "fingerprint: {}", f.fingerprint);
    body
}

fn diagnostic_position(d: &Diagnostic) -> String {
    if d.line == 0 {
        d.file.to_string()
    } else {
        format!("{}:{}:{}", d.file, d.line, d.column)
    }
}

pub(crate) fn render(report: &Report<'_>, out: &mut dyn Write) -> io::Result<()> {
    let mut suites: BTreeMap<&str, Suite<'_>> = BTreeMap::new();
    for f in report.findings {
        suites.entry(&f.location.file).or_default().findings.push(f);
    }
    let flagged: HashSet<(&str, &ObjectRef)> =
        report.findings.iter().map(|f| (&*f.location.file, &*f.object)).collect();
    for s in report.scanned {
        if !flagged.contains(&(&*s.location.file, &s.object)) {
            suites.entry(&s.location.file).or_default().clean.push(s);
        }
    }
    for d in report.diagnostics {
        let suite = suites.entry(&d.file).or_default();
        if d.level == Level::Error {
            suite.errors.push(d);
        } else {
            suite.other.push(d);
        }
    }

    let tests: usize = suites.values().map(Suite::tests).sum();
    let failures: usize = suites.values().map(|s| s.findings.len()).sum();
    let errors: usize = suites.values().map(|s| s.errors.len()).sum();
    let mut x = String::new();
    x.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        x,
        "<testsuites name=\"kubefort\" tests=\"{tests}\" failures=\"{failures}\" errors=\"{errors}\" time=\"0\">"
    );
    for (file, suite) in &suites {
        let file = attr(file);
        let _ = writeln!(
            x,
            "  <testsuite name=\"{file}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"0\" time=\"0\">",
            suite.tests(),
            suite.findings.len(),
            suite.errors.len()
        );
        for d in &suite.errors {
            let _ = writeln!(
                x,
                "    <testcase name=\"{}\" classname=\"{file}\" file=\"{file}\" time=\"0\">",
                attr(&format!("input {}", diagnostic_position(d)))
            );
            let _ = writeln!(
                x,
                "      <error message=\"{}\" type=\"input\">{}</error>",
                attr(&d.message),
                escape(&d.to_string(), false)
            );
            x.push_str("    </testcase>\n");
        }
        for f in &suite.findings {
            let name = format!("{} {} {}", f.rule, object_label(&f.object), f.pointer);
            let _ =
                writeln!(x, "    <testcase name=\"{}\" classname=\"{file}\" file=\"{file}\" time=\"0\">", attr(&name));
            let _ = writeln!(
                x,
                "      <failure message=\"{}\" type=\"{}\">{}</failure>",
                attr(&format!("{}: {}", f.rule, f.message)),
                f.severity,
                escape(&failure_body(report, f), false)
            );
            x.push_str("    </testcase>\n");
        }
        for s in &suite.clean {
            let _ = writeln!(
                x,
                "    <testcase name=\"{}\" classname=\"{file}\" file=\"{file}\" time=\"0\"/>",
                attr(&object_label(&s.object))
            );
        }
        if !suite.other.is_empty() {
            let lines: Vec<String> = suite.other.iter().map(|d| d.to_string()).collect();
            let _ = writeln!(x, "    <system-err>{}</system-err>", escape(&lines.join("\n"), false));
        }
        x.push_str("  </testsuite>\n");
    }
    x.push_str("</testsuites>\n");
    out.write_all(x.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn escapes_markup_and_replaces_characters_xml_cannot_hold() {
        assert_eq!(escape("a<b>&\"c'", false), "a&lt;b&gt;&amp;\"c'");
        assert_eq!(escape("a<b>&\"c'", true), "a&lt;b&gt;&amp;&quot;c&apos;");
        assert_eq!(escape("x\u{0}y\u{1b}z\u{ffff}", false), "x\u{fffd}y\u{fffd}z\u{fffd}");
        assert_eq!(escape("1\n2\t3", false), "1\n2\t3");
        assert_eq!(escape("1\n2\t3", true), "1&#10;2&#9;3");
        assert_eq!(escape("]]> ünï", false), "]]&gt; ünï");
    }
}
