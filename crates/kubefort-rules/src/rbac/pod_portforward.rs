use super::report_grants;
use kubefort_model::{declare_rule, Context, Sink};

declare_rule! {
    /// ## What it does
    /// Flags Role and ClusterRole rules that grant `pods/portforward` (through a
    /// wildcard too), unless limited by `resourceNames`.
    ///
    /// ## Why is this bad?
    /// Port-forwarding opens a tunnel from the caller to any port of a pod, around NetworkPolicies, Services and ingress authentication: databases, admin endpoints and debug ports bound to the pod become reachable from a laptop.
    ///
    /// ## Example
    /// ```yaml
    /// rules:
    ///   - apiGroups: [""]
    ///     resources: ["pods/portforward"]
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
    pub struct PodPortForward {
        id: "KF-RBAC-006",
        name: "rbac-pod-portforward",
        title: "RBAC rule allows port-forwarding to pods",
        severity: Medium,
        fix: "Remove pods/portforward, or restrict it to named pods with resourceNames",
        references: ["kubescape:C-0063"],
        check: check,
    }
}

fn check(cx: &Context<'_>, sink: &mut Sink<'_>) {
    report_grants(cx, sink, &PodPortForward::META, &[(&["create", "get"], "", "pods/portforward")]);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{check, pointers};

    const ROLE: &str =
        "apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: r, namespace: a}\nrules:\n";

    #[test]
    fn flags_the_subresource_and_wildcards() {
        let yaml = format!("{ROLE}- {{verbs: [create, get], apiGroups: [\"\"], resources: [pods/portforward]}}\n- {{verbs: [\"*\"], apiGroups: [\"\"], resources: [\"*/portforward\"]}}\n- {{verbs: [\"*\"], apiGroups: [\"\"], resources: [\"*\"]}}\n");
        let f = check(&PodPortForward, &yaml);
        assert_eq!(pointers(&f), [("/rules/0".into(), 5), ("/rules/1".into(), 6), ("/rules/2".into(), 7)]);
        assert!(f[0].message.contains("pods/portforward"), "{}", f[0].message);
    }

    #[test]
    fn ignores_the_parent_resource_other_groups_and_named_grants() {
        let yaml = format!("{ROLE}- {{verbs: [\"*\"], apiGroups: [\"\"], resources: [pods, pods/status]}}\n- {{verbs: [\"*\"], apiGroups: [example.com], resources: [pods/portforward]}}\n- {{verbs: [create], apiGroups: [\"\"], resources: [pods/portforward], resourceNames: [one]}}\n");
        assert!(check(&PodPortForward, &yaml).is_empty());
    }
}
