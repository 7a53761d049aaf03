#!/usr/bin/env bash
# Writes the planted failures that cannot live in the repository (this repository's own
# secret scan would find them): DIR/secrets/ with a GitHub token in a config file, DIR/env/
# with a secret behind a public prefix, and DIR/history/, a git repository where a token was
# committed and deleted again. The tokens are random on every run, so they are not live.
set -euo pipefail
dir=${1:?usage: plant.sh DIR}
mkdir -p "$dir/secrets" "$dir/env"
token=ghp_$(set +o pipefail; LC_ALL=C tr -dc 'A-Za-z0-9' </dev/urandom | head -c 36)
cat >"$dir/secrets/deploy.js" <<JS
// Deploy helper.
const octokit = new Octokit({ auth: "$token" });
JS
cat >"$dir/env/.env.production" <<ENV
NEXT_PUBLIC_API_URL=https://api.example.com
NEXT_PUBLIC_STRIPE_SECRET_KEY=see-the-vault
ENV
history=$dir/history
mkdir -p "$history"
old_token=ghp_$(set +o pipefail; LC_ALL=C tr -dc 'A-Za-z0-9' </dev/urandom | head -c 36)
hist() { git -C "$history" -c user.name=planter -c user.email=planter@launchgate.invalid "$@"; }
hist init -q
for n in 1 2 3 4 5 6; do
  echo "module $n" >"$history/module-$n.js"
done
printf 'const token = "%s";\n' "$old_token" >"$history/release.js"
hist add -A
hist commit -q -m "release helper"
rm "$history/release.js"
hist add -A
hist commit -q -m "read the token from the environment"
echo "planted: $dir/secrets/deploy.js (a GitHub token), $dir/env/.env.production (a secret behind NEXT_PUBLIC_), $dir/history (a GitHub token committed, then deleted)"
