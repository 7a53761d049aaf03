#!/usr/bin/env bash
# The action's install step (action/install.sh) against a real release layout served on
# 127.0.0.1: download, sha256 check, tool cache, PATH; a tampered archive is refused; the
# origin checks (a sha256 pinned in the checksums input, a build provenance attestation
# verified by gh, here a stand-in `gh` that records how it was called); a launchgate already
# on PATH at the wanted version is used; bad versions are refused.
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
expect download 0 "where it was built is unverified"
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
real_sum=$(awk '{print $1}' "$work/releases/v$version/$stem.tar.gz.sha256")

# A sha256 pinned in the workflow vouches for the archive, whatever the release serves.
rm -rf "$work/toolcache"
run_install pinned INPUT_VERSION="$version" INPUT_CHECKSUMS="$real_sum  $stem.tar.gz
1111111111111111111111111111111111111111111111111111111111111111  launchgate-v$version-aarch64-apple-darwin.tar.gz"
expect pinned 0 "pinned sha256 ok: $stem.tar.gz matches the checksums input"
rm -rf "$work/toolcache"
run_install pinned-unlisted INPUT_VERSION="$version" INPUT_CHECKSUMS="$real_sum  other.tar.gz"
expect pinned-unlisted 2 "the checksums input lists no $stem.tar.gz"

# Someone who can replace release assets replaces the archive and its .sha256 together: the
# published checksum agrees, the pinned one does not.
cp "$work/releases/v$version/$stem.tar.gz" "$work/original.tar.gz"
cp "$work/releases/v$version/$stem.tar.gz.sha256" "$work/original.sha256"
echo "not launchgate" >"$work/pkg/$stem/extra"
tar -czf "$work/releases/v$version/$stem.tar.gz" -C "$work/pkg" "$stem"
(cd "$work/releases/v$version" && sha256sum "$stem.tar.gz" >"$stem.tar.gz.sha256")
rm -rf "$work/toolcache"
run_install replaced INPUT_VERSION="$version" INPUT_CHECKSUMS="$real_sum  $stem.tar.gz"
expect replaced 2 "does not match the sha256 pinned in the checksums input"
[ ! -e "$cached" ] || fail "replaced: the archive was installed anyway"
cp "$work/original.tar.gz" "$work/releases/v$version/$stem.tar.gz"
cp "$work/original.sha256" "$work/releases/v$version/$stem.tar.gz.sha256"

# The attestation check: a stand-in gh records its arguments and answers as told.
mkdir -p "$work/gh-bin"
cat >"$work/gh-bin/gh" <<'GH'
#!/usr/bin/env bash
printf '%s\n' "$*" >>"$GH_ARGS_LOG"
[ "$GH_ANSWER" = valid ] || { echo "verification failed: no attestations found"; exit 1; }
GH
chmod +x "$work/gh-bin/gh"
commit=0123456789abcdef0123456789abcdef01234567
rm -rf "$work/toolcache"
run_install attested PATH="$work/gh-bin:/usr/bin:/bin" GH_TOKEN=token GH_ANSWER=valid \
  GH_ARGS_LOG="$work/gh-args" INPUT_VERSION="$version" LAUNCHGATE_ACTION_REF="$commit"
expect attested 0 "attestation ok: $stem.tar.gz was built by launchgate/launchgate/.github/workflows/release.yml"
grep -qF -- "attestation verify " "$work/gh-args" || fail "attested: gh was not asked to verify"
for flag in "--repo launchgate/launchgate" "--signer-workflow launchgate/launchgate/.github/workflows/release.yml" \
  "--source-ref refs/tags/v$version" "--deny-self-hosted-runners" "--source-digest $commit"; do
  grep -qF -- "$flag" "$work/gh-args" || fail "attested: gh was called without $flag: $(cat "$work/gh-args")"
done
rm -rf "$work/toolcache"
run_install not-attested PATH="$work/gh-bin:/usr/bin:/bin" GH_TOKEN=token GH_ANSWER=invalid \
  GH_ARGS_LOG="$work/gh-args" INPUT_VERSION="$version"
expect not-attested 2 "has no valid build provenance attestation"
expect not-attested 2 "no attestations found"
[ ! -e "$cached" ] || fail "not-attested: the archive was installed anyway"
run_install attestation-required INPUT_VERSION="$version" INPUT_ATTESTATION=required
expect attestation-required 2 "cannot verify where $stem.tar.gz was built"
run_install attestation-typo INPUT_VERSION="$version" INPUT_ATTESTATION=off
expect attestation-typo 2 "attestation 'off' is not auto or required"

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
