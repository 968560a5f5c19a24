use super::{is_core_secret, is_managed, Hit, Place};
use kubefort_model::{declare_rule, Context, Node, Severity, Sink};

declare_rule! {
    /// ## What it does
    /// Flags a `Secret` manifest that carries its values (`data` or
    /// `stringData`) in the file, once per Secret. The values are decoded
    /// and scanned: the evidence lists what they hold (detector, masked
    /// preview, fingerprint per key), and the finding is high when one of
    /// them is a recognised credential format. Secrets that a secret
    /// manager produces or encrypts are not flagged: SOPS-encrypted files
    /// (a top-level `sops:` key), Secrets owned by a SealedSecret or
    /// ExternalSecret, and of course SealedSecret, ExternalSecret and
    /// SecretProviderClass objects themselves. Legacy service-account
    /// token Secrets are KF-SEC-009's.
    ///
    /// ## Why is this bad?
    /// `data` is base64, an encoding, not encryption: the manifest is the
    /// credential in plain view, in every clone of the repository and its
    /// history, forever. Rotation means editing and re-committing files,
    /// so it rarely happens.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: v1
    /// kind: Secret
    /// metadata: {name: db}
    /// stringData:
    ///   password: Zq8v2LmX9rT4
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// apiVersion: external-secrets.io/v1beta1
    /// kind: ExternalSecret
    /// metadata: {name: db}
    /// spec:
    ///   secretStoreRef: {name: vault, kind: ClusterSecretStore}
    ///   target: {name: db}
    ///   data:
    ///     - secretKey: password
    ///       remoteRef: {key: shop/db, property: password}
    /// ```
    /// (or a SealedSecret, a SOPS-encrypted file, or the Secrets Store CSI driver)
    ///
    /// ## References
    /// - <https://kubernetes.io/docs/concepts/security/secrets-good-practices/>
    /// - <https://external-secrets.io/>
    pub struct SecretManifest {
        id: "KF-SEC-006",
        name: "secret-manifest-with-data",
        title: "Secret values are committed in a manifest",
        severity: Medium,
        fix: "Keep the values in an external secret manager (External Secrets, Sealed Secrets, SOPS, Secrets Store CSI) and commit only the reference",
        references: ["kubescape:C-0208", "kubescape:C-0234"],
        check: check,
        prepare: super::PREPARE_HITS,
    }
}

fn check(cx: &Context<'_>, sink: &mut Sink<'_>) {
    let object = cx.object;
    if !is_core_secret(object) || is_managed(object) {
        return;
    }
    if object.root.get("type").and_then(Node::as_str) == Some("kubernetes.io/service-account-token") {
        return;
    }
    let count = |field: &str| object.root.get(field).and_then(Node::as_map).map_or(0, |m| m.len());
    let (data, string_data) = (count("data"), count("stringData"));
    if data + string_data == 0 {
        return;
    }
    let found: Vec<Hit> =
        super::with_hits(cx, |hits| hits.iter().filter(|h| h.place == Place::SecretData).cloned().collect());
    let field = if data > 0 { "/data" } else { "/stringData" };
    let credentials = if found.is_empty() {
        String::new()
    } else {
        let kinds: Vec<String> = found.iter().map(|h| h.describe()).collect();
        format!(", including {}", kinds.join(", "))
    };
    let message = format!(
        "Secret {} holds {} value{} in the manifest{credentials}",
        object.name,
        data + string_data,
        if data + string_data == 1 { "" } else { "s" }
    );
    let finding = sink.report(&SecretManifest::META, field, message);
    if !found.is_empty() {
        let evidence: Vec<String> = found.iter().map(|h| format!("{}: {}", h.pointer, h.evidence())).collect();
        finding.evidence = Some(evidence.join("; "));
    }
    if found.iter().any(|h| h.found.detector.known_format) {
        finding.severity = Severity::High;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{check, pointers};
    use kubefort_secrets::fake::Fake;

    #[test]
    fn flags_plain_secrets_with_what_they_hold() {
        let mut fake = Fake::new(16);
        let pem = fake.secret("private-key").replace('\n', "\n    ");
        let yaml = format!(
            "apiVersion: v1\nkind: Secret\nmetadata: {{name: tls}}\ntype: kubernetes.io/tls\nstringData:\n  tls.crt: not-shown\n  tls.key: |\n    {pem}\n---\napiVersion: v1\nkind: Secret\nmetadata: {{name: plain}}\ndata:\n  mode: cHJvZA==\n"
        );
        let findings = check(&SecretManifest, &yaml);
        assert_eq!(pointers(&findings), [("/stringData".to_owned(), 6), ("/data".to_owned(), 27)]);
        assert_eq!(findings[0].severity, Severity::High);
        assert!(findings[0].message.contains("Private key (----****)"), "{}", findings[0].message);
        assert!(findings[0]
            .evidence
            .as_deref()
            .unwrap()
            .starts_with("/stringData/tls.key: private-key ----**** sha256:"));
        assert_eq!(findings[1].severity, Severity::Medium);
        assert_eq!(findings[1].message, "Secret plain holds 1 value in the manifest");
    }

    #[test]
    fn managed_and_empty_secrets_pass() {
        let yaml = "apiVersion: v1\nkind: Secret\nmetadata: {name: a}\n---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: b\n  ownerReferences: [{apiVersion: bitnami.com/v1alpha1, kind: SealedSecret, name: b, uid: x}]\ndata: {k: dg==}\n---\napiVersion: v1\nkind: Secret\nmetadata: {name: c}\ndata:\n  password: ENC[AES256_GCM,data:x]\nsops: {version: 3.8.1}\n---\napiVersion: bitnami.com/v1alpha1\nkind: SealedSecret\nmetadata: {name: d}\nspec: {encryptedData: {password: AgBx}}\n";
        assert!(check(&SecretManifest, yaml).is_empty());
    }
}
