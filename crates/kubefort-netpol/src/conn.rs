//! Connection sets: for each protocol, the set of destination ports.

use crate::ranges::RangeSet;
use std::fmt;

pub const MIN_PORT: u128 = 1;
pub const MAX_PORT: u128 = 65535;

/// The protocols a NetworkPolicy can name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Protocol {
    Tcp,
    Udp,
    Sctp,
}

impl Protocol {
    pub const ALL: [Protocol; 3] = [Protocol::Tcp, Protocol::Udp, Protocol::Sctp];
    pub fn as_str(self) -> &'static str {
        match self {
            Protocol::Tcp => "TCP",
            Protocol::Udp => "UDP",
            Protocol::Sctp => "SCTP",
        }
    }
    /// Parses `TCP`, `UDP`, `SCTP` (any case).
    pub fn parse(s: &str) -> Option<Protocol> {
        match s.to_ascii_uppercase().as_str() {
            "TCP" => Some(Protocol::Tcp),
            "UDP" => Some(Protocol::Udp),
            "SCTP" => Some(Protocol::Sctp),
            _ => None,
        }
    }
    fn index(self) -> usize {
        self as usize
    }
}

impl fmt::Display for Protocol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A set of (protocol, port) pairs.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default, PartialOrd, Ord)]
pub struct Conn {
    ports: [RangeSet; 3],
}

impl Conn {
    pub fn none() -> Conn {
        Conn::default()
    }
    pub fn all() -> Conn {
        let full = RangeSet::range(MIN_PORT, MAX_PORT);
        Conn { ports: [full.clone(), full.clone(), full] }
    }
    /// Every port of one protocol.
    pub fn protocol(proto: Protocol) -> Conn {
        Conn::ports(proto, MIN_PORT as u16, MAX_PORT as u16)
    }
    /// Ports `lo..=hi` of one protocol (empty when `lo > hi`).
    pub fn ports(proto: Protocol, lo: u16, hi: u16) -> Conn {
        let mut c = Conn::none();
        c.ports[proto.index()] = RangeSet::range((lo as u128).max(MIN_PORT), hi as u128);
        c
    }
    pub fn port(proto: Protocol, port: u16) -> Conn {
        Conn::ports(proto, port, port)
    }
    pub fn of(&self, proto: Protocol) -> &RangeSet {
        &self.ports[proto.index()]
    }
    pub fn is_empty(&self) -> bool {
        self.ports.iter().all(RangeSet::is_empty)
    }
    pub fn is_all(&self) -> bool {
        let full = [(MIN_PORT, MAX_PORT)];
        self.ports.iter().all(|p| p.ranges() == full)
    }
    pub fn contains(&self, proto: Protocol, port: u16) -> bool {
        self.ports[proto.index()].contains(port as u128)
    }
    pub fn union(&self, other: &Conn) -> Conn {
        let mut c = self.clone();
        c.union_with(other);
        c
    }
    pub fn union_with(&mut self, other: &Conn) {
        for (a, b) in self.ports.iter_mut().zip(&other.ports) {
            a.union_with(b);
        }
    }
    pub fn intersect(&self, other: &Conn) -> Conn {
        Conn {
            ports: [
                self.ports[0].intersect(&other.ports[0]),
                self.ports[1].intersect(&other.ports[1]),
                self.ports[2].intersect(&other.ports[2]),
            ],
        }
    }
}

/// np-guard's notation: `All Connections`, `No Connections`, or
/// `PROTO ports` items sorted by text and joined with `,`
/// (`TCP 8080,9090-9092,UDP 53`).
impl fmt::Display for Conn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_all() {
            return f.write_str("All Connections");
        }
        if self.is_empty() {
            return f.write_str("No Connections");
        }
        let mut items: Vec<String> = Protocol::ALL
            .iter()
            .filter(|p| !self.of(**p).is_empty())
            .map(|p| {
                let ports: Vec<String> = self
                    .of(*p)
                    .ranges()
                    .iter()
                    .map(|&(lo, hi)| if lo == hi { lo.to_string() } else { format!("{lo}-{hi}") })
                    .collect();
                format!("{p} {}", ports.join(","))
            })
            .collect();
        items.sort();
        f.write_str(&items.join(","))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_like_the_netpol_analyzer() {
        assert_eq!(Conn::all().to_string(), "All Connections");
        assert_eq!(Conn::none().to_string(), "No Connections");
        let c = Conn::ports(Protocol::Tcp, 10053, 10054).union(&Conn::port(Protocol::Udp, 10053));
        assert_eq!(c.to_string(), "TCP 10053-10054,UDP 10053");
        let c = Conn::port(Protocol::Tcp, 9090)
            .union(&Conn::port(Protocol::Tcp, 8080))
            .union(&Conn::port(Protocol::Sctp, 1));
        assert_eq!(c.to_string(), "SCTP 1,TCP 8080,9090");
        let every =
            Conn::protocol(Protocol::Tcp).union(&Conn::protocol(Protocol::Udp)).union(&Conn::protocol(Protocol::Sctp));
        assert!(every.is_all());
        assert_eq!(Conn::protocol(Protocol::Udp).to_string(), "UDP 1-65535");
    }

    #[test]
    fn port_zero_is_not_a_port() {
        assert_eq!(Conn::ports(Protocol::Tcp, 0, 2).of(Protocol::Tcp).ranges(), &[(1, 2)]);
        assert!(Conn::ports(Protocol::Tcp, 9, 3).is_empty());
    }
}
