//! KF-MESH-*: service-mesh mTLS and authorization (Istio, Linkerd).
//!
//! Mesh resources are CRDs: a field of the wrong type or an unknown enum
//! value counts as unset, never as an error. Istio's root namespace (where a
//! selector-less PeerAuthentication applies mesh-wide) is taken to be
//! `istio-system`, Istio's default.

use kubefort_model::{pointer_join, Inventory, Node, Object, PodSpecRef, Rule};
use std::collections::HashMap;

mod authorization_allows_all;
mod destination_rule_tls_disabled;
mod linkerd_injection_disabled;
mod namespace_without_strict_mtls;
mod peer_authentication_not_strict;
mod proxy_bypass_ports;
mod sidecar_injection_disabled;

pub use authorization_allows_all::AuthorizationAllowsAll;
pub use destination_rule_tls_disabled::DestinationRuleTlsDisabled;
pub use linkerd_injection_disabled::LinkerdInjectionDisabled;
pub use namespace_without_strict_mtls::NamespaceWithoutStrictMtls;
pub use peer_authentication_not_strict::PeerAuthenticationNotStrict;
pub use proxy_bypass_ports::ProxyBypassPorts;
pub use sidecar_injection_disabled::SidecarInjectionDisabled;

pub const RULES: &[&dyn Rule] = &[
    &PeerAuthenticationNotStrict,
    &NamespaceWithoutStrictMtls,
    &DestinationRuleTlsDisabled,
    &AuthorizationAllowsAll,
    &SidecarInjectionDisabled,
    &LinkerdInjectionDisabled,
    &ProxyBypassPorts,
];

/// Istio's default root namespace: a PeerAuthentication there without a
/// selector is the mesh-wide policy.
pub(crate) const ISTIO_ROOT_NAMESPACE: &str = "istio-system";

const SECURITY_VERSIONS: &[&str] = &["security.istio.io/v1", "security.istio.io/v1beta1"];
const NETWORKING_VERSIONS: &[&str] =
    &["networking.istio.io/v1", "networking.istio.io/v1beta1", "networking.istio.io/v1alpha3"];

/// Whether `o` is the Istio `security.istio.io` resource `kind`.
pub(crate) fn is_istio_security(o: &Object, kind: &str) -> bool {
    o.kind == kind && SECURITY_VERSIONS.contains(&o.api_version.as_str())
}

/// Whether `o` is the Istio `networking.istio.io` resource `kind`.
pub(crate) fn is_istio_networking(o: &Object, kind: &str) -> bool {
    o.kind == kind && NETWORKING_VERSIONS.contains(&o.api_version.as_str())
}

/// The namespace of a namespaced object as the API server would place it
/// (`default` when the manifest names none).
pub(crate) fn namespace_of(o: &Object) -> &str {
    o.namespace.as_deref().unwrap_or("default")
}

/// The `Namespace` object named `name`, when the input has it.
pub(crate) fn namespace_object<'a>(inventory: &'a Inventory, name: &str) -> Option<&'a Object> {
    inventory.get("Namespace", None, name)
}

fn label<'a>(o: &'a Object, key: &str) -> Option<&'a str> {
    o.labels()?.get(key)?.as_str()
}

/// Why a Namespace gets Istio sidecars: the pointer and text of the label
/// that turns injection on (`istio-injection=enabled`, or `istio.io/rev`
/// unless `istio-injection` says otherwise). `None` when it is not meshed.
pub(crate) fn istio_injection(namespace: &Object) -> Option<(String, String)> {
    if namespace.kind != "Namespace" {
        return None;
    }
    let at = |key: &str| pointer_join("/metadata/labels", key);
    match label(namespace, "istio-injection") {
        Some("enabled") => return Some((at("istio-injection"), "istio-injection=enabled".into())),
        // Any other value (`disabled`) turns injection off, even with a revision label.
        Some(_) => return None,
        None => {}
    }
    let rev = label(namespace, "istio.io/rev").filter(|r| !r.is_empty())?;
    Some((at("istio.io/rev"), format!("istio.io/rev={rev}")))
}

/// Whether a Namespace has Linkerd's proxy injection on
/// (`linkerd.io/inject: enabled` annotation).
pub(crate) fn linkerd_injection(namespace: &Object) -> bool {
    namespace.kind == "Namespace" && namespace.annotation("linkerd.io/inject") == Some("enabled")
}

/// A pod-template label, or else annotation, of the pod: Istio reads
/// `sidecar.istio.io/inject` that way (the label wins).
pub(crate) fn pod_label_or_annotation(pod: &PodSpecRef<'_>, key: &str) -> Option<(String, String)> {
    let meta = pod.metadata?;
    for field in ["labels", "annotations"] {
        if let Some(value) = meta.get(field).and_then(|m| m.get(key)).and_then(Node::as_str) {
            let pointer = pointer_join(&format!("{}/{field}", pod.metadata_pointer), key);
            return Some((pointer, value.to_owned()));
        }
    }
    None
}

/// How Istio's injector reads `sidecar.istio.io/inject`: `y`, `yes`,
/// `true`, `on` (any case) inject, an empty value defers to the namespace,
/// and every other value opts out.
pub(crate) fn istio_inject_value(value: &str) -> Option<bool> {
    match value.to_ascii_lowercase().as_str() {
        "" => None,
        "y" | "yes" | "true" | "on" => Some(true),
        _ => Some(false),
    }
}

/// A workload that should be judged on its own: a workload kind with a pod
/// template, not a Pod or ReplicaSet made by a controller in the scan
/// (judged through it).
pub(crate) fn workload(o: &Object) -> Option<PodSpecRef<'_>> {
    if o.kind == "PodTemplate" {
        return None;
    }
    PodSpecRef::to_check(o)
}

/// A PeerAuthentication `mtls.mode` value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum MtlsMode {
    Unset,
    Disable,
    Permissive,
    Strict,
}

impl MtlsMode {
    /// The `mode` of an `mtls` block; anything unreadable counts as UNSET.
    pub fn of(mtls: Option<&Node>) -> MtlsMode {
        match mtls.and_then(|m| m.get("mode")).and_then(Node::as_str) {
            Some("DISABLE") => MtlsMode::Disable,
            Some("PERMISSIVE") => MtlsMode::Permissive,
            Some("STRICT") => MtlsMode::Strict,
            _ => MtlsMode::Unset,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            MtlsMode::Unset => "UNSET",
            MtlsMode::Disable => "DISABLE",
            MtlsMode::Permissive => "PERMISSIVE",
            MtlsMode::Strict => "STRICT",
        }
    }
}

/// Whether a PeerAuthentication or AuthorizationPolicy applies to the whole
/// namespace: no `selector` with labels and no `targetRef(s)`.
pub(crate) fn selects_whole_namespace(spec: Option<&Node>) -> bool {
    let Some(spec) = spec else { return true };
    let has_labels =
        spec.get("selector").and_then(|s| s.get("matchLabels")).and_then(Node::as_map).is_some_and(|m| !m.is_empty());
    let has_target = spec.get("targetRef").and_then(Node::as_map).is_some_and(|m| !m.is_empty())
        || !spec.get("targetRefs").map(Node::as_seq).unwrap_or(&[]).is_empty();
    !has_labels && !has_target
}

/// The namespace-wide PeerAuthentication modes of each namespace (selector-less
/// policies; the root namespace's are the mesh-wide ones). Computed once per run.
#[derive(Debug, Default)]
pub(crate) struct PeerAuthIndex {
    by_namespace: HashMap<String, Vec<MtlsMode>>,
}

impl PeerAuthIndex {
    pub fn of(inventory: &Inventory) -> std::sync::Arc<PeerAuthIndex> {
        inventory.memo(|inv| {
            let mut index = PeerAuthIndex::default();
            for o in inv.of_kind("PeerAuthentication").filter(|o| is_istio_security(o, "PeerAuthentication")) {
                let spec = o.root.get("spec");
                if selects_whole_namespace(spec) {
                    let mode = MtlsMode::of(spec.and_then(|s| s.get("mtls")));
                    index.by_namespace.entry(namespace_of(o).to_owned()).or_default().push(mode);
                }
            }
            index
        })
    }

    /// The mode selector-less policies set in `namespace`: `None` when none
    /// exists or all say UNSET, otherwise the weakest mode they set (Istio
    /// applies the oldest of several, which manifests cannot tell).
    fn namespace_mode(&self, namespace: &str) -> Option<MtlsMode> {
        let modes = self.by_namespace.get(namespace)?;
        let set = modes.iter().copied().filter(|m| *m != MtlsMode::Unset);
        set.min_by_key(|m| match m {
            MtlsMode::Disable => 0,
            MtlsMode::Permissive => 1,
            _ => 2,
        })
    }

    /// The mode that applies to a workload in `namespace` selected by no
    /// workload-level policy, and where it comes from: the namespace's
    /// policy, else the mesh-wide one, else Istio's default (PERMISSIVE).
    pub fn effective(&self, namespace: &str) -> (MtlsMode, Inherited) {
        if let Some(mode) = self.namespace_mode(namespace) {
            let from = if namespace == ISTIO_ROOT_NAMESPACE { Inherited::Mesh } else { Inherited::Namespace };
            return (mode, from);
        }
        match self.namespace_mode(ISTIO_ROOT_NAMESPACE) {
            Some(mode) => (mode, Inherited::Mesh),
            None => (MtlsMode::Permissive, Inherited::Default),
        }
    }
}

/// Where an effective mTLS mode was set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Inherited {
    Namespace,
    Mesh,
    Default,
}
