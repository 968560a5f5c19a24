//! Runs rules over every object of an inventory, in parallel, and applies the
//! objects' own `kubefort.io/ignore` suppressions.

use crate::suppression;
use kubefort_model::{Context, Finding, Inventory, Rule, Settings, Sink};
use rayon::prelude::*;

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
    let per_object: Vec<Outcome> = inventory
        .objects()
        .par_iter()
        .map(|object| {
            let cx = Context { object, inventory, settings };
            let mut sink = Sink::new(object);
            for rule in rules {
                rule.check(&cx, &mut sink);
            }
            let findings = sink.into_findings();
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
