use super::resources::{self, Bound};
use kubefort_model::{declare_rule, Context, Sink};

declare_rule! {
    /// ## What it does
    /// Flags containers and init containers with no `resources.limits.memory`,
    /// unless a LimitRange of the namespace gives containers a default limit.
    ///
    /// ## Why is this bad?
    /// Memory is not compressible. A container without a limit can grow until
    /// the node runs out; the kernel's OOM killer and the kubelet's evictions
    /// then take down other pods on the node, including ones that stayed
    /// within their requests. A leak, a decompression bomb or a hostile
    /// request turns one workload into a node-wide denial of service. This is
    /// why this rule is medium while the other resource rules are low.
    ///
    /// ## Example
    /// ```yaml
    /// containers:
    ///   - name: app
    ///     resources:
    ///       requests: {memory: 128Mi}
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// containers:
    ///   - name: app
    ///     resources:
    ///       requests: {memory: 128Mi}
    ///       limits: {memory: 256Mi}
    /// ```
    ///
    /// ## References
    /// - <https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/>
    /// - <https://kubernetes.io/docs/concepts/policy/limit-range/>
    pub struct MemoryLimitsMissing {
        id: "KF-POD-023",
        name: "memory-limits-missing",
        title: "Container has no memory limit",
        severity: Medium,
        fix: "Set resources.limits.memory on every container, or a LimitRange default for the namespace",
        references: [
            "checkov:CKV_K8S_13",
            "polaris:memoryLimitsMissing",
            "kube-linter:unset-memory-requirements",
            "kubescape:C-0004",
            "kubescape:C-0009",
            "kubescape:C-0271",
        ],
        check: check,
    }
}

fn check(cx: &Context<'_>, sink: &mut Sink<'_>) {
    resources::check(cx, sink, &MemoryLimitsMissing::META, Bound::Limits, "memory");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{check, pointers};

    #[test]
    fn flags_containers_without_memory_limits() {
        let yaml = r#"
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent}
spec:
  template:
    spec:
      initContainers:
        - name: setup
          resources: {limits: {memory: 64Mi}}
      containers:
        - name: agent
          resources:
            limits: {cpu: 200m}
"#;
        let f = check(&MemoryLimitsMissing, yaml);
        assert_eq!(pointers(&f), [("/spec/template/spec/containers/0/resources/limits/memory".to_owned(), 14)]);
        assert_eq!(f[0].message, "container \"agent\" sets no memory limit");
    }

    #[test]
    fn a_request_does_not_count_and_a_pod_limit_range_does_not_either() {
        // Only `type: Container` LimitRange items default container limits.
        let yaml = r#"
apiVersion: v1
kind: LimitRange
metadata: {name: pods}
spec:
  limits:
    - type: Pod
      max: {memory: 1Gi}
---
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers:
    - name: a
      resources: {requests: {memory: 1Gi}}
"#;
        let f = check(&MemoryLimitsMissing, yaml);
        assert_eq!(pointers(&f), [("/spec/containers/0/resources/limits/memory".to_owned(), 16)]);
    }

    #[test]
    fn limit_range_default_covers_the_namespace() {
        let yaml = r#"
apiVersion: v1
kind: LimitRange
metadata: {name: defaults}
spec:
  limits:
    - {type: Container, default: {memory: 512Mi}}
---
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers: [{name: a}]
"#;
        assert!(check(&MemoryLimitsMissing, yaml).is_empty());
    }
}
