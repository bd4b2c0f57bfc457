#!/usr/bin/env bash
# API robustness (issue 8, row 5): schemathesis over /api/openapi.json, every
# operation, EXAMPLES examples per operation (100 by default) for each role
# (anonymous, viewer, employee, manager, head, admin; admin last, since it
# may deactivate accounts) against `mkpi demo`. Checks: no server error, every
# status documented, every answer matching its documented schema and content
# type. A positive control first: the same run against a copy of the document
# with one documented status removed must fail, so a silent schemathesis
# cannot pass this suite.
# Usage: [MKPI_BIN=target/release/mkpi] [EXAMPLES=100] [ROLES="head admin"] scripts/api-fuzz.sh
set -euo pipefail
cd "$(dirname "$0")/.."
examples=${EXAMPLES:-100}
roles=${ROLES:-anonymous viewer employee manager head admin}
port=${PORT:-18555}
base="http://127.0.0.1:$port"
bin=${MKPI_BIN:-}
if [ -z "$bin" ]; then
  cargo build --release -q
  bin=target/release/mkpi
fi
if ! command -v schemathesis >/dev/null; then
  pip install -q schemathesis 2>/dev/null || pip install -q --break-system-packages schemathesis
fi
work=$(mktemp -d)
# Each role's full schemathesis output is kept here.
logs=${LOGS:-target/api-fuzz}
mkdir -p "$logs"
pid=
trap 'kill $pid 2>/dev/null || true; rm -rf "$work"' EXIT
MKPI_LOG=warn "$bin" demo --addr "127.0.0.1:$port" --data-dir "$work/data" >"$work/out" 2>"$work/err" &
pid=$!
until curl -sf "$base/healthz" >/dev/null; do
  kill -0 "$pid" 2>/dev/null || { cat "$work/err"; exit 1; }
  sleep 0.2
done
curl -sf "$base/api/openapi.json" -o "$work/openapi.json"

# An API token per role, made through the API itself.
token_for() {
  local jar="$work/jar-$1" csrf
  curl -sf -c "$jar" -H 'content-type: application/json' \
    -d "{\"login\":\"$1\",\"password\":\"demo\"}" "$base/api/v1/login" >/dev/null
  csrf=$(curl -sf -b "$jar" "$base/api/v1/me" | python3 -c 'import sys, json; print(json.load(sys.stdin)["csrf_token"])')
  curl -sf -b "$jar" -H "x-csrf-token: $csrf" -H 'content-type: application/json' \
    -d '{"name":"api-fuzz"}' "$base/api/v1/me/tokens" \
    | python3 -c 'import sys, json; print(json.load(sys.stdin)["token"])'
}

checks=not_a_server_error,status_code_conformance,response_schema_conformance,content_type_conformance
# Signing out and revoking tokens would end the run's own credential.
exclude=(--exclude-path /api/v1/logout --exclude-path-regex '^/api/v1/me/tokens/')
fuzz() { # LOCATION EXAMPLES [HEADER]
  local location=$1 n=$2; shift 2
  schemathesis run "$location" --url "$base" -n "$n" --seed 8 --no-color --no-shrink \
    --phases examples,coverage,fuzzing --checks "$checks" --warnings off \
    "${exclude[@]}" "$@"
}

# Positive control: GET /api/v1/employees/{id} without its documented 404.
python3 - "$work/openapi.json" "$work/seeded.json" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
del doc["paths"]["/api/v1/employees/{id}"]["get"]["responses"]["404"]
json.dump(doc, open(sys.argv[2], "w"))
PY
head_token=$(token_for head)
if fuzz "$work/seeded.json" 20 --include-path '/api/v1/employees/{id}' \
     -H "Authorization: Bearer $head_token" >"$work/control.log" 2>&1; then
  cat "$work/control.log"
  echo "positive control: schemathesis missed an undocumented 404" >&2
  exit 1
fi
grep -q "Undocumented status code" "$work/control.log" \
  || { cat "$work/control.log"; echo "positive control failed for another reason" >&2; exit 1; }
echo "positive control: the seeded undocumented 404 was caught"

# Every token before any run: fuzzing the sign-in soon throttles this address.
declare -A tokens
for role in $roles; do
  [ "$role" = anonymous ] || tokens[$role]=$(token_for "$role")
done

status=0
for role in $roles; do
  start=$(date +%s)
  if [ "$role" = anonymous ]; then
    auth=()
  else
    auth=(-H "Authorization: Bearer ${tokens[$role]}")
  fi
  if fuzz "$work/openapi.json" "$examples" "${auth[@]}" >"$logs/$role.log" 2>&1; then
    verdict=passed
  else
    verdict=FAILED
    status=1
    grep -E '^_{5,} [A-Z]+ |^- ST|Received:|Documented:' "$logs/$role.log" | head -n 200
  fi
  cases=$(grep -Eo '[0-9]+ generated' "$logs/$role.log" | head -n 1 || true)
  ops=$(grep -Eo 'Tested: [0-9]+' "$logs/$role.log" | head -n 1 || true)
  echo "$role: $verdict ($ops operations, ${cases:-0 generated} cases, $(( $(date +%s) - start )) s; $logs/$role.log)"
done
if grep -q "panicked" "$work/err"; then
  echo "the server logged a panic:" >&2
  grep -A3 panicked "$work/err" >&2
  status=1
fi
exit $status
