//! `capabilities_restricted` (restricted, since v1.22): every container must
//! drop `ALL` capabilities (`securityContext.capabilities.drop: ["ALL"]`)
//! and may add back only `NET_BIND_SERVICE`.
//!
//! - v1.22: applies to every pod; replaces `capabilities_baseline`.
//! - v1.25: pods with `spec.os.name: windows` are exempt.

use super::{revision, Check, CheckInfo, Forbidden};
use crate::pod::{containers_phrase, join_quote, list_field, map_field, sorted_set, Pod};
use crate::Level;

pub(crate) static CHECK: Check = Check {
    info: CheckInfo {
        id: "capabilities_restricted",
        level: Level::Restricted,
        versions: &[22, 25],
        overrides: &["capabilities_baseline"],
    },
    eval,
};

fn eval(pod: &Pod<'_>, minor: u32) -> Option<Forbidden> {
    if revision(CHECK.info.versions, minor) >= 25 && pod.is_windows() {
        return None;
    }
    let mut missing_drop = Vec::new();
    let mut adding = Vec::new();
    let mut caps = Vec::new();
    let mut pointers = Vec::new();
    for c in &pod.containers {
        let capabilities = c.security_context().and_then(|sc| map_field(sc, "capabilities"));
        let drops_all = list_field(capabilities, "drop").iter().any(|d| d.as_str() == Some("ALL"));
        if !drops_all {
            missing_drop.push(c.name);
            pointers.push(c.sc_at("capabilities/drop"));
        }
        let mut bad = false;
        for (i, cap) in list_field(capabilities, "add").iter().enumerate() {
            let cap = cap.scalar_text().unwrap_or_default();
            if cap != "NET_BIND_SERVICE" {
                bad = true;
                caps.push(cap);
                pointers.push(c.sc_at(&format!("capabilities/add/{i}")));
            }
        }
        if bad {
            adding.push(c.name);
        }
    }
    let mut details = Vec::new();
    if !missing_drop.is_empty() {
        details
            .push(format!("{} must set securityContext.capabilities.drop=[\"ALL\"]", containers_phrase(&missing_drop)));
    }
    if !adding.is_empty() {
        details.push(format!(
            "{} must not include {} in securityContext.capabilities.add",
            containers_phrase(&adding),
            join_quote(&sorted_set(caps))
        ));
    }
    if details.is_empty() {
        return None;
    }
    Some(Forbidden { reason: "unrestricted capabilities".into(), detail: details.join("; "), pointers })
}
