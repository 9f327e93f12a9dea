"""Replay and backfill from the archive, and the archive's backup.

``reload(feed, year)``: forget what the build database knows of the feed's files (of one year: the file name's
period starts with it) -- their raw rows and ledger entries, in one transaction -- and load them again from the
archive with the normal ingest (oldest first, so a later file for a period supersedes an earlier one as it did).
``urbanmon replay [--feed F] [--year Y]`` does that for one feed, one year, or everything, then builds, validates and
publishes as a normal run (a replay of everything is a full rebuild). Frozen editions live in their own database
and are carried into the snapshot unchanged, never rebuilt.

``backup(target)``: a tar of the archive (every file with its receipt) plus a manifest of SHA-256s, verified
after writing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import tarfile
from pathlib import Path

from urbanmon import ingest, landing, warehouse
from urbanmon.feeds.spec import get_spec, load_specs
from urbanmon.settings import paths


def reload(feed_id: str, year: int | None = None, run_id: str = "replay") -> dict:
    spec = get_spec(feed_id)
    shas = []
    for receipt in landing.received(spec):
        match = spec.matches(receipt.name)
        if year is None or (match and match.group("period").startswith(str(year))):
            shas.append(receipt.sha256)
    with warehouse.connect() as con:
        warehouse.ensure_all_raw_tables(con)
        con.execute("begin transaction")
        con.execute(f"delete from {spec.raw_table} where source_file_sha256 in (select unnest(?::varchar[]))", [shas])
        con.execute("delete from ops.files where feed_id = ? and sha256 in (select unnest(?::varchar[]))",
                    [feed_id, shas])
        con.execute("commit")
    result = ingest.ingest_pending(feed_id, run_id=run_id)
    return {"feed_id": feed_id, "year": year, "files": len(shas), "loaded": len(result.loaded),
            "quarantined": len(result.quarantined), "superseded": len(result.superseded)}


def replay(feed_id: str | None = None, year: int | None = None) -> dict:
    """Reload (all feeds, or one) and run build -> validate -> publish -> operations."""
    from urbanmon import pipeline

    run_id = f"replay-{dt.datetime.now(dt.UTC):%Y%m%dT%H%M%SZ}"
    feeds = [feed_id] if feed_id else sorted(load_specs())
    out = {"reloaded": [reload(f, year, run_id) for f in feeds]}
    # everything reloaded: a full rebuild; one feed or year: what depends on it (the normal incremental plan)
    out["publish"] = pipeline.transform_validate_publish(run_id, full_refresh=feed_id is None and year is None)
    pipeline.publish_operations(run_id)
    return out


def backup(target: Path) -> dict:
    """Write ``target`` (a .tar) with every archived file and receipt, and ``target``.manifest.json with their
    SHA-256s; re-read the tar and check every file's hash against its receipt."""
    target.parent.mkdir(parents=True, exist_ok=True)
    archive = paths().archive
    manifest = {}
    tmp = target.with_suffix(target.suffix + ".tmp")
    with tarfile.open(tmp, "w") as tar:
        for receipt_path in sorted(archive.glob("*/*/receipt.json")):
            receipt = json.loads(receipt_path.read_text(encoding="utf-8"))
            data_file = paths().data / receipt["archive_path"]
            for path in (data_file, receipt_path):
                tar.add(path, arcname=str(path.relative_to(archive)))
            manifest[str(data_file.relative_to(archive))] = receipt["sha256"]
    with tarfile.open(tmp) as tar:
        for member in tar.getmembers():
            if member.name in manifest:
                digest = hashlib.sha256(tar.extractfile(member).read()).hexdigest()
                if digest != manifest[member.name]:
                    raise OSError(f"backup of {member.name} does not match its receipt's SHA-256")
    tmp.replace(target)
    Path(str(target) + ".manifest.json").write_text(json.dumps(manifest, indent=1), encoding="utf-8")
    return {"backup": str(target), "files": len(manifest)}


def prune_backups(folder: Path, keep: int = 7) -> list[str]:
    """Retention: keep the newest ``keep`` backups (``*.tar`` with their manifests) in ``folder``, delete older ones.
    The archive itself is never pruned: it is what every replay rebuilds from."""
    if keep < 1:
        raise ValueError("keep at least one backup")
    backups = sorted(folder.glob("*.tar"), key=lambda p: (p.stat().st_mtime, p.name), reverse=True)
    removed = []
    for old in backups[keep:]:
        old.unlink()
        Path(str(old) + ".manifest.json").unlink(missing_ok=True)
        removed.append(old.name)
    return removed
