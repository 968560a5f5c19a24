//! kubefort's HTTPS endpoints (`kubefort serve`).
//!
//! One TLS listener serves a router assembled per feature: the audit webhook
//! at `/audit` ([`audit`]) and the admission webhooks at `/validate` and
//! `/mutate` ([`admission`]), each a router of its own merged into the app,
//! plus `/healthz`, `/readyz` and `/metrics` ([`metrics`]). There is no
//! plain-HTTP listener; the certificate is reloaded when its files change
//! ([`tls::Certificates`]).
//!
//! Limits: a request-body cap (`413`), a body-read timeout (`408`), a
//! header-read timeout, a TLS-handshake timeout, a connection cap, and for
//! admission a handler timeout (`503`); malformed bodies get `400` with the
//! reason. On shutdown `/readyz` turns `503`, the listener closes, requests
//! in flight finish (up to a grace period), and the process exits.

pub mod admission;
pub mod audit;
mod body;
pub mod metrics;
pub mod tls;

use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use metrics::Metrics;
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tokio_rustls::TlsAcceptor;

/// Resource limits for every connection and request.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Largest request body accepted (bytes); larger → `413`.
    pub max_body: usize,
    /// Time to receive a request body; slower → `408`.
    pub read_timeout: Duration,
    /// Time to receive a request's headers (also bounds idle keep-alive waits for them).
    pub header_timeout: Duration,
    /// Time to finish the TLS handshake.
    pub handshake_timeout: Duration,
    /// Connections served at once; more are closed on accept.
    pub max_connections: usize,
    /// Time given to requests in flight on shutdown.
    pub shutdown_grace: Duration,
    /// Time to answer an admission review once its headers arrived, body
    /// included; later → `503`. Under the API server's webhook timeout (10 s
    /// at most) so it gets an answer, not a dropped connection.
    pub handler_timeout: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_body: 10 << 20,
            read_timeout: Duration::from_secs(30),
            header_timeout: Duration::from_secs(30),
            handshake_timeout: Duration::from_secs(10),
            max_connections: 1024,
            shutdown_grace: Duration::from_secs(20),
            handler_timeout: Duration::from_secs(9),
        }
    }
}

/// The features to serve; each brings its own router.
#[derive(Default)]
pub struct Features {
    /// `POST /audit`: the API server's audit webhook backend.
    pub audit: Option<audit::AuditService>,
    /// `POST /validate` and `POST /mutate`: the admission webhooks.
    pub admission: Option<admission::AdmissionService>,
}

impl Features {
    pub fn is_empty(&self) -> bool {
        self.audit.is_none() && self.admission.is_none()
    }

    /// The routes served, for the startup message.
    pub fn routes(&self) -> Vec<&'static str> {
        let mut routes = Vec::new();
        if self.audit.is_some() {
            routes.push(audit::PATH);
        }
        if self.admission.is_some() {
            routes.extend([admission::VALIDATE, admission::MUTATE]);
        }
        routes.extend(["/metrics", "/healthz", "/readyz"]);
        routes
    }
}

/// The whole app: every feature's router, `/healthz`, `/readyz`, `/metrics`,
/// and request counting. `ready` answers `/readyz`.
pub fn app(features: Features, limits: Limits, ready: Arc<AtomicBool>) -> (Router, Arc<Metrics>) {
    let metrics = Arc::new(Metrics::default());
    let mut app = Router::new();
    if let Some(audit) = features.audit {
        metrics.add_route(audit::PATH);
        metrics.add_source(Arc::new(audit.clone()));
        app = app.merge(audit.router(limits));
    }
    if let Some(admission) = features.admission {
        metrics.add_route(admission::VALIDATE);
        metrics.add_route(admission::MUTATE);
        metrics.add_source(Arc::new(admission.clone()));
        app = app.merge(admission.router(limits));
    }
    metrics.add_route("/metrics");
    metrics.add_route("/healthz");
    metrics.add_route("/readyz");
    let app = app
        .route("/healthz", get(|| async { "ok\n" }))
        .route("/readyz", get(readyz).with_state(ready))
        .route("/metrics", get(render_metrics).with_state(metrics.clone()))
        .fallback(|| async { (StatusCode::NOT_FOUND, "not found\n") })
        .layer(middleware::from_fn_with_state(metrics.clone(), count));
    (app, metrics)
}

/// Ready while serving; `503` once shutdown began, so no new request is routed here.
async fn readyz(State(ready): State<Arc<AtomicBool>>) -> Response {
    if ready.load(Ordering::Relaxed) {
        (StatusCode::OK, "ready\n").into_response()
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "shutting down\n").into_response()
    }
}

async fn render_metrics(State(metrics): State<Arc<Metrics>>) -> Response {
    ([(axum::http::header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")], metrics.render()).into_response()
}

async fn count(State(metrics): State<Arc<Metrics>>, request: Request, next: Next) -> Response {
    let route = metrics.route(request.uri().path());
    let response = next.run(request).await;
    metrics.request(route, response.status().as_u16());
    response
}

/// A bound TLS listener, ready to serve.
pub struct Server {
    listener: TcpListener,
    acceptor: TlsAcceptor,
    app: Router,
    metrics: Arc<Metrics>,
    limits: Limits,
    ready: Arc<AtomicBool>,
}

impl Server {
    pub async fn bind(
        listen: SocketAddr,
        tls: Arc<rustls::ServerConfig>,
        features: Features,
        limits: Limits,
    ) -> io::Result<Self> {
        let listener = TcpListener::bind(listen).await?;
        let ready = Arc::new(AtomicBool::new(false));
        let (app, metrics) = app(features, limits, ready.clone());
        Ok(Server { listener, acceptor: TlsAcceptor::from(tls), app, metrics, limits, ready })
    }

    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    pub fn metrics(&self) -> Arc<Metrics> {
        self.metrics.clone()
    }

    /// Serves until `shutdown` completes, then lets requests in flight finish
    /// (up to `shutdown_grace`). Returns whether they all did.
    pub async fn run(self, shutdown: impl Future<Output = ()>) -> bool {
        let Server { listener, acceptor, app, metrics, limits, ready } = self;
        ready.store(true, Ordering::Relaxed);
        let graceful = GracefulShutdown::new();
        let slots = Arc::new(Semaphore::new(limits.max_connections.max(1)));
        let service = TowerToHyperService::new(app);
        let mut shutdown = std::pin::pin!(shutdown);
        loop {
            let (tcp, _peer) = tokio::select! {
                () = &mut shutdown => break,
                accepted = listener.accept() => match accepted {
                    Ok(accepted) => accepted,
                    Err(_) => {
                        // Out of file descriptors or a connection reset before accept: wait, go on.
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    }
                },
            };
            metrics.connections.fetch_add(1, Ordering::Relaxed);
            let Ok(slot) = slots.clone().try_acquire_owned() else {
                metrics.rejected_connections.fetch_add(1, Ordering::Relaxed);
                continue;
            };
            let _ = tcp.set_nodelay(true);
            let (acceptor, service, metrics, watcher) =
                (acceptor.clone(), service.clone(), metrics.clone(), graceful.watcher());
            tokio::spawn(async move {
                let _slot = slot;
                let stream = match tokio::time::timeout(limits.handshake_timeout, acceptor.accept(tcp)).await {
                    Ok(Ok(stream)) => stream,
                    _ => {
                        metrics.tls_errors.fetch_add(1, Ordering::Relaxed);
                        return;
                    }
                };
                let mut http = hyper::server::conn::http1::Builder::new();
                http.timer(TokioTimer::new()).header_read_timeout(limits.header_timeout);
                let connection = http.serve_connection(TokioIo::new(stream), service);
                // Errors here are the client's (reset, timeout, bad request line): nothing to do.
                let _ = watcher.watch(connection).await;
            });
        }
        ready.store(false, Ordering::Relaxed);
        drop(listener);
        tokio::select! {
            () = graceful.shutdown() => true,
            () = tokio::time::sleep(limits.shutdown_grace) => false,
        }
    }
}

/// Completes on SIGTERM (what the kubelet sends) or ctrl-c.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut term) => {
                term.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = term => {}
    }
}

/// How often `kubefort serve` looks at the certificate files.
pub const CERT_POLL: Duration = Duration::from_secs(10);

/// `kubefort serve`: binds, prints where it listens on stderr, serves until
/// SIGTERM or ctrl-c, reloading the certificate when its files change.
/// Errors are for the user (bind failures, unusable TLS files).
pub fn serve(
    listen: SocketAddr,
    certificates: Arc<tls::Certificates>,
    features: Features,
    limits: Limits,
) -> Result<(), String> {
    let tls = certificates.server_config()?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("could not start the runtime: {e}"))?;
    runtime.block_on(async {
        let routes = features.routes().join(", ");
        tokio::spawn(certificates.watch(CERT_POLL));
        let server =
            Server::bind(listen, tls, features, limits).await.map_err(|e| format!("--listen {listen}: {e}"))?;
        let addr = server.local_addr().map_err(|e| format!("--listen {listen}: {e}"))?;
        eprintln!("kubefort: listening on https://{addr} ({routes})");
        let clean = server.run(shutdown_signal()).await;
        if clean {
            eprintln!("kubefort: stopped");
        } else {
            eprintln!("kubefort: stopped; requests still in flight after the grace period were cut");
        }
        Ok(())
    })
}
