use super::report_grants;
use kubefort_model::{declare_rule, Context, Sink};

declare_rule! {
    /// ## What it does
    /// Flags Role and ClusterRole rules that grant `serviceaccounts/token` (through a
    /// wildcard too), unless limited by `resourceNames`.
    ///
    /// ## Why is this bad?
    /// Creating a token for a service account (the TokenRequest API) lets the caller act as that service account, with all of its permissions, for as long as the token lives. Over all service accounts of a namespace, that includes the most privileged one there.
    ///
    /// ## Example
    /// ```yaml
    /// rules:
    ///   - apiGroups: [""]
    ///     resources: ["serviceaccounts/token"]
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
    pub struct ServiceAccountToken {
        id: "KF-RBAC-008",
        name: "rbac-serviceaccount-token",
        title: "RBAC rule allows creating service account tokens",
        severity: High,
        fix: "Remove create on serviceaccounts/token, or restrict it with resourceNames",
        references: ["kubescape:C-0282", "cis-1.12:5.1.13"],
        check: check,
    }
}

fn check(cx: &Context<'_>, sink: &mut Sink<'_>) {
    report_grants(cx, sink, &ServiceAccountToken::META, &[(&["create"], "", "serviceaccounts/token")]);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{check, pointers};

    const ROLE: &str =
        "apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: r, namespace: a}\nrules:\n";

    #[test]
    fn flags_the_subresource_and_wildcards() {
        let yaml = format!("{ROLE}- {{verbs: [create, get], apiGroups: [\"\"], resources: [serviceaccounts/token]}}\n- {{verbs: [\"*\"], apiGroups: [\"\"], resources: [\"*/token\"]}}\n- {{verbs: [\"*\"], apiGroups: [\"\"], resources: [\"*\"]}}\n");
        let f = check(&ServiceAccountToken, &yaml);
        assert_eq!(pointers(&f), [("/rules/0".into(), 5), ("/rules/1".into(), 6), ("/rules/2".into(), 7)]);
        assert!(f[0].message.contains("serviceaccounts/token"), "{}", f[0].message);
    }

    #[test]
    fn ignores_the_parent_resource_other_groups_and_named_grants() {
        let yaml = format!("{ROLE}- {{verbs: [\"*\"], apiGroups: [\"\"], resources: [serviceaccounts, serviceaccounts/status]}}\n- {{verbs: [\"*\"], apiGroups: [example.com], resources: [serviceaccounts/token]}}\n- {{verbs: [create], apiGroups: [\"\"], resources: [serviceaccounts/token], resourceNames: [one]}}\n");
        assert!(check(&ServiceAccountToken, &yaml).is_empty());
    }
}
