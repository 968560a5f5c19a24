use kubefort_model::{declare_rule, ContainerRef, Context, Node, PodSpecRef, Sink};

use super::describe_all;

declare_rule! {
    /// ## What it does
    /// Flags pods that set no `securityContext.fsGroup` although their
    /// containers share storage: a `persistentVolumeClaim` or `ephemeral`
    /// volume mounted by any container, or any other writable volume
    /// (`emptyDir`, `nfs`, `csi`, …) mounted by two or more containers,
    /// init and ephemeral containers included. Volumes that are read-only
    /// projections (`configMap`, `secret`, `projected`, `downwardAPI`) or
    /// that `fsGroup` does not manage (`hostPath`) are not counted, nor is an
    /// `emptyDir` used by a single container (the kubelet creates it
    /// world-writable).
    ///
    /// ## Why is this bad?
    /// Without `fsGroup`, a volume keeps the ownership its storage gives it,
    /// usually root. A container running as a non-root user then cannot
    /// write to it, and teams "fix" that by running the container as root or
    /// adding a root init container that runs `chmod -R 777`, which undoes
    /// the pod's hardening and lets every process on the volume's hosts
    /// read the data. With `fsGroup`, the kubelet gives the volume to a group
    /// all the pod's containers belong to.
    ///
    /// ## Example
    /// ```yaml
    /// spec:
    ///   securityContext:
    ///     runAsNonRoot: true
    ///     runAsUser: 10001
    ///   containers:
    ///     - name: db
    ///       volumeMounts:
    ///         - {name: data, mountPath: /var/lib/db}
    ///   volumes:
    ///     - name: data
    ///       persistentVolumeClaim: {claimName: db-data}
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// spec:
    ///   securityContext:
    ///     runAsNonRoot: true
    ///     runAsUser: 10001
    ///     fsGroup: 10001
    ///     fsGroupChangePolicy: OnRootMismatch
    /// ```
    ///
    /// ## References
    /// - <https://kubernetes.io/docs/tasks/configure-pod-container/security-context/#set-the-security-context-for-a-pod>
    /// - <https://kubernetes.io/docs/tasks/configure-pod-container/security-context/#configure-volume-permission-and-ownership-change-policy-for-pods>
    pub struct MissingFsGroup {
        id: "KF-POD-017",
        name: "missing-fs-group",
        title: "Pod shares volumes without an fsGroup",
        severity: Low,
        fix: "Set securityContext.fsGroup on the pod (and fsGroupChangePolicy: OnRootMismatch for large volumes)",
        references: [],
        check: check,
    }
}

/// Volume sources `fsGroup` does not make writable or does not manage.
const NOT_COUNTED: &[&str] = &["configMap", "secret", "projected", "downwardAPI", "hostPath"];

/// Volume sources that hold persistent data: one container is enough.
const PERSISTENT: &[&str] = &["persistentVolumeClaim", "ephemeral"];

fn check(cx: &Context<'_>, sink: &mut Sink<'_>) {
    let Some(pod) = PodSpecRef::to_check(cx.object) else { return };
    if pod.is_windows() || pod.security_field("fsGroup").and_then(Node::as_i64).is_some() {
        return;
    }
    let containers: Vec<ContainerRef<'_>> = pod.containers().collect();
    let mut shared = Vec::new();
    for (_, volume) in pod.volumes() {
        let Some(map) = volume.as_map() else { continue };
        let Some(name) = volume.get("name").and_then(Node::as_str) else { continue };
        let Some((source, _)) = map.iter().find(|(k, _)| *k != "name") else { continue };
        if NOT_COUNTED.contains(&source) {
            continue;
        }
        let users: Vec<ContainerRef<'_>> = containers
            .iter()
            .filter(|c| c.volume_mounts().any(|(_, m)| m.get("name").and_then(Node::as_str) == Some(name)))
            .cloned()
            .collect();
        let needed = if PERSISTENT.contains(&source) { 1 } else { 2 };
        if users.len() >= needed {
            shared.push(format!("\"{name}\" ({source}, mounted by {})", describe_all(&users)));
        }
    }
    if !shared.is_empty() {
        sink.report(
            &MissingFsGroup::META,
            pod.at("securityContext/fsGroup"),
            format!("pod sets no securityContext.fsGroup for its shared or persistent volumes {}", shared.join(", ")),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{check, pointers};

    #[test]
    fn flags_persistent_and_shared_volumes_without_fs_group() {
        let yaml = r#"
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db}
spec:
  template:
    spec:
      securityContext:
        runAsUser: 10001
      initContainers:
        - name: seed
          volumeMounts: [{name: scratch, mountPath: /s}]
      containers:
        - name: db
          volumeMounts:
            - {name: data, mountPath: /var/lib/db}
            - {name: scratch, mountPath: /s}
            - {name: tmp, mountPath: /tmp}
            - {name: config, mountPath: /etc/db}
        - name: exporter
          volumeMounts: [{name: config, mountPath: /etc/db}]
      volumes:
        - {name: data, persistentVolumeClaim: {claimName: db}}
        - {name: scratch, emptyDir: {}}
        - {name: tmp, emptyDir: {medium: Memory}}
        - {name: config, configMap: {name: db}}
"#;
        let findings = check(&MissingFsGroup, yaml);
        assert_eq!(pointers(&findings), [("/spec/template/spec/securityContext/fsGroup".to_owned(), 8)]);
        assert_eq!(
            findings[0].message,
            "pod sets no securityContext.fsGroup for its shared or persistent volumes \"data\" (persistentVolumeClaim, mounted by container \"db\"), \"scratch\" (emptyDir, mounted by container \"db\", init container \"seed\")"
        );
    }

    #[test]
    fn reports_at_the_pod_spec_when_there_is_no_security_context() {
        let yaml = r#"
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  securityContext: {fsGroup: "2000"}
  containers:
    - name: a
      volumeMounts: [{name: eph, mountPath: /e}]
  volumes:
    - name: eph
      ephemeral: {volumeClaimTemplate: {spec: {}}}
"#;
        // A string is not a group id: counts as unset.
        assert_eq!(pointers(&check(&MissingFsGroup, yaml)), [("/spec/securityContext/fsGroup".to_owned(), 6)]);
    }

    #[test]
    fn passes_with_fs_group_single_use_scratch_windows_and_malformed_input() {
        let yaml = r#"
apiVersion: v1
kind: Pod
metadata: {name: ok}
spec:
  securityContext: {fsGroup: 2000}
  containers: [{name: a, volumeMounts: [{name: d, mountPath: /d}]}]
  volumes: [{name: d, persistentVolumeClaim: {claimName: d}}]
---
apiVersion: v1
kind: Pod
metadata: {name: scratch}
spec:
  containers: [{name: a, volumeMounts: [{name: t, mountPath: /tmp}]}, {name: b, volumeMounts: {name: t}}]
  volumes: [{name: t, emptyDir: {}}, "junk", {emptyDir: {}}, {name: only-name}]
---
apiVersion: v1
kind: Pod
metadata: {name: win}
spec:
  os: {name: windows}
  containers: [{name: a, volumeMounts: [{name: d, mountPath: /d}]}]
  volumes: [{name: d, persistentVolumeClaim: {claimName: d}}]
"#;
        assert!(check(&MissingFsGroup, yaml).is_empty());
    }
}
