#!/usr/bin/env bash
# Foundation benchmark (issue 2): requests per second and p95 latency of /healthz and of the
# signed-in home page under 8 concurrent connections, beside a bare Vapor route in the same
# run, and Passerelle's peak RSS. Release build, embedded SQLite, loopback only, bounded runs.
#   scripts/benchmark-foundation.sh [requests-per-target, default 20000]
set -euo pipefail
cd "$(dirname "$0")/.."
REQUESTS=${1:-20000}
CONCURRENCY=8
command -v ab >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq apache2-utils >/dev/null; }

swift build -c release --product passerelle >/dev/null
swift build -c release --product BareVapor >/dev/null
BIN=$(swift build -c release --show-bin-path)

WORK=$(mktemp -d)
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$WORK"; }
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'; }

P_PORT=$(free_port); B_PORT=$(free_port)
export PASSERELLE_DEMO_PASSWORD="benchmark-demo-passphrase"
PASSERELLE_DATA_DIR="$WORK/data" "$BIN/passerelle" demo --hostname 127.0.0.1 --port "$P_PORT" --env production >"$WORK/passerelle.log" 2>&1 &
PIDS+=($!); P_PID=$!
"$BIN/BareVapor" serve --hostname 127.0.0.1 --port "$B_PORT" --env production >"$WORK/bare.log" 2>&1 &
PIDS+=($!)
for port in "$P_PORT" "$B_PORT"; do
  for _ in $(seq 1 120); do curl -fs "http://127.0.0.1:$port/" -o /dev/null 2>/dev/null || curl -fs "http://127.0.0.1:$port/bare" -o /dev/null 2>/dev/null && break; sleep 0.5; done
done
for _ in $(seq 1 120); do curl -fs "http://127.0.0.1:$P_PORT/healthz" -o /dev/null && break; sleep 0.5; done

# Sign in as a demo caseworker and keep the session cookie.
EMAIL=$(grep -m1 '^demo account: .* caseworker ' "$WORK/passerelle.log" | awk '{print $3}')
JAR="$WORK/cookies"
CSRF=$(curl -fs -c "$JAR" "http://127.0.0.1:$P_PORT/login" | grep -o 'name="_csrf" value="[^"]*"' | head -1 | sed 's/.*value="//;s/"$//')
curl -fs -b "$JAR" -c "$JAR" -o /dev/null --data-urlencode "_csrf=$CSRF" --data-urlencode "email=$EMAIL" \
  --data-urlencode "password=$PASSERELLE_DEMO_PASSWORD" "http://127.0.0.1:$P_PORT/login"
COOKIE=$(awk '$6=="passerelle" {print "passerelle=" $7}' "$JAR")
curl -fs -H "Cookie: $COOKIE" "http://127.0.0.1:$P_PORT/home" | grep -q 'Bonjour\|Hello' || { echo "sign-in for the benchmark failed"; exit 1; }

run() { # name url [cookie]
  local args=(-q -k -c "$CONCURRENCY" -n "$REQUESTS")
  [ -n "${3:-}" ] && args+=(-H "Cookie: $3")
  ab "${args[@]}" "$2" >/dev/null 2>&1 || true   # warm-up pass is discarded below
  local out; out=$(ab "${args[@]}" "$2" 2>&1)
  local rps p95 failed
  rps=$(echo "$out" | awk '/Requests per second/ {print $4}')
  p95=$(echo "$out" | awk '$1=="95%" {print $2}')
  failed=$(echo "$out" | awk '/Failed requests/ {print $3}')
  printf '%-28s %12s %10s ms %8s\n' "$1" "$rps" "$p95" "$failed"
}

echo "Passerelle foundation benchmark — $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, $REQUESTS requests per target, $CONCURRENCY connections"
printf '%-28s %12s %13s %8s\n' "target" "requests/s" "p95" "failed"
run "bare Vapor GET /bare" "http://127.0.0.1:$B_PORT/bare"
run "Passerelle GET /healthz" "http://127.0.0.1:$P_PORT/healthz"
run "Passerelle GET /home (signed in)" "http://127.0.0.1:$P_PORT/home" "$COOKIE"
echo "Passerelle peak RSS: $(awk '/VmHWM/ {printf "%.1f MB", $2/1024}' /proc/$P_PID/status)"
