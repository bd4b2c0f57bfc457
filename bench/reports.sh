#!/usr/bin/env bash
# Reports on the demo department: starts `mkpi demo` (SQLite, or PostgreSQL
# with DATABASE_URL=postgres://…, whose public schema it empties), signs in as
# the head, and times the quarterly report (the department's last full
# quarter, every section) as PDF, slides, XLSX, HTML, CSV and JSON through the
# API, the report's page, and `mkpi report` end to end (the process reading and
# writing the file). Targets: PDF under 2 s, XLSX under 1 s. Reports p50 and
# p95; it does not fail.
#   bench/reports.sh                    # SQLite in a temporary data dir
#   DATABASE_URL=postgres://postgres@127.0.0.1:5432/mkpi_bench bench/reports.sh
set -euo pipefail
cd "$(dirname "$0")/.."
PORT=${PORT:-18285}
RUNS=${RUNS:-20}
# shellcheck source=bench/demo-lib.sh
. bench/demo-lib.sh
id=$(curl -s -H "Cookie: $cookie" "$base/api/v1/report-definitions" | python3 -c '
import json, sys
print([d for d in json.load(sys.stdin) if d["name"] == "quarterly"][0]["id"])')
for f in pdf slides xlsx html csv json; do
  time_path "/api/v1/report-definitions/$id/report?format=$f"
done
time_path "/reports/$id"
size() { curl -s -H "Cookie: $cookie" -o "$data/r.$1" "$base/api/v1/report-definitions/$id/report?format=$1"; wc -c <"$data/r.$1"; }
echo "sizes: PDF $(size pdf) B, slides $(size slides) B, XLSX $(size xlsx) B"
if [ -z "${DATABASE_URL:-}" ]; then
  kill "$pid"; wait "$pid" 2>/dev/null || true
  for f in pdf xlsx; do
    times=()
    for _ in $(seq 1 5); do
      s=$(date +%s%N)
      MKPI_LOG=warn "$bin" report --data-dir "$data" --definition quarterly --format "$f" --out "$data/cli.$f" 2>/dev/null >/dev/null
      times+=($(( ($(date +%s%N) - s) / 1000000 )))
    done
    printf 'mkpi report --format %-5s (whole process)    %s ms\n' "$f" "$(printf '%s\n' "${times[@]}" | sort -n | sed -n 3p)"
  done
fi
