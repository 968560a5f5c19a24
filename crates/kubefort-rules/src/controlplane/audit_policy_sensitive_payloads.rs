use super::audit_policy::{analyze, is_audit_policy, IssueKind};
use kubefort_model::{declare_rule, Context, Sink};

declare_rule! {
    /// ## What it does
    /// Flags the audit rules that log Secrets, ConfigMaps or TokenReviews at
    /// `Request` or `RequestResponse`, in the order the API server applies them (the
    /// first matching rule wins, so a `Metadata` rule below a broad one does not help).
    ///
    /// ## Why is this bad?
    /// Request and response bodies of these resources hold secret values and
    /// bearer tokens: the audit log becomes a copy of every credential of the
    /// cluster, readable by whoever reads the logs.
    ///
    /// ## Example
    /// ```yaml
    /// rules:
    ///   - level: RequestResponse
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// rules:
    ///   - level: Metadata
    ///     resources:
    ///       - group: ""
    ///         resources: [secrets, configmaps]
    ///       - group: authentication.k8s.io
    ///         resources: [tokenreviews]
    ///   - level: RequestResponse
    ///     resources:
    ///       - group: apps
    /// ```
    ///
    /// ## References
    /// - <https://kubernetes.io/docs/tasks/debug/debug-cluster/audit/#audit-policy>
    pub struct AuditPolicySensitivePayloads {
        id: "KF-CP-011",
        name: "audit-policy-sensitive-payloads",
        title: "Audit policy logs the bodies of Secrets, ConfigMaps or TokenReviews",
        severity: High,
        fix: "Log secrets, configmaps and tokenreviews at Metadata, in a rule above any broader one",
        references: ["cis-1.12:3.2.2", "kubescape:C-0161"],
        check: check,
    }
}

fn check(cx: &Context<'_>, sink: &mut Sink<'_>) {
    if !is_audit_policy(cx.object) {
        return;
    }
    for issue in analyze(&cx.object.root).into_iter().filter(|i| i.kind == IssueKind::SensitivePayload) {
        sink.report(&AuditPolicySensitivePayloads::META, issue.pointer, issue.message);
    }
}
