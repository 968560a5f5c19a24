//! Kubernetes RBAC, exactly as the API server evaluates it.
//!
//! - [`Authorizer`]: reads Roles, ClusterRoles, RoleBindings and
//!   ClusterRoleBindings (optionally with Kubernetes' default policy),
//!   resolves ClusterRole aggregation, and answers `can`, `who-can` and
//!   effective-permission questions with proofs down to file:line.
//! - [`matching`]: the rule matching of `RuleAllows`.
//! - [`covers`]: whether one set of rules covers another (`Covers`, the
//!   check behind `escalate` and `bind`).
//! - [`Identity`]: a user, service account or group with the implicit
//!   groups the API server adds.

pub mod assert;
pub mod authorizer;
pub mod covers;
pub mod defaults;
pub mod facts;
pub mod identity;
pub mod matching;
pub mod paths;
pub mod policy;
pub mod synthetic;

pub use authorizer::{Authorizer, Decision, Grant, NameScope, Options, Permission, Proof, WhoCan};
pub use covers::covers;
pub use facts::Facts;
pub use identity::Identity;
pub use matching::{rule_allows, Request, Target};
pub use paths::{Goal, Graph, Principal, Technique};
pub use policy::{Binding, BindingKind, PolicyRule, Problem, Role, RoleKind, Subject, SubjectKind};
