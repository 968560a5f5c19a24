//! The list of allowed connections between workloads and outside address
//! ranges, in np-guard netpol-analyzer's `connlist` conventions.

use crate::conn::Conn;
use crate::network::{Endpoint, Network};
use crate::policy::Direction;
use crate::policy::Peer;
use std::collections::HashMap;
use std::fmt::Write as _;

/// One allowed connection.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Connection {
    /// `ns/name[Kind]` or `first-last[External]`.
    pub src: String,
    pub dst: String,
    pub conn: Conn,
}

impl Connection {
    /// `src => dst : conn`
    pub fn line(&self) -> String {
        format!("{} => {} : {}", self.src, self.dst, self.conn)
    }
}

/// Every allowed connection: workload to workload (a workload's connections
/// with itself are left out), outside ranges to workloads and workloads to
/// outside ranges. Sorted by source, then destination.
pub fn connlist(net: &Network) -> Vec<Connection> {
    let mut out = Vec::new();
    for_each_connection(net, |src, dst, conn| {
        out.push(Connection { src: src.to_owned(), dst: dst.to_owned(), conn: conn.clone() })
    });
    out
}

/// The connections of [`connlist()`], in the same order, handed to `f` one
/// at a time: memory stays proportional to the number of workloads and
/// address ranges, not to the number of connections.
///
/// Each source is one row. The peers of every rule are matched against
/// every shape once, up front (a bit set per rule), so a row costs a pass
/// over the rules that apply to it, not a selector evaluation per pair.
pub fn for_each_connection(net: &Network, mut f: impl FnMut(&str, &str, &Conn)) {
    let mut m = Matrix::new(net);
    let names: Vec<String> = net.workloads.iter().map(|w| w.display()).collect();
    let in_atoms = net.external_atoms(Direction::Ingress);
    let out_atoms = net.external_atoms(Direction::Egress);
    let in_names: Vec<String> = in_atoms.iter().map(|a| format!("{a}[External]")).collect();
    let out_names: Vec<String> = out_atoms.iter().map(|a| format!("{a}[External]")).collect();

    // Every node, sorted by name: sources are visited in this order, and
    // each row lists its destinations in this order.
    let mut nodes: Vec<(&str, Node)> = Vec::new();
    nodes.extend(names.iter().enumerate().map(|(i, n)| (n.as_str(), Node::Workload(i))));
    nodes.extend(in_names.iter().enumerate().map(|(i, n)| (n.as_str(), Node::InAtom(i))));
    nodes.extend(out_names.iter().enumerate().map(|(i, n)| (n.as_str(), Node::OutAtom(i))));
    if !net.ingress_routes.is_empty() {
        nodes.push((INGRESS_CONTROLLER, Node::IngressController));
    }
    nodes.sort_by(|a, b| a.0.cmp(b.0));
    // Destinations of a workload's row: workloads and egress ranges.
    let dsts: Vec<(&str, Node)> =
        nodes.iter().copied().filter(|(_, n)| matches!(n, Node::Workload(_) | Node::OutAtom(_))).collect();

    let all = Conn::all();
    let mut row: Vec<Option<Conn>> = vec![None; net.shapes.len()];
    let mut atom_row: Vec<Option<Conn>> = vec![None; out_atoms.len()];
    for &(src_name, src) in &nodes {
        match src {
            Node::Workload(i) => {
                let s = net.workloads[i].shape;
                let open = m.egress_row(s, &mut row, &mut atom_row);
                for &(dst_name, dst) in &dsts {
                    match dst {
                        Node::Workload(j) if j != i => {
                            let d = net.workloads[j].shape;
                            let egress = if open { Some(&all) } else { row[d].as_ref() };
                            let Some(egress) = egress.filter(|c| !c.is_empty()) else { continue };
                            let conn = m.ingress(d, s, egress);
                            if !conn.is_empty() {
                                f(src_name, dst_name, &conn);
                            }
                        }
                        Node::OutAtom(a) => {
                            let conn = if open { Some(&all) } else { atom_row[a].as_ref() };
                            if let Some(conn) = conn.filter(|c| !c.is_empty()) {
                                f(src_name, dst_name, conn);
                            }
                        }
                        _ => {}
                    }
                }
            }
            Node::InAtom(a) => {
                let mut per_shape: Vec<Option<Conn>> = vec![None; net.shapes.len()];
                for &(dst_name, dst) in &dsts {
                    let Node::Workload(j) = dst else { continue };
                    let d = net.workloads[j].shape;
                    let conn =
                        per_shape[d].get_or_insert_with(|| net.allowed(Endpoint::Ip(in_atoms[a]), Endpoint::Shape(d)));
                    if !conn.is_empty() {
                        f(src_name, dst_name, conn);
                    }
                }
            }
            Node::OutAtom(_) => {}
            Node::IngressController => {
                let mut routes: Vec<(&str, Conn)> = net
                    .ingress_routes
                    .iter()
                    .map(|(w, ports)| {
                        let conn = ports.intersect(&net.allowed_from_ingress_controller(net.workloads[*w].shape));
                        (names[*w].as_str(), conn)
                    })
                    .filter(|(_, c)| !c.is_empty())
                    .collect();
                routes.sort();
                routes.dedup();
                for (dst, conn) in &routes {
                    f(src_name, dst, conn);
                }
            }
        }
    }
}

#[derive(Debug, Clone, Copy)]
enum Node {
    Workload(usize),
    InAtom(usize),
    OutAtom(usize),
    IngressController,
}

/// Which shapes (or egress address ranges) one rule's peers match.
struct Targets {
    /// No `from`/`to`: every peer.
    all: bool,
    /// One bit per shape.
    shapes: Vec<u64>,
    /// Egress rules: one bit per egress address range.
    atoms: Vec<u64>,
}

fn bit(set: &[u64], i: usize) -> bool {
    set.get(i / 64).is_some_and(|w| w >> (i % 64) & 1 == 1)
}
fn for_each_bit(set: &[u64], mut f: impl FnMut(usize)) {
    for (w, &word) in set.iter().enumerate() {
        let mut bits = word;
        while bits != 0 {
            f(w * 64 + bits.trailing_zeros() as usize);
            bits &= bits - 1;
        }
    }
}
fn set_bit(set: &mut [u64], i: usize) {
    set[i / 64] |= 1 << (i % 64);
}

/// The rules of every policy with their targets, and what each allows per
/// set of named ports.
struct Matrix<'n> {
    net: &'n Network,
    /// `[policy][direction][rule]`
    targets: Vec<[Vec<Targets>; 2]>,
    /// Each shape's named ports, interned: shapes with equal port lists
    /// resolve a rule's named ports alike.
    port_list: Vec<usize>,
    /// `[policy][direction][rule]`: what the rule allows, when it names no
    /// port (then it is the same towards every destination).
    plain: Vec<[Vec<Option<Conn>>; 2]>,
    /// `(policy, direction, rule, port list)` → what a rule naming ports allows.
    conns: HashMap<(usize, usize, usize, usize), Conn>,
}

fn dir_index(dir: Direction) -> usize {
    match dir {
        Direction::Ingress => 0,
        Direction::Egress => 1,
    }
}

impl<'n> Matrix<'n> {
    fn new(net: &'n Network) -> Self {
        let shapes = net.shapes.len();
        let words = shapes.div_ceil(64);
        // Shapes by namespace, so a peer's pod selector is tried only on
        // the namespaces its namespace selector matched.
        let mut by_ns: Vec<Vec<usize>> = vec![Vec::new(); net.namespaces.len()];
        for (i, s) in net.shapes.iter().enumerate() {
            if !s.host_network {
                by_ns[s.namespace].push(i);
            }
        }
        let out_atoms = net.external_atoms(Direction::Egress);
        let targets = net
            .policies
            .iter()
            .map(|p| {
                [Direction::Ingress, Direction::Egress].map(|dir| {
                    p.rules(dir)
                        .iter()
                        .map(|r| {
                            let mut t = Targets {
                                all: r.peers.is_none(),
                                shapes: vec![0; words],
                                atoms: vec![0; if dir == Direction::Egress { out_atoms.len().div_ceil(64) } else { 0 }],
                            };
                            for peer in r.peers.iter().flatten() {
                                match peer {
                                    Peer::Pods { namespaces, pods } => {
                                        for (ns, members) in by_ns.iter().enumerate() {
                                            let ns_ok = match namespaces {
                                                None => net.namespaces[ns].name == p.namespace,
                                                Some(sel) => sel.matches(&net.namespaces[ns].labels),
                                            };
                                            if !ns_ok {
                                                continue;
                                            }
                                            for &s in members {
                                                if pods.as_ref().is_none_or(|sel| sel.matches(&net.shapes[s].labels)) {
                                                    set_bit(&mut t.shapes, s);
                                                }
                                            }
                                        }
                                    }
                                    Peer::Block { set, .. } if dir == Direction::Egress => {
                                        for (a, atom) in out_atoms.iter().enumerate() {
                                            if set.contains_range(atom) {
                                                set_bit(&mut t.atoms, a);
                                            }
                                        }
                                    }
                                    _ => {}
                                }
                            }
                            t
                        })
                        .collect()
                })
            })
            .collect();
        let mut interned: HashMap<&[crate::policy::NamedPort], usize> = HashMap::new();
        let port_list = net
            .shapes
            .iter()
            .map(|s| {
                let next = interned.len();
                *interned.entry(s.ports.as_slice()).or_insert(next)
            })
            .collect();
        let plain = net
            .policies
            .iter()
            .map(|p| {
                [Direction::Ingress, Direction::Egress].map(|dir| {
                    p.rules(dir)
                        .iter()
                        .map(|r| {
                            let named =
                                r.ports.iter().flatten().any(|s| matches!(s, crate::policy::PortSpec::Named { .. }));
                            (!named).then(|| r.conn(None))
                        })
                        .collect()
                })
            })
            .collect();
        Matrix { net, targets, port_list, plain, conns: HashMap::new() }
    }

    /// What rule `r` of policy `p` in `dir` allows towards a pod of `dst`
    /// (`None`: outside the cluster).
    fn rule_conn(&mut self, p: usize, dir: Direction, r: usize, dst: Option<usize>) -> &Conn {
        if let Some(conn) = &self.plain[p][dir_index(dir)][r] {
            return conn;
        }
        let list = dst.map_or(usize::MAX, |d| self.port_list[d]);
        let net = self.net;
        self.conns
            .entry((p, dir_index(dir), r, list))
            .or_insert_with(|| net.policies[p].rules(dir)[r].conn(dst.map(|d| net.shapes[d].ports.as_slice())))
    }

    /// Fills `row` (per destination shape) and `atoms` (per egress address
    /// range) with what `src`'s egress allows; returns `true`, leaving both
    /// untouched, when its egress is not isolated (everything is allowed).
    fn egress_row(&mut self, src: usize, row: &mut [Option<Conn>], atoms: &mut [Option<Conn>]) -> bool {
        let net = self.net;
        let isolating = net.isolating(src, Direction::Egress);
        if isolating.is_empty() {
            return true;
        }
        row.iter_mut().for_each(|c| *c = None);
        atoms.iter_mut().for_each(|c| *c = None);
        for &p in isolating {
            for r in 0..net.policies[p].egress.len() {
                let t = &self.targets[p][1][r];
                let (all, shapes, atom_bits) = (t.all, t.shapes.clone(), t.atoms.clone());
                let mut apply = |m: &mut Self, d: usize| {
                    let c = m.rule_conn(p, Direction::Egress, r, Some(d));
                    union_into(&mut row[d], c);
                };
                if all {
                    (0..net.shapes.len()).for_each(|d| apply(self, d));
                } else {
                    for_each_bit(&shapes, |d| apply(self, d));
                }
                for (a, slot) in atoms.iter_mut().enumerate() {
                    if all || bit(&atom_bits, a) {
                        let c = self.rule_conn(p, Direction::Egress, r, None);
                        union_into(slot, c);
                    }
                }
            }
        }
        false
    }

    /// `egress` (what the source's egress allows towards `dst`) narrowed by
    /// what `dst`'s ingress allows from `src`.
    fn ingress(&mut self, dst: usize, src: usize, egress: &Conn) -> Conn {
        let net = self.net;
        let isolating = net.isolating(dst, Direction::Ingress);
        if isolating.is_empty() {
            return egress.clone();
        }
        let mut conn = Conn::none();
        for &p in isolating {
            for r in 0..net.policies[p].ingress.len() {
                let t = &self.targets[p][0][r];
                if t.all || bit(&t.shapes, src) {
                    let c = self.rule_conn(p, Direction::Ingress, r, Some(dst));
                    conn.union_with(c);
                    if conn.is_all() {
                        return egress.clone();
                    }
                }
            }
        }
        if conn.is_empty() {
            conn
        } else {
            egress.intersect(&conn)
        }
    }
}

fn union_into(slot: &mut Option<Conn>, c: &Conn) {
    match slot {
        Some(x) => x.union_with(c),
        None => *slot = Some(c.clone()),
    }
}

/// np-guard's name for the peer that Ingress objects route through.
pub const INGRESS_CONTROLLER: &str = "{ingress-controller}";

/// Output formats of `netpol connlist`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Txt,
    Json,
    Md,
    Dot,
}

impl std::str::FromStr for Format {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "txt" => Ok(Format::Txt),
            "json" => Ok(Format::Json),
            "md" => Ok(Format::Md),
            "dot" => Ok(Format::Dot),
            _ => Err(format!("unknown format `{s}` (txt, json, md, dot)")),
        }
    }
}

fn dot_quote(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

/// Writes the connection list of `net` to `w` as [`render`] would, without
/// holding the list in memory (except for `dot`, which names its nodes
/// first).
pub fn write_connlist(net: &Network, format: Format, w: &mut impl std::io::Write) -> std::io::Result<()> {
    if format == Format::Dot {
        return w.write_all(render(&connlist(net), format).as_bytes());
    }
    let mut result = Ok(());
    let mut first = true;
    if format == Format::Md {
        result = w.write_all(b"| src | dst | conn |\n|-----|-----|------|\n");
    }
    for_each_connection(net, |src, dst, conn| {
        if result.is_err() {
            return;
        }
        result = match format {
            Format::Txt => writeln!(w, "{src} => {dst} : {conn}"),
            Format::Md => writeln!(w, "| {src} | {dst} | {conn} |"),
            Format::Json => {
                let item = serde_json::json!({"src": src, "dst": dst, "conn": conn.to_string()});
                let text = serde_json::to_string_pretty(&item).unwrap_or_default();
                let indented: Vec<String> = text.lines().map(|l| format!("  {l}")).collect();
                let sep = if first { "[\n" } else { ",\n" };
                first = false;
                write!(w, "{sep}{}", indented.join("\n"))
            }
            Format::Dot => Ok(()),
        };
    });
    result?;
    if format == Format::Json {
        w.write_all(if first { b"[]\n" as &[u8] } else { b"\n]\n" })?;
    }
    Ok(())
}

/// Renders a connection list.
pub fn render(conns: &[Connection], format: Format) -> String {
    let mut s = String::new();
    match format {
        Format::Txt => {
            for c in conns {
                let _ = writeln!(s, "{}", c.line());
            }
        }
        Format::Json => {
            let items: Vec<serde_json::Value> = conns
                .iter()
                .map(|c| serde_json::json!({"src": c.src, "dst": c.dst, "conn": c.conn.to_string()}))
                .collect();
            s = serde_json::to_string_pretty(&items).unwrap_or_default();
            s.push('\n');
        }
        Format::Md => {
            s.push_str("| src | dst | conn |\n|-----|-----|------|\n");
            for c in conns {
                let _ = writeln!(s, "| {} | {} | {} |", c.src, c.dst, c.conn);
            }
        }
        Format::Dot => {
            s.push_str("digraph {\n");
            let mut nodes: Vec<&str> = conns.iter().flat_map(|c| [c.src.as_str(), c.dst.as_str()]).collect();
            nodes.sort_unstable();
            nodes.dedup();
            for n in nodes {
                let shape = if n.ends_with("[External]") { "box" } else { "ellipse" };
                let _ = writeln!(s, "\t{} [label={} shape={shape}]", dot_quote(n), dot_quote(n));
            }
            for c in conns {
                let _ = writeln!(
                    s,
                    "\t{} -> {} [label={}]",
                    dot_quote(&c.src),
                    dot_quote(&c.dst),
                    dot_quote(&c.conn.to_string())
                );
            }
            s.push_str("}\n");
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use kubefort_load::{load_texts, Limits};
    use std::sync::Arc;

    #[test]
    fn streamed_output_is_the_rendered_list() {
        let yaml = r#"
apiVersion: v1
kind: Pod
metadata: {name: a, namespace: x, labels: {app: a}}
spec: {containers: [{name: c, ports: [{name: http, containerPort: 80}]}]}
---
apiVersion: v1
kind: Pod
metadata: {name: b, namespace: why, labels: {app: b}}
spec: {containers: [{name: c}]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: p, namespace: x}
spec:
  podSelector: {}
  ingress: [{from: [{namespaceSelector: {}}], ports: [{port: http}]}]
  egress: [{to: [{ipBlock: {cidr: 10.0.0.0/8}}]}]
"#;
        let loaded = load_texts(vec![(Arc::from("t.yaml"), yaml.to_owned())], Limits::default());
        let net = Network::from_objects(&loaded.objects);
        let list = connlist(&net);
        assert!(list.iter().any(|c| c.line() == "why/b[Pod] => x/a[Pod] : TCP 80"), "{list:?}");
        for format in [Format::Txt, Format::Json, Format::Md, Format::Dot] {
            let mut out = Vec::new();
            write_connlist(&net, format, &mut out).unwrap();
            assert_eq!(String::from_utf8(out).unwrap(), render(&list, format), "{format:?}");
        }
        let empty = Network::default();
        let mut out = Vec::new();
        write_connlist(&empty, Format::Json, &mut out).unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), render(&[], Format::Json));
    }

    #[test]
    fn rows_agree_with_pairwise_evaluation() {
        // Host-network pods, named ports resolved per destination, ipBlocks
        // with except, AND-ed selectors, rules without peers, two pods of one shape.
        let yaml = r#"
apiVersion: v1
kind: Namespace
metadata: {name: prod, labels: {env: prod}}
---
apiVersion: v1
kind: Pod
metadata: {name: web, namespace: prod, labels: {app: web}}
spec: {containers: [{name: c, ports: [{name: http, containerPort: 8080}]}]}
---
apiVersion: v1
kind: Pod
metadata: {name: web2, namespace: prod, labels: {app: web}}
spec: {containers: [{name: c, ports: [{name: http, containerPort: 8080}]}]}
---
apiVersion: v1
kind: Pod
metadata: {name: api, namespace: prod, labels: {app: api}}
spec: {containers: [{name: c, ports: [{name: http, containerPort: 9090}, {name: dns, containerPort: 53, protocol: UDP}]}]}
---
apiVersion: v1
kind: Pod
metadata: {name: agent, namespace: prod, labels: {app: agent}}
spec: {hostNetwork: true, containers: [{name: c}]}
---
apiVersion: v1
kind: Pod
metadata: {name: job, namespace: other, labels: {app: api}}
spec: {containers: [{name: c}]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: in, namespace: prod}
spec:
  podSelector: {matchExpressions: [{key: app, operator: In, values: [web, api]}]}
  ingress:
  - from:
    - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: other}}
      podSelector: {matchLabels: {app: api}}
    - podSelector: {matchLabels: {app: web}}
    ports: [{port: http}, {port: dns, protocol: UDP}]
  - from: [{ipBlock: {cidr: 10.0.0.0/8, except: [10.1.0.0/16]}}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: out, namespace: prod}
spec:
  podSelector: {matchLabels: {app: web}}
  policyTypes: [Egress]
  egress:
  - to: [{podSelector: {}, namespaceSelector: {}}]
    ports: [{port: http}, {port: 9000, endPort: 9100}]
  - to: [{ipBlock: {cidr: 0.0.0.0/0, except: [169.254.169.254/32]}}]
    ports: [{port: 443}]
  - ports: [{protocol: UDP, port: 53}]
"#;
        let loaded = load_texts(vec![(Arc::from("t.yaml"), yaml.to_owned())], Limits::default());
        let net = Network::from_objects(&loaded.objects);
        let mut expected = Vec::new();
        let names: Vec<String> = net.workloads.iter().map(|w| w.display()).collect();
        for (i, a) in net.workloads.iter().enumerate() {
            for (j, b) in net.workloads.iter().enumerate() {
                let conn = net.allowed(Endpoint::Shape(a.shape), Endpoint::Shape(b.shape));
                if i != j && !conn.is_empty() {
                    expected.push(format!("{} => {} : {conn}", names[i], names[j]));
                }
            }
            for atom in net.external_atoms(Direction::Egress) {
                let conn = net.allowed(Endpoint::Shape(a.shape), Endpoint::Ip(atom));
                if !conn.is_empty() {
                    expected.push(format!("{} => {atom}[External] : {conn}", names[i]));
                }
            }
            for atom in net.external_atoms(Direction::Ingress) {
                let conn = net.allowed(Endpoint::Ip(atom), Endpoint::Shape(a.shape));
                if !conn.is_empty() {
                    expected.push(format!("{atom}[External] => {} : {conn}", names[i]));
                }
            }
        }
        expected.sort();
        let actual: Vec<String> = connlist(&net).iter().map(Connection::line).collect();
        assert_eq!(actual, expected);
        assert!(actual.contains(&"prod/web[Pod] => prod/api[Pod] : TCP 9090,UDP 53".to_owned()), "{actual:#?}");
        assert!(actual.contains(&"prod/web[Pod] => prod/web2[Pod] : TCP 8080".to_owned()), "{actual:#?}");
    }
}
