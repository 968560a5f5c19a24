//! The check registry: one file per check, named after its PSA id.

use crate::pod::Pod;
use crate::Level;

pub use capabilities_baseline::DEFAULT_CAPABILITIES as BASELINE_CAPABILITIES;
pub use sysctls::allowed as sysctl_is_safe;

mod allow_privilege_escalation;
mod app_armor_profile;
mod capabilities_baseline;
mod capabilities_restricted;
mod host_namespaces;
mod host_path_volumes;
mod host_ports;
mod host_probes_and_host_lifecycle;
mod privileged;
mod proc_mount;
mod proc_mount_restricted;
mod restricted_volumes;
mod run_as_non_root;
mod run_as_user;
mod se_linux_options;
mod seccomp_profile_baseline;
mod seccomp_profile_restricted;
mod sysctls;
mod windows_host_process;

/// What is known about a check without running it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CheckInfo {
    /// The PSA check id, e.g. `capabilities_restricted`.
    pub id: &'static str,
    /// The level it belongs to (baseline checks also run at restricted).
    pub level: Level,
    /// The minor policy versions at which the check got a new revision; the
    /// first one is when it appeared.
    pub versions: &'static [u32],
    /// Baseline checks this (restricted) check replaces at the restricted
    /// level, whenever it is in force.
    pub overrides: &'static [&'static str],
}

impl CheckInfo {
    /// The first policy version the check applies to.
    pub fn since(&self) -> u32 {
        self.versions.first().copied().unwrap_or(0)
    }
}

/// A check forbade the pod.
pub(crate) struct Forbidden {
    pub reason: String,
    pub detail: String,
    pub pointers: Vec<String>,
}

pub(crate) struct Check {
    pub info: CheckInfo,
    /// Runs the revision in force at the given minor version.
    pub eval: fn(&Pod<'_>, u32) -> Option<Forbidden>,
}

/// In evaluation order: baseline checks, then restricted checks.
pub(crate) static CHECKS: [&Check; 19] = [
    &app_armor_profile::CHECK,
    &capabilities_baseline::CHECK,
    &host_namespaces::CHECK,
    &host_path_volumes::CHECK,
    &host_ports::CHECK,
    &host_probes_and_host_lifecycle::CHECK,
    &privileged::CHECK,
    &proc_mount::CHECK,
    &se_linux_options::CHECK,
    &seccomp_profile_baseline::CHECK,
    &sysctls::CHECK,
    &windows_host_process::CHECK,
    &allow_privilege_escalation::CHECK,
    &capabilities_restricted::CHECK,
    &proc_mount_restricted::CHECK,
    &restricted_volumes::CHECK,
    &run_as_non_root::CHECK,
    &run_as_user::CHECK,
    &seccomp_profile_restricted::CHECK,
];

/// The checks in force for `level` at `minor`.
pub(crate) fn active(level: Level, minor: u32) -> impl Iterator<Item = &'static Check> {
    let in_force = move |c: &&'static Check| c.info.level <= level && c.info.since() <= minor;
    let overridden: Vec<&'static str> = if level == Level::Restricted {
        CHECKS.iter().copied().filter(in_force).flat_map(|c| c.info.overrides.iter().copied()).collect()
    } else {
        Vec::new()
    };
    CHECKS
        .iter()
        .copied()
        .filter(move |c| level != Level::Privileged && in_force(c) && !overridden.contains(&c.info.id))
}

/// The revision in force at `minor`: the newest of `versions` not after it.
pub(crate) fn revision(versions: &[u32], minor: u32) -> u32 {
    versions.iter().copied().filter(|v| *v <= minor).max().unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_versions_increase_and_latest_is_the_newest_revision() {
        let mut ids: Vec<_> = CHECKS.iter().map(|c| c.info.id).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), CHECKS.len());
        for c in CHECKS {
            assert!(!c.info.versions.is_empty(), "{}", c.info.id);
            assert!(c.info.versions.windows(2).all(|w| w[0] < w[1]), "{}", c.info.id);
            for o in c.info.overrides {
                assert_eq!(c.info.level, Level::Restricted, "{} overrides", c.info.id);
                assert!(CHECKS.iter().any(|b| b.info.id == *o && b.info.level == Level::Baseline), "{o}");
            }
        }
        let newest = CHECKS.iter().flat_map(|c| c.info.versions.iter().copied()).max();
        assert_eq!(newest, Some(crate::LATEST_MINOR));
        // Baseline checks come first, as the plugin evaluates them first.
        let first_restricted = CHECKS.iter().position(|c| c.info.level == Level::Restricted).unwrap();
        assert!(CHECKS[first_restricted..].iter().all(|c| c.info.level == Level::Restricted));
    }

    #[test]
    fn overrides_replace_baseline_twins_only_once_the_restricted_check_exists() {
        let ids = |level, minor| active(level, minor).map(|c| c.info.id).collect::<Vec<_>>();
        assert!(ids(Level::Privileged, 37).is_empty());
        let restricted_21 = ids(Level::Restricted, 21);
        assert!(restricted_21.contains(&"capabilities_baseline"));
        assert!(!restricted_21.contains(&"capabilities_restricted"));
        assert!(!restricted_21.contains(&"hostPathVolumes"), "restrictedVolumes overrides it from v1.0");
        let restricted_22 = ids(Level::Restricted, 22);
        assert!(!restricted_22.contains(&"capabilities_baseline"));
        assert!(restricted_22.contains(&"capabilities_restricted"));
        assert!(ids(Level::Restricted, 18).contains(&"seccompProfile_baseline"));
        assert!(!ids(Level::Restricted, 19).contains(&"seccompProfile_baseline"));
        assert!(ids(Level::Restricted, 34).contains(&"procMount"));
        assert!(!ids(Level::Restricted, 35).contains(&"procMount"));
        assert!(ids(Level::Baseline, 35).contains(&"procMount"));
        assert!(!ids(Level::Baseline, 37).contains(&"runAsNonRoot"));
        assert!(!ids(Level::Baseline, 33).contains(&"hostProbesAndHostLifecycle"));
        assert!(ids(Level::Baseline, 34).contains(&"hostProbesAndHostLifecycle"));
    }

    #[test]
    fn revision_picks_the_newest_not_after_the_version() {
        assert_eq!(revision(&[0, 27, 29, 32, 37], 0), 0);
        assert_eq!(revision(&[0, 27, 29, 32, 37], 28), 27);
        assert_eq!(revision(&[0, 27, 29, 32, 37], 36), 32);
        assert_eq!(revision(&[0, 27, 29, 32, 37], 37), 37);
    }
}
