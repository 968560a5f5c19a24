use super::encryption::{analyze, is_encryption_config, IssueKind};
use kubefort_model::{declare_rule, Context, Sink};

declare_rule! {
    /// ## What it does
    /// Notes each `aescbc`, `aesgcm` or `secretbox` key written inline in an
    /// `EncryptionConfiguration`. kubefort never prints the key.
    ///
    /// ## Why is this bad?
    /// The key that protects etcd lies on the same disk as etcd: a stolen disk
    /// image or backup holds both the ciphertext and the key.
    ///
    /// ## Example
    /// ```yaml
    /// providers:
    ///   - secretbox:
    ///       keys: [{name: key1, secret: YWJjZGVmZ2hpamtsbW5vcHFyc3R1dnd4eXoxMjM0NTY=}]
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// providers:
    ///   - kms: {apiVersion: v2, name: vault, endpoint: unix:///var/run/kms.sock}
    /// ```
    ///
    /// ## References
    /// - <https://kubernetes.io/docs/tasks/administer-cluster/encrypt-data/>
    pub struct EncryptionKeyOnDisk {
        id: "KF-CP-003",
        name: "encryption-key-on-disk",
        title: "Encryption key is written in the configuration file",
        severity: Low,
        fix: "Move to a kms v2 provider so no key sits on the control-plane disk",
        references: ["cis-1.12:1.2.28"],
        check: check,
    }
}

fn check(cx: &Context<'_>, sink: &mut Sink<'_>) {
    if !is_encryption_config(cx.object) {
        return;
    }
    for issue in analyze(&cx.object.root).into_iter().filter(|i| i.kind == IssueKind::KeyOnDisk) {
        sink.report(&EncryptionKeyOnDisk::META, issue.pointer, issue.message);
    }
}
