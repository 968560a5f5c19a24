use kubefort_model::{declare_rule, Context, PodSpecRef, Sink};

use super::report_pod_flag;

declare_rule! {
    /// ## What it does
    /// Flags pods whose spec sets `hostPID: true`.
    ///
    /// ## Why is this bad?
    /// With the host's PID namespace, the containers see every process on the
    /// node: their command lines and environment (which often carry secrets),
    /// and, as root or with `SYS_PTRACE`, their memory. They can signal and
    /// kill other pods' processes and the kubelet, and enter another
    /// process's namespaces through `/proc/<pid>/root`, a direct path to the
    /// host filesystem.
    ///
    /// ## Example
    /// ```yaml
    /// spec:
    ///   hostPID: true
    ///   containers:
    ///     - name: app
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// spec:
    ///   containers:
    ///     - name: app
    /// ```
    ///
    /// ## References
    /// - <https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline>
    pub struct HostPid {
        id: "KF-POD-010",
        name: "host-pid",
        title: "Pod uses the host PID namespace",
        severity: High,
        fix: "Remove hostPID: true",
        references: [
            "pss:hostNamespaces",
            "checkov:CKV_K8S_17",
            "polaris:hostPIDSet",
            "kube-linter:host-pid",
            "kubescape:C-0038",
            "kubescape:C-0275",
            "cis-1.12:5.2.3",
        ],
        check: check,
    }
}

fn check(cx: &Context<'_>, sink: &mut Sink<'_>) {
    let Some(pod) = PodSpecRef::to_check(cx.object) else { return };
    report_pod_flag(&pod, sink, &HostPid::META, "hostPID", "it sees and can signal every process on the node");
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
  hostPID: true
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
          hostPID: true
"#;
        let findings = check(&HostPid, yaml);
        assert_eq!(
            pointers(&findings),
            [("/spec/hostPID".to_owned(), 6), ("/spec/jobTemplate/spec/template/spec/hostPID".to_owned(), 18),]
        );
        assert_eq!(findings[0].message, "pod sets hostPID: true (it sees and can signal every process on the node)");
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
      hostPID: false
      containers: [{name: a}]
---
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  hostPID: "true"
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
data: {hostPID: "true"}
"#;
        assert!(check(&HostPid, yaml).is_empty());
    }
}
