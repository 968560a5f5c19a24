use kubefort_model::{declare_rule, Context, PodSpecRef, Sink};

declare_rule! {
    /// ## What it does
    /// Flags containers (including init and ephemeral containers) whose
    /// `securityContext.readOnlyRootFilesystem` is not `true`.
    ///
    /// ## Why is this bad?
    /// A writable root filesystem lets an intruder who gets code execution
    /// persist in the container: download tools, replace binaries and
    /// libraries the application loads, or plant a web shell, without
    /// anything outside the container noticing. With a read-only root the
    /// image is what runs, and the few paths that must be writable are
    /// explicit volumes.
    ///
    /// ## Example
    /// ```yaml
    /// containers:
    ///   - name: app
    ///     securityContext:
    ///       readOnlyRootFilesystem: false
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// containers:
    ///   - name: app
    ///     securityContext:
    ///       readOnlyRootFilesystem: true
    ///     volumeMounts:
    ///       - name: tmp
    ///         mountPath: /tmp
    /// volumes:
    ///   - name: tmp
    ///     emptyDir: {}
    /// ```
    ///
    /// ## References
    /// - <https://kubernetes.io/docs/tasks/configure-pod-container/security-context/>
    pub struct WritableRootFilesystem {
        id: "KF-POD-006",
        name: "writable-root-filesystem",
        title: "Container root filesystem is writable",
        severity: Medium,
        fix: "Set securityContext.readOnlyRootFilesystem to true and mount emptyDir volumes where the process writes",
        references: [
            "checkov:CKV_K8S_22",
            "polaris:notReadOnlyRootFilesystem",
            "kube-linter:no-read-only-root-fs",
            "kubescape:C-0017",
        ],
        check: check,
    }
}

fn check(cx: &Context<'_>, sink: &mut Sink<'_>) {
    let Some(pod) = PodSpecRef::to_check(cx.object) else { return };
    // Windows containers cannot have a read-only root filesystem.
    if pod.is_windows() {
        return;
    }
    for container in pod.containers() {
        let message = match container.security_field("readOnlyRootFilesystem").and_then(|n| n.as_bool()) {
            Some(true) => continue,
            Some(false) => "sets securityContext.readOnlyRootFilesystem to false",
            None => "does not set securityContext.readOnlyRootFilesystem to true",
        };
        sink.report(
            &WritableRootFilesystem::META,
            container.at("securityContext/readOnlyRootFilesystem"),
            format!("{} {message}", container.describe()),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{check, pointers};

    #[test]
    fn flags_false_unset_and_wrong_type() {
        let yaml = r#"
apiVersion: batch/v1
kind: Job
metadata: {name: j}
spec:
  template:
    spec:
      containers:
        - name: rw
          securityContext:
            readOnlyRootFilesystem: false
        - name: ro
          securityContext: {readOnlyRootFilesystem: true}
        - name: text
          securityContext: {readOnlyRootFilesystem: "true"}
      initContainers:
        - name: init
"#;
        let findings = check(&WritableRootFilesystem, yaml);
        let base = "/spec/template/spec";
        assert_eq!(
            pointers(&findings),
            [
                (format!("{base}/containers/0/securityContext/readOnlyRootFilesystem"), 11),
                (format!("{base}/containers/2/securityContext/readOnlyRootFilesystem"), 15),
                (format!("{base}/initContainers/0/securityContext/readOnlyRootFilesystem"), 17),
            ]
        );
        assert_eq!(findings[0].message, "container \"rw\" sets securityContext.readOnlyRootFilesystem to false");
        assert_eq!(
            findings[2].message,
            "init container \"init\" does not set securityContext.readOnlyRootFilesystem to true"
        );
    }

    #[test]
    fn passes_read_only_and_windows() {
        let yaml = r#"
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers: [{name: a, securityContext: {readOnlyRootFilesystem: true}}]
  ephemeralContainers: [{name: d, securityContext: {readOnlyRootFilesystem: true}}]
---
apiVersion: v1
kind: Pod
metadata: {name: w}
spec:
  os: {name: windows}
  containers: [{name: a}]
"#;
        assert!(check(&WritableRootFilesystem, yaml).is_empty());
    }
}
