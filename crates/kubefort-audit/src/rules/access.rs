//! Who reaches into pods, and who uses the API at all.

use super::pods::exec_allowed;
use super::{Check, Cx, Hit};
use crate::settings::any_match;
use kubefort_model::RuleMeta;

pub static RULES: &[(&RuleMeta, Check)] = &[
    (&EXEC_ATTACH, exec_attach),
    (&PORT_FORWARD, port_forward),
    (&EPHEMERAL_CONTAINER, ephemeral),
    (&ANONYMOUS_ALLOWED, anonymous),
    (&DISALLOWED_USER, disallowed_user),
    (&FULL_ADMIN_USER, full_admin),
];

fn command(uri: &str) -> String {
    let query = uri.split_once('?').map_or("", |(_, q)| q);
    let parts: Vec<String> = query
        .split('&')
        .filter_map(|kv| kv.strip_prefix("command="))
        .map(|v| v.replace("%2F", "/").replace("%20", " ").replace('+', " "))
        .collect();
    parts.join(" ")
}

audit_rule! {
    /// ## What it does
    /// Reports `exec` and `attach` into a pod (the `ResponseStarted` stage of
    /// the `pods/exec` or `pods/attach` request, once per session), unless the
    /// user is in `audit.execUsers`.
    ///
    /// ## Why is this bad?
    /// A shell in a running container bypasses every deployment control:
    /// whoever has it reads the container's secrets and tokens and can change
    /// what runs. In production it should be rare and explained.
    ///
    /// ## Example
    /// `kubectl exec -it web-0 -- sh` logs a `create` of `pods/exec`.
    ///
    /// ## Use instead
    /// Debug with logs, metrics and ephemeral debug containers under review;
    /// list break-glass users in `audit.execUsers`.
    ///
    /// ## References
    /// - Falco k8saudit rule "Attach/Exec Pod"
    pub static EXEC_ATTACH {
        id: "KF-AUD-009",
        name: "pod-exec-or-attach",
        title: "Exec or attach into a pod",
        severity: Low,
        fix: "Avoid interactive access to running pods; list break-glass users in audit.execUsers",
        references: ["falco:Attach/Exec Pod"],
    }
}

fn exec_attach(cx: &Cx<'_, '_>) -> Option<Hit> {
    let ev = cx.ev;
    if ev.stage != "ResponseStarted"
        || ev.resource() != "pods"
        || !matches!(ev.subresource(), "exec" | "attach")
        || !matches!(ev.verb.as_ref(), "create" | "get")
        || exec_allowed(cx)
    {
        return None;
    }
    let cmd = command(&ev.request_uri);
    let suffix = if cmd.is_empty() { String::new() } else { format!(": {cmd}") };
    Hit::new(format!("{} {} into pod {}/{}{suffix}", ev.username(), ev.subresource(), ev.namespace(), ev.name()))
}

audit_rule! {
    /// ## What it does
    /// Reports port-forwarding to a pod (`pods/portforward`), once per session
    /// (Falco's rule fires at every stage of the request), unless the user is
    /// in `audit.execUsers`.
    ///
    /// ## Why is this bad?
    /// A port-forward opens a tunnel from a laptop straight into a pod, past
    /// Ingress, NetworkPolicy and authentication in front of the service.
    ///
    /// ## Example
    /// `kubectl port-forward pod/db-0 5432`.
    ///
    /// ## Use instead
    /// Expose services through reviewed Ingress or a bastion.
    ///
    /// ## References
    /// - Falco k8saudit rule "port-forward"
    pub static PORT_FORWARD {
        id: "KF-AUD-010",
        name: "pod-port-forward",
        title: "Port-forward to a pod",
        severity: Low,
        fix: "Reach services through reviewed paths; list break-glass users in audit.execUsers",
        references: ["falco:port-forward"],
    }
}

fn port_forward(cx: &Cx<'_, '_>) -> Option<Hit> {
    let ev = cx.ev;
    let once = ev.stage == "ResponseStarted" || (ev.complete() && ev.code() != Some(101));
    if ev.subresource() != "portforward" || !once || exec_allowed(cx) {
        return None;
    }
    Hit::new(format!("{} port-forwarded to pod {}/{}", ev.username(), ev.namespace(), ev.name()))
}

audit_rule! {
    /// ## What it does
    /// Reports an ephemeral container added to a running pod
    /// (`pods/ephemeralcontainers`, as `kubectl debug` does), unless the user
    /// is in `audit.execUsers`.
    ///
    /// ## Why is this bad?
    /// An ephemeral container runs any image inside the pod's namespaces,
    /// sharing its network and possibly its processes: a debugging shell
    /// nobody reviewed.
    ///
    /// ## Example
    /// `kubectl debug -it web-0 --image=busybox`.
    ///
    /// ## Use instead
    /// Debug in staging; list break-glass users in `audit.execUsers`.
    ///
    /// ## References
    /// - Falco k8saudit rule "EphemeralContainers Created"
    pub static EPHEMERAL_CONTAINER {
        id: "KF-AUD-011",
        name: "ephemeral-container-created",
        title: "Ephemeral container added to a pod",
        severity: Low,
        fix: "Avoid debugging production pods; list break-glass users in audit.execUsers",
        references: ["falco:EphemeralContainers Created"],
    }
}

fn ephemeral(cx: &Cx<'_, '_>) -> Option<Hit> {
    let ev = cx.ev;
    if !ev.complete()
        || ev.resource() != "pods"
        || ev.subresource() != "ephemeralcontainers"
        || !matches!(ev.verb.as_ref(), "create" | "update" | "patch")
        || exec_allowed(cx)
    {
        return None;
    }
    Hit::new(format!("{} added an ephemeral container to pod {}/{}", ev.username(), ev.namespace(), ev.name()))
}

audit_rule! {
    /// ## What it does
    /// Reports a request by `system:anonymous` that the authorizer allowed,
    /// except the health endpoints (`/healthz`, `/livez`, `/readyz`).
    ///
    /// ## Why is this bad?
    /// Anonymous access allowed beyond health checks means a binding grants
    /// `system:anonymous` or `system:unauthenticated` real permissions: anyone
    /// who reaches the API server can use them.
    ///
    /// ## Example
    /// An event with `"user":{"username":"system:anonymous"}` and annotation
    /// `authorization.k8s.io/decision: allow` on `/api/v1/namespaces`.
    ///
    /// ## Use instead
    /// Run the API server with `--anonymous-auth=false` or remove the bindings.
    ///
    /// ## References
    /// - Falco k8saudit rule "Anonymous Request Allowed"; CIS 1.2.1
    pub static ANONYMOUS_ALLOWED {
        id: "KF-AUD-018",
        name: "anonymous-request-allowed",
        title: "Anonymous request allowed",
        severity: Medium,
        fix: "Disable anonymous auth or remove bindings to system:anonymous / system:unauthenticated",
        references: ["falco:Anonymous Request Allowed", "cis-1.12:1.2.1"],
    }
}

fn health(uri: &str) -> bool {
    ["/healthz", "/livez", "/readyz"].iter().any(|p| {
        uri.strip_prefix(p).is_some_and(|rest| rest.is_empty() || rest.starts_with('?') || rest.starts_with('/'))
    })
}

fn anonymous(cx: &Cx<'_, '_>) -> Option<Hit> {
    let ev = cx.ev;
    if !ev.complete() || ev.username() != "system:anonymous" || health(&ev.request_uri) {
        return None;
    }
    if ev.annotation("authorization.k8s.io/decision").as_deref() != Some("allow") {
        return None;
    }
    Hit::new(format!("anonymous {} {} was allowed", ev.verb, ev.request_uri))
}

audit_rule! {
    /// ## What it does
    /// When `audit.allowedUsers` is set, reports every request by a user that
    /// is not in it (users starting with `system:` are not checked).
    ///
    /// ## Why is this bad?
    /// In a cluster operated by a known set of people and pipelines, a new
    /// user name is a leaked credential or a forgotten account.
    ///
    /// ## Example
    /// ```yaml
    /// audit: {allowedUsers: [alice, ci-deployer]}
    /// ```
    /// and `some-user` creating a namespace.
    ///
    /// ## Use instead
    /// Add the user to `audit.allowedUsers` or revoke the credential.
    ///
    /// ## References
    /// - Falco k8saudit rule "Disallowed K8s User"
    pub static DISALLOWED_USER {
        id: "KF-AUD-021",
        name: "disallowed-user",
        title: "Request by a user outside the allowed list",
        severity: Medium,
        fix: "List the user in audit.allowedUsers, or revoke its credentials",
        references: ["falco:Disallowed K8s User"],
    }
}

fn disallowed_user(cx: &Cx<'_, '_>) -> Option<Hit> {
    let ev = cx.ev;
    let user = ev.username();
    if cx.settings.allowed_users.is_empty()
        || !ev.complete()
        || user.starts_with("system:")
        || any_match(&cx.settings.allowed_users, user)
    {
        return None;
    }
    Hit::new(format!("{user} (not an allowed user) {} {}", ev.verb, cx.target()))
}

audit_rule! {
    /// ## What it does
    /// Reports every request by a user listed in `audit.adminUsers` (the
    /// default administrator names of installers: `kubernetes-admin`,
    /// `minikube-user`…). Off while the list is empty.
    ///
    /// ## Why is this bad?
    /// The installer's admin credential is shared, never expires and grants
    /// everything; day-to-day use of it leaves no accountable identity.
    ///
    /// ## Example
    /// ```yaml
    /// audit: {adminUsers: [kubernetes-admin]}
    /// ```
    ///
    /// ## Use instead
    /// Give people individual identities with least privilege; keep the admin
    /// credential offline.
    ///
    /// ## References
    /// - Falco k8saudit rule "Full K8s Administrative Access"
    pub static FULL_ADMIN_USER {
        id: "KF-AUD-022",
        name: "full-admin-user",
        title: "Request by a default full-admin user",
        severity: Medium,
        fix: "Use individual identities instead of the installer's admin credential",
        references: ["falco:Full K8s Administrative Access"],
    }
}

fn full_admin(cx: &Cx<'_, '_>) -> Option<Hit> {
    let ev = cx.ev;
    let user = ev.username();
    if !ev.complete() || user.starts_with("system:") || !any_match(&cx.settings.admin_users, user) {
        return None;
    }
    Hit::new(format!("admin user {user} {} {}", ev.verb, cx.target()))
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn uri_helpers() {
        assert_eq!(command("/api/v1/namespaces/d/pods/p/exec?command=ls&command=%2Ftmp&stdout=true"), "ls /tmp");
        assert!(health("/healthz") && health("/readyz?verbose") && !health("/healthzz") && !health("/api"));
    }
}
