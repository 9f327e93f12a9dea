"""Landing zone: find complete files, archive them unchanged with their SHA-256, then take them out of landing.

A file is *complete* when its name is final (not hidden, not ``*.part``/``*.tmp``/``*.partial``) and its size and
mtime have not changed for ``settle_seconds``: a writer either renames the finished file into place (then it is
taken after one settle period) or copies it in place (then it is taken once the copy stops growing).

Archiving comes first and never changes a byte: the file is copied into ``archive/<feed>/<sha256>/<name>`` with a
``receipt.json`` (name, size, SHA-256, received_at UTC), fsynced, and only then unlinked from landing. The receipt
is what makes a file *received*; the ingest step loads every received file that its ledger does not know yet, so a
crash between archiving and ingest loses nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from urbanmon.feeds.spec import FeedSpec
from urbanmon.settings import paths

PARTIAL_SUFFIXES = (".part", ".partial", ".tmp", ".crdownload", ".filepart")


@dataclass(frozen=True)
class Receipt:
    feed_id: str
    name: str
    sha256: str
    size: int
    received_at: str  # ISO 8601, UTC
    archive_path: str

    def as_dict(self) -> dict:
        return asdict(self)


def landing_dir(spec: FeedSpec) -> Path:
    return paths().landing / spec.landing_subdir


def archive_dir(spec: FeedSpec) -> Path:
    return paths().archive / spec.feed_id


def is_candidate(name: str) -> bool:
    return not name.startswith(".") and not name.endswith(PARTIAL_SUFFIXES)


class StabilityTracker:
    """Remembers (size, mtime) per file across polls; a file is ready once unchanged for ``settle_seconds``."""

    def __init__(self, settle_seconds: float):
        self.settle_seconds = settle_seconds
        self._seen: dict[str, tuple[int, int, float]] = {}

    def ready(self, spec: FeedSpec) -> list[Path]:
        folder = landing_dir(spec)
        now = time.monotonic()
        ready, current = [], set()
        try:
            entries = list(os.scandir(folder))
        except FileNotFoundError:
            return []
        for entry in entries:
            if not is_candidate(entry.name) or not spec.matches(entry.name):
                continue
            if not entry.is_file(follow_symlinks=False):
                continue
            st = entry.stat(follow_symlinks=False)
            key = entry.path
            current.add(key)
            sig = (st.st_size, st.st_mtime_ns)
            prev = self._seen.get(key)
            if prev is None or prev[:2] != sig:
                self._seen[key] = (*sig, now)
                continue
            if now - prev[2] >= self.settle_seconds and time.time() - st.st_mtime >= self.settle_seconds:
                ready.append(Path(entry.path))
        for key in list(self._seen):
            if key not in current:
                del self._seen[key]
        return sorted(ready)

    def forget(self, path: Path) -> None:
        self._seen.pop(str(path), None)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def archive_file(spec: FeedSpec, path: Path, remove_from_landing: bool = True) -> Receipt:
    """Copy ``path`` unchanged into the archive with its hash; then (by default) remove it from landing.

    Idempotent: archiving the same bytes again keeps the first receipt.
    """
    if not safe_name(path.name) or path.is_symlink():
        raise OSError(f"{path.name!r}: not a plain file with a safe name; not archived")
    sha = sha256_of(path)
    target_dir = archive_dir(spec) / sha
    receipt_path = target_dir / "receipt.json"
    if receipt_path.exists():
        receipt = Receipt(**json.loads(receipt_path.read_text(encoding="utf-8")))
    else:
        target_dir.mkdir(parents=True, exist_ok=True)
        target = target_dir / path.name
        tmp = target_dir / f".{path.name}.copying"
        shutil.copyfile(path, tmp)
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        if sha256_of(tmp) != sha:
            tmp.unlink()
            raise OSError(f"{path.name}: the file changed while it was being archived")
        os.replace(tmp, target)
        receipt = Receipt(
            feed_id=spec.feed_id,
            name=path.name,
            sha256=sha,
            size=target.stat().st_size,
            received_at=dt.datetime.now(dt.UTC).isoformat(timespec="microseconds"),
            archive_path=str(target.relative_to(paths().data)),
        )
        tmp_receipt = target_dir / ".receipt.json.tmp"
        tmp_receipt.write_text(json.dumps(receipt.as_dict(), ensure_ascii=False, indent=1), encoding="utf-8")
        os.replace(tmp_receipt, receipt_path)
        _fsync_dir(target_dir)
    if remove_from_landing:
        path.unlink(missing_ok=True)
    return receipt


def received(spec: FeedSpec) -> list[Receipt]:
    """Every file of the feed that has ever been archived, oldest first."""
    out = []
    for receipt_path in archive_dir(spec).glob("*/receipt.json"):
        out.append(Receipt(**json.loads(receipt_path.read_text(encoding="utf-8"))))
    return sorted(out, key=lambda r: (r.received_at, r.name))


def quarantine_file(receipt: Receipt, error: dict) -> Path:
    """Keep a bad file (a hard link to its archived copy) in quarantine with the reason beside it."""
    folder = paths().quarantine / receipt.feed_id / receipt.sha256
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / receipt.name
    if not target.exists():
        source = paths().data / receipt.archive_path
        try:
            os.link(source, target)
        except OSError:
            shutil.copyfile(source, target)
    (folder / "reason.json").write_text(
        json.dumps({"receipt": receipt.as_dict(), "error": error}, ensure_ascii=False, indent=1), encoding="utf-8"
    )
    return target


# --- hostile landing input -------------------------------------------------------------------------------------

MAX_FILE_BYTES_DEFAULT = 2 * 1024**3


def max_file_bytes() -> int:
    """Largest file a landing folder accepts (``URBANMON_MAX_FILE_BYTES``, default 2 GiB): bigger is rejected
    before it is hashed or copied."""
    return int(os.environ.get("URBANMON_MAX_FILE_BYTES") or MAX_FILE_BYTES_DEFAULT)


def safe_name(name: str) -> bool:
    """A plain file name: valid UTF-8, no path separator, not ``.``/``..``, no ``..`` component, no NUL."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return bool(name) and "/" not in name and "\\" not in name and "\0" not in name and ".." not in name \
        and name not in (".", "..") and not os.path.isabs(name)


def reject(folder: Path, entry_name: str, rule: str, reason: str) -> Path:
    """Move a landing entry that must not be loaded out of landing into ``quarantine/_landing/<subdir>/``, with the
    reason beside it. The entry itself is moved (a symlink as a link: its target is never read or touched)."""
    printable = entry_name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%fZ")
    digest = hashlib.sha256(printable.encode()).hexdigest()[:12]
    target_dir = paths().quarantine / "_landing" / folder.name / f"{stamp}_{digest}"
    target_dir.mkdir(parents=True, exist_ok=True)
    os.rename(folder / entry_name, target_dir / "file")
    (target_dir / "reason.json").write_text(json.dumps(
        {"landing": folder.name, "name": printable, "rule": rule, "reason": reason,
         "rejected_at": dt.datetime.now(dt.UTC).isoformat()}, ensure_ascii=False, indent=1), encoding="utf-8")
    return target_dir


def sweep_hostile(subdir: str) -> list[dict]:
    """Take out of a landing folder every entry that must never be loaded, each with its outcome:

    - a symlink (``symlink``): could point anywhere outside landing;
    - a name that is not valid UTF-8, or holds ``..`` or a separator (``unsafe_name``);
    - a file larger than ``max_file_bytes()`` (``too_large``);
    - a complete-looking file whose name no feed of this folder expects (``unexpected_name``).

    Hidden and ``*.part``-style names are left alone: they are files still being written (complete-file protocol).
    Directories are left alone too (a sender's sub-folder is not ours to move)."""
    from urbanmon.feeds.spec import load_specs

    folder = paths().landing / subdir
    specs = [s for s in load_specs().values() if s.landing_subdir == subdir]
    outcomes = []
    try:
        entries = list(os.scandir(folder))
    except FileNotFoundError:
        return []
    for entry in entries:
        name = entry.name
        rule = reason = None
        if entry.is_symlink():
            rule, reason = "symlink", "落地区中的符号链接不被接收（可能指向落地区之外），请放入文件本身"
        elif not safe_name(name):
            rule, reason = "unsafe_name", "文件名不是有效的 UTF-8，或含有“..”/路径分隔符，请按数据契约命名"
        elif entry.is_dir(follow_symlinks=False) or not is_candidate(name):
            continue
        elif entry.stat(follow_symlinks=False).st_size > max_file_bytes():
            rule, reason = "too_large", (f"文件大小 {entry.stat(follow_symlinks=False).st_size} 字节超过上限 "
                                         f"{max_file_bytes()} 字节")
        elif not any(s.matches(name) for s in specs):
            rule, reason = "unexpected_name", f"文件名不符合“{subdir}”落地目录下任何数据源的命名规则"
        if rule:
            outcomes.append({"name": name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace"),
                             "rule": rule, "reason": reason, "moved_to": str(reject(folder, name, rule, reason))})
    return outcomes
