//! Ingress objects: which workloads an ingress controller routes to, and on
//! which target ports (Ingress backend → Service port → targetPort, named
//! target ports resolved against each selected pod).

use crate::conn::{Conn, Protocol};
use crate::network::Network;
use crate::selector::Labels;
use kubefort_model::{Node, Object};
use std::collections::BTreeMap;

enum BackendPort<'a> {
    Number(i64),
    Name(&'a str),
}

fn backends(ingress: &Object) -> Vec<(&str, BackendPort<'_>)> {
    let mut out = Vec::new();
    let spec = ingress.root.get("spec");
    let mut nodes: Vec<&Node> = spec.and_then(|s| s.get("defaultBackend")).into_iter().collect();
    for rule in spec.and_then(|s| s.get("rules")).map(Node::as_seq).unwrap_or(&[]) {
        nodes.extend(
            rule.path(&["http", "paths"]).map(Node::as_seq).unwrap_or(&[]).iter().filter_map(|p| p.get("backend")),
        );
    }
    for b in nodes {
        let Some(svc) = b.get("service") else { continue };
        let Some(name) = svc.get("name").and_then(Node::as_str) else { continue };
        let port = svc.get("port");
        if let Some(n) = port.and_then(|p| p.get("number")).and_then(Node::as_i64) {
            out.push((name, BackendPort::Number(n)));
        } else if let Some(n) = port.and_then(|p| p.get("name")).and_then(Node::as_str) {
            out.push((name, BackendPort::Name(n)));
        }
    }
    out
}

/// `(workload, target ports)` for every workload some Ingress routes to.
pub(crate) fn routes(net: &Network, objects: &[Object]) -> Vec<(usize, Conn)> {
    let services: BTreeMap<(&str, &str), &Object> = objects
        .iter()
        .filter(|o| o.kind == "Service" && o.api_version == "v1")
        .map(|o| ((o.namespace.as_deref().unwrap_or("default"), o.name.as_str()), o))
        .collect();
    let mut per_workload: BTreeMap<usize, Conn> = BTreeMap::new();
    for ingress in objects.iter().filter(|o| o.kind == "Ingress" && o.api_version.starts_with("networking.k8s.io/")) {
        let ns = ingress.namespace.as_deref().unwrap_or("default");
        for (svc_name, port) in backends(ingress) {
            let Some(svc) = services.get(&(ns, svc_name)) else { continue };
            let selector: Labels = svc
                .root
                .path(&["spec", "selector"])
                .and_then(Node::as_map)
                .map(|m| m.iter().filter_map(|(k, v)| Some((k.to_owned(), v.scalar_text()?))).collect())
                .unwrap_or_default();
            if selector.is_empty() {
                continue;
            }
            let svc_ports = svc.root.path(&["spec", "ports"]).map(Node::as_seq).unwrap_or(&[]);
            let Some(sp) = svc_ports.iter().find(|p| match port {
                BackendPort::Number(n) => p.get("port").and_then(Node::as_i64) == Some(n),
                BackendPort::Name(n) => p.get("name").and_then(Node::as_str) == Some(n),
            }) else {
                continue;
            };
            let protocol = sp.get("protocol").and_then(Node::as_str).and_then(Protocol::parse).unwrap_or(Protocol::Tcp);
            let target = sp.get("targetPort").or_else(|| sp.get("port"));
            for (w, workload) in net.workloads.iter().enumerate() {
                let shape = &net.shapes[workload.shape];
                if workload.namespace != ns || !selector.iter().all(|(k, v)| shape.labels.get(k) == Some(v)) {
                    continue;
                }
                let conn = match target.map(|t| (t.as_i64(), t.as_str())) {
                    Some((Some(n), _)) if (1..=65535).contains(&n) => Conn::port(protocol, n as u16),
                    Some((None, Some(name))) => shape
                        .ports
                        .iter()
                        .filter(|p| p.name == name && p.protocol == protocol)
                        .fold(Conn::none(), |acc, p| acc.union(&Conn::port(protocol, p.port))),
                    _ => Conn::none(),
                };
                per_workload.entry(w).or_default().union_with(&conn);
            }
        }
    }
    per_workload.into_iter().filter(|(_, c)| !c.is_empty()).collect()
}

#[cfg(test)]
mod tests {
    use crate::connlist::connlist;
    use crate::network::Network;
    use kubefort_load::{load_texts, Limits};
    use std::sync::Arc;

    #[test]
    fn ingress_routes_through_services_to_target_ports_within_what_policies_admit() {
        let yaml = r#"
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec: {template: {metadata: {labels: {app: web}}, spec: {containers: [{name: c, ports: [{name: http, containerPort: 8080}, {name: admin, containerPort: 9000}]}]}}}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec: {selector: {app: web}, ports: [{name: http, port: 80, targetPort: http}, {name: admin, port: 9000}]}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web, namespace: shop}
spec:
  defaultBackend: {service: {name: web, port: {name: http}}}
  rules: [{http: {paths: [{path: /admin, backend: {service: {name: web, port: {number: 9000}}}}, {path: /x, backend: {service: {name: missing, port: {number: 1}}}}]}}]
"#;
        let lines = |extra: &str| -> Vec<String> {
            let loaded = load_texts(vec![(Arc::from("t.yaml"), format!("{yaml}{extra}"))], Limits::default());
            connlist(&Network::from_objects(&loaded.objects))
                .into_iter()
                .filter(|c| c.src == "{ingress-controller}")
                .map(|c| c.line())
                .collect()
        };
        assert_eq!(lines(""), ["{ingress-controller} => shop/web[Deployment] : TCP 8080,9000"]);
        // Admitting only pods of every namespace still admits the controller, on the allowed port.
        let open = "---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: shop}\nspec: {podSelector: {}, ingress: [{from: [{namespaceSelector: {}}], ports: [{port: 8080}]}]}\n";
        assert_eq!(lines(open), ["{ingress-controller} => shop/web[Deployment] : TCP 8080"]);
        // A rule naming one namespace cannot be relied on for the controller.
        let narrow = "---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: shop}\nspec: {podSelector: {}, ingress: [{from: [{namespaceSelector: {matchLabels: {team: a}}}]}]}\n";
        assert!(lines(narrow).is_empty());
    }
}
