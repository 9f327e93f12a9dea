#!/usr/bin/env bash
# The platform's main job on one machine: up | down | status.
#   up:   install what is missing, generate secrets into .env, initialise and start Airflow and Superset,
#         land the sample feeds, wait until the event-driven pipeline has processed them, import the dashboards,
#         print URLs, credentials and the serving database. Safe and fast to run again.
#   down: stop everything; leaves no process behind.
#   Every long-running process is a supervisord program (scripts/supervise.sh): restarted when it dies, within a
#   limit; a heartbeat outside Airflow (urbanmon/supervision.py) alerts on outages and files left in landing.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

case "${1:-}" in
  up)
    t0=$(date +%s)
    scripts/bootstrap.sh
    .venvs/pipeline/bin/python -m urbanmon.cli env-init
    . scripts/env.sh
    if [ "$(cat "$URBANMON_DATA_DIR/supervisor/profile" 2>/dev/null)" = production ] \
        && [ -S "$URBANMON_DATA_DIR/supervisor/supervisor.sock" ]; then
      echo "the production profile runs on this data folder: stop it first (make down PROFILE=production)" >&2
      exit 1
    fi
    mkdir -p "$URBANMON_DATA_DIR"
    scripts/airflow_ctl.sh init
    scripts/superset_ctl.sh init
    scripts/airflow_ctl.sh start
    scripts/superset_ctl.sh start
    "$PIPELINE_BIN/python" -m urbanmon.cli land-samples
    echo "waiting for the event-driven pipeline to process the sample files…"
    "$PIPELINE_BIN/python" -m urbanmon.cli wait --timeout "${URBANMON_WAIT_TIMEOUT:-900}"
    scripts/superset_ctl.sh import
    scripts/superset_ctl.sh access
    cat <<INFO

The platform is up ($(( $(date +%s) - t0 )) s).
  Airflow   http://127.0.0.1:$AIRFLOW_PORT   user $AIRFLOW_ADMIN_USER   password $AIRFLOW_ADMIN_PASSWORD
  Superset  http://127.0.0.1:$SUPERSET_PORT   user $SUPERSET_ADMIN_USER   password $SUPERSET_ADMIN_PASSWORD
            dashboard 环境空气质量: http://127.0.0.1:$SUPERSET_PORT/superset/dashboard/air-quality/
            boards 总览 / 指标详情 / 区县对比 / 数据质量与时效: http://127.0.0.1:$SUPERSET_PORT/superset/dashboard/overview/
            users (superset/access.yaml): leader 领导, statistician 统计人员, district_licheng / district_zhangqiu 区县用户
            (passwords: SUPERSET_PASSWORD_* in .env)
  Serving database (read-only): $URBANMON_DATA_DIR/serving/warehouse.duckdb
      python: duckdb.connect("$URBANMON_DATA_DIR/serving/warehouse.duckdb", read_only=True)
  Operations record:            $URBANMON_DATA_DIR/serving/operations.duckdb
  Landing zone (drop files here): $URBANMON_DATA_DIR/landing/air_quality/
  Credentials are in $ROOT/.env (not in git). Stop everything with: make down
INFO
    ;;
  down)
    if [ -f .env ]; then
      scripts/superset_ctl.sh stop || true
      scripts/airflow_ctl.sh stop || true
      scripts/supervise.sh down
    fi
    ;;
  status)
    . scripts/env.sh
    scripts/airflow_ctl.sh status || true
    scripts/superset_ctl.sh status || true
    echo "supervised processes (supervisord; the heartbeat's view is under \"heartbeat\" below):"
    scripts/supervise.sh status || true
    "$PIPELINE_BIN/python" -m urbanmon.cli status
    ;;
  *) echo "usage: $0 up|down|status" >&2; exit 2 ;;
esac
