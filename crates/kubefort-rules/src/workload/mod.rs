//! KF-POD-*: pod and container security settings, service accounts,
//! resources and probes. Every rule sees the pod spec of every workload kind
//! through [`kubefort_model::PodSpecRef`].

use kubefort_model::Rule;

mod cpu_limits_missing;
mod cpu_requests_missing;
mod default_service_account;
mod liveness_probe_missing;
mod memory_limits_missing;
mod memory_requests_missing;
mod privileged;
mod probes;
mod readiness_probe_missing;
mod resources;
mod service_account_token_automount;

pub use cpu_limits_missing::CpuLimitsMissing;
pub use cpu_requests_missing::CpuRequestsMissing;
pub use default_service_account::DefaultServiceAccount;
pub use liveness_probe_missing::LivenessProbeMissing;
pub use memory_limits_missing::MemoryLimitsMissing;
pub use memory_requests_missing::MemoryRequestsMissing;
pub use privileged::PrivilegedContainer;
pub use readiness_probe_missing::ReadinessProbeMissing;
pub use service_account_token_automount::ServiceAccountTokenAutomount;

pub const RULES: &[&dyn Rule] = &[
    &PrivilegedContainer,
    &DefaultServiceAccount,
    &ServiceAccountTokenAutomount,
    &CpuRequestsMissing,
    &CpuLimitsMissing,
    &MemoryRequestsMissing,
    &MemoryLimitsMissing,
    &LivenessProbeMissing,
    &ReadinessProbeMissing,
];
