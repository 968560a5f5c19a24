//! `seccompProfile_baseline` (baseline, since v1.0): seccomp must not be
//! turned off (`Unconfined`); when a profile is set it must be the runtime
//! default or a node-local one.
//!
//! - v1.0: the annotations `seccomp.security.alpha.kubernetes.io/pod` and
//!   `container.seccomp.security.alpha.kubernetes.io/<container>` must be
//!   `runtime/default`, `docker/default` or `localhost/*` when present.
//! - v1.19: the fields instead: `securityContext.seccompProfile.type` of the
//!   pod and of every container must be `RuntimeDefault` or `Localhost` when
//!   set.
//!
//! At the restricted level `seccompProfile_restricted` replaces it from v1.19.

use super::{revision, Check, CheckInfo, Forbidden};
use crate::pod::{containers_phrase, join_quote, map_field, pluralize, sorted_set, str_or_empty, Pod};
use crate::Level;

pub(crate) static CHECK: Check = Check {
    info: CheckInfo { id: "seccompProfile_baseline", level: Level::Baseline, versions: &[0, 19], overrides: &[] },
    eval,
};

const POD_ANNOTATION: &str = "seccomp.security.alpha.kubernetes.io/pod";
const CONTAINER_ANNOTATION_PREFIX: &str = "container.seccomp.security.alpha.kubernetes.io/";

pub(super) fn valid_type(t: &str) -> bool {
    t == "RuntimeDefault" || t == "Localhost"
}

fn valid_annotation(v: &str) -> bool {
    v == "runtime/default" || v == "docker/default" || v.starts_with("localhost/")
}

fn eval(pod: &Pod<'_>, minor: u32) -> Option<Forbidden> {
    if revision(CHECK.info.versions, minor) >= 19 {
        fields_1_19(pod)
    } else {
        annotations_1_0(pod)
    }
}

fn annotations_1_0(pod: &Pod<'_>) -> Option<Forbidden> {
    let mut forbidden = Vec::new();
    let mut pointers = Vec::new();
    let keys = std::iter::once(POD_ANNOTATION.to_owned())
        .chain(pod.containers.iter().map(|c| format!("{CONTAINER_ANNOTATION_PREFIX}{}", c.name)));
    for key in keys {
        if let Some(value) = pod.annotation(&key) {
            if !valid_annotation(&value) {
                forbidden.push(format!("{key}={value:?}"));
                pointers.push(pod.annotation_pointer(&key));
            }
        }
    }
    if forbidden.is_empty() {
        return None;
    }
    pointers.dedup();
    let forbidden = sorted_set(forbidden);
    Some(Forbidden {
        reason: "seccompProfile".into(),
        detail: format!(
            "forbidden {} {}",
            pluralize("annotation", "annotations", forbidden.len()),
            forbidden.join(", ")
        ),
        pointers,
    })
}

fn fields_1_19(pod: &Pod<'_>) -> Option<Forbidden> {
    let mut setters = Vec::new();
    let mut values = Vec::new();
    let mut pointers = Vec::new();
    if let Some(profile) = pod.security_context().and_then(|sc| map_field(sc, "seccompProfile")) {
        let t = str_or_empty(profile, "type");
        if !valid_type(t) {
            setters.push("pod".to_owned());
            values.push(t.to_owned());
            pointers.push(pod.at("securityContext/seccompProfile/type"));
        }
    }
    let mut names = Vec::new();
    for c in &pod.containers {
        if let Some(profile) = c.security_context().and_then(|sc| map_field(sc, "seccompProfile")) {
            let t = str_or_empty(profile, "type");
            if !valid_type(t) {
                names.push(c.name);
                values.push(t.to_owned());
                pointers.push(c.sc_at("seccompProfile/type"));
            }
        }
    }
    if !names.is_empty() {
        setters.push(containers_phrase(&names));
    }
    if setters.is_empty() {
        return None;
    }
    Some(Forbidden {
        reason: "seccompProfile".into(),
        detail: format!(
            "{} must not set securityContext.seccompProfile.type to {}",
            setters.join(" and "),
            join_quote(&sorted_set(values))
        ),
        pointers,
    })
}
