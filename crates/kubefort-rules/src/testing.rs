//! Helpers for rule tests: load YAML text and run one rule on it.

use kubefort_load::{load_texts, Limits};
use kubefort_model::{Finding, Inventory, Rule, Settings};
use std::sync::Arc;

/// Runs `rule` over every object in `yaml` and returns its findings.
pub fn check(rule: &'static dyn Rule, yaml: &str) -> Vec<Finding> {
    check_with(rule, yaml, &Settings::default())
}

pub fn check_with(rule: &'static dyn Rule, yaml: &str, settings: &Settings) -> Vec<Finding> {
    let loaded = load_texts(vec![(Arc::from("test.yaml"), yaml.to_owned())], Limits::default());
    let errors: Vec<_> = loaded.diagnostics.iter().filter(|d| d.level == kubefort_load::Level::Error).collect();
    assert!(errors.is_empty(), "test YAML does not parse: {errors:?}");
    let inventory = Inventory::new(loaded.objects);
    crate::run(&inventory, &[rule], settings).findings
}

/// `(pointer, line)` of each finding, for compact assertions.
pub fn pointers(findings: &[Finding]) -> Vec<(String, u32)> {
    findings.iter().map(|f| (f.pointer.clone(), f.location.line)).collect()
}
