use super::{bound_role, checked_binding, graph, is_system_subject, privileged_scope, role_allows, scope_text};
use kubefort_model::{declare_rule, Context, Sink};
use kubefort_rbac::Request;

declare_rule! {
    /// ## What it does
    /// Flags bindings that let a non-system subject create pods or any
    /// workload that makes them (Deployments, DaemonSets, StatefulSets,
    /// ReplicaSets, Jobs, CronJobs, ReplicationControllers) cluster-wide (a
    /// ClusterRoleBinding) or in a privileged namespace (a RoleBinding
    /// there). Privileged namespaces are `kube-system` unless `.kubefort.yaml`
    /// lists others in `privilegedNamespaces`. The role is resolved as the
    /// API server resolves it, aggregation and default roles included.
    ///
    /// ## Why is this bad?
    /// A pod runs as any service account of its namespace, and privileged
    /// namespaces are where the powerful ones live (controllers, CNI and
    /// storage drivers, often cluster-admin). They are also usually exempt
    /// from Pod Security, so the pod may be privileged and mount the node's
    /// root filesystem. Creating a workload there is taking over those
    /// identities and the nodes.
    ///
    /// ## Example
    /// ```yaml
    /// kind: RoleBinding
    /// metadata: {namespace: kube-system}
    /// roleRef: {kind: ClusterRole, name: edit}   # create pods, deployments, ...
    /// subjects: [{kind: User, name: dev@example.com}]
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// kind: RoleBinding
    /// metadata: {namespace: kube-system}
    /// roleRef: {kind: ClusterRole, name: view}
    /// subjects: [{kind: User, name: dev@example.com}]
    /// ```
    ///
    /// ## References
    /// - <https://kubernetes.io/docs/concepts/security/rbac-good-practices/#workload-creation>
    pub struct PrivilegedNamespaceWorkloads {
        id: "KF-RBAC-013",
        name: "rbac-privileged-namespace-workloads",
        title: "Workloads can be created cluster-wide or in a privileged namespace",
        severity: High,
        fix: "Grant workload creation in the subject's own namespaces only; deploy to kube-system through a reviewed pipeline",
        references: ["kube-linter:access-to-create-pods", "kubescape:C-0188", "cis-1.12:5.1.4"],
        check: check,
        prepare: super::PREPARE_GRAPH,
    }
}

/// Kinds whose creation runs a pod as a service account of the namespace.
const WORKLOADS: [(&str, &str); 8] = [
    ("", "pods"),
    ("apps", "deployments"),
    ("apps", "daemonsets"),
    ("apps", "statefulsets"),
    ("apps", "replicasets"),
    ("batch", "jobs"),
    ("batch", "cronjobs"),
    ("", "replicationcontrollers"),
];

fn check(cx: &Context<'_>, sink: &mut Sink<'_>) {
    let Some(binding) = checked_binding(cx) else { return };
    let Some(namespace) = privileged_scope(cx, &binding) else { return };
    let graph = graph(cx.inventory);
    let Some(role) = bound_role(&graph.0, &binding) else { return };
    let kinds: Vec<&str> = WORKLOADS
        .iter()
        .filter(|(group, resource)| {
            role_allows(&graph.0, role, &Request::resource("create", group, resource, namespace, ""))
        })
        .map(|(_, resource)| *resource)
        .collect();
    if kinds.is_empty() {
        return;
    }
    let scope = scope_text(namespace);
    for s in binding.subjects.iter().filter(|s| !is_system_subject(&s.subject)) {
        sink.report(
            &PrivilegedNamespaceWorkloads::META,
            format!("/subjects/{}", s.index),
            format!(
                "{} lets {} create {} {scope} (through {})",
                binding.display(),
                s.subject.display(),
                kinds.join(", "),
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

    const DEPLOYER: &str = r#"apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: deployer}
rules: [{verbs: [create, update], apiGroups: [apps], resources: [deployments, daemonsets]}]
---
"#;

    fn binding(kind: &str, ns: &str, role: &str, subject: &str) -> String {
        let meta = if ns.is_empty() { "{name: b}".to_owned() } else { format!("{{name: b, namespace: {ns}}}") };
        format!("apiVersion: rbac.authorization.k8s.io/v1\nkind: {kind}\nmetadata: {meta}\nroleRef: {{kind: ClusterRole, name: {role}}}\nsubjects: [{subject}]\n---\n")
    }

    #[test]
    fn flags_cluster_wide_and_kube_system_creation() {
        let yaml = format!(
            "{DEPLOYER}{}{}",
            binding("ClusterRoleBinding", "", "deployer", "{kind: ServiceAccount, name: ci, namespace: tools}"),
            binding("RoleBinding", "kube-system", "edit", "{kind: User, name: bob}")
        );
        let f = check(&PrivilegedNamespaceWorkloads, &yaml);
        assert_eq!(pointers(&f), [("/subjects/0".into(), 10), ("/subjects/0".into(), 16)]);
        assert!(f[0].message.contains("create deployments, daemonsets in every namespace"), "{}", f[0].message);
        assert!(
            f[1].message.contains("create pods, deployments, daemonsets, statefulsets, replicasets, jobs, cronjobs, replicationcontrollers in kube-system (through ClusterRole edit)"),
            "edit via defaults: {}",
            f[1].message
        );
    }

    #[test]
    fn ignores_app_namespaces_read_only_roles_and_system_subjects() {
        let yaml = format!(
            "{DEPLOYER}{}{}{}",
            binding("RoleBinding", "web", "deployer", "{kind: User, name: bob}"),
            binding("RoleBinding", "kube-system", "view", "{kind: User, name: bob}"),
            binding("ClusterRoleBinding", "", "deployer", "{kind: User, name: \"system:kube-controller-manager\"}")
        );
        assert!(check(&PrivilegedNamespaceWorkloads, &yaml).is_empty());
    }

    #[test]
    fn privileged_namespaces_come_from_the_settings() {
        let yaml = format!(
            "{DEPLOYER}{}{}",
            binding("RoleBinding", "cni", "deployer", "{kind: User, name: bob}"),
            binding("RoleBinding", "kube-system", "deployer", "{kind: User, name: bob}")
        );
        assert_eq!(pointers(&check(&PrivilegedNamespaceWorkloads, &yaml)), [("/subjects/0".into(), 16)]);
        let settings =
            Settings { privileged_namespaces: vec!["cni".into(), "monitoring".into()], ..Settings::default() };
        let f = check_with(&PrivilegedNamespaceWorkloads, &yaml, &settings);
        assert_eq!(pointers(&f), [("/subjects/0".into(), 10)]);
        assert!(f[0].message.contains("in cni"), "{}", f[0].message);
    }
}
