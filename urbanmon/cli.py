"""Command line: ``urbanmon <command>`` (run with the pipeline environment).

  env-init                 create/complete .env from .env.example, generating every empty secret
  land-samples             put the shipped sample files into the landing zone (complete-file protocol)
  wait --timeout S         wait until every landed sample file is processed and the snapshot includes it
  status                   files per feed and state, the current snapshot
  run-once                 archive landing, ingest, build, validate and publish in this process (no Airflow)
  registry-check           validate registry/*.yaml and print every problem (exit 1 if any)
  freeze-edition --edition annual|mid-term|final --year Y --by NAME [--note TEXT]
                           freeze an evaluation edition from the current serving snapshot (an editor's act)
  editions                 list the frozen editions and check each one's content hash
  report --year Y --edition annual|mid-term|final [--freeze-by NAME] [--draft]
                           the evaluation report (PDF, DOCX) of a frozen edition -> data/reports/<edition_id>/;
                           with --freeze-by, an edition not frozen yet is frozen first by that editor
  accounting [--verify-hashes]
                           every file in exactly one of landing/pending/processed/quarantined; anomalies (exit 1)
  content-hash [--db PATH] a snapshot's content hash (its data tables), recomputed and compared with the one it
                           records (snapshot.content_sha256); exit 1 if they differ
                           (e.g. --db data/serving/history/<snapshot_id>.duckdb to check a citation)
  freshness [--as-of DATE] each feed's latest period, next due date and state (ops.feed_freshness)
  replay [--feed F] [--year Y]
                           reload a feed (a year of it, or everything) from the archive, then build and publish
  archive-backup --to PATH write a verified tar of the archive (files + receipts) and a SHA-256 manifest
  archive-prune --dir D [--keep N]
                           retention: keep the newest N backups in D (default 7); the archive itself is kept whole
  samples-retire --feed F  the feed goes live: retire all its sample (synthetic) data, then build and publish
                           (the first real file of a year retires that year's sample data by itself)
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import logging
import os
import secrets
import sys
import tarfile
import time
from pathlib import Path

from urbanmon.settings import REPO_ROOT, paths


def token(nbytes: int) -> str:
    """A URL-safe random secret that never starts with "-": a value beginning with a dash is read as an option by
    the command-line tools a secret may reach (``airflow users create --password -x…`` fails to start the platform)."""
    while True:
        value = secrets.token_urlsafe(nbytes)
        if not value.startswith("-"):
            return value


SECRET_KEYS = {
    "AIRFLOW_ADMIN_PASSWORD": lambda: token(16),
    "AIRFLOW_SECRET_KEY": lambda: token(32),
    "AIRFLOW_FERNET_KEY": lambda: base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
    "AIRFLOW_JWT_SECRET": lambda: token(32),
    "SUPERSET_ADMIN_PASSWORD": lambda: token(16),
    "SUPERSET_SECRET_KEY": lambda: token(42),
    "POSTGRES_PASSWORD": lambda: token(24),
    "REDIS_PASSWORD": lambda: token(24),
}


def env_init(env_path: Path = REPO_ROOT / ".env", example: Path = REPO_ROOT / ".env.example") -> list[str]:
    """Write .env from .env.example; keep values already in .env; fill empty secrets. Returns generated keys."""
    existing = {}
    if env_path.exists():
        for line in env_path.read_text(encoding="utf-8").splitlines():
            if "=" in line and not line.lstrip().startswith("#"):
                key, value = line.split("=", 1)
                existing[key.strip()] = value
    out, generated = [], []
    for line in example.read_text(encoding="utf-8").splitlines():
        if "=" not in line or line.lstrip().startswith("#"):
            out.append(line)
            continue
        key, default = line.split("=", 1)
        key = key.strip()
        value = existing.pop(key, default)
        if not value and (key in SECRET_KEYS or key.startswith("SUPERSET_PASSWORD_")):  # board users (access.yaml)
            value = SECRET_KEYS.get(key, SECRET_KEYS["SUPERSET_ADMIN_PASSWORD"])()
            generated.append(key)
        out.append(f"{key}={value}")
    for key, value in existing.items():  # keys the user added by hand stay
        out.append(f"{key}={value}")
    tmp = env_path.with_suffix(".tmp")
    tmp.write_text("\n".join(out) + "\n", encoding="utf-8")
    os.chmod(tmp, 0o600)
    os.replace(tmp, env_path)
    return generated


def sample_members() -> list[tuple[str, str, bytes]]:
    """(feed_id, file name, bytes) of every shipped sample file."""
    from urbanmon.feeds.spec import load_specs

    out = []
    for spec in load_specs().values():
        if not spec.sample:
            continue
        for archive in sorted((spec.folder / spec.sample).glob("*.tar.gz")):
            with tarfile.open(archive, "r:gz") as tar:
                for member in tar.getmembers():
                    name = Path(member.name).name
                    if member.isfile() and spec.matches(name):
                        out.append((spec.feed_id, name, tar.extractfile(member).read()))
        # small real samples ship as plain files (official figures: a CSV a reviewer can read in the repository)
        folder = spec.folder / spec.sample
        for path in sorted(folder.iterdir()) if folder.is_dir() else []:
            if path.is_file() and spec.matches(path.name):
                out.append((spec.feed_id, path.name, path.read_bytes()))
    for spec in load_specs().values():
        for name, data in sorted(generated_samples(spec.feed_id).items()):
            out.append((spec.feed_id, name, data))
    return out


def generated_samples(feed_id: str) -> dict[str, bytes]:
    """The synthetic sample files of a feed from its generator (deterministic: the same bytes every time)."""
    import importlib.util

    from urbanmon.feeds.spec import get_spec
    from urbanmon.synth import SEED

    spec = get_spec(feed_id)
    if not spec.generator:
        return {}
    path = spec.folder / spec.generator
    module_spec = importlib.util.spec_from_file_location(f"urbanmon_generator_{feed_id}", path)
    module = importlib.util.module_from_spec(module_spec)
    module_spec.loader.exec_module(module)
    files = module.generate(SEED)
    for name in files:
        if not name.startswith("synthetic_") or not spec.matches(name):
            raise ValueError(f"{path}: generated file {name!r} must be named synthetic_<name> and match the feed")
    return files


def land_samples(limit: int | None = None) -> list[dict]:
    """Write sample files into landing (temp name, then rename: the complete-file protocol), skipping any file
    already archived (so re-running `make up` lands nothing twice)."""
    from urbanmon.feeds.spec import get_spec
    from urbanmon.landing import archive_dir, landing_dir

    landed = []
    for feed_id, name, data in sample_members()[:limit]:
        spec = get_spec(feed_id)
        sha = hashlib.sha256(data).hexdigest()
        entry = {"feed_id": feed_id, "name": name, "sha256": sha}
        if (archive_dir(spec) / sha / "receipt.json").exists():
            continue
        folder = landing_dir(spec)
        folder.mkdir(parents=True, exist_ok=True)
        tmp = folder / f".{name}.part"
        tmp.write_bytes(data)
        os.replace(tmp, folder / name)
        landed.append(entry)
    write_sample_as_of()
    return landed


def write_sample_as_of() -> str:
    """data/sample_as_of: the samples' own as-of date (freshness judges the shipped samples at it, not today)."""
    from urbanmon import freshness
    from urbanmon.feeds.spec import get_spec

    periods: dict[str, list[str]] = {}
    for feed_id, name, _ in sample_members():
        periods.setdefault(feed_id, []).append(get_spec(feed_id).matches(name).group("period"))
    value = freshness.sample_as_of(periods).isoformat()
    target = paths().data / "sample_as_of"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(value + "\n", encoding="utf-8")
    return value


def wait_processed(shas: set[str] | None = None, timeout: float = 600, poll: float = 2.0) -> dict:
    """Wait until the operations record shows every sample file processed and a snapshot published after it."""
    import duckdb

    if shas is None:
        shas = {hashlib.sha256(data).hexdigest() for _, _, data in sample_members()}
    deadline = time.monotonic() + timeout
    last = {}
    while time.monotonic() < deadline:
        ops, serving = paths().operations_db, paths().serving_db
        if ops.exists() and serving.exists():
            try:
                con = duckdb.connect(str(ops), read_only=True)
                try:
                    rows = con.execute("select sha256, state, processed_at from files").fetchall()
                finally:
                    con.close()
                done = {sha: (state, at) for sha, state, at in rows if sha in shas}
                con = duckdb.connect(str(serving), read_only=True)
                try:
                    built_at = con.execute("select built_at from snapshot").fetchone()[0]
                finally:
                    con.close()
                last = {"processed": len(done), "expected": len(shas), "snapshot_built_at": str(built_at)}
                if len(done) == len(shas) and all(at <= built_at for _, at in done.values()):
                    states = {}
                    for state, _ in done.values():
                        states[state] = states.get(state, 0) + 1
                    return {**last, "states": states}
            except duckdb.Error as exc:  # a snapshot being swapped in: try again
                last = {"error": str(exc)}
        time.sleep(poll)
    raise TimeoutError(f"not all files processed within {timeout:.0f} s: {last}")


def status() -> dict:
    import duckdb

    out: dict = {"serving_db": str(paths().serving_db)}
    if paths().operations_db.exists():
        con = duckdb.connect(str(paths().operations_db), read_only=True)
        try:
            out["files"] = con.execute(
                "select feed_id, state, count(*) from files group by all order by all").fetchall()
            out["quarantined"] = con.execute(
                "select name, error from files where state = 'quarantined' order by processed_at desc limit 20"
            ).fetchall()
        finally:
            con.close()
    if paths().serving_db.exists():
        con = duckdb.connect(str(paths().serving_db), read_only=True)
        try:
            out["snapshot"] = con.execute("select snapshot_id, built_at::varchar from snapshot").fetchone()
            try:  # the data version and how fresh it is (snapshots published before issue 18 lack them)
                out["content_sha256"] = con.execute("select content_sha256 from snapshot").fetchone()[0]
                out["last_build"] = con.execute(
                    "select state, finished_at::varchar, serves_last_build from last_build").fetchone()
                out["files_waiting"] = con.execute("select count(*) from files_waiting").fetchone()[0]
            except duckdb.Error:
                pass
        finally:
            con.close()
    from urbanmon import supervision

    # the heartbeat's last beat and each supervised service's state as it saw them (urbanmon/supervision.py)
    out["heartbeat"] = supervision.last_beat() or "no beat yet (supervisord not started?)"
    return out


def run_once() -> dict:
    """The whole pipeline in this process, without Airflow (for engineers and the benchmark)."""
    from urbanmon import ingest, pipeline
    from urbanmon.feeds.spec import load_specs

    out = {}
    for feed_id in load_specs():
        ingest.archive_landing(feed_id)
        out[feed_id] = ingest.ingest_pending(feed_id, run_id="cli").as_dict()
        out[feed_id]["skipped"] = len(out[feed_id]["skipped"])
    try:
        out["publish"] = pipeline.transform_validate_publish("cli")
    finally:  # passed or failed, as the DAG's publish_operations (trigger rule all_done): the failure is served too
        try:
            pipeline.publish_operations("cli")
        except Exception:
            logging.getLogger(__name__).exception("could not publish the operations record")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="urbanmon", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("env-init")
    land = sub.add_parser("land-samples")
    land.add_argument("--limit", type=int)
    wait = sub.add_parser("wait")
    wait.add_argument("--timeout", type=float, default=600)
    sub.add_parser("status")
    sub.add_parser("run-once")
    sub.add_parser("registry-check")
    freeze = sub.add_parser("freeze-edition")
    freeze.add_argument("--edition", required=True, choices=["annual", "mid-term", "final"])
    freeze.add_argument("--year", required=True, type=int)
    freeze.add_argument("--by", required=True, help="the editor freezing the edition")
    freeze.add_argument("--note")
    sub.add_parser("editions")
    report = sub.add_parser("report")
    report.add_argument("--year", required=True, type=int)
    report.add_argument("--edition", required=True, choices=["annual", "mid-term", "final"])
    report.add_argument("--freeze-by", help="freeze the edition first (as this editor) if it is not frozen yet")
    report.add_argument("--draft", action="store_true", help="from the current snapshot, no edition (a draft)")
    acc = sub.add_parser("accounting")
    acc.add_argument("--verify-hashes", action="store_true", help="re-hash every archived file")
    chash = sub.add_parser("content-hash")
    chash.add_argument("--db", type=Path)
    fresh = sub.add_parser("freshness")
    fresh.add_argument("--as-of", help="judge at this date (default: URBANMON_AS_OF, data/sample_as_of, the clock)")
    rep = sub.add_parser("replay")
    rep.add_argument("--feed")
    rep.add_argument("--year", type=int)
    bak = sub.add_parser("archive-backup")
    bak.add_argument("--to", required=True, type=Path)
    prune = sub.add_parser("archive-prune")
    prune.add_argument("--dir", required=True, type=Path)
    prune.add_argument("--keep", type=int, default=7)
    retire = sub.add_parser("samples-retire")
    retire.add_argument("--feed", required=True)
    args = parser.parse_args(argv)

    if args.command == "env-init":
        generated = env_init()
        print(f".env ready; generated: {', '.join(generated) or 'nothing (all set)'}")
    elif args.command == "land-samples":
        landed = land_samples(args.limit)
        print(f"landed {len(landed)} sample file(s)")
    elif args.command == "wait":
        print(json.dumps(wait_processed(timeout=args.timeout), ensure_ascii=False))
    elif args.command == "status":
        print(json.dumps(status(), ensure_ascii=False, indent=1, default=str))
    elif args.command == "run-once":
        print(json.dumps(run_once(), ensure_ascii=False, indent=1, default=str))
    elif args.command == "registry-check":
        from urbanmon import registry

        try:
            reg = registry.load()
        except registry.RegistryError as exc:
            print(exc, file=sys.stderr)
            return 1
        kinds = [i.kind for i in reg.indicators.values()]
        print(f"registry {reg.version}: {kinds.count('headline')} headline indicators, "
              f"{kinds.count('text_target')} text targets, {len(reg.areas)} areas, {len(reg.units)} units: valid")
    elif args.command == "freeze-edition":
        from urbanmon import editions

        try:
            result = editions.freeze(args.edition, args.year, args.by, args.note)
        except editions.EditionError as exc:
            print(f"cannot freeze: {exc}", file=sys.stderr)
            return 1
        print(json.dumps(result, ensure_ascii=False, indent=1))
    elif args.command == "editions":
        from urbanmon import editions

        checks = editions.verify()
        print(json.dumps(checks, ensure_ascii=False, indent=1))
        return 0 if all(c["ok"] for c in checks) else 1
    elif args.command == "report":
        from urbanmon import editions, reports

        try:
            result = reports.build(args.year, args.edition, draft=args.draft, freeze_by=args.freeze_by)
        except (reports.ReportError, editions.EditionError) as exc:
            print(f"cannot make the report: {exc}", file=sys.stderr)
            return 1
        print(json.dumps(result, ensure_ascii=False, indent=1))
    elif args.command == "accounting":
        from urbanmon import accounting

        result = accounting.write(accounting.check(verify_hashes=args.verify_hashes))
        print(json.dumps(result, ensure_ascii=False, indent=1, default=str))
        return 1 if result["anomalies"] else 0
    elif args.command == "content-hash":
        from urbanmon import publish

        result = publish.verify(args.db)
        print(json.dumps(result, ensure_ascii=False, indent=1))
        return 0 if result["ok"] is not False else 1
    elif args.command == "freshness":
        from urbanmon import freshness

        if args.as_of:
            os.environ["URBANMON_AS_OF"] = args.as_of
        for row in freshness.judge():
            print(f"{row['feed_id']}\t{row['state']}\t{row['detail']}")
    elif args.command == "replay":
        from urbanmon import replay

        print(json.dumps(replay.replay(args.feed, args.year), ensure_ascii=False, indent=1, default=str))
    elif args.command == "archive-backup":
        from urbanmon import replay

        print(json.dumps(replay.backup(args.to), ensure_ascii=False))
    elif args.command == "archive-prune":
        from urbanmon import replay

        print(json.dumps({"removed": replay.prune_backups(args.dir, args.keep)}, ensure_ascii=False))
    elif args.command == "samples-retire":
        from urbanmon import ingest, pipeline

        retired = ingest.retire_feed_samples(args.feed)
        published = pipeline.transform_validate_publish("samples-retire") if retired else None
        pipeline.publish_operations("samples-retire")
        print(json.dumps({"retired": retired, "published": published}, ensure_ascii=False, indent=1, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
