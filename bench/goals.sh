#!/usr/bin/env bash
# Goals and tasks on the demo department: starts `mkpi demo` (SQLite, or
# PostgreSQL with DATABASE_URL=postgres://…, whose public schema it empties),
# signs in as the head, and times the goal tree, a goal's page, the task
# board and the API's cascade. Reports p50 and p95; it does not fail.
#   bench/goals.sh                      # SQLite in a temporary data dir
#   DATABASE_URL=postgres://postgres@127.0.0.1:5432/mkpi_bench bench/goals.sh
set -euo pipefail
cd "$(dirname "$0")/.."
PORT=${PORT:-18283}
# shellcheck source=bench/demo-lib.sh
. bench/demo-lib.sh
goal=$(curl -s -H "Cookie: $cookie" "$base/api/v1/goals" | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["id"])')
time_path "/goals"
time_path "/goals/$goal"
time_path "/api/v1/goals?tree=1"
time_path "/tasks"
time_path "/my-work"
