#!/usr/bin/env bash
# `launchgate-env lint` against dotenv-linter on the same generated tree, side by side.
#
#   crates/launchgate-env/benches/compare.sh [RUNS] [DOTENV_LINTER] [BINARY] [BEFORE]
#
# The tree: 2,500 apps × 4 files (.env, .env.local, .env.production, .env.test), 10,000
# files of 24 sorted keys each, generated in a temporary folder outside any git repository.
# Some files hold a mistake both tools report (a duplicated key, a lower-case key); the rest
# are clean for both. Each run times `dotenv-linter --plain check -r --skip-updates` (4.0.0;
# install it with `cargo install dotenv-linter --version 4.0.0 --root target/bench-tools`,
# never into the repository) and `launchgate-env lint --root TREE`, alternated with a warm
# page cache, and prints the median wall and CPU time of each, the ratio and the peak
# memory. Both tools must flag exactly the same files, or the script fails.
#
# Without BINARY it builds the release binary; without DOTENV_LINTER, it looks in
# target/bench-tools/bin. With BEFORE, another build of launchgate-env (copied out of
# target/ first) runs in the same alternation, so two builds compare under the same load.
set -euo pipefail

runs="${1:-5}"
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
linter="${2:-$root/target/bench-tools/bin/dotenv-linter}"
bin="${3:-}"
before="${4:-}"
[[ -x "$linter" ]] || { echo "compare.sh: no dotenv-linter at $linter; install it with: cargo install dotenv-linter --version 4.0.0 --root target/bench-tools" >&2; exit 2; }
if [[ -z "$bin" ]]; then
  (cd "$root" && cargo build -q --release -p launchgate-env)
  bin="${CARGO_TARGET_DIR:-$root/target}/release/launchgate-env"
fi
bin="$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")"
linter="$(cd "$(dirname "$linter")" && pwd)/$(basename "$linter")"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
tree="$work/tree"

python3 - "$tree" "$work/expected" <<'PY'
import os, sys
tree, expected_path = sys.argv[1], sys.argv[2]
flagged = []
for app in range(2500):
    folder = os.path.join(tree, "apps", "app%04d" % app)
    os.makedirs(folder)
    for n, name in enumerate([".env", ".env.local", ".env.production", ".env.test"]):
        keys = {}
        for k in range(24):
            key = "APP_%02d_%s" % (k, ["URL", "PORT", "NAME", "FLAG"][k % 4])
            keys[key] = [
                "https://app%d.acme.io/path/%d" % (app, k),
                str(3000 + k),
                "service-%d-%s" % (app, name.strip(".").replace(".", "-")),
                "true",
            ][k % 4]
        lines = ["%s=%s" % kv for kv in sorted(keys.items())]
        if app % 10 == 3 and n == 1:
            lines.insert(5, lines[4])  # a duplicated key
            flagged.append(os.path.join("apps", "app%04d" % app, name))
        if app % 13 == 7 and n == 2:
            lines[10] = lines[10].lower()  # a lower-case key
            flagged.append(os.path.join("apps", "app%04d" % app, name))
        with open(os.path.join(folder, name), "w") as f:
            f.write("\n".join(lines) + "\n")
with open(expected_path, "w") as f:
    f.write("\n".join(sorted(flagged)) + "\n")
PY
echo "tree: $(find "$tree" -type f | wc -l) files, $(du -sk "$tree" | cut -f1) KiB, $(wc -l < "$work/expected") with a mistake; $(nproc) cores"
echo "dotenv-linter: $("$linter" --version)"
find "$tree" -type f -exec cat {} + > /dev/null

lint_dl=("$linter" --plain check --recursive --skip-updates .)
lint_lg=("$bin" lint --root . --format json)
if [[ -n "$before" ]]; then
  before="$(cd "$(dirname "$before")" && pwd)/$(basename "$before")"
  lint_before=("$before" lint --root . --format json)
fi

# One run: prints "wall_s cpu_s peak_kib".
measure() {
  local out="$1"; shift
  local stats="$work/time.txt"
  (cd "$tree" && /usr/bin/time -o "$stats" -f '%e %U %S %M' "$@" > "$out" 2>/dev/null) || true
  awk '/^[0-9.]+ [0-9.]+ [0-9.]+ [0-9]+$/ { printf "%.3f %.3f %d\n", $1, $2 + $3, $4 }' "$stats"
}

dl_wall=(); dl_cpu=(); lg_wall=(); lg_cpu=(); bf_wall=(); bf_cpu=(); dl_rss=0; lg_rss=0
for i in $(seq "$runs"); do
  read -r w c m < <(measure "$work/dl.txt" "${lint_dl[@]}")
  dl_wall+=("$w"); dl_cpu+=("$c"); (( m > dl_rss )) && dl_rss=$m
  read -r w c m < <(measure "$work/lg.json" "${lint_lg[@]}")
  lg_wall+=("$w"); lg_cpu+=("$c"); (( m > lg_rss )) && lg_rss=$m
  if [[ -n "$before" ]]; then
    read -r w c m < <(measure "$work/before.json" "${lint_before[@]}")
    bf_wall+=("$w"); bf_cpu+=("$c")
  fi
  echo "run $i: dotenv-linter ${dl_wall[-1]} s, launchgate-env ${lg_wall[-1]} s"
done
median() { printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
awk -v dw="$(median "${dl_wall[@]}")" -v dc="$(median "${dl_cpu[@]}")" -v dm="$dl_rss" \
    -v lw="$(median "${lg_wall[@]}")" -v lc="$(median "${lg_cpu[@]}")" -v lm="$lg_rss" 'BEGIN {
  printf "dotenv-linter check -r:  %.3f s wall, %.3f s CPU (medians), peak %d MiB\n", dw, dc, dm / 1024
  printf "launchgate-env lint:     %.3f s wall, %.3f s CPU (medians), peak %d MiB\n", lw, lc, lm / 1024
  printf "ratio launchgate / dotenv-linter: %.2f wall, %.2f CPU\n", lw / dw, lc / dc
}'
if [[ -n "$before" ]]; then
  awk -v dw="$(median "${dl_wall[@]}")" -v dc="$(median "${dl_cpu[@]}")" \
      -v bw="$(median "${bf_wall[@]}")" -v bc="$(median "${bf_cpu[@]}")" 'BEGIN {
    printf "BEFORE, same runs:       %.3f s wall, %.3f s CPU (medians)\n", bw, bc
    printf "ratio BEFORE / dotenv-linter: %.2f wall, %.2f CPU\n", bw / dw, bc / dc
  }'
fi

# The same files flagged by both: dotenv-linter's `path:line Check: message` lines, and
# launchgate's error and warning findings.
python3 - "$work/dl.txt" "$work/lg.json" "$work/expected" <<'PY'
import json, re, sys
dl = set()
for line in open(sys.argv[1]):
    m = re.match(r"^(\S+?):\d+ \w+: ", line)
    if m:
        dl.add(m.group(1).removeprefix("./"))
report = json.load(open(sys.argv[2]))["reports"][0]
lg = {f["location"]["path"] for f in report["findings"] if f["severity"] in ("error", "warning")}
expected = {l for l in open(sys.argv[3]).read().split("\n") if l}
for name, got in (("dotenv-linter", dl), ("launchgate-env", lg)):
    if got != expected:
        print("%s flagged %d files, expected %d; differing: %s" % (name, len(got), len(expected), sorted(got ^ expected)[:5]))
        sys.exit(1)
print("both flagged the same %d files" % len(expected))
PY
