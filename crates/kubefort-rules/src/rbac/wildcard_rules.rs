use super::checked_role;
use kubefort_model::{declare_rule, Context, Sink};

declare_rule! {
    /// ## What it does
    /// Flags Role and ClusterRole rules with `*` in `verbs`, `resources` or
    /// `apiGroups`.
    ///
    /// ## Why is this bad?
    /// A wildcard grants more than anyone reviewed: every verb includes
    /// `escalate`, `bind` and `impersonate`; every resource includes
    /// `secrets`, `pods/exec` and any custom resource installed later. A
    /// rule that reads well today silently widens as the cluster grows.
    ///
    /// ## Example
    /// ```yaml
    /// rules:
    ///   - apiGroups: ["*"]
    ///     resources: ["*"]
    ///     verbs: ["*"]
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// rules:
    ///   - apiGroups: ["apps"]
    ///     resources: ["deployments"]
    ///     verbs: ["get", "list", "watch", "update"]
    /// ```
    ///
    /// ## References
    /// - <https://kubernetes.io/docs/concepts/security/rbac-good-practices/#least-privilege>
    pub struct WildcardRules {
        id: "KF-RBAC-001",
        name: "rbac-wildcard",
        title: "RBAC rule uses a wildcard",
        severity: Medium,
        fix: "List the verbs, resources and API groups the role needs instead of `*`",
        references: ["checkov:CKV_K8S_49", "kube-linter:wildcard-in-rules", "kubescape:C-0187", "cis-1.12:5.1.3"],
        check: check,
    }
}

fn check(cx: &Context<'_>, sink: &mut Sink<'_>) {
    let Some(role) = checked_role(cx) else { return };
    for r in &role.rules {
        let fields: Vec<&str> =
            [("verbs", &r.rule.verbs), ("resources", &r.rule.resources), ("apiGroups", &r.rule.api_groups)]
                .into_iter()
                .filter(|(_, v)| v.iter().any(|x| x == "*"))
                .map(|(f, _)| f)
                .collect();
        if !fields.is_empty() {
            sink.report(
                &WildcardRules::META,
                format!("/rules/{}", r.index),
                format!("{} rule #{} has `*` in {}", role.display(), r.index, fields.join(", ")),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{check, pointers};

    #[test]
    fn flags_wildcards_per_rule() {
        let yaml = "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: r}\nrules:\n- {verbs: [get], apiGroups: [\"\"], resources: [pods]}\n- {verbs: [\"*\"], apiGroups: [\"\"], resources: [pods]}\n- {verbs: [get], apiGroups: [\"*\"], resources: [\"*\"]}\n";
        let f = check(&WildcardRules, yaml);
        assert_eq!(pointers(&f), [("/rules/1".to_owned(), 6), ("/rules/2".to_owned(), 7)]);
        assert!(f[1].message.contains("resources, apiGroups"), "{}", f[1].message);
    }

    #[test]
    fn ignores_specific_rules_defaults_and_aggregated_roles() {
        let yaml = "apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: r, namespace: a}\nrules: [{verbs: [get], apiGroups: [\"\"], resources: [pods/*]}]\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: cluster-admin, labels: {kubernetes.io/bootstrapping: rbac-defaults}}\nrules: [{verbs: [\"*\"], apiGroups: [\"*\"], resources: [\"*\"]}]\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: agg}\naggregationRule: {clusterRoleSelectors: [{matchLabels: {x: y}}]}\nrules: [{verbs: [\"*\"], apiGroups: [\"*\"], resources: [\"*\"]}]\n";
        assert!(check(&WildcardRules, yaml).is_empty());
    }
}
