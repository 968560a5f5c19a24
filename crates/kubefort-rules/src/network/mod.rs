//! KF-NET-*: NetworkPolicy coverage and over-broad rules. Policies are read
//! through kubefort-netpol, the same parser and model the reachability
//! engine uses; rules that look across objects share one [`Model`] per run.

use kubefort_model::{Inventory, Object, Prepare, Rule};
use kubefort_netpol::{Direction, Network, Policy};
use std::collections::HashMap;
use std::sync::Arc;

mod default_deny_egress;
mod default_deny_ingress;
mod default_deny_without_dns;
mod egress_to_anywhere;
mod egress_to_metadata;
mod ingress_from_every_namespace;
mod named_port_not_exposed;
mod policy_selects_no_pod;
mod workload_not_selected;

pub use default_deny_egress::NamespaceWithoutDefaultDenyEgress;
pub use default_deny_ingress::NamespaceWithoutDefaultDenyIngress;
pub use default_deny_without_dns::DefaultDenyEgressWithoutDns;
pub use egress_to_anywhere::EgressToAnywhere;
pub use egress_to_metadata::EgressToMetadata;
pub use ingress_from_every_namespace::IngressFromEveryNamespace;
pub use named_port_not_exposed::NamedPortNotExposed;
pub use policy_selects_no_pod::PolicySelectsNoPod;
pub use workload_not_selected::WorkloadNotSelected;

pub const RULES: &[&dyn Rule] = &[
    &NamespaceWithoutDefaultDenyIngress,
    &WorkloadNotSelected,
    &EgressToAnywhere,
    &NamespaceWithoutDefaultDenyEgress,
    &EgressToMetadata,
    &IngressFromEveryNamespace,
    &PolicySelectsNoPod,
    &NamedPortNotExposed,
    &DefaultDenyEgressWithoutDns,
];

/// The network of the whole inventory, built once per run, with the
/// indexes the KF-NET rules look things up by.
pub(crate) struct Model {
    pub net: Network,
    /// Object address → index into `net.workloads`.
    workload_of: HashMap<usize, usize>,
    /// Object address → index into `net.policies`.
    policy_of: HashMap<usize, usize>,
    /// Per namespace (index into `net.namespaces`): its workloads that
    /// NetworkPolicy applies to (not hostNetwork), in input order.
    workloads_by_ns: Vec<Vec<usize>>,
    /// Namespaces declared by a `Namespace` object in the input.
    declared: Vec<bool>,
}

fn address(object: &Object) -> usize {
    object as *const Object as usize
}

/// Builds the [`Model`] before objects are checked.
pub(crate) const PREPARE_MODEL: Prepare = Prepare { name: "network model", run: prepare_model };

fn prepare_model(inventory: &Inventory) {
    model(inventory);
}

pub(crate) fn model(inventory: &Inventory) -> Arc<Model> {
    inventory.memo(|inv| {
        let objects = inv.objects();
        let net = Network::from_objects(objects);
        let workload_of = net.workloads.iter().enumerate().map(|(i, w)| (address(&objects[w.object]), i)).collect();
        // `Network` keeps the policies in input order: the n-th policy is the
        // n-th NetworkPolicy object.
        let policy_of = objects
            .iter()
            .filter(|o| Policy::is_policy(o))
            .enumerate()
            .map(|(i, o)| (address(o), i))
            .filter(|&(_, i)| i < net.policies.len())
            .collect();
        let mut workloads_by_ns = vec![Vec::new(); net.namespaces.len()];
        for (i, w) in net.workloads.iter().enumerate() {
            let shape = &net.shapes[w.shape];
            if !shape.host_network {
                workloads_by_ns[shape.namespace].push(i);
            }
        }
        let mut declared = vec![false; net.namespaces.len()];
        for o in objects.iter().filter(|o| o.kind == "Namespace" && o.api_version == "v1") {
            if let Some(ns) = net.namespace_id(&o.name) {
                declared[ns] = true;
            }
        }
        Model { net, workload_of, policy_of, workloads_by_ns, declared }
    })
}

impl Model {
    /// The workload read from `object`, when it stands for pods.
    pub fn workload(&self, object: &Object) -> Option<usize> {
        self.workload_of.get(&address(object)).copied()
    }
    /// The parsed form of a NetworkPolicy object.
    pub fn policy(&self, object: &Object) -> Option<usize> {
        self.policy_of.get(&address(object)).copied()
    }
    /// Workloads of namespace `ns` that NetworkPolicy applies to.
    pub fn workloads_in(&self, ns: usize) -> &[usize] {
        self.workloads_by_ns.get(ns).map_or(&[], Vec::as_slice)
    }

    /// A policy of namespace `ns` that denies `dir` to every pod: empty pod
    /// selector, isolating in `dir`, and no rule in that direction.
    pub fn default_deny(&self, ns: usize, dir: Direction) -> Option<usize> {
        self.net.policies_in(ns).iter().copied().find(|&i| {
            let p = &self.net.policies[i];
            p.pod_selector.is_everything() && p.isolates(dir) && p.rules(dir).is_empty()
        })
    }

    /// The object a namespace-level finding is reported on: the namespace's
    /// `Namespace` object when the input has one, else its first workload.
    /// `None` when the namespace has no workload NetworkPolicy applies to.
    pub fn namespace_subject(&self, object: &Object) -> Option<usize> {
        let ns = if object.kind == "Namespace" && object.api_version == "v1" {
            self.net.namespace_id(&object.name)?
        } else {
            let w = self.workload(object)?;
            let ns = self.net.shapes[self.net.workloads[w].shape].namespace;
            if self.declared[ns] || self.workloads_in(ns).first() != Some(&w) {
                return None;
            }
            ns
        };
        (!self.workloads_in(ns).is_empty()).then_some(ns)
    }

    /// Pointer for a namespace-level finding on `object`.
    pub fn namespace_pointer(object: &Object) -> &'static str {
        if object.kind == "Namespace" {
            "/metadata"
        } else {
            "/metadata/namespace"
        }
    }
}

/// The workloads of namespace `ns`, named for a message (at most three).
pub(crate) fn some_workloads(model: &Model, workloads: &[usize]) -> String {
    let mut names: Vec<String> = workloads.iter().take(3).map(|&w| model.net.workloads[w].display()).collect();
    if workloads.len() > 3 {
        names.push(format!("and {} more", workloads.len() - 3));
    }
    names.join(", ")
}
