//! The three fixture nodes (kubeadm's defaults, a hardened node, a badly
//! configured one), built into temporary directories with their file modes
//! and owners, and the expected result of every check on each. Every
//! automated check passes on one fixture and fails on another.

use kubefort_node::testing::{build, Layout};
use kubefort_node::{catalog, scan, NodeScan, Status};
use std::collections::HashMap;

const HARDENED_PROXY: &[&str] = &[
    "/usr/local/bin/kube-proxy",
    "--config=/var/lib/kube-proxy/config.conf",
    "--metrics-bind-address=127.0.0.1:10249",
];
const BAD_PROXY: &[&str] =
    &["kube-proxy", "--kubeconfig=/var/lib/kube-proxy/kubeconfig.conf", "--metrics-bind-address", "0.0.0.0:10249"];

fn run(name: &str, layout: Layout, processes: &[(u32, &[&str])]) -> NodeScan {
    let dir = build(name, layout, processes);
    let result = scan(&dir);
    let _ = std::fs::remove_dir_all(&dir);
    result
}

/// Compares every check's status with the table: checks not listed must PASS.
fn assert_statuses(scan: &NodeScan, not_passing: &[(&str, Status)]) {
    let expected: HashMap<&str, Status> = not_passing.iter().copied().collect();
    let mut wrong = Vec::new();
    for r in &scan.results {
        let key = if r.cis.is_empty() { r.rule } else { r.cis };
        let want = expected.get(key).copied().unwrap_or(Status::Pass);
        if r.status != want {
            wrong.push(format!("{key}: {} (expected {}): {}", r.status.as_str(), want.as_str(), r.detail));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    for (id, _) in not_passing {
        assert!(scan.results.iter().any(|r| r.cis == *id || r.rule == *id), "no check {id}");
    }
}

use Status::{Fail as F, Manual as M, Skip as S, Warn as W};

const MANUAL: [(&str, Status); 4] = [("1.2.20", M), ("3.1.1", M), ("3.1.2", M), ("3.1.3", M)];

#[test]
fn kubeadm_defaults() {
    let scan = run("kubeadm", Layout::Kubeadm, &[]);
    assert!(scan.diagnostics.is_empty(), "{:?}", scan.diagnostics);
    let mut table = vec![
        ("1.1.9", S),
        ("1.1.10", S),
        ("1.1.12", F),
        ("1.2.1", W),
        ("1.2.3", W),
        ("1.2.5", F),
        ("1.2.9", W),
        ("1.2.11", W),
        ("1.2.15", F),
        ("1.2.16", F),
        ("1.2.17", F),
        ("1.2.18", F),
        ("1.2.19", F),
        ("1.2.27", W),
        ("1.2.28", W),
        ("1.2.29", W),
        ("1.2.30", F),
        ("1.3.1", W),
        ("1.3.2", F),
        ("1.4.1", F),
        ("3.2.1", W),
        ("3.2.2", W),
        ("4.1.1", F),
        ("4.1.3", S),
        ("4.1.4", S),
        ("4.1.9", F),
        ("4.2.9", W),
        ("4.2.12", W),
        ("4.2.13", W),
        ("4.2.14", W),
        ("4.3.1", S),
        ("KF-NODE-901", F),
    ];
    table.extend(MANUAL);
    assert_statuses(&scan, &table);
    assert!(scan.failed());
    // kubeadm writes `streamingConnectionIdleTimeout: 0s`: the kubelet's default (4h), not zero.
    let streaming = scan.results.iter().find(|r| r.cis == "4.2.5").unwrap();
    assert!(streaming.detail.contains("4h0m0s"), "{}", streaming.detail);
}

#[test]
fn hardened_node() {
    let scan = run("hardened", Layout::Hardened, &[(812, HARDENED_PROXY)]);
    assert!(scan.diagnostics.is_empty(), "{:?}", scan.diagnostics);
    let mut table = vec![("4.1.3", S), ("4.1.4", S)];
    table.extend(MANUAL);
    assert_statuses(&scan, &table);
    assert!(!scan.failed());
    assert!(scan.findings.is_empty(), "{:#?}", scan.findings);
}

#[test]
fn badly_configured_node() {
    let scan = run("bad", Layout::Loose, &[(77, BAD_PROXY)]);
    let passing = ["1.2.27"];
    let mut table: Vec<(&str, Status)> = catalog::all()
        .filter(|c| !passing.contains(&c.cis) && !matches!(c.test, catalog::Test::Manual))
        .map(|c| (if c.cis.is_empty() { c.meta.id } else { c.cis }, if c.automated { F } else { W }))
        .collect();
    table.extend(MANUAL);
    assert_statuses(&scan, &table);

    // Findings point at the flag or field at fault.
    let at = |rule: &str| {
        let f = scan.findings.iter().find(|f| f.rule == rule).unwrap_or_else(|| panic!("no {rule} finding"));
        let file = f.location.file.rsplit_once("-Loose").map_or(&*f.location.file, |(_, p)| p).to_owned();
        (file, f.location.line, f.location.column)
    };
    let api = "/etc/kubernetes/manifests/kube-apiserver.yaml".to_owned();
    assert_eq!(at("KF-CP-206"), (api.clone(), 17, 11), "--authorization-mode=AlwaysAllow");
    assert_eq!(at("KF-CP-202"), (api.clone(), 29, 11), "--token-auth-file");
    assert_eq!(at("KF-CP-205"), (api, 14, 9), "a missing flag: the command list");
    let flags_env = "/var/lib/kubelet/kubeadm-flags.env".to_owned();
    assert_eq!(at("KF-NODE-201"), (flags_env.clone(), 1, 95), "the flag overrides the config file");
    assert_eq!(at("KF-NODE-204"), (flags_env, 1, 150));
    assert_eq!(at("KF-NODE-211"), ("/var/lib/kubelet/config.yaml".to_owned(), 26, 35));
    assert_eq!(at("KF-CP-502"), ("/etc/kubernetes/manifests/etcd.yaml".to_owned(), 17, 11));
    assert_eq!(at("KF-NODE-301"), ("/proc/77/cmdline".to_owned(), 1, 3));
    // The scheduler's `--profiling true`: a boolean flag takes no separate value.
    assert!(scan.results.iter().any(|r| r.cis == "1.4.1" && r.detail == "--profiling=true, expected false"));
    // Files the flags name run through the same per-object rules as `kubefort scan`.
    assert_eq!(at("KF-CP-001"), ("/etc/kubernetes/encryption.yaml".to_owned(), 8, 19));
    assert_eq!(at("KF-CP-010"), ("/etc/kubernetes/audit-policy.yaml".to_owned(), 3, 8));
    assert!(scan.findings.iter().all(|f| !f.message.contains("dGhpcyBpcyBub3Q")), "keys never printed");
}

#[test]
fn process_flags_override_the_manifest_and_missing_roots_are_empty() {
    let api: &[&str] = &["/usr/local/bin/kube-apiserver", "--profiling=false", "--authorization-mode=Node,RBAC"];
    let scan = run("kubeadm", Layout::Kubeadm, &[(4242, api)]);
    let profiling = scan.results.iter().find(|r| r.cis == "1.2.15").unwrap();
    assert_eq!(profiling.status, Status::Pass, "{}", profiling.detail);
    let node_restriction = scan.results.iter().find(|r| r.cis == "1.2.14").unwrap();
    assert_eq!(node_restriction.status, Status::Fail, "the running process has no NodeRestriction");

    let empty = scan_empty();
    assert!(empty.results.iter().all(|r| matches!(r.status, Status::Skip | Status::Manual | Status::Pass)));
    assert!(!empty.failed());
}

fn scan_empty() -> NodeScan {
    let dir = std::env::temp_dir().join(format!("kubefort-node-empty-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let result = scan(&dir);
    let _ = std::fs::remove_dir_all(&dir);
    result
}

#[test]
fn cis_view_has_sections_statuses_and_totals() {
    let scan = run("kubeadm", Layout::Kubeadm, &[]);
    let mut out = Vec::new();
    kubefort_node::cis::render(&scan, &mut out).unwrap();
    let text = String::from_utf8(out).unwrap();
    assert!(text.contains("[INFO] 1.2 API server"), "{text}");
    assert!(text.contains("[FAIL] 1.2.15 API server profiling endpoints are on (KF-CP-215)"), "{text}");
    assert!(text.contains("[PASS] 1.2.6 "), "{text}");
    assert!(text.contains("[WARN] 1.2.1 "), "{text}");
    assert!(text.contains("== Remediations 1.2 ==\n"), "{text}");
    assert!(text.contains("1.2.15 Set --profiling=false"), "{text}");
    let fails = scan.results.iter().filter(|r| r.status == Status::Fail).count();
    assert!(
        text.contains(&format!(
            "== Summary total ==\n{} checks PASS\n{fails} checks FAIL",
            scan.results.iter().filter(|r| r.status == Status::Pass).count()
        )),
        "{text}"
    );
}
