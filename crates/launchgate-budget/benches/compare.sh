#!/usr/bin/env bash
# Side by side with the Node tools on the same inputs:
#   lhci assert        vs launchgate-budget --lighthouse … --lighthouserc …   (6 fixture LHRs)
#   size-limit --json  vs launchgate-budget --size-limit …                     (fixture dist/)
#   size-limit --json  vs launchgate-budget --build …  on a generated 20 MB folder (brotli-11)
#
# Usage: benches/compare.sh NODE_PREFIX
#   NODE_PREFIX holds node_modules/.bin/{lhci,size-limit} (npm install @lhci/cli@0.15.1
#   size-limit@12.1.0 @size-limit/file@12.1.0 into a scratch folder, never into the repository).
# Without NODE_PREFIX only launchgate-budget is timed.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
node_prefix=${1:-}
fixtures=$here/tests/fixtures
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cargo build --release -p launchgate-budget --quiet
bin=$(cd "$here/../.." && pwd)/target/release/launchgate-budget

best_of_3() { # prints the best wall time of three runs, in seconds
  local best=""
  for _ in 1 2 3; do
    local start end t
    start=$(date +%s.%N); "$@" > /dev/null 2>&1 || true; end=$(date +%s.%N)
    t=$(echo "$end - $start" | bc)
    if [ -z "$best" ] || (( $(echo "$t < $best" | bc) )); then best=$t; fi
  done
  printf '%.3f s' "$best"
}

# LHCI: lhci reads .lighthouseci/lhr-*.json uncompressed from the current folder.
mkdir -p "$work/lhci/.lighthouseci"
for f in "$fixtures"/lhci/.lighthouseci/lhr-*.json.gz; do gunzip -c "$f" > "$work/lhci/.lighthouseci/$(basename "${f%.gz}")"; done
cp "$fixtures/lhci/lighthouserc.json" "$work/lhci/"
echo "6 LHRs + lighthouserc:"
echo "  launchgate-budget  $(cd "$work/lhci" && best_of_3 "$bin" --lighthouse .lighthouseci --lighthouserc lighthouserc.json)"
[ -n "$node_prefix" ] && echo "  lhci assert        $(cd "$work/lhci" && best_of_3 "$node_prefix/node_modules/.bin/lhci" assert)"

# size-limit on the fixture build, only the checks that measure built files.
pkg='{"private": true, "devDependencies": {"size-limit": "12.1.0", "@size-limit/file": "12.1.0"}}'
mkdir -p "$work/site"
echo "$pkg" > "$work/site/package.json"
cp -r "$fixtures/site/dist" "$work/site/"
python3 - "$fixtures/site/.size-limit.json" "$work/site/.size-limit.json" <<'PY'
import json, sys
checks = [c for c in json.load(open(sys.argv[1])) if "disablePlugins" in c]
json.dump(checks, open(sys.argv[2], "w"), indent=1)
PY
echo "fixture dist/ + .size-limit.json (7 checks):"
echo "  launchgate-budget  $(cd "$work/site" && best_of_3 "$bin" --size-limit .size-limit.json)"
if [ -n "$node_prefix" ]; then
  ln -s "$node_prefix/node_modules" "$work/site/node_modules"
  echo "  size-limit         $(cd "$work/site" && best_of_3 ./node_modules/.bin/size-limit --json)"
fi

# A 20 MB build folder: 200 files of 100 kB of JavaScript-like text.
python3 - "$work/big/assets" <<'PY'
import os, random, sys
os.makedirs(sys.argv[1], exist_ok=True)
words = "function return const let => { } ( ) map filter this props state await import".split()
for i in range(200):
    rnd = random.Random(i)
    text = []
    size = 0
    while size < 100_000:
        w = rnd.choice(words) + str(rnd.randrange(1000)) + ("\n" if rnd.randrange(7) == 0 else " ")
        text.append(w); size += len(w)
    open(os.path.join(sys.argv[1], f"chunk{i}-Ab{i:06d}.js"), "w").write("".join(text)[:100_000])
PY
echo '[{"path": "assets/*.js", "limit": "20 MB"}]' > "$work/big/.size-limit.json"
echo "$pkg" > "$work/big/package.json"
echo "20 MB folder, brotli-11 of every file:"
echo "  launchgate-budget  $(cd "$work/big" && best_of_3 "$bin" --size-limit .size-limit.json)"
[ -n "$node_prefix" ] && ln -s "$node_prefix/node_modules" "$work/big/node_modules" && \
  echo "  size-limit         $(cd "$work/big" && best_of_3 ./node_modules/.bin/size-limit --json)"
echo "20 MB folder, raw + gzip-9 of every file:"
echo "  launchgate-budget  $(best_of_3 "$bin" --build "$work/big/assets" --compressions gzip)"
