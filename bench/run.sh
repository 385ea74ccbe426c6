#!/usr/bin/env bash
# make bench: benchmarks on the national synthetic dataset in PostgreSQL.
# Creates (once) the database opentemis_bench and loads it with `synth --size national`; later
# runs reuse it. Writes the figures into docs/benchmarks.md.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
PG_URL=${PG_URL:-postgresql://postgres@127.0.0.1:5432}
BENCH_DB=${BENCH_DB:-opentemis_bench}
export DATABASE_URL="$PG_URL/$BENCH_DB"
export AXES_ENABLED=0

"$PY" - "$PG_URL" "$BENCH_DB" <<'PYEOF'
import sys, psycopg
url, db = sys.argv[1:]
with psycopg.connect(url + "/postgres", autocommit=True) as conn:
    if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (db,)).fetchone():
        conn.execute(f'CREATE DATABASE "{db}"')
        print(f"created database {db}")
PYEOF
"$PY" manage.py migrate --noinput -v0
"$PY" manage.py collectstatic --noinput -v0  # the pages name static files by their hashes
if ! "$PY" bench/has_national.py; then
  echo "Loading the national synthetic dataset (once; several minutes)..."
  /usr/bin/time -f "synth national: %e s wall, %M KB max RSS" "$PY" manage.py synth --size national --reset
fi
# The staff and evaluation benches compare with a view that does nothing, /bench/trivial: it is
# in the bench URL conf only (bench/urls.py), which they select with bench.settings.
"$PY" bench/staff_bench.py --write docs/benchmarks.md
"$PY" bench/evaluation_bench.py --write docs/benchmarks.md
# The audit of reads (issue 10): staff pages and the submit with it off and on, alternating.
"$PY" bench/read_audit_bench.py --write docs/benchmarks.md
# The TEMIS report: everyone evaluated in 2024-2025 (written once, ~2 minutes), a full rebuild
# (child process: time and peak RSS), reads of every province, a plain GROUP BY for comparison,
# refreshes after 1,000 and 10,000 finalisations, and last year's report after 1,000
# current-year changes (issue 15: no cross-year work).
"$PY" bench/report_bench.py --write docs/benchmarks.md
if [ "${BENCH_IMPORT:-1}" = "1" ]; then
  # Imports go to throwaway databases, never into the national dataset.
  env -u DATABASE_URL "$PY" bench/import_rate.py --rows 50000 --write docs/benchmarks.md
  PG_URL="$PG_URL" bash scripts/with-pg-db.sh "$PY" bench/import_rate.py --rows 50000 --write docs/benchmarks.md
fi
# BDTX plans (issue 12): a plan for everyone of the year (once), the largest province's drafts
# made by the product's bulk path and timed, then the submission rush and bulk approvals over
# HTTP. Needs last year's evaluations, which the report bench above wrote.
"$PY" bench/bdtx_bench.py --write docs/benchmarks.md
# BDTX roll-ups (issue 12): on the national plans (bench/bdtx_dataset.py fills them once; the
# ledger rows of the bench are rolled back), then on a synthetic province of 20,000 people in a
# throwaway SQLite file and a throwaway PostgreSQL database.
"$PY" bench/bdtx_rollup_bench.py --national --runs 5 --write docs/benchmarks.md
if [ "${BENCH_BDTX_SYNTH:-1}" = "1" ]; then
  BDTX_DB="$(mktemp -d)/bdtx.sqlite3"
  env DATABASE_URL="sqlite:///$BDTX_DB" "$PY" manage.py migrate --noinput -v0
  env DATABASE_URL="sqlite:///$BDTX_DB" "$PY" bench/bdtx_rollup_bench.py --write docs/benchmarks.md
  rm -f "$BDTX_DB"
  PG_URL="$PG_URL" bash scripts/with-pg-db.sh bash -c \
    "$PY manage.py migrate --noinput -v0 && $PY bench/bdtx_rollup_bench.py --write docs/benchmarks.md"
fi
# Online learning (issue 13): two national courses with everyone enrolled (once, ~4 minutes),
# a spread of progress, then the test rush (with video progress beside it, alone, and with
# sign-in), the progress pages of a province and of the ministry, and the SCORM commit.
"$PY" bench/learning_bench.py --write docs/benchmarks.md
# Page weights (HTML and CSS/JS, raw and compressed) on the SQLite demo, in a throwaway directory.
env -u DATABASE_URL "$PY" bench/page_weights.py --write docs/benchmarks.md
# Weekly progress (issue 14): this week's snapshot of every unit (child process: time, peak RSS),
# then the largest province's ranking p95 beside a plain GROUP BY over its enrolments.
"$PY" bench/tracking_bench.py --write docs/benchmarks.md
# The cascade (issue 14): the largest province's caseload assignment, rolled back.
"$PY" bench/cascade_bench.py --write docs/benchmarks.md
# Certificates (issue 14): 10,000 certificate PDFs by a pool of 2 processes and the public
# verification page; everything it writes is rolled back.
"$PY" bench/certificates_bench.py --write docs/benchmarks.md
# Sign-in (issue 15): PBKDF2 before, Argon2id after, and the upgrade, through the sign-in page.
"$PY" bench/signin_bench.py --write docs/benchmarks.md
# Overload (issue 15): one node (gunicorn 2 × 4) behind HAProxy at rising offered load, with and
# without admission control, on the demo data in a throwaway database (~7 minutes).
PG_URL="$PG_URL" bash scripts/with-pg-db.sh bash -c "$PY manage.py migrate --noinput -v0 && $PY manage.py demo >/dev/null && $PY bench/overload_bench.py --write docs/benchmarks.md"
if [ "${BENCH_CLUSTER:-1}" = "1" ]; then
  # The scale-out topology (issue 15): three nodes on the demo data, the rush with 1, 2 and 3 in
  # service, then the fault run; the capacity model's prediction beside the measured rush.
  env -u DATABASE_URL "$PY" deploy/cluster.py up --nodes 3 --workers 1 --threads 4 --data demo \
    --job-lease 10 --job-sweep 3
  trap 'env -u DATABASE_URL "$PY" deploy/cluster.py down' EXIT
  env -u DATABASE_URL "$PY" bench/cluster_rush.py scale --seconds 30 --clients 24 --watchers 8 \
    --json var/cluster-rush.json --write docs/benchmarks.md
  env -u DATABASE_URL "$PY" bench/cluster_rush.py faults --seconds 40 --clients 16 --watchers 6 \
    --write docs/benchmarks.md
  "$PY" bench/capacity.py predict --from-rush var/cluster-rush.json --cores-per-node 2 \
    --db-cores 2 --shared-cores 2
fi
