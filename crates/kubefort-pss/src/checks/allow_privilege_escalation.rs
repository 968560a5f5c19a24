//! `allowPrivilegeEscalation` (restricted, since v1.8): every container must
//! set `securityContext.allowPrivilegeEscalation: false`.
//!
//! - v1.8: applies to every pod.
//! - v1.25: pods with `spec.os.name: windows` are exempt.

use super::{revision, Check, CheckInfo, Forbidden};
use crate::pod::{bool_field, containers_phrase, Pod};
use crate::Level;

pub(crate) static CHECK: Check = Check {
    info: CheckInfo { id: "allowPrivilegeEscalation", level: Level::Restricted, versions: &[8, 25], overrides: &[] },
    eval,
};

fn eval(pod: &Pod<'_>, minor: u32) -> Option<Forbidden> {
    if revision(CHECK.info.versions, minor) >= 25 && pod.is_windows() {
        return None;
    }
    let bad: Vec<_> = pod
        .containers
        .iter()
        .filter(|c| bool_field(c.security_context(), "allowPrivilegeEscalation") != Some(false))
        .collect();
    if bad.is_empty() {
        return None;
    }
    let names: Vec<&str> = bad.iter().map(|c| c.name).collect();
    Some(Forbidden {
        reason: "allowPrivilegeEscalation != false".into(),
        detail: format!("{} must set securityContext.allowPrivilegeEscalation=false", containers_phrase(&names)),
        pointers: bad.iter().map(|c| c.sc_at("allowPrivilegeEscalation")).collect(),
    })
}
