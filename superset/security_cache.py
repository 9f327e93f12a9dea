"""Superset's security manager with its permission look-ups remembered for a few seconds.

Every chart-data request asks the metadata database the same questions about the viewer's roles again and again:
"may these roles do <permission> on <view>?" (about nine times per request), "which datasets/schemas/catalogs may
this user read?" and "is this public?": some 20 of the request's ~30 metadata queries. The answers change only when
an administrator edits roles or permissions, which is rare. This manager keeps each answer (a boolean or a set of
names: never a database object) for ``ttl`` seconds per worker process, keyed by everything the answer depends on
(the role ids, the user id, the permission and view names).

What stays exact, every request: authentication (the session cookie or JWT is checked and the user and their roles
are loaded from the database), row-level security (the filters are looked up for every query and are part of the
data-cache key), and the dataset/chart access checks themselves (run on the remembered answers). What may lag: a
permission taken from a role, or a user moved out of a role, applies after at most ``ttl`` seconds
(``SECURITY_CACHE_SECONDS`` in superset_config.py).

Loaded by ``superset_config.py`` by path (superset/ is not a package): ``CUSTOM_SECURITY_MANAGER``.
"""

from __future__ import annotations

import threading
import time
from typing import Any

from flask import current_app, g
from superset.security import SupersetSecurityManager


class _TTLMemo:
    """A small per-process map of key -> (expiry, value); thread-safe for gunicorn's threads."""

    def __init__(self, max_entries: int = 20_000):
        self._data: dict[tuple, tuple[float, Any]] = {}
        self._lock = threading.Lock()
        self.max_entries = max_entries

    def get_or_compute(self, key: tuple, ttl: float, compute):
        now = time.monotonic()
        hit = self._data.get(key)
        if hit is not None and hit[0] > now:
            return hit[1]
        value = compute()
        with self._lock:
            if len(self._data) >= self.max_entries:
                self._data.clear()
            self._data[key] = (now + ttl, value)
        return value

    def clear(self) -> None:
        with self._lock:
            self._data.clear()


class CachedPermissionsSecurityManager(SupersetSecurityManager):
    _memo = _TTLMemo()

    @property
    def _ttl(self) -> float:
        return float(current_app.config.get("SECURITY_CACHE_SECONDS", 0))

    def _remember(self, key: tuple, compute):
        ttl = self._ttl
        if ttl <= 0:
            return compute()
        return self._memo.get_or_compute(key, ttl, compute)

    def exist_permission_on_roles(self, view_name: str, permission_name: str, role_ids: list[int]) -> bool:
        key = ("perm_on_roles", view_name, permission_name, tuple(sorted(role_ids)))
        return self._remember(key, lambda: bool(super(CachedPermissionsSecurityManager, self)
                                                .exist_permission_on_roles(view_name, permission_name, role_ids)))

    def is_item_public(self, permission_name: str, view_name: str) -> bool:
        key = ("public", permission_name, view_name)
        return self._remember(key, lambda: bool(super(CachedPermissionsSecurityManager, self)
                                                .is_item_public(permission_name, view_name)))

    def user_view_menu_names(self, permission_name: str) -> set[str]:
        user = getattr(g, "user", None)
        who = None if user is None or user.is_anonymous else user.id
        key = ("view_menus", who, permission_name)
        names = self._remember(key, lambda: frozenset(super(CachedPermissionsSecurityManager, self)
                                                      .user_view_menu_names(permission_name)))
        return set(names)

    # an administrator's edit through this worker applies at once here (other workers: within the ttl)
    def add_permission_role(self, *args, **kwargs):
        self._memo.clear()
        return super().add_permission_role(*args, **kwargs)

    def del_permission_role(self, *args, **kwargs):
        self._memo.clear()
        return super().del_permission_role(*args, **kwargs)
