//! Secure defaults for fields the user left unset.
//!
//! One source of truth for `/mutate` (as a JSON Patch) and `kubefort fix`
//! (as edits to YAML on disk): both call [`secure_defaults`].
//!
//! What counts as "set" (and is therefore never touched):
//! - a key that is present with any non-null value, even of the wrong type
//!   (`allowPrivilegeEscalation: "false"` stays; the scan reports it);
//! - `capabilities.drop` that exists but lacks `ALL`: adding to the user's
//!   list would change a value they wrote, so it is left alone and the scan
//!   (and `/validate`) keeps reporting it;
//! - a seccomp profile at the pod level covers every container; at the
//!   container level the user's profile wins, so only the pod gets one, and
//!   not when the pod carries the legacy `seccomp.security.alpha.kubernetes.io/pod`
//!   annotation (the API server rejects a field that disagrees with it).
//!
//! A key present with `null` is unset (the API server decodes it so) and gets
//! the default. A `securityContext` or `capabilities` that is not a map is
//! malformed: nothing is added under it, the scan reports it.
//!
//! Deliberate exceptions:
//! - `allowPrivilegeEscalation: false` is not added to a container that is
//!   `privileged` or adds `SYS_ADMIN`: the API server rejects that pair.
//! - Windows pods (`spec.os.name: windows`) get no Linux-only field (seccomp,
//!   capabilities, allowPrivilegeEscalation, runAsUser): the API server
//!   rejects them there.
//! - `runAsNonRoot`/`runAsUser` are not added at the pod level when the user
//!   asked for root somewhere (`runAsUser: 0` or `runAsNonRoot: false` on the
//!   pod or any container): the pod-level default would stop that container
//!   from starting, which overrides the user's choice as surely as a rewrite.

use kubefort_model::{pointer_join, Node, Object, PodSpecRef, Pos, Source, Value};
use serde::{Deserialize, Serialize};
use serde_json::{json, Map as JsonMap, Value as Json};

/// One RFC 6902 operation. Only `add` is produced: a default never replaces
/// a value the user wrote. Operations apply in order; when a parent object is
/// missing the operation adds the whole parent (`/spec/securityContext` with
/// `{"runAsNonRoot": true}`), so every path's parent exists when it applies.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PatchOp {
    pub op: &'static str,
    pub path: String,
    pub value: serde_json::Value,
}

/// What to default beyond the always-on set (allowPrivilegeEscalation false,
/// seccomp RuntimeDefault, capabilities drop ALL).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DefaultsConfig {
    /// Set `automountServiceAccountToken: false` on pod specs that leave it unset.
    #[serde(default)]
    pub disable_token_automount: bool,
    /// Set `runAsNonRoot: true` and this `runAsUser` where unset. `0` is
    /// ignored: it would contradict `runAsNonRoot`.
    #[serde(default)]
    pub run_as_user: Option<i64>,
}

const SECCOMP_POD_ANNOTATION: &str = "seccomp.security.alpha.kubernetes.io/pod";

/// The operations that bring `object` (any kind; only workloads get any) up
/// to the secure defaults. Empty when nothing is missing: applying the result
/// and calling again yields nothing (idempotent).
pub fn secure_defaults(object: &serde_json::Value, config: &DefaultsConfig) -> Vec<PatchOp> {
    // The workload view of the model knows every kind's pod-spec path; it
    // reads `Node`s, so the object is converted (positions are not needed).
    let Some(object) = Object::from_node(Node::from_json(object, Pos::default()), Source::default(), String::new())
    else {
        return Vec::new();
    };
    let Some(pod) = PodSpecRef::of(&object) else { return Vec::new() };
    let linux = !pod.is_windows();
    let mut ops = Vec::new();

    let mut pod_context = JsonMap::new();
    if linux && pod.annotation(SECCOMP_POD_ANNOTATION).is_none() {
        pod_context.insert("seccompProfile".into(), json!({"type": "RuntimeDefault"}));
    }
    if let Some(uid) = config.run_as_user.filter(|&uid| uid != 0) {
        if !asks_for_root(&pod) {
            pod_context.insert("runAsNonRoot".into(), Json::Bool(true));
            if linux {
                pod_context.insert("runAsUser".into(), Json::from(uid));
            }
        }
    }
    let mut pod_wanted = JsonMap::new();
    if !pod_context.is_empty() {
        pod_wanted.insert("securityContext".into(), Json::Object(pod_context));
    }
    if config.disable_token_automount {
        pod_wanted.insert("automountServiceAccountToken".into(), Json::Bool(false));
    }
    add_missing(pod.spec, pod.pointer, &pod_wanted, &mut ops);

    if linux {
        for container in pod.containers() {
            let mut context = JsonMap::new();
            if !may_escalate_anyway(container.security_context()) {
                context.insert("allowPrivilegeEscalation".into(), Json::Bool(false));
            }
            context.insert("capabilities".into(), json!({"drop": ["ALL"]}));
            let wanted = JsonMap::from_iter([("securityContext".to_owned(), Json::Object(context))]);
            add_missing(container.node, &container.pointer(), &wanted, &mut ops);
        }
    }
    ops
}

/// Adds each `wanted` key (in key order: serde_json's map is sorted) that `node` (a map) lacks or holds as `null`; for a
/// wanted map whose key holds a map, recurses into it. A key holding any
/// other value is the user's and stays.
fn add_missing(node: &Node, pointer: &str, wanted: &JsonMap<String, Json>, ops: &mut Vec<PatchOp>) {
    let Some(map) = node.as_map() else { return };
    for (key, value) in wanted {
        let path = pointer_join(pointer, key);
        match map.get(key) {
            None | Some(Node { value: Value::Null, .. }) => ops.push(PatchOp { op: "add", path, value: value.clone() }),
            Some(existing) => {
                if let (Json::Object(inner), Some(_)) = (value, existing.as_map()) {
                    add_missing(existing, &path, inner, ops);
                }
            }
        }
    }
}

/// Whether the container is privileged or adds SYS_ADMIN: then the API server
/// rejects `allowPrivilegeEscalation: false`, and the default is skipped.
fn may_escalate_anyway(context: Option<&Node>) -> bool {
    let Some(context) = context else { return false };
    let privileged = context.get("privileged").is_some_and(|p| p.as_bool() != Some(false) && !p.is_null());
    let sys_admin = context.path(&["capabilities", "add"]).is_some_and(|add| {
        add.as_seq().iter().filter_map(Node::as_str).any(|c| {
            let c = c.trim().to_ascii_uppercase();
            c.strip_prefix("CAP_").unwrap_or(&c) == "SYS_ADMIN"
        })
    });
    privileged || sys_admin
}

/// Whether the pod or any container explicitly runs as root (`runAsUser: 0`)
/// or opts out of `runAsNonRoot`.
fn asks_for_root(pod: &PodSpecRef<'_>) -> bool {
    let root_in = |context: Option<&Node>| {
        context.is_some_and(|c| {
            c.get("runAsUser").and_then(Node::as_i64) == Some(0)
                || c.get("runAsNonRoot").and_then(Node::as_bool) == Some(false)
        })
    };
    root_in(pod.security_context()) || pod.containers().any(|c| root_in(c.security_context()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6902 `add` (the only op produced): the parent must exist, an
    /// object member is set (replacing a `null`), an array index inserts.
    fn apply(object: &mut Json, ops: &[PatchOp]) {
        for op in ops {
            assert_eq!(op.op, "add");
            let (parent, last) = op.path.rsplit_once('/').expect("absolute pointer");
            let last = kubefort_model::unescape_token(last).into_owned();
            let target = object.pointer_mut(parent).unwrap_or_else(|| panic!("parent of {} exists", op.path));
            match target {
                Json::Object(m) => {
                    m.insert(last, op.value.clone());
                }
                Json::Array(a) => {
                    let i = if last == "-" { a.len() } else { last.parse().expect("index") };
                    a.insert(i, op.value.clone());
                }
                other => panic!("{} adds under a scalar {other}", op.path),
            }
        }
    }

    fn wrap(kind: &str, pod_spec: Json) -> Json {
        let pod_meta = json!({"labels": {"app": "x"}});
        let mut object = match kind {
            "Pod" => json!({"metadata": {"name": "x", "namespace": "ns"}, "spec": pod_spec}),
            "CronJob" => {
                json!({"spec": {"schedule": "* * * * *", "jobTemplate": {"spec": {"template": {"metadata": pod_meta, "spec": pod_spec}}}}})
            }
            "PodTemplate" => json!({"template": {"metadata": pod_meta, "spec": pod_spec}}),
            _ => json!({"spec": {"template": {"metadata": pod_meta, "spec": pod_spec}}}),
        };
        object["apiVersion"] = Json::from(match kind {
            "Pod" | "PodTemplate" | "ReplicationController" => "v1",
            "Job" | "CronJob" => "batch/v1",
            _ => "apps/v1",
        });
        object["kind"] = Json::from(kind);
        if object.get("metadata").is_none() {
            object["metadata"] = json!({"name": "x", "namespace": "ns"});
        }
        object
    }

    const KINDS: [&str; 9] = [
        "Pod",
        "Deployment",
        "StatefulSet",
        "DaemonSet",
        "ReplicaSet",
        "ReplicationController",
        "Job",
        "CronJob",
        "PodTemplate",
    ];

    /// The rules whose fields the defaults set, and the PSS checks for them.
    const DEFAULTED_RULES: [&str; 4] = ["KF-POD-002", "KF-POD-003", "KF-POD-004", "KF-POD-007"];
    const DEFAULTED_PSS: [&str; 5] = [
        "allowPrivilegeEscalation",
        "capabilities_restricted",
        "runAsNonRoot",
        "runAsUser",
        "seccompProfile_restricted",
    ];

    /// Rule ids (scan) and PSS restricted check ids that fire on `object`.
    fn scan(object: &Json) -> (Vec<String>, Vec<String>) {
        let text = serde_json::to_string(object).unwrap();
        let loaded = kubefort_load::load_texts(vec![("t.json".into(), text)], kubefort_load::Limits::default());
        assert!(loaded.diagnostics.iter().all(|d| d.level != kubefort_load::Level::Error), "{:?}", loaded.diagnostics);
        let pss: Vec<String> = loaded
            .objects
            .iter()
            .filter_map(|o| kubefort_pss::evaluate(o, kubefort_pss::Level::Restricted, kubefort_pss::Version::Latest))
            .flat_map(|e| e.forbidden.into_iter().map(|v| v.check.to_owned()))
            .collect();
        let inventory = kubefort_model::Inventory::new(loaded.objects);
        let outcome =
            kubefort_rules::run(&inventory, &kubefort_rules::all_rules(), &kubefort_model::Settings::default());
        (outcome.findings.into_iter().map(|f| f.rule.to_owned()).collect(), pss)
    }

    fn bare_pod_spec() -> Json {
        json!({
            "initContainers": [{"name": "init", "image": "busybox"}],
            "containers": [{"name": "app", "image": "nginx", "securityContext": {}},
                           {"name": "side", "image": "envoy", "securityContext": {"capabilities": {"add": ["NET_BIND_SERVICE"]}}}],
            "ephemeralContainers": [{"name": "debug", "image": "busybox", "securityContext": null}]
        })
    }

    fn full_config() -> DefaultsConfig {
        DefaultsConfig { disable_token_automount: true, run_as_user: Some(10001) }
    }

    #[test]
    fn every_kind_passes_the_defaulted_rules_after_the_patch_and_a_second_call_adds_nothing() {
        for kind in KINDS {
            let mut object = wrap(kind, bare_pod_spec());
            let (before, before_pss) = scan(&object);
            for id in DEFAULTED_RULES {
                assert!(before.iter().any(|r| r == id), "{kind}: {id} fires before the patch: {before:?}");
            }
            // (pss:runAsUser forbids only an explicit 0, so it cannot fire here.)
            for id in DEFAULTED_PSS.iter().filter(|&&id| id != "runAsUser") {
                assert!(before_pss.iter().any(|r| r == id), "{kind}: pss {id} fires before: {before_pss:?}");
            }
            let ops = secure_defaults(&object, &full_config());
            apply(&mut object, &ops);
            let (after, after_pss) = scan(&object);
            for id in DEFAULTED_RULES.iter().chain(&["KF-POD-019"]) {
                assert!(!after.iter().any(|r| r == id), "{kind}: {id} still fires after {ops:#?}");
            }
            for id in DEFAULTED_PSS {
                assert!(!after_pss.iter().any(|r| r == id), "{kind}: pss {id} still fires after {ops:#?}");
            }
            assert_eq!(secure_defaults(&object, &full_config()), vec![], "{kind}: not idempotent");
        }
    }

    #[test]
    fn missing_parents_are_added_whole_and_present_ones_get_single_fields() {
        let object = wrap("Pod", bare_pod_spec());
        let ops = secure_defaults(&object, &DefaultsConfig::default());
        let got: Vec<(&str, &Json)> = ops.iter().map(|o| (o.path.as_str(), &o.value)).collect();
        let sc_whole = json!({"allowPrivilegeEscalation": false, "capabilities": {"drop": ["ALL"]}});
        assert_eq!(
            got,
            vec![
                ("/spec/securityContext", &json!({"seccompProfile": {"type": "RuntimeDefault"}})),
                ("/spec/containers/0/securityContext/allowPrivilegeEscalation", &json!(false)),
                ("/spec/containers/0/securityContext/capabilities", &json!({"drop": ["ALL"]})),
                ("/spec/containers/1/securityContext/allowPrivilegeEscalation", &json!(false)),
                ("/spec/containers/1/securityContext/capabilities/drop", &json!(["ALL"])),
                ("/spec/initContainers/0/securityContext", &sc_whole),
                ("/spec/ephemeralContainers/0/securityContext", &sc_whole),
            ]
        );
    }

    #[test]
    fn values_the_user_set_are_never_overridden() {
        let spec = json!({
            "automountServiceAccountToken": true,
            "securityContext": {"seccompProfile": {"type": "Unconfined"}, "runAsUser": 0},
            "containers": [
                {"name": "esc", "securityContext": {"allowPrivilegeEscalation": true, "capabilities": {"drop": ["NET_RAW"]}}},
                {"name": "priv", "securityContext": {"privileged": true}},
                {"name": "admin", "securityContext": {"capabilities": {"add": ["cap_sys_admin"], "drop": []}}},
                {"name": "odd", "securityContext": "not a map"},
                {"name": "caps", "securityContext": {"allowPrivilegeEscalation": "false", "capabilities": ["ALL"]}}
            ]
        });
        let object = wrap("Deployment", spec);
        let ops = secure_defaults(&object, &full_config());
        let paths: Vec<&str> = ops.iter().map(|o| o.path.as_str()).collect();
        // Only `priv` gets capabilities; nothing is escalation-defaulted next to
        // privileged / SYS_ADMIN; the pod's root user blocks runAsNonRoot.
        assert_eq!(paths, vec!["/spec/template/spec/containers/1/securityContext/capabilities"]);
        let mut patched = object.clone();
        apply(&mut patched, &ops);
        for pointer in [
            "/spec/template/spec/automountServiceAccountToken",
            "/spec/template/spec/securityContext",
            "/spec/template/spec/containers/0/securityContext",
            "/spec/template/spec/containers/2/securityContext",
            "/spec/template/spec/containers/3/securityContext",
            "/spec/template/spec/containers/4/securityContext",
        ] {
            assert_eq!(patched.pointer(pointer), object.pointer(pointer), "{pointer} changed");
        }
    }

    #[test]
    fn a_container_asking_for_root_blocks_the_pod_level_non_root_default_only() {
        let spec = json!({"containers": [{"name": "a"}, {"name": "b", "securityContext": {"runAsNonRoot": false}}]});
        let ops = secure_defaults(&wrap("Pod", spec), &full_config());
        assert_eq!(ops[0].path, "/spec/automountServiceAccountToken");
        assert_eq!(ops[1].path, "/spec/securityContext");
        assert_eq!(ops[1].value, json!({"seccompProfile": {"type": "RuntimeDefault"}}));
    }

    #[test]
    fn pod_level_seccomp_and_the_legacy_annotation_count_as_set() {
        let spec = json!({"securityContext": {"seccompProfile": {"type": "Localhost", "localhostProfile": "p.json"}},
                          "containers": [{"name": "a", "securityContext": {"allowPrivilegeEscalation": false, "capabilities": {"drop": ["ALL"]}}}]});
        assert_eq!(secure_defaults(&wrap("Pod", spec.clone()), &DefaultsConfig::default()), vec![]);
        let mut annotated = wrap("Deployment", json!({"containers": [{"name": "a"}]}));
        annotated["spec"]["template"]["metadata"]["annotations"] = json!({SECCOMP_POD_ANNOTATION: "runtime/default"});
        let ops = secure_defaults(&annotated, &DefaultsConfig::default());
        assert!(ops.iter().all(|o| !o.path.ends_with("/spec/securityContext")), "{ops:#?}");
    }

    #[test]
    fn windows_pods_get_no_linux_only_fields_and_other_kinds_get_nothing() {
        let spec = json!({"os": {"name": "windows"}, "containers": [{"name": "a"}]});
        let ops = secure_defaults(&wrap("Pod", spec), &full_config());
        let got: Vec<(&str, &Json)> = ops.iter().map(|o| (o.path.as_str(), &o.value)).collect();
        assert_eq!(
            got,
            vec![
                ("/spec/automountServiceAccountToken", &json!(false)),
                ("/spec/securityContext", &json!({"runAsNonRoot": true})),
            ]
        );
        let cm = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": {"spec": "x"}});
        assert_eq!(secure_defaults(&cm, &full_config()), vec![]);
        assert_eq!(secure_defaults(&json!("not an object"), &full_config()), vec![]);
    }

    #[test]
    fn a_root_run_as_user_in_the_config_is_ignored() {
        let config = DefaultsConfig { disable_token_automount: false, run_as_user: Some(0) };
        let ops = secure_defaults(&wrap("Pod", json!({"containers": [{"name": "a"}]})), &config);
        assert!(!ops.iter().any(|o| o.value.get("runAsUser").is_some() || o.value.get("runAsNonRoot").is_some()));
    }
}
