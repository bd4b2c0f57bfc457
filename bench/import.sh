#!/usr/bin/env bash
# Import speed: the 1,000,000-row ad statistics of ../shared/bench/gen_data.py
# --scale medium, converted to mkpi's canonical formats, imported with
# `mkpi import` into a fresh SQLite database; then the same file again
# (every row already stored). Prints rows/s and peak memory of each run.
# Usage: [MKPI_BIN=path/to/release/mkpi] [SCALE=medium] bench/import.sh
set -euo pipefail
cd "$(dirname "$0")/.."
scale=${SCALE:-medium}
gen=../shared/bench/gen_data.py
work=${WORK:-/tmp/mkpi-bench-import}
python3 -c 'import numpy' 2>/dev/null || pip install -q numpy
bin=${MKPI_BIN:-}
if [ -z "$bin" ]; then
  cargo build --release -q
  bin=target/release/mkpi
fi

mkdir -p "$work"
if [ ! -f "$work/$scale/ad_stats.csv" ]; then
  python3 "$gen" --scale "$scale" --out "$work/$scale" >/dev/null
fi
# To the canonical formats: campaigns get a currency; ad stats only renamed headers.
awk -F, 'NR == 1 { print "campaign,name,channel,budget,currency,start,end"; next }
         { print $1 "," $2 "," $3 "," $5 ",RUB," $6 "," $7 }' "$work/$scale/campaigns.csv" > "$work/campaigns.csv"
{ echo "date,campaign,impressions,clicks,spend,conversions,conversion_value"; tail -n +2 "$work/$scale/ad_stats.csv"; } > "$work/ad_stats.csv"
rows=$(( $(wc -l < "$work/ad_stats.csv") - 1 ))
echo "ad statistics: $rows rows, $(du -h "$work/ad_stats.csv" | cut -f1)"

data=$(mktemp -d)
trap 'rm -rf "$data"' EXIT
"$bin" import --preset mkpi-campaigns "$work/campaigns.csv" --data-dir "$data" >/dev/null

run() {
  local label=$1
  local start end
  start=$(date +%s%N)
  /usr/bin/time -f "%M" -o "$data/mem" "$bin" import --preset mkpi-ad-stats "$work/ad_stats.csv" --data-dir "$data" > "$data/out"
  end=$(date +%s%N)
  local ms=$(( (end - start) / 1000000 ))
  echo "$label: $(sed 's/^[^—]*— //' "$data/out" | head -1)"
  echo "  $ms ms, $(( rows * 1000 / (ms > 0 ? ms : 1) )) rows/s, peak memory $(( $(cat "$data/mem") / 1024 )) MB"
}
run "first import"
run "re-import (all rows already stored)"

# The generic facts: orders (campaign ids resolved) and web traffic.
{ echo "order_id,customer_id,date,amount,campaign,currency"; tail -n +2 "$work/$scale/orders.csv" | sed 's/$/,RUB/'; } > "$work/orders.csv"
cp "$work/$scale/web_sessions_daily.csv" "$work/web_traffic.csv"
for fact in orders web_traffic; do
  file="$work/$fact.csv"
  n=$(( $(wc -l < "$file") - 1 ))
  start=$(date +%s%N)
  /usr/bin/time -f "%M" -o "$data/mem" "$bin" import --preset "mkpi-${fact//_/-}" "$file" --data-dir "$data" > "$data/out"
  end=$(date +%s%N)
  ms=$(( (end - start) / 1000000 ))
  echo "$fact: $(sed 's/^[^—]*— //' "$data/out" | head -1)"
  echo "  $n rows in $ms ms, $(( n * 1000 / (ms > 0 ? ms : 1) )) rows/s, peak memory $(( $(cat "$data/mem") / 1024 )) MB"
done
