//! `kubefort scan`: load → rules → suppressions, exemptions, baseline → report.

use crate::exit;
use crate::progress::ProgressLine;
use kubefort_config::{Baseline, Config, Policy};
use kubefort_load::{Diagnostic, Input, Level, Limits};
use kubefort_model::{Inventory, Settings, Severity};
use kubefort_report::{Format, Head, ReportWriter, Scanned, Tail};
use kubefort_rules::Selection;
use std::io::{IsTerminal, Write};
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct Args {
    /// Files or directories to scan (`-` reads stdin, e.g. `helm template … | kubefort scan -`).
    #[arg(default_value = ".")]
    paths: Vec<String>,
    /// Output format: human, json, sarif (GitHub code scanning) or junit (GitLab, Jenkins, Azure).
    #[arg(short = 'o', long = "format", default_value = "human")]
    format: Format,
    /// Write the report to this file instead of stdout.
    #[arg(long)]
    output: Option<PathBuf>,
    /// Exit 1 when a finding is at or above this severity (default: low, or `failOn` in the config).
    #[arg(long)]
    fail_on: Option<Severity>,
    /// Hide findings below this severity.
    #[arg(long)]
    min_severity: Option<Severity>,
    /// Run only these rules (ids, names or id prefixes; comma-separated or repeated).
    #[arg(long, value_delimiter = ',')]
    select: Vec<String>,
    /// Skip these rules (ids, names or id prefixes).
    #[arg(long, value_delimiter = ',')]
    ignore: Vec<String>,
    /// Configuration file (default: `.kubefort.yaml` found upward from the first path).
    #[arg(long)]
    config: Option<PathBuf>,
    /// Report only findings not recorded in this baseline file.
    #[arg(long)]
    baseline: Option<PathBuf>,
    /// Record the current findings as a baseline file.
    #[arg(long)]
    write_baseline: Option<PathBuf>,
    /// When to colour the human output.
    #[arg(long, value_parser = ["auto", "always", "never"], default_value = "auto")]
    color: String,
    /// Also print notes (skipped non-Kubernetes documents, empty files).
    #[arg(short, long)]
    verbose: bool,
}

/// The rules' settings from `.kubefort.yaml`; `serve --admission` uses the
/// same, so a webhook and a scan judge an object alike.
pub(crate) fn settings(config: &Config) -> Settings {
    Settings {
        trusted_registries: config.trusted_registries.clone(),
        pss_level: config.pss.as_ref().and_then(|p| p.level.clone()),
        pss_version: config.pss.as_ref().and_then(|p| p.version.clone()),
        privileged_namespaces: config.privileged_namespaces.clone(),
        secret_rotation_days: config.secret_rotation_days.unwrap_or(90),
        ..Settings::default()
    }
}

fn fail(diagnostic: &Diagnostic) -> u8 {
    eprintln!("{diagnostic}");
    exit::USAGE
}

pub fn run(args: Args) -> u8 {
    let inputs: Vec<Input> = args.paths.iter().map(|p| Input::parse(p)).collect();

    let config_path = args.config.clone().or_else(|| {
        let start = match inputs.first() {
            Some(Input::Path(p)) => p.clone(),
            _ => PathBuf::from("."),
        };
        kubefort_config::discover(&start)
    });
    let config = match &config_path {
        Some(path) => match Config::load(path) {
            Ok(c) => c,
            Err(d) => return fail(&d),
        },
        None => Config::default(),
    };

    let selection = Selection {
        select: if args.select.is_empty() { config.select.clone() } else { args.select.clone() },
        ignore: config.ignore.iter().chain(&args.ignore).cloned().collect(),
    };
    let unknown = selection.unknown_patterns();
    if !unknown.is_empty() {
        eprintln!("error: no rule matches {}; `kubefort rules` lists them", unknown.join(", "));
        return exit::USAGE;
    }
    let policy = match Policy::new(&config, |name| kubefort_rules::find_rule(name).map(|r| r.meta().id)) {
        Ok(p) => p,
        Err(e) => {
            eprintln!(
                "error: {}: {e}",
                config_path.as_deref().unwrap_or(std::path::Path::new(".kubefort.yaml")).display()
            );
            return exit::USAGE;
        }
    };
    let baseline = match &args.baseline {
        Some(path) => match Baseline::load(path) {
            Ok(b) => Some(b),
            Err(d) => return fail(&d),
        },
        None => None,
    };

    let bar = ProgressLine::stderr();
    let loaded = kubefort_load::load_with_progress(&inputs, Limits::default(), &|p| bar.update(p));
    if loaded.files_read == 0 {
        bar.finish();
        for d in loaded.diagnostics.iter().filter(|d| d.level == Level::Error) {
            eprintln!("{d}");
        }
        eprintln!("error: no input could be read");
        return exit::USAGE;
    }
    let files = loaded.files_read;
    let mut diagnostics = loaded.diagnostics;
    if !args.verbose {
        diagnostics.retain(|d| d.level > Level::Note);
    }
    let inventory = Inventory::new(loaded.objects);
    if args.verbose {
        diagnostics.extend(inventory.objects().iter().filter_map(|o| {
            let controller = o.template_owner.as_deref()?;
            let message = format!("{}: its pod spec is the template of {controller}, checked there", o.display_name());
            Some(Diagnostic::new(Level::Note, &o.source.file, o.pos_of(""), message))
        }));
    }
    let settings = settings(&config);
    let rules = selection.rules();
    let metas: Vec<_> = rules.iter().map(|r| r.meta()).collect();
    // Only JUnit lists the objects without findings.
    let scanned: Vec<Scanned> = if args.format == Format::Junit {
        inventory.objects().iter().map(|o| Scanned { object: o.reference(), location: o.location_of("") }).collect()
    } else {
        Vec::new()
    };
    let head = Head {
        diagnostics: &diagnostics,
        rules: &metas,
        files,
        objects: inventory.len(),
        scanned: &scanned,
        tool_version: env!("CARGO_PKG_VERSION"),
    };
    let color = args.output.is_none()
        && match args.color.as_str() {
            "always" => true,
            "never" => false,
            _ => std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
        };
    // Buffered: every format is written in many small pieces.
    let mut out: Box<dyn Write> = match &args.output {
        Some(path) => match std::fs::File::create(path) {
            Ok(file) => Box::new(std::io::BufWriter::with_capacity(1 << 16, file)),
            Err(e) => {
                bar.finish();
                eprintln!("error: cannot write report: {e}");
                return exit::USAGE;
            }
        },
        None => Box::new(std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock())),
    };
    // The progress line stays up while the rules run unless the report
    // itself goes to the terminal, where the two would interleave.
    let report_on_terminal = args.output.is_none() && std::io::stdout().is_terminal();
    if report_on_terminal {
        bar.finish();
    } else {
        bar.message(&format!("checking  {} objects with {} rules", inventory.len(), rules.len()));
    }

    // Findings flow from the rules through the policy, the baseline and the
    // severity floor into the report as objects finish, so a large scan
    // never holds all its findings at once (only a baseline being written
    // keeps them).
    let fail_on = args.fail_on.or(config.fail_on).unwrap_or(Severity::Low);
    let min_severity = args.min_severity.or(config.min_severity).unwrap_or(Severity::Info);
    let mut report = ReportWriter::begin(args.format, head, &mut *out, color);
    let at_controller = inventory.objects().iter().filter(|o| o.template_owner.is_some()).count();
    let mut tail = Tail { at_controller, ..Tail::default() };
    let mut failing = false;
    let mut for_baseline = Vec::new();
    kubefort_rules::run_streaming(&inventory, &rules, &settings, &mut |part| {
        tail.suppressed += part.suppressed.len();
        let (findings, exempted) = policy.apply(part.findings);
        tail.exempted += exempted.len();
        if args.write_baseline.is_some() {
            for_baseline.extend(findings.iter().cloned());
        }
        let before_baseline = findings.len();
        let findings: Vec<_> = match &baseline {
            Some(b) => findings.into_iter().filter(|f| !b.contains(f)).collect(),
            None => findings,
        };
        tail.baselined += before_baseline - findings.len();
        let findings: Vec<_> = findings.into_iter().filter(|f| f.severity >= min_severity).collect();
        failing |= findings.iter().any(|f| f.severity >= fail_on);
        // After a write error the rules still run, for the baseline and the exit code.
        if let Ok(writer) = &mut report {
            if let Err(e) = writer.findings(findings) {
                report = Err(e);
            }
        }
    });
    bar.finish();

    if let Some(path) = &args.write_baseline {
        if let Err(e) = std::fs::write(path, Baseline::render(&for_baseline)) {
            eprintln!("error: cannot write baseline {}: {e}", path.display());
            return exit::USAGE;
        }
    }
    let written = report.and_then(|writer| writer.finish(tail)).and_then(|()| out.flush());
    if let Err(e) = written {
        if e.kind() != std::io::ErrorKind::BrokenPipe {
            eprintln!("error: cannot write report: {e}");
            return exit::USAGE;
        }
    }

    let input_errors = diagnostics.iter().any(|d| d.level == Level::Error);
    // The process ends right after this: freeing millions of nodes one by one
    // would only cost time (a 100,000-object dump: ~0.3 s of CPU) that the
    // operating system spends anyway, at once, when it reclaims the memory.
    std::mem::forget(inventory);
    if input_errors || failing {
        exit::FINDINGS
    } else {
        exit::OK
    }
}
