//! The documentation of every node check (`kubefort explain KF-CP-201`,
//! `kubefort rules`, `docs/rules.md`), generated from its catalog entry: what
//! it does comes from the [`Test`] the evaluator runs, so the text follows
//! the code. The sections are those of the per-object rules' doc comments:
//! `What it does`, `Why is this bad?`, `Example`, `Use instead`, `References`.
//! The words are kubefort's own.

use crate::catalog::{self, Absent, Check, Custom, Target, Test};
use crate::host::Kind;
use kubefort_model::RuleMeta;
use kubefort_rules::controlplane::kubelet::Setting;
use std::fmt::Write;
use std::sync::OnceLock;

/// Every check's metadata with its documentation, in catalog order.
pub fn rules() -> &'static [RuleMeta] {
    static RULES: OnceLock<Vec<RuleMeta>> = OnceLock::new();
    RULES.get_or_init(|| {
        catalog::all()
            .map(|c| RuleMeta {
                // Built once per process: the text lives as long as the catalog.
                // A space before each line, as in a doc comment (which
                // `RuleMeta::documentation` strips).
                doc: documentation(c).lines().map(|l| format!(" {l}\n")).collect::<String>().leak(),
                ..c.meta
            })
            .collect()
    })
}

/// The Markdown documentation of one check.
pub fn documentation(check: &Check) -> String {
    let mut doc = String::new();
    let _ = write!(doc, "## What it does\n\n{}\n\n{}", what(check), scoring(check));
    let _ = write!(doc, "\n\n## Why is this bad?\n\n{}. {}", check.meta.title, why(check));
    let (example, instead) = example(check);
    let _ = write!(doc, "\n\n## Example\n\n{example}\n\n## Use instead\n\n{instead}\n\n## References\n\n");
    if !check.cis.is_empty() {
        let _ = writeln!(doc, "- CIS Kubernetes Benchmark v1.12, control {}", check.cis);
    }
    for r in check.meta.references.iter().filter(|r| !r.starts_with("cis-")) {
        let _ = writeln!(doc, "- `{r}`");
    }
    let _ = write!(doc, "- {}", reference(check));
    doc
}

/// How a result is scored.
fn scoring(check: &Check) -> String {
    let kind = if check.cis.is_empty() {
        "Not a CIS control: a check kubefort adds. Automated".to_owned()
    } else {
        format!(
            "CIS Kubernetes Benchmark 1.12 control {}, {}",
            check.cis,
            if check.automated { "Automated" } else { "Manual" }
        )
    };
    let outcome = if matches!(check.test, Test::Manual) {
        "kubefort cannot decide it from the node's files and always reports MANUAL"
    } else if check.automated {
        "a failure is FAIL and makes `kubefort node` exit 1"
    } else {
        "kubefort tests what it can and reports a failure as WARN, for review (the exit status is unchanged)"
    };
    let skip = match &check.test {
        Test::Manual => "",
        Test::Mode(Target::KubeletService, _) | Test::Owner(Target::KubeletService, _) => {
            " A node without kubelet service files passes."
        }
        Test::Mode(..) | Test::Owner(..) => " SKIP when the file is not on this node.",
        _ => " SKIP when the component is not on this node.",
    };
    format!("{kind}: {outcome}.{skip}")
}

fn bin(kind: Kind) -> &'static str {
    kind.binary()
}

fn flags_of(kind: Kind) -> String {
    format!(
        "Reads the flags of `{}` wherever kubefort finds it (its static pod manifest, systemd unit and environment \
         files, or a running process's command line under `/proc`)",
        bin(kind)
    )
}

fn list(flags: &[&str]) -> String {
    flags.iter().map(|f| format!("`--{f}`")).collect::<Vec<_>>().join(" and ")
}

/// The kubelet's config file field a pointer names (`authentication.anonymous.enabled`).
fn field(pointer: &str) -> String {
    pointer.trim_start_matches('/').replace('/', ".")
}

fn what(check: &Check) -> String {
    match &check.test {
        Test::Mode(target, mask) => format!(
            "Reads the mode of {} and fails when any permission bit beyond {mask:o} (`{}`) is set.",
            target_text(*target),
            rwx(*mask)
        ),
        Test::Owner(target, owner) => format!(
            "Reads the owner of {} and fails unless it is `{owner}`, looking the names up in the node's \
             `/etc/passwd` and `/etc/group`.",
            target_text(*target)
        ),
        Test::Set(kind, flags) => format!(
            "{} and fails unless {} {} set to a non-empty value.",
            flags_of(*kind),
            list(flags),
            if flags.len() == 1 { "is" } else { "are" }
        ),
        Test::Unset(kind, flag) => format!("{} and fails when `--{flag}` is set.", flags_of(*kind)),
        Test::Eq(kind, flag, want, absent) => format!(
            "{} and fails unless `--{flag}` is `{want}`; without the flag the check {}.",
            flags_of(*kind),
            match absent {
                Absent::Pass => "passes (the default is safe)",
                Absent::Fail => "fails (the default is not safe)",
            }
        ),
        Test::Has(kind, flag, item) => {
            format!("{} and fails unless the list `--{flag}` includes `{item}`.", flags_of(*kind))
        }
        Test::NotHas(kind, flag, item) => format!(
            "{} and fails when the list `--{flag}` includes `{item}` (without the flag the check passes).",
            flags_of(*kind)
        ),
        Test::Gte(kind, flag, min) => {
            format!(
                "{} and fails unless `--{flag}` is a number of at least {min} (without the flag it fails).",
                flags_of(*kind)
            )
        }
        Test::Ciphers(kind, allowed) => format!(
            "{} and fails unless `--tls-cipher-suites` is set and lists only these suites: {}.",
            flags_of(*kind),
            allowed.iter().map(|c| format!("`{c}`")).collect::<Vec<_>>().join(", ")
        ),
        Test::Kubelet(setting) => format!(
            "Resolves the kubelet's `{}` as the kubelet does: the `--{}` flag, else the field `{}` of its \
             KubeletConfiguration file (`--config`), else the default (`{}` with a config file, `{}` without \
             one), and fails when the value is unsafe{}.",
            setting.flag,
            setting.flag,
            field(setting.pointer),
            setting.config_default,
            setting.flag_default,
            bad_value(setting).map(|v| format!(" (such as `{v}`)")).unwrap_or_default()
        ),
        Test::Custom(custom) => custom_text(*custom).what.to_owned(),
        Test::Manual => "Nothing: no file on the node answers this question. The check is listed so the CIS report \
                         is complete and a person reviews it."
            .to_owned(),
    }
}

/// A value the setting's check rejects, from its defaults or common values.
fn bad_value(setting: &Setting) -> Option<&'static str> {
    [setting.flag_default, setting.config_default, "0", "false", "true"]
        .into_iter()
        .find(|v| (setting.problem)(v).is_some())
}

/// A value the setting's check accepts.
fn good_value(setting: &Setting) -> Option<&'static str> {
    [setting.config_default, setting.flag_default, "true", "false", "0", "Webhook", "5m"]
        .into_iter()
        .find(|v| (setting.problem)(v).is_none())
}

fn rwx(mode: u32) -> String {
    (0..9).map(|i| if mode & (0o400 >> i) != 0 { ['r', 'w', 'x'][i % 3] } else { '-' }).collect()
}

fn target_text(target: Target) -> String {
    match target {
        Target::Manifest(kind) => format!("`/etc/kubernetes/manifests/{}.yaml`", kind.binary()),
        Target::EtcdDataDir => "etcd's data directory (`--data-dir`, default `/var/lib/etcd`)".into(),
        Target::AdminConf => "`/etc/kubernetes/admin.conf` and `/etc/kubernetes/super-admin.conf`".into(),
        Target::SchedulerConf => {
            "the scheduler's kubeconfig (its `--kubeconfig`, default `/etc/kubernetes/scheduler.conf`)".into()
        }
        Target::ControllerManagerConf => "the controller manager's kubeconfig (its `--kubeconfig`, default \
                                          `/etc/kubernetes/controller-manager.conf`)"
            .into(),
        Target::Pki => "`/etc/kubernetes/pki` and every file under it".into(),
        Target::PkiCrt => "every `*.crt` file under `/etc/kubernetes/pki`".into(),
        Target::PkiKey => "every `*.key` file under `/etc/kubernetes/pki`".into(),
        Target::Cni => "the files of the CNI configuration directory (the kubelet's `--cni-conf-dir`, default \
                        `/etc/cni/net.d`) and of `/var/lib/cni/networks`"
            .into(),
        Target::KubeletService => "`kubelet.service` and its `kubelet.service.d/*.conf` drop-ins under \
                                   `/lib/systemd/system`, `/usr/lib/systemd/system` and `/etc/systemd/system`"
            .into(),
        Target::ProxyKubeconfig => "kube-proxy's `--kubeconfig` file".into(),
        Target::KubeletKubeconfig => {
            "the kubelet's kubeconfig (its `--kubeconfig`, default `/etc/kubernetes/kubelet.conf`)".into()
        }
        Target::KubeletClientCa => "the kubelet's client CA file (`--client-ca-file` or \
                                    `authentication.x509.clientCAFile`, default `/etc/kubernetes/pki/ca.crt`)"
            .into(),
        Target::KubeletConfig => "the kubelet's config file (its `--config`)".into(),
    }
}

/// What the files hold, for the rationale.
fn contents(target: Target) -> &'static str {
    match target {
        Target::Manifest(_) => {
            "the static pod definition the kubelet starts the component from: its flags, image and mounts"
        }
        Target::EtcdDataDir => "every object of the cluster, Secrets included",
        Target::AdminConf => "credentials with full control of the cluster",
        Target::SchedulerConf | Target::ControllerManagerConf | Target::ProxyKubeconfig | Target::KubeletKubeconfig => {
            "the credentials the component uses to talk to the API server"
        }
        Target::Pki | Target::PkiKey => "the cluster's certificate authorities and the components' private keys",
        Target::PkiCrt => "the certificates components present and trust",
        Target::Cni => "the pod network configuration",
        Target::KubeletService => "how systemd starts the kubelet, its flags included",
        Target::KubeletClientCa => "the CA the kubelet trusts to authenticate its clients",
        Target::KubeletConfig => "the kubelet's security settings (authentication, authorization, TLS)",
    }
}

fn why(check: &Check) -> String {
    match &check.test {
        Test::Mode(target, mask) if mask & 0o077 == 0 => format!(
            "These files hold {}. Any permission for group or others lets another local account, or a process \
             that escaped its container onto the host, read them or change them.",
            contents(*target)
        ),
        Test::Mode(target, _) => format!(
            "These files hold {}. Write permission for group or others lets another local account replace them \
             and so decide what the node trusts.",
            contents(*target)
        ),
        Test::Owner(target, owner) => format!(
            "These files hold {}. The owner of a file can change its mode and content whatever the mode says, so \
             they must belong to `{owner}` and to no other account.",
            contents(*target)
        ),
        Test::Set(_, flags) => flag_why(flags[0], ""),
        Test::Unset(_, flag) | Test::Eq(_, flag, ..) | Test::Gte(_, flag, _) => flag_why(flag, ""),
        Test::Has(_, flag, item) | Test::NotHas(_, flag, item) => flag_why(flag, item),
        Test::Ciphers(..) => flag_why("tls-cipher-suites", ""),
        Test::Kubelet(setting) => bad_value(setting)
            .and_then(|v| (setting.problem)(v))
            .map(|p| format!("With `{}` set to `{}`, {p}.", setting.flag, bad_value(setting).unwrap_or_default()))
            .unwrap_or_default(),
        Test::Custom(custom) => custom_text(*custom).why.to_owned(),
        Test::Manual => manual_text(check.cis).0.to_owned(),
    }
}

/// Why a flag matters (the item for list flags).
fn flag_why(flag: &str, item: &str) -> String {
    let text = match (flag, item) {
        ("anonymous-auth", _) => {
            "Anonymous requests reach the API server as `system:anonymous`: every permission \
            granted to that user or to `system:unauthenticated` is open to anyone who can reach the port."
        }
        ("token-auth-file", _) => {
            "Static tokens sit in a plain file, never expire, and change only when the API \
            server restarts: a leaked token stays valid."
        }
        (_, "DenyServiceExternalIPs") => {
            "Without it, anyone allowed to create a Service can set `externalIPs` and \
            intercept traffic meant for those addresses (CVE-2020-8554)."
        }
        (_, "EventRateLimit") => {
            "Without it, a client or a broken controller can flood the API server and etcd \
            with events."
        }
        (_, "AlwaysAdmit") => {
            "AlwaysAdmit accepts every request: it is deprecated and exists only to turn \
            admission control off."
        }
        (_, "AlwaysPullImages") => {
            "Without it, a pod can run a private image already pulled on its node without \
            the credentials to pull it."
        }
        (_, "ServiceAccount") => {
            "Without it, pods are not given a service account and the checks on the service \
            accounts and tokens they mount are gone."
        }
        (_, "NamespaceLifecycle") => {
            "Without it, objects can be created in namespaces that do not exist or are \
            being deleted, and the system namespaces can be deleted."
        }
        (_, "NodeRestriction") => {
            "Without it, a kubelet's credentials can modify any Node and any pod: one \
            compromised node leads to the others."
        }
        (_, "AlwaysAllow") => {
            "Every authenticated request is allowed: RBAC and every other authorizer are \
            bypassed."
        }
        (_, "Node") => {
            "The Node authorizer limits each kubelet to the Secrets, ConfigMaps and volumes of the pods \
            on its own node; without it a kubelet's credentials reach those of every node."
        }
        (_, "RBAC") => "Without the RBAC authorizer, Roles and RoleBindings have no effect.",
        ("profiling", _) => {
            "The `/debug/pprof` endpoints reveal the program's internals and let a caller spend its \
            CPU; they are for debugging, not for production."
        }
        ("audit-log-path", _) => "Without an audit log there is no record of who did what in the cluster.",
        ("audit-log-maxage" | "audit-log-maxbackup" | "audit-log-maxsize", _) => {
            "Short retention deletes the \
            record an incident investigation needs before anyone looks at it."
        }
        ("service-account-lookup", _) => {
            "Without the lookup, a token stays valid after its service account is \
            deleted, until it expires."
        }
        ("service-account-key-file", _) => {
            "Without it the API server verifies service-account tokens with its \
            serving key, so the two keys cannot be rotated separately."
        }
        ("service-account-private-key-file", _) => {
            "Without it the controller manager cannot sign service-account \
            tokens with a key the API server verifies."
        }
        ("kubelet-client-certificate", _) => {
            "Without it the API server calls kubelets (exec, logs, port-forward) \
            unauthenticated, so kubelets must accept unauthenticated requests."
        }
        ("kubelet-certificate-authority", _) => {
            "Without it the API server does not verify the kubelet it connects \
            to: a machine in the middle receives exec sessions and logs."
        }
        ("etcd-certfile", _) => {
            "Without it the API server cannot authenticate to etcd, so etcd must accept \
            clients without certificates."
        }
        ("etcd-cafile", _) => {
            "Without it the API server does not verify etcd's certificate and may write the \
            cluster's state to an impostor."
        }
        ("tls-cert-file", _) => {
            "Without it the API server serves with a self-signed certificate that clients \
            cannot verify."
        }
        ("client-ca-file", _) => {
            "Without it the API server authenticates no client certificate, and the \
            components that rely on them cannot authenticate safely."
        }
        ("encryption-provider-config", _) => {
            "Without it, Secrets are written to etcd, and to its backups, in \
            plaintext."
        }
        ("service-account-extend-token-expiration", _) => {
            "With it, projected tokens are valid for a year instead of \
            the lifetime requested (a transition aid), so a stolen token lasts much longer."
        }
        ("terminated-pod-gc-threshold", _) => {
            "Terminated pods are only collected past 12500 by default; until then \
            they pile up in etcd and slow the controllers."
        }
        ("use-service-account-credentials", _) => {
            "Without it every controller acts with the controller manager's \
            own broad identity instead of a service account with only the permissions it needs."
        }
        ("root-ca-file", _) => {
            "Without it, pods' service-account token volumes carry no CA with which to verify the \
            API server's certificate."
        }
        ("feature-gates", _) => {
            "Without serving certificate rotation, kubelet serving certificates expire or are \
            made long-lived."
        }
        ("bind-address", _) => {
            "Listening on every interface exposes the component's health, metrics and debug \
            endpoints to the network."
        }
        ("cert-file", _) => {
            "Without TLS every object, Secrets included, crosses the network between the API server \
            and etcd in clear."
        }
        ("client-cert-auth", _) => {
            "Without it anyone who reaches etcd's client port can read and write every \
            object of the cluster."
        }
        ("auto-tls" | "peer-auto-tls", _) => {
            "Self-signed certificates are verified by no one: they encrypt, but \
            authenticate nothing."
        }
        ("peer-cert-file", _) => {
            "Without TLS between members, replication traffic (every object, Secrets \
            included) crosses the network in clear."
        }
        ("peer-client-cert-auth", _) => {
            "Without it any machine that reaches the peer port can join or talk to the \
            etcd cluster as a member."
        }
        ("hostname-override", _) => {
            "A node name different from the host name breaks the TLS verification between \
            the API server and the kubelet."
        }
        ("tls-cipher-suites", _) => {
            "Go's default suites include CBC-mode suites and RSA key exchange without \
            forward secrecy."
        }
        _ => "",
    };
    text.to_owned()
}

/// Example and "use instead" text.
fn example(check: &Check) -> (String, String) {
    let block = |lang: &str, s: String| format!("```{lang}\n{s}\n```");
    match &check.test {
        Test::Mode(target, mask) => {
            let path = sample_path(*target);
            let bad = if mask & 0o077 == 0 { mask | 0o044 } else { mask | 0o022 };
            (
                block("console", format!("$ stat -c '%a %U:%G %n' {path}\n{bad:o} root:root {path}")),
                block(
                    "console",
                    format!("$ chmod {mask:o} {path}\n$ stat -c '%a %U:%G %n' {path}\n{mask:o} root:root {path}"),
                ),
            )
        }
        Test::Owner(target, owner) => {
            let path = sample_path(*target);
            let mode = match target {
                Target::EtcdDataDir => "700",
                Target::PkiCrt | Target::KubeletClientCa => "644",
                _ => "600",
            };
            let other = if *owner == "root:root" { "kube:kube" } else { "root:root" };
            (
                block("console", format!("$ stat -c '%a %U:%G %n' {path}\n{mode} {other} {path}")),
                block(
                    "console",
                    format!("$ chown {owner} {path}\n$ stat -c '%a %U:%G %n' {path}\n{mode} {owner} {path}"),
                ),
            )
        }
        Test::Set(kind, flags) => (
            format!("`{}` started without {}.", bin(*kind), list(flags)),
            block(
                "sh",
                format!("{} {}", bin(*kind), flags.iter().map(|f| format!("--{f}=...")).collect::<Vec<_>>().join(" ")),
            ),
        ),
        Test::Unset(kind, flag) => {
            (block("sh", format!("{} --{flag}=...", bin(*kind))), format!("`{}` without `--{flag}`.", bin(*kind)))
        }
        Test::Eq(kind, flag, want, absent) => {
            let other = match *want {
                "true" => "false",
                "false" => "true",
                "127.0.0.1" => "0.0.0.0",
                _ => "...",
            };
            let missing = if *absent == Absent::Fail {
                format!("\n\nor `{}` started without `--{flag}`.", bin(*kind))
            } else {
                String::new()
            };
            (
                format!("{}{missing}", block("sh", format!("{} --{flag}={other}", bin(*kind)))),
                block("sh", format!("{} --{flag}={want}", bin(*kind))),
            )
        }
        Test::Has(kind, flag, item) => {
            let others = match *item {
                "Node" => "RBAC",
                "RBAC" => "Node",
                "NodeRestriction" => "PodSecurity",
                _ => "NodeRestriction",
            };
            let good = if *flag == "authorization-mode" { "Node,RBAC".to_owned() } else { format!("{others},{item}") };
            (
                block("sh", format!("{} --{flag}={others}", bin(*kind))),
                block("sh", format!("{} --{flag}={good}", bin(*kind))),
            )
        }
        Test::NotHas(kind, flag, item) => {
            let good = match *flag {
                "authorization-mode" => format!("{} --{flag}=Node,RBAC", bin(*kind)),
                _ => bin(*kind).to_owned(),
            };
            (
                block("sh", format!("{} --{flag}={item}", bin(*kind))),
                format!("{}\n\n(`{item}` removed from `--{flag}`.)", block("sh", good)),
            )
        }
        Test::Gte(kind, flag, min) => (
            block("sh", format!("{} --{flag}={}", bin(*kind), min - 1)),
            block("sh", format!("{} --{flag}={min}", bin(*kind))),
        ),
        Test::Ciphers(kind, allowed) => (
            block(
                "sh",
                format!(
                    "{} --tls-cipher-suites=TLS_RSA_WITH_AES_128_CBC_SHA,TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
                    bin(*kind)
                ),
            ),
            block(
                "sh",
                format!(
                    "{} --tls-cipher-suites={}",
                    bin(*kind),
                    allowed
                        .iter()
                        .filter(|c| c.starts_with("TLS_ECDHE") && c.contains("AES_128_GCM"))
                        .copied()
                        .collect::<Vec<_>>()
                        .join(",")
                ),
            ),
        ),
        Test::Kubelet(setting) => {
            let config = |v: &str| block("yaml", kubelet_config(setting.pointer, v));
            let bad = bad_value(setting).unwrap_or("...");
            let good = good_value(setting).unwrap_or("...");
            (config(bad), format!("{}\n\nor the flag `--{}={good}`.", config(good), setting.flag))
        }
        Test::Custom(custom) => {
            let t = custom_text(*custom);
            (t.example.to_owned(), t.instead.to_owned())
        }
        Test::Manual => {
            let (_, example, instead) = manual_text(check.cis);
            (example.to_owned(), instead.to_owned())
        }
    }
}

/// A KubeletConfiguration setting the field at `pointer` to `value`.
fn kubelet_config(pointer: &str, value: &str) -> String {
    let mut out = "apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration".to_owned();
    let parts: Vec<&str> = pointer.trim_start_matches('/').split('/').collect();
    for (depth, part) in parts.iter().enumerate() {
        let indent = "  ".repeat(depth);
        if depth + 1 == parts.len() {
            let _ = write!(out, "\n{indent}{part}: {value}");
        } else {
            let _ = write!(out, "\n{indent}{part}:");
        }
    }
    out
}

fn sample_path(target: Target) -> String {
    match target {
        Target::Manifest(kind) => format!("/etc/kubernetes/manifests/{}.yaml", kind.binary()),
        Target::EtcdDataDir => "/var/lib/etcd".into(),
        Target::AdminConf => "/etc/kubernetes/admin.conf".into(),
        Target::SchedulerConf => "/etc/kubernetes/scheduler.conf".into(),
        Target::ControllerManagerConf => "/etc/kubernetes/controller-manager.conf".into(),
        Target::Pki | Target::PkiKey => "/etc/kubernetes/pki/ca.key".into(),
        Target::PkiCrt | Target::KubeletClientCa => "/etc/kubernetes/pki/ca.crt".into(),
        Target::Cni => "/etc/cni/net.d/10-calico.conflist".into(),
        Target::KubeletService => "/usr/lib/systemd/system/kubelet.service.d/10-kubeadm.conf".into(),
        Target::ProxyKubeconfig => "/var/lib/kube-proxy/kubeconfig.conf".into(),
        Target::KubeletKubeconfig => "/etc/kubernetes/kubelet.conf".into(),
        Target::KubeletConfig => "/var/lib/kubelet/config.yaml".into(),
    }
}

/// The component's reference page.
fn reference(check: &Check) -> String {
    let kind = match &check.test {
        Test::Set(k, _) | Test::Unset(k, _) | Test::Eq(k, ..) | Test::Has(k, ..) | Test::NotHas(k, ..) => Some(*k),
        Test::Gte(k, ..) | Test::Ciphers(k, _) => Some(*k),
        Test::Kubelet(_) => Some(Kind::Kubelet),
        Test::Custom(Custom::EncryptionProviders) => {
            return "https://kubernetes.io/docs/tasks/administer-cluster/encrypt-data/".into()
        }
        Test::Custom(Custom::AuditPolicyFile | Custom::AuditPolicyCoverage) => {
            return "https://kubernetes.io/docs/tasks/debug/debug-cluster/audit/".into()
        }
        Test::Custom(Custom::EtcdUniqueCa) => Some(Kind::Etcd),
        Test::Custom(Custom::ProxyMetricsBind) => Some(Kind::Proxy),
        Test::Custom(_) => Some(Kind::Kubelet),
        Test::Manual if check.cis == "1.2.20" => Some(Kind::ApiServer),
        Test::Manual => return "https://kubernetes.io/docs/reference/access-authn-authz/authentication/".into(),
        Test::Mode(..) | Test::Owner(..) => None,
    };
    match kind {
        Some(Kind::Etcd) => "https://etcd.io/docs/latest/op-guide/security/".into(),
        Some(Kind::Kubelet) => "https://kubernetes.io/docs/reference/config-api/kubelet-config.v1beta1/".into(),
        Some(k) => format!("https://kubernetes.io/docs/reference/command-line-tools-reference/{}/", k.binary()),
        None => "https://kubernetes.io/docs/setup/best-practices/certificates/".into(),
    }
}

struct Text {
    what: &'static str,
    why: &'static str,
    example: &'static str,
    instead: &'static str,
}

fn custom_text(custom: Custom) -> Text {
    match custom {
        Custom::EncryptionProviders => Text {
            what: "Reads the EncryptionConfiguration that the API server's `--encryption-provider-config` names \
                   and fails when Secrets would still be written in plaintext: no resource entry names `secrets` \
                   (or a wildcard), the entry that does has no provider, or its first provider is `identity`.",
            why: "The API server writes with the first provider of the first entry that names a resource; when that \
                  is `identity`, the configuration exists but encrypts nothing.",
            example: concat!(
                "```yaml\n",
                "apiVersion: apiserver.config.k8s.io/v1\n",
                "kind: EncryptionConfiguration\n",
                "resources:\n",
                "- resources: [secrets]\n",
                "  providers:\n",
                "  - identity: {}\n",
                "  - aescbc:\n",
                "      keys:\n",
                "      - name: key1\n",
                "        secret: ...\n",
                "```"
            ),
            instead: concat!(
                "```yaml\n",
                "apiVersion: apiserver.config.k8s.io/v1\n",
                "kind: EncryptionConfiguration\n",
                "resources:\n",
                "- resources: [secrets]\n",
                "  providers:\n",
                "  - kms:\n",
                "      apiVersion: v2\n",
                "      name: my-kms\n",
                "      endpoint: unix:///var/run/kms.sock\n",
                "  - identity: {}\n",
                "```"
            ),
        },
        Custom::AuditPolicyFile => Text {
            what: "Fails when the API server's `--audit-policy-file` is not set, names no readable audit Policy, or \
                   the Policy has no rules.",
            why: "Without a policy with rules the API server records no audit events, even when it has an audit \
                  log or webhook.",
            example: "```sh\nkube-apiserver --audit-log-path=/var/log/kubernetes/audit.log\n```\n\n(no \
                      `--audit-policy-file`)",
            instead: "```sh\nkube-apiserver --audit-log-path=/var/log/kubernetes/audit.log \
                      --audit-policy-file=/etc/kubernetes/audit-policy.yaml\n```",
        },
        Custom::AuditPolicyCoverage => Text {
            what: "Reads the audit Policy that `--audit-policy-file` names and fails when it has no rules, when a \
                   rule logs the bodies of Secrets, ConfigMaps or TokenReviews (level `Request` or \
                   `RequestResponse`), or when no final rule matches every request at a level other than `None`.",
            why: "Bodies logged at Request level put secret values and tokens in the audit log; requests no rule \
                  matches are not logged at all.",
            example: concat!(
                "```yaml\n",
                "apiVersion: audit.k8s.io/v1\n",
                "kind: Policy\n",
                "rules:\n",
                "- level: RequestResponse\n",
                "  resources:\n",
                "  - group: \"\"\n",
                "    resources: [secrets]\n",
                "```"
            ),
            instead: concat!(
                "```yaml\n",
                "apiVersion: audit.k8s.io/v1\n",
                "kind: Policy\n",
                "rules:\n",
                "- level: Metadata\n",
                "  resources:\n",
                "  - group: \"\"\n",
                "    resources: [secrets, configmaps]\n",
                "  - group: authentication.k8s.io\n",
                "    resources: [tokenreviews]\n",
                "- level: Request\n",
                "  resources:\n",
                "  - group: \"\"\n",
                "    resources: [pods/exec, pods/attach, pods/portforward]\n",
                "- level: Metadata\n",
                "```"
            ),
        },
        Custom::EtcdUniqueCa => Text {
            what: "Fails when etcd's `--trusted-ca-file` is not set, or names the same file as the API server's or \
                   the kubelet's `--client-ca-file` or the controller manager's `--cluster-signing-cert-file`.",
            why: "etcd then accepts every certificate the cluster CA signs, including every kubelet's and every \
                  user's: all of them can read and write the cluster's state directly.",
            example: "```sh\netcd --client-cert-auth=true --trusted-ca-file=/etc/kubernetes/pki/ca.crt\n```",
            instead: "```sh\netcd --client-cert-auth=true --trusted-ca-file=/etc/kubernetes/pki/etcd/ca.crt\n```",
        },
        Custom::KubeletClientCa => Text {
            what: "Fails unless the kubelet's `--client-ca-file` flag or the field \
                   `authentication.x509.clientCAFile` of its config file is set.",
            why: "Without a client CA the kubelet authenticates no client certificate, including the API server's.",
            example: "```yaml\napiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\n\
                      authentication:\n  x509: {}\n```",
            instead: "```yaml\napiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\n\
                      authentication:\n  x509:\n    clientCAFile: /etc/kubernetes/pki/ca.crt\n```",
        },
        Custom::KubeletTlsFiles => Text {
            what: "Passes when the kubelet requests its serving certificate from the cluster (`serverTLSBootstrap` \
                   or `--rotate-server-certificates`) or names both `tlsCertFile` and `tlsPrivateKeyFile` (or \
                   their flags); fails otherwise.",
            why: "Otherwise the kubelet generates a self-signed certificate that the API server and other clients \
                  cannot verify.",
            example: "```yaml\napiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\n\
                      authentication:\n  x509:\n    clientCAFile: /etc/kubernetes/pki/ca.crt\n```",
            instead: "```yaml\napiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\n\
                      serverTLSBootstrap: true\n```",
        },
        Custom::KubeletServerRotation => Text {
            what: "Fails when the kubelet's `--feature-gates` or the `featureGates` of its config file set \
                   `RotateKubeletServerCertificate` to false.",
            why: "Without rotation, the kubelet's serving certificate expires or is made long-lived.",
            example: "```yaml\napiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\n\
                      featureGates:\n  RotateKubeletServerCertificate: false\n```",
            instead: "```yaml\napiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\n\
                      serverTLSBootstrap: true\n```",
        },
        Custom::KubeletEventQps => Text {
            what: "Fails when the kubelet's `--event-qps` or the field `eventRecordQPS` of its config file is \
                   negative; unset passes (the default is 50).",
            why: "Events record what happens on the node; a limit that drops them hides activity from whoever \
                  investigates.",
            example: "```yaml\napiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\n\
                      eventRecordQPS: -1\n```",
            instead: "```yaml\napiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\n\
                      eventRecordQPS: 0\n```",
        },
        Custom::KubeletPodPids => Text {
            what: "Fails unless the kubelet's `--pod-max-pids` or the field `podPidsLimit` of its config file is a \
                   positive number.",
            why: "A pod with no process limit can fork until the node runs out of process ids, taking every other \
                  pod and the kubelet down with it.",
            example: "```yaml\napiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\n\
                      podPidsLimit: -1\n```",
            instead: "```yaml\napiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\n\
                      podPidsLimit: 4096\n```",
        },
        Custom::KubeletSeccompDefault => Text {
            what: "Fails unless the kubelet's `--seccomp-default` or the field `seccompDefault` of its config file \
                   is true.",
            why: "Without it, containers that name no seccomp profile run Unconfined: every system call, \
                  including those used in kernel exploits, is allowed.",
            example: "```yaml\napiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\n\
                      seccompDefault: false\n```",
            instead: "```yaml\napiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\n\
                      seccompDefault: true\n```",
        },
        Custom::KubeletCiphers => Text {
            what: "Reads the kubelet's `--tls-cipher-suites`, else the `tlsCipherSuites` of its config file, and \
                   fails unless it is set and lists only ECDHE suites with AES-GCM or ChaCha20-Poly1305.",
            why: "Go's default suites include CBC-mode suites and RSA key exchange without forward secrecy.",
            example: "```yaml\napiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\n\
                      tlsCipherSuites:\n- TLS_RSA_WITH_AES_128_CBC_SHA\n```",
            instead: "```yaml\napiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\n\
                      tlsCipherSuites:\n- TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256\n\
                      - TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256\n```",
        },
        Custom::ProxyMetricsBind => Text {
            what: "Fails when kube-proxy's `--metrics-bind-address` names an address other than `127.0.0.1`, \
                   `localhost` or `[::1]`; without the flag it passes (the default is `127.0.0.1:10249`).",
            why: "The metrics endpoint is unauthenticated: bound to every interface, it tells anyone on the \
                  network about the node's services and traffic.",
            example: "```sh\nkube-proxy --metrics-bind-address=0.0.0.0:10249\n```",
            instead: "```sh\nkube-proxy --metrics-bind-address=127.0.0.1:10249\n```",
        },
    }
}

/// Why, example and "use instead" of the checks only a person can do.
fn manual_text(cis: &str) -> (&'static str, &'static str, &'static str) {
    match cis {
        "1.2.20" => (
            "A timeout too short breaks large list and watch requests; one too long lets slow clients hold the API \
             server's connections.",
            "```sh\nkube-apiserver --request-timeout=0s\n```",
            "```sh\nkube-apiserver --request-timeout=60s\n```\n\n(the default; raise it only for a reason)",
        ),
        "3.1.1" => (
            "A client certificate cannot be revoked: it stays valid until it expires, and the groups in it cannot \
             be changed.",
            "A kubeconfig for a person with a client certificate signed by the cluster CA.",
            "People authenticate through OIDC or a webhook; client certificates are kept for components.",
        ),
        "3.1.2" => (
            "Service-account tokens are made for workloads: handed to people they are shared, long-lived and not \
             tied to anyone's identity.",
            "A kubeconfig for a person holding a service account's token.",
            "People authenticate through OIDC or a webhook; service accounts are kept for workloads.",
        ),
        "3.1.3" => (
            "Bootstrap tokens exist to let new nodes join: used by people, they grant whatever their group is \
             bound to, without an identity.",
            "A kubeconfig for a person holding a bootstrap token.",
            "People authenticate through OIDC or a webhook; bootstrap tokens are kept for joining nodes and \
             deleted once used.",
        ),
        _ => ("", "", ""),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_check_has_every_section() {
        assert_eq!(rules().len(), catalog::all().count());
        for m in rules() {
            for section in ["What it does", "Why is this bad?", "Example", "Use instead", "References"] {
                let text = m.section(section).unwrap_or_default();
                assert!(text.len() > 10, "{} lacks `## {section}`: {text:?}", m.id);
            }
            // The rationale is more than the title.
            let why = m.section("Why is this bad?").unwrap();
            assert!(why.len() > m.title.len() + 20, "{}: {why}", m.id);
        }
    }

    #[test]
    fn kubelet_examples_use_values_the_check_rejects_and_accepts() {
        for c in catalog::all() {
            if let Test::Kubelet(s) = &c.test {
                let (bad, good) = (bad_value(s).expect(c.meta.id), good_value(s).expect(c.meta.id));
                assert!((s.problem)(bad).is_some() && (s.problem)(good).is_none(), "{}", c.meta.id);
            }
        }
    }
}
