use super::kubelet::{config_problem, is_kubelet_config, AUTHORIZATION_MODE};
use kubefort_model::{declare_rule, Context, Sink};

declare_rule! {
    /// ## What it does
    /// Flags a `KubeletConfiguration` whose `authorization.mode` is not `Webhook`.
    /// `kubefort node` checks the same setting on a node, where the
    /// `--authorization-mode` flag overrides the file.
    ///
    /// ## Why is this bad?
    /// With `AlwaysAllow` any client that authenticates to the kubelet may exec
    /// into pods, read logs and list secrets mounted on the node: the API server's
    /// RBAC is bypassed.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: kubelet.config.k8s.io/v1beta1
    /// kind: KubeletConfiguration
    /// authorization:
    ///   mode: AlwaysAllow
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// apiVersion: kubelet.config.k8s.io/v1beta1
    /// kind: KubeletConfiguration
    /// authorization:
    ///   mode: Webhook
    /// ```
    ///
    /// ## References
    /// - <https://kubernetes.io/docs/reference/config-api/kubelet-config.v1beta1/>
    pub struct KubeletAuthorizationAlwaysAllow {
        id: "KF-NODE-002",
        name: "kubelet-authorization-always-allow",
        title: "Kubelet authorizes every request",
        severity: High,
        fix: "Set authorization.mode to Webhook",
        references: ["cis-1.12:4.2.2", "kubescape:C-0173"],
        check: check,
    }
}

fn check(cx: &Context<'_>, sink: &mut Sink<'_>) {
    if !is_kubelet_config(cx.object) {
        return;
    }
    if let Some(message) = config_problem(&cx.object.root, &AUTHORIZATION_MODE) {
        sink.report(&KubeletAuthorizationAlwaysAllow::META, AUTHORIZATION_MODE.pointer, message);
    }
}
