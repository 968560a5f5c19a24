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

use crate::Report;
use kubefort_load::Level;
use kubefort_model::{Finding, RuleMeta, Severity};
use serde::ser::{Serialize, SerializeSeq, Serializer};
use serde_json::{json, Map, Value};
use std::collections::HashMap;
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

// The report is streamed: a large scan has millions of findings, and building
// one `serde_json::Value` of it all first cost several times the memory of the
// scanned objects. Fields are declared in sorted order, so the text is the
// same as that of the sorted `Value` maps this used to print.

#[derive(serde::Serialize)]
struct Doc<'a> {
    errors: Vec<Value>,
    findings: Findings<'a>,
    #[serde(rename = "schemaVersion")]
    schema_version: u32,
    summary: Value,
    tool: Value,
}

struct Findings<'a> {
    findings: &'a [Finding],
    rules: HashMap<&'a str, &'static RuleMeta>,
}

impl Serialize for Findings<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut seq = serializer.serialize_seq(Some(self.findings.len()))?;
        for f in self.findings {
            let meta = self.rules.get(f.rule).copied();
            seq.serialize_element(&JsonFinding {
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
            })?;
        }
        seq.end()
    }
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

/// Rule metadata by id (the first of a repeated id wins, as in [`Report::rule`]).
fn rule_index<'a>(rules: &'a [&'static RuleMeta]) -> HashMap<&'a str, &'static RuleMeta> {
    let mut index = HashMap::with_capacity(rules.len());
    for r in rules {
        index.entry(r.id).or_insert(*r);
    }
    index
}

pub(crate) fn render(report: &Report<'_>, out: &mut dyn Write) -> io::Result<()> {
    let errors: Vec<Value> = report
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
    let by_severity: Map<String, Value> = report.counts().into_iter().map(|(s, n)| (s.to_string(), json!(n))).collect();
    let doc = Doc {
        errors,
        findings: Findings { findings: report.findings, rules: rule_index(report.rules) },
        schema_version: SCHEMA_VERSION,
        summary: json!({
            "files": report.files,
            "objects": report.objects,
            "findings": report.findings.len(),
            "bySeverity": by_severity,
            "suppressed": report.suppressed,
            "exempted": report.exempted,
            "baselined": report.baselined,
            "errors": report.diagnostics.iter().filter(|d| d.level == Level::Error).count(),
        }),
        tool: json!({"name": "kubefort", "version": report.tool_version}),
    };
    let mut out = io::BufWriter::with_capacity(1 << 16, out);
    serde_json::to_writer_pretty(&mut out, &doc)?;
    writeln!(out)?;
    out.flush()
}
