#!/usr/bin/env bash
# Sets everything up and runs the whole suite (on SQLite unless DATABASE_URL says otherwise).
# Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/mypy  # types, with django-stubs ([tool.mypy] in pyproject.toml)
.venv/bin/lint-imports  # one direction of dependencies (pyproject.toml [tool.importlinter])
.venv/bin/python manage.py makemigrations --check --dry-run -v0
.venv/bin/bandit -r gonghui config -lll -q  # high-severity findings fail the run
# Exit 3 means the vulnerability service could not be reached (no outside network): said
# loudly, but not a failure; a known vulnerability (exit 1) is.
.venv/bin/python scripts/pip_audit_check.py || [ $? -eq 3 ]
.venv/bin/python -m pytest -n "${PYTEST_WORKERS:-2}" "$@"
