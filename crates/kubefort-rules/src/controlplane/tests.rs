//! The KF-CP-0xx and KF-NODE-0xx rules, each both ways, with the pointer and
//! line of every finding.

use super::*;
use crate::testing::{check, pointers};

fn p(pointer: &str, line: u32) -> (String, u32) {
    (pointer.to_owned(), line)
}

const ENC_IDENTITY_FIRST: &str = r#"
apiVersion: apiserver.config.k8s.io/v1
kind: EncryptionConfiguration
resources:
  - resources: [configmaps]
    providers:
      - aescbc:
          keys:
            - name: k1
              secret: c2VjcmV0IGlzIHNlY3VyZQ==
  - resources: [secrets]
    providers:
      - identity: {}
      - secretbox:
          keys:
            - name: k2
              secret: YWJjZGVmZ2hpamtsbW5vcHFyc3R1dnd4eXoxMjM0NTY=
"#;

const ENC_KMS2: &str = r#"
apiVersion: apiserver.config.k8s.io/v1
kind: EncryptionConfiguration
resources:
  - resources: ["*.*"]
    providers:
      - kms: {apiVersion: v2, name: vault, endpoint: "unix:///run/kms.sock"}
      - identity: {}
"#;

#[test]
fn encryption_identity_first_is_plaintext_and_inline_keys_are_noted() {
    let findings = check(&EncryptionSecretsPlaintext, ENC_IDENTITY_FIRST);
    assert_eq!(pointers(&findings), [p("/resources/1/providers/0/identity", 13)]);
    let keys = check(&EncryptionKeyOnDisk, ENC_IDENTITY_FIRST);
    assert_eq!(
        pointers(&keys),
        [
            p("/resources/0/providers/0/aescbc/keys/0/secret", 10),
            p("/resources/1/providers/1/secretbox/keys/0/secret", 17)
        ]
    );
    assert!(keys.iter().all(|f| !f.message.contains("c2VjcmV0")), "never prints a key");
    assert!(check(&EncryptionWeakProvider, ENC_IDENTITY_FIRST).is_empty(), "plaintext is KF-CP-001's");
}

#[test]
fn encryption_secrets_missing_or_weak() {
    let missing = "apiVersion: apiserver.config.k8s.io/v1\nkind: EncryptionConfiguration\nresources:\n  - resources: [configmaps]\n    providers: [{identity: {}}]\n";
    assert_eq!(pointers(&check(&EncryptionSecretsPlaintext, missing)), [p("/resources", 4)]);
    let aescbc = "apiVersion: apiserver.config.k8s.io/v1\nkind: EncryptionConfiguration\nresources:\n  - resources: [secrets]\n    providers:\n      - aescbc: {keys: [{name: a, secret: eA==}]}\n";
    let weak = check(&EncryptionWeakProvider, aescbc);
    assert_eq!(pointers(&weak), [p("/resources/0/providers/0/aescbc", 6)]);
    let kms1 = "apiVersion: apiserver.config.k8s.io/v1\nkind: EncryptionConfiguration\nresources:\n  - resources: [secrets]\n    providers:\n      - kms: {name: old, endpoint: x}\n";
    assert!(check(&EncryptionWeakProvider, kms1)[0].message.contains("KMS v1"));
    for rule in [
        &EncryptionSecretsPlaintext as &'static dyn kubefort_model::Rule,
        &EncryptionWeakProvider,
        &EncryptionKeyOnDisk,
    ] {
        assert!(check(rule, ENC_KMS2).is_empty(), "{}", rule.meta().id);
    }
}

const AUDIT_BAD: &str = r#"
apiVersion: audit.k8s.io/v1
kind: Policy
rules:
  - level: Metadata
    users: [admin]
    resources: [{group: "", resources: [secrets]}]
  - level: RequestResponse
    resources:
      - group: ""
        resources: [secrets, configmaps]
  - level: Request
    resources: [{group: authentication.k8s.io}]
  - level: None
"#;

const AUDIT_GOOD: &str = r#"
apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: [RequestReceived]
rules:
  - level: Metadata
    resources:
      - group: ""
        resources: [secrets, configmaps]
      - group: authentication.k8s.io
        resources: [tokenreviews]
  - level: RequestResponse
    verbs: [create, update, patch, delete]
    resources: [{group: apps}, {group: "", resources: [pods]}]
  - level: Metadata
"#;

#[test]
fn audit_policy_rules_in_order() {
    let leaks = check(&AuditPolicySensitivePayloads, AUDIT_BAD);
    assert_eq!(pointers(&leaks), [p("/rules/1/level", 8), p("/rules/2/level", 12)]);
    assert!(leaks[0].message.starts_with("secrets and configmaps logged at RequestResponse"), "{}", leaks[0].message);
    assert!(leaks[1].message.starts_with("tokenreviews logged at Request"), "{}", leaks[1].message);
    let catch_all = check(&AuditPolicyNoCatchAll, AUDIT_BAD);
    assert_eq!(pointers(&catch_all), [p("/rules/3/level", 14)]);
    assert_eq!(pointers(&check(&AuditPolicyRequestReceived, AUDIT_BAD)), [p("/omitStages", 2)]);
    assert!(check(&AuditPolicyNoRules, AUDIT_BAD).is_empty());
    for rule in [
        &AuditPolicySensitivePayloads as &'static dyn kubefort_model::Rule,
        &AuditPolicyNoCatchAll,
        &AuditPolicyRequestReceived,
        &AuditPolicyNoRules,
    ] {
        assert!(check(rule, AUDIT_GOOD).is_empty(), "{}", rule.meta().id);
    }
}

#[test]
fn audit_policy_without_rules_and_without_catch_all() {
    let empty = "apiVersion: audit.k8s.io/v1\nkind: Policy\nrules: []\n";
    assert_eq!(pointers(&check(&AuditPolicyNoRules, empty)), [p("/rules", 3)]);
    assert!(check(&AuditPolicyNoCatchAll, empty).is_empty(), "one finding for an empty policy");
    let narrow = "apiVersion: audit.k8s.io/v1\nkind: Policy\nomitStages: [RequestReceived]\nrules:\n  - level: Metadata\n    verbs: [delete]\n";
    assert_eq!(pointers(&check(&AuditPolicyNoCatchAll, narrow)), [p("/rules", 5)], "at the list");
    let per_rule =
        "apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n  - level: Metadata\n    omitStages: [RequestReceived]\n";
    assert!(check(&AuditPolicyRequestReceived, per_rule).is_empty());
    // Not an audit policy: another group's Policy kind.
    assert!(check(&AuditPolicyNoRules, "apiVersion: example.com/v1\nkind: Policy\nmetadata: {name: x}\n").is_empty());
}

const KUBELET_BAD: &str = r#"
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
authentication:
  anonymous:
    enabled: true
authorization:
  mode: AlwaysAllow
readOnlyPort: 10255
protectKernelDefaults: false
rotateCertificates: false
streamingConnectionIdleTimeout: 0s
"#;

const KUBELET_GOOD: &str = r#"
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
authentication:
  anonymous:
    enabled: false
protectKernelDefaults: true
rotateCertificates: true
streamingConnectionIdleTimeout: 5m
"#;

#[test]
fn kubelet_config_both_ways() {
    let cases: [(&'static dyn kubefort_model::Rule, &str, u32); 5] = [
        (&KubeletAnonymousAuth, "/authentication/anonymous/enabled", 6),
        (&KubeletAuthorizationAlwaysAllow, "/authorization/mode", 8),
        (&KubeletReadOnlyPort, "/readOnlyPort", 9),
        (&KubeletProtectKernelDefaults, "/protectKernelDefaults", 10),
        (&KubeletCertRotationDisabled, "/rotateCertificates", 11),
    ];
    for (rule, pointer, line) in cases {
        assert_eq!(pointers(&check(rule, KUBELET_BAD)), [p(pointer, line)], "{}", rule.meta().id);
        assert!(check(rule, KUBELET_GOOD).is_empty(), "{} on the hardened config", rule.meta().id);
    }
    // Unset fields take the config file's defaults: safe ones pass, the
    // unsafe defaults (no rotation, kernel defaults unprotected) are flagged.
    let minimal = "apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\n";
    assert!(check(&KubeletAnonymousAuth, minimal).is_empty());
    assert!(check(&KubeletReadOnlyPort, minimal).is_empty());
    let rotation = check(&KubeletCertRotationDisabled, minimal);
    assert!(rotation[0].message.contains("unset: the default is false"), "{}", rotation[0].message);
}

#[test]
fn kubelet_value_parsing() {
    assert_eq!(kubelet::parse_bool("True"), Some(true));
    assert_eq!(kubelet::parse_bool("yes"), None);
    assert!(kubelet::duration_is_zero("0") && kubelet::duration_is_zero("0h0m0s"));
    assert!(!kubelet::duration_is_zero("5m") && !kubelet::duration_is_zero(""));
    // kubeadm writes `0s`; the kubelet reads it as its 4h default.
    let kubeadm =
        kubefort_load::yaml::parse_str("streamingConnectionIdleTimeout: 0s\n", &"k".into(), Default::default());
    let root = &kubeadm.documents[0].root;
    assert_eq!(kubelet::config_value(root, &kubelet::STREAMING_TIMEOUT), ("4h0m0s".to_owned(), false));
    assert!(kubelet::config_problem(root, &kubelet::STREAMING_TIMEOUT).is_none());
}
