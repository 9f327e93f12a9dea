"""Frozen evaluation editions keep their content after new data and revisions arrive (in-process pipeline code)."""

from __future__ import annotations

import hashlib
import shutil

import duckdb
import pytest

from tests.dbt.conftest import CITY_FEED, data_dir_env, ingest_files, run_dbt
from tests.dbt.test_dbt_incremental import corrected
from urbanmon import editions, pipeline, publish, registry


def jinan_2020(path) -> tuple[float, float]:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute(
            "select value, numerator from indicator_values where indicator_code = 'air_quality_good_days_ratio' "
            "and area_code = '370100' and year = 2020 and is_primary_series").fetchone()


def edition_jinan_2020(path, edition_id) -> tuple[float, float]:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute(
            "select value, numerator from edition_indicator_values where edition_id = ? and "
            "indicator_code = 'air_quality_good_days_ratio' and area_code = '370100' and year = 2020 "
            "and is_primary_series", [edition_id]).fetchone()


def test_a_frozen_edition_survives_a_revision(dbt_build, scratch, monkeypatch):
    assert dbt_build.returncode == 0, dbt_build.output[-4000:]
    data = scratch / "data"
    shutil.copytree(dbt_build.data, data)
    work = dbt_build.target.parent
    with data_dir_env(data):
        publish.publish_snapshot()
        pipeline.publish_operations()  # the file ledger an edition records as its data versions
        serving = data / "serving" / "warehouse.duckdb"
        before = jinan_2020(serving)

        with pytest.raises(editions.EditionError, match="mid-term edition is the evaluation of 2025"):
            editions.freeze("mid-term", 2024, "编辑甲")
        with pytest.raises(editions.EditionError, match="no assessed data for 2031"):
            editions.freeze("annual", 2031, "编辑甲")
        version = publish.verify(serving)
        frozen = editions.freeze("annual", 2020, "编辑甲", "2020年度评估")
        assert frozen["edition_id"] == "annual-2020-v1"
        # freezing is not a new data version: same snapshot id, same content hash, the edition served beside it
        assert frozen["snapshot_id"] == version["snapshot_id"] and publish.verify(serving) == version
        with duckdb.connect(str(serving), read_only=True) as con:
            files = sorted(f"{f}/{n}/{s}" for f, n, s in con.execute(
                "select feed_id, file_name, sha256 from snapshot_files").fetchall())
            register = con.execute("select source_snapshot_id, files_loaded, files_sha256 from evaluation_editions "
                                   "where edition_id = 'annual-2020-v1'").fetchone()
            published_for = con.execute("select published_for from snapshot").fetchone()[0]
        # the edition's file list is its source snapshot's (snapshot_files), not the ledger's at freezing time
        assert files and register == (version["snapshot_id"], len(files),
                                      hashlib.sha256("\n".join(files).encode()).hexdigest())
        assert published_for == "edition annual-2020-v1 frozen"
        assert frozen["row_counts"]["indicator_progress"] > 0 and frozen["row_counts"]["indicator_catalog"] > 0
        assert [c["ok"] for c in editions.verify()] == [True]

        # a corrected file for a day already loaded: Jinan's PM2.5 raised, 2020-01-01 is no longer a good day
        ingest_files(data, CITY_FEED, {"china_cities_20200101.csv": corrected(dbt_build.city_files["20200101"])})
        code, output, _ = run_dbt(data, work, changed_report_dates=["2020-01-01"])
        assert code == 0, output[-4000:]
        publish.publish_snapshot()
        after = jinan_2020(serving)
        assert after != before and after[1] == before[1] - 1

        # the edition still holds what it froze, with the hash recorded at freezing
        assert edition_jinan_2020(serving, "annual-2020-v1") == before
        checks = editions.verify()
        assert [(c["edition_id"], c["ok"], c["recomputed"]) for c in checks] == [
            ("annual-2020-v1", True, frozen["content_sha256"])]

        # freezing again makes a new version beside it; the first is untouched
        again = editions.freeze("annual", 2020, "编辑乙")
        assert again["edition_id"] == "annual-2020-v2" and again["content_sha256"] != frozen["content_sha256"]
        assert edition_jinan_2020(serving, "annual-2020-v2") == after
        assert edition_jinan_2020(serving, "annual-2020-v1") == before
        assert all(c["ok"] for c in editions.verify())
        with duckdb.connect(str(serving), read_only=True) as con:
            register = con.execute(
                "select edition_id, edition, year, created_by, source_snapshot_id is not null, files_loaded > 0 "
                "from evaluation_editions order by edition_id").fetchall()
        assert register == [("annual-2020-v1", "annual", 2020, "编辑甲", True, True),
                            ("annual-2020-v2", "annual", 2020, "编辑乙", True, True)]

        # the plan revises the 2025 target (65.2 -> 99.0) from 2021-07-01: the registry gets a later version of the
        # milestone; 2020's statuses keep 65.2, later years are judged against 99.0, the frozen edition is unchanged
        pipeline.publish_operations("before-revision")  # the statuses seen before the registry changes

        def shown_statuses():  # what 总览 shows first: default method, latest year, nearest milestone
            with duckdb.connect(str(serving), read_only=True) as con:
                return dict(((c, a), s) for c, a, s in con.execute(
                    "select indicator_code, area_code, status from indicator_progress where is_default_method "
                    "qualify year = max(year) over (partition by indicator_code, area_code) and milestone_year = "
                    "min(milestone_year) over (partition by indicator_code, area_code, year)").fetchall())

        before_revision = shown_statuses()
        registry_copy = scratch / "registry"
        shutil.copytree(registry.registry_dir(), registry_copy)
        text = (registry_copy / "indicators.yaml").read_text(encoding="utf-8")
        original = '  - {year: 2025, comparator: reach, value: 65.2, text: "65.2", cumulative: false}\n'
        assert original in text
        text = text.replace(original, original + (
            '  - {year: 2025, comparator: reach, value: 99.0, text: "99.0", cumulative: false,\n'
            '     effective_from: 2021-07-01, revision: 中期评估修订（测试）}\n'), 1)
        (registry_copy / "indicators.yaml").write_text(text, encoding="utf-8")
        monkeypatch.setenv("URBANMON_REGISTRY_DIR", str(registry_copy))
        code, output, _ = run_dbt(data, work, "--select", "registry_milestones+", "registry_indicators+")
        assert code == 0, output[-4000:]
        publish.publish_snapshot()
        with duckdb.connect(str(serving), read_only=True) as con:
            targets = dict(con.execute(
                "select year, max(target_value) from indicator_progress where indicator_code = "
                "'air_quality_good_days_ratio' and area_code = '370100' and milestone_year = 2025 group by year"
            ).fetchall())
            frozen_targets = con.execute(
                "select distinct target_value from edition_indicator_progress where edition_id = 'annual-2020-v1' "
                "and indicator_code = 'air_quality_good_days_ratio' and milestone_year = 2025").fetchall()
            current = con.execute(
                "select target_value, effective_from is not null from indicator_milestones where indicator_code = "
                "'air_quality_good_days_ratio' and milestone_year = 2025 and is_current").fetchall()
        assert targets[2020] == 65.2
        assert all(t == 99.0 for y, t in targets.items() if y >= 2021) and len(targets) > 1, targets
        assert frozen_targets == [(65.2,)] and current == [(99.0, True)]
        assert all(c["ok"] for c in editions.verify())

        # announced once: one rule_change alert listing the statuses it changed, no per-indicator status alerts
        def alert_kinds():
            with duckdb.connect(str(data / "serving" / "operations.duckdb"), read_only=True) as con:
                return con.execute("select kind, subject, body from alerts order by created_at").fetchall()

        seen = alert_kinds()
        pipeline.publish_operations("after-revision")
        new = [a for a in alert_kinds() if a not in seen]
        assert [a[0] for a in new] == ["rule_change"], new
        assert "登记表版本" in new[0][1] and "已冻结的评估版本不受影响" in new[0][2]
        with duckdb.connect(str(data / "serving" / "operations.duckdb"), read_only=True) as con:
            changed = con.execute("select indicator_code, area_code, explanation from status_changes "
                                  "where explanation like '（随评估口径更新）%'").fetchall()
        # every status the revision changed is recorded and listed in that one alert (and only those)
        after_revision = shown_statuses()
        flipped = {key for key, status in after_revision.items() if before_revision.get(key, status) != status}
        assert {(code, area) for code, area, _ in changed} == flipped
        assert all(code == "air_quality_good_days_ratio" for code, _ in flipped)
        assert all(explanation in new[0][2] for _, _, explanation in changed)
        if not flipped:
            assert "当前状态均未因此改变" in new[0][2]
