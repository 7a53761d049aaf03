#!/usr/bin/env bash
# Writes fuzz/corpus/range_patch/: the `git log -p --cc` output the range reader of
# `secrets scan --range` parses, made by a real git from a repository built here, with the
# flags the reader passes (crates/launchgate-secrets/src/history/range.rs and DIFF_FLAGS in
# crates/launchgate-core/src/git.rs). Run from anywhere; needs git.
set -euo pipefail

out="$(cd "$(dirname "$0")/.." && pwd)/corpus/range_patch"
mkdir -p "$out"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"

export GIT_CONFIG_NOSYSTEM=1 HOME="$work" LC_ALL=C
export GIT_AUTHOR_NAME="Ada Dev" GIT_AUTHOR_EMAIL="ada@example.com"
export GIT_COMMITTER_NAME="Ada Dev" GIT_COMMITTER_EMAIL="ada@example.com"
export GIT_AUTHOR_DATE="2026-01-02T03:04:05Z" GIT_COMMITTER_DATE="2026-01-02T03:04:05Z"
git init -q -b main repo
cd repo

# The reader's own command line.
log() {
    git --no-pager -c core.quotePath=false -c color.ui=false -c diff.noprefix=false \
        -c diff.mnemonicPrefix=false -c diff.relative=false -c diff.suppressBlankEmpty=false \
        -c log.showSignature=false -c log.showRoot=true \
        log --reverse -p -U0 --cc --root --find-renames \
        '--format=%x01%H%x00%an <%ae>%x00%aI%x00%ct%x00%P' \
        --text --no-ext-diff --no-textconv --src-prefix=a/ --dst-prefix=b/ --no-color \
        --no-relative --submodule=short "$@" --
}
commit() { git add -A && git commit -q -m "$1"; git rev-parse HEAD; }

# Added and changed lines, one of them key-shaped (a made-up key).
printf 'HOST=example.com\nPORT=8080\n' > app.env
printf 'const a = 1;\n' > main.js
root=$(commit "first")
printf 'HOST=example.com\nPORT=9090\nSTRIPE_KEY=sk_live_51NbQk2LzVt8RwYpX3mHc7JdKe\n' > app.env
printf 'const a = 1;\nconst b = 2;\n\nconst c = 3;\n' > main.js
changed=$(commit "change")
log "$root" > "$out/root-commit.patch"
log "$root..$changed" > "$out/changed-lines.patch"

# `\ No newline at end of file`, on both sides.
printf 'last line without newline' > tail.txt
a=$(commit "no newline")
printf 'last line without newline\nnow another, still none' > tail.txt
b=$(commit "still no newline")
log "$changed..$b" > "$out/no-newline.patch"

# Renames: one exact, one with a changed line; a deletion; a mode change; an empty file.
git mv tail.txt renamed.txt
git mv main.js src.js
printf 'const a = 1;\nconst b = 22;\n\nconst c = 3;\n' > src.js
git rm -q app.env
: > empty.txt
printf '#!/bin/sh\necho hi\n' > run.sh
chmod +x run.sh
c=$(commit "renames, deletion, empty file")
chmod -x run.sh
d=$(commit "mode change")
log "$b..$d" > "$out/renames-deletion-mode.patch"

# Paths git must quote or may not: not UTF-8, a space, a tab, a quote, a newline.
printf 'PASSWORD=hunter2hunter2\n' > "$(printf 'caf\351.ini')"
printf 'token: ghp_8f3kQ9zLm2XwR7vT1yB6nH4cJ0pD5sA2eG9u\n' > 'with space.yml'
printf 'x\n' > "$(printf 'tab\there.txt')"
printf 'y\n' > 'quote"d.txt'
printf 'z\n' > "$(printf 'new\nline.txt')"
printf 'w\n' > 'naïve.txt'
e=$(commit "odd paths")
log "$d..$e" > "$out/odd-paths.patch"

# Bytes that look binary, read as text by --text: NUL, control characters, invalid UTF-8,
# CRLF line ends, a long single line.
printf 'head\0\001\002 AKIAIOSFODNN7EXAMPLE\377\376\r\nsecond\r\n' > blob.bin
head -c 3000 /dev/zero | tr '\0' 'A' > long.min.js
printf '\n' >> long.min.js
printf '\033[31mred\033[0m\n\b\f\v\n' > control.txt
f=$(commit "binary-looking text")
log "$e..$f" > "$out/binary-looking.patch"

# A merge with a conflict resolved by hand (lines only the merge adds, `@@@` hunks), and an
# octopus merge of three branches.
git checkout -q -b left
printf 'left side\n' > conflict.txt
commit "left" > /dev/null
git checkout -q main
printf 'main side\n' > conflict.txt
commit "main" > /dev/null
git merge -q left 2>/dev/null || true
printf 'resolved by hand\nAPI_TOKEN=resolved-in-merge-0123456789\n' > conflict.txt
merge=$(commit "merge left")
log "$f..$merge" > "$out/merge-conflict.patch"
for branch in one two; do
    git checkout -q -b "$branch" main
    printf '%s\n' "$branch" > "$branch.txt"
    commit "$branch" > /dev/null
done
git checkout -q main
git merge -q --no-ff -m "octopus" one two
log "$merge..main" > "$out/octopus-merge.patch"
