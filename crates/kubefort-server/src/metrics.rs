//! `/metrics` in the Prometheus text exposition format (version 0.0.4).
//! The server counts requests and connections; each feature (the audit
//! webhook, later admission) appends its own families.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

/// A feature's metric families.
pub trait Source: Send + Sync {
    fn render(&self, out: &mut String);
}

/// Server-wide counters.
#[derive(Default)]
pub struct Metrics {
    /// (route, status code) → requests. Routes are the fixed set served, or `other`.
    requests: Mutex<BTreeMap<(&'static str, u16), u64>>,
    routes: Mutex<Vec<&'static str>>,
    pub(crate) connections: AtomicU64,
    pub(crate) tls_errors: AtomicU64,
    pub(crate) rejected_connections: AtomicU64,
    sources: Mutex<Vec<Arc<dyn Source>>>,
}

impl Metrics {
    pub(crate) fn add_route(&self, route: &'static str) {
        self.routes.lock().unwrap_or_else(PoisonError::into_inner).push(route);
    }

    pub(crate) fn add_source(&self, source: Arc<dyn Source>) {
        self.sources.lock().unwrap_or_else(PoisonError::into_inner).push(source);
    }

    /// The label for a request path: a served route, or `other` (bounded cardinality).
    pub(crate) fn route(&self, path: &str) -> &'static str {
        let routes = self.routes.lock().unwrap_or_else(PoisonError::into_inner);
        routes.iter().copied().find(|r| *r == path).unwrap_or("other")
    }

    pub(crate) fn request(&self, route: &'static str, code: u16) {
        *self.requests.lock().unwrap_or_else(PoisonError::into_inner).entry((route, code)).or_default() += 1;
    }

    pub fn render(&self) -> String {
        let mut out = String::with_capacity(4096);
        family(
            &mut out,
            "kubefort_http_requests_total",
            "counter",
            "HTTP requests answered, by route and status code.",
        );
        for ((route, code), n) in self.requests.lock().unwrap_or_else(PoisonError::into_inner).iter() {
            let _ = writeln!(out, "kubefort_http_requests_total{{route=\"{route}\",code=\"{code}\"}} {n}");
        }
        counter(&mut out, "kubefort_connections_total", "TCP connections accepted.", &self.connections);
        counter(
            &mut out,
            "kubefort_tls_handshake_errors_total",
            "Connections closed because the TLS handshake failed or timed out (plain HTTP included).",
            &self.tls_errors,
        );
        counter(
            &mut out,
            "kubefort_connections_rejected_total",
            "Connections closed at once because the connection limit was reached.",
            &self.rejected_connections,
        );
        for source in self.sources.lock().unwrap_or_else(PoisonError::into_inner).iter() {
            source.render(&mut out);
        }
        out
    }
}

pub(crate) fn family(out: &mut String, name: &str, kind: &str, help: &str) {
    let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} {kind}");
}

fn counter(out: &mut String, name: &str, help: &str, value: &AtomicU64) {
    family(out, name, "counter", help);
    let _ = writeln!(out, "{name} {}", value.load(Ordering::Relaxed));
}

/// Escapes a label value (`\`, `"` and newlines).
pub(crate) fn label(value: &str) -> String {
    value.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n")
}
