//! JSON output. The schema is versioned by `schemaVersion`; fields are only
//! ever added within a version.
//!
//! ```json
//! {
//!   "schemaVersion": 1,
//!   "tool": {"name": "kubefort", "version": "0.1.0"},
//!   "summary": {"files": 3, "objects": 12, "findings": 7,
//!               "bySeverity": {"critical": 1, "high": 2, "medium": 3, "low": 1, "info": 0},
//!               "suppressed": 0, "exempted": 0, "baselined": 0, "errors": 0},
//!   "findings": [{"rule": "KF-POD-001", "name": "privileged-container",
//!                 "title": "...", "severity": "critical", "message": "...",
//!                 "file": "app.yaml", "line": 12, "column": 23, "template": null,
//!                 "pointer": "/spec/template/spec/containers/0/securityContext/privileged",
//!                 "object": {"apiVersion": "apps/v1", "kind": "Deployment", "namespace": "shop", "name": "web"},
//!                 "fingerprint": "3f1c…", "alsoViolates": ["pss:privileged"],
//!                 "fix": "...", "references": ["checkov:CKV_K8S_16"]}],
//!   "errors": [{"level": "error", "file": "bad.yaml", "line": 3, "column": 7, "message": "..."}]
//! }
//! ```
//!
//! `errors` holds every input diagnostic the caller passed: `error`, `warning`,
//! and `note` (skipped non-Kubernetes documents, empty files; only with `-v`).

use crate::pretty::ArrayWriter;
use crate::{Head, Rules, Tail, Tally};
use kubefort_load::Level;
#[cfg(test)]
use kubefort_model::Severity;
use kubefort_model::{Finding, RuleMeta};
use serde_json::{json, Map, Value};
use std::io::{self, Write};
#[cfg(test)]
use std::sync::Arc;

pub const SCHEMA_VERSION: u32 = 1;

fn level_name(level: Level) -> &'static str {
    match level {
        Level::Error => "error",
        Level::Warning => "warning",
        Level::Note => "note",
    }
}

// The report is streamed: a large scan has millions of findings. The
// document around the findings is printed by serde_json (its fields declared
// in sorted order, so the text is that of the sorted `Value` maps this used
// to print) and cut where the findings go; the findings are rendered in
// parallel, in chunks, and written in order (see `crate::pretty`).

#[derive(serde::Serialize)]
struct Doc {
    errors: Vec<Value>,
    findings: [(); 0],
    #[serde(rename = "schemaVersion")]
    schema_version: u32,
    summary: Value,
    tool: Value,
}

/// The serde form of a finding, which [`write_finding`] writes by hand.
#[cfg(test)]
#[derive(serde::Serialize)]
struct JsonFinding<'a> {
    #[serde(rename = "alsoViolates")]
    also_violates: &'a [&'static str],
    column: u32,
    evidence: Option<&'a str>,
    file: &'a str,
    fingerprint: &'a str,
    fix: Option<&'static str>,
    line: u32,
    message: &'a str,
    name: Option<&'static str>,
    object: JsonObject<'a>,
    pointer: &'a str,
    references: &'static [&'static str],
    rule: &'static str,
    severity: Severity,
    template: Option<&'a Arc<str>>,
    title: Option<&'static str>,
}

#[cfg(test)]
#[derive(serde::Serialize)]
struct JsonObject<'a> {
    #[serde(rename = "apiVersion")]
    api_version: &'a str,
    kind: &'a str,
    name: &'a str,
    namespace: Option<&'a str>,
}

#[cfg(test)]
impl<'a> JsonFinding<'a> {
    fn new(f: &'a Finding, meta: Option<&'static RuleMeta>) -> Self {
        JsonFinding {
            also_violates: &f.also_violates,
            column: f.location.column,
            evidence: f.evidence.as_deref(),
            file: &f.location.file,
            fingerprint: &f.fingerprint,
            fix: meta.map(|m| m.fix),
            line: f.location.line,
            message: &f.message,
            name: meta.map(|m| m.name),
            object: JsonObject {
                api_version: &f.object.api_version,
                kind: &f.object.kind,
                name: &f.object.name,
                namespace: f.object.namespace.as_deref(),
            },
            pointer: &f.pointer,
            references: meta.map_or(&[][..], |m| m.references),
            rule: f.rule,
            severity: f.severity,
            template: f.location.template.as_ref(),
            title: meta.map(|m| m.title),
        }
    }
}

/// A rule's fields as JSON text: escaped once per report, not per finding.
struct RuleText {
    fix: Vec<u8>,
    name: Vec<u8>,
    references: Vec<u8>,
    title: Vec<u8>,
}

impl RuleText {
    fn new(m: &RuleMeta) -> io::Result<Self> {
        let text = |s: &str| -> io::Result<Vec<u8>> { serde_json::to_vec(s).map_err(io::Error::other) };
        let mut references = Vec::new();
        crate::pretty::to_vec_at(&mut references, &m.references, 3)?;
        Ok(RuleText { fix: text(m.fix)?, name: text(m.name)?, references, title: text(m.title)? })
    }
}

fn string(out: &mut Vec<u8>, s: &str) -> io::Result<()> {
    // Most strings (names, pointers, messages) need no escaping: copied
    // whole. serde_json escapes exactly `"`, `\\` and control characters.
    if !needs_escape(s.as_bytes()) {
        out.reserve(s.len() + 2);
        out.push(b'"');
        out.extend_from_slice(s.as_bytes());
        out.push(b'"');
        return Ok(());
    }
    serde_json::to_writer(&mut *out, s).map_err(io::Error::other)
}

/// Whether `s` holds a byte JSON escapes. Checked in blocks without an
/// early exit, which the compiler vectorises (a byte loop that stops at the
/// first hit does not): every finding's strings pass through here.
fn needs_escape(s: &[u8]) -> bool {
    let odd = |b: u8| (b == b'"') | (b == b'\\') | (b < 0x20);
    let mut blocks = s.chunks_exact(32);
    let found = blocks.by_ref().any(|block| block.iter().fold(false, |acc, &b| acc | odd(b)));
    found || blocks.remainder().iter().any(|&b| odd(b))
}

fn string_or_null(out: &mut Vec<u8>, s: Option<&str>) -> io::Result<()> {
    match s {
        Some(s) => string(out, s),
        None => {
            out.extend_from_slice(b"null");
            Ok(())
        }
    }
}

/// One finding, two levels deep, as serde_json's pretty printer prints it
/// (fields in sorted order; tested against it). Written by hand because
/// this runs for every finding of a scan, and most of each is its rule's
/// text, which is escaped once per report here.
fn write_finding(out: &mut Vec<u8>, f: &Finding, rule: Option<&RuleText>) -> io::Result<()> {
    const NULL: &[u8] = b"null";
    out.extend_from_slice(b"{\n      \"alsoViolates\": ");
    if f.also_violates.is_empty() {
        out.extend_from_slice(b"[]");
    } else {
        out.push(b'[');
        for (i, id) in f.also_violates.iter().enumerate() {
            out.extend_from_slice(if i == 0 { b"\n        " } else { b",\n        " });
            string(out, id)?;
        }
        out.extend_from_slice(b"\n      ]");
    }
    write!(out, ",\n      \"column\": {},\n      \"evidence\": ", f.location.column)?;
    string_or_null(out, f.evidence.as_deref())?;
    out.extend_from_slice(b",\n      \"file\": ");
    string(out, &f.location.file)?;
    out.extend_from_slice(b",\n      \"fingerprint\": ");
    string(out, &f.fingerprint)?;
    out.extend_from_slice(b",\n      \"fix\": ");
    out.extend_from_slice(rule.map_or(NULL, |r| &r.fix));
    write!(out, ",\n      \"line\": {},\n      \"message\": ", f.location.line)?;
    string(out, &f.message)?;
    out.extend_from_slice(b",\n      \"name\": ");
    out.extend_from_slice(rule.map_or(NULL, |r| &r.name));
    out.extend_from_slice(b",\n      \"object\": {\n        \"apiVersion\": ");
    string(out, &f.object.api_version)?;
    out.extend_from_slice(b",\n        \"kind\": ");
    string(out, &f.object.kind)?;
    out.extend_from_slice(b",\n        \"name\": ");
    string(out, &f.object.name)?;
    out.extend_from_slice(b",\n        \"namespace\": ");
    string_or_null(out, f.object.namespace.as_deref())?;
    out.extend_from_slice(b"\n      },\n      \"pointer\": ");
    string(out, &f.pointer)?;
    out.extend_from_slice(b",\n      \"references\": ");
    out.extend_from_slice(rule.map_or(b"[]", |r| &r.references));
    out.extend_from_slice(b",\n      \"rule\": ");
    string(out, f.rule)?;
    write!(out, ",\n      \"severity\": \"{}\",\n      \"template\": ", f.severity.as_str())?;
    string_or_null(out, f.location.template.as_deref())?;
    out.extend_from_slice(b",\n      \"title\": ");
    out.extend_from_slice(rule.map_or(NULL, |r| &r.title));
    out.extend_from_slice(b"\n    }");
    Ok(())
}

/// The document without findings, with these totals.
fn skeleton(head: &Head<'_>, tally: &Tally, tail: &Tail) -> io::Result<String> {
    let errors: Vec<Value> = head
        .diagnostics
        .iter()
        .map(|d| {
            json!({
                "level": level_name(d.level),
                "file": d.file,
                "line": d.line,
                "column": d.column,
                "message": d.message,
            })
        })
        .collect();
    let by_severity: Map<String, Value> = tally.counts().into_iter().map(|(s, n)| (s.to_string(), json!(n))).collect();
    let doc = Doc {
        errors,
        findings: [],
        schema_version: SCHEMA_VERSION,
        summary: json!({
            "files": head.files,
            "objects": head.objects,
            "findings": tally.total,
            "bySeverity": by_severity,
            "suppressed": tail.suppressed,
            "exempted": tail.exempted,
            "baselined": tail.baselined,
            "errors": head.diagnostics.iter().filter(|d| d.level == Level::Error).count(),
        }),
        tool: json!({"name": "kubefort", "version": head.tool_version}),
    };
    serde_json::to_string_pretty(&doc).map_err(io::Error::other)
}

fn cut(doc: &str) -> io::Result<(&str, &str)> {
    crate::pretty::split_at_empty_array(doc, "findings", 1)
        .ok_or_else(|| io::Error::other("the JSON report has no findings array"))
}

/// The JSON report, written as findings arrive.
pub(crate) struct JsonStream {
    findings: ArrayWriter,
    /// By the rule's position in the report's rule list.
    rules: Vec<RuleText>,
}

impl JsonStream {
    pub(crate) fn begin(head: &Head<'_>, out: &mut dyn Write) -> io::Result<JsonStream> {
        // Everything before the findings is known now: the totals come after.
        let doc = skeleton(head, &Tally::default(), &Tail::default())?;
        out.write_all(cut(&doc)?.0.as_bytes())?;
        let rules = head.rules.iter().map(|m| RuleText::new(m)).collect::<io::Result<_>>()?;
        Ok(JsonStream { findings: ArrayWriter::new(2), rules })
    }

    pub(crate) fn findings(&mut self, rules: &Rules, findings: &[Finding], out: &mut dyn Write) -> io::Result<()> {
        let (array, texts) = (&self.findings, &self.rules);
        let rendered = crate::par_render(findings, |buf, f| {
            array.separator(buf);
            write_finding(buf, f, rules.index(f.rule).and_then(|i| texts.get(i)))
        })?;
        self.findings.write(out, &rendered)
    }

    pub(crate) fn finish(self, head: &Head<'_>, tally: &Tally, tail: &Tail, out: &mut dyn Write) -> io::Result<()> {
        self.findings.finish(out)?;
        let doc = skeleton(head, tally, tail)?;
        out.write_all(cut(&doc)?.1.as_bytes())?;
        writeln!(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kubefort_model::{Fingerprint, Location, ObjectRef};

    #[test]
    fn strings_are_escaped_as_serde_escapes_them() {
        let mut texts: Vec<String> = (0u8..0x80).map(|b| format!("a{}b", b as char)).collect();
        texts.extend(["", "plain /spec/x", "wé\u{2028}\u{7f}", "\"\\", "tab\tend"].map(str::to_owned));
        // Long texts, with the byte inside a whole block and in the tail.
        for at in [0, 31, 32, 63, 69] {
            texts.extend((0u8..0x80).map(|b| {
                let mut t = "x".repeat(70);
                t.replace_range(at..at + 1, &(b as char).to_string());
                t
            }));
        }
        for text in texts {
            let mut written = Vec::new();
            string(&mut written, &text).unwrap();
            assert_eq!(written, serde_json::to_vec(&text).unwrap(), "{text:?}");
        }
    }

    #[test]
    fn a_finding_written_by_hand_is_what_serde_prints() {
        static META: RuleMeta = RuleMeta {
            id: "KF-TEST-001",
            name: "odd \"name\"",
            title: "A <title> with \\ and \u{1}",
            severity: Severity::High,
            fix: "Fix\tit",
            references: &["checkov:CKV_K8S_1", "pss:x"],
            doc: "",
        };
        static BARE: RuleMeta = RuleMeta { references: &[], ..META };
        let object = |namespace: Option<&str>| {
            Arc::new(ObjectRef {
                api_version: "apps/v1".into(),
                kind: "Deployment".into(),
                namespace: namespace.map(str::to_owned),
                name: "wéb\u{7f}\"x\"".into(),
            })
        };
        let finding = |i: usize| Finding {
            rule: META.id,
            severity: Severity::ALL[i % 5],
            message: format!("message {i}: \"quoted\"\n\u{2028}"),
            pointer: "/spec/containers/0/securityContext/privileged".into(),
            object: object((i % 2 != 1).then_some("ns")),
            location: Location {
                file: Arc::from(["a b\\c.yaml", "x.yaml", "x.yaml"][i % 3]),
                line: 10 * i as u32,
                column: i as u32,
                template: (i % 4 == 1).then(|| Arc::from("chart/templates/d.yaml")),
            },
            evidence: (i % 3 == 1).then(|| "pss:privileged: violates".to_owned()),
            fingerprint: Fingerprint::from("0123456789abcdef"),
            also_violates: ["pss:a", "pss:b", "pss:c"][..i % 4].to_vec(),
        };
        for i in 0..12 {
            let f = finding(i);
            for meta in [None, Some(&META), Some(&BARE)] {
                let mut expected = Vec::new();
                crate::pretty::to_vec_at(&mut expected, &JsonFinding::new(&f, meta), 2).unwrap();
                let text = meta.map(|m| RuleText::new(m).unwrap());
                let mut written = Vec::new();
                write_finding(&mut written, &f, text.as_ref()).unwrap();
                assert_eq!(String::from_utf8(written).unwrap(), String::from_utf8(expected).unwrap(), "finding {i}");
            }
        }
    }
}
