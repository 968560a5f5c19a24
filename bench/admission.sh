#!/usr/bin/env bash
# The admission webhook under load, over real HTTPS on loopback (issue 9):
#
#   kubefort serve --admission (release build) answers realistic
#   AdmissionReviews (Deployments of 2-5 containers: hardened, half-set and
#   insecure, so allowed, warned and denied answers all occur) POSTed by wrk
#   at about RATE requests/s for DURATION, then as fast as wrk can send them.
#   Reported: requests/s achieved, latency p50/p90/p99/max as wrk measures it,
#   errors (socket errors and non-200 answers), and the server's CPU time
#   (user+sys from /proc, as cores used) and peak RSS.
#
# wrk (Debian's 4.1) has no constant-rate mode (wrk2 is not packaged): the
# rate is held by a per-request delay in the Lua script (CONNS connections,
# each waiting CONNS/RATE s less 1 ms, about one answer's time, between its
# requests; whole milliseconds), so the achieved rate is near RATE, not
# exactly it (the achieved rate is printed), and wrk's latency is per
# request, without the queueing a truly open-loop generator would add when
# the server stalls.
#
# Environment:
#   RATE       target requests/s (default 2000)
#   DURATION   seconds per phase (default 30)
#   CONNS      connections (default 24)
#   ENDPOINT   /validate (default) or /mutate
#   PORT       loopback port (default 18443)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
RATE=${RATE:-2000}
DURATION=${DURATION:-30}
CONNS=${CONNS:-24}
ENDPOINT=${ENDPOINT:-/validate}
PORT=${PORT:-18443}

say() { printf '\n== %s\n' "$*"; }

if ! command -v wrk >/dev/null; then
  say "installing wrk (apt)"
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null
  else
    echo "wrk is missing: apt-get install wrk (as root)" >&2
    exit 2
  fi
fi
for tool in openssl python3 curl; do
  command -v "$tool" >/dev/null || { echo "$tool is needed" >&2; exit 2; }
done

say "building kubefort (release)"
cargo build --release --locked -p kubefort 2>&1 | tail -1
KF=${CARGO_TARGET_DIR:-$ROOT/target}/release/kubefort

DATA=$(mktemp -d /tmp/kubefort-admbench.XXXXXX)
SERVER=""
cleanup() {
  [ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null && wait "$SERVER" 2>/dev/null
  rm -rf "$DATA"
}
trap cleanup EXIT

say "a throwaway certificate, the reviews, the config"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 \
  -subj /CN=localhost -addext subjectAltName=DNS:localhost,IP:127.0.0.1 \
  -keyout "$DATA/tls.key" -out "$DATA/tls.crt" 2>/dev/null
cat >"$DATA/kubefort.yaml" <<'EOF'
admission:
  ignore: [KF-NET]
  defaults: {disableTokenAutomount: true, runAsUser: 10001}
EOF
python3 - "$DATA" <<'EOF'
import json, sys
out = sys.argv[1]
DIGEST = "@sha256:40c92744c4ed2d44b283170439a2bfd3ade3e35f3390444b80127469cc47b151"
SIDECARS = ["istio-proxy", "fluent-bit", "metrics-exporter", "vault-agent"]

def container(i, style):
    c = {"name": "app" if i == 0 else SIDECARS[(i - 1) % 4],
         "image": f"registry.example.com/shop/svc-{i}:1.{i}.0" + (DIGEST if style != "insecure" else ""),
         "ports": [{"containerPort": 8080 + i, "name": f"p{i}"}],
         "env": [{"name": "LOG_LEVEL", "value": "info"}, {"name": "POD_NAME", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}}],
         "resources": {"requests": {"cpu": "100m", "memory": "128Mi"}, "limits": {"cpu": "500m", "memory": "256Mi"}},
         "livenessProbe": {"httpGet": {"path": "/healthz", "port": 8080 + i}, "periodSeconds": 10},
         "readinessProbe": {"httpGet": {"path": "/ready", "port": 8080 + i}, "periodSeconds": 5},
         "volumeMounts": [{"name": "tmp", "mountPath": "/tmp"}]}
    if style == "hardened":
        c["securityContext"] = {"allowPrivilegeEscalation": False, "readOnlyRootFilesystem": True,
                                "runAsNonRoot": True, "capabilities": {"drop": ["ALL"]}}
    elif style == "half":
        c["securityContext"] = {"allowPrivilegeEscalation": False, "capabilities": {"drop": ["ALL"]}}
    else:
        c["securityContext"] = {"privileged": i == 1, "runAsUser": 0}
    return c

def review(n, style, uid):
    name = f"svc-{n}-{style}"
    pod = {"serviceAccountName": name, "containers": [container(i, style) for i in range(n)],
           "volumes": [{"name": "tmp", "emptyDir": {"sizeLimit": "64Mi"}}]}
    if style != "insecure":
        pod["automountServiceAccountToken"] = False
        pod["securityContext"] = {"runAsNonRoot": True, "runAsUser": 10001, "fsGroup": 10001,
                                  "seccompProfile": {"type": "RuntimeDefault"}}
    obj = {"apiVersion": "apps/v1", "kind": "Deployment",
           "metadata": {"name": name, "namespace": "shop", "labels": {"app": name, "team": "payments"},
                        "annotations": {"deployment.kubernetes.io/revision": "3"}},
           "spec": {"replicas": 3, "selector": {"matchLabels": {"app": name}},
                    "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"}},
                    "template": {"metadata": {"labels": {"app": name}}, "spec": pod}}}
    gvk = {"group": "apps", "version": "v1", "kind": "Deployment"}
    return {"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": {
        "uid": uid, "kind": gvk, "resource": {"group": "apps", "version": "v1", "resource": "deployments"},
        "requestKind": gvk, "requestResource": {"group": "apps", "version": "v1", "resource": "deployments"},
        "name": name, "namespace": "shop", "operation": "CREATE",
        "userInfo": {"username": "system:serviceaccount:ci:deployer", "uid": "6b1c", "groups": ["system:serviceaccounts", "system:authenticated"]},
        "object": obj, "oldObject": None, "dryRun": False,
        "options": {"apiVersion": "meta.k8s.io/v1", "kind": "CreateOptions", "fieldManager": "kubectl-client-side-apply"}}}

mix = [(2, "hardened"), (3, "half"), (4, "hardened"), (5, "insecure"), (3, "hardened"), (2, "half")]
sizes = []
for k, (n, style) in enumerate(mix):
    body = json.dumps(review(n, style, f"00000000-0000-4000-8000-{k:012d}"))
    sizes.append(len(body))
    open(f"{out}/review-{k}.json", "w").write(body)
print(f"{len(mix)} reviews: Deployments of 2-5 containers, {min(sizes)}-{max(sizes)} bytes")
EOF

say "starting kubefort serve --admission on 127.0.0.1:$PORT"
"$KF" serve --admission --listen "127.0.0.1:$PORT" --tls-cert "$DATA/tls.crt" --tls-key "$DATA/tls.key" \
  --config "$DATA/kubefort.yaml" 2>"$DATA/server.log" &
SERVER=$!
for _ in $(seq 50); do
  curl -sk "https://127.0.0.1:$PORT/readyz" >/dev/null 2>&1 && break
  sleep 0.1
done
for k in 0 1 3; do
  printf 'review-%s: ' "$k"
  curl -sk -H 'Content-Type: application/json' --data-binary "@$DATA/review-$k.json" "https://127.0.0.1:$PORT$ENDPOINT" |
    python3 -c 'import json,sys; r=json.load(sys.stdin)["response"]; print("allowed" if r["allowed"] else "denied", len(r.get("warnings",[])), "warnings", "patch" if "patch" in r else "")'
done

cat >"$DATA/wrk.lua" <<EOF
local bodies, n, delay_ms = {}, 0, 0
function init(args)
  delay_ms = tonumber(args[1]) or 0
  for i = 0, 99 do
    local f = io.open("$DATA/review-" .. i .. ".json", "r")
    if not f then break end
    bodies[#bodies + 1] = f:read("*a")
    f:close()
  end
  n = math.random(#bodies)
end
function request()
  n = n % #bodies + 1
  return wrk.format("POST", "$ENDPOINT", {["Content-Type"] = "application/json"}, bodies[n])
end
function delay()
  return delay_ms
end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("requests %d in %.1f s = %.0f req/s\n", summary.requests, summary.duration / 1e6,
    summary.requests / (summary.duration / 1e6)))
  io.write(string.format("latency p50 %.2f ms  p90 %.2f ms  p99 %.2f ms  p99.9 %.2f ms  max %.2f ms\n",
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
    latency:percentile(99.9) / 1000, latency.max / 1000))
  io.write(string.format("errors: connect %d read %d write %d timeout %d non-200 %d\n",
    e.connect, e.read, e.write, e.timeout, e.status))
end
EOF

ticks() { awk '{print $14 + $15}' "/proc/$SERVER/stat"; }
HZ=$(getconf CLK_TCK)
phase() { # name, delay (ms)
  local before after
  before=$(ticks)
  wrk -t1 -c"$CONNS" -d"${DURATION}s" --timeout 10s -s "$DATA/wrk.lua" "https://127.0.0.1:$PORT$ENDPOINT" -- "$2" |
    sed -n '/^requests /,$p'
  after=$(ticks)
  awk -v t=$((after - before)) -v hz="$HZ" -v d="$DURATION" \
    'BEGIN { printf "server CPU: %.1f s user+sys over %d s = %.2f cores\n", t / hz, d, t / hz / d }'
}

say "warm-up (3 s)"
wrk -t1 -c"$CONNS" -d3s -s "$DATA/wrk.lua" "https://127.0.0.1:$PORT$ENDPOINT" -- 0 >/dev/null
DELAY=$(( CONNS * 1000 / RATE - 1 ))
[ "$DELAY" -lt 0 ] && DELAY=0
say "phase 1: about $RATE req/s ($CONNS connections, ${DELAY} ms between each one's requests), ${DURATION} s"
phase rate "$DELAY"
say "phase 2: as fast as wrk sends ($CONNS connections, no delay), ${DURATION} s"
phase max 0
say "server"
grep VmHWM "/proc/$SERVER/status" | awk '{print "peak RSS: " $2 " KiB"}'
curl -sk "https://127.0.0.1:$PORT/metrics" | grep -E '^kubefort_admission_(reviews_total|duration_seconds_(count|sum))' | head -20
uptime | sed 's/.*load/load/'
