use super::model;
use kubefort_model::{declare_rule, Context, Sink};

declare_rule! {
    /// ## What it does
    /// Flags NetworkPolicies whose `podSelector` selects no pod of the
    /// workloads in the input: a typo in a label, an app that was renamed
    /// or removed, a selector the API server would reject, or a policy that
    /// selects only hostNetwork pods (which NetworkPolicy does not apply
    /// to). Namespaces without any workload in the input are not judged,
    /// since their pods are not known.
    ///
    /// ## Why is this bad?
    /// A dangling policy protects nothing while looking like it does: the
    /// pods it was written for are not isolated, and a reviewer reading the
    /// policy believes they are. When a pod later gains the label, the
    /// forgotten policy suddenly changes what it may do.
    ///
    /// ## Example
    /// ```yaml
    /// kind: NetworkPolicy
    /// metadata: {name: db, namespace: shop}
    /// spec:
    ///   podSelector: {matchLabels: {app: postgres}}   # the pods are app=db
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// spec:
    ///   podSelector: {matchLabels: {app: db}}
    /// ```
    ///
    /// ## References
    /// - <https://kubernetes.io/docs/concepts/services-networking/network-policies/#networkpolicy-resource>
    pub struct PolicySelectsNoPod {
        id: "KF-NET-007",
        name: "networkpolicy-selects-no-pod",
        title: "NetworkPolicy selects no pod",
        severity: Low,
        fix: "Fix the podSelector to match the pods' labels, or delete the policy",
        references: ["kube-linter:dangling-networkpolicy", "kubescape:C-0299"],
        check: check,
        prepare: super::PREPARE_MODEL,
    }
}

fn check(cx: &Context<'_>, sink: &mut Sink<'_>) {
    let model = model(cx.inventory);
    let Some(i) = model.policy(cx.object) else { return };
    let net = &model.net;
    let policy = &net.policies[i];
    let Some(ns) = net.namespace_id(&policy.namespace) else { return };
    // Most policies select something: decided first, before the scan of
    // every workload below.
    if !net.selected_shapes(i).is_empty() {
        return;
    }
    let workloads = model.workloads_in(ns);
    let host_only = net.workloads.iter().any(|w| {
        let shape = &net.shapes[w.shape];
        shape.namespace == ns && shape.host_network && policy.pod_selector.matches(&shape.labels)
    });
    if workloads.is_empty() && !host_only {
        return; // Nothing known about this namespace's pods.
    }
    let message = if let Some(why) = &policy.pod_selector.invalid {
        format!("podSelector is invalid ({why}) and selects nothing")
    } else if host_only {
        format!(
            "podSelector `{}` selects only hostNetwork pods, which NetworkPolicy does not apply to",
            policy.pod_selector
        )
    } else {
        format!(
            "podSelector `{}` selects none of the {} workload(s) in namespace `{}`",
            policy.pod_selector,
            workloads.len(),
            policy.namespace
        )
    };
    sink.report(&PolicySelectsNoPod::META, "/spec/podSelector", message);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{check, pointers};

    const APP: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: db, namespace: shop}\nspec:\n  template:\n    metadata: {labels: {app: db, tier: data}}\n    spec: {containers: [{name: c, image: x}]}\n";

    fn policy(ns: &str, selector: &str) -> String {
        format!("---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {{name: p, namespace: {ns}}}\nspec:\n  podSelector: {selector}\n")
    }

    #[test]
    fn flags_selectors_that_match_no_pod() {
        let f = check(&PolicySelectsNoPod, &format!("{APP}{}", policy("shop", "{matchLabels: {app: postgres}}")));
        assert_eq!(pointers(&f), [("/spec/podSelector".to_owned(), 13)]);
        assert_eq!(f[0].message, "podSelector `app=postgres` selects none of the 1 workload(s) in namespace `shop`");
        let invalid = policy("shop", "{matchExpressions: [{key: app, operator: Equals, values: [db]}]}");
        assert!(check(&PolicySelectsNoPod, &format!("{APP}{invalid}"))[0].message.contains("invalid"));
        let host = APP.replace("spec: {containers", "spec: {hostNetwork: true, containers");
        let f = check(&PolicySelectsNoPod, &format!("{host}{}", policy("shop", "{matchLabels: {app: db}}")));
        assert!(f[0].message.contains("only hostNetwork"), "{}", f[0].message);
    }

    #[test]
    fn matching_selectors_and_unknown_namespaces_are_fine() {
        for selector in
            ["{}", "{matchLabels: {tier: data}}", "{matchExpressions: [{key: app, operator: In, values: [db, cache]}]}"]
        {
            assert!(check(&PolicySelectsNoPod, &format!("{APP}{}", policy("shop", selector))).is_empty(), "{selector}");
        }
        // No workload of `web` is in the input: its pods are unknown.
        assert!(check(&PolicySelectsNoPod, &format!("{APP}{}", policy("web", "{matchLabels: {app: x}}"))).is_empty());
        // A missing podSelector selects every pod (pointer falls back to /spec).
        let none = "---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: shop}\nspec: {}\n";
        assert!(check(&PolicySelectsNoPod, &format!("{APP}{none}")).is_empty());
    }
}
