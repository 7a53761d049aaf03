#!/usr/bin/env bash
# launchgate budget against the real Lighthouse CI (@lhci/cli 0.15.1 from npm): on the
# recorded runs of the budget fixtures (3 runs of 2 URLs, Lighthouse 12.6.1), `lhci assert
# --preset=lighthouse:{all,recommended,no-pwa} --includePassedAssertions` and launchgate
# with a lighthouserc naming the same preset must give the same verdict for every assertion,
# passed ones included; then a preset with a config's own assertions merged over it.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
compare=$root/tests/clients/compare_lhci.py
fixtures=$root/crates/launchgate-budget/tests/fixtures/lhci
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"

echo "lhci.sh: npm install @lhci/cli@0.15.1"
npm init -y >/dev/null
npm install --no-audit --no-fund --silent @lhci/cli@0.15.1 >/dev/null
lhci=$work/node_modules/.bin/lhci
"$lhci" --version

mkdir -p run/.lighthouseci
for lhr in "$fixtures"/.lighthouseci/lhr-*.json.gz; do
  gunzip -c "$lhr" >"run/.lighthouseci/$(basename "$lhr" .gz)"
done

# Runs both tools in run/ with the lighthouserc given (LHCI gets the same through flags or
# the file) and compares every verdict.
compare_with() {
  local name=$1 rc=$2
  shift 2
  rm -f run/.lighthouseci/assertion-results.json
  (cd run && "$lhci" assert "$@" --includePassedAssertions >/dev/null 2>&1) || true
  test -s run/.lighthouseci/assertion-results.json
  cp run/.lighthouseci/assertion-results.json "lhci-$name.json"
  printf '%s\n' "$rc" >run/lighthouserc.json
  (cd run && launchgate budget --lighthouse .lighthouseci/ --format json >"../launchgate-$name.json") || true
  rm run/lighthouserc.json
  python3 "$compare" "lhci-$name.json" "launchgate-$name.json" "lhci.sh ($name)"
}

for preset in all recommended no-pwa; do
  compare_with "$preset" "{\"ci\": {\"assert\": {\"preset\": \"lighthouse:$preset\"}}}" \
    --no-lighthouserc "--preset=lighthouse:$preset"
done
# A preset with overrides: LHCI merges the config's assertions over the preset's.
overrides='{"ci": {"assert": {"preset": "lighthouse:recommended", "assertions": {"unused-javascript": ["warn"], "errors-in-console": "off", "uses-text-compression": ["error", {"minScore": 1}], "categories:performance": ["error", {"minScore": 0.95}]}}}}'
printf '%s\n' "$overrides" >rc-overrides.json
compare_with overrides "$overrides" "--config=$work/rc-overrides.json"
