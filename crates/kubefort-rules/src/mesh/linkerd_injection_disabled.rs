use super::{linkerd_injection, namespace_object, namespace_of, workload};
use kubefort_model::{declare_rule, Context, Sink};

declare_rule! {
    /// ## What it does
    /// Flags workloads whose pod template carries the annotation
    /// `linkerd.io/inject: disabled` in a namespace annotated
    /// `linkerd.io/inject: enabled`. The Namespace must be part of the
    /// scanned input.
    ///
    /// ## Why is this bad?
    /// Linkerd's mTLS and its `Server`/`AuthorizationPolicy` resources work
    /// through the proxy. A pod that skips it in a meshed namespace has no
    /// mesh identity, talks plaintext, and is not covered by any mesh
    /// authorization: a gap the rest of the namespace's policies do not show.
    ///
    /// ## Example
    /// ```yaml
    /// kind: Deployment
    /// metadata: {name: legacy, namespace: billing}   # billing: linkerd.io/inject=enabled
    /// spec:
    ///   template:
    ///     metadata:
    ///       annotations:
    ///         linkerd.io/inject: disabled
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// spec:
    ///   template:
    ///     metadata:
    ///       annotations: {}   # inherit linkerd.io/inject: enabled from the namespace
    /// ```
    ///
    /// ## References
    /// - <https://linkerd.io/2/features/proxy-injection/>
    pub struct LinkerdInjectionDisabled {
        id: "KF-MESH-006",
        name: "linkerd-proxy-injection-disabled",
        title: "Workload opts out of the Linkerd proxy in a meshed namespace",
        severity: Medium,
        fix: "Remove the linkerd.io/inject: disabled annotation, or move the workload out of the meshed namespace",
        references: [],
        check: check,
    }
}

fn check(cx: &Context<'_>, sink: &mut Sink<'_>) {
    let o = cx.object;
    let Some(pod) = workload(o) else { return };
    if pod.annotation("linkerd.io/inject") != Some("disabled") {
        return;
    }
    let namespace = namespace_of(o);
    if !namespace_object(cx.inventory, namespace).is_some_and(linkerd_injection) {
        return;
    }
    sink.report(
        &LinkerdInjectionDisabled::META,
        pod.annotation_pointer("linkerd.io/inject"),
        format!(
            "{} sets linkerd.io/inject: disabled in namespace `{namespace}` (linkerd.io/inject: enabled): its pods run without the Linkerd proxy",
            o.display_name()
        ),
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{check, pointers};

    const YAML: &str = r#"
apiVersion: v1
kind: Namespace
metadata:
  name: billing
  annotations: {linkerd.io/inject: enabled}
---
apiVersion: v1
kind: Namespace
metadata: {name: plain, annotations: {linkerd.io/inject: disabled}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: legacy, namespace: billing}
spec:
  template:
    metadata:
      annotations:
        linkerd.io/inject: disabled
    spec: {containers: [{name: c, image: x}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: other, namespace: plain}
spec:
  template:
    metadata: {annotations: {linkerd.io/inject: disabled}}
    spec: {containers: [{name: c, image: x}]}
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: meshed, namespace: billing}
spec:
  template:
    metadata: {annotations: {linkerd.io/inject: enabled}}
    spec: {containers: [{name: c, image: x}]}
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: junk, namespace: billing}
spec:
  template:
    metadata: {annotations: [linkerd.io/inject]}
    spec: {containers: [{name: c, image: x}]}
"#;

    #[test]
    fn flags_only_opt_outs_in_meshed_namespaces() {
        let f = check(&LinkerdInjectionDisabled, YAML);
        assert_eq!(pointers(&f), [("/spec/template/metadata/annotations/linkerd.io~1inject".to_owned(), 19)]);
        assert!(f[0].message.contains("Deployment billing/legacy"), "{}", f[0].message);
    }
}
