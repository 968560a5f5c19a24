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
use serde_json::{json, Map, Value};
use std::io::{self, Write};

pub const SCHEMA_VERSION: u32 = 1;

fn level_name(level: Level) -> &'static str {
    match level {
        Level::Error => "error",
        Level::Warning => "warning",
        Level::Note => "note",
    }
}

pub(crate) fn render(report: &Report<'_>, out: &mut dyn Write) -> io::Result<()> {
    let findings: Vec<Value> = report
        .findings
        .iter()
        .map(|f| {
            let meta = report.rule(f.rule);
            json!({
                "rule": f.rule,
                "name": meta.map(|m| m.name),
                "title": meta.map(|m| m.title),
                "severity": f.severity,
                "message": f.message,
                "file": f.location.file,
                "line": f.location.line,
                "column": f.location.column,
                "template": f.location.template,
                "pointer": f.pointer,
                "object": f.object,
                "fingerprint": f.fingerprint,
                "alsoViolates": f.also_violates,
                "evidence": f.evidence,
                "fix": meta.map(|m| m.fix),
                "references": meta.map_or(&[][..], |m| m.references),
            })
        })
        .collect();
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
    let doc = json!({
        "schemaVersion": SCHEMA_VERSION,
        "tool": {"name": "kubefort", "version": report.tool_version},
        "summary": {
            "files": report.files,
            "objects": report.objects,
            "findings": report.findings.len(),
            "bySeverity": by_severity,
            "suppressed": report.suppressed,
            "exempted": report.exempted,
            "baselined": report.baselined,
            "errors": report.diagnostics.iter().filter(|d| d.level == Level::Error).count(),
        },
        "findings": findings,
        "errors": errors,
    });
    serde_json::to_writer_pretty(&mut *out, &doc)?;
    writeln!(out)
}
