//! `hostPathVolumes` (baseline, since v1.0): the pod must not use `hostPath`
//! volumes.
//!
//! At the restricted level `restrictedVolumes` replaces it (from v1.0).

use super::{Check, CheckInfo, Forbidden};
use crate::pod::{is_set, join_quote, pluralize, Pod};
use crate::Level;

pub(crate) static CHECK: Check =
    Check { info: CheckInfo { id: "hostPathVolumes", level: Level::Baseline, versions: &[0], overrides: &[] }, eval };

fn eval(pod: &Pod<'_>, _minor: u32) -> Option<Forbidden> {
    let mut names = Vec::new();
    let mut pointers = Vec::new();
    for (i, volume) in pod.volumes() {
        if is_set(volume, "hostPath") {
            names.push(volume.get("name").and_then(|n| n.as_str()).unwrap_or(""));
            pointers.push(pod.at(&format!("volumes/{i}/hostPath")));
        }
    }
    if names.is_empty() {
        return None;
    }
    Some(Forbidden {
        reason: "hostPath volumes".into(),
        detail: format!("{} {}", pluralize("volume", "volumes", names.len()), join_quote(&names)),
        pointers,
    })
}
