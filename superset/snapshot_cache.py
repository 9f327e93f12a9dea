"""Superset's chart-data cache, keyed by the published snapshots it was computed from.

A snapshot is published by swapping a new file into place (``os.replace``), so the file's identity (inode and
modification time) changes with every publication and with nothing else. Every cache key is prefixed with the
identity of the serving and operations files: a new snapshot of either makes every earlier entry unreachable at once,
without a purge and without a race with the publisher. A query that began before a swap stores its result under the
prefix it looked up with (taken at the ``get`` just before the query, per thread), so an old result never lands under
the new snapshot's prefix.

Loaded by ``superset_config.py`` as ``DATA_CACHE_CONFIG["CACHE_TYPE"] = "urbanmon_snapshot_cache.factory"``; the
entries themselves are stored by Flask-Caching's ``FileSystemCache`` (shared by the gunicorn workers).
"""

from __future__ import annotations

import os
import threading
from pathlib import Path


def snapshot_identity(paths: list[Path]) -> str:
    """The identity of the published files: ``<inode>.<mtime_ns>`` each, ``none`` for a file not published yet."""
    parts = []
    for path in paths:
        try:
            st = os.stat(path)
        except FileNotFoundError:
            parts.append("none")
        else:
            parts.append(f"{st.st_ino}.{st.st_mtime_ns}")
    return "-".join(parts)


class SnapshotKeyedCache:
    """Wraps a Flask-Caching backend; every key gets the current snapshot identity as its prefix."""

    def __init__(self, inner, watched: list[Path]):
        self.inner = inner
        self.watched = [Path(p) for p in watched]
        self._local = threading.local()

    def _prefix(self, remember: bool) -> str:
        prefix = "snap:" + snapshot_identity(self.watched) + ":"
        if remember:
            self._local.prefix = prefix
        return prefix

    def _write_prefix(self) -> str:
        return getattr(self._local, "prefix", None) or self._prefix(remember=False)

    def get(self, key):
        return self.inner.get(self._prefix(remember=True) + key)

    def has(self, key) -> bool:
        return self.inner.has(self._prefix(remember=True) + key)

    def get_many(self, *keys):
        prefix = self._prefix(remember=True)
        return self.inner.get_many(*(prefix + k for k in keys))

    def set(self, key, value, timeout=None):
        return self.inner.set(self._write_prefix() + key, value, timeout)

    def add(self, key, value, timeout=None):
        return self.inner.add(self._write_prefix() + key, value, timeout)

    def set_many(self, mapping, timeout=None):
        prefix = self._write_prefix()
        return self.inner.set_many({prefix + k: v for k, v in mapping.items()}, timeout)

    def delete(self, key):
        return self.inner.delete(self._prefix(remember=False) + key)

    def delete_many(self, *keys):
        prefix = self._prefix(remember=False)
        return self.inner.delete_many(*(prefix + k for k in keys))

    def clear(self):
        return self.inner.clear()

    def __getattr__(self, name):  # anything else Flask-Caching or Superset asks of a backend
        return getattr(self.inner, name)


def factory(app, config, args, options):
    """Flask-Caching's factory protocol: a FileSystemCache in CACHE_DIR, keyed by the snapshots in
    ``CACHE_OPTIONS["watched"]`` (removed before the backend sees the options)."""
    from flask_caching.backends.filesystemcache import FileSystemCache

    options = dict(options)
    watched = options.pop("watched")
    inner = FileSystemCache(config["CACHE_DIR"], threshold=config["CACHE_THRESHOLD"],
                            ignore_errors=config.get("CACHE_IGNORE_ERRORS", False), **options)
    return SnapshotKeyedCache(inner, watched)
