//! Evaluates one check against what was read from the node.

use crate::catalog::{Absent, Check, Custom, Target, Test, KUBELET_CIPHERS};
use crate::flags::location;
use crate::host::{Host, Kind};
use kubefort_model::{Location, Node};
use kubefort_rules::controlplane::kubelet::{config_value, parse_bool, Setting};
use kubefort_rules::controlplane::{audit_policy, encryption};

/// What a check found, before CIS's scoring (FAIL vs WARN) is applied.
pub enum Outcome {
    Pass(String),
    /// What is wrong, and where each problem is.
    Fail(String, Vec<(Location, String)>),
    /// Not applicable here (the component or file is not on this node).
    Skip(String),
    Manual,
}

fn fail(detail: impl Into<String>, at: Location) -> Outcome {
    let detail = detail.into();
    Outcome::Fail(detail.clone(), vec![(at, detail)])
}

fn same(a: &str, b: &str) -> bool {
    match (parse_bool(a), parse_bool(b)) {
        (Some(x), Some(y)) => x == y,
        _ => a == b,
    }
}

pub fn evaluate(check: &Check, host: &Host) -> Outcome {
    match &check.test {
        Test::Manual => Outcome::Manual,
        Test::Mode(target, mask) => files(host, *target, |path| {
            let stat = host.stat(path)?;
            let extra = stat.mode & 0o777 & !mask;
            (extra != 0).then(|| format!("{path} has mode {:o}, more permissive than {mask:o}", stat.mode & 0o777))
        }),
        Test::Owner(target, owner) => {
            let (user, group) = owner.split_once(':').unwrap_or((owner, owner));
            let (uid, gid) = (host.uid(user), host.gid(group));
            files(host, *target, |path| {
                let stat = host.stat(path)?;
                (Some(stat.uid) != uid || Some(stat.gid) != gid).then(|| {
                    let missing = if uid.is_none() { format!(" (no user {user} on this node)") } else { String::new() };
                    format!(
                        "{path} is owned by {}:{}, not {owner}{missing}",
                        host.user_name(stat.uid),
                        host.group_name(stat.gid)
                    )
                })
            })
        }
        test => {
            let kind = match test {
                Test::Set(k, _) | Test::Unset(k, _) | Test::Eq(k, ..) | Test::Has(k, ..) | Test::NotHas(k, ..) => *k,
                Test::Gte(k, ..) | Test::Ciphers(k, _) => *k,
                Test::Kubelet(_) => Kind::Kubelet,
                Test::Custom(c) => match c {
                    Custom::EncryptionProviders | Custom::AuditPolicyFile | Custom::AuditPolicyCoverage => {
                        Kind::ApiServer
                    }
                    Custom::EtcdUniqueCa => Kind::Etcd,
                    Custom::ProxyMetricsBind => Kind::Proxy,
                    _ => Kind::Kubelet,
                },
                _ => unreachable!("mode, owner and manual handled above"),
            };
            if host.component(kind).is_none() {
                return Outcome::Skip(format!("no {} on this node", kind.binary()));
            }
            flag_test(test, kind, host)
        }
    }
}

fn flag_test(test: &Test, kind: Kind, host: &Host) -> Outcome {
    let Some(component) = host.component(kind) else { return Outcome::Skip(String::new()) };
    let flags = &component.flags;
    let anchor = component.anchor.clone();
    match test {
        Test::Set(_, names) => {
            let missing: Vec<String> =
                names.iter().filter(|n| flags.value(n).is_none_or(str::is_empty)).map(|n| format!("--{n}")).collect();
            if missing.is_empty() {
                Outcome::Pass(
                    names
                        .iter()
                        .map(|n| format!("--{n}={}", flags.value(n).unwrap_or("")))
                        .collect::<Vec<_>>()
                        .join(" "),
                )
            } else {
                fail(
                    format!("{} {} not set", missing.join(" and "), if missing.len() == 1 { "is" } else { "are" }),
                    anchor,
                )
            }
        }
        Test::Unset(_, name) => match flags.get(name) {
            Some(f) => fail(format!("--{name}={} is set", f.value), f.at.clone()),
            None => Outcome::Pass(format!("--{name} is not set")),
        },
        Test::Eq(_, name, want, absent) => match (flags.get(name), absent) {
            (Some(f), _) if same(&f.value, want) => Outcome::Pass(format!("--{name}={}", f.value)),
            (Some(f), _) => fail(format!("--{name}={}, expected {want}", f.value), f.at.clone()),
            (None, Absent::Pass) => Outcome::Pass(format!("--{name} not set (the default is safe)")),
            (None, Absent::Fail) => fail(format!("--{name} is not set (it must be {want})"), anchor),
        },
        Test::Has(_, name, item) => {
            let items = flags.list(name);
            if items.iter().any(|(i, _)| i == item) {
                Outcome::Pass(format!("--{name} includes {item}"))
            } else {
                let at = flags.get(name).map_or(anchor, |f| f.at.clone());
                fail(format!("--{name} does not include {item}"), at)
            }
        }
        Test::NotHas(_, name, item) => match flags.list(name).into_iter().find(|(i, _)| i == item) {
            Some((_, f)) => fail(format!("--{name} includes {item}"), f.at.clone()),
            None => Outcome::Pass(format!("--{name} does not include {item}")),
        },
        Test::Gte(_, name, min) => match flags.get(name) {
            Some(f) if f.value.trim().parse::<i64>().is_ok_and(|v| v >= *min) => {
                Outcome::Pass(format!("--{name}={}", f.value))
            }
            Some(f) => fail(format!("--{name}={}, expected {min} or more", f.value), f.at.clone()),
            None => fail(format!("--{name} is not set (expected {min} or more)"), anchor),
        },
        Test::Ciphers(_, allowed) => ciphers(
            flags.list("tls-cipher-suites").into_iter().map(|(c, f)| (c, f.at.clone())).collect(),
            allowed,
            anchor,
            "--tls-cipher-suites",
        ),
        Test::Kubelet(setting) => {
            let (value, at, source) = kubelet_value(host, setting);
            match (setting.problem)(&value) {
                Some(problem) => fail(format!("{problem} ({source})"), at),
                None => Outcome::Pass(format!("{} = {value} ({source})", setting.flag)),
            }
        }
        Test::Custom(custom) => custom_test(*custom, host, anchor),
        Test::Mode(..) | Test::Owner(..) | Test::Manual => Outcome::Manual,
    }
}

fn ciphers(items: Vec<(String, Location)>, allowed: &[&str], anchor: Location, what: &str) -> Outcome {
    if items.is_empty() {
        return fail(format!("{what} is not set: Go's defaults include CBC and RSA key-exchange suites"), anchor);
    }
    let weak: Vec<(Location, String)> = items
        .iter()
        .filter(|(c, _)| !allowed.contains(&c.as_str()))
        .map(|(c, at)| (at.clone(), format!("weak cipher suite {c}")))
        .collect();
    if weak.is_empty() {
        Outcome::Pass(format!("{} strong suites", items.len()))
    } else {
        Outcome::Fail(format!("{} weak cipher suite(s)", weak.len()), weak)
    }
}

/// A kubelet setting as the kubelet resolves it: flag, else config file
/// field, else the default of the mode it runs in.
fn kubelet_value(host: &Host, setting: &Setting) -> (String, Location, &'static str) {
    let component = host.component(Kind::Kubelet);
    if let Some(f) = component.and_then(|c| c.flags.get(setting.flag)) {
        return (f.value.clone(), f.at.clone(), "flag");
    }
    if let Some(config) = &host.kubelet_config {
        let (value, set) = config_value(&config.root, setting);
        return (value, config.location_of(setting.pointer), if set { "config file" } else { "config file default" });
    }
    let anchor = component.map(|c| c.anchor.clone()).unwrap_or_else(|| location(&host.display("/"), 1, 1));
    if host.kubelet_config_path.is_some() {
        return (setting.config_default.to_owned(), anchor, "config file default");
    }
    (setting.flag_default.to_owned(), anchor, "flag default, no config file")
}

/// A kubelet setting with no default: the flag, else the config field.
fn kubelet_field(host: &Host, flag: &str, pointer: &str) -> Option<(Node, Location)> {
    if let Some(f) = host.component(Kind::Kubelet).and_then(|c| c.flags.get(flag)) {
        return Some((
            Node::new(kubefort_model::Value::String(f.value.as_str().into()), Default::default()),
            f.at.clone(),
        ));
    }
    let config = host.kubelet_config.as_ref()?;
    config.root.pointer(pointer).map(|n| (n.clone(), config.location_of(pointer)))
}

fn kubelet_anchor(host: &Host, pointer: &str, anchor: Location) -> Location {
    host.kubelet_config.as_ref().map_or(anchor, |c| c.location_of(pointer))
}

fn custom_test(custom: Custom, host: &Host, anchor: Location) -> Outcome {
    let text = |n: &Node| n.scalar_text().unwrap_or_default();
    match custom {
        Custom::EncryptionProviders | Custom::AuditPolicyFile | Custom::AuditPolicyCoverage => {
            let flag =
                if custom == Custom::EncryptionProviders { "encryption-provider-config" } else { "audit-policy-file" };
            let api = host.component(Kind::ApiServer).map(|c| &c.flags);
            let Some(f) = api.and_then(|f| f.get(flag)) else {
                return fail(format!("--{flag} is not set"), anchor);
            };
            let objects: Vec<_> = host.config_objects.iter().filter(|(fl, _)| fl == flag).map(|(_, o)| o).collect();
            let wanted = |o: &&kubefort_model::Object| {
                if flag == "audit-policy-file" {
                    audit_policy::is_audit_policy(o)
                } else {
                    encryption::is_encryption_config(o)
                }
            };
            let Some(object) = objects.into_iter().find(wanted) else {
                return fail(
                    format!("--{flag}={} names no readable configuration of the expected kind", f.value),
                    f.at.clone(),
                );
            };
            let problems: Vec<(Location, String)> = match custom {
                Custom::EncryptionProviders => encryption::analyze(&object.root)
                    .into_iter()
                    .filter(|i| i.kind == encryption::IssueKind::SecretsPlaintext)
                    .map(|i| (object.location_of(&i.pointer), i.message))
                    .collect(),
                Custom::AuditPolicyFile => audit_policy::analyze(&object.root)
                    .into_iter()
                    .filter(|i| i.kind == audit_policy::IssueKind::NoRules)
                    .map(|i| (object.location_of(&i.pointer), i.message))
                    .collect(),
                _ => audit_policy::analyze(&object.root)
                    .into_iter()
                    .filter(|i| i.kind != audit_policy::IssueKind::RequestReceivedKept)
                    .map(|i| (object.location_of(&i.pointer), i.message))
                    .collect(),
            };
            if problems.is_empty() {
                Outcome::Pass(format!("{} checked", object.source.file))
            } else {
                Outcome::Fail(problems.iter().map(|(_, m)| m.as_str()).collect::<Vec<_>>().join("; "), problems)
            }
        }
        Custom::EtcdUniqueCa => {
            let etcd = host.component(Kind::Etcd).map(|c| &c.flags);
            let Some(ca) = etcd.and_then(|f| f.get("trusted-ca-file")) else {
                return fail("--trusted-ca-file is not set", anchor);
            };
            // The cluster CA, wherever a component names it.
            let cluster_ca = [
                (Kind::ApiServer, "client-ca-file"),
                (Kind::ControllerManager, "client-ca-file"),
                (Kind::ControllerManager, "cluster-signing-cert-file"),
                (Kind::Kubelet, "client-ca-file"),
            ]
            .into_iter()
            .find(|(k, f)| host.component(*k).and_then(|c| c.flags.value(f)) == Some(ca.value.as_str()));
            if let Some((kind, flag)) = cluster_ca {
                fail(
                    format!("--trusted-ca-file={} is also {}'s --{flag}: every holder of a cluster certificate can reach etcd", ca.value, kind.binary()),
                    ca.at.clone(),
                )
            } else {
                Outcome::Pass(format!("--trusted-ca-file={}", ca.value))
            }
        }
        Custom::KubeletClientCa => match kubelet_field(host, "client-ca-file", "/authentication/x509/clientCAFile") {
            Some((n, _)) if !text(&n).is_empty() => Outcome::Pass(format!("client CA {}", text(&n))),
            _ => fail(
                "no client CA file: client certificates are not authenticated",
                kubelet_anchor(host, "/authentication/x509/clientCAFile", anchor),
            ),
        },
        Custom::KubeletTlsFiles => {
            let cert = kubelet_field(host, "tls-cert-file", "/tlsCertFile");
            let key = kubelet_field(host, "tls-private-key-file", "/tlsPrivateKeyFile");
            let bootstrap = kubelet_field(host, "rotate-server-certificates", "/serverTLSBootstrap")
                .is_some_and(|(n, _)| parse_bool(&text(&n)) == Some(true));
            if bootstrap {
                Outcome::Pass("serving certificate requested from the cluster (serverTLSBootstrap)".into())
            } else if cert.is_some() && key.is_some() {
                Outcome::Pass("tlsCertFile and tlsPrivateKeyFile set".into())
            } else {
                fail(
                    "no serving certificate: the kubelet generates a self-signed one",
                    kubelet_anchor(host, "/tlsCertFile", anchor),
                )
            }
        }
        Custom::KubeletServerRotation => {
            let gates = host.component(Kind::Kubelet).map(|c| c.flags.list("feature-gates")).unwrap_or_default();
            if let Some((_, f)) =
                gates.iter().find(|(g, _)| g.replace(' ', "") == "RotateKubeletServerCertificate=false")
            {
                return fail("--feature-gates turns RotateKubeletServerCertificate off", f.at.clone());
            }
            match kubelet_field(host, "-", "/featureGates/RotateKubeletServerCertificate") {
                Some((n, at)) if parse_bool(&text(&n)) == Some(false) => {
                    fail("featureGates turns RotateKubeletServerCertificate off", at)
                }
                _ => Outcome::Pass("RotateKubeletServerCertificate not turned off".into()),
            }
        }
        Custom::KubeletEventQps => match kubelet_field(host, "event-qps", "/eventRecordQPS") {
            Some((n, at)) if text(&n).parse::<f64>().is_ok_and(|v| v < 0.0) => {
                fail(format!("eventRecordQPS is {}", text(&n)), at)
            }
            Some((n, _)) => Outcome::Pass(format!("eventRecordQPS {}", text(&n))),
            None => Outcome::Pass("eventRecordQPS default (50)".into()),
        },
        Custom::KubeletPodPids => match kubelet_field(host, "pod-max-pids", "/podPidsLimit") {
            Some((n, _)) if text(&n).parse::<i64>().is_ok_and(|v| v > 0) => {
                Outcome::Pass(format!("podPidsLimit {}", text(&n)))
            }
            Some((n, at)) => fail(format!("podPidsLimit is {} (unlimited)", text(&n)), at),
            None => fail("podPidsLimit is not set (unlimited)", kubelet_anchor(host, "/podPidsLimit", anchor)),
        },
        Custom::KubeletSeccompDefault => match kubelet_field(host, "seccomp-default", "/seccompDefault") {
            Some((n, _)) if parse_bool(&text(&n)) == Some(true) => Outcome::Pass("seccompDefault true".into()),
            Some((n, at)) => fail(format!("seccompDefault is {}", text(&n)), at),
            None => fail(
                "seccompDefault is not set (containers default to Unconfined)",
                kubelet_anchor(host, "/seccompDefault", anchor),
            ),
        },
        Custom::KubeletCiphers => {
            let flag = host.component(Kind::Kubelet).map(|c| c.flags.list("tls-cipher-suites")).unwrap_or_default();
            let items: Vec<(String, Location)> = if !flag.is_empty() {
                flag.into_iter().map(|(c, f)| (c, f.at.clone())).collect()
            } else if let Some(config) = &host.kubelet_config {
                let list = config.root.get("tlsCipherSuites").map(Node::as_seq).unwrap_or(&[]);
                (0..list.len())
                    .filter_map(|i| {
                        Some((list[i].as_str()?.to_owned(), config.location_of(&format!("/tlsCipherSuites/{i}"))))
                    })
                    .collect()
            } else {
                Vec::new()
            };
            ciphers(items, KUBELET_CIPHERS, kubelet_anchor(host, "/tlsCipherSuites", anchor), "tlsCipherSuites")
        }
        Custom::ProxyMetricsBind => {
            let flags = host.component(Kind::Proxy).map(|c| &c.flags);
            match flags.and_then(|f| f.get("metrics-bind-address")) {
                Some(f) if ["127.0.0.1", "localhost", "[::1]"].iter().any(|l| f.value.starts_with(l)) => {
                    Outcome::Pass(format!("--metrics-bind-address={}", f.value))
                }
                Some(f) => {
                    fail(format!("--metrics-bind-address={} serves metrics beyond localhost", f.value), f.at.clone())
                }
                None => Outcome::Pass("metrics bound to the default 127.0.0.1:10249".into()),
            }
        }
    }
}

/// The node paths a file check covers (only those that exist).
fn target_files(host: &Host, target: Target) -> Vec<String> {
    let flag = |kind: Kind, name: &str| host.component(kind).and_then(|c| c.flags.value(name)).map(str::to_owned);
    let exists = |p: &String| host.path(p).exists();
    let one = |p: String| vec![p].into_iter().filter(exists).collect::<Vec<_>>();
    match target {
        Target::Manifest(kind) => one(format!("/etc/kubernetes/manifests/{}.yaml", kind.binary())),
        Target::EtcdDataDir => one(flag(Kind::Etcd, "data-dir").unwrap_or_else(|| "/var/lib/etcd".into())),
        Target::AdminConf => ["/etc/kubernetes/admin.conf", "/etc/kubernetes/super-admin.conf"]
            .iter()
            .map(|p| p.to_string())
            .filter(exists)
            .collect(),
        Target::SchedulerConf => {
            one(flag(Kind::Scheduler, "kubeconfig").unwrap_or_else(|| "/etc/kubernetes/scheduler.conf".into()))
        }
        Target::ControllerManagerConf => one(flag(Kind::ControllerManager, "kubeconfig")
            .unwrap_or_else(|| "/etc/kubernetes/controller-manager.conf".into())),
        Target::Pki => {
            let mut all = one("/etc/kubernetes/pki".into());
            if !all.is_empty() {
                all.extend(host.files_in("/etc/kubernetes/pki", true));
            }
            all
        }
        Target::PkiCrt => {
            host.files_in("/etc/kubernetes/pki", true).into_iter().filter(|f| f.ends_with(".crt")).collect()
        }
        Target::PkiKey => {
            host.files_in("/etc/kubernetes/pki", true).into_iter().filter(|f| f.ends_with(".key")).collect()
        }
        Target::Cni => {
            let dir = flag(Kind::Kubelet, "cni-conf-dir").unwrap_or_else(|| "/etc/cni/net.d".into());
            let mut all = host.files_in(&dir, false);
            all.extend(host.files_in("/var/lib/cni/networks", true));
            all
        }
        Target::KubeletService => {
            let mut all = Vec::new();
            for dir in ["/lib/systemd/system", "/usr/lib/systemd/system", "/etc/systemd/system"] {
                all.extend(one(format!("{dir}/kubelet.service")));
                all.extend(
                    host.files_in(&format!("{dir}/kubelet.service.d"), false)
                        .into_iter()
                        .filter(|f| f.ends_with(".conf")),
                );
            }
            all
        }
        Target::ProxyKubeconfig => flag(Kind::Proxy, "kubeconfig").map(one).unwrap_or_default(),
        Target::KubeletKubeconfig => {
            one(flag(Kind::Kubelet, "kubeconfig").unwrap_or_else(|| "/etc/kubernetes/kubelet.conf".into()))
        }
        Target::KubeletClientCa => {
            let from_config = kubelet_field(host, "client-ca-file", "/authentication/x509/clientCAFile")
                .and_then(|(n, _)| n.scalar_text());
            one(from_config.unwrap_or_else(|| "/etc/kubernetes/pki/ca.crt".into()))
        }
        Target::KubeletConfig => host.kubelet_config_path.clone().map(one).unwrap_or_default(),
    }
}

/// Runs `problem` on every file of the target.
fn files(host: &Host, target: Target, problem: impl Fn(&str) -> Option<String>) -> Outcome {
    let paths = target_files(host, target);
    if paths.is_empty() {
        return if target == Target::KubeletService {
            Outcome::Pass("no kubelet service file".into())
        } else {
            Outcome::Skip("no such file on this node".into())
        };
    }
    let problems: Vec<(Location, String)> =
        paths.iter().filter_map(|p| problem(p).map(|m| (location(&host.display(p), 1, 1), m))).collect();
    if problems.is_empty() {
        let shown: Vec<&str> = paths.iter().take(3).map(String::as_str).collect();
        let more = if paths.len() > 3 { format!(" and {} more", paths.len() - 3) } else { String::new() };
        Outcome::Pass(format!("{}{more}: ok", shown.join(", ")))
    } else {
        let detail = if problems.len() == 1 {
            problems[0].1.clone()
        } else {
            format!("{} of {} files", problems.len(), paths.len())
        };
        Outcome::Fail(detail, problems)
    }
}
