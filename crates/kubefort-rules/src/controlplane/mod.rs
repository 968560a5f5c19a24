//! KF-CP-0xx and KF-NODE-0xx: control-plane and kubelet configuration files
//! found among the scanned objects (an `EncryptionConfiguration`, an audit
//! `Policy`, a `KubeletConfiguration`). The analyses live in [`encryption`],
//! [`audit_policy`] and [`kubelet`]; `kubefort node` calls the same ones on
//! the files a node's flags point to.

use kubefort_model::Rule;

pub mod audit_policy;
pub mod encryption;
pub mod kubelet;

mod audit_policy_no_catch_all;
mod audit_policy_no_rules;
mod audit_policy_request_received;
mod audit_policy_sensitive_payloads;
mod encryption_key_on_disk;
mod encryption_secrets_plaintext;
mod encryption_weak_provider;
mod kubelet_anonymous_auth;
mod kubelet_authorization_always_allow;
mod kubelet_cert_rotation_disabled;
mod kubelet_protect_kernel_defaults;
mod kubelet_read_only_port;

pub use audit_policy_no_catch_all::AuditPolicyNoCatchAll;
pub use audit_policy_no_rules::AuditPolicyNoRules;
pub use audit_policy_request_received::AuditPolicyRequestReceived;
pub use audit_policy_sensitive_payloads::AuditPolicySensitivePayloads;
pub use encryption_key_on_disk::EncryptionKeyOnDisk;
pub use encryption_secrets_plaintext::EncryptionSecretsPlaintext;
pub use encryption_weak_provider::EncryptionWeakProvider;
pub use kubelet_anonymous_auth::KubeletAnonymousAuth;
pub use kubelet_authorization_always_allow::KubeletAuthorizationAlwaysAllow;
pub use kubelet_cert_rotation_disabled::KubeletCertRotationDisabled;
pub use kubelet_protect_kernel_defaults::KubeletProtectKernelDefaults;
pub use kubelet_read_only_port::KubeletReadOnlyPort;

pub const RULES: &[&dyn Rule] = &[
    &EncryptionSecretsPlaintext,
    &EncryptionWeakProvider,
    &EncryptionKeyOnDisk,
    &AuditPolicyNoRules,
    &AuditPolicySensitivePayloads,
    &AuditPolicyNoCatchAll,
    &AuditPolicyRequestReceived,
    &KubeletAnonymousAuth,
    &KubeletAuthorizationAlwaysAllow,
    &KubeletReadOnlyPort,
    &KubeletProtectKernelDefaults,
    &KubeletCertRotationDisabled,
];

#[cfg(test)]
mod tests;
