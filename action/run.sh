#!/usr/bin/env bash
# Runs the gates the action was asked for and writes its outputs. The binary does the work:
# the commit range (`secrets scan --ci` reads GITHUB_EVENT_NAME and GITHUB_EVENT_PATH), the
# annotations and job summary (`--format github`), the JSON and SARIF files.
set -uo pipefail

bin=${LAUNCHGATE:?the install step did not name a launchgate binary}
# A folder of its own for each run of the action, so a later step keeps an earlier one's reports.
base=${RUNNER_TEMP:-${TMPDIR:-/tmp}}/launchgate
mkdir -p "$base"
out=$(mktemp -d "$base/reports-XXXXXX")

fail() {
  echo "::error title=launchgate::$*"
  {
    echo "result=error"
    echo "findings=0"
    echo "report="
    echo "sarif-file="
    echo "comment-body="
    echo "comment-key="
  } >>"${GITHUB_OUTPUT:?}"
  exit 2
}

# Paths given to the action are relative to where the job runs, whatever working-directory is.
if [ -n "${INPUT_SARIF:-}" ]; then
  case "$INPUT_SARIF" in
    /* | [A-Za-z]:[\\/]*) ;;
    *) INPUT_SARIF=$PWD/$INPUT_SARIF ;;
  esac
fi
job_dir=$PWD
cd "${INPUT_WORKING_DIRECTORY:-.}" || fail "working-directory '${INPUT_WORKING_DIRECTORY}' is not a folder of the workspace"

read -r -a gates <<<"$(printf '%s' "${INPUT_GATES:-secrets}" | tr ',\n' '  ')"
[ ${#gates[@]} -gt 0 ] || fail "the gates input is empty; name at least one of secrets, env, budget, smoke, dns, mail"
for gate in "${gates[@]}"; do
  case "$gate" in
    secrets | env | budget | smoke | dns | mail) ;;
    *) fail "unknown gate '$gate' in the gates input; the gates are secrets, env, budget, smoke, dns, mail" ;;
  esac
done
if [ -n "${INPUT_MERGE:-}" ] && [ "${gates[*]}" != secrets ]; then
  fail "the merge input merges secrets reports; set gates: secrets (the gates are '${gates[*]}')"
fi
case "${INPUT_SUMMARY:-true}" in
  true | false) ;;
  *) fail "the summary input is '$INPUT_SUMMARY'; use true or false" ;;
esac

case "${INPUT_COMMENT:-false}" in
  true | false) ;;
  *) fail "the comment input is '$INPUT_COMMENT'; use true or false" ;;
esac

# split_words: the extra-arguments inputs as words, never run by a shell.
# shellcheck source=action/words.sh
. "$(dirname "${BASH_SOURCE[0]}")/words.sh"

# The words of a gate's extra-arguments input (its name in `extra_name`), in `words`.
extra_args_of() {
  local value
  extra_name=$1-args
  case "$1" in
    secrets) value=${INPUT_SECRETS_ARGS:-} ;;
    env) value=${INPUT_ENV_ARGS:-} ;;
    budget) value=${INPUT_BUDGET_ARGS:-} ;;
    smoke) value=${INPUT_SMOKE_ARGS:-} ;;
    dns) value=${INPUT_DNS_ARGS:-} ;;
    mail) value=${INPUT_MAIL_ARGS:-} ;;
  esac
  split_words "$value" || fail "the $extra_name input: $words_error"
}

# Every extra-arguments input is checked before any gate runs, so a typo in one cannot leave
# the others half run; one given for a gate that does not run is pointed out.
for gate in secrets env budget smoke dns mail; do
  extra_args_of "$gate"
  [ ${#words[@]} -gt 0 ] || continue
  case " ${gates[*]} " in
    *" $gate "*) ;;
    *) echo "::warning title=launchgate::the $extra_name input is set, but the $gate gate is not in the gates input ('${gates[*]}'), so it is not used" ;;
  esac
done

common=()
config=${INPUT_CONFIG:-launchgate.yml}
# The default file is optional; a file named on purpose must exist (the gate says so if not).
if [ -f "$config" ] || [ "$config" != launchgate.yml ]; then
  common+=(--config "$config")
fi
[ -n "${INPUT_FAIL_ON:-}" ] && common+=(--fail-on "$INPUT_FAIL_ON")

# The SARIF destination of one gate: the sarif path itself for a single gate, else a file
# per gate inside it.
sarif_of() {
  if [ ${#gates[@]} -eq 1 ]; then echo "$INPUT_SARIF"; else echo "$INPUT_SARIF/$1.sarif"; fi
}

secrets_args() {
  if [ -n "${INPUT_MERGE:-}" ]; then
    merge_args
    return
  fi
  local scan=${INPUT_SCAN:-auto} base=${INPUT_BASE_REF:-}
  if [ "$scan" = auto ] && [ -n "$base" ]; then scan=range; fi
  if [ "$scan" = auto ] && [ -z "${GITHUB_EVENT_NAME:-}" ]; then scan=path; fi
  case "$scan" in
    auto) secrets_needs --ci && args=(secrets scan --ci) ;;
    staged) args=(secrets scan --staged) ;;
    range)
      [ -n "$base" ] || fail "scan: range needs the base-ref input (the commit or branch the range starts after)"
      secrets_needs --range && args=(secrets scan --range "$base..HEAD")
      ;;
    history) secrets_needs --history && args=(secrets scan --history) ;;
    path) args=(secrets scan .) ;;
    *) fail "the scan input is '$scan'; use auto, staged, range, history or path" ;;
  esac
  if [ -n "${INPUT_SHARD:-}" ]; then
    [ "$scan" = history ] || fail "the shard input splits a history scan; set scan: history (the scan is '$scan')"
    [[ "$INPUT_SHARD" =~ ^[0-9]+/[0-9]+$ ]] || fail "the shard input is '$INPUT_SHARD'; write K/N, such as 2/4"
    secrets_needs --shard && args+=(--shard "$INPUT_SHARD")
  fi
}

# `secrets merge` of the reports the merge input names (relative to where the job runs, like
# every path given to the action); a pattern that matches nothing is an error, so a shard
# whose report went missing cannot make the merged result pass.
merge_args() {
  local pattern file matched
  local -a patterns reports=()
  [ -z "${INPUT_SHARD:-}" ] || fail "the merge input merges shard reports and scans nothing; drop the shard input from the merge step"
  case "${INPUT_SCAN:-auto}" in
    auto) ;;
    *) fail "the merge input merges shard reports and scans nothing; drop scan: ${INPUT_SCAN} from the merge step" ;;
  esac
  read -r -a patterns <<<"$(printf '%s' "$INPUT_MERGE" | tr '\n' ' ')"
  for pattern in "${patterns[@]}"; do
    case "$pattern" in
      /* | [A-Za-z]:[\\/]*) ;;
      *) pattern=$job_dir/$pattern ;;
    esac
    matched=false
    for file in $pattern; do
      [ -f "$file" ] || continue
      reports+=("$file")
      matched=true
    done
    [ "$matched" = true ] || fail "merge: no report matches '$pattern' (did every shard job upload its report?)"
  done
  args=(secrets merge "${reports[@]}")
}

# A launchgate without the flag would scan the wrong thing; stop instead.
secrets_needs() {
  if ! "$bin" secrets scan --help 2>/dev/null | grep -q -e "$1"; then
    fail "this launchgate ($("$bin" --version)) has no 'secrets scan $1', so the commits of this event cannot be scanned; set scan: path to scan the checked-out files, or use a newer version"
  fi
}

worst=0
for gate in "${gates[@]}"; do
  args=()
  case "$gate" in
    secrets) secrets_args ;;
    env)
      if [ -n "${INPUT_ENVIRONMENT:-}" ]; then args=(env check --env "$INPUT_ENVIRONMENT"); else args=(env lint); fi
      ;;
    budget)
      args=(budget)
      if [ -n "${INPUT_BASELINE:-}" ]; then
        if [ -f "$INPUT_BASELINE" ]; then
          args+=(--baseline "$INPUT_BASELINE")
        else
          echo "::notice title=launchgate budget::no baseline at $INPUT_BASELINE (the base branch has no report yet); checking the budgets only"
        fi
      fi
      ;;
    smoke)
      if [ -n "${INPUT_SMOKE_STATE:-}" ]; then
        args=(smoke watch --count 1 --state "$INPUT_SMOKE_STATE" --fail-after "${INPUT_SMOKE_FAIL_AFTER:-1}")
      else
        args=(smoke)
      fi
      ;;
    dns) args=(dns) ;;
    # The saved messages of the mail: section; the round trip is not run from the Action.
    mail) args=(mail verify) ;;
  esac
  # The user's words come right after the gate's command, before the action's own flags.
  extra_args_of "$gate"
  # ${a[@]+"${a[@]}"}: an empty array under `set -u` in the bash 3 of macOS.
  args+=(${words[@]+"${words[@]}"})
  args+=(${common[@]+"${common[@]}"} --format github --format json --output "$out/$gate.json")
  if [ "${INPUT_COMMENT:-false}" = true ]; then
    args+=(--format markdown --output "$out/$gate.md")
  fi
  if [ -n "${INPUT_SARIF:-}" ]; then
    sarif=$(sarif_of "$gate")
    mkdir -p "$(dirname "$sarif")"
    args+=(--format sarif --output "$sarif")
  fi
  # Quoted as a shell would need them, so the log shows each word as the gate received it.
  printf 'launchgate'
  printf ' %q' "${args[@]}"
  printf '\n'
  if [ "${INPUT_SUMMARY:-true}" = true ]; then
    "$bin" "${args[@]}"
  else
    env -u GITHUB_STEP_SUMMARY "$bin" "${args[@]}"
  fi
  rc=$?
  case "$rc" in
    0 | 1 | 2) ;;
    *) rc=2 ;;
  esac
  [ "$rc" -gt "$worst" ] && worst=$rc
done

# The number of findings: the top-level summary of each JSON report (error + warning + note).
findings=0
for gate in "${gates[@]}"; do
  [ -f "$out/$gate.json" ] || continue
  # One key per line whether the JSON is pretty or compact: split at commas and braces.
  # shellcheck disable=SC2020
  n=$(tr ',{}' '\n\n\n' <"$out/$gate.json" | awk '
    /"summary"[ \t]*:/ { in_summary = 1; next }
    in_summary && /"(error|warning|note)"[ \t]*:/ { gsub(/[^0-9]/, ""); total += $0; seen++ }
    in_summary && seen == 3 { print total; exit }')
  findings=$((findings + ${n:-0}))
done

# Outputs are read by other actions (upload-sarif, upload-artifact): on Windows, give them
# Windows paths, not Git Bash's /d/a/… form.
native_path() {
  if [ -n "$1" ] && command -v cygpath >/dev/null 2>&1; then cygpath -w "$1"; else printf '%s' "$1"; fi
}

# The pull-request comment's text: each gate's Markdown under one heading (comment.sh adds
# the marker it finds the comment by, and cuts the text to GitHub's limit).
comment_body=
comment_key=
if [ "${INPUT_COMMENT:-false}" = true ]; then
  comment_body=$out/comment.md
  # Which comment is this step's: its gates and, when not the root, its folder.
  comment_key=$(IFS=,; printf '%s' "${gates[*]}")
  case "${INPUT_WORKING_DIRECTORY:-.}" in
    . | ./) ;;
    *) comment_key="$comment_key in=$INPUT_WORKING_DIRECTORY" ;;
  esac
  # Only characters that cannot end the marker's HTML comment (no ">") or this output's line.
  comment_key=$(printf '%s' "$comment_key" | LC_ALL=C tr -c 'A-Za-z0-9._/,= -' '_')
  {
    printf '## launchgate\n\n'
    for gate in "${gates[@]}"; do
      if [ -f "$out/$gate.md" ]; then
        awk 'NR == 1 && $0 == "## launchgate" { heading = 1; next } heading && NR == 2 && $0 == "" { next } { print }' "$out/$gate.md"
      else
        printf '### ⚠️ %s — error: the gate wrote no report; see the job log\n\n' "$gate"
      fi
    done
  } >"$comment_body"
fi

if [ ${#gates[@]} -eq 1 ]; then report=$out/${gates[0]}.json; else report=$out; fi
case "$worst" in
  0) result=passed ;;
  1) result=failed ;;
  *) result=error ;;
esac
{
  echo "result=$result"
  echo "findings=$findings"
  echo "report=$(native_path "$report")"
  echo "sarif-file=$(native_path "${INPUT_SARIF:-}")"
  echo "comment-body=$comment_body"
  echo "comment-key=$comment_key"
} >>"${GITHUB_OUTPUT:?}"
echo "launchgate: $result, $findings finding(s); report: $report"
exit "$worst"
