# Shared by the demo-department benchmarks (goals.sh, reviews.sh): builds
# the release binary unless MKPI_BIN names one, starts `mkpi demo` on SQLite
# in a temporary data dir (or on PostgreSQL with DATABASE_URL, whose public
# schema it empties), signs in as the head, and offers time_path PATH, which
# prints p50 and p95 over RUNS requests. Source it after setting PORT.
port=${PORT:?set PORT before sourcing bench/demo-lib.sh}
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
time_path() {
  local times=()
  for _ in $(seq 1 "$runs"); do
    times+=("$(curl -s -o /dev/null -w '%{time_total}' -H "Cookie: $cookie" "$base$1")")
  done
  printf '%s\n' "${times[@]}" | sort -n | awk -v p="$1" '{ a[NR] = $1 * 1000 } END {
    printf "%-40s p50 %4.0f ms, p95 %4.0f ms over %d requests\n", p, a[int(NR*0.5+0.5)], a[int(NR*0.95+0.5)], NR }'
}
