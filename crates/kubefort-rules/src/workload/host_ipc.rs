use kubefort_model::{declare_rule, Context, PodSpecRef, Sink};

use super::report_pod_flag;

declare_rule! {
    /// ## What it does
    /// Flags pods whose spec sets `hostIPC: true`.
    ///
    /// ## Why is this bad?
    /// The host's IPC namespace holds the shared memory segments, semaphores
    /// and message queues of every process on the node that is not in its own
    /// IPC namespace. A container sharing it can read and corrupt that memory,
    /// which databases and other services use for caches and data, and
    /// interfere with their locking.
    ///
    /// ## Example
    /// ```yaml
    /// spec:
    ///   hostIPC: true
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
    pub struct HostIpc {
        id: "KF-POD-011",
        name: "host-ipc",
        title: "Pod uses the host IPC namespace",
        severity: High,
        fix: "Remove hostIPC: true",
        references: [
            "pss:hostNamespaces",
            "checkov:CKV_K8S_18",
            "polaris:hostIPCSet",
            "kube-linter:host-ipc",
            "kubescape:C-0038",
            "kubescape:C-0276",
            "cis-1.12:5.2.4",
        ],
        check: check,
    }
}

fn check(cx: &Context<'_>, sink: &mut Sink<'_>) {
    let Some(pod) = PodSpecRef::to_check(cx.object) else { return };
    report_pod_flag(
        &pod,
        sink,
        &HostIpc::META,
        "hostIPC",
        "it shares System V IPC and POSIX message queues with the node",
    );
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
  hostIPC: true
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
          hostIPC: true
"#;
        let findings = check(&HostIpc, yaml);
        assert_eq!(
            pointers(&findings),
            [("/spec/hostIPC".to_owned(), 6), ("/spec/jobTemplate/spec/template/spec/hostIPC".to_owned(), 18),]
        );
        assert_eq!(
            findings[0].message,
            "pod sets hostIPC: true (it shares System V IPC and POSIX message queues with the node)"
        );
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
      hostIPC: false
      containers: [{name: a}]
---
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  hostIPC: "true"
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
data: {hostIPC: "true"}
"#;
        assert!(check(&HostIpc, yaml).is_empty());
    }
}
