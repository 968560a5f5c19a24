use kubefort_model::{declare_rule, escape_token, Context, Node, Sink};
use kubefort_pss::namespace::Mode;

declare_rule! {
    /// ## What it does
    /// Flags Namespaces labelled `pod-security.kubernetes.io/enforce:
    /// privileged` outside the namespaces where privileged workloads are
    /// expected (`.kubefort.yaml` `privilegedNamespaces`, default
    /// `kube-system`).
    ///
    /// ## Why is this bad?
    /// The privileged level admits every pod: privileged containers, host
    /// namespaces, hostPath mounts of the node's disk. One compromised
    /// deployment pipeline or service account that can create pods there owns
    /// the node.
    ///
    /// ## Example
    /// ```yaml
    /// metadata:
    ///   name: shop
    ///   labels:
    ///     pod-security.kubernetes.io/enforce: privileged
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// metadata:
    ///   name: shop
    ///   labels:
    ///     pod-security.kubernetes.io/enforce: restricted
    /// ```
    ///
    /// ## References
    /// - <https://kubernetes.io/docs/concepts/security/pod-security-admission/>
    pub struct NamespaceEnforcesPrivileged {
        id: "KF-PSA-002",
        name: "namespace-enforces-privileged",
        title: "Namespace enforces the privileged Pod Security Standards level",
        severity: High,
        fix: "Enforce baseline or restricted, or list the namespace in privilegedNamespaces if it runs node agents",
        references: [],
        check: check,
    }
}

fn check(cx: &Context<'_>, sink: &mut Sink<'_>) {
    let ns = cx.object;
    if ns.kind != "Namespace" || ns.api_version != "v1" || cx.settings.is_privileged_namespace(&ns.name) {
        return;
    }
    let label = Mode::Enforce.level_label();
    if ns.labels().and_then(|l| l.get(label)).and_then(Node::as_str) == Some("privileged") {
        sink.report(
            &NamespaceEnforcesPrivileged::META,
            format!("/metadata/labels/{}", escape_token(label)),
            format!("namespace {:?} admits privileged pods", ns.name),
        );
    }
}
