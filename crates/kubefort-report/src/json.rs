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
use kubefort_model::{Finding, RuleMeta, Severity};
use serde_json::{json, Map, Value};
use std::io::{self, Write};
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

#[derive(serde::Serialize)]
struct JsonObject<'a> {
    #[serde(rename = "apiVersion")]
    api_version: &'a str,
    kind: &'a str,
    name: &'a str,
    namespace: Option<&'a str>,
}

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
}

impl JsonStream {
    pub(crate) fn begin(head: &Head<'_>, out: &mut dyn Write) -> io::Result<JsonStream> {
        // Everything before the findings is known now: the totals come after.
        let doc = skeleton(head, &Tally::default(), &Tail::default())?;
        out.write_all(cut(&doc)?.0.as_bytes())?;
        Ok(JsonStream { findings: ArrayWriter::new(2) })
    }

    pub(crate) fn findings(&mut self, rules: &Rules, findings: &[Finding], out: &mut dyn Write) -> io::Result<()> {
        let array = &self.findings;
        let rendered =
            crate::par_render(findings, |buf, f| array.render(buf, &JsonFinding::new(f, rules.get(f.rule))))?;
        self.findings.write(out, &rendered)
    }

    pub(crate) fn finish(self, head: &Head<'_>, tally: &Tally, tail: &Tail, out: &mut dyn Write) -> io::Result<()> {
        self.findings.finish(out)?;
        let doc = skeleton(head, tally, tail)?;
        out.write_all(cut(&doc)?.1.as_bytes())?;
        writeln!(out)
    }
}
