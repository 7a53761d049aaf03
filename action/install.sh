#!/usr/bin/env bash
# Puts a launchgate binary on PATH for the action and prints its path as the `bin` output.
#
# In order: LAUNCHGATE_BIN; a `launchgate` already on PATH at the wanted version; the tool
# cache; the release archive for this runner; else, when no release matches (a branch, a fork,
# `uses: ./`), a build of the action's own source with `cargo install --locked`.
#
# A downloaded archive is checked twice. Its .sha256 from the same release only catches a
# damaged download: whoever can replace the archive can replace that file too. The check that
# vouches for its origin comes from elsewhere: the sha256 the workflow pins in the `checksums`
# input, else the archive's build provenance attestation, verified with `gh attestation
# verify` (signed through Sigstore by this repository's release workflow, from the release
# tag, on a GitHub-hosted runner). Without either, the step warns that the origin is
# unverified, or fails when the `attestation` input is `required`.
set -euo pipefail

action_dir=${GITHUB_ACTION_PATH:?GITHUB_ACTION_PATH is not set: run this through action.yml}
repository=${LAUNCHGATE_ACTION_REPOSITORY:-launchgate/launchgate}
download_url=${LAUNCHGATE_DOWNLOAD_URL:-https://github.com/$repository/releases/download}
# HTTPS only, redirects included; a mirror named in LAUNCHGATE_DOWNLOAD_URL may be plain HTTP.
protocols='=https'
if [ -n "${LAUNCHGATE_DOWNLOAD_URL:-}" ]; then protocols='=https,http'; fi
release_workflow=$repository/.github/workflows/release.yml
attestation=${INPUT_ATTESTATION:-auto}
case "$attestation" in
  auto | required) ;;
  *) echo "::error title=launchgate install::attestation '$attestation' is not auto or required"; exit 2 ;;
esac

fail() {
  echo "::error title=launchgate install::$*"
  exit 2
}

output() {
  echo "bin=$1" >>"${GITHUB_OUTPUT:?}"
  dirname "$1" >>"${GITHUB_PATH:?}"
  echo "launchgate: using $1 ($("$1" --version))"
}

version_of() {
  "$1" --version 2>/dev/null | awk '{print $2; exit}'
}

source_version=$(sed -n 's/^version = "\([^"]*\)"$/\1/p' "$action_dir/Cargo.toml" | head -n 1)

# The release to install: the input, else this action's ref when it is a release tag.
want=${INPUT_VERSION#v}
if [ -z "$want" ]; then
  case "${LAUNCHGATE_ACTION_REF:-}" in
    v[0-9]*.[0-9]*.[0-9]*) want=${LAUNCHGATE_ACTION_REF#v} ;;
  esac
fi
case "$want" in
  "" | [0-9]*.[0-9]*.[0-9]*) ;;
  *) fail "version '$INPUT_VERSION' is not a release version (like 0.1.0); leave it empty to use this action's own ref" ;;
esac
# What a binary found on the runner must report: the release, or the source's version.
expected=${want:-$source_version}

if [ -n "${LAUNCHGATE_BIN:-}" ]; then
  [ -x "$LAUNCHGATE_BIN" ] || fail "LAUNCHGATE_BIN=$LAUNCHGATE_BIN is not an executable file"
  found=$(version_of "$LAUNCHGATE_BIN")
  if [ "$found" != "$expected" ]; then
    echo "::warning title=launchgate install::LAUNCHGATE_BIN is launchgate $found, not $expected; using it as asked"
  fi
  output "$LAUNCHGATE_BIN"
  exit 0
fi

if on_path=$(command -v launchgate 2>/dev/null) && [ "$(version_of "$on_path")" = "$expected" ]; then
  output "$on_path"
  exit 0
fi

exe=
case "${RUNNER_OS:-$(uname -s)}" in
  Linux) os=unknown-linux-musl ;;
  macOS | Darwin) os=apple-darwin ;;
  Windows | MINGW* | MSYS* | CYGWIN*) os=pc-windows-msvc exe=.exe ;;
  *) fail "unsupported runner OS '${RUNNER_OS:-$(uname -s)}'" ;;
esac
case "${RUNNER_ARCH:-$(uname -m)}" in
  X64 | x86_64 | amd64) arch=x86_64 ;;
  ARM64 | arm64 | aarch64) arch=aarch64 ;;
  *) fail "unsupported runner architecture '${RUNNER_ARCH:-$(uname -m)}'" ;;
esac
target=$arch-$os
if [ "$os" = pc-windows-msvc ] && [ "$arch" != x86_64 ]; then
  want=""
  echo "launchgate: no release is built for $target; building from source"
fi

cache_root=${RUNNER_TOOL_CACHE:-${RUNNER_TEMP:-${TMPDIR:-/tmp}}}/launchgate

sha256_of() {
  if command -v sha256sum >/dev/null 2>&1; then
    sha256sum "$1" | awk '{print $1}'
  else
    shasum -a 256 "$1" | awk '{print $1}'
  fi
}

extract() {
  case "$1" in
    *.tar.gz) tar -xzf "$1" -C "$2" ;;
    *.zip)
      if command -v unzip >/dev/null 2>&1; then
        unzip -q "$1" -d "$2"
      elif command -v 7z >/dev/null 2>&1; then
        7z x -y -o"$2" "$1" >/dev/null
      else
        pwsh -NoProfile -Command "Expand-Archive -Path '$1' -DestinationPath '$2'"
      fi
      ;;
  esac
}

# verify_origin ARCHIVE SHA256: the check that does not trust the download's source.
verify_origin() {
  local file=$1 sum=$2 name pinned
  name=$(basename "$file")
  if [ -n "${INPUT_CHECKSUMS:-}" ]; then
    pinned=$(printf '%s\n' "$INPUT_CHECKSUMS" | awk -v n="$name" '{f=$2; sub(/^\*/, "", f)} f == n {print $1; exit}')
    [ -n "$pinned" ] || fail "the checksums input lists no $name: add the line of the release's $name.sha256 for this runner"
    [ "$pinned" = "$sum" ] \
      || fail "$name does not match the sha256 pinned in the checksums input ($sum, pinned $pinned): not installing it"
    echo "pinned sha256 ok: $name matches the checksums input"
    return
  fi
  if command -v gh >/dev/null 2>&1 && [ -n "${GH_TOKEN:-${GITHUB_TOKEN:-}}" ]; then
    local args=(attestation verify "$file" --repo "$repository" --signer-workflow "$release_workflow"
      --source-ref "refs/tags/v$want" --deny-self-hosted-runners)
    # An action pinned to a commit: the binary must be built from that very commit.
    if [[ ${LAUNCHGATE_ACTION_REF:-} =~ ^[0-9a-f]{40}$ ]]; then
      args+=(--source-digest "$LAUNCHGATE_ACTION_REF")
    fi
    if ! gh "${args[@]}" >"$work/attestation.log" 2>&1; then
      sed 's/^/  /' "$work/attestation.log"
      fail "$name has no valid build provenance attestation from $release_workflow at v$want: not installing it"
    fi
    echo "attestation ok: $name was built by $release_workflow from refs/tags/v$want"
    return
  fi
  if [ "$attestation" = required ]; then
    fail "cannot verify where $name was built: gh is not installed or has no token (GH_TOKEN); install gh, or pin the archive's sha256 in the checksums input"
  fi
  echo "::warning title=launchgate install::$name matches its published sha256, but where it was built is unverified: gh is not installed or has no token. Pin its sha256 in the checksums input, or set attestation: required"
}

if [ -n "$want" ]; then
  bin_dir=$cache_root/$want/$target
  if [ -x "$bin_dir/launchgate$exe" ]; then
    output "$bin_dir/launchgate$exe"
    exit 0
  fi
  stem=launchgate-v$want-$target
  if [ -n "$exe" ]; then archive=$stem.zip; else archive=$stem.tar.gz; fi
  work=$(mktemp -d)
  echo "::group::launchgate: downloading $archive"
  curl --proto "$protocols" --proto-redir "$protocols" --fail --silent --show-error --location --retry 5 \
    --output "$work/$archive" "$download_url/v$want/$archive" \
    || fail "cannot download $download_url/v$want/$archive; check the version, or leave it empty to build this action's source"
  curl --proto "$protocols" --proto-redir "$protocols" --fail --silent --show-error --location --retry 5 \
    --output "$work/$archive.sha256" "$download_url/v$want/$archive.sha256" \
    || fail "cannot download the checksum $archive.sha256 of the release v$want"
  expected_sum=$(awk '{print $1; exit}' "$work/$archive.sha256")
  actual_sum=$(sha256_of "$work/$archive")
  if [ "$expected_sum" != "$actual_sum" ]; then
    fail "$archive does not match its published sha256 ($actual_sum, expected $expected_sum): not installing it"
  fi
  echo "sha256 ok: $actual_sum"
  verify_origin "$work/$archive" "$actual_sum"
  mkdir -p "$work/x"
  extract "$work/$archive" "$work/x"
  found=$(find "$work/x" -type f -name "launchgate$exe" | head -n 1)
  [ -n "$found" ] || fail "$archive holds no launchgate$exe"
  mkdir -p "$bin_dir"
  mv "$found" "$bin_dir/launchgate$exe"
  chmod +x "$bin_dir/launchgate$exe"
  rm -rf "$work"
  echo "::endgroup::"
  output "$bin_dir/launchgate$exe"
  exit 0
fi

command -v cargo >/dev/null 2>&1 \
  || fail "no launchgate release matches this action's ref, and cargo is not installed to build it; set the version input to a release, or install Rust first"
root=${RUNNER_TEMP:-${TMPDIR:-/tmp}}/launchgate-source
echo "::group::launchgate: building $source_version from $action_dir"
cargo install --locked --path "$action_dir" --root "$root" --bin launchgate
echo "::endgroup::"
output "$root/bin/launchgate$exe"
