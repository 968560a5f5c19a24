//! RBAC at scale: `cargo run --release -p kubefort-rbac --example rbac-bench`.
//!
//! Generates the synthetic cluster of `synthetic::Spec::LARGE` (10,000
//! service accounts, 20,000 Roles, 50,000 RoleBindings, 30,000 Pods),
//! then times, in one run: loading it (parse + authorizer + workload
//! facts), who-can after load (target < 20 ms), the effective permissions
//! of every service account (target < 5 s), and `paths` to cluster-admin
//! (target < 10 s).

use kubefort_load::{load_texts, Limits};
use kubefort_rbac::paths::DEFAULT_MAX_DEPTH;
use kubefort_rbac::synthetic::{cluster_yaml, Spec};
use kubefort_rbac::{Authorizer, Facts, Goal, Graph, Identity, Options, Request};
use std::sync::Arc;
use std::time::{Duration, Instant};

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

fn verdict(d: Duration, target: Duration) -> &'static str {
    if d <= target {
        "ok"
    } else {
        "OVER TARGET"
    }
}

fn main() {
    let spec = Spec::LARGE;
    let t = Instant::now();
    let text = cluster_yaml(&spec);
    let generate = t.elapsed();
    let bytes = text.len();

    let t = Instant::now();
    let loaded = load_texts(vec![(Arc::from("synthetic.yaml"), text)], Limits::default());
    let parse = t.elapsed();
    let t = Instant::now();
    let authorizer = Authorizer::new(&loaded.objects, Options::default());
    let facts = Facts::new(&loaded.objects);
    let index = t.elapsed();
    let count = |kind: &str| loaded.objects.iter().filter(|o| o.kind == kind).count();
    println!(
        "cluster: {} objects, {:.1} MB: {} ServiceAccounts, {} Roles, {} RoleBindings, {} Pods (generated in {})",
        loaded.objects.len(),
        bytes as f64 / 1e6,
        count("ServiceAccount"),
        count("Role"),
        count("RoleBinding"),
        count("Pod"),
        ms(generate)
    );
    println!("load: parse {} + authorizer and workload facts {} = {}", ms(parse), ms(index), ms(parse + index));

    let queries = [
        Request::resource("create", "", "pods/exec", "ns-42", ""),
        Request::resource("get", "", "secrets", "ns-7", ""),
        Request::resource("get", "", "nodes/proxy", "", ""),
        Request::resource("list", "", "secrets", "", ""),
    ];
    let mut worst = Duration::ZERO;
    for q in &queries {
        let t = Instant::now();
        let who = authorizer.who_can(q);
        let d = t.elapsed();
        worst = worst.max(d);
        println!("who-can {}: {} subjects in {}", q.describe(), who.len(), ms(d));
    }
    println!("who-can worst: {} (target < 20 ms: {})", ms(worst), verdict(worst, Duration::from_millis(20)));

    let t = Instant::now();
    let mut rows = 0usize;
    let mut accounts = 0usize;
    for (ns, sas) in &facts.service_accounts {
        for name in sas.keys() {
            rows += authorizer.permissions(&Identity::service_account(ns, name)).values().map(Vec::len).sum::<usize>();
            accounts += 1;
        }
    }
    let perms = t.elapsed();
    println!(
        "permissions of all {accounts} service accounts: {rows} rows in {} (target < 5 s: {})",
        ms(perms),
        verdict(perms, Duration::from_secs(5))
    );

    let t = Instant::now();
    let graph = Graph::new(&authorizer, &facts);
    let built = t.elapsed();
    let t = Instant::now();
    let found = graph.search(&Goal::ClusterAdmin, DEFAULT_MAX_DEPTH);
    let searched = t.elapsed();
    let edges: usize = graph.edges.iter().map(Vec::len).sum();
    let longest = found.iter().map(|p| p.steps.len()).max().unwrap_or(0);
    let total = built + searched;
    println!(
        "paths: {} principals ({} starts), {edges} edges built in {}, search {}: {} starts reach cluster-admin, longest {longest} steps; total {} (target < 10 s: {})",
        graph.principals.len(),
        graph.starts.len(),
        ms(built),
        ms(searched),
        found.len(),
        ms(total),
        verdict(total, Duration::from_secs(10))
    );
}
