//! KF-SEC-*: credentials written into manifests, and how Secrets are
//! stored, handed to workloads and rotated.
//!
//! Detection rules are split **by place**, because where a credential
//! sits decides who can read it and how to move it out:
//!
//! | rule | place |
//! |---|---|
//! | KF-SEC-001 | container `env[].value` |
//! | KF-SEC-002 | container `command` / `args` |
//! | KF-SEC-003 | ConfigMap `data` / `binaryData` (decoded) |
//! | KF-SEC-004 | annotations, inside `last-applied-configuration` too |
//! | KF-SEC-005 | every other string of any object (CRDs included), and text files (`kubefort secrets`) |
//! | KF-SEC-006 | a `Secret` manifest with `data`/`stringData` (what it holds, decoded, is its evidence) |
//!
//! Each finding is critical for a recognised credential format and high
//! for a random-looking value under a secret-like key. Its `evidence` is
//! the detector, a masked preview (at most 4 characters) and a SHA-256
//! fingerprint: never the value. Objects managed by a secret manager
//! (SealedSecret, ExternalSecret, SecretProviderClass, SOPS-encrypted
//! files, Vault agent annotations) are not scanned as plain text.

use kubefort_model::{escape_token, Finding, Inventory, Node, Object, PodSpecRef, Prepare, Severity, Value};
use kubefort_secrets::{scanner, Match};
use std::collections::HashMap;
use std::sync::Arc;

mod credential_in_annotation;
mod credential_in_command;
mod credential_in_configmap;
mod credential_in_env;
mod hardcoded_credential;
mod legacy_token_secret;
mod rotation_overdue;
mod secret_as_env;
mod secret_file_mode;
mod secret_manifest;

pub use credential_in_annotation::CredentialInAnnotation;
pub use credential_in_command::CredentialInCommand;
pub use credential_in_configmap::CredentialInConfigMap;
pub use credential_in_env::CredentialInEnv;
pub use hardcoded_credential::HardcodedCredential;
pub use legacy_token_secret::LegacyTokenSecret;
pub use rotation_overdue::RotationOverdue;
pub use secret_as_env::SecretAsEnv;
pub use secret_file_mode::SecretFileMode;
pub use secret_manifest::SecretManifest;

pub const RULES: &[&dyn kubefort_model::Rule] = &[
    &CredentialInEnv,
    &CredentialInCommand,
    &CredentialInConfigMap,
    &CredentialInAnnotation,
    &HardcodedCredential,
    &SecretManifest,
    &SecretAsEnv,
    &SecretFileMode,
    &LegacyTokenSecret,
    &RotationOverdue,
];

/// Where in an object a credential was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    Env,
    Command,
    ConfigMap,
    Annotation,
    SecretData,
    Other,
}

/// One credential found in an object.
#[derive(Debug, Clone)]
pub struct Hit {
    pub place: Place,
    /// The field holding it.
    pub pointer: String,
    /// Where inside the field's decoded content, when it is not the field
    /// itself (`/data/password` inside `last-applied-configuration`).
    pub inner: Option<String>,
    pub found: Match,
}

impl Hit {
    /// `aws-access-key-id AKIA**** sha256:…` plus where inside the field.
    pub fn evidence(&self) -> String {
        match &self.inner {
            Some(inner) => format!("{} (at {inner})", self.found.evidence()),
            None => self.found.evidence(),
        }
    }
    /// `AWS access key id (AKIA****)`
    pub fn describe(&self) -> String {
        format!("{} ({})", self.found.detector.title, self.found.preview)
    }
    /// Critical for a known credential format, high for a generic one.
    pub fn severity(&self) -> Severity {
        if self.found.detector.known_format {
            Severity::Critical
        } else {
            Severity::High
        }
    }
    /// Fills a finding's evidence and severity from this hit.
    pub fn apply(&self, finding: &mut Finding) {
        finding.evidence = Some(self.evidence());
        finding.severity = self.severity();
    }
}

/// Kinds that hold references to, or encrypted forms of, secrets kept by
/// a secret manager: never plain text.
const MANAGED_KINDS: &[&str] = &[
    "SealedSecret",
    "ExternalSecret",
    "ClusterExternalSecret",
    "SecretStore",
    "ClusterSecretStore",
    "PushSecret",
    "SecretProviderClass",
    "VaultStaticSecret",
    "VaultDynamicSecret",
    "VaultPKISecret",
    "OnePasswordItem",
];

/// Annotation prefixes whose values are instructions to a secret manager.
const MANAGED_ANNOTATIONS: &[&str] =
    &["vault.hashicorp.com/", "kubefort.io/", "checksum/", "sealedsecrets.bitnami.com/"];

pub const LAST_APPLIED: &str = "kubectl.kubernetes.io/last-applied-configuration";

/// The object is managed by a secret manager: a managed kind, a
/// SOPS-encrypted file (`sops:` at the top level), or a Secret generated
/// by one (owner reference to a managed kind).
pub fn is_managed(object: &Object) -> bool {
    MANAGED_KINDS.contains(&object.kind.as_str())
        || object.root.get("sops").is_some_and(|s| s.as_map().is_some())
        || object
            .metadata()
            .and_then(|m| m.get("ownerReferences"))
            .map(Node::as_seq)
            .unwrap_or(&[])
            .iter()
            .any(|o| o.get("kind").and_then(Node::as_str).is_some_and(|k| MANAGED_KINDS.contains(&k)))
}

/// The schemas of a CustomResourceDefinition, with their pointers: not
/// walked for credentials. They describe fields rather than configure
/// anything, and their prose (`description: the Secret holding the
/// password…`) is most of a CRD's text, full of anchors that never lead
/// to a credential.
fn crd_schemas(object: &Object) -> Vec<(String, &Node)> {
    if object.kind != "CustomResourceDefinition" || object.group() != "apiextensions.k8s.io" {
        return Vec::new();
    }
    let Some(spec) = object.root.get("spec") else { return Vec::new() };
    let versions = spec.get("versions").map(Node::as_seq).unwrap_or(&[]);
    let per_version =
        versions.iter().enumerate().filter_map(|(i, v)| Some((format!("/spec/versions/{i}/schema"), v.get("schema")?)));
    // `apiextensions.k8s.io/v1beta1` had one schema for all versions.
    per_version.chain(spec.get("validation").map(|s| ("/spec/validation".to_owned(), s))).collect()
}

pub fn is_core_secret(object: &Object) -> bool {
    object.kind == "Secret" && object.api_version == "v1"
}

/// Decodes a base64 `data` value (whitespace ignored).
pub fn decode_base64(value: &str) -> Option<Vec<u8>> {
    kubefort_secrets::decode_base64(value.as_bytes())
}

/// One step from a node to a child: a map key or a sequence index.
#[derive(Debug, Clone, Copy)]
enum Step<'a> {
    Key(&'a str),
    Index(usize),
}

/// The JSON pointer of a path, built only for a hit: most strings hold
/// none, and escaping every key on the way cost more than the scan.
fn pointer_of(base: &str, path: &[Step<'_>]) -> String {
    use std::fmt::Write as _;
    let mut pointer = String::from(base);
    for step in path {
        let _ = match step {
            Step::Key(k) => write!(pointer, "/{}", escape_token(k)),
            Step::Index(i) => write!(pointer, "/{i}"),
        };
    }
    pointer
}

/// Turns matches into hits; `pointer` and `inner` are only called when
/// there is one.
fn push_hits(
    out: &mut Vec<Hit>,
    place: Place,
    pointer: impl FnOnce() -> String,
    inner: impl FnOnce() -> Option<String>,
    found: Vec<Match>,
) {
    if found.is_empty() {
        return;
    }
    let (pointer, inner) = (pointer(), inner());
    out.extend(found.into_iter().map(|found| Hit { place, pointer: pointer.clone(), inner: inner.clone(), found }));
}

fn scan_into(out: &mut Vec<Hit>, place: Place, pointer: impl FnOnce() -> String, key: Option<&str>, text: &str) {
    push_hits(out, place, pointer, || None, scanner().scan_value(key, text));
}

/// A decoded value: scanned as text when it is UTF-8, as bytes otherwise.
fn scan_bytes(key: &str, bytes: &[u8]) -> Vec<Match> {
    match std::str::from_utf8(bytes) {
        Ok(text) => scanner().scan_value(Some(key), text),
        Err(_) => scanner().scan(bytes),
    }
}

fn scan_bytes_into(out: &mut Vec<Hit>, place: Place, pointer: impl FnOnce() -> String, key: &str, bytes: &[u8]) {
    push_hits(out, place, pointer, || None, scan_bytes(key, bytes));
}

/// `base` and an escaped key, for the fields of a handled map.
fn keyed<'k>(base: &'k str, key: &'k str) -> impl FnOnce() -> String + 'k {
    move || format!("{base}/{}", escape_token(key))
}

/// Every credential in an object, by place. Scanning is cheap (a
/// prefilter pass per string), so each KF-SEC rule calls this and keeps
/// its own place.
pub fn hits(object: &Object) -> Vec<Hit> {
    let mut out = Vec::new();
    let root = &object.root;
    let metadata = root.get("metadata");
    // The nodes scanned by place, skipped by the walk of the rest.
    let mut handled: Vec<&Node> = ["annotations", "managedFields"].iter().filter_map(|f| metadata?.get(f)).collect();
    handled.extend(crd_schemas(object).into_iter().map(|(_, schema)| schema));
    if let Some(annotations) = object.annotations() {
        for (key, value) in annotations.iter() {
            let Some(text) = value.as_str() else { continue };
            if MANAGED_ANNOTATIONS.iter().any(|p| key.starts_with(p)) {
                continue;
            }
            let pointer = || format!("/metadata/annotations/{}", escape_token(key));
            if key == LAST_APPLIED {
                if let Ok(json) = serde_json::from_str::<serde_json::Value>(text) {
                    let kind = json.get("kind").and_then(|k| k.as_str()).unwrap_or("");
                    walk_applied(&mut out, &pointer(), kind, &json, &mut Vec::new(), None);
                    continue;
                }
            }
            scan_into(&mut out, Place::Annotation, pointer, Some(key), text);
        }
    }
    if is_managed(object) {
        return out;
    }
    let fields = |name: &str| root.get(name).and_then(Node::as_map).into_iter().flat_map(|m| m.iter());
    let mut handle = |name: &str| handled.extend(root.get(name));
    if is_core_secret(object) {
        handle("data");
        handle("stringData");
        for (key, value) in fields("data") {
            if let Some(bytes) = value.as_str().and_then(decode_base64) {
                scan_bytes_into(&mut out, Place::SecretData, keyed("/data", key), key, &bytes);
            }
        }
        for (key, value) in fields("stringData") {
            if let Some(text) = value.as_str() {
                scan_into(&mut out, Place::SecretData, keyed("/stringData", key), Some(key), text);
            }
        }
    } else if object.kind == "ConfigMap" && object.api_version == "v1" {
        handle("data");
        handle("binaryData");
        for (key, value) in fields("data") {
            if let Some(text) = value.as_str() {
                scan_into(&mut out, Place::ConfigMap, keyed("/data", key), Some(key), text);
            }
        }
        for (key, value) in fields("binaryData") {
            if let Some(bytes) = value.as_str().and_then(decode_base64) {
                scan_bytes_into(&mut out, Place::ConfigMap, keyed("/binaryData", key), key, &bytes);
            }
        }
    }
    if let Some(covered) = PodSpecRef::of(object).filter(|_| object.template_owner.is_some()) {
        // Its controller's template, scanned there (see `PodSpecRef::to_check`);
        // a Pod's own metadata is still its own.
        handled.push(covered.spec);
        handled.extend(covered.metadata.filter(|_| covered.metadata_pointer != "/metadata"));
    }
    if let Some(pod) = PodSpecRef::to_check(object) {
        for c in pod.containers() {
            for (i, env) in c.node.get("env").map(Node::as_seq).unwrap_or(&[]).iter().enumerate() {
                let name = env.get("name").and_then(Node::as_str);
                if let Some(value) = env.get("value").and_then(Node::as_str) {
                    scan_into(&mut out, Place::Env, || c.at(&format!("env/{i}/value")), name, value);
                }
            }
            for field in ["command", "args"] {
                let items = c.node.get(field).map(Node::as_seq).unwrap_or(&[]);
                for (i, item) in items.iter().enumerate() {
                    let Some(text) = item.as_str() else { continue };
                    // `--password VALUE`: the flag before names the value.
                    let key = i
                        .checked_sub(1)
                        .and_then(|p| items[p].as_str())
                        .filter(|prev| prev.starts_with('-') && !prev.contains('='));
                    scan_into(&mut out, Place::Command, || c.at(&format!("{field}/{i}")), key, text);
                }
            }
            handled.extend(["command", "args", "env"].iter().filter_map(|f| c.node.get(f)));
        }
    }
    walk_other(&mut out, &handled, root, &mut Vec::new(), None, &mut HashMap::new());
    out
}

/// Texts at least this long that may hold a match are scanned once per
/// object and the result reused: a CRD's schema repeats the same long
/// descriptions many times, and hashing is much cheaper than the scan.
const REUSE_SCAN_FROM: usize = 64;

/// Every string not under a handled node, with the nearest map key.
/// `path` leads from the root to `node`; a pointer is only built for a hit.
fn walk_other<'a>(
    out: &mut Vec<Hit>,
    handled: &[&Node],
    node: &'a Node,
    path: &mut Vec<Step<'a>>,
    key: Option<&str>,
    scanned: &mut HashMap<&'a str, Vec<Match>>,
) {
    if handled.iter().any(|h| std::ptr::eq(*h, node)) {
        return;
    }
    match &node.value {
        Value::String(text) => {
            let found = if text.len() < REUSE_SCAN_FROM {
                scanner().scan_value(key, text)
            } else if !scanner().may_match(text.as_bytes()) {
                // Nothing to reuse: finding that out costs less than hashing.
                scanner().scan_value_from(key, text, Vec::new())
            } else {
                let found = scanned.entry(text.as_str()).or_insert_with(|| scanner().scan(text.as_bytes())).clone();
                scanner().scan_value_from(key, text, found)
            };
            push_hits(out, Place::Other, || pointer_of("", path), || None, found);
        }
        Value::Map(map) => {
            for (k, v) in map.iter() {
                path.push(Step::Key(k));
                walk_other(out, handled, v, path, Some(k), scanned);
                path.pop();
            }
        }
        Value::Seq(items) => {
            for (i, v) in items.iter().enumerate() {
                path.push(Step::Index(i));
                walk_other(out, handled, v, path, key, scanned);
                path.pop();
            }
        }
        _ => {}
    }
}

/// Strings inside a `last-applied-configuration` copy, walked as parsed (the
/// same order as a [`Node`] built from it); a Secret's `data` there is
/// base64, as in the object itself. `path` leads from the copy's root.
fn walk_applied<'a>(
    out: &mut Vec<Hit>,
    pointer: &str,
    kind: &str,
    json: &'a serde_json::Value,
    path: &mut Vec<Step<'a>>,
    key: Option<&str>,
) {
    use serde_json::Value as J;
    match json {
        J::String(text) => {
            let in_data = kind == "Secret" && path.len() > 1 && matches!(path[0], Step::Key("data"));
            let found = match in_data.then(|| decode_base64(text)).flatten() {
                Some(bytes) => scan_bytes(key.unwrap_or(""), &bytes),
                None => scanner().scan_value(key, text),
            };
            push_hits(out, Place::Annotation, || pointer.to_owned(), || Some(pointer_of("", path)), found);
        }
        J::Object(map) => {
            for (k, v) in map {
                path.push(Step::Key(k));
                walk_applied(out, pointer, kind, v, path, Some(k));
                path.pop();
            }
        }
        J::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                path.push(Step::Index(i));
                walk_applied(out, pointer, kind, v, path, key);
                path.pop();
            }
        }
        _ => {}
    }
}

/// Every object's hits, computed on first use and kept for the run: six
/// rules report on different places of the same scan, which must run once.
struct HitsPerObject(Vec<std::sync::OnceLock<Vec<Hit>>>);

/// Calls `f` with the hits of the object being checked, scanning it only the
/// first time any rule asks. An object outside the inventory's storage (a
/// caller's own) is scanned afresh.
pub fn with_hits<R>(cx: &kubefort_model::Context<'_>, f: impl FnOnce(&[Hit]) -> R) -> R {
    let objects = cx.inventory.objects();
    let base = objects.as_ptr() as usize;
    let at = cx.object as *const Object as usize;
    let size = std::mem::size_of::<Object>().max(1);
    let index = at
        .checked_sub(base)
        .map(|offset| offset / size)
        .filter(|&i| i < objects.len() && std::ptr::eq(&objects[i], cx.object));
    match index {
        Some(i) => f(hits_per_object(cx.inventory).0[i].get_or_init(|| hits(cx.object))),
        None => f(&hits(cx.object)),
    }
}

fn hits_per_object(inventory: &Inventory) -> Arc<HitsPerObject> {
    inventory.memo(|inventory| HitsPerObject((0..inventory.len()).map(|_| std::sync::OnceLock::new()).collect()))
}

/// Scans every object before any is checked: work that keeps every core
/// busy while other rules' models are built (see [`Prepare`]).
pub(crate) const PREPARE_HITS: Prepare = Prepare { name: "secrets hits", run: prepare_hits };

fn prepare_hits(inventory: &Inventory) {
    use rayon::prelude::*;
    let memo = hits_per_object(inventory);
    inventory.objects().par_iter().zip(memo.0.par_iter()).for_each(|(object, cell)| {
        cell.get_or_init(|| hits(object));
    });
}

/// Reports the hits of one place with one rule.
pub fn report_hits(
    cx: &kubefort_model::Context<'_>,
    sink: &mut kubefort_model::Sink<'_>,
    meta: &'static kubefort_model::RuleMeta,
    place: Place,
    what: impl Fn(&Hit) -> String,
) {
    with_hits(cx, |hits| {
        for hit in hits.iter().filter(|h| h.place == place) {
            let message = format!("{} holds a hardcoded {}", what(hit), hit.describe());
            let finding = sink.report(meta, hit.pointer.clone(), message);
            hit.apply(finding);
        }
    });
}

#[cfg(test)]
mod memo_tests {
    use super::*;
    use kubefort_load::{load_texts, Limits};
    use kubefort_model::{Context, Inventory, Settings};
    use std::sync::Arc;

    #[test]
    fn a_crd_schema_is_not_walked_but_the_rest_of_the_crd_is() {
        let url = "postgres://admin:Zx9Qw2Lm7Rt4@db:5432/x";
        let object = |api_version: &str, kind: &str| {
            let yaml = format!(
                "apiVersion: {api_version}\nkind: {kind}\nmetadata: {{name: a, labels: {{url: '{url}'}}}}\nspec:\n  versions:\n  - name: v1\n    schema:\n      openAPIV3Schema: {{description: 'connects to {url}'}}\n  validation:\n    openAPIV3Schema: {{description: '{url}'}}\n"
            );
            let loaded = load_texts(vec![(Arc::from("c.yaml"), yaml)], Limits::default());
            loaded.objects.into_iter().next().unwrap()
        };
        let pointers = |object: &Object| {
            let got: Vec<String> = hits(object).into_iter().map(|h| h.pointer).collect();
            let reference: Vec<String> = reference_hits(object).into_iter().map(|h| h.pointer).collect();
            assert_eq!(got, reference);
            got
        };
        let crd = object("apiextensions.k8s.io/v1", "CustomResourceDefinition");
        assert_eq!(pointers(&crd), ["/metadata/labels/url"]);
        // The same fields in any other kind are walked.
        let other = object("example.com/v1", "CustomResourceDefinition");
        assert_eq!(
            pointers(&other),
            [
                "/metadata/labels/url",
                "/spec/versions/0/schema/openAPIV3Schema/description",
                "/spec/validation/openAPIV3Schema/description"
            ]
        );
    }

    #[test]
    fn with_hits_finds_each_objects_own_hits_and_falls_back_outside_the_inventory() {
        let yaml = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata: {url: 'postgres://admin:Zx9Qw2Lm7Rt4@db:5432/x'}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: b}\ndata: {greeting: hello}\n";
        let loaded = load_texts(vec![(Arc::from("t.yaml"), yaml.to_owned())], Limits::default());
        let inventory = Inventory::new(loaded.objects);
        let settings = Settings::default();
        let counts: Vec<usize> = inventory
            .objects()
            .iter()
            .map(|object| with_hits(&Context { object, inventory: &inventory, settings: &settings }, |h| h.len()))
            .collect();
        assert_eq!(counts, [hits(&inventory.objects()[0]).len(), 0]);
        assert!(counts[0] > 0);
        // A copy lives outside the inventory's storage: scanned afresh, same result.
        let copy = inventory.objects()[0].clone();
        let fresh = with_hits(&Context { object: &copy, inventory: &inventory, settings: &settings }, |h| h.len());
        assert_eq!(fresh, counts[0]);
    }

    /// Calls `f` with every string's pointer, nearest map key and text.
    fn reference_walk(node: &Node, pointer: &str, key: Option<&str>, f: &mut dyn FnMut(&str, Option<&str>, &str)) {
        match &node.value {
            Value::String(text) => f(pointer, key, text),
            Value::Map(map) => {
                for (k, v) in map.iter() {
                    reference_walk(v, &format!("{pointer}/{}", escape_token(k)), Some(k), f);
                }
            }
            Value::Seq(items) => {
                for (i, v) in items.iter().enumerate() {
                    reference_walk(v, &format!("{pointer}/{i}"), key, f);
                }
            }
            _ => {}
        }
    }

    /// `hits` written plainly: every pointer built as the walk goes, the
    /// handled places compared as pointers, a `last-applied-configuration`
    /// turned into a [`Node`] first, each string scanned on its own.
    fn reference_hits(object: &Object) -> Vec<Hit> {
        let mut out = Vec::new();
        let push = |out: &mut Vec<Hit>, place, pointer: &str, inner: Option<&str>, found: Vec<Match>| {
            out.extend(found.into_iter().map(|found| Hit {
                place,
                pointer: pointer.to_owned(),
                inner: inner.map(str::to_owned),
                found,
            }))
        };
        let scan_bytes = |key: &str, bytes: &[u8]| match std::str::from_utf8(bytes) {
            Ok(text) => scanner().scan_value(Some(key), text),
            Err(_) => scanner().scan(bytes),
        };
        let mut handled: Vec<String> = vec!["/metadata/annotations".into(), "/metadata/managedFields".into()];
        handled.extend(crd_schemas(object).into_iter().map(|(pointer, _)| pointer));
        for (key, value) in object.annotations().into_iter().flat_map(|a| a.iter()) {
            let Some(text) = value.as_str() else { continue };
            if MANAGED_ANNOTATIONS.iter().any(|p| key.starts_with(p)) {
                continue;
            }
            let pointer = format!("/metadata/annotations/{}", escape_token(key));
            let json = (key == LAST_APPLIED).then(|| serde_json::from_str::<serde_json::Value>(text).ok()).flatten();
            let Some(json) = json else {
                push(&mut out, Place::Annotation, &pointer, None, scanner().scan_value(Some(key), text));
                continue;
            };
            let secret = json.get("kind").and_then(|k| k.as_str()) == Some("Secret");
            let mut strings = Vec::new();
            reference_walk(&Node::from_json(&json, value.pos), "", None, &mut |inner, key, text| {
                strings.push((inner.to_owned(), key.map(str::to_owned), text.to_owned()))
            });
            for (inner, key, text) in strings {
                let found = match (secret && inner.starts_with("/data/")).then(|| decode_base64(&text)).flatten() {
                    Some(bytes) => scan_bytes(key.as_deref().unwrap_or(""), &bytes),
                    None => scanner().scan_value(key.as_deref(), &text),
                };
                push(&mut out, Place::Annotation, &pointer, Some(&inner), found);
            }
        }
        if is_managed(object) {
            return out;
        }
        let root = &object.root;
        let places: &[(&str, Place, bool)] = if is_core_secret(object) {
            &[("data", Place::SecretData, true), ("stringData", Place::SecretData, false)]
        } else if object.kind == "ConfigMap" && object.api_version == "v1" {
            &[("data", Place::ConfigMap, false), ("binaryData", Place::ConfigMap, true)]
        } else {
            &[]
        };
        for &(field, place, base64) in places {
            handled.push(format!("/{field}"));
            for (key, value) in root.get(field).and_then(Node::as_map).into_iter().flat_map(|m| m.iter()) {
                let pointer = format!("/{field}/{}", escape_token(key));
                let Some(text) = value.as_str() else { continue };
                let found = match base64 {
                    true => decode_base64(text).map(|b| scan_bytes(key, &b)).unwrap_or_default(),
                    false => scanner().scan_value(Some(key), text),
                };
                push(&mut out, place, &pointer, None, found);
            }
        }
        for c in PodSpecRef::of(object).iter().flat_map(|pod| pod.containers()) {
            for (i, env) in c.node.get("env").map(Node::as_seq).unwrap_or(&[]).iter().enumerate() {
                if let Some(value) = env.get("value").and_then(Node::as_str) {
                    let found = scanner().scan_value(env.get("name").and_then(Node::as_str), value);
                    push(&mut out, Place::Env, &c.at(&format!("env/{i}/value")), None, found);
                }
            }
            for field in ["command", "args"] {
                let items = c.node.get(field).map(Node::as_seq).unwrap_or(&[]);
                for (i, text) in items.iter().enumerate().filter_map(|(i, n)| Some((i, n.as_str()?))) {
                    let before = i.checked_sub(1).and_then(|p| items[p].as_str());
                    let key = before.filter(|prev| prev.starts_with('-') && !prev.contains('='));
                    push(
                        &mut out,
                        Place::Command,
                        &c.at(&format!("{field}/{i}")),
                        None,
                        scanner().scan_value(key, text),
                    );
                }
                handled.push(c.at(field));
            }
            handled.push(c.at("env"));
        }
        let mut strings = Vec::new();
        reference_walk(root, "", None, &mut |pointer, key, text| {
            if !handled.iter().any(|h| pointer == h || pointer.starts_with(&format!("{h}/"))) {
                strings.push((pointer.to_owned(), scanner().scan_value(key, text)));
            }
        });
        for (pointer, found) in strings {
            push(&mut out, Place::Other, &pointer, None, found);
        }
        out
    }

    /// A random value: plain words, secrets of every detector, random
    /// passwords, long prose holding a token (repeated, so reused), PEM blocks.
    fn random_text(fake: &mut kubefort_secrets::fake::Fake, prose: &[String]) -> String {
        use kubefort_secrets::DETECTORS;
        match fake.below(9) {
            0 => ["a", "true", "web", "nginx:1.25", "IfNotPresent", "", " padded ", "${DB_PASSWORD}", "changeme"]
                [fake.below(9)]
            .to_owned(),
            1 => {
                let id = DETECTORS[fake.below(DETECTORS.len())].id;
                fake.secret(id)
            }
            2 | 3 => {
                let n = 3 + fake.below(40);
                fake.password(n)
            }
            4 => prose[fake.below(prose.len())].clone(),
            5 => fake.pem("RSA PRIVATE KEY", "\n"),
            6 => format!("postgres://admin:{}@db:5432/x", fake.password(12)),
            7 => format!("api_key = {}", fake.password(16)),
            _ => {
                let n = 1 + fake.below(20);
                fake.chars(b"abcdefghijklmnopqrstuvwxyz-", n)
            }
        }
    }

    fn random_key(fake: &mut kubefort_secrets::fake::Fake) -> &'static str {
        const KEYS: &[&str] = &[
            "password",
            "DB_PASSWORD",
            "name",
            "image",
            "a~b",
            "x/y",
            "token",
            "--token",
            "apiKey",
            "description",
            "example.com/api-token",
            "accountKey",
            "aws_secret_access_key",
            "data",
            "env",
            "command",
            "annotations",
            "secretName",
        ];
        KEYS[fake.below(KEYS.len())]
    }

    /// A random tree of maps, sequences and texts.
    fn random_tree(fake: &mut kubefort_secrets::fake::Fake, prose: &[String], depth: usize) -> serde_json::Value {
        use serde_json::Value as J;
        match if depth == 0 { 2 } else { fake.below(4) } {
            0 => J::Object(
                (0..fake.below(5))
                    .map(|_| (random_key(fake).to_owned(), random_tree(fake, prose, depth - 1)))
                    .collect(),
            ),
            1 => J::Array((0..fake.below(13)).map(|_| random_tree(fake, prose, depth - 1)).collect()),
            _ => match fake.below(8) {
                0 => J::from(fake.below(100)),
                _ => J::String(random_text(fake, prose)),
            },
        }
    }

    /// A random object of a kind the walk treats apart (Secrets, ConfigMaps,
    /// workloads, a managed kind, a custom one), with annotations and a
    /// `last-applied-configuration` copy of itself.
    fn random_object(fake: &mut kubefort_secrets::fake::Fake, prose: &[String]) -> serde_json::Value {
        use base64::Engine as _;
        use serde_json::{json, Value as J};
        let b64 = |t: &str| base64::engine::general_purpose::STANDARD.encode(t);
        let map = |fake: &mut kubefort_secrets::fake::Fake, encode: bool| -> J {
            J::Object(
                (0..fake.below(5))
                    .map(|_| {
                        let text = random_text(fake, prose);
                        (random_key(fake).to_owned(), J::String(if encode { b64(&text) } else { text }))
                    })
                    .collect(),
            )
        };
        let kinds = ["Secret", "ConfigMap", "Pod", "Deployment", "CronJob", "Widget", "SealedSecret"];
        let kind = kinds[fake.below(kinds.len())];
        let container = |fake: &mut kubefort_secrets::fake::Fake| {
            let env: Vec<J> = (0..fake.below(4))
                .map(|_| json!({"name": random_key(fake), "value": random_text(fake, prose)}))
                .collect();
            let args: Vec<J> = (0..fake.below(5))
                .map(|_| {
                    J::String(if fake.below(2) == 0 {
                        format!("--{}", random_key(fake))
                    } else {
                        random_text(fake, prose)
                    })
                })
                .collect();
            json!({"name": "app", "image": "nginx", "env": env, "command": ["sh", random_text(fake, prose)], "args": args, "extra": random_tree(fake, prose, 2)})
        };
        let pod = |fake: &mut kubefort_secrets::fake::Fake| {
            let containers: Vec<J> = (0..1 + fake.below(2)).map(|_| container(fake)).collect();
            json!({"containers": containers, "initContainers": [container(fake)], "volumes": random_tree(fake, prose, 2)})
        };
        let mut object = json!({"apiVersion": if kind == "Widget" { "example.com/v1" } else { "v1" }, "kind": kind, "metadata": {"name": "o", "labels": random_tree(fake, prose, 1)}});
        match kind {
            "Secret" => {
                object["data"] = map(fake, true);
                object["stringData"] = map(fake, false);
            }
            "ConfigMap" => {
                object["data"] = map(fake, false);
                object["binaryData"] = map(fake, true);
            }
            "Pod" => object["spec"] = pod(fake),
            "Deployment" => {
                object["spec"] = json!({"replicas": 2, "template": {"metadata": {"annotations": map(fake, false)}, "spec": pod(fake)}})
            }
            "CronJob" => object["spec"] = json!({"jobTemplate": {"spec": {"template": {"spec": pod(fake)}}}}),
            _ => object["spec"] = random_tree(fake, prose, 4),
        }
        object["status"] = random_tree(fake, prose, 3);
        let mut annotations = map(fake, false);
        annotations["vault.hashicorp.com/agent-inject-token"] = J::String(fake.secret("github-token"));
        annotations["metadata"] = J::String(random_text(fake, prose));
        if fake.below(3) > 0 {
            annotations[LAST_APPLIED] = J::String(object.to_string());
        }
        object["metadata"]["annotations"] = annotations;
        object["metadata"]["managedFields"] = random_tree(fake, prose, 2);
        object
    }

    #[test]
    fn hits_agree_with_the_plain_reference_on_random_objects() {
        use kubefort_secrets::fake::Fake;
        let mut fake = Fake::new(5);
        let prose: Vec<String> = (0..3)
            .map(|_| {
                format!(
                    "Connects with the token {} and then retries the request a few times over",
                    fake.secret("github-token")
                )
            })
            .collect();
        let mut per_place = HashMap::new();
        for _ in 0..600 {
            let object = random_object(&mut fake, &prose);
            let loaded = load_texts(vec![(Arc::from("r.json"), object.to_string())], Limits::default());
            assert_eq!(loaded.objects.len(), 1, "{:?}", loaded.diagnostics);
            let object = &loaded.objects[0];
            let view = |hits: Vec<Hit>| -> Vec<_> {
                hits.into_iter().map(|h| (h.place, h.pointer, h.inner, h.found)).collect()
            };
            let got = view(hits(object));
            assert_eq!(got, view(reference_hits(object)), "{}", object.kind);
            for (place, _, inner, _) in &got {
                *per_place.entry(format!("{place:?}{}", if inner.is_some() { " inner" } else { "" })).or_insert(0) += 1;
            }
        }
        // Every place, and the inside of a last-applied copy, was exercised.
        for place in ["Env", "Command", "ConfigMap", "Annotation", "Annotation inner", "SecretData", "Other"] {
            assert!(per_place.get(place).is_some_and(|n| *n > 10), "{place}: {per_place:?}");
        }
    }

    #[test]
    fn long_texts_scanned_once_per_object_give_the_same_hits_as_each_scanned_alone() {
        use kubefort_secrets::fake::Fake;
        let mut fake = Fake::new(11);
        let token = fake.secret("github-token");
        let random = fake.password(70);
        let prose = format!("Connects with the token {token} and then retries the request a few times over");
        assert!(prose.len() >= REUSE_SCAN_FROM && random.len() >= REUSE_SCAN_FROM);
        // The same long texts under secret-like and ordinary keys, in maps
        // and sequences (past ten items), under keys to escape: the key
        // decides the generic check, the text the rest.
        let many = vec![format!("'{prose}'"); 12].join(", ");
        let yaml = format!(
            "apiVersion: example.com/v1\nkind: Widget\nmetadata: {{name: w}}\nspec:\n  a: {{description: '{prose}', password: '{random}'}}\n  b: {{description: '{prose}', note: '{random}'}}\n  c: {{password: '{random}', items: ['{prose}', '{random}']}}\n  d: {{apiToken: '{random}', text: '{prose}', 'example.com/api-token': '{random}', 'a~b': [{many}]}}\n"
        );
        let loaded = load_texts(vec![(Arc::from("w.yaml"), yaml)], Limits::default());
        let object = &loaded.objects[0];
        let got: Vec<(String, Match)> = hits(object).into_iter().map(|h| (h.pointer, h.found)).collect();
        let mut want = Vec::new();
        reference_walk(&object.root, "", None, &mut |pointer, key, text| {
            want.extend(scanner().scan_value(key, text).into_iter().map(|m| (pointer.to_owned(), m)))
        });
        assert_eq!(got, want);
        // The prose 4 + 12 times; the random value under `password` (twice),
        // `apiToken` and `example.com/api-token`.
        assert_eq!(got.iter().filter(|(_, m)| m.detector.id == "github-token").count(), 16, "{got:?}");
        assert_eq!(got.iter().filter(|(_, m)| m.detector.id == "generic-secret").count(), 4, "{got:?}");
        assert!(got.iter().any(|(p, _)| p == "/spec/d/a~0b/11"), "{got:?}");
        assert!(got.iter().any(|(p, _)| p == "/spec/d/example.com~1api-token"), "{got:?}");
    }
}
