use kubefort_model::{declare_rule, Context, Sink};

declare_rule! {
    /// ## What it does
    /// Flags `pod-security.kubernetes.io/*` labels on a Namespace whose value
    /// the PodSecurity admission plugin cannot read: a level other than
    /// `privileged`, `baseline` or `restricted` (case matters), or a version
    /// other than `latest` or `v1.N`.
    ///
    /// ## Why is this bad?
    /// The plugin does not reject the namespace; it quietly substitutes a
    /// value. An invalid `enforce` level fails closed (`restricted`), so pods
    /// the author meant to allow are rejected; an invalid `audit` or `warn`
    /// level fails open (`privileged`), so the audit trail or warnings the
    /// author asked for never come. An invalid version means `latest`.
    ///
    /// ## Example
    /// ```yaml
    /// labels:
    ///   pod-security.kubernetes.io/enforce: Baseline
    ///   pod-security.kubernetes.io/audit-version: "1.29"
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// labels:
    ///   pod-security.kubernetes.io/enforce: baseline
    ///   pod-security.kubernetes.io/audit-version: v1.29
    /// ```
    ///
    /// ## References
    /// - <https://kubernetes.io/docs/concepts/security/pod-security-admission/#pod-security-admission-labels-for-namespaces>
    pub struct NamespaceLabelInvalid {
        id: "KF-PSA-003",
        name: "namespace-pss-label-invalid",
        title: "Namespace has an invalid Pod Security Standards label",
        severity: Medium,
        fix: "Use privileged, baseline or restricted for levels and latest or v1.N for versions",
        references: [],
        check: check,
    }
}

fn check(cx: &Context<'_>, sink: &mut Sink<'_>) {
    let ns = cx.object;
    if ns.kind != "Namespace" || ns.api_version != "v1" {
        return;
    }
    let (_, issues) = kubefort_pss::namespace::resolve_labels(
        kubefort_pss::namespace::pss_labels(ns),
        &Default::default(),
        super::fallback(cx.settings),
    );
    for issue in issues {
        sink.report(&NamespaceLabelInvalid::META, issue.pointer, format!("{:?}: {}", issue.value, issue.message));
    }
}
