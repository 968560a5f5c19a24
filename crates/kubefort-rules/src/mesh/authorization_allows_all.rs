use super::{is_istio_security, namespace_of, selects_whole_namespace, ISTIO_ROOT_NAMESPACE};
use kubefort_model::{declare_rule, Context, Node, Severity, Sink};

declare_rule! {
    /// ## What it does
    /// Flags Istio `AuthorizationPolicy`s whose action is `ALLOW` (or unset,
    /// which means `ALLOW`) with a rule that matches every request: an empty
    /// rule `{}`, or one whose `from`, `to` and `when` are all empty. Reported
    /// as high when the policy has no selector (it covers the namespace, or
    /// the whole mesh from `istio-system`), medium for a workload selector.
    ///
    /// An `ALLOW` policy with no `rules` at all matches nothing, so it
    /// denies every request to the workloads it selects: that is the
    /// recommended default-deny and is not flagged. `DENY`, `AUDIT` and
    /// `CUSTOM` policies are not flagged either.
    ///
    /// ## Why is this bad?
    /// Istio allows a request when any `ALLOW` policy matches it. One
    /// allow-all rule therefore cancels every other `ALLOW` policy for the
    /// workloads it selects: any caller, with or without an identity (under
    /// `PERMISSIVE` mTLS, any pod in the cluster), may call any path with
    /// any method. It is usually written while debugging a denied request
    /// and left behind.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: security.istio.io/v1
    /// kind: AuthorizationPolicy
    /// metadata: {name: allow-all, namespace: shop}
    /// spec:
    ///   rules:
    ///     - {}
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// apiVersion: security.istio.io/v1
    /// kind: AuthorizationPolicy
    /// metadata: {name: web, namespace: shop}
    /// spec:
    ///   selector: {matchLabels: {app: web}}
    ///   action: ALLOW
    ///   rules:
    ///     - from:
    ///         - source: {principals: ["cluster.local/ns/istio-ingress/sa/gateway"]}
    ///       to:
    ///         - operation: {methods: ["GET", "POST"], ports: ["8080"]}
    /// ```
    ///
    /// ## References
    /// - <https://istio.io/latest/docs/reference/config/security/authorization-policy/>
    /// - <https://istio.io/latest/docs/ops/best-practices/security/#use-default-deny-patterns>
    pub struct AuthorizationAllowsAll {
        id: "KF-MESH-004",
        name: "istio-authorization-policy-allows-all",
        title: "Istio AuthorizationPolicy allows every request",
        severity: Medium,
        fix: "Replace the empty rule with rules naming the allowed sources (principals, namespaces) and operations",
        references: [],
        check: check,
    }
}

fn check(cx: &Context<'_>, sink: &mut Sink<'_>) {
    let o = cx.object;
    if !is_istio_security(o, "AuthorizationPolicy") {
        return;
    }
    let Some(spec) = o.root.get("spec") else { return };
    // A missing action, or one that is not a string, means ALLOW.
    if spec.get("action").and_then(Node::as_str).is_some_and(|a| a != "ALLOW") {
        return;
    }
    let namespace = namespace_of(o);
    let whole_namespace = selects_whole_namespace(Some(spec));
    let scope = match (whole_namespace, namespace == ISTIO_ROOT_NAMESPACE) {
        (true, true) => "every workload in the mesh".to_owned(),
        (true, false) => format!("every workload in namespace `{namespace}`"),
        (false, _) => format!("the workloads it selects in `{namespace}`"),
    };
    for (i, rule) in spec.get("rules").map(Node::as_seq).unwrap_or(&[]).iter().enumerate() {
        if matches_everything(rule) {
            let finding = sink.report(
                &AuthorizationAllowsAll::META,
                format!("/spec/rules/{i}"),
                format!("ALLOW rule {i} has no from, to or when, so it admits any request to {scope}"),
            );
            if whole_namespace {
                finding.severity = Severity::High;
            }
        }
    }
}

/// A rule map whose `from`, `to` and `when` are each missing, null or empty.
fn matches_everything(rule: &Node) -> bool {
    let Some(map) = rule.as_map() else { return false };
    ["from", "to", "when"].iter().all(|field| match map.get(field) {
        None => true,
        Some(n) => n.is_null() || matches!(&n.value, kubefort_model::Value::Seq(s) if s.is_empty()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{check, pointers};

    #[test]
    fn flags_empty_allow_rules() {
        let yaml = r#"
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: allow-all, namespace: shop}
spec:
  rules:
    - {}
---
apiVersion: security.istio.io/v1beta1
kind: AuthorizationPolicy
metadata: {name: web, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  action: ALLOW
  rules:
    - to: [{operation: {methods: [GET]}}]
    - from: []
      when: null
"#;
        let f = check(&AuthorizationAllowsAll, yaml);
        assert_eq!(pointers(&f), [("/spec/rules/0".to_owned(), 7), ("/spec/rules/1".to_owned(), 17)]);
        assert_eq!(f[0].severity, Severity::High);
        assert!(f[0].message.contains("every workload in namespace `shop`"), "{}", f[0].message);
        assert_eq!(f[1].severity, Severity::Medium);
        assert!(f[1].message.contains("rule 1"), "{}", f[1].message);
    }

    #[test]
    fn ignores_deny_all_deny_action_and_wrong_shapes() {
        let yaml = r#"
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: deny-all, namespace: istio-system}
spec: {}
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: deny-everything, namespace: shop}
spec: {action: DENY, rules: [{}]}
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: junk, namespace: shop}
spec: {rules: [null, "x", {from: "y"}], action: 3}
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: junk2, namespace: shop}
spec: {rules: {a: {}}}
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: explicit, namespace: shop}
spec:
  rules:
    - from: [{source: {namespaces: [shop]}}]
"#;
        assert!(check(&AuthorizationAllowsAll, yaml).is_empty());
    }
}
