use kubefort_model::{declare_rule, Context, PodSpecRef, SettingSource, Sink};

use super::{describe_all, profile};

declare_rule! {
    /// ## What it does
    /// Flags containers (including init and ephemeral containers) whose
    /// AppArmor profile is explicitly unconfined:
    /// `securityContext.appArmorProfile.type: Unconfined` on the container, or
    /// on the pod when the container sets no profile of its own, or the
    /// legacy annotation
    /// `container.apparmor.security.beta.kubernetes.io/<container>: unconfined`.
    /// A pod-level `Unconfined` is reported once, at the pod field.
    ///
    /// ## Why is this bad?
    /// On nodes with AppArmor, the container runtime confines every container
    /// with its default profile, which denies writes to `/proc` and `/sys`
    /// files, mounting, and other operations used to break out of a
    /// container. Opting out removes that layer for no benefit to most
    /// applications; it is usually copied from a debugging session.
    ///
    /// ## Example
    /// ```yaml
    /// containers:
    ///   - name: app
    ///     securityContext:
    ///       appArmorProfile:
    ///         type: Unconfined
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// containers:
    ///   - name: app
    ///     securityContext:
    ///       appArmorProfile:
    ///         type: RuntimeDefault
    /// ```
    ///
    /// ## References
    /// - <https://kubernetes.io/docs/tutorials/security/apparmor/>
    /// - <https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline>
    pub struct AppArmorUnconfined {
        id: "KF-POD-008",
        name: "apparmor-unconfined",
        title: "Container runs AppArmor unconfined",
        severity: Medium,
        fix: "Remove the Unconfined AppArmor setting or set securityContext.appArmorProfile.type to RuntimeDefault",
        references: ["pss:appArmorProfile"],
        check: check,
    }
}

fn check(cx: &Context<'_>, sink: &mut Sink<'_>) {
    let Some(pod) = PodSpecRef::to_check(cx.object) else { return };
    if pod.is_windows() {
        return;
    }
    let mut inherit_unconfined = Vec::new();
    let mut pod_setting = None;
    for container in pod.containers() {
        let key = format!("container.apparmor.security.beta.kubernetes.io/{}", container.name);
        let Some(p) = profile(&pod, &container, "appArmorProfile", Some(&key), None) else { continue };
        if !p.is_unconfined() {
            continue;
        }
        if p.source == SettingSource::Pod {
            pod_setting = Some((p.pointer, p.setting));
            inherit_unconfined.push(container);
        } else {
            let message = format!("{} runs AppArmor unconfined ({} is {})", container.describe(), p.setting, p.value);
            sink.report(&AppArmorUnconfined::META, p.pointer, message);
        }
    }
    if let Some((pointer, setting)) = pod_setting {
        let message = format!("{setting} is Unconfined for {}", describe_all(&inherit_unconfined));
        sink.report(&AppArmorUnconfined::META, pointer, message);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{check, pointers};

    #[test]
    fn flags_fields_and_annotations_with_container_overriding_pod() {
        let yaml = r#"
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent}
spec:
  template:
    metadata:
      annotations:
        container.apparmor.security.beta.kubernetes.io/legacy: unconfined
        container.apparmor.security.beta.kubernetes.io/other: runtime/default
    spec:
      securityContext:
        appArmorProfile:
          type: Unconfined
      containers:
        - name: legacy
        - name: other
        - name: field
          securityContext: {appArmorProfile: {type: Unconfined}}
        - name: confined
          securityContext: {appArmorProfile: {type: RuntimeDefault}}
      initContainers:
        - name: inherits
"#;
        let findings = check(&AppArmorUnconfined, yaml);
        assert_eq!(
            pointers(&findings),
            [
                (
                    "/spec/template/metadata/annotations/container.apparmor.security.beta.kubernetes.io~1legacy"
                        .to_owned(),
                    9
                ),
                ("/spec/template/spec/securityContext/appArmorProfile/type".to_owned(), 14),
                ("/spec/template/spec/containers/2/securityContext/appArmorProfile/type".to_owned(), 19),
            ]
        );
        assert_eq!(
            findings[0].message,
            "container \"legacy\" runs AppArmor unconfined (annotation container.apparmor.security.beta.kubernetes.io/legacy is unconfined)"
        );
        assert_eq!(
            findings[1].message,
            "pod securityContext.appArmorProfile.type is Unconfined for init container \"inherits\""
        );
    }

    #[test]
    fn unset_and_confined_profiles_pass() {
        let yaml = r#"
apiVersion: v1
kind: Pod
metadata: {name: p, annotations: {container.apparmor.security.beta.kubernetes.io/a: "localhost/k8s-a"}}
spec:
  securityContext: {appArmorProfile: {type: Localhost, localhostProfile: k8s-a}}
  containers: [{name: a}, {name: b}, {name: c, securityContext: {appArmorProfile: [Unconfined]}}]
---
apiVersion: v1
kind: Pod
metadata: {name: w}
spec: {os: {name: windows}, securityContext: {appArmorProfile: {type: Unconfined}}, containers: [{name: a}]}
"#;
        assert!(check(&AppArmorUnconfined, yaml).is_empty());
    }
}
