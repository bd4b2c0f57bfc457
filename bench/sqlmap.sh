#!/usr/bin/env bash
# SQL injection (issue 8, row 6): sqlmap on every parameter of every API
# operation of /api/openapi.json (path and query parameters, and each value
# of a JSON body built from the operation's schema), as the head with an API
# token, against `mkpi demo` on SQLite. sqlmap exits 0 whatever it finds, so
# its output is read: an operation counts as injectable when sqlmap names an
# injection point. A positive control first: a ten-line server that builds
# its SQL from the query string must be found injectable.
# Usage: [MKPI_BIN=target/release/mkpi] [ONLY=regex] bench/sqlmap.sh
set -euo pipefail
cd "$(dirname "$0")/.."
PORT=${PORT:-18484}
command -v sqlmap >/dev/null || { echo "sqlmap is not installed (apt-get install sqlmap)" >&2; exit 1; }
source bench/demo-lib.sh
out="$data/sqlmap"
mkdir -p "$out"
# Error answers are baselines too: an id that does not exist answers 404,
# and sqlmap would otherwise stop before testing anything.
common=(--batch --level 2 --risk 1 --threads 4 --time-sec 2 --disable-coloring --flush-session
        --ignore-code=400,401,403,404,409,410,415,422,429 --output-dir "$out/state")

injectable() { grep -qE "sqlmap identified the following injection point|parameter '.*' is vulnerable" "$1"; }

# Positive control.
control_port=$((PORT + 1))
python3 - "$control_port" <<'PY' &
import http.server, sqlite3, sys, urllib.parse
db = sqlite3.connect(":memory:", check_same_thread=False)
db.execute("CREATE TABLE t (id INTEGER, name TEXT)"); db.execute("INSERT INTO t VALUES (1, 'a'), (2, 'b')")
class H(http.server.BaseHTTPRequestHandler):
    def log_message(self, *a): pass
    def do_GET(self):
        q = urllib.parse.parse_qs(urllib.parse.urlparse(self.path).query).get("id", ["1"])[0]
        try: rows = db.execute(f"SELECT name FROM t WHERE id = {q}").fetchall(); code = 200
        except Exception: rows, code = [], 500
        self.send_response(code); self.end_headers(); self.wfile.write(repr(rows).encode())
http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
PY
control=$!
trap 'kill $pid $control 2>/dev/null || true; rm -rf "$data"' EXIT
sleep 1
sqlmap -u "http://127.0.0.1:$control_port/item?id=1" "${common[@]}" >"$out/control.log" 2>&1 || true
if injectable "$out/control.log"; then
  echo "positive control: the seeded injection was found"
else
  cat "$out/control.log"; echo "positive control: sqlmap missed the seeded injection" >&2; exit 1
fi

csrf=$(curl -s -H "Cookie: $cookie" "$base/api/v1/me" | python3 -c 'import sys, json; print(json.load(sys.stdin)["csrf_token"])')
token=$(curl -s -H "Cookie: $cookie" -H "x-csrf-token: $csrf" -H 'content-type: application/json' \
  -d '{"name":"sqlmap"}' "$base/api/v1/me/tokens" | python3 -c 'import sys, json; print(json.load(sys.stdin)["token"])')
curl -s "$base/api/openapi.json" -o "$data/openapi.json"

# One line per operation: METHOD <tab> URL with markers <tab> JSON body or -.
python3 - "$data/openapi.json" "$base" "${ONLY:-.}" >"$data/operations" <<'PY'
import json, re, sys
doc, base, only = json.load(open(sys.argv[1])), sys.argv[2], re.compile(sys.argv[3])
schemas = doc.get("components", {}).get("schemas", {})
def resolve(s):
    while isinstance(s, dict) and "$ref" in s:
        s = schemas[s["$ref"].split("/")[-1]]
    return s or {}
def example(s, depth=0):
    s = resolve(s)
    for key in ("oneOf", "anyOf", "allOf"):
        if key in s:
            options = [o for o in s[key] if resolve(o).get("type") != "null"] or s[key]
            return example(options[0], depth)
    t = s.get("type")
    if isinstance(t, list):
        t = next((x for x in t if x != "null"), "string")
    if "enum" in s: return s["enum"][0]
    if "example" in s: return s["example"]
    if t == "object" or "properties" in s:
        if depth > 3: return {}
        return {k: example(v, depth + 1) for k, v in s.get("properties", {}).items()}
    if t == "array": return [example(s.get("items", {}), depth + 1)] if depth < 3 else []
    if t == "integer": return 1
    if t == "number": return 1.5
    if t == "boolean": return True
    if s.get("format") == "date": return "2026-01-01"
    return "x"
for path, item in doc["paths"].items():
    for method, op in item.items():
        if method not in ("get", "post", "put", "delete") or not only.search(f"{method} {path}"):
            continue
        if path in ("/api/v1/logout",) or path.startswith("/api/v1/me/tokens/"):
            continue
        url = re.sub(r"\{[^}]+\}", "1*", path)
        query = [f"{p['name']}={example(p.get('schema', {})) if not isinstance(example(p.get('schema', {})), bool) else 'true'}"
                 for p in op.get("parameters", []) if p.get("in") == "query"]
        if query: url += "?" + "&".join(query)
        body = "-"
        content = op.get("requestBody", {}).get("content", {})
        if "application/json" in content:
            body = json.dumps(example(content["application/json"].get("schema", {})))
        print(f"{method.upper()}\t{base}{url}\t{body}")
PY
total=$(wc -l < "$data/operations")
found=0; n=0; untested=0; start=$(date +%s)
while IFS=$'\t' read -r method url body; do
  n=$((n + 1))
  args=(-u "$url" --method "$method" -H "Authorization: Bearer $token" "${common[@]}")
  [ "$body" != "-" ] && args+=(--data "$body" -H "Content-Type: application/json")
  log="$out/op-$n.log"
  sqlmap "${args[@]}" >"$log" 2>&1 || true
  if injectable "$log"; then
    found=$((found + 1)); echo "INJECTABLE: $method $url ($log)"; grep -A6 "injection point" "$log"
  fi
  tested=$(grep -cE "testing '|heuristic" "$log" || true)
  if [ "$tested" = 0 ]; then
    untested=$((untested + 1))
    verdict="NOT TESTED: $(grep -m1 -E 'CRITICAL|ERROR' "$log" | sed 's/.*\(CRITICAL\|ERROR\)\] //' || true)"
  elif injectable "$log"; then
    verdict=injectable
  else
    verdict="not injectable ($tested probes)"
  fi
  printf '%3d/%d %-6s %s: %s\n' "$n" "$total" "$method" "${url#$base}" "$verdict"
done <"$data/operations"
echo "sqlmap: $total operations, $found injectable, $untested not tested, $(( $(date +%s) - start )) s"
grep -l "panicked" "$data/err" >/dev/null 2>&1 && { echo "the server logged a panic" >&2; exit 1; }
[ "$found" = 0 ]
