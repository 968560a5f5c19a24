//! `kubefort serve`: HTTPS endpoints. `--admission` serves the validating
//! and mutating admission webhooks with the scan rules and the `admission:`
//! section of `.kubefort.yaml`; `--audit` receives the API server's audit
//! webhook and writes alerts to stdout as JSON lines, live.

use crate::commands::audit::{setup, Setup};
use crate::exit;
use kubefort_admission::Validator;
use kubefort_config::{Config, Policy};
use kubefort_model::Severity;
use kubefort_rules::Selection;
use kubefort_server::admission::AdmissionService;
use kubefort_server::tls::Certificates;
use kubefort_server::{audit::AuditService, Features, Limits};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

#[derive(clap::Args)]
pub struct Args {
    /// Receive audit events at `POST /audit` (the API server's `--audit-webhook-config-file`).
    #[arg(long)]
    audit: bool,
    /// Validating and mutating admission webhooks at `POST /validate` and `POST /mutate`.
    #[arg(long)]
    admission: bool,
    /// Address to listen on (HTTPS only).
    #[arg(long, default_value = "0.0.0.0:8443")]
    listen: SocketAddr,
    /// PEM certificate chain, leaf first (reloaded when the file changes).
    #[arg(long)]
    tls_cert: PathBuf,
    /// PEM private key (PKCS#8, PKCS#1 or SEC1; reloaded with the certificate).
    #[arg(long)]
    tls_key: PathBuf,
    /// Configuration file (default: `.kubefort.yaml` found upward from the current directory).
    #[arg(long)]
    config: Option<PathBuf>,
    /// Run only these audit rules (ids, names or id prefixes; admission takes `.kubefort.yaml`'s).
    #[arg(long, value_delimiter = ',')]
    select: Vec<String>,
    /// Skip these audit rules.
    #[arg(long, value_delimiter = ',')]
    ignore: Vec<String>,
    /// Print only alerts at or above this severity (all are counted in /metrics).
    #[arg(long)]
    min_severity: Option<Severity>,
    /// Largest request body accepted: bytes, or with a KiB/MiB suffix.
    #[arg(long, default_value = "10MiB", value_parser = parse_size)]
    max_body: usize,
    /// Seconds to receive a request's headers, and then its body.
    #[arg(long, default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..=3600))]
    read_timeout: u64,
    /// Milliseconds to answer an admission review, body included (the API server waits 10 s at most).
    #[arg(long, default_value_t = 9000, value_parser = clap::value_parser!(u64).range(1..=30_000))]
    handler_timeout: u64,
}

fn parse_size(text: &str) -> Result<usize, String> {
    let text = text.trim();
    let (digits, unit) = match text.find(|c: char| !c.is_ascii_digit()) {
        Some(i) => text.split_at(i),
        None => (text, ""),
    };
    let unit = match unit.trim() {
        "" | "B" => 1,
        "KiB" | "K" | "k" => 1 << 10,
        "MiB" | "M" => 1 << 20,
        "GiB" | "G" => 1 << 30,
        other => return Err(format!("unknown unit `{other}` (use bytes, KiB, MiB or GiB)")),
    };
    let n: usize = digits.parse().map_err(|_| format!("`{text}` is not a size"))?;
    match n.checked_mul(unit) {
        Some(0) | None => Err(format!("`{text}` is not a usable size")),
        Some(n) => Ok(n),
    }
}

pub fn run(args: Args) -> u8 {
    if !args.audit && !args.admission {
        eprintln!("error: nothing to serve: pass --admission and/or --audit");
        return exit::USAGE;
    }
    let mut features = Features::default();
    let mut config = None;
    if args.audit {
        let Setup { analyzer, config: loaded } = match setup(args.config.clone(), &args.select, &args.ignore) {
            Ok(setup) => setup,
            Err(code) => return code,
        };
        let min = args.min_severity.or(loaded.min_severity).unwrap_or(Severity::Info);
        let out = Box::new(std::io::BufWriter::new(std::io::stdout()));
        features.audit = Some(AuditService::new(analyzer, out, min));
        config = Some(loaded);
    }
    if args.admission {
        let config = match config {
            Some(config) => config,
            None => match load_config(args.config.clone()) {
                Ok(config) => config,
                Err(code) => return code,
            },
        };
        match admission(&config) {
            Ok(service) => features.admission = Some(service),
            Err(e) => {
                eprintln!("error: {e}");
                return exit::USAGE;
            }
        }
    }
    // After the config: its errors (file:line:column) come first.
    let certificates = match Certificates::load(&args.tls_cert, &args.tls_key) {
        Ok(certificates) => certificates,
        Err(e) => {
            eprintln!("error: {e}");
            return exit::USAGE;
        }
    };
    let timeout = Duration::from_secs(args.read_timeout);
    let limits = Limits {
        max_body: args.max_body,
        read_timeout: timeout,
        header_timeout: timeout,
        handler_timeout: Duration::from_millis(args.handler_timeout),
        ..Limits::default()
    };
    match kubefort_server::serve(args.listen, certificates, features, limits) {
        Ok(()) => exit::OK,
        Err(e) => {
            eprintln!("error: {e}");
            exit::USAGE
        }
    }
}

/// `--config`, or `.kubefort.yaml` found upward from the current directory, or none.
fn load_config(path: Option<PathBuf>) -> Result<Config, u8> {
    match path.or_else(|| kubefort_config::discover(&PathBuf::from("."))) {
        Some(path) => Config::load(&path).map_err(|d| {
            eprintln!("{d}");
            exit::USAGE
        }),
        None => Ok(Config::default()),
    }
}

/// The webhooks with the rules, settings and policy `kubefort scan` would
/// use with this config, minus `admission.ignore`. Built once, here.
fn admission(config: &Config) -> Result<AdmissionService, String> {
    let selection = Selection {
        select: config.select.clone(),
        ignore: config.ignore.iter().chain(&config.admission.ignore).cloned().collect(),
    };
    let unknown = selection.unknown_patterns();
    if !unknown.is_empty() {
        return Err(format!("no rule matches {}; `kubefort rules` lists them", unknown.join(", ")));
    }
    let policy = Policy::new(config, |name| kubefort_rules::find_rule(name).map(|r| r.meta().id)).map_err(|e| {
        format!("{}: {e}", config.path.as_deref().unwrap_or(std::path::Path::new(".kubefort.yaml")).display())
    })?;
    let settings = crate::commands::scan::settings(config);
    let validator =
        Validator::new(selection.rules(), settings, config.admission.clone(), Box::new(move |f| policy.apply(f).0));
    Ok(AdmissionService::new(validator))
}

#[cfg(test)]
mod tests {
    use super::parse_size;

    #[test]
    fn sizes() {
        assert_eq!(parse_size("10MiB"), Ok(10 << 20));
        assert_eq!(parse_size("512 KiB"), Ok(512 << 10));
        assert_eq!(parse_size("4096"), Ok(4096));
        assert!(parse_size("0").is_err());
        assert!(parse_size("10 parsecs").is_err());
        assert!(parse_size("99999999999999999999GiB").is_err());
        assert!(parse_size("MiB").is_err());
    }
}
