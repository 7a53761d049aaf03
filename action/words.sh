# shellcheck shell=bash disable=SC2034 # words and words_error are read by the script that sources this one
# split_words TEXT: splits an extra-arguments input into words as a shell splits a command
# line, and runs nothing. Blanks (space, tab, line break) separate words; '…' keeps every
# character; "…" keeps every character but a backslash before " \ $ ` or a line break; a
# backslash outside quotes keeps the next character (before a line break it joins the
# lines). $VAR, $(…), backticks, globs, ~, ; | & < > stay plain characters of the words.
# Sets the array `words`; on an unclosed quote, a trailing backslash or a text over
# `words_limit` bytes, sets `words_error` and returns 1. A carriage return is a blank too, so
# a workflow written with CRLF line ends splits the same.
words_limit=65536
words_error=

split_words() {
  # Bytewise: every special character is ASCII, and ${text:i:1} stays O(1).
  local LC_ALL=C
  local text=$1 word="" in_word=false quote="" opened=0 c i n=${#1}
  words=()
  words_error=
  if [ "$n" -gt "$words_limit" ]; then
    words_error="it is $n bytes long; the limit is $words_limit bytes"
    return 1
  fi
  for ((i = 0; i < n; i++)); do
    c=${text:i:1}
    if [ "$quote" = "'" ]; then
      if [ "$c" = "'" ]; then quote=""; else word+=$c; fi
    elif [ "$quote" = '"' ]; then
      if [ "$c" = '"' ]; then
        quote=""
      elif [ "$c" = "\\" ] && [ "${text:i+1:1}" = $'\n' ]; then
        i=$((i + 1))
      elif [ "$c" = "\\" ] && [[ "${text:i+1:1}" == [\"\\\$\`] ]]; then
        i=$((i + 1))
        word+=${text:i:1}
      else
        word+=$c
      fi
    else
      case "$c" in
        ' ' | $'\t' | $'\n' | $'\r')
          if [ "$in_word" = true ]; then words+=("$word"); fi
          word=""
          in_word=false
          ;;
        "'" | '"')
          quote=$c
          opened=$((i + 1))
          in_word=true
          ;;
        "\\")
          if [ $((i + 1)) -ge "$n" ]; then
            words_error="it ends with a backslash that escapes nothing; remove it, or write '\\\\' for a backslash"
            return 1
          fi
          i=$((i + 1))
          if [ "${text:i:1}" != $'\n' ]; then
            word+=${text:i:1}
            in_word=true
          fi
          ;;
        *)
          word+=$c
          in_word=true
          ;;
      esac
    fi
  done
  if [ -n "$quote" ]; then
    words_error="the $quote at byte $opened is never closed; close it, or write \\$quote for the character itself"
    return 1
  fi
  if [ "$in_word" = true ]; then words+=("$word"); fi
  return 0
}
