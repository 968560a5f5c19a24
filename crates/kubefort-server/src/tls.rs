//! TLS for every endpoint: a PEM certificate chain and key, rustls with the
//! `ring` provider, TLS 1.2 and 1.3, ALPN `http/1.1`. There is no plain-HTTP
//! listener.
//!
//! [`Certificates`] serves the key pair through a [`ResolvesServerCert`] so
//! a renewed certificate (cert-manager rewriting the Secret's files) is
//! picked up without a restart: [`Certificates::watch`] polls the files'
//! modification times and swaps the pair; a new pair that does not load
//! leaves the old one serving. Polling rather than inotify: mounted Secrets
//! change through symlink swaps that inotify watches on the file miss, and a
//! `stat` of two files every few seconds costs nothing.

use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::server::{ClientHello, ResolvesServerCert};
use rustls::sign::CertifiedKey;
use rustls::ServerConfig;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError, RwLock};
use std::time::{Duration, SystemTime};

/// Reads `--tls-cert` (the chain, leaf first) and `--tls-key` (PKCS#8,
/// PKCS#1 or SEC1) into a configuration that serves them as they are now,
/// without watching the files (see [`Certificates`] for that).
pub fn load(cert: &Path, key: &Path) -> Result<Arc<ServerConfig>, String> {
    Certificates::load(cert, key)?.server_config()
}

fn read_pem(cert: &Path, key: &Path) -> Result<(Vec<CertificateDer<'static>>, PrivateKeyDer<'static>), String> {
    let certs = CertificateDer::pem_file_iter(cert)
        .and_then(|certs| certs.collect::<Result<Vec<_>, _>>())
        .map_err(|e| format!("--tls-cert {}: {e}", cert.display()))?;
    if certs.is_empty() {
        return Err(format!("--tls-cert {}: no PEM `CERTIFICATE` block", cert.display()));
    }
    let key = PrivateKeyDer::from_pem_file(key).map_err(|e| format!("--tls-key {}: {e}", key.display()))?;
    Ok((certs, key))
}

fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// The certificate and key files, and the pair currently served.
#[derive(Debug)]
pub struct Certificates {
    cert: PathBuf,
    key: PathBuf,
    current: RwLock<Arc<CertifiedKey>>,
    /// The files' (modification time, length) at the last load attempt.
    seen: Mutex<Stamp>,
}

type Stamp = [Option<(SystemTime, u64)>; 2];

fn stamp(cert: &Path, key: &Path) -> Stamp {
    let of = |p: &Path| std::fs::metadata(p).ok().and_then(|m| Some((m.modified().ok()?, m.len())));
    [of(cert), of(key)]
}

fn certified(cert: &Path, key: &Path) -> Result<Arc<CertifiedKey>, String> {
    let (certs, key) = read_pem(cert, key)?;
    CertifiedKey::from_der(certs, key, &provider())
        .map(Arc::new)
        .map_err(|e| format!("TLS: the key does not fit the certificate or is not supported: {e}"))
}

impl Certificates {
    /// Loads the pair; errors are for the user (`--tls-cert …: …`).
    pub fn load(cert: &Path, key: &Path) -> Result<Arc<Certificates>, String> {
        let seen = stamp(cert, key);
        let current = certified(cert, key)?;
        Ok(Arc::new(Certificates {
            cert: cert.to_owned(),
            key: key.to_owned(),
            current: RwLock::new(current),
            seen: Mutex::new(seen),
        }))
    }

    /// A server configuration that always serves the current pair.
    pub fn server_config(self: &Arc<Self>) -> Result<Arc<ServerConfig>, String> {
        let mut config = ServerConfig::builder_with_provider(provider())
            .with_safe_default_protocol_versions()
            .map_err(|e| format!("TLS: {e}"))?
            .with_no_client_auth()
            .with_cert_resolver(self.clone());
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(Arc::new(config))
    }

    /// Loads the files again if either changed since the last attempt.
    /// `Ok(true)`: the new pair now serves. `Err`: it did not load and the
    /// old pair still serves; the same files are not tried again until they
    /// change once more (a half-written rotation is retried when completed).
    pub fn reload_if_changed(&self) -> Result<bool, String> {
        let now = stamp(&self.cert, &self.key);
        {
            let mut seen = self.seen.lock().unwrap_or_else(PoisonError::into_inner);
            if *seen == now {
                return Ok(false);
            }
            *seen = now;
        }
        let fresh = certified(&self.cert, &self.key)?;
        *self.current.write().unwrap_or_else(PoisonError::into_inner) = fresh;
        Ok(true)
    }

    /// Polls the files every `every`, forever; run it as a task.
    pub async fn watch(self: Arc<Self>, every: Duration) {
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            match self.reload_if_changed() {
                Ok(true) => eprintln!("kubefort: TLS certificate reloaded from {}", self.cert.display()),
                Ok(false) => {}
                Err(e) => eprintln!("kubefort: TLS certificate not reloaded, the previous one still serves: {e}"),
            }
        }
    }
}

impl ResolvesServerCert for Certificates {
    fn resolve(&self, _hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        Some(self.current.read().unwrap_or_else(PoisonError::into_inner).clone())
    }
}
