//! The cluster as the engine sees it: namespaces, workloads (each standing
//! for its pods), policies, and the evaluation of a connection under
//! `networking.k8s.io/v1` semantics.
//!
//! Pods are grouped into *shapes*: pods with the same namespace, labels,
//! named ports and host-network setting are treated alike by every policy,
//! so connectivity is computed once per pair of shapes, not per pair of pods.

use crate::conn::{Conn, Protocol};
use crate::ip::IpRange;
use crate::policy::{Direction, NamedPort, Peer, Policy, Rule};
use crate::selector::Labels;
use kubefort_model::{Location, Node, Object, PodSpecRef};
use rayon::prelude::*;
use std::collections::{HashMap, HashSet};

/// The label every namespace carries automatically.
pub const NAMESPACE_NAME_LABEL: &str = "kubernetes.io/metadata.name";

#[derive(Debug, Clone)]
pub struct Namespace {
    pub name: String,
    pub labels: Labels,
}

/// Pods that every policy treats alike.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Shape {
    pub namespace: usize,
    pub labels: Labels,
    pub ports: Vec<NamedPort>,
    /// hostNetwork pods use the node's address: no policy selects them and
    /// no pod selector matches their traffic.
    pub host_network: bool,
}

/// A workload (or a bare pod) with the pod it stands for.
#[derive(Debug, Clone)]
pub struct Workload {
    pub namespace: String,
    /// The owner's name for pods created by a controller, else the pod's.
    pub name: String,
    /// `Deployment`, `ReplicaSet`, … or `Pod`.
    pub kind: String,
    pub shape: usize,
    pub location: Location,
    /// Index of the object it was read from.
    pub object: usize,
}

impl Workload {
    /// np-guard's peer name: `ns/name[Kind]`.
    pub fn display(&self) -> String {
        display(&self.namespace, &self.name, &self.kind)
    }
}

/// `shop/web[Deployment]`
fn display(namespace: &str, name: &str, kind: &str) -> String {
    format!("{namespace}/{name}[{kind}]")
}

/// One side of a connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Endpoint {
    /// A pod of this shape.
    Shape(usize),
    /// An address range outside the cluster.
    Ip(IpRange),
}

/// One rule that allowed (part of) a connection.
#[derive(Debug, Clone)]
pub struct Allow {
    pub policy: usize,
    pub rule: usize,
    pub conn: Conn,
}

/// How one direction (the source's egress or the destination's ingress)
/// judged a connection.
#[derive(Debug, Clone)]
pub struct Verdict {
    pub direction: Direction,
    /// Policies selecting the pod that isolate it in this direction; empty
    /// means the pod is not isolated and everything is allowed.
    pub isolating: Vec<usize>,
    /// The rules that matched the other side, with the ports each allows.
    pub allows: Vec<Allow>,
    pub conn: Conn,
    /// Why the pod is not subject to policies, when it is not.
    pub exempt: Option<&'static str>,
}

/// How to read the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Options {
    /// Kubernetes semantics (the default): hostNetwork pods share the
    /// node's network namespace, so no policy selects them and no pod
    /// selector matches their traffic. `false` treats them as ordinary
    /// pods, as np-guard's netpol-analyzer does.
    pub host_network_exempt: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options { host_network_exempt: true }
    }
}

impl Options {
    /// np-guard netpol-analyzer's reading (for comparing outputs).
    pub fn analyzer_compatible() -> Self {
        Options { host_network_exempt: false }
    }
}

#[derive(Debug, Default)]
pub struct Network {
    pub namespaces: Vec<Namespace>,
    pub shapes: Vec<Shape>,
    pub workloads: Vec<Workload>,
    pub policies: Vec<Policy>,
    /// Problems met while reading the input (invalid policies, …).
    pub warnings: Vec<String>,
    /// Workloads that Ingress objects route to, with the target ports.
    pub ingress_routes: Vec<(usize, Conn)>,
    ns_index: HashMap<String, usize>,
    /// Per shape, per direction: the policies selecting it that isolate it.
    isolating: Vec<[Vec<usize>; 2]>,
    /// Per namespace: its policies.
    policies_by_namespace: Vec<Vec<usize>>,
    /// Per namespace: its shapes.
    shapes_by_namespace: Vec<Vec<usize>>,
}

const WORKLOAD_KINDS: [&str; 8] =
    ["Pod", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController", "Job", "CronJob"];

fn labels_of(node: Option<&Node>) -> Labels {
    node.and_then(|n| n.get("labels"))
        .and_then(Node::as_map)
        .map(|m| m.iter().filter_map(|(k, v)| Some((k.to_owned(), v.scalar_text()?))).collect())
        .unwrap_or_default()
}

/// The namespace, name and kind of the workload an object stands for:
/// itself, or for a Pod its owner; `None` for objects without pods and for
/// a ReplicaSet or Job whose owner already stands for its pods.
fn stands_as(o: &Object) -> Option<(String, String, String)> {
    if !WORKLOAD_KINDS.contains(&o.kind.as_str()) || PodSpecRef::of(o).is_none() {
        return None;
    }
    let namespace = o.namespace.clone().unwrap_or_else(|| "default".into());
    let (name, kind) = match (o.kind.as_str(), owner_of(o)) {
        ("Pod", Some((name, kind))) => (name.to_owned(), if kind.is_empty() { "Pod" } else { kind }.to_owned()),
        ("Pod", None) => (o.name.clone(), "Pod".to_owned()),
        (_, Some(_))
            if o.metadata().and_then(|m| m.get("ownerReferences")).is_some_and(|r| {
                r.as_seq().iter().any(|x| x.get("controller").and_then(Node::as_bool) == Some(true))
            }) =>
        {
            return None
        }
        _ => (o.name.clone(), o.kind.clone()),
    };
    Some((namespace, name, kind))
}

/// What a [`Shape`] is made of, read from one object's pod template.
struct PodShape {
    labels: Labels,
    ports: Vec<NamedPort>,
    host_network: bool,
    /// Of the three fields above.
    hash: u64,
}

impl PodShape {
    fn of(object: &Object, options: Options) -> PodShape {
        let pod = PodSpecRef::of(object);
        let spec = pod.map(|p| p.spec);
        let mut ports: Vec<NamedPort> = spec
            .and_then(|s| s.get("containers"))
            .map(Node::as_seq)
            .unwrap_or(&[])
            .iter()
            .flat_map(|c| c.get("ports").map(Node::as_seq).unwrap_or(&[]))
            .filter_map(|p| {
                let name = p.get("name").and_then(Node::as_str).filter(|n| !n.is_empty())?;
                let port = p.get("containerPort").and_then(Node::as_i64).filter(|n| (1..=65535).contains(n))?;
                let protocol = match p.get("protocol").and_then(Node::as_str) {
                    None => Protocol::Tcp,
                    Some(s) => Protocol::parse(s)?,
                };
                Some(NamedPort { name: name.to_owned(), protocol, port: port as u16 })
            })
            .collect();
        ports.sort();
        ports.dedup();
        let labels = labels_of(pod.and_then(|p| p.metadata));
        let host_network = options.host_network_exempt
            && spec.and_then(|s| s.get("hostNetwork")).and_then(Node::as_bool) == Some(true);
        let hash = std::hash::BuildHasher::hash_one(
            &std::hash::BuildHasherDefault::<std::collections::hash_map::DefaultHasher>::default(),
            (&labels, &ports, host_network),
        );
        PodShape { labels, ports, host_network, hash }
    }
}

/// The controller owner (`controller: true`, else the first owner).
fn owner_of(object: &Object) -> Option<(&str, &str)> {
    let owners = object.metadata()?.get("ownerReferences")?.as_seq();
    let owner =
        owners.iter().find(|o| o.get("controller").and_then(Node::as_bool) == Some(true)).or_else(|| owners.first())?;
    let name = owner.get("name").and_then(Node::as_str).filter(|n| !n.is_empty())?;
    Some((name, owner.get("kind").and_then(Node::as_str).unwrap_or("")))
}

fn dir_index(dir: Direction) -> usize {
    match dir {
        Direction::Ingress => 0,
        Direction::Egress => 1,
    }
}

impl Network {
    /// Builds the network from loaded objects: Namespaces, workloads and
    /// pods, NetworkPolicies. Everything else is ignored.
    pub fn from_objects(objects: &[Object]) -> Network {
        Network::with_options(objects, Options::default())
    }

    pub fn with_options(objects: &[Object], options: Options) -> Network {
        let mut net = Network::default();
        for o in objects.iter().filter(|o| o.kind == "Namespace" && o.api_version == "v1") {
            let mut labels = labels_of(o.metadata());
            labels.insert(NAMESPACE_NAME_LABEL.into(), o.name.clone());
            if let Some(&i) = net.ns_index.get(&o.name) {
                net.namespaces[i].labels = labels;
            } else {
                net.ns_index.insert(o.name.clone(), net.namespaces.len());
                net.namespaces.push(Namespace { name: o.name.clone(), labels });
            }
        }
        // Which objects stand for pods, in input order: a workload, or the
        // first pod of an owner for all its pods. What each object would
        // stand as is read in parallel; the first one wins.
        let candidates: Vec<(usize, String, String, String)> = objects
            .par_iter()
            .enumerate()
            .filter_map(|(index, o)| stands_as(o).map(|(ns, name, kind)| (index, ns, name, kind)))
            .collect();
        let mut seen: HashSet<String> = HashSet::new();
        let standing: Vec<(usize, String, String, String)> =
            candidates.into_iter().filter(|(_, ns, name, kind)| seen.insert(display(ns, name, kind))).collect();
        // Their labels and ports, read in parallel: a cluster dump has tens
        // of thousands.
        let pods: Vec<PodShape> =
            standing.par_iter().map(|(index, ..)| PodShape::of(&objects[*index], options)).collect();
        // Equal shapes are shared; candidates are found by hash, so no
        // shape is cloned to serve as a map key.
        let mut shape_index: HashMap<(usize, u64), Vec<usize>> = HashMap::new();
        for ((index, namespace, name, kind), pod) in standing.into_iter().zip(pods) {
            let ns = net.namespace_index(&namespace);
            let shape = Shape { namespace: ns, labels: pod.labels, ports: pod.ports, host_network: pod.host_network };
            let same = shape_index.entry((ns, pod.hash)).or_default();
            let shape_id = match same.iter().copied().find(|&s| net.shapes[s] == shape) {
                Some(s) => s,
                None => {
                    same.push(net.shapes.len());
                    net.shapes.push(shape);
                    net.shapes.len() - 1
                }
            };
            let location = objects[index].location_of("");
            net.workloads.push(Workload { namespace, name, kind, shape: shape_id, location, object: index });
        }
        for o in objects {
            if let Some(p) = Policy::from_object(o) {
                for w in &p.warnings {
                    net.warnings.push(format!("NetworkPolicy {}: {w}", p.display()));
                }
                net.namespace_index(&p.namespace);
                net.policies.push(p);
            }
        }
        net.ingress_routes = crate::ingress::routes(&net, objects);
        // Policies grouped by namespace: a policy selects pods of its own
        // namespace only, so each shape is matched against those alone.
        let mut by_namespace: Vec<Vec<usize>> = vec![Vec::new(); net.namespaces.len()];
        for (i, p) in net.policies.iter().enumerate() {
            if let Some(&ns) = net.ns_index.get(&p.namespace) {
                by_namespace[ns].push(i);
            }
        }
        net.isolating = (0..net.shapes.len())
            .map(|s| {
                let shape = &net.shapes[s];
                let mut out = [Vec::new(), Vec::new()];
                if shape.host_network {
                    return out;
                }
                for &i in &by_namespace[shape.namespace] {
                    let p = &net.policies[i];
                    if p.pod_selector.matches(&shape.labels) {
                        if p.isolates_ingress {
                            out[0].push(i);
                        }
                        if p.isolates_egress {
                            out[1].push(i);
                        }
                    }
                }
                out
            })
            .collect();
        net.policies_by_namespace = by_namespace;
        net.shapes_by_namespace = vec![Vec::new(); net.namespaces.len()];
        for (s, shape) in net.shapes.iter().enumerate() {
            net.shapes_by_namespace[shape.namespace].push(s);
        }
        net
    }

    fn namespace_index(&mut self, name: &str) -> usize {
        if let Some(&i) = self.ns_index.get(name) {
            return i;
        }
        let i = self.namespaces.len();
        self.ns_index.insert(name.to_owned(), i);
        let labels = Labels::from([(NAMESPACE_NAME_LABEL.to_owned(), name.to_owned())]);
        self.namespaces.push(Namespace { name: name.to_owned(), labels });
        i
    }

    pub fn namespace(&self, name: &str) -> Option<&Namespace> {
        self.ns_index.get(name).map(|&i| &self.namespaces[i])
    }

    /// The index of a namespace in [`Network::namespaces`].
    pub fn namespace_id(&self, name: &str) -> Option<usize> {
        self.ns_index.get(name).copied()
    }

    /// The policies of namespace `ns` (an index into [`Network::namespaces`]).
    pub fn policies_in(&self, ns: usize) -> &[usize] {
        self.policies_by_namespace.get(ns).map_or(&[], Vec::as_slice)
    }

    /// Shapes of pods that `policy` selects (hostNetwork pods excepted: no
    /// policy applies to them).
    pub fn selected_shapes(&self, policy: usize) -> Vec<usize> {
        let p = &self.policies[policy];
        let Some(ns) = self.namespace_id(&p.namespace) else { return Vec::new() };
        let in_namespace = self.shapes_by_namespace.get(ns).map_or(&[][..], Vec::as_slice);
        in_namespace
            .iter()
            .copied()
            .filter(|&s| {
                let shape = &self.shapes[s];
                !shape.host_network && p.pod_selector.matches(&shape.labels)
            })
            .collect()
    }

    /// Policies that select pods of `shape` and isolate them in `dir`.
    pub fn isolating(&self, shape: usize, dir: Direction) -> &[usize] {
        &self.isolating[shape][dir_index(dir)]
    }

    /// Policies whose pod selector selects pods of `shape` (whatever their types).
    pub fn selecting(&self, shape: usize) -> Vec<usize> {
        let s = &self.shapes[shape];
        if s.host_network {
            return Vec::new();
        }
        self.policies_in(s.namespace)
            .iter()
            .copied()
            .filter(|&i| self.policies[i].pod_selector.matches(&s.labels))
            .collect()
    }

    /// Whether a peer of `policy` matches `other`.
    pub fn peer_matches(&self, policy: &Policy, peer: &Peer, other: Endpoint) -> bool {
        match (peer, other) {
            (Peer::Invalid(_), _) => false,
            (Peer::Block { set, .. }, Endpoint::Ip(range)) => set.contains_range(&range),
            (Peer::Block { .. }, Endpoint::Shape(_)) => false,
            (Peer::Pods { .. }, Endpoint::Ip(_)) => false,
            (Peer::Pods { namespaces, pods }, Endpoint::Shape(s)) => {
                let shape = &self.shapes[s];
                if shape.host_network {
                    return false;
                }
                let ns = &self.namespaces[shape.namespace];
                let ns_ok = match namespaces {
                    None => ns.name == policy.namespace,
                    Some(sel) => sel.matches(&ns.labels),
                };
                ns_ok && pods.as_ref().is_none_or(|sel| sel.matches(&shape.labels))
            }
        }
    }

    /// Whether `rule` of `policy` matches `other` (every peer when it has no `from`/`to`).
    pub fn rule_matches(&self, policy: &Policy, rule: &Rule, other: Endpoint) -> bool {
        match &rule.peers {
            None => true,
            Some(peers) => peers.iter().any(|p| self.peer_matches(policy, p, other)),
        }
    }

    fn named_ports(&self, dst: Endpoint) -> Option<&[NamedPort]> {
        match dst {
            Endpoint::Shape(s) => Some(&self.shapes[s].ports),
            Endpoint::Ip(_) => None,
        }
    }

    /// What `subject`'s policies allow in `dir` with `other` (the source for
    /// ingress, the destination for egress). Named ports are resolved
    /// against the destination. Fast path: no explanation.
    pub fn allowed_dir(&self, subject: usize, dir: Direction, other: Endpoint) -> Conn {
        let isolating = self.isolating(subject, dir);
        if isolating.is_empty() {
            return Conn::all();
        }
        let dst = match dir {
            Direction::Ingress => Endpoint::Shape(subject),
            Direction::Egress => other,
        };
        let named = self.named_ports(dst);
        let mut conn = Conn::none();
        for &i in isolating {
            let p = &self.policies[i];
            for rule in p.rules(dir) {
                if self.rule_matches(p, rule, other) {
                    conn.union_with(&rule.conn(named));
                    if conn.is_all() {
                        return conn;
                    }
                }
            }
        }
        conn
    }

    /// The same as [`Network::allowed_dir`], with the policies and rules
    /// that decided.
    pub fn verdict(&self, subject: usize, dir: Direction, other: Endpoint) -> Verdict {
        let isolating = self.isolating(subject, dir).to_vec();
        let exempt = self.shapes[subject].host_network.then_some("hostNetwork pods are not subject to NetworkPolicy");
        if isolating.is_empty() {
            return Verdict { direction: dir, isolating, allows: Vec::new(), conn: Conn::all(), exempt };
        }
        let dst = match dir {
            Direction::Ingress => Endpoint::Shape(subject),
            Direction::Egress => other,
        };
        let named = self.named_ports(dst);
        let mut allows = Vec::new();
        let mut conn = Conn::none();
        for &i in &isolating {
            let p = &self.policies[i];
            for (r, rule) in p.rules(dir).iter().enumerate() {
                if self.rule_matches(p, rule, other) {
                    let c = rule.conn(named);
                    conn.union_with(&c);
                    allows.push(Allow { policy: i, rule: r, conn: c });
                }
            }
        }
        Verdict { direction: dir, isolating, allows, conn, exempt }
    }

    /// What an ingress controller (a pod of some namespace the manifests do
    /// not show) may open to pods of `shape`: only rules that admit every
    /// pod of every namespace can be relied on to admit it.
    pub fn allowed_from_ingress_controller(&self, shape: usize) -> Conn {
        let isolating = self.isolating(shape, Direction::Ingress);
        if isolating.is_empty() {
            return Conn::all();
        }
        let named = Some(self.shapes[shape].ports.as_slice());
        let mut conn = Conn::none();
        for &i in isolating {
            for rule in self.policies[i].rules(Direction::Ingress) {
                let admits_all_pods = match &rule.peers {
                    None => true,
                    Some(peers) => peers.iter().any(|p| {
                        matches!(p, Peer::Pods { namespaces: Some(ns), pods }
                            if ns.is_everything() && pods.as_ref().is_none_or(|s| s.is_everything()))
                    }),
                };
                if admits_all_pods {
                    conn.union_with(&rule.conn(named));
                }
            }
        }
        conn
    }

    /// Everything `src` may open to `dst`: the source's egress AND the
    /// destination's ingress. Outside addresses are not restricted on their
    /// own side.
    pub fn allowed(&self, src: Endpoint, dst: Endpoint) -> Conn {
        let egress = match src {
            Endpoint::Shape(s) => self.allowed_dir(s, Direction::Egress, dst),
            Endpoint::Ip(_) => Conn::all(),
        };
        if egress.is_empty() {
            return egress;
        }
        let ingress = match dst {
            Endpoint::Shape(d) => self.allowed_dir(d, Direction::Ingress, src),
            Endpoint::Ip(_) => Conn::all(),
        };
        egress.intersect(&ingress)
    }

    /// Finds workloads by `ns/name`, `ns/name[Kind]` or `name` (namespace
    /// `default`); a bare pod also matches by its own name.
    pub fn find_workloads(&self, query: &str, objects: &[Object]) -> Vec<usize> {
        let (ns, rest) = query.split_once('/').unwrap_or(("default", query));
        let (name, kind) = match rest.strip_suffix(']').and_then(|r| r.split_once('[')) {
            Some((n, k)) => (n, Some(k)),
            None => (rest, None),
        };
        (0..self.workloads.len())
            .filter(|&i| {
                let w = &self.workloads[i];
                w.namespace == ns
                    && (w.name == name || objects.get(w.object).is_some_and(|o| o.name == name))
                    && kind.is_none_or(|k| k.eq_ignore_ascii_case(&w.kind))
            })
            .collect()
    }

    /// Address ranges that every rule in `dir` treats alike (the sources of
    /// ingress, the destinations of egress).
    pub fn external_atoms(&self, dir: Direction) -> Vec<IpRange> {
        let sets: Vec<&crate::ip::IpSet> = self
            .policies
            .iter()
            .flat_map(|p| p.rules(dir))
            .flat_map(|r| r.peers.iter().flatten())
            .filter_map(|peer| match peer {
                Peer::Block { set, .. } => Some(set),
                _ => None,
            })
            .collect();
        crate::ip::atoms(&sets)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kubefort_load::{load_texts, Limits};
    use std::sync::Arc;

    fn net(yaml: &str) -> Network {
        let loaded = load_texts(vec![(Arc::from("t.yaml"), yaml.to_owned())], Limits::default());
        Network::from_objects(&loaded.objects)
    }
    fn shape(n: &Network, query: &str) -> Endpoint {
        let found = n.find_workloads(query, &[]);
        assert_eq!(found.len(), 1, "{query}");
        Endpoint::Shape(n.workloads[found[0]].shape)
    }
    fn ip(text: &str) -> Endpoint {
        Endpoint::Ip(IpRange::single(text.parse().unwrap()))
    }

    const PODS: &str = r#"
apiVersion: v1
kind: Namespace
metadata: {name: prod, labels: {env: prod}}
---
apiVersion: v1
kind: Pod
metadata: {name: web, namespace: prod, labels: {app: web}}
spec:
  containers:
  - name: c
    ports: [{name: http, containerPort: 8080}, {name: dns, containerPort: 5353, protocol: UDP}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: prod}
spec:
  template:
    metadata: {labels: {app: api}}
    spec:
      containers:
      - name: c
        ports: [{name: http, containerPort: 9090}]
---
apiVersion: batch/v1
kind: CronJob
metadata: {name: job, namespace: other}
spec:
  jobTemplate:
    spec:
      template:
        metadata: {labels: {app: api}}
        spec: {containers: [{name: c}]}
---
apiVersion: v1
kind: Pod
metadata: {name: node-agent, namespace: prod, labels: {app: agent}}
spec: {hostNetwork: true, containers: [{name: c}]}
"#;

    #[test]
    fn no_policy_allows_everything() {
        let n = net(PODS);
        assert!(n.allowed(shape(&n, "prod/web"), shape(&n, "prod/api")).is_all());
        assert!(n.allowed(ip("8.8.8.8"), shape(&n, "other/job")).is_all());
        assert_eq!(n.workloads.len(), 4);
        // The namespace `other` exists only through the CronJob, with its automatic label.
        assert_eq!(n.namespace("other").unwrap().labels.get(NAMESPACE_NAME_LABEL).map(String::as_str), Some("other"));
    }

    #[test]
    fn pod_and_namespace_selectors_in_one_peer_are_anded_and_named_ports_resolve_per_destination() {
        let n = net(&format!(
            "{PODS}---\n{}",
            r#"
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: in, namespace: prod}
spec:
  podSelector: {}
  ingress:
  - from:
    - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: other}}
      podSelector: {matchLabels: {app: api}}
    ports: [{port: http}]
"#
        ));
        let (web, api, job) = (shape(&n, "prod/web"), shape(&n, "prod/api"), shape(&n, "other/job"));
        assert_eq!(n.allowed(job, web).to_string(), "TCP 8080");
        assert_eq!(n.allowed(job, api).to_string(), "TCP 9090");
        // Same labels, wrong namespace: the AND fails.
        assert!(n.allowed(api, web).is_empty());
        assert!(n.allowed(ip("10.0.0.1"), web).is_empty());
        // Egress is not isolated by an ingress-only policy.
        assert!(n.allowed(web, job).is_all());
        let v = n.verdict(
            match web {
                Endpoint::Shape(s) => s,
                _ => unreachable!(),
            },
            Direction::Ingress,
            job,
        );
        assert_eq!((v.isolating.len(), v.allows.len()), (1, 1));
        assert_eq!(v.allows[0].rule, 0);
    }

    #[test]
    fn egress_and_ingress_must_both_allow() {
        let n = net(&format!(
            "{PODS}---\n{}",
            r#"
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: out, namespace: prod}
spec:
  podSelector: {matchLabels: {app: web}}
  egress:
  - to: [{podSelector: {}, namespaceSelector: {}}]
    ports: [{port: 9000, endPort: 9100}, {protocol: UDP}]
  - to:
    - ipBlock: {cidr: 10.0.0.0/8, except: [10.1.0.0/16]}
    - ipBlock: {cidr: "fd00::/8"}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: api-in, namespace: prod}
spec:
  podSelector: {matchLabels: {app: api}}
  policyTypes: [Ingress]
  ingress: [{ports: [{port: 9090}, {port: 53, protocol: UDP}]}]
"#
        ));
        let (web, api, job) = (shape(&n, "prod/web"), shape(&n, "prod/api"), shape(&n, "other/job"));
        assert_eq!(n.allowed(web, api).to_string(), "TCP 9090,UDP 53");
        assert_eq!(n.allowed(web, job).to_string(), "TCP 9000-9100,UDP 1-65535");
        assert!(n.allowed(web, ip("10.2.3.4")).is_all());
        assert!(n.allowed(web, ip("10.1.3.4")).is_empty());
        assert!(n.allowed(web, ip("fd12::1")).is_all());
        assert!(n.allowed(web, ip("2001:db8::1")).is_empty());
        assert!(n.allowed(web, ip("8.8.8.8")).is_empty());
        let atoms: Vec<String> = n.external_atoms(Direction::Egress).iter().map(ToString::to_string).collect();
        assert!(atoms.contains(&"10.1.0.0-10.1.255.255".to_owned()), "{atoms:?}");
        assert!(atoms.contains(&"fd00::-fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff".to_owned()), "{atoms:?}");
        assert_eq!(n.external_atoms(Direction::Ingress).len(), 1);
    }

    #[test]
    fn host_network_pods_are_neither_selected_nor_matched() {
        let policy = r#"
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny, namespace: prod}
spec:
  podSelector: {}
  policyTypes: [Ingress, Egress]
  ingress: [{from: [{podSelector: {}}]}]
"#;
        let yaml = format!("{PODS}---\n{policy}");
        let n = net(&yaml);
        let (agent, web) = (shape(&n, "prod/node-agent"), shape(&n, "prod/web"));
        assert!(n.allowed(agent, ip("1.1.1.1")).is_all());
        // Its traffic arrives from the node's address, which `podSelector: {}` does not match.
        assert!(n.allowed(agent, web).is_empty());
        assert!(n.allowed(shape(&n, "prod/api"), web).is_empty(), "api's egress is isolated");
        let loaded = load_texts(vec![(Arc::from("t.yaml"), yaml)], Limits::default());
        let compat = Network::with_options(&loaded.objects, Options::analyzer_compatible());
        let agent = Endpoint::Shape(compat.workloads[compat.find_workloads("prod/node-agent", &[])[0]].shape);
        assert!(compat.allowed(agent, ip("1.1.1.1")).is_empty());
    }

    #[test]
    fn pods_of_one_owner_are_one_workload_and_equal_pods_share_a_shape() {
        let n = net(r#"
apiVersion: v1
kind: Pod
metadata: {name: a-1, labels: {app: a}, ownerReferences: [{kind: ReplicaSet, name: a-rs, controller: true}]}
spec: {containers: [{name: c}]}
---
apiVersion: v1
kind: Pod
metadata: {name: a-2, labels: {app: a}, ownerReferences: [{kind: ReplicaSet, name: a-rs, controller: true}]}
spec: {containers: [{name: c}]}
---
apiVersion: v1
kind: Pod
metadata: {name: b, labels: {app: a}}
spec: {containers: [{name: c}]}
---
apiVersion: apps/v1
kind: ReplicaSet
metadata: {name: owned, ownerReferences: [{kind: Deployment, name: d, controller: true}]}
spec: {template: {metadata: {labels: {app: a}}, spec: {containers: [{name: c}]}}}
"#);
        let names: Vec<String> = n.workloads.iter().map(Workload::display).collect();
        assert_eq!(names, ["default/a-rs[ReplicaSet]", "default/b[Pod]"]);
        assert_eq!(n.shapes.len(), 1);
    }
}
