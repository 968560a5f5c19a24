use super::default_service_account::service_account;
use kubefort_model::{declare_rule, Context, Node, PodSpecRef, Sink};

declare_rule! {
    /// ## What it does
    /// Flags workloads whose pods get the service account token mounted
    /// automatically. The pod's `automountServiceAccountToken` decides when it
    /// is set; when it is unset, the pod's ServiceAccount decides, and kubefort
    /// looks it up among the scanned objects (same namespace). The token is
    /// mounted unless one of them says `false`.
    ///
    /// ## Why is this bad?
    /// The token at `/var/run/secrets/kubernetes.io/serviceaccount/token`
    /// authenticates to the API server as the pod's service account. Most
    /// applications never call the API, yet anyone who gets code execution or
    /// a file read in the container can pick the token up and use every
    /// permission of the account (and probe the API server for more). Mount it
    /// only in pods that talk to the API.
    ///
    /// ## Example
    /// ```yaml
    /// kind: Deployment
    /// spec:
    ///   template:
    ///     spec:
    ///       serviceAccountName: web   # ServiceAccount leaves automount unset
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
    ///       automountServiceAccountToken: false   # or rely on the account's setting
    /// ```
    /// A pod that does call the API should keep the token but use an account
    /// bound to the least privilege it needs.
    ///
    /// ## References
    /// - <https://kubernetes.io/docs/tasks/configure-pod-container/configure-service-account/#opt-out-of-api-credential-automounting>
    /// - <https://kubernetes.io/docs/concepts/security/service-accounts/>
    pub struct ServiceAccountTokenAutomount {
        id: "KF-POD-019",
        name: "service-account-token-automount",
        title: "Service account token is mounted automatically",
        severity: Medium,
        fix: "Set automountServiceAccountToken: false on the pod or its ServiceAccount unless the pod calls the API",
        references: [
            "checkov:CKV_K8S_38",
            "polaris:automountServiceAccountToken",
            "kubescape:C-0034",
            "kubescape:C-0190",
            "kubescape:C-0261",
            "cis-1.12:5.1.6",
        ],
        check: check,
    }
}

fn check(cx: &Context<'_>, sink: &mut Sink<'_>) {
    let Some(pod) = PodSpecRef::to_check(cx.object) else { return };
    let pointer = pod.at("automountServiceAccountToken");
    // A value of the wrong type is treated as unset, as for every rule.
    match pod.spec.get("automountServiceAccountToken").and_then(Node::as_bool) {
        Some(false) => {}
        Some(true) => {
            sink.report(
                &ServiceAccountTokenAutomount::META,
                pointer,
                format!("{} sets automountServiceAccountToken: true", cx.object.display_name()),
            );
        }
        None => {
            let (name, _) = service_account(&pod);
            let account = cx.inventory.get("ServiceAccount", cx.object.namespace.as_deref(), &name);
            let why = match account.map(|sa| sa.root.get("automountServiceAccountToken").and_then(Node::as_bool)) {
                Some(Some(false)) => return,
                Some(Some(true)) => format!("and its ServiceAccount `{name}` sets automountServiceAccountToken: true"),
                Some(None) => format!("and its ServiceAccount `{name}` does not set it to false either"),
                None => format!("and its ServiceAccount `{name}` is not among the scanned objects"),
            };
            sink.report(
                &ServiceAccountTokenAutomount::META,
                pointer,
                format!(
                    "{} mounts the service account token: the pod leaves automountServiceAccountToken unset {why}",
                    cx.object.display_name()
                ),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{check, pointers};

    const ACCOUNTS: &str = r#"
apiVersion: v1
kind: ServiceAccount
metadata: {name: quiet, namespace: shop}
automountServiceAccountToken: false
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: chatty, namespace: shop}
automountServiceAccountToken: true
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: plain, namespace: shop}
"#;

    fn deployment(name: &str, namespace: &str, pod_fields: &str) -> String {
        format!(
            "---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: {name}, namespace: {namespace}}}\nspec:\n  template:\n    spec:\n{pod_fields}      containers: [{{name: a}}]\n"
        )
    }

    #[test]
    fn service_account_setting_applies_when_the_pod_leaves_it_unset() {
        let yaml = [
            ACCOUNTS,
            &deployment("uses-quiet", "shop", "      serviceAccountName: quiet\n"),
            &deployment("uses-chatty", "shop", "      serviceAccountName: chatty\n"),
            &deployment("uses-plain", "shop", "      serviceAccountName: plain\n"),
            &deployment("uses-missing", "shop", "      serviceAccountName: ghost\n"),
            // Same name, other namespace: the `quiet` account of shop does not apply.
            &deployment("other-ns", "lab", "      serviceAccountName: quiet\n"),
        ]
        .concat();
        let f = check(&ServiceAccountTokenAutomount, &yaml);
        let names: Vec<_> = f.iter().map(|f| f.object.name.as_str()).collect();
        assert_eq!(names, ["uses-chatty", "uses-plain", "uses-missing", "other-ns"]);
        assert!(
            f[0].message.contains("ServiceAccount `chatty` sets automountServiceAccountToken: true"),
            "{}",
            f[0].message
        );
        assert!(f[1].message.contains("ServiceAccount `plain` does not set it to false"), "{}", f[1].message);
        assert!(f[2].message.contains("`ghost` is not among the scanned objects"), "{}", f[2].message);
        assert!(f.iter().all(|f| f.pointer == "/spec/template/spec/automountServiceAccountToken"));
    }

    #[test]
    fn pod_setting_overrides_the_service_account() {
        let yaml = [
            ACCOUNTS,
            // The pod says false: no token even though the account says true.
            &deployment(
                "pod-off",
                "shop",
                "      serviceAccountName: chatty\n      automountServiceAccountToken: false\n",
            ),
            // The pod says true: a token even though the account says false.
            &deployment(
                "pod-on",
                "shop",
                "      serviceAccountName: quiet\n      automountServiceAccountToken: true\n",
            ),
        ]
        .concat();
        let f = check(&ServiceAccountTokenAutomount, &yaml);
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].object.name, "pod-on");
        assert_eq!(f[0].message, "Deployment shop/pod-on sets automountServiceAccountToken: true");
        assert_eq!(pointers(&f), [("/spec/template/spec/automountServiceAccountToken".to_owned(), 33)]);
    }

    #[test]
    fn default_account_without_namespace_and_wrong_types() {
        let yaml = r#"
apiVersion: v1
kind: ServiceAccount
metadata: {name: default}
automountServiceAccountToken: "false"
---
apiVersion: batch/v1
kind: CronJob
metadata: {name: nightly}
spec:
  jobTemplate:
    spec:
      template:
        spec:
          automountServiceAccountToken: "no"
          containers: [{name: a}]
---
apiVersion: v1
kind: Pod
metadata: {name: off}
spec:
  automountServiceAccountToken: false
  containers: [{name: a}]
"#;
        // Both the pod's string and the account's string are not booleans: unset.
        let f = check(&ServiceAccountTokenAutomount, yaml);
        assert_eq!(
            pointers(&f),
            [("/spec/jobTemplate/spec/template/spec/automountServiceAccountToken".to_owned(), 15)]
        );
        assert!(f[0].message.contains("ServiceAccount `default` does not set it to false"), "{}", f[0].message);
    }
}
