#!/usr/bin/env bash
# Review cycles on the demo department: starts `mkpi demo` (SQLite, or
# PostgreSQL with DATABASE_URL=postgres://…, whose public schema it empties),
# signs in as the head, and times the cycles' list (with the distributions
# over time), a closed cycle's calibration view, one person's results, their
# history across cycles, and the same over the API. Reports p50 and p95; it
# does not fail.
#   bench/reviews.sh                    # SQLite in a temporary data dir
#   DATABASE_URL=postgres://postgres@127.0.0.1:5432/mkpi_bench bench/reviews.sh
set -euo pipefail
cd "$(dirname "$0")/.."
port=${PORT:-18284}
base="http://127.0.0.1:$port"
runs=${RUNS:-30}
bin=${MKPI_BIN:-}
if [ -z "$bin" ]; then
  cargo build --release -q
  bin=target/release/mkpi
fi
data=$(mktemp -d)
pid=
trap 'kill $pid 2>/dev/null || true; rm -rf "$data"' EXIT
db=(--data-dir "$data")
engine=SQLite
if [ -n "${DATABASE_URL:-}" ]; then
  db=(--database-url "$DATABASE_URL")
  engine=PostgreSQL
  psql -q "$DATABASE_URL" -c 'DROP SCHEMA public CASCADE; CREATE SCHEMA public;' >/dev/null
fi
start=$(date +%s%N)
MKPI_LOG=warn "$bin" demo --addr "127.0.0.1:$port" "${db[@]}" >"$data/out" 2>"$data/err" &
pid=$!
until curl -sf "$base/healthz" >/dev/null; do sleep 0.1; done
echo "demo department ready on $engine in $(( ($(date +%s%N) - start) / 1000000 )) ms"
cookie=$(curl -s -D - -o /dev/null -H 'content-type: application/json' \
  -d '{"login":"head","password":"demo"}' "$base/api/v1/login" \
  | tr -d '\r' | grep -i '^set-cookie: mkpi_session=' | sed 's/^[^:]*: //; s/;.*//')
cycle=$(curl -s -H "Cookie: $cookie" "$base/api/v1/review-cycles" | python3 -c '
import json, sys
print([c for c in json.load(sys.stdin) if c["status"] == "closed"][0]["id"])')
person=$(curl -s -H "Cookie: $cookie" "$base/api/v1/review-cycles/$cycle/calibration" | python3 -c 'import json,sys; print(json.load(sys.stdin)["rows"][0]["employee_id"])')
time_path() {
  local times=()
  for _ in $(seq 1 "$runs"); do
    times+=("$(curl -s -o /dev/null -w '%{time_total}' -H "Cookie: $cookie" "$base$1")")
  done
  printf '%s\n' "${times[@]}" | sort -n | awk -v p="$1" '{ a[NR] = $1 * 1000 } END {
    printf "%-40s p50 %4.0f ms, p95 %4.0f ms over %d requests\n", p, a[int(NR*0.5+0.5)], a[int(NR*0.95+0.5)], NR }'
}
time_path "/reviews"
time_path "/reviews/$cycle/calibration"
time_path "/reviews/$cycle/results/$person"
time_path "/reviews/people/$person"
time_path "/api/v1/review-cycles/$cycle/calibration"
time_path "/api/v1/review-distributions"
