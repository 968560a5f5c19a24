use super::resources::{self, Bound};
use kubefort_model::{declare_rule, Context, Sink};

declare_rule! {
    /// ## What it does
    /// Flags containers and init containers with no `resources.requests.cpu`.
    /// A container that sets a CPU limit but no request is not flagged (the
    /// API server copies the limit into the request), nor is one whose
    /// namespace has a LimitRange giving containers a default request.
    ///
    /// ## Why is this bad?
    /// The scheduler places pods by their requests. A pod without a CPU
    /// request is packed onto nodes as if it needed nothing and is the first
    /// to starve when a neighbour gets busy, which makes a noisy or hostile
    /// neighbour an easy denial of service. Severity is low: CPU is
    /// compressible, so the pod slows down rather than being killed.
    ///
    /// ## Example
    /// ```yaml
    /// containers:
    ///   - name: app
    ///     image: registry.example.com/app:1.4.2
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// containers:
    ///   - name: app
    ///     image: registry.example.com/app:1.4.2
    ///     resources:
    ///       requests:
    ///         cpu: 100m
    /// ```
    ///
    /// ## References
    /// - <https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/>
    /// - <https://kubernetes.io/docs/concepts/policy/limit-range/>
    pub struct CpuRequestsMissing {
        id: "KF-POD-020",
        name: "cpu-requests-missing",
        title: "Container has no CPU request",
        severity: Low,
        fix: "Set resources.requests.cpu on every container to what it uses at steady state",
        references: [
            "checkov:CKV_K8S_10",
            "polaris:cpuRequestsMissing",
            "kube-linter:unset-cpu-requirements",
            "kubescape:C-0050",
            "kubescape:C-0268",
        ],
        check: check,
    }
}

fn check(cx: &Context<'_>, sink: &mut Sink<'_>) {
    resources::check(cx, sink, &CpuRequestsMissing::META, Bound::Requests, "cpu");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{check, pointers};

    #[test]
    fn flags_containers_and_init_containers_but_not_ephemeral_ones() {
        let yaml = r#"
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  initContainers:
    - name: migrate
      resources:
        requests: {memory: 64Mi}
  containers:
    - name: app
      resources: {requests: {cpu: 100m}}
    - name: sidecar
    - name: typo
      resources: {requests: {cpu: ""}}
  ephemeralContainers:
    - name: debug
"#;
        let f = check(&CpuRequestsMissing, yaml);
        assert_eq!(
            pointers(&f),
            [
                ("/spec/initContainers/0/resources/requests/cpu".to_owned(), 9),
                ("/spec/containers/1/resources/requests/cpu".to_owned(), 13),
                ("/spec/containers/2/resources/requests/cpu".to_owned(), 15),
            ]
        );
        assert_eq!(f[0].message, "init container \"migrate\" sets no cpu request");
        assert_eq!(f[1].message, "container \"sidecar\" sets no cpu request");
    }

    #[test]
    fn a_limit_or_a_limit_range_supplies_the_request() {
        let yaml = r#"
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  template:
    spec:
      containers:
        - name: app
          resources: {limits: {cpu: 2}}
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent, namespace: ops}
spec:
  template:
    spec:
      containers: [{name: a}]
---
apiVersion: v1
kind: LimitRange
metadata: {name: defaults, namespace: ops}
spec:
  limits:
    - type: Container
      defaultRequest: {cpu: 50m}
"#;
        assert!(check(&CpuRequestsMissing, yaml).is_empty());
    }
}
