//! The KF-AUD catalog. Each rule's doc comment is its documentation
//! (`kubefort explain KF-AUD-001`); `references` name the Falco k8saudit rule
//! it stands for (`falco:Create Privileged Pod`).
//!
//! Stateless rules look at one event; the windowed anomaly detectors
//! (`anomaly.rs`) keep bounded state across events.

use crate::event::Event;
use crate::settings::AuditSettings;
use kubefort_model::RuleMeta;
use serde_json::Value;
use std::cell::OnceCell;

/// Declares one audit rule's metadata from its doc comment.
macro_rules! audit_rule {
    (
        $(#[doc = $doc:literal])*
        $vis:vis static $name:ident {
            id: $id:literal,
            name: $slug:literal,
            title: $title:literal,
            severity: $severity:ident,
            fix: $fix:literal,
            references: [$($reference:literal),* $(,)?] $(,)?
        }
    ) => {
        $(#[doc = $doc])*
        $vis static $name: kubefort_model::RuleMeta = kubefort_model::RuleMeta {
            id: $id,
            name: $slug,
            title: $title,
            severity: kubefort_model::Severity::$severity,
            fix: $fix,
            references: &[$($reference),*],
            doc: concat!($($doc, "\n"),*),
        };
    };
}

pub mod access;
pub mod anomaly;
pub mod objects;
pub mod pods;
pub mod rbac;

/// What a stateless rule sees: the event, the settings and the request body
/// (parsed at most once, on first use).
pub struct Cx<'e, 'a> {
    pub ev: &'e Event<'a>,
    pub settings: &'e AuditSettings,
    body: OnceCell<Option<Value>>,
}

impl<'e, 'a> Cx<'e, 'a> {
    pub fn new(ev: &'e Event<'a>, settings: &'e AuditSettings) -> Self {
        Cx { ev, settings, body: OnceCell::new() }
    }
    pub fn body(&self) -> Option<&Value> {
        self.body.get_or_init(|| self.ev.request()).as_ref()
    }
    /// The target's name: objectRef, else the request body's metadata.name.
    pub fn target_name(&self) -> String {
        let name = self.ev.name();
        if !name.is_empty() {
            return name.to_owned();
        }
        self.body()
            .and_then(|b| b.pointer("/metadata/name").or_else(|| b.pointer("/metadata/generateName")))
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_owned()
    }
    /// `kind ns/name` for messages.
    pub fn target(&self) -> String {
        let ns = self.ev.namespace();
        let name = self.target_name();
        match (ns.is_empty(), name.is_empty()) {
            (true, true) => self.ev.resource().to_owned(),
            (true, false) => format!("{} {name}", self.ev.resource()),
            (false, _) => format!("{} {ns}/{name}", self.ev.resource()),
        }
    }
}

/// A rule's verdict on one event.
#[derive(Debug)]
pub struct Hit {
    pub message: String,
    /// The peer rule this alert corresponds to when the rule stands for several.
    pub equivalent: Option<&'static str>,
}

impl Hit {
    pub fn new(message: impl Into<String>) -> Option<Hit> {
        Some(Hit { message: message.into(), equivalent: None })
    }
}

pub type Check = fn(&Cx<'_, '_>) -> Option<Hit>;

/// Every stateless rule with its check, in id order.
pub fn stateless() -> Vec<(&'static RuleMeta, Check)> {
    let mut v: Vec<(&'static RuleMeta, Check)> = Vec::new();
    v.extend_from_slice(pods::RULES);
    v.extend_from_slice(access::RULES);
    v.extend_from_slice(rbac::RULES);
    v.extend_from_slice(objects::RULES);
    v.sort_by_key(|(m, _)| m.id);
    v
}

/// Every audit rule's metadata (stateless and windowed), in id order.
pub fn all() -> Vec<&'static RuleMeta> {
    let mut v: Vec<&'static RuleMeta> = stateless().into_iter().map(|(m, _)| m).collect();
    v.extend_from_slice(anomaly::RULES);
    v.sort_by_key(|m| m.id);
    v
}

/// Finds an audit rule by id (any case) or name.
pub fn find(key: &str) -> Option<&'static RuleMeta> {
    all().into_iter().find(|m| m.id.eq_ignore_ascii_case(key) || m.name == key)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn catalog_is_unique_and_documented() {
        let rules = all();
        assert!(rules.len() >= 35);
        let ids: HashSet<_> = rules.iter().map(|m| m.id).collect();
        let names: HashSet<_> = rules.iter().map(|m| m.name).collect();
        assert_eq!(ids.len(), rules.len());
        assert_eq!(names.len(), rules.len());
        for m in rules {
            assert!(m.id.starts_with("KF-AUD-"), "{}", m.id);
            for section in ["What it does", "Why is this bad?", "Example", "Use instead", "References"] {
                assert!(m.section(section).is_some_and(|s| !s.is_empty()), "{} lacks `## {section}`", m.id);
            }
        }
        assert!(find("kf-aud-001").is_some() && find("privileged-pod-created").is_some());
    }
}
