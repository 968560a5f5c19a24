//! What the input says about who runs where, for attack paths: workloads
//! and the service account each runs as, whether its token is mounted and
//! whether it can reach its node; service accounts; legacy token Secrets;
//! namespaces' Pod Security enforcement.

use crate::policy::DEFAULT_NAMESPACE;
use kubefort_model::{Location, Node, Object, PodSpecRef};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// A workload (Pod, Deployment, …, CronJob) as a source of pods.
#[derive(Debug, Clone, Serialize)]
pub struct Workload {
    pub kind: String,
    pub namespace: String,
    pub name: String,
    /// `serviceAccountName` (or `default`).
    pub service_account: String,
    /// Where `serviceAccountName` is written (or the pod spec when unset).
    pub location: Location,
    /// Whether a token of the service account is in the pod: automounted
    /// (unless the pod or the ServiceAccount says `false`) or projected.
    pub token_mounted: bool,
    /// Why a container of the pod can reach its node (privileged, hostPath
    /// `/`, a container runtime socket, …), with where.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub host_access: Option<(String, Location)>,
}

impl Workload {
    pub fn display(&self) -> String {
        format!("{} {}/{}", self.kind, self.namespace, self.name)
    }
}

/// A `kubernetes.io/service-account-token` Secret.
#[derive(Debug, Clone, Serialize)]
pub struct TokenSecret {
    pub namespace: String,
    pub name: String,
    pub service_account: String,
    pub location: Location,
}

#[derive(Debug, Clone, Default)]
pub struct Facts {
    pub workloads: Vec<Workload>,
    /// ServiceAccount objects: namespace → name → where.
    pub service_accounts: BTreeMap<String, BTreeMap<String, Location>>,
    pub token_secrets: Vec<TokenSecret>,
    /// Namespaces that hold at least one Secret in the input (there, the
    /// token Secrets are known; elsewhere every service account may have one).
    pub namespaces_with_secrets: BTreeSet<String>,
    /// Namespace objects: name → (`pod-security.kubernetes.io/enforce` level, where).
    pub namespaces: BTreeMap<String, (Option<String>, Location)>,
}

/// hostPath prefixes that give the node away: its root, the kubelet's
/// directory (every pod's token), its credentials, container runtime sockets.
const HOST_PATHS: &[&str] = &[
    "/",
    "/var/lib/kubelet",
    "/etc/kubernetes",
    "/var/run/docker.sock",
    "/run/docker.sock",
    "/var/run/containerd",
    "/run/containerd",
    "/var/run/crio",
    "/run/crio",
    "/var/run/cri-dockerd.sock",
];

impl Facts {
    pub fn new<'a>(objects: impl IntoIterator<Item = &'a Object>) -> Facts {
        let objects: Vec<&Object> = objects.into_iter().collect();
        let mut facts = Facts::default();
        let mut sa_automount: BTreeMap<(String, String), bool> = BTreeMap::new();
        for o in &objects {
            let ns = || o.namespace.clone().unwrap_or_else(|| DEFAULT_NAMESPACE.to_owned());
            match (o.group(), o.kind.as_str()) {
                ("", "ServiceAccount") => {
                    facts
                        .service_accounts
                        .entry(ns())
                        .or_default()
                        .insert(o.name.clone(), o.location_of("/metadata/name"));
                    if let Some(b) = o.root.get("automountServiceAccountToken").and_then(Node::as_bool) {
                        sa_automount.insert((ns(), o.name.clone()), b);
                    }
                }
                ("", "Secret") => {
                    facts.namespaces_with_secrets.insert(ns());
                    if o.root.get("type").and_then(Node::as_str) == Some("kubernetes.io/service-account-token") {
                        if let Some(sa) = o.annotation("kubernetes.io/service-account.name") {
                            facts.token_secrets.push(TokenSecret {
                                namespace: ns(),
                                name: o.name.clone(),
                                service_account: sa.to_owned(),
                                location: o.location_of("/type"),
                            });
                        }
                    }
                }
                ("", "Namespace") => {
                    let level = o
                        .metadata()
                        .and_then(|m| m.get("labels"))
                        .and_then(|l| l.get("pod-security.kubernetes.io/enforce"))
                        .and_then(Node::as_str)
                        .map(str::to_owned);
                    facts.namespaces.insert(o.name.clone(), (level, o.location_of("/metadata/labels")));
                }
                _ => {}
            }
        }
        for o in &objects {
            let Some(pod) = PodSpecRef::of(o) else { continue };
            if o.kind == "PodTemplate" {
                continue; // runs nothing by itself
            }
            let namespace = o.namespace.clone().unwrap_or_else(|| DEFAULT_NAMESPACE.to_owned());
            let sa_field = pod.spec.get("serviceAccountName").or_else(|| pod.spec.get("serviceAccount"));
            let service_account = sa_field.and_then(Node::as_str).filter(|s| !s.is_empty()).unwrap_or("default");
            let location = match sa_field {
                Some(_) if pod.spec.get("serviceAccountName").is_some() => o.location_of(&pod.at("serviceAccountName")),
                Some(_) => o.location_of(&pod.at("serviceAccount")),
                None => o.location_of(pod.pointer),
            };
            let projected = pod.volumes().any(|(_, v)| {
                v.path(&["projected", "sources"])
                    .map(Node::as_seq)
                    .unwrap_or(&[])
                    .iter()
                    .any(|s| s.get("serviceAccountToken").is_some())
            });
            let automount = pod.spec.get("automountServiceAccountToken").and_then(Node::as_bool).unwrap_or_else(|| {
                sa_automount.get(&(namespace.clone(), service_account.to_owned())).copied().unwrap_or(true)
            });
            let mut host_access = None;
            for c in pod.containers() {
                if c.security_field("privileged").and_then(Node::as_bool) == Some(true) {
                    let at = o.location_of(&c.at("securityContext/privileged"));
                    host_access = Some((format!("{} is privileged", c.describe()), at));
                    break;
                }
            }
            if host_access.is_none() {
                for (i, v) in pod.volumes() {
                    let Some(path) = v.path(&["hostPath", "path"]).and_then(Node::as_str) else { continue };
                    let clean = path.trim_end_matches('/');
                    let clean = if clean.is_empty() { "/" } else { clean };
                    if HOST_PATHS.iter().any(|p| clean == *p || (*p != "/" && clean.starts_with(&format!("{p}/")))) {
                        let at = o.location_of(&pod.at(&format!("volumes/{i}/hostPath/path")));
                        host_access = Some((format!("mounts the node's {path}"), at));
                        break;
                    }
                }
            }
            facts.workloads.push(Workload {
                kind: o.kind.clone(),
                namespace,
                name: o.name.clone(),
                service_account: service_account.to_owned(),
                location,
                token_mounted: automount || projected,
                host_access,
            });
        }
        facts
    }

    /// Whether pods of `namespace` are known to be held to the baseline or
    /// restricted Pod Security level (so no privileged or hostPath pod).
    pub fn enforces_pod_security(&self, namespace: &str) -> bool {
        matches!(self.namespaces.get(namespace), Some((Some(level), _)) if level == "baseline" || level == "restricted")
    }
}
