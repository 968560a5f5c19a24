use super::report_grants;
use kubefort_model::{declare_rule, Context, Sink};

declare_rule! {
    /// ## What it does
    /// Flags Role and ClusterRole rules that grant `nodes/proxy` (through a
    /// wildcard too), unless limited by `resourceNames`.
    ///
    /// ## Why is this bad?
    /// `nodes/proxy` reaches the kubelet API directly: `/exec` and `/run` into any pod on the node, bypassing admission control and the API server's audit log of the command. It is node-level remote code execution.
    ///
    /// ## Example
    /// ```yaml
    /// rules:
    ///   - apiGroups: [""]
    ///     resources: ["nodes/proxy"]
    ///     verbs: ["create", "get"]
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// rules:
    ///   - apiGroups: [""]
    ///     resources: ["pods", "pods/log"]
    ///     verbs: ["get", "list"]
    /// ```
    ///
    /// ## References
    /// - <https://kubernetes.io/docs/concepts/security/rbac-good-practices/>
    pub struct NodeProxy {
        id: "KF-RBAC-007",
        name: "rbac-nodes-proxy",
        title: "RBAC rule grants access to nodes/proxy",
        severity: High,
        fix: "Remove nodes/proxy; grant nodes/metrics or nodes/stats for monitoring instead",
        references: ["kubescape:C-0279", "checkov:CKV2_K8S_2", "cis-1.12:5.1.10"],
        check: check,
    }
}

fn check(cx: &Context<'_>, sink: &mut Sink<'_>) {
    report_grants(cx, sink, &NodeProxy::META, &[(&["get", "create", "update", "patch", "delete"], "", "nodes/proxy")]);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{check, pointers};

    const ROLE: &str =
        "apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: r, namespace: a}\nrules:\n";

    #[test]
    fn flags_the_subresource_and_wildcards() {
        let yaml = format!("{ROLE}- {{verbs: [create, get], apiGroups: [\"\"], resources: [nodes/proxy]}}\n- {{verbs: [\"*\"], apiGroups: [\"\"], resources: [\"*/proxy\"]}}\n- {{verbs: [\"*\"], apiGroups: [\"\"], resources: [\"*\"]}}\n");
        let f = check(&NodeProxy, &yaml);
        assert_eq!(pointers(&f), [("/rules/0".into(), 5), ("/rules/1".into(), 6), ("/rules/2".into(), 7)]);
        assert!(f[0].message.contains("nodes/proxy"), "{}", f[0].message);
    }

    #[test]
    fn ignores_the_parent_resource_other_groups_and_named_grants() {
        let yaml = format!("{ROLE}- {{verbs: [\"*\"], apiGroups: [\"\"], resources: [nodes, nodes/status]}}\n- {{verbs: [\"*\"], apiGroups: [example.com], resources: [nodes/proxy]}}\n- {{verbs: [create], apiGroups: [\"\"], resources: [nodes/proxy], resourceNames: [one]}}\n");
        assert!(check(&NodeProxy, &yaml).is_empty());
    }
}
