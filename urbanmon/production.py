"""The production profile's settings in one place: docker-compose.yml and `make up PROFILE=production` read them.

The production shape is PostgreSQL (metadata of Airflow and Superset, Celery results), Redis (Celery broker, Superset
caches), Airflow with the CeleryExecutor and the FAB auth manager, Superset web + Celery worker. It runs two ways:

* in containers (docker-compose.yml): the services reach each other by name (``postgres:5432``, ``redis:6379``);
* on one machine without Docker (scripts/production.sh): the project's own PostgreSQL and Redis instances under
  ``$URBANMON_DATA_DIR/production/`` on their own loopback ports, every service a supervisord program.

What both share is defined here once: each service's environment, command and health check, written with the place
(:class:`Place`) as the only variable. tests/compose/test_compose_production.py checks the compose file against
:func:`airflow_env`, :func:`superset_env` and :data:`SERVICES`; scripts/production.sh renders its supervisord
configuration from them (``python -m urbanmon.production supervisord-conf``).

Before anything starts, :func:`check` refuses a missing, default or short secret and an unreachable PostgreSQL or
Redis, naming the setting (``python -m urbanmon.production check``): nothing half-starts.
"""

from __future__ import annotations

import argparse
import base64
import binascii
import os
import shlex
import shutil
import socket
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from urbanmon.settings import REPO_ROOT

POSTGRES_MAJOR = "15"  # Debian 12's postgresql-15; the compose image is postgres:<this>-bookworm
REDIS_MINOR = "7.0"  # Debian 12's redis-server 7.0; the compose image is redis:<this>-bookworm
IMAGES = {"postgres": f"postgres:{POSTGRES_MAJOR}-bookworm", "redis": f"redis:{REDIS_MINOR}-bookworm"}
METADATA_DATABASES = ("airflow", "superset")
AIRFLOW_WORKERS = 2  # Celery workers of the one-machine start (compose: `docker compose up --scale airflow-worker=2`)
AUTH_MANAGER = "airflow.providers.fab.auth_manager.fab_auth_manager.FabAuthManager"

# --- secrets -------------------------------------------------------------------------------------------------------
# name -> minimum length. Generated values (urbanmon.cli.SECRET_KEYS) are far longer; a value typed by hand must
# not be a placeholder or a word.
SECRET_MIN_LENGTH = {
    "AIRFLOW_ADMIN_PASSWORD": 12,
    "AIRFLOW_SECRET_KEY": 32,
    "AIRFLOW_FERNET_KEY": 44,  # url-safe base64 of 32 bytes (checked below)
    "AIRFLOW_JWT_SECRET": 32,
    "SUPERSET_ADMIN_PASSWORD": 12,
    "SUPERSET_SECRET_KEY": 32,
    "POSTGRES_PASSWORD": 16,
    "REDIS_PASSWORD": 16,
}
NAMES = ("POSTGRES_USER", "AIRFLOW_ADMIN_USER", "SUPERSET_ADMIN_USER")
DEFAULT_VALUES = {
    "admin", "airflow", "superset", "postgres", "redis", "password", "changeme", "change_me", "secret", "test",
    "CHANGE_ME_TO_A_COMPLEX_RANDOM_SECRET", "TEST_NON_DEV_SECRET", "thisISaSECRET_1234",
    "YOUR_OWN_RANDOM_GENERATED_SECRET_KEY", "\\2dEDc54b8ff48b1a4a2f9ee3e3e8c8a1",
}


class SettingError(RuntimeError):
    """A production setting is wrong; the message names it."""


def check_secrets(env: dict[str, str]) -> list[str]:
    """Every problem with the secrets and names of ``env``, each naming its setting (empty: all fine)."""
    problems = []
    for name in NAMES:
        if not env.get(name, "").strip():
            problems.append(f"{name} is not set (.env)")
    for name, minimum in SECRET_MIN_LENGTH.items():
        value = env.get(name, "")
        if not value.strip():
            problems.append(f"{name} is not set (run `make up PROFILE=production` to generate it, or edit .env)")
        elif value.lower() in {v.lower() for v in DEFAULT_VALUES} or len(set(value)) < 6:
            problems.append(f"{name} is a default or placeholder value: set a generated secret in .env")
        elif len(value) < minimum:
            problems.append(f"{name} is too short ({len(value)} characters, at least {minimum})")
        elif quote(value, safe="") != value and name in ("POSTGRES_PASSWORD", "REDIS_PASSWORD"):
            problems.append(f"{name} must be URL-safe (it goes into connection URLs): letters, digits, - and _")
    fernet = env.get("AIRFLOW_FERNET_KEY", "")
    if fernet and not any(p.startswith("AIRFLOW_FERNET_KEY") for p in problems):
        try:
            if len(base64.urlsafe_b64decode(fernet.encode())) != 32:
                raise ValueError
        except (ValueError, binascii.Error):
            problems.append("AIRFLOW_FERNET_KEY is not a Fernet key (url-safe base64 of 32 bytes)")
    return problems


# --- where the services find each other -------------------------------------------------------------------------

@dataclass(frozen=True)
class Place:
    """Addresses and folders: the only thing that differs between the containers and one machine."""

    postgres: str  # host:port
    redis: str  # host:port
    api_server: str  # host:port other Airflow components reach the api-server on
    listen: str  # address the web servers bind to (inside a container: every interface of the container)
    airflow_port: str
    superset_port: str
    data_dir: str
    dags: str
    log_dir: str
    scheduler_health_port: str
    airflow: str = "airflow"  # the programs (a container's PATH, or the virtual environments' bin/)
    celery: str = "celery"  # Superset's
    airflow_celery: str = "celery"  # the pipeline's
    gunicorn: str = "gunicorn"
    superset: str = "superset"
    curl: str = "curl"
    hostname: str = "$${HOSTNAME}"  # the machine's name as Celery sees it (a container's: its $HOSTNAME)


COMPOSE = Place(postgres="postgres:5432", redis="redis:6379", api_server="airflow-api-server:8080",
                listen="0.0.0.0", airflow_port="8080", superset_port="8088", data_dir="/opt/urbanmon/data",
                dags="/opt/urbanmon/app/dags", log_dir="/opt/airflow/logs", scheduler_health_port="8974")


def compose_secret(name: str) -> str:
    """What tests/compose sees for ``${NAME:?…}`` in docker-compose.yml."""
    return f"<{name}>"


def airflow_env(place: Place, secret) -> dict[str, str]:
    """The environment of every Airflow component. ``secret(name)`` gives a secret's value (or its marker)."""
    pg = f"{secret('POSTGRES_USER')}:{secret('POSTGRES_PASSWORD')}@{place.postgres}/airflow"
    return {
        "URBANMON_MODE": "production",
        "URBANMON_DATA_DIR": place.data_dir,
        "AIRFLOW__CORE__EXECUTOR": "CeleryExecutor",
        "AIRFLOW__CORE__AUTH_MANAGER": AUTH_MANAGER,
        "AIRFLOW__CORE__DAGS_FOLDER": place.dags,
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "False",
        "AIRFLOW__CORE__FERNET_KEY": secret("AIRFLOW_FERNET_KEY"),
        "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://{place.api_server}/execution/",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"postgresql+psycopg2://{pg}",
        "AIRFLOW__CELERY__BROKER_URL": f"redis://:{secret('REDIS_PASSWORD')}@{place.redis}/0",
        "AIRFLOW__CELERY__RESULT_BACKEND": f"db+postgresql+psycopg2://{pg}",
        "AIRFLOW__CELERY__WORKER_CONCURRENCY": "4",
        # Airflow's Celery defaults plus the task preload (urbanmon.celery_config, urbanmon.preload)
        "AIRFLOW__CELERY__CELERY_CONFIG_OPTIONS": "urbanmon.celery_config.CELERY_CONFIG",
        "AIRFLOW__API__SECRET_KEY": secret("AIRFLOW_SECRET_KEY"),
        "AIRFLOW__API_AUTH__JWT_SECRET": secret("AIRFLOW_JWT_SECRET"),
        "AIRFLOW__SCHEDULER__ENABLE_HEALTH_CHECK": "True",
        # the health server listens where the web servers do (loopback on one machine)
        "AIRFLOW__SCHEDULER__SCHEDULER_HEALTH_CHECK_SERVER_HOST": place.listen,
        "AIRFLOW__SCHEDULER__SCHEDULER_HEALTH_CHECK_SERVER_PORT": place.scheduler_health_port,
        "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "30",
        "AIRFLOW__LOGGING__BASE_LOG_FOLDER": place.log_dir,
    }


def superset_env(place: Place, secret) -> dict[str, str]:
    """The environment of Superset's web server and Celery worker (docker/superset_production_config.py reads it)."""
    host, port = place.redis.rsplit(":", 1)
    return {
        "URBANMON_MODE": "production",
        "URBANMON_DATA_DIR": place.data_dir,
        "SUPERSET_SECRET_KEY": secret("SUPERSET_SECRET_KEY"),
        "SUPERSET_METADATA_URI": (f"postgresql+psycopg2://{secret('POSTGRES_USER')}:{secret('POSTGRES_PASSWORD')}"
                                  f"@{place.postgres}/superset"),
        "SUPERSET_REDIS_HOST": host,
        "SUPERSET_REDIS_PORT": port,
        "SUPERSET_REDIS_PASSWORD": secret("REDIS_PASSWORD"),
    }


@dataclass(frozen=True)
class Service:
    command: tuple[str, ...]  # str.format fields: the attributes of Place
    health: tuple[str, ...]  # a command that exits 0 when the service is healthy ("CMD" form), or ("CMD-SHELL", …)
    kind: str  # airflow | superset

    def render(self, place: Place, worker: str = "worker") -> tuple[list[str], list[str]]:
        fields = {**vars(place), "worker": worker}
        return [part.format(**fields) for part in self.command], [part.format(**fields) for part in self.health]


# The long-running services. The log servers of worker and triggerer are not started (--skip-serve-logs): every
# component writes to one log folder (one volume, or one disk), which the api-server reads directly — so nothing
# listens on 8793/8794. A Celery worker is named {worker}@<host> (%h: Celery's own expansion of the host name).
SERVICES: dict[str, Service] = {
    "airflow-api-server": Service(
        ("{airflow}", "api-server", "--host", "{listen}", "--port", "{airflow_port}"),
        ("{curl}", "-fsS", "http://localhost:{airflow_port}/api/v2/version"), "airflow"),
    "airflow-scheduler": Service(
        ("{airflow}", "scheduler", "--skip-serve-logs"),
        ("{curl}", "-fsS", "http://localhost:{scheduler_health_port}/health"), "airflow"),
    "airflow-dag-processor": Service(
        ("{airflow}", "dag-processor"),
        ("{airflow}", "jobs", "check", "--job-type", "DagProcessorJob", "--local"), "airflow"),
    "airflow-triggerer": Service(
        ("{airflow}", "triggerer", "--skip-serve-logs"),
        ("{airflow}", "jobs", "check", "--job-type", "TriggererJob", "--local"), "airflow"),
    "airflow-worker": Service(
        ("{airflow}", "celery", "worker", "--skip-serve-logs", "--celery-hostname", "{worker}@%h"),
        ("{airflow_celery}", "--app", "airflow.providers.celery.executors.celery_executor.app", "inspect", "ping",
         "-d", "{worker}@{hostname}"), "airflow"),
    "superset": Service(
        ("{gunicorn}", "--bind={listen}:{superset_port}", "--workers=2", "--worker-class=gthread", "--threads=4",
         "--timeout=150", "--graceful-timeout=10", "--limit-request-line=0", "--limit-request-field_size=0",
         "--access-logfile=-", "--error-logfile=-", "superset.app:create_app()"),
        ("{curl}", "-fsS", "http://localhost:{superset_port}/health"), "superset"),
    "superset-worker": Service(
        ("{celery}", "--app=superset.tasks.celery_app:app", "worker", "--pool=prefork", "-O", "fair", "-c", "2"),
        ("{celery}", "--app=superset.tasks.celery_app:app", "inspect", "ping", "-d", "celery@{hostname}"),
        "superset"),
}


# --- one machine ---------------------------------------------------------------------------------------------------

def local_env() -> dict[str, str]:
    """.env.example's defaults, then .env, then the environment (its values win, as in scripts/env.sh)."""
    values = {}
    for env_file in (REPO_ROOT / ".env.example", REPO_ROOT / ".env"):
        if env_file.exists():
            for line in env_file.read_text(encoding="utf-8").splitlines():
                if "=" in line and not line.lstrip().startswith("#"):
                    key, value = line.split("=", 1)
                    if value or env_file.name == ".env":
                        values[key.strip()] = value
    values.update({k: v for k, v in os.environ.items() if k in values or k.startswith(("URBANMON_", "PRODUCTION_"))})
    for name in (*SECRET_MIN_LENGTH, *NAMES):
        if name in os.environ:
            values[name] = os.environ[name]
    return values


def _port(env: dict[str, str], name: str) -> str:
    value = env.get(name, "")
    if not value.isdigit() or not 0 < int(value) < 65536:
        raise SettingError(f"{name} must be a port number (.env.example), not {value!r}")
    return value


def local_place(env: dict[str, str]) -> Place:
    data = str(Path(env.get("URBANMON_DATA_DIR") or REPO_ROOT / "data").resolve())
    venvs = REPO_ROOT / ".venvs"
    pipeline, superset = venvs / "pipeline-production" / "bin", venvs / "superset-production" / "bin"
    return Place(
        postgres=f"127.0.0.1:{_port(env, 'PRODUCTION_POSTGRES_PORT')}",
        redis=f"127.0.0.1:{_port(env, 'PRODUCTION_REDIS_PORT')}",
        api_server=f"127.0.0.1:{env.get('AIRFLOW_PORT') or '8080'}",
        listen="127.0.0.1", airflow_port=env.get("AIRFLOW_PORT") or "8080",
        superset_port=env.get("SUPERSET_PORT") or "8088", data_dir=data, dags=str(REPO_ROOT / "dags"),
        log_dir=f"{data}/logs/airflow", scheduler_health_port=_port(env, "PRODUCTION_SCHEDULER_HEALTH_PORT"),
        airflow=str(pipeline / "airflow"), celery=str(superset / "celery"),
        airflow_celery=str(pipeline / "celery"), hostname=socket.gethostname(),
        gunicorn=str(superset / "gunicorn"), superset=str(superset / "superset"), curl="curl")


def local_airflow_env(env: dict[str, str]) -> dict[str, str]:
    """Airflow's environment on one machine: the shared settings plus what only one machine needs."""
    place = local_place(env)
    out = airflow_env(place, lambda name: env[name])
    out.update({
        "AIRFLOW_HOME": f"{place.data_dir}/production/airflow",
        "AIRFLOW__API__BASE_URL": f"http://127.0.0.1:{place.airflow_port}",
        "AIRFLOW__CORE__PARALLELISM": env.get("AIRFLOW__CORE__PARALLELISM") or "8",
        "URBANMON_REPO_ROOT": str(REPO_ROOT),
        "NO_PROXY": "*", "no_proxy": "*",
    })
    for key, value in os.environ.items():  # a test's own timeouts and retries (e.g. the heartbeat timeout)
        if key.startswith("AIRFLOW__") and key not in out:
            out[key] = value
    if os.environ.get("PYTHONPATH"):
        out["PYTHONPATH"] = os.environ["PYTHONPATH"]
    return out


def local_superset_env(env: dict[str, str]) -> dict[str, str]:
    place = local_place(env)
    out = superset_env(place, lambda name: env[name])
    out.update({
        "SUPERSET_CONFIG_PATH": str(REPO_ROOT / "docker" / "superset_production_config.py"),
        "URBANMON_REPO_ROOT": str(REPO_ROOT),
        "FLASK_APP": "superset",
        "SUPERSET_URL": f"http://127.0.0.1:{place.superset_port}",
        "SUPERSET_PORT": place.superset_port,
        "SUPERSET_ADMIN_PASSWORD": env["SUPERSET_ADMIN_PASSWORD"],
        "NO_PROXY": "*", "no_proxy": "*",
    })
    if os.environ.get("PYTHONPATH"):
        out["PYTHONPATH"] = os.environ["PYTHONPATH"]
    return out


def local_programs(env: dict[str, str]) -> dict[str, tuple[list[str], list[str], dict[str, str]]]:
    """name -> (command, health check, environment) of every long-running service on one machine."""
    place = local_place(env)
    out = {}
    for name, service in SERVICES.items():
        environment = local_airflow_env(env) if service.kind == "airflow" else local_superset_env(env)
        if name == "airflow-worker":
            for i in range(1, AIRFLOW_WORKERS + 1):
                command, health = service.render(place, f"worker{i}")
                # two workers share this host: each records its own name in task_instance.hostname
                out[f"airflow-worker-{i}"] = (command, health, {
                    **environment, "URBANMON_WORKER_NAME": f"worker{i}",
                    "AIRFLOW__CORE__HOSTNAME_CALLABLE": "urbanmon.production.worker_hostname"})
        else:
            out[name] = (*service.render(place), environment)
    return out


def postgres_bin() -> Path:
    """Debian's PostgreSQL programs (initdb, pg_ctl, postgres, psql) of the major version the profile runs."""
    return Path(f"/usr/lib/postgresql/{POSTGRES_MAJOR}/bin")


def psql() -> str:
    found = postgres_bin() / "psql"
    return str(found) if found.exists() else (shutil.which("psql") or "psql")


def worker_hostname() -> str:
    """[core] hostname_callable of the Celery workers on one machine: "<host>-worker1" (in containers every worker
    has a host name of its own and the default callable is kept)."""
    from airflow.utils.net import getfqdn

    name = os.environ.get("URBANMON_WORKER_NAME")
    return f"{getfqdn()}-{name}" if name else getfqdn()


def check_reachable(env: dict[str, str], timeout: float = 5) -> list[str]:
    """PostgreSQL accepts the user and password and both metadata databases exist; Redis answers the password."""
    place = local_place(env)
    problems = []
    host, port = place.postgres.rsplit(":", 1)
    for db in METADATA_DATABASES:
        try:
            result = subprocess.run(
                [psql(), "-h", host, "-p", port, "-U", env["POSTGRES_USER"], "-d", db, "-tAc", "select 1"],
                env={**os.environ, "PGPASSWORD": env["POSTGRES_PASSWORD"], "PGCONNECT_TIMEOUT": str(int(timeout))},
                capture_output=True, text=True, timeout=timeout + 5)
        except (OSError, subprocess.TimeoutExpired) as exc:
            result = subprocess.CompletedProcess([], 1, "", str(exc))
        if result.returncode != 0 or result.stdout.strip() != "1":
            first = (result.stderr.strip().splitlines() or ["no answer"])[0]
            problems.append(f"PostgreSQL at {place.postgres} (PRODUCTION_POSTGRES_PORT, POSTGRES_USER, "
                            f"POSTGRES_PASSWORD), database {db}: {first}")
            break
    host, port = place.redis.rsplit(":", 1)
    try:
        with socket.create_connection((host, int(port)), timeout=timeout) as conn:
            password = env["REDIS_PASSWORD"].encode()
            conn.sendall(b"*2\r\n$4\r\nAUTH\r\n$%d\r\n%s\r\n*1\r\n$4\r\nPING\r\n" % (len(password), password))
            reply = b""
            while reply.count(b"\r\n") < 2:
                chunk = conn.recv(256)
                if not chunk:
                    break
                reply += chunk
        if reply != b"+OK\r\n+PONG\r\n":
            problems.append(f"Redis at {place.redis} refuses REDIS_PASSWORD: {reply.decode(errors='replace')!r}")
    except OSError as exc:
        problems.append(f"Redis at {place.redis} (PRODUCTION_REDIS_PORT) is unreachable: {exc}")
    return problems


def check(env: dict[str, str], services: bool = True) -> None:
    """Raise SettingError naming every wrong setting. ``services``: also PostgreSQL and Redis must answer."""
    problems = check_secrets(env)
    if not problems and services:
        problems = check_reachable(env)
    if problems:
        raise SettingError("production settings refused:\n  " + "\n  ".join(problems))


# as scripts/supervise.sh gives every program of the embedded default; a worker gets time to finish a dbt build
SUPERVISED = """autorestart=true
startsecs=5
startretries=3
stopasgroup=true
killasgroup=true
stopwaitsecs={stopwait}
redirect_stderr=true
stdout_logfile_maxbytes=50MB
stdout_logfile_backups=2"""


def supervisord_programs(env: dict[str, str], log_dir: str) -> str:
    """The [program:…] and [group:…] sections of Airflow and Superset on one machine (scripts/production.sh adds
    PostgreSQL, Redis and the heartbeat)."""
    sections, groups = [], {"airflow": [], "superset": []}
    for name, (command, _, environment) in local_programs(env).items():
        groups["airflow" if name.startswith("airflow") else "superset"].append(name)
        # supervisord expands %(…)s in values: a literal % must be doubled
        env_line = ",".join(f'{k}="{v.replace("%", "%%")}"' for k, v in sorted(environment.items()))
        stopwait = 120 if name.startswith("airflow-worker") else 30
        sections.append(
            f"[program:{name}]\ncommand={shlex.join(command).replace('%', '%%')}\nenvironment={env_line}\n"
            f"autostart=false\nstdout_logfile={log_dir}/{name}.log\n{SUPERVISED.format(stopwait=stopwait)}\n")
    sections += [f"[group:{group}]\nprograms={','.join(names)}\n" for group, names in groups.items()]
    return "\n".join(sections)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m urbanmon.production", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    chk = sub.add_parser("check", help="refuse wrong secrets (and, with --services, unreachable PostgreSQL/Redis)")
    chk.add_argument("--services", action="store_true")
    conf = sub.add_parser("supervisord-conf", help="the [program:…] sections of the Airflow and Superset services")
    conf.add_argument("--log-dir", required=True)
    sub.add_parser("health", help="name<TAB>health command of every service (one machine)")
    sub.add_parser("place", help="the one-machine addresses and folders, as shell assignments")
    env = sub.add_parser("env", help="the environment of a kind of service, as shell assignments")
    env.add_argument("kind", choices=["airflow", "superset"])
    args = parser.parse_args(argv)
    values = local_env()
    try:
        if args.command != "place":  # where things are is needed to stop them, whatever the secrets
            check(values, services=args.command == "check" and args.services)
        local_place(values)
    except SettingError as exc:
        print(exc, file=sys.stderr)
        return 2
    if args.command == "supervisord-conf":
        print(supervisord_programs(values, args.log_dir))
    elif args.command == "health":
        for name, (_, health, _) in local_programs(values).items():
            print(f"{name}\t{shlex.join(health)}")
    elif args.command == "place":
        place = local_place(values)
        pg_host, pg_port = place.postgres.rsplit(":", 1)
        redis_host, redis_port = place.redis.rsplit(":", 1)
        for key, value in {"URBANMON_DATA_DIR": place.data_dir, "PG_HOST": pg_host, "PG_PORT": pg_port,
                           "REDIS_HOST": redis_host, "REDIS_PORT": redis_port, "AIRFLOW_PORT": place.airflow_port,
                           "SUPERSET_PORT": place.superset_port, "PG_BIN": str(postgres_bin()),
                           "AIRFLOW_BIN": str(Path(place.airflow).parent),
                           "SUPERSET_BIN": str(Path(place.superset).parent),
                           "AIRFLOW_HOME": local_airflow_env(values)["AIRFLOW_HOME"]}.items():
            print(f"{key}={shlex.quote(value)}")
    elif args.command == "env":
        environment = local_airflow_env(values) if args.kind == "airflow" else local_superset_env(values)
        for key, value in sorted(environment.items()):
            print(f"export {key}={shlex.quote(value)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
