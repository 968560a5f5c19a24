//! Pods and ReplicaSets made by a controller in the same scan.
//!
//! A cluster dump holds every Deployment with its ReplicaSets (old ones
//! too) and their Pods, every CronJob with its Jobs and their Pods: the
//! same pod template three or four times. Checking each copy reports every
//! problem three or four times, on objects nobody edits (the fix goes in
//! the Deployment).
//!
//! kubefort does it only where nothing is lost: an object's pod spec is
//! checked at its controller when the controller is in the same inventory
//! (`ownerReferences` entry with `controller: true`, same namespace, kind,
//! name and, when both sides have one, uid) **and** the pod spec is the
//! controller's template as the API server would copy it. The API server
//! adds to a Pod what no rule reads: `nodeName`, `hostname`/`subdomain`
//! (StatefulSet pods), `priority`/`preemptionPolicy`, the two default
//! tolerations, the service account token volume and its mounts, and
//! `serviceAccountName: default` where the template names none; controllers
//! add labels (`pod-template-hash`, `job-name`, …). Everything else must be
//! equal, so a Pod changed after creation (an injected sidecar, a debug
//! container, limits set by a LimitRange, a seccomp annotation) is checked
//! on its own, in full.

use crate::{Inventory, Map, Node, Object, PodSpecRef};
use rayon::prelude::*;

/// Pod spec fields the API server sets on a Pod but not on its template.
const ADDED_TO_PODS: &[&str] =
    &["nodeName", "hostname", "subdomain", "priority", "preemptionPolicy", "serviceAccount", "enableServiceLinks"];

/// Fields compared by the functions below rather than by equality.
const COMPARED_APART: &[&str] = &["tolerations", "volumes", "serviceAccountName", "containers", "initContainers"];

/// Pod annotations that change what a container may do (AppArmor and the
/// pre-1.19 seccomp annotations): one the template lacks makes a difference.
const SECURITY_ANNOTATIONS: &[&str] = &[
    "container.apparmor.security.beta.kubernetes.io/",
    "seccomp.security.alpha.kubernetes.io/",
    "container.seccomp.security.alpha.kubernetes.io/",
];

/// For every object of `inventory`, the controller at which its pod spec is
/// checked (`Deployment shop/web`, the top of the chain Pod → ReplicaSet →
/// Deployment), or `None` when it is checked on its own.
pub(crate) fn template_owners(inventory: &Inventory) -> Vec<Option<String>> {
    let objects = inventory.objects();
    // Parallel: a dump has tens of thousands of pod specs to compare, and
    // this runs before any rule can start.
    let owner: Vec<Option<usize>> = objects.par_iter().map(|o| same_template_owner(inventory, o)).collect();
    (0..objects.len())
        .map(|i| {
            let mut top = owner[i]?;
            // Chains are short (Pod → ReplicaSet → Deployment). In an
            // ownership cycle (a hand-written file) nothing stands above the
            // rest, so each object is checked on its own.
            for _ in 0..64 {
                match owner[top] {
                    None => return Some(objects[top].display_name()),
                    Some(next) if next == i => return None,
                    Some(next) => top = next,
                }
            }
            None
        })
        .collect()
}

/// The index of `object`'s controller when its pod spec is that
/// controller's template.
fn same_template_owner(inventory: &Inventory, object: &Object) -> Option<usize> {
    let reference = controller_reference(object)?;
    let kind = reference.get("kind")?.as_str()?;
    let name = reference.get("name")?.as_str()?;
    let index = inventory.index_of(kind, object.namespace.as_deref(), name)?;
    let owner = &inventory.objects()[index];
    if let (Some(expected), Some(actual)) = (uid(reference), owner.metadata().and_then(uid)) {
        if expected != actual {
            return None;
        }
    }
    let (pod, template) = (PodSpecRef::of(object)?, PodSpecRef::of(owner)?);
    (same_spec(pod.spec, template.spec) && same_metadata(pod.metadata, template.metadata)).then_some(index)
}

fn uid(node: &Node) -> Option<&str> {
    node.get("uid").and_then(Node::as_str).filter(|u| !u.is_empty())
}

fn controller_reference(object: &Object) -> Option<&Node> {
    object
        .metadata()?
        .get("ownerReferences")?
        .as_seq()
        .iter()
        .find(|r| r.get("controller").and_then(Node::as_bool) == Some(true))
}

fn same_spec(pod: &Node, template: &Node) -> bool {
    let (Some(pod), Some(template)) = (pod.as_map(), template.as_map()) else { return false };
    same_entries_except(pod, template, |k| ADDED_TO_PODS.contains(&k) || COMPARED_APART.contains(&k))
        && service_account(pod) == service_account(template)
        && same_items(pod, template, "tolerations", |t| !is_default_toleration(t), Node::same_value)
        && same_items(pod, template, "volumes", |v| !is_token_volume(v), Node::same_value)
        && same_items(pod, template, "containers", |_| true, same_container)
        && same_items(pod, template, "initContainers", |_| true, same_container)
}

/// The service account a pod runs as: the API server names `default`
/// where the template names none.
fn service_account(spec: &Map) -> &str {
    spec.get("serviceAccountName").and_then(Node::as_str).unwrap_or("default")
}

/// The entries of two maps are equal, leaving out the keys `skip` names.
fn same_entries_except(pod: &Map, template: &Map, skip: impl Fn(&str) -> bool) -> bool {
    let kept = |map: &Map| map.iter().filter(|(k, _)| !skip(k)).count();
    kept(pod) == kept(template)
        && template.iter().filter(|(k, _)| !skip(k)).all(|(k, v)| pod.get(k).is_some_and(|p| p.same_value(v)))
}

/// The items of a list field, without those `keep` drops, pairwise `same`.
fn same_items(
    pod: &Map,
    template: &Map,
    field: &str,
    keep: impl Fn(&Node) -> bool,
    same: impl Fn(&Node, &Node) -> bool,
) -> bool {
    let mut a = pod.get(field).map_or(&[][..], Node::as_seq).iter().filter(|n| keep(n));
    let mut b = template.get(field).map_or(&[][..], Node::as_seq).iter().filter(|n| keep(n));
    loop {
        match (a.next(), b.next()) {
            (None, None) => return true,
            (Some(x), Some(y)) if same(x, y) => {}
            _ => return false,
        }
    }
}

/// A container equal to the template's but for the token mount.
fn same_container(pod: &Node, template: &Node) -> bool {
    let (Some(pod), Some(template)) = (pod.as_map(), template.as_map()) else { return pod.same_value(template) };
    same_entries_except(pod, template, |k| k == "volumeMounts")
        && same_items(pod, template, "volumeMounts", |m| !is_token_mount(m), Node::same_value)
}

/// `node.kubernetes.io/not-ready` and `unreachable` for 300 s, added by
/// the DefaultTolerationSeconds admission plugin.
fn is_default_toleration(toleration: &Node) -> bool {
    let key = toleration.get("key").and_then(Node::as_str);
    matches!(key, Some("node.kubernetes.io/not-ready" | "node.kubernetes.io/unreachable"))
        && toleration.get("effect").and_then(Node::as_str) == Some("NoExecute")
}

/// The projected service account token volume (`kube-api-access-…`).
fn is_token_volume(volume: &Node) -> bool {
    volume.get("name").and_then(Node::as_str).is_some_and(|n| n.starts_with("kube-api-access-"))
        && volume.get("projected").is_some()
}

fn is_token_mount(mount: &Node) -> bool {
    mount.get("name").and_then(Node::as_str).is_some_and(|n| n.starts_with("kube-api-access-"))
        && mount.get("mountPath").and_then(Node::as_str) == Some("/var/run/secrets/kubernetes.io/serviceaccount")
}

fn field<'a>(metadata: Option<&'a Node>, name: &str) -> Option<&'a Map> {
    metadata?.get(name)?.as_map()
}

/// Labels: the template's are all on the pod (controllers add their own).
/// Annotations: the template's are all on the pod, and the pod has no
/// security annotation of its own.
fn same_metadata(pod: Option<&Node>, template: Option<&Node>) -> bool {
    let contains = |outer: Option<&Map>, inner: Option<&Map>| {
        inner
            .into_iter()
            .flat_map(Map::iter)
            .all(|(k, v)| outer.and_then(|o| o.get(k)).is_some_and(|o| o.same_value(v)))
    };
    let template_notes = field(template, "annotations");
    let own_security_note = field(pod, "annotations").into_iter().flat_map(Map::iter).any(|(k, _)| {
        SECURITY_ANNOTATIONS.iter().any(|p| k.starts_with(p)) && template_notes.and_then(|t| t.get(k)).is_none()
    });
    contains(field(pod, "labels"), field(template, "labels"))
        && contains(field(pod, "annotations"), template_notes)
        && !own_security_note
}

#[cfg(test)]
mod tests {
    use crate::{Inventory, Node, Object, Pos, Source};
    use serde_json::{json, Value};

    fn object(value: Value) -> Object {
        Object::from_node(Node::from_json(&value, Pos::default()), Source::default(), String::new()).expect("an object")
    }

    fn template() -> Value {
        json!({
            "metadata": {"labels": {"app": "web"}, "annotations": {"prometheus.io/scrape": "true"}},
            "spec": {
                "containers": [{"name": "app", "image": "web:1", "volumeMounts": [{"name": "data", "mountPath": "/d"}]}],
                "volumes": [{"name": "data", "emptyDir": {}}]
            }
        })
    }

    fn deployment() -> Value {
        json!({"apiVersion": "apps/v1", "kind": "Deployment",
               "metadata": {"name": "web", "namespace": "shop", "uid": "d-1"},
               "spec": {"template": template()}})
    }

    fn owned(kind: &str, name: &str, owner_kind: &str, owner: &str) -> Value {
        let mut t = template();
        t["metadata"]["labels"]["pod-template-hash"] = json!("abc");
        json!({"apiVersion": "apps/v1", "kind": kind,
               "metadata": {"name": name, "namespace": "shop", "uid": format!("{name}-uid"),
                            "ownerReferences": [{"kind": owner_kind, "name": owner, "controller": true}]},
               "spec": {"template": t}})
    }

    /// A Pod as the API server stores it: the template plus what it adds.
    fn pod(owner: &str) -> Value {
        let t = template();
        let mut spec = t["spec"].clone();
        spec["nodeName"] = json!("node-1");
        spec["priority"] = json!(0);
        spec["enableServiceLinks"] = json!(true);
        spec["serviceAccountName"] = json!("default");
        spec["tolerations"] = json!([
            {"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300},
            {"key": "node.kubernetes.io/unreachable", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300}
        ]);
        spec["volumes"]
            .as_array_mut()
            .unwrap()
            .push(json!({"name": "kube-api-access-x1", "projected": {"sources": []}}));
        spec["containers"][0]["volumeMounts"].as_array_mut().unwrap().push(
            json!({"name": "kube-api-access-x1", "mountPath": "/var/run/secrets/kubernetes.io/serviceaccount", "readOnly": true}),
        );
        let mut metadata = t["metadata"].clone();
        metadata["name"] = json!(format!("{owner}-p"));
        metadata["namespace"] = json!("shop");
        metadata["labels"]["pod-template-hash"] = json!("abc");
        metadata["annotations"]["cni.projectcalico.org/podIP"] = json!("10.0.0.1/32");
        metadata["ownerReferences"] =
            json!([{"kind": "ReplicaSet", "name": owner, "uid": format!("{owner}-uid"), "controller": true}]);
        json!({"apiVersion": "v1", "kind": "Pod", "metadata": metadata, "spec": spec})
    }

    fn owners(values: Vec<Value>) -> Vec<Option<String>> {
        let inventory = Inventory::new(values.into_iter().map(object).collect());
        inventory.objects().iter().map(|o| o.template_owner.clone()).collect()
    }

    const TOP: Option<&str> = Some("Deployment shop/web");

    #[test]
    fn replicasets_and_pods_of_the_same_template_are_checked_at_the_top_controller() {
        let got = owners(vec![deployment(), owned("ReplicaSet", "web-abc", "Deployment", "web"), pod("web-abc")]);
        assert_eq!(got.iter().map(Option::as_deref).collect::<Vec<_>>(), [None, TOP, TOP]);
    }

    #[test]
    fn a_pod_changed_after_creation_is_checked_on_its_own() {
        let rs = || owned("ReplicaSet", "web-abc", "Deployment", "web");
        type Change = Box<dyn Fn(&mut Value)>;
        let changes: Vec<(&str, Change)> = vec![
            (
                "injected sidecar",
                Box::new(|p| {
                    p["spec"]["containers"]
                        .as_array_mut()
                        .unwrap()
                        .push(json!({"name": "istio-proxy", "image": "proxy"}))
                }),
            ),
            (
                "debug container",
                Box::new(|p| p["spec"]["ephemeralContainers"] = json!([{"name": "debug", "image": "busybox"}])),
            ),
            (
                "limits from a LimitRange",
                Box::new(|p| p["spec"]["containers"][0]["resources"] = json!({"limits": {"cpu": "1"}})),
            ),
            (
                "seccomp annotation",
                Box::new(|p| {
                    p["metadata"]["annotations"]["seccomp.security.alpha.kubernetes.io/pod"] = json!("unconfined")
                }),
            ),
            ("template annotation lost", Box::new(|p| p["metadata"]["annotations"] = json!({}))),
            ("template label changed", Box::new(|p| p["metadata"]["labels"]["app"] = json!("other"))),
            (
                "other volume",
                Box::new(|p| p["spec"]["volumes"][0] = json!({"name": "data", "hostPath": {"path": "/"}})),
            ),
            ("other service account", Box::new(|p| p["spec"]["serviceAccountName"] = json!("admin"))),
            (
                "extra toleration",
                Box::new(|p| p["spec"]["tolerations"].as_array_mut().unwrap().push(json!({"operator": "Exists"}))),
            ),
            ("owner uid differs", Box::new(|p| p["metadata"]["ownerReferences"][0]["uid"] = json!("stale"))),
            ("owner not in the scan", Box::new(|p| p["metadata"]["ownerReferences"][0]["name"] = json!("gone"))),
            ("not the controller", Box::new(|p| p["metadata"]["ownerReferences"][0]["controller"] = json!(false))),
        ];
        for (what, change) in changes {
            let mut p = pod("web-abc");
            change(&mut p);
            let got = owners(vec![deployment(), rs(), p]);
            assert_eq!(got[1].as_deref(), TOP, "{what}: the ReplicaSet is unchanged");
            assert_eq!(got[2], None, "{what}");
        }
    }

    #[test]
    fn an_old_replicaset_with_another_template_stands_for_its_own_pods() {
        let mut old = owned("ReplicaSet", "web-abc", "Deployment", "web");
        old["spec"]["template"]["spec"]["containers"][0]["image"] = json!("web:0");
        let mut p = pod("web-abc");
        p["spec"]["containers"][0]["image"] = json!("web:0");
        let got = owners(vec![deployment(), old, p]);
        assert_eq!(got, [None, None, Some("ReplicaSet shop/web-abc".to_owned())]);
    }

    #[test]
    fn key_order_and_positions_do_not_count_and_cronjob_chains_resolve() {
        let cron = json!({"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "nightly", "namespace": "shop"},
                          "spec": {"jobTemplate": {"spec": {"template": template()}}}});
        let job = owned("Job", "nightly-1", "CronJob", "nightly");
        let mut p = pod("nightly-1");
        p["metadata"]["ownerReferences"][0]["kind"] = json!("Job");
        let got = owners(vec![cron, job, p]);
        let top = Some("CronJob shop/nightly".to_owned());
        assert_eq!(got, [None, top.clone(), top]);
        // Key order and positions do not make values different.
        let ab = Node::from_json(&json!({"a": 1, "b": [true, "x"]}), Pos::new(3, 1));
        let mut ba = crate::Map::new();
        for key in ["b", "a"] {
            ba.insert(key.to_owned(), Pos::new(9, 9), ab.get(key).unwrap().clone());
        }
        assert!(ab.same_value(&Node { value: crate::Value::Map(ba.clone()), pos: Pos::default() }));
        ba.insert("a".to_owned(), Pos::default(), Node::from_json(&json!(2), Pos::default()));
        assert!(!ab.same_value(&Node { value: crate::Value::Map(ba), pos: Pos::default() }));
    }

    #[test]
    fn an_ownership_cycle_ends() {
        let mut a = owned("ReplicaSet", "a", "ReplicaSet", "b");
        let mut b = owned("ReplicaSet", "b", "ReplicaSet", "a");
        for x in [&mut a, &mut b] {
            x["spec"]["template"]["metadata"]["labels"] = json!({"app": "web"});
        }
        assert_eq!(owners(vec![a, b]), [None, None]);
    }
}
