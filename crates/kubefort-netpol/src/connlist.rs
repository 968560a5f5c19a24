//! The list of allowed connections between workloads and outside address
//! ranges, in np-guard netpol-analyzer's `connlist` conventions.

use crate::conn::Conn;
use crate::network::{Endpoint, Network};
use crate::policy::Direction;
use std::collections::HashMap;
use std::fmt::Write;

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
    let names: Vec<String> = net.workloads.iter().map(|w| w.display()).collect();
    let shapes = net.shapes.len();
    // Connectivity between shapes, computed once per pair.
    let mut by_pair: HashMap<(usize, usize), Conn> = HashMap::new();
    let mut used = vec![false; shapes];
    for w in &net.workloads {
        used[w.shape] = true;
    }
    for (i, src) in net.workloads.iter().enumerate() {
        for (j, dst) in net.workloads.iter().enumerate() {
            if i == j || names[i] == names[j] {
                continue;
            }
            let conn = by_pair
                .entry((src.shape, dst.shape))
                .or_insert_with(|| net.allowed(Endpoint::Shape(src.shape), Endpoint::Shape(dst.shape)));
            if !conn.is_empty() {
                out.push(Connection { src: names[i].clone(), dst: names[j].clone(), conn: conn.clone() });
            }
        }
    }
    for atom in net.external_atoms(Direction::Ingress) {
        let name = format!("{atom}[External]");
        let per_shape: Vec<Option<Conn>> =
            (0..shapes).map(|s| used[s].then(|| net.allowed(Endpoint::Ip(atom), Endpoint::Shape(s)))).collect();
        for (j, dst) in net.workloads.iter().enumerate() {
            if let Some(conn) = per_shape[dst.shape].as_ref().filter(|c| !c.is_empty()) {
                out.push(Connection { src: name.clone(), dst: names[j].clone(), conn: conn.clone() });
            }
        }
    }
    for atom in net.external_atoms(Direction::Egress) {
        let name = format!("{atom}[External]");
        let per_shape: Vec<Option<Conn>> =
            (0..shapes).map(|s| used[s].then(|| net.allowed(Endpoint::Shape(s), Endpoint::Ip(atom)))).collect();
        for (i, src) in net.workloads.iter().enumerate() {
            if let Some(conn) = per_shape[src.shape].as_ref().filter(|c| !c.is_empty()) {
                out.push(Connection { src: names[i].clone(), dst: name.clone(), conn: conn.clone() });
            }
        }
    }
    for (w, ports) in &net.ingress_routes {
        let conn = ports.intersect(&net.allowed_from_ingress_controller(net.workloads[*w].shape));
        if !conn.is_empty() {
            out.push(Connection { src: INGRESS_CONTROLLER.into(), dst: names[*w].clone(), conn });
        }
    }
    out.sort();
    out.dedup();
    out
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
