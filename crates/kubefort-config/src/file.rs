//! The configuration file format and its discovery.

use kubefort_load::{Diagnostic, Limits};
use kubefort_model::{Node, Pos, Severity};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub const CONFIG_FILE_NAMES: [&str; 2] = [".kubefort.yaml", ".kubefort.yml"];

/// `.kubefort.yaml`. Every field is optional.
///
/// ```yaml
/// select: [KF-POD, KF-IMG]          # rule ids, names or id prefixes
/// ignore: [KF-POD-024]
/// failOn: high                       # exit 1 at or above (default: low)
/// minSeverity: low                   # hide findings below
/// severity: {KF-IMG-002: medium}     # per-rule overrides
/// trustedRegistries: [registry.example.com, ghcr.io/acme]
/// exemptions:
///   - rules: [KF-POD-009]            # empty: every rule
///     namespaces: [kube-system]
///     names: ["cilium*"]             # globs over object names
///     kinds: [DaemonSet]
///     paths: ["vendor/**"]           # globs over file paths
///     reason: CNI agent needs the host network
/// audit:                             # kubefort audit analyze
///   allowedUsers: [alice, ci-deployer]
///   trustedImages: {privileged: [docker.io/calico/node]}
/// admission:                         # kubefort serve --admission
///   actions: {critical: deny, high: deny, medium: warn, low: warn, info: audit}
///   exemptNamespaces: [kube-system]
///   grandfatherOnUpdate: true
///   ignore: [KF-NET]                 # rules skipped in admission only
///   defaults: {disableTokenAutomount: true, runAsUser: 10001}
/// ```
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Config {
    #[serde(default)]
    pub select: Vec<String>,
    #[serde(default)]
    pub ignore: Vec<String>,
    pub fail_on: Option<Severity>,
    pub min_severity: Option<Severity>,
    #[serde(default)]
    pub severity: BTreeMap<String, Severity>,
    #[serde(default)]
    pub trusted_registries: Vec<String>,
    #[serde(default)]
    pub exemptions: Vec<Exemption>,
    /// Pod Security Standards level and version to evaluate when a namespace pins none.
    pub pss: Option<PssConfig>,
    /// Namespaces where privileged workloads are expected (default: kube-system).
    #[serde(default)]
    pub privileged_namespaces: Vec<String>,
    /// Allow-lists and windows of `kubefort audit analyze` (see [`kubefort_audit::AuditSettings`]).
    #[serde(default)]
    pub audit: kubefort_audit::AuditSettings,
    /// What `kubefort serve --admission` does with findings (see [`kubefort_admission::AdmissionSettings`]).
    #[serde(default)]
    pub admission: kubefort_admission::AdmissionSettings,
    /// Age in days after which a Secret should have been rotated (default 90).
    pub secret_rotation_days: Option<u32>,
    /// Where the file was read from (set by [`Config::load`]).
    #[serde(skip)]
    pub path: Option<PathBuf>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Exemption {
    #[serde(default)]
    pub rules: Vec<String>,
    #[serde(default)]
    pub namespaces: Vec<String>,
    #[serde(default)]
    pub names: Vec<String>,
    #[serde(default)]
    pub kinds: Vec<String>,
    #[serde(default)]
    pub paths: Vec<String>,
    /// Required: an exemption is an accepted risk and must say why.
    pub reason: String,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PssConfig {
    pub level: Option<String>,
    pub version: Option<String>,
}

impl Config {
    /// Reads and validates a config file. Errors name the file, line and column.
    pub fn load(path: &Path) -> Result<Config, Diagnostic> {
        let name: Arc<str> = Arc::from(path.display().to_string());
        let text = std::fs::read_to_string(path)
            .map_err(|e| Diagnostic::error(&name, Pos::default(), format!("cannot read config: {e}")))?;
        let mut config = Config::parse(&text, &name)?;
        config.path = Some(path.to_owned());
        Ok(config)
    }

    pub fn parse(text: &str, name: &Arc<str>) -> Result<Config, Diagnostic> {
        let parsed = kubefort_load::yaml::parse_str(text, name, Limits::default());
        if let Some(error) = parsed.diagnostics.into_iter().find(|d| d.level == kubefort_load::Level::Error) {
            return Err(error);
        }
        let Some(root) = parsed.documents.into_iter().next().map(|d| d.root) else {
            return Ok(Config::default());
        };
        let json = root.to_json();
        let config: Config = serde_path_to_error::deserialize(&json).map_err(|e| {
            let pointer = path_to_pointer(e.path());
            let pos = position_of(&root, &pointer);
            Diagnostic::error(name, pos, format!("invalid config at `{}`: {}", e.path(), e.inner()))
        })?;
        for (i, exemption) in config.exemptions.iter().enumerate() {
            if exemption.reason.trim().is_empty() {
                let pos = position_of(&root, &format!("/exemptions/{i}"));
                return Err(Diagnostic::error(name, pos, "exemption needs a non-empty `reason`"));
            }
        }
        if let Some(pss) = &config.pss {
            let invalid = |field: &str, e: &dyn std::fmt::Display| {
                Diagnostic::error(
                    name,
                    position_of(&root, &format!("/pss/{field}")),
                    format!("invalid config at `pss.{field}`: {e}"),
                )
            };
            if let Some(Err(e)) = pss.level.as_deref().map(str::parse::<kubefort_pss::Level>) {
                return Err(invalid("level", &e));
            }
            if let Some(Err(e)) = pss.version.as_deref().map(str::parse::<kubefort_pss::Version>) {
                return Err(invalid("version", &e));
            }
        }
        Ok(config)
    }
}

fn path_to_pointer(path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    path.iter()
        .filter_map(|s| match s {
            Segment::Seq { index } => Some(format!("/{index}")),
            Segment::Map { key } => Some(format!("/{}", kubefort_model::escape_token(key))),
            Segment::Enum { variant } => Some(format!("/{variant}")),
            Segment::Unknown => None,
        })
        .collect()
}

fn position_of(root: &Node, pointer: &str) -> Pos {
    root.pointer_nearest(pointer).map_or(root.pos, |(n, _)| n.pos)
}

/// Finds `.kubefort.yaml` in the directory of `start` or any parent.
pub fn discover(start: &Path) -> Option<PathBuf> {
    let start = std::fs::canonicalize(start).ok()?;
    let mut dir = if start.is_dir() { Some(start.as_path()) } else { start.parent() };
    while let Some(d) = dir {
        for name in CONFIG_FILE_NAMES {
            let candidate = d.join(name);
            if candidate.is_file() {
                return Some(candidate);
            }
        }
        dir = d.parent();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Config, Diagnostic> {
        Config::parse(text, &Arc::from(".kubefort.yaml"))
    }

    #[test]
    fn full_config_parses() {
        let c = parse("select: [KF-POD]\nfailOn: high\nseverity:\n  KF-IMG-002: medium\ntrustedRegistries: [ghcr.io/acme]\nexemptions:\n  - namespaces: [kube-system]\n    reason: system\n").unwrap();
        assert_eq!(c.fail_on, Some(Severity::High));
        assert_eq!(c.severity["KF-IMG-002"], Severity::Medium);
        assert_eq!(c.exemptions[0].namespaces, ["kube-system"]);
    }

    #[test]
    fn errors_point_at_the_offending_line() {
        let e = parse("select: [KF-POD]\nfailOn: urgent\n").unwrap_err();
        assert_eq!((e.line, e.column), (2, 9), "{e}");
        assert!(e.message.contains("failOn"), "{e}");
        let e = parse("select: []\nexemptions:\n  - namespaces: [a]\n    resaon: typo\n").unwrap_err();
        assert_eq!(e.line, 4, "{e}");
        assert!(e.message.contains("resaon"), "{e}");
        let e = parse("exemptions:\n  - namespaces: [a]\n    reason: ''\n").unwrap_err();
        assert!(e.message.contains("reason"), "{e}");
        let e = parse("select: []\npss:\n  level: baseline\n  version: v1.2x\n").unwrap_err();
        assert_eq!((e.line, e.column), (4, 12), "{e}");
        assert!(e.message.contains("pss.version"), "{e}");
        let c = parse("pss: {level: baseline, version: v1.29}\nprivilegedNamespaces: [kube-system, cni]\n").unwrap();
        assert_eq!(c.pss.unwrap().version.as_deref(), Some("v1.29"));
        assert_eq!(c.privileged_namespaces, ["kube-system", "cni"]);
        let c = parse(
            "admission:\n  actions: {low: audit}\n  exemptNamespaces: [kube-system]\n  defaults: {runAsUser: 10001}\n",
        )
        .unwrap();
        assert_eq!(c.admission.actions.of(Severity::Low), kubefort_admission::Action::Audit);
        assert_eq!(c.admission.defaults.run_as_user, Some(10001));
        let e = parse("admission:\n  actions:\n    high: block\n").unwrap_err();
        assert_eq!(e.line, 3, "{e}");
        assert!(e.message.contains("admission.actions.high"), "{e}");
        let c = parse("audit:\n  allowedUsers: [alice]\n  trustedImages: {privileged: [calico/node]}\n").unwrap();
        assert_eq!(c.audit.allowed_users, ["alice"]);
        assert_eq!(c.audit.trusted_images.privileged, ["calico/node"]);
        let e = parse("audit:\n  allowedUsers: [alice]\n  clusterRange: []\n").unwrap_err();
        assert_eq!(e.line, 3, "{e}");
        let e = parse("select: [unclosed\n").unwrap_err();
        assert!(e.message.contains("invalid YAML"), "{e}");
    }

    #[test]
    fn discovered_upwards() {
        let dir = std::env::temp_dir().join(format!("kf-config-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("a/b")).unwrap();
        std::fs::write(dir.join(".kubefort.yaml"), "select: []\n").unwrap();
        let found = discover(&dir.join("a/b"));
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(found.unwrap().file_name().unwrap(), ".kubefort.yaml");
    }
}
