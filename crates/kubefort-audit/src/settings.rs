//! The `audit:` section of `.kubefort.yaml`: allow-lists and window sizes.

use serde::Deserialize;

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| (*s).to_owned()).collect()
}

/// ```yaml
/// audit:
///   allowedUsers: [alice, ci-deployer]     # KF-AUD-021 is off while empty
///   allowedNamespaces: [default, shop]     # KF-AUD-020
///   allowedImages: [ghcr.io/acme/*]        # KF-AUD-006 is off while empty
///   trustedImages:
///     privileged: [docker.io/calico/node]
///     hostNetwork: []
///   trustedServiceAccounts: [coredns]      # may be created in kube-system
///   clusterRanges: [10.0.0.0/8]            # KF-AUD-033 is off while empty
///   authFailures: {threshold: 10, windowSeconds: 60}
///   activity: false                        # turn off KF-AUD-028/029
/// ```
///
/// Every list entry may end in `*` to match a prefix.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct AuditSettings {
    /// Users (not `system:`) allowed to use the API. Empty: KF-AUD-021 off.
    pub allowed_users: Vec<String>,
    /// Users whose every request is reported as full-admin use (KF-AUD-022).
    pub admin_users: Vec<String>,
    /// Namespaces that may be created (KF-AUD-020).
    pub allowed_namespaces: Vec<String>,
    /// Image repositories pods may run. Empty: KF-AUD-006 off.
    pub allowed_images: Vec<String>,
    pub trusted_images: TrustedImages,
    /// Service accounts that may be created in kube-system / kube-public (KF-AUD-008).
    pub trusted_service_accounts: Vec<String>,
    /// Nodes allowed to join. Empty: KF-AUD-024/025 off.
    pub allowed_nodes: Vec<String>,
    /// Host paths whose mount is sensitive (a path under one counts, except under `/`).
    pub sensitive_host_paths: Vec<String>,
    /// System roles that may change (KF-AUD-016).
    pub mutable_system_roles: Vec<String>,
    /// Users allowed to exec/attach/port-forward/debug (KF-AUD-009/010/011).
    pub exec_users: Vec<String>,
    /// Subjects expected to read secrets (KF-AUD-026/027/031).
    pub secret_readers: Vec<String>,
    /// Users allowed to impersonate (KF-AUD-035).
    pub impersonators: Vec<String>,
    /// Service accounts (`ns:name`, `ns:*`) that act across namespaces (KF-AUD-034).
    pub cross_namespace_service_accounts: Vec<String>,
    /// CIDRs service-account tokens are expected from. Empty: KF-AUD-033 off.
    pub cluster_ranges: Vec<String>,
    /// Lifecycle activity (KF-AUD-028, KF-AUD-029).
    pub activity: bool,
    pub auth_failures: Window,
    pub secret_reads: Window,
    pub source_ips: Window,
    pub mass_delete: Window,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct TrustedImages {
    pub privileged: Vec<String>,
    pub host_network: Vec<String>,
    pub host_pid: Vec<String>,
    pub host_ipc: Vec<String>,
    pub sensitive_mount: Vec<String>,
    /// Images that may run in kube-system / kube-public (KF-AUD-007).
    pub kube_namespace: Vec<String>,
}

/// A sliding window: `threshold` events within `windowSeconds`.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Window {
    #[serde(default = "one")]
    pub threshold: u32,
    pub window_seconds: u64,
}

fn one() -> u32 {
    1
}

impl Window {
    pub fn micros(&self) -> i64 {
        i64::try_from(self.window_seconds.saturating_mul(1_000_000)).unwrap_or(i64::MAX)
    }
}

impl Default for TrustedImages {
    fn default() -> Self {
        TrustedImages {
            privileged: strings(&[
                "falcosecurity/falco",
                "docker.io/falcosecurity/falco",
                "docker.io/calico/node",
                "calico/node",
                "quay.io/calico/node",
                "docker.io/cloudnativelabs/kube-router",
                "docker.io/rook/toolbox",
                "gcr.io/google_containers/kube-proxy",
                "gke.gcr.io/kube-proxy",
                "gke.gcr.io/gke-metadata-server",
                "gke.gcr.io/netd-amd64",
                "registry.k8s.io/kube-proxy",
                "registry.k8s.io/ip-masq-agent-amd64",
                "registry.k8s.io/dns/k8s-dns-node-cache",
                "mcr.microsoft.com/oss/kubernetes/kube-proxy",
            ]),
            host_network: strings(&[
                "gcr.io/projectcalico-org/typha",
                "gcr.io/projectcalico-org/node",
                "gke.gcr.io/gke-metadata-server",
                "gke.gcr.io/kube-proxy",
                "gke.gcr.io/netd-amd64",
                "registry.k8s.io/ip-masq-agent-amd64",
            ]),
            host_pid: Vec::new(),
            host_ipc: Vec::new(),
            sensitive_mount: strings(&[
                "falcosecurity/falco",
                "docker.io/falcosecurity/falco",
                "docker.io/calico/node",
                "gcr.io/google_containers/kube-proxy",
                "docker.io/prom/node-exporter",
                "prom/node-exporter",
                "docker.io/datadog/agent",
            ]),
            kube_namespace: strings(&[
                "gke.gcr.io/addon-resizer",
                "gke.gcr.io/kube-proxy",
                "gke.gcr.io/netd-amd64",
                "registry.k8s.io/kube-apiserver",
                "registry.k8s.io/ip-masq-agent-amd64",
                "registry.k8s.io/metrics-server-amd64",
                "kope/kube-apiserver-healthcheck",
            ]),
        }
    }
}

impl Default for AuditSettings {
    fn default() -> Self {
        AuditSettings {
            allowed_users: Vec::new(),
            admin_users: Vec::new(),
            allowed_namespaces: strings(&["kube-system", "kube-public", "default"]),
            allowed_images: Vec::new(),
            trusted_images: TrustedImages::default(),
            trusted_service_accounts: strings(&[
                "coredns",
                "cronjob-controller",
                "daemon-set-controller",
                "deployment-controller",
                "disruption-controller",
                "endpoint-controller",
                "endpointslice-controller",
                "generic-garbage-collector",
                "horizontal-pod-autoscaler",
                "job-controller",
                "namespace-controller",
                "node-controller",
                "persistent-volume-binder",
                "pod-garbage-collector",
                "replicaset-controller",
                "resourcequota-controller",
                "root-ca-cert-publisher",
                "service-account-controller",
                "statefulset-controller",
            ]),
            allowed_nodes: Vec::new(),
            sensitive_host_paths: strings(&[
                "/proc",
                "/var/run/docker.sock",
                "/",
                "/etc",
                "/root",
                "/var/run/crio/crio.sock",
                "/run/containerd/containerd.sock",
                "/home/admin",
                "/var/lib/kubelet",
                "/etc/kubernetes",
            ]),
            mutable_system_roles: strings(&["system:coredns", "system:managed-certificate-controller"]),
            exec_users: Vec::new(),
            secret_readers: strings(&[
                "system:kube-controller-manager",
                "system:kube-scheduler",
                "system:apiserver",
                "system:node:*",
                "system:serviceaccount:kube-system:*",
            ]),
            impersonators: Vec::new(),
            cross_namespace_service_accounts: strings(&["kube-system:*"]),
            cluster_ranges: Vec::new(),
            activity: true,
            auth_failures: Window { threshold: 10, window_seconds: 60 },
            secret_reads: Window { threshold: 1, window_seconds: 86_400 },
            source_ips: Window { threshold: 1, window_seconds: 86_400 },
            mass_delete: Window { threshold: 50, window_seconds: 60 },
        }
    }
}

/// `pattern` equals `value`, or ends in `*` and prefixes it.
pub fn matches(pattern: &str, value: &str) -> bool {
    match pattern.strip_suffix('*') {
        Some(prefix) => value.starts_with(prefix),
        None => pattern == value,
    }
}

pub fn any_match(patterns: &[String], value: &str) -> bool {
    patterns.iter().any(|p| matches(p, value))
}

/// An image's repository: no tag, no digest (`nginx:1.25` → `nginx`).
pub fn repository(image: &str) -> &str {
    let image = image.split('@').next().unwrap_or(image);
    match image.rfind(':') {
        Some(i) if !image[i + 1..].contains('/') => &image[..i],
        _ => image,
    }
}

/// Whether an image repository is in a list, treating `nginx`,
/// `docker.io/nginx` and `docker.io/library/nginx` as one.
pub fn image_listed(list: &[String], image: &str) -> bool {
    let repo = repository(image);
    let short = repo
        .strip_prefix("docker.io/library/")
        .or_else(|| repo.strip_prefix("docker.io/"))
        .or_else(|| repo.strip_prefix("index.docker.io/"))
        .unwrap_or(repo);
    list.iter().any(|p| {
        let p = p.strip_prefix("docker.io/library/").or_else(|| p.strip_prefix("docker.io/")).unwrap_or(p);
        matches(p, short) || matches(p, repo)
    })
}

/// A parsed CIDR (`10.0.0.0/8`, `fd00::/8`) or single address.
#[derive(Debug, Clone, Copy)]
pub struct Cidr {
    addr: std::net::IpAddr,
    prefix: u8,
}

impl Cidr {
    pub fn parse(s: &str) -> Option<Cidr> {
        let (a, p) = s.split_once('/').unwrap_or((s, ""));
        let addr: std::net::IpAddr = a.trim().parse().ok()?;
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = if p.is_empty() { max } else { p.trim().parse().ok()? };
        (prefix <= max).then_some(Cidr { addr, prefix })
    }
    pub fn contains(&self, ip: std::net::IpAddr) -> bool {
        let bits = |a: std::net::IpAddr| -> (u128, u8) {
            match a {
                std::net::IpAddr::V4(v) => (u128::from(u32::from(v)), 32),
                std::net::IpAddr::V6(v) => (u128::from(v), 128),
            }
        };
        let ((net, width), (ip, w2)) = (bits(self.addr), bits(ip));
        if width != w2 {
            return false;
        }
        if self.prefix == 0 {
            return true;
        }
        let shift = u32::from(width - self.prefix);
        (net >> shift) == (ip >> shift)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn images_and_patterns() {
        assert_eq!(repository("nginx:1.25"), "nginx");
        assert_eq!(repository("registry:5000/app@sha256:abc"), "registry:5000/app");
        assert_eq!(repository("registry:5000/app:v1"), "registry:5000/app");
        let list = vec!["nginx".to_owned(), "ghcr.io/acme/*".to_owned()];
        assert!(image_listed(&list, "docker.io/library/nginx:latest"));
        assert!(image_listed(&list, "ghcr.io/acme/api:v2"));
        assert!(!image_listed(&list, "ghcr.io/evil/api"));
        assert!(matches("system:node:*", "system:node:n1") && !matches("a", "ab"));
    }

    #[test]
    fn cidrs() {
        let c = Cidr::parse("10.0.0.0/8").unwrap();
        assert!(c.contains("10.1.2.3".parse().unwrap()));
        assert!(!c.contains("11.0.0.1".parse().unwrap()));
        assert!(!c.contains("::1".parse().unwrap()));
        assert!(Cidr::parse("0.0.0.0/0").unwrap().contains("8.8.8.8".parse().unwrap()));
        assert!(Cidr::parse("10.0.0.0/33").is_none() && Cidr::parse("x").is_none());
    }

    #[test]
    fn settings_deserialize_with_defaults() {
        let s: AuditSettings =
            serde_json::from_str(r#"{"allowedUsers":["a"],"authFailures":{"threshold":3,"windowSeconds":10}}"#)
                .unwrap();
        assert_eq!(s.allowed_users, ["a"]);
        assert_eq!(s.auth_failures.threshold, 3);
        assert!(s.activity && s.allowed_namespaces.contains(&"default".to_owned()));
        assert!(serde_json::from_str::<AuditSettings>(r#"{"alowedUsers":[]}"#).is_err());
    }
}
