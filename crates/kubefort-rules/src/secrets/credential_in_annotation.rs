use super::{report_hits, Place, LAST_APPLIED};
use kubefort_model::{declare_rule, Context, Sink};

declare_rule! {
    /// ## What it does
    /// Flags credentials in annotations, including inside
    /// `kubectl.kubernetes.io/last-applied-configuration`: `kubectl apply`
    /// copies the whole applied object there as JSON, so a Secret applied
    /// that way carries its `data` (base64) or `stringData` (plain text) a
    /// second time, in an annotation. kubefort parses that JSON and
    /// decodes the Secret data inside it. Vault agent annotations
    /// (`vault.hashicorp.com/…`) and `checksum/…` annotations are
    /// instructions and hashes, not secrets, and are skipped.
    ///
    /// ## Why is this bad?
    /// Annotations are metadata: they are returned by every `list` call,
    /// shown by `kubectl describe`, copied by backup and GitOps tools, and
    /// for objects other than Secrets they are not protected by Secret
    /// RBAC or encryption at rest.
    ///
    /// ## Example
    /// ```yaml
    /// metadata:
    ///   annotations:
    ///     kubectl.kubernetes.io/last-applied-configuration: |
    ///       {"apiVersion":"v1","kind":"Secret","stringData":{"password":"Zq8v2LmX9rT4"}}
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// # Apply Secrets with server-side apply (no last-applied annotation),
    /// # or better, let an external secret manager create them.
    /// kubectl apply --server-side -f secret.yaml
    /// ```
    ///
    /// ## References
    /// - <https://kubernetes.io/docs/reference/labels-annotations-taints/#kubectl-kubernetes-io-last-applied-configuration>
    pub struct CredentialInAnnotation {
        id: "KF-SEC-004",
        name: "credential-in-annotation",
        title: "Annotation holds a credential",
        severity: Critical,
        fix: "Remove the credential from the annotation (apply Secrets server-side so no last-applied copy is kept) and rotate it",
        references: ["kubescape:C-0012"],
        check: check,
        prepare: super::PREPARE_HITS,
    }
}

fn check(cx: &Context<'_>, sink: &mut Sink<'_>) {
    report_hits(cx, sink, &CredentialInAnnotation::META, Place::Annotation, |h| {
        if h.pointer.ends_with("last-applied-configuration") {
            format!("{LAST_APPLIED} (at {})", h.inner.as_deref().unwrap_or(""))
        } else {
            format!("annotation {}", h.pointer.rsplit('/').next().unwrap_or("").replace("~1", "/"))
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{check, pointers};
    use kubefort_secrets::fake::Fake;

    #[test]
    fn looks_inside_last_applied_configuration_and_decodes_secret_data() {
        let mut fake = Fake::new(14);
        let password = fake.password(16);
        let encoded = kubefort_model_b64(&password);
        let slack = fake.secret("slack-webhook");
        let applied = format!(
            r#"{{"apiVersion":"v1","kind":"Secret","metadata":{{"name":"db"}},"data":{{"password":"{encoded}"}}}}"#
        );
        let yaml = format!(
            "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\n  annotations:\n    kubectl.kubernetes.io/last-applied-configuration: '{applied}'\n    example.org/alert-webhook: {slack}\n    vault.hashicorp.com/agent-inject-secret-db: database/creds/app\n    checksum/secret: 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08\n"
        );
        let findings = check(&CredentialInAnnotation, &yaml);
        assert_eq!(
            pointers(&findings),
            [
                ("/metadata/annotations/kubectl.kubernetes.io~1last-applied-configuration".to_owned(), 6),
                ("/metadata/annotations/example.org~1alert-webhook".to_owned(), 7)
            ]
        );
        assert!(findings[0].message.contains("(at /data/password)"), "{}", findings[0].message);
        for f in &findings {
            let shown = format!("{} {:?}", f.message, f.evidence);
            assert!(!shown.contains(&password) && !shown.contains(&encoded) && !shown.contains(&slack[8..]));
        }
    }

    fn kubefort_model_b64(s: &str) -> String {
        const T: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        let mut out = String::new();
        for chunk in s.as_bytes().chunks(3) {
            let n = (u32::from(chunk[0]) << 16)
                | (u32::from(*chunk.get(1).unwrap_or(&0)) << 8)
                | u32::from(*chunk.get(2).unwrap_or(&0));
            for i in 0..4 {
                out.push(if i <= chunk.len() { T[((n >> (18 - 6 * i)) & 63) as usize] as char } else { '=' });
            }
        }
        out
    }

    #[test]
    fn ordinary_annotations_pass() {
        let yaml = "apiVersion: v1\nkind: Service\nmetadata:\n  name: s\n  annotations:\n    kubectl.kubernetes.io/last-applied-configuration: '{\"kind\":\"Service\",\"spec\":{\"ports\":[{\"port\":80}]}}'\n    description: the token service\n";
        assert!(check(&CredentialInAnnotation, yaml).is_empty());
    }
}
