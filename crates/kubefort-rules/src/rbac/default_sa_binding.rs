use super::checked_binding;
use kubefort_model::{declare_rule, Context, Sink};
use kubefort_rbac::SubjectKind;

declare_rule! {
    /// ## What it does
    /// Flags bindings that grant a role to a namespace's `default` service
    /// account.
    ///
    /// ## Why is this bad?
    /// Every pod that does not name a service account runs as `default`.
    /// Permissions given to it go to every such pod of the namespace, today
    /// and in future, including pods of charts and tools that never asked
    /// for them.
    ///
    /// ## Example
    /// ```yaml
    /// kind: RoleBinding
    /// metadata: {namespace: web}
    /// roleRef: {kind: Role, name: config-reader}
    /// subjects: [{kind: ServiceAccount, name: default}]
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// kind: RoleBinding
    /// metadata: {namespace: web}
    /// roleRef: {kind: Role, name: config-reader}
    /// subjects: [{kind: ServiceAccount, name: web-app}]   # and serviceAccountName: web-app in the pod
    /// ```
    ///
    /// ## References
    /// - <https://kubernetes.io/docs/concepts/security/service-accounts/#default-service-accounts>
    pub struct DefaultServiceAccountBinding {
        id: "KF-RBAC-010",
        name: "rbac-default-serviceaccount-binding",
        title: "Role bound to a default service account",
        severity: Medium,
        fix: "Create a dedicated service account for the workload and bind the role to it",
        references: ["kubescape:C-0189", "cis-1.12:5.1.5"],
        check: check,
    }
}

fn check(cx: &Context<'_>, sink: &mut Sink<'_>) {
    let Some(binding) = checked_binding(cx) else { return };
    for s in
        binding.subjects.iter().filter(|s| s.subject.kind == SubjectKind::ServiceAccount && s.subject.name == "default")
    {
        sink.report(
            &DefaultServiceAccountBinding::META,
            format!("/subjects/{}", s.index),
            format!(
                "{} grants {} to {}, which every pod of the namespace without a serviceAccountName uses",
                binding.display(),
                binding.role_name,
                s.subject.display()
            ),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{check, pointers};

    #[test]
    fn flags_default_service_accounts_with_defaulted_namespace() {
        let yaml = "apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {name: b, namespace: web}\nroleRef: {kind: Role, name: r}\nsubjects:\n- {kind: ServiceAccount, name: app}\n- {kind: ServiceAccount, name: default}\n";
        let f = check(&DefaultServiceAccountBinding, yaml);
        assert_eq!(pointers(&f), [("/subjects/1".into(), 7)]);
        assert!(f[0].message.contains("ServiceAccount web/default"), "{}", f[0].message);
    }

    #[test]
    fn ignores_users_named_default() {
        let yaml = "apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {name: b, namespace: web}\nroleRef: {kind: Role, name: r}\nsubjects: [{kind: User, name: default}, {kind: Group, name: default}]\n";
        assert!(check(&DefaultServiceAccountBinding, yaml).is_empty());
    }
}
