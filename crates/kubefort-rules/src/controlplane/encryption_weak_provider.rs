use super::encryption::{analyze, is_encryption_config, IssueKind};
use kubefort_model::{declare_rule, Context, Sink};

declare_rule! {
    /// ## What it does
    /// Flags an `EncryptionConfiguration` whose first provider for Secrets is
    /// `aescbc`, `aesgcm` or KMS v1.
    ///
    /// ## Why is this bad?
    /// `aescbc` is open to padding-oracle attacks and `aesgcm` must be re-keyed every
    /// 200,000 writes; both keep the key on the control-plane disk beside the data.
    /// KMS v1 is deprecated and slow. KMS v2 keeps the key in an external KMS and
    /// rotates data keys itself.
    ///
    /// ## Example
    /// ```yaml
    /// resources:
    ///   - resources: [secrets]
    ///     providers:
    ///       - aescbc:
    ///           keys: [{name: key1, secret: c2VjcmV0IGlzIHNlY3VyZQ==}]
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// resources:
    ///   - resources: [secrets]
    ///     providers:
    ///       - kms: {apiVersion: v2, name: vault, endpoint: unix:///var/run/kms.sock}
    /// ```
    ///
    /// ## References
    /// - <https://kubernetes.io/docs/tasks/administer-cluster/kms-provider/>
    pub struct EncryptionWeakProvider {
        id: "KF-CP-002",
        name: "encryption-weak-provider",
        title: "Secrets are encrypted with a provider weaker than KMS v2",
        severity: Medium,
        fix: "Encrypt Secrets with a kms provider at apiVersion v2",
        references: ["cis-1.12:1.2.28"],
        check: check,
    }
}

fn check(cx: &Context<'_>, sink: &mut Sink<'_>) {
    if !is_encryption_config(cx.object) {
        return;
    }
    for issue in analyze(&cx.object.root).into_iter().filter(|i| i.kind == IssueKind::WeakProvider) {
        sink.report(&EncryptionWeakProvider::META, issue.pointer, issue.message);
    }
}
