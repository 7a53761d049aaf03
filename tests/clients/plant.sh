#!/usr/bin/env bash
# Writes the planted failures that cannot live in the repository (this repository's own
# secret scan would find them): DIR/secrets/ with a GitHub token in a config file, and DIR/env/
# with a secret behind a public prefix. The token is random on every run, so it is not live.
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
echo "planted: $dir/secrets/deploy.js (a GitHub token), $dir/env/.env.production (a secret behind NEXT_PUBLIC_)"
