//! A view of one pod spec shaped like the plugin sees it: the containers in
//! its visiting order and typed accessors that read a field of the wrong type
//! as unset (the API server would not have decoded such an object at all).

use kubefort_model::{pointer_join, ContainerKind, Node, PodSpecRef, Value};

pub(crate) struct Pod<'a> {
    pub spec: &'a Node,
    pub spec_pointer: &'static str,
    metadata: Option<&'a Node>,
    metadata_pointer: &'static str,
    /// Init containers, then containers, then ephemeral containers — the
    /// plugin's `visitContainers` order, which its messages list names in.
    pub containers: Vec<Container<'a>>,
}

pub(crate) struct Container<'a> {
    pub name: &'a str,
    pub node: &'a Node,
    pub pointer: String,
}

impl<'a> Container<'a> {
    /// The container's `securityContext` when it is a map.
    pub fn security_context(&self) -> Option<&'a Node> {
        map_field(self.node, "securityContext")
    }
    /// Pointer of a field under the container.
    pub fn at(&self, path: &str) -> String {
        format!("{}/{}", self.pointer, path)
    }
    /// Pointer of a field under the container's security context.
    pub fn sc_at(&self, path: &str) -> String {
        format!("{}/securityContext/{}", self.pointer, path)
    }
}

impl<'a> Pod<'a> {
    pub fn new(spec: PodSpecRef<'a>) -> Pod<'a> {
        let order = |kind: ContainerKind| match kind {
            ContainerKind::InitContainer => 0,
            ContainerKind::Container => 1,
            ContainerKind::EphemeralContainer => 2,
        };
        let mut refs: Vec<_> = spec.containers().collect();
        refs.sort_by_key(|c| (order(c.kind), c.index));
        let containers = refs
            .into_iter()
            .map(|c| Container {
                name: c.node.get("name").and_then(Node::as_str).unwrap_or(""),
                node: c.node,
                pointer: c.pointer(),
            })
            .collect();
        Pod {
            spec: spec.spec,
            spec_pointer: spec.pointer,
            metadata: spec.metadata,
            metadata_pointer: spec.metadata_pointer,
            containers,
        }
    }

    /// Pointer of a field under the pod spec.
    pub fn at(&self, path: &str) -> String {
        format!("{}/{}", self.spec_pointer, path)
    }

    /// The pod-level `securityContext` when it is a map.
    pub fn security_context(&self) -> Option<&'a Node> {
        map_field(self.spec, "securityContext")
    }

    /// `spec.os.name == "windows"`, compared as the plugin does (exactly).
    pub fn is_windows(&self) -> bool {
        self.spec.path(&["os", "name"]).and_then(Node::as_str) == Some("windows")
    }

    /// `spec.hostUsers: false`: the pod runs in a user namespace.
    pub fn in_user_namespace(&self) -> bool {
        bool_field(Some(self.spec), "hostUsers") == Some(false)
    }

    /// The pod (template) annotations with their values as text, in source order.
    pub fn annotations(&self) -> impl Iterator<Item = (&'a str, String)> + 'a {
        self.metadata
            .and_then(|m| m.get("annotations"))
            .and_then(Node::as_map)
            .into_iter()
            .flat_map(|m| m.iter())
            .filter_map(|(k, v)| Some((k, v.scalar_text()?)))
    }

    pub fn annotation(&self, key: &str) -> Option<String> {
        self.metadata?.get("annotations")?.get(key)?.scalar_text()
    }

    pub fn annotation_pointer(&self, key: &str) -> String {
        pointer_join(&format!("{}/annotations", self.metadata_pointer), key)
    }

    /// The pod's volumes that are maps, with their index.
    pub fn volumes(&self) -> impl Iterator<Item = (usize, &'a Node)> + 'a {
        self.spec
            .get("volumes")
            .map(Node::as_seq)
            .unwrap_or(&[])
            .iter()
            .enumerate()
            .filter(|(_, v)| v.as_map().is_some())
    }
}

/// The child under `key` when it is a map (a Go pointer-to-struct that is set).
pub(crate) fn map_field<'a>(node: &'a Node, key: &str) -> Option<&'a Node> {
    node.get(key).filter(|n| n.as_map().is_some())
}

/// A boolean field; any other type (or absence) reads as unset.
pub(crate) fn bool_field(node: Option<&Node>, key: &str) -> Option<bool> {
    node?.get(key)?.as_bool()
}

/// A string field; any other type (or absence) reads as unset.
pub(crate) fn str_field<'a>(node: Option<&'a Node>, key: &str) -> Option<&'a str> {
    node?.get(key)?.as_str()
}

/// A string field of a struct that is set, where unset means `""` (Go's
/// zero value), e.g. `seccompProfile.type`.
pub(crate) fn str_or_empty<'a>(node: &'a Node, key: &str) -> &'a str {
    str_field(Some(node), key).unwrap_or("")
}

/// The items of a list field, with their index; a non-list reads as empty.
pub(crate) fn list_field<'a>(node: Option<&'a Node>, key: &str) -> &'a [Node] {
    node.and_then(|n| n.get(key)).map(Node::as_seq).unwrap_or(&[])
}

/// Whether a field is present and not null (a Go pointer that is set).
pub(crate) fn is_set(node: &Node, key: &str) -> bool {
    node.get(key).is_some_and(|n| !matches!(n.value, Value::Null))
}

/// `"a", "b"` — the plugin's `joinQuote`.
pub(crate) fn join_quote<S: AsRef<str>>(items: &[S]) -> String {
    items.iter().map(|s| format!("\"{}\"", s.as_ref())).collect::<Vec<_>>().join(", ")
}

pub(crate) fn pluralize<'s>(singular: &'s str, plural: &'s str, count: usize) -> &'s str {
    if count == 1 {
        singular
    } else {
        plural
    }
}

/// `container "a"` / `containers "a", "b"`.
pub(crate) fn containers_phrase<S: AsRef<str>>(names: &[S]) -> String {
    format!("{} {}", pluralize("container", "containers", names.len()), join_quote(names))
}

/// Sorted, deduplicated copy (the plugin's `sets.NewString(...).List()`).
pub(crate) fn sorted_set<I: IntoIterator<Item = String>>(items: I) -> Vec<String> {
    let mut v: Vec<String> = items.into_iter().collect();
    v.sort();
    v.dedup();
    v
}
