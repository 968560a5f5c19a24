//! Which policy applies to a workload, as the PodSecurity admission plugin
//! decides it: the `pod-security.kubernetes.io/<mode>` and
//! `<mode>-version` labels of its Namespace, the `defaults` and
//! `exemptions` of the plugin's `PodSecurityConfiguration` (inside an
//! `AdmissionConfiguration` or on its own), and kubefort's own fallback when
//! neither pins a level.
//!
//! Label values are read the way the plugin reads them
//! (`k8s.io/pod-security-admission/api.PolicyToEvaluate`): an invalid
//! `enforce` level fails closed (`restricted`), an invalid `audit` or `warn`
//! level fails open (`privileged`), an invalid version means `latest`; every
//! invalid value is reported as a [`LabelIssue`].
//!
//! One deliberate difference: where the plugin falls back to
//! `privileged:latest` (no label and no configured default), kubefort uses
//! its own fallback level for `enforce` (`.kubefort.yaml` `pss`, default
//! `restricted:latest`) and records that it did ([`Source::Fallback`]).

use crate::{Level, Version};
use kubefort_model::{escape_token, Inventory, Node, Object};
use std::fmt;

/// The label prefix of every PodSecurity label.
pub const LABEL_PREFIX: &str = "pod-security.kubernetes.io/";

/// An admission mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Mode {
    /// Pods that violate the policy are rejected.
    Enforce,
    /// Violations are recorded in the audit log.
    Audit,
    /// Violations are returned to the client as warnings.
    Warn,
}

impl Mode {
    pub const ALL: [Mode; 3] = [Mode::Enforce, Mode::Audit, Mode::Warn];

    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Enforce => "enforce",
            Mode::Audit => "audit",
            Mode::Warn => "warn",
        }
    }
    /// `pod-security.kubernetes.io/enforce`
    pub fn level_label(self) -> &'static str {
        match self {
            Mode::Enforce => "pod-security.kubernetes.io/enforce",
            Mode::Audit => "pod-security.kubernetes.io/audit",
            Mode::Warn => "pod-security.kubernetes.io/warn",
        }
    }
    /// `pod-security.kubernetes.io/enforce-version`
    pub fn version_label(self) -> &'static str {
        match self {
            Mode::Enforce => "pod-security.kubernetes.io/enforce-version",
            Mode::Audit => "pod-security.kubernetes.io/audit-version",
            Mode::Warn => "pod-security.kubernetes.io/warn-version",
        }
    }
    /// The level an invalid level label is read as: the plugin fails closed
    /// for enforce and open for audit and warn.
    fn invalid_level(self) -> Level {
        match self {
            Mode::Enforce => Level::Restricted,
            Mode::Audit | Mode::Warn => Level::Privileged,
        }
    }
}

impl fmt::Display for Mode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A level at a version: `restricted:latest`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct LevelVersion {
    pub level: Level,
    pub version: Version,
}

impl LevelVersion {
    pub const RESTRICTED_LATEST: LevelVersion = LevelVersion { level: Level::Restricted, version: Version::Latest };
}

impl fmt::Display for LevelVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.level, self.version)
    }
}

/// Where the level of a mode came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Source {
    /// A label on the workload's Namespace.
    NamespaceLabel,
    /// The `defaults` of the PodSecurityConfiguration.
    AdmissionDefaults,
    /// kubefort's fallback (`--level`, `.kubefort.yaml` `pss`, or restricted:latest).
    Fallback,
}

impl Source {
    pub fn as_str(self) -> &'static str {
        match self {
            Source::NamespaceLabel => "namespace label",
            Source::AdmissionDefaults => "admission defaults",
            Source::Fallback => "kubefort default",
        }
    }
}

/// The policy of one mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pinned {
    pub level: Level,
    pub version: Version,
    pub source: Source,
}

impl Pinned {
    pub fn level_version(&self) -> LevelVersion {
        LevelVersion { level: self.level, version: self.version }
    }
}

/// The policy a namespace gets: enforce always has one (kubefort falls back
/// to its own level), audit and warn only when a label or a configured
/// default sets them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NamespacePolicy {
    pub enforce: Pinned,
    pub audit: Option<Pinned>,
    pub warn: Option<Pinned>,
}

impl NamespacePolicy {
    pub fn mode(&self, mode: Mode) -> Option<&Pinned> {
        match mode {
            Mode::Enforce => Some(&self.enforce),
            Mode::Audit => self.audit.as_ref(),
            Mode::Warn => self.warn.as_ref(),
        }
    }
}

/// An invalid PodSecurity label value on a Namespace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LabelIssue {
    /// The label key, e.g. `pod-security.kubernetes.io/enforce`.
    pub label: &'static str,
    pub value: String,
    /// Pointer of the label value within the Namespace object.
    pub pointer: String,
    /// What is wrong and what the plugin does instead.
    pub message: String,
}

/// The `defaults` of a PodSecurityConfiguration; a field left out is `None`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Defaults {
    pub enforce: Option<Level>,
    pub enforce_version: Option<Version>,
    pub audit: Option<Level>,
    pub audit_version: Option<Version>,
    pub warn: Option<Level>,
    pub warn_version: Option<Version>,
}

impl Defaults {
    pub fn level(&self, mode: Mode) -> Option<Level> {
        match mode {
            Mode::Enforce => self.enforce,
            Mode::Audit => self.audit,
            Mode::Warn => self.warn,
        }
    }
    pub fn version(&self, mode: Mode) -> Option<Version> {
        match mode {
            Mode::Enforce => self.enforce_version,
            Mode::Audit => self.audit_version,
            Mode::Warn => self.warn_version,
        }
    }
}

/// The `exemptions` of a PodSecurityConfiguration.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Exemptions {
    /// Requesting users the plugin does not check. Manifests do not say who
    /// will apply them, so kubefort reads these but cannot apply them.
    pub usernames: Vec<String>,
    pub runtime_classes: Vec<String>,
    pub namespaces: Vec<String>,
}

/// Why a workload is not evaluated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Exempt {
    Namespace(String),
    RuntimeClass(String),
}

impl fmt::Display for Exempt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Exempt::Namespace(ns) => write!(f, "namespace {ns} is exempt"),
            Exempt::RuntimeClass(rc) => write!(f, "runtimeClass {rc} is exempt"),
        }
    }
}

/// The PodSecurity plugin's configuration.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AdmissionConfig {
    pub defaults: Defaults,
    pub exemptions: Exemptions,
}

/// A problem in an AdmissionConfiguration or PodSecurityConfiguration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    /// Pointer of the offending field within the object.
    pub pointer: String,
    pub message: String,
}

const ADMISSION_GROUPS: [&str; 3] =
    ["apiserver.config.k8s.io/v1", "apiserver.config.k8s.io/v1alpha1", "apiserver.k8s.io/v1alpha1"];
const PSA_CONFIG_VERSIONS: [&str; 3] = [
    "pod-security.admission.config.k8s.io/v1",
    "pod-security.admission.config.k8s.io/v1beta1",
    "pod-security.admission.config.k8s.io/v1alpha1",
];

/// Whether an object is an AdmissionConfiguration or a PodSecurityConfiguration.
pub fn is_admission_config(object: &Object) -> bool {
    (object.kind == "AdmissionConfiguration" && ADMISSION_GROUPS.contains(&object.api_version.as_str()))
        || (object.kind == "PodSecurityConfiguration" && PSA_CONFIG_VERSIONS.contains(&object.api_version.as_str()))
}

impl AdmissionConfig {
    /// Reads the PodSecurity configuration from an AdmissionConfiguration
    /// (its `PodSecurity` plugin entry) or a bare PodSecurityConfiguration.
    /// `None` when the object is neither, or is an AdmissionConfiguration
    /// without a PodSecurity plugin.
    pub fn from_object(object: &Object) -> Option<Result<AdmissionConfig, Vec<ConfigError>>> {
        if !is_admission_config(object) {
            return None;
        }
        if object.kind == "PodSecurityConfiguration" {
            return Some(parse_psa_config(&object.root, ""));
        }
        let plugins = object.root.get("plugins")?.as_seq();
        let (i, plugin) =
            plugins.iter().enumerate().find(|(_, p)| p.get("name").and_then(Node::as_str) == Some("PodSecurity"))?;
        let base = format!("/plugins/{i}");
        Some(match plugin.get("configuration") {
            Some(configuration) => {
                let kind = configuration.get("kind").and_then(Node::as_str);
                let api_version = configuration.get("apiVersion").and_then(Node::as_str).unwrap_or("");
                if kind != Some("PodSecurityConfiguration") || !PSA_CONFIG_VERSIONS.contains(&api_version) {
                    Err(vec![ConfigError {
                        pointer: format!("{base}/configuration"),
                        message: "the PodSecurity plugin's configuration must be a PodSecurityConfiguration \
                                  (apiVersion pod-security.admission.config.k8s.io/v1)"
                            .into(),
                    }])
                } else {
                    parse_psa_config(configuration, &format!("{base}/configuration"))
                }
            }
            None => match plugin.get("path").and_then(Node::as_str) {
                Some(path) => Err(vec![ConfigError {
                    pointer: format!("{base}/path"),
                    message: format!(
                        "the PodSecurity configuration is in {path:?}: pass that file (a PodSecurityConfiguration) instead"
                    ),
                }]),
                // The plugin runs with its built-in defaults (privileged:latest, no exemptions).
                None => Ok(AdmissionConfig::default()),
            },
        })
    }

    /// Whether the workload is exempt: its namespace or its runtime class is listed.
    pub fn exemption(&self, object: &Object) -> Option<Exempt> {
        if let Some(ns) = &object.namespace {
            if self.exemptions.namespaces.iter().any(|e| e == ns) {
                return Some(Exempt::Namespace(ns.clone()));
            }
        }
        let spec = kubefort_model::PodSpecRef::of(object)?;
        let runtime_class = spec.spec.get("runtimeClassName").and_then(Node::as_str)?;
        self.exemptions
            .runtime_classes
            .iter()
            .any(|e| e == runtime_class)
            .then(|| Exempt::RuntimeClass(runtime_class.to_owned()))
    }
}

fn parse_psa_config(config: &Node, base: &str) -> Result<AdmissionConfig, Vec<ConfigError>> {
    let mut errors = Vec::new();
    let mut out = AdmissionConfig::default();
    if let Some(defaults) = config.get("defaults") {
        if defaults.as_map().is_none() && !defaults.is_null() {
            errors
                .push(ConfigError { pointer: format!("{base}/defaults"), message: "`defaults` must be a map".into() });
        }
        for mode in Mode::ALL {
            let level_key = mode.as_str();
            let version_key = format!("{level_key}-version");
            let level = defaults.get(level_key).map(|node| {
                let pointer = format!("{base}/defaults/{level_key}");
                match node.as_str().map(str::parse::<Level>) {
                    Some(Ok(level)) => Some(level),
                    Some(Err(e)) => {
                        errors.push(ConfigError { pointer, message: format!("defaults.{level_key}: {e}") });
                        None
                    }
                    None => {
                        errors.push(ConfigError { pointer, message: format!("defaults.{level_key} must be a string") });
                        None
                    }
                }
            });
            let version = defaults.get(&version_key).map(|node| {
                let pointer = format!("{base}/defaults/{version_key}");
                match node.as_str().map(str::parse::<Version>) {
                    Some(Ok(version)) => Some(version),
                    Some(Err(e)) => {
                        errors.push(ConfigError { pointer, message: format!("defaults.{version_key}: {e}") });
                        None
                    }
                    None => {
                        errors
                            .push(ConfigError { pointer, message: format!("defaults.{version_key} must be a string") });
                        None
                    }
                }
            });
            let (l, v) = match mode {
                Mode::Enforce => (&mut out.defaults.enforce, &mut out.defaults.enforce_version),
                Mode::Audit => (&mut out.defaults.audit, &mut out.defaults.audit_version),
                Mode::Warn => (&mut out.defaults.warn, &mut out.defaults.warn_version),
            };
            *l = level.flatten();
            *v = version.flatten();
        }
    }
    if let Some(exemptions) = config.get("exemptions") {
        for (key, target) in [
            ("usernames", &mut out.exemptions.usernames),
            ("runtimeClasses", &mut out.exemptions.runtime_classes),
            ("namespaces", &mut out.exemptions.namespaces),
        ] {
            let Some(list) = exemptions.get(key) else { continue };
            if list.is_null() {
                continue;
            }
            if !matches!(list.value, kubefort_model::Value::Seq(_)) {
                errors.push(ConfigError {
                    pointer: format!("{base}/exemptions/{key}"),
                    message: format!("exemptions.{key} must be a list of strings"),
                });
                continue;
            }
            for (i, item) in list.as_seq().iter().enumerate() {
                match item.as_str() {
                    Some(s) if !s.is_empty() => target.push(s.to_owned()),
                    _ => errors.push(ConfigError {
                        pointer: format!("{base}/exemptions/{key}/{i}"),
                        message: format!("exemptions.{key}[{i}] must be a non-empty string"),
                    }),
                }
            }
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

/// Resolves the policy of a namespace from its labels (key → value, in any
/// order), the configured defaults, and kubefort's fallback for enforce.
///
/// Per mode: the level comes from the label, else the configured default,
/// else (enforce only) the fallback. The version comes from the version
/// label, else the configured default version, else the fallback's version
/// when the level is the fallback's, else `latest`.
pub fn resolve_labels<'a>(
    labels: impl IntoIterator<Item = (&'a str, String, String)>,
    defaults: &Defaults,
    fallback: LevelVersion,
) -> (NamespacePolicy, Vec<LabelIssue>) {
    // Per mode: (level label, version label), each as (value, pointer).
    type Labelled = Option<(String, String)>;
    let mut found: [(Labelled, Labelled); 3] = Default::default();
    for (key, value, pointer) in labels {
        for (i, mode) in Mode::ALL.iter().enumerate() {
            if key == mode.level_label() {
                found[i].0 = Some((value.clone(), pointer.clone()));
            } else if key == mode.version_label() {
                found[i].1 = Some((value.clone(), pointer.clone()));
            }
        }
    }
    let mut issues = Vec::new();
    let mut pinned: [Option<Pinned>; 3] = [None; 3];
    for (i, mode) in Mode::ALL.into_iter().enumerate() {
        let (level_label, version_label) = &found[i];
        let level = match level_label {
            Some((value, pointer)) => Some((
                value.parse::<Level>().unwrap_or_else(|e| {
                    let used = mode.invalid_level();
                    issues.push(LabelIssue {
                        label: mode.level_label(),
                        value: value.clone(),
                        pointer: pointer.clone(),
                        message: format!(
                            "{} label: {e}; the admission plugin {} it as {used}",
                            mode.level_label(),
                            if mode == Mode::Enforce { "fails closed and reads" } else { "fails open and reads" }
                        ),
                    });
                    used
                }),
                Source::NamespaceLabel,
            )),
            None => match defaults.level(mode) {
                Some(level) => Some((level, Source::AdmissionDefaults)),
                None if mode == Mode::Enforce => Some((fallback.level, Source::Fallback)),
                None => None,
            },
        };
        // The version label is read (and reported when invalid) even when no
        // level applies to the mode, as the plugin does.
        let labelled_version = version_label.as_ref().map(|(value, pointer)| {
            value.parse::<Version>().unwrap_or_else(|e| {
                issues.push(LabelIssue {
                    label: mode.version_label(),
                    value: value.clone(),
                    pointer: pointer.clone(),
                    message: format!("{} label: {e}; the admission plugin reads it as latest", mode.version_label()),
                });
                Version::Latest
            })
        });
        let Some((level, source)) = level else { continue };
        let version = match labelled_version {
            Some(version) => version,
            None => match defaults.version(mode) {
                Some(version) => version,
                None if source == Source::Fallback => fallback.version,
                None => Version::Latest,
            },
        };
        pinned[i] = Some(Pinned { level, version, source });
    }
    let [enforce, audit, warn] = pinned;
    let enforce = enforce.expect("enforce always resolves");
    (NamespacePolicy { enforce, audit, warn }, issues)
}

/// The PodSecurity labels of a Namespace object: `(key, value, pointer)`.
pub fn pss_labels(namespace: &Object) -> Vec<(&str, String, String)> {
    namespace
        .labels()
        .into_iter()
        .flat_map(|m| m.iter())
        .filter(|(k, _)| k.starts_with(LABEL_PREFIX))
        .map(|(k, v)| {
            let value = v.scalar_text().unwrap_or_default();
            (k, value, format!("/metadata/labels/{}", escape_token(k)))
        })
        .collect()
}

/// Decides the policy of every workload of one run.
#[derive(Debug, Clone)]
pub struct Resolver<'a> {
    inventory: &'a Inventory,
    config: AdmissionConfig,
    fallback: LevelVersion,
}

/// The policy of one workload and where it came from.
#[derive(Debug, Clone)]
pub struct WorkloadPolicy<'a> {
    pub policy: NamespacePolicy,
    /// The Namespace object of the input that labels it, if any.
    pub namespace: Option<&'a Object>,
    pub exempt: Option<Exempt>,
}

impl<'a> Resolver<'a> {
    pub fn new(inventory: &'a Inventory, config: AdmissionConfig, fallback: LevelVersion) -> Self {
        Resolver { inventory, config, fallback }
    }

    pub fn config(&self) -> &AdmissionConfig {
        &self.config
    }
    pub fn fallback(&self) -> LevelVersion {
        self.fallback
    }

    /// The Namespace object named `name` among the input objects.
    pub fn namespace(&self, name: &str) -> Option<&'a Object> {
        self.inventory.get("Namespace", None, name)
    }

    /// The policy of a namespace object (its labels over the defaults).
    pub fn namespace_policy(&self, namespace: &Object) -> (NamespacePolicy, Vec<LabelIssue>) {
        resolve_labels(pss_labels(namespace), &self.config.defaults, self.fallback)
    }

    /// The policy for a workload in namespace `object.namespace`. An object
    /// without a namespace goes wherever it is applied; it gets the defaults.
    pub fn workload(&self, object: &Object) -> WorkloadPolicy<'a> {
        let namespace = object.namespace.as_deref().and_then(|ns| self.namespace(ns));
        let policy = match namespace {
            Some(ns) => self.namespace_policy(ns).0,
            None => resolve_labels(std::iter::empty(), &self.config.defaults, self.fallback).0,
        };
        WorkloadPolicy { policy, namespace, exempt: self.config.exemption(object) }
    }
}

/// What [`find_admission_config`] found: the configuration in force and the
/// object it came from, and the errors of every configuration object.
pub type Found<'a> = (Option<(AdmissionConfig, &'a Object)>, Vec<(&'a Object, ConfigError)>);

/// The PodSecurity configuration among `objects`: the first
/// AdmissionConfiguration with a PodSecurity plugin or PodSecurityConfiguration,
/// with the errors of each such object that could not be read.
pub fn find_admission_config<'a>(objects: impl IntoIterator<Item = &'a Object>) -> Found<'a> {
    let mut found = None;
    let mut errors = Vec::new();
    for object in objects {
        match AdmissionConfig::from_object(object) {
            Some(Ok(config)) if found.is_none() => found = Some((config, object)),
            Some(Ok(_)) => errors.push((
                object,
                ConfigError {
                    pointer: String::new(),
                    message: "a second PodSecurity configuration is ignored; the first one found applies".into(),
                },
            )),
            Some(Err(errs)) => errors.extend(errs.into_iter().map(|e| (object, e))),
            None => {}
        }
    }
    (found, errors)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(pairs: &[(&'static str, &str)]) -> Vec<(&'static str, String, String)> {
        pairs.iter().map(|(k, v)| (*k, v.to_string(), format!("/metadata/labels/{}", escape_token(k)))).collect()
    }

    const FALLBACK: LevelVersion = LevelVersion::RESTRICTED_LATEST;

    #[test]
    fn labels_pin_level_and_version_per_mode() {
        let (p, issues) = resolve_labels(
            labels(&[
                ("pod-security.kubernetes.io/enforce", "baseline"),
                ("pod-security.kubernetes.io/enforce-version", "v1.25"),
                ("pod-security.kubernetes.io/warn", "restricted"),
                ("app", "x"),
            ]),
            &Defaults::default(),
            FALLBACK,
        );
        assert!(issues.is_empty());
        assert_eq!(
            p.enforce,
            Pinned { level: Level::Baseline, version: Version::V(25), source: Source::NamespaceLabel }
        );
        assert_eq!(p.warn.unwrap().level_version().to_string(), "restricted:latest");
        assert_eq!(p.audit, None);
    }

    #[test]
    fn no_labels_use_configured_defaults_then_the_fallback() {
        let (p, _) = resolve_labels(
            Vec::new(),
            &Defaults::default(),
            LevelVersion { level: Level::Baseline, version: Version::V(30) },
        );
        assert_eq!(p.enforce, Pinned { level: Level::Baseline, version: Version::V(30), source: Source::Fallback });
        let defaults = Defaults {
            enforce: Some(Level::Privileged),
            audit: Some(Level::Restricted),
            audit_version: Some(Version::V(28)),
            ..Defaults::default()
        };
        let (p, _) = resolve_labels(Vec::new(), &defaults, FALLBACK);
        assert_eq!(
            p.enforce,
            Pinned { level: Level::Privileged, version: Version::Latest, source: Source::AdmissionDefaults }
        );
        assert_eq!(p.audit.unwrap().version, Version::V(28));
        // A label overrides the default level; the default version stays.
        let defaults =
            Defaults { enforce: Some(Level::Baseline), enforce_version: Some(Version::V(24)), ..Defaults::default() };
        let (p, _) =
            resolve_labels(labels(&[("pod-security.kubernetes.io/enforce", "restricted")]), &defaults, FALLBACK);
        assert_eq!(
            p.enforce,
            Pinned { level: Level::Restricted, version: Version::V(24), source: Source::NamespaceLabel }
        );
    }

    #[test]
    fn invalid_values_fail_closed_for_enforce_and_open_for_audit_and_warn() {
        let (p, issues) = resolve_labels(
            labels(&[
                ("pod-security.kubernetes.io/enforce", "Baseline"),
                ("pod-security.kubernetes.io/enforce-version", "1.25"),
                ("pod-security.kubernetes.io/audit", "strict"),
                ("pod-security.kubernetes.io/warn", ""),
            ]),
            &Defaults::default(),
            LevelVersion { level: Level::Baseline, version: Version::V(20) },
        );
        assert_eq!(
            p.enforce,
            Pinned { level: Level::Restricted, version: Version::Latest, source: Source::NamespaceLabel }
        );
        assert_eq!(p.audit.unwrap().level, Level::Privileged);
        assert_eq!(p.warn.unwrap().level, Level::Privileged);
        assert_eq!(issues.len(), 4, "{issues:?}");
        assert_eq!(issues[0].label, "pod-security.kubernetes.io/enforce");
        assert_eq!(issues[0].pointer, "/metadata/labels/pod-security.kubernetes.io~1enforce");
        assert!(issues[0].message.contains("fails closed"), "{}", issues[0].message);
    }

    fn object(json: serde_json::Value) -> Object {
        let root = Node::from_json(&json, kubefort_model::Pos::new(1, 1));
        Object::from_node(root, kubefort_model::Source::default(), String::new()).unwrap()
    }

    #[test]
    fn admission_configuration_defaults_and_exemptions() {
        let config = object(serde_json::json!({
            "apiVersion": "apiserver.config.k8s.io/v1", "kind": "AdmissionConfiguration",
            "plugins": [{"name": "Other"}, {"name": "PodSecurity", "configuration": {
                "apiVersion": "pod-security.admission.config.k8s.io/v1", "kind": "PodSecurityConfiguration",
                "defaults": {"enforce": "baseline", "enforce-version": "v1.29", "warn": "restricted"},
                "exemptions": {"usernames": ["admin"], "runtimeClasses": ["kata"], "namespaces": ["kube-system"]}}}]
        }));
        let parsed = AdmissionConfig::from_object(&config).unwrap().unwrap();
        assert_eq!(parsed.defaults.enforce, Some(Level::Baseline));
        assert_eq!(parsed.defaults.enforce_version, Some(Version::V(29)));
        assert_eq!(parsed.defaults.audit, None);
        assert_eq!(parsed.exemptions.runtime_classes, ["kata"]);
        let pod = |ns: &str, rc: &str| {
            object(serde_json::json!({"apiVersion": "v1", "kind": "Pod",
                "metadata": {"name": "p", "namespace": ns}, "spec": {"runtimeClassName": rc, "containers": []}}))
        };
        assert_eq!(parsed.exemption(&pod("kube-system", "runc")), Some(Exempt::Namespace("kube-system".into())));
        assert_eq!(parsed.exemption(&pod("app", "kata")), Some(Exempt::RuntimeClass("kata".into())));
        assert_eq!(parsed.exemption(&pod("app", "runc")), None);
    }

    #[test]
    fn invalid_configurations_name_the_field() {
        let bare = object(serde_json::json!({
            "apiVersion": "pod-security.admission.config.k8s.io/v1", "kind": "PodSecurityConfiguration",
            "defaults": {"enforce": "strict", "audit-version": "1.2"},
            "exemptions": {"namespaces": "kube-system"}
        }));
        let errors = AdmissionConfig::from_object(&bare).unwrap().unwrap_err();
        let pointers: Vec<_> = errors.iter().map(|e| e.pointer.as_str()).collect();
        assert_eq!(pointers, ["/defaults/enforce", "/defaults/audit-version", "/exemptions/namespaces"]);
        let by_path = object(serde_json::json!({
            "apiVersion": "apiserver.config.k8s.io/v1", "kind": "AdmissionConfiguration",
            "plugins": [{"name": "PodSecurity", "path": "/etc/psa.yaml"}]
        }));
        let errors = AdmissionConfig::from_object(&by_path).unwrap().unwrap_err();
        assert_eq!(errors[0].pointer, "/plugins/0/path");
        let unrelated = object(serde_json::json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}}));
        assert!(AdmissionConfig::from_object(&unrelated).is_none());
    }
}
