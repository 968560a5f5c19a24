//! The workload view: one way to reach the pod spec of every kind that has one.

use crate::{pointer_join, Node, Object};

/// A pod spec inside an object, with the pointers needed to report on it.
#[derive(Debug, Clone, Copy)]
pub struct PodSpecRef<'a> {
    pub spec: &'a Node,
    /// Pointer of the pod spec (`/spec/template/spec`).
    pub pointer: &'static str,
    /// Pod metadata (labels, annotations) when present.
    pub metadata: Option<&'a Node>,
    /// Pointer of the pod metadata (`/spec/template/metadata`).
    pub metadata_pointer: &'static str,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContainerKind {
    Container,
    InitContainer,
    EphemeralContainer,
}

impl ContainerKind {
    pub const ALL: [ContainerKind; 3] = [Self::Container, Self::InitContainer, Self::EphemeralContainer];
    /// The pod spec field that holds this kind.
    pub fn field(self) -> &'static str {
        match self {
            Self::Container => "containers",
            Self::InitContainer => "initContainers",
            Self::EphemeralContainer => "ephemeralContainers",
        }
    }
    /// How messages name it: `container`, `init container`, …
    pub fn label(self) -> &'static str {
        match self {
            Self::Container => "container",
            Self::InitContainer => "init container",
            Self::EphemeralContainer => "ephemeral container",
        }
    }
}

/// One container of a pod spec.
#[derive(Debug, Clone)]
pub struct ContainerRef<'a> {
    pub kind: ContainerKind,
    pub index: usize,
    pub node: &'a Node,
    /// `/spec/template/spec/containers/0`
    pub pointer: String,
    pub name: &'a str,
}

impl ContainerRef<'_> {
    /// Pointer of a field under this container.
    pub fn at(&self, path: &str) -> String {
        format!("{}/{}", self.pointer, path.trim_start_matches('/'))
    }
    /// `container "app"` for messages.
    pub fn describe(&self) -> String {
        format!("{} \"{}\"", self.kind.label(), self.name)
    }
    pub fn security_context(&self) -> Option<&Node> {
        self.node.get("securityContext")
    }
}

impl<'a> PodSpecRef<'a> {
    /// The pod spec of a Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet,
    /// ReplicationController, Job, CronJob or PodTemplate.
    pub fn of(object: &'a Object) -> Option<PodSpecRef<'a>> {
        let (spec_pointer, meta_pointer): (&'static str, &'static str) = match object.kind.as_str() {
            "Pod" => ("/spec", "/metadata"),
            "Deployment" | "StatefulSet" | "DaemonSet" | "ReplicaSet" | "ReplicationController" | "Job" => {
                ("/spec/template/spec", "/spec/template/metadata")
            }
            "CronJob" => ("/spec/jobTemplate/spec/template/spec", "/spec/jobTemplate/spec/template/metadata"),
            "PodTemplate" => ("/template/spec", "/template/metadata"),
            _ => return None,
        };
        let spec = object.root.pointer(spec_pointer)?;
        spec.as_map()?;
        Some(PodSpecRef {
            spec,
            pointer: spec_pointer,
            metadata: object.root.pointer(meta_pointer),
            metadata_pointer: meta_pointer,
        })
    }

    /// Pointer of a field under the pod spec.
    pub fn at(&self, path: &str) -> String {
        format!("{}/{}", self.pointer, path.trim_start_matches('/'))
    }

    pub fn security_context(&self) -> Option<&'a Node> {
        self.spec.get("securityContext")
    }

    /// An annotation of the pod (template) metadata.
    pub fn annotation(&self, key: &str) -> Option<&'a str> {
        self.metadata?.get("annotations")?.get(key)?.as_str()
    }

    /// Pointer of a pod annotation.
    pub fn annotation_pointer(&self, key: &str) -> String {
        pointer_join(&format!("{}/annotations", self.metadata_pointer), key)
    }

    /// Containers, then init containers, then ephemeral containers.
    pub fn containers(&self) -> impl Iterator<Item = ContainerRef<'a>> + 'a {
        let spec = self.spec;
        let base = self.pointer;
        ContainerKind::ALL.into_iter().flat_map(move |kind| {
            spec.get(kind.field())
                .map(Node::as_seq)
                .unwrap_or(&[])
                .iter()
                .enumerate()
                .filter(|(_, n)| n.as_map().is_some())
                .map(move |(index, node)| ContainerRef {
                    kind,
                    index,
                    node,
                    pointer: format!("{base}/{}/{index}", kind.field()),
                    name: node.get("name").and_then(Node::as_str).unwrap_or("?"),
                })
        })
    }

    /// Volumes of the pod with their index.
    pub fn volumes(&self) -> impl Iterator<Item = (usize, &'a Node)> + 'a {
        self.spec.get("volumes").map(Node::as_seq).unwrap_or(&[]).iter().enumerate()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Pos, Source};

    fn object(json: serde_json::Value) -> Object {
        Object::from_node(Node::from_json(&json, Pos::new(1, 1)), Source::default(), String::new()).unwrap()
    }

    #[test]
    fn every_workload_kind_exposes_its_pod_spec_and_all_container_kinds() {
        let spec = serde_json::json!({
            "containers": [{"name": "app"}],
            "initContainers": [{"name": "init"}],
            "ephemeralContainers": [{"name": "debug"}]
        });
        let cases = [
            ("Pod", serde_json::json!({"spec": spec}), "/spec"),
            ("Deployment", serde_json::json!({"spec": {"template": {"spec": spec}}}), "/spec/template/spec"),
            (
                "CronJob",
                serde_json::json!({"spec": {"jobTemplate": {"spec": {"template": {"spec": spec}}}}}),
                "/spec/jobTemplate/spec/template/spec",
            ),
            ("PodTemplate", serde_json::json!({"template": {"spec": spec}}), "/template/spec"),
        ];
        for (kind, mut body, pointer) in cases {
            body["apiVersion"] = "v1".into();
            body["kind"] = kind.into();
            body["metadata"] = serde_json::json!({"name": "x"});
            let o = object(body);
            let pod = PodSpecRef::of(&o).unwrap_or_else(|| panic!("{kind} has a pod spec"));
            assert_eq!(pod.pointer, pointer);
            let names: Vec<_> = pod.containers().map(|c| (c.name.to_owned(), c.pointer.clone())).collect();
            assert_eq!(names[0], ("app".into(), format!("{pointer}/containers/0")));
            assert_eq!(names[1], ("init".into(), format!("{pointer}/initContainers/0")));
            assert_eq!(names[2], ("debug".into(), format!("{pointer}/ephemeralContainers/0")));
        }
        let cm = object(serde_json::json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}}));
        assert!(PodSpecRef::of(&cm).is_none());
    }
}
