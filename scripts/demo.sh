#!/usr/bin/env bash
# Sets everything up, loads a Haining-sized demo federation (once) and serves it, with a Celery
# worker beside the server for imports and exports. The queue is a folder under var/ (the
# filesystem broker), so no Redis is needed.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
mkdir -p var
export CELERY_BROKER_URL=${CELERY_BROKER_URL:-filesystem://}
.venv/bin/python manage.py migrate --noinput -v0
SCALE=${SCALE:-1}
.venv/bin/python manage.py seed_demo --scale "$SCALE" --if-empty
# -B: the same worker runs the beat schedule (purges, the check for jobs whose worker died).
.venv/bin/celery -A config worker -B -s var/celerybeat-schedule --pool solo --without-gossip --without-mingle \
  --loglevel WARNING &
WORKER=$!
trap 'kill "$WORKER" 2>/dev/null || true; wait "$WORKER" 2>/dev/null || true' EXIT
.venv/bin/python manage.py runserver "${PORT:-8000}"
