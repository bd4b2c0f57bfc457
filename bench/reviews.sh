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
PORT=${PORT:-18284}
# shellcheck source=bench/demo-lib.sh
. bench/demo-lib.sh
cycle=$(curl -s -H "Cookie: $cookie" "$base/api/v1/review-cycles" | python3 -c '
import json, sys
print([c for c in json.load(sys.stdin) if c["status"] == "closed"][0]["id"])')
person=$(curl -s -H "Cookie: $cookie" "$base/api/v1/review-cycles/$cycle/calibration" | python3 -c 'import json,sys; print(json.load(sys.stdin)["rows"][0]["employee_id"])')
time_path "/reviews"
time_path "/reviews/$cycle/calibration"
time_path "/reviews/$cycle/results/$person"
time_path "/reviews/people/$person"
time_path "/api/v1/review-cycles/$cycle/calibration"
time_path "/api/v1/review-distributions"
