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

/// A latency histogram with fixed buckets, lock-free to record.
pub(crate) struct Histogram {
    /// Upper bounds in seconds; the last bucket (`+Inf`) is `count`.
    bounds: &'static [f64],
    buckets: Vec<AtomicU64>,
    count: AtomicU64,
    sum_nanos: AtomicU64,
}

/// From half a millisecond (a typical review) to the API server's 10 s webhook limit.
pub(crate) const LATENCY_BUCKETS: &[f64] =
    &[0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0];

impl Histogram {
    pub(crate) fn new(bounds: &'static [f64]) -> Self {
        Histogram {
            bounds,
            buckets: bounds.iter().map(|_| AtomicU64::new(0)).collect(),
            count: AtomicU64::new(0),
            sum_nanos: AtomicU64::new(0),
        }
    }

    pub(crate) fn observe(&self, elapsed: std::time::Duration) {
        let seconds = elapsed.as_secs_f64();
        // Buckets are stored non-cumulative and summed when rendered.
        if let Some(i) = self.bounds.iter().position(|b| seconds <= *b) {
            self.buckets[i].fetch_add(1, Ordering::Relaxed);
        }
        self.count.fetch_add(1, Ordering::Relaxed);
        self.sum_nanos.fetch_add(elapsed.as_nanos().min(u64::MAX as u128) as u64, Ordering::Relaxed);
    }

    /// The series of one histogram; `labels` is `key="value"` (no braces) or empty.
    pub(crate) fn render(&self, out: &mut String, name: &str, labels: &str) {
        let sep = if labels.is_empty() { "" } else { "," };
        let mut cumulative = 0;
        for (bound, n) in self.bounds.iter().zip(&self.buckets) {
            cumulative += n.load(Ordering::Relaxed);
            let _ = writeln!(out, "{name}_bucket{{{labels}{sep}le=\"{bound}\"}} {cumulative}");
        }
        let count = self.count.load(Ordering::Relaxed);
        let _ = writeln!(out, "{name}_bucket{{{labels}{sep}le=\"+Inf\"}} {count}");
        let sum = self.sum_nanos.load(Ordering::Relaxed) as f64 / 1e9;
        let braces = if labels.is_empty() { String::new() } else { format!("{{{labels}}}") };
        let _ = writeln!(out, "{name}_sum{braces} {sum}");
        let _ = writeln!(out, "{name}_count{braces} {count}");
    }
}
