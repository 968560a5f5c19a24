//! KF-IMG-*: container image references (tags, digests, registries, base images).

use kubefort_model::Rule;

mod latest_tag;
mod reference;

pub use latest_tag::ImageLatestTag;
pub use reference::ImageRef;

pub const RULES: &[&dyn Rule] = &[&ImageLatestTag];
