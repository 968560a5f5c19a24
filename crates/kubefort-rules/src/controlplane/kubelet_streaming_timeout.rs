use super::kubelet::{config_problem, is_kubelet_config, STREAMING_TIMEOUT};
use kubefort_model::{declare_rule, Context, Sink};

declare_rule! {
    /// ## What it does
    /// Flags a `KubeletConfiguration` whose `streamingConnectionIdleTimeout` is zero.
    /// `kubefort node` checks the same setting on a node, where the
    /// `--streaming-connection-idle-timeout` flag overrides the file.
    ///
    /// ## Why is this bad?
    /// Idle `exec`, `attach` and `port-forward` sessions then stay open for ever:
    /// a forgotten shell in a pod is a door left open, and the node runs out of
    /// connections.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: kubelet.config.k8s.io/v1beta1
    /// kind: KubeletConfiguration
    /// streamingConnectionIdleTimeout: 0s
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// apiVersion: kubelet.config.k8s.io/v1beta1
    /// kind: KubeletConfiguration
    /// streamingConnectionIdleTimeout: 5m
    /// ```
    ///
    /// ## References
    /// - <https://kubernetes.io/docs/reference/config-api/kubelet-config.v1beta1/>
    pub struct KubeletStreamingTimeout {
        id: "KF-NODE-006",
        name: "kubelet-streaming-timeout-disabled",
        title: "Kubelet streaming connections never time out",
        severity: Low,
        fix: "Set streamingConnectionIdleTimeout to a duration such as 5m",
        references: ["cis-1.12:4.2.5", "kubescape:C-0176"],
        check: check,
    }
}

fn check(cx: &Context<'_>, sink: &mut Sink<'_>) {
    if !is_kubelet_config(cx.object) {
        return;
    }
    if let Some(message) = config_problem(&cx.object.root, &STREAMING_TIMEOUT) {
        sink.report(&KubeletStreamingTimeout::META, STREAMING_TIMEOUT.pointer, message);
    }
}
