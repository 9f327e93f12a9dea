"""Superset's action log (the ``logs`` table), written off the request path.

Superset's default ``DBEventLogger`` inserts and commits one row per request inside the request: every chart-data
call of every viewer waits for a write transaction on the metadata database (SQLite here: one writer at a time, so
20 viewers queue on it). This logger keeps the same rows (action, user, dashboard, chart, duration, referrer, the
JSON payload, and the time of the request) but hands them to a background thread of the worker, which inserts them in
one transaction every ``interval`` seconds (and at exit). The audit trail stays complete; a worker killed outright
loses at most its last ``interval`` seconds of log rows.

Loaded by ``superset_config.py`` by path (superset/ is not a package): ``EVENT_LOGGER = QueuedDBEventLogger()``.
"""

from __future__ import annotations

import atexit
import logging
import os
import queue
import threading
from datetime import datetime
from typing import Any

from superset.utils import json
from superset.utils.log import DBEventLogger

logger = logging.getLogger(__name__)


class QueuedDBEventLogger(DBEventLogger):
    def __init__(self, interval: float = 1.0, max_rows: int = 50_000):
        super().__init__()
        self.interval = interval
        self._queue: queue.Queue[dict] = queue.Queue(max_rows)
        self._lock = threading.Lock()
        self._pid: int | None = None  # the worker whose flusher runs (gunicorn forks; threads do not survive it)
        self._app = None
        self._dropped = 0

    def log(  # same signature as DBEventLogger.log
        self,
        user_id: int | None,
        action: str,
        dashboard_id: int | None,
        duration_ms: int | None,
        slice_id: int | None,
        referrer: str | None,
        *args: Any,
        **kwargs: Any,
    ) -> None:
        records = kwargs.get("records") or []
        if not records and kwargs.get("curated_payload"):
            records = [kwargs["curated_payload"]]
        now = datetime.utcnow()  # the Log model's own default (utcnow), taken at the request, not at the flush
        for record in records:
            try:
                json_string = json.dumps(record)
            except Exception:  # noqa: BLE001  (as DBEventLogger: an unserialisable payload still logs the action)
                json_string = None
            row = {"action": action, "json": json_string, "dashboard_id": dashboard_id or record.get("dashboard_id"),
                   "slice_id": slice_id or record.get("slice_id"), "duration_ms": duration_ms,
                   "referrer": referrer, "user_id": user_id, "dttm": now}
            try:
                self._queue.put_nowait(row)
            except queue.Full:
                self._dropped += 1
        self._start()

    def _start(self) -> None:
        if self._pid == os.getpid():
            return
        with self._lock:
            if self._pid == os.getpid():
                return
            from flask import current_app

            self._app = current_app._get_current_object()
            threading.Thread(target=self._run, name="event-log-flusher", daemon=True).start()
            atexit.register(self.flush)
            self._pid = os.getpid()

    def _run(self) -> None:
        stop = threading.Event()
        while not stop.wait(self.interval):
            try:
                self.flush()
            except Exception:  # noqa: BLE001  (the flusher must survive a bad moment of the database)
                logger.exception("event log: flush failed")

    def flush(self) -> int:
        """Insert every queued row in one transaction; returns how many."""
        rows = []
        while True:
            try:
                rows.append(self._queue.get_nowait())
            except queue.Empty:
                break
        if self._dropped:
            logger.error("event log: queue full, %d rows dropped", self._dropped)
            self._dropped = 0
        if not rows or self._app is None:
            return 0
        from sqlalchemy.exc import SQLAlchemyError
        from superset.models.core import Log

        from superset import db

        with self._app.app_context():
            try:
                db.session.bulk_insert_mappings(Log, rows)
                db.session.commit()
            except SQLAlchemyError:
                logger.exception("event log: %d rows could not be written", len(rows))
                db.session.rollback()
                return 0
            finally:
                db.session.remove()
        return len(rows)
