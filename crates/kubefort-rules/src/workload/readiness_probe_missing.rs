use kubefort_model::{declare_rule, Context, Sink};

declare_rule! {
    /// ## What it does
    /// Flags containers of long-running workloads that have no
    /// `readinessProbe`. Init and ephemeral containers are not checked, nor are
    /// Jobs, CronJobs and bare Pods with `restartPolicy: Never` or `OnFailure`,
    /// which run to completion.
    ///
    /// ## Why is this bad?
    /// Without a readiness probe a pod joins its Services as soon as its
    /// containers start: clients get errors while it warms up, and a pod that
    /// stops serving (overloaded, lost its database) keeps receiving traffic.
    /// Rolling updates also proceed past broken pods. Severity is low: it is
    /// an availability safeguard, not an exposure.
    ///
    /// ## Example
    /// ```yaml
    /// containers:
    ///   - name: web
    ///     ports: [{containerPort: 8080}]
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// containers:
    ///   - name: web
    ///     ports: [{containerPort: 8080}]
    ///     readinessProbe:
    ///       httpGet: {path: /ready, port: 8080}
    ///       periodSeconds: 5
    /// ```
    ///
    /// ## References
    /// - <https://kubernetes.io/docs/tasks/configure-pod-container/configure-liveness-readiness-startup-probes/>
    pub struct ReadinessProbeMissing {
        id: "KF-POD-025",
        name: "readiness-probe-missing",
        title: "Container has no readiness probe",
        severity: Low,
        fix: "Add a readinessProbe that succeeds only when the container can serve requests",
        references: [
            "checkov:CKV_K8S_9",
            "polaris:readinessProbeMissing",
            "kube-linter:no-readiness-probe",
            "kubescape:C-0018",
        ],
        check: check,
    }
}

fn check(cx: &Context<'_>, sink: &mut Sink<'_>) {
    super::probes::check(cx, sink, &ReadinessProbeMissing::META, "readinessProbe", "readiness");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{check, pointers};

    #[test]
    fn flags_stateful_sets_and_daemon_sets_without_readiness() {
        let yaml = r#"
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db}
spec:
  template:
    spec:
      containers:
        - name: db
          livenessProbe: {tcpSocket: {port: 5432}}
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent}
spec:
  template:
    spec:
      containers:
        - name: agent
          readinessProbe: {}
"#;
        let f = check(&ReadinessProbeMissing, yaml);
        assert_eq!(
            pointers(&f),
            [
                ("/spec/template/spec/containers/0/readinessProbe".to_owned(), 9),
                ("/spec/template/spec/containers/0/readinessProbe".to_owned(), 20),
            ]
        );
        assert_eq!(f[1].message, "container \"agent\" has no readiness probe");
    }

    #[test]
    fn accepts_probes_and_skips_batch_kinds() {
        let yaml = r#"
apiVersion: apps/v1
kind: ReplicaSet
metadata: {name: rs}
spec:
  template:
    spec:
      containers:
        - name: a
          readinessProbe:
            exec: {command: [cat, /tmp/ready]}
---
apiVersion: v1
kind: Pod
metadata: {name: retry}
spec:
  restartPolicy: OnFailure
  containers: [{name: a}]
"#;
        assert!(check(&ReadinessProbeMissing, yaml).is_empty());
    }
}
