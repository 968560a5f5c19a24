//! Admission without I/O. The server (`kubefort-server`) decodes HTTP, this
//! crate decides: `/validate` evaluates the object with the same rules as
//! `kubefort scan`, `/mutate` answers with a JSON Patch of secure defaults
//! ([`defaults`]), which `kubefort fix` also applies to manifests on disk.

pub mod defaults;
