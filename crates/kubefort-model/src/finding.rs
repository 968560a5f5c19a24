use crate::{RuleMeta, Severity};
use compact_str::CompactString;
use serde::{Serialize, Serializer};
use sha2::{Digest, Sha256};
use std::fmt;
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
    /// Shared by every finding on the same object (a large scan raises
    /// millions of findings on far fewer objects).
    pub object: Arc<ObjectRef>,
    pub location: Location,
    /// Extra facts (never a secret value).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub evidence: Option<String>,
    /// Stable across line moves: hash of rule, object and pointer.
    pub fingerprint: Fingerprint,
    /// Rules of other findings on the same field that this one absorbed
    /// (KF-POD-001 also stands for `pss:privileged`), so no field is reported twice.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub also_violates: Vec<&'static str>,
}

impl Finding {
    /// A finding of `meta` on `object` at `pointer`, reported at `location`,
    /// with the rule's default severity and its [`fingerprint`].
    pub fn new(
        meta: &'static RuleMeta,
        object: Arc<ObjectRef>,
        location: Location,
        pointer: String,
        message: String,
    ) -> Finding {
        Finding {
            rule: meta.id,
            severity: meta.severity,
            message,
            location,
            fingerprint: fingerprint(meta.id, &object, &pointer),
            pointer,
            object,
            evidence: None,
            also_violates: Vec::new(),
        }
    }

    /// The order reports print in: file, line, column, rule.
    pub fn sort_key(&self) -> (&str, u32, u32, &str, &str) {
        (&self.location.file, self.location.line, self.location.column, self.rule, &self.pointer)
    }
}

/// A finding's fingerprint: a short hex text (16 digits for rule findings),
/// kept inline so that a finding does not allocate for it.
#[derive(Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Fingerprint(CompactString);

impl std::ops::Deref for Fingerprint {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.0, f)
    }
}

impl From<&str> for Fingerprint {
    fn from(s: &str) -> Self {
        Fingerprint(s.into())
    }
}

impl Serialize for Fingerprint {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

/// The first 16 hex digits of SHA-256 over rule, object identity and pointer.
/// Line numbers are left out on purpose so baselines survive edits.
pub fn fingerprint(rule: &str, object: &ObjectRef, pointer: &str) -> Fingerprint {
    let mut h = Sha256::new();
    for part in
        [rule, &object.api_version, &object.kind, object.namespace.as_deref().unwrap_or(""), &object.name, pointer]
    {
        h.update(part.as_bytes());
        h.update([0u8]);
    }
    let digest = h.finalize();
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut text = [0u8; 16];
    for (i, b) in digest[..8].iter().enumerate() {
        text[2 * i] = HEX[usize::from(b >> 4)];
        text[2 * i + 1] = HEX[usize::from(b & 0xf)];
    }
    // Only ASCII hex digits were written.
    Fingerprint(std::str::from_utf8(&text).map(CompactString::from).unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprint_is_the_hex_prefix_of_sha256() {
        let object =
            ObjectRef { api_version: "v1".into(), kind: "Pod".into(), namespace: Some("ns".into()), name: "p".into() };
        let digest = Sha256::digest(b"KF-POD-001\0v1\0Pod\0ns\0p\0/spec\0");
        let expected: String = digest[..8].iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(&*fingerprint("KF-POD-001", &object, "/spec"), expected);
        assert_eq!(fingerprint("KF-POD-001", &object, "/spec").to_string().len(), 16);
        assert_ne!(fingerprint("KF-POD-001", &object, "/spec"), fingerprint("KF-POD-002", &object, "/spec"));
    }
}
