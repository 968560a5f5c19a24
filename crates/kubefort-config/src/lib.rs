//! `.kubefort.yaml`: what to check, how severe it is, what is exempt, and the
//! baseline of accepted findings.

mod baseline;
mod file;
mod policy;

pub use baseline::Baseline;
pub use file::{discover, Config, Exemption, PssConfig, CONFIG_FILE_NAMES};
pub use policy::{Exempted, Policy};
