use kubefort_model::{declare_rule, Context, Node, PodSpecRef, Sink};

declare_rule! {
    /// ## What it does
    /// Flags entries of the pod's `securityContext.sysctls` whose name is not
    /// in Kubernetes' safe set: `kernel.shm_rmid_forced`,
    /// `net.ipv4.ip_local_port_range`, `net.ipv4.ip_unprivileged_port_start`,
    /// `net.ipv4.tcp_syncookies`, `net.ipv4.ping_group_range`,
    /// `net.ipv4.ip_local_reserved_ports`, `net.ipv4.tcp_keepalive_time`,
    /// `net.ipv4.tcp_fin_timeout`, `net.ipv4.tcp_keepalive_intvl`,
    /// `net.ipv4.tcp_keepalive_probes`, and, since Kubernetes 1.32,
    /// `net.ipv4.tcp_rmem` and `net.ipv4.tcp_wmem`, and since 1.37
    /// `net.ipv4.tcp_slow_start_after_idle` and `net.ipv4.tcp_notsent_lowat`. Names written with `/` separators
    /// (`net/ipv4/tcp_syncookies`) are read as the kubelet reads them.
    ///
    /// ## Why is this bad?
    /// Safe sysctls are namespaced and isolated per pod. Any other sysctl
    /// either changes the whole node's kernel or can starve or break other
    /// pods (message queue and shared memory limits, network buffers,
    /// routing, ARP settings). The kubelet rejects such pods unless an
    /// administrator allowed the sysctl on that node, so a manifest that
    /// needs one either fails to start or relies on a node-wide exception
    /// that weakens every pod scheduled there.
    ///
    /// ## Example
    /// ```yaml
    /// spec:
    ///   securityContext:
    ///     sysctls:
    ///       - name: kernel.msgmax
    ///         value: "65536"
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// spec:
    ///   securityContext:
    ///     sysctls:
    ///       - name: net.ipv4.ip_unprivileged_port_start
    ///         value: "80"
    /// ```
    ///
    /// ## References
    /// - <https://kubernetes.io/docs/tasks/administer-cluster/sysctl-cluster/>
    /// - <https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline>
    pub struct UnsafeSysctls {
        id: "KF-POD-015",
        name: "unsafe-sysctls",
        title: "Pod sets an unsafe sysctl",
        severity: High,
        fix: "Remove the sysctl from securityContext.sysctls or configure it on dedicated, tainted nodes",
        references: ["pss:sysctls", "kube-linter:unsafe-sysctls"],
        check: check,
    }
}

/// The kubelet's reading of a sysctl name: when the first separator is a
/// `/`, slashes are separators and dots are part of names, so the two swap.
fn normalize(name: &str) -> String {
    let name = name.trim();
    match name.find(['.', '/']) {
        Some(i) if name.as_bytes()[i] == b'/' => name
            .chars()
            .map(|c| match c {
                '/' => '.',
                '.' => '/',
                c => c,
            })
            .collect(),
        _ => name.to_owned(),
    }
}

fn check(cx: &Context<'_>, sink: &mut Sink<'_>) {
    let Some(pod) = PodSpecRef::to_check(cx.object) else { return };
    let Some(sysctls) = pod.security_field("sysctls") else { return };
    for (i, sysctl) in sysctls.as_seq().iter().enumerate() {
        let Some(name) = sysctl.get("name").and_then(Node::as_str) else { continue };
        let normalized = normalize(name);
        if kubefort_pss::sysctl_is_safe(&normalized, kubefort_pss::LATEST_MINOR) {
            continue;
        }
        let value = sysctl.get("value").and_then(Node::scalar_text).unwrap_or_default();
        sink.report(
            &UnsafeSysctls::META,
            pod.at(&format!("securityContext/sysctls/{i}/name")),
            format!("pod sets unsafe sysctl {normalized}={value}"),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{check, pointers};

    #[test]
    fn flags_sysctls_outside_the_safe_set() {
        let yaml = r#"
apiVersion: apps/v1
kind: Deployment
metadata: {name: d}
spec:
  template:
    spec:
      securityContext:
        sysctls:
          - name: net.ipv4.tcp_syncookies
            value: "1"
          - name: kernel.msgmax
            value: "65536"
          - {name: net/ipv4/ip_local_port_range, value: "1024 65000"}
          - {name: net/ipv4/conf/eth0.100/forwarding, value: 1}
          - {value: "no name"}
          - "kernel.sem=1"
      containers: [{name: a}]
"#;
        let findings = check(&UnsafeSysctls, yaml);
        let base = "/spec/template/spec/securityContext/sysctls";
        assert_eq!(pointers(&findings), [(format!("{base}/1/name"), 12), (format!("{base}/3/name"), 15)]);
        assert_eq!(findings[0].message, "pod sets unsafe sysctl kernel.msgmax=65536");
        assert_eq!(findings[1].message, "pod sets unsafe sysctl net.ipv4.conf.eth0/100.forwarding=1");
    }

    #[test]
    fn passes_safe_missing_and_malformed_sysctls() {
        let yaml = r#"
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  securityContext: {sysctls: [{name: net.ipv4.ping_group_range, value: "0 1000"}, {name: kernel.shm_rmid_forced}, {name: net/ipv4/tcp_wmem}]}
  containers: [{name: a}]
---
apiVersion: v1
kind: Pod
metadata: {name: q}
spec: {securityContext: {sysctls: {name: kernel.msgmax}}, containers: [{name: a}]}
"#;
        assert!(check(&UnsafeSysctls, yaml).is_empty());
    }

    #[test]
    fn normalizes_like_the_kubelet() {
        assert_eq!(normalize("net/ipv4/tcp_syncookies"), "net.ipv4.tcp_syncookies");
        assert_eq!(normalize("net.ipv4.conf.eth0/100.forwarding"), "net.ipv4.conf.eth0/100.forwarding");
        assert_eq!(normalize("net/ipv4/conf/eth0.100/forwarding"), "net.ipv4.conf.eth0/100.forwarding");
    }
}
