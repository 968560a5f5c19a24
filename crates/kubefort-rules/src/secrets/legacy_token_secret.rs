use kubefort_model::{declare_rule, Context, Node, Sink};

declare_rule! {
    /// ## What it does
    /// Flags Secrets of type `kubernetes.io/service-account-token`: the
    /// legacy, long-lived service-account token that the token controller
    /// fills in for the service account named in the
    /// `kubernetes.io/service-account.name` annotation.
    ///
    /// ## Why is this bad?
    /// Such a token never expires and is not bound to a pod: whoever copies
    /// it keeps the service account's permissions until the Secret is
    /// deleted. Kubernetes no longer creates them (since 1.24) and cleans
    /// up unused ones (1.29+); pods get short-lived projected tokens, and
    /// clients outside the cluster can use `kubectl create token`.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: v1
    /// kind: Secret
    /// metadata:
    ///   name: ci-token
    ///   annotations: {kubernetes.io/service-account.name: ci}
    /// type: kubernetes.io/service-account-token
    /// ```
    ///
    /// ## Use instead
    /// ```sh
    /// kubectl create token ci --duration=1h   # a short-lived, audience-bound token
    /// ```
    ///
    /// ## References
    /// - <https://kubernetes.io/docs/concepts/security/service-accounts/#get-a-token>
    pub struct LegacyTokenSecret {
        id: "KF-SEC-009",
        name: "legacy-service-account-token-secret",
        title: "Long-lived service-account token Secret",
        severity: Medium,
        fix: "Delete the Secret and use short-lived tokens (projected volumes, TokenRequest / kubectl create token)",
        references: [],
        check: check,
    }
}

fn check(cx: &Context<'_>, sink: &mut Sink<'_>) {
    let object = cx.object;
    if object.kind != "Secret"
        || object.root.get("type").and_then(Node::as_str) != Some("kubernetes.io/service-account-token")
    {
        return;
    }
    let account = object.annotation("kubernetes.io/service-account.name").unwrap_or("?");
    sink.report(
        &LegacyTokenSecret::META,
        "/type",
        format!("Secret {} holds a non-expiring token for service account {account}", object.name),
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{check, pointers};

    #[test]
    fn flags_token_secrets_only() {
        let yaml = "apiVersion: v1\nkind: Secret\nmetadata:\n  name: t\n  annotations: {kubernetes.io/service-account.name: ci}\ntype: kubernetes.io/service-account-token\n---\napiVersion: v1\nkind: Secret\nmetadata: {name: o}\ntype: Opaque\n";
        let findings = check(&LegacyTokenSecret, yaml);
        assert_eq!(pointers(&findings), [("/type".to_owned(), 6)]);
        assert_eq!(findings[0].message, "Secret t holds a non-expiring token for service account ci");
    }
}
