use kubefort_model::{declare_rule, Context, PodSpecRef, Sink};

declare_rule! {
    /// ## What it does
    /// Flags containers (including init and ephemeral containers) whose
    /// `securityContext.privileged` is `true`.
    ///
    /// ## Why is this bad?
    /// A privileged container runs with every capability and with access to
    /// all host devices: it is root on the node. Escaping it is a matter of
    /// mounting the host disk or loading a kernel module, so one compromised
    /// process owns the node and every pod and secret on it.
    ///
    /// ## Example
    /// ```yaml
    /// containers:
    ///   - name: app
    ///     securityContext:
    ///       privileged: true
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// containers:
    ///   - name: app
    ///     securityContext:
    ///       privileged: false
    ///       capabilities:
    ///         add: ["NET_BIND_SERVICE"]   # only what is needed
    /// ```
    ///
    /// ## References
    /// - <https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline>
    pub struct PrivilegedContainer {
        id: "KF-POD-001",
        name: "privileged-container",
        title: "Container runs in privileged mode",
        severity: Critical,
        fix: "Set securityContext.privileged to false and add only the capabilities the process needs",
        references: [
            "pss:privileged",
            "checkov:CKV_K8S_16",
            "polaris:runAsPrivileged",
            "kube-linter:privileged-container",
            "kubescape:C-0057",
            "cis-1.12:5.2.2",
        ],
        check: check,
    }
}

fn check(cx: &Context<'_>, sink: &mut Sink<'_>) {
    let Some(pod) = PodSpecRef::to_check(cx.object) else { return };
    for container in pod.containers() {
        let privileged = container.security_context().and_then(|sc| sc.get("privileged"));
        if privileged.and_then(|p| p.as_bool()) == Some(true) {
            sink.report(
                &PrivilegedContainer::META,
                container.at("securityContext/privileged"),
                format!("{} runs privileged", container.describe()),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{check, pointers};

    #[test]
    fn flags_privileged_containers_of_every_kind() {
        let yaml = r#"
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  template:
    spec:
      initContainers:
        - name: init
          securityContext: {privileged: true}
      containers:
        - name: ok
          securityContext: {privileged: false}
        - name: bad
          securityContext:
            privileged: yes
"#;
        let findings = check(&PrivilegedContainer, yaml);
        assert_eq!(
            pointers(&findings),
            [
                ("/spec/template/spec/initContainers/0/securityContext/privileged".to_owned(), 10),
                ("/spec/template/spec/containers/1/securityContext/privileged".to_owned(), 16),
            ]
        );
        assert!(findings[1].message.contains("container \"bad\""));
    }

    #[test]
    fn ignores_unset_and_non_workloads() {
        let yaml = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers: [{name: a}]\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {privileged: 'true'}\n";
        assert!(check(&PrivilegedContainer, yaml).is_empty());
    }
}
