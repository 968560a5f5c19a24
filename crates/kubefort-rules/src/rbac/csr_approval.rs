use super::checked_role;
use kubefort_model::{declare_rule, Context, Sink};
use kubefort_rbac::{rule_allows, Request, RoleKind};

declare_rule! {
    /// ## What it does
    /// Flags ClusterRoles that can approve certificate signing requests for
    /// a signer that issues API credentials: `update` or `patch` on
    /// `certificatesigningrequests/approval` together with `approve` on
    /// `signers` for `kubernetes.io/kube-apiserver-client` or
    /// `kubernetes.io/kube-apiserver-client-kubelet` (by name, by
    /// `kubernetes.io/*`, or by a wildcard). The finding points at the rule
    /// granting the approval. Roles are not checked: both resources are
    /// cluster-scoped.
    ///
    /// ## Why is this bad?
    /// The API server trusts the client certificates these signers issue: the
    /// certificate's subject is the user name and its organisations are the
    /// groups. Approving one's own CSR for `O=system:masters` yields a
    /// credential that bypasses RBAC entirely, cannot be revoked, and lasts
    /// until it expires; for the kubelet signer, a node's identity.
    ///
    /// ## Example
    /// ```yaml
    /// rules:
    ///   - apiGroups: ["certificates.k8s.io"]
    ///     resources: ["certificatesigningrequests/approval"]
    ///     verbs: ["update"]
    ///   - apiGroups: ["certificates.k8s.io"]
    ///     resources: ["signers"]
    ///     resourceNames: ["kubernetes.io/kube-apiserver-client"]
    ///     verbs: ["approve"]
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// # Approval only for the signer this controller serves.
    /// rules:
    ///   - apiGroups: ["certificates.k8s.io"]
    ///     resources: ["certificatesigningrequests/approval"]
    ///     verbs: ["update"]
    ///   - apiGroups: ["certificates.k8s.io"]
    ///     resources: ["signers"]
    ///     resourceNames: ["example.com/my-signer"]
    ///     verbs: ["approve"]
    /// ```
    ///
    /// ## References
    /// - <https://kubernetes.io/docs/reference/access-authn-authz/certificate-signing-requests/#authorization>
    /// - <https://kubernetes.io/docs/concepts/security/rbac-good-practices/#csrs-and-certificate-issuing>
    pub struct CsrApproval {
        id: "KF-RBAC-015",
        name: "rbac-csr-approval",
        title: "RBAC role can approve client certificates for the API server",
        severity: High,
        fix: "Grant approve only on the signers the controller serves, never the kube-apiserver-client signers",
        references: ["checkov:CKV_K8S_156", "kubescape:C-0280", "cis-1.12:5.1.11"],
        check: check,
    }
}

const GROUP: &str = "certificates.k8s.io";
/// Signers whose certificates the API server accepts as client credentials.
const SIGNERS: [&str; 2] = ["kubernetes.io/kube-apiserver-client", "kubernetes.io/kube-apiserver-client-kubelet"];

fn check(cx: &Context<'_>, sink: &mut Sink<'_>) {
    let Some(role) = checked_role(cx).filter(|r| r.kind == RoleKind::ClusterRole) else { return };
    // The API server asks for `approve signers NAME`, then for `approve signers DOMAIN/*`.
    let signer = SIGNERS.iter().find_map(|signer| {
        let names = [signer.to_string(), "kubernetes.io/*".to_owned()];
        role.rules.iter().find_map(|r| {
            names
                .iter()
                .any(|n| rule_allows(&r.rule, &Request::resource("approve", GROUP, "signers", "", n)))
                .then_some((*signer, r.index))
        })
    });
    let Some((signer, signer_rule)) = signer else { return };
    for r in &role.rules {
        let verb = ["update", "patch"].into_iter().find(|v| {
            rule_allows(&r.rule, &Request::resource(v, GROUP, "certificatesigningrequests/approval", "", ""))
        });
        if let Some(verb) = verb {
            let by = if signer_rule == r.index { String::new() } else { format!("rule #{signer_rule} ") };
            sink.report(
                &CsrApproval::META,
                format!("/rules/{}", r.index),
                format!(
                    "{} rule #{} grants {verb} certificatesigningrequests/approval and {by}approve on signer {signer}: it can approve client certificates for any user and group, system:masters included",
                    role.display(),
                    r.index
                ),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{check, pointers};

    const ROLE: &str = "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: r}\nrules:\n";
    const APPROVAL: &str =
        "- {verbs: [update], apiGroups: [certificates.k8s.io], resources: [certificatesigningrequests/approval]}\n";

    #[test]
    fn flags_approval_with_a_client_signer() {
        let yaml = format!("{ROLE}{APPROVAL}- {{verbs: [approve], apiGroups: [certificates.k8s.io], resources: [signers], resourceNames: [kubernetes.io/kube-apiserver-client]}}\n");
        let f = check(&CsrApproval, &yaml);
        assert_eq!(pointers(&f), [("/rules/0".into(), 5)]);
        assert!(
            f[0].message.contains("rule #1 approve on signer kubernetes.io/kube-apiserver-client"),
            "{}",
            f[0].message
        );

        let domain = format!("{ROLE}- {{verbs: [approve], apiGroups: [certificates.k8s.io], resources: [signers], resourceNames: [\"kubernetes.io/*\"]}}\n- {{verbs: [patch], apiGroups: [\"*\"], resources: [\"*/approval\"]}}\n");
        let f = check(&CsrApproval, &domain);
        assert_eq!(pointers(&f), [("/rules/1".into(), 6)]);
        assert!(f[0].message.contains("patch certificatesigningrequests/approval"), "{}", f[0].message);

        let kubelet = format!("{ROLE}{APPROVAL}- {{verbs: [approve], apiGroups: [certificates.k8s.io], resources: [signers], resourceNames: [kubernetes.io/kube-apiserver-client-kubelet]}}\n");
        assert_eq!(pointers(&check(&CsrApproval, &kubelet)), [("/rules/0".into(), 5)]);

        let star = format!("{ROLE}- {{verbs: [\"*\"], apiGroups: [\"*\"], resources: [\"*\"]}}\n");
        let f = check(&CsrApproval, &star);
        assert_eq!(pointers(&f), [("/rules/0".into(), 5)]);
        assert!(f[0].message.contains("approval and approve on signer"), "{}", f[0].message);
    }

    #[test]
    fn ignores_approval_alone_other_signers_and_namespaced_roles() {
        assert!(check(&CsrApproval, &format!("{ROLE}{APPROVAL}")).is_empty(), "no signer: approval alone does nothing");
        let other = format!("{ROLE}{APPROVAL}- {{verbs: [approve], apiGroups: [certificates.k8s.io], resources: [signers], resourceNames: [example.com/my-signer, kubernetes.io/kubelet-serving]}}\n");
        assert!(check(&CsrApproval, &other).is_empty());
        let signer_only = format!("{ROLE}- {{verbs: [approve], apiGroups: [certificates.k8s.io], resources: [signers]}}\n- {{verbs: [get, list], apiGroups: [certificates.k8s.io], resources: [certificatesigningrequests]}}\n");
        assert!(check(&CsrApproval, &signer_only).is_empty());
        let role = format!("apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {{name: r, namespace: a}}\nrules:\n{APPROVAL}- {{verbs: [approve], apiGroups: [certificates.k8s.io], resources: [signers]}}\n");
        assert!(check(&CsrApproval, &role).is_empty());
    }
}
