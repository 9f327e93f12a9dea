"""Apply superset/access.yaml to the Superset metadata: roles, their permissions, users, district row-level security.

Runs under the Superset environment inside the app (scripts/superset_ctl.sh access; `make up` calls it after the
asset import, because permissions name the imported databases and RLS names the imported datasets). Idempotent:
a role's permissions are set to exactly what its kind gives, users are created or updated (password from the
environment variable the file names, never from the file), RLS filters are created or updated by name.

    SUPERSET_CONFIG_PATH=superset/superset_config.py .venvs/superset/bin/python superset/apply_access.py
    ... apply_access.py --check   # print the plan only (no app, no database): used by the unit tests
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import yaml

ACCESS_FILE = Path(__file__).resolve().parent / "access.yaml"
KINDS = {"viewer", "statistician", "admin"}
DATABASES = ("城镇化监测（服务快照）", "平台运行记录（城镇化监测）")
RLS_PREFIX = "区县行级安全·"  # RLS filter and district role names: 区县行级安全·370112
# Gamma's permissions that a dashboard viewer must not have: downloads, sharing by e-mail/reports, SQL Lab
VIEWER_EXCLUDED = ("can_csv", "can_export", "can_download", "can_share", "sql", "SQL", "can_samples", "can_drill")


def load(path: Path = ACCESS_FILE) -> dict:
    config = yaml.safe_load(path.read_text(encoding="utf-8"))
    problems = []
    for name, role in config["roles"].items():
        if role.get("kind") not in KINDS:
            problems.append(f"role {name}: kind {role.get('kind')!r} not in {sorted(KINDS)}")
    for user in config["users"]:
        for role in user["roles"]:
            if role not in config["roles"]:
                problems.append(f"user {user['username']}: unknown role {role}")
        if "password" in user:
            problems.append(f"user {user['username']}: a password in the file (use password_env)")
        if not str(user.get("password_env", "")).startswith("SUPERSET_PASSWORD_"):
            problems.append(f"user {user['username']}: password_env must name a SUPERSET_PASSWORD_* variable")
    if problems:
        raise ValueError("; ".join(problems))
    return config


def district_roles(config: dict) -> dict[str, str]:
    """{district area code: name of its RLS role}."""
    return {u["district"]: f"{RLS_PREFIX}{u['district']}" for u in config["users"] if u.get("district")}


def _viewer_permission(pv) -> bool:
    text = f"{pv.permission.name} {pv.view_menu.name}"
    return not any(word in text for word in VIEWER_EXCLUDED)


def apply(config: dict) -> list[str]:  # pragma: no cover - runs inside Superset (tests/integration)
    from superset.connectors.sqla.models import RowLevelSecurityFilter, SqlaTable
    from superset.models.core import Database
    from superset.utils.core import RowLevelSecurityFilterType

    from superset import db
    from superset import security_manager as sm

    log = []
    gamma, sql_lab = sm.find_role("Gamma"), sm.find_role("sql_lab")
    database_perms = []
    for name in DATABASES:
        database = db.session.query(Database).filter_by(database_name=name).one_or_none()
        if database is None:
            raise RuntimeError(f"database {name} is not imported yet: run `scripts/superset_ctl.sh import` first")
        database_perms.append(sm.add_permission_view_menu("database_access", database.perm))
    csv = sm.add_permission_view_menu("can_csv", "Superset")

    role_objects = {}
    for name, spec in config["roles"].items():
        if spec["kind"] == "admin":
            role_objects[name] = [sm.find_role("Admin")]
            continue
        role = sm.find_role(name) or sm.add_role(name)
        perms = [pv for pv in gamma.permissions if _viewer_permission(pv)] + database_perms
        if spec["kind"] == "statistician":
            perms = list(gamma.permissions) + list(sql_lab.permissions) + database_perms + [csv]
        role.permissions = list({pv.id: pv for pv in perms}.values())
        role_objects[name] = [role]
        log.append(f"role {name}: {len(role.permissions)} permissions ({spec['kind']})")

    rls = config["district_rls"]
    tables = db.session.query(SqlaTable).filter(SqlaTable.table_name.in_(rls["tables"])).all()
    missing = set(rls["tables"]) - {t.table_name for t in tables}
    if missing:
        raise RuntimeError(f"RLS tables not imported: {sorted(missing)}")
    for area_code, role_name in district_roles(config).items():
        role = sm.find_role(role_name) or sm.add_role(role_name)
        role.permissions = []
        rule = db.session.query(RowLevelSecurityFilter).filter_by(name=role_name).one_or_none()
        if rule is None:
            rule = RowLevelSecurityFilter(name=role_name)
            db.session.add(rule)
        rule.filter_type = RowLevelSecurityFilterType.REGULAR
        rule.clause = rls["clause"].format(area_code=area_code)
        rule.group_key = "district"
        rule.description = f"区县用户只见本区县（{area_code}）与全市（370100）的明细"
        rule.tables = tables
        rule.roles = [role]
        log.append(f"RLS {role_name}: {rule.clause} on {sorted(t.table_name for t in tables)}")

    for user in config["users"]:
        password = os.environ.get(user["password_env"], "")
        if not password:
            raise RuntimeError(f"{user['password_env']} is not set (.env: run `make up` or urbanmon env-init)")
        roles = [r for name in user["roles"] for r in role_objects[name]]
        if user.get("district"):
            roles.append(sm.find_role(district_roles(config)[user["district"]]))
        existing = sm.find_user(username=user["username"])
        if existing is None:
            sm.add_user(user["username"], user["first_name"], user["last_name"],
                        f"{user['username']}@localhost", roles, password=password)
            log.append(f"user {user['username']}: created")
        else:
            existing.roles = roles
            existing.first_name, existing.last_name = user["first_name"], user["last_name"]
            sm.update_user(existing)
            sm.reset_password(existing.id, password)
            log.append(f"user {user['username']}: updated")
    db.session.commit()
    return log


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="validate the file and print the plan only")
    args = parser.parse_args(argv)
    config = load()
    if args.check:
        for name, spec in config["roles"].items():
            print(f"role {name}: {spec['kind']}")
        for area_code, role in district_roles(config).items():
            print(f"RLS {role}: {config['district_rls']['clause'].format(area_code=area_code)}")
        for user in config["users"]:
            print(f"user {user['username']}: {', '.join(user['roles'])} (password from ${user['password_env']})")
        return 0
    from superset.app import create_app

    app = create_app()
    with app.app_context():
        for line in apply(config):
            print(f"superset access: {line}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
