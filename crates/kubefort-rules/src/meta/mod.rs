//! KF-CFG-*: problems with kubefort's own configuration written on objects
//! (the `kubefort.io/ignore` suppression annotation).

use kubefort_model::Rule;

mod suppression_expired;
mod suppression_invalid;
mod suppression_without_reason;

pub use suppression_expired::SuppressionExpired;
pub use suppression_invalid::SuppressionInvalid;
pub use suppression_without_reason::SuppressionWithoutReason;

pub const RULES: &[&dyn Rule] = &[&SuppressionWithoutReason, &SuppressionExpired, &SuppressionInvalid];

/// The pointer of the suppression annotation.
fn annotation_pointer() -> String {
    kubefort_model::pointer_join("/metadata/annotations", crate::suppression::ANNOTATION)
}
