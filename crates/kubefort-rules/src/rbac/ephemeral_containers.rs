use super::report_grants;
use kubefort_model::{declare_rule, Context, Sink};

declare_rule! {
    /// ## What it does
    /// Flags Role and ClusterRole rules that grant `update` or `patch` on
    /// `pods/ephemeralcontainers` (through a wildcard too), unless limited
    /// by `resourceNames`.
    ///
    /// ## Why is this bad?
    /// Adding an ephemeral container (`kubectl debug`) starts a new
    /// container, with an image and command of the caller's choosing, inside
    /// a running pod: it shares the pod's service account token, volumes and
    /// network, like `pods/exec`. Unlike exec, the container's own security
    /// context is the caller's to set, so it is also a way past what the
    /// pod's other containers are limited to.
    ///
    /// ## Example
    /// ```yaml
    /// rules:
    ///   - apiGroups: [""]
    ///     resources: ["pods/ephemeralcontainers"]
    ///     verbs: ["patch"]
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
    /// - <https://kubernetes.io/docs/concepts/security/rbac-good-practices/#ephemeral-containers>
    pub struct EphemeralContainers {
        id: "KF-RBAC-014",
        name: "rbac-pod-ephemeral-containers",
        title: "RBAC rule allows adding ephemeral containers to pods",
        severity: High,
        fix: "Remove pods/ephemeralcontainers; grant debugging through break-glass access under review",
        references: [],
        check: check,
    }
}

fn check(cx: &Context<'_>, sink: &mut Sink<'_>) {
    report_grants(cx, sink, &EphemeralContainers::META, &[(&["patch", "update"], "", "pods/ephemeralcontainers")]);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{check, pointers};

    const ROLE: &str =
        "apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: r, namespace: a}\nrules:\n";

    #[test]
    fn flags_the_subresource_and_wildcards() {
        let yaml = format!("{ROLE}- {{verbs: [update], apiGroups: [\"\"], resources: [pods/ephemeralcontainers]}}\n- {{verbs: [\"*\"], apiGroups: [\"\"], resources: [\"*/ephemeralcontainers\"]}}\n- {{verbs: [patch], apiGroups: [\"*\"], resources: [\"*\"]}}\n");
        let f = check(&EphemeralContainers, &yaml);
        assert_eq!(pointers(&f), [("/rules/0".into(), 5), ("/rules/1".into(), 6), ("/rules/2".into(), 7)]);
        assert!(f[0].message.contains("update pods/ephemeralcontainers"), "{}", f[0].message);
        assert!(f[2].message.contains("patch pods/ephemeralcontainers"), "{}", f[2].message);
    }

    #[test]
    fn ignores_reads_the_parent_resource_other_groups_and_named_grants() {
        let yaml = format!("{ROLE}- {{verbs: [get, list], apiGroups: [\"\"], resources: [pods/ephemeralcontainers]}}\n- {{verbs: [patch], apiGroups: [\"\"], resources: [pods]}}\n- {{verbs: [patch], apiGroups: [example.com], resources: [pods/ephemeralcontainers]}}\n- {{verbs: [patch], apiGroups: [\"\"], resources: [pods/ephemeralcontainers], resourceNames: [one]}}\n");
        assert!(check(&EphemeralContainers, &yaml).is_empty());
    }
}
