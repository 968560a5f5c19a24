use super::{istio_injection, Inherited, MtlsMode, PeerAuthIndex, ISTIO_ROOT_NAMESPACE};
use kubefort_model::{declare_rule, Context, Sink};

declare_rule! {
    /// ## What it does
    /// Flags namespaces labelled for Istio sidecar injection
    /// (`istio-injection=enabled`, or `istio.io/rev=<revision>`) that no
    /// `STRICT` PeerAuthentication covers: neither a namespace-wide one (no
    /// selector, in the namespace) nor, when the namespace sets none, the
    /// mesh-wide one (no selector, in the root namespace `istio-system`).
    /// A policy with mode `UNSET` inherits, so it neither covers nor breaks
    /// coverage; with no policy at all Istio's default is `PERMISSIVE`.
    ///
    /// ## Why is this bad?
    /// Putting workloads in the mesh gives them identities and encrypts the
    /// traffic between sidecars, but until mTLS is `STRICT` every sidecar
    /// still accepts plaintext. A pod outside the mesh (or a compromised
    /// one that skips its sidecar) then reaches every service in the
    /// namespace without any identity, and authorization policies that
    /// match on principals or source namespaces never see it.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: v1
    /// kind: Namespace
    /// metadata:
    ///   name: shop
    ///   labels: {istio-injection: enabled}
    /// # …and no STRICT PeerAuthentication in shop or istio-system
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// apiVersion: security.istio.io/v1
    /// kind: PeerAuthentication
    /// metadata: {name: default, namespace: shop}   # or istio-system, mesh-wide
    /// spec:
    ///   mtls: {mode: STRICT}
    /// ```
    ///
    /// ## References
    /// - <https://istio.io/latest/docs/concepts/security/#peer-authentication>
    /// - <https://istio.io/latest/docs/tasks/security/authentication/mtls-migration/>
    pub struct NamespaceWithoutStrictMtls {
        id: "KF-MESH-002",
        name: "meshed-namespace-without-strict-mtls",
        title: "Istio-meshed namespace is not covered by a STRICT PeerAuthentication",
        severity: Medium,
        fix: "Add a PeerAuthentication with mtls.mode STRICT and no selector, in the namespace or mesh-wide in istio-system",
        references: [],
        check: check,
    }
}

fn check(cx: &Context<'_>, sink: &mut Sink<'_>) {
    let o = cx.object;
    let Some((pointer, why)) = istio_injection(o) else { return };
    let (mode, from) = PeerAuthIndex::of(cx.inventory).effective(&o.name);
    let cause = match (mode, from) {
        (MtlsMode::Strict, _) => return,
        (_, Inherited::Default) => format!(
            "no PeerAuthentication without a selector in `{}` or `{ISTIO_ROOT_NAMESPACE}` sets a mode, so Istio's default PERMISSIVE applies",
            o.name
        ),
        (mode, Inherited::Namespace) => format!("its namespace-wide PeerAuthentication sets {}", mode.as_str()),
        (mode, Inherited::Mesh) => format!("the mesh-wide PeerAuthentication sets {}", mode.as_str()),
    };
    sink.report(
        &NamespaceWithoutStrictMtls::META,
        pointer,
        format!("namespace `{}` is meshed ({why}) but mTLS is not STRICT: {cause}", o.name),
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{check, pointers};

    const NAMESPACES: &str = r#"
apiVersion: v1
kind: Namespace
metadata:
  name: shop
  labels: {istio-injection: enabled}
---
apiVersion: v1
kind: Namespace
metadata:
  name: pay
  labels:
    istio.io/rev: canary
---
apiVersion: v1
kind: Namespace
metadata:
  name: off
  labels: {istio-injection: disabled, istio.io/rev: canary}
---
apiVersion: v1
kind: Namespace
metadata: {name: plain, labels: {istio-injection: [enabled]}}
"#;

    fn pa(namespace: &str, spec: &str) -> String {
        format!(
            "---\napiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata: {{name: p, namespace: {namespace}}}\nspec: {spec}\n"
        )
    }

    #[test]
    fn flags_meshed_namespaces_without_strict() {
        let f = check(&NamespaceWithoutStrictMtls, NAMESPACES);
        assert_eq!(
            pointers(&f),
            [("/metadata/labels/istio-injection".to_owned(), 6), ("/metadata/labels/istio.io~1rev".to_owned(), 13)]
        );
        assert!(f[0].message.contains("default PERMISSIVE"), "{}", f[0].message);
        assert!(f[1].message.contains("istio.io/rev=canary"), "{}", f[1].message);

        // A workload-level STRICT policy does not cover the namespace; a
        // PERMISSIVE namespace policy overrides a STRICT mesh-wide one.
        let yaml = format!(
            "{NAMESPACES}{}{}{}",
            pa("istio-system", "{mtls: {mode: STRICT}}"),
            pa("shop", "{selector: {matchLabels: {app: a}}, mtls: {mode: STRICT}}"),
            pa("pay", "{mtls: {mode: PERMISSIVE}}"),
        );
        let f = check(&NamespaceWithoutStrictMtls, &yaml);
        assert_eq!(f.len(), 1);
        assert!(f[0].message.contains("its namespace-wide PeerAuthentication sets PERMISSIVE"), "{}", f[0].message);
    }

    #[test]
    fn strict_mesh_wide_or_namespace_policy_covers() {
        let mesh = format!(
            "{NAMESPACES}{}{}",
            pa("istio-system", "{mtls: {mode: STRICT}}"),
            pa("shop", "{mtls: {mode: UNSET}}")
        );
        assert!(check(&NamespaceWithoutStrictMtls, &mesh).is_empty());
        let each =
            format!("{NAMESPACES}{}{}", pa("shop", "{mtls: {mode: STRICT}}"), pa("pay", "{mtls: {mode: STRICT}}"));
        assert!(check(&NamespaceWithoutStrictMtls, &each).is_empty());
        let disabled = format!("{NAMESPACES}{}", pa("istio-system", "{mtls: {mode: DISABLE}}"));
        let f = check(&NamespaceWithoutStrictMtls, &disabled);
        assert_eq!(f.len(), 2);
        assert!(f[0].message.contains("mesh-wide PeerAuthentication sets DISABLE"), "{}", f[0].message);
    }
}
