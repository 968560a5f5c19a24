//! who-can and can on a synthetic cluster of 50,000 bindings: answers stay
//! exact and each query is a single pass (timings printed with --nocapture).

use kubefort_load::{load_texts, Limits};
use kubefort_rbac::paths::{Principal, DEFAULT_MAX_DEPTH};
use kubefort_rbac::synthetic::{self, Spec};
use kubefort_rbac::{Authorizer, Facts, Goal, Graph, Identity, Options, Request};
use std::sync::Arc;
use std::time::Instant;

#[test]
fn who_can_on_50k_bindings() {
    let started = Instant::now();
    let a = synthetic::bindings_only(500, 100);
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

#[test]
fn generated_cluster_is_deterministic_with_exact_counts_and_paths() {
    let spec = Spec { namespaces: 10, service_accounts: 4, roles: 8, bindings: 20, pods: 6 };
    let text = synthetic::cluster_yaml(&spec);
    assert_eq!(text, synthetic::cluster_yaml(&spec));
    let loaded = load_texts(vec![(Arc::from("synthetic.yaml"), text)], Limits::default());
    assert!(loaded.diagnostics.is_empty(), "{:?}", &loaded.diagnostics[..1]);
    let count = |kind: &str| loaded.objects.iter().filter(|o| o.kind == kind).count();
    assert_eq!(count("ServiceAccount"), 40);
    assert_eq!(count("Role"), 80);
    assert_eq!(count("RoleBinding"), 200);
    assert_eq!(count("Pod"), 60);
    let a = Authorizer::new(&loaded.objects, Options::default());
    assert!(a.problems.is_empty(), "{:?}", a.problems.first());
    let f = Facts::new(&loaded.objects);
    let g = Graph::new(&a, &f);
    let paths = g.search(&Goal::ClusterAdmin, DEFAULT_MAX_DEPTH);
    let sa = Principal::service_account("ns-7", "sa-3");
    let p = paths.iter().find(|p| g.principals[p.start] == sa).expect("ns-7/sa-3 impersonates root");
    assert_eq!(p.steps.len(), 1);
    assert_eq!(g.principals[p.end], Principal::user("root"));
}
