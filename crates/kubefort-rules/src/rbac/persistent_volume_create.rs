use super::report_cluster_grants;
use kubefort_model::{declare_rule, Context, Sink};

declare_rule! {
    /// ## What it does
    /// Flags ClusterRole rules that grant `create` on `persistentvolumes`
    /// (through a wildcard too). Roles are not checked: PersistentVolumes are
    /// cluster-scoped.
    ///
    /// ## Why is this bad?
    /// A PersistentVolume can be a `hostPath` on the node. Whoever creates one
    /// and a claim bound to it can mount any directory of the node into a
    /// pod — `/etc`, the kubelet's credentials, the container runtime socket
    /// — and Pod Security does not see it: the pod only names a claim.
    ///
    /// ## Example
    /// ```yaml
    /// rules:
    ///   - apiGroups: [""]
    ///     resources: ["persistentvolumes"]
    ///     verbs: ["create"]
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// # Claims only; volumes are provisioned by a StorageClass.
    /// rules:
    ///   - apiGroups: [""]
    ///     resources: ["persistentvolumeclaims"]
    ///     verbs: ["create", "get", "list"]
    /// ```
    ///
    /// ## References
    /// - <https://kubernetes.io/docs/concepts/security/rbac-good-practices/#persistent-volume-creation>
    pub struct PersistentVolumeCreate {
        id: "KF-RBAC-017",
        name: "rbac-persistentvolume-create",
        title: "RBAC rule allows creating PersistentVolumes",
        severity: High,
        fix: "Let a StorageClass provision volumes; grant create on persistentvolumeclaims instead",
        references: ["kubescape:C-0278", "cis-1.12:5.1.9"],
        check: check,
    }
}

fn check(cx: &Context<'_>, sink: &mut Sink<'_>) {
    report_cluster_grants(cx, sink, &PersistentVolumeCreate::META, &[(&["create"], "", "persistentvolumes")]);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{check, pointers};

    const ROLE: &str = "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: r}\nrules:\n";

    #[test]
    fn flags_create_and_wildcards() {
        let yaml = format!("{ROLE}- {{verbs: [create], apiGroups: [\"\"], resources: [persistentvolumes]}}\n- {{verbs: [\"*\"], apiGroups: [\"*\"], resources: [\"*\"]}}\n");
        let f = check(&PersistentVolumeCreate, &yaml);
        assert_eq!(pointers(&f), [("/rules/0".into(), 5), ("/rules/1".into(), 6)]);
        assert!(f[0].message.contains("create persistentvolumes"), "{}", f[0].message);
    }

    #[test]
    fn ignores_claims_other_verbs_other_groups_and_namespaced_roles() {
        let yaml = format!("{ROLE}- {{verbs: [create], apiGroups: [\"\"], resources: [persistentvolumeclaims]}}\n- {{verbs: [get, list, delete], apiGroups: [\"\"], resources: [persistentvolumes]}}\n- {{verbs: [create], apiGroups: [storage.k8s.io], resources: [persistentvolumes]}}\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {{name: r, namespace: a}}\nrules: [{{verbs: [create], apiGroups: [\"\"], resources: [persistentvolumes]}}]\n");
        assert!(check(&PersistentVolumeCreate, &yaml).is_empty());
    }
}
