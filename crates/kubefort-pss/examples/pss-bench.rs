//! Speed of the PSS engine against the parse floor.
//!
//! Reads every fixture of `<conformance>/pss/<level>/<version>/{pass,fail}/`
//! into memory, then, single-threaded, times (a) parsing every file into
//! objects (the floor: what any tool pays to read them) and (b) parsing and
//! evaluating every file at its level and version. Prints both, the ratio,
//! and the per-file cost of evaluation alone. Each is the best of 7 rounds.
//!
//! ```sh
//! cargo run --release -p kubefort-pss --example pss-bench
//! ```

use kubefort_load::{load_texts, Limits};
use kubefort_pss::{evaluate, Level, Version};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

struct Case {
    name: Arc<str>,
    text: String,
    level: Level,
    version: Version,
    expect_allowed: bool,
}

fn sorted(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> =
        std::fs::read_dir(dir).map(|r| r.filter_map(|e| e.ok().map(|e| e.path())).collect()).unwrap_or_default();
    v.sort();
    v
}

fn main() {
    let dir = std::env::var_os("KUBEFORT_CONFORMANCE_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/conformance"))
        .join("pss");
    let mut cases = Vec::new();
    for level_dir in sorted(&dir).into_iter().filter(|p| p.is_dir()) {
        let Ok(level) = level_dir.file_name().unwrap().to_string_lossy().parse::<Level>() else { continue };
        for version_dir in sorted(&level_dir).into_iter().filter(|p| p.is_dir()) {
            let Ok(version) = version_dir.file_name().unwrap().to_string_lossy().parse::<Version>() else { continue };
            for (sub, expect_allowed) in [("pass", true), ("fail", false)] {
                for file in sorted(&version_dir.join(sub)) {
                    if file.extension().is_some_and(|e| e == "yaml") {
                        let text = std::fs::read_to_string(&file).expect("readable fixture");
                        let name = Arc::from(file.display().to_string());
                        cases.push(Case { name, text, level, version, expect_allowed });
                    }
                }
            }
        }
    }
    if cases.is_empty() {
        eprintln!("no fixtures under {}", dir.display());
        std::process::exit(2);
    }
    let bytes: usize = cases.iter().map(|c| c.text.len()).sum();

    let parse_only = || {
        let mut objects = 0;
        for c in &cases {
            objects += load_texts(vec![(c.name.clone(), c.text.clone())], Limits::default()).objects.len();
        }
        objects
    };
    let parse_and_evaluate = || {
        let mut wrong = 0;
        for c in &cases {
            let loaded = load_texts(vec![(c.name.clone(), c.text.clone())], Limits::default());
            for object in &loaded.objects {
                let allowed = evaluate(object, c.level, c.version).is_none_or(|e| e.allowed);
                wrong += usize::from(allowed != c.expect_allowed);
            }
        }
        wrong
    };
    let best = |f: &dyn Fn() -> usize| -> (Duration, usize) {
        let mut best = Duration::MAX;
        let mut out = 0;
        for _ in 0..7 {
            let start = Instant::now();
            out = std::hint::black_box(f());
            best = best.min(start.elapsed());
        }
        (best, out)
    };
    let (floor, objects) = best(&parse_only);
    let (full, wrong) = best(&parse_and_evaluate);
    let n = cases.len() as f64;
    println!("fixtures: {} files, {} objects, {:.1} KiB", cases.len(), objects, bytes as f64 / 1024.0);
    println!(
        "parse floor:        {:>8.2} ms  ({:.1} µs/file)",
        floor.as_secs_f64() * 1e3,
        floor.as_secs_f64() * 1e6 / n
    );
    println!("parse + evaluate:   {:>8.2} ms  ({:.1} µs/file)", full.as_secs_f64() * 1e3, full.as_secs_f64() * 1e6 / n);
    println!(
        "evaluation alone:   {:>8.2} ms  ({:.2} µs/file)",
        full.saturating_sub(floor).as_secs_f64() * 1e3,
        full.saturating_sub(floor).as_secs_f64() * 1e6 / n
    );
    println!("ratio (full/floor): {:.2}x", full.as_secs_f64() / floor.as_secs_f64());
    println!("verdicts differing from the fixture's pass/fail: {wrong}");
    if wrong > 0 {
        std::process::exit(1);
    }
}
