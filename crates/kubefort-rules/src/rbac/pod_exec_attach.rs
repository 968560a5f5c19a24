use super::report_grants;
use kubefort_model::{declare_rule, Context, Sink};

declare_rule! {
    /// ## What it does
    /// Flags Role and ClusterRole rules that grant `pods/exec` (through a
    /// wildcard too), unless limited by `resourceNames`.
    ///
    /// ## Why is this bad?
    /// Running a command in a container (`kubectl exec`) or attaching to its console gives the container's identity: its service account token, its mounted secrets, its network position. Whoever holds this grant holds every secret every pod in scope can read. Both `create` (the API verb) and `get` (WebSocket clients of older API servers) count.
    ///
    /// ## Example
    /// ```yaml
    /// rules:
    ///   - apiGroups: [""]
    ///     resources: ["pods/exec"]
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
    pub struct PodExecAttach {
        id: "KF-RBAC-005",
        name: "rbac-pod-exec-attach",
        title: "RBAC rule allows exec or attach into pods",
        severity: High,
        fix: "Remove pods/exec and pods/attach; use logs, debug containers under review, or break-glass access",
        references: ["polaris:clusterrolePodExecAttach", "polaris:rolePodExecAttach", "kubescape:C-0002", "checkov:CKV2_K8S_2"],
        check: check,
    }
}

fn check(cx: &Context<'_>, sink: &mut Sink<'_>) {
    report_grants(
        cx,
        sink,
        &PodExecAttach::META,
        &[(&["create", "get"], "", "pods/exec"), (&["create", "get"], "", "pods/attach")],
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{check, pointers};

    const ROLE: &str =
        "apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: r, namespace: a}\nrules:\n";

    #[test]
    fn flags_the_subresource_and_wildcards() {
        let yaml = format!("{ROLE}- {{verbs: [create, get], apiGroups: [\"\"], resources: [pods/exec]}}\n- {{verbs: [\"*\"], apiGroups: [\"\"], resources: [\"*/exec\"]}}\n- {{verbs: [\"*\"], apiGroups: [\"\"], resources: [\"*\"]}}\n");
        let f = check(&PodExecAttach, &yaml);
        assert_eq!(pointers(&f), [("/rules/0".into(), 5), ("/rules/1".into(), 6), ("/rules/2".into(), 7)]);
        assert!(f[0].message.contains("pods/exec"), "{}", f[0].message);
    }

    #[test]
    fn ignores_the_parent_resource_other_groups_and_named_grants() {
        let yaml = format!("{ROLE}- {{verbs: [\"*\"], apiGroups: [\"\"], resources: [pods, pods/status]}}\n- {{verbs: [\"*\"], apiGroups: [example.com], resources: [pods/exec]}}\n- {{verbs: [create], apiGroups: [\"\"], resources: [pods/exec], resourceNames: [one]}}\n");
        assert!(check(&PodExecAttach, &yaml).is_empty());
    }
}
