#!/usr/bin/env bash
# Airflow on one machine: init | start | stop | status. The four components are supervisord programs (group
# "airflow", scripts/supervise.sh): restarted when they die, each stopped with its whole process group.
set -euo pipefail
. "$(dirname "$0")/env.sh"
AF=$PIPELINE_BIN/airflow
PGID_FILE=$AIRFLOW_HOME/airflow.pgid  # the session of a platform started before supervision (stopped on sight)
LOG_DIR=$URBANMON_DATA_DIR/logs
SUP=$ROOT/scripts/supervise.sh
mkdir -p "$AIRFLOW_HOME" "$LOG_DIR"

running() {
  "$SUP" running airflow
}

healthy() {
  curl -fsS -m 3 "http://127.0.0.1:$AIRFLOW_PORT/api/v2/monitor/health" 2>/dev/null \
    | "$PIPELINE_BIN/python" -c 'import json,sys; h=json.load(sys.stdin); sys.exit(0 if all(h[k]["status"]=="healthy" for k in ("metadatabase","scheduler","triggerer","dag_processor")) else 1)' 2>/dev/null
}

case "${1:-}" in
  init)
    printf '{"%s": "%s"}\n' "$AIRFLOW_ADMIN_USER" "$AIRFLOW_ADMIN_PASSWORD" > "$AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE"
    chmod 600 "$AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE"
    stamp=$AIRFLOW_HOME/.initialised
    if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$("$AF" version)" ]; then
      "$AF" db migrate > "$LOG_DIR/airflow-init.log" 2>&1 || { tail -n 30 "$LOG_DIR/airflow-init.log"; exit 1; }
      "$AF" version > "$stamp"
    fi
    "$AF" pools set duckdb_build 1 "Writers of the private build DuckDB file (one at a time)" >/dev/null
    ;;
  start)
    if running && healthy; then echo "airflow: already running"; exit 0; fi
    stop_session airflow "$PGID_FILE" || true
    "$SUP" up
    "$SUP" ctl start 'airflow:*' >/dev/null || true  # "already started" is fine: health decides below
    for _ in $(seq 1 180); do
      healthy && { echo "airflow: up on http://127.0.0.1:$AIRFLOW_PORT"; exit 0; }
      if "$SUP" failed airflow; then
        echo "airflow: a component keeps dying; see $LOG_DIR/airflow-*.log" >&2
        "$SUP" ctl status 'airflow:*' >&2 || true
        tail -n 20 "$LOG_DIR"/airflow-*.log >&2
        exit 1
      fi
      sleep 1
    done
    echo "airflow: not healthy after 180 s; see $LOG_DIR/airflow-*.log" >&2
    exit 1
    ;;
  stop)
    if "$SUP" ctl pid >/dev/null 2>&1; then "$SUP" ctl stop 'airflow:*' >/dev/null || true; fi
    stop_session airflow "$PGID_FILE"
    echo "airflow: stopped"
    ;;
  status)
    if running && healthy; then echo "airflow: running, healthy"; else echo "airflow: not running"; exit 1; fi
    ;;
  *) echo "usage: $0 init|start|stop|status" >&2; exit 2 ;;
esac
