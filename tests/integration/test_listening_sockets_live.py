"""Live: in the embedded default every listening socket of the platform is bound to loopback, and only the web
servers (plus the scheduler's health server) listen at all — no log servers on 0.0.0.0:8793/8794."""

from __future__ import annotations

import pytest

from tests.sockets import listeners, session_pids

pytestmark = pytest.mark.integration

SCHEDULER_HEALTH_PORT = 8974  # [scheduler] scheduler_health_check_server_port (default)


def test_only_loopback_sockets_listen(platform):
    sid = int((platform.data / "supervisor" / "supervisord.pgid").read_text().strip())
    pids = session_pids(sid)
    assert len(pids) > 5, f"the supervisord session {sid} has only {pids}: is the platform up?"
    found = listeners(pids)
    exposed = [item for item in found if not item.loopback]
    assert not exposed, f"listening beyond loopback: {exposed}"
    ports = {item.port for item in found}
    web = {int(platform.env["AIRFLOW_PORT"]), int(platform.env["SUPERSET_PORT"])}
    assert web <= ports, f"the web servers are not among the listeners {found}"
    assert ports <= web | {SCHEDULER_HEALTH_PORT}, f"unexpected listeners: {[i for i in found if i.port not in web]}"
