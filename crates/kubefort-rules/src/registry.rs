//! The catalog of every per-object rule, and rule selection.
//!
//! One catalog holds both kinds of rule: kubefort's own (`KF-AREA-NNN`,
//! declared with `declare_rule!`) and one per Pod Security Standards check
//! (`pss:<check>`, metadata from `kubefort_pss::rule_metas`). Both are
//! [`Rule`]s, so `--select`/`--ignore`, severity overrides, suppressions,
//! `kubefort rules` and `kubefort explain` treat them alike.

use kubefort_model::Rule;
use std::sync::OnceLock;

/// Every rule, in catalog order (area, then id).
pub fn all_rules() -> Vec<&'static dyn Rule> {
    catalog().to_vec()
}

/// The catalog, assembled and sorted once: `find_rule` runs per suppressed
/// finding, so it must not rebuild it.
fn catalog() -> &'static [&'static dyn Rule] {
    static CATALOG: OnceLock<Vec<&'static dyn Rule>> = OnceLock::new();
    CATALOG.get_or_init(|| {
        let mut rules: Vec<&'static dyn Rule> = Vec::new();
        rules.extend_from_slice(crate::workload::RULES);
        rules.extend_from_slice(crate::image::RULES);
        rules.extend_from_slice(crate::meta::RULES);
        rules.extend_from_slice(crate::rbac::RULES);
        rules.extend_from_slice(crate::network::RULES);
        rules.extend_from_slice(crate::mesh::RULES);
        rules.extend_from_slice(crate::controlplane::RULES);
        rules.extend_from_slice(crate::secrets::RULES);
        rules.extend_from_slice(crate::storage::RULES);
        rules.extend_from_slice(crate::pss::RULES);
        rules.extend_from_slice(crate::pss::check_rules());
        rules.sort_by_key(|r| r.meta().id);
        rules
    })
}

/// Finds a rule by id (`KF-POD-001`, any case) or name (`privileged-container`).
pub fn find_rule(key: &str) -> Option<&'static dyn Rule> {
    catalog().iter().copied().find(|r| r.meta().id.eq_ignore_ascii_case(key) || r.meta().name == key)
}

/// `--select` / `--ignore`: each pattern is a rule id, a rule name, or an id
/// prefix (`KF-POD`, `KF-POD-01`).
#[derive(Debug, Clone, Default)]
pub struct Selection {
    pub select: Vec<String>,
    pub ignore: Vec<String>,
}

impl Selection {
    fn matches(pattern: &str, rule: &dyn Rule) -> bool {
        let meta = rule.meta();
        let pattern = pattern.trim();
        meta.name == pattern || meta.id.to_ascii_uppercase().starts_with(&pattern.to_ascii_uppercase())
    }

    /// Whether a rule runs: selected (or no selection given) and not ignored.
    pub fn includes(&self, rule: &dyn Rule) -> bool {
        (self.select.is_empty() || self.select.iter().any(|p| Self::matches(p, rule)))
            && !self.ignore.iter().any(|p| Self::matches(p, rule))
    }

    /// Patterns that match no rule (a typo in `--select` should not pass silently).
    pub fn unknown_patterns(&self) -> Vec<&str> {
        let rules = catalog();
        self.select
            .iter()
            .chain(&self.ignore)
            .filter(|p| !rules.iter().any(|r| Self::matches(p, *r)))
            .map(String::as_str)
            .collect()
    }

    pub fn rules(&self) -> Vec<&'static dyn Rule> {
        catalog().iter().copied().filter(|r| self.includes(*r)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn ids_and_names_are_unique_and_well_formed() {
        let rules = all_rules();
        let ids: HashSet<_> = rules.iter().map(|r| r.meta().id).collect();
        let names: HashSet<_> = rules.iter().map(|r| r.meta().name).collect();
        assert_eq!(ids.len(), rules.len(), "duplicate rule id");
        assert_eq!(names.len(), rules.len(), "duplicate rule name");
        let checks: Vec<_> = kubefort_pss::all_checks().map(|c| format!("pss:{}", c.id)).collect();
        for check in &checks {
            assert!(ids.contains(check.as_str()), "no rule for {check}");
        }
        for r in rules {
            let m = r.meta();
            // KF-<AREA>-NNN: the area is 2 to 4 capitals (KF-POD-001, KF-RBAC-001).
            let kf = m.id.strip_prefix("KF-").and_then(|r| r.rsplit_once('-')).is_some_and(|(area, n)| {
                (2..=4).contains(&area.len())
                    && area.bytes().all(|b| b.is_ascii_uppercase())
                    && n.len() == 3
                    && n.bytes().all(|b| b.is_ascii_digit())
            });
            assert!(kf || checks.iter().any(|c| c == m.id), "{} is neither KF-AREA-NNN nor a PSS check", m.id);
            assert!(find_rule(m.id).is_some_and(|f| f.meta().id == m.id), "find_rule({})", m.id);
            assert!(find_rule(m.name).is_some_and(|f| f.meta().id == m.id), "find_rule({})", m.name);
            assert!(m.name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'), "{}", m.name);
            for section in ["What it does", "Why is this bad?", "Example", "Use instead"] {
                assert!(m.section(section).is_some_and(|s| !s.is_empty()), "{} lacks a `## {section}` section", m.id);
            }
        }
    }

    #[test]
    fn references_use_known_peer_ids() {
        // Peer catalogs live in ../shared/peers (id<TAB>title); a reference must
        // name an id that exists there, so users can map findings one to one.
        let peers = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/peers");
        if !peers.exists() {
            eprintln!("skipped: {} not found", peers.display());
            return;
        }
        let load = |file: &str| -> HashSet<String> {
            std::fs::read_to_string(peers.join(file))
                .unwrap()
                .lines()
                .filter_map(|l| l.split('\t').next())
                .map(str::to_owned)
                .collect()
        };
        let catalogs = [
            ("checkov", load("checkov-k8s.tsv")),
            ("polaris", load("polaris.tsv")),
            ("kube-linter", load("kube-linter.tsv")),
            ("kubescape", load("kubescape-controls.tsv")),
        ];
        for rule in all_rules() {
            for reference in rule.meta().references {
                let (tool, id) = reference
                    .split_once(':')
                    .unwrap_or_else(|| panic!("{}: bad reference {reference}", rule.meta().id));
                if let Some((_, ids)) = catalogs.iter().find(|(t, _)| *t == tool) {
                    assert!(ids.contains(id), "{}: {reference} is not in the {tool} catalog", rule.meta().id);
                } else {
                    assert!(
                        ["pss", "cis-1.12", "falco", "kube-score", "trivy"].contains(&tool),
                        "{}: unknown tool in {reference}",
                        rule.meta().id
                    );
                }
            }
        }
    }

    #[test]
    fn selection_by_id_prefix_and_name() {
        let s = Selection {
            select: vec!["KF-POD".into(), "kf-img-001".into()],
            ignore: vec!["privileged-container".into()],
        };
        let ids: Vec<_> = s.rules().iter().map(|r| r.meta().id).collect();
        assert!(ids.contains(&"KF-IMG-001"), "{ids:?}");
        assert!(ids.iter().all(|id| id.starts_with("KF-POD") || *id == "KF-IMG-001"), "{ids:?}");
        assert!(!ids.contains(&"KF-POD-001"));
        let pss = Selection { select: vec!["pss:host".into()], ignore: vec!["pss:hostPorts".into()] };
        let ids: Vec<_> = pss.rules().iter().map(|r| r.meta().id).collect();
        assert_eq!(ids, ["pss:hostNamespaces", "pss:hostPathVolumes", "pss:hostProbesAndHostLifecycle"]);
        let bad = Selection { select: vec!["KF-NOPE".into()], ignore: vec![] };
        assert_eq!(bad.unknown_patterns(), ["KF-NOPE"]);
    }
}
