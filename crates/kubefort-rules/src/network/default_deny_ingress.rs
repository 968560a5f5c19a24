use super::{model, some_workloads, Model};
use kubefort_model::{declare_rule, Context, Sink};
use kubefort_netpol::Direction;

declare_rule! {
    /// ## What it does
    /// Flags namespaces that run workloads but have no default-deny ingress
    /// policy: a NetworkPolicy with `podSelector: {}` that isolates ingress
    /// and has no ingress rule. The finding is on the `Namespace` object
    /// when the input has one, else on the namespace's first workload.
    ///
    /// ## Why is this bad?
    /// Without a default deny, every pod is reachable from every other pod
    /// of the cluster until someone remembers to write a policy for it. A
    /// new workload, or one whose labels change, silently accepts traffic
    /// from anywhere, so one compromised pod can scan and reach it. With a
    /// default deny, forgetting a policy breaks a flow instead of opening
    /// one.
    ///
    /// ## Example
    /// ```yaml
    /// kind: Namespace
    /// metadata: {name: shop}
    /// # …workloads in `shop`, and policies only for some of them
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// apiVersion: networking.k8s.io/v1
    /// kind: NetworkPolicy
    /// metadata: {name: default-deny-ingress, namespace: shop}
    /// spec:
    ///   podSelector: {}
    ///   policyTypes: [Ingress]
    /// ```
    ///
    /// ## References
    /// - <https://kubernetes.io/docs/concepts/services-networking/network-policies/#default-deny-all-ingress-traffic>
    pub struct NamespaceWithoutDefaultDenyIngress {
        id: "KF-NET-001",
        name: "namespace-without-default-deny-ingress",
        title: "Namespace has no default-deny ingress NetworkPolicy",
        severity: Medium,
        fix: "Add a NetworkPolicy with `podSelector: {}`, `policyTypes: [Ingress]` and no ingress rules, then allow the flows the namespace needs",
        references: ["kubescape:C-0030", "kubescape:C-0206", "kubescape:C-0054", "cis-1.12:5.3.2"],
        check: check,
        prepare: super::PREPARE_MODEL,
    }
}

fn check(cx: &Context<'_>, sink: &mut Sink<'_>) {
    report_missing(cx, sink, Direction::Ingress, &NamespaceWithoutDefaultDenyIngress::META);
}

/// Shared by KF-NET-001 and KF-NET-004.
pub(super) fn report_missing(
    cx: &Context<'_>,
    sink: &mut Sink<'_>,
    dir: Direction,
    meta: &'static kubefort_model::RuleMeta,
) {
    if !matches!(cx.object.kind.as_str(), "Namespace" | "Pod" | "Deployment" | "StatefulSet" | "DaemonSet")
        && !matches!(cx.object.kind.as_str(), "ReplicaSet" | "ReplicationController" | "Job" | "CronJob")
    {
        return;
    }
    let model = model(cx.inventory);
    let Some(ns) = model.namespace_subject(cx.object) else { return };
    if model.default_deny(ns, dir).is_some() {
        return;
    }
    let name = &model.net.namespaces[ns].name;
    let workloads = model.workloads_in(ns);
    sink.report(
        meta,
        Model::namespace_pointer(cx.object),
        format!(
            "namespace `{name}` has no default-deny {} policy; its workloads ({}) {} unless a policy says otherwise",
            dir.as_str(),
            some_workloads(&model, workloads),
            match dir {
                Direction::Ingress => "accept connections from anywhere",
                Direction::Egress => "may connect anywhere",
            }
        ),
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{check, pointers};

    const NS: &str = "apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n";
    const APP: &str = "---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api, namespace: shop}\nspec:\n  template:\n    metadata: {labels: {app: api}}\n    spec: {containers: [{name: c, image: x}]}\n";

    fn policy(spec: &str) -> String {
        format!("---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {{name: p, namespace: shop}}\nspec: {spec}\n")
    }

    #[test]
    fn flags_the_namespace_object_or_else_the_first_workload() {
        let f = check(&NamespaceWithoutDefaultDenyIngress, &format!("{NS}{APP}"));
        assert_eq!(pointers(&f), [("/metadata".to_owned(), 3)]);
        assert_eq!(f[0].object.kind, "Namespace");
        let second = APP.replace("name: api,", "name: worker,");
        let f = check(&NamespaceWithoutDefaultDenyIngress, &format!("{APP}{second}"));
        assert_eq!(pointers(&f), [("/metadata/namespace".to_owned(), 4)]);
        assert_eq!(f[0].object.name, "api");
        assert!(f[0].message.contains("shop/api[Deployment], shop/worker[Deployment]"), "{}", f[0].message);
    }

    #[test]
    fn policies_that_are_not_a_default_deny_do_not_count() {
        for spec in [
            "{podSelector: {matchLabels: {app: api}}}",
            "{podSelector: {}, policyTypes: [Egress]}",
            "{podSelector: {}, ingress: [{from: [{podSelector: {}}]}]}",
        ] {
            assert_eq!(
                check(&NamespaceWithoutDefaultDenyIngress, &format!("{NS}{APP}{}", policy(spec))).len(),
                1,
                "{spec}"
            );
        }
    }

    #[test]
    fn a_default_deny_or_no_workloads_is_fine() {
        for spec in ["{podSelector: {}}", "{podSelector: {}, policyTypes: [Ingress, Egress]}"] {
            assert!(check(&NamespaceWithoutDefaultDenyIngress, &format!("{NS}{APP}{}", policy(spec))).is_empty());
        }
        // No workloads, or only hostNetwork ones, which policies do not apply to.
        assert!(check(&NamespaceWithoutDefaultDenyIngress, NS).is_empty());
        let host = APP.replace("spec: {containers", "spec: {hostNetwork: true, containers");
        assert!(check(&NamespaceWithoutDefaultDenyIngress, &format!("{NS}{host}")).is_empty());
    }
}
