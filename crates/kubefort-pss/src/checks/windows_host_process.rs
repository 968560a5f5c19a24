//! `windowsHostProcess` (baseline, since v1.0): Windows pods must not run as
//! host processes: `securityContext.windowsOptions.hostProcess` must be unset
//! or `false` on the pod and on every container.

use super::{Check, CheckInfo, Forbidden};
use crate::pod::{bool_field, containers_phrase, map_field, Pod};
use crate::Level;
use kubefort_model::Node;

pub(crate) static CHECK: Check = Check {
    info: CheckInfo { id: "windowsHostProcess", level: Level::Baseline, versions: &[0], overrides: &[] },
    eval,
};

fn host_process(security_context: Option<&Node>) -> bool {
    let options = security_context.and_then(|sc| map_field(sc, "windowsOptions"));
    bool_field(options, "hostProcess") == Some(true)
}

fn eval(pod: &Pod<'_>, _minor: u32) -> Option<Forbidden> {
    let mut setters = Vec::new();
    let mut pointers = Vec::new();
    if host_process(pod.security_context()) {
        setters.push("pod".to_owned());
        pointers.push(pod.at("securityContext/windowsOptions/hostProcess"));
    }
    let mut names = Vec::new();
    for c in &pod.containers {
        if host_process(c.security_context()) {
            names.push(c.name);
            pointers.push(c.sc_at("windowsOptions/hostProcess"));
        }
    }
    if !names.is_empty() {
        setters.push(containers_phrase(&names));
    }
    if setters.is_empty() {
        return None;
    }
    Some(Forbidden {
        reason: "hostProcess".into(),
        detail: format!("{} must not set securityContext.windowsOptions.hostProcess=true", setters.join(" and ")),
        pointers,
    })
}
