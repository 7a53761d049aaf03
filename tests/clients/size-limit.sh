#!/usr/bin/env bash
# launchgate budget against the real size-limit, with its esbuild plugin installed by npm ci:
#
# 1. The budget fixture site (its dist/ and .size-limit.json, built and measured by the real
#    tools): every verdict must equal the one size-limit recorded, including the checks it
#    re-bundles with esbuild (a source entry, a tree-shaken lodash import).
# 2. A small project run through size-limit here and now: checks that re-bundle (a source
#    entry, named imports, `import *`, `ignore`d packages) in raw, gzip and brotli.
# 3. The same checks moved to the `size-limit` key of package.json, then to an ES module
#    .size-limit.js: both tools find them unnamed, and every verdict is still size-limit's.
#
# Raw and gzip sizes must match to the byte, brotli (another encoder) within 0.2 %. Before
# npm ci, the re-bundled checks must be warnings that say to install the dependencies.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
compare=$root/tests/clients/compare_size_limit.py
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "size-limit.sh: the budget fixture site, without node_modules"
site=$work/site
mkdir -p "$site"
cp -R "$root/crates/launchgate-budget/tests/fixtures/site/." "$site/"
cp -R "$root/tests/clients/fixtures/budget-site/." "$site/"
cd "$site"
launchgate budget --size-limit .size-limit.json --format json >bare.json || true
python3 - bare.json <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))["reports"][0]
warned = [f for f in report["findings"] if f["rule_id"] == "budget.unsupported"]
assert len(warned) == 2, warned
assert all("npm ci" in (f.get("help") or "") for f in warned), warned
print("size-limit.sh: the 2 re-bundled checks warned as not checked, each with the fix")
PY
echo "size-limit.sh: npm ci (size-limit 12.1.0 with @size-limit/esbuild, lodash, chart.js)"
npm ci --no-audit --no-fund --silent >/dev/null
launchgate budget --size-limit .size-limit.json --format json >launchgate.json || true
python3 "$compare" "$root/crates/launchgate-budget/tests/fixtures/results/size-limit.json" \
  launchgate.json "size-limit.sh (recorded verdicts)"

echo "size-limit.sh: a project measured by size-limit now"
project=$work/project
mkdir -p "$project"
cp -R "$root/tests/clients/fixtures/size-limit/." "$project/"
cd "$project"
npm ci --no-audit --no-fund --silent >/dev/null
./node_modules/.bin/size-limit --json >size-limit.json || true
launchgate budget --size-limit .size-limit.json --format json >launchgate.json || true
python3 "$compare" size-limit.json launchgate.json "size-limit.sh (live)"

# size-limit's other config places, found by both tools without naming them: the
# `size-limit` key of package.json (its main setup) and an ES module .size-limit.js.
mv .size-limit.json checks.json
cp package.json package.json.orig
for place in package.json .size-limit.js; do
  echo "size-limit.sh: the same checks from $place, found by both tools"
  case $place in
    package.json)
      python3 - <<'PY'
import json
pkg = json.load(open("package.json.orig"))
pkg["size-limit"] = json.load(open("checks.json"))
json.dump(pkg, open("package.json", "w"), indent=2)
PY
      ;;
    .size-limit.js)
      cp package.json.orig package.json
      { printf 'export default '; cat checks.json; } >.size-limit.js
      ;;
  esac
  ./node_modules/.bin/size-limit --json >"size-limit-$place.json" || true
  launchgate budget --format json >"launchgate-$place.json" || true
  python3 - "launchgate-$place.json" "$place" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))["reports"][0]
assert any(sys.argv[2] in i for i in report["inputs"]), report["inputs"]
assert any(f"applied: {sys.argv[2]}" in n for n in report["notes"]), report["notes"]
PY
  python3 "$compare" "size-limit-$place.json" "launchgate-$place.json" "size-limit.sh ($place)"
done
