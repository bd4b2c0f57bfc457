#!/usr/bin/env bash
# Dashboard speed: generated data (../shared/bench/gen_data.py, copied in
# bench/reference/) imported with `mkpi import` into a fresh SQLite database,
# then the department dashboard for one month (sixteen metrics with the
# comparison period and twelve months of trend, the department's KPIs,
# traffic by channel, campaigns by spend) requested 20 times. Prints p50/p95.
# Usage: [MKPI_BIN=path/to/release/mkpi] [SCALE=medium|large] [DATABASE_URL=postgres://…]
#        [KEEP=dir] bench/dashboard.sh
# DATABASE_URL runs it on PostgreSQL (the database is emptied first); KEEP keeps
# the SQLite data dir (dir) for a later look instead of removing it.
set -euo pipefail
cd "$(dirname "$0")/.."
scale=${SCALE:-medium}
extra=()
[ "$scale" = large ] && extra=(--orders 1000000 --employees 60)
work=${WORK:-/tmp/mkpi-bench-dashboard}
port=${PORT:-18282}
base="http://127.0.0.1:$port"
python3 -c 'import numpy' 2>/dev/null || pip install -q numpy
bin=${MKPI_BIN:-}
if [ -z "$bin" ]; then
  cargo build --release -q
  bin=target/release/mkpi
fi
mkdir -p "$work"
src="$work/$scale"
if [ ! -f "$src/ad_stats.csv" ]; then
  python3 bench/reference/gen_data.py --scale "$scale" "${extra[@]}" --out "$src" >/dev/null
fi
awk -F, 'NR == 1 { print "campaign,name,channel,budget,currency,start,end"; next }
         { print $1 "," $2 "," $3 "," $5 ",RUB," $6 "," $7 }' "$src/campaigns.csv" > "$work/campaigns.csv"
{ echo "date,campaign,impressions,clicks,spend,conversions,conversion_value"; tail -n +2 "$src/ad_stats.csv"; } > "$work/ad_stats.csv"
{ echo "order_id,customer_id,date,amount,campaign,currency"; tail -n +2 "$src/orders.csv" | sed 's/$/,RUB/'; } > "$work/orders.csv"
cp "$src/web_sessions_daily.csv" "$work/web_traffic.csv"

data=${KEEP:-$(mktemp -d)}
rm -rf "$data"; mkdir -p "$data"
trap 'kill $pid 2>/dev/null || true; [ -n "${KEEP:-}" ] || rm -rf "$data"' EXIT
pid=
db=(--data-dir "$data")
engine=SQLite
if [ -n "${DATABASE_URL:-}" ]; then
  db=(--database-url "$DATABASE_URL")
  engine=PostgreSQL
  psql -q "$DATABASE_URL" -c 'DROP SCHEMA public CASCADE; CREATE SCHEMA public;' >/dev/null
fi
for f in campaigns:mkpi-campaigns ad_stats:mkpi-ad-stats orders:mkpi-orders web_traffic:mkpi-web-traffic; do
  start=$(date +%s%N)
  "$bin" import --preset "${f#*:}" "$work/${f%%:*}.csv" "${db[@]}" >/dev/null 2>&1
  echo "imported ${f%%:*}: $(( $(wc -l < "$work/${f%%:*}.csv") - 1 )) rows in $(( ($(date +%s%N) - start) / 1000000 )) ms"
done
echo "benchpass1" | "$bin" user add --login bench --role head --password-stdin "${db[@]}" >/dev/null
MKPI_LOG=warn "$bin" serve --addr "127.0.0.1:$port" "${db[@]}" >"$data/out" 2>"$data/err" &
pid=$!
until curl -sf "$base/healthz" >/dev/null; do sleep 0.05; done
cookie=$(curl -s -D - -o /dev/null -H 'content-type: application/json' \
  -d '{"login":"bench","password":"benchpass1"}' "$base/api/v1/login" \
  | tr -d '\r' | grep -i '^set-cookie: mkpi_session=' | sed 's/^[^:]*: //; s/;.*//')
# The last full month of the data.
last=$(tail -n 1 "$src/ad_stats.csv" | cut -d, -f1)
month=$(date -d "${last:0:7}-01 -1 month" +%Y-%m)
first="$month-01"
until=$(date -d "$first +1 month -1 day" +%F)
url="$base/dashboard?from=$first&until=$until&compare=previous"
echo "dashboard for $first..$until on $engine ($(( $(wc -l < "$work/ad_stats.csv") - 1 )) ad-stat rows, $(( $(wc -l < "$work/orders.csv") - 1 )) orders)"
times=()
for i in $(seq 1 20); do
  t=$(curl -s -o /dev/null -w '%{time_total}' -H "Cookie: $cookie" "$url")
  times+=("$t")
done
printf '%s\n' "${times[@]}" | sort -n | awk '{ a[NR] = $1 * 1000 } END {
  printf "p50 %.0f ms, p95 %.0f ms, min %.0f ms, max %.0f ms over %d requests\n", a[int(NR*0.5+0.5)], a[int(NR*0.95+0.5)], a[1], a[NR], NR }'
