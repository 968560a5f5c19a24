use kubefort_model::{declare_rule, Context, PodSpecRef, Severity, Sink};

use super::{capability_name, BASELINE_CAPABILITIES};

declare_rule! {
    /// ## What it does
    /// Flags every capability in `securityContext.capabilities.add` of a
    /// container (including init and ephemeral containers) that is not one of
    /// the container runtime's defaults allowed by the Pod Security Standards
    /// baseline (`AUDIT_WRITE`, `CHOWN`, `DAC_OVERRIDE`, `FOWNER`, `FSETID`,
    /// `KILL`, `MKNOD`, `NET_BIND_SERVICE`, `SETFCAP`, `SETGID`, `SETPCAP`,
    /// `SETUID`, `SYS_CHROOT`): `SYS_ADMIN`, `NET_ADMIN`, `NET_RAW`,
    /// `SYS_PTRACE`, `SYS_MODULE`, `BPF`, `PERFMON`, `SYS_RAWIO`,
    /// `DAC_READ_SEARCH`, `SYS_BOOT`, `SYS_TIME`, `MAC_ADMIN`, `MAC_OVERRIDE`,
    /// `SYSLOG`, `ALL` and the rest. Names are compared ignoring case and a
    /// `CAP_` prefix. `ALL` and `SYS_ADMIN` are critical.
    ///
    /// ## Why is this bad?
    /// These capabilities hand a container powers over the node's kernel:
    /// `SYS_ADMIN` is nearly root on the host (mounts, namespaces, many
    /// container escapes), `SYS_MODULE` loads kernel code, `SYS_PTRACE`
    /// reads other processes' memory, `NET_ADMIN` and `NET_RAW` rewrite and
    /// spoof the node's traffic, `BPF` and `PERFMON` attach kernel programs,
    /// `DAC_READ_SEARCH` opens any file by handle (the "shocker" escape).
    /// `ALL` grants every one of them.
    ///
    /// ## Example
    /// ```yaml
    /// containers:
    ///   - name: app
    ///     securityContext:
    ///       capabilities:
    ///         add: ["SYS_ADMIN", "NET_ADMIN"]
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// containers:
    ///   - name: app
    ///     securityContext:
    ///       capabilities:
    ///         drop: ["ALL"]
    ///         add: ["NET_BIND_SERVICE"]
    /// ```
    ///
    /// ## References
    /// - <https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline>
    /// - <https://man7.org/linux/man-pages/man7/capabilities.7.html>
    pub struct DangerousCapabilities {
        id: "KF-POD-005",
        name: "dangerous-capabilities",
        title: "Container adds a dangerous capability",
        severity: High,
        fix: "Remove the capability from securityContext.capabilities.add; run the privileged part in a separate, reviewed component",
        references: [
            "pss:capabilities_baseline",
            "checkov:CKV_K8S_25",
            "checkov:CKV_K8S_39",
            "polaris:dangerousCapabilities",
            "kubescape:C-0046",
            "cis-1.12:5.2.8",
        ],
        check: check,
    }
}

fn check(cx: &Context<'_>, sink: &mut Sink<'_>) {
    let Some(pod) = PodSpecRef::to_check(cx.object) else { return };
    if pod.is_windows() {
        return;
    }
    for container in pod.containers() {
        let Some(add) = container.security_field("capabilities").and_then(|c| c.get("add")) else { continue };
        for (i, entry) in add.as_seq().iter().enumerate() {
            let Some(name) = capability_name(entry) else { continue };
            if name.is_empty() || BASELINE_CAPABILITIES.contains(&name.as_str()) {
                continue;
            }
            let finding = sink.report(
                &DangerousCapabilities::META,
                container.at(&format!("securityContext/capabilities/add/{i}")),
                format!("{} adds capability {name}", container.describe()),
            );
            if name == "ALL" || name == "SYS_ADMIN" {
                finding.severity = Severity::Critical;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{check, pointers};

    #[test]
    fn flags_each_dangerous_capability_with_its_severity() {
        let yaml = r#"
apiVersion: apps/v1
kind: Deployment
metadata: {name: net}
spec:
  template:
    spec:
      containers:
        - name: agent
          securityContext:
            capabilities:
              add:
                - NET_BIND_SERVICE
                - cap_net_admin
                - " SYS_ADMIN "
                - 42
                - BPF
      initContainers:
        - name: init
          securityContext: {capabilities: {add: [all, CHOWN, CAP_NET_RAW]}}
"#;
        let findings = check(&DangerousCapabilities, yaml);
        let got: Vec<_> = findings.iter().map(|f| (f.pointer.as_str(), f.location.line, f.severity)).collect();
        let c = "/spec/template/spec/containers/0/securityContext/capabilities/add";
        let i = "/spec/template/spec/initContainers/0/securityContext/capabilities/add";
        assert_eq!(
            got,
            [
                (format!("{c}/1").as_str(), 14, Severity::High),
                (format!("{c}/2").as_str(), 15, Severity::Critical),
                (format!("{c}/4").as_str(), 17, Severity::High),
                (format!("{i}/0").as_str(), 20, Severity::Critical),
                (format!("{i}/2").as_str(), 20, Severity::High),
            ]
        );
        assert_eq!(findings[0].message, "container \"agent\" adds capability NET_ADMIN");
        assert_eq!(findings[4].message, "init container \"init\" adds capability NET_RAW");
    }

    #[test]
    fn passes_baseline_capabilities_malformed_lists_and_windows() {
        let yaml = r#"
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers:
    - name: a
      securityContext: {capabilities: {drop: [ALL], add: [NET_BIND_SERVICE, CAP_CHOWN, setuid]}}
    - name: b
      securityContext: {capabilities: {add: SYS_ADMIN}}
    - name: c
      securityContext: {capabilities: [SYS_ADMIN]}
---
apiVersion: v1
kind: Pod
metadata: {name: w}
spec:
  os: {name: windows}
  containers: [{name: a, securityContext: {capabilities: {add: [SYS_ADMIN]}}}]
"#;
        assert_eq!(pointers(&check(&DangerousCapabilities, yaml)), []);
    }
}
