use kubefort_model::{declare_rule, Context, Node, PodSpecRef, SettingSource, Sink};

declare_rule! {
    /// ## What it does
    /// Flags containers that may run as root (UID 0): neither
    /// `runAsNonRoot: true` nor a non-zero `runAsUser` applies to them, or
    /// `runAsUser: 0` does. Each field is read from the container's
    /// `securityContext`, falling back to the pod's, exactly as the kubelet
    /// does: a container's `runAsUser: 0` or `runAsNonRoot: false` overrides
    /// what the pod sets.
    ///
    /// ## Why is this bad?
    /// Without these fields the container runs as whatever user the image
    /// declares, which is root for most images. Root in a container is the
    /// same UID 0 as on the node: one kernel bug, writable host mount or
    /// misconfigured capability away from owning the node, and able to
    /// rewrite everything in the container image at run time. `runAsNonRoot`
    /// makes the kubelet refuse to start a container that would run as UID 0.
    ///
    /// ## Example
    /// ```yaml
    /// spec:
    ///   securityContext:
    ///     runAsNonRoot: true
    ///   containers:
    ///     - name: app
    ///       securityContext:
    ///         runAsUser: 0        # overrides the pod: runs as root
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// spec:
    ///   securityContext:
    ///     runAsNonRoot: true
    ///     runAsUser: 10001
    ///   containers:
    ///     - name: app
    /// ```
    ///
    /// ## References
    /// - <https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted>
    /// - <https://kubernetes.io/docs/tasks/configure-pod-container/security-context/>
    pub struct RunsAsRoot {
        id: "KF-POD-003",
        name: "runs-as-root",
        title: "Container may run as root",
        severity: Medium,
        fix: "Set securityContext.runAsNonRoot: true and a non-zero runAsUser (pod or container level)",
        references: [
            "pss:runAsNonRoot",
            "pss:runAsUser",
            "checkov:CKV_K8S_23",
            "polaris:runAsRootAllowed",
            "kube-linter:run-as-non-root",
            "kubescape:C-0013",
            "cis-1.12:5.2.7",
        ],
        check: check,
    }
}

fn check(cx: &Context<'_>, sink: &mut Sink<'_>) {
    let Some(pod) = PodSpecRef::to_check(cx.object) else { return };
    for container in pod.containers() {
        let who = container.describe();
        let user = pod.effective(&container, "runAsUser", Node::as_i64);
        let non_root = pod.effective(&container, "runAsNonRoot", Node::as_bool);
        let (pointer, message) = match (&user, &non_root) {
            (Some(uid), _) if uid.value == 0 => (
                // An explicit UID 0 wins over any runAsNonRoot (the kubelet
                // would refuse to start it, or it runs as root).
                point(&container, "runAsUser", uid.source, &uid.pointer),
                format!("{who} runs as root: runAsUser is 0{}", origin(uid.source)),
            ),
            (Some(_), _) => continue,
            (None, Some(n)) if n.value => continue,
            (None, Some(n)) => (
                point(&container, "runAsNonRoot", n.source, &n.pointer),
                format!(
                    "{who} may run as root: runAsNonRoot is false{} and no non-zero runAsUser is set",
                    origin(n.source)
                ),
            ),
            (None, None) => (
                container.at("securityContext/runAsNonRoot"),
                format!("{who} may run as root: neither runAsNonRoot: true nor a non-zero runAsUser is set"),
            ),
        };
        sink.report(&RunsAsRoot::META, pointer, message);
    }
}

/// The container's own field when it sets it; otherwise where the container
/// would override the inherited pod value (one distinct pointer per container).
fn point(container: &kubefort_model::ContainerRef<'_>, field: &str, source: SettingSource, pointer: &str) -> String {
    match source {
        SettingSource::Container => pointer.to_owned(),
        SettingSource::Pod => container.at(&format!("securityContext/{field}")),
    }
}

fn origin(source: SettingSource) -> &'static str {
    match source {
        SettingSource::Container => "",
        SettingSource::Pod => " (inherited from the pod securityContext)",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{check, pointers};

    #[test]
    fn container_settings_override_the_pod() {
        let yaml = r#"
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db}
spec:
  template:
    spec:
      securityContext:
        runAsNonRoot: true
      initContainers:
        - name: chown
          securityContext:
            runAsUser: 0
      containers:
        - name: inherits
        - name: opts-out
          securityContext:
            runAsNonRoot: false
        - name: uid
          securityContext: {runAsNonRoot: false, runAsUser: 999}
"#;
        let findings = check(&RunsAsRoot, yaml);
        assert_eq!(
            pointers(&findings),
            [
                ("/spec/template/spec/initContainers/0/securityContext/runAsUser".to_owned(), 13),
                ("/spec/template/spec/containers/1/securityContext/runAsNonRoot".to_owned(), 18),
            ]
        );
        assert_eq!(findings[0].message, "init container \"chown\" runs as root: runAsUser is 0");
        assert!(findings[1].message.starts_with("container \"opts-out\" may run as root: runAsNonRoot is false and"));
    }

    #[test]
    fn pod_level_root_and_missing_settings_are_reported_per_container() {
        let yaml = r#"
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  securityContext:
    runAsUser: 0
    runAsNonRoot: true
  containers:
    - name: a
      securityContext:
        readOnlyRootFilesystem: true
    - name: b
      securityContext: {runAsUser: 1000}
---
apiVersion: v1
kind: ReplicationController
metadata: {name: rc}
spec:
  template:
    spec:
      securityContext: {runAsUser: "1000", runAsNonRoot: "true"}
      containers:
        - name: c
"#;
        let findings = check(&RunsAsRoot, yaml);
        assert_eq!(
            pointers(&findings),
            [
                // Missing in the container: located at its securityContext.
                ("/spec/containers/0/securityContext/runAsUser".to_owned(), 11),
                // Strings where a number and a boolean belong count as unset.
                ("/spec/template/spec/containers/0/securityContext/runAsNonRoot".to_owned(), 24),
            ]
        );
        assert_eq!(
            findings[0].message,
            "container \"a\" runs as root: runAsUser is 0 (inherited from the pod securityContext)"
        );
        assert!(findings[1].message.contains("neither runAsNonRoot: true nor a non-zero runAsUser"));
    }

    #[test]
    fn passes_non_root_pods() {
        let yaml = r#"
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: d}
spec:
  template:
    spec:
      securityContext: {runAsNonRoot: true}
      containers: [{name: a}, {name: b, securityContext: {runAsUser: 65534}}]
      ephemeralContainers: [{name: dbg, securityContext: {runAsNonRoot: true, runAsUser: 1}}]
"#;
        assert!(check(&RunsAsRoot, yaml).is_empty());
    }
}
