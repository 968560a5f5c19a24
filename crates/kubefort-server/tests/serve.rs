//! `kubefort serve --audit` end to end over real HTTPS on 127.0.0.1 (port 0),
//! with the harness of `tests/common`: a throwaway CA and server certificate
//! from rcgen, the server's own TLS loading, a rustls client speaking raw
//! HTTP/1.1. No other address is used.

mod common;

use common::{start_with, temp_dir, Ca, Reply, Running};
use kubefort_audit::{Analyzer, AuditSettings};
use kubefort_model::Severity;
use kubefort_server::{audit::AuditService, tls, Features, Limits};
use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// The alert writer handed to the server; the test reads what it wrote.
#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Capture {
    fn alerts(&self) -> Vec<serde_json::Value> {
        let text = String::from_utf8(self.0.lock().unwrap().clone()).unwrap();
        text.lines().map(|l| serde_json::from_str(l).expect("each alert is one JSON line")).collect()
    }
    fn rules(&self) -> Vec<String> {
        self.alerts().iter().map(|a| a["rule"].as_str().unwrap().to_owned()).collect()
    }
}

/// An audit server and the alerts it wrote.
struct AuditServer {
    running: Running,
    alerts: Capture,
}

impl std::ops::Deref for AuditServer {
    type Target = Running;
    fn deref(&self) -> &Running {
        &self.running
    }
}

impl AuditServer {
    async fn request(&self, method: &str, path: &str, body: &[u8]) -> Reply {
        self.running.request(method, path, "application/json", body).await
    }

    async fn metrics(&self) -> String {
        let reply = self.request("GET", "/metrics", b"").await;
        assert_eq!(reply.status, 200);
        reply.body
    }

    async fn stop(self) -> bool {
        self.running.stop().await
    }
}

async fn start(name: &str, limits: Limits) -> AuditServer {
    let alerts = Capture::default();
    let analyzer = Analyzer::new(AuditSettings::default(), |_| true);
    let audit = AuditService::new(analyzer, Box::new(alerts.clone()), Severity::Info);
    let running = start_with(name, Features { audit: Some(audit), admission: None }, limits).await;
    AuditServer { running, alerts }
}

fn event_list(items: &[serde_json::Value]) -> Vec<u8> {
    serde_json::json!({"kind": "EventList", "apiVersion": "audit.k8s.io/v1", "metadata": {}, "items": items})
        .to_string()
        .into_bytes()
}

fn exec_event() -> serde_json::Value {
    serde_json::json!({
        "kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "Request", "auditID": "exec-1",
        "stage": "ResponseStarted", "verb": "create",
        "requestURI": "/api/v1/namespaces/shop/pods/web-0/exec?command=sh&container=web&stdin=true&tty=true",
        "user": {"username": "mallory", "groups": ["system:authenticated"]}, "sourceIPs": ["192.0.2.10"],
        "objectRef": {"resource": "pods", "namespace": "shop", "name": "web-0", "subresource": "exec", "apiVersion": "v1"},
        "responseStatus": {"code": 101},
        "requestReceivedTimestamp": "2024-05-01T10:00:00.000000Z", "stageTimestamp": "2024-05-01T10:00:00.100000Z"
    })
}

fn cluster_admin_event() -> serde_json::Value {
    serde_json::json!({
        "kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "RequestResponse", "auditID": "crb-1",
        "stage": "ResponseComplete", "verb": "create",
        "requestURI": "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings",
        "user": {"username": "mallory", "groups": ["system:authenticated"]}, "sourceIPs": ["192.0.2.10"],
        "objectRef": {"resource": "clusterrolebindings", "name": "backdoor", "apiGroup": "rbac.authorization.k8s.io", "apiVersion": "v1"},
        "responseStatus": {"code": 201},
        "requestObject": {"kind": "ClusterRoleBinding", "apiVersion": "rbac.authorization.k8s.io/v1",
            "metadata": {"name": "backdoor"},
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "cluster-admin"},
            "subjects": [{"kind": "ServiceAccount", "name": "app", "namespace": "default"}]},
        "requestReceivedTimestamp": "2024-05-01T10:00:01.000000Z", "stageTimestamp": "2024-05-01T10:00:01.050000Z"
    })
}

fn forbidden(i: u32) -> serde_json::Value {
    serde_json::json!({
        "kind": "Event", "apiVersion": "audit.k8s.io/v1", "auditID": format!("denied-{i}"),
        "stage": "ResponseComplete", "verb": "list", "user": {"username": "prober"}, "sourceIPs": ["192.0.2.99"],
        "objectRef": {"resource": "secrets", "namespace": "kube-system"}, "responseStatus": {"code": 403},
        "stageTimestamp": format!("2024-05-01T10:01:{:02}Z", i)
    })
}

fn metric(metrics: &str, series: &str) -> Option<u64> {
    metrics.lines().find_map(|l| l.strip_prefix(series)?.strip_prefix(' ')?.parse().ok())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn event_list_alerts_live_and_metrics_count_them() {
    let server = start("alerts", Limits::default()).await;

    let reply = server.request("POST", "/audit", &event_list(&[exec_event(), cluster_admin_event()])).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(reply.body.trim(), r#"{"events":2,"alerts":3}"#, "{:?}", server.alerts.alerts());
    let alerts = server.alerts.alerts();
    // Exec (KF-AUD-009), the cluster-admin binding (KF-AUD-012) and its trail (KF-AUD-028, info).
    assert_eq!(server.alerts.rules(), ["KF-AUD-009", "KF-AUD-012", "KF-AUD-028"], "{alerts:?}");
    assert_eq!(alerts[0]["auditID"], "exec-1");
    assert!(alerts[1]["message"].as_str().unwrap().contains("cluster-admin"), "{}", alerts[1]);

    // One Event, not a list, is accepted too.
    let reply = server.request("POST", "/audit", exec_event().to_string().as_bytes()).await;
    assert_eq!(reply.status, 200, "{}", reply.body);

    // The windowed detectors keep one state across requests: 6 + 6 refusals
    // within the window make one burst (threshold 10 in 60 s), reported once
    // for the user and once for the source address.
    let first: Vec<_> = (0..6).map(forbidden).collect();
    let second: Vec<_> = (6..12).map(forbidden).collect();
    assert_eq!(server.request("POST", "/audit", &event_list(&first)).await.status, 200);
    assert!(!server.alerts.rules().contains(&"KF-AUD-030".to_owned()));
    assert_eq!(server.request("POST", "/audit", &event_list(&second)).await.status, 200);
    assert_eq!(server.alerts.rules().iter().filter(|r| *r == "KF-AUD-030").count(), 2, "{:?}", server.alerts.rules());

    let health = server.request("GET", "/healthz", b"").await;
    assert_eq!((health.status, health.body.trim()), (200, "ok"));

    let metrics = server.metrics().await;
    assert_eq!(metric(&metrics, "kubefort_audit_events_total"), Some(15), "{metrics}");
    assert_eq!(metric(&metrics, "kubefort_audit_batches_total"), Some(4), "{metrics}");
    assert_eq!(metric(&metrics, r#"kubefort_audit_alerts_total{rule="KF-AUD-009",severity="low"}"#), Some(2));
    assert_eq!(metric(&metrics, r#"kubefort_audit_alerts_total{rule="KF-AUD-012",severity="medium"}"#), Some(1));
    assert_eq!(metric(&metrics, r#"kubefort_http_requests_total{route="/audit",code="200"}"#), Some(4));
    assert_eq!(metric(&metrics, r#"kubefort_http_requests_total{route="/healthz",code="200"}"#), Some(1));
    assert!(metrics.contains("# TYPE kubefort_audit_alerts_total counter"), "{metrics}");

    assert!(server.stop().await, "requests in flight finished");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_requests_are_refused_with_reasons() {
    let limits = Limits { max_body: 4096, read_timeout: Duration::from_millis(300), ..Limits::default() };
    let server = start("refused", limits).await;

    let reply = server.request("POST", "/audit", b"{\"kind\": \"EventList\", \"items\": [").await;
    assert_eq!(reply.status, 400);
    assert!(reply.body.starts_with("invalid JSON"), "{}", reply.body);

    let reply = server.request("POST", "/audit", br#"{"kind":"Pod","apiVersion":"v1"}"#).await;
    assert_eq!(reply.status, 400);
    assert!(reply.body.contains("not recognized as a k8s audit event"), "{}", reply.body);

    // All or nothing: a list with one bad item is refused whole, and no alert is written.
    let reply = server.request("POST", "/audit", &event_list(&[exec_event(), serde_json::json!(5)])).await;
    assert_eq!(reply.status, 400);
    assert!(reply.body.contains("items/1"), "{}", reply.body);
    assert!(server.alerts.alerts().is_empty());

    for garbage in [&b""[..], b"null", b"[]", b"\xff\xfe", b"{\"kind\":\"EventList\",\"items\":{}}", b"{}"] {
        let reply = server.request("POST", "/audit", garbage).await;
        assert_eq!(reply.status, 400, "{garbage:?}: {}", reply.body);
    }

    // Over the limit, declared in Content-Length, or streamed in chunks.
    let reply = server.request("POST", "/audit", &vec![b' '; 5000]).await;
    assert_eq!(reply.status, 413, "{}", reply.body);
    let chunk = vec![b' '; 3000];
    let mut chunked =
        b"POST /audit HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n".to_vec();
    for _ in 0..2 {
        chunked.extend_from_slice(format!("{:x}\r\n", chunk.len()).as_bytes());
        chunked.extend_from_slice(&chunk);
        chunked.extend_from_slice(b"\r\n");
    }
    chunked.extend_from_slice(b"0\r\n\r\n");
    assert_eq!(server.raw(&chunked).await.status, 413);

    // A body that never arrives.
    let slow = b"POST /audit HTTP/1.1\r\nHost: localhost\r\nContent-Length: 100\r\n\r\n{\"kind\"";
    let reply = server.raw(slow).await;
    assert_eq!(reply.status, 408, "{}", reply.body);

    assert_eq!(server.request("GET", "/audit", b"").await.status, 405);
    assert_eq!(server.request("PUT", "/audit", b"{}").await.status, 405);
    assert_eq!(server.request("POST", "/metrics", b"").await.status, 405);
    assert_eq!(server.request("GET", "/nope", b"").await.status, 404);

    let metrics = server.metrics().await;
    assert_eq!(metric(&metrics, r#"kubefort_audit_bad_requests_total{reason="invalid_json"}"#), Some(3), "{metrics}");
    assert_eq!(metric(&metrics, r#"kubefort_audit_bad_requests_total{reason="not_audit"}"#), Some(6), "{metrics}");
    assert_eq!(metric(&metrics, r#"kubefort_audit_bad_requests_total{reason="too_large"}"#), Some(2), "{metrics}");
    assert_eq!(metric(&metrics, r#"kubefort_audit_bad_requests_total{reason="timeout"}"#), Some(1), "{metrics}");
    assert_eq!(metric(&metrics, r#"kubefort_http_requests_total{route="/audit",code="405"}"#), Some(2));
    assert_eq!(metric(&metrics, r#"kubefort_http_requests_total{route="other",code="404"}"#), Some(1));
    assert_eq!(metric(&metrics, "kubefort_audit_events_total"), Some(0));
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plain_http_to_the_tls_port_fails() {
    let server = start("plain", Limits::default()).await;
    let mut tcp = TcpStream::connect(server.addr).await.unwrap();
    let body = event_list(&[exec_event()]);
    let head = format!("POST /audit HTTP/1.1\r\nHost: localhost\r\nContent-Length: {}\r\n\r\n", body.len());
    // The server may close as soon as it reads the first bytes; a write error is fine.
    let _ = tcp.write_all(head.as_bytes()).await;
    let _ = tcp.write_all(&body).await;
    let mut bytes = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(5), tcp.read_to_end(&mut bytes)).await.expect("closed");
    assert!(!bytes.starts_with(b"HTTP/"), "an HTTP answer on the TLS port: {:?}", String::from_utf8_lossy(&bytes));
    assert!(server.alerts.alerts().is_empty());
    let metrics = server.metrics().await;
    assert_eq!(metric(&metrics, "kubefort_tls_handshake_errors_total"), Some(1), "{metrics}");
    assert_eq!(metric(&metrics, "kubefort_audit_events_total"), Some(0));
    let addr = server.addr;
    assert!(server.stop().await);
    assert!(TcpStream::connect(addr).await.is_err(), "the listener is closed after shutdown");
}

#[test]
fn unusable_tls_files_are_errors() {
    let dir = temp_dir("files");
    let (cert, key) = (dir.join("tls.crt"), dir.join("tls.key"));
    Ca::new("kubefort test CA").write_leaf(&cert, &key);
    let missing = dir.join("missing.pem");
    let empty = dir.join("empty.pem");
    std::fs::write(&empty, "").unwrap();
    assert!(tls::load(&missing, &key).unwrap_err().starts_with("--tls-cert"));
    assert!(tls::load(&empty, &key).unwrap_err().contains("no PEM"));
    assert!(tls::load(&cert, &empty).unwrap_err().starts_with("--tls-key"));
    let other_key = dir.join("other.key");
    Ca::new("another CA").write_leaf(&dir.join("other.crt"), &other_key);
    assert!(tls::load(&cert, &other_key).unwrap_err().contains("does not fit"));
    let _ = std::fs::remove_dir_all(&dir);
}
