#!/usr/bin/env bash
# `launchgate-budget --size-limit` against size-limit itself on the fixture site's whole
# .size-limit.json (9 checks, 8 with a limit, two re-bundled with esbuild), side by side.
#
#   crates/launchgate-budget/benches/size-limit.sh [RUNS] [BINARY] [BEFORE]
#
# The site is the budget fixture's dist/ and .size-limit.json with the client tests'
# package.json and lockfile (size-limit 12.1.0, @size-limit/esbuild, lodash, chart.js),
# installed once with `npm ci` into target/size-limit-bench/ (never into the repository).
# Each run times `size-limit --json` and `launchgate-budget --size-limit .size-limit.json`
# twice, alternated with a warm page cache: cold, with an empty size cache (every file
# compressed, as on a first run), and warm, with the cache of an earlier run (unchanged files
# not compressed again); the caches are temporary folders, never the user's. It prints the
# median wall and CPU time of each and the ratios, then checks with
# tests/clients/compare_size_limit.py that every verdict of both is size-limit's. Without
# BINARY it builds the release binary. With BEFORE, another build (copied out of target/
# first) runs cold in the same alternation, so two builds compare under the same load.
set -euo pipefail
runs="${1:-5}"
bin="${2:-}"
before="${3:-}"
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
if [[ -z "$bin" ]]; then
  (cd "$root" && cargo build -q --release -p launchgate-budget)
  bin="${CARGO_TARGET_DIR:-$root/target}/release/launchgate-budget"
fi
bin="$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")"
[[ -z "$before" ]] || before="$(cd "$(dirname "$before")" && pwd)/$(basename "$before")"

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
lg=("$bin" --size-limit .size-limit.json --format json)
# The warm runs' cache holds what one earlier run wrote.
(cd "$site" && LAUNCHGATE_SIZE_CACHE="$work/warm" "${lg[@]}" >/dev/null 2>&1) || true
sl_wall=(); sl_cpu=(); cold_wall=(); cold_cpu=(); warm_wall=(); warm_cpu=(); bf_wall=(); bf_cpu=()
for i in $(seq "$runs"); do
  read -r w c < <(measure "$work/size-limit.json" ./node_modules/.bin/size-limit --json)
  sl_wall+=("$w"); sl_cpu+=("$c")
  read -r w c < <(measure "$work/cold.json" env LAUNCHGATE_SIZE_CACHE="$work/cold-$i" "${lg[@]}")
  cold_wall+=("$w"); cold_cpu+=("$c")
  read -r w c < <(measure "$work/warm.json" env LAUNCHGATE_SIZE_CACHE="$work/warm" "${lg[@]}")
  warm_wall+=("$w"); warm_cpu+=("$c")
  if [[ -n "$before" ]]; then
    read -r w c < <(measure "$work/before.json" env LAUNCHGATE_SIZE_CACHE="$work/before-$i" "$before" "${lg[@]:1}")
    bf_wall+=("$w"); bf_cpu+=("$c")
  fi
  echo "run $i: size-limit ${sl_wall[-1]} s, launchgate-budget cold ${cold_wall[-1]} s, warm ${warm_wall[-1]} s"
done
median() { printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
awk -v sw="$(median "${sl_wall[@]}")" -v sc="$(median "${sl_cpu[@]}")" \
    -v cw="$(median "${cold_wall[@]}")" -v cc="$(median "${cold_cpu[@]}")" \
    -v ww="$(median "${warm_wall[@]}")" -v wc="$(median "${warm_cpu[@]}")" 'BEGIN {
  printf "size-limit --json:                           %.3f s wall, %.3f s CPU (medians)\n", sw, sc
  printf "launchgate-budget --size-limit, cold cache:  %.3f s wall, %.3f s CPU (medians)\n", cw, cc
  printf "launchgate-budget --size-limit, warm cache:  %.3f s wall, %.3f s CPU (medians)\n", ww, wc
  printf "ratio launchgate / size-limit: cold %.2f wall, %.2f CPU; warm %.2f wall, %.2f CPU\n", cw / sw, cc / sc, ww / sw, wc / sc
}'
if [[ -n "$before" ]]; then
  awk -v sw="$(median "${sl_wall[@]}")" -v sc="$(median "${sl_cpu[@]}")" \
      -v bw="$(median "${bf_wall[@]}")" -v bc="$(median "${bf_cpu[@]}")" 'BEGIN {
    printf "BEFORE, cold cache, same runs:               %.3f s wall, %.3f s CPU (medians)\n", bw, bc
    printf "ratio BEFORE / size-limit: cold %.2f wall, %.2f CPU\n", bw / sw, bc / sc
  }'
  python3 "$root/tests/clients/compare_size_limit.py" "$work/size-limit.json" "$work/before.json" "verdicts (BEFORE, cold)"
fi
python3 "$root/tests/clients/compare_size_limit.py" "$work/size-limit.json" "$work/cold.json" "verdicts (cold)"
python3 "$root/tests/clients/compare_size_limit.py" "$work/size-limit.json" "$work/warm.json" "verdicts (warm)"
