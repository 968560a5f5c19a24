use kubefort_model::{declare_rule, Context, Sink};
use kubefort_netpol::{IpRange, Peer, Policy};

declare_rule! {
    /// ## What it does
    /// Flags NetworkPolicy egress rules whose `ipBlock` includes the cloud
    /// instance metadata address `169.254.169.254` (or its IPv6 form
    /// `fd00:ec2::254`).
    ///
    /// ## Why is this bad?
    /// The metadata service hands out the node's cloud credentials. A pod
    /// that can reach it can often act as the node in the cloud account:
    /// read buckets, pull every image, or move laterally.
    ///
    /// ## Example
    /// ```yaml
    /// egress:
    ///   - to:
    ///       - ipBlock: {cidr: 0.0.0.0/0, except: [10.0.0.0/8]}
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// egress:
    ///   - to:
    ///       - ipBlock: {cidr: 0.0.0.0/0, except: [10.0.0.0/8, 169.254.169.254/32]}
    /// ```
    ///
    /// ## References
    /// - <https://kubernetes.io/docs/tasks/administer-cluster/securing-a-cluster/#restricting-cloud-metadata-api-access>
    pub struct EgressToMetadata {
        id: "KF-NET-005",
        name: "egress-to-cloud-metadata",
        title: "NetworkPolicy allows egress to the cloud metadata service",
        severity: High,
        fix: "Add 169.254.169.254/32 to the ipBlock's `except` list",
        references: ["kubescape:C-0052"],
        check: check,
    }
}

fn check(cx: &Context<'_>, sink: &mut Sink<'_>) {
    let Some(policy) = Policy::from_object(cx.object) else { return };
    if !policy.isolates_egress {
        return;
    }
    let metadata = ["169.254.169.254", "fd00:ec2::254"].map(|a| IpRange::single(a.parse().expect("literal address")));
    for rule in &policy.egress {
        for (i, peer) in rule.peers.iter().flatten().enumerate() {
            if let Peer::Block { cidr, set, .. } = peer {
                if metadata.iter().any(|m| set.contains_range(m)) {
                    sink.report(
                        &EgressToMetadata::META,
                        format!("{}/to/{i}/ipBlock", rule.pointer),
                        format!("ipBlock {cidr} includes the cloud metadata address"),
                    );
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::check;

    fn policy(block: &str) -> String {
        format!("apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {{name: p}}\nspec:\n  podSelector: {{}}\n  egress: [{{to: [{{ipBlock: {block}}}]}}]\n")
    }

    #[test]
    fn flags_blocks_that_contain_the_metadata_address() {
        assert_eq!(check(&EgressToMetadata, &policy("{cidr: 0.0.0.0/0, except: [10.0.0.0/8]}")).len(), 1);
        assert_eq!(check(&EgressToMetadata, &policy("{cidr: 169.254.0.0/16}")).len(), 1);
        assert_eq!(check(&EgressToMetadata, &policy("{cidr: 'fd00::/8'}")).len(), 1);
    }

    #[test]
    fn excepted_or_unrelated_blocks_are_fine() {
        assert!(check(&EgressToMetadata, &policy("{cidr: 0.0.0.0/0, except: [169.254.169.254/32]}")).is_empty());
        assert!(check(&EgressToMetadata, &policy("{cidr: 10.0.0.0/8}")).is_empty());
    }
}
