use kubefort_model::{declare_rule, Context, PodSpecRef, Sink};

use super::report_pod_flag;

declare_rule! {
    /// ## What it does
    /// Flags pods whose spec sets `hostNetwork: true`.
    ///
    /// ## Why is this bad?
    /// A pod on the host network sees every interface of the node: it can bind
    /// any port on the node's addresses, sniff or spoof traffic of other pods
    /// and of the node (with `NET_RAW`), and reach services that listen only on
    /// the node's loopback, such as the kubelet's read-only port, local
    /// control-plane components or a cloud metadata proxy. Network policies
    /// do not apply to it.
    ///
    /// ## Example
    /// ```yaml
    /// spec:
    ///   hostNetwork: true
    ///   containers:
    ///     - name: app
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// spec:
    ///   containers:
    ///     - name: app
    ///       ports:
    ///         - containerPort: 8080   # published through a Service
    /// ```
    ///
    /// ## References
    /// - <https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline>
    pub struct HostNetwork {
        id: "KF-POD-009",
        name: "host-network",
        title: "Pod uses the host network namespace",
        severity: High,
        fix: "Remove hostNetwork: true; expose the workload through a Service instead",
        references: [
            "pss:hostNamespaces",
            "checkov:CKV_K8S_19",
            "polaris:hostNetworkSet",
            "kube-linter:host-network",
            "kubescape:C-0041",
            "cis-1.12:5.2.5",
        ],
        check: check,
    }
}

fn check(cx: &Context<'_>, sink: &mut Sink<'_>) {
    let Some(pod) = PodSpecRef::to_check(cx.object) else { return };
    report_pod_flag(&pod, sink, &HostNetwork::META, "hostNetwork", "it shares the node's network namespace");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{check, pointers};

    #[test]
    fn flags_the_pod_spec_field_of_every_workload_kind() {
        let yaml = r#"
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  hostNetwork: true
  containers: [{name: a}]
---
apiVersion: batch/v1
kind: CronJob
metadata: {name: c}
spec:
  jobTemplate:
    spec:
      template:
        spec:
          containers: [{name: a}]
          hostNetwork: true
"#;
        let findings = check(&HostNetwork, yaml);
        assert_eq!(
            pointers(&findings),
            [("/spec/hostNetwork".to_owned(), 6), ("/spec/jobTemplate/spec/template/spec/hostNetwork".to_owned(), 18),]
        );
        assert_eq!(findings[0].message, "pod sets hostNetwork: true (it shares the node's network namespace)");
    }

    #[test]
    fn ignores_false_unset_and_wrong_types() {
        let yaml = r#"
apiVersion: apps/v1
kind: Deployment
metadata: {name: d}
spec:
  template:
    spec:
      hostNetwork: false
      containers: [{name: a}]
---
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  hostNetwork: "true"
  containers: [{name: a}]
---
apiVersion: v1
kind: Pod
metadata: {name: q}
spec: {containers: [{name: a}]}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: c}
data: {hostNetwork: "true"}
"#;
        assert!(check(&HostNetwork, yaml).is_empty());
    }
}
