//! The demo apps in `examples/`: the hardened twin scans clean, and the
//! insecure twin triggers every rule of the catalog (a new rule needs an
//! insecure example, or this test fails).

use serde_json::Value;
use std::collections::BTreeSet;
use std::path::PathBuf;
use std::process::Command;

fn examples() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../examples")
}

/// Runs the built binary and returns its exit code and parsed JSON output.
fn kubefort(args: &[&str]) -> (i32, Value) {
    let output = Command::new(env!("CARGO_BIN_EXE_kubefort")).args(args).output().expect("run kubefort");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let json = serde_json::from_str(&stdout).unwrap_or_else(|e| {
        panic!("{args:?}: output is not JSON ({e}): {stdout}\nstderr: {}", String::from_utf8_lossy(&output.stderr))
    });
    (output.status.code().expect("exit code"), json)
}

fn scan(dir: &str) -> (i32, Value) {
    let path = examples().join(dir);
    kubefort(&["scan", path.to_str().expect("utf-8 path"), "-o", "json"])
}

/// Rules that fired: each finding's own rule and the rules it absorbed
/// (`alsoViolates`: a `pss:` check folded into the KF rule on the same field).
fn rule_ids(findings: &Value) -> BTreeSet<String> {
    let findings = findings.as_array().expect("findings array");
    let own = findings.iter().filter_map(|f| f["rule"].as_str());
    let absorbed = findings.iter().filter_map(|f| f["alsoViolates"].as_array()).flatten().filter_map(Value::as_str);
    own.chain(absorbed).map(str::to_owned).collect()
}

#[test]
fn hardened_example_is_clean() {
    let (code, report) = scan("hardened");
    assert_eq!(report["findings"], Value::Array(vec![]), "hardened example has findings");
    assert_eq!(report["summary"]["errors"], 0);
    assert_eq!(report["summary"]["suppressed"], 0, "hardened example must not hide findings");
    assert!(report["summary"]["objects"].as_u64().unwrap_or(0) >= 8, "{}", report["summary"]);
    assert_eq!(code, 0);
}

#[test]
fn insecure_example_triggers_every_rule() {
    let (_, catalog) = kubefort(&["rules", "--format", "json"]);
    let all: BTreeSet<String> = catalog["rules"]
        .as_array()
        .expect("rules array")
        .iter()
        // `kubefort node` checks (listed with their `cis` id) run on a node's
        // files, not manifests (tests/node.rs).
        .filter(|r| r.get("cis").is_none())
        .filter_map(|r| r["id"].as_str())
        // Audit-log detectors fire on audit events, not manifests (tests/audit.rs).
        .filter(|id| !id.starts_with("KF-AUD-"))
        .map(str::to_owned)
        .collect();
    assert!(all.len() >= 15, "catalog looks empty: {all:?}");

    let (code, report) = scan("insecure");
    assert_eq!(code, 1);
    assert_eq!(report["summary"]["errors"], 0);
    let fired = rule_ids(&report["findings"]);
    let missing: Vec<_> = all.difference(&fired).collect();
    assert!(missing.is_empty(), "examples/insecure triggers no finding of {missing:?}");
    // The valid suppression in the example applies (and is counted).
    assert!(report["summary"]["suppressed"].as_u64().unwrap_or(0) >= 1, "{}", report["summary"]);
    // The registry rule fired because examples/.kubefort.yaml was found.
    assert!(fired.contains("KF-IMG-003"));
}
