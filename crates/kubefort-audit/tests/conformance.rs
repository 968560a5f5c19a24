//! Falco's k8s_audit test suite: every case of
//! `$KUBEFORT_CONFORMANCE_DIR/falco/falco_k8s_audit_tests.yaml` names a trace
//! (one audit event per line), the rule files Falco loads, and whether — and
//! how often per rule — Falco must fire.
//!
//! kubefort runs the KF-AUD rules whose `falco:` references name a rule
//! defined in the case's rule files. The files' lists and macro overrides
//! (allowed users, namespaces, trusted images, activity off…) are translated
//! into the equivalent `audit:` settings. Then, as Falco's test harness does:
//! `detect: False` means no alert at all; `detect: True` means at least one
//! alert, one at `detect_level` (Falco priority → kubefort severity), and
//! exactly `detect_counts` alerts per Falco rule.

use kubefort_audit::{reader, Analyzer, AuditSettings};
use kubefort_load::{yaml::parse_str, Limits};
use kubefort_model::{RuleMeta, Severity};
use serde_json::{json, Map, Value};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

fn conformance_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("KUBEFORT_CONFORMANCE_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/conformance")));
    let dir = dir.join("falco");
    dir.join("falco_k8s_audit_tests.yaml").is_file().then_some(dir)
}

fn yaml(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let text = text.replace("!mux", "");
    let parsed = parse_str(&text, &Arc::from(path.display().to_string()), Limits::default());
    assert!(parsed.diagnostics.iter().all(|d| d.level != kubefort_load::Level::Error), "{:?}", parsed.diagnostics);
    parsed.documents.into_iter().next().map(|d| d.root.to_json()).unwrap_or(Value::Null)
}

/// Falco renamed these rules; the suite still counts them by their old names.
fn aliases(name: &str) -> Vec<&str> {
    match name {
        "K8s Role/Clusterrole Created" => vec!["K8s Role Created", "K8s ClusterRole Created"],
        "K8s Role/Clusterrole Deleted" => vec!["K8s Role Deleted", "K8s ClusterRole Deleted"],
        "K8s Role/Clusterrolebinding Created" => vec!["K8s ClusterRoleBinding Created"],
        "K8s Role/Clusterrolebinding Deleted" => vec!["K8s ClusterRoleBinding Deleted"],
        other => vec![other],
    }
}

const OLD_NAMES: [&str; 4] = [
    "K8s Role/Clusterrole Created",
    "K8s Role/Clusterrole Deleted",
    "K8s Role/Clusterrolebinding Created",
    "K8s Role/Clusterrolebinding Deleted",
];

/// Rules the Falco files define but disable with an always-false macro.
const DISABLED_BY_DEFAULT: [&str; 1] = ["All K8s Audit Events"];

fn falco_refs(meta: &RuleMeta) -> impl Iterator<Item = &'static str> + '_ {
    meta.references.iter().filter_map(|r| r.strip_prefix("falco:"))
}

fn priority(level: &str) -> Option<Severity> {
    Some(match level.to_ascii_uppercase().as_str() {
        "EMERGENCY" | "ALERT" | "CRITICAL" => Severity::Critical,
        "ERROR" => Severity::High,
        "WARNING" => Severity::Medium,
        "NOTICE" => Severity::Low,
        "INFO" | "INFORMATIONAL" | "DEBUG" => Severity::Info,
        _ => return None,
    })
}

/// The rule files as Falco merges them: rules by name, lists (with
/// `append`), macros (last definition wins).
#[derive(Default)]
struct Rules {
    rules: BTreeSet<String>,
    lists: HashMap<String, Vec<String>>,
    macros: HashMap<String, String>,
    /// Lists only appended to, never defined in these files.
    appended_only: BTreeSet<String>,
}

impl Rules {
    fn load(&mut self, doc: &Value) {
        for item in doc.as_array().into_iter().flatten() {
            let append = item.get("append").and_then(Value::as_bool) == Some(true);
            if let Some(name) = item.get("rule").and_then(Value::as_str) {
                let enabled = item.get("enabled").and_then(Value::as_bool) != Some(false);
                if enabled {
                    self.rules.insert(name.to_owned());
                } else {
                    self.rules.remove(name);
                }
            } else if let Some(name) = item.get("list").and_then(Value::as_str) {
                let items: Vec<String> = item
                    .get("items")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .filter_map(|v| v.as_str().map(str::to_owned))
                    .collect();
                match self.lists.get_mut(name) {
                    Some(existing) if append => existing.extend(items),
                    _ => {
                        if append {
                            self.appended_only.insert(name.to_owned());
                        } else {
                            self.appended_only.remove(name);
                        }
                        self.lists.insert(name.to_owned(), items);
                    }
                }
            } else if let Some(name) = item.get("macro").and_then(Value::as_str) {
                let condition = item.get("condition").and_then(Value::as_str).unwrap_or("").to_owned();
                self.macros.insert(name.to_owned(), condition);
            }
        }
    }

    fn list(&self, name: &str, depth: usize) -> Vec<String> {
        let Some(items) = self.lists.get(name) else { return Vec::new() };
        items
            .iter()
            .flat_map(
                |i| if depth < 8 && self.lists.contains_key(i) { self.list(i, depth + 1) } else { vec![i.clone()] },
            )
            .collect()
    }

    /// The `audit:` settings equivalent to these files' lists and macros.
    fn settings(&self) -> AuditSettings {
        let defaults = serde_json::to_value(DefaultsView::from(AuditSettings::default())).unwrap();
        let mut config = Map::new();
        let mut trusted = Map::new();
        let keys: [(&str, &[&str], bool); 8] = [
            ("allowedUsers", &["allowed_k8s_users", "eks_allowed_k8s_users"], false),
            ("allowedNamespaces", &["allowed_namespaces"], false),
            ("trustedServiceAccounts", &["known_sa_list", "user_known_sa_list"], false),
            ("privileged", &["k8s_audit_privileged_images", "falco_privileged_images"], true),
            ("sensitiveMount", &["k8s_audit_sensitive_mount_images", "falco_sensitive_mount_images"], true),
            ("hostNetwork", &["k8s_audit_hostnetwork_images", "falco_hostnetwork_images"], true),
            ("hostPid", &["k8s_audit_hostpid_images"], true),
            ("kubeNamespace", &["allowed_kube_namespace_image_list", "user_allowed_kube_namespace_image_list"], true),
        ];
        for (key, lists, image) in keys {
            let defined: Vec<&&str> = lists.iter().filter(|l| self.lists.contains_key(**l)).collect();
            if defined.is_empty() {
                continue;
            }
            let mut values: Vec<String> = defined.iter().flat_map(|l| self.list(l, 0)).collect();
            // Appending to a list these files never define extends kubefort's defaults.
            if defined.iter().all(|l| self.appended_only.contains(**l)) {
                let default = if image { &defaults["trustedImages"][key] } else { &defaults[key] };
                values.extend(default.as_array().into_iter().flatten().filter_map(|v| v.as_str().map(str::to_owned)));
            }
            let target = if image { &mut trusted } else { &mut config };
            target.insert(key.to_owned(), json!(values));
        }
        config.insert("trustedImages".into(), Value::Object(trusted));
        if let Some(condition) = self.macros.get("allowed_k8s_containers") {
            if !condition.contains("k8s_audit_always_true") {
                config.insert("allowedImages".into(), json!(images_in(condition)));
            }
        }
        if let Some(condition) = self.macros.get("consider_activity_events") {
            if condition.contains("not jevt.rawtime exists") || condition.contains("k8s_audit_never_true") {
                config.insert("activity".into(), json!(false));
            }
        }
        if self.macros.get("allowed_full_admin_users").is_some_and(|c| c.contains("never_true")) {
            config.insert("adminUsers".into(), json!(self.list("full_admin_k8s_users", 0)));
        }
        if self.macros.get("allow_all_k8s_nodes").is_some_and(|c| c.contains("never_true")) {
            config.insert("allowedNodes".into(), json!(self.list("allowed_k8s_nodes", 0)));
        }
        serde_json::from_value(Value::Object(config)).expect("translated settings are valid")
    }
}

/// The images of `(ka.req.pod.containers.image.repository in (a, b))` or
/// `(ka.req.container.image=a)`.
fn images_in(condition: &str) -> Vec<String> {
    let body = if let Some((_, rest)) = condition.split_once(" in (") {
        rest.split(')').next().unwrap_or("")
    } else if let Some((_, rest)) = condition.split_once('=') {
        rest.split(')').next().unwrap_or("")
    } else {
        ""
    };
    body.split(',').map(|s| s.trim().trim_matches('"').to_owned()).filter(|s| !s.is_empty()).collect()
}

/// The settings' default lists, to extend when a case only appends.
#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct DefaultsView {
    allowed_users: Vec<String>,
    allowed_namespaces: Vec<String>,
    trusted_service_accounts: Vec<String>,
    trusted_images: BTreeMap<&'static str, Vec<String>>,
}

impl From<AuditSettings> for DefaultsView {
    fn from(s: AuditSettings) -> Self {
        let t = s.trusted_images;
        DefaultsView {
            allowed_users: s.allowed_users,
            allowed_namespaces: s.allowed_namespaces,
            trusted_service_accounts: s.trusted_service_accounts,
            trusted_images: BTreeMap::from([
                ("privileged", t.privileged),
                ("sensitiveMount", t.sensitive_mount),
                ("hostNetwork", t.host_network),
                ("hostPid", t.host_pid),
                ("kubeNamespace", t.kube_namespace),
            ]),
        }
    }
}

fn rules_path(root: &Path, entry: &str) -> Option<PathBuf> {
    if entry.ends_with("/falco_rules.yaml") {
        return None; // syscall rules: no k8s_audit source
    }
    if entry.contains("k8saudit-rules/k8s_audit_rules.yaml") {
        return Some(root.join("rules/k8s_audit_rules.yaml"));
    }
    entry.strip_prefix("./rules/k8s_audit/").map(|rest| root.join("rules").join(rest))
}

fn trace_path(root: &Path, opts: &str) -> Option<PathBuf> {
    let rest = opts.split("trace_files/k8s_audit/").nth(1)?;
    Some(root.join("trace_files").join(rest.split_whitespace().next()?))
}

enum Outcome {
    Pass,
    Fail(String),
    Unsupported(String),
}

fn run_case(root: &Path, name: &str, case: &Value) -> Outcome {
    let mut rules = Rules::default();
    for entry in case.get("rules_file").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str) {
        if let Some(path) = rules_path(root, entry) {
            if !path.is_file() {
                return Outcome::Unsupported(format!("rule file {entry} not in the suite"));
            }
            rules.load(&yaml(&path));
        }
    }
    let catalog = kubefort_audit::all_rules();
    let mapped: BTreeSet<&str> = catalog.iter().flat_map(|m| falco_refs(m)).collect();
    let unmapped: Vec<&String> = rules
        .rules
        .iter()
        .filter(|r| !mapped.contains(r.as_str()) && !DISABLED_BY_DEFAULT.contains(&r.as_str()))
        .collect();
    if !unmapped.is_empty() {
        return Outcome::Unsupported(format!("custom Falco rule(s) with no KF-AUD equivalent: {unmapped:?}"));
    }
    let expected: Vec<(String, u64)> = case
        .get("detect_counts")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_object)
        .flat_map(|m| m.iter().map(|(k, v)| (k.clone(), v.as_u64().unwrap_or(0))))
        .collect();
    for (rule, _) in &expected {
        if !aliases(rule).iter().any(|a| mapped.contains(a)) {
            return Outcome::Unsupported(format!("`{rule}` has no KF-AUD equivalent"));
        }
    }
    let Some(trace) = case.get("addl_cmdline_opts").and_then(Value::as_str).and_then(|o| trace_path(root, o)) else {
        return Outcome::Unsupported("no trace file".into());
    };

    // Which Falco rules are loaded: kubefort runs their equivalents only.
    let loaded: BTreeSet<&str> = rules.rules.iter().map(String::as_str).collect();
    let settings = rules.settings();
    let mut analyzer = Analyzer::new(settings, |m| falco_refs(m).any(|r| loaded.contains(r)));
    let mut counts: BTreeMap<&str, u64> = BTreeMap::new();
    let mut severities: Vec<Severity> = Vec::new();
    let mut errors: Vec<String> = Vec::new();
    let file = std::fs::File::open(&trace).unwrap_or_else(|e| panic!("{}: {e}", trace.display()));
    let mut input = reader::decompress(file).unwrap();
    let catalog_by_id: HashMap<&str, &RuleMeta> = catalog.iter().map(|m| (m.id, *m)).collect();
    reader::read_events(
        &mut *input,
        &trace.display().to_string(),
        &mut |ev| {
            analyzer.analyze(ev, &mut |alert| {
                let names: Vec<&'static str> = match alert.equivalent {
                    Some(e) => e.strip_prefix("falco:").into_iter().collect(),
                    None => falco_refs(catalog_by_id[alert.rule]).collect(),
                };
                // An alert counts for the loaded rule of that name, or the older name it was split from.
                let names: Vec<&str> = names
                    .into_iter()
                    .flat_map(|n| {
                        std::iter::once(n).chain(OLD_NAMES.iter().copied().filter(move |o| aliases(o).contains(&n)))
                    })
                    .filter(|n| loaded.contains(n))
                    .collect();
                if !names.is_empty() {
                    severities.push(alert.severity);
                }
                for n in names {
                    *counts.entry(n).or_default() += 1;
                }
            })
        },
        &mut |e| errors.push(e.to_string()),
    )
    .unwrap();

    let mut problems = Vec::new();
    let total = severities.len();
    let detect = case.get("detect").and_then(Value::as_bool).unwrap_or(false);
    if !detect && total > 0 {
        problems.push(format!("expected no detection, got {counts:?}"));
    }
    if detect {
        if total == 0 {
            problems.push("expected detections, got none".into());
        }
        if let Some(level) = case.get("detect_level").and_then(Value::as_str) {
            match priority(level) {
                Some(sev) if !severities.contains(&sev) => {
                    problems.push(format!("no alert at {level} ({sev}); got {severities:?}"))
                }
                None => problems.push(format!("unknown level {level}")),
                _ => {}
            }
        }
        for (rule, n) in &expected {
            let got: u64 = if loaded.contains(rule.as_str()) {
                counts.get(rule.as_str()).copied().unwrap_or(0)
            } else {
                aliases(rule).iter().map(|a| counts.get(a).copied().unwrap_or(0)).sum()
            };
            if got != *n {
                problems.push(format!("`{rule}`: expected {n}, got {got}"));
            }
        }
    }
    if let Some(needle) = case.get("stderr_contains").and_then(Value::as_str) {
        if !errors.iter().any(|e| e.contains(needle)) {
            problems.push(format!("no read error containing `{needle}` (errors: {errors:?})"));
        }
    } else if !errors.is_empty() {
        problems.push(format!("unexpected read errors: {errors:?}"));
    }
    if problems.is_empty() {
        Outcome::Pass
    } else {
        Outcome::Fail(format!("{name}: {}", problems.join("; ")))
    }
}

#[test]
fn falco_k8s_audit_cases() {
    let Some(root) = conformance_dir() else {
        println!("falco conformance: skipped (no conformance directory)");
        return;
    };
    let suite = yaml(&root.join("falco_k8s_audit_tests.yaml"));
    let cases = suite.get("trace_files").and_then(Value::as_object).expect("trace_files map");
    let (mut pass, mut failures, mut unsupported) = (0, Vec::new(), Vec::new());
    for (name, case) in cases {
        match run_case(&root, name, case) {
            Outcome::Pass => pass += 1,
            Outcome::Fail(why) => failures.push(why),
            Outcome::Unsupported(why) => unsupported.push(format!("{name}: {why}")),
        }
    }
    println!("falco conformance: {pass}/{} cases", cases.len());
    for u in &unsupported {
        println!("  unsupported: {u}");
    }
    for f in &failures {
        println!("  FAIL {f}");
    }
    assert!(failures.is_empty(), "falco conformance mismatches:\n{}", failures.join("\n"));
    assert!(unsupported.len() <= 1, "unexpectedly unsupported cases: {unsupported:?}");
}
