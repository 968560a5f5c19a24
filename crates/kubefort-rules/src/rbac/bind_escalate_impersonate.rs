use super::report_grants;
use kubefort_model::{declare_rule, Context, Sink};

declare_rule! {
    /// ## What it does
    /// Flags rules granting `bind` or `escalate` on roles and cluster roles,
    /// or `impersonate` on users, groups, service accounts, uids or user
    /// extras.
    ///
    /// ## Why is this bad?
    /// RBAC stops a user from granting permissions they do not hold, except
    /// through these verbs: `escalate` lets them edit a role to include
    /// anything, `bind` lets them bind any role (cluster-admin included) to
    /// themselves, and `impersonate` lets them act as any other identity.
    /// Each is a one-step path to cluster-admin.
    ///
    /// ## Example
    /// ```yaml
    /// rules:
    ///   - apiGroups: ["rbac.authorization.k8s.io"]
    ///     resources: ["clusterroles"]
    ///     verbs: ["bind", "escalate"]
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// rules:
    ///   - apiGroups: ["rbac.authorization.k8s.io"]
    ///     resources: ["clusterroles"]
    ///     verbs: ["bind"]
    ///     resourceNames: ["view"]   # only the roles this subject may hand out
    /// ```
    ///
    /// ## References
    /// - <https://kubernetes.io/docs/concepts/security/rbac-good-practices/#escalate-verb>
    pub struct BindEscalateImpersonate {
        id: "KF-RBAC-003",
        name: "rbac-bind-escalate-impersonate",
        title: "RBAC rule grants bind, escalate or impersonate",
        severity: High,
        fix: "Remove bind/escalate/impersonate, or restrict them with resourceNames to what the subject may hand out",
        references: ["checkov:CKV_K8S_157", "checkov:CKV_K8S_158", "checkov:CKV2_K8S_3", "kubescape:C-0191", "kubescape:C-0065", "cis-1.12:5.1.8"],
        check: check,
    }
}

const RBAC: &str = "rbac.authorization.k8s.io";

fn check(cx: &Context<'_>, sink: &mut Sink<'_>) {
    report_grants(
        cx,
        sink,
        &BindEscalateImpersonate::META,
        &[
            (&["bind", "escalate"], RBAC, "clusterroles"),
            (&["bind", "escalate"], RBAC, "roles"),
            (&["impersonate"], "", "users"),
            (&["impersonate"], "", "groups"),
            (&["impersonate"], "", "serviceaccounts"),
            (&["impersonate"], "authentication.k8s.io", "uids"),
            (&["impersonate"], "authentication.k8s.io", "userextras/scopes"),
        ],
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{check, pointers};

    #[test]
    fn flags_escalate_and_impersonate() {
        let yaml = "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: r}\nrules:\n- {verbs: [escalate], apiGroups: [rbac.authorization.k8s.io], resources: [clusterroles]}\n- {verbs: [impersonate], apiGroups: [\"\"], resources: [users, groups]}\n- {verbs: [\"*\"], apiGroups: [\"*\"], resources: [\"*\"]}\n";
        let f = check(&BindEscalateImpersonate, yaml);
        assert_eq!(pointers(&f), [("/rules/0".into(), 5), ("/rules/1".into(), 6), ("/rules/2".into(), 7)]);
        assert!(f[1].message.contains("impersonate users, impersonate groups"), "{}", f[1].message);
    }

    #[test]
    fn ignores_ordinary_rbac_management_and_other_groups() {
        let yaml = "apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: r, namespace: a}\nrules:\n- {verbs: [get, list, create], apiGroups: [rbac.authorization.k8s.io], resources: [roles, rolebindings]}\n- {verbs: [impersonate], apiGroups: [example.com], resources: [users]}\n- {verbs: [bind], apiGroups: [rbac.authorization.k8s.io], resources: [clusterroles], resourceNames: [view]}\n";
        assert!(check(&BindEscalateImpersonate, yaml).is_empty());
    }
}
