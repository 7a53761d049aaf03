#!/usr/bin/env bash
# Checks one run of the action: its outcome and outputs, given through the environment
# (never through ${{ }} in the script): OUTCOME, RESULT, FINDINGS, REPORT, SARIF_FILE and the
# expectations EXPECT_OUTCOME, EXPECT_RESULT, EXPECT_RULE (a rule id the JSON report must
# hold; empty for a clean run), EXPECT_TEXT (words its message must contain, so a failure for
# another reason does not pass), EXPECT_SARIF (true when a SARIF file must exist).
set -euo pipefail
name=${STEP_NAME:-the action}
problems=()
[ "${OUTCOME:-}" = "${EXPECT_OUTCOME:?}" ] || problems+=("outcome is '${OUTCOME:-}', expected '$EXPECT_OUTCOME'")
[ "${RESULT:-}" = "${EXPECT_RESULT:?}" ] || problems+=("result output is '${RESULT:-}', expected '$EXPECT_RESULT'")
case "${FINDINGS:-}" in
  '' | *[!0-9]*) problems+=("findings output is '${FINDINGS:-}', not a number") ;;
  0) [ -z "${EXPECT_RULE:-}" ] || problems+=("findings output is 0, expected at least one") ;;
  *) [ -n "${EXPECT_RULE:-}" ] || problems+=("findings output is $FINDINGS, expected 0") ;;
esac
if [ -z "${REPORT:-}" ] || [ ! -e "$REPORT" ]; then
  problems+=("report output '${REPORT:-}' names no file")
elif [ -n "${EXPECT_RULE:-}" ] && ! grep -rq "\"$EXPECT_RULE\"" "$REPORT"; then
  problems+=("the JSON report $REPORT has no finding of rule $EXPECT_RULE")
elif [ -n "${EXPECT_TEXT:-}" ] && ! grep -rqF -- "$EXPECT_TEXT" "$REPORT"; then
  problems+=("the JSON report $REPORT does not say '$EXPECT_TEXT'")
fi
if [ "${EXPECT_SARIF:-false}" = true ]; then
  if [ -z "${SARIF_FILE:-}" ] || [ ! -s "$SARIF_FILE" ]; then
    problems+=("sarif-file output '${SARIF_FILE:-}' names no SARIF file")
  elif ! grep -q '"version": *"2.1.0"' "$SARIF_FILE"; then
    problems+=("$SARIF_FILE is not SARIF 2.1.0")
  fi
fi
if [ ${#problems[@]} -gt 0 ]; then
  for p in "${problems[@]}"; do echo "::error title=$name::$p"; done
  exit 1
fi
echo "$name: outcome=$OUTCOME result=$RESULT findings=$FINDINGS report=$REPORT as expected"
