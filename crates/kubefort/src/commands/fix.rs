//! `kubefort fix FILE...`: adds the secure defaults the mutating webhook
//! applies to manifests on disk, changing nothing else in them.
//!
//! Exit codes: 0 nothing to change or everything fixed; 1 with `--check`
//! when a file needs changes; 2 when an input could not be read or parsed
//! (reported with file:line:column and left alone; the others are fixed).

use crate::exit;
use kubefort_admission::defaults::DefaultsConfig;
use kubefort_load::{collect_files, input_name, read_text, Diagnostic, Input};
use kubefort_model::Pos;
use std::io::Write;

#[derive(clap::Args)]
pub struct Args {
    /// Files or directories (their .yaml, .yml and .json files); `-` reads stdin and writes stdout.
    #[arg(required = true)]
    paths: Vec<String>,
    /// Write nothing; exit 1 when a file needs changes.
    #[arg(long)]
    check: bool,
    /// Write nothing; print a unified diff of the changes.
    #[arg(long, alias = "dry-run")]
    diff: bool,
    /// Also set runAsNonRoot: true and this runAsUser on pods that leave them unset.
    #[arg(long, value_name = "UID", value_parser = clap::value_parser!(i64).range(1..))]
    run_as_user: Option<i64>,
    /// Also set automountServiceAccountToken: false on pods that leave it unset.
    #[arg(long)]
    disable_token_automount: bool,
}

pub fn run(args: Args) -> u8 {
    let config =
        DefaultsConfig { disable_token_automount: args.disable_token_automount, run_as_user: args.run_as_user };
    let inputs: Vec<Input> = args.paths.iter().map(|p| Input::parse(p)).collect();
    let mut problems = Vec::new();
    let files = collect_files(&inputs, &mut problems);
    let mut failed = !problems.is_empty();
    for d in problems {
        eprintln!("{d}");
    }
    let mut needs_changes = 0;
    let mut out = std::io::stdout().lock();
    for input in files {
        let name = input_name(&input);
        let (bom, before) = match read_text(&input, &name) {
            Ok(read) => (if read.had_bom { "\u{feff}" } else { "" }, read.text),
            Err(e) => {
                eprintln!("{e}");
                failed = true;
                continue;
            }
        };
        let fixed = match kubefort_fix::fix_text(&before, &name, &config) {
            Ok(fixed) => fixed,
            Err(diagnostics) => {
                for d in diagnostics {
                    eprintln!("{d}");
                }
                eprintln!("{name}: left unchanged");
                failed = true;
                continue;
            }
        };
        let written = if input == Input::Stdin && !args.check && !args.diff {
            write!(out, "{bom}{}", fixed.text)
        } else if fixed.added == 0 {
            Ok(())
        } else if args.diff {
            needs_changes += 1;
            write!(out, "{}", kubefort_fix::unified_diff(&name, &before, &fixed.text))
        } else if args.check {
            needs_changes += 1;
            writeln!(out, "{name}: would add {} secure default{}", fixed.added, plural(fixed.added))
        } else {
            let Input::Path(path) = &input else { continue };
            match std::fs::write(path, format!("{bom}{}", fixed.text)) {
                Ok(()) => {
                    eprintln!("{name}: added {} secure default{}", fixed.added, plural(fixed.added));
                    Ok(())
                }
                Err(e) => {
                    eprintln!("{}", Diagnostic::error(&name, Pos::default(), format!("cannot write: {e}")));
                    failed = true;
                    Ok(())
                }
            }
        };
        if let Err(e) = written.and_then(|()| out.flush()) {
            if e.kind() != std::io::ErrorKind::BrokenPipe {
                eprintln!("error: cannot write output: {e}");
            }
            return exit::USAGE;
        }
    }
    if failed {
        exit::USAGE
    } else if args.check && needs_changes > 0 {
        exit::FINDINGS
    } else {
        exit::OK
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}
