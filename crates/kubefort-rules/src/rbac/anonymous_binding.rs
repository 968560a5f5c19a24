use super::checked_binding;
use kubefort_model::{declare_rule, Context, Sink};
use kubefort_rbac::SubjectKind;

declare_rule! {
    /// ## What it does
    /// Flags bindings whose subjects include `system:anonymous`,
    /// `system:unauthenticated` or `system:authenticated`. Kubernetes' own
    /// default bindings (discovery, health checks) are not flagged.
    ///
    /// ## Why is this bad?
    /// `system:unauthenticated` and `system:anonymous` are anyone who can
    /// reach the API server. `system:authenticated` is anyone with any
    /// credential the cluster accepts: with some managed providers that is
    /// any account of the cloud provider, and inside the cluster it is every
    /// service account of every pod. Permissions given to them are public.
    ///
    /// ## Example
    /// ```yaml
    /// kind: ClusterRoleBinding
    /// roleRef: {kind: ClusterRole, name: view}
    /// subjects: [{kind: Group, name: "system:authenticated"}]
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// kind: ClusterRoleBinding
    /// roleRef: {kind: ClusterRole, name: view}
    /// subjects: [{kind: Group, name: "platform-readers"}]
    /// ```
    ///
    /// ## References
    /// - <https://kubernetes.io/docs/reference/access-authn-authz/rbac/#discovery-roles>
    pub struct AnonymousBinding {
        id: "KF-RBAC-009",
        name: "rbac-anonymous-binding",
        title: "Role bound to anonymous or all authenticated users",
        severity: High,
        fix: "Bind the role to the specific users, groups or service accounts that need it",
        references: ["kubescape:C-0262", "kubescape:C-0265"],
        check: check,
    }
}

fn check(cx: &Context<'_>, sink: &mut Sink<'_>) {
    let Some(binding) = checked_binding(cx) else { return };
    for s in &binding.subjects {
        let who = match (s.subject.kind, s.subject.name.as_str()) {
            (SubjectKind::User, "system:anonymous") => "anyone who can reach the API server (anonymous)",
            (SubjectKind::Group, "system:unauthenticated") => "anyone who can reach the API server (unauthenticated)",
            (SubjectKind::Group, "system:authenticated") => {
                "every authenticated identity, all service accounts included"
            }
            _ => continue,
        };
        sink.report(
            &AnonymousBinding::META,
            format!("/subjects/{}", s.index),
            format!("{} grants ClusterRole/Role {} to {who}", binding.display(), binding.role_name),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{check, pointers};

    #[test]
    fn flags_anonymous_unauthenticated_and_authenticated() {
        let yaml = "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata: {name: open}\nroleRef: {kind: ClusterRole, name: view}\nsubjects:\n- {kind: User, name: \"system:anonymous\"}\n- {kind: Group, name: \"system:unauthenticated\"}\n- {kind: Group, name: \"system:authenticated\"}\n- {kind: User, name: alice}\n";
        let f = check(&AnonymousBinding, yaml);
        assert_eq!(pointers(&f), [("/subjects/0".into(), 6), ("/subjects/1".into(), 7), ("/subjects/2".into(), 8)]);
    }

    #[test]
    fn ignores_default_bindings_and_lookalikes() {
        let yaml = "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata: {name: system:discovery, labels: {kubernetes.io/bootstrapping: rbac-defaults}}\nroleRef: {kind: ClusterRole, name: system:discovery}\nsubjects: [{kind: Group, name: \"system:authenticated\"}]\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata: {name: x}\nroleRef: {kind: ClusterRole, name: view}\nsubjects: [{kind: User, name: \"system:authenticated\"}, {kind: Group, name: \"system:anonymous-ish\"}]\n";
        assert!(check(&AnonymousBinding, yaml).is_empty());
    }
}
