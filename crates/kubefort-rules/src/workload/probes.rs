//! Shared by the liveness and readiness probe rules: which containers are
//! expected to have probes.

use kubefort_model::{ContainerKind, ContainerRef, Context, Node, PodSpecRef, RuleMeta, Sink};

/// Whether the object runs to completion, where probes make no sense: Jobs,
/// CronJobs, and bare Pods whose `restartPolicy` is `Never` or `OnFailure`.
fn runs_to_completion(cx: &Context<'_>, pod: &PodSpecRef<'_>) -> bool {
    match cx.object.kind.as_str() {
        "Job" | "CronJob" => true,
        "Pod" => matches!(pod.spec.get("restartPolicy").and_then(Node::as_str), Some("Never" | "OnFailure")),
        _ => false,
    }
}

/// Reports every regular container (init and ephemeral containers cannot
/// have these probes) of a long-running workload whose `field` is not a map.
pub(super) fn check(cx: &Context<'_>, sink: &mut Sink<'_>, meta: &'static RuleMeta, field: &str, what: &str) {
    let Some(pod) = PodSpecRef::to_check(cx.object) else { return };
    if runs_to_completion(cx, &pod) {
        return;
    }
    let missing = |c: &ContainerRef<'_>| c.node.get(field).and_then(Node::as_map).is_none_or(|m| m.is_empty());
    for container in pod.containers().filter(|c| c.kind == ContainerKind::Container) {
        if missing(&container) {
            sink.report(meta, container.at(field), format!("{} has no {what} probe", container.describe()));
        }
    }
}
