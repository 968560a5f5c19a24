//! Throughput and memory of `kubefort audit analyze` against the parse floor.
//!
//! On one thread, over the same file read line by line from the page cache:
//! (a) the floor, parsing every line into a `serde_json::Value` (what any
//! JSON tool pays), (b) the same with serde's `IgnoredAny` (tokenising only),
//! and (c) kubefort: the streaming reader, the typed borrowed event and every
//! KF-AUD rule with default settings. Prints events/s, the ratio of (a) to
//! (c), and the peak resident memory early in the run and at its end (flat
//! memory means they are close). Best of 3 rounds each.
//!
//! ```sh
//! cargo run --release -p kubefort-audit --example audit-gen -- --size 200M --out /tmp/audit.log
//! cargo run --release -p kubefort-audit --example audit-bench -- /tmp/audit.log
//! ```

use kubefort_audit::{reader, Analyzer, AuditSettings};
use std::io::{BufRead, BufReader};
use std::time::{Duration, Instant};

fn peak_rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

fn floor<T: serde::de::DeserializeOwned>(path: &str) -> (Duration, u64) {
    let start = Instant::now();
    let mut input = BufReader::with_capacity(256 << 10, std::fs::File::open(path).expect("open log"));
    let mut line = Vec::with_capacity(64 << 10);
    let mut n = 0u64;
    loop {
        line.clear();
        if input.read_until(b'\n', &mut line).expect("read") == 0 {
            break;
        }
        if serde_json::from_slice::<T>(&line).is_ok() {
            n += 1;
        }
    }
    (start.elapsed(), n)
}

struct Run {
    time: Duration,
    events: u64,
    alerts: u64,
    early_peak: u64,
    tracked: usize,
}

fn reader_only(path: &str) -> Duration {
    let start = Instant::now();
    let mut input = reader::decompress(std::fs::File::open(path).expect("open log")).expect("read log");
    let mut n = 0u64;
    reader::read_events(&mut *input, path, &mut |_| n += 1, &mut |_| {}).expect("read log");
    start.elapsed()
}

fn kubefort(path: &str, expected: u64) -> Run {
    let start = Instant::now();
    let file = std::fs::File::open(path).expect("open log");
    let mut input = reader::decompress(file).expect("read log");
    let mut analyzer = Analyzer::new(AuditSettings::default(), |_| true);
    let (mut alerts, mut events, mut early_peak) = (0u64, 0u64, 0u64);
    let early = (expected / 20).max(1);
    reader::read_events(
        &mut *input,
        path,
        &mut |ev| {
            analyzer.analyze(ev, &mut |_| alerts += 1);
            events += 1;
            if events == early {
                early_peak = peak_rss_kib();
            }
        },
        &mut |_| {},
    )
    .expect("read log");
    Run { time: start.elapsed(), events, alerts, early_peak, tracked: analyzer.tracked() }
}

fn main() {
    let path = std::env::args().nth(1).unwrap_or_else(|| "/tmp/kubefort-audit.log".into());
    let bytes = std::fs::metadata(&path).map(|m| m.len()).unwrap_or_else(|_| {
        eprintln!("no {path}; generate one: cargo run --release -p kubefort-audit --example audit-gen -- --out {path}");
        std::process::exit(2);
    });
    let (_, lines) = floor::<serde::de::IgnoredAny>(&path); // warm the page cache
    let first = kubefort(&path, lines);
    let mut best = first.time;
    for _ in 0..2 {
        best = best.min(kubefort(&path, lines).time);
    }
    let end_peak = peak_rss_kib();
    let value = (0..3).map(|_| floor::<serde_json::Value>(&path).0).min().unwrap();
    let ignored = (0..3).map(|_| floor::<serde::de::IgnoredAny>(&path).0).min().unwrap();
    let typed = (0..3).map(|_| reader_only(&path)).min().unwrap();
    let mb = bytes as f64 / (1 << 20) as f64;
    let rate = |d: Duration| first.events as f64 / d.as_secs_f64();
    println!("file: {path}, {mb:.0} MiB, {} events, {} alerts", first.events, first.alerts);
    println!("floor  serde_json::Value : {:>8.3} s  {:>10.0} events/s", value.as_secs_f64(), rate(value));
    println!("floor  IgnoredAny        : {:>8.3} s  {:>10.0} events/s", ignored.as_secs_f64(), rate(ignored));
    println!("reader only (typed Event) : {:>8.3} s  {:>10.0} events/s", typed.as_secs_f64(), rate(typed));
    println!(
        "kubefort (reader + rules): {:>8.3} s  {:>10.0} events/s  {:.0} MiB/s",
        best.as_secs_f64(),
        rate(best),
        mb / best.as_secs_f64()
    );
    println!(
        "ratio floor(Value)/kubefort: {:.2}   floor(IgnoredAny)/kubefort: {:.2}",
        value.as_secs_f64() / best.as_secs_f64(),
        ignored.as_secs_f64() / best.as_secs_f64()
    );
    println!(
        "peak RSS after 5% of events: {} KiB, after all rounds: {} KiB; detector entries at end: {}",
        first.early_peak, end_peak, first.tracked
    );
    println!("1 GiB extrapolated: {:.1} s", best.as_secs_f64() * (1u64 << 30) as f64 / bytes as f64);
}
