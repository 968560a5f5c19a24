//! `kubefort node`: the CIS Kubernetes Benchmark (1.12) checks of a
//! control-plane or worker node, read from its files under a root directory
//! (`/` on the node itself, or a copy of its files anywhere): static pod
//! manifests' flags, the kubelet's systemd units, env files and
//! KubeletConfiguration, running processes' command lines (`/proc`),
//! kubeconfigs, the PKI directory, file modes and owners, and the
//! encryption, audit and admission configuration files the API server's
//! flags name. Nothing is executed.
//!
//! Every problem becomes a [`Finding`] at the file, line and column of the
//! flag or field at fault (or where the missing one belongs), and every
//! check a [`CheckResult`] for the CIS view.

pub mod catalog;
pub mod cis;
pub mod docs;
mod eval;
pub mod flags;
pub mod host;
#[cfg(feature = "testing")]
pub mod testing;

use catalog::Check;
use eval::Outcome;
use host::Host;
use kubefort_load::Diagnostic;
use kubefort_model::{fingerprint, Finding, Inventory, ObjectRef, RuleMeta, Settings};
use serde::Serialize;
use std::path::Path;

/// A check's verdict, as kube-bench reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Status {
    Pass,
    /// An automated check failed.
    Fail,
    /// A manual check failed what kubefort could test: review it.
    Warn,
    /// Needs a human.
    Manual,
    /// Not applicable: the component or file is not on this node.
    Skip,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pass => "PASS",
            Status::Fail => "FAIL",
            Status::Warn => "WARN",
            Status::Manual => "MANUAL",
            Status::Skip => "SKIP",
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct CheckResult {
    /// CIS id (`1.2.6`; empty for kubefort's additions).
    pub cis: &'static str,
    pub rule: &'static str,
    pub title: &'static str,
    pub status: Status,
    pub automated: bool,
    /// What was found.
    pub detail: String,
    pub remediation: &'static str,
}

/// What `kubefort node` found.
#[derive(Debug)]
pub struct NodeScan {
    pub results: Vec<CheckResult>,
    /// Problems of failed and warned checks, and the per-object rules'
    /// findings on the configuration files the flags name.
    pub findings: Vec<Finding>,
    pub diagnostics: Vec<Diagnostic>,
    /// Components found, with where their settings were read.
    pub components: Vec<(&'static str, Vec<String>)>,
}

impl NodeScan {
    pub fn failed(&self) -> bool {
        self.results.iter().any(|r| r.status == Status::Fail)
    }
}

/// Metadata of every rule `kubefort node` may report: its checks, then the
/// per-object rules it runs on the configuration files the flags name.
pub fn rule_metas() -> Vec<&'static RuleMeta> {
    all_rules().into_iter().chain(kubefort_rules::all_rules().into_iter().map(|r| r.meta())).collect()
}

/// Every check's metadata, documented (`kubefort rules`), in catalog order.
pub fn all_rules() -> Vec<&'static RuleMeta> {
    docs::rules().iter().collect()
}

/// Finds a check by id (any case), name, or CIS id (`cis-1.12:1.2.1` or
/// `1.2.1`) for `kubefort explain`.
pub fn find_rule(key: &str) -> Option<&'static RuleMeta> {
    let cis = key.strip_prefix("cis-1.12:").unwrap_or(key);
    let index = catalog::all().position(|c| {
        c.meta.id.eq_ignore_ascii_case(key) || c.meta.name == key || (!c.cis.is_empty() && c.cis == cis)
    })?;
    docs::rules().get(index)
}

/// The catalog entry of a check id.
pub fn check(id: &str) -> Option<&'static Check> {
    catalog::all().find(|c| c.meta.id == id)
}

/// Checks the node whose files are under `root`.
pub fn scan(root: &Path) -> NodeScan {
    let host = Host::read_root(root);
    let mut results = Vec::new();
    let mut findings = Vec::new();
    for check in catalog::all() {
        let (status, detail) = match eval::evaluate(check, &host) {
            Outcome::Pass(d) => (Status::Pass, d),
            Outcome::Skip(d) => (Status::Skip, d),
            Outcome::Manual => (Status::Manual, "review by hand".to_owned()),
            Outcome::Fail(d, problems) => {
                findings.extend(problems.into_iter().map(|(at, message)| finding(check, &host, at, message)));
                (if check.automated { Status::Fail } else { Status::Warn }, d)
            }
        };
        results.push(CheckResult {
            cis: check.cis,
            rule: check.meta.id,
            title: check.meta.title,
            status,
            automated: check.automated,
            detail,
            remediation: check.meta.fix,
        });
    }
    // The configuration files the API server's flags name are checked by the
    // same per-object rules `kubefort scan` runs on them.
    let objects: Vec<_> = host.config_objects.iter().map(|(_, o)| o.clone()).collect();
    if !objects.is_empty() {
        let inventory = Inventory::new(objects);
        findings.extend(kubefort_rules::run(&inventory, &kubefort_rules::all_rules(), &Settings::default()).findings);
    }
    findings.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    findings.dedup_by(|a, b| a.rule == b.rule && a.location == b.location && a.message == b.message);
    let mut components: Vec<(&'static str, Vec<String>)> =
        host.components.values().map(|c| (c.kind.binary(), c.sources.clone())).collect();
    components.sort();
    NodeScan { results, findings, diagnostics: host.diagnostics, components }
}

fn finding(check: &'static Check, host: &Host, at: kubefort_model::Location, message: String) -> Finding {
    let object = ObjectRef {
        api_version: String::new(),
        kind: "NodeFile".to_owned(),
        namespace: None,
        name: at.file.strip_prefix(host.root.to_string_lossy().trim_end_matches('/')).unwrap_or(&at.file).to_owned(),
    };
    let pointer = format!("{}:{}", at.line, at.column);
    Finding {
        rule: check.meta.id,
        severity: check.meta.severity,
        fingerprint: fingerprint(check.meta.id, &object, &pointer),
        message,
        pointer,
        object: std::sync::Arc::new(object),
        location: at,
        evidence: None,
        also_violates: Vec::new(),
    }
}
