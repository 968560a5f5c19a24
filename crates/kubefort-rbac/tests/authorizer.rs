//! The authorizer against Kubernetes' own TestAuthorizer cases and the
//! semantics the API server documents, with manifests as input.

use kubefort_load::{load_texts, Limits};
use kubefort_rbac::{Authorizer, Identity, Options, Request};
use std::sync::Arc;

fn authorizer(yaml: &str) -> Authorizer {
    authorizer_with(yaml, Options::default())
}
fn authorizer_with(yaml: &str, options: Options) -> Authorizer {
    let loaded = load_texts(vec![(Arc::from("rbac.yaml"), yaml.to_owned())], Limits::default());
    Authorizer::new(&loaded.objects, options)
}
fn user(name: &str, groups: &[&str]) -> Identity {
    let groups: Vec<String> = groups.iter().map(|g| (*g).to_owned()).collect();
    Identity::user(name).with_groups(&groups)
}
fn can(a: &Authorizer, who: &Identity, verb: &str, resource: &str, ns: &str) -> bool {
    a.authorize(who, &Request::resource(verb, "", resource, ns, "")).allowed
}

// TestAuthorizer case 1: a RoleBinding to a ClusterRole grants only in its namespace.
#[test]
fn ported_rolebinding_to_clusterrole_is_namespace_scoped() {
    let a = authorizer(
        r#"
kind: ClusterRole
apiVersion: rbac.authorization.k8s.io/v1
metadata: {name: admin}
rules:
- {verbs: ["*"], apiGroups: ["*"], resources: ["*"], nonResourceURLs: ["*"]}
---
kind: RoleBinding
apiVersion: rbac.authorization.k8s.io/v1
metadata: {name: b, namespace: ns1}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: admin}
subjects:
- {kind: User, name: admin, apiGroup: rbac.authorization.k8s.io}
- {kind: Group, name: admins, apiGroup: rbac.authorization.k8s.io}
"#,
    );
    let pass = [
        (user("admin", &[]), "get", "Pods", "ns1"),
        (user("admin", &[]), "watch", "Pods", "ns1"),
        (user("admin", &["group1"]), "watch", "Foobar", "ns1"),
        (user("joe", &["admins"]), "watch", "Foobar", "ns1"),
        (user("joe", &["group1", "admins"]), "watch", "Foobar", "ns1"),
    ];
    for (who, verb, res, ns) in &pass {
        assert!(can(&a, who, verb, res, ns), "should pass: {who:?} {verb} {res} {ns}");
    }
    let fail = [
        (user("admin", &[]), "GET", "Pods", "ns2"),
        (user("admin", &[]), "GET", "Nodes", ""),
        (user("admin", &["admins"]), "GET", "Pods", "ns2"),
        (user("admin", &["admins"]), "GET", "Nodes", ""),
    ];
    for (who, verb, res, ns) in &fail {
        assert!(!can(&a, who, verb, res, ns), "should fail: {who:?} {verb} {res} {ns}");
    }
    // Non-resource URLs are never granted through a RoleBinding.
    assert!(!a.authorize(&user("admin", &[]), &Request::non_resource("get", "/apis")).allowed);
}

// TestAuthorizer case 2: non-resource URLs through ClusterRoleBindings.
#[test]
fn ported_non_resource_urls() {
    let a = authorizer(
        r#"
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: non-resource-url-getter}
rules: [{verbs: [get], nonResourceURLs: [/apis]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: non-resource-url}
rules: [{verbs: ["*"], nonResourceURLs: [/apis]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: non-resource-url-prefix}
rules: [{verbs: [get], nonResourceURLs: ["/apis/*"]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: getter}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: non-resource-url-getter}
subjects: [{kind: User, name: foo}, {kind: Group, name: bar}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: all}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: non-resource-url}
subjects: [{kind: User, name: admin}, {kind: Group, name: admin}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: prefix}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: non-resource-url-prefix}
subjects: [{kind: User, name: prefixed}, {kind: Group, name: prefixed}]
"#,
    );
    let g = |name: &str| Identity::group(name);
    let u = |name: &str| Identity::user(name);
    let url = |who: &Identity, verb: &str, path: &str| a.authorize(who, &Request::non_resource(verb, path)).allowed;
    for who in [u("foo"), g("bar"), u("admin"), g("admin")] {
        assert!(url(&who, "get", "/apis"), "{who:?}");
        assert!(!url(&who, "get", "/api/v1"), "{who:?} wrong path");
    }
    for who in [u("admin"), g("admin")] {
        assert!(url(&who, "watch", "/apis"));
    }
    for who in [u("foo"), g("bar")] {
        assert!(!url(&who, "watch", "/apis"), "wrong verb");
    }
    for who in [u("prefixed"), g("prefixed")] {
        assert!(url(&who, "get", "/apis/v1"));
        assert!(url(&who, "get", "/apis/v1/foobar"));
        assert!(!url(&who, "get", "/api/v1"), "not covered by prefix");
        assert!(!url(&who, "get", "/apis"), "the prefix needs the slash");
    }
}

// TestAuthorizer cases 3 and 4: subresource resolution.
#[test]
fn ported_subresource_resolution() {
    let yaml = |resource: &str| {
        format!(
            r#"
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {{name: admin}}
rules: [{{verbs: ["*"], apiGroups: ["*"], resources: ["{resource}"]}}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {{name: b, namespace: ns1}}
roleRef: {{apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: admin}}
subjects: [{{kind: User, name: admin}}]
"#
        )
    };
    let admin = user("admin", &[]);
    let a = authorizer(&yaml("pods"));
    assert!(can(&a, &admin, "get", "pods", "ns1"));
    assert!(!can(&a, &admin, "get", "pods/status", "ns1"));
    let a = authorizer(&yaml("pods/status"));
    assert!(can(&a, &admin, "get", "pods/status", "ns1"));
    assert!(!can(&a, &admin, "get", "pods", "ns1"));
}

const SA_AND_ROLES: &str = r#"
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: reader, namespace: apps}
rules:
- apiGroups: [""]
  resources: [configmaps]
  verbs: [get, list]
- apiGroups: [""]
  resources: [secrets]
  resourceNames: [app-secret]
  verbs: [get]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: reader, namespace: apps}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: reader}
subjects:
- kind: ServiceAccount
  name: web
- kind: ServiceAccount
  name: ci
  namespace: build
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: broken-sa}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: missing}
subjects:
- {kind: ServiceAccount, name: nowhere}
- {kind: Group, name: "system:serviceaccounts:build"}
"#;

#[test]
fn service_account_namespace_defaults_to_the_rolebinding_and_resource_names_need_a_name() {
    let a = authorizer(SA_AND_ROLES);
    let web = Identity::parse("sa:apps:web").unwrap();
    let ci = Identity::parse("sa:build:ci").unwrap();
    let other = Identity::parse("sa:other:web").unwrap();
    let get = |who: &Identity, res: &str, name: &str| {
        a.authorize(who, &Request::resource("get", "", res, "apps", name)).allowed
    };
    assert!(get(&web, "configmaps", ""));
    assert!(get(&ci, "configmaps", "x"));
    assert!(!get(&other, "configmaps", ""), "same name, other namespace");
    assert!(get(&web, "secrets", "app-secret"));
    assert!(!get(&web, "secrets", "db"));
    assert!(!get(&web, "secrets", ""), "a request without a name never matches resourceNames");
    assert!(!a.authorize(&web, &Request::resource("list", "", "secrets", "apps", "")).allowed);
    assert!(!a.authorize(&web, &Request::resource("get", "", "configmaps", "default", "")).allowed);

    // Bindings to a missing role are skipped and reported; an SA subject
    // without namespace in a ClusterRoleBinding is reported too.
    let decision = a.authorize(&ci, &Request::resource("get", "", "pods", "apps", ""));
    assert!(!decision.allowed);
    assert_eq!(decision.skipped.len(), 1, "ci is in system:serviceaccounts:build, bound to the missing role");
    let messages: Vec<_> = a.problems.iter().map(|p| (p.location.line, p.message.as_str())).collect();
    assert!(messages.iter().any(|(_, m)| m.contains("ClusterRole missing, which does not exist")), "{messages:?}");
    assert!(messages.iter().any(|(l, m)| *l == 30 && m.contains("has no namespace")), "{messages:?}");
}

#[test]
fn proof_names_membership_binding_role_and_rule_with_lines() {
    let a = authorizer(SA_AND_ROLES);
    let ci = Identity::parse("sa:build:ci").unwrap();
    let d = a.authorize(&ci, &Request::resource("list", "", "configmaps", "apps", ""));
    assert!(d.allowed);
    let proof = a.proof(&ci, &d.grants[0]);
    assert_eq!(proof.binding.display(), "RoleBinding apps/reader");
    assert_eq!(proof.binding.location.line, 14);
    assert_eq!(proof.subject_location.line, 21);
    assert_eq!(proof.role.display(), "Role apps/reader");
    assert_eq!(proof.rule.index, 0);
    assert_eq!(proof.rule.location.line, 6);
    let text = proof.lines().join("\n");
    assert!(text.starts_with("ServiceAccount build/ci as ServiceAccount build/ci"), "{text}");
    assert!(text.contains("rule #0 verbs=[get,list] apiGroups=[\"\"] resources=[configmaps] (rbac.yaml:6)"), "{text}");
}

#[test]
fn implicit_groups_and_anonymous() {
    let a = authorizer(
        r#"
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: pods}
rules: [{verbs: [list], apiGroups: [""], resources: [pods]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: all-sas}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: pods}
subjects: [{kind: Group, name: "system:serviceaccounts"}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: anon}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: pods}
subjects: [{kind: Group, name: "system:unauthenticated"}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: sa-as-user}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: pods}
subjects: [{kind: User, name: "system:serviceaccount:x:y"}]
"#,
    );
    let list = Request::resource("list", "", "pods", "", "");
    let sa = Identity::parse("sa:any:thing").unwrap();
    let d = a.authorize(&sa, &list);
    assert!(d.allowed);
    let proof = a.proof(&sa, &d.grants[0]);
    assert_eq!(proof.membership, "as member of Group system:serviceaccounts (every service account)");
    assert!(a.authorize(&Identity::user("system:anonymous"), &list).allowed);
    assert!(!a.authorize(&Identity::user("alice"), &list).allowed);
    let xy = Identity::parse("sa:x:y").unwrap();
    assert_eq!(a.authorize(&xy, &list).grants.len(), 2, "as a service account and as the User of its name");
}

const AGGREGATION: &str = r#"
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: top}
aggregationRule:
  clusterRoleSelectors:
  - matchLabels: {to-top: "true"}
rules:
- {verbs: ["*"], apiGroups: ["*"], resources: ["*"]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: middle
  labels: {to-top: "true"}
aggregationRule:
  clusterRoleSelectors:
  - matchExpressions:
    - {key: to-middle, operator: In, values: ["yes"]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: leaf
  labels: {to-middle: "yes"}
rules:
- {verbs: [get], apiGroups: [""], resources: [pods/log]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: cycle
  labels: {to-middle: "yes"}
aggregationRule:
  clusterRoleSelectors:
  - matchLabels: {to-top: "true"}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: top}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: top}
subjects: [{kind: User, name: u}]
"#;

#[test]
fn aggregation_resolves_transitively_replaces_own_rules_and_survives_cycles() {
    let a = authorizer(AGGREGATION);
    let u = Identity::user("u");
    let d = a.authorize(&u, &Request::resource("get", "", "pods/log", "ns", ""));
    assert!(d.allowed);
    let proof = a.proof(&u, &d.grants[0]);
    let chain: Vec<_> = proof.aggregated_from.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(chain, ["middle", "leaf"]);
    assert_eq!(proof.rule.location.line, 27);
    assert!(!a.authorize(&u, &Request::resource("delete", "", "nodes", "", "")).allowed, "own rules are replaced");
    assert_eq!(d.grants.len(), 1, "the cycle adds no duplicate");
    let cycle = a.find_role(kubefort_rbac::RoleKind::ClusterRole, None, "cycle").unwrap();
    assert_eq!(a.effective_rules(cycle).len(), 1, "cycle aggregates top, which has leaf's rule");
}

#[test]
fn defaults_give_view_edit_admin_by_aggregation_and_discovery_to_everyone() {
    let yaml = r#"
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: dev-edit, namespace: team}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: edit}
subjects: [{kind: User, name: dev}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: crd-view
  labels: {rbac.authorization.k8s.io/aggregate-to-view: "true"}
rules: [{verbs: [get], apiGroups: [example.com], resources: [widgets]}]
"#;
    let without = authorizer(yaml);
    let dev = Identity::user("dev");
    assert!(!can(&without, &dev, "create", "pods/exec", "team"));
    assert!(without.problems.iter().any(|p| p.message.contains("ClusterRole edit, which does not exist")));

    let a = authorizer_with(yaml, Options { with_defaults: true });
    assert!(can(&a, &dev, "create", "pods/exec", "team"));
    assert!(can(&a, &dev, "get", "secrets", "team"));
    assert!(!can(&a, &dev, "create", "rolebindings", "team"), "edit is not admin");
    assert!(!can(&a, &dev, "get", "pods", "other"));
    let widgets = Request::resource("get", "example.com", "widgets", "team", "");
    let d = a.authorize(&dev, &widgets);
    assert!(d.allowed, "a custom role aggregated into view reaches edit");
    let chain: Vec<_> = a.proof(&dev, &d.grants[0]).aggregated_from.iter().map(|r| r.name.clone()).collect();
    assert_eq!(chain, ["view", "crd-view"]);
    assert!(a.authorize(&Identity::user("system:anonymous"), &Request::non_resource("get", "/healthz")).allowed);
    assert!(!a.authorize(&Identity::user("system:anonymous"), &Request::non_resource("get", "/apis")).allowed);
    assert!(a.authorize(&Identity::user("anyone"), &Request::non_resource("get", "/apis/apps")).allowed);
    let admin = Identity::group("system:masters");
    assert!(a.authorize(&admin, &Request::resource("delete", "", "nodes", "", "n1")).allowed);
}

#[test]
fn who_can_lists_subjects_in_scope_with_proofs() {
    let a = authorizer_with(SA_AND_ROLES, Options { with_defaults: true });
    let who: Vec<_> = a
        .who_can(&Request::resource("get", "", "configmaps", "apps", ""))
        .iter()
        .map(|w| w.subject.display())
        .collect();
    assert_eq!(
        who,
        [
            "Group system:masters",
            "User system:kube-controller-manager",
            "ServiceAccount apps/web",
            "ServiceAccount build/ci"
        ]
    );
    let cluster_wide = a.who_can(&Request::resource("get", "", "configmaps", "", ""));
    assert!(cluster_wide.iter().all(|w| a.bindings[w.binding].namespace.is_none()));
    let named = a.who_can(&Request::resource("get", "", "secrets", "apps", "app-secret"));
    assert!(named.iter().any(|w| w.subject.name == "web"));
    let unnamed = a.who_can(&Request::resource("list", "", "secrets", "apps", ""));
    assert!(!unnamed.iter().any(|w| w.subject.name == "web"));
}

#[test]
fn permissions_are_grouped_by_scope() {
    let a = authorizer(SA_AND_ROLES);
    let web = Identity::parse("sa:apps:web").unwrap();
    let p = a.permissions(&web);
    assert_eq!(p.keys().collect::<Vec<_>>(), ["apps"]);
    let rows = &p["apps"];
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0].verbs, ["get", "list"]);
    assert_eq!(rows[0].via[0].rule, "rbac.yaml:6");
}

#[test]
fn malformed_objects_are_reported_never_fatal() {
    let yaml = r#"
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: bad}
rules:
- verbs: get
  resources: [pods, 3]
- "not a map"
- {verbs: [list], apiGroups: [""], resources: [pods]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: nameless-ref}
roleRef: {kind: ClusterRole}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: crb-to-role}
roleRef: {kind: Role, name: x}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: ok}
roleRef: {kind: ClusterRole, name: bad}
subjects: [{kind: Robot, name: r}, {name: nokind}, {kind: User}, "junk", {kind: User, name: u}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: weird-agg}
aggregationRule: {clusterRoleSelectors: ["x", {matchExpressions: [{key: a, operator: Bogus}]}, {}]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: r}
rules: {verbs: [get]}
"#;
    let a = authorizer(yaml);
    let lines: Vec<u32> = a.problems.iter().map(|p| p.location.line).collect();
    for line in [6, 7, 8, 14, 19, 25, 30, 35] {
        assert!(lines.contains(&line), "no problem reported at line {line}: {:#?}", a.problems);
    }
    let u = Identity::user("u");
    assert!(a.authorize(&u, &Request::resource("list", "", "pods", "", "")).allowed, "valid parts still count");
    // `{}` selects every ClusterRole, as an empty label selector does.
    let agg = a.find_role(kubefort_rbac::RoleKind::ClusterRole, None, "weird-agg").unwrap();
    assert!(!a.effective_rules(agg).is_empty());
    let r = a.find_role(kubefort_rbac::RoleKind::Role, Some("default"), "r").unwrap();
    assert!(a.effective_rules(r).is_empty());
}
