#!/usr/bin/env bash
# Installs the Django instrumentation package's dependencies (instrumentation/django/requirements.lock,
# every version and hash pinned) into the git-ignored virtualenv .tools/venv. Idempotent: the venv is
# rebuilt only when the lock file changes (its hash is stamped inside the venv).
# Django 6.1 needs Python >= 3.12: the first of $PYTHON, python3.13, python3.12, python3 (and pyenv's
# installed 3.12/3.13 interpreters) that is new enough is used; none is a loud error.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="$root/.tools/venv"
lock="$root/instrumentation/django/requirements.lock"
stamp="$venv/.requirements.lock.sha256"
want="$(sha256sum "$lock" | cut -d' ' -f1)"

if [ -x "$venv/bin/python" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
  exit 0
fi

new_enough() { "$1" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' >/dev/null 2>&1; }
candidates=("${PYTHON:-}" python3.13 python3.12 python3)
if command -v pyenv >/dev/null 2>&1; then
  for v in "$(pyenv root)"/versions/3.1[2-9]*/bin/python3; do candidates+=("$v"); done
fi
python=""
for c in "${candidates[@]}"; do
  [ -n "$c" ] || continue
  path="$(command -v "$c" 2>/dev/null || true)"
  if [ -n "$path" ] && new_enough "$path"; then python="$path"; break; fi
done
if [ -z "$python" ]; then
  echo "install-python: no Python >= 3.12 found (tried: ${candidates[*]}); Django 6.1 needs one. Set PYTHON=/path/to/python3.12" >&2
  exit 1
fi

echo "install-python: $("$python" --version) -> .tools/venv from requirements.lock" >&2
rm -rf "$venv"
mkdir -p "$root/.tools"
"$python" -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-input --require-hashes --only-binary=:all: -r "$lock"
echo "$want" > "$stamp"
