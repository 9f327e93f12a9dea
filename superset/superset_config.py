"""Superset configuration of the urbanmon platform (loaded through SUPERSET_CONFIG_PATH by scripts/superset_ctl.sh).

Local mode keeps Superset's metadata in SQLite under $URBANMON_DATA_DIR/superset/; production (docker-compose)
overrides SQLALCHEMY_DATABASE_URI through SUPERSET_METADATA_URI. Secrets come only from the environment.
The server makes no outside requests: no map tiles, no telemetry pixel, no web fonts (the CSP allows 'self' only).
"""

from __future__ import annotations

import importlib.util
import os
import sys
from datetime import timedelta
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
DATA_DIR = str(Path(os.environ.get("URBANMON_DATA_DIR") or REPO_ROOT / "data").resolve() / "superset")
Path(DATA_DIR).mkdir(parents=True, exist_ok=True)

# --- secrets -----------------------------------------------------------------------------------------------------
# Values that ship in Superset's docs, docker files and tutorials; a key like these signs anyone's session cookie.
_KNOWN_DEFAULT_KEYS = {
    "CHANGE_ME_TO_A_COMPLEX_RANDOM_SECRET",
    "TEST_NON_DEV_SECRET",
    "thisISaSECRET_1234",
    "\2\1thisismyscretkey\1\2\\e\\y\\y\\h",
    "YOUR_OWN_RANDOM_GENERATED_SECRET_KEY",
    "superset",
    "secret",
    "changeme",
    "change_me",
}


def _secret_key() -> str:
    key = os.environ.get("SUPERSET_SECRET_KEY", "").strip()
    if not key:
        raise RuntimeError("SUPERSET_SECRET_KEY is not set: run `make up` (it generates one into .env)")
    looks_default = key in _KNOWN_DEFAULT_KEYS or "change" in key.lower() or len(key) < 32 or len(set(key)) < 10
    if looks_default and os.environ.get("URBANMON_MODE", "local") == "production":
        raise RuntimeError("SUPERSET_SECRET_KEY looks like a default or is too short (< 32 characters) for production")
    return key


SECRET_KEY = _secret_key()

_KNOWN_DEFAULT_PASSWORDS = {"admin", "password", "superset", "changeme", "change_me", "123456", "general"}


def _check_admin_password() -> None:
    """Production refuses a missing, default or short admin password (scripts/superset_ctl.sh creates the admin)."""
    if os.environ.get("URBANMON_MODE", "local") != "production":
        return
    password = os.environ.get("SUPERSET_ADMIN_PASSWORD", "")
    if not password:
        raise RuntimeError("SUPERSET_ADMIN_PASSWORD is not set: production needs one from the environment")
    if password.lower() in _KNOWN_DEFAULT_PASSWORDS or "change" in password.lower() or len(password) < 12:
        raise RuntimeError("SUPERSET_ADMIN_PASSWORD looks like a default or is too short (< 12 chars) for production")


_check_admin_password()

# --- metadata database -------------------------------------------------------------------------------------------
SQLALCHEMY_DATABASE_URI = os.environ.get("SUPERSET_METADATA_URI") or f"sqlite:///{DATA_DIR}/superset.db"
SQLALCHEMY_TRACK_MODIFICATIONS = False


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    """The local SQLite metadata database in WAL mode: readers do not wait for the one writer (the action log's
    flush), and a commit does not wait for the disk (synchronous=NORMAL: a power cut loses at most the last commits,
    never the file's consistency)."""
    import sqlite3

    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
        except sqlite3.OperationalError:  # another process holds the file in a transaction: keep its mode
            pass
        finally:
            cursor.close()


if SQLALCHEMY_DATABASE_URI.startswith("sqlite"):
    from sqlalchemy import event
    from sqlalchemy.engine import Engine
    from sqlalchemy.pool import SingletonThreadPool

    # SQLAlchemy 1.4 opens a new connection to a SQLite file for every session (NullPool), and SQLite parses the
    # schema of Superset's ~80 tables on each new connection: keep one connection per worker thread instead.
    SQLALCHEMY_ENGINE_OPTIONS = {"poolclass": SingletonThreadPool, "pool_size": 16}
    event.listen(Engine, "connect", _sqlite_pragmas)
UPLOAD_FOLDER = f"{DATA_DIR}/uploads/"
IMG_UPLOAD_FOLDER = f"{DATA_DIR}/uploads/img/"

# --- language: Chinese by default, English selectable -----------------------------------------------------------
BABEL_DEFAULT_LOCALE = "zh"
LANGUAGES = {
    "zh": {"flag": "cn", "name": "简体中文"},
    "en": {"flag": "us", "name": "English"},
}
D3_FORMAT = {"decimal": ".", "thousands": ",", "grouping": [3], "currency": ["¥", ""]}

# --- no outside requests -----------------------------------------------------------------------------------------
MAPBOX_API_KEY = ""
FEATURE_FLAGS = {
    "ALERT_REPORTS": False,  # would need a browser and a mail server
    "THUMBNAILS": False,
    "EMBEDDED_SUPERSET": False,
    "ENABLE_TEMPLATE_PROCESSING": False,  # Jinja in SQL Lab: one more way to reach the server
    "DASHBOARD_RBAC": False,
}
# Web fonts from Google/Adobe are not reachable: themes may not load them
THEME_FONT_URL_ALLOWED_DOMAINS: list[str] = []
# Content-Security-Policy: the browser may talk to this server only (blocks the telemetry pixel and map tiles too)
TALISMAN_ENABLED = True
TALISMAN_CONFIG = {
    "content_security_policy": {
        "base-uri": ["'self'"],
        "default-src": ["'self'"],
        "img-src": ["'self'", "blob:", "data:"],
        "worker-src": ["'self'", "blob:"],
        "connect-src": ["'self'"],
        "object-src": "'none'",
        "style-src": ["'self'", "'unsafe-inline'"],
        "font-src": ["'self'", "data:"],
        # 'unsafe-eval': the Handlebars chart (the offline district map) compiles its template in the browser
        "script-src": ["'self'", "'strict-dynamic'", "'unsafe-eval'"],
    },
    "content_security_policy_nonce_in": ["script-src"],
    "force_https": False,
    "session_cookie_secure": False,
}
TALISMAN_DEV_CONFIG = TALISMAN_CONFIG

# The district map is inline SVG from a Handlebars chart, and the cockpit, scorecard and district bars are HTML
# coloured by inline style: let these SVG elements and the class/style attributes through Superset's HTML sanitiser
# (a GitHub-like schema that drops SVG); nothing else is widened (no scripts, no event handlers).
HTML_SANITIZATION = True
HTML_SANITIZATION_SCHEMA_EXTENSIONS = {
    # style: the Handlebars chart appends its CSS (styleTemplate) as a <style> element, scoped by the boards' classes
    "tagNames": ["svg", "path", "text", "title", "g", "style"],
    "attributes": {
        "svg": ["viewBox", "xmlns", "role", "ariaLabel", "aria-label"],
        "path": ["d", "fill", "stroke", "strokeWidth", "stroke-width"],
        "text": ["x", "y", "textAnchor", "text-anchor", "fontSize", "font-size"],
        "span": ["style", "className"],
        "div": ["className", "style"],
        "p": ["className"],
    },
}

# --- web security ------------------------------------------------------------------------------------------------
WTF_CSRF_ENABLED = True
WTF_CSRF_TIME_LIMIT = int(timedelta(hours=12).total_seconds())
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = os.environ.get("URBANMON_MODE") == "production" and os.environ.get("SUPERSET_HTTPS") == "1"
PERMANENT_SESSION_LIFETIME = timedelta(hours=12)
PREVENT_UNSAFE_DB_CONNECTIONS = True
PUBLIC_ROLE_LIKE = None
AUTH_RATE_LIMITED = True
AUTH_RATE_LIMIT = "10 per second"

# --- query limits ------------------------------------------------------------------------------------------------
ROW_LIMIT = 50_000
SAMPLES_ROW_LIMIT = 1_000
SQL_MAX_ROW = 100_000
DISPLAY_MAX_ROW = 10_000
DEFAULT_SQLLAB_LIMIT = 1_000
SQLLAB_TIMEOUT = 60
SQLLAB_ASYNC_TIME_LIMIT_SEC = 300
SUPERSET_WEBSERVER_TIMEOUT = 120  # must stay below gunicorn's --timeout in scripts/superset_ctl.sh
SQLLAB_CTAS_NO_LIMIT = False

# --- caches ------------------------------------------------------------------------------------------------------
# Chart data is cached per published snapshot (superset/snapshot_cache.py): every key carries the identity of the
# serving and operations files, so a new snapshot shows at once and an old result is never served for it. UI state
# (filters, explore links) goes to files too, so that both gunicorn workers see it.
def _register_snapshot_cache() -> str:
    import importlib.util
    import sys

    name = "urbanmon_snapshot_cache"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, Path(__file__).with_name("snapshot_cache.py"))
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        sys.modules[name] = module  # Flask-Caching imports CACHE_TYPE by its dotted name
    return f"{name}.factory"


_SERVING_DIR = Path(DATA_DIR).parent / "serving"
DATA_CACHE_CONFIG = {
    "CACHE_TYPE": _register_snapshot_cache(),
    "CACHE_DIR": f"{DATA_DIR}/cache/chart_data",
    "CACHE_DEFAULT_TIMEOUT": int(timedelta(days=1).total_seconds()),
    "CACHE_THRESHOLD": 20_000,
    "CACHE_OPTIONS": {"watched": [_SERVING_DIR / "warehouse.duckdb", _SERVING_DIR / "operations.duckdb"]},
}
FILTER_STATE_CACHE_CONFIG = {
    "CACHE_TYPE": "FileSystemCache",
    "CACHE_DIR": f"{DATA_DIR}/cache/filter_state",
    "CACHE_DEFAULT_TIMEOUT": int(timedelta(days=30).total_seconds()),
    "CACHE_THRESHOLD": 10_000,
}
EXPLORE_FORM_DATA_CACHE_CONFIG = {
    "CACHE_TYPE": "FileSystemCache",
    "CACHE_DIR": f"{DATA_DIR}/cache/explore_form_data",
    "CACHE_DEFAULT_TIMEOUT": int(timedelta(days=7).total_seconds()),
    "CACHE_THRESHOLD": 10_000,
}

# --- the static bundles ------------------------------------------------------------------------------------------
def FLASK_APP_MUTATOR(app) -> None:  # noqa: N802  (Superset's name for this hook)
    """Serve Superset's built assets (/static/assets/: content-hashed file names, public, no login) straight from disk,
    before Flask: no session, so no ``Vary: Cookie`` and no Set-Cookie. Through Flask every response carried
    ``Vary: Cookie`` with a session cookie that changes with every response, so the browser re-validated its cached
    bundles on each board it opened (a round trip through the whole Flask stack per bundle)."""
    from werkzeug.middleware.shared_data import SharedDataMiddleware

    import superset

    assets = Path(superset.__file__).parent / "static" / "assets"
    app.wsgi_app = SharedDataMiddleware(app.wsgi_app, {"/static/assets": str(assets)},
                                        cache_timeout=int(timedelta(days=365).total_seconds()))


# --- logs --------------------------------------------------------------------------------------------------------
def _load_sibling(name: str, filename: str):
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, Path(__file__).with_name(filename))
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        sys.modules[name] = module
    return sys.modules[name]


# The action log (table logs) keeps a row per request, written by a background thread in one transaction a second
# instead of a commit inside every request (superset/event_log.py): 20 viewers no longer queue on SQLite's writer.
# Permission look-ups (may these roles do X on Y? which datasets may this user read?) are remembered per worker for
# SECURITY_CACHE_SECONDS (superset/security_cache.py): ~20 of the ~30 metadata queries of a chart-data request.
# Authentication and row-level security stay exact on every request; a permission taken away applies within this time.
SECURITY_CACHE_SECONDS = 10
_SUPERSET = importlib.util.find_spec("superset")
# this file is also read outside Superset's venv (tests), where "superset" is at most this repository's folder
if _SUPERSET is not None and _SUPERSET.origin is not None:
    EVENT_LOGGER = _load_sibling("urbanmon_event_log", "event_log.py").QueuedDBEventLogger()
    CUSTOM_SECURITY_MANAGER = _load_sibling("urbanmon_security_cache",
                                            "security_cache.py").CachedPermissionsSecurityManager
LOG_LEVEL = os.environ.get("SUPERSET_LOG_LEVEL", "INFO")
ENABLE_TIME_ROTATE = False
