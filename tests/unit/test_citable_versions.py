"""Citable data versions and a serving snapshot that says how fresh it is (issue 18), on small build databases:
the real publisher, ingest, pipeline failure path and operations publication, without a dbt build."""

from __future__ import annotations

import shutil
import stat

import duckdb
import pytest

from tests.conftest import real_city_file
from urbanmon import ingest, landing, pipeline, publish, registry, warehouse
from urbanmon.feeds.spec import get_spec
from urbanmon.settings import paths

CITY_FEED = "air_quality__cnemc_city_hourly"


def build_values(value: float) -> None:
    """The build database's serving schema: one data table (a real serving model's name, so it has comments)."""
    with warehouse.connect() as con:
        con.execute("create schema if not exists serving")
        con.execute("create or replace table serving.indicator_values as select 'air_quality_good_days_ratio' "
                    "as indicator_code, '370100' as area_code, 2020 as year, ?::double as value", [value])


def cited_value(path) -> float:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute("select value from indicator_values where area_code = '370100' and year = 2020"
                           ).fetchone()[0]


def snapshot_row(path) -> tuple:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute("select snapshot_id, content_sha256 from snapshot").fetchone()


def test_a_citation_reopens_the_same_data_after_ten_later_publications(data_dir, monkeypatch):
    monkeypatch.delenv("URBANMON_SNAPSHOT_HISTORY", raising=False)  # the default: 10 earlier snapshots kept
    serving = paths().serving_db
    build_values(61.2188)
    cited_id = publish.publish_snapshot(build={"run_id": "run-0"})
    citation = snapshot_row(serving)
    assert citation[0] == cited_id and citation[1] == publish.content_hash(serving)["sha256"]

    ids = []
    for n in range(1, 11):
        build_values(61.2188 + n)
        ids.append(publish.publish_snapshot(build={"run_id": f"run-{n}"}))
    assert cited_value(serving) == pytest.approx(71.2188)

    # a month later: the cited version, from history/, read-only, same hash, same number
    old = paths().history_dir / f"{cited_id}.duckdb"
    assert not old.stat().st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)
    assert snapshot_row(old) == citation
    assert publish.verify(old)["ok"] is True and publish.content_hash(old)["sha256"] == citation[1]
    assert cited_value(old) == pytest.approx(61.2188)
    with duckdb.connect(str(serving), read_only=True) as con:
        listed = con.execute("select snapshot_id, content_sha256, path, is_current from snapshot_history "
                             "order by snapshot_id").fetchall()
    assert [r[0] for r in listed] == [cited_id, *ids] and listed[0][1] == citation[1]
    assert listed[-1][3] and not any(r[3] for r in listed[:-1])
    assert all((serving.parent / r[2]).exists() for r in listed)
    # the current snapshot's history entry is the served file itself (a hard link: no copy)
    assert (paths().history_dir / f"{ids[-1]}.duckdb").samefile(serving)

    # one publication more and the cited version is pruned: the current one and the 10 before it stay
    build_values(99.0)
    publish.publish_snapshot(build={"run_id": "run-11"})
    kept = sorted(p.stem for p in paths().history_dir.glob("*.duckdb"))
    assert len(kept) == 11 and cited_id not in kept and kept[0] == ids[0]


def test_a_smaller_history_is_configurable_and_bad_settings_are_refused(data_dir, monkeypatch):
    monkeypatch.setenv("URBANMON_SNAPSHOT_HISTORY", "2")
    for n in range(4):
        build_values(float(n))
        publish.publish_snapshot(build={"run_id": f"run-{n}"})
    assert len(list(paths().history_dir.glob("*.duckdb"))) == 3
    monkeypatch.setenv("URBANMON_SNAPSHOT_HISTORY", "zero")
    with pytest.raises(ValueError, match="URBANMON_SNAPSHOT_HISTORY"):
        publish.publish_snapshot()


def load(files: dict[str, bytes]) -> ingest.IngestResult:
    spec = get_spec(CITY_FEED)
    incoming = paths().data / "incoming"
    incoming.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        (incoming / name).write_bytes(content)
        landing.archive_file(spec, incoming / name)
    return ingest.ingest_pending(CITY_FEED, validate=False)


def test_after_a_failed_build_the_serving_snapshot_says_so_and_lists_what_waits(data_dir, monkeypatch, tmp_path):
    first = load({"china_cities_20200101.csv": real_city_file("20200101")})
    assert not first.quarantined
    build_values(61.2188)
    version = publish.publish_snapshot(build={"run_id": "run-ok"})
    serving = paths().serving_db
    before = snapshot_row(serving)

    # a new day arrives and loads; a broken file is quarantined
    later = load({"china_cities_20200102.csv": real_city_file("20200102"),
                    "china_cities_20200103.csv": b"date,hour,type\n20200103,0,AQI\n"})
    assert len(later.quarantined) == 1, later
    # the next build fails (a broken registry: the pipeline's real failure path, before dbt)
    broken = tmp_path / "registry"
    shutil.copytree(registry.registry_dir(), broken)
    (broken / "units.yaml").write_text("units: [{code: '%'}, {code: '%'}]\n", encoding="utf-8")
    monkeypatch.setenv("URBANMON_REGISTRY_DIR", str(broken))
    with pytest.raises(Exception):  # noqa: B017 - whichever error the broken registry raises, the build fails
        pipeline.transform_validate_publish("run-failed")
    pipeline.publish_operations("run-failed")

    # same data version (id and hash), and it says the last build failed and which files wait
    assert snapshot_row(serving) == before and publish.verify(serving)["ok"] is True
    with duckdb.connect(str(serving), read_only=True) as con:
        last = con.execute("select run_id, state, error, published_snapshot_id, serves_last_build "
                           "from last_build").fetchone()
        waiting = con.execute("select file_name, stage from files_waiting order by file_name").fetchall()
        held = con.execute("select file_name from snapshot_files").fetchall()
        quarantined = con.execute("select feed_id, file_name, received_at is not null, rule, error "
                                  "from quarantine").fetchall()
        published_for = con.execute("select published_for from snapshot").fetchone()[0]
        ops_builds = con.execute("select state from ops_builds order by started_at").fetchall()
    assert last[0] == "run-failed" and last[1] == "failed" and last[3] is None and last[4] is False
    assert "RegistryError" in last[2] and "units.yaml" in last[2], last[2]
    assert waiting == [("china_cities_20200102.csv", "loaded")]
    assert held == [("china_cities_20200101.csv",)]
    assert len(quarantined) == 1 and quarantined[0][:3] == (CITY_FEED, "china_cities_20200103.csv", True)
    assert quarantined[0][3] == "missing_column" and "china_cities_20200103.csv, line 1" in quarantined[0][4]
    assert published_for == "operations refreshed" and ops_builds == [("failed",)]
    # the operations record carries the serving snapshot's id
    assert publish.current_snapshot_id(paths().operations_db) == version


def test_a_snapshot_published_before_data_versions_is_upgraded_when_re_published(data_dir):
    """An old snapshot (no content hash, no file list) re-published after a run keeps its id and gets its hash."""
    with warehouse.connect():
        pass  # the operations record exists
    serving = paths().serving_db
    serving.parent.mkdir(parents=True)
    with duckdb.connect(str(serving)) as con:
        con.execute("create table indicator_values as select 'x' as indicator_code, 1.0 as value, "
                    "'20250101T000000000000Z' as snapshot_id")
        con.execute("create table snapshot as select '20250101T000000000000Z' as snapshot_id, now() as built_at, "
                    "'abc' as git_revision, 'indicator_values' as tables, '{}'::json as extra")
    assert publish.refresh("operations refreshed") == "20250101T000000000000Z"
    checked = publish.verify(serving)
    assert checked["snapshot_id"] == "20250101T000000000000Z" and checked["ok"] is True
    assert checked["tables"] == {"indicator_values": 1}
