use kubefort_model::{declare_rule, Context, PodSpecRef, Sink};

use super::{capability_name, BASELINE_CAPABILITIES};

declare_rule! {
    /// ## What it does
    /// Flags containers (including init and ephemeral containers) whose
    /// `securityContext.capabilities.drop` does not contain `ALL` (in any
    /// case, as container runtimes compare it), and containers that drop
    /// `ALL` but add back default capabilities other than `NET_BIND_SERVICE`
    /// (`CHOWN`, `SETUID`, …). Capabilities outside the default set are
    /// reported by KF-POD-005 instead.
    ///
    /// ## Why is this bad?
    /// Container runtimes grant a default set of Linux capabilities to every
    /// container, root or not: `NET_RAW` (craft packets, spoof ARP and DNS on
    /// the node's network), `CHOWN`, `DAC_OVERRIDE`, `SETUID`, `SETGID`,
    /// `MKNOD` and others. Few applications need any of them, and each one is
    /// a step in a known privilege-escalation or lateral-movement technique.
    /// Dropping `ALL` and adding back only what the process needs (usually
    /// nothing, sometimes `NET_BIND_SERVICE`) removes that surface.
    ///
    /// ## Example
    /// ```yaml
    /// containers:
    ///   - name: app
    ///     securityContext:
    ///       capabilities:
    ///         drop: ["NET_RAW"]
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// containers:
    ///   - name: app
    ///     securityContext:
    ///       capabilities:
    ///         drop: ["ALL"]
    ///         add: ["NET_BIND_SERVICE"]   # only if it binds a port below 1024
    /// ```
    ///
    /// ## References
    /// - <https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted>
    /// - <https://man7.org/linux/man-pages/man7/capabilities.7.html>
    pub struct CapabilitiesNotDropped {
        id: "KF-POD-004",
        name: "capabilities-not-dropped",
        title: "Container does not drop all capabilities",
        severity: Medium,
        fix: "Set securityContext.capabilities.drop to [\"ALL\"] and add back only the capabilities the process needs",
        references: [
            "pss:capabilities_restricted",
            "checkov:CKV_K8S_37",
            "checkov:CKV_K8S_28",
            "polaris:insecureCapabilities",
            "kube-linter:drop-net-raw-capability",
            "cis-1.12:5.2.8",
            "cis-1.12:5.2.9",
        ],
        check: check,
    }
}

fn check(cx: &Context<'_>, sink: &mut Sink<'_>) {
    let Some(pod) = PodSpecRef::to_check(cx.object) else { return };
    if pod.is_windows() {
        return;
    }
    for container in pod.containers() {
        let drop = container.security_field("capabilities").and_then(|c| c.get("drop"));
        // Runtimes match `ALL` ignoring case but do not strip a `CAP_` prefix
        // from it (`CAP_ALL` is an unknown capability), so neither do we.
        let drops_all = drop.is_some_and(|d| {
            d.as_seq().iter().any(|c| c.as_str().is_some_and(|s| s.trim().eq_ignore_ascii_case("ALL")))
        });
        if !drops_all {
            sink.report(
                &CapabilitiesNotDropped::META,
                container.at("securityContext/capabilities/drop"),
                format!("{} does not drop ALL capabilities in securityContext.capabilities.drop", container.describe()),
            );
            continue;
        }
        let add = container.security_field("capabilities").and_then(|c| c.get("add"));
        let mut added_back: Vec<String> = add
            .map(|a| a.as_seq())
            .unwrap_or(&[])
            .iter()
            .filter_map(capability_name)
            .filter(|c| c != "NET_BIND_SERVICE" && BASELINE_CAPABILITIES.contains(&c.as_str()))
            .collect();
        added_back.dedup();
        if !added_back.is_empty() {
            sink.report(
                &CapabilitiesNotDropped::META,
                container.at("securityContext/capabilities/add"),
                format!("{} drops ALL capabilities but adds back {}", container.describe(), added_back.join(", ")),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{check, pointers};

    #[test]
    fn flags_missing_partial_and_malformed_drop_lists() {
        let yaml = r#"
apiVersion: apps/v1
kind: ReplicaSet
metadata: {name: rs}
spec:
  template:
    spec:
      initContainers:
        - name: init
          securityContext:
            capabilities:
              drop:
                - NET_RAW
      containers:
        - name: none
        - name: string
          securityContext: {capabilities: {drop: ALL}}
        - name: lower
          securityContext: {capabilities: {drop: [all]}}
        - name: prefixed
          securityContext: {capabilities: {drop: [CAP_ALL]}}
        - name: adds-back
          securityContext: {capabilities: {drop: [ALL], add: [NET_BIND_SERVICE, chown, CAP_SETUID, SYS_ADMIN]}}
"#;
        let findings = check(&CapabilitiesNotDropped, yaml);
        let base = "/spec/template/spec";
        assert_eq!(
            pointers(&findings),
            [
                (format!("{base}/initContainers/0/securityContext/capabilities/drop"), 13),
                (format!("{base}/containers/0/securityContext/capabilities/drop"), 15),
                // `drop: ALL` is a string, not a list: nothing is dropped.
                (format!("{base}/containers/1/securityContext/capabilities/drop"), 17),
                (format!("{base}/containers/3/securityContext/capabilities/drop"), 21),
                (format!("{base}/containers/4/securityContext/capabilities/add"), 23),
            ]
        );
        assert_eq!(findings[4].message, "container \"adds-back\" drops ALL capabilities but adds back CHOWN, SETUID");
        assert_eq!(
            findings[1].message,
            "container \"none\" does not drop ALL capabilities in securityContext.capabilities.drop"
        );
    }

    #[test]
    fn passes_drop_all_and_windows_pods() {
        let yaml = r#"
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers:
    - name: a
      securityContext: {capabilities: {drop: [NET_RAW, ALL], add: [NET_BIND_SERVICE]}}
  ephemeralContainers:
    - name: dbg
      securityContext: {capabilities: {drop: ["ALL"]}}
---
apiVersion: v1
kind: PodTemplate
metadata: {name: t}
template:
  spec:
    os: {name: windows}
    containers: [{name: w}]
"#;
        assert!(check(&CapabilitiesNotDropped, yaml).is_empty());
    }
}
