//! Attack paths: each edge kind with a case that creates it and one that
//! does not, a multi-step path, and determinism.

use kubefort_load::{load_texts, Limits};
use kubefort_model::Object;
use kubefort_rbac::paths::{Principal, Technique, DEFAULT_MAX_DEPTH};
use kubefort_rbac::{Authorizer, Facts, Goal, Graph, Options};
use std::sync::Arc;

/// Workloads every case shares: `app/runner` runs a plain Deployment with
/// its token; `app/agent` runs a privileged DaemonSet; `app/quiet` runs
/// without a token.
const WORKLOADS: &str = r#"
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: app}
spec:
  template:
    spec:
      serviceAccountName: runner
      containers: [{name: web, image: web}]
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent, namespace: app}
spec:
  template:
    spec:
      serviceAccountName: agent
      containers:
      - name: agent
        image: agent
        securityContext: {privileged: true}
---
apiVersion: v1
kind: Pod
metadata: {name: quiet, namespace: app}
spec:
  serviceAccountName: quiet
  automountServiceAccountToken: false
  containers: [{name: q, image: q}]
"#;

fn objects(yaml: &str) -> Vec<Object> {
    let text = format!("{WORKLOADS}\n---\n{yaml}");
    let loaded = load_texts(vec![(Arc::from("case.yaml"), text)], Limits::default());
    assert!(loaded.diagnostics.iter().all(|d| d.level < kubefort_load::Level::Error), "{:?}", loaded.diagnostics);
    loaded.objects
}

/// mallory holds `rules` through a ClusterRoleBinding (`ns` empty) or a RoleBinding in `ns`.
fn granting(rules: &str, ns: &str) -> String {
    let (role_kind, binding_kind, meta) = if ns.is_empty() {
        ("ClusterRole", "ClusterRoleBinding", "{name: m}".to_owned())
    } else {
        ("Role", "RoleBinding", format!("{{name: m, namespace: {ns}}}"))
    };
    format!(
        "apiVersion: rbac.authorization.k8s.io/v1\nkind: {role_kind}\nmetadata: {meta}\nrules:\n{rules}\n---\n\
         apiVersion: rbac.authorization.k8s.io/v1\nkind: {binding_kind}\nmetadata: {meta}\n\
         roleRef: {{apiGroup: rbac.authorization.k8s.io, kind: {role_kind}, name: m}}\n\
         subjects: [{{kind: User, name: mallory}}]\n"
    )
}

fn edges(yaml: &str) -> Vec<(Principal, Technique)> {
    let objects = objects(yaml);
    let a = Authorizer::new(&objects, Options::default());
    let f = Facts::new(&objects);
    let g = Graph::new(&a, &f);
    g.edges_of(&Principal::user("mallory")).into_iter().map(|(p, t)| (p.clone(), t)).collect()
}

fn sa(ns: &str, name: &str) -> Principal {
    Principal::service_account(ns, name)
}

/// (name, rules, binding namespace, expected edge, present?)
type Case = (&'static str, &'static str, &'static str, (Principal, Technique), bool);

#[test]
fn each_edge_kind_positive_and_negative() {
    use Technique::*;
    let masters = Principal::Group { name: "system:masters".into() };
    // (name, rules, binding namespace, expected edge, present?)
    let cases: Vec<Case> = vec![
        ("create pods", "- {apiGroups: [''], resources: [pods], verbs: [create]}", "app", (sa("app", "runner"), CreateWorkloads), true),
        ("create pods reaches the namespace's default SA", "- {apiGroups: [''], resources: [pods], verbs: [create]}", "app", (sa("app", "default"), CreateWorkloads), true),
        ("create pods elsewhere", "- {apiGroups: [''], resources: [pods], verbs: [create]}", "other", (sa("app", "runner"), CreateWorkloads), false),
        ("create cronjobs", "- {apiGroups: [batch], resources: [cronjobs], verbs: [create]}", "app", (sa("app", "runner"), CreateWorkloads), true),
        ("list pods is not create", "- {apiGroups: [''], resources: [pods], verbs: [list, get]}", "app", (sa("app", "runner"), CreateWorkloads), false),
        ("create pods without Pod Security: the node", "- {apiGroups: [''], resources: [pods], verbs: [create]}", "app", (Principal::Nodes, CreatePrivilegedPod), true),
        ("exec", "- {apiGroups: [''], resources: [pods/exec], verbs: [create]}", "app", (sa("app", "runner"), ExecIntoPods), true),
        ("exec into a privileged pod: the node", "- {apiGroups: [''], resources: [pods/exec], verbs: [get]}", "app", (Principal::Nodes, ExecIntoPods), true),
        ("exec into a pod without token", "- {apiGroups: [''], resources: [pods/exec], verbs: [create]}", "app", (sa("app", "quiet"), ExecIntoPods), false),
        ("attach", "- {apiGroups: [''], resources: [pods/attach], verbs: [create]}", "app", (sa("app", "runner"), ExecIntoPods), true),
        ("get pods is not exec", "- {apiGroups: [''], resources: [pods], verbs: [get]}", "app", (sa("app", "runner"), ExecIntoPods), false),
        ("patch pods", "- {apiGroups: [''], resources: [pods], verbs: [patch]}", "app", (sa("app", "runner"), PatchPods), true),
        ("ephemeral containers", "- {apiGroups: [''], resources: [pods/ephemeralcontainers], verbs: [update]}", "app", (sa("app", "runner"), PatchPods), true),
        ("patch pods/status is not patch pods", "- {apiGroups: [''], resources: [pods/status], verbs: [patch]}", "app", (sa("app", "runner"), PatchPods), false),
        ("nodes/proxy", "- {apiGroups: [''], resources: [nodes/proxy], verbs: [get]}", "", (sa("app", "runner"), NodesProxy), true),
        ("nodes/proxy in a RoleBinding is nothing", "- {apiGroups: [''], resources: [nodes/proxy], verbs: [get]}", "app", (sa("app", "runner"), NodesProxy), false),
        ("token by name", "- {apiGroups: [''], resources: [serviceaccounts/token], verbs: [create], resourceNames: [runner]}", "app", (sa("app", "runner"), ServiceAccountToken), true),
        ("token of another name", "- {apiGroups: [''], resources: [serviceaccounts/token], verbs: [create], resourceNames: [agent]}", "app", (sa("app", "runner"), ServiceAccountToken), false),
        ("secrets, none in input: every SA", "- {apiGroups: [''], resources: [secrets], verbs: [list]}", "app", (sa("app", "runner"), ReadSecrets), true),
        ("impersonate serviceaccounts", "- {apiGroups: [''], resources: [serviceaccounts], verbs: [impersonate]}", "app", (sa("app", "agent"), ImpersonateServiceAccounts), true),
        ("impersonate groups", "- {apiGroups: [''], resources: [groups], verbs: [impersonate]}", "", (masters.clone(), ImpersonateGroups), true),
        ("impersonate other groups by name", "- {apiGroups: [''], resources: [groups], verbs: [impersonate], resourceNames: [devs]}", "", (masters.clone(), ImpersonateGroups), false),
        ("impersonate a user by name", "- {apiGroups: [''], resources: [users], verbs: [impersonate], resourceNames: [alice]}", "", (Principal::user("alice"), ImpersonateUsers), true),
        ("bind + create clusterrolebindings", "- {apiGroups: [rbac.authorization.k8s.io], resources: [clusterroles], verbs: [bind]}\n- {apiGroups: [rbac.authorization.k8s.io], resources: [clusterrolebindings], verbs: [create]}", "", (Principal::AnyRole, BindRoles), true),
        ("bind alone", "- {apiGroups: [rbac.authorization.k8s.io], resources: [clusterroles], verbs: [bind]}", "", (Principal::AnyRole, BindRoles), false),
        ("bind in a namespace", "- {apiGroups: [rbac.authorization.k8s.io], resources: [roles, rolebindings], verbs: [bind, create]}", "app", (sa("app", "runner"), BindRoles), true),
        ("escalate + update clusterroles", "- {apiGroups: [rbac.authorization.k8s.io], resources: [clusterroles], verbs: [escalate, update]}", "", (Principal::AnyRole, EscalateRoles), true),
        ("update clusterroles without escalate", "- {apiGroups: [rbac.authorization.k8s.io], resources: [clusterroles], verbs: [update, patch]}", "", (Principal::AnyRole, EscalateRoles), false),
        ("CSR approval with a signer", "- {apiGroups: [certificates.k8s.io], resources: [certificatesigningrequests, certificatesigningrequests/approval], verbs: [create, update]}\n- {apiGroups: [certificates.k8s.io], resources: [signers], verbs: [approve], resourceNames: ['kubernetes.io/kube-apiserver-client']}", "", (masters.clone(), ApproveCertificates), true),
        ("CSR approval without a signer", "- {apiGroups: [certificates.k8s.io], resources: [certificatesigningrequests, certificatesigningrequests/approval], verbs: [create, update]}", "", (masters.clone(), ApproveCertificates), false),
        ("mutating webhook", "- {apiGroups: [admissionregistration.k8s.io], resources: [mutatingwebhookconfigurations], verbs: [create]}", "", (sa("app", "runner"), MutatingWebhook), true),
        ("validating webhook sees secrets", "- {apiGroups: [admissionregistration.k8s.io], resources: [validatingwebhookconfigurations], verbs: [patch]}", "", (sa("app", "runner"), ValidatingWebhook), true),
        ("reading webhooks is nothing", "- {apiGroups: [admissionregistration.k8s.io], resources: ['*'], verbs: [get, list]}", "", (sa("app", "runner"), MutatingWebhook), false),
        ("hostPath PV", "- {apiGroups: [''], resources: [persistentvolumes, persistentvolumeclaims, pods], verbs: [create]}", "", (Principal::Nodes, HostPathVolume), true),
        ("PV without a claim", "- {apiGroups: [''], resources: [persistentvolumes, pods], verbs: [create]}", "", (Principal::Nodes, HostPathVolume), false),
        ("patch nodes", "- {apiGroups: [''], resources: [nodes], verbs: [patch]}", "", (Principal::Nodes, PatchNodes), true),
        ("patch nodes/status is not patch nodes", "- {apiGroups: [''], resources: [nodes/status], verbs: [patch]}", "", (Principal::Nodes, PatchNodes), false),
        ("services/status", "- {apiGroups: [''], resources: [services/status], verbs: [update]}", "app", (Principal::Traffic, ServiceStatus), true),
        ("services is not services/status", "- {apiGroups: [''], resources: [services], verbs: [update]}", "app", (Principal::Traffic, ServiceStatus), false),
    ];
    let mut failures = Vec::new();
    for (name, rules, ns, edge, present) in &cases {
        let rules = rules.replace("''", "\"\"");
        let found = edges(&granting(&rules, ns));
        if found.contains(edge) != *present {
            failures.push(format!("{name}: expected {edge:?} present={present}, edges: {found:?}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn secrets_reach_only_accounts_with_token_secrets_when_secrets_are_known() {
    let yaml = format!(
        "{}---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: agent-token\n  namespace: app\n  annotations: {{kubernetes.io/service-account.name: agent}}\ntype: kubernetes.io/service-account-token\n",
        granting("- {apiGroups: [\"\"], resources: [secrets], verbs: [get]}", "app")
    );
    let found = edges(&yaml);
    assert!(found.contains(&(sa("app", "agent"), Technique::ReadSecrets)), "{found:?}");
    assert!(!found.contains(&(sa("app", "runner"), Technique::ReadSecrets)), "{found:?}");
}

#[test]
fn pod_security_enforcement_closes_the_privileged_pod_edge() {
    let yaml = format!(
        "{}---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: app\n  labels: {{pod-security.kubernetes.io/enforce: restricted}}\n",
        granting("- {apiGroups: [\"\"], resources: [pods], verbs: [create]}", "app")
    );
    let found = edges(&yaml);
    assert!(found.contains(&(sa("app", "runner"), Technique::CreateWorkloads)));
    assert!(!found.contains(&(Principal::Nodes, Technique::CreatePrivilegedPod)), "{found:?}");
}

#[test]
fn privileged_pods_reach_the_node_and_the_node_every_token() {
    let objects = objects("");
    let a = Authorizer::new(&objects, Options::default());
    let f = Facts::new(&objects);
    let g = Graph::new(&a, &f);
    let agent: Vec<_> = g.edges_of(&sa("app", "agent")).into_iter().map(|(p, t)| (p.clone(), t)).collect();
    assert_eq!(agent, vec![(Principal::Nodes, Technique::PrivilegedPod)]);
    assert!(g.edges_of(&sa("app", "runner")).is_empty(), "a plain pod reaches nothing");
    let node: Vec<_> = g.edges_of(&Principal::Nodes).into_iter().map(|(p, t)| (p.clone(), t)).collect();
    assert_eq!(
        node,
        vec![
            (sa("app", "runner"), Technique::NodeCompromise),
            (sa("app", "agent"), Technique::NodeCompromise),
            (sa("app", "quiet"), Technique::NodeCompromise),
        ]
    );
}

/// dev can create pods in `build` → run as build/ops, which may impersonate
/// root → root holds cluster-admin.
const MULTI_STEP: &str = r#"
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: deployer, namespace: build}
rules: [{apiGroups: [""], resources: [pods], verbs: [create]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: dev-deployer, namespace: build}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: deployer}
subjects: [{kind: User, name: dev}]
---
apiVersion: v1
kind: Namespace
metadata: {name: build}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: ops, namespace: build}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: become-root}
rules: [{apiGroups: [""], resources: [users], verbs: [impersonate], resourceNames: [root]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: ops-become-root}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: become-root}
subjects: [{kind: ServiceAccount, name: ops, namespace: build}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: everything}
rules:
- {apiGroups: ["*"], resources: ["*"], verbs: ["*"]}
- {nonResourceURLs: ["*"], verbs: ["*"]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: root-everything}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: everything}
subjects: [{kind: User, name: root}]
"#;

fn load(text: &str) -> Vec<Object> {
    load_texts(vec![(Arc::from("multi.yaml"), text.to_owned())], Limits::default()).objects
}

#[test]
fn multi_step_path_with_proofs() {
    let objects = load(MULTI_STEP);
    let a = Authorizer::new(&objects, Options::default());
    let f = Facts::new(&objects);
    let g = Graph::new(&a, &f);
    let paths = g.search(&Goal::ClusterAdmin, DEFAULT_MAX_DEPTH);
    let dev = paths.iter().find(|p| g.principals[p.start] == Principal::user("dev")).expect("dev has a path");
    let report = g.report(dev);
    let steps: Vec<_> = report.steps.iter().map(|s| (s.from.as_str(), s.technique, s.to.as_str())).collect();
    assert_eq!(
        steps,
        [
            ("User dev", Technique::CreateWorkloads, "ServiceAccount build/ops"),
            ("ServiceAccount build/ops", Technique::ImpersonateUsers, "User root"),
        ]
    );
    assert_eq!(report.holder, "User root");
    // Each step carries its binding → role → rule proof with lines.
    assert_eq!(report.steps[0].proofs[0].proof.binding.name, "dev-deployer");
    assert_eq!(report.steps[0].proofs[0].proof.rule.location.line, 5);
    assert_eq!(report.steps[1].proofs[0].proof.binding.name, "ops-become-root");
    assert_eq!(report.steps[0].object.as_ref().and_then(|o| o.location.as_ref()).map(|l| l.line), Some(19));
    assert_eq!(report.holds.len(), 2, "resources and non-resource URLs");
    // root holds it directly; ops in one step; nobody else.
    let starts: Vec<_> = paths.iter().map(|p| (g.principals[p.start].spec(), p.steps.len())).collect();
    assert_eq!(starts, [("user:dev".to_owned(), 2), ("user:root".to_owned(), 0), ("sa:build:ops".to_owned(), 1)]);
    // A bound on the length cuts the longer path.
    let short = g.search(&Goal::ClusterAdmin, 1);
    assert!(short.iter().all(|p| g.principals[p.start] != Principal::user("dev")));
    // A configured target.
    let target = Goal::parse("get secrets -n build").unwrap();
    let to_secrets = g.search(&target, DEFAULT_MAX_DEPTH);
    assert_eq!(to_secrets.len(), 3);
    assert!(Goal::parse("get").is_err());
    assert!(Goal::parse("get secrets -n").is_err());
    assert!(Goal::parse("get secrets --bogus x").is_err());
}

#[test]
fn search_is_deterministic_and_independent_of_input_order() {
    let render = |objects: &[Object]| {
        let a = Authorizer::new(objects, Options::default());
        let f = Facts::new(objects);
        let g = Graph::new(&a, &f);
        let paths = g.search(&Goal::ClusterAdmin, DEFAULT_MAX_DEPTH);
        paths
            .iter()
            .map(|p| {
                let r = g.report(p);
                let steps: Vec<String> =
                    r.steps.iter().map(|s| format!("{}>{}>{}", s.from, s.technique.id(), s.to)).collect();
                format!("{} {}", r.subject, steps.join(" "))
            })
            .collect::<Vec<_>>()
    };
    let forward = load(MULTI_STEP);
    let first = render(&forward);
    assert_eq!(first, render(&forward));
    let mut reversed = forward.clone();
    reversed.reverse();
    assert_eq!(first, render(&reversed));
}

#[test]
fn no_panic_on_odd_input() {
    let yaml = r#"
apiVersion: v1
kind: Pod
metadata: {name: odd}
spec:
  serviceAccountName: 7
  volumes: [{hostPath: {path: 3}}, junk, {projected: {sources: oops}}]
  containers: [junk, {securityContext: {privileged: "yes"}}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: nospec}
spec: {template: []}
"#;
    let objects = load(yaml);
    let a = Authorizer::new(&objects, Options { with_defaults: true });
    let f = Facts::new(&objects);
    let g = Graph::new(&a, &f);
    let _ = g.search(&Goal::ClusterAdmin, DEFAULT_MAX_DEPTH);
    assert_eq!(f.workloads.len(), 1);
    assert_eq!(f.workloads[0].service_account, "default");
    assert!(f.workloads[0].host_access.is_none());
}

/// `bind` edges go to the roles that are worth binding by what their rules
/// cover (Kubernetes' `covers`), not by their names.
#[test]
fn bind_edges_follow_what_the_bound_role_covers() {
    use Technique::BindRoles;
    const ROLES: &str = "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: superuser}\nrules: [{verbs: ['*'], apiGroups: ['*'], resources: ['*']}, {verbs: ['*'], nonResourceURLs: ['*']}]\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: viewer}\nrules: [{verbs: [get, list], apiGroups: ['*'], resources: ['*']}]\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: deployer}\nrules: [{verbs: [create], apiGroups: [apps], resources: [deployments]}]\n---\n";
    let bind = |names: &str, binding: &str| {
        format!("- {{apiGroups: [rbac.authorization.k8s.io], resources: [clusterroles], verbs: [bind], resourceNames: [{names}]}}\n- {{apiGroups: [rbac.authorization.k8s.io], resources: [{binding}], verbs: [create]}}")
    };
    let run = |extra: &str, rules: &str, ns: &str| {
        edges(&format!("{ROLES}{extra}{}", granting(rules, ns)).replace('\'', "\""))
    };
    let any = (Principal::AnyRole, BindRoles);

    assert!(
        run("", &bind("superuser", "clusterrolebindings"), "").contains(&any),
        "a home-made cluster-admin, by name"
    );
    assert!(!run("", &bind("viewer", "clusterrolebindings"), "").contains(&any), "viewer does not cover cluster-admin");
    assert!(
        run("", &bind("cluster-admin", "clusterrolebindings"), "").contains(&any),
        "cluster-admin not in the input: the default"
    );
    let weak_admin = "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: cluster-admin}\nrules: [{verbs: [get], apiGroups: [''], resources: [pods]}]\n---\n";
    assert!(
        !run(weak_admin, &bind("cluster-admin", "clusterrolebindings"), "").contains(&any),
        "a cluster-admin redefined by the input is judged by its rules"
    );

    let runner = (sa("app", "runner"), BindRoles);
    assert!(
        run("", &bind("deployer", "rolebindings"), "app").contains(&runner),
        "named bind of a role covering create deployments"
    );
    assert!(!run("", &bind("viewer", "rolebindings"), "app").contains(&runner), "viewer creates nothing");
}
