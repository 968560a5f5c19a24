use kubefort_model::{declare_rule, Context, Node, PodSpecRef, Sink};

declare_rule! {
    /// ## What it does
    /// Flags container ports (of containers, init and ephemeral containers)
    /// that set a non-zero `hostPort`.
    ///
    /// ## Why is this bad?
    /// A host port binds the container to that port on every address of the
    /// node it lands on. It bypasses the Service and NetworkPolicy model
    /// (traffic to the node's address reaches the pod whatever the policies
    /// say), exposes the workload wherever the node is reachable, limits
    /// scheduling to one such pod per node and, for ports below 1024, lets a
    /// workload impersonate a node service.
    ///
    /// ## Example
    /// ```yaml
    /// containers:
    ///   - name: app
    ///     ports:
    ///       - containerPort: 8080
    ///         hostPort: 80
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// containers:
    ///   - name: app
    ///     ports:
    ///       - containerPort: 8080   # exposed through a Service
    /// ```
    ///
    /// ## References
    /// - <https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline>
    /// - <https://kubernetes.io/docs/concepts/configuration/overview/#services>
    pub struct HostPort {
        id: "KF-POD-012",
        name: "host-port",
        title: "Container binds a host port",
        severity: Medium,
        fix: "Remove hostPort and expose the port through a Service",
        references: [
            "pss:hostPorts",
            "checkov:CKV_K8S_26",
            "polaris:hostPortSet",
            "kubescape:C-0044",
            "cis-1.12:5.2.12",
        ],
        check: check,
    }
}

fn check(cx: &Context<'_>, sink: &mut Sink<'_>) {
    let Some(pod) = PodSpecRef::to_check(cx.object) else { return };
    for container in pod.containers() {
        let ports = container.node.get("ports").map(Node::as_seq).unwrap_or(&[]);
        for (i, port) in ports.iter().enumerate() {
            let Some(host_port) = port.get("hostPort").and_then(Node::as_i64).filter(|p| *p != 0) else { continue };
            let container_port = port.get("containerPort").and_then(Node::scalar_text).unwrap_or_else(|| "?".into());
            sink.report(
                &HostPort::META,
                container.at(&format!("ports/{i}/hostPort")),
                format!("{} binds host port {host_port} (container port {container_port})", container.describe()),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{check, pointers};

    #[test]
    fn flags_each_non_zero_host_port() {
        let yaml = r#"
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: ingress}
spec:
  template:
    spec:
      containers:
        - name: proxy
          ports:
            - containerPort: 8080
              hostPort: 80
            - containerPort: 9090
            - {containerPort: 8443, hostPort: 0}
            - {containerPort: 8443, hostPort: 443}
      ephemeralContainers:
        - name: dbg
          ports: [{hostPort: 2222}]
"#;
        let findings = check(&HostPort, yaml);
        let base = "/spec/template/spec";
        assert_eq!(
            pointers(&findings),
            [
                (format!("{base}/containers/0/ports/0/hostPort"), 12),
                (format!("{base}/containers/0/ports/3/hostPort"), 15),
                (format!("{base}/ephemeralContainers/0/ports/0/hostPort"), 18),
            ]
        );
        assert_eq!(findings[0].message, "container \"proxy\" binds host port 80 (container port 8080)");
        assert_eq!(findings[2].message, "ephemeral container \"dbg\" binds host port 2222 (container port ?)");
    }

    #[test]
    fn ignores_missing_and_malformed_ports() {
        let yaml = r#"
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers:
    - name: a
      ports: {hostPort: 80}
    - name: b
      ports: [{containerPort: 80, hostPort: "80"}, 8080, [1]]
  initContainers: [{name: c, ports: [{containerPort: 53}]}]
"#;
        assert_eq!(pointers(&check(&HostPort, yaml)), []);
    }
}
