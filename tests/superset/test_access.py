"""The access file (superset/access.yaml) and the production guard of superset_config.py, checked without a server."""

from __future__ import annotations

import importlib.util

import pytest
import yaml

from tests.conftest import REPO

SUPERSET_DIR = REPO / "superset"


def _load(name: str, path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


access = _load("urbanmon_superset_apply_access", SUPERSET_DIR / "apply_access.py")
CONFIG = access.load()


def test_the_four_roles_and_their_kinds():
    assert {name: r["kind"] for name, r in CONFIG["roles"].items()} == {
        "领导": "viewer", "统计人员": "statistician", "区县用户": "viewer", "管理员": "admin"}


def test_no_password_in_the_file_and_every_password_env_is_generated_by_env_init():
    text = (SUPERSET_DIR / "access.yaml").read_text(encoding="utf-8")
    assert "password:" not in text
    example = (REPO / ".env.example").read_text(encoding="utf-8")
    for user in CONFIG["users"]:
        assert f"\n{user['password_env']}=\n" in example, user["password_env"]


def test_env_init_generates_the_board_passwords(tmp_path):
    from urbanmon import cli

    env = tmp_path / ".env"
    generated = cli.env_init(env_path=env, example=REPO / ".env.example")
    values = dict(line.split("=", 1) for line in env.read_text().splitlines() if "=" in line and line[0] != "#")
    for user in CONFIG["users"]:
        assert user["password_env"] in generated and len(values[user["password_env"]]) >= 16


def test_a_user_per_role_and_district_users_get_row_level_security():
    roles = {r for u in CONFIG["users"] for r in u["roles"]}
    assert {"领导", "统计人员", "区县用户"} <= roles
    districts = access.district_roles(CONFIG)
    assert districts and all(u["district"] in districts for u in CONFIG["users"] if "区县用户" in u["roles"])
    assert all(u.get("district") for u in CONFIG["users"] if "区县用户" in u["roles"])
    clause = CONFIG["district_rls"]["clause"].format(area_code="370112")
    assert clause == "area_code IN ('370112', '370100')"
    # every table with other districts' values: the district bars, the scorecard and the values themselves
    assert {"board_district_values", "board_district_scorecard", "indicator_values"} <= set(
        CONFIG["district_rls"]["tables"])


def test_district_rls_tables_are_datasets_with_an_area_code():
    files = (SUPERSET_DIR / "assets/datasets").glob("*.yaml")
    datasets = [yaml.safe_load(p.read_text(encoding="utf-8")) for p in files]
    by_table = {d["table_name"]: {c["column_name"] for c in d["columns"]} for d in datasets}
    for table in CONFIG["district_rls"]["tables"]:
        assert "area_code" in by_table[table], table


def test_the_league_table_is_not_filtered_for_district_users():
    # other districts' names, scores and ranks stay visible in the league table
    assert "district_scores" not in CONFIG["district_rls"]["tables"]
    assert "board_district_map" not in CONFIG["district_rls"]["tables"]
    assert "board_district_league" not in CONFIG["district_rls"]["tables"]


@pytest.mark.parametrize("change", [
    {"users": [{"username": "x", "roles": ["领导"], "password": "secret", "password_env": "SUPERSET_PASSWORD_X"}]},
    {"users": [{"username": "x", "roles": ["无此角色"], "password_env": "SUPERSET_PASSWORD_X"}]},
    {"users": [{"username": "x", "roles": ["领导"], "password_env": "HOME"}]},
    {"roles": {"领导": {"kind": "superuser"}}},
])
def test_load_rejects_a_bad_file(tmp_path, change):
    bad = {**CONFIG, **change}
    path = tmp_path / "access.yaml"
    path.write_text(yaml.safe_dump(bad, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ValueError):
        access.load(path)


def test_viewer_permissions_leave_out_downloads_and_sql_lab():
    class PV:
        def __init__(self, perm, view):
            self.permission = type("P", (), {"name": perm})()
            self.view_menu = type("V", (), {"name": view})()

    assert access._viewer_permission(PV("can_read", "Dashboard"))
    assert access._viewer_permission(PV("can_read", "Chart"))
    for perm, view in [("can_csv", "Superset"), ("can_export", "Chart"), ("menu_access", "SQL Lab"),
                       ("can_sqllab", "Superset"), ("can_export_csv", "SQLLab")]:
        assert not access._viewer_permission(PV(perm, view)), (perm, view)


# --- the production guard -----------------------------------------------------------------------------------------
GOOD_KEY = "Zq8vT3nLw0Rk5yHc2GmJ7pXs4dBf9aUe"


def _config(monkeypatch, tmp_path, **env):
    monkeypatch.setenv("URBANMON_DATA_DIR", str(tmp_path / "data"))
    for key in ("SUPERSET_SECRET_KEY", "URBANMON_MODE", "SUPERSET_METADATA_URI", "SUPERSET_ADMIN_PASSWORD"):
        monkeypatch.delenv(key, raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return _load("urbanmon_superset_config_guard", SUPERSET_DIR / "superset_config.py")


@pytest.mark.parametrize("password", [None, "admin", "changeme-please", "short1"])
def test_production_refuses_a_missing_or_default_admin_password(monkeypatch, tmp_path, password):
    env = {"SUPERSET_SECRET_KEY": GOOD_KEY, "URBANMON_MODE": "production"}
    if password is not None:
        env["SUPERSET_ADMIN_PASSWORD"] = password
    with pytest.raises(RuntimeError, match="SUPERSET_ADMIN_PASSWORD"):
        _config(monkeypatch, tmp_path, **env)


def test_production_starts_with_a_strong_admin_password(monkeypatch, tmp_path):
    cfg = _config(monkeypatch, tmp_path, SUPERSET_SECRET_KEY=GOOD_KEY, URBANMON_MODE="production",
                  SUPERSET_ADMIN_PASSWORD="vR7-kq2Lw9xPz4Tn")
    assert cfg.SECRET_KEY == GOOD_KEY
    assert "'unsafe-eval'" in cfg.TALISMAN_CONFIG["content_security_policy"]["script-src"]
    assert "svg" in cfg.HTML_SANITIZATION_SCHEMA_EXTENSIONS["tagNames"]
    assert "script" not in cfg.HTML_SANITIZATION_SCHEMA_EXTENSIONS["tagNames"]


def test_local_mode_does_not_need_the_admin_password(monkeypatch, tmp_path):
    cfg = _config(monkeypatch, tmp_path, SUPERSET_SECRET_KEY=GOOD_KEY)
    assert cfg.SQLLAB_TIMEOUT <= 60 and cfg.SQL_MAX_ROW <= 100_000


@pytest.mark.parametrize("name", ["serving_warehouse.yaml", "operations_record.yaml"])
def test_duckdb_connections_have_memory_and_thread_limits(name):
    db = yaml.safe_load((SUPERSET_DIR / "assets/databases" / name).read_text(encoding="utf-8"))
    config = db["extra"]["engine_params"]["connect_args"]["config"]
    assert config["memory_limit"] == "1GB" and config["threads"] == 2
    assert config["lock_configuration"] is True and config["enable_external_access"] is False


def test_generated_secrets_never_start_with_a_dash(monkeypatch):
    """A secret starting with "-" is read as an option by the command-line tools it reaches (airflow users create
    --password): the generator draws again until it does not."""
    import secrets as stdlib_secrets

    from urbanmon import cli

    drawn = iter(["-leading-dash-value", "--another", "plain-value_ok"])
    monkeypatch.setattr(stdlib_secrets, "token_urlsafe", lambda n: next(drawn))
    assert cli.token(16) == "plain-value_ok"
