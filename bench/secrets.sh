#!/usr/bin/env bash
# Secret detection, measured side by side in one run (issue 6):
#
#   1. the labelled set of kubefort-secrets (tests/labelled/cases.tsv, fake
#      secrets from the test's fixed seed, one file per case) scored against
#      its ground truth: precision, recall, F1 and wall time of
#      `kubefort secrets DIR -o json`  vs  `detect-secrets scan --all-files DIR`
#   2. throughput of both on a larger text: the benchmark's mixed text
#      (fake::mixed_text, MIXED_MB MB in 10 MB files) and the shared corpus.
#
# Nothing here prints a secret: only counts, file names, line numbers and
# detector ids. The generated files live in a temporary directory that is
# removed on exit. See bench/README.md ("Secrets").
#
# Environment:
#   BENCH_DIR          where the detect-secrets venv is kept (default /tmp/kubefort-secbench)
#   RUNS               runs per tool on the labelled set (median; default 5)
#   LARGE_RUNS         runs per tool on the larger texts (median; default 1)
#   MIXED_MB           size of the mixed text (default 100; 0 skips it)
#   KUBEFORT_CORPUS    corpus directory (default ../shared/corpus; a missing one is skipped)
#   SKIP_DETECT_SECRETS=1   do not install or run detect-secrets
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

BENCH_DIR=${BENCH_DIR:-/tmp/kubefort-secbench}
RUNS=${RUNS:-5}
LARGE_RUNS=${LARGE_RUNS:-1}
MIXED_MB=${MIXED_MB:-100}
CORPUS=${KUBEFORT_CORPUS:-$ROOT/../shared/corpus}
DS_VERSION=1.5.0
mkdir -p "$BENCH_DIR"

say() { printf '\n== %s\n' "$*"; }

say "building release binaries (kubefort, example write-labelled)"
cargo build --release --locked -p kubefort 2>&1 | tail -1
cargo build --release --locked -p kubefort-secrets --example write-labelled 2>&1 | tail -1
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
KF=$TARGET/release/kubefort
WRITE=$TARGET/release/examples/write-labelled

DS=""
if [ "${SKIP_DETECT_SECRETS:-0}" != 1 ]; then
  VENV=$BENCH_DIR/detect-secrets-$DS_VERSION
  if [ ! -x "$VENV/bin/detect-secrets" ]; then
    say "installing detect-secrets $DS_VERSION into $VENV (throwaway venv)"
    if python3 -m venv "$VENV" && "$VENV/bin/pip" install -q "detect-secrets==$DS_VERSION"; then :; else
      echo "detect-secrets could not be installed: only kubefort's figures are printed" >&2
    fi
  fi
  [ -x "$VENV/bin/detect-secrets" ] && DS=$VENV/bin/detect-secrets
fi

DATA=$(mktemp -d /tmp/kubefort-secbench-data.XXXXXX)
trap 'rm -rf "$DATA"' EXIT
say "writing the labelled set (and ${MIXED_MB} MB of mixed text) to a temporary directory"
if [ "$MIXED_MB" -gt 0 ]; then "$WRITE" "$DATA" --mixed "$MIXED_MB"; else "$WRITE" "$DATA"; fi
cd "$DATA"

# run_timed NAME OUT CMD...: runs CMD in $DATA with stdout to OUT and appends
# "NAME<TAB>wall<TAB>cpu" (seconds; cpu = user+sys of CMD and all its
# processes) to $DATA/times.tsv. Exit status 1 (findings) is expected.
run_timed() {
  local name=$1 out=$2
  shift 2
  python3 - "$name" "$out" "$@" >>"$DATA/times.tsv" <<'EOF'
import resource, subprocess, sys, time
name, out, cmd = sys.argv[1], sys.argv[2], sys.argv[3:]
before = resource.getrusage(resource.RUSAGE_CHILDREN)
start = time.perf_counter()
with open(out, "wb") as f:
    rc = subprocess.run(cmd, stdout=f).returncode
wall = time.perf_counter() - start
after = resource.getrusage(resource.RUSAGE_CHILDREN)
if rc not in (0, 1):
    sys.exit(f"{name}: exit status {rc}")
cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
print(f"{name}\t{wall:.4f}\t{cpu:.4f}")
EOF
}

say "labelled set: $RUNS runs of each tool"
for i in $(seq "$RUNS"); do
  run_timed kf-labelled "$DATA/kf-labelled.json" "$KF" secrets files -o json
  [ -n "$DS" ] && run_timed ds-labelled "$DATA/ds-labelled.json" "$DS" scan --all-files files
done

LARGE=()
if [ "$MIXED_MB" -gt 0 ]; then LARGE+=("mixed"); fi
if [ -d "$CORPUS" ]; then
  # A copy, not a symlink: detect-secrets skips links that lead out of the
  # directory it scans.
  cp -r "$CORPUS" "$DATA/corpus"
  LARGE+=("corpus")
fi
for set in "${LARGE[@]}"; do
  say "$set: $LARGE_RUNS run(s) of each tool"
  for i in $(seq "$LARGE_RUNS"); do
    run_timed "kf-$set" "$DATA/kf-$set.json" "$KF" secrets "$set/" -o json
    [ -n "$DS" ] && run_timed "ds-$set" "$DATA/ds-$set.json" "$DS" scan --all-files "$set/"
  done
done

DS_NAME=""
[ -n "$DS" ] && DS_NAME="detect-secrets $("$DS" --version)"
say "results"
python3 - "$DATA" "$DS_NAME" "${LARGE[@]}" <<'EOF'
import json, os, statistics, sys

data, ds_name, large = sys.argv[1], sys.argv[2], sys.argv[3:]
tools = [("kf", "kubefort")] + ([("ds", ds_name)] if ds_name else [])

# Ground truth: file -> (first, last, expected, cases.tsv line).
truth = {}
for line in open(os.path.join(data, "truth.tsv")):
    if line.startswith("#"):
        continue
    f, first, last, expected, src = line.rstrip("\n").split("\t")
    truth.setdefault("files/" + f, []).append((int(first), int(last), expected, int(src)))

times = {}
for line in open(os.path.join(data, "times.tsv")):
    name, wall, cpu = line.split("\t")
    times.setdefault(name, []).append((float(wall), float(cpu)))

def reported(tool, set_):
    """Reported (file, line) pairs; never the values."""
    d = json.load(open(os.path.join(data, f"{tool}-{set_}.json")))
    if tool == "kf":
        return {(os.path.normpath(f["file"]), f["line"]) for f in d["findings"]}
    return {(os.path.normpath(f), r["line_number"]) for f, rs in d["results"].items() for r in rs}

def score(tool):
    hits, unlabelled = {}, 0
    for f, line in reported(tool, "labelled"):
        case = next((c for c in truth.get(f, []) if c[0] <= line <= c[1]), None)
        if case is None:
            unlabelled += 1
        else:
            hits.setdefault((f, case), 0)
            hits[(f, case)] += 1
    tp = fp = fn = 0
    notes = []
    for f, cases in sorted(truth.items()):
        for case in cases:
            found = (f, case) in hits
            if case[2] != "-":
                tp += found
                fn += not found
                if not found:
                    notes.append(f"missed {case[2]} in {f} (cases.tsv:{case[3]})")
            elif found:
                fp += 1
                notes.append(f"false positive on a look-alike in {f} (cases.tsv:{case[3]})")
    fp += unlabelled
    p = tp / max(tp + fp, 1)
    r = tp / max(tp + fn, 1)
    f1 = 2 * p * r / max(p + r, 1e-9)
    return dict(tp=tp, fp=fp, fn=fn, p=p, r=r, f1=f1, lines=sum(hits.values()) + unlabelled, notes=notes)

def med(name, i):
    return statistics.median(t[i] for t in times[name])

def size(set_):
    total = 0
    for root, _, files in os.walk(os.path.join(data, set_), followlinks=False):
        for f in files:
            total += os.path.getsize(os.path.join(root, f))
    return total

scores = {t: score(t) for t, _ in tools}
positives = sum(1 for cs in truth.values() for c in cs if c[2] != "-")
negatives = sum(1 for cs in truth.values() for c in cs if c[2] == "-")
runs = len(times["kf-labelled"])
rows = [
    (f"true positives (of {positives} true secrets)", lambda t: str(scores[t]["tp"])),
    (f"false positives (of {negatives} look-alikes)", lambda t: str(scores[t]["fp"])),
    ("false negatives", lambda t: str(scores[t]["fn"])),
    ("precision", lambda t: f"{scores[t]['p']:.3f}"),
    ("recall", lambda t: f"{scores[t]['r']:.3f}"),
    ("F1", lambda t: f"{scores[t]['f1']:.3f}"),
    ("reported lines", lambda t: str(scores[t]["lines"])),
    (f"wall, labelled set (median of {runs})", lambda t: f"{med(t + '-labelled', 0):.3f} s"),
    (f"CPU user+sys, labelled set (median of {runs})", lambda t: f"{med(t + '-labelled', 1):.3f} s"),
]
for set_ in large:
    mb = size(set_) / 1e6
    n = len(times[f"kf-{set_}"])
    rows += [
        (f"{set_} ({mb:.1f} MB), wall (median of {n})", lambda t, s=set_: f"{med(t + '-' + s, 0):.2f} s"),
        (f"{set_}, CPU user+sys", lambda t, s=set_: f"{med(t + '-' + s, 1):.2f} s"),
        (f"{set_}, throughput (wall)", lambda t, s=set_, mb=mb: f"{mb / med(t + '-' + s, 0):.2f} MB/s"),
        (f"{set_}, reported lines", lambda t, s=set_: str(len(reported(t, s)))),
    ]
print("| | " + " | ".join(name for _, name in tools) + " |")
print("|---|" + "---:|" * len(tools))
for label, cell in rows:
    print(f"| {label} | " + " | ".join(cell(t) for t, _ in tools) + " |")
if ds_name:
    print()
    print("| ratio detect-secrets / kubefort | wall | CPU |")
    print("|---|---:|---:|")
    for set_ in ["labelled"] + large:
        w = med(f"ds-{set_}", 0) / med(f"kf-{set_}", 0)
        c = med(f"ds-{set_}", 1) / max(med(f"kf-{set_}", 1), 1e-3)
        print(f"| {set_} | {w:.1f}x | {c:.1f}x |")
for t, name in tools:
    print(f"\n{name}: {len(scores[t]['notes'])} errors on the labelled set")
    for n in scores[t]["notes"]:
        print(f"  {n}")
EOF
