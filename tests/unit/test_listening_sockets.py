"""tests/sockets.py reads listening sockets from /proc: checked against real sockets of a real child session."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from tests.sockets import listeners, session_pids

_SERVER = """
import socket, sys, time
held = []
for host in ("127.0.0.1", "0.0.0.0"):
    s = socket.socket(); s.bind((host, 0)); s.listen(); held.append(s)
print(" ".join(str(s.getsockname()[1]) for s in held), flush=True)
time.sleep(60)
"""


def test_listeners_of_a_session_are_found_with_their_addresses():
    child = subprocess.Popen([sys.executable, "-c", _SERVER], stdout=subprocess.PIPE, text=True,
                             start_new_session=True)
    try:
        loop_port, any_port = map(int, child.stdout.readline().split())
        assert session_pids(child.pid) == [child.pid]
        found = {(item.address, item.port): item for item in listeners(session_pids(child.pid))}
        assert set(found) == {("127.0.0.1", loop_port), ("0.0.0.0", any_port)}
        assert found[("127.0.0.1", loop_port)].loopback and not found[("0.0.0.0", any_port)].loopback
        assert found[("127.0.0.1", loop_port)].pid == child.pid
    finally:
        os.killpg(child.pid, signal.SIGKILL)
        child.wait()
    time.sleep(0.1)
    assert session_pids(child.pid) == []
