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

use kubefort_model::{escape_token, Finding, Node, Object, PodSpecRef, Severity, Value};
use kubefort_secrets::{scanner, Match};
use std::collections::HashMap;

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

pub fn is_core_secret(object: &Object) -> bool {
    object.kind == "Secret" && object.api_version == "v1"
}

/// Decodes a base64 `data` value (whitespace ignored).
pub fn decode_base64(value: &str) -> Option<Vec<u8>> {
    kubefort_secrets::decode_base64(value.as_bytes())
}

fn scan_into(out: &mut Vec<Hit>, place: Place, pointer: &str, inner: Option<&str>, key: Option<&str>, text: &str) {
    for found in scanner().scan_value(key, text) {
        out.push(Hit { place, pointer: pointer.to_owned(), inner: inner.map(str::to_owned), found });
    }
}

fn scan_bytes_into(out: &mut Vec<Hit>, place: Place, pointer: &str, inner: Option<&str>, key: &str, bytes: &[u8]) {
    match std::str::from_utf8(bytes) {
        Ok(text) => scan_into(out, place, pointer, inner, Some(key), text),
        Err(_) => {
            for found in scanner().scan(bytes) {
                out.push(Hit { place, pointer: pointer.to_owned(), inner: inner.map(str::to_owned), found });
            }
        }
    }
}

/// Every credential in an object, by place. Scanning is cheap (a
/// prefilter pass per string), so each KF-SEC rule calls this and keeps
/// its own place.
pub fn hits(object: &Object) -> Vec<Hit> {
    let mut out = Vec::new();
    let mut handled: Vec<String> = vec!["/metadata/annotations".into(), "/metadata/managedFields".into()];
    if let Some(annotations) = object.annotations() {
        for (key, value) in annotations.iter() {
            let Some(text) = value.as_str() else { continue };
            if MANAGED_ANNOTATIONS.iter().any(|p| key.starts_with(p)) {
                continue;
            }
            let pointer = format!("/metadata/annotations/{}", escape_token(key));
            if key == LAST_APPLIED {
                if let Ok(json) = serde_json::from_str::<serde_json::Value>(text) {
                    let node = Node::from_json(&json, value.pos);
                    let kind = json.get("kind").and_then(|k| k.as_str()).unwrap_or("");
                    walk_applied(&mut out, &pointer, kind, &node, &mut String::new(), None);
                    continue;
                }
            }
            scan_into(&mut out, Place::Annotation, &pointer, None, Some(key), text);
        }
    }
    if is_managed(object) {
        return out;
    }
    let root = &object.root;
    if is_core_secret(object) {
        handled.extend(["/data".into(), "/stringData".into()]);
        for (key, value) in root.get("data").and_then(Node::as_map).into_iter().flat_map(|m| m.iter()) {
            let pointer = format!("/data/{}", escape_token(key));
            if let Some(bytes) = value.as_str().and_then(decode_base64) {
                scan_bytes_into(&mut out, Place::SecretData, &pointer, None, key, &bytes);
            }
        }
        for (key, value) in root.get("stringData").and_then(Node::as_map).into_iter().flat_map(|m| m.iter()) {
            if let Some(text) = value.as_str() {
                scan_into(
                    &mut out,
                    Place::SecretData,
                    &format!("/stringData/{}", escape_token(key)),
                    None,
                    Some(key),
                    text,
                );
            }
        }
    } else if object.kind == "ConfigMap" && object.api_version == "v1" {
        handled.extend(["/data".into(), "/binaryData".into()]);
        for (key, value) in root.get("data").and_then(Node::as_map).into_iter().flat_map(|m| m.iter()) {
            if let Some(text) = value.as_str() {
                scan_into(&mut out, Place::ConfigMap, &format!("/data/{}", escape_token(key)), None, Some(key), text);
            }
        }
        for (key, value) in root.get("binaryData").and_then(Node::as_map).into_iter().flat_map(|m| m.iter()) {
            let pointer = format!("/binaryData/{}", escape_token(key));
            if let Some(bytes) = value.as_str().and_then(decode_base64) {
                scan_bytes_into(&mut out, Place::ConfigMap, &pointer, None, key, &bytes);
            }
        }
    }
    if let Some(covered) = PodSpecRef::of(object).filter(|_| object.template_owner.is_some()) {
        // Its controller's template, scanned there (see `PodSpecRef::to_check`).
        handled.push(covered.pointer.into());
        if covered.metadata_pointer != "/metadata" {
            handled.push(covered.metadata_pointer.into());
        }
    }
    if let Some(pod) = PodSpecRef::to_check(object) {
        for c in pod.containers() {
            for (i, env) in c.node.get("env").map(Node::as_seq).unwrap_or(&[]).iter().enumerate() {
                let name = env.get("name").and_then(Node::as_str);
                if let Some(value) = env.get("value").and_then(Node::as_str) {
                    scan_into(&mut out, Place::Env, &c.at(&format!("env/{i}/value")), None, name, value);
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
                    scan_into(&mut out, Place::Command, &c.at(&format!("{field}/{i}")), None, key, text);
                }
                handled.push(c.at(field));
            }
            handled.push(c.at("env"));
        }
    }
    walk_other(&mut out, &handled, root, &mut String::new(), None, &mut HashMap::new());
    out
}

/// Texts at least this long are scanned once per object and the result
/// reused: a CRD's schema repeats the same long descriptions many times,
/// and hashing is much cheaper than the scan.
const REUSE_SCAN_FROM: usize = 64;

/// Every string not under a handled pointer, with the nearest map key. One
/// pointer buffer serves the whole walk: most strings hold no secret, and a
/// pointer is only copied out for a hit.
fn walk_other<'a>(
    out: &mut Vec<Hit>,
    handled: &[String],
    node: &'a Node,
    pointer: &mut String,
    key: Option<&str>,
    scanned: &mut HashMap<&'a str, Vec<Match>>,
) {
    if handled.iter().any(|h| h == pointer) {
        return;
    }
    let len = pointer.len();
    match &node.value {
        Value::String(text) if text.len() >= REUSE_SCAN_FROM => {
            let found = scanned.entry(text.as_str()).or_insert_with(|| scanner().scan(text.as_bytes())).clone();
            for found in scanner().scan_value_from(key, text, found) {
                out.push(Hit { place: Place::Other, pointer: pointer.clone(), inner: None, found });
            }
        }
        Value::String(text) => scan_into(out, Place::Other, pointer, None, key, text),
        Value::Map(map) => {
            for (k, v) in map.iter() {
                pointer.push('/');
                pointer.push_str(&escape_token(k));
                walk_other(out, handled, v, pointer, Some(k), scanned);
                pointer.truncate(len);
            }
        }
        Value::Seq(items) => {
            for (i, v) in items.iter().enumerate() {
                use std::fmt::Write as _;
                let _ = write!(pointer, "/{i}");
                walk_other(out, handled, v, pointer, key, scanned);
                pointer.truncate(len);
            }
        }
        _ => {}
    }
}

/// Strings inside a `last-applied-configuration` copy; a Secret's `data`
/// there is base64, as in the object itself. `inner` (the pointer inside
/// the copy) is one buffer for the whole walk, as in [`walk_other`].
fn walk_applied(out: &mut Vec<Hit>, pointer: &str, kind: &str, node: &Node, inner: &mut String, key: Option<&str>) {
    let len = inner.len();
    match &node.value {
        Value::String(text) => {
            let decoded = (kind == "Secret" && inner.starts_with("/data/")).then(|| decode_base64(text)).flatten();
            match decoded {
                Some(bytes) => scan_bytes_into(out, Place::Annotation, pointer, Some(inner), key.unwrap_or(""), &bytes),
                None => scan_into(out, Place::Annotation, pointer, Some(inner), key, text),
            }
        }
        Value::Map(map) => {
            for (k, v) in map.iter() {
                inner.push('/');
                inner.push_str(&escape_token(k));
                walk_applied(out, pointer, kind, v, inner, Some(k));
                inner.truncate(len);
            }
        }
        Value::Seq(items) => {
            for (i, v) in items.iter().enumerate() {
                use std::fmt::Write as _;
                let _ = write!(inner, "/{i}");
                walk_applied(out, pointer, kind, v, inner, key);
                inner.truncate(len);
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
        Some(i) => {
            let memo = cx
                .inventory
                .memo(|inventory| HitsPerObject((0..inventory.len()).map(|_| std::sync::OnceLock::new()).collect()));
            f(memo.0[i].get_or_init(|| hits(cx.object)))
        }
        None => f(&hits(cx.object)),
    }
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

    /// Every string of the object scanned on its own, without reuse.
    fn reference_walk(node: &Node, pointer: &str, key: Option<&str>, out: &mut Vec<(String, Match)>) {
        match &node.value {
            Value::String(text) => {
                out.extend(scanner().scan_value(key, text).into_iter().map(|m| (pointer.to_owned(), m)))
            }
            Value::Map(map) => {
                for (k, v) in map.iter() {
                    reference_walk(v, &format!("{pointer}/{}", escape_token(k)), Some(k), out);
                }
            }
            Value::Seq(items) => {
                for (i, v) in items.iter().enumerate() {
                    reference_walk(v, &format!("{pointer}/{i}"), key, out);
                }
            }
            _ => {}
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
        reference_walk(&object.root, "", None, &mut want);
        assert_eq!(got, want);
        // The prose 4 + 12 times; the random value under `password` (twice),
        // `apiToken` and `example.com/api-token`.
        assert_eq!(got.iter().filter(|(_, m)| m.detector.id == "github-token").count(), 16, "{got:?}");
        assert_eq!(got.iter().filter(|(_, m)| m.detector.id == "generic-secret").count(), 4, "{got:?}");
        assert!(got.iter().any(|(p, _)| p == "/spec/d/a~0b/11"), "{got:?}");
        assert!(got.iter().any(|(p, _)| p == "/spec/d/example.com~1api-token"), "{got:?}");
    }
}
