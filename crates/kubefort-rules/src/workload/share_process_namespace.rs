use kubefort_model::{declare_rule, Context, PodSpecRef, Sink};

use super::report_pod_flag;

declare_rule! {
    /// ## What it does
    /// Flags pods whose spec sets `shareProcessNamespace: true`.
    ///
    /// ## Why is this bad?
    /// With one process namespace for the whole pod, every container sees the
    /// processes of the others, their command lines and environment, and
    /// reaches their root filesystems through `/proc/<pid>/root`. A
    /// compromised sidecar then reads the main container's secrets and
    /// files, and can signal or (with `SYS_PTRACE`) trace its processes: the
    /// isolation between the pod's containers is gone.
    ///
    /// ## Example
    /// ```yaml
    /// spec:
    ///   shareProcessNamespace: true
    ///   containers:
    ///     - name: app
    ///     - name: sidecar
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// spec:
    ///   containers:
    ///     - name: app
    ///     - name: sidecar
    /// ```
    ///
    /// ## References
    /// - <https://kubernetes.io/docs/tasks/configure-pod-container/share-process-namespace/>
    pub struct ShareProcessNamespace {
        id: "KF-POD-016",
        name: "share-process-namespace",
        title: "Pod containers share one process namespace",
        severity: Low,
        fix: "Remove shareProcessNamespace: true unless a sidecar needs to signal the main process",
        references: [],
        check: check,
    }
}

fn check(cx: &Context<'_>, sink: &mut Sink<'_>) {
    let Some(pod) = PodSpecRef::to_check(cx.object) else { return };
    report_pod_flag(
        &pod,
        sink,
        &ShareProcessNamespace::META,
        "shareProcessNamespace",
        "its containers see each other's processes and filesystems",
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
  shareProcessNamespace: true
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
          shareProcessNamespace: true
"#;
        let findings = check(&ShareProcessNamespace, yaml);
        assert_eq!(
            pointers(&findings),
            [
                ("/spec/shareProcessNamespace".to_owned(), 6),
                ("/spec/jobTemplate/spec/template/spec/shareProcessNamespace".to_owned(), 18),
            ]
        );
        assert_eq!(
            findings[0].message,
            "pod sets shareProcessNamespace: true (its containers see each other's processes and filesystems)"
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
      shareProcessNamespace: false
      containers: [{name: a}]
---
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  shareProcessNamespace: "true"
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
data: {shareProcessNamespace: "true"}
"#;
        assert!(check(&ShareProcessNamespace, yaml).is_empty());
    }
}
