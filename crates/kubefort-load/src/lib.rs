//! Reads manifests from files, directories and stdin into [`Object`]s whose
//! every field keeps its source position.
//!
//! Documents are parsed in parallel (a multi-document file is split at its
//! `---` lines), `kind: List` and every `*List` kind are flattened, and a
//! file that fails to parse is reported with `file:line:column` while every
//! other document is still loaded.

mod diagnostic;
mod fast;
mod objects;
#[cfg(test)]
mod seeded;
mod sources;
pub mod yaml;

pub use diagnostic::{Diagnostic, Level};
pub use objects::objects_from_document;
pub use sources::{
    collect_files, input_name, load, load_texts, load_with_progress, read_text, Input, InputText, Loaded, Progress,
    Stage,
};
pub use yaml::Limits;
