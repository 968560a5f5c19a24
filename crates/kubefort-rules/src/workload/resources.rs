//! Shared by the four `*-requests-missing` / `*-limits-missing` rules: whether
//! a container has a CPU or memory request or limit, counting the values the
//! API server fills in (a request defaults to the limit; a namespace
//! LimitRange supplies defaults).

use kubefort_model::{ContainerKind, Context, Node, PodSpecRef, RuleMeta, Sink, Value};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Bound {
    Requests,
    Limits,
}

impl Bound {
    fn field(self) -> &'static str {
        match self {
            Bound::Requests => "requests",
            Bound::Limits => "limits",
        }
    }
    fn noun(self) -> &'static str {
        match self {
            Bound::Requests => "request",
            Bound::Limits => "limit",
        }
    }
}

/// A quantity counts when it is a number or a non-empty string; anything
/// else (null, a map, `""`) is treated as unset.
fn quantity(node: Option<&Node>, resource: &str) -> bool {
    match node.and_then(|n| n.get(resource)) {
        Some(q) => {
            matches!(q.value, Value::Int(_) | Value::Float(_)) || q.as_str().is_some_and(|s| !s.trim().is_empty())
        }
        None => false,
    }
}

/// Whether a LimitRange of the object's namespace gives containers a default
/// for this bound. The API server defaults a LimitRange's `default` from
/// `max`, and `defaultRequest` from `default` (then `min`).
fn limit_range_default(cx: &Context<'_>, bound: Bound, resource: &str) -> bool {
    let fields: &[&str] = match bound {
        Bound::Limits => &["default", "max"],
        Bound::Requests => &["defaultRequest", "default", "max", "min"],
    };
    cx.inventory.of_kind("LimitRange").filter(|lr| lr.namespace == cx.object.namespace).any(|lr| {
        lr.root.pointer("/spec/limits").map(Node::as_seq).unwrap_or(&[]).iter().any(|item| {
            item.get("type").and_then(Node::as_str) == Some("Container")
                && fields.iter().any(|f| quantity(item.get(f), resource))
        })
    })
}

/// Reports every container and init container (ephemeral containers cannot
/// have resources) that has no `resource` under `bound`.
pub(super) fn check(cx: &Context<'_>, sink: &mut Sink<'_>, meta: &'static RuleMeta, bound: Bound, resource: &str) {
    let Some(pod) = PodSpecRef::to_check(cx.object) else { return };
    let mut defaulted = None;
    for container in pod.containers() {
        if container.kind == ContainerKind::EphemeralContainer {
            continue;
        }
        let resources = container.node.get("resources");
        if quantity(resources.and_then(|r| r.get(bound.field())), resource) {
            continue;
        }
        // A missing request is set to the container's own limit.
        if bound == Bound::Requests && quantity(resources.and_then(|r| r.get("limits")), resource) {
            continue;
        }
        if *defaulted.get_or_insert_with(|| limit_range_default(cx, bound, resource)) {
            return;
        }
        sink.report(
            meta,
            container.at(&format!("resources/{}/{resource}", bound.field())),
            format!("{} sets no {resource} {}", container.describe(), bound.noun()),
        );
    }
}
