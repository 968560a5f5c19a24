//! `kubefort audit analyze`: formats, gzip, EventList, malformed lines,
//! configuration, selection and exit codes. Events are built here.

mod common;

use common::{run_in, TempDir};
use serde_json::{json, Value};
use std::io::Write;

fn event(id: &str, user: &str, verb: &str, resource: &str, ns: &str, code: u16, body: Value) -> Value {
    json!({
        "kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "RequestResponse",
        "auditID": id, "stage": "ResponseComplete", "requestURI": format!("/api/v1/namespaces/{ns}/{resource}"),
        "verb": verb, "user": {"username": user, "groups": ["system:authenticated"]},
        "sourceIPs": ["10.0.0.7"], "userAgent": "kubectl/v1.30.0",
        "objectRef": {"resource": resource, "namespace": ns, "name": "x", "apiVersion": "v1"},
        "responseStatus": {"code": code}, "requestObject": body,
        "stageTimestamp": "2024-05-01T10:00:00.000000Z"
    })
}

fn privileged_pod(id: &str, image: &str) -> Value {
    event(
        id,
        "alice",
        "create",
        "pods",
        "shop",
        201,
        json!({"spec": {"containers": [{"name": "c", "image": image, "securityContext": {"privileged": true}}]}}),
    )
}

fn lines(events: &[Value]) -> String {
    events.iter().map(|e| format!("{e}\n")).collect()
}

fn alerts(stdout: &str) -> Vec<Value> {
    stdout.lines().map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}"))).collect()
}

#[test]
fn json_alerts_carry_the_contract_fields_and_exit_one() {
    let dir = TempDir::new("audit-json");
    dir.write("log.json", lines(&[privileged_pod("p1", "nginx:1.25")]));
    let run = run_in(dir.path(), &["audit", "analyze", "-o", "json", "log.json"], None);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let alerts = alerts(&run.stdout);
    let a = alerts.iter().find(|a| a["rule"] == "KF-AUD-001").expect("privileged pod alert");
    for field in ["rule", "severity", "time", "auditID", "user", "groups", "sourceIPs", "verb", "objectRef", "message"]
    {
        assert!(a.get(field).is_some(), "missing {field}: {a}");
    }
    assert_eq!(a["auditID"], "p1");
    assert_eq!(a["objectRef"]["namespace"], "shop");
    assert!(a["message"].as_str().unwrap().contains("nginx:1.25"));
}

#[test]
fn gzip_eventlist_stdin_and_malformed_lines() {
    let dir = TempDir::new("audit-gz");
    let list = json!({"kind": "EventList", "apiVersion": "audit.k8s.io/v1",
        "items": [privileged_pod("a", "nginx"), privileged_pod("b", "nginx")]});
    let text = format!("{list}\nthis is not json\n{}\n", privileged_pod("c", "nginx"));
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(text.as_bytes()).unwrap();
    let bytes = gz.finish().unwrap();
    dir.write("log.gz", &bytes);
    let run = run_in(dir.path(), &["audit", "analyze", "-o", "json", "log.gz"], None);
    let ids: Vec<String> = alerts(&run.stdout)
        .iter()
        .filter(|a| a["rule"] == "KF-AUD-001")
        .map(|a| a["auditID"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(ids, ["a", "b", "c"]);
    assert!(run.stderr.contains("log.gz:2: invalid JSON"), "{}", run.stderr);
    assert_eq!(run.code, 1);
    let run = run_in(dir.path(), &["audit", "analyze", "-o", "json", "-"], Some(&bytes));
    assert_eq!(alerts(&run.stdout).iter().filter(|a| a["rule"] == "KF-AUD-001").count(), 3);
}

#[test]
fn config_allow_lists_selection_and_exit_codes() {
    let dir = TempDir::new("audit-config");
    dir.write("log.json", lines(&[privileged_pod("p1", "docker.io/calico/node:v3")]));
    // calico/node is trusted by default; only the activity/anomaly rules remain (below low).
    let run = run_in(dir.path(), &["audit", "analyze", "log.json", "--select", "KF-AUD-001"], None);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    dir.write("log.json", lines(&[privileged_pod("p1", "ghcr.io/acme/agent:1")]));
    let run = run_in(dir.path(), &["audit", "analyze", "log.json", "--select", "KF-AUD-001"], None);
    assert_eq!(run.code, 1);
    assert!(run.stdout.contains("KF-AUD-001") && run.stdout.contains("top subjects"), "{}", run.stdout);
    dir.write(".kubefort.yaml", "audit:\n  trustedImages:\n    privileged: [ghcr.io/acme/*]\n");
    let run = run_in(dir.path(), &["audit", "analyze", "log.json", "--select", "KF-AUD-001"], None);
    assert_eq!(run.code, 0, "{}", run.stdout);
    dir.write(".kubefort.yaml", "audit:\n  trustedImage: []\n");
    let run = run_in(dir.path(), &["audit", "analyze", "log.json"], None);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains(":2:"), "{}", run.stderr);
    let run = run_in(dir.path(), &["audit", "analyze", "missing.json", "--config", "/dev/null"], None);
    assert_eq!(run.code, 2);
    let run = run_in(dir.path(), &["audit", "analyze", "log.json", "--select", "KF-NOPE"], None);
    assert_eq!(run.code, 2);
}

#[test]
fn anomalies_auth_failure_burst_and_impersonation() {
    let dir = TempDir::new("audit-anomaly");
    let mut events: Vec<Value> =
        (0..12).map(|i| event(&format!("f{i}"), "mallory", "list", "secrets", "shop", 403, Value::Null)).collect();
    let mut imp = event("i1", "bob", "get", "secrets", "shop", 200, Value::Null);
    imp["impersonatedUser"] = json!({"username": "system:admin", "groups": ["system:masters"]});
    events.push(imp);
    dir.write("log.json", lines(&events));
    let run = run_in(dir.path(), &["audit", "analyze", "-o", "json", "log.json", "--config", "/dev/null"], None);
    let alerts = alerts(&run.stdout);
    let burst: Vec<&Value> = alerts.iter().filter(|a| a["rule"] == "KF-AUD-030").collect();
    assert_eq!(burst.len(), 2, "one per user and one per source IP: {burst:?}");
    assert_eq!(burst[0]["auditID"], "f9", "the 10th refusal trips the threshold");
    assert!(alerts
        .iter()
        .any(|a| a["rule"] == "KF-AUD-035" && a["message"].as_str().unwrap().contains("system:admin")));
}

#[test]
fn explain_and_rules_list_the_audit_detectors() {
    let dir = TempDir::new("audit-explain");
    let run = run_in(dir.path(), &["explain", "KF-AUD-001"], None);
    assert_eq!(run.code, 0);
    assert!(
        run.stdout.contains("## What it does") && run.stdout.contains("falco:Create Privileged Pod"),
        "{}",
        run.stdout
    );
    let run = run_in(dir.path(), &["rules", "--format", "json"], None);
    let doc: Value = serde_json::from_str(&run.stdout).unwrap();
    let ids: Vec<&str> = doc["rules"].as_array().unwrap().iter().filter_map(|r| r["id"].as_str()).collect();
    assert!(ids.contains(&"KF-AUD-037") && ids.contains(&"KF-POD-001"));
}
