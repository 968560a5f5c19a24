use super::{bound_role, checked_binding, graph, is_system_subject, privileged_scope, role_allows, scope_text};
use kubefort_model::{declare_rule, Context, Sink};
use kubefort_rbac::Request;

declare_rule! {
    /// ## What it does
    /// Flags bindings that let a non-system subject `get`, `list` or `watch`
    /// secrets cluster-wide (a ClusterRoleBinding) or in a privileged
    /// namespace (a RoleBinding there). The role is resolved as the API
    /// server resolves it, aggregation included. Privileged namespaces are
    /// `kube-system` unless `.kubefort.yaml` lists others in
    /// `privilegedNamespaces`.
    ///
    /// ## Why is this bad?
    /// Secrets hold service account tokens, registry credentials, TLS keys
    /// and database passwords. Reading them everywhere, or in `kube-system`
    /// where controller tokens live, turns one compromised identity into
    /// many, usually up to cluster-admin. `list` and `watch` return the
    /// values too, not just the names.
    ///
    /// ## Example
    /// ```yaml
    /// kind: ClusterRoleBinding
    /// roleRef: {kind: ClusterRole, name: secret-reader}   # get/list secrets
    /// subjects: [{kind: ServiceAccount, name: app, namespace: web}]
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// kind: RoleBinding
    /// metadata: {namespace: web}
    /// roleRef: {kind: Role, name: read-app-secret}   # get, resourceNames: [app-config]
    /// subjects: [{kind: ServiceAccount, name: app, namespace: web}]
    /// ```
    ///
    /// ## References
    /// - <https://kubernetes.io/docs/concepts/security/rbac-good-practices/#listing-secrets>
    pub struct SecretsAccess {
        id: "KF-RBAC-004",
        name: "rbac-secrets-read",
        title: "Secrets readable cluster-wide or in a privileged namespace",
        severity: High,
        fix: "Grant get on the named secrets the workload needs, in its own namespace",
        references: ["checkov:CKV2_K8S_5", "kube-linter:access-to-secrets", "kubescape:C-0015", "kubescape:C-0186", "cis-1.12:5.1.2"],
        check: check,
        prepare: super::PREPARE_GRAPH,
    }
}

fn check(cx: &Context<'_>, sink: &mut Sink<'_>) {
    let Some(binding) = checked_binding(cx) else { return };
    let Some(namespace) = privileged_scope(cx, &binding) else { return };
    let graph = graph(cx.inventory);
    let Some(role) = bound_role(&graph.0, &binding) else { return };
    let verbs: Vec<&str> = ["get", "list", "watch"]
        .into_iter()
        .filter(|v| role_allows(&graph.0, role, &Request::resource(v, "", "secrets", namespace, "")))
        .collect();
    if verbs.is_empty() {
        return;
    }
    let scope = scope_text(namespace);
    for s in binding.subjects.iter().filter(|s| !is_system_subject(&s.subject)) {
        sink.report(
            &SecretsAccess::META,
            format!("/subjects/{}", s.index),
            format!(
                "{} lets {} {} secrets {scope} (through {})",
                binding.display(),
                s.subject.display(),
                verbs.join("/"),
                graph.0.roles[role].display()
            ),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{check, check_with, pointers};
    use kubefort_model::Settings;

    const READER: &str = r#"apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: secret-reader}
rules: [{verbs: [get, list], apiGroups: [""], resources: [secrets]}]
---
"#;

    #[test]
    fn flags_cluster_wide_and_kube_system_reads() {
        let yaml = format!(
            "{READER}apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata: {{name: a}}\nroleRef: {{kind: ClusterRole, name: secret-reader}}\nsubjects: [{{kind: ServiceAccount, name: app, namespace: web}}]\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {{name: b, namespace: kube-system}}\nroleRef: {{kind: ClusterRole, name: edit}}\nsubjects: [{{kind: User, name: bob}}]\n"
        );
        let f = check(&SecretsAccess, &yaml);
        assert_eq!(pointers(&f), [("/subjects/0".into(), 10), ("/subjects/0".into(), 16)]);
        assert!(f[0].message.contains("get/list secrets in every namespace"), "{}", f[0].message);
        assert!(f[1].message.contains("get/list/watch secrets in kube-system"), "edit via defaults: {}", f[1].message);
    }

    #[test]
    fn ignores_app_namespaces_named_secrets_and_system_subjects() {
        let yaml = format!(
            "{READER}apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {{name: a, namespace: web}}\nroleRef: {{kind: ClusterRole, name: secret-reader}}\nsubjects: [{{kind: User, name: bob}}]\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {{name: one}}\nrules: [{{verbs: [get], apiGroups: [\"\"], resources: [secrets], resourceNames: [x]}}]\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata: {{name: b}}\nroleRef: {{kind: ClusterRole, name: one}}\nsubjects: [{{kind: User, name: bob}}]\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata: {{name: c}}\nroleRef: {{kind: ClusterRole, name: secret-reader}}\nsubjects: [{{kind: User, name: \"system:kube-controller-manager\"}}]\n"
        );
        assert!(check(&SecretsAccess, &yaml).is_empty());
    }

    #[test]
    fn privileged_namespaces_come_from_the_settings() {
        let yaml = format!(
            "{READER}apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {{name: a, namespace: cni}}\nroleRef: {{kind: ClusterRole, name: secret-reader}}\nsubjects: [{{kind: User, name: bob}}]\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {{name: b, namespace: kube-system}}\nroleRef: {{kind: ClusterRole, name: secret-reader}}\nsubjects: [{{kind: User, name: bob}}]\n"
        );
        let f = check(&SecretsAccess, &yaml);
        assert_eq!(pointers(&f), [("/subjects/0".into(), 16)], "default: kube-system only");
        let settings = Settings { privileged_namespaces: vec!["cni".into()], ..Settings::default() };
        let f = check_with(&SecretsAccess, &yaml, &settings);
        assert_eq!(pointers(&f), [("/subjects/0".into(), 10)], "configured: cni, and kube-system no more");
        assert!(f[0].message.contains("secrets in cni"), "{}", f[0].message);
    }
}
