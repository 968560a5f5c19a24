use super::report_grants;
use kubefort_model::{declare_rule, Context, Sink};

declare_rule! {
    /// ## What it does
    /// Flags Role and ClusterRole rules that grant `patch` or `update` on
    /// `services/status` (through a wildcard too), unless limited by
    /// `resourceNames`.
    ///
    /// ## Why is this bad?
    /// A Service's status holds its LoadBalancer ingress IP. Whoever can set
    /// it can point it at any address, and kube-proxy then sends the
    /// cluster's traffic for that IP to the Service — a man-in-the-middle on
    /// any destination, inside or outside the cluster (CVE-2020-8554, which
    /// Kubernetes cannot fix in code; the mitigation is not granting this).
    ///
    /// ## Example
    /// ```yaml
    /// rules:
    ///   - apiGroups: [""]
    ///     resources: ["services/status"]
    ///     verbs: ["patch", "update"]
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// # Only the cloud controller manager or the load-balancer controller sets status.
    /// rules:
    ///   - apiGroups: [""]
    ///     resources: ["services"]
    ///     verbs: ["get", "list", "watch"]
    /// ```
    ///
    /// ## References
    /// - <https://github.com/kubernetes/kubernetes/issues/97076>
    pub struct ServiceStatus {
        id: "KF-RBAC-019",
        name: "rbac-services-status-patch",
        title: "RBAC rule allows setting a Service's status (CVE-2020-8554)",
        severity: High,
        fix: "Leave services/status to the load-balancer controller; remove patch/update on it",
        references: ["checkov:CKV2_K8S_4"],
        check: check,
    }
}

fn check(cx: &Context<'_>, sink: &mut Sink<'_>) {
    report_grants(cx, sink, &ServiceStatus::META, &[(&["patch", "update"], "", "services/status")]);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{check, pointers};

    const ROLE: &str =
        "apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: r, namespace: a}\nrules:\n";

    #[test]
    fn flags_the_subresource_and_wildcards() {
        let yaml = format!("{ROLE}- {{verbs: [patch], apiGroups: [\"\"], resources: [services/status]}}\n- {{verbs: [update], apiGroups: [\"\"], resources: [\"*/status\"]}}\n- {{verbs: [\"*\"], apiGroups: [\"*\"], resources: [\"*\"]}}\n");
        let f = check(&ServiceStatus, &yaml);
        assert_eq!(pointers(&f), [("/rules/0".into(), 5), ("/rules/1".into(), 6), ("/rules/2".into(), 7)]);
        assert!(f[0].message.contains("patch services/status"), "{}", f[0].message);
    }

    #[test]
    fn ignores_the_service_itself_reads_other_groups_and_named_grants() {
        let yaml = format!("{ROLE}- {{verbs: [patch, update], apiGroups: [\"\"], resources: [services]}}\n- {{verbs: [get], apiGroups: [\"\"], resources: [services/status]}}\n- {{verbs: [patch], apiGroups: [example.com], resources: [services/status]}}\n- {{verbs: [patch], apiGroups: [\"\"], resources: [services/status], resourceNames: [one]}}\n");
        assert!(check(&ServiceStatus, &yaml).is_empty());
    }
}
