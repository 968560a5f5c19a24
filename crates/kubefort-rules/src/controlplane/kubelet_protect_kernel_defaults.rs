use super::kubelet::{config_problem, is_kubelet_config, PROTECT_KERNEL_DEFAULTS};
use kubefort_model::{declare_rule, Context, Sink};

declare_rule! {
    /// ## What it does
    /// Flags a `KubeletConfiguration` without `protectKernelDefaults: true`.
    /// `kubefort node` checks the same setting on a node, where the
    /// `--protect-kernel-defaults` flag overrides the file.
    ///
    /// ## Why is this bad?
    /// Without it the kubelet rewrites kernel parameters that differ from its
    /// expectations instead of failing, silently undoing the node's hardening.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: kubelet.config.k8s.io/v1beta1
    /// kind: KubeletConfiguration
    /// protectKernelDefaults: false
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// apiVersion: kubelet.config.k8s.io/v1beta1
    /// kind: KubeletConfiguration
    /// protectKernelDefaults: true
    /// ```
    ///
    /// ## References
    /// - <https://kubernetes.io/docs/reference/config-api/kubelet-config.v1beta1/>
    pub struct KubeletProtectKernelDefaults {
        id: "KF-NODE-004",
        name: "kubelet-protect-kernel-defaults",
        title: "Kubelet may change kernel settings",
        severity: Low,
        fix: "Set protectKernelDefaults to true and tune the kernel as the kubelet expects",
        references: ["kubescape:C-0177"],
        check: check,
    }
}

fn check(cx: &Context<'_>, sink: &mut Sink<'_>) {
    if !is_kubelet_config(cx.object) {
        return;
    }
    if let Some(message) = config_problem(&cx.object.root, &PROTECT_KERNEL_DEFAULTS) {
        sink.report(&KubeletProtectKernelDefaults::META, PROTECT_KERNEL_DEFAULTS.pointer, message);
    }
}
