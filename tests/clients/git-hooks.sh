#!/usr/bin/env bash
# `launchgate hook install` and the plain git hooks it writes, driven by real `git commit` and
# `git push` to a local bare repository: a key is blocked at commit and at push, clean changes
# go through, and an existing hook keeps running first.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
work=${CLIENT_TESTS_TMP:-$root/target/tmp/clients}/git-hooks
rm -rf "$work"
mkdir -p "$work"
export GIT_AUTHOR_NAME=Ada GIT_AUTHOR_EMAIL=ada@example.com
export GIT_COMMITTER_NAME=Ada GIT_COMMITTER_EMAIL=ada@example.com
export GIT_CONFIG_NOSYSTEM=1 NO_COLOR=1 HOME=$work

fail() {
  echo "git-hooks.sh: FAIL: $*" >&2
  exit 1
}

launchgate hook install --help >/dev/null 2>&1 || fail "this launchgate has no 'hook install' subcommand"
token=ghp_$(set +o pipefail; LC_ALL=C tr -dc 'A-Za-z0-9' </dev/urandom | head -c 36)

# run NAME EXPECTED_EXIT COMMAND...: keeps the output in $work/NAME.log.
run() {
  local name=$1 expected=$2
  shift 2
  local status=0
  "$@" >"$work/$name.log" 2>&1 || status=$?
  [ "$status" -eq "$expected" ] || fail "$name: exit $status, expected $expected; output:
$(cat "$work/$name.log")"
  if grep -qF "$token" "$work/$name.log"; then fail "$name: the key appears in clear"; fi
  echo "git-hooks.sh: $name: exit $status as expected"
}

expect_in() {
  grep -qF -- "$2" "$work/$1.log" || fail "$1: the output does not say: $2 ($work/$1.log)"
}

git init -q --bare "$work/remote.git"
repo=$work/app
git init -q -b main "$repo"
git -C "$repo" remote add origin "$work/remote.git"
printf '#!/bin/sh\necho "house lint ran" >&2\n' >"$repo/.git/hooks/pre-commit"
chmod +x "$repo/.git/hooks/pre-commit"

run install 0 launchgate hook install --repo "$repo"
expect_in install "the existing hook moved to"
run reinstall 0 launchgate hook install --repo "$repo"
expect_in reinstall "already launchgate's"

printf 'export const a = 1;\n' >"$repo/a.js"
git -C "$repo" add a.js
run commit-clean 0 git -C "$repo" commit -m "first"
expect_in commit-clean "house lint ran"

printf 'const octokit = new Octokit({ auth: "%s" });\n' "$token" >"$repo/deploy.js"
git -C "$repo" add deploy.js
run commit-key 1 git -C "$repo" commit -m "add the deploy helper"
expect_in commit-key "github.pat-classic"

run push-clean 0 git -C "$repo" push -q origin main
# Commit the key past the pre-commit hook, then the push must stop it.
run commit-no-verify 0 git -C "$repo" commit --no-verify -m "add the deploy helper"
run push-key 1 git -C "$repo" push -q origin main
expect_in push-key "github.pat-classic"
echo "git-hooks.sh: ok"
