//! The configuration applied to findings: severity overrides and exemptions.

use crate::{Config, Exemption};
use globset::{Glob, GlobSet, GlobSetBuilder};
use kubefort_model::{Finding, Severity};

/// A finding an exemption in `.kubefort.yaml` took out, with its reason.
#[derive(Debug, Clone)]
pub struct Exempted {
    pub finding: Finding,
    pub reason: String,
}

struct CompiledExemption {
    rules: Vec<String>,
    namespaces: Vec<String>,
    names: Option<GlobSet>,
    kinds: Vec<String>,
    paths: Option<GlobSet>,
    reason: String,
}

/// The parts of a [`Config`] that act on findings after rules ran.
pub struct Policy {
    overrides: Vec<(String, Severity)>,
    exemptions: Vec<CompiledExemption>,
}

fn globs(patterns: &[String]) -> Result<Option<GlobSet>, String> {
    if patterns.is_empty() {
        return Ok(None);
    }
    let mut b = GlobSetBuilder::new();
    for p in patterns {
        b.add(Glob::new(p.trim_start_matches("./")).map_err(|e| format!("bad glob `{p}`: {e}"))?);
    }
    b.build().map(Some).map_err(|e| e.to_string())
}

/// `KF-POD` matches `KF-POD-001`; a rule name is resolved to its id first.
fn rule_matches(pattern: &str, rule: &str) -> bool {
    rule.to_ascii_uppercase().starts_with(&pattern.to_ascii_uppercase())
}

impl Policy {
    /// Compiles the config. `resolve` maps a rule name (`privileged-container`)
    /// to its id, so users may write either.
    pub fn new(config: &Config, resolve: impl Fn(&str) -> Option<&'static str>) -> Result<Policy, String> {
        let id = |s: &String| resolve(s).map_or_else(|| s.clone(), str::to_owned);
        let exemptions = config
            .exemptions
            .iter()
            .map(|e: &Exemption| {
                Ok(CompiledExemption {
                    rules: e.rules.iter().map(id).collect(),
                    namespaces: e.namespaces.clone(),
                    names: globs(&e.names)?,
                    kinds: e.kinds.clone(),
                    paths: globs(&e.paths)?,
                    reason: e.reason.clone(),
                })
            })
            .collect::<Result<_, String>>()?;
        Ok(Policy { overrides: config.severity.iter().map(|(k, v)| (id(k), *v)).collect(), exemptions })
    }

    /// Applies severity overrides, then takes out exempted findings.
    pub fn apply(&self, findings: Vec<Finding>) -> (Vec<Finding>, Vec<Exempted>) {
        let mut kept = Vec::with_capacity(findings.len());
        let mut exempted = Vec::new();
        for mut f in findings {
            if let Some((_, severity)) = self.overrides.iter().find(|(rule, _)| rule.eq_ignore_ascii_case(f.rule)) {
                f.severity = *severity;
            }
            match self.exemptions.iter().find(|e| e.covers(&f)) {
                Some(e) => exempted.push(Exempted { reason: e.reason.clone(), finding: f }),
                None => kept.push(f),
            }
        }
        (kept, exempted)
    }
}

impl CompiledExemption {
    fn covers(&self, f: &Finding) -> bool {
        let file = f.location.file.trim_start_matches("./");
        (self.rules.is_empty() || self.rules.iter().any(|r| rule_matches(r, f.rule)))
            && (self.namespaces.is_empty()
                || f.object.namespace.as_ref().is_some_and(|ns| self.namespaces.contains(ns)))
            && self.names.as_ref().is_none_or(|g| g.is_match(&f.object.name))
            && (self.kinds.is_empty() || self.kinds.iter().any(|k| k.eq_ignore_ascii_case(&f.object.kind)))
            && self.paths.as_ref().is_none_or(|g| g.is_match(file))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kubefort_model::{Location, ObjectRef};
    use std::sync::Arc;

    fn finding(rule: &'static str, ns: Option<&str>, name: &str, kind: &str, file: &str) -> Finding {
        Finding {
            rule,
            severity: Severity::High,
            message: String::new(),
            pointer: String::new(),
            object: Arc::new(ObjectRef {
                api_version: "v1".into(),
                kind: kind.into(),
                namespace: ns.map(str::to_owned),
                name: name.into(),
            }),
            location: Location { file: Arc::from(file), line: 1, column: 1, template: None },
            evidence: None,
            fingerprint: Default::default(),
            also_violates: Vec::new(),
        }
    }

    #[test]
    fn exemptions_need_every_criterion_and_overrides_apply() {
        let config = Config::parse(
            "severity: {privileged-container: low}\nexemptions:\n  - rules: [KF-POD-009]\n    namespaces: [kube-system]\n    names: ['cilium*']\n    reason: cni\n  - paths: ['vendor/**']\n    reason: third party\n",
            &Arc::from("c"),
        )
        .unwrap();
        let policy = Policy::new(&config, |n| (n == "privileged-container").then_some("KF-POD-001")).unwrap();
        let (kept, exempted) = policy.apply(vec![
            finding("KF-POD-009", Some("kube-system"), "cilium-agent", "DaemonSet", "a.yaml"),
            finding("KF-POD-009", Some("default"), "cilium-agent", "DaemonSet", "a.yaml"),
            finding("KF-POD-010", Some("kube-system"), "cilium-agent", "DaemonSet", "a.yaml"),
            finding("KF-POD-001", None, "x", "Pod", "./vendor/chart/x.yaml"),
            finding("KF-POD-001", None, "y", "Pod", "app/y.yaml"),
        ]);
        assert_eq!(exempted.len(), 2);
        assert_eq!(exempted[0].reason, "cni");
        assert_eq!(exempted[1].reason, "third party");
        assert_eq!(kept.len(), 3);
        assert_eq!(kept[2].severity, Severity::Low, "override by rule name");
        assert_eq!(kept[0].severity, Severity::High);
    }
}
