//! A [`RuleMeta`] per check, so `pss:` findings have a title, a fix and an
//! `explain` page like every other rule. "What it does" is the check's own
//! module documentation (`src/checks/*.rs`), so the text cannot drift from
//! the code; the rest comes from the table below.

use crate::{all_checks, Level};
use kubefort_model::{RuleMeta, Severity};
use std::sync::OnceLock;

struct Entry {
    id: &'static str,
    check: &'static str,
    name: &'static str,
    title: &'static str,
    fix: &'static str,
    why: &'static str,
    example: &'static str,
    use_instead: &'static str,
    source: &'static str,
}

macro_rules! entry {
    ($check:literal, $file:literal, $name:literal, $title:literal, $fix:literal, $why:literal, $example:literal, $use_instead:literal) => {
        Entry {
            id: concat!("pss:", $check),
            check: $check,
            name: $name,
            title: $title,
            fix: $fix,
            why: $why,
            example: $example,
            use_instead: $use_instead,
            source: include_str!(concat!("checks/", $file, ".rs")),
        }
    };
}

static TABLE: [Entry; 19] = [
    entry!("appArmorProfile", "app_armor_profile", "pss-app-armor-profile",
        "AppArmor is disabled or overridden with an unconfined profile",
        "Remove the unconfined AppArmor profile; use RuntimeDefault or a Localhost profile",
        "Without AppArmor the container process is only confined by the remaining Linux controls; an exploit in it can reach files and kernel interfaces the default profile blocks.",
        "securityContext:\n  appArmorProfile:\n    type: Unconfined",
        "securityContext:\n  appArmorProfile:\n    type: RuntimeDefault"),
    entry!("capabilities_baseline", "capabilities_baseline", "pss-capabilities-baseline",
        "Container adds a capability outside the runtime's default set",
        "Remove capabilities such as SYS_ADMIN or NET_ADMIN from capabilities.add",
        "Capabilities like SYS_ADMIN, NET_ADMIN or SYS_PTRACE give a container powers close to root on the node: mounting file systems, reconfiguring the host network, reading other processes.",
        "securityContext:\n  capabilities:\n    add: [SYS_ADMIN]",
        "securityContext:\n  capabilities:\n    drop: [ALL]\n    add: [NET_BIND_SERVICE]"),
    entry!("hostNamespaces", "host_namespaces", "pss-host-namespaces",
        "Pod shares the host's network, PID or IPC namespace",
        "Remove hostNetwork, hostPID and hostIPC (or set them to false)",
        "A pod in the host's namespaces sees every process of the node (hostPID), its shared memory (hostIPC) or its network interfaces and loopback services (hostNetwork), and isolation between pods is gone.",
        "spec:\n  hostNetwork: true\n  hostPID: true",
        "spec:\n  hostNetwork: false"),
    entry!("hostPathVolumes", "host_path_volumes", "pss-host-path-volumes",
        "Pod mounts a hostPath volume",
        "Replace hostPath volumes with emptyDir, a ConfigMap, a Secret or a PersistentVolumeClaim",
        "A hostPath volume exposes the node's file system to the container: the container runtime socket, kubelet credentials or /etc are one mount away from a node takeover.",
        "volumes:\n  - name: data\n    hostPath:\n      path: /var/run/docker.sock",
        "volumes:\n  - name: data\n    persistentVolumeClaim:\n      claimName: data"),
    entry!("hostPorts", "host_ports", "pss-host-ports",
        "Container binds a port on the node",
        "Remove hostPort and expose the port through a Service",
        "A host port binds the node's network interface directly, bypassing NetworkPolicy on many CNIs, and limits scheduling to one such pod per node.",
        "ports:\n  - containerPort: 8080\n    hostPort: 8080",
        "ports:\n  - containerPort: 8080   # and a Service in front"),
    entry!("hostProbesAndHostLifecycle", "host_probes_and_host_lifecycle", "pss-host-probes-and-host-lifecycle",
        "Probe or lifecycle handler targets a host",
        "Remove the host field from httpGet and tcpSocket probes and lifecycle handlers",
        "Probes and lifecycle handlers run from the kubelet; naming a host lets a pod make the kubelet send requests to other hosts on the node's network (server-side request forgery).",
        "livenessProbe:\n  httpGet:\n    host: 10.0.0.1\n    port: 80",
        "livenessProbe:\n  httpGet:\n    port: 80"),
    entry!("privileged", "privileged", "pss-privileged",
        "Container runs in privileged mode",
        "Set securityContext.privileged to false",
        "A privileged container has every capability and all host devices: it is root on the node.",
        "securityContext:\n  privileged: true",
        "securityContext:\n  privileged: false"),
    entry!("procMount", "proc_mount", "pss-proc-mount",
        "Container unmasks /proc",
        "Remove securityContext.procMount or set it to Default",
        "An unmasked /proc exposes kernel interfaces the runtime hides by default, which help an attacker escape or attack the node.",
        "securityContext:\n  procMount: Unmasked",
        "securityContext:\n  procMount: Default"),
    entry!("seLinuxOptions", "se_linux_options", "pss-se-linux-options",
        "Pod or container sets a custom SELinux user, role or type",
        "Remove seLinuxOptions.type, user and role (or use an allowed container type)",
        "A custom SELinux type such as spc_t turns SELinux confinement off for the container.",
        "securityContext:\n  seLinuxOptions:\n    type: spc_t",
        "securityContext:\n  seLinuxOptions:\n    level: s0:c123,c456"),
    entry!("seccompProfile_baseline", "seccomp_profile_baseline", "pss-seccomp-profile-baseline",
        "Seccomp is explicitly disabled",
        "Set seccompProfile.type to RuntimeDefault (or Localhost)",
        "Without seccomp every system call is open to the container, including the rarely used ones most kernel exploits go through.",
        "securityContext:\n  seccompProfile:\n    type: Unconfined",
        "securityContext:\n  seccompProfile:\n    type: RuntimeDefault"),
    entry!("sysctls", "sysctls", "pss-sysctls",
        "Pod sets an unsafe sysctl",
        "Remove sysctls outside the safe, namespaced set",
        "Sysctls outside the safe set change kernel settings shared with other pods on the node, or weaken the kernel's defences.",
        "securityContext:\n  sysctls:\n    - name: kernel.msgmax\n      value: \"65536\"",
        "securityContext:\n  sysctls:\n    - name: net.ipv4.ip_local_port_range\n      value: \"1024 65535\""),
    entry!("windowsHostProcess", "windows_host_process", "pss-windows-host-process",
        "Windows container runs as a host process",
        "Remove windowsOptions.hostProcess or set it to false",
        "A Windows host-process container runs directly on the node with the node's privileges: it is the Windows equivalent of a privileged container.",
        "securityContext:\n  windowsOptions:\n    hostProcess: true",
        "securityContext:\n  windowsOptions:\n    hostProcess: false"),
    entry!("allowPrivilegeEscalation", "allow_privilege_escalation", "pss-allow-privilege-escalation",
        "Container may gain more privileges than its parent process",
        "Set securityContext.allowPrivilegeEscalation to false",
        "Unless no_new_privs is set, setuid binaries and file capabilities let a process in the container gain privileges it was not started with.",
        "securityContext: {}",
        "securityContext:\n  allowPrivilegeEscalation: false"),
    entry!("capabilities_restricted", "capabilities_restricted", "pss-capabilities-restricted",
        "Container does not drop all capabilities",
        "Set capabilities.drop to [ALL] and add back only NET_BIND_SERVICE if needed",
        "The runtime's default capabilities (CHOWN, DAC_OVERRIDE, SETUID, NET_RAW, …) are more than most processes need and widen what an exploit can do.",
        "securityContext:\n  capabilities:\n    add: [CHOWN]",
        "securityContext:\n  capabilities:\n    drop: [ALL]"),
    entry!("procMount_restricted", "proc_mount_restricted", "pss-proc-mount-restricted",
        "Container unmasks /proc (even in a user namespace)",
        "Remove securityContext.procMount or set it to Default",
        "An unmasked /proc exposes kernel interfaces the runtime hides by default; the restricted level forbids it even for pods in a user namespace.",
        "securityContext:\n  procMount: Unmasked",
        "securityContext:\n  procMount: Default"),
    entry!("restrictedVolumes", "restricted_volumes", "pss-restricted-volumes",
        "Pod uses a volume type outside the restricted set",
        "Use configMap, secret, emptyDir, projected, downwardAPI, csi, ephemeral, image or persistentVolumeClaim volumes",
        "Volume types such as hostPath, nfs or in-tree cloud disks reach the node or outside storage directly, bypassing the storage access controls of the cluster.",
        "volumes:\n  - name: shared\n    nfs:\n      server: nfs.example.com\n      path: /exports",
        "volumes:\n  - name: shared\n    persistentVolumeClaim:\n      claimName: shared"),
    entry!("runAsNonRoot", "run_as_non_root", "pss-run-as-non-root",
        "Container may run as root",
        "Set securityContext.runAsNonRoot to true on the pod (or every container)",
        "A process running as root in the container is root on the node as soon as it escapes, and can write to any volume it mounts.",
        "spec:\n  containers:\n    - name: app\n      image: nginx",
        "spec:\n  securityContext:\n    runAsNonRoot: true\n  containers:\n    - name: app\n      image: nginx"),
    entry!("runAsUser", "run_as_user", "pss-run-as-user",
        "Pod or container runs as UID 0",
        "Set runAsUser to a non-zero UID (or remove it and set runAsNonRoot: true)",
        "runAsUser: 0 runs the process as root whatever the image says.",
        "securityContext:\n  runAsUser: 0",
        "securityContext:\n  runAsUser: 10001"),
    entry!("seccompProfile_restricted", "seccomp_profile_restricted", "pss-seccomp-profile-restricted",
        "Seccomp profile is not set",
        "Set securityContext.seccompProfile.type to RuntimeDefault on the pod",
        "Without a seccomp profile the container may make any system call, including the rarely used ones most kernel exploits go through.",
        "spec:\n  securityContext: {}",
        "spec:\n  securityContext:\n    seccompProfile:\n      type: RuntimeDefault"),
];

/// The module documentation of a check's source file.
fn module_doc(source: &str) -> String {
    source
        .lines()
        .take_while(|l| l.starts_with("//!"))
        .map(|l| l.trim_start_matches("//!").strip_prefix(' ').unwrap_or(l.trim_start_matches("//!")))
        .collect::<Vec<_>>()
        .join("\n")
}

/// One rule per Pod Security Standards check, in evaluation order, with
/// id `pss:<check>`. Baseline checks are `high`, restricted ones `medium`
/// (the severities of a namespace without labels; a scan raises them when
/// the namespace enforces the level).
pub fn rule_metas() -> &'static [RuleMeta] {
    static METAS: OnceLock<Vec<RuleMeta>> = OnceLock::new();
    METAS.get_or_init(|| {
        all_checks()
            .map(|info| {
                let e = TABLE.iter().find(|e| e.check == info.id).expect("every check has a table entry");
                let severity = if info.level == Level::Baseline { Severity::High } else { Severity::Medium };
                let doc = format!(
                    "## What it does\nFlags workloads the Pod Security Standards `{level}` level forbids \
                     (check `{check}`, as Kubernetes' PodSecurity admission evaluates it).\n\n{summary}\n\n\
                     ## Why is this bad?\n{why}\n\n## Example\n```yaml\n{example}\n```\n\n\
                     ## Use instead\n```yaml\n{use_instead}\n```\n\n## References\n\
                     - <https://kubernetes.io/docs/concepts/security/pod-security-standards/#{level}>",
                    level = info.level,
                    check = info.id,
                    summary = module_doc(e.source),
                    why = e.why,
                    example = e.example,
                    use_instead = e.use_instead,
                );
                // Shaped like a doc comment (one leading space per line), as
                // `RuleMeta::documentation` expects.
                let doc: String = doc.lines().map(|l| format!(" {l}\n")).collect();
                RuleMeta {
                    id: e.id,
                    name: e.name,
                    title: e.title,
                    severity,
                    fix: e.fix,
                    references: &[],
                    // Built once per process and kept for its lifetime.
                    doc: Box::leak(doc.into_boxed_str()),
                }
            })
            .collect()
    })
}

/// The rule of a check: `rule_meta("privileged")` is `pss:privileged`.
pub fn rule_meta(check: &str) -> Option<&'static RuleMeta> {
    rule_metas().iter().find(|m| m.id.strip_prefix("pss:") == Some(check))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_check_has_one_documented_rule() {
        let metas = rule_metas();
        assert_eq!(metas.len(), all_checks().count());
        for (meta, check) in metas.iter().zip(all_checks()) {
            assert_eq!(meta.id, format!("pss:{}", check.id));
            for section in ["What it does", "Why is this bad?", "Example", "Use instead"] {
                assert!(meta.section(section).is_some_and(|s| !s.is_empty()), "{} lacks {section}", meta.id);
            }
            assert!(meta.section("What it does").unwrap().contains(&format!("`{}` (", check.id)), "{}", meta.id);
        }
        assert_eq!(rule_meta("hostNamespaces").unwrap().severity, Severity::High);
        assert_eq!(rule_meta("runAsNonRoot").unwrap().severity, Severity::Medium);
        assert!(rule_meta("nope").is_none());
        let example = rule_meta("hostNamespaces").unwrap().section("Example").unwrap();
        assert!(example.contains("\nspec:\n  hostNetwork: true"), "indentation kept: {example}");
    }
}
