use super::{is_istio_security, namespace_of, selects_whole_namespace, MtlsMode, ISTIO_ROOT_NAMESPACE};
use kubefort_model::{declare_rule, pointer_join, Context, Node, Severity, Sink};

declare_rule! {
    /// ## What it does
    /// Flags Istio `PeerAuthentication` policies (`security.istio.io/v1` and
    /// `v1beta1`) whose `mtls.mode` is `PERMISSIVE` or `DISABLE`, at every
    /// scope: mesh-wide (the root namespace, `istio-system`, with no
    /// selector), namespace-wide (no selector), a workload (`selector`), and
    /// a port of a workload (`portLevelMtls`). `DISABLE` is reported as high,
    /// `PERMISSIVE` as medium.
    ///
    /// `UNSET`, or no `mtls` at all, inherits the mode of the parent scope
    /// (port → workload → namespace → mesh; Istio's default is `PERMISSIVE`),
    /// so it is not flagged here: a meshed namespace left without a `STRICT`
    /// policy is reported by KF-MESH-002. `portLevelMtls` on a policy without
    /// a selector is ignored by Istio, and so here.
    ///
    /// ## Why is this bad?
    /// In `PERMISSIVE` mode a sidecar accepts plaintext as well as mTLS, so
    /// any pod in the cluster — including one outside the mesh, or an
    /// attacker's — can reach the workload without an identity, and every
    /// `AuthorizationPolicy` rule on principals or namespaces is bypassed for
    /// that traffic. `DISABLE` turns mutual TLS off altogether: traffic is
    /// plaintext, readable and alterable on the wire. Either is meant as a
    /// short migration step, and is often forgotten there.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: security.istio.io/v1
    /// kind: PeerAuthentication
    /// metadata: {name: default, namespace: istio-system}
    /// spec:
    ///   mtls: {mode: PERMISSIVE}
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// apiVersion: security.istio.io/v1
    /// kind: PeerAuthentication
    /// metadata: {name: default, namespace: istio-system}
    /// spec:
    ///   mtls: {mode: STRICT}
    /// ```
    ///
    /// ## References
    /// - <https://istio.io/latest/docs/reference/config/security/peer_authentication/>
    /// - <https://istio.io/latest/docs/tasks/security/authentication/mtls-migration/>
    pub struct PeerAuthenticationNotStrict {
        id: "KF-MESH-001",
        name: "istio-peer-authentication-not-strict",
        title: "Istio PeerAuthentication accepts plaintext (mTLS mode PERMISSIVE or DISABLE)",
        severity: Medium,
        fix: "Set mtls.mode to STRICT (and portLevelMtls modes to STRICT, or remove them)",
        references: [],
        check: check,
    }
}

fn check(cx: &Context<'_>, sink: &mut Sink<'_>) {
    let o = cx.object;
    if !is_istio_security(o, "PeerAuthentication") {
        return;
    }
    let spec = o.root.get("spec");
    let namespace = namespace_of(o);
    let whole_namespace = selects_whole_namespace(spec);
    let scope = if whole_namespace && namespace == ISTIO_ROOT_NAMESPACE {
        "mesh-wide PeerAuthentication (root namespace, no selector)".to_owned()
    } else if whole_namespace {
        format!("namespace-wide PeerAuthentication for `{namespace}`")
    } else {
        format!("workload PeerAuthentication (selector) in `{namespace}`")
    };
    let mode = MtlsMode::of(spec.and_then(|s| s.get("mtls")));
    report(sink, mode, "/spec/mtls/mode", &scope, "");
    if whole_namespace {
        return; // Istio ignores portLevelMtls without a selector.
    }
    let Some(ports) = spec.and_then(|s| s.get("portLevelMtls")).and_then(Node::as_map) else { return };
    for (port, mtls) in ports.iter() {
        let pointer = pointer_join(&pointer_join("/spec/portLevelMtls", port), "mode");
        report(sink, MtlsMode::of(Some(mtls)), &pointer, &scope, &format!(" on port {port}"));
    }
}

fn report(sink: &mut Sink<'_>, mode: MtlsMode, pointer: &str, scope: &str, port: &str) {
    let (severity, effect) = match mode {
        MtlsMode::Disable => (Severity::High, "turns mutual TLS off: traffic is plaintext"),
        MtlsMode::Permissive => {
            (Severity::Medium, "accepts plaintext besides mTLS: peers need no identity and bypass principal rules")
        }
        MtlsMode::Strict | MtlsMode::Unset => return,
    };
    let finding = sink.report(
        &PeerAuthenticationNotStrict::META,
        pointer,
        format!("{scope} sets mTLS mode {}{port}; it {effect}", mode.as_str()),
    );
    finding.severity = severity;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{check, pointers};

    #[test]
    fn flags_every_scope_and_port() {
        let yaml = r#"
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: default, namespace: istio-system}
spec:
  mtls: {mode: PERMISSIVE}
---
apiVersion: security.istio.io/v1beta1
kind: PeerAuthentication
metadata: {name: default, namespace: shop}
spec:
  mtls:
    mode: DISABLE
---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: db, namespace: shop}
spec:
  selector: {matchLabels: {app: db}}
  mtls: {mode: STRICT}
  portLevelMtls:
    "9104": {mode: PERMISSIVE}
    "5432": {mode: STRICT}
    "8080": {mode: UNSET}
"#;
        let f = check(&PeerAuthenticationNotStrict, yaml);
        assert_eq!(
            pointers(&f),
            [
                ("/spec/mtls/mode".to_owned(), 6),
                ("/spec/mtls/mode".to_owned(), 13),
                ("/spec/portLevelMtls/9104/mode".to_owned(), 22),
            ]
        );
        assert!(f[0].message.starts_with("mesh-wide"), "{}", f[0].message);
        assert_eq!(f[0].severity, Severity::Medium);
        assert!(f[1].message.contains("namespace-wide PeerAuthentication for `shop`"), "{}", f[1].message);
        assert_eq!(f[1].severity, Severity::High);
        assert!(f[2].message.contains("port 9104"), "{}", f[2].message);
    }

    #[test]
    fn ignores_strict_unset_wrong_shapes_and_other_groups() {
        let yaml = r#"
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: default, namespace: istio-system}
spec: {mtls: {mode: STRICT}}
---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: inherits, namespace: shop}
spec: {selector: {matchLabels: {app: web}}}
---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: junk, namespace: shop}
spec: {selector: {matchLabels: {app: x}}, mtls: PERMISSIVE, portLevelMtls: {"80": DISABLE, "81": [1]}}
---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: nsports, namespace: shop}
spec: {mtls: {mode: STRICT}, portLevelMtls: {"80": {mode: DISABLE}}}
---
apiVersion: example.com/v1
kind: PeerAuthentication
metadata: {name: other, namespace: shop}
spec: {mtls: {mode: DISABLE}}
---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: nospec, namespace: shop}
"#;
        assert!(check(&PeerAuthenticationNotStrict, yaml).is_empty());
    }
}
