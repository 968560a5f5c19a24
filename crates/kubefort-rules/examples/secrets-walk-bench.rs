//! Time of the secrets walk (`secrets::hits`, rules KF-SEC-001…006)
//! over every object of a dump, on one thread, loading excluded; prints a
//! count and a digest of the hits so two builds can be compared.
//!
//! ```sh
//! cargo run --release -p kubefort-rules --example secrets-walk-bench -- DUMP [ROUNDS]
//! ```

use kubefort_load::{load_texts, Limits};
use kubefort_rules::secrets::hits;
use std::hash::{Hash, Hasher};
use std::sync::Arc;
use std::time::Instant;

fn main() {
    let mut args = std::env::args().skip(1);
    let Some(path) = args.next() else {
        eprintln!("usage: secrets-walk-bench DUMP [ROUNDS]");
        std::process::exit(2);
    };
    let rounds: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(3);
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) => {
            eprintln!("{path}: {e}");
            std::process::exit(2);
        }
    };
    let loaded = load_texts(vec![(Arc::from(path.as_str()), text)], Limits::default());
    let mut best = f64::MAX;
    let mut best_cpu = f64::MAX;
    let (mut count, mut digest) = (0, 0);
    for _ in 0..rounds {
        let start = Instant::now();
        let cpu = thread_cpu_seconds();
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        count = 0;
        for object in &loaded.objects {
            for hit in hits(object) {
                count += 1;
                (hit.pointer, hit.inner, hit.found.detector.id, hit.found.range, hit.found.fingerprint)
                    .hash(&mut hasher);
            }
        }
        digest = hasher.finish();
        best = best.min(start.elapsed().as_secs_f64());
        best_cpu = best_cpu.min(thread_cpu_seconds() - cpu);
    }
    println!(
        "{} objects, {count} hits, digest {digest:016x}: best of {rounds} {best:.3} s wall, {best_cpu:.3} s on CPU",
        loaded.objects.len()
    );
}

/// This thread's time on a CPU so far (Linux `schedstat`; 0 elsewhere): the
/// machine is shared, and wall time counts others' work too.
fn thread_cpu_seconds() -> f64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse::<f64>().ok())
        .map_or(0.0, |ns| ns / 1e9)
}
