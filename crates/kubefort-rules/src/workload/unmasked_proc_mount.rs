use kubefort_model::{declare_rule, Context, Node, PodSpecRef, Sink};

declare_rule! {
    /// ## What it does
    /// Flags containers (including init and ephemeral containers) whose
    /// `securityContext.procMount` is `Unmasked`.
    ///
    /// ## Why is this bad?
    /// Container runtimes mask and mount read-only the parts of `/proc` that
    /// expose the node's kernel: `/proc/kcore` (kernel memory),
    /// `/proc/sysrq-trigger` (reboot or crash the node), `/proc/sys`, timer
    /// and key lists, and more. An unmasked `/proc` gives the container all of
    /// them. It exists for nested container runtimes inside user-namespaced
    /// pods; anywhere else it is a path to the host.
    ///
    /// ## Example
    /// ```yaml
    /// containers:
    ///   - name: app
    ///     securityContext:
    ///       procMount: Unmasked
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// containers:
    ///   - name: app
    ///     securityContext:
    ///       procMount: Default   # or leave it unset
    /// ```
    ///
    /// ## References
    /// - <https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline>
    /// - <https://kubernetes.io/docs/concepts/workloads/pods/user-namespaces/>
    pub struct UnmaskedProcMount {
        id: "KF-POD-014",
        name: "unmasked-proc-mount",
        title: "Container mounts /proc unmasked",
        severity: High,
        fix: "Remove securityContext.procMount or set it to Default",
        references: ["pss:procMount", "pss:procMount_restricted", "polaris:procMount", "kube-linter:unsafe-proc-mount"],
        check: check,
    }
}

fn check(cx: &Context<'_>, sink: &mut Sink<'_>) {
    let Some(pod) = PodSpecRef::to_check(cx.object) else { return };
    if pod.is_windows() {
        return;
    }
    for container in pod.containers() {
        if container.security_field("procMount").and_then(Node::as_str) == Some("Unmasked") {
            sink.report(
                &UnmaskedProcMount::META,
                container.at("securityContext/procMount"),
                format!("{} sets securityContext.procMount to Unmasked", container.describe()),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{check, pointers};

    #[test]
    fn flags_unmasked_proc_mounts() {
        let yaml = r#"
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: s}
spec:
  template:
    spec:
      initContainers:
        - name: init
          securityContext:
            procMount: Unmasked
      containers:
        - name: default
          securityContext: {procMount: Default}
        - name: unset
        - name: odd
          securityContext: {procMount: [Unmasked]}
"#;
        let findings = check(&UnmaskedProcMount, yaml);
        assert_eq!(
            pointers(&findings),
            [("/spec/template/spec/initContainers/0/securityContext/procMount".to_owned(), 11)]
        );
        assert_eq!(findings[0].message, "init container \"init\" sets securityContext.procMount to Unmasked");
    }

    #[test]
    fn ignores_windows_pods() {
        let yaml = "apiVersion: v1\nkind: Pod\nmetadata: {name: w}\nspec:\n  os: {name: windows}\n  containers: [{name: a, securityContext: {procMount: Unmasked}}]\n";
        assert!(check(&UnmaskedProcMount, yaml).is_empty());
        let linux = yaml.replace("windows", "linux");
        assert_eq!(
            pointers(&check(&UnmaskedProcMount, &linux)),
            [("/spec/containers/0/securityContext/procMount".to_owned(), 6)]
        );
    }
}
