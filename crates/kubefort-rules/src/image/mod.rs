//! KF-IMG-*: container image references (tags, digests, registries, base images).

use kubefort_model::Rule;

mod full_os_base_image;
mod latest_tag;
mod not_pinned_by_digest;
mod reference;
mod untrusted_registry;

pub use full_os_base_image::FullOsBaseImage;
pub use latest_tag::ImageLatestTag;
pub use not_pinned_by_digest::ImageNotPinnedByDigest;
pub use reference::ImageRef;
pub use untrusted_registry::UntrustedRegistry;

pub const RULES: &[&dyn Rule] = &[&ImageLatestTag, &ImageNotPinnedByDigest, &UntrustedRegistry, &FullOsBaseImage];
