//! Pod Security Standards in `kubefort scan`: one rule per PodSecurity
//! admission check (`pss:privileged`, `pss:hostNamespaces`, …), evaluated
//! at the policy the workload's namespace would get from the admission
//! plugin, and KF-PSA-* rules about the namespaces and the plugin's
//! configuration themselves.
//!
//! Severity of a `pss:` finding says how the cluster would treat it:
//!
//! | policy of the namespace | severity |
//! |---|---|
//! | its `enforce` level (label or configured default) forbids it | critical: the pod is rejected, or runs in violation in a live cluster |
//! | its `audit` level forbids it | medium |
//! | its `warn` level forbids it | low |
//! | no enforce level pinned: kubefort's level (`.kubefort.yaml` `pss`, default restricted:latest) | high for a baseline check, medium for a restricted-only one |
//!
//! A field forbidden by several modes gets one finding, at the highest
//! severity. Exempt namespaces and runtime classes are not evaluated.

use kubefort_model::{Context, Finding, Object, Rule, RuleMeta, Settings, Severity, Sink};
use kubefort_pss::namespace::{find_admission_config, AdmissionConfig, LevelVersion, Mode, Resolver, Source};
use kubefort_pss::{evaluate, Level, Version};
use std::sync::OnceLock;

mod admission_config_invalid;
mod namespace_enforces_privileged;
mod namespace_label_invalid;
mod namespace_without_enforce;

pub use admission_config_invalid::AdmissionConfigInvalid;
pub use namespace_enforces_privileged::NamespaceEnforcesPrivileged;
pub use namespace_label_invalid::NamespaceLabelInvalid;
pub use namespace_without_enforce::NamespaceWithoutEnforce;

/// The KF-PSA-* rules (namespaces and the admission configuration).
pub const RULES: &[&dyn Rule] =
    &[&NamespaceWithoutEnforce, &NamespaceEnforcesPrivileged, &NamespaceLabelInvalid, &AdmissionConfigInvalid];

/// One Pod Security Standards check as a rule. Run on its own it evaluates
/// the object for this check only; the engine batches every selected check
/// into one evaluation per object ([`check_object`]).
#[derive(Debug)]
pub struct PssCheck {
    meta: &'static RuleMeta,
}

impl Rule for PssCheck {
    fn meta(&self) -> &'static RuleMeta {
        self.meta
    }
    fn check(&self, cx: &Context<'_>, sink: &mut Sink<'_>) {
        let pass = Pass::new(cx.inventory, cx.settings);
        pass.check_object(cx.object, &|id| id == self.meta.id, sink);
    }
}

/// The `pss:` rules, one per check, in evaluation order.
pub fn check_rules() -> &'static [&'static dyn Rule] {
    static CHECKS: OnceLock<Vec<PssCheck>> = OnceLock::new();
    static RULES: OnceLock<Vec<&'static dyn Rule>> = OnceLock::new();
    RULES.get_or_init(|| {
        let checks = CHECKS.get_or_init(|| kubefort_pss::rule_metas().iter().map(|meta| PssCheck { meta }).collect());
        checks.iter().map(|c| c as &'static dyn Rule).collect()
    })
}

/// Whether a rule id is a Pod Security Standards check (`pss:…`).
pub fn is_pss_rule(id: &str) -> bool {
    id.starts_with("pss:")
}

/// kubefort's level for namespaces that pin none: `.kubefort.yaml` `pss`,
/// or restricted:latest. (The config loader has validated the values.)
pub fn fallback(settings: &Settings) -> LevelVersion {
    LevelVersion {
        level: settings.pss_level.as_deref().and_then(|l| l.parse().ok()).unwrap_or(Level::Restricted),
        version: settings.pss_version.as_deref().and_then(|v| v.parse().ok()).unwrap_or(Version::Latest),
    }
}

/// The PodSecurity configuration found among the input objects.
pub fn admission_config(inventory: &kubefort_model::Inventory) -> AdmissionConfig {
    let candidates = inventory.of_kind("AdmissionConfiguration").chain(inventory.of_kind("PodSecurityConfiguration"));
    find_admission_config(candidates).0.map(|(c, _)| c).unwrap_or_default()
}

/// The PSS evaluation of one scan: the admission configuration and
/// fallback, resolved once.
pub struct Pass<'a> {
    resolver: Resolver<'a>,
}

struct Candidate {
    severity: Severity,
    meta: &'static RuleMeta,
    pointer: String,
    message: String,
    evidence: String,
}

impl<'a> Pass<'a> {
    pub fn new(inventory: &'a kubefort_model::Inventory, settings: &Settings) -> Self {
        Pass { resolver: Resolver::new(inventory, admission_config(inventory), fallback(settings)) }
    }

    /// Reports the `pss:` findings of `object` whose rule id `wanted` accepts.
    pub fn check_object(&self, object: &Object, wanted: &dyn Fn(&str) -> bool, sink: &mut Sink<'_>) {
        if kubefort_model::PodSpecRef::to_check(object).is_none() {
            return;
        }
        let workload = self.resolver.workload(object);
        if workload.exempt.is_some() {
            return;
        }
        let namespace = object.namespace.as_deref().unwrap_or("");
        let mut candidates: Vec<Candidate> = Vec::new();
        let mut add = |lv: LevelVersion, severity: &dyn Fn(Level) -> Severity, why: &str| {
            let Some(evaluation) = evaluate(object, lv.level, lv.version) else { return };
            for violation in evaluation.forbidden {
                let Some(meta) = kubefort_pss::rule_meta(violation.check) else { continue };
                if !wanted(meta.id) {
                    continue;
                }
                let check_level = kubefort_pss::all_checks().find(|c| c.id == violation.check).map(|c| c.level);
                let severity = severity(check_level.unwrap_or(Level::Restricted));
                let pointers = if violation.pointers.is_empty() {
                    vec![violation.pointer.clone()]
                } else {
                    violation.pointers.clone()
                };
                for pointer in pointers {
                    match candidates.iter_mut().find(|c| c.pointer == pointer) {
                        Some(c) if c.severity >= severity => {}
                        Some(c) => {
                            *c = Candidate {
                                severity,
                                meta,
                                pointer,
                                message: format!("{}; {why}", violation.message()),
                                evidence: why.to_owned(),
                            }
                        }
                        None => candidates.push(Candidate {
                            severity,
                            meta,
                            pointer,
                            message: format!("{}; {why}", violation.message()),
                            evidence: why.to_owned(),
                        }),
                    }
                }
            }
        };
        let by = |source: Source| match source {
            Source::NamespaceLabel => format!("namespace {namespace:?}"),
            _ => "the admission defaults".to_owned(),
        };
        let enforce = workload.policy.enforce;
        if enforce.source == Source::Fallback {
            let lv = enforce.level_version();
            let why = format!("violates {lv} (no enforce level pinned for the namespace; kubefort's default)");
            if lv.level == Level::Restricted {
                // Baseline checks first, so a field both levels forbid is reported as baseline.
                add(LevelVersion { level: Level::Baseline, ..lv }, &|_| Severity::High, &why);
            }
            add(lv, &|l| if l == Level::Baseline { Severity::High } else { Severity::Medium }, &why);
        } else {
            let why = format!("rejected: {} enforces {}", by(enforce.source), enforce.level_version());
            add(enforce.level_version(), &|_| Severity::Critical, &why);
        }
        for (mode, severity, verb) in
            [(Mode::Audit, Severity::Medium, "audits"), (Mode::Warn, Severity::Low, "warns at")]
        {
            if let Some(p) = workload.policy.mode(mode) {
                let why = format!("{} {verb} {}", by(p.source), p.level_version());
                add(p.level_version(), &|_| severity, &why);
            }
        }
        for c in candidates {
            let finding = sink.report(c.meta, c.pointer, c.message);
            finding.severity = c.severity;
            finding.evidence = Some(c.evidence);
        }
    }
}

/// Folds findings that another finding of the same object already covers:
/// when a rule's `references` name the rule of a second finding at the same
/// pointer (KF-POD-001 references `pss:privileged`), the second one goes,
/// and the first keeps the higher severity and says what else it violates.
pub(crate) fn merge_referenced(
    findings: Vec<Finding>,
    meta_of: &dyn Fn(&str) -> Option<&'static RuleMeta>,
) -> Vec<Finding> {
    if findings.len() < 2 {
        return findings;
    }
    let mut absorbed = vec![false; findings.len()];
    let mut findings = findings;
    for i in 0..findings.len() {
        let Some(meta) = meta_of(findings[i].rule) else { continue };
        if meta.references.is_empty() {
            continue;
        }
        for j in 0..findings.len() {
            if i == j || absorbed[j] || absorbed[i] {
                continue;
            }
            let other = &findings[j];
            if other.pointer != findings[i].pointer || !meta.references.contains(&other.rule) {
                continue;
            }
            let (severity, rule, evidence) = (other.severity, other.rule, other.evidence.clone());
            absorbed[j] = true;
            let also = describe(rule);
            let kept = &mut findings[i];
            kept.severity = kept.severity.max(severity);
            kept.also_violates.push(rule);
            kept.message = format!("{}; also violates {also}", kept.message);
            let note = match evidence {
                Some(e) => format!("{rule}: {e}"),
                None => rule.to_owned(),
            };
            kept.evidence = Some(match kept.evidence.take() {
                Some(e) => format!("{e}; {note}"),
                None => note,
            });
        }
    }
    findings.into_iter().zip(absorbed).filter(|(_, gone)| !gone).map(|(f, _)| f).collect()
}

/// `Pod Security Standards baseline: pss:privileged`, or the rule id.
fn describe(rule: &str) -> String {
    match rule.strip_prefix("pss:").and_then(|id| kubefort_pss::all_checks().find(|c| c.id == id)) {
        Some(check) => format!("Pod Security Standards {}: {rule}", check.level),
        None => rule.to_owned(),
    }
}

#[cfg(test)]
mod tests;
