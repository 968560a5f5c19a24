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
    /// Pointer of the pod spec it is in (`/spec/template/spec`).
    pod_pointer: &'static str,
    pub name: &'a str,
}

impl<'a> ContainerRef<'a> {
    /// `/spec/template/spec/containers/0`. Built on demand: rules walk
    /// every container of every object, and most raise nothing.
    pub fn pointer(&self) -> String {
        format!("{}/{}/{}", self.pod_pointer, self.kind.field(), self.index)
    }
    /// Pointer of a field under this container.
    pub fn at(&self, path: &str) -> String {
        format!("{}/{}/{}/{}", self.pod_pointer, self.kind.field(), self.index, path.trim_start_matches('/'))
    }
    /// `container "app"` for messages.
    pub fn describe(&self) -> String {
        format!("{} \"{}\"", self.kind.label(), self.name)
    }
    pub fn security_context(&self) -> Option<&'a Node> {
        self.node.get("securityContext")
    }

    /// A field of this container's `securityContext` (`None` when the
    /// context or the field is missing).
    pub fn security_field(&self, field: &str) -> Option<&'a Node> {
        self.security_context()?.get(field)
    }

    /// `volumeMounts` with their index (items that are not maps are skipped).
    pub fn volume_mounts(&self) -> impl Iterator<Item = (usize, &'a Node)> + 'a {
        self.node
            .get("volumeMounts")
            .map(Node::as_seq)
            .unwrap_or(&[])
            .iter()
            .enumerate()
            .filter(|(_, m)| m.as_map().is_some())
    }
}

/// Where an effective security setting of a container comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SettingSource {
    /// The container's own `securityContext`.
    Container,
    /// The pod's `securityContext`, inherited because the container does not set it.
    Pod,
}

/// A security setting as the kubelet applies it to one container: the
/// container's value, or the pod's when the container has none.
#[derive(Debug, Clone, PartialEq)]
pub struct Effective<T> {
    pub value: T,
    pub source: SettingSource,
    /// Pointer of the field the value was read from.
    pub pointer: String,
}

impl<'a> PodSpecRef<'a> {
    /// The pod spec of a Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet,
    /// ReplicationController, Job, CronJob or PodTemplate.
    pub fn of(object: &'a Object) -> Option<PodSpecRef<'a>> {
        // The path to the pod template, and the pointers it is reported at
        // (every rule asks for this on every object: no pointer parsing).
        let (template, spec_pointer, meta_pointer): (&[&str], &'static str, &'static str) = match object.kind.as_str() {
            "Pod" => (&[], "/spec", "/metadata"),
            "Deployment" | "StatefulSet" | "DaemonSet" | "ReplicaSet" | "ReplicationController" | "Job" => {
                (&["spec", "template"], "/spec/template/spec", "/spec/template/metadata")
            }
            "CronJob" => (
                &["spec", "jobTemplate", "spec", "template"],
                "/spec/jobTemplate/spec/template/spec",
                "/spec/jobTemplate/spec/template/metadata",
            ),
            "PodTemplate" => (&["template"], "/template/spec", "/template/metadata"),
            _ => return None,
        };
        let template = object.root.path(template)?;
        let spec = template.get("spec")?;
        spec.as_map()?;
        Some(PodSpecRef {
            spec,
            pointer: spec_pointer,
            metadata: template.get("metadata"),
            metadata_pointer: meta_pointer,
        })
    }

    /// The pod spec rules check: [`PodSpecRef::of`], except for a Pod,
    /// ReplicaSet or Job whose pod spec is its controller's template in the
    /// same scan ([`Object::template_owner`]): that is checked, and
    /// reported, once at the controller.
    pub fn to_check(object: &'a Object) -> Option<PodSpecRef<'a>> {
        if object.template_owner.is_some() {
            return None;
        }
        Self::of(object)
    }

    /// Whether the pod declares itself a Windows pod (`spec.os.name: windows`);
    /// Linux-only settings (capabilities, seccomp, AppArmor, …) do not apply then.
    pub fn is_windows(&self) -> bool {
        self.spec.path(&["os", "name"]).and_then(Node::as_str) == Some("windows")
    }

    /// A field of the pod-level `securityContext`.
    pub fn security_field(&self, field: &str) -> Option<&'a Node> {
        self.security_context()?.get(field)
    }

    /// The value of a `securityContext` field that exists at both levels
    /// (`runAsUser`, `runAsNonRoot`, `seccompProfile`, `appArmorProfile`, …)
    /// as it applies to `container`: the container's own value overrides the
    /// pod's. `read` converts a node and returns `None` for a value of the
    /// wrong type, which then counts as unset (as if the field were absent).
    pub fn effective<T>(
        &self,
        container: &ContainerRef<'a>,
        field: &str,
        read: impl Fn(&'a Node) -> Option<T>,
    ) -> Option<Effective<T>> {
        if let Some(value) = container.security_field(field).and_then(&read) {
            return Some(Effective {
                value,
                source: SettingSource::Container,
                pointer: pointer_join(&container.at("securityContext"), field),
            });
        }
        let value = self.security_field(field).and_then(read)?;
        Some(Effective { value, source: SettingSource::Pod, pointer: pointer_join(&self.at("securityContext"), field) })
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
                    pod_pointer: base,
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
            let names: Vec<_> = pod.containers().map(|c| (c.name.to_owned(), c.pointer())).collect();
            assert_eq!(names[0], ("app".into(), format!("{pointer}/containers/0")));
            assert_eq!(names[1], ("init".into(), format!("{pointer}/initContainers/0")));
            assert_eq!(names[2], ("debug".into(), format!("{pointer}/ephemeralContainers/0")));
        }
        let cm = object(serde_json::json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}}));
        assert!(PodSpecRef::of(&cm).is_none());
    }

    #[test]
    fn effective_settings_prefer_the_container_and_skip_wrong_types() {
        let o = object(serde_json::json!({
            "apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
            "spec": {
                "os": {"name": "windows"},
                "securityContext": {"runAsUser": 1000, "runAsNonRoot": true},
                "containers": [
                    {"name": "own", "securityContext": {"runAsUser": 0}, "volumeMounts": [{"name": "v"}, "junk"]},
                    {"name": "inherits"},
                    {"name": "wrong-type", "securityContext": {"runAsUser": "0", "runAsNonRoot": false}}
                ]
            }
        }));
        let pod = PodSpecRef::of(&o).unwrap();
        assert!(pod.is_windows());
        let c: Vec<_> = pod.containers().collect();
        let uid = |c: &ContainerRef<'_>| pod.effective(c, "runAsUser", Node::as_i64);
        assert_eq!(
            uid(&c[0]),
            Some(Effective {
                value: 0,
                source: SettingSource::Container,
                pointer: "/spec/containers/0/securityContext/runAsUser".into()
            })
        );
        assert_eq!(
            uid(&c[1]),
            Some(Effective {
                value: 1000,
                source: SettingSource::Pod,
                pointer: "/spec/securityContext/runAsUser".into()
            })
        );
        // A string where a number belongs counts as unset: the pod's value applies.
        assert_eq!(uid(&c[2]).map(|e| (e.value, e.source)), Some((1000, SettingSource::Pod)));
        // An explicit container `false` overrides the pod's `true`.
        let non_root = pod.effective(&c[2], "runAsNonRoot", Node::as_bool).unwrap();
        assert_eq!((non_root.value, non_root.source), (false, SettingSource::Container));
        assert!(pod.effective(&c[1], "seccompProfile", Node::as_map).is_none());
        assert_eq!(c[0].volume_mounts().map(|(i, _)| i).collect::<Vec<_>>(), [0]);
        assert_eq!(c[1].volume_mounts().count(), 0);
    }
}
