//! `kubefort node` end to end on fixture node trees (built by
//! `kubefort_node::testing` with the modes and owners git cannot keep), and
//! the node checks in `kubefort rules` and `kubefort explain`.

use kubefort_node::testing::{build, Layout};
use serde_json::Value;
use std::collections::HashSet;
use std::path::PathBuf;
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

/// A fixture tree, removed when dropped.
struct Tree(PathBuf);

impl Tree {
    fn hardened() -> Tree {
        let proxy: &[&str] = &[
            "/usr/local/bin/kube-proxy",
            "--config=/var/lib/kube-proxy/config.conf",
            "--metrics-bind-address=127.0.0.1:10249",
        ];
        Tree(build("hardened", Layout::Hardened, &[(812, proxy)]))
    }
    fn bad() -> Tree {
        let proxy: &[&str] = &[
            "kube-proxy",
            "--kubeconfig=/var/lib/kube-proxy/kubeconfig.conf",
            "--metrics-bind-address",
            "0.0.0.0:10249",
        ];
        Tree(build("bad", Layout::Loose, &[(77, proxy)]))
    }
    fn node(&self, format: &str) -> Run {
        kubefort(&["node", "--root", self.0.to_str().unwrap(), "-o", format])
    }
}

impl Drop for Tree {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn check_count() -> usize {
    kubefort_node::catalog::all().count()
}

#[test]
fn hardened_node_passes() {
    let tree = Tree::hardened();
    let r = tree.node("cis");
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    assert!(
        r.stdout.lines().any(|l| l.starts_with("[INFO] kube-apiserver: ")
            && l.ends_with("/etc/kubernetes/manifests/kube-apiserver.yaml")),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("[PASS] 1.2.6 --authorization-mode does not include AlwaysAllow (KF-CP-206)"));
    // Everything passes but the four manual checks and kube-proxy's kubeconfig
    // (it runs from a config file here).
    let total = format!(
        "== Summary total ==\n{} checks PASS\n0 checks FAIL\n0 checks WARN\n4 checks MANUAL\n2 checks SKIP\n",
        check_count() - 6
    );
    assert!(r.stdout.ends_with(&total), "{}", r.stdout);
    assert!(!r.stdout.contains("[FAIL]"));

    let json = tree.node("json").json();
    assert_eq!(json["findings"].as_array().map(Vec::len), Some(0), "{json}");
}

#[test]
fn bad_node_fails_with_cis_ids_and_locations() {
    let tree = Tree::bad();
    let cis = tree.node("cis");
    assert_eq!(cis.code, 1, "{}", cis.stderr);
    for line in [
        "[FAIL] 1.2.6 API server authorizes every request (AlwaysAllow) (KF-CP-206)",
        "[FAIL] 1.1.13 Cluster-admin kubeconfig is readable by others (KF-CP-113)",
        "[FAIL] 2.2 etcd does not require client certificates (KF-CP-502)",
        "[FAIL] 4.2.1 Kubelet allows anonymous requests (KF-NODE-201)",
        "[FAIL] 4.3.1 kube-proxy metrics are served beyond localhost (KF-NODE-301)",
        "[WARN] 1.2.1 API server accepts anonymous requests (KF-CP-201)",
        "[FAIL] KF-NODE-901 Kubelet may change kernel settings (KF-NODE-901)",
    ] {
        assert!(cis.stdout.lines().any(|l| l == line), "{line}\n{}", cis.stdout);
    }
    assert!(cis.stdout.contains("\n1.2.6 Set --authorization-mode=Node,RBAC\n"), "remediations");

    let json = tree.node("json");
    assert_eq!(json.code, 1);
    let findings = json.json()["findings"].as_array().cloned().unwrap();
    let at = |rule: &str| {
        let f = findings.iter().find(|f| f["rule"] == rule).unwrap_or_else(|| panic!("no {rule}"));
        let file = f["file"].as_str().unwrap();
        let file = file.strip_prefix(tree.0.to_str().unwrap()).unwrap_or(file).to_owned();
        (file, f["line"].as_u64().unwrap(), f["column"].as_u64().unwrap())
    };
    let api = "/etc/kubernetes/manifests/kube-apiserver.yaml".to_owned();
    assert_eq!(at("KF-CP-206"), (api.clone(), 17, 11), "--authorization-mode=AlwaysAllow");
    assert_eq!(at("KF-CP-202"), (api, 29, 11), "--token-auth-file");
    assert_eq!(at("KF-NODE-201"), ("/var/lib/kubelet/kubeadm-flags.env".to_owned(), 1, 95));
    assert_eq!(at("KF-NODE-301"), ("/proc/77/cmdline".to_owned(), 1, 3));
    let f = findings.iter().find(|f| f["rule"] == "KF-CP-206").unwrap();
    assert_eq!(f["references"][0], "cis-1.12:1.2.6", "{f}");
    assert!(f["message"].as_str().unwrap().contains("AlwaysAllow"), "{f}");
}

#[test]
fn cis_json_has_sections_statuses_locations_and_totals() {
    let tree = Tree::bad();
    let r = tree.node("cis-json");
    assert_eq!(r.code, 1, "{}", r.stderr);
    let doc = r.json();
    assert_eq!(doc["benchmark"], "CIS Kubernetes Benchmark 1.12");
    assert!(doc["components"].as_array().unwrap().iter().any(|c| c["name"] == "etcd"), "{}", doc["components"]);
    let sections = doc["sections"].as_array().unwrap();
    let ids: Vec<&str> = sections.iter().map(|s| s["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["1.1", "1.2", "1.3", "1.4", "2", "3.1", "3.2", "4.1", "4.2", "4.3", "K"]);
    let api = &sections[1];
    assert_eq!(api["title"], "API server");
    let check = api["checks"].as_array().unwrap().iter().find(|c| c["cis"] == "1.2.6").unwrap();
    assert_eq!(check["rule"], "KF-CP-206");
    assert_eq!(check["status"], "FAIL");
    assert_eq!(check["automated"], true);
    assert_eq!(check["remediation"], "Set --authorization-mode=Node,RBAC");
    let location = &check["locations"][0];
    assert!(location["file"].as_str().unwrap().ends_with("/etc/kubernetes/manifests/kube-apiserver.yaml"));
    assert_eq!((location["line"].as_u64(), location["column"].as_u64()), (Some(17), Some(11)));
    let passing = api["checks"].as_array().unwrap().iter().find(|c| c["cis"] == "1.2.27").unwrap();
    assert_eq!(passing["status"], "PASS");
    assert_eq!(passing["locations"].as_array().map(Vec::len), Some(0));

    // Section totals add up to the overall totals, and those to every check.
    let statuses = ["pass", "fail", "warn", "manual", "skip"];
    let mut sum = 0;
    for status in statuses {
        let per_section: u64 = sections.iter().map(|s| s["totals"][status].as_u64().unwrap()).sum();
        assert_eq!(per_section, doc["totals"][status].as_u64().unwrap(), "{status}");
        sum += per_section as usize;
    }
    assert_eq!(sum, check_count());
    assert_eq!(doc["totals"]["manual"], 4);
    assert_eq!(doc["totals"]["pass"], 1, "only 1.2.27 passes");
}

#[test]
fn root_must_be_a_directory() {
    let missing = kubefort(&["node", "--root", "/nonexistent/kubefort-node-root"]);
    assert_eq!(missing.code, 2);
    assert!(missing.stderr.contains("not a directory"), "{}", missing.stderr);
    let file = kubefort(&["node", "--root", env!("CARGO_BIN_EXE_kubefort")]);
    assert_eq!(file.code, 2);
    assert!(file.stdout.is_empty());
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
