//! Writes a synthetic audit log (JSON lines) with a realistic mix: mostly
//! control-plane and kubelet reads and lease renewals at `Metadata` level,
//! application service accounts in their namespaces, pod creates with full
//! request bodies, RBAC and ConfigMap changes, 403 bursts, exec sessions,
//! impersonation and the odd privileged pod. Deterministic for a given seed.
//!
//! ```sh
//! cargo run --release -p kubefort-audit --example audit-gen -- --size 200M --out /tmp/audit.log [--gzip]
//! ```

use std::io::{BufWriter, Write};

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        // xorshift64*
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len() as u64) as usize]
    }
}

const NAMESPACES: [&str; 8] = ["shop", "payments", "search", "auth", "monitoring", "ingress", "data", "default"];
const CONTROLLERS: [&str; 6] = [
    "system:serviceaccount:kube-system:replicaset-controller",
    "system:serviceaccount:kube-system:deployment-controller",
    "system:serviceaccount:kube-system:endpointslice-controller",
    "system:kube-controller-manager",
    "system:kube-scheduler",
    "system:serviceaccount:kube-system:generic-garbage-collector",
];
const READ_RESOURCES: [&str; 7] = ["pods", "configmaps", "services", "endpoints", "nodes", "secrets", "deployments"];

struct Event<'a> {
    user: String,
    groups: &'a str,
    verb: &'a str,
    resource: &'a str,
    group: &'a str,
    ns: String,
    name: String,
    sub: &'a str,
    code: u16,
    ip: String,
    ua: &'a str,
    stage: &'a str,
    level: &'a str,
    body: Option<String>,
    extra: &'a str,
    uri: Option<&'a str>,
}

fn write_event(out: &mut impl Write, n: u64, t: u64, e: &Event<'_>) -> std::io::Result<()> {
    let secs = t / 1_000_000;
    let micros = t % 1_000_000;
    let (h, m, s) = ((secs / 3600) % 24, (secs / 60) % 60, secs % 60);
    let day = 1 + (secs / 86_400) % 28;
    let ts = format!("2024-05-{day:02}T{h:02}:{m:02}:{s:02}.{micros:06}Z");
    let api = if e.group.is_empty() { "/api/v1".to_owned() } else { format!("/apis/{}/v1", e.group) };
    let ns_path = if e.ns.is_empty() { String::new() } else { format!("/namespaces/{}", e.ns) };
    let name_path = if e.name.is_empty() { String::new() } else { format!("/{}", e.name) };
    let sub_path = if e.sub.is_empty() { String::new() } else { format!("/{}", e.sub) };
    let uri = match e.uri {
        Some(uri) => uri.to_owned(),
        None => format!("{api}{ns_path}/{}{name_path}{sub_path}", e.resource),
    };
    let decision = if e.code == 403 { "forbid" } else { "allow" };
    write!(
        out,
        r#"{{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"{}","auditID":"{:08x}-{:04x}-4{:03x}-8{:03x}-{:012x}","stage":"{}","requestURI":"{uri}","verb":"{}","user":{{"username":"{}","uid":"{:08x}","groups":{}}},{}"sourceIPs":["{}"],"userAgent":"{}","objectRef":{{"resource":"{}","namespace":"{}","name":"{}","apiGroup":"{}","apiVersion":"v1"{}}},"responseStatus":{{"metadata":{{}},"code":{}}},"#,
        e.level,
        n as u32,
        (n >> 32) as u16,
        n % 4096,
        (n * 7) % 4096,
        n.wrapping_mul(0x9e37_79b9),
        e.stage,
        e.verb,
        e.user,
        n.wrapping_mul(31) as u32,
        e.groups,
        e.extra,
        e.ip,
        e.ua,
        e.resource,
        e.ns,
        e.name,
        e.group,
        if e.sub.is_empty() { String::new() } else { format!(r#","subresource":"{}""#, e.sub) },
        e.code,
    )?;
    if let Some(body) = &e.body {
        write!(out, r#""requestObject":{body},"#)?;
    }
    writeln!(
        out,
        r#""requestReceivedTimestamp":"{ts}","stageTimestamp":"{ts}","annotations":{{"authorization.k8s.io/decision":"{decision}","authorization.k8s.io/reason":"RBAC: allowed by ClusterRoleBinding \"system:controller\" of ClusterRole \"system:controller\" to ServiceAccount"}}}}"#
    )
}

fn pod_body(rng: &mut Rng, ns: &str, privileged: bool) -> String {
    let image =
        rng.pick(&["ghcr.io/acme/web:1.4.2", "ghcr.io/acme/api:2.0.1", "nginx:1.25", "redis:7.2", "postgres:16"]);
    let sc = if privileged {
        r#","securityContext":{"privileged":true}"#
    } else {
        r#","securityContext":{"runAsNonRoot":true,"allowPrivilegeEscalation":false}"#
    };
    format!(
        r#"{{"kind":"Pod","apiVersion":"v1","metadata":{{"generateName":"web-7d4b9c-","namespace":"{ns}","labels":{{"app":"web","pod-template-hash":"7d4b9c"}},"ownerReferences":[{{"apiVersion":"apps/v1","kind":"ReplicaSet","name":"web-7d4b9c","uid":"0b9b7c2e-1f7c-4f8e-9f1a-2f1e7c0b1a2b","controller":true,"blockOwnerDeletion":true}}]}},"spec":{{"volumes":[{{"name":"kube-api-access","projected":{{"sources":[{{"serviceAccountToken":{{"expirationSeconds":3607,"path":"token"}}}},{{"configMap":{{"name":"kube-root-ca.crt","items":[{{"key":"ca.crt","path":"ca.crt"}}]}}}}]}}}}],"containers":[{{"name":"app","image":"{image}","ports":[{{"containerPort":8080,"protocol":"TCP"}}],"env":[{{"name":"LOG_LEVEL","value":"info"}}],"resources":{{"limits":{{"cpu":"500m","memory":"256Mi"}},"requests":{{"cpu":"100m","memory":"128Mi"}}}},"volumeMounts":[{{"name":"kube-api-access","readOnly":true,"mountPath":"/var/run/secrets/kubernetes.io/serviceaccount"}}],"imagePullPolicy":"IfNotPresent"{sc}}}],"restartPolicy":"Always","serviceAccountName":"web","securityContext":{{"seccompProfile":{{"type":"RuntimeDefault"}}}}}}}}"#
    )
}

fn main() -> std::io::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let arg = |name: &str| args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).cloned();
    let size = arg("--size").unwrap_or_else(|| "200M".into());
    let bytes: u64 = {
        let (num, mult) = match size.chars().last() {
            Some('G' | 'g') => (&size[..size.len() - 1], 1u64 << 30),
            Some('M' | 'm') => (&size[..size.len() - 1], 1 << 20),
            Some('K' | 'k') => (&size[..size.len() - 1], 1 << 10),
            _ => (size.as_str(), 1),
        };
        num.parse::<u64>().expect("--size N[K|M|G]") * mult
    };
    let path = arg("--out").unwrap_or_else(|| "/tmp/kubefort-audit.log".into());
    let seed = arg("--seed").and_then(|s| s.parse().ok()).unwrap_or(0x5eed_u64);
    let file = std::fs::File::create(&path)?;
    let mut counter = CountingWriter { inner: file, written: 0 };
    let gzip = args.iter().any(|a| a == "--gzip");
    let mut rng = Rng(seed | 1);
    let mut t: u64 = 1_714_521_600_000_000; // 2024-05-01
    let mut n: u64 = 0;
    let mut sink: Box<dyn Write + '_> = Box::new(BufWriter::with_capacity(1 << 20, &mut counter));
    if gzip {
        sink = Box::new(flate2::write::GzEncoder::new(sink, flate2::Compression::fast()));
    }
    let mut produced: u64 = 0;
    let mut line = Vec::with_capacity(8192);
    while produced < bytes {
        n += 1;
        t += rng.below(2_000);
        let ns = rng.pick(&NAMESPACES).to_owned();
        let node = format!("node-{:02}", rng.below(40));
        let roll = rng.below(1000);
        let app_sa = format!("system:serviceaccount:{ns}:{}", rng.pick(&["web", "api", "worker", "default"]));
        // Each namespace's pods live on a few addresses of the pod network.
        let ns_index = NAMESPACES.iter().position(|n| *n == ns).unwrap_or(0);
        let pod_ip = format!("10.244.{ns_index}.{}", 10 + rng.below(4));
        let mut e = Event {
            user: String::new(),
            groups: r#"["system:authenticated"]"#,
            verb: "get",
            resource: "pods",
            group: "",
            ns: ns.clone(),
            name: format!("web-{:x}", rng.below(5000)),
            sub: "",
            code: 200,
            ip: "10.0.0.10".into(),
            ua: "kube-controller-manager/v1.30.2 (linux/amd64) kubernetes/39683505",
            stage: "ResponseComplete",
            level: "Metadata",
            body: None,
            extra: "",
            uri: None,
        };
        match roll {
            // Kubelets: reads of their pods, secrets, configmaps; node status.
            0..=299 => {
                e.user = format!("system:node:{node}");
                e.groups = r#"["system:nodes","system:authenticated"]"#;
                e.verb = rng.pick(&["get", "get", "list", "watch"]);
                e.resource = rng.pick(&["pods", "secrets", "configmaps", "nodes", "services"]);
                e.ip = format!("10.0.1.{}", rng.below(40));
                e.ua = "kubelet/v1.30.2 (linux/amd64) kubernetes/39683505";
            }
            // Lease renewals.
            300..=499 => {
                e.user = format!("system:node:{node}");
                e.groups = r#"["system:nodes","system:authenticated"]"#;
                e.verb = "update";
                e.resource = "leases";
                e.group = "coordination.k8s.io";
                e.ns = "kube-node-lease".into();
                e.name = node.clone();
                e.ip = format!("10.0.1.{}", rng.below(40));
                e.ua = "kubelet/v1.30.2 (linux/amd64) kubernetes/39683505";
            }
            // Controllers and the scheduler: list/watch/update everywhere.
            500..=759 => {
                e.user = rng.pick(&CONTROLLERS).to_owned();
                e.verb = rng.pick(&["list", "watch", "get", "update", "patch"]);
                e.resource = rng.pick(&READ_RESOURCES);
                if e.resource == "deployments" {
                    e.group = "apps";
                }
            }
            // Application service accounts in their own namespace (from their pod IP).
            760..=889 => {
                e.user = app_sa;
                e.groups = r#"["system:serviceaccounts","system:authenticated"]"#;
                e.verb = rng.pick(&["get", "list", "watch"]);
                e.resource = rng.pick(&["configmaps", "endpoints", "pods", "secrets"]);
                e.ip = pod_ip;
                e.ua = "Go-http-client/2.0";
            }
            // Pod creates with a full body (a few privileged).
            890..=929 => {
                e.user = CONTROLLERS[0].to_owned();
                e.verb = "create";
                e.name = String::new();
                e.level = "Request";
                let privileged = rng.below(200) == 0;
                e.body = Some(pod_body(&mut rng, &ns, privileged));
                e.code = 201;
            }
            // Humans: deployments, configmaps, secrets, RBAC, with kubectl.
            930..=959 => {
                e.user = rng.pick(&["alice@acme.io", "bob@acme.io", "ci-deployer"]).to_owned();
                e.groups = r#"["devs","system:authenticated"]"#;
                e.ip = format!("192.0.2.{}", rng.below(20));
                e.ua = "kubectl/v1.30.2 (linux/amd64) kubernetes/39683505";
                e.verb = rng.pick(&["create", "delete", "patch", "get", "list"]);
                e.resource = rng.pick(&["deployments", "configmaps", "secrets", "services", "rolebindings"]);
                e.level = "Request";
                e.code = if e.verb == "create" { 201 } else { 200 };
                if e.resource == "deployments" {
                    e.group = "apps";
                } else if e.resource == "rolebindings" {
                    e.group = "rbac.authorization.k8s.io";
                    e.body = Some(r#"{"kind":"RoleBinding","roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"ClusterRole","name":"view"},"subjects":[{"kind":"Group","name":"devs"}]}"#.into());
                } else if e.resource == "configmaps" {
                    e.body = Some(r#"{"kind":"ConfigMap","data":{"app.properties":"color=blue\nmode=fast\n"}}"#.into());
                }
            }
            // Refused requests: scattered, with occasional bursts from one token.
            960..=979 => {
                e.user = if rng.below(10) == 0 { "system:serviceaccount:shop:web".into() } else { app_sa };
                e.verb = "list";
                e.resource = "secrets";
                e.ns = String::new();
                e.name = String::new();
                e.code = 403;
                e.ip = pod_ip;
            }
            // Exec sessions and port-forwards.
            980..=989 => {
                e.user = "alice@acme.io".into();
                e.ip = "192.0.2.4".into();
                e.ua = "kubectl/v1.30.2 (linux/amd64) kubernetes/39683505";
                e.verb = "create";
                e.sub = rng.pick(&["exec", "portforward"]);
                e.stage = "ResponseStarted";
                e.code = 101;
            }
            // Health checks and discovery by anonymous.
            990..=995 => {
                e.user = "system:anonymous".into();
                e.groups = r#"["system:unauthenticated"]"#;
                e.verb = "get";
                e.resource = "";
                e.ns = String::new();
                e.name = String::new();
                e.ip = "10.0.0.1".into();
                e.uri = Some(rng.pick(&["/healthz", "/readyz", "/livez"]));
            }
            // Impersonation and cross-namespace reads.
            _ => {
                e.user = "bob@acme.io".into();
                e.verb = "get";
                e.resource = "secrets";
                e.extra = r#""impersonatedUser":{"username":"system:serviceaccount:payments:api","groups":["system:serviceaccounts"]},"#;
            }
        }
        line.clear();
        write_event(&mut line, n, t, &e)?;
        produced += line.len() as u64;
        sink.write_all(&line)?;
    }
    sink.flush()?;
    drop(sink);
    eprintln!("{n} events, {produced} bytes uncompressed, {} bytes written to {path}", counter.written);
    Ok(())
}

struct CountingWriter {
    inner: std::fs::File,
    written: u64,
}

impl Write for CountingWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.written += n as u64;
        Ok(n)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}
