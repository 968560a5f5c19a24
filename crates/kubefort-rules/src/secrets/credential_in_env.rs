use super::{report_hits, Place};
use kubefort_model::{declare_rule, Context, Sink};

declare_rule! {
    /// ## What it does
    /// Flags container environment variables whose literal `value` is a
    /// credential: a recognised format (cloud keys, VCS and SaaS tokens,
    /// private keys, JWTs, URLs with a password) anywhere in the value, or
    /// a random-looking value under a secret-like name (`DB_PASSWORD`,
    /// `API_TOKEN`). Placeholders (`changeme`, `${VAR}`, `<token>`) and
    /// references (`valueFrom.secretKeyRef`) are not flagged. The finding
    /// shows a masked preview and a fingerprint, never the value.
    ///
    /// ## Why is this bad?
    /// The value is in the manifest, so in Git history, CI logs, Helm
    /// release records and every `kubectl get -o yaml`: anyone who can read
    /// the Deployment (a far wider group than who can read Secrets) has the
    /// credential, and rotating it means a code change.
    ///
    /// ## Example
    /// ```yaml
    /// env:
    ///   - name: DB_PASSWORD
    ///     value: "hunter2-but-longer"
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// volumeMounts:
    ///   - {name: db, mountPath: /run/secrets/db, readOnly: true}
    /// env:
    ///   - name: DB_PASSWORD_FILE
    ///     value: /run/secrets/db/password
    /// ```
    ///
    /// ## References
    /// - <https://kubernetes.io/docs/concepts/security/secrets-good-practices/>
    pub struct CredentialInEnv {
        id: "KF-SEC-001",
        name: "credential-in-env",
        title: "Container environment variable holds a hardcoded credential",
        severity: Critical,
        fix: "Move the value into a Secret (or an external secret manager), mount it as a file and rotate it",
        references: ["kubescape:C-0012", "kube-linter:env-var-secret", "kubescape:C-0259"],
        check: check,
        prepare: super::PREPARE_HITS,
    }
}

fn check(cx: &Context<'_>, sink: &mut Sink<'_>) {
    report_hits(cx, sink, &CredentialInEnv::META, Place::Env, |_| "environment variable".to_owned());
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{check, pointers};
    use kubefort_model::Severity;
    use kubefort_secrets::fake::Fake;

    #[test]
    fn flags_literal_credentials_not_references_or_placeholders() {
        let mut fake = Fake::new(11);
        let key = fake.secret("aws-access-key-id");
        let password = fake.password(16);
        let yaml = format!(
            r#"apiVersion: apps/v1
kind: Deployment
metadata: {{name: web}}
spec:
  template:
    spec:
      containers:
        - name: web
          env:
            - {{name: AWS_ACCESS_KEY_ID, value: {key}}}
            - name: DB_PASSWORD
              value: "{password}"
            - {{name: API_TOKEN, value: "${{API_TOKEN}}"}}
            - {{name: LOG_LEVEL, value: debug}}
            - name: SECRET
              valueFrom: {{secretKeyRef: {{name: db, key: password}}}}
"#
        );
        let findings = check(&CredentialInEnv, &yaml);
        let c = "/spec/template/spec/containers/0";
        assert_eq!(pointers(&findings), [(format!("{c}/env/0/value"), 10), (format!("{c}/env/1/value"), 12)]);
        assert_eq!(findings[0].severity, Severity::Critical);
        assert_eq!(findings[1].severity, Severity::High);
        assert!(findings[0].message.contains("AWS access key id (AKIA****)"), "{}", findings[0].message);
        for f in &findings {
            let shown = format!("{} {:?}", f.message, f.evidence);
            assert!(!shown.contains(&key) && !shown.contains(&password), "value leaked");
            assert!(f.evidence.as_deref().is_some_and(|e| e.contains("sha256:")));
        }
    }

    #[test]
    fn ignores_non_workloads() {
        assert!(check(&CredentialInEnv, "apiVersion: v1\nkind: Service\nmetadata: {name: s}\n").is_empty());
    }
}
