//! The authorizer: Kubernetes' RBAC decision (`plugin/pkg/auth/authorizer/rbac`)
//! over roles and bindings read from manifests, with every decision carrying
//! its proof (subject → group membership → binding → role → aggregated
//! from → rule, each with its file:line).
//!
//! Lookups are indexed: bindings by subject user name and group, and by
//! namespace, so `can` touches only the bindings of the asking user and
//! `who-can` evaluates each role once however many bindings use it.

use crate::identity::Identity;
use crate::matching::{rule_allows, Request};
use crate::policy::{is_rbac_kind, Binding, BindingKind, PolicyRule, Problem, Reader, Role, RoleKind, Subject};
use kubefort_model::{Location, Object};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

pub type RoleId = usize;
pub type BindingId = usize;

/// A rule as a role holds it after aggregation: the role it was written in
/// (`origin`), its position there, and the aggregated roles it came through.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EffectiveRule {
    pub origin: RoleId,
    /// Position in `roles[origin].rules`.
    pub rule: usize,
    /// Aggregated ClusterRoles between the bound role and `origin`, nearest first.
    pub via: Vec<RoleId>,
}

#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// Add Kubernetes' default roles and bindings (objects of the same name
    /// in the input replace them).
    pub with_defaults: bool,
}

/// How an identity matched a binding's subject.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Match {
    User,
    Group(usize),
}

/// One reason a request is allowed.
#[derive(Debug, Clone)]
pub struct Grant {
    pub binding: BindingId,
    /// Position in `bindings[binding].subjects`.
    pub subject: usize,
    pub matched: Match,
    pub role: RoleId,
    pub rule: EffectiveRule,
}

#[derive(Debug, Clone)]
pub struct Decision {
    pub allowed: bool,
    /// Every binding and rule that allows the request (ClusterRoleBindings
    /// first, as the API server visits them). Empty when denied.
    pub grants: Vec<Grant>,
    /// Bindings of this identity, in scope, whose role does not exist: they
    /// were skipped, as the API server skips them.
    pub skipped: Vec<BindingId>,
}

/// The object names a subject may act on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NameScope {
    /// Every name (a rule without resourceNames).
    Any,
    /// Only these names.
    Only(BTreeSet<String>),
    None,
}

impl NameScope {
    pub fn contains(&self, name: &str) -> bool {
        match self {
            NameScope::Any => true,
            NameScope::Only(names) => names.contains(name),
            NameScope::None => false,
        }
    }
}

/// One subject allowed to do something, and why.
#[derive(Debug, Clone)]
pub struct WhoCan {
    pub subject: Subject,
    pub binding: BindingId,
    pub subject_index: usize,
    pub role: RoleId,
    pub rule: EffectiveRule,
}

pub struct Authorizer {
    pub roles: Vec<Role>,
    pub bindings: Vec<Binding>,
    /// Malformed objects and fields, bindings to missing roles.
    pub problems: Vec<Problem>,
    effective: Vec<Vec<EffectiveRule>>,
    binding_role: Vec<Option<RoleId>>,
    role_index: HashMap<(RoleKind, Option<String>, String), RoleId>,
    cluster_bindings: Vec<BindingId>,
    namespace_bindings: HashMap<String, Vec<BindingId>>,
    by_user: HashMap<String, Vec<(BindingId, usize)>>,
    by_group: HashMap<String, Vec<(BindingId, usize)>>,
    bound: Vec<Vec<BindingId>>,
}

impl Authorizer {
    /// Reads every RBAC object among `objects` (others are ignored).
    pub fn new<'a>(objects: impl IntoIterator<Item = &'a Object>, options: Options) -> Authorizer {
        let mut roles = Vec::new();
        let mut bindings = Vec::new();
        let mut problems = Vec::new();
        for object in objects {
            if !is_rbac_kind(object) {
                continue;
            }
            let mut reader = Reader::new(object);
            match object.kind.as_str() {
                "Role" | "ClusterRole" => roles.extend(reader.role()),
                _ => bindings.extend(reader.binding()),
            }
            problems.append(&mut reader.problems);
        }
        if options.with_defaults {
            let names: HashSet<String> =
                roles.iter().filter(|r: &&Role| r.kind == RoleKind::ClusterRole).map(|r| r.name.clone()).collect();
            roles.extend(crate::defaults::roles().into_iter().filter(|r| !names.contains(&r.name)));
            let names: HashSet<String> = bindings
                .iter()
                .filter(|b: &&Binding| b.kind == BindingKind::ClusterRoleBinding)
                .map(|b| b.name.clone())
                .collect();
            bindings.extend(crate::defaults::bindings().into_iter().filter(|b| !names.contains(&b.name)));
        }
        Self::from_parts(roles, bindings, problems)
    }

    pub fn from_parts(roles: Vec<Role>, bindings: Vec<Binding>, mut problems: Vec<Problem>) -> Authorizer {
        let mut role_index = HashMap::with_capacity(roles.len());
        for (id, r) in roles.iter().enumerate() {
            let key = (r.kind, r.namespace.clone(), r.name.clone());
            if let Some(&first) = role_index.get(&key) {
                let first: &Role = &roles[first];
                problems.push(Problem {
                    location: r.location.clone(),
                    message: format!(
                        "{} is defined twice (first at {}); the last one is used",
                        r.display(),
                        loc(&first.location)
                    ),
                });
            }
            role_index.insert(key, id);
        }
        let mut binding_role = Vec::with_capacity(bindings.len());
        let mut cluster_bindings = Vec::new();
        let mut namespace_bindings: HashMap<String, Vec<BindingId>> = HashMap::new();
        let mut by_user: HashMap<String, Vec<(BindingId, usize)>> = HashMap::new();
        let mut by_group: HashMap<String, Vec<(BindingId, usize)>> = HashMap::new();
        let mut bound = vec![Vec::new(); roles.len()];
        for (id, b) in bindings.iter().enumerate() {
            let role_ns = if b.role_kind == RoleKind::Role { b.namespace.clone() } else { None };
            let role = role_index.get(&(b.role_kind, role_ns, b.role_name.clone())).copied();
            match role {
                Some(r) => bound[r].push(id),
                None => problems.push(Problem {
                    location: b.role_ref_location.clone(),
                    message: format!(
                        "{} references {}, which does not exist: it grants nothing",
                        b.display(),
                        missing_role(b)
                    ),
                }),
            }
            binding_role.push(role);
            match &b.namespace {
                None => cluster_bindings.push(id),
                Some(ns) => namespace_bindings.entry(ns.clone()).or_default().push(id),
            }
            for (i, s) in b.subjects.iter().enumerate() {
                match s.subject.user_name() {
                    Some(user) => by_user.entry(user).or_default().push((id, i)),
                    None => by_group.entry(s.subject.name.clone()).or_default().push((id, i)),
                }
            }
        }
        let mut authorizer = Authorizer {
            effective: Vec::new(),
            roles,
            bindings,
            problems,
            binding_role,
            role_index,
            cluster_bindings,
            namespace_bindings,
            by_user,
            by_group,
            bound,
        };
        authorizer.aggregate();
        authorizer
    }

    /// Resolves every ClusterRole `aggregationRule` to a fixpoint, as the
    /// aggregation controller does: the aggregated role's rules are replaced
    /// by the union (deduplicated, selector by selector, sources by name) of
    /// the rules of every other ClusterRole its selectors match.
    fn aggregate(&mut self) {
        self.effective = self
            .roles
            .iter()
            .enumerate()
            .map(|(id, r)| {
                if r.aggregation.is_some() {
                    Vec::new()
                } else {
                    (0..r.rules.len()).map(|i| EffectiveRule { origin: id, rule: i, via: Vec::new() }).collect()
                }
            })
            .collect();
        let aggregated: Vec<RoleId> = (0..self.roles.len()).filter(|&i| self.roles[i].aggregation.is_some()).collect();
        if aggregated.is_empty() {
            return;
        }
        let mut cluster_roles: Vec<RoleId> =
            (0..self.roles.len()).filter(|&i| self.roles[i].kind == RoleKind::ClusterRole).collect();
        cluster_roles.sort_by(|&a, &b| self.roles[a].name.cmp(&self.roles[b].name));
        let sources: Vec<Vec<RoleId>> = aggregated
            .iter()
            .map(|&a| {
                let mut out = Vec::new();
                for selector in self.roles[a].aggregation.as_deref().unwrap_or(&[]) {
                    out.extend(
                        cluster_roles.iter().copied().filter(|&s| s != a && selector.matches(&self.roles[s].labels)),
                    );
                }
                out
            })
            .collect();
        let limit = aggregated.len() + 2;
        for round in 0.. {
            let mut changed = false;
            for (k, &a) in aggregated.iter().enumerate() {
                let mut seen: HashSet<&PolicyRule> = HashSet::new();
                let mut next = Vec::new();
                for &s in &sources[k] {
                    for er in &self.effective[s] {
                        if er.via.contains(&a) {
                            continue; // a cycle back to this role
                        }
                        let rule = &self.roles[er.origin].rules[er.rule].rule;
                        if seen.insert(rule) {
                            let mut via = Vec::with_capacity(er.via.len() + 1);
                            if s != er.origin {
                                via.push(s);
                            }
                            via.extend_from_slice(&er.via);
                            next.push(EffectiveRule { origin: er.origin, rule: er.rule, via });
                        }
                    }
                }
                if next != self.effective[a] {
                    self.effective[a] = next;
                    changed = true;
                }
            }
            if !changed {
                break;
            }
            if round > limit {
                self.problems.push(Problem {
                    location: self.roles[aggregated[0]].location.clone(),
                    message: "ClusterRole aggregation did not settle; aggregated rules may be incomplete".into(),
                });
                break;
            }
        }
    }

    /// The rules a role grants (after aggregation).
    pub fn effective_rules(&self, role: RoleId) -> &[EffectiveRule] {
        &self.effective[role]
    }
    pub fn rule(&self, er: &EffectiveRule) -> &PolicyRule {
        &self.roles[er.origin].rules[er.rule].rule
    }
    /// The role a binding references, when it exists.
    pub fn binding_role(&self, binding: BindingId) -> Option<RoleId> {
        self.binding_role[binding]
    }
    /// Bindings that reference a role.
    pub fn bindings_of(&self, role: RoleId) -> &[BindingId] {
        &self.bound[role]
    }
    /// Whether some aggregated ClusterRole's selectors pick this role up.
    pub fn is_aggregation_source(&self, role: RoleId) -> bool {
        let r = &self.roles[role];
        r.kind == RoleKind::ClusterRole
            && self.roles.iter().enumerate().any(|(id, a)| {
                id != role && a.aggregation.as_deref().is_some_and(|sels| sels.iter().any(|s| s.matches(&r.labels)))
            })
    }
    pub fn find_role(&self, kind: RoleKind, namespace: Option<&str>, name: &str) -> Option<RoleId> {
        self.role_index.get(&(kind, namespace.map(str::to_owned), name.to_owned())).copied()
    }
    /// Every namespace that has a RoleBinding.
    pub fn namespaces(&self) -> BTreeSet<&str> {
        self.namespace_bindings.keys().map(String::as_str).collect()
    }

    /// Whether a binding applies to a request's namespace: ClusterRoleBindings
    /// everywhere, RoleBindings (even to a ClusterRole) only in their own.
    fn in_scope(&self, binding: BindingId, namespace: &str) -> bool {
        match &self.bindings[binding].namespace {
            None => true,
            Some(ns) => !namespace.is_empty() && ns == namespace,
        }
    }

    /// The bindings whose subjects include `identity`, each once with the
    /// first way it matched (user name before groups).
    fn bindings_for(&self, identity: &Identity) -> Vec<(BindingId, usize, Match)> {
        let mut out = Vec::new();
        let mut seen = HashSet::new();
        if let Some(user) = &identity.user {
            for &(b, s) in self.by_user.get(user).map(Vec::as_slice).unwrap_or(&[]) {
                if seen.insert(b) {
                    out.push((b, s, Match::User));
                }
            }
        }
        for (g, membership) in identity.groups.iter().enumerate() {
            for &(b, s) in self.by_group.get(&membership.group).map(Vec::as_slice).unwrap_or(&[]) {
                if seen.insert(b) {
                    out.push((b, s, Match::Group(g)));
                }
            }
        }
        // The API server visits ClusterRoleBindings, then the namespace's RoleBindings.
        out.sort_by_key(|&(b, _, _)| (self.bindings[b].namespace.is_some(), b));
        out
    }

    /// Namespaces of the RoleBindings (to existing roles) that name `identity`:
    /// outside them, only its ClusterRoleBindings apply.
    pub fn binding_namespaces(&self, identity: &Identity) -> BTreeSet<String> {
        self.bindings_for(identity)
            .into_iter()
            .filter(|&(b, _, _)| self.binding_role[b].is_some())
            .filter_map(|(b, _, _)| self.bindings[b].namespace.clone())
            .collect()
    }

    /// Whether `identity` is bound to an existing role by some binding in
    /// `namespace` (`None`: by a ClusterRoleBinding).
    pub fn is_bound_in(&self, identity: &Identity, namespace: Option<&str>) -> bool {
        self.bindings_for(identity)
            .into_iter()
            .any(|(b, _, _)| self.binding_role[b].is_some() && self.bindings[b].namespace.as_deref() == namespace)
    }

    /// Which object names `identity` may do `request` on (the request's own
    /// name is ignored): every name when a rule in scope has no
    /// resourceNames, else the union of the resourceNames of the rules that
    /// match.
    pub fn allowed_names(&self, identity: &Identity, request: &Request) -> NameScope {
        let mut unnamed = request.clone();
        if let crate::matching::Target::Resource { name, .. } = &mut unnamed.target {
            name.clear();
        }
        let mut names = BTreeSet::new();
        for (b, _, _) in self.bindings_for(identity) {
            if !self.in_scope(b, &request.namespace) {
                continue;
            }
            let Some(role) = self.binding_role[b] else { continue };
            for er in &self.effective[role] {
                let rule = self.rule(er);
                if rule.resource_names.is_empty() {
                    if rule_allows(rule, &unnamed) {
                        return NameScope::Any;
                    }
                } else {
                    let mut probe = unnamed.clone();
                    for n in &rule.resource_names {
                        if let crate::matching::Target::Resource { name, .. } = &mut probe.target {
                            name.clone_from(n);
                        }
                        if rule_allows(rule, &probe) {
                            names.insert(n.clone());
                        }
                    }
                }
            }
        }
        if names.is_empty() {
            NameScope::None
        } else {
            NameScope::Only(names)
        }
    }

    /// Every rule that applies to `identity` in `namespace` (`""`: only its
    /// ClusterRoleBindings), as Kubernetes' `RulesFor`: the owner rules of
    /// the escalation check ([`covers`](crate::covers::covers)) when it
    /// creates or updates a role or binding there.
    pub fn rules_for(&self, identity: &Identity, namespace: &str) -> Vec<PolicyRule> {
        let mut out = Vec::new();
        for (b, _, _) in self.bindings_for(identity) {
            if !self.in_scope(b, namespace) {
                continue;
            }
            let Some(role) = self.binding_role[b] else { continue };
            out.extend(self.effective[role].iter().map(|er| self.rule(er).clone()));
        }
        out
    }

    /// Can `identity` do `request`? With every grant that says yes.
    pub fn authorize(&self, identity: &Identity, request: &Request) -> Decision {
        let mut grants = Vec::new();
        let mut skipped = Vec::new();
        for (b, s, matched) in self.bindings_for(identity) {
            if !self.in_scope(b, &request.namespace) {
                continue;
            }
            let Some(role) = self.binding_role[b] else {
                skipped.push(b);
                continue;
            };
            for er in &self.effective[role] {
                if rule_allows(self.rule(er), request) {
                    grants.push(Grant { binding: b, subject: s, matched: matched.clone(), role, rule: er.clone() });
                }
            }
        }
        Decision { allowed: !grants.is_empty(), grants, skipped }
    }

    /// Every subject of every binding that allows `request`. Each role is
    /// evaluated once, so this is linear in the bindings in scope.
    pub fn who_can(&self, request: &Request) -> Vec<WhoCan> {
        let mut memo: Vec<Option<Option<usize>>> = vec![None; self.roles.len()];
        let namespaced = if request.namespace.is_empty() {
            &[][..]
        } else {
            self.namespace_bindings.get(&request.namespace).map(Vec::as_slice).unwrap_or(&[])
        };
        let mut out = Vec::new();
        for &b in self.cluster_bindings.iter().chain(namespaced) {
            let Some(role) = self.binding_role[b] else { continue };
            let allowing = *memo[role]
                .get_or_insert_with(|| self.effective[role].iter().position(|er| rule_allows(self.rule(er), request)));
            let Some(i) = allowing else { continue };
            for (si, s) in self.bindings[b].subjects.iter().enumerate() {
                out.push(WhoCan {
                    subject: s.subject.clone(),
                    binding: b,
                    subject_index: si,
                    role,
                    rule: self.effective[role][i].clone(),
                });
            }
        }
        out
    }

    /// The effective permissions of `identity`, scope by scope (`*` is
    /// cluster-wide: every namespace and cluster-scoped resources).
    pub fn permissions(&self, identity: &Identity) -> BTreeMap<String, Vec<Permission>> {
        let mut rows: BTreeMap<(String, PermissionKey), (BTreeSet<String>, Vec<Via>)> = BTreeMap::new();
        for (b, s, matched) in self.bindings_for(identity) {
            let Some(role) = self.binding_role[b] else { continue };
            let binding = &self.bindings[b];
            let scope = binding.namespace.clone().unwrap_or_else(|| "*".to_owned());
            for er in &self.effective[role] {
                let rule = self.rule(er);
                let mut keys = Vec::new();
                for g in &rule.api_groups {
                    for r in &rule.resources {
                        keys.push(PermissionKey::Resource {
                            api_group: g.clone(),
                            resource: r.clone(),
                            resource_names: rule.resource_names.clone(),
                        });
                    }
                }
                // Non-resource requests are cluster-scoped: only ClusterRoleBindings grant them.
                if binding.namespace.is_none() {
                    keys.extend(rule.non_resource_urls.iter().map(|u| PermissionKey::NonResource { url: u.clone() }));
                }
                for key in keys {
                    let entry = rows.entry((scope.clone(), key)).or_default();
                    entry.0.extend(rule.verbs.iter().cloned());
                    let via = Via {
                        binding: binding.display(),
                        role: self.roles[role].display(),
                        membership: self.membership_text(identity, b, s, &matched),
                        rule: loc(&self.roles[er.origin].rules[er.rule].location),
                    };
                    if !entry.1.contains(&via) {
                        entry.1.push(via);
                    }
                }
            }
        }
        let mut out: BTreeMap<String, Vec<Permission>> = BTreeMap::new();
        for ((scope, key), (verbs, via)) in rows {
            let verbs = if verbs.contains("*") { vec!["*".to_owned()] } else { verbs.into_iter().collect() };
            out.entry(scope).or_default().push(Permission { key, verbs, via });
        }
        out
    }

    fn membership_text(&self, identity: &Identity, binding: BindingId, subject: usize, matched: &Match) -> String {
        let s = &self.bindings[binding].subjects[subject].subject;
        match matched {
            Match::User => format!("as {}", s.display()),
            Match::Group(g) => {
                let m = &identity.groups[*g];
                match m.implicit {
                    Some(why) => format!("as member of Group {} ({why})", m.group),
                    None => format!("as member of Group {}", m.group),
                }
            }
        }
    }

    /// The proof of a grant, ready to print or serialise.
    pub fn proof(&self, identity: &Identity, grant: &Grant) -> Proof {
        let b = &self.bindings[grant.binding];
        let origin = &self.roles[grant.rule.origin];
        let rule = &origin.rules[grant.rule.rule];
        Proof {
            subject: identity.display(),
            membership: self.membership_text(identity, grant.binding, grant.subject, &grant.matched),
            binding: self.binding_ref(grant.binding),
            subject_location: b.subjects[grant.subject].location.clone(),
            role: self.role_ref(grant.role),
            aggregated_from: grant
                .rule
                .via
                .iter()
                .chain((grant.rule.origin != grant.role).then_some(&grant.rule.origin))
                .map(|&r| self.role_ref(r))
                .collect(),
            rule: RuleRef { index: rule.index, rule: rule.rule.clone(), location: rule.location.clone() },
        }
    }

    /// Proof for a who-can entry (no identity: the binding's subject itself).
    pub fn who_can_proof(&self, entry: &WhoCan) -> Proof {
        let b = &self.bindings[entry.binding];
        let origin = &self.roles[entry.rule.origin];
        let rule = &origin.rules[entry.rule.rule];
        Proof {
            subject: entry.subject.display(),
            membership: "named in the binding".into(),
            binding: self.binding_ref(entry.binding),
            subject_location: b.subjects[entry.subject_index].location.clone(),
            role: self.role_ref(entry.role),
            aggregated_from: entry
                .rule
                .via
                .iter()
                .chain((entry.rule.origin != entry.role).then_some(&entry.rule.origin))
                .map(|&r| self.role_ref(r))
                .collect(),
            rule: RuleRef { index: rule.index, rule: rule.rule.clone(), location: rule.location.clone() },
        }
    }

    pub fn binding_ref(&self, b: BindingId) -> ObjectRef {
        let b = &self.bindings[b];
        ObjectRef {
            kind: match b.kind {
                BindingKind::RoleBinding => "RoleBinding",
                BindingKind::ClusterRoleBinding => "ClusterRoleBinding",
            },
            namespace: b.namespace.clone(),
            name: b.name.clone(),
            location: b.location.clone(),
            builtin: b.builtin,
        }
    }
    pub fn role_ref(&self, r: RoleId) -> ObjectRef {
        let r = &self.roles[r];
        ObjectRef {
            kind: match r.kind {
                RoleKind::Role => "Role",
                RoleKind::ClusterRole => "ClusterRole",
            },
            namespace: r.namespace.clone(),
            name: r.name.clone(),
            location: r.location.clone(),
            builtin: r.builtin,
        }
    }
}

fn missing_role(b: &Binding) -> String {
    match (b.role_kind, &b.namespace) {
        (RoleKind::Role, Some(ns)) => format!("Role {ns}/{}", b.role_name),
        _ => format!("ClusterRole {}", b.role_name),
    }
}

/// `file:line` (or the built-in policy's name).
pub fn loc(l: &Location) -> String {
    if l.line == 0 {
        l.file.to_string()
    } else {
        format!("{}:{}", l.file, l.line)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(untagged)]
pub enum PermissionKey {
    #[serde(rename_all = "camelCase")]
    Resource {
        api_group: String,
        resource: String,
        #[serde(skip_serializing_if = "Vec::is_empty")]
        resource_names: Vec<String>,
    },
    #[serde(rename_all = "camelCase")]
    NonResource {
        #[serde(rename = "nonResourceURL")]
        url: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Via {
    pub binding: String,
    pub role: String,
    pub membership: String,
    pub rule: String,
}

/// One row of the permission matrix: verbs on a resource (or URL).
#[derive(Debug, Clone, Serialize)]
pub struct Permission {
    #[serde(flatten)]
    pub key: PermissionKey,
    pub verbs: Vec<String>,
    pub via: Vec<Via>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ObjectRef {
    pub kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    pub name: String,
    pub location: Location,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub builtin: bool,
}

impl ObjectRef {
    pub fn display(&self) -> String {
        match &self.namespace {
            Some(ns) => format!("{} {ns}/{}", self.kind, self.name),
            None => format!("{} {}", self.kind, self.name),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct RuleRef {
    pub index: usize,
    pub rule: PolicyRule,
    pub location: Location,
}

/// Why a request is allowed: subject → membership → binding → role →
/// (aggregated from) → rule.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Proof {
    pub subject: String,
    pub membership: String,
    pub binding: ObjectRef,
    pub subject_location: Location,
    pub role: ObjectRef,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub aggregated_from: Vec<ObjectRef>,
    pub rule: RuleRef,
}

impl Proof {
    /// Indented lines, one per step.
    pub fn lines(&self) -> Vec<String> {
        let mut out = vec![
            format!("{} {}", self.subject, self.membership),
            format!("  → {} ({})", self.binding.display(), loc(&self.binding.location)),
            format!("  → {} ({})", self.role.display(), loc(&self.role.location)),
        ];
        for r in &self.aggregated_from {
            out.push(format!("  → aggregated from {} ({})", r.display(), loc(&r.location)));
        }
        out.push(format!("  → rule #{} {} ({})", self.rule.index, self.rule.rule.describe(), loc(&self.rule.location)));
        out
    }
}
