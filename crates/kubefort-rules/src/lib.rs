//! The per-object rules (one file each, grouped by area), the registry that
//! lists them, and the engine that runs them over an inventory.
//!
//! A rule is declared with [`kubefort_model::declare_rule!`]; its doc comment
//! is its documentation (`kubefort explain ID` prints it).

pub mod controlplane;
mod engine;
pub mod image;
pub mod mesh;
pub mod meta;
pub mod network;
pub mod pss;
pub mod rbac;
mod registry;
pub mod secrets;
pub mod storage;
pub mod suppression;
#[cfg(test)]
mod testing;
pub mod workload;

pub use engine::{run, run_streaming, Outcome, Suppressed};
pub use registry::{all_rules, find_rule, Selection};
