//! `hostProbesAndHostLifecycle` (baseline, since v1.34): probes and
//! lifecycle handlers must not name a host, so they cannot be aimed at other
//! hosts from the kubelet: `httpGet.host` and `tcpSocket.host` of
//! `livenessProbe`, `readinessProbe`, `startupProbe`, `lifecycle.postStart`
//! and `lifecycle.preStop` must be unset or empty (any host is forbidden,
//! `127.0.0.1` included).

use super::{Check, CheckInfo, Forbidden};
use crate::pod::{containers_phrase, join_quote, map_field, pluralize, sorted_set, Pod};
use crate::Level;

pub(crate) static CHECK: Check = Check {
    info: CheckInfo { id: "hostProbesAndHostLifecycle", level: Level::Baseline, versions: &[34], overrides: &[] },
    eval,
};

const HANDLERS: [&str; 5] =
    ["livenessProbe", "readinessProbe", "startupProbe", "lifecycle/postStart", "lifecycle/preStop"];

fn eval(pod: &Pod<'_>, _minor: u32) -> Option<Forbidden> {
    let mut names = Vec::new();
    let mut hosts = Vec::new();
    let mut pointers = Vec::new();
    for c in &pod.containers {
        let mut bad = false;
        for handler_path in HANDLERS {
            let handler = handler_path.split('/').try_fold(c.node, |node, key| map_field(node, key));
            let Some(handler) = handler else { continue };
            for action in ["httpGet", "tcpSocket"] {
                let host = map_field(handler, action).and_then(|a| a.get("host")).and_then(|h| h.scalar_text());
                if let Some(host) = host.filter(|h| !h.is_empty()) {
                    bad = true;
                    hosts.push(host);
                    pointers.push(c.at(&format!("{handler_path}/{action}/host")));
                }
            }
        }
        if bad {
            names.push(c.name.to_owned());
        }
    }
    if names.is_empty() {
        return None;
    }
    let names = sorted_set(names);
    let hosts = sorted_set(hosts);
    Some(Forbidden {
        reason: "probe or lifecycle host".into(),
        detail: format!(
            "{} {} {} {}",
            containers_phrase(&names),
            pluralize("uses", "use", names.len()),
            pluralize("probe or lifecycle host", "probe or lifecycle hosts", hosts.len()),
            join_quote(&hosts)
        ),
        pointers,
    })
}
