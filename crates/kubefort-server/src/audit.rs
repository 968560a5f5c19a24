//! The audit webhook: `POST /audit` takes what the API server's webhook
//! backend sends (an `audit.k8s.io/v1` or `v1beta1` `EventList`, or one
//! `Event`), runs it through the same detectors as `kubefort audit analyze`
//! and writes each alert as one JSON line.
//!
//! One [`Analyzer`] serves every request, behind one mutex, so the windowed
//! detectors see every event exactly once and their windows stay exact. A
//! request is all or nothing: its body is parsed and checked in full before
//! any event reaches the detectors, so a rejected batch leaves no trace and a
//! retried one is not analysed twice.

use crate::metrics::{family, label, Source};
use crate::Limits;
use axum::body::Body;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;
use kubefort_audit::event::{recognise, Event};
use kubefort_audit::{Alert, Analyzer};
use kubefort_model::Severity;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::Write;
use std::sync::{Arc, Mutex, PoisonError};

/// The route the API server posts to.
pub const PATH: &str = "/audit";

/// The audit webhook: detectors, where alerts go, and its counters.
#[derive(Clone)]
pub struct AuditService {
    inner: Arc<Inner>,
}

struct Inner {
    state: Mutex<AnalyzerState>,
    bad: Mutex<BTreeMap<&'static str, u64>>,
}

struct AnalyzerState {
    analyzer: Analyzer,
    out: Box<dyn Write + Send>,
    min_severity: Severity,
    batches: u64,
    alerts: BTreeMap<(&'static str, Severity), u64>,
    write_errors: u64,
}

/// What one accepted request did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ingested {
    pub events: usize,
    pub alerts: usize,
}

/// Why a request was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejected {
    pub status: StatusCode,
    /// The `reason` label of `kubefort_audit_bad_requests_total`.
    pub reason: &'static str,
    pub message: String,
}

impl Rejected {
    fn new(status: StatusCode, reason: &'static str, message: String) -> Self {
        Rejected { status, reason, message }
    }
}

impl AuditService {
    /// Alerts at or above `min_severity` are written to `out` as JSON lines,
    /// flushed after each request; every alert is counted in the metrics.
    pub fn new(analyzer: Analyzer, out: Box<dyn Write + Send>, min_severity: Severity) -> Self {
        let state = AnalyzerState { analyzer, out, min_severity, batches: 0, alerts: BTreeMap::new(), write_errors: 0 };
        AuditService { inner: Arc::new(Inner { state: Mutex::new(state), bad: Mutex::new(BTreeMap::new()) }) }
    }

    pub(crate) fn router(&self, limits: Limits) -> Router {
        Router::new().route(PATH, post(receive).with_state((self.clone(), limits)))
    }

    /// Parses a request body (an `EventList` or one `Event`) and, when all of
    /// it is valid, runs every event through the detectors. Never panics.
    pub fn ingest(&self, body: &[u8]) -> Result<Ingested, Rejected> {
        let events = match parse(body) {
            Ok(events) => events,
            Err(rejected) => {
                self.reject(rejected.reason);
                return Err(rejected);
            }
        };
        let mut guard = self.inner.state.lock().unwrap_or_else(PoisonError::into_inner);
        let AnalyzerState { analyzer, out, min_severity, batches, alerts, write_errors } = &mut *guard;
        *batches += 1;
        let (mut count, mut failed) = (0usize, false);
        for ev in &events {
            analyzer.analyze(ev, &mut |alert: Alert| {
                count += 1;
                *alerts.entry((alert.rule, alert.severity)).or_default() += 1;
                if alert.severity >= *min_severity && !failed {
                    failed = serde_json::to_writer(&mut *out, &alert).is_err() || out.write_all(b"\n").is_err();
                }
            });
        }
        if failed || out.flush().is_err() {
            *write_errors += 1;
        }
        Ok(Ingested { events: events.len(), alerts: count })
    }

    fn reject(&self, reason: &'static str) {
        *self.inner.bad.lock().unwrap_or_else(PoisonError::into_inner).entry(reason).or_default() += 1;
    }
}

/// The events of a body, every one checked, or why the body is refused.
fn parse(body: &[u8]) -> Result<Vec<Event<'_>>, Rejected> {
    let bad = |reason, message| Rejected::new(StatusCode::BAD_REQUEST, reason, message);
    let mut event: Event<'_> = serde_json::from_slice(body).map_err(|e| {
        if e.is_data() {
            bad("not_audit", format!("not an audit.k8s.io Event or EventList: {e}"))
        } else {
            bad("invalid_json", format!("invalid JSON: {e}"))
        }
    })?;
    recognise(&event).map_err(|e| bad("not_audit", e))?;
    if event.kind != "EventList" {
        return Ok(vec![event]);
    }
    let items = event.items.take().unwrap_or_default();
    let mut events = Vec::with_capacity(items.len());
    for (i, item) in items.into_iter().enumerate() {
        let ev: Event<'_> = serde_json::from_str(item.get())
            .map_err(|e| bad("not_audit", format!("items/{i}: not an audit event: {e}")))?;
        recognise(&ev).map_err(|e| bad("not_audit", format!("items/{i}: {e}")))?;
        if ev.kind == "EventList" {
            return Err(bad("not_audit", format!("items/{i}: an EventList inside an EventList")));
        }
        events.push(ev);
    }
    Ok(events)
}

async fn receive(State((service, limits)): State<(AuditService, Limits)>, headers: HeaderMap, body: Body) -> Response {
    match read_and_ingest(&service, limits, &headers, body).await {
        Ok(done) => (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "application/json")],
            format!("{{\"events\":{},\"alerts\":{}}}\n", done.events, done.alerts),
        )
            .into_response(),
        Err(rejected) => (rejected.status, format!("{}\n", rejected.message)).into_response(),
    }
}

async fn read_and_ingest(
    service: &AuditService,
    limits: Limits,
    headers: &HeaderMap,
    body: Body,
) -> Result<Ingested, Rejected> {
    let reject = |rejected: Rejected| {
        service.reject(rejected.reason);
        rejected
    };
    let bytes = crate::body::read(limits, headers, body)
        .await
        .map_err(|e| reject(Rejected::new(e.status, e.reason, e.message)))?;
    // Parsing and the detectors are CPU work: keep them off the I/O threads.
    let worker = service.clone();
    match tokio::task::spawn_blocking(move || worker.ingest(&bytes)).await {
        Ok(result) => result,
        Err(_) => Err(reject(Rejected::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "internal error while analysing the events".into(),
        ))),
    }
}

impl Source for AuditService {
    fn render(&self, out: &mut String) {
        let (events, batches, tracked, write_errors, alerts) = {
            let s = self.inner.state.lock().unwrap_or_else(PoisonError::into_inner);
            (s.analyzer.events(), s.batches, s.analyzer.tracked(), s.write_errors, s.alerts.clone())
        };
        let bad = self.inner.bad.lock().unwrap_or_else(PoisonError::into_inner).clone();
        family(out, "kubefort_audit_events_total", "counter", "Audit events run through the detectors.");
        let _ = writeln!(out, "kubefort_audit_events_total {events}");
        family(out, "kubefort_audit_batches_total", "counter", "Audit webhook requests accepted (Event or EventList).");
        let _ = writeln!(out, "kubefort_audit_batches_total {batches}");
        family(out, "kubefort_audit_alerts_total", "counter", "Alerts raised, by rule and severity.");
        for ((rule, severity), n) in &alerts {
            let _ = writeln!(
                out,
                "kubefort_audit_alerts_total{{rule=\"{}\",severity=\"{}\"}} {n}",
                label(rule),
                severity.as_str()
            );
        }
        family(out, "kubefort_audit_bad_requests_total", "counter", "Audit webhook requests refused, by reason.");
        for (reason, n) in &bad {
            let _ = writeln!(out, "kubefort_audit_bad_requests_total{{reason=\"{reason}\"}} {n}");
        }
        family(
            out,
            "kubefort_audit_alert_write_errors_total",
            "counter",
            "Requests whose alerts could not all be written out.",
        );
        let _ = writeln!(out, "kubefort_audit_alert_write_errors_total {write_errors}");
        family(out, "kubefort_audit_tracked_entries", "gauge", "Entries held by the windowed anomaly detectors.");
        let _ = writeln!(out, "kubefort_audit_tracked_entries {tracked}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn service() -> AuditService {
        let analyzer = Analyzer::new(kubefort_audit::AuditSettings::default(), |_| true);
        AuditService::new(analyzer, Box::new(std::io::sink()), Severity::Info)
    }

    #[test]
    fn any_body_is_an_answer_never_a_panic() {
        let service = service();
        let nested = r#"{"kind":"EventList","items":[{"kind":"EventList","items":[]}]}"#;
        let deep = "[".repeat(100_000);
        for body in [
            &b""[..],
            b"\xff\xfe\x00",
            b"{",
            b"}}}",
            b"\"text\"",
            b"12",
            b"{\"kind\":\"EventList\",\"items\":null}",
            b"{\"kind\":\"EventList\",\"items\":[null,1,\"x\",[]]}",
            b"{\"kind\":\"Event\",\"objectRef\":7}",
            b"{\"kind\":\"Event\",\"requestObject\":{\"roleRef\":{\"name\":[]}}}",
            nested.as_bytes(),
            deep.as_bytes(),
        ] {
            if let Err(rejected) = service.ingest(body) {
                assert_eq!(rejected.status, StatusCode::BAD_REQUEST);
                assert!(!rejected.message.is_empty());
            }
        }
        let empty = service.ingest(br#"{"kind":"EventList","apiVersion":"audit.k8s.io/v1","items":[]}"#);
        assert_eq!(empty, Ok(Ingested { events: 0, alerts: 0 }));
        assert!(service.ingest(nested.as_bytes()).unwrap_err().message.contains("inside an EventList"));
    }
}
