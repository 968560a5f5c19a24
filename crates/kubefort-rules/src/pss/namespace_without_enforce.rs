use kubefort_model::{declare_rule, Context, Sink};
use kubefort_pss::namespace::Mode;

declare_rule! {
    /// ## What it does
    /// Flags Namespaces without a `pod-security.kubernetes.io/enforce` label,
    /// unless the PodSecurity admission configuration among the scanned
    /// objects sets a default `enforce` level of baseline or restricted, or
    /// exempts the namespace. Namespaces where privileged workloads are
    /// expected (`.kubefort.yaml` `privilegedNamespaces`, default
    /// `kube-system`) are left alone.
    ///
    /// ## Why is this bad?
    /// Without an enforce label the PodSecurity admission plugin applies its
    /// default, which is `privileged` unless the API server is configured
    /// otherwise: any pod is admitted, privileged containers and host
    /// namespaces included.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: v1
    /// kind: Namespace
    /// metadata:
    ///   name: shop
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// apiVersion: v1
    /// kind: Namespace
    /// metadata:
    ///   name: shop
    ///   labels:
    ///     pod-security.kubernetes.io/enforce: restricted
    ///     pod-security.kubernetes.io/enforce-version: latest
    /// ```
    ///
    /// ## References
    /// - <https://kubernetes.io/docs/concepts/security/pod-security-admission/>
    pub struct NamespaceWithoutEnforce {
        id: "KF-PSA-001",
        name: "namespace-without-pss-enforce",
        title: "Namespace does not enforce a Pod Security Standards level",
        severity: Medium,
        fix: "Label the namespace pod-security.kubernetes.io/enforce: restricted (or baseline)",
        references: [],
        check: check,
    }
}

fn check(cx: &Context<'_>, sink: &mut Sink<'_>) {
    let ns = cx.object;
    if ns.kind != "Namespace" || ns.api_version != "v1" || cx.settings.is_privileged_namespace(&ns.name) {
        return;
    }
    if ns.labels().is_some_and(|l| l.get(Mode::Enforce.level_label()).is_some()) {
        return;
    }
    let config = super::admission_config(cx.inventory);
    if config.exemptions.namespaces.contains(&ns.name)
        || config.defaults.enforce.is_some_and(|l| l > kubefort_pss::Level::Privileged)
    {
        return;
    }
    let pointer = if ns.labels().is_some() { "/metadata/labels" } else { "/metadata" };
    sink.report(
        &NamespaceWithoutEnforce::META,
        pointer,
        format!(
            "namespace {:?} has no pod-security.kubernetes.io/enforce label; pods are admitted as privileged",
            ns.name
        ),
    );
}
