//! `/mutate`: the secure defaults of [`crate::defaults`] for fields the
//! request's object leaves unset, as a base64 JSON Patch.

use crate::defaults::secure_defaults;
use crate::review::{AdmissionRequest, AdmissionResponse, BadReview, Operation};
use crate::settings::AdmissionSettings;
use base64::Engine as _;

/// The answer to one `/mutate` request. Mutation never refuses a request.
#[derive(Debug, Clone)]
pub struct Mutation {
    pub response: AdmissionResponse,
    /// Operations in the patch (0: nothing was missing, or not mutated).
    pub operations: usize,
}

/// Patches CREATE and UPDATE of any object but a Pod's UPDATE (a pod's spec
/// is immutable once created: a patch there would make the API server refuse
/// the update) and subresources. Exempt namespaces are left alone.
pub fn mutate(request: &AdmissionRequest, settings: &AdmissionSettings) -> Result<Mutation, BadReview> {
    let unchanged = || Mutation { response: AdmissionResponse::allow(&request.uid), operations: 0 };
    let pod_update = request.operation == Operation::Update && request.kind.kind == "Pod";
    if !matches!(request.operation, Operation::Create | Operation::Update)
        || pod_update
        || request.sub_resource.as_deref().is_some_and(|s| !s.is_empty())
    {
        return Ok(unchanged());
    }
    let object = request.object.as_ref().filter(|o| !o.is_null()).ok_or_else(|| BadReview {
        uid: Some(request.uid.clone()),
        message: format!("request.object is missing for {:?}", request.operation),
    })?;
    if !object.is_object() {
        return Err(BadReview {
            uid: Some(request.uid.clone()),
            message: "request.object is not a JSON object".into(),
        });
    }
    let namespace = request.namespace.as_deref().or_else(|| object.get("metadata")?.get("namespace")?.as_str());
    if settings.is_exempt(namespace) {
        return Ok(unchanged());
    }
    let ops = secure_defaults(object, &settings.defaults);
    if ops.is_empty() {
        return Ok(unchanged());
    }
    let mut response = AdmissionResponse::allow(&request.uid);
    // A Vec of plain ops serialises without error.
    let patch = serde_json::to_vec(&ops).unwrap_or_default();
    response.patch_type = Some("JSONPatch");
    response.patch = Some(base64::engine::general_purpose::STANDARD.encode(patch));
    Ok(Mutation { response, operations: ops.len() })
}
