//! `privileged` (baseline, since v1.0): containers must not run privileged:
//! `securityContext.privileged` must be unset or `false`.

use super::{Check, CheckInfo, Forbidden};
use crate::pod::{bool_field, containers_phrase, Pod};
use crate::Level;

pub(crate) static CHECK: Check =
    Check { info: CheckInfo { id: "privileged", level: Level::Baseline, versions: &[0], overrides: &[] }, eval };

fn eval(pod: &Pod<'_>, _minor: u32) -> Option<Forbidden> {
    let bad: Vec<_> =
        pod.containers.iter().filter(|c| bool_field(c.security_context(), "privileged") == Some(true)).collect();
    if bad.is_empty() {
        return None;
    }
    let names: Vec<&str> = bad.iter().map(|c| c.name).collect();
    Some(Forbidden {
        reason: "privileged".into(),
        detail: format!("{} must not set securityContext.privileged=true", containers_phrase(&names)),
        pointers: bad.iter().map(|c| c.sc_at("privileged")).collect(),
    })
}
