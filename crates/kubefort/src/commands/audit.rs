//! `kubefort audit analyze`: audit logs → KF-AUD detections → alerts.

use crate::exit;
use kubefort_audit::{reader, Analyzer, AuditSettings, Summary};
use kubefort_config::Config;
use kubefort_model::{RuleMeta, Severity};
use std::io::{BufWriter, Write};
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: Sub,
}

#[derive(clap::Subcommand)]
enum Sub {
    /// Detect attacks and risky changes in audit logs (JSON lines, gzip, EventList; `-` reads stdin).
    Analyze(AnalyzeArgs),
}

#[derive(clap::Args)]
struct AnalyzeArgs {
    /// Audit log files (`-` reads stdin).
    #[arg(default_value = "-")]
    files: Vec<String>,
    /// Output: `human` (alerts and a summary) or `json` (one alert per line).
    #[arg(short = 'o', long = "format", value_parser = ["human", "json"], default_value = "human")]
    format: String,
    /// Exit 1 when an alert is at or above this severity (default: low, or `failOn` in the config).
    #[arg(long)]
    fail_on: Option<Severity>,
    /// Hide alerts below this severity (they still count in the summary).
    #[arg(long)]
    min_severity: Option<Severity>,
    /// Run only these rules (ids, names or id prefixes).
    #[arg(long, value_delimiter = ',')]
    select: Vec<String>,
    /// Skip these rules.
    #[arg(long, value_delimiter = ',')]
    ignore: Vec<String>,
    /// Configuration file (default: `.kubefort.yaml` found upward from the current directory).
    #[arg(long)]
    config: Option<PathBuf>,
}

fn matches(pattern: &str, meta: &RuleMeta) -> bool {
    let pattern = pattern.trim();
    meta.name == pattern || meta.id.to_ascii_uppercase().starts_with(&pattern.to_ascii_uppercase())
}

pub fn run(args: Args) -> u8 {
    match args.command {
        Sub::Analyze(a) => analyze(a),
    }
}

/// What the rule selection and `.kubefort.yaml` make of the audit detectors.
pub(crate) struct Setup {
    pub analyzer: Analyzer,
    pub config: Config,
}

/// Loads `.kubefort.yaml` (or `--config`) and builds the analyzer with the
/// selected rules and severity overrides; `Err` carries the exit code.
pub(crate) fn setup(config: Option<PathBuf>, select: &[String], ignore: &[String]) -> Result<Setup, u8> {
    let config_path = config.or_else(|| kubefort_config::discover(&PathBuf::from(".")));
    let config = match &config_path {
        Some(path) => match Config::load(path) {
            Ok(c) => c,
            Err(d) => {
                eprintln!("{d}");
                return Err(exit::USAGE);
            }
        },
        None => Config::default(),
    };
    let catalog = kubefort_audit::all_rules();
    let chosen: Vec<String> = if select.is_empty() {
        config.select.iter().filter(|p| catalog.iter().any(|m| matches(p, m))).cloned().collect()
    } else {
        select.to_vec()
    };
    let ignored: Vec<String> = config.ignore.iter().chain(ignore).cloned().collect();
    for p in select.iter().chain(ignore) {
        if !catalog.iter().any(|m| matches(p, m)) {
            eprintln!("error: `{p}` matches no audit rule; `kubefort rules` lists them");
            return Err(exit::USAGE);
        }
    }
    let include = |m: &RuleMeta| {
        (chosen.is_empty() || chosen.iter().any(|p| matches(p, m))) && !ignored.iter().any(|p| matches(p, m))
    };
    let overrides: Vec<(&'static str, Severity)> = catalog
        .iter()
        .filter_map(|m| {
            config.severity.iter().find(|(k, _)| k.as_str() == m.id || k.as_str() == m.name).map(|(_, s)| (m.id, *s))
        })
        .collect();
    let settings: AuditSettings = config.audit.clone();
    let analyzer = Analyzer::new(settings, include).with_severities(overrides);
    Ok(Setup { analyzer, config })
}

fn analyze(args: AnalyzeArgs) -> u8 {
    let Setup { mut analyzer, config } = match setup(args.config.clone(), &args.select, &args.ignore) {
        Ok(setup) => setup,
        Err(code) => return code,
    };
    let min = args.min_severity.or(config.min_severity).unwrap_or(Severity::Info);
    let fail_on = args.fail_on.or(config.fail_on).unwrap_or(Severity::Low);
    let json = args.format == "json";

    let stdout = std::io::stdout();
    let mut out = BufWriter::with_capacity(1 << 16, stdout.lock());
    let mut summary = Summary::default();
    let (mut read_errors, mut unreadable, mut write_failed) = (0usize, 0usize, false);
    for file in &args.files {
        let opened: std::io::Result<Box<dyn std::io::Read>> = if file == "-" {
            Ok(Box::new(std::io::stdin().lock()))
        } else {
            std::fs::File::open(file).map(|f| Box::new(f) as Box<dyn std::io::Read>)
        };
        let name = if file == "-" { "<stdin>" } else { file.as_str() };
        let result = opened.and_then(reader::decompress).and_then(|mut input| {
            reader::read_events(
                &mut *input,
                name,
                &mut |ev| {
                    analyzer.analyze(ev, &mut |alert| {
                        summary.add(&alert);
                        if alert.severity < min || write_failed {
                            return;
                        }
                        let written = if json {
                            serde_json::to_writer(&mut out, &alert)
                                .map_err(std::io::Error::other)
                                .and_then(|()| writeln!(out))
                        } else {
                            let object = alert.object_ref.as_ref().map_or(String::new(), |o| {
                                let parts = [o.resource.as_str(), o.namespace.as_str(), o.name.as_str()];
                                let parts: Vec<&str> = parts.into_iter().filter(|p| !p.is_empty()).collect();
                                format!(" {}", parts.join("/"))
                            });
                            writeln!(
                                out,
                                "{} {:<8} {} {}{}: {}",
                                alert.time,
                                alert.severity.as_str(),
                                alert.rule,
                                alert.verb,
                                object,
                                alert.message
                            )
                        };
                        write_failed |= written.is_err();
                    })
                },
                &mut |e| {
                    read_errors += 1;
                    eprintln!("warning: {e}");
                },
            )
        });
        if let Err(e) = result {
            unreadable += 1;
            eprintln!("error: {name}: {e}");
        }
    }
    if !json {
        let title = |id: &str| kubefort_audit::find_rule(id).map_or("", |m| m.title).to_owned();
        let _ = write!(out, "\n{} event(s) read. {}", analyzer.events(), summary.render(title, 10));
    }
    if out.flush().is_err() || write_failed {
        return exit::USAGE;
    }
    if unreadable == args.files.len() {
        return exit::USAGE;
    }
    if summary.at_or_above(fail_on) > 0 || read_errors > 0 || unreadable > 0 {
        return exit::FINDINGS;
    }
    exit::OK
}
