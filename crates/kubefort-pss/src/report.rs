//! A serialisable result per object, the shape `kubefort pss -o json`
//! prints: `{"results": [PssResult, ...]}`.

use crate::{evaluate, Level, Version};
use kubefort_model::Object;
use serde::Serialize;

/// `{"results": [...]}`: the evaluation of every object that has a pod spec.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PssReport {
    pub results: Vec<PssResult>,
}

/// Evaluates every object with a pod spec, in the order given.
pub fn report<'a>(objects: impl IntoIterator<Item = &'a Object>, level: Level, version: Version) -> PssReport {
    PssReport { results: objects.into_iter().filter_map(|o| result(o, level, version)).collect() }
}

/// The evaluation of one object, with where it was read from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PssResult {
    pub file: String,
    pub line: u32,
    pub kind: String,
    pub namespace: Option<String>,
    pub name: String,
    pub level: String,
    pub version: String,
    pub allowed: bool,
    pub forbidden: Vec<ForbiddenEntry>,
    /// Where `level` and `version` came from (`namespace label`,
    /// `admission defaults`, `kubefort default`, `--level`), when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// Why the object was not evaluated (`namespace kube-system is exempt`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exempt: Option<String>,
}

/// One forbidding check of a [`PssResult`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ForbiddenEntry {
    pub check: &'static str,
    /// `reason (detail)`, as the plugin prints it.
    pub reason: String,
    /// JSON pointer of the first offending field.
    pub pointer: String,
    /// Where that field (or its nearest existing parent) is.
    pub line: u32,
    pub column: u32,
}

/// Evaluates `object` and describes the outcome; `None` when it has no pod spec.
pub fn result(object: &Object, level: Level, version: Version) -> Option<PssResult> {
    let evaluation = evaluate(object, level, version)?;
    let at = object.location_of("");
    Some(PssResult {
        file: object.source.file.to_string(),
        line: at.line,
        kind: object.kind.clone(),
        namespace: object.namespace.clone(),
        name: object.name.clone(),
        level: level.to_string(),
        version: version.to_string(),
        allowed: evaluation.allowed,
        forbidden: evaluation
            .forbidden
            .iter()
            .map(|v| {
                let loc = object.location_of(&v.pointer);
                ForbiddenEntry {
                    check: v.check,
                    reason: v.message(),
                    pointer: v.pointer.clone(),
                    line: loc.line,
                    column: loc.column,
                }
            })
            .collect(),
        source: None,
        exempt: None,
    })
}
