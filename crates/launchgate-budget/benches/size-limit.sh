#!/usr/bin/env bash
# `launchgate-budget --size-limit` against size-limit itself on the fixture site's whole
# .size-limit.json (9 checks, 8 with a limit, two re-bundled with esbuild), side by side.
#
#   crates/launchgate-budget/benches/size-limit.sh [RUNS] [BINARY]
#
# The site is the budget fixture's dist/ and .size-limit.json with the client tests'
# package.json and lockfile (size-limit 12.1.0, @size-limit/esbuild, lodash, chart.js),
# installed once with `npm ci` into target/size-limit-bench/ (never into the repository).
# Each run times `size-limit --json` and `launchgate-budget --size-limit .size-limit.json`,
# alternated with a warm page cache; it prints the median wall and CPU time of each and the
# ratio, then checks with tests/clients/compare_size_limit.py that every verdict is
# size-limit's. Without BINARY it builds the release binary.
set -euo pipefail
runs="${1:-5}"
bin="${2:-}"
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
if [[ -z "$bin" ]]; then
  (cd "$root" && cargo build -q --release -p launchgate-budget)
  bin="${CARGO_TARGET_DIR:-$root/target}/release/launchgate-budget"
fi
bin="$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")"

site=$root/target/size-limit-bench/site
lock=$root/tests/clients/fixtures/budget-site/package-lock.json
if ! cmp -s "$lock" "$site/package-lock.json" 2>/dev/null || [[ ! -d "$site/node_modules" ]]; then
  rm -rf "$site"
  mkdir -p "$site"
  cp -R "$root/crates/launchgate-budget/tests/fixtures/site/." "$root/tests/clients/fixtures/budget-site/." "$site/"
  (cd "$site" && npm ci --no-audit --no-fund --silent >/dev/null)
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo "size-limit $(cd "$site" && node -p 'require("size-limit/package.json").version'), node $(node --version), $(nproc) cores"

# One run: prints "wall_s cpu_s", the CPU time including every child (node, esbuild).
measure() {
  local out="$1"; shift
  (cd "$site" && /usr/bin/time -o "$work/time" -f '%e %U %S' "$@" >"$out" 2>/dev/null) || true
  awk '/^[0-9.]+ [0-9.]+ [0-9.]+$/ { printf "%.3f %.3f\n", $1, $2 + $3 }' "$work/time"
}
sl_wall=(); sl_cpu=(); lg_wall=(); lg_cpu=()
for i in $(seq "$runs"); do
  read -r w c < <(measure "$work/size-limit.json" ./node_modules/.bin/size-limit --json)
  sl_wall+=("$w"); sl_cpu+=("$c")
  read -r w c < <(measure "$work/launchgate.json" "$bin" --size-limit .size-limit.json --format json)
  lg_wall+=("$w"); lg_cpu+=("$c")
  echo "run $i: size-limit ${sl_wall[-1]} s, launchgate-budget ${lg_wall[-1]} s"
done
median() { printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
awk -v sw="$(median "${sl_wall[@]}")" -v sc="$(median "${sl_cpu[@]}")" \
    -v lw="$(median "${lg_wall[@]}")" -v lc="$(median "${lg_cpu[@]}")" 'BEGIN {
  printf "size-limit --json:              %.3f s wall, %.3f s CPU (medians)\n", sw, sc
  printf "launchgate-budget --size-limit: %.3f s wall, %.3f s CPU (medians)\n", lw, lc
  printf "ratio launchgate / size-limit: %.2f wall, %.2f CPU\n", lw / sw, lc / sc
}'
python3 "$root/tests/clients/compare_size_limit.py" "$work/size-limit.json" "$work/launchgate.json" "verdicts"
