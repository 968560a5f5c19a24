//! Runs rules over every object of an inventory, in parallel, folds findings
//! one rule already covers for another (see [`crate::pss::merge_referenced`]),
//! and applies the objects' own `kubefort.io/ignore` suppressions.
//!
//! The `pss:` rules are evaluated together: one Pod Security Standards pass
//! per object for every selected check.

use crate::suppression;
use kubefort_model::{Context, Finding, Inventory, Rule, RuleMeta, Settings, Sink};
use rayon::prelude::*;
use std::collections::{HashMap, HashSet};

/// A finding silenced by an annotation, with the reason given.
#[derive(Debug, Clone)]
pub struct Suppressed {
    pub finding: Finding,
    pub reason: String,
}

/// What a run produced, sorted by file, line, column and rule.
#[derive(Debug, Default)]
pub struct Outcome {
    pub findings: Vec<Finding>,
    pub suppressed: Vec<Suppressed>,
}

/// Runs `rules` on every object. Output order is deterministic whatever the
/// number of threads.
pub fn run(inventory: &Inventory, rules: &[&'static dyn Rule], settings: &Settings) -> Outcome {
    let (pss_rules, kf_rules): (Vec<&'static dyn Rule>, Vec<&'static dyn Rule>) =
        rules.iter().partition(|r| crate::pss::is_pss_rule(r.meta().id));
    let pss_ids: HashSet<&str> = pss_rules.iter().map(|r| r.meta().id).collect();
    let pss_pass = (!pss_ids.is_empty()).then(|| crate::pss::Pass::new(inventory, settings));
    let metas: HashMap<&str, &'static RuleMeta> = rules.iter().map(|r| (r.meta().id, r.meta())).collect();
    let meta_of = |id: &str| metas.get(id).copied();
    let per_object: Vec<Outcome> = inventory
        .objects()
        .par_iter()
        .map(|object| {
            let cx = Context { object, inventory, settings };
            let mut sink = Sink::new(object);
            for rule in &kf_rules {
                rule.check(&cx, &mut sink);
            }
            if let Some(pass) = &pss_pass {
                pass.check_object(object, &|id| pss_ids.contains(id), &mut sink);
            }
            let mut findings = crate::pss::merge_referenced(sink.into_findings(), &meta_of);
            // Sorted here, in parallel: the objects of a file come in line
            // order, so the final sort below then finds one long sorted run
            // instead of moving millions of findings (same order: both sorts are stable).
            findings.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
            let entries = object.annotation(suppression::ANNOTATION).map(suppression::parse).unwrap_or_default();
            if entries.is_empty() {
                return Outcome { findings, suppressed: Vec::new() };
            }
            let mut outcome = Outcome::default();
            for finding in findings {
                let silencer = entries.iter().find(|e| {
                    e.suppresses(settings.today)
                        && (e.rule == finding.rule
                            || crate::find_rule(&e.rule).is_some_and(|r| r.meta().id == finding.rule))
                });
                match silencer {
                    Some(e) => outcome.suppressed.push(Suppressed { finding, reason: e.reason.clone() }),
                    None => outcome.findings.push(finding),
                }
            }
            outcome
        })
        .collect();
    let mut outcome = Outcome::default();
    for o in per_object {
        outcome.findings.extend(o.findings);
        outcome.suppressed.extend(o.suppressed);
    }
    outcome.findings.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    outcome.suppressed.sort_by(|a, b| a.finding.sort_key().cmp(&b.finding.sort_key()));
    outcome
}

#[cfg(test)]
mod tests {
    use crate::testing::check_with;
    use crate::workload::PrivilegedContainer;
    use kubefort_model::{Date, Settings};

    fn pod(annotation: &str) -> String {
        format!(
            "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  annotations:\n    kubefort.io/ignore: \"{annotation}\"\nspec:\n  containers:\n  - name: a\n    securityContext: {{privileged: true}}\n"
        )
    }

    #[test]
    fn annotation_suppresses_only_with_a_reason_and_before_expiry() {
        let settings = Settings { today: Date::parse("2026-11-25").unwrap(), ..Settings::default() };
        let fired = |annotation: &str| check_with(&PrivilegedContainer, &pod(annotation), &settings).len();
        assert_eq!(fired("KF-POD-001=needs the GPU driver"), 0);
        assert_eq!(fired("privileged-container=by name"), 0);
        assert_eq!(fired("KF-POD-001=until the end of the year until 2026-12-31"), 0);
        assert_eq!(fired("KF-POD-001"), 1, "no reason: not suppressed");
        assert_eq!(fired("KF-POD-001=old until 2026-11-24"), 1, "expired: not suppressed");
        assert_eq!(fired("KF-POD-002=other rule"), 1);
    }
}
