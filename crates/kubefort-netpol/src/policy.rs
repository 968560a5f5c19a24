//! `networking.k8s.io/v1` NetworkPolicy, parsed into what the engine needs.

use crate::conn::{Conn, Protocol};
use crate::ip::IpSet;
use crate::selector::Selector;
use kubefort_model::{Location, Node, Object};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Direction {
    Ingress,
    Egress,
}

impl Direction {
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Ingress => "ingress",
            Direction::Egress => "egress",
        }
    }
    /// The field naming the peers of a rule in this direction.
    pub fn peers_field(self) -> &'static str {
        match self {
            Direction::Ingress => "from",
            Direction::Egress => "to",
        }
    }
}

/// One entry of `from` / `to`.
#[derive(Debug, Clone)]
pub enum Peer {
    /// `podSelector` and/or `namespaceSelector` (both in one entry: AND).
    /// `namespaces: None` means the policy's own namespace; `pods: None`
    /// means every pod of the selected namespaces.
    Pods { namespaces: Option<Selector>, pods: Option<Selector> },
    /// `ipBlock`: `cidr` minus `except`.
    Block { cidr: String, except: Vec<String>, set: IpSet },
    /// An entry the API server would reject; it matches nothing.
    Invalid(String),
}

/// One entry of `ports`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PortSpec {
    /// `port` (and `endPort`) numbers.
    Numbers { protocol: Protocol, lo: u16, hi: u16 },
    /// A named port, resolved against each destination pod's containers.
    Named { protocol: Protocol, name: String },
    /// No `port`: every port of the protocol.
    Any(Protocol),
    /// An entry the API server would reject; it allows nothing.
    Invalid(String),
}

impl PortSpec {
    /// The ports this entry allows towards a pod exposing `named` ports
    /// (`None` for a destination outside the cluster).
    pub fn resolve(&self, named: Option<&[NamedPort]>) -> Conn {
        match self {
            PortSpec::Numbers { protocol, lo, hi } => Conn::ports(*protocol, *lo, *hi),
            PortSpec::Any(p) => Conn::protocol(*p),
            PortSpec::Named { protocol, name } => named
                .unwrap_or(&[])
                .iter()
                .filter(|n| n.name == *name && n.protocol == *protocol)
                .fold(Conn::none(), |acc, n| acc.union(&Conn::port(n.protocol, n.port))),
            PortSpec::Invalid(_) => Conn::none(),
        }
    }
}

impl std::fmt::Display for PortSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PortSpec::Numbers { protocol, lo, hi } if lo == hi => write!(f, "{lo}/{protocol}"),
            PortSpec::Numbers { protocol, lo, hi } => write!(f, "{lo}-{hi}/{protocol}"),
            PortSpec::Named { protocol, name } => write!(f, "{name}/{protocol}"),
            PortSpec::Any(p) => write!(f, "*/{p}"),
            PortSpec::Invalid(why) => write!(f, "<invalid: {why}>"),
        }
    }
}

/// A container port with a name, which rules may refer to.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NamedPort {
    pub name: String,
    pub protocol: Protocol,
    pub port: u16,
}

/// One ingress or egress rule.
#[derive(Debug, Clone)]
pub struct Rule {
    /// `None`: `from`/`to` missing or empty, every peer.
    pub peers: Option<Vec<Peer>>,
    /// `None`: `ports` missing or empty, every port.
    pub ports: Option<Vec<PortSpec>>,
    /// `/spec/ingress/0`
    pub pointer: String,
    pub location: Location,
}

impl Rule {
    /// The ports this rule allows towards a destination with `named` ports.
    pub fn conn(&self, named: Option<&[NamedPort]>) -> Conn {
        match &self.ports {
            None => Conn::all(),
            Some(specs) => specs.iter().fold(Conn::none(), |acc, s| acc.union(&s.resolve(named))),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Policy {
    pub namespace: String,
    pub name: String,
    pub pod_selector: Selector,
    /// Whether the policy isolates selected pods for ingress / egress
    /// (`policyTypes`, or its default).
    pub isolates_ingress: bool,
    pub isolates_egress: bool,
    pub ingress: Vec<Rule>,
    pub egress: Vec<Rule>,
    pub location: Location,
    /// Problems the API server would reject; the engine reads such parts as
    /// allowing nothing.
    pub warnings: Vec<String>,
}

impl Policy {
    pub fn is_policy(object: &Object) -> bool {
        object.kind == "NetworkPolicy" && object.api_version.starts_with("networking.k8s.io/")
    }

    pub fn rules(&self, dir: Direction) -> &[Rule] {
        match dir {
            Direction::Ingress => &self.ingress,
            Direction::Egress => &self.egress,
        }
    }
    pub fn isolates(&self, dir: Direction) -> bool {
        match dir {
            Direction::Ingress => self.isolates_ingress,
            Direction::Egress => self.isolates_egress,
        }
    }
    pub fn display(&self) -> String {
        format!("{}/{}", self.namespace, self.name)
    }

    /// Parses a NetworkPolicy object (`None` for any other kind).
    pub fn from_object(object: &Object) -> Option<Policy> {
        if !Policy::is_policy(object) {
            return None;
        }
        let mut warnings = Vec::new();
        let empty = Node::null(object.root.pos);
        let spec = object.root.get("spec").unwrap_or(&empty);
        let pod_selector = Selector::parse(spec.get("podSelector").unwrap_or(&empty));
        if let Some(why) = &pod_selector.invalid {
            warnings.push(format!("spec.podSelector: {why}"));
        }
        let ingress = parse_rules(object, spec, Direction::Ingress, &mut warnings);
        let egress = parse_rules(object, spec, Direction::Egress, &mut warnings);
        let (isolates_ingress, isolates_egress) = match spec.get("policyTypes") {
            Some(types) if !types.is_null() => {
                let mut i = false;
                let mut e = false;
                for t in types.as_seq() {
                    match t.as_str() {
                        Some("Ingress") => i = true,
                        Some("Egress") => e = true,
                        other => warnings.push(format!("spec.policyTypes: unknown type {other:?}")),
                    }
                }
                (i, e)
            }
            // Default: Ingress always, Egress when the policy has egress rules.
            _ => (true, !egress.is_empty()),
        };
        Some(Policy {
            namespace: object.namespace.clone().unwrap_or_else(|| "default".into()),
            name: object.name.clone(),
            pod_selector,
            isolates_ingress,
            isolates_egress,
            ingress,
            egress,
            location: object.location_of(""),
            warnings,
        })
    }
}

fn parse_rules(object: &Object, spec: &Node, dir: Direction, warnings: &mut Vec<String>) -> Vec<Rule> {
    let field = dir.as_str();
    spec.get(field)
        .map(Node::as_seq)
        .unwrap_or(&[])
        .iter()
        .enumerate()
        .map(|(i, rule)| {
            let pointer = format!("/spec/{field}/{i}");
            let peers_field = dir.peers_field();
            let peer_nodes = rule.get(peers_field).map(Node::as_seq).unwrap_or(&[]);
            let peers = (!peer_nodes.is_empty()).then(|| {
                peer_nodes
                    .iter()
                    .enumerate()
                    .map(|(j, p)| {
                        let peer = parse_peer(p);
                        if let Peer::Invalid(why) = &peer {
                            warnings.push(format!("spec.{field}[{i}].{peers_field}[{j}]: {why}"));
                        }
                        peer
                    })
                    .collect()
            });
            let port_nodes = rule.get("ports").map(Node::as_seq).unwrap_or(&[]);
            let ports = (!port_nodes.is_empty()).then(|| {
                port_nodes
                    .iter()
                    .enumerate()
                    .map(|(j, p)| {
                        let spec = parse_port(p);
                        if let PortSpec::Invalid(why) = &spec {
                            warnings.push(format!("spec.{field}[{i}].ports[{j}]: {why}"));
                        }
                        spec
                    })
                    .collect()
            });
            let location = object.location_of(&pointer);
            Rule { peers, ports, pointer, location }
        })
        .collect()
}

fn parse_peer(node: &Node) -> Peer {
    let ns = node.get("namespaceSelector");
    let pods = node.get("podSelector");
    let block = node.get("ipBlock");
    if let Some(block) = block {
        if ns.is_some() || pods.is_some() {
            return Peer::Invalid("ipBlock cannot be combined with a selector".into());
        }
        let Some(cidr) = block.get("cidr").and_then(Node::as_str) else {
            return Peer::Invalid("ipBlock without cidr".into());
        };
        let mut set = match IpSet::cidr(cidr) {
            Ok(s) => s,
            Err(e) => return Peer::Invalid(e),
        };
        let mut except = Vec::new();
        for e in block.get("except").map(Node::as_seq).unwrap_or(&[]) {
            let Some(text) = e.as_str() else { return Peer::Invalid("ipBlock.except entry is not a string".into()) };
            match IpSet::cidr(text) {
                Ok(x) => set = set.subtract(&x),
                Err(e) => return Peer::Invalid(e),
            }
            except.push(text.to_owned());
        }
        return Peer::Block { cidr: cidr.to_owned(), except, set };
    }
    if ns.is_none() && pods.is_none() {
        return Peer::Invalid("a peer needs podSelector, namespaceSelector or ipBlock".into());
    }
    let namespaces = ns.map(Selector::parse);
    let pods = pods.map(Selector::parse);
    for s in namespaces.iter().chain(&pods) {
        if let Some(why) = &s.invalid {
            return Peer::Invalid(why.clone());
        }
    }
    Peer::Pods { namespaces, pods }
}

fn parse_port(node: &Node) -> PortSpec {
    let protocol = match node.get("protocol").filter(|p| !p.is_null()) {
        None => Protocol::Tcp,
        Some(p) => match p.as_str().and_then(Protocol::parse) {
            Some(p) => p,
            None => return PortSpec::Invalid(format!("unknown protocol {:?}", p.scalar_text().unwrap_or_default())),
        },
    };
    let end = node.get("endPort").filter(|p| !p.is_null());
    let Some(port) = node.get("port").filter(|p| !p.is_null()) else {
        if end.is_some() {
            return PortSpec::Invalid("endPort without port".into());
        }
        return PortSpec::Any(protocol);
    };
    let number = port
        .as_i64()
        .or_else(|| port.as_str().filter(|s| s.bytes().all(|b| b.is_ascii_digit())).and_then(|s| s.parse().ok()));
    match number {
        Some(n) if (1..=65535).contains(&n) => {
            let hi = match end {
                None => n,
                Some(e) => match e.as_i64() {
                    Some(e) if e >= n && e <= 65535 => e,
                    _ => return PortSpec::Invalid(format!("endPort must be a number from port ({n}) to 65535")),
                },
            };
            PortSpec::Numbers { protocol, lo: n as u16, hi: hi as u16 }
        }
        Some(n) => PortSpec::Invalid(format!("port {n} is outside 1-65535")),
        None => match port.as_str() {
            Some(name) if !name.is_empty() => {
                if end.is_some() {
                    return PortSpec::Invalid("endPort needs a numeric port".into());
                }
                PortSpec::Named { protocol, name: name.to_owned() }
            }
            _ => PortSpec::Invalid("port must be a number or a name".into()),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kubefort_model::{Pos, Source};

    fn policy(spec: serde_json::Value) -> Policy {
        let json = serde_json::json!({
            "apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
            "metadata": {"name": "p", "namespace": "ns"}, "spec": spec
        });
        let o = Object::from_node(Node::from_json(&json, Pos::new(1, 1)), Source::default(), String::new()).unwrap();
        Policy::from_object(&o).unwrap()
    }

    #[test]
    fn policy_types_default_from_the_rules() {
        let p = policy(serde_json::json!({"podSelector": {}}));
        assert!(p.isolates_ingress && !p.isolates_egress);
        let p = policy(serde_json::json!({"podSelector": {}, "egress": [{}]}));
        assert!(p.isolates_ingress && p.isolates_egress);
        let p = policy(serde_json::json!({"podSelector": {}, "egress": []}));
        assert!(!p.isolates_egress);
        let p = policy(serde_json::json!({"podSelector": {}, "policyTypes": ["Egress"], "ingress": [{}]}));
        assert!(!p.isolates_ingress && p.isolates_egress);
    }

    #[test]
    fn ports_numbers_ranges_names_and_defaults() {
        let p = policy(serde_json::json!({"ingress": [{"ports": [
            {"port": 80}, {"port": 8000, "endPort": 8010, "protocol": "UDP"}, {"port": "http"},
            {"protocol": "SCTP"}, {"port": 70000}, {"port": 90, "endPort": 80}, {"protocol": "ICMP"}
        ]}]}));
        let specs = p.ingress[0].ports.as_ref().unwrap();
        assert_eq!(specs[0], PortSpec::Numbers { protocol: Protocol::Tcp, lo: 80, hi: 80 });
        assert_eq!(specs[1], PortSpec::Numbers { protocol: Protocol::Udp, lo: 8000, hi: 8010 });
        assert_eq!(specs[2], PortSpec::Named { protocol: Protocol::Tcp, name: "http".into() });
        assert_eq!(specs[3], PortSpec::Any(Protocol::Sctp));
        assert!(matches!(specs[4], PortSpec::Invalid(_)));
        assert!(matches!(specs[5], PortSpec::Invalid(_)));
        assert!(matches!(specs[6], PortSpec::Invalid(_)));
        assert_eq!(p.warnings.len(), 3);
        let named = [NamedPort { name: "http".into(), protocol: Protocol::Tcp, port: 8080 }];
        assert_eq!(p.ingress[0].conn(Some(&named)).to_string(), "SCTP 1-65535,TCP 80,8080,UDP 8000-8010");
        assert_eq!(p.ingress[0].conn(None).to_string(), "SCTP 1-65535,TCP 80,UDP 8000-8010");
    }

    #[test]
    fn peers_empty_lists_mean_everyone() {
        let p = policy(serde_json::json!({"ingress": [
            {"from": []},
            {"from": [{"ipBlock": {"cidr": "10.0.0.0/8", "except": ["10.1.0.0/16"]}}, {"namespaceSelector": {}, "podSelector": {"matchLabels": {"a": "b"}}}, {}]}
        ]}));
        assert!(p.ingress[0].peers.is_none() && p.ingress[0].ports.is_none());
        let peers = p.ingress[1].peers.as_ref().unwrap();
        assert!(matches!(&peers[0], Peer::Block { set, .. } if set.v4.ranges().len() == 2));
        assert!(matches!(&peers[1], Peer::Pods { namespaces: Some(_), pods: Some(_) }));
        assert!(matches!(&peers[2], Peer::Invalid(_)));
    }
}
