//! KF-POD-*: pod and container security settings, service accounts,
//! resources and probes. Every rule sees the pod spec of every workload kind
//! through [`kubefort_model::PodSpecRef`].

use kubefort_model::{ContainerRef, Node, PodSpecRef, RuleMeta, SettingSource, Sink};

mod apparmor_unconfined;
mod capabilities_not_dropped;
mod cpu_limits_missing;
mod cpu_requests_missing;
mod dangerous_capabilities;
mod default_service_account;
mod host_ipc;
mod host_network;
mod host_path_volume;
mod host_pid;
mod host_port;
mod liveness_probe_missing;
mod memory_limits_missing;
mod memory_requests_missing;
mod missing_fs_group;
mod privilege_escalation;
mod privileged;
mod probes;
mod readiness_probe_missing;
mod readonly_root_filesystem;
mod resources;
mod runs_as_root;
mod seccomp_unconfined;
mod service_account_token_automount;
mod share_process_namespace;
mod unmasked_proc_mount;
mod unsafe_sysctls;

pub use apparmor_unconfined::AppArmorUnconfined;
pub use capabilities_not_dropped::CapabilitiesNotDropped;
pub use cpu_limits_missing::CpuLimitsMissing;
pub use cpu_requests_missing::CpuRequestsMissing;
pub use dangerous_capabilities::DangerousCapabilities;
pub use default_service_account::DefaultServiceAccount;
pub use host_ipc::HostIpc;
pub use host_network::HostNetwork;
pub use host_path_volume::HostPathVolume;
pub use host_pid::HostPid;
pub use host_port::HostPort;
pub use liveness_probe_missing::LivenessProbeMissing;
pub use memory_limits_missing::MemoryLimitsMissing;
pub use memory_requests_missing::MemoryRequestsMissing;
pub use missing_fs_group::MissingFsGroup;
pub use privilege_escalation::PrivilegeEscalationAllowed;
pub use privileged::PrivilegedContainer;
pub use readiness_probe_missing::ReadinessProbeMissing;
pub use readonly_root_filesystem::WritableRootFilesystem;
pub use runs_as_root::RunsAsRoot;
pub use seccomp_unconfined::SeccompUnconfined;
pub use service_account_token_automount::ServiceAccountTokenAutomount;
pub use share_process_namespace::ShareProcessNamespace;
pub use unmasked_proc_mount::UnmaskedProcMount;
pub use unsafe_sysctls::UnsafeSysctls;

pub const RULES: &[&dyn kubefort_model::Rule] = &[
    &PrivilegedContainer,
    &PrivilegeEscalationAllowed,
    &RunsAsRoot,
    &CapabilitiesNotDropped,
    &DangerousCapabilities,
    &WritableRootFilesystem,
    &SeccompUnconfined,
    &AppArmorUnconfined,
    &HostNetwork,
    &HostPid,
    &HostIpc,
    &HostPort,
    &HostPathVolume,
    &UnmaskedProcMount,
    &UnsafeSysctls,
    &ShareProcessNamespace,
    &MissingFsGroup,
    &DefaultServiceAccount,
    &ServiceAccountTokenAutomount,
    &CpuRequestsMissing,
    &CpuLimitsMissing,
    &MemoryRequestsMissing,
    &MemoryLimitsMissing,
    &LivenessProbeMissing,
    &ReadinessProbeMissing,
];

/// Capabilities the Pod Security Standards baseline lets a container add
/// (one list, kept by the PSS engine).
pub(crate) use kubefort_pss::BASELINE_CAPABILITIES;

/// A capability name as runtimes read it: trimmed, upper-case, without a
/// `CAP_` prefix (`cap_sys_admin` → `SYS_ADMIN`). `None` for a non-string.
pub(crate) fn capability_name(node: &Node) -> Option<String> {
    let name = node.as_str()?.trim().to_ascii_uppercase();
    Some(name.strip_prefix("CAP_").map(str::to_owned).unwrap_or(name))
}

/// Reports a pod-spec boolean (`hostNetwork`, `hostPID`, …) that is `true`.
pub(crate) fn report_pod_flag(
    pod: &PodSpecRef<'_>,
    sink: &mut Sink<'_>,
    meta: &'static RuleMeta,
    field: &str,
    what: &str,
) {
    if pod.spec.get(field).and_then(Node::as_bool) == Some(true) {
        sink.report(meta, pod.at(field), format!("pod sets {field}: true ({what})"));
    }
}

/// A profile (seccomp, AppArmor) as it applies to one container, and where
/// it was read from.
pub(crate) struct Profile<'a> {
    /// The profile type: a field's `type` (`RuntimeDefault`, `Unconfined`,
    /// …) or an annotation's value (`runtime/default`, `unconfined`, …).
    pub value: &'a str,
    pub pointer: String,
    pub source: SettingSource,
    /// How the message names the setting.
    pub setting: String,
}

impl Profile<'_> {
    pub fn is_unconfined(&self) -> bool {
        self.value.trim().eq_ignore_ascii_case("unconfined")
    }
}

/// Resolves a profile of `container` in the kubelet's order: the container's
/// `securityContext.<field>.type`, its legacy annotation, the pod's
/// `securityContext.<field>.type`, the pod's legacy annotation. A profile
/// without a string `type` counts as unset.
pub(crate) fn profile<'a>(
    pod: &PodSpecRef<'a>,
    container: &ContainerRef<'a>,
    field: &str,
    container_annotation: Option<&str>,
    pod_annotation: Option<&str>,
) -> Option<Profile<'a>> {
    let read = |n: &'a Node| n.get("type").and_then(Node::as_str);
    if let Some(value) = container.security_field(field).and_then(read) {
        let pointer = container.at(&format!("securityContext/{field}/type"));
        return Some(Profile {
            value,
            pointer,
            source: SettingSource::Container,
            setting: format!("securityContext.{field}.type"),
        });
    }
    let annotated = |key: &str, source| {
        pod.annotation(key).map(|value| Profile {
            value,
            pointer: pod.annotation_pointer(key),
            source,
            setting: format!("annotation {key}"),
        })
    };
    if let Some(found) = container_annotation.and_then(|key| annotated(key, SettingSource::Container)) {
        return Some(found);
    }
    if let Some(value) = pod.security_field(field).and_then(read) {
        let pointer = pod.at(&format!("securityContext/{field}/type"));
        return Some(Profile {
            value,
            pointer,
            source: SettingSource::Pod,
            setting: format!("pod securityContext.{field}.type"),
        });
    }
    pod_annotation.and_then(|key| annotated(key, SettingSource::Pod))
}

/// `container "a", init container "b"` for messages.
pub(crate) fn describe_all(containers: &[ContainerRef<'_>]) -> String {
    containers.iter().map(ContainerRef::describe).collect::<Vec<_>>().join(", ")
}
