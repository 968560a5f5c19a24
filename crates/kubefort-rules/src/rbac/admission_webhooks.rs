use super::report_cluster_grants;
use kubefort_model::{declare_rule, Context, Sink};

declare_rule! {
    /// ## What it does
    /// Flags ClusterRole rules that grant `create`, `update`, `patch` or
    /// `delete` on `mutatingwebhookconfigurations` or
    /// `validatingwebhookconfigurations` (`admissionregistration.k8s.io`,
    /// through wildcards too), unless limited by `resourceNames`. Roles are
    /// not checked: these objects are cluster-scoped.
    ///
    /// ## Why is this bad?
    /// An admission webhook is sent every object the API server writes that
    /// it subscribes to, Secrets included, and a mutating one can rewrite
    /// them: add a container to every pod, swap an image, mount the node.
    /// Deleting or editing one also switches off the policy it enforces.
    ///
    /// ## Example
    /// ```yaml
    /// rules:
    ///   - apiGroups: ["admissionregistration.k8s.io"]
    ///     resources: ["mutatingwebhookconfigurations"]
    ///     verbs: ["create", "update", "patch"]
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// rules:
    ///   - apiGroups: ["admissionregistration.k8s.io"]
    ///     resources: ["mutatingwebhookconfigurations"]
    ///     verbs: ["get", "update"]
    ///     resourceNames: ["my-operator-webhook"]   # its own webhook only
    /// ```
    ///
    /// ## References
    /// - <https://kubernetes.io/docs/concepts/security/rbac-good-practices/#control-admission-webhooks>
    pub struct AdmissionWebhooks {
        id: "KF-RBAC-016",
        name: "rbac-admission-webhook-write",
        title: "RBAC rule allows writing admission webhook configurations",
        severity: High,
        fix: "Limit webhook configuration writes to the operator that owns them, with resourceNames",
        references: ["checkov:CKV_K8S_155", "kubescape:C-0281", "cis-1.12:5.1.12"],
        check: check,
    }
}

const VERBS: &[&str] = &["create", "update", "patch", "delete"];
const GROUP: &str = "admissionregistration.k8s.io";

fn check(cx: &Context<'_>, sink: &mut Sink<'_>) {
    report_cluster_grants(
        cx,
        sink,
        &AdmissionWebhooks::META,
        &[(VERBS, GROUP, "mutatingwebhookconfigurations"), (VERBS, GROUP, "validatingwebhookconfigurations")],
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{check, pointers};

    const ROLE: &str = "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: r}\nrules:\n";

    #[test]
    fn flags_writes_and_wildcards() {
        let yaml = format!("{ROLE}- {{verbs: [patch], apiGroups: [admissionregistration.k8s.io], resources: [mutatingwebhookconfigurations]}}\n- {{verbs: [delete], apiGroups: [\"*\"], resources: [validatingwebhookconfigurations]}}\n- {{verbs: [\"*\"], apiGroups: [admissionregistration.k8s.io], resources: [\"*\"]}}\n");
        let f = check(&AdmissionWebhooks, &yaml);
        assert_eq!(pointers(&f), [("/rules/0".into(), 5), ("/rules/1".into(), 6), ("/rules/2".into(), 7)]);
        assert!(f[0].message.contains("patch mutatingwebhookconfigurations"), "{}", f[0].message);
        assert!(
            f[2].message.contains("create mutatingwebhookconfigurations, create validatingwebhookconfigurations"),
            "{}",
            f[2].message
        );
    }

    #[test]
    fn ignores_reads_named_grants_other_groups_and_namespaced_roles() {
        let yaml = format!("{ROLE}- {{verbs: [get, list, watch], apiGroups: [admissionregistration.k8s.io], resources: [mutatingwebhookconfigurations]}}\n- {{verbs: [update], apiGroups: [admissionregistration.k8s.io], resources: [validatingwebhookconfigurations], resourceNames: [mine]}}\n- {{verbs: [create], apiGroups: [example.com], resources: [mutatingwebhookconfigurations]}}\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {{name: r, namespace: a}}\nrules: [{{verbs: [\"*\"], apiGroups: [\"*\"], resources: [\"*\"]}}]\n");
        assert!(check(&AdmissionWebhooks, &yaml).is_empty());
    }
}
