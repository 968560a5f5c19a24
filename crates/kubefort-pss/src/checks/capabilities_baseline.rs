//! `capabilities_baseline` (baseline, since v1.0): containers may only add
//! capabilities from the runtime's default set to
//! `securityContext.capabilities.add`: `AUDIT_WRITE`, `CHOWN`,
//! `DAC_OVERRIDE`, `FOWNER`, `FSETID`, `KILL`, `MKNOD`, `NET_BIND_SERVICE`,
//! `SETFCAP`, `SETGID`, `SETPCAP`, `SETUID`, `SYS_CHROOT` (compared exactly,
//! so `CAP_CHOWN` is not one of them).
//!
//! At the restricted level `capabilities_restricted` replaces it from v1.22.

use super::{Check, CheckInfo, Forbidden};
use crate::pod::{containers_phrase, join_quote, list_field, map_field, sorted_set, Pod};
use crate::Level;

/// The container runtime's default capabilities minus `NET_RAW`: what the
/// baseline level lets a container add.
pub const DEFAULT_CAPABILITIES: [&str; 13] = [
    "AUDIT_WRITE",
    "CHOWN",
    "DAC_OVERRIDE",
    "FOWNER",
    "FSETID",
    "KILL",
    "MKNOD",
    "NET_BIND_SERVICE",
    "SETFCAP",
    "SETGID",
    "SETPCAP",
    "SETUID",
    "SYS_CHROOT",
];

pub(crate) static CHECK: Check = Check {
    info: CheckInfo { id: "capabilities_baseline", level: Level::Baseline, versions: &[0], overrides: &[] },
    eval,
};

fn eval(pod: &Pod<'_>, _minor: u32) -> Option<Forbidden> {
    let mut names = Vec::new();
    let mut caps = Vec::new();
    let mut pointers = Vec::new();
    for c in &pod.containers {
        let capabilities = c.security_context().and_then(|sc| map_field(sc, "capabilities"));
        let mut bad = false;
        for (i, cap) in list_field(capabilities, "add").iter().enumerate() {
            let cap = cap.scalar_text().unwrap_or_default();
            if !DEFAULT_CAPABILITIES.contains(&cap.as_str()) {
                bad = true;
                caps.push(cap);
                pointers.push(c.sc_at(&format!("capabilities/add/{i}")));
            }
        }
        if bad {
            names.push(c.name);
        }
    }
    if names.is_empty() {
        return None;
    }
    Some(Forbidden {
        reason: "non-default capabilities".into(),
        detail: format!(
            "{} must not include {} in securityContext.capabilities.add",
            containers_phrase(&names),
            join_quote(&sorted_set(caps))
        ),
        pointers,
    })
}
