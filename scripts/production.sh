#!/usr/bin/env bash
# The production shape on one machine, without Docker: up | down | status   (make up|down|status PROFILE=production)
#
#   up     installs what is missing (PostgreSQL 15 and Redis 7.0 from Debian's packages, the production environments
#          .venvs/pipeline-production and .venvs/superset-production from docker/*.production.lock: the locks of the
#          compose images), generates secrets into .env, refuses wrong settings (urbanmon/production.py check) before
#          anything starts, then runs under one supervisord:
#            postgres   the project's own cluster in $URBANMON_DATA_DIR/production/postgres (initdb with the generated
#                       POSTGRES_PASSWORD, scram-sha-256 for every connection, no trust), TCP on 127.0.0.1 only
#            redis      $URBANMON_DATA_DIR/production/redis, requirepass REDIS_PASSWORD, 127.0.0.1 only
#            Airflow    api-server, scheduler, dag-processor, triggerer, two Celery workers (CeleryExecutor, Redis
#                       broker, PostgreSQL metadata and result backend, FAB auth manager)
#            Superset   gunicorn on PostgreSQL with Redis caches, and its Celery worker
#            heartbeat  and the restart-limit listener (urbanmon/supervision.py), as in the embedded default
#          Environment, commands and health checks of the services come from urbanmon/production.py, the definition
#          docker-compose.yml is checked against. Then, as `make up`: land the samples, wait, import the boards.
#          URBANMON_PRODUCTION_SERVICES_ONLY=1 stops after the services are healthy (tests land their own files).
#   down   stops every program (workers get 2 minutes to finish), PostgreSQL last, then supervisord; whatever is left
#          in its session is killed: no process is left behind.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
UV=$ROOT/.venvs/tools/bin/uv
PY=$ROOT/.venvs/pipeline-production/bin/python
SUP_BIN=$ROOT/.venvs/supervisor/bin
export URBANMON_REPO_ROOT=$ROOT NO_PROXY='*' no_proxy='*'

load_dotenv() {  # values already in the environment win (tests run their own platform on other ports)
  [ -f "$ROOT/.env" ] || return 0
  while IFS= read -r line || [ -n "$line" ]; do
    case "$line" in ''|'#'*) continue ;; esac
    key=${line%%=*}; value=${line#*=}
    [ -n "${!key+x}" ] || export "$key=$value"
  done < "$ROOT/.env"
}

install_system_packages() {
  local missing
  missing=$(for p in postgresql-15 redis-server; do dpkg -s "$p" >/dev/null 2>&1 || echo "$p"; done)
  [ -z "$missing" ] && return 0
  if [ "$(id -u)" != 0 ] && ! command -v sudo >/dev/null; then
    echo "production: missing system packages: $missing (install them as root: apt-get install $missing)" >&2
    exit 1
  fi
  local sudo
  sudo=$([ "$(id -u)" = 0 ] || echo sudo)
  echo "production: installing system packages: $missing"
  $sudo apt-get update -qq
  # Debian's packages would start a system-wide server where an init system runs: the project runs its own
  DEBIAN_FRONTEND=noninteractive RUNLEVEL=1 $sudo apt-get install -y -qq --no-install-recommends $missing >/dev/null
}

install_env() {  # name lock [editable]: as scripts/bootstrap.sh, from the compose images' locks
  local name=$1 lock=$2 stamp=$ROOT/.venvs/$1/.lock.sha256 want
  # the checkout is part of the stamp: the editable install points into it
  want=$( (sha256sum "$lock" pyproject.toml; echo "$ROOT") | sha256sum | cut -d' ' -f1)
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then return 0; fi
  echo "production: installing the $name environment from $lock"
  [ -x "$ROOT/.venvs/$name/bin/python" ] || "$UV" venv -q --python "${PYTHON:-python3}" "$ROOT/.venvs/$name"
  "$UV" pip sync -q --python "$ROOT/.venvs/$name/bin/python" "$lock"
  if [ "${3:-}" = editable ]; then
    "$UV" pip install -q --python "$ROOT/.venvs/$name/bin/python" --no-deps -e "$ROOT"
  fi
  echo "$want" > "$stamp"
}

settings() {  # the one-machine places (ports, folders) from urbanmon/production.py
  local out
  out=$("$PY" -m urbanmon.production place) || exit 2
  eval "$out"
  export URBANMON_DATA_DIR
  PROD=$URBANMON_DATA_DIR/production
  SUP_DIR=$URBANMON_DATA_DIR/supervisor
  CONF=$SUP_DIR/production.conf
  SOCK=$SUP_DIR/supervisor.sock
  SUP_PGID=$SUP_DIR/supervisord.pgid
  LOG_DIR=$URBANMON_DATA_DIR/logs
}

ctl() { "$SUP_BIN/supervisorctl" -c "$CONF" "$@"; }
sup_up() { [ -f "$CONF" ] && [ -S "$SOCK" ] && ctl pid >/dev/null 2>&1; }

service_user() {  # PostgreSQL refuses to run as root; as root, each store runs as its Debian package's user
  if [ "$(id -u)" = 0 ]; then echo "$1"; else id -un; fi
}

prepare_postgres() {
  local user pgdata=$PROD/postgres pwfile
  user=$(service_user postgres)
  mkdir -p "$PROD"
  if ! runuser -u "$user" -- test -x "$PROD" 2>/dev/null && [ "$(id -u)" = 0 ]; then
    echo "production: user $user cannot reach $PROD (a parent folder is private); choose a URBANMON_DATA_DIR" \
      "every user can traverse" >&2
    exit 1
  fi
  [ -f "$pgdata/PG_VERSION" ] && return 0
  echo "production: initialising PostgreSQL in $pgdata"
  mkdir -p "$pgdata"
  chown "$user" "$pgdata"
  chmod 700 "$pgdata"
  pwfile=$(mktemp)
  printf '%s\n' "$POSTGRES_PASSWORD" > "$pwfile"
  chown "$user" "$pwfile"
  chmod 600 "$pwfile"
  # scram-sha-256 for local and host connections alike: no trust anywhere
  if ! runuser -u "$user" -- "$PG_BIN/initdb" -D "$pgdata" -U "$POSTGRES_USER" --pwfile="$pwfile" \
      --auth=scram-sha-256 -E UTF8 --locale=C.UTF-8 > "$LOG_DIR/postgres-initdb.log" 2>&1; then
    rm -f "$pwfile"
    tail -n 20 "$LOG_DIR/postgres-initdb.log" >&2
    exit 1
  fi
  rm -f "$pwfile"
}

prepare_redis() {
  local user dir=$PROD/redis
  user=$(service_user redis)
  mkdir -p "$dir"
  chown "$user" "$dir"
  chmod 700 "$dir"
  # the password goes into a private config file, not onto the command line (ps); as docker-compose.yml does
  ( umask 077
    printf 'bind 127.0.0.1\nport %s\nprotected-mode yes\nrequirepass %s\ndir %s\nappendonly no\nsave ""\n' \
      "$REDIS_PORT" "$REDIS_PASSWORD" "$dir" > "$dir/redis.conf.tmp" )
  chown "$user" "$dir/redis.conf.tmp"
  mv "$dir/redis.conf.tmp" "$dir/redis.conf"
}

write_conf() {
  local common="autorestart=true
startsecs=5
startretries=3
stopasgroup=true
killasgroup=true
redirect_stderr=true
stdout_logfile_maxbytes=50MB
stdout_logfile_backups=2" programs
  programs=$("$PY" -m urbanmon.production supervisord-conf --log-dir "$LOG_DIR")
  if [ "${#SOCK}" -gt 100 ]; then echo "production: socket path too long: $SOCK" >&2; exit 1; fi
  cat > "$CONF.tmp" <<CONF
; generated by scripts/production.sh from urbanmon/production.py: edit those, not this file
[unix_http_server]
file=$SOCK
chmod=0700

[supervisord]
logfile=$LOG_DIR/supervisord.log
pidfile=$SUP_DIR/supervisord.pid
childlogdir=$LOG_DIR
directory=$ROOT
nodaemon=true

[rpcinterface:supervisor]
supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface

[supervisorctl]
serverurl=unix://$SOCK

[program:postgres]
command=$PG_BIN/postgres -D $PROD/postgres -c listen_addresses=$PG_HOST -c port=$PG_PORT -c unix_socket_directories='' -c max_connections=200
user=$(service_user postgres)
autostart=false
stopsignal=INT
stopwaitsecs=60
stdout_logfile=$LOG_DIR/postgres.log
$common

[program:redis]
command=/usr/bin/redis-server $PROD/redis/redis.conf
user=$(service_user redis)
autostart=false
stopwaitsecs=30
stdout_logfile=$LOG_DIR/redis.log
$common

[group:stores]
programs=postgres,redis

$programs
[program:heartbeat]
command=$PY -m urbanmon.supervision heartbeat
autostart=true
priority=999
stdout_logfile=$LOG_DIR/heartbeat.log
stopwaitsecs=30
$common

[eventlistener:restart_limit]
command=$PY -m urbanmon.supervision listen
events=PROCESS_STATE_EXITED,PROCESS_STATE_FATAL
autostart=true
autorestart=true
priority=1
stderr_logfile=$LOG_DIR/restart-limit.log
CONF
  mv "$CONF.tmp" "$CONF"
}

start_supervisord() {
  sup_up && return 0
  ( . "$ROOT/scripts/env.sh" >/dev/null 2>&1 && stop_session supervisord "$SUP_PGID" ) || true
  # a clean environment: the programs get theirs from the configuration (no embedded-default Airflow settings)
  setsid env -i PATH=/usr/local/bin:/usr/bin:/bin HOME="${HOME:-/root}" LANG=C.UTF-8 \
    URBANMON_DATA_DIR="$URBANMON_DATA_DIR" URBANMON_REPO_ROOT="$ROOT" ${PYTHONPATH:+PYTHONPATH="$PYTHONPATH"} \
    ${URBANMON_HEARTBEAT_SECONDS:+URBANMON_HEARTBEAT_SECONDS="$URBANMON_HEARTBEAT_SECONDS"} \
    NO_PROXY='*' no_proxy='*' \
    "$SUP_BIN/supervisord" -c "$CONF" < /dev/null >> "$LOG_DIR/supervisord.out" 2>&1 &
  echo $! > "$SUP_PGID"
  for _ in $(seq 1 60); do sup_up && return 0; sleep 0.5; done
  echo "production: supervisord did not answer within 30 s; see $LOG_DIR/supervisord.log" >&2
  exit 1
}

wait_for() {  # label seconds command...: until the command succeeds
  local label=$1 seconds=$2
  shift 2
  for _ in $(seq 1 "$seconds"); do
    "$@" >/dev/null 2>&1 && return 0
    sleep 1
  done
  echo "production: $label not healthy after $seconds s; see $LOG_DIR" >&2
  return 1
}

airflow_env() { eval "$("$PY" -m urbanmon.production env airflow)"; }
superset_env() { eval "$("$PY" -m urbanmon.production env superset)"; }

airflow_healthy() {
  curl -fsS -m 3 "http://127.0.0.1:$AIRFLOW_PORT/api/v2/monitor/health" 2>/dev/null | "$PY" -c \
    'import json,sys; h=json.load(sys.stdin); sys.exit(0 if all(h[k]["status"]=="healthy" for k in ("metadatabase","scheduler","triggerer","dag_processor")) else 1)'
}

services_healthy() {  # every service's own health check (the compose file's), in its environment, all at once
  local name command i status=0 pids=() names=()
  while IFS=$'\t' read -r name command; do
    if [[ $name == airflow* ]]; then
      ( airflow_env; eval "$command" ) >/dev/null 2>&1 &
    else
      ( superset_env; eval "$command" ) >/dev/null 2>&1 &
    fi
    pids+=("$!"); names+=("$name")
  done < <("$PY" -m urbanmon.production health)
  for i in "${!pids[@]}"; do
    wait "${pids[$i]}" || { echo "  ${names[$i]}: not healthy yet"; status=1; }
  done
  return "$status"
}

stop_all() {
  settings
  if sup_up; then
    ctl stop heartbeat >/dev/null 2>&1 || true
    ctl stop 'superset:*' 'airflow:*' >/dev/null 2>&1 || true
    ctl stop 'stores:*' >/dev/null 2>&1 || true
    ctl shutdown >/dev/null 2>&1 || true
  fi
  ( . "$ROOT/scripts/env.sh" >/dev/null 2>&1 || stop_session() { :; }
    stop_session supervisord "$SUP_PGID" )
  rm -f "$SOCK" "$SUP_DIR/profile"
}

case "${1:-}" in
  up)
    t0=$(date +%s)
    scripts/bootstrap.sh
    .venvs/pipeline/bin/python -m urbanmon.cli env-init >/dev/null
    load_dotenv
    # a missing, default or short secret, named, before anything is installed, initialised or started
    # (urbanmon/production.py needs only the standard library: the embedded environment runs it)
    .venvs/pipeline/bin/python -m urbanmon.production check || exit 2
    install_system_packages
    install_env pipeline-production docker/pipeline.production.lock editable
    install_env superset-production docker/superset.production.lock
    settings
    if [ -S "$SOCK" ] && [ "$(cat "$SUP_DIR/profile" 2>/dev/null)" != production ] \
        && "$SUP_BIN/supervisorctl" -s "unix://$SOCK" pid >/dev/null 2>&1; then
      echo "production: the embedded default runs on this data folder; stop it first (make down)" >&2
      exit 1
    fi
    mkdir -p "$SUP_DIR" "$LOG_DIR" "$URBANMON_DATA_DIR/landing/air_quality" "$AIRFLOW_HOME"
    echo production > "$SUP_DIR/profile"
    prepare_postgres
    prepare_redis
    write_conf
    start_supervisord
    ctl start 'stores:*' >/dev/null || true
    # PostgreSQL and Redis answer with the configured user and passwords, or nothing else starts
    for _ in $(seq 1 60); do
      PGPASSWORD=$POSTGRES_PASSWORD "$PG_BIN/psql" -h "$PG_HOST" -p "$PG_PORT" -U "$POSTGRES_USER" -d postgres \
        -tAc 'select 1' >/dev/null 2>&1 && break
      sleep 0.5
    done
    for db in airflow superset; do
      exists=$(PGPASSWORD=$POSTGRES_PASSWORD "$PG_BIN/psql" -h "$PG_HOST" -p "$PG_PORT" -U "$POSTGRES_USER" \
        -d postgres -tAc "select 1 from pg_database where datname = '$db'" 2>/dev/null || true)
      if [ "$exists" != 1 ]; then
        PGPASSWORD=$POSTGRES_PASSWORD "$PG_BIN/psql" -v ON_ERROR_STOP=1 -h "$PG_HOST" -p "$PG_PORT" \
          -U "$POSTGRES_USER" -d postgres -qc "CREATE DATABASE \"$db\" OWNER \"$POSTGRES_USER\" ENCODING 'UTF8' TEMPLATE template0"
      fi
    done
    if ! "$PY" -m urbanmon.production check --services; then
      echo "production: stopping what was started" >&2
      stop_all
      exit 2
    fi
    # the init jobs of docker-compose.yml (airflow-init, superset-init), side by side
    ( airflow_env
      "$AIRFLOW_BIN/airflow" db migrate > "$LOG_DIR/airflow-init.log" 2>&1 || { tail -n 30 "$LOG_DIR/airflow-init.log" >&2; exit 1; }
      if ! "$AIRFLOW_BIN/airflow" users list -o plain 2>/dev/null | awk '{print $2}' | grep -qx "$AIRFLOW_ADMIN_USER"; then
        "$AIRFLOW_BIN/airflow" users create --role Admin --username "$AIRFLOW_ADMIN_USER" \
          --password="$AIRFLOW_ADMIN_PASSWORD" --firstname Admin --lastname Urbanmon --email admin@localhost \
          >> "$LOG_DIR/airflow-init.log" 2>&1
      fi
      "$AIRFLOW_BIN/airflow" pools set duckdb_build 1 "Writers of the private build DuckDB file (one at a time)" >/dev/null
    ) &
    airflow_init=$!
    ( superset_env
      stamp=$PROD/superset.initialised
      want="$("$SUPERSET_BIN/python" -c 'import importlib.metadata as m; print(m.version("apache-superset"))') $SUPERSET_ADMIN_USER"
      if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
        { "$SUPERSET_BIN/superset" db upgrade
          FLASK_FAB_CREATE_ADMIN_PASSWORD=$SUPERSET_ADMIN_PASSWORD "$SUPERSET_BIN/superset" fab create-admin \
            --username "$SUPERSET_ADMIN_USER" --firstname Admin --lastname Urbanmon --email admin@localhost
          "$SUPERSET_BIN/superset" init
        } > "$LOG_DIR/superset-init.log" 2>&1 || { tail -n 40 "$LOG_DIR/superset-init.log" >&2; exit 1; }
        echo "$want" > "$stamp"
      fi
    ) &
    superset_init=$!
    init_failed=0
    wait "$airflow_init" || init_failed=1
    wait "$superset_init" || init_failed=1
    [ "$init_failed" = 0 ] || { stop_all; exit 1; }
    ctl start 'airflow:*' 'superset:*' >/dev/null || true
    wait_for "Airflow" 240 airflow_healthy || { stop_all; exit 1; }
    wait_for "the services" 240 services_healthy || { ctl status >&2 || true; stop_all; exit 1; }
    echo "production: services up ($(( $(date +%s) - t0 )) s)"
    if [ "${URBANMON_PRODUCTION_SERVICES_ONLY:-}" != 1 ]; then
      "$PY" -m urbanmon.cli land-samples
      echo "waiting for the event-driven pipeline to process the sample files…"
      "$PY" -m urbanmon.cli wait --timeout "${URBANMON_WAIT_TIMEOUT:-900}"
      ( superset_env
        bundle=$(mktemp -d)
        trap 'rm -rf "$bundle"' EXIT
        "$SUPERSET_BIN/python" "$ROOT/superset/render_assets.py" --zip "$bundle/assets.zip"
        "$SUPERSET_BIN/python" "$ROOT/superset/api_client.py" import-assets "$bundle/assets.zip"
        "$SUPERSET_BIN/python" "$ROOT/superset/apply_access.py" )
    fi
    cat <<INFO

The production profile is up ($(( $(date +%s) - t0 )) s): PostgreSQL 127.0.0.1:$PG_PORT, Redis 127.0.0.1:$REDIS_PORT,
two Celery workers, Superset on PostgreSQL with Redis.
  Airflow   http://127.0.0.1:$AIRFLOW_PORT   user $AIRFLOW_ADMIN_USER   password in .env (AIRFLOW_ADMIN_PASSWORD)
  Superset  http://127.0.0.1:$SUPERSET_PORT   user $SUPERSET_ADMIN_USER   password in .env (SUPERSET_ADMIN_PASSWORD)
  Programs: .venvs/supervisor/bin/supervisorctl -c $CONF status
  Stop everything with: make down PROFILE=production
INFO
    ;;
  down)
    [ -x "$PY" ] || { echo "production: not installed"; exit 0; }
    load_dotenv
    stop_all
    echo "production: stopped"
    ;;
  status)
    load_dotenv
    settings
    if sup_up; then ctl status || true; else echo "production: not running"; exit 1; fi
    ;;
  *) echo "usage: $0 up|down|status" >&2; exit 2 ;;
esac
