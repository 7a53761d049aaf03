#!/usr/bin/env bash
# Runs every fuzz target for SECONDS each (default 60), one after the other on one job,
# starting from a scratch copy of its corpus so the committed seeds stay as they are, and
# prints one line per target: executions, new coverage inputs, crashes.
# Needs a nightly toolchain and cargo-fuzz; run from anywhere.
#   fuzz/scripts/run-all.sh [SECONDS] [TARGET…]
set -euo pipefail

fuzz="$(cd "$(dirname "$0")/.." && pwd)"
seconds="${1:-60}"
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    for file in "$fuzz"/fuzz_targets/*.rs; do
        targets+=("$(basename "$file" .rs)")
    done
fi
# The grown corpora stay in FUZZ_SCRATCH when it is set (to minimise and merge by hand).
if [ -n "${FUZZ_SCRATCH:-}" ]; then
    scratch="$FUZZ_SCRATCH"
else
    scratch="$(mktemp -d)"
    trap 'rm -rf "$scratch"' EXIT
fi
cd "$fuzz/.."

mkdir -p "$fuzz/artifacts"
for target in "${targets[@]}"; do
    mkdir -p "$scratch/$target"
    cp "$fuzz/corpus/$target"/* "$scratch/$target/"
    seeds=$(ls "$scratch/$target" | wc -l)
    log="$scratch/$target.log"
    status=0
    # Without AddressSanitizer (`-s none`): the parsers are safe Rust, and the build and runs
    # are several times cheaper; libFuzzer still bounds each input's time and memory.
    cargo +nightly fuzz run -s none "$target" "$scratch/$target" -- \
        -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
        -print_final_stats=1 >"$log" 2>&1 || status=$?
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    found=$(( $(ls "$scratch/$target" | wc -l) - seeds ))
    if [ "$status" -eq 0 ]; then
        verdict="no crash"
    else
        verdict="CRASH (exit $status): $(grep -m1 -E 'panicked|ERROR: libFuzzer' "$log" || true)"
        cp "$log" "$fuzz/artifacts/$target.log"
    fi
    printf '%s\t%ss\t%s executions\t%s new inputs\t%s\n' "$target" "$seconds" "${runs:-?}" "$found" "$verdict"
done
