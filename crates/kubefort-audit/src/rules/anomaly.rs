//! Windowed anomaly detectors. Time is the events' own (`stageTimestamp`), so
//! a log analysed a month later gives the same alerts as the live stream.
//! Every map is swept of entries older than its window and capped, so memory
//! stays flat however long the stream.

use super::Hit;
use crate::event::Event;
use crate::settings::{any_match, AuditSettings, Cidr};
use kubefort_model::RuleMeta;
use std::collections::{HashMap, VecDeque};

pub static RULES: &[&RuleMeta] = &[
    &AUTH_FAILURE_BURST,
    &FIRST_SECRET_READ,
    &SA_TOKEN_NEW_IP,
    &SA_TOKEN_OUTSIDE_CLUSTER,
    &SA_CROSS_NAMESPACE,
    &IMPERSONATION,
    &MASS_DELETE,
    &KUBECTL_IN_POD,
];

/// Most keys one map holds before it is trimmed.
const MAX_KEYS: usize = 100_000;
const SECOND: i64 = 1_000_000;

audit_rule! {
    /// ## What it does
    /// Reports `audit.authFailures.threshold` (default 10) or more requests
    /// answered 401 or 403 within `audit.authFailures.windowSeconds` (default
    /// 60) from one user, service account or source IP. One alert per key per window.
    ///
    /// ## Why is this bad?
    /// A burst of refusals is credential stuffing, a stolen token probing
    /// what it may do, or a broken deployment hammering the API server.
    ///
    /// ## Example
    /// Twenty `list secrets` answered 403 for one service account in a minute.
    ///
    /// ## Use instead
    /// Find the caller; revoke the credential or fix its permissions.
    ///
    /// ## References
    /// - MITRE ATT&CK T1110 (Brute Force), T1613 (Container and Resource Discovery)
    pub static AUTH_FAILURE_BURST {
        id: "KF-AUD-030",
        name: "auth-failure-burst",
        title: "Burst of 401/403 responses for one subject or source",
        severity: Medium,
        fix: "Identify the caller; revoke or fix its credentials",
        references: ["mitre:T1110"],
    }
}

audit_rule! {
    /// ## What it does
    /// Reports a subject (not in `audit.secretReaders`) reading secrets (get,
    /// list or watch) for the first time within `audit.secretReads.windowSeconds`
    /// (default one day).
    ///
    /// ## Why is this bad?
    /// A user or service account that suddenly starts reading secrets is the
    /// pattern of a stolen identity harvesting credentials.
    ///
    /// ## Example
    /// `system:serviceaccount:shop:web` lists secrets, having never done so.
    ///
    /// ## Use instead
    /// Mount the secrets a workload needs; list expected readers in `audit.secretReaders`.
    ///
    /// ## References
    /// - MITRE ATT&CK T1552.007 (Container API credentials)
    pub static FIRST_SECRET_READ {
        id: "KF-AUD-031",
        name: "first-secret-read",
        title: "Subject read secrets for the first time in the window",
        severity: Low,
        fix: "Check why the subject reads secrets; list it in audit.secretReaders if expected",
        references: ["mitre:T1552.007"],
    }
}

audit_rule! {
    /// ## What it does
    /// Reports a service-account token used from a source IP in another
    /// network (another /16 for IPv4, /48 for IPv6) than every address the
    /// account was seen using within `audit.sourceIps.windowSeconds` (default
    /// one day). The first addresses seen for an account are learnt, not
    /// reported; new pod addresses inside the pod network are not reported.
    ///
    /// ## Why is this bad?
    /// A pod's token is used from the pod's address. A new address, especially
    /// outside the pod network, is a token copied out of the cluster.
    ///
    /// ## Example
    /// `system:serviceaccount:shop:web` from 10.1.2.3 all day, then from 203.0.113.9.
    ///
    /// ## Use instead
    /// Use short-lived, audience-bound projected tokens; rotate the leaked one.
    ///
    /// ## References
    /// - MITRE ATT&CK T1528 (Steal Application Access Token)
    pub static SA_TOKEN_NEW_IP {
        id: "KF-AUD-032",
        name: "service-account-token-new-source",
        title: "Service-account token used from a new source IP",
        severity: Medium,
        fix: "Check where the token is used from; rotate it if leaked",
        references: ["mitre:T1528"],
    }
}

audit_rule! {
    /// ## What it does
    /// When `audit.clusterRanges` lists the node and pod CIDRs, reports a
    /// service-account token used from an address outside them (once per
    /// account and address per `audit.sourceIps` window).
    ///
    /// ## Why is this bad?
    /// Service-account tokens belong to pods. Used from outside the cluster,
    /// the token has been stolen.
    ///
    /// ## Example
    /// ```yaml
    /// audit: {clusterRanges: [10.0.0.0/8]}
    /// ```
    /// and a service account calling from 198.51.100.7.
    ///
    /// ## Use instead
    /// Rotate the token; use bound, short-lived tokens.
    ///
    /// ## References
    /// - MITRE ATT&CK T1528 (Steal Application Access Token)
    pub static SA_TOKEN_OUTSIDE_CLUSTER {
        id: "KF-AUD-033",
        name: "service-account-token-outside-cluster",
        title: "Service-account token used from outside the cluster ranges",
        severity: High,
        fix: "Rotate the token and find where it leaked",
        references: ["mitre:T1528"],
    }
}

audit_rule! {
    /// ## What it does
    /// Reports a service account acting on objects in another namespace than
    /// its own (once per account and namespace per `audit.sourceIps` window),
    /// unless listed in `audit.crossNamespaceServiceAccounts` (`ns:name`,
    /// `ns:*`; default `kube-system:*`, the controllers).
    ///
    /// ## Why is this bad?
    /// Application accounts work in their namespace; reaching into others is
    /// lateral movement or an over-broad ClusterRoleBinding.
    ///
    /// ## Example
    /// `system:serviceaccount:shop:web` reading pods in `payments`.
    ///
    /// ## Use instead
    /// Bind roles with RoleBindings in the account's own namespace.
    ///
    /// ## References
    /// - MITRE ATT&CK T1078.001 (Valid Accounts)
    pub static SA_CROSS_NAMESPACE {
        id: "KF-AUD-034",
        name: "service-account-cross-namespace",
        title: "Service account acting outside its namespace",
        severity: Medium,
        fix: "Replace cluster-wide bindings with namespaced RoleBindings",
        references: ["mitre:T1078.001"],
    }
}

audit_rule! {
    /// ## What it does
    /// Reports requests made with impersonation (`impersonatedUser` set) by a
    /// user not in `audit.impersonators`, once per pair per `audit.sourceIps` window.
    ///
    /// ## Why is this bad?
    /// Impersonation acts as another identity: whoever may impersonate
    /// `system:masters` members is cluster-admin.
    ///
    /// ## Example
    /// `kubectl get secrets --as=system:admin --as-group=system:masters`
    ///
    /// ## Use instead
    /// Grant the permission needed directly; list expected impersonators.
    ///
    /// ## References
    /// - MITRE ATT&CK T1134 (Access Token Manipulation)
    pub static IMPERSONATION {
        id: "KF-AUD-035",
        name: "impersonation",
        title: "Request made by impersonating another user",
        severity: Medium,
        fix: "Remove impersonate permissions, or list the user in audit.impersonators",
        references: ["mitre:T1134"],
    }
}

audit_rule! {
    /// ## What it does
    /// Reports every successful `deletecollection`, and a subject deleting
    /// `audit.massDelete.threshold` (default 50) objects within
    /// `audit.massDelete.windowSeconds` (default 60).
    ///
    /// ## Why is this bad?
    /// Mass deletion is sabotage or a runaway script; either way the damage
    /// is done in seconds.
    ///
    /// ## Example
    /// `kubectl delete pods --all -n prod`
    ///
    /// ## Use instead
    /// Restrict `delete` and `deletecollection` to automation; protect with backups.
    ///
    /// ## References
    /// - MITRE ATT&CK T1485 (Data Destruction)
    pub static MASS_DELETE {
        id: "KF-AUD-036",
        name: "mass-delete",
        title: "Mass deletion",
        severity: High,
        fix: "Find the subject; restrict delete permissions",
        references: ["mitre:T1485"],
    }
}

audit_rule! {
    /// ## What it does
    /// Reports `kubectl` (by its user agent) used with a service-account
    /// token, i.e. from inside a pod, once per account per `audit.sourceIps` window.
    ///
    /// ## Why is this bad?
    /// Applications talk to the API through client libraries; kubectl inside
    /// a pod is an operator's or an attacker's shell.
    ///
    /// ## Example
    /// `userAgent: kubectl/v1.30.0 (linux/amd64)` with user `system:serviceaccount:shop:web`.
    ///
    /// ## Use instead
    /// Keep kubectl out of application images; investigate the pod.
    ///
    /// ## References
    /// - MITRE ATT&CK T1609 (Container Administration Command)
    pub static KUBECTL_IN_POD {
        id: "KF-AUD-037",
        name: "kubectl-from-pod",
        title: "kubectl used with a service-account token",
        severity: Medium,
        fix: "Investigate the pod; remove kubectl from application images",
        references: ["mitre:T1609"],
    }
}

#[derive(Default)]
struct Burst {
    times: VecDeque<i64>,
    quiet_until: i64,
}

impl Burst {
    /// Records one event; true when the threshold is reached outside the quiet period.
    fn hit(&mut self, now: i64, window: i64, threshold: u32) -> bool {
        self.times.push_back(now);
        while self.times.front().is_some_and(|t| *t <= now - window) {
            self.times.pop_front();
        }
        while self.times.len() > threshold as usize {
            self.times.pop_front();
        }
        if self.times.len() >= threshold as usize && now >= self.quiet_until {
            self.quiet_until = now.saturating_add(window);
            return true;
        }
        false
    }
    fn last(&self) -> i64 {
        self.times.back().copied().unwrap_or(i64::MIN)
    }
}

/// The detectors' state.
pub struct Anomalies {
    ranges: Vec<Cidr>,
    now: i64,
    events: u64,
    auth: HashMap<String, Burst>,
    deletes: HashMap<String, Burst>,
    secret_reads: HashMap<String, i64>,
    sa_ips: HashMap<String, Vec<(String, i64)>>,
    /// Dedupe of once-per-window alerts: `rule|key` → when alerted.
    seen: HashMap<String, i64>,
}

pub type Emit<'a> = dyn FnMut(&'static RuleMeta, Hit) + 'a;

impl Anomalies {
    pub fn new(settings: &AuditSettings) -> Self {
        Anomalies {
            ranges: settings.cluster_ranges.iter().filter_map(|c| Cidr::parse(c)).collect(),
            now: 0,
            events: 0,
            auth: HashMap::new(),
            deletes: HashMap::new(),
            secret_reads: HashMap::new(),
            sa_ips: HashMap::new(),
            seen: HashMap::new(),
        }
    }

    /// Entries held across every map (for the flat-memory check).
    pub fn tracked(&self) -> usize {
        self.auth.len() + self.deletes.len() + self.secret_reads.len() + self.sa_ips.len() + self.seen.len()
    }

    fn once(&mut self, key: String, window: i64) -> bool {
        let now = self.now;
        match self.seen.get_mut(&key) {
            Some(t) if now - *t < window => false,
            Some(t) => {
                *t = now;
                true
            }
            None => {
                self.seen.insert(key, now);
                true
            }
        }
    }

    pub fn check(
        &mut self,
        ev: &Event<'_>,
        s: &AuditSettings,
        enabled: &dyn Fn(&RuleMeta) -> bool,
        emit: &mut Emit<'_>,
    ) {
        if let Some(t) = ev.micros() {
            self.now = self.now.max(t);
        }
        self.events += 1;
        if self.events & 4095 == 0 {
            self.sweep(s);
        }
        let user = ev.username();
        let complete = ev.complete();

        if complete && matches!(ev.code(), Some(401 | 403)) && enabled(&AUTH_FAILURE_BURST) {
            let w = s.auth_failures;
            let subject = if user.is_empty() { "(unauthenticated)" } else { user };
            let mut keys = vec![format!("user {subject}")];
            keys.extend(ev.source_ips.first().map(|ip| format!("source {ip}")));
            for key in keys {
                let hit = self.auth.entry(key.clone()).or_default().hit(self.now, w.micros(), w.threshold);
                if hit {
                    emit(
                        &AUTH_FAILURE_BURST,
                        Hit {
                            message: format!(
                                "{} requests refused (401/403) for {key} within {}s",
                                w.threshold, w.window_seconds
                            ),
                            equivalent: None,
                        },
                    );
                }
            }
        }

        if complete
            && ev.resource() == "secrets"
            && matches!(ev.verb.as_ref(), "get" | "list" | "watch")
            && ev.succeeded()
            && enabled(&FIRST_SECRET_READ)
            && !any_match(&s.secret_readers, user)
        {
            let window = s.secret_reads.micros();
            let now = self.now;
            let first = match self.secret_reads.get_mut(user) {
                Some(t) => {
                    let stale = now - *t >= window;
                    *t = now;
                    stale
                }
                None => {
                    self.secret_reads.insert(user.to_owned(), now);
                    true
                }
            };
            if first {
                let ns = ev.namespace();
                let scope = if ns.is_empty() { "all namespaces".to_owned() } else { format!("namespace {ns}") };
                emit(
                    &FIRST_SECRET_READ,
                    Hit {
                        message: format!("{user} read secrets in {scope} for the first time ({})", ev.verb),
                        equivalent: None,
                    },
                );
            }
        }

        if let Some((sa_ns, sa_name)) = ev.service_account().filter(|_| complete) {
            let ip = ev.source_ips.first().map(|c| c.as_ref()).unwrap_or("");
            let window = s.source_ips.micros();
            if !ip.is_empty() && enabled(&SA_TOKEN_NEW_IP) {
                let now = self.now;
                if !self.sa_ips.contains_key(user) {
                    self.sa_ips.insert(user.to_owned(), Vec::new());
                }
                let known = self.sa_ips.get_mut(user).expect("just inserted");
                known.retain(|(_, t)| now - *t < window);
                match known.iter_mut().find(|(k, _)| k == ip) {
                    Some((_, t)) => *t = now,
                    None => {
                        // Pods churn inside the pod network: only an address in
                        // another /16 (IPv4) or /48 (IPv6) than every known one is new.
                        let new_network = !known.is_empty() && known.iter().all(|(k, _)| !same_network(k, ip));
                        let before: Vec<String> = known.iter().take(3).map(|(k, _)| k.clone()).collect();
                        if known.len() < 32 {
                            known.push((ip.to_owned(), now));
                        } else if let Some(oldest) = known.iter_mut().min_by_key(|(_, t)| *t) {
                            *oldest = (ip.to_owned(), now);
                        }
                        if new_network {
                            emit(
                                &SA_TOKEN_NEW_IP,
                                Hit {
                                    message: format!(
                                        "{user} used from {ip}, until now seen from {}",
                                        before.join(", ")
                                    ),
                                    equivalent: None,
                                },
                            );
                        }
                    }
                }
            }
            if !self.ranges.is_empty() && !ip.is_empty() && enabled(&SA_TOKEN_OUTSIDE_CLUSTER) {
                let outside = match ip.parse::<std::net::IpAddr>() {
                    Ok(addr) => !self.ranges.iter().any(|r| r.contains(addr)),
                    Err(_) => false,
                };
                if outside && self.once(format!("033|{user}|{ip}"), window) {
                    emit(
                        &SA_TOKEN_OUTSIDE_CLUSTER,
                        Hit { message: format!("{user} used from {ip}, outside the cluster ranges"), equivalent: None },
                    );
                }
            }
            let target_ns = ev.namespace();
            if !target_ns.is_empty()
                && target_ns != sa_ns
                && enabled(&SA_CROSS_NAMESPACE)
                && !s.cross_namespace_service_accounts.iter().any(|p| {
                    let (pns, pname) = p.split_once(':').unwrap_or((p.as_str(), "*"));
                    crate::settings::matches(pns, sa_ns) && crate::settings::matches(pname, sa_name)
                })
                && self.once(format!("034|{user}|{target_ns}"), window)
            {
                emit(
                    &SA_CROSS_NAMESPACE,
                    Hit {
                        message: format!(
                            "{user} {} {} in namespace {target_ns}, outside its own ({sa_ns})",
                            ev.verb,
                            ev.resource()
                        ),
                        equivalent: None,
                    },
                );
            }
            let kubectl = ev.user_agent.as_deref().is_some_and(|ua| ua.starts_with("kubectl/"));
            if kubectl && enabled(&KUBECTL_IN_POD) && self.once(format!("037|{user}"), window) {
                emit(
                    &KUBECTL_IN_POD,
                    Hit { message: format!("kubectl used with the token of {user} from {ip}"), equivalent: None },
                );
            }
        }

        if let Some(target) = ev.impersonated_user.as_ref().filter(|_| complete) {
            if enabled(&IMPERSONATION) && !any_match(&s.impersonators, user) {
                let as_user = target.username.as_ref();
                let groups = target.groups.join(",");
                if self.once(format!("035|{user}|{as_user}|{groups}"), s.source_ips.micros()) {
                    let groups = if groups.is_empty() { String::new() } else { format!(" (groups {groups})") };
                    emit(
                        &IMPERSONATION,
                        Hit {
                            message: format!("{user} impersonated {as_user}{groups}: {} {}", ev.verb, ev.request_uri),
                            equivalent: None,
                        },
                    );
                }
            }
        }

        if complete
            && ev.succeeded()
            && matches!(ev.verb.as_ref(), "delete" | "deletecollection")
            && enabled(&MASS_DELETE)
        {
            let what = if ev.namespace().is_empty() {
                ev.resource().to_owned()
            } else {
                format!("{} in {}", ev.resource(), ev.namespace())
            };
            if ev.verb == "deletecollection" {
                emit(
                    &MASS_DELETE,
                    Hit { message: format!("{user} deleted every {what} (deletecollection)"), equivalent: None },
                );
            } else {
                let w = s.mass_delete;
                if self.deletes.entry(user.to_owned()).or_default().hit(self.now, w.micros(), w.threshold) {
                    emit(
                        &MASS_DELETE,
                        Hit {
                            message: format!(
                                "{user} deleted {} objects within {}s (last: {what})",
                                w.threshold, w.window_seconds
                            ),
                            equivalent: None,
                        },
                    );
                }
            }
        }
    }

    /// Drops what fell out of its window; trims maps that grew past the cap.
    fn sweep(&mut self, s: &AuditSettings) {
        let now = self.now;
        let auth_w = s.auth_failures.micros();
        let del_w = s.mass_delete.micros();
        self.auth.retain(|_, b| now - b.last() < auth_w || now < b.quiet_until);
        self.deletes.retain(|_, b| now - b.last() < del_w || now < b.quiet_until);
        let sr = s.secret_reads.micros();
        self.secret_reads.retain(|_, t| now - *t < sr);
        let ipw = s.source_ips.micros();
        self.sa_ips.retain(|_, v| v.iter().any(|(_, t)| now - *t < ipw));
        self.seen.retain(|_, t| now - *t < ipw.max(sr));
        for_each_cap(&mut self.secret_reads, |t| *t);
        for_each_cap(&mut self.seen, |t| *t);
        for_each_cap(&mut self.sa_ips, |v| v.iter().map(|(_, t)| *t).max().unwrap_or(0));
        if self.auth.len() > MAX_KEYS {
            self.auth.retain(|_, b| now - b.last() < 10 * SECOND);
        }
        if self.deletes.len() > MAX_KEYS {
            self.deletes.retain(|_, b| now - b.last() < 10 * SECOND);
        }
    }
}

/// Whether two addresses share a /16 (IPv4) or /48 (IPv6).
fn same_network(a: &str, b: &str) -> bool {
    match (a.parse::<std::net::IpAddr>(), b.parse::<std::net::IpAddr>()) {
        (Ok(std::net::IpAddr::V4(a)), Ok(std::net::IpAddr::V4(b))) => a.octets()[..2] == b.octets()[..2],
        (Ok(std::net::IpAddr::V6(a)), Ok(std::net::IpAddr::V6(b))) => a.segments()[..3] == b.segments()[..3],
        _ => a == b,
    }
}

/// Keeps the newest half when a map passes [`MAX_KEYS`].
fn for_each_cap<V>(map: &mut HashMap<String, V>, time: impl Fn(&V) -> i64) {
    if map.len() <= MAX_KEYS {
        return;
    }
    let mut times: Vec<i64> = map.values().map(&time).collect();
    let mid = times.len() / 2;
    let (_, cut, _) = times.select_nth_unstable(mid);
    let cut = *cut;
    map.retain(|_, v| time(v) > cut);
}
