use kubefort_model::{declare_rule, Context, PodSpecRef, Sink};

use super::capability_name;

declare_rule! {
    /// ## What it does
    /// Flags containers (including init and ephemeral containers) that do not
    /// set `securityContext.allowPrivilegeEscalation: false`, and containers
    /// that set it but are privileged or add `SYS_ADMIN`, which turn it back on.
    ///
    /// ## Why is this bad?
    /// Unless `allowPrivilegeEscalation` is `false`, the kernel's
    /// `no_new_privs` flag is not set on the container's processes: a setuid
    /// binary or a file with capabilities in the image (or one an attacker
    /// drops there) can gain privileges its parent never had, for example
    /// turning a non-root foothold into root inside the container. The field
    /// defaults to allowing escalation, so it has to be set explicitly. A
    /// privileged container or one with `CAP_SYS_ADMIN` can always escalate,
    /// whatever the field says.
    ///
    /// ## Example
    /// ```yaml
    /// containers:
    ///   - name: app
    ///     image: registry.example.com/app:1.4.2
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// containers:
    ///   - name: app
    ///     image: registry.example.com/app:1.4.2
    ///     securityContext:
    ///       allowPrivilegeEscalation: false
    /// ```
    ///
    /// ## References
    /// - <https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted>
    /// - <https://kubernetes.io/docs/tasks/configure-pod-container/security-context/>
    /// - <https://www.kernel.org/doc/html/latest/userspace-api/no_new_privs.html>
    pub struct PrivilegeEscalationAllowed {
        id: "KF-POD-002",
        name: "privilege-escalation-allowed",
        title: "Container allows privilege escalation",
        severity: High,
        fix: "Set securityContext.allowPrivilegeEscalation to false (and do not run privileged or add SYS_ADMIN)",
        references: [
            "pss:allowPrivilegeEscalation",
            "checkov:CKV_K8S_20",
            "polaris:privilegeEscalationAllowed",
            "kube-linter:privilege-escalation-container",
            "kubescape:C-0016",
            "cis-1.12:5.2.6",
        ],
        check: check,
    }
}

fn check(cx: &Context<'_>, sink: &mut Sink<'_>) {
    let Some(pod) = PodSpecRef::to_check(cx.object) else { return };
    if pod.is_windows() {
        return;
    }
    for container in pod.containers() {
        let pointer = container.at("securityContext/allowPrivilegeEscalation");
        let who = container.describe();
        let message = match container.security_field("allowPrivilegeEscalation").and_then(|n| n.as_bool()) {
            Some(true) => format!("{who} sets securityContext.allowPrivilegeEscalation to true"),
            None => format!("{who} does not set securityContext.allowPrivilegeEscalation to false"),
            Some(false) => {
                let privileged = container.security_field("privileged").and_then(|n| n.as_bool()) == Some(true);
                let sys_admin = container
                    .security_context()
                    .and_then(|sc| sc.path(&["capabilities", "add"]))
                    .is_some_and(|add| add.as_seq().iter().any(|c| capability_name(c).as_deref() == Some("SYS_ADMIN")));
                if privileged {
                    format!(
                        "{who} is privileged, so it can escalate privileges although allowPrivilegeEscalation is false"
                    )
                } else if sys_admin {
                    format!("{who} adds SYS_ADMIN, so it can escalate privileges although allowPrivilegeEscalation is false")
                } else {
                    continue;
                }
            }
        };
        sink.report(&PrivilegeEscalationAllowed::META, pointer, message);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{check, pointers};

    #[test]
    fn flags_unset_true_and_overridden_values_in_every_container_kind() {
        let yaml = r#"
apiVersion: batch/v1
kind: CronJob
metadata: {name: nightly}
spec:
  jobTemplate:
    spec:
      template:
        spec:
          initContainers:
            - name: init
          containers:
            - name: explicit
              securityContext:
                allowPrivilegeEscalation: true
            - name: safe
              securityContext: {allowPrivilegeEscalation: false}
            - name: priv
              securityContext: {allowPrivilegeEscalation: false, privileged: true}
            - name: admin
              securityContext:
                allowPrivilegeEscalation: false
                capabilities: {add: [cap_sys_admin]}
          ephemeralContainers:
            - name: debug
              securityContext: {allowPrivilegeEscalation: "false"}
"#;
        let findings = check(&PrivilegeEscalationAllowed, yaml);
        let base = "/spec/jobTemplate/spec/template/spec";
        assert_eq!(
            pointers(&findings),
            [
                (format!("{base}/initContainers/0/securityContext/allowPrivilegeEscalation"), 11),
                (format!("{base}/containers/0/securityContext/allowPrivilegeEscalation"), 15),
                (format!("{base}/containers/2/securityContext/allowPrivilegeEscalation"), 19),
                (format!("{base}/containers/3/securityContext/allowPrivilegeEscalation"), 22),
                // A string is not a boolean: treated as unset.
                (format!("{base}/ephemeralContainers/0/securityContext/allowPrivilegeEscalation"), 26),
            ]
        );
        assert_eq!(
            findings[0].message,
            "init container \"init\" does not set securityContext.allowPrivilegeEscalation to false"
        );
        assert!(findings[1]
            .message
            .contains("container \"explicit\" sets securityContext.allowPrivilegeEscalation to true"));
        assert!(findings[2].message.contains("is privileged"), "{}", findings[2].message);
        assert!(findings[3].message.contains("adds SYS_ADMIN"), "{}", findings[3].message);
        assert!(findings[4].message.starts_with("ephemeral container \"debug\""));
    }

    #[test]
    fn passes_hardened_pods_windows_pods_and_non_workloads() {
        let yaml = r#"
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers:
    - name: a
      securityContext: {allowPrivilegeEscalation: false, capabilities: {add: [NET_BIND_SERVICE]}}
---
apiVersion: v1
kind: Pod
metadata: {name: win}
spec:
  os: {name: windows}
  containers: [{name: a}]
---
apiVersion: v1
kind: Service
metadata: {name: s}
spec: {containers: [{name: a}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: odd}
spec: {template: {spec: {containers: [{name: a, securityContext: [1, 2]}, "not a container"]}}}
"#;
        let findings = check(&PrivilegeEscalationAllowed, yaml);
        // Only the Deployment's container with a malformed securityContext fires.
        assert_eq!(
            pointers(&findings),
            [("/spec/template/spec/containers/0/securityContext/allowPrivilegeEscalation".to_owned(), 25)]
        );
    }
}
