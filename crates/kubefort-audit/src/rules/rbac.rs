//! Roles and bindings that hand out too much.

use super::{Check, Cx, Hit};
use crate::settings::any_match;
use kubefort_model::RuleMeta;
use serde_json::Value;

pub static RULES: &[(&RuleMeta, Check)] = &[
    (&CLUSTER_ADMIN_BINDING, cluster_admin),
    (&WILDCARD_ROLE, wildcard),
    (&WRITE_ROLE, write),
    (&POD_EXEC_ROLE, pod_exec),
    (&SYSTEM_ROLE_MODIFIED, system_role),
];

fn is_role(resource: &str) -> bool {
    matches!(resource, "roles" | "clusterroles")
}

/// A completed create or update (full object) of a Role or ClusterRole.
fn role_written(cx: &Cx<'_, '_>) -> bool {
    let ev = cx.ev;
    ev.complete() && is_role(ev.resource()) && matches!(ev.verb.as_ref(), "create" | "update")
}

/// Every string of `field` (`verbs`, `resources`) over the role's rules.
fn rule_values<'c>(cx: &'c Cx<'_, '_>, field: &'static str) -> Vec<&'c str> {
    cx.body()
        .and_then(|b| b.get("rules"))
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .flat_map(|r| r.get(field).and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default())
        .filter_map(Value::as_str)
        .collect()
}

audit_rule! {
    /// ## What it does
    /// Reports a ClusterRoleBinding or RoleBinding created to the
    /// `cluster-admin` ClusterRole (Falco checks ClusterRoleBindings only; a
    /// RoleBinding to it makes its subjects admins of the namespace).
    ///
    /// ## Why is this bad?
    /// `cluster-admin` is every permission on every resource. A new binding
    /// to it is the classic persistence and escalation step.
    ///
    /// ## Example
    /// `kubectl create clusterrolebinding x --clusterrole=cluster-admin --serviceaccount=default:app`
    ///
    /// ## Use instead
    /// Bind a role with the permissions the subject needs.
    ///
    /// ## References
    /// - Falco k8saudit rule "Attach to cluster-admin Role"; CIS 5.1.1
    pub static CLUSTER_ADMIN_BINDING {
        id: "KF-AUD-012",
        name: "cluster-admin-binding-created",
        title: "Binding to cluster-admin created",
        severity: Medium,
        fix: "Bind a least-privilege role instead of cluster-admin",
        references: ["falco:Attach to cluster-admin Role", "cis-1.12:5.1.1"],
    }
}

fn cluster_admin(cx: &Cx<'_, '_>) -> Option<Hit> {
    let ev = cx.ev;
    if !ev.complete() || !ev.is_create() || !matches!(ev.resource(), "clusterrolebindings" | "rolebindings") {
        return None;
    }
    let body = cx.body()?;
    if body.pointer("/roleRef/name").and_then(Value::as_str) != Some("cluster-admin") {
        return None;
    }
    let subjects: Vec<String> = body
        .get("subjects")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .map(|s| {
            let kind = s.get("kind").and_then(Value::as_str).unwrap_or("?");
            let name = s.get("name").and_then(Value::as_str).unwrap_or("?");
            match s.get("namespace").and_then(Value::as_str) {
                Some(ns) => format!("{kind} {ns}/{name}"),
                None => format!("{kind} {name}"),
            }
        })
        .collect();
    Hit::new(format!("{} bound cluster-admin to {} ({})", ev.username(), subjects.join(", "), cx.target()))
}

audit_rule! {
    /// ## What it does
    /// Reports a Role or ClusterRole created (or replaced by `update`) with
    /// `*` in its resources or verbs.
    ///
    /// ## Why is this bad?
    /// A wildcard grants every current and future resource or verb, including
    /// `escalate`, `bind` and `impersonate`.
    ///
    /// ## Example
    /// ```yaml
    /// rules: [{apiGroups: [""], resources: ["*"], verbs: [get, list]}]
    /// ```
    ///
    /// ## Use instead
    /// List the resources and verbs needed.
    ///
    /// ## References
    /// - Falco k8saudit rule "ClusterRole With Wildcard Created"; CIS 5.1.3
    pub static WILDCARD_ROLE {
        id: "KF-AUD-013",
        name: "wildcard-role-created",
        title: "Role with wildcard resources or verbs created",
        severity: Medium,
        fix: "Replace * with explicit resources and verbs",
        references: ["falco:ClusterRole With Wildcard Created", "cis-1.12:5.1.3"],
    }
}

fn wildcard(cx: &Cx<'_, '_>) -> Option<Hit> {
    if !role_written(cx) {
        return None;
    }
    let r = rule_values(cx, "resources").contains(&"*");
    let v = rule_values(cx, "verbs").contains(&"*");
    if !r && !v {
        return None;
    }
    let what = match (r, v) {
        (true, true) => "resources and verbs",
        (true, false) => "resources",
        _ => "verbs",
    };
    Hit::new(format!("{} created {} with wildcard {what}", cx.ev.username(), cx.target()))
}

audit_rule! {
    /// ## What it does
    /// Reports a Role or ClusterRole created (or replaced) that allows a
    /// write verb: `create`, `update`, `patch`, `delete`, `deletecollection`.
    ///
    /// ## Why is this bad?
    /// Not bad by itself: it is the trail of who grants write access, to
    /// review together with the bindings that follow.
    ///
    /// ## Example
    /// ```yaml
    /// rules: [{apiGroups: [""], resources: [pods], verbs: [delete]}]
    /// ```
    ///
    /// ## Use instead
    /// Grant write verbs only on the resources that need them.
    ///
    /// ## References
    /// - Falco k8saudit rule "ClusterRole With Write Privileges Created"
    pub static WRITE_ROLE {
        id: "KF-AUD-014",
        name: "write-role-created",
        title: "Role with write privileges created",
        severity: Low,
        fix: "Review the role's write verbs",
        references: ["falco:ClusterRole With Write Privileges Created"],
    }
}

fn write(cx: &Cx<'_, '_>) -> Option<Hit> {
    if !role_written(cx) {
        return None;
    }
    let verbs = rule_values(cx, "verbs");
    let writes: Vec<&str> =
        ["create", "update", "patch", "delete", "deletecollection"].into_iter().filter(|w| verbs.contains(w)).collect();
    if writes.is_empty() {
        return None;
    }
    Hit::new(format!("{} created {} allowing {}", cx.ev.username(), cx.target(), writes.join(", ")))
}

audit_rule! {
    /// ## What it does
    /// Reports a Role or ClusterRole created (or replaced) that grants
    /// `pods/exec`.
    ///
    /// ## Why is this bad?
    /// Exec into pods is a shell with the pod's identity and secrets; it is
    /// rarely needed outside break-glass roles.
    ///
    /// ## Example
    /// ```yaml
    /// rules: [{apiGroups: [""], resources: [pods/exec], verbs: [create]}]
    /// ```
    ///
    /// ## Use instead
    /// Keep `pods/exec` in a break-glass role bound on demand.
    ///
    /// ## References
    /// - Falco k8saudit rule "ClusterRole With Pod Exec Created"
    pub static POD_EXEC_ROLE {
        id: "KF-AUD-015",
        name: "pod-exec-role-created",
        title: "Role granting pods/exec created",
        severity: Medium,
        fix: "Remove pods/exec from the role",
        references: ["falco:ClusterRole With Pod Exec Created"],
    }
}

fn pod_exec(cx: &Cx<'_, '_>) -> Option<Hit> {
    if !role_written(cx) || !rule_values(cx, "resources").contains(&"pods/exec") {
        return None;
    }
    Hit::new(format!("{} created {} granting pods/exec", cx.ev.username(), cx.target()))
}

audit_rule! {
    /// ## What it does
    /// Reports a create, update, patch or delete of a Role or ClusterRole
    /// whose name starts with `system:`, except those in
    /// `audit.mutableSystemRoles` (default `system:coredns`,
    /// `system:managed-certificate-controller`).
    ///
    /// ## Why is this bad?
    /// The `system:` roles are what the control plane and nodes run with.
    /// Widening one grants every component that holds it; deleting one breaks
    /// the cluster.
    ///
    /// ## Example
    /// `kubectl patch clusterrole system:node-problem-detector …`
    ///
    /// ## Use instead
    /// Leave system roles to the API server's reconciliation; create your own roles.
    ///
    /// ## References
    /// - Falco k8saudit rule "System ClusterRole Modified/Deleted"
    pub static SYSTEM_ROLE_MODIFIED {
        id: "KF-AUD-016",
        name: "system-role-modified",
        title: "System role modified or deleted",
        severity: Medium,
        fix: "Do not change system: roles; create separate roles",
        references: ["falco:System ClusterRole Modified/Deleted"],
    }
}

fn system_role(cx: &Cx<'_, '_>) -> Option<Hit> {
    let ev = cx.ev;
    if !ev.complete()
        || !is_role(ev.resource())
        || !matches!(ev.verb.as_ref(), "create" | "update" | "patch" | "delete")
    {
        return None;
    }
    let name = cx.target_name();
    if !name.starts_with("system:") || any_match(&cx.settings.mutable_system_roles, &name) {
        return None;
    }
    Hit::new(format!("{} {} {}", ev.username(), past(&ev.verb), cx.target()))
}

pub(crate) fn past(verb: &str) -> &'static str {
    match verb {
        "create" => "created",
        "update" => "updated",
        "patch" => "patched",
        "delete" => "deleted",
        "deletecollection" => "deleted every",
        "get" => "read",
        _ => "touched",
    }
}
