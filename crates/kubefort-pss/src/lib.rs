//! Pod Security Standards, evaluated check for check as Kubernetes'
//! pod-security-admission plugin (`k8s.io/pod-security-admission/policy`)
//! does.
//!
//! A policy is a [`Level`] (privileged, baseline, restricted) at a
//! [`Version`] (`v1.0` … `v1.37`, or `latest`). Every check keeps the
//! revisions it had upstream (see [`CheckInfo::versions`]), so pinning a
//! version gives that version's behaviour: seccomp annotations before v1.19
//! and fields after, the sysctl allow-list growing at v1.27, v1.29, v1.32 and
//! v1.37, probe hosts forbidden from v1.34, user-namespace relaxations at
//! v1.35, and so on. At the restricted level a restricted check replaces the
//! baseline checks it overrides (the plugin's `OverrideCheckIDs`), e.g.
//! `capabilities_restricted` replaces `capabilities_baseline` from v1.22.
//!
//! ```
//! use kubefort_pss::{evaluate, Level, Version};
//! # use kubefort_model::{Node, Object, Pos, Source};
//! # let json = serde_json::json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
//! #     "spec": {"hostNetwork": true, "containers": [{"name": "app", "image": "nginx"}]}});
//! # let pod = Object::from_node(Node::from_json(&json, Pos::new(1, 1)), Source::default(), String::new()).unwrap();
//! let eval = evaluate(&pod, Level::Baseline, Version::Latest).expect("a Pod has a pod spec");
//! assert!(!eval.allowed);
//! assert_eq!(eval.forbidden[0].check, "hostNamespaces");
//! assert_eq!(eval.forbidden[0].pointer, "/spec/hostNetwork");
//! ```

mod checks;
mod meta;
pub mod namespace;
mod pod;
mod report;

use std::fmt;
use std::str::FromStr;

use kubefort_model::{Object, PodSpecRef};

pub use checks::{sysctl_is_safe, CheckInfo, BASELINE_CAPABILITIES};
pub use meta::{rule_meta, rule_metas};
pub use report::{report, result, ForbiddenEntry, PssReport, PssResult};

/// The newest policy version any check has a revision for; `latest` (and
/// any newer version) evaluates as this one, as the plugin clamps versions to
/// its registry's maximum.
pub const LATEST_MINOR: u32 = 37;

/// A Pod Security Standards level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    Privileged,
    Baseline,
    Restricted,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Privileged => "privileged",
            Level::Baseline => "baseline",
            Level::Restricted => "restricted",
        }
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An error from parsing a [`Level`] or a [`Version`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError(String);

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ParseError {}

impl FromStr for Level {
    type Err = ParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "privileged" => Ok(Level::Privileged),
            "baseline" => Ok(Level::Baseline),
            "restricted" => Ok(Level::Restricted),
            _ => Err(ParseError(format!("invalid level {s:?}: must be one of privileged, baseline, restricted"))),
        }
    }
}

/// A policy version: `v1.N` or `latest`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Version {
    /// `v1.N`; the value is the minor version N.
    V(u32),
    Latest,
}

impl Version {
    /// The minor version whose checks apply: versions newer than
    /// [`LATEST_MINOR`] and `latest` evaluate as [`LATEST_MINOR`].
    pub fn resolve(self) -> u32 {
        match self {
            Version::V(minor) => minor.min(LATEST_MINOR),
            Version::Latest => LATEST_MINOR,
        }
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Version::V(minor) => write!(f, "v1.{minor}"),
            Version::Latest => f.write_str("latest"),
        }
    }
}

impl FromStr for Version {
    type Err = ParseError;
    /// Accepts what the plugin accepts: `latest` or `v1.N` (no leading zero).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s == "latest" {
            return Ok(Version::Latest);
        }
        let invalid = || ParseError(format!("invalid version {s:?}: must be v1.N or latest"));
        let minor = s.strip_prefix("v1.").ok_or_else(invalid)?;
        let well_formed =
            !minor.is_empty() && minor.bytes().all(|b| b.is_ascii_digit()) && (minor == "0" || !minor.starts_with('0'));
        if !well_formed {
            return Err(invalid());
        }
        minor.parse().map(Version::V).map_err(|_| invalid())
    }
}

/// One check that forbids the pod.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// The PSA check id, e.g. `hostNamespaces`.
    pub check: &'static str,
    /// The plugin's short forbidden reason, e.g. `host namespaces`.
    pub reason: String,
    /// The plugin's detail, naming the containers and fields, e.g.
    /// `container "app" must not set securityContext.privileged=true`.
    pub detail: String,
    /// JSON pointer of the first offending field (or of where a required
    /// field is missing; `Object::location_of` falls back to its parent).
    pub pointer: String,
    /// Pointers of every offending field, first one first.
    pub pointers: Vec<String>,
}

impl Violation {
    /// The id kubefort's findings use for this check: `pss:hostNamespaces`.
    pub fn rule_id(&self) -> String {
        format!("pss:{}", self.check)
    }

    /// `reason (detail)`, as the plugin prints one check of a denial.
    pub fn message(&self) -> String {
        if self.detail.is_empty() {
            self.reason.clone()
        } else {
            format!("{} ({})", self.reason, self.detail)
        }
    }
}

/// The outcome of evaluating one pod spec.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Evaluation {
    pub allowed: bool,
    /// Baseline checks first, then restricted ones, each in the plugin's
    /// registration order (its `check_*.go` file names).
    pub forbidden: Vec<Violation>,
}

impl Evaluation {
    /// `disallowed by policy "restricted:latest"`-style one-line summary:
    /// every reason with its detail, comma-separated.
    pub fn message(&self) -> String {
        self.forbidden.iter().map(Violation::message).collect::<Vec<_>>().join(", ")
    }
}

/// Evaluates the pod spec of `object` (a Pod or the template of any workload
/// kind) against `level` at `version`. `None` when the object has no pod spec.
pub fn evaluate(object: &Object, level: Level, version: Version) -> Option<Evaluation> {
    let spec = PodSpecRef::of(object)?;
    Some(evaluate_pod_spec(spec, level, version))
}

/// Evaluates one pod spec (see [`evaluate`]).
pub fn evaluate_pod_spec(spec: PodSpecRef<'_>, level: Level, version: Version) -> Evaluation {
    let pod = pod::Pod::new(spec);
    let minor = version.resolve();
    let forbidden: Vec<Violation> = checks::active(level, minor)
        .filter_map(|check| {
            let f = (check.eval)(&pod, minor)?;
            Some(Violation {
                check: check.info.id,
                reason: f.reason,
                detail: f.detail,
                pointer: f.pointers.first().cloned().unwrap_or_else(|| pod.spec_pointer.to_owned()),
                pointers: f.pointers,
            })
        })
        .collect();
    Evaluation { allowed: forbidden.is_empty(), forbidden }
}

/// Every check kubefort knows, in evaluation order.
pub fn all_checks() -> impl Iterator<Item = &'static CheckInfo> {
    checks::CHECKS.iter().map(|c| &c.info)
}

/// The checks that run for `level` at `version`: the baseline checks that
/// exist at that version, and at the restricted level the restricted ones,
/// minus the baseline checks they override.
pub fn checks_at(level: Level, version: Version) -> Vec<&'static CheckInfo> {
    checks::active(level, version.resolve()).map(|c| &c.info).collect()
}

/// The id of the check that runs in place of `id` for `level` at `version`:
/// `id` itself when it runs, the restricted check that overrides it, or
/// `None` when neither runs (e.g. a restricted check at the baseline level).
pub fn effective_check(id: &str, level: Level, version: Version) -> Option<&'static str> {
    let active = checks_at(level, version);
    active.iter().find(|c| c.id == id).or_else(|| active.iter().find(|c| c.overrides.contains(&id))).map(|c| c.id)
}
