"""docs/statisticians/ is living documentation: every SQL block runs against a snapshot published from the test build.

A query that errors, returns no row, or returns other columns than its ``-- returns:`` line names fails the test, so the
page cannot drift from the serving schema."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import duckdb
import pytest

from tests.conftest import real_city_file
from tests.dbt.conftest import CITY_FEED, data_dir_env, ingest_files
from urbanmon import editions, pipeline, publish

DOCS = Path(__file__).resolve().parents[2] / "docs" / "statisticians"
BLOCK = re.compile(r"```sql\n(.*?)```", re.S)
RETURNS = re.compile(r"^--\s*returns:\s*(.+)$", re.M)


def queries() -> list[tuple[str, str]]:
    found = []
    for page in sorted(DOCS.glob("*.md")):
        for number, sql in enumerate(BLOCK.findall(page.read_text(encoding="utf-8")), start=1):
            found.append((f"{page.name}#{number}", sql))
    return found


def test_the_page_has_queries_and_each_names_its_columns():
    found = queries()
    assert len(found) >= 9, [name for name, _ in found]
    missing = [name for name, sql in found if not RETURNS.search(sql)]
    assert not missing, f"a query without a '-- returns:' line: {missing}"


@pytest.fixture(scope="module")
def snapshot(dbt_build, tmp_path_factory) -> Path:
    """The test build published as the pipeline does, operations record included, with one frozen edition; then a
    new day received and a broken file quarantined, not yet built (what a statistician asks about)."""
    assert dbt_build.returncode == 0, dbt_build.output[-4000:]
    data = tmp_path_factory.mktemp("statisticians") / "data"
    shutil.copytree(dbt_build.data, data)
    with data_dir_env(data):
        started = dt.datetime.now(dt.UTC)  # the session's build, recorded as the pipeline records its own
        snapshot_id = publish.publish_snapshot(build={"run_id": "session", "started_at": started})
        pipeline._record_build("session", started, False, [], pipeline.dbt_project_hash(), "success", snapshot_id)
        pipeline.publish_operations()
        editions.freeze("annual", 2020, "统计人员甲", "文档示例")
        ingest_files(data, CITY_FEED, {"china_cities_20200104.csv": real_city_file("20200104"),
                                       "china_cities_20200105.csv": b"date,hour,type\n20200105,0,AQI\n"},
                     quarantined=1)
        pipeline.publish_operations()
    return data / "serving" / "warehouse.duckdb"


@pytest.mark.parametrize("name,sql", queries(), ids=[name for name, _ in queries()])
def test_every_documented_query_runs_and_returns_what_it_says(snapshot, name, sql):
    expected = [c.strip() for c in RETURNS.search(sql).group(1).split(",")]
    with duckdb.connect(str(snapshot), read_only=True) as con:
        result = con.execute(sql)
        columns = [d[0] for d in result.description]
        rows = result.fetchall()
    assert columns == expected, f"{name}: the query returns {columns}, its '-- returns:' line says {expected}"
    assert rows, f"{name}: no row"
