#!/usr/bin/env bash
# The action's install step (action/install.sh) against a real release layout served on
# 127.0.0.1: download, sha256 check, tool cache, PATH; a tampered archive is refused; a
# launchgate already on PATH at the wanted version is used; bad versions are refused.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
work=${CLIENT_TESTS_TMP:-$root/target/tmp/clients}/install
rm -rf "$work"
mkdir -p "$work"
python=$(command -v python3 || command -v python)
launchgate=$(command -v launchgate) || { echo "install.sh: FAIL: no launchgate on PATH to package" >&2; exit 1; }
version=$("$launchgate" --version | awk '{print $2}')
port=18931

fail() {
  echo "install.sh: FAIL: $*" >&2
  exit 1
}

# A release as release.yml publishes it: v<version>/launchgate-v<version>-<target>.tar.gz + .sha256.
target=x86_64-unknown-linux-musl
stem=launchgate-v$version-$target
mkdir -p "$work/pkg/$stem" "$work/releases/v$version"
cp "$launchgate" "$work/pkg/$stem/launchgate"
tar -czf "$work/releases/v$version/$stem.tar.gz" -C "$work/pkg" "$stem"
(cd "$work/releases/v$version" && sha256sum "$stem.tar.gz" >"$stem.tar.gz.sha256")

"$python" -m http.server "$port" --bind 127.0.0.1 --directory "$work/releases" >"$work/http.log" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null || true' EXIT
for _ in $(seq 1 50); do
  curl --silent --output /dev/null "http://127.0.0.1:$port/" && break
  sleep 0.1
done

# run_install NAME [VAR=VALUE...]: the install step as the runner runs it, with a PATH that
# has no launchgate (and no cargo) unless the caller puts one there.
run_install() {
  local name=$1
  shift
  local dir=$work/$name
  mkdir -p "$dir/temp"
  : >"$dir/output"
  : >"$dir/path"
  local status=0
  env -i HOME="$dir" PATH=/usr/bin:/bin \
    GITHUB_ACTION_PATH="$root" GITHUB_OUTPUT="$dir/output" GITHUB_PATH="$dir/path" \
    RUNNER_TEMP="$dir/temp" RUNNER_TOOL_CACHE="$work/toolcache" RUNNER_OS=Linux RUNNER_ARCH=X64 \
    LAUNCHGATE_DOWNLOAD_URL="http://127.0.0.1:$port" INPUT_VERSION="" "$@" \
    bash "$root/action/install.sh" >"$dir/log" 2>&1 || status=$?
  echo "$status" >"$dir/status"
}

expect() {
  local name=$1 status=$2 text=$3
  [ "$(cat "$work/$name/status")" = "$status" ] \
    || fail "$name: exit $(cat "$work/$name/status"), expected $status; log: $(cat "$work/$name/log")"
  grep -qF -- "$text" "$work/$name/log" "$work/$name/output" \
    || fail "$name: expected '$text' in the log or outputs; log: $(cat "$work/$name/log")"
  echo "install.sh: $name: ok"
}

cached=$work/toolcache/launchgate/$version/$target/launchgate
run_install download INPUT_VERSION="$version"
expect download 0 "sha256 ok"
expect download 0 "bin=$cached"
grep -qxF "$(dirname "$cached")" "$work/download/path" || fail "download: $(dirname "$cached") was not added to GITHUB_PATH"
"$cached" --version | grep -qF "$version" || fail "download: the installed binary does not run"

kill "$server"
wait "$server" 2>/dev/null || true
run_install from-cache INPUT_VERSION="v$version"
expect from-cache 0 "bin=$cached"

# A release tag as the action's ref selects that release, from the cache here.
run_install action-ref LAUNCHGATE_ACTION_REF="v$version"
expect action-ref 0 "bin=$cached"

"$python" -m http.server "$port" --bind 127.0.0.1 --directory "$work/releases" >"$work/http.log" 2>&1 &
server=$!
for _ in $(seq 1 50); do
  curl --silent --output /dev/null "http://127.0.0.1:$port/" && break
  sleep 0.1
done
rm -rf "$work/toolcache"
echo "0000000000000000000000000000000000000000000000000000000000000000  $stem.tar.gz" \
  >"$work/releases/v$version/$stem.tar.gz.sha256"
run_install tampered INPUT_VERSION="$version"
expect tampered 2 "does not match its published sha256"
[ ! -e "$cached" ] || fail "tampered: the archive was installed anyway"

run_install missing-release INPUT_VERSION="9.9.9"
expect missing-release 2 "cannot download http://127.0.0.1:$port/v9.9.9/launchgate-v9.9.9-$target.tar.gz"

run_install bad-version INPUT_VERSION="latest"
expect bad-version 2 "version 'latest' is not a release version"

run_install no-cargo LAUNCHGATE_ACTION_REF="main"
expect no-cargo 2 "cargo is not installed"

mkdir -p "$work/on-path"
cp "$launchgate" "$work/on-path/launchgate"
run_install on-path PATH="$work/on-path:/usr/bin:/bin" INPUT_VERSION="$version"
expect on-path 0 "bin=$work/on-path/launchgate"

run_install explicit-bin LAUNCHGATE_BIN="$launchgate" INPUT_VERSION="9.9.9"
expect explicit-bin 0 "LAUNCHGATE_BIN is launchgate $version, not 9.9.9"
echo "install.sh: ok"
