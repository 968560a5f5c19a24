//! KF-RBAC-*: Roles, ClusterRoles and their bindings. Rules about one
//! rule's grants read the object itself; rules that need the whole graph
//! (what a binding's role grants after aggregation, whether a role is bound)
//! share one [`Authorizer`] per inventory, built with Kubernetes' default
//! policy so references to `edit` or `cluster-admin` resolve.

use kubefort_model::Rule;
use kubefort_model::{Context, Inventory, Object, Prepare, RuleMeta, Sink};
use kubefort_rbac::authorizer::RoleId;
use kubefort_rbac::policy::{read_binding, read_role, Binding, Role};
use kubefort_rbac::{rule_allows, Authorizer, Options, PolicyRule, Request, RoleKind, Subject, SubjectKind};
use std::sync::Arc;

mod admission_webhooks;
mod anonymous_binding;
mod bind_escalate_impersonate;
mod cluster_admin_binding;
mod csr_approval;
mod default_sa_binding;
mod ephemeral_containers;
mod missing_role;
mod node_proxy;
mod nodes_patch;
mod persistent_volume_create;
mod pod_exec_attach;
mod pod_portforward;
mod privileged_namespace_workloads;
mod secrets_access;
mod service_status;
mod serviceaccount_token;
mod unbound_role;
mod wildcard_rules;

pub use admission_webhooks::AdmissionWebhooks;
pub use anonymous_binding::AnonymousBinding;
pub use bind_escalate_impersonate::BindEscalateImpersonate;
pub use cluster_admin_binding::ClusterAdminBinding;
pub use csr_approval::CsrApproval;
pub use default_sa_binding::DefaultServiceAccountBinding;
pub use ephemeral_containers::EphemeralContainers;
pub use missing_role::BindingToMissingRole;
pub use node_proxy::NodeProxy;
pub use nodes_patch::NodesPatch;
pub use persistent_volume_create::PersistentVolumeCreate;
pub use pod_exec_attach::PodExecAttach;
pub use pod_portforward::PodPortForward;
pub use privileged_namespace_workloads::PrivilegedNamespaceWorkloads;
pub use secrets_access::SecretsAccess;
pub use service_status::ServiceStatus;
pub use serviceaccount_token::ServiceAccountToken;
pub use unbound_role::UnboundRole;
pub use wildcard_rules::WildcardRules;

pub const RULES: &[&dyn Rule] = &[
    &WildcardRules,
    &ClusterAdminBinding,
    &BindEscalateImpersonate,
    &SecretsAccess,
    &PodExecAttach,
    &PodPortForward,
    &NodeProxy,
    &ServiceAccountToken,
    &AnonymousBinding,
    &DefaultServiceAccountBinding,
    &BindingToMissingRole,
    &UnboundRole,
    &PrivilegedNamespaceWorkloads,
    &EphemeralContainers,
    &CsrApproval,
    &AdmissionWebhooks,
    &PersistentVolumeCreate,
    &NodesPatch,
    &ServiceStatus,
];

/// The authorizer of the whole inventory, built once.
struct Graph(Authorizer);

/// Builds the [`Graph`] before objects are checked.
const PREPARE_GRAPH: Prepare = Prepare { name: "rbac graph", run: prepare_graph };

fn prepare_graph(inventory: &Inventory) {
    graph(inventory);
}

fn graph(inventory: &Inventory) -> Arc<Graph> {
    inventory.memo(|inv| Graph(Authorizer::new(inv.objects(), Options { with_defaults: true })))
}

/// Kubernetes' own default objects carry this label; their grants are not
/// the user's to change.
fn is_default_policy(object: &Object) -> bool {
    object.labels().and_then(|l| l.get("kubernetes.io/bootstrapping")).and_then(|v| v.as_str()) == Some("rbac-defaults")
}

/// A Role or ClusterRole whose own rules are worth checking: not one of
/// Kubernetes' defaults, and not aggregated (its rules are filled in by the
/// controller from roles that are checked themselves).
fn checked_role(cx: &Context<'_>) -> Option<Role> {
    if is_default_policy(cx.object) {
        return None;
    }
    read_role(cx.object).0.filter(|r| r.aggregation.is_none())
}

fn checked_binding(cx: &Context<'_>) -> Option<Binding> {
    if is_default_policy(cx.object) {
        return None;
    }
    read_binding(cx.object).0
}

/// The first `verb` of `verbs` the rule grants on `group`/`resource` (for
/// any object: a rule limited by resourceNames is not counted).
fn granted_verb<'a>(rule: &PolicyRule, verbs: &[&'a str], group: &str, resource: &str) -> Option<&'a str> {
    verbs.iter().copied().find(|v| rule_allows(rule, &Request::resource(v, group, resource, "ns", "")))
}

/// Reports each rule of a checked role that grants one of `targets`
/// (`(verbs, group, resource)`), at `/rules/N`.
fn report_grants(cx: &Context<'_>, sink: &mut Sink<'_>, meta: &'static RuleMeta, targets: &[(&[&str], &str, &str)]) {
    let Some(role) = checked_role(cx) else { return };
    report_role_grants(&role, sink, meta, targets);
}

/// [`report_grants`] for cluster-scoped resources (nodes, PersistentVolumes,
/// webhook configurations): a namespaced Role cannot grant them, so only
/// ClusterRoles are checked.
fn report_cluster_grants(
    cx: &Context<'_>,
    sink: &mut Sink<'_>,
    meta: &'static RuleMeta,
    targets: &[(&[&str], &str, &str)],
) {
    let Some(role) = checked_role(cx).filter(|r| r.kind == RoleKind::ClusterRole) else { return };
    report_role_grants(&role, sink, meta, targets);
}

fn report_role_grants(role: &Role, sink: &mut Sink<'_>, meta: &'static RuleMeta, targets: &[(&[&str], &str, &str)]) {
    for r in &role.rules {
        let hits: Vec<String> = targets
            .iter()
            .filter_map(|(verbs, group, resource)| {
                granted_verb(&r.rule, verbs, group, resource).map(|v| format!("{v} {resource}"))
            })
            .collect();
        if !hits.is_empty() {
            sink.report(
                meta,
                format!("/rules/{}", r.index),
                format!("{} rule #{} grants {}", role.display(), r.index, hits.join(", ")),
            );
        }
    }
}

/// The role a binding object references, resolved in the shared graph.
fn bound_role(graph: &Authorizer, binding: &Binding) -> Option<RoleId> {
    let ns = if binding.role_kind == RoleKind::Role { binding.namespace.as_deref() } else { None };
    graph.find_role(binding.role_kind, ns, &binding.role_name)
}

/// Groups every authenticated (or unauthenticated) caller is in.
const BROAD_GROUPS: [&str; 4] =
    ["system:authenticated", "system:unauthenticated", "system:anonymous", "system:serviceaccounts"];

/// A Kubernetes component (`system:kube-scheduler`, `system:masters`, a
/// kube-system service account) rather than a person or workload. Broad
/// groups are not system subjects: everyone is in them.
fn is_system_subject(s: &Subject) -> bool {
    match s.kind {
        SubjectKind::ServiceAccount => s.namespace.as_deref() == Some("kube-system"),
        SubjectKind::User | SubjectKind::Group => {
            s.name.starts_with("system:")
                && !BROAD_GROUPS.contains(&s.name.as_str())
                && !s.name.starts_with("system:serviceaccounts:")
                && !s.name.starts_with("system:serviceaccount:")
        }
    }
}

/// Whether a role grants everything (`*` verbs on `*` resources of `*` groups).
fn is_cluster_admin_equivalent(graph: &Authorizer, role: RoleId) -> bool {
    graph.effective_rules(role).iter().any(|er| {
        let r = graph.rule(er);
        r.resource_names.is_empty()
            && [&r.verbs, &r.api_groups, &r.resources].iter().all(|v| v.iter().any(|x| x == "*"))
    })
}

/// Where a binding's grants reach a privileged namespace: `Some("")` for a
/// ClusterRoleBinding (every namespace), `Some(ns)` for a RoleBinding in one
/// of the configured privileged namespaces (`.kubefort.yaml`
/// `privilegedNamespaces`, default `kube-system`), `None` otherwise.
fn privileged_scope<'b>(cx: &Context<'_>, binding: &'b Binding) -> Option<&'b str> {
    match &binding.namespace {
        None => Some(""),
        Some(ns) if cx.settings.is_privileged_namespace(ns) => Some(ns.as_str()),
        Some(_) => None,
    }
}

/// Whether a role (after aggregation) allows `request`.
fn role_allows(graph: &Authorizer, role: RoleId, request: &Request) -> bool {
    graph.effective_rules(role).iter().any(|er| rule_allows(graph.rule(er), request))
}

/// `in every namespace` or `in NS`, for messages.
fn scope_text(namespace: &str) -> String {
    if namespace.is_empty() {
        "in every namespace".to_owned()
    } else {
        format!("in {namespace}")
    }
}
