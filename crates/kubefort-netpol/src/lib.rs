//! NetworkPolicy reachability with the exact semantics of
//! `networking.k8s.io/v1`:
//!
//! - a pod is isolated for ingress (egress) once any policy selecting it
//!   lists that direction in `policyTypes` (default: `Ingress`, plus
//!   `Egress` when the policy has egress rules); an isolated pod accepts
//!   only what the union of those policies' rules allows;
//! - a connection needs the source's egress AND the destination's ingress;
//! - peers are `podSelector` (own namespace), `namespaceSelector`, both in
//!   one entry (AND), or `ipBlock` with `except`, IPv4 and IPv6; every
//!   namespace carries `kubernetes.io/metadata.name`;
//! - ports: TCP by default, UDP, SCTP, numbers, `endPort` ranges, named
//!   ports resolved against each destination pod's container ports; a rule
//!   without `ports` allows every port, without `from`/`to` every peer;
//! - workloads stand for their template pods; hostNetwork pods are not
//!   subject to policies.
//!
//! [`Network`] holds the model, [`connlist()`] lists what is allowed,
//! [`Network::verdict`] explains one direction of one connection and
//! [`quarantine()`] writes a policy isolating one workload.

pub mod conn;
pub mod connlist;
mod ingress;
pub mod ip;
pub mod network;
pub mod policy;
pub mod quarantine;
mod ranges;
pub mod selector;

pub use conn::{Conn, Protocol};
pub use connlist::{connlist, for_each_connection, render, write_connlist, Connection, Format};
pub use ip::{Family, IpRange, IpSet};
pub use network::{Allow, Endpoint, Network, Options, Verdict, Workload};
pub use policy::{Direction, Peer, Policy, PortSpec};
pub use quarantine::{quarantine, QuarantineOptions};
pub use selector::{Labels, Selector};
