//! The node checks of `kubefort node` in `kubefort rules` and `kubefort explain`.

use serde_json::Value;
use std::collections::HashSet;
use std::process::Command;

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Run {
    fn json(&self) -> Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| panic!("{e}: {}", self.stdout))
    }
}

fn kubefort(args: &[&str]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_kubefort")).args(args).env("NO_COLOR", "1").output().unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
    }
}

// ---- the node checks in the rule catalog ---------------------------------------------

fn number(id: &str) -> u32 {
    id.rsplit('-').next().unwrap().parse().unwrap_or_else(|_| panic!("{id}"))
}

#[test]
fn rules_list_the_node_checks_and_ids_never_collide() {
    let r = kubefort(&["rules", "--format", "json"]);
    assert_eq!(r.code, 0);
    let doc = r.json();
    let rules = doc["rules"].as_array().unwrap();
    let ids: HashSet<&str> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
    let names: HashSet<&str> = rules.iter().map(|r| r["name"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), rules.len(), "rule ids are unique");
    assert_eq!(names.len(), rules.len(), "rule names are unique (`kubefort explain NAME`)");

    // Every node check is listed, with its CIS id and scoring.
    for check in kubefort_node::catalog::all() {
        let rule = rules.iter().find(|r| r["id"] == check.meta.id).unwrap_or_else(|| panic!("{}", check.meta.id));
        assert_eq!(rule["cis"], check.cis);
        assert_eq!(rule["automated"], check.automated);
        let doc = rule["documentation"].as_str().unwrap();
        assert!(doc.contains("## What it does") && doc.contains("## Why is this bad?"), "{doc}");
    }
    // Node checks are numbered from 100, per-object KF-CP/KF-NODE rules below.
    for rule in rules {
        let id = rule["id"].as_str().unwrap();
        if !(id.starts_with("KF-CP-") || id.starts_with("KF-NODE-")) {
            continue;
        }
        let node_check = kubefort_node::catalog::all().any(|c| c.meta.id == id);
        assert_eq!(node_check, rule.get("cis").is_some(), "{id}");
        assert_eq!(node_check, number(id) >= 100, "{id}: node checks are KF-CP-1NN.., per-object rules KF-CP-0NN");
    }

    let human = kubefort(&["rules"]).stdout;
    assert!(human.lines().any(|l| l.starts_with("KF-CP-201 ") && l.contains("apiserver-anonymous-auth")));
    let markdown = kubefort(&["rules", "--format", "markdown"]).stdout;
    assert!(markdown.contains("\n## KF-NODE-201\n"));
    assert!(markdown.contains("· CIS 1.12 control 4.2.1 (Automated)"), "markdown names the CIS control");
}

#[test]
fn explain_a_node_check_by_id_name_or_cis_id() {
    let r = kubefort(&["explain", "KF-CP-201"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    for text in [
        "# KF-CP-201 API server accepts anonymous requests (apiserver-anonymous-auth)",
        "## What it does",
        "`--anonymous-auth` is `false`",
        "## Why is this bad?",
        "## Example",
        "kube-apiserver --anonymous-auth=true",
        "## Use instead",
        "kube-apiserver --anonymous-auth=false",
        "## References",
        "Severity: medium",
        "Fix: Set --anonymous-auth=false",
        "Benchmark: CIS 1.12 control 1.2.1 (Manual)",
        "reports a failure as WARN",
    ] {
        assert!(r.stdout.contains(text), "{text}\n{}", r.stdout);
    }
    for key in ["kf-cp-201", "apiserver-anonymous-auth", "cis-1.12:1.2.1", "1.2.1"] {
        assert_eq!(kubefort(&["explain", key]).stdout, r.stdout, "{key}");
    }
    let automated = kubefort(&["explain", "cis-1.12:1.1.13"]).stdout;
    assert!(automated.contains("a failure is FAIL and makes `kubefort node` exit 1"), "{automated}");
    assert!(automated.contains("600 root:root /etc/kubernetes/admin.conf"), "{automated}");
    let extra = kubefort(&["explain", "KF-NODE-901"]).stdout;
    assert!(extra.contains("Benchmark: `kubefort node` check, not in CIS (Automated)"), "{extra}");
    assert!(extra.contains("protectKernelDefaults: true"), "{extra}");
    // Per-object rules keep their own ids.
    assert!(kubefort(&["explain", "KF-NODE-001"]).stdout.starts_with("# KF-NODE-001 "));
    assert_eq!(kubefort(&["explain", "9.9.9"]).code, 2);
}
