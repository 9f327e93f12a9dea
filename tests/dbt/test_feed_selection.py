"""A file of one feed rebuilds the indicators that depend on it, and only those (the pipeline's own build step,
checked on what dbt ran: run_results.json, recorded in ops.build_nodes)."""

from __future__ import annotations

import shutil

import duckdb

from tests.dbt.conftest import data_dir_env, ingest_files
from urbanmon import pipeline, synth

FEED = "statistics__jinan_bureau_district_tables"


def revised_2022_table() -> bytes:
    """The bureau re-sends 2022 with 历下区's urban population corrected."""
    from urbanmon.cli import generated_samples

    original = generated_samples(FEED)["synthetic_jinan_district_population_income_2022.csv"]
    rows = [line.split(",") for line in original.decode("utf-8").split("\r\n")]
    for row in rows:
        if row[0] == "历下区":
            row[2] = f"{float(row[2]) - 5:.2f}"
    return synth.csv_bytes(rows)


def test_a_statistics_file_rebuilds_only_what_depends_on_it(dbt_build, scratch):
    assert dbt_build.returncode == 0, dbt_build.output[-4000:]
    data = scratch / "data"
    shutil.copytree(dbt_build.data, data)
    with data_dir_env(data):
        first = pipeline.transform_validate_publish("run-full")
        assert first["full_refresh"] is True
        ingest_files(data, FEED, {"synthetic_jinan_district_population_income_2022.csv": revised_2022_table()})
        second = pipeline.transform_validate_publish("run-statistics")
    assert second["full_refresh"] is False and second["feeds"] == [FEED]
    with duckdb.connect(str(data / "build" / "warehouse.duckdb"), read_only=True) as con:
        ran = {r[0] for r in con.execute(
            "select unique_id from ops.build_nodes where run_id = 'run-statistics'").fetchall()}
        full = {r[0] for r in con.execute(
            "select unique_id from ops.build_nodes where run_id = 'run-full'").fetchall()}
        value = con.execute(
            "select numerator from serving.indicator_values where indicator_code = 'urbanization_rate_resident_pct' "
            "and area_code = '370102' and year = 2022").fetchone()[0]
    assert "model.urbanmon.indicator_values" in ran and "model.urbanmon.int_indicator_progress" in ran
    assert "model.urbanmon.indicator_progress" in ran and "model.urbanmon.district_scores" in ran
    assert not [n for n in ran if "air_quality" in n or "aqi" in n], sorted(ran)
    assert len(ran) < len(full) / 2
    original = [line.split(",") for line in revised_2022_table().decode().split("\r\n") if line.startswith("历下区")]
    assert value == float(original[0][2])



# Indicators built on a second feed besides their own: the statistics bureau's district tables give the
# denominators (resident and urban population) of the per-capita indicators.
SECOND_FEED = {
    "statistics__jinan_bureau_district_tables": {
        "physicians_per_1000", "infant_care_places_per_1000", "park_green_space_per_capita"},
}


def _ancestors(manifest: dict, unique_id: str, seen: set | None = None) -> set[str]:
    seen = set() if seen is None else seen
    for parent in manifest["parent_map"].get(unique_id, []):
        if parent not in seen:
            seen.add(parent)
            _ancestors(manifest, parent, seen)
    return seen


def test_every_feed_updates_its_indicators_and_only_those(scratch):
    """For every feed in turn, its newest file arrives after everything else was built. That run's dbt results
    (ops.build_nodes) are exactly the tables downstream of the feed's raw table in dbt's lineage, and the
    indicator values that changed are those of the feed's own indicators (registry ``feed``), plus the declared
    second-feed dependencies above, never another feed's."""
    import json

    import yaml

    from tests.conftest import real_city_file
    from tests.dbt.conftest import CITY_DAYS, CITY_FEED, REPO
    from urbanmon import warehouse
    from urbanmon.cli import generated_samples
    from urbanmon.feeds.spec import load_specs

    registry = yaml.safe_load((REPO / "registry" / "indicators.yaml").read_text(encoding="utf-8"))
    own = {}
    for entry in registry["indicators"]:
        if entry.get("feed"):
            own.setdefault(entry["feed"], set()).add(entry["code"])

    held_out = {CITY_FEED: {f"china_cities_{CITY_DAYS[-1]}.csv": real_city_file(CITY_DAYS[-1])}}
    data = scratch / "data"
    ingest_files(data, CITY_FEED, {f"china_cities_{d}.csv": real_city_file(d) for d in CITY_DAYS[:-1]})
    for feed_id, spec in load_specs().items():
        if spec.generator:
            files = generated_samples(feed_id)
            last = max(files)
            held_out.setdefault(feed_id, {})[last] = files.pop(last)
            ingest_files(data, feed_id, files)

    def values() -> set[tuple]:
        with warehouse.connect(read_only=True) as con:
            return set(con.execute("select indicator_code, area_code, year, method, value "
                                   "from serving.indicator_values").fetchall())

    with data_dir_env(data):
        with warehouse.connect() as con:
            warehouse.ensure_all_raw_tables(con)
        assert pipeline.transform_validate_publish("run-full")["full_refresh"] is True
        manifest = json.loads((data / "dbt" / "target" / "manifest.json").read_text())
        runs = {}
        for feed_id, files in sorted(held_out.items()):
            before = values()
            ingest_files(data, feed_id, files)
            result = pipeline.transform_validate_publish(f"run-{feed_id}")
            assert result["full_refresh"] is False and result["feeds"] == [feed_id], result
            with warehouse.connect(read_only=True) as con:
                ran = {r[0] for r in con.execute("select unique_id from ops.build_nodes where run_id = ? "
                                                 "and starts_with(unique_id, 'model.')", [f"run-{feed_id}"]).fetchall()}
            changed = {row[0] for row in values() ^ before}
            runs[feed_id] = (ran, changed)

    built_feeds = {f for f in own if f in load_specs()} - {"air_quality__cnemc_station_hourly"}
    assert set(runs) >= built_feeds, sorted(built_feeds - set(runs))
    sources = {node["source_name"] + "." + node["name"]: uid for uid, node in manifest["sources"].items()}
    for feed_id, (ran, changed) in runs.items():
        source = next(uid for name, uid in sources.items() if name.endswith("." + feed_id))
        downstream_tables = {
            uid for uid, node in manifest["nodes"].items()
            if uid.startswith("model.") and node["config"]["materialized"] not in ("view", "ephemeral")
            and source in _ancestors(manifest, uid)}
        assert ran == downstream_tables, (feed_id, sorted(ran ^ downstream_tables))
        if own.get(feed_id):
            assert changed, f"{feed_id}: its newest file changed no indicator value"
        allowed = own.get(feed_id, set()) | SECOND_FEED.get(feed_id, set())
        assert changed <= allowed, (feed_id, sorted(changed - allowed))
