//! `kubefort serve`: HTTPS endpoints. `--audit` receives the API server's
//! audit webhook and writes alerts to stdout as JSON lines, live.

use crate::commands::audit::{setup, Setup};
use crate::exit;
use kubefort_model::Severity;
use kubefort_server::{audit::AuditService, Features, Limits};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

#[derive(clap::Args)]
pub struct Args {
    /// Receive audit events at `POST /audit` (the API server's `--audit-webhook-config-file`).
    #[arg(long)]
    audit: bool,
    /// Validating and mutating admission webhooks (not implemented yet).
    #[arg(long)]
    admission: bool,
    /// Address to listen on (HTTPS only).
    #[arg(long, default_value = "0.0.0.0:8443")]
    listen: SocketAddr,
    /// PEM certificate chain, leaf first.
    #[arg(long)]
    tls_cert: PathBuf,
    /// PEM private key (PKCS#8, PKCS#1 or SEC1).
    #[arg(long)]
    tls_key: PathBuf,
    /// Configuration file (default: `.kubefort.yaml` found upward from the current directory).
    #[arg(long)]
    config: Option<PathBuf>,
    /// Run only these audit rules (ids, names or id prefixes).
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
    if args.admission {
        eprintln!("error: --admission is not implemented yet; `kubefort serve --audit` serves the audit webhook");
        return exit::USAGE;
    }
    if !args.audit {
        eprintln!("error: nothing to serve: pass --audit");
        return exit::USAGE;
    }
    let tls = match kubefort_server::tls::load(&args.tls_cert, &args.tls_key) {
        Ok(tls) => tls,
        Err(e) => {
            eprintln!("error: {e}");
            return exit::USAGE;
        }
    };
    let Setup { analyzer, config } = match setup(args.config, &args.select, &args.ignore) {
        Ok(setup) => setup,
        Err(code) => return code,
    };
    let min = args.min_severity.or(config.min_severity).unwrap_or(Severity::Info);
    let out = Box::new(std::io::BufWriter::new(std::io::stdout()));
    let features = Features { audit: Some(AuditService::new(analyzer, out, min)) };
    let timeout = Duration::from_secs(args.read_timeout);
    let limits =
        Limits { max_body: args.max_body, read_timeout: timeout, header_timeout: timeout, ..Limits::default() };
    match kubefort_server::serve(args.listen, tls, features, limits) {
        Ok(()) => exit::OK,
        Err(e) => {
            eprintln!("error: {e}");
            exit::USAGE
        }
    }
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
