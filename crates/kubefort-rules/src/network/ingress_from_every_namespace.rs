use super::model;
use kubefort_model::{declare_rule, Context, Sink};
use kubefort_netpol::network::Shape;
use kubefort_netpol::{Family, IpRange, Peer};

declare_rule! {
    /// ## What it does
    /// Flags NetworkPolicy ingress rules that admit every pod of every
    /// namespace (a peer with `namespaceSelector: {}` and no or an empty
    /// `podSelector`), every address (`ipBlock` `0.0.0.0/0` or `::/0`), or
    /// every source (a rule without `from`), when the policy selects
    /// workloads other than ingress controllers and gateways. Policies
    /// selecting only pods in a namespace or with labels naming an ingress
    /// controller or gateway are left alone: accepting everyone is their job.
    ///
    /// ## Why is this bad?
    /// Such a rule undoes ingress isolation: any pod in any namespace (a
    /// tenant's, a compromised CI runner's) can connect, often on every
    /// port. Internal services should admit the few namespaces and pods that
    /// call them, and leave exposure to the ingress controller.
    ///
    /// ## Example
    /// ```yaml
    /// spec:
    ///   podSelector: {matchLabels: {app: api}}
    ///   ingress:
    ///     - from:
    ///         - namespaceSelector: {}
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// spec:
    ///   podSelector: {matchLabels: {app: api}}
    ///   ingress:
    ///     - from:
    ///         - namespaceSelector:
    ///             matchLabels: {kubernetes.io/metadata.name: ingress-nginx}
    ///         - podSelector: {matchLabels: {app: web}}
    ///       ports:
    ///         - {port: 8080, protocol: TCP}
    /// ```
    ///
    /// ## References
    /// - <https://kubernetes.io/docs/concepts/services-networking/network-policies/#behavior-of-to-and-from-selectors>
    pub struct IngressFromEveryNamespace {
        id: "KF-NET-006",
        name: "ingress-from-every-namespace",
        title: "NetworkPolicy admits ingress from every namespace",
        severity: Medium,
        fix: "Name the namespaces (kubernetes.io/metadata.name) and pods that may connect, and the ports",
        references: [],
        check: check,
        prepare: super::PREPARE_MODEL,
    }
}

/// Words in a namespace name or app label that mark an ingress controller
/// or a gateway, whose job is to accept traffic from everywhere.
const EDGE_WORDS: [&str; 3] = ["ingress", "gateway", "traefik"];
const APP_LABELS: [&str; 5] = ["app", "app.kubernetes.io/name", "app.kubernetes.io/component", "k8s-app", "istio"];

fn is_edge(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    EDGE_WORDS.iter().any(|w| name.contains(w))
}

fn is_edge_shape(namespace: &str, shape: &Shape) -> bool {
    is_edge(namespace) || APP_LABELS.iter().any(|k| shape.labels.get(*k).is_some_and(|v| is_edge(v)))
}

fn check(cx: &Context<'_>, sink: &mut Sink<'_>) {
    let model = model(cx.inventory);
    let Some(i) = model.policy(cx.object) else { return };
    let net = &model.net;
    let policy = &net.policies[i];
    if !policy.isolates_ingress || is_edge(&policy.namespace) {
        return;
    }
    let selected = net.selected_shapes(i);
    if !selected.is_empty() && selected.iter().all(|&s| is_edge_shape(&policy.namespace, &net.shapes[s])) {
        return;
    }
    let whole = [IpRange::whole(Family::V4), IpRange::whole(Family::V6)];
    for rule in &policy.ingress {
        let ports = match &rule.ports {
            None => "every port".to_owned(),
            Some(specs) => specs.iter().map(ToString::to_string).collect::<Vec<_>>().join(", "),
        };
        let Some(peers) = &rule.peers else {
            sink.report(
                &IngressFromEveryNamespace::META,
                rule.pointer.clone(),
                format!("ingress rule without `from` admits every source, in the cluster and outside it, on {ports}"),
            );
            continue;
        };
        for (j, peer) in peers.iter().enumerate() {
            let what = match peer {
                Peer::Pods { namespaces: Some(ns), pods }
                    if ns.is_everything() && pods.as_ref().is_none_or(|p| p.is_everything()) =>
                {
                    "every pod of every namespace"
                }
                Peer::Block { set, .. } if whole.iter().any(|r| set.contains_range(r)) => "every address",
                _ => continue,
            };
            sink.report(
                &IngressFromEveryNamespace::META,
                format!("{}/from/{j}", rule.pointer),
                format!("ingress from {what} on {ports}"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{check, pointers};

    const APP: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api, namespace: shop}\nspec:\n  template:\n    metadata: {labels: {app: api}}\n    spec: {containers: [{name: c, image: x}]}\n";

    fn policy(ns: &str, selector: &str, ingress: &str) -> String {
        format!("---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {{name: p, namespace: {ns}}}\nspec:\n  podSelector: {selector}\n  ingress:\n{ingress}")
    }

    #[test]
    fn flags_every_namespace_every_address_and_missing_from() {
        let rules = "  - from: [{namespaceSelector: {}}, {podSelector: {matchLabels: {app: web}}}]\n    ports: [{port: 8080}]\n  - from: [{namespaceSelector: {}, podSelector: {}}, {ipBlock: {cidr: 0.0.0.0/0}}]\n  - ports: [{port: 9090}]\n";
        let f =
            check(&IngressFromEveryNamespace, &format!("{APP}{}", policy("shop", "{matchLabels: {app: api}}", rules)));
        assert_eq!(
            pointers(&f),
            [
                ("/spec/ingress/0/from/0".to_owned(), 15),
                ("/spec/ingress/1/from/0".to_owned(), 17),
                ("/spec/ingress/1/from/1".to_owned(), 17),
                ("/spec/ingress/2".to_owned(), 18),
            ]
        );
        assert_eq!(f[0].message, "ingress from every pod of every namespace on 8080/TCP");
        assert!(f[3].message.contains("without `from`"));
        // Without workloads in the input the policy is still judged.
        assert_eq!(check(&IngressFromEveryNamespace, &policy("shop", "{}", rules)).len(), 4);
    }

    #[test]
    fn narrow_peers_and_ingress_controllers_are_fine() {
        let narrow = "  - from:\n    - namespaceSelector: {matchLabels: {team: a}}\n    - namespaceSelector: {}\n      podSelector: {matchLabels: {app: prometheus}}\n    - ipBlock: {cidr: 10.0.0.0/8}\n";
        assert!(check(&IngressFromEveryNamespace, &format!("{APP}{}", policy("shop", "{}", narrow))).is_empty());
        let open = "  - from: [{namespaceSelector: {}}]\n";
        assert!(check(&IngressFromEveryNamespace, &policy("ingress-nginx", "{}", open)).is_empty());
        let gateway =
            APP.replace("app: api", "app.kubernetes.io/name: istio-ingressgateway").replace("name: api,", "name: gw,");
        let only_gateway = format!("{gateway}{}", policy("shop", "{}", open));
        assert!(check(&IngressFromEveryNamespace, &only_gateway).is_empty());
        // A policy over the gateway and an ordinary app is flagged.
        assert_eq!(check(&IngressFromEveryNamespace, &format!("{only_gateway}---\n{APP}")).len(), 1);
    }
}
