use crate::{Location, Node, ObjectRef, Pos};
use std::sync::Arc;

/// Where an object was read from.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Source {
    /// The path as the user named it (`-` for stdin, `cluster` for live objects).
    pub file: Arc<str>,
    /// The Helm template it was rendered from (`# Source: chart/templates/x.yaml`).
    pub template: Option<Arc<str>>,
    /// 0-based index of the YAML document within the file.
    pub document: usize,
}

/// A Kubernetes object with the tree it was parsed from.
#[derive(Debug, Clone)]
pub struct Object {
    pub api_version: String,
    pub kind: String,
    pub namespace: Option<String>,
    pub name: String,
    pub root: Node,
    pub source: Source,
    /// The JSON pointer of this object inside its document (non-empty for
    /// items of a `kind: List`, e.g. `/items/3`).
    pub base_pointer: String,
    /// The controller in the same inventory whose pod template this
    /// object's pod spec is (`Deployment shop/web` for its ReplicaSets and
    /// their Pods): rules check the pod spec there, not here. Set by
    /// [`Inventory::new`](crate::Inventory::new); see [`PodSpecRef::to_check`](crate::PodSpecRef::to_check).
    pub template_owner: Option<String>,
}

impl Object {
    /// Builds an object from a document root. Returns `None` when the node
    /// is not a Kubernetes object (it has no string `apiVersion` and `kind`).
    pub fn from_node(root: Node, source: Source, base_pointer: String) -> Option<Object> {
        let api_version = root.get("apiVersion")?.as_str()?.to_owned();
        let kind = root.get("kind")?.as_str()?.to_owned();
        if api_version.is_empty() || kind.is_empty() {
            return None;
        }
        let meta = root.get("metadata");
        let name = meta
            .and_then(|m| m.get("name").or_else(|| m.get("generateName")))
            .and_then(Node::as_str)
            .unwrap_or("")
            .to_owned();
        let namespace =
            meta.and_then(|m| m.get("namespace")).and_then(Node::as_str).filter(|s| !s.is_empty()).map(str::to_owned);
        Some(Object { api_version, kind, namespace, name, root, source, base_pointer, template_owner: None })
    }

    /// API group of the object (`""` for the core group).
    pub fn group(&self) -> &str {
        self.api_version.rsplit_once('/').map_or("", |(g, _)| g)
    }

    pub fn reference(&self) -> ObjectRef {
        ObjectRef {
            api_version: self.api_version.clone(),
            kind: self.kind.clone(),
            namespace: self.namespace.clone(),
            name: self.name.clone(),
        }
    }

    pub fn metadata(&self) -> Option<&Node> {
        self.root.get("metadata")
    }
    pub fn labels(&self) -> Option<&crate::Map> {
        self.metadata()?.get("labels")?.as_map()
    }
    pub fn annotations(&self) -> Option<&crate::Map> {
        self.metadata()?.get("annotations")?.as_map()
    }
    pub fn annotation(&self, key: &str) -> Option<&str> {
        self.annotations()?.get(key)?.as_str()
    }

    /// The source position of a pointer, or of the nearest parent that exists
    /// when the field itself is missing (a finding about an unset field
    /// points at the block it should be added to).
    pub fn pos_of(&self, pointer: &str) -> Pos {
        self.root.anchor_pos(pointer)
    }

    /// Where a finding at `pointer` is reported.
    pub fn location_of(&self, pointer: &str) -> Location {
        let pos = self.pos_of(pointer);
        Location {
            file: self.source.file.clone(),
            line: pos.line,
            column: pos.column,
            template: self.source.template.clone(),
        }
    }

    /// A human label: `Deployment ns/name` (or `Deployment name`).
    pub fn display_name(&self) -> String {
        match &self.namespace {
            Some(ns) => format!("{} {}/{}", self.kind, ns, self.name),
            None => format!("{} {}", self.kind, self.name),
        }
    }
}
