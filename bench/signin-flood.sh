#!/usr/bin/env bash
# The sign-in flood of issue 18: 500 parallel wrong passwords for `admin` from one
# address, the server's peak memory, the slowest answer, and the owner signing in from
# another address afterwards. The server trusts 127.0.0.1 as its proxy, so
# X-Forwarded-For gives each side its address. Reports, never fails.
# Usage: [MKPI_BIN=path/to/mkpi] [N=500] bench/signin-flood.sh [port]
set -euo pipefail
cd "$(dirname "$0")/.."
port=${1:-18183}
base="http://127.0.0.1:$port"
bin=${MKPI_BIN:-}
if [ -z "$bin" ]; then
  cargo build --release -q
  bin=target/release/mkpi
fi
dir=$(mktemp -d)
trap 'kill $pid 2>/dev/null || true; rm -rf "$dir"' EXIT
MKPI_LOG=warn "$bin" demo --addr "127.0.0.1:$port" --data-dir "$dir/demo" --trusted-proxy 127.0.0.1 \
  >"$dir/out" 2>"$dir/err" &
pid=$!
until curl -sf "$base/healthz" >/dev/null; do sleep 0.05; done
python3 bench/signin-flood.py "$base" "$pid" "${N:-500}"
