use super::{bound_role, checked_binding, graph};
use kubefort_model::{declare_rule, Context, Sink};
use kubefort_rbac::RoleKind;

declare_rule! {
    /// ## What it does
    /// Flags bindings whose `roleRef` names a Role or ClusterRole that is
    /// neither in the scanned manifests nor one of Kubernetes' default
    /// ClusterRoles.
    ///
    /// ## Why is this bad?
    /// The binding grants nothing today, so the workload it was written for
    /// is probably broken. Worse, it grants whatever a role of that name
    /// will hold once someone creates it: a dangling binding is a standing
    /// invitation to whoever can create roles in that namespace.
    ///
    /// ## Example
    /// ```yaml
    /// kind: RoleBinding
    /// roleRef: {kind: Role, name: app-reader}   # no Role app-reader exists
    /// ```
    ///
    /// ## Use instead
    /// Create the role with the binding, or delete the binding.
    ///
    /// ## References
    /// - <https://kubernetes.io/docs/reference/access-authn-authz/rbac/#rolebinding-and-clusterrolebinding>
    pub struct BindingToMissingRole {
        id: "KF-RBAC-011",
        name: "rbac-binding-missing-role",
        title: "Binding references a role that does not exist",
        severity: Low,
        fix: "Create the referenced role, fix the roleRef, or delete the binding",
        references: [],
        check: check,
        prepare: super::PREPARE_GRAPH,
    }
}

fn check(cx: &Context<'_>, sink: &mut Sink<'_>) {
    let Some(binding) = checked_binding(cx) else { return };
    let graph = graph(cx.inventory);
    if bound_role(&graph.0, &binding).is_some() {
        return;
    }
    let role = match (binding.role_kind, &binding.namespace) {
        (RoleKind::Role, Some(ns)) => format!("Role {ns}/{}", binding.role_name),
        _ => format!("ClusterRole {}", binding.role_name),
    };
    sink.report(
        &BindingToMissingRole::META,
        "/roleRef/name",
        format!(
            "{} references {role}, which is not defined: it grants nothing until someone creates it",
            binding.display()
        ),
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{check, pointers};

    #[test]
    fn flags_missing_roles() {
        let yaml = "apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {name: b, namespace: web}\nroleRef:\n  kind: Role\n  name: ghost\nsubjects: [{kind: User, name: u}]\n";
        let f = check(&BindingToMissingRole, yaml);
        assert_eq!(pointers(&f), [("/roleRef/name".into(), 6)]);
        assert!(f[0].message.contains("Role web/ghost"), "{}", f[0].message);
    }

    #[test]
    fn accepts_defined_and_default_roles() {
        let yaml = "apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: r, namespace: web}\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {name: b, namespace: web}\nroleRef: {kind: Role, name: r}\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {name: c, namespace: web}\nroleRef: {kind: ClusterRole, name: view}\n";
        assert!(check(&BindingToMissingRole, yaml).is_empty());
    }
}
