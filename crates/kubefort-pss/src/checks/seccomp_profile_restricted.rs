//! `seccompProfile_restricted` (restricted, since v1.19): a seccomp profile
//! must be set: `securityContext.seccompProfile.type` must be
//! `RuntimeDefault` or `Localhost` on the pod, or on every container (a
//! container may leave it unset when the pod sets a valid one, and none may
//! set another value).
//!
//! - v1.19: applies to every pod; replaces `seccompProfile_baseline`.
//! - v1.25: pods with `spec.os.name: windows` are exempt.

use super::seccomp_profile_baseline::valid_type;
use super::{revision, Check, CheckInfo, Forbidden};
use crate::pod::{containers_phrase, join_quote, map_field, sorted_set, str_or_empty, Pod};
use crate::Level;

pub(crate) static CHECK: Check = Check {
    info: CheckInfo {
        id: "seccompProfile_restricted",
        level: Level::Restricted,
        versions: &[19, 25],
        overrides: &["seccompProfile_baseline"],
    },
    eval,
};

fn eval(pod: &Pod<'_>, minor: u32) -> Option<Forbidden> {
    if revision(CHECK.info.versions, minor) >= 25 && pod.is_windows() {
        return None;
    }
    let mut setters = Vec::new();
    let mut values = Vec::new();
    let mut pointers = Vec::new();
    let mut pod_set = false;
    if let Some(profile) = pod.security_context().and_then(|sc| map_field(sc, "seccompProfile")) {
        let t = str_or_empty(profile, "type");
        if valid_type(t) {
            pod_set = true;
        } else {
            setters.push("pod".to_owned());
            values.push(t.to_owned());
            pointers.push(pod.at("securityContext/seccompProfile/type"));
        }
    }
    let mut explicit = Vec::new();
    let mut implicit = Vec::new();
    let mut implicit_pointers = Vec::new();
    for c in &pod.containers {
        match c.security_context().and_then(|sc| map_field(sc, "seccompProfile")) {
            Some(profile) => {
                let t = str_or_empty(profile, "type");
                if !valid_type(t) {
                    explicit.push(c.name);
                    values.push(t.to_owned());
                    pointers.push(c.sc_at("seccompProfile/type"));
                }
            }
            None if !pod_set => {
                implicit.push(c.name);
                implicit_pointers.push(c.sc_at("seccompProfile/type"));
            }
            None => {}
        }
    }
    if !explicit.is_empty() {
        setters.push(containers_phrase(&explicit));
    }
    if !setters.is_empty() {
        return Some(Forbidden {
            reason: "seccompProfile".into(),
            detail: format!(
                "{} must not set securityContext.seccompProfile.type to {}",
                setters.join(" and "),
                join_quote(&sorted_set(values))
            ),
            pointers,
        });
    }
    if !implicit.is_empty() {
        return Some(Forbidden {
            reason: "seccompProfile".into(),
            detail: format!(
                "pod or {} must set securityContext.seccompProfile.type to \"RuntimeDefault\" or \"Localhost\"",
                containers_phrase(&implicit)
            ),
            pointers: implicit_pointers,
        });
    }
    None
}
