use kubefort_model::{declare_rule, Context, Node, PodSpecRef, Sink};

declare_rule! {
    /// ## What it does
    /// Flags containers that read Secrets into environment variables:
    /// `env[].valueFrom.secretKeyRef` and `envFrom[].secretRef`.
    ///
    /// ## Why is this bad?
    /// Environment variables leak: they are inherited by every child
    /// process, dumped in crash reports and debug endpoints, readable
    /// through `/proc/<pid>/environ`, and printed by `kubectl describe`-style
    /// tooling and APM agents. They are also fixed at start, so a rotated
    /// Secret needs a restart. A mounted Secret file is read only by the
    /// code that opens it and is refreshed in place.
    ///
    /// ## Example
    /// ```yaml
    /// env:
    ///   - name: DB_PASSWORD
    ///     valueFrom:
    ///       secretKeyRef: {name: db, key: password}
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// volumeMounts:
    ///   - {name: db, mountPath: /run/secrets/db, readOnly: true}
    /// volumes:
    ///   - name: db
    ///     secret: {secretName: db, defaultMode: 0440}
    /// ```
    ///
    /// ## References
    /// - <https://kubernetes.io/docs/concepts/configuration/secret/#using-secrets-as-files-from-a-pod>
    pub struct SecretAsEnv {
        id: "KF-SEC-007",
        name: "secret-as-env-var",
        title: "Secret consumed through an environment variable",
        severity: Low,
        fix: "Mount the Secret as a read-only volume and have the application read the file",
        references: ["checkov:CKV_K8S_35", "kube-linter:read-secret-from-env-var", "kubescape:C-0207", "cis-1.12:5.4.1"],
        check: check,
    }
}

fn check(cx: &Context<'_>, sink: &mut Sink<'_>) {
    let Some(pod) = PodSpecRef::to_check(cx.object) else { return };
    for c in pod.containers() {
        for (i, env) in c.node.get("env").map(Node::as_seq).unwrap_or(&[]).iter().enumerate() {
            let Some(r) = env.path(&["valueFrom", "secretKeyRef"]) else { continue };
            let name = env.get("name").and_then(Node::as_str).unwrap_or("?");
            let secret = r.get("name").and_then(Node::as_str).unwrap_or("?");
            let key = r.get("key").and_then(Node::as_str).unwrap_or("?");
            sink.report(
                &SecretAsEnv::META,
                c.at(&format!("env/{i}/valueFrom/secretKeyRef")),
                format!("{} reads Secret {secret} key {key} into environment variable {name}", c.describe()),
            );
        }
        for (i, from) in c.node.get("envFrom").map(Node::as_seq).unwrap_or(&[]).iter().enumerate() {
            let Some(r) = from.get("secretRef") else { continue };
            let secret = r.get("name").and_then(Node::as_str).unwrap_or("?");
            sink.report(
                &SecretAsEnv::META,
                c.at(&format!("envFrom/{i}/secretRef")),
                format!("{} reads every key of Secret {secret} into environment variables", c.describe()),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{check, pointers};

    #[test]
    fn flags_secret_key_refs_and_env_from_secrets() {
        let yaml = r#"
apiVersion: batch/v1
kind: CronJob
metadata: {name: report}
spec:
  jobTemplate:
    spec:
      template:
        spec:
          containers:
            - name: report
              env:
                - name: DB_PASSWORD
                  valueFrom:
                    secretKeyRef: {name: db, key: password}
                - name: MODE
                  valueFrom: {configMapKeyRef: {name: cfg, key: mode}}
              envFrom:
                - configMapRef: {name: cfg}
                - secretRef: {name: api}
"#;
        let findings = check(&SecretAsEnv, yaml);
        let c = "/spec/jobTemplate/spec/template/spec/containers/0";
        assert_eq!(
            pointers(&findings),
            [(format!("{c}/env/0/valueFrom/secretKeyRef"), 15), (format!("{c}/envFrom/1/secretRef"), 20)]
        );
        assert_eq!(
            findings[0].message,
            "container \"report\" reads Secret db key password into environment variable DB_PASSWORD"
        );
    }

    #[test]
    fn files_pass() {
        let yaml = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers: [{name: a, env: [{name: X_FILE, value: /run/secrets/x}]}]\n";
        assert!(check(&SecretAsEnv, yaml).is_empty());
    }
}
