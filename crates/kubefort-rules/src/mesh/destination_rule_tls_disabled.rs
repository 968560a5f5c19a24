use super::is_istio_networking;
use kubefort_model::{declare_rule, Context, Node, Sink};

declare_rule! {
    /// ## What it does
    /// Flags Istio `DestinationRule`s (`networking.istio.io/v1`, `v1beta1`,
    /// `v1alpha3`) with `tls.mode: DISABLE` in a traffic policy: the rule's
    /// own `trafficPolicy`, one of its `portLevelSettings`, or the traffic
    /// policy (and port-level settings) of a `subset`.
    ///
    /// ## Why is this bad?
    /// A DestinationRule tells the client sidecars how to connect to a host.
    /// `DISABLE` makes them send plaintext, overriding Istio's automatic
    /// mTLS: requests and responses cross the network unencrypted and carry
    /// no client identity. Against a `PERMISSIVE` server the connection
    /// quietly succeeds in plaintext; against a `STRICT` one it fails, which
    /// is how the setting tends to spread (someone "fixes" the server next).
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: networking.istio.io/v1
    /// kind: DestinationRule
    /// metadata: {name: db, namespace: shop}
    /// spec:
    ///   host: db.shop.svc.cluster.local
    ///   trafficPolicy:
    ///     tls: {mode: DISABLE}
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// spec:
    ///   host: db.shop.svc.cluster.local
    ///   trafficPolicy:
    ///     tls: {mode: ISTIO_MUTUAL}   # or leave tls out: automatic mTLS
    /// ```
    ///
    /// ## References
    /// - <https://istio.io/latest/docs/reference/config/networking/destination-rule/#ClientTLSSettings-TLSmode>
    pub struct DestinationRuleTlsDisabled {
        id: "KF-MESH-003",
        name: "istio-destination-rule-tls-disabled",
        title: "Istio DestinationRule disables TLS to its host",
        severity: Medium,
        fix: "Set tls.mode to ISTIO_MUTUAL (or remove the tls block so automatic mTLS applies)",
        references: [],
        check: check,
    }
}

fn check(cx: &Context<'_>, sink: &mut Sink<'_>) {
    let o = cx.object;
    if !is_istio_networking(o, "DestinationRule") {
        return;
    }
    let Some(spec) = o.root.get("spec") else { return };
    let host = spec.get("host").and_then(Node::as_str).unwrap_or("?");
    let target = format!("traffic to `{host}`");
    policy(sink, spec.get("trafficPolicy"), "/spec/trafficPolicy", &target);
    for (i, subset) in spec.get("subsets").map(Node::as_seq).unwrap_or(&[]).iter().enumerate() {
        let name = subset.get("name").and_then(Node::as_str).unwrap_or("?");
        let target = format!("{target}, subset `{name}`");
        policy(sink, subset.get("trafficPolicy"), &format!("/spec/subsets/{i}/trafficPolicy"), &target);
    }
}

/// One traffic policy and its port-level settings.
fn policy(sink: &mut Sink<'_>, policy: Option<&Node>, pointer: &str, target: &str) {
    let Some(policy) = policy else { return };
    tls(sink, policy, pointer, target);
    for (i, port) in policy.get("portLevelSettings").map(Node::as_seq).unwrap_or(&[]).iter().enumerate() {
        let number = port.path(&["port", "number"]).and_then(Node::scalar_text).unwrap_or_else(|| "?".into());
        tls(sink, port, &format!("{pointer}/portLevelSettings/{i}"), &format!("{target}, port {number}"));
    }
}

fn tls(sink: &mut Sink<'_>, settings: &Node, pointer: &str, target: &str) {
    if settings.path(&["tls", "mode"]).and_then(Node::as_str) == Some("DISABLE") {
        sink.report(
            &DestinationRuleTlsDisabled::META,
            format!("{pointer}/tls/mode"),
            format!("{target} is sent in plaintext (tls.mode DISABLE overrides Istio's automatic mTLS)"),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{check, pointers};

    #[test]
    fn flags_disable_at_every_level() {
        let yaml = r#"
apiVersion: networking.istio.io/v1alpha3
kind: DestinationRule
metadata: {name: db, namespace: shop}
spec:
  host: db.shop.svc.cluster.local
  trafficPolicy:
    tls: {mode: DISABLE}
    portLevelSettings:
      - port: {number: 9104}
        tls:
          mode: DISABLE
      - port: {number: 5432}
        tls: {mode: ISTIO_MUTUAL}
  subsets:
    - name: replica
      trafficPolicy:
        tls: {mode: DISABLE}
        portLevelSettings:
          - port: {number: 80}
            tls: {mode: DISABLE}
"#;
        let f = check(&DestinationRuleTlsDisabled, yaml);
        assert_eq!(
            pointers(&f),
            [
                ("/spec/trafficPolicy/tls/mode".to_owned(), 8),
                ("/spec/trafficPolicy/portLevelSettings/0/tls/mode".to_owned(), 12),
                ("/spec/subsets/0/trafficPolicy/tls/mode".to_owned(), 18),
                ("/spec/subsets/0/trafficPolicy/portLevelSettings/0/tls/mode".to_owned(), 21),
            ]
        );
        assert!(f[1].message.contains("`db.shop.svc.cluster.local`, port 9104"), "{}", f[1].message);
        assert!(f[3].message.contains("subset `replica`, port 80"), "{}", f[3].message);
    }

    #[test]
    fn ignores_mutual_tls_wrong_shapes_and_other_kinds() {
        let yaml = r#"
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: ok, namespace: shop}
spec:
  host: web
  trafficPolicy: {tls: {mode: ISTIO_MUTUAL}, portLevelSettings: {a: b}}
  subsets: [{name: a}, junk, {name: b, trafficPolicy: [1]}]
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: junk, namespace: shop}
spec: {host: web, trafficPolicy: {tls: DISABLE}}
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: vs, namespace: shop}
spec: {trafficPolicy: {tls: {mode: DISABLE}}}
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: empty, namespace: shop}
spec: []
"#;
        assert!(check(&DestinationRuleTlsDisabled, yaml).is_empty());
    }
}
