//! Kubernetes audit logs: `reader ─▶ Event ─▶ detectors ─▶ Alerts ─▶ report`.
//!
//! The [`reader`] streams JSON-lines files (plain or gzip), `EventList`
//! batches and pretty-printed documents in constant memory, one line at a
//! time, reporting malformed lines with file and line and going on. Each
//! [`Event`] borrows from its line. The [`Analyzer`] runs the stateless
//! rules (the Falco k8saudit rule set, `rules::{pods,access,rbac,objects}`)
//! and the windowed anomaly detectors (`rules::anomaly`) and yields
//! [`Alert`]s.

#[macro_use]
pub mod rules;
pub mod event;
pub mod reader;
pub mod report;
pub mod settings;

pub use event::Event;
pub use report::Summary;
pub use settings::AuditSettings;

use kubefort_model::{RuleMeta, Severity};
use rules::{anomaly::Anomalies, Check, Cx, Hit};
use serde::Serialize;
use std::collections::HashMap;

/// One detection, as printed by `kubefort audit analyze -o json` (one per line).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Alert {
    pub rule: &'static str,
    pub severity: Severity,
    pub time: String,
    #[serde(rename = "auditID")]
    pub audit_id: String,
    pub user: String,
    pub groups: Vec<String>,
    #[serde(rename = "sourceIPs")]
    pub source_ips: Vec<String>,
    pub verb: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub object_ref: Option<AlertObject>,
    pub message: String,
    /// The peer rule this alert stands for, when the kubefort rule covers several.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub equivalent: Option<&'static str>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AlertObject {
    pub resource: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub namespace: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub name: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub subresource: String,
}

/// Runs every selected audit rule over a stream of events.
pub struct Analyzer {
    settings: AuditSettings,
    stateless: Vec<(&'static RuleMeta, Check)>,
    windowed: Vec<&'static str>,
    severity: HashMap<&'static str, Severity>,
    anomalies: Anomalies,
    events: u64,
}

impl Analyzer {
    /// `include` decides which rules run (selection, `--select`/`--ignore`).
    pub fn new(settings: AuditSettings, include: impl Fn(&RuleMeta) -> bool) -> Self {
        let stateless = rules::stateless().into_iter().filter(|(m, _)| include(m)).collect();
        let windowed = rules::anomaly::RULES.iter().filter(|m| include(m)).map(|m| m.id).collect();
        let anomalies = Anomalies::new(&settings);
        Analyzer { settings, stateless, windowed, severity: HashMap::new(), anomalies, events: 0 }
    }

    /// Per-rule severity overrides (`.kubefort.yaml` `severity:`).
    pub fn with_severities(mut self, overrides: impl IntoIterator<Item = (&'static str, Severity)>) -> Self {
        self.severity.extend(overrides);
        self
    }

    pub fn events(&self) -> u64 {
        self.events
    }

    /// Entries held by the windowed detectors (bounded; see `rules::anomaly`).
    pub fn tracked(&self) -> usize {
        self.anomalies.tracked()
    }

    /// Runs the rules on one event, handing each alert to `out`.
    pub fn analyze(&mut self, ev: &Event<'_>, out: &mut dyn FnMut(Alert)) {
        self.events += 1;
        let severity = &self.severity;
        let mut emit = |meta: &'static RuleMeta, hit: Hit| {
            out(alert(ev, meta, severity.get(meta.id).copied().unwrap_or(meta.severity), hit));
        };
        {
            let cx = Cx::new(ev, &self.settings);
            for (meta, check) in &self.stateless {
                if let Some(hit) = check(&cx) {
                    emit(meta, hit);
                }
            }
        }
        if !self.windowed.is_empty() {
            let windowed = &self.windowed;
            let enabled = |m: &RuleMeta| windowed.contains(&m.id);
            self.anomalies.check(ev, &self.settings, &enabled, &mut emit);
        }
    }
}

fn alert(ev: &Event<'_>, meta: &'static RuleMeta, severity: Severity, hit: Hit) -> Alert {
    Alert {
        rule: meta.id,
        severity,
        time: ev.time().to_owned(),
        audit_id: ev.audit_id.to_string(),
        user: ev.user.username.to_string(),
        groups: ev.user.groups.iter().map(|g| g.to_string()).collect(),
        source_ips: ev.source_ips.iter().map(|g| g.to_string()).collect(),
        verb: ev.verb.to_string(),
        object_ref: ev.object_ref.as_ref().map(|o| AlertObject {
            resource: o.resource.to_string(),
            namespace: o.namespace.to_string(),
            name: o.name.to_string(),
            subresource: o.subresource.to_string(),
        }),
        message: hit.message,
        equivalent: hit.equivalent,
    }
}

/// Every audit rule's metadata, in id order (`kubefort rules` lists them).
pub fn all_rules() -> Vec<&'static RuleMeta> {
    rules::all()
}

/// Finds an audit rule by id or name (`kubefort explain KF-AUD-001`).
pub fn find_rule(key: &str) -> Option<&'static RuleMeta> {
    rules::find(key)
}
