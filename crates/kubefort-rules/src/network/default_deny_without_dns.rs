use super::{model, some_workloads};
use kubefort_model::{declare_rule, Context, Sink};
use kubefort_netpol::policy::Rule as PolicyRule;
use kubefort_netpol::{Direction, Peer, Policy, PortSpec, Protocol};

declare_rule! {
    /// ## What it does
    /// Flags a default-deny egress NetworkPolicy (`podSelector: {}`,
    /// isolating egress, no egress rules) in a namespace where some
    /// workloads get no DNS exception: no egress rule of the policies
    /// selecting them allows UDP port 53 (or a port named `dns…` over UDP)
    /// towards a peer outside their own namespace's pods. When the input
    /// has no workload of the namespace, the namespace-wide policies
    /// (`podSelector: {}`) are checked instead.
    ///
    /// ## Why is this bad?
    /// It is not a security problem, it is an outage waiting to happen:
    /// every name lookup times out, so the workloads fail in confusing ways
    /// (slow starts, "host not found"), and the quick fix under pressure is
    /// often to delete the default deny. Allow DNS explicitly, to the
    /// cluster DNS only.
    ///
    /// ## Example
    /// ```yaml
    /// kind: NetworkPolicy
    /// metadata: {name: default-deny, namespace: shop}
    /// spec:
    ///   podSelector: {}
    ///   policyTypes: [Ingress, Egress]
    /// # …and no policy in `shop` allows port 53
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// kind: NetworkPolicy
    /// metadata: {name: allow-dns, namespace: shop}
    /// spec:
    ///   podSelector: {}
    ///   policyTypes: [Egress]
    ///   egress:
    ///     - to:
    ///         - namespaceSelector:
    ///             matchLabels: {kubernetes.io/metadata.name: kube-system}
    ///           podSelector:
    ///             matchLabels: {k8s-app: kube-dns}
    ///       ports:
    ///         - {protocol: UDP, port: 53}
    ///         - {protocol: TCP, port: 53}
    /// ```
    ///
    /// ## References
    /// - <https://kubernetes.io/docs/concepts/services-networking/network-policies/#default-deny-all-egress-traffic>
    pub struct DefaultDenyEgressWithoutDns {
        id: "KF-NET-009",
        name: "default-deny-egress-without-dns",
        title: "Default-deny egress leaves workloads without DNS",
        severity: Info,
        fix: "Add an egress policy allowing UDP and TCP 53 to the cluster DNS (kube-system, k8s-app=kube-dns)",
        references: [],
        check: check,
        prepare: super::PREPARE_MODEL,
    }
}

/// Whether `rule` (of `policy`) lets pods resolve names: it allows UDP 53 and
/// may reach something other than the policy's own namespace's pods.
fn allows_dns(policy: &Policy, rule: &PolicyRule) -> bool {
    let port = match &rule.ports {
        None => true,
        Some(specs) => specs.iter().any(|s| match s {
            PortSpec::Named { protocol: Protocol::Udp, name } => name.starts_with("dns"),
            other => other.resolve(None).contains(Protocol::Udp, 53),
        }),
    };
    let peer = match &rule.peers {
        None => true,
        Some(peers) => {
            policy.namespace == "kube-system"
                || peers.iter().any(|p| !matches!(p, Peer::Pods { namespaces: None, .. } | Peer::Invalid(_)))
        }
    };
    port && peer
}

fn check(cx: &Context<'_>, sink: &mut Sink<'_>) {
    let model = model(cx.inventory);
    let Some(i) = model.policy(cx.object) else { return };
    let net = &model.net;
    let policy = &net.policies[i];
    if !(policy.pod_selector.is_everything() && policy.isolates_egress && policy.egress.is_empty()) {
        return;
    }
    let Some(ns) = net.namespace_id(&policy.namespace) else { return };
    let dns_by = |p: usize| {
        let p = &net.policies[p];
        p.egress.iter().any(|r| allows_dns(p, r))
    };
    let workloads = model.workloads_in(ns);
    let message = if workloads.is_empty() {
        let namespace_wide = net.policies_in(ns).iter().any(|&p| {
            let q = &net.policies[p];
            q.pod_selector.is_everything() && q.isolates_egress && dns_by(p)
        });
        if namespace_wide {
            return;
        }
        format!("no policy in namespace `{}` allows DNS (UDP 53) to every pod it denies egress to", policy.namespace)
    } else {
        let blocked: Vec<usize> = workloads
            .iter()
            .copied()
            .filter(|&w| !net.isolating(net.workloads[w].shape, Direction::Egress).iter().any(|&p| dns_by(p)))
            .collect();
        if blocked.is_empty() {
            return;
        }
        format!("egress is denied and no rule allows DNS (UDP 53) for {}", some_workloads(&model, &blocked))
    };
    sink.report(&DefaultDenyEgressWithoutDns::META, "/spec/policyTypes", message);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{check, pointers};

    const APPS: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api, namespace: shop}\nspec:\n  template:\n    metadata: {labels: {app: api}}\n    spec: {containers: [{name: c, image: x}]}\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: db, namespace: shop}\nspec:\n  template:\n    metadata: {labels: {app: db}}\n    spec: {containers: [{name: c, image: x}]}\n";
    const DENY: &str = "---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: deny, namespace: shop}\nspec:\n  podSelector: {}\n  policyTypes: [Ingress, Egress]\n";

    fn allow(selector: &str, egress: &str) -> String {
        format!("---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {{name: dns, namespace: shop}}\nspec:\n  podSelector: {selector}\n  policyTypes: [Egress]\n  egress: {egress}\n")
    }

    #[test]
    fn flags_default_deny_egress_without_dns() {
        let f = check(&DefaultDenyEgressWithoutDns, &format!("{APPS}{DENY}"));
        assert_eq!(pointers(&f), [("/spec/policyTypes".to_owned(), 22)]);
        assert_eq!(
            f[0].message,
            "egress is denied and no rule allows DNS (UDP 53) for shop/api[Deployment], shop/db[Deployment]"
        );
        // DNS for api only; TCP 53 only; or only to pods of the namespace itself.
        let api_only = allow("{matchLabels: {app: api}}", "[{ports: [{port: 53, protocol: UDP}]}]");
        let f = check(&DefaultDenyEgressWithoutDns, &format!("{APPS}{DENY}{api_only}"));
        assert!(f[0].message.ends_with("for shop/db[Deployment]"), "{}", f[0].message);
        for egress in ["[{ports: [{port: 53}]}]", "[{to: [{podSelector: {}}], ports: [{port: 53, protocol: UDP}]}]"] {
            assert_eq!(
                check(&DefaultDenyEgressWithoutDns, &format!("{APPS}{DENY}{}", allow("{}", egress))).len(),
                1,
                "{egress}"
            );
        }
        // No workloads in the input: judged on the namespace-wide policies.
        assert_eq!(check(&DefaultDenyEgressWithoutDns, DENY).len(), 1);
    }

    #[test]
    fn a_dns_exception_or_no_egress_deny_is_fine() {
        for egress in [
            "[{to: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: kube-system}}, podSelector: {matchLabels: {k8s-app: kube-dns}}}], ports: [{port: 53, protocol: UDP}, {port: 53, protocol: TCP}]}]",
            "[{ports: [{port: dns, protocol: UDP}]}]",
            "[{to: [{ipBlock: {cidr: 10.96.0.10/32}}], ports: [{port: 50, endPort: 60, protocol: UDP}]}]",
        ] {
            assert!(check(&DefaultDenyEgressWithoutDns, &format!("{APPS}{DENY}{}", allow("{}", egress))).is_empty(), "{egress}");
            assert!(check(&DefaultDenyEgressWithoutDns, &format!("{DENY}{}", allow("{}", egress))).is_empty(), "{egress}");
        }
        let ingress_only = DENY.replace("[Ingress, Egress]", "[Ingress]");
        assert!(check(&DefaultDenyEgressWithoutDns, &format!("{APPS}{ingress_only}")).is_empty());
    }
}
