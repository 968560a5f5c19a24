use kubefort_model::{declare_rule, Context, Node, Severity, Sink};

declare_rule! {
    /// ## What it does
    /// Flags PersistentVolumes backed by a node's filesystem: `hostPath`
    /// (high) and `local` (medium) volumes.
    ///
    /// ## Why is this bad?
    /// A `hostPath` PersistentVolume hands a node directory to whichever
    /// claim binds it, bypassing the Pod Security `hostPath` restriction:
    /// a user allowed to create claims, but not hostPath pods, gets the
    /// node's files anyway. Neither kind is encrypted or replicated by the
    /// storage layer, and `local` volumes pin the workload to one node.
    ///
    /// ## Example
    /// ```yaml
    /// kind: PersistentVolume
    /// spec:
    ///   hostPath: {path: /var/lib/data}
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// kind: PersistentVolume
    /// spec:
    ///   csi: {driver: ebs.csi.aws.com, volumeHandle: vol-0abc…}
    /// ```
    ///
    /// ## References
    /// - <https://kubernetes.io/docs/concepts/storage/volumes/#hostpath>
    pub struct HostPathPersistentVolume {
        id: "KF-STO-001",
        name: "host-path-persistent-volume",
        title: "PersistentVolume is a directory on a node",
        severity: High,
        fix: "Back the PersistentVolume with a network or CSI volume; keep hostPath for single-node development clusters",
        references: ["kubescape:C-0048"],
        check: check,
    }
}

fn check(cx: &Context<'_>, sink: &mut Sink<'_>) {
    let object = cx.object;
    if object.kind != "PersistentVolume" {
        return;
    }
    let Some(spec) = object.root.get("spec") else { return };
    for (field, severity) in [("hostPath", Severity::High), ("local", Severity::Medium)] {
        let Some(source) = spec.get(field).filter(|s| s.as_map().is_some()) else { continue };
        let path = source.get("path").and_then(Node::as_str).unwrap_or("an unset path");
        let finding = sink.report(
            &HostPathPersistentVolume::META,
            format!("/spec/{field}"),
            format!("PersistentVolume {} is {field} volume {path} on a node", object.name),
        );
        finding.severity = severity;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{check, pointers};

    #[test]
    fn flags_host_path_and_local_volumes() {
        let yaml = "apiVersion: v1\nkind: PersistentVolume\nmetadata: {name: a}\nspec:\n  hostPath: {path: /data}\n---\napiVersion: v1\nkind: PersistentVolume\nmetadata: {name: b}\nspec:\n  local: {path: /mnt/disk}\n---\napiVersion: v1\nkind: PersistentVolume\nmetadata: {name: c}\nspec:\n  nfs: {server: nfs, path: /x}\n";
        let findings = check(&HostPathPersistentVolume, yaml);
        assert_eq!(pointers(&findings), [("/spec/hostPath".to_owned(), 5), ("/spec/local".to_owned(), 11)]);
        assert_eq!(findings[0].severity, Severity::High);
        assert_eq!(findings[1].severity, Severity::Medium);
        assert_eq!(findings[0].message, "PersistentVolume a is hostPath volume /data on a node");
    }
}
