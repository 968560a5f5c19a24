//! Deterministic synthetic clusters for scale tests and benchmarks.

use crate::policy::{SourcedRule, SourcedSubject};
use crate::{Authorizer, Binding, BindingKind, PolicyRule, Role, RoleKind, Subject, SubjectKind};
use kubefort_model::Location;
use std::fmt::Write as _;
use std::sync::Arc;

fn at(line: u32) -> Location {
    Location { file: Arc::from("synthetic.yaml"), line, column: 1, template: None }
}

/// Roles and bindings only, built directly: `namespaces` × (4 Roles —
/// reader, writer, exec, secrets — and `per_namespace` RoleBindings of one
/// ServiceAccount `sa-B` each, to role `B % 4`), plus ClusterRole
/// `node-reader` bound to Group `ops`.
pub fn bindings_only(namespaces: usize, per_namespace: usize) -> Authorizer {
    let s = |v: &[&str]| v.iter().map(|x| (*x).to_owned()).collect::<Vec<_>>();
    let mut roles = Vec::new();
    let mut bindings = Vec::new();
    let rule = |verbs: &[&str], resources: &[&str]| SourcedRule {
        rule: PolicyRule { verbs: s(verbs), api_groups: s(&[""]), resources: s(resources), ..PolicyRule::default() },
        index: 0,
        location: at(1),
    };
    for n in 0..namespaces {
        let ns = format!("ns-{n}");
        for (name, verbs, resources) in [
            ("reader", &["get", "list"][..], &["configmaps"][..]),
            ("writer", &["create", "update"][..], &["configmaps"][..]),
            ("exec", &["create"][..], &["pods/exec"][..]),
            ("secrets", &["get"][..], &["secrets"][..]),
        ] {
            roles.push(Role {
                kind: RoleKind::Role,
                namespace: Some(ns.clone()),
                name: name.into(),
                labels: vec![],
                rules: vec![rule(verbs, resources)],
                aggregation: None,
                location: at(1),
                builtin: false,
            });
        }
        for b in 0..per_namespace {
            bindings.push(Binding {
                kind: BindingKind::RoleBinding,
                namespace: Some(ns.clone()),
                name: format!("b-{b}"),
                role_kind: RoleKind::Role,
                role_name: ["reader", "writer", "exec", "secrets"][b % 4].into(),
                subjects: vec![SourcedSubject {
                    subject: Subject {
                        kind: SubjectKind::ServiceAccount,
                        name: format!("sa-{b}"),
                        namespace: Some(ns.clone()),
                    },
                    index: 0,
                    location: at(2),
                }],
                location: at(2),
                role_ref_location: at(2),
                labels: vec![],
                builtin: false,
            });
        }
    }
    roles.push(Role {
        kind: RoleKind::ClusterRole,
        namespace: None,
        name: "node-reader".into(),
        labels: vec![],
        rules: vec![rule(&["get"], &["nodes"])],
        aggregation: None,
        location: at(3),
        builtin: false,
    });
    bindings.push(Binding {
        kind: BindingKind::ClusterRoleBinding,
        namespace: None,
        name: "node-readers".into(),
        role_kind: RoleKind::ClusterRole,
        role_name: "node-reader".into(),
        subjects: vec![SourcedSubject {
            subject: Subject { kind: SubjectKind::Group, name: "ops".into(), namespace: None },
            index: 0,
            location: at(4),
        }],
        location: at(4),
        role_ref_location: at(4),
        labels: vec![],
        builtin: false,
    });
    Authorizer::from_parts(roles, bindings, vec![])
}

/// Size of a synthetic cluster: every count is per namespace.
#[derive(Debug, Clone, Copy)]
pub struct Spec {
    pub namespaces: usize,
    pub service_accounts: usize,
    pub roles: usize,
    pub bindings: usize,
    pub pods: usize,
}

impl Spec {
    /// 500 namespaces: 10,000 service accounts, 20,000 Roles, 50,000
    /// RoleBindings, 30,000 Pods (plus a few cluster-wide roles and bindings).
    pub const LARGE: Spec = Spec { namespaces: 500, service_accounts: 20, roles: 40, bindings: 100, pods: 60 };
}

/// The kinds of Role the namespaces get, in turn: `(verbs, group, resources, resourceNames)`.
const PALETTE: &[(&str, &str, &str, &str)] = &[
    ("get, list, watch", "\"\"", "configmaps", ""),
    ("get", "\"\"", "secrets", ""),
    ("create", "\"\"", "pods", ""),
    ("create", "\"\"", "pods/exec", ""),
    ("create", "\"\"", "serviceaccounts/token", "sa-1"),
    ("create, update", "apps", "deployments", ""),
    ("get", "\"\"", "pods/log", ""),
    ("get, list", "\"\"", "services, endpoints", ""),
];

/// A whole cluster as one multi-document YAML text. Deterministic: the same
/// spec gives the same bytes. Namespace `ns-7`'s `sa-3` may impersonate
/// user `root`, who holds everything; Group `ops` may use nodes/proxy;
/// every 500th pod is privileged; even namespaces enforce Pod Security
/// `restricted`.
pub fn cluster_yaml(spec: &Spec) -> String {
    let mut y = String::with_capacity(spec.namespaces * (spec.bindings * 330 + spec.pods * 260 + spec.roles * 220));
    let rbac = "rbac.authorization.k8s.io";
    y.push_str(&format!(
        "apiVersion: {rbac}/v1\nkind: ClusterRole\nmetadata: {{name: everything}}\nrules:\n\
         - {{apiGroups: [\"*\"], resources: [\"*\"], verbs: [\"*\"]}}\n- {{nonResourceURLs: [\"*\"], verbs: [\"*\"]}}\n---\n\
         apiVersion: {rbac}/v1\nkind: ClusterRoleBinding\nmetadata: {{name: root}}\n\
         roleRef: {{apiGroup: {rbac}, kind: ClusterRole, name: everything}}\nsubjects: [{{kind: User, name: root}}]\n---\n\
         apiVersion: {rbac}/v1\nkind: ClusterRole\nmetadata: {{name: become-root}}\n\
         rules: [{{apiGroups: [\"\"], resources: [users], verbs: [impersonate], resourceNames: [root]}}]\n---\n\
         apiVersion: {rbac}/v1\nkind: ClusterRoleBinding\nmetadata: {{name: become-root}}\n\
         roleRef: {{apiGroup: {rbac}, kind: ClusterRole, name: become-root}}\n\
         subjects: [{{kind: ServiceAccount, name: sa-3, namespace: ns-7}}]\n---\n\
         apiVersion: {rbac}/v1\nkind: ClusterRole\nmetadata: {{name: node-proxy}}\n\
         rules: [{{apiGroups: [\"\"], resources: [nodes/proxy], verbs: [get]}}]\n---\n\
         apiVersion: {rbac}/v1\nkind: ClusterRoleBinding\nmetadata: {{name: node-proxy}}\n\
         roleRef: {{apiGroup: {rbac}, kind: ClusterRole, name: node-proxy}}\nsubjects: [{{kind: Group, name: ops}}]\n"
    ));
    let mut pod_number = 0usize;
    for n in 0..spec.namespaces {
        let ns = format!("ns-{n}");
        let enforce = if n % 2 == 0 { "restricted" } else { "privileged" };
        let _ = write!(
            y,
            "---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: {ns}\n  labels: {{pod-security.kubernetes.io/enforce: {enforce}}}\n"
        );
        for s in 0..spec.service_accounts {
            let _ =
                write!(y, "---\napiVersion: v1\nkind: ServiceAccount\nmetadata: {{name: sa-{s}, namespace: {ns}}}\n");
        }
        for r in 0..spec.roles {
            let (verbs, group, resources, names) = PALETTE[(r + n) % PALETTE.len()];
            let names = if names.is_empty() { String::new() } else { format!(", resourceNames: [{names}]") };
            let _ = write!(
                y,
                "---\napiVersion: {rbac}/v1\nkind: Role\nmetadata: {{name: r-{r}, namespace: {ns}}}\n\
                 rules:\n- {{apiGroups: [{group}], resources: [{resources}], verbs: [{verbs}]{names}}}\n"
            );
        }
        for b in 0..spec.bindings {
            let subject = if b % 10 == 9 {
                format!("{{kind: Group, name: team-{}}}", n % 50)
            } else if b % 25 == 0 {
                format!("{{kind: User, name: dev-{}}}", (n * 7 + b) % 1000)
            } else {
                format!(
                    "{{kind: ServiceAccount, name: sa-{}, namespace: {ns}}}",
                    (b * 7) % spec.service_accounts.max(1)
                )
            };
            let role = (b * 13) % spec.roles.max(1);
            let _ = write!(
                y,
                "---\napiVersion: {rbac}/v1\nkind: RoleBinding\nmetadata: {{name: b-{b}, namespace: {ns}}}\n\
                 roleRef: {{apiGroup: {rbac}, kind: Role, name: r-{role}}}\nsubjects: [{subject}]\n"
            );
        }
        for p in 0..spec.pods {
            pod_number = (pod_number + 1) % 500;
            let privileged = if pod_number == 0 { ", securityContext: {privileged: true}" } else { "" };
            let _ = write!(
                y,
                "---\napiVersion: v1\nkind: Pod\nmetadata: {{name: pod-{p}, namespace: {ns}}}\n\
                 spec:\n  serviceAccountName: sa-{}\n  containers: [{{name: c, image: app{privileged}}}]\n",
                p % spec.service_accounts.max(1)
            );
        }
    }
    y
}
