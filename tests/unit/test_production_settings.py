"""The production profile refuses wrong settings before anything starts, and names the setting
(urbanmon/production.py; scripts/production.sh runs the same check)."""

from __future__ import annotations

import os
import socket
import subprocess
import time

import pytest

from urbanmon import production
from urbanmon.cli import SECRET_KEYS

REDIS_SERVER = "/usr/bin/redis-server"


def _good() -> dict[str, str]:
    env = {name: make() for name, make in SECRET_KEYS.items()}
    env.update(POSTGRES_USER="urbanmon", AIRFLOW_ADMIN_USER="admin", SUPERSET_ADMIN_USER="admin",
               PRODUCTION_POSTGRES_PORT=str(_free_port()), PRODUCTION_REDIS_PORT=str(_free_port()),
               PRODUCTION_SCHEDULER_HEALTH_PORT=str(_free_port()))
    return env


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_generated_secrets_pass():
    assert production.check_secrets(_good()) == []


@pytest.mark.parametrize("name", sorted(production.SECRET_MIN_LENGTH))
@pytest.mark.parametrize("how, value, words", [
    ("missing", None, "is not set"),
    ("empty", "", "is not set"),
    ("default", "CHANGE_ME_TO_A_COMPLEX_RANDOM_SECRET", "default or placeholder"),
    ("word", "admin", "default or placeholder"),
    ("repeated", "a" * 64, "default or placeholder"),
    ("short", "Xk3-9aQ_z", "too short"),
])
def test_a_wrong_secret_is_refused_by_name(name, how, value, words):
    env = _good()
    if value is None:
        del env[name]
    else:
        env[name] = value
    problems = production.check_secrets(env)
    assert len(problems) == 1 and problems[0].startswith(name) and words in problems[0], problems
    with pytest.raises(production.SettingError, match=name):
        production.check(env, services=False)


def test_a_fernet_key_must_decode_to_32_bytes():
    env = _good()
    env["AIRFLOW_FERNET_KEY"] = "x" * 20 + "Yz0-_" * 5
    assert production.check_secrets(env) == [
        "AIRFLOW_FERNET_KEY is not a Fernet key (url-safe base64 of 32 bytes)"]


def test_passwords_in_urls_must_be_url_safe():
    env = _good()
    env["REDIS_PASSWORD"] = "abc/def@ghi:jkl#mno"
    assert production.check_secrets(env) == [
        "REDIS_PASSWORD must be URL-safe (it goes into connection URLs): letters, digits, - and _"]


def test_a_missing_user_name_is_refused():
    env = _good()
    env["POSTGRES_USER"] = ""
    assert production.check_secrets(env) == ["POSTGRES_USER is not set (.env)"]


def test_a_bad_port_is_refused_by_name():
    env = _good()
    env["PRODUCTION_REDIS_PORT"] = "63O79"
    with pytest.raises(production.SettingError, match="PRODUCTION_REDIS_PORT must be a port number"):
        production.local_place(env)


def test_unreachable_postgresql_and_redis_are_named():
    env = _good()  # nothing listens on the two free ports
    problems = production.check_reachable(env, timeout=3)
    assert len(problems) == 2, problems
    assert "PostgreSQL at 127.0.0.1:" in problems[0] and "PRODUCTION_POSTGRES_PORT" in problems[0]
    assert "Redis at 127.0.0.1:" in problems[1] and "PRODUCTION_REDIS_PORT" in problems[1]
    with pytest.raises(production.SettingError, match="production settings refused"):
        production.check(env)


@pytest.fixture
def redis_server(tmp_path):
    if not os.path.exists(REDIS_SERVER):
        pytest.skip("redis-server is not installed (scripts/production.sh installs it)")
    port, password = _free_port(), SECRET_KEYS["REDIS_PASSWORD"]()
    conf = tmp_path / "redis.conf"
    conf.write_text(f"bind 127.0.0.1\nport {port}\nrequirepass {password}\ndir {tmp_path}\nsave \"\"\n")
    proc = subprocess.Popen([REDIS_SERVER, str(conf)], stdout=subprocess.DEVNULL, start_new_session=True)
    try:
        for _ in range(50):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        yield port, password
    finally:
        proc.terminate()
        proc.wait(10)


def test_redis_with_another_password_is_refused_and_the_right_one_passes(redis_server):
    port, password = redis_server
    env = _good()
    env["PRODUCTION_REDIS_PORT"] = str(port)
    problems = production.check_reachable(env, timeout=3)
    assert any(p.startswith(f"Redis at 127.0.0.1:{port} refuses REDIS_PASSWORD") for p in problems), problems
    env["REDIS_PASSWORD"] = password
    assert not [p for p in production.check_reachable(env, timeout=3) if p.startswith("Redis")]
