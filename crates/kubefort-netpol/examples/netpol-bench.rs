//! Times the NetworkPolicy engine on one input (e.g. the cluster written by
//! `cargo run -p xtask --release -- gen-netpol`), single-threaded, in
//! stages: loading the YAML, building the model, the whole connlist
//! (computed and rendered as text, then dropped), and `explain` verdicts for
//! sampled workload pairs (both directions, with the deciding rules). Peak
//! RSS is read from /proc/self/status.
//!
//! ```sh
//! cargo run -p kubefort-netpol --release --example netpol-bench -- cluster.yaml [SAMPLES]
//! ```

use kubefort_load::{load, Input, Limits};
use kubefort_netpol::{connlist, render, Direction, Endpoint, Format, Network};
use std::time::{Duration, Instant};

fn peak_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

/// CPU time of this thread so far (Linux: /proc/thread-self/schedstat), so
/// that the figures mean something on a busy machine.
fn cpu() -> Duration {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse().ok())
        .map_or(Duration::ZERO, Duration::from_nanos)
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(path) = args.first() else {
        eprintln!("usage: bench FILE [SAMPLES]");
        std::process::exit(2);
    };
    let samples: usize = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(2000);

    let t = Instant::now();
    let loaded = load(&[Input::parse(path)], Limits::default());
    let load_time = t.elapsed();

    // The machine is shared: each stage is timed as the best of a few runs.
    let (mut build, mut build_cpu) = (Duration::MAX, Duration::MAX);
    let mut net = Network::default();
    for _ in 0..5 {
        let (t, c) = (Instant::now(), cpu());
        net = Network::from_objects(&loaded.objects);
        build = build.min(t.elapsed());
        build_cpu = build_cpu.min(cpu().saturating_sub(c));
    }
    println!(
        "input: {} objects, {} workloads, {} shapes, {} namespaces, {} policies",
        loaded.objects.len(),
        net.workloads.len(),
        net.shapes.len(),
        net.namespaces.len(),
        net.policies.len()
    );
    let rss_model = peak_rss_mib();

    let (mut list, mut list_cpu) = (Duration::MAX, Duration::MAX);
    let mut conns = Vec::new();
    for _ in 0..3 {
        let (t, c) = (Instant::now(), cpu());
        conns = connlist(&net);
        list = list.min(t.elapsed());
        list_cpu = list_cpu.min(cpu().saturating_sub(c));
    }
    let t = Instant::now();
    let text = render(&conns, Format::Txt);
    let rendered = t.elapsed();
    println!("connlist: {} connections, {} bytes of text", conns.len(), text.len());
    drop(text);
    drop(conns);

    // explain: both directions of a pair, with the deciding policies and rules.
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let mut next = |n: usize| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state % n as u64) as usize
    };
    let mut times: Vec<Duration> = Vec::with_capacity(samples);
    let mut allowed = 0usize;
    for _ in 0..samples {
        let (a, b) = (next(net.workloads.len()), next(net.workloads.len()));
        let (s, d) = (net.workloads[a].shape, net.workloads[b].shape);
        let t = Instant::now();
        let e = net.verdict(s, Direction::Egress, Endpoint::Shape(d));
        let i = net.verdict(d, Direction::Ingress, Endpoint::Shape(s));
        let conn = e.conn.intersect(&i.conn);
        times.push(t.elapsed());
        allowed += usize::from(!conn.is_empty());
    }
    times.sort();
    let pct = |p: f64| times[((times.len() - 1) as f64 * p) as usize];

    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    println!("load (parse YAML)      {:>10.1} ms", ms(load_time));
    println!("build model (best of 5) {:>10.1} ms wall, {:.1} ms CPU", ms(build), ms(build_cpu));
    println!("connlist (best of 3)   {:>10.1} ms wall, {:.1} ms CPU", ms(list), ms(list_cpu));
    println!("connlist (render txt)  {:>10.1} ms", ms(rendered));
    println!(
        "explain, {} pairs ({} allowed): median {:.4} ms, p99 {:.4} ms, max {:.3} ms",
        samples,
        allowed,
        ms(pct(0.5)),
        ms(pct(0.99)),
        ms(*times.last().unwrap_or(&Duration::ZERO))
    );
    if let (Some(model), Some(peak)) = (rss_model, peak_rss_mib()) {
        println!("peak RSS: {model:.0} MiB after load+model, {peak:.0} MiB overall");
    }
}
