//! Baselines: the fingerprints of findings accepted at one point in time, so
//! a scan can report only what is new. Fingerprints hash rule, object and
//! JSON pointer, not line numbers, so edits elsewhere do not disturb them.

use kubefort_load::Diagnostic;
use kubefort_model::{Finding, Pos};
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use std::path::Path;
use std::sync::Arc;

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct BaselineFile {
    kubefort_baseline: u32,
    findings: Vec<Entry>,
}

#[derive(Debug, Serialize, Deserialize, PartialEq, Eq, PartialOrd, Ord)]
struct Entry {
    fingerprint: String,
    rule: String,
    object: String,
    pointer: String,
}

#[derive(Debug, Default)]
pub struct Baseline {
    fingerprints: HashSet<String>,
}

impl Baseline {
    pub fn load(path: &Path) -> Result<Baseline, Diagnostic> {
        let name: Arc<str> = Arc::from(path.display().to_string());
        let text = std::fs::read_to_string(path)
            .map_err(|e| Diagnostic::error(&name, Pos::default(), format!("cannot read baseline: {e}")))?;
        let file: BaselineFile = serde_json::from_str(&text).map_err(|e| {
            Diagnostic::error(
                &name,
                Pos::new(e.line() as u32, e.column() as u32),
                format!("not a kubefort baseline: {e}"),
            )
        })?;
        Ok(Baseline { fingerprints: file.findings.into_iter().map(|e| e.fingerprint).collect() })
    }

    /// The baseline file for these findings (sorted, so it diffs well in git).
    pub fn render(findings: &[Finding]) -> String {
        let mut entries: Vec<Entry> = findings
            .iter()
            .map(|f| Entry {
                fingerprint: f.fingerprint.to_string(),
                rule: f.rule.to_owned(),
                object: match &f.object.namespace {
                    Some(ns) => format!("{} {}/{}", f.object.kind, ns, f.object.name),
                    None => format!("{} {}", f.object.kind, f.object.name),
                },
                pointer: f.pointer.clone(),
            })
            .collect();
        entries.sort();
        entries.dedup();
        let file = BaselineFile { kubefort_baseline: 1, findings: entries };
        serde_json::to_string_pretty(&file).expect("baseline serialises") + "\n"
    }

    pub fn contains(&self, finding: &Finding) -> bool {
        self.fingerprints.contains(&*finding.fingerprint)
    }
    pub fn len(&self) -> usize {
        self.fingerprints.len()
    }
    pub fn is_empty(&self) -> bool {
        self.fingerprints.is_empty()
    }
}
