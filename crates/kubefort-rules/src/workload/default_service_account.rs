use kubefort_model::{declare_rule, Context, Node, PodSpecRef, Sink};

declare_rule! {
    /// ## What it does
    /// Flags workloads whose pods run as the namespace's `default` service
    /// account: `serviceAccountName` (and the deprecated `serviceAccount`) is
    /// unset, empty or `default`.
    ///
    /// ## Why is this bad?
    /// Every pod of a namespace that names no service account shares the
    /// `default` one. Any permission granted to it (often added "just to make
    /// something work") is then held by every such pod, and an attacker who
    /// takes over one of them gets it too. Audit logs cannot tell the
    /// workloads apart either. A dedicated service account per workload keeps
    /// permissions least-privilege and attributable.
    ///
    /// Checkov's `CKV_K8S_41`/`CKV_K8S_42` look at the `default` ServiceAccount
    /// object and its bindings rather than at pods, so they are not listed as
    /// equivalents.
    ///
    /// ## Example
    /// ```yaml
    /// kind: Deployment
    /// spec:
    ///   template:
    ///     spec:
    ///       containers:
    ///         - name: app
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// kind: ServiceAccount
    /// metadata:
    ///   name: web
    /// automountServiceAccountToken: false
    /// ---
    /// kind: Deployment
    /// spec:
    ///   template:
    ///     spec:
    ///       serviceAccountName: web
    ///       containers:
    ///         - name: app
    /// ```
    ///
    /// ## References
    /// - <https://kubernetes.io/docs/tasks/configure-pod-container/configure-service-account/>
    /// - <https://kubernetes.io/docs/concepts/security/service-accounts/#default-service-accounts>
    pub struct DefaultServiceAccount {
        id: "KF-POD-018",
        name: "default-service-account",
        title: "Pod uses the default service account",
        severity: Low,
        fix: "Create a dedicated ServiceAccount for the workload and set spec.serviceAccountName to it",
        references: [
            "kube-linter:default-service-account",
            "kubescape:C-0189",
            "cis-1.12:5.1.5",
        ],
        check: check,
    }
}

/// The service account a pod runs as, and the pointer of the field that
/// names it (`serviceAccountName`, else the deprecated `serviceAccount`).
/// Unset, empty or non-string values mean `default`, as the API server reads them.
pub(super) fn service_account(pod: &PodSpecRef<'_>) -> (String, String) {
    for field in ["serviceAccountName", "serviceAccount"] {
        if let Some(name) = pod.spec.get(field).and_then(Node::as_str).filter(|s| !s.is_empty()) {
            return (name.to_owned(), pod.at(field));
        }
    }
    ("default".to_owned(), pod.at("serviceAccountName"))
}

fn check(cx: &Context<'_>, sink: &mut Sink<'_>) {
    let Some(pod) = PodSpecRef::to_check(cx.object) else { return };
    let (name, pointer) = service_account(&pod);
    if name != "default" {
        return;
    }
    let how = if pod.spec.get("serviceAccountName").and_then(Node::as_str).is_some_and(|s| s == "default")
        || pod.spec.get("serviceAccount").and_then(Node::as_str).is_some_and(|s| s == "default")
    {
        "names the `default` service account"
    } else {
        "sets no serviceAccountName, so it runs as the `default` service account"
    };
    sink.report(&DefaultServiceAccount::META, pointer, format!("{} {how}", cx.object.display_name()));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{check, pointers};

    #[test]
    fn flags_unset_empty_and_explicit_default() {
        let yaml = r#"
apiVersion: apps/v1
kind: Deployment
metadata: {name: unset, namespace: shop}
spec:
  template:
    spec:
      containers: [{name: a}]
---
apiVersion: v1
kind: Pod
metadata: {name: explicit}
spec:
  serviceAccountName: default
  containers: [{name: a}]
---
apiVersion: batch/v1
kind: CronJob
metadata: {name: wrong-type}
spec:
  jobTemplate:
    spec:
      template:
        spec:
          serviceAccountName: [web]
          containers: [{name: a}]
"#;
        let f = check(&DefaultServiceAccount, yaml);
        assert_eq!(
            pointers(&f),
            [
                // Unset: the pod spec's first line; set: the field itself.
                ("/spec/template/spec/serviceAccountName".to_owned(), 7),
                ("/spec/serviceAccountName".to_owned(), 14),
                ("/spec/jobTemplate/spec/template/spec/serviceAccountName".to_owned(), 25),
            ]
        );
        assert!(f[0].message.contains("Deployment shop/unset sets no serviceAccountName"), "{}", f[0].message);
        assert!(f[1].message.contains("names the `default` service account"), "{}", f[1].message);
    }

    #[test]
    fn accepts_dedicated_accounts_including_the_deprecated_field() {
        let yaml = r#"
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db}
spec:
  template:
    spec:
      serviceAccountName: db
      containers: [{name: a}]
---
apiVersion: v1
kind: Pod
metadata: {name: old}
spec:
  serviceAccount: legacy
  containers: [{name: a}]
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: default}
"#;
        assert!(check(&DefaultServiceAccount, yaml).is_empty());
    }

    #[test]
    fn deprecated_field_naming_default_is_pointed_at() {
        let yaml = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  serviceAccount: default\n  containers: [{name: a}]\n";
        let f = check(&DefaultServiceAccount, yaml);
        assert_eq!(pointers(&f), [("/spec/serviceAccount".to_owned(), 5)]);
    }
}
