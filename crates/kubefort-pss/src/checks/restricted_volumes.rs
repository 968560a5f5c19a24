//! `restrictedVolumes` (restricted, since v1.0): volumes must be of a type
//! that cannot reach the node or outside storage directly: `configMap`,
//! `csi`, `downwardAPI`, `emptyDir`, `ephemeral`, `image`,
//! `persistentVolumeClaim`, `projected` or `secret`. Every other type —
//! `hostPath`, `nfs`, `gitRepo`, the in-tree cloud disks … — is forbidden,
//! and so is a source kubefort does not know.
//!
//! A volume with no source at all is defaulted to `emptyDir` by the API
//! server, so it is allowed. `image` volumes are allowed at every version
//! (upstream amended the v1.0 revision in place in Kubernetes 1.33).
//! Replaces `hostPathVolumes` at the restricted level.

use super::{Check, CheckInfo, Forbidden};
use crate::pod::{is_set, join_quote, pluralize, sorted_set, Pod};
use crate::Level;
use kubefort_model::pointer_join;

pub(crate) static CHECK: Check = Check {
    info: CheckInfo {
        id: "restrictedVolumes",
        level: Level::Restricted,
        versions: &[0],
        overrides: &["hostPathVolumes"],
    },
    eval,
};

const ALLOWED: [&str; 9] = [
    "configMap",
    "csi",
    "downwardAPI",
    "emptyDir",
    "ephemeral",
    "image",
    "persistentVolumeClaim",
    "projected",
    "secret",
];

/// The restricted sources, in the order the plugin tests them.
const RESTRICTED: [&str; 21] = [
    "hostPath",
    "gcePersistentDisk",
    "awsElasticBlockStore",
    "gitRepo",
    "nfs",
    "iscsi",
    "glusterfs",
    "rbd",
    "flexVolume",
    "cinder",
    "cephfs",
    "flocker",
    "fc",
    "azureFile",
    "vsphereVolume",
    "quobyte",
    "azureDisk",
    "portworxVolume",
    "photonPersistentDisk",
    "scaleIO",
    "storageos",
];

fn eval(pod: &Pod<'_>, _minor: u32) -> Option<Forbidden> {
    let mut names = Vec::new();
    let mut types = Vec::new();
    let mut pointers = Vec::new();
    for (i, volume) in pod.volumes() {
        if ALLOWED.iter().any(|source| is_set(volume, source)) {
            continue;
        }
        let known = RESTRICTED.iter().find(|source| is_set(volume, source));
        let unknown = || {
            volume
                .as_map()
                .into_iter()
                .flat_map(|m| m.iter())
                .find(|(k, v)| *k != "name" && !v.is_null())
                .map(|(k, _)| k)
        };
        let (kind, field) = match (known, unknown()) {
            (Some(source), _) => (*source, *source),
            (None, Some(field)) => ("unknown", field),
            // No source at all: the API server defaults it to emptyDir.
            (None, None) => continue,
        };
        names.push(volume.get("name").and_then(|n| n.as_str()).unwrap_or("").to_owned());
        types.push(kind.to_owned());
        pointers.push(pointer_join(&pod.at(&format!("volumes/{i}")), field));
    }
    if names.is_empty() {
        return None;
    }
    let types = sorted_set(types);
    Some(Forbidden {
        reason: "restricted volume types".into(),
        detail: format!(
            "{} {} {} {} {}",
            pluralize("volume", "volumes", names.len()),
            join_quote(&names),
            pluralize("uses", "use", names.len()),
            pluralize("restricted volume type", "restricted volume types", types.len()),
            join_quote(&types)
        ),
        pointers,
    })
}
