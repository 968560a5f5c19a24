//! The CIS Kubernetes Benchmark 1.12 checks of the master, etcd,
//! controlplane and node sections, each with a kubefort id: `1.1.N` is
//! `KF-CP-1NN`, `1.2.N` `KF-CP-2NN`, `1.3.N` `KF-CP-3NN`, `1.4.N`
//! `KF-CP-4NN`, etcd `2.N` `KF-CP-5NN`, `3.x.y` `KF-CP-6xy`, `4.1.N`
//! `KF-NODE-1NN`, `4.2.N` `KF-NODE-2NN`, `4.3.N` `KF-NODE-3NN`; checks
//! kubefort adds are `KF-NODE-9NN`. Titles and remediations are kubefort's
//! own words; what each check tests follows kube-bench's control file.

use crate::host::Kind;
use kubefort_model::{RuleMeta, Severity};
use kubefort_rules::controlplane::kubelet::{self, Setting};

/// One check.
#[derive(Debug)]
pub struct Check {
    /// CIS id (`1.2.6`), empty for kubefort's additions.
    pub cis: &'static str,
    /// Whether CIS marks it Automated (a failure is FAIL; for a Manual
    /// check kubefort still tests what it can and reports WARN).
    pub automated: bool,
    pub meta: RuleMeta,
    pub test: Test,
}

/// What a check tests.
#[derive(Debug)]
pub enum Test {
    /// Every file of the target has no permission bit outside the mask.
    Mode(Target, u32),
    /// Every file of the target is owned by `user:group`.
    Owner(Target, &'static str),
    /// All these flags are set (to a non-empty value).
    Set(Kind, &'static [&'static str]),
    /// The flag is not set.
    Unset(Kind, &'static str),
    /// The flag equals the value; when absent the check passes or fails.
    Eq(Kind, &'static str, &'static str, Absent),
    /// The list flag contains the item (absent fails).
    Has(Kind, &'static str, &'static str),
    /// The list flag does not contain the item (absent passes).
    NotHas(Kind, &'static str, &'static str),
    /// The flag is a number at least this big (absent fails).
    Gte(Kind, &'static str, i64),
    /// The flag is set and lists only these cipher suites.
    Ciphers(Kind, &'static [&'static str]),
    /// A kubelet setting, flag over config file over default.
    Kubelet(&'static Setting),
    Custom(Custom),
    /// Needs a human: kubefort cannot tell.
    Manual,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Absent {
    Pass,
    Fail,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Custom {
    EncryptionProviders,
    AuditPolicyFile,
    AuditPolicyCoverage,
    EtcdUniqueCa,
    KubeletClientCa,
    KubeletTlsFiles,
    KubeletServerRotation,
    KubeletEventQps,
    KubeletPodPids,
    KubeletSeccompDefault,
    KubeletCiphers,
    ProxyMetricsBind,
}

/// Files checked for mode or owner.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    Manifest(Kind),
    EtcdDataDir,
    AdminConf,
    SchedulerConf,
    ControllerManagerConf,
    Pki,
    PkiCrt,
    PkiKey,
    Cni,
    KubeletService,
    ProxyKubeconfig,
    KubeletKubeconfig,
    KubeletClientCa,
    KubeletConfig,
}

/// CIS sections, in report order: (id, title, component type).
pub const SECTIONS: &[(&str, &str)] = &[
    ("1.1", "Control plane node configuration files"),
    ("1.2", "API server"),
    ("1.3", "Controller manager"),
    ("1.4", "Scheduler"),
    ("2", "etcd"),
    ("3.1", "Authentication and authorization"),
    ("3.2", "Logging"),
    ("4.1", "Worker node configuration files"),
    ("4.2", "Kubelet"),
    ("4.3", "kube-proxy"),
    ("K", "kubefort additions"),
];

impl Check {
    /// The section a check belongs to (`1.2` for `1.2.6`, `2` for `2.1`).
    pub fn section(&self) -> &'static str {
        if self.cis.is_empty() {
            return "K";
        }
        if self.cis.starts_with("2.") {
            return "2";
        }
        self.cis.rsplit_once('.').map_or(self.cis, |(s, _)| s)
    }
}

const API_CIPHERS: &[&str] = &[
    "TLS_AES_128_GCM_SHA256",
    "TLS_AES_256_GCM_SHA384",
    "TLS_CHACHA20_POLY1305_SHA256",
    "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
    "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
    "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305",
    "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
    "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
    "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
    "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305",
    "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
];

/// Strong suites the kubelet may use.
pub const KUBELET_CIPHERS: &[&str] = &[
    "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
    "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
    "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305",
    "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
    "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305",
    "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
];

macro_rules! check {
    ($cis:literal, $auto:expr, $id:literal, $name:literal, $sev:ident, $title:literal, $fix:literal, $test:expr) => {
        Check {
            cis: $cis,
            automated: $auto,
            test: $test,
            meta: RuleMeta {
                id: $id,
                name: $name,
                title: $title,
                severity: Severity::$sev,
                fix: $fix,
                references: &[concat!("cis-1.12:", $cis)],
                doc: "",
            },
        }
    };
}

const A: bool = true;
const M: bool = false;
use Kind::{ApiServer as API, ControllerManager as CM, Etcd as ETCD, Kubelet as KUBELET, Scheduler as SCHED};
use Test::*;

pub static CHECKS: &[Check] = &[
    // 1.1 Control plane node configuration files
    check!(
        "1.1.1",
        A,
        "KF-CP-101",
        "apiserver-manifest-mode",
        High,
        "API server static pod manifest is readable or writable by others",
        "chmod 600 /etc/kubernetes/manifests/kube-apiserver.yaml",
        Mode(Target::Manifest(API), 0o600)
    ),
    check!(
        "1.1.2",
        A,
        "KF-CP-102",
        "apiserver-manifest-owner",
        High,
        "API server static pod manifest is not owned by root:root",
        "chown root:root /etc/kubernetes/manifests/kube-apiserver.yaml",
        Owner(Target::Manifest(API), "root:root")
    ),
    check!(
        "1.1.3",
        A,
        "KF-CP-103",
        "controller-manager-manifest-mode",
        High,
        "Controller manager static pod manifest is readable or writable by others",
        "chmod 600 /etc/kubernetes/manifests/kube-controller-manager.yaml",
        Mode(Target::Manifest(CM), 0o600)
    ),
    check!(
        "1.1.4",
        A,
        "KF-CP-104",
        "controller-manager-manifest-owner",
        High,
        "Controller manager static pod manifest is not owned by root:root",
        "chown root:root /etc/kubernetes/manifests/kube-controller-manager.yaml",
        Owner(Target::Manifest(CM), "root:root")
    ),
    check!(
        "1.1.5",
        A,
        "KF-CP-105",
        "scheduler-manifest-mode",
        High,
        "Scheduler static pod manifest is readable or writable by others",
        "chmod 600 /etc/kubernetes/manifests/kube-scheduler.yaml",
        Mode(Target::Manifest(SCHED), 0o600)
    ),
    check!(
        "1.1.6",
        A,
        "KF-CP-106",
        "scheduler-manifest-owner",
        High,
        "Scheduler static pod manifest is not owned by root:root",
        "chown root:root /etc/kubernetes/manifests/kube-scheduler.yaml",
        Owner(Target::Manifest(SCHED), "root:root")
    ),
    check!(
        "1.1.7",
        A,
        "KF-CP-107",
        "etcd-manifest-mode",
        High,
        "etcd static pod manifest is readable or writable by others",
        "chmod 600 /etc/kubernetes/manifests/etcd.yaml",
        Mode(Target::Manifest(ETCD), 0o600)
    ),
    check!(
        "1.1.8",
        A,
        "KF-CP-108",
        "etcd-manifest-owner",
        High,
        "etcd static pod manifest is not owned by root:root",
        "chown root:root /etc/kubernetes/manifests/etcd.yaml",
        Owner(Target::Manifest(ETCD), "root:root")
    ),
    check!(
        "1.1.9",
        M,
        "KF-CP-109",
        "cni-files-mode",
        Medium,
        "CNI configuration files are readable or writable by others",
        "chmod 600 on the files of the CNI configuration directory and /var/lib/cni/networks",
        Mode(Target::Cni, 0o600)
    ),
    check!(
        "1.1.10",
        M,
        "KF-CP-110",
        "cni-files-owner",
        Medium,
        "CNI configuration files are not owned by root:root",
        "chown root:root on the files of the CNI configuration directory and /var/lib/cni/networks",
        Owner(Target::Cni, "root:root")
    ),
    check!(
        "1.1.11",
        A,
        "KF-CP-111",
        "etcd-data-dir-mode",
        High,
        "etcd data directory is accessible to others",
        "chmod 700 on etcd's --data-dir (default /var/lib/etcd)",
        Mode(Target::EtcdDataDir, 0o700)
    ),
    check!(
        "1.1.12",
        A,
        "KF-CP-112",
        "etcd-data-dir-owner",
        Medium,
        "etcd data directory is not owned by etcd:etcd",
        "Create an etcd user and group and chown etcd:etcd etcd's --data-dir",
        Owner(Target::EtcdDataDir, "etcd:etcd")
    ),
    check!(
        "1.1.13",
        A,
        "KF-CP-113",
        "admin-kubeconfig-mode",
        Critical,
        "Cluster-admin kubeconfig is readable by others",
        "chmod 600 /etc/kubernetes/admin.conf /etc/kubernetes/super-admin.conf",
        Mode(Target::AdminConf, 0o600)
    ),
    check!(
        "1.1.14",
        A,
        "KF-CP-114",
        "admin-kubeconfig-owner",
        High,
        "Cluster-admin kubeconfig is not owned by root:root",
        "chown root:root /etc/kubernetes/admin.conf /etc/kubernetes/super-admin.conf",
        Owner(Target::AdminConf, "root:root")
    ),
    check!(
        "1.1.15",
        A,
        "KF-CP-115",
        "scheduler-kubeconfig-mode",
        High,
        "Scheduler kubeconfig is readable by others",
        "chmod 600 /etc/kubernetes/scheduler.conf",
        Mode(Target::SchedulerConf, 0o600)
    ),
    check!(
        "1.1.16",
        A,
        "KF-CP-116",
        "scheduler-kubeconfig-owner",
        High,
        "Scheduler kubeconfig is not owned by root:root",
        "chown root:root /etc/kubernetes/scheduler.conf",
        Owner(Target::SchedulerConf, "root:root")
    ),
    check!(
        "1.1.17",
        A,
        "KF-CP-117",
        "controller-manager-kubeconfig-mode",
        High,
        "Controller manager kubeconfig is readable by others",
        "chmod 600 /etc/kubernetes/controller-manager.conf",
        Mode(Target::ControllerManagerConf, 0o600)
    ),
    check!(
        "1.1.18",
        A,
        "KF-CP-118",
        "controller-manager-kubeconfig-owner",
        High,
        "Controller manager kubeconfig is not owned by root:root",
        "chown root:root /etc/kubernetes/controller-manager.conf",
        Owner(Target::ControllerManagerConf, "root:root")
    ),
    check!(
        "1.1.19",
        A,
        "KF-CP-119",
        "pki-owner",
        High,
        "PKI directory or files are not owned by root:root",
        "chown -R root:root /etc/kubernetes/pki/",
        Owner(Target::Pki, "root:root")
    ),
    check!(
        "1.1.20",
        M,
        "KF-CP-120",
        "pki-certificate-mode",
        Medium,
        "PKI certificate is writable by others",
        "chmod 644 /etc/kubernetes/pki/*.crt",
        Mode(Target::PkiCrt, 0o644)
    ),
    check!(
        "1.1.21",
        M,
        "KF-CP-121",
        "pki-key-mode",
        Critical,
        "PKI private key is readable by others",
        "chmod 600 /etc/kubernetes/pki/*.key",
        Mode(Target::PkiKey, 0o600)
    ),
    // 1.2 API server
    check!(
        "1.2.1",
        M,
        "KF-CP-201",
        "apiserver-anonymous-auth",
        Medium,
        "API server accepts anonymous requests",
        "Set --anonymous-auth=false (check first that health probes do not rely on anonymous access)",
        Eq(API, "anonymous-auth", "false", Absent::Fail)
    ),
    check!(
        "1.2.2",
        A,
        "KF-CP-202",
        "apiserver-token-auth-file",
        High,
        "API server authenticates with a static token file",
        "Remove --token-auth-file; use client certificates, OIDC or webhook authentication",
        Unset(API, "token-auth-file")
    ),
    check!(
        "1.2.3",
        M,
        "KF-CP-203",
        "apiserver-deny-external-ips",
        Medium,
        "DenyServiceExternalIPs admission plugin is off",
        "Add DenyServiceExternalIPs to --enable-admission-plugins",
        Has(API, "enable-admission-plugins", "DenyServiceExternalIPs")
    ),
    check!(
        "1.2.4",
        A,
        "KF-CP-204",
        "apiserver-kubelet-client-cert",
        High,
        "API server has no client certificate for kubelets",
        "Set --kubelet-client-certificate and --kubelet-client-key",
        Set(API, &["kubelet-client-certificate", "kubelet-client-key"])
    ),
    check!(
        "1.2.5",
        A,
        "KF-CP-205",
        "apiserver-kubelet-ca",
        High,
        "API server does not verify kubelets' serving certificates",
        "Set --kubelet-certificate-authority to the CA that signs kubelet serving certificates",
        Set(API, &["kubelet-certificate-authority"])
    ),
    check!(
        "1.2.6",
        A,
        "KF-CP-206",
        "apiserver-authorization-always-allow",
        Critical,
        "API server authorizes every request (AlwaysAllow)",
        "Set --authorization-mode=Node,RBAC",
        NotHas(API, "authorization-mode", "AlwaysAllow")
    ),
    check!(
        "1.2.7",
        A,
        "KF-CP-207",
        "apiserver-authorization-node",
        High,
        "API server authorization does not include Node",
        "Include Node in --authorization-mode (Node,RBAC)",
        Has(API, "authorization-mode", "Node")
    ),
    check!(
        "1.2.8",
        A,
        "KF-CP-208",
        "apiserver-authorization-rbac",
        High,
        "API server authorization does not include RBAC",
        "Include RBAC in --authorization-mode (Node,RBAC)",
        Has(API, "authorization-mode", "RBAC")
    ),
    check!(
        "1.2.9",
        M,
        "KF-CP-209",
        "apiserver-event-rate-limit",
        Low,
        "EventRateLimit admission plugin is off",
        "Add EventRateLimit to --enable-admission-plugins and configure it in --admission-control-config-file",
        Has(API, "enable-admission-plugins", "EventRateLimit")
    ),
    check!(
        "1.2.10",
        A,
        "KF-CP-210",
        "apiserver-always-admit",
        Critical,
        "AlwaysAdmit admission plugin is on",
        "Remove AlwaysAdmit from --enable-admission-plugins",
        NotHas(API, "enable-admission-plugins", "AlwaysAdmit")
    ),
    check!(
        "1.2.11",
        M,
        "KF-CP-211",
        "apiserver-always-pull-images",
        Low,
        "AlwaysPullImages admission plugin is off",
        "Add AlwaysPullImages to --enable-admission-plugins",
        Has(API, "enable-admission-plugins", "AlwaysPullImages")
    ),
    check!(
        "1.2.12",
        A,
        "KF-CP-212",
        "apiserver-service-account-plugin",
        High,
        "ServiceAccount admission plugin is disabled",
        "Remove ServiceAccount from --disable-admission-plugins",
        NotHas(API, "disable-admission-plugins", "ServiceAccount")
    ),
    check!(
        "1.2.13",
        A,
        "KF-CP-213",
        "apiserver-namespace-lifecycle",
        Medium,
        "NamespaceLifecycle admission plugin is disabled",
        "Remove NamespaceLifecycle from --disable-admission-plugins",
        NotHas(API, "disable-admission-plugins", "NamespaceLifecycle")
    ),
    check!(
        "1.2.14",
        A,
        "KF-CP-214",
        "apiserver-node-restriction",
        High,
        "NodeRestriction admission plugin is off: a kubelet may modify any node or pod",
        "Add NodeRestriction to --enable-admission-plugins",
        Has(API, "enable-admission-plugins", "NodeRestriction")
    ),
    check!(
        "1.2.15",
        A,
        "KF-CP-215",
        "apiserver-profiling",
        Low,
        "API server profiling endpoints are on",
        "Set --profiling=false",
        Eq(API, "profiling", "false", Absent::Fail)
    ),
    check!(
        "1.2.16",
        A,
        "KF-CP-216",
        "apiserver-audit-log-path",
        High,
        "API server writes no audit log",
        "Set --audit-log-path (and --audit-policy-file)",
        Set(API, &["audit-log-path"])
    ),
    check!(
        "1.2.17",
        A,
        "KF-CP-217",
        "apiserver-audit-log-maxage",
        Low,
        "Audit logs are kept fewer than 30 days",
        "Set --audit-log-maxage=30 or more",
        Gte(API, "audit-log-maxage", 30)
    ),
    check!(
        "1.2.18",
        A,
        "KF-CP-218",
        "apiserver-audit-log-maxbackup",
        Low,
        "Fewer than 10 audit log files are kept",
        "Set --audit-log-maxbackup=10 or more",
        Gte(API, "audit-log-maxbackup", 10)
    ),
    check!(
        "1.2.19",
        A,
        "KF-CP-219",
        "apiserver-audit-log-maxsize",
        Low,
        "Audit log files rotate below 100 MB",
        "Set --audit-log-maxsize=100 or more",
        Gte(API, "audit-log-maxsize", 100)
    ),
    check!(
        "1.2.20",
        M,
        "KF-CP-220",
        "apiserver-request-timeout",
        Info,
        "API server request timeout needs review",
        "Set --request-timeout to suit the cluster (default 60s)",
        Manual
    ),
    check!(
        "1.2.21",
        A,
        "KF-CP-221",
        "apiserver-service-account-lookup",
        Medium,
        "API server accepts tokens of deleted service accounts",
        "Remove --service-account-lookup=false (or set it to true)",
        Eq(API, "service-account-lookup", "true", Absent::Pass)
    ),
    check!(
        "1.2.22",
        A,
        "KF-CP-222",
        "apiserver-service-account-key",
        High,
        "API server has no service-account verification key",
        "Set --service-account-key-file to the public key matching the controller manager's private key",
        Set(API, &["service-account-key-file"])
    ),
    check!(
        "1.2.23",
        A,
        "KF-CP-223",
        "apiserver-etcd-client-cert",
        High,
        "API server has no client certificate for etcd",
        "Set --etcd-certfile and --etcd-keyfile",
        Set(API, &["etcd-certfile", "etcd-keyfile"])
    ),
    check!(
        "1.2.24",
        A,
        "KF-CP-224",
        "apiserver-tls-cert",
        High,
        "API server has no serving certificate of its own",
        "Set --tls-cert-file and --tls-private-key-file",
        Set(API, &["tls-cert-file", "tls-private-key-file"])
    ),
    check!(
        "1.2.25",
        A,
        "KF-CP-225",
        "apiserver-client-ca",
        High,
        "API server does not authenticate client certificates",
        "Set --client-ca-file",
        Set(API, &["client-ca-file"])
    ),
    check!(
        "1.2.26",
        A,
        "KF-CP-226",
        "apiserver-etcd-ca",
        High,
        "API server does not verify etcd's certificate",
        "Set --etcd-cafile",
        Set(API, &["etcd-cafile"])
    ),
    check!(
        "1.2.27",
        M,
        "KF-CP-227",
        "apiserver-encryption-config",
        High,
        "API server does not encrypt data at rest",
        "Write an EncryptionConfiguration and set --encryption-provider-config",
        Set(API, &["encryption-provider-config"])
    ),
    check!(
        "1.2.28",
        M,
        "KF-CP-228",
        "apiserver-encryption-providers",
        High,
        "Encryption at rest leaves Secrets in plaintext",
        "Put kms (v2), aescbc or secretbox before identity for secrets",
        Custom(Custom::EncryptionProviders)
    ),
    check!(
        "1.2.29",
        M,
        "KF-CP-229",
        "apiserver-tls-ciphers",
        Medium,
        "API server allows weak TLS cipher suites",
        "Set --tls-cipher-suites to AEAD suites only (ECDHE with AES-GCM or ChaCha20-Poly1305)",
        Ciphers(API, API_CIPHERS)
    ),
    check!(
        "1.2.30",
        A,
        "KF-CP-230",
        "apiserver-extend-token-expiration",
        Medium,
        "API server extends the lifetime of projected service-account tokens",
        "Set --service-account-extend-token-expiration=false",
        Eq(API, "service-account-extend-token-expiration", "false", Absent::Fail)
    ),
    // 1.3 Controller manager
    check!(
        "1.3.1",
        M,
        "KF-CP-301",
        "controller-manager-pod-gc",
        Low,
        "Terminated pods are garbage-collected only at the default threshold",
        "Set --terminated-pod-gc-threshold (for example 10)",
        Set(CM, &["terminated-pod-gc-threshold"])
    ),
    check!(
        "1.3.2",
        A,
        "KF-CP-302",
        "controller-manager-profiling",
        Low,
        "Controller manager profiling endpoints are on",
        "Set --profiling=false",
        Eq(CM, "profiling", "false", Absent::Fail)
    ),
    check!(
        "1.3.3",
        A,
        "KF-CP-303",
        "controller-manager-sa-credentials",
        Medium,
        "Controllers share the controller manager's own credentials",
        "Set --use-service-account-credentials=true",
        Eq(CM, "use-service-account-credentials", "true", Absent::Fail)
    ),
    check!(
        "1.3.4",
        A,
        "KF-CP-304",
        "controller-manager-sa-private-key",
        High,
        "Controller manager has no service-account signing key",
        "Set --service-account-private-key-file",
        Set(CM, &["service-account-private-key-file"])
    ),
    check!(
        "1.3.5",
        A,
        "KF-CP-305",
        "controller-manager-root-ca",
        Medium,
        "Service-account tokens carry no root CA",
        "Set --root-ca-file to the cluster CA bundle",
        Set(CM, &["root-ca-file"])
    ),
    check!(
        "1.3.6",
        A,
        "KF-CP-306",
        "controller-manager-rotate-server-cert",
        Medium,
        "Kubelet serving certificate rotation is turned off",
        "Remove RotateKubeletServerCertificate=false from --feature-gates",
        NotHas(CM, "feature-gates", "RotateKubeletServerCertificate=false")
    ),
    check!(
        "1.3.7",
        A,
        "KF-CP-307",
        "controller-manager-bind-address",
        Medium,
        "Controller manager listens beyond localhost",
        "Set --bind-address=127.0.0.1",
        Eq(CM, "bind-address", "127.0.0.1", Absent::Fail)
    ),
    // 1.4 Scheduler
    check!(
        "1.4.1",
        A,
        "KF-CP-401",
        "scheduler-profiling",
        Low,
        "Scheduler profiling endpoints are on",
        "Set --profiling=false",
        Eq(SCHED, "profiling", "false", Absent::Fail)
    ),
    check!(
        "1.4.2",
        A,
        "KF-CP-402",
        "scheduler-bind-address",
        Medium,
        "Scheduler listens beyond localhost",
        "Set --bind-address=127.0.0.1",
        Eq(SCHED, "bind-address", "127.0.0.1", Absent::Fail)
    ),
    // 2 etcd
    check!(
        "2.1",
        A,
        "KF-CP-501",
        "etcd-tls",
        Critical,
        "etcd serves clients without TLS",
        "Set --cert-file and --key-file",
        Set(ETCD, &["cert-file", "key-file"])
    ),
    check!(
        "2.2",
        A,
        "KF-CP-502",
        "etcd-client-cert-auth",
        Critical,
        "etcd does not require client certificates",
        "Set --client-cert-auth=true",
        Eq(ETCD, "client-cert-auth", "true", Absent::Fail)
    ),
    check!(
        "2.3",
        A,
        "KF-CP-503",
        "etcd-auto-tls",
        High,
        "etcd uses self-signed certificates for clients",
        "Remove --auto-tls or set it to false",
        Eq(ETCD, "auto-tls", "false", Absent::Pass)
    ),
    check!(
        "2.4",
        A,
        "KF-CP-504",
        "etcd-peer-tls",
        High,
        "etcd peers talk without TLS",
        "Set --peer-cert-file and --peer-key-file",
        Set(ETCD, &["peer-cert-file", "peer-key-file"])
    ),
    check!(
        "2.5",
        A,
        "KF-CP-505",
        "etcd-peer-client-cert-auth",
        High,
        "etcd does not require peer certificates",
        "Set --peer-client-cert-auth=true",
        Eq(ETCD, "peer-client-cert-auth", "true", Absent::Fail)
    ),
    check!(
        "2.6",
        A,
        "KF-CP-506",
        "etcd-peer-auto-tls",
        High,
        "etcd uses self-signed certificates for peers",
        "Remove --peer-auto-tls or set it to false",
        Eq(ETCD, "peer-auto-tls", "false", Absent::Pass)
    ),
    check!(
        "2.7",
        M,
        "KF-CP-507",
        "etcd-unique-ca",
        Medium,
        "etcd trusts the cluster's general CA",
        "Give etcd its own CA (--trusted-ca-file) distinct from the API server's --client-ca-file",
        Custom(Custom::EtcdUniqueCa)
    ),
    // 3 Control plane configuration
    check!(
        "3.1.1",
        M,
        "KF-CP-611",
        "users-client-certificates",
        Info,
        "Users may authenticate with client certificates",
        "Authenticate people through OIDC or a webhook; keep certificates for components",
        Manual
    ),
    check!(
        "3.1.2",
        M,
        "KF-CP-612",
        "users-service-account-tokens",
        Info,
        "Users may authenticate with service-account tokens",
        "Authenticate people through OIDC or a webhook",
        Manual
    ),
    check!(
        "3.1.3",
        M,
        "KF-CP-613",
        "users-bootstrap-tokens",
        Info,
        "Users may authenticate with bootstrap tokens",
        "Authenticate people through OIDC or a webhook; bootstrap tokens are for joining nodes",
        Manual
    ),
    check!(
        "3.2.1",
        M,
        "KF-CP-621",
        "audit-policy-file",
        High,
        "API server has no audit policy",
        "Write an audit Policy and set --audit-policy-file",
        Custom(Custom::AuditPolicyFile)
    ),
    check!(
        "3.2.2",
        M,
        "KF-CP-622",
        "audit-policy-coverage",
        Medium,
        "Audit policy misses key security events or logs secrets",
        "Log Secrets, ConfigMaps and TokenReviews at Metadata, pod and exec activity, and end with a catch-all",
        Custom(Custom::AuditPolicyCoverage)
    ),
    // 4.1 Worker node configuration files
    check!(
        "4.1.1",
        A,
        "KF-NODE-101",
        "kubelet-service-mode",
        Medium,
        "Kubelet service files are writable or readable by others",
        "chmod 600 on kubelet.service and its drop-ins",
        Mode(Target::KubeletService, 0o600)
    ),
    check!(
        "4.1.2",
        A,
        "KF-NODE-102",
        "kubelet-service-owner",
        Medium,
        "Kubelet service files are not owned by root:root",
        "chown root:root on kubelet.service and its drop-ins",
        Owner(Target::KubeletService, "root:root")
    ),
    check!(
        "4.1.3",
        M,
        "KF-NODE-103",
        "proxy-kubeconfig-mode",
        Medium,
        "kube-proxy kubeconfig is readable by others",
        "chmod 600 on kube-proxy's --kubeconfig",
        Mode(Target::ProxyKubeconfig, 0o600)
    ),
    check!(
        "4.1.4",
        M,
        "KF-NODE-104",
        "proxy-kubeconfig-owner",
        Medium,
        "kube-proxy kubeconfig is not owned by root:root",
        "chown root:root on kube-proxy's --kubeconfig",
        Owner(Target::ProxyKubeconfig, "root:root")
    ),
    check!(
        "4.1.5",
        A,
        "KF-NODE-105",
        "kubelet-kubeconfig-mode",
        High,
        "Kubelet kubeconfig is readable by others",
        "chmod 600 /etc/kubernetes/kubelet.conf",
        Mode(Target::KubeletKubeconfig, 0o600)
    ),
    check!(
        "4.1.6",
        A,
        "KF-NODE-106",
        "kubelet-kubeconfig-owner",
        High,
        "Kubelet kubeconfig is not owned by root:root",
        "chown root:root /etc/kubernetes/kubelet.conf",
        Owner(Target::KubeletKubeconfig, "root:root")
    ),
    check!(
        "4.1.7",
        M,
        "KF-NODE-107",
        "kubelet-client-ca-mode",
        Medium,
        "Kubelet client CA file is writable by others",
        "chmod 644 on the kubelet's client CA file",
        Mode(Target::KubeletClientCa, 0o644)
    ),
    check!(
        "4.1.8",
        M,
        "KF-NODE-108",
        "kubelet-client-ca-owner",
        Medium,
        "Kubelet client CA file is not owned by root:root",
        "chown root:root on the kubelet's client CA file",
        Owner(Target::KubeletClientCa, "root:root")
    ),
    check!(
        "4.1.9",
        A,
        "KF-NODE-109",
        "kubelet-config-mode",
        High,
        "Kubelet config file is readable or writable by others",
        "chmod 600 /var/lib/kubelet/config.yaml",
        Mode(Target::KubeletConfig, 0o600)
    ),
    check!(
        "4.1.10",
        A,
        "KF-NODE-110",
        "kubelet-config-owner",
        High,
        "Kubelet config file is not owned by root:root",
        "chown root:root /var/lib/kubelet/config.yaml",
        Owner(Target::KubeletConfig, "root:root")
    ),
    // 4.2 Kubelet
    check!(
        "4.2.1",
        A,
        "KF-NODE-201",
        "kubelet-anonymous-auth-off",
        High,
        "Kubelet allows anonymous requests",
        "Set authentication.anonymous.enabled: false (or --anonymous-auth=false)",
        Kubelet(&kubelet::ANONYMOUS_AUTH)
    ),
    check!(
        "4.2.2",
        A,
        "KF-NODE-202",
        "kubelet-authorization-webhook",
        High,
        "Kubelet authorizes every request",
        "Set authorization.mode: Webhook (or --authorization-mode=Webhook)",
        Kubelet(&kubelet::AUTHORIZATION_MODE)
    ),
    check!(
        "4.2.3",
        A,
        "KF-NODE-203",
        "kubelet-client-ca",
        High,
        "Kubelet does not authenticate client certificates",
        "Set authentication.x509.clientCAFile (or --client-ca-file)",
        Custom(Custom::KubeletClientCa)
    ),
    check!(
        "4.2.4",
        M,
        "KF-NODE-204",
        "kubelet-read-only-port-off",
        Medium,
        "Kubelet read-only port is open",
        "Set readOnlyPort: 0 (or --read-only-port=0)",
        Kubelet(&kubelet::READ_ONLY_PORT)
    ),
    check!(
        "4.2.5",
        M,
        "KF-NODE-205",
        "kubelet-streaming-timeout",
        Low,
        "Kubelet streaming connections never time out",
        "Set streamingConnectionIdleTimeout: 5m",
        Kubelet(&kubelet::STREAMING_TIMEOUT)
    ),
    check!(
        "4.2.6",
        A,
        "KF-NODE-206",
        "kubelet-iptables-util-chains",
        Low,
        "Kubelet does not manage its iptables chains",
        "Set makeIPTablesUtilChains: true or remove --make-iptables-util-chains=false",
        Kubelet(&kubelet::MAKE_IPTABLES_UTIL_CHAINS)
    ),
    check!(
        "4.2.7",
        M,
        "KF-NODE-207",
        "kubelet-hostname-override",
        Low,
        "Kubelet overrides its hostname",
        "Remove --hostname-override (certificates and node names must match)",
        Unset(KUBELET, "hostname-override")
    ),
    check!(
        "4.2.8",
        M,
        "KF-NODE-208",
        "kubelet-event-qps",
        Low,
        "Kubelet event rate limit is negative",
        "Set eventRecordQPS to 0 or a rate that captures every event you need",
        Custom(Custom::KubeletEventQps)
    ),
    check!(
        "4.2.9",
        M,
        "KF-NODE-209",
        "kubelet-tls-cert",
        Medium,
        "Kubelet serves with a self-signed certificate",
        "Set tlsCertFile and tlsPrivateKeyFile, or serverTLSBootstrap: true",
        Custom(Custom::KubeletTlsFiles)
    ),
    check!(
        "4.2.10",
        A,
        "KF-NODE-210",
        "kubelet-rotate-certificates",
        Medium,
        "Kubelet client certificate rotation is off",
        "Set rotateCertificates: true",
        Kubelet(&kubelet::ROTATE_CERTIFICATES)
    ),
    check!(
        "4.2.11",
        M,
        "KF-NODE-211",
        "kubelet-rotate-server-certificate",
        Medium,
        "Kubelet serving certificate rotation is turned off",
        "Remove RotateKubeletServerCertificate=false from the kubelet's feature gates",
        Custom(Custom::KubeletServerRotation)
    ),
    check!(
        "4.2.12",
        M,
        "KF-NODE-212",
        "kubelet-tls-ciphers",
        Medium,
        "Kubelet allows weak TLS cipher suites",
        "Set tlsCipherSuites to ECDHE suites with AES-GCM or ChaCha20-Poly1305",
        Custom(Custom::KubeletCiphers)
    ),
    check!(
        "4.2.13",
        M,
        "KF-NODE-213",
        "kubelet-pod-pids-limit",
        Low,
        "Pods may start unlimited processes",
        "Set podPidsLimit (or --pod-max-pids) to a bound such as 4096",
        Custom(Custom::KubeletPodPids)
    ),
    check!(
        "4.2.14",
        M,
        "KF-NODE-214",
        "kubelet-seccomp-default",
        Medium,
        "Containers without a seccomp profile run unconfined",
        "Set seccompDefault: true (or --seccomp-default)",
        Custom(Custom::KubeletSeccompDefault)
    ),
    // 4.3 kube-proxy
    check!(
        "4.3.1",
        A,
        "KF-NODE-301",
        "proxy-metrics-localhost",
        Medium,
        "kube-proxy metrics are served beyond localhost",
        "Set metricsBindAddress (or --metrics-bind-address) to 127.0.0.1:10249",
        Custom(Custom::ProxyMetricsBind)
    ),
];

/// Checks kubefort adds to the benchmark (reported outside CIS sections).
pub static EXTRA: &[Check] = &[Check {
    cis: "",
    automated: true,
    test: Test::Kubelet(&kubelet::PROTECT_KERNEL_DEFAULTS),
    meta: RuleMeta {
        id: "KF-NODE-901",
        name: "kubelet-protect-kernel-defaults-off",
        title: "Kubelet may change kernel settings",
        severity: Severity::Low,
        fix: "Set protectKernelDefaults: true (or --protect-kernel-defaults)",
        references: &["kubescape:C-0177"],
        doc: "",
    },
}];

/// Every check, CIS first.
pub fn all() -> impl Iterator<Item = &'static Check> {
    CHECKS.iter().chain(EXTRA.iter())
}
