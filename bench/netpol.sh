#!/usr/bin/env bash
# NetworkPolicy engine benchmark: a synthetic cluster (xtask gen-netpol:
# 200 namespaces, 5,000 workloads, 2,000 policies by default), then
#   1. `kubefort netpol connlist` end to end: wall, CPU, peak RSS (/usr/bin/time -v);
#   2. `kubefort netpol explain` end to end (load + model + one verdict), median of runs;
#   3. the engine alone (examples/netpol-bench.rs): load, model, connlist, and the
#      latency of explain's verdicts over sampled pairs.
# Knobs: NAMESPACES, WORKLOADS, POLICIES, RUNS (default 5), BENCH_DIR.
set -euo pipefail
cd "$(dirname "$0")/.."
BENCH_DIR=${BENCH_DIR:-/tmp/kubefort-bench}
NAMESPACES=${NAMESPACES:-200}
WORKLOADS=${WORKLOADS:-5000}
POLICIES=${POLICIES:-2000}
RUNS=${RUNS:-5}
mkdir -p "$BENCH_DIR"
target=${CARGO_TARGET_DIR:-target}

cargo build --release -q -p kubefort -p xtask
cargo build --release -q -p kubefort-netpol --example netpol-bench
kubefort="$target/release/kubefort"
cluster="$BENCH_DIR/netpol-$NAMESPACES-$WORKLOADS-$POLICIES.yaml"
"$target/release/xtask" gen-netpol --namespaces "$NAMESPACES" --workloads "$WORKLOADS" --policies "$POLICIES" --out "$cluster"

echo "== connlist (end to end)"
/usr/bin/time -v "$kubefort" netpol connlist "$cluster" > "$BENCH_DIR/connlist.txt" 2> "$BENCH_DIR/connlist.time"
grep -E "Elapsed|User time|System time|Maximum resident" "$BENCH_DIR/connlist.time"
echo "connections: $(wc -l < "$BENCH_DIR/connlist.txt")"

echo "== explain (end to end: load, model, one verdict)"
pairs=("tenant-001/api-1 tenant-001/db-3 --port 5432/TCP" "tenant-000/web-0 tenant-007/api-6" "tenant-002/worker-2 8.8.8.8 --port 443/TCP")
for pair in "${pairs[@]}"; do
  # shellcheck disable=SC2086
  times=$(for _ in $(seq "$RUNS"); do
    s=$(date +%s.%N); "$kubefort" netpol explain $pair "$cluster" > /dev/null || true; e=$(date +%s.%N)
    echo "$e - $s" | bc
  done | sort -n)
  median=$(echo "$times" | sed -n "$(( (RUNS + 1) / 2 ))p")
  echo "explain $pair: median ${median}s of $RUNS"
done

echo "== engine alone"
"$target/release/examples/netpol-bench" "$cluster" 5000
