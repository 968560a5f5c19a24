use kubefort_model::{declare_rule, ContainerRef, Context, Node, PodSpecRef, Severity, Sink};

use super::describe_all;

declare_rule! {
    /// ## What it does
    /// Flags `hostPath` volumes. The finding is critical when the path
    /// (after resolving `.`, `..`, repeated and trailing slashes) is, is
    /// inside, or contains a sensitive host path (`/`, `/etc`, `/proc`,
    /// `/sys`, `/root`, `/boot`, `/dev`, `/var/lib/kubelet`,
    /// `/var/lib/docker`, `/var/lib/containerd`, `/var/run`, `/run`,
    /// `/var/log`), when it is a container runtime socket
    /// (`docker.sock`, `containerd.sock`, `crio.sock`, …) wherever it lives,
    /// or when a container mounts it without `readOnly: true`. The message
    /// names the path and which containers can write to it.
    ///
    /// ## Why is this bad?
    /// A `hostPath` volume is a hole in the container's filesystem isolation:
    /// the pod reads and writes the node's files directly, outside any
    /// quota, and keeps them across pod restarts. The node's `/etc`,
    /// `/root` or `/` let a container plant cron jobs, SSH keys or binaries
    /// that the node runs as root; `/var/lib/kubelet` holds every pod's
    /// secrets and service account tokens; a runtime socket lets the
    /// container start a privileged container of its choice, even when the
    /// socket is mounted read-only. A writable mount anywhere also allows
    /// symlink tricks against the kubelet and filling the node's disk.
    ///
    /// ## Example
    /// ```yaml
    /// containers:
    ///   - name: app
    ///     volumeMounts:
    ///       - name: docker
    ///         mountPath: /var/run/docker.sock
    /// volumes:
    ///   - name: docker
    ///     hostPath:
    ///       path: /var/run/docker.sock
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// containers:
    ///   - name: app
    ///     volumeMounts:
    ///       - name: data
    ///         mountPath: /data
    /// volumes:
    ///   - name: data
    ///     persistentVolumeClaim:
    ///       claimName: app-data
    /// ```
    ///
    /// ## References
    /// - <https://kubernetes.io/docs/concepts/storage/volumes/#hostpath>
    /// - <https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline>
    pub struct HostPathVolume {
        id: "KF-POD-013",
        name: "host-path-volume",
        title: "Pod mounts a host path",
        severity: High,
        fix: "Replace the hostPath volume with a PersistentVolumeClaim, emptyDir or ConfigMap; if unavoidable, mount it readOnly",
        references: [
            "pss:hostPathVolumes",
            "checkov:CKV_K8S_27",
            "polaris:hostPathSet",
            "kube-linter:sensitive-host-mounts",
            "kube-linter:writable-host-mount",
            "kube-linter:docker-sock",
            "kubescape:C-0048",
            "kubescape:C-0045",
            "kubescape:C-0074",
            "cis-1.12:5.2.11",
        ],
        check: check,
    }
}

const SENSITIVE: &[&str] = &[
    "/etc",
    "/proc",
    "/sys",
    "/root",
    "/boot",
    "/dev",
    "/var/lib/kubelet",
    "/var/lib/docker",
    "/var/lib/containerd",
    "/var/run",
    "/run",
    "/var/log",
];

/// File names of container runtime API sockets.
const RUNTIME_SOCKETS: &[&str] =
    &["docker.sock", "containerd.sock", "crio.sock", "cri-dockerd.sock", "podman.sock", "dockershim.sock"];

/// Resolves `.`, `..`, repeated and trailing slashes lexically, as the host
/// would for an absolute path (`/var/lib/../run/` → `/var/run`).
fn normalize(path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    format!("/{}", parts.join("/"))
}

/// `a` is `b` or a directory inside it.
fn within(a: &str, b: &str) -> bool {
    a == b || (a.starts_with(b) && a.as_bytes().get(b.len()) == Some(&b'/'))
}

/// Why a (normalised) host path is sensitive, if it is.
fn sensitivity(path: &str) -> Option<String> {
    let file = path.rsplit('/').next().unwrap_or("");
    if RUNTIME_SOCKETS.contains(&file) {
        return Some("container runtime socket".into());
    }
    if path == "/" {
        return Some("the node's root filesystem".into());
    }
    for s in SENSITIVE {
        if path == *s {
            return Some(format!("sensitive path {s}"));
        }
        if within(path, s) {
            return Some(format!("inside sensitive path {s}"));
        }
    }
    SENSITIVE.iter().find(|s| within(s, path)).map(|s| format!("contains sensitive path {s}"))
}

fn check(cx: &Context<'_>, sink: &mut Sink<'_>) {
    let Some(pod) = PodSpecRef::to_check(cx.object) else { return };
    let containers: Vec<ContainerRef<'_>> = pod.containers().collect();
    for (i, volume) in pod.volumes() {
        let Some(host_path) = volume.get("hostPath").filter(|h| h.as_map().is_some()) else { continue };
        let name = volume.get("name").and_then(Node::as_str).unwrap_or("?");
        let raw = host_path.get("path").and_then(Node::as_str);
        let path = raw.map(normalize);
        let mut writable = Vec::new();
        let mut read_only = Vec::new();
        for c in &containers {
            for (_, mount) in c.volume_mounts().filter(|(_, m)| m.get("name").and_then(Node::as_str) == Some(name)) {
                let list = if mount.get("readOnly").and_then(Node::as_bool) == Some(true) {
                    &mut read_only
                } else {
                    &mut writable
                };
                if !list.iter().any(|x: &ContainerRef<'_>| (x.kind, x.index) == (c.kind, c.index)) {
                    list.push(c.clone());
                }
            }
        }
        let reason = path.as_deref().and_then(sensitivity);
        let access = match (writable.is_empty(), read_only.is_empty()) {
            (false, _) => format!("writable by {}", describe_all(&writable)),
            (true, false) => format!("read-only in {}", describe_all(&read_only)),
            (true, true) => "not mounted by any container".to_owned(),
        };
        let message = format!(
            "hostPath volume \"{name}\" mounts {}{}, {access}",
            path.as_deref().unwrap_or("an unset path"),
            reason.as_deref().map(|r| format!(" ({r})")).unwrap_or_default(),
        );
        let finding = sink.report(&HostPathVolume::META, pod.at(&format!("volumes/{i}/hostPath/path")), message);
        finding.evidence = Some(format!(
            "path={:?}; resolved={}; sensitive={}; writable={}",
            raw.unwrap_or(""),
            path.as_deref().unwrap_or(""),
            reason.as_deref().unwrap_or("no"),
            if writable.is_empty() { "no".to_owned() } else { describe_all(&writable) }
        ));
        if reason.is_some() || !writable.is_empty() {
            finding.severity = Severity::Critical;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::check;

    #[test]
    fn severity_follows_sensitivity_and_write_access() {
        let yaml = r#"
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent}
spec:
  template:
    spec:
      containers:
        - name: agent
          volumeMounts:
            - {name: sock, mountPath: /var/run/docker.sock, readOnly: true}
            - {name: logs, mountPath: /logs, readOnly: true}
            - {name: data, mountPath: /data, readOnly: true}
            - {name: cache, mountPath: /cache}
      initContainers:
        - name: init
          volumeMounts:
            - {name: data, mountPath: /data}
      volumes:
        - name: sock
          hostPath:
            path: /var/run/docker.sock
        - name: logs
          hostPath: {path: "/var/log/pods/"}
        - name: data
          hostPath: {path: /srv/data}
        - name: cache
          hostPath: {path: /srv/cache, type: DirectoryOrCreate}
        - name: kubelet
          hostPath: {path: "/var/lib/./docker/../kubelet//"}
        - name: parent
          hostPath: {path: /var/lib}
        - name: safe
          hostPath: {path: /opt/app/config}
        - name: near-miss
          hostPath: {path: /etcd-backup}
"#;
        let findings = check(&HostPathVolume, yaml);
        let v = "/spec/template/spec/volumes";
        let got: Vec<_> = findings.iter().map(|f| (f.pointer.as_str(), f.location.line, f.severity)).collect();
        assert_eq!(
            got,
            [
                (format!("{v}/0/hostPath/path").as_str(), 22, Severity::Critical),
                (format!("{v}/1/hostPath/path").as_str(), 24, Severity::Critical),
                (format!("{v}/2/hostPath/path").as_str(), 26, Severity::Critical),
                (format!("{v}/3/hostPath/path").as_str(), 28, Severity::Critical),
                (format!("{v}/4/hostPath/path").as_str(), 30, Severity::Critical),
                (format!("{v}/5/hostPath/path").as_str(), 32, Severity::Critical),
                (format!("{v}/6/hostPath/path").as_str(), 34, Severity::High),
                (format!("{v}/7/hostPath/path").as_str(), 36, Severity::High),
            ]
        );
        let messages: Vec<_> = findings.iter().map(|f| f.message.as_str()).collect();
        assert_eq!(
            messages[0],
            "hostPath volume \"sock\" mounts /var/run/docker.sock (container runtime socket), read-only in container \"agent\""
        );
        assert_eq!(
            messages[1],
            "hostPath volume \"logs\" mounts /var/log/pods (inside sensitive path /var/log), read-only in container \"agent\""
        );
        assert_eq!(messages[2], "hostPath volume \"data\" mounts /srv/data, writable by init container \"init\"");
        assert_eq!(messages[3], "hostPath volume \"cache\" mounts /srv/cache, writable by container \"agent\"");
        assert_eq!(
            messages[4],
            "hostPath volume \"kubelet\" mounts /var/lib/kubelet (sensitive path /var/lib/kubelet), not mounted by any container"
        );
        assert_eq!(
            messages[5],
            "hostPath volume \"parent\" mounts /var/lib (contains sensitive path /var/lib/kubelet), not mounted by any container"
        );
        assert_eq!(messages[6], "hostPath volume \"safe\" mounts /opt/app/config, not mounted by any container");
        assert_eq!(
            findings[1].evidence.as_deref(),
            Some("path=\"/var/log/pods/\"; resolved=/var/log/pods; sensitive=inside sensitive path /var/log; writable=no")
        );
        assert_eq!(
            findings[2].evidence.as_deref(),
            Some("path=\"/srv/data\"; resolved=/srv/data; sensitive=no; writable=init container \"init\"")
        );
    }

    #[test]
    fn root_and_sockets_anywhere_are_critical_and_malformed_volumes_do_not_crash() {
        let yaml = r#"
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers: [{name: a, volumeMounts: "oops"}]
  volumes:
    - {name: root, hostPath: {path: "/.."}}
    - {name: k3s, hostPath: {path: /opt/k3s/run/containerd.sock}}
    - {name: nopath, hostPath: {type: Directory}}
    - {name: numeric, hostPath: {path: 7}}
    - {name: notmap, hostPath: /etc}
    - "junk"
    - {name: empty, emptyDir: {}}
"#;
        let findings = check(&HostPathVolume, yaml);
        let got: Vec<_> = findings.iter().map(|f| (f.pointer.as_str(), f.location.line, f.severity)).collect();
        assert_eq!(
            got,
            [
                ("/spec/volumes/0/hostPath/path", 8, Severity::Critical),
                ("/spec/volumes/1/hostPath/path", 9, Severity::Critical),
                ("/spec/volumes/2/hostPath/path", 10, Severity::High),
                ("/spec/volumes/3/hostPath/path", 11, Severity::High),
            ]
        );
        assert_eq!(
            findings[0].message,
            "hostPath volume \"root\" mounts / (the node's root filesystem), not mounted by any container"
        );
        assert_eq!(
            findings[2].message,
            "hostPath volume \"nopath\" mounts an unset path, not mounted by any container"
        );
    }

    #[test]
    fn normalizes_paths() {
        assert_eq!(normalize("/var/run/"), "/var/run");
        assert_eq!(normalize("//etc///kubernetes/./pki/.."), "/etc/kubernetes");
        assert_eq!(normalize("/../../"), "/");
        assert_eq!(sensitivity("/etcd"), None);
        assert_eq!(sensitivity("/var").as_deref(), Some("contains sensitive path /var/lib/kubelet"));
        assert_eq!(sensitivity("/run/containerd/containerd.sock").as_deref(), Some("container runtime socket"));
    }
}
