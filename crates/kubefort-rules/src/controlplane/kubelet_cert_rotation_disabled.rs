use super::kubelet::{config_problem, is_kubelet_config, ROTATE_CERTIFICATES};
use kubefort_model::{declare_rule, Context, Sink};

declare_rule! {
    /// ## What it does
    /// Flags a `KubeletConfiguration` without `rotateCertificates: true` (the
    /// field defaults to `false`).
    /// `kubefort node` checks the same setting on a node, where the
    /// `--rotate-certificates` flag overrides the file.
    ///
    /// ## Why is this bad?
    /// Without rotation the kubelet's client certificate is long-lived: it must be
    /// renewed by hand before it expires, and a stolen one stays valid until then.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: kubelet.config.k8s.io/v1beta1
    /// kind: KubeletConfiguration
    /// rotateCertificates: false
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// apiVersion: kubelet.config.k8s.io/v1beta1
    /// kind: KubeletConfiguration
    /// rotateCertificates: true
    /// ```
    ///
    /// ## References
    /// - <https://kubernetes.io/docs/reference/config-api/kubelet-config.v1beta1/>
    pub struct KubeletCertRotationDisabled {
        id: "KF-NODE-005",
        name: "kubelet-cert-rotation-disabled",
        title: "Kubelet client certificate rotation is off",
        severity: Medium,
        fix: "Set rotateCertificates to true",
        references: ["cis-1.12:4.2.10", "kubescape:C-0182"],
        check: check,
    }
}

fn check(cx: &Context<'_>, sink: &mut Sink<'_>) {
    if !is_kubelet_config(cx.object) {
        return;
    }
    if let Some(message) = config_problem(&cx.object.root, &ROTATE_CERTIFICATES) {
        sink.report(&KubeletCertRotationDisabled::META, ROTATE_CERTIFICATES.pointer, message);
    }
}
