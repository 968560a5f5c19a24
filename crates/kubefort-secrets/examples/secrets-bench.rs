//! Throughput of the secret scanner on 100 MB of mixed text: Kubernetes
//! YAML, application logs, prose, source code and `.env`-style config,
//! with a fake secret in about one line in 2,000 (`fake::mixed_text`).
//!
//! ```sh
//! cargo run --release -p kubefort-secrets --example secrets-bench [-- MEGABYTES]
//! ```

use kubefort_secrets::fake::mixed_text;
use kubefort_secrets::scanner;
use std::time::Instant;

fn main() {
    let mb: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(100);
    let (text, planted) = mixed_text(mb * 1_000_000, 42);
    let scanner = scanner();
    let _ = scanner.scan(&text.as_bytes()[..100_000]); // warm up
    let mut best = f64::MAX;
    let mut found = 0;
    for _ in 0..3 {
        let start = Instant::now();
        found = scanner.scan(text.as_bytes()).len();
        best = best.min(start.elapsed().as_secs_f64());
    }
    let start = Instant::now();
    let hits = scanner.prefilter_hits(text.as_bytes());
    println!("prefilter alone: {:.3} s, {hits:?} anchor hits", start.elapsed().as_secs_f64());
    let mbs = text.len() as f64 / 1e6 / best;
    println!(
        "scanned {:.1} MB in {:.3} s (best of 3, one thread): {mbs:.0} MB/s; {planted} secrets planted, {found} matches",
        text.len() as f64 / 1e6,
        best
    );
}
