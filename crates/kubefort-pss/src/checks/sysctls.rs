//! `sysctls` (baseline, since v1.0): the pod may only set sysctls that are
//! namespaced and isolated from other pods (`spec.securityContext.sysctls`).
//!
//! - v1.0: `kernel.shm_rmid_forced`, `net.ipv4.ip_local_port_range`,
//!   `net.ipv4.tcp_syncookies`, `net.ipv4.ping_group_range`,
//!   `net.ipv4.ip_unprivileged_port_start`.
//! - v1.27: also `net.ipv4.ip_local_reserved_ports`.
//! - v1.29: also `net.ipv4.tcp_keepalive_time`, `net.ipv4.tcp_fin_timeout`,
//!   `net.ipv4.tcp_keepalive_intvl`, `net.ipv4.tcp_keepalive_probes`.
//! - v1.32: also `net.ipv4.tcp_rmem`, `net.ipv4.tcp_wmem`.
//! - v1.37: also `net.ipv4.tcp_slow_start_after_idle`,
//!   `net.ipv4.tcp_notsent_lowat`.

use super::{Check, CheckInfo, Forbidden};
use crate::pod::{list_field, Pod};
use crate::Level;

pub(crate) static CHECK: Check = Check {
    info: CheckInfo { id: "sysctls", level: Level::Baseline, versions: &[0, 27, 29, 32, 37], overrides: &[] },
    eval,
};

/// Each sysctl with the first policy version that allows it.
const ALLOWED: [(&str, u32); 14] = [
    ("kernel.shm_rmid_forced", 0),
    ("net.ipv4.ip_local_port_range", 0),
    ("net.ipv4.tcp_syncookies", 0),
    ("net.ipv4.ping_group_range", 0),
    ("net.ipv4.ip_unprivileged_port_start", 0),
    ("net.ipv4.ip_local_reserved_ports", 27),
    ("net.ipv4.tcp_keepalive_time", 29),
    ("net.ipv4.tcp_fin_timeout", 29),
    ("net.ipv4.tcp_keepalive_intvl", 29),
    ("net.ipv4.tcp_keepalive_probes", 29),
    ("net.ipv4.tcp_rmem", 32),
    ("net.ipv4.tcp_wmem", 32),
    ("net.ipv4.tcp_slow_start_after_idle", 37),
    ("net.ipv4.tcp_notsent_lowat", 37),
];

/// Whether `name` is a safe sysctl at policy version `minor`.
pub fn allowed(name: &str, minor: u32) -> bool {
    ALLOWED.iter().any(|(n, since)| *n == name && *since <= minor)
}

fn eval(pod: &Pod<'_>, minor: u32) -> Option<Forbidden> {
    let mut names = Vec::new();
    let mut pointers = Vec::new();
    for (i, sysctl) in list_field(pod.security_context(), "sysctls").iter().enumerate() {
        if sysctl.as_map().is_none() {
            continue;
        }
        let name = sysctl.get("name").and_then(|n| n.scalar_text()).unwrap_or_default();
        if !allowed(&name, minor) {
            names.push(name);
            pointers.push(pod.at(&format!("securityContext/sysctls/{i}/name")));
        }
    }
    if names.is_empty() {
        return None;
    }
    Some(Forbidden { reason: "forbidden sysctls".into(), detail: names.join(", "), pointers })
}
