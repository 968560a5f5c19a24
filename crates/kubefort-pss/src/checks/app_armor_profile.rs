//! `appArmorProfile` (baseline, since v1.0): AppArmor must not be disabled or
//! overridden with an unconfined profile.
//!
//! - The `securityContext.appArmorProfile.type` of the pod and of every
//!   container must be `RuntimeDefault` or `Localhost` when set.
//! - Every `container.apparmor.security.beta.kubernetes.io/*` annotation must
//!   be empty, `runtime/default` or `localhost/*`.
//!
//! Upstream amended the v1.0 revision in place when the field was added
//! (Kubernetes 1.30), so both apply at every policy version.

use super::{Check, CheckInfo, Forbidden};
use crate::pod::{join_quote, map_field, pluralize, sorted_set, str_or_empty, Pod};
use crate::Level;

const ANNOTATION_PREFIX: &str = "container.apparmor.security.beta.kubernetes.io/";

pub(crate) static CHECK: Check =
    Check { info: CheckInfo { id: "appArmorProfile", level: Level::Baseline, versions: &[0], overrides: &[] }, eval };

fn allowed_type(t: &str) -> bool {
    t == "RuntimeDefault" || t == "Localhost"
}

fn allowed_annotation(v: &str) -> bool {
    v.is_empty() || v == "runtime/default" || v.starts_with("localhost/")
}

fn eval(pod: &Pod<'_>, _minor: u32) -> Option<Forbidden> {
    let mut setters = Vec::new();
    let mut values = Vec::new();
    let mut pointers = Vec::new();

    if let Some(profile) = pod.security_context().and_then(|sc| map_field(sc, "appArmorProfile")) {
        let t = str_or_empty(profile, "type");
        if !allowed_type(t) {
            setters.push("pod".to_owned());
            values.push(t.to_owned());
            pointers.push(pod.at("securityContext/appArmorProfile/type"));
        }
    }
    let mut containers = Vec::new();
    for c in &pod.containers {
        if let Some(profile) = c.security_context().and_then(|sc| map_field(sc, "appArmorProfile")) {
            let t = str_or_empty(profile, "type");
            if !allowed_type(t) {
                containers.push(c.name);
                values.push(t.to_owned());
                pointers.push(c.sc_at("appArmorProfile/type"));
            }
        }
    }
    if !containers.is_empty() {
        setters.push(format!("{} {}", pluralize("container", "containers", containers.len()), join_quote(&containers)));
    }
    let mut annotations = Vec::new();
    for (key, value) in pod.annotations() {
        if key.starts_with(ANNOTATION_PREFIX) && !allowed_annotation(&value) {
            annotations.push(format!("{key}={value:?}"));
            pointers.push(pod.annotation_pointer(key));
        }
    }
    if !annotations.is_empty() {
        setters.push("annotations".to_owned());
    }
    if setters.is_empty() {
        return None;
    }
    let count = values.len() + annotations.len();
    let values = sorted_set(values.into_iter().chain(annotations));
    Some(Forbidden {
        reason: pluralize("forbidden AppArmor profile", "forbidden AppArmor profiles", count).to_owned(),
        detail: format!("{} must not set AppArmor profile type to {}", setters.join(" and "), join_quote(&values)),
        pointers,
    })
}
