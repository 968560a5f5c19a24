//! Admission without I/O. The server (`kubefort-server`) decodes HTTP, this
//! crate decides: `/validate` evaluates the object with the same rules as
//! `kubefort scan` ([`validate`]), `/mutate` answers with a JSON Patch of
//! secure defaults ([`mutate`], [`defaults`]), which `kubefort fix` also
//! applies to manifests on disk.

pub mod defaults;
pub mod mutate;
pub mod review;
pub mod settings;
pub mod validate;

pub use mutate::{mutate, Mutation};
pub use review::{AdmissionRequest, AdmissionResponse, BadReview};
pub use settings::{Action, Actions, AdmissionSettings};
pub use validate::{Decision, Policy, Validator, Verdict};
