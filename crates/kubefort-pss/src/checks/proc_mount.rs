//! `procMount` (baseline, since v1.0): containers must keep the default
//! `/proc` masks: `securityContext.procMount` must be unset or `Default`.
//!
//! - v1.0: applies to every pod.
//! - v1.35: pods in a user namespace (`spec.hostUsers: false`) may set any
//!   `procMount`.
//!
//! At the restricted level `procMount_restricted` replaces it from v1.35.

use super::{revision, Check, CheckInfo, Forbidden};
use crate::pod::{containers_phrase, join_quote, sorted_set, str_field, Pod};
use crate::Level;

pub(crate) static CHECK: Check =
    Check { info: CheckInfo { id: "procMount", level: Level::Baseline, versions: &[0, 35], overrides: &[] }, eval };

fn eval(pod: &Pod<'_>, minor: u32) -> Option<Forbidden> {
    if revision(CHECK.info.versions, minor) >= 35 && pod.in_user_namespace() {
        return None;
    }
    default_proc_mount_only(pod)
}

/// Forbids any `procMount` but `Default` (shared with `procMount_restricted`).
pub(super) fn default_proc_mount_only(pod: &Pod<'_>) -> Option<Forbidden> {
    let mut names = Vec::new();
    let mut values = Vec::new();
    let mut pointers = Vec::new();
    for c in &pod.containers {
        match str_field(c.security_context(), "procMount") {
            Some(value) if value != "Default" => {
                names.push(c.name);
                values.push(value.to_owned());
                pointers.push(c.sc_at("procMount"));
            }
            _ => {}
        }
    }
    if names.is_empty() {
        return None;
    }
    Some(Forbidden {
        reason: "procMount".into(),
        detail: format!(
            "{} must not set securityContext.procMount to {}",
            containers_phrase(&names),
            join_quote(&sorted_set(values))
        ),
        pointers,
    })
}
