use super::audit_policy::{analyze, is_audit_policy, IssueKind};
use kubefort_model::{declare_rule, Context, Sink};

declare_rule! {
    /// ## What it does
    /// Flags an audit `Policy` in which no rule matches every request (a rule
    /// without `resources`, `nonResourceURLs`, `users`, `userGroups`, `verbs` or
    /// `namespaces`), or whose catch-all rule has level `None`.
    ///
    /// ## Why is this bad?
    /// Requests that no rule names are not logged at all: a new resource type, a
    /// CRD, or a verb nobody thought of leaves no trace.
    ///
    /// ## Example
    /// ```yaml
    /// rules:
    ///   - level: Metadata
    ///     resources: [{group: "", resources: [secrets]}]
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// rules:
    ///   - level: Metadata
    ///     resources: [{group: "", resources: [secrets]}]
    ///   - level: Metadata
    /// ```
    ///
    /// ## References
    /// - <https://kubernetes.io/docs/tasks/debug/debug-cluster/audit/#audit-policy>
    pub struct AuditPolicyNoCatchAll {
        id: "KF-CP-012",
        name: "audit-policy-no-catch-all",
        title: "Audit policy has no catch-all rule",
        severity: Medium,
        fix: "End the rules with `- level: Metadata` (no resources, users or verbs)",
        references: ["cis-1.12:3.2.2"],
        check: check,
    }
}

fn check(cx: &Context<'_>, sink: &mut Sink<'_>) {
    if !is_audit_policy(cx.object) {
        return;
    }
    for issue in analyze(&cx.object.root).into_iter().filter(|i| i.kind == IssueKind::NoCatchAll) {
        sink.report(&AuditPolicyNoCatchAll::META, issue.pointer, issue.message);
    }
}
