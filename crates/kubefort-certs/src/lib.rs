//! A CA and a serving certificate for kubefort's admission webhook.
//!
//! The API server calls the webhook at `https://NAME.NS.svc` and trusts only
//! the CA named in the webhook configuration's `caBundle`. [`issue`] makes a
//! fresh CA (ECDSA P-256) and signs a serving certificate for the Service's
//! names with it; [`write_files`] stores them (keys mode 0600);
//! [`patch_ca_bundles`] writes the CA into webhook configurations on disk.

use base64::Engine;
use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose,
};
use std::fmt;
use std::path::{Path, PathBuf};
use time::{Duration, OffsetDateTime};

/// What to issue.
#[derive(Debug, Clone)]
pub struct Request {
    /// The Service's name and namespace (`kubefort`, `kubefort`).
    pub service: String,
    pub namespace: String,
    /// Validity of both certificates, from now.
    pub days: u32,
}

/// A CA and a serving certificate signed by it, in PEM (and DER for checks).
pub struct Issued {
    pub ca_cert_pem: String,
    pub ca_key_pem: String,
    pub cert_pem: String,
    pub key_pem: String,
    pub ca_cert_der: Vec<u8>,
    pub cert_der: Vec<u8>,
    pub dns_names: Vec<String>,
}

// Private keys never reach a log line.
impl fmt::Debug for Issued {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Issued").field("dns_names", &self.dns_names).finish_non_exhaustive()
    }
}

impl Issued {
    /// The CA certificate as the webhook configurations' `caBundle` wants it:
    /// base64 of the PEM.
    pub fn ca_bundle(&self) -> String {
        base64::engine::general_purpose::STANDARD.encode(self.ca_cert_pem.as_bytes())
    }
}

#[derive(Debug)]
pub enum Error {
    /// A name that is not a DNS label (RFC 1123), or a bad number of days.
    Invalid(String),
    Crypto(rcgen::Error),
    Io(PathBuf, std::io::Error),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Invalid(m) => f.write_str(m),
            Error::Crypto(e) => write!(f, "cannot make the certificate: {e}"),
            Error::Io(path, e) => write!(f, "{}: {e}", path.display()),
        }
    }
}

impl std::error::Error for Error {}

impl From<rcgen::Error> for Error {
    fn from(e: rcgen::Error) -> Self {
        Error::Crypto(e)
    }
}

/// Longest validity accepted: ten years.
pub const MAX_DAYS: u32 = 3650;

/// The names the API server may use for the Service: `NAME.NS.svc` (what it
/// dials), `NAME.NS.svc.cluster.local`, `NAME.NS` and `NAME`.
pub fn dns_names(service: &str, namespace: &str) -> Vec<String> {
    vec![
        format!("{service}.{namespace}.svc"),
        format!("{service}.{namespace}.svc.cluster.local"),
        format!("{service}.{namespace}"),
        service.to_owned(),
    ]
}

fn check_label(what: &str, value: &str) -> Result<(), Error> {
    let ok = !value.is_empty()
        && value.len() <= 63
        && value.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !value.starts_with('-')
        && !value.ends_with('-');
    if ok {
        Ok(())
    } else {
        Err(Error::Invalid(format!(
            "{what} {value:?} is not a DNS label (lowercase letters, digits and '-', at most 63, not starting or ending with '-')"
        )))
    }
}

/// Makes a new CA and a serving certificate for the Service.
pub fn issue(request: &Request) -> Result<Issued, Error> {
    check_label("--service", &request.service)?;
    check_label("--namespace", &request.namespace)?;
    if request.days == 0 || request.days > MAX_DAYS {
        return Err(Error::Invalid(format!("--days must be between 1 and {MAX_DAYS}, not {}", request.days)));
    }
    // A few minutes back: a node whose clock is slightly behind still accepts it.
    let not_before = OffsetDateTime::now_utc() - Duration::minutes(5);
    let not_after = OffsetDateTime::now_utc() + Duration::days(i64::from(request.days));

    let ca_key = KeyPair::generate()?;
    let mut ca = CertificateParams::new(Vec::<String>::new())?;
    ca.distinguished_name = name(&format!("kubefort webhook CA ({}/{})", request.namespace, request.service));
    ca.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    ca.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    ca.not_before = not_before;
    ca.not_after = not_after;
    let ca_cert = ca.self_signed(&ca_key)?;

    let dns_names = dns_names(&request.service, &request.namespace);
    let key = KeyPair::generate()?;
    let mut leaf = CertificateParams::new(dns_names.clone())?;
    leaf.distinguished_name = name(&dns_names[0]);
    leaf.is_ca = IsCa::ExplicitNoCa;
    leaf.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    leaf.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    leaf.use_authority_key_identifier_extension = true;
    leaf.not_before = not_before;
    leaf.not_after = not_after;
    let issuer = Issuer::new(ca, &ca_key);
    let cert = leaf.signed_by(&key, &issuer)?;

    Ok(Issued {
        ca_cert_pem: ca_cert.pem(),
        ca_key_pem: ca_key.serialize_pem(),
        cert_pem: cert.pem(),
        key_pem: key.serialize_pem(),
        ca_cert_der: ca_cert.der().to_vec(),
        cert_der: cert.der().to_vec(),
        dns_names,
    })
}

fn name(common_name: &str) -> DistinguishedName {
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CommonName, common_name);
    dn
}

/// Writes `ca.crt`, `ca.key`, `tls.crt` and `tls.key` (the names
/// `kubectl create secret tls` and the Deployment expect) into `dir`,
/// creating it. Keys are created with mode 0600 (never world-readable, not
/// even for an instant); an existing file is refused rather than overwritten.
pub fn write_files(dir: &Path, issued: &Issued) -> Result<Vec<PathBuf>, Error> {
    std::fs::create_dir_all(dir).map_err(|e| Error::Io(dir.to_owned(), e))?;
    let files = [
        ("ca.crt", &issued.ca_cert_pem, false),
        ("ca.key", &issued.ca_key_pem, true),
        ("tls.crt", &issued.cert_pem, false),
        ("tls.key", &issued.key_pem, true),
    ];
    for (file, _, _) in &files {
        let path = dir.join(file);
        if path.exists() {
            return Err(Error::Invalid(format!("{} exists; remove it or choose another --out", path.display())));
        }
    }
    let mut written = Vec::new();
    for (file, text, secret) in files {
        let path = dir.join(file);
        write_new(&path, text.as_bytes(), secret).map_err(|e| Error::Io(path.clone(), e))?;
        written.push(path);
    }
    Ok(written)
}

fn write_new(path: &Path, bytes: &[u8], secret: bool) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(if secret { 0o600 } else { 0o644 });
    }
    #[cfg(not(unix))]
    let _ = secret;
    options.open(path)?.write_all(bytes)
}

/// Replaces the value of every `caBundle:` line of the webhook configurations
/// (files naming `ValidatingWebhookConfiguration` or
/// `MutatingWebhookConfiguration`) among the `.yaml`/`.yml` files of `dir`,
/// keeping every other byte. Returns the files changed and how many values
/// each got.
pub fn patch_ca_bundles(dir: &Path, bundle: &str) -> Result<Vec<(PathBuf, usize)>, Error> {
    let entries = std::fs::read_dir(dir).map_err(|e| Error::Io(dir.to_owned(), e))?;
    let mut paths: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "yaml" || x == "yml"))
        .collect();
    paths.sort();
    let mut changed = Vec::new();
    for path in paths {
        let text = std::fs::read_to_string(&path).map_err(|e| Error::Io(path.clone(), e))?;
        if !text.contains("WebhookConfiguration") {
            continue;
        }
        let (patched, count) = replace_ca_bundles(&text, bundle);
        if count > 0 && patched != text {
            std::fs::write(&path, patched).map_err(|e| Error::Io(path.clone(), e))?;
            changed.push((path, count));
        }
    }
    Ok(changed)
}

/// [`patch_ca_bundles`] on one text: `caBundle: OLD  # c` → `caBundle: NEW  # c`.
pub fn replace_ca_bundles(text: &str, bundle: &str) -> (String, usize) {
    let mut out = String::with_capacity(text.len() + bundle.len());
    let mut count = 0;
    for line in text.split_inclusive('\n') {
        let indent = line.len() - line.trim_start_matches(' ').len();
        let Some(rest) = line[indent..].strip_prefix("caBundle:") else {
            out.push_str(line);
            continue;
        };
        // Keep a trailing comment and the line ending; a base64 value holds no `#`.
        let body = rest.trim_end_matches(['\n', '\r']);
        let ending = &rest[body.len()..];
        let comment = body.find(" #").map_or("", |i| &body[body[..i].trim_end().len()..]);
        out.push_str(&line[..indent]);
        out.push_str("caBundle: ");
        out.push_str(bundle);
        out.push_str(comment);
        out.push_str(ending);
        count += 1;
    }
    (out, count)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rustls::client::danger::ServerCertVerifier;
    use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
    use std::sync::Arc;

    fn request() -> Request {
        Request { service: "kubefort".into(), namespace: "kubefort".into(), days: 30 }
    }

    /// What a rustls client trusting only `ca` says of `cert` for `name`.
    fn verify(ca: &[u8], cert: &[u8], name: &str) -> Result<(), rustls::Error> {
        let mut roots = rustls::RootCertStore::empty();
        roots.add(CertificateDer::from(ca.to_vec())).expect("CA certificate parses");
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let verifier = rustls::client::WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider)
            .build()
            .expect("verifier");
        let server_name = ServerName::try_from(name.to_owned()).expect("DNS name");
        verifier
            .verify_server_cert(&CertificateDer::from(cert.to_vec()), &[], &server_name, &[], UnixTime::now())
            .map(|_| ())
    }

    #[test]
    fn a_client_trusting_the_ca_accepts_the_serving_certificate_for_every_service_name_only() {
        let issued = issue(&request()).expect("issued");
        for name in ["kubefort.kubefort.svc", "kubefort.kubefort.svc.cluster.local", "kubefort.kubefort", "kubefort"] {
            verify(&issued.ca_cert_der, &issued.cert_der, name).unwrap_or_else(|e| panic!("{name}: {e}"));
        }
        assert!(verify(&issued.ca_cert_der, &issued.cert_der, "other.kubefort.svc").is_err());
        let other = issue(&request()).expect("issued");
        assert!(verify(&other.ca_cert_der, &issued.cert_der, "kubefort.kubefort.svc").is_err(), "another CA");
    }

    #[test]
    fn the_ca_bundle_is_base64_of_the_ca_pem_and_debug_prints_no_key() {
        let issued = issue(&request()).expect("issued");
        let decoded = base64::engine::general_purpose::STANDARD.decode(issued.ca_bundle()).expect("base64");
        assert_eq!(decoded, issued.ca_cert_pem.as_bytes());
        assert!(issued.ca_cert_pem.starts_with("-----BEGIN CERTIFICATE-----"));
        assert!(issued.key_pem.starts_with("-----BEGIN PRIVATE KEY-----"));
        assert!(!format!("{issued:?}").contains("PRIVATE KEY"));
    }

    #[test]
    fn bad_names_and_days_are_refused_with_the_flag_named() {
        let bad = |service: &str, namespace: &str, days| {
            let r = Request { service: service.into(), namespace: namespace.into(), days };
            issue(&r).expect_err("refused").to_string()
        };
        assert!(bad("Kube_Fort", "ns", 30).contains("--service \"Kube_Fort\""));
        assert!(bad("a", "-ns", 30).contains("--namespace"));
        assert!(bad("a", "ns", 0).contains("--days"));
        assert!(bad("a", "ns", MAX_DAYS + 1).contains("--days"));
    }

    #[test]
    fn files_are_written_once_with_private_keys_owner_only() {
        let dir = std::env::temp_dir().join(format!("kubefort-certs-test-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let issued = issue(&request()).expect("issued");
        let written = write_files(&dir, &issued).expect("written");
        assert_eq!(written.len(), 4);
        assert_eq!(std::fs::read_to_string(dir.join("tls.crt")).expect("read"), issued.cert_pem);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            for (file, mode) in [("ca.key", 0o600), ("tls.key", 0o600), ("tls.crt", 0o644)] {
                let m = std::fs::metadata(dir.join(file)).expect("metadata").permissions().mode() & 0o777;
                // The umask may only take bits away.
                assert_eq!(m & !mode, 0, "{file}: {m:o}");
                if mode == 0o600 {
                    assert_eq!(m, 0o600, "{file}");
                }
            }
        }
        let again = write_files(&dir, &issued).expect_err("refuses to overwrite").to_string();
        assert!(again.contains("exists"), "{again}");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn ca_bundles_are_replaced_in_place_keeping_indentation_and_comments() {
        let text = "webhooks:\n  - name: a\n    clientConfig:\n      caBundle: \"\"  # filled in\n  - name: b\n    clientConfig:\n      caBundle: OLD\r\n# caBundle: in a comment stays\n";
        let (patched, count) = replace_ca_bundles(text, "TkVX");
        assert_eq!(count, 2);
        assert_eq!(
            patched,
            "webhooks:\n  - name: a\n    clientConfig:\n      caBundle: TkVX  # filled in\n  - name: b\n    clientConfig:\n      caBundle: TkVX\r\n# caBundle: in a comment stays\n"
        );
    }
}
