use super::{report_hits, Place};
use kubefort_model::{declare_rule, Context, Sink};

declare_rule! {
    /// ## What it does
    /// Flags container `command` and `args` items that carry a credential:
    /// a recognised format anywhere in the item (`--token=ghp_…`,
    /// `postgres://app:pw@db`), or a random-looking value given to a
    /// secret-like flag (`--db-password=…`, or `--password` followed by the
    /// value as the next item).
    ///
    /// ## Why is this bad?
    /// Besides sitting in the manifest like any literal, a command-line
    /// credential is visible to every process on the node through
    /// `/proc/<pid>/cmdline` and in `ps` output, crash reports and audit
    /// logs of the container runtime.
    ///
    /// ## Example
    /// ```yaml
    /// args: ["--db-url", "postgres://app:S3cr3tValue@db:5432/app"]
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// args: ["--db-url-file", "/run/secrets/db/url"]
    /// ```
    ///
    /// ## References
    /// - <https://kubernetes.io/docs/concepts/security/secrets-good-practices/>
    pub struct CredentialInCommand {
        id: "KF-SEC-002",
        name: "credential-in-command",
        title: "Container command or args hold a hardcoded credential",
        severity: Critical,
        fix: "Pass the credential as a mounted Secret file (a `--…-file` flag) instead of on the command line",
        references: ["kubescape:C-0012"],
        check: check,
        prepare: super::PREPARE_HITS,
    }
}

fn check(cx: &Context<'_>, sink: &mut Sink<'_>) {
    report_hits(cx, sink, &CredentialInCommand::META, Place::Command, |_| "command-line argument".to_owned());
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{check, pointers};
    use kubefort_secrets::fake::Fake;

    #[test]
    fn flags_flag_values_and_credentials_in_urls() {
        let mut fake = Fake::new(12);
        let (p1, p2, p3) = (fake.password(15), fake.password(15), fake.password(15));
        let yaml = format!(
            r#"apiVersion: v1
kind: Pod
metadata: {{name: p}}
spec:
  containers:
    - name: app
      command: ["app", "--db-password={p1}"]
      args:
        - --api-key
        - "{p2}"
        - --url=postgres://app:{p3}@db:5432/app
        - --password-file=/run/secrets/pw
        - --verbose
"#
        );
        let findings = check(&CredentialInCommand, &yaml);
        let c = "/spec/containers/0";
        assert_eq!(
            pointers(&findings),
            [(format!("{c}/command/1"), 7), (format!("{c}/args/1"), 10), (format!("{c}/args/2"), 11)]
        );
        for f in &findings {
            let shown = format!("{} {:?}", f.message, f.evidence);
            assert!(![&p1, &p2, &p3].iter().any(|p| shown.contains(p.as_str())), "value leaked");
        }
    }

    #[test]
    fn plain_commands_pass() {
        let yaml = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    - name: a\n      command: [sh, -c, 'exec app --token-file=/var/run/token']\n";
        assert!(check(&CredentialInCommand, yaml).is_empty());
    }
}
