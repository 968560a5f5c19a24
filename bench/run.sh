#!/usr/bin/env bash
# The speed story of `kubefort scan`, measured side by side in one run:
#
#   1. the real-world corpus (../shared/corpus, or $KUBEFORT_CORPUS):
#      kubefort scan -o json  vs  the parse floor (xtask floor)  vs  Checkov
#   2. a synthetic 100,000-object cluster dump (one multi-document YAML file):
#      kubefort scan wall time and peak RSS  vs  the floor
#
# and prints the ratios against the targets. See bench/README.md.
#
# Environment:
#   KUBEFORT_CORPUS   corpus directory (default ../shared/corpus)
#   BENCH_DIR         scratch directory for the dump and the venv (default /tmp/kubefort-bench)
#   RUNS              runs per command (default 5; Checkov: CHECKOV_RUNS, default 3)
#   OBJECTS           objects in the synthetic dump (default 100000)
#   SKIP_CHECKOV=1    do not install or run Checkov
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

CORPUS=$(cd "${KUBEFORT_CORPUS:-$ROOT/../shared/corpus}" && pwd)
BENCH_DIR=${BENCH_DIR:-/tmp/kubefort-bench}
RUNS=${RUNS:-5}
CHECKOV_RUNS=${CHECKOV_RUNS:-3}
OBJECTS=${OBJECTS:-100000}
CHECKOV_VERSION=3.3.30
mkdir -p "$BENCH_DIR"

say() { printf '\n== %s\n' "$*"; }

# ---------------------------------------------------------------- tools
if ! command -v hyperfine >/dev/null || [ ! -x /usr/bin/time ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    say "installing hyperfine and time (apt-get)"
    apt-get install -y hyperfine time >/dev/null 2>&1 || { apt-get update >/dev/null 2>&1 && apt-get install -y hyperfine time >/dev/null 2>&1; } || true
  fi
fi
[ -x /usr/bin/time ] || { echo "error: /usr/bin/time (apt package \`time\`) is needed for peak memory" >&2; exit 2; }
HAVE_HYPERFINE=0
command -v hyperfine >/dev/null && HAVE_HYPERFINE=1

say "building release binaries (kubefort, xtask)"
cargo build --release --locked -p kubefort -p xtask 2>&1 | tail -1
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
KF=$TARGET/release/kubefort
XT=$TARGET/release/xtask

CHECKOV=""
if [ "${SKIP_CHECKOV:-0}" != 1 ]; then
  VENV=$BENCH_DIR/checkov-$CHECKOV_VERSION
  if [ ! -x "$VENV/bin/checkov" ]; then
    say "installing Checkov $CHECKOV_VERSION into $VENV (throwaway venv)"
    if python3 -m venv "$VENV" && "$VENV/bin/pip" install -q "checkov==$CHECKOV_VERSION"; then :; else
      echo "Checkov could not be installed: its column is skipped" >&2
    fi
  fi
  [ -x "$VENV/bin/checkov" ] && CHECKOV=$VENV/bin/checkov
fi

# ---------------------------------------------------------------- timing helpers
# median_of CMD...: runs CMD $N times (default $RUNS), prints the median wall
# time in seconds. Used when hyperfine is missing, and for Checkov.
median_of() {
  local n=${N:-$RUNS} times=() i t0 t1
  for ((i = 0; i < n; i++)); do
    t0=$(date +%s.%N); "$@" >/dev/null 2>&1 || true; t1=$(date +%s.%N)
    times+=("$(echo "$t1 - $t0" | bc -l)")
  done
  printf '%s\n' "${times[@]}" | sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'
}

# hyperfine_medians NAME=CMD...: interleaved runs of every command; prints "NAME median_s" lines.
hyperfine_medians() {
  local args=() names=() spec json=$BENCH_DIR/hyperfine.json
  for spec in "$@"; do names+=("${spec%%=*}"); args+=(-n "${spec%%=*}" "${spec#*=}"); done
  hyperfine -N -i --warmup 1 --runs "$RUNS" --export-json "$json" "${args[@]}" >&2
  python3 - "$json" <<'EOF'
import json, sys
for r in json.load(open(sys.argv[1]))["results"]:
    print(r["command"], "%.4f" % r["median"], "%.4f" % r["user"], "%.4f" % r["system"])
EOF
}

ratio() { echo "scale=2; $1 / $2" | bc -l | sed 's/^\./0./'; }

# peak RSS (KiB) and wall time of one run: "wall_s rss_kib user_s sys_s"
time_v() {
  /usr/bin/time -f '%e %M %U %S' -o "$BENCH_DIR/time.txt" "$@" >/dev/null 2>&1 || true
  tail -1 "$BENCH_DIR/time.txt"
}

echo
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), load average now: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "kubefort $("$KF" --version | cut -d' ' -f2), commit $(git rev-parse --short HEAD)"

# ---------------------------------------------------------------- 1. corpus
say "1. corpus: $CORPUS ($(du -sh "$CORPUS" | cut -f1), $(find "$CORPUS" -type f \( -name '*.yaml' -o -name '*.yml' -o -name '*.json' \) | wc -l) manifest files)"
"$XT" floor "$CORPUS"
if [ $HAVE_HYPERFINE = 1 ]; then
  res=$(hyperfine_medians "kubefort=$KF scan -o json $CORPUS" "floor=$XT floor $CORPUS")
else
  res="kubefort $(median_of "$KF" scan -o json "$CORPUS") - -
floor $(median_of "$XT" floor "$CORPUS") - -"
fi
KF_C=$(awk '$1=="kubefort"{print $2}' <<<"$res")
FL_C=$(awk '$1=="floor"{print $2}' <<<"$res")
CK_C=""
if [ -n "$CHECKOV" ]; then
  say "Checkov $CHECKOV_VERSION ($CHECKOV_RUNS runs, median)"
  "$CHECKOV" -d "$CORPUS" --framework kubernetes --quiet --compact --skip-download -o json >"$BENCH_DIR/checkov.json" 2>/dev/null || true
  python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); d=d if isinstance(d,list) else [d]; print("checkov:", [x.get("summary", x) for x in d])' "$BENCH_DIR/checkov.json" || true
  CK_C=$(N=$CHECKOV_RUNS median_of "$CHECKOV" -d "$CORPUS" --framework kubernetes --quiet --compact --skip-download -o json)
fi

# ---------------------------------------------------------------- 2. synthetic dump
DUMP=$BENCH_DIR/cluster-dump-$OBJECTS.yaml
say "2. synthetic dump: $OBJECTS objects"
[ -f "$DUMP" ] || "$XT" gen-dump --objects "$OBJECTS" --out "$DUMP"
echo "$(du -hL "$DUMP" | cut -f1), $(wc -l <"$DUMP") lines, one multi-document YAML file"
"$XT" floor "$DUMP"
DRUNS=${DUMP_RUNS:-3}
kf_walls=() fl_walls=() kf_rss=0 fl_rss=0 kf_cpu=() fl_cpu=()
for ((i = 0; i < DRUNS; i++)); do
  read -r w r u s < <(time_v "$KF" scan -o json "$DUMP")
  kf_walls+=("$w"); kf_cpu+=("$(echo "$u + $s" | bc -l)"); ((r > kf_rss)) && kf_rss=$r
  read -r w r u s < <(time_v "$XT" floor "$DUMP")
  fl_walls+=("$w"); fl_cpu+=("$(echo "$u + $s" | bc -l)"); ((r > fl_rss)) && fl_rss=$r
done
med() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
KF_D=$(med "${kf_walls[@]}") FL_D=$(med "${fl_walls[@]}")
KF_DCPU=$(med "${kf_cpu[@]}") FL_DCPU=$(med "${fl_cpu[@]}")

# ---------------------------------------------------------------- summary
say "summary (medians; machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg))"
printf '%-44s %10s %10s %10s\n' "" kubefort floor checkov
printf '%-44s %9ss %9ss %10s\n' "corpus wall time" "$KF_C" "$FL_C" "${CK_C:+${CK_C}s}"
printf '%-44s %9ss %9ss\n' "dump ($OBJECTS objects) wall time" "$KF_D" "$FL_D"
printf '%-44s %9ss %9ss\n' "dump CPU time (user+sys)" "$KF_DCPU" "$FL_DCPU"
printf '%-44s %8dMiB %8dMiB\n' "dump peak RSS (max of runs)" $((kf_rss / 1024)) $((fl_rss / 1024))
echo
pass() { if [ "$(echo "$1" | bc -l)" = 1 ]; then echo "met"; else echo "NOT met"; fi; }
r=$(ratio "$KF_C" "$FL_C"); echo "corpus  kubefort/floor   = ${r}x   (target <= 1.5x: $(pass "$r <= 1.5"))"
if [ -n "$CK_C" ]; then
  r=$(ratio "$CK_C" "$KF_C"); echo "corpus  checkov/kubefort = ${r}x   (target >= 200x: $(pass "$r >= 200"))"
else
  echo "corpus  checkov/kubefort = skipped (Checkov not installed)"
fi
r=$(ratio "$KF_D" "$FL_D"); echo "dump    kubefort/floor   = ${r}x"
echo "dump    kubefort wall    = ${KF_D}s   (target < 3 s on 2 cores: $(pass "$KF_D < 3"))"
echo "dump    kubefort peak    = $((kf_rss / 1024)) MiB   (target < 1024 MiB: $(pass "$kf_rss < 1048576"))"
