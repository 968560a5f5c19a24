use kubefort_model::{declare_rule, Context, PodSpecRef, Sink};
use kubefort_netpol::Labels;

declare_rule! {
    /// ## What it does
    /// Flags workloads (Deployment, StatefulSet, DaemonSet, Job, CronJob,
    /// ReplicaSet, ReplicationController, bare Pod) whose pods no
    /// NetworkPolicy in the same namespace selects.
    ///
    /// ## Why is this bad?
    /// A pod no policy selects is not isolated: every pod in the cluster,
    /// and every address that can reach the node network, may connect to
    /// it on any port, and it may connect anywhere. One compromised pod can
    /// then scan and reach it freely.
    ///
    /// ## Example
    /// ```yaml
    /// kind: Deployment
    /// metadata: {name: api, namespace: shop}
    /// spec:
    ///   template:
    ///     metadata: {labels: {app: api}}
    /// # …and no NetworkPolicy in `shop` selects app=api
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// apiVersion: networking.k8s.io/v1
    /// kind: NetworkPolicy
    /// metadata: {name: default-deny, namespace: shop}
    /// spec:
    ///   podSelector: {}
    ///   policyTypes: [Ingress, Egress]
    /// ```
    ///
    /// ## References
    /// - <https://kubernetes.io/docs/concepts/services-networking/network-policies/#default-policies>
    pub struct WorkloadNotSelected {
        id: "KF-NET-002",
        name: "workload-not-selected-by-networkpolicy",
        title: "Workload is selected by no NetworkPolicy",
        severity: Low,
        fix: "Add a NetworkPolicy selecting these pods (a namespace default-deny, then explicit allows)",
        references: ["kube-linter:non-isolated-pod", "checkov:CKV2_K8S_6", "kubescape:C-0260"],
        check: check,
        prepare: super::PREPARE_MODEL,
    }
}

const KINDS: [&str; 8] =
    ["Pod", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController", "Job", "CronJob"];

fn check(cx: &Context<'_>, sink: &mut Sink<'_>) {
    let o = cx.object;
    if !KINDS.contains(&o.kind.as_str()) {
        return;
    }
    // Pods and ReplicaSets made by a controller in the scan are judged through it.
    let Some(pod) = PodSpecRef::to_check(o) else { return };
    if pod.spec.get("hostNetwork").and_then(|h| h.as_bool()) == Some(true) {
        return; // NetworkPolicy does not apply to it; KF-POD rules cover hostNetwork.
    }
    let labels: Labels = pod
        .metadata
        .and_then(|m| m.get("labels"))
        .and_then(|l| l.as_map())
        .map(|m| m.iter().filter_map(|(k, v)| Some((k.to_owned(), v.scalar_text()?))).collect())
        .unwrap_or_default();
    let namespace = o.namespace.as_deref().unwrap_or("default");
    // The policies are parsed once per run (shared model), not per workload.
    let model = super::model(cx.inventory);
    let net = &model.net;
    let selected = net
        .namespace_id(namespace)
        .is_some_and(|ns| net.policies_in(ns).iter().any(|&p| net.policies[p].pod_selector.matches(&labels)));
    if !selected {
        sink.report(
            &WorkloadNotSelected::META,
            pod.metadata_pointer.to_owned(),
            format!("no NetworkPolicy in namespace `{namespace}` selects the pods of {}", o.display_name()),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{check, pointers};

    const APP: &str = r#"
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: shop}
spec:
  template:
    metadata: {labels: {app: api}}
    spec: {containers: [{name: c, image: x}]}
---
apiVersion: v1
kind: Pod
metadata:
  name: api-123
  namespace: shop
  labels: {app: api, pod-template-hash: "123"}
  ownerReferences: [{kind: Deployment, name: api, controller: true}]
spec: {containers: [{name: c, image: x}], nodeName: n1}
"#;

    #[test]
    fn flags_workloads_no_policy_selects() {
        // The Pod is its Deployment's template: reported once, there.
        let f = check(&WorkloadNotSelected, APP);
        assert_eq!(pointers(&f), [("/spec/template/metadata".to_owned(), 7)]);
        // A Pod whose controller is not in the scan stands for itself.
        let orphan = APP.replace("name: api, controller", "name: gone, controller");
        assert_eq!(pointers(&check(&WorkloadNotSelected, &orphan)).len(), 2);
        // A policy in another namespace, or for other labels, does not help.
        let other = "---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: web}\nspec: {podSelector: {}}\n---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: q, namespace: shop}\nspec: {podSelector: {matchLabels: {app: db}}}\n";
        assert_eq!(check(&WorkloadNotSelected, &format!("{APP}{other}")).len(), 1);
    }

    #[test]
    fn a_selecting_policy_clears_it() {
        let deny = "---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: deny, namespace: shop}\nspec: {podSelector: {matchExpressions: [{key: app, operator: Exists}]}}\n";
        assert!(check(&WorkloadNotSelected, &format!("{APP}{deny}")).is_empty());
    }
}
