//! The `admission:` section of `.kubefort.yaml`.

use crate::defaults::DefaultsConfig;
use kubefort_model::Severity;
use serde::Deserialize;

/// What a finding of a given severity does to an admission request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    /// Recorded in the API server's audit log (`auditAnnotations`) only.
    Audit,
    /// Admitted with a warning kubectl prints.
    Warn,
    /// Refused, with the finding in the message.
    Deny,
}

/// The action for each severity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Actions {
    #[serde(default = "deny")]
    pub critical: Action,
    #[serde(default = "deny")]
    pub high: Action,
    #[serde(default = "warn")]
    pub medium: Action,
    #[serde(default = "warn")]
    pub low: Action,
    #[serde(default = "audit")]
    pub info: Action,
}

fn deny() -> Action {
    Action::Deny
}
fn warn() -> Action {
    Action::Warn
}
fn audit() -> Action {
    Action::Audit
}

impl Default for Actions {
    /// Critical and high deny, medium and low warn, info is audited.
    fn default() -> Self {
        Actions { critical: deny(), high: deny(), medium: warn(), low: warn(), info: audit() }
    }
}

impl Actions {
    pub fn of(&self, severity: Severity) -> Action {
        match severity {
            Severity::Critical => self.critical,
            Severity::High => self.high,
            Severity::Medium => self.medium,
            Severity::Low => self.low,
            Severity::Info => self.info,
        }
    }
}

/// `admission:` in `.kubefort.yaml`:
///
/// ```yaml
/// admission:
///   actions: {critical: deny, high: deny, medium: warn, low: warn, info: audit}
///   exemptNamespaces: [kube-system]   # admitted unchecked and unpatched
///   grandfatherOnUpdate: true         # an UPDATE is judged only on findings its oldObject did not have
///   ignore: [KF-NET]                  # rules not run in admission (on top of the file's `ignore`)
///   defaults:                         # /mutate, beyond the always-on defaults
///     disableTokenAutomount: true
///     runAsUser: 10001
/// ```
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AdmissionSettings {
    #[serde(default)]
    pub actions: Actions,
    #[serde(default)]
    pub exempt_namespaces: Vec<String>,
    #[serde(default)]
    pub grandfather_on_update: bool,
    /// Rules (ids, names or id prefixes) admission does not run, for rules
    /// whose verdict needs objects a webhook does not see (the NetworkPolicies
    /// of a namespace, for KF-NET-001/002/004). Empty: the same rules as `kubefort scan`.
    #[serde(default)]
    pub ignore: Vec<String>,
    #[serde(default)]
    pub defaults: DefaultsConfig,
}

impl AdmissionSettings {
    pub fn is_exempt(&self, namespace: Option<&str>) -> bool {
        namespace.is_some_and(|ns| self.exempt_namespaces.iter().any(|e| e == ns))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unset_actions_keep_their_defaults() {
        let s: AdmissionSettings =
            serde_json::from_value(serde_json::json!({"actions": {"medium": "deny"}, "grandfatherOnUpdate": true}))
                .unwrap();
        assert_eq!(s.actions.of(Severity::Medium), Action::Deny);
        assert_eq!(s.actions.of(Severity::High), Action::Deny);
        assert_eq!(s.actions.of(Severity::Low), Action::Warn);
        assert_eq!(s.actions.of(Severity::Info), Action::Audit);
        assert!(s.grandfather_on_update);
        assert!(serde_json::from_value::<AdmissionSettings>(serde_json::json!({"actions": {"low": "block"}})).is_err());
        assert!(serde_json::from_value::<AdmissionSettings>(serde_json::json!({"exemptNamespace": []})).is_err());
    }
}
