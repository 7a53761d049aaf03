#!/usr/bin/env bash
# The Action's install step (action/install.sh), timed: download of the release archive and
# its .sha256, both checks, unpacking and the move into the tool cache, as a runner does it
# on every job; then the same step when the tool cache already holds the binary.
#
#   crates/cli/benches/action-install.sh [RUNS] [BINARY]
#
# BINARY is the launchgate to package (default: target/dist/launchgate, built with
# `cargo build --profile dist --bin launchgate`, as release.yml builds it). It is packaged
# as release.yml packages it (the binary, README.md, LICENSE and CHANGELOG.md in a .tar.gz)
# and served on 127.0.0.1, so the figure is the step's own cost with a free network; the
# archive size is printed to add the download time of a real link (7 MB at 50 MB/s: 0.15 s).
# The sha256 is pinned through the `checksums` input, so no attestation check runs.
set -euo pipefail

runs="${1:-10}"
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
bin="${2:-$root/target/dist/launchgate}"
[[ -x "$bin" ]] || { echo "action-install.sh: no binary at $bin; build it with: cargo build --profile dist --bin launchgate" >&2; exit 2; }
version=$("$bin" --version | awk '{print $2}')
target=x86_64-unknown-linux-musl
stem=launchgate-v$version-$target
work=$(mktemp -d)
server=""
cleanup() { [[ -n "$server" ]] && kill "$server" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

mkdir -p "$work/pkg/$stem" "$work/releases/v$version"
cp "$bin" "$work/pkg/$stem/launchgate"
cp "$root/README.md" "$root/LICENSE" "$root/CHANGELOG.md" "$work/pkg/$stem/"
tar -czf "$work/releases/v$version/$stem.tar.gz" -C "$work/pkg" "$stem"
(cd "$work/releases/v$version" && sha256sum "$stem.tar.gz" >"$stem.tar.gz.sha256")
checksums=$(cat "$work/releases/v$version/$stem.tar.gz.sha256")

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
python3 -m http.server "$port" --bind 127.0.0.1 --directory "$work/releases" >"$work/http.log" 2>&1 &
server=$!
for _ in $(seq 1 50); do
  curl --silent --output /dev/null "http://127.0.0.1:$port/" && break
  sleep 0.1
done

# One install step as the runner runs it; prints its wall time in seconds.
install_step() {
  local cache=$1 dir=$work/run
  rm -rf "$dir"
  mkdir -p "$dir/temp"
  : >"$dir/output"
  : >"$dir/path"
  local start end
  start=$(date +%s%N)
  env -i HOME="$dir" PATH=/usr/bin:/bin \
    GITHUB_ACTION_PATH="$root" GITHUB_OUTPUT="$dir/output" GITHUB_PATH="$dir/path" \
    RUNNER_TEMP="$dir/temp" RUNNER_TOOL_CACHE="$cache" RUNNER_OS=Linux RUNNER_ARCH=X64 \
    LAUNCHGATE_DOWNLOAD_URL="http://127.0.0.1:$port" INPUT_VERSION="$version" \
    INPUT_CHECKSUMS="$checksums" bash "$root/action/install.sh" >"$dir/log" 2>&1 \
    || { echo "action-install.sh: the install step failed:" >&2; cat "$dir/log" >&2; exit 1; }
  end=$(date +%s%N)
  grep -q "bin=$cache/launchgate/$version/$target/launchgate" "$dir/output" \
    || { echo "action-install.sh: the step did not report the installed binary" >&2; exit 1; }
  awk -v ns=$((end - start)) 'BEGIN { printf "%.3f\n", ns / 1e9 }'
}

fresh=(); cached=()
for i in $(seq "$runs"); do
  rm -rf "$work/toolcache"
  fresh+=("$(install_step "$work/toolcache")")
  "$work/toolcache/launchgate/$version/$target/launchgate" --version >/dev/null
  cached+=("$(install_step "$work/toolcache")")
done
median() { printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
archive_bytes=$(stat -c %s "$work/releases/v$version/$stem.tar.gz")
binary_bytes=$(stat -c %s "$bin")
echo "archive $stem.tar.gz: $(awk -v b="$archive_bytes" 'BEGIN { printf "%.1f MB", b / 1e6 }'), binary $(awk -v b="$binary_bytes" 'BEGIN { printf "%.1f MB", b / 1e6 }')"
echo "install step, empty tool cache (download, sha256 checks, unpack): $(median "${fresh[@]}") s median of $runs (min $(printf '%s\n' "${fresh[@]}" | sort -n | head -1) s)"
echo "install step, binary already in the tool cache: $(median "${cached[@]}") s median of $runs"
