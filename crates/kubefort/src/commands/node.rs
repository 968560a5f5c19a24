//! `kubefort node [--root DIR]`: the CIS benchmark checks of a control-plane
//! or worker node, read from its files (see kubefort-node). Exit 1 when an
//! automated check fails.

use crate::exit;
use kubefort_report::{Format, Report};
use std::io::{IsTerminal, Write};
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct Args {
    /// The node's root directory: `/` on the node, or a copy of its files.
    #[arg(long, default_value = "/")]
    root: PathBuf,
    /// Output format: `cis` is kube-bench's view (sections, PASS/FAIL/WARN, remediations, totals),
    /// `cis-json` the same as JSON (every check's status, detail and locations); the others list
    /// the findings (the problems of failed and warned checks) like `kubefort scan`.
    #[arg(
        short = 'o',
        long = "format",
        value_parser = ["human", "json", "sarif", "junit", "cis", "cis-json"],
        default_value = "cis"
    )]
    format: String,
}

pub fn run(args: Args) -> u8 {
    if !args.root.is_dir() {
        eprintln!("error: --root {}: not a directory", args.root.display());
        return exit::USAGE;
    }
    let scan = kubefort_node::scan(&args.root);
    for d in &scan.diagnostics {
        eprintln!("{d}");
    }
    let mut out = std::io::stdout().lock();
    let written = if args.format == "cis" {
        for (component, sources) in &scan.components {
            let _ = writeln!(out, "[INFO] {component}: {}", sources.join(", "));
        }
        kubefort_node::cis::render(&scan, &mut out)
    } else if args.format == "cis-json" {
        serde_json::to_writer_pretty(&mut out, &kubefort_node::cis::report(&scan))
            .map_err(std::io::Error::from)
            .and_then(|()| writeln!(out))
    } else {
        let format: Format = args.format.parse().unwrap_or(Format::Human);
        let metas = kubefort_node::rule_metas();
        let files: std::collections::BTreeSet<&str> = scan.findings.iter().map(|f| &*f.location.file).collect();
        let report = Report {
            findings: &scan.findings,
            diagnostics: &scan.diagnostics,
            rules: &metas,
            files: files.len(),
            objects: scan.components.len(),
            scanned: &[],
            suppressed: 0,
            exempted: 0,
            baselined: 0,
            tool_version: env!("CARGO_PKG_VERSION"),
        };
        let color = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
        kubefort_report::render(&report, format, &mut out, color)
    };
    if let Err(e) = written.and_then(|()| out.flush()) {
        if e.kind() != std::io::ErrorKind::BrokenPipe {
            eprintln!("error: cannot write report: {e}");
            return exit::USAGE;
        }
    }
    if scan.failed() {
        exit::FINDINGS
    } else {
        exit::OK
    }
}
