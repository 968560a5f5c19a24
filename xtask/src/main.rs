//! Project tasks that are not part of the shipped tool.
//!
//! - `cargo run -p xtask --release -- floor PATH...` reads and parses PATHs
//!   exactly as `kubefort scan` does (same loader, same parallelism, same
//!   limits) and builds the objects, but runs no rules and writes no report:
//!   the "parse floor" that `bench/run.sh` compares the scanner with.
//! - `cargo run -p xtask --release -- gen-dump --objects N --out FILE` writes
//!   a deterministic synthetic cluster dump (see `gen.rs`).
//! - `cargo run -p xtask --release -- gen-netpol --out FILE` writes a
//!   deterministic synthetic cluster for the NetworkPolicy engine (see
//!   `netpol.rs`); `bench/netpol.sh` times `kubefort netpol` on it.

mod gen;
mod netpol;

use std::path::PathBuf;
use std::process::ExitCode;

const USAGE: &str = "usage:
  xtask floor PATH...
      Parse PATHs exactly as `kubefort scan` does, without rules; print counts.
  xtask gen-dump [--objects N] [--out FILE_OR_DIR] [--seed S] [--format yaml|json]
      Write a synthetic cluster dump (default: 100000 objects, one multi-document
      YAML file; `--format json` writes one `kind: List` JSON document). When
      --out is a directory the file is named cluster-dump-N.yaml (or .json).
  xtask gen-netpol [--namespaces N] [--workloads W] [--policies P] [--seed S] [--out FILE]
      Write a synthetic cluster of tenant namespaces with default-deny, DNS and
      per-tier NetworkPolicies (default: 200 namespaces, 5000 workloads, 2000
      policies; plus kube-dns, an ingress controller and Prometheus).";

// jemalloc: glibc's malloc spends up to half of the load of a large dump in
// _int_malloc/_int_free (the YAML scanner allocates and frees a string per
// token among millions of long-lived nodes); jemalloc halves that CPU time at
// the same peak memory (mimalloc was as fast but used ~20% more memory).
#[cfg(not(target_env = "msvc"))]
#[global_allocator]
static GLOBAL: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("floor") => floor(&args[1..]),
        Some("gen-dump") => match gen_dump(&args[1..]) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("error: {e}\n{USAGE}");
                ExitCode::from(2)
            }
        },
        Some("gen-netpol") => match gen_netpol(&args[1..]) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("error: {e}\n{USAGE}");
                ExitCode::from(2)
            }
        },
        _ => {
            eprintln!("{USAGE}");
            ExitCode::from(2)
        }
    }
}

fn floor(paths: &[String]) -> ExitCode {
    if paths.is_empty() {
        eprintln!("{USAGE}");
        return ExitCode::from(2);
    }
    let inputs: Vec<_> = paths.iter().map(|p| kubefort_load::Input::parse(p)).collect();
    let start = std::time::Instant::now();
    let loaded = kubefort_load::load(&inputs, kubefort_load::Limits::default());
    let elapsed = start.elapsed();
    let nodes: usize = loaded.objects.iter().map(|o| count_nodes(&o.root)).sum();
    println!(
        "files {} bytes {} objects {} nodes {} diagnostics {} load {:.3}s",
        loaded.files_read,
        loaded.bytes,
        loaded.objects.len(),
        nodes,
        loaded.diagnostics.len(),
        elapsed.as_secs_f64()
    );
    // As `kubefort scan` does: the process ends here, the OS frees the tree at once.
    std::mem::forget(loaded);
    ExitCode::SUCCESS
}

/// Touches every node once (cheap next to parsing) so that the tree really is
/// built and walked, as the rules would walk it.
fn count_nodes(node: &kubefort_model::Node) -> usize {
    use kubefort_model::Value;
    1 + match &node.value {
        Value::Seq(items) => items.iter().map(count_nodes).sum(),
        Value::Map(map) => map.iter().map(|(_, v)| count_nodes(v)).sum(),
        _ => 0,
    }
}

fn gen_dump(args: &[String]) -> Result<(), String> {
    let mut objects = 100_000usize;
    let mut out = PathBuf::from(".");
    let mut seed = 42u64;
    let mut json = false;
    let mut it = args.iter();
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or_else(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--objects" => objects = value()?.parse().map_err(|e| format!("--objects: {e}"))?,
            "--out" => out = PathBuf::from(value()?),
            "--seed" => seed = value()?.parse().map_err(|e| format!("--seed: {e}"))?,
            "--format" => {
                json = match value()?.as_str() {
                    "yaml" => false,
                    "json" => true,
                    other => return Err(format!("--format: expected yaml or json, got {other}")),
                }
            }
            other => return Err(format!("unknown argument {other}")),
        }
    }
    if out.is_dir() {
        out = out.join(format!("cluster-dump-{objects}.{}", if json { "json" } else { "yaml" }));
    }
    let file = std::fs::File::create(&out).map_err(|e| format!("{}: {e}", out.display()))?;
    let mut w = std::io::BufWriter::with_capacity(1 << 20, file);
    let stats = gen::write_dump(&mut w, objects, seed, json).map_err(|e| format!("{}: {e}", out.display()))?;
    eprintln!("wrote {} ({} objects, {} bytes; {})", out.display(), stats.objects, stats.bytes, stats.kinds);
    Ok(())
}

fn gen_netpol(args: &[String]) -> Result<(), String> {
    let mut spec = netpol::Spec { namespaces: 200, workloads: 5000, policies: 2000, seed: 42 };
    let mut out = PathBuf::from("netpol-cluster.yaml");
    let mut it = args.iter();
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or_else(|| format!("{flag} needs a value"));
        let number = |v: &str| v.parse::<usize>().map_err(|e| format!("{flag}: {e}"));
        match flag.as_str() {
            "--namespaces" => spec.namespaces = number(value()?)?,
            "--workloads" => spec.workloads = number(value()?)?,
            "--policies" => spec.policies = number(value()?)?,
            "--seed" => spec.seed = value()?.parse().map_err(|e| format!("--seed: {e}"))?,
            "--out" => out = PathBuf::from(value()?),
            other => return Err(format!("unknown argument {other}")),
        }
    }
    let file = std::fs::File::create(&out).map_err(|e| format!("{}: {e}", out.display()))?;
    let mut w = std::io::BufWriter::with_capacity(1 << 20, file);
    let stats = netpol::write(&mut w, &spec).map_err(|e| format!("{}: {e}", out.display()))?;
    eprintln!(
        "wrote {} ({} tenant namespaces, {} workloads, {} policies, {} bytes; plus 3 system namespaces with one workload each)",
        out.display(),
        stats.namespaces,
        stats.workloads,
        stats.policies,
        stats.bytes
    );
    Ok(())
}
