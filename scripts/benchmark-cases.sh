#!/usr/bin/env bash
# Case-file benchmark (issue 3): p50/p95 latency of the case list, search by name and case page,
# signed in, 8 concurrent connections, at 10,000 and 1,000,000 cases over 100 organisations, on
# SQLite and on PostgreSQL; generation rate; the 1M/10k ratio; peak RSS. Loopback only. On
# PostgreSQL the database is vacuumed and analysed after the load, before measuring.
#   scripts/benchmark-cases.sh                       # sizes 10000 1000000, databases sqlite postgres
#   SIZES="10000" DATABASES="sqlite" scripts/benchmark-cases.sh
set -euo pipefail
cd "$(dirname "$0")/.."
SIZES=${SIZES:-"10000 1000000"}
DATABASES=${DATABASES:-"sqlite postgres"}
DURATION=${DURATION:-15}
export DEBIAN_FRONTEND=noninteractive
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }

swift build -c release --product passerelle >/dev/null
BIN=$(swift build -c release --show-bin-path)/passerelle
WORK=$(mktemp -d)
SERVER=""
cleanup() { [ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT
export PASSERELLE_DEMO_PASSWORD="benchmark-passphrase-$$"
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'; }

start_postgres() {
  PG_VERSION=$(ls /usr/lib/postgresql | sort -n | tail -1)
  pg_lsclusters -h | grep -q "^$PG_VERSION  *main" || pg_createcluster "$PG_VERSION" main >/dev/null
  pg_lsclusters -h | grep "^$PG_VERSION  *main" | grep -q online || pg_ctlcluster "$PG_VERSION" main start
  PG_PORT=$(pg_lsclusters -h | awk -v v="$PG_VERSION" '$1==v && $2=="main" {print $3}')
  # A role of its own, so the test suite's role is left alone.
  su postgres -c "psql -p $PG_PORT -qtAc \"SELECT 1 FROM pg_roles WHERE rolname='passerelle_bench'\"" | grep -q 1 \
    || su postgres -c "psql -p $PG_PORT -qc \"CREATE ROLE passerelle_bench LOGIN PASSWORD 'passerelle-bench'\""
}

measure() { # label pathsfile cookie
  local out
  out=$(wrk -t2 -c8 -d"${DURATION}s" -H "Cookie: $3" -s scripts/lib/paths.lua "http://127.0.0.1:$PORT" -- "$2" | grep '^RESULT')
  read -r _ p50 p95 rps errors <<<"$out"
  printf '%-9s %9s  %-16s %8s %8s %8s %6s\n' "$DB" "$SIZE" "$1" "$p50" "$p95" "$rps" "$errors"
  echo "$DB $SIZE $1 $p95" >>"$WORK/p95"
}

echo "Passerelle case benchmark — $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, wrk 2 threads × 8 connections, ${DURATION}s per endpoint"
printf '%-9s %9s  %-16s %8s %8s %8s %6s\n' "database" "cases" "endpoint" "p50 ms" "p95 ms" "req/s" "errors"
for DB in $DATABASES; do
  for SIZE in $SIZES; do
    DATA="$WORK/$DB-$SIZE"; mkdir -p "$DATA"
    unset DATABASE_URL
    if [ "$DB" = postgres ]; then
      start_postgres
      su postgres -c "dropdb -p $PG_PORT --if-exists passerelle_bench && createdb -p $PG_PORT -O passerelle_bench passerelle_bench"
      export DATABASE_URL="postgres://passerelle_bench:passerelle-bench@127.0.0.1:$PG_PORT/passerelle_bench?sslmode=disable"
    fi
    GEN=$(PASSERELLE_DATA_DIR="$DATA" "$BIN" generate --cases "$SIZE" --organisations 100 --env production 2>&1 | grep '^generate:')
    echo "# $DB $SIZE — $GEN"
    if [ "$DB" = postgres ]; then
      # What an administrator runs after a bulk load: statistics and the visibility map written now
      # rather than by autovacuum in the middle of the measurements (it first vacuums each new
      # table within a minute or two of the load; seen costing the case page half its throughput).
      START=$(date +%s.%N)
      su postgres -c "psql -p $PG_PORT -d passerelle_bench -qc 'VACUUM (ANALYZE)'"
      echo "# $DB $SIZE — VACUUM (ANALYZE) after the load: $(python3 -c "print(f'{$(date +%s.%N) - $START:.1f}')") s"
    fi
    PORT=$(port)
    PASSERELLE_DATA_DIR="$DATA" "$BIN" serve --hostname 127.0.0.1 --port "$PORT" --env production >"$WORK/server.log" 2>&1 &
    SERVER=$!
    for _ in $(seq 1 120); do curl -fs "http://127.0.0.1:$PORT/healthz" -o /dev/null && break; sleep 0.5; done
    JAR="$WORK/jar"; rm -f "$JAR"
    CSRF=$(curl -fs -c "$JAR" "http://127.0.0.1:$PORT/login" | grep -o 'name="_csrf" value="[^"]*"' | head -1 | sed 's/.*value="//;s/"$//')
    curl -fs -b "$JAR" -c "$JAR" -o /dev/null --data-urlencode "_csrf=$CSRF" --data-urlencode "email=intervenant.001@genere.example" \
      --data-urlencode "password=$PASSERELLE_DEMO_PASSWORD" "http://127.0.0.1:$PORT/login"
    COOKIE=$(awk '$6=="passerelle" {print "passerelle=" $7}' "$JAR")
    # Paths: list pages, name searches (a given name and the case number: one match), case pages.
    : >"$WORK/list"; : >"$WORK/search"; : >"$WORK/show"
    for page in 1 2 3 4; do
      html=$(curl -fs -H "Cookie: $COOKIE" "http://127.0.0.1:$PORT/cases?page=$page")
      echo "/cases?page=$page" >>"$WORK/list"
      echo "$html" | grep -o 'href="/cases/[0-9A-F-]\{36\}">[^<]*' | awk -F'">' 'NR%2==0 {print $2}' | while read -r given family number; do
        python3 -c 'import sys,urllib.parse; print("/cases?q=" + urllib.parse.quote(sys.argv[1] + " " + sys.argv[2]))' "$given" "$number" >>"$WORK/search"
      done
      echo "$html" | grep -o '/cases/[0-9A-F-]\{36\}' | sort -u >>"$WORK/show"
    done
    echo "/cases" >>"$WORK/list"
    measure "case list" "$WORK/list" "$COOKIE"
    measure "search by name" "$WORK/search" "$COOKIE"
    measure "case page" "$WORK/show" "$COOKIE"
    echo "/deadlines" >"$WORK/deadlines"
    measure "deadlines board" "$WORK/deadlines" "$COOKIE"
    # Organisation figures are for supervisors.
    JAR2="$WORK/jar2"; rm -f "$JAR2"
    CSRF=$(curl -fs -c "$JAR2" "http://127.0.0.1:$PORT/login" | grep -o 'name="_csrf" value="[^"]*"' | head -1 | sed 's/.*value="//;s/"$//')
    curl -fs -b "$JAR2" -c "$JAR2" -o /dev/null --data-urlencode "_csrf=$CSRF" --data-urlencode "email=superviseur.001@genere.example" \
      --data-urlencode "password=$PASSERELLE_DEMO_PASSWORD" "http://127.0.0.1:$PORT/login"
    SUPERVISOR=$(awk '$6=="passerelle" {print "passerelle=" $7}' "$JAR2")
    echo "/applications/figures" >"$WORK/figures"
    measure "org figures" "$WORK/figures" "$SUPERVISOR"
    echo "# $DB $SIZE — peak RSS $(awk '/VmHWM/ {printf "%.1f MB", $2/1024}' /proc/$SERVER/status), searched $(wc -l <"$WORK/search") names, $(wc -l <"$WORK/show") cases"
    kill "$SERVER"; wait "$SERVER" 2>/dev/null || true; SERVER=""
    rm -rf "$DATA"
  done
done
echo "p95 ratio 1M/10k:"
python3 - "$WORK/p95" <<'PY'
import sys, collections
rows = collections.defaultdict(dict)
for line in open(sys.argv[1]):
    db, size, *label, p95 = line.split()
    rows[(db, " ".join(label))][int(size)] = float(p95)
for (db, label), sizes in rows.items():
    if 10000 in sizes and 1000000 in sizes:
        print(f"  {db:9} {label:16} {sizes[1000000] / max(sizes[10000], 0.01):.2f}")
PY
