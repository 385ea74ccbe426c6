#!/usr/bin/env bash
# Run a command against a throwaway PostgreSQL database, created here and dropped afterwards.
# PG_URL: the server (default: the local one, trust auth). The test runner makes test_<name>.
set -euo pipefail
PG_URL=${PG_URL:-postgresql://postgres@127.0.0.1:5432}
DB="opentemis_ci_$$_$(date +%s)"
PY=${PY:-.venv/bin/python}
pg() {
  "$PY" - "$1" "$DB" "$PG_URL" <<'PYEOF'
import sys, psycopg
action, db, url = sys.argv[1:]
with psycopg.connect(url + "/postgres", autocommit=True) as conn:
    if action == "create":
        conn.execute(f'CREATE DATABASE "{db}"')
    else:
        for name in (db, f"test_{db}", *(f"test_{db}_gw{i}" for i in range(8))):
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
PYEOF
}
pg create
trap 'pg drop' EXIT
export DATABASE_URL="$PG_URL/$DB"
echo "PostgreSQL database: $DB"
"$@"
