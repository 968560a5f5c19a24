use crate::{Object, RuleMeta, Severity};
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::sync::Arc;

/// A place in a file: 1-based line and column, and the Helm template the
/// rendered text came from when there is one.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Location {
    pub file: Arc<str>,
    pub line: u32,
    pub column: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub template: Option<Arc<str>>,
}

/// Identifies the object a finding is about.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ObjectRef {
    pub api_version: String,
    pub kind: String,
    pub namespace: Option<String>,
    pub name: String,
}

/// One problem found in one object.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    /// The rule's id (`KF-POD-001`, `pss:privileged`, …).
    pub rule: &'static str,
    pub severity: Severity,
    pub message: String,
    /// JSON pointer of the offending field within the object.
    pub pointer: String,
    pub object: ObjectRef,
    pub location: Location,
    /// Extra facts (never a secret value).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub evidence: Option<String>,
    /// Stable across line moves: hash of rule, object and pointer.
    pub fingerprint: String,
    /// Rules of other findings on the same field that this one absorbed
    /// (KF-POD-001 also stands for `pss:privileged`), so no field is reported twice.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub also_violates: Vec<&'static str>,
}

impl Finding {
    pub fn new(meta: &'static RuleMeta, object: &Object, pointer: String, message: String) -> Finding {
        let object_ref = object.reference();
        let fingerprint = fingerprint(meta.id, &object_ref, &pointer);
        Finding {
            rule: meta.id,
            severity: meta.severity,
            message,
            location: object.location_of(&pointer),
            pointer,
            object: object_ref,
            evidence: None,
            fingerprint,
            also_violates: Vec::new(),
        }
    }

    /// The order reports print in: file, line, column, rule.
    pub fn sort_key(&self) -> (&str, u32, u32, &str, &str) {
        (&self.location.file, self.location.line, self.location.column, self.rule, &self.pointer)
    }
}

/// The first 16 hex digits of SHA-256 over rule, object identity and pointer.
/// Line numbers are left out on purpose so baselines survive edits.
pub fn fingerprint(rule: &str, object: &ObjectRef, pointer: &str) -> String {
    let mut h = Sha256::new();
    for part in
        [rule, &object.api_version, &object.kind, object.namespace.as_deref().unwrap_or(""), &object.name, pointer]
    {
        h.update(part.as_bytes());
        h.update([0u8]);
    }
    let digest = h.finalize();
    digest[..8].iter().map(|b| format!("{b:02x}")).collect()
}
