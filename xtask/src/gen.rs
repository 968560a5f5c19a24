//! A synthetic cluster dump, as `kubectl get all,cm,secrets,sa,roles,rolebindings,netpol -A -o yaml`
//! would print it for a large multi-tenant cluster: namespaces of apps, each
//! app a workload (Deployment with its ReplicaSets, StatefulSet, DaemonSet,
//! Job, CronJob with its Jobs) and the Pods it runs (with status), plus its
//! Service, ConfigMap, Secret and ServiceAccount; per namespace a default
//! ServiceAccount, the `kube-root-ca.crt` ConfigMap, a Role and RoleBinding
//! and usually a NetworkPolicy. Security contexts are a mix of hardened,
//! unset and dangerous ones, as in a real cluster.
//!
//! The output depends only on the seed and the object count. Keys are
//! sorted, as kubectl prints them (it goes through JSON maps).

use std::io::{self, Write};

/// splitmix64: tiny, fast, and good enough for test data.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in `lo..=hi`.
    fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next() % (hi - lo + 1)
    }
    /// True with probability `percent`/100.
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[(self.next() % items.len() as u64) as usize]
    }
    fn hex(&mut self, n: usize) -> String {
        let mut s = String::with_capacity(n);
        while s.len() < n {
            s.push_str(&format!("{:016x}", self.next()));
        }
        s.truncate(n);
        s
    }
    fn uid(&mut self) -> String {
        let h = self.hex(32);
        format!("{}-{}-{}-{}-{}", &h[..8], &h[8..12], &h[12..16], &h[16..20], &h[20..])
    }
    fn base64(&mut self, bytes: usize) -> String {
        const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        let n = bytes.div_ceil(3) * 4;
        (0..n).map(|_| A[(self.next() % 64) as usize] as char).collect()
    }
    fn timestamp(&mut self) -> String {
        format!(
            "2025-{:02}-{:02}T{:02}:{:02}:{:02}Z",
            self.range(1, 12),
            self.range(1, 28),
            self.range(0, 23),
            self.range(0, 59),
            self.range(0, 59)
        )
    }
}

/// A JSON-like value with map keys in insertion order (sorted by [`m`]).
#[derive(Clone)]
enum V {
    Null,
    B(bool),
    I(i64),
    S(String),
    L(Vec<V>),
    M(Vec<(String, V)>),
}

fn s(x: impl Into<String>) -> V {
    V::S(x.into())
}

/// A map with kubectl's (sorted) key order.
fn m(entries: Vec<(&str, V)>) -> V {
    let mut e: Vec<(String, V)> = entries.into_iter().map(|(k, v)| (k.to_owned(), v)).collect();
    e.sort_by(|a, b| a.0.cmp(&b.0));
    V::M(e)
}

fn ms(entries: Vec<(String, V)>) -> V {
    let mut e = entries;
    e.sort_by(|a, b| a.0.cmp(&b.0));
    V::M(e)
}

fn strmap(entries: &[(&str, &str)]) -> V {
    ms(entries.iter().map(|(k, v)| ((*k).to_owned(), s(*v))).collect())
}

impl V {
    fn set(&mut self, key: &str, value: V) {
        if let V::M(e) = self {
            match e.iter_mut().find(|(k, _)| k == key) {
                Some(slot) => slot.1 = value,
                None => {
                    e.push((key.to_owned(), value));
                    e.sort_by(|a, b| a.0.cmp(&b.0));
                }
            }
        }
    }
    fn get_mut(&mut self, key: &str) -> Option<&mut V> {
        match self {
            V::M(e) => e.iter_mut().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }
    fn remove(&mut self, key: &str) -> Option<V> {
        match self {
            V::M(e) => e.iter().position(|(k, _)| k == key).map(|i| e.remove(i).1),
            _ => None,
        }
    }
}

// ---------------------------------------------------------------- emitters

fn needs_quotes(x: &str) -> bool {
    if x.is_empty() {
        return true;
    }
    let first = x.as_bytes()[0];
    if b"-?:,[]{}#&*!|>'\"%@` ".contains(&first) || x.ends_with(' ') {
        return !(first == b'-' && x.len() > 1 && x.as_bytes()[1] != b' ' && !looks_numeric(x));
    }
    if x.contains(": ") || x.contains(" #") || x.ends_with(':') || x.contains('\t') {
        return true;
    }
    looks_numeric(x)
        || matches!(
            x,
            "y" | "Y"
                | "yes"
                | "Yes"
                | "YES"
                | "n"
                | "N"
                | "no"
                | "No"
                | "NO"
                | "true"
                | "True"
                | "TRUE"
                | "false"
                | "False"
                | "FALSE"
                | "on"
                | "On"
                | "ON"
                | "off"
                | "Off"
                | "OFF"
                | "null"
                | "Null"
                | "NULL"
                | "~"
        )
}

fn looks_numeric(x: &str) -> bool {
    let t = x.trim_start_matches(['-', '+']);
    !t.is_empty()
        && t.bytes().all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'_' | b'x' | b'o'))
        && t.as_bytes()[0].is_ascii_digit()
        || t.starts_with('.') && t.len() > 1
}

fn json_string(out: &mut String, x: &str) {
    out.push('"');
    for c in x.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

fn yaml_scalar(out: &mut String, v: &V, indent: usize) {
    match v {
        V::Null => out.push_str("null"),
        V::B(b) => out.push_str(if *b { "true" } else { "false" }),
        V::I(i) => out.push_str(&i.to_string()),
        V::S(x) if x.contains('\n') => {
            out.push_str(if x.ends_with('\n') { "|" } else { "|-" });
            for line in x.trim_end_matches('\n').split('\n') {
                out.push('\n');
                if !line.is_empty() {
                    out.extend(std::iter::repeat_n(' ', indent));
                    out.push_str(line);
                }
            }
        }
        V::S(x) if needs_quotes(x) => json_string(out, x),
        V::S(x) => out.push_str(x),
        V::L(_) | V::M(_) => unreachable!(),
    }
}

/// Writes map entries at `indent`; the first line's indentation is already
/// written when `inline_first` (a map that is a list item: `- key: …`).
fn yaml_map(out: &mut String, entries: &[(String, V)], indent: usize, inline_first: bool) {
    for (i, (k, v)) in entries.iter().enumerate() {
        if i > 0 || !inline_first {
            out.extend(std::iter::repeat_n(' ', indent));
        }
        if needs_quotes(k) {
            json_string(out, k);
        } else {
            out.push_str(k);
        }
        out.push(':');
        match v {
            V::M(e) if e.is_empty() => out.push_str(" {}\n"),
            V::L(l) if l.is_empty() => out.push_str(" []\n"),
            V::M(e) => {
                out.push('\n');
                yaml_map(out, e, indent + 2, false);
            }
            V::L(l) => {
                out.push('\n');
                yaml_list(out, l, indent);
            }
            scalar => {
                out.push(' ');
                yaml_scalar(out, scalar, indent + 2);
                out.push('\n');
            }
        }
    }
}

fn yaml_list(out: &mut String, items: &[V], indent: usize) {
    for item in items {
        out.extend(std::iter::repeat_n(' ', indent));
        out.push_str("- ");
        match item {
            V::M(e) if !e.is_empty() => yaml_map(out, e, indent + 2, true),
            V::M(_) => out.push_str("{}\n"),
            V::L(l) if !l.is_empty() => {
                out.push('\n');
                yaml_list(out, l, indent + 2);
            }
            V::L(_) => out.push_str("[]\n"),
            scalar => {
                yaml_scalar(out, scalar, indent + 2);
                out.push('\n');
            }
        }
    }
}

/// kubectl's `-o json`: 4-space indentation. `indent` None writes compact JSON.
fn json(out: &mut String, v: &V, indent: Option<usize>) {
    let nl = |out: &mut String, n: usize| {
        if let Some(_base) = indent {
            out.push('\n');
            out.extend(std::iter::repeat_n(' ', n));
        }
    };
    let level = indent.unwrap_or(0);
    let inner = indent.map(|i| i + 4);
    match v {
        V::M(e) if e.is_empty() => out.push_str("{}"),
        V::L(l) if l.is_empty() => out.push_str("[]"),
        V::M(e) => {
            out.push('{');
            for (i, (k, v)) in e.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                nl(out, level + 4);
                json_string(out, k);
                out.push_str(if indent.is_some() { ": " } else { ":" });
                json(out, v, inner);
            }
            nl(out, level);
            out.push('}');
        }
        V::L(l) => {
            out.push('[');
            for (i, v) in l.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                nl(out, level + 4);
                json(out, v, inner);
            }
            nl(out, level);
            out.push(']');
        }
        V::S(x) => json_string(out, x),
        scalar => yaml_scalar(out, scalar, 0),
    }
}

// ------------------------------------------------------------ the cluster

const TEAMS: &[&str] = &[
    "payments",
    "checkout",
    "catalog",
    "search",
    "identity",
    "billing",
    "ledger",
    "notifications",
    "analytics",
    "ml-serving",
    "ingest",
    "reporting",
    "inventory",
    "shipping",
    "pricing",
    "fraud",
    "gateway",
    "media",
];
const APPS: &[&str] = &[
    "api",
    "web",
    "worker",
    "scheduler",
    "consumer",
    "frontend",
    "backend",
    "cache",
    "indexer",
    "exporter",
    "proxy",
    "auth",
    "router",
    "sync",
    "batch",
    "store",
];
const REGISTRIES: &[&str] = &[
    "docker.io/library",
    "ghcr.io/acme",
    "quay.io/acme",
    "registry.internal.example.com/platform",
    "gcr.io/acme-prod",
];
const BASE_IMAGES: &[&str] = &["nginx", "redis", "postgres", "python", "node", "golang", "busybox", "envoy", "app"];
const SIDECARS: &[(&str, &str)] = &[
    ("istio-proxy", "docker.io/istio/proxyv2:1.22.3"),
    ("log-shipper", "docker.io/fluent/fluent-bit:3.0.7"),
    ("metrics-exporter", "quay.io/prometheus/statsd-exporter:v0.26.1"),
    ("vault-agent", "docker.io/hashicorp/vault:1.17.2"),
    ("cloud-sql-proxy", "gcr.io/cloud-sql-connectors/cloud-sql-proxy:2.11.4"),
];
const NODES: &[&str] = &[
    "ip-10-0-12-41.ec2.internal",
    "ip-10-0-33-7.ec2.internal",
    "ip-10-0-58-190.ec2.internal",
    "ip-10-0-77-12.ec2.internal",
    "ip-10-0-91-203.ec2.internal",
];

const CA_CRT_LINES: usize = 18;

pub struct Stats {
    pub objects: usize,
    pub bytes: usize,
    pub kinds: String,
}

struct Gen {
    rng: Rng,
    /// Objects of the namespace being generated, in dump order.
    pending: Vec<V>,
}

struct App {
    ns: String,
    name: String,
    labels: Vec<(String, String)>,
    /// The pod template's annotations, copied to every pod as the API
    /// server does.
    pod_annotations: Option<V>,
}

impl App {
    fn labels(&self) -> V {
        ms(self.labels.iter().map(|(k, v)| (k.clone(), s(v.clone()))).collect())
    }
    fn selector(&self) -> V {
        ms(vec![("app.kubernetes.io/name".to_owned(), s(self.name.clone()))])
    }
}

/// How careful the team that wrote a workload was.
#[derive(Clone, Copy, PartialEq)]
enum Posture {
    Hardened,
    Unset,
    Risky,
}

pub fn write_dump(w: &mut dyn Write, objects: usize, seed: u64, as_json: bool) -> io::Result<Stats> {
    let mut g = Gen { rng: Rng(seed), pending: Vec::new() };
    let mut written = 0usize;
    let mut bytes = 0usize;
    let mut kinds: std::collections::BTreeMap<String, usize> = Default::default();
    let mut buf = String::with_capacity(1 << 16);
    if as_json {
        let head = "{\n    \"apiVersion\": \"v1\",\n    \"items\": [";
        w.write_all(head.as_bytes())?;
        bytes += head.len();
    }
    let mut uids = std::collections::HashMap::new();
    let mut ns_index = 0usize;
    while written < objects {
        g.namespace(ns_index);
        ns_index += 1;
        for mut obj in std::mem::take(&mut g.pending) {
            if written == objects {
                break;
            }
            link_owner_uids(&mut obj, &mut uids);
            if let V::M(e) = &obj {
                if let Some((_, V::S(kind))) = e.iter().find(|(k, _)| k == "kind") {
                    *kinds.entry(kind.clone()).or_default() += 1;
                }
            }
            buf.clear();
            if as_json {
                if written > 0 {
                    buf.push(',');
                }
                buf.push_str("\n        ");
                json(&mut buf, &obj, Some(8));
            } else {
                buf.push_str("---\n");
                let V::M(e) = &obj else { unreachable!() };
                yaml_map(&mut buf, e, 0, false);
            }
            w.write_all(buf.as_bytes())?;
            bytes += buf.len();
            written += 1;
        }
    }
    if as_json {
        let tail =
            "\n    ],\n    \"kind\": \"List\",\n    \"metadata\": {\n        \"resourceVersion\": \"\"\n    }\n}\n";
        w.write_all(tail.as_bytes())?;
        bytes += tail.len();
    }
    w.flush()?;
    let kinds = kinds.iter().map(|(k, n)| format!("{k} {n}")).collect::<Vec<_>>().join(", ");
    Ok(Stats { objects: written, bytes, kinds })
}

/// Gives each `ownerReferences` entry the uid of the object it names, as
/// the API server would (owners are written before what they own), and
/// records this object's own uid under its kind, namespace and name.
fn link_owner_uids(obj: &mut V, uids: &mut std::collections::HashMap<(String, String, String), String>) {
    let text = |v: Option<&mut V>| match v {
        Some(V::S(t)) => t.clone(),
        _ => String::new(),
    };
    let kind = text(obj.get_mut("kind"));
    let Some(md) = obj.get_mut("metadata") else { return };
    let (ns, name, uid) = (text(md.get_mut("namespace")), text(md.get_mut("name")), text(md.get_mut("uid")));
    if let Some(V::L(owners)) = md.get_mut("ownerReferences") {
        for owner in owners {
            let key = (text(owner.get_mut("kind")), ns.clone(), text(owner.get_mut("name")));
            if let Some(uid) = uids.get(&key) {
                owner.set("uid", s(uid.clone()));
            }
        }
    }
    uids.insert((kind, ns, name), uid);
}

impl Gen {
    fn metadata(&mut self, name: &str, ns: Option<&str>, labels: V, extra: Vec<(&str, V)>) -> V {
        let mut md = m(vec![
            ("name", s(name)),
            ("uid", s(self.rng.uid())),
            ("resourceVersion", s(self.rng.range(1000, 99_999_999).to_string())),
            ("creationTimestamp", s(self.rng.timestamp())),
        ]);
        if let Some(ns) = ns {
            md.set("namespace", s(ns));
        }
        if !matches!(&labels, V::M(e) if e.is_empty()) {
            md.set("labels", labels);
        }
        for (k, v) in extra {
            md.set(k, v);
        }
        md
    }

    fn owner(&mut self, api_version: &str, kind: &str, name: &str) -> V {
        V::L(vec![m(vec![
            ("apiVersion", s(api_version)),
            ("kind", s(kind)),
            ("name", s(name)),
            ("uid", s(self.rng.uid())),
            ("controller", V::B(true)),
            ("blockOwnerDeletion", V::B(true)),
        ])])
    }

    /// `kubectl apply` leaves the applied manifest in an annotation.
    fn last_applied(&mut self, obj: &V) -> Option<V> {
        if !self.rng.chance(40) {
            return None;
        }
        let mut applied = obj.clone();
        applied.remove("status");
        if let Some(md) = applied.get_mut("metadata") {
            for k in ["uid", "resourceVersion", "creationTimestamp", "generation", "annotations"] {
                md.remove(k);
            }
        }
        let mut text = String::new();
        json(&mut text, &applied, None);
        text.push('\n');
        Some(s(text))
    }

    fn push(&mut self, mut obj: V) {
        if let Some(la) = self.last_applied(&obj) {
            if let Some(md) = obj.get_mut("metadata") {
                match md.get_mut("annotations") {
                    Some(V::M(a)) => {
                        a.push(("kubectl.kubernetes.io/last-applied-configuration".to_owned(), la));
                        a.sort_by(|x, y| x.0.cmp(&y.0));
                    }
                    _ => {
                        md.set("annotations", ms(vec![("kubectl.kubernetes.io/last-applied-configuration".into(), la)]))
                    }
                }
            }
        }
        self.pending.push(obj);
    }

    fn namespace(&mut self, index: usize) {
        let team = *self.rng.pick(TEAMS);
        let env = *self.rng.pick(&["prod", "staging", "dev"]);
        let ns = format!("{team}-{env}-{index}");
        let nsl = strmap(&[("kubernetes.io/metadata.name", &ns), ("team", team), ("env", env)]);
        let md = self.metadata(&ns, None, nsl, vec![]);
        self.pending.push(m(vec![
            ("apiVersion", s("v1")),
            ("kind", s("Namespace")),
            ("metadata", md),
            ("spec", m(vec![("finalizers", V::L(vec![s("kubernetes")]))])),
            ("status", m(vec![("phase", s("Active"))])),
        ]));
        let md = self.metadata("default", Some(&ns), m(vec![]), vec![]);
        self.pending.push(m(vec![("apiVersion", s("v1")), ("kind", s("ServiceAccount")), ("metadata", md)]));
        let mut ca = String::from("-----BEGIN CERTIFICATE-----\n");
        for _ in 0..CA_CRT_LINES {
            ca.push_str(&self.rng.base64(48));
            ca.push('\n');
        }
        ca.push_str("-----END CERTIFICATE-----\n");
        let md = self.metadata(
            "kube-root-ca.crt",
            Some(&ns),
            m(vec![]),
            vec![("annotations", strmap(&[("kubernetes.io/description", "Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters.")]))],
        );
        self.pending.push(m(vec![
            ("apiVersion", s("v1")),
            ("kind", s("ConfigMap")),
            ("metadata", md),
            ("data", m(vec![("ca.crt", s(ca))])),
        ]));
        if self.rng.chance(60) {
            let md = self.metadata("default-deny", Some(&ns), m(vec![]), vec![]);
            let mut spec = m(vec![("podSelector", m(vec![])), ("policyTypes", V::L(vec![s("Ingress"), s("Egress")]))]);
            if self.rng.chance(50) {
                spec.set(
                    "egress",
                    V::L(vec![m(vec![
                        (
                            "to",
                            V::L(vec![m(vec![(
                                "namespaceSelector",
                                m(vec![("matchLabels", strmap(&[("kubernetes.io/metadata.name", "kube-system")]))]),
                            )])]),
                        ),
                        (
                            "ports",
                            V::L(vec![
                                m(vec![("port", V::I(53)), ("protocol", s("UDP"))]),
                                m(vec![("port", V::I(53)), ("protocol", s("TCP"))]),
                            ]),
                        ),
                    ])]),
                );
            }
            self.push(m(vec![
                ("apiVersion", s("networking.k8s.io/v1")),
                ("kind", s("NetworkPolicy")),
                ("metadata", md),
                ("spec", spec),
            ]));
        }
        let apps = self.rng.range(4, 12);
        for a in 0..apps {
            let name = format!("{}-{}", self.rng.pick(APPS), a);
            let labels = vec![
                ("app.kubernetes.io/name".to_owned(), name.clone()),
                ("app.kubernetes.io/part-of".to_owned(), team.to_owned()),
                (
                    "app.kubernetes.io/version".to_owned(),
                    format!("1.{}.{}", self.rng.range(0, 30), self.rng.range(0, 9)),
                ),
                ("team".to_owned(), team.to_owned()),
            ];
            let pod_annotations = if self.rng.chance(3) {
                Some(strmap(&[("kubefort.io/ignore", "KF-POD-001=needs raw sockets for the CNI probe")]))
            } else if self.rng.chance(30) {
                Some(strmap(&[("prometheus.io/scrape", "true"), ("prometheus.io/port", "9102")]))
            } else {
                None
            };
            let app = App { ns: ns.clone(), name, labels, pod_annotations };
            self.app(&app);
        }
        self.rbac(&ns);
    }

    fn rbac(&mut self, ns: &str) {
        let md = self.metadata("app-operator", Some(ns), m(vec![]), vec![]);
        let mut rules = vec![
            m(vec![
                ("apiGroups", V::L(vec![s("")])),
                ("resources", V::L(vec![s("configmaps"), s("services"), s("pods")])),
                ("verbs", V::L(vec![s("get"), s("list"), s("watch")])),
            ]),
            m(vec![
                ("apiGroups", V::L(vec![s("apps")])),
                ("resources", V::L(vec![s("deployments"), s("statefulsets")])),
                ("verbs", V::L(vec![s("get"), s("list"), s("watch"), s("patch"), s("update")])),
            ]),
        ];
        if self.rng.chance(20) {
            rules.push(m(vec![
                ("apiGroups", V::L(vec![s("*")])),
                ("resources", V::L(vec![s("*")])),
                ("verbs", V::L(vec![s("*")])),
            ]));
        } else if self.rng.chance(25) {
            rules.push(m(vec![
                ("apiGroups", V::L(vec![s("")])),
                ("resources", V::L(vec![s("secrets")])),
                ("verbs", V::L(vec![s("get"), s("list")])),
            ]));
        }
        self.push(m(vec![
            ("apiVersion", s("rbac.authorization.k8s.io/v1")),
            ("kind", s("Role")),
            ("metadata", md),
            ("rules", V::L(rules)),
        ]));
        let md = self.metadata("app-operator", Some(ns), m(vec![]), vec![]);
        let subject = if self.rng.chance(15) {
            m(vec![
                ("apiGroup", s("rbac.authorization.k8s.io")),
                ("kind", s("Group")),
                ("name", s("system:authenticated")),
            ])
        } else {
            m(vec![("kind", s("ServiceAccount")), ("name", s("default")), ("namespace", s(ns))])
        };
        self.push(m(vec![
            ("apiVersion", s("rbac.authorization.k8s.io/v1")),
            ("kind", s("RoleBinding")),
            ("metadata", md),
            (
                "roleRef",
                m(vec![("apiGroup", s("rbac.authorization.k8s.io")), ("kind", s("Role")), ("name", s("app-operator"))]),
            ),
            ("subjects", V::L(vec![subject])),
        ]));
    }

    fn image(&mut self, base: &str) -> String {
        let registry = *self.rng.pick(REGISTRIES);
        match self.rng.range(0, 9) {
            0 => format!("{registry}/{base}:latest"),
            1 => format!("{registry}/{base}"),
            2 => format!("{registry}/{base}@sha256:{}", self.rng.hex(64)),
            _ => format!(
                "{registry}/{base}:{}.{}.{}",
                self.rng.range(1, 9),
                self.rng.range(0, 30),
                self.rng.range(0, 20)
            ),
        }
    }

    fn security_context(&mut self, posture: Posture) -> Option<V> {
        match posture {
            Posture::Unset => None,
            Posture::Hardened => Some(m(vec![
                ("allowPrivilegeEscalation", V::B(false)),
                ("capabilities", m(vec![("drop", V::L(vec![s("ALL")]))])),
                ("readOnlyRootFilesystem", V::B(true)),
                ("runAsNonRoot", V::B(true)),
                ("runAsUser", V::I(self.rng.range(1000, 65000) as i64)),
                ("seccompProfile", m(vec![("type", s("RuntimeDefault"))])),
            ])),
            Posture::Risky => Some(match self.rng.range(0, 4) {
                0 => m(vec![("privileged", V::B(true))]),
                1 => m(vec![
                    ("capabilities", m(vec![("add", V::L(vec![s("SYS_ADMIN"), s("NET_ADMIN")]))])),
                    ("runAsUser", V::I(0)),
                ]),
                2 => m(vec![("allowPrivilegeEscalation", V::B(true)), ("runAsNonRoot", V::B(false))]),
                3 => m(vec![("privileged", V::B(true)), ("runAsUser", V::I(0))]),
                _ => m(vec![("capabilities", m(vec![("add", V::L(vec![s("NET_RAW")]))]))]),
            }),
        }
    }

    fn container(&mut self, name: &str, image: String, posture: Posture, main: bool, cm: &str) -> V {
        let mut c = m(vec![
            ("name", s(name)),
            ("image", s(image)),
            ("imagePullPolicy", s(*self.rng.pick(&["IfNotPresent", "Always", "IfNotPresent"]))),
            ("terminationMessagePath", s("/dev/termination-log")),
            ("terminationMessagePolicy", s("File")),
        ]);
        if main {
            let port = *self.rng.pick(&[8080i64, 8443, 9000, 3000, 5432, 6379]);
            c.set(
                "ports",
                V::L(vec![m(vec![("containerPort", V::I(port)), ("name", s("http")), ("protocol", s("TCP"))])]),
            );
            let mut env = vec![
                m(vec![("name", s("LOG_LEVEL")), ("value", s(*self.rng.pick(&["info", "debug", "warn"])))]),
                m(vec![
                    ("name", s("POD_NAME")),
                    (
                        "valueFrom",
                        m(vec![("fieldRef", m(vec![("apiVersion", s("v1")), ("fieldPath", s("metadata.name"))]))]),
                    ),
                ]),
            ];
            for i in 0..self.rng.range(0, 4) {
                env.push(m(vec![
                    ("name", s(format!("FEATURE_FLAG_{i}"))),
                    ("value", s(*self.rng.pick(&["true", "false", "1"]))),
                ]));
            }
            if self.rng.chance(50) {
                env.push(m(vec![
                    ("name", s("DATABASE_PASSWORD")),
                    (
                        "valueFrom",
                        m(vec![("secretKeyRef", m(vec![("key", s("password")), ("name", s(format!("{cm}-secret")))]))]),
                    ),
                ]));
            }
            c.set("env", V::L(env));
            let probe = |path: &str| {
                m(vec![
                    ("failureThreshold", V::I(3)),
                    ("httpGet", m(vec![("path", s(path)), ("port", V::I(port)), ("scheme", s("HTTP"))])),
                    ("periodSeconds", V::I(10)),
                    ("successThreshold", V::I(1)),
                    ("timeoutSeconds", V::I(1)),
                ])
            };
            if self.rng.chance(70) {
                c.set("livenessProbe", probe("/healthz"));
                c.set("readinessProbe", probe("/ready"));
            }
            c.set(
                "volumeMounts",
                V::L(vec![m(vec![("mountPath", s("/etc/app")), ("name", s("config")), ("readOnly", V::B(true))])]),
            );
        }
        if posture != Posture::Risky && self.rng.chance(70) {
            c.set(
                "resources",
                m(vec![
                    (
                        "limits",
                        m(vec![("cpu", s("500m")), ("memory", s(format!("{}Mi", 128 << self.rng.range(0, 4))))]),
                    ),
                    ("requests", m(vec![("cpu", s("100m")), ("memory", s("64Mi"))])),
                ]),
            );
        } else {
            c.set("resources", m(vec![]));
        }
        if let Some(sc) = self.security_context(posture) {
            c.set("securityContext", sc);
        }
        c
    }

    /// A pod spec as stored in a template (defaults filled in by the API server).
    fn pod_spec(&mut self, app: &App, posture: Posture, restart: &str) -> V {
        let base = *self.rng.pick(BASE_IMAGES);
        let image = self.image(base);
        let mut containers = vec![self.container(&app.name, image, posture, true, &app.name)];
        for _ in 0..self.rng.range(0, 3) {
            let (name, image) = *self.rng.pick(SIDECARS);
            if containers.iter().any(
                |c| matches!(c, V::M(e) if e.iter().any(|(k, v)| k == "name" && matches!(v, V::S(n) if n == name))),
            ) {
                continue;
            }
            // Sidecars are mostly left at defaults, whoever wrote the app.
            let p = if self.rng.chance(70) { Posture::Unset } else { posture };
            containers.push(self.container(name, image.to_owned(), p, false, &app.name));
        }
        let mut volumes = vec![m(vec![
            ("configMap", m(vec![("defaultMode", V::I(420)), ("name", s(format!("{}-config", app.name)))])),
            ("name", s("config")),
        ])];
        let mut spec = m(vec![
            ("containers", V::L(containers)),
            ("dnsPolicy", s("ClusterFirst")),
            ("restartPolicy", s(restart)),
            ("schedulerName", s("default-scheduler")),
            ("serviceAccountName", s(app.name.clone())),
            ("serviceAccount", s(app.name.clone())),
            ("terminationGracePeriodSeconds", V::I(30)),
        ]);
        spec.set(
            "securityContext",
            if posture == Posture::Hardened {
                m(vec![
                    ("fsGroup", V::I(2000)),
                    ("runAsNonRoot", V::B(true)),
                    ("seccompProfile", m(vec![("type", s("RuntimeDefault"))])),
                ])
            } else {
                m(vec![])
            },
        );
        if posture == Posture::Risky {
            match self.rng.range(0, 3) {
                0 => spec.set("hostNetwork", V::B(true)),
                1 => spec.set("hostPID", V::B(true)),
                _ => {}
            }
            if self.rng.chance(40) {
                volumes.push(m(vec![
                    ("hostPath", m(vec![("path", s("/var/run/docker.sock")), ("type", s(""))])),
                    ("name", s("docker-sock")),
                ]));
            }
        }
        if self.rng.chance(25) {
            let image = self.image("busybox");
            let init = self.container("init-migrate", image, posture, false, &app.name);
            spec.set("initContainers", V::L(vec![init]));
        }
        if self.rng.chance(30) {
            spec.set("nodeSelector", strmap(&[("kubernetes.io/os", "linux")]));
        }
        spec.set("volumes", V::L(volumes));
        spec
    }

    fn template(&mut self, app: &App, spec: &V, hash: Option<&str>) -> V {
        let mut labels = app.labels();
        if let Some(h) = hash {
            labels.set("pod-template-hash", s(h));
        }
        let mut md = m(vec![("creationTimestamp", V::Null), ("labels", labels)]);
        if let Some(annotations) = &app.pod_annotations {
            md.set("annotations", annotations.clone());
        }
        m(vec![("metadata", md), ("spec", spec.clone())])
    }

    /// A running (or finished) pod of `spec`, as the API returns it.
    fn pod(&mut self, app: &App, name: &str, spec: &V, owner: V, hash: Option<&str>, finished: bool) {
        let mut spec = spec.clone();
        let node = *self.rng.pick(NODES);
        spec.set("nodeName", s(node));
        spec.set("enableServiceLinks", V::B(true));
        spec.set("preemptionPolicy", s("PreemptLowerPriority"));
        spec.set("priority", V::I(0));
        spec.set(
            "tolerations",
            V::L(
                ["node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable"]
                    .iter()
                    .map(|k| {
                        m(vec![
                            ("effect", s("NoExecute")),
                            ("key", s(*k)),
                            ("operator", s("Exists")),
                            ("tolerationSeconds", V::I(300)),
                        ])
                    })
                    .collect(),
            ),
        );
        let token_volume = format!("kube-api-access-{}", &self.rng.hex(5));
        let mut names = Vec::new();
        for key in ["containers", "initContainers"] {
            if let Some(V::L(cs)) = spec.get_mut(key) {
                for c in cs.iter_mut() {
                    if let Some(V::S(n)) = c.get_mut("name") {
                        names.push((key, n.clone()));
                    }
                    let mount = m(vec![
                        ("mountPath", s("/var/run/secrets/kubernetes.io/serviceaccount")),
                        ("name", s(token_volume.clone())),
                        ("readOnly", V::B(true)),
                    ]);
                    match c.get_mut("volumeMounts") {
                        Some(V::L(l)) => l.push(mount),
                        _ => c.set("volumeMounts", V::L(vec![mount])),
                    }
                }
            }
        }
        if let Some(V::L(vols)) = spec.get_mut("volumes") {
            vols.push(m(vec![
                ("name", s(token_volume)),
                (
                    "projected",
                    m(vec![
                        ("defaultMode", V::I(420)),
                        (
                            "sources",
                            V::L(vec![
                                m(vec![(
                                    "serviceAccountToken",
                                    m(vec![("expirationSeconds", V::I(3607)), ("path", s("token"))]),
                                )]),
                                m(vec![(
                                    "configMap",
                                    m(vec![
                                        ("items", V::L(vec![m(vec![("key", s("ca.crt")), ("path", s("ca.crt"))])])),
                                        ("name", s("kube-root-ca.crt")),
                                    ]),
                                )]),
                                m(vec![(
                                    "downwardAPI",
                                    m(vec![(
                                        "items",
                                        V::L(vec![m(vec![
                                            (
                                                "fieldRef",
                                                m(vec![
                                                    ("apiVersion", s("v1")),
                                                    ("fieldPath", s("metadata.namespace")),
                                                ]),
                                            ),
                                            ("path", s("namespace")),
                                        ])]),
                                    )]),
                                )]),
                            ]),
                        ),
                    ]),
                ),
            ]));
        }
        let started = self.rng.timestamp();
        let ip = format!("10.{}.{}.{}", self.rng.range(1, 250), self.rng.range(0, 255), self.rng.range(1, 254));
        let host_ip = format!("10.0.{}.{}", self.rng.range(0, 99), self.rng.range(1, 254));
        let condition = |t: &str, status: &str| {
            m(vec![
                ("lastProbeTime", V::Null),
                ("lastTransitionTime", s(started.clone())),
                ("status", s(status)),
                ("type", s(t)),
            ])
        };
        let ready = if finished { "False" } else { "True" };
        let conditions = V::L(vec![
            condition("PodReadyToStartContainers", ready),
            condition("Initialized", "True"),
            condition("Ready", ready),
            condition("ContainersReady", ready),
            condition("PodScheduled", "True"),
        ]);
        let mut statuses = Vec::new();
        let mut init_statuses = Vec::new();
        for (key, n) in &names {
            let state = if finished || *key == "initContainers" {
                m(vec![(
                    "terminated",
                    m(vec![
                        ("containerID", s(format!("containerd://{}", self.rng.hex(64)))),
                        ("exitCode", V::I(0)),
                        ("finishedAt", s(started.clone())),
                        ("reason", s("Completed")),
                        ("startedAt", s(started.clone())),
                    ]),
                )])
            } else {
                m(vec![("running", m(vec![("startedAt", s(started.clone()))]))])
            };
            let st = m(vec![
                ("containerID", s(format!("containerd://{}", self.rng.hex(64)))),
                ("image", s(format!("docker.io/library/{n}:1.0"))),
                ("imageID", s(format!("docker.io/library/{n}@sha256:{}", self.rng.hex(64)))),
                ("lastState", m(vec![])),
                ("name", s(n.clone())),
                ("ready", V::B(!finished && *key == "containers")),
                ("restartCount", V::I(if self.rng.chance(10) { self.rng.range(1, 40) as i64 } else { 0 })),
                ("started", V::B(!finished && *key == "containers")),
                ("state", state),
            ]);
            if *key == "containers" {
                statuses.push(st);
            } else {
                init_statuses.push(st);
            }
        }
        let mut status = m(vec![
            ("conditions", conditions),
            ("containerStatuses", V::L(statuses)),
            ("hostIP", s(host_ip.clone())),
            ("hostIPs", V::L(vec![m(vec![("ip", s(host_ip))])])),
            ("phase", s(if finished { "Succeeded" } else { "Running" })),
            ("podIP", s(ip.clone())),
            ("podIPs", V::L(vec![m(vec![("ip", s(ip))])])),
            ("qosClass", s(*self.rng.pick(&["Burstable", "BestEffort", "Guaranteed"]))),
            ("startTime", s(started.clone())),
        ]);
        if !init_statuses.is_empty() {
            status.set("initContainerStatuses", V::L(init_statuses));
        }
        let mut labels = app.labels();
        if let Some(h) = hash {
            labels.set("pod-template-hash", s(h));
        }
        let mut md = self.metadata(name, Some(&app.ns), labels, vec![("ownerReferences", owner)]);
        if let Some(annotations) = &app.pod_annotations {
            md.set("annotations", annotations.clone());
        }
        self.pending.push(m(vec![
            ("apiVersion", s("v1")),
            ("kind", s("Pod")),
            ("metadata", md),
            ("spec", spec),
            ("status", status),
        ]));
    }

    fn app(&mut self, app: &App) {
        let posture = match self.rng.range(0, 9) {
            0..=2 => Posture::Hardened,
            3..=7 => Posture::Unset,
            _ => Posture::Risky,
        };
        // Per-app objects: ServiceAccount, ConfigMap, Secret.
        let md = self.metadata(&app.name, Some(&app.ns), app.labels(), vec![]);
        let mut sa = m(vec![("apiVersion", s("v1")), ("kind", s("ServiceAccount")), ("metadata", md)]);
        if posture == Posture::Hardened {
            sa.set("automountServiceAccountToken", V::B(false));
        }
        self.push(sa);
        let md = self.metadata(&format!("{}-config", app.name), Some(&app.ns), app.labels(), vec![]);
        let mut data = vec![
            ("LOG_FORMAT".to_owned(), s("json")),
            ("UPSTREAM_URL".to_owned(), s(format!("http://{}.{}.svc.cluster.local:8080", app.name, app.ns))),
        ];
        if self.rng.chance(50) {
            let mut conf =
                String::from("server:\n  port: 8080\n  shutdownTimeout: 30s\nlogging:\n  level: info\nfeatures:\n");
            for i in 0..self.rng.range(2, 12) {
                conf.push_str(&format!("  flag{i}: {}\n", self.rng.chance(50)));
            }
            data.push(("application.yaml".to_owned(), s(conf)));
        }
        self.push(m(vec![("apiVersion", s("v1")), ("kind", s("ConfigMap")), ("metadata", md), ("data", ms(data))]));
        if self.rng.chance(70) {
            let md = self.metadata(&format!("{}-secret", app.name), Some(&app.ns), app.labels(), vec![]);
            let (ty, data) = if self.rng.chance(20) {
                (
                    "kubernetes.io/tls",
                    m(vec![("tls.crt", s(self.rng.base64(1100))), ("tls.key", s(self.rng.base64(1200)))]),
                )
            } else {
                ("Opaque", m(vec![("password", s(self.rng.base64(24))), ("username", s(self.rng.base64(8)))]))
            };
            self.pending.push(m(vec![
                ("apiVersion", s("v1")),
                ("kind", s("Secret")),
                ("metadata", md),
                ("type", s(ty)),
                ("data", data),
            ]));
        }
        match self.rng.range(0, 19) {
            0..=10 => self.deployment(app, posture),
            11..=13 => self.statefulset(app, posture),
            14 => self.daemonset(app, posture),
            15..=16 => {
                let spec = self.pod_spec(app, posture, "Never");
                self.job(app, &spec, None)
            }
            _ => self.cronjob(app, posture),
        }
    }

    fn service(&mut self, app: &App, headless: bool) {
        let md = self.metadata(&app.name, Some(&app.ns), app.labels(), vec![]);
        let ty = if headless {
            "ClusterIP"
        } else {
            *self.rng.pick(&["ClusterIP", "ClusterIP", "ClusterIP", "NodePort", "LoadBalancer"])
        };
        let ip = if headless {
            "None".to_owned()
        } else {
            format!("172.20.{}.{}", self.rng.range(0, 255), self.rng.range(1, 254))
        };
        let mut port =
            m(vec![("name", s("http")), ("port", V::I(80)), ("protocol", s("TCP")), ("targetPort", s("http"))]);
        if ty != "ClusterIP" {
            port.set("nodePort", V::I(self.rng.range(30000, 32767) as i64));
        }
        let mut spec = m(vec![
            ("clusterIP", s(ip.clone())),
            ("clusterIPs", V::L(vec![s(ip)])),
            ("internalTrafficPolicy", s("Cluster")),
            ("ipFamilies", V::L(vec![s("IPv4")])),
            ("ipFamilyPolicy", s("SingleStack")),
            ("ports", V::L(vec![port])),
            ("selector", app.selector()),
            ("sessionAffinity", s("None")),
            ("type", s(ty)),
        ]);
        let mut status = m(vec![("loadBalancer", m(vec![]))]);
        if ty != "ClusterIP" {
            spec.set("externalTrafficPolicy", s("Cluster"));
        }
        if ty == "LoadBalancer" {
            status = m(vec![(
                "loadBalancer",
                m(vec![(
                    "ingress",
                    V::L(vec![m(vec![("hostname", s(format!("a{}.elb.amazonaws.com", self.rng.hex(24))))])]),
                )]),
            )]);
        }
        self.push(m(vec![
            ("apiVersion", s("v1")),
            ("kind", s("Service")),
            ("metadata", md),
            ("spec", spec),
            ("status", status),
        ]));
    }

    fn deployment(&mut self, app: &App, posture: Posture) {
        self.service(app, false);
        let replicas = self.rng.range(1, 3) as i64;
        let spec = self.pod_spec(app, posture, "Always");
        let hash = self.rng.hex(10);
        let template = self.template(app, &spec, None);
        let revision = self.rng.range(1, 3);
        let md = self.metadata(
            &app.name,
            Some(&app.ns),
            app.labels(),
            vec![
                ("generation", V::I(revision as i64)),
                ("annotations", strmap(&[("deployment.kubernetes.io/revision", &revision.to_string())])),
            ],
        );
        let status = m(vec![
            ("availableReplicas", V::I(replicas)),
            (
                "conditions",
                V::L(vec![
                    m(vec![
                        ("lastTransitionTime", s(self.rng.timestamp())),
                        ("lastUpdateTime", s(self.rng.timestamp())),
                        ("message", s("Deployment has minimum availability.")),
                        ("reason", s("MinimumReplicasAvailable")),
                        ("status", s("True")),
                        ("type", s("Available")),
                    ]),
                    m(vec![
                        ("lastTransitionTime", s(self.rng.timestamp())),
                        ("lastUpdateTime", s(self.rng.timestamp())),
                        ("message", s(format!("ReplicaSet \"{}-{hash}\" has successfully progressed.", app.name))),
                        ("reason", s("NewReplicaSetAvailable")),
                        ("status", s("True")),
                        ("type", s("Progressing")),
                    ]),
                ]),
            ),
            ("observedGeneration", V::I(revision as i64)),
            ("readyReplicas", V::I(replicas)),
            ("replicas", V::I(replicas)),
            ("updatedReplicas", V::I(replicas)),
        ]);
        self.push(m(vec![
            ("apiVersion", s("apps/v1")),
            ("kind", s("Deployment")),
            ("metadata", md),
            (
                "spec",
                m(vec![
                    ("progressDeadlineSeconds", V::I(600)),
                    ("replicas", V::I(replicas)),
                    ("revisionHistoryLimit", V::I(10)),
                    ("selector", m(vec![("matchLabels", app.selector())])),
                    (
                        "strategy",
                        m(vec![
                            ("rollingUpdate", m(vec![("maxSurge", s("25%")), ("maxUnavailable", s("25%"))])),
                            ("type", s("RollingUpdate")),
                        ]),
                    ),
                    ("template", template),
                ]),
            ),
            ("status", status),
        ]));
        // The current ReplicaSet and the old ones kept for rollback.
        for r in (1..=revision).rev() {
            let current = r == revision;
            let h = if current { hash.clone() } else { self.rng.hex(10) };
            let rs_name = format!("{}-{h}", app.name);
            let n = if current { replicas } else { 0 };
            let owner = self.owner("apps/v1", "Deployment", &app.name);
            let mut labels = app.labels();
            labels.set("pod-template-hash", s(h.clone()));
            let md = self.metadata(
                &rs_name,
                Some(&app.ns),
                labels,
                vec![
                    ("generation", V::I(1)),
                    ("ownerReferences", owner),
                    (
                        "annotations",
                        strmap(&[
                            ("deployment.kubernetes.io/desired-replicas", &replicas.to_string()),
                            ("deployment.kubernetes.io/max-replicas", &(replicas + 1).to_string()),
                            ("deployment.kubernetes.io/revision", &r.to_string()),
                        ]),
                    ),
                ],
            );
            let mut selector = app.selector();
            selector.set("pod-template-hash", s(h.clone()));
            let template = self.template(app, &spec, Some(&h));
            let mut status = m(vec![("observedGeneration", V::I(1)), ("replicas", V::I(n))]);
            if n > 0 {
                status.set("availableReplicas", V::I(n));
                status.set("fullyLabeledReplicas", V::I(n));
                status.set("readyReplicas", V::I(n));
            }
            self.pending.push(m(vec![
                ("apiVersion", s("apps/v1")),
                ("kind", s("ReplicaSet")),
                ("metadata", md),
                (
                    "spec",
                    m(vec![
                        ("replicas", V::I(n)),
                        ("selector", m(vec![("matchLabels", selector)])),
                        ("template", template),
                    ]),
                ),
                ("status", status),
            ]));
            if current {
                for _ in 0..n {
                    let pod_name = format!("{rs_name}-{}", self.rng.hex(5));
                    let owner = self.owner("apps/v1", "ReplicaSet", &rs_name);
                    self.pod(app, &pod_name, &spec, owner, Some(&h), false);
                }
            }
        }
    }

    fn statefulset(&mut self, app: &App, posture: Posture) {
        self.service(app, true);
        let replicas = self.rng.range(1, 3) as i64;
        let spec = self.pod_spec(app, posture, "Always");
        let template = self.template(app, &spec, None);
        let md = self.metadata(&app.name, Some(&app.ns), app.labels(), vec![("generation", V::I(1))]);
        let rev = format!("{}-{}", app.name, self.rng.hex(10));
        self.push(m(vec![
            ("apiVersion", s("apps/v1")),
            ("kind", s("StatefulSet")),
            ("metadata", md),
            (
                "spec",
                m(vec![
                    (
                        "persistentVolumeClaimRetentionPolicy",
                        m(vec![("whenDeleted", s("Retain")), ("whenScaled", s("Retain"))]),
                    ),
                    ("podManagementPolicy", s("OrderedReady")),
                    ("replicas", V::I(replicas)),
                    ("revisionHistoryLimit", V::I(10)),
                    ("selector", m(vec![("matchLabels", app.selector())])),
                    ("serviceName", s(app.name.clone())),
                    ("template", template),
                    (
                        "updateStrategy",
                        m(vec![("rollingUpdate", m(vec![("partition", V::I(0))])), ("type", s("RollingUpdate"))]),
                    ),
                    (
                        "volumeClaimTemplates",
                        V::L(vec![m(vec![
                            ("apiVersion", s("v1")),
                            ("kind", s("PersistentVolumeClaim")),
                            ("metadata", m(vec![("creationTimestamp", V::Null), ("name", s("data"))])),
                            (
                                "spec",
                                m(vec![
                                    ("accessModes", V::L(vec![s("ReadWriteOnce")])),
                                    ("resources", m(vec![("requests", m(vec![("storage", s("10Gi"))]))])),
                                    ("storageClassName", s("gp3")),
                                    ("volumeMode", s("Filesystem")),
                                ]),
                            ),
                            ("status", m(vec![("phase", s("Pending"))])),
                        ])]),
                    ),
                ]),
            ),
            (
                "status",
                m(vec![
                    ("availableReplicas", V::I(replicas)),
                    ("collisionCount", V::I(0)),
                    ("currentReplicas", V::I(replicas)),
                    ("currentRevision", s(rev.clone())),
                    ("observedGeneration", V::I(1)),
                    ("readyReplicas", V::I(replicas)),
                    ("replicas", V::I(replicas)),
                    ("updateRevision", s(rev)),
                    ("updatedReplicas", V::I(replicas)),
                ]),
            ),
        ]));
        for i in 0..replicas {
            let owner = self.owner("apps/v1", "StatefulSet", &app.name);
            self.pod(app, &format!("{}-{i}", app.name), &spec, owner, None, false);
        }
    }

    fn daemonset(&mut self, app: &App, posture: Posture) {
        let spec = self.pod_spec(app, posture, "Always");
        let template = self.template(app, &spec, None);
        let n = NODES.len() as i64;
        let md = self.metadata(&app.name, Some(&app.ns), app.labels(), vec![("generation", V::I(1))]);
        self.push(m(vec![
            ("apiVersion", s("apps/v1")),
            ("kind", s("DaemonSet")),
            ("metadata", md),
            (
                "spec",
                m(vec![
                    ("revisionHistoryLimit", V::I(10)),
                    ("selector", m(vec![("matchLabels", app.selector())])),
                    ("template", template),
                    (
                        "updateStrategy",
                        m(vec![
                            ("rollingUpdate", m(vec![("maxSurge", V::I(0)), ("maxUnavailable", V::I(1))])),
                            ("type", s("RollingUpdate")),
                        ]),
                    ),
                ]),
            ),
            (
                "status",
                m(vec![
                    ("currentNumberScheduled", V::I(n)),
                    ("desiredNumberScheduled", V::I(n)),
                    ("numberAvailable", V::I(n)),
                    ("numberMisscheduled", V::I(0)),
                    ("numberReady", V::I(n)),
                    ("observedGeneration", V::I(1)),
                    ("updatedNumberScheduled", V::I(n)),
                ]),
            ),
        ]));
        for _ in 0..n {
            let owner = self.owner("apps/v1", "DaemonSet", &app.name);
            let name = format!("{}-{}", app.name, self.rng.hex(5));
            self.pod(app, &name, &spec, owner, None, false);
        }
    }

    fn job(&mut self, app: &App, spec: &V, cron: Option<&str>) {
        let name = match cron {
            Some(c) => format!("{c}-{}", self.rng.range(28_000_000, 29_000_000)),
            None => app.name.clone(),
        };
        let template = self.template(app, spec, None);
        let extra = match cron {
            Some(c) => vec![("ownerReferences", self.owner("batch/v1", "CronJob", c))],
            None => vec![],
        };
        let md = self.metadata(&name, Some(&app.ns), app.labels(), extra);
        let t = self.rng.timestamp();
        self.push(m(vec![
            ("apiVersion", s("batch/v1")),
            ("kind", s("Job")),
            ("metadata", md),
            (
                "spec",
                m(vec![
                    ("backoffLimit", V::I(6)),
                    ("completionMode", s("NonIndexed")),
                    ("completions", V::I(1)),
                    ("manualSelector", V::B(false)),
                    ("parallelism", V::I(1)),
                    ("podReplacementPolicy", s("TerminatingOrFailed")),
                    ("suspend", V::B(false)),
                    ("template", template),
                ]),
            ),
            (
                "status",
                m(vec![
                    ("completionTime", s(t.clone())),
                    (
                        "conditions",
                        V::L(vec![m(vec![
                            ("lastProbeTime", s(t.clone())),
                            ("lastTransitionTime", s(t.clone())),
                            ("status", s("True")),
                            ("type", s("Complete")),
                        ])]),
                    ),
                    ("ready", V::I(0)),
                    ("startTime", s(t)),
                    ("succeeded", V::I(1)),
                    ("terminating", V::I(0)),
                ]),
            ),
        ]));
        let owner = self.owner("batch/v1", "Job", &name);
        let pod_name = format!("{name}-{}", self.rng.hex(5));
        self.pod(app, &pod_name, spec, owner, None, true);
    }

    fn cronjob(&mut self, app: &App, posture: Posture) {
        let spec = self.pod_spec(app, posture, "OnFailure");
        let template = self.template(app, &spec, None);
        let md = self.metadata(&app.name, Some(&app.ns), app.labels(), vec![("generation", V::I(1))]);
        let schedule = format!("{} */{} * * *", self.rng.range(0, 59), self.rng.range(1, 6));
        let (last, ok) = (self.rng.timestamp(), self.rng.timestamp());
        self.push(m(vec![
            ("apiVersion", s("batch/v1")),
            ("kind", s("CronJob")),
            ("metadata", md),
            (
                "spec",
                m(vec![
                    ("concurrencyPolicy", s("Forbid")),
                    ("failedJobsHistoryLimit", V::I(1)),
                    (
                        "jobTemplate",
                        m(vec![
                            ("metadata", m(vec![("creationTimestamp", V::Null)])),
                            ("spec", m(vec![("backoffLimit", V::I(2)), ("template", template)])),
                        ]),
                    ),
                    ("schedule", s(schedule)),
                    ("successfulJobsHistoryLimit", V::I(3)),
                    ("suspend", V::B(false)),
                ]),
            ),
            ("status", m(vec![("lastScheduleTime", s(last)), ("lastSuccessfulTime", s(ok))])),
        ]));
        for _ in 0..self.rng.range(1, 2) {
            self.job(app, &spec, Some(&app.name));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting_keeps_strings_strings() {
        for x in ["true", "yes", "0644", "1.5", "", "-3", "a: b", "~", "null", "*x", "1e3"] {
            assert!(needs_quotes(x), "{x}");
        }
        for x in ["nginx", "10Gi", "500m", "-Xmx", "app.kubernetes.io/name", "25%"] {
            assert!(!needs_quotes(x), "{x}");
        }
    }

    #[test]
    fn deterministic_and_exact_count() {
        let mut a = Vec::new();
        let mut b = Vec::new();
        let sa = write_dump(&mut a, 300, 7, false).unwrap();
        write_dump(&mut b, 300, 7, false).unwrap();
        assert_eq!(a, b);
        assert_eq!(sa.objects, 300);
        assert_eq!(String::from_utf8(a).unwrap().matches("\n---\n").count() + 1, 300);
    }

    /// The loader's fast YAML path must take every document of a dump (it is
    /// the case it exists for) and agree with the reference path on each.
    #[test]
    fn fast_yaml_path_takes_the_dump_and_matches_the_reference() {
        use kubefort_load::yaml::{parse_chunk_fast, parse_chunk_reference, split_documents};
        let mut out = Vec::new();
        write_dump(&mut out, 600, 11, false).unwrap();
        let text = String::from_utf8(out).unwrap();
        let file: std::sync::Arc<str> = std::sync::Arc::from("dump.yaml");
        let limits = kubefort_load::Limits::default();
        let chunks = split_documents(&text);
        assert!(chunks.len() >= 600);
        for (i, chunk) in chunks.into_iter().enumerate() {
            let fast = parse_chunk_fast(chunk, &file, i, limits)
                .unwrap_or_else(|| panic!("chunk {i} left to the reference:\n{}", chunk.text));
            let reference = parse_chunk_reference(chunk, &file, i, limits);
            assert_eq!(format!("{fast:?}"), format!("{reference:?}"), "chunk {i}:\n{}", chunk.text);
        }
    }
}
