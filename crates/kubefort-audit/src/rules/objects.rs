//! Services, namespaces, ConfigMaps, Secrets, nodes and the lifecycle trail.

use super::rbac::past;
use super::{Check, Cx, Hit};
use crate::settings::any_match;
use kubefort_model::RuleMeta;
use serde_json::Value;

pub static RULES: &[(&RuleMeta, Check)] = &[
    (&SA_IN_KUBE_NAMESPACE, sa_kube_namespace),
    (&CONFIGMAP_CREDENTIALS, configmap_credentials),
    (&NODEPORT_SERVICE, nodeport),
    (&DISALLOWED_NAMESPACE, disallowed_namespace),
    (&INGRESS_WITHOUT_TLS, ingress_without_tls),
    (&UNTRUSTED_NODE_JOINED, node_joined),
    (&UNTRUSTED_NODE_REJECTED, node_rejected),
    (&SECRET_READ, secret_read),
    (&SECRET_READ_DENIED, secret_read_denied),
    (&LIFECYCLE, lifecycle),
    (&SECRET_CHANGED, secret_changed),
];

fn completed(cx: &Cx<'_, '_>, verb: &str, resource: &str) -> bool {
    let ev = cx.ev;
    ev.complete() && ev.verb == verb && ev.resource() == resource && ev.subresource().is_empty()
}

audit_rule! {
    /// ## What it does
    /// Reports a ServiceAccount successfully created in `kube-system` or
    /// `kube-public`, unless its name is in `audit.trustedServiceAccounts`
    /// (the controllers' accounts by default).
    ///
    /// ## Why is this bad?
    /// An extra account among the system ones is a place to hide a
    /// persistent, privileged identity.
    ///
    /// ## Example
    /// `kubectl -n kube-system create serviceaccount backdoor`
    ///
    /// ## Use instead
    /// Create application accounts in application namespaces.
    ///
    /// ## References
    /// - Falco k8saudit rule "Service Account Created in Kube Namespace"
    pub static SA_IN_KUBE_NAMESPACE {
        id: "KF-AUD-008",
        name: "service-account-created-in-kube-namespace",
        title: "Service account created in kube-system or kube-public",
        severity: Medium,
        fix: "Create the service account in an application namespace",
        references: ["falco:Service Account Created in Kube Namespace"],
    }
}

fn sa_kube_namespace(cx: &Cx<'_, '_>) -> Option<Hit> {
    let ev = cx.ev;
    if !completed(cx, "create", "serviceaccounts")
        || !ev.succeeded()
        || !matches!(ev.namespace(), "kube-system" | "kube-public")
        || any_match(&cx.settings.trusted_service_accounts, &cx.target_name())
    {
        return None;
    }
    Hit::new(format!("{} created {}", ev.username(), cx.target()))
}

audit_rule! {
    /// ## What it does
    /// Reports a ConfigMap created, updated or patched whose data mentions a
    /// credential: `aws_access_key_id` (and its `-` and `s3` spellings),
    /// `password` or `passphrase`. Values are never printed.
    ///
    /// ## Why is this bad?
    /// ConfigMaps are readable by anyone with `get configmaps`, are not
    /// encrypted at rest and end up in Git and support bundles.
    ///
    /// ## Example
    /// ```yaml
    /// data: {access.properties: "aws_access_key_id = AKIA…"}
    /// ```
    ///
    /// ## Use instead
    /// Put credentials in a Secret (or an external secret store).
    ///
    /// ## References
    /// - Falco k8saudit rule "Create/Modify Configmap With Private Credentials"
    pub static CONFIGMAP_CREDENTIALS {
        id: "KF-AUD-017",
        name: "configmap-with-credentials",
        title: "ConfigMap with credentials written",
        severity: Medium,
        fix: "Move the credential into a Secret",
        references: ["falco:Create/Modify Configmap With Private Credentials"],
    }
}

const CREDENTIAL_WORDS: [&str; 6] = [
    "aws_access_key_id",
    "aws-access-key-id",
    "aws_s3_access_key_id",
    "aws-s3-access-key-id",
    "password",
    "passphrase",
];

fn configmap_credentials(cx: &Cx<'_, '_>) -> Option<Hit> {
    let ev = cx.ev;
    if !ev.complete() || ev.resource() != "configmaps" || !matches!(ev.verb.as_ref(), "create" | "update" | "patch") {
        return None;
    }
    let data = cx.body()?.get("data")?;
    let text = data.to_string();
    let words: Vec<&str> = CREDENTIAL_WORDS.into_iter().filter(|w| text.contains(w)).collect();
    if words.is_empty() {
        return None;
    }
    Hit::new(format!("{} {} {} containing {}", ev.username(), past(&ev.verb), cx.target(), words.join(", ")))
}

audit_rule! {
    /// ## What it does
    /// Reports a Service created with `type: NodePort`.
    ///
    /// ## Why is this bad?
    /// A NodePort opens the port on every node's address, usually outside any
    /// load balancer, firewall rule or Ingress authentication.
    ///
    /// ## Example
    /// ```yaml
    /// spec: {type: NodePort, ports: [{port: 80, nodePort: 30080}]}
    /// ```
    ///
    /// ## Use instead
    /// Use `ClusterIP` behind an Ingress, or a `LoadBalancer` with source ranges.
    ///
    /// ## References
    /// - Falco k8saudit rule "Create NodePort Service"
    pub static NODEPORT_SERVICE {
        id: "KF-AUD-019",
        name: "nodeport-service-created",
        title: "NodePort service created",
        severity: Medium,
        fix: "Use ClusterIP behind an Ingress instead of NodePort",
        references: ["falco:Create NodePort Service"],
    }
}

fn nodeport(cx: &Cx<'_, '_>) -> Option<Hit> {
    if !completed(cx, "create", "services") {
        return None;
    }
    let spec = cx.body()?.get("spec")?;
    if spec.get("type").and_then(Value::as_str) != Some("NodePort") {
        return None;
    }
    let ports: Vec<String> = spec
        .get("ports")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .filter_map(|p| p.get("nodePort").or_else(|| p.get("port")).map(Value::to_string))
        .collect();
    Hit::new(format!("{} created NodePort {} (ports {})", cx.ev.username(), cx.target(), ports.join(", ")))
}

audit_rule! {
    /// ## What it does
    /// Reports a namespace created whose name is not in
    /// `audit.allowedNamespaces` (default `kube-system`, `kube-public`, `default`).
    ///
    /// ## Why is this bad?
    /// Where namespaces are provisioned by a pipeline, a hand-made namespace
    /// escapes its quotas, policies and Pod Security labels.
    ///
    /// ## Example
    /// `kubectl create namespace foo`
    ///
    /// ## Use instead
    /// Create namespaces through the pipeline and list them in `audit.allowedNamespaces`.
    ///
    /// ## References
    /// - Falco k8saudit rule "Create Disallowed Namespace"
    pub static DISALLOWED_NAMESPACE {
        id: "KF-AUD-020",
        name: "disallowed-namespace-created",
        title: "Namespace outside the allowed list created",
        severity: Medium,
        fix: "List the namespace in audit.allowedNamespaces, or delete it",
        references: ["falco:Create Disallowed Namespace"],
    }
}

fn disallowed_namespace(cx: &Cx<'_, '_>) -> Option<Hit> {
    if !completed(cx, "create", "namespaces") {
        return None;
    }
    let name = cx.target_name();
    if any_match(&cx.settings.allowed_namespaces, &name) {
        return None;
    }
    Hit::new(format!("{} created namespace {name}, which is not allowed", cx.ev.username()))
}

audit_rule! {
    /// ## What it does
    /// Reports an Ingress successfully created without `spec.tls`.
    ///
    /// ## Why is this bad?
    /// Without TLS, credentials and session cookies cross the network in clear text.
    ///
    /// ## Example
    /// An Ingress with `rules` and no `tls`.
    ///
    /// ## Use instead
    /// Add `spec.tls` with a certificate (cert-manager can issue one).
    ///
    /// ## References
    /// - Falco k8saudit rule "Ingress Object without TLS Certificate Created"
    pub static INGRESS_WITHOUT_TLS {
        id: "KF-AUD-023",
        name: "ingress-without-tls-created",
        title: "Ingress without TLS created",
        severity: Medium,
        fix: "Add spec.tls to the Ingress",
        references: ["falco:Ingress Object without TLS Certificate Created"],
    }
}

fn ingress_without_tls(cx: &Cx<'_, '_>) -> Option<Hit> {
    if !completed(cx, "create", "ingresses") || !cx.ev.succeeded() {
        return None;
    }
    if cx.body().and_then(|b| b.pointer("/spec/tls")).is_some() {
        return None;
    }
    Hit::new(format!("{} created {} without TLS", cx.ev.username(), cx.target()))
}

audit_rule! {
    /// ## What it does
    /// When `audit.allowedNodes` is set, reports a Node object successfully
    /// created (a node joining) whose name is not in it.
    ///
    /// ## Why is this bad?
    /// A rogue node receives pods, their secrets and their traffic.
    ///
    /// ## Example
    /// ```yaml
    /// audit: {allowedNodes: ["pool-a-*"]}
    /// ```
    ///
    /// ## Use instead
    /// Join nodes through the provisioning pipeline; restrict bootstrap tokens.
    ///
    /// ## References
    /// - Falco k8saudit rule "Untrusted Node Successfully Joined the Cluster"
    pub static UNTRUSTED_NODE_JOINED {
        id: "KF-AUD-024",
        name: "untrusted-node-joined",
        title: "Node outside the allowed list joined",
        severity: High,
        fix: "Drain and delete the node; rotate bootstrap tokens",
        references: ["falco:Untrusted Node Successfully Joined the Cluster"],
    }
}

fn node_create(cx: &Cx<'_, '_>) -> Option<String> {
    if cx.settings.allowed_nodes.is_empty() || !completed(cx, "create", "nodes") {
        return None;
    }
    let name = cx.target_name();
    (!any_match(&cx.settings.allowed_nodes, &name)).then_some(name)
}

fn node_joined(cx: &Cx<'_, '_>) -> Option<Hit> {
    let name = node_create(cx)?;
    cx.ev.succeeded().then(|| Hit { message: format!("node {name} joined the cluster"), equivalent: None })
}

audit_rule! {
    /// ## What it does
    /// When `audit.allowedNodes` is set, reports a failed attempt to register
    /// a Node whose name is not in it.
    ///
    /// ## Why is this bad?
    /// Someone holds credentials good enough to try to join a node.
    ///
    /// ## Example
    /// A `create` of `nodes` answered 403.
    ///
    /// ## Use instead
    /// Find and revoke the credential that was used.
    ///
    /// ## References
    /// - Falco k8saudit rule "Untrusted Node Unsuccessfully Tried to Join the Cluster"
    pub static UNTRUSTED_NODE_REJECTED {
        id: "KF-AUD-025",
        name: "untrusted-node-join-failed",
        title: "Node outside the allowed list tried to join",
        severity: Medium,
        fix: "Find and revoke the credential used",
        references: ["falco:Untrusted Node Unsuccessfully Tried to Join the Cluster"],
    }
}

fn node_rejected(cx: &Cx<'_, '_>) -> Option<Hit> {
    let name = node_create(cx)?;
    (!cx.ev.succeeded()).then(|| Hit {
        message: format!("node {name} failed to join ({})", cx.ev.code().unwrap_or(0)),
        equivalent: None,
    })
}

audit_rule! {
    /// ## What it does
    /// Reports a successful `get` of a Secret by a subject not in
    /// `audit.secretReaders` (by default the control plane, nodes and
    /// kube-system service accounts).
    ///
    /// ## Why is this bad?
    /// Reading a secret is the step before using it; outside the components
    /// that mount them, reads should be few and explained.
    ///
    /// ## Example
    /// `kubectl get secret db-password -o yaml`
    ///
    /// ## Use instead
    /// Mount secrets into the pods that need them; list expected readers in
    /// `audit.secretReaders`.
    ///
    /// ## References
    /// - Falco k8saudit rule "K8s Secret Get Successfully"
    pub static SECRET_READ {
        id: "KF-AUD-026",
        name: "secret-read",
        title: "Secret read",
        severity: High,
        fix: "Review who reads secrets; list expected readers in audit.secretReaders",
        references: ["falco:K8s Secret Get Successfully"],
    }
}

fn secret_get(cx: &Cx<'_, '_>) -> bool {
    completed(cx, "get", "secrets") && !any_match(&cx.settings.secret_readers, cx.ev.username())
}

fn secret_read(cx: &Cx<'_, '_>) -> Option<Hit> {
    (secret_get(cx) && cx.ev.succeeded()).then(|| Hit {
        message: format!("{} read secret {}/{}", cx.ev.username(), cx.ev.namespace(), cx.ev.name()),
        equivalent: None,
    })
}

audit_rule! {
    /// ## What it does
    /// Reports a failed `get` of a Secret by a subject not in `audit.secretReaders`.
    ///
    /// ## Why is this bad?
    /// Probing for secrets one lacks access to is reconnaissance.
    ///
    /// ## Example
    /// A `get` of `secrets` answered 403.
    ///
    /// ## Use instead
    /// Find out why the subject wants the secret.
    ///
    /// ## References
    /// - Falco k8saudit rule "K8s Secret Get Unsuccessfully Tried"
    pub static SECRET_READ_DENIED {
        id: "KF-AUD-027",
        name: "secret-read-denied",
        title: "Secret read denied",
        severity: Medium,
        fix: "Investigate the subject",
        references: ["falco:K8s Secret Get Unsuccessfully Tried"],
    }
}

fn secret_read_denied(cx: &Cx<'_, '_>) -> Option<Hit> {
    (secret_get(cx) && !cx.ev.succeeded()).then(|| Hit {
        message: format!(
            "{} was refused secret {}/{} ({})",
            cx.ev.username(),
            cx.ev.namespace(),
            cx.ev.name(),
            cx.ev.code().unwrap_or(0)
        ),
        equivalent: None,
    })
}

audit_rule! {
    /// ## What it does
    /// The activity trail: reports every successful create and delete of
    /// Deployments, Services, ConfigMaps, Namespaces (deletes by non-`system:`
    /// users), ServiceAccounts, Roles, ClusterRoles, RoleBindings and
    /// ClusterRoleBindings. Each alert names the Falco rule it matches
    /// (`equivalent`). Turn off with `audit: {activity: false}`.
    ///
    /// ## Why is this bad?
    /// Informational: the changes an incident responder wants in one list.
    ///
    /// ## Example
    /// `kubectl create deployment web --image=nginx`
    ///
    /// ## Use instead
    /// Nothing to fix; filter with `--min-severity low`.
    ///
    /// ## References
    /// - Falco k8saudit rules "K8s Deployment Created", "K8s Deployment Deleted",
    ///   "K8s Service Created/Deleted", "K8s ConfigMap Created/Deleted",
    ///   "K8s Namespace Created/Deleted", "K8s Serviceaccount Created/Deleted",
    ///   "K8s Role Created/Deleted", "K8s ClusterRole Created/Deleted",
    ///   "K8s RoleBinding Created/Deleted", "K8s ClusterRoleBinding Created/Deleted"
    ///   (before Falco split them: "K8s Role/Clusterrole Created/Deleted",
    ///   "K8s Role/Clusterrolebinding Created/Deleted")
    pub static LIFECYCLE {
        id: "KF-AUD-028",
        name: "object-lifecycle",
        title: "Workload, access or namespace object created or deleted",
        severity: Info,
        fix: "None needed: activity trail",
        references: [
            "falco:K8s Deployment Created", "falco:K8s Deployment Deleted",
            "falco:K8s Service Created", "falco:K8s Service Deleted",
            "falco:K8s ConfigMap Created", "falco:K8s ConfigMap Deleted",
            "falco:K8s Namespace Created", "falco:K8s Namespace Deleted",
            "falco:K8s Serviceaccount Created", "falco:K8s Serviceaccount Deleted",
            "falco:K8s Role Created", "falco:K8s Role Deleted",
            "falco:K8s ClusterRole Created", "falco:K8s ClusterRole Deleted",
            "falco:K8s RoleBinding Created", "falco:K8s RoleBinding Deleted",
            "falco:K8s ClusterRoleBinding Created", "falco:K8s ClusterRoleBinding Deleted",
            "falco:K8s Role/Clusterrole Created", "falco:K8s Role/Clusterrole Deleted",
            "falco:K8s Role/Clusterrolebinding Created", "falco:K8s Role/Clusterrolebinding Deleted",
        ],
    }
}

fn lifecycle(cx: &Cx<'_, '_>) -> Option<Hit> {
    let ev = cx.ev;
    if !cx.settings.activity || !ev.complete() || !ev.succeeded() || !ev.subresource().is_empty() {
        return None;
    }
    let created = match ev.verb.as_ref() {
        "create" => true,
        "delete" => false,
        _ => return None,
    };
    let equivalent = match (ev.resource(), created) {
        ("deployments", true) => "falco:K8s Deployment Created",
        ("deployments", false) => "falco:K8s Deployment Deleted",
        ("services", true) => "falco:K8s Service Created",
        ("services", false) => "falco:K8s Service Deleted",
        ("configmaps", true) => "falco:K8s ConfigMap Created",
        ("configmaps", false) => "falco:K8s ConfigMap Deleted",
        ("namespaces", true) => "falco:K8s Namespace Created",
        ("namespaces", false) if !ev.username().starts_with("system:") => "falco:K8s Namespace Deleted",
        ("serviceaccounts", true) => "falco:K8s Serviceaccount Created",
        ("serviceaccounts", false) => "falco:K8s Serviceaccount Deleted",
        ("roles", true) => "falco:K8s Role Created",
        ("roles", false) => "falco:K8s Role Deleted",
        ("clusterroles", true) => "falco:K8s ClusterRole Created",
        ("clusterroles", false) => "falco:K8s ClusterRole Deleted",
        ("rolebindings", true) => "falco:K8s RoleBinding Created",
        ("rolebindings", false) => "falco:K8s RoleBinding Deleted",
        ("clusterrolebindings", true) => "falco:K8s ClusterRoleBinding Created",
        ("clusterrolebindings", false) => "falco:K8s ClusterRoleBinding Deleted",
        _ => return None,
    };
    Some(Hit { message: format!("{} {} {}", ev.username(), past(&ev.verb), cx.target()), equivalent: Some(equivalent) })
}

audit_rule! {
    /// ## What it does
    /// Reports a Secret successfully created or deleted by a non-`system:`
    /// user outside `kube-system` (service-account token secrets, created by
    /// the controller manager, are not reported). Off with `audit: {activity: false}`.
    ///
    /// ## Why is this bad?
    /// Informational: who changes credentials, and when.
    ///
    /// ## Example
    /// `kubectl create secret generic db --from-literal=password=…`
    ///
    /// ## Use instead
    /// Nothing to fix; manage secrets through a pipeline or external store.
    ///
    /// ## References
    /// - Falco k8saudit rules "K8s Secret Created", "K8s Secret Deleted"
    pub static SECRET_CHANGED {
        id: "KF-AUD-029",
        name: "secret-created-or-deleted",
        title: "Secret created or deleted",
        severity: Info,
        fix: "None needed: activity trail",
        references: ["falco:K8s Secret Created", "falco:K8s Secret Deleted"],
    }
}

fn secret_changed(cx: &Cx<'_, '_>) -> Option<Hit> {
    let ev = cx.ev;
    if !cx.settings.activity
        || !ev.complete()
        || !ev.succeeded()
        || ev.resource() != "secrets"
        || !ev.subresource().is_empty()
        || ev.namespace() == "kube-system"
        || ev.username().starts_with("system:")
    {
        return None;
    }
    let equivalent = match ev.verb.as_ref() {
        "create" => "falco:K8s Secret Created",
        "delete" => "falco:K8s Secret Deleted",
        _ => return None,
    };
    Some(Hit { message: format!("{} {} {}", ev.username(), past(&ev.verb), cx.target()), equivalent: Some(equivalent) })
}
