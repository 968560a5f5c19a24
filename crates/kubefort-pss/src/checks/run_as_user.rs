//! `runAsUser` (restricted, since v1.23): neither the pod nor any container
//! may set `securityContext.runAsUser: 0` (root).
//!
//! - v1.23: applies to every pod.
//! - v1.35: pods in a user namespace (`spec.hostUsers: false`) are exempt.

use super::{revision, Check, CheckInfo, Forbidden};
use crate::pod::{containers_phrase, Pod};
use crate::Level;
use kubefort_model::Node;

pub(crate) static CHECK: Check =
    Check { info: CheckInfo { id: "runAsUser", level: Level::Restricted, versions: &[23, 35], overrides: &[] }, eval };

fn is_root(security_context: Option<&Node>) -> bool {
    security_context.and_then(|sc| sc.get("runAsUser")).and_then(Node::as_i64) == Some(0)
}

fn eval(pod: &Pod<'_>, minor: u32) -> Option<Forbidden> {
    if revision(CHECK.info.versions, minor) >= 35 && pod.in_user_namespace() {
        return None;
    }
    let mut setters = Vec::new();
    let mut pointers = Vec::new();
    if is_root(pod.security_context()) {
        setters.push("pod".to_owned());
        pointers.push(pod.at("securityContext/runAsUser"));
    }
    let mut names = Vec::new();
    for c in &pod.containers {
        if is_root(c.security_context()) {
            names.push(c.name);
            pointers.push(c.sc_at("runAsUser"));
        }
    }
    if !names.is_empty() {
        setters.push(containers_phrase(&names));
    }
    if setters.is_empty() {
        return None;
    }
    Some(Forbidden {
        reason: "runAsUser=0".into(),
        detail: format!("{} must not set runAsUser=0", setters.join(" and ")),
        pointers,
    })
}
