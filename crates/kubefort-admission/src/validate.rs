//! `/validate`: the object of a review goes through the same rules as
//! `kubefort scan`, in an inventory of that one object, and each finding's
//! severity picks its action (deny, warn or audit).
//!
//! Rules that look at other objects (NetworkPolicies selecting a workload,
//! the ServiceAccount a pod uses, the namespace's labels) see only the
//! admitted object, exactly as `kubefort scan` does on a file holding that
//! one object.

use crate::review::{AdmissionRequest, AdmissionResponse, BadReview, Operation, Status};
use crate::settings::{Action, AdmissionSettings};
use kubefort_model::{Date, Finding, Inventory, Node, Object, Pos, Rule, Settings, Source};
use std::collections::HashSet;
use std::fmt::Write as _;
use std::sync::{Arc, PoisonError, RwLock};

/// The severity overrides and exemptions of `.kubefort.yaml`, applied to the
/// findings as `kubefort scan` applies them (the CLI passes
/// `kubefort_config::Policy::apply`).
pub type Policy = Box<dyn Fn(Vec<Finding>) -> Vec<Finding> + Send + Sync>;

/// The file name findings of admitted objects carry (there is no file).
pub const SOURCE: &str = "admission";

/// The API server truncates longer warnings; cut them ourselves, cleanly.
const MAX_WARNING: usize = 256;
/// Warnings beyond this many are summed up in one last line.
const MAX_WARNINGS: usize = 20;

/// How a request was answered, for the metrics.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Admitted with no finding at warn or deny (audit ones may be annotated).
    Allowed,
    /// Admitted with warnings.
    Warned,
    Denied,
    /// Namespace exempt in `admission.exemptNamespaces`.
    Exempt,
    /// Not evaluated: DELETE, CONNECT, or a subresource (`/status`, `/scale`).
    Skipped,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Allowed => "allowed",
            Verdict::Warned => "warned",
            Verdict::Denied => "denied",
            Verdict::Exempt => "exempt",
            Verdict::Skipped => "skipped",
        }
    }
}

/// The answer to one `/validate` request.
#[derive(Debug, Clone)]
pub struct Decision {
    pub response: AdmissionResponse,
    pub verdict: Verdict,
    /// The rules whose findings denied the request, each once.
    pub denied_by: Vec<&'static str>,
    /// Findings left out because the oldObject already had them.
    pub grandfathered: usize,
    /// The write will not be persisted.
    pub dry_run: bool,
}

/// Everything `/validate` needs, built once at startup.
pub struct Validator {
    rules: Vec<&'static dyn Rule>,
    /// Shared by every request; replaced when the UTC day changes, so
    /// suppressions with an `until` date expire in a long-running server.
    settings: RwLock<Arc<Settings>>,
    admission: AdmissionSettings,
    policy: Policy,
    source: Arc<str>,
}

impl Validator {
    pub fn new(
        rules: Vec<&'static dyn Rule>,
        settings: Settings,
        admission: AdmissionSettings,
        policy: Policy,
    ) -> Self {
        Validator { rules, settings: RwLock::new(Arc::new(settings)), admission, policy, source: Arc::from(SOURCE) }
    }

    pub fn admission(&self) -> &AdmissionSettings {
        &self.admission
    }

    fn settings(&self) -> Arc<Settings> {
        let today = Date::today();
        let current = self.settings.read().unwrap_or_else(PoisonError::into_inner).clone();
        if current.today == today {
            return current;
        }
        let fresh = Arc::new(Settings { today, ..(*current).clone() });
        *self.settings.write().unwrap_or_else(PoisonError::into_inner) = fresh.clone();
        fresh
    }

    /// The findings of `object` after the policy, as `kubefort scan` would
    /// report them for a file holding only this object. `namespace` is the
    /// request's, for objects that leave theirs out.
    pub fn findings(&self, object: &serde_json::Value, namespace: Option<&str>) -> Result<Vec<Finding>, String> {
        if !object.is_object() {
            return Err(format!("the object is a JSON {}, not an object", json_type(object)));
        }
        let root = Node::from_json(object, Pos::default());
        let source = Source { file: self.source.clone(), template: None, document: 0 };
        let mut object =
            Object::from_node(root, source, String::new()).ok_or("the object has no string `apiVersion` and `kind`")?;
        if object.namespace.is_none() {
            object.namespace = namespace.filter(|ns| !ns.is_empty()).map(str::to_owned);
        }
        let inventory = Inventory::new(vec![object]);
        let outcome = kubefort_rules::run(&inventory, &self.rules, &self.settings());
        Ok((self.policy)(outcome.findings))
    }

    /// Decides a request. `Err` is a request kubefort cannot judge (no object,
    /// not a Kubernetes object): the server answers `400`.
    pub fn validate(&self, request: &AdmissionRequest) -> Result<Decision, BadReview> {
        let dry_run = request.dry_run.unwrap_or(false);
        let done = |verdict| Decision {
            response: AdmissionResponse::allow(&request.uid),
            verdict,
            denied_by: Vec::new(),
            grandfathered: 0,
            dry_run,
        };
        if !matches!(request.operation, Operation::Create | Operation::Update)
            || request.sub_resource.as_deref().is_some_and(|s| !s.is_empty())
        {
            return Ok(done(Verdict::Skipped));
        }
        let object = present(&request.object).ok_or_else(|| BadReview {
            uid: Some(request.uid.clone()),
            message: format!("request.object is missing for {:?}", request.operation),
        })?;
        let namespace = request.namespace.as_deref().or_else(|| object_namespace(object));
        if self.admission.is_exempt(namespace) {
            return Ok(done(Verdict::Exempt));
        }
        let bad = |what: &str, e: String| BadReview { uid: Some(request.uid.clone()), message: format!("{what}: {e}") };
        let mut findings = self.findings(object, namespace).map_err(|e| bad("request.object", e))?;

        let mut grandfathered = 0;
        if request.operation == Operation::Update && self.admission.grandfather_on_update {
            if let Some(old) = present(&request.old_object) {
                let old = self.findings(old, namespace).map_err(|e| bad("request.oldObject", e))?;
                let known: HashSet<&str> = old.iter().map(|f| &*f.fingerprint).collect();
                let before = findings.len();
                findings.retain(|f| !known.contains(&*f.fingerprint));
                grandfathered = before - findings.len();
            }
        }
        let mut decision = self.decide(&request.uid, &display_name(object, namespace), &findings);
        decision.grandfathered = grandfathered;
        decision.dry_run = dry_run;
        if grandfathered > 0 {
            decision
                .response
                .audit_annotations
                .insert("grandfathered", format!("{grandfathered} findings the oldObject already had"));
        }
        Ok(decision)
    }

    fn decide(&self, uid: &str, name: &str, findings: &[Finding]) -> Decision {
        let mut response = AdmissionResponse::allow(uid);
        let (mut deny, mut warn, mut audit) = (Vec::new(), Vec::new(), Vec::new());
        for f in findings {
            match self.admission.actions.of(f.severity) {
                Action::Deny => deny.push(f),
                Action::Warn => warn.push(f),
                Action::Audit => audit.push(f),
            }
        }
        for f in warn.iter().take(MAX_WARNINGS) {
            response.warnings.push(truncate(describe(f), MAX_WARNING));
        }
        if warn.len() > MAX_WARNINGS {
            response.warnings.push(format!(
                "kubefort: {} more findings (`kubefort scan` lists them all)",
                warn.len() - MAX_WARNINGS
            ));
        }
        if !audit.is_empty() {
            let text = audit.iter().map(|f| format!("{} {}", f.rule, f.pointer)).collect::<Vec<_>>().join("; ");
            response.audit_annotations.insert("findings", text);
        }
        let mut denied_by: Vec<&'static str> = deny.iter().map(|f| f.rule).collect();
        denied_by.sort_unstable();
        denied_by.dedup();
        let verdict = if !deny.is_empty() {
            response.allowed = false;
            let mut message = format!("kubefort denied {name}: ");
            for (i, f) in deny.iter().enumerate() {
                let _ = write!(message, "{}{}", if i == 0 { "" } else { "; " }, describe(f));
            }
            let _ = write!(message, " (`kubefort explain RULE` tells how to fix each)");
            response.status = Some(Status { code: 403, reason: "Forbidden", message });
            Verdict::Denied
        } else if !warn.is_empty() {
            Verdict::Warned
        } else {
            Verdict::Allowed
        };
        Decision { response, verdict, denied_by, grandfathered: 0, dry_run: false }
    }
}

/// `KF-POD-001 (high) at /spec/…/privileged: message`.
fn describe(f: &Finding) -> String {
    let at = if f.pointer.is_empty() { String::new() } else { format!(" at {}", f.pointer) };
    format!("{} ({}){at}: {}", f.rule, f.severity, f.message)
}

fn truncate(mut text: String, max: usize) -> String {
    if text.len() <= max {
        return text;
    }
    let mut cut = max - '…'.len_utf8();
    while !text.is_char_boundary(cut) {
        cut -= 1;
    }
    text.truncate(cut);
    text.push('…');
    text
}

fn present(value: &Option<serde_json::Value>) -> Option<&serde_json::Value> {
    value.as_ref().filter(|v| !v.is_null())
}

fn object_namespace(object: &serde_json::Value) -> Option<&str> {
    object.get("metadata")?.get("namespace")?.as_str()
}

/// `Deployment shop/web` for the denial message.
fn display_name(object: &serde_json::Value, namespace: Option<&str>) -> String {
    let kind = object.get("kind").and_then(|k| k.as_str()).unwrap_or("object");
    let meta = object.get("metadata");
    let field = |name: &str| meta.and_then(|m| m.get(name)).and_then(|v| v.as_str()).filter(|s| !s.is_empty());
    let name = field("name").or_else(|| field("generateName")).unwrap_or("(unnamed)");
    match field("namespace").or(namespace) {
        Some(ns) => format!("{kind} {ns}/{name}"),
        None => format!("{kind} {name}"),
    }
}

fn json_type(value: &serde_json::Value) -> &'static str {
    match value {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "boolean",
        serde_json::Value::Number(_) => "number",
        serde_json::Value::String(_) => "string",
        serde_json::Value::Array(_) => "array",
        serde_json::Value::Object(_) => "object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::review::parse;
    use serde_json::json;

    fn validator(admission: AdmissionSettings) -> Validator {
        Validator::new(kubefort_rules::all_rules(), Settings::default(), admission, Box::new(|f| f))
    }

    /// A Deployment hardened like `examples/hardened/web.yaml`, with `privileged` as given.
    fn deployment(privileged: bool) -> serde_json::Value {
        json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
            "spec": {"selector": {"matchLabels": {"app": "web"}}, "template": {
                "metadata": {"labels": {"app": "web"}},
                "spec": {"serviceAccountName": "web", "automountServiceAccountToken": false,
                    "securityContext": {"runAsNonRoot": true, "runAsUser": 10001, "seccompProfile": {"type": "RuntimeDefault"}},
                    "containers": [{"name": "web",
                        "image": "registry.example.com/web:1.0@sha256:40c92744c4ed2d44b283170439a2bfd3ade3e35f3390444b80127469cc47b151",
                        "securityContext": {"privileged": privileged, "allowPrivilegeEscalation": privileged,
                            "readOnlyRootFilesystem": true, "capabilities": {"drop": ["ALL"]}},
                        "resources": {"requests": {"cpu": "100m", "memory": "64Mi"}, "limits": {"cpu": "1", "memory": "64Mi"}},
                        "livenessProbe": {"httpGet": {"path": "/", "port": 8080}},
                        "readinessProbe": {"httpGet": {"path": "/", "port": 8080}}}]}}}})
    }

    fn request(operation: &str, object: serde_json::Value, old: serde_json::Value, dry_run: bool) -> AdmissionRequest {
        let review = json!({"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": {
            "uid": "uid-1", "kind": {"group": "apps", "version": "v1", "kind": "Deployment"},
            "namespace": "shop", "operation": operation, "object": object, "oldObject": old, "dryRun": dry_run}});
        parse(review.to_string().as_bytes()).unwrap()
    }

    #[test]
    fn severity_picks_deny_warn_or_audit() {
        let v = validator(AdmissionSettings::default());
        let denied = v.validate(&request("CREATE", deployment(true), json!(null), false)).unwrap();
        assert_eq!(denied.verdict, Verdict::Denied);
        assert!(!denied.response.allowed);
        assert_eq!(denied.denied_by, ["KF-POD-001", "KF-POD-002"]);
        let status = denied.response.status.as_ref().unwrap();
        assert_eq!(status.code, 403);
        assert!(status.message.starts_with("kubefort denied Deployment shop/web: KF-POD-001 (critical) at /spec/template/spec/containers/0/securityContext/privileged"), "{}", status.message);
        assert_eq!(denied.response.uid, "uid-1");

        // Hardened: only what a lone object cannot show (no NetworkPolicy seen), as warnings.
        let warned = v.validate(&request("CREATE", deployment(false), json!(null), false)).unwrap();
        assert_eq!(warned.verdict, Verdict::Warned, "{:?}", warned.response);
        assert!(warned.response.allowed && warned.response.status.is_none());
        assert!(
            warned.response.warnings.iter().any(|w| w.starts_with("KF-NET-002 (low)")),
            "{:?}",
            warned.response.warnings
        );

        // Everything audited: admitted, no warning, the findings in the audit annotation.
        let quiet = AdmissionSettings {
            actions: crate::Actions {
                critical: Action::Audit,
                high: Action::Audit,
                medium: Action::Audit,
                low: Action::Audit,
                info: Action::Audit,
            },
            ..AdmissionSettings::default()
        };
        let audited = validator(quiet).validate(&request("CREATE", deployment(true), json!(null), false)).unwrap();
        assert_eq!(audited.verdict, Verdict::Allowed);
        assert!(audited.response.allowed && audited.response.warnings.is_empty());
        assert!(audited.response.audit_annotations["findings"]
            .contains("KF-POD-001 /spec/template/spec/containers/0/securityContext/privileged"));
    }

    #[test]
    fn exempt_namespaces_deletes_and_subresources_are_not_judged() {
        let v = validator(AdmissionSettings { exempt_namespaces: vec!["shop".into()], ..AdmissionSettings::default() });
        assert_eq!(
            v.validate(&request("CREATE", deployment(true), json!(null), false)).unwrap().verdict,
            Verdict::Exempt
        );
        let v = validator(AdmissionSettings::default());
        let delete = v.validate(&request("DELETE", json!(null), deployment(true), false)).unwrap();
        assert_eq!((delete.verdict, delete.response.allowed), (Verdict::Skipped, true));
        let mut status = request("UPDATE", deployment(true), deployment(true), false);
        status.sub_resource = Some("status".into());
        assert_eq!(v.validate(&status).unwrap().verdict, Verdict::Skipped);
    }

    #[test]
    fn update_grandfathers_only_when_configured() {
        let strict = validator(AdmissionSettings::default());
        let update = request("UPDATE", deployment(true), deployment(true), false);
        assert_eq!(strict.validate(&update).unwrap().verdict, Verdict::Denied);
        let lenient = validator(AdmissionSettings { grandfather_on_update: true, ..AdmissionSettings::default() });
        let kept = lenient.validate(&update).unwrap();
        assert_eq!(kept.verdict, Verdict::Allowed, "{:?}", kept.response);
        assert!(kept.grandfathered >= 2);
        assert!(kept.response.audit_annotations.contains_key("grandfathered"));
        // A violation the old object did not have is new: denied.
        let worse = lenient.validate(&request("UPDATE", deployment(true), deployment(false), false)).unwrap();
        assert_eq!(worse.denied_by, ["KF-POD-001", "KF-POD-002"]);
    }

    #[test]
    fn dry_run_gets_the_same_answer_flagged() {
        let v = validator(AdmissionSettings::default());
        let dry = v.validate(&request("CREATE", deployment(true), json!(null), true)).unwrap();
        let wet = v.validate(&request("CREATE", deployment(true), json!(null), false)).unwrap();
        assert!(dry.dry_run && !wet.dry_run);
        assert_eq!(dry.response, wet.response);
    }

    #[test]
    fn objects_that_cannot_be_judged_are_errors_with_the_uid() {
        let v = validator(AdmissionSettings::default());
        for (object, why) in [(json!(null), "missing"), (json!([1]), "array"), (json!({"kind": "Pod"}), "apiVersion")] {
            let e = v.validate(&request("CREATE", object, json!(null), false)).unwrap_err();
            assert!(e.message.contains(why), "{e}");
            assert_eq!(e.uid.as_deref(), Some("uid-1"));
        }
    }

    #[test]
    fn long_warnings_are_cut_on_a_character_boundary() {
        let cut = truncate("é".repeat(300), MAX_WARNING);
        assert!(cut.len() <= MAX_WARNING && cut.ends_with('…'));
        assert_eq!(truncate("short".into(), MAX_WARNING), "short");
    }
}
