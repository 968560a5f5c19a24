use super::{bound_role, checked_binding, graph, is_cluster_admin_equivalent, is_system_subject};
use kubefort_model::{declare_rule, Context, Severity, Sink};

declare_rule! {
    /// ## What it does
    /// Flags bindings that give a role granting everything (`*` verbs on `*`
    /// resources in `*` API groups, such as `cluster-admin`, directly or
    /// through aggregation) to a subject that is not a Kubernetes component.
    /// A ClusterRoleBinding is critical; a RoleBinding (admin of one
    /// namespace) is high.
    ///
    /// ## Why is this bad?
    /// Whoever holds cluster-admin can read every secret, run anything on
    /// every node and rewrite RBAC itself. A stolen token of a workload or a
    /// CI account bound to it is a full cluster compromise. Humans should get
    /// it through break-glass procedures, not standing bindings.
    ///
    /// ## Example
    /// ```yaml
    /// kind: ClusterRoleBinding
    /// roleRef: {kind: ClusterRole, name: cluster-admin}
    /// subjects:
    ///   - {kind: ServiceAccount, name: deployer, namespace: ci}
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// kind: RoleBinding
    /// metadata: {namespace: app}
    /// roleRef: {kind: ClusterRole, name: edit}
    /// subjects:
    ///   - {kind: ServiceAccount, name: deployer, namespace: ci}
    /// ```
    ///
    /// ## References
    /// - <https://kubernetes.io/docs/reference/access-authn-authz/rbac/#user-facing-roles>
    pub struct ClusterAdminBinding {
        id: "KF-RBAC-002",
        name: "rbac-cluster-admin-binding",
        title: "Cluster-admin-equivalent role bound to a non-system subject",
        severity: Critical,
        fix: "Bind a role with only the permissions needed, in the namespaces needed",
        references: [
            "kube-linter:cluster-admin-role-binding",
            "kubescape:C-0035",
            "kubescape:C-0185",
            "polaris:clusterrolebindingClusterAdmin",
            "polaris:rolebindingClusterAdminClusterRole",
            "polaris:rolebindingClusterAdminRole",
            "cis-1.12:5.1.1",
        ],
        check: check,
        prepare: super::PREPARE_GRAPH,
    }
}

fn check(cx: &Context<'_>, sink: &mut Sink<'_>) {
    let Some(binding) = checked_binding(cx) else { return };
    let graph = graph(cx.inventory);
    let Some(role) = bound_role(&graph.0, &binding) else { return };
    if !is_cluster_admin_equivalent(&graph.0, role) {
        return;
    }
    let role_name = graph.0.roles[role].display();
    for s in binding.subjects.iter().filter(|s| !is_system_subject(&s.subject)) {
        let scope = match &binding.namespace {
            Some(ns) => format!("in namespace {ns}"),
            None => "cluster-wide".to_owned(),
        };
        let finding = sink.report(
            &ClusterAdminBinding::META,
            format!("/subjects/{}", s.index),
            format!("{} gives {} (grants everything) to {} {scope}", binding.display(), role_name, s.subject.display()),
        );
        if binding.namespace.is_some() {
            finding.severity = Severity::High;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{check, pointers};

    #[test]
    fn flags_cluster_admin_and_equivalents_for_non_system_subjects() {
        let yaml = r#"apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: ci-admin}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
subjects:
- {kind: Group, name: "system:masters"}
- {kind: ServiceAccount, name: deployer, namespace: ci}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: god}
rules: [{verbs: ["*"], apiGroups: ["*"], resources: ["*"]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: ns-god, namespace: team}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: god}
subjects: [{kind: User, name: alice}]
"#;
        let f = check(&ClusterAdminBinding, yaml);
        assert_eq!(pointers(&f), [("/subjects/1".into(), 7), ("/subjects/0".into(), 18)]);
        assert_eq!(f[0].severity, Severity::Critical);
        assert_eq!(f[1].severity, Severity::High);
        assert!(f[1].message.contains("ClusterRole god"), "{}", f[1].message);
    }

    #[test]
    fn ignores_lesser_roles_and_system_components() {
        let yaml = r#"apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: viewers}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}
subjects: [{kind: User, name: alice}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: ok}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
subjects: [{kind: ServiceAccount, name: kube-controller, namespace: kube-system}, {kind: User, name: "system:kube-scheduler"}]
"#;
        assert!(check(&ClusterAdminBinding, yaml).is_empty());
    }
}
