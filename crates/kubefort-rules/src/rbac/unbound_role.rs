use super::{graph, is_default_policy};
use kubefort_model::{declare_rule, Context, Sink};
use kubefort_rbac::policy::read_role;

declare_rule! {
    /// ## What it does
    /// Reports Roles and ClusterRoles that no binding references and that no
    /// aggregated ClusterRole picks up.
    ///
    /// ## Why is this bad?
    /// An unused role is not a risk by itself, but it is dead policy: it
    /// hides the roles that matter in reviews, and a later binding to it
    /// grants permissions nobody has looked at in a while. It is often the
    /// sign of a renamed role whose binding now points elsewhere.
    ///
    /// ## Example
    /// ```yaml
    /// kind: Role
    /// metadata: {name: old-deployer, namespace: web}   # no RoleBinding uses it
    /// ```
    ///
    /// ## Use instead
    /// Delete the role, or bind it where it is meant to be used.
    ///
    /// ## References
    /// - <https://kubernetes.io/docs/concepts/security/rbac-good-practices/#periodic-review>
    pub struct UnboundRole {
        id: "KF-RBAC-012",
        name: "rbac-unbound-role",
        title: "Role is bound to nobody",
        severity: Info,
        fix: "Delete the role or bind it",
        references: [],
        check: check,
        prepare: super::PREPARE_GRAPH,
    }
}

fn check(cx: &Context<'_>, sink: &mut Sink<'_>) {
    if is_default_policy(cx.object) {
        return;
    }
    let Some(role) = read_role(cx.object).0 else { return };
    let graph = graph(cx.inventory);
    let Some(id) = graph.0.find_role(role.kind, role.namespace.as_deref(), &role.name) else { return };
    if graph.0.bindings_of(id).is_empty() && !graph.0.is_aggregation_source(id) {
        sink.report(
            &UnboundRole::META,
            "/metadata/name",
            format!("{} is not referenced by any binding", role.display()),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{check, pointers};

    #[test]
    fn reports_roles_nobody_uses() {
        let yaml = "apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata:\n  name: old\n  namespace: web\n";
        assert_eq!(pointers(&check(&UnboundRole, yaml)), [("/metadata/name".into(), 4)]);
    }

    #[test]
    fn ignores_bound_and_aggregated_roles() {
        let yaml = "apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: r, namespace: web}\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {name: b, namespace: web}\nroleRef: {kind: Role, name: r}\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: crd-view, labels: {rbac.authorization.k8s.io/aggregate-to-view: \"true\"}}\n";
        assert!(check(&UnboundRole, yaml).is_empty());
    }
}
