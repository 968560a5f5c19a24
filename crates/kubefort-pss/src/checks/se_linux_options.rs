//! `seLinuxOptions` (baseline, since v1.0): the pod and its containers must
//! not pick a custom SELinux context: `securityContext.seLinuxOptions.type`
//! must be unset, empty or an allowed container type, and `user` and `role`
//! must be unset or empty (`level` is free).
//!
//! - v1.0: allowed types `container_t`, `container_init_t`, `container_kvm_t`.
//! - v1.31: also `container_engine_t`.

use super::{revision, Check, CheckInfo, Forbidden};
use crate::pod::{containers_phrase, join_quote, map_field, pluralize, sorted_set, str_or_empty, Pod};
use crate::Level;
use kubefort_model::Node;

pub(crate) static CHECK: Check = Check {
    info: CheckInfo { id: "seLinuxOptions", level: Level::Baseline, versions: &[0, 31], overrides: &[] },
    eval,
};

const TYPES_1_0: [&str; 4] = ["", "container_t", "container_init_t", "container_kvm_t"];

#[derive(Default)]
struct Findings {
    types: Vec<String>,
    user: bool,
    role: bool,
    pointers: Vec<String>,
}

impl Findings {
    /// Records what is wrong with one `seLinuxOptions`; true when anything is.
    fn inspect(&mut self, options: &Node, pointer: &str, minor: u32) -> bool {
        let mut bad = false;
        let t = str_or_empty(options, "type");
        let allowed =
            TYPES_1_0.contains(&t) || (revision(CHECK.info.versions, minor) >= 31 && t == "container_engine_t");
        if !allowed {
            bad = true;
            self.types.push(t.to_owned());
            self.pointers.push(format!("{pointer}/type"));
        }
        if !str_or_empty(options, "user").is_empty() {
            bad = true;
            self.user = true;
            self.pointers.push(format!("{pointer}/user"));
        }
        if !str_or_empty(options, "role").is_empty() {
            bad = true;
            self.role = true;
            self.pointers.push(format!("{pointer}/role"));
        }
        bad
    }
}

fn eval(pod: &Pod<'_>, minor: u32) -> Option<Forbidden> {
    let mut findings = Findings::default();
    let mut setters = Vec::new();
    if let Some(options) = pod.security_context().and_then(|sc| map_field(sc, "seLinuxOptions")) {
        if findings.inspect(options, &pod.at("securityContext/seLinuxOptions"), minor) {
            setters.push("pod".to_owned());
        }
    }
    let mut names = Vec::new();
    for c in &pod.containers {
        if let Some(options) = c.security_context().and_then(|sc| map_field(sc, "seLinuxOptions")) {
            if findings.inspect(options, &c.sc_at("seLinuxOptions"), minor) {
                names.push(c.name);
            }
        }
    }
    if !names.is_empty() {
        setters.push(containers_phrase(&names));
    }
    if setters.is_empty() {
        return None;
    }
    let mut what = Vec::new();
    let types = sorted_set(findings.types);
    if !types.is_empty() {
        what.push(format!("{} {}", pluralize("type", "types", types.len()), join_quote(&types)));
    }
    if findings.user {
        what.push("user may not be set".to_owned());
    }
    if findings.role {
        what.push("role may not be set".to_owned());
    }
    Some(Forbidden {
        reason: "seLinuxOptions".into(),
        detail: format!("{} set forbidden securityContext.seLinuxOptions: {}", setters.join(" and "), what.join("; ")),
        pointers: findings.pointers,
    })
}
