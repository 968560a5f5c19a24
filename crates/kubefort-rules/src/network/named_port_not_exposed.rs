use super::model;
use kubefort_model::{declare_rule, Context, Sink};
use kubefort_netpol::{Direction, Endpoint, Peer, PortSpec};

declare_rule! {
    /// ## What it does
    /// Flags NetworkPolicy rules naming a port (`port: http`) that no
    /// container of the pods it applies to declares with that name and
    /// protocol: for ingress, the pods the policy selects; for egress, the
    /// pods the rule's `to` selects. Rules whose pods are not in the input
    /// are not judged.
    ///
    /// ## Why is this bad?
    /// A named port is resolved against each destination pod's
    /// `containers[].ports[].name`. When no container has that name, the
    /// entry allows nothing: the flow the rule was written for is silently
    /// blocked, and the usual "fix" under pressure is to open every port.
    /// A port named in the policy but declared with another protocol
    /// (`dns` as UDP, the rule as the default TCP) fails the same way.
    ///
    /// ## Example
    /// ```yaml
    /// # containers: [{name: api, ports: [{name: http, containerPort: 8080}]}]
    /// ingress:
    ///   - ports:
    ///       - port: https
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// ingress:
    ///   - ports:
    ///       - port: http
    /// ```
    ///
    /// ## References
    /// - <https://kubernetes.io/docs/concepts/services-networking/network-policies/#networkpolicyport>
    pub struct NamedPortNotExposed {
        id: "KF-NET-008",
        name: "named-port-not-exposed",
        title: "NetworkPolicy names a port that no selected container exposes",
        severity: Low,
        fix: "Use the name (and protocol) of a declared container port, or name the port in the containers",
        references: [],
        check: check,
        prepare: super::PREPARE_MODEL,
    }
}

fn check(cx: &Context<'_>, sink: &mut Sink<'_>) {
    let model = model(cx.inventory);
    let Some(i) = model.policy(cx.object) else { return };
    let net = &model.net;
    let policy = &net.policies[i];
    let mut selected: Option<Vec<usize>> = None;
    for dir in [Direction::Ingress, Direction::Egress] {
        if !policy.isolates(dir) {
            continue;
        }
        for rule in policy.rules(dir) {
            let Some(specs) = &rule.ports else { continue };
            if !specs.iter().any(|s| matches!(s, PortSpec::Named { .. })) {
                continue;
            }
            // The pods whose container ports the names resolve against.
            let pods: Vec<usize> = match dir {
                Direction::Ingress => selected.get_or_insert_with(|| net.selected_shapes(i)).clone(),
                Direction::Egress => {
                    if rule.peers.as_ref().is_some_and(|p| p.iter().all(|p| !matches!(p, Peer::Pods { .. }))) {
                        continue; // Only ipBlocks: the destinations' ports are not known.
                    }
                    let used: std::collections::BTreeSet<usize> = net.workloads.iter().map(|w| w.shape).collect();
                    used.into_iter()
                        .filter(|&s| !net.shapes[s].host_network)
                        .filter(|&s| net.rule_matches(policy, rule, Endpoint::Shape(s)))
                        .collect()
                }
            };
            if pods.is_empty() {
                continue;
            }
            for (k, spec) in specs.iter().enumerate() {
                let PortSpec::Named { protocol, name } = spec else { continue };
                let exposed = |proto_matters: bool| {
                    pods.iter().any(|&s| {
                        net.shapes[s]
                            .ports
                            .iter()
                            .any(|p| p.name == *name && (!proto_matters || p.protocol == *protocol))
                    })
                };
                if exposed(true) {
                    continue;
                }
                let whose = match dir {
                    Direction::Ingress => "the pods this policy selects",
                    Direction::Egress => "the pods this rule allows egress to",
                };
                let hint =
                    if exposed(false) { format!(" (it is declared, but not as {protocol})") } else { String::new() };
                sink.report(
                    &NamedPortNotExposed::META,
                    format!("{}/ports/{k}/port", rule.pointer),
                    format!("no container of {whose} declares a port named `{name}` for {protocol}{hint}: this entry allows nothing"),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{check, pointers};

    const PODS: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api, namespace: shop}\nspec:\n  template:\n    metadata: {labels: {app: api}}\n    spec: {containers: [{name: c, image: x, ports: [{name: http, containerPort: 8080}, {name: dns, containerPort: 53, protocol: UDP}]}]}\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: db, namespace: shop}\nspec:\n  template:\n    metadata: {labels: {app: db}}\n    spec: {containers: [{name: c, image: x, ports: [{name: pg, containerPort: 5432}]}]}\n";

    fn policy(body: &str) -> String {
        format!("---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {{name: p, namespace: shop}}\nspec:\n  podSelector: {{matchLabels: {{app: api}}}}\n  policyTypes: [Ingress, Egress]\n{body}")
    }

    #[test]
    fn flags_names_the_pods_do_not_declare() {
        let body = "  ingress:\n  - ports: [{port: http}, {port: https}, {port: dns}]\n  egress:\n  - to: [{podSelector: {matchLabels: {app: db}}}]\n    ports: [{port: pg}, {port: http}]\n";
        let f = check(&NamedPortNotExposed, &format!("{PODS}{}", policy(body)));
        assert_eq!(
            pointers(&f),
            [
                ("/spec/ingress/0/ports/1/port".to_owned(), 24),
                ("/spec/ingress/0/ports/2/port".to_owned(), 24),
                ("/spec/egress/0/ports/1/port".to_owned(), 27),
            ]
        );
        assert!(f[1].message.contains("declared, but not as TCP"), "{}", f[1].message);
        assert!(f[2].message.contains("egress to"), "{}", f[2].message);
    }

    #[test]
    fn declared_names_numbers_and_unknown_pods_are_fine() {
        let body = "  ingress:\n  - ports: [{port: http}, {port: dns, protocol: UDP}, {port: 9090}]\n  egress:\n  - to: [{podSelector: {matchLabels: {app: db}}}]\n    ports: [{port: pg}]\n  - to: [{podSelector: {matchLabels: {app: cache}}}]\n    ports: [{port: redis}]\n  - to: [{ipBlock: {cidr: 10.0.0.0/8}}]\n    ports: [{port: https}]\n";
        assert!(check(&NamedPortNotExposed, &format!("{PODS}{}", policy(body))).is_empty());
        // Selected pods not in the input: not judged.
        assert!(check(&NamedPortNotExposed, &policy("  ingress:\n  - ports: [{port: https}]\n")).is_empty());
    }
}
