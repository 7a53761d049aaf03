#!/usr/bin/env bash
# action/words.sh splits the extra-arguments inputs as bash splits a command line. Checked
# against bash itself on random texts of words, blanks, quotes and backslashes (which bash
# can only split, never run), then on texts bash would run something for, where every
# character must stay text.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=action/words.sh
. "$root/action/words.sh"

fail() {
  echo "words.sh: FAIL: $*" >&2
  exit 1
}
show() { printf '[%s]' "$@"; }

# What bash makes of TEXT as the arguments of a command; "error" when it cannot parse it.
bash_words() {
  (
    set -f
    eval "set -- $1" 2>/dev/null || {
      echo error
      exit 0
    }
    if [ $# -gt 0 ]; then show "$@"; fi
  )
}
# Our split of TEXT, in `actual` (the same form), and `words_error`.
ours() {
  actual=error
  if split_words "$1"; then
    actual=
    if [ ${#words[@]} -gt 0 ]; then actual=$(show "${words[@]}"); fi
  fi
}

alphabet=(a b ' ' $'\t' "'" '"' "\\")
cases=0
RANDOM=7
for _ in $(seq 1 600); do
  text=
  for _ in $(seq 1 $((RANDOM % 12 + 1))); do
    text+=${alphabet[RANDOM % ${#alphabet[@]}]}
  done
  expected=$(bash_words "$text")
  ours "$text"
  # bash keeps a backslash that ends the text; the action refuses it as a likely mistake.
  if [ "$actual" = error ] && [[ "$words_error" == *"ends with a backslash"* ]] && [[ "$expected" == *"\\]" ]]; then
    continue
  fi
  [ "$actual" = "$expected" ] || fail "split of $(printf '%q' "$text"): $actual, bash: $expected"
  cases=$((cases + 1))
done

# Texts a shell would expand or run: every character reaches the gate.
literal() {
  local text=$1
  shift
  local expected=
  if [ $# -gt 0 ]; then expected=$(show "$@"); fi
  ours "$text"
  [ "$actual" = "$expected" ] || fail "split of $(printf '%q' "$text"): $actual, expected $expected"
}
# shellcheck disable=SC2016 # the texts hold $ and backticks on purpose
{
  literal '$(touch pwned) `id`' '$(touch' 'pwned)' '`id`'
  literal "--check 'a; \$(rm -rf ~) | b & c'" --check 'a; $(rm -rf ~) | b & c'
  literal '--check "a \"b\" \$HOME \`id\` \x"' --check 'a "b" $HOME `id` \x'
  literal 'a;b c|d e&f g>h *' 'a;b' 'c|d' 'e&f' 'g>h' '*'
  literal $'--base-url http://x\n  --check \'a b\'\r\n' --base-url http://x --check 'a b'
  literal $'a\\\nb "c\\\nd"' ab cd
  literal "'' \"\" x" '' '' x
  literal ''
}
split_words "a 'b" && fail "an unclosed quote was accepted"
[[ "$words_error" == "the ' at byte 3 is never closed"* ]] || fail "unclosed quote: $words_error"
split_words "$(head -c 65537 /dev/zero | tr '\0' a)" && fail "a text over the limit was accepted"
echo "words.sh: ok ($cases random texts split as bash splits them)"
