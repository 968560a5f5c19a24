//! The server tests' HTTPS harness (admission and audit): throwaway CAs and server certificates
//! from rcgen, a server on 127.0.0.1 port 0 started the way `kubefort serve
//! --admission` starts it (certificates reloaded from files), and a rustls
//! client speaking raw HTTP/1.1. No other address is used.

#![allow(dead_code)] // each test file uses part of it

use kubefort_admission::{AdmissionSettings, Validator};
use kubefort_model::Settings;
use kubefort_server::admission::AdmissionService;
use kubefort_server::tls::Certificates;
use kubefort_server::{Features, Limits, Server};
use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair};
use rustls::pki_types::{CertificateDer, ServerName};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use tokio_rustls::TlsConnector;

/// A CA that signs server certificates for `localhost` and 127.0.0.1.
pub struct Ca {
    pub der: CertificateDer<'static>,
    pem: String,
    issuer: Issuer<'static, KeyPair>,
}

impl Ca {
    pub fn new(name: &str) -> Ca {
        let key = KeyPair::generate().unwrap();
        let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.distinguished_name.push(DnType::CommonName, name);
        let cert = params.self_signed(&key).unwrap();
        Ca { der: cert.der().clone(), pem: cert.pem(), issuer: Issuer::new(params, key) }
    }

    /// Writes a fresh leaf (chain: leaf, CA) and its key to `cert` and `key`;
    /// returns the leaf's DER.
    pub fn write_leaf(&self, cert: &Path, key: &Path) -> CertificateDer<'static> {
        let leaf_key = KeyPair::generate().unwrap();
        let params = CertificateParams::new(vec!["localhost".to_owned(), "127.0.0.1".to_owned()]).unwrap();
        let leaf = params.signed_by(&leaf_key, &self.issuer).unwrap();
        std::fs::write(cert, leaf.pem() + &self.pem).unwrap();
        std::fs::write(key, leaf_key.serialize_pem()).unwrap();
        leaf.der().clone()
    }
}

pub fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("kubefort-server-test-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

pub struct Running {
    pub addr: SocketAddr,
    pub certificates: Arc<Certificates>,
    pub dir: PathBuf,
    roots: Vec<CertificateDer<'static>>,
    stop: Option<oneshot::Sender<()>>,
    done: JoinHandle<bool>,
}

pub fn validator(admission: AdmissionSettings) -> Validator {
    Validator::new(kubefort_rules::all_rules(), Settings::default(), admission, Box::new(|f| f))
}

/// Serves `/validate` and `/mutate` with every rule and `admission`.
pub async fn start(name: &str, admission: AdmissionSettings, limits: Limits) -> Running {
    let features = Features { audit: None, admission: Some(AdmissionService::new(validator(admission))) };
    start_with(name, features, limits).await
}

/// Serves `features` over HTTPS with a fresh CA and certificate.
pub async fn start_with(name: &str, features: Features, limits: Limits) -> Running {
    let dir = temp_dir(name);
    let ca = Ca::new("kubefort test CA");
    let (cert, key) = (dir.join("tls.crt"), dir.join("tls.key"));
    ca.write_leaf(&cert, &key);
    let certificates = Certificates::load(&cert, &key).expect("the PEM files load");
    let tls = certificates.server_config().unwrap();
    let server = Server::bind("127.0.0.1:0".parse().unwrap(), tls, features, limits).await.unwrap();
    let addr = server.local_addr().unwrap();
    let (stop, stopped) = oneshot::channel::<()>();
    let done = tokio::spawn(server.run(async {
        let _ = stopped.await;
    }));
    Running { addr, certificates, dir, roots: vec![ca.der], stop: Some(stop), done }
}

pub struct Reply {
    pub status: u16,
    pub head: String,
    pub body: String,
    /// The certificate the server presented.
    pub peer: CertificateDer<'static>,
}

impl Reply {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
}

impl Running {
    /// Trusts another CA too (certificate rotation to a new CA).
    pub fn trust(&mut self, ca: &Ca) {
        self.roots.push(ca.der.clone());
    }

    fn connector(&self) -> TlsConnector {
        let mut roots = rustls::RootCertStore::empty();
        for root in &self.roots {
            roots.add(root.clone()).unwrap();
        }
        let client = rustls::ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_root_certificates(roots)
            .with_no_client_auth();
        TlsConnector::from(Arc::new(client))
    }

    /// Sends raw bytes over a new TLS connection (`Connection: close`) and reads the reply.
    pub async fn raw(&self, request: &[u8]) -> Reply {
        let tcp = TcpStream::connect(self.addr).await.unwrap();
        let mut tls = self.connector().connect(ServerName::try_from("localhost").unwrap(), tcp).await.unwrap();
        let peer = tls.get_ref().1.peer_certificates().unwrap()[0].clone().into_owned();
        // The server may answer (413, 415) and close before reading it all: a write error is fine.
        let _ = tls.write_all(request).await;
        let _ = tls.flush().await;
        let mut bytes = Vec::new();
        // A peer that closes without close_notify is still a complete reply here.
        let _ = tls.read_to_end(&mut bytes).await;
        let text = String::from_utf8_lossy(&bytes);
        let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
        let status = head.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
        Reply { status, head: head.to_owned(), body: body.to_owned(), peer }
    }

    pub async fn post(&self, path: &str, content_type: &str, body: &[u8]) -> Reply {
        self.request("POST", path, content_type, body).await
    }

    pub async fn request(&self, method: &str, path: &str, content_type: &str, body: &[u8]) -> Reply {
        let mut request = format!(
            "{method} {path} HTTP/1.1\r\nHost: localhost\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            body.len()
        )
        .into_bytes();
        request.extend_from_slice(body);
        self.raw(&request).await
    }

    /// POSTs a review as JSON; expects `200` and returns its `response`.
    pub async fn review(&self, path: &str, review: &serde_json::Value) -> serde_json::Value {
        let reply = self.post(path, "application/json", review.to_string().as_bytes()).await;
        assert_eq!(reply.status, 200, "{}", reply.body);
        let mut json = reply.json();
        assert_eq!(json["apiVersion"], "admission.k8s.io/v1");
        assert_eq!(json["kind"], "AdmissionReview");
        assert_eq!(json["response"]["uid"], review["request"]["uid"], "the uid is echoed");
        json["response"].take()
    }

    pub async fn get(&self, path: &str) -> Reply {
        self.raw(format!("GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n").as_bytes()).await
    }

    pub async fn stop(mut self) -> bool {
        let _ = self.stop.take().unwrap().send(());
        let clean = tokio::time::timeout(Duration::from_secs(10), self.done).await.expect("stops promptly").unwrap();
        let _ = std::fs::remove_dir_all(&self.dir);
        clean
    }
}

/// An `AdmissionReview` as the API server sends it.
pub fn review(
    uid: &str,
    operation: &str,
    object: &serde_json::Value,
    old: Option<&serde_json::Value>,
) -> serde_json::Value {
    let kind = object["kind"].as_str().unwrap_or("Pod");
    let group = object["apiVersion"].as_str().and_then(|v| v.rsplit_once('/')).map_or("", |(g, _)| g);
    serde_json::json!({
        "apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview",
        "request": {
            "uid": uid, "kind": {"group": group, "version": "v1", "kind": kind},
            "resource": {"group": group, "version": "v1", "resource": format!("{}s", kind.to_lowercase())},
            "requestKind": {"group": group, "version": "v1", "kind": kind},
            "name": object["metadata"]["name"], "namespace": object["metadata"]["namespace"], "operation": operation,
            "userInfo": {"username": "alice", "groups": ["system:authenticated"]},
            "object": object, "oldObject": old, "dryRun": false, "options": {}
        }
    })
}

/// A Deployment of `containers` containers (images pinned by digest,
/// resources and probes set) with the security context given to each.
pub fn deployment(name: &str, containers: usize, security: serde_json::Value) -> serde_json::Value {
    let containers: Vec<_> = (0..containers)
        .map(|i| {
            serde_json::json!({
                "name": format!("c{i}"),
                "image": "registry.example.com/shop/web:1.4.2@sha256:40c92744c4ed2d44b283170439a2bfd3ade3e35f3390444b80127469cc47b151",
                "ports": [{"containerPort": 8080 + i}],
                "securityContext": security,
                "resources": {"requests": {"cpu": "100m", "memory": "128Mi"}, "limits": {"cpu": "500m", "memory": "256Mi"}},
                "livenessProbe": {"httpGet": {"path": "/healthz", "port": 8080 + i}},
                "readinessProbe": {"httpGet": {"path": "/ready", "port": 8080 + i}}
            })
        })
        .collect();
    serde_json::json!({
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": name, "namespace": "shop", "labels": {"app": name}},
        "spec": {"replicas": 3, "selector": {"matchLabels": {"app": name}}, "template": {
            "metadata": {"labels": {"app": name}},
            "spec": {"serviceAccountName": name, "automountServiceAccountToken": false,
                "securityContext": {"runAsNonRoot": true, "runAsUser": 10001, "runAsGroup": 10001, "fsGroup": 10001,
                    "seccompProfile": {"type": "RuntimeDefault"}},
                "containers": containers}}}
    })
}

/// The hardened container security context of `examples/hardened/web.yaml`.
pub fn hardened() -> serde_json::Value {
    serde_json::json!({"privileged": false, "allowPrivilegeEscalation": false, "readOnlyRootFilesystem": true,
        "runAsNonRoot": true, "capabilities": {"drop": ["ALL"]}})
}

/// Applies a JSON Patch of `add` operations (all `/mutate` produces) — the
/// API server's part, done here to check the patched object.
pub fn apply_adds(object: &mut serde_json::Value, patch: &serde_json::Value) {
    for op in patch.as_array().expect("a JSON Patch is an array") {
        assert_eq!(op["op"], "add", "{op}");
        let path = op["path"].as_str().unwrap();
        let (parent, last) = path.rsplit_once('/').unwrap();
        let target = object.pointer_mut(parent).unwrap_or_else(|| panic!("{path}: the parent does not exist"));
        match target {
            serde_json::Value::Object(map) => {
                let key = kubefort_model::unescape_token(last).into_owned();
                assert!(!map.contains_key(&key), "{path}: add over a value the user set");
                map.insert(key, op["value"].clone());
            }
            serde_json::Value::Array(items) if last == "-" => items.push(op["value"].clone()),
            other => panic!("{path}: cannot add into {other}"),
        }
    }
}
