use super::resources::{self, Bound};
use kubefort_model::{declare_rule, Context, Sink};

declare_rule! {
    /// ## What it does
    /// Flags containers and init containers with no `resources.limits.cpu`,
    /// unless a LimitRange of the namespace gives containers a default limit.
    ///
    /// ## Why is this bad?
    /// Without a limit a container may use every idle CPU of its node; a
    /// runaway loop, a crypto-miner dropped by an attacker or a request flood
    /// then slows every other pod there. Severity is low: CPU is throttled,
    /// never a cause for eviction, and some teams leave CPU limits off on
    /// purpose to avoid throttling latency-sensitive services (requests still
    /// guarantee their share). Memory limits matter more; see KF-POD-023.
    ///
    /// ## Example
    /// ```yaml
    /// containers:
    ///   - name: app
    ///     resources:
    ///       requests: {cpu: 100m}
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// containers:
    ///   - name: app
    ///     resources:
    ///       requests: {cpu: 100m}
    ///       limits: {cpu: 500m}
    /// ```
    ///
    /// ## References
    /// - <https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/>
    /// - <https://kubernetes.io/docs/concepts/policy/limit-range/>
    pub struct CpuLimitsMissing {
        id: "KF-POD-021",
        name: "cpu-limits-missing",
        title: "Container has no CPU limit",
        severity: Low,
        fix: "Set resources.limits.cpu on every container, or a LimitRange default for the namespace",
        references: [
            "checkov:CKV_K8S_11",
            "polaris:cpuLimitsMissing",
            "kube-linter:unset-cpu-requirements",
            "kubescape:C-0009",
            "kubescape:C-0050",
            "kubescape:C-0270",
        ],
        check: check,
    }
}

fn check(cx: &Context<'_>, sink: &mut Sink<'_>) {
    resources::check(cx, sink, &CpuLimitsMissing::META, Bound::Limits, "cpu");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{check, pointers};

    #[test]
    fn flags_missing_limits_and_wrong_types() {
        let yaml = r#"
apiVersion: batch/v1
kind: Job
metadata: {name: once}
spec:
  template:
    spec:
      containers:
        - name: ok
          resources: {limits: {cpu: "1"}}
        - name: only-request
          resources: {requests: {cpu: 100m}}
        - name: wrong-type
          resources: [limits]
"#;
        let f = check(&CpuLimitsMissing, yaml);
        assert_eq!(
            pointers(&f),
            [
                ("/spec/template/spec/containers/1/resources/limits/cpu".to_owned(), 12),
                ("/spec/template/spec/containers/2/resources/limits/cpu".to_owned(), 14),
            ]
        );
        assert_eq!(f[0].message, "container \"only-request\" sets no cpu limit");
    }

    #[test]
    fn limit_range_default_only_in_its_own_namespace() {
        let yaml = r#"
apiVersion: v1
kind: LimitRange
metadata: {name: defaults, namespace: ops}
spec:
  limits:
    - type: Container
      max: {cpu: "2"}
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: covered, namespace: ops}
spec:
  template:
    spec:
      containers: [{name: a}]
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: elsewhere, namespace: shop}
spec:
  template:
    spec:
      containers: [{name: a}]
"#;
        let f = check(&CpuLimitsMissing, yaml);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].object.name, "elsewhere");
        assert_eq!(pointers(&f), [("/spec/template/spec/containers/0/resources/limits/cpu".to_owned(), 24)]);
    }
}
