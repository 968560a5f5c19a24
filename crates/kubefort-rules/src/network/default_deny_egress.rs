use super::default_deny_ingress::report_missing;
use kubefort_model::{declare_rule, Context, Sink};
use kubefort_netpol::Direction;

declare_rule! {
    /// ## What it does
    /// Flags namespaces that run workloads but have no default-deny egress
    /// policy: a NetworkPolicy with `podSelector: {}` that isolates egress
    /// and has no egress rule. The finding is on the `Namespace` object
    /// when the input has one, else on the namespace's first workload.
    ///
    /// ## Why is this bad?
    /// Egress is where exfiltration and crypto-mining leave. Without a
    /// default deny, a compromised pod can upload data to any address, pull
    /// tooling, join a mining pool, reach the cloud metadata service and
    /// scan the rest of the cluster. Most workloads need only a few
    /// destinations: DNS, their database, an API or two.
    ///
    /// ## Example
    /// ```yaml
    /// kind: Namespace
    /// metadata: {name: shop}
    /// # …workloads in `shop`, and no egress policy for them
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// apiVersion: networking.k8s.io/v1
    /// kind: NetworkPolicy
    /// metadata: {name: default-deny-egress, namespace: shop}
    /// spec:
    ///   podSelector: {}
    ///   policyTypes: [Egress]
    /// ---
    /// # …then allow DNS and the destinations each workload needs.
    /// ```
    ///
    /// ## References
    /// - <https://kubernetes.io/docs/concepts/services-networking/network-policies/#default-deny-all-egress-traffic>
    pub struct NamespaceWithoutDefaultDenyEgress {
        id: "KF-NET-004",
        name: "namespace-without-default-deny-egress",
        title: "Namespace has no default-deny egress NetworkPolicy",
        severity: Medium,
        fix: "Add a NetworkPolicy with `podSelector: {}`, `policyTypes: [Egress]` and no egress rules, then allow DNS and the destinations the namespace needs",
        references: ["kubescape:C-0030"],
        check: check,
        prepare: super::PREPARE_MODEL,
    }
}

fn check(cx: &Context<'_>, sink: &mut Sink<'_>) {
    report_missing(cx, sink, Direction::Egress, &NamespaceWithoutDefaultDenyEgress::META);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{check, pointers};

    const NS: &str = "apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n";
    const APP: &str = "---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api, namespace: shop}\nspec:\n  template:\n    metadata: {labels: {app: api}}\n    spec: {containers: [{name: c, image: x}]}\n";

    fn policy(spec: &str) -> String {
        format!("---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {{name: p, namespace: shop}}\nspec: {spec}\n")
    }

    #[test]
    fn flags_namespaces_whose_egress_is_open() {
        let f = check(&NamespaceWithoutDefaultDenyEgress, &format!("{NS}{APP}"));
        assert_eq!(pointers(&f), [("/metadata".to_owned(), 3)]);
        assert!(f[0].message.contains("no default-deny egress"), "{}", f[0].message);
        // An ingress default deny, or an egress policy with rules, is not an egress default deny.
        for spec in ["{podSelector: {}}", "{podSelector: {}, policyTypes: [Egress], egress: [{}]}"] {
            assert_eq!(check(&NamespaceWithoutDefaultDenyEgress, &format!("{NS}{APP}{}", policy(spec))).len(), 1);
        }
    }

    #[test]
    fn a_default_deny_egress_is_fine() {
        for spec in ["{podSelector: {}, policyTypes: [Egress]}", "{podSelector: {}, policyTypes: [Ingress, Egress]}"] {
            assert!(check(&NamespaceWithoutDefaultDenyEgress, &format!("{NS}{APP}{}", policy(spec))).is_empty());
        }
    }
}
