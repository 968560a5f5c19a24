use kubefort_model::{declare_rule, Context, Sink};
use kubefort_netpol::{IpRange, Peer, Policy};

declare_rule! {
    /// ## What it does
    /// Flags NetworkPolicy egress rules that allow every port to every
    /// address: an `ipBlock` of `0.0.0.0/0` or `::/0` with no `except`,
    /// and no `ports`.
    ///
    /// ## Why is this bad?
    /// Such a rule undoes egress isolation for the selected pods: a
    /// compromised pod can exfiltrate data and fetch tooling from anywhere,
    /// reach the cloud metadata service, and reach every pod address that
    /// the network plugin treats as external.
    ///
    /// ## Example
    /// ```yaml
    /// egress:
    ///   - to:
    ///       - ipBlock: {cidr: 0.0.0.0/0}
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// egress:
    ///   - to:
    ///       - ipBlock:
    ///           cidr: 0.0.0.0/0
    ///           except: [10.0.0.0/8, 169.254.169.254/32]
    ///     ports:
    ///       - {port: 443, protocol: TCP}
    /// ```
    ///
    /// ## References
    /// - <https://kubernetes.io/docs/concepts/services-networking/network-policies/#networkpolicy-resource>
    pub struct EgressToAnywhere {
        id: "KF-NET-003",
        name: "egress-to-anywhere",
        title: "NetworkPolicy allows egress to every address on every port",
        severity: Medium,
        fix: "Name the ports, and narrow the ipBlock or add `except` entries for internal and metadata ranges",
        references: [],
        check: check,
    }
}

fn check(cx: &Context<'_>, sink: &mut Sink<'_>) {
    let Some(policy) = Policy::from_object(cx.object) else { return };
    if !policy.isolates_egress {
        return;
    }
    for rule in policy.egress.iter().filter(|r| r.ports.is_none()) {
        let Some(peers) = &rule.peers else {
            // No `to` at all: every destination.
            sink.report(
                &EgressToAnywhere::META,
                rule.pointer.clone(),
                "egress rule has neither `to` nor `ports`: every destination, every port".to_owned(),
            );
            continue;
        };
        for (i, peer) in peers.iter().enumerate() {
            if let Peer::Block { cidr, set, .. } = peer {
                let whole = [IpRange::whole(kubefort_netpol::Family::V4), IpRange::whole(kubefort_netpol::Family::V6)];
                if whole.iter().any(|r| set.contains_range(r)) {
                    sink.report(
                        &EgressToAnywhere::META,
                        format!("{}/to/{i}/ipBlock", rule.pointer),
                        format!("egress to ipBlock {cidr} on every port"),
                    );
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{check, pointers};

    fn policy(egress: &str) -> String {
        format!("apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {{name: p}}\nspec:\n  podSelector: {{}}\n  egress:\n{egress}")
    }

    #[test]
    fn flags_open_ip_blocks_and_rules_without_to_or_ports() {
        let f = check(
            &EgressToAnywhere,
            &policy("  - to: [{ipBlock: {cidr: 0.0.0.0/0}}, {ipBlock: {cidr: '::/0'}}]\n  - {}\n"),
        );
        assert_eq!(
            pointers(&f).into_iter().map(|p| p.0).collect::<Vec<_>>(),
            ["/spec/egress/0/to/0/ipBlock", "/spec/egress/0/to/1/ipBlock", "/spec/egress/1"]
        );
    }

    #[test]
    fn except_ports_or_narrow_blocks_are_fine() {
        let ok = policy(
            "  - to: [{ipBlock: {cidr: 0.0.0.0/0, except: [10.0.0.0/8]}}]\n  - to: [{ipBlock: {cidr: 0.0.0.0/0}}]\n    ports: [{port: 443}]\n  - to: [{ipBlock: {cidr: 10.0.0.0/8}}]\n",
        );
        assert!(check(&EgressToAnywhere, &ok).is_empty());
    }
}
