use super::encryption::{analyze, is_encryption_config, IssueKind};
use kubefort_model::{declare_rule, Context, Sink};

declare_rule! {
    /// ## What it does
    /// Flags an `EncryptionConfiguration` under which Secrets are not encrypted:
    /// no `resources` entry names `secrets` (or `*.`/`*.*`), or the first entry that
    /// does lists `identity` first. The API server encrypts new writes with the first
    /// provider only, so `identity` first means plaintext even when others follow.
    ///
    /// ## Why is this bad?
    /// Anyone who reads etcd, its data directory or a backup of it reads every
    /// Secret: service-account tokens, registry credentials, TLS keys.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: apiserver.config.k8s.io/v1
    /// kind: EncryptionConfiguration
    /// resources:
    ///   - resources: [secrets]
    ///     providers:
    ///       - identity: {}
    ///       - aescbc:
    ///           keys: [{name: key1, secret: c2VjcmV0IGlzIHNlY3VyZQ==}]
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// apiVersion: apiserver.config.k8s.io/v1
    /// kind: EncryptionConfiguration
    /// resources:
    ///   - resources: [secrets]
    ///     providers:
    ///       - kms:
    ///           apiVersion: v2
    ///           name: vault
    ///           endpoint: unix:///var/run/kms.sock
    ///       - identity: {}
    /// ```
    ///
    /// ## References
    /// - <https://kubernetes.io/docs/tasks/administer-cluster/encrypt-data/>
    pub struct EncryptionSecretsPlaintext {
        id: "KF-CP-001",
        name: "encryption-secrets-plaintext",
        title: "Secrets are stored in etcd in plaintext",
        severity: Critical,
        fix: "Name secrets in the first resources entry and put a real provider (kms v2) before identity",
        references: ["cis-1.12:1.2.28", "cis-1.12:1.2.27", "kubescape:C-0066", "kubescape:C-0142"],
        check: check,
    }
}

fn check(cx: &Context<'_>, sink: &mut Sink<'_>) {
    if !is_encryption_config(cx.object) {
        return;
    }
    for issue in analyze(&cx.object.root).into_iter().filter(|i| i.kind == IssueKind::SecretsPlaintext) {
        sink.report(&EncryptionSecretsPlaintext::META, issue.pointer, issue.message);
    }
}
