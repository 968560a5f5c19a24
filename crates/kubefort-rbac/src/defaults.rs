//! Kubernetes' default ClusterRoles and ClusterRoleBindings (the API
//! server's bootstrap policy, `plugin/pkg/auth/authorizer/rbac/bootstrappolicy`),
//! as data: the roles every cluster has whether or not the manifests show
//! them. Used with `--with-defaults`; an object of the same name in the
//! input replaces its default.
//!
//! This is the user-facing part of the policy (cluster-admin, admin, edit,
//! view and their aggregation sources, discovery, basic-user,
//! public-info-viewer) plus the best-known component roles. It follows the
//! bootstrap policy of Kubernetes 1.30.

use crate::policy::{
    builtin_location, Binding, BindingKind, LabelSelector, PolicyRule, Role, RoleKind, SourcedRule, SourcedSubject,
    Subject, SubjectKind,
};

struct R {
    verbs: &'static [&'static str],
    groups: &'static [&'static str],
    resources: &'static [&'static str],
    names: &'static [&'static str],
    urls: &'static [&'static str],
}

const fn res(verbs: &'static [&'static str], groups: &'static [&'static str], resources: &'static [&'static str]) -> R {
    R { verbs, groups, resources, names: &[], urls: &[] }
}
const fn named(
    verbs: &'static [&'static str],
    groups: &'static [&'static str],
    resources: &'static [&'static str],
    names: &'static [&'static str],
) -> R {
    R { verbs, groups, resources, names, urls: &[] }
}
const fn urls(verbs: &'static [&'static str], urls: &'static [&'static str]) -> R {
    R { verbs, groups: &[], resources: &[], names: &[], urls }
}

const READ: &[&str] = &["get", "list", "watch"];
const WRITE: &[&str] = &["create", "update", "patch", "delete", "deletecollection"];
const READ_WRITE: &[&str] = &["get", "list", "watch", "create", "update", "patch", "delete", "deletecollection"];
const ALL: &[&str] = &["*"];
const CORE: &[&str] = &[""];

const TO_ADMIN: &str = "rbac.authorization.k8s.io/aggregate-to-admin";
const TO_EDIT: &str = "rbac.authorization.k8s.io/aggregate-to-edit";
const TO_VIEW: &str = "rbac.authorization.k8s.io/aggregate-to-view";

struct DefaultRole {
    name: &'static str,
    /// Labels (value `"true"`) besides `kubernetes.io/bootstrapping`.
    labels: &'static [&'static str],
    /// `matchLabels: {KEY: "true"}` selectors of an aggregated role.
    aggregate: &'static [&'static str],
    rules: &'static [R],
}

const ROLES: &[DefaultRole] = &[
    DefaultRole { name: "cluster-admin", labels: &[], aggregate: &[], rules: &[res(ALL, ALL, ALL), urls(ALL, &["*"])] },
    DefaultRole {
        name: "system:discovery",
        labels: &[],
        aggregate: &[],
        rules: &[urls(
            &["get"],
            &[
                "/api",
                "/api/*",
                "/apis",
                "/apis/*",
                "/healthz",
                "/livez",
                "/openapi",
                "/openapi/*",
                "/readyz",
                "/version",
                "/version/",
            ],
        )],
    },
    DefaultRole {
        name: "system:basic-user",
        labels: &[],
        aggregate: &[],
        rules: &[
            res(&["create"], &["authorization.k8s.io"], &["selfsubjectaccessreviews", "selfsubjectrulesreviews"]),
            res(&["create"], &["authentication.k8s.io"], &["selfsubjectreviews"]),
        ],
    },
    DefaultRole {
        name: "system:public-info-viewer",
        labels: &[],
        aggregate: &[],
        rules: &[urls(&["get"], &["/healthz", "/livez", "/readyz", "/version", "/version/"])],
    },
    DefaultRole { name: "admin", labels: &[], aggregate: &[TO_ADMIN], rules: &[] },
    DefaultRole { name: "edit", labels: &[TO_ADMIN], aggregate: &[TO_EDIT], rules: &[] },
    DefaultRole { name: "view", labels: &[TO_EDIT], aggregate: &[TO_VIEW], rules: &[] },
    DefaultRole {
        name: "system:aggregate-to-admin",
        labels: &[TO_ADMIN],
        aggregate: &[],
        rules: &[
            res(&["create"], &["authorization.k8s.io"], &["localsubjectaccessreviews"]),
            res(READ_WRITE, &["rbac.authorization.k8s.io"], &["rolebindings", "roles"]),
        ],
    },
    DefaultRole {
        name: "system:aggregate-to-edit",
        labels: &[TO_EDIT],
        aggregate: &[],
        rules: &[
            res(
                READ,
                CORE,
                &["pods/attach", "pods/exec", "pods/portforward", "pods/proxy", "secrets", "services/proxy"],
            ),
            res(&["impersonate"], CORE, &["serviceaccounts"]),
            res(WRITE, CORE, &["pods", "pods/attach", "pods/exec", "pods/portforward", "pods/proxy"]),
            res(&["create"], CORE, &["pods/eviction"]),
            res(
                WRITE,
                CORE,
                &[
                    "configmaps",
                    "events",
                    "persistentvolumeclaims",
                    "replicationcontrollers",
                    "replicationcontrollers/scale",
                    "secrets",
                    "serviceaccounts",
                    "services",
                    "services/proxy",
                ],
            ),
            res(&["create"], CORE, &["serviceaccounts/token"]),
            res(
                WRITE,
                &["apps"],
                &[
                    "daemonsets",
                    "deployments",
                    "deployments/rollback",
                    "deployments/scale",
                    "replicasets",
                    "replicasets/scale",
                    "statefulsets",
                    "statefulsets/scale",
                ],
            ),
            res(WRITE, &["autoscaling"], &["horizontalpodautoscalers"]),
            res(WRITE, &["batch"], &["cronjobs", "jobs"]),
            res(
                WRITE,
                &["extensions"],
                &[
                    "daemonsets",
                    "deployments",
                    "deployments/rollback",
                    "deployments/scale",
                    "ingresses",
                    "networkpolicies",
                    "replicasets",
                    "replicasets/scale",
                    "replicationcontrollers/scale",
                ],
            ),
            res(WRITE, &["policy"], &["poddisruptionbudgets"]),
            res(WRITE, &["networking.k8s.io"], &["ingresses", "networkpolicies"]),
            res(WRITE, &["coordination.k8s.io"], &["leases"]),
        ],
    },
    DefaultRole {
        name: "system:aggregate-to-view",
        labels: &[TO_VIEW],
        aggregate: &[],
        rules: &[
            res(
                READ,
                CORE,
                &[
                    "configmaps",
                    "endpoints",
                    "persistentvolumeclaims",
                    "persistentvolumeclaims/status",
                    "pods",
                    "replicationcontrollers",
                    "replicationcontrollers/scale",
                    "serviceaccounts",
                    "services",
                    "services/status",
                ],
            ),
            res(
                READ,
                CORE,
                &[
                    "bindings",
                    "events",
                    "limitranges",
                    "namespaces/status",
                    "pods/log",
                    "pods/status",
                    "replicationcontrollers/status",
                    "resourcequotas",
                    "resourcequotas/status",
                ],
            ),
            res(READ, CORE, &["namespaces"]),
            res(READ, &["discovery.k8s.io"], &["endpointslices"]),
            res(
                READ,
                &["apps"],
                &[
                    "controllerrevisions",
                    "daemonsets",
                    "daemonsets/status",
                    "deployments",
                    "deployments/scale",
                    "deployments/status",
                    "replicasets",
                    "replicasets/scale",
                    "replicasets/status",
                    "statefulsets",
                    "statefulsets/scale",
                    "statefulsets/status",
                ],
            ),
            res(READ, &["autoscaling"], &["horizontalpodautoscalers", "horizontalpodautoscalers/status"]),
            res(READ, &["batch"], &["cronjobs", "cronjobs/status", "jobs", "jobs/status"]),
            res(
                READ,
                &["extensions"],
                &[
                    "daemonsets",
                    "daemonsets/status",
                    "deployments",
                    "deployments/scale",
                    "deployments/status",
                    "ingresses",
                    "ingresses/status",
                    "networkpolicies",
                    "replicasets",
                    "replicasets/scale",
                    "replicasets/status",
                    "replicationcontrollers/scale",
                ],
            ),
            res(READ, &["policy"], &["poddisruptionbudgets", "poddisruptionbudgets/status"]),
            res(READ, &["networking.k8s.io"], &["ingresses", "ingresses/status", "networkpolicies"]),
        ],
    },
    DefaultRole {
        name: "system:auth-delegator",
        labels: &[],
        aggregate: &[],
        rules: &[
            res(&["create"], &["authentication.k8s.io"], &["tokenreviews"]),
            res(&["create"], &["authorization.k8s.io"], &["subjectaccessreviews"]),
        ],
    },
    DefaultRole {
        name: "system:kubelet-api-admin",
        labels: &[],
        aggregate: &[],
        rules: &[
            res(READ, CORE, &["nodes"]),
            res(&["proxy"], CORE, &["nodes"]),
            res(ALL, CORE, &["nodes/log", "nodes/metrics", "nodes/proxy", "nodes/stats"]),
        ],
    },
    DefaultRole {
        name: "system:node-proxier",
        labels: &[],
        aggregate: &[],
        rules: &[
            res(&["list", "watch"], CORE, &["endpoints", "services"]),
            res(READ, CORE, &["nodes"]),
            res(&["create", "patch", "update"], &["", "events.k8s.io"], &["events"]),
            res(&["list", "watch"], &["discovery.k8s.io"], &["endpointslices"]),
        ],
    },
    DefaultRole {
        name: "system:kube-dns",
        labels: &[],
        aggregate: &[],
        rules: &[res(&["list", "watch"], CORE, &["endpoints", "services"])],
    },
    DefaultRole {
        name: "system:kube-scheduler",
        labels: &[],
        aggregate: &[],
        rules: &[
            res(&["create", "patch", "update"], &["", "events.k8s.io"], &["events"]),
            res(&["create"], &["coordination.k8s.io"], &["leases"]),
            named(&["get", "update"], &["coordination.k8s.io"], &["leases"], &["kube-scheduler"]),
            res(READ, CORE, &["nodes"]),
            res(&["delete", "get", "list", "watch"], CORE, &["pods"]),
            res(&["create"], CORE, &["bindings", "pods/binding"]),
            res(&["patch", "update"], CORE, &["pods/status"]),
            res(READ, CORE, &["replicationcontrollers", "services"]),
            res(READ, &["apps", "extensions"], &["replicasets"]),
            res(READ, &["apps"], &["statefulsets"]),
            res(READ, &["policy"], &["poddisruptionbudgets"]),
            res(READ, CORE, &["persistentvolumeclaims", "persistentvolumes"]),
            res(&["create"], &["authentication.k8s.io"], &["tokenreviews"]),
            res(&["create"], &["authorization.k8s.io"], &["subjectaccessreviews"]),
            res(READ, &["storage.k8s.io"], &["csidrivers", "csinodes", "csistoragecapacities"]),
        ],
    },
    DefaultRole {
        name: "system:kube-controller-manager",
        labels: &[],
        aggregate: &[],
        rules: &[
            res(&["create", "patch", "update"], &["", "events.k8s.io"], &["events"]),
            res(&["create"], &["coordination.k8s.io"], &["leases"]),
            named(&["get", "update"], &["coordination.k8s.io"], &["leases"], &["kube-controller-manager"]),
            res(&["create"], CORE, &["secrets", "serviceaccounts"]),
            res(&["delete"], CORE, &["secrets"]),
            res(&["get"], CORE, &["configmaps", "namespaces", "secrets", "serviceaccounts"]),
            res(&["update"], CORE, &["secrets", "serviceaccounts"]),
            res(&["create"], &["authentication.k8s.io"], &["tokenreviews"]),
            res(&["create"], &["authorization.k8s.io"], &["subjectaccessreviews"]),
            res(&["list", "watch"], ALL, ALL),
            res(&["create"], CORE, &["serviceaccounts/token"]),
        ],
    },
    DefaultRole {
        name: "system:service-account-issuer-discovery",
        labels: &[],
        aggregate: &[],
        rules: &[urls(
            &["get"],
            &[
                "/.well-known/openid-configuration",
                "/.well-known/openid-configuration/",
                "/openid/v1/jwks",
                "/openid/v1/jwks/",
            ],
        )],
    },
    DefaultRole {
        name: "system:monitoring",
        labels: &[],
        aggregate: &[],
        rules: &[urls(
            &["get"],
            &["/healthz", "/healthz/*", "/livez", "/livez/*", "/metrics", "/metrics/slis", "/readyz", "/readyz/*"],
        )],
    },
];

struct DefaultBinding {
    name: &'static str,
    role: &'static str,
    users: &'static [&'static str],
    groups: &'static [&'static str],
    service_accounts: &'static [(&'static str, &'static str)],
}

const BINDINGS: &[DefaultBinding] = &[
    DefaultBinding {
        name: "cluster-admin",
        role: "cluster-admin",
        users: &[],
        groups: &["system:masters"],
        service_accounts: &[],
    },
    DefaultBinding {
        name: "system:discovery",
        role: "system:discovery",
        users: &[],
        groups: &["system:authenticated"],
        service_accounts: &[],
    },
    DefaultBinding {
        name: "system:basic-user",
        role: "system:basic-user",
        users: &[],
        groups: &["system:authenticated"],
        service_accounts: &[],
    },
    DefaultBinding {
        name: "system:public-info-viewer",
        role: "system:public-info-viewer",
        users: &[],
        groups: &["system:authenticated", "system:unauthenticated"],
        service_accounts: &[],
    },
    DefaultBinding {
        name: "system:monitoring",
        role: "system:monitoring",
        users: &[],
        groups: &["system:monitoring"],
        service_accounts: &[],
    },
    DefaultBinding {
        name: "system:node-proxier",
        role: "system:node-proxier",
        users: &["system:kube-proxy"],
        groups: &[],
        service_accounts: &[],
    },
    DefaultBinding {
        name: "system:kube-dns",
        role: "system:kube-dns",
        users: &[],
        groups: &[],
        service_accounts: &[("kube-system", "kube-dns")],
    },
    DefaultBinding {
        name: "system:kube-scheduler",
        role: "system:kube-scheduler",
        users: &["system:kube-scheduler"],
        groups: &[],
        service_accounts: &[],
    },
    DefaultBinding {
        name: "system:kube-controller-manager",
        role: "system:kube-controller-manager",
        users: &["system:kube-controller-manager"],
        groups: &[],
        service_accounts: &[],
    },
    DefaultBinding {
        name: "system:service-account-issuer-discovery",
        role: "system:service-account-issuer-discovery",
        users: &[],
        groups: &["system:serviceaccounts"],
        service_accounts: &[],
    },
];

fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| (*s).to_owned()).collect()
}

/// The label every default object carries.
pub const BOOTSTRAP_LABEL: (&str, &str) = ("kubernetes.io/bootstrapping", "rbac-defaults");

pub fn roles() -> Vec<Role> {
    ROLES
        .iter()
        .map(|d| {
            let mut labels: Vec<(String, String)> =
                d.labels.iter().map(|l| ((*l).to_owned(), "true".to_owned())).collect();
            labels.push((BOOTSTRAP_LABEL.0.to_owned(), BOOTSTRAP_LABEL.1.to_owned()));
            Role {
                kind: RoleKind::ClusterRole,
                namespace: None,
                name: d.name.to_owned(),
                labels,
                rules: d
                    .rules
                    .iter()
                    .enumerate()
                    .map(|(index, r)| SourcedRule {
                        rule: PolicyRule {
                            verbs: strings(r.verbs),
                            api_groups: strings(r.groups),
                            resources: strings(r.resources),
                            resource_names: strings(r.names),
                            non_resource_urls: strings(r.urls),
                        },
                        index,
                        location: builtin_location(),
                    })
                    .collect(),
                aggregation: (!d.aggregate.is_empty()).then(|| {
                    d.aggregate
                        .iter()
                        .map(|k| LabelSelector {
                            match_labels: vec![((*k).to_owned(), "true".to_owned())],
                            match_expressions: vec![],
                        })
                        .collect()
                }),
                location: builtin_location(),
                builtin: true,
            }
        })
        .collect()
}

pub fn bindings() -> Vec<Binding> {
    BINDINGS
        .iter()
        .map(|d| {
            let users =
                d.users.iter().map(|u| Subject { kind: SubjectKind::User, name: (*u).to_owned(), namespace: None });
            let groups =
                d.groups.iter().map(|g| Subject { kind: SubjectKind::Group, name: (*g).to_owned(), namespace: None });
            let sas = d.service_accounts.iter().map(|(ns, n)| Subject {
                kind: SubjectKind::ServiceAccount,
                name: (*n).to_owned(),
                namespace: Some((*ns).to_owned()),
            });
            Binding {
                kind: BindingKind::ClusterRoleBinding,
                namespace: None,
                name: d.name.to_owned(),
                role_kind: RoleKind::ClusterRole,
                role_name: d.role.to_owned(),
                subjects: users
                    .chain(groups)
                    .chain(sas)
                    .enumerate()
                    .map(|(index, subject)| SourcedSubject { subject, index, location: builtin_location() })
                    .collect(),
                location: builtin_location(),
                role_ref_location: builtin_location(),
                labels: vec![(BOOTSTRAP_LABEL.0.to_owned(), BOOTSTRAP_LABEL.1.to_owned())],
                builtin: true,
            }
        })
        .collect()
}
