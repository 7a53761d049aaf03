#!/usr/bin/env bash
# Lints the action, the hooks manifest and every workflow (this repository's and the examples')
# with the real clients, offline: jactionlint (with shellcheck), zizmor --offline,
# check-jsonschema (SchemaStore's github-actions and github-workflows schemas),
# pre-commit validate-manifest, and shellcheck on the scripts. Any finding fails.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
failed=()

check() {
  local name=$1
  shift
  echo "lint.sh: $name"
  if ! "$@"; then
    failed+=("$name")
  fi
}

workflows=(.github/workflows/*.yml examples/workflows/*.yml tests/clients/workflows/*.yml)
scripts=(action/*.sh tests/clients/*.sh)

check "jactionlint: action.yml and .github/workflows" jactionlint --shellcheck="$(command -v shellcheck)" --oneline
check "jactionlint: examples/workflows, tests/clients/workflows" jactionlint --shellcheck="$(command -v shellcheck)" --oneline examples/workflows/*.yml tests/clients/workflows/*.yml
check "zizmor --offline" zizmor --offline --quiet --config .github/zizmor.yml --collect=all . examples/workflows/*.yml tests/clients/workflows/*.yml
check "check-jsonschema: action.yml" check-jsonschema --builtin-schema vendor.github-actions action.yml
check "check-jsonschema: workflows" check-jsonschema --builtin-schema vendor.github-workflows "${workflows[@]}"
check "pre-commit validate-manifest" pre-commit validate-manifest .pre-commit-hooks.yaml
check "shellcheck: the action's and the tests' scripts" shellcheck --severity=style "${scripts[@]}"

# The hooks `launchgate hook install` writes are POSIX sh held in crates/cli/hook.rs.
hooks_dir=$(mktemp -d)
python3 - "$hooks_dir" <<'PY'
import pathlib, re, sys
source = pathlib.Path("crates/cli/hook.rs").read_text()
for name, body in re.findall(r'const (PRE_[A-Z_]+): &str = r#"(.*?)"#;', source, re.S):
    pathlib.Path(sys.argv[1], name.lower() + ".sh").write_text(body)
PY
check "shellcheck: the git hooks of launchgate hook install" shellcheck --shell=sh --severity=style "$hooks_dir"/pre_commit.sh "$hooks_dir"/pre_push.sh
rm -rf "$hooks_dir"

if [ ${#failed[@]} -gt 0 ]; then
  printf 'lint.sh: FAIL: %s\n' "${failed[@]}" >&2
  exit 1
fi
echo "lint.sh: ok"
