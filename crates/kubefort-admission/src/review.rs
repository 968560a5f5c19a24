//! The `admission.k8s.io/v1` `AdmissionReview` wire format: the request the
//! API server sends and the response it expects back.
//!
//! Only the fields kubefort reads are modelled; unknown ones are ignored, as
//! the API server adds fields over time. Written by hand rather than taken
//! from `k8s-openapi`, which would pull every Kubernetes type into the build
//! for two structs.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub const API_VERSION: &str = "admission.k8s.io/v1";
pub const KIND: &str = "AdmissionReview";

/// A review as received. `request` is required for a review kubefort answers.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AdmissionReview {
    #[serde(default)]
    pub api_version: String,
    #[serde(default)]
    pub kind: String,
    pub request: Option<AdmissionRequest>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AdmissionRequest {
    pub uid: String,
    /// The kind of the object (`apps/v1 Deployment`).
    #[serde(default)]
    pub kind: GroupVersionKind,
    #[serde(default)]
    pub sub_resource: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
    /// The namespace of the request; the object itself may leave it out.
    #[serde(default)]
    pub namespace: Option<String>,
    pub operation: Operation,
    #[serde(default)]
    pub object: Option<serde_json::Value>,
    #[serde(default)]
    pub old_object: Option<serde_json::Value>,
    /// The write will not be persisted (`kubectl apply --dry-run=server`).
    #[serde(default)]
    pub dry_run: Option<bool>,
}

#[derive(Debug, Default, Deserialize)]
pub struct GroupVersionKind {
    #[serde(default)]
    pub group: String,
    #[serde(default)]
    pub version: String,
    #[serde(default)]
    pub kind: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Operation {
    Create,
    Update,
    Delete,
    Connect,
}

/// The answer, wrapped in an `AdmissionReview` by [`AdmissionResponse::into_review`].
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AdmissionResponse {
    pub uid: String,
    pub allowed: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<Status>,
    /// Shown by kubectl as `Warning: …`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub patch_type: Option<&'static str>,
    /// Base64 of the JSON Patch document.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub patch: Option<String>,
    /// Recorded in the API server's audit log (keys are prefixed with the webhook's name).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub audit_annotations: BTreeMap<&'static str, String>,
}

/// A `metav1.Status`: for a denial, the message kubectl prints.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Status {
    pub code: u16,
    #[serde(skip_serializing_if = "str::is_empty")]
    pub reason: &'static str,
    pub message: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ResponseReview<'a> {
    api_version: &'static str,
    kind: &'static str,
    response: &'a AdmissionResponse,
}

impl AdmissionResponse {
    pub fn allow(uid: &str) -> Self {
        AdmissionResponse { uid: uid.to_owned(), allowed: true, ..AdmissionResponse::default() }
    }

    /// The response as the JSON `AdmissionReview` the API server reads.
    pub fn to_review_json(&self) -> Vec<u8> {
        let review = ResponseReview { api_version: API_VERSION, kind: KIND, response: self };
        // Serialising plain strings, booleans and maps cannot fail.
        serde_json::to_vec(&review).unwrap_or_default()
    }
}

/// Why a body is not a review kubefort can answer (the server answers `400`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadReview {
    /// The request's uid when the body had one, so even an error echoes it.
    pub uid: Option<String>,
    pub message: String,
}

impl std::fmt::Display for BadReview {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

/// Parses a request body into a review with a request in it.
pub fn parse(body: &[u8]) -> Result<AdmissionRequest, BadReview> {
    let review: AdmissionReview = serde_json::from_slice(body).map_err(|e| BadReview {
        uid: salvage_uid(body),
        message: if e.is_data() {
            format!("not an admission.k8s.io/v1 AdmissionReview: {e}")
        } else {
            format!("invalid JSON: {e}")
        },
    })?;
    let bad = |message: String, request: &Option<AdmissionRequest>| BadReview {
        uid: request.as_ref().map(|r| r.uid.clone()),
        message,
    };
    if review.kind != KIND || review.api_version != API_VERSION {
        return Err(bad(
            format!(
                "expected apiVersion {API_VERSION} kind {KIND}, got apiVersion `{}` kind `{}`",
                review.api_version, review.kind
            ),
            &review.request,
        ));
    }
    let request =
        review.request.ok_or_else(|| BadReview { uid: None, message: "the review has no `request`".into() })?;
    if request.uid.is_empty() {
        return Err(BadReview { uid: None, message: "request.uid is empty".into() });
    }
    Ok(request)
}

/// The `request.uid` of a body that failed typed parsing, when it is JSON
/// with a string there.
fn salvage_uid(body: &[u8]) -> Option<String> {
    #[derive(Deserialize)]
    struct Uid {
        uid: String,
    }
    #[derive(Deserialize)]
    struct Review {
        request: Uid,
    }
    serde_json::from_slice::<Review>(body).ok().map(|r| r.request.uid)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_review_parses_and_the_answer_echoes_the_uid() {
        let body = br#"{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{
            "uid":"705ab4f5-6393-11e8-b7cc-42010a800002","kind":{"group":"apps","version":"v1","kind":"Deployment"},
            "resource":{"group":"apps","version":"v1","resource":"deployments"},"namespace":"shop","operation":"CREATE",
            "userInfo":{"username":"alice"},"object":{"kind":"Deployment"},"oldObject":null,"dryRun":true,"options":{}}}"#;
        let request = parse(body).unwrap();
        assert_eq!(request.uid, "705ab4f5-6393-11e8-b7cc-42010a800002");
        assert_eq!(request.operation, Operation::Create);
        assert_eq!(request.kind.kind, "Deployment");
        assert_eq!(request.dry_run, Some(true));
        assert!(request.old_object.is_none());
        let json: serde_json::Value =
            serde_json::from_slice(&AdmissionResponse::allow(&request.uid).to_review_json()).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"apiVersion": API_VERSION, "kind": KIND,
                "response": {"uid": "705ab4f5-6393-11e8-b7cc-42010a800002", "allowed": true}})
        );
    }

    #[test]
    fn bad_bodies_say_why_and_keep_the_uid_when_there_is_one() {
        let e = parse(b"{\"apiVersion\":").unwrap_err();
        assert!(e.message.starts_with("invalid JSON"), "{e}");
        assert_eq!(e.uid, None);
        let e = parse(br#"{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u1","operation":"PATCH"}}"#)
            .unwrap_err();
        assert!(e.message.contains("PATCH"), "{e}");
        assert_eq!(e.uid.as_deref(), Some("u1"));
        let e = parse(br#"{"apiVersion":"admission.k8s.io/v1beta1","kind":"AdmissionReview","request":{"uid":"u2","operation":"CREATE"}}"#)
            .unwrap_err();
        assert!(e.message.contains("admission.k8s.io/v1beta1"), "{e}");
        assert_eq!(e.uid.as_deref(), Some("u2"));
        let e = parse(br#"{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview"}"#).unwrap_err();
        assert!(e.message.contains("no `request`"), "{e}");
        for body in [&b""[..], b"null", b"[]", b"7", b"\xff", b"{\"request\":{\"uid\":5}}"] {
            assert!(parse(body).is_err(), "{body:?}");
        }
    }
}
