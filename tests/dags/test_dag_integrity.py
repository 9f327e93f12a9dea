"""Every DAG imports, the expected ids are there, and the asset graph is the event-driven one we document."""

from __future__ import annotations

import pytest

from urbanmon.feeds.spec import load_specs

FEEDS = sorted(load_specs())  # one ingest DAG per feed contract in sources/<feed>/feed.yaml
EXPECTED = {f"ingest__{feed}" for feed in FEEDS} | {"transform_validate_publish", "report_draft"}


def scheduled_on(dag) -> list:
    """The assets a DAG's schedule is built of (AssetAll/AssetAny expose them as ``objects``)."""
    condition = getattr(dag.timetable, "asset_condition", None)
    return list(condition.objects) if condition is not None else []


@pytest.fixture(scope="module")
def dagbag(tmp_path_factory):
    import os

    os.environ.setdefault("AIRFLOW_HOME", str(tmp_path_factory.mktemp("airflow_home")))
    os.environ["AIRFLOW__CORE__LOAD_EXAMPLES"] = "False"
    from airflow.dag_processing.dagbag import DagBag

    from tests.conftest import REPO

    return DagBag(dag_folder=str(REPO / "dags"))


def test_no_import_errors_and_expected_ids(dagbag):
    assert dagbag.import_errors == {}
    assert set(dagbag.dags) == EXPECTED


def test_no_dag_runs_on_a_clock(dagbag):
    for dag in dagbag.dags.values():
        assert "Asset" in type(dag.timetable).__name__, f"{dag.dag_id} has timetable {dag.timetable}"


def test_every_dag_is_documented_retried_and_tagged(dagbag):
    for dag in dagbag.dags.values():
        assert dag.doc_md and len(dag.doc_md) > 100, dag.dag_id
        assert dag.tags, dag.dag_id
        assert dag.max_active_runs == 1, dag.dag_id
        for t in dag.tasks:
            assert t.retries >= 1, f"{dag.dag_id}.{t.task_id}"
            if dag.dag_id == "report_draft":  # reads the published snapshot only, never the build database
                assert t.pool != "duckdb_build", f"{dag.dag_id}.{t.task_id} must not hold up the build"
                continue
            assert t.pool == "duckdb_build", f"{dag.dag_id}.{t.task_id} must hold the build-DB pool"


def test_asset_graph(dagbag):
    """Snapshot of the asset graph: landing watcher -> ingest -> raw asset -> transform -> serving."""
    graph = {}
    for dag_id, dag in sorted(dagbag.dags.items()):
        schedule = sorted(a.name for a in scheduled_on(dag))
        outlets = sorted(o.name for t in dag.tasks for o in t.outlets)
        graph[dag_id] = (schedule, outlets)
    expected = {f"ingest__{feed}": ([f"landing__{feed}"], [f"raw__{feed}"]) for feed in FEEDS}
    expected["transform_validate_publish"] = ([f"raw__{feed}" for feed in FEEDS], ["serving__warehouse"])
    expected["report_draft"] = (["serving__warehouse"], [])
    assert graph == expected
    assert {"air_quality__cnemc_city_hourly", "air_quality__cnemc_station_hourly",
            "statistics__jinan_bureau_district_tables"} <= set(FEEDS)


def test_landing_assets_are_watched_by_our_trigger(dagbag):
    from urbanmon.triggers import LandingFileTrigger

    dag = dagbag.dags["ingest__air_quality__cnemc_city_hourly"]
    (asset,) = scheduled_on(dag)
    assert len(asset.watchers) == 1
    classpath, kwargs = asset.watchers[0].trigger.serialize()
    assert classpath == f"{LandingFileTrigger.__module__}.LandingFileTrigger"
    assert kwargs["feed_id"] == "air_quality__cnemc_city_hourly"


def test_report_draft_dag(dagbag):
    """The draft report waits for the serving snapshot and needs no clock; its one task drafts when complete."""
    dag = dagbag.dags["report_draft"]
    assert [t.task_id for t in dag.tasks] == ["prepare_draft"]
    assert [a.name for a in scheduled_on(dag)] == ["serving__warehouse"]
    assert "make report" in dag.doc_md
