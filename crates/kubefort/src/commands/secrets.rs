//! `kubefort secrets PATH...`: the secret detectors of KF-SEC-005 over any
//! text file (configs, `.env`, Dockerfiles, scripts), reported at
//! file:line:column in the usual formats. Values are never printed: each
//! finding carries the detector, a masked preview and a fingerprint.

use crate::exit;
use kubefort_model::{Finding, Location, ObjectRef, Severity};
use kubefort_report::{Format, Report};
use kubefort_rules::secrets::HardcodedCredential;
use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

#[derive(clap::Args)]
pub struct Args {
    /// Files or directories to scan (`-` reads stdin). Hidden directories (`.git`) are skipped.
    #[arg(default_value = ".")]
    paths: Vec<String>,
    /// Output format: human, json, sarif or junit.
    #[arg(short = 'o', long = "format", default_value = "human")]
    format: Format,
    /// Write the report to this file instead of stdout.
    #[arg(long)]
    output: Option<PathBuf>,
    /// Exit 1 when a finding is at or above this severity (default: low).
    #[arg(long)]
    fail_on: Option<Severity>,
    /// When to colour the human output.
    #[arg(long, value_parser = ["auto", "always", "never"], default_value = "auto")]
    color: String,
}

/// Files larger than this are skipped (logs and dumps belong elsewhere).
const MAX_FILE: u64 = 64 * 1024 * 1024;

fn collect(path: &str, files: &mut Vec<PathBuf>, errors: &mut Vec<String>) {
    let root = Path::new(path);
    if !root.exists() {
        errors.push(format!("error: {path}: no such file or directory"));
        return;
    }
    let walker = walkdir::WalkDir::new(root).sort_by_file_name().into_iter().filter_entry(|e| {
        e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.') || e.file_type().is_file()
    });
    for entry in walker {
        match entry {
            Ok(e) if e.file_type().is_file() => files.push(e.into_path()),
            Ok(_) => {}
            Err(e) => errors.push(format!("error: {e}")),
        }
    }
}

/// Findings for one text, under the name it is reported with.
pub fn scan_text(name: &Arc<str>, text: &[u8]) -> Vec<Finding> {
    let meta = &HardcodedCredential::META;
    kubefort_secrets::scanner()
        .scan(text)
        .into_iter()
        .map(|m| {
            let (line, column) = kubefort_secrets::line_col(text, m.range.start);
            let severity = if m.detector.known_format { Severity::Critical } else { Severity::High };
            Finding {
                rule: meta.id,
                severity,
                message: format!("hardcoded {} ({})", m.detector.title, m.preview),
                pointer: String::new(),
                object: Arc::new(ObjectRef {
                    api_version: String::new(),
                    kind: "File".into(),
                    namespace: None,
                    name: name.to_string(),
                }),
                location: Location { file: name.clone(), line, column, template: None },
                evidence: Some(m.evidence()),
                fingerprint: m.fingerprint.trim_start_matches("sha256:").into(),
                also_violates: Vec::new(),
            }
        })
        .collect()
}

pub fn run(args: Args) -> u8 {
    let mut files = Vec::new();
    let mut errors = Vec::new();
    let mut stdin = false;
    for p in &args.paths {
        if p == "-" {
            stdin = true;
        } else {
            collect(p, &mut files, &mut errors);
        }
    }
    let mut findings = Vec::new();
    let mut read = 0usize;
    if stdin {
        let mut buf = Vec::new();
        match std::io::stdin().read_to_end(&mut buf) {
            Ok(_) => {
                read += 1;
                findings.extend(scan_text(&Arc::from("-"), &buf));
            }
            Err(e) => errors.push(format!("error: stdin: {e}")),
        }
    }
    for path in &files {
        if std::fs::metadata(path).map(|m| m.len() > MAX_FILE).unwrap_or(false) {
            continue;
        }
        let text = match std::fs::read(path) {
            Ok(t) => t,
            Err(e) => {
                errors.push(format!("error: {}: {e}", path.display()));
                continue;
            }
        };
        read += 1;
        // Binary files (a NUL byte early on) are skipped, as git does.
        if text[..text.len().min(8192)].contains(&0) {
            continue;
        }
        findings.extend(scan_text(&Arc::from(path.display().to_string()), &text));
    }
    for e in &errors {
        eprintln!("{e}");
    }
    if read == 0 {
        eprintln!("error: no input could be read");
        return exit::USAGE;
    }
    findings.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    let rules = [&HardcodedCredential::META];
    let report = Report {
        findings: &findings,
        diagnostics: &[],
        rules: &rules,
        files: read,
        objects: 0,
        scanned: &[],
        suppressed: 0,
        exempted: 0,
        baselined: 0,
        tool_version: env!("CARGO_PKG_VERSION"),
    };
    let written = match &args.output {
        Some(path) => {
            let mut buf = Vec::new();
            kubefort_report::render(&report, args.format, &mut buf, false).and_then(|()| std::fs::write(path, buf))
        }
        None => {
            let color = match args.color.as_str() {
                "always" => true,
                "never" => false,
                _ => std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
            };
            let mut out = std::io::stdout().lock();
            kubefort_report::render(&report, args.format, &mut out, color).and_then(|()| out.flush())
        }
    };
    if let Err(e) = written {
        if e.kind() != std::io::ErrorKind::BrokenPipe {
            eprintln!("error: cannot write report: {e}");
            return exit::USAGE;
        }
    }
    let fail_on = args.fail_on.unwrap_or(Severity::Low);
    if !errors.is_empty() || findings.iter().any(|f| f.severity >= fail_on) {
        exit::FINDINGS
    } else {
        exit::OK
    }
}
