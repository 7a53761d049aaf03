#!/usr/bin/env bash
# Wall time of `launchgate-secrets scan --staged` for a 10-file change, process start
# included, as a pre-commit hook runs it.
#
#   cargo build --release -p launchgate-secrets
#   crates/launchgate-secrets/benches/staged.sh [path/to/launchgate-secrets]
#
# Uses hyperfine when installed, else 30 timed runs (min and median).
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
bin="${1:-$here/../../../target/release/launchgate-secrets}"
bin="$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")"
repo="$(mktemp -d)"
trap 'rm -rf "$repo"' EXIT

export GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1
git -C "$repo" init -q
# Ten real source files from this crate, staged for the first commit.
for f in $(ls "$here"/../src/*.rs | head -10); do cp "$f" "$repo/"; done
git -C "$repo" add .
echo "staged: $(git -C "$repo" diff --cached --numstat | wc -l) files, $(cat "$repo"/*.rs | wc -c) bytes"

cd "$repo"
if command -v hyperfine >/dev/null; then
  hyperfine --warmup 3 --runs 30 -N "$bin scan --staged"
else
  "$bin" scan --staged >/dev/null || true
  times=()
  for _ in $(seq 30); do
    start=$(date +%s%N)
    "$bin" scan --staged >/dev/null || true
    end=$(date +%s%N)
    times+=($(( (end - start) / 1000 )))
  done
  sorted=($(printf '%s\n' "${times[@]}" | sort -n))
  echo "scan --staged, 30 runs: min $((sorted[0] / 1000)).$(( (sorted[0] % 1000) / 100 )) ms, median $((sorted[15] / 1000)).$(( (sorted[15] % 1000) / 100 )) ms"
fi
# CPU time (this process and its git children), steadier than wall time on a busy machine.
if command -v perf >/dev/null; then
  perf stat -r 30 "$bin" scan --staged 2>&1 >/dev/null | grep -E "task-clock|elapsed" || true
fi
