//! who-can and can on a synthetic cluster of 50,000 bindings: answers stay
//! exact and each query is a single pass (timings printed with --nocapture).

use kubefort_model::Location;
use kubefort_rbac::policy::{SourcedRule, SourcedSubject};
use kubefort_rbac::{
    Authorizer, Binding, BindingKind, Identity, PolicyRule, Request, Role, RoleKind, Subject, SubjectKind,
};
use std::sync::Arc;
use std::time::Instant;

fn at(line: u32) -> Location {
    Location { file: Arc::from("synthetic.yaml"), line, column: 1, template: None }
}

/// 500 namespaces × (4 roles, 100 bindings of one ServiceAccount each),
/// plus one ClusterRole bound cluster-wide to a group.
fn synthetic(namespaces: usize, per_namespace: usize) -> Authorizer {
    let s = |v: &[&str]| v.iter().map(|x| (*x).to_owned()).collect::<Vec<_>>();
    let mut roles = Vec::new();
    let mut bindings = Vec::new();
    let rule = |verbs: &[&str], resources: &[&str]| SourcedRule {
        rule: PolicyRule { verbs: s(verbs), api_groups: s(&[""]), resources: s(resources), ..PolicyRule::default() },
        index: 0,
        location: at(1),
    };
    for n in 0..namespaces {
        let ns = format!("ns-{n}");
        for (name, verbs, resources) in [
            ("reader", &["get", "list"][..], &["configmaps"][..]),
            ("writer", &["create", "update"][..], &["configmaps"][..]),
            ("exec", &["create"][..], &["pods/exec"][..]),
            ("secrets", &["get"][..], &["secrets"][..]),
        ] {
            roles.push(Role {
                kind: RoleKind::Role,
                namespace: Some(ns.clone()),
                name: name.into(),
                labels: vec![],
                rules: vec![rule(verbs, resources)],
                aggregation: None,
                location: at(1),
                builtin: false,
            });
        }
        for b in 0..per_namespace {
            bindings.push(Binding {
                kind: BindingKind::RoleBinding,
                namespace: Some(ns.clone()),
                name: format!("b-{b}"),
                role_kind: RoleKind::Role,
                role_name: ["reader", "writer", "exec", "secrets"][b % 4].into(),
                subjects: vec![SourcedSubject {
                    subject: Subject {
                        kind: SubjectKind::ServiceAccount,
                        name: format!("sa-{b}"),
                        namespace: Some(ns.clone()),
                    },
                    index: 0,
                    location: at(2),
                }],
                location: at(2),
                role_ref_location: at(2),
                labels: vec![],
                builtin: false,
            });
        }
    }
    roles.push(Role {
        kind: RoleKind::ClusterRole,
        namespace: None,
        name: "node-reader".into(),
        labels: vec![],
        rules: vec![rule(&["get"], &["nodes"])],
        aggregation: None,
        location: at(3),
        builtin: false,
    });
    bindings.push(Binding {
        kind: BindingKind::ClusterRoleBinding,
        namespace: None,
        name: "node-readers".into(),
        role_kind: RoleKind::ClusterRole,
        role_name: "node-reader".into(),
        subjects: vec![SourcedSubject {
            subject: Subject { kind: SubjectKind::Group, name: "ops".into(), namespace: None },
            index: 0,
            location: at(4),
        }],
        location: at(4),
        role_ref_location: at(4),
        labels: vec![],
        builtin: false,
    });
    Authorizer::from_parts(roles, bindings, vec![])
}

#[test]
fn who_can_on_50k_bindings() {
    let started = Instant::now();
    let a = synthetic(500, 100);
    assert_eq!(a.bindings.len(), 50_001);
    let built = started.elapsed();

    let started = Instant::now();
    let who = a.who_can(&Request::resource("create", "", "pods/exec", "ns-42", ""));
    let who_can_one_ns = started.elapsed();
    assert_eq!(who.len(), 25, "every 4th binding of ns-42 is to the exec role");
    assert!(who.iter().all(|w| w.subject.namespace.as_deref() == Some("ns-42")));

    let started = Instant::now();
    let everywhere = a.who_can(&Request::resource("get", "", "nodes", "", ""));
    let who_can_cluster = started.elapsed();
    assert_eq!(everywhere.len(), 1);

    let started = Instant::now();
    let sa = Identity::parse("sa:ns-499:sa-3").unwrap();
    assert!(a.authorize(&sa, &Request::resource("get", "", "secrets", "ns-499", "")).allowed);
    assert!(!a.authorize(&sa, &Request::resource("get", "", "secrets", "ns-498", "")).allowed);
    let can = started.elapsed();
    eprintln!("50,001 bindings: index {built:?}, who-can in a namespace {who_can_one_ns:?}, cluster-wide {who_can_cluster:?}, two can queries {can:?}");
}
