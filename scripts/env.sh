# Sourced by the other scripts: the repository's .env plus the local (embedded) defaults derived from it.
# shellcheck shell=bash
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
if [ ! -f "$ROOT/.env" ]; then
  echo "no .env: run 'make up' (or .venvs/pipeline/bin/urbanmon env-init)" >&2
  return 1 2>/dev/null || exit 1
fi
# Values already in the environment win over .env (tests run a second platform on other ports and folders).
while IFS= read -r line || [ -n "$line" ]; do
  case "$line" in ''|'#'*) continue ;; esac
  key=${line%%=*}; value=${line#*=}
  [ -n "${!key+x}" ] || export "$key=$value"
done < "$ROOT/.env"
# Optional SMTP settings of the alerts (smtp.env.example; ignored by git), the same file docker-compose reads
if [ -f "$ROOT/smtp.env" ]; then
  while IFS= read -r line || [ -n "$line" ]; do
    case "$line" in ''|'#'*) continue ;; esac
    key=${line%%=*}; value=${line#*=}
    [ -n "${!key+x}" ] || export "$key=$value"
  done < "$ROOT/smtp.env"
fi
export URBANMON_DATA_DIR=${URBANMON_DATA_DIR:-$ROOT/data}
export URBANMON_REPO_ROOT=$ROOT
PIPELINE_BIN=$ROOT/.venvs/pipeline/bin
SUPERSET_BIN=$ROOT/.venvs/superset/bin

# Airflow on embedded defaults: SQLite metadata, LocalExecutor, SimpleAuthManager with the password from .env
export AIRFLOW_HOME=$URBANMON_DATA_DIR/airflow
export AIRFLOW__CORE__DAGS_FOLDER=$ROOT/dags
export AIRFLOW__CORE__LOAD_EXAMPLES=False
export AIRFLOW__CORE__EXECUTOR=LocalExecutor
export AIRFLOW__CORE__PARALLELISM=${AIRFLOW__CORE__PARALLELISM:-4}
export AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION=False
export AIRFLOW__CORE__FERNET_KEY=$AIRFLOW_FERNET_KEY
export AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS="$AIRFLOW_ADMIN_USER:admin"
export AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE=$AIRFLOW_HOME/simple_auth_manager_passwords.json
export AIRFLOW__CORE__EXECUTION_API_SERVER_URL=http://127.0.0.1:$AIRFLOW_PORT/execution/
export AIRFLOW__DATABASE__SQL_ALCHEMY_CONN=sqlite:///$AIRFLOW_HOME/airflow.db
export AIRFLOW__API__PORT=$AIRFLOW_PORT
export AIRFLOW__API__HOST=127.0.0.1
export AIRFLOW__API__SECRET_KEY=$AIRFLOW_SECRET_KEY
export AIRFLOW__API_AUTH__JWT_SECRET=$AIRFLOW_JWT_SECRET
export AIRFLOW__API__BASE_URL=http://127.0.0.1:$AIRFLOW_PORT
export AIRFLOW__LOGGING__BASE_LOG_FOLDER=$URBANMON_DATA_DIR/logs/airflow
export AIRFLOW__SCHEDULER__ENABLE_HEALTH_CHECK=True
# Only what must listen, listens, and on loopback: the scheduler's health server (0.0.0.0 by default) binds to
# 127.0.0.1; the log servers of the scheduler and triggerer (0.0.0.0:8793/8794, no host setting in Airflow 3.3) are
# not started (--skip-serve-logs in scripts/supervise.sh): every component writes to the same local log folder, which
# the api-server reads directly.
export AIRFLOW__SCHEDULER__SCHEDULER_HEALTH_CHECK_SERVER_HOST=127.0.0.1
export AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL=${AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL:-30}
export AIRFLOW__SCHEDULER__TASK_INSTANCE_HEARTBEAT_TIMEOUT=${AIRFLOW__SCHEDULER__TASK_INSTANCE_HEARTBEAT_TIMEOUT:-60}
# Latency from a landed file to its served value (docs/benchmarks.md): the LocalExecutor's workers come from a
# forkserver that has imported Airflow and urbanmon.preload (pandas, pyarrow, DuckDB, Great Expectations, the
# pipeline), so a task process starts with them in memory instead of importing them anew (~5 s for GX alone).
export AIRFLOW__SCHEDULER__MP_START_METHOD=${AIRFLOW__SCHEDULER__MP_START_METHOD:-forkserver}
export AIRFLOW__SCHEDULER__MP_FORKSERVER_PRELOAD=${AIRFLOW__SCHEDULER__MP_FORKSERVER_PRELOAD:-airflow,airflow.executors.local_executor,urbanmon.preload}
export NO_PROXY='*' no_proxy='*'

# Stop everything started under one setsid session (its id is in file $2), task processes and workers included.
stop_session() {  # name sid_file [other files to remove]
  local name=$1 sid_file=$2 sid
  shift 2
  [ -f "$sid_file" ] || return 0
  sid=$(cat "$sid_file")
  pkill -TERM -s "$sid" 2>/dev/null || true
  for _ in $(seq 1 60); do pgrep -s "$sid" >/dev/null || break; sleep 0.5; done
  pkill -KILL -s "$sid" 2>/dev/null || true
  sleep 0.5
  if pgrep -s "$sid" >/dev/null; then echo "$name: processes left in session $sid" >&2; return 1; fi
  rm -f "$sid_file" "$@"
}
