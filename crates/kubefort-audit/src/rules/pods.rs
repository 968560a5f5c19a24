//! Pods created with host access, untrusted images or in system namespaces.

use super::{Check, Cx, Hit};
use crate::settings::{any_match, image_listed};
use kubefort_model::RuleMeta;
use serde_json::Value;

pub static RULES: &[(&RuleMeta, Check)] = &[
    (&PRIVILEGED_POD, privileged),
    (&HOST_NETWORK_POD, host_network),
    (&HOST_PID_POD, host_pid),
    (&HOST_IPC_POD, host_ipc),
    (&SENSITIVE_MOUNT_POD, sensitive_mount),
    (&DISALLOWED_IMAGE_POD, disallowed_image),
    (&POD_IN_KUBE_NAMESPACE, kube_namespace_pod),
];

/// A completed create of a Pod (not a subresource).
fn pod_created(cx: &Cx<'_, '_>) -> bool {
    let ev = cx.ev;
    ev.complete() && ev.is_create() && ev.resource() == "pods" && ev.subresource().is_empty()
}

/// Every container of the pod (containers, initContainers, ephemeralContainers).
fn containers(spec: &Value) -> impl Iterator<Item = &Value> {
    ["containers", "initContainers", "ephemeralContainers"]
        .into_iter()
        .flat_map(move |k| spec.get(k).and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default())
}

fn images(spec: &Value) -> Vec<&str> {
    containers(spec).filter_map(|c| c.get("image").and_then(Value::as_str)).collect()
}

/// Every image of the pod is in `list` (a pod with no images is not trusted).
fn all_trusted(spec: &Value, list: &[String]) -> bool {
    let images = images(spec);
    !images.is_empty() && images.iter().all(|i| image_listed(list, i))
}

fn spec<'c>(cx: &'c Cx<'_, '_>) -> Option<&'c Value> {
    cx.body()?.get("spec")
}

fn flag(spec: &Value, key: &str) -> bool {
    spec.get(key).and_then(Value::as_bool) == Some(true)
}

fn describe(cx: &Cx<'_, '_>, spec: &Value, what: &str) -> String {
    format!("{} created {} {what} (images: {})", cx.ev.username(), cx.target(), images(spec).join(", "))
}

audit_rule! {
    /// ## What it does
    /// Reports the creation of a pod with a privileged container (in
    /// `containers`, `initContainers` or `ephemeralContainers`), unless every
    /// image of the pod is listed in `audit.trustedImages.privileged`.
    ///
    /// ## Why is this bad?
    /// A privileged container has every capability and every host device: it
    /// is root on the node. Seen in the audit log it is either a known agent
    /// (CNI, monitoring) or an attacker escaping to the host.
    ///
    /// ## Example
    /// ```json
    /// {"verb":"create","objectRef":{"resource":"pods"},"requestObject":{"spec":{"containers":[{"image":"nginx","securityContext":{"privileged":true}}]}}}
    /// ```
    ///
    /// ## Use instead
    /// Run without `privileged`; grant single capabilities. Trust known agents:
    /// ```yaml
    /// audit: {trustedImages: {privileged: [docker.io/calico/node]}}
    /// ```
    ///
    /// ## References
    /// - Falco k8saudit rule "Create Privileged Pod"
    /// - https://kubernetes.io/docs/concepts/security/pod-security-standards/
    pub static PRIVILEGED_POD {
        id: "KF-AUD-001",
        name: "privileged-pod-created",
        title: "Pod with a privileged container created",
        severity: Medium,
        fix: "Drop privileged mode, or list the image in audit.trustedImages.privileged",
        references: ["falco:Create Privileged Pod", "kubescape:C-0057"],
    }
}

fn privileged(cx: &Cx<'_, '_>) -> Option<Hit> {
    if !pod_created(cx) {
        return None;
    }
    let spec = spec(cx)?;
    let any = containers(spec).any(|c| c.pointer("/securityContext/privileged").and_then(Value::as_bool) == Some(true));
    if !any || all_trusted(spec, &cx.settings.trusted_images.privileged) {
        return None;
    }
    Hit::new(describe(cx, spec, "with a privileged container"))
}

audit_rule! {
    /// ## What it does
    /// Reports the creation of a pod with `hostNetwork: true`, unless every
    /// image is listed in `audit.trustedImages.hostNetwork`.
    ///
    /// ## Why is this bad?
    /// A pod on the host network sees every interface of the node, can bind
    /// its ports and bypasses NetworkPolicy.
    ///
    /// ## Example
    /// ```json
    /// {"verb":"create","objectRef":{"resource":"pods"},"requestObject":{"spec":{"hostNetwork":true}}}
    /// ```
    ///
    /// ## Use instead
    /// Use a Service or a hostPort-free design; trust known agents in
    /// `audit.trustedImages.hostNetwork`.
    ///
    /// ## References
    /// - Falco k8saudit rule "Create HostNetwork Pod"; CIS 5.2.4
    pub static HOST_NETWORK_POD {
        id: "KF-AUD-002",
        name: "host-network-pod-created",
        title: "Pod using the host network created",
        severity: Medium,
        fix: "Remove hostNetwork, or list the image in audit.trustedImages.hostNetwork",
        references: ["falco:Create HostNetwork Pod"],
    }
}

fn host_network(cx: &Cx<'_, '_>) -> Option<Hit> {
    host_flag(cx, "hostNetwork", &cx.settings.trusted_images.host_network, "on the host network")
}

fn host_flag(cx: &Cx<'_, '_>, key: &str, trusted: &[String], what: &str) -> Option<Hit> {
    if !pod_created(cx) {
        return None;
    }
    let spec = spec(cx)?;
    if !flag(spec, key) || all_trusted(spec, trusted) {
        return None;
    }
    Hit::new(describe(cx, spec, what))
}

audit_rule! {
    /// ## What it does
    /// Reports the creation of a pod with `hostPID: true`, unless every image
    /// is listed in `audit.trustedImages.hostPid`.
    ///
    /// ## Why is this bad?
    /// A pod in the host PID namespace sees and can signal or ptrace every
    /// process of the node, including other pods' secrets in their environment.
    ///
    /// ## Example
    /// ```json
    /// {"verb":"create","objectRef":{"resource":"pods"},"requestObject":{"spec":{"hostPID":true}}}
    /// ```
    ///
    /// ## Use instead
    /// Remove `hostPID`.
    ///
    /// ## References
    /// - Falco k8saudit rule "Create HostPid Pod"
    pub static HOST_PID_POD {
        id: "KF-AUD-003",
        name: "host-pid-pod-created",
        title: "Pod sharing the host PID namespace created",
        severity: Medium,
        fix: "Remove hostPID, or list the image in audit.trustedImages.hostPid",
        references: ["falco:Create HostPid Pod"],
    }
}

fn host_pid(cx: &Cx<'_, '_>) -> Option<Hit> {
    host_flag(cx, "hostPID", &cx.settings.trusted_images.host_pid, "in the host PID namespace")
}

audit_rule! {
    /// ## What it does
    /// Reports the creation of a pod with `hostIPC: true`, unless every image
    /// is listed in `audit.trustedImages.hostIpc`.
    ///
    /// ## Why is this bad?
    /// The host IPC namespace exposes shared memory of every process on the node.
    ///
    /// ## Example
    /// ```json
    /// {"verb":"create","objectRef":{"resource":"pods"},"requestObject":{"spec":{"hostIPC":true}}}
    /// ```
    ///
    /// ## Use instead
    /// Remove `hostIPC`.
    ///
    /// ## References
    /// - Falco k8saudit rule "Create HostIPC Pod"
    pub static HOST_IPC_POD {
        id: "KF-AUD-004",
        name: "host-ipc-pod-created",
        title: "Pod sharing the host IPC namespace created",
        severity: Medium,
        fix: "Remove hostIPC, or list the image in audit.trustedImages.hostIpc",
        references: ["falco:Create HostIPC Pod"],
    }
}

fn host_ipc(cx: &Cx<'_, '_>) -> Option<Hit> {
    host_flag(cx, "hostIPC", &cx.settings.trusted_images.host_ipc, "in the host IPC namespace")
}

audit_rule! {
    /// ## What it does
    /// Reports the creation of a pod mounting a sensitive host path (`/`,
    /// `/proc`, `/etc`, `/root`, the container runtime sockets, the kubelet's
    /// directory…; `audit.sensitiveHostPaths`), or a path below one, unless
    /// every image is listed in `audit.trustedImages.sensitiveMount`.
    ///
    /// ## Why is this bad?
    /// The runtime socket or `/etc` of the node gives root on the node; the
    /// kubelet's directory holds every pod's service-account tokens.
    ///
    /// ## Example
    /// ```json
    /// {"verb":"create","objectRef":{"resource":"pods"},"requestObject":{"spec":{"volumes":[{"hostPath":{"path":"/etc"}}]}}}
    /// ```
    ///
    /// ## Use instead
    /// Use ConfigMaps, Secrets or CSI volumes instead of hostPath.
    ///
    /// ## References
    /// - Falco k8saudit rule "Create Sensitive Mount Pod"
    pub static SENSITIVE_MOUNT_POD {
        id: "KF-AUD-005",
        name: "sensitive-mount-pod-created",
        title: "Pod mounting a sensitive host path created",
        severity: Medium,
        fix: "Remove the hostPath volume, or list the image in audit.trustedImages.sensitiveMount",
        references: ["falco:Create Sensitive Mount Pod"],
    }
}

fn sensitive_path(list: &[String], path: &str) -> bool {
    let path = if path.len() > 1 { path.trim_end_matches('/') } else { path };
    list.iter().any(|s| {
        let s = if s.len() > 1 { s.trim_end_matches('/') } else { s.as_str() };
        path == s || (s != "/" && path.strip_prefix(s).is_some_and(|rest| rest.starts_with('/')))
    })
}

fn sensitive_mount(cx: &Cx<'_, '_>) -> Option<Hit> {
    if !pod_created(cx) {
        return None;
    }
    let spec = spec(cx)?;
    let paths: Vec<&str> = spec
        .get("volumes")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .filter_map(|v| v.pointer("/hostPath/path").and_then(Value::as_str))
        .filter(|p| sensitive_path(&cx.settings.sensitive_host_paths, p))
        .collect();
    if paths.is_empty() || all_trusted(spec, &cx.settings.trusted_images.sensitive_mount) {
        return None;
    }
    Hit::new(describe(cx, spec, &format!("mounting {}", paths.join(", "))))
}

audit_rule! {
    /// ## What it does
    /// When `audit.allowedImages` is set, reports the creation of a pod with
    /// an image whose repository is not in that list.
    ///
    /// ## Why is this bad?
    /// An unknown image in a cluster that runs a known set of images is
    /// either a mistake or an intruder's tool.
    ///
    /// ## Example
    /// ```yaml
    /// audit: {allowedImages: [ghcr.io/acme/*]}
    /// ```
    /// and a pod created with `image: nginx`.
    ///
    /// ## Use instead
    /// Add the repository to `audit.allowedImages`, or stop running it.
    ///
    /// ## References
    /// - Falco k8saudit rule "Create Disallowed Pod"
    pub static DISALLOWED_IMAGE_POD {
        id: "KF-AUD-006",
        name: "disallowed-image-pod-created",
        title: "Pod with an image outside the allowed list created",
        severity: Medium,
        fix: "Run only images listed in audit.allowedImages",
        references: ["falco:Create Disallowed Pod"],
    }
}

fn disallowed_image(cx: &Cx<'_, '_>) -> Option<Hit> {
    if cx.settings.allowed_images.is_empty() || !pod_created(cx) {
        return None;
    }
    let spec = spec(cx)?;
    let bad: Vec<&str> = images(spec).into_iter().filter(|i| !image_listed(&cx.settings.allowed_images, i)).collect();
    if bad.is_empty() {
        return None;
    }
    Hit::new(format!("{} created {} with images not allowed: {}", cx.ev.username(), cx.target(), bad.join(", ")))
}

audit_rule! {
    /// ## What it does
    /// Reports the creation of a pod in `kube-system` or `kube-public` unless
    /// every image is listed in `audit.trustedImages.kubeNamespace`.
    ///
    /// ## Why is this bad?
    /// System namespaces hold the cluster's most privileged service accounts;
    /// a pod there can mount them. Attackers hide workloads among system pods.
    ///
    /// ## Example
    /// ```json
    /// {"verb":"create","objectRef":{"resource":"pods","namespace":"kube-system"}}
    /// ```
    ///
    /// ## Use instead
    /// Run applications in their own namespaces.
    ///
    /// ## References
    /// - Falco k8saudit rule "Pod Created in Kube Namespace"
    pub static POD_IN_KUBE_NAMESPACE {
        id: "KF-AUD-007",
        name: "pod-created-in-kube-namespace",
        title: "Pod created in kube-system or kube-public",
        severity: Medium,
        fix: "Create the pod in an application namespace, or trust its image in audit.trustedImages.kubeNamespace",
        references: ["falco:Pod Created in Kube Namespace"],
    }
}

fn kube_namespace_pod(cx: &Cx<'_, '_>) -> Option<Hit> {
    if !pod_created(cx) || !matches!(cx.ev.namespace(), "kube-system" | "kube-public") {
        return None;
    }
    let spec = spec(cx)?;
    if all_trusted(spec, &cx.settings.trusted_images.kube_namespace) {
        return None;
    }
    Hit::new(describe(cx, spec, "in a system namespace"))
}

/// Users allowed to exec/attach/port-forward (shared with access.rs).
pub(crate) fn exec_allowed(cx: &Cx<'_, '_>) -> bool {
    any_match(&cx.settings.exec_users, cx.ev.username())
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn sensitive_paths() {
        let list: Vec<String> = ["/", "/etc", "/proc"].iter().map(|s| s.to_string()).collect();
        assert!(sensitive_path(&list, "/"));
        assert!(sensitive_path(&list, "/etc/kubernetes/"));
        assert!(sensitive_path(&list, "/proc"));
        assert!(!sensitive_path(&list, "/var/log"));
        assert!(!sensitive_path(&list, "/etcd"));
    }
}
