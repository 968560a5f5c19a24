use super::audit_policy::{analyze, is_audit_policy, IssueKind};
use kubefort_model::{declare_rule, Context, Sink};

declare_rule! {
    /// ## What it does
    /// Flags an audit `Policy` (`audit.k8s.io/v1`) with no `rules`.
    ///
    /// ## Why is this bad?
    /// A policy without rules logs nothing: the API server accepts it and the
    /// cluster runs with no audit trail at all.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: audit.k8s.io/v1
    /// kind: Policy
    /// rules: []
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
    /// - <https://kubernetes.io/docs/tasks/debug/debug-cluster/audit/#audit-policy>
    pub struct AuditPolicyNoRules {
        id: "KF-CP-010",
        name: "audit-policy-no-rules",
        title: "Audit policy has no rules",
        severity: High,
        fix: "Add rules: Metadata for Secrets, ConfigMaps and TokenReviews, then a catch-all at Metadata",
        references: ["cis-1.12:3.2.1", "cis-1.12:3.2.2"],
        check: check,
    }
}

fn check(cx: &Context<'_>, sink: &mut Sink<'_>) {
    if !is_audit_policy(cx.object) {
        return;
    }
    for issue in analyze(&cx.object.root).into_iter().filter(|i| i.kind == IssueKind::NoRules) {
        sink.report(&AuditPolicyNoRules::META, issue.pointer, issue.message);
    }
}
