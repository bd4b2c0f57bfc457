#!/usr/bin/env bash
# Foundation figures, measured on the release binary:
#   - `mkpi demo` start-up: process start to the first 200 from /healthz,
#   - resident memory after start-up and after load,
#   - requests/s of authenticated JSON endpoints (session cookie and API token)
#     under wrk (apt-get install -y wrk), 2 threads, 32 connections, 10 s.
# Usage: [MKPI_BIN=path/to/release/mkpi] bench/foundation.sh [port]
set -euo pipefail
cd "$(dirname "$0")/.."
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install -y wrk" >&2; exit 1; }
port=${1:-18181}
base="http://127.0.0.1:$port"

# MKPI_BIN: a release binary built elsewhere (else it is built here).
bin=${MKPI_BIN:-}
if [ -z "$bin" ]; then
  cargo build --release -q
  bin=target/release/mkpi
fi
dir=$(mktemp -d)
trap 'kill $pid 2>/dev/null || true; rm -rf "$dir"' EXIT

start=$(date +%s%N)
MKPI_LOG=warn "$bin" demo --addr "127.0.0.1:$port" --data-dir "$dir/demo" >"$dir/out" 2>"$dir/err" &
pid=$!
until curl -sf "$base/healthz" >/dev/null; do sleep 0.005; done
echo "demo ready after $(( ($(date +%s%N) - start) / 1000000 )) ms (process start to first /healthz 200)"
echo "memory after start-up: $(grep VmRSS /proc/$pid/status | awk '{print $2, $3}')"

cookie=$(curl -s -D - -o /dev/null -H 'content-type: application/json' \
  -d '{"login":"head","password":"demo"}' "$base/api/v1/login" \
  | tr -d '\r' | grep -i '^set-cookie: mkpi_session=' | sed 's/^[^:]*: //; s/;.*//')
csrf=$(curl -s -H "Cookie: $cookie" "$base/api/v1/me" | sed 's/.*"csrf_token":"\([0-9a-f]*\)".*/\1/')
token=$(curl -s -H "Cookie: $cookie" -H "X-CSRF-Token: $csrf" -H 'content-type: application/json' \
  -d '{"name":"bench"}' "$base/api/v1/me/tokens" | sed 's/.*"token":"\([^"]*\)".*/\1/')

run() {
  echo
  echo "== $1"
  shift
  wrk -t2 -c32 -d10s "$@" | grep -E 'Requests/sec|Latency|Non-2xx'
}
run "GET /healthz (no auth)" "$base/healthz"
run "GET /api/v1/employees (session cookie, head: 20 people)" -H "Cookie: $cookie" "$base/api/v1/employees"
run "GET /api/v1/employees/2 (API token)" -H "Authorization: Bearer $token" "$base/api/v1/employees/2"
run "GET / (home page, session cookie)" -H "Cookie: $cookie" "$base/"
echo
echo "memory after load: $(grep VmRSS /proc/$pid/status | awk '{print $2, $3}')"
