use super::report_cluster_grants;
use kubefort_model::{declare_rule, Context, Sink};

declare_rule! {
    /// ## What it does
    /// Flags ClusterRole rules that grant `patch` or `update` on `nodes`
    /// (through a wildcard too), unless limited by `resourceNames`. Roles are
    /// not checked: nodes are cluster-scoped.
    ///
    /// ## Why is this bad?
    /// A node's labels and taints decide where pods are scheduled. Whoever
    /// can change them can remove the taints that keep workloads off the
    /// control plane, or label a node they control so that pods with
    /// node affinity — and the secrets and tokens they mount — move there.
    /// `update` also rewrites the node's spec (podCIDR, unschedulable).
    ///
    /// ## Example
    /// ```yaml
    /// rules:
    ///   - apiGroups: [""]
    ///     resources: ["nodes"]
    ///     verbs: ["get", "list", "patch"]
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// rules:
    ///   - apiGroups: [""]
    ///     resources: ["nodes"]
    ///     verbs: ["get", "list", "watch"]
    /// ```
    ///
    /// ## References
    /// - <https://kubernetes.io/docs/concepts/security/rbac-good-practices/#escalation-paths>
    /// - <https://kubernetes.io/docs/reference/access-authn-authz/admission-controllers/#noderestriction>
    pub struct NodesPatch {
        id: "KF-RBAC-018",
        name: "rbac-nodes-patch",
        title: "RBAC rule allows patching or updating nodes",
        severity: Medium,
        fix: "Leave node labels and taints to the kubelet and the cluster's node lifecycle tooling; grant read access only",
        references: [],
        check: check,
    }
}

fn check(cx: &Context<'_>, sink: &mut Sink<'_>) {
    report_cluster_grants(cx, sink, &NodesPatch::META, &[(&["patch", "update"], "", "nodes")]);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{check, pointers};

    const ROLE: &str = "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: r}\nrules:\n";

    #[test]
    fn flags_patch_update_and_wildcards() {
        let yaml = format!("{ROLE}- {{verbs: [get, patch], apiGroups: [\"\"], resources: [nodes]}}\n- {{verbs: [\"*\"], apiGroups: [\"\"], resources: [\"*\"]}}\n");
        let f = check(&NodesPatch, &yaml);
        assert_eq!(pointers(&f), [("/rules/0".into(), 5), ("/rules/1".into(), 6)]);
        assert!(f[0].message.contains("patch nodes"), "{}", f[0].message);
    }

    #[test]
    fn ignores_reads_subresources_named_grants_and_namespaced_roles() {
        let yaml = format!("{ROLE}- {{verbs: [get, list, watch], apiGroups: [\"\"], resources: [nodes]}}\n- {{verbs: [patch], apiGroups: [\"\"], resources: [nodes/status]}}\n- {{verbs: [patch], apiGroups: [\"\"], resources: [nodes], resourceNames: [worker-1]}}\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {{name: r, namespace: a}}\nrules: [{{verbs: [patch], apiGroups: [\"\"], resources: [nodes]}}]\n");
        assert!(check(&NodesPatch, &yaml).is_empty());
    }
}
