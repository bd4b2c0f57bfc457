#!/usr/bin/env bash
# Load (issue 8, row 15): the demo department on SQLite under a constant
# RATE requests a second (100 by default) for DURATION seconds (120) of mixed API and
# page requests, signed in as the head; then the same while 100,000-row
# ad-statistics files are imported one after another into the same
# database; then the peak requests a second of the department dashboard
# (wrk, 8 connections, 20 s). Latency is counted from each request's
# scheduled start (bench/load.py). Targets: p99 < 250 ms and no errors;
# p99 < 500 ms during the import.
# Usage: [MKPI_BIN=target/release/mkpi] [RATE=100] [DURATION=120] bench/load.sh
set -euo pipefail
cd "$(dirname "$0")/.."
rate=${RATE:-100}
seconds=${DURATION:-120}
PORT=${PORT:-18383}
source bench/demo-lib.sh

# The paths, each checked to answer 200 before the run.
emp=$(curl -s -H "Cookie: $cookie" "$base/api/v1/employees" | python3 -c 'import sys, json; print(json.load(sys.stdin)[3]["id"])')
paths=(
  /api/v1/me /api/v1/employees "/api/v1/employees/$emp" "/api/v1/employees/$emp/scorecard?from=2026-10-01&to=2026-11-01"
  /api/v1/teams /api/v1/metrics "/api/v1/kpis?from=2026-01-01&to=2027-01-01" /api/v1/alerts /api/v1/goals /api/v1/tasks
  /api/v1/review-cycles /api/v1/report-definitions
  /dashboard /employees "/employees/$emp" /goals /tasks /reviews /metrics /reports /
)
for p in "${paths[@]}"; do
  code=$(curl -s -o /dev/null -w '%{http_code}' -H "Cookie: $cookie" "$base$p")
  [ "$code" = 200 ] || { echo "$p answered $code before the run" >&2; exit 1; }
done

echo "steady: $rate req/s for $seconds s over ${#paths[@]} paths"
python3 bench/load.py "$base" "$cookie" "$rate" "$seconds" "${paths[@]}" | tee "$data/steady.json"

# 100,000 rows a file: 50 new campaigns × 2,000 days, two versions that
# replace each other, imported again and again while the load runs.
python3 - "$data" <<'PY'
import datetime, sys
out = sys.argv[1]
with open(f"{out}/campaigns.csv", "w") as f:
    f.write("campaign,name,currency\n")
    for c in range(50):
        f.write(f"LOAD-{c},Load {c},RUB\n")
day0 = datetime.date(2019, 1, 1)
for version in (0, 1):
    with open(f"{out}/ads-{version}.csv", "w") as f:
        f.write("date,campaign,impressions,clicks,spend,currency\n")
        for d in range(2000):
            date = (day0 + datetime.timedelta(days=d)).isoformat()
            for c in range(50):
                k = (d * 7 + c * 3) % 50 + version
                f.write(f"{date},LOAD-{c},1000,{k},{k * 10}.50,RUB\n")
PY
"$bin" import --preset mkpi-campaigns "$data/campaigns.csv" "${db[@]}" >/dev/null
stop="$data/stop-importing"
(
  n=0
  while [ ! -f "$stop" ]; do
    t0=$(date +%s%N)
    MKPI_LOG=error "$bin" import --preset mkpi-ad-stats "$data/ads-$((n % 2)).csv" "${db[@]}" >/dev/null
    echo "$(( ($(date +%s%N) - t0) / 1000000 ))" >> "$data/imports"
    n=$((n + 1))
  done
) &
importer=$!
sleep 1
echo "during imports of 100,000 rows: $rate req/s for $seconds s"
python3 bench/load.py "$base" "$cookie" "$rate" "$seconds" "${paths[@]}" | tee "$data/importing.json"
touch "$stop"
wait "$importer"
echo "imports during the run: $(wc -l < "$data/imports"), each $(sort -n "$data/imports" | awk '{a[NR]=$1} END {printf "%d–%d ms (median %d)", a[1], a[NR], a[int(NR/2)+1]}')"

if command -v wrk >/dev/null; then
  echo "peak: /dashboard with 8 connections for 20 s"
  wrk -t 2 -c 8 -d 20s -H "Cookie: $cookie" "$base/dashboard" | grep -E 'Requests/sec|Latency|Non-2xx|requests in'
else
  echo "wrk is not installed (apt-get install wrk): no peak figure"
fi
