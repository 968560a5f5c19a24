//! Whether one set of rules covers another, with the semantics of
//! Kubernetes' `Covers` (`k8s.io/component-helpers/auth/rbac/validation`,
//! `policy_comparator.go`): the check the API server makes before it lets a
//! user create or update a role, or create a binding, without `escalate` or
//! `bind` — "do you already hold everything you are handing out?".
//!
//! The requested rules are broken down into atomic rules (one group, one
//! resource, one verb, at most one name; or one non-resource URL and one
//! verb), and each atomic rule must be covered by a single owner rule.
//! Coverage is of the rules' text, not of requests: `*` in a requested rule
//! is only covered by `*` in an owner rule (an enumeration of every verb
//! does not cover `*`), and an owner rule limited by resourceNames never
//! covers a requested rule without them.

use crate::policy::PolicyRule;

/// `(covered, uncovered)`: whether `owner` covers every rule of `requested`,
/// and the atomic requested rules it does not cover, in breakdown order.
pub fn covers(owner: &[PolicyRule], requested: &[PolicyRule]) -> (bool, Vec<PolicyRule>) {
    let uncovered: Vec<PolicyRule> =
        requested.iter().flat_map(breakdown).filter(|atom| !owner.iter().any(|o| rule_covers(o, atom))).collect();
    (uncovered.is_empty(), uncovered)
}

/// A rule as atomic rules, each with at most one group, resource, verb and
/// name, then each non-resource URL with each verb (Kubernetes' `BreakdownRule`).
pub fn breakdown(rule: &PolicyRule) -> Vec<PolicyRule> {
    let one = |s: &String| vec![s.clone()];
    let mut out = Vec::new();
    for group in &rule.api_groups {
        for resource in &rule.resources {
            for verb in &rule.verbs {
                let atom = PolicyRule {
                    verbs: one(verb),
                    api_groups: one(group),
                    resources: one(resource),
                    ..PolicyRule::default()
                };
                if rule.resource_names.is_empty() {
                    out.push(atom);
                } else {
                    out.extend(
                        rule.resource_names.iter().map(|n| PolicyRule { resource_names: one(n), ..atom.clone() }),
                    );
                }
            }
        }
    }
    for url in &rule.non_resource_urls {
        for verb in &rule.verbs {
            out.push(PolicyRule { verbs: one(verb), non_resource_urls: one(url), ..PolicyRule::default() });
        }
    }
    out
}

fn has(set: &[String], item: &str) -> bool {
    set.iter().any(|s| s == item)
}

fn has_all(set: &[String], items: &[String]) -> bool {
    items.iter().all(|i| has(set, i))
}

/// `*`, every resource listed, or each missing subresource `r/sub` covered by `*/sub`.
fn resources_cover_all(owner: &[String], requested: &[String]) -> bool {
    if has(owner, "*") || has_all(owner, requested) {
        return true;
    }
    requested
        .iter()
        .all(|path| has(owner, path) || path.split_once('/').is_some_and(|(_, sub)| has(owner, &format!("*/{sub}"))))
}

/// Exact, or a trailing `*` (all trailing stars trimmed) as a prefix: `/api/*`
/// covers `/api/v1`, not `/api`; `*` covers every path, the empty one too.
pub fn non_resource_url_covers(owner: &str, requested: &str) -> bool {
    owner == requested || (owner.ends_with('*') && requested.starts_with(owner.trim_end_matches('*')))
}

fn non_resource_urls_cover_all(owner: &[String], requested: &[String]) -> bool {
    requested.iter().all(|p| owner.iter().any(|o| non_resource_url_covers(o, p)))
}

/// Whether one owner rule covers one atomic rule (Kubernetes' `ruleCovers`).
fn rule_covers(owner: &PolicyRule, atom: &PolicyRule) -> bool {
    let verbs = has(&owner.verbs, "*") || has_all(&owner.verbs, &atom.verbs);
    let groups = has(&owner.api_groups, "*") || has_all(&owner.api_groups, &atom.api_groups);
    let resources = resources_cover_all(&owner.resources, &atom.resources);
    let urls = non_resource_urls_cover_all(&owner.non_resource_urls, &atom.non_resource_urls);
    let names = if atom.resource_names.is_empty() {
        owner.resource_names.is_empty()
    } else {
        owner.resource_names.is_empty() || has_all(&owner.resource_names, &atom.resource_names)
    };
    verbs && groups && resources && names && urls
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &[&str]) -> Vec<String> {
        s.iter().map(|x| x.to_string()).collect()
    }
    /// `(groups, verbs, resources)`.
    fn r(groups: &[&str], verbs: &[&str], resources: &[&str]) -> PolicyRule {
        PolicyRule { verbs: v(verbs), api_groups: v(groups), resources: v(resources), ..PolicyRule::default() }
    }
    fn named(groups: &[&str], verbs: &[&str], resources: &[&str], names: &[&str]) -> PolicyRule {
        PolicyRule { resource_names: v(names), ..r(groups, verbs, resources) }
    }
    fn urls(urls: &[&str], verbs: &[&str]) -> PolicyRule {
        PolicyRule { verbs: v(verbs), non_resource_urls: v(urls), ..PolicyRule::default() }
    }
    fn both(groups: &[&str], verbs: &[&str], resources: &[&str], u: &[&str]) -> PolicyRule {
        PolicyRule { non_resource_urls: v(u), ..r(groups, verbs, resources) }
    }

    /// The cases of Kubernetes' policy_comparator_test.go (`TestCovers*`),
    /// one by one: owner rules, requested rules, covered, uncovered rules
    /// (compared as a set, as the Go test does).
    #[test]
    fn ported_covers_table() {
        type Case = (&'static str, Vec<PolicyRule>, Vec<PolicyRule>, bool, Vec<PolicyRule>);
        let cases: Vec<Case> = vec![
            (
                "ExactMatch",
                vec![r(&["v1"], &["get"], &["builds"])],
                vec![r(&["v1"], &["get"], &["builds"])],
                true,
                vec![],
            ),
            (
                "SubresourceWildcard",
                vec![r(&["v1"], &["get"], &["*/scale"])],
                vec![r(&["v1"], &["get"], &["foo/scale"])],
                true,
                vec![],
            ),
            (
                "MultipleRulesCoveringSingleRule",
                vec![
                    r(&["v1"], &["delete"], &["deployments"]),
                    r(&["v1"], &["delete"], &["builds"]),
                    r(&["v1"], &["update"], &["builds", "deployments"]),
                ],
                vec![r(&["v1"], &["delete", "update"], &["builds", "deployments"])],
                true,
                vec![],
            ),
            (
                "MultipleAPIGroupsCoveringSingleRule",
                vec![
                    r(&["group1"], &["delete"], &["deployments"]),
                    r(&["group1"], &["delete"], &["builds"]),
                    r(&["group1"], &["update"], &["builds", "deployments"]),
                    r(&["group2"], &["delete"], &["deployments"]),
                    r(&["group2"], &["delete"], &["builds"]),
                    r(&["group2"], &["update"], &["builds", "deployments"]),
                ],
                vec![r(&["group1", "group2"], &["delete", "update"], &["builds", "deployments"])],
                true,
                vec![],
            ),
            (
                "SingleAPIGroupsCoveringMultiple",
                vec![r(&["group1", "group2"], &["delete", "update"], &["builds", "deployments"])],
                vec![
                    r(&["group1"], &["delete"], &["deployments"]),
                    r(&["group1"], &["delete"], &["builds"]),
                    r(&["group1"], &["update"], &["builds", "deployments"]),
                    r(&["group2"], &["delete"], &["deployments"]),
                    r(&["group2"], &["delete"], &["builds"]),
                    r(&["group2"], &["update"], &["builds", "deployments"]),
                ],
                true,
                vec![],
            ),
            (
                "MultipleRulesMissingSingleVerbResourceCombination",
                vec![r(&["v1"], &["delete", "update"], &["builds", "deployments"]), r(&["v1"], &["delete"], &["pods"])],
                vec![r(&["v1"], &["delete", "update"], &["builds", "deployments", "pods"])],
                false,
                vec![r(&["v1"], &["update"], &["pods"])],
            ),
            (
                "APIGroupStarCoveringMultiple",
                vec![r(&["*"], &["get"], &["roles"])],
                vec![r(&["group1", "group2"], &["get"], &["roles"])],
                true,
                vec![],
            ),
            (
                "EnumerationNotCoveringAPIGroupStar",
                vec![r(&["dummy-group"], &["get"], &["roles"])],
                vec![r(&["*"], &["get"], &["roles"])],
                false,
                vec![r(&["*"], &["get"], &["roles"])],
            ),
            (
                "APIGroupStarCoveringStar",
                vec![r(&["*"], &["get"], &["roles"])],
                vec![r(&["*"], &["get"], &["roles"])],
                true,
                vec![],
            ),
            (
                "VerbStarCoveringMultiple",
                vec![r(&["v1"], &["*"], &["roles"])],
                vec![r(&["v1"], &["watch", "list"], &["roles"])],
                true,
                vec![],
            ),
            (
                "EnumerationNotCoveringVerbStar",
                vec![r(&["v1"], &["get", "list", "watch", "create", "update", "delete", "exec"], &["roles"])],
                vec![r(&["v1"], &["*"], &["roles"])],
                false,
                vec![r(&["v1"], &["*"], &["roles"])],
            ),
            (
                "VerbStarCoveringStar",
                vec![r(&["v1"], &["*"], &["roles"])],
                vec![r(&["v1"], &["*"], &["roles"])],
                true,
                vec![],
            ),
            (
                "ResourceStarCoveringMultiple",
                vec![r(&["v1"], &["get"], &["*"])],
                vec![r(&["v1"], &["get"], &["resourcegroup:deployments"])],
                true,
                vec![],
            ),
            (
                "EnumerationNotCoveringResourceStar",
                vec![r(&["v1"], &["get"], &["roles", "resourcegroup:deployments"])],
                vec![r(&["v1"], &["get"], &["*"])],
                false,
                vec![r(&["v1"], &["get"], &["*"])],
            ),
            (
                "ResourceStarCoveringStar",
                vec![r(&["v1"], &["get"], &["*"])],
                vec![r(&["v1"], &["get"], &["*"])],
                true,
                vec![],
            ),
            (
                "ResourceNameEmptyCoveringMultiple",
                vec![named(&["v1"], &["get"], &["pods"], &[])],
                vec![named(&["v1"], &["get"], &["pods"], &["foo", "bar"])],
                true,
                vec![],
            ),
            (
                "EnumerationNotCoveringResourceNameEmpty",
                vec![named(&["v1"], &["get"], &["pods"], &["foo", "bar"])],
                vec![named(&["v1"], &["get"], &["pods"], &[])],
                false,
                vec![r(&["v1"], &["get"], &["pods"])],
            ),
            ("NonResourceURLs", vec![urls(&["/apis"], &["*"])], vec![urls(&["/apis"], &["*"])], true, vec![]),
            (
                "NonResourceURLsStar",
                vec![urls(&["*"], &["*"])],
                vec![urls(&["/apis", "/apis/v1", "/"], &["*"])],
                true,
                vec![],
            ),
            (
                "NonResourceURLsStarAfterPrefixDoesntCover",
                vec![urls(&["/apis/*"], &["*"])],
                vec![urls(&["/apis", "/apis/v1"], &["get"])],
                false,
                vec![urls(&["/apis"], &["get"])],
            ),
            (
                "NonResourceURLsStarAfterPrefix",
                vec![urls(&["/apis/*"], &["*"])],
                vec![urls(&["/apis/v1/foo", "/apis/v1"], &["get"])],
                true,
                vec![],
            ),
            (
                "NonResourceURLsWithOtherFields",
                vec![both(&["v1"], &["get"], &["builds"], &["/apis"])],
                vec![both(&["v1"], &["get"], &["builds"], &["/apis"])],
                true,
                vec![],
            ),
            (
                "NonResourceURLsWithOtherFieldsFailure",
                vec![r(&["v1"], &["get"], &["builds"])],
                vec![both(&["v1"], &["get"], &["builds"], &["/apis"])],
                false,
                vec![urls(&["/apis"], &["get"])],
            ),
        ];
        for (name, owner, requested, expected, expected_uncovered) in cases {
            let (covered, uncovered) = covers(&owner, &requested);
            assert_eq!(covered, expected, "{name}");
            assert_eq!(uncovered.len(), expected_uncovered.len(), "{name}: {uncovered:?}");
            for e in &expected_uncovered {
                assert!(uncovered.contains(e), "{name}: {e:?} missing from {uncovered:?}");
            }
        }
    }

    /// Kubernetes' TestNonResourceURLCovers.
    #[test]
    fn ported_non_resource_url_covers() {
        let cases = [
            ("*", "", true),
            ("*", "/", true),
            ("*", "/api", true),
            ("/*", "", false),
            ("/*", "/", true),
            ("/*", "/foo", true),
            ("/api", "/api", true),
            ("/apis", "/api", false),
            ("/api/v1", "/api", false),
            ("/api/v1", "/api/v1", true),
            ("/api/*", "/api/v1", true),
            ("/api/*", "/api", false),
            ("/api/*/*", "/api/v1", false),
            ("/*/v1/*", "/api/v1", false),
        ];
        for (owner, requested, want) in cases {
            assert_eq!(non_resource_url_covers(owner, requested), want, "{owner:?} covers {requested:?}");
        }
    }

    #[test]
    fn edge_cases_of_the_breakdown() {
        // A rule without verbs, groups or resources breaks down to nothing: covered by anything.
        assert_eq!(covers(&[], &[r(&[], &["get"], &["pods"])]), (true, vec![]));
        assert_eq!(covers(&[], &[r(&[""], &[], &["pods"])]), (true, vec![]));
        // Every name is its own atom.
        let (ok, left) =
            covers(&[named(&[""], &["get"], &["pods"], &["a"])], &[named(&[""], &["get"], &["pods"], &["a", "b"])]);
        assert!(!ok);
        assert_eq!(left, [named(&[""], &["get"], &["pods"], &["b"])]);
        // `pods` does not cover `pods/exec`; `*` does; `*/exec` does.
        assert!(!covers(&[r(&[""], &["*"], &["pods"])], &[r(&[""], &["create"], &["pods/exec"])]).0);
        assert!(covers(&[r(&[""], &["*"], &["*"])], &[r(&[""], &["create"], &["pods/exec"])]).0);
        assert!(covers(&[r(&[""], &["*"], &["*/exec"])], &[r(&[""], &["create"], &["pods/exec"])]).0);
        // A resource rule never covers a URL, nor a URL rule a resource.
        assert!(!covers(&[r(&["*"], &["*"], &["*"])], &[urls(&["/healthz"], &["get"])]).0);
        assert!(!covers(&[urls(&["*"], &["*"])], &[r(&[""], &["get"], &["pods"])]).0);
        // cluster-admin covers everything; a rule with no names covers named atoms.
        let admin = [r(&["*"], &["*"], &["*"]), urls(&["*"], &["*"])];
        assert!(covers(&admin, &admin).0);
        assert!(covers(&admin, &[named(&["apps"], &["patch"], &["deployments/scale"], &["web"])]).0);
    }
}
