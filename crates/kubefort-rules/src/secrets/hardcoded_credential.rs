use super::{report_hits, Place};
use kubefort_model::{declare_rule, Context, Sink};

declare_rule! {
    /// ## What it does
    /// Flags credentials in any string of any object that the other
    /// KF-SEC rules do not cover: custom resources (a database operator's
    /// `spec.password`, an alerting CR's webhook URL), Helm-rendered
    /// values, probe headers, image references with a password in them.
    /// `kubefort secrets PATH…` reports credentials in any text file
    /// (configs, `.env`, Dockerfiles, scripts) under this rule too, with
    /// file, line and column.
    ///
    /// Recognised formats: AWS access key ids and secret keys, GCP
    /// service-account key files, Azure storage keys and connection
    /// strings, GitHub, GitLab, Slack (tokens, webhooks), Stripe, Twilio,
    /// SendGrid, npm and PyPI tokens, PEM/OpenSSH/PGP private keys, JWTs
    /// (Kubernetes service-account tokens named as such),
    /// `.dockerconfigjson` auths and URLs with `user:password@`; and
    /// random-looking values under secret-like keys (`password`, `secret`,
    /// `token`, `api_key`, `credential`, `private_key`, …), excluding
    /// placeholders (`changeme`, `${VAR}`, `$(VAR)`, `<…>`, `{{ … }}`,
    /// `xxxx`, `REDACTED`, `example`) and documented example keys.
    ///
    /// The schemas of a CustomResourceDefinition are not searched: they
    /// document fields (`description: the Secret holding the password…`)
    /// and configure nothing.
    ///
    /// ## Why is this bad?
    /// Whatever the object, a credential in a manifest is in version
    /// control and readable by everyone who can read that kind of object,
    /// which for custom resources is often every authenticated user.
    ///
    /// ## Example
    /// ```yaml
    /// kind: Alertmanager
    /// spec:
    ///   slackApiUrl: https://hooks.slack.com/services/T000/B000/XXXX…
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// kind: Alertmanager
    /// spec:
    ///   slackApiUrlSecret: {name: alertmanager-slack, key: url}
    /// ```
    ///
    /// ## References
    /// - <https://kubernetes.io/docs/concepts/security/secrets-good-practices/>
    pub struct HardcodedCredential {
        id: "KF-SEC-005",
        name: "hardcoded-credential",
        title: "Hardcoded credential",
        severity: Critical,
        fix: "Replace the credential with a reference to a Secret or an external secret manager, and rotate it",
        references: ["kubescape:C-0012"],
        check: check,
        prepare: super::PREPARE_HITS,
    }
}

fn check(cx: &Context<'_>, sink: &mut Sink<'_>) {
    report_hits(cx, sink, &HardcodedCredential::META, Place::Other, |h| {
        format!("field {}", h.pointer.rsplit('/').next().unwrap_or(""))
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{check, pointers};
    use kubefort_secrets::fake::Fake;

    #[test]
    fn flags_strings_of_custom_resources_and_skips_managed_ones() {
        let mut fake = Fake::new(15);
        let password = fake.password(18);
        let key = fake.secret("private-key").replace('\n', "\n      ");
        let yaml = format!(
            "apiVersion: db.example.org/v1\nkind: Database\nmetadata: {{name: orders}}\nspec:\n  user: app\n  password: \"{password}\"\n  tls:\n    key: |\n      {key}\n---\napiVersion: bitnami.com/v1alpha1\nkind: SealedSecret\nmetadata: {{name: s}}\nspec:\n  encryptedData:\n    password: \"AgBy3i4OJSWK+PiTySYZZA9rO43cGDEq{password}\"\n"
        );
        let findings = check(&HardcodedCredential, &yaml);
        assert_eq!(pointers(&findings), [("/spec/password".to_owned(), 6), ("/spec/tls/key".to_owned(), 9)]);
        assert_eq!(findings[1].evidence.as_deref().map(|e| e.starts_with("private-key ----****")), Some(true));
    }

    #[test]
    fn sops_files_and_references_pass() {
        let yaml = "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\nstringData:\n  password: ENC[AES256_GCM,data:abc,iv:def,tag:ghi,type:str]\nsops:\n  version: 3.8.1\n---\napiVersion: external-secrets.io/v1beta1\nkind: ExternalSecret\nmetadata: {name: e}\nspec:\n  data:\n    - secretKey: password\n      remoteRef: {key: prod/db, property: password}\n";
        assert!(check(&HardcodedCredential, yaml).is_empty());
    }
}
