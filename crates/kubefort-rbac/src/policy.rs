//! RBAC objects (Role, ClusterRole, RoleBinding, ClusterRoleBinding) read
//! from manifests with their source positions. Malformed objects never stop
//! the analysis: each problem is recorded with its file:line and the rest is
//! still used.

use kubefort_model::{Location, Node, Object, Pos};
use serde::Serialize;
use std::sync::Arc;

pub const RBAC_GROUP: &str = "rbac.authorization.k8s.io";

/// Namespace given to namespaced RBAC objects whose manifest has none
/// (`kubectl apply` without `-n` puts them there).
pub const DEFAULT_NAMESPACE: &str = "default";

#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PolicyRule {
    pub verbs: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub api_groups: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub resources: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub resource_names: Vec<String>,
    #[serde(rename = "nonResourceURLs", skip_serializing_if = "Vec::is_empty")]
    pub non_resource_urls: Vec<String>,
}

impl PolicyRule {
    /// `verbs=[get list] apiGroups=[""] resources=[pods]`, for messages.
    pub fn describe(&self) -> String {
        let list = |v: &[String]| {
            v.iter().map(|s| if s.is_empty() { "\"\"".to_owned() } else { s.clone() }).collect::<Vec<_>>().join(",")
        };
        let mut s = format!("verbs=[{}]", list(&self.verbs));
        if !self.api_groups.is_empty() {
            s.push_str(&format!(" apiGroups=[{}]", list(&self.api_groups)));
        }
        if !self.resources.is_empty() {
            s.push_str(&format!(" resources=[{}]", list(&self.resources)));
        }
        if !self.resource_names.is_empty() {
            s.push_str(&format!(" resourceNames=[{}]", list(&self.resource_names)));
        }
        if !self.non_resource_urls.is_empty() {
            s.push_str(&format!(" nonResourceURLs=[{}]", list(&self.non_resource_urls)));
        }
        s
    }
}

/// A rule with where it was written.
#[derive(Debug, Clone)]
pub struct SourcedRule {
    pub rule: PolicyRule,
    /// Index in the role's `rules`.
    pub index: usize,
    pub location: Location,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum RoleKind {
    Role,
    ClusterRole,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum BindingKind {
    RoleBinding,
    ClusterRoleBinding,
}

/// `matchLabels` and `matchExpressions` of a label selector.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LabelSelector {
    pub match_labels: Vec<(String, String)>,
    pub match_expressions: Vec<Requirement>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Requirement {
    pub key: String,
    pub operator: Operator,
    pub values: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operator {
    In,
    NotIn,
    Exists,
    DoesNotExist,
}

impl LabelSelector {
    /// As `metav1.LabelSelectorAsSelector`: an empty selector matches everything.
    pub fn matches(&self, labels: &[(String, String)]) -> bool {
        let get = |k: &str| labels.iter().find(|(lk, _)| lk == k).map(|(_, v)| v.as_str());
        self.match_labels.iter().all(|(k, v)| get(k) == Some(v.as_str()))
            && self.match_expressions.iter().all(|r| match r.operator {
                Operator::In => get(&r.key).is_some_and(|v| r.values.iter().any(|x| x == v)),
                Operator::NotIn => get(&r.key).is_none_or(|v| !r.values.iter().any(|x| x == v)),
                Operator::Exists => get(&r.key).is_some(),
                Operator::DoesNotExist => get(&r.key).is_none(),
            })
    }
}

#[derive(Debug, Clone)]
pub struct Role {
    pub kind: RoleKind,
    /// `None` for ClusterRoles.
    pub namespace: Option<String>,
    pub name: String,
    pub labels: Vec<(String, String)>,
    /// The rules as written (for an aggregated ClusterRole the controller
    /// replaces them; see [`crate::Authorizer`]).
    pub rules: Vec<SourcedRule>,
    /// `aggregationRule.clusterRoleSelectors` when present.
    pub aggregation: Option<Vec<LabelSelector>>,
    pub location: Location,
    /// One of Kubernetes' default roles (`--with-defaults`), not read from input.
    pub builtin: bool,
}

impl Role {
    pub fn display(&self) -> String {
        match &self.namespace {
            Some(ns) => format!("Role {ns}/{}", self.name),
            None => format!("ClusterRole {}", self.name),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum SubjectKind {
    User,
    Group,
    ServiceAccount,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Subject {
    pub kind: SubjectKind,
    pub name: String,
    /// For a ServiceAccount: its namespace, defaulted to the RoleBinding's
    /// as the authorizer does. `None` for users and groups.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
}

impl Subject {
    /// The user name this subject matches (`system:serviceaccount:ns:name`
    /// for a service account), or `None` for a group.
    pub fn user_name(&self) -> Option<String> {
        match self.kind {
            SubjectKind::User => Some(self.name.clone()),
            SubjectKind::ServiceAccount => {
                Some(format!("system:serviceaccount:{}:{}", self.namespace.as_deref().unwrap_or(""), self.name))
            }
            SubjectKind::Group => None,
        }
    }
    pub fn display(&self) -> String {
        match self.kind {
            SubjectKind::User => format!("User {}", self.name),
            SubjectKind::Group => format!("Group {}", self.name),
            SubjectKind::ServiceAccount => {
                format!("ServiceAccount {}/{}", self.namespace.as_deref().unwrap_or(""), self.name)
            }
        }
    }
}

#[derive(Debug, Clone)]
pub struct SourcedSubject {
    pub subject: Subject,
    pub index: usize,
    pub location: Location,
}

#[derive(Debug, Clone)]
pub struct Binding {
    pub kind: BindingKind,
    pub namespace: Option<String>,
    pub name: String,
    pub role_kind: RoleKind,
    pub role_name: String,
    pub subjects: Vec<SourcedSubject>,
    pub location: Location,
    /// Where `roleRef` is written.
    pub role_ref_location: Location,
    pub labels: Vec<(String, String)>,
    pub builtin: bool,
}

impl Binding {
    pub fn display(&self) -> String {
        match &self.namespace {
            Some(ns) => format!("RoleBinding {ns}/{}", self.name),
            None => format!("ClusterRoleBinding {}", self.name),
        }
    }
}

/// A problem with the RBAC input: a malformed object or field, or a binding
/// whose role does not exist.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Problem {
    pub location: Location,
    pub message: String,
}

/// Whether `object` is an RBAC object this crate reads.
pub fn is_rbac_kind(object: &Object) -> bool {
    object.group() == RBAC_GROUP
        && matches!(object.kind.as_str(), "Role" | "ClusterRole" | "RoleBinding" | "ClusterRoleBinding")
}

pub(crate) struct Reader<'a> {
    object: &'a Object,
    pub problems: Vec<Problem>,
}

impl<'a> Reader<'a> {
    pub fn new(object: &'a Object) -> Self {
        Reader { object, problems: Vec::new() }
    }
    fn location(&self, pos: Pos) -> Location {
        Location {
            file: self.object.source.file.clone(),
            line: pos.line,
            column: pos.column,
            template: self.object.source.template.clone(),
        }
    }
    fn problem(&mut self, pos: Pos, message: String) {
        let message = format!("{}: {message}", self.object.display_name());
        self.problems.push(Problem { location: self.location(pos), message });
    }

    /// A list of strings; a missing or null field is empty. Items that are
    /// not strings are reported and skipped.
    fn strings(&mut self, parent: &Node, key: &str, path: &str) -> Vec<String> {
        let Some(node) = parent.get(key) else { return Vec::new() };
        if node.is_null() {
            return Vec::new();
        }
        if !matches!(node.value, kubefort_model::Value::Seq(_)) {
            self.problem(node.pos, format!("`{path}.{key}` must be a list of strings, not a {}", node.type_name()));
            return Vec::new();
        }
        let mut out = Vec::new();
        for item in node.as_seq() {
            match item.as_str() {
                Some(s) => out.push(s.to_owned()),
                None => self
                    .problem(item.pos, format!("`{path}.{key}` item is a {}, not a string; ignored", item.type_name())),
            }
        }
        out
    }

    fn labels(&mut self) -> Vec<(String, String)> {
        let Some(labels) = self.object.labels() else { return Vec::new() };
        labels.iter().filter_map(|(k, v)| v.scalar_text().map(|v| (k.to_owned(), v))).collect()
    }

    fn namespace(&self) -> String {
        self.object.namespace.clone().unwrap_or_else(|| DEFAULT_NAMESPACE.to_owned())
    }

    pub fn role(&mut self) -> Option<Role> {
        let o = self.object;
        let kind = if o.kind == "Role" { RoleKind::Role } else { RoleKind::ClusterRole };
        if o.name.is_empty() {
            self.problem(o.root.pos, "has no metadata.name; ignored".into());
            return None;
        }
        let labels = self.labels();
        let mut rules = Vec::new();
        if let Some(node) = o.root.get("rules").filter(|n| !n.is_null()) {
            if !matches!(node.value, kubefort_model::Value::Seq(_)) {
                self.problem(node.pos, format!("`rules` must be a list, not a {}", node.type_name()));
            }
            for (index, item) in node.as_seq().iter().enumerate() {
                if item.as_map().is_none() {
                    self.problem(
                        item.pos,
                        format!("`rules[{index}]` must be a map, not a {}; ignored", item.type_name()),
                    );
                    continue;
                }
                let path = format!("rules[{index}]");
                let rule = PolicyRule {
                    verbs: self.strings(item, "verbs", &path),
                    api_groups: self.strings(item, "apiGroups", &path),
                    resources: self.strings(item, "resources", &path),
                    resource_names: self.strings(item, "resourceNames", &path),
                    non_resource_urls: self.strings(item, "nonResourceURLs", &path),
                };
                if rule.verbs.is_empty() {
                    self.problem(item.pos, format!("`{path}` has no verbs, so it grants nothing"));
                }
                if kind == RoleKind::Role && !rule.non_resource_urls.is_empty() {
                    self.problem(
                        item.pos,
                        format!("`{path}`: a namespaced Role cannot grant nonResourceURLs; they never apply"),
                    );
                }
                rules.push(SourcedRule { rule, index, location: self.location(item.pos) });
            }
        }
        let mut aggregation = None;
        if kind == RoleKind::ClusterRole {
            if let Some(agg) = o.root.get("aggregationRule").filter(|n| !n.is_null()) {
                let mut selectors = Vec::new();
                for (i, sel) in agg.get("clusterRoleSelectors").map(Node::as_seq).unwrap_or(&[]).iter().enumerate() {
                    if let Some(s) = self.selector(sel, i) {
                        selectors.push(s);
                    }
                }
                aggregation = Some(selectors);
            }
        }
        Some(Role {
            kind,
            namespace: (kind == RoleKind::Role).then(|| self.namespace()),
            name: o.name.clone(),
            labels,
            rules,
            aggregation,
            location: self.location(o.root.pos),
            builtin: false,
        })
    }

    fn selector(&mut self, node: &Node, i: usize) -> Option<LabelSelector> {
        if node.as_map().is_none() {
            self.problem(node.pos, format!("`aggregationRule.clusterRoleSelectors[{i}]` must be a map; ignored"));
            return None;
        }
        let mut sel = LabelSelector::default();
        if let Some(ml) = node.get("matchLabels").and_then(Node::as_map) {
            for (k, v) in ml.iter() {
                match v.scalar_text() {
                    Some(v) => sel.match_labels.push((k.to_owned(), v)),
                    None => {
                        self.problem(v.pos, format!("matchLabels value for `{k}` must be a string; selector ignored"));
                        return None;
                    }
                }
            }
        }
        for expr in node.get("matchExpressions").map(Node::as_seq).unwrap_or(&[]) {
            let key = expr.get("key").and_then(Node::as_str).unwrap_or("").to_owned();
            let operator = match expr.get("operator").and_then(Node::as_str) {
                Some("In") => Operator::In,
                Some("NotIn") => Operator::NotIn,
                Some("Exists") => Operator::Exists,
                Some("DoesNotExist") => Operator::DoesNotExist,
                other => {
                    self.problem(
                        expr.pos,
                        format!("unknown matchExpressions operator {:?}; selector ignored", other.unwrap_or("")),
                    );
                    return None;
                }
            };
            let values =
                expr.get("values").map(Node::as_seq).unwrap_or(&[]).iter().filter_map(Node::scalar_text).collect();
            sel.match_expressions.push(Requirement { key, operator, values });
        }
        Some(sel)
    }

    pub fn binding(&mut self) -> Option<Binding> {
        let o = self.object;
        let kind = if o.kind == "RoleBinding" { BindingKind::RoleBinding } else { BindingKind::ClusterRoleBinding };
        if o.name.is_empty() {
            self.problem(o.root.pos, "has no metadata.name; ignored".into());
            return None;
        }
        let namespace = (kind == BindingKind::RoleBinding).then(|| self.namespace());
        let Some(role_ref) = o.root.get("roleRef").filter(|n| n.as_map().is_some()) else {
            self.problem(o.root.pos, "has no roleRef map, so it grants nothing; ignored".into());
            return None;
        };
        let role_kind = match role_ref.get("kind").and_then(Node::as_str) {
            Some("ClusterRole") => RoleKind::ClusterRole,
            Some("Role") if kind == BindingKind::RoleBinding => RoleKind::Role,
            Some("Role") => {
                self.problem(role_ref.pos, "a ClusterRoleBinding can only reference a ClusterRole; ignored".into());
                return None;
            }
            other => {
                self.problem(
                    role_ref.pos,
                    format!("roleRef.kind {:?} is neither Role nor ClusterRole; ignored", other.unwrap_or("")),
                );
                return None;
            }
        };
        let Some(role_name) = role_ref.get("name").and_then(Node::as_str).filter(|s| !s.is_empty()) else {
            self.problem(role_ref.pos, "roleRef has no name; ignored".into());
            return None;
        };
        if let Some(g) = role_ref.get("apiGroup").and_then(Node::as_str) {
            if g != RBAC_GROUP {
                self.problem(role_ref.pos, format!("roleRef.apiGroup is {g:?}, not {RBAC_GROUP:?}"));
            }
        }
        let mut subjects = Vec::new();
        for (index, s) in o.root.get("subjects").map(Node::as_seq).unwrap_or(&[]).iter().enumerate() {
            if s.as_map().is_none() {
                self.problem(s.pos, format!("subjects[{index}] must be a map, not a {}; ignored", s.type_name()));
                continue;
            }
            let name = s.get("name").and_then(Node::as_str).unwrap_or("");
            if name.is_empty() {
                self.problem(s.pos, format!("subjects[{index}] has no name; ignored"));
                continue;
            }
            let sa_ns = s.get("namespace").and_then(Node::as_str).filter(|n| !n.is_empty());
            let subject = match s.get("kind").and_then(Node::as_str) {
                Some("User") => Subject { kind: SubjectKind::User, name: name.to_owned(), namespace: None },
                Some("Group") => Subject { kind: SubjectKind::Group, name: name.to_owned(), namespace: None },
                Some("ServiceAccount") => {
                    // The authorizer defaults a ServiceAccount's namespace to the
                    // RoleBinding's; in a ClusterRoleBinding it is required.
                    let Some(ns) = sa_ns.map(str::to_owned).or_else(|| namespace.clone()) else {
                        self.problem(s.pos, format!("subjects[{index}]: ServiceAccount {name} has no namespace, which a ClusterRoleBinding requires; it matches nobody"));
                        continue;
                    };
                    Subject { kind: SubjectKind::ServiceAccount, name: name.to_owned(), namespace: Some(ns) }
                }
                other => {
                    self.problem(
                        s.pos,
                        format!(
                            "subjects[{index}].kind {:?} is not User, Group or ServiceAccount; ignored",
                            other.unwrap_or("")
                        ),
                    );
                    continue;
                }
            };
            subjects.push(SourcedSubject { subject, index, location: self.location(s.pos) });
        }
        Some(Binding {
            kind,
            namespace,
            name: o.name.clone(),
            role_kind,
            role_name: role_name.to_owned(),
            subjects,
            location: self.location(o.root.pos),
            role_ref_location: self.location(role_ref.pos),
            labels: self.labels(),
            builtin: false,
        })
    }
}

/// Reads one Role or ClusterRole object (`None` when it is not one, or is
/// unusable), with the problems found in it.
pub fn read_role(object: &Object) -> (Option<Role>, Vec<Problem>) {
    if !is_rbac_kind(object) || !matches!(object.kind.as_str(), "Role" | "ClusterRole") {
        return (None, Vec::new());
    }
    let mut reader = Reader::new(object);
    let role = reader.role();
    (role, reader.problems)
}

/// Reads one RoleBinding or ClusterRoleBinding object.
pub fn read_binding(object: &Object) -> (Option<Binding>, Vec<Problem>) {
    if !is_rbac_kind(object) || !matches!(object.kind.as_str(), "RoleBinding" | "ClusterRoleBinding") {
        return (None, Vec::new());
    }
    let mut reader = Reader::new(object);
    let binding = reader.binding();
    (binding, reader.problems)
}

/// Location of built-in defaults in proofs.
pub fn builtin_location() -> Location {
    Location { file: Arc::from("<kubernetes default policy>"), line: 0, column: 0, template: None }
}
