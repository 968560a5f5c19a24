//! KF-NET-*: NetworkPolicy coverage and over-broad rules. Policies are read
//! through kubefort-netpol, the same parser the reachability engine uses.

use kubefort_model::Rule;

mod egress_to_anywhere;
mod egress_to_metadata;
mod workload_not_selected;

pub use egress_to_anywhere::EgressToAnywhere;
pub use egress_to_metadata::EgressToMetadata;
pub use workload_not_selected::WorkloadNotSelected;

pub const RULES: &[&dyn Rule] = &[&WorkloadNotSelected, &EgressToAnywhere, &EgressToMetadata];
