//! RBAC unit tests (`kubefort rbac assert`): a YAML list of expectations,
//! each checked against the authorizer or the attack-path search.
//!
//! ```yaml
//! - subject: sa:shop:newcomer        # sa:NS:NAME, user:NAME or group:NAME
//!   verb: get
//!   resource: secrets                # RESOURCE[.GROUP][/SUB] or a /url
//!   namespace: shop                  # optional: cluster-wide without it
//!   name: db-password                # optional
//!   expect: deny                     # allow | deny
//!   description: new accounts read no Secret   # optional
//! - noPathToClusterAdminExcept: [user:alice@example.com]
//! ```
//!
//! Every mistake in the file is reported with its line and column.

use crate::authorizer::Authorizer;
use crate::identity::Identity;
use crate::matching::Request;
use crate::paths::{Goal, Graph, Principal};
use kubefort_model::{Node, Pos};
use serde::Serialize;

#[derive(Debug, Clone)]
pub enum Check {
    Access { subject: String, identity: Box<Identity>, request: Request, allow: bool },
    NoPathToClusterAdminExcept(Vec<Principal>),
}

#[derive(Debug, Clone)]
pub struct Case {
    /// 1-based position in the list.
    pub number: usize,
    pub pos: Pos,
    pub description: Option<String>,
    pub check: Check,
}

impl Case {
    /// A stable name (no line number, so CI tools can compare runs).
    pub fn name(&self) -> String {
        let what = match &self.check {
            Check::Access { subject, request, allow, .. } => {
                format!("{subject} {} {}", if *allow { "can" } else { "cannot" }, request.describe())
            }
            Check::NoPathToClusterAdminExcept(except) => {
                let list: Vec<String> = except.iter().map(Principal::spec).collect();
                format!("no path to cluster-admin except [{}]", list.join(", "))
            }
        };
        match &self.description {
            Some(d) => format!("#{} {d}: {what}", self.number),
            None => format!("#{} {what}", self.number),
        }
    }
}

/// An error in the tests file: where and what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    pub pos: Pos,
    pub message: String,
}

const ACCESS_KEYS: &[&str] = &["subject", "verb", "resource", "namespace", "name", "expect", "description"];

/// Reads the tests from a parsed document; every error is collected.
pub fn parse(root: &Node) -> Result<Vec<Case>, Vec<ParseError>> {
    let mut errors = Vec::new();
    let mut cases = Vec::new();
    let err = |errors: &mut Vec<ParseError>, pos: Pos, message: String| errors.push(ParseError { pos, message });
    let items = match &root.value {
        kubefort_model::Value::Seq(items) => items,
        _ => {
            err(&mut errors, root.pos, format!("expected a list of tests, found {}", root.type_name()));
            return Err(errors);
        }
    };
    for (i, item) in items.iter().enumerate() {
        let number = i + 1;
        let Some(map) = item.as_map() else {
            err(&mut errors, item.pos, format!("test #{number}: expected a map, found {}", item.type_name()));
            continue;
        };
        let string = |errors: &mut Vec<ParseError>, key: &str| -> Option<String> {
            let node = map.get(key)?;
            match node.as_str() {
                Some(s) => Some(s.to_owned()),
                None => {
                    err(errors, node.pos, format!("`{key}` must be a string, found {}", node.type_name()));
                    None
                }
            }
        };
        let description = string(&mut errors, "description");
        if let Some(list) = map.get("noPathToClusterAdminExcept") {
            for (key, _) in map.iter() {
                if key != "noPathToClusterAdminExcept" && key != "description" {
                    let pos = map.key_pos(key).unwrap_or(item.pos);
                    err(&mut errors, pos, format!("unknown key `{key}` beside noPathToClusterAdminExcept"));
                }
            }
            let mut except = Vec::new();
            match &list.value {
                kubefort_model::Value::Seq(subjects) => {
                    for s in subjects {
                        match s.as_str().map(Principal::parse) {
                            Some(Ok(p)) => except.push(p),
                            Some(Err(e)) => err(&mut errors, s.pos, e),
                            None => err(&mut errors, s.pos, format!("expected a subject, found {}", s.type_name())),
                        }
                    }
                }
                kubefort_model::Value::Null => {}
                _ => err(&mut errors, list.pos, format!("expected a list of subjects, found {}", list.type_name())),
            }
            cases.push(Case { number, pos: item.pos, description, check: Check::NoPathToClusterAdminExcept(except) });
            continue;
        }
        let before = errors.len();
        for (key, _) in map.iter() {
            if !ACCESS_KEYS.contains(&key) {
                let pos = map.key_pos(key).unwrap_or(item.pos);
                err(
                    &mut errors,
                    pos,
                    format!(
                        "unknown key `{key}` (a test has {} or is noPathToClusterAdminExcept)",
                        ACCESS_KEYS.join(", ")
                    ),
                );
            }
        }
        let required = |errors: &mut Vec<ParseError>, key: &str| {
            let v = string(errors, key);
            if v.is_none() && map.get(key).is_none() {
                err(errors, item.pos, format!("test #{number}: `{key}` is missing"));
            }
            v
        };
        let subject = required(&mut errors, "subject");
        let verb = required(&mut errors, "verb");
        let resource = required(&mut errors, "resource");
        let expect = required(&mut errors, "expect");
        let namespace = string(&mut errors, "namespace").unwrap_or_default();
        let name = string(&mut errors, "name").unwrap_or_default();
        let at = |key: &str| map.get(key).map_or(item.pos, |n| n.pos);
        let identity = subject.as_deref().and_then(|s| match Identity::parse(s) {
            Ok(i) => Some(i),
            Err(e) => {
                err(&mut errors, at("subject"), e);
                None
            }
        });
        let request = match (&verb, &resource) {
            (Some(v), Some(r)) => match Request::parse(v, r, &namespace, &name) {
                Ok(r) => Some(r),
                Err(e) => {
                    err(&mut errors, at("resource"), e);
                    None
                }
            },
            _ => None,
        };
        let allow = match expect.as_deref() {
            Some("allow") => Some(true),
            Some("deny") => Some(false),
            Some(other) => {
                err(&mut errors, at("expect"), format!("`expect` is allow or deny, not `{other}`"));
                None
            }
            None => None,
        };
        if let (Some(subject), Some(identity), Some(request), Some(allow)) = (subject, identity, request, allow) {
            if errors.len() == before {
                cases.push(Case {
                    number,
                    pos: item.pos,
                    description,
                    check: Check::Access { subject, identity: Box::new(identity), request, allow },
                });
            }
        }
    }
    if errors.is_empty() {
        Ok(cases)
    } else {
        Err(errors)
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Outcome {
    pub name: String,
    pub line: u32,
    pub column: u32,
    pub passed: bool,
    /// One line: what happened.
    pub message: String,
    /// Proofs of the answer (the grants, or the paths found).
    pub details: Vec<String>,
}

/// Runs every case. `graph` is built on first need (only a
/// noPathToClusterAdminExcept test needs it).
pub fn run<'a>(cases: &[Case], authorizer: &'a Authorizer, graph: impl FnOnce() -> Graph<'a>) -> Vec<Outcome> {
    let mut graph_fn = Some(graph);
    let mut graph: Option<Graph<'a>> = None;
    let mut out = Vec::new();
    for case in cases {
        let (passed, message, details) = match &case.check {
            Check::Access { identity, request, allow, .. } => {
                let d = authorizer.authorize(identity, request);
                let details: Vec<String> =
                    d.grants.iter().flat_map(|g| authorizer.proof(identity, g).lines()).collect();
                let verdict = if d.allowed { "allowed" } else { "denied" };
                let expected = if *allow { "allowed" } else { "denied" };
                let message = if d.allowed == *allow {
                    format!("{verdict}, as expected")
                } else {
                    format!("expected {expected}, but {} is {verdict} for {}", request.describe(), identity.display())
                };
                (d.allowed == *allow, message, details)
            }
            Check::NoPathToClusterAdminExcept(except) => {
                if graph.is_none() {
                    graph = graph_fn.take().map(|f| f());
                }
                let Some(g) = graph.as_ref() else { continue };
                let bad: Vec<_> = g
                    .search(&Goal::ClusterAdmin, crate::paths::DEFAULT_MAX_DEPTH)
                    .into_iter()
                    .filter(|p| !except.contains(&g.principals[p.start]))
                    .collect();
                let details = bad.iter().flat_map(|p| g.report(p).lines()).collect();
                if bad.is_empty() {
                    (true, "no other principal reaches cluster-admin".to_owned(), details)
                } else {
                    let who: Vec<String> = bad.iter().map(|p| g.principals[p.start].spec()).collect();
                    (false, format!("{} reach cluster-admin: {}", who.len(), who.join(", ")), details)
                }
            }
        };
        out.push(Outcome { name: case.name(), line: case.pos.line, column: case.pos.column, passed, message, details });
    }
    out
}
