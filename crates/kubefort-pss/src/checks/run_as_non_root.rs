//! `runAsNonRoot` (restricted, since v1.0): containers must run as non-root:
//! `securityContext.runAsNonRoot: true` on the pod (with no container
//! setting it to `false`) or on every container.
//!
//! - v1.0: applies to every pod.
//! - v1.35: pods in a user namespace (`spec.hostUsers: false`) are exempt.

use super::{revision, Check, CheckInfo, Forbidden};
use crate::pod::{bool_field, containers_phrase, Pod};
use crate::Level;

pub(crate) static CHECK: Check = Check {
    info: CheckInfo { id: "runAsNonRoot", level: Level::Restricted, versions: &[0, 35], overrides: &[] },
    eval,
};

fn eval(pod: &Pod<'_>, minor: u32) -> Option<Forbidden> {
    if revision(CHECK.info.versions, minor) >= 35 && pod.in_user_namespace() {
        return None;
    }
    let mut setters = Vec::new();
    let mut pointers = Vec::new();
    let pod_value = bool_field(pod.security_context(), "runAsNonRoot");
    if pod_value == Some(false) {
        setters.push("pod".to_owned());
        pointers.push(pod.at("securityContext/runAsNonRoot"));
    }
    let mut explicit = Vec::new();
    let mut implicit = Vec::new();
    let mut implicit_pointers = Vec::new();
    for c in &pod.containers {
        match bool_field(c.security_context(), "runAsNonRoot") {
            Some(false) => {
                explicit.push(c.name);
                pointers.push(c.sc_at("runAsNonRoot"));
            }
            Some(true) => {}
            None if pod_value != Some(true) => {
                implicit.push(c.name);
                implicit_pointers.push(c.sc_at("runAsNonRoot"));
            }
            None => {}
        }
    }
    if !explicit.is_empty() {
        setters.push(containers_phrase(&explicit));
    }
    if !setters.is_empty() {
        return Some(Forbidden {
            reason: "runAsNonRoot != true".into(),
            detail: format!("{} must not set securityContext.runAsNonRoot=false", setters.join(" and ")),
            pointers,
        });
    }
    if !implicit.is_empty() {
        return Some(Forbidden {
            reason: "runAsNonRoot != true".into(),
            detail: format!("pod or {} must set securityContext.runAsNonRoot=true", containers_phrase(&implicit)),
            pointers: implicit_pointers,
        });
    }
    None
}
