"""docker-compose.yml (the production shape) without a Docker engine: it validates against the Compose
specification, and it agrees with the local setup (.env.example, the locks, the Dockerfiles, the Superset config,
the data paths of urbanmon.settings)."""

from __future__ import annotations

import copy
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from urbanmon.cli import SECRET_KEYS
from urbanmon.settings import Paths

REPO = Path(__file__).resolve().parents[2]
COMPOSE = REPO / "docker-compose.yml"
ENV_EXAMPLE = REPO / ".env.example"
CHECK_JSONSCHEMA = Path(sys.executable).parent / "check-jsonschema"

AIRFLOW_SERVICES = {
    "airflow-init", "airflow-api-server", "airflow-scheduler", "airflow-dag-processor", "airflow-triggerer",
    "airflow-worker",
}
SUPERSET_SERVICES = {"superset-init", "superset", "superset-worker"}
INIT_SERVICES = {"airflow-init", "superset-init"}
ALL_SERVICES = {"postgres", "redis"} | AIRFLOW_SERVICES | SUPERSET_SERVICES
DATA_DIR = "/opt/urbanmon/data"

# ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?message}, ${VAR?message}, ${VAR:+x}; "$$" is a literal dollar
_INTERPOLATION = re.compile(r"(?<!\$)\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])([^}]*))?\}")
_BARE = re.compile(r"(?<!\$)\$([A-Za-z_][A-Za-z0-9_]*)")
_SECRET_NAME = re.compile(r"PASSWORD|SECRET|_KEY$|TOKEN")


def _raw() -> dict:
    return yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))


def _strings(node) -> list[str]:
    """Every string of the parsed file, keys included: what Compose interpolates (comments are not)."""
    if isinstance(node, dict):
        return [s for k, v in node.items() for s in (*_strings(k), *_strings(v))]
    if isinstance(node, list):
        return [s for item in node for s in _strings(item)]
    return [node] if isinstance(node, str) else []


def _substitute(node):
    if isinstance(node, dict):
        return {_substitute(k): _substitute(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_substitute(item) for item in node]
    return _INTERPOLATION.sub(lambda m: f"<{m.group(1)}>", node) if isinstance(node, str) else node


def _interpolations() -> list[tuple[str, str, str]]:
    return [(m.group(1), m.group(2) or "", m.group(3) or "") for text in _strings(_raw())
            for m in _INTERPOLATION.finditer(text)]


def _env_example() -> dict[str, str]:
    out = {}
    for line in ENV_EXAMPLE.read_text(encoding="utf-8").splitlines():
        if "=" in line and not line.lstrip().startswith("#"):
            key, value = line.split("=", 1)
            out[key.strip()] = value
    return out


@pytest.fixture(scope="module")
def compose() -> dict:
    """The file with every ${VAR…} replaced by the marker <VAR> (what Compose would see, minus the values)."""
    return _substitute(_raw())


@pytest.fixture(scope="module")
def services(compose) -> dict:
    return compose["services"]


def _env(service: dict) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) for item in env)
    return {k: str(v) for k, v in env.items()}


def _validate(path: Path) -> subprocess.CompletedProcess:
    assert CHECK_JSONSCHEMA.exists(), f"check-jsonschema is not installed next to {sys.executable}"
    return subprocess.run(
        [str(CHECK_JSONSCHEMA), "--builtin-schema", "vendor.compose-spec", str(path)],
        capture_output=True, text=True, timeout=120,
    )


# --- (1) the Compose specification -------------------------------------------------------------------------------

def test_compose_file_validates_against_the_compose_specification():
    result = _validate(COMPOSE)
    assert result.returncode == 0, result.stdout + result.stderr


def _broken(services: dict, how: str) -> dict:
    services = copy.deepcopy(services)
    if how == "wrong type":
        services["redis"]["healthcheck"]["interval"] = 10  # a duration is a string such as "10s"
    elif how == "unknown key":
        services["postgres"]["helthcheck"] = services["postgres"].pop("healthcheck")
    elif how == "bad depends_on condition":
        services["superset"]["depends_on"]["postgres"]["condition"] = "service_ready"
    elif how == "ports not a list":
        services["superset"]["ports"] = {"web": 8088}
    return services


_WHERE = {
    "wrong type": "$.services.redis.healthcheck.interval",
    "unknown key": "helthcheck",
    "bad depends_on condition": "service_ready",
    "ports not a list": "$.services.superset.ports",
}


@pytest.mark.parametrize("how", ["wrong type", "unknown key", "bad depends_on condition", "ports not a list"])
def test_the_validator_catches_a_broken_copy(tmp_path, compose, how):
    # the unbroken copy passes, so the failure below is caused by the break alone
    intact = tmp_path / "intact.yml"
    intact.write_text(yaml.safe_dump(compose, allow_unicode=True), encoding="utf-8")
    assert _validate(intact).returncode == 0
    broken = tmp_path / "broken.yml"
    broken.write_text(yaml.safe_dump({**compose, "services": _broken(compose["services"], how)}, allow_unicode=True),
                      encoding="utf-8")
    result = _validate(broken)
    assert result.returncode != 0, f"{how}: the broken copy passed validation"
    assert _WHERE[how] in result.stdout + result.stderr, result.stdout


# --- (2) consistency with the local setup ------------------------------------------------------------------------

def test_every_variable_the_compose_file_uses_is_declared_in_env_example():
    declared = set(_env_example())
    used = {name for name, _, _ in _interpolations()}
    assert used, "no ${VAR} found: the parser is broken"
    assert not used - declared, f"used in docker-compose.yml, missing from .env.example: {sorted(used - declared)}"
    # $VAR without braces is easy to miss in review: the file uses ${VAR} only ($$VAR is the container's own)
    assert not [text for text in _strings(_raw()) if _BARE.search(text)]


def test_every_secret_is_required_and_has_no_default():
    example = _env_example()
    secrets = {name for name in example if _SECRET_NAME.search(name)} | set(SECRET_KEYS)
    uses = _interpolations()
    for name, operator, message in uses:
        if name in secrets:
            assert operator == ":?", f"${{{name}}} must be written ${{{name}:?message}} (no default, not optional)"
            assert message.strip(), f"${{{name}:?}} needs a message saying what to do"
    used = {name for name, _, _ in uses}
    # every secret the local setup generates for production is used, e.g. the JWT secret that all Airflow
    # components must share
    assert set(SECRET_KEYS) <= used, f"secrets not passed to any service: {sorted(set(SECRET_KEYS) - used)}"
    for name in secrets:
        assert example[name] == "", f".env.example must not carry a value for {name}"


def test_no_credentials_are_written_in_the_file(services):
    for name, service in services.items():
        for key, value in _env(service).items():
            if _SECRET_NAME.search(key):
                assert re.fullmatch(r"<[A-Z_]+>", value), f"{name}: {key} is not taken from the environment"
            for userinfo in re.findall(r"://([^/@\s]*)@", value):
                user, _, password = userinfo.partition(":")
                assert re.fullmatch(r"<[A-Z_]+>", password), f"{name}: {key} has a literal password"
                assert user == "" or re.fullmatch(r"<[A-Z_]+>", user), f"{name}: {key} has a literal user"


def test_the_expected_services_are_there(services):
    assert set(services) == ALL_SERVICES


def test_every_long_running_service_has_a_healthcheck(services):
    for name, service in services.items():
        if name in INIT_SERVICES:
            assert service.get("restart") == "no", f"{name} is a one-shot job"
            continue
        check = service.get("healthcheck")
        assert check and not check.get("disable"), f"{name} has no health check"
        assert check.get("test") and check["test"] != ["NONE"], f"{name}: empty health check"
        assert service.get("restart") == "unless-stopped", f"{name} is not restarted"


def test_dependencies_wait_for_health_or_completion(services):
    for name, service in services.items():
        for target, spec in (service.get("depends_on") or {}).items():
            assert isinstance(spec, dict), f"{name} -> {target}: use the long form with a condition"
            if target in INIT_SERVICES:
                assert spec["condition"] == "service_completed_successfully", f"{name} -> {target}"
            else:
                assert spec["condition"] == "service_healthy", f"{name} -> {target}"
                assert "healthcheck" in services[target]
    for name in AIRFLOW_SERVICES | SUPERSET_SERVICES:
        deps = services[name]["depends_on"]
        assert deps["postgres"]["condition"] == "service_healthy"
        assert deps["redis"]["condition"] == "service_healthy"
    for name in AIRFLOW_SERVICES - {"airflow-init"}:
        assert "airflow-init" in services[name]["depends_on"]
    for name in SUPERSET_SERVICES - {"superset-init"}:
        assert "superset-init" in services[name]["depends_on"]


def test_airflow_services_use_celery_fab_postgres_and_one_image(services):
    airflow = {name: services[name] for name in AIRFLOW_SERVICES}
    assert len({(s["image"], s["build"]["dockerfile"]) for s in airflow.values()}) == 1
    shared_keys = None
    for name, service in airflow.items():
        env = _env(service)
        assert env["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor", name
        assert env["AIRFLOW__CORE__AUTH_MANAGER"] == (
            "airflow.providers.fab.auth_manager.fab_auth_manager.FabAuthManager"), name
        assert env["URBANMON_MODE"] == "production", name
        assert env["URBANMON_DATA_DIR"] == DATA_DIR, name
        assert re.fullmatch(r"postgresql(\+psycopg2)?://<POSTGRES_USER>:<POSTGRES_PASSWORD>@postgres:5432/airflow",
                            env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"]), name
        assert env["AIRFLOW__CELERY__RESULT_BACKEND"].startswith("db+postgresql"), name
        assert env["AIRFLOW__CELERY__BROKER_URL"].startswith("redis://:<REDIS_PASSWORD>@redis:"), name
        keys = {k: env[k] for k in ("AIRFLOW__CORE__FERNET_KEY", "AIRFLOW__API__SECRET_KEY",
                                    "AIRFLOW__API_AUTH__JWT_SECRET", "AIRFLOW__CORE__EXECUTION_API_SERVER_URL")}
        shared_keys = shared_keys or keys
        assert keys == shared_keys, f"{name}: every Airflow component must share the keys and the execution API"
    assert _env(services["airflow-api-server"])["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"].startswith(
        "http://airflow-api-server:8080/")


def test_superset_uses_postgres_redis_and_one_image(services):
    superset = {name: services[name] for name in SUPERSET_SERVICES}
    assert len({(s["image"], s["build"]["dockerfile"]) for s in superset.values()}) == 1
    for name, service in superset.items():
        env = _env(service)
        assert env["URBANMON_MODE"] == "production", name
        assert env["URBANMON_DATA_DIR"] == DATA_DIR, name
        assert re.fullmatch(r"postgresql(\+psycopg2)?://<POSTGRES_USER>:<POSTGRES_PASSWORD>@postgres:5432/superset",
                            env["SUPERSET_METADATA_URI"]), name
        assert env["SUPERSET_SECRET_KEY"] == "<SUPERSET_SECRET_KEY>"
        assert env["SUPERSET_REDIS_PASSWORD"] == "<REDIS_PASSWORD>"
    # the variables set here are the ones the configuration reads
    config = (REPO / "superset/superset_config.py").read_text(encoding="utf-8")
    production = (REPO / "docker/superset_production_config.py").read_text(encoding="utf-8")
    for key in ("SUPERSET_METADATA_URI", "SUPERSET_SECRET_KEY", "URBANMON_DATA_DIR"):
        assert key in config
    for key in ("SUPERSET_REDIS_HOST", "SUPERSET_REDIS_PASSWORD", "CELERY_CONFIG"):
        assert key in production
    assert "superset.tasks.celery_app:app" in " ".join(services["superset-worker"]["command"])


def test_both_metadata_databases_are_postgresql_created_by_the_init_script(services):
    postgres = services["postgres"]
    assert postgres["image"].startswith("postgres:")
    mounts = [v for v in postgres["volumes"] if "docker-entrypoint-initdb.d" in v]
    assert len(mounts) == 1
    script = REPO / mounts[0].split(":")[0]
    assert script.is_file() and os.access(script, os.X_OK)
    text = script.read_text(encoding="utf-8")
    created = set(re.findall(r"for db in ([a-z ]+); do", text)[0].split())
    assert created == {"airflow", "superset"}
    assert "CREATE DATABASE" in text and "PASSWORD" not in text.replace("POSTGRES_PASSWORD", "")


def test_data_volumes_match_the_platform_paths(compose, services):
    paths = Paths(Path(DATA_DIR))
    expected = {DATA_DIR, str(paths.landing), str(paths.archive)}
    for name in ("airflow-triggerer", "airflow-worker", "airflow-scheduler", "airflow-dag-processor"):
        targets = {v.split(":")[1] for v in services[name]["volumes"]}
        assert expected <= targets, f"{name} lacks {expected - targets}"
    assert f"urbanmon-data:{DATA_DIR}" in services["superset"]["volumes"]
    assert f"urbanmon-data:{DATA_DIR}" in services["superset-worker"]["volumes"]
    named = {v.split(":")[0] for s in services.values() for v in s.get("volumes", []) if not v.startswith(".")}
    assert named <= set(compose["volumes"])


def test_published_ports_bind_to_the_configured_address(services):
    for name in ("airflow-api-server", "superset"):
        for port in services[name]["ports"]:
            assert port.startswith("<URBANMON_BIND_ADDRESS>:"), f"{name}: {port}"
    published = {name for name, s in services.items() if s.get("ports")}
    assert published == {"airflow-api-server", "superset"}, "only the two web servers are published"


# --- locks and images --------------------------------------------------------------------------------------------

def _pins(path: Path) -> dict[str, str]:
    out = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        m = re.match(r"^([A-Za-z0-9][A-Za-z0-9._\-]*)(\[[^\]]*\])?==([^\s;]+)", line)
        if m:
            out[m.group(1).lower().replace("_", "-")] = m.group(3)
    return out


def test_duckdb_is_pinned_to_the_same_version_everywhere():
    locks = [REPO / "requirements/pipeline.lock", REPO / "requirements/superset.lock",
             REPO / "docker/pipeline.production.lock", REPO / "docker/superset.production.lock"]
    versions = {lock.name: _pins(lock).get("duckdb") for lock in locks}
    assert None not in versions.values(), versions
    assert len(set(versions.values())) == 1, versions


@pytest.mark.parametrize("image", ["pipeline", "superset"])
def test_production_extras_keep_every_pin_of_the_base_lock(image):
    base = _pins(REPO / f"requirements/{image}.lock")
    production = _pins(REPO / f"docker/{image}.production.lock")
    changed = {k: (v, production[k]) for k, v in base.items() if k in production and production[k] != v}
    assert not changed, f"docker/{image}.production.lock moves pins of requirements/{image}.lock: {changed}"
    assert set(base) <= set(production), "re-compile the production lock after changing the base lock"


def test_the_images_carry_what_production_needs():
    pipeline = _pins(REPO / "docker/pipeline.production.lock")
    for package in ("apache-airflow-providers-celery", "apache-airflow-providers-fab", "psycopg2-binary",
                    "asyncpg", "redis"):
        assert package in pipeline, package
    for package in ("python-docx", "matplotlib"):  # the evaluation reports
        assert package in pipeline, package
    apt = (REPO / "docker/pipeline.Dockerfile").read_text(encoding="utf-8")
    assert re.search(r"apt-get install[^\n]*\bchromium\b[^\n]*\bfonts-noto-cjk\b", apt), "reports need both"
    superset = _pins(REPO / "docker/superset.production.lock")
    for package in ("apache-superset", "psycopg2-binary", "redis", "celery", "duckdb-engine"):
        assert package in superset, package


def _copies(dockerfile: Path) -> list[str]:
    sources = []
    for line in dockerfile.read_text(encoding="utf-8").splitlines():
        if line.startswith("COPY "):
            parts = [p for p in line.split()[1:] if not p.startswith("--")]
            sources += parts[:-1]
    return sources


@pytest.mark.parametrize("image", ["pipeline", "superset"])
def test_dockerfiles_install_from_lock_files_that_exist(services, image):
    dockerfile = REPO / f"docker/{image}.Dockerfile"
    assert {s["build"]["dockerfile"] for s in services.values() if s.get("image", "").startswith(f"urbanmon/{image}")
            } == {f"docker/{image}.Dockerfile"}
    text = dockerfile.read_text(encoding="utf-8")
    sources = _copies(dockerfile)
    assert f"requirements/{image}.lock" in sources and f"docker/{image}.production.lock" in sources
    for source in sources:
        assert (REPO / source).exists(), f"{dockerfile.name} copies {source}, which does not exist"
    install = next(line for line in text.splitlines() if "pip install" in line)
    assert "--no-deps" in install and f"{image}.lock" in install and f"{image}.production.lock" in install
    assert "pip check" in text
    # the build context sends only what the image copies (never .env, .venvs/ or data/)
    ignore = (REPO / f"docker/{image}.Dockerfile.dockerignore").read_text(encoding="utf-8").splitlines()
    assert ignore[[i for i, line in enumerate(ignore) if not line.startswith("#")][0]] == "*"
    allowed = {line[1:].rstrip("/") for line in ignore if line.startswith("!")}
    for source in sources:
        assert source.rstrip("/") in allowed, f"{source} is copied but excluded from the build context"
    assert not {".env", ".venvs", "data"} & allowed


def test_images_copy_the_platform_code():
    copied = set()
    for image in ("pipeline", "superset"):
        copied |= {s.rstrip("/") for s in _copies(REPO / f"docker/{image}.Dockerfile")}
    assert {"dags", "dbt_project", "expectations", "sources", "urbanmon", "superset"} <= copied
    config_path = re.search(r"SUPERSET_CONFIG_PATH=/opt/urbanmon/app/(\S+)",
                            (REPO / "docker/superset.Dockerfile").read_text(encoding="utf-8")).group(1)
    assert config_path in _copies(REPO / "docker/superset.Dockerfile")
