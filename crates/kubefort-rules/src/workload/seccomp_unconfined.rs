use kubefort_model::{declare_rule, Context, PodSpecRef, SettingSource, Severity, Sink};

use super::{describe_all, profile};

declare_rule! {
    /// ## What it does
    /// Flags containers (including init and ephemeral containers) that run
    /// without a seccomp profile: neither the container nor the pod sets
    /// `securityContext.seccompProfile` (nor the legacy annotations
    /// `container.seccomp.security.alpha.kubernetes.io/<container>` and
    /// `seccomp.security.alpha.kubernetes.io/pod`), or the profile that
    /// applies is explicitly `Unconfined`. A container's setting overrides
    /// the pod's. An explicit `Unconfined` is reported as high severity; a
    /// pod-level `Unconfined` is reported once, at the pod field.
    ///
    /// ## Why is this bad?
    /// Kubernetes runs containers `Unconfined` by default (unless the kubelet
    /// is started with `--seccomp-default`): every one of the kernel's ~400
    /// system calls is reachable from the container, including the rarely
    /// used ones behind most container-escape kernel bugs (`unshare`,
    /// `keyctl`, `bpf`, `userfaultfd`, …). The runtime's default profile
    /// blocks those while letting ordinary applications run unchanged.
    ///
    /// ## Example
    /// ```yaml
    /// spec:
    ///   containers:
    ///     - name: app
    ///       securityContext:
    ///         seccompProfile:
    ///           type: Unconfined
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// spec:
    ///   securityContext:
    ///     seccompProfile:
    ///       type: RuntimeDefault
    ///   containers:
    ///     - name: app
    /// ```
    ///
    /// ## References
    /// - <https://kubernetes.io/docs/tutorials/security/seccomp/>
    /// - <https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted>
    pub struct SeccompUnconfined {
        id: "KF-POD-007",
        name: "seccomp-unconfined",
        title: "Container runs without a seccomp profile",
        severity: Medium,
        fix: "Set securityContext.seccompProfile.type to RuntimeDefault (or Localhost) on the pod",
        references: [
            "pss:seccompProfile_baseline",
            "pss:seccompProfile_restricted",
            "checkov:CKV_K8S_31",
            "kubescape:C-0210",
            "cis-1.12:5.6.2",
        ],
        check: check,
    }
}

const POD_ANNOTATION: &str = "seccomp.security.alpha.kubernetes.io/pod";

fn check(cx: &Context<'_>, sink: &mut Sink<'_>) {
    let Some(pod) = PodSpecRef::to_check(cx.object) else { return };
    if pod.is_windows() {
        return;
    }
    let mut inherit_unconfined = Vec::new();
    let mut pod_setting = None;
    for container in pod.containers() {
        let key = format!("container.seccomp.security.alpha.kubernetes.io/{}", container.name);
        match profile(&pod, &container, "seccompProfile", Some(&key), Some(POD_ANNOTATION)) {
            Some(p) if !p.is_unconfined() => {}
            Some(p) if p.source == SettingSource::Pod => {
                pod_setting = Some((p.pointer, p.setting));
                inherit_unconfined.push(container);
            }
            Some(p) => {
                let message =
                    format!("{} runs seccomp Unconfined ({} is {})", container.describe(), p.setting, p.value);
                sink.report(&SeccompUnconfined::META, p.pointer, message).severity = Severity::High;
            }
            None => {
                let message = format!(
                    "{} has no seccomp profile: neither it nor the pod sets securityContext.seccompProfile",
                    container.describe()
                );
                sink.report(&SeccompUnconfined::META, container.at("securityContext/seccompProfile"), message);
            }
        }
    }
    if let Some((pointer, setting)) = pod_setting {
        let message = format!("{setting} is Unconfined for {}", describe_all(&inherit_unconfined));
        sink.report(&SeccompUnconfined::META, pointer, message).severity = Severity::High;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{check, pointers};

    #[test]
    fn reports_missing_and_explicitly_unconfined_profiles() {
        let yaml = r#"
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  template:
    metadata:
      annotations:
        container.seccomp.security.alpha.kubernetes.io/legacy: unconfined
    spec:
      containers:
        - name: none
        - name: explicit
          securityContext:
            seccompProfile:
              type: Unconfined
        - name: legacy
        - name: ok
          securityContext: {seccompProfile: {type: RuntimeDefault}}
        - name: typeless
          securityContext: {seccompProfile: {localhostProfile: x.json}}
"#;
        let findings = check(&SeccompUnconfined, yaml);
        let got: Vec<_> = findings.iter().map(|f| (f.pointer.as_str(), f.location.line, f.severity)).collect();
        let c = "/spec/template/spec/containers";
        assert_eq!(
            got,
            [
                (
                    "/spec/template/metadata/annotations/container.seccomp.security.alpha.kubernetes.io~1legacy",
                    9,
                    Severity::High
                ),
                (format!("{c}/0/securityContext/seccompProfile").as_str(), 12, Severity::Medium),
                (format!("{c}/1/securityContext/seccompProfile/type").as_str(), 16, Severity::High),
                // A profile without a type is not a profile.
                (format!("{c}/4/securityContext/seccompProfile").as_str(), 21, Severity::Medium),
            ]
        );
        assert_eq!(
            findings[2].message,
            "container \"explicit\" runs seccomp Unconfined (securityContext.seccompProfile.type is Unconfined)"
        );
        assert!(findings[0].message.contains("annotation container.seccomp.security.alpha.kubernetes.io/legacy"));
    }

    #[test]
    fn pod_level_unconfined_is_reported_once_and_containers_can_override() {
        let yaml = r#"
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  securityContext:
    seccompProfile: {type: Unconfined}
  initContainers:
    - name: init
  containers:
    - name: app
    - name: confined
      securityContext: {seccompProfile: {type: Localhost, localhostProfile: p.json}}
"#;
        let findings = check(&SeccompUnconfined, yaml);
        assert_eq!(pointers(&findings), [("/spec/securityContext/seccompProfile/type".to_owned(), 7)]);
        assert_eq!(
            findings[0].message,
            "pod securityContext.seccompProfile.type is Unconfined for container \"app\", init container \"init\""
        );
        assert_eq!(findings[0].severity, Severity::High);
    }

    #[test]
    fn pod_defaults_and_legacy_pod_annotation_pass() {
        let yaml = r#"
apiVersion: v1
kind: Pod
metadata:
  name: legacy
  annotations: {seccomp.security.alpha.kubernetes.io/pod: runtime/default}
spec:
  containers: [{name: a}]
---
apiVersion: batch/v1
kind: Job
metadata: {name: j}
spec:
  template:
    spec:
      securityContext: {seccompProfile: {type: RuntimeDefault}}
      containers: [{name: a}]
      ephemeralContainers: [{name: dbg}]
---
apiVersion: v1
kind: Pod
metadata: {name: w}
spec: {os: {name: windows}, containers: [{name: a}]}
---
apiVersion: v1
kind: Pod
metadata: {name: odd, annotations: [1]}
spec: {securityContext: {seccompProfile: RuntimeDefault}, containers: [{name: a, securityContext: 7}]}
"#;
        // Only the last pod fires: a string is not a profile, a number not a context.
        assert_eq!(
            pointers(&check(&SeccompUnconfined, yaml)),
            [("/spec/containers/0/securityContext/seccompProfile".to_owned(), 28)]
        );
    }
}
