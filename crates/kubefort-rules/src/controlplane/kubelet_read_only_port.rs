use super::kubelet::{config_problem, is_kubelet_config, READ_ONLY_PORT};
use kubefort_model::{declare_rule, Context, Sink};

declare_rule! {
    /// ## What it does
    /// Flags a `KubeletConfiguration` with a non-zero `readOnlyPort`.
    /// `kubefort node` checks the same setting on a node, where the
    /// `--read-only-port` flag overrides the file.
    ///
    /// ## Why is this bad?
    /// The read-only port serves pod specs (with their environment variables) and
    /// metrics with no authentication and no authorization at all.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: kubelet.config.k8s.io/v1beta1
    /// kind: KubeletConfiguration
    /// readOnlyPort: 10255
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// apiVersion: kubelet.config.k8s.io/v1beta1
    /// kind: KubeletConfiguration
    /// readOnlyPort: 0
    /// ```
    ///
    /// ## References
    /// - <https://kubernetes.io/docs/reference/config-api/kubelet-config.v1beta1/>
    pub struct KubeletReadOnlyPort {
        id: "KF-NODE-003",
        name: "kubelet-read-only-port",
        title: "Kubelet read-only port is open",
        severity: Medium,
        fix: "Set readOnlyPort to 0",
        references: ["cis-1.12:4.2.4"],
        check: check,
    }
}

fn check(cx: &Context<'_>, sink: &mut Sink<'_>) {
    if !is_kubelet_config(cx.object) {
        return;
    }
    if let Some(message) = config_problem(&cx.object.root, &READ_ONLY_PORT) {
        sink.report(&KubeletReadOnlyPort::META, READ_ONLY_PORT.pointer, message);
    }
}
