#!/usr/bin/env bash
# launchgate budget against the real size-limit (with its esbuild plugin) on the same
# project: checks that re-bundle (a source entry, `import` of named exports, `import *`,
# `ignore`d packages) and plain raw, gzip and brotli checks. Every verdict must be
# size-limit's; raw and gzip sizes to the byte, brotli (another encoder) within 0.2 %.
# Then the same config without node_modules: a warning that says to install them.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -R "$root/tests/clients/fixtures/size-limit/." "$work/"
cd "$work"

echo "size-limit.sh: without node_modules"
launchgate budget --size-limit .size-limit.json --format json >bare.json || true
python3 - bare.json <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))["reports"][0]
warned = [f for f in report["findings"] if f["rule_id"] == "budget.unsupported"]
assert len(warned) == 7, warned
assert all("npm ci" in (f.get("help") or "") for f in warned), warned
print("size-limit.sh: 7 checks warned as not checked, each with the fix")
PY

echo "size-limit.sh: npm ci (size-limit, @size-limit/file, @size-limit/esbuild, lodash, lodash-es)"
npm ci --no-audit --no-fund --silent >/dev/null
./node_modules/.bin/size-limit --json >size-limit.json || true
launchgate budget --size-limit .size-limit.json --format json >launchgate.json || true

python3 - size-limit.json launchgate.json <<'PY'
import json, sys
expected = json.load(open(sys.argv[1]))
report = json.load(open(sys.argv[2]))["reports"][0]
measured = {}
for table in report["tables"]:
    if table["title"] == "Measured values":
        for kind, subject, metric, value in table["rows"]:
            measured[subject] = (metric, int(value))
verdicts = {}
for table in report["tables"]:
    if table["title"] == "bundles":
        for row in table["rows"]:
            verdicts[row[0]] = row[4] == "pass"
failures = []
for row in expected:
    name, size = row["name"], row["size"]
    metric, ours = measured.get(name, (None, None))
    if ours is None:
        failures.append(f"{name}: not measured")
        continue
    if metric == "brotli":
        close = abs(ours - size) / size < 0.002
    else:
        close = ours == size
    verdict = verdicts.get(f"{name} ({metric})")
    ok = close and verdict == row["passed"]
    print(f"size-limit.sh: {'ok  ' if ok else 'DIFF'} {name}: size-limit {size} B {'pass' if row['passed'] else 'fail'}, launchgate {ours} B ({metric}) {'pass' if verdict else 'fail'}")
    if not ok:
        failures.append(name)
if failures:
    sys.exit(f"size-limit.sh: differs from size-limit: {failures}")
print(f"size-limit.sh: {len(expected)} checks, every verdict equal to size-limit's")
PY
