use kubefort_model::{declare_rule, Context, Sink};
use kubefort_pss::namespace::{is_admission_config, AdmissionConfig};

declare_rule! {
    /// ## What it does
    /// Flags a PodSecurity admission configuration (an
    /// `AdmissionConfiguration` with a `PodSecurity` plugin, or a
    /// `PodSecurityConfiguration`) that the plugin would refuse: an invalid
    /// default level or version, exemptions that are not lists of names, or
    /// an embedded configuration of the wrong kind.
    ///
    /// ## Why is this bad?
    /// The API server does not start with an invalid admission
    /// configuration; kubefort also cannot tell which defaults and
    /// exemptions apply, so it evaluates workloads without them.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: pod-security.admission.config.k8s.io/v1
    /// kind: PodSecurityConfiguration
    /// defaults:
    ///   enforce: strict
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// apiVersion: pod-security.admission.config.k8s.io/v1
    /// kind: PodSecurityConfiguration
    /// defaults:
    ///   enforce: restricted
    ///   enforce-version: latest
    /// ```
    ///
    /// ## References
    /// - <https://kubernetes.io/docs/tasks/configure-pod-container/enforce-standards-admission-controller/>
    pub struct AdmissionConfigInvalid {
        id: "KF-PSA-004",
        name: "pss-admission-config-invalid",
        title: "PodSecurity admission configuration is invalid",
        severity: High,
        fix: "Use privileged, baseline or restricted levels, latest or v1.N versions, and lists of names for exemptions",
        references: [],
        check: check,
    }
}

fn check(cx: &Context<'_>, sink: &mut Sink<'_>) {
    if !is_admission_config(cx.object) {
        return;
    }
    if let Some(Err(errors)) = AdmissionConfig::from_object(cx.object) {
        for e in errors {
            sink.report(&AdmissionConfigInvalid::META, e.pointer, e.message);
        }
    }
}
