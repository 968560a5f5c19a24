//! A deterministic synthetic cluster for the NetworkPolicy engine: many
//! namespaces of tiered apps, each namespace locked down with a default
//! deny, a DNS exception and per-tier allows (own namespace, same-team
//! namespaces, the ingress controller, monitoring, partner address ranges),
//! and a few namespaces left open, as in a real multi-tenant cluster.
//!
//! Every workload has its own `app` label, so no two workloads share a
//! shape: the engine's cost is the worst case for its workload count.

use std::fmt::Write as _;
use std::io::{self, Write};

/// splitmix64 (the same generator as `gen.rs`).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

pub struct Spec {
    pub namespaces: usize,
    pub workloads: usize,
    pub policies: usize,
    pub seed: u64,
}

pub struct Stats {
    pub namespaces: usize,
    pub workloads: usize,
    pub policies: usize,
    pub bytes: usize,
}

const TIERS: [&str; 5] = ["web", "api", "worker", "db", "cache"];
const TEAMS: usize = 20;

/// Writes the cluster as one multi-document YAML stream.
pub fn write(out: &mut impl Write, spec: &Spec) -> io::Result<Stats> {
    let mut rng = Rng(spec.seed);
    let mut stats = Stats { namespaces: 0, workloads: 0, policies: 0, bytes: 0 };
    let mut doc = String::new();
    let ns_count = spec.namespaces.max(1);
    // What tenants' policies refer to: cluster DNS, the ingress controller
    // and Prometheus, one workload each in its own namespace.
    for (ns, app, labels, port) in [
        (
            "kube-system",
            "coredns",
            "{k8s-app: kube-dns}",
            "[{name: dns, containerPort: 53, protocol: UDP}, {name: dns-tcp, containerPort: 53}]",
        ),
        (
            "ingress-nginx",
            "ingress-nginx-controller",
            "{app.kubernetes.io/name: ingress-nginx}",
            "[{name: http, containerPort: 80}, {name: https, containerPort: 443}]",
        ),
        ("monitoring", "prometheus", "{app: prometheus}", "[{name: web, containerPort: 9090}]"),
    ] {
        let _ = write!(
            doc,
            "---\napiVersion: v1\nkind: Namespace\nmetadata: {{name: {ns}}}\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: {app}, namespace: {ns}}}\nspec:\n  template:\n    metadata: {{labels: {labels}}}\n    spec: {{containers: [{{name: main, image: registry.example.com/{app}:1, ports: {port}}}]}}\n"
        );
    }
    stats.bytes += doc.len();
    out.write_all(doc.as_bytes())?;
    for n in 0..ns_count {
        let ns = format!("tenant-{n:03}");
        let team = n % TEAMS;
        let env = ["prod", "staging", "dev"][n % 3];
        // Workloads and policies spread evenly, the first namespaces taking the remainder.
        let workloads = spec.workloads / ns_count + usize::from(n < spec.workloads % ns_count);
        let policies = spec.policies / ns_count + usize::from(n < spec.policies % ns_count);
        doc.clear();
        let _ = write!(
            doc,
            "---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: {ns}\n  labels: {{team: team-{team}, env: {env}}}\n"
        );
        for w in 0..workloads {
            let tier = TIERS[w % TIERS.len()];
            let kind = match rng.below(10) {
                0 => "StatefulSet",
                1 => "DaemonSet",
                _ => "Deployment",
            };
            let ports = match tier {
                "db" => "[{name: pg, containerPort: 5432}, {name: metrics, containerPort: 9187}]".to_owned(),
                "cache" => "[{name: redis, containerPort: 6379}]".to_owned(),
                _ if rng.below(4) == 0 => {
                    "[{name: http, containerPort: 8080}, {name: grpc, containerPort: 9000}, {name: metrics, containerPort: 9090}]"
                        .to_owned()
                }
                _ => "[{name: http, containerPort: 8080}, {name: metrics, containerPort: 9090}]".to_owned(),
            };
            let version = ["v1", "v2", "canary"][rng.below(3) as usize];
            let _ = write!(
                doc,
                "---\napiVersion: apps/v1\nkind: {kind}\nmetadata:\n  name: {tier}-{w}\n  namespace: {ns}\nspec:\n  selector:\n    matchLabels: {{app: {tier}-{w}}}\n  template:\n    metadata:\n      labels: {{app: {tier}-{w}, tier: {tier}, team: team-{team}, version: {version}}}\n    spec:\n      containers:\n      - name: main\n        image: registry.example.com/team-{team}/{tier}:1.{w}\n        ports: {ports}\n"
            );
            stats.workloads += 1;
        }
        // Every fifth team's dev namespaces are left open (no policies at all).
        let open = env == "dev" && matches!(team % 5, 0);
        let mut list: Vec<(String, String)> = Vec::new();
        let mut policy = |name: &str, body: &str| list.push((name.to_owned(), body.to_owned()));
        if !open {
            policy("default-deny", "  podSelector: {}\n  policyTypes: [Ingress, Egress]\n");
            policy(
                "allow-dns",
                "  podSelector: {}\n  policyTypes: [Egress]\n  egress:\n  - to:\n    - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: kube-system}}\n      podSelector: {matchLabels: {k8s-app: kube-dns}}\n    ports: [{port: 53, protocol: UDP}, {port: 53, protocol: TCP}]\n",
            );
            policy(
                "allow-monitoring",
                "  podSelector: {}\n  policyTypes: [Ingress]\n  ingress:\n  - from:\n    - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: monitoring}}\n      podSelector: {matchLabels: {app: prometheus}}\n    ports: [{port: metrics}]\n",
            );
            policy(
                "web",
                "  podSelector: {matchLabels: {tier: web}}\n  policyTypes: [Ingress, Egress]\n  ingress:\n  - from:\n    - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: ingress-nginx}}\n    ports: [{port: http}]\n  egress:\n  - to:\n    - podSelector: {matchLabels: {tier: api}}\n    ports: [{port: http}, {port: grpc}]\n",
            );
            let partner = format!("10.{}.{}.0/24", 100 + n % 100, rng.below(256));
            let api = format!(
                "  podSelector: {{matchLabels: {{tier: api}}}}\n  policyTypes: [Ingress, Egress]\n  ingress:\n  - from:\n    - podSelector: {{matchLabels: {{tier: web}}}}\n    - namespaceSelector: {{matchLabels: {{team: team-{team}}}}}\n      podSelector: {{matchExpressions: [{{key: tier, operator: In, values: [web, worker]}}]}}\n    ports: [{{port: http}}, {{port: grpc}}]\n  egress:\n  - to:\n    - podSelector: {{matchExpressions: [{{key: tier, operator: In, values: [db, cache]}}]}}\n  - to:\n    - ipBlock: {{cidr: {partner}}}\n    ports: [{{port: 443}}]\n"
            );
            policy("api", &api);
            policy(
                "db",
                "  podSelector: {matchExpressions: [{key: tier, operator: In, values: [db, cache]}]}\n  policyTypes: [Ingress]\n  ingress:\n  - from:\n    - podSelector: {matchExpressions: [{key: tier, operator: In, values: [api, worker]}]}\n    ports: [{port: pg}, {port: redis}]\n",
            );
            policy(
                "worker",
                "  podSelector: {matchLabels: {tier: worker}}\n  policyTypes: [Egress]\n  egress:\n  - to:\n    - podSelector: {matchExpressions: [{key: tier, operator: NotIn, values: [web]}]}\n  - to:\n    - ipBlock: {cidr: 0.0.0.0/0, except: [10.0.0.0/8, 169.254.169.254/32]}\n    ports: [{port: 443}, {port: 80}]\n",
            );
            policy(
                "canary",
                "  podSelector: {matchLabels: {version: canary}}\n  policyTypes: [Ingress]\n  ingress:\n  - from:\n    - namespaceSelector: {matchExpressions: [{key: env, operator: NotIn, values: [prod]}]}\n    ports: [{port: 8080, endPort: 8090}]\n",
            );
        }
        // The rest: per-app allows from another team's namespaces.
        let mut k = 0;
        while list.len() < policies {
            if workloads == 0 {
                list.push((format!("deny-{k}"), "  podSelector: {matchLabels: {app: none}}\n".to_owned()));
                k += 1;
                continue;
            }
            let w = (k * 7 + n) % workloads;
            let tier = TIERS[w % TIERS.len()];
            let other = (team + 1 + k) % TEAMS;
            let body = format!(
                "  podSelector: {{matchLabels: {{app: {tier}-{w}}}}}\n  policyTypes: [Ingress]\n  ingress:\n  - from:\n    - namespaceSelector: {{matchLabels: {{team: team-{other}, env: {env}}}}}\n      podSelector: {{matchLabels: {{tier: api}}}}\n    ports: [{{port: http}}, {{port: {}, protocol: TCP}}]\n",
                8000 + k
            );
            list.push((format!("{tier}-{w}-from-team-{other}-{k}"), body));
            k += 1;
        }
        list.truncate(policies);
        for (name, body) in &list {
            let _ = write!(
                doc,
                "---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: {name}\n  namespace: {ns}\nspec:\n{body}"
            );
        }
        let written = list.len();
        stats.policies += written;
        stats.namespaces += 1;
        stats.bytes += doc.len();
        out.write_all(doc.as_bytes())?;
    }
    out.flush()?;
    Ok(stats)
}
