#!/usr/bin/env bash
# pre-commit's own `try-repo` against this repository, in throwaway git repositories: a staged
# key is blocked (exit 1, the rule named, the key only redacted), a clean change passes; the
# same for the pre-push hook over a range of commits, and for the .env lint.
#
# The `-system` hooks use the `launchgate` on PATH. The `language: rust` hook, which builds
# launchgate with cargo (a release build), runs once unless CLIENT_TESTS_RUST_HOOK=0.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
work=${CLIENT_TESTS_TMP:-$root/target/tmp/clients}/pre-commit
rm -rf "$work"
mkdir -p "$work"
export PRE_COMMIT_HOME=$root/target/ci-tools/pre-commit-home
export GIT_AUTHOR_NAME=Ada GIT_AUTHOR_EMAIL=ada@example.com
export GIT_COMMITTER_NAME=Ada GIT_COMMITTER_EMAIL=ada@example.com
export GIT_CONFIG_NOSYSTEM=1 NO_COLOR=1

fail() {
  echo "precommit.sh: FAIL: $*" >&2
  exit 1
}

# A token the secrets gate recognises, new on every run.
token=ghp_$(set +o pipefail; LC_ALL=C tr -dc 'A-Za-z0-9' </dev/urandom | head -c 36)

new_repo() {
  rm -rf "$1"
  git init -q -b main "$1"
}

# try_repo NAME EXPECTED_EXIT REPO HOOK [ARGS...]: runs the hook, checks the exit code, keeps
# the output in $work/NAME.log.
try_repo() {
  local name=$1 expected=$2 repo=$3 hook=$4
  shift 4
  local status=0
  (cd "$repo" && pre-commit try-repo "$hooks" "$hook" --verbose "$@") >"$work/$name.log" 2>&1 || status=$?
  if [ "$status" -ne "$expected" ]; then
    fail "$name: pre-commit exited $status, expected $expected; output:
$(cat "$work/$name.log")"
  fi
  if grep -qF "$token" "$work/$name.log"; then
    fail "$name: the key appears in clear in the hook's output ($work/$name.log)"
  fi
  echo "precommit.sh: $name: exit $status as expected"
}

expect_in() {
  grep -qF -- "$2" "$work/$1.log" || fail "$1: the output does not say: $2 ($work/$1.log)"
}

command -v launchgate >/dev/null || fail "no launchgate on PATH for the -system hooks"

# The hook repository: this working tree as it is, committed in a copy (try-repo would leave
# out the files git does not track yet).
hooks=$work/hook-repo
mkdir -p "$hooks"
(
  cd "$root"
  git ls-files -z --cached --others --exclude-standard |
    while IFS= read -r -d '' f; do if [ -e "$f" ]; then printf '%s\0' "$f"; fi; done |
    xargs -0 tar -cf -
) | tar -xf - -C "$hooks"
git -C "$hooks" init -q -b main
git -C "$hooks" add -A
git -C "$hooks" commit -q -m "launchgate working tree"

failed=()

# pre-commit stage: the staged change.
staged() {
  repo=$work/commit
  new_repo "$repo"
  printf 'const octokit = new Octokit({ auth: "%s" });\n' "$token" >"$repo/deploy.js"
  git -C "$repo" add deploy.js
  try_repo staged-key 1 "$repo" launchgate-secrets-system
  expect_in staged-key "github.pat-classic"
  expect_in staged-key "deploy.js:1"
  expect_in staged-key "…${token: -4}"

  git -C "$repo" rm -q --cached deploy.js
  rm "$repo/deploy.js"
  printf 'export const greeting = "welcome back";\n' >"$repo/app.js"
  git -C "$repo" add app.js
  try_repo staged-clean 0 "$repo" launchgate-secrets-system
  expect_in staged-clean "Passed"
}

# pre-push stage: exactly the commits being pushed (PRE_COMMIT_FROM_REF..PRE_COMMIT_TO_REF).
pushed() {
  repo=$work/push
  new_repo "$repo"
  printf 'export const a = 1;\n' >"$repo/a.js"
  git -C "$repo" add a.js
  git -C "$repo" commit -q -m "first"
  first=$(git -C "$repo" rev-parse HEAD)
  printf 'const octokit = new Octokit({ auth: "%s" });\n' "$token" >"$repo/deploy.js"
  git -C "$repo" add deploy.js
  git -C "$repo" commit -q -m "add the deploy helper"
  with_key=$(git -C "$repo" rev-parse HEAD)
  git -C "$repo" rm -q deploy.js
  printf 'export const b = 2;\n' >"$repo/b.js"
  git -C "$repo" add b.js
  git -C "$repo" commit -q -m "remove it again"
  last=$(git -C "$repo" rev-parse HEAD)
  try_repo push-key 1 "$repo" launchgate-secrets-push-system \
    --hook-stage pre-push --from-ref "$first" --to-ref "$last"
  expect_in push-key "github.pat-classic"
  expect_in push-key "deploy.js"
  try_repo push-clean 0 "$repo" launchgate-secrets-push-system \
    --hook-stage pre-push --from-ref "$with_key" --to-ref "$last"
  expect_in push-clean "Passed"
}

# .env lint: a secret behind a public prefix.
env_lint() {
  repo=$work/env
  new_repo "$repo"
  printf 'NEXT_PUBLIC_API_URL=https://api.example.com\nNEXT_PUBLIC_STRIPE_SECRET_KEY=see-the-vault\n' >"$repo/.env.production"
  git -C "$repo" add .env.production
  try_repo env-leak 1 "$repo" launchgate-env-lint-system
  expect_in env-leak "env.public-secret-name"
  expect_in env-leak ".env.production:2"
  printf 'NEXT_PUBLIC_API_URL=https://api.example.com\nPORT=3000\n' >"$repo/.env.production"
  git -C "$repo" add .env.production
  try_repo env-clean 0 "$repo" launchgate-env-lint-system
}

# The `language: rust` hook: pre-commit builds launchgate from this repository with cargo.
rust_hook() {
  if [ "${CLIENT_TESTS_RUST_HOOK:-1}" = 0 ]; then
    echo "precommit.sh: NOT RUN: the language: rust hook (CLIENT_TESTS_RUST_HOOK=0)"
  else
    repo=$work/rust
    new_repo "$repo"
    printf 'const octokit = new Octokit({ auth: "%s" });\n' "$token" >"$repo/deploy.js"
    git -C "$repo" add deploy.js
    # Line tables are for profiling; without them this release build takes a third of the disk.
    CARGO_PROFILE_RELEASE_DEBUG=false CARGO_TARGET_DIR=$root/target/ci-tools/pre-commit-cargo try_repo rust-hook 1 "$repo" launchgate-secrets
    expect_in rust-hook "github.pat-classic"
  fi
}

# Each part in a subshell: a failure ends that part and the others still run.
for part in staged pushed env_lint rust_hook; do
  ("$part") || failed+=("$part")
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "precommit.sh: FAIL: ${failed[*]}" >&2
  exit 1
fi
echo "precommit.sh: ok"
