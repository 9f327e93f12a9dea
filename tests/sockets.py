"""Which TCP sockets listen, and which process owns each: read from /proc (no `ss`/`netstat` needed).

Used by the live tests of the embedded default and of the production profile: only what must listen, listens."""

from __future__ import annotations

import ipaddress
import os
import socket
from dataclasses import dataclass
from pathlib import Path

_LISTEN = "0A"


@dataclass(frozen=True)
class Listener:
    address: str
    port: int
    pid: int
    command: str

    @property
    def loopback(self) -> bool:
        return ipaddress.ip_address(self.address).is_loopback


def _decode(hex_addr: str) -> tuple[str, int]:
    host, port = hex_addr.split(":")
    raw = bytes.fromhex(host)
    if len(raw) == 4:
        address = socket.inet_ntop(socket.AF_INET, raw[::-1])
    else:  # four little-endian 32-bit words
        address = socket.inet_ntop(socket.AF_INET6, b"".join(raw[i:i + 4][::-1] for i in range(0, 16, 4)))
        mapped = ipaddress.IPv6Address(address).ipv4_mapped
        address = str(mapped) if mapped else address
    return address, int(port, 16)


def _listening_inodes() -> dict[str, tuple[str, int]]:
    out = {}
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        if not os.path.exists(table):
            continue
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if fields[3] == _LISTEN:
                out[fields[9]] = _decode(fields[1])
    return out


def _session(pid: int) -> int | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return int(stat.rsplit(")", 1)[1].split()[3])  # fields after "(comm)": state ppid pgrp session


def session_pids(sid: int) -> list[int]:
    """Every live process of the session ``sid`` (what setsid started, with all its descendants that stayed)."""
    return [int(p) for p in os.listdir("/proc") if p.isdigit() and _session(int(p)) == sid]


def listeners(pids: list[int]) -> list[Listener]:
    """The listening TCP sockets held by any of ``pids``."""
    inodes = _listening_inodes()
    found = set()
    for pid in pids:
        try:
            fds = os.listdir(f"/proc/{pid}/fd")
            command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
        except OSError:
            continue
        for fd in fds:
            try:
                target = os.readlink(f"/proc/{pid}/fd/{fd}")
            except OSError:
                continue
            if target.startswith("socket:[") and target[8:-1] in inodes:
                address, port = inodes[target[8:-1]]
                found.add(Listener(address, port, pid, command[:200]))
    return sorted(found, key=lambda item: (item.port, item.pid))
