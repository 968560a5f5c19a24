//! KF-POD-*: pod and container security settings, service accounts,
//! resources and probes. Every rule sees the pod spec of every workload kind
//! through [`kubefort_model::PodSpecRef`].

use kubefort_model::Rule;

mod privileged;

pub use privileged::PrivilegedContainer;

pub const RULES: &[&dyn Rule] = &[&PrivilegedContainer];
