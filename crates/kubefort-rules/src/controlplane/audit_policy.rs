//! Audit policies (`audit.k8s.io/v1` `Policy`): what reaches the audit log.
//! Shared by the KF-CP-01x rules and `kubefort node` (which reads the file
//! `--audit-policy-file` names).
//!
//! The API server applies the first rule that matches a request, so order
//! matters: a `Metadata` rule for Secrets only helps above any broader rule
//! at `Request` or `RequestResponse`.

use kubefort_model::{Node, Object};

/// Whether an object is an audit `Policy`.
pub fn is_audit_policy(object: &Object) -> bool {
    object.kind == "Policy" && object.group() == "audit.k8s.io"
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IssueKind {
    NoRules,
    SensitivePayload,
    NoCatchAll,
    RequestReceivedKept,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issue {
    pub kind: IssueKind,
    pub pointer: String,
    pub message: String,
}

/// Resources whose request or response bodies carry secrets: (group, resource).
pub const SENSITIVE: [(&str, &str); 3] =
    [("", "secrets"), ("", "configmaps"), ("authentication.k8s.io", "tokenreviews")];

fn list<'a>(rule: &'a Node, key: &str) -> &'a [Node] {
    rule.get(key).map(Node::as_seq).unwrap_or(&[])
}

/// Whether `rule` can match requests for `group`/`resource`.
fn matches_resource(rule: &Node, group: &str, resource: &str) -> bool {
    if !list(rule, "nonResourceURLs").is_empty() {
        return false;
    }
    let groups = list(rule, "resources");
    groups.is_empty()
        || groups.iter().any(|gr| {
            let g = gr.get("group").and_then(Node::as_str).unwrap_or("");
            let names = list(gr, "resources");
            (g == group || g == "*")
                && (names.is_empty() || names.iter().filter_map(Node::as_str).any(|r| r == resource || r == "*"))
        })
}

/// Whether a rule matching a resource matches every request for it (no
/// user, group, verb, namespace or name restriction).
fn unconditional(rule: &Node) -> bool {
    ["users", "userGroups", "verbs", "namespaces"].iter().all(|k| list(rule, k).is_empty())
        && list(rule, "resources").iter().all(|gr| list(gr, "resourceNames").is_empty())
}

fn level(rule: &Node) -> &str {
    rule.get("level").and_then(Node::as_str).unwrap_or("")
}

/// Every issue of the policy rooted at `root`.
pub fn analyze(root: &Node) -> Vec<Issue> {
    let rules = list(root, "rules");
    if rules.is_empty() {
        return vec![Issue {
            kind: IssueKind::NoRules,
            pointer: "/rules".into(),
            message: "the policy has no rules: nothing is logged".into(),
        }];
    }
    let mut issues: Vec<Issue> = Vec::new();
    // One finding per rule, naming every sensitive resource it logs in full.
    let mut by_rule: Vec<(usize, usize)> = Vec::new();
    for (group, resource) in SENSITIVE {
        for (i, rule) in rules.iter().enumerate() {
            if !matches_resource(rule, group, resource) {
                continue;
            }
            let lvl = level(rule);
            if matches!(lvl, "Request" | "RequestResponse") {
                if let Some(&(_, at)) = by_rule.iter().find(|(r, _)| *r == i) {
                    let issue = &mut issues[at];
                    issue.message = issue.message.replacen(" logged at", &format!(" and {resource} logged at"), 1);
                } else {
                    by_rule.push((i, issues.len()));
                    issues.push(Issue {
                        kind: IssueKind::SensitivePayload,
                        pointer: format!("/rules/{i}/level"),
                        message: format!("{resource} logged at {lvl}: their bodies (secret values, tokens) end up in the audit log; log them at Metadata"),
                    });
                }
            }
            if unconditional(rule) {
                break;
            }
        }
    }
    let catch_all = rules
        .iter()
        .position(|r| unconditional(r) && list(r, "resources").is_empty() && list(r, "nonResourceURLs").is_empty());
    match catch_all {
        None => issues.push(Issue {
            kind: IssueKind::NoCatchAll,
            pointer: "/rules".into(),
            message: "no rule matches every request: requests no rule names are not logged; end with a catch-all rule at Metadata".into(),
        }),
        Some(i) if level(&rules[i]) == "None" => issues.push(Issue {
            kind: IssueKind::NoCatchAll,
            pointer: format!("/rules/{i}/level"),
            message: "the catch-all rule logs nothing (level None): requests no earlier rule names are not logged".into(),
        }),
        Some(_) => {}
    }
    let omits = |n: &Node| list(n, "omitStages").iter().any(|s| s.as_str() == Some("RequestReceived"));
    if !omits(root) && !rules.iter().all(omits) {
        issues.push(Issue {
            kind: IssueKind::RequestReceivedKept,
            pointer: "/omitStages".into(),
            message: "the RequestReceived stage is not omitted: every request is logged twice, doubling the log".into(),
        });
    }
    issues
}
