//! `netpol quarantine`: a NetworkPolicy that cuts one workload off.

use crate::network::{Network, NAMESPACE_NAME_LABEL};
use crate::policy::Direction;
use serde_json::{json, Value};

#[derive(Debug, Clone, Default)]
pub struct QuarantineOptions {
    /// Keep DNS lookups to kube-dns (`k8s-app: kube-dns` in `kube-system`).
    pub allow_dns: bool,
    /// Namespaces still allowed to connect in (e.g. a forensics namespace).
    pub allow_from: Vec<String>,
}

/// The policy (as YAML) and notes about what it cannot do by itself.
#[derive(Debug, Clone)]
pub struct Quarantine {
    pub yaml: String,
    pub notes: Vec<String>,
}

/// Writes a policy that isolates the pods of `workload` for ingress and
/// egress, except what the options keep open. NetworkPolicies add up, so the
/// notes name every other policy that still allows traffic to or from the
/// workload, and every other workload the selector also catches.
pub fn quarantine(net: &Network, workload: usize, options: &QuarantineOptions) -> Result<Quarantine, String> {
    let w = net.workloads.get(workload).ok_or("no such workload")?;
    let shape = &net.shapes[w.shape];
    if shape.host_network {
        return Err(format!("{} uses hostNetwork: NetworkPolicies do not apply to it", w.display()));
    }
    if shape.labels.is_empty() {
        return Err(format!("{} has no pod labels, so no policy can select it alone", w.display()));
    }
    let labels: serde_json::Map<String, Value> =
        shape.labels.iter().map(|(k, v)| (k.clone(), Value::String(v.clone()))).collect();
    let name = format!("kubefort-quarantine-{}", w.name).to_ascii_lowercase();
    let name: String = name.chars().take(253).collect();
    let mut spec = serde_json::Map::new();
    spec.insert("podSelector".into(), json!({ "matchLabels": labels }));
    spec.insert("policyTypes".into(), json!(["Ingress", "Egress"]));
    if !options.allow_from.is_empty() {
        let from: Vec<Value> = options
            .allow_from
            .iter()
            .map(|ns| json!({"namespaceSelector": {"matchLabels": {NAMESPACE_NAME_LABEL: ns}}}))
            .collect();
        spec.insert("ingress".into(), json!([{ "from": from }]));
    }
    if options.allow_dns {
        spec.insert(
            "egress".into(),
            json!([{
                "to": [{
                    "namespaceSelector": {"matchLabels": {NAMESPACE_NAME_LABEL: "kube-system"}},
                    "podSelector": {"matchLabels": {"k8s-app": "kube-dns"}}
                }],
                "ports": [{"protocol": "UDP", "port": 53}, {"protocol": "TCP", "port": 53}]
            }]),
        );
    }
    let policy = json!({
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": {
            "name": name,
            "namespace": w.namespace,
            "labels": {"app.kubernetes.io/managed-by": "kubefort"},
            "annotations": {"kubefort.io/quarantine": w.display()}
        },
        "spec": spec
    });
    let mut notes = Vec::new();
    for (i, other) in net.workloads.iter().enumerate() {
        if i != workload && other.namespace == w.namespace && {
            let s = &net.shapes[other.shape];
            !s.host_network && shape.labels.iter().all(|(k, v)| s.labels.get(k) == Some(v))
        } {
            notes.push(format!("the selector also isolates {}, whose pods carry the same labels", other.display()));
        }
    }
    let mut open: Vec<(usize, Vec<&str>)> = Vec::new();
    for dir in [Direction::Ingress, Direction::Egress] {
        for &p in net.isolating(w.shape, dir) {
            if net.policies[p].rules(dir).is_empty() {
                continue;
            }
            match open.iter_mut().find(|(q, _)| *q == p) {
                Some((_, dirs)) => dirs.push(dir.as_str()),
                None => open.push((p, vec![dir.as_str()])),
            }
        }
    }
    for (p, dirs) in open {
        notes.push(format!(
            "NetworkPolicy {} also selects it and has {} rules; policies add up, so delete or narrow it to complete the quarantine",
            net.policies[p].display(),
            dirs.join(" and ")
        ));
    }
    let mut yaml = String::from("---\n");
    emit(&policy, 0, &mut yaml);
    Ok(Quarantine { yaml, notes })
}

/// A small YAML emitter: strings are double-quoted (JSON string syntax is
/// valid YAML), so no value can be misread.
fn emit(value: &Value, indent: usize, out: &mut String) {
    let pad = " ".repeat(indent);
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                out.push_str(&pad);
                out.push_str(&scalar(&Value::String(k.clone())));
                out.push(':');
                inline_or_block(v, indent, out);
            }
        }
        Value::Array(items) => {
            for v in items {
                out.push_str(&pad);
                out.push('-');
                match v {
                    Value::Object(m) if !m.is_empty() => {
                        let mut inner = String::new();
                        emit(v, indent + 2, &mut inner);
                        out.push(' ');
                        out.push_str(inner.trim_start());
                    }
                    _ => inline_or_block(v, indent, out),
                }
            }
        }
        _ => {
            out.push_str(&pad);
            out.push_str(&scalar(value));
            out.push('\n');
        }
    }
}

fn inline_or_block(v: &Value, indent: usize, out: &mut String) {
    match v {
        Value::Object(m) if m.is_empty() => out.push_str(" {}\n"),
        Value::Array(a) if a.is_empty() => out.push_str(" []\n"),
        Value::Object(_) | Value::Array(_) => {
            out.push('\n');
            emit(v, indent + 2, out);
        }
        _ => {
            out.push(' ');
            out.push_str(&scalar(v));
            out.push('\n');
        }
    }
}

fn scalar(v: &Value) -> String {
    match v {
        Value::String(s)
            if !s.is_empty()
                && s.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_./".contains(&b))
                && !s.bytes().all(|b| b.is_ascii_digit() || b == b'.')
                && !matches!(
                    s.to_ascii_lowercase().as_str(),
                    "true" | "false" | "null" | "yes" | "no" | "on" | "off" | "y" | "n" | "~"
                ) =>
        {
            s.clone()
        }
        _ => v.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::connlist::connlist;
    use kubefort_load::{load_texts, Limits};
    use std::sync::Arc;

    const APP: &str = r#"
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec: {template: {metadata: {labels: {app: web}}, spec: {containers: [{name: c}]}}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: db, namespace: shop}
spec: {template: {metadata: {labels: {app: db}}, spec: {containers: [{name: c}]}}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: coredns, namespace: kube-system}
spec: {template: {metadata: {labels: {k8s-app: kube-dns}}, spec: {containers: [{name: c}]}}}
"#;

    fn lines(yaml: &str) -> Vec<String> {
        let loaded = load_texts(vec![(Arc::from("t.yaml"), yaml.to_owned())], Limits::default());
        connlist(&Network::from_objects(&loaded.objects)).iter().map(|c| c.line()).collect()
    }

    fn quarantined(yaml: &str, options: &QuarantineOptions) -> Quarantine {
        let loaded = load_texts(vec![(Arc::from("t.yaml"), yaml.to_owned())], Limits::default());
        let net = Network::from_objects(&loaded.objects);
        let w = net.find_workloads("shop/web", &loaded.objects);
        quarantine(&net, w[0], options).unwrap()
    }

    #[test]
    fn connlist_before_and_after_quarantine() {
        let before = lines(APP);
        assert!(before.contains(&"shop/web[Deployment] => shop/db[Deployment] : All Connections".to_owned()));
        assert!(
            before.contains(&"0.0.0.0-255.255.255.255[External] => shop/web[Deployment] : All Connections".to_owned())
        );

        let q = quarantined(APP, &QuarantineOptions { allow_dns: true, allow_from: vec!["forensics".into()] });
        assert!(q.notes.is_empty(), "{:?}", q.notes);
        let after = lines(&format!("{APP}{}", q.yaml));
        let web: Vec<&String> = after.iter().filter(|l| l.contains("shop/web")).collect();
        assert_eq!(web, ["shop/web[Deployment] => kube-system/coredns[Deployment] : TCP 53,UDP 53"]);
        // Everything else is untouched.
        assert_eq!(
            after.iter().filter(|l| !l.contains("shop/web")).collect::<Vec<_>>(),
            before.iter().filter(|l| !l.contains("shop/web")).collect::<Vec<_>>()
        );

        let strict = quarantined(APP, &QuarantineOptions::default());
        let after = lines(&format!("{APP}{}", strict.yaml));
        assert!(!after.iter().any(|l| l.contains("shop/web")), "{after:?}");
    }

    #[test]
    fn notes_name_policies_that_keep_traffic_open_and_workloads_caught_by_the_selector() {
        let yaml = format!(
            "{APP}{}",
            r#"---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: allow-all-in, namespace: shop}
spec: {podSelector: {}, ingress: [{}]}
---
apiVersion: v1
kind: Pod
metadata: {name: web-debug, namespace: shop, labels: {app: web, debug: "true"}}
spec: {containers: [{name: c}]}
"#
        );
        let q = quarantined(&yaml, &QuarantineOptions::default());
        assert_eq!(q.notes.len(), 2, "{:?}", q.notes);
        assert!(q.notes[0].contains("shop/web-debug[Pod]"));
        assert!(q.notes[1].contains("shop/allow-all-in"));
        let after = lines(&format!("{yaml}{}", q.yaml));
        // The union with allow-all-in still lets traffic in: the note is true.
        assert!(after.iter().any(|l| l.ends_with("=> shop/web[Deployment] : All Connections")));
    }

    #[test]
    fn yaml_quotes_what_could_be_misread() {
        assert_eq!(scalar(&Value::String("web".into())), "web");
        assert_eq!(scalar(&Value::String("True".into())), "\"True\"");
        assert_eq!(scalar(&Value::String("1.0".into())), "\"1.0\"");
        assert_eq!(scalar(&Value::String("a: b".into())), "\"a: b\"");
        assert_eq!(scalar(&Value::String(String::new())), "\"\"");
    }
}
