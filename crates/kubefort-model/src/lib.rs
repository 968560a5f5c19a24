//! kubefort's core types. Nothing here does I/O: loaders produce [`Object`]s,
//! analyses read them through an [`Inventory`] and emit [`Finding`]s.

mod controller;
mod date;
mod finding;
mod inventory;
mod node;
mod object;
mod pointer;
mod rule;
mod severity;
mod workload;

pub use date::Date;
pub use finding::{fingerprint, Finding, Fingerprint, Location, ObjectRef};
pub use inventory::Inventory;
pub use node::{Key, Map, MapBuilder, Node, Pos, Value};
pub use object::{Object, Source};
pub use pointer::{escape_token, pointer_join, unescape_token};
pub use rule::{Context, Prepare, Rule, RuleMeta, Settings, Sink};
pub use severity::Severity;
pub use workload::{ContainerKind, ContainerRef, Effective, PodSpecRef, SettingSource};
