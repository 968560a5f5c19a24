//! Rule matching, with the semantics of Kubernetes' `RuleAllows`
//! (`pkg/apis/rbac/v1/evaluation_helpers.go`): every comparison is exact and
//! case-sensitive, `*` is the only wildcard, and a subresource is matched as
//! the combined string `resource/subresource`.

use crate::policy::PolicyRule;

/// What is being asked for: a resource request (`get pods` in a namespace)
/// or a non-resource request (`get /healthz`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Target {
    Resource {
        /// API group, `""` for the core group.
        group: String,
        resource: String,
        /// Empty for the resource itself.
        subresource: String,
        /// Empty when the request names no object (list, watch, create, deletecollection).
        name: String,
    },
    NonResource {
        path: String,
    },
}

/// One authorization question: can someone do `verb` on `target` in `namespace`?
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Request {
    pub verb: String,
    pub target: Target,
    /// `""` for a cluster-scoped or all-namespaces request.
    pub namespace: String,
}

impl Request {
    /// A resource request. `resource` may carry a subresource (`pods/exec`);
    /// `group` is the API group (`""` for core).
    pub fn resource(verb: &str, group: &str, resource: &str, namespace: &str, name: &str) -> Request {
        let (resource, subresource) = resource.split_once('/').unwrap_or((resource, ""));
        Request {
            verb: verb.to_owned(),
            target: Target::Resource {
                group: group.to_owned(),
                resource: resource.to_owned(),
                subresource: subresource.to_owned(),
                name: name.to_owned(),
            },
            namespace: namespace.to_owned(),
        }
    }
    pub fn non_resource(verb: &str, path: &str) -> Request {
        Request {
            verb: verb.to_owned(),
            target: Target::NonResource { path: path.to_owned() },
            namespace: String::new(),
        }
    }
    /// Parses the command-line form: `RESOURCE[.GROUP][/SUBRESOURCE]`
    /// (`pods`, `pods/exec`, `deployments.apps/scale`) or a non-resource URL
    /// (`/healthz`).
    pub fn parse(verb: &str, resource: &str, namespace: &str, name: &str) -> Result<Request, String> {
        if verb.is_empty() {
            return Err("VERB is empty".into());
        }
        if resource.starts_with('/') {
            if !namespace.is_empty() || !name.is_empty() {
                return Err("a non-resource URL takes no namespace or name".into());
            }
            return Ok(Request::non_resource(verb, resource));
        }
        let (head, sub) = resource.split_once('/').map_or((resource, None), |(h, s)| (h, Some(s)));
        let (res, group) = head.split_once('.').unwrap_or((head, ""));
        if res.is_empty() || sub.is_some_and(|s| s.is_empty() || s.contains('/')) {
            return Err(format!("`{resource}`: RESOURCE is RESOURCE[.GROUP][/SUBRESOURCE] or a /url"));
        }
        let combined = match sub {
            Some(s) => format!("{res}/{s}"),
            None => res.to_owned(),
        };
        Ok(Request::resource(verb, group, &combined, namespace, name))
    }

    /// `verb group/resource/sub name in ns`, for messages.
    pub fn describe(&self) -> String {
        match &self.target {
            Target::Resource { group, resource, subresource, name } => {
                let mut s = format!("{} {}", self.verb, resource);
                if !subresource.is_empty() {
                    s.push('/');
                    s.push_str(subresource);
                }
                if !group.is_empty() {
                    s.push('.');
                    s.push_str(group);
                }
                if !name.is_empty() {
                    s.push_str(&format!(" {name:?}"));
                }
                if self.namespace.is_empty() {
                    s.push_str(" cluster-wide");
                } else {
                    s.push_str(&format!(" in namespace {}", self.namespace));
                }
                s
            }
            Target::NonResource { path } => format!("{} {}", self.verb, path),
        }
    }
}

pub fn verb_matches(rule: &PolicyRule, verb: &str) -> bool {
    rule.verbs.iter().any(|v| v == "*" || v == verb)
}

pub fn api_group_matches(rule: &PolicyRule, group: &str) -> bool {
    rule.api_groups.iter().any(|g| g == "*" || g == group)
}

/// `combined` is `resource` or `resource/subresource`. `*` matches every
/// resource and subresource; `*/sub` matches subresource `sub` of any
/// resource; `pods` does not match `pods/exec`, and `pods/*` is no pattern.
pub fn resource_matches(rule: &PolicyRule, combined: &str, subresource: &str) -> bool {
    rule.resources.iter().any(|r| {
        r == "*"
            || r == combined
            || (!subresource.is_empty()
                && r.len() == subresource.len() + 2
                && r.starts_with("*/")
                && r.ends_with(subresource))
    })
}

/// A rule without resourceNames matches every name; one with them matches
/// only a request for one of those names (so never a list, watch, create or
/// deletecollection, which name nothing).
pub fn resource_name_matches(rule: &PolicyRule, name: &str) -> bool {
    rule.resource_names.is_empty() || rule.resource_names.iter().any(|n| n == name)
}

/// Exact path, `*`, or a trailing-`*` prefix (`/apis/*` matches `/apis/v1`, not `/apis`).
pub fn non_resource_url_matches(rule: &PolicyRule, path: &str) -> bool {
    rule.non_resource_urls
        .iter()
        .any(|u| u == "*" || u == path || (u.ends_with('*') && path.starts_with(u.trim_end_matches('*'))))
}

/// Whether `rule` allows `request` (namespace scoping is the binding's business).
pub fn rule_allows(rule: &PolicyRule, request: &Request) -> bool {
    if !verb_matches(rule, &request.verb) {
        return false;
    }
    match &request.target {
        Target::Resource { group, resource, subresource, name } => {
            let combined;
            let combined_ref = if subresource.is_empty() {
                resource.as_str()
            } else {
                combined = format!("{resource}/{subresource}");
                combined.as_str()
            };
            api_group_matches(rule, group)
                && resource_matches(rule, combined_ref, subresource)
                && resource_name_matches(rule, name)
        }
        Target::NonResource { path } => non_resource_url_matches(rule, path),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(verbs: &[&str], groups: &[&str], resources: &[&str], urls: &[&str]) -> PolicyRule {
        let v = |s: &[&str]| s.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        PolicyRule {
            verbs: v(verbs),
            api_groups: v(groups),
            resources: v(resources),
            non_resource_urls: v(urls),
            ..PolicyRule::default()
        }
    }
    fn res(verb: &str, group: &str, resource: &str, sub: &str) -> Request {
        let combined = if sub.is_empty() { resource.to_owned() } else { format!("{resource}/{sub}") };
        Request::resource(verb, group, &combined, "", "")
    }

    // Kubernetes' TestRuleMatches (plugin/pkg/auth/authorizer/rbac/rbac_test.go), case by case.
    #[test]
    fn ported_rule_matches_table() {
        type Case = (&'static str, PolicyRule, Vec<(Request, bool)>);
        let all8 = |expect: [bool; 8]| -> Vec<(Request, bool)> {
            let mut out = Vec::new();
            let mut i = 0;
            for verb in ["verb1", "verb2"] {
                for (g, r) in
                    [("group1", "resource1"), ("group2", "resource1"), ("group1", "resource2"), ("group2", "resource2")]
                {
                    out.push((res(verb, g, r, ""), expect[i]));
                    i += 1;
                }
            }
            out
        };
        let urls = |verb: &str, cases: &[(&str, bool)]| -> Vec<(Request, bool)> {
            cases.iter().map(|(p, e)| (Request::non_resource(verb, p), *e)).collect()
        };
        let cases: Vec<Case> = vec![
            (
                "star verb, exact match other",
                rule(&["*"], &["group1"], &["resource1"], &[]),
                all8([true, false, false, false, true, false, false, false]),
            ),
            (
                "star group, exact match other",
                rule(&["verb1"], &["*"], &["resource1"], &[]),
                all8([true, true, false, false, false, false, false, false]),
            ),
            (
                "star resource, exact match other",
                rule(&["verb1"], &["group1"], &["*"], &[]),
                all8([true, false, true, false, false, false, false, false]),
            ),
            (
                "tuple expansion",
                rule(&["verb1", "verb2"], &["group1", "group2"], &["resource1", "resource2"], &[]),
                all8([true; 8]),
            ),
            (
                "subresource expansion",
                rule(&["*"], &["*"], &["resource1/subresource1"], &[]),
                vec![
                    (res("verb1", "group1", "resource1", "subresource1"), true),
                    (res("verb1", "group2", "resource1", "subresource2"), false),
                    (res("verb1", "group1", "resource2", "subresource1"), false),
                    (res("verb2", "group1", "resource1", "subresource1"), true),
                    (res("verb2", "group2", "resource2", "subresource1"), false),
                ],
            ),
            (
                "star nonresource, exact match other",
                rule(&["verb1"], &[], &[], &["*"]),
                [
                    urls("verb1", &[("/foo", true), ("/foo/bar", true), ("/foo/baz/one", true)]),
                    urls("verb2", &[("/foo", false), ("/foo/bar/one", false)]),
                ]
                .concat(),
            ),
            (
                "star nonresource subpath",
                rule(&["verb1"], &[], &[], &["/foo/*"]),
                urls(
                    "verb1",
                    &[
                        ("/foo", false),
                        ("/foo/bar", true),
                        ("/foo/baz", true),
                        ("/foo/bar/one", true),
                        ("/notfoo", false),
                        ("/notfoo/bar", false),
                    ],
                ),
            ),
            (
                "star verb, exact nonresource",
                rule(&["*"], &[], &[], &["/foo", "/foo/bar/one"]),
                [
                    urls(
                        "verb1",
                        &[
                            ("/foo", true),
                            ("/foo/bar", false),
                            ("/foo/baz", false),
                            ("/foo/bar/one", true),
                            ("/foo/baz/one", false),
                        ],
                    ),
                    urls("verb2", &[("/foo", true), ("/foo/bar/one", true)]),
                ]
                .concat(),
            ),
        ];
        for (name, rule, requests) in cases {
            for (request, expected) in requests {
                assert_eq!(rule_allows(&rule, &request), expected, "{name}: {request:?}");
            }
        }
    }

    #[test]
    fn subresource_semantics() {
        let star = rule(&["get"], &[""], &["*"], &[]);
        assert!(rule_allows(&star, &res("get", "", "pods", "exec")), "* covers subresources");
        let any_exec = rule(&["get"], &[""], &["*/exec"], &[]);
        assert!(rule_allows(&any_exec, &res("get", "", "pods", "exec")));
        assert!(rule_allows(&any_exec, &res("get", "", "nodes", "exec")));
        assert!(!rule_allows(&any_exec, &res("get", "", "pods", "")), "*/exec is not the resource");
        assert!(!rule_allows(&any_exec, &res("get", "", "pods", "xexec")));
        assert!(!rule_allows(&any_exec, &res("get", "", "pods", "log")));
        let pods = rule(&["get"], &[""], &["pods"], &[]);
        assert!(!rule_allows(&pods, &res("get", "", "pods", "exec")), "pods does not cover pods/exec");
        let pods_star = rule(&["get"], &[""], &["pods/*"], &[]);
        assert!(!rule_allows(&pods_star, &res("get", "", "pods", "exec")), "pods/* is not a pattern");
        assert!(rule_allows(&pods_star, &Request::resource("get", "", "pods/*", "", "")), "it is a literal");
        let core_only = rule(&["get"], &[""], &["pods"], &[]);
        assert!(!rule_allows(&core_only, &res("get", "apps", "pods", "")), "\"\" is the core group only");
        let case = rule(&["get"], &[""], &["pods"], &[]);
        assert!(!rule_allows(&case, &res("GET", "", "pods", "")), "verbs are case-sensitive");
        assert!(!rule_allows(&case, &res("get", "", "Pods", "")), "resources are case-sensitive");
    }

    #[test]
    fn resource_names_never_match_unnamed_requests() {
        let mut r = rule(&["get", "list", "update"], &[""], &["configmaps"], &[]);
        r.resource_names = vec!["app-config".into()];
        assert!(rule_allows(&r, &Request::resource("get", "", "configmaps", "ns", "app-config")));
        assert!(!rule_allows(&r, &Request::resource("get", "", "configmaps", "ns", "other")));
        assert!(!rule_allows(&r, &Request::resource("list", "", "configmaps", "ns", "")));
        let open = rule(&["list"], &[""], &["configmaps"], &[]);
        assert!(rule_allows(&open, &Request::resource("list", "", "configmaps", "ns", "")));
    }

    #[test]
    fn resource_rules_and_url_rules_do_not_cross() {
        let urls = rule(&["*"], &[], &[], &["*"]);
        assert!(!rule_allows(&urls, &res("get", "", "pods", "")));
        let resources = rule(&["*"], &["*"], &["*"], &[]);
        assert!(!rule_allows(&resources, &Request::non_resource("get", "/healthz")));
        let multi_star = rule(&["get"], &[], &[], &["/api**"]);
        assert!(rule_allows(&multi_star, &Request::non_resource("get", "/apis/x")), "all trailing stars are trimmed");
    }
}
