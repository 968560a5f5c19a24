//! `hostPorts` (baseline, since v1.0): containers must not bind host ports:
//! every `ports[*].hostPort` must be unset or `0`.

use super::{Check, CheckInfo, Forbidden};
use crate::pod::{containers_phrase, list_field, pluralize, sorted_set, Pod};
use crate::Level;

pub(crate) static CHECK: Check =
    Check { info: CheckInfo { id: "hostPorts", level: Level::Baseline, versions: &[0], overrides: &[] }, eval };

fn eval(pod: &Pod<'_>, _minor: u32) -> Option<Forbidden> {
    let mut names = Vec::new();
    let mut ports = Vec::new();
    let mut pointers = Vec::new();
    for c in &pod.containers {
        let mut bad = false;
        for (i, port) in list_field(Some(c.node), "ports").iter().enumerate() {
            match port.get("hostPort").and_then(|p| p.as_i64()) {
                Some(host_port) if host_port != 0 => {
                    bad = true;
                    ports.push(host_port.to_string());
                    pointers.push(c.at(&format!("ports/{i}/hostPort")));
                }
                _ => {}
            }
        }
        if bad {
            names.push(c.name);
        }
    }
    if names.is_empty() {
        return None;
    }
    let ports = sorted_set(ports);
    Some(Forbidden {
        reason: "hostPort".into(),
        detail: format!(
            "{} {} {} {}",
            containers_phrase(&names),
            pluralize("uses", "use", names.len()),
            pluralize("hostPort", "hostPorts", ports.len()),
            ports.join(", ")
        ),
        pointers,
    })
}
