#!/usr/bin/env bash
# Superset on one machine: init | start | stop | status | import.
#
#   init    metadata database (SQLite under $URBANMON_DATA_DIR/superset/), admin user from .env, roles. Skips in ~0 s
#           when the stamp matches the installed Superset version and admin user.
#   start   gunicorn as the supervisord program "superset" (scripts/supervise.sh: restarted when it dies; master pid
#           in superset.pid, log in superset.log, both under $URBANMON_DATA_DIR/superset/); waits for /health.
#   stop    stops the program with its whole process group.
#   status  running and healthy?
#   import  renders superset/assets/ (the serving database's path goes into the URIs) into a bundle and imports it
#           through the REST API of the running server. Same UUIDs every time: re-running creates no duplicates.
#   access  applies superset/access.yaml (roles 领导/统计人员/区县用户/管理员, users, district row-level security);
#           passwords from the SUPERSET_PASSWORD_* variables of .env. Run after import (it names imported objects).
#
# Settings come from the repository's .env (values already in the environment win): SUPERSET_PORT (8088),
# SUPERSET_ADMIN_USER, SUPERSET_ADMIN_PASSWORD, SUPERSET_SECRET_KEY, URBANMON_DATA_DIR, SUPERSET_WORKERS (2).
#
# Using the API from a script or test (superset/api_client.py does exactly this, with only requests):
#   1. POST /api/v1/security/login  {"username": ..., "password": ..., "provider": "db", "refresh": true}
#        -> {"access_token": ...}; send it as "Authorization: Bearer <token>" from then on
#   2. GET  /api/v1/security/csrf_token/  -> {"result": "<token>"}; send it as "X-CSRFToken: <token>" together
#        with "Referer: http://127.0.0.1:$SUPERSET_PORT" on every POST/PUT/DELETE, in the same requests.Session
#        (the CSRF token is bound to the session cookie set by that GET)
#   3. e.g. GET /api/v1/chart/?q=(filters:!((col:uuid,opr:eq,value:'<uuid>')))  -> the chart's numeric id, then
#        GET /api/v1/chart/<id>/data/  -> the saved query's rows (result[0].data);
#        POST /api/v1/sqllab/execute/ {"database_id": <id>, "schema": "main", "sql": ..., "runAsync": false}
#   Example: .venvs/pipeline/bin/python superset/api_client.py chart-data <chart uuid>
set -euo pipefail
. "$(dirname "$0")/env.sh"
SUPERSET_PORT=${SUPERSET_PORT:-8088}
SUPERSET_WORKERS=${SUPERSET_WORKERS:-2}
SS_DIR=$URBANMON_DATA_DIR/superset
PID_FILE=$SS_DIR/superset.pid
PGID_FILE=$SS_DIR/superset.pgid  # the session of a platform started before supervision (stopped on sight)
LOG=$SS_DIR/superset.log
SUP=$ROOT/scripts/supervise.sh
SS=$SUPERSET_BIN/superset
export SUPERSET_CONFIG_PATH=$ROOT/superset/superset_config.py
export SUPERSET_URL=http://127.0.0.1:$SUPERSET_PORT
export FLASK_APP=superset
export SUPERSET_PORT SUPERSET_ADMIN_USER SUPERSET_ADMIN_PASSWORD SUPERSET_SECRET_KEY
mkdir -p "$SS_DIR"

running() {
  "$SUP" running superset
}

healthy() {
  [ "$(curl -fsS -m 3 --noproxy '*' "$SUPERSET_URL/health" 2>/dev/null)" = "OK" ]
}

case "${1:-}" in
  init)
    : "${SUPERSET_ADMIN_USER:?SUPERSET_ADMIN_USER is not set (.env)}"
    : "${SUPERSET_ADMIN_PASSWORD:?SUPERSET_ADMIN_PASSWORD is not set (.env)}"
    : "${SUPERSET_SECRET_KEY:?SUPERSET_SECRET_KEY is not set (.env)}"
    stamp=$SS_DIR/.initialised
    want="$("$SUPERSET_BIN/python" -c 'import importlib.metadata as m; print(m.version("apache-superset"))') $SUPERSET_ADMIN_USER"
    if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && [ -f "$SS_DIR/superset.db" ]; then
      echo "superset: already initialised"; exit 0
    fi
    {
      "$SS" db upgrade
      # the password reaches create-admin through click's environment lookup, not the command line (ps)
      if ! FLASK_FAB_CREATE_ADMIN_PASSWORD=$SUPERSET_ADMIN_PASSWORD "$SS" fab create-admin \
          --username "$SUPERSET_ADMIN_USER" --firstname Admin --lastname Urbanmon --email "admin@localhost"; then
        exit 1
      fi
      "$SS" init
    } > "$SS_DIR/superset-init.log" 2>&1 || { tail -n 40 "$SS_DIR/superset-init.log" >&2; exit 1; }
    echo "$want" > "$stamp"
    echo "superset: initialised"
    ;;
  start)
    if running && healthy; then echo "superset: already running on $SUPERSET_URL"; exit 0; fi
    stop_session superset "$PGID_FILE" || true
    "$SUP" up
    "$SUP" ctl start superset >/dev/null || true  # "already started" is fine: health decides below
    for _ in $(seq 1 120); do
      healthy && { echo "superset: up on $SUPERSET_URL"; exit 0; }
      if "$SUP" failed superset; then echo "superset: gunicorn keeps dying; see $LOG" >&2; tail -n 30 "$LOG" >&2; exit 1; fi
      sleep 1
    done
    echo "superset: not healthy after 120 s; see $LOG" >&2
    exit 1
    ;;
  stop)
    if "$SUP" ctl pid >/dev/null 2>&1; then "$SUP" ctl stop superset >/dev/null || true; fi
    stop_session superset "$PGID_FILE" "$PID_FILE"
    echo "superset: stopped"
    ;;
  status)
    if running && healthy; then echo "superset: running, healthy on $SUPERSET_URL"; else echo "superset: not running"; exit 1; fi
    ;;
  import)
    healthy || { echo "superset: not running (start it first: $0 start)" >&2; exit 1; }
    bundle=$(mktemp -d)
    trap 'rm -rf "$bundle"' EXIT
    "$SUPERSET_BIN/python" "$ROOT/superset/render_assets.py" --zip "$bundle/assets.zip"
    "$SUPERSET_BIN/python" "$ROOT/superset/api_client.py" import-assets "$bundle/assets.zip"
    ;;
  access)
    "$SUPERSET_BIN/python" "$ROOT/superset/apply_access.py"
    ;;
  *) echo "usage: $0 init|start|stop|status|import|access" >&2; exit 2 ;;
esac
