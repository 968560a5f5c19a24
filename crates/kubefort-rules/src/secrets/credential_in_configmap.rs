use super::{report_hits, Place};
use kubefort_model::{declare_rule, Context, Sink};

declare_rule! {
    /// ## What it does
    /// Flags credentials in a ConfigMap: in `data` values (whole values
    /// under secret-like keys, and any credential inside embedded config
    /// files such as `application.properties` or `.npmrc`) and in
    /// `binaryData` after base64 decoding.
    ///
    /// ## Why is this bad?
    /// ConfigMaps are meant for non-confidential data: RBAC commonly grants
    /// read access to them widely, they are not encrypted at rest even when
    /// Secret encryption is configured, and tools print them freely.
    ///
    /// ## Example
    /// ```yaml
    /// kind: ConfigMap
    /// data:
    ///   application.properties: |
    ///     spring.datasource.password=Zq8v2LmX9rT4
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// kind: ConfigMap
    /// data:
    ///   application.properties: |
    ///     spring.config.import=optional:configtree:/run/secrets/db/
    /// ```
    ///
    /// ## References
    /// - <https://kubernetes.io/docs/concepts/configuration/configmap/>
    pub struct CredentialInConfigMap {
        id: "KF-SEC-003",
        name: "credential-in-configmap",
        title: "ConfigMap holds a credential",
        severity: Critical,
        fix: "Move the credential into a Secret (or an external secret manager) and read it from a mounted file",
        references: ["kubescape:C-0012"],
        check: check,
        prepare: super::PREPARE_HITS,
    }
}

fn check(cx: &Context<'_>, sink: &mut Sink<'_>) {
    report_hits(cx, sink, &CredentialInConfigMap::META, Place::ConfigMap, |h| {
        format!("ConfigMap key {}", h.pointer.rsplit('/').next().unwrap_or(""))
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{check, pointers};
    use kubefort_secrets::fake::Fake;

    #[test]
    fn flags_data_embedded_files_and_binary_data() {
        let mut fake = Fake::new(13);
        let password = fake.password(14);
        let token = fake.secret("github-token");
        let npmrc = format!("//registry.npmjs.org/:_authToken={}\n", fake.secret("npm-token"));
        let binary = kubefort_secrets_b64(&npmrc);
        let yaml = format!(
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: cfg}}\ndata:\n  LOG_LEVEL: info\n  app.properties: |\n    db.host=db\n    db.password={password}\n  GH: {token}\nbinaryData:\n  npmrc: {binary}\n"
        );
        let findings = check(&CredentialInConfigMap, &yaml);
        assert_eq!(
            pointers(&findings),
            [("/data/app.properties".to_owned(), 7), ("/data/GH".to_owned(), 9), ("/binaryData/npmrc".to_owned(), 11)]
        );
        assert!(findings[2].evidence.as_deref().unwrap().starts_with("npm-token npm_****"));
    }

    fn kubefort_secrets_b64(s: &str) -> String {
        const T: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        let b = s.as_bytes();
        let mut out = String::new();
        for chunk in b.chunks(3) {
            let n = (u32::from(chunk[0]) << 16)
                | (u32::from(*chunk.get(1).unwrap_or(&0)) << 8)
                | u32::from(*chunk.get(2).unwrap_or(&0));
            for i in 0..4 {
                if i <= chunk.len() {
                    out.push(T[((n >> (18 - 6 * i)) & 63) as usize] as char);
                } else {
                    out.push('=');
                }
            }
        }
        out
    }

    #[test]
    fn plain_config_passes() {
        let yaml = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata:\n  password: changeme\n  secretName: db\n  token_ttl: '3600'\n";
        assert!(check(&CredentialInConfigMap, yaml).is_empty());
    }
}
