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
