//! The admission webhooks: `POST /validate` and `POST /mutate` take an
//! `admission.k8s.io/v1` `AdmissionReview` and answer one, with the decision
//! made by `kubefort-admission`.
//!
//! Every answer is an `AdmissionReview` carrying the request's uid when the
//! body had one, errors included (`400` malformed, `413` too large, `415`
//! not JSON, `408` body too slow, `503` not decided within the handler
//! timeout), so the API server's log shows which request failed and why.

use crate::metrics::{family, label, Histogram, Source, LATENCY_BUCKETS};
use crate::Limits;
use axum::body::Body;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;
use kubefort_admission::review::{self, Status};
use kubefort_admission::{mutate, AdmissionResponse, BadReview, Validator};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Instant;

pub const VALIDATE: &str = "/validate";
pub const MUTATE: &str = "/mutate";

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Endpoint {
    Validate,
    Mutate,
}

impl Endpoint {
    fn as_str(self) -> &'static str {
        match self {
            Endpoint::Validate => "validate",
            Endpoint::Mutate => "mutate",
        }
    }
}

/// Both webhooks: the validator (rules and settings, built once) and the counters.
#[derive(Clone)]
pub struct AdmissionService {
    inner: Arc<Inner>,
}

struct Inner {
    validator: Validator,
    /// (endpoint, verdict, dry run) → reviews answered.
    reviews: Mutex<BTreeMap<(Endpoint, &'static str, bool), u64>>,
    /// Rule → requests it denied (dry runs left out: nothing was written).
    denials: Mutex<BTreeMap<&'static str, u64>>,
    /// (endpoint, reason) → requests refused before a decision.
    bad: Mutex<BTreeMap<(Endpoint, &'static str), u64>>,
    latency: [Histogram; 2],
}

/// A request refused before a decision.
struct Refused {
    status: StatusCode,
    reason: &'static str,
    uid: Option<String>,
    message: String,
}

impl AdmissionService {
    pub fn new(validator: Validator) -> Self {
        AdmissionService {
            inner: Arc::new(Inner {
                validator,
                reviews: Mutex::default(),
                denials: Mutex::default(),
                bad: Mutex::default(),
                latency: [Histogram::new(LATENCY_BUCKETS), Histogram::new(LATENCY_BUCKETS)],
            }),
        }
    }

    pub(crate) fn router(&self, limits: Limits) -> Router {
        Router::new()
            .route(VALIDATE, post(validate).with_state((self.clone(), limits)))
            .route(MUTATE, post(mutate_handler).with_state((self.clone(), limits)))
    }

    /// Decides one `/validate` body (no I/O). The answer is the response JSON.
    fn validate_body(&self, body: &[u8]) -> Result<Vec<u8>, Refused> {
        let request = review::parse(body).map_err(bad_review)?;
        let decision = self.inner.validator.validate(&request).map_err(bad_review)?;
        self.count(Endpoint::Validate, decision.verdict.as_str(), decision.dry_run);
        if !decision.dry_run && !decision.denied_by.is_empty() {
            let mut denials = self.inner.denials.lock().unwrap_or_else(PoisonError::into_inner);
            for rule in &decision.denied_by {
                *denials.entry(rule).or_default() += 1;
            }
        }
        Ok(decision.response.to_review_json())
    }

    /// Decides one `/mutate` body (no I/O).
    fn mutate_body(&self, body: &[u8]) -> Result<Vec<u8>, Refused> {
        let request = review::parse(body).map_err(bad_review)?;
        let mutation = mutate(&request, self.inner.validator.admission()).map_err(bad_review)?;
        let verdict = if mutation.operations > 0 { "patched" } else { "unchanged" };
        self.count(Endpoint::Mutate, verdict, request.dry_run.unwrap_or(false));
        Ok(mutation.response.to_review_json())
    }

    fn count(&self, endpoint: Endpoint, verdict: &'static str, dry_run: bool) {
        *self
            .inner
            .reviews
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .entry((endpoint, verdict, dry_run))
            .or_default() += 1;
    }

    fn refused(&self, endpoint: Endpoint, refused: Refused) -> Response {
        *self
            .inner
            .bad
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .entry((endpoint, refused.reason))
            .or_default() += 1;
        let mut response = AdmissionResponse::allow(refused.uid.as_deref().unwrap_or(""));
        response.allowed = false;
        response.status = Some(Status { code: refused.status.as_u16(), reason: "", message: refused.message });
        (refused.status, [(header::CONTENT_TYPE, "application/json")], response.to_review_json()).into_response()
    }
}

fn bad_review(e: BadReview) -> Refused {
    Refused { status: StatusCode::BAD_REQUEST, reason: "malformed", uid: e.uid, message: e.message }
}

async fn validate(
    State((service, limits)): State<(AdmissionService, Limits)>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    handle(service, limits, Endpoint::Validate, headers, body).await
}

async fn mutate_handler(
    State((service, limits)): State<(AdmissionService, Limits)>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    handle(service, limits, Endpoint::Mutate, headers, body).await
}

async fn handle(
    service: AdmissionService,
    limits: Limits,
    endpoint: Endpoint,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let started = Instant::now();
    let answer = tokio::time::timeout(limits.handler_timeout, answer(&service, limits, endpoint, &headers, body)).await;
    let response = match answer {
        Ok(Ok(json)) => (StatusCode::OK, [(header::CONTENT_TYPE, "application/json")], json).into_response(),
        Ok(Err(refused)) => service.refused(endpoint, refused),
        Err(_) => service.refused(
            endpoint,
            Refused {
                status: StatusCode::SERVICE_UNAVAILABLE,
                reason: "timeout",
                uid: None,
                message: format!("not decided within {} ms (--handler-timeout)", limits.handler_timeout.as_millis()),
            },
        ),
    };
    service.inner.latency[endpoint as usize].observe(started.elapsed());
    response
}

async fn answer(
    service: &AdmissionService,
    limits: Limits,
    endpoint: Endpoint,
    headers: &HeaderMap,
    body: Body,
) -> Result<Vec<u8>, Refused> {
    if !is_json(headers) {
        let got = headers
            .get(header::CONTENT_TYPE)
            .map_or("none".into(), |v| String::from_utf8_lossy(v.as_bytes()).into_owned());
        return Err(Refused {
            status: StatusCode::UNSUPPORTED_MEDIA_TYPE,
            reason: "content_type",
            uid: None,
            message: format!("Content-Type must be application/json, got {got}"),
        });
    }
    let bytes = crate::body::read(limits, headers, body).await.map_err(|e| Refused {
        status: e.status,
        reason: e.reason,
        uid: None,
        message: e.message,
    })?;
    // Parsing and the rules are CPU work: run them off the I/O threads, so a
    // slow evaluation cannot stall other connections and the timeout above can fire.
    let worker = service.clone();
    let decided = tokio::task::spawn_blocking(move || match endpoint {
        Endpoint::Validate => worker.validate_body(&bytes),
        Endpoint::Mutate => worker.mutate_body(&bytes),
    })
    .await;
    decided.unwrap_or_else(|_| {
        Err(Refused {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            reason: "internal",
            uid: None,
            message: "internal error while deciding the review".into(),
        })
    })
}

/// `application/json`, with any parameters (`; charset=utf-8`).
fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|media| media.trim().eq_ignore_ascii_case("application/json"))
}

impl Source for AdmissionService {
    fn render(&self, out: &mut String) {
        let reviews = self.inner.reviews.lock().unwrap_or_else(PoisonError::into_inner).clone();
        let denials = self.inner.denials.lock().unwrap_or_else(PoisonError::into_inner).clone();
        let bad = self.inner.bad.lock().unwrap_or_else(PoisonError::into_inner).clone();
        family(
            out,
            "kubefort_admission_reviews_total",
            "counter",
            "Admission reviews answered, by endpoint, verdict and dry run.",
        );
        for ((endpoint, verdict, dry_run), n) in &reviews {
            let _ = writeln!(
                out,
                "kubefort_admission_reviews_total{{endpoint=\"{}\",verdict=\"{verdict}\",dry_run=\"{dry_run}\"}} {n}",
                endpoint.as_str()
            );
        }
        family(
            out,
            "kubefort_admission_denials_total",
            "counter",
            "Requests denied by /validate, by rule (dry runs left out).",
        );
        for (rule, n) in &denials {
            let _ = writeln!(out, "kubefort_admission_denials_total{{rule=\"{}\"}} {n}", label(rule));
        }
        family(
            out,
            "kubefort_admission_bad_requests_total",
            "counter",
            "Admission requests refused before a decision, by endpoint and reason.",
        );
        for ((endpoint, reason), n) in &bad {
            let _ = writeln!(
                out,
                "kubefort_admission_bad_requests_total{{endpoint=\"{}\",reason=\"{reason}\"}} {n}",
                endpoint.as_str()
            );
        }
        let name = "kubefort_admission_duration_seconds";
        family(out, name, "histogram", "Time from the request's headers to its answer, by endpoint.");
        for endpoint in [Endpoint::Validate, Endpoint::Mutate] {
            self.inner.latency[endpoint as usize].render(out, name, &format!("endpoint=\"{}\"", endpoint.as_str()));
        }
    }
}
