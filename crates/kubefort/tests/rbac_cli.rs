//! `kubefort rbac`: answers, proofs and exit codes (0 yes, 1 no, 2 usage).

use std::process::Command;

const RBAC: &str = r#"apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: reader, namespace: apps}
rules:
- apiGroups: [""]
  resources: [configmaps]
  verbs: [get, list]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: reader, namespace: apps}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: reader}
subjects:
- kind: ServiceAccount
  name: web
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: devs-edit, namespace: apps}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: edit}
subjects:
- {kind: Group, name: devs}
"#;

fn run(args: &[&str]) -> (i32, String) {
    static CALLS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let call = CALLS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("kubefort-rbac-cli-{}-{call}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("rbac.yaml");
    std::fs::write(&file, RBAC).unwrap();
    let mut all: Vec<&str> = vec!["rbac"];
    all.extend_from_slice(args);
    let path = file.to_str().unwrap().to_owned();
    all.push(&path);
    let out = Command::new(env!("CARGO_BIN_EXE_kubefort")).args(&all).output().unwrap();
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stdout).into_owned())
}

#[test]
fn can_answers_yes_with_proof_and_no_with_exit_1() {
    let (code, out) = run(&["can", "sa:apps:web", "list", "configmaps", "-n", "apps", "-o", "json"]);
    assert_eq!(code, 0, "{out}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["allowed"], true);
    assert_eq!(v["proofs"][0]["binding"]["name"], "reader");
    assert_eq!(v["proofs"][0]["rule"]["location"]["line"], 5);

    let (code, out) = run(&["can", "sa:apps:web", "list", "configmaps", "-n", "other"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.starts_with("no:"), "{out}");

    let (code, _) = run(&["can", "group:devs", "create", "pods/exec", "-n", "apps"]);
    assert_eq!(code, 1, "edit is unknown without defaults");
    let (code, out) = run(&["can", "group:devs", "create", "pods/exec", "-n", "apps", "--with-defaults"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("aggregated from ClusterRole system:aggregate-to-edit"), "{out}");
}

#[test]
fn who_can_and_permissions() {
    let (code, out) = run(&["who-can", "get", "configmaps", "-n", "apps", "-o", "json"]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let subjects = v["subjects"].as_array().unwrap();
    assert_eq!(subjects.len(), 1);
    assert_eq!(subjects[0]["subject"]["name"], "web");
    let (code, out) = run(&["who-can", "delete", "nodes"]);
    assert_eq!(code, 1, "{out}");

    let (code, out) = run(&["permissions", "sa:apps:web", "-o", "json"]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["scopes"]["apps"][0]["resource"], "configmaps");
    assert_eq!(v["scopes"]["apps"][0]["verbs"], serde_json::json!(["get", "list"]));
}

#[test]
fn bad_subject_or_resource_is_a_usage_error() {
    assert_eq!(run(&["can", "bob", "get", "pods"]).0, 2);
    assert_eq!(run(&["can", "user:bob", "get", "pods/"]).0, 2);
}

fn examples() -> std::path::PathBuf {
    std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../examples")
}

fn kubefort(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_kubefort")).args(args).output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn paths_exit_1_when_a_path_exists_and_0_otherwise() {
    let insecure = examples().join("insecure");
    let hardened = examples().join("hardened");
    let (code, out, _) = kubefort(&["rbac", "paths", insecure.to_str().unwrap(), "-o", "json"]);
    assert_eq!(code, 1, "{out}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let paths = v["paths"].as_array().unwrap();
    let alice = paths.iter().find(|p| p["subject"] == "user:alice@example.com").expect("alice holds it");
    assert_eq!(alice["steps"].as_array().unwrap().len(), 0);
    let everyone = paths.iter().find(|p| p["subject"] == "group:system:authenticated").expect("every user");
    assert_eq!(everyone["steps"][0]["technique"], "impersonate-users");
    assert_eq!(everyone["steps"][0]["proofs"][0]["proof"]["binding"]["name"], "shop-operations-everyone");

    let (code, out, _) = kubefort(&["rbac", "paths", hardened.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}");
    assert!(out.starts_with("no path"), "{out}");

    let (code, out, _) = kubefort(&["rbac", "paths", "--target", "get configmaps -n shop", hardened.to_str().unwrap()]);
    assert_eq!(code, 0, "the report job can only read one named ConfigMap: {out}");
    let (code, out, _) = kubefort(&[
        "rbac",
        "paths",
        "--target",
        "get configmaps -n shop --name report-settings",
        hardened.to_str().unwrap(),
    ]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("ServiceAccount shop/shop-report holds it directly"), "{out}");

    let (code, _, err) = kubefort(&["rbac", "paths", "--target", "get", hardened.to_str().unwrap()]);
    assert_eq!(code, 2, "{err}");
    let (code, _, _) = kubefort(&["rbac", "paths", "/nonexistent/kubefort"]);
    assert_eq!(code, 2);
}

#[test]
fn assert_passes_on_hardened_and_fails_on_insecure() {
    let tests = examples().join("rbac-tests.yaml");
    let tests = tests.to_str().unwrap();
    let hardened = examples().join("hardened");
    let insecure = examples().join("insecure");
    let (code, out, _) = kubefort(&["rbac", "assert", tests, hardened.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("6 tests, 6 passed, 0 failed"), "{out}");

    let (code, out, _) = kubefort(&["rbac", "assert", tests, insecure.to_str().unwrap(), "-o", "json"]);
    assert_eq!(code, 1, "{out}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["tests"], 6);
    let results = v["results"].as_array().unwrap();
    let failed: Vec<bool> = results.iter().map(|r| r["passed"].as_bool().unwrap()).collect();
    assert_eq!(failed, [false, true, false, false, false, false]);
    assert_eq!(results[0]["line"], 10);
    assert!(results[5]["message"].as_str().unwrap().contains("user:alice@example.com"), "{}", results[5]);

    let (code, out, _) = kubefort(&["rbac", "assert", tests, insecure.to_str().unwrap(), "-o", "junit"]);
    assert_eq!(code, 1);
    assert!(out.starts_with("<?xml"), "{out}");
    assert!(out.contains(r#"tests="6" failures="5""#), "{out}");
    assert_eq!(out.matches("<testcase ").count(), 6);
    assert_eq!(out.matches("<failure ").count(), 5);
    assert!(out.contains("&quot;report-settings&quot;"), "names are escaped in attributes: {out}");
}

#[test]
fn assert_reports_mistakes_with_line_and_column() {
    let dir = std::env::temp_dir().join(format!("kubefort-rbac-assert-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("tests.yaml");
    std::fs::write(
        &file,
        "- subject: sa:shop:x\n  verb: get\n  resource: secrets\n  expect: maybe\n- subject: bob\n  verb: get\n  resource: pods\n  expect: deny\n  namespce: shop\n- noPathToClusterAdminExcept: [user:a, 3]\n",
    )
    .unwrap();
    let path = file.to_str().unwrap();
    let (code, _, err) = kubefort(&["rbac", "assert", path, examples().join("hardened").to_str().unwrap()]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains(&format!("{path}:4:11: error: `expect` is allow or deny")), "{err}");
    assert!(err.contains(&format!("{path}:5:12: error: `bob`")), "{err}");
    assert!(err.contains(&format!("{path}:9:3: error: unknown key `namespce`")), "{err}");
    assert!(err.contains(&format!("{path}:10:40: error: expected a subject")), "{err}");

    std::fs::write(&file, "subject: x\n").unwrap();
    let (code, _, err) = kubefort(&["rbac", "assert", path]);
    assert_eq!(code, 2);
    assert!(err.contains(":1:1: error: expected a list of tests"), "{err}");
    std::fs::write(&file, "- [unclosed\n").unwrap();
    let (code, _, err) = kubefort(&["rbac", "assert", path]);
    assert_eq!(code, 2);
    assert!(err.contains("tests.yaml:"), "{err}");
    let (code, _, _) = kubefort(&["rbac", "assert", "/nonexistent/tests.yaml"]);
    assert_eq!(code, 2);
}
