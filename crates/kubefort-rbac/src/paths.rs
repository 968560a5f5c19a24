//! Privilege-escalation paths: from each principal of the input to
//! cluster-admin (by capability) or to a chosen permission.
//!
//! The graph's nodes are principals (users, groups, service accounts, and
//! three pseudo-principals: control of the nodes, "any role", traffic
//! interception). An edge `A → B` means "whoever is A can act as B", and
//! every edge comes from questions asked to the [`Authorizer`] (`can A
//! create pods in ns?`) plus facts from the input (which service account a
//! workload runs as, which pod is privileged) — never from role names.
//!
//! The search is one breadth-first walk backwards from every principal that
//! already holds the goal, so each start gets a shortest path, the whole
//! search is linear in the graph, and the order is deterministic (principals
//! are numbered in discovery order from the sorted starts; edges in a fixed
//! technique order).

use crate::authorizer::{loc, Authorizer, Grant, NameScope, Proof};
use crate::covers::covers;
use crate::facts::{Facts, Workload};
use crate::identity::{Identity, AUTHENTICATED, UNAUTHENTICATED};
use crate::matching::Request;
use crate::policy::{PolicyRule, RoleKind, Subject, SubjectKind, DEFAULT_NAMESPACE};
use kubefort_model::Location;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet, VecDeque};

/// Longest path searched by default.
pub const DEFAULT_MAX_DEPTH: usize = 8;

/// The group the API server lets do anything, without asking RBAC.
pub const MASTERS: &str = "system:masters";

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(tag = "kind")]
pub enum Principal {
    User {
        name: String,
    },
    Group {
        name: String,
    },
    ServiceAccount {
        namespace: String,
        name: String,
    },
    /// Control of the nodes: the kubelet's credentials and the token of every
    /// pod that runs there. Without scheduling information, every pod of the
    /// input may run on any node.
    Nodes,
    /// Can bind itself any role: holds every permission.
    AnyRole,
    /// Can redirect traffic meant for Services (CVE-2020-8554): reaches no
    /// identity by itself.
    Traffic,
}

impl Principal {
    pub fn from_subject(s: &Subject) -> Principal {
        match s.kind {
            SubjectKind::User => Principal::user(&s.name),
            SubjectKind::Group => Principal::Group { name: s.name.clone() },
            SubjectKind::ServiceAccount => Principal::ServiceAccount {
                namespace: s.namespace.clone().unwrap_or_else(|| DEFAULT_NAMESPACE.to_owned()),
                name: s.name.clone(),
            },
        }
    }
    /// A user name (`system:serviceaccount:NS:NAME` is a service account).
    pub fn user(name: &str) -> Principal {
        let id = Identity::user(name);
        match id.subject.kind {
            SubjectKind::ServiceAccount => Principal::from_subject(&id.subject),
            _ => Principal::User { name: name.to_owned() },
        }
    }
    pub fn service_account(namespace: &str, name: &str) -> Principal {
        Principal::ServiceAccount { namespace: namespace.to_owned(), name: name.to_owned() }
    }
    /// `sa:NS:NAME`, `system:serviceaccount:NS:NAME`, `user:NAME` or `group:NAME`.
    pub fn parse(spec: &str) -> Result<Principal, String> {
        Identity::parse(spec).map(|i| Principal::from_subject(&i.subject))
    }
    /// The identity RBAC sees (none for the pseudo-principals).
    pub fn identity(&self) -> Option<Identity> {
        match self {
            Principal::User { name } => Some(Identity::user(name)),
            Principal::Group { name } => Some(Identity::group(name)),
            Principal::ServiceAccount { namespace, name } => Some(Identity::service_account(namespace, name)),
            _ => None,
        }
    }
    pub fn display(&self) -> String {
        match self {
            Principal::User { name } => format!("User {name}"),
            Principal::Group { name } => format!("Group {name}"),
            Principal::ServiceAccount { namespace, name } => format!("ServiceAccount {namespace}/{name}"),
            Principal::Nodes => "the nodes (kubelet credentials and every pod's token)".into(),
            Principal::AnyRole => "any role (bound to itself)".into(),
            Principal::Traffic => "traffic to any Service".into(),
        }
    }
    /// The `sa:`/`user:`/`group:` spelling used on the command line.
    pub fn spec(&self) -> String {
        match self {
            Principal::User { name } => format!("user:{name}"),
            Principal::Group { name } => format!("group:{name}"),
            Principal::ServiceAccount { namespace, name } => format!("sa:{namespace}:{name}"),
            Principal::Nodes => "nodes".into(),
            Principal::AnyRole => "any-role".into(),
            Principal::Traffic => "traffic".into(),
        }
    }
}

/// How one principal becomes another.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Technique {
    /// create pods or a workload in a namespace: run a pod as any of its service accounts.
    CreateWorkloads,
    /// create a privileged/hostPath pod where no Pod Security level forbids it.
    CreatePrivilegedPod,
    /// exec/attach into pods: use their token, or their access to the node.
    ExecIntoPods,
    /// patch pods (image) or add ephemeral containers.
    PatchPods,
    /// the kubelet API through nodes/proxy: exec in any pod on any node.
    NodesProxy,
    /// serviceaccounts/token: mint a token.
    ServiceAccountToken,
    /// read legacy service-account token Secrets.
    ReadSecrets,
    ImpersonateServiceAccounts,
    ImpersonateUsers,
    ImpersonateGroups,
    /// bind a role one does not hold.
    BindRoles,
    /// add any rule to a role bound to oneself.
    EscalateRoles,
    /// approve a CSR for the kube-apiserver-client signer: a certificate for any user and group.
    ApproveCertificates,
    /// a mutating webhook rewrites every pod created.
    MutatingWebhook,
    /// a validating webhook sees every object written, Secrets included.
    ValidatingWebhook,
    /// a hostPath PersistentVolume mounts the node's files past Pod Security.
    HostPathVolume,
    /// relabel/taint nodes to move pods onto a node one controls.
    PatchNodes,
    /// services/status: set a LoadBalancer IP and capture its traffic (CVE-2020-8554).
    ServiceStatus,
    /// a privileged or host-mounting pod that holds the service account's token.
    PrivilegedPod,
    /// node control: every pod's token.
    NodeCompromise,
}

impl Technique {
    pub fn id(self) -> &'static str {
        match self {
            Technique::CreateWorkloads => "create-workloads",
            Technique::CreatePrivilegedPod => "create-privileged-pod",
            Technique::ExecIntoPods => "exec-into-pods",
            Technique::PatchPods => "patch-pods",
            Technique::NodesProxy => "nodes-proxy",
            Technique::ServiceAccountToken => "service-account-token",
            Technique::ReadSecrets => "read-secrets",
            Technique::ImpersonateServiceAccounts => "impersonate-service-accounts",
            Technique::ImpersonateUsers => "impersonate-users",
            Technique::ImpersonateGroups => "impersonate-groups",
            Technique::BindRoles => "bind-roles",
            Technique::EscalateRoles => "escalate-roles",
            Technique::ApproveCertificates => "approve-certificates",
            Technique::MutatingWebhook => "mutating-webhook",
            Technique::ValidatingWebhook => "validating-webhook",
            Technique::HostPathVolume => "hostpath-volume",
            Technique::PatchNodes => "patch-nodes",
            Technique::ServiceStatus => "service-status",
            Technique::PrivilegedPod => "privileged-pod",
            Technique::NodeCompromise => "node-compromise",
        }
    }
}

/// A thing in the input an edge relies on (a workload, a ServiceAccount, a Secret).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ObjectNote {
    pub what: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<Location>,
}

impl ObjectNote {
    pub fn display(&self) -> String {
        match &self.location {
            Some(l) => format!("{} ({})", self.what, loc(l)),
            None => self.what.clone(),
        }
    }
}

/// Why an edge exists: the permissions used, each with the grant that allows it.
#[derive(Debug, Clone)]
pub struct Evidence {
    /// `create pods in namespace shop`
    pub summary: String,
    pub grants: Vec<(Request, Grant)>,
    /// An assumption the edge makes (unknown Secrets, no Pod Security label …).
    pub note: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Edge {
    pub to: usize,
    pub technique: Technique,
    /// Index in [`Graph::evidence`].
    pub evidence: usize,
    pub object: Option<ObjectNote>,
}

/// What to reach.
#[derive(Debug, Clone, PartialEq)]
pub enum Goal {
    /// Everything cluster-admin holds: `*` on `*.*` cluster-wide and `*` on every non-resource URL.
    ClusterAdmin,
    /// One permission (`get secrets -n prod`).
    Request(Request),
}

impl Goal {
    /// `cluster-admin`, or `VERB RESOURCE [-n NS] [--name NAME]`.
    pub fn parse(text: &str) -> Result<Goal, String> {
        let words: Vec<&str> = text.split_whitespace().collect();
        if words == ["cluster-admin"] {
            return Ok(Goal::ClusterAdmin);
        }
        let usage = || format!("`{text}`: a target is cluster-admin or \"VERB RESOURCE [-n NAMESPACE] [--name NAME]\"");
        let (verb, resource) = match words.as_slice() {
            [verb, resource, ..] => (*verb, *resource),
            _ => return Err(usage()),
        };
        let (mut namespace, mut name) = ("", "");
        let mut rest = words[2..].iter();
        while let Some(flag) = rest.next() {
            let value = rest.next().ok_or_else(usage)?;
            match *flag {
                "-n" | "--namespace" => namespace = value,
                "--name" => name = value,
                _ => return Err(usage()),
            }
        }
        Request::parse(verb, resource, namespace, name).map(Goal::Request)
    }
    pub fn describe(&self) -> String {
        match self {
            Goal::ClusterAdmin => "cluster-admin (* on *.* and on nonResourceURLs *)".into(),
            Goal::Request(r) => r.describe(),
        }
    }
}

/// Why a principal holds the goal.
#[derive(Debug, Clone)]
pub struct Holds {
    pub grants: Vec<(Request, Grant)>,
    pub note: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Path {
    pub start: usize,
    /// `(from, index of the edge in edges[from])`, in order.
    pub steps: Vec<(usize, usize)>,
    pub end: usize,
    pub holds: Holds,
}

struct Raw {
    to: Principal,
    technique: Technique,
    evidence: usize,
    object: Option<ObjectNote>,
}

/// Edges of one principal as they are found, before the targets are numbered.
#[derive(Default)]
struct Found {
    evidence: Vec<Evidence>,
    edges: Vec<Raw>,
    seen: HashSet<(Principal, Technique)>,
}

impl Found {
    fn evidence(&mut self, summary: String, grants: Vec<(Request, Grant)>, note: Option<String>) -> usize {
        self.evidence.push(Evidence { summary, grants, note });
        self.evidence.len() - 1
    }
    fn edge(&mut self, to: Principal, technique: Technique, evidence: usize, object: Option<ObjectNote>) {
        if self.seen.insert((to.clone(), technique)) {
            self.edges.push(Raw { to, technique, evidence, object });
        }
    }
}

pub struct Graph<'a> {
    pub authorizer: &'a Authorizer,
    pub facts: &'a Facts,
    pub principals: Vec<Principal>,
    index: HashMap<Principal, usize>,
    /// Edges out of each principal.
    pub edges: Vec<Vec<Edge>>,
    pub evidence: Vec<Evidence>,
    /// The principals paths start from, sorted.
    pub starts: Vec<usize>,
    namespaces: BTreeSet<String>,
    /// namespace → service account → where it is known from.
    service_accounts: BTreeMap<String, BTreeMap<String, ObjectNote>>,
    workloads_by_namespace: BTreeMap<String, Vec<usize>>,
    users: BTreeSet<String>,
    groups: BTreeSet<String>,
}

/// Groups every user (or every service account) is in: a binding to them
/// is a start, as "anyone in it".
fn is_everyone_group(name: &str) -> bool {
    name == AUTHENTICATED
        || name == UNAUTHENTICATED
        || name == "system:serviceaccounts"
        || name.starts_with("system:serviceaccounts:")
}

const RBAC_GROUP: &str = "rbac.authorization.k8s.io";
const ADMIN_ROLE: &str = "cluster-admin";

/// cluster-admin's rules: `*` on `*.*` and on every non-resource URL.
fn admin_rules() -> [PolicyRule; 2] {
    let star = || vec!["*".to_owned()];
    [
        PolicyRule { verbs: star(), api_groups: star(), resources: star(), ..PolicyRule::default() },
        PolicyRule { verbs: star(), non_resource_urls: star(), ..PolicyRule::default() },
    ]
}

const WORKLOADS: &[(&str, &str)] = &[
    ("", "pods"),
    ("apps", "deployments"),
    ("apps", "daemonsets"),
    ("apps", "statefulsets"),
    ("apps", "replicasets"),
    ("batch", "jobs"),
    ("batch", "cronjobs"),
    ("", "replicationcontrollers"),
];

impl<'a> Graph<'a> {
    /// Builds the whole graph reachable from the starts: the non-system
    /// principals named by bindings of the input (plus groups every user is
    /// in) and the service accounts workloads run as.
    pub fn new(authorizer: &'a Authorizer, facts: &'a Facts) -> Graph<'a> {
        let mut service_accounts: BTreeMap<String, BTreeMap<String, ObjectNote>> = BTreeMap::new();
        let mut namespaces: BTreeSet<String> = authorizer.namespaces().into_iter().map(str::to_owned).collect();
        namespaces.extend(facts.namespaces.keys().cloned());
        for (ns, sas) in &facts.service_accounts {
            namespaces.insert(ns.clone());
            for (name, at) in sas {
                service_accounts.entry(ns.clone()).or_default().insert(
                    name.clone(),
                    ObjectNote { what: format!("ServiceAccount {ns}/{name}"), location: Some(at.clone()) },
                );
            }
        }
        let mut workloads_by_namespace: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        let mut starts = BTreeSet::new();
        for (i, w) in facts.workloads.iter().enumerate() {
            namespaces.insert(w.namespace.clone());
            workloads_by_namespace.entry(w.namespace.clone()).or_default().push(i);
            service_accounts.entry(w.namespace.clone()).or_default().entry(w.service_account.clone()).or_insert_with(
                || ObjectNote {
                    what: format!("{} runs as {}", w.display(), w.service_account),
                    location: Some(w.location.clone()),
                },
            );
            starts.insert(Principal::service_account(&w.namespace, &w.service_account));
        }
        let mut users = BTreeSet::new();
        let mut groups = BTreeSet::new();
        for b in &authorizer.bindings {
            for s in &b.subjects {
                let p = Principal::from_subject(&s.subject);
                match &p {
                    Principal::User { name } => {
                        users.insert(name.clone());
                    }
                    Principal::Group { name } => {
                        groups.insert(name.clone());
                    }
                    Principal::ServiceAccount { namespace, name } => {
                        namespaces.insert(namespace.clone());
                        service_accounts.entry(namespace.clone()).or_default().entry(name.clone()).or_insert_with(
                            || ObjectNote {
                                what: format!("ServiceAccount {namespace}/{name}, named by {}", b.display()),
                                location: Some(s.location.clone()),
                            },
                        );
                    }
                    _ => {}
                }
                if b.builtin {
                    continue;
                }
                let system = match &p {
                    Principal::User { name } => name.starts_with("system:"),
                    Principal::Group { name } => name.starts_with("system:") && !is_everyone_group(name),
                    _ => false,
                };
                if !system {
                    starts.insert(p);
                }
            }
        }
        for ns in &namespaces {
            service_accounts.entry(ns.clone()).or_default().entry("default".into()).or_insert_with(|| ObjectNote {
                what: format!("ServiceAccount {ns}/default (every namespace has one)"),
                location: None,
            });
        }
        let mut graph = Graph {
            authorizer,
            facts,
            principals: Vec::new(),
            index: HashMap::new(),
            edges: Vec::new(),
            evidence: Vec::new(),
            starts: Vec::new(),
            namespaces,
            service_accounts,
            workloads_by_namespace,
            users,
            groups,
        };
        graph.starts = starts.into_iter().map(|p| graph.intern(p)).collect();
        let mut next = 0;
        while next < graph.principals.len() {
            let found = graph.find_edges(&graph.principals[next].clone());
            let base = graph.evidence.len();
            graph.evidence.extend(found.evidence);
            let edges = found
                .edges
                .into_iter()
                .map(|r| Edge {
                    to: graph.intern(r.to),
                    technique: r.technique,
                    evidence: base + r.evidence,
                    object: r.object,
                })
                .collect();
            graph.edges.push(edges);
            next += 1;
        }
        graph
    }

    fn intern(&mut self, p: Principal) -> usize {
        if let Some(&i) = self.index.get(&p) {
            return i;
        }
        self.principals.push(p.clone());
        self.index.insert(p, self.principals.len() - 1);
        self.principals.len() - 1
    }

    pub fn id(&self, p: &Principal) -> Option<usize> {
        self.index.get(p).copied()
    }

    /// The edges out of a principal as `(target, technique)`.
    pub fn edges_of(&self, p: &Principal) -> Vec<(&Principal, Technique)> {
        self.id(p)
            .map(|i| self.edges[i].iter().map(|e| (&self.principals[e.to], e.technique)).collect())
            .unwrap_or_default()
    }

    fn grant(&self, id: &Identity, request: &Request) -> Option<Grant> {
        self.authorizer.authorize(id, request).grants.into_iter().next()
    }

    /// The first of `asks` (verb, group, resource) allowed cluster-wide, or else
    /// in each namespace of `bound`: `(None = every namespace | Some(ns), request, grant)`.
    fn scopes(
        &self,
        id: &Identity,
        bound: &BTreeSet<String>,
        asks: &[(&str, &str, &str)],
    ) -> Vec<(Option<String>, Request, Grant)> {
        for (verb, group, resource) in asks {
            let r = Request::resource(verb, group, resource, "", "");
            if let Some(g) = self.grant(id, &r) {
                return vec![(None, r, g)];
            }
        }
        let mut out = Vec::new();
        for ns in bound {
            for (verb, group, resource) in asks {
                let r = Request::resource(verb, group, resource, ns, "");
                if let Some(g) = self.grant(id, &r) {
                    out.push((Some(ns.clone()), r, g));
                    break;
                }
            }
        }
        out
    }

    /// The namespaces each scope covers.
    fn covered<'s>(&'s self, scope: &'s Option<String>) -> Box<dyn Iterator<Item = &'s String> + 's> {
        match scope {
            None => Box::new(self.namespaces.iter()),
            Some(ns) => Box::new(std::iter::once(ns)),
        }
    }

    fn where_(scope: &Option<String>) -> String {
        match scope {
            None => "in every namespace".into(),
            Some(ns) => format!("in namespace {ns}"),
        }
    }

    /// Names allowed for `verb resource` in each namespace (cluster-wide
    /// grants apply to all): `(namespace, names)`.
    fn named(
        &self,
        id: &Identity,
        bound: &BTreeSet<String>,
        verb: &str,
        group: &str,
        resource: &str,
    ) -> Vec<(String, NameScope)> {
        let cluster = self.authorizer.allowed_names(id, &Request::resource(verb, group, resource, "", ""));
        let mut out = Vec::new();
        let namespaces: Box<dyn Iterator<Item = &String>> =
            if cluster == NameScope::None { Box::new(bound.iter()) } else { Box::new(self.namespaces.iter()) };
        for ns in namespaces {
            let scope = if bound.contains(ns) {
                self.authorizer.allowed_names(id, &Request::resource(verb, group, resource, ns, ""))
            } else {
                cluster.clone()
            };
            if scope != NameScope::None {
                out.push((ns.clone(), scope));
            }
        }
        out
    }

    fn sa_note(&self, ns: &str, name: &str) -> Option<ObjectNote> {
        self.service_accounts.get(ns).and_then(|m| m.get(name)).cloned()
    }

    /// Edges to every service account of the namespaces in `scope`, and to the
    /// nodes where a pod may be privileged.
    fn any_pod(
        &self,
        found: &mut Found,
        scope: &Option<String>,
        technique: Technique,
        evidence: usize,
        grants: &[(Request, Grant)],
        what: &str,
    ) {
        let mut open = Vec::new();
        for ns in self.covered(scope) {
            for (name, note) in self.service_accounts.get(ns).into_iter().flatten() {
                found.edge(Principal::service_account(ns, name), technique, evidence, Some(note.clone()));
            }
            if !self.facts.enforces_pod_security(ns) {
                open.push(ns.clone());
            }
        }
        if let Some(first) = open.first() {
            let note = match self.facts.namespaces.get(first) {
                Some((level, _)) => format!(
                    "Namespace {first} enforces Pod Security level {}",
                    level.as_deref().unwrap_or("none (no pod-security.kubernetes.io/enforce label)")
                ),
                None => format!("no Namespace {first} in the input: no Pod Security level known"),
            };
            let e = found.evidence(
                format!("{what} {}, privileged or mounting the node's /", Self::where_(scope)),
                grants.to_vec(),
                Some(note),
            );
            let location = self.facts.namespaces.get(first).map(|(_, l)| l.clone());
            found.edge(
                Principal::Nodes,
                Technique::CreatePrivilegedPod,
                e,
                Some(ObjectNote { what: format!("namespace {first}"), location }),
            );
        }
    }

    /// Edges from controlling a workload's pods: its token, its node.
    fn control(&self, found: &mut Found, w: &Workload, technique: Technique, evidence: usize) {
        if w.token_mounted {
            found.edge(
                Principal::service_account(&w.namespace, &w.service_account),
                technique,
                evidence,
                Some(ObjectNote {
                    what: format!("{} runs as {} with its token mounted", w.display(), w.service_account),
                    location: Some(w.location.clone()),
                }),
            );
        }
        if let Some((why, at)) = &w.host_access {
            found.edge(
                Principal::Nodes,
                technique,
                evidence,
                Some(ObjectNote { what: format!("{}: {why}", w.display()), location: Some(at.clone()) }),
            );
        }
    }

    /// A ClusterRole `id` may `bind` whose rules cover cluster-admin's
    /// (`covers`, as the API server compares rules): `(bind request, grant,
    /// role name, note)`. `cluster-admin` comes first; when the input does
    /// not define it, it is Kubernetes' default (`*` on everything), which
    /// every cluster has.
    fn bindable_admin(&self, id: &Identity) -> Option<(Request, Grant, String, Option<String>)> {
        let names = self.authorizer.allowed_names(id, &Request::resource("bind", RBAC_GROUP, "clusterroles", "", ""));
        let mut candidates = vec![ADMIN_ROLE.to_owned()];
        candidates.extend(
            self.authorizer
                .roles
                .iter()
                .filter(|r| r.kind == RoleKind::ClusterRole && r.name != ADMIN_ROLE)
                .map(|r| r.name.clone())
                .collect::<BTreeSet<_>>(),
        );
        let admin = admin_rules();
        candidates.into_iter().filter(|n| names.contains(n)).find_map(|name| {
            let note = match self.authorizer.find_role(RoleKind::ClusterRole, None, &name) {
                Some(role) if covers(&self.role_rules(role), &admin).0 => None,
                Some(_) => return None,
                None if name == ADMIN_ROLE => Some(format!(
                    "ClusterRole {ADMIN_ROLE} is not in the input: assuming Kubernetes' default (* on everything)"
                )),
                None => return None,
            };
            let r = Request::resource("bind", RBAC_GROUP, "clusterroles", "", &name);
            self.grant(id, &r).map(|g| (r, g, name, note))
        })
    }

    /// A role of namespace `ns` (a Role there or a ClusterRole) that `id` may
    /// `bind` by name there, whose rules cover creating a workload:
    /// `(bind request, grant, role, workload resource)`.
    fn bindable_workload_role(&self, id: &Identity, ns: &str) -> Option<(Request, Grant, String, &'static str)> {
        for (kind, resource) in [(RoleKind::Role, "roles"), (RoleKind::ClusterRole, "clusterroles")] {
            let NameScope::Only(names) =
                self.authorizer.allowed_names(id, &Request::resource("bind", RBAC_GROUP, resource, ns, ""))
            else {
                continue;
            };
            for name in names {
                let role_ns = (kind == RoleKind::Role).then_some(ns);
                let Some(role) = self.authorizer.find_role(kind, role_ns, &name) else { continue };
                let rules = self.role_rules(role);
                let workload = WORKLOADS.iter().find(|(group, res)| {
                    let create = PolicyRule {
                        verbs: vec!["create".into()],
                        api_groups: vec![(*group).to_owned()],
                        resources: vec![(*res).to_owned()],
                        ..PolicyRule::default()
                    };
                    covers(&rules, &[create]).0
                });
                let Some((_, workload)) = workload else { continue };
                let r = Request::resource("bind", RBAC_GROUP, resource, ns, &name);
                if let Some(g) = self.grant(id, &r) {
                    return Some((r, g, self.authorizer.roles[role].display(), workload));
                }
            }
        }
        None
    }

    fn role_rules(&self, role: usize) -> Vec<PolicyRule> {
        self.authorizer.effective_rules(role).iter().map(|er| self.authorizer.rule(er).clone()).collect()
    }

    fn find_edges(&self, p: &Principal) -> Found {
        let mut found = Found::default();
        match p {
            Principal::Nodes => {
                let e = found.evidence(
                    "node compromise: the kubelet can get the token of every pod it runs".into(),
                    vec![],
                    Some("no scheduling information: every pod of the input may run on a compromised node".into()),
                );
                for w in &self.facts.workloads {
                    found.edge(
                        Principal::service_account(&w.namespace, &w.service_account),
                        Technique::NodeCompromise,
                        e,
                        Some(ObjectNote {
                            what: format!("{} runs as {}", w.display(), w.service_account),
                            location: Some(w.location.clone()),
                        }),
                    );
                }
                return found;
            }
            Principal::AnyRole | Principal::Traffic => return found,
            _ => {}
        }
        let Some(id) = p.identity() else { return found };
        let bound = self.authorizer.binding_namespaces(&id);

        // Run a pod as any service account of the namespace.
        let creates: Vec<(&str, &str, &str)> = WORKLOADS.iter().map(|(g, r)| ("create", *g, *r)).collect();
        for (scope, request, grant) in self.scopes(&id, &bound, &creates) {
            let what = format!("create {}", request_resource(&request));
            let grants = vec![(request, grant)];
            let e = found.evidence(format!("{what} {}", Self::where_(&scope)), grants.clone(), None);
            self.any_pod(&mut found, &scope, Technique::CreateWorkloads, e, &grants, &what);
        }

        // Control the pods of the input.
        let exec = [
            ("create", "", "pods/exec"),
            ("get", "", "pods/exec"),
            ("create", "", "pods/attach"),
            ("get", "", "pods/attach"),
        ];
        let patch = [
            ("patch", "", "pods"),
            ("update", "", "pods"),
            ("patch", "", "pods/ephemeralcontainers"),
            ("update", "", "pods/ephemeralcontainers"),
        ];
        for (technique, asks) in [(Technique::ExecIntoPods, &exec), (Technique::PatchPods, &patch)] {
            for (scope, request, grant) in self.scopes(&id, &bound, asks) {
                let summary = format!("{} {} {}", request.verb, request_resource(&request), Self::where_(&scope));
                let e = found.evidence(summary, vec![(request, grant)], None);
                for ns in self.covered(&scope) {
                    for &w in self.workloads_by_namespace.get(ns).into_iter().flatten() {
                        self.control(&mut found, &self.facts.workloads[w], technique, e);
                    }
                }
            }
        }
        let proxy = Request::resource("get", "", "nodes/proxy", "", "");
        if let Some(g) = self.grant(&id, &proxy) {
            let e = found.evidence("get nodes/proxy: the kubelet API of every node".into(), vec![(proxy, g)], None);
            for w in &self.facts.workloads {
                self.control(&mut found, w, Technique::NodesProxy, e);
            }
        }

        // Tokens of named service accounts.
        for (technique, verb, resource) in [
            (Technique::ServiceAccountToken, "create", "serviceaccounts/token"),
            (Technique::ImpersonateServiceAccounts, "impersonate", "serviceaccounts"),
        ] {
            for (ns, names) in self.named(&id, &bound, verb, "", resource) {
                let mut any: Option<usize> = None;
                for name in
                    self.service_accounts.get(&ns).map(|m| m.keys().cloned().collect::<Vec<_>>()).unwrap_or_default()
                {
                    if !names.contains(&name) {
                        continue;
                    }
                    let e = match (&names, any) {
                        (NameScope::Any, Some(e)) => e,
                        _ => {
                            let r = Request::resource(verb, "", resource, &ns, &name);
                            let Some(g) = self.grant(&id, &r) else { continue };
                            let summary = match names {
                                NameScope::Any => format!("{verb} {resource} in namespace {ns}"),
                                _ => format!("{verb} {resource} {name:?} in namespace {ns}"),
                            };
                            let e = found.evidence(summary, vec![(r, g)], None);
                            if names == NameScope::Any {
                                any = Some(e);
                            }
                            e
                        }
                    };
                    let note = self.sa_note(&ns, &name);
                    found.edge(Principal::service_account(&ns, &name), technique, e, note);
                }
                // Names the rules allow that the input does not otherwise know.
                if let NameScope::Only(list) = &names {
                    for name in list {
                        if self.sa_note(&ns, name).is_none() {
                            let r = Request::resource(verb, "", resource, &ns, name);
                            if let Some(g) = self.grant(&id, &r) {
                                let e = found.evidence(
                                    format!("{verb} {resource} {name:?} in namespace {ns}"),
                                    vec![(r, g)],
                                    None,
                                );
                                found.edge(Principal::service_account(&ns, name), technique, e, None);
                            }
                        }
                    }
                }
            }
        }

        // Legacy token Secrets.
        self.secrets_edges(&mut found, &id, &bound, "get");
        self.secrets_edges(&mut found, &id, &bound, "list");

        // Impersonation of users and groups.
        for (technique, resource, known) in [
            (Technique::ImpersonateUsers, "users", &self.users),
            (Technique::ImpersonateGroups, "groups", &self.groups),
        ] {
            let names = self.authorizer.allowed_names(&id, &Request::resource("impersonate", "", resource, "", ""));
            let mut candidates: BTreeSet<String> = match &names {
                NameScope::Any => known.clone(),
                NameScope::Only(list) => list.clone(),
                NameScope::None => continue,
            };
            if technique == Technique::ImpersonateGroups && names.contains(MASTERS) {
                candidates.insert(MASTERS.to_owned());
            }
            for name in candidates {
                let r = Request::resource("impersonate", "", resource, "", &name);
                let Some(g) = self.grant(&id, &r) else { continue };
                let to = if technique == Technique::ImpersonateUsers {
                    Principal::user(&name)
                } else {
                    Principal::Group { name: name.clone() }
                };
                if &to == p {
                    continue;
                }
                let e = found.evidence(format!("impersonate {resource} {name:?}"), vec![(r, g)], None);
                found.edge(to, technique, e, None);
            }
        }

        // Granting oneself roles. `bind` lets a subject bind a role whose
        // rules it does not hold; which roles are worth binding is decided by
        // Kubernetes' own `covers`, not by their names.
        let crb = Request::resource("create", RBAC_GROUP, "clusterrolebindings", "", "");
        if let Some(g2) = self.grant(&id, &crb) {
            if let Some((bind, g1, role, note)) = self.bindable_admin(&id) {
                let e = found.evidence(
                    format!("bind ClusterRole {role} (it covers cluster-admin's rules) and create a ClusterRoleBinding to oneself"),
                    vec![(bind, g1), (crb, g2)],
                    Some(note.unwrap_or_else(|| {
                        "bind skips the API server's check that the binder holds the role's permissions".into()
                    })),
                );
                found.edge(Principal::AnyRole, Technique::BindRoles, e, None);
            }
        }
        let esc = Request::resource("escalate", "rbac.authorization.k8s.io", "clusterroles", "", "");
        if let Some(g1) = self.grant(&id, &esc) {
            let upd = ["update", "patch"]
                .iter()
                .map(|v| Request::resource(v, "rbac.authorization.k8s.io", "clusterroles", "", ""))
                .find_map(|r| self.grant(&id, &r).map(|g| (r, g)));
            if let Some(upd) = upd {
                if self.authorizer.is_bound_in(&id, None) {
                    let e = found.evidence(
                        "escalate and update a ClusterRole bound to oneself".into(),
                        vec![(esc, g1), upd],
                        Some("escalate skips the check that the editor holds the rules it adds".into()),
                    );
                    found.edge(Principal::AnyRole, Technique::EscalateRoles, e, None);
                }
            }
        }
        for ns in &bound {
            let rb = Request::resource("create", RBAC_GROUP, "rolebindings", ns, "");
            let Some(grb) = self.grant(&id, &rb) else { continue };
            let binds = ["clusterroles", "roles"]
                .iter()
                .map(|r| Request::resource("bind", RBAC_GROUP, r, ns, ""))
                .find_map(|r| self.grant(&id, &r).map(|g| (r, g)));
            if let Some(b) = binds {
                let what = format!("bind any role in namespace {ns} to oneself");
                let grants = vec![b, (rb, grb)];
                let e = found.evidence(what.clone(), grants.clone(), None);
                self.any_pod(&mut found, &Some(ns.clone()), Technique::BindRoles, e, &grants, &what);
            } else if let Some((b, g, role, workload)) = self.bindable_workload_role(&id, ns) {
                let what = format!("bind {role} (it covers create {workload}) in namespace {ns} to oneself");
                let grants = vec![(b, g), (rb, grb)];
                let e = found.evidence(what.clone(), grants.clone(), None);
                self.any_pod(&mut found, &Some(ns.clone()), Technique::BindRoles, e, &grants, &what);
            }
        }

        // Certificates for any identity.
        let csr = [
            Request::resource("create", "certificates.k8s.io", "certificatesigningrequests", "", ""),
            Request::resource("update", "certificates.k8s.io", "certificatesigningrequests/approval", "", ""),
        ];
        let grants: Vec<_> = csr.iter().filter_map(|r| self.grant(&id, r).map(|g| (r.clone(), g))).collect();
        if grants.len() == 2 {
            let signer = ["kubernetes.io/kube-apiserver-client", "kubernetes.io/*"]
                .iter()
                .map(|n| Request::resource("approve", "certificates.k8s.io", "signers", "", n))
                .find_map(|r| self.grant(&id, &r).map(|g| (r, g)));
            if let Some(signer) = signer {
                let mut grants = grants;
                grants.push(signer);
                let e = found.evidence(
                    "create and approve a CSR for the kube-apiserver-client signer: a client certificate for any user and group".into(),
                    grants,
                    None,
                );
                found.edge(Principal::Group { name: MASTERS.into() }, Technique::ApproveCertificates, e, None);
            }
        }

        // Admission webhooks.
        for (technique, resource) in [
            (Technique::MutatingWebhook, "mutatingwebhookconfigurations"),
            (Technique::ValidatingWebhook, "validatingwebhookconfigurations"),
        ] {
            let g = ["create", "update", "patch"]
                .iter()
                .map(|v| Request::resource(v, "admissionregistration.k8s.io", resource, "", ""))
                .find_map(|r| self.grant(&id, &r).map(|g| (r, g)));
            let Some((r, g)) = g else { continue };
            let summary = format!("{} {resource}: intercept every object written", r.verb);
            let grants = vec![(r, g)];
            let e = found.evidence(summary, grants.clone(), None);
            if technique == Technique::MutatingWebhook {
                self.any_pod(&mut found, &None, technique, e, &grants, "rewrite every pod created");
            } else {
                self.token_secrets(&mut found, &None, technique, e);
            }
        }

        // hostPath PersistentVolumes.
        let pv = Request::resource("create", "", "persistentvolumes", "", "");
        if let Some(g) = self.grant(&id, &pv) {
            let claim = self.scopes(&id, &bound, &[("create", "", "persistentvolumeclaims")]);
            let pod = self.scopes(&id, &bound, &creates);
            let both = claim.into_iter().find_map(|(scope, r, g)| {
                pod.iter()
                    .find(|(s, _, _)| s.is_none() || scope.is_none() || *s == scope)
                    .map(|(_, pr, pg)| ((r, g), (pr.clone(), pg.clone())))
            });
            if let Some((c, pd)) = both {
                let e = found.evidence(
                    "create a hostPath PersistentVolume, a claim and a pod that mounts it (Pod Security does not see it)".into(),
                    vec![(pv, g), c, pd],
                    None,
                );
                found.edge(Principal::Nodes, Technique::HostPathVolume, e, None);
            }
        }

        // Nodes and Services.
        let nodes = ["patch", "update"]
            .iter()
            .map(|v| Request::resource(v, "", "nodes", "", ""))
            .find_map(|r| self.grant(&id, &r).map(|g| (r, g)));
        if let Some(n) = nodes {
            let e = found.evidence(
                format!("{} nodes: relabel and taint nodes so pods move to one under one's control", n.0.verb),
                vec![n],
                Some("needs one node under the attacker's control".into()),
            );
            found.edge(Principal::Nodes, Technique::PatchNodes, e, None);
        }
        let status = self.scopes(&id, &bound, &[("update", "", "services/status"), ("patch", "", "services/status")]);
        if let Some((scope, r, g)) = status.into_iter().next() {
            let e = found.evidence(
                format!(
                    "{} services/status {}: set a LoadBalancer ingress IP and capture its traffic (CVE-2020-8554)",
                    r.verb,
                    Self::where_(&scope)
                ),
                vec![(r, g)],
                None,
            );
            found.edge(Principal::Traffic, Technique::ServiceStatus, e, None);
        }

        // A service account whose token sits in a pod that reaches its node.
        if let Principal::ServiceAccount { namespace, name } = p {
            let escape = self
                .workloads_by_namespace
                .get(namespace)
                .into_iter()
                .flatten()
                .map(|&w| &self.facts.workloads[w])
                .find(|w| &w.service_account == name && w.token_mounted && w.host_access.is_some());
            if let Some((w, (why, at))) = escape.and_then(|w| w.host_access.as_ref().map(|h| (w, h))) {
                let at = at.clone();
                let e = found.evidence(
                    format!("its token is in {}, whose {why}: from that pod, the node", w.display()),
                    vec![],
                    None,
                );
                found.edge(
                    Principal::Nodes,
                    Technique::PrivilegedPod,
                    e,
                    Some(ObjectNote { what: w.display(), location: Some(at) }),
                );
            }
        }
        found
    }

    fn secrets_edges(&self, found: &mut Found, id: &Identity, bound: &BTreeSet<String>, verb: &str) {
        for (scope, r, g) in self.scopes(id, bound, &[(verb, "", "secrets")]) {
            let e = found.evidence(format!("{verb} secrets {}", Self::where_(&scope)), vec![(r, g)], None);
            self.token_secrets(found, &scope, Technique::ReadSecrets, e);
        }
    }

    /// Edges to the service accounts whose legacy token Secrets can be read.
    fn token_secrets(&self, found: &mut Found, scope: &Option<String>, technique: Technique, evidence: usize) {
        for ns in self.covered(scope) {
            if self.facts.namespaces_with_secrets.contains(ns) {
                for s in self.facts.token_secrets.iter().filter(|s| &s.namespace == ns) {
                    found.edge(
                        Principal::service_account(ns, &s.service_account),
                        technique,
                        evidence,
                        Some(ObjectNote {
                            what: format!("Secret {ns}/{} holds a token of {}", s.name, s.service_account),
                            location: Some(s.location.clone()),
                        }),
                    );
                }
            } else {
                for name in self.service_accounts.get(ns).into_iter().flatten().map(|(n, _)| n) {
                    found.edge(
                        Principal::service_account(ns, name),
                        technique,
                        evidence,
                        Some(ObjectNote {
                            what: format!(
                                "no Secret of namespace {ns} in the input: assuming {name} may have a legacy token Secret"
                            ),
                            location: None,
                        }),
                    );
                }
            }
        }
    }

    /// Whether a principal holds the goal, and why.
    pub fn holds(&self, p: &Principal, goal: &Goal) -> Option<Holds> {
        match p {
            Principal::Group { name } if name == MASTERS => {
                return Some(Holds {
                    grants: vec![],
                    note: Some("the API server lets system:masters do anything without asking RBAC".into()),
                })
            }
            Principal::AnyRole => {
                return Some(Holds { grants: vec![], note: Some("binds itself cluster-admin or any role".into()) })
            }
            _ => {}
        }
        let id = p.identity()?;
        let requests = match goal {
            Goal::ClusterAdmin => vec![Request::resource("*", "*", "*", "", ""), Request::non_resource("*", "*")],
            Goal::Request(r) => vec![r.clone()],
        };
        let mut grants = Vec::new();
        for r in requests {
            grants.push((r.clone(), self.grant(&id, &r)?));
        }
        Some(Holds { grants, note: None })
    }

    /// A shortest path from every start that can reach the goal in at most
    /// `max_depth` steps, in the order of the starts.
    pub fn search(&self, goal: &Goal, max_depth: usize) -> Vec<Path> {
        let n = self.principals.len();
        let mut dist = vec![usize::MAX; n];
        let mut next: Vec<usize> = vec![usize::MAX; n];
        let mut holds: HashMap<usize, Holds> = HashMap::new();
        let mut queue = VecDeque::new();
        for (i, p) in self.principals.iter().enumerate() {
            if let Some(h) = self.holds(p, goal) {
                dist[i] = 0;
                holds.insert(i, h);
                queue.push_back(i);
            }
        }
        let mut reverse: Vec<Vec<(usize, usize)>> = vec![Vec::new(); n];
        for (from, edges) in self.edges.iter().enumerate() {
            for (k, e) in edges.iter().enumerate() {
                reverse[e.to].push((from, k));
            }
        }
        while let Some(v) = queue.pop_front() {
            if dist[v] >= max_depth {
                continue;
            }
            for &(u, k) in &reverse[v] {
                if dist[u] == usize::MAX {
                    dist[u] = dist[v] + 1;
                    next[u] = k;
                    queue.push_back(u);
                }
            }
        }
        let mut out = Vec::new();
        for &s in &self.starts {
            if dist[s] == usize::MAX {
                continue;
            }
            let mut steps = Vec::new();
            let mut cur = s;
            while dist[cur] > 0 {
                steps.push((cur, next[cur]));
                cur = self.edges[cur][next[cur]].to;
            }
            out.push(Path { start: s, steps, end: cur, holds: holds[&cur].clone() });
        }
        out
    }

    /// The path as a serialisable report with every proof.
    pub fn report(&self, path: &Path) -> PathReport {
        let steps = path
            .steps
            .iter()
            .map(|&(from, k)| {
                let edge = &self.edges[from][k];
                let ev = &self.evidence[edge.evidence];
                let p = &self.principals[from];
                StepReport {
                    from: p.display(),
                    to: self.principals[edge.to].display(),
                    technique: edge.technique,
                    how: ev.summary.clone(),
                    proofs: self.proofs(p, &ev.grants),
                    object: edge.object.clone(),
                    note: ev.note.clone(),
                }
            })
            .collect();
        let end = &self.principals[path.end];
        PathReport {
            start: self.principals[path.start].clone(),
            subject: self.principals[path.start].spec(),
            steps,
            holder: end.display(),
            holds: self.proofs(end, &path.holds.grants),
            note: path.holds.note.clone(),
        }
    }

    fn proofs(&self, p: &Principal, grants: &[(Request, Grant)]) -> Vec<RequestProof> {
        let Some(id) = p.identity() else { return Vec::new() };
        grants
            .iter()
            .map(|(r, g)| RequestProof { request: r.describe(), proof: self.authorizer.proof(&id, g) })
            .collect()
    }
}

fn request_resource(r: &Request) -> String {
    match &r.target {
        crate::matching::Target::Resource { group, resource, subresource, .. } => {
            let mut s = resource.clone();
            if !subresource.is_empty() {
                s = format!("{s}/{subresource}");
            }
            if !group.is_empty() {
                s = format!("{s}.{group}");
            }
            s
        }
        crate::matching::Target::NonResource { path } => path.clone(),
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct RequestProof {
    pub request: String,
    pub proof: Proof,
}

#[derive(Debug, Clone, Serialize)]
pub struct StepReport {
    pub from: String,
    pub to: String,
    pub technique: Technique,
    /// What the step does, with which permissions.
    pub how: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub proofs: Vec<RequestProof>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub object: Option<ObjectNote>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PathReport {
    pub start: Principal,
    /// The start as a SUBJECT argument (`sa:ns:name`).
    pub subject: String,
    pub steps: Vec<StepReport>,
    /// Who holds the goal at the end of the path.
    pub holder: String,
    /// Why the holder holds it.
    pub holds: Vec<RequestProof>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl PathReport {
    /// Indented lines: each step with its proof, then why the goal is held.
    pub fn lines(&self) -> Vec<String> {
        let mut out = Vec::new();
        let head = match self.steps.len() {
            0 => format!("{} holds it directly", self.start.display()),
            1 => format!("{} (1 step)", self.start.display()),
            n => format!("{} ({n} steps)", self.start.display()),
        };
        out.push(head);
        for (i, s) in self.steps.iter().enumerate() {
            out.push(format!("  {}. {} → [{}] → {}", i + 1, s.from, s.technique.id(), s.to));
            out.push(format!("       {}", s.how));
            for p in &s.proofs {
                for line in p.proof.lines().iter().skip(1) {
                    out.push(format!("       {line}"));
                }
            }
            if let Some(o) = &s.object {
                out.push(format!("       → {}", o.display()));
            }
            if let Some(n) = &s.note {
                out.push(format!("       note: {n}"));
            }
        }
        out.push(format!("  ✓ {} holds it", self.holder));
        for p in &self.holds {
            out.push(format!("       {}", p.request));
            for line in p.proof.lines().iter().skip(1) {
                out.push(format!("       {line}"));
            }
        }
        if let Some(n) = &self.note {
            out.push(format!("       {n}"));
        }
        out
    }
}
