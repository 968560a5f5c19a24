use super::resources::{self, Bound};
use kubefort_model::{declare_rule, Context, Sink};

declare_rule! {
    /// ## What it does
    /// Flags containers and init containers with no
    /// `resources.requests.memory`. A container that sets a memory limit but
    /// no request is not flagged (the API server copies the limit into the
    /// request), nor is one whose namespace has a LimitRange giving containers
    /// a default request.
    ///
    /// ## Why is this bad?
    /// Nodes are filled by requests. A pod with no memory request can land on
    /// a node that has no memory left for it, and under memory pressure the
    /// kubelet evicts pods that exceed their request first, so such a pod is
    /// the first to go. Severity is low: the damage is mostly to the pod's own
    /// availability; the missing limit (KF-POD-023) is what lets it hurt others.
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
    ///       requests: {cpu: 100m, memory: 128Mi}
    /// ```
    ///
    /// ## References
    /// - <https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/>
    /// - <https://kubernetes.io/docs/concepts/scheduling-eviction/node-pressure-eviction/>
    pub struct MemoryRequestsMissing {
        id: "KF-POD-022",
        name: "memory-requests-missing",
        title: "Container has no memory request",
        severity: Low,
        fix: "Set resources.requests.memory on every container to its working set",
        references: [
            "checkov:CKV_K8S_12",
            "polaris:memoryRequestsMissing",
            "kube-linter:unset-memory-requirements",
            "kubescape:C-0004",
            "kubescape:C-0269",
        ],
        check: check,
    }
}

fn check(cx: &Context<'_>, sink: &mut Sink<'_>) {
    resources::check(cx, sink, &MemoryRequestsMissing::META, Bound::Requests, "memory");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{check, pointers};

    #[test]
    fn flags_missing_requests_in_a_cron_job() {
        let yaml = r#"
apiVersion: batch/v1
kind: CronJob
metadata: {name: report}
spec:
  jobTemplate:
    spec:
      template:
        spec:
          containers:
            - name: run
              resources:
                requests: {cpu: 100m, memory: null}
"#;
        let f = check(&MemoryRequestsMissing, yaml);
        assert_eq!(
            pointers(&f),
            [("/spec/jobTemplate/spec/template/spec/containers/0/resources/requests/memory".to_owned(), 13)]
        );
        assert_eq!(f[0].message, "container \"run\" sets no memory request");
    }

    #[test]
    fn accepts_requests_numbers_and_limit_defaults() {
        let yaml = r#"
apiVersion: v1
kind: ReplicationController
metadata: {name: rc}
spec:
  template:
    spec:
      containers:
        - name: a
          resources: {requests: {memory: 134217728}}
        - name: b
          resources: {limits: {memory: 256Mi}}
"#;
        assert!(check(&MemoryRequestsMissing, yaml).is_empty());
    }
}
