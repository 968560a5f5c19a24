use super::{istio_inject_value, istio_injection, namespace_object, namespace_of, pod_label_or_annotation, workload};
use kubefort_model::{declare_rule, Context, Sink};

declare_rule! {
    /// ## What it does
    /// Flags workloads whose pod template opts out of Istio sidecar
    /// injection — the label or annotation `sidecar.istio.io/inject` set to
    /// `"false"` (or any value other than `y`, `yes`, `true`, `on`, as
    /// Istio's injector reads it; the label wins over the annotation) — in a
    /// namespace labelled for injection (`istio-injection=enabled` or
    /// `istio.io/rev`). The Namespace must be part of the scanned input.
    ///
    /// ## Why is this bad?
    /// A pod without a sidecar is outside the mesh while its neighbours are
    /// inside: it has no workload identity, sends and receives plaintext,
    /// and no `AuthorizationPolicy` applies to its inbound traffic. If the
    /// namespace is `STRICT`, its calls to meshed services fail, which
    /// pushes people to relax mTLS for everyone; if it is `PERMISSIVE`, it
    /// is a plaintext path into the mesh.
    ///
    /// ## Example
    /// ```yaml
    /// kind: Deployment
    /// metadata: {name: legacy, namespace: shop}   # shop: istio-injection=enabled
    /// spec:
    ///   template:
    ///     metadata:
    ///       labels:
    ///         sidecar.istio.io/inject: "false"
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// spec:
    ///   template:
    ///     metadata:
    ///       labels: {app: legacy}   # no opt-out: the namespace default injects
    /// ```
    ///
    /// ## References
    /// - <https://istio.io/latest/docs/setup/additional-setup/sidecar-injection/#controlling-the-injection-policy>
    pub struct SidecarInjectionDisabled {
        id: "KF-MESH-005",
        name: "istio-sidecar-injection-disabled",
        title: "Workload opts out of Istio sidecar injection in a meshed namespace",
        severity: Medium,
        fix: "Remove the sidecar.istio.io/inject opt-out, or move the workload to a namespace outside the mesh",
        references: [],
        check: check,
    }
}

fn check(cx: &Context<'_>, sink: &mut Sink<'_>) {
    let o = cx.object;
    let Some(pod) = workload(o) else { return };
    let Some((pointer, value)) = pod_label_or_annotation(&pod, "sidecar.istio.io/inject") else { return };
    if istio_inject_value(&value) != Some(false) {
        return;
    }
    let namespace = namespace_of(o);
    let Some((_, why)) = namespace_object(cx.inventory, namespace).and_then(istio_injection) else { return };
    sink.report(
        &SidecarInjectionDisabled::META,
        pointer,
        format!(
            "{} sets sidecar.istio.io/inject={value:?} in namespace `{namespace}` ({why}): its pods run outside the mesh",
            o.display_name()
        ),
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{check, pointers};

    const NAMESPACES: &str = r#"
apiVersion: v1
kind: Namespace
metadata: {name: shop, labels: {istio-injection: enabled}}
---
apiVersion: v1
kind: Namespace
metadata: {name: plain}
"#;

    #[test]
    fn flags_opt_outs_in_meshed_namespaces() {
        let yaml = format!(
            r#"{NAMESPACES}---
apiVersion: apps/v1
kind: Deployment
metadata: {{name: legacy, namespace: shop}}
spec:
  template:
    metadata:
      labels:
        sidecar.istio.io/inject: "false"
    spec: {{containers: [{{name: c, image: x}}]}}
---
apiVersion: batch/v1
kind: CronJob
metadata: {{name: job, namespace: shop}}
spec:
  jobTemplate:
    spec:
      template:
        metadata:
          annotations: {{sidecar.istio.io/inject: "no"}}
        spec: {{containers: [{{name: c, image: x}}]}}
"#
        );
        let f = check(&SidecarInjectionDisabled, &yaml);
        assert_eq!(
            pointers(&f),
            [
                ("/spec/template/metadata/labels/sidecar.istio.io~1inject".to_owned(), 17),
                ("/spec/jobTemplate/spec/template/metadata/annotations/sidecar.istio.io~1inject".to_owned(), 28),
            ]
        );
        assert!(f[0].message.contains("Deployment shop/legacy"), "{}", f[0].message);
        assert!(f[0].message.contains("istio-injection=enabled"), "{}", f[0].message);
    }

    #[test]
    fn ignores_opt_ins_other_namespaces_and_label_precedence() {
        let yaml = format!(
            r#"{NAMESPACES}---
apiVersion: apps/v1
kind: Deployment
metadata: {{name: a, namespace: plain}}
spec:
  template:
    metadata: {{labels: {{sidecar.istio.io/inject: "false"}}}}
    spec: {{containers: [{{name: c, image: x}}]}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {{name: b, namespace: shop}}
spec:
  template:
    metadata:
      labels: {{sidecar.istio.io/inject: "true"}}
      annotations: {{sidecar.istio.io/inject: "false"}}
    spec: {{containers: [{{name: c, image: x}}]}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {{name: c, namespace: elsewhere}}
spec:
  template:
    metadata: {{labels: {{sidecar.istio.io/inject: "false"}}}}
    spec: {{containers: [{{name: c, image: x}}]}}
---
apiVersion: v1
kind: Pod
metadata:
  name: b-1
  namespace: shop
  labels: {{sidecar.istio.io/inject: "true"}}
  annotations: {{sidecar.istio.io/inject: "false"}}
  ownerReferences: [{{kind: Deployment, name: b, controller: true}}]
spec: {{containers: [{{name: c, image: x}}]}}
---
apiVersion: v1
kind: Pod
metadata: {{name: e, namespace: shop, labels: {{sidecar.istio.io/inject: false}}}}
spec: {{containers: [{{name: c, image: x}}]}}
"#
        );
        assert!(check(&SidecarInjectionDisabled, &yaml).is_empty());
    }
}
