//! `kubefort certs`: a CA and a serving certificate for the admission
//! webhook's Service, and the caBundle for the webhook configurations.

use crate::exit;
use kubefort_certs::{issue, patch_ca_bundles, write_files, Request};
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct Args {
    /// Directory for ca.crt, ca.key, tls.crt and tls.key (created; existing files are not overwritten).
    #[arg(long)]
    out: PathBuf,
    /// Name of the webhook's Service.
    #[arg(long, default_value = "kubefort")]
    service: String,
    /// Namespace of the webhook's Service.
    #[arg(long, default_value = "kubefort")]
    namespace: String,
    /// Validity of the certificates, in days.
    #[arg(long, default_value_t = 365)]
    days: u32,
    /// Write the caBundle into the webhook configurations of this directory (e.g. `deploy/`).
    #[arg(long, value_name = "DIR")]
    patch_webhooks: Option<PathBuf>,
}

pub fn run(args: Args) -> u8 {
    let request = Request { service: args.service, namespace: args.namespace, days: args.days };
    let issued = match issue(&request) {
        Ok(issued) => issued,
        Err(e) => {
            eprintln!("error: {e}");
            return exit::USAGE;
        }
    };
    let written = match write_files(&args.out, &issued) {
        Ok(written) => written,
        Err(e) => {
            eprintln!("error: {e}");
            return exit::USAGE;
        }
    };
    for path in &written {
        eprintln!("wrote {}", path.display());
    }
    eprintln!("serving certificate for {}, valid {} days", issued.dns_names.join(", "), request.days);
    if let Some(dir) = &args.patch_webhooks {
        match patch_ca_bundles(dir, &issued.ca_bundle()) {
            Ok(changed) if changed.is_empty() => {
                eprintln!("error: no `caBundle:` in a webhook configuration under {}", dir.display());
                return exit::USAGE;
            }
            Ok(changed) => {
                for (path, count) in changed {
                    eprintln!("patched {count} caBundle(s) in {}", path.display());
                }
            }
            Err(e) => {
                eprintln!("error: {e}");
                return exit::USAGE;
            }
        }
    }
    // The CA certificate is public: stdout carries only it, for scripts.
    println!("{}", issued.ca_bundle());
    exit::OK
}
