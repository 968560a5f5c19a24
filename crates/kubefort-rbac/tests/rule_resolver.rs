//! Kubernetes' rule-validation tests (pkg/registry/rbac/validation/rule_test.go:
//! `TestDefaultRuleResolver`, `TestAppliesTo`) against [`Authorizer::rules_for`]
//! and [`Authorizer::authorize`], with manifests as input; and `covers` on
//! the rules an identity holds, as the API server's escalation check uses them.

use kubefort_load::{load_texts, Limits};
use kubefort_rbac::identity::Membership;
use kubefort_rbac::policy::{PolicyRule, Subject, SubjectKind};
use kubefort_rbac::{covers, Authorizer, Identity, Options, Request};
use std::sync::Arc;

fn authorizer(yaml: &str) -> Authorizer {
    let loaded = load_texts(vec![(Arc::from("rbac.yaml"), yaml.to_owned())], Limits::default());
    Authorizer::new(&loaded.objects, Options::default())
}

/// A user with exactly these groups (Kubernetes' `user.DefaultInfo`: no implicit groups).
fn info(name: &str, groups: &[&str]) -> Identity {
    Identity {
        subject: Subject { kind: SubjectKind::User, name: name.to_owned(), namespace: None },
        user: Some(name.to_owned()),
        groups: groups.iter().map(|g| Membership { group: (*g).to_owned(), implicit: None }).collect(),
    }
}

fn rule(verbs: &[&str], groups: &[&str], resources: &[&str]) -> PolicyRule {
    let v = |s: &[&str]| s.iter().map(|x| (*x).to_owned()).collect::<Vec<_>>();
    PolicyRule { verbs: v(verbs), api_groups: v(groups), resources: v(resources), ..PolicyRule::default() }
}

const STATIC_ROLES: &str = r#"
kind: Role
apiVersion: rbac.authorization.k8s.io/v1
metadata: {namespace: namespace1, name: readthings}
rules:
- {verbs: [GET, WATCH], apiGroups: [v1], resources: [pods]}
- {verbs: [GET, WATCH], apiGroups: [v1], resources: [services]}
---
kind: ClusterRole
apiVersion: rbac.authorization.k8s.io/v1
metadata: {name: cluster-admin}
rules:
- {verbs: ["*"], apiGroups: ["*"], resources: ["*"]}
---
kind: ClusterRole
apiVersion: rbac.authorization.k8s.io/v1
metadata: {name: write-nodes}
rules:
- {verbs: [PUT, CREATE, UPDATE], apiGroups: [v1], resources: [nodes]}
---
kind: RoleBinding
apiVersion: rbac.authorization.k8s.io/v1
metadata: {namespace: namespace1, name: rb}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: readthings}
subjects:
- {kind: User, name: foobar, apiGroup: rbac.authorization.k8s.io}
- {kind: Group, name: group1, apiGroup: rbac.authorization.k8s.io}
---
kind: ClusterRoleBinding
apiVersion: rbac.authorization.k8s.io/v1
metadata: {name: crb}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
subjects:
- {kind: User, name: admin, apiGroup: rbac.authorization.k8s.io}
- {kind: Group, name: admin, apiGroup: rbac.authorization.k8s.io}
"#;

// TestDefaultRuleResolver: for a user and namespace, which rules apply.
#[test]
fn ported_default_rule_resolver() {
    let a = authorizer(STATIC_ROLES);
    let read_pods = rule(&["GET", "WATCH"], &["v1"], &["pods"]);
    let read_services = rule(&["GET", "WATCH"], &["v1"], &["services"]);
    let admin = rule(&["*"], &["*"], &["*"]);
    let cases: [(Identity, &str, Vec<PolicyRule>); 4] = [
        (info("foobar", &[]), "namespace1", vec![read_pods, read_services]),
        (info("foobar", &[]), "namespace2", vec![]),
        // Same as above but without a namespace: only cluster rules apply.
        (info("foobar", &["admin"]), "", vec![admin]),
        (info("", &[]), "", vec![]),
    ];
    for (i, (who, ns, expected)) in cases.iter().enumerate() {
        let mut got = a.rules_for(who, ns);
        let mut expected = expected.clone();
        let key = |r: &PolicyRule| format!("{r:?}");
        got.sort_by_key(key);
        expected.sort_by_key(key);
        assert_eq!(got, expected, "case {i}");
    }
}

// TestAppliesTo: whether a binding's subjects name the user (the binding's
// namespace does not matter for that; a User subject `*` is no wildcard).
#[test]
fn ported_applies_to() {
    let group = |g: &str| format!("- {{kind: Group, name: \"{g}\", apiGroup: rbac.authorization.k8s.io}}\n");
    let user = |u: &str| format!("- {{kind: User, name: \"{u}\", apiGroup: rbac.authorization.k8s.io}}\n");
    let sa = |ns: &str, n: &str| format!("- {{kind: ServiceAccount, name: {n}, namespace: {ns}}}\n");
    let cases: Vec<(&str, String, Identity, &str, bool)> = vec![
        ("single subject that matches username", user("foobar"), info("foobar", &[]), "", true),
        (
            "multiple subjects, one that matches username",
            user("barfoo") + &user("foobar"),
            info("foobar", &[]),
            "",
            true,
        ),
        (
            "multiple subjects, none that match username",
            user("barfoo") + &user("foobar"),
            info("zimzam", &[]),
            "",
            false,
        ),
        (
            "multiple subjects, one that match group",
            user("barfoo") + &group("foobar"),
            info("zimzam", &["foobar"]),
            "",
            true,
        ),
        (
            "multiple subjects, one that match group, should ignore namespace",
            user("barfoo") + &group("foobar"),
            info("zimzam", &["foobar"]),
            "namespace1",
            true,
        ),
        (
            "multiple subjects with a service account that matches",
            user("barfoo") + &group("foobar") + &sa("kube-system", "default"),
            Identity::user("system:serviceaccount:kube-system:default"),
            "default",
            true,
        ),
        ("* user subject name doesn't match all users", user("*"), info("foobar", &[]), "default", false),
        (
            "binding to all authenticated and unauthenticated subjects matches authenticated user",
            group("system:authenticated") + &group("system:unauthenticated"),
            info("foobar", &["system:authenticated"]),
            "default",
            true,
        ),
        (
            "binding to all authenticated and unauthenticated subjects matches anonymous user",
            group("system:authenticated") + &group("system:unauthenticated"),
            info("system:anonymous", &["system:unauthenticated"]),
            "default",
            true,
        ),
    ];
    for (name, subjects, who, ns, applies) in cases {
        let yaml = format!(
            "kind: ClusterRole\napiVersion: rbac.authorization.k8s.io/v1\nmetadata: {{name: r}}\nrules: [{{verbs: [get], apiGroups: [\"\"], resources: [pods]}}]\n---\nkind: ClusterRoleBinding\napiVersion: rbac.authorization.k8s.io/v1\nmetadata: {{name: b}}\nroleRef: {{apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: r}}\nsubjects:\n{subjects}"
        );
        let a = authorizer(&yaml);
        assert_eq!(a.authorize(&who, &Request::resource("get", "", "pods", ns, "")).allowed, applies, "{name}");
        assert_eq!(!a.rules_for(&who, ns).is_empty(), applies, "{name}: rules_for");
    }
}

/// The escalation check as the API server makes it: a user may write a role
/// in a namespace only if the rules it holds there cover the role's rules.
#[test]
fn escalation_check_on_resolved_rules() {
    let a = authorizer(STATIC_ROLES);
    let new_role = [rule(&["GET"], &["v1"], &["pods"])];
    assert!(covers(&a.rules_for(&info("foobar", &[]), "namespace1"), &new_role).0);
    let (ok, left) = covers(&a.rules_for(&info("foobar", &[]), "namespace2"), &new_role);
    assert!(!ok);
    assert_eq!(left, new_role);
    let (ok, left) =
        covers(&a.rules_for(&info("foobar", &[]), "namespace1"), &[rule(&["GET", "LIST"], &["v1"], &["pods"])]);
    assert!(!ok);
    assert_eq!(left, [rule(&["LIST"], &["v1"], &["pods"])]);
    assert!(covers(&a.rules_for(&info("admin", &[]), "namespace2"), &[rule(&["*"], &["*"], &["*"])]).0);
}
