use super::kubelet::{config_problem, is_kubelet_config, ANONYMOUS_AUTH};
use kubefort_model::{declare_rule, Context, Sink};

declare_rule! {
    /// ## What it does
    /// Flags a `KubeletConfiguration` with `authentication.anonymous.enabled: true`.
    /// `kubefort node` checks the same setting on a node, where the
    /// `--anonymous-auth` flag overrides the file.
    ///
    /// ## Why is this bad?
    /// Requests without credentials reach the kubelet API (port 10250) as
    /// `system:anonymous`; with a permissive authorizer they run commands in any pod
    /// of the node.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: kubelet.config.k8s.io/v1beta1
    /// kind: KubeletConfiguration
    /// authentication:
    ///   anonymous:
    ///     enabled: true
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// apiVersion: kubelet.config.k8s.io/v1beta1
    /// kind: KubeletConfiguration
    /// authentication:
    ///   anonymous:
    ///     enabled: false
    ///   webhook:
    ///     enabled: true
    /// ```
    ///
    /// ## References
    /// - <https://kubernetes.io/docs/reference/config-api/kubelet-config.v1beta1/>
    pub struct KubeletAnonymousAuth {
        id: "KF-NODE-001",
        name: "kubelet-anonymous-auth",
        title: "Kubelet allows anonymous requests",
        severity: High,
        fix: "Set authentication.anonymous.enabled to false",
        references: ["cis-1.12:4.2.1", "kubescape:C-0069", "kubescape:C-0172"],
        check: check,
    }
}

fn check(cx: &Context<'_>, sink: &mut Sink<'_>) {
    if !is_kubelet_config(cx.object) {
        return;
    }
    if let Some(message) = config_problem(&cx.object.root, &ANONYMOUS_AUTH) {
        sink.report(&KubeletAnonymousAuth::META, ANONYMOUS_AUTH.pointer, message);
    }
}
