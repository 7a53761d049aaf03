#!/usr/bin/env bash
# Writes the gates' Markdown as the pull request's launchgate comment, with the job's token:
# the comment an earlier run for the same gates wrote (its body starts with the marker, its
# author is the token's bot) is updated, else one is created. The gates' result is the step
# before's; this step never fails the job: a token that may not write (a pull request from a
# fork) or an API that refuses is a notice, no answer a warning.
set -uo pipefail

# One comment per set of gates and folder (LAUNCHGATE_COMMENT_KEY), so steps that run
# different gates keep a comment each. The key is reduced to characters that cannot end the
# HTML comment.
key=$(printf '%s' "${LAUNCHGATE_COMMENT_KEY:-}" | LC_ALL=C tr -c 'A-Za-z0-9._/,= -' '_')
marker="<!-- launchgate-comment${key:+ $key} -->"
author='github-actions[bot]'
# GitHub refuses a body over 65,536 characters; counting UTF-8 bytes keeps under it.
limit=65536
# Comments are listed 100 a page; past this many pages, a new comment is written.
max_pages=30
max_response=$((16 * 1024 * 1024))

# Workflow-command data: % and line breaks escaped, so a message cannot start a command.
escape_data() {
  local text=${1//%/%25}
  text=${text//$'\r'/%0D}
  printf '%s' "${text//$'\n'/%0A}"
}
notice() {
  echo "::notice title=launchgate comment::$(escape_data "$*")"
  exit 0
}
warn() {
  echo "::warning title=launchgate comment::$(escape_data "$*")"
  exit 0
}

# jq's text output without the carriage returns jq for Windows ends lines with.
jq_text() {
  jq -r "$@" | tr -d '\r'
}

body_file=${LAUNCHGATE_COMMENT_BODY:-}
if [ -z "$body_file" ] || [ ! -f "$body_file" ]; then
  notice "no comment written: the gates did not run (see the step before)"
fi
case "${GITHUB_EVENT_NAME:-}" in
  pull_request | pull_request_target) ;;
  *) notice "no comment written: comments go on pull requests, and this run is a '${GITHUB_EVENT_NAME:-}' event" ;;
esac
for tool in curl jq; do
  command -v "$tool" >/dev/null 2>&1 || notice "no comment written: $tool is not installed on this runner"
done
event=${GITHUB_EVENT_PATH:-}
number=$(jq_text '.pull_request.number // empty' "$event" 2>/dev/null)
[[ "$number" =~ ^[0-9]+$ ]] || notice "no comment written: the event at '$event' names no pull request"
[ -n "${GITHUB_TOKEN:-}" ] || notice "no comment written: the job has no token"
repo=${GITHUB_REPOSITORY:-}
[[ "$repo" =~ ^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$ ]] || notice "no comment written: GITHUB_REPOSITORY is '$repo', not owner/name"
api=${GITHUB_API_URL:-https://api.github.com}
api=${api%/}

work=$(mktemp -d "${RUNNER_TEMP:-${TMPDIR:-/tmp}}/launchgate-comment-XXXXXX") ||
  warn "no comment written: cannot make a temporary folder under ${RUNNER_TEMP:-${TMPDIR:-/tmp}}"
trap 'rm -rf "$work"' EXIT
# The token goes to curl in a file of this user's only, never on a command line.
(
  umask 077
  printf 'Authorization: Bearer %s\nAccept: application/vnd.github+json\nX-GitHub-Api-Version: 2022-11-28\n' \
    "$GITHUB_TOKEN" >"$work/headers"
)

# request METHOD URL [JSON_FILE]: the answer goes to $work/response; prints the HTTP status,
# 000 when there was none.
request() {
  local data=()
  if [ $# -ge 3 ]; then data=(--header 'Content-Type: application/json' --data-binary "@$3"); fi
  curl --silent --show-error --proto =http,https --max-time 30 --max-filesize "$max_response" \
    --header "@$work/headers" --request "$1" ${data[@]+"${data[@]}"} \
    --output "$work/response" --write-out '%{http_code}' "$2" 2>"$work/curl.err" || true
}

# Stops on an answer other than 2xx: a refusal is a notice, anything else a warning.
expect_success() {
  local status=$1 what=$2 message
  case "$status" in
    2??) return 0 ;;
    000) warn "no comment written: $api did not answer when asked to $what: $(head -c 300 "$work/curl.err")" ;;
  esac
  message=$(jq_text '.message // empty' "$work/response" 2>/dev/null | head -c 300)
  case "$status" in
    401) notice "no comment written: the API did not accept the job's token when asked to $what (HTTP 401${message:+: $message})" ;;
    403 | 404)
      notice "no comment written: the API refused to $what (HTTP $status${message:+: $message}). A pull request from a fork gets a read-only token; otherwise give the job the permission pull-requests: write"
      ;;
    *) warn "no comment written: the API answered HTTP $status when asked to $what${message:+: $message}" ;;
  esac
}

existing=
for ((page = 1; page <= max_pages; page++)); do
  status=$(request GET "$api/repos/$repo/issues/$number/comments?per_page=100&page=$page")
  expect_success "$status" "list the comments of pull request #$number"
  # shellcheck disable=SC2016 # jq's variables, not the shell's
  existing=$(jq_text --arg marker "$marker" --arg author "$author" \
    'first(.[] | select(.user.login == $author and ((.body // "") | startswith($marker))) | .id) // empty' \
    "$work/response" 2>/dev/null) || warn "no comment written: the list of comments is not the JSON array GitHub sends"
  if [ -n "$existing" ]; then break; fi
  [ "$(jq_text 'length' "$work/response")" -ge 100 ] || break
done
if [ -n "$existing" ] && ! [[ "$existing" =~ ^[0-9]+$ ]]; then
  warn "no comment written: the earlier comment's id is '$existing', not a number"
fi

# The body: the marker, the gates' Markdown cut at a line to fit the limit, a footer.
sha=$(jq_text '.pull_request.head.sha // empty' "$event")
footer="<sub>launchgate${sha:+ on ${sha:0:12}}${GITHUB_RUN_ID:+ · [the run](${GITHUB_SERVER_URL:-https://github.com}/$repo/actions/runs/$GITHUB_RUN_ID)}</sub>"
# Reading more than four times the limit could not change what is kept; the lines left out
# are counted in the whole file.
total_lines=$(awk 'END { print NR }' "$body_file")
head -c $((4 * limit)) "$body_file" | jq -Rs --arg marker "$marker" --arg footer "$footer" \
  --argjson limit "$limit" --argjson total "${total_lines:-0}" '
  def cut($room):
    if utf8bytelength <= $room then .
    else split("\n") as $lines
      | (reduce $lines[] as $line ({kept: [], size: 0, full: false};
          if .full then .
          elif .size + ($line | utf8bytelength) + 1 > $room then .full = true
          else .kept += [$line] | .size += ($line | utf8bytelength) + 1
          end)) as $r
      | ($r.kept | join("\n"))
        + "\n\n**\($total - ($r.kept | length)) more lines not shown**: the comment is cut at GitHub'"'"'s limit of 65,536 characters. The job summary and the JSON report hold everything.\n"
    end;
  {body: ($marker + "\n" + cut($limit - ($marker | utf8bytelength) - ($footer | utf8bytelength) - 512) + "\n" + $footer + "\n")}
' >"$work/body.json" || warn "no comment written: the report could not be turned into a comment"

status=
if [ -n "$existing" ]; then
  status=$(request PATCH "$api/repos/$repo/issues/comments/$existing" "$work/body.json")
  done=updated
fi
# A comment deleted since it was listed: write a new one.
if [ -n "$status" ] && [ "$status" != 404 ]; then
  expect_success "$status" "update comment $existing on pull request #$number"
else
  status=$(request POST "$api/repos/$repo/issues/$number/comments" "$work/body.json")
  expect_success "$status" "comment on pull request #$number"
  done=created
fi
url=$(jq_text '.html_url // empty' "$work/response" 2>/dev/null)
echo "url=$url" >>"${GITHUB_OUTPUT:?}"
echo "launchgate: $done the comment on pull request #$number${url:+: $url}"
