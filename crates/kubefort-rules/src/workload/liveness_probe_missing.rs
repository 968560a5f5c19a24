use kubefort_model::{declare_rule, Context, Sink};

declare_rule! {
    /// ## What it does
    /// Flags containers of long-running workloads that have no
    /// `livenessProbe`. Init and ephemeral containers are not checked, nor are
    /// Jobs, CronJobs and bare Pods with `restartPolicy: Never` or `OnFailure`,
    /// which run to completion.
    ///
    /// ## Why is this bad?
    /// Without a liveness probe the kubelet restarts a container only when its
    /// process exits. A deadlocked or wedged process (including one stuck
    /// after an attack or a resource-exhaustion bug) keeps its pod "Running"
    /// and keeps receiving traffic until a human notices. Severity is low:
    /// it is an availability safeguard, not an exposure.
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
    ///     livenessProbe:
    ///       httpGet: {path: /healthz, port: 8080}
    ///       periodSeconds: 10
    /// ```
    ///
    /// ## References
    /// - <https://kubernetes.io/docs/tasks/configure-pod-container/configure-liveness-readiness-startup-probes/>
    pub struct LivenessProbeMissing {
        id: "KF-POD-024",
        name: "liveness-probe-missing",
        title: "Container has no liveness probe",
        severity: Low,
        fix: "Add a livenessProbe (httpGet, tcpSocket, grpc or exec) that fails when the process is stuck",
        references: [
            "checkov:CKV_K8S_8",
            "polaris:livenessProbeMissing",
            "kube-linter:no-liveness-probe",
            "kubescape:C-0056",
        ],
        check: check,
    }
}

fn check(cx: &Context<'_>, sink: &mut Sink<'_>) {
    super::probes::check(cx, sink, &LivenessProbeMissing::META, "livenessProbe", "liveness");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{check, pointers};

    #[test]
    fn flags_regular_containers_of_long_running_workloads() {
        let yaml = r#"
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  template:
    spec:
      initContainers:
        - name: init
      containers:
        - name: ok
          livenessProbe:
            httpGet: {path: /healthz, port: 8080}
        - name: missing
        - name: wrong-type
          livenessProbe: "/healthz"
      ephemeralContainers:
        - name: debug
---
apiVersion: v1
kind: Pod
metadata: {name: server}
spec:
  restartPolicy: Always
  containers:
    - name: a
      image: app:1
"#;
        let f = check(&LivenessProbeMissing, yaml);
        assert_eq!(
            pointers(&f),
            [
                ("/spec/template/spec/containers/1/livenessProbe".to_owned(), 14),
                ("/spec/template/spec/containers/2/livenessProbe".to_owned(), 16),
                ("/spec/containers/0/livenessProbe".to_owned(), 26),
            ]
        );
        assert_eq!(f[0].message, "container \"missing\" has no liveness probe");
    }

    #[test]
    fn skips_jobs_cron_jobs_and_batch_pods() {
        let yaml = r#"
apiVersion: batch/v1
kind: Job
metadata: {name: once}
spec:
  template:
    spec:
      containers: [{name: a}]
---
apiVersion: batch/v1
kind: CronJob
metadata: {name: nightly}
spec:
  jobTemplate:
    spec:
      template:
        spec:
          containers: [{name: a}]
---
apiVersion: v1
kind: Pod
metadata: {name: task}
spec:
  restartPolicy: Never
  containers: [{name: a}]
"#;
        assert!(check(&LivenessProbeMissing, yaml).is_empty());
    }
}
