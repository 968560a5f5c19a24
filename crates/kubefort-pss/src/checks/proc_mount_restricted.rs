//! `procMount_restricted` (restricted, since v1.35): containers must keep the
//! default `/proc` masks (`securityContext.procMount` unset or `Default`)
//! even in a user namespace. Replaces the baseline `procMount`, which relaxes
//! this for `spec.hostUsers: false` from v1.35.

use super::proc_mount::default_proc_mount_only;
use super::{Check, CheckInfo, Forbidden};
use crate::pod::Pod;
use crate::Level;

pub(crate) static CHECK: Check = Check {
    info: CheckInfo {
        id: "procMount_restricted",
        level: Level::Restricted,
        versions: &[35],
        overrides: &["procMount"],
    },
    eval,
};

fn eval(pod: &Pod<'_>, _minor: u32) -> Option<Forbidden> {
    default_proc_mount_only(pod)
}
