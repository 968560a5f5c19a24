//! Encryption at rest: what an `EncryptionConfiguration`
//! (`apiserver.config.k8s.io/v1`) does to Secrets. Shared by the KF-CP-00x
//! rules and `kubefort node` (which reads the file `--encryption-provider-config`
//! names).

use kubefort_model::{Node, Object};

/// Whether an object is an `EncryptionConfiguration`.
pub fn is_encryption_config(object: &Object) -> bool {
    object.kind == "EncryptionConfiguration" && object.group() == "apiserver.config.k8s.io"
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IssueKind {
    /// Secrets are written to etcd in plaintext.
    SecretsPlaintext,
    /// Secrets are encrypted, but not with KMS v2.
    WeakProvider,
    /// A key sits in the file itself.
    KeyOnDisk,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issue {
    pub kind: IssueKind,
    pub pointer: String,
    pub message: String,
}

/// The providers the API server knows; each provider item holds one of them.
const PROVIDERS: [&str; 6] = ["identity", "aescbc", "aesgcm", "secretbox", "kms", "identity"];

/// The provider type of one `providers[]` item and its body.
fn provider(item: &Node) -> Option<(&str, &Node)> {
    item.as_map()?.iter().find(|(k, _)| PROVIDERS.contains(k))
}

/// Whether a `resources[].resources` entry names Secrets (`secrets`,
/// `secrets.`, or the wildcards `*.` and `*.*`).
fn names_secrets(entry: &str) -> bool {
    matches!(entry, "secrets" | "secrets." | "*." | "*.*")
}

/// Every issue of the configuration rooted at `root`, in document order.
pub fn analyze(root: &Node) -> Vec<Issue> {
    let mut issues = Vec::new();
    let entries = root.get("resources").map(Node::as_seq).unwrap_or(&[]);
    // The API server uses the first entry that names a resource.
    let secrets_entry = entries.iter().position(|e| {
        e.get("resources").map(Node::as_seq).unwrap_or(&[]).iter().filter_map(Node::as_str).any(names_secrets)
    });
    match secrets_entry {
        None => issues.push(Issue {
            kind: IssueKind::SecretsPlaintext,
            pointer: "/resources".into(),
            message: "no entry names `secrets`: Secrets are stored in etcd in plaintext".into(),
        }),
        Some(i) => {
            let first = entries[i].get("providers").and_then(|p| p.index(0));
            match first.and_then(provider) {
                None => issues.push(Issue {
                    kind: IssueKind::SecretsPlaintext,
                    pointer: format!("/resources/{i}/providers"),
                    message: "the entry for `secrets` has no provider: the API server refuses it, or Secrets stay in plaintext".into(),
                }),
                Some(("identity", _)) => issues.push(Issue {
                    kind: IssueKind::SecretsPlaintext,
                    pointer: format!("/resources/{i}/providers/0/identity"),
                    message: "`identity` is the first provider for `secrets`: new Secrets are written in plaintext".into(),
                }),
                Some(("kms", body)) => {
                    let version = body.get("apiVersion").and_then(Node::as_str).unwrap_or("v1");
                    if version != "v2" {
                        issues.push(Issue {
                            kind: IssueKind::WeakProvider,
                            pointer: format!("/resources/{i}/providers/0/kms"),
                            message: format!("Secrets are encrypted with KMS {version}, deprecated: use KMS v2"),
                        });
                    }
                }
                Some((kind @ ("aescbc" | "aesgcm"), _)) => issues.push(Issue {
                    kind: IssueKind::WeakProvider,
                    pointer: format!("/resources/{i}/providers/0/{kind}"),
                    message: format!(
                        "Secrets are encrypted with `{kind}` ({}): use KMS v2",
                        if kind == "aescbc" {
                            "open to padding-oracle attacks, key on the node"
                        } else {
                            "needs a new key every 200,000 writes, key on the node"
                        }
                    ),
                }),
                Some(_) => {}
            }
        }
    }
    for (i, entry) in entries.iter().enumerate() {
        for (j, item) in entry.get("providers").map(Node::as_seq).unwrap_or(&[]).iter().enumerate() {
            let Some((kind @ ("aescbc" | "aesgcm" | "secretbox"), body)) = provider(item) else { continue };
            for (k, key) in body.get("keys").map(Node::as_seq).unwrap_or(&[]).iter().enumerate() {
                if key.get("secret").is_some() {
                    let name = key.get("name").and_then(Node::as_str).unwrap_or("?");
                    issues.push(Issue {
                        kind: IssueKind::KeyOnDisk,
                        pointer: format!("/resources/{i}/providers/{j}/{kind}/keys/{k}/secret"),
                        message: format!(
                            "`{kind}` key {name:?} is written in this file: whoever reads it (or a backup of the control-plane disk) decrypts etcd"
                        ),
                    });
                }
            }
        }
    }
    issues
}
