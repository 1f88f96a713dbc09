#!/usr/bin/env bash
# CI: the production profile end to end on PostgreSQL and Redis — `check --deploy`, collectstatic,
# gunicorn serving /healthz and a compressed static file, a roster import run by a Celery
# worker, then a backup and its restore drill. Called from .ci/run after the test suites.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
OPS_DB=gonghui_ci_ops
WORK=$(mktemp -d)
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  dropdb -h 127.0.0.1 -U postgres --if-exists "$OPS_DB" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

new_key() { $PY -c 'import base64, os; print(base64.urlsafe_b64encode(os.urandom(32)).decode())'; }
export DATABASE_URL=postgres://postgres@127.0.0.1:5432/$OPS_DB
export DJANGO_DEBUG=false
export DJANGO_SECRET_KEY=$($PY -c 'import secrets; print(secrets.token_urlsafe(50))')
export DJANGO_ALLOWED_HOSTS=gonghui.example,127.0.0.1
export DJANGO_BEHIND_TLS_PROXY=true
export GONGHUI_FIELD_KEYS=$(new_key) GONGHUI_HASH_KEY=$(new_key)
export CELERY_BROKER_URL=redis://127.0.0.1:6379/0
export REDIS_URL=redis://127.0.0.1:6379/1
export DJANGO_STATIC_ROOT=$WORK/static DJANGO_MEDIA_ROOT=$WORK/media GONGHUI_VAR_DIR=$WORK/var

if ! redis-cli -h 127.0.0.1 ping >/dev/null 2>&1; then
  mkdir -p /var/lib/redis /var/log/redis
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/ci.log
  for _ in $(seq 50); do redis-cli -h 127.0.0.1 ping >/dev/null 2>&1 && break; sleep 0.1; done
fi

echo "-- check --deploy on the production settings"
$PY manage.py check --deploy --fail-level WARNING

echo "-- a small federation in a fresh PostgreSQL database"
dropdb -h 127.0.0.1 -U postgres --if-exists "$OPS_DB"
createdb -h 127.0.0.1 -U postgres "$OPS_DB"
$PY manage.py migrate --noinput -v0
$PY manage.py seed_demo --scale 0.01 >/dev/null

echo "-- collectstatic, then gunicorn serving the app"
$PY manage.py collectstatic --noinput -v0
GUNICORN_BIND=127.0.0.1:8765 GUNICORN_WORKERS=2 .venv/bin/gunicorn -c gunicorn.conf.py config.wsgi \
  >"$WORK/gunicorn.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 100); do curl -fs -o /dev/null http://127.0.0.1:8765/healthz && break; sleep 0.2; done
health=$(curl -fsS -H 'Host: gonghui.example' http://127.0.0.1:8765/healthz)
echo "/healthz: $health"
[ "$health" = '{"database": "ok", "broker": "ok"}' ]
css=/static/$($PY -c 'import json, sys; print(json.load(open(sys.argv[1]))["paths"]["vendor/pico/pico.min.css"])' \
  "$DJANGO_STATIC_ROOT/staticfiles.json")
headers=$(curl -fsS -o /dev/null -D - -H 'Host: gonghui.example' -H 'X-Forwarded-Proto: https' \
  -H 'Accept-Encoding: gzip' "http://127.0.0.1:8765$css")
grep -qi '^content-encoding: gzip' <<<"$headers"
grep -qi '^cache-control: max-age=315360000' <<<"$headers"
# Plain HTTP is sent to HTTPS; gunicorn's own log lines are JSON.
[ "$(curl -s -o /dev/null -w '%{http_code}' -H 'Host: gonghui.example' http://127.0.0.1:8765/accounts/login/)" = 301 ]
grep '"logger": "gunicorn.access"' "$WORK/gunicorn.log" | head -1 | $PY -c 'import json, sys; json.loads(sys.stdin.read())'
echo "static files: hashed name, gzip, cached for a year"

echo "-- a roster import run by a Celery worker through Redis"
.venv/bin/celery -A config worker --pool solo --without-gossip --without-mingle --loglevel INFO \
  >"$WORK/celery.log" 2>&1 &
PIDS+=($!)
$PY .ci/celery_smoke.py || { tail -50 "$WORK/celery.log"; exit 1; }

echo "-- backup and restore drill"
$PY manage.py backup_db --out "$WORK/backup"
$PY manage.py restore_drill --from "$WORK/backup"
