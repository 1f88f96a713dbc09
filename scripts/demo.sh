#!/usr/bin/env bash
# Sets everything up, loads a Haining-sized demo federation (once) and serves it.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
mkdir -p var
.venv/bin/python manage.py migrate --noinput -v0
SCALE=${SCALE:-1}
.venv/bin/python manage.py seed_demo --scale "$SCALE" --if-empty
.venv/bin/python manage.py runserver "${PORT:-8000}"
