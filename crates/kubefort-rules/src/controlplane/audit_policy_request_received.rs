use super::audit_policy::{analyze, is_audit_policy, IssueKind};
use kubefort_model::{declare_rule, Context, Sink};

declare_rule! {
    /// ## What it does
    /// Flags an audit `Policy` that neither omits the `RequestReceived` stage at
    /// the top nor in every rule.
    ///
    /// ## Why is this bad?
    /// Each request is then logged once when received and again when answered:
    /// twice the volume for no information, and a log that fills (and rotates away
    /// evidence) twice as fast.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: audit.k8s.io/v1
    /// kind: Policy
    /// rules:
    ///   - level: Metadata
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// apiVersion: audit.k8s.io/v1
    /// kind: Policy
    /// omitStages: [RequestReceived]
    /// rules:
    ///   - level: Metadata
    /// ```
    ///
    /// ## References
    /// - <https://kubernetes.io/docs/reference/config-api/apiserver-audit.v1/#audit-k8s-io-v1-Policy>
    pub struct AuditPolicyRequestReceived {
        id: "KF-CP-013",
        name: "audit-policy-request-received",
        title: "Audit policy does not omit the RequestReceived stage",
        severity: Low,
        fix: "Add `omitStages: [RequestReceived]` at the top of the policy",
        references: [],
        check: check,
    }
}

fn check(cx: &Context<'_>, sink: &mut Sink<'_>) {
    if !is_audit_policy(cx.object) {
        return;
    }
    for issue in analyze(&cx.object.root).into_iter().filter(|i| i.kind == IssueKind::RequestReceivedKept) {
        sink.report(&AuditPolicyRequestReceived::META, issue.pointer, issue.message);
    }
}
