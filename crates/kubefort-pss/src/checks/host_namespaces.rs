//! `hostNamespaces` (baseline, since v1.0): the pod must not share the
//! host's namespaces: `hostNetwork`, `hostPID` and `hostIPC` must be unset
//! or `false`.

use super::{Check, CheckInfo, Forbidden};
use crate::pod::{bool_field, Pod};
use crate::Level;

pub(crate) static CHECK: Check =
    Check { info: CheckInfo { id: "hostNamespaces", level: Level::Baseline, versions: &[0], overrides: &[] }, eval };

fn eval(pod: &Pod<'_>, _minor: u32) -> Option<Forbidden> {
    let mut set = Vec::new();
    let mut pointers = Vec::new();
    for field in ["hostNetwork", "hostPID", "hostIPC"] {
        if bool_field(Some(pod.spec), field) == Some(true) {
            set.push(format!("{field}=true"));
            pointers.push(pod.at(field));
        }
    }
    if set.is_empty() {
        return None;
    }
    Some(Forbidden { reason: "host namespaces".into(), detail: set.join(", "), pointers })
}
