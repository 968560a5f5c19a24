use super::{bound_role, checked_binding, graph, is_system_subject};
use kubefort_model::{declare_rule, Context, Sink};
use kubefort_rbac::Request;

declare_rule! {
    /// ## What it does
    /// Flags bindings that let a non-system subject `get`, `list` or `watch`
    /// secrets cluster-wide (a ClusterRoleBinding) or in `kube-system` (a
    /// RoleBinding there). The role is resolved as the API server resolves
    /// it, aggregation included.
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
        title: "Secrets readable cluster-wide or in kube-system",
        severity: High,
        fix: "Grant get on the named secrets the workload needs, in its own namespace",
        references: ["checkov:CKV2_K8S_5", "kube-linter:access-to-secrets", "kubescape:C-0015", "kubescape:C-0186", "cis-1.12:5.1.2"],
        check: check,
    }
}

/// Namespaces whose secrets are the cluster's own credentials.
const PRIVILEGED_NAMESPACES: [&str; 1] = ["kube-system"];

fn check(cx: &Context<'_>, sink: &mut Sink<'_>) {
    let Some(binding) = checked_binding(cx) else { return };
    let namespace = match &binding.namespace {
        None => "",
        Some(ns) if PRIVILEGED_NAMESPACES.contains(&ns.as_str()) => ns.as_str(),
        Some(_) => return,
    };
    let graph = graph(cx.inventory);
    let Some(role) = bound_role(&graph.0, &binding) else { return };
    let verbs: Vec<&str> = ["get", "list", "watch"]
        .into_iter()
        .filter(|v| {
            let request = Request::resource(v, "", "secrets", namespace, "");
            graph.0.effective_rules(role).iter().any(|er| kubefort_rbac::rule_allows(graph.0.rule(er), &request))
        })
        .collect();
    if verbs.is_empty() {
        return;
    }
    let scope = if namespace.is_empty() { "in every namespace".to_owned() } else { format!("in {namespace}") };
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
    use crate::testing::{check, pointers};

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
}
