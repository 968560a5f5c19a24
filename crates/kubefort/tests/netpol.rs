//! `kubefort netpol …` end to end: output, exit codes, errors.

use std::path::PathBuf;
use std::process::{Command, Output};

const APP: &str = r#"
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec: {template: {metadata: {labels: {app: web}}, spec: {containers: [{name: c, ports: [{name: http, containerPort: 8080}]}]}}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: db, namespace: shop}
spec: {template: {metadata: {labels: {app: db}}, spec: {containers: [{name: c}]}}}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: db-in, namespace: shop}
spec:
  podSelector: {matchLabels: {app: db}}
  ingress: [{from: [{podSelector: {matchLabels: {app: web}}}], ports: [{port: 5432}]}]
"#;

fn fixture(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("kubefort-netpol-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("app.yaml"), APP).unwrap();
    dir
}

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kubefort")).args(args).output().unwrap()
}

#[test]
fn connlist_txt_and_json() {
    let dir = fixture("connlist");
    let d = dir.to_str().unwrap();
    let out = run(&["netpol", "connlist", d]);
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("shop/web[Deployment] => shop/db[Deployment] : TCP 5432\n"), "{text}");
    assert!(!text.contains("=> shop/web[Deployment] : TCP"), "web is not isolated: {text}");
    assert!(!text.contains("[External] => shop/db"), "{text}");
    let out = run(&["netpol", "connlist", d, "-o", "json"]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(json.as_array().unwrap().iter().any(|c| c["src"] == "shop/web[Deployment]" && c["conn"] == "TCP 5432"));
    assert_eq!(run(&["netpol", "connlist", d, "-o", "xml"]).status.code(), Some(2));
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn explain_answers_with_the_deciding_rule_and_exit_code() {
    let dir = fixture("explain");
    let d = dir.to_str().unwrap();
    let yes = run(&["netpol", "explain", "shop/web", "shop/db", "--port", "5432/TCP", d]);
    let text = String::from_utf8(yes.stdout).unwrap();
    assert_eq!(yes.status.code(), Some(0), "{text}");
    assert!(text.contains("allowed by shop/db-in /spec/ingress/0"), "{text}");
    assert!(text.contains("egress of shop/web[Deployment]: not isolated"), "{text}");
    let no = run(&["netpol", "explain", "shop/web", "shop/db", "--port", "80", d]);
    assert_eq!(no.status.code(), Some(1));
    assert!(String::from_utf8(no.stdout).unwrap().contains("verdict: 80/TCP denied (by ingress)"));
    let ext = run(&["netpol", "explain", "203.0.113.9", "shop/db", d]);
    assert_eq!(ext.status.code(), Some(1));
    let missing = run(&["netpol", "explain", "shop/nope", "shop/db", d]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(String::from_utf8(missing.stderr).unwrap().contains("no workload or pod `shop/nope`"));
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn quarantine_prints_a_policy_that_cuts_the_workload_off() {
    let dir = fixture("quarantine");
    let d = dir.to_str().unwrap();
    let out = run(&["netpol", "quarantine", "shop/web", "--allow-dns", d]);
    assert_eq!(out.status.code(), Some(0));
    let policy = String::from_utf8(out.stdout).unwrap();
    assert!(policy.contains("kind: NetworkPolicy") && policy.contains("app: web"), "{policy}");
    std::fs::write(dir.join("quarantine.yaml"), &policy).unwrap();
    let after = String::from_utf8(run(&["netpol", "connlist", d]).stdout).unwrap();
    assert!(!after.contains("shop/web[Deployment] =>"), "{after}");
    assert!(!after.contains("=> shop/web[Deployment]"), "{after}");
    let _ = std::fs::remove_dir_all(dir);
}
