//! Windowed detectors and allow-lists, on events built here.

use kubefort_audit::{Alert, Analyzer, AuditSettings, Event};
use serde_json::{json, Value};

fn ev(user: &str, verb: &str, resource: &str, ns: &str, ip: &str, secs: u32, code: u16) -> Value {
    json!({"kind": "Event", "apiVersion": "audit.k8s.io/v1", "auditID": format!("{user}-{secs}"),
        "stage": "ResponseComplete", "verb": verb, "user": {"username": user},
        "sourceIPs": [ip], "objectRef": {"resource": resource, "namespace": ns, "name": "x"},
        "responseStatus": {"code": code}, "userAgent": "Go-http-client/2.0",
        "stageTimestamp": format!("2024-05-01T10:{:02}:{:02}Z", secs / 60, secs % 60)})
}

fn run(settings: AuditSettings, events: &[Value]) -> Vec<Alert> {
    let mut analyzer = Analyzer::new(settings, |_| true);
    let mut alerts = Vec::new();
    for e in events {
        let text = e.to_string();
        let event: Event = serde_json::from_str(&text).unwrap();
        analyzer.analyze(&event, &mut |a| alerts.push(a));
    }
    alerts
}

fn ids(alerts: &[Alert], rule: &str) -> Vec<String> {
    alerts.iter().filter(|a| a.rule == rule).map(|a| a.audit_id.clone()).collect()
}

#[test]
fn service_account_tokens_new_network_and_outside_ranges() {
    let sa = "system:serviceaccount:shop:web";
    let events = [
        ev(sa, "get", "configmaps", "shop", "10.244.1.5", 0, 200),
        ev(sa, "get", "configmaps", "shop", "10.244.7.9", 1, 200), // pod churn: same /16
        ev(sa, "get", "configmaps", "shop", "203.0.113.9", 2, 200), // stolen token
        ev(sa, "get", "configmaps", "shop", "203.0.113.9", 3, 200),
    ];
    let settings = AuditSettings { cluster_ranges: vec!["10.0.0.0/8".into()], ..AuditSettings::default() };
    let alerts = run(settings, &events);
    assert_eq!(ids(&alerts, "KF-AUD-032"), [format!("{sa}-2")]);
    assert_eq!(ids(&alerts, "KF-AUD-033"), [format!("{sa}-2")], "once per account and address");
}

#[test]
fn cross_namespace_first_secret_read_and_mass_delete() {
    let sa = "system:serviceaccount:shop:web";
    let mut events = vec![
        ev(sa, "list", "pods", "payments", "10.244.1.5", 0, 200),
        ev(sa, "list", "pods", "payments", "10.244.1.5", 1, 200),
        ev("system:serviceaccount:kube-system:replicaset-controller", "create", "pods", "shop", "10.0.0.2", 2, 201),
        ev("eve", "list", "secrets", "shop", "192.0.2.1", 3, 200),
        ev("eve", "get", "secrets", "shop", "192.0.2.1", 4, 200),
        ev("eve", "deletecollection", "pods", "shop", "192.0.2.1", 5, 200),
    ];
    events.extend((0..50).map(|i| ev("ops", "delete", "pods", "shop", "192.0.2.2", 10 + i, 200)));
    let alerts = run(AuditSettings::default(), &events);
    assert_eq!(ids(&alerts, "KF-AUD-034"), [format!("{sa}-0")]);
    assert_eq!(ids(&alerts, "KF-AUD-031"), ["eve-3"]);
    assert_eq!(ids(&alerts, "KF-AUD-026"), ["eve-4"], "secret get by a non-system reader");
    assert_eq!(ids(&alerts, "KF-AUD-036"), ["eve-5", "ops-59"]);
}

#[test]
fn allow_lists_silence_rules() {
    let events = [ev("some-user", "create", "namespaces", "", "192.0.2.1", 0, 201)];
    let settings = AuditSettings { allowed_users: vec!["alice".into()], ..AuditSettings::default() };
    let alerts = run(settings.clone(), &events);
    assert_eq!(ids(&alerts, "KF-AUD-021"), ["some-user-0"]);
    assert_eq!(ids(&alerts, "KF-AUD-020"), ["some-user-0"], "namespace x is not allowed");
    let settings = AuditSettings {
        allowed_users: vec!["some-*".into()],
        allowed_namespaces: vec!["x".into()],
        activity: false,
        ..settings
    };
    assert!(run(settings, &events).is_empty());
}
