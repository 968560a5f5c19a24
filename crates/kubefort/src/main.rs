//! The `kubefort` binary: argument parsing and wiring only. Every analysis
//! lives in a library crate.

mod commands;
mod exit;
mod progress;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

#[derive(Parser)]
#[command(name = "kubefort", version, about = "Defends Kubernetes clusters layer by layer", long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Scan manifests (files, directories, `-` for stdin) for security problems.
    Scan(commands::scan::Args),
    /// Would these workloads be admitted under the Pod Security Standards?
    Pss(commands::pss::Args),
    /// Scan any text files (configs, `.env`, Dockerfiles) for credentials; values are never printed.
    Secrets(commands::secrets::Args),
    /// List every rule.
    Rules(commands::rules::RulesArgs),
    /// Print a rule's documentation.
    Explain(commands::rules::ExplainArgs),
    /// Ask the RBAC authorizer: can, who-can, permissions (answers with proofs).
    Rbac(commands::rbac::Args),
    /// NetworkPolicy reachability: connlist, explain, quarantine.
    Netpol(commands::netpol::Args),
    /// CIS benchmark checks of a control-plane or worker node's files (`--root`, default `/`).
    Node(commands::node::Args),
    /// Audit logs: `kubefort audit analyze FILE...` detects attacks and risky changes.
    Audit(commands::audit::Args),
    /// HTTPS endpoints: `--admission` serves the validating and mutating webhooks, `--audit` the audit webhook.
    Serve(commands::serve::Args),
    /// A CA and serving certificate for the admission webhook, and its caBundle.
    Certs(commands::certs::Args),
    /// Add secure defaults (allowPrivilegeEscalation, seccomp, capabilities…) to manifests, keeping everything else.
    Fix(commands::fix::Args),
}

// jemalloc: glibc's malloc spends up to half of the load of a large dump in
// _int_malloc/_int_free (the YAML scanner allocates and frees a string per
// token among millions of long-lived nodes); jemalloc halves that CPU time at
// the same peak memory (mimalloc was as fast but used ~20% more memory).
#[cfg(not(target_env = "msvc"))]
#[global_allocator]
static GLOBAL: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return match e.kind() {
                clap::error::ErrorKind::DisplayHelp | clap::error::ErrorKind::DisplayVersion => ExitCode::SUCCESS,
                _ => exit::USAGE.into(),
            };
        }
    };
    let code = match cli.command {
        Command::Scan(args) => commands::scan::run(args),
        Command::Pss(args) => commands::pss::run(args),
        Command::Secrets(args) => commands::secrets::run(args),
        Command::Rules(args) => commands::rules::list(args),
        Command::Explain(args) => commands::rules::explain(args),
        Command::Rbac(args) => commands::rbac::run(args),
        Command::Netpol(args) => commands::netpol::run(args),
        Command::Node(args) => commands::node::run(args),
        Command::Audit(args) => commands::audit::run(args),
        Command::Serve(args) => commands::serve::run(args),
        Command::Certs(args) => commands::certs::run(args),
        Command::Fix(args) => commands::fix::run(args),
    };
    code.into()
}
