//! KF-STO-*: where data lives: PersistentVolumes on node paths, disks
//! provisioned without encryption, volumes shared across trust boundaries.

use kubefort_model::Rule;

mod host_path_pv;
mod shared_rwx_claim;
mod unencrypted_storage_class;

pub use host_path_pv::HostPathPersistentVolume;
pub use shared_rwx_claim::SharedRwxClaim;
pub use unencrypted_storage_class::UnencryptedStorageClass;

pub const RULES: &[&dyn Rule] = &[&HostPathPersistentVolume, &UnencryptedStorageClass, &SharedRwxClaim];
