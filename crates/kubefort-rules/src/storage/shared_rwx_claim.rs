use kubefort_model::{declare_rule, Context, Node, Object, PodSpecRef, Sink};
use std::collections::BTreeSet;

declare_rule! {
    /// ## What it does
    /// Flags ReadWriteMany PersistentVolumeClaims mounted by workloads of
    /// different trust levels: workloads running under different service
    /// accounts. It also flags a ReadWriteMany PersistentVolume exported by
    /// the same NFS server and path as another volume bound to a claim in a
    /// different namespace. Informational: sharing may be intended, but it
    /// should be a decision.
    ///
    /// ## Why is this bad?
    /// A shared writable volume is a channel between workloads that
    /// NetworkPolicies and RBAC do not see: the less trusted one can plant
    /// files (scripts, configs, pickles) that the more trusted one reads
    /// and runs, or read what it writes.
    ///
    /// ## Example
    /// ```yaml
    /// kind: PersistentVolumeClaim
    /// metadata: {name: shared, namespace: shop}
    /// spec: {accessModes: [ReadWriteMany]}
    /// # mounted by `web` (sa web) and `report` (sa report)
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// spec: {accessModes: [ReadWriteOnce]}   # one writer; share data through an API or object storage
    /// ```
    ///
    /// ## References
    /// - <https://kubernetes.io/docs/concepts/storage/persistent-volumes/#access-modes>
    pub struct SharedRwxClaim {
        id: "KF-STO-003",
        name: "shared-read-write-many-volume",
        title: "ReadWriteMany volume shared across trust boundaries",
        severity: Info,
        fix: "Give each workload its own volume, or mount the shared one read-only in all but one writer",
        references: [],
        check: check,
    }
}

fn rwx(spec: Option<&Node>) -> bool {
    spec.and_then(|s| s.get("accessModes"))
        .map(Node::as_seq)
        .unwrap_or(&[])
        .iter()
        .any(|m| m.as_str() == Some("ReadWriteMany"))
}

fn check(cx: &Context<'_>, sink: &mut Sink<'_>) {
    let object = cx.object;
    match object.kind.as_str() {
        "PersistentVolumeClaim" if rwx(object.root.get("spec")) => check_claim(cx, object, sink),
        "PersistentVolume" if rwx(object.root.get("spec")) => check_volume(cx, object, sink),
        _ => {}
    }
}

fn check_claim(cx: &Context<'_>, claim: &Object, sink: &mut Sink<'_>) {
    let ns = claim.namespace.as_deref().unwrap_or("default");
    let mut users: BTreeSet<(String, String)> = BTreeSet::new();
    for workload in cx.inventory.objects() {
        if workload.namespace.as_deref().unwrap_or("default") != ns {
            continue;
        }
        let Some(pod) = PodSpecRef::to_check(workload) else { continue };
        let mounts = pod.volumes().any(|(_, v)| {
            v.path(&["persistentVolumeClaim", "claimName"]).and_then(Node::as_str) == Some(claim.name.as_str())
        });
        if mounts {
            let sa = pod.spec.get("serviceAccountName").and_then(Node::as_str).unwrap_or("default");
            users.insert((sa.to_owned(), format!("{} {}", workload.kind, workload.name)));
        }
    }
    let accounts: BTreeSet<&str> = users.iter().map(|(sa, _)| sa.as_str()).collect();
    if accounts.len() > 1 {
        let who: Vec<String> = users.iter().map(|(sa, w)| format!("{w} (sa {sa})")).collect();
        sink.report(
            &SharedRwxClaim::META,
            "/spec/accessModes",
            format!("ReadWriteMany claim {} is mounted by {}", claim.name, who.join(", ")),
        );
    }
}

fn nfs_export(pv: &Object) -> Option<(String, String)> {
    let nfs = pv.root.path(&["spec", "nfs"])?;
    Some((nfs.get("server")?.as_str()?.to_owned(), nfs.get("path")?.as_str()?.trim_end_matches('/').to_owned()))
}

fn claim_namespace(pv: &Object) -> Option<&str> {
    pv.root.path(&["spec", "claimRef", "namespace"]).and_then(Node::as_str)
}

fn check_volume(cx: &Context<'_>, pv: &Object, sink: &mut Sink<'_>) {
    let (Some(export), Some(ns)) = (nfs_export(pv), claim_namespace(pv)) else { return };
    let others: Vec<String> = cx
        .inventory
        .of_kind("PersistentVolume")
        .filter(|o| o.name != pv.name && nfs_export(o).as_ref() == Some(&export))
        .filter_map(|o| claim_namespace(o).filter(|n| *n != ns).map(|n| format!("{} (namespace {n})", o.name)))
        .collect();
    if !others.is_empty() {
        sink.report(
            &SharedRwxClaim::META,
            "/spec/nfs",
            format!(
                "ReadWriteMany volume {} (namespace {ns}) exports NFS {}:{} also used by {}",
                pv.name,
                export.0,
                export.1,
                others.join(", ")
            ),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{check, pointers};

    #[test]
    fn flags_claims_shared_by_different_accounts_and_nfs_exports_across_namespaces() {
        let yaml = r#"
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: shared, namespace: shop}
spec: {accessModes: [ReadWriteMany]}
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: solo, namespace: shop}
spec: {accessModes: [ReadWriteMany]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  template:
    spec:
      serviceAccountName: web
      containers: [{name: web}]
      volumes: [{name: d, persistentVolumeClaim: {claimName: shared}}, {name: s, persistentVolumeClaim: {claimName: solo}}]
---
apiVersion: batch/v1
kind: Job
metadata: {name: report, namespace: shop}
spec:
  template:
    spec:
      serviceAccountName: report
      containers: [{name: r}]
      volumes: [{name: d, persistentVolumeClaim: {claimName: shared}}]
---
apiVersion: v1
kind: PersistentVolume
metadata: {name: nfs-a}
spec:
  accessModes: [ReadWriteMany]
  nfs: {server: nfs.internal, path: /exports/data}
  claimRef: {namespace: shop, name: data}
---
apiVersion: v1
kind: PersistentVolume
metadata: {name: nfs-b}
spec:
  accessModes: [ReadWriteMany]
  nfs: {server: nfs.internal, path: /exports/data/}
  claimRef: {namespace: lab, name: data}
"#;
        let findings = check(&SharedRwxClaim, yaml);
        assert_eq!(
            pointers(&findings),
            [("/spec/accessModes".to_owned(), 5), ("/spec/nfs".to_owned(), 37), ("/spec/nfs".to_owned(), 45)]
        );
        assert_eq!(
            findings[0].message,
            "ReadWriteMany claim shared is mounted by Job report (sa report), Deployment web (sa web)"
        );
        assert!(findings[1].message.contains("also used by nfs-b (namespace lab)"));
    }
}
