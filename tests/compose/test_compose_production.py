"""docker-compose.yml agrees with the production profile's one definition (urbanmon/production.py): images, each
service's environment, command and health check. The one-machine start (scripts/production.sh) renders its
supervisord programs from the same definition, so the two cannot drift."""

from __future__ import annotations

import shlex

import pytest

from tests.compose.test_compose import _env, _raw, _substitute
from urbanmon import production

LONG_RUNNING = set(production.SERVICES)


@pytest.fixture(scope="module")
def services() -> dict:
    return _substitute(_raw())["services"]


def test_images_are_the_versions_the_one_machine_start_runs(services):
    assert services["postgres"]["image"] == production.IMAGES["postgres"] == "postgres:15-bookworm"
    assert services["redis"]["image"] == production.IMAGES["redis"] == "redis:7.0-bookworm"


@pytest.mark.parametrize("name", sorted(LONG_RUNNING))
def test_environment_is_the_defined_one(services, name):
    service = production.SERVICES[name]
    build = production.airflow_env if service.kind == "airflow" else production.superset_env
    want = build(production.COMPOSE, production.compose_secret)
    have = _env(services[name])
    assert have == want, {k: (have.get(k), want.get(k)) for k in set(have) | set(want) if have.get(k) != want.get(k)}


@pytest.mark.parametrize("name", sorted(LONG_RUNNING))
def test_command_and_health_check_are_the_defined_ones(services, name):
    command, health = production.SERVICES[name].render(production.COMPOSE)
    assert services[name]["command"] == command
    test = services[name]["healthcheck"]["test"]
    if isinstance(test, str):
        test = ["CMD-SHELL", test]
    kind, *rest = test
    assert kind in ("CMD", "CMD-SHELL")
    assert (shlex.split(rest[0]) if kind == "CMD-SHELL" else rest) == health


def test_no_service_starts_a_log_server(services):
    for name in ("airflow-scheduler", "airflow-triggerer", "airflow-worker"):
        assert "--skip-serve-logs" in services[name]["command"], name


def test_the_definition_changes_the_comparison():
    # a drift in the definition shows as a difference (the comparison above is not vacuous)
    compose = _substitute(_raw())["services"]
    env = production.airflow_env(production.COMPOSE, production.compose_secret)
    env["AIRFLOW__CELERY__WORKER_CONCURRENCY"] = "16"
    assert _env(compose["airflow-worker"]) != env
