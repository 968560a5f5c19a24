//! `kubefort pss`: would these workloads be admitted under the Pod Security
//! Standards? Each workload is evaluated at `--level`, or at the enforce
//! level its Namespace pins (labels), else the PodSecurity admission
//! configuration's defaults, else `.kubefort.yaml` `pss` (restricted:latest).

use crate::exit;
use kubefort_config::Config;
use kubefort_load::{Diagnostic, Input, Level as DiagLevel, Limits};
use kubefort_model::{Inventory, Object};
use kubefort_pss::namespace::{find_admission_config, AdmissionConfig, LevelVersion, Resolver};
use kubefort_pss::{Level, PssReport, Version};
use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;

#[derive(clap::Args)]
pub struct Args {
    /// Files or directories (`-` reads stdin).
    #[arg(default_value = ".")]
    paths: Vec<String>,
    /// Evaluate every workload at this level, whatever its namespace pins.
    #[arg(long, value_parser = parse_level)]
    level: Option<Level>,
    /// Policy version (`v1.N` or `latest`) for `--level`, or for workloads whose namespace pins none.
    #[arg(long, value_parser = parse_version)]
    version: Option<Version>,
    /// An AdmissionConfiguration (with a PodSecurity plugin) or a PodSecurityConfiguration:
    /// its defaults and exemptions apply. Default: one found among the input objects.
    #[arg(long, value_name = "FILE")]
    admission_config: Option<PathBuf>,
    /// Output format.
    #[arg(short = 'o', long = "format", value_parser = ["human", "json"], default_value = "human")]
    format: String,
    /// Configuration file (default: `.kubefort.yaml` found upward from the first path).
    #[arg(long)]
    config: Option<PathBuf>,
}

fn parse_level(s: &str) -> Result<Level, String> {
    match s.parse::<Level>() {
        Ok(Level::Privileged) => Err("privileged allows everything; use baseline or restricted".into()),
        Ok(level) => Ok(level),
        Err(e) => Err(e.to_string()),
    }
}

fn parse_version(s: &str) -> Result<Version, String> {
    s.parse::<Version>().map_err(|e| e.to_string())
}

fn error_at(object: &Object, pointer: &str, message: impl Into<String>) -> Diagnostic {
    let at = object.location_of(pointer);
    Diagnostic::error(&at.file, kubefort_model::Pos::new(at.line, at.column), message)
}

/// Reads `--admission-config FILE`: exactly one PodSecurity configuration.
fn load_admission_config(path: &std::path::Path) -> Result<AdmissionConfig, Vec<Diagnostic>> {
    let loaded = kubefort_load::load(&[Input::Path(path.to_owned())], Limits::default());
    let errors: Vec<Diagnostic> = loaded.diagnostics.into_iter().filter(|d| d.level == DiagLevel::Error).collect();
    if !errors.is_empty() {
        return Err(errors);
    }
    let (found, problems) = find_admission_config(&loaded.objects);
    if !problems.is_empty() {
        return Err(problems.into_iter().map(|(o, e)| error_at(o, &e.pointer, e.message)).collect());
    }
    found.map(|(config, _)| config).ok_or_else(|| {
        let name: Arc<str> = Arc::from(path.display().to_string());
        vec![Diagnostic::error(
            &name,
            kubefort_model::Pos::default(),
            "no AdmissionConfiguration with a PodSecurity plugin, nor a PodSecurityConfiguration",
        )]
    })
}

pub fn run(args: Args) -> u8 {
    let inputs: Vec<Input> = args.paths.iter().map(|p| Input::parse(p)).collect();
    let config_path = args.config.clone().or_else(|| match inputs.first() {
        Some(Input::Path(p)) => kubefort_config::discover(p),
        _ => kubefort_config::discover(std::path::Path::new(".")),
    });
    let config = match &config_path {
        Some(path) => match Config::load(path) {
            Ok(c) => c,
            Err(d) => {
                eprintln!("{d}");
                return exit::USAGE;
            }
        },
        None => Config::default(),
    };
    let explicit_config = match &args.admission_config {
        Some(path) => match load_admission_config(path) {
            Ok(c) => Some(c),
            Err(diagnostics) => {
                for d in diagnostics {
                    eprintln!("{d}");
                }
                return exit::USAGE;
            }
        },
        None => None,
    };

    let loaded = kubefort_load::load(&inputs, Limits::default());
    if loaded.files_read == 0 {
        for d in loaded.diagnostics.iter().filter(|d| d.level == DiagLevel::Error) {
            eprintln!("{d}");
        }
        eprintln!("error: no input could be read");
        return exit::USAGE;
    }
    let mut diagnostics: Vec<Diagnostic> =
        loaded.diagnostics.into_iter().filter(|d| d.level > DiagLevel::Note).collect();
    let inventory = Inventory::new(loaded.objects);

    let admission = match explicit_config {
        Some(c) => c,
        None => {
            let candidates =
                inventory.of_kind("AdmissionConfiguration").chain(inventory.of_kind("PodSecurityConfiguration"));
            let (found, problems) = find_admission_config(candidates);
            diagnostics.extend(problems.into_iter().map(|(o, e)| error_at(o, &e.pointer, e.message)));
            found.map(|(c, _)| c).unwrap_or_default()
        }
    };
    let configured = config.pss.as_ref();
    let fallback = LevelVersion {
        level: configured.and_then(|p| p.level.as_deref()).and_then(|l| l.parse().ok()).unwrap_or(Level::Restricted),
        version: args
            .version
            .or_else(|| configured.and_then(|p| p.version.as_deref()).and_then(|v| v.parse().ok()))
            .unwrap_or(Version::Latest),
    };
    let resolver = Resolver::new(&inventory, admission, fallback);

    // Invalid PodSecurity labels: the plugin substitutes a value; say which.
    for ns in inventory.of_kind("Namespace") {
        for issue in resolver.namespace_policy(ns).1 {
            let at = ns.location_of(&issue.pointer);
            diagnostics.push(Diagnostic::warning(
                &at.file,
                kubefort_model::Pos::new(at.line, at.column),
                format!("namespace {}: {:?}: {}", ns.name, issue.value, issue.message),
            ));
        }
    }

    let mut report = PssReport { results: Vec::new() };
    for object in inventory.objects() {
        let workload = resolver.workload(object);
        let (lv, source) = match args.level {
            Some(level) => (LevelVersion { level, version: fallback.version }, "--level"),
            None => (workload.policy.enforce.level_version(), workload.policy.enforce.source.as_str()),
        };
        let Some(mut result) = kubefort_pss::result(object, lv.level, lv.version) else { continue };
        result.source = Some(source.to_owned());
        if let Some(exempt) = workload.exempt {
            result.allowed = true;
            result.forbidden.clear();
            result.exempt = Some(exempt.to_string());
        }
        report.results.push(result);
    }

    for d in &diagnostics {
        eprintln!("{d}");
    }
    let mut out = std::io::stdout().lock();
    let written = if args.format == "json" {
        serde_json::to_writer_pretty(&mut out, &report).map_err(std::io::Error::from).and_then(|()| writeln!(out))
    } else {
        human(&report, &mut out)
    };
    if let Err(e) = written.and_then(|()| out.flush()) {
        if e.kind() != std::io::ErrorKind::BrokenPipe {
            eprintln!("error: cannot write report: {e}");
            return exit::USAGE;
        }
    }
    let input_errors = diagnostics.iter().any(|d| d.level == DiagLevel::Error);
    if input_errors || report.results.iter().any(|r| !r.allowed) {
        exit::FINDINGS
    } else {
        exit::OK
    }
}

/// One line per object: `file:line: Kind ns/name: verdict at level:version (source)`,
/// then one indented line per forbidding check with its `line:column`.
fn human(report: &PssReport, out: &mut dyn Write) -> std::io::Result<()> {
    let mut denied = 0;
    let mut exempt = 0;
    for r in &report.results {
        let name = match &r.namespace {
            Some(ns) => format!("{} {ns}/{}", r.kind, r.name),
            None => format!("{} {}", r.kind, r.name),
        };
        let source = r.source.as_deref().map(|s| format!(" ({s})")).unwrap_or_default();
        let verdict = match (&r.exempt, r.allowed) {
            (Some(why), _) => {
                exempt += 1;
                format!("exempt: {why}")
            }
            (None, true) => format!("allowed by {}:{}{source}", r.level, r.version),
            (None, false) => {
                denied += 1;
                format!("DENIED by {}:{}{source}", r.level, r.version)
            }
        };
        writeln!(out, "{}:{}: {name}: {verdict}", r.file, r.line)?;
        for f in &r.forbidden {
            writeln!(out, "    {}:{}  {}: {}", f.line, f.column, f.check, f.reason)?;
        }
    }
    let total = report.results.len();
    writeln!(
        out,
        "{total} workload{}: {} allowed, {denied} denied{}",
        if total == 1 { "" } else { "s" },
        total - denied - exempt,
        if exempt > 0 { format!(", {exempt} exempt") } else { String::new() }
    )
}
