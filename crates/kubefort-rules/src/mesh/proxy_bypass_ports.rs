use super::{
    istio_inject_value, istio_injection, linkerd_injection, namespace_object, namespace_of, pod_label_or_annotation,
    workload,
};
use kubefort_model::{declare_rule, pointer_join, Context, PodSpecRef, Sink};

declare_rule! {
    /// ## What it does
    /// Flags meshed workloads whose annotations route ports around the
    /// mesh proxy:
    ///
    /// - Linkerd: `config.linkerd.io/skip-inbound-ports` and
    ///   `config.linkerd.io/skip-outbound-ports` on the pod template of a
    ///   workload with the proxy (pod annotation `linkerd.io/inject: enabled`
    ///   or `ingress`, or a namespace annotated `linkerd.io/inject: enabled`
    ///   and no `disabled` on the pod), and on a Namespace annotated
    ///   `linkerd.io/inject: enabled` (its pods inherit them).
    /// - Istio: `traffic.sidecar.istio.io/excludeInboundPorts` and
    ///   `traffic.sidecar.istio.io/excludeOutboundPorts` on the pod template
    ///   of a workload with a sidecar (`sidecar.istio.io/inject: "true"`, or a
    ///   namespace labelled for injection and no opt-out).
    ///
    /// ## Why is this bad?
    /// Traffic on a skipped port never reaches the proxy: it is not
    /// encrypted with mTLS, carries no identity, and no mesh authorization
    /// policy sees it. A skipped inbound port is a plaintext door into a
    /// pod the rest of the configuration treats as protected; a skipped
    /// outbound port lets the pod talk past egress policy. Skips are
    /// sometimes needed (a database protocol the proxy breaks, a
    /// server-speaks-first protocol), so this is low severity — but each
    /// one should be deliberate and as narrow as possible.
    ///
    /// ## Example
    /// ```yaml
    /// spec:
    ///   template:
    ///     metadata:
    ///       annotations:
    ///         config.linkerd.io/skip-inbound-ports: "4222,8080-8090"
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// spec:
    ///   template:
    ///     metadata:
    ///       annotations:
    ///         config.linkerd.io/opaque-ports: "4222"   # proxied, still mTLS
    /// ```
    ///
    /// ## References
    /// - <https://linkerd.io/2/features/protocol-detection/>
    /// - <https://istio.io/latest/docs/reference/config/annotations/#SidecarTrafficExcludeInboundPorts>
    pub struct ProxyBypassPorts {
        id: "KF-MESH-007",
        name: "mesh-proxy-bypass-ports",
        title: "Meshed workload routes ports around the mesh proxy",
        severity: Low,
        fix: "Remove the skip/exclude port annotation; for protocols the proxy mishandles use opaque ports (Linkerd) or an explicit protocol on the Service port (Istio)",
        references: [],
        check: check,
    }
}

const LINKERD: [(&str, &str); 2] = [
    ("config.linkerd.io/skip-inbound-ports", "inbound traffic to"),
    ("config.linkerd.io/skip-outbound-ports", "outbound traffic to"),
];
const ISTIO: [(&str, &str); 2] = [
    ("traffic.sidecar.istio.io/excludeInboundPorts", "inbound traffic to"),
    ("traffic.sidecar.istio.io/excludeOutboundPorts", "outbound traffic to"),
];

fn check(cx: &Context<'_>, sink: &mut Sink<'_>) {
    let o = cx.object;
    if o.kind == "Namespace" {
        if linkerd_injection(o) {
            for (key, direction) in LINKERD {
                if let Some(ports) = o.annotation(key).map(str::trim).filter(|p| !p.is_empty()) {
                    sink.report(
                        &ProxyBypassPorts::META,
                        pointer_join("/metadata/annotations", key),
                        format!("{key}={ports:?}: in every pod of namespace `{}`, {direction} these ports bypasses the Linkerd proxy (no mTLS, no policy)", o.name),
                    );
                }
            }
        }
        return;
    }
    let Some(pod) = workload(o) else { return };
    let namespace = namespace_object(cx.inventory, namespace_of(o));
    let linkerd = match pod.annotation("linkerd.io/inject") {
        Some("enabled" | "ingress") => true,
        Some("disabled") => false,
        _ => namespace.is_some_and(linkerd_injection),
    };
    let istio = match pod_label_or_annotation(&pod, "sidecar.istio.io/inject").and_then(|(_, v)| istio_inject_value(&v))
    {
        Some(inject) => inject,
        None => namespace.and_then(istio_injection).is_some(),
    };
    if linkerd {
        report(sink, &pod, &LINKERD, "Linkerd proxy", &o.display_name());
    }
    if istio {
        report(sink, &pod, &ISTIO, "Istio sidecar", &o.display_name());
    }
}

fn report(sink: &mut Sink<'_>, pod: &PodSpecRef<'_>, keys: &[(&str, &str)], proxy: &str, name: &str) {
    for (key, direction) in keys {
        if let Some(ports) = pod.annotation(key).map(str::trim).filter(|p| !p.is_empty()) {
            sink.report(
                &ProxyBypassPorts::META,
                pod.annotation_pointer(key),
                format!("{name}: {key}={ports:?}: {direction} these ports bypasses the {proxy} (no mTLS, no policy)"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{check, pointers};

    const NAMESPACES: &str = r#"
apiVersion: v1
kind: Namespace
metadata:
  name: billing
  annotations:
    linkerd.io/inject: enabled
    config.linkerd.io/skip-outbound-ports: "25"
---
apiVersion: v1
kind: Namespace
metadata: {name: shop, labels: {istio-injection: enabled}}
---
apiVersion: v1
kind: Namespace
metadata: {name: plain, annotations: {config.linkerd.io/skip-inbound-ports: "1"}}
"#;

    fn deployment(namespace: &str, annotations: &str) -> String {
        format!(
            "---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: d, namespace: {namespace}}}\nspec:\n  template:\n    metadata:\n      annotations: {annotations}\n    spec: {{containers: [{{name: c, image: x}}]}}\n"
        )
    }

    #[test]
    fn flags_skipped_ports_of_meshed_workloads_and_namespaces() {
        let f = check(&ProxyBypassPorts, NAMESPACES);
        assert_eq!(pointers(&f), [("/metadata/annotations/config.linkerd.io~1skip-outbound-ports".to_owned(), 8)]);
        assert!(f[0].message.contains("namespace `billing`"), "{}", f[0].message);

        let linkerd = deployment("billing", r#"{config.linkerd.io/skip-inbound-ports: "4222"}"#);
        let f = check(&ProxyBypassPorts, &linkerd);
        // Without the Namespace in the input, billing is not known to be meshed.
        assert!(f.is_empty());
        let f = check(&ProxyBypassPorts, &format!("{NAMESPACES}{linkerd}"));
        assert_eq!(f.len(), 2);
        assert_eq!(f[1].pointer, "/spec/template/metadata/annotations/config.linkerd.io~1skip-inbound-ports");
        assert!(f[1].message.contains("inbound traffic to these ports bypasses the Linkerd proxy"), "{}", f[1].message);

        let opted_in = deployment(
            "plain",
            r#"{linkerd.io/inject: enabled, config.linkerd.io/skip-outbound-ports: "3306", sidecar.istio.io/inject: "true", traffic.sidecar.istio.io/excludeInboundPorts: "9000"}"#,
        );
        let f = check(&ProxyBypassPorts, &opted_in);
        assert_eq!(f.len(), 2);
        assert!(f[0].message.contains("Linkerd proxy") && f[1].message.contains("Istio sidecar"), "{f:?}");

        let istio = deployment("shop", r#"{traffic.sidecar.istio.io/excludeOutboundPorts: "5432"}"#);
        let f = check(&ProxyBypassPorts, &format!("{NAMESPACES}{istio}"));
        assert_eq!(f.len(), 2);
        assert!(
            f[1].message.contains("outbound traffic to these ports bypasses the Istio sidecar"),
            "{}",
            f[1].message
        );
    }

    #[test]
    fn ignores_unmeshed_workloads_and_empty_values() {
        let yaml = format!(
            "{}{}{}{}",
            deployment("billing", r#"{linkerd.io/inject: disabled, config.linkerd.io/skip-inbound-ports: "1"}"#),
            deployment(
                "shop",
                r#"{sidecar.istio.io/inject: "false", traffic.sidecar.istio.io/excludeInboundPorts: "1"}"#
            ),
            deployment(
                "plain",
                r#"{config.linkerd.io/skip-inbound-ports: "1", traffic.sidecar.istio.io/excludeInboundPorts: "1"}"#
            ),
            deployment(
                "shop",
                r#"{traffic.sidecar.istio.io/excludeInboundPorts: " ", traffic.sidecar.istio.io/excludeOutboundPorts: [1]}"#
            ),
        );
        let namespaces = NAMESPACES.replace("    config.linkerd.io/skip-outbound-ports: \"25\"\n", "");
        assert!(check(&ProxyBypassPorts, &format!("{namespaces}{yaml}")).is_empty());
    }
}
